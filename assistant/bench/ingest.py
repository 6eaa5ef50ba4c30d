"""Ingestion: pipeline throughput against raw encode throughput, peak RSS, quality per embedder.

The pipeline figure is the whole ``assistant ingest`` path (read a JSONL knowledge file, chunk,
embed, write to Chroma and the catalogue, commit) in chunks per second. Its floor is the raw
throughput of the same embedder on the very texts the pipeline embedded, called the same way
(batches of ``ingest_batch_chunks``), measured just before and just after the pipeline run.
Peak RSS is measured in a child process: its own VmHWM, cross-checked by polling ``/proc``,
over many small documents and, in the same run, over one large text file (50 MB by default),
whose chunks must stream through the pipeline in batches like those of many small documents.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .common import Say, child_env, rss_of_tree_kb
from .corpus import filler_docs, sentence_pool, write_jsonl

CHUNKS_PER_DOC = 1.16  # measured average of the filler documents; only sizes the corpus


def _assistant(
    knowledge: Path, data: Path, embedder_name: str, max_file_bytes: int | None = None
) -> Any:
    from assistant.embedding import make_embedder
    from assistant.service import Assistant
    from assistant.settings import Settings

    extra = {} if max_file_bytes is None else {"max_file_bytes": max_file_bytes}
    settings = Settings(knowledge_dir=knowledge, data_dir=data, embedder=embedder_name, **extra)  # type: ignore[arg-type]
    return Assistant(settings, embedder=make_embedder(settings))


def _raw_encode(embedder: Any, texts: list[str], batch: int) -> float:
    """Chunks per second of ``embedder.embed`` over ``texts`` in batches of ``batch``."""
    started = time.perf_counter()
    for i in range(0, len(texts), batch):
        embedder.embed(texts[i : i + batch])
    return len(texts) / (time.perf_counter() - started)


def _chunk_texts(assistant: Any, jsonl: Path) -> list[str]:
    """The texts the pipeline will embed for ``jsonl``: chunked the same way, not indexed."""
    from assistant.ingest.chunking import chunk_document, document_hash
    from assistant.ingest.loaders import load_path
    from assistant.sentences import index_text

    embedder = assistant.embedder
    texts: list[str] = []
    for doc in load_path(jsonl, jsonl.parent):
        assert not isinstance(doc, Exception), doc
        digest = document_hash(doc, embedder.model_id)
        for c in chunk_document(
            doc, digest, assistant.settings.chunk_max_tokens, embedder.count_tokens
        ):
            texts.append(index_text(doc.title, c.heading_path, c.text))
    return texts


def throughput(
    embedder_name: str, chunks: int, work: Path, say: Say, rounds: int = 3
) -> dict[str, Any]:
    """Pipeline chunks/s next to raw encode chunks/s, for one embedder, on the same texts.

    The corpus is cut in ``rounds`` JSONL files. Round r times raw encode of file r's texts,
    then an incremental ingest that adds file r (the earlier files are unchanged and cost only
    their reading); a last raw encode closes the series. Each round's ratio divides the
    pipeline's throughput by the mean of the raw runs just before and after it, so that both
    sides of a ratio see the same load on a shared machine; the median ratio is reported.
    """
    import statistics

    pool = sentence_pool()
    knowledge = work / f"kb-{embedder_name}"
    source = work / f"source-{embedder_name}"
    docs = max(rounds, round(chunks / CHUNKS_PER_DOC))
    per_round = docs // rounds
    all_docs = list(filler_docs(per_round * rounds, len(pool), seed=3))
    for r in range(rounds):
        part = iter(all_docs[r * per_round : (r + 1) * per_round])
        write_jsonl(source / f"part-{r}.jsonl", part, pool)
    knowledge.mkdir(parents=True, exist_ok=True)
    assistant = _assistant(knowledge, work / f"data-{embedder_name}", embedder_name)
    try:
        embedder = assistant.embedder
        embedder.warm_up()
        batch = assistant.settings.ingest_batch_chunks
        texts = [_chunk_texts(assistant, source / f"part-{r}.jsonl") for r in range(rounds)]
        embedder.embed(texts[0][:batch])  # warm the kernels on this text length
        raw: list[float] = []
        pipeline: list[float] = []
        embedded = 0
        seconds = 0.0
        for r in range(rounds):
            say(f"ingest[{embedder_name}]: round {r + 1}/{rounds}: raw encode, then pipeline")
            raw.append(_raw_encode(embedder, texts[r], batch))
            shutil.copyfile(source / f"part-{r}.jsonl", knowledge / f"part-{r}.jsonl")
            report = assistant.ingest()
            pipeline.append(report.chunks_embedded / report.seconds)
            embedded += report.chunks_embedded
            seconds += report.seconds
        raw.append(_raw_encode(embedder, texts[-1], batch))
        ratios = [pipeline[r] / ((raw[r] + raw[r + 1]) / 2) for r in range(rounds)]
        ratio = statistics.median(ratios)
        all_texts = [t for part in texts for t in part]
        say(
            f"ingest[{embedder_name}]: pipeline {embedded / seconds:.1f} chunks/s, raw "
            f"{statistics.fmean(raw):.1f} chunks/s, ratios {[round(x, 2) for x in ratios]}"
        )
        return {
            "embedder": embedder_name,
            "model_id": embedder.model_id,
            "documents": len(all_docs),
            "chunks": embedded,
            "pipeline_seconds": round(seconds, 2),
            "pipeline_chunks_per_s": round(embedded / seconds, 2),
            "pipeline_chunks_per_s_rounds": [round(x, 2) for x in pipeline],
            "raw_chunks_per_s_series": [round(x, 2) for x in raw],
            "raw_chunks_per_s": round(statistics.fmean(raw), 2),
            "ratios": [round(x, 3) for x in ratios],
            "ratio": round(ratio, 3),
            "mean_chars_per_chunk": round(sum(map(len, all_texts)) / max(1, len(all_texts)), 1),
        }
    finally:
        assistant.close()


def _child_peak(command: list[str], say: Say) -> tuple[dict[str, Any], float, int, float]:
    """Run a measuring child; its JSON report, polled peak (KiB), wait4 maxrss and seconds."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, env=child_env())
    polled = [0]
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.25):
            polled[0] = max(polled[0], rss_of_tree_kb(proc.pid))

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    assert proc.stdout is not None
    with proc.stdout:
        out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    poller.join()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"measuring child failed ({proc.returncode})")
    return json.loads(out.decode().strip().splitlines()[-1]), polled[0], usage.ru_maxrss, seconds


