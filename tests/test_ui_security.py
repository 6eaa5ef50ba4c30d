"""The patient UI gives no way to read files on the server.

A client can send any JSON as a component value. Before the fix, a chat message whose content
was a Gradio file object naming a server path was copied into Gradio's cache and echoed back
with a URL, so anyone could read ``/proc/self/environ`` (with the API keys) or the audit log.
These tests post that payload to every Gradio endpoint that takes a component value, through
raw HTTP (the queue and the named ``/call`` API) and through ``gradio_client``, against the real
server, and check that no file content comes back and nothing is copied.
"""

from __future__ import annotations

import json
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import AppServer, serving

pytestmark = [pytest.mark.server, pytest.mark.slow]


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A file on the server that no client may read, holding a unique marker."""
    marker = "SECRET-" + secrets.token_hex(16)
    path = tmp_path_factory.mktemp("secret") / "secret.txt"
    path.write_text(f"ASSISTANT_API_KEYS={marker}\n", encoding="utf-8")
    return path, marker


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with serving(tmp_path_factory.mktemp("ui-security")) as app:
        yield app


def _file_object(path: Path) -> dict[str, Any]:
    return {"path": str(path), "meta": {"_type": "gradio.FileData"}, "orig_name": path.name}


def _payloads(path: Path) -> list[Any]:
    """Values a hostile client may send in place of any component's value."""
    obj = _file_object(path)
    message = {"role": "user", "content": obj}
    return [
        obj,
        [message, {"role": "assistant", "content": "ok"}],
        [{"role": "user", "content": [{"type": "file", "file": obj}]}],
        [[obj, None]],
        str(path),
    ]


def _sse_messages(response: httpx.Response) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for line in response.iter_lines():
        if line.startswith("data:"):
            body = line[5:].strip()
            try:
                out.append(json.loads(body))
            except json.JSONDecodeError:
                out.append({"raw": body})
    return out


def _config(server: AppServer) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/config", timeout=30)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def _copies(roots: list[Path], marker: str) -> list[Path]:
    found = []
    for root in roots:
        if not root.exists():
            continue
        for p in root.rglob("*"):
            try:
                if p.is_file() and marker.encode() in p.read_bytes():
                    found.append(p)
            except OSError:
                continue
    return found


def _cache_roots(server: AppServer) -> list[Path]:
    data_dir = Path(server.env["ASSISTANT_DATA_DIR"])
    return [data_dir, Path(tempfile.gettempdir()) / "gradio"]


def _assert_not_leaked(text: str, secret_path: Path, marker: str) -> None:
    assert marker not in text
    assert f"file={secret_path}" not in text
    assert "gradio_api/file=" not in text


def test_ui__no_endpoint_copies_or_returns_a_server_file(
    server: AppServer, secret: tuple[Path, str]
) -> None:
    path, marker = secret
    config = _config(server)
    components = {c["id"]: c for c in config["components"]}
    dependencies = [d for d in config["dependencies"] if d.get("inputs")]
    assert dependencies, "the UI has events that take input"
    takes_values = 0
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for fn_index, dep in enumerate(config["dependencies"]):
            if not dep.get("inputs"):
                continue
            # Each input in turn gets each payload; the others get a plain value.
            for slot in range(len(dep["inputs"])):
                for payload in _payloads(path):
                    data = ["What is migraine surgery?"] * len(dep["inputs"])
                    data[slot] = payload
                    session = secrets.token_hex(8)
                    joined = client.post(
                        "/gradio_api/queue/join",
                        json={
                            "data": data,
                            "fn_index": dep.get("id", fn_index),
                            "session_hash": session,
                            "event_data": None,
                            "trigger_id": dep["targets"][0][0] if dep.get("targets") else None,
                        },
                    )
                    _assert_not_leaked(joined.text, path, marker)
                    if joined.status_code != 200:
                        continue
                    takes_values += 1
                    with client.stream(
                        "GET", "/gradio_api/queue/data", params={"session_hash": session}
                    ) as stream:
                        text = json.dumps(_sse_messages(stream))
                    _assert_not_leaked(text, path, marker)
        # The named API endpoints, as documented on the page's "Use via API".
        for dep in config["dependencies"]:
            name = dep.get("api_name")
            if not name or not dep.get("inputs"):
                continue
            for payload in _payloads(path):
                data = [payload] * len(dep["inputs"])
                called = client.post(f"/gradio_api/call/{name}", json={"data": data})
                _assert_not_leaked(called.text, path, marker)
                if called.status_code != 200:
                    continue
                event_id = called.json()["event_id"]
                with client.stream("GET", f"/gradio_api/call/{name}/{event_id}") as stream:
                    text = stream.read().decode("utf-8", "replace")
                _assert_not_leaked(text, path, marker)
    assert takes_values > 0, "no endpoint accepted a request: the test did not reach the handlers"
    assert [c for c in components.values() if c.get("type") == "chatbot"]
    assert _copies(_cache_roots(server), marker) == []


def test_ui__gradio_client_cannot_pass_a_server_file(
    server: AppServer, secret: tuple[Path, str]
) -> None:
    from gradio_client import Client

    path, marker = secret
    client = Client(f"{server.url}/", verbose=False, download_files=False, analytics_enabled=False)
    try:
        for payload in _payloads(path):
            try:
                result = client.predict(payload, api_name="/ask")
            except Exception as exc:  # the server refuses the value: what must not leak is data
                result = str(exc)
            _assert_not_leaked(json.dumps(result, default=str), path, marker)
    finally:
        client.close()
    assert _copies(_cache_roots(server), marker) == []


def test_ui__uploads_and_dev_routes_are_not_served(server: AppServer, tmp_path: Path) -> None:
    upload = httpx.post(
        f"{server.url}/gradio_api/upload",
        files={"files": ("note.txt", b"x" * 1024, "text/plain")},
        timeout=30,
    )
    assert upload.status_code == 404
    assert httpx.get(f"{server.url}/gradio_api/dev/reload", timeout=30).status_code == 404
    # Reading a server file by URL is refused too.
    leaked = httpx.get(f"{server.url}/gradio_api/file=/etc/passwd", timeout=30)
    assert leaked.status_code in (403, 404)
    assert "root:" not in leaked.text


def test_ui__gradio_temp_folder_is_under_the_data_folder_and_cleaned(server: AppServer) -> None:
    data_dir = Path(server.env["ASSISTANT_DATA_DIR"])
    temp = data_dir / "gradio-tmp"
    assert temp.is_dir()
    assert list(temp.rglob("*.txt")) == []
