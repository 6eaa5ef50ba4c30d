"""``assistant eval guardrails``: the guardrails on question sets written outside the project.

    assistant eval guardrails --split dev|test [--json] [--show-failures] [--thresholds FILE]

Two sets in ``evals/outside/``, each split into ``dev`` (to tune on) and ``test`` (to report):

- ``efficacy_detection.<split>.yaml``: questions (with earlier patient messages) labelled
  efficacy or not, with the treatment asked about;
- ``triage.<split>.yaml``: symptom descriptions labelled ``emergency``, ``urgent`` or ``none``.

Each question is read the way the service reads it: rewritten against the conversation by the
service's query rewriter; the guardrail layer then runs on it, encoding with the service's
model what its classifiers read (with no retrieved answer, so what is measured is the
guardrails themselves). Figures, for the whole split and per language:

- efficacy recall and false-positive rate;
- caveat about the treatment asked: among efficacy items that name a treatment, the share whose
  caveat has an entry for it: the registry procedure the treatment names (the general position
  on migraine surgery counts for trigger-site surgery, the registry's "migraine surgery"), the
  catalogue treatment it names, or else, for a treatment neither knows, a word of its name in
  the caveat. "X vs Y" needs both. A missed efficacy question has no caveat, so it fails;
- red-flag recall (emergency and urgent both count as flagged), exact-level accuracy and the
  false-alarm rate on items expected ``none``.

With ``--split test`` nothing about single items is shown: only the aggregate figures.
The exit status is 1 when a guardrail threshold of evals/thresholds.yaml fails.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.evidence import EvidenceRegistry
from assistant.guardrails.caveat import GENERAL_NAME
from assistant.guardrails.layer import GuardrailLayer
from assistant.guardrails.treatments import TreatmentCatalogue, default_catalogue
from assistant.paths import eval_path, knowledge_dir
from assistant.text import fold
from assistant.types import Answer, EvidenceStatus, Turn

SPLITS = ("dev", "test")
SETS = {"efficacy": "efficacy_detection", "triage": "triage"}
SET_NAMES = tuple(SETS)
LANGUAGES = ("en", "es", "fr", "de", "nl", "pt", "it")
METRIC_NAMES = (
    "guardrail_efficacy_recall",
    "guardrail_efficacy_false_positive_rate",
    "guardrail_caveat_about_asked",
    "guardrail_red_flag_recall",
    "guardrail_triage_level_accuracy",
    "guardrail_triage_false_alarm_rate",
)


def outside_folder() -> Path:
    """``outside/`` of the eval data: the working directory's ``evals/``, else the shipped one."""
    return eval_path("outside")


def set_path(name: str, split: str, folder: Path | None = None) -> Path:
    """The file of an outside set: ``name`` is ``efficacy`` or ``triage``."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    return (folder or outside_folder()) / f"{SETS[name]}.{split}.yaml"


def load_set(name: str, split: str, folder: Path | None = None) -> list[dict[str, Any]]:
    """The items of an outside set, as written."""
    path = set_path(name, split, folder)
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a list of items")
    return items


def turns_of(item: Mapping[str, Any]) -> list[Turn]:
    """An item's history (earlier patient messages, or {role, content} turns)."""
    out = []
    for h in item.get("history") or []:
        out.append(Turn(role="user", content=h) if isinstance(h, str) else Turn(**h))
    return out


# ---- how the service reads a question ------------------------------------------------------------
class ServiceReading:
    """The service's own rewriter, dense query text, embedder and guardrail layer, built over a
    throwaway data folder (nothing is indexed: the guardrails do not need an index)."""

    def __init__(self, embedder: Any = None, assistant: Any = None) -> None:
        from assistant.service import Assistant
        from assistant.settings import Settings

        self._tmp: str | None = None
        if assistant is None:
            self._tmp = tempfile.mkdtemp(prefix="guardrail-eval-")
            settings = Settings(
                knowledge_dir=knowledge_dir(), data_dir=Path(self._tmp), generator="none"
            )
            assistant = Assistant(settings, embedder=embedder)
        self.assistant = assistant
        self.registry: EvidenceRegistry = assistant.registry

    @property
    def layer(self) -> GuardrailLayer:
        layer: GuardrailLayer = self.assistant.guardrails
        return layer

    def standalone(self, question: str, history: Sequence[Turn]) -> str:
        return str(self.assistant.query_rewriter.rewrite(question, history))

    def guard(self, items: Sequence[Mapping[str, Any]]) -> list[Answer]:
        """The guarded Answer of each item (question, history), as the service would give."""
        layer = self.layer
        out = []
        for item in items:
            turns = turns_of(item)
            standalone = self.standalone(item["question"], turns)
            # The answer's sentence matching is not measured: its encoding is not made.
            reading = layer.read(item["question"], standalone, turns, keep_vector=False)
            composed = Answer(
                question=item["question"],
                standalone_question=standalone,
                status="answered",
                answer="",
            )
            out.append(layer.apply(composed, turns, reading))
        return out

    def close(self) -> None:
        if self._tmp is not None:
            self.assistant.close()
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None


