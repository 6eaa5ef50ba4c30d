"""Quotable units: what storing a sentence embedding per unit costs at ingest, and the answer
latency with the units in use.

Ingest cost. The corpus is cut in ``rounds`` JSONL files of filler documents. Round r adds
file r with ``Assistant.ingest`` (read, chunk, embed the chunks, write Chroma and the
catalogue: the chunk ingest time) and then stores the vectors of the new chunks' units with
``Assistant.units.sync`` (cut, tag, embed, write ``units.sqlite3``: the unit time), so both
sides of each round's ratio see the same load on a shared machine; the median ratio is
reported. The unit store keys vectors by text, so each filler sentence carries a short case
label ("Case 12-3: ...") to keep the units' texts distinct as in a real corpus (without it the
store would embed each of the few hundred pool sentences once and the cost would vanish).

Latency. The index holds the knowledge base plus filler (as in the latency part) up to the
largest latency size. ``warm_up`` stores every unit when the index is small enough
(``UNITS_SYNC_MAX_CHUNKS``); above that, a chunk's units are embedded the first time it is
retrieved. The eval questions are asked twice: the first round pays for any unit embedded on
first retrieval, the second finds them stored. The floor (one query embedding plus one Chroma
query) is timed next to every answer.
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .common import KNOWLEDGE, Say, percentiles
from .corpus import FillerDoc, filler_docs, questions, sentence_pool
from .ingest import CHUNKS_PER_DOC

MakeAssistant = Callable[[Path, Path], Any]
"""Builds an Assistant over a knowledge folder (first) with its own data folder (second)."""

WARM_QUESTIONS = 3


def _write_corpus(path: Path, docs: list[FillerDoc], pool: list[str], first: int) -> None:
    """Write ``docs`` as a JSONL knowledge file, every sentence labelled "Case k-j:"."""
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for k, doc in enumerate(docs, start=first):
            paragraphs = []
            j = 0
            for para in doc.paragraphs:
                sentences = []
                for i in para:
                    j += 1
                    sentences.append(f"Case {k}-{j}: {pool[i]}")
                paragraphs.append(" ".join(sentences))
            record = {
                "id": doc.doc_id,
                "title": doc.title,
                "text": "\n\n".join(paragraphs),
                "metadata": {"source_kind": doc.source_kind, "publisher": "Benchmark filler"},
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def stored_vectors(path: Path) -> int:
    """How many unit vectors ``units.sqlite3`` holds, two a unit (MiniLM's and the multilingual
    encoder's; 0 when it does not exist yet)."""
    if not path.exists():
        return 0
    with sqlite3.connect(str(path), timeout=30) as conn:
        (count,) = conn.execute("SELECT COUNT(*) FROM vectors").fetchone()
    return int(count)


def _files_bytes(folder: Path, keep: Callable[[Path], bool]) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and keep(p))


def _unit_count(assistant: Any, batch: int = 256) -> int:
    """Units of every visible chunk (after a sync they are all in the unit index's memory)."""
    catalogue = assistant.catalogue
    ids = [chunk_id for chunk_id, _, _ in catalogue.iter_visible_chunks()]
    total = 0
    for i in range(0, len(ids), batch):
        pairs = list(catalogue.visible(ids[i : i + batch]).values())
        total += sum(len(cu.units) for cu in assistant.units.for_chunks(pairs))
    return total


def _rounds(assistant: Any, source: Path, knowledge: Path, rounds: int, say: Say) -> list[Any]:
    """Per round: (chunks, chunk seconds, vectors stored, unit seconds)."""
    store = assistant.settings.data_dir / "units.sqlite3"
    out = []
    for r in range(rounds):
        shutil.copyfile(source / f"part-{r}.jsonl", knowledge / f"part-{r}.jsonl")
        report = assistant.ingest()
        before = stored_vectors(store)
        t0 = time.perf_counter()
        assistant.units.sync()
        unit_s = time.perf_counter() - t0
        added = stored_vectors(store) - before
        say(
            f"units: round {r + 1}/{rounds}: {report.chunks_embedded} chunks in "
            f"{report.seconds:.1f} s, {added} unit vectors in {unit_s:.1f} s"
        )
        out.append((report.chunks_embedded, report.seconds, added, unit_s))
    return out


