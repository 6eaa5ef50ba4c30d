"""Readings that round 29 of the outside questions showed missing: red flags told in new words
(an eye gone black for minutes, a piece of sight missing, a part of what one sees gone, a pain
"10 of 10" in a second, a violence never known, a bitten tongue with the eyes rolled up, a
child's headache on waking with vomiting, a cancer's morning headache that worsens, temple and
jaw pain after 50 with an eye gone dark), messages that only sound alarming (the signs to watch
for, then a bare list; a higher risk asked; double vision last year with normal scans; a cancer
cured; "ando muito confusa" about advice), efficacy asked in new forms (migraines that would go
away, a difference noticed, the best chance of two, the body getting used to a stimulator, a
"what about" follow-up, a permanent solution), questions that tell an effect and ask something
else (a side effect after "it works, but", a failure told then a refund or a wait asked, a
reliable surgeon, a claim's success rate, a device that will not switch on), personal decisions
(a dose raised oneself, more pills at once, "in your place"), new names of the treatments asked
about, and where the fat is taken from asked with a word between.

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

import pytest

from assistant.guardrails.efficacy_rules import signals
from assistant.guardrails.scope import writing_request
from assistant.guardrails.triage import is_personal_decision
from assistant.types import Turn
from assistant.understanding import Understander
from tests.test_red_flag_concepts import _reading, assert_flags
from tests.test_round_twenty_six_readings import REGISTRY, RULES, _caveat_subjects


# ---- red flags told in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level", "concept"),
    [
        # a violence never known, at once, still there
        (
            "en soulevant un carton j'ai eu d'un coup un mal de tête d'une violence inouïe, "
            "c'est toujours là",
            "emergency",
            "thunderclap",
        ),
        # ten out of ten within a second
        (
            "beim Joggen kam der Kopfschmerz innerhalb einer Sekunde auf 10 von 10",
            "emergency",
            "thunderclap",
        ),
        # an eye gone black for some minutes
        (
            "heute früh war es auf meinem rechten Auge zehn Minuten lang komplett schwarz",
            "emergency",
            "vision_loss",
        ),
        ("stamattina ho visto nero da un occhio per cinque minuti", "emergency", "vision_loss"),
        # a piece of sight missing, a side of what one sees gone
        (
            "a mi padre le falta un trozo de vista en el lado derecho desde hace dos horas",
            "emergency",
            "vision_loss",
        ),
        (
            "mijn vrouw mist sinds vanochtend de hele rechterkant van wat ze ziet",
            "emergency",
            "vision_loss",
        ),
        # temple and jaw pain after 50, then an eye gone dark this morning
        (
            "ik ben 72, al weken pijn bij mijn slaap en in mijn kaak bij het eten, en vanmorgen "
            "werd het even zwart voor mijn linkeroog",
            "emergency",
            "vision_loss",
        ),
        # a bitten tongue with the eyes rolled up
        (
            "mio figlio stanotte si è irrigidito con gli occhi all'insù e si è morso la lingua, "
            "ora ha mal di testa",
            "emergency",
            "confusion_faint_seizure",
        ),
        # a child's headache on waking, with vomiting
        (
            "mijn dochter van 8 heeft hoofdpijn als ze wakker wordt en moet dan overgeven",
            "urgent",
            "progressive_headache",
        ),
        # a cancer, and a morning headache that worsens
        (
            "mio zio ha un tumore con metastasi e ha mal di testa ogni mattina che peggiora",
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
        # the signs to watch for, then a bare list of them
        "quais sinais tenho que ficar de olho depois da operação? febre, vermelhidão?",
        "wanneer moet ik na de operatie de kliniek bellen? bij koorts, bij pus?",
        # a higher risk asked, with an illness told
        "Tengo lupus y tomo corticoides. ¿Tengo más riesgo de que se infecte la herida si me "
        "opero?",
        # double vision last year, scans normal
        "Mijn vriendin had vorige maand tijdens een aanval even dubbelzien. Op de SEH hebben ze "
        "scans gedaan en alles was goed. Helpt een stimulator?",
        # a cancer cured
        "Tive um linfoma há 10 anos, estou curada e tive alta da oncologia. Tenho dores de "
        "cabeça desde nova. Isso impede a cirurgia?",
        # confused by what one is told
        "Ando muito confusa com tantas opiniões. O que dizem os estudos sobre a cirurgia?",
    ],
)
def test_red_flags__messages_that_only_sound_alarming_raise_nothing(question: str) -> None:
    assert _reading(question) == (None, ()), question


def test_red_flags__a_list_with_a_symptom_told_now_still_counts() -> None:
    question = "operated 3 days ago, what should i watch for? i have a fever now?"
    assert _reading(question)[0] == "urgent", question


# ---- efficacy -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "avec cette opération mes crises partiraient aussi ?",
        "ga ik na een paar weken al verschil merken met die pillen?",
        "welke van de twee heeft bij mij de meeste kans?",
        "il corpo si abitua allo stimolatore dopo qualche anno?",
    ],
)
def test_efficacy__new_forms_are_read(question: str) -> None:
    assert RULES.detect(question, question), (question, signals(question))


def test_efficacy__a_what_about_follow_up_of_up_to_eleven_words_asks_the_same() -> None:
    history = [Turn(role="user", content="hoeveel mensen worden beter van die vetinjecties?")]
    follow = "en hoe zit het dan met de zenuwoperatie zelf?"
    assert RULES.detect(follow, follow, history)
    assert not RULES.detect(follow, follow, [Turn(role="user", content="hoe duur is dat?")])


@pytest.mark.parametrize(
    "question",
    [
        # it works, but a side effect is asked
        "the triptan works well but I get a tight chest afterwards, is that dangerous?",
        "el topiramato me funciona pero se me cae mucho el pelo, ¿es por eso?",
        "Aimovig wirkt bei mir gut, aber ich habe Verstopfung. Wie lange hält das an?",
        "o propranolol funciona bem mas ando com as mãos frias, isso é normal?",
        # a failure told, then a refund, a claim or a wait asked
        "de operatie heeft niks geholpen, de aanvallen zijn hetzelfde. kan ik de kliniek "
        "aansprakelijk stellen?",
        "la cirugía no me sirvió de nada, sigo igual. ¿puedo volver al bótox o tengo que esperar?",
        # the surgeon, a claim, a device that will not switch on
        "come faccio a sapere se il chirurgo che mi opera è affidabile?",
        "quel est le taux de réussite des recours auprès de la mutuelle ?",
        "Mein Stimulator funktioniert nicht mehr, er geht gar nicht an. Zahlt das die Garantie?",
    ],
)
def test_efficacy__an_effect_told_and_something_else_asked_is_not_efficacy(question: str) -> None:
    assert not RULES.detect(question, question), (question, signals(question))


@pytest.mark.parametrize(
    "question",
    [
        # the effect asked after the "but"
        "it worked for my sister but would it work for me?",
        # someone else says it works
        "the clinic says the surgery works but does it really?",
        # the effect told fading
        "botox worked great at first but it's losing its effect now, does that happen?",
        # a question comes first
        "est-ce que ça marche pour ma migraine ?",
    ],
)
def test_efficacy__it_works_but_stays_efficacy_when_the_effect_is_asked(question: str) -> None:
    assert RULES.detect(question, question), (question, signals(question))


# ---- personal decisions and texts to write ------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "this sumatriptan isn't touching it, can i take 2 more at once?",
        "me tomo dos de golpe cuando empieza la crisis?",
        "Mein Arzt hat 10 mg verschrieben. Kann ich selber auf 50 mg hochgehen?",
        "Sinceramente, se fosse consigo, fazia a operação?",
        "an Ihrer Stelle, würden Sie sich operieren lassen?",
    ],
)
def test_decisions__doses_and_what_you_would_do_in_my_place_are_personal(question: str) -> None:
    assert is_personal_decision(question), question


@pytest.mark.parametrize(
    "question",
    [
        "my doctor raised it to 50mg last month, is that normal?",
        "just say yes or no: does PFO closure cure migraine?",
    ],
)
def test_decisions__a_dose_told_or_a_yes_or_no_asked_is_no_decision(question: str) -> None:
    assert not is_personal_decision(question), question


def test_scope__a_medical_report_to_write_is_a_writing_request() -> None:
    assert writing_request("preciso que você escreva um laudo dizendo que preciso da cirurgia")


# ---- what the caveat is about -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how many people does having fat injected actually help?", ["fat-transfer"]),
        (
            "l'opération du nerf darnold, est-ce que ça marche ?",
            ["occipital-nerve-decompression-migone"],
        ),
        (
            "Okzipitalneuralgie: den Nerv freizulegen oder durchzutrennen, was wirkt besser?",
            ["occipital-nerve-decompression-migone"],
        ),
        (
            "o istimulador na nuca funciona mesmo?",
            ["nerve-and-spinal-cord-stimulation"],
        ),
    ],
)
def test_caveat__names_the_treatment_asked_in_new_words(question: str, expected: list[str]) -> None:
    assert _caveat_subjects(question, [])[: len(expected)] == expected, question


# ---- what a question asks -----------------------------------------------------------------------
def test_facets__where_they_even_take_the_fat_from_asks_how_it_is_done() -> None:
    question = "i'm very thin, where would they even harvest enough fat on me for the fat transfer?"
    understanding = Understander(REGISTRY).understand(question)
    assert understanding.procedures == ("fat-transfer",), question
    assert understanding.facets[:1] == ("how_done",), question


def test_efficacy__a_permanent_solution_asked_after_it_works_but_stays_efficacy() -> None:
    question = "Botox hilft mir gut, aber nur drei Monate. Ist das eine Dauerlösung?"
    assert RULES.detect(question, question), (question, signals(question))
