#!/usr/bin/env python
"""Train the guardrails' two learned layers (assistant/guardrails/classifiers.py).

    .venv/bin/python scripts/train_guardrail_classifiers.py [--only efficacy|red_flag]
        [--no-write] [--cache FILE] [--exclude-ids FILE]

Both read the question as the service does, embedded by the guardrails' multilingual encoder
(multilingual-e5-small, assistant/guardrails/encoder.py):

- efficacy: the standalone question (the service's rewriter against the conversation).
  Training data: evals/efficacy_detection.yaml, the dev split of the outside-written set
  (evals/outside/efficacy_detection.dev.yaml) and scripts/efficacy_training_extra.yaml.
- red flags: the patient's message with their previous one (``classifiers.triage_text``).
  Training data: the dev splits of the outside-written triage and patient sets, every question
  of the efficacy sources above as a `none` example, and the lay paraphrases of each concept in
  assistant/guardrails/data/red_flags.yaml.

Never a test split: the script refuses one. The models are L2-regularised logistic regressions
(scikit-learn, used here only; the service reads the weights with numpy). Before the final fit
the script reports cross-validated figures by authoring round (each outside-written round
predicted by a model trained without it), for the classifier alone and combined with the rules
as the service combines them. Each decision threshold is the lowest one
(from --min-threshold up) whose cross-validated false-positive rate, on the negatives the rules
do not already flag, stays within --max-fp (efficacy) or --max-false-alarm (red flags); the
negatives are those of the outside-written set (the hard negatives the eval counts), and the
script prints the cross-validated trade-off at each threshold on that set.
``--exclude-ids`` (a JSON list or one id a line) leaves items out of training, to measure the
classifiers on a held-out slice of dev.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.guardrails.classifiers import EFFICACY_FILE, RED_FLAG_FILE, triage_text  # noqa: E402
from assistant.guardrails.efficacy import EfficacyDetector, signals  # noqa: E402
from assistant.guardrails.encoder import MODEL_ID, QuestionEncoder  # noqa: E402
from assistant.guardrails.triage import RedFlags  # noqa: E402
from assistant.types import Turn  # noqa: E402

EFFICACY_SOURCES = (
    "evals/efficacy_detection.yaml",
    "evals/outside/efficacy_detection.dev.yaml",
    "scripts/efficacy_training_extra.yaml",
)
TRIAGE_SOURCE = "evals/outside/triage.dev.yaml"
PATIENT_SOURCE = "evals/outside/patient_questions.dev.yaml"
PARAPHRASES = "assistant/guardrails/data/red_flags.yaml"
LEVELS = ("none", "urgent", "emergency")


def _turns(history: list[Any] | None) -> list[Turn]:
    return [
        Turn(role="user", content=h) if isinstance(h, str) else Turn(**h) for h in history or []
    ]


def _read(source: str) -> list[dict[str, Any]]:
    path = ROOT / source
    if ".test." in path.name:
        raise SystemExit("refusing to train on a test split")
    return list(yaml.safe_load(path.read_text(encoding="utf-8")) or [])


def efficacy_items(exclude: set[str]) -> list[dict[str, Any]]:
    return [
        {
            "source": source,
            "question": raw["question"],
            "history": _turns(raw.get("history")),
            "label": int(bool(raw["efficacy"])),
            "round": round_of(source, raw.get("id")),
        }
        for source in EFFICACY_SOURCES
        for raw in _read(source)
        if raw.get("id") not in exclude
    ]


def round_of(source: str, item_id: str | None) -> int:
    """The authoring round of an outside-written item (``tr3-...`` is round 3, ``tr-`` round 1);
    0 for the project's own examples, which are always trained on."""
    if "/outside/" not in source:
        return 0
    match = re.match(r"[a-z]+(\d*)-", item_id or "")
    return int(match.group(1) or 1) if match else 0


def _patient_level(expected: Any) -> str:
    statuses = set(expected if isinstance(expected, list) else [expected])
    return "emergency" if "emergency" in statuses else "urgent" if "urgent" in statuses else "none"


