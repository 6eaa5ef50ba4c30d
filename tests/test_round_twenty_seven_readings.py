"""Readings that round 27 of the outside questions showed missing: red flags told in new words
(shaking all over after a fall, words that cannot be found, the same questions asked again and
again, a red painful eye with rings round the lights, a stiff neck told after "nothing helps",
a sudden headache in someone who has "always had" migraines, attacks that "usually build slowly",
a headache worse after days in a row, a knock to the head on a kerb, bleeding in spurts, a slight
fever with HIV), messages that only sound alarming (a migraine that builds over an hour asked
about by a name, "the worst thing in my life", a faint when blood is taken, a fit in childhood,
a bump checked and gone, a head laid on the pillow, words lost on topiramate, a monthly
injection), efficacy asked in new forms (headaches creeping back, how long the effect lasts, a
pill that does not touch a migraine, whether the effect can still come, which of two helps most)
and practical questions in effect words (a failure and what now, a dose, glasses, insurance, what
is removed), and what a question asks (a society the sources do not quote, a nerve zapper, a
little hole in the heart, the occipital nerve in German).

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

import pytest

from assistant.guardrails.efficacy_rules import signals
from assistant.messages import messages
from assistant.service import Assistant
from assistant.types import Turn
from assistant.understanding import Understander
from tests.test_red_flag_concepts import _reading, assert_flags
from tests.test_round_twenty_six_readings import REGISTRY, RULES, _caveat_subjects


# ---- red flags told in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level", "concept"),
    [
        # shaking all over after a fall
        (
            "j'ai tremblé de partout pendant une minute, les collègues m'ont vu tomber",
            "emergency",
            "confusion_faint_seizure",
        ),
        # words that cannot be found, with the verb first
        (
            "sinds vanochtend kan ik de woorden niet vinden als ik praat",
            "emergency",
            "neuro_deficit",
        ),
        ("de repente no encuentro las palabras y digo cosas raras", "emergency", "neuro_deficit"),
        # the same questions asked again and again, the day forgotten
        (
            "minha mãe está repetindo as mesmas perguntas e não lembra o que fez de manhã",
            "emergency",
            "confusion_faint_seizure",
        ),
        # HIV in Portuguese spelling, a headache worse every day
        (
            "sou soropositiva e há uma semana tenho uma dor de cabeça que piora todo dia",
            "urgent",
            "immunocompromised_cancer",
        ),
        # a red, painful eye with blurred sight or rings round the lights
        (
            "my left eye went red and hurts like hell, and I see halos around the lamps",
            "emergency",
            "vision_loss",
        ),
        (
            "das Auge ist knallrot, die Sicht verschwommen und es tut höllisch weh",
            "emergency",
            "vision_loss",
        ),
        # a stiff neck after "nothing helps": "nothing and" negates nothing after it
        (
            "febbre alta, un mal di testa che non passa con niente e il collo rigido",
            "emergency",
            "fever_meningism",
        ),
        # "always had migraines" tells of the past, not that this one is usual
        (
            "she's always had migraines but this came on in a second, like something burst in "
            "her head, and she's vomiting",
            "emergency",
            "thunderclap",
        ),
        # the usual attacks build slowly: a contrast
        (
            "d'habitude mes migraines arrivent doucement, là c'est venu d'un coup, une douleur "
            "atroce",
            "emergency",
            "thunderclap",
        ),
        # worse after days in a row, with vomiting
        (
            "ho l'emicrania, ma sono tre giorni di fila che peggiora e vomito tutto",
            "urgent",
            "progressive_headache",
        ),
        # a knock on the head against a wall after a fall, on a blood thinner
        (
            "bin im Bad ausgerutscht und mit dem Kopf gegen das Waschbecken, ich nehme Eliquis",
            "emergency",
            "head_injury",
        ),
        # bleeding in spurts that pressing does not stop
        (
            "dalla ferita il sangue esce a fiotti, premo ma continua",
            "emergency",
            "uncontrolled_bleeding",
        ),
    ],
)
def test_red_flags__new_words_are_read(question: str, level: str, concept: str) -> None:
    assert_flags(question, level, concept)


def test_red_flags__a_slight_fever_with_hiv_is_urgent_not_an_emergency() -> None:
    question = (
        "sou soropositivo, faz uma semana que a dor de cabeça piora, e fico meio febril à noite"
    )
    assert _reading(question) == ("urgent", ("immunocompromised_cancer",))


@pytest.mark.parametrize(
    "question",
    [
        # slow attacks asked about by a name
        "my attacks build up over a couple of hours and get pretty intense, is that what people "
        "call a thunderclap?",
        # a manner of speaking
        "honestly migraines are the worst thing in my life, is surgery worth it?",
        # a faint when blood is taken, all her life
        "me desmayo cuando me sacan sangre desde pequeña, ¿me dormirán del todo?",
        # a fit with a fever in childhood: the time told first covers the clause after it
        "da bambino, a tre anni, ho avuto una convulsione con la febbre; devo dirlo prima "
        "dell'intervento?",
        # a bump checked by the doctor, the headache gone
        "ik heb vorige week mijn hoofd gestoten, de huisarts heeft me nagekeken, alles goed, de "
        "hoofdpijn was na een dag weg. mag ik nog geopereerd worden?",
        # a head laid on the pillow is no fall
        "je pose la tête sur l'oreiller et la cicatrice tire un peu, c'est normal ?",
        # words lost on topiramate: a side effect
        "col topiramato non trovavo più le parole, per questo l'ho sospeso: posso operarmi?",
        # "spuit" is an injection here, not blood spurting
        "mijn neuroloog wil me een maandelijkse spuit geven, werkt dat?",
    ],
)
def test_red_flags__messages_that_only_sound_alarming_raise_nothing(question: str) -> None:
    assert _reading(question) == (None, ()), question


# ---- efficacy ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "do the headaches creep back after a few years?",
        "does ibuprofen even touch a bad migraine?",
        "nach zwei Runden tut sich nichts, kommt das noch?",
        "welke van de twee doet het meeste?",
        "e dopo l'intervento il mal di testa passa?",
    ],
)
def test_efficacy__new_forms_are_read(question: str) -> None:
    assert RULES.detect(question, question), (question, signals(question))


@pytest.mark.parametrize(
    ("question", "veto"),
    [
        # a failure told, and what now
        ("the op hasn't worked at all, what are my options now?", "next_step"),
        ("no me ha funcionado la operación, ¿qué hago ahora?", "next_step"),
        # a dose
        ("what dose of riboflavin do people take?", "dosage"),
        # what is removed
        ("¿qué te quitan exactamente en esa operación?", "mechanism"),
    ],
)
def test_efficacy__practical_questions_in_effect_words_are_vetoed(question: str, veto: str) -> None:
    assert veto in signals(question).vetoes, (question, signals(question))
    assert not RULES.detect(question, question)


def test_efficacy__an_outcome_told_then_how_it_is_done_asked_is_no_efficacy_question() -> None:
    question = (
        "my GP thinks closing the PFO might help my migraines. how do they actually do it, is it "
        "open heart surgery?"
    )
    assert not RULES.detect(question, question)
    # an outcome told, then whether it works asked, stays efficacy
    asked = "my cardiologist said closing the hole might help my migraines. does it really work?"
    assert RULES.detect(asked, asked)


def test_efficacy__whether_an_accident_can_cause_the_pain_is_a_cause_not_an_effect() -> None:
    question = "kan zo'n ongeluk echt die zenuwpijn achter in je hoofd geven?"
    assert "natural" in signals(question).vetoes


@pytest.mark.parametrize(
    "question",
    [
        # a device that works with glasses on, an insurance claim's success
        "does the Cefaly work with glasses on?",
        "what are the success rates for getting insurers to approve migraine surgery?",
    ],
)
def test_efficacy__effects_of_something_else_are_not_efficacy(question: str) -> None:
    assert not RULES.detect(question, question), (question, signals(question))


def test_efficacy__how_often_an_outcome_told_happens_is_efficacy() -> None:
    question = "my cousin says the fat injections cured her. how often does that actually happen"
    assert RULES.detect(question, question)
    # the same words after a side effect ask about the side effect
    side = "I got a numb patch after the op, how often does that happen?"
    assert not RULES.detect(side, side)


# ---- what the caveat is about -------------------------------------------------------------------
def test_caveat__the_fat_one_after_another_operation_is_fat_transfer() -> None:
    history = [
        Turn(role="user", content="¿funciona la cirugía de los puntos gatillo?"),
        Turn(role="assistant", content="Solo hay un ensayo con una operación simulada."),
    ]
    assert _caveat_subjects("¿y lo de la grasa?", history) == ["fat-transfer"]
    assert _caveat_subjects("et pour la graisse ?", history) == ["fat-transfer"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "¿merece más la pena lo de la grasa o lo de los nervios?",
            ["fat-transfer", "trigger-site-surgery"],
        ),
        ("die Atlaskorrektur, hilft die wirklich gegen Migräne?", ["atlas-correction"]),
        ("l'indometacina funziona meglio del sumatriptan?", ["nsaids", "triptans"]),
    ],
)
def test_caveat__names_every_treatment_asked_in_new_words(
    question: str, expected: list[str]
) -> None:
    assert _caveat_subjects(question, [])[: len(expected)] == expected, question


# ---- what a question asks -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander(REGISTRY)


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Was sagt die Deutsche Migräne- und Kopfschmerzgesellschaft zur OP?", "de"),
        ("wat zegt de Nederlandse richtlijn over de zenuwoperatie?", "nl"),
        ("la società italiana delle cefalee cosa ne pensa?", "it"),
        ("¿qué opina la Sociedad Española de Neurología?", "es"),
        ("la Société française des migraines a une position là-dessus ?", "fr"),
        ("a Sociedade Brasileira de Cefaleia recomenda essa cirurgia?", "pt"),
        ("what does the British Association for the Study of Headache say?", "en"),
    ],
)
def test_facets__a_society_the_sources_do_not_quote_is_named(
    understander: Understander, question: str, language: str
) -> None:
    assert "other_body" in understander.facets_in(question, language), question


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("what does NICE say about the stimulator?", "en"),
        ("en wat zeggen de Britse richtlijnen (NICE) daarover?", "nl"),
        ("qué dicen las sociedades médicas de esta cirugía?", "es"),
    ],
)
def test_facets__the_bodies_the_sources_quote_are_no_other_body(
    understander: Understander, question: str, language: str
) -> None:
    assert "other_body" not in understander.facets_in(question, language), question


@pytest.mark.parametrize(
    ("question", "language", "facet"),
    [
        # sick leave in European Portuguese, a numb feeling in German
        ("depois da operação quantos dias de baixa vou precisar?", "pt", "recovery"),
        ("bleibt nach der OP ein taubes Gefühl am Hinterkopf?", "de", "numbness"),
        # what is asked inside a long lay name of an operation ("the op ... back of my head")
        ("after the op will the scar be big at the back of my head?", "en", "scar"),
        # an accident as a cause, told far from the verb
        ("kan zo'n ongeluk echt die zenuwpijn in mijn achterhoofd geven?", "nl", "causes"),
        # effects decades later are the long-term risks
        ("che effetti può dare l'intervento fra 20 o 30 anni?", "it", "risks"),
        ("what effects could the op have in 20 or 30 years?", "en", "risks"),
    ],
)
def test_facets__new_words_are_read(
    understander: Understander, question: str, language: str, facet: str
) -> None:
    assert understander.facets_in(question, language) == [facet], question


@pytest.mark.parametrize(
    ("question", "procedure"),
    [
        (
            "does the nerve zapper in the back of the head last?",
            "nerve-and-spinal-cord-stimulation",
        ),
        ("apareceu um furinho no coração, fechar resolve?", "pfo-closure"),
        (
            "ich werde am Hinterhauptnerv operiert, wie lange dauert das?",
            "occipital-nerve-decompression-migone",
        ),
    ],
)
def test_procedures__new_lay_names_are_read(
    understander: Understander, question: str, procedure: str
) -> None:
    assert understander.understand(question).procedures == (procedure,), question


def test_answer__a_society_the_sources_do_not_quote_gets_its_own_not_in_my_sources(
    built_assistant: Assistant,
) -> None:
    answer = built_assistant.ask(
        "la SISC, la società italiana delle cefalee, che posizione ha sull'intervento ai punti "
        "trigger?"
    )
    assert answer.status == "no_evidence"
    assert answer.citations == []
    assert answer.answer.startswith(messages("it").text("other_body"))
