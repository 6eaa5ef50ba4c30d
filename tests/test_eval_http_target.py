"""The eval's HttpTarget against a real `assistant serve` on 127.0.0.1: it speaks the API's
own schemas, and none of its requests goes to a route that does not exist."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from assistant.evals.scoring import citation_check
from assistant.evals.targets import HttpTarget, TargetError
from tests.helpers import API_KEY, AppServer, free_port, serving

QUESTION = "Does the M.I.G.O.N.E. procedure work?"
REQUEST_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>/\S*) HTTP/[\d.]+" (?P<status>\d{3})')

pytestmark = [pytest.mark.server, pytest.mark.slow]


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """One `assistant serve` for the module, on an index it builds itself at startup."""
    with serving(tmp_path_factory.mktemp("eval-http-server")) as server:
        yield server


def _requests(server: AppServer) -> list[tuple[str, str, int]]:
    """(method, path, status) of every request in the server's access log."""
    return [
        (m["method"], m["path"], int(m["status"]))
        for m in REQUEST_LINE.finditer(server.log_path.read_text(errors="replace"))
    ]


def test_http_target__answers_searches_and_lists_sources_with_no_404(
    app_server: AppServer,
) -> None:
    before = len(_requests(app_server))
    target = HttpTarget(app_server.url, API_KEY, timeout=120)
    said: list[str] = []
    try:
        target.prepare(said.append)
        texts = target.doc_texts()
        assert texts, "the indexed documents are known"
        assert "migone-procedure-clinic" in texts
        assert set(texts.values()) == {None}, "the API serves no document texts"

        answer, wall_ms = target.ask(QUESTION, [])
        assert answer.question == QUESTION
        assert answer.efficacy_question and answer.caveat
        assert answer.citations and wall_ms > 0
        follow_up, _ = target.ask(
            "How long does it take?",
            [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "..."}],
        )
        assert "M.I.G.O.N.E" in follow_up.standalone_question

        hits = target.search(answer.standalone_question, 5)
        assert 0 < len(hits) <= 5
        assert all(h.doc_id in texts and h.text for h in hits)
        # Quotes are checked against the passages they were cut from: none is wrong.
        check = citation_check(answer.answer, answer.citations, texts, hits)
        assert check.problems == ()
        assert len(check.unchecked) < len(answer.citations), "some quotes were checked"

        description = target.describe()
        assert description["documents"] == len(texts)
        assert description["sources_error"] is None
    finally:
        target.close()

    made = _requests(app_server)[before:]
    assert {(m, p) for m, p, _ in made} == {
        ("GET", "/api/v1/sources"),
        ("POST", "/api/v1/ask"),
        ("POST", "/api/v1/search"),
    }
    assert all(status == 200 for _, _, status in made), made


def test_http_target__a_refused_key_stops_it_at_prepare(app_server: AppServer) -> None:
    target = HttpTarget(app_server.url, "not-the-key")
    try:
        with pytest.raises(TargetError, match="refused") as raised:
            target.prepare(lambda _msg: None)
        assert raised.value.status == 401
    finally:
        target.close()


def test_http_target__an_unreachable_deployment_is_a_target_error() -> None:
    target = HttpTarget(f"http://127.0.0.1:{free_port()}", API_KEY, timeout=5)
    try:
        with pytest.raises(TargetError, match="cannot reach") as raised:
            target.prepare(lambda _msg: None)
        assert raised.value.status is None
    finally:
        target.close()


class _Closing(HttpTarget):
    """An HttpTarget that records when its connections are closed."""

    closed = False

    def close(self) -> None:
        self.closed = True
        super().close()


def test_run_suite__closes_a_target_whose_prepare_is_refused(app_server: AppServer) -> None:
    from assistant.evals.runner import run_retrieval, run_suite

    for run in (
        lambda t: run_suite(t, [], [], thresholds={}),
        lambda t: run_retrieval(t, [], thresholds={}),
    ):
        target = _Closing(app_server.url, "not-the-key")
        with pytest.raises(TargetError, match="refused"):
            run(target)
        assert target.closed, "a refused key leaves no connection open"
