"""The key figures of ``bench/report.md``: each target with its value, floor and verdict."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

TARGETS = {
    "ingest_ratio": 0.9,
    "int8_quality_ratio": 0.98,
    "rss_growth": 1.25,
    "p50_ms": 50.0,
    "p95_ms": 150.0,
    "p50_over_floor": 2.0,
    "cold_start_s": 10.0,
    "scale_p95_ms": 50.0,
    "scale_recall": 0.95,
}

Part = dict[str, Any]
Check = dict[str, Any]


def result(part: Part | None) -> dict[str, Any]:
    """The result of one benchmark part ({} when it has not run)."""
    return (part or {}).get("result") or {}


def num(value: Any, digits: int = 1) -> str:
    """A measured number for the report: thousands separated, "n/a" when missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def load_label(run: dict[str, Any]) -> str:
    """How the report names one load run: workers, Chroma mode, torch threads."""
    label = f"{run['workers']} worker{'s' if run['workers'] > 1 else ''}"
    env = run.get("env", {})
    label += ", Chroma server" if env.get("CHROMA_HOST") else ", embedded Chroma"
    if env.get("OMP_NUM_THREADS"):
        label += f", {env['OMP_NUM_THREADS']} torch thread each"
    return label


def _check(what: str, value: Any, target: str, ok: bool | None, floor: str = "") -> Check:
    return {"what": what, "value": value, "target": target, "ok": ok, "floor": floor}


def _ingest_throughput(r: dict[str, Any]) -> list[Check]:
    out = [
        _check(
            f"Ingest pipeline / raw encode ({row['embedder']})",
            f"{row['ratio']:.2f} ({num(row['pipeline_chunks_per_s'])} vs "
            f"{num(row['raw_chunks_per_s'])} chunks/s)",
            f">= {TARGETS['ingest_ratio']}",
            row["ratio"] >= TARGETS["ingest_ratio"],
            "raw encode, same texts, same run",
        )
        for row in r.get("throughput", [])
    ]
    quality = {q["embedder"]: q for q in r.get("quality", [])}
    if "minilm" in quality and "minilm-int8" in quality:
        for metric in ("hit_at_5", "mrr"):
            a, b = quality["minilm"].get(metric), quality["minilm-int8"].get(metric)
            if a and b is not None:
                out.append(
                    _check(
                        f"int8 / PyTorch {metric}",
                        f"{b / a:.3f} ({b:.3f} vs {a:.3f})",
                        f">= {TARGETS['int8_quality_ratio']}",
                        b / a >= TARGETS["int8_quality_ratio"],
                        "PyTorch model, same eval suite",
                    )
                )
    return out


def _ingest_memory(r: dict[str, Any]) -> list[Check]:
    out = []
    rss = r.get("rss", [])
    if rss and rss[-1].get("embed_only_peak_rss_mb"):
        big = rss[-1]
        out.append(
            _check(
                f"Peak RSS ingesting {big['documents']:,} documents: pipeline / embed-only",
                f"{big['pipeline_over_embed_only']:.2f} ({num(big['peak_rss_mb'])} vs "
                f"{num(big['embed_only_peak_rss_mb'])} MB)",
                f"<= {TARGETS['rss_growth']}",
                big["pipeline_over_embed_only"] <= TARGETS["rss_growth"],
                "embedding the same texts alone, streamed",
            )
        )
    if len(rss) >= 2:
        small, large = rss[0], rss[-1]
        growth = large["peak_rss_mb"] / small["peak_rss_mb"]
        out.append(
            _check(
                f"Peak RSS, {large['documents']:,} vs {small['documents']:,} documents",
                f"{growth:.2f} ({num(large['peak_rss_mb'])} vs {num(small['peak_rss_mb'])} MB)",
                "(information)",
                None,
                f"{small['documents']:,}-document run",
            )
        )
    large_file = r.get("rss_large_file")
    if large_file:
        out.append(
            _check(
                f"Peak RSS, one {large_file['file_mb']:,.1f} MB file vs "
                f"{large_file['small_files_documents']:,} documents",
                f"{large_file['over_small_files']:.2f} ({num(large_file['peak_rss_mb'])} vs "
                f"{num(large_file['small_files_peak_rss_mb'])} MB)",
                "(information)",
                None,
                f"{large_file['small_files_documents']:,}-document run",
            )
        )
    return out


def _latency(r: dict[str, Any]) -> list[Check]:
    out = []
    sizes = r.get("sizes", [])
    if sizes:
        big = sizes[-1]
        n = f"{big['chunks']:,} chunks"
        ask = big["ask_ms"]
        out += [
            _check(
                f"ask p50 at {n}",
                f"{ask['p50']:.1f} ms",
                "<= 50 ms",
                ask["p50"] <= TARGETS["p50_ms"],
            ),
            _check(
                f"ask p95 at {n}",
                f"{ask['p95']:.1f} ms",
                "<= 150 ms",
                ask["p95"] <= TARGETS["p95_ms"],
            ),
            _check(
                f"ask p50 / floor p50 at {n}",
                f"{big['p50_over_floor']:.2f} ({ask['p50']:.1f} vs "
                f"{big['floor_ms']['p50']:.1f} ms)",
                "<= 2",
                big["p50_over_floor"] <= TARGETS["p50_over_floor"],
                "1 query embedding + 1 Chroma query",
            ),
        ]
        if big.get("bm25_build_s"):
            out.append(
                _check(
                    f"BM25 start-up at {n}: load / build",
                    f"{big['bm25_load_s']:.2f} s vs {big['bm25_build_s']:.2f} s "
                    f"({big['bm25_load_s'] / big['bm25_build_s']:.2f})",
                    "load, not rebuild",
                    big["bm25_load_s"] < big["bm25_build_s"],
                    "build from the catalogue",
                )
            )
    return out + _cold_start(r)


