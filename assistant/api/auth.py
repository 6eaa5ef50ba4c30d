"""The gate in front of every request under ``/api/``: bearer key, per-key rate limit,
failed-authentication delay per client address, and request-body limit.

All of it is enforced by :class:`ApiKeyMiddleware`, before the body is read, so that a request
without a valid key learns nothing else. The limits are counted in a shared storage
(:mod:`assistant.ratelimit`), so several workers and nodes can enforce one limit together.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.api.errors import error
from assistant.keys import KeyRing
from assistant.ratelimit import MinuteLimit, RateLimitStorageError

log = logging.getLogger(__name__)

RATE_LIMIT_STORAGE_RETRY_AFTER_S = 5
"""Retry-After of a 503 when the rate-limit storage cannot be reached."""

# Declares the scheme in the OpenAPI document ("Authorize" in /docs); the check itself is done
# by ApiKeyMiddleware, which also covers unknown paths and bodies that are not JSON.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key, sent as 'Authorization: Bearer KEY': one in ASSISTANT_API_KEYS, or "
    "one whose SHA-256 digest is in ASSISTANT_API_KEY_HASHES.",
)


def is_api_path(path: str) -> bool:
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


def _retry_later(wait: float, code: str, message: str) -> JSONResponse:
    """A 429 whose message and Retry-After header give the wait in whole seconds."""
    retry_after = max(1, math.ceil(wait))
    headers = {"Retry-After": str(retry_after)}
    return error(429, code, f"{message} Retry in {retry_after} s.", headers)


class ApiKeyMiddleware:
    """Bearer-key check, per-key rate limit, failed-authentication delay per client address
    and request-body limit, for every request under ``/api/``.

    ``auth_failures`` counts failed authentications per address: once it is full, every
    request from that address is refused (429), even with a correct key, until the oldest
    failure is a minute old; the refused requests do not count as failures.
    """

    def __init__(
        self,
        app: ASGIApp,
        keys: Sequence[str] | KeyRing,
        limiter: MinuteLimit,
        auth_failures: MinuteLimit | None = None,
        max_body: int | None = None,
        offload: bool = False,
    ) -> None:
        self.app = app
        self.offload = offload
        """Check in a worker thread: the limits' storage is reached over the network."""
        self._keys = keys if isinstance(keys, KeyRing) else KeyRing(list(keys))
        self.limiter = limiter
        self.auth_failures = auth_failures
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_api_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        try:
            if self.offload:
                response = await run_in_threadpool(self._refuse, scope)
            else:
                response = self._refuse(scope)
        except RateLimitStorageError as exc:
            log.error("rate-limit storage unavailable: %s", exc)
            response = error(
                503,
                "rate_limit_unavailable",
                "The rate-limit storage cannot be reached; try again shortly.",
                {"Retry-After": str(RATE_LIMIT_STORAGE_RETRY_AFTER_S)},
            )
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
                    return error(413, "too_large", self._too_large_message())
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
            return error(
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
                return _retry_later(
                    wait,
                    "too_many_failed_attempts",
                    "Too many failed authentications from this address (the limit is "
                    f"{self.auth_failures.per_minute} a minute).",
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
            return error(
                401, "unauthorized", "Missing API key: send 'Authorization: Bearer KEY'.", challenge
            )
        if scheme.lower() != "bearer" or not token:
            self._failed(address)
            return error(
                401,
                "unauthorized",
                "Malformed Authorization header: expected 'Authorization: Bearer KEY'.",
                challenge,
            )
        client = self._keys.match(token.encode("latin-1"))
        if client is None:
            self._failed(address)
            return error(401, "unauthorized", "Invalid API key.", challenge)
        wait = self.limiter.hit(client)
        if wait is not None:
            return _retry_later(
                wait,
                "rate_limited",
                f"Too many requests: the limit is {self.limiter.per_minute} per minute per key.",
            )
        scope.setdefault("state", {})["api_client"] = client
        return None

    def _failed(self, address: str) -> None:
        if self.auth_failures is not None:
            self.auth_failures.hit(address)
