"""Checks made before the server starts, each failing with a message that names what to fix.

A read-only data folder, a bad evidence registry, an audit database that cannot be opened or a
Chroma server that does not answer would otherwise surface as a traceback from deep inside a
library, after uvicorn has started. ``assistant serve`` runs :func:`check_startup` first and
exits with status 1 and one line per problem.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from assistant.errors import AssistantError
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.index.vector_store import VectorStore
    from assistant.service import Assistant


class StartupError(AssistantError):
    """The server cannot start; the message names the folder, file or setting at fault."""


def check_startup(assistant: Assistant) -> None:
    """Raise :class:`StartupError` listing every problem found, in the order they are checked."""
    settings = assistant.settings
    problems: list[StartupError] = []
    checks: tuple[Callable[[], None], ...] = (
        lambda: _check_keys(settings),
        lambda: _check_data_dir(settings.data_dir),
        lambda: _check_registry(assistant.registry_path),
        lambda: _check_audit(settings),
        lambda: _check_chroma(settings, assistant.store),
    )
    for check in checks:
        try:
            check()
        except StartupError as exc:
            problems.append(exc)
    if problems:
        error = StartupError("; ".join(str(p) for p in problems))
        raise error from problems[0].__cause__


# The checks, in the order check_startup runs them.
def _check_keys(settings: Settings) -> None:
    from assistant.keys import parse_key_hashes

    try:
        parse_key_hashes(settings.api_key_hashes)
    except ValueError as exc:
        raise StartupError(str(exc)) from exc


def _check_data_dir(data_dir: Path) -> None:
    where = data_dir.resolve()
    try:
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=where, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise StartupError(
            f"the data folder {where} is not writable ({exc.strerror or exc}); set "
            "ASSISTANT_DATA_DIR (or --data-dir) to a folder this user can write"
        ) from exc


def _check_registry(path: Path) -> None:
    from assistant.evidence import EvidenceRegistry

    try:
        EvidenceRegistry.load(path)
    except FileNotFoundError as exc:
        raise StartupError(f"the evidence registry {path} does not exist") from exc
    except Exception as exc:  # YAML, validation or I/O: all mean the file must be fixed
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StartupError(f"the evidence registry {path} cannot be loaded: {first}") from exc


def _check_audit(settings: Settings) -> None:
    from assistant.audit import AuditLog, default_url

    shown = make_url(default_url(settings)).render_as_string(hide_password=True)
    try:
        AuditLog.from_settings(settings).close()
    except Exception as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StartupError(
            f"the audit log {shown} cannot be opened ({reason}); check ASSISTANT_AUDIT_DB_URL "
            "or that the data folder is writable"
        ) from exc


def _check_chroma(settings: Settings, store: VectorStore) -> None:
    if not settings.chroma_is_server():
        return  # embedded: the data-folder check covers it
    try:
        store.ping()
    except AssistantError as exc:
        raise StartupError(
            f"the Chroma server at {settings.chroma_host}:{settings.chroma_port} does not answer "
            "(CHROMA_HOST, CHROMA_PORT); start it with 'chroma run' or fix the settings"
        ) from exc
