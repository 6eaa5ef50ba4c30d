"""The parts of an eval report that compare runs: against an earlier report
(:mod:`assistant.evals.compare`) and the extractive and generative runs side by side
(:mod:`assistant.evals.side_by_side`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from assistant.evals.report_common import Bound, ReportModel, ThresholdStatus


# ---- comparison ---------------------------------------------------------------------------
class ScoreChange(ReportModel):
    what: str
    key: str
    old: float
    new: float


class CaseChange(ReportModel):
    """A case whose scores changed between two runs."""

    id: str
    question: str | None = None
    changes: list[ScoreChange]
    old_status: str | None = None
    new_status: str | None = None
    old_failures: list[str] = Field(default_factory=list)
    new_failures: list[str] = Field(default_factory=list)

    @property
    def worse(self) -> bool:
        return any(c.new < c.old for c in self.changes)


class DetectionChange(ReportModel):
    """An efficacy-detection question classified right in one run and wrong in the other."""

    id: str
    question: str
    label: bool
    old_predicted: bool | None
    new_predicted: bool | None


class MetricChange(ReportModel):
    metric: str
    old: float | None
    new: float | None
    delta: float | None
    change: str


class Comparison(ReportModel):
    """What changed from an earlier run to this one, metric by metric and case by case."""

    old_report: str = ""
    old_created: str | None = None
    metrics: list[MetricChange] = Field(default_factory=list)
    regressions: list[CaseChange] = Field(default_factory=list)
    improvements: list[CaseChange] = Field(default_factory=list)
    unchanged: int = 0
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    detection_regressions: list[DetectionChange] = Field(default_factory=list)
    detection_improvements: list[DetectionChange] = Field(default_factory=list)


# ---- side by side -------------------------------------------------------------------------
class RunSummary(ReportModel):
    """One run of a side-by-side report: which answerer, and its verdict."""

    name: Literal["extractive", "generative"]
    label: str
    generator: str = "none"
    llm_model: str | None = None
    llm_base_url: str | None = None
    prompt_version: str | None = None
    passed: bool
    failed_thresholds: list[str]
    cases: int
    failed_cases: int
    detection_items: int = 0
    seconds: float | None = None


class PerRun(ReportModel):
    """A threshold's value and verdict in one run."""

    value: float | None = None
    status: ThresholdStatus = "not measured"


class SideThreshold(Bound):
    extractive: PerRun
    generative: PerRun


class SideMetric(ReportModel):
    metric: str
    label: str
    group: str = ""
    unit: str = ""
    better: Literal["higher", "lower"] = "higher"
    extractive: float | None
    generative: float | None
    difference: float | None
    n: dict[str, int | None]


class GeneratorOutcomes(ReportModel):
    """What the model did in a generative run, per outcome (see side_by_side.OUTCOMES)."""

    generator: str
    outcomes: list[str]
    labels: dict[str, str]
    cases: dict[str, int]
    detection: dict[str, int]
    all: dict[str, int]
    answers: int
    model_asked: int
    model_written_share: float | None
    fallback_reasons: dict[str, int]
    by_status: dict[str, dict[str, int]]
    by_generator: dict[str, int]

    def shown(self) -> list[str]:
        """The outcomes that happened at least once, in the order of ``outcomes``."""
        return [o for o in self.outcomes if self.all.get(o)]


class RunLatency(ReportModel):
    p50_ms: float | None = None
    p95_ms: float | None = None
    samples: int = 0
    compose_p50_ms: float | None = None
    compose_p95_ms: float | None = None
    seconds: float | None = None


class Differences(ReportModel):
    """Cases whose scores differ between the runs: worse or better with the generator."""

    worse: list[CaseChange] = Field(default_factory=list)
    better: list[CaseChange] = Field(default_factory=list)
    unchanged: int = 0
    detection_worse: list[DetectionChange] = Field(default_factory=list)
    detection_better: list[DetectionChange] = Field(default_factory=list)


class SideBySide(ReportModel):
    runs: list[RunSummary]
    metrics: list[SideMetric]
    thresholds: list[SideThreshold]
    generator_outcomes: GeneratorOutcomes
    latency: dict[str, RunLatency]
    differences: Differences
    warnings: list[str] = Field(default_factory=list)

    def run(self, name: str) -> RunSummary:
        return next(r for r in self.runs if r.name == name)
