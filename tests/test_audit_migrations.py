"""The audit-log schema under Alembic: a database of the previous version (no alembic_version)
is stamped and upgraded with its rows, a fresh one gets exactly the schema the queries use, and
a later revision applies on top (a test-only revision in tests/fixtures/audit/migrations)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from assistant import migrations
from assistant.audit import AuditLog, metadata
from assistant.types import Answer
from tests.helpers import open_at_once

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "audit"
PREVIOUS_SCHEMA = FIXTURES / "previous_schema.sql"
TEST_REVISIONS = FIXTURES / "migrations"
OLD_ENTRY = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"


def _previous_version_db(path: Path) -> str:
    """A database as the previous version left it: its tables and rows, no alembic_version."""
    with sqlite3.connect(path) as conn:
        conn.executescript(PREVIOUS_SCHEMA.read_text(encoding="utf-8"))
    conn.close()
    return f"sqlite:///{path}"


def _schema(engine: Engine) -> dict[str, Any]:
    """Tables with their columns, keys and indexes, as the database describes them."""
    found = inspect(engine)
    return {
        table: {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)
            ],
            "primary_key": found.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": [
                (fk["constrained_columns"], fk["referred_table"], fk["options"])
                for fk in found.get_foreign_keys(table)
            ],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"])) for i in found.get_indexes(table)
            ),
        }
        for table in sorted(found.get_table_names())
        if table != "alembic_version"
    }


def _answer() -> Answer:
    return Answer(question="q?", standalone_question="q?", status="answered", answer="a [1]")


def test_previous_version_db__is_stamped_and_keeps_its_rows(tmp_path: Path) -> None:
    url = _previous_version_db(tmp_path / "audit.sqlite3")
    log = AuditLog(url)
    try:
        assert migrations.current(log.engine) == migrations.head()
        rows, total = log.entries()
        assert total == 2
        old = next(r for r in rows if r["id"] == OLD_ENTRY)
        assert old["question"] == "Does the M.I.G.O.N.E. procedure work?"
        assert old["citations"][0]["doc_id"] == "migone"
        assert [(f["helpful"], f["reason"]) for f in old["feedback"]] == [(False, "Too vague")]
        # The log goes on working on it: new answers, feedback on an old one.
        new = log.record(_answer(), "api", 1.0)
        assert log.add_feedback(OLD_ENTRY, helpful=True).entry_id == OLD_ENTRY
        assert log.entries()[1] == 3 and new in {r["id"] for r in log.entries()[0]}
    finally:
        log.close()


def test_fresh_db__the_first_revision_is_the_previous_schema(tmp_path: Path) -> None:
    previous = create_engine(_previous_version_db(tmp_path / "previous.sqlite3"))
    log = AuditLog(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    try:
        assert _schema(log.engine) == _schema(previous)
        with log.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    finally:
        log.close()
        previous.dispose()


def test_opening_again__changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    first = AuditLog(url)
    entry = first.record(_answer(), "ui", 1.0)
    first.close()
    second = AuditLog(url)
    try:
        assert [r["id"] for r in second.entries()[0]] == [entry]
        with second.engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        assert [v for (v,) in versions] == [migrations.head()]
    finally:
        second.close()


def test_a_later_revision__upgrades_a_previous_version_db_keeping_its_rows(
    tmp_path: Path,
) -> None:
    engine = create_engine(_previous_version_db(tmp_path / "audit.sqlite3"))
    try:
        migrations.upgrade(engine, [TEST_REVISIONS])
        assert migrations.current(engine) == "test_0002"
        assert migrations.head([TEST_REVISIONS]) == "test_0002"
        columns = {c["name"] for c in inspect(engine).get_columns("audit_feedback")}
        assert "reviewed" in columns
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT entry_id, reason, reviewed FROM audit_feedback")).all()
            entries = conn.execute(text("SELECT count(*) FROM audit_entries")).scalar_one()
        assert [tuple(r) for r in kept] == [(OLD_ENTRY, "Too vague", 0)]
        assert entries == 2
    finally:
        engine.dispose()


def test_a_later_revision__applies_to_a_db_at_the_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    log = AuditLog(url)
    entry = log.record(_answer(), "api", 2.0)
    log.add_feedback(entry, helpful=True, reason="clear")
    log.close()
    engine = create_engine(url)
    try:
        assert migrations.current(engine) == "0001"
        migrations.upgrade(engine, [TEST_REVISIONS])
        assert migrations.current(engine) == "test_0002"
        indexes = {i["name"] for i in inspect(engine).get_indexes("audit_feedback")}
        assert "ix_audit_feedback_created_at" in indexes
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT entry_id, reason FROM audit_feedback")).all()
        assert [tuple(r) for r in rows] == [(entry, "clear")]
    finally:
        engine.dispose()


def test_a_db_at_an_unknown_revision__is_refused_by_name(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    engine = create_engine(url)
    migrations.upgrade(engine, [TEST_REVISIONS])
    engine.dispose()
    with pytest.raises(migrations.SchemaError, match="test_0002"):
        AuditLog(url)


def test_workers_opening_one_new_file_at_once__all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    logs, errors = open_at_once(lambda: AuditLog(url), workers=4)
    try:
        assert errors == []
        assert len(logs) == 4
        assert migrations.current(logs[0].engine) == migrations.head()
    finally:
        for log in logs:
            log.close()
