"""The patient chat UI (Gradio), a thin adapter over ``Assistant.ask``.

Answers are rendered to HTML here, from the Answer's fields only, with the Jinja2 templates of
``assistant/templates/ui/`` (autoescaped; text shown in the chat also goes through
:func:`inert`, so the chatbot's Markdown renderer shows it as written). Styles and behaviour
are the static files of ``assistant/static/ui/``. ``[n]`` markers open the numbered source
card under the answer, the evidence caveat sits in its own box with its references folded
away, and an ``emergency`` answer (red) or an ``urgent`` one (amber-red) also shows as an alert
above the page. The page loads nothing from outside the server (system fonts, no analytics, no
share buttons).

The chat shown is always rebuilt here from the session's turns (server-side state). The only
values the browser sends are text: the question, a feedback reason, and, when the patient has
chosen to keep the conversation in the tab, that conversation as JSON text, which is parsed and
validated here before it is shown again.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlparse

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.audit import UnknownEntryError
from assistant.audited import AuditedAssistant
from assistant.errors import IndexUnavailableError, InvalidQuestionError
from assistant.settings import Settings
from assistant.types import Answer, Citation, StreamStatus
from assistant.validation import fit_history, unicode_problem

log = logging.getLogger(__name__)

T = TypeVar("T")

TITLE = "Migraine surgery information assistant"

EXAMPLES = (
    "Does the M.I.G.O.N.E. procedure work?",
    "What is migraine surgery?",
    "How long does the M.I.G.O.N.E. procedure take?",
    "Is fat transfer a proven treatment for migraine?",
)

KIND_LABELS = {
    "reference": "Reference",
    "clinic-marketing": "Clinic marketing",
    "practice-blog": "Practice blog",
    "curated-evidence": "Curated evidence",
}

KIND_HINTS = {
    "reference": "A general reference work.",
    "clinic-marketing": "Written by a clinic that sells this treatment.",
    "practice-blog": "A blog post by a practice that sells this treatment.",
    "curated-evidence": "A summary of published studies, written for this assistant.",
}

ALERT_STATUSES = ("emergency", "urgent")
"""Statuses shown before anything else: the alert above the page and a status note with
role="alert", then at most :data:`MAX_ALERT_STEPS` steps and never any quotes."""

MAX_ALERT_STEPS = 3

STATUS_NOTES = {
    "no_evidence": "Not found in my sources.",
    "declined": "This is a question for your doctor.",
    "emergency": "This may be an emergency: get medical help now.",
    "urgent": "This needs a doctor today: contact a doctor within hours, not days.",
}

ALERT_TITLES = {"emergency": "Get medical help now", "urgent": "See a doctor today"}

UNAVAILABLE_MESSAGE = (
    "The assistant's sources are unavailable at the moment. Please try again in a minute."
)

DRAFTING_NOTE = (
    "Writing the answer… each sentence appears once it has been checked against the sources; "
    "the sources, and for questions about results the evidence status, follow."
)

FEEDBACK_WORDS = {True: "helpful", False: "not helpful"}

# A conversation kept in the tab (sessionStorage, when the patient opts in) comes back as text;
# these bound what the server accepts.
MAX_KEPT_TURNS = 50
MAX_KEPT_CHARS = 2_000_000

STATIC = resources.files("assistant").joinpath("static", "ui")


# ---- templates ------------------------------------------------------------------------------
_MARKDOWN_SYNTAX = re.compile(r"[*_`~\[\]$#|\\{}!<>&\"'\n]")


def inert(value: object) -> Markup:
    """Text as HTML that the chatbot's Markdown renderer shows as written.

    Escaped as autoescape would, and each character Markdown (or a template) would read as
    syntax, and each line break, written as a numeric character reference: ``**`` stays two
    asterisks, ``[1](x)`` is no link, and a rendered message stays one line (one HTML block).
    Markup (already safe) is returned as it is.
    """
    if isinstance(value, Markup):
        return value
    return Markup(
        _MARKDOWN_SYNTAX.sub(lambda m: f"&#{ord(m.group())};", str(value))
    )  # every character that escape() would change is in the pattern


@functools.cache
def _environment(kind: Literal["html", "text"]) -> Environment:
    """``html``: the chat's markup and the printable page (autoescaped); ``text``: what Copy
    and the Markdown download produce (plain text)."""
    env = Environment(
        loader=PackageLoader("assistant", "templates/ui"),
        autoescape=kind == "html",
        undefined=StrictUndefined,
        # Text templates drop the line of a block tag; HTML keeps it, for _one_block to join.
        trim_blocks=kind == "text",
        lstrip_blocks=True,
        keep_trailing_newline=kind == "text",
    )
    env.filters["inert"] = inert
    return env


_BETWEEN_TAGS = re.compile(r">\s*\n\s*<")
_LINE_BREAK = re.compile(r"\s*\n\s*")


def _one_block(html: str) -> str:
    """A rendered template on one line, so the chatbot's Markdown reads it as one HTML block
    (text never holds a raw line break: :func:`inert` writes it as ``&#10;``)."""
    return _LINE_BREAK.sub(" ", _BETWEEN_TAGS.sub("><", html)).strip()


def render_html(name: str, **context: Any) -> str:
    """A template of ``templates/ui`` rendered for the chat (one HTML block)."""
    return _one_block(_environment("html").get_template(name).render(**context))


def render_text(name: str, **context: Any) -> str:
    return _environment("text").get_template(name).render(**context).strip() + "\n"


def static_text(name: str) -> str:
    """A file of ``assistant/static/ui`` (the UI's CSS and JavaScript)."""
    return STATIC.joinpath(name).read_text(encoding="utf-8")


# ---- what the templates are given ------------------------------------------------------------
def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) link, else None (never a javascript: link)."""
    if not url:
        return None
    parsed = urlparse(url.strip())
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return url.strip()
    return None


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, "Other source")


def _kind_class(kind: str) -> str:
    return kind if kind in KIND_LABELS else "other"


_SEGMENT = re.compile(r"\[(?P<n>\d{1,3})\]|(?P<url>https?://[^\s<>\"']+[^\s<>\"'.,;:)])")


def segments(text: str, known: set[int] | frozenset[int] = frozenset()) -> list[dict[str, Any]]:
    """``text`` cut into plain text, ``[n]`` markers of known citations and http(s) links."""
    out: list[dict[str, Any]] = []

    def plain(s: str) -> None:
        if not s:
            return
        if out and out[-1]["kind"] == "text":
            out[-1]["text"] += s
        else:
            out.append({"kind": "text", "text": s})

    pos = 0
    for m in _SEGMENT.finditer(text):
        plain(text[pos : m.start()])
        if m.group("n") is not None and int(m.group("n")) in known:
            out.append({"kind": "cite", "n": int(m.group("n"))})
        elif m.group("url") is not None and safe_url(m.group("url")):
            out.append({"kind": "url", "url": m.group("url")})
        else:
            plain(m.group(0))
        pos = m.end()
    plain(text[pos:])
    return out


def _paragraphs(text: str, known: set[int]) -> list[list[list[dict[str, Any]]]]:
    """Paragraphs (split at blank lines) of lines of segments."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return [[segments(line, known) for line in p.split("\n")] for p in paras]


