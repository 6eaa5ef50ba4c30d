"""Helpers the tests share: child environments, free ports, real server processes
(``assistant serve`` and ``chroma run``) on 127.0.0.1, each in its own process group, and
workers that open one file at the same instant."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from assistant.runtime import OFFLINE_ENV

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
PYTHON = sys.executable
CHROMA = Path(PYTHON).parent / "chroma"
API_KEY = "server-test-key-123"
AUTH = {"Authorization": f"Bearer {API_KEY}"}
TEST_KEY = "test-key-0123456789"
TEST_OTHER_KEY = "other-key-9876543210"
TEST_AUTH = {"Authorization": f"Bearer {TEST_KEY}"}
"""Keys of the in-process apps that the ``make_client`` fixture (conftest.py) builds."""
START_TIMEOUT_S = 240.0  # first start builds the index (about 15 s on 2 cores) and loads the model


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
    env.update(OFFLINE_ENV)
    env.update(PYTHONUNBUFFERED="1", NO_PROXY="127.0.0.1,localhost")
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
    """``chroma run`` on 127.0.0.1, on ``port`` or a free one."""

    def __init__(self, path: Path, log_path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        super().__init__(
            [
                str(CHROMA),
                "run",
                "--path",
                str(path),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            child_env(),
            log_path,
        )

    def start(self) -> ChromaServer:
        super().start()
        url = f"http://127.0.0.1:{self.port}/api/v2/heartbeat"
        self.wait_until(lambda: httpx.get(url, timeout=5).status_code == 200, 60, "chroma run")
        return self


def parse_sse(text: str) -> list[tuple[str, Any]]:
    """Server-sent events as (event name, JSON data), in order."""
    events = []
    for block in text.split("\n\n"):
        lines = [ln for ln in block.split("\n") if ln]
        if lines:
            name = next(ln[7:] for ln in lines if ln.startswith("event: "))
            data = "\n".join(ln[6:] for ln in lines if ln.startswith("data: "))
            events.append((name, json.loads(data)))
    return events


MakeClient = Callable[..., "TestClient"]
"""The ``make_client`` fixture: an in-process app over the session's indexed Assistant."""


def error_body(response: Any) -> dict[str, Any]:
    """The JSON error body of a response, checked for its shape."""
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) >= {"error", "message"}, body
    return body  # type: ignore[no-any-return]


# ---- generated answers through a scripted chat model ---------------------------------------
MIGONE_Q = "How long does the M.I.G.O.N.E. procedure take?"


def scripted(*replies: str) -> Any:
    """A chat model that answers with the given texts in turn (streamed word by word)."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    return GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in replies]))


def with_generator(assistant: Any, model: Any, timeout_s: float = 10.0) -> Any:
    """An Assistant on the same index and embedder that generates its answers with ``model``
    (a remote model service is the one part a test cannot run for real)."""
    from assistant.service import Assistant

    settings = assistant.settings.model_copy(
        update={"generator": "openai", "llm_timeout_s": timeout_s}
    )
    return Assistant(settings, embedder=assistant.embedder, chat_model=model)


def migone_passage(assistant: Any) -> int:
    """The number of the passage that gives the M.I.G.O.N.E. procedure's duration."""
    for i, p in enumerate(assistant.search(MIGONE_Q), start=1):
        if "two to three hours" in p.chunk.text:
            return int(i)
    raise AssertionError("the M.I.G.O.N.E. duration passage was not retrieved")


# ---- UI markup ------------------------------------------------------------------------------
def ui_turns(*answers: Any) -> list[dict[str, Any]]:
    """The UI's stored turns for ``answers`` (core ``Answer`` objects), oldest first."""
    return [
        {
            "turn": i,
            "msg_index": 2 * i - 1,
            "answer_id": f"{i:032x}",
            "answer": a.model_dump(mode="json"),
            "feedback": None,
            "commented": False,
        }
        for i, a in enumerate(answers, start=1)
    ]


def soup(html: str) -> Any:
    """Parsed HTML (BeautifulSoup, the standard library's parser)."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def one(tree: Any, selector: str) -> Any:
    """The one element matching ``selector``; fails when there are none or several."""
    found = tree.select(selector)
    assert len(found) == 1, f"{selector}: {len(found)} elements"
    return found[0]


def reader_text(tag: Any) -> str:
    """What a reader sees: the text without the screen-reader-only additions."""
    copy = soup(str(tag))
    for hidden in copy.select(".sr-only, [hidden]"):
        hidden.decompose()
    return " ".join(copy.get_text().split())


@contextlib.contextmanager
def serving(base: Path) -> Iterator[AppServer]:
    """An `assistant serve` on 127.0.0.1 with its data and log under ``base``, on an index it
    builds itself at start-up; stopped on exit."""
    server = AppServer(base / "data", base / "server.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def open_at_once(
    open_one: Callable[[], Any], workers: int
) -> tuple[list[Any], list[BaseException]]:
    """``open_one()`` called from ``workers`` threads released together: what each opened, and
    the errors raised."""
    start = threading.Barrier(workers)
    errors: list[BaseException] = []
    opened: list[Any] = []

    def run() -> None:
        start.wait()
        try:
            opened.append(open_one())
        except BaseException as exc:  # pragma: no cover - reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return opened, errors
