"""Several worker processes on one data folder: does the first question after an ingest, asked
in every worker at once, build the new version's BM25 index safely?

Each worker's ``LexicalIndexCache`` builds the index of a version it has not seen and saves it
under ``data/bm25/v<version>``. Here ``processes`` processes do that at the same moment (a
barrier), repeatedly, and we count the ones that fail and whether the folder left behind loads.
"""

from __future__ import annotations

import multiprocessing as mp
import shutil
import time
from pathlib import Path
from typing import Any

from .common import KNOWLEDGE, Say


def _worker(data: str, version: int, barrier: Any, out: Any) -> None:
    from assistant.index.catalogue import Catalogue
    from assistant.index.lexical import LexicalIndexCache

    catalogue = Catalogue(Path(data) / "catalogue.sqlite3")
    cache = LexicalIndexCache(Path(data) / "bm25")
    barrier.wait(timeout=120)
    try:
        index = cache.get(version, catalogue.iter_visible_chunks)
        out.put(("ok", len(index.chunk_ids)))
    except Exception as exc:
        out.put(("error", f"{type(exc).__name__}: {exc}"[:200]))
    finally:
        catalogue.close()


def race(data: Path, version: int, processes: int, trials: int) -> dict[str, Any]:
    from assistant.index.lexical import BM25Index

    ctx = mp.get_context("spawn")
    errors: list[str] = []
    unloadable = 0
    for _ in range(trials):
        shutil.rmtree(data / "bm25", ignore_errors=True)
        barrier = ctx.Barrier(processes)
        out = ctx.Queue()
        procs = [
            ctx.Process(target=_worker, args=(str(data), version, barrier, out))
            for _ in range(processes)
        ]
        for p in procs:
            p.start()
        results = [out.get(timeout=300) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        errors += [msg for status, msg in results if status == "error"]
        try:
            BM25Index.load(data / "bm25" / f"v{version}")
        except Exception:
            unloadable += 1
    return {
        "processes": processes,
        "trials": trials,
        "failed_builds": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "unloadable_after": unloadable,
    }


def run(opts: dict[str, Any], work: Path, say: Say) -> dict[str, Any]:
    from assistant.embedding import make_embedder
    from assistant.service import Assistant
    from assistant.settings import Settings

    from .latency import FillerWriter

    work.mkdir(parents=True, exist_ok=True)
    data = work / "index"
    settings = Settings(knowledge_dir=KNOWLEDGE, data_dir=data)
    assistant = Assistant(settings, embedder=make_embedder(settings))
    try:
        assistant.ingest()
        chunks = FillerWriter(assistant, 0, say).add_until(1000 if opts["quick"] else 10_000)
        version = assistant.catalogue.index_version()
    finally:
        assistant.close()
    say(f"workers: {chunks} chunks; racing BM25 builds of version {version}")
    t0 = time.perf_counter()
    result = race(
        data, version, processes=2 if opts["quick"] else 4, trials=3 if opts["quick"] else 8
    )
    result.update({"chunks": chunks, "seconds": round(time.perf_counter() - t0, 1)})
    say(
        f"workers: {result['failed_builds']} failed builds, {result['unloadable_after']} "
        f"unloadable folders in {result['trials']} trials"
    )
    return result
