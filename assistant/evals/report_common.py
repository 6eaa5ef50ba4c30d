"""The parts of an eval report: metrics, thresholds, cases, efficacy detection, baselines,
the judge, the index and the run's configuration (see :mod:`assistant.evals.report_model`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ThresholdStatus = Literal["pass", "fail", "not measured"]


class ReportModel(BaseModel):
    """A part of the report: unknown fields are errors, assignments are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# ---- metrics and thresholds -----------------------------------------------------------------
class MetricResult(ReportModel):
    """A metric's value (None: not measured) and how many cases or samples it is over."""

    value: float | None
    n: int


class MetricInfo(ReportModel):
    """How a metric is shown (a copy of its :class:`~assistant.evals.metrics.MetricSpec`)."""

    label: str
    group: str
    description: str
    better: Literal["higher", "lower"] = "higher"
    unit: str = ""
    language: str | None = None
    section: str | None = None
    """A section of the report that shows the metric apart from the metrics table."""


class Bound(ReportModel):
    """A threshold of the thresholds file: the metric, its bounds and where it is set."""

    metric: str
    label: str
    min: float | None = None
    max: float | None = None
    where: str = ""


class ThresholdResult(Bound):
    """One threshold of the thresholds file with the measured value and the verdict."""

    value: float | None = None
    status: ThresholdStatus


class GroupMetrics(ReportModel):
    """Metrics over a subset of the cases or questions (a tag, a language)."""

    n: int
    metrics: dict[str, MetricResult]


# ---- cases --------------------------------------------------------------------------------
class Turn(ReportModel):
    role: str
    content: str


class CitationRecord(ReportModel):
    """A citation of an answer as the report keeps it: the document cited, with its
    provenance; then the citation's marker, and the quote with where it stands."""

    doc_id: str
    title: str
    source_kind: str | None = None
    publisher: str | None = None
    url: str | None = None
    n: int
    quote: str
    start: int
    end: int


class BaselineHit(ReportModel):
    """What one baseline retrieved for a case, and its retrieval scores."""

    retrieved: list[str] = Field(default_factory=list)
    scores: dict[str, float] = Field(default_factory=dict)


class CaseResult(ReportModel):
    """One case: what it expected, what came back, every score and why it failed."""

    id: str
    where: str = ""
    question: str = ""
    history: list[Turn] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    expected_docs: list[str] = Field(default_factory=list)
    expected_support: list[str] = Field(default_factory=list)
    efficacy: bool = False
    expected_status: str | None = None
    error: str | None = None
    latencies_ms: list[float] = Field(default_factory=list)
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    search_ms: float | None = None
    status: str | None = None
    summary: str | None = None
    answer: str | None = None
    language: str = "en"
    standalone_question: str | None = None
    citations: list[CitationRecord] = Field(default_factory=list)
    caveat: str | None = None
    caveat_present: bool = False
    efficacy_question: bool | None = None
    evidence: list[dict[str, Any]] = Field(default_factory=list)
    generator: str | None = None
    server_timings_ms: dict[str, float] = Field(default_factory=dict)
    citation_problems: list[str] = Field(default_factory=list)
    citations_unchecked: list[int] = Field(default_factory=list)
    retrieved: list[str] = Field(default_factory=list)
    baselines: dict[str, BaselineHit] = Field(default_factory=dict)
    scores: dict[str, float | None] = Field(default_factory=dict)
    failures: list[str] = Field(default_factory=list)
    passed: bool = True


class DetectionItem(ReportModel):
    """One question of the efficacy-detection set, its label and what the assistant said."""

    id: str
    where: str = ""
    question: str
    history: list[Turn] = Field(default_factory=list)
    lang: str = "en"
    tags: list[str] = Field(default_factory=list)
    label: bool
    predicted: bool | None
    correct: bool
    efficacy_question: bool | None = None
    caveat: str | None = None
    status: str | None = None
    generator: str | None = None
    error: str | None = None
    latencies_ms: list[float] = Field(default_factory=list)


class DetectionSummary(ReportModel):
    n: int
    metrics: dict[str, MetricResult]
    by_lang: dict[str, GroupMetrics] = Field(default_factory=dict)
    by_tag: dict[str, GroupMetrics] = Field(default_factory=dict)
    items: list[DetectionItem] = Field(default_factory=list)


# ---- baselines, judge, index --------------------------------------------------------------
class Verdict(ReportModel):
    """Whether the hybrid retriever beats one baseline on one metric, and by how much."""

    baseline: str
    label: str
    metric: str
    hybrid: float
    baseline_value: float
    difference: float
    outcome: Literal["beats", "ties", "trails"]


class BaselineRow(ReportModel):
    system: str
    label: str
    metrics: dict[str, float | None]
    hybrid_minus_this: dict[str, float | None]


class BaselineTable(ReportModel):
    n: int
    metrics: list[str]
    rows: list[BaselineRow]
    verdicts: list[Verdict]


class JudgeSection(ReportModel):
    """Generative-judge metrics: reserved; none are computed and none gate a run."""

    enabled: bool = False
    reason: str = ""
    generators: list[str] = Field(default_factory=list)
    metrics: dict[str, Any] = Field(default_factory=dict)


class IndexInfo(ReportModel):
    """The index built for an any-corpus run (``assistant eval retrieval``)."""

    corpus: str
    folder: str
    documents: int
    chunks: int
    chunks_embedded: int
    chunks_reused: int
    build_seconds: float
    errors: list[str] = Field(default_factory=list)


class TargetInfo(ReportModel):
    """What was evaluated; targets record more fields than these (kept as they are)."""

    model_config = ConfigDict(extra="allow")

    target: str = ""
    url: str | None = None
    knowledge_dir: str | None = None
    generator: str = "none"
    llm_model: str | None = None
    llm_base_url: str | None = None
    prompt_version: str | None = None


class RunConfig(ReportModel):
    """How the run was made: the command line, the files, the target; free-form beyond these."""

    model_config = ConfigDict(extra="allow")

    target: TargetInfo = Field(default_factory=TargetInfo)
    seconds: float | None = None
    assistant_version: str | None = None
