"""`assistant serve` refuses to start with a clear, one-line reason; the API docs are offline."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.server import create_app
from assistant.settings import Settings
from tests.helpers import KNOWLEDGE, child_env, free_port

ROOT = Path(__file__).resolve().parent.parent


def _serve(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(free_port()), *args],
        cwd=ROOT,
        env=child_env(ASSISTANT_KNOWLEDGE_DIR=str(KNOWLEDGE), **env),
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_serve__unwritable_data_folder_is_named_without_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder's parent should be")
    data_dir = blocker / "data"
    done = _serve(tmp_path, "--data-dir", str(data_dir))
    assert done.returncode == 1
    assert f"the data folder {data_dir} is not writable" in done.stderr
    assert "ASSISTANT_DATA_DIR" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_serve__bad_registry_file_is_named(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "note.md").write_text("# Note\n\nMigraine surgery is an operation.\n")
    (knowledge / "evidence-registry.yaml").write_text("procedures: [unclosed\n")
    done = _serve(tmp_path, "--data-dir", str(tmp_path / "data"), "--knowledge-dir", str(knowledge))
    assert done.returncode == 1
    assert f"the evidence registry {knowledge / 'evidence-registry.yaml'}" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_serve__unreachable_chroma_server_names_the_setting(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    done = _serve(
        tmp_path,
        "--data-dir",
        str(tmp_path / "data"),
        CHROMA_HOST="127.0.0.1",
        CHROMA_PORT=str(port),
    )
    assert done.returncode == 1
    assert f"the Chroma server at 127.0.0.1:{port} does not answer" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_serve__debug_log_level_shows_the_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = _serve(tmp_path, "--data-dir", str(blocker / "data"), "--log-level", "debug")
    assert done.returncode == 1
    assert "Traceback" in done.stderr


def _no_outside_urls(page: str) -> None:
    for tag in re.findall(r"<(?:script|link|img)\b[^>]*>", page):
        for url in re.findall(r'(?:src|href)="([^"]+)"', tag):
            assert not re.match(r"(https?:)?//", url), tag


def test_api_docs__served_from_the_package(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", audit_db_url=f"sqlite:///{tmp_path / 'a.db'}")
    client = TestClient(create_app(settings=settings, ui=False))
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        _no_outside_urls(page.text)
        assets = re.findall(r'(?:src|href)="(/static-offline-docs/[^"]+)"', page.text)
        assert assets
        for asset in assets:
            assert client.get(asset).status_code == 200, asset
    assert "validator.swagger.io" not in client.get("/docs").text


def test_api_docs__can_be_switched_off(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "d", audit_db_url=f"sqlite:///{tmp_path / 'a.db'}", api_docs=False
    )
    client = TestClient(create_app(settings=settings, ui=False))
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").status_code == 200


@pytest.mark.slow
def test_serve__malformed_key_hashes_are_named(tmp_path: Path) -> None:
    done = _serve(
        tmp_path, "--data-dir", str(tmp_path / "data"), ASSISTANT_API_KEY_HASHES="ops:abc"
    )
    assert done.returncode == 1
    assert "ASSISTANT_API_KEY_HASHES: entry 1 is not a SHA-256 hex digest" in done.stderr
    assert "Traceback" not in done.stderr
