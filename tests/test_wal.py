"""Several workers opening one new SQLite file at once (the unit store, the catalogue): each
switches it to WAL, and none of them gets "database is locked"."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.index.catalogue import Catalogue
from assistant.units import VectorCache
from assistant.wal import use_wal
from tests.helpers import open_at_once


def _open_at_once(make: Callable[[Path], Any], path: Path, workers: int = 6) -> list[Any]:
    opened, errors = open_at_once(lambda: make(path), workers)
    assert errors == []
    assert len(opened) == workers
    return opened


@pytest.mark.parametrize("make", [VectorCache, Catalogue], ids=["unit-store", "catalogue"])
def test_workers_opening_one_new_file_at_once__all_succeed_in_wal(
    tmp_path: Path, make: Callable[[Path], Any]
) -> None:
    for attempt in range(20):  # the race is in the first instants of a new file: try a few
        path = tmp_path / f"store{attempt}.sqlite3"
        for store in _open_at_once(make, path):
            store.close()
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_use_wal__gives_up_on_a_lock_that_never_goes(tmp_path: Path) -> None:
    path = tmp_path / "held.sqlite3"
    holder = sqlite3.connect(path)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(path, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            use_wal(other, wait_s=0.2)
    finally:
        other.close()
        holder.rollback()
        holder.close()
