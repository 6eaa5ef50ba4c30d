"""Rate limits counted in a shared storage: in this process by default, or in a real Redis
(``redis-server`` started on a free loopback port) that several workers share."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from assistant.ratelimit import MinuteLimit, RateLimitStorageError, open_storage
from assistant.server import create_app
from assistant.settings import Settings
from tests.helpers import KNOWLEDGE, MakeClient, ServerProcess, error_body, free_port
from tests.helpers import TEST_AUTH as AUTH
from tests.helpers import TEST_OTHER_KEY as OTHER_KEY

REDIS_SERVER = shutil.which("redis-server")


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A fresh redis-server on a free loopback port, its files in a temporary folder."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (scripts/test installs Debian's when root)")
    port = free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    args = [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder)]
    args += ["--save", "", "--appendonly", "no", "--protected-mode", "yes"]
    server = ServerProcess(args, {"PATH": "/usr/bin:/bin"}, folder / "redis.log").start()
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    try:
        server.wait_until(answers, 30, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        server.stop()


# ---- the limit itself -----------------------------------------------------------------------
@pytest.mark.parametrize("shared", ["memory", "redis"])
def test_minute_limit__counts_per_identifier_and_says_how_long_to_wait(
    shared: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("redis_url") if shared == "redis" else "memory://"
    limit = MinuteLimit(2, open_storage(url), "test")
    assert limit.hit("a") is None
    assert limit.wait("a") is None, "one more is still allowed"
    assert limit.hit("a") is None
    wait = limit.wait("a")
    assert wait is not None and 0 < wait <= 60
    refused = limit.hit("a")
    assert refused is not None and 0 < refused <= 60
    assert limit.hit("b") is None, "each identifier has its own count"
    assert MinuteLimit(2, open_storage(url), "other").hit("a") is None, "namespaces are apart"


def test_minute_limit__two_storages_on_one_redis_share_the_count(redis_url: str) -> None:
    first = MinuteLimit(3, open_storage(redis_url), "api-key")
    second = MinuteLimit(3, open_storage(redis_url), "api-key")
    assert first.hit("key-1") is None
    assert second.hit("key-1") is None
    assert first.hit("key-1") is None
    assert second.hit("key-1") is not None
    assert first.wait("key-1") is not None


def test_minute_limit__memory_storages_do_not_share() -> None:
    first = MinuteLimit(1, open_storage("memory://"), "api-key")
    second = MinuteLimit(1, open_storage("memory://"), "api-key")
    assert first.hit("key-1") is None
    assert second.hit("key-1") is None
    assert first.hit("key-1") is not None


def test_open_storage__an_unknown_scheme_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'nosuch'"):
        open_storage("nosuch://127.0.0.1/0")


def test_minute_limit__unreachable_redis_is_a_storage_error() -> None:
    limit = MinuteLimit(5, open_storage(f"redis://127.0.0.1:{free_port()}/0"), "api-key")
    with pytest.raises(RateLimitStorageError):
        limit.hit("key-1")


# ---- through the API ------------------------------------------------------------------------


@pytest.mark.slow
def test_api__two_workers_sharing_one_redis_enforce_one_limit(
    make_client: MakeClient, redis_url: str
) -> None:
    workers = [make_client(rate_limit_per_minute=3, rate_limit_storage=redis_url) for _ in range(2)]
    statuses = [w.get("/api/v1/sources", headers=AUTH).status_code for w in workers * 2]
    assert statuses == [200, 200, 200, 429], "three requests in all, whichever worker takes them"
    for worker in workers:
        refused = worker.get("/api/v1/sources", headers=AUTH)
        assert refused.status_code == 429
        body = error_body(refused)
        assert body["error"] == "rate_limited"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
    other = workers[1].get("/api/v1/sources", headers={"Authorization": f"Bearer {OTHER_KEY}"})
    assert other.status_code == 200, "each key has its own budget"


@pytest.mark.slow
def test_api__workers_in_memory_count_each_on_its_own(make_client: MakeClient) -> None:
    workers = [make_client(rate_limit_per_minute=1) for _ in range(2)]
    assert [w.get("/api/v1/sources", headers=AUTH).status_code for w in workers] == [200, 200]
    assert [w.get("/api/v1/sources", headers=AUTH).status_code for w in workers] == [429, 429]


@pytest.mark.slow
def test_api__failed_authentications_are_counted_across_workers(
    make_client: MakeClient, redis_url: str
) -> None:
    workers = [
        make_client(auth_failures_before_delay=2, rate_limit_storage=redis_url) for _ in range(2)
    ]
    wrong = {"Authorization": "Bearer not-a-key"}
    assert workers[0].get("/api/v1/sources", headers=wrong).status_code == 401
    assert workers[1].get("/api/v1/sources", headers=wrong).status_code == 401
    waited = workers[0].get("/api/v1/sources", headers=AUTH)
    assert waited.status_code == 429
    assert error_body(waited)["error"] == "too_many_failed_attempts"
    assert 1 <= int(waited.headers["retry-after"]) <= 60


@pytest.mark.slow
def test_api__unreachable_rate_limit_storage_is_a_503_with_retry_after(
    make_client: MakeClient,
) -> None:
    client = make_client(rate_limit_storage=f"redis://127.0.0.1:{free_port()}/0")
    response = client.get("/api/v1/sources", headers=AUTH)
    assert response.status_code == 503
    assert error_body(response)["error"] == "rate_limit_unavailable"
    assert response.headers["retry-after"] == "5"
    assert client.get("/healthz").status_code == 200, "the probes are not behind the limit"


def test_create_app__an_unknown_rate_limit_storage_stops_it(tmp_path: Path) -> None:
    settings = Settings(
        knowledge_dir=KNOWLEDGE,
        data_dir=tmp_path / "data",
        api_keys="k",
        rate_limit_storage="nosuch://x",
    )
    with pytest.raises(ValueError, match="rate-limit storage"):
        create_app(assistant=object(), settings=settings, ui=False)
