"""Readings that round 20 of the outside questions showed missing: "the numbers" on a treatment
(not numbness), the operation's own length after an efficacy question, a practitioner named as
who spoke, and lay questions that ask who surgery suits, how it was done or what else to try.
The new efficacy forms and the questions that only sound like efficacy join the lists in
``test_round_twenty_readings.py``.

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evidence import EvidenceRegistry
from assistant.guardrails.efficacy import EfficacyDetector
from assistant.types import Turn
from assistant.understanding import Understander

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"

RULES = EfficacyDetector(classifier=False)


def test_efficacy__the_numbers_on_a_treatment_are_asked_not_numbness() -> None:
    earlier = [Turn(role="user", content="what do they do in the arterial surgery?")]
    assert RULES.detect("and the numbers on that one?", "and the numbers on that one?", earlier)


def test_efficacy__the_operations_own_length_is_no_follow_up_of_efficacy() -> None:
    earlier = [Turn(role="user", content="la chirurgie des migraines, ça marche ?")]
    question = "et l'opération dure combien de temps ?"
    assert not RULES.rules(question, question, earlier)


@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander(EvidenceRegistry.load(KNOWLEDGE / "evidence-registry.yaml"))


@pytest.mark.parametrize(
    "question",
    [
        # a practitioner named as who spoke
        "depuis ma chute j'ai mal derrière la tête, ça peut venir de la chute ? le kiné parle "
        "du nerf d'Arnold",
        # a medicine taken for months that does not help yet, then the operation asked about
        "ich nehme seit drei Monaten Topiramat, hilft noch nicht so richtig. Bin ich schon "
        "ein Fall für die Migräne-OP?",
        "il propranololo non mi aiuta ancora molto. quando si pensa all'intervento?",
    ],
)
def test_understanding__a_treatment_only_told_is_not_the_treatment_asked(
    understander: Understander, question: str
) -> None:
    read = understander.understand(question, [])
    assert read.treatments and all(t.background for t in read.treatments), read.treatments


def test_understanding__on_average_is_no_incision(understander: Understander) -> None:
    read = understander.understand("wie viele Schmerztage weniger sind es im Schnitt?", [])
    assert "how_done" not in read.facets, read.facets
    read = understander.understand("wie lang ist der Schnitt am Hinterkopf?", [])
    assert "how_done" in read.facets, read.facets


def test_understanding__a_reason_to_be_offered_surgery_asks_who_it_suits(
    understander: Understander,
) -> None:
    read = understander.understand(
        "si las pastillas me sientan fatal, ¿es motivo para que me planteen la cirugía?", []
    )
    assert "who_suits" in read.facets, read.facets


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("mia nonna si era fatta operare alle tempie, cosa facevano esattamente?", "how_done"),
        ("in che casi si propone l'intervento invece di un altro farmaco?", "who_suits"),
        ("dans quels cas on propose la chirurgie plutôt qu'un autre traitement ?", "who_suits"),
        ("antes de operarme, q mas puedo probar?", "alternatives"),
        (
            "mein Nacken ist verspannt, kann das der Grund für die Schmerzen am Hinterkopf sein?",
            "causes",
        ),
    ],
)
def test_understanding__lay_questions_find_their_facet(
    understander: Understander, question: str, facet: str
) -> None:
    read = understander.understand(question, [])
    assert facet in read.facets, (question, read.facets)


@pytest.mark.parametrize(
    ("question", "procedure"),
    [
        # a device that sends current to a nerve
        (
            "the pain clinic mentioned an electrical implant for the nerve, does that help?",
            "nerve-and-spinal-cord-stimulation",
        ),
        (
            "de pijnpoli wil een stroomkastje bij mijn zenuw plaatsen, wat houdt dat in?",
            "nerve-and-spinal-cord-stimulation",
        ),
        (
            "o médico falou de um aparelhinho de choque no nervo da nuca, como é isso?",
            "nerve-and-spinal-cord-stimulation",
        ),
        (
            "mi hanno parlato di elettrostimolazione del nervo occipitale, come funziona?",
            "nerve-and-spinal-cord-stimulation",
        ),
        # freeing the nerve at the back of the head
        (
            "hilft eine Nervenbefreiung am Hinterkopf gegen meine Schmerzen?",
            "occipital-nerve-decompression-migone",
        ),
        (
            "wat houdt het in, de zenuw in mijn achterhoofd vrijmaken?",
            "occipital-nerve-decompression-migone",
        ),
        (
            "how long is the recovery from a nerve release at the back of the head?",
            "occipital-nerve-decompression-migone",
        ),
        # the nerve's Latin name, and a decompression named as an operation
        (
            "wie viele Schmerztage weniger bringt die Dekompression am Nervus occipitalis?",
            "occipital-nerve-decompression-migone",
        ),
    ],
)
def test_understanding__lay_names_of_a_procedure_name_it(
    understander: Understander, question: str, procedure: str
) -> None:
    read = understander.understand(question, [])
    assert procedure in read.procedures, (question, read.procedures)


def test_understanding__a_headband_with_current_is_not_an_implanted_stimulator(
    understander: Understander,
) -> None:
    read = understander.understand(
        "die Apothekerin empfiehlt so ein Stirnband, das Ding mit dem Strom, hilft das?", []
    )
    assert "nerve-and-spinal-cord-stimulation" not in read.procedures, read.procedures


def test_understanding__a_reason_for_an_operation_is_not_a_cause(
    understander: Understander,
) -> None:
    read = understander.understand(
        "die Tabletten wirken kaum noch, ist das ein Grund für eine Operation?", []
    )
    assert "causes" not in read.facets, read.facets
