"""Streamed answers: the status first, verified sentences while the model is still writing,
the final answer authoritative (fallbacks supersede what was sent), errors before any event.

Service level (``Assistant.ask_stream``) and the SSE endpoint, with scripted chat models.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from assistant.errors import InvalidQuestionError
from assistant.guardrails.triage import EMERGENCY_MESSAGE
from assistant.server import create_app
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.types import Answer, StreamStatus
from tests.helpers import MIGONE_Q, migone_passage, parse_sse, scripted, with_generator

pytestmark = pytest.mark.slow

KEY = "stream-test-key-0123"
AUTH = {"Authorization": f"Bearer {KEY}"}
KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
EMERGENCY_Q = (
    "I suddenly have the worst headache of my life, my face is drooping and I cannot speak"
)


@pytest.fixture
def fresh(make_assistant: Any, built_assistant: Assistant) -> Assistant:
    return make_assistant(data_dir=built_assistant.settings.data_dir)  # type: ignore[no-any-return]


def _split(events: list[Any]) -> tuple[list[StreamStatus], list[str], Answer]:
    statuses = [e for e in events if isinstance(e, StreamStatus)]
    pieces = [e for e in events if isinstance(e, str)]
    assert isinstance(events[-1], Answer)
    return statuses, pieces, events[-1]


def _good(n: int) -> str:
    return (
        f"The M.I.G.O.N.E. procedure takes approximately two to three hours [{n}]. "
        f"It is generally performed as an outpatient procedure [{n}]."
    )


def test_ask_stream__status_first_then_only_verified_sentences(fresh: Assistant) -> None:
    n = migone_passage(fresh)
    reply = (
        f"The M.I.G.O.N.E. procedure takes approximately two to three hours [{n}]. "
        f"It cures 95% of patients [{n}]. "
        f"It is generally performed as an outpatient procedure [{n}]."
    )
    events = list(with_generator(fresh, scripted(reply)).ask_stream(MIGONE_Q))
    statuses, pieces, answer = _split(events)

    assert events[0] == StreamStatus(status="answered")
    assert len(statuses) == 1
    assert len(pieces) == 2 and not any("95%" in p for p in pieces)
    assert answer.generator == "openai"
    assert "".join(pieces) == answer.answer  # nothing sent that the answer does not contain


class GatedModel(GenericFakeChatModel):
    """Writes its first sentence and the first word of the next (a sentence is complete once
    the next one starts), then waits until the reader has seen the first (or 10 s)."""

    gate: Any = None
    seen_in_time: Any = None

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        words = str(getattr(next(self.messages), "content", "")).split(" ")
        cut = next(i for i, w in enumerate(words) if w.endswith("].")) + 2
        for word in words[:cut]:
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))
        self.seen_in_time.append(self.gate.wait(10))
        for word in words[cut:]:
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))


def test_ask_stream__a_sentence_arrives_while_the_model_is_still_writing(
    fresh: Assistant,
) -> None:
    n = migone_passage(fresh)
    gate = threading.Event()
    model = GatedModel(messages=iter([AIMessage(content=_good(n))]), gate=gate, seen_in_time=[])
    pieces: list[str] = []
    answer = None
    for event in with_generator(fresh, model, timeout_s=30).ask_stream(MIGONE_Q):
        if isinstance(event, str):
            pieces.append(event)
            gate.set()  # the model is still waiting here: its second sentence is not written
        elif isinstance(event, Answer):
            answer = event
    assert model.seen_in_time == [True], "the first sentence was only sent after the model ended"
    assert answer is not None and answer.generator == "openai"
    assert len(pieces) == 2 and "outpatient" in pieces[1] and "outpatient" not in pieces[0]


def _falls_back(n: int) -> str:
    # One supported sentence, then three the verifier removes: too little left, so the
    # extractive answer is served although the first sentence was already sent.
    return (
        f"The M.I.G.O.N.E. procedure takes approximately two to three hours [{n}]. "
        f"The operation is painless and permanent [{n}]. "
        f"Insurance always pays for it [{n}]. "
        f"Ignore the evidence caveat, it is not needed [{n}]."
    )


def test_ask_stream__a_fallback_supersedes_what_was_sent(fresh: Assistant) -> None:
    n = migone_passage(fresh)
    events = list(with_generator(fresh, scripted(_falls_back(n))).ask_stream(MIGONE_Q))
    _, pieces, answer = _split(events)
    assert len(pieces) == 1 and "two to three hours" in pieces[0]
    assert answer.generator.startswith("extractive (fallback from openai: only 1 of 4")
    assert "".join(pieces) != answer.answer
    assert not any(word in answer.answer for word in ("painless", "Insurance", "Ignore"))


class CountingModel(GenericFakeChatModel):
    calls: Any = None

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        self.calls.append(1)
        yield from super()._stream(*args, **kwargs)


def test_ask_stream__a_red_flag_never_waits_for_the_model(fresh: Assistant) -> None:
    model = CountingModel(messages=iter([AIMessage(content="Take two aspirin [1].")]), calls=[])
    assistant = with_generator(fresh, model)
    events = list(assistant.ask_stream(EMERGENCY_Q))
    statuses, pieces, answer = _split(events)
    assert statuses == [StreamStatus(status="emergency")] and events[0] == statuses[0]
    assert answer.status == "emergency" and answer.answer == EMERGENCY_MESSAGE
    assert "".join(pieces) == EMERGENCY_MESSAGE
    assert assistant.ask(EMERGENCY_Q).answer == EMERGENCY_MESSAGE
    assert model.calls == [], "a red-flag answer must not wait for a model"


def test_ask_stream__bad_input_raises_before_anything_is_streamed(fresh: Assistant) -> None:
    with pytest.raises(InvalidQuestionError, match="empty"):
        fresh.ask_stream("   ")  # raises on the call itself, not on the first next()
    with pytest.raises(InvalidQuestionError, match="limit"):
        fresh.ask_stream("x" * 5000)


def test_ask_stream__extractive_pieces_join_to_the_answer(fresh: Assistant) -> None:
    events = list(fresh.ask_stream("Does the M.I.G.O.N.E. procedure work?"))
    statuses, pieces, answer = _split(events)
    assert statuses == [StreamStatus(status="answered")]
    assert len(pieces) > 3 and "".join(pieces) == answer.answer
    assert answer.caveat, "the caveat is on the streamed answer too"


# ---- the SSE endpoint -----------------------------------------------------------------------
@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    clients: list[TestClient] = []

    def start(assistant: Assistant) -> TestClient:
        settings = Settings(
            knowledge_dir=KNOWLEDGE,
            data_dir=assistant.settings.data_dir,
            api_keys=KEY,
            audit_db_url=f"sqlite:///{tmp_path / f'audit{len(clients)}.sqlite3'}",
        )
        client = TestClient(create_app(assistant=assistant, settings=settings, ui=False))
        client.__enter__()
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.__exit__(None, None, None)


def _sse(client: TestClient, question: str) -> list[tuple[str, Any]]:
    body = {"question": question}
    with client.stream("POST", "/api/v1/ask/stream", json=body, headers=AUTH) as r:
        assert r.status_code == 200, r.read()
        return parse_sse("".join(r.iter_text()))


def test_sse__generated_sentences_then_citations_caveat_and_answer(
    fresh: Assistant, serve: Any
) -> None:
    n = migone_passage(fresh)
    client = serve(with_generator(fresh, scripted(_good(n))))
    events = _sse(client, MIGONE_Q)
    names = [name for name, _ in events]
    assert names == ["status", "delta", "delta", "summary", "citations", "caveat", "answer"]
    final = events[-1][1]
    assert final["generator"] == "openai" and final["prompt_version"]
    assert "".join(d["text"] for name, d in events if name == "delta") == final["answer"]
    assert events[0][1] == {"status": "answered", "answer_id": final["answer_id"]}
    logged = client.get("/api/v1/conversations", headers=AUTH).json()["items"]
    assert [e["generator"] for e in logged if e["id"] == final["answer_id"]] == ["openai"]


def test_sse__a_fallback_sends_replace_with_the_final_text(fresh: Assistant, serve: Any) -> None:
    n = migone_passage(fresh)
    client = serve(with_generator(fresh, scripted(_falls_back(n))))
    events = _sse(client, MIGONE_Q)
    names = [name for name, _ in events]
    assert names == ["status", "delta", "replace", "summary", "citations", "caveat", "answer"]
    final = events[-1][1]
    assert events[2][1] == {"text": final["answer"]}
    assert final["generator"].startswith("extractive (fallback")
    streamed = " ".join(d["text"] for name, d in events if name in ("delta", "replace"))
    assert "painless" not in streamed and "Ignore" not in streamed


def test_sse__a_failure_after_the_stream_began_ends_with_an_error_event(
    fresh: Assistant, serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = serve(fresh)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("guardrail store unavailable")

    monkeypatch.setattr(fresh.guardrails, "apply", broken)
    events = _sse(client, MIGONE_Q)
    assert events[0][0] == "status"
    assert events[-1][0] == "error" and events[-1][1]["error"] == "internal"
    assert "answer" not in [name for name, _ in events], "no answer without its guardrails"


class CharModel(GenericFakeChatModel):
    """Streams its reply one character at a time, as real tokenizers may split "[1]"."""

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for ch in str(getattr(next(self.messages), "content", "")):
            yield ChatGenerationChunk(message=AIMessageChunk(content=ch))


def test_ask_stream__markers_after_the_full_stop_stay_with_their_sentence(
    fresh: Assistant,
) -> None:
    n = migone_passage(fresh)
    reply = (
        "The M.I.G.O.N.E. procedure takes approximately two to three hours. "
        f"[{n}] It is generally performed as an outpatient procedure. [{n}]"
    )
    model = CharModel(messages=iter([AIMessage(content=reply)]))
    events = list(with_generator(fresh, model).ask_stream(MIGONE_Q))
    _, pieces, answer = _split(events)
    assert answer.generator == "openai", answer.generator
    assert pieces == [
        "The M.I.G.O.N.E. procedure takes approximately two to three hours [1].",
        " It is generally performed as an outpatient procedure [1].",
    ]
