"""Wire schemas of the staff API.

They reuse the core types of :mod:`assistant.types` wherever the wire carries the same thing:
a request turn is a :class:`~assistant.types.Turn`, a listed document a
:class:`~assistant.types.DocumentInfo`, a source kind a :class:`~assistant.types.SourceKind`,
an answer an :class:`~assistant.types.Answer`. Request models are strict: a number where text
belongs, or a misspelt field, is an error the caller should see.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, Strict

from assistant.audit import FeedbackRecord
from assistant.types import Answer, DocumentInfo, Passage, SourceKind, Turn
from assistant.validation import unicode_problem

MAX_OFFSET = 1_000_000_000
"""Largest ``offset`` accepted by /conversations (a database integer cannot hold any size)."""


def _well_formed(value: Any) -> Any:
    # Before the str validation (whose constraints would say less): other types pass to it.
    if isinstance(value, str):
        problem = unicode_problem(value)
        if problem:
            raise ValueError(problem)
    return value


Text = Annotated[str, BeforeValidator(_well_formed)]
"""A string of well-formed Unicode (a lone surrogate such as JSON's "\\ud800" is a 422)."""

_STRICT = ConfigDict(strict=True, extra="forbid")

Kind = Annotated[SourceKind, Strict(False)]
"""A :class:`SourceKind` by its value: the one string in a request that names an enum member."""


class _Request(BaseModel):
    model_config = _STRICT


class TurnIn(Turn):
    """One earlier turn of the conversation."""

    model_config = _STRICT

    content: Text


class AskRequest(_Request):
    """A question, with the conversation so far (oldest turn first)."""

    question: Text = Field(description="The question; at most max_question_chars characters.")
    history: list[TurnIn] | None = Field(
        default=None,
        description="Earlier turns; at most max_history_turns, with at most max_history_chars "
        "characters of content in all.",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"question": "Does the M.I.G.O.N.E. procedure work?"},
                {
                    "question": "How long does it take?",
                    "history": [
                        {"role": "user", "content": "What is the M.I.G.O.N.E. procedure?"},
                        {"role": "assistant", "content": "The clinic's own marketing page ..."},
                    ],
                },
            ]
        }
    )


class AskResponse(Answer):
    """The service's Answer, plus the id under which it was logged."""

    answer_id: str | None = Field(
        default=None,
        description="Audit-log id of this answer: give it to POST /api/v1/feedback. "
        "Null only if the audit log could not be written.",
    )

    @classmethod
    def of(cls, answer: Answer, answer_id: str | None) -> AskResponse:
        return cls(**answer.model_dump(), answer_id=answer_id)


class SearchRequest(_Request):
    query: Text
    k: int | None = Field(default=None, ge=1, le=50, description="Passages to return.")
    source_kind: Kind | list[Kind] | None = Field(
        default=None, description="Only passages from documents of this kind (or kinds)."
    )

    def source_kinds(self) -> list[str] | None:
        """The kinds asked for; None for any."""
        if self.source_kind is None:
            return None
        if isinstance(self.source_kind, SourceKind):
            return [self.source_kind.value]
        return [k.value for k in self.source_kind] or None


class PassageOut(BaseModel):
    """A retrieved passage, flat: its document's fields, its chunk's and its ranking."""

    doc_id: str
    title: str
    url: str | None
    publisher: str | None
    source_kind: str
    chunk_id: str
    text: str
    heading_path: list[str]
    start: int
    end: int
    page: int | None
    score: float
    rank: int
    dense_score: float | None
    lexical_score: float | None

    @classmethod
    def of(cls, p: Passage) -> PassageOut:
        return cls(
            **p.doc.model_dump(include={"doc_id", "title", "url", "publisher", "source_kind"}),
            **p.chunk.model_dump(include={"chunk_id", "text", "start", "end", "page"}),
            heading_path=list(p.chunk.heading_path),
            score=p.score,
            rank=p.rank,
            dense_score=p.dense_score,
            lexical_score=p.lexical_score,
        )


class SearchResponse(BaseModel):
    query: str
    passages: list[PassageOut]


class DocumentOut(DocumentInfo):
    """An indexed document, as the catalogue keeps it."""


class SourcesResponse(BaseModel):
    index_version: int
    documents: list[DocumentOut]


class FeedbackRequest(_Request):
    answer_id: Text = Field(
        validation_alias=AliasChoices("answer_id", "entry_id"),
        max_length=64,
        description="The answer_id of an answer (its conversation-log entry id); "
        "'entry_id' is accepted as another name.",
    )
    helpful: bool
    reason: Text | None = Field(default=None, max_length=2000)


class FeedbackOut(BaseModel):
    feedback_id: int
    answer_id: str
    helpful: bool
    reason: str | None
    interface: str
    created_at: datetime

    @classmethod
    def of(cls, record: FeedbackRecord) -> FeedbackOut:
        """The wire form of stored feedback: the record as it is, its ids named as the API
        names them and its time made aware (stored times are naive UTC)."""
        fields = asdict(record)
        return cls(
            feedback_id=fields.pop("id"),
            answer_id=fields.pop("entry_id"),
            created_at=fields.pop("created_at").replace(tzinfo=UTC),
            **fields,
        )


class ConversationEntry(BaseModel):
    id: str
    created_at: datetime
    interface: str
    client: str | None = Field(
        description="Fingerprint of the API key used ('key-...'), after the key's name and a "
        "'/' when its ASSISTANT_API_KEY_HASHES entry has one; null for the UI."
    )
    question: str | None
    standalone_question: str | None
    status: str
    answer: str
    citations: list[dict[str, Any]]
    caveat: str | None
    efficacy_question: bool | None
    index_version: str | None
    generator: str | None
    prompt_version: str | None
    latency_ms: float
    feedback: list[FeedbackOut]

    @classmethod
    def of(cls, row: dict[str, Any]) -> ConversationEntry:
        """The wire form of an audit-log row, as :meth:`AuditLog.entries` gives it."""
        feedback = [FeedbackOut.of(FeedbackRecord(**f)) for f in row["feedback"]]
        fields = {**row, "created_at": row["created_at"].replace(tzinfo=UTC)}
        return cls(**fields | {"feedback": feedback})


class ConversationsPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ConversationEntry]


class ErrorResponse(BaseModel):
    error: str = Field(description="A stable code, e.g. 'unauthorized' or 'invalid_request'.")
    message: str = Field(description="What is wrong, in words.")
    details: list[dict[str, Any]] | None = None


class HealthResponse(BaseModel):
    status: Literal["ok"]


class ReadyResponse(BaseModel):
    status: Literal["ready"]
    index_version: int
    documents: int
