"""Write a run's report.json, report.md and a self-contained report.html; compare two runs.

The HTML has no external resources (no scripts, stylesheets, fonts or images to load): charts
are inline SVG drawn here, so the file can be mailed or opened offline as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from assistant.evals.metrics import METRICS

# Per-case scores compared between runs; for each, higher is better.
COMPARED = (
    "passed",
    "status_correct",
    "hit_at_5",
    "reciprocal_rank",
    "citation_validity",
    "support_coverage",
    "citation_precision",
    "caveat_ok",
)
COMPARED_LABELS = {
    "passed": "passed",
    "status_correct": "status",
    "hit_at_5": "hit@5",
    "reciprocal_rank": "reciprocal rank",
    "citation_validity": "citations valid",
    "support_coverage": "support coverage",
    "citation_precision": "citation precision",
    "caveat_ok": "caveat right",
}
_PALETTE = ("#1f5fa8", "#d9822b", "#3b8f5a", "#8e5ba8", "#b8454a", "#5c6b73")
_PASS, _FAIL, _NEUTRAL = "#2e7d4f", "#b3261e", "#5c6b73"


# Appended to a threshold's metric name when the generative run of a side-by-side run fails it.
GENERATIVE_SUFFIX = " (generative)"


class ReportError(ValueError):
    """An earlier report that cannot be read or compared."""


# ---- formatting ---------------------------------------------------------------------------
def fmt(name: str, value: float | None) -> str:
    """A metric value as a reviewer reads it: shares as percentages, times in ms."""
    if value is None:
        return "n/a"
    unit = METRICS[name].unit if name in METRICS else "score"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "score":
        return f"{value:.3f}"
    return f"{100 * value:.1f}%"


def fmt_bound(name: str, t: Mapping[str, Any]) -> str:
    parts = []
    if t.get("min") is not None:
        parts.append(f"≥ {fmt(name, t['min'])}")
    if t.get("max") is not None:
        parts.append(f"≤ {fmt(name, t['max'])}")
    return " and ".join(parts)


def fmt_diff(name: str, diff: float | None) -> str:
    if diff is None:
        return "—"
    unit = METRICS[name].unit if name in METRICS else "score"
    if unit == "ms":
        return f"{diff:+.1f} ms"
    if unit == "score":
        return f"{diff:+.3f}"
    return f"{100 * diff:+.1f} pts"


def label(name: str) -> str:
    return METRICS[name].label if name in METRICS else name


def verdict_sentence(v: Mapping[str, Any]) -> str:
    metric = v["metric"]
    if v["outcome"] == "beats":
        how = f"beats {v['label']} by {fmt_diff(metric, v['difference'])}"
    elif v["outcome"] == "ties":
        how = f"ties with {v['label']}"
    else:
        behind = fmt_diff(metric, -v["difference"]).lstrip("+")
        how = f"does NOT beat {v['label']}: behind by {behind}"
    return (
        f"On {label(metric)}, the hybrid Assistant {how} "
        f"({fmt(metric, v['hybrid'])} vs {fmt(metric, v['baseline_value'])})."
    )


# ---- comparison ---------------------------------------------------------------------------
def load_report(path: Path) -> dict[str, Any]:
    """An earlier report.json."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path}: cannot read the earlier report ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise ReportError(f"{path}: not a report.json written by 'assistant eval'")
    return data


def _case_values(case: Mapping[str, Any]) -> dict[str, float | None]:
    scores = case.get("scores", {})
    values: dict[str, float | None] = {k: scores.get(k) for k in COMPARED if k in scores}
    values["passed"] = 1.0 if case.get("passed") else 0.0
    if "caveat_present" in case:
        values["caveat_ok"] = 1.0 if bool(case["caveat_present"]) == bool(case["efficacy"]) else 0.0
    return values


def compare(old: Mapping[str, Any], new: Mapping[str, Any], old_path: str = "") -> dict[str, Any]:
    """Case-by-case and metric-by-metric changes from ``old`` to ``new``."""
    old_cases = {c["id"]: c for c in old.get("cases", [])}
    new_ids = {c["id"] for c in new.get("cases", [])}
    regressions: list[dict[str, Any]] = []
    improvements: list[dict[str, Any]] = []
    unchanged = 0
    for case in new.get("cases", []):
        before = old_cases.get(case["id"])
        if before is None:
            continue
        a, b = _case_values(before), _case_values(case)
        changes = []
        for key in COMPARED:
            if a.get(key) is None or b.get(key) is None or a[key] == b[key]:
                continue
            changes.append({"what": COMPARED_LABELS[key], "key": key, "old": a[key], "new": b[key]})
        if not changes:
            unchanged += 1
            continue
        entry = {
            "id": case["id"],
            "question": case.get("question"),
            "changes": changes,
            "old_status": before.get("status"),
            "new_status": case.get("status"),
            "old_failures": before.get("failures", []),
            "new_failures": case.get("failures", []),
        }
        worse = any(c["new"] < c["old"] for c in changes)  # type: ignore[operator]
        (regressions if worse else improvements).append(entry)
    metric_rows = []
    old_metrics, new_metrics = old.get("metrics", {}), new.get("metrics", {})
    for name in new_metrics:
        o, n = old_metrics.get(name, {}).get("value"), new_metrics[name].get("value")
        if o is None and n is None:
            continue
        delta = None if o is None or n is None else n - o
        better = METRICS[name].better if name in METRICS else "higher"
        if delta is None or abs(delta) < 1e-9:
            change = "same" if delta is not None else "n/a"
        else:
            change = "improved" if (delta > 0) == (better == "higher") else "regressed"
        if METRICS.get(name) and METRICS[name].unit == "ms" and change != "n/a":
            change = f"{change} (timing)"
        metric_rows.append({"metric": name, "old": o, "new": n, "delta": delta, "change": change})
    old_det = {d["id"]: d for d in (old.get("efficacy_detection") or {}).get("items", [])}
    det_reg: list[dict[str, Any]] = []
    det_imp: list[dict[str, Any]] = []
    for item in (new.get("efficacy_detection") or {}).get("items", []):
        before = old_det.get(item["id"])
        if before is None or bool(before.get("correct")) == bool(item.get("correct")):
            continue
        entry = {
            "id": item["id"],
            "question": item["question"],
            "label": item["label"],
            "old_predicted": before.get("predicted"),
            "new_predicted": item["predicted"],
        }
        (det_imp if item.get("correct") else det_reg).append(entry)
    return {
        "old_report": old_path,
        "old_created": old.get("created"),
        "metrics": metric_rows,
        "regressions": regressions,
        "improvements": improvements,
        "unchanged": unchanged,
        "added": sorted(new_ids - old_cases.keys()),
        "removed": sorted(old_cases.keys() - new_ids),
        "detection_regressions": det_reg,
        "detection_improvements": det_imp,
    }


