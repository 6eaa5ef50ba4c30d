"""Read documents from the knowledge folder: Markdown/text, HTML, PDF and JSONL.

Each loader yields :class:`SourceDoc` objects, or :class:`DocumentLoadError` for a file (or a
JSONL line) that cannot be read, so one bad file never stops the others.

Two checks come before any parsing: a file larger than ``max_file_bytes`` is refused (for
JSONL, which is read line by line, each line is held to that limit instead), and a file that
should be text but whose first block is binary (NUL bytes, a high share of control characters
or, for formats that must be UTF-8, of undecodable bytes) is refused, both by name.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import DocumentLoadError
from assistant.settings import Settings
from assistant.types import SourceDoc, SourceKind, Span

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".jsonl")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.DOTALL)
_SLUG = re.compile(r"[^a-z0-9]+")
_META_FIELDS = ("title", "url", "publisher", "source_kind", "date")
MAX_FILE_BYTES: int = Settings.model_fields["max_file_bytes"].default
TEXT_PROBE_BYTES = 8192  # the first block, read to tell text from binary
_MAX_CONTROL_SHARE = 0.05  # control characters; text has next to none, random bytes about 10%
_MAX_UNDECODABLE_SHARE = 0.10  # bytes that are not UTF-8, for formats that must be UTF-8
# C0 controls and DEL, except tab, line feed, vertical tab, form feed and carriage return.
_CONTROL_BYTES = frozenset([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])

LoadResult = SourceDoc | DocumentLoadError


def slugify(value: str) -> str:
    """Lower-case ASCII id made of letters, digits and hyphens."""
    return _SLUG.sub("-", value.lower()).strip("-") or "doc"


def iter_knowledge_files(root: Path) -> list[Path]:
    """Supported files under ``root``, sorted, skipping hidden files and folders."""
    if not root.is_dir():
        return []
    files = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append(path)
    return files


def load_path(path: Path, root: Path, max_bytes: int = MAX_FILE_BYTES) -> Iterator[LoadResult]:
    """Load one file; yields documents and per-file or per-line errors.

    A file over ``max_bytes`` (for JSONL: a line over it) and a file that should be text but
    is binary are errors that name the file, like any other unreadable file.
    """
    rel = path.relative_to(root).as_posix()
    suffix = path.suffix.lower()
    try:
        if suffix != ".jsonl":
            _check_size(path, rel, max_bytes)
        if suffix != ".pdf":  # a PDF is binary by nature; pypdf judges it
            _check_text(path, rel, must_be_utf8=suffix not in (".html", ".htm"))
        if suffix == ".jsonl":
            yield from _load_jsonl(path, rel, max_bytes)
        elif suffix == ".pdf":
            yield _load_pdf(path, rel)
        elif suffix in (".html", ".htm"):
            yield _load_html(path, rel, max_bytes)
        else:
            yield _load_text(path, rel, max_bytes)
    except DocumentLoadError as exc:
        yield exc
    except (OSError, UnicodeDecodeError) as exc:
        yield DocumentLoadError(rel, f"cannot be read ({exc.__class__.__name__}: {exc})")


def _too_large(rel: str, size: str, max_bytes: int, line: int | None = None) -> DocumentLoadError:
    what = "line" if line is not None else "file"
    return DocumentLoadError(
        rel,
        f"{what} is {size} bytes, over the limit of {max_bytes:,} bytes per {what} "
        "(ASSISTANT_MAX_FILE_BYTES); not indexed",
        line,
    )


def _check_size(path: Path, rel: str, max_bytes: int) -> None:
    size = path.stat().st_size
    if size > max_bytes:
        raise _too_large(rel, f"{size:,}", max_bytes)


def _read_bytes(path: Path, rel: str, max_bytes: int) -> bytes:
    """The file's bytes, never more than ``max_bytes`` of them (it may have grown since)."""
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(rel, f"more than {max_bytes:,}", max_bytes)
    return data


