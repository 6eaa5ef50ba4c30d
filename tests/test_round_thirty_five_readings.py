"""Readings that round 35 of the outside questions showed missing: red flags told in new words
(half of everything seen gone, a blackout that differs from the usual aura, words that will not
come, sight that "quasi" is gone, a donor site red and ever more painful, a headache "stronger
than usual" in someone with migraine for years); what is not one (a numb scalp after a nerve
operation, a usual fog during every attack, a face that drooped years ago and came back, symptoms
denied with "niks", a confused reader told a diagnosis, a request to write a report); efficacy
asked as a choice between two treatments; and what a follow-up or a question is about ("that
second one", fat "from the person's own body", wires that move, where occipital neuralgia hurts).

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

import pytest

from assistant.guardrails.encoder import default_encoder
from assistant.guardrails.layer import LEARNED, GuardrailLayer
from assistant.types import Turn
from assistant.understanding import Understander
from tests.test_learned_guardrails import _pointing
from tests.test_red_flag_concepts import _reading, assert_flags
from tests.test_round_thirty_three_readings import _keys
from tests.test_round_twenty_six_readings import REGISTRY, RULES


# ---- red flags told in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level", "concept"),
    [
        # half of what one sees gone, told with "só metade" and a side of everything vanished
        (
            "desde esta manhã só vejo metade do ecrã, o lado direito de tudo desapareceu",
            "emergency",
            "vision_loss",
        ),
        (
            "the right side of everything has vanished since lunch, I have 70 years",
            "emergency",
            "vision_loss",
        ),
        # a blackout in one eye that the patient says differs from the usual aura
        (
            "a minha aura de sempre são luzes, mas agora o olho esquerdo ficou escuro como uma "
            "cortina, isto é diferente",
            "emergency",
            "vision_loss",
        ),
        # words that will not come, told in Italian with "nn"
        (
            "da stamattina nn riesco a trovare le parole e mio marito dice che parlo strano",
            "emergency",
            "neuro_deficit",
        ),
        ("voglio dire una cosa e ne esce un'altra, da mezz'ora", "emergency", "neuro_deficit"),
        # sight almost gone from one eye
        ("da ieri mia madre da un occhio non ci vede quasi più", "emergency", "vision_loss"),
        # the donor site red and ever more painful days after fat transfer
        (
            "una settimana dopo il lipofilling la coscia dove hanno aspirato il grasso è rossa e "
            "sempre più dolorante",
            "urgent",
            "postop_wound",
        ),
        # a sudden headache "stronger than usual" in someone with migraine for years
        (
            "ho l'emicrania da vent'anni ma stamattina all'improvviso un dolore alla testa molto "
            "più forte del solito",
            "emergency",
            "thunderclap",
        ),
        # bleeding through the dressing while pressing, in German and Spanish
        (
            "seit heute Mittag blutet die Naht immer wieder durch, ich drücke seit einer "
            "Viertelstunde und es hört nicht auf",
            "emergency",
            "uncontrolled_bleeding",
        ),
        (
            "la herida no para de sangrar, he empapado tres gasas y sigue",
            "emergency",
            "uncontrolled_bleeding",
        ),
        # confused with a high fever days after the operation
        (
            "cinco días después de la operación tengo fiebre alta, hoy estoy muy confusa y "
            "me mareo",
            "emergency",
            "confusion_faint_seizure",
        ),
        # a knock on the forehead told with "me di un golpe ... en la frente"
        (
            "el sábado me di un golpe fuerte con la puerta del armario en la frente y desde "
            "entonces el dolor va a más, esto es distinto a mis migrañas",
            "emergency",
            "head_injury",
        ),
        # the head hit on the kerb, then vomiting
        (
            "gisteravond met de fiets onderuit, met mijn hoofd op de stoeprand, en nu heb ik al "
            "twee keer overgegeven",
            "emergency",
            "head_injury",
        ),
    ],
)
def test_red_flags__new_words_are_read(question: str, level: str, concept: str) -> None:
    assert_flags(question, level, concept)


@pytest.mark.parametrize(
    "question",
    [
        # a numb scalp on one side after a nerve operation
        "twee weken na de operatie is mijn hoofdhuid aan de linkerkant nog doof, is dat normaal?",
        "since the decompression one side of my scalp is numb, how long does that last?",
        # the same fog in every attack for years, gone with the pain
        "durante as crises fico sempre meio confusa, sempre foi assim desde os 20, passa com a dor",
        # a face that drooped years ago and came back to normal
        "anni fa ho avuto la faccia storta per un mese, poi tornata normale. posso operarmi?",
        # symptoms denied with "niks"
        "ik ben zwanger en heb mijn gewone migraine, niks opgezwollen, wat mag ik nemen?",
        # a reader confused by what the doctor said
        "estou confusa, o medico disse que é neuralgia e não enxaqueca, qual a diferença?",
    ],
)
def test_red_flags__messages_that_only_sound_alarming_raise_nothing(question: str) -> None:
    assert _reading(question) == (None, ()), question


def test_red_flags__a_numb_scalp_keeps_a_weak_arm_named_beside_it() -> None:
    assert_flags(
        "my scalp is numb since the operation and now my right arm is weak",
        "emergency",
        "neuro_deficit",
    )


def test_red_flags__a_request_for_a_report_is_not_read_by_the_classifier() -> None:
    """A request to write a text reports nothing happening: the learned layer, which would
    flag it, is not asked; a symptom report in the same words is still flagged."""
    request = "escreve um laudo médico a dizer que preciso urgente da cirurgia à cabeça"
    report = "preciso urgente de um médico, a cabeça dói muito desde a cirurgia"
    layer = GuardrailLayer(
        REGISTRY,
        red_flags=_pointing(request, "what is the recovery time after fat transfer?", level=2),
    )
    assert layer.red_flags is not None
    assert layer.red_flags.flags(default_encoder().encode([request])[0])
    assert layer.read(request, request).triage is None
    # Without the request the classifier is asked as before.
    layer = GuardrailLayer(
        REGISTRY,
        red_flags=_pointing(report, "what is the recovery time after fat transfer?", level=2),
    )
    reading = layer.read(report, report)
    assert reading.triage is not None and reading.triage.concepts == (LEARNED,)


# ---- efficacy asked as a choice between two treatments -----------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "É melhor fazer a operação dos pontos-gatilho de uma vez ou continuar com o botox?",
        "Meglio farsi operare ai punti trigger oppure restare con le iniezioni di Botox?",
    ],
)
def test_efficacy__a_choice_between_two_treatments_is_read(question: str) -> None:
    assert RULES.detect(question, question), question


# ---- what a question is about -------------------------------------------------------------------
@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander(REGISTRY)


def test_understanding__that_second_one_is_the_second_procedure_named(
    understander: Understander,
) -> None:
    history = [
        Turn(
            role="user",
            content="qual a diferença entre a descompressão dos nervos e o enxerto com a "
            "gordura do próprio corpo?",
        )
    ]
    reading = understander.understand("e esse segundo, quanto tempo demora?", history)
    assert reading.procedures == ("fat-transfer",), reading


def test_understanding__wires_that_move_are_a_risk_not_how_long_it_lasts(
    understander: Understander,
) -> None:
    reading = understander.understand(
        "on m'a dit que les fils du stimulateur bougent et qu'il faut se refaire opérer, "
        "c'est fréquent ?"
    )
    assert reading.facets == ("risks",), reading


def test_understanding__where_a_condition_hurts_is_what_it_is(understander: Understander) -> None:
    for question in (
        "was ist eine okzipitale Neuralgie und wo tut das weh?",
        "where does occipital neuralgia hurt?",
    ):
        assert understander.understand(question).facets == ("what_it_is",), question
    # pain after an operation for it is still pain afterwards
    reading = understander.understand("will the decompression for occipital neuralgia hurt after?")
    assert reading.facets == ("pain_after",), reading


# ---- what is no efficacy question ---------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        # a dose asked after the medicine stopped working
        "the propranolol helped at first and now it doesn't, can I up the dose?",
        "Wie viel Riboflavin am Tag soll man nehmen, morgens oder abends?",
        # how it would work
        "Je ne vois pas le lien entre le cœur et la tête. Ça marcherait comment, cette fermeture ?",
        # who to see after an operation that did not help
        "de operatie heeft helemaal niks geholpen, moet ik terug naar de neuroloog?",
        # an appointment that worked out
        "deu certo agendar a consulta com o neurocirurgião! preciso levar a ressonância?",
    ],
)
def test_efficacy__questions_that_only_share_its_words_are_not_read(question: str) -> None:
    assert not RULES.detect(question, question), question


# ---- what an efficacy question is about ---------------------------------------------------------
def test_caveat__what_a_practitioner_offers_is_the_conversations_treatment() -> None:
    history = [Turn(role="user", content="¿Qué es la mesoterapia para la migraña?")]
    keys = _keys("mi fisio me la quiere poner en el cuello. ¿sirve de algo?", history)
    assert "mesotherapy" in keys and "physiotherapy" not in keys, keys
    # physiotherapy named as the treatment itself is still what is asked
    history = [Turn(role="user", content="hilft Osteopathie bei Migräne?")]
    assert "physiotherapy" in _keys("und Physio am Nacken, bringt das mehr?", history)


def test_caveat__chiropractic_in_portuguese() -> None:
    question = "o quiroprático garante que umas sessões acabam com a enxaqueca. funciona?"
    assert "chiropractic" in _keys(question), _keys(question)


def test_understanding__how_long_the_effect_lasts_in_spanish_and_the_nerve_operation_in_french(
    understander: Understander,
) -> None:
    reading = understander.understand(
        "si me pongo la grasa y funciona, ¿cuánto me dura el efecto o vuelve todo igual?"
    )
    assert "lasting" in reading.facets, reading
    reading = understander.understand("l'opé des nerfs, ça tient combien de temps ?")
    assert reading.procedures == ("trigger-site-surgery",), reading


def test_understanding__a_private_hospital_is_a_place_not_a_stay(
    understander: Understander,
) -> None:
    reading = understander.understand("quanto custa a MIGONE num hospital privado em Lisboa?")
    assert reading.facets == ("price",), reading
    reading = understander.understand("tenho de ficar no hospital depois da MIGONE?")
    assert reading.facets == ("hospital_stay",), reading
