"""What the patient keeps: the downloads (Markdown and a printable page, headings in the
conversation's language) and the conversation kept in the tab, which comes back as text and
is validated here before it is shown again."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.types import Answer
from assistant.ui.labels import conversation_language, labels, saved_at
from assistant.ui.templates import render_page, render_text, static_text
from assistant.ui.views import answer_view
from assistant.validation import unicode_problem

# A conversation kept in the tab (sessionStorage, when the patient opts in) comes back as text;
# these bound what the server accepts.
MAX_KEPT_TURNS = 50
MAX_KEPT_CHARS = 2_000_000

EXPORTS = {
    "markdown": ("migraine-assistant-conversation.md", "text/markdown;charset=utf-8"),
    "html": ("migraine-assistant-conversation.html", "text/html;charset=utf-8"),
}


def _views(turns: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        answer_view(
            Answer.model_validate(t["answer"]),
            t["turn"],
            t.get("feedback"),
            bool(t.get("commented")),
        )
        for t in turns
    ]


def _context(turns: Sequence[dict[str, Any]], now: datetime | None) -> dict[str, Any]:
    """What both downloads show: the headings in the conversation's language (that of its
    latest question), each answer with its own labels."""
    t = labels(conversation_language(turns))
    return {"t": t, "title": t("title"), "saved": saved_at(t, now), "answers": _views(turns)}


def conversation_markdown(turns: Sequence[dict[str, Any]], now: datetime | None = None) -> str:
    """The conversation as Markdown: questions, answers, caveats and sources."""
    return render_text("conversation.md.j2", **_context(turns, now))


def conversation_page(turns: Sequence[dict[str, Any]], now: datetime | None = None) -> str:
    """The conversation as a printable HTML page, self-contained (no script, no link out but
    the sources' own pages)."""
    return render_page(
        "conversation.html.j2", **_context(turns, now), css=Markup(static_text("print.css"))
    )


def export_payload(turns: Sequence[dict[str, Any]], fmt: str) -> str:
    """The download for the browser to save, as JSON text: file name, type and content."""
    filename, mime = EXPORTS[fmt]
    text = conversation_markdown(turns) if fmt == "markdown" else conversation_page(turns)
    return json.dumps({"filename": filename, "mime": mime, "text": text}, ensure_ascii=False)


class KeptTurn(BaseModel):
    """One turn of a conversation the patient kept in the tab, as the browser sends it back."""

    model_config = ConfigDict(extra="forbid")

    answer_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    answer: Answer
    feedback: Literal["helpful", "not helpful"] | None = None
    commented: bool = False


def snapshot(turns: Sequence[dict[str, Any]]) -> str:
    """The session's turns as JSON text, for the tab to keep if the patient opted in."""
    return json.dumps(
        [
            {
                "answer_id": t["answer_id"],
                "answer": t["answer"],
                "feedback": t.get("feedback"),
                "commented": bool(t.get("commented")),
            }
            for t in turns
        ],
        ensure_ascii=False,
    )


def restore_turns(text: object) -> list[dict[str, Any]]:
    """Turns from a kept conversation's JSON text, validated field by field; [] for anything
    that is not such a conversation (all or nothing). Nothing in it can name a file: it is
    text, and what is shown is rendered here from the validated Answers."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_KEPT_CHARS:
        return []
    if unicode_problem(text) is not None:
        return []
    try:
        data = json.loads(text)
        if not isinstance(data, list) or len(data) > MAX_KEPT_TURNS:
            return []
        kept = [KeptTurn.model_validate(item) for item in data]
        json.dumps([k.model_dump(mode="json") for k in kept], ensure_ascii=False).encode("utf-8")
    except (ValueError, ValidationError, UnicodeEncodeError):
        return []
    return [
        {
            "turn": i,
            "msg_index": 2 * i - 1,
            "answer_id": k.answer_id,
            "answer": k.answer.model_dump(mode="json"),
            "feedback": k.feedback,
            "commented": k.commented,
        }
        for i, k in enumerate(kept, start=1)
    ]
