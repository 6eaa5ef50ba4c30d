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

from pydantic import Field, ValidationError

from assistant.evals.report_changes import (
    CaseChange,
    Comparison,
    DetectionChange,
    Differences,
    GeneratorOutcomes,
    MetricChange,
    PerRun,
    RunLatency,
    RunSummary,
    ScoreChange,
    SideBySide,
    SideMetric,
    SideThreshold,
)
from assistant.evals.report_common import (
    BaselineHit,
    BaselineRow,
    BaselineTable,
    Bound,
    CaseResult,
    CitationRecord,
    DetectionItem,
    DetectionSummary,
    GroupMetrics,
    IndexInfo,
    JudgeSection,
    MetricInfo,
    MetricResult,
    ReportModel,
    RunConfig,
    TargetInfo,
    ThresholdResult,
    ThresholdStatus,
    Turn,
    Verdict,
)

__all__ = [
    "GENERATIVE_SUFFIX",
    "SCHEMA_VERSION",
    "BaselineHit",
    "BaselineRow",
    "BaselineTable",
    "Bound",
    "CaseChange",
    "CaseResult",
    "CitationRecord",
    "Comparison",
    "DetectionChange",
    "DetectionItem",
    "DetectionSummary",
    "Differences",
    "EvalReport",
    "GeneratorOutcomes",
    "GroupMetrics",
    "IndexInfo",
    "JudgeSection",
    "MetricChange",
    "MetricInfo",
    "MetricResult",
    "PerRun",
    "ReportError",
    "RunConfig",
    "RunLatency",
    "RunSummary",
    "RunVerdict",
    "ScoreChange",
    "SideBySide",
    "SideMetric",
    "SideThreshold",
    "Summary",
    "TargetInfo",
    "ThresholdResult",
    "ThresholdStatus",
    "Turn",
    "Verdict",
    "load_report",
    "parse_report",
]

SCHEMA_VERSION = 2
"""1: the dict written before the typed model; 2: per-case baseline hits as {retrieved, scores}."""

# Appended to a threshold's metric name when the generative run of a side-by-side run fails it.
GENERATIVE_SUFFIX = " (generative)"


class ReportError(ValueError):
    """An earlier report that cannot be read or compared."""


# ---- the report ---------------------------------------------------------------------------
class RunVerdict(ReportModel):
    passed: bool
    failed_thresholds: list[str]


class Summary(ReportModel):
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


class EvalReport(ReportModel):
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

    def in_section(self, section: str | None) -> dict[str, MetricResult]:
        """The metrics a section of the report shows (None: the metrics table)."""
        return {
            name: result
            for name, result in self.metrics.items()
            if (info := self.metric_info.get(name)) is not None and info.section == section
        }

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
