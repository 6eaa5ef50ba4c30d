"""Answers from Assistant.ask: valid citations, verbatim quotes, attribution, refusals, contract."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.errors import InvalidQuestionError
from assistant.ingest.loaders import load_path
from assistant.service import Assistant
from assistant.types import Answer, SourceDoc
from tests.conftest import KNOWLEDGE

MARKER = re.compile(r"\[(\d+)\]")

IN_SCOPE_QUESTIONS = {
    "migone-duration": "How long does the M.I.G.O.N.E. procedure take?",
    "on-causes": "What causes occipital neuralgia?",
    "efficacy": "Does migraine surgery work?",
    "ahs": "What does the American Headache Society say about trigger site surgery?",
    "fat-safety": "Is fat transfer safe?",
    "mist": "What did the MIST trial of PFO closure find?",
    "fat-duration": "How long does a fat transfer procedure take?",
}
IN_SCOPE = [pytest.param(q, id=i) for i, q in IN_SCOPE_QUESTIONS.items()]
# Questions the sources hold nothing for: outside health entirely (declined with the
# out-of-scope message), or medical but not covered (not in my sources).
OUT_OF_SCOPE = [
    pytest.param("What is a good banana bread recipe?", "declined", id="banana-bread"),
    pytest.param("Who won the football world cup?", "declined", id="world-cup"),
    pytest.param("What is the usual dosage of sumatriptan?", "no_evidence", id="sumatriptan-dose"),
    pytest.param("Where can I get cheap car insurance quotes?", "no_evidence", id="car-insurance"),
    pytest.param("banana bread recipe", "declined", id="banana-bread-terse"),
    pytest.param("who won the football world cup", "declined", id="world-cup-terse"),
    pytest.param("what is the usual dosage of sumatriptan", "no_evidence", id="sumatriptan-terse"),
    pytest.param("car insurance quotes", "no_evidence", id="car-insurance-terse"),
]


@cache
def _source_text(path: str) -> str:
    """The document text as the loader gives it (what citation offsets refer to)."""
    docs = [d for d in load_path(KNOWLEDGE / path, KNOWLEDGE) if isinstance(d, SourceDoc)]
    assert len(docs) == 1
    return docs[0].text


def _paths(assistant: Assistant) -> dict[str, str]:
    return {d.doc_id: d.path for d in assistant.sources()}


@pytest.fixture(scope="module")
def answers(built_assistant: Assistant) -> dict[str, Answer]:
    """One answer per in-scope question, asked once for the module."""
    return {q: built_assistant.ask(q) for q in IN_SCOPE_QUESTIONS.values()}


def _answer(answers: dict[str, Answer], question: str) -> Answer:
    return answers[question]


@pytest.mark.parametrize("question", IN_SCOPE)
def test_answer__markers_and_citations_match_one_to_one(
    answers: dict[str, Answer], question: str
) -> None:
    answer = _answer(answers, question)
    assert answer.status == "answered"
    assert answer.citations
    markers = [int(m) for m in MARKER.findall(answer.answer)]
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    assert sorted(set(markers)) == numbers  # every marker has a citation, every citation a marker


@pytest.mark.parametrize("question", IN_SCOPE)
def test_answer__citation_quotes_are_the_source_text_at_their_offsets(
    built_assistant: Assistant, answers: dict[str, Answer], question: str
) -> None:
    paths = _paths(built_assistant)
    for citation in _answer(answers, question).citations:
        text = _source_text(paths[citation.doc_id])
        assert 0 <= citation.start < citation.end <= len(text)
        assert text[citation.start : citation.end] == citation.quote, citation


@pytest.mark.parametrize("question", IN_SCOPE)
def test_answer__citations_come_from_retrieved_passages(
    built_assistant: Assistant, answers: dict[str, Answer], question: str
) -> None:
    answer = _answer(answers, question)
    # The passages the answer read: its standalone question's search, plus the published
    # evidence (efficacy questions) and the keyword search of what the question asks.
    passages = built_assistant.retrieve(answer.question)
    by_id = {p.chunk.chunk_id: p for p in passages}
    for citation in answer.citations:
        assert citation.chunk_id in by_id, citation.chunk_id
        passage = by_id[citation.chunk_id]
        assert passage.doc.doc_id == citation.doc_id
        assert passage.chunk.start <= citation.start < citation.end <= passage.chunk.end
        assert citation.title == passage.doc.title
        assert citation.url == passage.doc.url
        assert citation.source_kind == passage.doc.source_kind


@pytest.mark.parametrize("question", IN_SCOPE)
def test_answer__quotes_whole_sentences_verbatim(
    built_assistant: Assistant, answers: dict[str, Answer], question: str
) -> None:
    answer = _answer(answers, question)
    passages = {p.chunk.chunk_id: p for p in built_assistant.retrieve(answer.question)}
    for citation in answer.citations:
        assert f"“{citation.quote}” [{citation.n}]" in answer.answer
        sentences = passages[citation.chunk_id].chunk.sentences
        assert citation.start in {s.start for s in sentences}
        assert citation.end in {s.end for s in sentences}


@pytest.mark.parametrize("question", IN_SCOPE)
def test_answer__clinic_marketing_quotes_have_a_marketing_lead_in(
    answers: dict[str, Answer], question: str
) -> None:
    answer = _answer(answers, question)
    by_n = {c.n: c for c in answer.citations}
    for paragraph in answer.answer.split("\n\n"):
        cited = [by_n[int(n)] for n in MARKER.findall(paragraph)]
        lead_in = paragraph.split("“", 1)[0]
        if any(c.source_kind == "clinic-marketing" for c in cited):
            assert "marketing" in lead_in.lower(), paragraph
            assert "The Migraine Relief Center" in lead_in
        if any(c.source_kind == "practice-blog" for c in cited):
            assert "marketing" in lead_in.lower() or "blog" in lead_in.lower(), paragraph


def test_answer__migone_duration_is_quoted_from_the_clinic_with_attribution(
    answers: dict[str, Answer],
) -> None:
    answer = _answer(answers, "How long does the M.I.G.O.N.E. procedure take?")
    quoted = [c for c in answer.citations if "two to three hours" in c.quote]
    assert [c.doc_id for c in quoted] == ["migone-procedure-clinic"]
    assert quoted[0].source_kind == "clinic-marketing"
    paragraph = next(p for p in answer.answer.split("\n\n") if "two to three hours" in p)
    assert paragraph.startswith("The clinic's own marketing page (The Migraine Relief Center)")


@pytest.mark.parametrize(("question", "status"), OUT_OF_SCOPE)
def test_answer__out_of_scope_question_gets_no_evidence_or_is_declined(
    built_assistant: Assistant, question: str, status: str
) -> None:
    answer = built_assistant.ask(question)
    assert answer.status == status
    assert answer.citations == []
    assert not MARKER.search(answer.answer)
    assert answer.answer.strip()


def test_answer__json_has_the_stable_field_names(answers: dict[str, Answer]) -> None:
    answer = _answer(answers, "How long does the M.I.G.O.N.E. procedure take?")
    data = json.loads(answer.model_dump_json())
    for key in (
        "question",
        "standalone_question",
        "status",
        "answer",
        "citations",
        "efficacy_question",
        "caveat",
        "timings_ms",
    ):
        assert key in data, key
    assert data["question"] == "How long does the M.I.G.O.N.E. procedure take?"
    assert data["status"] == "answered"
    assert isinstance(data["efficacy_question"], bool)
    assert isinstance(data["timings_ms"], dict) and data["timings_ms"]
    assert all(isinstance(v, int | float) for v in data["timings_ms"].values())
    assert data["citations"]
    for citation in data["citations"]:
        for key in (
            "n",
            "doc_id",
            "title",
            "url",
            "source_kind",
            "quote",
            "start",
            "end",
            "score",
        ):
            assert key in citation, key
        assert isinstance(citation["n"], int)
        assert isinstance(citation["start"], int) and isinstance(citation["end"], int)
        assert isinstance(citation["score"], int | float)
    assert Answer.model_validate(data) == answer


def test_answer__question_is_stripped_and_kept(built_assistant: Assistant) -> None:
    answer = built_assistant.ask("   What causes occipital neuralgia?  \n")
    assert answer.question == "What causes occipital neuralgia?"
    assert answer.standalone_question == "What causes occipital neuralgia?"


# ---- invalid questions ---------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", "   ", "\n\t "], ids=["empty", "spaces", "whitespace"])
def test_ask__empty_question_is_rejected_clearly(built_assistant: Assistant, question: str) -> None:
    with pytest.raises(InvalidQuestionError, match="empty"):
        built_assistant.ask(question)


def test_ask__question_over_the_limit_is_rejected_clearly(built_assistant: Assistant) -> None:
    limit = built_assistant.settings.max_question_chars
    with pytest.raises(InvalidQuestionError) as info:
        built_assistant.ask("migraine surgery " + "x" * limit)
    message = str(info.value)
    assert str(limit) in message and "limit" in message
    within = built_assistant.ask("a" * (limit - 1) + "?").status
    assert within in ("answered", "no_evidence", "declined")


@pytest.mark.parametrize(
    "turn",
    [
        pytest.param({"role": "robot", "content": "hello"}, id="unknown-role"),
        pytest.param({"role": "user"}, id="no-content"),
        pytest.param({"content": "What is the M.I.G.O.N.E. procedure?"}, id="no-role"),
        pytest.param({"role": "user", "content": ["a", "list"]}, id="content-not-text"),
        pytest.param("What is the M.I.G.O.N.E. procedure?", id="plain-string"),
        pytest.param(None, id="null"),
    ],
)
def test_ask__malformed_history_turn_is_rejected_clearly(
    built_assistant: Assistant, turn: Any
) -> None:
    history = [{"role": "user", "content": "What is the M.I.G.O.N.E. procedure?"}, turn]
    with pytest.raises(InvalidQuestionError) as info:
        built_assistant.ask("How long does it take?", history)
    message = str(info.value)
    assert "History turn 1" in message
    assert "role" in message


def test_search__empty_query_is_rejected(built_assistant: Assistant) -> None:
    with pytest.raises(InvalidQuestionError):
        built_assistant.search("  ")


# ---- quotes stay verbatim with bracketed numbers in the source -----------------------------


@pytest.mark.slow
def test_answer__source_reference_marks_inside_quotes_stay_verbatim(
    make_assistant: Callable[..., Assistant], tmp_path: Path
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "nerve-block.md").write_text(
        "---\ntitle: Occipital nerve block\nsource_kind: reference\npublisher: Nerve Wiki\n---\n"
        "# Occipital nerve block\n\n"
        "An occipital nerve block takes about five minutes in the clinic [12]. "
        "Relief from an occipital nerve block can last for several weeks [13].\n",
        encoding="utf-8",
    )
    assistant = make_assistant(folder)
    assert assistant.ingest().errors == []
    answer = assistant.ask("How long does an occipital nerve block take?")
    assert answer.status == "answered"
    quoted = [c for c in answer.citations if "five minutes" in c.quote]
    assert quoted and "clinic [12]." in quoted[0].quote  # the source's own reference mark
    for citation in answer.citations:
        assert f"“{citation.quote}”" in answer.answer


# ---- completing a chosen sentence ---------------------------------------------------------
def _unit(
    index: int,
    text: str,
    facets: frozenset[str] = frozenset(),
    procedures: frozenset[str] = frozenset(),
) -> Any:
    from assistant.units import Unit

    return Unit(
        chunk_id="c",
        doc_id="d",
        index=index,
        start=index * 100,
        end=index * 100 + len(text),
        text=text,
        kind="sentence",
        paragraph=0,
        procedures=procedures,
        subject=frozenset(),
        facets=facets,
        heading_facets=frozenset(),
        treatments=frozenset(),
        quotable=True,
        continues=text.startswith(("However", "It")),
        question=False,
    )


@pytest.mark.parametrize(
    ("follower", "kept"),
    [
        ("However, the injections can help locate the trigger sites.", True),
        ("Patients should ask their doctor about prices.", False),
    ],
)
def test_complete__a_sentence_that_turns_the_chosen_one_comes_with_it(
    built_assistant: Assistant, follower: str, kept: bool
) -> None:
    from assistant.selection import Candidate, Selector

    chosen = Candidate(
        _unit(0, "Injections work but are no lasting cure."),
        None,  # type: ignore[arg-type]
        0.8,
        0.5,
        1.0,
        frozenset({"efficacy"}),
        score=1.0,
    )
    after = Candidate(_unit(1, follower), None, 0.2, 0.0, 0.0, frozenset(), score=0.1)  # type: ignore[arg-type]
    selector = Selector(built_assistant.understander, built_assistant.units)
    got = selector._complete([chosen], [chosen, after], limit=4)
    assert (after in got) is kept


MIGONE = frozenset({"occipital-nerve-decompression-migone"})


@pytest.mark.parametrize(
    ("words", "procedures", "joins"),
    [
        # far more of the patient's words than the chosen units hold
        (0.5, frozenset(), True),
        (0.5, MIGONE, True),
        # about as many: the facet's units answer already
        (0.3, frozenset(), False),
        # about another procedure than the answer's: never beside it
        (0.5, frozenset({"nerve-and-spinal-cord-stimulation"}), False),
    ],
)
def test_select__the_unit_with_far_more_of_the_patients_words_joins_the_answer(
    words: float, procedures: frozenset[str], joins: bool
) -> None:
    from assistant.selection import Candidate, Selector

    chosen = Candidate(
        _unit(0, "The surgeon removes a small bit of muscle.", procedures=MIGONE),
        None,  # type: ignore[arg-type]
        0.7,
        0.25,
        1.0,
        frozenset({"how_done"}),
        score=0.9,
    )
    named = Candidate(
        _unit(
            1,
            "The nerve may be entrapped by a muscle called the semispinalis capitis.",
            procedures=procedures,
        ),
        None,  # type: ignore[arg-type]
        0.35,
        words,
        0.0,
        frozenset(),
        score=0.4,
    )
    got = Selector._lexical_extra([chosen], [chosen, named])
    assert (named in got) is joins
    assert chosen not in got


# ---- matching sentences across languages ----------------------------------------------------
def test_units__carry_a_multilingual_row_each_stored_once(built_assistant: Assistant) -> None:
    """Every unit has a row in the guardrails' multilingual space beside its English one, kept in
    the unit store under the encoder's passage key (a second index reads it, encodes nothing)."""
    from assistant.guardrails.encoder import MODEL_ID
    from assistant.units import VectorCache

    chunk_units = built_assistant.units.for_passages(built_assistant.retrieve("fat transfer"))
    assert chunk_units
    for cu in chunk_units:
        assert cu.multilingual is not None
        assert cu.multilingual.shape == (len(cu.units), 384)
        assert np.allclose(np.linalg.norm(cu.multilingual, axis=1), 1.0, atol=1e-3)
    text = chunk_units[0].units[0].text
    stored = built_assistant.units.cache.get([VectorCache.key(MODEL_ID + "/passage", text)])
    assert len(stored) == 1


