"""Concurrent first use: a fresh Assistant (nothing loaded yet) asked by several threads at the
same moment opens its store, loads its BM25 index and builds its chain once, and every thread
gets the answer a warmed-up Assistant gives."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

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
    make_assistant: Any, built_assistant: Assistant
) -> None:
    expected = {q: built_assistant.ask(q) for q in set(QUESTIONS)}
    cold = make_assistant(data_dir=built_assistant.settings.data_dir)
    assert "retriever" not in cold.__dict__ and "chain" not in cold.__dict__
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
    assert len(cold.retriever.lexical._index.chunk_ids) == cold.catalogue.visible_count()
