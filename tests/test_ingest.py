"""Ingest: idempotent, incremental (changed / removed / malformed files), crash-safe, scalable."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.index.catalogue import Catalogue
from assistant.service import Assistant
from tests.conftest import KNOWLEDGE, ROOT
from tests.fixtures.ingest.pdfgen import pdf_bytes, write_pdf

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
KNOWLEDGE_IDS = {
    "curated-evidence-summary",
    "fat-transfer-blog",
    "migone-procedure-clinic",
    "migraine-surgery-wiki",
}
SMALL_IDS = KNOWLEDGE_IDS - {"fat-transfer-blog"}
MIGONE_QUESTION = "How long does the M.I.G.O.N.E. procedure take?"
MIGONE_FACT = "two to three hours"

MakeAssistant = Callable[..., Assistant]

pytestmark = pytest.mark.slow


def _offline_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        GRADIO_ANALYTICS_ENABLED="False",
        ANONYMIZED_TELEMETRY="False",
        TOKENIZERS_PARALLELISM="false",
    )
    for key in ("CHROMA_HOST", "CHROMA_PORT", "ASSISTANT_API_KEYS"):
        env.pop(key, None)
    env.update(extra)
    return env


@pytest.fixture
def small_knowledge(tmp_path: Path) -> Path:
    """Three of the four knowledge documents (all but the long blog), to keep indexing quick."""
    target = tmp_path / "small-knowledge"
    target.mkdir()
    for doc_id in sorted(SMALL_IDS):
        shutil.copy(KNOWLEDGE / f"{doc_id}.md", target)
    return target


def _ids(assistant: Assistant) -> set[str]:
    return {d.doc_id for d in assistant.sources()}


def _texts(assistant: Assistant, query: str, k: int = 50) -> list[str]:
    return [p.chunk.text for p in assistant.search(query, k=k)]


# ---- idempotence and incremental updates ---------------------------------------------------


def test_ingest__second_run_embeds_nothing(make_assistant: MakeAssistant) -> None:
    assistant = make_assistant(KNOWLEDGE)
    first = assistant.ingest()
    assert first.errors == []
    assert first.documents == 4 and first.added_or_changed == 4
    assert first.chunks_embedded == assistant.catalogue.visible_count() > 0
    assert first.index_version == 1
    hashes = {d.doc_id: d.content_hash for d in assistant.sources()}

    second = assistant.ingest()
    assert second.errors == []
    assert second.chunks_embedded == 0
    assert second.chunks_reused == 0
    assert second.chunks_deleted == 0
    assert (second.unchanged, second.added_or_changed, second.removed) == (4, 0, 0)
    assert second.index_version == first.index_version
    assert assistant.index_version() == first.index_version
    assert {d.doc_id: d.content_hash for d in assistant.sources()} == hashes


def test_ingest__changed_file_replaces_its_chunks(
    make_assistant: MakeAssistant, small_knowledge: Path
) -> None:
    assistant = make_assistant(small_knowledge)
    first = assistant.ingest()
    assert any(MIGONE_FACT in t for t in _texts(assistant, MIGONE_QUESTION))
    old = {d.doc_id: d for d in assistant.sources()}["migone-procedure-clinic"]

    path = small_knowledge / "migone-procedure-clinic.md"
    text = path.read_text(encoding="utf-8")
    assert text.count("takes approximately two to three hours") == 1
    path.write_text(
        text.replace(
            "takes approximately two to three hours", "takes approximately four to five hours"
        ),
        encoding="utf-8",
    )
    second = assistant.ingest()
    new = {d.doc_id: d for d in assistant.sources()}["migone-procedure-clinic"]

    assert second.errors == []
    assert (second.added_or_changed, second.unchanged, second.removed) == (1, 2, 0)
    assert second.index_version == first.index_version + 1
    assert new.content_hash != old.content_hash
    assert second.chunks_embedded == new.chunk_count
    assert second.chunks_deleted == old.chunk_count
    for mode in ("hybrid", "dense", "lexical"):
        passages = assistant.search(MIGONE_QUESTION, k=50, mode=mode)
        assert not [p for p in passages if MIGONE_FACT in p.chunk.text], mode
        assert {p.chunk.doc_hash for p in passages if p.doc.doc_id == new.doc_id} == {
            new.content_hash
        }
    assert any("four to five hours" in t for t in _texts(assistant, MIGONE_QUESTION, k=5))
    # The old version's vectors are gone from the store, not only hidden.
    assert assistant.store.count() == assistant.catalogue.visible_count()


def test_ingest__removed_file_loses_its_chunks(
    make_assistant: MakeAssistant, small_knowledge: Path
) -> None:
    assistant = make_assistant(small_knowledge)
    first = assistant.ingest()
    wiki_query = "Are spinal cord stimulators used for severe migraine?"
    assert "migraine-surgery-wiki" in {p.doc.doc_id for p in assistant.search(wiki_query, k=5)}

    (small_knowledge / "migraine-surgery-wiki.md").unlink()
    second = assistant.ingest()

    assert second.errors == []
    assert (second.removed, second.unchanged, second.added_or_changed) == (1, 2, 0)
    assert second.index_version == first.index_version + 1
    assert _ids(assistant) == SMALL_IDS - {"migraine-surgery-wiki"}
    for query in (
        wiki_query,
        "migrane surgery definition",
        "Neurosurgery Wiki permanent link last update",
        "surgical deactivation of migraine trigger points outside experimental clinical trials",
    ):
        for mode in ("hybrid", "dense", "lexical"):
            found = {p.doc.doc_id for p in assistant.search(query, k=50, mode=mode)}
            assert "migraine-surgery-wiki" not in found, (query, mode)
    assert assistant.store.count() == assistant.catalogue.visible_count()


def test_ingest__malformed_files_among_good_ones_are_reported_others_indexed(
    make_assistant: MakeAssistant, small_knowledge: Path
) -> None:
    (small_knowledge / "broken-front-matter.md").write_text(
        "---\ntitle: [unclosed\n---\nThe clinic says surgery cures everything.\n", encoding="utf-8"
    )
    (small_knowledge / "scanned.pdf").write_bytes(pdf_bytes([["Scanned page."]])[:250])
    (small_knowledge / "advert.md").write_text(
        "---\nsource_kind: advertorial\n---\nBuy now.\n", encoding="utf-8"
    )
    (small_knowledge / "extra-notes.jsonl").write_text(
        json.dumps({"id": "nerve-block-note", "text": "An occipital nerve block takes minutes."})
        + "\n{not json\n",
        encoding="utf-8",
    )
    assistant = make_assistant(small_knowledge)
    report = assistant.ingest()

    assert len(report.errors) == 4, report.errors
    joined = "\n".join(report.errors)
    for name in ("broken-front-matter.md", "scanned.pdf", "advert.md", "extra-notes.jsonl:2"):
        assert name in joined
    assert report.documents == 4
    assert _ids(assistant) == SMALL_IDS | {"nerve-block-note"}
    assert "could not be read" in report.summary()
    passages = assistant.search(MIGONE_QUESTION)
    assert any(MIGONE_FACT in p.chunk.text for p in passages)


@pytest.mark.parametrize(
    "breakage",
    [
        pytest.param(b"---\ntitle: [unclosed\n---\nNew body.\n", id="invalid-yaml"),
        pytest.param(b"---\nsource_kind: advertorial\n---\nNew body.\n", id="unknown-kind"),
        pytest.param(b"\xff\xfe not utf-8 \x80\n", id="undecodable"),
        pytest.param(b"", id="emptied"),
    ],
)
def test_ingest__file_that_becomes_malformed_keeps_its_last_good_version(
    make_assistant: MakeAssistant, small_knowledge: Path, breakage: bytes
) -> None:
    assistant = make_assistant(small_knowledge)
    first = assistant.ingest()
    before = {d.doc_id: d.content_hash for d in assistant.sources()}

    path = small_knowledge / "migone-procedure-clinic.md"
    good = path.read_bytes()
    path.write_bytes(breakage)
    broken = assistant.ingest()

    assert len(broken.errors) == 1 and "migone-procedure-clinic.md" in broken.errors[0]
    assert broken.removed == 0
    assert broken.index_version == first.index_version
    assert {d.doc_id: d.content_hash for d in assistant.sources()} == before
    passages = assistant.search(MIGONE_QUESTION)
    assert passages[0].doc.doc_id == "migone-procedure-clinic"
    assert any(MIGONE_FACT in p.chunk.text for p in passages)

    path.write_bytes(good)  # repaired: back to the indexed version, nothing to do
    repaired = assistant.ingest()
    assert repaired.errors == []
    assert repaired.chunks_embedded == 0
    assert repaired.index_version == first.index_version


def test_ingest__html_pdf_and_jsonl_are_indexed_with_provenance_and_pages(
    make_assistant: MakeAssistant, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(FIXTURES / "occipital-release.html", folder)
    shutil.copy(FIXTURES / "trial-notes.jsonl", folder)
    write_pdf(
        folder / "recovery-leaflet.pdf",
        [
            [
                "Occipital nerve release frees the greater occipital nerve from the semispinalis",
                "muscle. The operation is done under general anaesthesia.",
            ],
            [
                "Stitches at the back of the head are removed after ten to fourteen days.",
                "Numbness over the scalp usually fades within six months.",
            ],
        ],
        title="Recovery leaflet",
    )
    assistant = make_assistant(folder, chunk_max_tokens=32)
    report = assistant.ingest()
    assert report.errors == []
    docs = {d.doc_id: d for d in assistant.sources()}
    assert set(docs) == {
        "occipital-release",
        "pfo-closure-note",
        "nerve-block-note",
        "stimulation-faq",
        "recovery-leaflet",
    }
    assert docs["occipital-release"].source_kind == "clinic-marketing"
    assert docs["occipital-release"].url == "https://lakeside.example/occipital-release"
    assert docs["pfo-closure-note"].path == "trial-notes.jsonl"
    assert docs["recovery-leaflet"].title == "Recovery leaflet"

    top = assistant.search("When are the stitches removed?", k=3)[0]
    assert top.doc.doc_id == "recovery-leaflet"
    assert "Stitches" in top.chunk.text
    assert top.chunk.page == 2
    first_page = assistant.search("semispinalis muscle nerve release", k=3)[0]
    assert first_page.doc.doc_id == "recovery-leaflet" and first_page.chunk.page == 1

    only_clinic = assistant.search(
        "How long does it take?", k=10, source_kinds=["clinic-marketing"]
    )
    assert only_clinic and {p.doc.source_kind for p in only_clinic} == {"clinic-marketing"}


# ---- a killed ingest -----------------------------------------------------------------------


def _generated_corpus(path: Path, n: int, prefix: str, short: bool = False) -> list[str]:
    colours = ["amber", "cobalt", "crimson", "olive", "violet", "saffron", "teal"]
    ids = []
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            doc_id = f"{prefix}-{i:04d}"
            ids.append(doc_id)
            text = (
                f"Harbour log {i}: the {colours[i % 7]} lighthouse keeper counted {i} ships "
                f"and wrote the code word quill{prefix}{i:04d} in the margin."
            )
            title = f"Harbour log {i}"
            if short:
                title, text = "Log", f"Log {i} {colours[i % 7]}: quill{prefix}{i:04d}."
            record = {"id": doc_id, "title": title, "source_kind": "other", "text": text}
            handle.write(json.dumps(record) + "\n")
    return ids


def _cli_ingest(knowledge: Path, data: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "assistant.cli",
        "ingest",
        "--knowledge-dir",
        str(knowledge),
        "--data-dir",
        str(data),
    ]


def test_ingest__killed_run_keeps_previous_index_and_next_run_reuses_its_vectors(
    make_assistant: MakeAssistant, tmp_path: Path
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    data = tmp_path / "index"
    # Both runs before the kill are separate processes, as they would be in real use; this
    # process opens the index only afterwards.
    done = subprocess.run(
        [*_cli_ingest(knowledge, data), "--json"],
        cwd=ROOT,
        env=_offline_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["documents"] == 4
    catalogue = Catalogue(data / "catalogue.sqlite3")  # SQLite only, no vector store client
    sources_before = catalogue.documents()
    catalogue.close()

    corpus_ids = _generated_corpus(knowledge / "harbour-logs.jsonl", 300, "log")
    seen: list[str] = []
    with subprocess.Popen(
        _cli_ingest(knowledge, data),
        cwd=ROOT,
        env=_offline_env(ASSISTANT_INGEST_BATCH_CHUNKS="32"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        watchdog = threading.Timer(240, proc.kill)  # never hang the suite
        watchdog.start()
        try:
            assert proc.stderr is not None
            for line in proc.stderr:
                seen.append(line)
                if "embedded" in line:  # a batch is in Chroma and staged in the catalogue
                    proc.send_signal(signal.SIGKILL)
                    break
            proc.wait(timeout=60)
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert any("embedded" in line for line in seen), "".join(seen)
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"

    assistant = make_assistant(knowledge, data)
    # The killed run wrote vectors that no query may see yet.
    assert assistant.store.count() > assistant.catalogue.visible_count()
    assert assistant.index_version() == 1
    assert assistant.sources() == sources_before
    assert _ids(assistant) == KNOWLEDGE_IDS
    passages = assistant.search(MIGONE_QUESTION)
    assert passages[0].doc.doc_id == "migone-procedure-clinic"
    assert any(MIGONE_FACT in p.chunk.text for p in passages)
    for query in (
        "Harbour log 3: the lighthouse keeper counted ships",
        "quilllog0005",
        MIGONE_QUESTION,
    ):
        found = {p.doc.doc_id for p in assistant.search(query, k=50)}
        assert not found & set(corpus_ids), query

    report = assistant.ingest()
    assert report.errors == []
    assert (report.added_or_changed, report.unchanged) == (300, 4)
    assert report.chunks_reused >= 32
    new_chunks = sum(d.chunk_count for d in assistant.sources() if d.doc_id in corpus_ids)
    assert report.chunks_reused + report.chunks_embedded == new_chunks
    assert report.index_version == 2
    assert _ids(assistant) == KNOWLEDGE_IDS | set(corpus_ids)
    assert "log-0005" in {p.doc.doc_id for p in assistant.search("quilllog0005", k=5)}
    assert "log-0290" in {p.doc.doc_id for p in assistant.search("quilllog0290", k=5)}
    # A vector written by the killed run (first batch) answers dense queries after the resume.
    log_5 = next(d for d in assistant.sources() if d.doc_id == "log-0005")
    ids_5 = assistant.catalogue.staged_chunk_ids("log-0005", log_5.content_hash)
    chunk_5, _ = assistant.catalogue.visible(ids_5)[ids_5[0]]
    dense = assistant.search(chunk_5.text, k=3, mode="dense")
    assert dense[0].doc.doc_id == "log-0005"
    assert assistant.store.count() == assistant.catalogue.visible_count()


def test_ingest__two_thousand_document_jsonl_corpus_in_one_go(
    make_assistant: MakeAssistant, tmp_path: Path
) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    ids = _generated_corpus(folder / "corpus.jsonl", 2000, "big", short=True)
    assistant = make_assistant(folder)
    report = assistant.ingest()
    assert report.errors == []
    assert report.documents == report.added_or_changed == 2000
    assert report.chunks_embedded == assistant.catalogue.visible_count() >= 2000
    assert _ids(assistant) == set(ids)
    assert assistant.store.count() == assistant.catalogue.visible_count()
    for i in (0, 1234, 1999):
        found = [p.doc.doc_id for p in assistant.search(f"quillbig{i:04d}", k=5)]
        assert f"big-{i:04d}" in found