def test_guard_reading__keeps_the_questions_multilingual_vector_unless_a_rule_fired(
    built_assistant: Assistant,
) -> None:
    guard = built_assistant.guardrails
    plain = guard.read("Wie lange dauert die OP?", "Wie lange dauert die OP?")
    assert plain.vector is not None and plain.vector.shape == (384,)
    alarm = "Suddenly the worst headache of my life and my face is drooping"
    assert guard.read(alarm, alarm).vector is None  # the emergency message needs no sentence


@pytest.mark.parametrize(
    ("question", "phrases"),
    [
        pytest.param(
            "Kann man gegen das eigene Fett allergisch sein, wenn es in den Kopf gespritzt wird?",
            ["allergic reactions", "rejection"],
            id="de-own-fat-allergy",
        ),
        pytest.param(
            "¿Qué cosas suelen provocar un ataque de migraña?",
            ["stress", "hormonal changes", "bright lights"],
            id="es-what-sets-off-an-attack",
        ),
    ],
)
def test_answer__a_question_in_another_language_finds_the_english_sentence_by_meaning(
    built_assistant: Assistant, question: str, phrases: list[str]
) -> None:
    """The English sentence that answers is matched with the question as written (the
    multilingual encoder), not only with the question's translated key words."""
    answer = built_assistant.ask(question)
    assert answer.status == "answered"
    assert any(p.lower() in answer.answer.lower() for p in phrases), answer.answer


