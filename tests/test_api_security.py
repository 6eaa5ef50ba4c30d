"""The staff API under hostile or unlucky conditions: leaked configuration, key guessing, input
that is not well-formed, sizes beyond every limit, a full disk, clients that hang up early.

In-process (FastAPI TestClient over the real app, real Assistant, real SQLite audit log), and
one test against a real `assistant serve` on 127.0.0.1.
"""

from __future__ import annotations

import errno
import hashlib
import json
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from assistant.audit import AuditLog, is_storage_full
from assistant.audited import AuditedAssistant
from assistant.cli import main as cli_main
from assistant.errors import InvalidQuestionError, StorageFullError
from assistant.keys import KeyRing, parse_key_hashes
from assistant.server import create_app
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.types import StreamStatus
from tests.helpers import API_KEY, KNOWLEDGE, AppServer, MakeClient
from tests.helpers import AUTH as SERVER_AUTH
from tests.helpers import TEST_AUTH as AUTH
from tests.helpers import TEST_KEY as KEY
from tests.helpers import error_body as _error_body
from tests.openai_stub import read_body, send_reply
from tests.test_api import EFFICACY_QUESTION

pytestmark = pytest.mark.slow


def _raw(client: TestClient, path: str, body: str) -> Any:
    """POST a JSON text as is (httpx would refuse to encode a lone surrogate itself)."""
    headers = {**AUTH, "Content-Type": "application/json"}
    return client.post(path, content=body.encode("utf-8"), headers=headers)


def _entry_line(text: str) -> str:
    [line] = [ln for ln in text.splitlines() if ln.startswith("ASSISTANT_API_KEY_HASHES=")]
    return line.split("=", 1)[1]


# ---- 1. hashed keys -------------------------------------------------------------------------
def test_hash_key__a_hashed_key_is_accepted_and_its_digest_is_not_a_key(
    make_client: MakeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["hash-key", "--name", "ops-desk", KEY]) == 0
    entry = _entry_line(capsys.readouterr().out)
    digest = hashlib.sha256(KEY.encode()).hexdigest()
    assert entry == f"ops-desk:{digest}"

    client = make_client(keys="", api_key_hashes=f"  {entry} , {'b' * 64}")
    assert client.get("/api/v1/sources", headers=AUTH).status_code == 200
    # Someone who reads the configuration holds only the digest: it is not a key.
    for leaked in (digest, entry, digest.upper()):
        refused = client.get("/api/v1/sources", headers={"Authorization": f"Bearer {leaked}"})
        assert refused.status_code == 401
        assert _error_body(refused)["message"] == "Invalid API key."

    answer = client.post("/api/v1/ask", json={"question": EFFICACY_QUESTION}, headers=AUTH)
    assert answer.status_code == 200, answer.text
    [logged] = client.get("/api/v1/conversations", headers=AUTH).json()["items"]
    assert logged["client"] == f"ops-desk/key-{digest[:12]}"
    assert KEY not in logged["client"]


def test_hash_key__with_no_key_generates_one_and_prints_its_digest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli_main(["hash-key"]) == 0
    out = capsys.readouterr().out
    [key] = re.findall(r"^API key: (\S+)$", out, flags=re.M)
    assert len(key) >= 43, "32 random bytes, URL-safe"
    assert _entry_line(out) == hashlib.sha256(key.encode()).hexdigest()
    assert cli_main(["hash-key"]) == 0
    assert key not in capsys.readouterr().out, "a new key each time"


def test_hash_key__refuses_an_empty_key_and_a_bad_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli_main(["hash-key", "  "]) == 2
    assert "empty" in capsys.readouterr().err
    assert cli_main(["hash-key", "--name", "a b:c", KEY]) == 2
    assert "--name" in capsys.readouterr().err