def _cold_start(r: dict[str, Any]) -> list[Check]:
    out = []
    if r.get("cold_start_s"):
        best = min(r["cold_start_s"])
        out.append(
            _check(
                f"Cold start to first answer ({num(r.get('cold_start_chunks'))} chunks)",
                f"{best:.1f} s",
                "<= 10 s",
                best <= TARGETS["cold_start_s"],
            )
        )
    if r.get("cold_start_int8_s") is not None:
        out.append(
            _check(
                "Cold start, int8 embedder (start-up only, same index)",
                f"{r['cold_start_int8_s']:.1f} s",
                "<= 10 s",
                r["cold_start_int8_s"] <= TARGETS["cold_start_s"],
            )
        )
    return out


def _units(r: dict[str, Any]) -> list[Check]:
    """The extra ingest time and size of the unit vectors (information), and the answer
    latency with the units in use against the same targets as section 2."""
    out = []
    cost = r.get("ingest")
    if cost and cost.get("extra_time_ratio") is not None:
        out += [
            _check(
                "Unit vectors at ingest: unit sync / chunk ingest time",
                f"{cost['extra_time_ratio']:.2f} ({cost['unit_seconds']:.1f} vs "
                f"{cost['chunk_seconds']:.1f} s; {cost['units_per_chunk']:.2f} units/chunk, "
                f"{num(cost['units_per_s'])} units/s)",
                "(information)",
                None,
                "chunk embedding + writes, same corpus, same run",
            ),
            _check(
                "units.sqlite3 per 1k chunks",
                f"{num(cost['units_sqlite_mb_per_1k_chunks'], 2)} MB",
                "(information)",
                None,
                f"rest of the index {num(cost['index_mb_per_1k_chunks'], 2)} MB per 1k chunks",
            ),
        ]
    lat = r.get("latency") or {}
    for x in lat.get("rounds", []):
        n = f"{lat['chunks']:,} chunks with units ({x['round']})"
        out.append(
            _check(
                f"ask p95 at {n}",
                f"{x['ask_ms']['p95']:.1f} ms (p50 {x['ask_ms']['p50']:.1f} ms, "
                f"p50 / floor {x['p50_over_floor']:.2f})",
                "<= 150 ms",
                x["ask_ms"]["p95"] <= TARGETS["p95_ms"],
                "1 query embedding + 1 Chroma query",
            )
        )
    return out


def _scale(r: dict[str, Any]) -> list[Check]:
    if not r:
        return []
    n = f"{r['vectors']:,} vectors (server)"
    return [
        _check(
            f"Chroma query p95 (k=10) at {n}",
            f"{r['query_k10_ms']['p95']:.1f} ms",
            "<= 50 ms",
            r["query_k10_ms"]["p95"] <= TARGETS["scale_p95_ms"],
        ),
        _check(
            f"recall@10 at {n}",
            f"{r['recall_at_10']:.3f}",
            ">= 0.95",
            r["recall_at_10"] >= TARGETS["scale_recall"],
            "exact search (numpy)",
        ),
    ]


def _workers(r: dict[str, Any]) -> list[Check]:
    if not r:
        return []
    return [
        _check(
            f"BM25 builds raced by {r['processes']} processes ({r['trials']} trials)",
            f"{r['failed_builds']} failed, {r['unloadable_after']} unloadable",
            "0 failed",
            r["failed_builds"] == 0 and r["unloadable_after"] == 0,
        )
    ]


def _load(r: dict[str, Any]) -> list[Check]:
    out = []
    for run in [*r.get("runs", []), *r.get("server_runs", [])]:
        lat = run["latency_ms"]
        out.append(
            _check(
                f"API under load, {load_label(run)}",
                f"{run['throughput_rps']:.1f} answers/s; p50 {lat['p50']:.0f} / p95 "
                f"{lat['p95']:.0f} / p99 {lat['p99']:.0f} ms; {run['error_count']} errors of "
                f"{run['requests']:,}",
                "0 errors",
                run["error_count"] == 0,
                f"{run['clients']} clients, {run['seconds']:.0f} s",
            )
        )
    return out


_PARTS: tuple[tuple[str, Callable[[dict[str, Any]], list[Check]]], ...] = (
    ("ingest", _ingest_throughput),
    ("ingest", _ingest_memory),
    ("latency", _latency),
    ("units", _units),
    ("scale", _scale),
    ("workers", _workers),
    ("load", _load),
)


def checks(data: dict[str, Any]) -> list[Check]:
    """Each target with its measured value, floor and verdict (``ok`` None: not measured)."""
    parts = data.get("parts", {})
    return [check for name, part in _PARTS for check in part(result(parts.get(name)))]
