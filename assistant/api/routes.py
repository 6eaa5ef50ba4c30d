"""The routes of the staff API (under ``/api/v1``) and the probes (``/healthz``, ``/readyz``)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Security
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.sse import format_sse_event

from assistant.api.auth import bearer_scheme
from assistant.api.errors import error
from assistant.api.models import (
    MAX_OFFSET,
    AskRequest,
    AskResponse,
    ConversationEntry,
    ConversationsPage,
    DocumentOut,
    ErrorResponse,
    FeedbackOut,
    FeedbackRequest,
    HealthResponse,
    PassageOut,
    ReadyResponse,
    SearchRequest,
    SearchResponse,
    SourcesResponse,
)
from assistant.audited import AuditedAssistant
from assistant.errors import StorageFullError
from assistant.types import Answer, StreamStatus

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


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
        "description": "The vector store or the rate-limit storage cannot be reached, or the "
        "disk is full; see Retry-After.",
    }
}
_STORAGE: dict[int | str, dict[str, Any]] = {
    503: {
        "model": ErrorResponse,
        "description": "The disk is full, or the rate-limit storage cannot be reached; see "
        "Retry-After.",
    }
}

router = APIRouter(
    prefix=API_PREFIX, dependencies=[Security(bearer_scheme)], responses=_ERRORS, tags=["staff"]
)


def _client(request: Request) -> str | None:
    return getattr(request.state, "api_client", None)


def _history(body: AskRequest) -> list[dict[str, str]]:
    return [t.model_dump() for t in body.history or []]


@router.post("/ask", response_model=AskResponse, responses=_UNAVAILABLE)
def ask(body: AskRequest, request: Request, backend: Backend) -> AskResponse:
    """Answer a question from the sources, with citations and, for efficacy questions, the
    evidence-status caveat."""
    answer, answer_id = backend.ask(body.question, _history(body), "api", client=_client(request))
    return AskResponse.of(answer, answer_id)


StreamEvents = Iterator[StreamStatus | str | tuple[Answer, str | None]]


def _event(name: str, data: Any) -> bytes:
    return format_sse_event(event=name, data_str=json.dumps(data, ensure_ascii=False))


def _final_events(answer: Answer, answer_id: str | None, sent: list[str]) -> Iterator[bytes]:
    payload = AskResponse.of(answer, answer_id).model_dump(mode="json")
    if "".join(sent) != payload["answer"]:
        # A fallback or a guardrail changed the text: the final text supersedes.
        yield _event("replace", {"text": payload["answer"]})
    # The plain-language lead, shown above the answer; known once it is final.
    yield _event("summary", {"summary": payload["summary"], "language": payload["language"]})
    yield _event("citations", {"citations": payload["citations"]})
    yield _event("caveat", {"caveat": payload["caveat"], "evidence": payload["evidence"]})
    yield _event("answer", payload)


def sse_events(events: StreamEvents) -> Iterator[bytes]:
    """Server-sent events of one streamed answer, in order: status, delta..., [replace],
    summary, citations, caveat, answer (or error, if something fails after the stream began)."""
    sent: list[str] = []
    try:
        for item in events:
            if isinstance(item, StreamStatus):
                yield _event("status", item.model_dump(mode="json"))
            elif isinstance(item, str):
                sent.append(item)
                yield _event("delta", {"text": item})
            else:
                yield from _final_events(*item, sent)
    except StorageFullError as exc:
        yield _event("error", {"error": "storage_full", "message": str(exc)})
    except Exception:
        log.exception("streamed answer failed after it began")
        yield _event(
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
    # Checks the question and retrieves now: bad input and an unreachable index are JSON errors.
    events = backend.ask_stream(body.question, _history(body), "api", client=_client(request))
    return StreamingResponse(
        sse_events(events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.post("/search", response_model=SearchResponse)
def search(body: SearchRequest, backend: Backend) -> SearchResponse:
    """Ranked passages for a query (hybrid retrieval), without composing an answer."""
    passages = backend.assistant.search(body.query, body.k, body.source_kinds())
    return SearchResponse(query=body.query, passages=[PassageOut.of(p) for p in passages])


@router.get("/sources", response_model=SourcesResponse)
def sources(backend: Backend) -> SourcesResponse:
    """The indexed documents with their metadata and chunk counts, and the index version."""
    a = backend.assistant
    return SourcesResponse(
        index_version=a.index_version(),
        documents=[DocumentOut(**d.model_dump()) for d in a.sources()],
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
    return FeedbackOut.of(record)


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
    items = [ConversationEntry.of(row) for row in rows]
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
        return error(
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
            return error(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed on {request.url.path}; use {', '.join(allowed)}.",
                {"Allow": ", ".join(allowed)},
            )
        return error(404, "not_found", f"No API endpoint at {request.url.path}.")

    app.add_api_route(
        "/api/{path:path}",
        fallback,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
        include_in_schema=False,
    )
