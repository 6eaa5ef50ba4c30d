"""The patient chat UI (Gradio), a thin adapter over ``Assistant.ask``.

Answers are rendered to HTML here, from the Answer's fields only, with the Jinja2 templates of
``assistant/templates/ui/`` (autoescaped; text shown in the chat also goes through
:func:`inert`, so the chatbot's Markdown renderer shows it as written). Styles and behaviour
are the static files of ``assistant/static/ui/``. ``[n]`` markers open the numbered source
card under the answer, the evidence caveat sits in its own box with its references folded
away, and an ``emergency`` answer (red) or an ``urgent`` one (amber-red) also shows as an alert
above the page. The page loads nothing from outside the server (system fonts, no analytics, no
share buttons).

Labels are in seven languages (the ``ui`` group of the messages files): inside an answer, the
answer's language; on the page, the browser's language until the patient writes, then that of
the latest question (:mod:`assistant.ui.labels`).

The chat shown is always rebuilt here from the session's turns (server-side state). The only
values the browser sends are text: the question, a feedback reason, and, when the patient has
chosen to keep the conversation in the tab, that conversation as JSON text, which is parsed and
validated here before it is shown again.

Modules: ``labels`` (languages and labels), ``templates`` (Jinja2 and static files),
``views`` (what templates are given), ``render`` (the chat's HTML), ``keep`` (downloads and
the kept conversation), ``handlers`` (events), ``blocks`` (the Gradio page), ``security``
(closed routes, cache folder) and ``mount`` (mounting on the server).
"""

from assistant.ui.blocks import build_ui, page_labels, theme
from assistant.ui.handlers import FEEDBACK_WORDS, Handlers
from assistant.ui.keep import (
    EXPORTS,
    MAX_KEPT_CHARS,
    MAX_KEPT_TURNS,
    KeptTurn,
    conversation_markdown,
    conversation_page,
    export_payload,
    restore_turns,
    snapshot,
)
from assistant.ui.labels import (
    ALERT_TITLES,
    DRAFTING_NOTE,
    EXAMPLES,
    KIND_HINTS,
    KIND_LABELS,
    STATUS_NOTES,
    TITLE,
    UNAVAILABLE_MESSAGE,
    Labels,
    browser_language,
    conversation_language,
    labels,
)
from assistant.ui.mount import mount_ui
from assistant.ui.render import (
    about_html,
    chat_update,
    footer_html,
    render_alert,
    render_answer,
    render_caveat,
    render_conversation,
    render_draft,
    render_question,
    render_sources,
)
from assistant.ui.security import (
    CLOSED_GRADIO_ROUTES,
    ClosedRoutesMiddleware,
    gradio_temp_dir,
    reset_temp_dir,
)
from assistant.ui.templates import inert, render_html, render_text, static_text
from assistant.ui.views import (
    ALERT_STATUSES,
    MAX_ALERT_STEPS,
    alert_steps,
    answer_view,
    caveat_view,
    citation_view,
    kind_label,
    safe_url,
    segments,
)

__all__ = [
    "ALERT_STATUSES",
    "ALERT_TITLES",
    "CLOSED_GRADIO_ROUTES",
    "DRAFTING_NOTE",
    "EXAMPLES",
    "EXPORTS",
    "FEEDBACK_WORDS",
    "KIND_HINTS",
    "KIND_LABELS",
    "MAX_ALERT_STEPS",
    "MAX_KEPT_CHARS",
    "MAX_KEPT_TURNS",
    "STATUS_NOTES",
    "TITLE",
    "UNAVAILABLE_MESSAGE",
    "ClosedRoutesMiddleware",
    "Handlers",
    "KeptTurn",
    "Labels",
    "about_html",
    "alert_steps",
    "answer_view",
    "browser_language",
    "build_ui",
    "caveat_view",
    "chat_update",
    "citation_view",
    "conversation_language",
    "conversation_markdown",
    "conversation_page",
    "export_payload",
    "footer_html",
    "gradio_temp_dir",
    "inert",
    "kind_label",
    "labels",
    "mount_ui",
    "page_labels",
    "render_alert",
    "render_answer",
    "render_caveat",
    "render_conversation",
    "render_draft",
    "render_html",
    "render_question",
    "render_sources",
    "render_text",
    "reset_temp_dir",
    "restore_turns",
    "safe_url",
    "segments",
    "snapshot",
    "static_text",
    "theme",
]
