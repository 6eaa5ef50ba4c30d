"""Optional generative answers: any LangChain chat model writes the answer from the numbered
passages, and nothing it writes reaches the user unverified.

Each sentence must cite retrieved passages, its numbers must appear in the cited passages, and
its content must be supported by them (term overlap and embedding similarity, thresholds
below). Unsupported sentences are removed; if too little remains, or the model times out,
fails or answers garbage, the extractive answer is served instead and the Draft says so.
Sentences are verified as they complete, so a stream shows only verified sentences.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from assistant.answer import Evidence, ExtractiveAnswerer, matched_terms
from assistant.embedding import Embedder
from assistant.prompts import PromptSet
from assistant.rewrite import QueryRewriter
from assistant.sentences import split_sentences
from assistant.settings import Settings
from assistant.text import terms
from assistant.types import CITATION_MARKER, Citation, Draft, Passage, Span, Turn

# A sentence is kept when at least this share of its content words occur together in one
# sentence, or two adjacent sentences, of a passage it cites (stems; a stem also matches a
# longer one it begins): words gathered from all over a passage do not support a claim...
MIN_TERM_OVERLAP = 0.6
# ...and its embedding has at least this cosine similarity with one of the cited passages
# (all-MiniLM-L6-v2; paraphrases of a passage score 0.5-0.9, unrelated medical text < 0.3).
MIN_SIMILARITY = 0.35
# The generated answer is served when at least this share of its sentences survive.
MIN_KEPT_SHARE = 0.5

NOT_IN_SOURCES = "NOT_IN_SOURCES"
_MARKER = CITATION_MARKER
_LEAD_MARKERS = re.compile(r"^((?:\s*\[\d{1,3}\])+)")
_TRAILING_MARKERS = re.compile(r"\s*([.!?])\s*((?:\[\d{1,3}\])+)$")
_MARKERS_SO_FAR = re.compile(r"\s*(?:\[\d{0,3}\]?\s*)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# ...and it is negated exactly when the passage sentences that support it are.
_NEGATION = re.compile(r"\b(?:not|no|never|none|nor|neither|cannot)\b|n't\b", re.IGNORECASE)


class GeneratorConfigError(ValueError):
    """The generator settings are incomplete."""


def make_chat_model(settings: Settings) -> Any:
    """The LangChain chat model named by the settings (``openai`` or ``ollama``)."""
    if not settings.llm_model:
        raise GeneratorConfigError("ASSISTANT_LLM_MODEL must name the model to use")
    if settings.generator == "openai":
        from langchain_openai import ChatOpenAI

        if not settings.llm_base_url:
            raise GeneratorConfigError("ASSISTANT_LLM_BASE_URL must point at the server")
        return ChatOpenAI(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key or "not-needed",  # type: ignore[arg-type]
            timeout=settings.llm_timeout_s,
            max_retries=0,
            temperature=0,
        )
    if settings.generator == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            base_url=settings.llm_base_url or "http://127.0.0.1:11434",
            model=settings.llm_model,
            temperature=0,
            client_kwargs={"timeout": settings.llm_timeout_s},
        )
    raise GeneratorConfigError(f"unknown generator {settings.generator!r}")


def number_passages(passages: Sequence[Passage]) -> str:
    """The passages as the model sees them: number, who wrote it, text."""
    blocks = []
    for i, p in enumerate(passages, start=1):
        who = f"{p.doc.title} ({p.doc.source_kind}, {p.doc.publisher or 'unknown'})"
        blocks.append(f"[{i}] {who}\n{p.chunk.text.strip()}")
    return "\n\n".join(blocks)


@dataclass(frozen=True)
class Verdict:
    kept: bool
    reason: str
    markers: tuple[int, ...] = ()


class SupportVerifier:
    """Checks one generated sentence against the passages it cites."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def check(self, sentence: str, passages: Sequence[Passage], vectors: np.ndarray) -> Verdict:
        markers = tuple(dict.fromkeys(int(m) for m in _MARKER.findall(sentence)))
        body = _MARKER.sub(" ", sentence).strip()
        if not markers:
            return Verdict(False, "no citation")
        if any(not 1 <= n <= len(passages) for n in markers):
            return Verdict(False, "cites a passage that was not retrieved", markers)
        cited = " ".join(passages[n - 1].chunk.text for n in markers)
        for number in _NUMBER.findall(body):
            if not re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d])", cited):
                return Verdict(False, f"the number {number} is not in the cited passage", markers)
        content = set(terms(body))
        if content:
            # The best-supporting window; between equals, the shorter (one sentence).
            (overlap, _), window = max(
                ((_support(content, w), -len(w)), w)
                for n in markers
                for w in _windows(passages[n - 1])
            )
            if overlap < MIN_TERM_OVERLAP:
                return Verdict(False, f"too little support ({overlap:.2f} of its words)", markers)
            if bool(_NEGATION.search(body)) != bool(_NEGATION.search(window)):
                return Verdict(False, "negated differently from the cited passage", markers)
        sentence_vector = self.embedder.embed([body])[0]
        similarity = max(float(vectors[n - 1] @ sentence_vector) for n in markers)
        if similarity < MIN_SIMILARITY:
            return Verdict(False, f"not similar to the cited passage ({similarity:.2f})", markers)
        return Verdict(True, "supported", markers)


