"""Structure-aware chunking with exact character offsets and sentence spans.

A document is read as blocks (headings, paragraphs, list items). Blocks under the same heading
are packed into chunks that fit the embedding model's window; a chunk never crosses a heading.
Every chunk is a contiguous slice of the document text, ``doc.text[start:end] == chunk.text``,
and carries the sentence spans that the extractive answerer quotes from.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from assistant.sentences import LIST_ITEM, iter_sentences, split_sentences
from assistant.types import Chunk, SourceDoc, Span

CHUNKER_VERSION = "2"

TokenCounter = Callable[[str], int]
P = ParamSpec("P")
T = TypeVar("T")

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_NON_SPACE = re.compile(r"\S")
_WORD = re.compile(r"\S+")
# One line with its terminator, at the line boundaries of ``str.splitlines``.
_LINE = re.compile(
    "[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]*"
    "(?:\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029])?"
)
# A span longer than this many characters per token of the budget (and than _MIN_CAP) is not
# counted whole: it cannot fit (a token is rarely more than a few characters), and counting
# megabytes of text at once would cost a token list as long as the text. It is split instead.
_MAX_CHARS_PER_TOKEN = 64
_MIN_CAP = 20_000


def _cap(max_tokens: int) -> int:
    return max(max_tokens * _MAX_CHARS_PER_TOKEN, _MIN_CAP)


@dataclass
class _Block:
    kind: str  # "heading" | "para" | "item"
    start: int
    end: int
    level: int = 0
    title: str = ""


@dataclass
class _Piece:
    start: int
    end: int
    heading_path: tuple[str, ...]
    tokens: int
    sentences: list[Span] = field(default_factory=list)


def approx_tokens(text: str) -> int:
    """Rough word-piece count used when no tokenizer is given (about 1.3 per word)."""
    return int(len(re.findall(r"\w+|[^\w\s]", text)) * 1.15) + 1


def document_hash(doc: SourceDoc, embedder_id: str) -> str:
    """Content hash of a document: text, provenance, chunker version and embedding model."""
    meta = doc.model_dump(exclude={"text", "path"})
    payload = json.dumps(meta, sort_keys=True, default=str) + CHUNKER_VERSION + embedder_id
    digest = hashlib.sha256(payload.encode("utf-8"))
    step = 1 << 20  # a megabyte of text at a time: the same digest, without a copy of it all
    for i in range(0, len(doc.text), step):
        digest.update(doc.text[i : i + step].encode("utf-8"))
    return digest.hexdigest()


def _is_plain_heading(line: str, next_blank: bool, prev_blank: bool) -> bool:
    """A short stand-alone line without final punctuation reads as a heading in plain text."""
    stripped = line.strip()
    if not stripped or not (next_blank and prev_blank) or len(stripped) > 80:
        return False
    if LIST_ITEM.match(line) or stripped[-1] in ".,;:!?)]\"”'’":
        return False
    if len(stripped.split()) > 12:
        return False
    first = stripped[0]
    return first.isupper() or first.isdigit()


def parse_blocks(text: str) -> list[_Block]:
    """Split text into heading, paragraph and list-item blocks with offsets."""
    return list(iter_blocks(text))


def _iter_lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of ``text`` without its line break, lazily."""
    for match in _LINE.finditer(text):
        start, end = match.span()
        if start == end:  # only at the very end of the text
            continue
        while end > start and text[end - 1] in "\r\n":
            end -= 1
        yield start, end


