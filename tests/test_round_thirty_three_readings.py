"""Readings that round 33 of the outside questions showed missing: red flags told in new words
(one side of everything gone "with both eyes", sight gone for minutes from one eye, a neck that
hurts when the chin goes down with a fever, "gekotzt" and nothing kept down, headaches that wake
a child at night, a thick temple vein and chewing that is hard past 70, a fever of 38.5 or more
told as "a bit of fever" during chemotherapy); what is not one (a faint at 16 with "I'm 40 now",
asking at what temperature to call, asking in advance, a story read in a group); efficacy asked
in new forms (worth the expense, what do I gain, in how many is that the case, does the effect
stay or fade, only the first months, migraines creeping back) and questions that only sound like
it (a waiting list after a relative was cured, eligibility after Botox stopped working, a broken
device under warranty, whether it works through the nerve); and what an efficacy question is
about (a swimming pool or running from the conversation, not the surgery the reply says its
sources cover; the studies "on it"; fat in the head; the decompression op); and a retrieved chunk
with no sentence to quote, which the answer passes over.

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from assistant.guardrails.caveat import asked_subjects
from assistant.guardrails.efficacy_rules import signals
from assistant.service import Assistant
from assistant.types import Turn
from tests.test_red_flag_concepts import _reading, assert_flags
from tests.test_round_twenty_six_readings import REGISTRY, RULES


# ---- red flags told in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level", "concept"),
    [
        # the left side of everything gone, in both eyes
        (
            "hace una hora dejé de ver casi toda la parte izquierda de las cosas, ¿será la vista "
            "cansada?",
            "emergency",
            "vision_loss",
        ),
        # sight gone for a few seconds from one eye
        (
            "o meu pai ficou uns segundos sem ver do olho esquerdo esta manhã",
            "emergency",
            "vision_loss",
        ),
        # a usual aura guessed at, with one side of everything gone for hours
        (
            "deixei de ver o lado direito de tudo há duas horas; costumo ter aura mas passa "
            "sempre depressa. será uma aura mais longa?",
            "emergency",
            "vision_loss",
        ),
        # a neck that hurts when the chin goes down, with a fever
        (
            "tengo 38 de fiebre y me duele mucho el cuello al bajar la barbilla",
            "emergency",
            "fever_meningism",
        ),
        # a headache worse every day, and vomiting told as "gekotzt"
        (
            "seit drei Tagen Kopfweh, jeden Tag schlimmer, hab heute schon dreimal gekotzt",
            "urgent",
            "progressive_headache",
        ),
        # nothing kept down, with a headache worse every day
        (
            "Kopfschmerzen seit Montag, täglich schlimmer, ich kann nichts bei mir behalten",
            "urgent",
            "progressive_headache",
        ),
        # headaches that wake a child at night, with vomiting
        (
            "my son's headaches keep waking him up at night and he threw up this morning",
            "urgent",
            "progressive_headache",
        ),
        # a thick temple vein and chewing that is hard past 70, with sight gone for minutes
        (
            "tenho 70 anos, a veia do lado direito da testa está grossa e custa-me mastigar; hoje "
            "fiquei uns minutos sem ver do olho direito",
            "emergency",
            "temporal_arteritis_sight",
        ),
        # a fever of 38.7 during chemotherapy, played down as a bit of fever
        (
            "faccio la chemio, ho 38,7 e mal di testa; un po' di febbre non è niente, no?",
            "emergency",
            "immuno_fever",
        ),
    ],
)
def test_red_flags__new_words_are_read(question: str, level: str, concept: str) -> None:
    assert_flags(question, level, concept)


@pytest.mark.parametrize(
    "question",
    [
        # a single faint long ago, with the age today
        "I passed out once at 17 at a festival, nothing since, I'm 45 now. Should I mention it "
        "before surgery?",
        # at what temperature to call, asked in advance
        "Vanaf hoeveel graden koorts moet ik na de operatie het ziekenhuis bellen?",
        "depois da operação, com quantos graus de febre devo ligar ao médico? pergunto antes de "
        "me operar",
        # a story read in an online group
        "su un forum una signora scrive che dopo l'intervento le è rimasta la bocca storta, "
        "succede spesso?",
    ],
)
def test_red_flags__messages_that_only_sound_alarming_raise_nothing(question: str) -> None:
    assert _reading(question) == (None, ()), question


# ---- efficacy asked in new forms ----------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "la stimolazione costa parecchio, ma vale la spesa?",
        "se eu aceitar os riscos, o que é que eu ganho com a operação?",
        "et chez combien de gens c'est vraiment le cas ?",
        "el efecto de la grasa se mantiene o desaparece con los meses?",
        "die Wirkung bleibt dauerhaft oder nicht?",
        "o efeito é grande ou só nos primeiros meses?",
        # a treatment that helped a bit, the attacks creeping back, and another one asked about
        "the MIGONE helped a bit but they're creeping back now, would fat grafting sort out the "
        "rest?",
        "ben ik er dan echt eindelijk vanaf?",
    ],
)
def test_efficacy__new_forms_are_read(question: str) -> None:
    assert RULES.detect(question, question), (question, signals(question))


@pytest.mark.parametrize(
    "question",
    [
        # a relative cured, then a waiting list
        "Mijn buurvrouw is na de operatie van haar migraine af. Hoe lang is de wachtlijst?",
        # Botox stopped working, then eligibility
        "o botox deixou de fazer efeito. posso ser operada ou tenho de tentar outras coisas antes?",
        # a device that broke, under warranty
        "Mein Cefaly geht nicht mehr an, ist das ein Garantiefall?",
        # how it works, through the nerve
        "werkt de stimulator via de zenuw of via de hersenen?",
        # a painkiller that does nothing, with a headache that will not go
        "mein Kopfweh geht seit gestern nicht weg, ibu hilft null",
    ],
)
def test_efficacy__questions_that_only_sound_like_efficacy_are_not(question: str) -> None:
    assert not RULES.detect(question, question), (question, signals(question))


# ---- what an efficacy question is about ---------------------------------------------------------
def _keys(question: str, history: Sequence[Turn] = ()) -> list[str]:
    """The caveat's subjects for ``question`` after ``history``."""
    return [s.key for s in asked_subjects(REGISTRY, question, None, history)]


