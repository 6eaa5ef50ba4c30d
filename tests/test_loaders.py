"""Loaders of the knowledge folder: Markdown/text, HTML, PDF, JSONL, and malformed files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from assistant.errors import DocumentLoadError
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loaders import iter_knowledge_files, load_path
from assistant.types import SourceDoc
from tests.conftest import KNOWLEDGE
from tests.fixtures.ingest.pdfgen import pdf_bytes, write_pdf

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"


def load_all(path: Path, root: Path) -> list[SourceDoc | DocumentLoadError]:
    return list(load_path(path, root))


def load_one(path: Path, root: Path) -> SourceDoc:
    items = load_all(path, root)
    assert len(items) == 1, items
    assert isinstance(items[0], SourceDoc), items[0]
    return items[0]


def load_error(path: Path, root: Path) -> DocumentLoadError:
    items = load_all(path, root)
    errors = [i for i in items if isinstance(i, DocumentLoadError)]
    assert errors, items
    assert not [i for i in items if isinstance(i, SourceDoc)], items
    return errors[0]


# ---- Markdown and text ---------------------------------------------------------------------

FRONT_MATTER_DOC = """---
id: Occipital Release_Guide
title: "Occipital release: a patient guide"
url: https://clinic.example/occipital-release
publisher: Example Clinic
source_kind: clinic-marketing
date: 2024-06-07
notes: not a provenance field
---
# Occipital release

