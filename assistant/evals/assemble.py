"""Assemble the scored cases of a run into an :class:`~assistant.evals.report_model.EvalReport`:
run-level metrics, per-tag tables, baselines, efficacy detection, thresholds and the verdict."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from assistant import __version__
from assistant.evals import metrics as m
from assistant.evals.baselines import HYBRID, HYBRID_LABEL, Baseline, verdicts
from assistant.evals.report_model import (
    BaselineRow,
    BaselineTable,
    CaseResult,
    DetectionItem,
    DetectionSummary,
    EvalReport,
    GroupMetrics,
    IndexInfo,
    JudgeSection,
    MetricInfo,
    MetricResult,
    RunConfig,
    Summary,
    ThresholdResult,
)
from assistant.evals.schema import Sourced, Threshold

TAG_METRICS = (
    "case_pass_rate",
    "hit_at_5",
    "mrr",
    "status_accuracy",
    "support_coverage",
    "citation_validity",
    "citation_precision",
    "caveat_recall",
    "latency_p50_ms",
    "latency_p95_ms",
)
RETRIEVAL_TAG_METRICS = ("case_pass_rate", "hit_at_5", "recall_at_5", "mrr", "latency_p50_ms")
RETRIEVAL_RUN_METRICS = (*m.RETRIEVAL_METRICS, "case_pass_rate", "latency_p50_ms", "latency_p95_ms")


def _results(metrics: Mapping[str, m.MetricValue]) -> dict[str, MetricResult]:
    return {name: MetricResult(value=v.value, n=v.n) for name, v in metrics.items()}


def _rows(records: Iterable[CaseResult]) -> list[dict[str, Any]]:
    """The cases as the metric functions read them (:attr:`MetricSpec.per_case`)."""
    return [r.model_dump() for r in records]


def by_tag(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> dict[str, GroupMetrics]:
    """The metrics again, over the cases that carry each tag."""
    tags = sorted({t for r in rows for t in r.get("tags", [])})
    out = {}
    for tag in tags:
        subset = [r for r in rows if tag in r.get("tags", [])]
        out[tag] = GroupMetrics(n=len(subset), metrics=_results(m.aggregate(subset, names)))
    return out


def baseline_table(records: Sequence[CaseResult], baselines: Sequence[Baseline]) -> BaselineTable:
    """Retrieval metrics of the hybrid Assistant and of each baseline over the same cases."""
    scored = [r for r in records if r.expected_docs and "hit_at_1" in r.scores]
    systems: list[tuple[str, str, dict[str, float | None]]] = []
    hybrid = m.aggregate([{"scores": r.scores} for r in scored], m.RETRIEVAL_METRICS)
    systems.append((HYBRID, HYBRID_LABEL, {k: v.value for k, v in hybrid.items()}))
    for b in baselines:
        pseudo = [
            {"scores": r.baselines[b.name].scores if b.name in r.baselines else {}} for r in scored
        ]
        theirs = m.aggregate(pseudo, m.RETRIEVAL_METRICS)
        systems.append((b.name, b.label, {k: v.value for k, v in theirs.items()}))
    reference = systems[0][2]
    rows = []
    for name, label, values in systems:
        diff: dict[str, float | None] = {}
        for k, v in values.items():
            ours = reference.get(k)
            diff[k] = ours - v if name != HYBRID and ours is not None and v is not None else None
        rows.append(BaselineRow(system=name, label=label, metrics=values, hybrid_minus_this=diff))
    return BaselineTable(
        n=len(scored), metrics=list(m.RETRIEVAL_METRICS), rows=rows, verdicts=verdicts(systems)
    )


def detection_summary(items: Sequence[DetectionItem]) -> DetectionSummary:
    """Efficacy-detection metrics overall and per language and tag."""

    def over(subset: Iterable[DetectionItem]) -> GroupMetrics:
        chosen = list(subset)
        counted = m.detection_metrics([(r.label, r.predicted) for r in chosen])
        return GroupMetrics(n=len(chosen), metrics=_results(counted))

    langs = sorted({r.lang for r in items})
    tags = sorted({t for r in items for t in r.tags})
    return DetectionSummary(
        n=len(items),
        metrics=over(items).metrics,
        by_lang={lang: over(r for r in items if r.lang == lang) for lang in langs},
        by_tag={tag: over(r for r in items if tag in r.tags) for tag in tags},
        items=list(items),
    )


def judge_section(records: Sequence[CaseResult]) -> JudgeSection:
    """Generative-judge metrics: none are computed here, and none ever gate a run."""
    generators = sorted({r.generator for r in records if r.generator})
    generative = [g for g in generators if g != "extractive"]
    if generative:
        reason = (
            f"answers came from a generative model ({', '.join(generative)}), but no "
            "judge is configured for the eval; only deterministic metrics were computed"
        )
    else:
        reason = (
            "no generative model is configured (answers are extractive), so no judge "
            "metrics were computed"
        )
    return JudgeSection(enabled=False, reason=reason, generators=generators)


def apply_thresholds(
    metrics: Mapping[str, MetricResult], thresholds: Mapping[str, Sourced[Threshold]]
) -> list[ThresholdResult]:
    """Each threshold with the measured value and pass, fail or not measured."""
    out = []
    for name, sourced in thresholds.items():
        t = sourced.item
        found = metrics.get(name)
        value = found.value if found is not None else None
        out.append(
            ThresholdResult(
                metric=name,
                label=m.METRICS[name].label,
                min=t.min,
                max=t.max,
                value=value,
                where=sourced.where,
                status=m.check_threshold(value, t.min, t.max),  # type: ignore[arg-type]
            )
        )
    return out


def _metric_info(names: Iterable[str]) -> dict[str, MetricInfo]:
    return {
        n: MetricInfo(
            label=s.label,
            group=s.group,
            description=s.description,
            better=s.better,
            unit=s.unit,
            language=s.language,
            section=s.section,
        )
        for n, s in m.METRICS.items()
        if n in set(names)
    }


def assemble(
    *,
    kind: Literal["suite", "retrieval"],
    config: Mapping[str, Any],
    records: Sequence[CaseResult],
    detection: Sequence[DetectionItem],
    baselines: Sequence[Baseline],
    thresholds: Mapping[str, Sourced[Threshold]],
    warnings: Sequence[str] = (),
    index: IndexInfo | None = None,
) -> EvalReport:
    """The whole report of one run."""
    if kind == "retrieval":
        names: Sequence[str] = RETRIEVAL_RUN_METRICS
        tag_names: Sequence[str] = RETRIEVAL_TAG_METRICS
    else:
        names = [n for n, spec in m.METRICS.items() if spec.group != "efficacy detection"]
        tag_names = TAG_METRICS
    rows = _rows(records)
    metrics = _results(m.aggregate(rows, names))
    det = detection_summary(detection) if detection else None
    if det is not None:
        metrics.update(det.metrics)
    checked = apply_thresholds(metrics, thresholds)
    failed = [t.metric for t in checked if t.status == "fail"]
    run_config = {
        **config,
        "assistant_version": __version__,
        "ks": list(m.KS),
        "python": sys.version.split()[0],
    }
    return EvalReport(
        kind=kind,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        config=RunConfig.model_validate(run_config),
        summary=Summary(
            passed=not failed,
            failed_thresholds=failed,
            cases=len(records),
            failed_cases=sum(not r.passed for r in records),
            detection_items=len(detection),
            detection_errors=sum(1 for r in detection if r.predicted is None),
            answer_words_p50=m.percentile([len(r.answer.split()) for r in records if r.answer], 50),
        ),
        metrics=metrics,
        metric_info=_metric_info(metrics),
        thresholds=checked,
        by_tag=by_tag(rows, tag_names),
        baselines=baseline_table(records, baselines) if baselines else None,
        efficacy_detection=det,
        judge=judge_section(records),
        warnings=list(warnings),
        cases=list(records),
        index=index,
    )
