"""Render ``bench/report.md`` (and its SVG charts) from the results of the benchmark parts."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from assistant.charts import bar_chart

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


def _r(part: dict[str, Any] | None) -> dict[str, Any]:
    return (part or {}).get("result") or {}


def _num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def checks(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its measured value, floor and verdict (``ok`` None: not measured)."""
    parts = data.get("parts", {})
    out: list[dict[str, Any]] = []

    def add(what: str, value: Any, target: str, ok: bool | None, floor: str = "") -> None:
        out.append({"what": what, "value": value, "target": target, "ok": ok, "floor": floor})

    ingest = _r(parts.get("ingest"))
    for row in ingest.get("throughput", []):
        add(
            f"Ingest pipeline / raw encode ({row['embedder']})",
            f"{row['ratio']:.2f} ({_num(row['pipeline_chunks_per_s'])} vs "
            f"{_num(row['raw_chunks_per_s'])} chunks/s)",
            f">= {TARGETS['ingest_ratio']}",
            row["ratio"] >= TARGETS["ingest_ratio"],
            "raw encode, same texts, same run",
        )
    quality = {q["embedder"]: q for q in ingest.get("quality", [])}
    if "minilm" in quality and "minilm-int8" in quality:
        for metric in ("hit_at_5", "mrr"):
            a, b = quality["minilm"].get(metric), quality["minilm-int8"].get(metric)
            if a and b is not None:
                add(
                    f"int8 / PyTorch {metric}",
                    f"{b / a:.3f} ({b:.3f} vs {a:.3f})",
                    f">= {TARGETS['int8_quality_ratio']}",
                    b / a >= TARGETS["int8_quality_ratio"],
                    "PyTorch model, same eval suite",
                )
    rss = ingest.get("rss", [])
    if rss and rss[-1].get("embed_only_peak_rss_mb"):
        big = rss[-1]
        add(
            f"Peak RSS ingesting {big['documents']:,} documents: pipeline / embed-only",
            f"{big['pipeline_over_embed_only']:.2f} ({_num(big['peak_rss_mb'])} vs "
            f"{_num(big['embed_only_peak_rss_mb'])} MB)",
            f"<= {TARGETS['rss_growth']}",
            big["pipeline_over_embed_only"] <= TARGETS["rss_growth"],
            "embedding the same texts alone, streamed",
        )
    if len(rss) >= 2:
        small, large = rss[0], rss[-1]
        growth = large["peak_rss_mb"] / small["peak_rss_mb"]
        add(
            f"Peak RSS, {large['documents']:,} vs {small['documents']:,} documents",
            f"{growth:.2f} ({_num(large['peak_rss_mb'])} vs {_num(small['peak_rss_mb'])} MB)",
            "(information)",
            None,
            f"{small['documents']:,}-document run",
        )
    large = ingest.get("rss_large_file")
    if large:
        add(
            f"Peak RSS, one {large['file_mb']:,.1f} MB file vs "
            f"{large['small_files_documents']:,} documents",
            f"{large['over_small_files']:.2f} ({_num(large['peak_rss_mb'])} vs "
            f"{_num(large['small_files_peak_rss_mb'])} MB)",
            "(information)",
            None,
            f"{large['small_files_documents']:,}-document run",
        )
    latency = _r(parts.get("latency"))
    sizes = latency.get("sizes", [])
    if sizes:
        big = sizes[-1]
        n = f"{big['chunks']:,} chunks"
        add(
            f"ask p50 at {n}",
            f"{big['ask_ms']['p50']:.1f} ms",
            "<= 50 ms",
            big["ask_ms"]["p50"] <= TARGETS["p50_ms"],
        )
        add(
            f"ask p95 at {n}",
            f"{big['ask_ms']['p95']:.1f} ms",
            "<= 150 ms",
            big["ask_ms"]["p95"] <= TARGETS["p95_ms"],
        )
        add(
            f"ask p50 / floor p50 at {n}",
            f"{big['p50_over_floor']:.2f} ({big['ask_ms']['p50']:.1f} vs "
            f"{big['floor_ms']['p50']:.1f} ms)",
            "<= 2",
            big["p50_over_floor"] <= TARGETS["p50_over_floor"],
            "1 query embedding + 1 Chroma query",
        )
        if big.get("bm25_build_s"):
            add(
                f"BM25 start-up at {n}: load / build",
                f"{big['bm25_load_s']:.2f} s vs {big['bm25_build_s']:.2f} s "
                f"({big['bm25_load_s'] / big['bm25_build_s']:.2f})",
                "load, not rebuild",
                big["bm25_load_s"] < big["bm25_build_s"],
                "build from the catalogue",
            )
    if latency.get("cold_start_s"):
        best = min(latency["cold_start_s"])
        add(
            f"Cold start to first answer ({_num(latency.get('cold_start_chunks'))} chunks)",
            f"{best:.1f} s",
            "<= 10 s",
            best <= TARGETS["cold_start_s"],
        )
    if latency.get("cold_start_int8_s") is not None:
        add(
            "Cold start, int8 embedder (start-up only, same index)",
            f"{latency['cold_start_int8_s']:.1f} s",
            "<= 10 s",
            latency["cold_start_int8_s"] <= TARGETS["cold_start_s"],
        )
    scale = _r(parts.get("scale"))
    if scale:
        n = f"{scale['vectors']:,} vectors (server)"
        add(
            f"Chroma query p95 (k=10) at {n}",
            f"{scale['query_k10_ms']['p95']:.1f} ms",
            "<= 50 ms",
            scale["query_k10_ms"]["p95"] <= TARGETS["scale_p95_ms"],
        )
        add(
            f"recall@10 at {n}",
            f"{scale['recall_at_10']:.3f}",
            ">= 0.95",
            scale["recall_at_10"] >= TARGETS["scale_recall"],
            "exact search (numpy)",
        )
    workers = _r(parts.get("workers"))
    if workers:
        add(
            f"BM25 builds raced by {workers['processes']} processes ({workers['trials']} trials)",
            f"{workers['failed_builds']} failed, {workers['unloadable_after']} unloadable",
            "0 failed",
            workers["failed_builds"] == 0 and workers["unloadable_after"] == 0,
        )
    load = _r(parts.get("load"))
    for run in [*load.get("runs", []), *load.get("server_runs", [])]:
        label = _load_label(run)
        lat = run["latency_ms"]
        add(
            f"API under load, {label}",
            f"{run['throughput_rps']:.1f} answers/s; p50 {lat['p50']:.0f} / p95 {lat['p95']:.0f} "
            f"/ p99 {lat['p99']:.0f} ms; {run['error_count']} errors of {run['requests']:,}",
            "0 errors",
            run["error_count"] == 0,
            f"{run['clients']} clients, {run['seconds']:.0f} s",
        )
    return out


