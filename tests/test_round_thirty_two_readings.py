"""Readings that round 32 of the outside questions showed missing: red flags told in new words
(a fever after an operation told as shivering with cold or as a bare "39", someone who no
longer answers properly or did not recognise a relative, dark-red patches with a fever, half or
part of the field of vision gone, a wound bleeding without stopping, a sore temple told as
"fonte", tingling in an arm and a leg on one side, "not at all my usual aura", "never this bad",
"maybe I slept on it" as a guess); what is not one ("I don't see double"); efficacy asked in new
forms (does it kick in, will I see a difference, overrated, which one controls more, is it worth
going on) and questions that only sound like it (working out cheaper, a building job, "and now
what do I do"); and what a question is about (the heart "umbrella" of a PFO closure, the chances
of never having migraine again, "is it worth the thousands of euros", a stabbing pain that is no
cost).

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

import pytest

from assistant.guardrails.efficacy_rules import signals
from assistant.service import Assistant
from assistant.types import Turn
from assistant.understanding import Understander
from tests.test_red_flag_concepts import _reading, assert_flags
from tests.test_round_twenty_six_readings import REGISTRY, RULES


# ---- red flags told in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level", "concept"),
    [
        # shivering with cold two days after an operation
        (
            "mia sorella è stata operata mercoledì alla nuca e adesso trema dal freddo",
            "urgent",
            "postop_fever",
        ),
        # a bare temperature after an operation
        (
            "mio padre è stato operato tre giorni fa e stasera ha 39, cosa facciamo?",
            "urgent",
            "postop_fever",
        ),
        # an operation told in the Spanish past tense, with a fever
        (
            "a mi tía le operaron de la nuca el lunes y hoy tiene fiebre",
            "urgent",
            "postop_fever",
        ),
        # no longer answering properly, with a headache
        (
            "mi abuelo se queja de la cabeza y no me contesta bien desde la comida",
            "emergency",
            "confusion_faint_seizure",
        ),
        # confused since a day, and did not recognise a grandchild
        (
            "opa is sinds vanmorgen in de war en herkende zijn kleinzoon niet, hij heeft ook "
            "hoofdpijn",
            "emergency",
            "confusion_faint_seizure",
        ),
        # dark-red patches spreading, with a fever
        (
            "38,9 de fièvre et des plaques violacées sur les jambes depuis ce soir",
            "emergency",
            "fever_meningism",
        ),
        # half the field of vision gone, in four languages
        (
            "desde hace media hora he dejado de ver la mitad izquierda de todo",
            "emergency",
            "vision_loss",
        ),
        (
            "stamattina ho perso la parte destra della vista e non è ancora tornata",
            "emergency",
            "vision_loss",
        ),
        (
            "depuis midi une partie de ma vision a disparu, en bas à gauche",
            "emergency",
            "vision_loss",
        ),
        (
            "sinds vanochtend zie ik de linkerhelft van alles niet meer",
            "emergency",
            "vision_loss",
        ),
        # a wound bleeding without stopping through the dressing
        (
            "operaram-me ontem à nuca e a cicatriz está sangrando sem parar, estou apertando com "
            "uma toalha há meia hora",
            "emergency",
            "uncontrolled_bleeding",
        ),
        # a sore temple ("fonte") and jaw on eating, a blurred eye, past seventy
        (
            "a minha avó tem 79 anos, dor na fonte há semanas e hoje a vista turva de um olho",
            "emergency",
            "temporal_arteritis_sight",
        ),
        # tingling in an arm and a leg on one side, not the usual aura
        (
            "des fourmis dans le bras droit et la jambe droite depuis une heure, c'est pas du "
            "tout mon aura habituelle",
            "emergency",
            "neuro_deficit",
        ),
        # never this bad
        (
            "beim Heben hat es im Kopf gekracht, so schlimm war es noch nie",
            "emergency",
            "thunderclap",
        ),
        # the same with the apostrophes written: "war's", "j'arrive", "d'habitude"
        (
            "beim Tragen hat es im Kopf geknallt, so schlimm war's noch nie",
            "emergency",
            "thunderclap",
        ),
        (
            "depuis midi j'arrive plus à tenir mon verre de la main gauche et des fourmis dans "
            "le bras gauche et la jambe gauche, c'est pas mon aura d'habitude",
            "emergency",
            "neuro_deficit",
        ),
        # a weak arm that drops a cup, "maybe I slept on it" is a guess and cancels nothing
        (
            "il braccio destro è debole da stamattina, mi è caduto il bicchiere di mano; forse ci "
            "ho dormito sopra male?",
            "emergency",
            "neuro_deficit",
        ),
    ],
)
def test_red_flags__new_words_are_read(question: str, level: str, concept: str) -> None:
    assert_flags(question, level, concept)


@pytest.mark.parametrize(
    "question",
    [
        # double vision denied
        "hoofdpijn zoals altijd, geen koorts en ik zie niet dubbel; helpt een operatie?",
        # an age, not a temperature
        "ho 39 anni e l'emicrania da quando ne avevo 15, l'intervento fa per me?",
        # an operation booked for a date: the present tense, not a past operation
        "la semana pasada tuve fiebre, ya estoy bien; me opero el día 20, ¿hay que aplazarlo?",
        # shivering at a thought
        "I keep shaking with nerves before the operation, is that normal?",
    ],
)
def test_red_flags__messages_that_only_sound_alarming_raise_nothing(question: str) -> None:
    assert _reading(question) == (None, ()), question


# ---- efficacy asked in new forms ----------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "a month on propranolol and nothing yet, will it ever kick in?",
        "avec l'acupuncture, on voit une différence au bout de combien de séances ?",
        "la stimulation du nerf, c'est pas un peu surcoté ?",
        "Seit 4 Wochen Candesartan. Ab wann merkt man, ob das wirkt?",
        "damit sich an meiner Migräne was ändert, reichen da drei Sitzungen?",
        "fysio of acupunctuur, waar heb je het meeste aan?",
        "se eu fechar o forame oval, a enxaqueca passa?",
        "amitriptilina ou propranolol, qual controla mais as crises?",
        "dopo quanto tempo tornano gli attacchi, dopo l'intervento?",
        "per quanto tempo ti lascia in pace la stimolazione?",
        "sono al terzo ciclo di agopuntura e niente. conviene insistere?",
    ],
)
def test_efficacy__new_forms_are_read(question: str) -> None:
    assert RULES.detect(question, question), (question, signals(question))


@pytest.mark.parametrize(
    "question",
    [
        # "work out" as a price
        "would it work out cheaper to have the stimulator fitted in Spain?",
        # a job, and time off work
        "ik werk in een magazijn. hoe lang mag ik na de operatie niet werken?",
        # a failure told, then what to do now
        "o botox não adiantou nada. e agora, o que eu faço?",
        # pain at the scar going away: recovery, not the migraine
        "a dor da cicatriz passa?",
        # a failure told, then who to go back to
        "the nerve surgery didn't work. who do I go back to, my GP or the surgeon?",
    ],
)
def test_efficacy__questions_that_only_sound_like_efficacy_are_not(question: str) -> None:
    assert not RULES.detect(question, question), (question, signals(question))


# ---- what a question is about -------------------------------------------------------------------
@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander(REGISTRY)


@pytest.mark.parametrize(
    "question",
    [
        "they want to put an occluder in my heart for my migraine, is that a thing?",
        "Mein Kardiologe will mir ein Schirmchen ins Herz setzen, was ist das?",
        "el cardiólogo dice que me pondría un paraguas en el corazón, qué es eso?",
        "il cardiologo parla di un ombrellino nel cuore, di cosa si tratta?",
    ],
)
def test_understanding__the_heart_umbrella_is_the_pfo_closure(
    understander: Understander, question: str
) -> None:
    assert "pfo-closure" in understander.understand(question).procedures, question


def test_understanding__the_chances_of_never_having_migraine_again_ask_the_efficacy(
    understander: Understander,
) -> None:
    question = "si je me fais opérer, j'ai combien de chances de ne plus jamais avoir de crises ?"
    assert "efficacy" in understander.understand(question).facets


def test_understanding__worth_the_money_asks_the_efficacy_beside_the_cost(
    understander: Understander,
) -> None:
    question = "ik moet de vetinjecties zelf betalen, is het die duizenden euro's wel waard?"
    assert {"efficacy", "cost"} <= set(understander.understand(question).facets)


def test_understanding__a_stabbing_pain_is_no_cost(understander: Understander) -> None:
    turns = [
        Turn(role="user", content="c'est quoi la névralgie d'Arnold ?"),
        Turn(role="assistant", content="..."),
    ]
    question = "et la douleur en coup de couteau derrière la tête, c'est ça ?"
    assert "cost" not in understander.understand(question, turns).facets


def test_answer__worth_the_money_is_answered_with_the_evidence(
    built_assistant: Assistant,
) -> None:
    answer = built_assistant.ask(
        "ik moet de vetinjecties zelf betalen, is het die duizenden euro's wel waard?"
    )
    assert answer.status == "answered", answer.answer
    # the efficacy caveat is there: the price is not what was left unanswered
    assert answer.caveat, answer
