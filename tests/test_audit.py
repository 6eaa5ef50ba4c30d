"""The audit log: what is stored, retention, feedback, paging and time filters (real SQLite)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assistant.audit import (
    AuditLog,
    UnknownEntryError,
    default_url,
    entries_table,
    feedback_table,
    key_fingerprint,
)
from assistant.settings import Settings
from assistant.types import Answer, Citation


def _answer(question: str = "Does the M.I.G.O.N.E. procedure work?", **kw: object) -> Answer:
    citation = Citation(
        n=1,
        doc_id="migone-procedure-clinic",
        chunk_id="migone-procedure-clinic::abc::00001",
        title="The M.I.G.O.N.E. procedure",
        url=None,
        publisher="The Migraine Relief Center",
        source_kind="clinic-marketing",
        quote="The M.I.G.O.N.E. procedure takes approximately two to three hours.",
        start=10,
        end=76,
        score=0.5,
    )
    fields: dict[str, object] = {
        "question": question,
        "standalone_question": question + " (standalone)",
        "status": "answered",
        "answer": "The clinic states: “...” [1]",
        "citations": [citation],
        "efficacy_question": True,
        "caveat": "Evidence status: limited.",
        "generator": "extractive",
        "prompt_version": "p1",
        "index_version": "3",
    }
    fields.update(kw)
    return Answer.model_validate(fields)


@pytest.fixture
def audit(tmp_path: Path) -> Iterator[AuditLog]:
    log = AuditLog(f"sqlite:///{tmp_path / 'audit.sqlite3'}", retention_days=30)
    yield log
    log.close()


def test_record__stores_every_field_of_the_answer(audit: AuditLog) -> None:
    entry_id = audit.record(_answer(), "api", latency_ms=12.345, client="key-abc")

    rows, total = audit.entries()

    assert total == 1
    row = rows[0]
    assert row["id"] == entry_id
    assert row["interface"] == "api"
    assert row["client"] == "key-abc"
    assert row["question"] == "Does the M.I.G.O.N.E. procedure work?"
    assert row["standalone_question"].endswith("(standalone)")
    assert row["status"] == "answered"
    assert row["answer"].endswith("[1]")
    assert row["citations"][0]["doc_id"] == "migone-procedure-clinic"
    assert row["citations"][0]["quote"].startswith("The M.I.G.O.N.E. procedure takes")
    assert row["caveat"] == "Evidence status: limited."
    assert row["efficacy_question"] is True
    assert (row["index_version"], row["generator"], row["prompt_version"]) == (
        "3",
        "extractive",
        "p1",
    )
    assert row["latency_ms"] == pytest.approx(12.35)
    assert abs(row["created_at"] - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1)
    assert row["feedback"] == []


def test_record__without_question_storage_keeps_only_metadata(tmp_path: Path) -> None:
    log = AuditLog(f"sqlite:///{tmp_path / 'a.sqlite3'}", store_questions=False)
    try:
        log.record(_answer(), "ui", latency_ms=1.0)
        row = log.entries()[0][0]
        assert row["question"] is None
        assert row["standalone_question"] is None
        assert row["status"] == "answered"
        assert row["caveat"] == "Evidence status: limited."
    finally:
        log.close()


def test_log__is_durable_across_reopening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'durable.sqlite3'}"
    first = AuditLog(url)
    entry_id = first.record(_answer(), "ui", latency_ms=5)
    first.add_feedback(entry_id, helpful=False, reason="too long", interface="ui")
    first.close()

    second = AuditLog(url)
    try:
        rows, total = second.entries()
        assert total == 1 and rows[0]["id"] == entry_id
        assert rows[0]["feedback"][0]["reason"] == "too long"
    finally:
        second.close()


def test_default_url__is_a_sqlite_file_in_the_data_dir_unless_overridden(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert default_url(settings) == f"sqlite:///{(tmp_path / 'data' / 'audit.sqlite3').resolve()}"
    log = AuditLog.from_settings(settings)
    log.close()
    assert (tmp_path / "data" / "audit.sqlite3").exists()
    other = Settings(data_dir=tmp_path / "data", audit_db_url="sqlite:///" + str(tmp_path / "x.db"))
    assert default_url(other) == "sqlite:///" + str(tmp_path / "x.db")


def test_retention__old_entries_and_their_feedback_are_deleted(audit: AuditLog) -> None:
    now = datetime.now(UTC)
    old = audit.record(_answer("old"), "api", 1, now=now - timedelta(days=31))
    kept = audit.record(_answer("recent"), "api", 1, now=now - timedelta(days=29))
    audit.add_feedback(old, helpful=True)
    audit.add_feedback(kept, helpful=True)

    deleted = audit.purge()

    assert deleted == 1
    rows, total = audit.entries()
    assert total == 1 and rows[0]["id"] == kept
    with audit.engine.connect() as conn:
        remaining = conn.execute(select(feedback_table.c.entry_id)).scalars().all()
    assert remaining == [kept]


def test_retention__applied_when_the_log_opens(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    first = AuditLog(url, retention_days=365)
    first.record(_answer(), "api", 1, now=datetime.now(UTC) - timedelta(days=10))
    first.close()

    second = AuditLog(url, retention_days=7)
    try:
        assert second.entries()[1] == 0
    finally:
        second.close()


def test_retention__also_swept_at_insert_once_an_hour(audit: AuditLog) -> None:
    audit.record(_answer(), "api", 1, now=datetime.now(UTC) - timedelta(days=40))
    audit._last_purge -= 3601  # an hour has passed since the last sweep
    audit.record(_answer(), "api", 1)
    assert audit.entries()[1] == 1


def test_feedback__attached_to_its_entry_and_reason_can_be_added_later(audit: AuditLog) -> None:
    entry_id = audit.record(_answer(), "ui", 1)
    record = audit.add_feedback(entry_id, helpful=False, interface="ui")
    assert record.reason is None
    audit.set_feedback_reason(record.id, "  It did not answer my question  ")

    [stored] = audit.feedback_for(entry_id)
    assert stored.helpful is False
    assert stored.reason == "It did not answer my question"
    assert stored.interface == "ui"


def test_feedback__for_an_unknown_answer_is_refused(audit: AuditLog) -> None:
    with pytest.raises(UnknownEntryError, match="not-an-id"):
        audit.add_feedback("not-an-id", helpful=True)


def test_entries__page_newest_first_with_time_filters(audit: AuditLog) -> None:
    audit.retention_days = 100_000  # the entries below are dated in the past on purpose
    base = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    ids = [
        audit.record(_answer(f"q{i}"), "api", 1, now=base + timedelta(hours=i)) for i in range(5)
    ]

    page1, total = audit.entries(limit=2, offset=0)
    page2, _ = audit.entries(limit=2, offset=2)
    page3, _ = audit.entries(limit=2, offset=4)
    assert total == 5
    assert [r["id"] for r in page1 + page2 + page3] == ids[::-1]

    window, count = audit.entries(since=base + timedelta(hours=1), until=base + timedelta(hours=3))
    assert count == 2
    assert [r["question"] for r in window] == ["q2", "q1"]

    # Another offset names the same instant: 14:00 at +01:00 is 13:00 UTC.
    since = datetime(2026, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=1)))
    later, n = audit.entries(since=since)
    assert n == 4 and later[-1]["question"] == "q1"


def test_log__accepts_writes_from_many_threads(audit: AuditLog) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(10):
                entry = audit.record(_answer(), "ui", 1)
                audit.add_feedback(entry, helpful=True)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    with audit.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(entries_table)).scalar_one() == 40


def test_in_memory_url__is_shared_between_threads() -> None:
    log = AuditLog("sqlite://")
    try:
        entry = log.record(_answer(), "api", 1)
        seen: list[int] = []
        t = threading.Thread(target=lambda: seen.append(log.entries()[1]))
        t.start()
        t.join(timeout=30)
        assert seen == [1]
        assert log.add_feedback(entry, helpful=True).entry_id == entry
    finally:
        log.close()


def test_key_fingerprint__is_stable_and_does_not_reveal_the_key() -> None:
    assert key_fingerprint("secret-key") == key_fingerprint("secret-key")
    assert key_fingerprint("secret-key") != key_fingerprint("other-key")
    assert "secret" not in key_fingerprint("secret-key")
