"""Chunking invariants over the knowledge documents and over HTML, PDF and JSONL documents.

Every chunk is the document text at its offsets, carries sentence spans inside itself, fits the
model window, records its heading path and never runs across a heading.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from assistant.embedding import SentenceTransformerEmbedder
from assistant.ingest.chunking import chunk_document, document_hash, parse_blocks
from assistant.ingest.loaders import load_path
from assistant.settings import Settings
from assistant.types import Chunk, SourceDoc
from tests.conftest import KNOWLEDGE
from tests.fixtures.ingest.pdfgen import write_pdf

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
MAX_TOKENS = Settings().chunk_max_tokens
SLACK = 5  # tokens a chunk may exceed chunk_max_tokens by (joins between pieces)

PDF_PAGE_1 = [
    "Occipital nerve release is offered to patients with occipital neuralgia.",
    "The surgeon frees the greater occipital nerve from the semispinalis muscle.",
    "The operation is done under general anaesthesia in an outpatient theatre.",
    "Patients are asked to stop smoking for four weeks before the operation.",
    "A headache diary kept for three months helps to select the right patients.",
    "Nerve blocks with local anaesthetic are often tried before any operation.",
    "Only patients whose pain improves after a block are offered the surgery.",
    "The clinic records headache days before and after the operation.",
]
PDF_PAGE_2 = [
    "Recovery after the operation takes about two weeks for most patients.",
    "Stitches at the back of the head are removed after ten to fourteen days.",
    "Numbness over the scalp is common and usually fades within six months.",
    "Heavy lifting should be avoided for three weeks after the operation.",
    "Most patients return to desk work within one week of the operation.",
    "A follow-up visit with the surgeon is booked six weeks after surgery.",
    "Infection of the wound is rare and is treated with antibiotics.",
    "Patients keep their headache diary for a year after the operation.",
]

DOC_IDS = [
    "migraine-surgery-wiki",
    "migone-procedure-clinic",
    "fat-transfer-blog",
    "curated-evidence-summary",
    "occipital-release",  # HTML
    "pfo-closure-note",  # JSONL
    "nerve-block-note",  # JSONL, plain-text headings
    "stimulation-faq",  # JSONL, list items and an abbreviation
    "recovery-leaflet",  # PDF, two pages
]


def _load(path: Path, root: Path) -> list[SourceDoc]:
    docs = []
    for item in load_path(path, root):
        assert isinstance(item, SourceDoc), item
        docs.append(item)
    return docs


@pytest.fixture(scope="module")
def chunked(
    embedder: SentenceTransformerEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[SourceDoc, list[Chunk]]]:
    """doc_id -> (document, its chunks), chunked as the indexer does it."""
    pdf_dir = tmp_path_factory.mktemp("pdf")
    write_pdf(pdf_dir / "recovery-leaflet.pdf", [PDF_PAGE_1, PDF_PAGE_2], title="Recovery leaflet")
    docs: list[SourceDoc] = []
    for path in sorted(KNOWLEDGE.glob("*.md")):
        docs += _load(path, KNOWLEDGE)
    docs += _load(FIXTURES / "occipital-release.html", FIXTURES)
    docs += _load(FIXTURES / "trial-notes.jsonl", FIXTURES)
    docs += _load(pdf_dir / "recovery-leaflet.pdf", pdf_dir)
    out = {}
    for doc in docs:
        digest = document_hash(doc, embedder.model_id)
        out[doc.doc_id] = (doc, chunk_document(doc, digest, MAX_TOKENS, embedder.count_tokens))
    return out


def _heading_lines(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Heading blocks inside ``text[start:end]`` (by the block parser, or a '#' line)."""
    found = {(b.start, b.end, b.title) for b in parse_blocks(text) if b.kind == "heading"}
    for m in re.finditer(r"(?m)^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*$", text):
        found.add((m.start(), m.end(), m.group(1)))
    return sorted(h for h in found if start <= h[0] < end)


def _expected_heading_path(doc: SourceDoc, chunk: Chunk) -> tuple[str, ...]:
    """Headings in force at the chunk's first body block (or at its end for a heading-only one)."""
    stack: list[tuple[int, str]] = []
    for block in parse_blocks(doc.text):
        if block.kind != "heading":
            if block.start >= chunk.start:
                break
            continue
        if block.start >= chunk.end:
            break
        while stack and stack[-1][0] >= block.level:
            stack.pop()
        stack.append((block.level, block.title))
    return tuple(title for _, title in stack)