def red_flag_items(exclude: set[str]) -> list[dict[str, Any]]:
    items = [
        {
            "source": TRIAGE_SOURCE,
            "question": raw["question"],
            "history": _turns(raw.get("history")),
            "label": LEVELS.index(raw["expected"]),
            "round": round_of(TRIAGE_SOURCE, raw.get("id")),
        }
        for raw in _read(TRIAGE_SOURCE)
        if raw.get("id") not in exclude
    ]
    for raw in _read(PATIENT_SOURCE):
        if raw.get("id") in exclude:
            continue
        *before, last = raw["turns"]
        items.append(
            {
                "source": PATIENT_SOURCE,
                "question": last,
                "history": _turns(before),
                "label": LEVELS.index(_patient_level(raw["expected_status"])),
                "round": round_of(PATIENT_SOURCE, raw.get("id")),
            }
        )
    items += [
        {
            "source": "efficacy sources",
            "question": i["question"],
            "history": i["history"],
            "label": 0,
            "round": i["round"],
        }
        for i in efficacy_items(exclude)
    ]
    flags = RedFlags.load()
    items += [
        {
            "source": PARAPHRASES,
            "question": text,
            "history": [],
            "label": LEVELS.index(concept.level),
            "round": 0,
        }
        for concept in flags.concepts
        for _, text in concept.paraphrases
    ]
    return items


def by_round(
    x: np.ndarray, y: np.ndarray, rounds: np.ndarray, fit: Callable[[np.ndarray, np.ndarray], Any]
) -> np.ndarray:
    """Each outside-written round's class probabilities from a model trained without it (the
    project's own examples are always trained on and get no figure: NaN). A round written by
    other authors is what the classifier meets in use, so this is the honest estimate; folds
    that mix one author's items flatter it."""
    out = np.full((len(y), len(np.unique(y))), np.nan)
    for held in sorted(set(rounds.tolist()) - {0}):
        mask = rounds == held
        out[mask] = fit(x[~mask], y[~mask]).predict_proba(x[mask])
    return out


def choose_threshold(
    positive: np.ndarray, free_negatives: np.ndarray, low: float, most: float
) -> float:
    """The lowest threshold whose rate on the negatives the rules leave free stays within most."""
    for t in np.arange(low, 0.99, 0.01):
        if not free_negatives.any() or float(np.mean(positive[free_negatives] >= t)) <= most:
            return round(float(t), 2)
    return 0.99


def figures(flags: np.ndarray, truth: np.ndarray, mask: np.ndarray) -> dict[str, Any]:
    pos, neg = truth & mask, ~truth & mask
    return {
        "recall": round(float(flags[pos].mean()), 4) if pos.any() else None,
        "false_positive_rate": round(float(flags[neg].mean()), 4) if neg.any() else None,
        "positives": int(pos.sum()),
        "negatives": int(neg.sum()),
    }


def train(
    name: str,
    items: list[dict[str, Any]],
    x: np.ndarray,
    by_rules: np.ndarray,
    vetoed: np.ndarray,
    classes: tuple[str, ...],
    args: argparse.Namespace,
    max_rate: float,
    calibration: str,
) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    y = np.array([i["label"] for i in items])

    def fit(xs: np.ndarray, ys: np.ndarray) -> LogisticRegression:
        return LogisticRegression(C=args.c, class_weight="balanced", max_iter=5000).fit(xs, ys)

    rounds = np.array([i["round"] for i in items])
    positive = 1.0 - by_round(x, y, rounds, fit)[:, 0]
    truth = y > 0
    scored = rounds > 0
    on_set = np.array([i["source"] == calibration for i in items]) & scored
    free = ~truth & ~by_rules & ~vetoed & on_set
    threshold = choose_threshold(positive, free, args.min_threshold, max_rate)
    for t in (0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99):
        flags = by_rules | ((positive >= t) & ~vetoed)
        line = [f"{name} t={t}:"]
        for r in sorted(set(rounds[on_set].tolist())):
            shown = figures(flags, truth, on_set & (rounds == r))
            line.append(f"round {r} recall {shown['recall']} fp {shown['false_positive_rate']};")
        print(" ".join(line))
    alone = positive >= threshold
    combined = by_rules | (alone & ~vetoed)
    report: dict[str, Any] = {}
    for source in ("all", *dict.fromkeys(i["source"] for i in items)):
        mask = np.array([source in ("all", i["source"]) for i in items]) & scored
        if not mask.any():
            continue
        report[source] = {
            "classifier_alone": figures(alone, truth, mask),
            "rules_alone": figures(by_rules, truth, mask),
            "rules_and_classifier": figures(combined, truth, mask),
        }
    print(name, "threshold", threshold)
    if args.show:
        for i, p, r, t in zip(items, positive, by_rules, truth, strict=True):
            if not np.isnan(p) and (p >= threshold) != t and not r and i["source"] == calibration:
                print(f"  {'missed' if t else 'false'} {p:.2f} {i['question'][:150]!r}")
    print(json.dumps(report, indent=2))
    final = fit(x, y)
    return {
        "kind": "logistic-regression",
        "classes": list(classes),
        "model": MODEL_ID,
        "threshold": threshold,
        "trained": dt.date.today().isoformat(),
        "training_size": {c: int((y == k).sum()) for k, c in enumerate(classes)},
        "excluded_ids": len(args.exclude),
        "regularisation_c": args.c,
        "cross_validated": report,
        "bias": [float(b) for b in final.intercept_],
        "weights": [[round(float(w), 6) for w in row] for row in final.coef_],
    }


