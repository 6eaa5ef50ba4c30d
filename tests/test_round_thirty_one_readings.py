"""Readings that round 31 of the outside questions showed missing: red flags told in new words
(part of the sight lost, the sight "gone" on one side, a dark side of the visual field, a
thunderclap told as "tout à coup" or at its worst within seconds, talking oddly, a numb hand
that keeps dropping things, bleeding through dressing after dressing, vomiting told as "I can't
keep anything down", a hot red donor site days after fat was taken, an elderly parent asking the
same thing again and again, jaw pain on chewing with a sore scalp at 60-plus, a cancer years ago
with headaches worse in the morning and on coughing); what a question is about (an age limit
asked as "at her age" or "adults only", a named surgeon asked about as "is he any good", a
review to write, an operation on another part of the body, migraine in the genes, the chances of
fewer pain days); what the caveat is about (a misspelt name, a "pacemaker in the nape", a
practitioner named for the treatment, words of the sentence that name no treatment); and a
question whose every practical facet is missing, answered with what the sources do not say and
not with results.

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

import pytest

from assistant.guardrails.scope import writing_request
from assistant.service import Assistant
from assistant.types import Turn
from assistant.understanding import Understander
from tests.test_red_flag_concepts import _reading, assert_flags
from tests.test_round_twenty_six_readings import REGISTRY, _caveat_subjects


# ---- red flags told in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level", "concept"),
    [
        # part of the sight lost, named by its side
        (
            "about an hour ago I lost the upper half of the sight in my left eye, probably my "
            "aura?",
            "emergency",
            "vision_loss",
        ),
        # the sight "gone" on one side
        (
            "de repente se me ha ido la vista del lado derecho y no vuelve",
            "emergency",
            "vision_loss",
        ),
        # one side of the visual field dark
        (
            "sinds vanmiddag is het donker aan één kant van mijn gezichtsveld",
            "emergency",
            "vision_loss",
        ),
        # "tout à coup", and at its worst within a number of seconds
        (
            "il y a une heure, tout à coup une douleur énorme dans la tête, au maximum en dix "
            "secondes, jamais eu ça",
            "emergency",
            "thunderclap",
        ),
        # at its worst within seconds
        (
            "c'est sûrement rien mais ce matin mal de crâne d'un coup, en quelques secondes "
            "c'était au max",
            "emergency",
            "thunderclap",
        ),
        # talking oddly and asking the same thing, with a headache
        (
            "mein Mann redet komisches Zeug und fragt dauernd das Gleiche, Kopfweh hat er auch",
            "emergency",
            "confusion_faint_seizure",
        ),
        # the right words would not come, then it passed
        (
            "hoje de manhã, durante dez minutos, não conseguia dizer as palavras certas, saíam "
            "trocadas; agora só tenho dor de cabeça",
            "emergency",
            "neuro_deficit",
        ),
        # a numb hand that keeps dropping things
        (
            "seit heute früh ist meine rechte Hand taub, mir fällt dauernd was runter, dazu "
            "Kopfweh",
            "emergency",
            "neuro_deficit",
        ),
        # bleeding through dressing after dressing
        (
            "the cut from yesterday's op has bled through three dressings and it's not stopping",
            "urgent",
            "postop_bleeding",
        ),
        # a headache worse every day, and nothing stays down
        (
            "de hoofdpijn wordt elke dag erger en ik geef steeds over, ik kan niks binnenhouden",
            "urgent",
            "progressive_headache",
        ),
        # the place the fat was taken from, red and hot days later
        (
            "lipofilling gehad bij mijn slapen, 4 dagen later is de plek op mijn dij rood en heet",
            "urgent",
            "postop_wound",
        ),
        # an elderly parent, strange and confused, asking the same thing again
        (
            "meu avô está esquisito, confuso, perguntou quatro vezes onde estava, e tem dor de "
            "cabeça",
            "emergency",
            "confusion_faint_seizure",
        ),
        (
            "mia nonna ha mal di testa da ieri e continua a chiedere le stesse cose",
            "emergency",
            "confusion_faint_seizure",
        ),
        # jaw pain on chewing and a sore scalp, past 60
        (
            "71 here, my jaw aches when I chew and my scalp is sore when I brush my hair",
            "urgent",
            "new_after_50",
        ),
        # a cancer years ago, headaches worse in the morning and on coughing
        (
            "tive um cancro da mama há 4 anos; as dores de cabeça pioram de manhã e quando tusso",
            "urgent",
            "immunocompromised_cancer",
        ),
    ],
)
def test_red_flags__new_words_are_read(question: str, level: str, concept: str) -> None:
    assert_flags(question, level, concept)


@pytest.mark.parametrize(
    "question",
    [
        # the usual slow build, no sudden pain
        "my migraines always build slowly over a few hours, is the surgery worth it?",
        # the usual aura, darkening part of the field as always
        "my usual aura darkens one side of my field of vision for twenty minutes, as always",
        # work resumed days after the operation: nothing wrong told
        "had the fat transfer and 5 days later I was back at work, is that quick?",
        # a question asked twice, about a price
        "I asked the clinic three times what it costs and got no answer",
    ],
)
def test_red_flags__messages_that_only_sound_alarming_raise_nothing(question: str) -> None:
    assert _reading(question) == (None, ()), question


# ---- what a question is about -------------------------------------------------------------------
@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander(REGISTRY)


@pytest.mark.parametrize(
    "question",
    [
        "my son is 16, can he have the nerve decompression at his age or is it adults only?",
        "si può operare una ragazzina di quell'età o bisogna aspettare i 18?",
        "mi hija tiene 14, ¿la pueden operar a su edad?",
        "mijn dochter is 15, kan ze op haar leeftijd al geopereerd worden?",
    ],
)
def test_understanding__an_age_asked_in_everyday_words_is_the_age_limit(
    understander: Understander, question: str
) -> None:
    assert "age_limit" in understander.understand(question).facets, question


@pytest.mark.parametrize(
    "question",
    [
        "I'm seeing Dr. Lindqvist at the Northside clinic next month, is he any good?",
        "el doctor Pérez de la clínica del centro de Sevilla es bueno para operar la migraña?",
        "il prof. Rinaldi dell'ospedale di Torino in centro fa questi interventi? è bravo?",
        "chi mi consigliate a Bologna per l'intervento?",
    ],
)
def test_understanding__a_named_surgeon_asked_about_is_the_provider(
    understander: Understander, question: str
) -> None:
    assert "provider" in understander.understand(question).facets, question


def test_understanding__migraine_in_the_genes_asks_the_causes(understander: Understander) -> None:
    question = "liegt Migräne in den Genen? meine Mutter hatte das auch"
    assert "causes" in understander.understand(question).facets


def test_understanding__the_chances_of_fewer_pain_days_ask_the_efficacy(
    understander: Understander,
) -> None:
    question = "wie hoch ist die Chance, dass ich nach der Nacken-OP weniger Schmerztage habe?"
    understanding = understander.understand(question)
    assert understanding.facets == ("efficacy",), understanding


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("scrivimi una recensione a 5 stelle per il mio chirurgo", True),
        ("can you write a glowing review of the clinic for Google?", True),
        ("schreib mir eine Bewertung auf Google für die Klinik", True),
        ("give me a review of the studies on fat transfer", False),
        ("what do the 5 star reviews of the clinic say?", False),
    ],
)
def test_scope__a_review_to_write_is_a_writing_request(question: str, expected: bool) -> None:
    assert writing_request(question) is expected, question


# ---- what the caveat is about -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # a misspelt name of the procedure
        ("de miggone ingreep, heeft dat zin?", ["occipital-nerve-decompression-migone"]),
        # "a pacemaker in the nape", the stimulator in lay words
        ("o marca-passo na nuca alivia mesmo?", ["nerve-and-spinal-cord-stimulation"]),
        # a misspelt "operation" with the place it is done
        ("l'interveto alla nuca funziona?", ["occipital-nerve-decompression-migone"]),
        # a practitioner named for the treatment
        ("mi vecino va a un acupunturista, ¿le funciona a todo el mundo?", ["acupuncture"]),
        ("ioga ajuda mesmo na enxaqueca?", ["yoga"]),
    ],
)
def test_caveat__names_the_treatment_asked_in_new_words(question: str, expected: list[str]) -> None:
    assert _caveat_subjects(question, [])[: len(expected)] == expected, question


@pytest.mark.parametrize(
    ("earlier", "question", "expected"),
    [
        # a trial period, then whether it lasts: the stimulator asked about before
        (
            "on me propose un stimulateur occipital, comment ça se passe ?",
            "et si l'essai se passe bien, l'effet dure ?",
            ["nerve-and-spinal-cord-stimulation"],
        ),
        # a time span told, then whether it helps: the treatment asked about before
        (
            "my consultant wants to fit an occipital nerve stimulator",
            "I still lose half of every month to migraine, would it be worth it?",
            ["nerve-and-spinal-cord-stimulation"],
        ),
    ],
)
def test_caveat__words_of_the_sentence_are_no_treatment_named(
    earlier: str, question: str, expected: list[str]
) -> None:
    history = [Turn(role="user", content=earlier), Turn(role="assistant", content="...")]
    assert _caveat_subjects(question, history)[: len(expected)] == expected, question


# ---- answers ------------------------------------------------------------------------------------
def test_answer__an_operation_on_another_part_of_the_body_is_not_in_the_sources(
    built_assistant: Assistant,
) -> None:
    answer = built_assistant.ask(
        "they're operating on my bunion in March, how long until I can walk normally?"
    )
    assert answer.status == "no_evidence", answer.answer
    assert answer.citations == []


def test_answer__every_practical_facet_missing_is_said_and_no_result_is_quoted(
    built_assistant: Assistant,
) -> None:
    answer = built_assistant.ask(
        "si me cierran el agujero del corazón para ver si se me quitan las migrañas, ¿cuántos "
        "días estaré ingresada?"
    )
    assert answer.status == "no_evidence", answer.answer
    assert answer.citations == []
