"""Sentences and list items of plain text: the one splitter that ingest, units and answers use.

A sentence ends at ``.``, ``!`` or ``?`` (with closing quotes or brackets) followed by space or
the end, unless the word before is a known abbreviation, a single letter, or the next word
starts in lower case. Spans are offsets into the original text, trimmed, without list bullets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from assistant.types import Span

LIST_ITEM = re.compile(r"^\s*(?:[-*+•●▪◦–]|\d{1,3}[.)])\s+")
"""A list bullet or number at the start of a line."""
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+|$)")
_NON_SPACE = re.compile(r"\S")

_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "vs",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "no",
        "approx",
        "fig",
        "al",
        "ca",
        "cf",
        "jr",
        "sr",
        "inc",
        "ltd",
        "dept",
    ]
)


def split_sentences(text: str, start: int, end: int) -> list[Span]:
    """Sentence spans within ``text[start:end]``, trimmed, bullets excluded."""
    return [Span(start=s, end=e) for s, e in iter_sentences(text, start, end)]


def iter_sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence of :func:`split_sentences`, lazily, in linear time."""
    segment = text[start:end]

    def trimmed(a: int, b: int) -> tuple[int, int] | None:
        piece = text[a:b]
        bullet = LIST_ITEM.match(piece)
        lead = bullet.end() if bullet else len(piece) - len(piece.lstrip())
        s, e = a + lead, a + len(piece.rstrip())
        return (s, e) if e > s else None

    cursor = 0
    for match in _SENTENCE_END.finditer(segment):
        stop = match.end()
        # The last word before the mark (as ``segment[cursor:mark].split()[-1]``, without
        # copying text that earlier, skipped marks left behind the cursor).
        j = match.start()
        while j > cursor and segment[j - 1].isspace():
            j -= 1
        i = j
        while i > cursor and not segment[i - 1].isspace():
            i -= 1
        word = segment[i:j].lower().rstrip(".")
        nxt = _NON_SPACE.search(segment, stop)
        following = nxt.group() if nxt else ""  # the first character after the spaces
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        if re.fullmatch(r"(?:[a-z]\.)+[a-z]", word) and following.islower():
            continue  # dotted abbreviation inside a sentence
        if following and following.islower():
            continue
        if (span := trimmed(start + cursor, start + stop)) is not None:
            yield span
        cursor = stop
    if segment[cursor:].strip() and (span := trimmed(start + cursor, end)) is not None:
        yield span


def index_text(title: str, heading_path: Sequence[str], text: str) -> str:
    """What is embedded and indexed for a chunk: its title and headings give it context."""
    headings = " > ".join(h for h in heading_path if h != title)
    prefix = f"{title} | {headings}" if headings else title
    return f"{prefix}\n{text}"


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|`([^`]+)`")


def readable(text: str) -> str:
    """Text as a reader sees it: Markdown links and emphasis reduced to their words.

    Used where a quote is shown; the citation keeps the exact source text and its offsets.
    """
    text = _MD_LINK.sub(r"\1", text)
    return _MD_EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", text)