def _check_text(path: Path, rel: str, must_be_utf8: bool) -> None:
    """Refuse a binary file under a text suffix, judged by its first block.

    NUL bytes, or more than 5% control characters, mean binary (or UTF-16/32 text, which is
    not read either). Formats that must be UTF-8 (Markdown, text, JSONL) are also refused when
    more than 10% of the block is not UTF-8; HTML may declare a legacy encoding, which the
    HTML parser decodes, so only the first two tests apply to it.
    """
    with path.open("rb") as handle:
        block = handle.read(TEXT_PROBE_BYTES)
    if not block:
        return
    if b"\x00" in block:
        raise DocumentLoadError(
            rel,
            f"is not text: NUL bytes in its first {len(block):,} bytes (a binary file, or text "
            f"that is not UTF-8, named {path.suffix}); not indexed",
        )
    controls = sum(1 for byte in block if byte in _CONTROL_BYTES)
    if controls > _MAX_CONTROL_SHARE * len(block):
        raise DocumentLoadError(
            rel,
            f"is not text: {controls / len(block):.0%} of its first {len(block):,} bytes are "
            f"control characters (a binary file named {path.suffix}?); not indexed",
        )
    if must_be_utf8:
        # Incremental: a character cut at the end of the block is not counted as an error.
        decoded = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(block)
        bad = decoded.count("\ufffd")
        if bad > _MAX_UNDECODABLE_SHARE * len(block):
            raise DocumentLoadError(
                rel,
                f"is not text: {bad / len(block):.0%} of its first {len(block):,} bytes are not "
                f"UTF-8 (a binary file named {path.suffix}?); not indexed",
            )


def _default_id(rel: str) -> str:
    return slugify(rel.rsplit(".", 1)[0])


def _clean_meta(meta: dict[str, Any], rel: str, line: int | None = None) -> dict[str, Any]:
    """Keep known provenance fields, as strings, and check the source kind."""
    out: dict[str, Any] = {}
    for key in _META_FIELDS:
        value = meta.get(key)
        if value is not None and value != "":
            out[key] = str(value)
    kind = out.get("source_kind")
    if kind is not None and kind not in {k.value for k in SourceKind}:
        raise DocumentLoadError(
            rel, f"unknown source_kind {kind!r} (use one of {[k.value for k in SourceKind]})", line
        )
    return out


def _make_doc(doc_id: str, text: str, meta: dict[str, Any], rel: str, **extra: Any) -> SourceDoc:
    if not text or text.isspace():  # not text.strip(), without copying a large text
        raise DocumentLoadError(rel, "has no text")
    title = meta.get("title") or _first_line(text) or doc_id
    return SourceDoc(
        doc_id=doc_id,
        title=title,
        text=text,
        url=meta.get("url"),
        publisher=meta.get("publisher"),
        source_kind=meta.get("source_kind", SourceKind.OTHER.value),
        date=meta.get("date"),
        path=rel,
        **extra,
    )


def _first_line(text: str) -> str:
    # A growing prefix at a time: the first line is near the start, and splitting all of a
    # large text would hold every line of it at once.
    size = 4096
    while True:
        lines = text[:size].splitlines()
        if size < len(text):
            lines = lines[:-1]  # the last line of the prefix may be cut
        for line in lines:
            stripped = line.strip().lstrip("#").strip()
            if stripped:
                return stripped[:120]
        if size >= len(text):
            return ""
        size *= 4


def _load_text(path: Path, rel: str, max_bytes: int) -> SourceDoc:
    raw = _read_bytes(path, rel, max_bytes).decode("utf-8")
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")  # universal newlines, as read_text
    meta: dict[str, Any] = {}
    body = raw
    match = _FRONT_MATTER.match(raw)
    if match:
        try:
            parsed = yaml.safe_load(match.group(1))
        except yaml.YAMLError as exc:
            raise DocumentLoadError(rel, f"front matter is not valid YAML ({exc})") from exc
        if parsed is not None and not isinstance(parsed, dict):
            raise DocumentLoadError(rel, "front matter must be a mapping of field: value")
        meta = parsed or {}
        body = raw[match.end() :]
    doc_id = slugify(str(meta["id"])) if meta.get("id") else _default_id(rel)
    return _make_doc(doc_id, body, _clean_meta(meta, rel), rel)


_HTML_DROP = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?)\]])")
_HTML_DROP_ROLES = ("navigation", "banner", "contentinfo")
_HTML_BLOCKS = (
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "li",
    "blockquote",
    "pre",
    "td",
    "dt",
    "dd",
)


