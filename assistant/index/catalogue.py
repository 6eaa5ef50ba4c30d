"""The chunk catalogue: a SQLite file that decides what the index contains.

Chunks are written (staged) under their document's new content hash while an ingest runs; the
``documents`` table says which hash of each document is current. A chunk is visible to queries
only when its hash is the current one, so switching a document to its new version, or removing
it, is one SQLite transaction: a crash before it leaves the previous index whole, and a crash
after it leaves only garbage that the next run deletes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from assistant.sentences import index_text
from assistant.types import Chunk, DocumentInfo, Span
from assistant.wal import use_wal

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    publisher TEXT,
    source_kind TEXT NOT NULL,
    date TEXT,
    path TEXT NOT NULL,
    chunk_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    doc_hash TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    heading_path TEXT NOT NULL,
    sentences TEXT NOT NULL,
    page INTEGER
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (doc_id, doc_hash);
CREATE TABLE IF NOT EXISTS garbage (chunk_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_VISIBLE = "FROM chunks c JOIN documents d ON c.doc_id = d.doc_id AND c.doc_hash = d.content_hash"
_CHUNK_COLS = (
    'c.chunk_id, c.doc_id, c.doc_hash, c.ordinal, c.text, c.start, c."end", '
    "c.heading_path, c.sentences, c.page"
)
_DOC_COLS = (
    "d.doc_id, d.title, d.url, d.publisher, d.source_kind, d.date, d.path, "
    "d.content_hash, d.chunk_count"
)


def _chunk_from_row(row: Sequence[object]) -> Chunk:
    sentences = tuple(Span(start=s, end=e) for s, e in json.loads(str(row[8])))
    return Chunk(
        chunk_id=str(row[0]),
        doc_id=str(row[1]),
        doc_hash=str(row[2]),
        ordinal=int(row[3]),  # type: ignore[call-overload]
        text=str(row[4]),
        start=int(row[5]),  # type: ignore[call-overload]
        end=int(row[6]),  # type: ignore[call-overload]
        heading_path=tuple(json.loads(str(row[7]))),
        sentences=sentences,
        page=None if row[9] is None else int(row[9]),  # type: ignore[call-overload]
    )


def _doc_from_row(row: Sequence[object]) -> DocumentInfo:
    keys = (
        "doc_id",
        "title",
        "url",
        "publisher",
        "source_kind",
        "date",
        "path",
        "content_hash",
        "chunk_count",
    )
    return DocumentInfo(**dict(zip(keys, row, strict=True)))  # type: ignore[arg-type]


class Catalogue:
    """SQLite catalogue of documents and chunks; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        use_wal(self._conn)
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    # ---- reading -------------------------------------------------------------------------
    def index_version(self) -> int:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key='index_version'").fetchone()
        return int(row[0]) if row else 0

    def committed_hashes(self) -> dict[str, str]:
        with self._lock:
            rows = self._conn.execute("SELECT doc_id, content_hash FROM documents").fetchall()
        return dict(rows)

    def documents(self) -> list[DocumentInfo]:
        with self._lock:
            rows = self._conn.execute(f"SELECT {_DOC_COLS} FROM documents d ORDER BY doc_id")
            return [_doc_from_row(r) for r in rows.fetchall()]

    def staged_chunk_ids(self, doc_id: str, doc_hash: str) -> list[str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT chunk_id FROM chunks WHERE doc_id=? AND doc_hash=? ORDER BY ordinal",
                (doc_id, doc_hash),
            ).fetchall()
        return [r[0] for r in rows]

    def visible(self, chunk_ids: Sequence[str]) -> dict[str, tuple[Chunk, DocumentInfo]]:
        """The visible chunks among ``chunk_ids``, with their documents."""
        out: dict[str, tuple[Chunk, DocumentInfo]] = {}
        if not chunk_ids:
            return out
        with self._lock:
            for i in range(0, len(chunk_ids), 500):
                part = list(chunk_ids[i : i + 500])
                marks = ",".join("?" * len(part))
                rows = self._conn.execute(
                    f"SELECT {_CHUNK_COLS}, {_DOC_COLS} {_VISIBLE} WHERE c.chunk_id IN ({marks})",
                    part,
                ).fetchall()
                for row in rows:
                    out[str(row[0])] = (_chunk_from_row(row[:10]), _doc_from_row(row[10:]))
        return out

    def iter_visible_chunks(self) -> Iterator[tuple[str, str, str]]:
        """(chunk_id, source_kind, text to index) of every visible chunk, in a stable order."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT c.chunk_id, d.source_kind, d.title, c.heading_path, c.text {_VISIBLE} "
                "ORDER BY c.doc_id, c.ordinal"
            ).fetchall()
        for chunk_id, kind, title, heading_path, text in rows:
            yield str(chunk_id), str(kind), index_text(title, json.loads(heading_path), text)

    def visible_count(self) -> int:
        with self._lock:
            return int(self._conn.execute(f"SELECT COUNT(*) {_VISIBLE}").fetchone()[0])

    def garbage(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT chunk_id FROM garbage").fetchall()]

    # ---- writing -------------------------------------------------------------------------
    def stage_chunks(self, chunks: Iterable[Chunk]) -> None:
        """Write chunk rows; they stay invisible until their document is committed."""
        rows = [
            (
                c.chunk_id,
                c.doc_id,
                c.doc_hash,
                c.ordinal,
                c.text,
                c.start,
                c.end,
                json.dumps(list(c.heading_path)),
                json.dumps([[s.start, s.end] for s in c.sentences]),
                c.page,
            )
            for c in chunks
        ]
        with self._tx() as conn:
            conn.executemany("INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)", rows)

    def commit(self, upserts: Sequence[DocumentInfo], removals: Sequence[str]) -> list[str]:
        """Make new document versions current and drop removed ones, atomically.

        Returns the ids of chunks that are no longer visible (to delete from the vector store).
        """
        with self._tx() as conn:
            for doc in upserts:
                conn.execute(
                    "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
                    (
                        doc.doc_id,
                        doc.content_hash,
                        doc.title,
                        doc.url,
                        doc.publisher,
                        doc.source_kind,
                        doc.date,
                        doc.path,
                        doc.chunk_count,
                    ),
                )
            conn.executemany("DELETE FROM documents WHERE doc_id=?", [(d,) for d in removals])
            conn.execute(
                "INSERT OR IGNORE INTO garbage SELECT c.chunk_id FROM chunks c "
                "LEFT JOIN documents d ON c.doc_id = d.doc_id "
                "WHERE d.content_hash IS NULL OR d.content_hash != c.doc_hash"
            )
            conn.execute("DELETE FROM chunks WHERE chunk_id IN (SELECT chunk_id FROM garbage)")
            if upserts or removals:
                conn.execute(
                    "INSERT INTO meta VALUES ('index_version', '1') ON CONFLICT(key) "
                    "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
                )
        return self.garbage()

    def forget_garbage(self, chunk_ids: Sequence[str]) -> None:
        with self._tx() as conn:
            conn.executemany("DELETE FROM garbage WHERE chunk_id=?", [(c,) for c in chunk_ids])
