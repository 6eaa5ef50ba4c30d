"""The eval suite end to end: the real cases in-process, any-corpus mode, --compare, --against."""

from __future__ import annotations

import copy
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from assistant.evals import command
from assistant.service import Assistant

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "evals" / "examples"


@pytest.fixture(scope="module")
def suite(
    built_assistant: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> tuple[int, dict[str, Any], Path]:
    """One full run over the real case files, with baselines: (exit code, report, folder)."""
    out = tmp_path_factory.mktemp("eval-run")
    code = command.main(
        ["--baselines", "--out", str(out), "--no-progress"], assistant=built_assistant
    )
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return code, report, out


def metric(report: dict[str, Any], name: str) -> float:
    value = report["metrics"][name]["value"]
    assert value is not None, f"{name} was not measured"
    return float(value)


@pytest.fixture(scope="module")
def guardrails_present(built_assistant: Assistant) -> None:
    if built_assistant.ask("Does fat transfer work?").caveat is None:
        pytest.skip("guardrails not present")


def test_suite__hit_at_5_meets_threshold(suite: tuple[int, dict[str, Any], Path]) -> None:
    _, report, _ = suite
    assert report["metrics"]["hit_at_5"]["n"] >= 100
    assert metric(report, "hit_at_5") >= 0.9


def test_suite__every_citation_is_valid(suite: tuple[int, dict[str, Any], Path]) -> None:
    _, report, _ = suite
    bad = [
        (c["id"], c["citation_problems"])
        for c in report["cases"]
        if c["scores"].get("citation_validity") == 0.0
    ]
    assert metric(report, "citation_validity") == 1.0, bad
    assert not any(c.get("citations_unchecked") for c in report["cases"])


@pytest.mark.usefixtures("guardrails_present")
def test_suite__every_efficacy_case_carries_the_caveat(
    suite: tuple[int, dict[str, Any], Path],
) -> None:
    _, report, _ = suite
    missing = [c["id"] for c in report["cases"] if c["efficacy"] and not c["caveat_present"]]
    assert metric(report, "caveat_recall") == 1.0, missing


@pytest.mark.usefixtures("guardrails_present")
def test_suite__every_emergency_is_recognised(suite: tuple[int, dict[str, Any], Path]) -> None:
    _, report, _ = suite
    missed = [
        (c["id"], c["status"])
        for c in report["cases"]
        if c["expected_status"] == "emergency" and c["status"] != "emergency"
    ]
    assert metric(report, "emergency_recall") == 1.0, missed


def test_suite__exit_code_follows_thresholds(
    suite: tuple[int, dict[str, Any], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = suite
    failed = [t["metric"] for t in report["thresholds"] if t["status"] == "fail"]
    assert report["summary"]["failed_thresholds"] == failed
    assert code == (1 if failed else 0)
    assert {t["metric"] for t in report["thresholds"]} >= {
        "caveat_recall",
        "citation_validity",
        "emergency_recall",
        "hit_at_5",
        "efficacy_detection_false_positive_rate",
    }


def test_suite__report_holds_every_case_metric_and_detection_item(
    suite: tuple[int, dict[str, Any], Path],
) -> None:
    _, report, out = suite
    assert report["summary"]["cases"] == len(report["cases"]) >= 100
    assert report["efficacy_detection"]["n"] >= 100
    assert set(report["efficacy_detection"]["by_lang"]) >= {"en", "es"}
    for case in report["cases"]:
        assert {
            "id",
            "where",
            "question",
            "status",
            "scores",
            "failures",
            "passed",
            "latencies_ms",
        } <= case.keys()
    assert report["judge"]["enabled"] is False and report["judge"]["metrics"] == {}
    assert report["by_tag"] and all(v["n"] > 0 for v in report["by_tag"].values())
    assert metric(report, "latency_p95_ms") >= metric(report, "latency_p50_ms") > 0
    assert (out / "report.md").read_text(encoding="utf-8").startswith("# Eval report")


def test_suite__baselines_beside_the_hybrid_assistant(
    suite: tuple[int, dict[str, Any], Path],
) -> None:
    _, report, out = suite
    table = report["baselines"]
    assert [r["system"] for r in table["rows"]] == ["hybrid", "bm25", "dense", "langchain"]
    for row in table["rows"]:
        assert row["metrics"]["hit_at_5"] is not None and row["metrics"]["mrr"] is not None
    assert {(v["baseline"], v["metric"]) for v in table["verdicts"]} == {
        (b, m) for b in ("bm25", "dense", "langchain") for m in ("hit_at_5", "mrr")
    }
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "On Hit@5, the hybrid Assistant" in md and "LangChain Chroma retriever" in md


_LOADING = ("src", "href", "srcset", "data", "poster", "action", "xlink:href")


def test_html_report__is_self_contained(suite: tuple[int, dict[str, Any], Path]) -> None:
    _, _, out = suite
    soup = BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser")
    loads = [
        f"<{tag.name} {name}={value}>"
        for tag in soup.find_all(True)
        for name, value in tag.attrs.items()
        if name in _LOADING and re.search(r"(?:https?:)?//", str(value))
    ]
    assert not loads
    assert not soup.find_all(["link", "script", "img", "iframe", "object"])
    style = " ".join(s.get_text() for s in soup.find_all("style"))
    assert "@import" not in style and "url(" not in style
    assert len(soup.find_all("svg")) >= 3  # metric bars, baselines, latency, per tag
    headings = [h.get_text() for h in soup.find_all("h2")]
    assert any(h.startswith("Failed cases (") for h in headings)
    assert "Judge metrics (optional)" in headings
    # The report.json fields behind the page: every failed case has its row.
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    failed = next(h for h in soup.find_all("h2") if h.get_text().startswith("Failed cases"))
    assert failed.get_text() == f"Failed cases ({report['summary']['failed_cases']})"


def test_compare__adds_case_by_case_regressions_and_improvements(
    suite: tuple[int, dict[str, Any], Path], built_assistant: Assistant, tmp_path: Path
) -> None:
    _, report, _ = suite
    limit = 8
    better = next(c for c in report["cases"][:limit] if c["scores"]["status_correct"] == 1.0)
    old = copy.deepcopy(report)
    for case in old["cases"]:
        if case["id"] == better["id"]:
            case["scores"]["status_correct"] = 0.0
            case["passed"] = False
            case["status"] = "declined"
    old_path = tmp_path / "old" / "report.json"
    old_path.parent.mkdir()
    old_path.write_text(json.dumps(old), encoding="utf-8")
    out = tmp_path / "new"
    command.main(
        [
            "--limit",
            str(limit),
            "--no-efficacy-set",
            "--out",
            str(out),
            "--no-progress",
            "--compare",
            str(old_path),
        ],
        assistant=built_assistant,
    )
    new = json.loads((out / "report.json").read_text(encoding="utf-8"))
    comp = new["comparison"]
    assert better["id"] in [e["id"] for e in comp["improvements"]]
    assert comp["regressions"] == []
    assert len(comp["removed"]) == len(report["cases"]) - limit
    assert any(r["metric"] == "status_accuracy" for r in comp["metrics"])
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "## Regressions and improvements" in md and better["id"] in md


def test_compare__unreadable_old_report_exits_2(
    built_assistant: Assistant, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "report.json"
    bogus.write_text('{"not": "a report"}', encoding="utf-8")
    assert (
        command.main(
            ["--compare", str(bogus), "--out", str(tmp_path / "o")], assistant=built_assistant
        )
        == 2
    )
    assert "not a report.json" in capsys.readouterr().err


def test_retrieval_mode__indexes_any_corpus_and_scores_it(
    embedder: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    code = command.main(
        [
            "retrieval",
            "--corpus",
            str(EXAMPLES / "corpus.jsonl"),
            "--questions",
            str(EXAMPLES / "questions.jsonl"),
            "--out",
            str(out),
            "--baselines",
            "--no-progress",
        ],
        embedder=embedder,
    )
    assert code == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["kind"] == "retrieval"
    assert report["index"]["documents"] == 8 and report["index"]["build_seconds"] > 0
    knowledge = out / "index" / "knowledge"
    assert [p.name for p in knowledge.iterdir()] == ["corpus.jsonl"]
    assert metric(report, "hit_at_5") >= 0.9
    assert [r["system"] for r in report["baselines"]["rows"]] == [
        "hybrid",
        "bm25",
        "dense",
        "langchain",
    ]
    assert "index:" in capsys.readouterr().err  # index build progress is reported
    assert "8 documents from" in (out / "report.md").read_text(encoding="utf-8")
    assert (out / "report.html").exists()


# ---- a real deployment on loopback ------------------------------------------------------------
@pytest.fixture
def live_server(built_assistant: Assistant, tmp_path: Path) -> Iterator[str]:
    import uvicorn

    from assistant.server import create_app

    settings = built_assistant.settings.model_copy(
        update={
            "api_keys": "eval-key",
            "rate_limit_per_minute": 100_000,
            "audit_db_url": f"sqlite:///{tmp_path / 'audit.sqlite3'}",
        }
    )
    app = create_app(built_assistant, settings=settings, ui=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


@pytest.mark.server
def test_against__scores_a_deployment_over_http(
    live_server: str, suite: tuple[int, dict[str, Any], Path], tmp_path: Path
) -> None:
    out = tmp_path / "remote"
    command.main(
        [
            "--against",
            live_server,
            "--api-key",
            "eval-key",
            "--limit",
            "12",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["config"]["target"]["target"] == "http"
    assert "eval-key" not in (out / "report.json").read_text(encoding="utf-8")
    assert len(report["cases"]) == 12 and report["efficacy_detection"]["n"] == 12
    local = {c["id"]: c for c in suite[1]["cases"]}
    for case in report["cases"]:
        assert case["error"] is None
        assert case["status"] == local[case["id"]]["status"]
        assert case["scores"].get("hit_at_5") == local[case["id"]]["scores"].get("hit_at_5")
        assert not case.get("citations_unchecked")  # quotes checked against search passages
    assert metric(report, "citation_validity") == 1.0


@pytest.mark.server
def test_against__refused_key_exits_2(
    live_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = command.main(
        [
            "--against",
            live_server,
            "--api-key",
            "wrong",
            "--limit",
            "1",
            "--out",
            str(tmp_path / "x"),
            "--no-progress",
        ]
    )
    assert code == 2
    assert "refused" in capsys.readouterr().err