def peak_rss(embedder_name: str, docs: int, work: Path, say: Say) -> dict[str, Any]:
    """Ingest ``docs`` short JSONL documents in a child process; its peak RSS and speed.

    The floor is a second child that only embeds the same texts in the same batches, streaming
    the file: what the model runtime itself needs, without the pipeline.
    """
    pool = sentence_pool()
    knowledge = work / f"rss-{docs}"
    write_jsonl(knowledge / "corpus.jsonl", _short_docs(docs, len(pool)), pool)
    size_mb = (knowledge / "corpus.jsonl").stat().st_size / 2**20
    say(f"ingest: peak RSS run, {docs} documents ({size_mb:.1f} MB JSONL), {embedder_name}")
    base = [sys.executable, "-m", "assistant.bench.ingest"]
    args = [str(knowledge), str(work / f"rss-data-{docs}"), embedder_name]
    report, polled, maxrss, seconds = _child_peak([*base, *args], say)
    say(f"ingest: embed-only floor over the same {docs} documents")
    floor, _, _, _ = _child_peak([*base, *args, "embed-only"], say)
    return {
        "embedder": embedder_name,
        "documents": docs,
        "jsonl_mb": round(size_mb, 1),
        "chunks": report["chunks_embedded"],
        # VmHWM of the child's own address space. (wait4's ru_maxrss is kept only as a
        # cross-check: Linux carries the parent's high-water mark into a child across exec.)
        "peak_rss_mb": report["peak_rss_mb"],
        "peak_rss_polled_mb": round(polled / 1024, 1),
        "wait4_maxrss_mb": round(maxrss / 1024, 1),
        "baseline_rss_mb": report["baseline_rss_mb"],
        "embed_only_peak_rss_mb": floor["peak_rss_mb"],
        "pipeline_over_embed_only": round(report["peak_rss_mb"] / floor["peak_rss_mb"], 3),
        "ingest_seconds": round(report["seconds"], 1),
        "process_seconds": round(seconds, 1),
    }