The operation takes about ninety minutes.
"""


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_load_text__front_matter_gives_metadata_and_id(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"guide{suffix}"
    path.write_text(FRONT_MATTER_DOC, encoding="utf-8")
    doc = load_one(path, tmp_path)
    assert doc.doc_id == "occipital-release-guide"
    assert doc.title == "Occipital release: a patient guide"
    assert doc.url == "https://clinic.example/occipital-release"
    assert doc.publisher == "Example Clinic"
    assert doc.source_kind == "clinic-marketing"
    assert doc.date == "2024-06-07"
    assert doc.path == f"guide{suffix}"
    # The front matter is not part of the text; the body is, unchanged.
    assert doc.text == "# Occipital release\n\nThe operation takes about ninety minutes.\n"


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_load_text__without_front_matter_id_comes_from_file_name(
    tmp_path: Path, suffix: str
) -> None:
    folder = tmp_path / "Patient Leaflets"
    folder.mkdir()
    path = folder / f"Nerve Block_FAQ{suffix}"
    body = "## Nerve block questions\n\nAn occipital nerve block takes a few minutes.\n"
    path.write_text(body, encoding="utf-8")
    doc = load_one(path, tmp_path)
    assert doc.doc_id == "patient-leaflets-nerve-block-faq"
    assert doc.title == "Nerve block questions"  # first line, without the Markdown marks
    assert doc.text == body
    assert doc.source_kind == "other"
    assert doc.url is None and doc.publisher is None and doc.date is None
    assert doc.path == f"Patient Leaflets/Nerve Block_FAQ{suffix}"


def test_load_text__front_matter_without_id_uses_file_name(tmp_path: Path) -> None:
    path = tmp_path / "spinal-cord-stimulation.md"
    path.write_text("---\ntitle: SCS\nsource_kind: reference\n---\nBody text here.\n")
    doc = load_one(path, tmp_path)
    assert doc.doc_id == "spinal-cord-stimulation"
    assert doc.title == "SCS"
    assert doc.source_kind == "reference"
    assert doc.text == "Body text here.\n"


def test_load_text__windows_line_endings_in_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "crlf.md"
    path.write_bytes(b"---\r\ntitle: CRLF notes\r\nsource_kind: reference\r\n---\r\nBody line.\r\n")
    doc = load_one(path, tmp_path)
    assert doc.title == "CRLF notes"
    assert doc.source_kind == "reference"
    assert doc.text == "Body line.\n"  # text is read with universal newlines


@pytest.mark.parametrize(
    ("name", "doc_id", "source_kind", "publisher"),
    [
        ("migraine-surgery-wiki.md", "migraine-surgery-wiki", "reference", "Neurosurgery Wiki"),
        (
            "migone-procedure-clinic.md",
            "migone-procedure-clinic",
            "clinic-marketing",
            "The Migraine Relief Center",
        ),
        (
            "fat-transfer-blog.md",
            "fat-transfer-blog",
            "practice-blog",
            "Tampa Liposuction (cosmetic-surgery practice)",
        ),
        (
            "curated-evidence-summary.md",
            "curated-evidence-summary",
            "curated-evidence",
            "Assistant editorial team (curated from published studies)",
        ),
    ],
)
def test_load_text__knowledge_documents_carry_their_provenance(
    name: str, doc_id: str, source_kind: str, publisher: str
) -> None:
    doc = load_one(KNOWLEDGE / name, KNOWLEDGE)
    assert doc.doc_id == doc_id
    assert doc.source_kind == source_kind
    assert doc.publisher == publisher
    assert not doc.text.startswith("---")
    assert "source_kind:" not in doc.text


# ---- HTML ----------------------------------------------------------------------------------


def test_load_html__main_text_title_and_metadata() -> None:
    doc = load_one(FIXTURES / "occipital-release.html", FIXTURES)
    assert doc.doc_id == "occipital-release"
    assert doc.title == "Occipital nerve release at Lakeside Headache Clinic"
    assert doc.url == "https://lakeside.example/occipital-release"
    assert doc.publisher == "Lakeside Headache Clinic"
    assert doc.source_kind == "clinic-marketing"
    assert "# Occipital nerve release" in doc.text
    assert "## How long it takes" in doc.text
    assert "The operation at Lakeside takes about ninety minutes." in doc.text
    assert "Stitches are removed after ten days." in doc.text
    # Line breaks inside a paragraph of the HTML source do not survive as text breaks.
    assert "frees the greater occipital nerve from the muscle that presses on it." in doc.text


def test_load_html__drops_navigation_scripts_and_page_furniture() -> None:
    doc = load_one(FIXTURES / "occipital-release.html", FIXTURES)
    assert "BOILERPLATE" not in doc.text
    assert "font-family" not in doc.text
    assert "Book now" not in doc.text
    assert "Copyright" not in doc.text


def test_load_html__page_without_main_uses_body(tmp_path: Path) -> None:
    path = tmp_path / "Spinal Stimulation.htm"
    path.write_text(
        "<html><head><title> Spinal cord stimulation </title><script>var x = 'SCRIPT';</script>"
        "</head><body><div role='navigation'>MENU</div><header>HEADER</header>"
        "<h2>Who is it for</h2><p>It is used for severe migraine.</p>"
        "<div><p>Leads are placed <b>under the skin</b>.</p></div>"
        "<footer>FOOTER</footer></body></html>",
        encoding="utf-8",
    )
    doc = load_one(path, tmp_path)
    assert doc.doc_id == "spinal-stimulation"
    assert doc.title == "Spinal cord stimulation"
    blocks = doc.text.split("\n\n")
    assert blocks[:2] == ["## Who is it for", "It is used for severe migraine."]
    # Inline markup keeps its words in the paragraph (spacing around it may vary).
    assert blocks[2].replace(" .", ".") == "Leads are placed under the skin.\n"
    assert len(blocks) == 3
    for furniture in ("SCRIPT", "MENU", "HEADER", "FOOTER"):
        assert furniture not in doc.text


# ---- PDF -----------------------------------------------------------------------------------

PAGE_1 = [
    "Occipital nerve release frees the nerve from the muscle around it.",
    "The operation takes about two hours.",
]
PAGE_2 = [
    "Recovery takes about two weeks.",
    "Stitches are removed after ten days.",
]


def test_load_pdf__text_per_page_with_page_spans(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "Release Leaflet.pdf", [PAGE_1, PAGE_2], title="Release leaflet")
    assert len(PdfReader(str(path)).pages) == 2  # a real two-page PDF
    doc = load_one(path, tmp_path)
    assert doc.doc_id == "release-leaflet"
    assert doc.title == "Release leaflet"
    assert len(doc.pages) == 2
    page_texts = [doc.text[p.start : p.end] for p in doc.pages]
    assert [t.split() for t in page_texts] == [
        " ".join(PAGE_1).split(),
        " ".join(PAGE_2).split(),
    ]
    assert doc.pages[0].start == 0
    assert doc.pages[0].end < doc.pages[1].start
    assert doc.pages[1].end <= len(doc.text)


def test_load_pdf__chunk_page_is_the_page_the_chunk_starts_on(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "leaflet.pdf", [PAGE_1, PAGE_2])
    doc = load_one(path, tmp_path)
    # A small window puts each page's paragraph in its own chunk.
    chunks = chunk_document(doc, "0" * 64, max_tokens=20)
    by_page = {c.page: c.text for c in chunks}
    assert set(by_page) == {1, 2}
    assert all("two hours" not in c.text for c in chunks if c.page == 2)
    assert any("two hours" in c.text for c in chunks if c.page == 1)
    assert any("Stitches" in c.text for c in chunks if c.page == 2)


def test_load_pdf__blank_first_page_puts_text_on_page_two(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "cover.pdf", [[], PAGE_2])
    doc = load_one(path, tmp_path)
    chunks = chunk_document(doc, "0" * 64, max_tokens=200)
    assert [c.page for c in chunks] == [2]


def test_load_pdf__title_falls_back_to_first_line(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "untitled.pdf", [PAGE_1])
    doc = load_one(path, tmp_path)
    assert doc.title == PAGE_1[0]
    assert doc.source_kind == "other"


# ---- JSONL ---------------------------------------------------------------------------------


def test_load_jsonl__one_document_per_line_with_its_id_and_metadata() -> None:
    docs = load_all(FIXTURES / "trial-notes.jsonl", FIXTURES)
    assert all(isinstance(d, SourceDoc) for d in docs), docs
    by_id = {d.doc_id: d for d in docs if isinstance(d, SourceDoc)}
    assert list(by_id) == ["pfo-closure-note", "nerve-block-note", "stimulation-faq"]
    pfo = by_id["pfo-closure-note"]
    assert pfo.title == "PFO closure trials"
    assert pfo.source_kind == "curated-evidence"
    assert pfo.publisher == "Trial digest"
    assert pfo.url == "https://digest.example/pfo"
    assert pfo.date == "2025-02-01"
    assert pfo.text.startswith("# PFO closure\n\nThe MIST trial")
    assert pfo.path == "trial-notes.jsonl"
    block = by_id["nerve-block-note"]  # metadata given in a nested object
    assert block.title == "Occipital nerve block"
    assert block.source_kind == "reference"
    faq = by_id["stimulation-faq"]
    assert faq.source_kind == "other"


def _jsonl(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
        encoding="utf-8",
    )
    return path


def test_load_jsonl__bad_lines_are_errors_naming_file_and_line_others_load(
    tmp_path: Path,
) -> None:
    (tmp_path / "corpus").mkdir()
    path = _jsonl(
        tmp_path / "corpus" / "notes.jsonl",
        [
            {"id": "note-1", "text": "First note about nerve blocks."},
            "{this is not json",
            {"id": "note-3", "text": "Third note about recovery."},
            {"text": "a record without an id"},
            ["not", "an", "object"],
            {"id": "note-6", "text": "   "},
            {"id": "note-7", "text": "Seventh note.", "source_kind": "advertorial"},
            {"id": "note-8", "text": "Eighth note about outcomes."},
        ],
    )
    items = load_all(path, tmp_path)
    docs = [i.doc_id for i in items if isinstance(i, SourceDoc)]
    errors = [i for i in items if isinstance(i, DocumentLoadError)]
    assert docs == ["note-1", "note-3", "note-8"]
    assert [e.line for e in errors] == [2, 4, 5, 6, 7]
    for error in errors:
        assert error.path == "corpus/notes.jsonl"
        assert str(error).startswith(f"corpus/notes.jsonl:{error.line}: ")
    assert "advertorial" in str(errors[-1])


def test_load_jsonl__duplicate_id_is_rejected_first_one_kept(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "dupes.jsonl",
        [
            {"id": "same", "text": "The first version."},
            {"id": "other", "text": "Another document."},
            {"id": "same", "text": "The second version."},
        ],
    )
    items = load_all(path, tmp_path)
    docs = [i for i in items if isinstance(i, SourceDoc)]
    errors = [i for i in items if isinstance(i, DocumentLoadError)]
    assert [(d.doc_id, d.text) for d in docs] == [
        ("same", "The first version."),
        ("other", "Another document."),
    ]
    assert len(errors) == 1
    assert str(errors[0]).startswith("dupes.jsonl:3: ")
    assert "same" in str(errors[0])


def test_load_jsonl__blank_lines_are_skipped_and_line_numbers_stay_true(tmp_path: Path) -> None:
    path = tmp_path / "gaps.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "Alpha."}) + "\n\n\n{broken\n", encoding="utf-8")
    items = load_all(path, tmp_path)
    assert isinstance(items[0], SourceDoc)
    assert isinstance(items[1], DocumentLoadError)
    assert items[1].line == 4


# ---- malformed files -----------------------------------------------------------------------

MALFORMED: list[tuple[str, bytes]] = [
    ("invalid-yaml.md", b"---\ntitle: [unclosed\nsource_kind: reference\n---\nBody text.\n"),
    ("front-matter-list.md", b"---\n- just\n- a list\n---\nBody text.\n"),
    ("unknown-kind.md", b"---\ntitle: Ad\nsource_kind: advertorial\n---\nBody text.\n"),
    ("unknown-kind.txt", b"---\nsource_kind: press-release\n---\nBody text.\n"),
    ("empty.md", b""),
    ("empty.txt", b""),
    ("whitespace-only.md", b"\n \n\t\n"),
    ("front-matter-only.md", b"---\ntitle: Nothing else\n---\n"),
    ("empty.html", b""),
    ("only-navigation.html", b"<html><body><nav>Home</nav><footer>Footer</footer></body></html>"),
    ("empty.pdf", b""),
    ("empty.jsonl", b""),
    ("latin-1.md", "Caf\u00e9 notes about migraine surgery.\n".encode("latin-1")),
    ("undecodable.txt", b"\xff\xfe\xfa broken \x80\x81 bytes\n"),
    ("undecodable.jsonl", b'\xff{"id": "x", "text": "broken"}\n'),
    ("not-a-pdf.pdf", b"This is plain text with a .pdf suffix.\n"),
    ("pdf-header-only.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
    ("truncated.pdf", pdf_bytes([["Some text."], ["More text."]])[:300]),
]


@pytest.mark.parametrize(
    ("name", "data"),
    [pytest.param(n, d, id=n) for n, d in MALFORMED],
)
def test_load__malformed_file_gives_error_naming_the_file(
    tmp_path: Path, name: str, data: bytes
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    path = folder / name
    path.write_bytes(data)
    error = load_error(path, tmp_path)
    assert error.path == f"inbox/{name}"
    assert str(error).startswith(f"inbox/{name}")
    assert error.reason and error.reason in str(error)


def test_load__unknown_source_kind_message_lists_the_known_kinds(tmp_path: Path) -> None:
    path = tmp_path / "ad.md"
    path.write_text("---\nsource_kind: advertorial\n---\nBody.\n", encoding="utf-8")
    message = str(load_error(path, tmp_path))
    assert "advertorial" in message
    for kind in ("reference", "clinic-marketing", "practice-blog", "curated-evidence", "other"):
        assert kind in message


def test_iter_knowledge_files__supported_visible_files_sorted(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "occipital-release.html", tmp_path / "b.html")
    (tmp_path / "a.md").write_text("A.\n")
    (tmp_path / "c.jsonl").write_text("{}\n")
    (tmp_path / "d.txt").write_text("D.\n")
    (tmp_path / "e.pdf").write_bytes(pdf_bytes([["E."]]))
    (tmp_path / "notes.docx").write_text("unsupported")
    (tmp_path / "registry.yaml").write_text("version: 1\n")
    (tmp_path / ".hidden.md").write_text("hidden")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "x.md").write_text("hidden")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f.MD").write_text("F.\n")
    names = [p.relative_to(tmp_path).as_posix() for p in iter_knowledge_files(tmp_path)]
    assert names == ["a.md", "b.html", "c.jsonl", "d.txt", "e.pdf", "sub/f.MD"]
