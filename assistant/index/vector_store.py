"""Vector stores: Chroma, embedded in the data folder or a Chroma server."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.embedding import Vectors
from assistant.errors import IndexUnavailableError

# HNSW settings, fixed when the collection is created: cosine space for normalised vectors;
# ef_construction 200 and 32 neighbours give recall above 0.95 at 1M vectors at modest build
# cost; ef_search 100 keeps query time low.
HNSW_CONFIG: dict[str, Any] = {
    "space": "cosine",
    "ef_construction": 200,
    "max_neighbors": 32,
    "ef_search": 100,
}


class VectorStore(Protocol):
    """What the index needs from a vector store."""

    def upsert(
        self,
        ids: Sequence[str],
        vectors: Vectors,
        metadatas: Sequence[Mapping[str, str | int | float | bool]],
        documents: Sequence[str],
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
        self._host = host
        self._port = port
        self._client: Any = None
        self._collection: Any = None
        self.where = f"http://{host}:{port}" if host else str(path)

    def _get(self) -> Any:
        if self._collection is not None:
            return self._collection
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if self._host:
                self._client = chromadb.HttpClient(
                    host=self._host, port=self._port, settings=chroma_settings
                )
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
        return self._collection

    def _call(self, method: str, **kwargs: Any) -> Any:
        collection = self._get()
        try:
            return getattr(collection, method)(**kwargs)
        except Exception as exc:
            if self._host:  # a server that went away: reconnect on the next call
                self._collection = None
                raise _unavailable(exc, self.where) from exc
            raise

    def upsert(
        self,
        ids: Sequence[str],
        vectors: Vectors,
        metadatas: Sequence[Mapping[str, str | int | float | bool]],
        documents: Sequence[str],
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
            if self._host and self._client is not None:
                self._client.heartbeat()
            self.count()
        except IndexUnavailableError:
            raise
        except Exception as exc:
            self._collection = None
            raise _unavailable(exc, self.where) from exc