def test_answer__a_follow_up_in_another_language_close_to_the_sources_is_answered(
    built_assistant: Assistant,
) -> None:
    """The English passage search scores a German follow-up low; the sentence it matches best
    (by the multilingual encoder) shows that it is about the sources' subject."""
    history = [
        {"role": "user", "content": "Nach einem Sturz vom Rad hat man bei mir Okzipitalneuralgie"},
        {"role": "assistant", "content": "Okzipitalneuralgie ist ..."},
    ]
    answer = built_assistant.ask("Kann so ein Sturz wirklich die Ursache sein?", history)
    assert answer.status == "answered", answer.answer
    assert "traumatic events" in answer.answer.lower()


def test_answer__a_cause_asked_in_few_known_words_is_answered_by_the_sentence_it_means(
    built_assistant: Assistant,
) -> None:
    """Few of the question's words are known, but its facet (causes) is read and the closest
    sentence in meaning is a sentence of causes: answered, not "not in my sources"."""
    answer = built_assistant.ask("¿de dónde vienen mis migrañas? ¿lo heredé de mi padre?")
    assert answer.status == "answered", answer.answer
    assert "genetic" in answer.answer


def test_answer__a_treatment_asked_gets_what_is_said_of_it_not_its_pages_procedure(
    built_assistant: Assistant,
) -> None:
    """ "Integrating this technique with Botox" is about the page's fat transfer, not Botox."""
    answer = built_assistant.ask("Ist Botox auf Dauer eine Lösung oder muss ich immer wieder hin?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "not a permanent solution" in quotes, quotes
    assert "integrating this technique" not in quotes


def test_answer__return_to_work_after_a_procedure_the_sources_do_not_time_is_not_in_them(
    built_assistant: Assistant,
) -> None:
    answer = built_assistant.ask(
        "how many weeks after the neck nerve decompression before I'm allowed back at work?"
    )
    assert answer.status == "no_evidence", answer.answer
    assert "recovery" in answer.answer


def test_answer__a_decision_to_operate_is_declined_with_who_surgery_is_for(
    built_assistant: Assistant,
) -> None:
    answer = built_assistant.ask(
        "Tried topiramate and Botox, nothing sticks. Should I just go for the surgery?"
    )
    assert answer.status == "declined"
    assert "last resort" in answer.answer, answer.answer


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        pytest.param(
            "la federazione europea delle cefalee che cosa consiglia sulla neurostimolazione?",
            "European Headache Federation",
            id="it-european-federation",
        ),
        pytest.param(
            "Was rät die europäische Kopfschmerzgesellschaft bei Neurostimulation?",
            "European Headache Federation",
            id="de-european-federation",
        ),
        pytest.param(
            "¿qué opina la Sociedad Americana de Cefaleas de operar la migraña?",
            "American Headache Society",
            id="es-american-society",
        ),
        pytest.param(
            "et si c'était juste l'effet placebo, cette chirurgie de la migraine ?",
            "natural course",
            id="fr-placebo",
        ),
        # several places that hurt: one operation or several
        pytest.param(
            "it hurts at my temple, my forehead and the back of my neck, would that be three "
            "separate operations?",
            "addressed in a single procedure",
            id="en-one-operation",
        ),
        pytest.param(
            "ich hab schmerzen an der stirn und im nacken, wird das in einem rutsch operiert?",
            "addressed in a single procedure",
            id="de-one-operation",
        ),
        # Botox as a test before the operation
        pytest.param(
            "o médico disse que o botox é um teste antes da cirurgia, teste de quê?",
            "pinpoint the locations to address during surgery",
            id="pt-botox-test",
        ),
        # what else there is, pills set aside
        pytest.param(
            "ik verdraag geen pillen, wat kan ik naast de medicijnen nog doen tegen migraine?",
            "Lifestyle changes also play a key role in prevention",
            id="nl-beside-pills",
        ),
        # how long Botox lasts, asked in another language: the passage naming Botox is searched
        pytest.param(
            "el botox me va bien pero se me pasa a los tres meses, ¿es siempre temporal?",
            "not a permanent solution",
            id="es-botox-lasting",
        ),
        pytest.param(
            "muss ich Botox für immer alle paar Monate wiederholen oder hört das irgendwann auf?",
            "not a permanent solution",
            id="de-botox-lasting",
        ),
    ],
)
def test_answer__a_lay_question_finds_the_sentence_that_answers_it(
    built_assistant: Assistant, question: str, phrase: str
) -> None:
    answer = built_assistant.ask(question)
    assert answer.status == "answered", answer.answer
    assert any(phrase in c.quote for c in answer.citations), [c.quote for c in answer.citations]
