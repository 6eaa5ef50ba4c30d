"""Typed objects passed between the stages. No I/O here."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class SourceKind(StrEnum):
    """Who wrote a document, as shown next to every citation."""

    REFERENCE = "reference"
    CLINIC_MARKETING = "clinic-marketing"
    PRACTICE_BLOG = "practice-blog"
    CURATED_EVIDENCE = "curated-evidence"
    OTHER = "other"


class Span(_Frozen):
    """A half-open character range ``[start, end)`` in a document's text."""

    start: int
    end: int


class SourceDoc(_Frozen):
    """A document as loaded from ``knowledge/``, with its provenance."""

    doc_id: str
    title: str
    text: str
    url: str | None = None
    publisher: str | None = None
    source_kind: str = SourceKind.OTHER.value
    date: str | None = None
    path: str = ""
    pages: tuple[Span, ...] = ()
    """For PDFs: the text range of each page, page 1 first."""


class Chunk(_Frozen):
    """A contiguous piece of a document: ``doc.text[start:end] == text``."""

    chunk_id: str
    doc_id: str
    doc_hash: str
    ordinal: int
    text: str
    start: int
    end: int
    heading_path: tuple[str, ...] = ()
    sentences: tuple[Span, ...] = ()
    """Sentence ranges, in document offsets, computed at ingest."""
    page: int | None = None


class DocumentInfo(_Frozen):
    """What the catalogue keeps about an indexed document."""

    doc_id: str
    title: str
    url: str | None
    publisher: str | None
    source_kind: str
    date: str | None
    path: str
    content_hash: str
    chunk_count: int = 0


class Passage(_Frozen):
    """A retrieved chunk with its document and its place in the ranking."""

    chunk: Chunk
    doc: DocumentInfo
    score: float
    """Fused score (reciprocal rank fusion)."""
    rank: int
    dense_score: float | None = None
    """Cosine similarity to the query, when the dense retriever found it."""
    lexical_score: float | None = None


class Turn(_Frozen):
    """One earlier turn of a conversation."""

    role: Literal["user", "assistant"]
    content: str


# A conversation so far, as Turn models or their JSON objects ({role, content}).
History = Sequence[Turn | dict[str, Any]]

# The source kinds (``SourceKind`` values) a search is limited to; None: every kind.
SourceKinds = Sequence[str] | None


CITATION_MARKER = re.compile(r"\[(\d{1,3})\]")
"""The one syntax of a citation marker in answer text: ``[n]``, n the citation's number."""


def marker(n: int) -> str:
    """The marker of citation ``n``."""
    return f"[{n}]"


Status = Literal["answered", "no_evidence", "emergency", "urgent", "declined"]
"""``emergency``: call the emergency number now; ``urgent``: see a doctor today."""


class Citation(_Frozen):
    """A numbered quote from a retrieved passage, exact at its offsets in the source."""

    n: int
    doc_id: str
    chunk_id: str
    title: str
    url: str | None
    publisher: str | None
    source_kind: str
    quote: str
    start: int
    end: int
    score: float


class EvidenceStatus(_Frozen):
    """Evidence status of one procedure, from the evidence registry."""

    procedure: str
    tier: str
    summary: str
    references: tuple[str, ...] = ()


class Draft(_Frozen):
    """An answer as composed, before the guardrails and the citation check."""

    text: str
    citations: tuple[Citation, ...] = ()
    status: Status = "answered"
    generator: str = "extractive"

    @model_validator(mode="after")
    def _answered_has_text(self) -> Draft:
        if self.status == "answered" and not self.text.strip():
            raise ValueError("an answered draft must have text")
        return self


class StreamStatus(_Frozen):
    """The first event of a streamed answer: its status, known before any text is sent."""

    status: Status
    answer_id: str | None = None


class Answer(_Frozen):
    """What ``Assistant.ask`` returns; the JSON field names are a stable contract."""

    question: str
    standalone_question: str
    status: Status
    summary: str | None = Field(
        default=None,
        description="A plain-language lead for patients, shown before the answer: written from "
        "reviewed texts (registry verdicts, fixed messages), never invented at run time.",
    )
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    language: str = Field(
        default="en", description="Language of the question (en, es, fr, de, nl, pt, it)."
    )
    efficacy_question: bool = False
    caveat: str | None = None
    evidence: list[EvidenceStatus] = Field(default_factory=list)
    generator: str = "extractive"
    prompt_version: str | None = None
    index_version: str | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)


# What ``Assistant.ask_stream`` yields: a StreamStatus, then text pieces, then the Answer.
AnswerEvents = Iterator[StreamStatus | str | Answer]
