"""Structure-aware chunking with exact character offsets and sentence spans.

A document is read as blocks (headings, paragraphs, list items). Blocks under the same heading
are packed into chunks that fit the embedding model's window; a chunk never crosses a heading.
Every chunk is a contiguous slice of the document text, ``doc.text[start:end] == chunk.text``,
and carries the sentence spans that the extractive answerer quotes from.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.types import Chunk, SourceDoc, Span

CHUNKER_VERSION = "2"

TokenCounter = Callable[[str], int]

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•●▪◦–]|\d{1,3}[.)])\s+")
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+|$)")
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


def index_text(title: str, heading_path: Sequence[str], text: str) -> str:
    """What is embedded and indexed for a chunk: its title and headings give it context."""
    headings = " > ".join(h for h in heading_path if h != title)
    prefix = f"{title} | {headings}" if headings else title
    return f"{prefix}\n{text}"


def approx_tokens(text: str) -> int:
    """Rough word-piece count used when no tokenizer is given (about 1.3 per word)."""
    return int(len(re.findall(r"\w+|[^\w\s]", text)) * 1.15) + 1


def document_hash(doc: SourceDoc, embedder_id: str) -> str:
    """Content hash of a document: text, provenance, chunker version and embedding model."""
    meta = doc.model_dump(exclude={"text", "path"})
    payload = json.dumps(meta, sort_keys=True, default=str) + CHUNKER_VERSION + embedder_id
    digest = hashlib.sha256(payload.encode("utf-8"))
    digest.update(doc.text.encode("utf-8"))
    return digest.hexdigest()


def _is_plain_heading(line: str, next_blank: bool, prev_blank: bool) -> bool:
    """A short stand-alone line without final punctuation reads as a heading in plain text."""
    stripped = line.strip()
    if not stripped or not (next_blank and prev_blank) or len(stripped) > 80:
        return False
    if _LIST_ITEM.match(line) or stripped[-1] in ".,;:!?)]\"”'’":
        return False
    if len(stripped.split()) > 12:
        return False
    first = stripped[0]
    return first.isupper() or first.isdigit()


def parse_blocks(text: str) -> list[_Block]:
    """Split text into heading, paragraph and list-item blocks with offsets."""
    lines: list[tuple[int, int]] = []  # (start, end) of each line without its newline
    pos = 0
    for raw in text.splitlines(keepends=True):
        content = raw.rstrip("\r\n")
        lines.append((pos, pos + len(content)))
        pos += len(raw)
    blocks: list[_Block] = []
    current: _Block | None = None

    def is_blank(i: int) -> bool:
        return i < 0 or i >= len(lines) or not text[lines[i][0] : lines[i][1]].strip()

    for i, (ls, le) in enumerate(lines):
        line = text[ls:le]
        if not line.strip():
            current = None
            continue
        lead = len(line) - len(line.lstrip())
        start, end = ls + lead, ls + len(line.rstrip())
        md = _MD_HEADING.match(line)
        if md:
            blocks.append(_Block("heading", start, end, len(md.group(1)), md.group(2).strip()))
            current = None
        elif _LIST_ITEM.match(line):
            current = _Block("item", start, end)
            blocks.append(current)
        elif current is None and _is_plain_heading(line, is_blank(i + 1), is_blank(i - 1)):
            blocks.append(_Block("heading", start, end, 2, line.strip()))
        elif current is not None:
            current.end = end  # continuation line of a paragraph or list item
        else:
            current = _Block("para", start, end)
            blocks.append(current)
    return blocks


def split_sentences(text: str, start: int, end: int) -> list[Span]:
    """Sentence spans within ``text[start:end]``, trimmed, bullets excluded."""
    segment = text[start:end]
    spans: list[Span] = []
    cursor = 0
    for match in _SENTENCE_END.finditer(segment):
        stop = match.end()
        before = segment[cursor : match.start()].split()
        word = before[-1].lower().rstrip(".") if before else ""
        following = segment[stop:].lstrip()
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        if re.fullmatch(r"(?:[a-z]\.)+[a-z]", word) and following[:1].islower():
            continue  # dotted abbreviation inside a sentence
        if following and following[0].islower():
            continue
        spans.append(Span(start=start + cursor, end=start + stop))
        cursor = stop
    if segment[cursor:].strip():
        spans.append(Span(start=start + cursor, end=end))
    out = []
    for span in spans:
        piece = text[span.start : span.end]
        bullet = _LIST_ITEM.match(piece)
        lead = bullet.end() if bullet else len(piece) - len(piece.lstrip())
        s, e = span.start + lead, span.start + len(piece.rstrip())
        if e > s:
            out.append(Span(start=s, end=e))
    return out


def chunk_document(
    doc: SourceDoc,
    doc_hash: str,
    max_tokens: int,
    count_tokens: TokenCounter = approx_tokens,
) -> list[Chunk]:
    """Cut a document into chunks that follow its structure and fit ``max_tokens``."""
    text = doc.text
    headings: list[tuple[int, str]] = []  # stack of (level, title)
    pieces: list[_Piece] = []
    current: _Piece | None = None
    pending_headings: int | None = None  # start offset of headings not yet followed by body

    def flush() -> None:
        nonlocal current
        if current is not None:
            pieces.append(current)
        current = None

    for block in parse_blocks(text):
        if block.kind == "heading":
            flush()
            while headings and headings[-1][0] >= block.level:
                headings.pop()
            headings.append((block.level, block.title))
            if pending_headings is None:
                pending_headings = block.start
            continue
        path = tuple(title for _, title in headings)
        head_tokens = 0
        if pending_headings is not None:
            head_tokens = count_tokens(text[pending_headings : block.start])
        # Headings open the chunk that follows them, so they share its token budget.
        budget = max(max_tokens - head_tokens, max_tokens // 4)
        units = _fit_units(text, block, budget, count_tokens)
        for u_start, u_end, u_tokens in units:
            sentences = split_sentences(text, u_start, u_end)
            start = pending_headings if pending_headings is not None else u_start
            if current is not None and current.tokens + u_tokens <= max_tokens:
                current.end = u_end
                current.tokens += u_tokens
                current.sentences.extend(sentences)
            else:
                flush()
                current = _Piece(start, u_end, path, u_tokens + head_tokens, list(sentences))
            pending_headings = None
            head_tokens = 0
    flush()
    if pending_headings is not None:  # trailing headings with no body
        end = len(text.rstrip())
        path = tuple(title for _, title in headings)
        pieces.append(_Piece(pending_headings, end, path, 0, []))

    chunks = []
    for ordinal, piece in enumerate(pieces):
        page = _page_of(doc, piece.start)
        chunks.append(
            Chunk(
                chunk_id=f"{doc.doc_id}::{doc_hash[:12]}::{ordinal:05d}",
                doc_id=doc.doc_id,
                doc_hash=doc_hash,
                ordinal=ordinal,
                text=text[piece.start : piece.end],
                start=piece.start,
                end=piece.end,
                heading_path=piece.heading_path,
                sentences=tuple(piece.sentences),
                page=page,
            )
        )
    return chunks


def _fit_units(
    text: str, block: _Block, max_tokens: int, count_tokens: TokenCounter
) -> list[tuple[int, int, int]]:
    """The block as one unit, or split at sentences (then words) when it is too long."""
    tokens = count_tokens(text[block.start : block.end])
    if tokens <= max_tokens:
        return [(block.start, block.end, tokens)]
    units: list[tuple[int, int, int]] = []
    cur_start: int | None = None
    cur_end = block.start
    cur_tokens = 0
    for span in split_sentences(text, block.start, block.end):
        s_tokens = count_tokens(text[span.start : span.end])
        if s_tokens > max_tokens:
            if cur_start is not None:
                units.append((cur_start, cur_end, cur_tokens))
                cur_start, cur_tokens = None, 0
            units.extend(_split_words(text, span.start, span.end, max_tokens, count_tokens))
            continue
        if cur_start is not None and cur_tokens + s_tokens <= max_tokens:
            cur_end, cur_tokens = span.end, cur_tokens + s_tokens
        else:
            if cur_start is not None:
                units.append((cur_start, cur_end, cur_tokens))
            cur_start, cur_end, cur_tokens = span.start, span.end, s_tokens
    if cur_start is not None:
        units.append((cur_start, cur_end, cur_tokens))
    return units


def _split_words(
    text: str, start: int, end: int, max_tokens: int, count_tokens: TokenCounter
) -> list[tuple[int, int, int]]:
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    units: list[tuple[int, int, int]] = []
    i = 0
    while i < len(words):
        j = i + 1
        while j < len(words) and count_tokens(text[words[i][0] : words[j][1]]) <= max_tokens:
            j += 1
        s, e = words[i][0], words[j - 1][1]
        tokens = count_tokens(text[s:e])
        if tokens > max_tokens:  # one "word" longer than the window, such as a long URL
            step = max(1, (e - s) * max_tokens // tokens)
            units.extend(
                (a, min(a + step, e), count_tokens(text[a : min(a + step, e)]))
                for a in range(s, e, step)
            )
        else:
            units.append((s, e, tokens))
        i = j
    return units


def _page_of(doc: SourceDoc, offset: int) -> int | None:
    for number, span in enumerate(doc.pages, start=1):
        if offset <= span.end:
            return number
    return None
