"""The suite run twice on one index and one set of cases, extractive and generative, side by side.

:func:`combine` takes the two run reports (as :func:`~assistant.evals.runner.run_suite` builds
them) and returns one :class:`~assistant.evals.report_model.EvalReport`: the extractive run at
the top level, unchanged (so ``--compare`` and every tool reading report.json keep working), the
generative run under ``generative``, and ``side_by_side`` with every metric and threshold in two
columns, what the model did (answers it wrote, answers that fell back to the extractive one and
why) and each run's latency. The combined run passes only when both runs pass their thresholds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from assistant.evals import metrics as m
from assistant.evals.compare import compare
from assistant.evals.report_model import (
    GENERATIVE_SUFFIX,
    Bound,
    CaseResult,
    DetectionItem,
    Differences,
    EvalReport,
    GeneratorOutcomes,
    PerRun,
    RunLatency,
    RunSummary,
    RunVerdict,
    SideBySide,
    SideMetric,
    SideThreshold,
)

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


def _count(
    rows: Iterable[CaseResult | DetectionItem], name: str
) -> tuple[Counter[str], Counter[str]]:
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for row in rows:
        outcome, reason = classify(row.generator, name)
        outcomes[outcome] += 1
        if reason is not None:
            reasons[reason] += 1
    return outcomes, reasons


def generator_outcomes(report: EvalReport, name: str) -> GeneratorOutcomes:
    """What the model did in a generative run: per outcome, over cases and detection questions.

    ``model_written_share`` is the share of the answers the model was asked for (written or
    fallen back) that it wrote and that passed verification.
    """
    cases = report.cases
    detection = report.efficacy_detection.items if report.efficacy_detection else []
    case_counts, case_reasons = _count(cases, name)
    det_counts, det_reasons = _count(detection, name)
    total = case_counts + det_counts
    asked = total["generated"] + total["fallback"]
    by_status: dict[str, dict[str, int]] = {}
    for row in cases:
        outcome, _ = classify(row.generator, name)
        by_status.setdefault(str(row.status), {o: 0 for o in OUTCOMES})[outcome] += 1
    answers: list[CaseResult | DetectionItem] = [*cases, *detection]
    raw = Counter(str(r.generator) for r in answers if r.generator)
    return GeneratorOutcomes(
        generator=name,
        outcomes=list(OUTCOMES),
        labels=dict(OUTCOME_LABELS),
        cases={o: case_counts[o] for o in OUTCOMES},
        detection={o: det_counts[o] for o in OUTCOMES},
        all={o: total[o] for o in OUTCOMES},
        answers=sum(total.values()),
        model_asked=asked,
        model_written_share=total["generated"] / asked if asked else None,
        fallback_reasons=dict((case_reasons + det_reasons).most_common()),
        by_status=dict(sorted(by_status.items())),
        by_generator=dict(raw.most_common()),
    )


def latency(report: EvalReport) -> RunLatency:
    """One run's answer latency (p50, p95), the compose step alone and the run's wall time."""
    compose = [
        float(r.server_timings_ms["compose"])
        for r in report.cases
        if "compose" in r.server_timings_ms
    ]
    p50 = report.metrics.get("latency_p50_ms")
    return RunLatency(
        p50_ms=report.value("latency_p50_ms"),
        p95_ms=report.value("latency_p95_ms"),
        samples=p50.n if p50 is not None else 0,
        compose_p50_ms=m.percentile(compose, 50),
        compose_p95_ms=m.percentile(compose, 95),
        seconds=report.config.seconds,
    )


def _run_summary(report: EvalReport, name: str, label: str) -> RunSummary:
    target = report.config.target
    s = report.summary
    return RunSummary(
        name=name,  # type: ignore[arg-type]
        label=label,
        generator=target.generator,
        llm_model=target.llm_model,
        llm_base_url=target.llm_base_url,
        prompt_version=target.prompt_version,
        passed=s.passed,
        failed_thresholds=list(s.failed_thresholds),
        cases=s.cases,
        failed_cases=s.failed_cases,
        detection_items=s.detection_items,
        seconds=report.config.seconds,
    )


def _metric_rows(ext: EvalReport, gen: EvalReport) -> list[SideMetric]:
    rows = []
    for name in [*ext.metrics, *(n for n in gen.metrics if n not in ext.metrics)]:
        va, vb = ext.value(name), gen.value(name)
        spec = m.METRICS.get(name)
        a, b = ext.metrics.get(name), gen.metrics.get(name)
        rows.append(
            SideMetric(
                metric=name,
                label=spec.label if spec else name,
                group=spec.group if spec else "",
                unit=spec.unit if spec else "",
                better=spec.better if spec else "higher",
                extractive=va,
                generative=vb,
                difference=None if va is None or vb is None else vb - va,
                n={
                    "extractive": a.n if a is not None else None,
                    "generative": b.n if b is not None else None,
                },
            )
        )
    return rows


def _threshold_rows(ext: EvalReport, gen: EvalReport) -> list[SideThreshold]:
    rows = []
    for t in ext.thresholds:
        g = gen.threshold(t.metric)
        rows.append(
            SideThreshold(
                **t.model_dump(include=set(Bound.model_fields)),
                extractive=PerRun(value=t.value, status=t.status),
                generative=PerRun(value=g.value, status=g.status) if g else PerRun(),
            )
        )
    return rows


def _differences(ext: EvalReport, gen: EvalReport) -> Differences:
    """Cases whose scores differ between the runs: worse or better with the generator."""
    diff = compare(ext, gen, "extractive run")
    return Differences(
        worse=diff.regressions,
        better=diff.improvements,
        unchanged=diff.unchanged,
        detection_worse=diff.detection_regressions,
        detection_better=diff.detection_improvements,
    )


def _warnings(outcomes: GeneratorOutcomes) -> list[str]:
    asked, written = outcomes.model_asked, outcomes.all["generated"]
    if asked and not written:
        reasons = ", ".join(f"{r} ×{n}" for r, n in outcomes.fallback_reasons.items())
        return [
            f"the model ({outcomes.generator}) wrote none of the {asked} answers it was "
            f"asked for: every one fell back to the extractive answer ({reasons}); the "
            "generative column then measures the extractive answerer"
        ]
    return []


def combine(extractive: EvalReport, generative: EvalReport) -> EvalReport:
    """One report holding both runs; it passes only when both runs pass their thresholds."""
    report = extractive.model_copy(deep=True)
    gen = generative.model_copy(deep=True)
    target = gen.config.target
    name = target.generator if target.generator != "none" else "generative"
    label = f"{name} ({target.llm_model})" if target.llm_model else name
    outcomes = generator_outcomes(gen, name)
    runs = [
        _run_summary(report, "extractive", "extractive"),
        _run_summary(gen, "generative", label),
    ]
    report.generative = gen
    report.side_by_side = SideBySide(
        runs=runs,
        metrics=_metric_rows(report, gen),
        thresholds=_threshold_rows(report, gen),
        generator_outcomes=outcomes,
        latency={"extractive": latency(report), "generative": latency(gen)},
        differences=_differences(report, gen),
        warnings=_warnings(outcomes),
    )
    failed = list(report.summary.failed_thresholds) + [
        t + GENERATIVE_SUFFIX for t in gen.summary.failed_thresholds
    ]
    report.summary = report.summary.model_copy(
        update={
            "passed": not failed,
            "failed_thresholds": failed,
            "runs": {
                r.name: RunVerdict(passed=r.passed, failed_thresholds=r.failed_thresholds)
                for r in runs
            },
        }
    )
    return report
