"""Concurrent first use: a fresh Assistant (nothing loaded yet) asked by several threads at the
same moment opens its store, loads its BM25 index and builds its chain once, and every thread
gets the answer a warmed-up Assistant gives."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from assistant.index.lexical import BM25Index
from assistant.service import Assistant

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Does the M.I.G.O.N.E. procedure work?",
    "How long does the M.I.G.O.N.E. procedure take?",
    "What is fat transfer for migraine?",
    "What does the American Headache Society say about trigger site surgery?",
    "Does the M.I.G.O.N.E. procedure work?",
    "How long does the M.I.G.O.N.E. procedure take?",
]


def test_first_questions_asked_at_once_are_answered_as_when_warm(
    make_assistant: Any, built_assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = {q: built_assistant.ask(q) for q in set(QUESTIONS)}
    cold = make_assistant(data_dir=built_assistant.settings.data_dir)
    loads: list[int] = []
    real_load, real_build = BM25Index.load.__func__, BM25Index.build.__func__  # type: ignore[attr-defined]

    def counted_load(cls: type[BM25Index], folder: Any) -> BM25Index:
        loads.append(len(loads))
        return real_load(cls, folder)  # type: ignore[no-any-return]

    def counted_build(cls: type[BM25Index], rows: Any) -> BM25Index:
        loads.append(len(loads))
        return real_build(cls, rows)  # type: ignore[no-any-return]

    monkeypatch.setattr(BM25Index, "load", classmethod(counted_load))
    monkeypatch.setattr(BM25Index, "build", classmethod(counted_build))
    start = threading.Barrier(len(QUESTIONS))

    def first_use(question: str) -> Any:
        start.wait(timeout=30)
        if question.startswith("How long"):
            return cold.search(question)  # a search and an answer race too
        return cold.ask(question)

    with ThreadPoolExecutor(len(QUESTIONS)) as pool:
        results = list(pool.map(first_use, QUESTIONS))

    for question, got in zip(QUESTIONS, results, strict=True):
        want = expected[question]
        if isinstance(got, list):
            assert [p.chunk.chunk_id for p in got] == [
                p.chunk.chunk_id for p in built_assistant.search(question)
            ]
        else:
            assert got.answer == want.answer and got.caveat == want.caveat, question
            assert [c.chunk_id for c in got.citations] == [c.chunk_id for c in want.citations]
    assert len(loads) == 1, "the BM25 index is loaded (or built) once, whatever the race"
    assert len(cold.retriever.lexical_index().chunk_ids) == cold.catalogue.visible_count()
