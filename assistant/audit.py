"""Audit log of every answer served (UI and API) and the feedback given on it.

SQLAlchemy Core over any database URL; by default a SQLite file ``audit.sqlite3`` in the data
folder. The schema is kept by the Alembic migrations in :mod:`assistant.migrations`, applied
when the log opens (the tables below are what the queries use; the migrations make them).
Entries older than ``audit_retention_days`` are deleted when the log opens and, at most once an
hour, when an entry is added. Times are stored as naive UTC.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from assistant.errors import AssistantError, StorageFullError
from assistant.migrations import upgrade as upgrade_schema
from assistant.settings import Settings
from assistant.types import Answer
from assistant.wal import use_wal

log = logging.getLogger(__name__)

Interface = Literal["ui", "api"]

PURGE_INTERVAL_S = 3600.0
"""Least time between two retention sweeps triggered by inserts."""

metadata = MetaData()

entries_table = Table(
    "audit_entries",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created_at", DateTime(), nullable=False, index=True),
    Column("interface", String(8), nullable=False),
    Column("client", String(64), nullable=True, doc="Fingerprint of the API key; null for the UI."),
    Column("question", Text, nullable=True),
    Column("standalone_question", Text, nullable=True),
    Column("status", String(16), nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations", JSON, nullable=False),
    Column("caveat", Text, nullable=True),
    Column("efficacy_question", Boolean, nullable=False, default=False),
    Column("index_version", String(32), nullable=True),
    Column("generator", String(64), nullable=True),
    Column("prompt_version", String(64), nullable=True),
    Column("latency_ms", Float, nullable=False),
)

feedback_table = Table(
    "audit_feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "entry_id",
        String(32),
        ForeignKey("audit_entries.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created_at", DateTime(), nullable=False),
    Column("interface", String(8), nullable=False),
    Column("helpful", Boolean, nullable=False),
    Column("reason", Text, nullable=True),
)


class UnknownEntryError(AssistantError, KeyError):
    """Feedback names an answer that is not in the audit log (never served, or expired)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "unknown answer id"


