"""The fixed texts patients read, one reviewed data file per language.

``assistant/resources/messages/<language>.yaml`` holds, for en, es, fr, de, nl, pt and it, the
same keys: refusals, lead-ins, the plain-language leads and verdicts, and the emergency, urgent
and declined messages. A key missing in one language falls back to English.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
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
        return " ".join(template.format(**values).split())

    def sub(self, group: str, key: str) -> str | None:
        own = (self.data.get(group) or {}).get(key)
        return own if own else (self.fallback.get(group) or {}).get(key)

    def procedure(self, pid: str, registry_name: str | None = None) -> str:
        return self.sub("procedures", pid) or registry_name or pid

    def join(self, items: Sequence[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + f" {self.get('and')} " + items[-1]


@lru_cache(maxsize=16)
def messages(language: str, folder: str = str(MESSAGES_DIR)) -> Messages:
    base = Path(folder)
    english = yaml.safe_load((base / "en.yaml").read_text(encoding="utf-8"))
    path = base / f"{language}.yaml"
    if language == "en" or not path.exists():
        return Messages(english, english)
    return Messages(yaml.safe_load(path.read_text(encoding="utf-8")), english)