def test_plain_and_hashed_keys__are_accepted_side_by_side_unnamed_is_a_fingerprint(
    make_client: MakeClient,
) -> None:
    hashed_key = "hashed-key-5555555555"
    client = make_client(keys=KEY, api_key_hashes=hashlib.sha256(hashed_key.encode()).hexdigest())
    for key in (KEY, hashed_key):
        headers = {"Authorization": f"Bearer {key}"}
        assert client.get("/api/v1/sources", headers=headers).status_code == 200
        asked = client.post("/api/v1/ask", json={"question": EFFICACY_QUESTION}, headers=headers)
        assert asked.status_code == 200, asked.text
    clients = {
        e["client"] for e in client.get("/api/v1/conversations", headers=AUTH).json()["items"]
    }
    assert clients == {
        "key-" + hashlib.sha256(k.encode()).hexdigest()[:12] for k in (KEY, hashed_key)
    }


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("abc", "entry 1 is not a SHA-256 hex digest"),
        (f"{'a' * 64},{'g' * 64}", "entry 2 is not a SHA-256 hex digest"),
        (f"{'a' * 63}", "entry 1"),
        (f"bad name:{'a' * 64}", "the name of entry 1"),
    ],
)
def test_key_hashes__a_malformed_entry_stops_the_app_from_starting(
    tmp_path: Path, spec: str, fragment: str
) -> None:
    settings = Settings(knowledge_dir=KNOWLEDGE, data_dir=tmp_path / "d", api_key_hashes=spec)
    with pytest.raises(ValueError, match=fragment):
        create_app(settings=settings, ui=False)


def test_key_ring__hashes_once_and_compares_with_every_digest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import assistant.keys as keys

    ring = KeyRing(["k1", "k2"], parse_key_hashes(f"n:{keys.hash_key('k3')},{'c' * 64}"))
    compared: list[bytes] = []
    hashed: list[bytes] = []
    real_compare, real_sha = keys.hmac.compare_digest, keys.hashlib.sha256

    def compare(a: bytes, b: bytes) -> bool:
        compared.append(b)
        return real_compare(a, b)

    def sha(data: bytes = b"") -> Any:
        hashed.append(data)
        return real_sha(data)

    monkeypatch.setattr(keys.hmac, "compare_digest", compare)
    monkeypatch.setattr(keys.hashlib, "sha256", sha)
    for token, expected in ((b"k1", True), (b"k3", True), (b"nope", False)):
        compared.clear()
        hashed.clear()
        assert (ring.match(token) is not None) is expected
        assert len(compared) == 4, "every digest is compared, whichever matched"
        assert hashed == [token], "the token is hashed once"
    assert ring.match(b"k3") == f"n/key-{keys.hash_key('k3')[:12]}"


# ---- 2. failed authentication is slowed down ------------------------------------------------
def test_failed_auth__after_n_failures_the_address_waits_even_with_a_good_key(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(auth_failures_before_delay=3)
    clock = [5_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])  # the limits' clock, stepped by hand

    # A missing header is not a guess; it does not count.
    for _ in range(5):
        assert client.get("/api/v1/sources").status_code == 401
    assert client.get("/api/v1/sources", headers=AUTH).status_code == 200

    for i in range(3):
        # Each guess claims another origin: X-Forwarded-For is not believed.
        wrong = {"Authorization": f"Bearer guess-{i}", "X-Forwarded-For": f"10.9.8.{i}"}
        assert client.get("/api/v1/sources", headers=wrong).status_code == 401
        clock[0] += 10

    for headers in (AUTH, {"Authorization": "Bearer guess-4"}):
        waited = client.post("/api/v1/ask", json={"question": EFFICACY_QUESTION}, headers=headers)
        assert waited.status_code == 429
        body = _error_body(waited)
        assert body["error"] == "too_many_failed_attempts"
        assert "3" in body["message"]
        assert waited.headers["retry-after"] == "30", "until the first failure is a minute old"

    other = TestClient(client.app, client=("192.0.2.7", 40000))
    assert other.get("/api/v1/sources", headers=AUTH).status_code == 200, "other addresses are not"

    clock[0] += 29
    assert client.get("/api/v1/sources", headers=AUTH).status_code == 429
    clock[0] += 1
    assert client.get("/api/v1/sources", headers=AUTH).status_code == 200


# ---- 3. no 500 from any input -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        ("/api/v1/ask", '{"question": "\\ud800 is it safe?"}', "question"),
        (
            "/api/v1/ask",
            '{"question": "ok?", "history": [{"role": "user", "content": "a\\udfff"}]}',
            "history.0.content",
        ),
        ("/api/v1/ask/stream", '{"question": "why\\udc80"}', "question"),
        ("/api/v1/search", '{"query": "nerve \\ud800"}', "query"),
        ("/api/v1/feedback", '{"answer_id": "\\ud800", "helpful": true}', "answer_id"),
        ("/api/v1/feedback", '{"entry_id": "\\ud800", "helpful": true}', "entry_id"),
        (
            "/api/v1/feedback",
            '{"answer_id": "abc", "helpful": false, "reason": "\\udbff too long"}',
            "reason",
        ),
    ],
)
def test_lone_surrogates__are_a_422_naming_the_field(
    client: TestClient, path: str, body: str, where: str
) -> None:
    response = _raw(client, path, body)
    assert response.status_code == 422, response.text
    message = _error_body(response)["message"]
    assert message.startswith(f"{where}:") and "lone surrogate" in message, message


