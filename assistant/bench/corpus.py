"""Realistic filler text and vectors for the benchmarks, made from the knowledge base itself.

Filler documents are built from the knowledge base's own sentences, so their words, lengths and
topics are those of real passages. Embedding hundreds of thousands of chunks on two cores takes
hours, so only a sample is embedded for real; the other chunks get vectors *derived* from real
embeddings: the mean of the real embeddings of the sentences they are made of, plus small
Gaussian noise, renormalised (see :func:`derived_vectors`). The report says so next to every
figure that uses them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from assistant.ingest.chunking import parse_blocks
from assistant.ingest.loaders import iter_knowledge_files, load_path
from assistant.sentences import split_sentences
from assistant.types import SourceDoc

from .common import CASES, KNOWLEDGE

TOPICS = (
    "Occipital nerve decompression",
    "Trigger-site deactivation",
    "Fat transfer after nerve surgery",
    "Nerve stimulation for chronic migraine",
    "Recovery after migraine surgery",
    "Questions patients ask before surgery",
    "What the studies measured",
    "Costs, insurance and follow-up",
)
KINDS = ("other", "reference", "practice-blog", "clinic-marketing")


def knowledge_docs(root: Path = KNOWLEDGE) -> list[SourceDoc]:
    docs: list[SourceDoc] = []
    for path in iter_knowledge_files(root):
        docs.extend(d for d in load_path(path, root) if isinstance(d, SourceDoc))
    return docs


def sentence_pool(root: Path = KNOWLEDGE, min_words: int = 6) -> list[str]:
    """Distinct prose sentences of the knowledge base (headings and fragments left out)."""
    seen: dict[str, None] = {}
    for doc in knowledge_docs(root):
        for block in parse_blocks(doc.text):
            if block.kind == "heading":
                continue
            for span in split_sentences(doc.text, block.start, block.end):
                sentence = " ".join(doc.text[span.start : span.end].split())
                if len(sentence.split()) >= min_words and sentence[-1] in ".!?":
                    seen.setdefault(sentence, None)
    return list(seen)


def questions(path: Path = CASES) -> list[str]:
    """The single-turn questions of the eval suite, in file order."""
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [c["question"] for c in cases if not c.get("history")]


@dataclass(frozen=True)
class FillerDoc:
    """A generated document and the pool indexes of its sentences (paragraph by paragraph)."""

    doc_id: str
    title: str
    source_kind: str
    paragraphs: tuple[tuple[int, ...], ...]

    def text(self, pool: Sequence[str]) -> str:
        return "\n\n".join(" ".join(pool[i] for i in para) for para in self.paragraphs)

    def sentence_ids(self) -> list[int]:
        return [i for para in self.paragraphs for i in para]


def filler_docs(
    n: int, pool_size: int, seed: int = 0, prefix: str = "filler"
) -> Iterator[FillerDoc]:
    """``n`` documents of one to three paragraphs of two to five pool sentences each."""
    rng = random.Random(seed)
    for k in range(n):
        paragraphs = tuple(
            tuple(rng.randrange(pool_size) for _ in range(rng.randint(2, 5)))
            for _ in range(rng.choice((1, 1, 2, 3)))
        )
        yield FillerDoc(
            doc_id=f"{prefix}-{seed}-{k:07d}",
            title=f"{rng.choice(TOPICS)} ({k})",
            source_kind=rng.choice(KINDS),
            paragraphs=paragraphs,
        )


def write_jsonl(path: Path, docs: Iterator[FillerDoc], pool: Sequence[str]) -> int:
    """Write filler documents as a JSONL knowledge file (streamed); returns the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for doc in docs:
            record = {
                "id": doc.doc_id,
                "title": doc.title,
                "text": doc.text(pool),
                "metadata": {"source_kind": doc.source_kind, "publisher": "Benchmark filler"},
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def derived_vectors(
    base: np.ndarray, members: Sequence[Sequence[int]], noise: float, rng: np.random.Generator
) -> np.ndarray:
    """For each row, the mean of ``base[members[i]]`` plus Gaussian noise, renormalised.

    Args:
        base: Real, L2-normalised embeddings (one per pool sentence or per real chunk).
        members: For each derived vector, the base rows it mixes.
        noise: Standard deviation of the noise per dimension (0.02 moves a vector by about
            0.4 in length before renormalising, i.e. a cosine of about 0.93 to its mean).
        rng: Random generator, for reproducible figures.
    """
    out = np.empty((len(members), base.shape[1]), dtype=np.float32)
    for i, rows in enumerate(members):
        out[i] = base[list(rows)].mean(axis=0)
    out += rng.normal(0.0, noise, size=out.shape).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def mixed_vectors(
    base: np.ndarray, n: int, rng: np.random.Generator, noise: float = 0.02, parts: int = 3
) -> np.ndarray:
    """``n`` vectors, each a random convex mix of ``parts`` real embeddings plus noise."""
    idx = rng.integers(0, len(base), size=(n, parts))
    weights = rng.dirichlet(np.ones(parts), size=n).astype(np.float32)
    out = np.einsum("np,npd->nd", weights, base[idx])
    out += rng.normal(0.0, noise, size=out.shape).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    vectors: np.ndarray = out.astype(np.float32)
    return vectors
