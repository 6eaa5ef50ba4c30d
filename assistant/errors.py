"""Errors the assistant reports to its users, each with a message that says what is wrong."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class for errors with a user-facing message."""


class InvalidQuestionError(AssistantError, ValueError):
    """The question or its history cannot be accepted (empty, too long, malformed)."""


class IndexUnavailableError(AssistantError):
    """The vector store cannot be reached or the index has not been built."""


class StorageFullError(AssistantError):
    """The disk or the database is full: an audit-log entry or feedback could not be stored."""


class DocumentLoadError(AssistantError):
    """A file in the knowledge folder could not be read; names the file (and line)."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")
