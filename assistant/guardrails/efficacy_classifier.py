"""The learned layer of efficacy detection: a logistic regression over the question's embedding
(the 384-d all-MiniLM-L6-v2 vector the retriever already computes). Its weights ship in
``data/efficacy_classifier.json`` and are trained by ``scripts/train_efficacy_classifier.py``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

CLASSIFIER_FILE = Path(__file__).resolve().parent / "data" / "efficacy_classifier.json"


@dataclass(frozen=True)
class EfficacyClassifier:
    """Logistic regression over a unit-length query embedding."""

    weights: np.ndarray
    bias: float
    threshold: float
    model_prefix: str
    dimension: int
    meta: dict[str, Any]

    @classmethod
    def load(cls, path: Path = CLASSIFIER_FILE) -> EfficacyClassifier | None:
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = np.asarray(data["weights"], dtype=np.float32)
        return cls(
            weights=weights,
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            model_prefix=str(data["model_prefix"]),
            dimension=int(weights.shape[0]),
            meta={k: v for k, v in data.items() if k not in ("weights", "bias")},
        )

    def accepts(self, model_id: str | None, vector: Any) -> bool:
        """Whether the vector comes from the model the classifier was trained on."""
        if vector is None:
            return False
        shape = getattr(vector, "shape", None)
        if shape is None or shape[-1] != self.dimension:
            return False
        return model_id is None or model_id.startswith(self.model_prefix)

    def probability(self, vector: Any) -> float:
        v = np.asarray(vector, dtype=np.float32).reshape(-1)
        z = float(v @ self.weights) + self.bias
        return float(1.0 / (1.0 + np.exp(-z)))


@lru_cache(maxsize=1)
def default_classifier() -> EfficacyClassifier | None:
    return EfficacyClassifier.load()


def classifier_text(standalone: str, expand: Any = None) -> str:
    """The text whose embedding the classifier reads: the retriever's dense query."""
    return expand(standalone) if expand else standalone
