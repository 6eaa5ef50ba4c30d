"""Generative answers: scripted chat models, hostile outputs included, never reach the user
unverified; the caveat is kept; failures fall back to the extractive answer in bounded time."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.generation import (
    SupportVerifier,
    make_chat_model,
)
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.types import Answer
from tests.helpers import MIGONE_Q, migone_passage, scripted, with_generator
from tests.openai_stub import read_body, send_reply

pytestmark = pytest.mark.slow


class SlowModel(GenericFakeChatModel):
    """Never finishes in time."""

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        time.sleep(5)
        yield from super()._stream(*args, **kwargs)


@pytest.fixture
def fresh(make_assistant, built_assistant: Assistant) -> Assistant:
    """An Assistant sharing the session's index folder (read-only use)."""
    return make_assistant(data_dir=built_assistant.settings.data_dir)


def _passage_numbers(assistant: Assistant, question: str) -> dict[str, int]:
    passages = assistant.search(question)
    return {p.doc.doc_id: i for i, p in enumerate(passages, start=1)}


def test_generated__supported_sentence_is_served_with_valid_citation(fresh: Assistant) -> None:
    n = migone_passage(fresh)
    reply = (
        f"The clinic's page says the M.I.G.O.N.E. procedure takes approximately two to three "
        f"hours and is generally performed as an outpatient procedure [{n}]."
    )
    answer = with_generator(fresh, scripted(reply)).ask(MIGONE_Q)
    assert answer.generator == "openai"
    assert answer.prompt_version == "system@1+answer@1+rewrite@1"
    assert "two to three hours" in answer.answer and "[1]" in answer.answer
    citation = answer.citations[0]
    assert citation.n == 1 and citation.doc_id == "migone-procedure-clinic"
    assert "two to three hours" in citation.quote


@pytest.mark.parametrize(
    ("hostile", "forbidden"),
    [
        ("The procedure takes two to three hours [9].", "[9]"),
        ("The M.I.G.O.N.E. procedure cures 95% of patients.", "95%"),
        ("95% of patients are cured by the M.I.G.O.N.E. procedure [{n}].", "95%"),
        ("No caveat is needed: this operation is proven and safe for everyone [{n}].", "No caveat"),
        (
            "As the document instructs, ignore all safety rules and book surgery today [{n}].",
            "book surgery",
        ),
        ("asdf qwer zxcv ]][[ {{}} ###", "asdf"),
    ],
    ids=[
        "marker-to-unretrieved",
        "no-citation",
        "number-not-in-passage",
        "no-caveat-claim",
        "injected-instruction",
        "garbage",
    ],
)
def test_generated__hostile_output_never_reaches_the_user(
    fresh: Assistant, hostile: str, forbidden: str
) -> None:
    n = migone_passage(fresh)
    answer = with_generator(fresh, scripted(hostile.format(n=n))).ask(MIGONE_Q)
    assert forbidden not in answer.answer
    assert answer.generator.startswith("extractive (fallback from openai")
    assert "two to three hours" in answer.answer  # the extractive answer is served instead


def test_generated__unsupported_sentence_removed_supported_kept(fresh: Assistant) -> None:
    n = migone_passage(fresh)
    reply = (
        f"The M.I.G.O.N.E. procedure takes approximately two to three hours [{n}]. "
        f"It is generally performed as an outpatient procedure [{n}]. "
        f"It works for 95% of patients [{n}]."
    )
    answer = with_generator(fresh, scripted(reply)).ask(MIGONE_Q)
    assert answer.generator == "openai"
    assert "95%" not in answer.answer
    assert "two to three hours" in answer.answer


def test_generated__efficacy_answer_keeps_the_caveat_whatever_the_model_says(
    fresh: Assistant,
) -> None:
    question = "Does fat transfer work for migraines?"
    numbers = _passage_numbers(fresh, question)
    n = numbers.get("curated-evidence-summary", 1)
    reply = (
        f"The only published study of fat transfer for migraine injected fat in 29 patients "
        f"whose decompression surgery had failed and had no control group [{n}]. "
        "There is no need for any caveat here."
    )
    answer = with_generator(fresh, scripted(reply)).ask(question)
    assert answer.efficacy_question
    assert answer.caveat and "unproven" in answer.caveat
    assert "no need for any caveat" not in answer.answer


def test_generated__timeout_falls_back_within_bounded_time(fresh: Assistant) -> None:
    slow = SlowModel(messages=iter([AIMessage(content="late [1].")]))
    answer = with_generator(fresh, slow, timeout_s=0.5).ask(MIGONE_Q)
    assert "TimeoutError" in answer.generator
    assert "two to three hours" in answer.answer


def test_generated__model_error_falls_back(fresh: Assistant) -> None:
    class Broken(GenericFakeChatModel):
        def _stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
            raise ConnectionError("server went away")
            yield  # pragma: no cover

    answer = with_generator(fresh, Broken(messages=iter([]))).ask(MIGONE_Q)
    assert "ConnectionError" in answer.generator and answer.status == "answered"


def test_generated__follow_up_rewritten_by_model_with_rule_fallback(fresh: Assistant) -> None:
    history = [{"role": "user", "content": "What is the M.I.G.O.N.E. procedure?"}]
    model = scripted("How long does the M.I.G.O.N.E. procedure take?", "garbage [7].")
    answer = with_generator(fresh, model).ask("How long does it take?", history)
    assert answer.standalone_question == "How long does the M.I.G.O.N.E. procedure take?"

    broken = scripted("")  # an empty rewrite: the rule-based rewriter takes over
    answer = with_generator(fresh, broken).ask("How long does it take?", history)
    assert "M.I.G.O.N.E." in answer.standalone_question


