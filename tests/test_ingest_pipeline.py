"""The ingest pipeline's threads: a failing stage stops the run and commits nothing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant.embedding import SentenceTransformerEmbedder, Vectors


class _FailingEmbedder:
    """The real model, failing on its second batch (as a crash in the middle of a run would)."""

    def __init__(self, real: SentenceTransformerEmbedder) -> None:
        self.real = real
        self.model_id = real.model_id
        self.dimension = real.dimension
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("encoder crashed")
        return self.real.embed(texts)

    def count_tokens(self, text: str) -> int:
        return self.real.count_tokens(text)


@pytest.mark.slow
def test_pipeline__failing_stage_raises_and_commits_nothing(
    embedder: SentenceTransformerEmbedder, tmp_path: Path, make_assistant
) -> None:
    from assistant.service import Assistant
    from assistant.settings import Settings

    knowledge = tmp_path / "kb"
    knowledge.mkdir()
    lines = [
        f'{{"id": "d{i}", "title": "Doc {i}", "text": "Paragraph {i} about nerve surgery."}}'
        for i in range(40)
    ]
    (knowledge / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = Settings(knowledge_dir=knowledge, data_dir=tmp_path / "data", ingest_batch_chunks=8)
    failing = Assistant(settings, embedder=_FailingEmbedder(embedder))  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="encoder crashed"):
        failing.ingest()
    assert failing.index_version() == 0
    assert failing.sources() == []
    failing.close()

    # The next run completes it, reusing what the failed run had written.
    healthy = make_assistant(knowledge, tmp_path / "data", ingest_batch_chunks=8)
    report = healthy.ingest()
    assert report.documents == 40 and not report.errors
    assert report.chunks_reused >= 8
    assert len(healthy.sources()) == 40
