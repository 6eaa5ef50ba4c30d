"""The one service object that the CLI, the UI, the API and the evals call."""

from __future__ import annotations

import threading
import time
from functools import cached_property
from pathlib import Path
from typing import Any

from assistant.answer import NO_EVIDENCE_MESSAGE, ExtractiveAnswerer
from assistant.chain import Chain, ChainState, build_chain, evidence_of
from assistant.citations import CitationChecker
from assistant.embedding import Embedder, make_embedder
from assistant.errors import InvalidQuestionError
from assistant.evidence import EvidenceRegistry
from assistant.generation import (
    GenerativeAnswerer,
    ModelRewriter,
    SupportVerifier,
    make_chat_model,
)
from assistant.guardrails.layer import GuardrailLayer
from assistant.index.catalogue import Catalogue
from assistant.index.lexical import LexicalIndexCache
from assistant.index.vector_store import ChromaStore, VectorStore
from assistant.ingest.pipeline import Indexer, IngestReport, Progress
from assistant.lead import LeadWriter
from assistant.paths import REGISTRY_FILE, registry_file
from assistant.prompts import PromptSet
from assistant.retrieval import HybridRetriever, Mode
from assistant.rewrite import QueryRewriter
from assistant.selection import corpus_has
from assistant.settings import Settings
from assistant.text import text_pieces
from assistant.types import (
    Answer,
    AnswerEvents,
    DocumentInfo,
    Draft,
    History,
    Passage,
    SourceKinds,
    Status,
    StreamStatus,
    Turn,
)
from assistant.understanding import Understander
from assistant.units import UnitIndex, UnitTagger
from assistant.validation import unicode_problem

UNITS_SYNC_MAX_CHUNKS = 5000
"""Up to this many chunks, every unit is embedded when the index is loaded (warm_up)."""


