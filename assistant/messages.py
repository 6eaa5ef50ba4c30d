"""The fixed texts patients read, one reviewed data file per language.

``assistant/resources/messages/<language>.yaml`` holds, for en, es, fr, de, nl, pt and it, the
same keys: refusals, lead-ins, the plain-language leads and verdicts, the emergency, urgent
and declined messages, and the patient UI's labels (the ``ui`` group). A key missing in one
language falls back to English when read; :func:`check_languages` (run when the UI starts, and
by the tests) refuses any language that lacks a key English has.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import yaml

MESSAGES_DIR = Path(__file__).resolve().parent / "resources" / "messages"
LANGUAGES = ("en", "es", "fr", "de", "nl", "pt", "it")


class Messages:
    """The fixed texts of one language (English where a key is missing)."""

    def __init__(self, data: dict[str, Any], fallback: dict[str, Any] | None = None) -> None:
        self.data = data
        self.fallback = fallback or {}

    def get(self, key: str) -> Any:
        value = self.data.get(key)
        return value if value not in (None, "", {}) else self.fallback.get(key)

    def text(self, key: str, **values: str) -> str:
        template = str(self.get(key) or "")
        return self.contract(" ".join(template.format(**values).split()))

    def contract(self, text: str) -> str:
        """A preposition joined to the article of a name put after it ("de le transfert" ->
        "du transfert", "di il trasferimento" -> "del trasferimento"): the language's own
        ``contractions``, never English ones."""
        for loose, joined in (self.data.get("contractions") or {}).items():
            text = re.sub(
                rf"(?<!\w){re.escape(loose)}", partial(_joined, str(joined)), text, flags=re.I
            )
        return text

    def sub(self, group: str, key: str) -> str | None:
        own = (self.data.get(group) or {}).get(key)
        return own if own else (self.fallback.get(group) or {}).get(key)

    def procedure(self, pid: str, registry_name: str | None = None) -> str:
        return self.sub("procedures", pid) or registry_name or pid

    def join(self, items: Sequence[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + f" {self.get('and')} " + items[-1]


def _joined(joined: str, match: re.Match[str]) -> str:
    """The contracted form, capitalised where the loose one was."""
    return joined[0].upper() + joined[1:] if match.group(0)[0].isupper() else joined


@lru_cache(maxsize=16)
def messages(language: str, folder: str = str(MESSAGES_DIR)) -> Messages:
    base = Path(folder)
    english = yaml.safe_load((base / "en.yaml").read_text(encoding="utf-8"))
    path = base / f"{language}.yaml"
    if language == "en" or not path.exists():
        return Messages(english, english)
    return Messages(yaml.safe_load(path.read_text(encoding="utf-8")), english)


class MissingMessagesError(RuntimeError):
    """A language's messages file lacks keys that English has."""


def _leaf_keys(data: object, prefix: str = "") -> set[str]:
    """Dotted keys of the values (strings, lists) in ``data``; empty values count as missing."""
    if isinstance(data, dict):
        return {k for key, value in data.items() for k in _leaf_keys(value, f"{prefix}{key}.")}
    return {prefix.rstrip(".")} if data not in (None, "", [], {}) else set()


def missing_keys(language: str, folder: str = str(MESSAGES_DIR)) -> list[str]:
    """The dotted keys (``ui.copy``, ``lead_ins.reference``) that English has and ``language``
    lacks or leaves empty; every key when the language has no file."""
    base = Path(folder)
    english = _leaf_keys(yaml.safe_load((base / "en.yaml").read_text(encoding="utf-8")))
    path = base / f"{language}.yaml"
    own = _leaf_keys(yaml.safe_load(path.read_text(encoding="utf-8"))) if path.exists() else set()
    return sorted(english - own)


def check_languages(languages: Sequence[str] = LANGUAGES, folder: str = str(MESSAGES_DIR)) -> None:
    """Raise :class:`MissingMessagesError` naming every key a language lacks."""
    gaps = {language: missing_keys(language, folder) for language in languages}
    gaps = {language: keys for language, keys in gaps.items() if keys}
    if gaps:
        detail = "; ".join(f"{lang}: {', '.join(keys)}" for lang, keys in gaps.items())
        raise MissingMessagesError(f"messages missing in {Path(folder)}: {detail}")


def language_of(code: str | None) -> str:
    """One of :data:`LANGUAGES` for a language code (``nl``, ``pt-BR``); English otherwise."""
    primary = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGUAGES else "en"