def iter_blocks(text: str) -> Iterator[_Block]:
    """The blocks of :func:`parse_blocks`, each yielded once it is complete.

    Lines are read one at a time (with one line of look-ahead), so a large document is never
    held as a list of its lines or blocks.
    """
    current: _Block | None = None
    prev_blank = True
    lines = _iter_lines(text)
    following = next(lines, None)
    while following is not None:
        ls, le = following
        following = next(lines, None)
        line = text[ls:le]
        if not line.strip():
            if current is not None:
                yield current
            current = None
            prev_blank = True
            continue
        lead = len(line) - len(line.lstrip())
        start, end = ls + lead, ls + len(line.rstrip())
        md = _MD_HEADING.match(line)
        if md:
            if current is not None:
                yield current
            current = None
            yield _Block("heading", start, end, len(md.group(1)), md.group(2).strip())
        elif LIST_ITEM.match(line):
            if current is not None:
                yield current
            current = _Block("item", start, end)
        elif current is None and _is_plain_heading(
            line,
            following is None or not text[following[0] : following[1]].strip(),
            prev_blank,
        ):
            yield _Block("heading", start, end, 2, line.strip())
        elif current is not None:
            current.end = end  # continuation line of a paragraph or list item
        else:
            current = _Block("para", start, end)
        prev_blank = False
    if current is not None:
        yield current