_BULLET = re.compile(r"^\s*(?:[-•*]|\d{1,2}[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(])")


def _sentences(text: str) -> list[str]:
    """Sentences of ``text``, never split inside parentheses."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start : m.start()]
        if before.count("(") > before.count(")"):
            continue
        out.append(before.strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def alert_steps(text: str, limit: int = MAX_ALERT_STEPS) -> list[str]:
    """An emergency or urgent message as at most ``limit`` steps, its words as given: its
    lines when it has several, else its sentences; what is beyond the limit joins the last."""
    lines = [_BULLET.sub("", line).strip() for line in text.splitlines() if line.strip()]
    pieces = lines if len(lines) > 1 else _sentences(" ".join(lines))
    if len(pieces) > limit:
        pieces = [*pieces[: limit - 1], " ".join(pieces[limit - 1 :])]
    return pieces


# A caveat line that is (part of) a reference list: "References: …", or a line that starts
# like a citation (a PMID, a DOI, a link, "Smith et al."), or an indented line under an item
# that names a PMID, a DOI or a link.
_REFERENCE_HEAD = re.compile(r"^(?:-\s+)?references?\s*:\s*", re.IGNORECASE)
_CITATION_START = re.compile(
    r"^(?:-\s+)?(?:PMID\b|doi\b|10\.\d{4,9}/|https?://|[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)? et al\.)",
    re.IGNORECASE,
)
_CITATION_ANYWHERE = re.compile(r"\bPMID\b|\bdoi\b|\b10\.\d{4,9}/|https?://|\bet al\.", re.I)


def _is_reference(line: str) -> bool:
    stripped = line.strip()
    if _REFERENCE_HEAD.match(stripped) or _CITATION_START.match(stripped):
        return True
    return line[:1] in (" ", "\t") and bool(_CITATION_ANYWHERE.search(stripped))


def caveat_view(caveat: str) -> dict[str, Any]:
    """The caveat for its box: the first line as the verdict, the points, and the reference
    lines (grouped under the point they belong to) for the "References" disclosure."""
    lines = [line for line in caveat.splitlines() if line.strip()]
    verdict = lines[0].strip() if lines else ""
    blocks: list[dict[str, Any]] = []
    references: list[dict[str, Any]] = []
    label: str | None = None
    for line in lines[1:]:
        stripped = line.strip()
        indented = line[:1] in (" ", "\t")
        if _is_reference(line):
            body = _REFERENCE_HEAD.sub("", stripped)
            body = re.sub(r"^-\s+", "", body)
            entries = [e.strip() for e in body.split("; ") if e.strip()]
            group_label = label if indented else None
            if references and references[-1]["label"] == group_label:
                references[-1]["entries"] += [segments(e) for e in entries]
            else:
                references.append({"label": group_label, "entries": [segments(e) for e in entries]})
            continue
        if stripped.startswith("- ") and not indented:
            item = stripped[2:]
            head = item.split(":", 1)[0] if ":" in item[:160] else None
            label = head.strip() if head else None
            if not blocks or blocks[-1]["kind"] != "list":
                blocks.append({"kind": "list", "items": []})
            blocks[-1]["items"].append(segments(item))
        elif indented and blocks and blocks[-1]["kind"] == "list":
            blocks[-1]["items"][-1] += [{"kind": "text", "text": " "}, *segments(stripped)]
        else:
            label = None
            blocks.append({"kind": "text", "text": segments(stripped)})
    return {
        "verdict": segments(verdict),
        "blocks": blocks,
        "references": references,
        "reference_count": sum(len(g["entries"]) for g in references),
    }


def citation_view(c: Citation | dict[str, Any]) -> dict[str, Any]:
    data = c.model_dump() if isinstance(c, Citation) else c
    kind = data["source_kind"]
    return {
        "n": int(data["n"]),
        "title": data["title"],
        "publisher": data.get("publisher") or None,
        "quote": data["quote"],
        "url": safe_url(data.get("url")),
        "kind_class": _kind_class(kind),
        "kind_label": kind_label(kind),
        "kind_hint": KIND_HINTS.get(kind, "Other source."),
    }


_LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def answer_view(
    answer: Answer, turn: int, feedback: str | None = None, commented: bool = False
) -> dict[str, Any]:
    """Everything the answer templates show, from the Answer's fields only."""
    known = {c.n for c in answer.citations}
    alert = answer.status in ALERT_STATUSES
    note = STATUS_NOTES.get(answer.status)
    summary = (answer.summary or "").strip() or None
    steps = alert_steps(answer.answer) if alert else []
    view: dict[str, Any] = {
        "turn": turn,
        "question": answer.question,
        "status": answer.status,
        "alert": alert,
        "note": note,
        "headline": (summary or note or "") if alert else None,
        "steps": [segments(s) for s in steps],
        "step_texts": steps,
        "summary": segments(summary, known) if summary and not alert else None,
        "summary_text": summary if not alert else None,
        "paragraphs": _paragraphs(answer.answer, known),
        "text": answer.answer.strip(),
        "lang": answer.language if _LANG.match(answer.language or "") else None,
        "caveat": caveat_view(answer.caveat) if answer.caveat and not alert else None,
        "caveat_text": answer.caveat.strip() if answer.caveat and not alert else None,
        "citations": [] if alert else [citation_view(c) for c in answer.citations],
        "feedback": feedback,
        "commented": bool(feedback and commented),
    }
    view["copy_text"] = render_text("copy.txt.j2", a=view)
    return view


