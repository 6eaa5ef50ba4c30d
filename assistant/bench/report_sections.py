"""The sections of ``bench/report.md``, one per benchmark part, with their tables and charts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from assistant.bench.report_checks import Part, num, result
from assistant.charts import bar_chart


def row(*cells: Any) -> str:
    """One Markdown table row."""
    return "| " + " | ".join(str(c) for c in cells) + " |"


def table(head: Sequence[str], rows: Iterable[str]) -> list[str]:
    """A Markdown table: the header, its rule, the rows and a blank line."""
    return [row(*head), "|" + "---|" * len(head), *rows, ""]


def chart(
    charts: Path,
    name: str,
    alt: str,
    title: str,
    groups: list[str],
    series: dict[str, Any],
    unit: str,
    **kw: Any,
) -> list[str]:
    """Write ``charts/<name>.svg`` (a bar chart) and return the lines that show it."""
    svg = bar_chart(title, groups, series, unit, **kw)
    (charts / f"{name}.svg").write_text(svg, encoding="utf-8")
    return [f"![{alt}](charts/{name}.svg)", ""]


def measured(part: Part | None) -> str:
    """When, where and how a part was measured."""
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


def _heading(title: str, part: Part | None) -> list[str]:
    return [title, "", measured(part), ""]


# ---- 1. ingestion -------------------------------------------------------------------------
def ingest_section(part: Part | None, charts: Path) -> list[str]:
    r = result(part)
    lines = _heading("## 1. Ingestion", part)
    if not r:
        return lines
    return (
        lines
        + _throughput(r.get("throughput", []), charts)
        + _quality(r.get("quality", []))
        + _rss(r.get("rss", []), charts)
        + _large_file(r.get("rss_large_file"))
    )


def _throughput(rows: list[dict[str, Any]], charts: Path) -> list[str]:
    lines = [
        "Full pipeline (`Assistant.ingest` over JSONL knowledge files: read, chunk, embed, write "
        "to Chroma and the catalogue, commit) against raw encode of the same model on the very "
        "texts the pipeline embedded, in batches of `ingest_batch_chunks`. The corpus is cut in "
        "three files; each round times raw encode of one file's texts, then an incremental "
        "ingest that adds that file, and a last raw run closes the series. Each round's ratio "
        "divides the pipeline's throughput by the mean of the raw runs on either side of it, "
        "so both see the same machine load; the median of the rounds is the figure.",
        "",
    ]
    head = (
        "embedder",
        "documents",
        "chunks",
        "mean chars/chunk",
        "pipeline chunks/s (per round)",
        "raw encode chunks/s (series)",
        "pipeline / raw per round",
        "median",
    )
    lines += table(
        head,
        (
            row(
                f"`{t['embedder']}`",
                f"{t['documents']:,}",
                f"{t['chunks']:,}",
                num(t["mean_chars_per_chunk"], 0),
                f"{num(t['pipeline_chunks_per_s'])} "
                f"({', '.join(num(x) for x in t['pipeline_chunks_per_s_rounds'])})",
                f"{num(t['raw_chunks_per_s'])} "
                f"({', '.join(num(x) for x in t['raw_chunks_per_s_series'])})",
                ", ".join(f"{x:.2f}" for x in t["ratios"]),
                f"**{t['ratio']:.2f}**",
            )
            for t in rows
        ),
    )
    if rows:
        lines += chart(
            charts,
            "ingest-throughput",
            "Ingestion throughput: raw encode vs full pipeline",
            "Ingestion throughput",
            [t["embedder"] for t in rows],
            {
                "raw encode": [t["raw_chunks_per_s"] for t in rows],
                "full pipeline": [t["pipeline_chunks_per_s"] for t in rows],
            },
            "chunks/s",
        )
    return lines


def _quality(quality: list[dict[str, Any]]) -> list[str]:
    if not quality:
        return []
    head = (
        "embedder",
        "cases",
        "hit@1",
        "hit@5",
        "hit@10",
        "MRR",
        "citation validity",
        "status accuracy",
    )
    return [
        "Retrieval quality of each embedder: the eval suite (`evals/cases.yaml`, no "
        "efficacy-detection set) on the knowledge base indexed with that embedder.",
        "",
        *table(
            head,
            (
                row(
                    f"`{q['embedder']}`",
                    q["cases"],
                    *(
                        num(q[k], 3)
                        for k in (
                            "hit_at_1",
                            "hit_at_5",
                            "hit_at_10",
                            "mrr",
                            "citation_validity",
                            "status_accuracy",
                        )
                    ),
                )
                for q in quality
            ),
        ),
    ]


def _rss(rss: list[dict[str, Any]], charts: Path) -> list[str]:
    if not rss:
        return []
    head = (
        "documents",
        "JSONL MB",
        "chunks",
        "peak RSS MB",
        "polled MB",
        "baseline MB",
        "embed-only peak MB",
        "pipeline / embed-only",
        "ingest s",
    )
    return [
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
        *table(
            head,
            (
                row(
                    f"{x['documents']:,}",
                    num(x["jsonl_mb"]),
                    f"{x['chunks']:,}",
                    num(x["peak_rss_mb"]),
                    num(x["peak_rss_polled_mb"]),
                    num(x["baseline_rss_mb"]),
                    num(x.get("embed_only_peak_rss_mb")),
                    num(x.get("pipeline_over_embed_only"), 2),
                    num(x["ingest_seconds"]),
                )
                for x in rss
            ),
        ),
        *chart(
            charts,
            "ingest-rss",
            "Peak RSS while ingesting",
            "Peak RSS while ingesting",
            [f"{x['documents']:,} docs" for x in rss],
            {
                "baseline (model loaded)": [x["baseline_rss_mb"] for x in rss],
                "embed-only peak": [x.get("embed_only_peak_rss_mb", float("nan")) for x in rss],
                "pipeline peak": [x["peak_rss_mb"] for x in rss],
            },
            "MB",
        ),
    ]


def _large_file(large: dict[str, Any] | None) -> list[str]:
    if not large:
        return []
    head = (
        "file MB",
        "chunks",
        "peak RSS MB",
        "polled MB",
        "baseline MB",
        "documents run peak MB",
        "large file / documents run",
        "ingest s",
    )
    return [
        f"One large file, in the same run: a {num(large['file_mb'])} MB Markdown file (a "
        "heading every 20 paragraphs of knowledge-base sentences) ingested by a child "
        "process in the same way, its limit `max_file_bytes` raised to the file's size. "
        "Its chunks are cut, embedded and written in batches as they are produced, so its "
        "peak is compared with the peak of the largest many-documents run above.",
        "",
        *table(
            head,
            [
                row(
                    num(large["file_mb"]),
                    f"{large['chunks']:,}",
                    num(large["peak_rss_mb"]),
                    num(large["peak_rss_polled_mb"]),
                    num(large["baseline_rss_mb"]),
                    f"{num(large['small_files_peak_rss_mb'])} "
                    f"({large['small_files_documents']:,} documents)",
                    num(large["over_small_files"], 2),
                    num(large["ingest_seconds"]),
                )
            ],
        ),
    ]


# ---- 2. latency ---------------------------------------------------------------------------
def latency_section(part: Part | None, charts: Path) -> list[str]:
    r = result(part)
    lines = _heading("## 2. Answer latency", part)
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
    ]
    lines += table(
        (
            "chunks",
            "ask p50",
            "ask p95",
            "ask p99",
            "floor p50",
            "floor p95",
            "p50 / floor",
            "BM25 build s",
            "BM25 load s",
            "mean ms: retrieve / compose",
        ),
        (_size_row(s) for s in sizes),
    )
    if sizes:
        lines += chart(
            charts,
            "latency",
            "Answer latency by index size",
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
        )
    return lines + _cold_start_text(r)


def _size_row(s: dict[str, Any]) -> str:
    steps = s.get("steps_mean_ms", {})
    ask, floor = s["ask_ms"], s["floor_ms"]
    return row(
        f"{s['chunks']:,}",
        *(f"{ask[k]:.1f}" for k in ("p50", "p95", "p99")),
        *(f"{floor[k]:.1f}" for k in ("p50", "p95")),
        f"**{s['p50_over_floor']:.2f}**",
        f"{s['bm25_build_s']:.2f}",
        f"{s['bm25_load_s']:.3f}",
        f"{num(steps.get('retrieve'))} / {num(steps.get('compose'))}",
    )


def _cold_start_text(r: dict[str, Any]) -> list[str]:
    if not r.get("cold_start_s"):
        return []
    lines = [
        f"Cold start at {num(r.get('cold_start_chunks'))} chunks (index built; a new "
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


# ---- 2a. quotable units -------------------------------------------------------------------
def units_section(part: Part | None) -> list[str]:
    r = result(part)
    lines = _heading("## 2a. Quotable units: ingest cost and answer latency", part)
    if not r:
        return lines
    return lines + _units_ingest(r.get("ingest")) + _units_latency(r.get("latency"))


def _units_ingest(c: dict[str, Any] | None) -> list[str]:
    if not c:
        return []
    lines = [
        f"{c['chunks']:,} filler chunks ingested in {len(c['ratios'])} rounds with the "
        f"`{c.get('embedder', 'minilm')}` embedder. Each round times `Assistant.ingest` (chunk "
        "embedding and writes: the chunk ingest time) and then `Assistant.units.sync` (cut, "
        "tag and embed the new chunks' quotable units, write `units.sqlite3`), so both sides "
        "of a round's ratio see the same machine load; the median ratio is reported. Every "
        "filler sentence carries a short case label so that no two units share a text (the "
        "unit store embeds a text once).",
        "",
    ]
    figures = [
        row("units per chunk", f"{c['units_per_chunk']:.2f} ({c['units']:,} units)"),
        row(
            "unit vectors embedded and stored (MiniLM and multilingual-e5, two a unit)",
            f"{c['unit_vectors_stored']:,}",
        ),
        row(
            "chunk ingest (embed + write)",
            f"{c['chunk_seconds']:.1f} s ({num(c['chunks_per_s'])} chunks/s)",
        ),
        row(
            "unit sync (tag + embed + write)",
            f"{c['unit_seconds']:.1f} s ({num(c['units_per_s'])} units/s)",
        ),
        row(
            "extra time / chunk ingest time (median of rounds)",
            f"**{num(c['extra_time_ratio'], 2)}** (rounds: "
            f"{', '.join(f'{x:.2f}' for x in c['ratios'])})",
        ),
        row(
            "`units.sqlite3` per 1k chunks",
            f"{num(c['units_sqlite_mb_per_1k_chunks'], 2)} MB (the rest of the index: "
            f"{num(c['index_mb_per_1k_chunks'], 2)} MB; ratio "
            f"{num(c['units_over_index_size'], 2)})",
        ),
    ]
    return lines + table(("figure", "value"), figures)


def _units_latency(lat: dict[str, Any] | None) -> list[str]:
    if not lat:
        return []
    stored = (
        "`warm_up` stored every unit first (the index is within the sync limit)"
        if lat["units_stored_at_warm_up"]
        else "above the sync limit, so a chunk's units are embedded the first time it is retrieved"
    )
    lines = [
        f"`Assistant.ask` with the units in use at {lat['chunks']:,} chunks (the knowledge base, "
        f"{num(lat.get('knowledge_base_chunks'))} chunks, plus filler with derived vectors as in "
        f"section 2; {lat['real_filler_chunks']:,} filler chunks embedded for real): {stored}. "
        f"{lat['questions']} eval questions asked twice, after 3 unmeasured ones; the floor "
        "(one query embedding plus one Chroma query) is timed next to each answer. Filler "
        "sentences repeat across documents, so the first round embeds fewer new unit texts "
        "than a corpus of distinct sentences would.",
        "",
    ]
    return lines + table(
        ("round", "ask p50", "ask p95", "floor p50", "floor p95", "p50 / floor", "units embedded"),
        (
            row(
                x["round"],
                *(f"{x['ask_ms'][k]:.1f}" for k in ("p50", "p95")),
                *(f"{x['floor_ms'][k]:.1f}" for k in ("p50", "p95")),
                f"**{x['p50_over_floor']:.2f}**",
                f"{x['unit_vectors_embedded']:,}",
            )
            for x in lat["rounds"]
        ),
    )
