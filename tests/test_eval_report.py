"""The eval report as a typed model: reading older report.json files, the JSON dump, and the
Markdown and HTML rendered from the package's templates. No index and no model needed."""

from __future__ import annotations

import json
import re
import tomllib
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pytest
from bs4 import BeautifulSoup, Tag

from assistant import charts
from assistant.evals.assemble import assemble
from assistant.evals.report import environment, render_html, render_markdown
from assistant.evals.report_model import (
    SCHEMA_VERSION,
    CaseResult,
    EvalReport,
    ReportError,
    load_report,
    parse_report,
)
from assistant.evals.runner import load_thresholds

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "eval"
PLAIN_V1 = FIXTURES / "report-v1.json"  # written by 'assistant eval' before the typed model
SIDE_BY_SIDE_V1 = FIXTURES / "report-v1-side-by-side.json"
TEMPLATES = (
    "report.md.j2",
    "run.md.j2",
    "side_by_side.md.j2",
    "report.html.j2",
    "run.html.j2",
    "side_by_side.html.j2",
)


def _raw(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def plain() -> EvalReport:
    return load_report(PLAIN_V1)


@pytest.fixture(scope="module")
def side_by_side() -> EvalReport:
    return load_report(SIDE_BY_SIDE_V1)


def _soup(report: EvalReport) -> BeautifulSoup:
    return BeautifulSoup(render_html(report), "html.parser")


def _tag(found: Any) -> Tag:
    """A tag that must be there (BeautifulSoup returns None when it is not)."""
    assert isinstance(found, Tag), found
    return found


# ---- reading and writing report.json ------------------------------------------------------
def test_load_report__version_1_reports_are_upgraded(
    plain: EvalReport, side_by_side: EvalReport
) -> None:
    assert plain.schema_version == side_by_side.schema_version == SCHEMA_VERSION
    raw = _raw(PLAIN_V1)["cases"][0]["baselines"]["bm25"]
    hit = plain.cases[0].baselines["bm25"]
    assert hit.retrieved == raw["retrieved"] and hit.scores["hit_at_5"] == raw["hit_at_5"]
    assert side_by_side.generative is not None and side_by_side.side_by_side is not None
    assert side_by_side.generative.cases[0].baselines["bm25"].retrieved == hit.retrieved
    assert side_by_side.run_label("generative") == "openai (scripted)"
    assert side_by_side.comparison is not None and side_by_side.comparison.unchanged == 3


def test_report_json__is_the_model_dump_and_reads_back(
    side_by_side: EvalReport, tmp_path: Path
) -> None:
    path = tmp_path / "report.json"
    path.write_text(side_by_side.to_json(), encoding="utf-8")
    data = _raw(path)
    assert data["schema_version"] == SCHEMA_VERSION
    assert list(data)[:3] == ["schema_version", "kind", "created"]
    assert data["side_by_side"]["thresholds"][1]["extractive"] == {"value": 1.0, "status": "pass"}
    assert load_report(path) == side_by_side


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema_version=99), "schema version 99 is not one"),
        (lambda d: d.pop("cases"), "not a report.json written by 'assistant eval'"),
        (lambda d: d["cases"][0].update(passed="maybe"), "cases[0].passed: Input should be"),
        (lambda d: d["summary"].pop("cases"), "summary.cases: Field required"),
        (lambda d: d["summary"].update(extra_field=1), "summary.extra_field: Extra inputs"),
    ],
)
def test_load_report__unreadable_reports_say_why(tmp_path: Path, change: Any, message: str) -> None:
    data = _raw(PLAIN_V1)
    change(data)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ReportError, match=re.escape(message)) as caught:
        load_report(path)
    assert str(caught.value).startswith(str(path))


def test_parse_report__does_not_change_its_input() -> None:
    data = _raw(PLAIN_V1)
    parse_report(data)
    assert data == _raw(PLAIN_V1)


