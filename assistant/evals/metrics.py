"""Run-level metrics: :data:`METRICS` says how each one is aggregated from the per-case records,
so the report, the thresholds file and the per-tag tables share one definition.

The per-case scores live in :mod:`assistant.evals.scoring`, the spec and the statistics in
:mod:`assistant.evals.metric_spec`, the reading-level metrics in
:mod:`assistant.evals.reading_metrics`; their names are importable from here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from assistant.evals.metric_spec import (
    Better,
    MetricSpec,
    MetricValue,
    check_threshold,
    detection_metrics,
    mean,
    percentile,
    rate,
)
from assistant.evals.reading_metrics import (
    FIXED_MESSAGE_GROUPS,
    FIXED_MESSAGE_KEYS,
    READING_METRICS,
    caveat_verdict,
    fixed_message_grade_max,
    fixed_messages,
)
from assistant.evals.scoring import (
    K_MAX,
    KS,
    CitationCheck,
    Hit,
    citation_check,
    citation_precision,
    contains,
    normalise,
    retrieval_scores,
    support_coverage,
)

__all__ = [
    "FIXED_MESSAGE_GROUPS",
    "FIXED_MESSAGE_KEYS",
    "GUARDRAIL_METRICS",
    "KS",
    "K_MAX",
    "METRICS",
    "READING_METRICS",
    "RETRIEVAL_METRICS",
    "Better",
    "CitationCheck",
    "Hit",
    "MetricSpec",
    "MetricValue",
    "aggregate",
    "caveat_verdict",
    "check_threshold",
    "citation_check",
    "citation_precision",
    "contains",
    "detection_metrics",
    "fixed_message_grade_max",
    "fixed_messages",
    "mean",
    "normalise",
    "percentile",
    "rate",
    "retrieval_scores",
    "support_coverage",
]


def _score(key: str) -> Callable[[Mapping[str, Any]], float | None]:
    return lambda r: r["scores"].get(key)


def _when(
    pred: Callable[[Mapping[str, Any]], bool], value: Callable[[Mapping[str, Any]], float]
) -> Callable[[Mapping[str, Any]], float | None]:
    return lambda r: value(r) if pred(r) else None


def _has_caveat(r: Mapping[str, Any]) -> float:
    return 1.0 if r.get("caveat_present") else 0.0


def _is_emergency(r: Mapping[str, Any]) -> float:
    return 1.0 if r.get("status") == "emergency" else 0.0


_RETRIEVAL: list[MetricSpec] = []
for _k in KS:
    _RETRIEVAL.append(
        MetricSpec(
            f"hit_at_{_k}",
            f"Hit@{_k}",
            "retrieval",
            f"Share of cases with an expected document among the top {_k} passages.",
            per_case=_score(f"hit_at_{_k}"),
        )
    )
for _k in (5, 10):
    _RETRIEVAL.append(
        MetricSpec(
            f"recall_at_{_k}",
            f"Recall@{_k}",
            "retrieval",
            f"Share of each case's expected documents found in the top {_k} passages, averaged.",
            per_case=_score(f"recall_at_{_k}"),
        )
    )
_RETRIEVAL.append(
    MetricSpec(
        "mrr",
        f"MRR@{K_MAX}",
        "retrieval",
        f"Mean reciprocal rank of the first passage from an expected document (0 if none in the "
        f"top {K_MAX}).",
        unit="score",
        per_case=_score("reciprocal_rank"),
    )
)

RETRIEVAL_METRICS: tuple[str, ...] = tuple(m.name for m in _RETRIEVAL)


METRICS: dict[str, MetricSpec] = {
    m.name: m
    for m in [
        *_RETRIEVAL,
        MetricSpec(
            "status_accuracy",
            "Status accuracy",
            "answers",
            "Share of cases whose status (answered, no_evidence, emergency, declined) is the "
            "expected one.",
            per_case=_score("status_correct"),
        ),
        MetricSpec(
            "support_coverage",
            "Support coverage",
            "answers",
            "Share of expected support phrases that appear in the answer, averaged over cases "
            "with support phrases.",
            per_case=_score("support_coverage"),
        ),
        MetricSpec(
            "case_pass_rate",
            "Cases passed",
            "answers",
            "Share of cases that pass every check (see 'failed cases').",
            per_case=lambda r: 1.0 if r.get("passed") else 0.0,
        ),
        MetricSpec(
            "citation_validity",
            "Citation validity",
            "citations",
            "Share of answers with citations whose every [n] marker maps to a citation and "
            "every quote equals the source text at its offsets.",
            per_case=_score("citation_validity"),
        ),
        MetricSpec(
            "citation_precision",
            "Citation precision",
            "citations",
            "Share of cited quotes containing an expected support phrase, averaged over cases "
            "with support phrases and citations.",
            per_case=_score("citation_precision"),
        ),
        MetricSpec(
            "answered_cited_rate",
            "Answers with a source",
            "citations",
            "Share of answered cases whose answer cites at least one passage.",
            per_case=_when(
                lambda r: r.get("status") == "answered", lambda r: float(bool(r.get("citations")))
            ),
        ),
        MetricSpec(
            "caveat_recall",
            "Caveat recall",
            "guardrails",
            "Share of efficacy questions answered with an evidence-status caveat.",
            per_case=_when(lambda r: bool(r["efficacy"]), _has_caveat),
        ),
        MetricSpec(
            "caveat_false_positive_rate",
            "Caveat false-positive rate",
            "guardrails",
            "Share of non-efficacy questions that got a caveat anyway.",
            better="lower",
            per_case=_when(lambda r: not r["efficacy"], _has_caveat),
        ),
        MetricSpec(
            "emergency_recall",
            "Emergency recall",
            "guardrails",
            "Share of emergency cases answered with status emergency.",
            per_case=_when(lambda r: r["expected_status"] == "emergency", _is_emergency),
        ),
        MetricSpec(
            "emergency_false_positive_rate",
            "Emergency false alarms",
            "guardrails",
            "Share of non-emergency cases answered with status emergency.",
            better="lower",
            per_case=_when(lambda r: r["expected_status"] != "emergency", _is_emergency),
        ),
        MetricSpec(
            "efficacy_detection_recall",
            "Efficacy detection recall",
            "efficacy detection",
            "Detection set: share of efficacy questions flagged (the Answer's efficacy_question).",
        ),
        MetricSpec(
            "efficacy_detection_false_positive_rate",
            "Efficacy detection false-positive rate",
            "efficacy detection",
            "Detection set: share of non-efficacy questions flagged as efficacy.",
            better="lower",
        ),
        MetricSpec(
            "efficacy_detection_precision",
            "Efficacy detection precision",
            "efficacy detection",
            "Detection set: share of flagged questions that are efficacy questions.",
        ),
        MetricSpec(
            "efficacy_detection_accuracy",
            "Efficacy detection accuracy",
            "efficacy detection",
            "Detection set: share of questions classified right.",
        ),
        # Measured by `assistant eval patients` (assistant/evals/patient_set.py) on the
        # outside-written patient questions; the main suite reports them as not measured.
        MetricSpec(
            "patient_status_accuracy",
            "Patient questions: status accuracy",
            "patient questions",
            "Share of patient questions whose last answer has one of the expected statuses.",
        ),
        MetricSpec(
            "patient_completeness",
            "Patient questions: completeness",
            "patient questions",
            "Share of answerable patient questions whose answer and quotes contain one phrase "
            "of every expected group.",
        ),
        MetricSpec(
            "patient_false_refusal_rate",
            "Patient questions: false refusals",
            "patient questions",
            "Share of patient questions expected to be answered that got no_evidence.",
            better="lower",
        ),
        MetricSpec(
            "patient_wrong_procedure_rate",
            "Patient questions: wrong procedure",
            "patient questions",
            "Share of patient questions with a quote about only other procedures than those "
            "the question names.",
            better="lower",
        ),
        MetricSpec(
            "patient_empty_answers",
            "Patient questions: empty answers",
            "patient questions",
            "Number of answers with status answered and no text.",
            better="lower",
            unit="score",
        ),
        *READING_METRICS,
        MetricSpec(
            "latency_p50_ms",
            "Latency p50",
            "latency",
            "Median time to answer one question (Answer.timings_ms.total in-process, wall "
            "time over HTTP).",
            better="lower",
            unit="ms",
            aggregate="p50",
        ),
        MetricSpec(
            "latency_p95_ms",
            "Latency p95",
            "latency",
            "95th percentile of the time to answer one question.",
            better="lower",
            unit="ms",
            aggregate="p95",
        ),
    ]
}


def aggregate(
    records: Sequence[Mapping[str, Any]], names: Iterable[str] | None = None
) -> dict[str, MetricValue]:
    """Run-level metrics over per-case records (see :class:`MetricSpec`)."""
    out: dict[str, MetricValue] = {}
    for name in names if names is not None else METRICS:
        value = METRICS[name].compute(records)
        if value is not None:
            out[name] = value
    return out


# Guardrails on the outside-written sets: measured by ``assistant eval guardrails`` only (see
# assistant/evals/guardrail_sets.py); the main suite reports them as not measured.
GUARDRAIL_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "guardrail_efficacy_recall",
        "Guardrails: efficacy recall (outside set)",
        "guardrails",
        "Outside efficacy set: share of efficacy questions flagged as efficacy.",
    ),
    MetricSpec(
        "guardrail_efficacy_false_positive_rate",
        "Guardrails: efficacy false-positive rate (outside set)",
        "guardrails",
        "Outside efficacy set: share of other questions flagged as efficacy.",
        better="lower",
    ),
    MetricSpec(
        "guardrail_caveat_about_asked",
        "Guardrails: caveat about the treatment asked",
        "guardrails",
        "Outside efficacy set, efficacy items naming a treatment: share whose caveat names that "
        "treatment (or its registry procedure).",
    ),
    MetricSpec(
        "guardrail_red_flag_recall",
        "Guardrails: red-flag recall (outside set)",
        "guardrails",
        "Outside triage set: share of emergency and urgent items flagged at either level.",
    ),
    MetricSpec(
        "guardrail_triage_level_accuracy",
        "Guardrails: triage level accuracy (outside set)",
        "guardrails",
        "Outside triage set: share of items given exactly the expected level (emergency, "
        "urgent or none).",
    ),
    MetricSpec(
        "guardrail_triage_false_alarm_rate",
        "Guardrails: triage false-alarm rate (outside set)",
        "guardrails",
        "Outside triage set: share of items expected 'none' flagged emergency or urgent.",
        better="lower",
    ),
)
METRICS.update({spec.name: spec for spec in GUARDRAIL_METRICS})
