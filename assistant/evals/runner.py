"""Run question sets against a target and score every case.

Each case becomes a :class:`~assistant.evals.report_model.CaseResult` holding what it expected,
what came back, each score and the reasons it failed, so a reviewer can read a failure without
running anything; :func:`~assistant.evals.assemble.assemble` turns the scored cases into the
report.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from assistant.errors import AssistantError
from assistant.evals import metrics as m
from assistant.evals.assemble import assemble
from assistant.evals.baselines import Baseline
from assistant.evals.report_model import (
    BaselineHit,
    CaseResult,
    CitationRecord,
    DetectionItem,
    EvalReport,
    IndexInfo,
    Turn,
)
from assistant.evals.schema import (
    EfficacyItem,
    EvalCase,
    EvalDataError,
    Problem,
    RetrievalQuestion,
    Sourced,
    Threshold,
    check_unique_ids,
    load_mapping,
    load_yaml_items,
)
from assistant.evals.targets import Progress, Target
from assistant.types import Answer

T = TypeVar("T", EvalCase, EfficacyItem, RetrievalQuestion)


@dataclass(frozen=True)
class RunOptions:
    """Filters and knobs of one run."""

    tags: frozenset[str] | None = None
    limit: int | None = None
    repeat: int = 1
    progress: bool | None = None
    """True: always show the bar; False: never; None: only on a terminal."""


# ---- loading ------------------------------------------------------------------------------
def load_sets(
    case_files: Sequence[Path], efficacy_files: Sequence[Path]
) -> tuple[list[Sourced[EvalCase]], list[Sourced[EfficacyItem]]]:
    """Load and check every file; all problems of all files are raised together."""
    problems: list[Problem] = []
    cases: list[Sourced[EvalCase]] = []
    items: list[Sourced[EfficacyItem]] = []
    for path in case_files:
        try:
            cases += load_yaml_items(path, EvalCase)
        except EvalDataError as exc:
            problems += exc.problems
    for path in efficacy_files:
        try:
            items += load_yaml_items(path, EfficacyItem)
        except EvalDataError as exc:
            problems += exc.problems
    if problems:
        raise EvalDataError(problems)
    check_unique_ids([cases])
    check_unique_ids([items])
    return cases, items


def load_thresholds(path: Path) -> dict[str, Sourced[Threshold]]:
    """The thresholds file; a metric name that does not exist is an error naming its line."""
    thresholds = load_mapping(path, Threshold)
    unknown = [
        Problem(t.path, t.line, f"no such metric; known: {', '.join(m.METRICS)}", name)
        for name, t in thresholds.items()
        if name not in m.METRICS
    ]
    if unknown:
        raise EvalDataError(unknown)
    return thresholds


def select(items: Sequence[Sourced[T]], options: RunOptions) -> list[Sourced[T]]:
    """Items with any of the wanted tags, the first ``limit`` of them."""
    chosen = [s for s in items if options.tags is None or options.tags.intersection(s.item.tags)]
    return chosen[: options.limit] if options.limit is not None else chosen


def case_warnings(
    cases: Sequence[Sourced[EvalCase]], doc_texts: Mapping[str, str | None] | None
) -> list[str]:
    """Cases that cannot score as written: unknown documents, support not in the documents."""
    if not doc_texts:
        return []
    out = []
    for s in cases:
        case = s.item
        head = f"{s.where}: case {case.id!r}"
        missing = [d for d in case.expected_docs if d not in doc_texts]
        for doc in missing:
            out.append(f"{head}: expected doc {doc!r} is not among the indexed sources")
        texts = [doc_texts[d] for d in case.expected_docs if doc_texts.get(d)]
        if texts and len(texts) == len(case.expected_docs):
            for phrase in case.expected_support:
                if not any(m.contains(t, phrase) for t in texts if t):
                    out.append(f"{head}: support phrase {phrase!r} is not in any expected doc")
    return out


# ---- scoring ------------------------------------------------------------------------------
def _latency(answer: Answer, wall_ms: float, target: Target) -> float:
    total = answer.timings_ms.get("total")
    return float(total) if target.kind == "in-process" and total is not None else wall_ms


def _ask(
    target: Target, question: str, history: list[dict[str, str]], repeat: int
) -> tuple[Answer | None, list[float], str | None]:
    answer: Answer | None = None
    latencies: list[float] = []
    try:
        for _ in range(max(1, repeat)):
            got, wall = target.ask(question, history)
            answer = answer or got
            latencies.append(round(_latency(got, wall, target), 2))
    except AssistantError as exc:
        return answer, latencies, f"{exc.__class__.__name__}: {exc}"
    return answer, latencies, None


def _citations(answer: Answer) -> list[CitationRecord]:
    kept = set(CitationRecord.model_fields)
    return [CitationRecord(**c.model_dump(include=kept)) for c in answer.citations]


def _search(target: Target, query: str) -> tuple[list[m.Hit], float | None, str | None]:
    """The top K_MAX passages for a query, the time it took and an error, if any."""
    started = time.perf_counter()
    try:
        hits = target.search(query, m.K_MAX)
    except AssistantError as exc:
        return [], None, f"search failed: {exc}"
    return hits, round((time.perf_counter() - started) * 1000, 2), None


def _cited_passages(target: Target, answer: Answer, hits: Sequence[m.Hit]) -> list[m.Hit]:
    """The passages of cited chunks that the question's own search did not return (an answer
    also draws on each asked facet's keyword search): each found by searching its quote, so a
    deployment's quotes are checked against its own stored passages."""
    seen = {(h.doc_id, h.chunk_id) for h in hits}
    out: list[m.Hit] = []
    for c in answer.citations:
        if (c.doc_id, c.chunk_id) in seen:
            continue
        found, _, error = _search(target, c.quote)
        if error is None:
            out += [h for h in found if (h.doc_id, h.chunk_id) == (c.doc_id, c.chunk_id)]
        seen.add((c.doc_id, c.chunk_id))
    return out


