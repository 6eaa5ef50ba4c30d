"""The guardrail layer: runs in code after the answer is composed, whatever composed it.

The question is read once (``read``, a ``GuardReading``), before anything is composed, so the
service knows the status before it writes: triage by symptom concepts (``triage``), backed by a
learned red-flag classifier over the question's multilingual embedding (``classifiers``); the
personal-decision check; efficacy detection by rules, backed by a learned classifier over the
same encoder's reading of the standalone question. ``apply`` then enforces it on the composed
answer. Order: triage decides the status (emergency > urgent > declined > the draft's own; an
off-topic request the sources hold nothing for is declined too, ``scope``); an
emergency or urgent answer carries its message only, with no quotes after it. The caveat is
attached whenever the question is about efficacy or the final answer states outcomes, with an
entry for each treatment asked about. Nothing in a question, a document or a generator's output
can switch these rules off: they read the text only to classify it, never to take instructions
from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.evidence import EvidenceRegistry
from assistant.guardrails.caveat import (
    asked_subjects,
    build_caveat,
    evidence_for,
    with_answer_procedures,
)
from assistant.guardrails.classifiers import (
    LinearClassifier,
    red_flag_classifier,
    triage_text,
)
from assistant.guardrails.efficacy import EfficacyDetector, normalise, states_outcomes
from assistant.guardrails.efficacy_rules import names_treatment
from assistant.guardrails.encoder import QuestionEncoder, default_encoder
from assistant.guardrails.scope import off_topic, writing_request
from assistant.guardrails.treatments import TreatmentCatalogue, default_catalogue
from assistant.guardrails.triage import (
    Level,
    TriageResult,
    asks_a_dose,
    is_personal_decision,
    red_flags,
    triage,
    triage_message,
)
from assistant.types import Answer, Status, Turn

LEARNED = "learned"  # the concept named when only the red-flag classifier fired


def names_symptom(question: str, history: Sequence[Turn] = ()) -> bool:
    """Whether the message, or the patient's previous one, names a symptom term of
    ``red_flags.yaml``: neither a context term (a pregnancy, an operation) nor a term that only
    cancels a concept ("my usual aura", "I faint when I see blood", "checked and fine")."""
    flags = red_flags()
    earlier = [t.content for t in history if t.role == "user"][-1:]
    return any(
        name in flags.symptom_terms
        for text in (*earlier, question)
        for name in flags.present(normalise(text))
    )


_WOUND_ONLY = frozenset({"wound", "healed"})
"""Symptom terms that tell of the wound alone: a message naming no other, with the wound said to
be clean, tells of nothing but the wound."""


def rules_out_warning_signs(question: str) -> bool:
    """Whether the message itself rules out the warning signs of a wound: the wound clean,
    closed, not red or not bleeding, and either no fever ("geen koorts, niet rood, bloedt niet")
    or no symptom named but the wound ("itching along the incision, clean and dry, no
    redness"). What it tells is then ordinary recovery, which the learned layer, reading the
    operation words, could take for a complication; the concept rules still read it."""
    flags = red_flags()
    present = flags.present(normalise(question))
    if "clean_wound" not in present:
        return False
    if "denied_fever" in present:
        return True
    return all(flags.terms[name].context or name in _WOUND_ONLY for name in present)


@dataclass(frozen=True)
class GuardReading:
    """What the guardrails read in a question, once, before anything is composed."""

    triage: TriageResult | None
    personal_decision: bool
    efficacy: bool
    off_topic: bool = False
    writing_request: bool = False
    """The question asks for a text to be written (a letter, a poem): declined, whatever the
    sources hold."""
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)
    """The standalone question's multilingual encoding (None when a red-flag rule fired or
    the layer reads without its encoder): the answer matches sentences with it as well."""

    @property
    def fixed_status(self) -> Status | None:
        """The status the guardrails' own message gives, whatever is composed."""
        if self.triage is not None:
            return self.triage.level
        return "declined" if self.personal_decision else None

    def status_for(self, composed: Status) -> Status:
        """The final status over a composed one: the fixed status, else a request to write a
        text or an off-topic request that the sources hold nothing for is declined, else the
        composed status."""
        if self.fixed_status is not None:
            return self.fixed_status
        if self.writing_request:
            return "declined"
        return "declined" if self.off_topic and composed == "no_evidence" else composed


STANDALONE_ROW, TRIAGE_ROW = 0, 1
"""Which of ``GuardrailLayer.encoded_texts`` each learned layer reads."""


class _Rows:
    """The encoder's rows of a question's ``encoded_texts``, each encoded when first read (a
    text given twice, as a first message is, once)."""

    def __init__(self, encoder: QuestionEncoder, texts: Sequence[str]) -> None:
        self._encoder = encoder
        self._texts = list(texts)
        self._by_text: dict[str, np.ndarray] = {}

    def __getitem__(self, index: int) -> np.ndarray:
        text = self._texts[index]
        if text not in self._by_text:
            self._by_text[text] = self._encoder.encode([text])[0]
        return self._by_text[text]