def test_chunked_fixture__covers_every_kind_of_document(
    chunked: dict[str, tuple[SourceDoc, list[Chunk]]],
) -> None:
    assert sorted(chunked) == sorted(DOC_IDS)
    assert chunked["recovery-leaflet"][0].pages  # the PDF really came through the PDF loader


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_chunks__text_is_the_document_text_at_their_offsets(
    chunked: dict[str, tuple[SourceDoc, list[Chunk]]], doc_id: str
) -> None:
    doc, chunks = chunked[doc_id]
    assert chunks
    for ordinal, chunk in enumerate(chunks):
        assert doc.text[chunk.start : chunk.end] == chunk.text, chunk.chunk_id
        assert chunk.text.strip(), chunk.chunk_id
        assert chunk.ordinal == ordinal
        assert chunk.doc_id == doc.doc_id
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    for before, after in itertools.pairwise(chunks):
        assert before.end <= after.start, (before.chunk_id, after.chunk_id)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_chunks__together_cover_all_text_of_the_document(
    chunked: dict[str, tuple[SourceDoc, list[Chunk]]], doc_id: str
) -> None:
    doc, chunks = chunked[doc_id]
    covered = [False] * len(doc.text)
    for chunk in chunks:
        covered[chunk.start : chunk.end] = [True] * (chunk.end - chunk.start)
    lost = "".join(
        ch for ch, ok in zip(doc.text, covered, strict=True) if not ok and not ch.isspace()
    )
    assert lost == ""


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_chunks__sentence_spans_lie_inside_their_chunk(
    chunked: dict[str, tuple[SourceDoc, list[Chunk]]], doc_id: str
) -> None:
    doc, chunks = chunked[doc_id]
    assert any(chunk.sentences for chunk in chunks)
    for chunk in chunks:
        previous_end = chunk.start
        for span in chunk.sentences:
            assert chunk.start <= span.start < span.end <= chunk.end, (chunk.chunk_id, span)
            assert span.start >= previous_end, (chunk.chunk_id, span)
            sentence = doc.text[span.start : span.end]
            assert sentence == sentence.strip() and sentence, (chunk.chunk_id, sentence)
            previous_end = span.end


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_chunks__fit_the_model_window(
    chunked: dict[str, tuple[SourceDoc, list[Chunk]]],
    embedder: SentenceTransformerEmbedder,
    doc_id: str,
) -> None:
    _, chunks = chunked[doc_id]
    sizes = {chunk.chunk_id: embedder.count_tokens(chunk.text) for chunk in chunks}
    too_big = {cid: n for cid, n in sizes.items() if n > MAX_TOKENS + SLACK}
    assert not too_big


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_chunks__never_cross_a_heading(
    chunked: dict[str, tuple[SourceDoc, list[Chunk]]], doc_id: str
) -> None:
    doc, chunks = chunked[doc_id]
    for chunk in chunks:
        headings = _heading_lines(doc.text, chunk.start, chunk.end)
        body = [
            b
            for b in parse_blocks(doc.text)
            if b.kind != "heading" and chunk.start <= b.start < chunk.end
        ]
        if headings and body:
            # Headings may open a chunk; none may come after its first body text.
            assert max(h[0] for h in headings) < min(b.start for b in body), chunk.text


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_chunks__record_the_heading_path_they_sit_under(
    chunked: dict[str, tuple[SourceDoc, list[Chunk]]], doc_id: str
) -> None:
    doc, chunks = chunked[doc_id]
    for chunk in chunks:
        assert chunk.heading_path == _expected_heading_path(doc, chunk), chunk.text[:80]


def _chunk_with(chunks: list[Chunk], needle: str) -> Chunk:
    found = [c for c in chunks if needle in c.text]
    assert len(found) == 1, (needle, [c.chunk_id for c in found])
    return found[0]


