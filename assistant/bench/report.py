"""Render ``bench/report.md`` (and its SVG charts) from the results of the benchmark parts.

The key figures come from :mod:`assistant.bench.report_checks`, the ingestion and latency
sections from :mod:`assistant.bench.report_sections`; the scale-out, workers and load sections
are here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.bench.report_checks import TARGETS, Part, checks, load_label, num, result
from assistant.bench.report_sections import (
    chart,
    ingest_section,
    latency_section,
    measured,
    row,
    table,
    units_section,
)

__all__ = ["TARGETS", "checks", "write_report"]


def write_report(data: dict[str, Any], out: Path) -> Path:
    """Write ``out/report.md`` and ``out/charts/*.svg``; returns the report's path."""
    charts = out / "charts"
    charts.mkdir(parents=True, exist_ok=True)
    parts = data.get("parts", {})
    lines: list[str] = [
        "# Benchmarks",
        "",
        "Written by `assistant bench` from `bench/results.json` (the latest run of each part). "
        "Every figure that matters is compared with a floor measured in the same run. Nothing "
        "here is asserted in the test suite: timings on a shared 2-core machine vary from run "
        "to run, so read ratios rather than absolute times.",
        "",
        "## Key figures",
        "",
    ]
    marks = {True: "met", False: "**missed**", None: ""}
    lines += table(
        ("what", "measured", "target", "floor (same run)", ""),
        (row(c["what"], c["value"], c["target"], c["floor"], marks[c["ok"]]) for c in checks(data)),
    )
    lines += ingest_section(parts.get("ingest"), charts)
    lines += latency_section(parts.get("latency"), charts)
    lines += units_section(parts.get("units"))
    lines += _scale_section(parts.get("scale"), charts)
    lines += _workers_section(parts.get("workers"))
    lines += _load_section(parts.get("load"), charts)
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _scale_section(part: Part | None, charts: Path) -> list[str]:
    r = result(part)
    lines = ["## 3. Scale out: a Chroma server with many vectors", "", measured(part), ""]
    if not r:
        return lines
    k10, k60 = r["query_k10_ms"], r["query_k60_ms"]
    figures = [
        row(
            "vectors added",
            f"{r['count']:,} in {r['add_seconds']:,.0f} s ({r['add_vectors_per_s']:,.0f}/s, "
            "batches of 5,000 through `ChromaStore.upsert`)",
        ),
        row(
            "query k=10 p50 / p95 / p99",
            f"{k10['p50']:.1f} / {k10['p95']:.1f} / {k10['p99']:.1f} ms",
        ),
        row(
            "query k=60 p50 / p95 (what the retriever asks)",
            f"{k60['p50']:.1f} / {k60['p95']:.1f} ms",
        ),
        row("recall@10 against exact search", f"**{r['recall_at_10']:.3f}**"),
        row("exact search with numpy, per query", f"{r['exact_numpy_ms_per_query']:.0f} ms"),
        row("server resident memory", f"{r['server_rss_mb']:,.0f} MB"),
        row("on disk", f"{r['disk_mb']:,.0f} MB"),
    ]
    if r.get("server_restart_first_query_s") is not None:
        figures.append(
            row(
                "server restart to first answer (index loaded from disk)",
                f"{r['server_restart_first_query_s']:.1f} s",
            )
        )
    lines += [
        f"{r['vectors']:,} vectors in one collection of a `chroma run` server on 127.0.0.1, "
        f"created with `HNSW_CONFIG` = `{r['hnsw_config']}`. Vectors: {r['vector_source']}; "
        f"{r['real_embeddings_in_base']} real embeddings in the base. Queries: the real "
        f"embeddings of {r['queries']} eval questions, through `ChromaStore.query` over HTTP "
        "(warm, 2 rounds). Recall@10 is against exact search (numpy brute force over the same "
        "vectors).",
        "",
        *table(("figure", "value"), figures),
    ]
    return lines + _ef_sweep(r, charts)


def _ef_sweep(r: dict[str, Any], charts: Path) -> list[str]:
    sweep = r.get("ef_sweep", [])
    if not sweep:
        return []
    return [
        "`ef_search` is read when the server loads the index, so each value below was set "
        "with `collection.modify` and the server restarted before measuring (a `modify` "
        "alone does not change a loaded index: measured).",
        "",
        *table(
            ("ef_search", "recall@10", "p50 ms", "p95 ms"),
            (
                row(
                    s["ef_search"], f"{s['recall_at_10']:.3f}", f"{s['p50']:.1f}", f"{s['p95']:.1f}"
                )
                for s in sweep
            ),
        ),
        *chart(
            charts,
            "scale-recall",
            "Recall by ef_search",
            f"recall@10 at {r['vectors']:,} vectors by ef_search",
            [str(s["ef_search"]) for s in sweep],
            {"recall@10": [s["recall_at_10"] for s in sweep]},
            "recall@10",
            target=0.95,
        ),
    ]


def _load_section(part: Part | None, charts: Path) -> list[str]:
    r = result(part)
    lines = ["## 4. API under load", "", measured(part), ""]
    if not r:
        return lines
    runs = [*r.get("runs", []), *r.get("server_runs", [])]
    lines += [
        "`assistant serve --workers N` on 127.0.0.1 over the knowledge base "
        f"({r['chunks']} chunks), `POST /api/v1/ask` with a bearer key, questions drawn from "
        "the eval suite, rate limit set out of the way. The load client (asyncio + httpx, one "
        "process) runs on the same 2 cores as the server, so it takes CPU from it.",
        "",
        *table(
            (
                "workers",
                "clients",
                "seconds",
                "answers",
                "answers/s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "errors",
                "server RSS MB",
            ),
            (
                row(
                    load_label(x),
                    x["clients"],
                    f"{x['seconds']:.0f}",
                    f"{x['ok']:,}",
                    f"{x['throughput_rps']:.1f}",
                    *(f"{x['latency_ms'][k]:.0f}" for k in ("p50", "p95", "p99")),
                    x["error_count"],
                    num(x.get("rss_mb"), 0),
                )
                for x in runs
            ),
        ),
    ]
    if runs:
        labels = [load_label(x) for x in runs]
        latency = {k: [x["latency_ms"][k] for x in runs] for k in ("p50", "p95", "p99")}
        lines += chart(
            charts,
            "load",
            "API latency under load",
            "API under load: latency",
            labels,
            latency,
            "ms",
        )
        lines += chart(
            charts,
            "load-throughput",
            "API throughput under load",
            "API under load: throughput",
            labels,
            {"answers/s": [x["throughput_rps"] for x in runs]},
            "answers/s",
        )
    return lines


def _workers_section(part: Part | None) -> list[str]:
    r = result(part)
    lines = ["### Several workers on one data folder", "", measured(part), ""]
    if not r:
        return lines
    lines += [
        "The first question after an ingest makes each worker build the new version's BM25 "
        f"index. {r['processes']} processes did that at the same moment (a barrier) over "
        f"{r['chunks']:,} chunks, {r['trials']} times: {r['failed_builds']} builds failed and "
        f"{r['unloadable_after']} saved folders did not load afterwards.",
        "",
    ]
    if r.get("error_examples"):
        lines += ["Errors seen:", ""] + [f"- `{e}`" for e in r["error_examples"]] + [""]
    lines += [
        "Freshness across processes is covered by `tests/test_workers.py`: with a Chroma "
        "server, readers answer from the new version (and find the new vectors) on their next "
        "question after an ingest commits; with embedded Chroma, an open process keeps the HNSW "
        "index it loaded and misses vectors added by another process until it restarts.",
        "",
    ]
    return lines
