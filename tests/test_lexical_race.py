"""Several processes building the BM25 index of one new version at once (what N workers do on
their first question after an ingest) all succeed, and the saved index loads."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from assistant.index.lexical import BM25Index, LexicalIndexCache

ROWS = [
    (f"c{i}", "other", f"passage {i} about occipital nerve decompression {i % 7}")
    for i in range(3000)
]


def _build(folder: str, barrier: mp.synchronize.Barrier, out: mp.Queue) -> None:  # type: ignore[name-defined]
    try:
        barrier.wait(timeout=30)
        index = LexicalIndexCache(Path(folder)).get(7, lambda: ROWS)
        out.put(("ok", len(index.chunk_ids)))
    except Exception as exc:  # reported to the test, which fails on it
        out.put(("error", repr(exc)))


def test_lexical_cache__concurrent_builds_of_one_version_all_succeed(tmp_path: Path) -> None:
    folder = tmp_path / "bm25"
    (folder / "v3").mkdir(parents=True)  # an older version, to be cleaned up
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_build, args=(str(folder), barrier, out)) for _ in range(4)]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    assert results == [("ok", 3000)] * 4, results
    assert len(BM25Index.load(folder / "v7").chunk_ids) == 3000
    assert sorted(p.name for p in folder.iterdir()) == ["v7"]