def write_large_text(path: Path, size_bytes: int, pool: list[str], seed: int = 11) -> int:
    """One Markdown file of about ``size_bytes``: a heading every 20 paragraphs of two to five
    knowledge-base sentences each (streamed to disk); returns its size in bytes."""
    import random

    from .corpus import TOPICS

    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        part = 0
        while written < size_bytes:
            lines = [f"## {rng.choice(TOPICS)} ({part})\n\n"]
            for _ in range(20):
                sentences = (pool[rng.randrange(len(pool))] for _ in range(rng.randint(2, 5)))
                lines.append(" ".join(sentences) + "\n\n")
            text = "".join(lines)
            out.write(text)
            written += len(text.encode("utf-8"))
            part += 1
    return path.stat().st_size


def large_file_rss(
    embedder_name: str, size_mb: float, work: Path, say: Say, small_files: dict[str, Any]
) -> dict[str, Any]:
    """Ingest one large text file in a child process; its peak RSS against ``small_files``.

    ``small_files`` is the many-small-documents row of the same run (:func:`peak_rss`); the
    ratio of the two peaks says whether one large document costs more memory than many small
    ones. The file is over the default ``max_file_bytes``, so the child raises the limit to
    the file's size for this measurement.
    """
    knowledge = work / "rss-large-file"
    size = write_large_text(knowledge / "large.md", int(size_mb * 2**20), sentence_pool())
    say(f"ingest: peak RSS run, one {size / 2**20:.1f} MB text file, {embedder_name}")
    command = [sys.executable, "-m", "assistant.bench.ingest", str(knowledge)]
    command += [str(work / "rss-large-file-data"), embedder_name, "ingest", str(size)]
    report, polled, maxrss, seconds = _child_peak(command, say)
    peak = report["peak_rss_mb"]
    return {
        "embedder": embedder_name,
        "file_mb": round(size / 2**20, 1),
        "chunks": report["chunks_embedded"],
        "peak_rss_mb": peak,
        "peak_rss_polled_mb": round(polled / 1024, 1),
        "wait4_maxrss_mb": round(maxrss / 1024, 1),
        "baseline_rss_mb": report["baseline_rss_mb"],
        "ingest_seconds": round(report["seconds"], 1),
        "process_seconds": round(seconds, 1),
        "small_files_documents": small_files["documents"],
        "small_files_chunks": small_files["chunks"],
        "small_files_peak_rss_mb": small_files["peak_rss_mb"],
        "over_small_files": round(peak / small_files["peak_rss_mb"], 3),
    }


def _short_docs(n: int, pool_size: int) -> Any:
    """One paragraph of two or three sentences each: FAQ-sized documents."""
    import random

    from .corpus import KINDS, TOPICS, FillerDoc

    rng = random.Random(5)
    for k in range(n):
        yield FillerDoc(
            doc_id=f"short-{k:07d}",
            title=f"{rng.choice(TOPICS)} ({k})",
            source_kind=rng.choice(KINDS),
            paragraphs=(tuple(rng.randrange(pool_size) for _ in range(rng.randint(2, 3))),),
        )


