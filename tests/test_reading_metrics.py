"""The eval suite measures the reading level of what patients read, against thresholds."""

from __future__ import annotations

from pathlib import Path

import yaml

from assistant.evals import metrics as m

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
