"""The benchmark's own machinery: statistics, derived vectors, charts, report and CLI.

No test here times anything: the figures themselves are measured by ``assistant bench``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chromadb.errors import InternalError

from assistant.bench import load_results, main, parse_args
from assistant.bench.common import percentiles, retry_while_locked
from assistant.bench.corpus import (
    derived_vectors,
    filler_docs,
    mixed_vectors,
    questions,
    sentence_pool,
)
from assistant.bench.report import checks, write_report
from assistant.bench.scale import exact_top_k
from assistant.charts import bar_chart


def test_percentiles__of_known_samples() -> None:
    stats = percentiles([float(x) for x in range(1, 101)])
    assert stats["n"] == 100
    assert stats["p50"] == pytest.approx(50.5)
    assert stats["p95"] == pytest.approx(95.05)
    assert percentiles([])["n"] == 0


def _failing(errors: list[Exception]) -> tuple[list[int], Any]:
    """An action raising ``errors`` in turn, then answering "done"; and the list of its calls."""
    calls: list[int] = []

    def action() -> str:
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "done"

    return calls, action


def test_retry_while_locked__tries_again_only_while_the_database_is_locked() -> None:
    locked = InternalError("Database error: (code: 5) database is locked")
    calls, action = _failing([locked, locked])
    said: list[str] = []
    assert retry_while_locked(action, attempts=3, first_pause_s=0, say=said.append) == "done"
    assert len(calls) == 3 and len(said) == 2
    # Another error is raised at once; a lock that stays is raised after the last attempt.
    calls, action = _failing([InternalError("no such collection")])
    with pytest.raises(InternalError, match="no such collection"):
        retry_while_locked(action, attempts=3, first_pause_s=0)
    assert len(calls) == 1
    calls, action = _failing([locked] * 3)
    with pytest.raises(InternalError, match="locked"):
        retry_while_locked(action, attempts=3, first_pause_s=0)
    assert len(calls) == 3


def test_exact_top_k__matches_a_full_sort_across_blocks() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(1000, 16)).astype(np.float32)
    queries = rng.normal(size=(5, 16)).astype(np.float32)
    got = exact_top_k(vectors, queries, 10, block=128)
    want = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    assert np.array_equal(got, want)


def test_derived_vectors__are_unit_length_and_near_their_members() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(size=(20, 384)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    out = derived_vectors(base, [[0], [1, 2], [3, 4, 5]], 0.01, rng)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    assert float(out[0] @ base[0]) > 0.9  # a single member plus small noise stays close
    mixed = mixed_vectors(base, 50, rng)
    assert mixed.shape == (50, 384)
    assert np.allclose(np.linalg.norm(mixed, axis=1), 1.0, atol=1e-5)


def test_filler_docs__are_made_of_corpus_sentences_and_reproducible() -> None:
    pool = sentence_pool()
    assert len(pool) > 100
    first = list(filler_docs(5, len(pool), seed=4))
    assert first == list(filler_docs(5, len(pool), seed=4))
    assert len({d.doc_id for d in first}) == 5
    for doc in first:
        text = doc.text(pool)
        assert all(pool[i] in text for i in doc.sentence_ids())
    assert len(questions()) > 100


def test_bar_chart__is_valid_svg_with_a_bar_per_value() -> None:
    svg = bar_chart("t <&>", ["a", "b"], {"x": [1.0, 2.0], "y": [3.0, float("nan")]}, "ms", 2.5)
    root = ET.fromstring(svg)
    rects = [e for e in root.iter() if e.tag.endswith("rect") and e.find("{*}title") is not None]
    assert len(rects) == 3  # the NaN is left out


def _results() -> dict[str, Any]:
    lat = {"n": 10, "p50": 20.0, "p95": 60.0, "p99": 70.0, "mean": 25.0}
    floor = {"n": 10, "p50": 12.0, "p95": 15.0, "p99": 16.0, "mean": 12.0}
    entry = {"measured": "2026-01-01T00:00:00+00:00", "quick": False, "machine": {}, "command": []}
    return {
        "parts": {
            "ingest": {
                **entry,
                "result": {
                    "throughput": [
                        {
                            "embedder": "minilm",
                            "model_id": "m",
                            "documents": 10,
                            "chunks": 12,
                            "pipeline_seconds": 1.0,
                            "pipeline_chunks_per_s": 27.0,
                            "pipeline_chunks_per_s_rounds": [27.0, 27.0],
                            "raw_chunks_per_s_series": [30.0, 30.0, 30.0],
                            "raw_chunks_per_s": 30.0,
                            "ratios": [0.9, 0.9],
                            "ratio": 0.9,
                            "mean_chars_per_chunk": 500.0,
                        }
                    ],
                    "quality": [],
                    "rss": [
                        {
                            "embedder": "minilm",
                            "documents": 100,
                            "jsonl_mb": 0.1,
                            "chunks": 100,
                            "peak_rss_mb": 900.0,
                            "peak_rss_polled_mb": 890.0,
                            "baseline_rss_mb": 850.0,
                            "ingest_seconds": 3.0,
                            "process_seconds": 9.0,
                        },
                        {
                            "embedder": "minilm",
                            "documents": 1000,
                            "jsonl_mb": 1.0,
                            "chunks": 1000,
                            "peak_rss_mb": 1200.0,
                            "embed_only_peak_rss_mb": 1100.0,
                            "pipeline_over_embed_only": 1.09,
                            "peak_rss_polled_mb": 1190.0,
                            "baseline_rss_mb": 850.0,
                            "ingest_seconds": 30.0,
                            "process_seconds": 36.0,
                        },
                    ],
                },
            },
            "latency": {
                **entry,
                "result": {
                    "embedder": "minilm",
                    "questions": 10,
                    "knowledge_base_chunks": 68,
                    "real_filler_chunks": 5,
                    "sizes": [
                        {
                            "chunks": 1000,
                            "ask_ms": lat,
                            "floor_ms": floor,
                            "p50_over_floor": 1.67,
                            "bm25_build_s": 1.0,
                            "bm25_load_s": 0.1,
                            "steps_mean_ms": {},
                        },
                    ],
                    "cold_start_s": [12.0, 11.0],
                    "cold_start_bm25_missing_s": 13.0,
                    "cold_start_chunks": 1000,
                },
            },
        }
    }


def test_checks__compare_each_figure_with_its_target() -> None:
    verdicts = {c["what"]: c["ok"] for c in checks(_results())}
    assert verdicts["Ingest pipeline / raw encode (minilm)"] is True
    assert verdicts["Peak RSS, 1,000 vs 100 documents"] is None  # information only
    assert verdicts["Peak RSS ingesting 1,000 documents: pipeline / embed-only"] is True
    assert verdicts["ask p50 at 1,000 chunks"] is True
    assert verdicts["ask p50 / floor p50 at 1,000 chunks"] is True
    assert verdicts["Cold start to first answer (1,000 chunks)"] is False


def test_write_report__writes_markdown_and_the_charts_it_links(tmp_path: Path) -> None:
    path = write_report(_results(), tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "## Key figures" in text and "**missed**" in text
    for link in ("charts/ingest-throughput.svg", "charts/ingest-rss.svg", "charts/latency.svg"):
        assert link in text
        ET.parse(tmp_path / link)  # well-formed
    assert "_not run yet_" in text  # the scale and load parts


def test_main__report_only_renders_saved_results(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text(json.dumps(_results()), encoding="utf-8")
    assert main(["--report-only", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "report.md").exists()
    assert load_results(tmp_path / "missing.json") == {"parts": {}}


def test_main__rejects_an_unknown_part(tmp_path: Path) -> None:
    assert main(["--parts", "nope", "--out", str(tmp_path)]) == 2


def test_parser__quick_and_sizes() -> None:
    args = parse_args(["--quick", "--sizes", "1_000,5000", "--million"])
    assert args.quick and args.million and args.sizes == [1000, 5000]


@pytest.mark.slow
@pytest.mark.server
def test_main__scale_part_end_to_end_on_a_small_server(tmp_path: Path) -> None:
    code = main(["--parts", "scale", "--quick", "--scale-size", "3000", "--out", str(tmp_path)])
    assert code == 0
    result = load_results(tmp_path / "results.json")["parts"]["scale"]["result"]
    assert result["count"] == 3000
    assert 0.0 <= result["recall_at_10"] <= 1.0
    assert {row["ef_search"] for row in result["ef_sweep"]} >= {100}
    assert "recall@10" in (tmp_path / "report.md").read_text(encoding="utf-8")
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").rglob("*.sqlite3"))


@pytest.mark.slow
def test_units_part__reports_ingest_cost_and_latency_on_a_tiny_corpus(
    tmp_path: Path, embedder: Any
) -> None:
    from assistant.bench import units
    from assistant.service import Assistant
    from assistant.settings import Settings

    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    (knowledge / "note.md").write_text(
        "# Occipital nerve decompression\n\nThe operation takes about an hour. Most patients "
        "go home the same day. The scar sits in the hairline.\n",
        encoding="utf-8",
    )
    made: list[Assistant] = []

    def make(knowledge_dir: Path, data_dir: Path) -> Assistant:
        made.append(Assistant(Settings(knowledge_dir=knowledge_dir, data_dir=data_dir), embedder))
        return made[-1]

    opts = {"ingest_chunks": 9, "sizes": [20], "real_filler": 3, "unit_questions": 4}
    result = units.run(opts, tmp_path / "work", lambda _: None, make=make, knowledge=knowledge)
    cost, latency = result["ingest"], result["latency"]
    assert cost["chunks"] == cost["visible_chunks"] > 0
    assert cost["units"] >= cost["chunks"]  # at least a unit per chunk
    # two vectors a unit at most: MiniLM's and the multilingual encoder's
    assert 0 < cost["unit_vectors_stored"] <= 2 * cost["units"]
    assert len(cost["ratios"]) == 3 and cost["extra_time_ratio"] > 0
    assert cost["units_sqlite_mb_per_1k_chunks"] > 0
    assert latency["chunks"] >= 20 and latency["units_stored_at_warm_up"]
    first, again = latency["rounds"]
    assert first["ask_ms"]["n"] == again["ask_ms"]["n"] == 4
    assert again["unit_vectors_embedded"] == 0  # nothing left to embed on a second round
    assert latency["unit_vectors_after"] > 0

    entry = {"measured": "2026-01-01T00:00:00+00:00", "machine": {}, "command": []}
    data = {"parts": {"units": {**entry, "result": result}}}
    verdicts = {c["what"]: c["ok"] for c in checks(data)}
    assert verdicts["Unit vectors at ingest: unit sync / chunk ingest time"] is None
    assert f"ask p95 at {latency['chunks']:,} chunks with units (units stored)" in verdicts
    text = write_report(data, tmp_path / "out").read_text(encoding="utf-8")
    assert "## 2a. Quotable units" in text and "units per chunk" in text
