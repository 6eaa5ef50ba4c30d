"""Write a run's report.json, report.md and a self-contained report.html, and the terminal lines.

report.json is the :class:`~assistant.evals.report_model.EvalReport` dump. report.md and
report.html are rendered from Jinja2 templates over the same model (``templates/`` in this
package, read with importlib.resources so that an installed wheel has them): HTML with
autoescaping, Markdown without (its table cells go through the ``cell`` filter). Both use
StrictUndefined, so a misspelt field fails the render instead of printing nothing. Nothing here
computes a result: the formatting helpers below turn numbers into text and draw the charts.

The HTML has no external resources (no scripts, stylesheets, fonts or images to load): charts
are inline SVG from :mod:`assistant.charts`, so the file can be mailed or opened offline.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from jinja2 import Environment, FunctionLoader, StrictUndefined
from markupsafe import Markup

from assistant import charts
from assistant.evals.metrics import METRICS
from assistant.evals.readability import FORMULAS
from assistant.evals.report_model import (
    GENERATIVE_SUFFIX,
    BaselineTable,
    CaseChange,
    CaseResult,
    EvalReport,
    IndexInfo,
    SideBySide,
    Verdict,
)

TEMPLATE_PACKAGE = "assistant.evals"
TEMPLATE_FOLDER = "templates"


class _Bounds(Protocol):
    min: float | None
    max: float | None


# ---- formatting ---------------------------------------------------------------------------
def _unit(name: str) -> str:
    return METRICS[name].unit if name in METRICS else "score"


def _number(name: str, value: float, signed: bool) -> str:
    """A value (or a difference, ``signed``) in the metric's unit: %, ms, score or ease."""
    sign = "+" if signed else ""
    unit = _unit(name)
    if unit == "ms":
        return f"{value:{sign}.1f} ms"
    if unit == "score":
        return f"{value:{sign}.3f}"
    if unit == "ease":
        return f"{value:{sign}.1f}"
    return f"{100 * value:{sign}.1f}" + (" pts" if signed else "%")


def _band(name: str, value: float) -> str:
    """The band of a reading-ease figure in its formula author's table ("" for other units)."""
    spec = METRICS.get(name)
    if spec is None or spec.unit != "ease" or spec.language not in FORMULAS:
        return ""
    band = FORMULAS[spec.language].band(value)
    return f" ({band.label})" if band is not None else ""


def fmt(name: str, value: float | None) -> str:
    """A metric value as a reviewer reads it: shares as percentages, times in ms, reading
    ease with its band."""
    if value is None:
        return "n/a"
    return _number(name, value, signed=False) + _band(name, value)


def fmt_bound(name: str, t: _Bounds) -> str:
    parts = []
    if t.min is not None:
        parts.append(f"≥ {_number(name, t.min, signed=False)}")
    if t.max is not None:
        parts.append(f"≤ {_number(name, t.max, signed=False)}")
    return " and ".join(parts)


def fmt_diff(name: str, diff: float | None) -> str:
    return "—" if diff is None else _number(name, diff, signed=True)


def label(name: str) -> str:
    return METRICS[name].label if name in METRICS else name


def verdict_sentence(v: Verdict) -> str:
    if v.outcome == "beats":
        how = f"beats {v.label} by {fmt_diff(v.metric, v.difference)}"
    elif v.outcome == "ties":
        how = f"ties with {v.label}"
    else:
        behind = fmt_diff(v.metric, -v.difference).lstrip("+")
        how = f"does NOT beat {v.label}: behind by {behind}"
    return (
        f"On {label(v.metric)}, the hybrid Assistant {how} "
        f"({fmt(v.metric, v.hybrid)} vs {fmt(v.metric, v.baseline_value)})."
    )


def index_summary(index: IndexInfo) -> str:
    """One line on the index built for an any-corpus run."""
    text = (
        f"{index.documents} documents from {index.corpus}, {index.chunks} chunks "
        f"({index.chunks_embedded} embedded, {index.chunks_reused} reused), built in "
        f"{index.build_seconds:.1f} s in {index.folder}"
    )
    if index.errors:
        text += f"; {len(index.errors)} document(s) could not be read"
    return text


def status_word(status: str) -> str:
    return status.upper() if status != "not measured" else status


def changed(change: CaseChange) -> str:
    """The scores of a case that changed, as "status 1.00→0.00, hit@5 0.00→1.00"."""
    return ", ".join(f"{c.what} {c.old:.2f}→{c.new:.2f}" for c in change.changes)