# ---- rendering ------------------------------------------------------------------------------
def render_answer(
    answer: Answer, turn: int, feedback: str | None = None, commented: bool = False
) -> str:
    """One answer as HTML for the chat: summary, text with linked markers, caveat box, source
    cards, Copy, and the acknowledgement of the patient's feedback (and comment)."""
    return render_html("answer.html.j2", a=answer_view(answer, turn, feedback, commented))


def render_question(question: str) -> str:
    return render_html("question.html.j2", question=question)


def render_caveat(caveat: str) -> str:
    """The evidence caveat in its own box, references folded away."""
    env = _environment("html")
    macro = env.get_template("_macros.html.j2").module.caveat_box  # type: ignore[attr-defined]
    return _one_block(str(macro(caveat_view(caveat))))


def render_draft(text: str, status: str | None, turn: int) -> str:
    """An answer while it is being written: its text so far, markers not yet linked.

    Only sentences that passed verification arrive here; the final render (``render_answer``)
    replaces this, with the sources linked and the evidence-status box.
    """
    return render_html(
        "draft.html.j2",
        turn=turn,
        status=status,
        note=STATUS_NOTES.get(status or ""),
        alert=status in ALERT_STATUSES,
        paragraphs=_paragraphs(text, set()) if text.strip() else [],
        drafting_note=DRAFTING_NOTE,
    )