def utcnow() -> datetime:
    """The current time as naive UTC, the form stored in the log."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_naive_utc(value: datetime) -> datetime:
    """A datetime as naive UTC; a naive input is taken to be UTC already.

    A time whose UTC equivalent falls outside the years 1-9999 (9999-12-31T23:59:59-14:00,
    0001-01-01T00:00:00+14:00) is clamped to the latest or earliest time there is.
    """
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        return datetime.max if value.year > 5000 else datetime.min


def new_entry_id() -> str:
    return uuid.uuid4().hex


def key_fingerprint(key: str) -> str:
    """A short, non-reversible name for an API key, safe to store and log."""
    return "key-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def is_storage_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error it wraps) says the disk or the database is full."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        e = pending.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(e, sqlite3.Error):
            code = getattr(e, "sqlite_errorcode", None)
            if (code is not None and code & 0xFF == sqlite3.SQLITE_FULL) or (
                "database or disk is full" in str(e)
            ):
                return True
        if getattr(e, "sqlstate", None) == "53100" or getattr(e, "pgcode", None) == "53100":
            return True  # PostgreSQL: disk_full
        pending += [getattr(e, "orig", None), e.__cause__, e.__context__]
    return False


@contextmanager
def _storing(what: str) -> Iterator[None]:
    """Turns a full disk, while writing ``what``, into :class:`StorageFullError`."""
    try:
        yield
    except Exception as exc:
        if is_storage_full(exc):
            raise StorageFullError(
                f"The {what} could not be stored: the server's disk (or database) is full. "
                "Try again later."
            ) from exc
        raise


def default_url(settings: Settings) -> str:
    return settings.audit_db_url or f"sqlite:///{(settings.data_dir / 'audit.sqlite3').resolve()}"


@dataclass(frozen=True)
class FeedbackRecord:
    id: int
    entry_id: str
    created_at: datetime
    interface: str
    helpful: bool
    reason: str | None


def _is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:":
            # One shared connection, or every thread would see its own empty database.
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
    engine = create_engine(url, **kwargs)
    if _is_sqlite(engine):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            # First: the other pragmas (WAL) may wait for another worker's lock.
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            # Several server workers write to one file: WAL lets readers run beside a writer.
            use_wal(cursor)
            cursor.close()

    return engine


class AuditLog:
    """Durable record of the answers served and the feedback on them."""

    def __init__(
        self,
        url: str,
        retention_days: int = 365,
        store_questions: bool = True,
    ) -> None:
        self.url = url
        self.retention_days = retention_days
        self.store_questions = store_questions
        self.engine = _make_engine(url)
        self._purge_lock = threading.Lock()
        self._last_purge = 0.0
        # The schema by its migrations; concurrent workers wait for one another (busy timeout).
        upgrade_schema(self.engine)
        self.purge()

    @classmethod
    def from_settings(cls, settings: Settings) -> AuditLog:
        return cls(
            default_url(settings),
            retention_days=settings.audit_retention_days,
            store_questions=settings.audit_store_questions,
        )

    def close(self) -> None:
        self.engine.dispose()

    # ---- writing ---------------------------------------------------------------------------
    def record(
        self,
        answer: Answer,
        interface: Interface,
        latency_ms: float,
        client: str | None = None,
        now: datetime | None = None,
        entry_id: str | None = None,
    ) -> str:
        """Store one served answer; returns its id (the ``answer_id`` users give feedback on).

        ``entry_id`` is given when the id was announced before the answer was complete (a
        streamed answer names it in its first event).
        """
        entry_id = entry_id or new_entry_id()
        keep = self.store_questions
        row = {
            "id": entry_id,
            "created_at": as_naive_utc(now) if now else utcnow(),
            "interface": interface,
            "client": client,
            "question": answer.question if keep else None,
            "standalone_question": answer.standalone_question if keep else None,
            "status": answer.status,
            "answer": answer.answer,
            "citations": [c.model_dump(mode="json") for c in answer.citations],
            "caveat": answer.caveat,
            "efficacy_question": answer.efficacy_question,
            "index_version": answer.index_version,
            "generator": answer.generator,
            "prompt_version": answer.prompt_version,
            "latency_ms": round(float(latency_ms), 2),
        }
        with _storing("answer's audit-log entry"):
            with self.engine.begin() as conn:
                conn.execute(insert(entries_table).values(**row))
            self._maybe_purge()
        return entry_id

    def add_feedback(
        self,
        entry_id: str,
        helpful: bool,
        reason: str | None = None,
        interface: Interface = "api",
    ) -> FeedbackRecord:
        """Attach feedback to a served answer; raises :class:`UnknownEntryError` if none."""
        created = utcnow()
        reason = (reason or "").strip() or None
        with _storing("feedback"), self.engine.begin() as conn:
            found = conn.execute(
                select(entries_table.c.id).where(entries_table.c.id == entry_id)
            ).first()
            if found is None:
                raise UnknownEntryError(f"No answer with id {entry_id!r} is in the audit log.")
            result = conn.execute(
                insert(feedback_table).values(
                    entry_id=entry_id,
                    created_at=created,
                    interface=interface,
                    helpful=bool(helpful),
                    reason=reason,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            feedback_id = int(key[0])
        return FeedbackRecord(feedback_id, entry_id, created, interface, bool(helpful), reason)

    def set_feedback_reason(self, feedback_id: int, reason: str | None) -> None:
        """Add (or replace) the reason of feedback given a moment earlier."""
        with _storing("feedback"), self.engine.begin() as conn:
            conn.execute(
                update(feedback_table)
                .where(feedback_table.c.id == feedback_id)
                .values(reason=(reason or "").strip() or None)
            )

    def purge(self, now: datetime | None = None) -> int:
        """Delete entries (and their feedback) older than the retention period."""
        cutoff = (as_naive_utc(now) if now else utcnow()) - timedelta(days=self.retention_days)
        old = select(entries_table.c.id).where(entries_table.c.created_at < cutoff)
        with self.engine.begin() as conn:
            conn.execute(delete(feedback_table).where(feedback_table.c.entry_id.in_(old)))
            deleted = conn.execute(delete(entries_table).where(entries_table.c.created_at < cutoff))
        self._last_purge = time.monotonic()
        count = int(deleted.rowcount or 0)
        if count:
            log.info("audit log: deleted %d entries older than %s", count, cutoff.isoformat())
        return count

    def _maybe_purge(self) -> None:
        if time.monotonic() - self._last_purge < PURGE_INTERVAL_S:
            return
        if not self._purge_lock.acquire(blocking=False):
            return
        try:
            self.purge()
        finally:
            self._purge_lock.release()

    # ---- reading ---------------------------------------------------------------------------
    def entries(
        self,
        limit: int = 50,
        offset: int = 0,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of entries, newest first, each with its feedback; and the total matching."""
        conditions = []
        if since is not None:
            conditions.append(entries_table.c.created_at >= as_naive_utc(since))
        if until is not None:
            conditions.append(entries_table.c.created_at < as_naive_utc(until))
        query = (
            select(entries_table)
            .where(*conditions)
            .order_by(entries_table.c.created_at.desc(), entries_table.c.id)
            .limit(limit)
            .offset(offset)
        )
        with self.engine.connect() as conn:
            total = int(
                conn.execute(
                    select(func.count()).select_from(entries_table).where(*conditions)
                ).scalar_one()
            )
            rows = [dict(r._mapping) for r in conn.execute(query)]
            ids = [r["id"] for r in rows]
            feedback: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
            if ids:
                for f in conn.execute(
                    select(feedback_table)
                    .where(feedback_table.c.entry_id.in_(ids))
                    .order_by(feedback_table.c.id)
                ):
                    feedback[f.entry_id].append(dict(f._mapping))
        for row in rows:
            row["feedback"] = feedback[row["id"]]
        return rows, total

    def feedback_for(self, entry_id: str) -> list[FeedbackRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(feedback_table)
                .where(feedback_table.c.entry_id == entry_id)
                .order_by(feedback_table.c.id)
            )
            return [
                FeedbackRecord(r.id, r.entry_id, r.created_at, r.interface, r.helpful, r.reason)
                for r in rows
            ]