def failed_names(names: Iterable[str]) -> str:
    """Failed thresholds by label, a generative run's marked: "Caveat recall (generative)"."""
    return ", ".join(
        label(n.removesuffix(GENERATIVE_SUFFIX))
        + (GENERATIVE_SUFFIX if n.endswith(GENERATIVE_SUFFIX) else "")
        for n in names
    )


def _predicted(value: bool | None) -> str:
    return "error" if value is None else ("efficacy" if value else "not efficacy")


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} s"


def _top_retrieved(case: CaseResult) -> str:
    return ", ".join(dict.fromkeys(case.retrieved[:5]))


def _cell(text: Any) -> str:
    """A Markdown table cell: pipes escaped, on one line."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _slowest(run: EvalReport, n: int = 10) -> list[CaseResult]:
    return sorted(run.cases, key=lambda c: -(c.latency_p95_ms or 0))[:n]


def _latencies(run: EvalReport) -> list[float]:
    return [x for c in run.cases for x in c.latencies_ms]


# ---- charts (inline SVG, drawn by assistant.charts) ---------------------------------------
def _is_share(name: str) -> bool:
    return name in METRICS and METRICS[name].unit in ("", "score")


def _metric_bars(run: EvalReport) -> Markup:
    bars = []
    for name, result in run.metrics.items():
        if not _is_share(name):
            continue
        t = run.threshold(name)
        limit = None if t is None else (t.min if t.min is not None else t.max)
        status = None if t is None else t.status
        bars.append(charts.Bar(label(name), result.value, limit, status, fmt(name, result.value)))
    return Markup(charts.share_bars(bars, "Metric values"))


def _tag_bars(run: EvalReport) -> Markup:
    def rate(item: tuple[str, Any]) -> tuple[float, str]:
        value = item[1].metrics["case_pass_rate"].value
        return (value if value is not None else -1.0), item[0]

    bars = [
        charts.Bar(f"{tag} (n={group.n})", value, text=fmt("case_pass_rate", value))
        for tag, group in sorted(run.by_tag.items(), key=rate)
        for value in [group.metrics["case_pass_rate"].value]
    ]
    return Markup(charts.share_bars(bars, "Share of cases passing, per tag"))


def _baseline_bars(base: BaselineTable) -> Markup:
    wanted = ("hit_at_1", "hit_at_5", "hit_at_10", "recall_at_5", "mrr")
    shown = [n for n in wanted if n in base.metrics]
    series = [(r.label, [r.metrics.get(n) for n in shown]) for r in base.rows]
    return Markup(
        charts.grouped_share_bars(
            [label(n) for n in shown], series, "Retrieval: Assistant vs baselines"
        )
    )


def _side_by_side_bars(sbs: SideBySide) -> Markup:
    rates = [r for r in sbs.metrics if r.unit in ("", "score")]
    series: list[tuple[str, Sequence[float | None]]] = [
        (run.label, [getattr(r, run.name) for r in rates]) for run in sbs.runs
    ]
    return Markup(
        charts.grouped_share_bars(
            [r.label for r in rates], series, "Metrics: extractive vs generative"
        )
    )


def _latency_histogram(values: Sequence[float]) -> Markup:
    return Markup(charts.histogram(values, "Latency histogram"))


# ---- templates ----------------------------------------------------------------------------
def _template_source(name: str) -> tuple[str, str, Callable[[], bool]] | None:
    """A template's text from the installed package (None: no such template)."""
    path = resources.files(TEMPLATE_PACKAGE).joinpath(TEMPLATE_FOLDER, name)
    if not path.is_file():
        return None
    # The name is what a traceback shows; templates of an installed package do not change.
    return path.read_text(encoding="utf-8"), f"{TEMPLATE_FOLDER}/{name}", lambda: True


# What the report templates call: the formatting helpers and the charts...
_TEMPLATE_GLOBALS: dict[str, Callable[..., Any]] = dict(
    fmt=fmt,
    fmt_bound=fmt_bound,
    fmt_diff=fmt_diff,
    label=label,
    verdict_sentence=verdict_sentence,
    index_summary=index_summary,
    status_word=status_word,
    changed=changed,
    failed_names=failed_names,
    predicted=_predicted,
    seconds=_seconds,
    top_retrieved=_top_retrieved,
    percent=lambda share: f"{100 * share:.1f}%",
    slowest=_slowest,
    all_latencies=_latencies,
    metric_bars=_metric_bars,
    tag_bars=_tag_bars,
    baseline_bars=_baseline_bars,
    side_by_side_bars=_side_by_side_bars,
    latency_histogram=_latency_histogram,
)
# ...and the filters they pipe values through.
_TEMPLATE_FILTERS: dict[str, Callable[..., Any]] = dict(
    cell=_cell,
    oneline=lambda text: " ".join(str(text).split("\n")),
    indent_lines=lambda text: str(text).replace("\n", "\n  "),
    quoted=repr,
    pretty_json=lambda model: json.dumps(
        model.model_dump(mode="json"), indent=2, ensure_ascii=False
    ),
)


