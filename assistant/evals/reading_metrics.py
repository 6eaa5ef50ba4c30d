"""Reading-level metrics of what patients read, per answer language.

English answers get the Flesch-Kincaid grade (lower is easier); each other language gets its
own published reading-ease formula (higher is easier), see :mod:`assistant.evals.readability`.
For every language the suite measures the plain-language lead (mean and hardest), the whole
answer (mean), the caveat verdict (hardest) and the fixed messages of the messages file
(hardest, measured once per run). The thresholds file bounds the hardest ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.evals.metric_spec import MetricSpec, MetricValue, Record
from assistant.evals.readability import FORMULAS, LANGUAGES, readability
from assistant.messages import Messages, messages
from assistant.types import CITATION_MARKER

GROUP = "reading level"
SECTION = "reading level"
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "nl": "Dutch",
    "pt": "Portuguese",
    "it": "Italian",
}
FIXED_MESSAGE_KEYS = (
    "no_evidence",
    "treatment_not_covered",
    "treatment_not_covered_tail",
    "facet_not_covered",
    "topic_not_covered",
    "provider",
    "other_body",
    "quotes_in_english",
)
FIXED_MESSAGE_GROUPS = ("lead", "triage")


def reading_level(text: str | None, language: str = "en") -> float | None:
    """The reading figure of ``text`` (grade or reading ease), without citation markers."""
    if not text:
        return None
    level = readability(CITATION_MARKER.sub("", text), language)
    return round(level.value, 2) if level is not None else None


def _whole_answer(r: Record) -> str | None:
    return " ".join(t for t in (r.get("summary"), r.get("answer")) if t) or None


def caveat_verdict(caveat: str | None) -> str | None:
    """The verdict of a caveat: its first line after the heading."""
    lines = [line.strip() for line in (caveat or "").splitlines() if line.strip()]
    return lines[1].removeprefix("- ") if len(lines) > 1 else (lines[0] if lines else None)


def _who(words: Messages, kinds: tuple[str, ...]) -> str:
    """The subject of a lead naming ``kinds`` of source, as assistant.lead writes it."""
    names = [words.sub("lead_who", k) or k for k in kinds]
    text = words.join(names)
    return text[:1].upper() + text[1:]


def _placeholders(words: Messages) -> dict[str, str]:
    """Plain words of the messages' own language for the placeholders of its fixed messages."""
    return {
        "treatment": "magnesium",
        "what": words.sub("facet_offer", "duration") or "how long it takes",
        "procedure": words.procedure("fat-transfer"),
        "who": _who(words, ("clinic-marketing",)),
    }


def fixed_messages(language: str = "en") -> list[str]:
    """The fixed messages patients read in ``language``, placeholders filled with plain words.

    A lead that names several kinds of source names two: a clinic and a reference.
    """
    words = messages(language)
    fill = _placeholders(words)
    several = {**fill, "who": _who(words, ("clinic-marketing", "reference"))}
    texts = [words.text(key, **fill) for key in FIXED_MESSAGE_KEYS if words.get(key)]
    for group in FIXED_MESSAGE_GROUPS:
        for key, value in (words.get(group) or {}).items():
            text = str(value).format(**(several if key == "several_kinds" else fill))
            texts.append(" ".join(text.split()))
    return texts


def fixed_message_levels(language: str = "en") -> list[float]:
    """The reading figure of each fixed message in ``language``."""
    levels = (reading_level(t, language) for t in fixed_messages(language))
    return [v for v in levels if v is not None]


def fixed_message_grade_max(language: str = "en") -> MetricValue:
    """The highest Flesch-Kincaid grade among the English fixed messages."""
    grades = fixed_message_levels(language)
    return MetricValue(max(grades) if grades else None, len(grades))


def fixed_message_ease_min(language: str) -> MetricValue:
    """The lowest reading ease (the hardest text) among the fixed messages of ``language``."""
    levels = fixed_message_levels(language)
    return MetricValue(min(levels) if levels else None, len(levels))


