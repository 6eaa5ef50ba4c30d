"""Ingest bounds: large documents stream in batches, oversized and binary files are refused.

No test here looks at a clock: the in-flight bound is counted (chunks cut minus chunks staged in
the catalogue, observed by the real embedder and catalogue as each batch passes), not timed.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from assistant.bench import main as bench_main
from assistant.bench import parse_args as bench_args
from assistant.bench.report import checks, write_report
from assistant.embedding import SentenceTransformerEmbedder, Vectors
from assistant.errors import DocumentLoadError
from assistant.index.catalogue import Catalogue
from assistant.ingest import pipeline
from assistant.ingest.chunking import chunk_document, document_hash
from assistant.ingest.loaders import MAX_FILE_BYTES, TEXT_PROBE_BYTES, load_path
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.types import Chunk, SourceDoc
from tests.conftest import ROOT
from tests.fixtures.ingest.pdfgen import pdf_bytes

MakeAssistant = Callable[..., Assistant]
COLOURS = ("amber", "cobalt", "crimson", "olive", "violet", "saffron", "teal")
BATCH = 8


def _big_text(paragraphs: int) -> str:
    """Short paragraphs: with ``chunk_max_tokens=32`` each one is a chunk of its own."""
    return "\n\n".join(
        f"Paragraph {i} says the {COLOURS[i % 7]} lighthouse keeper counted {i} ships "
        f"near harbour quill{i:04d}."
        for i in range(paragraphs)
    )


class _Watched:
    """The real model, recording the size of each batch it is given and the chunks in flight
    (cut but not yet staged in the catalogue) at that moment; optionally failing on one call."""

    def __init__(
        self,
        real: SentenceTransformerEmbedder,
        in_flight: Callable[[], int],
        fail_on_call: int | None = None,
        before_failing: threading.Event | None = None,
    ) -> None:
        self.real = real
        self.model_id = real.model_id
        self.dimension = real.dimension
        self.in_flight = in_flight
        self.fail_on_call = fail_on_call
        self.before_failing = before_failing
        self.batch_sizes: list[int] = []
        self.in_flight_seen: list[int] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.batch_sizes.append(len(texts))
        self.in_flight_seen.append(self.in_flight())
        if len(self.batch_sizes) == self.fail_on_call:
            if self.before_failing is not None:
                # Let the writer stage the batches before this one (no clock is read: it
                # waits for the catalogue, with a generous cap against a hung test).
                assert self.before_failing.wait(120), "earlier batches were never staged"
            raise RuntimeError("encoder crashed")
        return self.real.embed(texts)

    def count_tokens(self, text: str) -> int:
        return self.real.count_tokens(text)


class _Flow:
    """Counts chunks as the real chunker cuts them and as the real catalogue stages them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cut = 0
        self.staged = 0
        self.in_flight_seen: list[int] = []
        self.staged_event = threading.Event()
        self.staged_target: int | None = None
        real_iter = pipeline.iter_chunks

        def counting(*args: Any, **kwargs: Any) -> Iterator[Chunk]:
            for chunk in real_iter(*args, **kwargs):
                self.cut += 1
                yield chunk

        monkeypatch.setattr(pipeline, "iter_chunks", counting)

    def in_flight(self) -> int:
        return self.cut - self.staged

    def watch(self, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
        real_stage = catalogue.stage_chunks

        def stage(chunks: Any) -> None:
            rows = list(chunks)
            self.in_flight_seen.append(self.in_flight())
            real_stage(rows)
            self.staged += len(rows)
            if self.staged_target is not None and self.staged >= self.staged_target:
                self.staged_event.set()

        monkeypatch.setattr(catalogue, "stage_chunks", stage)


def _dirs(knowledge: Path, data: Path) -> list[str]:
    return ["--knowledge-dir", str(knowledge), "--data-dir", str(data)]


def _offline_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    env.update(HF_HUB_DISABLE_TELEMETRY="1", ANONYMIZED_TELEMETRY="False")
    for key in ("CHROMA_HOST", "CHROMA_PORT", "ASSISTANT_API_KEYS"):
        env.pop(key, None)
    env.update(extra)
    return env


def _assistant(
    knowledge: Path, data: Path, embedder: Any, **settings: Any
) -> Assistant:  # an Assistant over a wrapped embedder (closed by the test)
    return Assistant(
        Settings(knowledge_dir=knowledge, data_dir=data, chunk_max_tokens=32, **settings),
        embedder=embedder,
    )


# ---- 1. a large document flows through in bounded batches ----------------------------------


@pytest.mark.slow
def test_pipeline__large_document_is_embedded_in_bounded_batches_with_progress(
    embedder: SentenceTransformerEmbedder,
    make_assistant: MakeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    (knowledge / "big.txt").write_text(_big_text(45 * BATCH), encoding="utf-8")
    (knowledge / "small.md").write_text("# Small\n\nA short note on nerve surgery.\n")
    flow = _Flow(monkeypatch)
    watched = _Watched(embedder, flow.in_flight)
    batched = _assistant(knowledge, tmp_path / "batched", watched, ingest_batch_chunks=BATCH)
    flow.watch(batched.catalogue, monkeypatch)
    messages: list[str] = []
    try:
        report = batched.ingest(messages.append)
        assert report.errors == []
        total = report.chunks_embedded
        assert total >= 40 * BATCH  # the document is many batches long

        # Bounded: no batch is larger than ingest_batch_chunks, and at no time are more chunks
        # cut but not yet staged than the pipeline's queues hold: the batch being filled or
        # offered (1), the embedding queue (2), the batch being embedded (1), the writing
        # queue (2) and the batch being written (1). Materialising the document first would
        # have had all of its chunks in flight at the first batch.
        assert max(watched.batch_sizes) <= BATCH
        assert len(watched.batch_sizes) >= 40
        assert max(watched.in_flight_seen + flow.in_flight_seen) <= 7 * BATCH < total
        assert flow.staged == flow.cut == total

        # Progress through the callback the CLI prints: chunks embedded so far, per document.
        so_far = [m for m in messages if "big.txt: " in m and "chunks so far" in m]
        assert len(so_far) >= 30, messages
        counts = [int(m.split("big.txt: ")[1].split()[0]) for m in so_far]
        assert counts == sorted(counts) and counts[-1] < total
        big_chunks = next(d for d in batched.sources() if d.doc_id == "big").chunk_count
        assert f"big.txt: all {big_chunks} chunks embedded" in "\n".join(messages)
        embedded = [int(m.split()[1]) for m in messages if m.startswith("embedded ")]
        assert embedded == sorted(embedded) and embedded[-1] == total
        assert not any("small.md" in m for m in messages)  # one batch: no per-document lines
    finally:
        batched.close()

    # The same index as the unbatched pipeline (everything in one batch) and the unbatched
    # chunker: same documents, same chunks, same vectors.
    whole = make_assistant(
        knowledge, tmp_path / "whole", chunk_max_tokens=32, ingest_batch_chunks=1_000_000
    )
    assert whole.ingest().errors == []
    batched = make_assistant(knowledge, tmp_path / "batched", chunk_max_tokens=32)
    assert batched.sources() == whole.sources()
    doc = next(d for d in load_path(knowledge / "big.txt", knowledge) if isinstance(d, SourceDoc))
    info = next(d for d in whole.sources() if d.doc_id == "big")
    assert info.content_hash == document_hash(doc, embedder.model_id)
    expected = chunk_document(doc, info.content_hash, 32, embedder.count_tokens)
    for index in (batched, whole):
        ids = index.catalogue.staged_chunk_ids("big", info.content_hash)
        assert [c.chunk_id for c in expected] == ids
        visible = index.catalogue.visible(ids)
        assert [visible[i][0] for i in ids] == expected
        assert index.store.count() == whole.store.count()
    for chunk in (expected[0], expected[len(expected) // 2], expected[-1]):
        a = batched.search(chunk.text, k=3, mode="dense")
        b = whole.search(chunk.text, k=3, mode="dense")
        assert [p.chunk.chunk_id for p in a] == [p.chunk.chunk_id for p in b]
        assert a[0].chunk.chunk_id == chunk.chunk_id
        assert a[0].score == pytest.approx(b[0].score, abs=1e-4)


@pytest.mark.slow
def test_pipeline__failure_inside_a_large_document_commits_none_of_it(
    embedder: SentenceTransformerEmbedder,
    make_assistant: MakeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    (knowledge / "big.txt").write_text(_big_text(10 * BATCH), encoding="utf-8")
    flow = _Flow(monkeypatch)
    flow.staged_target = 2 * BATCH
    failing = _Watched(embedder, flow.in_flight, fail_on_call=3, before_failing=flow.staged_event)
    data = tmp_path / "data"
    broken = _assistant(knowledge, data, failing, ingest_batch_chunks=BATCH)
    flow.watch(broken.catalogue, monkeypatch)
    try:
        with pytest.raises(RuntimeError, match="encoder crashed"):
            broken.ingest()
        # Two batches of the document were written, but none of it is visible.
        assert flow.staged == 2 * BATCH
        assert broken.index_version() == 0
        assert broken.sources() == []
        assert broken.catalogue.visible_count() == 0
        assert broken.store.count() == 2 * BATCH
    finally:
        broken.close()

    healthy = make_assistant(knowledge, data, chunk_max_tokens=32, ingest_batch_chunks=BATCH)
    report = healthy.ingest()
    assert report.errors == []
    (info,) = healthy.sources()
    assert report.chunks_reused == 2 * BATCH
    assert report.chunks_embedded + report.chunks_reused == info.chunk_count >= 10 * BATCH
    assert healthy.catalogue.visible_count() == healthy.store.count() == info.chunk_count


# ---- 2. files over max_file_bytes ----------------------------------------------------------


def _write(path: Path, size: int) -> Path:
    suffix = path.suffix
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        lines = [f"Line {i} about the occipital nerve and its release." for i in range(40)]
        path.write_bytes(pdf_bytes([lines[: size // 200 or 1]]))
    elif suffix == ".html":
        body = "".join(f"<p>Paragraph {i} on nerve surgery.</p>" for i in range(size // 40 + 1))
        path.write_text(f"<html><body><main>{body}</main></body></html>", encoding="utf-8")
    else:
        path.write_text(_big_text(size // 80 + 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["notes.md", "notes.txt", "page.html", "leaflet.pdf"])
def test_load__file_over_the_size_limit_is_refused_naming_the_file_and_limit(
    tmp_path: Path, name: str
) -> None:
    path = _write(tmp_path / "sub" / name, 3000)
    size = path.stat().st_size
    assert size > 1000
    items = list(load_path(path, tmp_path, max_bytes=1000))
    assert len(items) == 1 and isinstance(items[0], DocumentLoadError), items
    message = str(items[0])
    assert message.startswith(f"sub/{name}: ")
    assert f"{size:,} bytes" in message and "1,000 bytes" in message
    assert "ASSISTANT_MAX_FILE_BYTES" in message
    # At the limit it is read as before.
    (doc,) = load_path(path, tmp_path, max_bytes=size)
    assert isinstance(doc, SourceDoc), doc


def test_load__default_limit_is_the_setting() -> None:
    assert MAX_FILE_BYTES == Settings().max_file_bytes == 20_000_000


def test_load_jsonl__limit_applies_per_line_and_other_lines_are_read(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    lines = [json.dumps({"id": f"d{i}", "text": f"Note {i} on nerve surgery."}) for i in range(30)]
    lines[7] = json.dumps({"id": "huge", "text": "nerve " * 400})
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 1000  # the file is over the limit; only one line is
    items = list(load_path(path, tmp_path, max_bytes=1000))
    errors = [i for i in items if isinstance(i, DocumentLoadError)]
    docs = [i.doc_id for i in items if isinstance(i, SourceDoc)]
    assert docs == [f"d{i}" for i in range(30) if i != 7]
    assert len(errors) == 1 and errors[0].line == 8
    assert str(errors[0]).startswith("corpus.jsonl:8: line is more than 1,000 bytes")


# ---- 3. binary files under a text suffix ---------------------------------------------------


def _png() -> bytes:
    rng = random.Random(1)
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(6000)


BINARIES = {
    "random": random.Random(0).randbytes(20_000),
    "random-without-nul": random.Random(2).randbytes(20_000).replace(b"\x00", b"\x01"),
    "png": _png(),
    "gzip": gzip.compress(_big_text(200).encode()),
    "utf16-text": "Occipital nerve release takes two hours.\n".encode("utf-16") * 50,
    "high-bytes": bytes(range(0x80, 0x100)) * 40,
}


@pytest.mark.parametrize(
    ("kind", "suffix"),
    [
        (kind, suffix)
        for kind in sorted(BINARIES)
        for suffix in (".html", ".md", ".txt", ".jsonl")
        # HTML may be in a legacy single-byte encoding: high bytes alone are text there.
        if (kind, suffix) != ("high-bytes", ".html")
    ],
)
def test_load__binary_file_under_a_text_suffix_is_refused_by_name(
    tmp_path: Path, suffix: str, kind: str
) -> None:
    path = tmp_path / f"file-{kind}{suffix}"
    path.write_bytes(BINARIES[kind])
    items = list(load_path(path, tmp_path))
    assert len(items) == 1 and isinstance(items[0], DocumentLoadError), items
    assert str(items[0]).startswith(f"file-{kind}{suffix}: is not text")


def test_load__binary_pdf_is_allowed_when_named_pdf(tmp_path: Path) -> None:
    data = pdf_bytes([["Stitches are removed after ten days."]])
    header = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    assert data.startswith(header)
    data = b"%PDF-1.4\n%\x00\x01\x02\x03\n" + data[len(header) :]  # same offsets, NUL bytes
    (tmp_path / "leaflet.pdf").write_bytes(data)
    (doc,) = load_path(tmp_path / "leaflet.pdf", tmp_path)
    assert isinstance(doc, SourceDoc) and "Stitches" in doc.text
    (tmp_path / "leaflet.txt").write_bytes(data)
    (error,) = load_path(tmp_path / "leaflet.txt", tmp_path)
    assert isinstance(error, DocumentLoadError) and "NUL bytes" in str(error)


def test_load__text_with_a_few_controls_or_a_cut_character_is_still_text(tmp_path: Path) -> None:
    # A form feed, tabs and an escape are text; so is a three-byte character that the first
    # block cuts in two.
    body = "Recovery\ttakes\ttwo weeks.\x0c\n\n\x1b[1mBold\x1b[0m heading note.\n\n"
    body += " " * ((TEXT_PROBE_BYTES - len(body.encode()) - 1) % 3)  # the block ends in a €
    euro = "€" * (TEXT_PROBE_BYTES // 3 + 1)
    assert (TEXT_PROBE_BYTES - len(body.encode())) % 3 == 1
    (tmp_path / "note.md").write_text(body + euro + "\n", encoding="utf-8")
    (doc,) = load_path(tmp_path / "note.md", tmp_path)
    assert isinstance(doc, SourceDoc) and doc.text.endswith("€\n")
    legacy = (
        '<html><head><meta charset="windows-1252"><title>Récupération</title></head>'
        "<body><main><p>La récupération après la chirurgie prend deux semaines.</p>"
        "</main></body></html>"
    ).encode("cp1252")
    (tmp_path / "page.html").write_bytes(legacy)
    (page,) = load_path(tmp_path / "page.html", tmp_path)
    assert isinstance(page, SourceDoc) and "récupération" in page.text


# ---- 2 and 3 through the pipeline and the CLI ----------------------------------------------


@pytest.mark.slow
def test_cli_ingest__oversized_and_binary_files_are_named_others_indexed_exit_1(
    tmp_path: Path,
) -> None:
    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    (knowledge / "good.md").write_text("# Good\n\nOccipital release takes two hours.\n")
    _write(knowledge / "huge.md", 6000)
    (knowledge / "garbage.html").write_bytes(BINARIES["random"][:4000])  # under the limit
    data = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", "--json", *_dirs(knowledge, data)],
        cwd=ROOT,
        env=_offline_env(ASSISTANT_MAX_FILE_BYTES="5000"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["documents"] == 1 and report["added_or_changed"] == 1
    errors = "\n".join(report["errors"])
    assert "huge.md: file is " in errors and "5,000 bytes" in errors
    assert "garbage.html: is not text" in errors
    # Named again at the end of the output, where an operator looks, after the summary.
    lines = result.stderr.splitlines()
    end = next(i for i, line in enumerate(lines) if "2 file(s) not indexed" in line)
    assert lines[end - 2].startswith("error: garbage.html: is not text")
    assert lines[end - 1].startswith("error: huge.md: file is ")
    catalogue = Catalogue(data / "catalogue.sqlite3")
    assert [d.doc_id for d in catalogue.documents()] == ["good"]
    catalogue.close()


@pytest.mark.slow
def test_ingest__file_that_grows_over_the_limit_keeps_its_last_good_version(
    make_assistant: MakeAssistant, tmp_path: Path
) -> None:
    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    (knowledge / "good.md").write_text("# Good\n\nOccipital release takes two hours.\n")
    notes = knowledge / "notes.md"
    notes.write_text("# Notes\n\nStitches are removed after ten days.\n")
    assistant = make_assistant(knowledge, max_file_bytes=2000)
    first = assistant.ingest()
    before = assistant.sources()
    _write(notes, 4000)
    second = assistant.ingest()
    assert len(second.errors) == 1 and second.errors[0].startswith("notes.md: file is ")
    assert second.removed == 0 and second.index_version == first.index_version
    assert assistant.sources() == before


# ---- 4. the large-file case of `assistant bench` -------------------------------------------


def _large_file_row(**extra: Any) -> dict[str, Any]:
    return {
        "embedder": "minilm",
        "file_mb": 2.0,
        "chunks": 2900,
        "peak_rss_mb": 990.0,
        "peak_rss_polled_mb": 980.0,
        "wait4_maxrss_mb": 990.0,
        "baseline_rss_mb": 850.0,
        "ingest_seconds": 80.0,
        "process_seconds": 90.0,
        "small_files_documents": 1000,
        "small_files_chunks": 1000,
        "small_files_peak_rss_mb": 900.0,
        "over_small_files": 1.1,
        **extra,
    }


def test_bench_report__large_file_ratio_is_a_key_figure_and_a_table(tmp_path: Path) -> None:
    data = {
        "parts": {
            "ingest": {
                "measured": "2026-01-01T00:00:00+00:00",
                "quick": True,
                "machine": {},
                "command": [],
                "result": {"rss_large_file": _large_file_row()},
            }
        }
    }
    (check,) = [c for c in checks(data) if "file vs" in c["what"]]
    assert check["what"] == "Peak RSS, one 2.0 MB file vs 1,000 documents"
    assert check["value"] == "1.10 (990.0 vs 900.0 MB)" and check["ok"] is None
    text = write_report(data, tmp_path).read_text(encoding="utf-8")
    assert "One large file, in the same run" in text
    assert "| 2.0 | 2,900 | 990.0 |" in text


def test_bench_options__large_file_size() -> None:
    from assistant.bench import options

    assert options(bench_args([]))["large_file_mb"] == 50.0
    assert options(bench_args(["--quick"]))["large_file_mb"] == 2.0
    assert options(bench_args(["--large-file-mb", "0"]))["large_file_mb"] == 0.0


@pytest.mark.slow
def test_bench__rss_section_with_a_small_large_file_end_to_end(tmp_path: Path) -> None:
    small_run = ["--parts", "ingest", "--ingest-sections", "rss", "--rss-docs", "100"]
    code = bench_main(
        [*small_run, "--large-file-mb", "0.2", "--embedders", "minilm", "--out", str(tmp_path)]
    )
    assert code == 0
    saved = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    result = saved["parts"]["ingest"]["result"]
    (small,) = result["rss"]  # 100 documents: the small and large runs are the same size
    large = result["rss_large_file"]
    assert large["file_mb"] == pytest.approx(0.2, abs=0.05)
    assert large["chunks"] > 100
    assert large["small_files_documents"] == small["documents"] == 100
    assert large["small_files_peak_rss_mb"] == small["peak_rss_mb"]
    assert large["over_small_files"] == round(large["peak_rss_mb"] / small["peak_rss_mb"], 3)
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "Peak RSS, one 0.2 MB file vs 100 documents" in report