@functools.cache
def environment(html: bool) -> Environment:
    """The Jinja2 environment for report.html (autoescaped) or report.md (not)."""
    env = Environment(
        loader=FunctionLoader(_template_source),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(_TEMPLATE_GLOBALS)
    env.filters.update(_TEMPLATE_FILTERS)
    return env


def render_markdown(report: EvalReport) -> str:
    text = environment(html=False).get_template("report.md.j2").render(report=report)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_html(report: EvalReport) -> str:
    text = environment(html=True).get_template("report.html.j2").render(report=report)
    return re.sub(r"\n{2,}", "\n", text).strip() + "\n"


def write_report(report: EvalReport, out_dir: Path) -> dict[str, Path]:
    """Write the three report files into ``out_dir``; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": out_dir / "report.json",
        "md": out_dir / "report.md",
        "html": out_dir / "report.html",
    }
    paths["json"].write_text(report.to_json(), encoding="utf-8")
    paths["md"].write_text(render_markdown(report), encoding="utf-8")
    paths["html"].write_text(render_html(report), encoding="utf-8")
    return paths


# ---- the terminal -------------------------------------------------------------------------
_MARKS = {"pass": "ok  ", "fail": "FAIL", "not measured": "n/a "}


def _detection_note(report: EvalReport) -> str:
    n = report.summary.detection_items
    return f"; {n} efficacy-detection questions" if n else ""


def summary_lines(report: EvalReport) -> list[str]:
    """A few lines for the terminal: verdict, each threshold, and where to look."""
    if report.side_by_side is not None:
        return _side_by_side_summary(report, report.side_by_side)
    s = report.summary
    lines = [
        f"{'PASSED' if s.passed else 'FAILED'}: {s.cases} cases, "
        f"{s.failed_cases} failed a check{_detection_note(report)}"
    ]
    for t in report.thresholds:
        lines.append(
            f"  {_MARKS[t.status]} {t.metric} = {fmt(t.metric, t.value)} "
            f"(threshold {fmt_bound(t.metric, t)})"
        )
    if report.baselines:
        lines += ["  " + verdict_sentence(v) for v in report.baselines.verdicts]
    return lines


def _side_by_side_summary(report: EvalReport, sbs: SideBySide) -> list[str]:
    s, runs = report.summary, sbs.runs
    lines = [
        f"{'PASSED' if s.passed else 'FAILED'}: {s.cases} cases in each of 2 runs ("
        + "; ".join(f"{r.label}: {r.failed_cases} failed a check" for r in runs)
        + ")"
        + _detection_note(report)
    ]
    for t in sbs.thresholds:
        per_run = [(r.name, getattr(t, r.name)) for r in runs]
        states = [result.status for _, result in per_run]
        mark = _MARKS["fail" if "fail" in states else states[-1]]
        values = ", ".join(
            f"{name} {fmt(t.metric, result.value)}" + (" FAIL" if result.status == "fail" else "")
            for name, result in per_run
        )
        lines.append(f"  {mark} {t.metric}: {values} (threshold {fmt_bound(t.metric, t)})")
    o = sbs.generator_outcomes
    done = o.all
    reasons = ", ".join(f"{r} ×{n}" for r, n in o.fallback_reasons.items())
    lines.append(
        f"  {runs[1].label}: wrote {done['generated']} of the {o.model_asked} answers it "
        f"was asked for, {done['fallback']} fell back to extractive"
        + (f" ({reasons})" if reasons else "")
        + f", {done['no_model_call']} needed no model call"
        + (f", {done['error']} errors" if done["error"] else "")
    )
    lines.append(
        "  latency p50/p95: "
        + "; ".join(
            f"{r.name} {fmt('latency_p50_ms', sbs.latency[r.name].p50_ms)} / "
            f"{fmt('latency_p95_ms', sbs.latency[r.name].p95_ms)}"
            for r in runs
        )
    )
    lines += [f"  warning: {w}" for w in sbs.warnings]
    if report.baselines:
        lines += ["  " + verdict_sentence(v) for v in report.baselines.verdicts]
    return lines
