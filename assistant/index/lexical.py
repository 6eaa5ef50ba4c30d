"""BM25 over the visible chunks, saved to disk per index version so it is built once."""

from __future__ import annotations

import bisect
import json
import logging
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np

from assistant.text import terms


class BM25Index:
    """A bm25s index of chunk texts with their ids, in one folder per index version."""

    def __init__(self, model: bm25s.BM25 | None, chunk_ids: list[str], kinds: list[str]) -> None:
        self._model = model
        self.chunk_ids = chunk_ids
        self._kinds = np.asarray(kinds, dtype=object)

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, str]]) -> BM25Index:
        """Index ``(chunk_id, source_kind, text)`` rows."""
        ids: list[str] = []
        kinds: list[str] = []
        tokens: list[list[str]] = []
        for chunk_id, kind, text in rows:
            ids.append(chunk_id)
            kinds.append(kind)
            tokens.append(terms(text) or ["_empty_"])
        if not ids:
            return cls(None, [], [])
        # bm25s sets its own logger to DEBUG, which would print through any root handler.
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        model = bm25s.BM25()
        model.index(tokens, show_progress=False)
        return cls(model, ids, kinds)

    def save(self, folder: Path) -> None:
        """Write the index to ``folder`` atomically; safe when several processes race."""
        tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        tmp.mkdir(parents=True)
        try:
            if self._model is not None:
                self._model.save(str(tmp))
            (tmp / "chunks.json").write_text(
                json.dumps({"ids": self.chunk_ids, "kinds": list(self._kinds)}), encoding="utf-8"
            )
            if not folder.exists():
                tmp.rename(folder)  # a reader sees no folder or the whole new one
        except OSError:
            if not (folder / "chunks.json").exists():
                raise
            # Another process saved the same version first: its copy is as good as ours.
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> BM25Index:
        meta = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
        model = bm25s.BM25.load(str(folder)) if meta["ids"] else None
        return cls(model, meta["ids"], meta["kinds"])

    @cached_property
    def _vocabulary(self) -> list[str]:
        return sorted(self._model.vocab_dict) if self._model is not None else []

    def expand_terms(self, query_terms: list[str]) -> list[str]:
        """Add indexed stems that extend a query stem by up to three letters: the stemmer keeps
        "safe" and "safeti" (safety) apart, and a reader asking "is it safe?" means both."""
        out = list(query_terms)
        vocabulary = self._vocabulary
        for term in query_terms:
            if len(term) < 4:
                continue
            at = bisect.bisect_left(vocabulary, term)
            while at < len(vocabulary) and vocabulary[at].startswith(term):
                word = vocabulary[at]
                if word != term and len(word) <= len(term) + 3:
                    out.append(word)
                at += 1
        return out

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term over the indexed chunks."""
        n = len(self.chunk_ids)
        df = 0
        if self._model is not None:
            token = self._model.vocab_dict.get(term)
            if token is not None:
                indptr = self._model.scores["indptr"]
                df = int(indptr[token + 1] - indptr[token])
        return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))

    def search(
        self, query: str, k: int, source_kinds: Iterable[str] | None = None
    ) -> list[tuple[str, float]]:
        """Best ``k`` chunk ids for ``query`` with BM25 scores (zero scores dropped)."""
        query_terms = self.expand_terms(terms(query))
        if self._model is None or not query_terms:
            return []
        k = min(k, len(self.chunk_ids))
        mask = None
        if source_kinds is not None:
            mask = np.isin(self._kinds, list(source_kinds)).astype(np.float32)
        docs, scores = self._model.retrieve(
            [query_terms], k=k, show_progress=False, weight_mask=mask, n_threads=0
        )
        return [
            (self.chunk_ids[int(d)], float(s))
            for d, s in zip(docs[0], scores[0], strict=True)
            if s > 0
        ]


class LexicalIndexCache:
    """Keeps the BM25 index of the current index version, loading or building it once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._version: int | None = None
        self._index: BM25Index | None = None

    def get(self, version: int, rows: Callable[[], Iterable[tuple[str, str, str]]]) -> BM25Index:
        """The index for ``version``: in memory, else from disk, else built from ``rows()``."""
        with self._lock:
            if self._index is not None and self._version == version:
                return self._index
            path = self.folder / f"v{version}"
            index = None
            if (path / "chunks.json").exists():
                try:
                    index = BM25Index.load(path)
                except (OSError, ValueError):
                    index = None  # removed or replaced under us: build it instead
            if index is None:
                index = BM25Index.build(rows())
                index.save(path)
                self._remove_older(version)
            self._index, self._version = index, version
            return index

    def _remove_older(self, version: int) -> None:
        """Delete saved versions older than ``version`` (never another process's work in
        progress, whose folder name has a suffix)."""
        for old in self.folder.glob("v*"):
            if old.name[1:].isdigit() and int(old.name[1:]) < version:
                shutil.rmtree(old, ignore_errors=True)