def _load_label(run: dict[str, Any]) -> str:
    label = f"{run['workers']} worker{'s' if run['workers'] > 1 else ''}"
    env = run.get("env", {})
    label += ", Chroma server" if env.get("CHROMA_HOST") else ", embedded Chroma"
    if env.get("OMP_NUM_THREADS"):
        label += f", {env['OMP_NUM_THREADS']} torch thread each"
    return label


def _measured(part: dict[str, Any] | None) -> str:
    if not part:
        return "_not run yet_"
    quick = " (quick mode: small sizes)" if part.get("quick") else ""
    m = part.get("machine", {})
    text = (
        f"_Measured {part['measured']} on {m.get('cores')} cores ({m.get('cpu')}), "
        f"{m.get('memory_gb')} GB RAM{quick}; command: `{' '.join(part.get('command', []))}`._"
    )
    if part.get("note"):
        text += f" _Note: {part['note']}_"
    sections = part.get("sections_measured")
    if sections:
        text += (
            " _Sections measured separately: "
            + ", ".join(f"{key} {when}" for key, when in sorted(sections.items()))
            + "._"
        )
    return text


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
        "| what | measured | target | floor (same run) | |",
        "|---|---|---|---|---|",
    ]
    for c in checks(data):
        mark = {True: "met", False: "**missed**", None: ""}[c["ok"]]
        lines.append(f"| {c['what']} | {c['value']} | {c['target']} | {c['floor']} | {mark} |")
    lines.append("")
    lines += _ingest_section(parts.get("ingest"), charts)
    lines += _latency_section(parts.get("latency"), charts)
    lines += _scale_section(parts.get("scale"), charts)
    lines += _workers_section(parts.get("workers"))
    lines += _load_section(parts.get("load"), charts)
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _chart(charts: Path, name: str, svg: str, alt: str) -> list[str]:
    (charts / f"{name}.svg").write_text(svg, encoding="utf-8")
    return [f"![{alt}](charts/{name}.svg)", ""]


