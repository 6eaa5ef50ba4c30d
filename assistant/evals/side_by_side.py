"""The suite run twice on one index and one set of cases, extractive and generative, side by side.

:func:`combine` takes the two run reports (as :func:`~assistant.evals.runner.run_suite` builds
them) and returns one report: the extractive run at the top level, unchanged (so ``--compare``
and every tool reading report.json keep working), the generative run under ``generative``, and
``side_by_side`` with every metric and threshold in two columns, what the model did (answers it
wrote, answers that fell back to the extractive one and why) and each run's latency. The
combined run passes only when both runs pass their thresholds.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from assistant.evals import metrics as m
from assistant.evals.report import GENERATIVE_SUFFIX, compare

RUNS = ("extractive", "generative")

# Answer.generator of an answer the model wrote but that was not served (generation.py).
_FALLBACK = re.compile(r"^extractive \(fallback from (?P<name>[^:]+): (?P<reason>.*)\)$", re.S)

OUTCOMES = ("generated", "fallback", "no_model_call", "error", "other")
OUTCOME_LABELS = {
    "generated": "written by the model (verified)",
    "fallback": "fell back to the extractive answer",
    "no_model_call": "extractive, the model was not asked",
    "error": "could not be asked (error)",
    "other": "other generator",
}


def classify(generator: str | None, name: str) -> tuple[str, str | None]:
    """The outcome of one answer of a run with the ``name`` generator, and a fallback's reason.

    ``generator`` is the Answer's ``generator`` (None when the question could not be asked).
    """
    if generator is None:
        return "error", None
    if generator == name:
        return "generated", None
    match = _FALLBACK.match(generator)
    if match:
        return "fallback", reason_group(match.group("reason"))
    if generator == "extractive":
        return "no_model_call", None
    return "other", None


def reason_group(reason: str) -> str:
    """A fallback reason with its counts blanked, so that alike reasons are counted together
    ("only 1 of 3 sentences were supported" and "only 0 of 2 ..." are one reason)."""
    return re.sub(r"\d+(?:\.\d+)?", "N", reason.strip()) or "unknown"


def _count(rows: Iterable[Mapping[str, Any]], name: str) -> tuple[Counter[str], Counter[str]]:
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for row in rows:
        outcome, reason = classify(row.get("generator"), name)
        outcomes[outcome] += 1
        if reason is not None:
            reasons[reason] += 1
    return outcomes, reasons


def generator_outcomes(report: Mapping[str, Any], name: str) -> dict[str, Any]:
    """What the model did in a generative run: per outcome, over cases and detection questions.

    ``model_written_share`` is the share of the answers the model was asked for (written or
    fallen back) that it wrote and that passed verification.
    """
    cases = report.get("cases", [])
    detection = (report.get("efficacy_detection") or {}).get("items", [])
    case_counts, case_reasons = _count(cases, name)
    det_counts, det_reasons = _count(detection, name)
    total = case_counts + det_counts
    asked = total["generated"] + total["fallback"]
    by_status: dict[str, dict[str, int]] = {}
    for row in cases:
        outcome, _ = classify(row.get("generator"), name)
        status = str(row.get("status"))
        by_status.setdefault(status, {o: 0 for o in OUTCOMES})[outcome] += 1
    raw = Counter(str(r.get("generator")) for r in [*cases, *detection] if r.get("generator"))
    return {
        "generator": name,
        "outcomes": list(OUTCOMES),
        "labels": dict(OUTCOME_LABELS),
        "cases": {o: case_counts[o] for o in OUTCOMES},
        "detection": {o: det_counts[o] for o in OUTCOMES},
        "all": {o: total[o] for o in OUTCOMES},
        "answers": sum(total.values()),
        "model_asked": asked,
        "model_written_share": total["generated"] / asked if asked else None,
        "fallback_reasons": dict((case_reasons + det_reasons).most_common()),
        "by_status": dict(sorted(by_status.items())),
        "by_generator": dict(raw.most_common()),
    }


def latency(report: Mapping[str, Any]) -> dict[str, Any]:
    """One run's answer latency (p50, p95), the compose step alone and the run's wall time."""
    metrics = report.get("metrics", {})
    compose = [
        float(r["server_timings_ms"]["compose"])
        for r in report.get("cases", [])
        if isinstance(r.get("server_timings_ms"), dict) and "compose" in r["server_timings_ms"]
    ]
    return {
        "p50_ms": metrics.get("latency_p50_ms", {}).get("value"),
        "p95_ms": metrics.get("latency_p95_ms", {}).get("value"),
        "samples": metrics.get("latency_p50_ms", {}).get("n", 0),
        "compose_p50_ms": m.percentile(compose, 50),
        "compose_p95_ms": m.percentile(compose, 95),
        "seconds": report.get("config", {}).get("seconds"),
    }


def _run_summary(report: Mapping[str, Any], name: str, label: str) -> dict[str, Any]:
    target = report.get("config", {}).get("target", {})
    s = report["summary"]
    return {
        "name": name,
        "label": label,
        "generator": target.get("generator", "none"),
        "llm_model": target.get("llm_model"),
        "llm_base_url": target.get("llm_base_url"),
        "prompt_version": target.get("prompt_version"),
        "passed": s["passed"],
        "failed_thresholds": list(s["failed_thresholds"]),
        "cases": s["cases"],
        "failed_cases": s["failed_cases"],
        "detection_items": s.get("detection_items", 0),
        "seconds": report.get("config", {}).get("seconds"),
    }


def _metric_rows(ext: Mapping[str, Any], gen: Mapping[str, Any]) -> list[dict[str, Any]]:
    a, b = ext.get("metrics", {}), gen.get("metrics", {})
    rows = []
    for name in [*a, *(n for n in b if n not in a)]:
        va, vb = a.get(name, {}).get("value"), b.get(name, {}).get("value")
        spec = m.METRICS.get(name)
        rows.append(
            {
                "metric": name,
                "label": spec.label if spec else name,
                "group": spec.group if spec else "",
                "unit": spec.unit if spec else "",
                "better": spec.better if spec else "higher",
                "extractive": va,
                "generative": vb,
                "difference": None if va is None or vb is None else vb - va,
                "n": {
                    "extractive": a.get(name, {}).get("n"),
                    "generative": b.get(name, {}).get("n"),
                },
            }
        )
    return rows


def _threshold_rows(ext: Mapping[str, Any], gen: Mapping[str, Any]) -> list[dict[str, Any]]:
    theirs = {t["metric"]: t for t in gen.get("thresholds", [])}
    rows = []
    for t in ext.get("thresholds", []):
        g = theirs.get(t["metric"], {})
        rows.append(
            {
                "metric": t["metric"],
                "label": t["label"],
                "min": t["min"],
                "max": t["max"],
                "where": t["where"],
                "extractive": {"value": t["value"], "status": t["status"]},
                "generative": {
                    "value": g.get("value"),
                    "status": g.get("status", "not measured"),
                },
            }
        )
    return rows


def _differences(ext: Mapping[str, Any], gen: Mapping[str, Any]) -> dict[str, Any]:
    """Cases whose scores differ between the runs: worse or better with the generator."""
    diff = compare(ext, gen, "extractive run")
    return {
        "worse": diff["regressions"],
        "better": diff["improvements"],
        "unchanged": diff["unchanged"],
        "detection_worse": diff["detection_regressions"],
        "detection_better": diff["detection_improvements"],
    }


def _warnings(outcomes: Mapping[str, Any]) -> list[str]:
    asked, written = outcomes["model_asked"], outcomes["all"]["generated"]
    if asked and not written:
        reasons = ", ".join(f"{r} ×{n}" for r, n in outcomes["fallback_reasons"].items())
        return [
            f"the model ({outcomes['generator']}) wrote none of the {asked} answers it was "
            f"asked for: every one fell back to the extractive answer ({reasons}); the "
            "generative column then measures the extractive answerer"
        ]
    return []


def combine(extractive: Mapping[str, Any], generative: Mapping[str, Any]) -> dict[str, Any]:
    """One report holding both runs; it passes only when both runs pass their thresholds."""
    report = copy.deepcopy(dict(extractive))
    gen = copy.deepcopy(dict(generative))
    target = gen.get("config", {}).get("target", {})
    name = str(target.get("generator") or "generative")
    model = target.get("llm_model")
    label = f"{name} ({model})" if model else name
    outcomes = generator_outcomes(gen, name)
    runs = [
        _run_summary(report, "extractive", "extractive"),
        _run_summary(gen, "generative", label),
    ]
    report["generative"] = gen
    report["side_by_side"] = {
        "runs": runs,
        "metrics": _metric_rows(report, gen),
        "thresholds": _threshold_rows(report, gen),
        "generator_outcomes": outcomes,
        "latency": {"extractive": latency(report), "generative": latency(gen)},
        "differences": _differences(report, gen),
        "warnings": _warnings(outcomes),
    }
    failed = list(report["summary"]["failed_thresholds"]) + [
        t + GENERATIVE_SUFFIX for t in gen["summary"]["failed_thresholds"]
    ]
    report["summary"] = {
        **report["summary"],
        "passed": not failed,
        "failed_thresholds": failed,
        "runs": {
            r["name"]: {"passed": r["passed"], "failed_thresholds": r["failed_thresholds"]}
            for r in runs
        },
    }
    return report
