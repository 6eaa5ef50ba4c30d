"""The plain-language lead: chosen from reviewed texts, in the question's language, short."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.evals.readability import readability
from assistant.evidence import EvidenceRegistry
from assistant.lead import LeadWriter
from assistant.types import Answer, Citation, EvidenceStatus

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = EvidenceRegistry.load(ROOT / "knowledge" / "evidence-registry.yaml")
WRITER = LeadWriter(REGISTRY)
MESSAGES = ROOT / "assistant" / "resources" / "messages"
LANGUAGES = ("en", "es", "fr", "de", "nl", "pt", "it")


def _citation(n: int, kind: str) -> Citation:
    return Citation(
        n=n,
        doc_id=f"d{n}",
        chunk_id=f"d{n}::0",
        title="T",
        url=None,
        publisher="P",
        source_kind=kind,
        quote="Q.",
        start=0,
        end=2,
        score=0.5,
    )


def _answer(**kw: Any) -> Answer:
    fields: dict[str, Any] = {
        "question": "q",
        "standalone_question": "q",
        "status": "answered",
        "answer": "A [1].",
        "citations": [_citation(1, "clinic-marketing")],
    }
    fields.update(kw)
    return Answer.model_validate(fields)


def _evidence(procedure_id: str) -> EvidenceStatus:
    p = next(p for p in REGISTRY.procedures if p.id == procedure_id)
    return EvidenceStatus(procedure=p.name, tier=p.tier, summary=p.summary)


def test_lead__efficacy_gives_the_procedure_verdict_first_with_the_studies_marker() -> None:
    answer = _answer(
        efficacy_question=True,
        evidence=[_evidence("fat-transfer"), _evidence("trigger-site-surgery")],
        citations=[_citation(1, "practice-blog"), _citation(2, "curated-evidence")],
    )
    lead = WRITER.write(answer)
    assert lead is not None
    assert lead.startswith("Short answer: fat transfer is not proven to work.")
    assert lead.endswith("[2]")  # the summary of studies supports it; the blog does not


@pytest.mark.parametrize(
    ("procedure", "named"),
    [
        ("magnesium", "magnesium"),
        # a plural name takes no verb that must agree with it
        ('Triptans (sumatriptan, rizatriptan) (you asked about "triptano")', "triptans"),
        # an article opening the name is lower case inside the sentence
        ('A low-histamine diet (you asked about "histaminarm")', "a low-histamine diet"),
    ],
)
def test_lead__unassessed_treatment_names_it_even_without_quotes(
    procedure: str, named: str
) -> None:
    answer = _answer(
        status="no_evidence",
        answer="My sources do not cover it.",
        citations=[],
        efficacy_question=True,
        evidence=[EvidenceStatus(procedure=procedure, tier="not-assessed", summary="s")],
    )
    assert WRITER.write(answer) == (
        f"Short answer: my sources do not cover {named}. Please ask your doctor."
    )


def test_lead__a_fact_says_who_answers_and_flags_advertising() -> None:
    one = WRITER.write(_answer())
    assert one == (
        "A clinic that sells this [1] answers this. No other source here talks about it. "
        "Pages by clinics are adverts for what they sell."
    )
    several = WRITER.write(
        _answer(citations=[_citation(1, "reference"), _citation(2, "curated-evidence")])
    )
    assert several == "A summary of studies [2] and a health guide [1] answer this."


@pytest.mark.parametrize("status", ["emergency", "urgent", "declined", "no_evidence"])
def test_lead__one_line_for_refusals_and_red_flags_in_each_language(status: str) -> None:
    leads = {
        lang: WRITER.write(_answer(status=status, citations=[], language=lang))
        for lang in LANGUAGES
    }
    assert all(leads.values())
    assert len(set(leads.values())) == len(LANGUAGES)  # each language has its own text
    if status == "emergency":
        assert "112" in str(leads["de"]) and "911" in str(leads["en"])


def test_lead__every_language_has_every_verdict_and_lead_text() -> None:
    english = yaml.safe_load((MESSAGES / "en.yaml").read_text(encoding="utf-8"))
    for lang in LANGUAGES:
        data = yaml.safe_load((MESSAGES / f"{lang}.yaml").read_text(encoding="utf-8"))
        for group in ("lead", "lead_who", "verdicts"):
            assert set(data[group]) == set(english[group]), (lang, group)
    assert set(english["verdicts"]) >= {p.id for p in REGISTRY.procedures} | {"general"}


def test_lead__english_verdicts_and_leads_read_at_grade_8_or_below() -> None:
    english = yaml.safe_load((MESSAGES / "en.yaml").read_text(encoding="utf-8"))
    texts = [*english["verdicts"].values(), *english["lead"].values()]
    for text in texts:
        grade = readability(text.format(treatment="magnesium", who="A clinic"))
        assert grade is not None and grade.value <= 8, (text, grade)


def test_cli__prints_the_lead_before_the_answer() -> None:
    from assistant.cli import format_answer

    answer = _answer(summary="A clinic that sells this [1] answers this.")
    lines = format_answer(answer).splitlines()
    assert lines[0] == "A clinic that sells this [1] answers this."
    assert lines[2] == "A [1]."


def test_lead__every_mix_of_source_kinds_reads_at_grade_8_or_below() -> None:
    from itertools import combinations

    kinds = ("curated-evidence", "reference", "clinic-marketing", "practice-blog")
    for r in range(1, len(kinds) + 1):
        for combo in combinations(kinds, r):
            citations = [_citation(n, kind) for n, kind in enumerate(combo, start=1)]
            lead = WRITER.write(_answer(citations=citations))
            assert lead is not None
            grade = readability(re.sub(r"\[\d+\]", "", lead))
            assert grade is not None and grade.value <= 8, (lead, grade)