@pytest.mark.parametrize(
    ("doc_id", "needle", "heading_path"),
    [
        pytest.param(
            "migone-procedure-clinic",
            "two to three hours",
            ("The M.I.G.O.N.E. Procedure",),
            id="migone-procedure-section",
        ),
        pytest.param(
            "migone-procedure-clinic",
            "Whiplash injury",
            ("Occipital Neuralgia",),
            id="migone-occipital-neuralgia-section",
        ),
        pytest.param(
            "migone-procedure-clinic",
            "M.I.G.O.N.E. is a treatment for migraines",
            (),
            id="migone-text-before-any-heading",
        ),
        pytest.param(
            "curated-evidence-summary",
            "In the MIST trial",
            (
                "What the published evidence says about migraine surgery",
                'PFO closure (the "congenital heart defect" correction)',
            ),
            id="curated-nested-markdown-headings",
        ),
        pytest.param(
            "migraine-surgery-wiki",
            "are sometimes used in cases of severe migraine",
            ("Spinal cord stimulation",),
            id="wiki-plain-heading",
        ),
        pytest.param(
            "fat-transfer-blog",
            "takes about one to two hours",
            ("Frequently Asked Questions",),
            id="blog-faq",
        ),
        pytest.param(
            "occipital-release",
            "about ninety minutes",
            ("Occipital nerve release", "How long it takes"),
            id="html-h1-h2",
        ),
        pytest.param(
            "occipital-release",
            "Stitches are removed",
            ("Occipital nerve release", "Recovery"),
            id="html-list-under-h2",
        ),
        pytest.param(
            "pfo-closure-note",
            "PREMIUM trial",
            ("PFO closure", "Later trials"),
            id="jsonl-markdown-headings",
        ),
        pytest.param(
            "nerve-block-note",
            "Dizziness is rare",
            ("Side effects",),
            id="jsonl-plain-heading",
        ),
    ],
)
def test_chunk__heading_path_names_its_section(
    chunked: dict[str, tuple[SourceDoc, list[Chunk]]],
    doc_id: str,
    needle: str,
    heading_path: tuple[str, ...],
) -> None:
    _, chunks = chunked[doc_id]
    assert _chunk_with(chunks, needle).heading_path == heading_path


def test_chunks__pdf_chunks_carry_the_page_they_start_on(
    chunked: dict[str, tuple[SourceDoc, list[Chunk]]],
) -> None:
    doc, chunks = chunked["recovery-leaflet"]
    assert len(doc.pages) == 2
    first = _chunk_with(chunks, "semispinalis muscle")
    second = _chunk_with(chunks, "Stitches at the back of the head")
    assert first.page == 1
    assert second.page == 2
    for chunk in chunks:
        assert chunk.page is not None
        page = doc.pages[chunk.page - 1]
        assert page.start <= chunk.start <= page.end


def test_chunks__sentences_of_a_paragraph_are_split_at_sentence_ends(
    chunked: dict[str, tuple[SourceDoc, list[Chunk]]],
) -> None:
    doc, chunks = chunked["stimulation-faq"]
    sentences = [doc.text[s.start : s.end] for c in chunks for s in c.sentences]
    # 'e.g.' does not end a sentence; list bullets are not part of the sentence.
    assert (
        "Lead migration and infection are the common problems, e.g. a lead that moves may need "
        "another operation."
    ) in sentences
    assert "The trial period lasts about one week." in sentences


def _sentence(i: int) -> str:
    return (
        f"Patient group {i} reported that occipital nerve decompression reduced the number of "
        f"headache days during the follow-up visits in month {i}."
    )


def test_chunks__long_paragraph_is_split_at_sentences_within_the_window(
    embedder: SentenceTransformerEmbedder,
) -> None:
    text = "## Outcomes\n\n" + " ".join(_sentence(i) for i in range(40)) + "\n"
    doc = SourceDoc(doc_id="long", title="Long", text=text)
    chunks = chunk_document(doc, "0" * 64, MAX_TOKENS, embedder.count_tokens)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert embedder.count_tokens(chunk.text) <= MAX_TOKENS + SLACK
        assert chunk.text.endswith("."), chunk.text[-40:]
        assert chunk.heading_path == ("Outcomes",)
    sentence_texts = [doc.text[s.start : s.end] for c in chunks for s in c.sentences]
    assert sentence_texts == [_sentence(i) for i in range(40)]


def test_chunks__sentence_longer_than_the_window_is_split_at_words(
    embedder: SentenceTransformerEmbedder,
) -> None:
    words = " ".join(f"decompression{i % 7} nerve" for i in range(300))
    doc = SourceDoc(doc_id="run-on", title="Run-on", text=words + "\n")
    chunks = chunk_document(doc, "0" * 64, MAX_TOKENS, embedder.count_tokens)
    assert len(chunks) >= 2
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert embedder.count_tokens(chunk.text) <= MAX_TOKENS + SLACK