def ingest_cost(
    make: MakeAssistant, chunks: int, work: Path, say: Say, rounds: int = 3
) -> dict[str, Any]:
    """Chunk ingest time next to unit sync time, round by round, on the same corpus."""
    pool = sentence_pool()
    source, knowledge, data = work / "units-source", work / "units-kb", work / "units-data"
    docs = list(filler_docs(max(rounds, round(chunks / CHUNKS_PER_DOC)), len(pool), seed=7))
    per_round = len(docs) // rounds
    for r in range(rounds):
        part = docs[r * per_round : (r + 1) * per_round]
        _write_corpus(source / f"part-{r}.jsonl", part, pool, r * per_round)
    knowledge.mkdir(parents=True, exist_ok=True)
    assistant = make(knowledge, data)
    try:
        assistant.warm_up()  # the model, the registry and the lexicon, before either side
        assistant.embedder.embed([f"Case 0-0: {pool[0]}"])  # warm the kernels
        measured = _rounds(assistant, source, knowledge, rounds, say)
        units = _unit_count(assistant)
        visible = int(assistant.catalogue.visible_count())
    finally:
        assistant.close()  # checkpoints the SQLite write-ahead log into units.sqlite3
    return {
        "embedder": assistant.settings.embedder,
        **_cost_figures(measured, units, visible, data),
    }


def _cost_figures(measured: list[Any], units: int, visible: int, data: Path) -> dict[str, Any]:
    chunks = sum(m[0] for m in measured)
    chunk_s = sum(m[1] for m in measured)
    vectors = sum(m[2] for m in measured)
    unit_s = sum(m[3] for m in measured)
    ratios = [m[3] / m[1] for m in measured if m[1] > 0]
    units_bytes = _files_bytes(data, lambda p: p.name.startswith("units.sqlite3"))
    index_bytes = _files_bytes(data, lambda p: not p.name.startswith("units.sqlite3"))
    return {
        "chunks": chunks,
        "visible_chunks": visible,
        "units": units,
        "units_per_chunk": round(units / max(1, visible), 2),
        "unit_vectors_stored": vectors,
        "chunk_seconds": round(chunk_s, 2),
        "chunk_seconds_rounds": [round(m[1], 2) for m in measured],
        "chunks_per_s": round(chunks / chunk_s, 2) if chunk_s else None,
        "unit_seconds": round(unit_s, 2),
        "unit_seconds_rounds": [round(m[3], 2) for m in measured],
        "units_per_s": round(vectors / unit_s, 1) if unit_s else None,
        "ratios": [round(x, 3) for x in ratios],
        "extra_time_ratio": round(statistics.median(ratios), 3) if ratios else None,
        "units_sqlite_bytes": units_bytes,
        "units_sqlite_mb_per_1k_chunks": round(units_bytes / 2**20 / max(1, visible) * 1000, 2),
        "index_mb_per_1k_chunks": round(index_bytes / 2**20 / max(1, visible) * 1000, 2),
        "units_over_index_size": round(units_bytes / index_bytes, 3) if index_bytes else None,
    }


def _ask_round(assistant: Any, qs: list[str]) -> tuple[list[float], list[float]]:
    """Milliseconds of the floor and of ``ask`` for each question, interleaved."""
    embedder, store = assistant.embedder, assistant.store
    k = 2 * max(assistant.settings.candidate_k, assistant.settings.top_k)
    floor_ms: list[float] = []
    ask_ms: list[float] = []
    for q in qs:
        t0 = time.perf_counter()
        store.query(embedder.embed([q])[0], k)
        floor_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        assistant.ask(q)
        ask_ms.append((time.perf_counter() - t0) * 1000)
    return floor_ms, ask_ms