def _windows(passage: Passage) -> list[str]:
    """Each sentence of a passage, and each pair of adjacent sentences."""
    chunk = passage.chunk
    spans = chunk.sentences or (Span(start=chunk.start, end=chunk.end),)
    texts = [chunk.text[s.start - chunk.start : s.end - chunk.start] for s in spans]
    return texts + [f"{a} {b}" for a, b in pairwise(texts)]


def _support(content: set[str], window: str) -> float:
    return len(matched_terms(content, frozenset(terms(window)))) / len(content)


def _best_quote(passage: Passage, sentence: str) -> Span:
    """The passage sentence that best supports ``sentence`` (exact offsets)."""
    wanted = set(terms(sentence))
    best, best_score = None, -1.0
    for span in passage.chunk.sentences:
        text = passage.chunk.text[span.start - passage.chunk.start : span.end - passage.chunk.start]
        score = len(matched_terms(wanted, frozenset(terms(text))))
        if score > best_score:
            best, best_score = span, score
    return best or Span(start=passage.chunk.start, end=passage.chunk.end)


@dataclass(eq=False)
class GenerativeAnswerer:
    """Writes answers with a chat model; the extractive answerer is the fallback."""

    chat_model: Any
    prompts: PromptSet
    fallback: ExtractiveAnswerer
    verifier: SupportVerifier
    timeout_s: float
    name: str

    def answer(self, question: str, evidence: Evidence) -> Draft:
        """The final Draft of :meth:`stream`."""
        *_, draft = self.stream(question, evidence)
        assert isinstance(draft, Draft)
        return draft

    def stream(
        self, question: str, evidence: Evidence, extractive: Draft | None = None
    ) -> Iterator[str | Draft]:
        """Verified sentences as they complete, then the final Draft. ``extractive`` is the
        fallback answer if the caller has composed it already."""
        if extractive is None:
            extractive = self.fallback.answer(question, evidence)
        passages = evidence.passages
        if extractive.status == "no_evidence":
            yield extractive  # nothing to write from: no model call
            return
        messages = self._messages(question, passages)
        vectors = self.verifier.embedder.embed([p.chunk.text for p in passages])
        display: dict[int, int] = {}  # passage number -> marker shown, in order of appearance
        kept: list[tuple[str, tuple[int, ...]]] = []
        total = 0
        buffer = ""
        try:
            for piece in _stream_with_deadline(self.chat_model, messages, self.timeout_s):
                buffer += piece
                if buffer.strip().startswith(NOT_IN_SOURCES):
                    raise _Fallback("the model found nothing in the sources")
                sentences, buffer = _complete_sentences(buffer)
                for sentence in sentences:
                    total += 1
                    verdict = self.verifier.check(sentence, passages, vectors)
                    if verdict.kept:
                        kept.append((sentence, verdict.markers))
                        yield _renumber(sentence, display)
            last = _tidy(buffer)
            if last:
                total += 1
                verdict = self.verifier.check(last, passages, vectors)
                if verdict.kept:
                    kept.append((last, verdict.markers))
                    yield _renumber(last, display)
            if not kept or len(kept) / max(total, 1) < MIN_KEPT_SHARE:
                raise _Fallback(f"only {len(kept)} of {total} sentences were supported")
        except Exception as exc:  # timeouts, connection errors, rate limits, garbage
            reason = str(exc) if isinstance(exc, _Fallback) else exc.__class__.__name__
            yield extractive.model_copy(
                update={"generator": f"extractive (fallback from {self.name}: {reason})"}
            )
            return
        yield self._draft(kept, passages, display)

    def _messages(self, question: str, passages: Sequence[Passage]) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        return [
            SystemMessage(self.prompts.system.text),
            HumanMessage(
                self.prompts.answer.format(passages=number_passages(passages), question=question)
            ),
        ]

    def _draft(
        self,
        kept: list[tuple[str, tuple[int, ...]]],
        passages: Sequence[Passage],
        display: dict[int, int],
    ) -> Draft:
        citations: dict[int, Citation] = {}
        for sentence, markers in kept:
            for n in markers:
                if n in citations:
                    continue
                passage = passages[n - 1]
                span = _best_quote(passage, sentence)
                quote = passage.chunk.text[
                    span.start - passage.chunk.start : span.end - passage.chunk.start
                ]
                citations[n] = Citation(
                    n=display[n],
                    doc_id=passage.doc.doc_id,
                    chunk_id=passage.chunk.chunk_id,
                    title=passage.doc.title,
                    url=passage.doc.url,
                    publisher=passage.doc.publisher,
                    source_kind=passage.doc.source_kind,
                    quote=quote,
                    start=span.start,
                    end=span.end,
                    score=round(passage.score, 4),
                )
        text = " ".join(_renumber(sentence, display) for sentence, _ in kept)
        ordered = sorted(citations.values(), key=lambda c: c.n)
        return Draft(text=text, citations=tuple(ordered), generator=self.name)


