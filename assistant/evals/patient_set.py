"""``assistant eval patients``: outside-written patient questions, asked as conversations.

Each item is a conversation of patient messages (oldest first). Earlier turns are answered by
the assistant itself and fed back as history, so a follow-up is read the way a patient would
experience it. The last answer is scored:

- status accuracy: the status is one of the expected ones;
- completeness (items expected to be answered, with phrase groups): the answer text plus its
  citation quotes (Markdown removed, case-insensitive, whitespace collapsed) contains one
  phrase of every group;
- false refusals: expected ``answered`` (only), got ``no_evidence``;
- wrong procedure: a cited quote is tagged with, or mentions, only procedures other than the
  ones the item names (items that name procedures);
- empty answers: status ``answered`` with no text.

Figures are given for the whole split and per language. Asking and scoring are separate: the
raw answers can be saved (``--save``) and scored again later (``--rescore``) with the same
rules, so a baseline stays comparable after the code changes.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from assistant.evals.metrics import check_threshold, normalise
from assistant.guardrails.treatments import default_catalogue
from assistant.paths import eval_path

SPLITS = ("dev", "test")
METRIC_NAMES = {
    "status_accuracy": "patient_status_accuracy",
    "completeness": "patient_completeness",
    "false_refusal_rate": "patient_false_refusal_rate",
    "wrong_procedure_rate": "patient_wrong_procedure_rate",
    "empty_answered": "patient_empty_answers",
}


class PatientItem(BaseModel):
    """One outside-written question (a conversation of patient turns)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    turns: list[str] = Field(min_length=1)
    kind: str = ""
    facet: str = ""
    language: str = "en"
    expected_status: str | list[str]
    efficacy: bool = False
    procedures: list[str] = Field(default_factory=list)
    must_contain_any: list[list[str]] = Field(default_factory=list)

    @property
    def expected(self) -> tuple[str, ...]:
        value = self.expected_status
        return (value,) if isinstance(value, str) else tuple(value)


def split_path(split: str, folder: Path | None = None) -> Path:
    """A split's file in ``folder``, by default ``outside/`` of the eval data."""
    base = folder or eval_path("outside")
    return base / f"patient_questions.{split}.yaml"


def load_items(path: Path) -> list[PatientItem]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [PatientItem.model_validate(item) for item in data]


# ---- asking -------------------------------------------------------------------------------
def ask_item(assistant: Any, item: PatientItem) -> dict[str, Any]:
    """Ask the turns in order, each with the earlier turns and answers as history."""
    history: list[dict[str, str]] = []
    answers = []
    for turn in item.turns:
        answer = assistant.ask(turn, history)
        answers.append(answer)
        history += [
            {"role": "user", "content": turn},
            {"role": "assistant", "content": answer.answer},
        ]
    last = answers[-1]
    return {
        "id": item.id,
        "language": item.language,
        "status": last.status,
        "answer": last.answer,
        "standalone_question": last.standalone_question,
        "citations": [
            {
                "n": c.n,
                "doc_id": c.doc_id,
                "chunk_id": c.chunk_id,
                "quote": c.quote,
                "start": c.start,
                "end": c.end,
                "source_kind": c.source_kind,
            }
            for c in last.citations
        ],
        "earlier": [{"status": a.status, "answer": a.answer} for a in answers[:-1]],
        "latency_ms": last.timings_ms.get("total"),
    }


