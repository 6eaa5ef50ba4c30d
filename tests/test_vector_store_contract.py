"""One contract for the VectorStore protocol, run against embedded Chroma and a `chroma run` server.

The server is a real ``chroma run`` process on a free loopback port, started by the fixture.
The server process is tests/helpers.py's ``ChromaServer``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import IndexUnavailableError
from assistant.index.vector_store import HNSW_CONFIG, ChromaStore, VectorStore
from tests.helpers import ChromaServer, free_port

DIM = 384


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    base = tmp_path_factory.mktemp("chroma-server")
    server = ChromaServer(base / "db", base / "chroma.log").start()
    try:
        yield server
    finally:
        server.stop()


StoreFactory = Callable[[str], VectorStore]


@pytest.fixture(
    params=[
        "embedded",
        pytest.param("server", marks=[pytest.mark.slow, pytest.mark.server]),
    ]
)
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """A factory of stores on one backend; the same name gives the same collection."""
    if request.param == "embedded":
        return lambda name: ChromaStore(name, path=tmp_path / "chroma")
    server: ChromaServer = request.getfixturevalue("chroma_server")
    prefix = f"t{abs(hash(request.node.nodeid)) % 10**8}"  # a fresh collection per test
    return lambda name: ChromaStore(f"{prefix}-{name}", host="127.0.0.1", port=server.port)


def unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def axis(i: int, j: int | None = None, w: float = 0.0) -> np.ndarray:
    v = np.zeros(DIM, dtype=np.float32)
    v[i] = 1.0
    if j is not None:
        v[j] = w
    return unit(v.reshape(1, -1))


def meta(doc: str, kind: str = "other", ordinal: int = 0) -> dict[str, str | int]:
    return {"doc_id": doc, "doc_hash": "h", "ordinal": ordinal, "source_kind": kind}


def fill(store: VectorStore, n: int = 3) -> None:
    vectors = np.concatenate([axis(i) for i in range(n)])
    store.upsert(
        [f"c{i}" for i in range(n)],
        vectors,
        [meta(f"d{i}", "reference" if i % 2 else "other", i) for i in range(n)],
        [f"text {i}" for i in range(n)],
    )


def test_contract__upsert_then_count_and_query_best_first(make_store: StoreFactory) -> None:
    store = make_store("basic")
    store.ping()
    assert store.count() == 0
    fill(store, 3)
    assert store.count() == 3
    hits = store.query(axis(1, 0, 0.5)[0], 3)
    assert [i for i, _ in hits] == ["c1", "c0", "c2"]
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == pytest.approx(1 / np.sqrt(1.25), abs=1e-4)  # cosine similarity
    assert scores[2] == pytest.approx(0.0, abs=1e-4)


def test_contract__exact_vector_scores_one(make_store: StoreFactory) -> None:
    store = make_store("exact")
    fill(store, 3)
    (best, score), *_ = store.query(axis(2)[0], 1)
    assert best == "c2"
    assert score == pytest.approx(1.0, abs=1e-4)


def test_contract__k_larger_than_count_returns_everything(make_store: StoreFactory) -> None:
    store = make_store("small")
    fill(store, 2)
    assert {i for i, _ in store.query(axis(0)[0], 50)} == {"c0", "c1"}


def test_contract__upsert_of_an_existing_id_replaces_it(make_store: StoreFactory) -> None:
    store = make_store("replace")
    fill(store, 3)
    store.upsert(["c0"], axis(5), [meta("d0", "reference")], ["moved"])
    assert store.count() == 3
    (best, score), *_ = store.query(axis(5)[0], 1)
    assert (best, round(score, 4)) == ("c0", 1.0)
    only_other = store.query(axis(5)[0], 3, {"source_kind": {"$in": ["other"]}})
    assert "c0" not in {i for i, _ in only_other}  # its metadata was replaced too


def test_contract__where_filter_on_source_kind(make_store: StoreFactory) -> None:
    store = make_store("filter")
    fill(store, 4)  # c1, c3 are "reference"
    hits = store.query(axis(0)[0], 4, {"source_kind": {"$in": ["reference"]}})
    assert {i for i, _ in hits} == {"c1", "c3"}
    hits = store.query(axis(0)[0], 4, {"source_kind": {"$in": ["reference", "other"]}})
    assert len(hits) == 4


def test_contract__existing_reports_only_stored_ids_in_batches(make_store: StoreFactory) -> None:
    store = make_store("existing")
    n = 1205  # more than one batch of 1,000
    rng = np.random.default_rng(0)
    ids = [f"x{i:05d}" for i in range(n)]
    store.upsert(ids, unit(rng.normal(size=(n, DIM))), [meta("d")] * n, [""] * n)
    asked = [*ids[::2], "missing-1", "missing-2"]
    assert store.existing(asked) == set(ids[::2])
    assert store.existing([]) == set()


def test_contract__delete_removes_and_ignores_unknown_ids(make_store: StoreFactory) -> None:
    store = make_store("delete")
    fill(store, 3)
    store.delete(["c1", "never-stored"])
    assert store.count() == 2
    assert store.existing(["c0", "c1", "c2"]) == {"c0", "c2"}
    assert "c1" not in {i for i, _ in store.query(axis(1)[0], 3)}
    store.delete([])
    assert store.count() == 2


def test_contract__empty_upsert_is_a_no_op(make_store: StoreFactory) -> None:
    store = make_store("empty")
    store.upsert([], np.zeros((0, DIM), dtype=np.float32), [], [])
    assert store.count() == 0


def test_contract__a_second_store_on_the_same_collection_sees_the_data(
    make_store: StoreFactory,
) -> None:
    fill(make_store("shared"), 3)
    other = make_store("shared")
    assert other.count() == 3
    assert other.query(axis(0)[0], 1)[0][0] == "c0"


def test_contract__collection_is_created_with_the_hnsw_settings(make_store: StoreFactory) -> None:
    store = make_store("hnsw")
    store.ping()
    assert isinstance(store, ChromaStore)
    hnsw = store._get().configuration["hnsw"]
    for key, value in HNSW_CONFIG.items():
        assert hnsw[key] == value, key


def test_contract__unreachable_server_raises_index_unavailable() -> None:
    store = ChromaStore("knowledge", host="127.0.0.1", port=free_port())
    with pytest.raises(IndexUnavailableError, match="cannot be reached"):
        store.ping()


@pytest.mark.slow
@pytest.mark.server
def test_contract__server_store_reconnects_after_a_restart(tmp_path: Path) -> None:
    server = ChromaServer(tmp_path / "db", tmp_path / "chroma.log").start()
    try:
        store = ChromaStore("restart", host="127.0.0.1", port=server.port)
        fill(store, 3)
        server.stop()
        with pytest.raises(IndexUnavailableError):
            store.query(axis(0)[0], 1)
        # The restarted server listens on the same port.
        restarted = ChromaServer(tmp_path / "db", tmp_path / "chroma.log", server.port)
        restarted.start()
        try:
            store.ping()
            assert store.count() == 3
            assert store.query(axis(0)[0], 1)[0][0] == "c0"
        finally:
            restarted.stop()
    finally:
        server.stop()


def test_contract__first_use_from_many_threads_at_once(make_store: StoreFactory) -> None:
    """The API's thread pool sends a fresh worker's first requests all at once."""
    import threading

    fill(make_store("threads"), 3)
    store = make_store("threads")  # not opened yet
    barrier = threading.Barrier(12)
    errors: list[BaseException] = []
    found: list[str] = []

    def first_query() -> None:
        barrier.wait(timeout=30)
        try:
            found.append(store.query(axis(0)[0], 1)[0][0])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=first_query) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors[:3]
    assert found == ["c0"] * 12


def _kinds_corpus(store: VectorStore, n: int = 300, rare: int = 2) -> np.ndarray:
    """``n`` vectors near axis 0; every fourth is "reference", and ``rare`` far ones are
    "curated-evidence"."""
    rng = np.random.default_rng(3)
    near = unit(axis(0) + 0.3 * rng.normal(size=(n, DIM)))
    far = unit(axis(1) + 0.3 * rng.normal(size=(rare, DIM)))
    kinds = ["reference" if i % 4 == 0 else "other" for i in range(n)]
    store.upsert(
        [f"n{i:04d}" for i in range(n)] + [f"r{i}" for i in range(rare)],
        np.concatenate([near, far]),
        [meta(f"d{i}", k) for i, k in enumerate(kinds)] + [meta("ev", "curated-evidence")] * rare,
        [""] * (n + rare),
    )
    return near


def test_contract__filtered_query_equals_brute_force_on_the_matching_rows(
    make_store: StoreFactory,
) -> None:
    store = make_store("kinds")
    near = _kinds_corpus(store)
    query = unit(axis(0) + 0.1 * np.random.default_rng(4).normal(size=(1, DIM)))[0]
    got = store.query(query, 10, {"source_kind": {"$in": ["reference"]}})
    refs = [i for i in range(len(near)) if i % 4 == 0]
    sims = near[refs] @ query
    want = [f"n{refs[j]:04d}" for j in np.argsort(-sims)[:10]]
    assert [i for i, _ in got] == want
    assert [s for _, s in got] == pytest.approx(sorted(sims, reverse=True)[:10], abs=1e-4)


def test_contract__filter_on_a_rare_kind_still_finds_it(make_store: StoreFactory) -> None:
    store = make_store("rare")
    _kinds_corpus(store)
    got = store.query(axis(0)[0], 5, {"source_kind": {"$in": ["curated-evidence"]}})
    assert sorted(i for i, _ in got) == ["r0", "r1"]
    got = store.query(axis(0)[0], 5, {"source_kind": "curated-evidence"})
    assert sorted(i for i, _ in got) == ["r0", "r1"]