# ---- writing ------------------------------------------------------------------------------
def write_report(report: Mapping[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write the three report files into ``out_dir``; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": out_dir / "report.json",
        "md": out_dir / "report.md",
        "html": out_dir / "report.html",
    }
    paths["json"].write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    paths["md"].write_text(render_markdown(report), encoding="utf-8")
    paths["html"].write_text(render_html(report), encoding="utf-8")
    return paths


def summary_lines(report: Mapping[str, Any]) -> list[str]:
    """A few lines for the terminal: verdict, each threshold, and where to look."""
    if report.get("side_by_side"):
        return _side_by_side_summary(report)
    s = report["summary"]
    lines = [
        f"{'PASSED' if s['passed'] else 'FAILED'}: {s['cases']} cases, "
        f"{s['failed_cases']} failed a check"
        + (
            f"; {s['detection_items']} efficacy-detection questions"
            if s.get("detection_items")
            else ""
        )
    ]
    for t in report["thresholds"]:
        mark = {"pass": "ok  ", "fail": "FAIL", "not measured": "n/a "}[t["status"]]
        lines.append(
            f"  {mark} {t['metric']} = {fmt(t['metric'], t['value'])} "
            f"(threshold {fmt_bound(t['metric'], t)})"
        )
    if report.get("baselines"):
        for v in report["baselines"]["verdicts"]:
            lines.append("  " + verdict_sentence(v))
    return lines


_MARKS = {"pass": "ok  ", "fail": "FAIL", "not measured": "n/a "}


def _side_by_side_summary(report: Mapping[str, Any]) -> list[str]:
    s, sbs = report["summary"], report["side_by_side"]
    runs = sbs["runs"]
    lines = [
        f"{'PASSED' if s['passed'] else 'FAILED'}: {s['cases']} cases in each of 2 runs ("
        + "; ".join(f"{r['label']}: {r['failed_cases']} failed a check" for r in runs)
        + ")"
        + (
            f"; {s['detection_items']} efficacy-detection questions"
            if s.get("detection_items")
            else ""
        )
    ]
    for t in sbs["thresholds"]:
        states = [t[r["name"]]["status"] for r in runs]
        mark = _MARKS["fail" if "fail" in states else states[-1]]
        values = ", ".join(
            f"{r['name']} {fmt(t['metric'], t[r['name']]['value'])}"
            + (" FAIL" if t[r["name"]]["status"] == "fail" else "")
            for r in runs
        )
        lines.append(f"  {mark} {t['metric']}: {values} (threshold {fmt_bound(t['metric'], t)})")
    o = sbs["generator_outcomes"]
    done = o["all"]
    reasons = ", ".join(f"{r} ×{n}" for r, n in o["fallback_reasons"].items())
    lines.append(
        f"  {runs[1]['label']}: wrote {done['generated']} of the {o['model_asked']} answers it "
        f"was asked for, {done['fallback']} fell back to extractive"
        + (f" ({reasons})" if reasons else "")
        + f", {done['no_model_call']} needed no model call"
        + (f", {done['error']} errors" if done["error"] else "")
    )
    lat = sbs["latency"]
    lines.append(
        "  latency p50/p95: "
        + "; ".join(
            f"{r['name']} {fmt('latency_p50_ms', lat[r['name']]['p50_ms'])} / "
            f"{fmt('latency_p95_ms', lat[r['name']]['p95_ms'])}"
            for r in runs
        )
    )
    lines += [f"  warning: {w}" for w in sbs.get("warnings", [])]
    if report.get("baselines"):
        lines += ["  " + verdict_sentence(v) for v in report["baselines"]["verdicts"]]
    return lines


def index_summary(index: Mapping[str, Any]) -> str:
    """One line on the index built for an any-corpus run."""
    text = (
        f"{index['documents']} documents from {index['corpus']}, {index['chunks']} chunks "
        f"({index['chunks_embedded']} embedded, {index['chunks_reused']} reused), built in "
        f"{index['build_seconds']:.1f} s in {index['folder']}"
    )
    if index.get("errors"):
        text += f"; {len(index['errors'])} document(s) could not be read"
    return text


# ---- markdown -----------------------------------------------------------------------------
def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(head: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def render_markdown(report: Mapping[str, Any]) -> str:
    if report.get("side_by_side"):
        lines = _md_head(report) + _side_by_side_md(report)
        gen = report["generative"]
        lines += ["## Extractive run", "", *_md_body(report, 3, tables=False)]
        lines += [f"## Generative run: {run_label(report, 'generative')}", ""]
        lines += _md_body(gen, 3, tables=False)
    else:
        lines = _md_head(report) + _md_body(report, 2)
    return "\n".join(lines).rstrip() + "\n"


def run_label(report: Mapping[str, Any], name: str) -> str:
    """How a side-by-side report names one of its runs ("extractive", "openai (model)")."""
    for run in (report.get("side_by_side") or {}).get("runs", []):
        if run["name"] == name:
            return str(run["label"])
    return name


def _md_head(report: Mapping[str, Any]) -> list[str]:
    s = report["summary"]
    cfg = report["config"]
    title = f"# Eval report ({report['kind']})"
    if report.get("side_by_side"):
        title += f": extractive vs {run_label(report, 'generative')}"
    lines = [
        title,
        "",
        f"- Result: **{'PASSED' if s['passed'] else 'FAILED'}**"
        + (f" (failed: {', '.join(s['failed_thresholds'])})" if s["failed_thresholds"] else ""),
        f"- Created: {report['created']}",
        f"- Target: {cfg['target'].get('target')} "
        f"{cfg['target'].get('url') or cfg['target'].get('knowledge_dir', '')}",
        f"- Cases: {s['cases']} ({s['failed_cases']} failed a check)",
        "",
    ]
    if report.get("side_by_side"):
        runs = report["side_by_side"]["runs"]
        lines[-2] = (
            f"- Cases: {s['cases']} in each run (failed a check: "
            + ", ".join(f"{r['failed_cases']} {r['label']}" for r in runs)
            + ")"
        )
    if report.get("index"):
        lines += [f"- Index: {index_summary(report['index'])}", ""]
    return lines


def _status_md(status: str) -> str:
    return status.upper() if status != "not measured" else "not measured"


def _side_by_side_metrics(sbs: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the two-column metrics table (markdown and HTML alike)."""
    header = ["Group", "Metric", "Extractive", "Generative", "Δ (generative − extractive)", "n"]
    return header, [
        [
            r["group"],
            r["label"],
            fmt(r["metric"], r["extractive"]),
            fmt(r["metric"], r["generative"]),
            fmt_diff(r["metric"], r["difference"]),
            f"{r['n']['extractive']} / {r['n']['generative']}",
        ]
        for r in sbs["metrics"]
    ]


def _side_by_side_md(report: Mapping[str, Any]) -> list[str]:
    sbs = report["side_by_side"]
    ext, gen = sbs["runs"]
    lines = [
        "## Side by side: extractive vs generative",
        "",
        f"The same index, the same {ext['cases']} cases and {ext['detection_items']} "
        f"efficacy-detection questions, asked twice: once with the extractive answerer, once "
        f"with {gen['label']}"
        + (f" at {gen['llm_base_url']}" if gen.get("llm_base_url") else "")
        + (f", prompts {gen['prompt_version']}" if gen.get("prompt_version") else "")
        + ". Every threshold is checked on both runs.",
        "",
    ]
    lines += _md_table(
        ["Run", "Result", "Failed thresholds", "Cases failing a check", "Run time"],
        [
            [
                r["label"],
                "PASSED" if r["passed"] else "FAILED",
                ", ".join(r["failed_thresholds"]) or "none",
                f"{r['failed_cases']} of {r['cases']}",
                "n/a" if r["seconds"] is None else f"{r['seconds']:.1f} s",
            ]
            for r in sbs["runs"]
        ],
    )
    if sbs["thresholds"]:
        lines += ["### Thresholds", ""]
        lines += _md_table(
            ["Metric", "Threshold", "Extractive", "Generative"],
            [
                [t["label"], fmt_bound(t["metric"], t)]
                + [
                    f"{fmt(t['metric'], t[run]['value'])} {_status_md(t[run]['status'])}"
                    for run in ("extractive", "generative")
                ]
                for t in sbs["thresholds"]
            ],
        )
    lines += ["### Metrics", ""]
    lines += _md_table(*_side_by_side_metrics(sbs))
    lines += _outcomes_md(sbs["generator_outcomes"])
    lines += ["### Latency", ""]
    lines += _md_table(
        ["Run", "p50", "p95", "Compose p50", "Compose p95", "Samples", "Run time"],
        [
            [
                r["label"],
                fmt("latency_p50_ms", lat["p50_ms"]),
                fmt("latency_p95_ms", lat["p95_ms"]),
                fmt("latency_p50_ms", lat["compose_p50_ms"]),
                fmt("latency_p95_ms", lat["compose_p95_ms"]),
                lat["samples"],
                "n/a" if lat["seconds"] is None else f"{lat['seconds']:.1f} s",
            ]
            for r in sbs["runs"]
            for lat in [sbs["latency"][r["name"]]]
        ],
    )
    lines += [
        "Compose is the step that writes the answer (the model call and the verification of "
        "each sentence, or the extractive answerer); run time covers both sets of questions.",
        "",
    ]
    diff = sbs["differences"]
    lines += [
        f"### Cases that differ ({len(diff['worse'])} worse, {len(diff['better'])} better "
        f"with the generator, {diff['unchanged']} unchanged)",
        "",
    ]
    for title, key in (("Worse", "worse"), ("Better", "better")):
        for e in diff[key]:
            what = ", ".join(f"{c['what']} {c['old']:.2f}→{c['new']:.2f}" for c in e["changes"])
            lines.append(
                f"- {title}: **{e['id']}**: {what}."
                + (f" Now: {'; '.join(e['new_failures'])}" if e["new_failures"] else "")
            )
    for title, key in (("worse", "detection_worse"), ("better", "detection_better")):
        for e in diff[key]:
            lines.append(f"- Efficacy detection {title}: {e['id']}: {e['question']}")
    lines.append("")
    if sbs.get("warnings"):
        lines += [f"- Warning: {w}" for w in sbs["warnings"]] + [""]
    return lines


def _outcomes_md(out: Mapping[str, Any]) -> list[str]:
    share = out["model_written_share"]
    lines = [
        f"### What the model did ({out['generator']} run)",
        "",
        f"The model was asked for {out['model_asked']} answers and wrote "
        f"{out['all']['generated']} that passed verification"
        + (f" ({100 * share:.1f}%)" if share is not None else "")
        + "; the others fell back to the extractive answer. The model is not asked where "
        "there is nothing to write from (no evidence) or where the service answers itself "
        "(see the statuses below).",
        "",
    ]
    lines += _md_table(
        ["Answer", "Cases", "Detection questions", "All"],
        [
            [out["labels"][o], out["cases"][o], out["detection"][o], out["all"][o]]
            for o in out["outcomes"]
            if out["all"][o]
        ],
    )
    if out["fallback_reasons"]:
        lines += ["Why answers fell back:", ""]
        lines += _md_table(["Reason", "Answers"], list(out["fallback_reasons"].items()))
    if out["by_status"]:
        shown = [o for o in out["outcomes"] if out["all"][o]]
        lines += ["Cases by final status:", ""]
        lines += _md_table(
            ["Status", *(out["labels"][o] for o in shown)],
            [[status, *(row[o] for o in shown)] for status, row in out["by_status"].items()],
        )
    return lines


def _md_body(report: Mapping[str, Any], level: int, tables: bool = True) -> list[str]:
    """The sections of one run; ``level`` is the heading level of a section."""
    h, hh = "#" * level, "#" * (level + 1)
    lines: list[str] = []
    if tables and report["thresholds"]:
        lines += [f"{h} Thresholds", ""]
        lines += _md_table(
            ["Metric", "Threshold", "Value", "Result"],
            [
                [
                    t["label"],
                    fmt_bound(t["metric"], t),
                    fmt(t["metric"], t["value"]),
                    _status_md(t["status"]),
                ]
                for t in report["thresholds"]
            ],
        )
    if tables:
        lines += [f"{h} Metrics", ""]
        lines += _md_table(
            ["Group", "Metric", "Value", "n", "What it means"],
            [
                [
                    report["metric_info"][n]["group"],
                    label(n),
                    fmt(n, v["value"]),
                    v["n"],
                    report["metric_info"][n]["description"],
                ]
                for n, v in report["metrics"].items()
            ],
        )
    base = report.get("baselines")
    if base:
        lines += [
            f"{h} Baselines (retrieval)",
            "",
            f"Same {base['n']} cases, same index; 'Δ' is the hybrid Assistant minus the row.",
            "",
        ]
        head = ["System"] + [f"{label(n)}" for n in base["metrics"]] + ["Δ Hit@5", "Δ MRR"]
        lines += _md_table(
            head,
            [
                [r["label"]]
                + [fmt(n, r["metrics"][n]) for n in base["metrics"]]
                + [
                    fmt_diff("hit_at_5", r["hybrid_minus_this"]["hit_at_5"]),
                    fmt_diff("mrr", r["hybrid_minus_this"]["mrr"]),
                ]
                for r in base["rows"]
            ],
        )
        lines += [f"- {verdict_sentence(v)}" for v in base["verdicts"]] + [""]
    det = report.get("efficacy_detection")
    if det:
        lines += [f"{h} Efficacy detection", "", f"{det['n']} labelled questions.", ""]
        names = list(det["metrics"])
        lines += _md_table(
            ["Set"] + [label(n).replace("Efficacy detection ", "") for n in names],
            [["all"] + [fmt(n, det["metrics"][n]["value"]) for n in names]]
            + [
                [f"lang {k}"] + [fmt(n, v["metrics"][n]["value"]) for n in names]
                for k, v in det["by_lang"].items()
            ],
        )
        wrong = [i for i in det["items"] if not i["correct"]]
        if wrong:
            lines += ["Misclassified:", ""]
            lines += _md_table(
                ["id", "question", "label", "predicted"],
                [
                    [
                        i["id"],
                        i["question"],
                        "efficacy" if i["label"] else "not efficacy",
                        "error"
                        if i["predicted"] is None
                        else ("efficacy" if i["predicted"] else "not efficacy"),
                    ]
                    for i in wrong
                ],
            )
    if report["by_tag"]:
        lines += [f"{h} By tag", ""]
        names = list(next(iter(report["by_tag"].values()))["metrics"])
        lines += _md_table(
            ["Tag", "n"] + [label(n) for n in names],
            [
                [tag, v["n"]] + [fmt(n, v["metrics"][n]["value"]) for n in names]
                for tag, v in report["by_tag"].items()
            ],
        )
    failed = [c for c in report["cases"] if not c["passed"]]
    lines += [f"{h} Failed cases ({len(failed)})", ""]
    for c in failed:
        lines += [f"{hh} {c['id']} ({c['where']})", "", f"- Question: {c['question']}"]
        for turn in c.get("history") or []:
            lines.append(f"  - earlier {turn['role']}: {turn['content']}")
        lines += [
            f"- Why: {'; '.join(c['failures'])}",
            f"- Expected: status {c.get('expected_status')}, docs "
            f"{', '.join(c['expected_docs']) or 'none'}, support "
            f"{'; '.join(repr(p) for p in c['expected_support']) or 'none'}"
            + (", with caveat" if c.get("efficacy") else ""),
            f"- Got: status {c.get('status')}; retrieved "
            f"{', '.join(dict.fromkeys(c.get('retrieved', [])[:5])) or 'n/a'}"
            + (
                f"; generator {c['generator']}"
                if c.get("generator") and c["generator"] != "extractive"
                else ""
            ),
        ]
        if c.get("answer"):
            lines.append(f"- Answer: {c['answer']}")
        for cit in c.get("citations", []):
            lines.append(
                f"  - [{cit['n']}] {cit['title']} ({cit['doc_id']} "
                f"{cit['start']}-{cit['end']}): “{cit['quote']}”"
            )
        if c.get("caveat"):
            lines.append(f"- Caveat: {c['caveat']}")
        lines.append("")
    comp = report.get("comparison")
    if comp:
        lines += _comparison_md(comp, level)
    judge = report["judge"]
    lines += [
        f"{h} Judge metrics (optional, never gate a run)",
        "",
        f"Not computed: {judge['reason']}." if not judge["enabled"] else "",
        "",
    ]
    if report.get("warnings"):
        lines += [f"{h} Warnings about the cases", ""] + [f"- {w}" for w in report["warnings"]]
        lines.append("")
    return lines


def _comparison_md(comp: Mapping[str, Any], level: int = 2) -> list[str]:
    h, hh = "#" * level, "#" * (level + 1)
    lines = [
        f"{h} Regressions and improvements (against {comp['old_report']}, {comp['old_created']})",
        "",
    ]
    lines += _md_table(
        ["Metric", "Before", "Now", "Change", ""],
        [
            [
                label(r["metric"]),
                fmt(r["metric"], r["old"]),
                fmt(r["metric"], r["new"]),
                fmt_diff(r["metric"], r["delta"]),
                r["change"],
            ]
            for r in comp["metrics"]
        ],
    )
    for title, key in (("Regressions", "regressions"), ("Improvements", "improvements")):
        lines += [f"{hh} {title} ({len(comp[key])})", ""]
        for e in comp[key]:
            what = ", ".join(f"{c['what']} {c['old']:.2f}→{c['new']:.2f}" for c in e["changes"])
            lines.append(
                f"- **{e['id']}**: {what}. {e['question']}"
                + (f" Now: {'; '.join(e['new_failures'])}" if e["new_failures"] else "")
            )
        lines.append("")
    for title, key in (
        ("Efficacy detection regressions", "detection_regressions"),
        ("Efficacy detection improvements", "detection_improvements"),
    ):
        if comp[key]:
            lines += [f"{hh} {title} ({len(comp[key])})", ""]
            lines += [f"- {e['id']}: {e['question']}" for e in comp[key]] + [""]
    lines += [
        f"Unchanged cases: {comp['unchanged']}. New cases: "
        f"{', '.join(comp['added']) or 'none'}. Removed cases: "
        f"{', '.join(comp['removed']) or 'none'}.",
        "",
    ]
    return lines


# ---- SVG charts ---------------------------------------------------------------------------
def _svg(width: int, height: int, body: str, title: str) -> str:
    # Inline SVG in HTML needs no namespace attribute, so the file names no URL at all.
    return (
        f'<svg role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def svg_metric_bars(
    rows: Sequence[tuple[str, float | None, float | None, str | None, str]], title: str
) -> str:
    """Horizontal bars of 0-1 values; each row: (label, value, threshold, status, text).

    ``status`` is "pass" or "fail" (green or red bar) or None; ``text`` is the value shown.
    """
    left, width, bar_h, gap = 230, 360, 18, 8
    height = len(rows) * (bar_h + gap) + 30
    parts = []
    for i, (name, value, limit, status, text) in enumerate(rows):
        y = 10 + i * (bar_h + gap)
        color = _PASS if status == "pass" else _FAIL if status == "fail" else _PALETTE[0]
        parts.append(
            f'<text x="{left - 8}" y="{y + 13}" text-anchor="end" '
            f'font-size="12">{escape(name)}</text>'
        )
        parts.append(f'<rect x="{left}" y="{y}" width="{width}" height="{bar_h}" fill="#eef1f4"/>')
        if value is not None:
            w = max(0.0, min(1.0, value)) * width
            parts.append(
                f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}"/>'
            )
        parts.append(
            f'<text x="{left + width + 6}" y="{y + 13}" font-size="12">{escape(text)}</text>'
        )
        if limit is not None:
            x = left + max(0.0, min(1.0, limit)) * width
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 3}" y2="{y + bar_h + 3}" '
                f'stroke="#111" stroke-width="2"><title>threshold</title></line>'
            )
    if any(row[2] is not None for row in rows):
        parts.append(
            f'<text x="{left}" y="{height - 6}" font-size="11" fill="#555">'
            "black tick: threshold</text>"
        )
    return _svg(left + width + 60, height, "".join(parts), title)


def svg_histogram(values: Sequence[float], title: str, unit: str = "ms", bins: int = 20) -> str:
    """Vertical histogram of values."""
    width, height, left, bottom, top = 640, 220, 40, 40, 10
    if not values:
        return _svg(width, 40, '<text x="10" y="25" font-size="12">no samples</text>', title)
    lo, hi = min(values), max(values)
    step = (hi - lo) / bins if hi > lo else 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / step)) if hi > lo else 0] += 1
    peak = max(counts)
    plot_w, plot_h = width - left - 10, height - bottom - top
    bw = plot_w / bins
    parts = []
    for i, count in enumerate(counts):
        h = plot_h * count / peak if peak else 0
        x, y = left + i * bw, top + plot_h - h
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{bw - 2:.1f}" height="{h:.1f}" '
            f'fill="{_PALETTE[0]}"><title>{lo + i * step:.1f}–{lo + (i + 1) * step:.1f}'
            f" {unit}: {count}</title></rect>"
        )
    base = top + plot_h
    parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{base}" y2="{base}" stroke="#333"/>')
    for i in range(0, bins + 1, max(1, bins // 5)):
        x = left + i * bw
        parts.append(
            f'<text x="{x:.1f}" y="{base + 15}" font-size="11" text-anchor="middle">'
            f"{lo + i * step:.0f}</text>"
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 5}" font-size="11" '
        f'text-anchor="middle">{escape(unit)} per question (n={len(values)})</text>'
    )
    parts.append(
        f'<text x="{left - 6}" y="{top + 10}" font-size="11" text-anchor="end">{peak}</text>'
    )
    return _svg(width, height, "".join(parts), title)


def svg_grouped_bars(
    groups: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], title: str
) -> str:
    """Horizontal grouped bars: one group per metric, one bar per series (0-1 values)."""
    left, width, bar_h = 110, 380, 12
    n = len(series)
    group_h = n * (bar_h + 2) + 12
    legend_h = 18 * n + 6
    height = len(groups) * group_h + legend_h + 10
    parts = []
    for gi, group in enumerate(groups):
        y0 = 6 + gi * group_h
        parts.append(
            f'<text x="{left - 8}" y="{y0 + group_h / 2:.0f}" text-anchor="end" '
            f'font-size="12">{escape(group)}</text>'
        )
        for si, (_, values) in enumerate(series):
            value = values[gi]
            y = y0 + si * (bar_h + 2)
            w = 0 if value is None else max(0.0, min(1.0, value)) * width
            parts.append(
                f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{_PALETTE[si % len(_PALETTE)]}"/>'
            )
            text = "n/a" if value is None else f"{value:.3f}"
            parts.append(f'<text x="{left + w + 4:.1f}" y="{y + 10}" font-size="10">{text}</text>')
    y = len(groups) * group_h + 10
    for si, (name, _) in enumerate(series):
        parts.append(
            f'<rect x="{left}" y="{y + si * 18}" width="12" height="12" '
            f'fill="{_PALETTE[si % len(_PALETTE)]}"/>'
        )
        parts.append(
            f'<text x="{left + 18}" y="{y + si * 18 + 10}" font-size="12">{escape(name)}</text>'
        )
    return _svg(left + width + 60, height, "".join(parts), title)


# ---- HTML ---------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:1100px;padding:0 1rem;color:#1b1f23;line-height:1.45}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f7}td.num{text-align:right;white-space:nowrap}
.banner{padding:.7rem 1rem;border-radius:6px;font-weight:600;margin:1rem 0;color:#fff}
.pass{color:#2e7d4f;font-weight:600}.fail{color:#b3261e;font-weight:600}.na{color:#5c6b73}
.ok-bg{background:#2e7d4f}.fail-bg{background:#b3261e}
.quote{font-style:italic}.muted{color:#5c6b73;font-size:.9rem}
.separate{border:2px dashed #aab4be;border-radius:6px;padding:.6rem 1rem;margin-top:2rem}
details{margin:.2rem 0}pre{white-space:pre-wrap;font-size:.85rem;background:#f6f8fa;padding:.6rem}
"""


def _status_cell(status: str) -> str:
    css = {"pass": "pass", "fail": "fail"}.get(status, "na")
    text = status.upper() if status != "not measured" else status
    return f'<span class="{css}">{escape(text)}</span>'


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], raw: bool = False) -> str:
    """An HTML table; cells are escaped unless ``raw`` (then they are already HTML)."""
    out = ["<table><thead><tr>", *(f"<th>{escape(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append(
            "<tr>" + "".join(f"<td>{c if raw else escape(str(c))}</td>" for c in row) + "</tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def _threshold_for(report: Mapping[str, Any], name: str) -> tuple[float | None, str | None]:
    for t in report["thresholds"]:
        if t["metric"] == name:
            return (t["min"] if t["min"] is not None else t["max"]), t["status"]
    return None, None


def render_html(report: Mapping[str, Any]) -> str:
    s, cfg = report["summary"], report["config"]
    out: list[str] = []
    add = out.append
    sbs = report.get("side_by_side")
    title = f"Eval report: {report['kind']}"
    if sbs:
        title += f", extractive vs {run_label(report, 'generative')}"
    add(f"<h1>{escape(title)}</h1>")
    add(
        f'<p class="muted">Created {escape(report["created"])} · target '
        f"{escape(str(cfg['target'].get('target')))} "
        f"{escape(str(cfg['target'].get('url') or cfg['target'].get('knowledge_dir', '')))}"
        f" · {s['cases']} cases{' in each run' if sbs else ''} · assistant "
        f"{escape(str(cfg.get('assistant_version')))}</p>"
    )
    verdict = (
        "PASSED"
        if s["passed"]
        else "FAILED: "
        + ", ".join(
            label(n.removesuffix(GENERATIVE_SUFFIX))
            + (GENERATIVE_SUFFIX if n.endswith(GENERATIVE_SUFFIX) else "")
            for n in s["failed_thresholds"]
        )
    )
    add(f'<div class="banner {"ok-bg" if s["passed"] else "fail-bg"}">{escape(verdict)}</div>')
    if report.get("index"):
        add(f"<p><strong>Index:</strong> {escape(index_summary(report['index']))}</p>")
    if sbs:
        out += _side_by_side_html(report)
        add("<h2>Extractive run</h2>")
        out += _html_body(report, 3, tables=False)
        add(f"<h2>Generative run: {escape(run_label(report, 'generative'))}</h2>")
        out += _html_body(report["generative"], 3, tables=False)
    else:
        out += _html_body(report, 2)
    page_title = f"Eval report ({report['kind']}, {report['created']})"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(page_title)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(out)
        + "</body></html>\n"
    )


def _side_by_side_html(report: Mapping[str, Any]) -> list[str]:
    sbs = report["side_by_side"]
    ext, gen = sbs["runs"]
    out = ["<h2>Side by side: extractive vs generative</h2>"]
    where = f" at {gen['llm_base_url']}" if gen.get("llm_base_url") else ""
    prompts = f", prompts {gen['prompt_version']}" if gen.get("prompt_version") else ""
    out.append(
        f"<p>The same index, the same {ext['cases']} cases and {ext['detection_items']} "
        f"efficacy-detection questions, asked twice: once with the extractive answerer, once "
        f"with {escape(gen['label'] + where + prompts)}. Every threshold is checked on both "
        "runs.</p>"
    )
    out.append(
        _table(
            ["Run", "Result", "Failed thresholds", "Cases failing a check", "Run time"],
            [
                [
                    escape(r["label"]),
                    _status_cell("pass" if r["passed"] else "fail"),
                    escape(", ".join(r["failed_thresholds"]) or "none"),
                    f"{r['failed_cases']} of {r['cases']}",
                    "n/a" if r["seconds"] is None else f"{r['seconds']:.1f} s",
                ]
                for r in sbs["runs"]
            ],
            raw=True,
        )
    )
    if sbs["thresholds"]:
        out.append("<h3>Thresholds</h3>")
        out.append(
            _table(
                ["Metric", "Threshold", "Extractive", "", "Generative", "", "Set in"],
                [
                    [
                        escape(t["label"]),
                        escape(fmt_bound(t["metric"], t)),
                        escape(fmt(t["metric"], t["extractive"]["value"])),
                        _status_cell(t["extractive"]["status"]),
                        escape(fmt(t["metric"], t["generative"]["value"])),
                        _status_cell(t["generative"]["status"]),
                        escape(t["where"]),
                    ]
                    for t in sbs["thresholds"]
                ],
                raw=True,
            )
        )
    out.append("<h3>Metrics</h3>")
    rates = [r for r in sbs["metrics"] if r["unit"] in ("", "score")]
    out.append(
        svg_grouped_bars(
            [r["label"] for r in rates],
            [(run["label"], [r[run["name"]] for r in rates]) for run in sbs["runs"]],
            "Metrics: extractive vs generative",
        )
    )
    out.append(_table(*_side_by_side_metrics(sbs)))
    o = sbs["generator_outcomes"]
    share = o["model_written_share"]
    out.append(f"<h3>What the model did ({escape(o['generator'])} run)</h3>")
    out.append(
        f"<p>The model was asked for {o['model_asked']} answers and wrote "
        f"{o['all']['generated']} that passed verification"
        + (f" ({100 * share:.1f}%)" if share is not None else "")
        + "; the others fell back to the extractive answer. The model is not asked where "
        "there is nothing to write from (no evidence) or where the service answers itself.</p>"
    )
    out.append(
        _table(
            ["Answer", "Cases", "Detection questions", "All"],
            [
                [o["labels"][k], str(o["cases"][k]), str(o["detection"][k]), str(o["all"][k])]
                for k in o["outcomes"]
                if o["all"][k]
            ],
        )
    )
    if o["fallback_reasons"]:
        out.append("<p>Why answers fell back:</p>")
        out.append(
            _table(["Reason", "Answers"], [[r, str(n)] for r, n in o["fallback_reasons"].items()])
        )
    if o["by_status"]:
        shown = [k for k in o["outcomes"] if o["all"][k]]
        out.append("<p>Cases by final status:</p>")
        out.append(
            _table(
                ["Status", *(o["labels"][k] for k in shown)],
                [[st, *(str(row[k]) for k in shown)] for st, row in o["by_status"].items()],
            )
        )
    out.append("<h3>Latency</h3>")
    out.append(
        _table(
            ["Run", "p50", "p95", "Compose p50", "Compose p95", "Samples", "Run time"],
            [
                [
                    r["label"],
                    fmt("latency_p50_ms", lat["p50_ms"]),
                    fmt("latency_p95_ms", lat["p95_ms"]),
                    fmt("latency_p50_ms", lat["compose_p50_ms"]),
                    fmt("latency_p95_ms", lat["compose_p95_ms"]),
                    str(lat["samples"]),
                    "n/a" if lat["seconds"] is None else f"{lat['seconds']:.1f} s",
                ]
                for r in sbs["runs"]
                for lat in [sbs["latency"][r["name"]]]
            ],
        )
    )
    out.append(
        '<p class="muted">Compose is the step that writes the answer (the model call and the '
        "verification of each sentence, or the extractive answerer).</p>"
    )
    diff = sbs["differences"]
    out.append(
        f"<h3>Cases that differ ({len(diff['worse'])} worse, {len(diff['better'])} better "
        f"with the generator, {diff['unchanged']} unchanged)</h3>"
    )
    rows = [
        [
            title,
            e["id"],
            e["question"] or "",
            ", ".join(f"{c['what']} {c['old']:.2f}→{c['new']:.2f}" for c in e["changes"]),
            "; ".join(e["new_failures"]),
        ]
        for title, key in (("worse", "worse"), ("better", "better"))
        for e in diff[key]
    ]
    if rows:
        out.append(_table(["With the generator", "Case", "Question", "What changed", "Now"], rows))
    if sbs.get("warnings"):
        out.append(
            "<ul>"
            + "".join(f"<li><strong>Warning:</strong> {escape(w)}</li>" for w in sbs["warnings"])
            + "</ul>"
        )
    return out


def _html_body(report: Mapping[str, Any], level: int, tables: bool = True) -> list[str]:
    """The sections of one run; ``level`` is the heading level of a section."""
    cfg = report["config"]
    out: list[str] = []
    add = out.append
    h = f"h{level}"

    if tables and report["thresholds"]:
        add(f"<{h}>Thresholds</{h}>")
        add(
            _table(
                ["Metric", "Threshold", "Value", "Result", "Set in"],
                [
                    [
                        escape(t["label"]),
                        escape(fmt_bound(t["metric"], t)),
                        escape(fmt(t["metric"], t["value"])),
                        _status_cell(t["status"]),
                        escape(t["where"]),
                    ]
                    for t in report["thresholds"]
                ],
                raw=True,
            )
        )

    if tables:
        add(f"<{h}>Metrics</{h}>")
        rates = [
            n for n in report["metrics"] if METRICS[n].unit == "" or METRICS[n].unit == "score"
        ]
        bars = []
        for n in rates:
            limit, status = _threshold_for(report, n)
            value = report["metrics"][n]["value"]
            bars.append((label(n), value, limit, status, fmt(n, value)))
        add(svg_metric_bars(bars, "Metric values"))
        add(
            _table(
                ["Group", "Metric", "Value", "n", "What it means"],
                [
                    [
                        report["metric_info"][n]["group"],
                        label(n),
                        fmt(n, v["value"]),
                        str(v["n"]),
                        report["metric_info"][n]["description"],
                    ]
                    for n, v in report["metrics"].items()
                ],
            )
        )

    base = report.get("baselines")
    if base:
        add(f"<{h}>Baselines: retrieval on the same cases</{h}>")
        add(
            f'<p class="muted">{base["n"]} cases with expected documents, one index. '
            "Δ = hybrid Assistant minus the row (positive: the Assistant is better).</p>"
        )
        head = ["System", *(label(n) for n in base["metrics"]), "Δ Hit@5", "Δ MRR"]
        add(
            _table(
                head,
                [
                    [
                        r["label"],
                        *(fmt(n, r["metrics"][n]) for n in base["metrics"]),
                        fmt_diff("hit_at_5", r["hybrid_minus_this"]["hit_at_5"]),
                        fmt_diff("mrr", r["hybrid_minus_this"]["mrr"]),
                    ]
                    for r in base["rows"]
                ],
            )
        )
        add(
            "<ul>"
            + "".join(f"<li>{escape(verdict_sentence(v))}</li>" for v in base["verdicts"])
            + "</ul>"
        )
        shown = [
            n
            for n in ("hit_at_1", "hit_at_5", "hit_at_10", "recall_at_5", "mrr")
            if n in base["metrics"]
        ]
        add(
            svg_grouped_bars(
                [label(n) for n in shown],
                [(r["label"], [r["metrics"][n] for n in shown]) for r in base["rows"]],
                "Retrieval: Assistant vs baselines",
            )
        )

    latencies = [x for c in report["cases"] for x in c.get("latencies_ms", [])]
    if latencies:
        add(f"<{h}>Latency</{h}>")
        p50, p95 = (
            report["metrics"].get("latency_p50_ms", {}),
            report["metrics"].get("latency_p95_ms", {}),
        )
        add(
            f"<p>p50 {escape(fmt('latency_p50_ms', p50.get('value')))} · p95 "
            f"{escape(fmt('latency_p95_ms', p95.get('value')))}</p>"
        )
        add(svg_histogram(latencies, "Latency histogram"))
        slow = sorted(report["cases"], key=lambda c: -(c.get("latency_p95_ms") or 0))[:10]
        add(
            "<details><summary>Slowest cases</summary>"
            + _table(
                ["Case", "p50", "p95", "samples"],
                [
                    [
                        c["id"],
                        fmt("latency_p50_ms", c.get("latency_p50_ms")),
                        fmt("latency_p95_ms", c.get("latency_p95_ms")),
                        str(len(c["latencies_ms"])),
                    ]
                    for c in slow
                ],
            )
            + "</details>"
        )

    if report["by_tag"]:
        add(f"<{h}>By tag</{h}>")
        tags = report["by_tag"]
        worst_first = sorted(
            tags.items(), key=lambda kv: (kv[1]["metrics"]["case_pass_rate"]["value"], kv[0])
        )
        add('<p class="muted">Share of cases passing every check, weakest tags first.</p>')
        add(
            svg_metric_bars(
                [
                    (f"{t} (n={v['n']})", rate, None, None, fmt("case_pass_rate", rate))
                    for t, v in worst_first
                    for rate in [v["metrics"]["case_pass_rate"]["value"]]
                ],
                "Share of cases passing, per tag",
            )
        )
        names = list(next(iter(tags.values()))["metrics"])
        add(
            _table(
                ["Tag", "n", *(label(n) for n in names)],
                [
                    [t, str(v["n"]), *(fmt(n, v["metrics"][n]["value"]) for n in names)]
                    for t, v in tags.items()
                ],
            )
        )

    det = report.get("efficacy_detection")
    if det:
        add(f"<{h}>Efficacy-question detection</{h}>")
        names = list(det["metrics"])
        add(
            _table(
                ["Set", "n", *(label(n).replace("Efficacy detection ", "") for n in names)],
                [["all", str(det["n"]), *(fmt(n, det["metrics"][n]["value"]) for n in names)]]
                + [
                    [
                        f"language {k}",
                        str(v["n"]),
                        *(fmt(n, v["metrics"][n]["value"]) for n in names),
                    ]
                    for k, v in det["by_lang"].items()
                ],
            )
        )
        wrong = [i for i in det["items"] if not i["correct"]]
        if wrong:
            add(f"<details><summary>Misclassified questions ({len(wrong)})</summary>")
            add(
                _table(
                    ["Id", "Question", "Label", "Predicted"],
                    [
                        [
                            i["id"],
                            i["question"],
                            "efficacy" if i["label"] else "not efficacy",
                            "error: " + str(i["error"])
                            if i["predicted"] is None
                            else ("efficacy" if i["predicted"] else "not efficacy"),
                        ]
                        for i in wrong
                    ],
                )
            )
            add("</details>")

    failed = [c for c in report["cases"] if not c["passed"]]
    add(f"<{h}>Failed cases ({len(failed)})</{h}>")
    if failed:
        add(
            _table(
                ["Case", "Question", "Answer and citations", "Expected", "Why it failed"],
                [_failed_row(c) for c in failed],
                raw=True,
            )
        )
    else:
        add("<p>Every case passed every check.</p>")

    comp = report.get("comparison")
    if comp:
        add(_comparison_html(comp, level))

    judge = report["judge"]
    add(f'<section class="separate"><{h}>Judge metrics (optional)</{h}>')
    add(
        '<p class="muted">Scores from a generative judge, shown apart from the deterministic '
        "metrics above; they never decide whether a run passes.</p>"
    )
    if judge["enabled"] and judge["metrics"]:
        add(_table(["Metric", "Value"], [[k, str(v)] for k, v in judge["metrics"].items()]))
    else:
        add(f"<p>None: {escape(judge['reason'])}.</p>")
    add("</section>")

    if report.get("warnings"):
        add(
            f"<{h}>Warnings about the cases</{h}><ul>"
            + "".join(f"<li>{escape(w)}</li>" for w in report["warnings"])
            + "</ul>"
        )
    add(
        f"<{h}>Configuration</{h}><pre>"
        + escape(json.dumps(cfg, indent=2, ensure_ascii=False))
        + "</pre>"
    )
    return out


def _failed_row(c: Mapping[str, Any]) -> list[str]:
    case = f'<strong>{escape(c["id"])}</strong><br><span class="muted">{escape(c["where"])}</span>'
    question = escape(c["question"])
    for turn in c.get("history") or []:
        question += (
            f'<br><span class="muted">earlier {escape(turn["role"])}: '
            f"{escape(turn['content'])}</span>"
        )
    got = f"<em>status {escape(str(c.get('status')))}</em>"
    if c.get("generator") and c["generator"] != "extractive":
        got += f' <span class="muted">(generator {escape(str(c["generator"]))})</span>'
    if c.get("answer"):
        got += f"<br>{escape(c['answer'])}"
    for cit in c.get("citations", []):
        got += (
            f'<br>[{cit["n"]}] {escape(cit["title"])} <span class="muted">'
            f"({escape(cit['doc_id'])} {cit['start']}–{cit['end']})</span>: "
            f'<span class="quote">“{escape(cit["quote"])}”</span>'
        )
    if c.get("caveat"):
        got += (
            f"<details><summary>Caveat ({len(c['caveat'])} characters)</summary>"
            f"{escape(c['caveat'])}</details>"
        )
    if c.get("retrieved"):
        got += (
            f'<br><span class="muted">retrieved (top 5): '
            f"{escape(', '.join(dict.fromkeys(c['retrieved'][:5])))}</span>"
        )
    expected = [f"status {escape(str(c.get('expected_status')))}"]
    if c["expected_docs"]:
        expected.append("docs: " + escape(", ".join(c["expected_docs"])))
    if c["expected_support"]:
        expected.append("support: " + escape("; ".join(f"“{p}”" for p in c["expected_support"])))
    expected.append("with the evidence caveat" if c.get("efficacy") else "no caveat")
    why = "<ul>" + "".join(f"<li>{escape(f)}</li>" for f in c["failures"]) + "</ul>"
    return [case, question, got, "<br>".join(expected), why]


def _comparison_html(comp: Mapping[str, Any], level: int = 2) -> str:
    h, hh = f"h{level}", f"h{level + 1}"
    out = [
        f'<{h}>Regressions and improvements</{h}><p class="muted">Against '
        f"{escape(str(comp['old_report']))} ({escape(str(comp['old_created']))}).</p>"
    ]
    out.append(
        _table(
            ["Metric", "Before", "Now", "Change", ""],
            [
                [
                    label(r["metric"]),
                    fmt(r["metric"], r["old"]),
                    fmt(r["metric"], r["new"]),
                    fmt_diff(r["metric"], r["delta"]),
                    r["change"],
                ]
                for r in comp["metrics"]
            ],
        )
    )
    for title, key in (("Regressions", "regressions"), ("Improvements", "improvements")):
        out.append(f"<{hh}>{title} ({len(comp[key])})</{hh}>")
        if comp[key]:
            out.append(
                _table(
                    ["Case", "Question", "What changed", "Status", "Failures now"],
                    [
                        [
                            e["id"],
                            e["question"] or "",
                            ", ".join(
                                f"{c['what']} {c['old']:.2f}→{c['new']:.2f}" for c in e["changes"]
                            ),
                            f"{e['old_status']} → {e['new_status']}",
                            "; ".join(e["new_failures"]),
                        ]
                        for e in comp[key]
                    ],
                )
            )
    for title, key in (
        ("Efficacy detection regressions", "detection_regressions"),
        ("Efficacy detection improvements", "detection_improvements"),
    ):
        if comp[key]:
            out.append(f"<{hh}>{title} ({len(comp[key])})</{hh}>")
            out.append(
                _table(
                    ["Id", "Question", "Label", "Before", "Now"],
                    [
                        [
                            e["id"],
                            e["question"],
                            str(e["label"]),
                            str(e["old_predicted"]),
                            str(e["new_predicted"]),
                        ]
                        for e in comp[key]
                    ],
                )
            )
    out.append(
        f"<p>Unchanged cases: {comp['unchanged']}. New: "
        f"{escape(', '.join(comp['added']) or 'none')}. Removed: "
        f"{escape(', '.join(comp['removed']) or 'none')}.</p>"
    )
    return "".join(out)