def _load_html(path: Path, rel: str, max_bytes: int) -> SourceDoc:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_read_bytes(path, rel, max_bytes), "html.parser")
    meta: dict[str, Any] = {}
    if soup.title and soup.title.string:
        meta["title"] = soup.title.string.strip()
    for tag in soup.find_all("meta"):
        name = str(tag.get("name") or tag.get("property") or "").lower()
        content = tag.get("content")
        if not content:
            continue
        if name in ("og:title",):
            meta["title"] = content
        elif name in ("og:url",):
            meta["url"] = content
        elif name in ("author", "publisher", "og:site_name"):
            meta.setdefault("publisher", content)
        elif name in ("source_kind", "date"):
            meta[name] = content
    canonical = soup.find("link", rel="canonical")
    if canonical and canonical.get("href") and "url" not in meta:
        meta["url"] = canonical["href"]
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    for tag in soup.find_all(lambda t: t.get("role") in _HTML_DROP_ROLES):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    parts: list[str] = []
    for el in root.find_all(_HTML_BLOCKS):
        if el.find_parent(_HTML_BLOCKS) is not None:
            continue  # nested block: its text is part of the outer one
        # Inline tags are joined with a space; none goes before punctuation ("skin ." -> "skin.").
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(el.get_text(" ").split()))
        if not text:
            continue
        if el.name and el.name[0] == "h" and el.name[1:].isdigit():
            parts.append("#" * int(el.name[1:]) + " " + text)
        elif el.name == "li":
            parts.append("- " + text)
        else:
            parts.append(text)
    if not parts:  # no block elements: fall back to the visible text
        parts = [line for line in root.get_text("\n", strip=True).splitlines() if line.strip()]
    return _make_doc(_default_id(rel), "\n\n".join(parts) + "\n", _clean_meta(meta, rel), rel)


def _load_pdf(path: Path, rel: str) -> SourceDoc:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        page_texts = [(page.extract_text() or "").strip() for page in reader.pages]
        info = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DocumentLoadError(rel, f"is not a readable PDF ({exc})") from exc
    text_parts: list[str] = []
    pages: list[Span] = []
    offset = 0
    for page_text in page_texts:
        pages.append(Span(start=offset, end=offset + len(page_text)))
        text_parts.append(page_text)
        offset += len(page_text) + 2
    meta: dict[str, Any] = {}
    if info is not None:
        if info.title:
            meta["title"] = str(info.title)
        if info.author:
            meta["publisher"] = str(info.author)
    return _make_doc(
        _default_id(rel), "\n\n".join(text_parts), _clean_meta(meta, rel), rel, pages=tuple(pages)
    )


def _load_jsonl(path: Path, rel: str, max_bytes: int) -> Iterator[LoadResult]:
    seen: set[str] = set()
    records = 0
    lineno = 0
    with path.open(encoding="utf-8") as handle:
        # Lines are read with a bound, so one enormous line is never held whole: it is
        # reported and skipped, and the lines after it are still read.
        while line := handle.readline(max_bytes + 1):
            lineno += 1
            if not line.strip():
                continue
            records += 1
            if len(line.rstrip("\r\n").encode("utf-8")) > max_bytes:
                while line and not line.endswith("\n"):
                    line = handle.readline(1 << 20)  # skip the rest of the line
                yield _too_large(rel, f"more than {max_bytes:,}", max_bytes, lineno)
                continue
            try:
                yield _jsonl_doc(line, rel, lineno, seen)
            except DocumentLoadError as exc:
                yield exc
    if records == 0:
        # Like any other empty file: an error, so its documents keep their last good version.
        yield DocumentLoadError(rel, "has no documents")


def _jsonl_doc(line: str, rel: str, lineno: int, seen: set[str]) -> SourceDoc:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DocumentLoadError(rel, f"is not valid JSON ({exc.msg})", lineno) from exc
    if not isinstance(record, dict):
        raise DocumentLoadError(rel, "must be a JSON object", lineno)
    for field in ("id", "text"):
        if not isinstance(record.get(field), str | int) or str(record.get(field)).strip() == "":
            raise DocumentLoadError(rel, f"field {field!r} is missing or empty", lineno)
    text = str(record["text"])
    doc_id = str(record["id"])
    if doc_id in seen:
        raise DocumentLoadError(rel, f"duplicate id {doc_id!r}", lineno)
    seen.add(doc_id)
    meta: dict[str, Any] = dict(record.get("metadata") or {})
    for key in ("title", "url", "publisher", "source_kind", "date"):
        if record.get(key) is not None:
            meta[key] = record[key]
    try:
        clean = _clean_meta(meta, rel, lineno)
    except DocumentLoadError:
        raise
    return _make_doc(doc_id, text, clean, rel)
