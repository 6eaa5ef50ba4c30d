"""The staff API in-process (FastAPI TestClient) against a real Assistant and a real audit log."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.server import create_app
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.text import text_pieces
from assistant.types import SourceKind
from tests.helpers import KNOWLEDGE, MakeClient
from tests.helpers import TEST_AUTH as AUTH
from tests.helpers import TEST_KEY as KEY
from tests.helpers import TEST_OTHER_KEY as OTHER_KEY
from tests.helpers import error_body as _error_body

EFFICACY_QUESTION = "Does the M.I.G.O.N.E. procedure work?"

# The fixtures (make_client, client in conftest.py) build an index once per session and load
# the model.
pytestmark = pytest.mark.slow


def _comparable(answer_json: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer_json.items() if k not in ("timings_ms", "answer_id")}


# ---- keys -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/ask", {"question": EFFICACY_QUESTION}),
        ("POST", "/api/v1/search", {"query": "occipital nerve"}),
        ("GET", "/api/v1/sources", None),
        ("GET", "/api/v1/conversations", None),
        ("POST", "/api/v1/feedback", {"answer_id": "x", "helpful": True}),
        ("GET", "/api/v1/unknown", None),
    ],
)
def test_api__refuses_every_request_when_no_keys_are_configured(
    make_client: MakeClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    client = make_client(keys="")
    response = client.request(method, path, json=body, headers=AUTH)
    assert response.status_code == 401
    error = _error_body(response)
    assert error["error"] == "api_disabled"
    assert "ASSISTANT_API_KEYS is not set" in error["message"]


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({}, "Missing API key"),
        ({"Authorization": "Bearer wrong-key"}, "Invalid API key"),
        ({"Authorization": f"Basic {KEY}"}, "Malformed Authorization"),
        ({"Authorization": "Bearer"}, "Malformed Authorization"),
        ({"Authorization": f"Bearer {KEY}x"}, "Invalid API key"),
        ({"Authorization": "Bearer ключ".encode()}, "Invalid API key"),
    ],
)
def test_api__missing_or_wrong_key_is_401_json(
    client: TestClient, headers: dict[str, Any], fragment: str
) -> None:
    response = client.get("/api/v1/sources", headers=headers)
    assert response.status_code == 401
    assert fragment in _error_body(response)["message"]
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_api__a_bad_key_is_refused_before_the_body_is_read(client: TestClient) -> None:
    response = client.post(
        "/api/v1/ask", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 401


def test_api__every_configured_key_is_accepted(client: TestClient) -> None:
    for key in (KEY, OTHER_KEY):
        response = client.get("/api/v1/sources", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200, response.text


def test_probes_and_docs__need_no_key(client: TestClient, built_assistant: Assistant) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "index_version": built_assistant.index_version(),
        "documents": len(built_assistant.sources()),
    }
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    for path in (
        "/api/v1/ask",
        "/api/v1/ask/stream",
        "/api/v1/search",
        "/api/v1/sources",
        "/api/v1/feedback",
        "/api/v1/conversations",
        "/healthz",
        "/readyz",
    ):
        assert path in schema["paths"], path
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"].lower() == "bearer"
    ask_schema = schema["components"]["schemas"]["AskRequest"]
    assert ask_schema["required"] == ["question"]
    assert "answer_id" in schema["components"]["schemas"]["AskResponse"]["properties"]


def test_openapi__source_kind_filter_offers_exactly_the_source_kinds(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    offered = schema["components"]["schemas"]["SourceKind"]["enum"]
    assert sorted(offered) == sorted(k.value for k in SourceKind)


# ---- ask ------------------------------------------------------------------------------------
def test_ask__returns_the_answer_json_with_an_answer_id(
    client: TestClient, built_assistant: Assistant
) -> None:
    response = client.post("/api/v1/ask", json={"question": EFFICACY_QUESTION}, headers=AUTH)

    assert response.status_code == 200, response.text
    body = response.json()
    expected = built_assistant.ask(EFFICACY_QUESTION).model_dump(mode="json")
    assert _comparable(body) == _comparable(expected)
    assert body["citations"], "an efficacy question about a source topic is answered with quotes"
    assert body["caveat"] == expected["caveat"]
    assert isinstance(body["answer_id"], str) and len(body["answer_id"]) == 32


def test_ask__history_is_passed_to_the_service(
    client: TestClient, built_assistant: Assistant
) -> None:
    history = [
        {"role": "user", "content": "What is the M.I.G.O.N.E. procedure?"},
        {"role": "assistant", "content": "It is an occipital nerve decompression."},
    ]
    body = {"question": "How long does it take?", "history": history}
    response = client.post("/api/v1/ask", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    expected = built_assistant.ask("How long does it take?", history)
    assert response.json()["standalone_question"] == expected.standalone_question


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"question": ""}, 422, "empty"),
        ({"question": "   "}, 422, "empty"),
        ({"question": "x" * 2001}, 422, "limit is 2000"),
        ({"question": 42}, 422, "question: Input should be a valid string"),
        ({"question": ["a"]}, 422, "question"),
        ({}, 422, "question: Field required"),
        ({"question": "ok?", "history": "not a list"}, 422, "history"),
        ({"question": "ok?", "history": [{"role": "doctor", "content": "x"}]}, 422, "role"),
        ({"question": "ok?", "history": [{"role": "user"}]}, 422, "history.0.content"),
        (
            {"question": "ok?", "history": [{"role": "user", "content": "q"}] * 41},
            422,
            "the limit is 40",
        ),
        ({"question": "ok?", "colour": "blue"}, 422, "colour: Extra inputs are not permitted"),
        ([1, 2], 422, "Input should be a valid dictionary"),
    ],
)
def test_ask__bad_input_is_a_4xx_json_error_saying_what_is_wrong(
    client: TestClient, body: Any, status: int, fragment: str
) -> None:
    response = client.post("/api/v1/ask", json=body, headers=AUTH)
    assert response.status_code == status, response.text
    assert fragment in _error_body(response)["message"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b'{"question": "unterminated', "not valid JSON"), (b"{'question': 1}", "not valid JSON")],
)
def test_ask__malformed_json_is_400(client: TestClient, content: bytes, fragment: str) -> None:
    headers = {**AUTH, "Content-Type": "application/json"}
    response = client.post("/api/v1/ask", content=content, headers=headers)
    assert response.status_code == 400
    body = _error_body(response)
    assert body["error"] == "invalid_json" and fragment in body["message"]


def test_api__unknown_path_is_404_and_wrong_method_405(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing-here", headers=AUTH)
    assert missing.status_code == 404
    assert _error_body(missing)["error"] == "not_found"
    wrong = client.get("/api/v1/ask", headers=AUTH)
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "POST"
    assert "use POST" in _error_body(wrong)["message"]


# ---- streaming ------------------------------------------------------------------------------
def _events(response: Any) -> list[tuple[str | None, Any]]:
    events: list[tuple[str | None, Any]] = []
    for block in response.text.split("\n\n"):
        if not block.strip():
            continue
        name: str | None = None
        data: list[str] = []
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                data.append(line[len("data: ") :])
        events.append((name, json.loads("\n".join(data))))
    return events


def test_ask_stream__text_in_pieces_then_citations_and_caveat_before_the_answer(
    client: TestClient, built_assistant: Assistant
) -> None:
    with client.stream(
        "POST", "/api/v1/ask/stream", json={"question": EFFICACY_QUESTION}, headers=AUTH
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        response.read()
    events = _events(response)
    names = [name for name, _ in events]

    assert names[0] == "status"
    deltas = [data["text"] for name, data in events if name == "delta"]
    assert len(deltas) > 3, "the text arrives in several pieces"
    assert names[1 : 1 + len(deltas)] == ["delta"] * len(deltas)
    assert names[1 + len(deltas) :] == ["summary", "citations", "caveat", "answer"]

    final = events[-1][1]
    expected = built_assistant.ask(EFFICACY_QUESTION).model_dump(mode="json")
    assert _comparable(final) == _comparable(expected)
    assert "".join(deltas) == final["answer"]
    assert events[-3][1]["citations"] == final["citations"]
    assert events[-2][1]["caveat"] == final["caveat"] == expected["caveat"]
    summary = events[-4][1]
    assert summary == {"summary": final["summary"], "language": "en"}
    assert str(final["summary"]).startswith("Short answer:")
    assert events[0][1] == {"status": final["status"], "answer_id": final["answer_id"]}


def test_ask_stream__bad_input_is_a_json_error_not_a_stream(client: TestClient) -> None:
    response = client.post("/api/v1/ask/stream", json={"question": ""}, headers=AUTH)
    assert response.status_code == 422
    assert "empty" in _error_body(response)["message"]


@pytest.mark.parametrize(
    "text", ["", "one", "The clinic states: “x” [1]\n\nSecond  paragraph.  ", "  lead and tail  "]
)
def test_text_pieces__join_back_to_the_text(text: str) -> None:
    assert "".join(text_pieces(text)) == text


# ---- search and sources ---------------------------------------------------------------------
def test_search__returns_ranked_passages(client: TestClient, built_assistant: Assistant) -> None:
    response = client.post(
        "/api/v1/search", json={"query": "occipital nerve decompression", "k": 4}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    passages = response.json()["passages"]
    expected = built_assistant.search("occipital nerve decompression", 4)
    assert [p["chunk_id"] for p in passages] == [p.chunk.chunk_id for p in expected]
    assert [p["rank"] for p in passages] == [1, 2, 3, 4]
    scores = [p["score"] for p in passages]
    assert scores == sorted(scores, reverse=True)
    first = passages[0]
    assert set(first) >= {
        "doc_id",
        "title",
        "url",
        "source_kind",
        "chunk_id",
        "text",
        "score",
        "rank",
    }
    assert first["text"] == expected[0].chunk.text


@pytest.mark.parametrize("kinds", ["clinic-marketing", ["curated-evidence", "reference"]])
def test_search__filters_by_source_kind(client: TestClient, kinds: str | list[str]) -> None:
    body = {"query": "migraine surgery", "k": 5, "source_kind": kinds}
    response = client.post("/api/v1/search", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    wanted = {kinds} if isinstance(kinds, str) else set(kinds)
    found = {p["source_kind"] for p in response.json()["passages"]}
    assert found and found <= wanted


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"query": "x", "k": 0}, "k: Input should be greater than or equal to 1"),
        ({"query": "x", "k": "5"}, "k: Input should be a valid integer"),
        ({"query": "x", "source_kind": "tabloid"}, "source_kind"),
        ({"query": ""}, "empty"),
        ({"k": 3}, "query: Field required"),
    ],
)
def test_search__bad_input_is_422(client: TestClient, body: dict[str, Any], fragment: str) -> None:
    response = client.post("/api/v1/search", json=body, headers=AUTH)
    assert response.status_code == 422, response.text
    assert fragment in _error_body(response)["message"]


def test_sources__documents_with_metadata_chunk_counts_and_index_version(
    client: TestClient, built_assistant: Assistant
) -> None:
    response = client.get("/api/v1/sources", headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["index_version"] == built_assistant.index_version() >= 1
    docs = {d["doc_id"]: d for d in body["documents"]}
    assert docs == {d.doc_id: d.model_dump(mode="json") for d in built_assistant.sources()}
    assert docs["migone-procedure-clinic"]["source_kind"] == "clinic-marketing"
    assert docs["migone-procedure-clinic"]["url"].startswith("https://")
    assert all(d["chunk_count"] > 0 for d in docs.values())


# ---- feedback and conversations -------------------------------------------------------------
def _ask(client: TestClient, question: str = EFFICACY_QUESTION) -> dict[str, Any]:
    response = client.post("/api/v1/ask", json={"question": question}, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_feedback__is_stored_with_its_answer(client: TestClient) -> None:
    answer = _ask(client)
    response = client.post(
        "/api/v1/feedback",
        json={"answer_id": answer["answer_id"], "helpful": False, "reason": "Too long"},
        headers=AUTH,
    )
    assert response.status_code == 201, response.text
    assert response.json()["helpful"] is False
    also = client.post(
        "/api/v1/feedback", json={"entry_id": answer["answer_id"], "helpful": True}, headers=AUTH
    )
    assert also.status_code == 201, also.text

    entries = client.get("/api/v1/conversations", headers=AUTH).json()["items"]
    [entry] = [e for e in entries if e["id"] == answer["answer_id"]]
    assert [(f["helpful"], f["reason"]) for f in entry["feedback"]] == [
        (False, "Too long"),
        (True, None),
    ]
    assert all(f["interface"] == "api" for f in entry["feedback"])


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"answer_id": "0" * 32, "helpful": True}, 404, "No answer with id"),
        ({"answer_id": "abc", "helpful": "yes"}, 422, "helpful: Input should be a valid boolean"),
        ({"helpful": True}, 422, "answer_id: Field required"),
        ({"answer_id": "abc", "helpful": True, "reason": "x" * 2001}, 422, "reason"),
    ],
)
def test_feedback__bad_input(
    client: TestClient, body: dict[str, Any], status: int, fragment: str
) -> None:
    response = client.post("/api/v1/feedback", json=body, headers=AUTH)
    assert response.status_code == status, response.text
    assert fragment in _error_body(response)["message"]


def test_conversations__each_answer_is_logged(client: TestClient) -> None:
    answer = _ask(client)
    page = client.get("/api/v1/conversations", headers=AUTH).json()
    assert page["total"] == 1
    [entry] = page["items"]
    assert entry["id"] == answer["answer_id"]
    assert entry["interface"] == "api"
    assert entry["client"].startswith("key-") and KEY not in entry["client"]
    assert entry["question"] == EFFICACY_QUESTION
    assert entry["standalone_question"] == answer["standalone_question"]
    assert entry["status"] == answer["status"]
    assert entry["answer"] == answer["answer"]
    assert entry["citations"] == answer["citations"]
    assert entry["caveat"] == answer["caveat"]
    assert entry["index_version"] == answer["index_version"]
    assert entry["generator"] == answer["generator"]
    assert entry["prompt_version"] == answer["prompt_version"]
    assert entry["latency_ms"] > 0
    created = datetime.fromisoformat(entry["created_at"])
    assert created.tzinfo is not None
    assert abs(created - datetime.now(UTC)) < timedelta(minutes=5)


def test_conversations__questions_not_stored_when_disabled(make_client: MakeClient) -> None:
    client = make_client(audit_store_questions=False)
    _ask(client)
    [entry] = client.get("/api/v1/conversations", headers=AUTH).json()["items"]
    assert entry["question"] is None and entry["standalone_question"] is None
    assert entry["answer"]


def test_conversations__paging_and_time_filter(
    client: TestClient, built_assistant: Assistant
) -> None:
    audit = client.app.state.backend.audit  # type: ignore[attr-defined]
    answer = built_assistant.ask(EFFICACY_QUESTION)
    now = datetime.now(UTC).replace(microsecond=0)
    ids = [audit.record(answer, "ui", 1.0, now=now - timedelta(days=d)) for d in (5, 4, 3, 2, 1)]

    def get(**params: Any) -> dict[str, Any]:
        response = client.get("/api/v1/conversations", params=params, headers=AUTH)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    first, second = get(limit=3, offset=0), get(limit=3, offset=3)
    assert first["total"] == second["total"] == 5
    assert [e["id"] for e in first["items"] + second["items"]] == ids[::-1]
    assert (first["limit"], second["offset"]) == (3, 3)

    window = get(
        since=(now - timedelta(days=4)).isoformat(), until=(now - timedelta(days=2)).isoformat()
    )
    assert [e["id"] for e in window["items"]] == [ids[2], ids[1]]
    assert window["total"] == 2
    naive = get(since=(now - timedelta(days=1, minutes=1)).replace(tzinfo=None).isoformat())
    assert [e["id"] for e in naive["items"]] == [ids[4]], "a time without offset is UTC"


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"offset": -1}, "offset"),
        ({"since": "yesterday"}, "since"),
        ({"limit": "ten"}, "limit"),
    ],
)
def test_conversations__bad_parameters_are_422(
    client: TestClient, params: dict[str, Any], fragment: str
) -> None:
    response = client.get("/api/v1/conversations", params=params, headers=AUTH)
    assert response.status_code == 422
    assert fragment in _error_body(response)["message"]


# ---- rate limit -----------------------------------------------------------------------------
def test_rate_limit__per_key_429_with_retry_after(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(rate_limit_per_minute=3)
    clock = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])  # the limits' clock, stepped by hand

    for _ in range(3):
        assert client.get("/api/v1/sources", headers=AUTH).status_code == 200
    clock[0] += 20
    limited = client.get("/api/v1/sources", headers=AUTH)
    assert limited.status_code == 429
    assert _error_body(limited)["error"] == "rate_limited"
    assert "3 per minute" in _error_body(limited)["message"]
    assert limited.headers["retry-after"] == "40"

    other = client.get("/api/v1/sources", headers={"Authorization": f"Bearer {OTHER_KEY}"})
    assert other.status_code == 200, "each key has its own budget"

    clock[0] += 39
    assert client.get("/api/v1/sources", headers=AUTH).status_code == 429, "refusals not counted"
    clock[0] += 2
    assert client.get("/api/v1/sources", headers=AUTH).status_code == 200


# ---- the index unavailable ------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_vector_store__is_503_json(
    make_client: MakeClient, make_assistant: Callable[..., Assistant]
) -> None:
    assistant = make_assistant(chroma_host="127.0.0.1", chroma_port=_closed_port())
    client = make_client(assistant=assistant)

    asked = client.post("/api/v1/ask", json={"question": EFFICACY_QUESTION}, headers=AUTH)
    assert asked.status_code == 503
    assert _error_body(asked)["error"] == "index_unavailable"
    assert asked.headers["retry-after"]
    searched = client.post("/api/v1/search", json={"query": "nerve"}, headers=AUTH)
    assert searched.status_code == 503
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert _error_body(ready)["error"] in ("index_missing", "index_unavailable")
    assert client.get("/healthz").status_code == 200


# ---- with the UI mounted --------------------------------------------------------------------
def test_app_with_ui__serves_the_page_at_root_and_the_api_beside_it(
    make_client: MakeClient,
) -> None:
    client = make_client(ui=True)
    page = client.get("/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "Migraine surgery information assistant" in page.text
    assert client.get("/api/v1/sources").status_code == 401
    assert client.get("/api/v1/sources", headers=AUTH).status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/api/v1/nowhere", headers=AUTH).status_code == 404


# ---- app factory and command line ----------------------------------------------------------
def test_create_app__loads_nothing_heavy_until_the_lifespan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.service as service_module

    loaded: list[Settings] = []
    real_make_embedder = service_module.make_embedder

    def counted_make_embedder(settings: Settings) -> Any:
        loaded.append(settings)
        return real_make_embedder(settings)

    monkeypatch.setattr(service_module, "make_embedder", counted_make_embedder)
    settings = Settings(knowledge_dir=KNOWLEDGE, data_dir=tmp_path / "data", api_keys=KEY)
    app = create_app(settings=settings, ui=False)
    assert not loaded, "creating the app loads no model"
    assert not app.state.backend.has_audit
    with TestClient(app) as client:
        assert len(loaded) == 1, "the lifespan warms the model up, once"
        assert app.state.backend.has_audit
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert _error_body(ready)["error"] == "index_missing"
    assert (tmp_path / "data" / "audit.sqlite3").exists()


def test_serve_command__rejects_a_bad_worker_count(capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.server import main

    assert main(["--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err
