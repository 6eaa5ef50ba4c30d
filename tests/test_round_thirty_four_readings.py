"""Readings that round 34 of the outside questions showed missing: red flags told in new words
(vomiting told as "gebrochen" with headaches that wake one at night, a "klap" of a headache, a
sore temple and chewing that hurts past 70, speech gone unclear, a misspelt scar with pus, days
"dal lipofilling" with a fever, an arm that "nn" moves well); what is not one (numb hands in every
attack since youth and checked, fainting when blood is taken, a temperature told as normal, a
medicine that may make one drowsy); efficacy asked in new forms (a dent, all marketing, forgetting
the attacks, being left in peace, of interest, "scheelt", "dar certo", "fazer diferença",
"ho risolto", worth the risk, more luck than someone else) and the same question asked again for
a group of patients; a "should I wait?" that is no medical choice; what an efficacy question is
about (CGRP injections, misspelt procedure names, the nerve cut at the back of the head, a list
of medicines already tried); and answers (driving again asked as recovery).

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

import pytest

from assistant.guardrails.efficacy_rules import signals
from assistant.guardrails.layer import rules_out_warning_signs
from assistant.guardrails.triage import is_personal_decision
from assistant.service import Assistant
from assistant.types import Turn
from tests.test_red_flag_concepts import _reading, assert_flags
from tests.test_round_thirty_three_readings import _keys
from tests.test_round_twenty_six_readings import RULES


# ---- red flags told in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level", "concept"),
    [
        # headaches that wake one at night, and vomiting told as "mehrmals gebrochen"
        (
            "Die Kopfschmerzen wecken mich seit einer Woche nachts auf und heute habe ich "
            "mehrmals gebrochen",
            "urgent",
            "progressive_headache",
        ),
        # a "klap" of a headache
        (
            "ik kreeg tijdens het sporten zo'n enorme klap hoofdpijn, is dat erg?",
            "emergency",
            "thunderclap",
        ),
        # a sore temple and chewing that hurts, past 70
        (
            "mijn opa van 81 heeft sinds een week hoofdpijn en kauwen doet zeer",
            "urgent",
            "new_after_50",
        ),
        # speech gone unclear
        (
            "mijn moeder praat sinds vanmiddag heel onduidelijk, moet ik me zorgen maken?",
            "emergency",
            "neuro_deficit",
        ),
        # a misspelt scar, red, with pus
        (
            "operei há 5 dias e a cicatris está vermelha e sai pus",
            "urgent",
            "postop_wound",
        ),
        # days since the fat transfer, with a fever
        (
            "sono 4 giorni dal lipofilling e ho la febbre a 38,5",
            "urgent",
            "postop_fever",
        ),
        # an arm that does not move well, written short
        (
            "da stamattina nn riesco a muovere bene il braccio destro, cosa faccio?",
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
        # numb hands in every attack since youth, and checked with a scan
        "en mis crisis se me duerme la mano antes del dolor, me pasa desde pequeña y está todo "
        "estudiado con resonancia",
        # fainting whenever blood is taken
        "desmaio sempre tirando sangue; antes da cirurgia, que outros tratamentos existem para a "
        "enxaqueca?",
        # a medicine that may make one drowsy
        "helpt amitriptyline echt tegen mijn migraine of word ik er alleen suf van?",
        # a hand that would not move years ago, checked since (the new Italian limb words are
        # about now, not then)
        "tre anni fa, in una crisi, non riuscivo a muovere la mano per mezz'ora; esami tutti a "
        "posto, era l'aura",
    ],
)
def test_red_flags__messages_that_only_sound_alarming_raise_nothing(question: str) -> None:
    assert _reading(question) == (None, ()), question


def test_red_flags__a_temperature_told_as_normal_rules_out_the_wound_signs() -> None:
    assert rules_out_warning_signs(
        "day 3 after surgery, a bit of a headache, temp is normal and the wound is clean and dry"
    )
    assert not rules_out_warning_signs(
        "day 3 after surgery, a bad headache, and the wound is clean and dry"
    )


def test_red_flags__a_migraine_since_childhood_is_no_usual_symptom() -> None:
    """ "Migraines since I was a girl" tells of the illness, not of the symptom asked about: a
    sudden blow of a headache still reads as one."""
    assert_flags(
        "de repente un estallido en la nuca, un dolor brutal; tengo migrañas desde chica pero "
        "esto es distinto",
        "emergency",
        "thunderclap",
    )


# ---- efficacy asked in new forms ----------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "would a few physio sessions make any dent in how often I get them?",
        "is the headband any good or is it all marketing?",
        "y con la operación me olvidaré de las migrañas?",
        "o es que directamente no sirve de nada?",
        "après l'opération, je serai enfin tranquille ?",
        "la neurostimulation, ça a un intérêt dans mon cas ?",
        "scheelt zo'n beugel echt iets?",
        "na die operatie ben je er dan vanaf?",
        "esses implantes dão certo mesmo?",
        "a acupuntura costuma fazer diferença?",
        "se faccio l'intervento alla nuca ho risolto?",
        "l'intervento alla nuca vale il rischio?",
        "my sister had it and it did nothing, why would I have more luck?",
    ],
)
def test_efficacy__new_forms_are_read(question: str) -> None:
    assert RULES.detect(question, question), (question, signals(question))


def test_efficacy__an_insurer_that_cooperates_is_no_effect() -> None:
    question = (
        "werkt de zorgverzekeraar een beetje mee als ik die operatie aan mijn voorhoofd wil laten "
        "doen? ik heb een aanvullende verzekering"
    )
    assert not RULES.detect(question, question), signals(question)


@pytest.mark.parametrize(
    ("earlier", "question"),
    [
        ("does fat transfer work for migraine?", "and in people who already had a failed op?"),
        ("heeft de operatie zin bij migraine?", "ook niet als ik al twintig jaar migraine heb?"),
        (
            "la chiusura del PFO serve per l'emicrania?",
            "e nelle persone che hanno l'aura tutte le volte, con il buco grande?",
        ),
    ],
)
def test_efficacy__the_same_question_asked_for_a_group_of_patients(
    earlier: str, question: str
) -> None:
    history = [Turn(role="user", content=earlier), Turn(role="assistant", content="...")]
    assert RULES.detect(question, question, history), question


def test_efficacy__a_group_follow_up_after_another_question_is_not() -> None:
    history = [Turn(role="user", content="how long is the operation?")]
    question = "and in people over sixty?"
    assert not RULES.detect(question, question, history)


# ---- what asks for a medical choice -------------------------------------------------------------
def test_decision__a_should_i_wait_in_its_own_sentence_is_no_medical_choice() -> None:
    assert not is_personal_decision(
        "is it safe to get pregnant after the surgery, how long should i wait? and could i even "
        "have it while breastfeeding"
    )
    assert is_personal_decision("should i have the surgery or wait for the trial results?")


# ---- what an efficacy question is about ---------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("CGRP-Spritzen oder Topiramat, was hilft besser?", {"cgrp-antibodies", "topiramate"}),
        (
            "decompresion surgury or the stimulater implant, which one works better?",
            {"trigger-site-surgery", "nerve-and-spinal-cord-stimulation"},
        ),
        (
            "die zenuwoperatie achterop je hoofd, werkt dat echt?",
            {"occipital-nerve-decompression-migone"},
        ),
        (
            "il neurochirurgo propone di tagliare il nervo occipitale, funziona?",
            {"occipital-nerve-decompression-migone"},
        ),
    ],
)
def test_caveat__new_names_of_what_is_asked(question: str, expected: set[str]) -> None:
    assert expected <= set(_keys(question)), (question, _keys(question))


def test_caveat__medicines_already_tried_are_not_what_is_asked() -> None:
    keys = _keys(
        "Já passei por topiramato, propranolol e botox. Agora um cirurgião fala em operar os "
        "nervos. Vale a pena?"
    )
    assert keys == ["trigger-site-surgery"], keys


def test_caveat__a_verb_with_its_pronoun_is_no_treatment_name() -> None:
    """ "lohnt sich das überhaupt, das Zeug zu nehmen?" after a question on amitriptyline: the
    conversation's medicine is what is asked about, not "lohnt sich das überhaupt"."""
    history = [
        Turn(role="user", content="Darf ich Amitriptylin nehmen, wenn ich nachts arbeite?"),
        Turn(role="assistant", content="..."),
    ]
    keys = _keys("ok. und lohnt sich das überhaupt, das zeug zu schlucken?", history)
    assert keys == ["amitriptyline"], keys


# ---- answers ------------------------------------------------------------------------------------
def test_answer__driving_again_is_asked_as_recovery(built_assistant: Assistant) -> None:
    answer = built_assistant.ask("wann darf ich nach der MIGONE-OP wieder fahren?")
    assert answer.status == "no_evidence", answer.answer
    assert "erholen" in answer.answer, answer.answer


def test_answer__back_on_ones_feet_is_asked_as_recovery(built_assistant: Assistant) -> None:
    """ "Wieder auf den Beinen" asks how soon one recovers, even with money named before it."""
    answer = built_assistant.ask(
        "jeder Tag ohne Arbeit kostet mich Geld: wie schnell bin ich nach der "
        "Fettunterspritzung wieder auf den Beinen?"
    )
    assert answer.status == "answered", answer.answer
    assert any("recovery" in c.quote for c in answer.citations), answer.citations
