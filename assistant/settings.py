"""All settings in one typed object, read from the environment once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, NonNegativeFloat, NonNegativeInt
from pydantic_settings import BaseSettings, SettingsConfigDict

Count = Annotated[int, Field(ge=1)]
"""A number of things, one or more."""


class Settings(BaseSettings):
    """Settings of the assistant. Each field is read from the environment variable in its alias."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", frozen=True, extra="ignore")

    knowledge_dir: Path = Field(
        default=Path("knowledge"),
        description="Folder of source documents (.md, .txt, .html, .pdf, .jsonl) to index.",
    )
    data_dir: Path = Field(
        default=Path("data"),
        description="Folder for the index: the Chroma store, the chunk catalogue and BM25 files.",
    )
    chroma_host: str | None = Field(
        default=None,
        validation_alias=AliasChoices("CHROMA_HOST", "ASSISTANT_CHROMA_HOST"),
        description="Host of a Chroma server; when unset, Chroma runs embedded in data_dir.",
    )
    chroma_port: int = Field(
        default=8000,
        validation_alias=AliasChoices("CHROMA_PORT", "ASSISTANT_CHROMA_PORT"),
        description="Port of the Chroma server named by CHROMA_HOST.",
    )
    collection: str = Field(default="knowledge", description="Name of the Chroma collection.")
    top_k: int = Field(default=5, ge=1, le=50, description="Passages returned by retrieval.")
    candidate_k: int = Field(
        default=30, ge=1, le=500, description="Candidates taken from each retriever before fusion."
    )
    rrf_k: Count = Field(default=60, description="Constant of reciprocal rank fusion.")
    lexical_weight: NonNegativeFloat = Field(
        default=0.3,
        description="Weight of the BM25 ranking in the fusion (the dense ranking weighs 1).",
    )
    chunk_max_tokens: int = Field(
        default=200,
        ge=32,
        le=250,
        description="Largest chunk, in model tokens (the model reads 256; the rest: the title).",
    )
    embedder: Literal["minilm", "minilm-int8"] = Field(
        default="minilm",
        description="Embedding model: all-MiniLM-L6-v2 on PyTorch, or the same model as int8 ONNX.",
    )
    embed_batch_size: Count = Field(default=32, description="Texts per embedding batch.")
    ingest_batch_chunks: Count = Field(
        default=256, description="Chunks embedded and written to Chroma per ingest batch."
    )
    max_file_bytes: Count = Field(
        default=20_000_000,
        description="Largest knowledge file ingested, in bytes (for .jsonl: the largest line, one "
        "document); a larger one is refused by name.",
    )
    answer_max_sentences: int = Field(
        default=4, ge=1, le=12, description="Most source sentences quoted in an extractive answer."
    )
    min_dense_score: float = Field(
        default=0.30,
        description="Cosine similarity the best passage needs for the question to be covered.",
    )
    min_term_overlap: float = Field(
        default=0.34,
        description="Share of the question's specific terms that the best sentences must contain.",
    )
    max_question_chars: int = Field(
        default=2000, ge=10, description="Longest question accepted, in characters."
    )
    max_history_turns: NonNegativeInt = Field(
        default=40, description="Most earlier turns accepted with a question."
    )
    max_history_chars: NonNegativeInt = Field(
        default=20000,
        description="Most characters accepted in the earlier turns of a question, all together.",
    )

    generator: Literal["none", "openai", "ollama"] = Field(
        default="none",
        description="Answer generator: none (extractive quotes), openai (any OpenAI-compatible "
        "endpoint) or ollama.",
    )
    llm_base_url: str | None = Field(
        default=None, description="Base URL of the model server, e.g. http://127.0.0.1:8080/v1."
    )
    llm_model: str | None = Field(default=None, description="Model name sent to the server.")
    llm_api_key: str | None = Field(
        default=None, description="API key for the model server, when it needs one."
    )
    llm_timeout_s: float = Field(
        default=20.0, gt=0, description="Seconds to wait for the model before falling back."
    )
    api_keys: str = Field(
        default="",
        description="Comma-separated API keys accepted as 'Authorization: Bearer KEY' under /api/.",
    )
    api_key_hashes: str = Field(
        default="",
        description="Comma-separated SHA-256 hex digests of accepted API keys, each optionally "
        "NAME:DIGEST ('assistant hash-key' prints one); the keys themselves stay off the server.",
    )
    auth_failures_before_delay: Count = Field(
        default=10,
        description="Failed API authentications one client may make per minute before it is "
        "made to wait (429 with Retry-After).",
    )
    api_docs: bool = Field(
        default=True,
        description="Serve the interactive API documentation (/docs, /redoc) with assets from "
        "the installed package; false turns both off.",
    )
    rate_limit_per_minute: Count = Field(
        default=60, description="Requests per minute allowed for each API key."
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where the API's rate limits are counted: memory:// (each worker process on "
        "its own) or a Redis URL such as redis://127.0.0.1:6379/0, shared by every worker and "
        "node that names it, which then enforce one limit together.",
    )
    audit_db_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the audit log; default: SQLite audit.sqlite3 in data_dir.",
    )
    audit_retention_days: Count = Field(
        default=365, description="Days an audit-log entry is kept before it is deleted."
    )
    audit_store_questions: bool = Field(
        default=True,
        description="Store question text in the audit log; false keeps only metadata.",
    )
    host: str = Field(default="127.0.0.1", description="Address the server listens on.")
    port: int = Field(default=7860, description="Port the server listens on.")

    def api_key_list(self) -> list[str]:
        """The configured API keys, without blanks."""
        return [k.strip() for k in self.api_keys.split(",") if k.strip()]

    def chroma_is_server(self) -> bool:
        """True when a Chroma server is configured instead of the embedded store."""
        return bool(self.chroma_host)
