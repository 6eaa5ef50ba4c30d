#!/usr/bin/env python
"""Train the efficacy classifier that backs the rules in assistant/guardrails/efficacy.py.

    .venv/bin/python scripts/train_efficacy_classifier.py [--out FILE] [--folds 5] [--no-write]
        [--exclude-ids FILE] [--min-threshold 0.9]

Training data: the project's labelled set (evals/efficacy_detection.yaml), the dev split of the
outside-written set (evals/outside/efficacy_detection.dev.yaml; never the test split) and the
hand-written extra examples in scripts/efficacy_training_extra.yaml. Each question is read the
way the service reads it (assistant.evals.guardrail_sets.ServiceReading): rewritten against the
conversation by the service's query rewriter, turned into the retriever's dense query text and
embedded with the packaged all-MiniLM-L6-v2 model, the vector the retriever computes.

Each item gives two training rows: the embedding of the retriever's dense query text (what
the service embeds at run time) and that of the standalone question.

The model is an L2-regularised logistic regression (scikit-learn, used here only; the service
reads the weights with numpy). Before the final fit the script reports a stratified k-fold
cross-validated figure, for the classifier alone and for rules + classifier as the detector
combines them, so the dev figure of a classifier trained on dev is not the only one reported.
The decision threshold is the lowest one (from --min-threshold up) whose cross-validated
false-positive rate, on the negatives that neither the rules nor a veto already decide, stays
within --max-fp. ``--exclude-ids`` (a JSON list or one id a line) leaves items out of training,
to measure the classifier on a held-out slice of dev.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.embedding import SentenceTransformerEmbedder  # noqa: E402
from assistant.guardrails.efficacy import (  # noqa: E402
    CLASSIFIER_FILE,
    EfficacyDetector,
    signals,
)
from assistant.types import Turn  # noqa: E402

SOURCES = (
    "evals/efficacy_detection.yaml",
    "evals/outside/efficacy_detection.dev.yaml",
    "scripts/efficacy_training_extra.yaml",
)


def _turns(history: list | None) -> list[Turn]:
    out = []
    for h in history or []:
        out.append(Turn(role="user", content=h) if isinstance(h, str) else Turn(**h))
    return out


def load_items(exclude: set[str] = frozenset()) -> list[dict]:  # type: ignore[assignment]
    items = []
    for source in SOURCES:
        path = ROOT / source
        if "test" in path.name:
            raise SystemExit("refusing to train on a test split")
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if raw.get("id") in exclude:
                continue
            items.append(
                {
                    "source": source,
                    "question": raw["question"],
                    "history": _turns(raw.get("history")),
                    "efficacy": bool(raw["efficacy"]),
                }
            )
    return items


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=CLASSIFIER_FILE)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, default=4.0, help="inverse regularisation strength")
    parser.add_argument("--max-fp", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--exclude-ids", type=Path, help="ids to leave out (JSON list or lines)")
    parser.add_argument(
        "--min-threshold",
        type=float,
        default=0.9,
        help="lowest decision threshold considered: the classifier catches few questions the "
        "rules miss, so a high threshold keeps the false positives it adds down",
    )
    args = parser.parse_args()
    exclude: set[str] = set()
    if args.exclude_ids:
        text = args.exclude_ids.read_text(encoding="utf-8").strip()
        exclude = set(json.loads(text)) if text.startswith("[") else set(text.split())

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from assistant.evals.guardrail_sets import ServiceReading

    items = load_items(exclude)
    reading = ServiceReading(embedder=SentenceTransformerEmbedder())
    try:
        for item in items:
            item["standalone"] = reading.standalone(item["question"], item["history"])
            item["query"] = reading.query_text(item["standalone"])
        # Two rows per item: the retriever's dense query (what the service embeds) and the
        # standalone question itself, so the classifier does not hang on one query wording.
        x_query = reading.vectors([i["query"] for i in items])
        x_plain = reading.vectors([i["standalone"] for i in items])
    finally:
        reading.close()
    y = np.array([item["efficacy"] for item in items], dtype=int)
    rules = EfficacyDetector(classifier=False)
    by_rules = np.array(
        [rules.rules(i["question"], i["standalone"], i["history"]) for i in items], dtype=bool
    )
    vetoed = np.array(
        [signals(i["question"]).vetoed or signals(i["standalone"]).vetoed for i in items],
        dtype=bool,
    )

    def model() -> LogisticRegression:
        return LogisticRegression(C=args.c, class_weight="balanced", max_iter=5000)

    def fit(rows: np.ndarray) -> LogisticRegression:
        return model().fit(np.vstack([x_query[rows], x_plain[rows]]), np.concatenate([y[rows]] * 2))

    folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
    cv_prob = np.zeros(len(items))
    for train, held in folds.split(x_query, y):
        cv_prob[held] = fit(train).predict_proba(x_query[held])[:, 1]

    free_neg = (y == 0) & ~vetoed & ~by_rules
    threshold = 0.99
    for t in np.arange(args.min_threshold, 0.99, 0.01):
        fp = float(np.mean(cv_prob[free_neg] >= t)) if free_neg.any() else 0.0
        if fp <= args.max_fp:
            threshold = round(float(t), 2)
            break

    def figures(flags: np.ndarray, mask: np.ndarray) -> dict:
        pos, neg = (y == 1) & mask, (y == 0) & mask
        return {
            "recall": round(float(flags[pos].mean()), 4) if pos.any() else None,
            "false_positive_rate": round(float(flags[neg].mean()), 4) if neg.any() else None,
            "positives": int(pos.sum()),
            "negatives": int(neg.sum()),
        }

    alone = cv_prob >= threshold
    combined = by_rules | (alone & ~vetoed)
    report: dict = {"threshold": threshold, "cross_validated": {}}
    for source in ("all", *SOURCES):
        mask = (
            np.ones(len(items), bool)
            if source == "all"
            else np.array([i["source"] == source for i in items])
        )
        report["cross_validated"][source] = {
            "classifier_alone": figures(alone, mask),
            "rules_alone": figures(by_rules, mask),
            "rules_and_classifier": figures(combined, mask),
            "classifier_catches_what_rules_miss": int(
                (alone & ~vetoed & ~by_rules & (y == 1) & mask).sum()
            ),
        }
    print(json.dumps(report, indent=2))

    final = fit(np.arange(len(items)))
    if not args.no_write:
        payload = {
            "kind": "logistic-regression",
            "model_prefix": "all-MiniLM-L6-v2",
            "input": "the retriever's dense query embedding (all-MiniLM-L6-v2, L2-normalised); "
            "trained on the service's dense query text and on the standalone question",
            "threshold": threshold,
            "trained": dt.date.today().isoformat(),
            "training_sources": list(SOURCES),
            "training_size": {"efficacy": int(y.sum()), "other": int((1 - y).sum())},
            "excluded_ids": len(exclude),
            "regularisation_c": args.c,
            "cross_validated": report["cross_validated"],
            "bias": float(final.intercept_[0]),
            "weights": [round(float(w), 6) for w in final.coef_[0]],
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
        print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
