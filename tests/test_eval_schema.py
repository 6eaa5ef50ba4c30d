"""The eval files' schema: the real files load; a malformed one names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evals import command
from assistant.evals.runner import load_sets, load_thresholds
from assistant.evals.schema import (
    CorpusDoc,
    EfficacyItem,
    EvalCase,
    EvalDataError,
    Problem,
    RetrievalQuestion,
    load_jsonl_items,
    load_yaml_items,
)

ROOT = Path(__file__).resolve().parent.parent
EVALS = ROOT / "evals"

GOOD = """\
- id: ok-01
  question: "What is migraine surgery?"
  history: []
  expected_docs: [migraine-surgery-wiki]
  expected_support: ["reducing or preventing"]
  efficacy: false
  expected_status: answered
  tags: [fact]
"""


def write(tmp_path: Path, text: str, name: str = "cases.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, model: type = EvalCase) -> list[Problem]:
    with pytest.raises(EvalDataError) as info:
        load_yaml_items(path, model)
    return info.value.problems


def only(found: list[Problem]) -> Problem:
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_real_case_files__load_without_problems() -> None:
    cases, items = load_sets([EVALS / "cases.yaml"], [EVALS / "efficacy_detection.yaml"])
    assert len(cases) >= 100 and len(items) >= 100
    assert all(c.line >= 1 for c in cases)


def test_real_thresholds__name_the_required_metrics() -> None:
    thresholds = load_thresholds(EVALS / "thresholds.yaml")
    assert thresholds["caveat_recall"].item.min == 1.0
    assert thresholds["citation_validity"].item.min == 1.0
    assert thresholds["emergency_recall"].item.min == 1.0
    assert thresholds["hit_at_5"].item.min == 0.9
    assert thresholds["efficacy_detection_false_positive_rate"].item.max == 0.05


def test_schema__valid_case_loads_with_its_line(tmp_path: Path) -> None:
    [case] = load_yaml_items(write(tmp_path, "# header\n" + GOOD), EvalCase)
    assert case.item.id == "ok-01" and case.line == 2
    assert case.where.endswith("cases.yaml:2")


def test_schema__bad_status_names_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("expected_status: answered", "expected_status: answerd"))
    p = only(problems(path))
    assert (p.path.endswith("cases.yaml"), p.line, p.field, p.item) == (
        True,
        7,
        "expected_status",
        "ok-01",
    )
    assert "cases.yaml:7: case 'ok-01': field 'expected_status'" in str(p)


def test_schema__unknown_field_is_rejected_at_its_line(tmp_path: Path) -> None:
    p = only(problems(write(tmp_path, GOOD + "  expected_staus: answered\n")))
    assert (p.line, p.field) == (9, "expected_staus")
    assert "unknown field" in p.message


def test_schema__missing_field_names_the_case_line(tmp_path: Path) -> None:
    p = only(problems(write(tmp_path, GOOD.replace("  efficacy: false\n", ""))))
    assert (p.line, p.field) == (1, "efficacy") and "missing" in p.message


def test_schema__efficacy_must_be_true_or_false(tmp_path: Path) -> None:
    p = only(problems(write(tmp_path, GOOD.replace("efficacy: false", 'efficacy: "no"'))))
    assert (p.line, p.field) == (6, "efficacy")


def test_schema__history_turn_error_points_into_the_history(tmp_path: Path) -> None:
    text = GOOD.replace(
        "  history: []\n",
        "  history:\n    - role: user\n      content: hi\n"
        "    - role: doctor\n      content: hello\n",
    )
    p = only(problems(write(tmp_path, text)))
    assert (p.line, p.field) == (6, "history[1].role")


def test_schema__duplicate_ids_are_rejected_naming_both_lines(tmp_path: Path) -> None:
    p = only(problems(write(tmp_path, GOOD + GOOD)))
    assert (p.line, p.field, p.item) == (9, "id", "ok-01")
    assert "first used at line 1" in p.message


def test_schema__duplicate_ids_across_files_are_rejected(tmp_path: Path) -> None:
    a, b = write(tmp_path, GOOD, "a.yaml"), write(tmp_path, GOOD, "b.yaml")
    with pytest.raises(EvalDataError) as info:
        load_sets([a, b], [])
    p = only(info.value.problems)
    assert p.path.endswith("b.yaml") and p.line == 1 and "a.yaml:1" in p.message


def test_schema__field_given_twice_is_rejected(tmp_path: Path) -> None:
    p = only(problems(write(tmp_path, GOOD + '  question: "again?"\n')))
    assert (p.line, p.field) == (9, "question") and "twice" in p.message


def test_schema__support_without_expected_docs_is_rejected(tmp_path: Path) -> None:
    p = only(problems(write(tmp_path, GOOD.replace("[migraine-surgery-wiki]", "[]"))))
    assert (p.line, p.field) == (5, "expected_support")


def test_schema__empty_question_and_bad_id(tmp_path: Path) -> None:
    text = GOOD.replace("id: ok-01", "id: has space").replace('"What is migraine surgery?"', '"  "')
    found = problems(write(tmp_path, text))
    assert {(p.line, p.field) for p in found} == {(1, "id"), (2, "question")}


def test_schema__every_problem_of_a_file_is_reported(tmp_path: Path) -> None:
    bad = GOOD.replace("ok-01", "ok-02").replace("efficacy: false", "efficacy: maybe")
    text = GOOD.replace("answered", "answred") + bad
    found = problems(write(tmp_path, text))
    assert [(p.line, p.field) for p in found] == [(7, "expected_status"), (14, "efficacy")]


def test_schema__yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    p = only(problems(write(tmp_path, GOOD + "- id: broken\n  question: [unclosed\n")))
    assert p.line is not None and p.line >= 10
    assert "not valid YAML" in p.message


def test_schema__file_must_be_a_list(tmp_path: Path) -> None:
    p = only(problems(write(tmp_path, "id: x\nquestion: y\n")))
    assert p.line == 1 and "list" in p.message
    assert "no items" in only(problems(write(tmp_path, "# nothing yet\n", "empty.yaml"))).message


def test_schema__efficacy_item_language_code(tmp_path: Path) -> None:
    text = '- id: e1\n  question: "Does it work?"\n  efficacy: true\n  lang: English\n'
    p = only(problems(write(tmp_path, text, "eff.yaml"), EfficacyItem))
    assert (p.line, p.field) == (4, "lang")


def test_thresholds__unknown_metric_and_missing_bound(tmp_path: Path) -> None:
    path = write(tmp_path, "hit_at_5: {min: 0.9}\nhit_at_50: {min: 0.9}\n", "t.yaml")
    with pytest.raises(EvalDataError) as info:
        load_thresholds(path)
    p = only(info.value.problems)
    assert (p.line, p.field) == (2, "hit_at_50") and "no such metric" in p.message
    with pytest.raises(EvalDataError) as info:
        load_thresholds(write(tmp_path, "hit_at_5: {}\n", "t2.yaml"))
    assert only(info.value.problems).line == 1


def test_jsonl__question_errors_name_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{"id": "q1", "question": "a?", "relevant": ["d1"]}\n\n'
        '{"id": "q2", "question": "b?", "relevant": []}\n'
        '{"id": "q3", "question": "c?", "relevant": ["d"], "extra": 1}\n'
        "not json\n",
        "questions.jsonl",
    )
    with pytest.raises(EvalDataError) as info:
        load_jsonl_items(path, RetrievalQuestion)
    assert [(p.line, p.field) for p in info.value.problems] == [
        (3, "relevant"),
        (4, "extra"),
        (5, None),
    ]


def test_jsonl__example_files_are_valid() -> None:
    docs = load_jsonl_items(EVALS / "examples" / "corpus.jsonl", CorpusDoc)
    questions = load_jsonl_items(EVALS / "examples" / "questions.jsonl", RetrievalQuestion)
    ids = {d.item.id for d in docs}
    assert all(set(q.item.relevant) <= ids for q in questions)


def test_check_command__prints_located_problems_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD.replace("efficacy: false", "efficacy: sometimes"))
    assert command.main(["check", "--cases", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:6: case 'ok-01': field 'efficacy'" in err


def test_check_command__accepts_the_real_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert command.main(["check"]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
