"""Scale out: a Chroma server holding up to a million vectors; latency and recall of HNSW.

The vectors are derived from real embeddings of the corpus (random convex mixes of three real
sentence or chunk embeddings plus small noise, renormalised: see ``corpus.mixed_vectors``), not
uniform random points, which would make nearest-neighbour search unrealistically hard and
meaningless. The queries are the real embeddings of the eval suite's questions. Recall@10 is
measured against exact search (numpy brute force over the same vectors).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index.vector_store import HNSW_CONFIG, ChromaStore

from .common import Say, chroma_server, percentiles, retry_while_locked, rss_of_tree_kb
from .corpus import filler_docs, mixed_vectors, questions, sentence_pool

BATCH = 5000
EF_SWEEP = (100, 200, 400, 800, 1600)


def _dir_size_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def exact_top_k(vectors: np.ndarray, queries: np.ndarray, k: int, block: int = 100_000) -> Any:
    """Indexes of the ``k`` most similar rows of ``vectors`` for each query (brute force)."""
    best_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_ids = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, len(vectors), block):
        sims = queries @ vectors[start : start + block].T
        top = np.argpartition(-sims, min(k, sims.shape[1] - 1), axis=1)[:, :k]
        scores = np.take_along_axis(sims, top, axis=1)
        all_scores = np.concatenate([best_scores, scores], axis=1)
        all_ids = np.concatenate([best_ids, top + start], axis=1)
        keep = np.argsort(-all_scores, axis=1)[:, :k]
        best_scores = np.take_along_axis(all_scores, keep, axis=1)
        best_ids = np.take_along_axis(all_ids, keep, axis=1)
    return best_ids


def run(
    embedder: Any,
    size: int,
    work: Path,
    say: Say,
    real_chunks: int = 600,
    queries_n: int = 200,
    ef_sweep: tuple[int, ...] = EF_SWEEP,
    keep: bool = False,
    reuse: bool = False,
) -> dict[str, Any]:
    """Fill a Chroma server with ``size`` vectors, then time queries and measure recall@10."""
    rng = np.random.default_rng(7)
    pool = sentence_pool()
    say(f"scale: embedding {len(pool)} sentences and {real_chunks} filler chunks for real")
    texts = [d.text(pool) for d in filler_docs(real_chunks, len(pool), seed=11)]
    base = np.concatenate([embedder.embed(pool), embedder.embed(texts)]).astype(np.float32)
    qs = questions()[:queries_n]
    query_vectors = embedder.embed(qs)

    say(f"scale: deriving {size:,} vectors from {len(base)} real embeddings")
    vectors = _derived_vectors(base, size, rng)

    path = work / "chroma-scale"
    shutil.rmtree(path, ignore_errors=True)
    result: dict[str, Any] = {
        "vectors": size,
        "queries": len(qs),
        "hnsw_config": dict(HNSW_CONFIG),
        "real_embeddings_in_base": len(base),
        "vector_source": "random convex mixes of 3 real embeddings (sentences and chunks of "
        "the corpus) + Gaussian noise (sd 0.02), renormalised",
    }
    log = work / "chroma-scale.log"
    added = work / "chroma-scale-added.json"
    with chroma_server(path, log) as server:
        store = ChromaStore("scale", host=server.host, port=server.port)
        store.ping()
        if reuse and added.exists() and store.count() == size:
            # The same seed gives the same vectors: a kept collection can be measured again.
            result.update(json.loads(added.read_text(encoding="utf-8")))
            result["reused_collection"] = True
            say(f"scale: reusing the kept collection of {size:,} vectors")
        else:
            _add(store, vectors, say, result)
            added.write_text(
                json.dumps({k: result[k] for k in ("add_seconds", "add_vectors_per_s")}),
                encoding="utf-8",
            )
        result["count"] = store.count()
        result["hnsw_config"] = dict(store._get().configuration["hnsw"])
        say("scale: querying")

        exact = exact_top_k(vectors, query_vectors, 10)
        t0 = time.perf_counter()
        for q in query_vectors[:20]:
            _ = exact_top_k(vectors, q.reshape(1, -1), 10)
        result["exact_numpy_ms_per_query"] = round((time.perf_counter() - t0) * 1000 / 20, 1)

        lat10, recall = _measure(store, query_vectors, exact, 10)
        lat60, _ = _measure(store, query_vectors, exact, 60)
        result["query_k10_ms"] = lat10
        result["query_k60_ms"] = lat60
        result["recall_at_10"] = round(recall, 4)
        result["server_rss_mb"] = round(rss_of_tree_kb(server.proc.pid) / 1024, 1)
        say(f"scale: recall@10 {recall:.3f}, k=10 p50 {lat10['p50']} ms p95 {lat10['p95']} ms")
    result["disk_mb"] = _dir_size_mb(path)

    _sweep_ef(path, log, query_vectors, exact, ef_sweep, result, say)
    if keep:  # put the configured value back for the next run
        _set_ef_search(path, log, result["hnsw_config"]["ef_search"])
    else:
        shutil.rmtree(path, ignore_errors=True)
        added.unlink(missing_ok=True)
    return result


def _derived_vectors(base: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` vectors mixed from ``base``, made 50,000 at a time."""
    vectors = np.empty((size, base.shape[1]), dtype=np.float32)
    for start in range(0, size, 50_000):
        n = min(50_000, size - start)
        vectors[start : start + n] = mixed_vectors(base, n, rng)
    return vectors


