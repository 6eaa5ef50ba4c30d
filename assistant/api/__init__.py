"""The staff HTTP API: a thin JSON adapter over :class:`assistant.service.Assistant`.

Everything under ``/api/`` needs ``Authorization: Bearer KEY`` (keys from ASSISTANT_API_KEYS,
or their SHA-256 digests from ASSISTANT_API_KEY_HASHES) and is rate-limited per key; a client
address that fails authentication too often is made to wait. Both limits are counted in the
storage that ASSISTANT_RATE_LIMIT_STORAGE names (this process by default; a Redis shared by
every worker and node). All of this is enforced by :class:`ApiKeyMiddleware`, before the body
is read, so that a request without a valid key learns nothing else.

The modules: :mod:`~assistant.api.models` (wire schemas; ``AskResponse`` is the service's
``Answer`` plus the ``answer_id`` that feedback refers to), :mod:`~assistant.api.auth` (keys and
limits), :mod:`~assistant.api.errors` (every error as JSON) and :mod:`~assistant.api.routes`.
Text fields must be well-formed Unicode, and every size is bounded: bad input is a 4xx, never
a 500.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI

from assistant.api.auth import ApiKeyMiddleware, max_body_bytes
from assistant.api.errors import install_error_handlers
from assistant.api.routes import API_PREFIX, add_api_fallback, probes, router, sse_events
from assistant.keys import ConfiguredKey, KeyRing, parse_key_hashes
from assistant.ratelimit import DEFAULT_STORAGE, MinuteLimit, open_storage, scheme_of

__all__ = ["API_PREFIX", "ApiKeyMiddleware", "install_api", "max_body_bytes", "sse_events"]


def install_api(
    app: FastAPI,
    keys: Sequence[str],
    rate_limit_per_minute: int,
    key_hashes: str | Sequence[ConfiguredKey] | None = None,
    auth_failures_before_delay: int | None = None,
    max_body: int | None = None,
    rate_limit_storage: str | None = None,
) -> None:
    """Routes, probes, error handlers, key check, rate limit, failed-authentication delay and
    body limit, on ``app``.

    ``key_hashes`` (ASSISTANT_API_KEY_HASHES), ``auth_failures_before_delay``, ``max_body``
    and ``rate_limit_storage`` (ASSISTANT_RATE_LIMIT_STORAGE) default to what
    ``app.state.settings`` says, when the app has settings. A malformed ``key_hashes`` or an
    unknown storage scheme raises ValueError, naming the entry: the server does not start.
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
    if rate_limit_storage is None:
        rate_limit_storage = getattr(settings, "rate_limit_storage", None) or DEFAULT_STORAGE
    storage = open_storage(rate_limit_storage)
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(probes)
    add_api_fallback(app)
    app.add_middleware(
        ApiKeyMiddleware,
        keys=KeyRing(list(keys), hashed),
        limiter=MinuteLimit(rate_limit_per_minute, storage, "api-key"),
        auth_failures=(
            MinuteLimit(auth_failures_before_delay, storage, "auth-failure")
            if auth_failures_before_delay
            else None
        ),
        max_body=max_body,
        offload=scheme_of(rate_limit_storage) != "memory",
    )
