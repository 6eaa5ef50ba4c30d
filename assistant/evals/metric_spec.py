"""How a run-level metric is defined and aggregated: :class:`MetricSpec`, :class:`MetricValue`,
the statistics they use, efficacy-detection counts and the threshold check."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Better = Literal["higher", "lower"]
Record = Mapping[str, Any]
"""A per-case record as the metrics read it (a dumped CaseResult)."""


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not ``None``; ``None`` when there are none."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between ranks, as numpy's default."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def rate(hits: int, total: int) -> float | None:
    return hits / total if total else None


@dataclass
class MetricValue:
    """A metric's value and how many cases (or samples) it was computed over."""

    value: float | None
    n: int

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "n": self.n}


@dataclass(frozen=True)
class MetricSpec:
    """How one run-level metric is computed, and how the report shows it.

    A new metric is one spec in :data:`assistant.evals.metrics.METRICS`: the run computes it,
    the report's metrics table lists it, report.json keeps it, the comparison and the
    side-by-side report follow it, and the thresholds file can bound it. A spec with a
    ``section`` is shown in that section of the report instead of the metrics table (one line
    of each run template names the section).
    """

    name: str
    label: str
    group: str
    description: str
    better: Better = "higher"
    unit: str = ""
    """"" for a share (shown as a percentage), "score" for other 0-1 numbers, "ms", "grade"
    (a reading grade) or "ease" (a reading-ease figure, shown with its band)."""
    # From a per-case record (a mapping) to the values to average; None when it does not apply.
    per_case: Callable[[Record], float | None] | None = None
    aggregate: str = "mean"
    """"mean", "max" or "min" of the per-case values, "p50" or "p95" of latency samples."""
    measure: Callable[[], MetricValue] | None = None
    """Measured once per run from the project's files rather than from the cases."""
    language: str | None = None
    """The answer language a reading metric is about."""
    section: str | None = None
    """A section of the report that shows this metric apart from the metrics table."""

    def compute(self, records: Sequence[Record]) -> MetricValue | None:
        """The metric over ``records``; None for a metric computed elsewhere (detection)."""
        if self.measure is not None:
            return self.measure()
        if self.aggregate in ("p50", "p95"):
            samples = [s for r in records for s in r.get("latencies_ms", [])]
            return MetricValue(percentile(samples, int(self.aggregate[1:])), len(samples))
        if self.per_case is None:
            return None
        per_case = self.per_case
        values = [v for v in (per_case(r) for r in records) if v is not None]
        pick: Callable[[Sequence[float]], float | None] = {
            "max": lambda vs: max(vs) if vs else None,
            "min": lambda vs: min(vs) if vs else None,
        }.get(self.aggregate, mean)
        return MetricValue(pick(values), len(values))


def detection_metrics(
    items: Sequence[tuple[bool, bool | None]],
) -> dict[str, MetricValue]:
    """Efficacy-detection metrics from (label, predicted) pairs; predicted None is an error
    (the question could not be asked), which counts as a miss."""
    counts = Counter(
        (label, not label if predicted is None else predicted) for label, predicted in items
    )
    tp, fn = counts[True, True], counts[True, False]
    fp, tn = counts[False, True], counts[False, False]
    pos, neg, flagged = tp + fn, fp + tn, tp + fp
    return {
        "efficacy_detection_recall": MetricValue(rate(tp, pos), pos),
        "efficacy_detection_false_positive_rate": MetricValue(rate(fp, neg), neg),
        "efficacy_detection_precision": MetricValue(rate(tp, flagged), flagged),
        "efficacy_detection_accuracy": MetricValue(rate(tp + tn, pos + neg), pos + neg),
    }


def check_threshold(value: float | None, minimum: float | None, maximum: float | None) -> str:
    """'pass', 'fail' or 'not measured' for a value against its bounds."""
    if value is None:
        return "not measured"
    if minimum is not None and value < minimum - 1e-12:
        return "fail"
    if maximum is not None and value > maximum + 1e-12:
        return "fail"
    return "pass"
