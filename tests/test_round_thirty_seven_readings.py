"""Readings that round 37 of the outside questions showed missing: red flags told in new words
(a headache worse every day after a blow to the head, in a message that also names an operation
of years ago; a spouse's age told with a verb, "mi marido tiene 73"; "jvois double"; a fever
after a fat graft told as "fiz enxerto"); what is not one (swelling that "no va a más" or "ne
s'aggrave pas", a cancer told as cured, "nunca me he desmayado", a scar that "ne coule pas", the
usual pain "de sempre" that builds slowly, an operation that "klingt ja brutal", tablets that
made one drowsy, told in Dutch); efficacy asked in new words ("why would this one be any
different" after failed treatments, "would the same happen to me" after a relative's operation
told with "se operó"); what only shares its words (help with the costs, the chance of winning
an appeal, what to try next, a device to be taken out); a written appeal as a request to write;
a back or a spinal disc as another part of the body.

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

import pytest

from assistant.guardrails.scope import writing_request
from assistant.service import Assistant
from tests.test_red_flag_concepts import _reading, assert_flags
from tests.test_round_twenty_six_readings import RULES


# ---- red flags told in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level", "concept"),
    [
        # a blow days ago and a headache worse every day; the remote past is another event's
        (
            "hit my head on the car boot lid 4 days ago and the headache is worse every day. "
            "I had my nerve decompression two years ago, could it be related?",
            "emergency",
            "head_injury",
        ),
        # a spouse's age told with a verb, with a tender temple and jaw pain
        (
            "mi mujer tiene 71 y desde hace dos semanas le duele la sien al peinarse y le duele "
            "la mandíbula al masticar",
            "urgent",
            "new_after_50",
        ),
        # "je vois" written as one word
        ("jvois double depuis une heure avec un mal de tête", "emergency", "vision_loss"),
        # a fever after a fat graft, the operation told as "fiz enxerto"
        (
            "fiz enxerto de gordura na testa faz 5 dias, hoje tô com 38,4 de febre",
            "urgent",
            "postop_fever",
        ),
    ],
)
def test_red_flags__new_words_are_read(question: str, level: str, concept: str) -> None:
    assert_flags(question, level, concept)


@pytest.mark.parametrize(
    "question",
    [
        # swelling after an operation, told as not growing
        "me operaron anteayer de la frente, los párpados están hinchados, sin fiebre, y la "
        "hinchazón no va a más. ¿cuándo vuelvo a trabajar?",
        "opérée hier du front, c'est un peu gonflé mais ça ne s'aggrave pas, pas de fièvre. "
        "je peux conduire ?",
        # a cancer of long ago, told as cured, and migraines for years
        "tuve un linfoma hace 15 años, curado. desde los 20 tengo migrañas, ¿puedo operarme?",
        # a faint denied with a pronoun between "nunca" and the verb
        "con la migraña me mareo mucho pero nunca me he desmayado. ¿la operación quita el mareo?",
        # a scar that does not leak
        "ma cicatrice derrière la tête me gratte un peu mais elle ne coule pas et n'est pas "
        "rouge, c'est normal ?",
        # the usual pain, building slowly, told with a figure of speech
        "parece que a cabeça vai explodir, mas é a dor de sempre que vai crescendo devagar. a "
        "cirurgia ajuda nisso?",
        # an opinion about an operation, not a pain
        "Am Hinterkopf wird ein Muskelstück entfernt? Klingt ja brutal. Wie lange dauert das?",
        # drowsiness from tablets, told in Dutch
        "ik werd er zo suf en misselijk van dat ik met de pillen gestopt ben. is een migraine "
        "operatie dan iets voor mij?",
    ],
)
def test_red_flags__messages_that_only_sound_alarming_raise_nothing(question: str) -> None:
    assert _reading(question) == (None, ()), question


# ---- efficacy asked in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        # why would this one be any different, after failed treatments
        "Fünf Prophylaxen haben nicht gewirkt. Warum sollte gerade dieses Mittel jetzt anders "
        "sein?",
        "après cinq traitements ratés, pourquoi celle-ci marcherait mieux ?",
        "ya he probado de todo, ¿por qué este iba a ser distinto?",
        # a relative's operation told with "se operó", then "would the same happen to me"
        "mi hermano se operó de la nuca y dice que es otra persona. ¿a mí me iría igual?",
    ],
)
def test_efficacy__new_words_are_read(question: str) -> None:
    assert RULES.detect(question, question), question


@pytest.mark.parametrize(
    "question",
    [
        # help with the costs
        "quanto costa l'intervento? e la regione aiuta con le spese?",
        "helpt mijn zorgverzekeraar mee in de kosten van de operatie?",
        # the chance of winning an appeal
        "o plano recusou a cirurgia. qual a chance de ganhar na justiça?",
        # what to try next after a treatment that failed
        "Akupunktur hat nichts gebracht. Gibt es noch etwas ohne Tabletten, das ich probieren "
        "könnte?",
        "O enxerto de gordura não resolveu. Posso repetir ou tenho de partir para outra coisa?",
        # a device that did not help, to be taken out
        "lo stimolatore non ha funzionato e voglio farmelo togliere. si può rimuovere?",
    ],
)
def test_efficacy__questions_that_only_share_its_words_are_not_read(question: str) -> None:
    assert not RULES.detect(question, question), question


# ---- what a question is about -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("escreve pra mim um recurso para o plano de saúde, bem formal", True),
        ("¿me puedes escribir un recurso para el seguro que me negó la operación?", True),
        # "recursos" asked about, nothing to write
        ("¿qué recursos hay para la migraña crónica?", False),
        # resources asked for with "dame": no appeal, nothing to write
        ("dame recursos para entender la cirugía de migraña", False),
        ("dame un recurso fiable sobre la descompresión occipital", False),
    ],
)
def test_scope__an_appeal_to_write_is_a_writing_request(question: str, expected: bool) -> None:
    assert writing_request(question) is expected, question


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    [
        "Cambiando argomento: mio padre ha un'ernia del disco e mal di schiena, che esercizi "
        "può fare a casa?",
        "Anderes Thema: mein Bandscheibenvorfall soll operiert werden, wie lange dauert die "
        "Heilung?",
    ],
)
def test_answer__a_back_or_a_spinal_disc_is_another_part_of_the_body(
    built_assistant: Assistant, question: str
) -> None:
    answer = built_assistant.ask(question)
    # Outside the sources' subject: declined as out of scope, or "not in my sources"; never a
    # quote about a migraine operation.
    assert answer.status in ("declined", "no_evidence"), (answer.status, answer.answer)
    assert not answer.citations, answer.citations
