"""The patient chat UI (Gradio), a thin adapter over ``Assistant.ask``.

Answers are rendered to HTML here, from the Answer's fields only: every piece of text is escaped,
``[n]`` markers link to the numbered entries of the sources panel, the evidence caveat sits in its
own box under the answer, and an ``emergency`` answer (red) or an ``urgent`` one (amber-red)
also shows as an alert above the page. The page loads nothing from outside the server (system
fonts, no analytics, no share buttons).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.audit import AuditedAssistant
from assistant.errors import IndexUnavailableError, InvalidQuestionError
from assistant.settings import Settings
from assistant.types import Answer, StreamStatus
from assistant.validation import fit_history

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

ABOUT_HTML = """
<header class="app-header">
  <h1>Migraine surgery information assistant</h1>
  <div class="about-note">
    <p><strong>What this is:</strong> a search assistant that answers questions about migraine
    surgery (trigger-site surgery, the M.I.G.O.N.E. procedure, fat transfer, nerve stimulation)
    only by quoting its sources, each numbered and labelled with who wrote it. Some sources are
    clinics' own marketing, and they are marked as such.</p>
    <p><strong>What this is not:</strong> a doctor. It cannot examine you, diagnose, or tell you
    whether a treatment is right for you, and it does not know your medical history. Please
    discuss any treatment with your own clinician.</p>
  </div>
</header>
"""

CSS = """
.app-header h1 { font-size: 1.6rem; margin: 0 0 .4rem 0; }
.about-note { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: .5rem .9rem; font-size: .95rem; }
.about-note p { margin: .35rem 0; }
#emergency-alert .emergency-alert { background: #b91c1c; color: #fff; border-radius: 8px;
  padding: 1rem 1.2rem; font-size: 1.1rem; border: 3px solid #7f1d1d; }
#emergency-alert .emergency-alert strong.alert-title { display: block; font-size: 1.35rem;
  color: #fff;
  margin-bottom: .3rem; }
#emergency-alert .emergency-alert p, #emergency-alert .emergency-alert * { color: #fff; }
#emergency-alert .emergency-alert p { margin: .3rem 0; }
#emergency-alert .emergency-alert.urgent-alert { background: #c2410c; border-color: #7c2d12; }
.answer p { margin: 0 0 .6rem 0; }
.caveat-box { border-left: 6px solid #b45309; background: #fffbeb; color: #422006;
  padding: .6rem .8rem; margin: .6rem 0 .2rem 0; border-radius: 4px; }
