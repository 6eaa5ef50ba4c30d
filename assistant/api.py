"""The staff HTTP API: a thin JSON adapter over :class:`assistant.service.Assistant`.

Everything under ``/api/`` needs ``Authorization: Bearer KEY`` (keys from ASSISTANT_API_KEYS,
or their SHA-256 digests from ASSISTANT_API_KEY_HASHES) and is rate-limited per key; a client
address that fails authentication too often is made to wait. All of this is enforced by
:class:`ApiKeyMiddleware`, before the body is read, so that a request without a valid key
learns nothing else. The wire schemas are the models below; ``AskResponse`` is the service's
``Answer`` plus the ``answer_id`` that feedback refers to. Text fields must be well-formed
Unicode, and every size is bounded: bad input is a 4xx, never a 500.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from fastapi.sse import format_sse_event
from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.audit import UnknownEntryError, is_storage_full
from assistant.audited import AuditedAssistant
from assistant.errors import (
    AssistantError,
    IndexUnavailableError,
    InvalidQuestionError,
    StorageFullError,
)
from assistant.keys import ConfiguredKey, KeyRing, parse_key_hashes
from assistant.types import Answer, StreamStatus
from assistant.validation import clean_text, unicode_problem

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

MAX_OFFSET = 1_000_000_000
"""Largest ``offset`` accepted by /conversations (a database integer cannot hold any size)."""

STORAGE_RETRY_AFTER_S = 30
"""Retry-After of a 503 for a full disk."""

SourceKindName = Literal[
    "reference", "clinic-marketing", "practice-blog", "curated-evidence", "other"
]
"""The values of :class:`assistant.types.SourceKind`, spelled out for the OpenAPI schema."""


# ---- wire schemas --------------------------------------------------------------------------
def _well_formed(value: Any) -> Any:
    # Before the str validation (whose constraints would say less): other types pass to it.
    if isinstance(value, str):
        problem = unicode_problem(value)
        if problem:
            raise ValueError(problem)
    return value


Text = Annotated[str, BeforeValidator(_well_formed)]
"""A string of well-formed Unicode (a lone surrogate such as JSON's "\\ud800" is a 422)."""


class _Request(BaseModel):
    # Strict: a number where text belongs, or a misspelt field, is an error the caller should see.
    model_config = ConfigDict(strict=True, extra="forbid")


class TurnIn(_Request):
    """One earlier turn of the conversation."""

    role: Literal["user", "assistant"]
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


class SearchRequest(_Request):
    query: Text
    k: int | None = Field(default=None, ge=1, le=50, description="Passages to return.")
    source_kind: SourceKindName | list[SourceKindName] | None = Field(
        default=None, description="Only passages from documents of this kind (or kinds)."
    )


class PassageOut(BaseModel):
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


class SearchResponse(BaseModel):
    query: str
    passages: list[PassageOut]


class DocumentOut(BaseModel):
    doc_id: str
    title: str
    url: str | None
    publisher: str | None
    source_kind: str
    date: str | None
    path: str
    content_hash: str
    chunk_count: int


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


def _clean(value: Any) -> Any:
    """``value`` with every string made encodable: an error message may quote bad input."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = ErrorResponse(error=code, message=message, **extra).model_dump(exclude_none=True)
    return JSONResponse(_clean(body), status_code=status, headers=headers)


# ---- keys and rate limits -------------------------------------------------------------------
class RateLimiter:
    """Sliding one-minute window per key (or per client address), in this process."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Count a request; None if allowed, else the seconds to wait before the next one."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= 60.0:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return 60.0 - (now - hits[0])
            hits.append(now)
            return None


class AuthFailureLimiter:
    """Failed authentications per client address in a sliding minute, in this process.

    After ``allowed`` failures within a minute, the address must wait until the oldest of them
    is a minute old: every request from it is refused (429), even with a correct key, and the
    refused requests do not count as failures (so the wait does not grow while it is waited).
    """

    MAX_CLIENTS = 10_000
    """Addresses tracked before the idle ones are forgotten."""

    def __init__(self, allowed: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.allowed = allowed
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float] | None:
        failures = self._failures.get(client)
        if failures is None:
            return None
        while failures and now - failures[0] >= 60.0:
            failures.popleft()
        if not failures:
            del self._failures[client]
            return None
        return failures

    def wait(self, client: str) -> float | None:
        """None if ``client`` may try to authenticate; else the seconds it must wait."""
        now = self.clock()
        with self._lock:
            failures = self._recent(client, now)
            if failures is None or len(failures) < self.allowed:
                return None
            return 60.0 - (now - failures[0])

    def fail(self, client: str) -> None:
        """Count a failed authentication from ``client``."""
        now = self.clock()
        with self._lock:
            if len(self._failures) >= self.MAX_CLIENTS:
                for known in list(self._failures):
                    self._recent(known, now)
            self._failures.setdefault(client, deque()).append(now)


def _is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def _client_address(scope: Scope) -> str:
    """The peer address of the connection. X-Forwarded-For is not read: any client can set it."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def max_body_bytes(max_question_chars: int, max_history_chars: int, max_history_turns: int) -> int:
    """The largest request body any request to the API needs, with room to spare: each
    character may take 12 bytes in JSON ("\\ud83d\\ude00"), each turn its field names."""
    reason_chars = 2000
    return (
        65536
        + 12 * (max_question_chars + max_history_chars + reason_chars)
        + (64 * max_history_turns)
    )


class ApiKeyMiddleware:
    """Bearer-key check, per-key rate limit, failed-authentication delay per client address
    and request-body limit, for every request under ``/api/``."""

    def __init__(
        self,
        app: ASGIApp,
        keys: Sequence[str] | KeyRing,
        limiter: RateLimiter,
        auth_failures: AuthFailureLimiter | None = None,
        max_body: int | None = None,
    ) -> None:
        self.app = app
        self._keys = keys if isinstance(keys, KeyRing) else KeyRing(list(keys))
        self.limiter = limiter
        self.auth_failures = auth_failures
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_api_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        response = self._refuse(scope)
        if response is not None:
            await response(scope, receive, send)
            return
        if self.max_body is not None:
            response = self._too_large(scope)
            if response is not None:
                await response(scope, receive, send)
                return
            receive = self._limited(receive)
        await self.app(scope, receive, send)

    def _too_large_message(self) -> str:
        return (
            f"The request body is larger than {self.max_body} bytes, more than any request to "
            "this API needs (see max_question_chars and max_history_chars)."
        )

    def _too_large(self, scope: Scope) -> JSONResponse | None:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    return None  # the server refuses such a request itself
                if self.max_body is not None and length > self.max_body:
                    return _error(413, "too_large", self._too_large_message())
        return None

    def _limited(self, receive: Receive) -> Receive:
        received = 0

        async def limited() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if self.max_body is not None and received > self.max_body:
                    # Raised while the route reads the body: a JSON 413 by the error handler.
                    raise StarletteHTTPException(413, self._too_large_message())
            return message

        return limited

    def _refuse(self, scope: Scope) -> JSONResponse | None:
        challenge = {"WWW-Authenticate": 'Bearer realm="api"'}
        if not self._keys:
            return _error(
                401,
                "api_disabled",
                "The staff API is disabled because ASSISTANT_API_KEYS is not set on the server "
                "(nor ASSISTANT_API_KEY_HASHES). Set one of them and restart.",
                challenge,
            )
        address = _client_address(scope)
        if self.auth_failures is not None:
            wait = self.auth_failures.wait(address)
            if wait is not None:
                retry_after = max(1, math.ceil(wait))
                return _error(
                    429,
                    "too_many_failed_attempts",
                    "Too many failed authentications from this address (the limit is "
                    f"{self.auth_failures.allowed} a minute). Retry in {retry_after} s.",
                    {"Retry-After": str(retry_after)},
                )
        raw = b""
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                raw = value
                break
        header = raw.decode("latin-1")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if not header:
            return _error(
                401, "unauthorized", "Missing API key: send 'Authorization: Bearer KEY'.", challenge
            )
        if scheme.lower() != "bearer" or not token:
            self._failed(address)
            return _error(
                401,
                "unauthorized",
                "Malformed Authorization header: expected 'Authorization: Bearer KEY'.",
                challenge,
            )
        client = self._keys.match(token.encode("latin-1"))
        if client is None:
            self._failed(address)
            return _error(401, "unauthorized", "Invalid API key.", challenge)
        wait = self.limiter.hit(client)
        if wait is not None:
            retry_after = max(1, math.ceil(wait))
            return _error(
                429,
                "rate_limited",
                f"Too many requests: the limit is {self.limiter.per_minute} per minute per key. "
                f"Retry in {retry_after} s.",
                {"Retry-After": str(retry_after)},
            )
        scope.setdefault("state", {})["api_client"] = client
        return None

    def _failed(self, address: str) -> None:
        if self.auth_failures is not None:
            self.auth_failures.fail(address)


# Declares the scheme in the OpenAPI document ("Authorize" in /docs); the check itself is done
# by ApiKeyMiddleware, which also covers unknown paths and bodies that are not JSON.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key, sent as 'Authorization: Bearer KEY': one in ASSISTANT_API_KEYS, or "
    "one whose SHA-256 digest is in ASSISTANT_API_KEY_HASHES.",
)


# ---- error handlers -------------------------------------------------------------------------
def _loc(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        where, parts = parts[0], parts[1:]
        return ".".join(parts) or where
    return ".".join(parts) or "body"


_UNICODE_MSG = "Input is not well-formed Unicode text (it contains a lone surrogate)"


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    for e in errors:
        if e.get("type") == "json_invalid":
            reason = (e.get("ctx") or {}).get("error", "JSON decode error")
            return _error(
                400,
                "invalid_json",
                f"The request body is not valid JSON: {reason} at character {e['loc'][-1]}.",
            )
    details = [
        {
            "loc": _loc(e["loc"]),
            "msg": _UNICODE_MSG if e["type"] == "string_unicode" else e["msg"],
            "type": e["type"],
        }
        for e in errors
    ]
    message = "; ".join(f"{d['loc']}: {d['msg']}" for d in details) or "Invalid request."
    return _error(422, "invalid_request", message, details=details)


_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


async def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return _error(
        exc.status_code,
        _CODES.get(exc.status_code, "error"),
        str(exc.detail),
        dict(exc.headers) if exc.headers else None,
    )


async def _on_assistant_error(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, InvalidQuestionError):
        return _error(422, "invalid_question", str(exc))
    if isinstance(exc, IndexUnavailableError):
        return _error(
            503,
            "index_unavailable",
            f"The search index is unavailable: {exc}. Try again shortly.",
            {"Retry-After": "5"},
        )
    if isinstance(exc, UnknownEntryError):
        return _error(404, "unknown_answer", str(exc))
    if isinstance(exc, StorageFullError):
        return _storage_full(exc)
    log.exception("assistant error", exc_info=exc)
    return _error(500, "assistant_error", str(exc), _CLOSE)


def _storage_full(exc: Exception) -> JSONResponse:
    return _error(503, "storage_full", str(exc), {"Retry-After": str(STORAGE_RETRY_AFTER_S)})


_CLOSE = {"Connection": "close"}
"""Sent with every 500: after an unexpected error the connection is not reused."""


async def _on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    if is_storage_full(exc):  # e.g. a full disk met outside the audit log's own checks
        log.error("storage full: %s", exc)
        return _storage_full(
            StorageFullError(
                "The request could not be completed: the server's disk is full. Try again later."
            )
        )
    log.exception("unexpected error", exc_info=exc)
    return _error(500, "internal_error", "Internal error; it has been logged.", _CLOSE)


def install_error_handlers(app: FastAPI) -> None:
    """Every error is JSON of the ErrorResponse shape; bad input is 4xx, never 500."""
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(AssistantError, _on_assistant_error)
    app.add_exception_handler(Exception, _on_unexpected)


# ---- routes ---------------------------------------------------------------------------------
def get_backend(request: Request) -> AuditedAssistant:
    """The audited service of this app (set in the app factory)."""
    return request.app.state.backend  # type: ignore[no-any-return]


Backend = Annotated[AuditedAssistant, Depends(get_backend)]

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Missing or wrong API key, or none configured."},
    413: {
        "model": ErrorResponse,
        "description": "The request body is larger than any request to this API needs.",
    },
    422: {
        "model": ErrorResponse,
        "description": "The request is malformed or the question cannot be accepted (empty, "
        "too long, too much history, text that is not well-formed Unicode, wrong types).",
    },
    429: {
        "model": ErrorResponse,
        "description": "Rate limit exceeded, or too many failed authentications from this "
        "address; see Retry-After.",
    },
}
_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {
        "model": ErrorResponse,
        "description": "The vector store cannot be reached, or the disk is full; see Retry-After.",
    }
}
_STORAGE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorResponse, "description": "The disk is full; see Retry-After."}
}

router = APIRouter(
    prefix=API_PREFIX, dependencies=[Security(bearer_scheme)], responses=_ERRORS, tags=["staff"]
)


def _client(request: Request) -> str | None:
    return getattr(request.state, "api_client", None)


def _ask(backend: AuditedAssistant, body: AskRequest, request: Request) -> AskResponse:
    history = [t.model_dump() for t in body.history or []]
    answer, answer_id = backend.ask(body.question, history, "api", client=_client(request))
    return AskResponse(**answer.model_dump(), answer_id=answer_id)


@router.post("/ask", response_model=AskResponse, responses=_UNAVAILABLE)
def ask(body: AskRequest, request: Request, backend: Backend) -> AskResponse:
    """Answer a question from the sources, with citations and, for efficacy questions, the
    evidence-status caveat."""
    return _ask(backend, body, request)


StreamEvents = Iterator[StreamStatus | str | tuple[Answer, str | None]]


def sse_events(events: StreamEvents) -> Iterator[bytes]:
    """Server-sent events of one streamed answer, in order: status, delta..., [replace],
    citations, caveat, answer (or error, if something fails after the stream began)."""

    def event(name: str, data: Any) -> bytes:
        return format_sse_event(event=name, data_str=json.dumps(data, ensure_ascii=False))

    sent: list[str] = []
    try:
        for item in events:
            if isinstance(item, StreamStatus):
                yield event("status", item.model_dump(mode="json"))
            elif isinstance(item, str):
                sent.append(item)
                yield event("delta", {"text": item})
            else:
                answer, answer_id = item
                payload = AskResponse(**answer.model_dump(), answer_id=answer_id).model_dump(
                    mode="json"
                )
                if "".join(sent) != payload["answer"]:
                    # A fallback or a guardrail changed the text: the final text supersedes.
                    yield event("replace", {"text": payload["answer"]})
                # The plain-language lead, shown above the answer; known once it is final.
                yield event(
                    "summary", {"summary": payload["summary"], "language": payload["language"]}
                )
                yield event("citations", {"citations": payload["citations"]})
                yield event(
                    "caveat", {"caveat": payload["caveat"], "evidence": payload["evidence"]}
                )
                yield event("answer", payload)
    except StorageFullError as exc:
        yield event("error", {"error": "storage_full", "message": str(exc)})
    except Exception:
        log.exception("streamed answer failed after it began")
        yield event(
            "error",
            {"error": "internal", "message": "The answer could not be completed; please retry."},
        )


@router.post(
    "/ask/stream",
    responses={
        200: {
            "description": "Server-sent events, in this order: `status` {status, answer_id} "
            "(known before any text); `delta` {text} (repeated: the text as it is composed; "
            "with a generator, one verified sentence at a time, a sentence that fails "
            "verification is never sent); `replace` {text} only when the final text differs "
            "from the deltas joined (a generated answer fell back to the extractive one): the "
            "final text supersedes them; `summary` {summary, language}: the plain-language "
            "lead to show above the answer; `citations` {citations}; `caveat` {caveat, evidence}; "
            "and last `answer`, the full AskResponse. If the answer fails after the stream "
            "began, an `error` {error, message} event ends it.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **_UNAVAILABLE,
    },
)
def ask_stream(body: AskRequest, request: Request, backend: Backend) -> StreamingResponse:
    """Like /ask, as server-sent events. Errors (bad input, index unavailable) come back as
    JSON before any event is sent."""
    history = [t.model_dump() for t in body.history or []]
    # Checks the question and retrieves now: bad input and an unreachable index are JSON errors.
    events = backend.ask_stream(body.question, history, "api", client=_client(request))
    return StreamingResponse(
        sse_events(events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.post("/search", response_model=SearchResponse)
def search(body: SearchRequest, backend: Backend) -> SearchResponse:
    """Ranked passages for a query (hybrid retrieval), without composing an answer."""
    kinds: list[str] | None
    if body.source_kind is None:
        kinds = None
    elif isinstance(body.source_kind, str):
        kinds = [body.source_kind]
    else:
        kinds = list(body.source_kind) or None
    passages = backend.assistant.search(body.query, body.k, kinds)
    return SearchResponse(
        query=body.query,
        passages=[
            PassageOut(
                doc_id=p.doc.doc_id,
                title=p.doc.title,
                url=p.doc.url,
                publisher=p.doc.publisher,
                source_kind=p.doc.source_kind,
                chunk_id=p.chunk.chunk_id,
                text=p.chunk.text,
                heading_path=list(p.chunk.heading_path),
                start=p.chunk.start,
                end=p.chunk.end,
                page=p.chunk.page,
                score=p.score,
                rank=p.rank,
                dense_score=p.dense_score,
                lexical_score=p.lexical_score,
            )
            for p in passages
        ],
    )


@router.get("/sources", response_model=SourcesResponse)
def sources(backend: Backend) -> SourcesResponse:
    """The indexed documents with their metadata and chunk counts, and the index version."""
    a = backend.assistant
    return SourcesResponse(
        index_version=a.index_version(),
        documents=[DocumentOut(**d.model_dump()) for d in a.sources()],
    )


def _feedback_out(record: Any) -> FeedbackOut:
    return FeedbackOut(
        feedback_id=record.id,
        answer_id=record.entry_id,
        helpful=record.helpful,
        reason=record.reason,
        interface=record.interface,
        created_at=record.created_at.replace(tzinfo=UTC),
    )


@router.post(
    "/feedback",
    response_model=FeedbackOut,
    status_code=201,
    responses={
        404: {"model": ErrorResponse, "description": "No answer with this id."},
        **_STORAGE,
    },
)
def feedback(body: FeedbackRequest, backend: Backend) -> FeedbackOut:
    """Record whether an answer helped, with an optional reason."""
    record = backend.audit.add_feedback(body.answer_id, body.helpful, body.reason, "api")
    return _feedback_out(record)


@router.get("/conversations", response_model=ConversationsPage)
def conversations(
    backend: Backend,
    limit: Annotated[int, Query(ge=1, le=500, description="Entries per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Entries to skip.")] = 0,
    since: Annotated[
        datetime | None,
        Query(
            description="Only entries at or after this time (ISO 8601; UTC if no offset is given)."
        ),
    ] = None,
    until: Annotated[datetime | None, Query(description="Only entries before this time.")] = None,
) -> ConversationsPage:
    """The audit log of answers served, newest first, with the feedback on each."""
    rows, total = backend.audit.entries(limit=limit, offset=offset, since=since, until=until)
    items = []
    for row in rows:
        fb = [
            FeedbackOut(
                feedback_id=f["id"],
                answer_id=f["entry_id"],
                helpful=f["helpful"],
                reason=f["reason"],
                interface=f["interface"],
                created_at=f["created_at"].replace(tzinfo=UTC),
            )
            for f in row.pop("feedback")
        ]
        row["created_at"] = row["created_at"].replace(tzinfo=UTC)
        items.append(ConversationEntry(**row, feedback=fb))
    return ConversationsPage(total=total, limit=limit, offset=offset, items=items)


probes = APIRouter(tags=["probes"])


@probes.get("/healthz", response_model=HealthResponse)
def healthz() -> HealthResponse:
    """The process is up."""
    return HealthResponse(status="ok")


@probes.get(
    "/readyz",
    response_model=ReadyResponse,
    responses={503: {"model": ErrorResponse, "description": "Index missing or unreachable."}},
)
def readyz(backend: Backend) -> ReadyResponse | JSONResponse:
    """The index is built and the vector store answers."""
    a = backend.assistant
    version = a.index_version()
    if version == 0:
        return _error(
            503,
            "index_missing",
            "No index has been built yet: run 'assistant ingest'.",
            {"Retry-After": "5"},
        )
    a.store.ping()  # IndexUnavailableError -> 503 via the handler
    return ReadyResponse(status="ready", index_version=version, documents=len(a.sources()))


def add_api_fallback(app: FastAPI) -> None:
    """JSON 404/405 for unknown paths under /api/; without it they would reach the UI mount."""

    async def fallback(request: Request, path: str) -> JSONResponse:
        allowed = sorted(
            {
                method
                for route in router.routes
                if isinstance(route, APIRoute) and route.path_regex.match(request.url.path)
                for method in route.methods or ()
            }
        )
        if allowed:
            return _error(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed on {request.url.path}; use {', '.join(allowed)}.",
                {"Allow": ", ".join(allowed)},
            )
        return _error(404, "not_found", f"No API endpoint at {request.url.path}.")

    app.add_api_route(
        "/api/{path:path}",
        fallback,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
        include_in_schema=False,
    )


def install_api(
    app: FastAPI,
    keys: Sequence[str],
    rate_limit_per_minute: int,
    key_hashes: str | Sequence[ConfiguredKey] | None = None,
    auth_failures_before_delay: int | None = None,
    max_body: int | None = None,
) -> None:
    """Routes, probes, error handlers, key check, rate limit, failed-authentication delay and
    body limit, on ``app``.

    ``key_hashes`` (ASSISTANT_API_KEY_HASHES), ``auth_failures_before_delay`` and ``max_body``
    default to what ``app.state.settings`` says, when the app has settings. A malformed
    ``key_hashes`` raises ValueError, naming the entry: the server does not start.
    """
    settings = getattr(app.state, "settings", None)
    if key_hashes is None:
        key_hashes = getattr(settings, "api_key_hashes", "") or ""
    hashed = parse_key_hashes(key_hashes) if isinstance(key_hashes, str) else list(key_hashes)
    if auth_failures_before_delay is None and settings is not None:
        auth_failures_before_delay = settings.auth_failures_before_delay
    if max_body is None and settings is not None:
        max_body = max_body_bytes(
            settings.max_question_chars, settings.max_history_chars, settings.max_history_turns
        )
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(probes)
    add_api_fallback(app)
    app.state.rate_limiter = RateLimiter(rate_limit_per_minute)
    app.state.auth_failures = (
        AuthFailureLimiter(auth_failures_before_delay) if auth_failures_before_delay else None
    )
    app.add_middleware(
        ApiKeyMiddleware,
        keys=KeyRing(list(keys), hashed),
        limiter=app.state.rate_limiter,
        auth_failures=app.state.auth_failures,
        max_body=max_body,
    )
