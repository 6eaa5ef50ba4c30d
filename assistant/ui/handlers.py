"""What the UI's events do: ask (streamed), feedback and its reason, downloads, restoring a
kept conversation and clearing. The chat shown is always rebuilt from the session's turns
(server-side state); the browser sends only text."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import gradio as gr

from assistant.audit import UnknownEntryError
from assistant.audited import AuditedAssistant
from assistant.errors import IndexUnavailableError, InvalidQuestionError
from assistant.settings import Settings
from assistant.types import Answer, StreamStatus
from assistant.ui.keep import export_payload, restore_turns, snapshot
from assistant.ui.labels import conversation_language, labels, request_language
from assistant.ui.render import (
    chat_update,
    render_alert,
    render_draft,
    render_question,
    render_sources,
)
from assistant.validation import fit_history

log = logging.getLogger("assistant.ui")

FEEDBACK_WORDS = {True: "helpful", False: "not helpful"}


def history(turns: Sequence[dict[str, Any]], settings: Settings) -> list[dict[str, str]]:
    """The session's turns as history, within the service's turn and character limits."""
    past: list[dict[str, str]] = []
    for t in turns:
        past.append({"role": "user", "content": t["answer"]["question"]})
        past.append({"role": "assistant", "content": t["answer"]["answer"]})
    return fit_history(past, settings.max_history_turns, settings.max_history_chars)


def new_turn(turn: int, answer: Answer, answer_id: str | None) -> dict[str, Any]:
    return {
        "turn": turn,
        "msg_index": 2 * turn - 1,
        "answer_id": answer_id,
        "answer": answer.model_dump(mode="json"),
        "feedback": None,
        "commented": False,
    }


class Handlers:
    """The event handlers; ``get_backend`` is called per request, so nothing loads early."""

    def __init__(self, get_backend: Callable[[], AuditedAssistant]) -> None:
        self.get_backend = get_backend

    def ask(
        self, question: str, turns: list[dict[str, Any]] | None, lang: str | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """Stream one answer into the chat: the text as it is composed, then the final render.

        Yields (chat, turns, sources, alert, question box, snapshot, page language). The page's
        labels then follow the question's language. The client's copy of the chat is never
        read, so it cannot smuggle in files.
        """
        turns = list(turns or [])
        lang = lang or conversation_language(turns)
        t = labels(lang)
        backend = self.get_backend()
        if not isinstance(question, str) or not question.strip():
            gr.Warning(t("please_type"))
            yield chat_update(turns), turns, render_sources(turns, lang), *(gr.skip(),) * 4
            return
        try:
            events = backend.ask_stream(question, history(turns, backend.settings), "ui")
        except InvalidQuestionError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except IndexUnavailableError as exc:
            # One line in the log, not a traceback per patient question during an outage.
            log.warning("UI question while the index is unavailable: %s", exc)
            raise gr.Error(t("unavailable"), print_exception=False) from None
        turn = len(turns) + 1
        asked = {"role": "user", "content": render_question(question.strip())}
        pending = [asked, {"role": "assistant", "content": render_draft("", None, turn, lang)}]
        yield chat_update(turns, pending), turns, gr.skip(), gr.skip(), "", gr.skip(), gr.skip()
        status: str | None = None
        text = ""
        final: tuple[Answer, str | None] | None = None
        for event in events:
            if isinstance(event, StreamStatus):
                status = event.status
            elif isinstance(event, str):
                text += event
                draft = render_draft(text, status, turn, lang)
                pending[-1] = {"role": "assistant", "content": draft}
                yield chat_update(turns, pending), turns, *(gr.skip(),) * 5
            else:
                final = event
        assert final is not None, "the stream ended without an answer"
        answer, answer_id = final
        turns.append(new_turn(turn, answer, answer_id))
        lang = conversation_language(turns)
        alert_html = render_alert(answer)
        yield (
            chat_update(turns),
            turns,
            render_sources(turns, lang),
            gr.HTML(value=alert_html, visible=bool(alert_html)),
            "",
            snapshot(turns),
            lang,
        )

    def on_feedback(
        self, turns: list[dict[str, Any]] | None, lang: str | None, data: gr.LikeData
    ) -> tuple[Any, ...]:
        """Store the thumbs up or down; the answer itself then says thank you.

        Returns (pending feedback, feedback box, its note, chat, turns, snapshot)."""
        t = labels(lang)
        turns = [dict(turn) for turn in turns or []]
        index = data.index[0] if isinstance(data.index, (tuple, list)) else data.index
        turn = next((x for x in turns if x["msg_index"] == index), None)
        nothing = (None, gr.update(visible=False), gr.skip(), gr.skip(), gr.skip(), gr.skip())
        if data.liked not in (True, "Like", False, "Dislike"):  # withdrawn: nothing to store
            if turn is None:
                return nothing
            turn["feedback"] = None
            hidden = gr.update(visible=False)
            return None, hidden, gr.skip(), chat_update(turns), turns, snapshot(turns)
        helpful = data.liked in (True, "Like")
        if turn is None or not turn["answer_id"]:
            gr.Warning(t("feedback_not_saved"))
            return nothing
        try:
            record = self.get_backend().audit.add_feedback(turn["answer_id"], helpful, None, "ui")
        except UnknownEntryError:
            gr.Warning(t("feedback_not_saved"))
            return nothing
        turn["feedback"] = FEEDBACK_WORDS[helpful]
        turn["commented"] = False
        note = t("feedback_note", turn=turn["turn"], feedback=t.feedback(turn["feedback"]))
        return (
            {"id": record.id, "turn": turn["turn"]},
            gr.update(visible=True),
            note,
            chat_update(turns),
            turns,
            snapshot(turns),
        )

    def on_reason(
        self, pending: dict[str, int] | None, reason: str, turns: list[dict[str, Any]] | None
    ) -> tuple[Any, ...]:
        """Add the optional reason to the feedback just given; the answer says it was saved."""
        if not isinstance(pending, dict):
            return gr.skip(), gr.update(visible=False), "", gr.skip(), gr.skip(), gr.skip()
        if not (isinstance(reason, str) and reason.strip()):
            return None, gr.update(visible=False), "", gr.skip(), gr.skip(), gr.skip()
        self.get_backend().audit.set_feedback_reason(pending["id"], reason[:2000])
        turns = [dict(t) for t in turns or []]
        for t in turns:
            if t["turn"] == pending["turn"]:
                t["commented"] = True
        hidden = gr.update(visible=False)
        return None, hidden, "", chat_update(turns), turns, snapshot(turns)

    def on_export(self, turns: list[dict[str, Any]] | None, lang: str | None, fmt: str) -> str:
        if not turns:
            gr.Warning(labels(lang)("nothing_to_download"))
            return ""
        return export_payload(turns, fmt)

    def on_start(
        self, kept: str, turns: list[dict[str, Any]] | None, request: gr.Request
    ) -> tuple[Any, ...]:
        """At page load: the conversation the tab kept (the patient opted in), validated as
        text, and the page's language: that of its latest question, else the browser's.

        Returns (chat, turns, sources, snapshot, kept box, page language)."""
        browser = request_language(getattr(request, "headers", None))
        restored = restore_turns(kept) if not turns else []
        if not restored:
            lang = conversation_language(turns or [], browser)
            return gr.skip(), gr.skip(), render_sources(turns or [], lang), gr.skip(), "", lang
        lang = conversation_language(restored, browser)
        return (
            chat_update(restored),
            restored,
            render_sources(restored, lang),
            snapshot(restored),
            "",
            lang,
        )

    def on_clear(self, confirmed: bool, lang: str | None) -> tuple[Any, ...]:
        """Returns (chat, turns, sources, alert, pending feedback, feedback box, snapshot)."""
        if confirmed is not True:
            return (gr.skip(),) * 7
        return (
            chat_update([]),
            [],
            render_sources([], lang or "en"),
            gr.HTML(value="", visible=False),
            None,
            gr.update(visible=False),
            "",
        )
