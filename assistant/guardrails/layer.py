"""The guardrail layer: runs in code after the answer is composed, whatever composed it.

Order: triage decides the status (emergency > declined > the draft's own), the efficacy
detector looks at the question, the standalone question and the history, and the caveat is
attached whenever the question is about efficacy or the final answer states outcomes. Nothing
in a question, a document or a generator's output can switch these rules off: they read the
text only to classify it, never to take instructions from it.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.evidence import EvidenceRegistry
from assistant.guardrails.caveat import build_caveat, evidence_for
from assistant.guardrails.efficacy import EfficacyDetector, states_outcomes
from assistant.guardrails.triage import (
    DECLINED_MESSAGE,
    EMERGENCY_MESSAGE,
    is_personal_decision,
    is_red_flag,
)
from assistant.types import Answer, Turn


class GuardrailLayer:
    """Applies triage and the evidence-status caveat to a composed Answer."""

    def __init__(self, registry: EvidenceRegistry) -> None:
        self.registry = registry
        self.detector = EfficacyDetector()

    def apply(self, answer: Answer, history: Sequence[Turn] = ()) -> Answer:
        question, standalone = answer.question, answer.standalone_question
        update: dict[str, object] = {}
        if is_red_flag(question):
            # The first thing said is to seek emergency care; nothing else competes with it.
            update.update(status="emergency", answer=EMERGENCY_MESSAGE, citations=[])
        elif is_personal_decision(question):
            general = answer.answer if answer.status == "answered" else ""
            text = DECLINED_MESSAGE
            if general:
                text += "\n\nWhat my sources say in general:\n\n" + general
            update.update(
                status="declined",
                answer=text,
                citations=answer.citations if general else [],
            )
        final_text = str(update.get("answer", answer.answer))
        citations = update.get("citations", answer.citations)
        efficacy = self.detector.detect(question, standalone, history)
        if efficacy or states_outcomes(final_text):
            procedures = self.registry.find(standalone) or self.registry.find(question)
            if not procedures:
                for turn in reversed(history):
                    procedures = self.registry.find(turn.content)
                    if procedures:
                        break
            procedures = procedures or self.registry.find(final_text)[:2]
            evidence = evidence_for(self.registry, procedures)
            update.update(
                caveat=build_caveat(evidence, citations),  # type: ignore[arg-type]
                evidence=evidence,
            )
        else:
            update.update(caveat=None, evidence=[])
        update["efficacy_question"] = efficacy
        return answer.model_copy(update=update)