class Assistant:
    """Answers questions from the indexed knowledge folder. Heavy parts load on first use."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        store: VectorStore | None = None,
        chat_model: Any | None = None,
    ) -> None:
        """Parts given here are used instead of the ones the settings would build: an embedder
        or store shared with another Assistant, or a LangChain chat model (any ``BaseChatModel``)
        to generate answers with, whatever ``settings.generator`` names."""
        self.settings = settings or Settings()
        self._embedder = embedder
        self._store = store
        self._chat_model = chat_model
        self._ingest_lock = threading.Lock()

    # ---- components ------------------------------------------------------------------------
    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder or make_embedder(self.settings)

    @cached_property
    def store(self) -> VectorStore:
        if self._store is not None:
            return self._store
        s = self.settings
        if s.chroma_is_server():
            return ChromaStore(s.collection, host=s.chroma_host, port=s.chroma_port)
        return ChromaStore(s.collection, path=s.data_dir / "chroma")

    @cached_property
    def catalogue(self) -> Catalogue:
        return Catalogue(self.settings.data_dir / "catalogue.sqlite3")

    @cached_property
    def registry(self) -> EvidenceRegistry:
        return EvidenceRegistry.load(self.registry_path)

    @property
    def registry_path(self) -> Path:
        own = self.settings.knowledge_dir / REGISTRY_FILE
        if own.exists():
            return own
        # A corpus folder without a registry of its own uses the one shipped with the package.
        return registry_file()

    @cached_property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(
            self.embedder,
            self.store,
            self.catalogue,
            LexicalIndexCache(self.settings.data_dir / "bm25"),
            candidate_k=self.settings.candidate_k,
            rrf_k=self.settings.rrf_k,
            expand=self.understander.expand,
            lexical_weight=self.settings.lexical_weight,
            expand_lexical=self.understander.expand_lexical,
        )

    @cached_property
    def rewriter(self) -> QueryRewriter:
        return QueryRewriter(self.registry, understander=self.understander)

    @cached_property
    def lead_writer(self) -> LeadWriter:
        return LeadWriter(self.registry)

    @cached_property
    def understander(self) -> Understander:
        """Reads what a question is about and asks (lexicon + registry, no model)."""
        return Understander(self.registry)

    @cached_property
    def units(self) -> UnitIndex:
        """The quotable units of the indexed chunks, tagged and embedded (cached on disk)."""
        return UnitIndex(
            self.settings.data_dir / "units.sqlite3",
            self.embedder,
            UnitTagger(self.understander),
            self.catalogue,
            multilingual=self.guardrails.encoder,
        )

    def in_corpus(self, text: str) -> bool:
        """Whether every content word of ``text`` occurs in the indexed chunks."""
        return corpus_has(self.retriever.lexical_index(), text)

    @cached_property
    def answerer(self) -> ExtractiveAnswerer:
        s = self.settings
        return ExtractiveAnswerer(
            self.understander,
            self.units,
            max_sentences=s.answer_max_sentences,
            min_coverage=s.min_term_overlap,
            min_dense_score=s.min_dense_score,
            covered=self.in_corpus,
            embed=lambda text: self.embedder.embed([text])[0],
        )

    @cached_property
    def guardrails(self) -> GuardrailLayer:
        return GuardrailLayer(self.registry)

    @cached_property
    def prompts(self) -> PromptSet:
        return PromptSet.load()

    @cached_property
    def chat_model(self) -> Any:
        """The configured LangChain chat model, or None for the extractive default."""
        if self._chat_model is not None:
            return self._chat_model
        if self.settings.generator == "none":
            return None
        return make_chat_model(self.settings)

    @cached_property
    def generator(self) -> ExtractiveAnswerer | GenerativeAnswerer:
        if self.chat_model is None:
            return self.answerer
        return GenerativeAnswerer(
            self.chat_model,
            self.prompts,
            self.answerer,
            SupportVerifier(self.embedder),
            self.settings.llm_timeout_s,
            self.settings.generator,
        )

    @cached_property
    def query_rewriter(self) -> QueryRewriter | ModelRewriter:
        if self.chat_model is None:
            return self.rewriter
        return ModelRewriter(
            self.chat_model, self.prompts, self.rewriter, self.settings.llm_timeout_s
        )

    @cached_property
    def chain(self) -> Chain:
        return build_chain(
            rewriter=self.query_rewriter,
            retriever=self.retriever,
            generator=self.generator,
            checker=CitationChecker(),
            guardrails=self.guardrails,
            understander=self.understander,
        )

    # ---- index -----------------------------------------------------------------------------
    def ingest(self, progress: Progress | None = None) -> IngestReport:
        """Bring the index in line with the knowledge folder."""
        with self._ingest_lock:
            return Indexer(self.settings, self.embedder, self.store, self.catalogue).run(progress)

    def ensure_index(self, progress: Progress | None = None) -> IngestReport | None:
        """Build the index when none exists yet (first run); otherwise reuse it."""
        if self.catalogue.index_version() == 0:
            return self.ingest(progress)
        return None

    def warm_up(self) -> None:
        """Load the model, the registry and the lexical index before the first question."""
        warm = getattr(self.embedder, "warm_up", None)
        if warm:
            warm()
        _ = self.registry, self.chain
        self.retriever.warm_up()
        if self.catalogue.visible_count() <= UNITS_SYNC_MAX_CHUNKS:
            self.units.sync()  # a larger index embeds the units of a chunk when first retrieved

    def sources(self) -> list[DocumentInfo]:
        return self.catalogue.documents()

    def index_version(self) -> int:
        return self.catalogue.index_version()

    # ---- questions -------------------------------------------------------------------------
    def validate(self, question: str, history: History | None) -> list[Turn]:
        """Check a question and its history; raise :class:`InvalidQuestionError` if unusable."""
        if not isinstance(question, str) or not question.strip():
            raise InvalidQuestionError("The question is empty. Please type a question.")
        problem = unicode_problem(question)
        if problem:
            raise InvalidQuestionError(f"The question {problem}.")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise InvalidQuestionError(
                f"The question is {len(question)} characters long; the limit is {limit}. "
                "Please shorten it."
            )
        turns: list[Turn] = []
        for i, turn in enumerate(history or []):
            try:
                turns.append(turn if isinstance(turn, Turn) else Turn.model_validate(turn))
            except Exception as exc:
                raise InvalidQuestionError(
                    f"History turn {i} must be an object with role 'user' or 'assistant' and "
                    f"text content ({exc.__class__.__name__})."
                ) from exc
        if len(turns) > self.settings.max_history_turns:
            raise InvalidQuestionError(
                f"The history has {len(turns)} turns; the limit is "
                f"{self.settings.max_history_turns}."
            )
        for i, turn in enumerate(turns):
            problem = unicode_problem(turn.content)
            if problem:
                raise InvalidQuestionError(f"History turn {i} {problem}.")
        chars = sum(len(turn.content) for turn in turns)
        if chars > self.settings.max_history_chars:
            raise InvalidQuestionError(
                f"The history has {chars} characters in all; the limit is "
                f"{self.settings.max_history_chars}. "
                "Please start a new conversation or send fewer earlier turns."
            )
        return turns

    def _prepare(
        self, question: str, history: History | None, source_kinds: SourceKinds
    ) -> tuple[ChainState, list[Turn]]:
        """Check the input, then run the steps before composing (understanding, retrieval)."""
        turns = self.validate(question, history)
        state: ChainState = {
            "question": question.strip(),
            "history": turns,
            "k": self.settings.top_k,
            "source_kinds": source_kinds,
        }
        return self.chain.prepare.invoke(state), turns

    def _finish(self, state: ChainState, turns: list[Turn], started: float) -> Answer:
        draft = state["draft"]
        timings = dict(state["timings_ms"])
        if draft.status == "answered" and not draft.text.strip():
            # Never an empty answer: what could not be composed is not in the sources.
            draft = Draft(text=NO_EVIDENCE_MESSAGE, status="no_evidence", generator=draft.generator)
        understanding = state.get("understanding")
        composed = Answer(
            question=state["question"],
            standalone_question=state["standalone"],
            language=understanding.language if understanding is not None else "en",
            status=draft.status,
            answer=draft.text,
            citations=list(draft.citations),
            generator=draft.generator,
            prompt_version=None if self.chat_model is None else self.prompts.version,
            index_version=str(state["retrieval"].index_version),
        )
        # The guardrails run last, in code, on the composed answer: nothing upstream can skip them.
        guarded = self.guardrails.apply(composed, turns, state["guard"])
        # The plain-language lead is chosen last, from reviewed texts, for the final answer.
        guarded = guarded.model_copy(update={"summary": self.lead_writer.write(guarded)})
        timings["total"] = round((time.perf_counter() - started) * 1000, 2)
        return guarded.model_copy(update={"timings_ms": timings})

    def _compose_first(self, state: ChainState) -> tuple[ChainState, Status, bool]:
        """The extractive draft, composed before any generator runs; the answer's status; and
        whether a generator should write the text.

        Red-flag and personal-decision questions are answered by the guardrails' own messages,
        so they never wait for (or spend) a model call; neither does a question with no
        evidence. The status is known here, before any text is written.
        """
        composing = time.perf_counter()
        extractive = self.answerer.answer(
            state["standalone"],
            evidence_of(state, self.retriever),
            understanding=state.get("understanding"),
            query_vector=state["retrieval"].query_vector,
            multilingual_vector=state["guard"].vector,
        )
        timings = dict(state["timings_ms"])
        timings["compose"] = round((time.perf_counter() - composing) * 1000, 2)
        state = {**state, "timings_ms": timings}
        # "emergency", "urgent" (the guardrails' message only) or "declined", read once.
        status: Status = state["guard"].status_for(extractive.status)
        generate = self.generator is not self.answerer and status == "answered"
        state = {**state, "extractive": extractive}
        if not generate:
            state = {**state, "draft": extractive}
        return state, status, generate

    def ask(
        self, question: str, history: History | None = None, source_kinds: SourceKinds = None
    ) -> Answer:
        """Answer a question from the sources, with citations.

        One path for every answer: ``ask`` drains :meth:`ask_stream`, so the understanding,
        the selection and the guardrails run once, the same way for both.
        """
        *_, answer = self.ask_stream(question, history, source_kinds)
        assert isinstance(answer, Answer)
        return answer

    def ask_stream(
        self, question: str, history: History | None = None, source_kinds: SourceKinds = None
    ) -> AnswerEvents:
        """Like ``ask``, as it is composed: a StreamStatus, then text pieces, then the Answer.

        The question is checked and the passages retrieved before this returns, so bad input
        and an unreachable index raise here, before anything is sent. A generator's sentences
        are sent one by one as each passes verification (a sentence the verifier removes is
        never sent). The final Answer is authoritative: if a generated answer falls back to
        the extractive one, or the guardrails replace it, its text supersedes what was sent.
        """
        started = time.perf_counter()
        state, turns = self._prepare(question, history, source_kinds)
        state, status, generate = self._compose_first(state)
        return self._stream(state, turns, started, status, generate)

    def _stream(
        self, state: ChainState, turns: list[Turn], started: float, status: Status, generate: bool
    ) -> AnswerEvents:
        yield StreamStatus(status=status)
        if generate:
            assert isinstance(self.generator, GenerativeAnswerer)
            retrieval = state["retrieval"]
            composing = time.perf_counter()
            sent = 0
            # The model reads the question's own search results and whatever the extractive
            # answer quotes (not every keyword-search passage: each costs the verifier an
            # embedding).
            cited = {c.chunk_id for c in state["extractive"].citations}
            searched = state.get("searched", len(retrieval.passages))
            passages = [
                p
                for i, p in enumerate(retrieval.passages)
                if i < searched or p.chunk.chunk_id in cited
            ]
            for event in self.generator.stream(
                state["standalone"],
                evidence_of(state, self.retriever, passages),
                extractive=state["extractive"],
            ):
                if isinstance(event, Draft):
                    state = {**state, "draft": event}
                else:
                    yield event if sent == 0 else " " + event
                    sent += 1
            timings = dict(state["timings_ms"])
            timings["compose"] = round((time.perf_counter() - composing) * 1000, 2)
            state = {**state, "timings_ms": timings}
        answer = self._finish(self.chain.finish.invoke(state), turns, started)
        if not generate:  # composed at once: sent in pieces of a few words
            yield from text_pieces(answer.answer)
        yield answer

    def retrieve(
        self, question: str, history: History | None = None, source_kinds: SourceKinds = None
    ) -> list[Passage]:
        """The passages an answer to ``question`` reads: the search of its standalone
        question, the published evidence for an efficacy question and the keyword search of
        each facet it asks (the steps before composing, as :meth:`ask` runs them)."""
        state, _ = self._prepare(question, history, source_kinds)
        return list(state["retrieval"].passages)

    def search(
        self,
        query: str,
        k: int | None = None,
        source_kinds: SourceKinds = None,
        mode: Mode = "hybrid",
    ) -> list[Passage]:
        """Ranked passages for a query."""
        self.validate(query, None)
        return self.retriever.search(query, k or self.settings.top_k, source_kinds, mode).passages

    def close(self) -> None:
        if "chain" in self.__dict__:
            self.chain.close()
        if "units" in self.__dict__:
            self.units.close()
        if "catalogue" in self.__dict__:
            self.catalogue.close()