class _Fallback(Exception):
    """The generated answer is not served; the reason is recorded on the Draft."""


def _renumber(sentence: str, display: dict[int, int]) -> str:
    def sub(match: re.Match[str]) -> str:
        n = int(match.group(1))
        display.setdefault(n, len(display) + 1)
        return f"[{display[n]}]"

    return _MARKER.sub(sub, sentence)


def _complete_sentences(buffer: str) -> tuple[list[str], str]:
    """Sentences that are complete in ``buffer`` (one follows them), and the rest."""
    spans = split_sentences(buffer, 0, len(buffer))
    if len(spans) < 2:
        return [], buffer
    done = [buffer[s.start : s.end] for s in spans[:-1]]
    rest = buffer[spans[-1].start :]
    # Markers written after the full stop ("... works. [2] Next") belong to the sentence before.
    lead = _LEAD_MARKERS.match(rest)
    if lead:
        done[-1] += lead.group(1)
        rest = rest[lead.end() :]
    if _MARKERS_SO_FAR.fullmatch(rest):
        # What follows may still be markers of the last sentence ("... works. [", "[2"): it
        # is complete once real text follows, or the answer ends.
        return [_tidy(d) for d in done[:-1] if d.strip()], buffer[spans[-2].start :]
    return [_tidy(d) for d in done if d.strip()], rest


def _tidy(sentence: str) -> str:
    """Markers before the closing full stop: "... hours. [1]" becomes "... hours [1]."."""
    return _TRAILING_MARKERS.sub(r" \2\1", sentence.strip())


def _stream_with_deadline(chat_model: Any, messages: list[Any], timeout_s: float) -> Iterator[str]:
    """Text pieces from the model; raises TimeoutError once ``timeout_s`` has passed."""
    pieces: queue.Queue[object] = queue.Queue()
    done = object()

    def pump() -> None:
        try:
            for chunk in chat_model.stream(messages):
                content = getattr(chunk, "content", chunk)
                if not isinstance(content, str):
                    raise ValueError("the model returned no text")
                pieces.put(content)
        except BaseException as exc:
            pieces.put(exc)
        finally:
            pieces.put(done)

    threading.Thread(target=pump, name="llm-stream", daemon=True).start()
    deadline = time.monotonic() + timeout_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no complete answer within {timeout_s:g} s")
        try:
            item = pieces.get(timeout=left)
        except queue.Empty as exc:
            raise TimeoutError(f"no complete answer within {timeout_s:g} s") from exc
        if item is done:
            return
        if isinstance(item, BaseException):
            raise item
        yield str(item)


@dataclass(eq=False)
class ModelRewriter:
    """Follow-ups rewritten by the chat model; the rule-based rewriter is the fallback."""

    chat_model: Any
    prompts: PromptSet
    fallback: QueryRewriter
    timeout_s: float

    def expand(self, query: str) -> str:
        return self.fallback.expand(query)

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        if not history:
            return question.strip()
        from langchain_core.messages import HumanMessage

        lines = "\n".join(f"{t.role}: {t.content}" for t in history[-6:])
        prompt = self.prompts.rewrite.format(history=lines, question=question)
        try:
            text = "".join(
                _stream_with_deadline(self.chat_model, [HumanMessage(prompt)], self.timeout_s)
            )
        except Exception:
            return self.fallback.rewrite(question, history)
        first = text.strip().splitlines()[0].strip().strip('"“”') if text.strip() else ""
        if not 3 <= len(first) <= 400 or NOT_IN_SOURCES in first:
            return self.fallback.rewrite(question, history)
        return first
