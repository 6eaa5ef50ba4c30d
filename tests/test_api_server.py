"""The real server: `assistant serve` in a subprocess on 127.0.0.1, and a real `chroma run`.

Helpers here (``ServerProcess``, ``app_server``) are shared with tests/test_ui.py.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
PYTHON = sys.executable
CHROMA = Path(PYTHON).parent / "chroma"
API_KEY = "server-test-key-123"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
QUESTION = "Does the M.I.G.O.N.E. procedure work?"
START_TIMEOUT_S = 240.0  # first start builds the index (about 15 s on 2 cores) and loads the model

pytestmark = [pytest.mark.server, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: offline, no settings leaking in from outside."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ASSISTANT_", "CHROMA_", "PYTEST_"))
    }
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        GRADIO_ANALYTICS_ENABLED="False",
        ANONYMIZED_TELEMETRY="False",
        TOKENIZERS_PARALLELISM="false",
        PYTHONUNBUFFERED="1",
        NO_PROXY="127.0.0.1,localhost",
    )
    env.update(extra)
    return env


class ServerProcess:
    """A child process in its own process group, with its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.args = args
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.args,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own group, so stop() also ends its children
            )
        return self

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def wait_until(self, check: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                pytest.fail(
                    f"{what}: the process exited ({self.proc.returncode}):\n{self.log_tail()}"
                )
            try:
                if check():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        pytest.fail(f"{what}: not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        pgid = self.proc.pid  # start_new_session: the group id is the child's pid
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=20)
        except ProcessLookupError:
            pass


class AppServer(ServerProcess):
    """``assistant serve`` on 127.0.0.1."""

    def __init__(self, data_dir: Path, log_path: Path, *extra_args: str, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [PYTHON, "-m", "assistant.cli", "serve", "--host", "127.0.0.1"]
        args += ["--port", str(self.port), *extra_args]
        super().__init__(
            args,
            child_env(
                ASSISTANT_DATA_DIR=str(data_dir),
                ASSISTANT_KNOWLEDGE_DIR=str(KNOWLEDGE),
                ASSISTANT_API_KEYS=API_KEY,
                **env,
            ),
            log_path,
        )

    def start(self) -> AppServer:
        super().start()
        self.wait_until(
            lambda: httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200,
            START_TIMEOUT_S,
            "assistant serve",
        )
        return self


class ChromaServer(ServerProcess):
    """``chroma run`` on 127.0.0.1."""

    def __init__(self, path: Path, port: int, log_path: Path) -> None:
        self.port = port
        super().__init__(
            [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            child_env(),
            log_path,
        )

    def start(self) -> ChromaServer:
        super().start()
        url = f"http://127.0.0.1:{self.port}/api/v2/heartbeat"
        self.wait_until(lambda: httpx.get(url, timeout=5).status_code == 200, 60, "chroma run")
        return self


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """One `assistant serve` for the module, on an index it builds itself at startup."""
    base = tmp_path_factory.mktemp("app-server")
    server = AppServer(base / "data", base / "server.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _sse(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in text.split("\n\n"):
        lines = [ln for ln in block.split("\n") if ln]
        if lines:
            name = next(ln[7:] for ln in lines if ln.startswith("event: "))
            data = "\n".join(ln[6:] for ln in lines if ln.startswith("data: "))
            events.append((name, json.loads(data)))
    return events


def test_server__probes_auth_and_an_answer(app_server: AppServer) -> None:
    url = app_server.url
    with httpx.Client(base_url=url, timeout=60) as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        ready = http.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["index_version"] >= 1

        refused = http.post("/api/v1/ask", json={"question": QUESTION})
        assert refused.status_code == 401
        assert refused.json()["error"] == "unauthorized"
        wrong = http.post(
            "/api/v1/ask", json={"question": QUESTION}, headers={"Authorization": "Bearer nope"}
        )
        assert wrong.status_code == 401

        response = http.post("/api/v1/ask", json={"question": QUESTION}, headers=AUTH)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["status"] == "answered"
        assert answer["citations"] and answer["answer_id"]

        bad = http.post("/api/v1/ask", json={"question": "x" * 5000}, headers=AUTH)
        assert bad.status_code == 422 and "limit" in bad.json()["message"]

        log = http.get("/api/v1/conversations", headers=AUTH).json()
        assert answer["answer_id"] in [e["id"] for e in log["items"]]

        index = http.get("/")
        assert index.status_code == 200 and "text/html" in index.headers["content-type"]
        assert http.get("/openapi.json").json()["info"]["title"]


def test_server__streams_server_sent_events(app_server: AppServer) -> None:
    with (
        httpx.Client(base_url=app_server.url, timeout=60) as http,
        http.stream("POST", "/api/v1/ask/stream", json={"question": QUESTION}, headers=AUTH) as r,
    ):
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = _sse(text)
    names = [n for n, _ in events]
    assert names[0] == "status" and names[-4:] == ["summary", "citations", "caveat", "answer"]
    assert set(names[1:-3]) == {"delta"}
    assert "".join(d["text"] for n, d in events if n == "delta") == events[-1][1]["answer"]


def test_server__several_workers_share_the_index_and_the_audit_log(
    app_server: AppServer, tmp_path: Path
) -> None:
    # Reuses the module server's data folder: the index exists, so nothing is ingested.
    data_dir = Path(app_server.env["ASSISTANT_DATA_DIR"])
    server = AppServer(data_dir, tmp_path / "workers.log", "--workers", "2")
    try:
        server.start()
        with httpx.Client(base_url=server.url, timeout=60) as http:
            server.wait_until(
                lambda: http.get("/readyz").status_code == 200, START_TIMEOUT_S, "workers ready"
            )
            ids = []
            for i in range(4):
                r = http.post("/api/v1/ask", json={"question": f"{QUESTION} ({i})"}, headers=AUTH)
                assert r.status_code == 200, r.text
                ids.append(r.json()["answer_id"])
            logged = http.get("/api/v1/conversations", params={"limit": 500}, headers=AUTH).json()
            assert set(ids) <= {e["id"] for e in logged["items"]}
        assert "Started parent process" in server.log_tail(20000)
    finally:
        server.stop()


def _ui_question_while_chroma_is_down(server: AppServer) -> None:
    """The patient gets a plain message; the log gets one line, not a traceback per request."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    before = len(server.log_tail(10**9))
    client = Client(f"{server.url}/", verbose=False, download_files=False, analytics_enabled=False)
    try:
        with pytest.raises(AppError, match="sources are unavailable"):
            client.predict(QUESTION, api_name="/ask")
    finally:
        client.close()
    added = server.log_tail(10**9)[before:]
    assert "Traceback" not in added, added
    logged = [line for line in added.splitlines() if not line.startswith("INFO:")]  # access log
    assert len(logged) == 1 and "index is unavailable" in logged[0], added


def test_server__503_while_chroma_is_down_and_recovers_when_it_returns(tmp_path: Path) -> None:
    chroma_port = free_port()
    chroma_dir = tmp_path / "chroma"
    chroma = ChromaServer(chroma_dir, chroma_port, tmp_path / "chroma.log").start()
    server = AppServer(
        tmp_path / "data",
        tmp_path / "server.log",
        CHROMA_HOST="127.0.0.1",
        CHROMA_PORT=str(chroma_port),
    )
    try:
        server.start()  # builds the index in the Chroma server
        with httpx.Client(base_url=server.url, timeout=60) as http:
            assert http.get("/readyz").status_code == 200, server.log_tail()
            ok = http.post("/api/v1/ask", json={"question": QUESTION}, headers=AUTH)
            assert ok.status_code == 200, ok.text
            assert ok.json()["citations"]

            chroma.stop()

            ready = http.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["error"] == "index_unavailable"
            down = http.post("/api/v1/ask", json={"question": QUESTION}, headers=AUTH)
            assert down.status_code == 503, down.text
            assert down.headers["content-type"].startswith("application/json")
            assert down.json()["error"] == "index_unavailable"
            assert "cannot be reached" in down.json()["message"]
            assert http.get("/healthz").status_code == 200, "the process itself stays up"
            _ui_question_while_chroma_is_down(server)

            chroma = ChromaServer(chroma_dir, chroma_port, tmp_path / "chroma2.log").start()

            server.wait_until(
                lambda: http.get("/readyz").status_code == 200, 60, "recovery after restart"
            )
            again = http.post("/api/v1/ask", json={"question": QUESTION}, headers=AUTH)
            assert again.status_code == 200, again.text
            assert [c["chunk_id"] for c in again.json()["citations"]] == [
                c["chunk_id"] for c in ok.json()["citations"]
            ], "the same index answers after the restart"
    finally:
        server.stop()
        chroma.stop()