def test_lone_surrogate__in_a_field_name_is_a_422_with_an_encodable_message(
    client: TestClient,
) -> None:
    response = _raw(client, "/api/v1/ask", '{"question": "ok?", "\\ud800x": 1}')
    assert response.status_code == 422
    assert "lone surrogate" in _error_body(response)["message"]
    assert response.json()["details"][0]["type"] == "string_unicode"


def test_service__refuses_lone_surrogates_for_the_cli_and_the_ui_too(
    built_assistant: Assistant,
) -> None:
    with pytest.raises(InvalidQuestionError, match="lone surrogate"):
        built_assistant.validate("x\ud800", None)
    with pytest.raises(InvalidQuestionError, match=r"History turn 1 .*lone surrogate"):
        built_assistant.validate(
            "ok?", [{"role": "user", "content": "a"}, {"role": "assistant", "content": "\udfff"}]
        )
    with pytest.raises(InvalidQuestionError, match="lone surrogate"):
        built_assistant.search("nerve\ud800")


def test_history__total_characters_are_bounded_in_the_service(tmp_path: Path) -> None:
    assistant = Assistant(
        Settings(knowledge_dir=KNOWLEDGE, data_dir=tmp_path, max_history_chars=10)
    )
    five = {"role": "user", "content": "12345"}
    assert len(assistant.validate("ok?", [five, five])) == 2
    with pytest.raises(InvalidQuestionError, match="11 characters in all; the limit is 10"):
        assistant.validate("ok?", [five, five, {"role": "assistant", "content": "x"}])


def test_history__over_max_history_chars_is_a_422_naming_the_limit(
    make_client: MakeClient, built_assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The service checks the history (for the CLI and the UI too), with its own settings.
    limited = built_assistant.settings.model_copy(update={"max_history_chars": 100})
    monkeypatch.setattr(built_assistant, "settings", limited)
    client = make_client(max_history_chars=100)
    fits = [{"role": "user", "content": "a" * 50}, {"role": "assistant", "content": "b" * 50}]
    ok = client.post(
        "/api/v1/ask", json={"question": "How long does it take?", "history": fits}, headers=AUTH
    )
    assert ok.status_code == 200, ok.text
    over = [*fits, {"role": "user", "content": "c"}]
    for path in ("/api/v1/ask", "/api/v1/ask/stream"):
        refused = client.post(path, json={"question": "How long?", "history": over}, headers=AUTH)
        assert refused.status_code == 422, refused.text
        assert "the limit is 100" in _error_body(refused)["message"]


def test_body__larger_than_any_request_needs_is_a_413_json(make_client: MakeClient) -> None:
    client = make_client(max_history_chars=100, max_question_chars=100, max_history_turns=2)
    limit = 65536 + 12 * (100 + 100 + 2000) + 64 * 2
    big = json.dumps({"question": "x" * (limit + 10)}).encode()
    headers = {**AUTH, "Content-Type": "application/json"}

    declared = client.post("/api/v1/ask", content=big, headers=headers)
    assert declared.status_code == 413
    assert f"larger than {limit} bytes" in _error_body(declared)["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for i in range(0, len(big), 8192):
            yield big[i : i + 8192]

    streamed = client.post("/api/v1/ask", content=chunks(), headers=headers)
    assert streamed.status_code == 413
    assert _error_body(streamed)["error"] == "too_large"

    within = client.post("/api/v1/ask", json={"question": " " * 1000}, headers=AUTH)
    assert within.status_code == 422, "a body within the limit is read and validated"
    assert "empty" in _error_body(within)["message"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"offset": 10**9}, 200),
        ({"offset": 10**9 + 1}, 422),
        ({"offset": 2**63}, 422),
        ({"offset": 10**30}, 422),
        ({"limit": 2**64}, 422),
        ({"since": "9999-12-31T23:59:59-14:00"}, 200),
        ({"until": "9999-12-31T23:59:59-14:00"}, 200),
        ({"since": "0001-01-01T00:00:00+14:00"}, 200),
        ({"until": "0001-01-01T00:00:00+14:00"}, 200),
        ({"since": "0001-01-01T00:00:00+14:00", "until": "9999-12-31T23:59:59.999999-14:00"}, 200),
        ({"since": "99999999999999999999"}, 422),
        ({"since": "2026-13-45T99:99:99"}, 422),
    ],
)
def test_conversations__extreme_parameters_are_clamped_or_a_422(
    client: TestClient, params: dict[str, Any], status: int
) -> None:
    response = client.get("/api/v1/conversations", params=params, headers=AUTH)
    assert response.status_code == status, response.text
    if status != 200:
        _error_body(response)