# ---- templates ----------------------------------------------------------------------------
def test_templates__ship_with_the_package_and_jinja2_is_pinned() -> None:
    folder = resources.files("assistant.evals").joinpath("templates")
    assert all(folder.joinpath(name).is_file() for name in TEMPLATES)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "templates/*.j2" in project["tool"]["setuptools"]["package-data"]["assistant.evals"]
    assert f"jinja2=={jinja2.__version__}" in project["project"]["dependencies"]


def test_templates__a_misspelt_field_fails_the_render(plain: EvalReport) -> None:
    for html in (True, False):
        with pytest.raises(jinja2.UndefinedError):
            environment(html).from_string("{{ report.sumary.passed }}").render(report=plain)


def test_html__is_autoescaped_and_markdown_is_not(plain: EvalReport) -> None:
    report = plain.model_copy(deep=True)
    report.cases[2].question = "<b>bold</b> | piped"
    assert report.efficacy_detection is not None
    report.efficacy_detection.items[0].correct = False
    report.efficacy_detection.items[0].question = "a <i>b</i> | c"
    soup = _soup(report)
    failed = _tag(soup.find("h2", string=re.compile("^Failed cases")))
    row = _tag(_tag(failed.find_next("tbody")).find("tr"))
    assert row.find("b") is None
    assert row.find_all("td")[1].get_text() == "<b>bold</b> | piped"
    md = render_markdown(report)
    assert "- Question: <b>bold</b> | piped" in md
    assert "| a <i>b</i> \\| c |" in md  # a table cell: the pipe is escaped


# ---- what the reports show ----------------------------------------------------------------
def test_markdown__plain_run_sections(plain: EvalReport) -> None:
    md = render_markdown(plain)
    headings = re.findall(r"^(#+ .*)$", md, re.M)
    assert headings[:8] == [
        "# Eval report (suite)",
        "## Thresholds",
        "## Metrics",
        "## Baselines (retrieval)",
        "## Efficacy detection",
        "## By tag",
        "## Failed cases (1)",
        "### wiki-definition-03 (evals/cases.yaml:21)",
    ]
    assert headings[-1] == "## Judge metrics (optional, never gate a run)"
    assert "| Citation validity | ≥ 100.0% | 100.0% | PASS |" in md
    assert "- Result: **PASSED**" in md and "\n\n\n" not in md


def test_html__plain_run_sections_and_charts(plain: EvalReport) -> None:
    soup = _soup(plain)
    assert [h.get_text() for h in soup.find_all("h2")] == [
        "Thresholds",
        "Metrics",
        "Baselines: retrieval on the same cases",
        "Latency",
        "By tag",
        "Efficacy-question detection",
        "Failed cases (1)",
        "Judge metrics (optional)",
        "Configuration",
    ]
    assert [svg["aria-label"] for svg in soup.find_all("svg")] == [
        "Metric values",
        "Retrieval: Assistant vs baselines",
        "Latency histogram",
        "Share of cases passing, per tag",
    ]
    thresholds = _tag(_tag(soup.find("h2", string="Thresholds")).find_next("table"))
    row = next(tr for tr in thresholds.find_all("tr") if tr.td and tr.td.get_text() == "Hit@5")
    assert [td.get_text() for td in row.find_all("td")][1:4] == ["≥ 90.0%", "100.0%", "PASS"]
    assert row.find("span", class_="pass") is not None
    config = json.loads(_tag(soup.find("pre")).get_text())
    assert config["target"]["target"] == "in-process"


