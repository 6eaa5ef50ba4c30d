"""Every error of the staff API is JSON of the :class:`ErrorResponse` shape; bad input is a
4xx, never a 500."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.api.models import ErrorResponse
from assistant.audit import UnknownEntryError, is_storage_full
from assistant.errors import (
    AssistantError,
    IndexUnavailableError,
    InvalidQuestionError,
    StorageFullError,
)
from assistant.validation import clean_text

log = logging.getLogger(__name__)

STORAGE_RETRY_AFTER_S = 30
"""Retry-After of a 503 for a full disk."""

CLOSE = {"Connection": "close"}
"""Sent with every 500: after an unexpected error the connection is not reused."""


def _clean(value: Any) -> Any:
    """``value`` with every string made encodable: an error message may quote bad input."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """A JSON error response: ``{"error": code, "message": message, ...extra}``."""
    body = ErrorResponse(error=code, message=message, **extra).model_dump(exclude_none=True)
    return JSONResponse(_clean(body), status_code=status, headers=headers)


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
            return error(
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
    return error(422, "invalid_request", message, details=details)


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
    return error(
        exc.status_code,
        _CODES.get(exc.status_code, "error"),
        str(exc.detail),
        dict(exc.headers) if exc.headers else None,
    )


async def _on_assistant_error(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, InvalidQuestionError):
        return error(422, "invalid_question", str(exc))
    if isinstance(exc, IndexUnavailableError):
        return error(
            503,
            "index_unavailable",
            f"The search index is unavailable: {exc}. Try again shortly.",
            {"Retry-After": "5"},
        )
    if isinstance(exc, UnknownEntryError):
        return error(404, "unknown_answer", str(exc))
    if isinstance(exc, StorageFullError):
        return _storage_full(exc)
    log.exception("assistant error", exc_info=exc)
    return error(500, "assistant_error", str(exc), CLOSE)


def _storage_full(exc: Exception) -> JSONResponse:
    return error(503, "storage_full", str(exc), {"Retry-After": str(STORAGE_RETRY_AFTER_S)})


async def _on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    if is_storage_full(exc):  # e.g. a full disk met outside the audit log's own checks
        log.error("storage full: %s", exc)
        return _storage_full(
            StorageFullError(
                "The request could not be completed: the server's disk is full. Try again later."
            )
        )
    log.exception("unexpected error", exc_info=exc)
    return error(500, "internal_error", "Internal error; it has been logged.", CLOSE)


def install_error_handlers(app: FastAPI) -> None:
    """Every error is JSON of the ErrorResponse shape; bad input is 4xx, never 500."""
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(AssistantError, _on_assistant_error)
    app.add_exception_handler(Exception, _on_unexpected)
