"""Turn a follow-up question into a standalone query, without a generative model.

A question that names its own topic stays as it is. Otherwise the most recent topic of the
conversation (a procedure from the evidence registry, else the content words of the last user
turn that had any) takes the place of the question's pronoun ("How long does it take?" ->
"How long does the M.I.G.O.N.E. procedure take?"), or is added to the end of the question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.evidence import EvidenceRegistry
from assistant.text import STOPWORDS, words
from assistant.types import Turn

if TYPE_CHECKING:
    from assistant.understanding import Understander

_REFERRING = re.compile(
    r"\b(?:(?:this|that|the|these|those)\s+(?:procedure|surgery|operation|treatment|therapy|"
    r"technique|method|intervention|option)s?|it|this|that|they|them)\b",
    re.IGNORECASE,
)
# Words that carry no topic of their own: question words and generic medical words.
_GENERIC = STOPWORDS | frozenset(
    [
        "procedure",
        "procedures",
        "surgery",
        "surgeries",
        "operation",
        "treatment",
        "treatments",
        "therapy",
        "option",
        "work",
        "works",
        "working",
        "worth",
        "cure",
        "cures",
        "help",
        "helps",
        "effective",
        "long",
        "take",
        "takes",
        "cost",
        "costs",
        "safe",
        "risk",
        "risks",
        "recovery",
        "happen",
        "happens",
        "done",
        "best",
        "good",
        "bad",
        "like",
        "need",
        "want",
        "think",
        "said",
        "say",
        "says",
        "thanks",
        "thank",
        "ok",
        "okay",
        "yes",
        "hi",
        "hello",
    ]
)
_TOPIC_TAIL = re.compile(r"^\s*(procedure|surgery|therapy|treatment|operation)\b", re.IGNORECASE)


def _topic_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in _GENERIC and len(w) > 2 and not w.isdigit()]


class QueryRewriter:
    """Rule-based follow-up rewriting with the registry's procedure names as topics."""

    def __init__(
        self,
        registry: EvidenceRegistry,
        max_topic_words: int = 6,
        understander: Understander | None = None,
    ) -> None:
        self.registry = registry
        self.max_topic_words = max_topic_words
        self.understander = understander

    def topic_of(self, text: str) -> str | None:
        """The first procedure named in ``text``, as a phrase to put in a query."""
        found = self.registry.find(text)
        return found[0].display_name if found else None

    def expand(self, query: str) -> str:
        """The query with the registry's name for each procedure it names by another alias
        ("how long does migone take" -> "... (M.I.G.O.N.E. procedure)"), for dense retrieval."""
        names = [
            p.display_name
            for p in self.registry.find(query)
            if p.display_name.lower() not in query.lower()
        ]
        return f"{query} ({', '.join(names)})" if names else query

    def is_follow_up(self, question: str) -> bool:
        """True when the question leans on earlier turns for its topic."""
        if self.registry.find(question):
            return False
        content = _topic_words(question)
        return bool(_REFERRING.search(question)) or len(content) <= 1

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        question = question.strip()
        if not history:
            return question
        if self.understander is not None:
            # Any language, lay names included: a question whose topic comes from the
            # conversation gets that topic (or the earlier turn's words) in brackets.
            u = self.understander.understand(question, history)
            if u.language != "en" or (u.follow_up and not self.is_follow_up(question)):
                if u.procedures_from == "history":
                    names = self.understander.display_names(u.procedures)
                    return f"{question.rstrip()} ({', '.join(names)})"
                if u.follow_up and u.english_terms and not u.procedures:
                    return f"{question.rstrip()} ({'; '.join(u.english_terms)})"
                if u.language != "en":
                    return question
        if not self.is_follow_up(question):
            return question
        topic = None
        if self.understander is not None and u.procedures_from == "history":
            # The conversation's procedure as the understanding reads it (lay names included:
            # "the op where they burn the blood vessels" is arterial surgery).
            topic = ", ".join(self.understander.display_names(u.procedures))
        topic = topic or self._history_topic(history)
        if not topic:
            return question
        match = _REFERRING.search(question)
        if not match:
            return f"{question.rstrip()} ({topic})"
        phrase = topic
        if " " not in match.group(0) and _TOPIC_TAIL.search(topic.rsplit(" ", 1)[-1]):
            phrase = "the " + topic  # "does it take" -> "does the M.I.G.O.N.E. procedure take"
        return question[: match.start()] + phrase + question[match.end() :]

    def _history_topic(self, history: Sequence[Turn]) -> str | None:
        users = [t.content for t in reversed(history) if t.role == "user"]
        for text in users:
            topic = self.topic_of(text)
            if topic:
                return topic
        for text in users:
            content = _topic_words(text)
            if content:
                return " ".join(content[: self.max_topic_words])
        return None