def iter_chunks(
    doc: SourceDoc,
    doc_hash: str,
    max_tokens: int,
    count_tokens: TokenCounter = approx_tokens,
) -> Iterator[Chunk]:
    """Cut a document into chunks that follow its structure and fit ``max_tokens``, each
    yielded as soon as it is complete (:func:`chunk_document`: all of them, as a list).

    Blocks, sentences and words are read lazily, so what is held at once is the document text
    and the chunk being built, however large the document (the ingest pipeline embeds and
    writes the chunks of a large document in batches while later ones are still being cut).
    """
    text = doc.text
    headings: list[tuple[int, str]] = []  # stack of (level, title)
    current: _Piece | None = None
    pending_headings: int | None = None  # start offset of headings not yet followed by body
    ordinal = 0

    def make(piece: _Piece) -> Chunk:
        return Chunk(
            chunk_id=f"{doc.doc_id}::{doc_hash[:12]}::{ordinal:05d}",
            doc_id=doc.doc_id,
            doc_hash=doc_hash,
            ordinal=ordinal,
            text=text[piece.start : piece.end],
            start=piece.start,
            end=piece.end,
            heading_path=piece.heading_path,
            sentences=tuple(piece.sentences),
            page=_page_of(doc, piece.start),
        )

    for block in iter_blocks(text):
        if block.kind == "heading":
            if current is not None:
                yield make(current)
                ordinal += 1
                current = None
            while headings and headings[-1][0] >= block.level:
                headings.pop()
            headings.append((block.level, block.title))
            if pending_headings is None:
                pending_headings = block.start
            continue
        path = tuple(title for _, title in headings)
        head_tokens = 0
        if pending_headings is not None:
            counted = _count_if_short(text, pending_headings, block.start, max_tokens, count_tokens)
            head_tokens = max_tokens if counted is None else counted
        # Headings open the chunk that follows them, so they share its token budget.
        budget = max(max_tokens - head_tokens, max_tokens // 4)
        for u_start, u_end, u_tokens in _fit_units(text, block, budget, count_tokens):
            sentences = split_sentences(text, u_start, u_end)
            start = pending_headings if pending_headings is not None else u_start
            if (
                current is not None
                and current.tokens + u_tokens <= max_tokens
                and u_end - current.start <= _cap(max_tokens)  # only ever false for garbage
            ):
                current.end = u_end
                current.tokens += u_tokens
                current.sentences.extend(sentences)
            else:
                if current is not None:
                    yield make(current)
                    ordinal += 1
                current = _Piece(start, u_end, path, u_tokens + head_tokens, list(sentences))
            pending_headings = None
            head_tokens = 0
    if current is not None:
        yield make(current)
        ordinal += 1
    if pending_headings is not None:  # trailing headings with no body
        end = len(text)
        while end > 0 and text[end - 1].isspace():  # len(text.rstrip()), without a copy
            end -= 1
        path = tuple(title for _, title in headings)
        yield make(_Piece(pending_headings, end, path, 0, []))


def _listed(items: Callable[P, Iterator[T]]) -> Callable[P, list[T]]:
    """``items`` as a function that returns the whole list."""

    @functools.wraps(items)
    def listed(*args: P.args, **kwargs: P.kwargs) -> list[T]:
        return list(items(*args, **kwargs))

    return listed


chunk_document = _listed(iter_chunks)
"""The chunks of :func:`iter_chunks`, as a list."""


def _count_if_short(
    text: str, start: int, end: int, max_tokens: int, count_tokens: TokenCounter
) -> int | None:
    """Tokens of ``text[start:end]``; None, without counting, when it is far too long to fit."""
    if end - start > _cap(max_tokens):
        return None
    return count_tokens(text[start:end])


def _fit_units(
    text: str, block: _Block, max_tokens: int, count_tokens: TokenCounter
) -> Iterator[tuple[int, int, int]]:
    """The block as one unit, or split at sentences (then words) when it is too long."""
    tokens = _count_if_short(text, block.start, block.end, max_tokens, count_tokens)
    if tokens is not None and tokens <= max_tokens:
        yield (block.start, block.end, tokens)
        return
    cur_start: int | None = None
    cur_end = block.start
    cur_tokens = 0
    for s_start, s_end in iter_sentences(text, block.start, block.end):
        s_tokens = _count_if_short(text, s_start, s_end, max_tokens, count_tokens)
        if s_tokens is None or s_tokens > max_tokens:
            if cur_start is not None:
                yield (cur_start, cur_end, cur_tokens)
                cur_start, cur_tokens = None, 0
            yield from _split_words(text, s_start, s_end, max_tokens, count_tokens)
            continue
        if cur_start is not None and cur_tokens + s_tokens <= max_tokens:
            cur_end, cur_tokens = s_end, cur_tokens + s_tokens
        else:
            if cur_start is not None:
                yield (cur_start, cur_end, cur_tokens)
            cur_start, cur_end, cur_tokens = s_start, s_end, s_tokens
    if cur_start is not None:
        yield (cur_start, cur_end, cur_tokens)


def _split_words(
    text: str, start: int, end: int, max_tokens: int, count_tokens: TokenCounter
) -> Iterator[tuple[int, int, int]]:
    """Runs of whole words that fit ``max_tokens``; a word longer than that is cut in pieces.

    Words are read lazily and only the run being built is kept.
    """
    words = (m.span() for m in _WORD.finditer(text, start, end))
    run: list[tuple[int, int]] = []  # the words of the unit being built, and one more
    cap = _cap(max_tokens)

    def fill(n: int) -> bool:
        while len(run) < n:
            word = next(words, None)
            if word is None:
                return False
            run.append(word)
        return True

    while fill(1):
        j = 1
        while fill(j + 1):
            s, e = run[0][0], run[j][1]
            if e - s > cap or count_tokens(text[s:e]) > max_tokens:
                break
            j += 1
        s, e = run[0][0], run[j - 1][1]
        if j == 1 and e - s > cap:  # one enormous "word": cut by the density of its start
            density = max(1, count_tokens(text[s : s + cap]))
            step = max(1, min(cap, cap * max_tokens // density))
            yield from (
                (a, min(a + step, e), count_tokens(text[a : min(a + step, e)]))
                for a in range(s, e, step)
            )
            del run[:j]
            continue
        tokens = count_tokens(text[s:e])
        if tokens > max_tokens:  # one "word" longer than the window, such as a long URL
            step = max(1, (e - s) * max_tokens // tokens)
            yield from (
                (a, min(a + step, e), count_tokens(text[a : min(a + step, e)]))
                for a in range(s, e, step)
            )
        else:
            yield (s, e, tokens)
        del run[:j]


def _page_of(doc: SourceDoc, offset: int) -> int | None:
    for number, span in enumerate(doc.pages, start=1):
        if offset <= span.end:
            return number
    return None
