"""The retrieval chain as a LangChain (LCEL) pipeline: rewrite, retrieve, compose, check."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer import Evidence, ExtractiveAnswerer
from assistant.citations import CitationChecker
from assistant.generation import GenerativeAnswerer
from assistant.guardrails.layer import GuardrailLayer, GuardReading
from assistant.retrieval import HybridRetriever, RetrievalResult, merge_results
from assistant.types import Draft, Passage, Turn
from assistant.understanding import Understander, Understanding

EVIDENCE_KINDS = ("curated-evidence", "reference")
EVIDENCE_K = 3
FACET_K = 2
"""Passages added by the keyword search of each facet a question asks (no model call)."""
POOL_K = 10
"""Passages the extractive answer may read: the question's own search, taken deeper with the
same query vector (no model call), after the passages above."""


class ChainState(TypedDict, total=False):
    """What flows through the chain; each step adds its part."""

    question: str
    history: Sequence[Turn]
    k: int
    source_kinds: Sequence[str] | None
    standalone: str
    understanding: Understanding
    guard: GuardReading
    """What the guardrails read in the question (triage, personal decision, efficacy), once."""
    guard_reading: Future[GuardReading]
    """The guardrails' reading while it is being made (beside the understanding and the
    question's own search); the retrieve step waits for it and sets ``guard``."""
    retrieval: RetrievalResult
    searched: int
    """How many of the passages came from the question's own searches (the rest: keyword
    searches of its facets, read by the extractive answerer)."""
    extractive: Draft  # composed first when a generator writes the answer (its fallback)
    draft: Draft
    timings_ms: dict[str, float]


def _timed(name: str, fn: Callable[[ChainState], dict[str, Any]]) -> Runnable[Any, Any]:
    def step(state: ChainState) -> ChainState:
        started = time.perf_counter()
        update = fn(state)
        timings = dict(state.get("timings_ms", {}))
        if update or name not in timings:  # a step with nothing to do keeps its earlier time
            timings[name] = round((time.perf_counter() - started) * 1000, 2)
        return {**state, **update, "timings_ms": timings}  # type: ignore[typeddict-item]

    return RunnableLambda(step, name=name)


class Rewriter(Protocol):
    def rewrite(self, question: str, history: Sequence[Turn]) -> str: ...


Generator = ExtractiveAnswerer | GenerativeAnswerer
"""Composes a draft answer from retrieved passages: the extractive answerer, or a chat model's
answerer with the extractive one as its fallback (both: ``answer(question, evidence) -> Draft``
and a ``name``)."""


def evidence_of(
    state: ChainState, retriever: HybridRetriever, passages: Sequence[Passage] | None = None
) -> Evidence:
    """The evidence of the state's retrieval (or of ``passages`` among it): its passages, the
    term weights of the index they come from, and whether an efficacy question is balanced."""
    retrieval = state["retrieval"]
    return Evidence(
        retrieval.passages if passages is None else passages,
        retriever.lexical_index(retrieval.index_version).idf,
        "guard" in state and state["guard"].efficacy,
    )


@dataclass(frozen=True)
class Chain:
    """The LCEL pipeline, whole and in its two halves (the stream composes in between).

    ``readers`` runs the guardrails' reading of each question (its multilingual encoding and the
    rules) beside the understanding and the question's own search, so an answer waits for the
    longer of the two rather than their sum."""

    prepare: Runnable[ChainState, ChainState]  # rewrite | retrieve
    finish: Runnable[ChainState, ChainState]  # compose | check_citations
    readers: ThreadPoolExecutor

    def invoke(self, state: ChainState) -> ChainState:
        return (self.prepare | self.finish).invoke(state)

    def close(self) -> None:
        self.readers.shutdown(wait=True)


def _retrieve_step(
    retriever: HybridRetriever, understander: Understander | None
) -> Callable[[ChainState], dict[str, Any]]:
    """The retrieve step: the standalone question's search, the published evidence for an
    efficacy question, and the keyword search of each facet the question asks."""

    def retrieve(state: ChainState) -> dict[str, Any]:
        result = retriever.search(state["standalone"], state["k"], state.get("source_kinds"))
        guard = state["guard_reading"].result() if "guard_reading" in state else state["guard"]
        if guard.efficacy and not state.get("source_kinds"):
            # Efficacy questions always get the published evidence next to the clinics' claims.
            evidence = retriever.search(
                state["standalone"], EVIDENCE_K, EVIDENCE_KINDS, vector=result.query_vector
            )
            result = merge_results(result, evidence)
        searched = len(result.passages)
        if understander is not None and "understanding" in state:
            # What the question asks, searched by its keywords: the passage that says how long
            # recovery takes is found even when the question's wording ranks it low.
            for text in understander.facet_search_texts(state["understanding"]):
                extra = retriever.search(text, FACET_K, state.get("source_kinds"), mode="lexical")
                result = merge_results(result, extra)
            if state["k"] < POOL_K:
                deeper = retriever.search(
                    state["standalone"],
                    POOL_K,
                    state.get("source_kinds"),
                    vector=result.query_vector,
                )
                result = merge_results(result, deeper)
        return {"retrieval": result, "searched": searched, "guard": guard}

    return retrieve


def build_chain(
    rewriter: Rewriter,
    retriever: HybridRetriever,
    generator: Generator,
    checker: CitationChecker,
    guardrails: GuardrailLayer,
    understander: Understander | None = None,
) -> Chain:
    """rewrite (and understand) | retrieve | compose | check_citations."""
    readers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="guard-read")

    def rewrite(state: ChainState) -> dict[str, Any]:
        history = state.get("history", ())
        standalone = rewriter.rewrite(state["question"], history)
        update: dict[str, Any] = {
            "standalone": standalone,
            "guard_reading": readers.submit(
                guardrails.read, state["question"], standalone, history
            ),
        }
        if understander is not None:
            update["understanding"] = understander.understand(state["question"], history)
        return update

    retrieve = _retrieve_step(retriever, understander)

    def compose(state: ChainState) -> dict[str, Any]:
        if "draft" in state:  # composed already (streamed)
            return {}
        extra: dict[str, Any] = {}
        if "understanding" in state and getattr(generator, "name", "") == "extractive":
            extra = {
                "understanding": state["understanding"],
                "query_vector": state["retrieval"].query_vector,
                "multilingual_vector": state["guard"].vector if "guard" in state else None,
            }
        draft = generator.answer(state["standalone"], evidence_of(state, retriever), **extra)
        return {"draft": draft}

    def check(state: ChainState) -> dict[str, Any]:
        return {"draft": checker.check(state["draft"], state["retrieval"].passages)}

    return Chain(
        prepare=_timed("rewrite", rewrite) | _timed("retrieve", retrieve),
        finish=_timed("compose", compose) | _timed("check_citations", check),
        readers=readers,
    )
