"""Scope: an off-topic request is declined with the out-of-scope message; a health question the
sources cannot answer stays "not in my sources"; an answerable question is answered."""

from __future__ import annotations

import pytest

from assistant.evidence import EvidenceRegistry
from assistant.guardrails.layer import GuardReading
from assistant.guardrails.scope import off_topic, writing_request
from assistant.guardrails.treatments import default_catalogue
from assistant.guardrails.triage import triage_message
from assistant.paths import registry_file
from assistant.service import Assistant
from assistant.types import Turn


@pytest.fixture(scope="module")
def registry() -> EvidenceRegistry:
    return EvidenceRegistry.load(registry_file())


@pytest.mark.parametrize(
    "question",
    [
        "can you help me write a complaint letter to my landlord about the damp in the flat",
        "¿me pasas una receta de paella para seis personas?",
        "tu peux m'aider à remplir ma déclaration d'impôts ?",
        "wer hat gestern das Spiel Bayern gegen Dortmund gewonnen",
        "heb je een tip voor een weekendje weg op de fiets met de kinderen?",
        "qual a melhor ração pra um gato idoso?",
        "mi traduci in inglese questa lettera per il mio datore di lavoro?",
    ],
)
def test_off_topic__requests_outside_health_in_seven_languages(
    question: str, registry: EvidenceRegistry
) -> None:
    assert off_topic(question, [], registry, default_catalogue())


@pytest.mark.parametrize(
    "question",
    [
        "who is the best surgeon in Lyon for this?",
        "Zahlt die Krankenkasse das?",
        "is the neck nerve op any good",
        "kan ik erna zelf naar huis rijden na de MIGONE?",
        "my wife can't lift her arm since this morning",
        "does magnesium do anything",
    ],
)
def test_off_topic__health_words_procedures_treatments_and_symptoms_keep_it_in_scope(
    question: str, registry: EvidenceRegistry
) -> None:
    assert not off_topic(question, [], registry, default_catalogue())


def test_off_topic__a_follow_up_in_a_health_conversation_stays_in_scope(
    registry: EvidenceRegistry,
) -> None:
    history = [Turn(role="user", content="Qué es la cirugía de migraña?")]
    assert off_topic("¿y cuánto cuesta?", [], registry, default_catalogue())
    assert not off_topic("¿y cuánto cuesta?", history, registry, default_catalogue())


@pytest.mark.parametrize(
    "question",
    [
        "Could you write a letter to my insurer asking them to pay for my nerve surgery?",
        "dame una receta de sopa para cuando tengo migraña",
        "écris-moi un petit mot pour ma sœur qui a des migraines",
        "Kannst du mir eine Krankmeldung für die Arbeit schreiben?",
        "kun je een mailtje aan mijn werkgever opstellen over mijn migraine?",
        "me ajuda a escrever uma mensagem para o meu chefe sobre a enxaqueca?",
        "scrivimi una poesia sul mal di testa",
        "mi scrivi una mail per disdire la visita dal chirurgo?",
        "kun jij even een brief voor de huisarts schrijven?",
        "me passa uma dieta pra emagrecer até o verão",
        # entertainment to pass the time, asked anywhere in the sentence
        "ok while I'm recovering from the op can you recommend some good films?",
        "bueno, mientras me recupero recomiéndame series para ver",
        "tijdens het herstel, heb je tips voor boeken of series?",
        # the request opens the clause after a comma
        "uma coisa, me faz um atestado pra eu levar no trabalho amanha",
        "I had the op on Monday, write me a sick note for my boss please",
    ],
)
def test_writing_request__a_text_to_write_in_seven_languages(question: str) -> None:
    assert writing_request(question)


@pytest.mark.parametrize(
    "question",
    [
        "My surgeon wrote me a letter for the insurer. Does the operation work?",
        "Should I keep a diary of my headaches before the operation?",
        "Ich muss meinem Chef einen Brief schreiben, darf ich nach der OP arbeiten?",
        "il medico mi ha dato una ricetta per il triptano, funziona?",
        "What does the clinic's message about the M.I.G.O.N.E. procedure mean?",
        "Would you recommend the operation to someone with chronic migraine?",
        "My GP gave me a letter, does the operation work?",
    ],
)
def test_writing_request__a_question_that_mentions_a_text_is_no_request(question: str) -> None:
    assert not writing_request(question)


def test_status_for__a_writing_request_is_declined_whatever_was_composed() -> None:
    reading = GuardReading(
        triage=None, personal_decision=False, efficacy=False, writing_request=True
    )
    assert reading.status_for("answered") == "declined"
    assert reading.status_for("no_evidence") == "declined"


def test_status_for__off_topic_only_turns_no_evidence_into_declined() -> None:
    reading = GuardReading(triage=None, personal_decision=False, efficacy=False, off_topic=True)
    assert reading.status_for("no_evidence") == "declined"
    assert reading.status_for("answered") == "answered"
    in_scope = GuardReading(triage=None, personal_decision=False, efficacy=False)
    assert in_scope.status_for("no_evidence") == "no_evidence"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("what's a good film to watch with my kids tonight?", "en"),
        ("kannst du mir sagen, wer gestern das Spiel gewonnen hat?", "de"),
    ],
)
def test_ask__off_topic_request_is_declined_in_its_language(
    built_assistant: Assistant, question: str, language: str
) -> None:
    answer = built_assistant.ask(question)
    assert answer.status == "declined"
    assert answer.answer == triage_message("out_of_scope", language)
    assert answer.citations == [] and answer.caveat is None


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Can you write a letter to my insurer so they pay for my migraine surgery?", "en"),
        ("Kannst du mir eine Krankmeldung für meinen Chef wegen Migräne schreiben?", "de"),
    ],
)
def test_ask__a_request_to_write_a_text_is_declined_with_nothing_quoted(
    built_assistant: Assistant, question: str, language: str
) -> None:
    answer = built_assistant.ask(question)
    assert answer.status == "declined"
    assert answer.answer == triage_message("writing_request", language)
    assert answer.citations == []


@pytest.mark.slow
def test_ask__a_health_question_the_sources_cannot_answer_is_not_declined(
    built_assistant: Assistant,
) -> None:
    answer = built_assistant.ask("Who is the best migraine surgeon in Manchester?")
    assert answer.status == "no_evidence"
