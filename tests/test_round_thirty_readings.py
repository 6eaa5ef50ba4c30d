"""Readings that round 30 of the outside questions showed missing: red flags told in new words
(a dressing that keeps soaking with blood, a sudden explosion in the head from someone "used to
migraines", slowed thinking after a blow to the head, an eye that goes black for minutes after
temple and jaw pain at 70-plus, a single stitch red and smelling, a transplant patient's
worsening headache, a headache new after 50 with "before that, nothing"), messages that only
sound alarming (an idiom of price with a plane to take, a rare operation, a drug that leaves one
groggy), efficacy asked in new forms (how many it goes well for, in how many a drug works, the
migraines coming back), questions that tell an effect and ask something else (a nerve block
that worked, then the recovery or the length of the operation asked; a failure, then the options
left; a bruise and how long it lasts; an anaesthetic that worked badly; removing a device; fat
the body absorbs; where they cut; how many days of rest are needed), and what a question is
about (the nerves of the head freed and the consequences in 20 years, how they can be sure of
a diagnosis, an MRI with a stimulator, a healer's claim and the money spent).

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

import pytest

from assistant.guardrails.efficacy_rules import signals
from assistant.guardrails.triage import is_personal_decision
from assistant.types import Turn
from assistant.understanding import Understander
from tests.test_red_flag_concepts import _reading, assert_flags
from tests.test_round_twenty_six_readings import REGISTRY, RULES, _caveat_subjects


# ---- red flags told in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level", "concept"),
    [
        # a dressing that keeps soaking, pressed on for a long time
        (
            "el vendaje no para de empaparse de sangre aunque aprieto desde hace media hora",
            "emergency",
            "uncontrolled_bleeding",
        ),
        # a sudden explosion, from someone used to migraines in general
        (
            "hace una hora me vino de golpe un dolor de cabeza brutal, como un estallido, pero "
            "bueno, ya estoy acostumbrado a las migrañas",
            "emergency",
            "thunderclap",
        ),
        # a transplant patient with a headache that grows
        (
            "ik ben levertransplantatiepatient en heb sinds vier dagen steeds ergere hoofdpijn",
            "urgent",
            "immunocompromised_cancer",
        ),
    ],
)
def test_red_flags__new_words_are_read(question: str, level: str, concept: str) -> None:
    assert_flags(question, level, concept)


@pytest.mark.parametrize(
    ("history", "question", "level", "concept"),
    [
        # slowed thinking since a blow to the head
        (
            "el lunes me di un golpe en la cabeza con la puerta del coche",
            "desde entonces me noto lento y me cuesta concentrarme, ¿es normal?",
            "emergency",
            "head_injury",
        ),
        # temple and jaw pain at 78, then an eye that goes black for a while
        (
            "ik ben 78, mijn slaap is pijnlijk en kauwen doet pijn aan mijn kaak",
            "nu zie ik soms even zwart met mijn linkeroog",
            "emergency",
            "vision_loss",
        ),
        (
            "tenho 74 anos e tenho dor de cabeça na têmpora, dói para mastigar",
            "hoje de manhã a vista ficou turva uns minutos",
            "emergency",
            "temporal_arteritis_sight",
        ),
        # one stitch red and smelling after an operation
        (
            "twee weken geleden ben ik aan mijn achterhoofd geopereerd",
            "de hechting is rood en ruikt een beetje vies",
            "urgent",
            "postop_wound",
        ),
        # a headache new at 70: "before that, nothing"
        (
            "ho 70 anni, posso fare l'intervento?",
            "il mal di testa mi è venuto un mese fa, prima niente, ora ogni giorno",
            "urgent",
            "new_after_50",
        ),
    ],
)
def test_red_flags__read_with_the_earlier_message(
    history: str, question: str, level: str, concept: str
) -> None:
    got_level, concepts = _reading(question, [history])
    assert got_level == level and concept in concepts, (question, got_level, concepts)


@pytest.mark.parametrize(
    "question",
    [
        # an idiom of price, and a plane to take
        "costa un occhio della testa e devo prendere l'aereo per andarci, ne vale la pena?",
        # an operation that is rare, not a person acting strangely
        "¿hay muchos cirujanos que lo hagan o es algo muy raro?",
        # a drug that leaves one groggy
        "tomo amitriptilina, ela me deixa grogue mas ajuda um pouco com a dor de cabeça. a "
        "cirurgia serve pra mim?",
    ],
)
def test_red_flags__messages_that_only_sound_alarming_raise_nothing(question: str) -> None:
    assert _reading(question) == (None, ()), question


def test_red_flags__someone_who_is_spaced_out_still_counts() -> None:
    question = "a minha mãe está com dor de cabeça e ficou aérea, não fala coisa com coisa"
    assert _reading(question)[0] == "emergency", question


# ---- efficacy -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "¿y a cuántos les sale bien la operación?",
        "Laroxyl per la prevenzione: in quanti funziona e dopo quanto si vede?",
        "après l'opération, les crises reviennent au bout de combien de temps ?",
    ],
)
def test_efficacy__new_forms_are_read(question: str) -> None:
    assert RULES.detect(question, question), (question, signals(question))


@pytest.mark.parametrize(
    "question",
    [
        # an effect told, then the recovery or the operation's length asked
        "the trial stimulator worked a treat. how long is the recovery after the permanent one?",
        "Die Nervenblockade hat gut funktioniert. Wie lange dauert die OP?",
        # a failure told, then the options left
        "de zenuwoperatie heeft niet geholpen, de migraine is terug. wat zijn nu nog mijn opties?",
        "a cirurgia não deu certo. o que mais eu posso fazer?",
        # a complaint told, then how long "that" lasts
        "I had lipo for the fat transfer last week and my thighs are bruised. How long does that "
        "last?",
        # an anaesthetic that worked badly
        "De vorige keer werkte de verdoving bij de tandarts heel slecht. Is dat een probleem bij "
        "de operatie?",
        # removing a device, fat the body absorbs, where they cut, days of rest needed
        "et si ça ne me plaît pas, on peut l'enlever ?",
        "o corpo acaba por absorver a gordura?",
        "onde é que vão cortar na testa?",
        "il chirurgo dice che il successo dipende dalla convalescenza. quanti giorni di riposo "
        "servono?",
        # a sentence that only tells, beside one that asks about something else
        "Il mio stimolatore non funziona più da ieri, non sento più il formicolio. È la "
        "batteria o si è spostato il filo?",
    ],
)
def test_efficacy__an_effect_told_and_something_else_asked_is_not_efficacy(question: str) -> None:
    assert not RULES.detect(question, question), (question, signals(question))


@pytest.mark.parametrize(
    "question",
    [
        # a lasting result asked in so many words, after the same words about something else
        "ça finit par marcher ?",
        "est-ce que c'est définitif ?",
    ],
)
def test_efficacy__ending_up_working_and_for_good_stay_efficacy(question: str) -> None:
    assert RULES.detect(question, question), (question, signals(question))


def test_efficacy__a_final_diagnosis_is_no_lasting_effect() -> None:
    question = "c'est définitif le diagnostic ?"
    assert not RULES.detect(question, question), (question, signals(question))


# ---- personal decisions -----------------------------------------------------------------------
def test_decisions__how_many_tablets_of_two_drugs_is_a_dose_asked() -> None:
    question = (
        "quantos comprimidos de ibuprofeno de 400 e de paracetamol de 500 mg posso tomar por dia?"
    )
    assert is_personal_decision(question), question


# ---- what a question is about -------------------------------------------------------------------
def test_understanding__the_nerves_of_the_head_freed_and_the_consequences_years_later() -> None:
    question = (
        "wenn ich mir die nerven am kopf freilegen lasse, was hat das in 30 jahren für folgen?"
    )
    understanding = Understander(REGISTRY).understand(question)
    assert understanding.procedures == ("trigger-site-surgery",), understanding
    assert understanding.facets[:1] == ("risks",), understanding


def test_understanding__how_they_can_be_sure_asks_the_diagnosis() -> None:
    history = [
        Turn(role="user", content="il neurologo dice che ho la nevralgia occipitale"),
        Turn(role="assistant", content="..."),
    ]
    question = "e come fanno a essere sicuri che è proprio quella?"
    understanding = Understander(REGISTRY).understand(question, history)
    assert understanding.facets[:1] == ("diagnosis",), understanding


def test_understanding__an_mri_later_with_a_stimulator_asks_about_the_device() -> None:
    question = "als ik een stimulator krijg, kan ik dan later nog in een MRI?"
    understanding = Understander(REGISTRY).understand(question)
    assert understanding.facets == ("device_care",), understanding


def test_understanding__a_healers_claim_and_the_money_asks_about_the_healers_treatment() -> None:
    question = (
        "mijn buurvrouw kent een acupuncturist die zegt dat hij migraine kan genezen voor 50 "
        "euro per keer. zit daar wat in of gooi ik mijn geld weg?"
    )
    understanding = Understander(REGISTRY).understand(question)
    assert understanding.procedures == (), understanding
    assert [(t.id, t.background) for t in understanding.treatments] == [("acupuncture", False)]


# ---- what the caveat is about -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # the operation for what the patient has, named in the same message
        (
            "J'ai une névralgie d'Arnold depuis deux ans. L'opé me guérirait ?",
            ["occipital-nerve-decompression-migone"],
        ),
        (
            "Mein Arzt sagt, es ist eine Okzipitalisneuralgie. Bringt mir die OP etwas?",
            ["occipital-nerve-decompression-migone"],
        ),
        # the trigger points in Portuguese with "de"
        ("a cirurgia de pontos de gatilho funciona mesmo?", ["trigger-site-surgery"]),
        # treatments in new spellings and compounds
        ("agopontura contro l'emicrania: funziona?", ["acupuncture"]),
        ("helpt moederkruidthee echt tegen hoofdpijn?", ["feverfew"]),
        ("da quando fa la chetogenica sta meglio, funzionerebbe anche per me?", ["ketogenic-diet"]),
    ],
)
def test_caveat__names_the_treatment_asked_in_new_words(question: str, expected: list[str]) -> None:
    assert _caveat_subjects(question, [])[: len(expected)] == expected, question


def test_caveat__the_nerve_at_the_back_of_the_head_cut_or_freed_is_the_operation_there() -> None:
    question = "cortar de vez o nervo occipital acaba com a dor?"
    assert _caveat_subjects(question, [])[:1] == ["occipital-nerve-decompression-migone"]
    # the condition named alone is not an operation asked about
    assert _caveat_subjects("o neurologista diz que é nevralgia occipital.", []) == ["general"]


def test_caveat__wires_at_the_back_of_the_head_are_not_the_operation_there() -> None:
    question = "die Drähte mit Batterie am Hinterkopf, hilft diese OP wirklich?"
    assert "occipital-nerve-decompression-migone" not in _caveat_subjects(question, []), question


def test_caveat__a_word_of_the_question_is_no_treatment_named() -> None:
    history = [Turn(role="user", content="Welche Geräte gibt es eigentlich gegen Migräne?")]
    subjects = _caveat_subjects("Welches davon hilft am meisten?", history)
    assert not any("eigentlich" in s for s in subjects), subjects