def render_alert(answer: Answer | None) -> str:
    """The alert above the page for an ``emergency`` answer (red) or an ``urgent`` one (amber-red,
    see a doctor today): a headline and at most three steps; empty otherwise."""
    if answer is None or answer.status not in ALERT_STATUSES:
        return ""
    view = answer_view(answer, 0)
    return render_html(
        "alert.html.j2",
        urgent=answer.status == "urgent",
        title=ALERT_TITLES[answer.status],
        steps=view["steps"],
        lang=view["lang"],
    )


def _shown(turn: dict[str, Any]) -> bool:
    return bool(turn["answer"]["citations"]) and turn["answer"]["status"] not in ALERT_STATUSES


def render_sources(turns: Sequence[dict[str, Any]]) -> str:
    """The sources panel: the latest answer's citations, then earlier answers' (collapsed)."""
    groups = [
        {
            "turn": t["turn"],
            "question": t["answer"]["question"],
            "citations": [citation_view(c) for c in t["answer"]["citations"]],
        }
        for t in reversed([t for t in turns if _shown(t)])
    ]
    return render_html("sources.html.j2", groups=groups)


def about_html() -> str:
    return render_html("about.html.j2", title=TITLE)


def footer_html(store_questions: bool) -> str:
    return render_html("footer.html.j2", store_questions=store_questions)


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
    labels = {"helpful": "Like", "not helpful": "Dislike"}
    return [labels.get(t.get("feedback") or "") for t in turns]


