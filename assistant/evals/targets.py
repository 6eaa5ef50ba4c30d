"""What an eval runs against: an Assistant in this process, or a deployment over its HTTP API.

Both give the runner the same four things: an :class:`Answer` for a question, the documents of
the passages retrieved for a query, the text of each source document (to check citation
offsets) and a description for the report.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from assistant.errors import AssistantError
from assistant.evals.metrics import Hit
from assistant.types import Answer

Progress = Callable[[str], None]
History = Sequence[Mapping[str, str]]
_Reply = TypeVar("_Reply", bound=BaseModel)


class TargetError(AssistantError):
    """The system under evaluation could not be reached or gave an unusable reply."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        """The HTTP status, when the server answered; None when it could not be reached."""


class Target(Protocol):
    """The system under evaluation."""

    kind: str

    def prepare(self, progress: Progress) -> None:
        """Make sure the index exists and the heavy parts are loaded; fail early if unusable."""
        ...

    def close(self) -> None:
        """Undo what :meth:`prepare` changed."""
        ...

    def ask(self, question: str, history: History) -> tuple[Answer, float]:
        """The answer and the wall time it took, in milliseconds."""
        ...

    def search(self, query: str, k: int) -> list[Hit]:
        """The retrieved passages, best first."""
        ...

    def doc_texts(self) -> Mapping[str, str | None] | None:
        """Text of each source document (None where unknown); None when no source is known."""
        ...

    def describe(self) -> dict[str, Any]:
        """Configuration worth recording in the report (no secrets)."""
        ...


class QueryMemo:
    """An embedder that remembers single-text embeddings until :meth:`clear`.

    The eval embeds each case's standalone question up to four times (the answer, the scored
    search, the dense and the LangChain baselines); the model is deterministic, so the later
    ones reuse the first. The memo is cleared before every question is asked, so answer
    latencies always include a fresh embedding.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self._memo: dict[str, Any] = {}

    def embed(self, texts: Sequence[str]) -> Any:
        if len(texts) != 1:
            return self.inner.embed(texts)
        if texts[0] not in self._memo:
            self._memo[texts[0]] = self.inner.embed(texts)
        return self._memo[texts[0]].copy()

    def count_tokens(self, text: str) -> int:
        return int(self.inner.count_tokens(text))

    def clear(self) -> None:
        self._memo.clear()


class InProcessTarget:
    """An :class:`~assistant.service.Assistant` in this process."""

    kind = "in-process"

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self._texts: dict[str, str | None] | None = None
        self._memo: QueryMemo | None = None

    def prepare(self, progress: Progress) -> None:
        self.assistant.ensure_index(progress)
        self.assistant.warm_up()
        retriever = self.assistant.retriever
        if self._memo is None and not isinstance(retriever.embedder, QueryMemo):
            self._memo = QueryMemo(retriever.embedder)
            retriever.embedder = self._memo

    def close(self) -> None:
        """Give the retriever its own embedder back."""
        if self._memo is not None:
            self.assistant.retriever.embedder = self._memo.inner
            self._memo = None

    def ask(self, question: str, history: History) -> tuple[Answer, float]:
        if self._memo is not None:
            self._memo.clear()
        started = time.perf_counter()
        answer = self.assistant.ask(question, list(history))
        return answer, (time.perf_counter() - started) * 1000

    def search(self, query: str, k: int) -> list[Hit]:
        return [
            Hit(p.doc.doc_id, p.chunk.chunk_id, p.chunk.start, p.chunk.end, p.chunk.text)
            for p in self.assistant.search(query, k)
        ]

    def doc_texts(self) -> Mapping[str, str | None]:
        """Texts read again from the knowledge folder, kept only where they match the index."""
        if self._texts is None:
            from assistant.ingest.chunking import document_hash
            from assistant.ingest.loaders import load_path
            from assistant.types import SourceDoc

            root = self.assistant.settings.knowledge_dir
            model_id = self.assistant.embedder.model_id
            infos = self.assistant.catalogue.documents()
            loaded: dict[str, dict[str, SourceDoc]] = {}
            texts: dict[str, str | None] = {}
            for info in infos:
                if info.path not in loaded:
                    path = root / info.path
                    docs = load_path(path, root) if path.is_file() else iter(())
                    loaded[info.path] = {d.doc_id: d for d in docs if isinstance(d, SourceDoc)}
                doc = loaded[info.path].get(info.doc_id)
                # A file edited since the last ingest cannot vouch for the indexed text.
                same = doc is not None and document_hash(doc, model_id) == info.content_hash
                texts[info.doc_id] = doc.text if same and doc is not None else None
            self._texts = texts
        return self._texts

    def describe(self) -> dict[str, Any]:
        s = self.assistant.settings
        return {
            "target": "in-process",
            "knowledge_dir": str(s.knowledge_dir),
            "data_dir": str(s.data_dir),
            "collection": s.collection,
            "top_k": s.top_k,
            "candidate_k": s.candidate_k,
            "rrf_k": s.rrf_k,
            "embedder": getattr(self.assistant.embedder, "model_id", "unknown"),
            "index_version": self.assistant.index_version(),
            "documents": len(self.assistant.sources()),
            "generator": s.generator,
            **generator_description(self.assistant),
        }


