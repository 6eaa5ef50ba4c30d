"""What an eval runs against: an Assistant in this process, or a deployment over its HTTP API.

Both give the runner the same four things: an :class:`Answer` for a question, the documents of
the passages retrieved for a query, the text of each source document (to check citation
offsets) and a description for the report.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from assistant.errors import AssistantError
from assistant.evals.metrics import Hit
from assistant.types import Answer

Progress = Callable[[str], None]
History = Sequence[Mapping[str, str]]


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
    """A running deployment, through ``/api/v1`` with a bearer key."""

    kind = "http"

    def __init__(self, base_url: str, api_key: str, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = api_key
        self.timeout = timeout
        self._texts: dict[str, str | None] | None = None
        self._sources_error: str | None = None

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        url = self.base_url + path
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self._key}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8") or "null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            hint = " (the API key was refused)" if exc.code in (401, 403) else ""
            raise TargetError(f"{method} {url}: HTTP {exc.code}{hint}: {detail}", exc.code) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TargetError(f"{method} {url}: cannot reach the deployment ({reason})") from exc
        except json.JSONDecodeError as exc:
            raise TargetError(f"{method} {url}: the reply is not JSON ({exc.msg})") from exc

    def prepare(self, progress: Progress) -> None:
        progress(f"checking {self.base_url}/api/v1/sources")
        try:
            self._load_sources()
        except TargetError as exc:
            if exc.status is None or exc.status in (401, 403):
                raise  # unreachable or refused: nothing else would work either
            self._sources_error = str(exc)  # the run goes on; quotes are marked not checked
            self._texts = None

    def close(self) -> None:
        pass

    def ask(self, question: str, history: History) -> tuple[Answer, float]:
        started = time.perf_counter()
        reply = self._request(
            "POST", "/api/v1/ask", {"question": question, "history": [dict(t) for t in history]}
        )
        wall = (time.perf_counter() - started) * 1000
        try:
            return Answer.model_validate(reply), wall
        except ValueError as exc:
            raise TargetError(
                f"/api/v1/ask replied with something that is not an Answer "
                f"({exc.__class__.__name__})"
            ) from exc

    def search(self, query: str, k: int) -> list[Hit]:
        reply = self._request("POST", "/api/v1/search", {"query": query, "k": k})
        hits = []
        for p in _items(reply, "passages", "results"):
            doc_id = _doc_id_of(p)
            if doc_id is None:
                continue
            flat = {**(p.get("chunk") or {}), **p} if isinstance(p.get("chunk"), dict) else p
            hits.append(
                Hit(
                    doc_id,
                    _opt(flat, "chunk_id", str),
                    _opt(flat, "start", int),
                    _opt(flat, "end", int),
                    _opt(flat, "text", str),
                )
            )
        return hits

    def _load_sources(self) -> None:
        entries = _items(self._request("GET", "/api/v1/sources"), "sources", "documents")
        texts: dict[str, str | None] = {}
        for entry in entries:
            doc_id = _doc_id_of(entry)
            if doc_id:
                text = entry.get("text") if isinstance(entry, dict) else None
                texts[doc_id] = text if isinstance(text, str) else None
        for doc_id, text in texts.items():
            if text is None:  # a per-document endpoint, where the deployment has one
                quoted = urllib.parse.quote(doc_id, safe="")
                try:
                    one = self._request("GET", f"/api/v1/sources/{quoted}")
                except TargetError:
                    continue
                if isinstance(one, dict) and isinstance(one.get("text"), str):
                    texts[doc_id] = one["text"]
        self._texts = texts

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


def _items(reply: Any, *keys: str) -> list[Any]:
    if isinstance(reply, list):
        return reply
    if isinstance(reply, dict):
        for key in keys:
            if isinstance(reply.get(key), list):
                return list(reply[key])
    raise TargetError(
        f"expected a list (or an object with {' or '.join(keys)}), got {type(reply).__name__}"
    )


def _opt(entry: Mapping[str, Any], key: str, kind: type) -> Any:
    value = entry.get(key)
    return value if isinstance(value, kind) and not isinstance(value, bool) else None


def _doc_id_of(entry: Any) -> str | None:
    """doc_id of a passage or a source entry, flat or nested under doc/chunk."""
    if not isinstance(entry, dict):
        return None
    for holder in (entry, entry.get("doc"), entry.get("chunk"), entry.get("document")):
        if isinstance(holder, dict) and isinstance(holder.get("doc_id"), str):
            return str(holder["doc_id"])
    return None
