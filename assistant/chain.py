"""The retrieval chain as a LangChain (LCEL) pipeline: rewrite, retrieve, compose, check."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer import Idf
from assistant.citations import CitationChecker
from assistant.guardrails.efficacy import EfficacyDetector
from assistant.retrieval import HybridRetriever, RetrievalResult, merge_results
from assistant.types import Draft, Passage, Turn

EVIDENCE_KINDS = ("curated-evidence", "reference")
EVIDENCE_K = 3


class ChainState(TypedDict, total=False):
    """What flows through the chain; each step adds its part."""

    question: str
    history: Sequence[Turn]
    k: int
    source_kinds: Sequence[str] | None
    standalone: str
    efficacy: bool
    retrieval: RetrievalResult
    extractive: Draft  # composed first when a generator writes the answer (its fallback)
    draft: Draft
    timings_ms: dict[str, float]


def _timed(name: str, fn: Callable[[ChainState], dict[str, Any]]) -> Runnable[Any, Any]:
    def step(state: ChainState) -> ChainState:
        started = time.perf_counter()
        update = fn(state)
        timings = dict(state.get("timings_ms", {}))
        timings[name] = round((time.perf_counter() - started) * 1000, 2)
        return {**state, **update, "timings_ms": timings}  # type: ignore[typeddict-item]

    return RunnableLambda(step, name=name)


class Rewriter(Protocol):
    def rewrite(self, question: str, history: Sequence[Turn]) -> str: ...


class Generator(Protocol):
    """Composes a draft answer from retrieved passages (extractive or generative)."""

    name: str

    def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        idf: Idf | None = None,
        balance: bool = False,
    ) -> Draft: ...


@dataclass(frozen=True)
class Chain:
    """The LCEL pipeline, whole and in its two halves (the stream composes in between)."""

    prepare: Runnable[ChainState, ChainState]  # rewrite | retrieve
    finish: Runnable[ChainState, ChainState]  # compose | check_citations

    def invoke(self, state: ChainState) -> ChainState:
        return (self.prepare | self.finish).invoke(state)


def build_chain(
    rewriter: Rewriter,
    retriever: HybridRetriever,
    generator: Generator,
    checker: CitationChecker,
    detector: EfficacyDetector,
) -> Chain:
    """rewrite | retrieve | compose | check_citations."""

    def rewrite(state: ChainState) -> dict[str, Any]:
        history = state.get("history", ())
        standalone = rewriter.rewrite(state["question"], history)
        return {
            "standalone": standalone,
            "efficacy": detector.detect(state["question"], standalone, history),
        }

    def retrieve(state: ChainState) -> dict[str, Any]:
        result = retriever.search(state["standalone"], state["k"], state.get("source_kinds"))
        if state.get("efficacy") and not state.get("source_kinds"):
            # Efficacy questions always get the published evidence next to the clinics' claims.
            evidence = retriever.search(
                state["standalone"], EVIDENCE_K, EVIDENCE_KINDS, vector=result.query_vector
            )
            result = merge_results(result, evidence)
        return {"retrieval": result}

    def compose(state: ChainState) -> dict[str, Any]:
        if "draft" in state:  # composed already (streamed)
            return {}
        retrieval = state["retrieval"]
        idf = retriever.lexical_index(retrieval.index_version).idf
        draft = generator.answer(
            state["standalone"], retrieval.passages, idf, balance=bool(state.get("efficacy"))
        )
        return {"draft": draft}

    def check(state: ChainState) -> dict[str, Any]:
        return {"draft": checker.check(state["draft"], state["retrieval"].passages)}

    return Chain(
        prepare=_timed("rewrite", rewrite) | _timed("retrieve", retrieve),
        finish=_timed("compose", compose) | _timed("check_citations", check),
    )
