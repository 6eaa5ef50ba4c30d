"""Switching a SQLite file to write-ahead logging when several processes open it at once.

Several server workers share the audit log, the catalogue and the unit store. WAL lets readers
run beside a writer, and the mode stays with the file once set. Setting it on a new file takes
the file's exclusive lock, and SQLite answers "database is locked" at once, without waiting out
the busy timeout, to a worker that asks while another one is switching it: the switch is
retried for a while.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Protocol

WAIT_S = 30.0
"""How long a worker retries the switch while another one makes it."""


class _Executes(Protocol):
    def execute(self, sql: str, /) -> object: ...


def use_wal(conn: _Executes, wait_s: float = WAIT_S) -> None:
    """``PRAGMA journal_mode=WAL`` on a DB-API connection or cursor, retried while locked."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
