"""Red flags outside headache itself: thoughts of ending one's life, and a clot after an
operation (a swollen painful leg; breathlessness or chest pain). Each table holds new wordings in
the seven languages, with the near misses that must not raise the alarm beside them."""

from __future__ import annotations

import pytest

from assistant.guardrails.triage import triage
from assistant.types import Turn


def _reading(question: str, history: list[str] | None = None) -> tuple[str | None, tuple[str, ...]]:
    turns = [Turn(role="user", content=t) for t in history or []]
    result = triage(question, turns)
    return (result.level, result.concepts) if result else (None, ())


def assert_flags(question: str, level: str, concept: str) -> None:
    """The message raises ``level``, with ``concept`` among the concepts that fired."""
    got_level, concepts = _reading(question)
    assert got_level == level and concept in concepts, (question, got_level, concepts)


@pytest.mark.parametrize(
    "question",
    [
        "I can't take these migraines any more, last night I thought about killing myself",
        "llevo tanto tiempo con dolor que pienso en suicidarme",
        "je n'en peux plus de ces crises, je pense à en finir",
        "ich halte die Schmerzen nicht mehr aus und denke an Selbstmord",
        "ik zie het niet meer zitten, ik wil dood van die pijn",
        "já pensei em me matar por causa dessas crises",
        "il dolore è così forte che penso di togliermi la vita",
    ],
)
def test_thoughts_of_ending_life_are_an_emergency(question: str) -> None:
    level, concepts = _reading(question)
    assert level == "emergency" and "self_harm" in concepts, question


@pytest.mark.parametrize(
    "question",
    [
        "does migraine surgery lower the risk of suicide in chronic migraine?",
        "I'm not suicidal, I'm just fed up with the pain. Is the MIGONE op worth it?",
        "¿la migraña crónica aumenta el riesgo de suicidio?",
        "est-ce que les migraines augmentent le risque de suicide ?",
        "erhöht Migräne das Suizidrisiko?",
    ],
)
def test_a_general_question_or_a_denial_is_not_a_report(question: str) -> None:
    assert _reading(question)[0] is None, question


@pytest.mark.parametrize(
    ("question", "history"),
    [
        ("now I'm short of breath and my chest hurts", ["I had the fat transfer on Monday"]),
        ("tengo la pierna hinchada y me falta el aire", []),
        ("depuis l'intervention j'ai du mal à respirer", []),
        ("seit der Operation habe ich Atemnot", []),
        ("mijn kuit is dik en rood en ik ben kortademig", []),
        ("depois da cirurgia fiquei com falta de ar", []),
        ("dopo l'operazione non riesco a respirare bene, ho dolore al petto", []),
    ],
)
def test_breathlessness_after_an_operation_or_with_a_swollen_leg_is_an_emergency(
    question: str, history: list[str]
) -> None:
    level, concepts = _reading(question, history)
    assert level == "emergency" and "postop_clot" in concepts, question


@pytest.mark.parametrize(
    "question",
    [
        "a week after the operation my calf is swollen and sore",
        "desde la operación tengo la pantorrilla hinchada y caliente",
        "na de operatie is mijn been gezwollen en pijnlijk",
    ],
)
def test_a_swollen_painful_leg_after_an_operation_is_urgent(question: str) -> None:
    level, concepts = _reading(question)
    assert level == "urgent" and "leg_clot" in concepts, question


@pytest.mark.parametrize(
    "question",
    [
        "I get a bit short of breath during a bad migraine attack, is that common?",
        "my leg is sore after running, could the nerve surgery still go ahead next month?",
        "after the operation is there any chance of chest pain as a side effect?",
        "mi pierna no está hinchada y respiro bien, ¿cuándo puedo volver a correr?",
    ],
)
def test_breath_or_leg_words_without_their_setting_are_not_a_clot(question: str) -> None:
    assert "postop_clot" not in _reading(question)[1] and "leg_clot" not in _reading(question)[1]


@pytest.mark.parametrize(
    "question",
    [
        "beim Joggen auf einmal ein irrer Schmerz im Hinterkopf, so was hatte ich noch nie",
        "plötzlich wahnsinnige Kopfschmerzen, von einer Sekunde auf die andere",
        "all of a sudden an insane pain in my head while lifting weights",
        "ineens een waanzinnige pijn in mijn hoofd, binnen een paar seconden",
        "all'improvviso un dolore pazzesco alla testa, mai avuto così",
    ],
)
def test_colloquial_intensifiers_with_a_sudden_onset_are_a_thunderclap(question: str) -> None:
    level, concepts = _reading(question)
    assert level == "emergency" and "thunderclap" in concepts, question


def test_a_colloquial_intensifier_of_the_usual_migraine_is_not_a_thunderclap() -> None:
    question = (
        "my usual migraine came on suddenly again, insane pain as always, is surgery an option?"
    )
    assert "thunderclap" not in _reading(question)[1]