def spread(items: list[str], n: int) -> list[str]:
    """``n`` items evenly spread over ``items`` (all of them when there are fewer)."""
    if n >= len(items):
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


def _round_figures(name: str, floor_ms: list[float], ask_ms: list[float], added: int) -> Any:
    ask, floor = percentiles(ask_ms), percentiles(floor_ms)
    return {
        "round": name,
        "ask_ms": ask,
        "floor_ms": floor,
        "p50_over_floor": round(ask["p50"] / floor["p50"], 2),
        "p95_over_floor_p95": round(ask["p95"] / floor["p95"], 2),
        "unit_vectors_embedded": added,
    }


def answer_latency(
    assistant: Any, size: int, real_filler: int, qs: list[str], say: Say
) -> dict[str, Any]:
    """p50/p95 of ``ask`` with the units in use, at ``size`` chunks (knowledge base first)."""
    from assistant.service import UNITS_SYNC_MAX_CHUNKS

    from .latency import FillerWriter

    assistant.warm_up()
    assistant.ingest()
    kb_chunks = int(assistant.catalogue.visible_count())
    writer = FillerWriter(assistant, real_filler, say)
    t0 = time.perf_counter()
    chunks = writer.add_until(size)
    build_s = time.perf_counter() - t0
    store = assistant.settings.data_dir / "units.sqlite3"
    t0 = time.perf_counter()
    assistant.warm_up()  # stores every unit when the index is small enough, as a service does
    warm_s = time.perf_counter() - t0
    say(f"units: {chunks} chunks indexed ({build_s:.0f} s), warm-up {warm_s:.0f} s; questions")
    for q in qs[:WARM_QUESTIONS]:  # the model and Chroma warm; these are not measured
        assistant.ask(q)
    asked = qs[WARM_QUESTIONS:] or qs
    rows = []
    for name in ("first retrieval", "units stored"):
        before = stored_vectors(store)
        floor_ms, ask_ms = _ask_round(assistant, asked)
        rows.append(_round_figures(name, floor_ms, ask_ms, stored_vectors(store) - before))
        say(
            f"units: {chunks} chunks, {name}: ask p50 {rows[-1]['ask_ms']['p50']:.1f} ms, "
            f"p95 {rows[-1]['ask_ms']['p95']:.1f} ms, floor p50 {rows[-1]['floor_ms']['p50']:.1f}"
        )
    return {
        "chunks": chunks,
        "knowledge_base_chunks": kb_chunks,
        "questions": len(asked),
        "index_write_s": round(build_s, 1),
        "warm_up_s": round(warm_s, 1),
        "units_stored_at_warm_up": chunks <= UNITS_SYNC_MAX_CHUNKS,
        "unit_vectors_after": stored_vectors(store),
        "real_filler_chunks": writer.real_done,
        "rounds": rows,
    }


def run(
    opts: dict[str, Any],
    work: Path,
    say: Say,
    make: MakeAssistant | None = None,
    knowledge: Path = KNOWLEDGE,
) -> dict[str, Any]:
    """The ingest cost over ``ingest_chunks`` chunks, then the latency at the largest latency
    size (``sizes``) over ``knowledge`` plus filler. ``make`` defaults to an Assistant with
    the first of ``embedders``."""
    from .ingest import _assistant

    name = opts["embedders"][0] if opts.get("embedders") else "minilm"
    make = make or (lambda knowledge, data: _assistant(knowledge, data, name))
    work.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"embedder": name}
    result["ingest"] = ingest_cost(make, opts["ingest_chunks"], work, say)
    size = max(opts["sizes"])
    assistant = make(knowledge, work / "latency-data")
    try:
        # The first WARM_QUESTIONS warm the model and Chroma; ``unit_questions`` are measured.
        asked = spread(questions(), opts["unit_questions"] + WARM_QUESTIONS)
        result["latency"] = answer_latency(assistant, size, opts["real_filler"], asked, say)
    finally:
        assistant.close()
    return result
