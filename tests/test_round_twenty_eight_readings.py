"""Readings that round 28 of the outside questions showed missing: red flags told in new words
(a steroid at a high dose, a headache after giving birth that comes on standing up, sight lost
told with the verb last or in the past, a ball to a child's head, a headache "sempre + forte",
the pit of the stomach in late pregnancy, a child who barely answers, bleeding that pressing for
twenty minutes does not stop), messages that only sound alarming (the signs to look out for,
side effects read about others, an organ transplant years ago and well, a fit with a fever as a
baby, the numb hand of a known aura, a pregnant woman who is well, "no blood thinners", an
injection given, a blank look from the GP, a pain that "lasts little but is terrible", another
cause asked), efficacy asked in new forms (what gets the most out of it, lasting "x sempre") and
questions in effect words that ask something else (a deposit asked ahead, a medicine's storage,
a device's battery, an appeal's chances, stopping a medicine before the operation, which
anaesthetic is better, heredity after an outcome told, a refund, a surgeon's other hospital, a
follow-up about taking two things together).

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

import pytest

from assistant.guardrails.efficacy_rules import signals
from assistant.types import Turn
from assistant.understanding import Understander
from tests.test_red_flag_concepts import _reading, assert_flags
from tests.test_round_twenty_six_readings import REGISTRY, RULES, _caveat_subjects


# ---- red flags told in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level", "concept"),
    [
        # a steroid at a high dose, or for an autoimmune disease
        (
            "desde hace tres meses tomo corticoides a dosis altas y ahora tengo un dolor de cabeza "
            "que va a peor",
            "urgent",
            "immunocompromised_cancer",
        ),
        # a headache after giving birth that comes on standing up and eases lying down
        (
            "ho partorito otto giorni fa con l'epidurale, il mal di testa è fortissimo quando mi "
            "alzo e passa sdraiata",
            "urgent",
            "pregnancy_headache",
        ),
        (
            "ich habe vor einer Woche entbunden und die Kopfschmerzen sind beim Aufstehen "
            "unerträglich, im Liegen viel besser",
            "urgent",
            "pregnancy_headache",
        ),
        # sight lost, with the verb last or told in the past
        (
            "ich weiß nicht, warum ich rechts seit heute früh nichts mehr sehe",
            "emergency",
            "vision_loss",
        ),
        (
            "all'improvviso non vedeva più niente dall'occhio sinistro, mia madre",
            "emergency",
            "vision_loss",
        ),
        # a ball to a child's head, then vomiting
        (
            "mijn dochter kreeg een basketbal vol tegen haar hoofd en heeft daarna twee keer "
            "overgegeven",
            "emergency",
            "head_injury",
        ),
        # worse and worse written with a plus sign, with vomiting
        (
            "da una settimana il mal di testa è sempre + forte e stamattina ho vomitato",
            "urgent",
            "progressive_headache",
        ),
        # late pregnancy, a headache, the pit of the stomach and a swollen face
        (
            "estoy de 35 semanas, me duele la cabeza y me duele la boca del estómago, y tengo la "
            "cara hinchada",
            "emergency",
            "pregnancy",
        ),
        # a child who barely answers, a headache worse for days, vomiting
        (
            "mon fils a de plus en plus mal à la tête depuis quatre jours, il vomit, et ce soir il "
            "répond à peine",
            "emergency",
            "progressive_with_drowsiness",
        ),
        # bleeding that pressing for twenty minutes does not stop
        (
            "die Wunde blutet stark, wir drücken seit zwanzig Minuten drauf und es hört nicht auf",
            "emergency",
            "uncontrolled_bleeding",
        ),
    ],
)
def test_red_flags__new_words_are_read(question: str, level: str, concept: str) -> None:
    assert_flags(question, level, concept)


@pytest.mark.parametrize(
    "question",
    [
        # the signs to look out for, asked before the operation
        "which symptoms should I keep an eye on after the fat transfer, like a wound infection?",
        # side effects read about others
        "I've read about people left with a drooping eyelid after the forehead surgery. Could "
        "that happen to me?",
        "ho sentito di persone rimaste con la faccia paralizzata dopo l'intervento, è possibile?",
        "me han dicho que te puedes quedar con la cara paralizada, ¿es cierto?",
        # an organ transplant years ago, and well
        "mon mari est greffé du rein depuis 2012, tout va bien; peut-il se faire opérer de ses "
        "migraines ?",
        # a fit with a fever as a baby
        "Mon fils a fait des convulsions avec de la fièvre quand il était bébé, jamais depuis : "
        "l'anesthésie est-elle un risque ?",
        # the numb hand of an aura known for years, the neurologist knows
        "a mão da minha mulher fica dormente antes de cada enxaqueca, sempre a mesma mão, há "
        "anos; o neurologista já sabe. a cirurgia ajudaria?",
        # a pregnant woman who is well asks about a treatment
        "estoy embarazada de 9 semanas, me pusieron bótox hace un mes para la migraña. Estoy "
        "bien, nada raro. ¿Es un problema?",
        # no blood thinners taken
        "I bumped my head on the cupboard door yesterday, a small lump, no blood thinners. Can "
        "I still have the op next week?",
        # an injection given, a blank look, a pain that lasts little
        "meine Ärztin spritzt mir jeden Monat ein Mittel, soll ich das vor der OP sagen?",
        "de huisarts keek me glazig aan toen ik over mijn hoofdpijn begon, is dat normaal?",
        "è una fitta dietro la testa, dura poco però è tremenda: è nevralgia?",
        # another cause asked
        "¿mis migrañas son hereditarias o es por otra cosa? mi abuela también las tenía y mi "
        "hijo empieza ahora con dolores de cabeza",
    ],
)
def test_red_flags__messages_that_only_sound_alarming_raise_nothing(question: str) -> None:
    assert _reading(question) == (None, ()), question


# ---- efficacy ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "welke operatie haalt het meeste uit bij nekpijn?",
        "la decompressione dura x sempre o torna tutto come prima?",
    ],
)
def test_efficacy__new_forms_are_read(question: str) -> None:
    assert RULES.detect(question, question), (question, signals(question))


@pytest.mark.parametrize(
    "question",
    [
        # a deposit asked ahead, judged
        "they asked me to pay the whole thing by bank transfer before the first visit, is that "
        "legit?",
        # a medicine's storage
        "wie lange darf die Spritze außerhalb vom Kühlschrank bleiben, bevor sie nicht mehr wirkt?",
        # a device's battery
        "la batterie du stimulateur, elle tient combien de temps ?",
        # an appeal's chances
        "what's the success rate for these insurance appeals?",
        # stopping a medicine before the operation, after an outcome told
        "Il mio Emgality funziona bene. Devo sospenderlo prima dell'intervento?",
        # which anaesthetic is better
        "wat is beter bij de decompressie, een roesje of helemaal onder narcose?",
        # heredity after an outcome told
        "my aunt had the operation and it was a great success. is migraine hereditary?",
        # a refund after a failure told
        "A operação não resolveu nada. Consigo o meu dinheiro de volta?",
        # a surgeon's other hospital
        "Werkt de chirurg van die kliniek ook in een gewoon ziekenhuis?",
        # a failure told, and what now
        "opérée l'an dernier, aucune amélioration. qu'est-ce que je peux faire maintenant ?",
    ],
)
def test_efficacy__questions_in_effect_words_that_ask_something_else(question: str) -> None:
    assert not RULES.detect(question, question), (question, signals(question))


def test_efficacy__a_scam_asked_about_a_treatment_stays_efficacy() -> None:
    asked = "they charge 5000 euros for the migone, is it a scam or does it actually work?"
    assert RULES.detect(asked, asked)
    plain = "is migraine surgery a scam?"
    assert RULES.detect(plain, plain)


def test_efficacy__a_follow_up_about_taking_two_things_together_is_practical() -> None:
    history = [
        Turn(role="user", content="does CBD oil help migraines?"),
        Turn(role="assistant", content="My sources do not cover CBD oil."),
    ]
    follow = "ok, and together with my triptan?"
    assert not RULES.detect(follow, follow, history)
    # a short follow-up that asks the same stays efficacy
    same = "and magnesium?"
    assert RULES.detect(same, same, history)


# ---- what the caveat is about -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # the fat one named by what it is done with
        (
            "la décompression n'a rien donné. avec la graisse j'aurais plus de chances ?",
            ["fat-transfer"],
        ),
        ("een vet transplantatie bij migraine, helpt dat echt?", ["fat-transfer"]),
        # the scalp arteries closed, in German and in Dutch
        (
            "die Kopfhautarterien veröden lassen, bringt das was gegen Migräne?",
            ["arterial-surgery"],
        ),
        (
            "heeft het zin om de adertjes bij je slapen dicht te laten branden?",
            ["arterial-surgery"],
        ),
        # an operation "behind the head"
        (
            "mon frère s'est fait opérer derrière la tête, ça marche vraiment ?",
            ["occipital-nerve-decompression-migone"],
        ),
    ],
)
def test_caveat__names_the_treatment_asked_in_new_words(question: str, expected: list[str]) -> None:
    assert _caveat_subjects(question, [])[: len(expected)] == expected, question


# ---- what a question asks -----------------------------------------------------------------------
def test_procedures__a_hole_between_the_heart_chambers_is_pfo() -> None:
    question = "er zit een gat tussen mijn hartboezems, moet dat dicht tegen de migraine?"
    assert Understander(REGISTRY).understand(question).procedures == ("pfo-closure",), question