def _set_ef_search(path: Path, log: Path, ef: int) -> None:
    """Store ``ef`` as the collection's ef_search, read when a server next loads the index."""
    with chroma_server(path, log) as server:
        store = ChromaStore("scale", host=server.host, port=server.port)
        collection = store._get()
        retry_while_locked(lambda: collection.modify(configuration={"hnsw": {"ef_search": ef}}))


def _sweep_ef(
    path: Path,
    log: Path,
    query_vectors: np.ndarray,
    exact: np.ndarray,
    ef_sweep: tuple[int, ...],
    result: dict[str, Any],
    say: Say,
) -> None:
    """Recall@10 and latency at each ef_search of ``ef_sweep`` into ``result["ef_sweep"]``,
    next to the configured one measured already."""
    # ef_search is read when the server loads the index: changing it needs a restart, which
    # also gives the time to load a collection of this size from disk.
    configured = result["hnsw_config"]["ef_search"]
    lat10 = result["query_k10_ms"]
    sweep = [
        {
            "ef_search": configured,
            "recall_at_10": result["recall_at_10"],
            "p50": lat10["p50"],
            "p95": lat10["p95"],
        }
    ]
    for ef in ef_sweep:
        if ef == configured:
            continue
        _set_ef_search(path, log, ef)
        t0 = time.perf_counter()
        with chroma_server(path, log) as server:
            store = ChromaStore("scale", host=server.host, port=server.port)
            store.query(query_vectors[0], 10)  # the first query loads the index
            result.setdefault("server_restart_first_query_s", round(time.perf_counter() - t0, 1))
            lat, rec = _measure(store, query_vectors, exact, 10, rounds=1)
        sweep.append(
            {"ef_search": ef, "recall_at_10": round(rec, 4), "p50": lat["p50"], "p95": lat["p95"]}
        )
        say(f"scale: ef_search {ef}: recall@10 {rec:.3f}, p95 {lat['p95']:.1f} ms")
    result["ef_sweep"] = sorted(sweep, key=lambda row: row["ef_search"])


def _add(store: ChromaStore, vectors: np.ndarray, say: Say, result: dict[str, Any]) -> None:
    size = len(vectors)
    started = progress_at = time.perf_counter()
    for start in range(0, size, BATCH):
        stop = min(size, start + BATCH)
        ids_range = range(start, stop)
        ids = [f"c{i:08d}" for i in ids_range]
        metas = [{"doc_id": f"d{i // 4:07d}", "source_kind": "other"} for i in ids_range]
        store.upsert(ids, vectors[start:stop], metas, ["" for _ in ids])
        if time.perf_counter() - progress_at > 30:
            progress_at = time.perf_counter()
            rate = stop / (progress_at - started)
            say(f"scale: {stop:,}/{size:,} vectors added ({rate:,.0f}/s)")
    add_s = time.perf_counter() - started
    result["add_seconds"] = round(add_s, 1)
    result["add_vectors_per_s"] = round(size / add_s, 1)
    say(f"scale: {size:,} vectors added in {add_s:.0f} s")


def _measure(
    store: ChromaStore, queries: np.ndarray, exact: np.ndarray, k: int, rounds: int = 2
) -> tuple[dict[str, float], float]:
    """Latency percentiles of ``store.query`` (warm) and mean recall@10 against ``exact``."""
    for q in queries[:20]:
        store.query(q, k)
    times, hits = [], []
    for r in range(rounds):
        for i, q in enumerate(queries):
            t = time.perf_counter()
            got = store.query(q, k)
            times.append((time.perf_counter() - t) * 1000)
            if r == 0 and k >= 10:
                found = {int(cid[1:]) for cid, _ in got[:10]}
                hits.append(len(found & set(exact[i].tolist())) / 10)
    return percentiles(times), float(np.mean(hits)) if hits else float("nan")
