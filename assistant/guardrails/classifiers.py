"""The learned layers of the guardrails: linear classifiers over the question's multilingual
embedding (``encoder.QuestionEncoder``), shipped as data and read with numpy.

- ``data/efficacy_classifier.json``: does the question ask whether a treatment works?
  (classes ``other``, ``efficacy``; a logistic regression.)
- ``data/red_flag_classifier.json``: does the message describe symptoms that need care today?
  (classes ``none``, ``urgent``, ``emergency``; a multinomial logistic regression.)

Both are trained by ``scripts/train_guardrail_classifiers.py``, which chooses each decision
threshold by cross-validation and writes its cross-validated figures into the file. A classifier
whose file names another embedding model than the encoder's is refused at load.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.guardrails.encoder import MODEL_ID
from assistant.types import Turn

DATA = Path(__file__).resolve().parent / "data"
EFFICACY_FILE = DATA / "efficacy_classifier.json"
RED_FLAG_FILE = DATA / "red_flag_classifier.json"


@dataclass(frozen=True)
class LinearClassifier:
    """Softmax over ``classes`` (a logistic regression when one row of weights scores the
    second class against the first). ``threshold`` applies to the probability that a text is
    not of the first class."""

    classes: tuple[str, ...]
    weights: np.ndarray  # (1, d) for two classes, else (len(classes), d)
    bias: np.ndarray
    threshold: float
    model: str
    meta: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> LinearClassifier:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["model"] != MODEL_ID:
            raise ValueError(f"{path.name} was trained on {data['model']}, not {MODEL_ID}")
        weights = np.atleast_2d(np.asarray(data["weights"], dtype=np.float32))
        return cls(
            classes=tuple(data["classes"]),
            weights=weights,
            bias=np.atleast_1d(np.asarray(data["bias"], dtype=np.float32)),
            threshold=float(data["threshold"]),
            model=str(data["model"]),
            meta={k: v for k, v in data.items() if k not in ("weights", "bias")},
        )

    @property
    def dimension(self) -> int:
        return int(self.weights.shape[1])

    def probabilities(self, vector: Any) -> dict[str, float]:
        """The probability of each class for one embedding."""
        v = np.asarray(vector, dtype=np.float32).reshape(-1)
        scores = self.weights @ v + self.bias
        if len(self.classes) == 2 and scores.shape[0] == 1:
            positive = float(1.0 / (1.0 + np.exp(-float(scores[0]))))
            return {self.classes[0]: 1.0 - positive, self.classes[1]: positive}
        exp = np.exp(scores - scores.max())
        return dict(zip(self.classes, (exp / exp.sum()).tolist(), strict=True))

    def flags(self, vector: Any) -> bool:
        """Whether the text is, by the threshold, not of the first class."""
        return 1.0 - self.probabilities(vector)[self.classes[0]] >= self.threshold


@lru_cache(maxsize=1)
def efficacy_classifier() -> LinearClassifier:
    return LinearClassifier.load(EFFICACY_FILE)


@lru_cache(maxsize=1)
def red_flag_classifier() -> LinearClassifier:
    return LinearClassifier.load(RED_FLAG_FILE)


def triage_text(question: str, history: Sequence[Turn] = ()) -> str:
    """What the red-flag classifier reads: the message, after the patient's previous one (a
    symptom told in one message and "what should I do?" in the next read together)."""
    earlier = [t.content for t in history if t.role == "user"]
    return f"{earlier[-1]} {question}" if earlier else question
