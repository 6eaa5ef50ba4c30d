"""The UI's labels, in the language of the conversation.

Labels are the ``ui`` group of ``assistant/resources/messages/<language>.yaml``. Labels inside
an answer follow that answer's language; labels of the page follow the browser's
``Accept-Language`` until the patient writes, then the language of the latest question.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from assistant.messages import LANGUAGES, Messages, language_of, messages


class Labels:
    """The labels of one language; ``t("copy")``, ``t("saved", date=...)``."""

    def __init__(self, language: str) -> None:
        self.language = language_of(language)
        self._messages: Messages = messages(self.language)

    def raw(self, key: str) -> Any:
        value = self._messages.sub("ui", key)
        if value is None:
            raise KeyError(f"no UI label {key!r}")
        return value

    def __call__(self, key: str, **values: object) -> str:
        template = str(self.raw(key))
        return template.format(**values) if values else template

    def around(self, key: str, field: str) -> tuple[str, str]:
        """The label's text before and after ``{field}``, to wrap that value in markup."""
        before, _, after = str(self.raw(key)).partition("{" + field + "}")
        return before, after

    def kind(self, kind: str) -> str:
        """Who wrote a source, as its badge says."""
        return self(f"kind_{kind.replace('-', '_')}" if kind in KINDS else "kind_other")

    def kind_hint(self, kind: str) -> str:
        return self(f"hint_{kind.replace('-', '_')}" if kind in KINDS else "hint_other")

    def feedback(self, stored: str | None) -> str:
        """A stored feedback value ("helpful", "not helpful") in this language."""
        return self({"helpful": "helpful", "not helpful": "not_helpful"}[stored]) if stored else ""

    def examples(self) -> tuple[str, ...]:
        return tuple(self(f"example_{i}") for i in range(1, 5))

    def date(self, when: datetime) -> str:
        months: Sequence[str] = self.raw("months")
        return self(
            "date",
            dd=f"{when.day:02d}",
            day=str(when.day),
            month=months[when.month - 1],
            year=str(when.year),
            time=when.strftime("%H:%M"),
        )


KINDS = ("reference", "clinic-marketing", "practice-blog", "curated-evidence")


@functools.cache
def labels(language: str | None) -> Labels:
    return Labels(language or "en")


_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([^\s,;]*))?"
)


def browser_language(header: str | None) -> str:
    """The first of :data:`LANGUAGES` the browser's ``Accept-Language`` asks for, by weight
    (``nl-NL,nl;q=0.9,en;q=0.8`` gives ``nl``); English when it asks for none of them."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "")[:1000].split(",")):
        m = _RANGE.match(part)
        if not m:
            continue
        try:
            weight = float(m.group(2)) if m.group(2) is not None else 1.0
        except ValueError:
            continue
        primary = m.group(1).lower().replace("_", "-").split("-")[0]
        if weight > 0 and primary in LANGUAGES:
            ranked.append((-weight, position, primary))
    return min(ranked)[2] if ranked else "en"


def request_language(headers: Mapping[str, str] | None) -> str:
    return browser_language((headers or {}).get("accept-language"))


def conversation_language(turns: Sequence[Mapping[str, Any]], default: str = "en") -> str:
    """The language of the latest question of the conversation (``default`` before any)."""
    for turn in reversed(turns):
        answer = turn.get("answer") or {}
        if isinstance(answer, Mapping) and answer.get("language"):
            return language_of(str(answer["language"]))
    return language_of(default)


def saved_at(t: Labels, now: datetime | None = None) -> str:
    return t.date(now or datetime.now(UTC))


# English, under the names the rest of the project (and its tests) import.
_EN = labels("en")
TITLE = _EN("title")
EXAMPLES = _EN.examples()
KIND_LABELS = {kind: _EN.kind(kind) for kind in KINDS}
KIND_HINTS = {kind: _EN.kind_hint(kind) for kind in KINDS}
STATUS_NOTES = {s: _EN(f"status_{s}") for s in ("no_evidence", "declined", "emergency", "urgent")}
ALERT_TITLES = {s: _EN(f"alert_{s}") for s in ("emergency", "urgent")}
UNAVAILABLE_MESSAGE = _EN("unavailable")
DRAFTING_NOTE = _EN("drafting")