def _baselines(
    baselines: Sequence[Baseline], query: str, expected: Sequence[str]
) -> dict[str, BaselineHit]:
    out: dict[str, BaselineHit] = {}
    for baseline in baselines:
        got = baseline.ranked_doc_ids(query, m.K_MAX)
        out[baseline.name] = BaselineHit(retrieved=got, scores=m.retrieval_scores(got, expected))
    return out


def _no_hit(expected: Sequence[str], retrieved: Sequence[str], what: str = "expected") -> str:
    got = ", ".join(dict.fromkeys(retrieved[:5])) or "none"
    return f"no {what} document ({', '.join(expected)}) in the top 5 passages (got: {got})"


def _score_answer(
    record: CaseResult,
    case: EvalCase,
    answer: Answer,
    doc_texts: Mapping[str, str | None] | None,
    hits: Sequence[m.Hit],
) -> None:
    """Fill ``record`` with what came back for ``case``, its scores and its failures."""
    record.status = answer.status
    record.summary = answer.summary
    record.answer = answer.answer
    record.language = answer.language
    record.standalone_question = answer.standalone_question
    record.citations = _citations(answer)
    record.caveat = answer.caveat
    record.caveat_present = answer.caveat is not None
    record.efficacy_question = answer.efficacy_question
    record.evidence = [e.model_dump(mode="json") for e in answer.evidence]
    record.generator = answer.generator
    record.server_timings_ms = dict(answer.timings_ms)
    scores, failures = record.scores, record.failures
    scores["status_correct"] = 1.0 if answer.status == case.expected_status else 0.0
    if answer.status != case.expected_status:
        failures.append(f"status was {answer.status!r}, expected {case.expected_status!r}")
    check = m.citation_check(answer.answer, answer.citations, doc_texts, hits)
    scores["citation_validity"] = check.score
    record.citation_problems = list(check.problems)
    record.citations_unchecked = list(check.unchecked)
    if check.score == 0.0:
        failures.append("invalid citations: " + "; ".join(check.problems))
    quotes = [c.quote for c in answer.citations]
    scores["citation_precision"] = m.citation_precision(quotes, case.expected_support)
    coverage = m.support_coverage(answer.answer, case.expected_support)
    scores["support_coverage"] = coverage
    if coverage == 0.0 and answer.status == "answered" == case.expected_status:
        failures.append("none of the expected support phrases is in the answer")
    if case.efficacy and answer.caveat is None:
        failures.append("efficacy question answered without an evidence-status caveat")
    if not case.efficacy and answer.efficacy_question:
        # A caveat added because the answer itself states outcomes is intended (defence in
        # depth); only a question wrongly read as an efficacy question is a failure.
        failures.append("question wrongly detected as an efficacy question")


