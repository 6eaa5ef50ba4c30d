"""The audit-log schema under Alembic migrations, applied when the log opens.

:func:`upgrade` brings a database to the newest revision, with a configuration built here (no
alembic.ini). A database written before the log had migrations (its tables, no
``alembic_version``) is the first revision's schema: it is stamped with it and upgraded from
there, its rows kept. A database at a revision this version does not know (written by a newer
version) is refused rather than guessed at.

A new revision is a new file in ``versions/`` (``script.py.mako`` is its template) whose
``down_revision`` is the newest one before it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.engine import Connection

HERE = Path(__file__).resolve().parent

BASELINE = "0001"
"""The revision whose schema the log had before it had migrations."""

_SQLITE_MIGRATING = "BEGIN IMMEDIATE"
"""Taken before migrating a SQLite file: the other workers wait (busy timeout) for it."""

_PG_LOCK = "SELECT pg_advisory_xact_lock(7101984)"
"""The same on PostgreSQL: one migrating transaction at a time."""


class SchemaError(RuntimeError):
    """The database's schema cannot be brought to this version's."""


def config(version_locations: Sequence[Path] = ()) -> Config:
    """The Alembic configuration, built in code; ``version_locations`` adds revision folders."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    folders = [HERE / "versions", *version_locations]
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", _join(folders))
    return cfg


def _join(folders: Sequence[Path]) -> str:
    return os.pathsep.join(str(f) for f in folders)


def head(version_locations: Sequence[Path] = ()) -> str:
    """The newest revision."""
    found = ScriptDirectory.from_config(config(version_locations)).get_current_head()
    assert found is not None
    return found


def current(engine: Engine) -> str | None:
    """The revision the database is at; None if it has none."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, version_locations: Sequence[Path] = ()) -> None:
    """Bring the database to the newest revision, in one transaction that only one process
    at a time may run (the others wait, then find nothing left to do)."""
    cfg = config(version_locations)
    known = {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}
    with engine.connect() as conn:
        _lock(conn)
        cfg.attributes["connection"] = conn
        at = MigrationContext.configure(conn).get_current_revision()
        if at is None and _has_previous_schema(conn):
            command.stamp(cfg, BASELINE)
        elif at is not None and at not in known:
            raise SchemaError(
                f"The audit log is at schema revision {at!r}, which this version does not know "
                "(it was written by a newer version): upgrade this one, or use another database."
            )
        command.upgrade(cfg, "head")
        conn.commit()


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_SQLITE_MIGRATING)
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(_PG_LOCK)


def _has_previous_schema(conn: Connection) -> bool:
    return inspect(conn).has_table("audit_entries")