class GuardrailLayer:
    """Reads a question for triage and efficacy, and applies both to a composed Answer.

    ``encoder`` reads the question for the learned layers; ``learned=False`` (or no encoder)
    leaves the rules to decide alone.
    """

    def __init__(
        self,
        registry: EvidenceRegistry,
        detector: EfficacyDetector | None = None,
        catalogue: TreatmentCatalogue | None = None,
        encoder: QuestionEncoder | None = None,
        red_flags: LinearClassifier | None = None,
        learned: bool = True,
    ) -> None:
        self.registry = registry
        self.detector = detector or EfficacyDetector(classifier=learned)
        self.catalogue = catalogue or default_catalogue()
        self.encoder = (encoder or default_encoder()) if learned else None
        self.red_flags = (red_flags or red_flag_classifier()) if learned else None

    def _learned_triage(
        self, rows: _Rows, question: str, history: Sequence[Turn]
    ) -> TriageResult | None:
        """The red-flag classifier's level, when the message (or the patient's previous one)
        names a symptom of the red-flag vocabulary and the classifier flags it: the classifier
        recognises combinations worded in ways the concept rules do not know, never a text with
        no symptom in it (a message of nonsense is no emergency). The message is encoded only
        when it names a symptom."""
        if self.red_flags is None:
            return None
        if not names_symptom(question, history) or rules_out_warning_signs(question):
            return None
        vector = rows[TRIAGE_ROW]
        if not self.red_flags.flags(vector):
            return None
        p = self.red_flags.probabilities(vector)
        level: Level = "emergency" if p["emergency"] >= p["urgent"] else "urgent"
        return TriageResult(level=level, concepts=(LEARNED,))

    @staticmethod
    def encoded_texts(question: str, standalone: str, history: Sequence[Turn] = ()) -> list[str]:
        """What the learned layers read: the standalone question (efficacy, and the answer's
        sentence matching) and the message with the patient's previous one (red flags)."""
        return [standalone, triage_text(question, history)]

    def read(
        self,
        question: str,
        standalone: str,
        history: Sequence[Turn] = (),
        keep_vector: bool = True,
    ) -> GuardReading:
        """Triage, personal decision and efficacy of one question, read once. The encoder reads
        a text only when a classifier is asked about it, or, with ``keep_vector``, to carry the
        standalone question's encoding for the answer (a measurement of the guardrails alone
        does without it)."""
        flag = triage(question, history)
        asks_for_text = writing_request(question)
        rows = None
        if self.encoder is not None and flag is None:  # a rule fired: no classifier is asked
            rows = _Rows(self.encoder, self.encoded_texts(question, standalone, history))
        # A request for a text ("write a report saying I need the surgery urgently") reports
        # nothing happening: only the concept rules read it, not the classifier.
        if rows is not None and not asks_for_text:
            flag = self._learned_triage(rows, question, history)
        # A symptom report is an efficacy question only in so many words ("does surgery help?"):
        # the classifier, which reads the whole message, is not asked about it.
        # Nor do its symptom words ("a headache that won't go away") count without a treatment.
        efficacy = False
        if flag is None or names_treatment(normalise(question)):
            decided = self.detector.decided_by_rules(question, standalone, history)
            if decided is not None:
                efficacy = decided
            elif flag is None and rows is not None:
                vector = rows[STANDALONE_ROW]
                efficacy = self.detector.classifier_flags(question, standalone, vector)
        personal = flag is None and is_personal_decision(question)
        return GuardReading(
            triage=flag,
            personal_decision=personal,
            efficacy=efficacy,
            off_topic=flag is None
            and not personal
            and off_topic(question, history, self.registry, self.catalogue),
            writing_request=flag is None and not personal and asks_for_text,
            vector=np.asarray(rows[STANDALONE_ROW]) if rows is not None and keep_vector else None,
        )

    def apply(
        self,
        answer: Answer,
        history: Sequence[Turn] = (),
        reading: GuardReading | None = None,
    ) -> Answer:
        """Enforce the reading (made here when not given) on the composed answer."""
        question, standalone = answer.question, answer.standalone_question
        reading = reading or self.read(question, standalone, history)
        update: dict[str, object] = {}
        flag = reading.triage
        if flag is not None:
            # The first thing said is where to get care; nothing else competes with it.
            text = triage_message(flag.level, answer.language)
            update.update(status=flag.level, answer=text, citations=[])
        elif reading.personal_decision:
            # A dose asked gets no general section: the sources give no doses.
            answered = answer.status == "answered" and not asks_a_dose(question)
            general = answer.answer if answered else ""
            text = triage_message("declined", answer.language)
            if general:
                text += "\n\n" + triage_message("declined_general", answer.language)
                text += "\n\n" + general
            update.update(
                status="declined",
                answer=text,
                citations=answer.citations if general else [],
            )
        elif reading.status_for(answer.status) == "declined":
            # A text to write, or off topic and nothing in the sources: said so, with nothing
            # quoted.
            kind = "writing_request" if reading.writing_request else "out_of_scope"
            text = triage_message(kind, answer.language)
            update.update(status="declined", answer=text, citations=[])
        final_status = str(update.get("status", answer.status))
        citations = update.get("citations", answer.citations)
        efficacy = reading.efficacy
        # Only text composed from the sources counts here; the fixed messages never do.
        sourced = answer.answer if final_status in ("answered", "declined") else ""
        sourced = sourced if answer.status == "answered" else ""
        outcomes = bool(sourced) and states_outcomes(sourced)
        if efficacy or outcomes:
            subjects = asked_subjects(self.registry, question, standalone, history, self.catalogue)
            if outcomes:
                subjects = with_answer_procedures(self.registry, subjects, sourced)
            evidence = evidence_for(self.registry, subjects, self.catalogue)
            update.update(
                caveat=build_caveat(
                    evidence,
                    citations,  # type: ignore[arg-type]
                    self.catalogue,
                    self.registry,
                    answer.language,
                ),
                evidence=evidence,
            )
        else:
            update.update(caveat=None, evidence=[])
        update["efficacy_question"] = efficacy
        return answer.model_copy(update=update)