def test_chunk__heading_plus_full_paragraph_still_fits_the_window(
    embedder: SentenceTransformerEmbedder,
) -> None:
    heading = (
        "## What patients can expect in the weeks of recovery after occipital nerve "
        "decompression surgery at the clinic"
    )
    sentences: list[str] = []
    i = 0
    # Grow one paragraph to just under the limit, so it is kept whole as a single unit.
    while embedder.count_tokens(" ".join([*sentences, _sentence(i)])) <= MAX_TOKENS:
        sentences.append(_sentence(i))
        i += 1
    while embedder.count_tokens(" ".join([*sentences, "Pain eased."])) <= MAX_TOKENS:
        sentences.append("Pain eased.")
    paragraph = " ".join(sentences)
    assert MAX_TOKENS - 5 <= embedder.count_tokens(paragraph) <= MAX_TOKENS
    doc = SourceDoc(doc_id="faq", title="FAQ", text=f"{heading}\n\n{paragraph}\n")
    chunks = chunk_document(doc, "0" * 64, MAX_TOKENS, embedder.count_tokens)
    sizes = [embedder.count_tokens(c.text) for c in chunks]
    assert max(sizes) <= MAX_TOKENS + SLACK, sizes


# ---- property: random Markdown documents ---------------------------------------------------

_WORDS = st.sampled_from(
    [
        "nerve",
        "surgery",
        "migraine",
        "the",
        "of",
        "occipital",
        "procedure",
        "patients",
        "hours",
        "recovery",
        "clinic",
        "trial",
        "decompression",
        "injection",
        "fat",
        "transfer",
        "outpatient",
        "anaesthesia",
        "week",
        "e.g.",
        "Dr.",
        "3.5",
        "M.I.G.O.N.E.",
        "(sham)",
        "“quoted”",
        "83.7%",
    ]
)


@st.composite
def _sentences(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORDS, min_size=2, max_size=45))
    end = draw(st.sampled_from([".", "?", "!", ".)", ""]))
    return words[0].capitalize() + " " + " ".join(words[1:]) + end


@st.composite
def _markdown(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 9))):
        kind = draw(st.sampled_from(["heading", "para", "para", "list", "plain-heading"]))
        if kind == "heading":
            level = draw(st.integers(1, 4))
            parts.append(
                "#" * level + " " + " ".join(draw(st.lists(_WORDS, min_size=1, max_size=6)))
            )
        elif kind == "plain-heading":
            parts.append(" ".join(draw(st.lists(_WORDS, min_size=1, max_size=4))).capitalize())
        elif kind == "list":
            items = draw(st.lists(_sentences(), min_size=1, max_size=5))
            parts.append(
                "\n".join(draw(st.sampled_from(["- ", "* ", "1. ", "  • "])) + s for s in items)
            )
        else:
            lines = draw(st.lists(_sentences(), min_size=1, max_size=30))
            sep = draw(st.sampled_from([" ", "\n"]))
            parts.append(sep.join(lines))
    gap = draw(st.sampled_from(["\n\n", "\n\n\n", "\r\n\r\n"]))
    return gap.join(parts) + draw(st.sampled_from(["", "\n"]))


@hyp_settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_markdown())
def test_chunks__invariants_hold_for_random_markdown(
    embedder: SentenceTransformerEmbedder, text: str
) -> None:
    doc = SourceDoc(doc_id="random", title="Random", text=text)
    chunks = chunk_document(doc, "0" * 64, MAX_TOKENS, embedder.count_tokens)
    covered: set[int] = set()
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        for span in chunk.sentences:
            assert chunk.start <= span.start < span.end <= chunk.end
        headings = _heading_lines(doc.text, chunk.start, chunk.end)
        body = [
            b
            for b in parse_blocks(doc.text)
            if b.kind != "heading" and chunk.start <= b.start < chunk.end
        ]
        if headings and body:
            assert max(h[0] for h in headings) < min(b.start for b in body)
        assert chunk.heading_path == _expected_heading_path(doc, chunk)
        covered.update(range(chunk.start, chunk.end))
    lost = [ch for i, ch in enumerate(doc.text) if i not in covered and not ch.isspace()]
    assert lost == []


def test_readable__markdown_links_and_emphasis_show_as_words() -> None:
    from assistant.sentences import readable

    assert readable("preventing [migraines](#). [Spinal cord stimulation](http://x) is") == (
        "preventing migraines. Spinal cord stimulation is"
    )
    assert readable("**Bold** and `code`, 2 * 3 * 4") == "Bold and code, 2 * 3 * 4"
