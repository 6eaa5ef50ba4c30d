"""Deterministic metrics: pure functions of an answer, its retrieval and the case. No judge, no I/O.

Per-case scores are numbers in [0, 1] (or ``None`` where a score does not apply, e.g. citation
precision for a case without expected support); :data:`METRICS` says how each run-level metric
is aggregated from them, so the report, the thresholds file and the per-tag tables share one
definition.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from assistant.evals.readability import readability
from assistant.types import CITATION_MARKER, Citation

# Ranks at which retrieval is scored; the Assistant answers from the top 5 passages.
KS: tuple[int, ...] = (1, 3, 5, 10)
K_MAX = max(KS)

_MARKER = CITATION_MARKER
_SPACE = re.compile(r"\s+")
_TYPOGRAPHIC = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‐": "-", "\u00a0": " "}
)


def normalise(text: str) -> str:
    """Case-folded text with typographic quotes and dashes made plain and whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHIC)
    return _SPACE.sub(" ", text).strip().casefold()


def contains(text: str, phrase: str) -> bool:
    """True when ``phrase`` occurs in ``text`` (case-insensitive, whitespace collapsed)."""
    return normalise(phrase) in normalise(text)


# ---- retrieval ----------------------------------------------------------------------------
def retrieval_scores(
    ranked_doc_ids: Sequence[str], expected: Collection[str], ks: Sequence[int] = KS
) -> dict[str, float]:
    """hit@k, recall@k and reciprocal rank of the expected documents.

    Args:
        ranked_doc_ids: the document of each retrieved passage, best first (a document may
            appear more than once: k counts passages, as the answer sees them).
        expected: the documents that hold the answer.
        ks: the cut-offs to score.
    """
    if not expected:
        return {}
    wanted = set(expected)
    scores: dict[str, float] = {}
    for k in ks:
        found = wanted.intersection(ranked_doc_ids[:k])
        scores[f"hit_at_{k}"] = 1.0 if found else 0.0
        scores[f"recall_at_{k}"] = len(found) / len(wanted)
    cutoff = max(ks)
    first = next((i for i, d in enumerate(ranked_doc_ids[:cutoff]) if d in wanted), None)
    scores["reciprocal_rank"] = 0.0 if first is None else 1.0 / (first + 1)
    return scores


# ---- citations ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Hit:
    """A retrieved passage as the eval sees it: its document and, where known, its text span."""

    doc_id: str
    chunk_id: str | None = None
    start: int | None = None
    end: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class CitationCheck:
    """The verdict on an answer's citations.

    ``score`` is 1.0 when every marker maps to a citation and every quote that could be
    compared is the source text at its offsets, 0.0 otherwise, and ``None`` when the answer has
    neither markers nor citations. ``unchecked`` lists citations whose source text was not
    available (a remote run without source texts): they are not counted as valid or invalid.
    """

    score: float | None
    problems: tuple[str, ...] = ()
    unchecked: tuple[int, ...] = ()


def citation_check(
    answer_text: str,
    citations: Sequence[Citation],
    doc_texts: Mapping[str, str | None] | None,
    passages: Sequence[Hit] = (),
) -> CitationCheck:
    """Check markers against citations and quotes against the source text at their offsets.

    Args:
        answer_text: the answer with its ``[n]`` markers.
        citations: the answer's citations.
        doc_texts: text of each known document; a value of ``None`` means the document is known
            but its text is not available; ``None`` for the whole mapping means nothing is known
            about the sources.
        passages: retrieved passages with their text and document offsets; a quote whose
            document text is unavailable is compared with the passage it was cut from.
    """
    markers = [int(m) for m in _MARKER.findall(answer_text)]
    if not markers and not citations:
        return CitationCheck(score=None)
    problems: list[str] = []
    unchecked: list[int] = []
    numbers = [c.n for c in citations]
    for n in sorted(set(markers) - set(numbers)):
        problems.append(f"marker [{n}] has no citation")
    for n in sorted({n for n in numbers if numbers.count(n) > 1}):
        problems.append(f"citation number {n} is used more than once")
    for c in citations:
        problem = _quote_problem(c, doc_texts, passages)
        if problem is None:
            continue
        if problem == _UNCHECKED:
            unchecked.append(c.n)
        else:
            problems.append(problem)
    return CitationCheck(
        score=0.0 if problems else 1.0, problems=tuple(problems), unchecked=tuple(unchecked)
    )


_UNCHECKED = "unchecked"


