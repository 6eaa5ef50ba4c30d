"""Answer latency of ``Assistant.ask`` (default answerer, in-process, warm) at growing sizes.

The index holds the knowledge base plus filler documents made of the corpus's own sentences
(``corpus.filler_docs``). A sample of filler chunks is embedded for real; the others get vectors
derived from real embeddings (the mean of the real embeddings of their sentences plus small
noise, renormalised) and are written directly through the catalogue and store APIs, exactly
as the ingest pipeline writes them. For every question the floor (one query embedding plus one
Chroma query of the size the retriever asks for) is timed right next to the full answer.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index.lexical import LexicalIndexCache
from assistant.ingest.chunking import chunk_document, document_hash
from assistant.sentences import index_text
from assistant.types import Chunk, DocumentInfo, SourceDoc

from .common import KNOWLEDGE, Say, child_env, percentiles
from .corpus import FillerDoc, derived_vectors, filler_docs, questions, sentence_pool

WRITE_BATCH = 5000
NOISE = 0.01


def _chunks_of(
    docs: Iterator[FillerDoc], pool: list[str], embedder: Any, max_tokens: int
) -> Iterator[tuple[DocumentInfo, list[Chunk], str]]:
    for fd in docs:
        doc = SourceDoc(
            doc_id=fd.doc_id,
            title=fd.title,
            text=fd.text(pool),
            source_kind=fd.source_kind,
            publisher="Benchmark filler",
            path="bench-filler.jsonl",
        )
        digest = document_hash(doc, embedder.model_id)
        chunks = chunk_document(doc, digest, max_tokens, embedder.count_tokens)
        info = DocumentInfo(
            doc_id=doc.doc_id,
            title=doc.title,
            url=None,
            publisher=doc.publisher,
            source_kind=doc.source_kind,
            date=None,
            path=doc.path,
            content_hash=digest,
            chunk_count=len(chunks),
        )
        yield info, chunks, doc.title


class FillerWriter:
    """Adds filler documents to an Assistant's index through the catalogue and store APIs."""

    def __init__(self, assistant: Any, real: int, say: Say) -> None:
        self.assistant = assistant
        self.embedder = assistant.embedder
        self.say = say
        self.pool = sentence_pool()
        self.sentence_index = {s: i for i, s in enumerate(self.pool)}
        say(f"latency: embedding {len(self.pool)} corpus sentences for real")
        self.sentence_vectors = self.embedder.embed(self.pool)
        self.real_left = real
        self.real_done = 0
        self.derived_cos: list[float] = []
        self.rng = np.random.default_rng(1)
        self.docs = filler_docs(10_000_000, len(self.pool), seed=1)

    def _members(self, chunk: Chunk, text: str) -> list[int]:
        ids = []
        for span in chunk.sentences:
            i = self.sentence_index.get(
                " ".join(text[span.start - chunk.start : span.end - chunk.start].split())
            )
            if i is not None:
                ids.append(i)
        return ids or [int(self.rng.integers(len(self.pool)))]

    def add_until(self, target_chunks: int) -> int:
        """Add filler documents until the visible index holds ``target_chunks``; commit."""
        catalogue = self.assistant.catalogue
        have = catalogue.visible_count()
        infos: list[DocumentInfo] = []
        batch: list[tuple[Chunk, str, str]] = []  # chunk, index text, kind
        max_tokens = self.assistant.settings.chunk_max_tokens
        for info, chunks, title in _chunks_of(self.docs, self.pool, self.embedder, max_tokens):
            if have >= target_chunks:
                break
            infos.append(info)
            batch.extend(
                (c, index_text(title, c.heading_path, c.text), info.source_kind) for c in chunks
            )
            have += len(chunks)
            if len(batch) >= WRITE_BATCH:
                self._write(batch)
                batch = []
        if batch:
            self._write(batch)
        catalogue.commit(infos, [])
        return int(catalogue.visible_count())

    def _write(self, batch: list[tuple[Chunk, str, str]]) -> None:
        members = [self._members(c, c.text) for c, _, _ in batch]
        vectors = derived_vectors(self.sentence_vectors, members, NOISE, self.rng)
        if self.real_left > 0:
            n = min(self.real_left, len(batch))
            real = self.embedder.embed([t for _, t, _ in batch[:n]])
            self.derived_cos.extend(float(x) for x in (real * vectors[:n]).sum(axis=1))
            vectors[:n] = real
            self.real_left -= n
            self.real_done += n
        self.assistant.store.upsert(
            [c.chunk_id for c, _, _ in batch],
            vectors,
            [
                {"doc_id": c.doc_id, "doc_hash": c.doc_hash, "ordinal": c.ordinal, "source_kind": k}
                for c, _, k in batch
            ],
            [c.text for c, _, _ in batch],
        )
        self.assistant.catalogue.stage_chunks(c for c, _, _ in batch)


def _bm25_costs(assistant: Any) -> dict[str, float]:
    """Seconds to build (and save) the BM25 index of the current version, and to load it."""
    import shutil

    version = assistant.catalogue.index_version()
    folder = assistant.settings.data_dir / "bm25"
    shutil.rmtree(folder / f"v{version}", ignore_errors=True)
    t0 = time.perf_counter()
    LexicalIndexCache(folder).get(version, assistant.catalogue.iter_visible_chunks)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    LexicalIndexCache(folder).get(version, assistant.catalogue.iter_visible_chunks)
    load = time.perf_counter() - t0
    return {"bm25_build_s": round(build, 3), "bm25_load_s": round(load, 3)}


