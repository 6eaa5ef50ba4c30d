"""``assistant eval --generator``: the suite run extractive and generative on one index, with a
scripted OpenAI-compatible model server on 127.0.0.1, and the report showing both side by side."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from bs4 import BeautifulSoup

from assistant.evals import command, suite
from assistant.evals.report import render_html, render_markdown, summary_lines
from assistant.evals.report_model import EvalReport
from assistant.evals.side_by_side import classify, combine, generator_outcomes
from assistant.service import Assistant
from assistant.settings import Settings
from tests.openai_stub import read_body, send_reply

ROOT = Path(__file__).resolve().parent.parent
SECRET = "sk-test-NEVER-IN-A-REPORT"

# A mix of what the suite asks: a fact, an efficacy question, two follow-ups (the model
# rewrites them), an emergency and an out-of-scope question; the seventh is cut by --limit 6.
CASE_IDS = (
    "wiki-definition-01",
    "eff-migone-01",
    "migone-followup-01",
    "eff-followup-01",
    "emergency-01",
    "oos-03",
    "wiki-definition-02",
)
LIMIT = 6
GARBAGE = "asdf qwer zxcv ]][[ {{}} ###"


# ---- a scripted OpenAI-compatible chat endpoint ------------------------------------------------
def _first_sentence(prompt: str) -> str | None:
    """A sentence of passage [1], copied word for word and cited: what a faithful model writes."""
    match = re.search(r"^\[1\] [^\n]*\n(.*?)(?:\n\n\[2\] |\n\nQuestion: )", prompt, re.S | re.M)
    if not match:
        return None
    for sentence in re.split(r"(?<=[.!?])\s+", match.group(1)):
        sentence = sentence.strip()
        if len(sentence.split()) >= 6 and "\n" not in sentence and sentence[0].isalpha():
            return sentence.rstrip(".!?") + " [1]."
    return None


def _reply(mode: str, prompt: str) -> str:
    if mode == "garbage":
        return GARBAGE
    if "Standalone question:" in prompt:  # the follow-up rewrite prompt
        return "How do I bake banana bread?" if mode == "off-topic-rewrites" else "NOT_IN_SOURCES"
    return _first_sentence(prompt) or "NOT_IN_SOURCES"


class _Model(BaseHTTPRequestHandler):
    mode: ClassVar[str] = "faithful"
    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = read_body(self)
        prompt = str(body["messages"][-1]["content"])
        type(self).seen.append({"auth": self.headers.get("Authorization"), "prompt": prompt})
        send_reply(self, body, _reply(self.mode, prompt))

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def model_server() -> Iterator[str]:
    _Model.mode = "faithful"
    _Model.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Model)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture
def cases_file(tmp_path: Path) -> Path:
    every = yaml.safe_load((ROOT / "evals" / "cases.yaml").read_text(encoding="utf-8"))
    by_id = {c["id"]: c for c in every}
    path = tmp_path / "cases.yaml"
    path.write_text(yaml.safe_dump([by_id[i] for i in CASE_IDS], sort_keys=False), "utf-8")
    return path


@pytest.fixture
def one_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the eval loads a second embedding model: both runs share the test's."""

    def second_model(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the eval loaded a second embedding model")

    monkeypatch.setattr("assistant.service.make_embedder", second_model)
    for key in ("GENERATOR", "LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY", "LLM_TIMEOUT_S"):
        monkeypatch.delenv(f"ASSISTANT_{key}", raising=False)


def _run(
    assistant: Assistant, url: str, cases: Path, out: Path, *extra: str
) -> tuple[int, dict[str, Any]]:
    code = command.main(
        [
            "--cases",
            str(cases),
            "--generator",
            "openai",
            "--llm-base-url",
            url,
            "--llm-model",
            "scripted",
            "--llm-api-key",
            SECRET,
            "--llm-timeout-s",
            "10",
            "--limit",
            str(LIMIT),
            "--out",
            str(out),
            "--no-progress",
            *extra,
        ],
        assistant=assistant,
    )
    return code, json.loads((out / "report.json").read_text(encoding="utf-8"))


def _value(report: dict[str, Any], name: str) -> Any:
    return report["metrics"][name]["value"]


def _assert_guarantees_hold_in_both_runs(report: dict[str, Any]) -> None:
    for run in (report, report["generative"]):
        assert _value(run, "citation_validity") == 1.0, [
            (c["id"], c.get("citation_problems")) for c in run["cases"]
        ]
        assert _value(run, "caveat_recall") == 1.0
        assert run["metrics"]["caveat_recall"]["n"] == 2  # eff-migone-01, eff-followup-01
        assert not any(c.get("citations_unchecked") for c in run["cases"])
    rows = {r["metric"]: r for r in report["side_by_side"]["thresholds"]}
    for name in ("citation_validity", "caveat_recall"):
        assert rows[name]["extractive"] == {"value": 1.0, "status": "pass"}
        assert rows[name]["generative"] == {"value": 1.0, "status": "pass"}


# ---- the side-by-side run ----------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.usefixtures("one_model")
def test_side_by_side__faithful_model_writes_answers_and_both_runs_are_reported(
    built_assistant: Assistant,
    model_server: str,
    cases_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "run"
    code, report = _run(built_assistant, model_server, cases_file, out)
    gen = report["generative"]
    sbs = report["side_by_side"]

    # --limit applies to both runs: the same 6 cases and 6 detection questions in each.
    ids = [c["id"] for c in report["cases"]]
    assert ids == list(CASE_IDS[:LIMIT]) == [c["id"] for c in gen["cases"]]
    assert report["efficacy_detection"]["n"] == gen["efficacy_detection"]["n"] == LIMIT
    assert all(c.get("generator") == "extractive" for c in report["cases"])
    assert report["config"]["target"]["generator"] == "none"
    assert gen["config"]["target"]["generator"] == "openai"
    assert gen["config"]["target"]["llm_model"] == "scripted"

    _assert_guarantees_hold_in_both_runs(report)
    # Every metric in two columns.
    assert [r["metric"] for r in sbs["metrics"]] == list(report["metrics"])
    for row in sbs["metrics"]:
        assert row["extractive"] == report["metrics"][row["metric"]]["value"]
        assert row["generative"] == gen["metrics"][row["metric"]]["value"]

    # The model wrote answers, each counted; the out-of-scope one needed no model call.
    o = sbs["generator_outcomes"]
    assert o["all"]["generated"] >= 2, o
    assert o["cases"]["no_model_call"] >= 1  # oos-03: nothing in the sources
    assert o["all"]["error"] == 0
    assert sum(o["cases"].values()) == LIMIT and sum(o["detection"].values()) == LIMIT
    assert o["model_asked"] == o["all"]["generated"] + o["all"]["fallback"]
    written = [c for c in gen["cases"] if c["generator"] == "openai"]
    assert len(written) == o["cases"]["generated"]
    assert all(c["answer"].rstrip().endswith("].") for c in written)
    assert any(c["status"] == "answered" and c["citations"] for c in written)
    assert o["by_status"]["no_evidence"]["no_model_call"] == 1
    assert sbs["warnings"] == []

    # Latency of each run, and the model's time shows in the generative compose step.
    for name in ("extractive", "generative"):
        lat = sbs["latency"][name]
        assert lat["p50_ms"] > 0 and lat["p95_ms"] >= lat["p50_ms"] and lat["seconds"] > 0
        assert lat["samples"] == LIMIT and lat["compose_p50_ms"] is not None

    # Both runs passed; the exit status says so.
    assert report["summary"]["runs"] == {
        "extractive": {"passed": True, "failed_thresholds": []},
        "generative": {"passed": True, "failed_thresholds": []},
    }
    assert code == 0 and report["summary"]["passed"] is True

    # The model server got the key; no report file and no output holds it.
    assert {s["auth"] for s in _Model.seen} == {f"Bearer {SECRET}"}
    printed = capsys.readouterr()
    for text in [*(p.read_text("utf-8") for p in out.iterdir()), printed.out, printed.err]:
        assert SECRET not in text
    command_line = report["config"]["command"]
    assert command_line[command_line.index("--llm-api-key") + 1] == "***"

    md = (out / "report.md").read_text("utf-8")
    assert "## Side by side: extractive vs generative" in md
    assert "| Citation validity | ≥ 100.0% | 100.0% PASS | 100.0% PASS |" in md
    assert "| Caveat recall | ≥ 100.0% | 100.0% PASS | 100.0% PASS |" in md
    assert "| Metric | Extractive | Generative |" in md.replace("| Group ", "")
    assert "### What the model did (openai run)" in md
    assert f"| written by the model (verified) | {o['cases']['generated']} |" in md
    assert "## Extractive run" in md and "## Generative run: openai (scripted)" in md
    soup = BeautifulSoup((out / "report.html").read_text("utf-8"), "html.parser")
    headings = [h.get_text() for h in soup.find_all(["h2", "h3"])]
    assert "Side by side: extractive vs generative" in headings
    assert "What the model did (openai run)" in headings
    assert {"Extractive run", "Generative run: openai (scripted)"} <= set(headings)
    assert "wrote" in printed.out and "citation_validity: extractive 100.0%" in printed.out


@pytest.mark.slow
@pytest.mark.usefixtures("one_model")
def test_side_by_side__garbage_model_falls_back_every_time_and_is_counted(
    built_assistant: Assistant,
    model_server: str,
    cases_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _Model.mode = "garbage"
    out = tmp_path / "run"
    _, report = _run(built_assistant, model_server, cases_file, out, "--no-efficacy-set")
    gen = report["generative"]
    o = report["side_by_side"]["generator_outcomes"]
    assert o["all"]["generated"] == 0
    assert o["all"]["fallback"] == o["model_asked"] >= 2
    assert o["fallback_reasons"] == {"only N of N sentences were supported": o["model_asked"]}
    assert o["model_written_share"] == 0.0
    fallbacks = [c for c in gen["cases"] if c["generator"] != "extractive"]
    assert fallbacks and all(
        c["generator"].startswith("extractive (fallback from openai: only 0 of ") for c in fallbacks
    )
    assert not any(GARBAGE[:4] in (c["answer"] or "") for c in gen["cases"])
    _assert_guarantees_hold_in_both_runs(report)
    warnings = report["side_by_side"]["warnings"]
    assert len(warnings) == 1 and "wrote none" in warnings[0]
    assert "| fell back to the extractive answer |" in (out / "report.md").read_text("utf-8")
    assert "warning: the model (openai) wrote none" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.usefixtures("one_model")
def test_side_by_side__threshold_failing_only_in_the_generative_run_fails_the_command(
    built_assistant: Assistant,
    model_server: str,
    cases_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A model that rewrites every follow-up into an unrelated question: the follow-ups find
    # nothing and the generative run misses their status, the extractive run does not.
    _Model.mode = "off-topic-rewrites"
    thresholds = tmp_path / "thresholds.yaml"
    thresholds.write_text(
        "citation_validity: {min: 1.0}\ncaveat_recall: {min: 1.0}\nstatus_accuracy: {min: 1.0}\n",
        "utf-8",
    )
    out = tmp_path / "run"
    code, report = _run(
        built_assistant,
        model_server,
        cases_file,
        out,
        "--no-efficacy-set",
        "--thresholds",
        str(thresholds),
    )
    assert code == 1
    assert report["summary"]["runs"]["extractive"] == {"passed": True, "failed_thresholds": []}
    assert report["summary"]["runs"]["generative"]["failed_thresholds"] == ["status_accuracy"]
    assert report["summary"]["failed_thresholds"] == ["status_accuracy (generative)"]
    followups = {c["id"]: c for c in report["generative"]["cases"] if c["history"]}
    assert followups["migone-followup-01"]["status"] == "no_evidence"
    assert followups["migone-followup-01"]["standalone_question"] == "How do I bake banana bread?"
    worse = {e["id"] for e in report["side_by_side"]["differences"]["worse"]}
    assert "migone-followup-01" in worse
    printed = capsys.readouterr().out
    assert "FAILED thresholds: status_accuracy (generative)" in printed
    assert "FAIL status_accuracy: extractive 100.0%, generative" in printed
    md = (out / "report.md").read_text("utf-8")
    assert re.search(r"\| Status accuracy \| ≥ 100\.0% \| 100\.0% PASS \| [\d.]+% FAIL \|", md)


@pytest.mark.slow
@pytest.mark.usefixtures("one_model")
def test_side_by_side__generator_without_a_model_name_exits_2_before_running(
    built_assistant: Assistant, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    code = command.main(
        ["--generator", "openai", "--llm-base-url", "http://127.0.0.1:9/v1", "--out", str(out)],
        assistant=built_assistant,
    )
    assert code == 2
    assert "ASSISTANT_LLM_MODEL" in capsys.readouterr().err
    assert not out.exists()


# ---- fast checks: options, redaction, counting -------------------------------------------------
def test_generator_options__need_the_in_process_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = command.main(
        [
            "--against",
            "http://127.0.0.1:9",
            "--api-key",
            "k",
            "--generator",
            "openai",
            "--out",
            str(tmp_path / "x"),
        ]
    )
    assert code == 2
    assert "--generator need the in-process mode" in capsys.readouterr().err


def test_generator_options__timeout_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert command.main(["--generator", "openai", "--llm-timeout-s", "0"]) == 2
    assert "must be more than 0 seconds" in capsys.readouterr().err


@pytest.mark.usefixtures("one_model")
def test_plan__both_runs_share_one_model_and_one_store(tmp_path: Path) -> None:
    model, store = object(), object()
    url = "http://127.0.0.1:9/v1"

    def plan(assistant: Assistant, **llm: Any) -> tuple[Any, Any, list[Any]]:
        return suite.plan(assistant, suite.LlmOptions(**llm))

    plain = Assistant(Settings(data_dir=tmp_path), embedder=model, store=store)  # type: ignore[arg-type]
    ext, gen, made = plan(plain, generator="ollama", llm_model="llama3", llm_timeout_s=60.0)
    assert ext is plain and made == [gen]
    assert (gen.settings.generator, gen.settings.llm_model, gen.settings.llm_timeout_s) == (
        "ollama",
        "llama3",
        60.0,
    )
    assert gen.embedder is model and gen.store is store
    assert gen.settings.data_dir == plain.settings.data_dir
    assert plan(plain) == (plain, None, [])

    # An Assistant configured with a generator: it is the generative run; the extractive run
    # gets a copy without one, on the same model and store.
    configured = Assistant(
        Settings(data_dir=tmp_path, generator="openai", llm_model="m", llm_base_url=url),
        embedder=model,  # type: ignore[arg-type]
        store=store,  # type: ignore[arg-type]
    )
    ext, gen, made = plan(configured)
    assert gen is configured and made == [ext] and ext.settings.generator == "none"
    assert ext.embedder is model and ext.store is store
    ext, gen, made = plan(configured, generator="none")
    assert gen is None and ext.settings.generator == "none"


def test_redacted__hides_keys_and_url_passwords() -> None:
    argv = [
        "--llm-api-key",
        "sk-1",
        "--llm-api-key=sk-2",
        "--api-key",
        "k3",
        "--llm-base-url",
        "https://user:pw@llm.example/v1",
        "--against=http://u:p@host:8000",
        "--limit",
        "5",
    ]
    assert suite.redacted(argv) == [
        "--llm-api-key",
        "***",
        "--llm-api-key=***",
        "--api-key",
        "***",
        "--llm-base-url",
        "https://llm.example/v1",
        "--against=http://host:8000",
        "--limit",
        "5",
    ]


def test_classify__answers_of_a_generative_run() -> None:
    assert classify("openai", "openai") == ("generated", None)
    assert classify("extractive", "openai") == ("no_model_call", None)
    assert classify(None, "openai") == ("error", None)
    assert classify(
        "extractive (fallback from openai: only 1 of 3 sentences were supported)", "openai"
    ) == ("fallback", "only N of N sentences were supported")
    assert classify("extractive (fallback from openai: TimeoutError)", "openai") == (
        "fallback",
        "TimeoutError",
    )


def _run_report(generators: list[str | None], failed: list[str]) -> EvalReport:
    cases = [
        {
            "id": f"c{i}",
            "question": "q",
            "passed": True,
            "scores": {"citation_validity": 1.0},
            "generator": g,
            "status": "answered" if g else None,
            "efficacy": False,
            "expected_status": "answered",
            "history": [],
            "expected_docs": [],
            "expected_support": [],
            "failures": [],
            "latencies_ms": [10.0 * (i + 1)],
            "server_timings_ms": {"compose": 1.0 + i},
        }
        for i, g in enumerate(generators)
    ]
    threshold = {
        "metric": "citation_validity",
        "label": "Citation validity",
        "min": 1.0,
        "max": None,
        "value": 1.0,
        "where": "thresholds.yaml:1",
        "status": "fail" if failed else "pass",
    }
    return EvalReport.model_validate(
        {
            "kind": "suite",
            "created": "2026-01-01T00:00:00+00:00",
            "config": {
                "target": {
                    "target": "in-process",
                    "knowledge_dir": "knowledge",
                    "generator": "none"
                    if generators == ["extractive"] * len(generators)
                    else "openai",
                    "llm_model": "m",
                },
                "seconds": 1.5,
            },
            "summary": {
                "passed": not failed,
                "failed_thresholds": failed,
                "cases": len(cases),
                "failed_cases": 0,
                "detection_items": 0,
                "detection_errors": 0,
            },
            "metrics": {
                "citation_validity": {"value": 1.0, "n": len(cases)},
                "latency_p50_ms": {"value": 20.0, "n": len(cases)},
            },
            "metric_info": {
                "citation_validity": {
                    "label": "Citation validity",
                    "group": "citations",
                    "description": "d",
                },
                "latency_p50_ms": {"label": "Latency p50", "group": "latency", "description": "d"},
            },
            "thresholds": [threshold],
            "by_tag": {},
            "baselines": None,
            "efficacy_detection": None,
            "judge": {"enabled": False, "reason": "none", "generators": [], "metrics": {}},
            "warnings": [],
            "cases": cases,
            "comparison": None,
        }
    )


def test_combine__counts_outcomes_and_fails_when_either_run_fails(tmp_path: Path) -> None:
    fallback = "extractive (fallback from openai: the model found nothing in the sources)"
    ext = _run_report(["extractive"] * 4, [])
    gen = _run_report(["openai", fallback, "extractive", None], ["citation_validity"])
    report = combine(ext, gen)
    assert report.side_by_side is not None
    o = report.side_by_side.generator_outcomes
    assert o.cases == {
        "generated": 1,
        "fallback": 1,
        "no_model_call": 1,
        "error": 1,
        "other": 0,
    }
    assert o.model_written_share == 0.5
    assert o.fallback_reasons == {"the model found nothing in the sources": 1}
    assert report.summary.passed is False
    assert report.summary.failed_thresholds == ["citation_validity (generative)"]
    assert report.side_by_side.latency["generative"].compose_p50_ms == 2.5
    assert report.generative is not None
    assert report.cases == ext.cases and report.generative.cases == gen.cases
    assert generator_outcomes(gen, "openai") == o
    lines = summary_lines(report)
    assert lines[0].startswith("FAILED: 4 cases in each of 2 runs")
    assert "FAIL citation_validity: extractive 100.0%, generative 100.0% FAIL" in lines[1]
    md = render_markdown(report)
    assert "| Citation validity | ≥ 100.0% | 100.0% PASS | 100.0% FAIL |" in md
    assert "- Result: **FAILED** (failed: citation_validity (generative))" in md
    banner = BeautifulSoup(render_html(report), "html.parser").find("div", class_="banner")
    assert banner is not None and banner.get_text() == "FAILED: Citation validity (generative)"
    assert "fail-bg" in banner["class"]
    # The exit status follows the combined verdict.
    assert suite.finish(report, tmp_path / "out", None) == command.EXIT_THRESHOLD
    passing = combine(ext, _run_report(["openai"] * 4, []))
    assert suite.finish(passing, tmp_path / "o2", None) == command.EXIT_OK
    # --compare against an earlier side-by-side run compares each run with its counterpart.
    again = combine(ext, _run_report(["openai"] * 4, []))
    suite.finish(again, tmp_path / "o3", (tmp_path / "old.json", report))
    assert again.comparison is not None and again.generative is not None
    assert again.comparison.old_report == str(tmp_path / "old.json")
    assert again.generative.comparison is not None
    assert again.generative.comparison.old_report.endswith("(generative run)")
    md = (tmp_path / "o3" / "report.md").read_text("utf-8")
    assert md.count("### Regressions and improvements") == 2