def test_html__side_by_side_sections(side_by_side: EvalReport) -> None:
    soup = _soup(side_by_side)
    assert _tag(soup.find("h1")).get_text() == "Eval report: suite, extractive vs openai (scripted)"
    assert [h.get_text() for h in soup.find_all("h2")] == [
        "Side by side: extractive vs generative",
        "Extractive run",
        "Generative run: openai (scripted)",
    ]
    h3 = [h.get_text() for h in soup.find_all("h3")]
    assert h3[:5] == [
        "Thresholds",
        "Metrics",
        "What the model did (openai run)",
        "Latency",
        "Cases that differ (1 worse, 0 better with the generator, 2 unchanged)",
    ]
    assert h3.count("Regressions and improvements") == 1  # only the extractive run compared
    metrics = _tag(_tag(soup.find("h3", string="Metrics")).find_next("table"))
    assert len(_tag(metrics.find("tbody")).find_all("tr")) == len(side_by_side.metrics)
    assert len(soup.find_all("svg")) == 7  # side by side, then 3 per run


def test_markdown__side_by_side_sections(side_by_side: EvalReport) -> None:
    md = render_markdown(side_by_side)
    assert md.startswith("# Eval report (suite): extractive vs openai (scripted)\n")
    assert "| Citation validity | ≥ 100.0% | 100.0% PASS | 100.0% PASS |" in md
    assert "| written by the model (verified) | 1 | 0 | 1 |" in md
    assert "- Worse: **wiki-definition-02**: passed 1.00→0.00, status 1.00→0.00." in md
    assert "## Extractive run" in md and "## Generative run: openai (scripted)" in md


# ---- the chart module ---------------------------------------------------------------------
def test_charts__are_well_formed_and_escape_their_text() -> None:
    bars = charts.share_bars(
        [charts.Bar("a <&>", 0.5, 0.9, "fail", "50%"), charts.Bar("b", None)], "t"
    )
    grouped = charts.grouped_share_bars(["g"], [("s <1>", [0.2]), ("s2", [None])], "g")
    for svg in (bars, grouped, charts.histogram([1.0, 2.0, 2.5], "h"), charts.histogram([], "e")):
        root = ET.fromstring(svg)
        assert root.tag == "svg" and "xmlns" not in svg  # inline: no namespace URL
    assert "a &lt;&amp;&gt;" in bars and charts.FAIL in bars


# ---- reading level by language ------------------------------------------------------------
@pytest.fixture(scope="module")
def reading() -> EvalReport:
    records = [
        CaseResult(id="nl-1", language="nl", summary="Een kliniek beantwoordt dit."),
        CaseResult(
            id="nl-2",
            language="nl",
            summary="Perifere zenuwdecompressie vertoonde heterogene effectiviteit.",
        ),
        CaseResult(id="en-1", summary="A clinic answers this."),
    ]
    return assemble(
        kind="suite",
        config={},
        records=records,
        detection=[],
        baselines=[],
        thresholds=load_thresholds(ROOT / "evals" / "thresholds.yaml"),
    )


def test_reading_section__each_language_with_its_band_and_threshold(reading: EvalReport) -> None:
    md = render_markdown(reading)
    section = md.split("## Reading level by language\n", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in section.splitlines() if "Dutch lead (hardest)" in line)
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[0] == "Dutch lead (hardest): Flesch-Douma"
    assert cells[1].endswith("(very difficult)") and cells[2] == "2"
    assert cells[3:5] == ["≥ 60.0", "FAIL"]
    assert "lead_reading_ease_min_nl" in reading.summary.failed_thresholds
    assert "| Lead: reading grade (highest) |" in section
    metrics = md.split("## Metrics\n", 1)[1].split("\n## ", 1)[0]
    assert "Flesch-Douma" not in metrics and "reading grade" not in metrics


def test_reading_section__html_marks_a_failing_bound(reading: EvalReport) -> None:
    soup = _soup(reading)
    table = _tag(_tag(soup.find("h2", string="Reading level by language")).find_next("table"))
    row = next(
        tr for tr in table.find_all("tr") if tr.td and tr.td.get_text().startswith("Dutch lead (h")
    )
    assert row.find("span", class_="fail") is not None
    labels = [tr.td.get_text() for tr in table.find_all("tr") if tr.td]
    assert len([x for x in labels if x.startswith("Dutch")]) == 5
    assert len(labels) == 5 * 7  # five figures in each of the seven languages