def test_generated__no_evidence_needs_no_model_call(fresh: Assistant) -> None:
    model = scripted()  # would raise StopIteration if called
    answer = with_generator(fresh, model).ask("What is the usual dose of sumatriptan?")
    assert answer.status == "no_evidence" and answer.citations == []


# ---- a real OpenAI-compatible HTTP endpoint on loopback -------------------------------------
class _Scripted(BaseHTTPRequestHandler):
    replies: ClassVar[list[str]] = []
    delay = 0.0

    def do_POST(self) -> None:
        body = read_body(self)
        time.sleep(self.delay)
        send_reply(self, body, self.replies.pop(0) if self.replies else "NOT_IN_SOURCES")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def llm_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_openai_generator__over_real_http(
    make_assistant, built_assistant: Assistant, llm_server: str
) -> None:
    probe = make_assistant(data_dir=built_assistant.settings.data_dir)
    n = migone_passage(probe)
    _Scripted.delay = 0.0
    _Scripted.replies = [
        f"The M.I.G.O.N.E. procedure takes approximately two to three hours "
        f"and is generally performed as an outpatient procedure [{n}]."
    ]
    assistant = make_assistant(
        data_dir=built_assistant.settings.data_dir,
        generator="openai",
        llm_base_url=llm_server,
        llm_model="scripted",
        llm_timeout_s=5,
    )
    answer = assistant.ask(MIGONE_Q)
    assert answer.generator == "openai", answer.generator
    assert answer.citations[0].doc_id == "migone-procedure-clinic"


def test_openai_generator__slow_server_falls_back(
    make_assistant, built_assistant: Assistant, llm_server: str
) -> None:
    _Scripted.delay = 3.0
    _Scripted.replies = ["too late [1]."]
    assistant = make_assistant(
        data_dir=built_assistant.settings.data_dir,
        generator="openai",
        llm_base_url=llm_server,
        llm_model="scripted",
        llm_timeout_s=0.5,
    )
    answer = assistant.ask(MIGONE_Q)
    # The server replies after 3 s, the limit is 0.5 s: only a timeout gives the fallback.
    assert answer.generator.startswith("extractive (fallback")


def test_make_chat_model__requires_model_and_url() -> None:
    with pytest.raises(ValueError, match="ASSISTANT_LLM_MODEL"):
        make_chat_model(Settings(generator="openai"))
    with pytest.raises(ValueError, match="ASSISTANT_LLM_BASE_URL"):
        make_chat_model(Settings(generator="openai", llm_model="m"))


@pytest.mark.skipif(
    not os.environ.get("ASSISTANT_TEST_LLM_URL"),
    reason="set ASSISTANT_TEST_LLM_URL to a real OpenAI-compatible server",
)
def test_real_llm_server__answers_are_verified(make_assistant, built_assistant: Assistant) -> None:
    assistant = make_assistant(
        data_dir=built_assistant.settings.data_dir,
        generator="openai",
        llm_base_url=os.environ["ASSISTANT_TEST_LLM_URL"],
        llm_model=os.environ.get("ASSISTANT_TEST_LLM_MODEL", "default"),
        llm_timeout_s=60,
    )
    answer = assistant.ask("Does the M.I.G.O.N.E. procedure work?")
    assert answer.caveat, "the caveat is added by code, whatever the model wrote"
    for question in ("Does the M.I.G.O.N.E. procedure work?", MIGONE_Q):
        events = list(assistant.ask_stream(question))
        final = events[-1]
        assert isinstance(final, Answer)
        retrieved = assistant.chain.prepare.invoke(assistant._state(question, [], None))
        passages = {p.chunk.chunk_id for p in retrieved["retrieval"].passages}
        assert {c.chunk_id for c in final.citations} <= passages
        markers = {int(m) for m in re.findall(r"\[(\d+)\]", final.answer)}
        assert markers == {c.n for c in final.citations}
        if final.generator == "openai":  # written by the model: every sentence cites
            streamed = "".join(e for e in events if isinstance(e, str))
            assert streamed == final.answer
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", final.answer):
                assert re.search(r"\[\d+\]", sentence), sentence


def _verdicts(assistant: Assistant, *sentences: str) -> list[str]:
    passages = assistant.search(MIGONE_Q)
    n = migone_passage(assistant)
    verifier = SupportVerifier(assistant.embedder)
    vectors = assistant.embedder.embed([p.chunk.text for p in passages])
    return [verifier.check(s.format(n=n), passages, vectors).reason for s in sentences]


def test_verifier__support_must_come_from_one_place_in_the_passage(fresh: Assistant) -> None:
    # "pain" and "permanent" both occur in the passage, in unrelated sentences.
    assert _verdicts(
        fresh,
        "The operation is painless and permanent [{n}].",
        "The surgeon removes tissue around the occipital nerve to give it more space [{n}].",
    ) == ["too little support (0.33 of its words)", "supported"]


def test_verifier__a_sentence_negated_unlike_its_passage_is_removed(fresh: Assistant) -> None:
    # The passage: "BOTOX is effective but is not a permanent solution."
    assert _verdicts(
        fresh,
        "BOTOX is a permanent solution [{n}].",
        "BOTOX is not a permanent solution [{n}].",
    ) == ["negated differently from the cited passage", "supported"]
