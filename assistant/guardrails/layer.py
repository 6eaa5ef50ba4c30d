"""The guardrail layer: runs in code after the answer is composed, whatever composed it.

Order: triage decides the status (emergency > urgent > declined > the draft's own); an
emergency or urgent answer carries its message only, with no quotes after it. The efficacy
detector looks at the question, the standalone question, the history and (when given) the
embedding the retriever computed for the question; the caveat is attached whenever the
question is about efficacy or the final answer states outcomes, with an entry for each
treatment asked about. Nothing in a question, a document or a generator's output can switch
these rules off: they read the text only to classify it, never to take instructions from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.evidence import EvidenceRegistry
from assistant.guardrails.caveat import (
    asked_subjects,
    build_caveat,
    evidence_for,
    with_answer_procedures,
)
from assistant.guardrails.efficacy import EfficacyDetector, normalise, states_outcomes
from assistant.guardrails.efficacy_rules import names_treatment
from assistant.guardrails.treatments import TreatmentCatalogue, default_catalogue
from assistant.guardrails.triage import is_personal_decision, triage, triage_message
from assistant.types import Answer, Turn


class GuardrailLayer:
    """Applies triage and the evidence-status caveat to a composed Answer."""

    def __init__(
        self,
        registry: EvidenceRegistry,
        detector: EfficacyDetector | None = None,
        catalogue: TreatmentCatalogue | None = None,
    ) -> None:
        self.registry = registry
        self.detector = detector or EfficacyDetector()
        self.catalogue = catalogue or default_catalogue()

    def apply(
        self,
        answer: Answer,
        history: Sequence[Turn] = (),
        vector: Any = None,
        model_id: str | None = None,
    ) -> Answer:
        question, standalone = answer.question, answer.standalone_question
        update: dict[str, object] = {}
        flag = triage(question, history)
        if flag is not None:
            # The first thing said is where to get care; nothing else competes with it.
            text = triage_message(flag.level, answer.language)
            update.update(status=flag.level, answer=text, citations=[])
        elif is_personal_decision(question):
            general = answer.answer if answer.status == "answered" else ""
            text = triage_message("declined", answer.language)
            if general:
                text += "\n\n" + triage_message("declined_general", answer.language)
                text += "\n\n" + general
            update.update(
                status="declined",
                answer=text,
                citations=answer.citations if general else [],
            )
        final_status = str(update.get("status", answer.status))
        citations = update.get("citations", answer.citations)
        # A symptom report is an efficacy question only in so many words ("does surgery help?"):
        # the classifier, which reads the whole message, is not asked about it.
        # Nor do its symptom words ("a headache that won't go away") count without a treatment.
        efficacy = self.detector.detect(
            question, standalone, history, None if flag else vector, model_id
        ) and (flag is None or names_treatment(normalise(question)))
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
