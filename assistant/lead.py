"""The plain-language lead of an answer (``Answer.summary``), for patients, before the quotes.

Written only from reviewed texts, never at run time: the ``lead`` group of
``assistant/resources/messages/<language>.yaml`` holds, per language, one plain verdict per
registry procedure (and for migraine surgery in general and for treatments the sources do not
assess), the sentence that says which kinds of source answer a question, and the one-line
leads of refusals and emergencies. Each lead is short and plain (reading grade 8 or below;
the eval suite measures it). A lead that speaks about sources carries the markers of the
citations it speaks about, so it is checked like any other sentence: it points only at quotes
that are in the answer.
"""

from __future__ import annotations

from collections.abc import Mapping

from assistant.evidence import EvidenceRegistry
from assistant.messages import Messages, messages
from assistant.types import Answer, Citation, EvidenceStatus, marker

SOURCE_ORDER = ("curated-evidence", "reference", "clinic-marketing", "practice-blog")
MARKETING = frozenset({"clinic-marketing", "practice-blog"})
NOT_ASSESSED = "not-assessed"


def _markers(citations: list[Citation]) -> str:
    return "".join(marker(c.n) for c in citations)


def plain_verdict(words: Messages, entry: EvidenceStatus, ids: Mapping[str, str]) -> str:
    """The reviewed plain verdict on one caveat entry (``ids``: registry name -> id)."""
    if entry.tier == NOT_ASSESSED:
        name = entry.procedure.split(" (")[0]  # without "(you asked about ...)"
        if name[:1].isupper() and (name[1:2].islower() or name[1:2] == " "):
            # "Magnesium supplements", "A diet" inside a sentence
            name = name[:1].lower() + name[1:]
        text = str(words.sub("verdicts", NOT_ASSESSED) or "").format(treatment=name)
    else:
        key = ids.get(entry.procedure, "general")
        text = str(words.sub("verdicts", key) or words.sub("verdicts", "general") or "")
    return " ".join(text.split())


class LeadWriter:
    """Chooses and fills the lead of an answer from the reviewed texts of its language."""

    def __init__(self, registry: EvidenceRegistry) -> None:
        self._ids = {p.name: p.id for p in registry.procedures}

    def write(self, answer: Answer) -> str | None:
        """The lead for ``answer`` (after the guardrails), in ``answer.language``."""
        words = messages(answer.language)
        if answer.status in ("emergency", "urgent", "declined"):
            return self._line(words, answer.status)
        if answer.efficacy_question and answer.evidence:
            # The verdict, also when the sources quote nothing about the treatment asked.
            return self._verdict(words, answer)
        if answer.status == "no_evidence":
            return self._line(words, answer.status)
        return self._sources(words, answer.citations)

    @staticmethod
    def _line(words: Messages, key: str) -> str | None:
        text = words.sub("lead", key)
        return " ".join(str(text).split()) if text else None

    def _verdict(self, words: Messages, answer: Answer) -> str | None:
        text = plain_verdict(words, answer.evidence[0], self._ids)
        if not text:
            return None
        # The verdict rests on the evidence registry; a quoted summary of studies supports it.
        studies = [c for c in answer.citations if c.source_kind == "curated-evidence"][:2]
        return f"{text} {_markers(studies)}".strip() if studies else text

    def _sources(self, words: Messages, citations: list[Citation]) -> str | None:
        if not citations:
            return None
        groups: dict[str, list[Citation]] = {}
        for c in citations:
            kind = c.source_kind if c.source_kind in SOURCE_ORDER else "other"
            groups.setdefault(kind, []).append(c)
        kinds = sorted(groups, key=lambda k: SOURCE_ORDER.index(k) if k in SOURCE_ORDER else 9)
        who = [f"{words.sub('lead_who', k) or k} {_markers(groups[k])}" for k in kinds]
        key = "one_kind" if len(kinds) == 1 else "several_kinds"
        text = str(words.sub("lead", key) or "").format(who=words.join(who))
        text = text[:1].upper() + text[1:]
        if MARKETING & set(kinds):
            text += " " + str(words.sub("lead", "marketing_note") or "")
        return " ".join(text.split())
