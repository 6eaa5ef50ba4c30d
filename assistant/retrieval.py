"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.embedding import Embedder
from assistant.index.catalogue import Catalogue
from assistant.index.lexical import BM25Index, LexicalIndexCache
from assistant.index.vector_store import VectorStore
from assistant.types import Passage

Mode = str  # "hybrid" | "dense" | "lexical"


@dataclass(frozen=True)
class RetrievalResult:
    """Passages, best first, and the index version they came from."""

    passages: list[Passage]
    index_version: int


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int) -> dict[str, float]:
    """Score each id by the sum of ``1 / (k + rank)`` over the rankings it appears in."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


def merge_results(first: RetrievalResult, extra: RetrievalResult) -> RetrievalResult:
    """``first``'s passages, then those of ``extra`` not already there, ranked on."""
    seen = {p.chunk.chunk_id for p in first.passages}
    passages = list(first.passages)
    for passage in extra.passages:
        if passage.chunk.chunk_id not in seen:
            seen.add(passage.chunk.chunk_id)
            passages.append(passage.model_copy(update={"rank": len(passages) + 1}))
    return RetrievalResult(passages=passages, index_version=first.index_version)


class HybridRetriever:
    """Finds passages for a query; only chunks of committed document versions are returned."""

    def __init__(
        self,
        embedder: Embedder,
        store: VectorStore,
        catalogue: Catalogue,
        lexical: LexicalIndexCache,
        candidate_k: int = 30,
        rrf_k: int = 60,
    ) -> None:
        self.embedder = embedder
        self.store = store
        self.catalogue = catalogue
        self.lexical = lexical
        self.candidate_k = candidate_k
        self.rrf_k = rrf_k

    def lexical_index(self, version: int | None = None) -> BM25Index:
        version = self.catalogue.index_version() if version is None else version
        return self.lexical.get(version, self.catalogue.iter_visible_chunks)

    def warm_up(self) -> None:
        """Load the lexical index of the current version."""
        self.lexical_index()

    def search(
        self,
        query: str,
        k: int,
        source_kinds: Sequence[str] | None = None,
        mode: Mode = "hybrid",
    ) -> RetrievalResult:
        version = self.catalogue.index_version()
        n = max(self.candidate_k, k)
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed([query])[0]
            where = {"source_kind": {"$in": list(source_kinds)}} if source_kinds else None
            # Over-fetch: chunks of an ingest in progress are stored but not yet visible.
            dense = self.store.query(vector, 2 * n, where)
        if mode in ("hybrid", "lexical"):
            lexical = self.lexical_index(version).search(query, n, source_kinds)
        found = self.catalogue.visible([i for i, _ in dense] + [i for i, _ in lexical])
        dense = [(i, s) for i, s in dense if i in found][:n]
        lexical = [(i, s) for i, s in lexical if i in found][:n]
        fused = reciprocal_rank_fusion([[i for i, _ in dense], [i for i, _ in lexical]], self.rrf_k)
        dense_scores = dict(dense)
        lexical_scores = dict(lexical)
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
        passages = []
        for rank, (chunk_id, score) in enumerate(ranked, start=1):
            chunk, doc = found[chunk_id]
            passages.append(
                Passage(
                    chunk=chunk,
                    doc=doc,
                    score=score,
                    rank=rank,
                    dense_score=dense_scores.get(chunk_id),
                    lexical_score=lexical_scores.get(chunk_id),
                )
            )
        return RetrievalResult(passages=passages, index_version=version)