def _quote_problem(
    c: Citation, doc_texts: Mapping[str, str | None] | None, passages: Sequence[Hit]
) -> str | None:
    """What is wrong with one citation's quote; None if exact, _UNCHECKED if not comparable."""
    text = doc_texts.get(c.doc_id) if doc_texts is not None else None
    if text is not None:
        if not (0 <= c.start < c.end <= len(text)):
            return (
                f"[{c.n}] offsets {c.start}-{c.end} lie outside {c.doc_id!r} "
                f"({len(text)} characters)"
            )
        if text[c.start : c.end] != c.quote:
            return (
                f"[{c.n}] quote differs from {c.doc_id!r} at {c.start}-{c.end}: "
                f"source has {_clip(text[c.start : c.end])!r}"
            )
        return None
    same = [
        p
        for p in passages
        if p.doc_id == c.doc_id
        and p.text is not None
        and p.start is not None
        and p.end is not None
        and (p.chunk_id is None or p.chunk_id == c.chunk_id)
    ]
    for p in same:
        assert p.start is not None and p.end is not None and p.text is not None
        if p.start <= c.start < c.end <= p.end:
            cut = p.text[c.start - p.start : c.end - p.start]
            if cut != c.quote:
                return (
                    f"[{c.n}] quote differs from passage {p.chunk_id or c.doc_id!r} at "
                    f"{c.start}-{c.end}: source has {_clip(cut)!r}"
                )
            return None
    if same:
        return f"[{c.n}] offsets {c.start}-{c.end} lie outside the passage it cites"
    if doc_texts is not None and c.doc_id not in doc_texts:
        return f"[{c.n}] cites {c.doc_id!r}, which is not among the sources"
    return _UNCHECKED


def citation_precision(quotes: Sequence[str], support: Sequence[str]) -> float | None:
    """Share of cited quotes that contain at least one expected support phrase."""
    if not quotes or not support:
        return None
    return sum(any(contains(q, p) for p in support) for q in quotes) / len(quotes)


def support_coverage(answer_text: str, support: Sequence[str]) -> float | None:
    """Share of the expected support phrases that appear in the answer."""
    if not support:
        return None
    return sum(contains(answer_text, p) for p in support) / len(support)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- aggregation --------------------------------------------------------------------------
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


Better = Literal["higher", "lower"]


@dataclass(frozen=True)
class MetricSpec:
    """How one run-level metric is computed from per-case records."""

    name: str
    label: str
    group: str
    description: str
    better: Better = "higher"
    unit: str = ""
    """"" for a share (shown as a percentage), "score" for other 0-1 numbers, "ms"."""
    # From a per-case record (a mapping) to the values to average; None when it does not apply.
    per_case: Callable[[Mapping[str, Any]], float | None] | None = None
    aggregate: str = "mean"  # "mean" | "max" | "p50" | "p95" (of latency samples)


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


def _grade(text: str | None) -> float | None:
    """Flesch-Kincaid grade of English text, without citation markers; None otherwise."""
    if not text:
        return None
    level = readability(CITATION_MARKER.sub("", text), "en")
    return round(level.value, 2) if level is not None else None


def _english(field: Callable[[Mapping[str, Any]], str | None]) -> Callable[..., float | None]:
    return lambda r: _grade(field(r)) if r.get("language", "en") == "en" else None


def _whole_answer(r: Mapping[str, Any]) -> str | None:
    return " ".join(t for t in (r.get("summary"), r.get("answer")) if t) or None


def caveat_verdict(caveat: str | None) -> str | None:
    """The verdict of a caveat: its first line after the heading."""
    lines = [line.strip() for line in (caveat or "").splitlines() if line.strip()]
    return lines[1].removeprefix("- ") if len(lines) > 1 else (lines[0] if lines else None)


FIXED_MESSAGE_KEYS = (
    "no_evidence",
    "treatment_not_covered",
    "treatment_not_covered_tail",
    "facet_not_covered",
    "topic_not_covered",
    "provider",
    "quotes_in_english",
)
FIXED_MESSAGE_GROUPS = ("lead", "triage")


def fixed_messages(language: str = "en") -> list[str]:
    """The fixed messages patients read in ``language``, placeholders filled with plain words."""
    from assistant.messages import messages

    words = messages(language)
    fill = {"treatment": "magnesium", "what": "how long it takes", "procedure": "fat transfer"}
    texts = [words.text(key, **fill) for key in FIXED_MESSAGE_KEYS if words.get(key)]
    for group in FIXED_MESSAGE_GROUPS:
        for value in (words.get(group) or {}).values():
            texts.append(" ".join(str(value).format(who="A clinic", **fill).split()))
    return texts