# ---- scoring ------------------------------------------------------------------------------
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(\*\*|__|\*|`|^#{1,6}\s+|^>\s?)", re.M)
_MARKER = re.compile(r"\s?\[\d{1,3}\]")


def plain(text: str) -> str:
    """Text with Markdown and citation markers removed, normalised for phrase matching."""
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_MARKS.sub("", text)
    text = _MARKER.sub("", text)
    return normalise(text)


def complete(record: Mapping[str, Any], groups: Sequence[Sequence[str]]) -> bool:
    """One phrase of every group in the answer text plus the citation quotes."""
    body = plain(record["answer"] + "\n" + "\n".join(c["quote"] for c in record["citations"]))
    return all(any(plain(p) in body for p in group) for group in groups)


QuoteTopics = Callable[[Mapping[str, Any]], frozenset[str]]
"""The procedures (registry ids) a cited quote is about."""
NameTopics = Callable[[str], frozenset[str]]
"""The registry ids a procedure name of an item stands for (empty when it names none)."""


def wrong_procedure(
    record: Mapping[str, Any],
    item: PatientItem,
    quote_topics: QuoteTopics,
    name_topics: NameTopics,
) -> list[str]:
    """Quotes about procedures other than the item's (empty when the item names none)."""
    if not item.procedures:
        return []
    wanted: set[str] = set()
    plain_names: list[str] = []
    for name in item.procedures:
        ids = name_topics(name)
        if ids:
            wanted |= ids
        else:
            plain_names.append(name)
    wrong = []
    for citation in record["citations"]:
        topics = quote_topics(citation)
        if not topics or topics & wanted:
            continue
        if any(plain(n) in plain(citation["quote"]) for n in plain_names):
            continue  # the quote names the treatment the item asks about
        quote = plain(citation["quote"])
        if any(plain(p) in quote for group in item.must_contain_any for p in group):
            continue  # the quote holds the expected answer (lifestyle advice naming yoga)
        wrong.append(citation["quote"])
    return wrong


@dataclass
class Scored:
    item: PatientItem
    record: dict[str, Any]
    status_ok: bool
    answerable: bool
    complete: bool | None
    false_refusal: bool | None
    wrong_quotes: list[str]
    empty: bool

    def failures(self) -> list[str]:
        out = []
        if not self.status_ok:
            out.append(f"status {self.record['status']}, expected {'/'.join(self.item.expected)}")
        if self.complete is False:
            out.append("incomplete")
        if self.wrong_quotes:
            out.append("wrong procedure")
        if self.empty:
            out.append("empty answered answer")
        return out


def score(
    item: PatientItem, record: dict[str, Any], quote_topics: QuoteTopics, name_topics: NameTopics
) -> Scored:
    status = record["status"]
    answerable = "answered" in item.expected and bool(item.must_contain_any)
    only_answered = item.expected == ("answered",)
    return Scored(
        item=item,
        record=record,
        status_ok=status in item.expected,
        answerable=answerable,
        complete=complete(record, item.must_contain_any) if answerable else None,
        false_refusal=(status == "no_evidence") if only_answered else None,
        wrong_quotes=wrong_procedure(record, item, quote_topics, name_topics),
        empty=status == "answered" and not record["answer"].strip(),
    )


def _share(values: Iterable[bool | None]) -> dict[str, Any]:
    kept = [bool(v) for v in values if v is not None]
    return {"value": (sum(kept) / len(kept)) if kept else None, "hits": sum(kept), "n": len(kept)}


def figures(scored: Sequence[Scored]) -> dict[str, dict[str, Any]]:
    return {
        "status_accuracy": _share(s.status_ok for s in scored),
        "completeness": _share(s.complete for s in scored),
        "false_refusal_rate": _share(s.false_refusal for s in scored),
        "wrong_procedure_rate": _share(bool(s.wrong_quotes) for s in scored),
        "empty_answered": {
            "value": float(sum(s.empty for s in scored)),
            "hits": sum(s.empty for s in scored),
            "n": len(scored),
        },
    }


def report(scored: Sequence[Scored], split: str) -> dict[str, Any]:
    languages = sorted({s.item.language for s in scored})
    return {
        "split": split,
        "items": len(scored),
        "overall": figures(scored),
        "by_language": {
            lang: {"items": n, **figures(group)}
            for lang in languages
            for group in [[s for s in scored if s.item.language == lang]]
            for n in [len(group)]
        },
    }


def _pct(entry: Mapping[str, Any], key: str) -> str:
    fig = entry[key]
    if key == "empty_answered":
        return f"{fig['hits']}"
    if fig["value"] is None:
        return "  n/a"
    return f"{100 * fig['value']:5.1f}% ({fig['hits']}/{fig['n']})"


def table(data: Mapping[str, Any]) -> list[str]:
    keys = list(METRIC_NAMES)
    head = ["status acc", "complete", "false refusal", "wrong proc", "empty"]
    lines = [f"split {data['split']}: {data['items']} items"]
    lines.append(f"{'':8}" + "".join(f"{h:>20}" for h in head))
    rows = [("all", data["overall"]), *data["by_language"].items()]
    for name, entry in rows:
        lines.append(f"{name:8}" + "".join(f"{_pct(entry, k):>20}" for k in keys))
    return lines


def check_thresholds(
    data: Mapping[str, Any], thresholds: Mapping[str, Any]
) -> list[tuple[str, float | None, str]]:
    """(metric, value, pass|fail|not measured) for each patient threshold in the file."""
    out = []
    for key, name in METRIC_NAMES.items():
        if name not in thresholds:
            continue
        bound = thresholds[name].item
        value = data["overall"][key]["value"]
        out.append((name, value, check_threshold(value, bound.min, bound.max)))
    return out


# ---- topics of quotes and names -----------------------------------------------------------
def topic_functions(assistant: Any) -> tuple[QuoteTopics, NameTopics]:
    """How the assistant's own unit tags (and the registry) see quotes and item names."""
    registry = assistant.registry
    units = getattr(assistant, "units", None)

    catalogue = default_catalogue()

    def mentioned(text: str) -> frozenset[str]:
        """The registry procedures a text names, and the catalogue's treatments ("Botox as a
        test before surgery" and a quote that names Botox share ``treatment:botox``)."""
        treatments = {
            f"treatment:{m.treatment.id}" for m in catalogue.find(text) if m.treatment is not None
        }
        return frozenset(p.id for p in registry.find(text)) | treatments

    def quote_topics(citation: Mapping[str, Any]) -> frozenset[str]:
        tagged: Iterable[str] = ()
        if units is not None:
            tagged = units.topics_of_span(citation["chunk_id"], citation["start"], citation["end"])
        return mentioned(citation["quote"]) | frozenset(tagged)

    def name_topics(name: str) -> frozenset[str]:
        return mentioned(name)

    return quote_topics, name_topics


# ---- command ------------------------------------------------------------------------------
def run(
    assistant: Any, items: Sequence[PatientItem], progress: bool = False
) -> list[dict[str, Any]]:
    records = []
    for n, item in enumerate(items, start=1):
        records.append(ask_item(assistant, item))
        if progress:
            print(f"\r{n}/{len(items)}", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    return records


def evaluate(
    assistant: Any, items: Sequence[PatientItem], records: Sequence[dict[str, Any]], split: str
) -> tuple[dict[str, Any], list[Scored]]:
    quote_topics, name_topics = topic_functions(assistant)
    by_id = {r["id"]: r for r in records}
    scored = [score(i, by_id[i.id], quote_topics, name_topics) for i in items if i.id in by_id]
    return report(scored, split), scored


def run_command(
    split: str = "dev",
    *,
    file: Path | None = None,
    as_json: bool = False,
    show_failures: bool = False,
    save: Path | None = None,
    rescore: Path | None = None,
    thresholds: Path | None = None,
    folders: tuple[str | None, str | None] = (None, None),
    assistant: Any = None,
    embedder: Any = None,
) -> int:
    """``assistant eval patients``: ask (or ``rescore``) the questions of ``split`` (or
    ``file``), print the figures per language; the exit status."""
    from assistant.evals.runner import load_thresholds
    from assistant.evals.suite import default_path
    from assistant.runtime import make_assistant

    path = file or split_path(split)
    items = load_items(path)
    bounds = load_thresholds(thresholds or default_path("evals/thresholds.yaml"))
    owned = assistant is None
    if owned:
        assistant = make_assistant(*folders, embedder)
    try:
        assistant.ensure_index()
        if rescore:
            records = json.loads(rescore.read_text(encoding="utf-8"))
        else:
            records = run(assistant, items, progress=sys.stderr.isatty())
        if save:
            save.parent.mkdir(parents=True, exist_ok=True)
            save.write_text(json.dumps(records, indent=1, ensure_ascii=False), "utf-8")
        data, scored = evaluate(assistant, items, records, split)
    finally:
        if owned:
            assistant.close()
    checked = check_thresholds(data, bounds)
    data["thresholds"] = [{"metric": n, "value": v, "status": s} for n, v, s in checked]
    if as_json:
        print(json.dumps(data, indent=1))
    else:
        for line in table(data):
            print(line)
        for name, value, status in checked:
            shown = "n/a" if value is None else f"{value:.3f}"
            print(f"  {status:12} {name} = {shown}")
    if show_failures:
        for s in scored:
            problems = s.failures()
            if not problems:
                continue
            print(f"\n--- {s.item.id} [{s.item.language}] {', '.join(problems)}")
            for turn in s.item.turns:
                print(f"  Q: {turn}")
            print(f"  standalone: {s.record['standalone_question']}")
            print("  A: " + s.record["answer"].replace("\n", "\n     "))
            if s.item.must_contain_any:
                print(f"  want: {s.item.must_contain_any}")
            for quote in s.wrong_quotes:
                print(f"  wrong-procedure quote: {quote[:120]}")
    return 1 if any(status == "fail" for _, _, status in checked) else 0
