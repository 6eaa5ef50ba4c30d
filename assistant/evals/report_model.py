"""The eval report as typed data: what report.json holds and what report.md/report.html show.

:class:`EvalReport` is built by :func:`assistant.evals.assemble.assemble`, compared by
:func:`assistant.evals.compare.compare`, combined by :mod:`assistant.evals.side_by_side` and
rendered by :mod:`assistant.evals.report`; report.json is its dump. Every model rejects unknown
fields, so a misspelt name fails where the report is built, not when a section is rendered.

``schema_version`` says which shape a report.json has; :func:`load_report` reads the current
one and upgrades the older ones it knows, and says plainly why it cannot read any other.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

SCHEMA_VERSION = 2
"""1: the dict written before the typed model; 2: per-case baseline hits as {retrieved, scores}."""

# Appended to a threshold's metric name when the generative run of a side-by-side run fails it.
GENERATIVE_SUFFIX = " (generative)"

ThresholdStatus = Literal["pass", "fail", "not measured"]


class ReportError(ValueError):
    """An earlier report that cannot be read or compared."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# ---- metrics and thresholds -----------------------------------------------------------------
class MetricResult(_Model):
    """A metric's value (None: not measured) and how many cases or samples it is over."""

    value: float | None
    n: int


class MetricInfo(_Model):
    """How a metric is shown (a copy of its :class:`~assistant.evals.metrics.MetricSpec`)."""

    label: str
    group: str
    description: str
    better: Literal["higher", "lower"] = "higher"
    unit: str = ""


class ThresholdResult(_Model):
    """One threshold of the thresholds file with the measured value and the verdict."""

    metric: str
    label: str
    min: float | None = None
    max: float | None = None
    value: float | None = None
    where: str = ""
    status: ThresholdStatus


class GroupMetrics(_Model):
    """Metrics over a subset of the cases or questions (a tag, a language)."""

    n: int
    metrics: dict[str, MetricResult]


# ---- cases --------------------------------------------------------------------------------
class Turn(_Model):
    role: str
    content: str


class CitationRecord(_Model):
    """A citation of an answer as the report keeps it."""

    n: int
    doc_id: str
    title: str
    source_kind: str | None = None
    publisher: str | None = None
    url: str | None = None
    quote: str
    start: int
    end: int


class BaselineHit(_Model):
    """What one baseline retrieved for a case, and its retrieval scores."""

    retrieved: list[str] = Field(default_factory=list)
    scores: dict[str, float] = Field(default_factory=dict)


class CaseResult(_Model):
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


class DetectionItem(_Model):
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


class DetectionSummary(_Model):
    n: int
    metrics: dict[str, MetricResult]
    by_lang: dict[str, GroupMetrics] = Field(default_factory=dict)
    by_tag: dict[str, GroupMetrics] = Field(default_factory=dict)
    items: list[DetectionItem] = Field(default_factory=list)


# ---- baselines, judge, index --------------------------------------------------------------
class Verdict(_Model):
    """Whether the hybrid retriever beats one baseline on one metric, and by how much."""

    baseline: str
    label: str
    metric: str
    hybrid: float
    baseline_value: float
    difference: float
    outcome: Literal["beats", "ties", "trails"]


class BaselineRow(_Model):
    system: str
    label: str
    metrics: dict[str, float | None]
    hybrid_minus_this: dict[str, float | None]


class BaselineTable(_Model):
    n: int
    metrics: list[str]
    rows: list[BaselineRow]
    verdicts: list[Verdict]


class JudgeSection(_Model):
    """Generative-judge metrics: reserved; none are computed and none gate a run."""

    enabled: bool = False
    reason: str = ""
    generators: list[str] = Field(default_factory=list)
    metrics: dict[str, Any] = Field(default_factory=dict)


class IndexInfo(_Model):
    """The index built for an any-corpus run (``assistant eval retrieval``)."""

    corpus: str
    folder: str
    documents: int
    chunks: int
    chunks_embedded: int
    chunks_reused: int
    build_seconds: float
    errors: list[str] = Field(default_factory=list)


class TargetInfo(_Model):
    """What was evaluated; targets record more fields than these (kept as they are)."""

    model_config = ConfigDict(extra="allow")

    target: str = ""
    url: str | None = None
    knowledge_dir: str | None = None
    generator: str = "none"
    llm_model: str | None = None
    llm_base_url: str | None = None
    prompt_version: str | None = None


class RunConfig(_Model):
    """How the run was made: the command line, the files, the target; free-form beyond these."""

    model_config = ConfigDict(extra="allow")

    target: TargetInfo = Field(default_factory=TargetInfo)
    seconds: float | None = None
    assistant_version: str | None = None


# ---- comparison ---------------------------------------------------------------------------
class ScoreChange(_Model):
    what: str
    key: str
    old: float
    new: float


class CaseChange(_Model):
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


class DetectionChange(_Model):
    """An efficacy-detection question classified right in one run and wrong in the other."""

    id: str
    question: str
    label: bool
    old_predicted: bool | None
    new_predicted: bool | None


class MetricChange(_Model):
    metric: str
    old: float | None
    new: float | None
    delta: float | None
    change: str


class Comparison(_Model):
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
class RunSummary(_Model):
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


class PerRun(_Model):
    """A threshold's value and verdict in one run."""

    value: float | None = None
    status: ThresholdStatus = "not measured"