def fixed_message_grade_max(language: str = "en") -> MetricValue:
    """The highest Flesch-Kincaid grade among the English fixed messages."""
    grades = [g for g in (_grade(t) for t in fixed_messages(language)) if g is not None]
    return MetricValue(max(grades) if grades else None, len(grades))


READING_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "lead_reading_grade",
        "Lead: reading grade (mean)",
        "reading level",
        "Flesch-Kincaid grade of the plain-language lead (Answer.summary), English answers.",
        better="lower",
        unit="score",
        per_case=_english(lambda r: r.get("summary")),
    ),
    MetricSpec(
        "lead_reading_grade_max",
        "Lead: reading grade (highest)",
        "reading level",
        "The highest Flesch-Kincaid grade of any lead.",
        better="lower",
        unit="score",
        per_case=_english(lambda r: r.get("summary")),
        aggregate="max",
    ),
    MetricSpec(
        "answer_reading_grade",
        "Whole answer: reading grade (mean)",
        "reading level",
        "Flesch-Kincaid grade of the lead and the answer text together (quotes included).",
        better="lower",
        unit="score",
        per_case=_english(_whole_answer),
    ),
    MetricSpec(
        "caveat_verdict_reading_grade_max",
        "Caveat verdict: reading grade (highest)",
        "reading level",
        "The highest Flesch-Kincaid grade of the first line of an evidence-status caveat.",
        better="lower",
        unit="score",
        per_case=_english(lambda r: caveat_verdict(r.get("caveat"))),
        aggregate="max",
    ),
    MetricSpec(
        "fixed_message_reading_grade_max",
        "Fixed messages: reading grade (highest)",
        "reading level",
        "The highest Flesch-Kincaid grade of the English fixed messages (refusals, leads, "
        "emergency and urgent messages), from the messages file; measured once per run.",
        better="lower",
        unit="score",
    ),
)

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


@dataclass
class MetricValue:
    """A metric's value and how many cases (or samples) it was computed over."""

    value: float | None
    n: int

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "n": self.n}


def aggregate(
    records: Sequence[Mapping[str, Any]], names: Iterable[str] | None = None
) -> dict[str, MetricValue]:
    """Run-level metrics over per-case records (see :class:`MetricSpec`)."""
    out: dict[str, MetricValue] = {}
    for name in names if names is not None else METRICS:
        spec = METRICS[name]
        if spec.aggregate == "max" and spec.per_case is not None:
            per_case = spec.per_case
            values = [v for v in (per_case(r) for r in records) if v is not None]
            out[name] = MetricValue(max(values) if values else None, len(values))
        elif spec.aggregate in ("p50", "p95"):
            samples = [s for r in records for s in r.get("latencies_ms", [])]
            q = 50 if spec.aggregate == "p50" else 95
            out[name] = MetricValue(percentile(samples, q), len(samples))
        elif spec.per_case is not None:
            values = [v for v in (spec.per_case(r) for r in records) if v is not None]
            out[name] = MetricValue(mean(values), len(values))
    return out


@dataclass
class DetectionCounts:
    """Confusion counts of the efficacy detector against the labels."""

    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0
    errors: int = 0

    def add(self, label: bool, predicted: bool | None) -> None:
        if predicted is None:  # the question could not be asked: counts as a miss
            self.errors += 1
            predicted = not label
        if label:
            self.tp += predicted
            self.fn += not predicted
        else:
            self.fp += predicted
            self.tn += not predicted

    def metrics(self) -> dict[str, MetricValue]:
        pos, neg, flagged = self.tp + self.fn, self.fp + self.tn, self.tp + self.fp
        return {
            "efficacy_detection_recall": MetricValue(rate(self.tp, pos), pos),
            "efficacy_detection_false_positive_rate": MetricValue(rate(self.fp, neg), neg),
            "efficacy_detection_precision": MetricValue(rate(self.tp, flagged), flagged),
            "efficacy_detection_accuracy": MetricValue(
                rate(self.tp + self.tn, pos + neg), pos + neg
            ),
        }


def detection_metrics(
    items: Sequence[tuple[bool, bool | None]],
) -> dict[str, MetricValue]:
    """Efficacy-detection metrics from (label, predicted) pairs; predicted None = error."""
    counts = DetectionCounts()
    for label, predicted in items:
        counts.add(label, predicted)
    return counts.metrics()


def check_threshold(value: float | None, minimum: float | None, maximum: float | None) -> str:
    """'pass', 'fail' or 'not measured' for a value against its bounds."""
    if value is None:
        return "not measured"
    if minimum is not None and value < minimum - 1e-12:
        return "fail"
    if maximum is not None and value > maximum + 1e-12:
        return "fail"
    return "pass"


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
