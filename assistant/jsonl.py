"""JSON Lines: one JSON value a line, blank lines allowed."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any


def json_lines(lines: Iterable[str]) -> Iterator[tuple[int, Any]]:
    """The number (from 1) and the parsed value of each non-blank line; a line that is not
    valid JSON gives its :class:`json.JSONDecodeError` instead, for the caller to report."""
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield lineno, json.loads(line)
        except json.JSONDecodeError as exc:
            yield lineno, exc