class SideThreshold(_Model):
    metric: str
    label: str
    min: float | None = None
    max: float | None = None
    where: str = ""
    extractive: PerRun
    generative: PerRun


class SideMetric(_Model):
    metric: str
    label: str
    group: str = ""
    unit: str = ""
    better: Literal["higher", "lower"] = "higher"
    extractive: float | None
    generative: float | None
    difference: float | None
    n: dict[str, int | None]


class GeneratorOutcomes(_Model):
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


class RunLatency(_Model):
    p50_ms: float | None = None
    p95_ms: float | None = None
    samples: int = 0
    compose_p50_ms: float | None = None
    compose_p95_ms: float | None = None
    seconds: float | None = None


class Differences(_Model):
    """Cases whose scores differ between the runs: worse or better with the generator."""

    worse: list[CaseChange] = Field(default_factory=list)
    better: list[CaseChange] = Field(default_factory=list)
    unchanged: int = 0
    detection_worse: list[DetectionChange] = Field(default_factory=list)
    detection_better: list[DetectionChange] = Field(default_factory=list)


class SideBySide(_Model):
    runs: list[RunSummary]
    metrics: list[SideMetric]
    thresholds: list[SideThreshold]
    generator_outcomes: GeneratorOutcomes
    latency: dict[str, RunLatency]
    differences: Differences
    warnings: list[str] = Field(default_factory=list)

    def run(self, name: str) -> RunSummary:
        return next(r for r in self.runs if r.name == name)


# ---- the report ---------------------------------------------------------------------------
class RunVerdict(_Model):
    passed: bool
    failed_thresholds: list[str]


class Summary(_Model):
    passed: bool
    failed_thresholds: list[str] = Field(default_factory=list)
    cases: int
    failed_cases: int
    detection_items: int = 0
    detection_errors: int = 0
    answer_words_p50: float | None = None
    """Median length of the answers, in words (None when nothing was answered)."""
    runs: dict[str, RunVerdict] | None = None
    """A side-by-side report: each run's verdict (``passed`` above needs both)."""


class EvalReport(_Model):
    """A whole run: report.json is ``model_dump``; report.md and report.html render it."""

    schema_version: int = SCHEMA_VERSION
    kind: Literal["suite", "retrieval"]
    created: str
    config: RunConfig
    summary: Summary
    metrics: dict[str, MetricResult]
    metric_info: dict[str, MetricInfo]
    thresholds: list[ThresholdResult] = Field(default_factory=list)
    by_tag: dict[str, GroupMetrics] = Field(default_factory=dict)
    baselines: BaselineTable | None = None
    efficacy_detection: DetectionSummary | None = None
    judge: JudgeSection = Field(default_factory=JudgeSection)
    warnings: list[str] = Field(default_factory=list)
    cases: list[CaseResult] = Field(default_factory=list)
    comparison: Comparison | None = None
    index: IndexInfo | None = None
    generative: EvalReport | None = None
    """A side-by-side report: the generative run (this report is the extractive one)."""
    side_by_side: SideBySide | None = None

    def value(self, metric: str) -> float | None:
        """A metric's value; None when not measured or not in this run."""
        result = self.metrics.get(metric)
        return result.value if result is not None else None

    def threshold(self, metric: str) -> ThresholdResult | None:
        return next((t for t in self.thresholds if t.metric == metric), None)

    def failed(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.passed]

    def run_label(self, name: str) -> str:
        """How a side-by-side report names one of its runs ("extractive", "openai (model)")."""
        if self.side_by_side is None:
            return name
        return next((r.label for r in self.side_by_side.runs if r.name == name), name)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"


# ---- reading ------------------------------------------------------------------------------
def _upgrade_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A version-1 report in the version-2 shape: baseline hits were flat score mappings."""
    for case in data.get("cases") or []:
        if isinstance(case, dict) and isinstance(case.get("baselines"), dict):
            case["baselines"] = {
                name: {
                    "retrieved": hit.get("retrieved", []),
                    "scores": {k: v for k, v in hit.items() if k != "retrieved"},
                }
                if isinstance(hit, dict)
                else hit
                for name, hit in case["baselines"].items()
            }
    if isinstance(data.get("generative"), dict):
        _upgrade_v1(data["generative"])
    data["schema_version"] = 2
    return data


_UPGRADES = {1: _upgrade_v1}


def _where(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def parse_report(data: Any, source: str = "report.json") -> EvalReport:
    """Validate report data (upgrading an older schema); :class:`ReportError` says what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise ReportError(f"{source}: not a report.json written by 'assistant eval'")
    version = data.get("schema_version", 1)
    if not isinstance(version, int) or version < 1 or version > SCHEMA_VERSION:
        raise ReportError(
            f"{source}: report schema version {version!r} is not one this version of "
            f"'assistant eval' reads (1 to {SCHEMA_VERSION}); re-run the eval to compare with it"
        )
    if version < SCHEMA_VERSION:
        data = copy.deepcopy(data)
    while version < SCHEMA_VERSION:
        data = _UPGRADES[version](data)
        version = data["schema_version"]
    try:
        return EvalReport.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        shown = "; ".join(f"{_where(tuple(e['loc']))}: {e['msg']}" for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise ReportError(
            f"{source}: not a valid report.json (schema {data.get('schema_version')}): "
            f"{shown}{more}"
        ) from exc


def load_report(path: Path) -> EvalReport:
    """An earlier report.json, upgraded to the current schema."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path}: cannot read the earlier report ({exc})") from exc
    return parse_report(data, str(path))