def test_conversations__clamped_times_still_select_the_right_entries(client: TestClient) -> None:
    answer = client.post("/api/v1/ask", json={"question": EFFICACY_QUESTION}, headers=AUTH)
    answer_id = answer.json()["answer_id"]

    def ids(**params: str) -> list[str]:
        page = client.get("/api/v1/conversations", params=params, headers=AUTH)
        assert page.status_code == 200, page.text
        return [e["id"] for e in page.json()["items"]]

    assert ids(since="0001-01-01T00:00:00+14:00") == [answer_id]
    assert ids(until="9999-12-31T23:59:59-14:00") == [answer_id]
    assert ids(since="9999-12-31T23:59:59-14:00") == []
    assert ids(until="0001-01-01T00:00:00+14:00") == []


def test_unexpected_error__is_a_json_500_that_closes_the_connection(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = client.app.state.backend.audit  # type: ignore[attr-defined]

    def broken(*_args: Any, **_kw: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(audit, "entries", broken)
    lenient = TestClient(client.app, raise_server_exceptions=False)
    response = lenient.get("/api/v1/conversations", headers=AUTH)
    assert response.status_code == 500
    assert response.headers["connection"] == "close"
    assert _error_body(response)["error"] == "internal_error"
    assert "a bug" not in response.text


def _fill_up(audit: AuditLog, answer_id: str, reason: str) -> None:
    """Make the audit database really full: SQLite's max_page_count at its current size on
    every connection, then feedback rows until one no longer fits."""

    @event.listens_for(audit.engine, "connect")
    def _cap(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {int(pages)}")
        cursor.close()

    audit.engine.dispose()
    for _ in range(200):
        try:
            audit.add_feedback(answer_id, True, reason, "api")
        except StorageFullError as exc:
            cause = exc.__cause__
            assert cause is not None and isinstance(getattr(cause, "orig", None), sqlite3.Error)
            assert "database or disk is full" in str(cause)
            return
    pytest.fail("the audit database never filled up")


def test_full_disk__answers_and_feedback_are_503_with_retry_after(client: TestClient) -> None:
    asked = client.post("/api/v1/ask", json={"question": EFFICACY_QUESTION}, headers=AUTH)
    answer_id = asked.json()["answer_id"]
    reason = "r" * 2000
    _fill_up(client.app.state.backend.audit, answer_id, reason)  # type: ignore[attr-defined]

    feedback = client.post(
        "/api/v1/feedback",
        json={"answer_id": answer_id, "helpful": False, "reason": reason},
        headers=AUTH,
    )
    # A question long enough that its log entry needs pages of its own.
    long_question = EFFICACY_QUESTION + " Please explain in detail." * 70
    ask = client.post("/api/v1/ask", json={"question": long_question[:2000]}, headers=AUTH)
    for response in (feedback, ask):
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"]
        body = _error_body(response)
        assert body["error"] == "storage_full"
        assert "disk" in body["message"]
    assert client.get("/api/v1/sources", headers=AUTH).status_code == 200, "reading still works"

    # A stream has begun when its entry is written: it ends with an error, not its answer.
    streamed = client.post(
        "/api/v1/ask/stream", json={"question": long_question[:2000]}, headers=AUTH
    )
    assert streamed.status_code == 200
    events = [
        (block.split("\n")[0], block.split("\n")[1])
        for block in streamed.text.strip().split("\n\n")
    ]
    assert events[0][0] == "event: status"
    assert "event: answer" not in {name for name, _ in events}
    name, data = events[-1]
    assert name == "event: error" and json.loads(data[6:])["error"] == "storage_full"


def test_full_disk__enospc_on_a_feedback_write_is_503(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = client.app.state.backend.audit  # type: ignore[attr-defined]

    def no_space(*_args: Any, **_kw: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(audit.engine, "begin", no_space)
    response = client.post(
        "/api/v1/feedback", json={"answer_id": "0" * 32, "helpful": True}, headers=AUTH
    )
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"]
    assert _error_body(response)["error"] == "storage_full"


def test_is_storage_full__recognises_the_errors_of_a_full_disk() -> None:
    assert is_storage_full(OSError(errno.ENOSPC, "No space left on device"))
    assert is_storage_full(sqlite3.OperationalError("database or disk is full"))
    try:
        try:
            raise OSError(errno.ENOSPC, "full")
        except OSError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert is_storage_full(outer)
    assert not is_storage_full(sqlite3.OperationalError("database is locked"))
    assert not is_storage_full(OSError(errno.EACCES, "denied"))


# ---- 4. nothing served goes unlogged --------------------------------------------------------
def _poll(check: Any, attempts: int = 120, pause: float = 0.25) -> Any:
    """``check()`` until it returns something truthy, a bounded number of times."""
    for _ in range(attempts):
        result = check()
        if result:
            return result
        time.sleep(pause)
    return None


def test_audited_stream__is_recorded_even_when_the_reader_stops_after_the_first_event(
    built_assistant: Assistant, tmp_path: Path
) -> None:
    audit = AuditLog(f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    backend = AuditedAssistant(built_assistant, audit)
    try:
        events = backend.ask_stream(EFFICACY_QUESTION, [], "ui")
        status = next(events)
        events.close()  # the UI's browser tab was closed
        assert isinstance(status, StreamStatus)
        answer_id = status.answer_id
        assert answer_id

        def logged() -> list[dict[str, Any]]:
            return [e for e in audit.entries()[0] if e["id"] == answer_id]

        [entry] = _poll(logged) or [None]
        assert entry is not None, "the answer was never logged"
        assert entry["interface"] == "ui" and entry["answer"]
    finally:
        audit.close()


MIGONE_Q = "How long does the M.I.G.O.N.E. procedure take?"


class _HeldLLM(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that holds its reply until the test opens the gate."""

    gate = threading.Event()
    reply = "The M.I.G.O.N.E. procedure takes approximately two to three hours [1]."

    def do_POST(self) -> None:
        send_reply(self, read_body(self), self.reply, lambda i: self.gate if i == 0 else None)

    def log_message(self, *args: Any) -> None:
        pass


def _first_event_then_hang_up(port: int, question: str) -> str:
    """POST /api/v1/ask/stream on a raw connection, read up to the first event's answer_id,
    then close the connection."""
    payload = json.dumps({"question": question}).encode()
    head = (
        f"POST /api/v1/ask/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {API_KEY}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode()
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        sock.sendall(head + payload)
        while not (found := re.search(rb'"answer_id": ?"([0-9a-f]{32})"', received)):
            chunk = sock.recv(4096)
            assert chunk, f"the server closed the stream early: {received!r}"
            received += chunk
        assert received.startswith(b"HTTP/1.1 200"), received
        assert b"event: status" in received
    return found.group(1).decode()


@pytest.mark.server
def test_server__a_stream_the_client_hangs_up_on_is_still_logged(tmp_path: Path) -> None:
    _HeldLLM.gate = threading.Event()
    llm = ThreadingHTTPServer(("127.0.0.1", 0), _HeldLLM)
    threading.Thread(target=llm.serve_forever, daemon=True).start()
    server = AppServer(
        tmp_path / "data",
        tmp_path / "server.log",
        ASSISTANT_GENERATOR="openai",
        ASSISTANT_LLM_BASE_URL=f"http://127.0.0.1:{llm.server_address[1]}/v1",
        ASSISTANT_LLM_MODEL="scripted",
        ASSISTANT_LLM_TIMEOUT_S="90",
        ASSISTANT_RATE_LIMIT_PER_MINUTE="1000",
    )
    try:
        server.start()
        answer_id = _first_event_then_hang_up(server.port, MIGONE_Q)
        # The model is still held, so the answer is not composed yet. Give the server a moment
        # to see the hang-up first (before the fix, that dropped the answer unlogged); what is
        # checked below does not depend on this pause.
        time.sleep(1.0)
        _HeldLLM.gate.set()
        with httpx.Client(base_url=server.url, timeout=30, headers=SERVER_AUTH) as http:

            def feedback() -> httpx.Response | None:
                r = http.post("/api/v1/feedback", json={"answer_id": answer_id, "helpful": True})
                assert r.status_code in (201, 404), r.text
                return r if r.status_code == 201 else None

            stored = _poll(feedback)
            assert stored is not None, f"the answer was never logged:\n{server.log_tail()}"
            items = http.get("/api/v1/conversations").json()["items"]
            [entry] = [e for e in items if e["id"] == answer_id]
            assert entry["question"] == MIGONE_Q and entry["answer"]
            assert [f["helpful"] for f in entry["feedback"]] == [True]
    finally:
        _HeldLLM.gate.set()
        server.stop()
        llm.shutdown()
        llm.server_close()
