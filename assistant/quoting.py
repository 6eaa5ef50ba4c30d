"""Quoting: the candidate units an answer may quote, and the answer text made of the chosen ones,
grouped by document with a lead-in that says who is speaking, each quote followed by its
citation marker (a lead-in sentence and its list as one quote per block, in order).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.messages import Messages
from assistant.question import Understanding
from assistant.sentences import readable
from assistant.text import terms
from assistant.types import Citation, DocumentInfo, Passage
from assistant.units import Unit

EVIDENCE_KINDS = frozenset({"curated-evidence", "reference"})

_CITED_OF_DOCUMENT = set(Citation.model_fields.keys() & DocumentInfo.model_fields.keys())
"""What a citation shows of its document: its id, title and provenance."""


def lead_in(passage: Passage, words: Messages) -> str:
    doc = passage.doc
    publisher = doc.publisher or doc.title
    kind = doc.source_kind if words.sub("lead_ins", doc.source_kind) else "other"
    return str(words.sub("lead_ins", kind)).format(publisher=publisher)


# ---- scoring ------------------------------------------------------------------------------
@dataclass
class Candidate:
    unit: Unit
    passage: Passage
    similarity: float
    lexical: float
    facet: float
    facets: frozenset[str]
    score: float = 0.0
    named: bool = False
    """Uses the name the patient gave the procedure ("spinal cord stimulation")."""
    entity: bool = False
    """Names the covered treatment the question asks about, with the question's procedure."""
    phrase: bool = False
    """Says what a translation of the patient's words into the sources' words says ("multiple
    trigger point sites addressed in a single procedure")."""


def matched_terms(query: set[str], sentence: frozenset[str]) -> set[str]:
    """Query terms found in the sentence; a stem also matches a longer stem it begins
    ("safe" matches "safeti" from "safety"), from four letters on."""
    found = query & sentence
    for term in query - found:
        if len(term) >= 4 and any(
            len(word) >= 4 and (word.startswith(term) or term.startswith(word)) for word in sentence
        ):
            found.add(term)
    return found


def compose(
    chosen: Sequence[Candidate], words: Messages, u: Understanding, balance: bool
) -> tuple[str, list[Citation]]:
    groups: dict[str, list[Candidate]] = {}
    order = list(chosen)
    if balance:
        order.sort(key=lambda c: c.passage.doc.source_kind not in EVIDENCE_KINDS)
    for c in order:
        groups.setdefault(c.unit.doc_id, []).append(c)
    paragraphs: list[str] = []
    citations: list[Citation] = []
    if u.language != "en":
        paragraphs.append(words.text("quotes_in_english"))
    for items in groups.values():
        items.sort(key=lambda c: c.unit.start)
        parts = [lead_in(items[0].passage, words)]
        for quote in _split_blocks(_merge_adjacent(items)):
            n = len(citations) + 1
            citations.append(
                Citation(
                    n=n,
                    **quote.passage.doc.model_dump(include=_CITED_OF_DOCUMENT),
                    chunk_id=quote.passage.chunk.chunk_id,
                    quote=quote.text,
                    start=quote.start,
                    end=quote.end,
                    score=round(quote.score, 4),
                )
            )
            parts.append(f"“{readable(quote.text)}” [{n}]")
        paragraphs.append(" ".join(parts))
    return "\n\n".join(paragraphs), citations


@dataclass
class _Quote:
    passage: Passage
    start: int
    end: int
    text: str
    score: float


def _merge_adjacent(items: Sequence[Candidate]) -> list[_Quote]:
    """Units of one chunk that overlap or follow each other in a paragraph, as one quote."""
    merged: list[_Quote] = []
    for c in sorted(items, key=lambda c: (c.unit.chunk_id, c.unit.start)):
        chunk = c.passage.chunk
        if merged and merged[-1].passage.chunk.chunk_id == chunk.chunk_id:
            prev = merged[-1]
            gap = chunk.text[prev.end - chunk.start : c.unit.start - chunk.start]
            if c.unit.start <= prev.end or (not gap.strip() and "\n" not in gap):
                end = max(prev.end, c.unit.end)
                prev.end = end
                prev.text = chunk.text[prev.start - chunk.start : end - chunk.start]
                prev.score = max(prev.score, c.score)
                continue
        merged.append(_Quote(c.passage, c.unit.start, c.unit.end, c.unit.text, c.score))
    return merged


_FIGURES = re.compile(
    r"\d+(\.\d+)?\s?%|\b\d[\d,]*\s(patients|studies|trials|people|days|attacks)\b|\bfewer\b",
    re.IGNORECASE,
)


def has_figures(text: str) -> bool:
    return bool(_FIGURES.search(text))


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_BULLET = re.compile(r"^\s*(?:[-*+•●▪◦–]|\d{1,3}[.)])\s+|^\s+")


def _split_blocks(quotes: Sequence[_Quote]) -> list[_Quote]:
    """A quote that spans blank lines (a lead-in and its list) as one quote per block, so the
    answer keeps them together, in order, without a blank line inside a quote."""
    out: list[_Quote] = []
    for q in quotes:
        if not _BLANK_LINE.search(q.text):
            out.append(q)
            continue
        cursor = 0
        for part in [*_BLANK_LINE.finditer(q.text), None]:
            end = part.start() if part is not None else len(q.text)
            piece = q.text[cursor:end]
            lead = _BULLET.match(piece)
            skip = lead.end() if lead else 0
            body = piece[skip:].rstrip()
            if body:
                start = q.start + cursor + skip
                out.append(_Quote(q.passage, start, start + len(body), body, q.score))
            cursor = part.end() if part is not None else len(q.text)
    return out


def corpus_has(index: Any, text: str) -> bool:
    """Whether every content word of ``text`` occurs in the BM25 index's chunks."""
    words = terms(text)
    if not words or not getattr(index, "chunk_ids", None):
        return False
    n = len(index.chunk_ids)
    unseen = math.log(1.0 + (n + 0.5) / 0.5)
    return all(index.idf(t) < unseen - 1e-9 for t in words)
