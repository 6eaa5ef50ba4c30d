"""The chat's HTML: answer cards (labels in the answer's language), drafts, the alert above
the page, the Sources panel and the page's own blocks (labels in the page's language)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gradio as gr

from assistant.types import Answer
from assistant.ui.labels import labels
from assistant.ui.templates import environment, one_block, render_html
from assistant.ui.views import (
    ALERT_STATUSES,
    STATUSES_WITH_NOTE,
    answer_view,
    caveat_view,
    citation_view,
    paragraphs,
)


def render_answer(
    answer: Answer, turn: int, feedback: str | None = None, commented: bool = False
) -> str:
    """One answer as HTML for the chat: summary, text with linked markers, caveat box, source
    cards, Copy, and the acknowledgement of the patient's feedback (and comment); its labels
    in the answer's language."""
    view = answer_view(answer, turn, feedback, commented)
    return render_html("answer.html.j2", a=view, t=view["t"])


def render_question(question: str) -> str:
    return render_html("question.html.j2", question=question)


def render_caveat(caveat: str, language: str = "en") -> str:
    """The evidence caveat in its own box, references folded away."""
    module = (
        environment("html").get_template("_macros.html.j2").make_module({"t": labels(language)})
    )
    return one_block(str(module.caveat_box(caveat_view(caveat))))  # type: ignore[attr-defined]


def render_draft(text: str, status: str | None, turn: int, language: str = "en") -> str:
    """An answer while it is being written: its text so far, markers not yet linked.

    Only sentences that passed verification arrive here; the final render (``render_answer``)
    replaces this, with the sources linked and the evidence-status box.
    """
    t = labels(language)
    return render_html(
        "draft.html.j2",
        t=t,
        turn=turn,
        status=status,
        note=t(f"status_{status}") if status in STATUSES_WITH_NOTE else None,
        alert=status in ALERT_STATUSES,
        paragraphs=paragraphs(text, set()) if text.strip() else [],
        drafting_note=t("drafting"),
    )


def render_alert(answer: Answer | None) -> str:
    """The alert above the page for an ``emergency`` answer (red) or an ``urgent`` one (amber-red,
    see a doctor today): a headline and at most three steps; empty otherwise."""
    if answer is None or answer.status not in ALERT_STATUSES:
        return ""
    view = answer_view(answer, 0)
    return render_html(
        "alert.html.j2",
        t=view["t"],
        urgent=answer.status == "urgent",
        title=view["t"](f"alert_{answer.status}"),
        steps=view["steps"],
        lang=view["lang"],
    )


def _shown(turn: dict[str, Any]) -> bool:
    return bool(turn["answer"]["citations"]) and turn["answer"]["status"] not in ALERT_STATUSES


def render_sources(turns: Sequence[dict[str, Any]], language: str = "en") -> str:
    """The sources panel: the latest answer's citations, then earlier answers' (collapsed);
    its labels in the page's language."""
    t = labels(language)
    groups = [
        {
            "turn": turn["turn"],
            "question": turn["answer"]["question"],
            "citations": [citation_view(c, t) for c in turn["answer"]["citations"]],
        }
        for turn in reversed([turn for turn in turns if _shown(turn)])
    ]
    return render_html("sources.html.j2", groups=groups, t=t)


def about_html(language: str = "en") -> str:
    return render_html("about.html.j2", t=labels(language))


def footer_html(store_questions: bool, language: str = "en") -> str:
    return render_html("footer.html.j2", store_questions=store_questions, t=labels(language))


def storage_note_html(language: str = "en") -> str:
    return render_html("storage_note.html.j2", t=labels(language))


def feedback_hint_html(language: str = "en") -> str:
    return render_html("feedback_hint.html.j2", t=labels(language))


def examples_title_html(language: str = "en") -> str:
    return render_html("examples_title.html.j2", t=labels(language))


def render_conversation(turns: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The chat as shown, rebuilt from the session's turns: the question, the rendered answer."""
    conversation: list[dict[str, str]] = []
    for t in turns:
        answer = Answer.model_validate(t["answer"])
        conversation.append({"role": "user", "content": render_question(answer.question)})
        conversation.append(
            {
                "role": "assistant",
                "content": render_answer(
                    answer, t["turn"], t.get("feedback"), bool(t.get("commented"))
                ),
            }
        )
    return conversation


def _feedback_value(turns: Sequence[dict[str, Any]]) -> list[str | None]:
    values = {"helpful": "Like", "not helpful": "Dislike"}
    return [values.get(t.get("feedback") or "") for t in turns]


def chat_update(
    turns: Sequence[dict[str, Any]], pending: Sequence[dict[str, str]] = ()
) -> gr.Chatbot:
    """The chatbot's new value (and each answer's thumbs state), rebuilt from the turns."""
    messages: list[Any] = [*render_conversation(turns), *pending]
    return gr.Chatbot(
        value=messages,
        feedback_value=_feedback_value(turns) + [None] * (len(pending) // 2),
    )