def quality(embedder_name: str, work: Path, say: Say) -> dict[str, Any]:
    """hit@k, MRR and answer metrics of the eval suite (no efficacy set) with this embedder;
    the report is also written under ``work``."""
    from assistant.evals.runner import RunOptions, load_sets, load_thresholds
    from assistant.evals.schema import display_path
    from assistant.evals.suite import SuiteFiles, default_path, extractive_run, finish

    from .common import KNOWLEDGE

    files = SuiteFiles(no_efficacy_set=True)
    cases, _ = load_sets(files.case_files(), [])
    thresholds = load_thresholds(default_path("evals/thresholds.yaml"))
    assistant = _assistant(KNOWLEDGE, work / f"eval-data-{embedder_name}", embedder_name)
    try:
        assistant.ingest()
        say(f"ingest[{embedder_name}]: eval suite")
        config = {
            "command": ["assistant", "bench", "--parts", "ingest", "--embedders", embedder_name],
            "cases_files": [display_path(p) for p in files.case_files()],
            "thresholds_file": display_path(default_path("evals/thresholds.yaml")),
        }
        report = extractive_run(
            assistant,
            cases,
            [],
            thresholds=thresholds,
            options=RunOptions(progress=False),
            config=config,
        )
    finally:
        assistant.close()
    code = finish(report, work / f"eval-{embedder_name}", None)
    names = ("hit_at_1", "hit_at_5", "hit_at_10", "mrr", "citation_validity", "status_accuracy")
    metrics = {n: report.value(n) for n in names}
    return {"embedder": embedder_name, "exit_code": code, "cases": len(report.cases), **metrics}


def run(opts: dict[str, Any], work: Path, say: Say) -> dict[str, Any]:
    """The sections named in ``opts['ingest_sections']`` (throughput, quality, rss)."""
    work.mkdir(parents=True, exist_ok=True)
    sections = opts.get("ingest_sections") or ("throughput", "quality", "rss")
    result: dict[str, Any] = {}
    if "throughput" in sections:
        result["throughput"] = [
            throughput(name, opts["ingest_chunks"], work, say) for name in opts["embedders"]
        ]
    if "quality" in sections and opts["eval"]:
        result["quality"] = [quality(name, work, say) for name in opts["embedders"]]
    if "rss" in sections:
        rss_embedder = opts["embedders"][0]
        small = max(100, opts["rss_docs"] // 10)
        sizes = dict.fromkeys((small, opts["rss_docs"]))  # once when they are the same
        result["rss"] = [peak_rss(rss_embedder, n, work, say) for n in sizes]
        if opts.get("large_file_mb"):
            result["rss_large_file"] = large_file_rss(
                rss_embedder, opts["large_file_mb"], work, say, result["rss"][-1]
            )
    return result


def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _child(
    knowledge: str,
    data: str,
    embedder_name: str,
    mode: str = "ingest",
    max_file_bytes: str | None = None,
) -> int:
    """The run whose memory is measured: prints its report, with its VmHWM, as JSON."""
    limit = int(max_file_bytes) if max_file_bytes else None
    assistant = _assistant(Path(knowledge), Path(data), embedder_name, limit)
    embedder = assistant.embedder
    embedder.warm_up()
    baseline = rss_of_tree_kb(os.getpid()) / 1024
    if mode == "embed-only":
        from assistant.ingest.loaders import load_path
        from assistant.sentences import index_text

        jsonl = Path(knowledge) / "corpus.jsonl"
        batch: list[str] = []
        size = assistant.settings.ingest_batch_chunks
        for doc in load_path(jsonl, jsonl.parent):
            assert not isinstance(doc, Exception), doc
            batch.append(index_text(doc.title, (), doc.text))
            if len(batch) >= size:
                embedder.embed(batch)
                batch = []
        embedder.embed(batch)
        summary: dict[str, Any] = {}
        errors = 0
    else:
        report = assistant.ingest()
        summary = dict(report.__dict__)
        errors = len(report.errors)
    assistant.close()
    summary.update(baseline_rss_mb=round(baseline, 1), peak_rss_mb=_vm_hwm_mb())
    print(json.dumps(summary), flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(_child(*sys.argv[1:6]))
