"""The audited service: the one ``Assistant`` as the UI and the API call it.

Every answer served is recorded in the audit log (:mod:`assistant.audit`), a streamed one as
soon as it is composed, whether or not the client reads the stream to the end.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from assistant.audit import AuditLog, Interface, new_entry_id
from assistant.errors import StorageFullError
from assistant.settings import Settings
from assistant.types import Answer, AnswerEvents, History, StreamStatus

RecordedEvents = Generator[StreamStatus | str | tuple[Answer, str | None], None, None]
"""The events of a recorded answer: a generator, so a reader that stops early can close it."""

log = logging.getLogger(__name__)


class AuditedAssistant:
    """The one service, as the UI and the API call it: every answer served is audited."""

    def __init__(self, assistant: Any, audit: AuditLog | None = None) -> None:
        self.assistant = assistant
        self._audit = audit

    @property
    def audit(self) -> AuditLog:
        if self._audit is None:
            raise RuntimeError("the audit log is opened in the app's lifespan; it has not started")
        return self._audit

    @audit.setter
    def audit(self, value: AuditLog) -> None:
        self._audit = value

    @property
    def has_audit(self) -> bool:
        return self._audit is not None

    @property
    def settings(self) -> Settings:
        return self.assistant.settings  # type: ignore[no-any-return]

    def ask(
        self,
        question: str,
        history: History | None,
        interface: Interface,
        client: str | None = None,
    ) -> tuple[Answer, str | None]:
        """Answer and record; returns the answer and its audit id (None if recording failed)."""
        started = time.perf_counter()
        answer: Answer = self.assistant.ask(question, history)
        return answer, self._record(answer, interface, started, client)

    def _record(
        self,
        answer: Answer,
        interface: Interface,
        started: float,
        client: str | None,
        entry_id: str | None = None,
    ) -> str | None:
        latency_ms = (time.perf_counter() - started) * 1000
        try:
            return self.audit.record(answer, interface, latency_ms, client, entry_id=entry_id)
        except StorageFullError:
            log.exception("audit log: the disk is full; an answer could not be recorded")
            if interface == "api":
                raise  # a staff client is told (503) and retries; nothing goes unlogged
            # A full disk must not keep a patient from an answer; the failure is logged loudly.
            return None
        except Exception:
            log.exception("audit log: could not record an answer")
            return None

    def ask_stream(
        self,
        question: str,
        history: History | None,
        interface: Interface,
        client: str | None = None,
    ) -> RecordedEvents:
        """Stream an answer and record it as soon as it is composed.

        Bad input and an unreachable index raise here, before anything is streamed. The first
        event names the answer id the record will have; the last is (Answer, id or None if
        recording failed).

        The answer is composed in a thread of its own, which runs to the end and records the
        answer whether or not the caller reads the events (a client that disconnects after the
        first event still has its answer logged). The caller reads the events as they come.
        """
        started = time.perf_counter()
        events = self.assistant.ask_stream(question, history)
        return self._recorded_stream(events, interface, started, client)

    def _recorded_stream(
        self,
        events: AnswerEvents,
        interface: Interface,
        started: float,
        client: str | None,
    ) -> RecordedEvents:
        entry_id = new_entry_id()
        channel: queue.SimpleQueue[Any] = queue.SimpleQueue()

        def compose() -> None:
            try:
                for item in events:
                    if isinstance(item, StreamStatus):
                        channel.put(item.model_copy(update={"answer_id": entry_id}))
                    elif isinstance(item, Answer):
                        recorded = self._record(item, interface, started, client, entry_id)
                        channel.put((item, recorded))
                    else:
                        channel.put(item)
            except BaseException as exc:  # handed to the reader, who raises it
                channel.put(_Failed(exc))
            finally:
                channel.put(_END)

        threading.Thread(target=compose, name=f"answer-{entry_id[:8]}", daemon=True).start()
        return _read_channel(channel)


_END = object()


@dataclass(frozen=True)
class _Failed:
    error: BaseException


def _read_channel(
    channel: queue.SimpleQueue[Any],
) -> RecordedEvents:
    while True:
        item = channel.get()
        if item is _END:
            return
        if isinstance(item, _Failed):
            raise item.error
        yield item