def generator_description(assistant: Any) -> dict[str, Any]:
    """The generative model an in-process Assistant answers with (never its API key)."""
    s = assistant.settings
    if s.generator == "none":
        return {}
    return {
        "llm_model": s.llm_model,
        "llm_base_url": public_url(s.llm_base_url),
        "llm_timeout_s": s.llm_timeout_s,
        "prompt_version": assistant.prompts.version,
    }


def public_url(url: str | None) -> str | None:
    """A URL without the user name and password it may carry (``http://user:pw@host``)."""
    if not url:
        return url
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


class HttpTarget:
    """A running deployment, through its staff API (``/api/v1``) with a bearer key.

    It speaks the API's own wire schemas (:mod:`assistant.api.models`): ``POST /ask`` for
    answers, ``POST /search`` for the retrieved passages and ``GET /sources`` for the indexed
    documents. The API does not serve document texts, so each known document's text is None and
    a citation's quote is checked against the passage it was cut from (the retrieved passages
    carry their text and document offsets).
    """

    kind = "http"

    def __init__(
        self,
        base_url: str,
        api_key: str,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        from assistant.api.routes import API_PREFIX

        self.base_url = base_url.rstrip("/")
        self.api_url = self.base_url + API_PREFIX
        self.timeout = timeout
        self._client = httpx.Client(
            base_url=self.api_url,
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )
        self._texts: dict[str, str | None] | None = None
        self._sources_error: str | None = None

    def _call(self, method: str, path: str, reply: type[_Reply], body: Any = None) -> _Reply:
        """``reply`` parsed from the answer to ``method path``; TargetError if there is none."""
        where = f"{method} {self.api_url}{path}"
        try:
            response = self._client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise TargetError(f"{where}: cannot reach the deployment ({exc})") from exc
        if response.is_error:
            hint = " (the API key was refused)" if response.status_code in (401, 403) else ""
            raise TargetError(
                f"{where}: HTTP {response.status_code}{hint}: {_error_text(response)}",
                response.status_code,
            )
        try:
            return reply.model_validate_json(response.content)
        except ValidationError as exc:
            raise TargetError(
                f"{where}: the reply is not a {reply.__name__} ({exc.error_count()} problems, "
                f"first: {exc.errors()[0]['msg']})"
            ) from exc

    def prepare(self, progress: Progress) -> None:
        progress(f"checking {self.api_url}/sources")
        try:
            self._load_sources()
        except TargetError as exc:
            if exc.status is None or exc.status in (401, 403):
                raise  # unreachable or refused: nothing else would work either
            self._sources_error = str(exc)  # the run goes on; quotes are marked not checked
            self._texts = None

    def close(self) -> None:
        self._client.close()

    def ask(self, question: str, history: History) -> tuple[Answer, float]:
        from assistant.api.models import AskRequest, AskResponse

        body = _request(AskRequest, question=question, history=[dict(t) for t in history] or None)
        started = time.perf_counter()
        reply = self._call("POST", "/ask", AskResponse, body)
        wall = (time.perf_counter() - started) * 1000
        return Answer.model_validate(reply.model_dump(exclude={"answer_id"})), wall

    def search(self, query: str, k: int) -> list[Hit]:
        from assistant.api.models import SearchRequest, SearchResponse

        body = _request(SearchRequest, query=query, k=k)
        reply = self._call("POST", "/search", SearchResponse, body)
        return [Hit(p.doc_id, p.chunk_id, p.start, p.end, p.text) for p in reply.passages]

    def _load_sources(self) -> None:
        from assistant.api.models import SourcesResponse

        reply = self._call("GET", "/sources", SourcesResponse)
        self._texts = {doc.doc_id: None for doc in reply.documents}

    def doc_texts(self) -> Mapping[str, str | None] | None:
        return self._texts

    def describe(self) -> dict[str, Any]:
        texts = self._texts or {}
        return {
            "target": "http",
            "url": self.base_url,
            "documents": len(texts),
            "source_texts_available": sum(t is not None for t in texts.values()),
            "sources_error": self._sources_error,
        }


def _request(schema: type[BaseModel], **fields: Any) -> dict[str, Any]:
    """The JSON body of a request, checked against the API's own request schema."""
    try:
        return schema.model_validate(fields).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        raise TargetError(
            f"cannot send this as a {schema.__name__}: {exc.errors()[0]['msg']}"
        ) from exc


def _error_text(response: httpx.Response) -> str:
    """The message of an API error reply (``{"error", "message"}``), else its first bytes."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return f"{body.get('error', 'error')}: {body['message']}"
    return response.text[:300]