.caveat-box p:first-child { font-weight: 700; }
.caveat-box p, .caveat-box ul { margin: .2rem 0; color: #422006; }
.caveat-box li { color: #422006; }
.caveat-box a { color: #7c2d12; overflow-wrap: anywhere; }
.caveat-detail { font-size: .85rem; margin-top: .2rem; overflow-wrap: anywhere; }
.status-note { border-radius: 6px; padding: .5rem .75rem; margin-bottom: .6rem;
  font-weight: 600; }
.status-no_evidence { background: #f1f5f9; color: #0f172a; border: 1px solid #94a3b8; }
.status-declined { background: #eff6ff; color: #172554; border: 1px solid #60a5fa; }
.status-emergency { background: #b91c1c; color: #fff; }
.status-urgent { background: #c2410c; color: #fff; border: 1px solid #7c2d12; }
a.cite { font-weight: 700; text-decoration: underline; white-space: nowrap; }
a.cite:focus-visible, .sources-panel a:focus-visible, .source-item:focus-visible {
  outline: 3px solid #2563eb; outline-offset: 2px; }
.sources-panel h2 { font-size: 1.2rem; margin: 0 0 .5rem 0; }
.sources-panel h3, .sources-panel summary { font-size: 1rem; font-weight: 600; }
.sources-panel ol { list-style: none; padding: 0; margin: 0; }
.source-item { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: .6rem .75rem; margin: 0 0 .6rem 0; scroll-margin-top: 1rem; }
.source-item:target { outline: 3px solid #2563eb; }
.source-head { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
.source-n { font-weight: 700; }
.source-title { font-weight: 600; margin: .3rem 0 0 0; }
.source-publisher { font-size: .9rem; opacity: .85; }
.source-quote { margin: .4rem 0; padding-left: .6rem; border-left: 3px solid #94a3b8;
  font-style: italic; overflow-wrap: anywhere; }
.badge { display: inline-block; border-radius: 999px; padding: .05rem .55rem;
  font-size: .8rem; font-weight: 600; border: 1px solid transparent; }
.badge-reference { background: #dbeafe; color: #1e3a8a; border-color: #93c5fd; }
.badge-clinic-marketing { background: #ffedd5; color: #7c2d12; border-color: #fdba74; }
.badge-practice-blog { background: #fef3c7; color: #78350f; border-color: #fcd34d; }
.badge-curated-evidence { background: #dcfce7; color: #14532d; border-color: #86efac; }
.badge-other { background: #e5e7eb; color: #111827; border-color: #9ca3af; }
.muted { opacity: .8; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); border: 0; }
.app-footer { font-size: .9rem; border-top: 1px solid var(--border-color-primary);
  padding-top: .6rem; margin-top: .6rem; }
.feedback-hint { font-size: .9rem; }
@media (max-width: 640px) {
  .app-header h1 { font-size: 1.3rem; }
  #emergency-alert .emergency-alert { font-size: 1rem; }
}
"""

SCROLL_TO_ANSWER_JS = """() => {
  const show = () => {
    if (document.querySelector('#emergency-alert .emergency-alert')) {
      window.scrollTo(0, 0);  // the alert above the page comes first
      return;
    }
    const answers = document.querySelectorAll('#chat .answer');
    if (answers.length) answers[answers.length - 1].scrollIntoView({block: 'start'});
  };
  setTimeout(show, 100);
  setTimeout(show, 400);
}"""

_MARKER = re.compile(r"\[(\d{1,3})\]")

# Besides HTML, escape what Markdown or a template would read as syntax: the chatbot renders
# Markdown, and a quote from a source must show as written, not as formatting. One pass, so an
# entity made for one character is never escaped again.
_ESCAPES = str.maketrans(
    {
        **{c: f"&#{ord(c)};" for c in "*_`~[]$#|\\{}!"},
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#39;",
    }
)


def esc(text: str) -> str:
    """Text as inert HTML: escaped, and with Markdown/template syntax neutralised."""
    return text.translate(_ESCAPES)


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


def link_markers(text: str, known: set[int], turn: int) -> str:
    """Escape text and turn each ``[n]`` that names a citation into a link to its source."""
    out: list[str] = []
    pos = 0
    for m in _MARKER.finditer(text):
        out.append(esc(text[pos : m.start()]))
        n = int(m.group(1))
        if n in known:
            # The chatbot's sanitizer drops aria-* attributes, so the spoken name is hidden text.
            out.append(
                f'<a class="cite" href="#src-{turn}-{n}">&#91;{n}&#93;'
                f'<span class="sr-only"> (source {n})</span></a>'
            )
        else:
            out.append(esc(m.group(0)))
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def _paragraphs(text: str, known: set[int], turn: int) -> str:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(link_markers(line, known, turn) for line in p.split("\n")) + "</p>"
        for p in paras
    )


ALERT_STATUSES = ("emergency", "urgent")
"""Statuses shown before anything else: the alert above the page and a status note with
role="alert"."""

STATUS_NOTES = {
    "no_evidence": "Not found in my sources.",
    "declined": "This is a question for your doctor.",
    "emergency": "This may be an emergency: get medical help now.",
    "urgent": "This needs a doctor today: contact a doctor within hours, not days.",
}


UNAVAILABLE_MESSAGE = (
    "The assistant's sources are unavailable at the moment. Please try again in a minute."
)

DRAFTING_NOTE = (
    "Writing the answer… each sentence appears once it has been checked against the sources; "
    "the sources, and for questions about results the evidence status, follow."
)

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:)]")


def linkify(text: str) -> str:
    """Escape text, turning bare http(s) URLs into links that open in a new tab."""
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        out.append(esc(text[pos : m.start()]))
        url = safe_url(m.group(0))
        out.append(
            f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(url)}</a>'
            if url
            else esc(m.group(0))
        )
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def render_caveat(caveat: str) -> str:
    """The evidence caveat in its own box. Lines starting with '- ' become a list; indented
    lines under an item (such as its references) stay with that item."""
    blocks: list[str] = []
    items: list[str] = []

    def close_list() -> None:
        if items:
            blocks.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for line in caveat.splitlines():
        if not line.strip():
            close_list()
        elif line.lstrip().startswith("- ") and not line.startswith("  "):
            items.append(linkify(line.lstrip()[2:]))
        elif line.startswith((" ", "\t")) and items:
            items[-1] += f'<div class="caveat-detail">{linkify(line.strip())}</div>'
        else:
            close_list()
            blocks.append(f"<p>{linkify(line.strip())}</p>")
    close_list()
    return (
        '<div class="caveat-box" role="note" aria-label="Evidence status">'
        + "".join(blocks)
        + "</div>"
    )


def render_answer(answer: Answer, turn: int) -> str:
    """One answer as HTML for the chat: status note, text with linked markers, caveat box."""
    known = {c.n for c in answer.citations}
    # A class, not a data- attribute: the chatbot's sanitizer keeps classes only.
    parts = [f'<div class="answer answer-{esc(answer.status)} turn-{turn}">']
    note = STATUS_NOTES.get(answer.status)
    if note:
        role = ' role="alert"' if answer.status in ALERT_STATUSES else ""
        parts.append(f'<div class="status-note status-{answer.status}"{role}>{esc(note)}</div>')
    parts.append(_paragraphs(answer.answer, known, turn))
    if answer.caveat:
        parts.append(render_caveat(answer.caveat))
    if answer.citations:
        count = len(answer.citations)
        parts.append(
            f'<p class="muted sources-hint">{count} source{"s" if count != 1 else ""}: '
            f'see <a href="#sources-for-{turn}">Sources</a>.</p>'
        )
    parts.append("</div>")
    return "".join(parts)


def render_draft(text: str, status: str | None, turn: int) -> str:
    """An answer while it is being written: its text so far, markers not yet linked.

    Only sentences that passed verification arrive here; the final render (``render_answer``)
    replaces this, with the sources linked and the evidence-status box.
    """
    parts = [f'<div class="answer-draft draft-{turn}" aria-busy="true">']
    note = STATUS_NOTES.get(status or "")
    if note:
        role = ' role="alert"' if status in ALERT_STATUSES else ""
        parts.append(f'<div class="status-note status-{status}"{role}>{esc(note)}</div>')
    parts.append(_paragraphs(text, set(), turn) if text.strip() else "")
    parts.append(f'<p class="muted drafting">{esc(DRAFTING_NOTE)}</p></div>')
    return "".join(parts)


def render_alert(answer: Answer | None) -> str:
    """The alert above the page for an ``emergency`` answer (red) or an ``urgent`` one (amber-red,
    see a doctor today); empty otherwise."""
    if answer is None or answer.status not in ALERT_STATUSES:
        return ""
    if answer.status == "urgent":
        return (
            '<div class="emergency-alert urgent-alert" role="alert">'
            '<strong class="alert-title">See a doctor today</strong>'
            f"{_paragraphs(answer.answer, set(), 0)}</div>"
        )
    return (
        '<div class="emergency-alert" role="alert">'
        '<strong class="alert-title">Get medical help now</strong>'
        f"{_paragraphs(answer.answer, set(), 0)}</div>"
    )


def _source_item(c: Any, turn: int) -> str:
    kind = c["source_kind"]
    url = safe_url(c.get("url"))
    if url:
        link = (
            f'<a href="{esc(url)}" target="_blank" '
            f'rel="noopener noreferrer">Open the original page'
            f'<span class="sr-only"> (opens in a new tab)</span></a>'
        )
    else:
        link = '<span class="muted">No link to the original page.</span>'
    publisher = (
        f'<div class="source-publisher">{esc(c["publisher"])}</div>' if c.get("publisher") else ""
    )
    return (
        f'<li id="src-{turn}-{c["n"]}" class="source-item" tabindex="-1">'
        f'<div class="source-head"><span class="source-n">&#91;{c["n"]}&#93;</span> '
        f'<span class="badge badge-{_kind_class(kind)}" '
        f'title="{esc(KIND_HINTS.get(kind, "Other source."))}">{esc(kind_label(kind))}</span></div>'
        f'<div class="source-title">{esc(c["title"])}</div>{publisher}'
        f'<blockquote class="source-quote">{esc(c["quote"])}</blockquote>{link}</li>'
    )


def render_sources(turns: Sequence[dict[str, Any]]) -> str:
    """The sources panel: the latest answer's citations, then earlier answers' (collapsed)."""
    parts = ['<section class="sources-panel" aria-label="Sources"><h2>Sources</h2>']
    cited = [t for t in turns if t["answer"]["citations"]]
    if not cited:
        parts.append(
            '<p class="muted">The sources quoted in each answer appear here, with who wrote '
            "them and a link to the original page.</p>"
        )
    for i, t in enumerate(reversed(cited)):
        turn = t["turn"]
        citations = t["answer"]["citations"]
        heading = f"Answer {turn}: “{esc(t['answer']['question'])}”"
        items = "".join(_source_item(c, turn) for c in citations)
        if i == 0:
            parts.append(
                f'<div class="source-group" id="sources-for-{turn}"><h3>{heading}</h3>'
                f"<ol>{items}</ol></div>"
            )
        else:
            parts.append(
                f'<details class="source-group" id="sources-for-{turn}"><summary>{heading} '
                f"({len(citations)} source{'s' if len(citations) != 1 else ''})</summary>"
                f"<ol>{items}</ol></details>"
            )
    parts.append("</section>")
    return "".join(parts)


def footer_html(store_questions: bool) -> str:
    logged = (
        "Questions and answers are logged, without your name or any account, to check and "
        "improve the service."
        if store_questions
        else "Answers are logged without your questions, to check and improve the service."
    )
    return (
        '<footer class="app-footer"><p><strong>Not medical advice.</strong> This assistant '
        "gives general information quoted from the sources listed with each answer; it can be "
        "incomplete, and some sources are advertising. Do not use it to decide on treatment "
        "without your doctor. If you have sudden severe symptoms, call your local emergency "
        f'number (for example 911, 999 or 112).</p><p class="muted">{logged}</p></footer>'
    )


def render_conversation(turns: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The chat as shown, rebuilt from the session's turns: escaped question, rendered answer."""
    conversation: list[dict[str, str]] = []
    for t in turns:
        answer = Answer.model_validate(t["answer"])
        conversation.append({"role": "user", "content": esc(answer.question)})
        conversation.append({"role": "assistant", "content": render_answer(answer, t["turn"])})
    return conversation


def _history(turns: Sequence[dict[str, Any]], settings: Settings) -> list[dict[str, str]]:
    """The session's turns as history, within the service's turn and character limits."""
    history: list[dict[str, str]] = []
    for t in turns:
        history.append({"role": "user", "content": t["answer"]["question"]})
        history.append({"role": "assistant", "content": t["answer"]["answer"]})
    return fit_history(history, settings.max_history_turns, settings.max_history_chars)


def theme() -> gr.themes.Base:
    """The default theme with system fonts only, so the page fetches no web fonts."""
    return gr.themes.Default(
        primary_hue="blue",
        font=[gr.themes.Font("system-ui"), "sans-serif"],
        font_mono=[gr.themes.Font("ui-monospace"), "monospace"],
    )


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
        conversation = render_conversation(turns)
        backend = get_backend()
        if not isinstance(question, str) or not question.strip():
            gr.Warning("Please type a question.")
            yield conversation, turns, render_sources(turns), gr.skip(), gr.skip()
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
        conversation.append({"role": "user", "content": esc(question.strip())})
        conversation.append({"role": "assistant", "content": render_draft("", None, turn)})
        yield conversation, turns, gr.skip(), gr.skip(), ""
        status: str | None = None
        text = ""
        final: tuple[Answer, str | None] | None = None
        for event in events:
            if isinstance(event, StreamStatus):
                status = event.status
            elif isinstance(event, str):
                text += event
                conversation[-1] = {
                    "role": "assistant",
                    "content": render_draft(text, status, turn),
                }
                yield conversation, turns, gr.skip(), gr.skip(), gr.skip()
            else:
                final = event
        assert final is not None, "the stream ended without an answer"
        answer, answer_id = final
        conversation[-1] = {"role": "assistant", "content": render_answer(answer, turn)}
        turns.append(
            {
                "turn": turn,
                "msg_index": len(conversation) - 1,
                "answer_id": answer_id,
                "answer": answer.model_dump(mode="json"),
            }
        )
        alert_html = render_alert(answer)
        yield (
            conversation,
            turns,
            render_sources(turns),
            gr.HTML(value=alert_html, visible=bool(alert_html)),
            "",
        )

    def on_feedback(turns: list[dict[str, Any]] | None, data: gr.LikeData) -> tuple[Any, ...]:
        index = data.index[0] if isinstance(data.index, (tuple, list)) else data.index
        turn = next((t for t in turns or [] if t["msg_index"] == index), None)
        if data.liked in (True, "Like"):
            helpful = True
        elif data.liked in (False, "Dislike"):
            helpful = False
        else:  # feedback withdrawn: nothing to store
            return None, gr.update(visible=False), gr.skip()
        if turn is None or not turn["answer_id"]:
            gr.Warning("Sorry, feedback could not be saved for this answer.")
            return None, gr.update(visible=False), gr.skip()
        record = get_backend().audit.add_feedback(turn["answer_id"], helpful, None, "ui")
        word = "helpful" if helpful else "not helpful"
        note = (
            f"Thank you: answer {turn['turn']} was marked **{word}**. "
            "You can tell us why (optional, no personal details please):"
        )
        return record.id, gr.update(visible=True), note

    def on_reason(feedback_id: int | None, reason: str) -> tuple[Any, ...]:
        if feedback_id is None:
            return gr.skip(), gr.update(visible=False), ""
        if (reason or "").strip():
            get_backend().audit.set_feedback_reason(feedback_id, reason[:2000])
            gr.Info("Thank you, your comment was saved.")
        return None, gr.update(visible=False), ""

    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        alert = gr.HTML(
            "", label="Emergency alert", visible=False, elem_id="emergency-alert", padding=False
        )
        gr.HTML(ABOUT_HTML, elem_id="about", padding=False)
        turns = gr.State([])
        feedback_id = gr.State(None)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=300):
                chat = gr.Chatbot(
                    label="Conversation",
                    show_label=False,
                    elem_id="chat",
                    height=None,  # grows with the conversation; the page scrolls, not a box
                    min_height=240,
                    feedback_options=("Like", "Dislike"),
                    latex_delimiters=[],
                    buttons=["copy"],
                    placeholder="Ask a question about migraine surgery, or pick an example below.",
                    render_markdown=True,
                    autoscroll=False,  # SCROLL_TO_ANSWER_JS shows the start of each answer
                )
                with gr.Row(equal_height=True):
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
                with gr.Group(visible=False, elem_id="feedback-box") as feedback_box:
                    feedback_note = gr.Markdown("")
                    reason = gr.Textbox(
                        label="Why? (optional)", lines=2, max_lines=6, elem_id="feedback-reason"
                    )
                    send_reason = gr.Button("Send comment", elem_id="feedback-send", size="sm")
                gr.HTML('<h2 class="examples-title">Example questions</h2>', padding=False)
                with gr.Row(elem_id="examples"):
                    example_buttons = [
                        gr.Button(text, size="sm", min_width=160) for text in EXAMPLES
                    ]
            with gr.Column(scale=2, min_width=280):
                sources = gr.HTML(
                    render_sources([]), label="Sources", elem_id="sources-panel", padding=False
                )
        gr.HTML(footer_html(store_questions), elem_id="footer", padding=False)

        outputs = [chat, turns, sources, alert, question]
        after_answer = {
            "fn": lambda: (None, gr.update(visible=False)),
            "inputs": None,
            "outputs": [feedback_id, feedback_box],
            "api_visibility": "private",
            "queue": False,
            # Show the start of the new answer, not its end: answers are read from the top.
            "js": SCROLL_TO_ANSWER_JS,
        }
        question.submit(ask, [question, turns], outputs, api_name="ask").then(**after_answer)
        send.click(ask, [question, turns], outputs, api_visibility="private").then(**after_answer)
        for button, text in zip(example_buttons, EXAMPLES, strict=True):

            def ask_example(
                state: list[dict[str, Any]] | None, _text: str = text
            ) -> Iterator[tuple[Any, ...]]:
                yield from ask(_text, state)

            button.click(ask_example, [turns], outputs, api_visibility="private").then(
                **after_answer
            )
        chat.clear(
            lambda: (
                [],
                render_sources([]),
                gr.HTML(value="", visible=False),
                None,
                gr.update(visible=False),
            ),
            None,
            [turns, sources, alert, feedback_id, feedback_box],
            api_visibility="private",
            queue=False,
        )
        chat.like(
            on_feedback,
            [turns],
            [feedback_id, feedback_box, feedback_note],
            api_visibility="private",
        )
        send_reason.click(
            on_reason,
            [feedback_id, reason],
            [feedback_id, feedback_box, reason],
            api_visibility="private",
        )
        reason.submit(
            on_reason,
            [feedback_id, reason],
            [feedback_id, feedback_box, reason],
            api_visibility="private",
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
        mounted = gr.mount_gradio_app(
            app,
            demo,
            path="/",
            blocked_paths=[str(settings.data_dir.resolve()), "/proc", "/etc", "/root"],
            allowed_paths=[],
            max_file_size=1,
            theme=theme(),
            css=CSS,
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