def chat_update(
    turns: Sequence[dict[str, Any]], pending: Sequence[dict[str, str]] = ()
) -> gr.Chatbot:
    """The chatbot's new value (and each answer's thumbs state), rebuilt from the turns."""
    messages: list[Any] = [*render_conversation(turns), *pending]
    return gr.Chatbot(
        value=messages,
        feedback_value=_feedback_value(turns) + [None] * (len(pending) // 2),
    )


# ---- what the patient keeps ------------------------------------------------------------------
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


def _saved_at(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%d %B %Y, %H:%M UTC")


def conversation_markdown(turns: Sequence[dict[str, Any]], now: datetime | None = None) -> str:
    """The conversation as Markdown: questions, answers, caveats and sources."""
    return render_text(
        "conversation.md.j2", title=TITLE, saved=_saved_at(now), answers=_views(turns)
    )


def conversation_page(turns: Sequence[dict[str, Any]], now: datetime | None = None) -> str:
    """The conversation as a printable HTML page, self-contained (no script, no link out but
    the sources' own pages)."""
    return (
        _environment("html")
        .get_template("conversation.html.j2")
        .render(
            title=TITLE,
            saved=_saved_at(now),
            answers=_views(turns),
            css=Markup(static_text("print.css")),
        )
    )


EXPORTS = {
    "markdown": ("migraine-assistant-conversation.md", "text/markdown;charset=utf-8"),
    "html": ("migraine-assistant-conversation.html", "text/html;charset=utf-8"),
}


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


def _history(turns: Sequence[dict[str, Any]], settings: Settings) -> list[dict[str, str]]:
    """The session's turns as history, within the service's turn and character limits."""
    history: list[dict[str, str]] = []
    for t in turns:
        history.append({"role": "user", "content": t["answer"]["question"]})
        history.append({"role": "assistant", "content": t["answer"]["answer"]})
    return fit_history(history, settings.max_history_turns, settings.max_history_chars)


def theme() -> gr.themes.Base:
    """The default theme with system fonts only (the page fetches no web fonts), a primary
    button dark enough for white text (contrast above 4.5:1) and 16 px text in inputs."""
    return gr.themes.Default(
        primary_hue="blue",
        font=[gr.themes.Font("system-ui"), "sans-serif"],
        font_mono=[gr.themes.Font("ui-monospace"), "monospace"],
    ).set(
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_background_fill_dark="*primary_700",
        button_primary_background_fill_hover_dark="*primary_800",
        button_primary_text_color="white",
        button_primary_text_color_dark="white",
        input_text_size="16px",
    )


# ---- the page ------------------------------------------------------------------------------
# Small glue for events; the behaviour itself is in static/ui/app.js (window.msaUI).
LOAD_KEPT_JS = "() => (window.msaUI ? window.msaUI.kept() : ['', false])"
STORE_JS = "(snap, keep) => { if (window.msaUI) window.msaUI.store(snap, keep); }"
SHOW_ANSWER_JS = (
    "(snap, keep) => { if (window.msaUI) { window.msaUI.store(snap, keep); "
    "window.msaUI.showAnswer(); } }"
)
KEEP_JS = "(keep, snap) => { if (window.msaUI) window.msaUI.setKeep(keep, snap); }"
DOWNLOAD_JS = "(payload) => { if (window.msaUI) window.msaUI.download(payload); }"
CONFIRM_CLEAR_JS = "(flag) => [window.msaUI ? window.msaUI.confirmClear() : false]"


def build_ui(
    get_backend: Callable[[], AuditedAssistant], store_questions: bool = True
) -> gr.Blocks:
    """The chat UI. ``get_backend`` is called per request, so nothing loads at build time."""

    def ask(question: str, turns: list[dict[str, Any]] | None) -> Iterator[tuple[Any, ...]]:
        """Stream one answer into the chat: the text as it is composed, then the final render.

        The conversation shown is rebuilt here from the session's own turns (server-side
        state); the client's copy of the chat is never read, so it cannot smuggle in files.
        """
        turns = list(turns or [])
        backend = get_backend()
        if not isinstance(question, str) or not question.strip():
            gr.Warning("Please type a question.")
            yield chat_update(turns), turns, render_sources(turns), gr.skip(), gr.skip(), gr.skip()
            return
        history = _history(turns, backend.settings)
        try:
            events = backend.ask_stream(question, history, "ui")
        except InvalidQuestionError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except IndexUnavailableError as exc:
            # One line in the log, not a traceback per patient question during an outage.
            log.warning("UI question while the index is unavailable: %s", exc)
            raise gr.Error(UNAVAILABLE_MESSAGE, print_exception=False) from None
        turn = len(turns) + 1
        asked = {"role": "user", "content": render_question(question.strip())}
        pending = [asked, {"role": "assistant", "content": render_draft("", None, turn)}]
        yield chat_update(turns, pending), turns, gr.skip(), gr.skip(), "", gr.skip()
        status: str | None = None
        text = ""
        final: tuple[Answer, str | None] | None = None
        for event in events:
            if isinstance(event, StreamStatus):
                status = event.status
            elif isinstance(event, str):
                text += event
                pending[-1] = {"role": "assistant", "content": render_draft(text, status, turn)}
                yield chat_update(turns, pending), turns, gr.skip(), gr.skip(), gr.skip(), gr.skip()
            else:
                final = event
        assert final is not None, "the stream ended without an answer"
        answer, answer_id = final
        turns.append(
            {
                "turn": turn,
                "msg_index": 2 * turn - 1,
                "answer_id": answer_id,
                "answer": answer.model_dump(mode="json"),
                "feedback": None,
                "commented": False,
            }
        )
        alert_html = render_alert(answer)
        yield (
            chat_update(turns),
            turns,
            render_sources(turns),
            gr.HTML(value=alert_html, visible=bool(alert_html)),
            "",
            snapshot(turns),
        )

    def on_feedback(turns: list[dict[str, Any]] | None, data: gr.LikeData) -> tuple[Any, ...]:
        """Store the thumbs up or down; the answer itself then says thank you."""
        turns = [dict(t) for t in turns or []]
        index = data.index[0] if isinstance(data.index, (tuple, list)) else data.index
        turn = next((t for t in turns if t["msg_index"] == index), None)
        nothing = (None, gr.update(visible=False), gr.skip(), gr.skip(), gr.skip(), gr.skip())
        if data.liked in (True, "Like"):
            helpful = True
        elif data.liked in (False, "Dislike"):
            helpful = False
        else:  # feedback withdrawn: nothing to store
            if turn is None:
                return nothing
            turn["feedback"] = None
            return (
                None,
                gr.update(visible=False),
                gr.skip(),
                chat_update(turns),
                turns,
                snapshot(turns),
            )
        if turn is None or not turn["answer_id"]:
            gr.Warning("Sorry, feedback could not be saved for this answer.")
            return nothing
        try:
            record = get_backend().audit.add_feedback(turn["answer_id"], helpful, None, "ui")
        except UnknownEntryError:
            gr.Warning("Sorry, feedback could not be saved for this answer.")
            return nothing
        turn["feedback"] = FEEDBACK_WORDS[helpful]
        note = (
            f"Answer {turn['turn']}: you marked it **{FEEDBACK_WORDS[helpful]}**. "
            "You can tell us why (optional, no personal details please):"
        )
        turn["commented"] = False
        return (
            {"id": record.id, "turn": turn["turn"]},
            gr.update(visible=True),
            note,
            chat_update(turns),
            turns,
            snapshot(turns),
        )

    def on_reason(
        pending: dict[str, int] | None, reason: str, turns: list[dict[str, Any]] | None
    ) -> tuple[Any, ...]:
        """Add the optional reason to the feedback just given; the answer says it was saved."""
        if not isinstance(pending, dict):
            return gr.skip(), gr.update(visible=False), "", gr.skip(), gr.skip(), gr.skip()
        if not (isinstance(reason, str) and reason.strip()):
            return None, gr.update(visible=False), "", gr.skip(), gr.skip(), gr.skip()
        get_backend().audit.set_feedback_reason(pending["id"], reason[:2000])
        turns = [dict(t) for t in turns or []]
        for t in turns:
            if t["turn"] == pending["turn"]:
                t["commented"] = True
        return (
            None,
            gr.update(visible=False),
            "",
            chat_update(turns),
            turns,
            snapshot(turns),
        )

    def on_export(turns: list[dict[str, Any]] | None, fmt: str) -> str:
        if not turns:
            gr.Warning("There is no conversation to download yet.")
            return ""
        return export_payload(turns, fmt)

    def on_restore(kept: str, turns: list[dict[str, Any]] | None) -> tuple[Any, ...]:
        """Show the conversation the tab kept (the patient opted in), validated as text."""
        restored = restore_turns(kept) if not turns else []
        if not restored:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), ""
        return (
            chat_update(restored),
            restored,
            render_sources(restored),
            snapshot(restored),
            "",
        )

    def on_clear(confirmed: bool) -> tuple[Any, ...]:
        if confirmed is not True:
            return (gr.skip(),) * 7
        return (
            chat_update([]),
            [],
            render_sources([]),
            gr.HTML(value="", visible=False),
            None,
            gr.update(visible=False),
            "",
        )

    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=False) as demo:
        alert = gr.HTML(
            "", label="Emergency alert", visible=False, elem_id="emergency-alert", padding=False
        )
        gr.HTML(about_html(), elem_id="about", padding=False)
        turns = gr.State([])
        pending_feedback = gr.State(None)
        with gr.Row(equal_height=False, elem_id="main-row"):
            with gr.Column(scale=3, min_width=300, elem_id="chat-column"):
                chat = gr.Chatbot(
                    label="Conversation",
                    show_label=False,
                    elem_id="chat",
                    height=None,  # grows with the conversation; the page scrolls, not a box
                    min_height=160,
                    feedback_options=("Like", "Dislike"),
                    latex_delimiters=[],
                    buttons=[],  # each answer has its own Copy (plain text, not HTML)
                    placeholder="Ask a question about migraine surgery, or pick an example below.",
                    render_markdown=True,
                    autoscroll=False,  # app.js shows the start of each answer
                    layout="panel",
                )
                with gr.Group(visible=False, elem_id="feedback-box") as feedback_box:
                    feedback_note = gr.Markdown("", elem_id="feedback-note")
                    reason = gr.Textbox(
                        label="Why? (optional)", lines=2, max_lines=6, elem_id="feedback-reason"
                    )
                    send_reason = gr.Button("Send comment", elem_id="feedback-send", size="sm")
                with gr.Row(equal_height=False, elem_id="ask-row"):
                    question = gr.Textbox(
                        label="Your question",
                        placeholder="e.g. Does the M.I.G.O.N.E. procedure work?",
                        lines=1,
                        max_lines=4,
                        scale=5,
                        min_width=200,
                        elem_id="question",
                    )
                    send = gr.Button(
                        "Ask", variant="primary", scale=1, min_width=80, elem_id="ask-button"
                    )
                gr.HTML(
                    '<p class="feedback-hint">Was an answer useful? Use the thumbs up '
                    "(helpful) or thumbs down (not helpful) under it.</p>",
                    padding=False,
                )
                with gr.Row(elem_id="conversation-tools"):
                    download_md = gr.Button(
                        "Download (Markdown)", size="sm", elem_id="download-markdown"
                    )
                    download_html = gr.Button(
                        "Download printable page", size="sm", elem_id="download-html"
                    )
                    clear = gr.Button("Clear conversation", size="sm", elem_id="clear-conversation")
                keep = gr.Checkbox(
                    False,
                    label="Keep this conversation if I reload this tab",
                    elem_id="keep-conversation",
                    container=False,
                )
                gr.HTML(render_html("storage_note.html.j2"), padding=False)
                gr.HTML('<h2 class="examples-title">Example questions</h2>', padding=False)
                with gr.Row(elem_id="examples"):
                    example_buttons = [
                        gr.Button(text, size="sm", min_width=160) for text in EXAMPLES
                    ]
            with gr.Column(scale=2, min_width=280, elem_id="sources-column"):
                sources = gr.HTML(
                    render_sources([]), label="Sources", elem_id="sources-panel", padding=False
                )
        gr.HTML(footer_html(store_questions), elem_id="footer", padding=False)
        # Carriers between the server and app.js; text only, never shown.
        kept_box = gr.Textbox(visible=False, elem_id="kept-conversation")
        snapshot_box = gr.Textbox(visible=False, elem_id="conversation-snapshot")
        export_box = gr.Textbox(visible=False, elem_id="conversation-export")
        clear_flag = gr.Checkbox(False, visible=False, elem_id="clear-confirmed")

        outputs = [chat, turns, sources, alert, question, snapshot_box]
        private: dict[str, Any] = {"api_visibility": "private"}

        def after_answer(event: Any) -> None:
            event.then(
                lambda: (None, gr.update(visible=False)),
                None,
                [pending_feedback, feedback_box],
                queue=False,
                **private,
            ).then(None, [snapshot_box, keep], None, js=SHOW_ANSWER_JS, **private)

        after_answer(question.submit(ask, [question, turns], outputs, api_name="ask"))
        after_answer(send.click(ask, [question, turns], outputs, **private))
        for button, text in zip(example_buttons, EXAMPLES, strict=True):

            def ask_example(
                state: list[dict[str, Any]] | None, _text: str = text
            ) -> Iterator[tuple[Any, ...]]:
                yield from ask(_text, state)

            after_answer(button.click(ask_example, [turns], outputs, **private))

        chat.like(
            on_feedback,
            [turns],
            [pending_feedback, feedback_box, feedback_note, chat, turns, snapshot_box],
            **private,
        ).then(None, [snapshot_box, keep], None, js=STORE_JS, **private)
        for trigger in (send_reason.click, reason.submit):
            trigger(
                on_reason,
                [pending_feedback, reason, turns],
                [pending_feedback, feedback_box, reason, chat, turns, snapshot_box],
                **private,
            ).then(None, [snapshot_box, keep], None, js=STORE_JS, **private)

        for button, fmt in ((download_md, "markdown"), (download_html, "html")):
            button.click(
                functools.partial(on_export, fmt=fmt), [turns], [export_box], **private
            ).then(None, [export_box], None, js=DOWNLOAD_JS, **private)

        clear.click(
            on_clear,
            [clear_flag],
            [chat, turns, sources, alert, pending_feedback, feedback_box, snapshot_box],
            js=CONFIRM_CLEAR_JS,
            queue=False,
            **private,
        )
        keep.input(None, [keep, snapshot_box], None, js=KEEP_JS, **private)
        demo.load(None, None, [kept_box, keep], js=LOAD_KEPT_JS, **private).then(
            on_restore,
            [kept_box, turns],
            [chat, turns, sources, snapshot_box, kept_box],
            **private,
        )
    demo.queue(default_concurrency_limit=4)
    return demo


