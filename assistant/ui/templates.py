"""The Jinja2 environments of ``assistant/templates/ui`` and the static files of
``assistant/static/ui``."""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

STATIC = resources.files("assistant").joinpath("static", "ui")

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
def environment(kind: Literal["html", "text"]) -> Environment:
    """``html``: the chat's markup and the printable page (autoescaped); ``text``: what Copy
    and the Markdown download produce (plain text)."""
    env = Environment(
        loader=PackageLoader("assistant", "templates/ui"),
        autoescape=kind == "html",
        undefined=StrictUndefined,
        # Text templates drop the line of a block tag; HTML keeps it, for one_block to join.
        trim_blocks=kind == "text",
        lstrip_blocks=True,
        keep_trailing_newline=kind == "text",
    )
    env.filters["inert"] = inert
    return env


_BETWEEN_TAGS = re.compile(r">\s*\n\s*<")
_LINE_BREAK = re.compile(r"\s*\n\s*")


def one_block(html: str) -> str:
    """A rendered template on one line, so the chatbot's Markdown reads it as one HTML block
    (text never holds a raw line break: :func:`inert` writes it as ``&#10;``)."""
    return _LINE_BREAK.sub(" ", _BETWEEN_TAGS.sub("><", html)).strip()


def render_html(name: str, **context: Any) -> str:
    """A template of ``templates/ui`` rendered for the chat (one HTML block)."""
    return one_block(environment("html").get_template(name).render(**context))


def render_page(name: str, **context: Any) -> str:
    """A template of ``templates/ui`` rendered as a whole HTML document."""
    return environment("html").get_template(name).render(**context)


def render_text(name: str, **context: Any) -> str:
    return environment("text").get_template(name).render(**context).strip() + "\n"


def static_text(name: str) -> str:
    """A file of ``assistant/static/ui`` (the UI's CSS and JavaScript)."""
    return STATIC.joinpath(name).read_text(encoding="utf-8")
