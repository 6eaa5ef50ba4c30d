"""What changed between two runs: metric by metric, case by case, detection question by question.

Used by ``--compare OLD/report.json`` and by the side-by-side mode (the generative run against
the extractive one). A function of two reports; the renderers only show its result.
"""

from __future__ import annotations

from assistant.evals.metrics import METRICS
from assistant.evals.report_model import (
    CaseChange,
    CaseResult,
    Comparison,
    DetectionChange,
    EvalReport,
    MetricChange,
    ScoreChange,
)

# Per-case scores compared between runs, with how the report names them; higher is better.
COMPARED: dict[str, str] = {
    "passed": "passed",
    "status_correct": "status",
    "hit_at_5": "hit@5",
    "reciprocal_rank": "reciprocal rank",
    "citation_validity": "citations valid",
    "support_coverage": "support coverage",
    "citation_precision": "citation precision",
    "caveat_ok": "caveat right",
}


def case_values(case: CaseResult) -> dict[str, float | None]:
    """The compared scores of one case (a score the case does not have is left out)."""
    values: dict[str, float | None] = {k: v for k, v in case.scores.items() if k in COMPARED}
    values["passed"] = 1.0 if case.passed else 0.0
    values["caveat_ok"] = 1.0 if case.caveat_present == case.efficacy else 0.0
    return values


def _case_change(before: CaseResult, after: CaseResult) -> CaseChange | None:
    a, b = case_values(before), case_values(after)
    changes = [
        ScoreChange(what=what, key=key, old=old, new=new)
        for key, what in COMPARED.items()
        for old, new in [(a.get(key), b.get(key))]
        if old is not None and new is not None and old != new
    ]
    if not changes:
        return None
    return CaseChange(
        id=after.id,
        question=after.question,
        changes=changes,
        old_status=before.status,
        new_status=after.status,
        old_failures=before.failures,
        new_failures=after.failures,
    )


def metric_change(name: str, old: float | None, new: float | None) -> MetricChange | None:
    """One metric before and now; None when neither run measured it."""
    if old is None and new is None:
        return None
    delta = None if old is None or new is None else new - old
    spec = METRICS.get(name)
    better = spec.better if spec else "higher"
    if delta is None or abs(delta) < 1e-9:
        change = "same" if delta is not None else "n/a"
    else:
        change = "improved" if (delta > 0) == (better == "higher") else "regressed"
    if spec and spec.unit == "ms" and change != "n/a":
        change = f"{change} (timing)"
    return MetricChange(metric=name, old=old, new=new, delta=delta, change=change)


def _detection_changes(
    old: EvalReport, new: EvalReport
) -> tuple[list[DetectionChange], list[DetectionChange]]:
    before = {d.id: d for d in old.efficacy_detection.items} if old.efficacy_detection else {}
    regressions: list[DetectionChange] = []
    improvements: list[DetectionChange] = []
    for item in new.efficacy_detection.items if new.efficacy_detection else []:
        was = before.get(item.id)
        if was is None or was.correct == item.correct:
            continue
        change = DetectionChange(
            id=item.id,
            question=item.question,
            label=item.label,
            old_predicted=was.predicted,
            new_predicted=item.predicted,
        )
        (improvements if item.correct else regressions).append(change)
    return regressions, improvements


def compare(old: EvalReport, new: EvalReport, old_path: str = "") -> Comparison:
    """Case-by-case and metric-by-metric changes from ``old`` to ``new``."""
    old_cases = {c.id: c for c in old.cases}
    new_ids = {c.id for c in new.cases}
    regressions: list[CaseChange] = []
    improvements: list[CaseChange] = []
    unchanged = 0
    for case in new.cases:
        before = old_cases.get(case.id)
        if before is None:
            continue
        change = _case_change(before, case)
        if change is None:
            unchanged += 1
        else:
            (regressions if change.worse else improvements).append(change)
    metrics = [
        row
        for name, result in new.metrics.items()
        for row in [metric_change(name, old.value(name), result.value)]
        if row is not None
    ]
    det_regressions, det_improvements = _detection_changes(old, new)
    return Comparison(
        old_report=old_path,
        old_created=old.created,
        metrics=metrics,
        regressions=regressions,
        improvements=improvements,
        unchanged=unchanged,
        added=sorted(new_ids - old_cases.keys()),
        removed=sorted(old_cases.keys() - new_ids),
        detection_regressions=det_regressions,
        detection_improvements=det_improvements,
    )
