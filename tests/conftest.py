"""Shared fixtures: hermetic data folders, no network but loopback, one real model per session."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.runtime import OFFLINE_ENV

os.environ.update(OFFLINE_ENV)  # before anything imports a model or a hub client

from assistant.embedding import SentenceTransformerEmbedder
from assistant.service import Assistant
from assistant.settings import Settings
from tests.helpers import TEST_KEY, TEST_OTHER_KEY, MakeClient

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and self.family in (socket.AF_INET, socket.AF_INET6):
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if not loopback:
            raise OSError(f"tests may not reach the network ({host})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test writes under its own tmp_path and can reach loopback only."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(KNOWLEDGE))
    for key in ("CHROMA_HOST", "CHROMA_PORT", "ASSISTANT_API_KEYS"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The real packaged model, loaded once per session."""
    model = SentenceTransformerEmbedder()
    model.warm_up()
    return model


@pytest.fixture
def make_assistant(
    embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> Iterator[Callable[..., Assistant]]:
    """Build an Assistant over any knowledge folder, with its own data folder."""
    made: list[Assistant] = []

    def factory(
        knowledge_dir: Path = KNOWLEDGE, data_dir: Path | None = None, **kw: Any
    ) -> Assistant:
        settings = Settings(
            knowledge_dir=knowledge_dir, data_dir=data_dir or tmp_path / f"data{len(made)}", **kw
        )
        assistant = Assistant(settings, embedder=embedder)
        made.append(assistant)
        return assistant

    yield factory
    for assistant in made:
        assistant.close()


@pytest.fixture(scope="session")
def built_assistant(
    embedder: SentenceTransformerEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Assistant]:
    """An Assistant with the project's knowledge folder indexed once for the session."""
    data = tmp_path_factory.mktemp("kb-index")
    assistant = Assistant(Settings(knowledge_dir=KNOWLEDGE, data_dir=data), embedder=embedder)
    report = assistant.ingest()
    assert not report.errors, report.errors
    assistant.warm_up()
    yield assistant
    assistant.close()


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the project's knowledge folder."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture
def make_client(built_assistant: Assistant, tmp_path: Path) -> Iterator[MakeClient]:
    """An app over the session's indexed Assistant, with its own audit log, started."""
    started: list[TestClient] = []

    def factory(
        keys: str = f"{TEST_KEY},{TEST_OTHER_KEY}",
        rate_limit_per_minute: int = 1000,
        assistant: Assistant | None = None,
        ui: bool = False,
        **settings_kw: Any,
    ) -> TestClient:
        settings = Settings(
            knowledge_dir=KNOWLEDGE,
            data_dir=tmp_path / f"serve{len(started)}",
            api_keys=keys,
            rate_limit_per_minute=rate_limit_per_minute,
            audit_db_url=f"sqlite:///{tmp_path / f'audit{len(started)}.sqlite3'}",
            **settings_kw,
        )
        from assistant.server import create_app

        app = create_app(assistant=assistant or built_assistant, settings=settings, ui=ui)
        client = TestClient(app)
        client.__enter__()  # runs the lifespan: warm-up and audit log
        started.append(client)
        return client

    yield factory
    for client in started:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()
