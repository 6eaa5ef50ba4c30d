"""Scope: whether a conversation is about health at all.

An off-topic request (a recipe, a letter to a landlord, a football score) is declined with the
out-of-scope message instead of a "not in my sources" that suggests the sources might one day
hold it, and never answered with a loosely related quote. The conversation is in scope when the
question or one of the patient's earlier messages names a procedure of the evidence registry
(an alias or a lay description), a treatment of the catalogue, a term of the red-flag
vocabulary that names something medical (a symptom, a pregnancy, an operation; not a
qualifier such as "yesterday" or "sudden") or a health word of ``data/scope.yaml``
(seven languages). The check only ever turns a "not in my sources" into "declined": an answer
the sources hold is given whatever words the question uses.

A request to write something for the patient (a letter to an insurer, a sick note, a poem, a
recipe) is declined whatever it is about (:func:`writing_request`): the assistant answers
questions from its sources and writes no texts for anyone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.evidence import EvidenceRegistry
from assistant.guardrails.treatments import TreatmentCatalogue
from assistant.guardrails.triage import red_flags
from assistant.question import sentences_of
from assistant.text import normalise
from assistant.types import Turn

SCOPE_FILE = Path(__file__).resolve().parent / "data" / "scope.yaml"


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    """``data/scope.yaml``, read once."""
    data: dict[str, Any] = yaml.safe_load(SCOPE_FILE.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def _scope() -> tuple[re.Pattern[str], frozenset[str]]:
    data = _data()
    words = re.compile("|".join(f"(?:{p})" for p in data["health"]), re.IGNORECASE)
    terms = frozenset(data["red_flag_terms"])
    unknown = terms - set(red_flags().terms)
    if unknown:
        raise ValueError(f"{SCOPE_FILE.name} names unknown red-flag terms {sorted(unknown)}")
    return words, terms


@lru_cache(maxsize=1)
def _writing() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    data = _data()["writing_requests"]
    verb, ask, text = data["verbs"], data["asks"], data["texts"]
    # an unstressed pronoun may come first ("mi scrivi una mail?", "me passa uma dieta"); the
    # request may open the clause after a comma ("preciso de um favor, me faz um atestado")
    opens = re.compile(rf"(^|[,;:]\s*)\W*({ask}\W+)?((mi|me|ci|nos|mir|uns|moi) )?{verb}\b")
    # the verb within the sentence's next words ("kannst du mir eine Krankmeldung schreiben")
    asked = re.compile(rf"\b({ask})\b.{{0,80}}?\b{verb}\b")
    return opens, asked, re.compile(rf"\b{text}\b")


def writing_request(question: str) -> bool:
    """Whether a sentence of ``question`` asks for a text to be written: it names a text (a
    letter, a message, a poem, a recipe) and opens with a writing verb ("write me ...", "dame
    una receta") or asks for one ("can you ... write", "kannst du mir eine Krankmeldung
    schreiben"), or asks for entertainment to pass the time ("recomiéndame series")."""
    opens, asked, text = _writing()
    pastime = re.compile(_data()["recommendations"])
    for sentence in map(normalise, sentences_of(question)):
        if text.search(sentence) and (opens.search(sentence) or asked.search(sentence)):
            return True
        if pastime.search(sentence):
            return True
    return False


def health_words() -> re.Pattern[str]:
    """The health words of ``data/scope.yaml``, compiled as one pattern."""
    return _scope()[0]


def names_health(text: str, registry: EvidenceRegistry, catalogue: TreatmentCatalogue) -> bool:
    """Whether ``text`` names anything of the assistant's domain."""
    folded = normalise(text)
    return bool(
        health_words().search(folded)
        or registry.find(text)
        or catalogue.find(text)
        or red_flags().present(folded) & _scope()[1]
    )


def off_topic(
    question: str,
    history: Sequence[Turn],
    registry: EvidenceRegistry,
    catalogue: TreatmentCatalogue,
) -> bool:
    """Whether neither the question nor the patient's earlier messages name the domain."""
    texts = [question, *(t.content for t in history if t.role == "user")]
    return not any(names_health(text, registry, catalogue) for text in texts)
