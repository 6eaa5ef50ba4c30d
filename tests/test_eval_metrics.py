"""The eval's metrics on hand-built cases, including the ones that must score 0."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from assistant.evals import metrics as m
from assistant.evals import patient_set
from assistant.evals.assemble import assemble, baseline_table
from assistant.evals.baselines import verdicts
from assistant.evals.compare import compare
from assistant.evals.report import render_html, render_markdown
from assistant.evals.report_model import BaselineHit, CaseResult, EvalReport
from assistant.evidence import EvidenceRegistry
from assistant.types import Citation

DOC = "Migraine surgery is any operation undertaken to reduce or prevent migraines. It is rare."


def cite(
    n: int, quote: str, start: int, end: int, doc_id: str = "wiki", chunk: str = "c1"
) -> Citation:
    return Citation(
        n=n,
        doc_id=doc_id,
        chunk_id=chunk,
        title="Wiki",
        url=None,
        publisher=None,
        source_kind="reference",
        quote=quote,
        start=start,
        end=end,
        score=1.0,
    )


def exact(n: int, quote: str) -> Citation:
    start = DOC.index(quote)
    return cite(n, quote, start, start + len(quote))


# ---- retrieval -----------------------------------------------------------------------------
def test_retrieval__expected_doc_first_scores_one() -> None:
    s = m.retrieval_scores(["wiki", "blog", "clinic"], ["wiki"])
    assert s["hit_at_1"] == s["hit_at_5"] == s["reciprocal_rank"] == s["recall_at_5"] == 1.0


def test_retrieval__no_expected_doc_retrieved_scores_zero() -> None:
    s = m.retrieval_scores(["blog", "clinic", "blog"], ["wiki"])
    assert s["hit_at_1"] == s["hit_at_5"] == s["hit_at_10"] == 0.0
    assert s["reciprocal_rank"] == 0.0
    assert s["recall_at_10"] == 0.0


def test_retrieval__k_counts_passages_not_documents() -> None:
    ranked = ["blog", "blog", "blog", "blog", "blog", "wiki"]
    s = m.retrieval_scores(ranked, ["wiki"])
    assert s["hit_at_5"] == 0.0
    assert s["hit_at_10"] == 1.0
    assert s["reciprocal_rank"] == pytest.approx(1 / 6)


def test_retrieval__recall_is_share_of_expected_docs() -> None:
    s = m.retrieval_scores(["blog", "wiki", "x", "y", "z", "curated"], ["wiki", "curated"])
    assert s["recall_at_5"] == 0.5
    assert s["recall_at_10"] == 1.0
    assert s["reciprocal_rank"] == 0.5


def test_retrieval__case_without_expected_docs_is_not_scored() -> None:
    assert m.retrieval_scores(["wiki"], []) == {}


# ---- citations -----------------------------------------------------------------------------
def test_citation_validity__exact_quotes_score_one() -> None:
    c1, c2 = exact(1, "any operation undertaken"), exact(2, "It is rare.")
    check = m.citation_check("Surgery is an operation [1]. Rare [2].", [c1, c2], {"wiki": DOC})
    assert check.score == 1.0 and check.problems == ()


def test_citation_validity__quote_not_at_its_offsets_scores_zero() -> None:
    wrong = cite(1, "any operation undertaken", 0, 24)  # the text at 0-24 is something else
    check = m.citation_check("Claim [1].", [wrong], {"wiki": DOC})
    assert check.score == 0.0
    assert "quote differs" in check.problems[0]


def test_citation_validity__marker_without_citation_scores_zero() -> None:
    check = m.citation_check("Claim [1]. Other [2].", [exact(1, "It is rare.")], {"wiki": DOC})
    assert check.score == 0.0
    assert check.problems == ("marker [2] has no citation",)


def test_citation_validity__offsets_outside_document_score_zero() -> None:
    check = m.citation_check("x [1]", [cite(1, "rare", 500, 504)], {"wiki": DOC})
    assert check.score == 0.0 and "outside" in check.problems[0]


def test_citation_validity__unknown_document_scores_zero() -> None:
    check = m.citation_check("x [1]", [cite(1, "rare", 0, 4, doc_id="ghost")], {"wiki": DOC})
    assert check.score == 0.0 and "not among the sources" in check.problems[0]


def test_citation_validity__duplicate_numbers_score_zero() -> None:
    check = m.citation_check(
        "a [1] b [1]", [exact(1, "It is rare."), exact(1, "It is rare.")], {"wiki": DOC}
    )
    assert check.score == 0.0


def test_citation_validity__answer_without_citations_is_not_scored() -> None:
    assert m.citation_check("I could not find this.", [], {"wiki": DOC}).score is None


def test_citation_validity__checked_against_passage_when_document_text_unknown() -> None:
    passage = m.Hit("wiki", "c1", 10, 60, DOC[10:60])
    good = exact(1, "any operation")
    bad = cite(2, "any operation", good.start + 1, good.end + 1)
    assert m.citation_check("a [1]", [good], {"wiki": None}, [passage]).score == 1.0
    assert m.citation_check("a [2]", [bad], {"wiki": None}, [passage]).score == 0.0


def test_citation_validity__uncomparable_quote_is_marked_unchecked() -> None:
    check = m.citation_check("a [1]", [exact(1, "It is rare.")], None)
    assert check.score == 1.0 and check.unchecked == (1,)


def test_citation_precision__share_of_quotes_with_support() -> None:
    quotes = ["to reduce or prevent migraines", "It is rare."]
    assert m.citation_precision(quotes, ["Reduce or  prevent"]) == 0.5
    assert m.citation_precision(quotes, ["nothing like it"]) == 0.0
    assert m.citation_precision([], ["reduce"]) is None
    assert m.citation_precision(quotes, []) is None


# ---- answers -------------------------------------------------------------------------------
def test_support_coverage__case_insensitive_whitespace_and_typographic_quotes() -> None:
    answer = "The wiki says: “Long-term  side effects are UNKNOWN.” [1] It’s rare."
    assert m.support_coverage(answer, ["long-term side effects are unknown", "it's rare"]) == 1.0
    assert m.support_coverage(answer, ["long-term side effects are unknown", "cure"]) == 0.5


def test_support_coverage__no_phrase_present_scores_zero() -> None:
    assert m.support_coverage("I could not find this in my sources.", ["two to three hours"]) == 0.0
    assert m.support_coverage("anything", []) is None


def test_percentile__interpolates_like_numpy() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert m.percentile(values, 50) == 25.0
    assert m.percentile(values, 95) == pytest.approx(38.5)
    assert m.percentile([7.0], 95) == 7.0
    assert m.percentile([], 50) is None


# ---- aggregation ---------------------------------------------------------------------------
def record(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "c",
        "tags": [],
        "efficacy": False,
        "expected_status": "answered",
        "status": "answered",
        "caveat_present": False,
        "passed": True,
        "latencies_ms": [10.0],
        "scores": {"status_correct": 1.0},
    }
    base.update(kw)
    return base


def test_guardrail_metrics__caveat_and_emergency() -> None:
    records = [
        record(efficacy=True, caveat_present=True),
        record(efficacy=True, caveat_present=False),
        record(efficacy=False, caveat_present=True),
        record(efficacy=False, caveat_present=False),
        record(efficacy=False, caveat_present=False),
        record(expected_status="emergency", status="emergency"),
        record(expected_status="emergency", status="answered"),
    ]
    got = m.aggregate(records)
    assert got["caveat_recall"].value == 0.5 and got["caveat_recall"].n == 2
    assert got["caveat_false_positive_rate"].value == pytest.approx(1 / 5)
    assert got["emergency_recall"].value == 0.5
    assert got["emergency_false_positive_rate"].value == 0.0


def test_guardrail_metrics__missing_caveats_and_missed_emergencies_score_zero() -> None:
    records = [record(efficacy=True), record(expected_status="emergency", status="answered")]
    got = m.aggregate(records)
    assert got["caveat_recall"].value == 0.0
    assert got["emergency_recall"].value == 0.0


def test_answered_cited_rate__answered_cases_without_a_citation_count_against() -> None:
    cited = {"n": 1, "doc_id": "d", "quote": "q"}
    records = [
        record(citations=[cited]),
        record(citations=[]),
        record(status="no_evidence", citations=[]),
    ]
    got = m.aggregate(records)
    assert got["answered_cited_rate"].value == 0.5 and got["answered_cited_rate"].n == 2


def test_aggregate__metric_without_applicable_cases_is_not_measured() -> None:
    got = m.aggregate([record()])
    assert got["caveat_recall"].value is None and got["caveat_recall"].n == 0
    assert got["hit_at_5"].value is None


def test_aggregate__latency_percentiles_over_all_samples() -> None:
    got = m.aggregate([record(latencies_ms=[10.0, 30.0]), record(latencies_ms=[20.0])])
    assert got["latency_p50_ms"].value == 20.0 and got["latency_p50_ms"].n == 3


def test_detection_metrics__confusion_counts() -> None:
    pairs = [
        (True, True),
        (True, True),
        (True, False),
        (False, False),
        (False, True),
        (False, False),
        (False, False),
    ]
    got = m.detection_metrics(pairs)
    assert got["efficacy_detection_recall"].value == pytest.approx(2 / 3)
    assert got["efficacy_detection_false_positive_rate"].value == 0.25
    assert got["efficacy_detection_precision"].value == pytest.approx(2 / 3)
    assert got["efficacy_detection_accuracy"].value == pytest.approx(5 / 7)


def test_detection_metrics__error_counts_as_a_miss() -> None:
    got = m.detection_metrics([(True, None), (False, None)])
    assert got["efficacy_detection_recall"].value == 0.0
    assert got["efficacy_detection_false_positive_rate"].value == 1.0


def test_check_threshold__min_max_and_not_measured() -> None:
    assert m.check_threshold(0.9, 0.9, None) == "pass"
    assert m.check_threshold(0.89, 0.9, None) == "fail"
    assert m.check_threshold(0.06, None, 0.05) == "fail"
    assert m.check_threshold(None, 1.0, None) == "not measured"


def test_baseline_verdicts__say_who_wins_and_by_how_much() -> None:
    systems: list[tuple[str, str, dict[str, float | None]]] = [
        ("hybrid", "H", {"hit_at_5": 0.95, "mrr": 0.80}),
        ("bm25", "B", {"hit_at_5": 0.90, "mrr": 0.85}),
    ]
    got = {(v.baseline, v.metric): v for v in verdicts(systems)}
    assert got[("bm25", "hit_at_5")].outcome == "beats"
    assert got[("bm25", "hit_at_5")].difference == pytest.approx(0.05)
    assert got[("bm25", "mrr")].outcome == "trails"


def test_baseline_table__hybrid_minus_baseline() -> None:
    class Fake:
        name, label = "bm25", "BM25"

    rows = [
        CaseResult(
            id="c",
            expected_docs=["wiki"],
            scores=dict(m.retrieval_scores(["wiki"], ["wiki"])),
            baselines={
                "bm25": BaselineHit(
                    retrieved=["blog"], scores=m.retrieval_scores(["blog"], ["wiki"])
                )
            },
        )
    ]
    table = baseline_table(rows, [Fake()])  # type: ignore[list-item]
    bm25 = next(r for r in table.rows if r.system == "bm25")
    assert bm25.metrics["hit_at_5"] == 0.0
    assert bm25.hybrid_minus_this["hit_at_5"] == 1.0


# ---- reports -------------------------------------------------------------------------------
def small_report() -> EvalReport:
    cases = [
        record(
            id="a",
            question="Q a?",
            expected_docs=["wiki"],
            expected_support=[],
            where="x.yaml:1",
            failures=[],
            scores={"status_correct": 1.0, "hit_at_5": 1.0},
        ),
        record(
            id="b",
            question="<script>alert(1)</script>",
            expected_docs=[],
            expected_support=[],
            where="x.yaml:9",
            passed=False,
            status="no_evidence",
            answer="See https://evil.example/x.js",
            failures=["status was 'no_evidence'"],
            citations=[
                {
                    "n": 1,
                    "doc_id": "wiki",
                    "title": "T",
                    "source_kind": "reference",
                    "publisher": None,
                    "url": "https://evil.example/page",
                    "quote": "q",
                    "start": 0,
                    "end": 1,
                }
            ],
            scores={"status_correct": 0.0},
        ),
    ]
    return assemble(
        kind="suite",
        config={"target": {"target": "in-process"}},
        records=[CaseResult.model_validate(c) for c in cases],
        detection=[],
        baselines=[],
        thresholds={},
    )


def test_compare__lists_regressions_improvements_added_and_removed() -> None:
    old = small_report()
    new = old.model_copy(deep=True)
    new.cases[0].scores["hit_at_5"] = 0.0
    new.cases[0].passed = False
    new.cases[1].scores["status_correct"] = 1.0
    new.cases[1].passed = True
    new.cases.append(CaseResult.model_validate(record(id="c")))
    old.cases.append(CaseResult.model_validate(record(id="gone")))
    comp = compare(old, new, "old/report.json")
    assert [e.id for e in comp.regressions] == ["a"]
    assert [e.id for e in comp.improvements] == ["b"]
    assert comp.added == ["c"] and comp.removed == ["gone"]


def test_compare__identical_runs_have_no_changes() -> None:
    report = small_report()
    comp = compare(report, report.model_copy(deep=True))
    assert comp.regressions == comp.improvements == []
    assert comp.unchanged == 2


def test_html_report__escapes_content_and_loads_nothing() -> None:
    soup = BeautifulSoup(render_html(small_report()), "html.parser")
    assert soup.find("script") is None
    failed = soup.find("h2", string=re.compile(r"^Failed cases"))
    assert isinstance(failed, Tag) and failed.get_text() == "Failed cases (1)"
    table = failed.find_next("table")
    body = table.find("tbody") if isinstance(table, Tag) else None
    row = body.find("tr") if isinstance(body, Tag) else None
    assert isinstance(row, Tag)
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert cells[0].startswith("b") and cells[1] == "<script>alert(1)</script>"  # as text
    assert "See https://evil.example/x.js" in cells[2]
    loads = [
        value
        for tag in soup.find_all(True)
        for name, value in tag.attrs.items()
        if name in ("src", "href", "srcset", "data", "poster", "action")
    ]
    assert loads == []  # nothing to load, and citation URLs are not shown as links
    assert "https://evil.example/page" not in soup.get_text()
    md = render_markdown(small_report())
    assert "Failed cases (1)" in md


def test_summary__median_answer_length_in_words_is_shown_in_both_formats() -> None:
    report = small_report()  # one answer of 2 words; the other case has none
    assert report.summary.answer_words_p50 == 2
    assert "\nMedian answer length: 2 words.\n" in render_markdown(report)
    soup = BeautifulSoup(render_html(report), "html.parser")
    assert soup.find("p", string="Median answer length: 2 words.") is not None


# ---- the wrong-procedure judge of the patient questions ------------------------------------------
def test_wrong_procedure__a_quote_naming_the_treatment_asked_is_on_topic() -> None:
    registry = EvidenceRegistry.load(
        Path(__file__).resolve().parent.parent / "knowledge" / "evidence-registry.yaml"
    )
    quote_topics, name_topics = patient_set.topic_functions(
        SimpleNamespace(registry=registry, units=None)
    )
    item = patient_set.PatientItem(
        id="x",
        turns=["why Botox first?"],
        expected_status="answered",
        procedures=["Botox as a test before surgery"],
    )
    on_topic = "Botox injections help find the places to operate on later."
    other = "Fat transfer injects the patient's own fat into the forehead."
    record = {"citations": [{"quote": on_topic}, {"quote": other}]}
    assert patient_set.wrong_procedure(record, item, quote_topics, name_topics) == [other]


def test_wrong_procedure__a_quote_holding_the_expected_answer_is_on_topic() -> None:
    registry = EvidenceRegistry.load(
        Path(__file__).resolve().parent.parent / "knowledge" / "evidence-registry.yaml"
    )
    quote_topics, name_topics = patient_set.topic_functions(
        SimpleNamespace(registry=registry, units=None)
    )
    advice = "Stress management techniques like yoga or meditation can reduce attacks."
    item = patient_set.PatientItem(
        id="x",
        turns=["what else can I do apart from pills?"],
        expected_status="answered",
        procedures=["trigger-site deactivation surgery"],
        must_contain_any=[["Stress management techniques like yoga"]],
    )
    other = "Fat transfer injects the patient's own fat into the forehead."
    record = {"citations": [{"quote": advice}, {"quote": other}]}
    # The advice names yoga (a treatment of the catalogue), yet it is what was asked for.
    assert patient_set.wrong_procedure(record, item, quote_topics, name_topics) == [other]
