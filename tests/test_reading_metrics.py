"""The eval suite measures the reading level of what patients read, against thresholds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.evals import metrics as m
from assistant.evals.readability import FORMULAS, LANGUAGES
from assistant.evals.reading_metrics import fixed_message_levels, reading_level

ROOT = Path(__file__).resolve().parent.parent


def _record(**kw: object) -> dict[str, object]:
    return {"language": "en", "summary": None, "answer": None, "caveat": None, **kw}


def test_reading_metrics__lead_max_and_mean_over_english_cases_only() -> None:
    records = [
        _record(summary="A clinic [1] answers this."),
        _record(
            summary="Peripheral nerve decompression demonstrated heterogeneous effectiveness "
            "across observational investigations."
        ),
        _record(language="nl", summary="Een zeer ingewikkelde samenvattende beschrijving."),
    ]
    values = m.aggregate(records, ["lead_reading_grade", "lead_reading_grade_max"])
    assert values["lead_reading_grade_max"].n == 2
    assert values["lead_reading_grade_max"].value is not None
    assert values["lead_reading_grade_max"].value > 15
    assert values["lead_reading_grade"].value is not None
    assert values["lead_reading_grade"].value < values["lead_reading_grade_max"].value


def test_caveat_verdict__is_the_first_line_after_the_heading() -> None:
    caveat = "Evidence status\n- Fat transfer: unproven. Only one small study.\n  Refs: X"
    assert m.caveat_verdict(caveat) == "Fat transfer: unproven. Only one small study."
    assert m.caveat_verdict(None) is None


def test_fixed_messages__english_ones_meet_the_reading_threshold() -> None:
    thresholds = yaml.safe_load((ROOT / "evals" / "thresholds.yaml").read_text())
    bound = thresholds["fixed_message_reading_grade_max"]["max"]
    value = m.fixed_message_grade_max("en")
    assert value.n >= 10
    assert value.value is not None and value.value <= bound


def test_reading_ease__hardest_and_mean_lead_over_one_language_only() -> None:
    easy = "De kat zat op de mat. Het was een goede kat."
    hard = (
        "Perifere zenuwdecompressie vertoonde heterogene effectiviteit in observationele studies."
    )
    records = [
        _record(language="nl", summary=easy),
        _record(language="nl", summary=hard),
        _record(language="de", summary=easy),
        _record(summary="A clinic answers this."),
    ]
    values = m.aggregate(records, ["lead_reading_ease_min_nl", "lead_reading_ease_nl"])
    hardest, mean = values["lead_reading_ease_min_nl"], values["lead_reading_ease_nl"]
    assert hardest.n == mean.n == 2
    assert hardest.value is not None and mean.value is not None
    assert hardest.value < 30  # the dense sentence reads as "very difficult"
    assert mean.value > hardest.value
    assert m.aggregate(records, ["caveat_verdict_reading_ease_min_nl"])[
        "caveat_verdict_reading_ease_min_nl"
    ] == m.MetricValue(None, 0)


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_reading_ease__fixed_messages_of_every_language_are_measured(language: str) -> None:
    value = m.aggregate([], [f"fixed_message_reading_ease_min_{language}"])
    result = value[f"fixed_message_reading_ease_min_{language}"]
    assert result.n >= 10 and result.value is not None
    assert result.value == min(fixed_message_levels(language))
    assert not any("{" in text for text in m.fixed_messages(language))  # placeholders filled


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_thresholds__reading_ease_bounds_are_the_band_of_grade_8_and_grade_7(
    language: str,
) -> None:
    thresholds = yaml.safe_load((ROOT / "evals" / "thresholds.yaml").read_text())
    formula = FORMULAS[language]
    for stem, grade in (("lead", 8), ("caveat_verdict", 8), ("fixed_message", 7)):
        assert thresholds[f"{stem}_reading_ease_min_{language}"] == {
            "min": formula.floor_for_grade(grade)
        }


def _bound(name: str) -> float:
    thresholds = yaml.safe_load((ROOT / "evals" / "thresholds.yaml").read_text())
    return float(thresholds[name]["min"])


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_fixed_messages__every_language_meets_its_reading_ease_threshold(language: str) -> None:
    value = m.aggregate([], [f"fixed_message_reading_ease_min_{language}"])
    hardest = value[f"fixed_message_reading_ease_min_{language}"].value
    assert hardest is not None and hardest >= _bound(f"fixed_message_reading_ease_min_{language}")


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_caveat_verdicts__every_language_meets_its_reading_ease_threshold(language: str) -> None:
    verdicts = yaml.safe_load(
        (ROOT / "assistant" / "resources" / "messages" / f"{language}.yaml").read_text()
    )["verdicts"]
    bound = _bound(f"caveat_verdict_reading_ease_min_{language}")
    levels = {key: reading_level(text, language) for key, text in verdicts.items()}
    assert len(levels) >= 5
    hard = {k: v for k, v in levels.items() if v is None or v < bound}
    assert not hard, f"verdicts below reading ease {bound}: {hard}"