def score_case(
    target: Target,
    sourced: Sourced[EvalCase],
    baselines: Sequence[Baseline],
    doc_texts: Mapping[str, str | None] | None,
    repeat: int = 1,
) -> CaseResult:
    """Ask one case and score it; the record holds everything the report shows."""
    case = sourced.item
    history = [t.model_dump() for t in case.history]
    answer, latencies, error = _ask(target, case.question, history, repeat)
    record = CaseResult(
        id=case.id,
        where=sourced.where,
        question=case.question,
        history=[Turn(**t) for t in history],
        tags=list(case.tags),
        expected_docs=list(case.expected_docs),
        expected_support=list(case.expected_support),
        efficacy=case.efficacy,
        expected_status=case.expected_status,
        error=error,
        latencies_ms=latencies,
        latency_p50_ms=m.percentile(latencies, 50),
        latency_p95_ms=m.percentile(latencies, 95),
    )
    # The passages behind the answer: the same retrieval for its standalone question.
    query = answer.standalone_question if answer is not None else case.question
    hits: list[m.Hit] = []
    if case.expected_docs or (answer is not None and answer.citations):
        hits, record.search_ms, search_error = _search(target, query)
        if search_error:
            record.failures.append(search_error)
    if answer is None:
        record.failures.append(f"could not be asked: {error}")
        record.scores["status_correct"] = 0.0
        record.scores["support_coverage"] = m.support_coverage("", case.expected_support)
    else:
        _score_answer(record, case, answer, doc_texts, hits + _cited_passages(target, answer, hits))
    if case.expected_docs:
        record.retrieved = [h.doc_id for h in hits]
        record.scores.update(m.retrieval_scores(record.retrieved, case.expected_docs))
        record.baselines = _baselines(baselines, query, case.expected_docs)
        if record.scores["hit_at_5"] == 0.0:
            record.failures.append(_no_hit(case.expected_docs, record.retrieved))
    record.passed = not record.failures
    return record


def score_detection(target: Target, sourced: Sourced[EfficacyItem]) -> DetectionItem:
    """Ask one detection item; predicted = the Answer's ``efficacy_question`` verdict.

    The caveat is not the prediction: it is also added when an answer states outcomes, whatever
    the question was, so it would count those intended caveats as detection errors.
    """
    item = sourced.item
    history = [t.model_dump() for t in item.history]
    answer, latencies, error = _ask(target, item.question, history, 1)
    predicted = None if answer is None else bool(answer.efficacy_question)
    return DetectionItem(
        id=item.id,
        where=sourced.where,
        question=item.question,
        history=[Turn(**t) for t in history],
        lang=item.lang,
        tags=list(item.tags),
        label=item.efficacy,
        predicted=predicted,
        correct=predicted == item.efficacy,
        efficacy_question=None if answer is None else answer.efficacy_question,
        caveat=None if answer is None else answer.caveat,
        status=None if answer is None else answer.status,
        generator=None if answer is None else answer.generator,
        error=error,
        latencies_ms=latencies,
    )


def score_retrieval_question(
    target: Target, sourced: Sourced[RetrievalQuestion], baselines: Sequence[Baseline]
) -> CaseResult:
    """Score retrieval alone for one question of the any-corpus mode."""
    q = sourced.item
    hits, search_ms, error = _search(target, q.question)
    retrieved = [h.doc_id for h in hits]
    scores = m.retrieval_scores(retrieved, q.relevant)
    failures = [error] if error else []
    if not error and scores["hit_at_5"] == 0.0:
        failures.append(_no_hit(q.relevant, retrieved, "relevant"))
    return CaseResult(
        id=q.id,
        where=sourced.where,
        question=q.question,
        tags=list(q.tags),
        expected_docs=list(q.relevant),
        error=error,
        retrieved=retrieved,
        baselines=_baselines(baselines, q.question, q.relevant),
        scores=dict(scores),
        latencies_ms=[search_ms] if search_ms is not None else [],
        failures=failures,
        passed=not failures,
    )


