"""Checks on text that comes from outside (the API, the UI, the command line)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T", bound="dict[str, str]")


def unicode_problem(text: str) -> str | None:
    """None if ``text`` is well-formed Unicode; else what is wrong with it, in words.

    A Python string can hold a lone surrogate (JSON's ``"\\ud800"`` decodes to one), which no
    encoder, tokenizer or database accepts; it is refused where the text comes in.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"contains a lone surrogate (U+{ord(text[exc.start]):04X}) at character "
            f"{exc.start}, which is not valid Unicode text"
        )
    return None


def clean_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, safe to encode and send back."""
    if unicode_problem(text) is None:
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def fit_history(history: Sequence[T], max_turns: int, max_chars: int) -> list[T]:
    """The latest turns of ``history`` that fit both limits: the oldest turns go first.

    Used where the conversation is kept for the user (the UI, ``assistant chat``), so that a
    long conversation goes on instead of failing the service's checks.
    """
    kept = list(history[-max_turns:]) if max_turns else []
    total = sum(len(t["content"]) for t in kept)
    while kept and total > max_chars:
        total -= len(kept.pop(0)["content"])
    return kept