class CachedEncoder:
    """The encoder, with its vectors kept in a file between runs (``--cache``)."""

    def __init__(self, encoder: QuestionEncoder, path: Path | None) -> None:
        self.encoder, self.path = encoder, path
        self.known: dict[str, np.ndarray] = {}
        if path is not None and path.exists():
            with np.load(path) as data:
                self.known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))

    def encode(self, texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self.known]
        if new:
            self.known.update(zip(new, self.encoder.encode(new), strict=True))
            if self.path is not None:
                np.savez(
                    self.path,
                    texts=np.array(list(self.known)),
                    vectors=np.stack(list(self.known.values())),
                )
        return np.stack([self.known[t] for t in texts])


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--only", choices=("efficacy", "red_flag"))
    parser.add_argument("--c", type=float, default=16.0, help="inverse regularisation strength")
    parser.add_argument("--max-fp", type=float, default=0.015)
    parser.add_argument("--max-false-alarm", type=float, default=0.01)
    parser.add_argument("--min-threshold", type=float, default=0.5)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--show", action="store_true", help="print what the classifier gets wrong")
    parser.add_argument(
        "--cache", type=Path, help="a .npz file that keeps the vectors between runs"
    )
    parser.add_argument("--exclude-ids", type=Path, help="ids to leave out (JSON list or lines)")
    args = parser.parse_args()
    args.exclude = set()
    if args.exclude_ids:
        text = args.exclude_ids.read_text(encoding="utf-8").strip()
        args.exclude = set(json.loads(text)) if text.startswith("[") else set(text.split())

    from assistant.evals.guardrail_sets import ServiceReading

    encoder = CachedEncoder(QuestionEncoder(), args.cache)
    outputs: dict[Path, dict[str, Any]] = {}
    if args.only in (None, "efficacy"):
        items = efficacy_items(args.exclude)
        reading = ServiceReading()
        try:
            standalone = [reading.standalone(i["question"], i["history"]) for i in items]
        finally:
            reading.close()
        rules = EfficacyDetector(classifier=False)
        by_rules = np.array(
            [
                rules.rules(i["question"], s, i["history"])
                for i, s in zip(items, standalone, strict=True)
            ]
        )
        vetoed = np.array(
            [
                signals(i["question"]).vetoed or signals(s).vetoed
                for i, s in zip(items, standalone, strict=True)
            ]
        )
        x = encoder.encode(standalone)
        outputs[EFFICACY_FILE] = train(
            "efficacy",
            items,
            x,
            by_rules,
            vetoed,
            ("other", "efficacy"),
            args,
            args.max_fp,
            EFFICACY_SOURCES[1],
        )
    if args.only in (None, "red_flag"):
        from assistant.guardrails.triage import triage

        items = red_flag_items(args.exclude)
        by_rules = np.array([triage(i["question"], i["history"]) is not None for i in items])
        x = encoder.encode([triage_text(i["question"], i["history"]) for i in items])
        outputs[RED_FLAG_FILE] = train(
            "red_flag",
            items,
            x,
            by_rules,
            np.zeros(len(items), bool),
            LEVELS,
            args,
            args.max_false_alarm,
            TRIAGE_SOURCE,
        )
    if not args.no_write:
        for path, payload in outputs.items():
            path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
