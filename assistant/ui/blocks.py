"""The Gradio page: its components, their labels in the page's language, and the events that
connect them to :class:`~assistant.ui.handlers.Handlers` and to ``static/ui/app.js``."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from assistant.audited import AuditedAssistant
from assistant.ui.handlers import Handlers
from assistant.ui.labels import TITLE, labels
from assistant.ui.render import (
    about_html,
    examples_title_html,
    feedback_hint_html,
    footer_html,
    render_sources,
    storage_note_html,
)

# Small glue for events; the behaviour itself is in static/ui/app.js (window.msaUI).
LOAD_KEPT_JS = "() => (window.msaUI ? window.msaUI.kept() : ['', false])"
STORE_JS = "(snap, keep) => { if (window.msaUI) window.msaUI.store(snap, keep); }"
SHOW_ANSWER_JS = (
    "(snap, keep) => { if (window.msaUI) { window.msaUI.store(snap, keep); "
    "window.msaUI.showAnswer(); } }"
)
KEEP_JS = "(keep, snap) => { if (window.msaUI) window.msaUI.setKeep(keep, snap); }"
DOWNLOAD_JS = "(payload) => { if (window.msaUI) window.msaUI.download(payload); }"
CONFIRM_CLEAR_JS = "(flag, lang) => [window.msaUI ? window.msaUI.confirmClear() : false, lang]"
PAGE_JS = "(text) => { if (window.msaUI) window.msaUI.setPage(text); }"


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


@dataclass
class Page:
    """The page's components. ``labelled`` are those whose labels follow the page's language,
    in the order of :func:`page_labels`."""

    store_questions: bool
    turns: Any = None
    lang: Any = None
    pending: Any = None
    alert: Any = None
    chat: Any = None
    feedback_box: Any = None
    feedback_note: Any = None
    reason: Any = None
    send_reason: Any = None
    question: Any = None
    send: Any = None
    download_md: Any = None
    download_html: Any = None
    clear: Any = None
    keep: Any = None
    examples: list[Any] = field(default_factory=list)
    sources: Any = None
    html: dict[str, Any] = field(default_factory=dict)
    kept_box: Any = None
    snapshot_box: Any = None
    export_box: Any = None
    clear_flag: Any = None
    page_text: Any = None

    def labelled(self) -> list[Any]:
        return [
            *(self.html[name] for name in HTML_BLOCKS),
            self.chat,
            self.reason,
            self.send_reason,
            self.question,
            self.send,
            self.download_md,
            self.download_html,
            self.clear,
            self.keep,
            *self.examples,
            self.page_text,
        ]


HTML_BLOCKS = ("about", "feedback_hint", "storage_note", "examples_title", "footer")


def page_text(lang: str) -> str:
    """What app.js needs of the page's language: the ``lang`` of the page, its title and the
    question asked before clearing."""
    t = labels(lang)
    return json.dumps(
        {"lang": t.language, "title": t("title"), "clear_confirm": t("clear_confirm")},
        ensure_ascii=False,
    )


def page_labels(lang: str | None, store_questions: bool) -> tuple[Any, ...]:
    """Updates for :meth:`Page.labelled`, in ``lang`` (the page's language)."""
    t = labels(lang)
    html = {
        "about": about_html(t.language),
        "feedback_hint": feedback_hint_html(t.language),
        "storage_note": storage_note_html(t.language),
        "examples_title": examples_title_html(t.language),
        "footer": footer_html(store_questions, t.language),
    }
    return (
        *(gr.update(value=html[name]) for name in HTML_BLOCKS),
        gr.update(label=t("chat_label"), placeholder=t("chat_placeholder")),
        gr.update(label=t("reason_label")),
        gr.update(value=t("send_comment")),
        gr.update(label=t("question_label"), placeholder=t("question_placeholder")),
        gr.update(value=t("ask")),
        gr.update(value=t("download_markdown")),
        gr.update(value=t("download_page")),
        gr.update(value=t("clear")),
        gr.update(label=t("keep")),
        *(gr.update(value=text) for text in t.examples()),
        page_text(t.language),
    )


def _html(page: Page, name: str, value: str, **kw: Any) -> None:
    page.html[name] = gr.HTML(value, padding=False, **kw)


def _chat_and_question(page: Page) -> None:
    t = labels("en")
    page.chat = gr.Chatbot(
        label=t("chat_label"),
        show_label=False,
        elem_id="chat",
        height=None,  # grows with the conversation; the page scrolls, not a box
        min_height=160,
        feedback_options=("Like", "Dislike"),
        latex_delimiters=[],
        buttons=[],  # each answer has its own Copy (plain text, not HTML)
        placeholder=t("chat_placeholder"),
        render_markdown=True,
        autoscroll=False,  # app.js shows the start of each answer
        layout="panel",
    )
    with gr.Group(visible=False, elem_id="feedback-box") as page.feedback_box:
        page.feedback_note = gr.Markdown("", elem_id="feedback-note")
        page.reason = gr.Textbox(
            label=t("reason_label"), lines=2, max_lines=6, elem_id="feedback-reason"
        )
        page.send_reason = gr.Button(t("send_comment"), elem_id="feedback-send", size="sm")
    with gr.Row(equal_height=False, elem_id="ask-row"):
        page.question = gr.Textbox(
            label=t("question_label"),
            placeholder=t("question_placeholder"),
            lines=1,
            max_lines=4,
            scale=5,
            min_width=200,
            elem_id="question",
        )
        page.send = gr.Button(
            t("ask"), variant="primary", scale=1, min_width=80, elem_id="ask-button"
        )


def _conversation_tools(page: Page) -> None:
    t = labels("en")
    _html(page, "feedback_hint", feedback_hint_html())
    with gr.Row(elem_id="conversation-tools"):
        page.download_md = gr.Button(t("download_markdown"), size="sm", elem_id="download-markdown")
        page.download_html = gr.Button(t("download_page"), size="sm", elem_id="download-html")
        page.clear = gr.Button(t("clear"), size="sm", elem_id="clear-conversation")
    page.keep = gr.Checkbox(False, label=t("keep"), elem_id="keep-conversation", container=False)
    _html(page, "storage_note", storage_note_html())
    _html(page, "examples_title", examples_title_html())
    with gr.Row(elem_id="examples"):
        page.examples = [gr.Button(text, size="sm", min_width=160) for text in t.examples()]


def layout(page: Page) -> None:
    """The page's components, labelled in English until the page's language is known."""
    page.alert = gr.HTML(
        "", label="Emergency alert", visible=False, elem_id="emergency-alert", padding=False
    )
    _html(page, "about", about_html(), elem_id="about")
    page.turns = gr.State([])
    page.lang = gr.State(None)
    page.pending = gr.State(None)
    with gr.Row(equal_height=False, elem_id="main-row"):
        with gr.Column(scale=3, min_width=300, elem_id="chat-column"):
            _chat_and_question(page)
            _conversation_tools(page)
        with gr.Column(scale=2, min_width=280, elem_id="sources-column"):
            page.sources = gr.HTML(
                render_sources([]), label="Sources", elem_id="sources-panel", padding=False
            )
    _html(page, "footer", footer_html(page.store_questions), elem_id="footer")
    # Carriers between the server and app.js; text only, never shown.
    page.kept_box = gr.Textbox(visible=False, elem_id="kept-conversation")
    page.snapshot_box = gr.Textbox(visible=False, elem_id="conversation-snapshot")
    page.export_box = gr.Textbox(visible=False, elem_id="conversation-export")
    page.clear_flag = gr.Checkbox(False, visible=False, elem_id="clear-confirmed")
    page.page_text = gr.Textbox(page_text("en"), visible=False, elem_id="page-text")


PRIVATE: dict[str, Any] = {"api_visibility": "private"}


def _relabel(event: Any, page: Page) -> Any:
    """After ``event``: the page's labels in its language, then the page's ``lang`` and title.
    Without a progress display: the header, notes and footer do not fade while relabelled."""
    relabel = functools.partial(page_labels, store_questions=page.store_questions)
    return event.then(
        relabel, [page.lang], page.labelled(), queue=False, show_progress="hidden", **PRIVATE
    ).then(None, [page.page_text], None, js=PAGE_JS, **PRIVATE)


def _wire_questions(page: Page, handlers: Handlers) -> None:
    outputs = [
        page.chat, page.turns, page.sources, page.alert, page.question, page.snapshot_box,
        page.lang,
    ]  # fmt: skip

    def after_answer(event: Any) -> None:
        settled = event.then(
            lambda: (None, gr.update(visible=False)),
            None,
            [page.pending, page.feedback_box],
            queue=False,
            **PRIVATE,
        ).then(None, [page.snapshot_box, page.keep], None, js=SHOW_ANSWER_JS, **PRIVATE)
        _relabel(settled, page)

    inputs = [page.question, page.turns, page.lang]
    after_answer(page.question.submit(handlers.ask, inputs, outputs, api_name="ask"))
    after_answer(page.send.click(handlers.ask, inputs, outputs, **PRIVATE))
    for button in page.examples:
        # The button's text, in the page's language, is the question.
        after_answer(
            button.click(handlers.ask, [button, page.turns, page.lang], outputs, **PRIVATE)
        )


def _wire_feedback(page: Page, handlers: Handlers) -> None:
    store = {"js": STORE_JS, **PRIVATE}
    page.chat.like(
        handlers.on_feedback,
        [page.turns, page.lang],
        [page.pending, page.feedback_box, page.feedback_note, page.chat, page.turns,
         page.snapshot_box],
        **PRIVATE,
    ).then(None, [page.snapshot_box, page.keep], None, **store)  # fmt: skip
    for trigger in (page.send_reason.click, page.reason.submit):
        trigger(
            handlers.on_reason,
            [page.pending, page.reason, page.turns],
            [page.pending, page.feedback_box, page.reason, page.chat, page.turns,
             page.snapshot_box],
            **PRIVATE,
        ).then(None, [page.snapshot_box, page.keep], None, **store)  # fmt: skip


def _wire_conversation(page: Page, handlers: Handlers, demo: gr.Blocks) -> None:
    for button, fmt in ((page.download_md, "markdown"), (page.download_html, "html")):
        button.click(
            functools.partial(handlers.on_export, fmt=fmt),
            [page.turns, page.lang],
            [page.export_box],
            **PRIVATE,
        ).then(None, [page.export_box], None, js=DOWNLOAD_JS, **PRIVATE)
    page.clear.click(
        handlers.on_clear,
        [page.clear_flag, page.lang],
        [page.chat, page.turns, page.sources, page.alert, page.pending, page.feedback_box,
         page.snapshot_box],
        js=CONFIRM_CLEAR_JS,
        queue=False,
        **PRIVATE,
    )  # fmt: skip
    page.keep.input(None, [page.keep, page.snapshot_box], None, js=KEEP_JS, **PRIVATE)
    started = demo.load(None, None, [page.kept_box, page.keep], js=LOAD_KEPT_JS, **PRIVATE).then(
        handlers.on_start,
        [page.kept_box, page.turns],
        [page.chat, page.turns, page.sources, page.snapshot_box, page.kept_box, page.lang],
        **PRIVATE,
    )
    _relabel(started, page)


def build_ui(
    get_backend: Callable[[], AuditedAssistant], store_questions: bool = True
) -> gr.Blocks:
    """The chat UI. ``get_backend`` is called per request, so nothing loads at build time."""
    handlers = Handlers(get_backend)
    page = Page(store_questions=store_questions)
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=False) as demo:
        layout(page)
        _wire_questions(page, handlers)
        _wire_feedback(page, handlers)
        _wire_conversation(page, handlers, demo)
    demo.queue(default_concurrency_limit=4)
    built: gr.Blocks = demo
    return built
