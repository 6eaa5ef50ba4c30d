"""The default answerer: quotes the retrieved passages' own sentences, no generative model.

What a question is about and asks is read by :mod:`assistant.understanding`; the quotable units
of the retrieved passages (sentences, list items, lead-ins with their lists; tagged with their
procedures and facets, see :mod:`assistant.units`) are scored by meaning, and the few that
answer it are quoted verbatim by :mod:`assistant.selection`, grouped by document with a lead-in
that says who is speaking, each followed by its citation marker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.messages import messages
from assistant.selection import Selector, lead_in, matched_terms
from assistant.types import Draft, Passage
from assistant.understanding import Understander, Understanding
from assistant.units import UnitIndex

Idf = Callable[[str], float]

NO_EVIDENCE_MESSAGE = messages("en").text("no_evidence")

__all__ = [
    "NO_EVIDENCE_MESSAGE",
    "Evidence",
    "ExtractiveAnswerer",
    "Idf",
    "attribution",
    "matched_terms",
]


@dataclass(frozen=True)
class Evidence:
    """What an answer is composed from: the retrieved passages, the weight of a term in the
    index they come from (``idf``), and ``balance``: the question asks whether a treatment
    works, so the published evidence is quoted first and the clinics' claims beside it."""

    passages: Sequence[Passage]
    idf: Idf | None = None
    balance: bool = False


def attribution(passage: Passage) -> str:
    """Lead-in that says who is speaking (English)."""
    return lead_in(passage, messages("en"))


class ExtractiveAnswerer:
    """Composes an answer from retrieved units, verbatim, with citations.

    The one extractive composition path: the question is understood
    (:mod:`assistant.understanding`), the retrieved passages' units are scored by meaning and
    the few that answer it are quoted (:mod:`assistant.selection`).
    """

    name = "extractive"

    def __init__(
        self,
        understander: Understander,
        units: UnitIndex,
        max_sentences: int = 4,
        min_coverage: float = 0.34,
        min_dense_score: float = 0.30,
        covered: Callable[[str], bool] | None = None,
        embed: Callable[[str], np.ndarray] | None = None,
    ) -> None:
        self.max_sentences = max_sentences
        self.min_coverage = min_coverage
        self.min_dense_score = min_dense_score
        self.understander = understander
        self.selector = Selector(
            understander,
            units,
            covered=covered,
            embed=embed,
            max_units=max_sentences,
            min_coverage=min_coverage,
            min_dense_score=min_dense_score,
        )

    def answer(
        self,
        question: str,
        evidence: Evidence,
        understanding: Understanding | None = None,
        query_vector: np.ndarray | None = None,
        multilingual_vector: np.ndarray | None = None,
    ) -> Draft:
        """The answer to ``question`` from the evidence, or a precise "not in my sources".

        ``understanding`` is the question read with its conversation (read from ``question``
        alone when not given); ``query_vector`` is the embedding retrieval already made of
        the question's search text; ``multilingual_vector`` the guardrails' multilingual
        encoding of the standalone question, which units are matched with as well.
        """
        u = understanding or self.understander.understand(question)
        e = evidence
        return self.selector.answer(
            u, e.passages, e.idf, e.balance, query_vector, self.name, multilingual_vector
        )