def test_caveat__a_swimming_pool_in_the_conversation_is_what_is_asked_about() -> None:
    history = [
        Turn(
            role="user",
            content="vado in piscina due volte a settimana perché dicono che fa bene all'emicrania",
        ),
        Turn(
            role="assistant",
            content="Le mie fonti parlano soprattutto di chirurgia dell'emicrania.",
        ),
    ]
    assert _keys("e se continuo, gli attacchi calano davvero?", history) == ["exercise"]


def test_caveat__the_surgery_a_reply_says_its_sources_cover_is_not_offered() -> None:
    history = [
        Turn(
            role="user",
            content="ik ga drie keer per week hardlopen omdat sporten goed zou zijn bij migraine",
        ),
        Turn(
            role="assistant",
            content="Mijn bronnen gaan vooral over migrainechirurgie, niet over sport.",
        ),
    ]
    assert _keys("krijg ik dan echt minder aanvallen?", history) == ["exercise"]


def test_caveat__the_studies_on_it_are_no_treatment() -> None:
    history = [
        Turn(role="user", content="Mir wurde ein Nervenstimulator am Hinterkopf angeboten"),
        Turn(role="assistant", content="..."),
    ]
    keys = _keys("Und die Studien dazu, wie sehen die aus?", history)
    assert keys == ["nerve-and-spinal-cord-stimulation"], keys


@pytest.mark.parametrize(
    ("question", "procedure"),
    [
        ("is the fat in the head procedure any good for migraines?", "fat-transfer"),
        ("does the decompression op actually work?", "trigger-site-surgery"),
        ("dopo la decompressione mi propongono il grasso, funziona?", "fat-transfer"),
    ],
)
def test_caveat__lay_names_of_procedures(question: str, procedure: str) -> None:
    assert procedure in _keys(question), (question, _keys(question))


def test_caveat__a_misspelt_herb_is_named() -> None:
    assert _keys("o tanasceto é bom para a enxaqueca?") == ["feverfew"]


# ---- answers ------------------------------------------------------------------------------------
def test_answer__a_physio_who_said_something_is_no_treatment_asked_about(
    built_assistant: Assistant,
) -> None:
    answer = built_assistant.ask(
        "un fisio me dijo que lo mío podría ser neuralgia occipital, ¿en qué se diferencia de la "
        "migraña?"
    )
    assert answer.status == "answered", answer.answer
    assert "fisio" not in answer.answer.lower(), answer.answer


def test_answer__a_retrieved_chunk_with_no_sentence_to_quote_is_passed_over(
    built_assistant: Assistant,
) -> None:
    """A chunk whose units are none (a heading alone), embedded in a batch of its own, has an
    empty matrix of multilingual vectors; scoring the candidates passes it over instead of
    failing on it."""
    [passage, *_] = built_assistant.retrieve("what is the M.I.G.O.N.E. procedure?")
    heading = passage.model_copy(
        update={
            "chunk": passage.chunk.model_copy(
                update={"chunk_id": "heading-only", "text": "##", "sentences": ()}
            )
        }
    )
    selector = built_assistant.answerer.selector
    u = selector.understander.understand("what is the M.I.G.O.N.E. procedure?")
    vector = np.ones(384, dtype=np.float32) / np.sqrt(384)
    found = selector.candidates(u, [heading, passage], None, None, ["what_it_is"], set(), vector)
    assert found and all(c.passage.chunk.chunk_id != "heading-only" for c in found)