# ---- does a caveat name the treatment asked? ----------------------------------------------------
_PARTS = re.compile(r"\s+(?:vs\.?|versus|or|and|/)\s+", re.IGNORECASE)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def names_treatment(
    treatment: str,
    evidence: Sequence[EvidenceStatus],
    caveat: str | None,
    registry: EvidenceRegistry,
    catalogue: TreatmentCatalogue | None = None,
) -> bool:
    """Whether a caveat has an entry for ``treatment`` (every part of an "X vs Y")."""
    if not caveat:
        return False
    catalogue = catalogue or default_catalogue()
    names = [e.procedure for e in evidence]
    folded = fold(caveat)

    def one(part: str) -> bool:
        procedures = registry.find(part)
        if procedures:
            if any(p.name in names for p in procedures):
                return True
            general_ok = procedures[0].id == "trigger-site-surgery"
            return general_ok and GENERAL_NAME in names
        mentions = catalogue.find(part)
        if mentions and mentions[0].treatment is not None:
            label = _cap(mentions[0].treatment.name)
            return any(n.startswith(label) for n in names)
        words = [w for w in re.findall(r"\w+", fold(part)) if len(w) >= 4]
        return any(w[:5] in folded for w in words)

    parts = [p for p in _PARTS.split(treatment.strip()) if p.strip()]
    return all(one(p) for p in parts)


# ---- figures -------------------------------------------------------------------------------------
@dataclass
class Rate:
    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hits += int(hit)
        self.total += 1

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def json(self) -> dict[str, Any]:
        value = self.value
        return {
            "value": None if value is None else round(value, 4),
            "hits": self.hits,
            "n": self.total,
        }


@dataclass
class Figures:
    """One row of figures (the whole split, or one language)."""

    rates: dict[str, Rate] = field(default_factory=lambda: defaultdict(Rate))

    def json(self) -> dict[str, Any]:
        return {name: self.rates[name].json() for name in METRIC_NAMES if name in self.rates}


@dataclass
class Result:
    split: str
    overall: Figures
    by_language: dict[str, Figures]
    failures: dict[str, list[str]]
    classifiers: dict[str, Any] | None  # the learned layers: threshold, training, figures

    def metrics(self) -> dict[str, float | None]:
        return {name: self.overall.rates[name].value for name in METRIC_NAMES}


def efficacy_figures(
    items: Sequence[Mapping[str, Any]],
    answers: Sequence[Answer],
    registry: EvidenceRegistry,
    add: Callable[[str, str, str, bool], None],
) -> None:
    catalogue = default_catalogue()
    for item, answer in zip(items, answers, strict=True):
        lang = str(item.get("lang", "?"))
        flagged = answer.efficacy_question
        if item["efficacy"]:
            add(lang, "guardrail_efficacy_recall", item["id"], flagged)
            treatment = str(item.get("treatment") or "").strip()
            if treatment:
                named = names_treatment(
                    treatment, answer.evidence, answer.caveat, registry, catalogue
                )
                add(lang, "guardrail_caveat_about_asked", item["id"], named)
        else:
            # A false positive is a hit of this rate (lower is better).
            add(lang, "guardrail_efficacy_false_positive_rate", item["id"], flagged)


def triage_figures(
    items: Sequence[Mapping[str, Any]],
    answers: Sequence[Answer],
    add: Callable[[str, str, str, bool], None],
) -> None:
    for item, answer in zip(items, answers, strict=True):
        lang = str(item.get("lang", "?"))
        expected = str(item["expected"])
        got = answer.status if answer.status in ("emergency", "urgent") else "none"
        add(lang, "guardrail_triage_level_accuracy", item["id"], got == expected)
        if expected == "none":
            add(lang, "guardrail_triage_false_alarm_rate", item["id"], got != "none")
        else:
            add(lang, "guardrail_red_flag_recall", item["id"], got != "none")


