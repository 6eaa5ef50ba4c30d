"""The real server: `assistant serve` in a subprocess on 127.0.0.1, and a real `chroma run`.

The server processes are in tests/helpers.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import (
    AUTH,
    START_TIMEOUT_S,
    AppServer,
    ChromaServer,
    free_port,
    parse_sse,
    serving,
)

QUESTION = "Does the M.I.G.O.N.E. procedure work?"

pytestmark = [pytest.mark.server, pytest.mark.slow]


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """One `assistant serve` for the module, on an index it builds itself at startup."""
    with serving(tmp_path_factory.mktemp("app-server")) as server:
        yield server


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
    events = parse_sse(text)
    names = [n for n, _ in events]
    assert names[0] == "status" and names[-4:] == ["summary", "citations", "caveat", "answer"]
    assert set(names[1:-4]) == {"delta"}
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
    chroma = ChromaServer(chroma_dir, tmp_path / "chroma.log", chroma_port).start()
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

            chroma = ChromaServer(chroma_dir, tmp_path / "chroma2.log", chroma_port).start()

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