def _in(language: str, field: Callable[[Record], str | None]) -> Callable[[Record], float | None]:
    """A per-case reading figure of ``field`` for the cases answered in ``language``."""
    return lambda r: (
        reading_level(field(r), language) if r.get("language", "en") == language else None
    )


def _lead(r: Record) -> str | None:
    return r.get("summary")


def _verdict(r: Record) -> str | None:
    return caveat_verdict(r.get("caveat"))


@dataclass(frozen=True)
class _Kind:
    """One kind of text measured in every language: its English grade metric and the stem of
    its reading-ease metrics (``<stem>_<language>``)."""

    grade_name: str
    grade_label: str
    grade_description: str
    stem: str
    what: str
    ease_description: str
    field: Callable[[Record], str | None] | None
    """The text of a case; None for the fixed messages (measured from the messages files)."""
    hardest: bool = False


KINDS: tuple[_Kind, ...] = (
    _Kind(
        "lead_reading_grade",
        "Lead: reading grade (mean)",
        "Flesch-Kincaid grade of the plain-language lead (Answer.summary), English answers.",
        "lead_reading_ease",
        "lead (mean)",
        "the plain-language lead (Answer.summary)",
        _lead,
    ),
    _Kind(
        "lead_reading_grade_max",
        "Lead: reading grade (highest)",
        "The highest Flesch-Kincaid grade of any lead.",
        "lead_reading_ease_min",
        "lead (hardest)",
        "the hardest lead",
        _lead,
        hardest=True,
    ),
    _Kind(
        "answer_reading_grade",
        "Whole answer: reading grade (mean)",
        "Flesch-Kincaid grade of the lead and the answer text together (quotes included).",
        "answer_reading_ease",
        "whole answer (mean)",
        "the lead and answer text",
        _whole_answer,
    ),
    _Kind(
        "caveat_verdict_reading_grade_max",
        "Caveat verdict: reading grade (highest)",
        "The highest Flesch-Kincaid grade of the first line of an evidence-status caveat.",
        "caveat_verdict_reading_ease_min",
        "caveat verdict (hardest)",
        "the hardest caveat verdict",
        _verdict,
        hardest=True,
    ),
    _Kind(
        "fixed_message_reading_grade_max",
        "Fixed messages: reading grade (highest)",
        "The highest Flesch-Kincaid grade of the English fixed messages (refusals, leads, "
        "emergency and urgent messages), from the messages file; measured once per run.",
        "fixed_message_reading_ease_min",
        "fixed messages (hardest)",
        "the hardest fixed message of the messages file, measured once per run",
        None,
        hardest=True,
    ),
)


def _grade_spec(kind: _Kind) -> MetricSpec:
    return MetricSpec(
        kind.grade_name,
        kind.grade_label,
        GROUP,
        kind.grade_description,
        better="lower",
        unit="score",
        per_case=_in("en", kind.field) if kind.field is not None else None,
        aggregate="max" if kind.hardest else "mean",
        measure=fixed_message_grade_max if kind.field is None else None,
        language="en",
        section=SECTION,
    )


def _ease_spec(language: str, kind: _Kind) -> MetricSpec:
    formula = FORMULAS[language]
    return MetricSpec(
        f"{kind.stem}_{language}",
        f"{LANGUAGE_NAMES[language]} {kind.what}: {formula.name}",
        GROUP,
        f"{formula.name} reading ease of {kind.ease_description}, {LANGUAGE_NAMES[language]} "
        f"answers (higher is easier; {formula.source}).",
        better="higher",
        unit="ease",
        per_case=_in(language, kind.field) if kind.field is not None else None,
        aggregate="min" if kind.hardest else "mean",
        measure=(lambda: fixed_message_ease_min(language)) if kind.field is None else None,
        language=language,
        section=SECTION,
    )


ENGLISH: tuple[MetricSpec, ...] = tuple(_grade_spec(kind) for kind in KINDS)
READING_EASE: tuple[MetricSpec, ...] = tuple(
    _ease_spec(language, kind) for language in LANGUAGES if language != "en" for kind in KINDS
)
READING_METRICS: tuple[MetricSpec, ...] = (*ENGLISH, *READING_EASE)
