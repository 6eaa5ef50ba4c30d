"""Vector stores: Chroma, embedded in the data folder or a Chroma server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.embedding import Vectors
from assistant.errors import IndexUnavailableError

# HNSW settings, fixed when the collection is created (Chroma reads ef_search when it loads the
# index: changing it later takes `collection.modify` plus a restart of every process that has it
# open). Cosine space for normalised vectors; 32 neighbours and ef_construction 200 build a good
# graph at modest cost (1M vectors in about 30 min on 2 cores). ef_search was chosen by
# `assistant bench --million` (bench/report.md): at 1M vectors of real-derived embeddings,
# ef_search 100 gave recall@10 0.83 and 400 gave 0.94 against exact search, so 800 is needed
# for >= 0.95, at a few milliseconds per query, far inside the 50 ms budget. Below ~100k vectors
# the search is close to exact whatever the value.
HNSW_CONFIG: dict[str, Any] = {
    "space": "cosine",
    "ef_construction": 200,
    "max_neighbors": 32,
    "ef_search": 800,
}


# One metadata mapping per chunk, values as Chroma stores them.
Metadatas = Sequence[Mapping[str, str | int | float | bool]]


class VectorStore(Protocol):
    """What the index needs from a vector store."""

    def upsert(
        self, ids: Sequence[str], vectors: Vectors, metadatas: Metadatas, documents: Sequence[str]
    ) -> None: ...

    def query(
        self, vector: Vectors, k: int, where: Mapping[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """Nearest ids with cosine similarity, best first."""
        ...

    def existing(self, ids: Sequence[str]) -> set[str]: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def count(self) -> int: ...

    def ping(self) -> None:
        """Raise :class:`IndexUnavailableError` when the store cannot be reached."""
        ...


_OPEN_LOCK = threading.Lock()

POST_FILTER_FACTOR = 8
"""A filtered query first looks at this many times ``k`` unfiltered candidates."""


def _matcher(where: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool] | None:
    """A predicate for ``{field: value}``, ``{field: {"$eq": v}}`` or ``{field: {"$in": [...]}}``
    (all fields must match); None for anything else."""
    tests: list[tuple[str, frozenset[Any]]] = []
    for field, cond in where.items():
        if field.startswith("$"):
            return None
        if isinstance(cond, Mapping):
            if len(cond) != 1:
                return None
            (op, value), *_ = cond.items()
            if op == "$eq":
                tests.append((field, frozenset([value])))
            elif op == "$in" and isinstance(value, list | tuple):
                tests.append((field, frozenset(value)))
            else:
                return None
        else:
            tests.append((field, frozenset([cond])))
    return lambda meta: all(meta.get(field) in allowed for field, allowed in tests)


def _unavailable(exc: Exception, where: str) -> IndexUnavailableError:
    return IndexUnavailableError(f"the vector store at {where} cannot be reached ({exc})")


class ChromaStore:
    """A Chroma collection that is always given our own embeddings (never Chroma's default)."""

    def __init__(
        self,
        collection: str,
        path: Path | None = None,
        host: str | None = None,
        port: int = 8000,
    ) -> None:
        self.collection_name = collection
        self._path = path
        # A Chroma server's address; None: Chroma runs embedded in ``path``.
        self._server = (host, port) if host else None
        self._client: Any = None
        self._collection: Any = None
        self.where = f"http://{host}:{port}" if host else str(path)

    def _get(self) -> Any:
        collection = self._collection
        if collection is not None:
            return collection
        # The API serves requests from a thread pool: without the lock, the first requests of a
        # fresh worker all open the client at once, and chromadb fails most of them (measured:
        # 63 of 80 first queries from 16 threads; 503s under load). One lock for all stores,
        # as chromadb shares its clients per path within a process.
        with _OPEN_LOCK:
            if self._collection is None:
                self._open()
            return self._collection

    def _open(self) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if self._server is not None:
                host, port = self._server
                self._client = chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
            else:
                assert self._path is not None
                self._path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(
                    path=str(self._path), settings=chroma_settings
                )
            self._collection = self._client.get_or_create_collection(
                self.collection_name,
                configuration={"hnsw": HNSW_CONFIG},
                embedding_function=None,
            )
        except Exception as exc:  # chromadb raises many types for an unreachable server
            self._client = None
            raise _unavailable(exc, self.where) from exc

    def _call(self, method: str, **kwargs: Any) -> Any:
        collection = self._get()
        try:
            return getattr(collection, method)(**kwargs)
        except Exception as exc:
            if self._server is not None:  # a server that went away: reconnect on the next call
                self._collection = None
                raise _unavailable(exc, self.where) from exc
            raise

    def upsert(
        self, ids: Sequence[str], vectors: Vectors, metadatas: Metadatas, documents: Sequence[str]
    ) -> None:
        if not ids:
            return
        self._call(
            "upsert",
            ids=list(ids),
            embeddings=np.asarray(vectors, dtype=np.float32),
            metadatas=[dict(m) for m in metadatas],
            documents=list(documents),
        )

    def query(
        self, vector: Vectors, k: int, where: Mapping[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        if where:
            hits = self._query_post_filtered(vector, k, where)
            if hits is not None:
                return hits
        result = self._call(
            "query",
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=k,
            where=dict(where) if where else None,
            include=["distances"],
        )
        ids = result["ids"][0]
        distances = result["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def _query_post_filtered(
        self, vector: Vectors, k: int, where: Mapping[str, Any]
    ) -> list[tuple[str, float]] | None:
        """The filtered top ``k`` taken from an unfiltered top ``POST_FILTER_FACTOR * k``.

        Chroma's own filtered search first lists every row that matches the filter, which at
        100k chunks and a filter matching a quarter of them costs ten times an unfiltered
        query (measured: the p95 tail of efficacy answers, which always search the published
        evidence by source kind). When at least ``k`` of the unfiltered candidates match, they
        are exactly the filtered top ``k``: any matching row outside the candidates is less
        similar than all of them. Otherwise (a rare kind), or for a filter this does not
        understand, None: the caller asks Chroma to filter.
        """
        matches = _matcher(where)
        if matches is None:
            return None
        n = POST_FILTER_FACTOR * k
        result = self._call(
            "query",
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=n,
            include=["distances", "metadatas"],
        )
        ids, distances, metadatas = (
            result["ids"][0],
            result["distances"][0],
            result["metadatas"][0],
        )
        hits = [
            (i, 1.0 - float(d))
            for i, d, m in zip(ids, distances, metadatas, strict=True)
            if matches(m or {})
        ]
        if len(hits) >= k or len(ids) < n:  # enough, or the whole collection was seen
            return hits[:k]
        return None

    def existing(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), 1000):
            got = self._call("get", ids=list(ids[i : i + 1000]), include=[])
            found.update(got["ids"])
        return found

    def delete(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), 1000):
            self._call("delete", ids=list(ids[i : i + 1000]))

    def count(self) -> int:
        return int(self._call("count"))

    def ping(self) -> None:
        try:
            if self._server is not None and self._client is not None:
                self._client.heartbeat()
            self.count()
        except IndexUnavailableError:
            raise
        except Exception as exc:
            self._collection = None
            raise _unavailable(exc, self.where) from exc