def evaluate(
    split: str,
    reading: ServiceReading | None = None,
    folder: Path | None = None,
    embedder: Any = None,
    sets: Sequence[str] = SET_NAMES,
) -> Result:
    """Run the guardrails over the outside sets of one split (both unless ``sets`` names one:
    the figures of a set not run are empty)."""
    own = reading is None
    reading = reading or ServiceReading(embedder=embedder)
    try:
        overall = Figures()
        by_language: dict[str, Figures] = defaultdict(Figures)
        failures: dict[str, list[str]] = defaultdict(list)

        def add(lang: str, metric: str, item_id: str, hit: bool) -> None:
            overall.rates[metric].add(hit)
            by_language[lang].rates[metric].add(hit)
            lower_is_better = metric.endswith(("false_positive_rate", "false_alarm_rate"))
            if hit == lower_is_better:
                failures[metric].append(item_id)

        if "efficacy" in sets:
            efficacy = load_set("efficacy", split, folder)
            efficacy_figures(efficacy, reading.guard(efficacy), reading.registry, add)
        if "triage" in sets:
            triage = load_set("triage", split, folder)
            triage_figures(triage, reading.guard(triage), add)
        learned = {
            "efficacy": reading.layer.detector.classifier,
            "red_flag": reading.layer.red_flags,
        }
        meta = {
            name: {
                "model": classifier.model,
                "threshold": classifier.threshold,
                "trained": classifier.meta.get("trained"),
                "cross_validated": classifier.meta.get("cross_validated"),
            }
            for name, classifier in learned.items()
            if classifier is not None
        }
        return Result(split, overall, dict(by_language), dict(failures), meta or None)
    finally:
        if own:
            reading.close()


# ---- the command ---------------------------------------------------------------------------------
_COLUMNS = (
    ("guardrail_efficacy_recall", "eff.recall"),
    ("guardrail_efficacy_false_positive_rate", "eff.FP"),
    ("guardrail_caveat_about_asked", "caveat"),
    ("guardrail_red_flag_recall", "flag.recall"),
    ("guardrail_triage_level_accuracy", "level.acc"),
    ("guardrail_triage_false_alarm_rate", "false.alarm"),
)


def _cell(rate: Rate | None) -> str:
    if rate is None or rate.value is None:
        return "-"
    return f"{rate.value:.3f} ({rate.hits}/{rate.total})"


def table(result: Result) -> str:
    head = ["lang", *(label for _, label in _COLUMNS)]
    rows = [head]
    langs = [lang for lang in LANGUAGES if lang in result.by_language]
    langs += sorted(set(result.by_language) - set(LANGUAGES))
    for lang in langs:
        figures = result.by_language[lang]
        rows.append([lang, *(_cell(figures.rates.get(n)) for n, _ in _COLUMNS)])
    rows.append(["all", *(_cell(result.overall.rates.get(n)) for n, _ in _COLUMNS)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def check(result: Result, thresholds: Mapping[str, Any]) -> list[dict[str, Any]]:
    from assistant.evals.metrics import check_threshold

    out = []
    values = result.metrics()
    for name in METRIC_NAMES:
        if name not in thresholds:
            continue
        bound = thresholds[name].item
        out.append(
            {
                "metric": name,
                "value": values[name],
                "min": bound.min,
                "max": bound.max,
                "status": check_threshold(values[name], bound.min, bound.max),
            }
        )
    return out


def run_command(
    split: str,
    *,
    as_json: bool = False,
    show_failures: bool = False,
    thresholds: Path | None = None,
    folder: Path | None = None,
    assistant: Any = None,
    embedder: Any = None,
) -> int:
    """``assistant eval guardrails``: the figures of ``split``, printed; the exit status."""
    if show_failures and split == "test":
        print("error: --show-failures is for the dev split only", file=sys.stderr)
        return 2
    from assistant.evals.runner import load_thresholds

    thresholds_file = thresholds or eval_path("thresholds.yaml")
    bounds = load_thresholds(thresholds_file)
    reading = ServiceReading(embedder=embedder, assistant=assistant)
    try:
        result = evaluate(split, reading, folder)
    finally:
        reading.close()
    checked = check(result, bounds)
    failed = [c for c in checked if c["status"] == "fail"]
    if as_json:
        data: dict[str, Any] = {
            "split": result.split,
            "overall": result.overall.json(),
            "by_language": {k: v.json() for k, v in sorted(result.by_language.items())},
            "thresholds": checked,
            "classifiers": result.classifiers,
        }
        if show_failures:
            data["failures"] = result.failures
        print(json.dumps(data, indent=2))
    else:
        print(f"Guardrails on the outside-written sets, split {result.split}\n")
        print(table(result))
        print()
        for c in checked:
            bound = f">= {c['min']}" if c["min"] is not None else f"<= {c['max']}"
            value = "-" if c["value"] is None else f"{c['value']:.3f}"
            print(f"{c['status']:>12}  {c['metric']} = {value} (threshold {bound})")
        if show_failures:
            for metric, ids in sorted(result.failures.items()):
                print(f"\n{metric}: {', '.join(ids)}")
    return 1 if failed else 0
