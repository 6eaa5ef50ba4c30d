"""Readings that round 38 of the outside questions showed missing: red flags told in new words (a
new headache "never had it before" told with a pronoun, talking nonsense told by the patient, a
wound pressed for minutes that still bleeds, a child "really sleepy" with a worsening headache);
what is not one (whether one bleeds much in the operation, "koorts heb ik niet", an aura the
neurologist named as such, a number of times told after a spouse, a light knock with nothing
after it); efficacy asked in new words ("is it going to kick in or should I give up", "will I
still be getting them after", "è servito?", a comparison with "toda la vida", which tells no
death); a treatment told as working, then a practical ask ("me va genial, pero...", "schlägt
super an, aber..."); an operation named after the illness, which names no illness asked about;
the most of a drug one can take, a personal decision; what a question is about (how they
establish a diagnosis, with a scan to go into; time off, and healing after an operation, as
recovery; scans with a stimulator in place); a study's result in an answer to "is there any
proof".

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

import pytest

from assistant.guardrails.triage import is_personal_decision
from assistant.service import Assistant
from assistant.understanding import Understander
from tests.test_red_flag_concepts import _reading, assert_flags
from tests.test_round_twenty_six_readings import REGISTRY, RULES


# ---- red flags told in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level", "concept"),
    [
        # past 50, a new headache for weeks, "never had it" told with a pronoun, far from the
        # headache words
        (
            "tengo 63 años y desde hace cinco semanas me duele la cabeza por las mañanas y también "
            "por la noche al acostarme, nunca lo había tenido",
            "urgent",
            "new_after_50",
        ),
        (
            "ho 58 anni, da cinque settimane ho mal di testa quasi ogni giorno dietro gli occhi e "
            "sulla fronte, non l'avevo mai avuto",
            "urgent",
            "new_after_50",
        ),
        # talking nonsense, told by the patient as others saw it
        (
            "me duele la cabeza desde esta mañana y mi hermana dice que le contesto cosas sin "
            "sentido",
            "emergency",
            "confusion_faint_seizure",
        ),
        (
            "bad headache since lunch and my husband says I was saying nonsense on the phone",
            "emergency",
            "confusion_faint_seizure",
        ),
        # a wound pressed for minutes that still bleeds
        (
            "me operaron ayer de la nuca, he presionado la herida con una gasa 20 minutos y sigue "
            "sangrando mucho",
            "emergency",
            "uncontrolled_bleeding",
        ),
        (
            "Gestern an der Stirn operiert, die Naht blutet stark, ich habe 15 Minuten "
            "draufgedrückt und es blutet immer noch",
            "emergency",
            "uncontrolled_bleeding",
        ),
        (
            "opérée hier, ma cicatrice saigne beaucoup, j'appuie avec une compresse mais ça ne "
            "s'arrête pas",
            "emergency",
            "uncontrolled_bleeding",
        ),
        # a child very sleepy with a headache worse every day and vomiting
        (
            "my daughter is 8, her headaches have got worse every day this week, she threw up "
            "twice and now she's very sleepy",
            "emergency",
            "progressive_with_drowsiness",
        ),
    ],
)
def test_red_flags__new_words_are_read(question: str, level: str, concept: str) -> None:
    assert_flags(question, level, concept)


@pytest.mark.parametrize(
    "question",
    [
        # whether one bleeds much in the operation, asked in general
        "¿Se sangra mucho durante la cirugía? Tomo clopidogrel por un stent",
        # a fever denied with the verb before the negation
        "twee weken geleden geopereerd aan mijn voorhoofd, de wond ziet er goed uit en koorts "
        "heb ik niet. wanneer mag ik weer sporten?",
        # an aura the neurologist named as such
        "bij mijn migraine wordt mijn hand doof en daarna mijn gezicht, altijd dezelfde kant. De "
        "neuroloog zei dat het aura is. Helpt een operatie daartegen?",
        "Cuando me da la migraña se me duerme el brazo y después la boca, siempre del mismo "
        "lado, y luego viene el dolor. La neuróloga me vio hace años y dijo que eran auras.",
        # a number of times told after a spouse: no age
        "Mein Mann hat heute 60 mal angerufen, mir tut die Schläfe weh und der Kiefer beim "
        "Kauen, seit Jahren beim Zähneknirschen so",
        # a light knock with nothing after it
        "Dei uma pancada leve com a cabeça na porta do carro ontem, estou bem, não vomitei. Isso "
        "pode estragar a operação que fiz no ano passado?",
    ],
)
def test_red_flags__messages_that_only_sound_alarming_raise_nothing(question: str) -> None:
    assert _reading(question) == (None, ()), question


# ---- efficacy asked in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        # whether a treatment will start to work, or it is time to give up
        "on magnesium for 10 weeks and no change, is it ever going to kick in or should I stop?",
        "started candesartan 2 months ago, is 2 months long enough to tell?",
        # whether the attacks stay after an operation
        "and after the op will I still be getting them?",
        # a comparison of effect, "toda la vida" being no death ("Tod")
        "¿operarse es mejor que tomar pastillas toda la vida?",
        # whether it helped those like the patient
        "e a chi era nella mia situazione è servito?",
        "¿y a las que estaban como yo les sirvió?",
    ],
)
def test_efficacy__new_words_are_read(question: str) -> None:
    assert RULES.detect(question, question), question


@pytest.mark.parametrize(
    "question",
    [
        # a treatment told as working, then a practical ask
        "El botox me va genial, pero ¿hay que pincharse cada 3 meses sí o sí?",
        "Botox schlägt bei mir gut an, aber kann ich die Termine auf 14 Wochen strecken?",
        "le botox me réussit mais les rendez-vous tous les 3 mois sont compliqués, on peut "
        "espacer ?",
        # an operation named after the illness, asked about lasting numbness
        "¿la cirugía de la migraña deja la frente dormida para siempre?",
        # someone served something: no effect asked
        "il cameriere mi ha servito il caffè freddo",
    ],
)
def test_efficacy__questions_that_only_share_its_words_are_not_read(question: str) -> None:
    assert not RULES.detect(question, question), question


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what's the max naproxen I can take in a day? I weigh 55kg", True),
        ("what is the most time off work I can take after the operation?", False),
    ],
)
def test_personal_decision__the_most_one_can_take(question: str, expected: bool) -> None:
    assert is_personal_decision(question) is expected, question


# ---- what a question is about -------------------------------------------------------------------
@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander(REGISTRY)


@pytest.mark.parametrize(
    "question",
    [
        # a separable verb of establishing, and a scan to go into with no device named
        "hoe stellen artsen eigenlijk vast of het een zenuw is? moet ik dan in de mri?",
        "wie stellt man das fest, muss ich dafür in die Röhre?",
    ],
)
def test_understanding__how_they_establish_it_is_diagnosis(
    understander: Understander, question: str
) -> None:
    facets = understander.understand(question).facets
    assert "diagnosis" in facets and "device_care" not in facets, (question, facets)


@pytest.mark.parametrize(
    "question",
    [
        "how many days do I need off after the decompression before I'm back driving a taxi?",
        "combien de jours d'arrêt après l'opération des points gâchettes ?",
        "Wie lange dauert die Heilung nach der Fetttransplantation?",
        "wann kann ich nach der OP wieder normal arbeiten?",
    ],
)
def test_understanding__time_off_and_healing_are_recovery(
    understander: Understander, question: str
) -> None:
    assert "recovery" in understander.understand(question).facets, question


# ---- a study's result in an answer to "is there any proof" --------------------------------------
@pytest.mark.slow
def test_answer__proof_asked_gets_a_studys_result(built_assistant: Assistant) -> None:
    answer = built_assistant.ask(
        "is de migone ingreep bewezen of is het gewoon geldklopperij van die kliniek?"
    )
    assert answer.status == "answered", answer.answer
    quotes = " ".join(c.quote for c in answer.citations)
    # the review's figures, not only what the clinic's page cites
    assert "observational studies" in quotes or "randomized" in quotes, quotes


def test_understanding__scans_with_a_stimulator_in_place_are_device_care(
    understander: Understander,
) -> None:
    reading = understander.understand(
        "Depois de pôr o estimulador occipital, posso continuar a fazer RM à coluna?"
    )
    assert "device_care" in reading.facets, reading
