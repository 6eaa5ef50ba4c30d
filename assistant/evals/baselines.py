"""Retrieval baselines scored beside the Assistant's hybrid retrieval, on the same index.

- ``bm25``: the Assistant's own lexical index alone (``search(mode='lexical')``);
- ``dense``: its Chroma vectors alone (``search(mode='dense')``);
- ``langchain``: a plain LangChain vector-store retriever over the same Chroma collection,
  embedding queries with the same model. It sees every stored chunk and knows nothing of the
  catalogue, titles or fusion: what a tutorial-style RAG set-up would retrieve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from langchain_core.embeddings import Embeddings

from assistant.evals.report_model import Verdict

HYBRID = "hybrid"
HYBRID_LABEL = "Assistant (hybrid BM25 + dense, RRF)"


class Baseline(Protocol):
    """A retriever to compare with: documents of its top passages for a query."""

    name: str
    label: str

    def ranked_doc_ids(self, query: str, k: int) -> list[str]: ...


class EmbedderEmbeddings(Embeddings):
    """The Assistant's embedder as a LangChain :class:`Embeddings`."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, row)) for row in self.embedder.embed(texts)]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


@dataclass
class ModeBaseline:
    """The Assistant's retriever restricted to one of its two rankings."""

    assistant: Any
    mode: str
    name: str
    label: str

    def ranked_doc_ids(self, query: str, k: int) -> list[str]:
        return [p.doc.doc_id for p in self.assistant.search(query, k, mode=self.mode)]


class LangChainBaseline:
    """``langchain_chroma.Chroma(...).as_retriever()`` on the Assistant's collection."""

    name = "langchain"
    label = "LangChain Chroma retriever (dense, plain)"

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self._retrievers: dict[int, Any] = {}
        self._store: Any = None

    def _vector_store(self) -> Any:
        if self._store is None:
            from langchain_chroma import Chroma

            settings = self.assistant.settings
            self._store = Chroma(
                client=chroma_client(settings),
                collection_name=settings.collection,
                # The retriever's embedder: the model the Assistant queries with.
                embedding_function=EmbedderEmbeddings(self.assistant.retriever.embedder),
                create_collection_if_not_exists=False,
            )
        return self._store

    def ranked_doc_ids(self, query: str, k: int) -> list[str]:
        if k not in self._retrievers:
            self._retrievers[k] = self._vector_store().as_retriever(search_kwargs={"k": k})
        documents = self._retrievers[k].invoke(query)
        return [str(d.metadata.get("doc_id", "")) for d in documents]


def chroma_client(settings: Any) -> Any:
    """A chromadb client on the Assistant's data (same path and settings, so it is shared)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_is_server():
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    return chromadb.PersistentClient(
        path=str(settings.data_dir / "chroma"), settings=chroma_settings
    )


def in_process_baselines(assistant: Any) -> list[Baseline]:
    """The three baselines for an in-process Assistant."""
    return [
        ModeBaseline(assistant, "lexical", "bm25", "BM25 only (Assistant's lexical index)"),
        ModeBaseline(assistant, "dense", "dense", "Dense only (Assistant's Chroma vectors)"),
        LangChainBaseline(assistant),
    ]


def verdicts(
    systems: Sequence[tuple[str, str, dict[str, float | None]]],
    metrics: Sequence[str] = ("hit_at_5", "mrr"),
) -> list[Verdict]:
    """Whether the hybrid system beats each baseline on each metric, and by how much.

    Args:
        systems: (name, label, metric values); the one named ``hybrid`` is the reference.
        metrics: the metrics to compare.
    """
    reference = next((values for name, _, values in systems if name == HYBRID), None)
    out: list[Verdict] = []
    if reference is None:
        return out
    for name, label, values in systems:
        if name == HYBRID:
            continue
        for metric in metrics:
            ours, theirs = reference.get(metric), values.get(metric)
            if ours is None or theirs is None:
                continue
            diff = ours - theirs
            outcome: Literal["beats", "ties", "trails"] = (
                "beats" if diff > 1e-9 else ("ties" if abs(diff) <= 1e-9 else "trails")
            )
            out.append(
                Verdict(
                    baseline=name,
                    label=label,
                    metric=metric,
                    hybrid=ours,
                    baseline_value=theirs,
                    difference=diff,
                    outcome=outcome,
                )
            )
    return out
