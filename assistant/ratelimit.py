"""Per-minute limits counted in a storage that every worker and node can share.

The counting is done by the ``limits`` package, with a moving one-minute window. The storage
is named by a URL (ASSISTANT_RATE_LIMIT_STORAGE): ``memory://`` counts in this process only;
``redis://HOST:PORT/DB`` counts in one Redis, so that all the workers and nodes that name it
enforce one limit together.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.errors import ConfigurationError, StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from assistant.errors import AssistantError

DEFAULT_STORAGE = "memory://"


class RateLimitStorageError(AssistantError):
    """The rate-limit storage (e.g. Redis) could not be reached or answered with an error."""


def open_storage(url: str = DEFAULT_STORAGE) -> Storage:
    """The storage named by ``url``; ValueError, naming the URL's scheme, if it is not one.

    Nothing is connected yet: an unreachable Redis is met by the first request.
    """
    try:
        storage = storage_from_string(url or DEFAULT_STORAGE, wrap_exceptions=True)
    except ConfigurationError as exc:
        raise ValueError(
            f"unusable rate-limit storage URL (scheme {scheme_of(url)!r}): {exc}"
        ) from exc
    if not isinstance(storage, Storage) or not hasattr(storage, "acquire_entry"):
        raise ValueError(
            f"the rate-limit storage {scheme_of(url)!r} cannot count a moving window here "
            "(use memory:// or redis://)"
        )
    return storage


def scheme_of(url: str) -> str:
    """The scheme of a storage URL, safe to show (a URL may carry a password)."""
    return url.partition("://")[0] or "(none)"


class MinuteLimit:
    """At most ``per_minute`` events per identifier in any sixty seconds.

    ``namespace`` keeps the counts of different limits apart in one storage.
    """

    def __init__(self, per_minute: int, storage: Storage, namespace: str) -> None:
        self.per_minute = per_minute
        self._item = RateLimitItemPerMinute(per_minute, namespace=namespace)
        self._limiter = MovingWindowRateLimiter(storage)

    def hit(self, identifier: str) -> float | None:
        """Count one event; None if it is within the limit, else the seconds to wait (the
        refused event is not counted)."""
        return self._check(self._limiter.hit, identifier)

    def wait(self, identifier: str) -> float | None:
        """None if one more event would be within the limit; else the seconds to wait.
        Nothing is counted."""
        return self._check(self._limiter.test, identifier)

    def _check(self, within: Callable[[RateLimitItem, str], bool], identifier: str) -> float | None:
        try:
            if within(self._item, identifier):
                return None
            return self._wait(identifier)
        except StorageError as exc:
            raise RateLimitStorageError(str(exc.storage_error)) from exc

    def _wait(self, identifier: str) -> float:
        """Seconds until the oldest event in the window is a minute old."""
        stats = self._limiter.get_window_stats(self._item, identifier)
        return max(0.0, stats.reset_time - time.time())
