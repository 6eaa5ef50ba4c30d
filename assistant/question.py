"""What a question is about and asks (:class:`Understanding`), and how its sentences are read:
which of them ask (a question mark, or a last sentence that opens with a question word).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from assistant.lexicon import fold_text

FACETS = (
    "what_it_is",
    "how_done",
    "duration",
    "anaesthesia",
    "hospital_stay",
    "recovery",
    "pain_after",
    "risks",
    "worse",
    "efficacy",
    "lasting",
    "who_suits",
    "cost",
    "price",
    "pregnancy",
    "age_limit",
    "device_care",
    "alternatives",
    "diagnosis",
    "causes",
    "professional_position",
    "difference",
    "mechanism",
    "scar",
    "numbness",
    "name_meaning",
    "provider",
    "other_body",
)
GENERAL = "general"
"""Pseudo-procedure: surgery for migraine in general (a question naming no specific one)."""


# ---- the result ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TreatmentMention:
    id: str
    name: str
    """As the patient wrote it (or the lexicon's display name)."""
    english: tuple[str, ...]
    background: bool = False
    unlisted: bool = False
    """Named by its form only ("ozone therapy", "radiofrequency ablation"), not by the
    lexicon: it only matters when the sources never mention it."""


@dataclass(frozen=True)
class Understanding:
    """What a question is about and what it asks."""

    question: str
    language: str = "en"
    procedures: tuple[str, ...] = ()
    """Registry procedure ids, most relevant first; ``general`` for surgery in general."""
    procedures_from: Literal["question", "history", "none"] = "none"
    facets: tuple[str, ...] = ()
    facets_from_history: bool = False
    treatments: tuple[TreatmentMention, ...] = ()
    english_terms: tuple[str, ...] = ()
    """Search words in the sources' language: translations, facet words, procedure names."""
    follow_up: bool = False
    background_procedures: tuple[str, ...] = ()
    understood: float = 1.0
    named_as: tuple[str, ...] = ()
    """The names the question gives its procedures (folded), as written."""
    """Share of the question's content words that the lexicon or the registry knows."""

    @property
    def provider(self) -> bool:
        return "provider" in self.facets

    @property
    def other_body(self) -> bool:
        """A society or guideline named that the sources do not quote."""
        return "other_body" in self.facets

    @property
    def specific_procedures(self) -> tuple[str, ...]:
        return tuple(p for p in self.procedures if p != GENERAL)

    @property
    def scope(self) -> frozenset[str]:
        """The registry ids a quote may be about (general surgery counts as trigger-site
        surgery, as the registry's "migraine surgery" alias does)."""
        out = set(self.specific_procedures)
        if GENERAL in self.procedures:
            out.add("trigger-site-surgery")
        return frozenset(out)

    @property
    def subject_treatments(self) -> tuple[TreatmentMention, ...]:
        return tuple(t for t in self.treatments if not t.background)

    def describe(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "procedures": list(self.procedures),
            "procedures_from": self.procedures_from,
            "facets": list(self.facets),
            "treatments": [t.name for t in self.treatments],
            "follow_up": self.follow_up,
        }


_TITLES = ("dr", "dra", "drs", "mr", "mrs", "ms", "prof", "sr", "sra", "st", "pr", "dott", "dssa")
"""Titles whose dot ends no sentence ("is Dr. Smith good?")."""
_TITLE_DOT = "|".join(rf"(?<=\b{t})\.\s+" for t in (*_TITLES, r"[^\W\d_]"))
"""A title's dot, or an initial's (the last dot of M.I.G.O.N.E.), and the space after it."""
_RAW_SENTENCE = re.compile(rf"(?:[^.!?\n]|\.(?=\w)|{_TITLE_DOT})+[.!?\n]*", re.IGNORECASE)


_INTERROGATIVE = re.compile(
    r"^\W*(?:(?:and|but|so|ok|also|y|pero|et|mais|und|aber|en|maar|e|mas|ma)\s+)?"
    r"(?:what|whats|which|how|why|when|where|who|whose|is|are|was|were|do|does|did|can|could|"
    r"will|would|should|has|have|any|que|cual|como|cuando|donde|quien|cuanto|cuanta|hay|"
    r"quel|quelle|quels|quelles|comment|pourquoi|quand|ou|qui|combien|est ce|"
    r"was|welche|welcher|welches|wie|warum|wieso|wann|wo|wer|ist|sind|gibt|kann|muss|"
    r"wat|welk|welke|hoe|waarom|wanneer|waar|wie|kan|moet|heeft|"
    r"o que|qual|quais|por que|onde|quem|quanto|pode|posso|"
    r"che|cosa|quale|quali|perche|dove|chi|quanto|si puo)\b"
)


def asking(sentences: Sequence[str]) -> list[bool]:
    """Which sentences ask: those that end with a question mark, and a last sentence that
    opens with a question word (patients often leave the question mark off their last
    question; a closing remark, "sounds too good to be true", asks nothing)."""
    last = len(sentences) - 1
    return [
        s.rstrip().endswith("?")
        or (n == last and not s.rstrip().endswith(".") and bool(_INTERROGATIVE.match(fold_text(s))))
        for n, s in enumerate(sentences)
    ]


def sentences_of(text: str) -> list[str]:
    """Sentences of the original text (a dot inside a word or after an initial, as in
    M.I.G.O.N.E., or after a title, as in "Dr. Smith", does not end one)."""
    return [m.group() for m in _RAW_SENTENCE.finditer(text) if m.group().strip()]