# ---- whole runs ---------------------------------------------------------------------------
def _run_config(
    config: Mapping[str, Any] | None,
    target: Target,
    options: RunOptions,
    baselines: Sequence[Baseline],
    started: float,
    **measures: Any,
) -> dict[str, Any]:
    """What a run was: the caller's config, the target, filters, baselines, how it measured
    latency and how long it took."""
    return {
        **(config or {}),
        "target": target.describe(),
        "filters": {"tags": sorted(options.tags) if options.tags else None, "limit": options.limit},
        "baselines": [b.name for b in baselines],
        **measures,
        "seconds": round(time.perf_counter() - started, 2),
    }


def _bar(total: int, options: RunOptions, desc: str) -> tqdm[Any]:
    disable = None if options.progress is None else not options.progress
    return tqdm(
        total=total, desc=desc, unit="q", file=sys.stderr, disable=disable, dynamic_ncols=True
    )


def run_suite(
    target: Target,
    cases: Sequence[Sourced[EvalCase]],
    items: Sequence[Sourced[EfficacyItem]],
    *,
    thresholds: Mapping[str, Sourced[Threshold]],
    baselines: Sequence[Baseline] = (),
    options: RunOptions | None = None,
    config: Mapping[str, Any] | None = None,
    say: Progress = lambda _msg: None,
    desc: str = "eval",
) -> EvalReport:
    """Ask every case and detection item, score them and assemble the report.

    ``desc`` names the run on the progress bar (the side-by-side mode runs the suite twice).
    """
    options = options or RunOptions()
    chosen, chosen_items = select(cases, options), select(items, options)
    try:
        target.prepare(say)  # inside: a refused key still closes the target's connections
        doc_texts = target.doc_texts()
        warnings = case_warnings(chosen, doc_texts)
        for w in warnings:
            say(f"warning: {w}")
        started = time.perf_counter()
        records: list[CaseResult] = []
        detection: list[DetectionItem] = []
        with _bar(len(chosen) + len(chosen_items), options, desc) as bar:
            for sourced in chosen:
                records.append(score_case(target, sourced, baselines, doc_texts, options.repeat))
                bar.update()
            for item in chosen_items:
                detection.append(score_detection(target, item))
                bar.update()
    finally:
        target.close()
    latency = (
        "Answer.timings_ms.total"
        if target.kind == "in-process"
        else "wall time of POST /api/v1/ask"
    )
    run_config = _run_config(
        config, target, options, baselines, started, repeat=options.repeat, latency_measures=latency
    )
    return assemble(
        kind="suite",
        config=run_config,
        records=records,
        detection=detection,
        baselines=baselines,
        thresholds=thresholds,
        warnings=warnings,
    )


def run_retrieval(
    target: Target,
    questions: Sequence[Sourced[RetrievalQuestion]],
    *,
    thresholds: Mapping[str, Sourced[Threshold]],
    baselines: Sequence[Baseline] = (),
    options: RunOptions | None = None,
    config: Mapping[str, Any] | None = None,
    index: IndexInfo | None = None,
) -> EvalReport:
    """Score retrieval for each question of the any-corpus mode."""
    options = options or RunOptions()
    chosen = select(questions, options)
    try:
        target.prepare(lambda _msg: None)
        known = target.doc_texts() or {}
        warnings = [
            f"{s.where}: question {s.item.id!r}: relevant doc {d!r} is not in the corpus"
            for s in chosen
            for d in s.item.relevant
            if known and d not in known
        ]
        started = time.perf_counter()
        records: list[CaseResult] = []
        with _bar(len(chosen), options, "retrieval") as bar:
            for sourced in chosen:
                records.append(score_retrieval_question(target, sourced, baselines))
                bar.update()
    finally:
        target.close()
    latency = "time of one hybrid search (no answer is composed)"
    run_config = _run_config(config, target, options, baselines, started, latency_measures=latency)
    return assemble(
        kind="retrieval",
        config=run_config,
        records=records,
        detection=[],
        baselines=baselines,
        thresholds=thresholds,
        warnings=warnings,
        index=index,
    )