def _ingest_section(part: dict[str, Any] | None, charts: Path) -> list[str]:
    r = _r(part)
    lines = ["## 1. Ingestion", "", _measured(part), ""]
    if not r:
        return lines
    rows = r.get("throughput", [])
    lines += [
        "Full pipeline (`Assistant.ingest` over JSONL knowledge files: read, chunk, embed, write "
        "to Chroma and the catalogue, commit) against raw encode of the same model on the very "
        "texts the pipeline embedded, in batches of `ingest_batch_chunks`. The corpus is cut in "
        "three files; each round times raw encode of one file's texts, then an incremental "
        "ingest that adds that file, and a last raw run closes the series. Each round's ratio "
        "divides the pipeline's throughput by the mean of the raw runs on either side of it, "
        "so both see the same machine load; the median of the rounds is the figure.",
        "",
        "| embedder | documents | chunks | mean chars/chunk | pipeline chunks/s (per round) | "
        "raw encode chunks/s (series) | pipeline / raw per round | median |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in rows:
        lines.append(
            f"| `{t['embedder']}` | {t['documents']:,} | {t['chunks']:,} | "
            f"{_num(t['mean_chars_per_chunk'], 0)} | {_num(t['pipeline_chunks_per_s'])} "
            f"({', '.join(_num(x) for x in t['pipeline_chunks_per_s_rounds'])}) | "
            f"{_num(t['raw_chunks_per_s'])} "
            f"({', '.join(_num(x) for x in t['raw_chunks_per_s_series'])}) | "
            f"{', '.join(f'{x:.2f}' for x in t['ratios'])} | **{t['ratio']:.2f}** |"
        )
    lines.append("")
    if rows:
        lines += _chart(
            charts,
            "ingest-throughput",
            bar_chart(
                "Ingestion throughput",
                [t["embedder"] for t in rows],
                {
                    "raw encode": [t["raw_chunks_per_s"] for t in rows],
                    "full pipeline": [t["pipeline_chunks_per_s"] for t in rows],
                },
                "chunks/s",
            ),
            "Ingestion throughput: raw encode vs full pipeline",
        )
    quality = r.get("quality", [])
    if quality:
        lines += [
            "Retrieval quality of each embedder: the eval suite (`evals/cases.yaml`, no "
            "efficacy-detection set) on the knowledge base indexed with that embedder.",
            "",
            "| embedder | cases | hit@1 | hit@5 | hit@10 | MRR | citation validity | "
            "status accuracy |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for q in quality:
            lines.append(
                f"| `{q['embedder']}` | {q['cases']} | {_num(q['hit_at_1'], 3)} | "
                f"{_num(q['hit_at_5'], 3)} | {_num(q['hit_at_10'], 3)} | {_num(q['mrr'], 3)} | "
                f"{_num(q['citation_validity'], 3)} | {_num(q['status_accuracy'], 3)} |"
            )
        lines.append("")
    rss = r.get("rss", [])
    if rss:
        lines += [
            "Peak resident memory of an `ingest` child process (its own `VmHWM`; polling "
            "`/proc` every 0.25 s as a cross-check) over JSONL files of short documents (one "
            f"paragraph each), with the `{rss[0]['embedder']}` embedder. The baseline is the "
            "process after loading the model, before ingesting. The floor is a second child "
            "that only streams the same file and embeds the same texts in the same batches: "
            "what the model runtime needs by itself. The documents stream through bounded "
            "queues; the runtime's allocator keeps buffers for the batch shapes it has seen, so "
            "both peaks rise with the first thousands of texts and then level off (embedded "
            "Chroma adds about 70 MB per 20k vectors).",
            "",
            "| documents | JSONL MB | chunks | peak RSS MB | polled MB | baseline MB | "
            "embed-only peak MB | pipeline / embed-only | ingest s |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for x in rss:
            lines.append(
                f"| {x['documents']:,} | {_num(x['jsonl_mb'])} | {x['chunks']:,} | "
                f"{_num(x['peak_rss_mb'])} | {_num(x['peak_rss_polled_mb'])} | "
                f"{_num(x['baseline_rss_mb'])} | {_num(x.get('embed_only_peak_rss_mb'))} | "
                f"{_num(x.get('pipeline_over_embed_only'), 2)} | {_num(x['ingest_seconds'])} |"
            )
        lines.append("")
        lines += _chart(
            charts,
            "ingest-rss",
            bar_chart(
                "Peak RSS while ingesting",
                [f"{x['documents']:,} docs" for x in rss],
                {
                    "baseline (model loaded)": [x["baseline_rss_mb"] for x in rss],
                    "embed-only peak": [x.get("embed_only_peak_rss_mb", float("nan")) for x in rss],
                    "pipeline peak": [x["peak_rss_mb"] for x in rss],
                },
                "MB",
            ),
            "Peak RSS while ingesting",
        )
    large = r.get("rss_large_file")
    if large:
        lines += [
            f"One large file, in the same run: a {_num(large['file_mb'])} MB Markdown file (a "
            "heading every 20 paragraphs of knowledge-base sentences) ingested by a child "
            "process in the same way, its limit `max_file_bytes` raised to the file's size. "
            "Its chunks are cut, embedded and written in batches as they are produced, so its "
            "peak is compared with the peak of the largest many-documents run above.",
            "",
            "| file MB | chunks | peak RSS MB | polled MB | baseline MB | documents run peak MB "
            "| large file / documents run | ingest s |",
            "|---|---|---|---|---|---|---|---|",
            f"| {_num(large['file_mb'])} | {large['chunks']:,} | {_num(large['peak_rss_mb'])} | "
            f"{_num(large['peak_rss_polled_mb'])} | {_num(large['baseline_rss_mb'])} | "
            f"{_num(large['small_files_peak_rss_mb'])} ({large['small_files_documents']:,} "
            f"documents) | {_num(large['over_small_files'], 2)} | "
            f"{_num(large['ingest_seconds'])} |",
            "",
        ]
    return lines


def _latency_section(part: dict[str, Any] | None, charts: Path) -> list[str]:
    r = _r(part)
    lines = ["## 2. Answer latency", "", _measured(part), ""]
    if not r:
        return lines
    sizes = r.get("sizes", [])
    lines += [
        f"`Assistant.ask` in-process with the default extractive answerer and the `{r['embedder']}`"
        f" embedder, warm, over the {r['questions']} single-turn questions of the eval suite "
        "(15 warm-up questions first). For each question the floor (one query embedding plus "
        "one Chroma query of the size the retriever asks for, k=60) is timed right before the "
        "answer, so both see the same machine load.",
        "",
        f"The index holds the knowledge base ({r.get('knowledge_base_chunks')} chunks, embedded "
        "for real) plus filler documents built from the knowledge base's own sentences. "
        f"{r.get('real_filler_chunks', 0):,} filler chunks were embedded for real; every other "
        "filler chunk got a vector **derived** from real embeddings (the mean of the real "
        "embeddings of its sentences plus Gaussian noise, sd 0.01, renormalised), written "
        "directly through the catalogue and vector-store APIs as the ingest pipeline writes "
        "them. On the chunks embedded for real, the derived vector's cosine to the real one "
        f"averages {r.get('derived_vs_real_cosine_mean', 'n/a')}.",
        "",
        "| chunks | ask p50 | ask p95 | ask p99 | floor p50 | floor p95 | p50 / floor | BM25 "
        "build s | BM25 load s | mean ms: retrieve / compose |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in sizes:
        steps = s.get("steps_mean_ms", {})
        lines.append(
            f"| {s['chunks']:,} | {s['ask_ms']['p50']:.1f} | {s['ask_ms']['p95']:.1f} | "
            f"{s['ask_ms']['p99']:.1f} | {s['floor_ms']['p50']:.1f} | {s['floor_ms']['p95']:.1f}"
            f" | **{s['p50_over_floor']:.2f}** | {s['bm25_build_s']:.2f} | "
            f"{s['bm25_load_s']:.3f} | {_num(steps.get('retrieve'))} / "
            f"{_num(steps.get('compose'))} |"
        )
    lines.append("")
    if sizes:
        lines += _chart(
            charts,
            "latency",
            bar_chart(
                "Assistant.ask latency (warm) against its floor",
                [f"{s['chunks']:,}" for s in sizes],
                {
                    "floor p50": [s["floor_ms"]["p50"] for s in sizes],
                    "ask p50": [s["ask_ms"]["p50"] for s in sizes],
                    "ask p95": [s["ask_ms"]["p95"] for s in sizes],
                },
                "ms",
                target=150.0,
                target_label="p95 target",
            ),
            "Answer latency by index size",
        )
    if r.get("cold_start_s"):
        lines += [
            f"Cold start at {_num(r.get('cold_start_chunks'))} chunks (index built; a new "
            "`assistant ask` process: Python start, imports, model load, Chroma open, BM25 "
            f"load, first answer): {', '.join(f'{x:.1f} s' for x in r['cold_start_s'])} "
            f"(two runs); with the saved BM25 index deleted, so the process rebuilds it: "
            f"{r['cold_start_bm25_missing_s']:.1f} s.",
            "",
        ]
        if r.get("cold_start_int8_s") is not None:
            lines += [
                "The same start-up with `ASSISTANT_EMBEDDER=minilm-int8` (onnxruntime, no "
                f"PyTorch import; same index, so it times start-up only): "
                f"{r['cold_start_int8_s']:.1f} s.",
                "",
            ]
    return lines


def _scale_section(part: dict[str, Any] | None, charts: Path) -> list[str]:
    r = _r(part)
    lines = ["## 3. Scale out: a Chroma server with many vectors", "", _measured(part), ""]
    if not r:
        return lines
    cfg = r["hnsw_config"]
    lines += [
        f"{r['vectors']:,} vectors in one collection of a `chroma run` server on 127.0.0.1, "
        f"created with `HNSW_CONFIG` = `{cfg}`. Vectors: {r['vector_source']}; "
        f"{r['real_embeddings_in_base']} real embeddings in the base. Queries: the real "
        f"embeddings of {r['queries']} eval questions, through `ChromaStore.query` over HTTP "
        "(warm, 2 rounds). Recall@10 is against exact search (numpy brute force over the same "
        "vectors).",
        "",
        "| figure | value |",
        "|---|---|",
        f"| vectors added | {r['count']:,} in {r['add_seconds']:,.0f} s "
        f"({r['add_vectors_per_s']:,.0f}/s, batches of 5,000 through `ChromaStore.upsert`) |",
        f"| query k=10 p50 / p95 / p99 | {r['query_k10_ms']['p50']:.1f} / "
        f"{r['query_k10_ms']['p95']:.1f} / {r['query_k10_ms']['p99']:.1f} ms |",
        f"| query k=60 p50 / p95 (what the retriever asks) | {r['query_k60_ms']['p50']:.1f} / "
        f"{r['query_k60_ms']['p95']:.1f} ms |",
        f"| recall@10 against exact search | **{r['recall_at_10']:.3f}** |",
        f"| exact search with numpy, per query | {r['exact_numpy_ms_per_query']:.0f} ms |",
        f"| server resident memory | {r['server_rss_mb']:,.0f} MB |",
        f"| on disk | {r['disk_mb']:,.0f} MB |",
    ]
    if r.get("server_restart_first_query_s") is not None:
        lines.append(
            f"| server restart to first answer (index loaded from disk) | "
            f"{r['server_restart_first_query_s']:.1f} s |"
        )
    lines.append("")
    sweep = r.get("ef_sweep", [])
    if sweep:
        lines += [
            "`ef_search` is read when the server loads the index, so each value below was set "
            "with `collection.modify` and the server restarted before measuring (a `modify` "
            "alone does not change a loaded index: measured).",
            "",
            "| ef_search | recall@10 | p50 ms | p95 ms |",
            "|---|---|---|---|",
        ]
        for s in sweep:
            lines.append(
                f"| {s['ef_search']} | {s['recall_at_10']:.3f} | {s['p50']:.1f} | {s['p95']:.1f} |"
            )
        lines.append("")
        lines += _chart(
            charts,
            "scale-recall",
            bar_chart(
                f"recall@10 at {r['vectors']:,} vectors by ef_search",
                [str(s["ef_search"]) for s in sweep],
                {"recall@10": [s["recall_at_10"] for s in sweep]},
                "recall@10",
                target=0.95,
            ),
            "Recall by ef_search",
        )
    return lines


def _load_section(part: dict[str, Any] | None, charts: Path) -> list[str]:
    r = _r(part)
    lines = ["## 4. API under load", "", _measured(part), ""]
    if not r:
        return lines
    runs = [*r.get("runs", []), *r.get("server_runs", [])]
    lines += [
        "`assistant serve --workers N` on 127.0.0.1 over the knowledge base "
        f"({r['chunks']} chunks), `POST /api/v1/ask` with a bearer key, questions drawn from "
        "the eval suite, rate limit set out of the way. The load client (asyncio + httpx, one "
        "process) runs on the same 2 cores as the server, so it takes CPU from it.",
        "",
        "| workers | clients | seconds | answers | answers/s | p50 ms | p95 ms | p99 ms | "
        "errors | server RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for x in runs:
        lat = x["latency_ms"]
        lines.append(
            f"| {_load_label(x)} | {x['clients']} | {x['seconds']:.0f} | {x['ok']:,} | "
            f"{x['throughput_rps']:.1f} | {lat['p50']:.0f} | {lat['p95']:.0f} | "
            f"{lat['p99']:.0f} | {x['error_count']} | {_num(x.get('rss_mb'), 0)} |"
        )
    lines.append("")
    if runs:
        lines += _chart(
            charts,
            "load",
            bar_chart(
                "API under load: latency",
                [_load_label(x) for x in runs],
                {
                    "p50": [x["latency_ms"]["p50"] for x in runs],
                    "p95": [x["latency_ms"]["p95"] for x in runs],
                    "p99": [x["latency_ms"]["p99"] for x in runs],
                },
                "ms",
            ),
            "API latency under load",
        )
        lines += _chart(
            charts,
            "load-throughput",
            bar_chart(
                "API under load: throughput",
                [_load_label(x) for x in runs],
                {"answers/s": [x["throughput_rps"] for x in runs]},
                "answers/s",
            ),
            "API throughput under load",
        )
    return lines


def _workers_section(part: dict[str, Any] | None) -> list[str]:
    r = _r(part)
    lines = ["### Several workers on one data folder", "", _measured(part), ""]
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