def measure(assistant: Any, qs: list[str], rounds: int = 1) -> dict[str, Any]:
    """Warm p50/p95 of ``ask`` and of the floor, interleaved question by question."""
    embedder, store = assistant.embedder, assistant.store
    k = 2 * max(assistant.settings.candidate_k, assistant.settings.top_k)
    for q in qs[:15]:  # warm up
        assistant.ask(q)
        store.query(embedder.embed([q])[0], k)
    ask_ms: list[float] = []
    floor_ms: list[float] = []
    steps: dict[str, list[float]] = {}
    for _ in range(rounds):
        for q in qs:
            t0 = time.perf_counter()
            store.query(embedder.embed([q])[0], k)
            floor_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            answer = assistant.ask(q)
            ask_ms.append((time.perf_counter() - t0) * 1000)
            for step, ms in answer.timings_ms.items():
                steps.setdefault(step, []).append(ms)
    ask = percentiles(ask_ms)
    floor = percentiles(floor_ms)
    return {
        "ask_ms": ask,
        "floor_ms": floor,
        "p50_over_floor": round(ask["p50"] / floor["p50"], 2),
        "steps_mean_ms": {s: round(statistics.fmean(v), 2) for s, v in steps.items()},
    }


# What ``assistant ask`` does, with the embedder that ASSISTANT_EMBEDDER names (make_embedder).
_ASK_WITH_SETTING = (
    "import sys\n"
    "from assistant.embedding import make_embedder\n"
    "from assistant.service import Assistant\n"
    "from assistant.settings import Settings\n"
    "s = Settings()\n"
    "print(Assistant(s, embedder=make_embedder(s)).ask(sys.argv[1]).model_dump_json())\n"
)


def cold_start(knowledge: Path, data: Path, question: str, embedder: str | None = None) -> float:
    """Seconds from process start to the first answer printed by ``assistant ask``.

    With ``embedder``, a script that does what ``assistant ask`` does with that embedder.
    """
    if embedder is None:
        command = [sys.executable, "-m", "assistant.cli", "ask", question, "--json"]
        command += ["--knowledge-dir", str(knowledge), "--data-dir", str(data)]
        env = child_env()
    else:
        command = [sys.executable, "-c", _ASK_WITH_SETTING, question]
        env = child_env(
            ASSISTANT_KNOWLEDGE_DIR=str(knowledge),
            ASSISTANT_DATA_DIR=str(data),
            ASSISTANT_EMBEDDER=embedder,
        )
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, timeout=600, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"cold start run failed: {done.stderr.decode()[-2000:]}")
    return seconds


def run(opts: dict[str, Any], work: Path, say: Say) -> dict[str, Any]:
    from assistant.embedding import make_embedder
    from assistant.service import Assistant
    from assistant.settings import Settings

    work.mkdir(parents=True, exist_ok=True)
    data = work / "index"
    settings = Settings(knowledge_dir=KNOWLEDGE, data_dir=data)
    assistant = Assistant(settings, embedder=make_embedder(settings))
    qs = questions()
    result: dict[str, Any] = {"embedder": settings.embedder, "questions": len(qs), "sizes": []}
    try:
        assistant.warm_up()
        report = assistant.ingest()
        result["knowledge_base_chunks"] = assistant.catalogue.visible_count()
        writer = FillerWriter(assistant, opts["real_filler"], say)
        for size in sorted(opts["sizes"]):
            t0 = time.perf_counter()
            chunks = writer.add_until(size)
            build_s = time.perf_counter() - t0
            say(f"latency: {chunks} chunks indexed ({build_s:.0f} s); BM25 and questions")
            row: dict[str, Any] = {"chunks": chunks, "index_write_s": round(build_s, 1)}
            row.update(_bm25_costs(assistant))
            assistant.warm_up()
            row.update(measure(assistant, qs))
            say(
                f"latency: {chunks} chunks: ask p50 {row['ask_ms']['p50']:.1f} ms, "
                f"p95 {row['ask_ms']['p95']:.1f} ms, floor p50 {row['floor_ms']['p50']:.1f} ms"
            )
            result["sizes"].append(row)
        result["real_filler_chunks"] = writer.real_done
        if writer.derived_cos:
            result["derived_vs_real_cosine_mean"] = round(statistics.fmean(writer.derived_cos), 4)
        result["ingest_report"] = report.summary()
    finally:
        assistant.close()
    say("latency: cold starts")
    question = "How long does the M.I.G.O.N.E. procedure take?"
    result["cold_start_s"] = [round(cold_start(KNOWLEDGE, data, question), 2) for _ in range(2)]
    if "minilm-int8" in opts["embedders"]:
        # Start-up only: the index holds the PyTorch model's vectors (cosine 0.999 to int8's).
        result["cold_start_int8_s"] = round(cold_start(KNOWLEDGE, data, question, "minilm-int8"), 2)
    version = max(int(p.name[1:]) for p in (data / "bm25").glob("v*") if p.name[1:].isdigit())
    import shutil

    shutil.rmtree(data / "bm25" / f"v{version}")
    result["cold_start_bm25_missing_s"] = round(cold_start(KNOWLEDGE, data, question), 2)
    result["cold_start_chunks"] = result["sizes"][-1]["chunks"] if result["sizes"] else None
    result["pid"] = os.getpid()
    return result