# Gradio routes the UI never uses: file uploads (no component takes files) and the dev-mode
# reload stream. Refused before Gradio sees the request.
CLOSED_GRADIO_ROUTES = ("/gradio_api/upload", "/gradio_api/dev/", "/gradio_api/upload_progress")


class ClosedRoutesMiddleware:
    """404 for :data:`CLOSED_GRADIO_ROUTES`, whatever the method."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CLOSED_GRADIO_ROUTES):
            response = JSONResponse(
                {"error": "not_found", "message": f"Nothing is served at {scope['path']}."},
                status_code=404,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def gradio_temp_dir(data_dir: Path) -> Path:
    """Gradio's cache folder for this app: under the data folder, never the system temp."""
    return data_dir.resolve() / "gradio-tmp"


def reset_temp_dir(path: Path) -> None:
    """Empty Gradio's cache folder (at start and at shutdown): nothing in it outlives a run."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)


def mount_ui(app: FastAPI, get_backend: Callable[[], AuditedAssistant]) -> FastAPI:
    """Mount the UI at ``/`` of ``app``; call after the API routes, which take precedence.

    Hardened for a mounted app: Gradio checks file paths only once ``launch()`` has run, so
    ``has_launched`` is set here; the data folder is a blocked path; uploads and dev routes are
    closed; and Gradio's cache lives in ``<data_dir>/gradio-tmp``, emptied at start and stop.
    """
    settings = get_backend().settings
    temp_dir = gradio_temp_dir(settings.data_dir)
    reset_temp_dir(temp_dir)
    # Read by every Gradio component when it is created; one app per process.
    os.environ["GRADIO_TEMP_DIR"] = str(temp_dir)

    def mount() -> FastAPI:
        demo = build_ui(get_backend, store_questions=settings.audit_store_questions)
        with resources.as_file(STATIC.joinpath("app.css")) as css_path:
            mounted = gr.mount_gradio_app(
                app,
                demo,
                path="/",
                blocked_paths=[str(settings.data_dir.resolve()), "/proc", "/etc", "/root"],
                allowed_paths=[],
                max_file_size=1,
                theme=theme(),
                css_paths=[css_path],  # read at mount; Gradio scopes it to the app
                head=f"<style>{static_text('page.css')}</style>",  # the page around the app
                js=static_text("app.js"),
                footer_links=[],
                run_history=False,  # would keep patients' questions in the browser's storage
                show_error=False,
                pwa=False,
                enable_monitoring=False,
                mcp_server=False,
                ssr_mode=False,
            )
        # Gradio's path checks return early unless the app "has launched", which only
        # Blocks.launch() records; a mounted app never calls it.
        demo.has_launched = True
        return mounted

    app.add_middleware(ClosedRoutesMiddleware)
    return _in_event_loop(mount)


def _in_event_loop(fn: Callable[[], T]) -> T:
    """Run ``fn`` where an event loop is running.

    Gradio makes its queue's asyncio locks with ``utils.safe_get_lock``, which, when no loop is
    running (an app built from synchronous code, as tests and scripts do), creates a new event
    loop and never closes it. Building inside a short-lived loop avoids those leaks; the locks
    bind to the server's loop at first use. Under uvicorn a loop is already running.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:

        async def run() -> T:
            return fn()

        return asyncio.run(run())
    return fn()
