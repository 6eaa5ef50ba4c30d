"""Per-case scores: pure functions of an answer, its retrieval and the case. No judge, no I/O.

Each score is a number in [0, 1], or ``None`` where it does not apply (e.g. citation precision
for a case without expected support); :mod:`assistant.evals.metrics` aggregates them per run.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from assistant.types import CITATION_MARKER, Citation

# Ranks at which retrieval is scored; the Assistant answers from the top 5 passages.
KS: tuple[int, ...] = (1, 3, 5, 10)
K_MAX = max(KS)

_MARKER = CITATION_MARKER
_SPACE = re.compile(r"\s+")
_TYPOGRAPHIC = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-", "\u00a0": " "}
)


def normalise(text: str) -> str:
    """Case-folded text with typographic quotes and dashes made plain and whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHIC)
    return _SPACE.sub(" ", text).strip().casefold()


def contains(text: str, phrase: str) -> bool:
    """True when ``phrase`` occurs in ``text`` (case-insensitive, whitespace collapsed)."""
    return normalise(phrase) in normalise(text)


# ---- retrieval ----------------------------------------------------------------------------
def retrieval_scores(
    ranked_doc_ids: Sequence[str], expected: Collection[str], ks: Sequence[int] = KS
) -> dict[str, float]:
    """hit@k, recall@k and reciprocal rank of the expected documents.

    Args:
        ranked_doc_ids: the document of each retrieved passage, best first (a document may
            appear more than once: k counts passages, as the answer sees them).
        expected: the documents that hold the answer.
        ks: the cut-offs to score.
    """
    if not expected:
        return {}
    wanted = set(expected)
    scores: dict[str, float] = {}
    for k in ks:
        found = wanted.intersection(ranked_doc_ids[:k])
        scores[f"hit_at_{k}"] = 1.0 if found else 0.0
        scores[f"recall_at_{k}"] = len(found) / len(wanted)
    cutoff = max(ks)
    first = next((i for i, d in enumerate(ranked_doc_ids[:cutoff]) if d in wanted), None)
    scores["reciprocal_rank"] = 0.0 if first is None else 1.0 / (first + 1)
    return scores


# ---- citations ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Hit:
    """A retrieved passage as the eval sees it: its document and, where known, its text span."""

    doc_id: str
    chunk_id: str | None = None
    start: int | None = None
    end: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class CitationCheck:
    """The verdict on an answer's citations.

    ``score`` is 1.0 when every marker maps to a citation and every quote that could be
    compared is the source text at its offsets, 0.0 otherwise, and ``None`` when the answer has
    neither markers nor citations. ``unchecked`` lists citations whose source text was not
    available (a remote run without source texts): they are not counted as valid or invalid.
    """

    score: float | None
    problems: tuple[str, ...] = ()
    unchecked: tuple[int, ...] = ()


def citation_check(
    answer_text: str,
    citations: Sequence[Citation],
    doc_texts: Mapping[str, str | None] | None,
    passages: Sequence[Hit] = (),
) -> CitationCheck:
    """Check markers against citations and quotes against the source text at their offsets.

    Args:
        answer_text: the answer with its ``[n]`` markers.
        citations: the answer's citations.
        doc_texts: text of each known document; a value of ``None`` means the document is known
            but its text is not available; ``None`` for the whole mapping means nothing is known
            about the sources.
        passages: retrieved passages with their text and document offsets; a quote whose
            document text is unavailable is compared with the passage it was cut from.
    """
    markers = [int(m) for m in _MARKER.findall(answer_text)]
    if not markers and not citations:
        return CitationCheck(score=None)
    problems: list[str] = []
    unchecked: list[int] = []
    numbers = [c.n for c in citations]
    for n in sorted(set(markers) - set(numbers)):
        problems.append(f"marker [{n}] has no citation")
    for n in sorted({n for n in numbers if numbers.count(n) > 1}):
        problems.append(f"citation number {n} is used more than once")
    for c in citations:
        problem = _quote_problem(c, doc_texts, passages)
        if problem is None:
            continue
        if problem == _UNCHECKED:
            unchecked.append(c.n)
        else:
            problems.append(problem)
    return CitationCheck(
        score=0.0 if problems else 1.0, problems=tuple(problems), unchecked=tuple(unchecked)
    )


_UNCHECKED = "unchecked"


def _quote_problem(
    c: Citation, doc_texts: Mapping[str, str | None] | None, passages: Sequence[Hit]
) -> str | None:
    """What is wrong with one citation's quote; None if exact, _UNCHECKED if not comparable."""
    text = doc_texts.get(c.doc_id) if doc_texts is not None else None
    if text is not None:
        if not (0 <= c.start < c.end <= len(text)):
            return (
                f"[{c.n}] offsets {c.start}-{c.end} lie outside {c.doc_id!r} "
                f"({len(text)} characters)"
            )
        if text[c.start : c.end] != c.quote:
            return (
                f"[{c.n}] quote differs from {c.doc_id!r} at {c.start}-{c.end}: "
                f"source has {_clip(text[c.start : c.end])!r}"
            )
        return None
    same = [
        p
        for p in passages
        if p.doc_id == c.doc_id
        and p.text is not None
        and p.start is not None
        and p.end is not None
        and (p.chunk_id is None or p.chunk_id == c.chunk_id)
    ]
    for p in same:
        assert p.start is not None and p.end is not None and p.text is not None
        if p.start <= c.start < c.end <= p.end:
            cut = p.text[c.start - p.start : c.end - p.start]
            if cut != c.quote:
                return (
                    f"[{c.n}] quote differs from passage {p.chunk_id or c.doc_id!r} at "
                    f"{c.start}-{c.end}: source has {_clip(cut)!r}"
                )
            return None
    if same:
        return f"[{c.n}] offsets {c.start}-{c.end} lie outside the passage it cites"
    if doc_texts is not None and c.doc_id not in doc_texts:
        return f"[{c.n}] cites {c.doc_id!r}, which is not among the sources"
    return _UNCHECKED


def citation_precision(quotes: Sequence[str], support: Sequence[str]) -> float | None:
    """Share of cited quotes that contain at least one expected support phrase."""
    if not quotes or not support:
        return None
    return sum(any(contains(q, p) for p in support) for q in quotes) / len(quotes)


def support_coverage(answer_text: str, support: Sequence[str]) -> float | None:
    """Share of the expected support phrases that appear in the answer."""
    if not support:
        return None
    return sum(contains(answer_text, p) for p in support) / len(support)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
