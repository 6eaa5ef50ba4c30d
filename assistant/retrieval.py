"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.embedding import Embedder, Vectors
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
    query_vector: Vectors | None = None
    """The query's embedding, for a second search with the same text (no second model call)."""


# Before fusion, candidates far below the best of their own ranking are set apart: rank fusion
# ignores scores, so a chunk that matches only "migraine" would otherwise earn as much credit
# for its rank as a real match. They still fill the tail of the ranking.
DENSE_MARGIN = 0.25
LEXICAL_SHARE = 0.4
WEAK_WEIGHT = 0.001
DECISIVE_RATIO = 2.0


def trim(
    ranked: list[tuple[str, float]], floor_of: Callable[[float], float]
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Split a ranking into the candidates scoring at least ``floor_of(best)`` and the rest."""
    if not ranked:
        return [], []
    floor = floor_of(ranked[0][1])
    return [(i, s) for i, s in ranked if s >= floor], [(i, s) for i, s in ranked if s < floor]


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], k: int, weights: Sequence[float] | None = None
) -> dict[str, float]:
    """Score each id by the sum of ``weight / (k + rank)`` over the rankings it appears in."""
    scores: dict[str, float] = {}
    for n, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[n]
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


def merge_results(first: RetrievalResult, extra: RetrievalResult) -> RetrievalResult:
    """``first``'s passages, then those of ``extra`` not already there, ranked on."""
    seen = {p.chunk.chunk_id for p in first.passages}
    passages = list(first.passages)
    for passage in extra.passages:
        if passage.chunk.chunk_id not in seen:
            seen.add(passage.chunk.chunk_id)
            passages.append(passage.model_copy(update={"rank": len(passages) + 1}))
    return RetrievalResult(
        passages=passages, index_version=first.index_version, query_vector=first.query_vector
    )


def _as_is(query: str) -> str:
    return query


@dataclass(eq=False)
class HybridRetriever:
    """Finds passages for a query; only chunks of committed document versions are returned."""

    embedder: Embedder
    store: VectorStore
    catalogue: Catalogue
    lexical: LexicalIndexCache
    candidate_k: int = 30
    rrf_k: int = 60
    expand: Callable[[str], str] = _as_is
    """The dense query for a query."""
    lexical_weight: float = 0.3
    expand_lexical: Callable[[str], str] = _as_is
    """The BM25 query for a query (a question in another language: its English words)."""

    def lexical_index(self, version: int | None = None) -> BM25Index:
        version = self.catalogue.index_version() if version is None else version
        return self.lexical.get(version, self.catalogue.iter_visible_chunks)

    def _lexical_weight(self, lexical: Sequence[tuple[str, float]]) -> float:
        """The BM25 ranking's weight: the setting, or full weight when its best match stands
        out (an exact rare term such as a document id or a drug name, that dense ranking
        cannot see)."""
        if lexical and (len(lexical) == 1 or lexical[0][1] >= DECISIVE_RATIO * lexical[1][1]):
            return max(self.lexical_weight, 1.0)
        return self.lexical_weight

    def warm_up(self) -> None:
        """Load the lexical index of the current version."""
        self.lexical_index()

    def search(
        self,
        query: str,
        k: int,
        source_kinds: Sequence[str] | None = None,
        mode: Mode = "hybrid",
        vector: Vectors | None = None,
    ) -> RetrievalResult:
        """The best ``k`` passages; ``vector`` is the query's embedding if already computed."""
        version = self.catalogue.index_version()
        n = max(self.candidate_k, k)
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            if vector is None:
                vector = self.embedder.embed([self.expand(query)])[0]
            where = {"source_kind": {"$in": list(source_kinds)}} if source_kinds else None
            # Over-fetch: chunks of an ingest in progress are stored but not yet visible.
            dense = self.store.query(vector, 2 * n, where)
        if mode in ("hybrid", "lexical"):
            lexical = self.lexical_index(version).search(
                self.expand_lexical(query), n, source_kinds
            )
        found = self.catalogue.visible([i for i, _ in dense] + [i for i, _ in lexical])
        dense = [(i, s) for i, s in dense if i in found][:n]
        lexical = [(i, s) for i, s in lexical if i in found][:n]
        dense_kept, dense_weak = trim(dense, lambda top: top - DENSE_MARGIN)
        lexical_kept, lexical_weak = trim(lexical, lambda top: top * LEXICAL_SHARE)
        lexical_weight = self._lexical_weight(lexical)
        fused = reciprocal_rank_fusion(
            [
                [i for i, _ in dense_kept],
                [i for i, _ in lexical_kept],
                [i for i, _ in dense_weak],
                [i for i, _ in lexical_weak],
            ],
            self.rrf_k,
            # Weak candidates only fill the tail: their weight keeps them below every strong one.
            [1.0, lexical_weight, WEAK_WEIGHT, WEAK_WEIGHT * lexical_weight],
        )
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
        return RetrievalResult(passages=passages, index_version=version, query_vector=vector)
