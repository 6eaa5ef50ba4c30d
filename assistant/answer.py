"""The default answerer: quotes the retrieved passages' own sentences, no generative model.

Sentences are scored by how much of the question's (IDF-weighted) terms they contain, with a
bonus when they hold the kind of fact the question asks for (a duration for "how long", a
figure for "how many"). The best ones are quoted verbatim, grouped by document with a lead-in
that says who is speaking, each followed by its citation marker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.text import terms
from assistant.types import Citation, Draft, Passage, Span

Idf = Callable[[str], float]
_EVIDENCE_KINDS = frozenset({"curated-evidence", "reference"})

NO_EVIDENCE_MESSAGE = (
    "I could not find this in my sources, so I cannot answer it. My sources cover migraine "
    "surgery: trigger-site surgery, the M.I.G.O.N.E. procedure, fat transfer and nerve "
    "stimulation. For anything else, please ask your doctor or pharmacist."
)

_CUES: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    (
        re.compile(
            r"\b(work|works|effective|success\w*|cure[sd]?|help|helps|worth|results?|"
            r"evidence|proof|outcomes?|relief)\b",
            re.I,
        ),
        re.compile(
            r"\b(success\w*|effective\w*|improv\w*|relief|reduc\w*|resolution|"
            r"evidence|stud(y|ies)|trials?|patients|eliminat\w*|efficacy|outcomes?)\b|%",
            re.I,
        ),
    ),
    (
        re.compile(r"\bhow long\b|\bduration\b|\bhours?\b|\bminutes?\b|\bdur[ae]\b|\bdauer", re.I),
        re.compile(r"\b(hours?|minutes?|days?|weeks?|months?|years?|outpatient)\b", re.I),
    ),
    (
        re.compile(r"\bhow (many|much|often)\b|\brates?\b|\bpercent|\bsuccess|%|\bstatistic", re.I),
        re.compile(r"\d|%|\bpercent\b|\bmost\b|\bmany\b", re.I),
    ),
    (
        re.compile(r"\b(cost|price|expensive|insurance|pay)\b", re.I),
        re.compile(r"\$|\b(cost|price|insur\w*|pay)\b", re.I),
    ),
    (
        re.compile(r"\b(risks?|side effects?|complications?|safe|safety|dangers?)\b", re.I),
        re.compile(r"\b(risks?|side effects?|complications?|safe\w*|infection|harms?)\b", re.I),
    ),
    (
        re.compile(r"\bwhy\b|\bcauses?\b|\breason", re.I),
        re.compile(r"\b(because|cause[sd]?|due to|result of|caused)\b", re.I),
    ),
    (
        re.compile(r"\bwho\b", re.I),
        re.compile(r"\b(surgeons?|physicians?|society|specialists?|doctors?|patients?)\b", re.I),
    ),
]


# Question verbs that say little about the topic: they count, but less than topic words.
_WEAK_TERMS = frozenset(terms("work works take takes help helps do does done feel make need"))


CUE_BONUS = 0.25
_LEADING_PRONOUN = re.compile(r"^(it|it[’']s|this|that|these|they|its|their)\b", re.I)


def _same_paragraph(text: str, first: Span, second: Span, offset: int) -> bool:
    return "\n" not in text[first.end - offset : second.start - offset]


_QUESTION_PHRASES = re.compile(r"\bhow (long|much|many|often|soon)\b", re.I)


def matched_terms(query: set[str], sentence: frozenset[str]) -> set[str]:
    """Query terms found in the sentence; a stem also matches a longer stem it begins
    ("safe" matches "safeti" from "safety"), from four letters on."""
    found = query & sentence
    for term in query - found:
        if len(term) >= 4 and any(
            len(word) >= 4 and (word.startswith(term) or term.startswith(word))
            for word in sentence
        ):
            found.add(term)
    return found


@lru_cache(maxsize=100_000)
def _sentence_terms(sentence: str) -> frozenset[str]:
    return frozenset(terms(sentence))


@dataclass(frozen=True)
class ScoredSentence:
    passage: Passage
    span: Span
    text: str
    coverage: float
    score: float


def attribution(passage: Passage) -> str:
    """Lead-in that says who is speaking."""
    doc = passage.doc
    publisher = doc.publisher or doc.title
    kind = doc.source_kind
    if kind == "clinic-marketing":
        return f"The clinic's own marketing page ({publisher}) states:"
    if kind == "practice-blog":
        return f"A cosmetic-surgery practice's marketing blog ({publisher}) claims:"
    if kind == "curated-evidence":
        return "The curated summary of published studies says:"
    if kind == "reference":
        return f"The reference source {publisher} says:"
    return f"{publisher} says:"


class ExtractiveAnswerer:
    """Composes an answer from retrieved sentences, verbatim, with citations."""

    name = "extractive"

    def __init__(
        self,
        max_sentences: int = 4,
        min_coverage: float = 0.34,
        min_dense_score: float = 0.30,
    ) -> None:
        self.max_sentences = max_sentences
        self.min_coverage = min_coverage
        self.min_dense_score = min_dense_score

    def score(
        self, question: str, passages: Sequence[Passage], idf: Idf | None = None
    ) -> list[ScoredSentence]:
        """Every sentence of the passages, scored against the question, best first."""
        # "How long" asks for a duration (a cue below), not for sentences containing "long".
        q_terms = set(terms(_QUESTION_PHRASES.sub(" ", question)))
        weights = {
            t: (idf(t) if idf else 1.0) * (0.25 if t in _WEAK_TERMS else 1.0) for t in q_terms
        }
        total = sum(weights.values()) or 1.0
        cues = [want for ask, want in _CUES if ask.search(question)]
        scored = []
        for passage in passages:
            chunk = passage.chunk
            previous: Span | None = None
            for span in chunk.sentences:
                text = chunk.text[span.start - chunk.start : span.end - chunk.start]
                prev, previous = previous, span
                if len(text.split()) < 3 or text.endswith("?"):
                    continue  # fragments, captions and a page's own questions answer nothing
                sentence_terms = _sentence_terms(text)
                if prev is not None and _LEADING_PRONOUN.match(text) and _same_paragraph(
                    chunk.text, prev, span, chunk.start
                ):
                    # "It takes about one to two hours": "it" is the previous sentence's topic,
                    # so the two are scored and quoted together.
                    span = Span(start=prev.start, end=span.end)
                    text = chunk.text[span.start - chunk.start : span.end - chunk.start]
                    sentence_terms = _sentence_terms(text)
                overlap = matched_terms(q_terms, sentence_terms)
                coverage = sum(weights[t] for t in overlap) / total
                bonus = sum(CUE_BONUS for want in cues if want.search(text))
                prior = 0.1 / passage.rank + 0.2 * (passage.dense_score or 0.0)
                scored.append(
                    ScoredSentence(passage, span, text, coverage, coverage + bonus + prior)
                )
        scored.sort(key=lambda s: -s.score)
        return scored

    def is_covered(self, passages: Sequence[Passage], scored: Sequence[ScoredSentence]) -> bool:
        """Whether the sources address the question at all."""
        if not passages or not scored:
            return False
        best_dense = max((p.dense_score or 0.0) for p in passages)
        best_coverage = max(s.coverage for s in scored)
        if best_dense < self.min_dense_score:
            return False
        return best_coverage >= self.min_coverage or best_dense >= 0.55

    def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        idf: Idf | None = None,
        balance: bool = False,
    ) -> Draft:
        """The answer to ``question`` from ``passages``, or the no-evidence message.

        With ``balance`` (efficacy questions) every document that speaks to the question is
        quoted, published evidence first, so both sides of a disagreement are shown.
        """
        scored = self.score(question, passages, idf)
        if not self.is_covered(passages, scored):
            return Draft(text=NO_EVIDENCE_MESSAGE, status="no_evidence", generator=self.name)
        return self.compose(self.select(scored, balance))

    def select(
        self, scored: Sequence[ScoredSentence], balance: bool = False
    ) -> list[ScoredSentence]:
        """The best sentences, taking the best of each document first so that every source
        that speaks to the question (a clinic's claim and the published evidence) is heard."""
        best = scored[0].score
        floor = 0.35 if balance else 0.7
        eligible = [s for s in scored if s.score >= floor * best and s.coverage > 0]
        if balance:
            eligible.sort(
                key=lambda s: (s.passage.doc.source_kind not in _EVIDENCE_KINDS, -s.score)
            )
        chosen: list[ScoredSentence] = []
        seen_docs: set[str] = set()
        for item in eligible:
            if item.passage.doc.doc_id not in seen_docs:
                seen_docs.add(item.passage.doc.doc_id)
                chosen.append(item)
        for item in eligible:
            if item not in chosen:
                chosen.append(item)
        return chosen[: self.max_sentences]

    def compose(self, chosen: Sequence[ScoredSentence]) -> Draft:
        """Group sentences by document (best document first), in reading order, with markers."""
        groups: dict[str, list[ScoredSentence]] = {}
        for item in chosen:
            groups.setdefault(item.passage.doc.doc_id, []).append(item)
        paragraphs: list[str] = []
        citations: list[Citation] = []
        for items in groups.values():
            items.sort(key=lambda s: s.span.start)
            parts = [attribution(items[0].passage)]
            for quote in _merge_adjacent(items):
                n = len(citations) + 1
                citations.append(
                    Citation(
                        n=n,
                        doc_id=quote.passage.doc.doc_id,
                        chunk_id=quote.passage.chunk.chunk_id,
                        title=quote.passage.doc.title,
                        url=quote.passage.doc.url,
                        publisher=quote.passage.doc.publisher,
                        source_kind=quote.passage.doc.source_kind,
                        quote=quote.text,
                        start=quote.span.start,
                        end=quote.span.end,
                        score=round(quote.score, 4),
                    )
                )
                parts.append(f"“{quote.text}” [{n}]")
            paragraphs.append(" ".join(parts))
        return Draft(text="\n\n".join(paragraphs), citations=tuple(citations), generator=self.name)


def _merge_adjacent(items: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """Join quotes of one chunk that overlap or follow each other in a paragraph."""
    merged: list[ScoredSentence] = []
    for item in sorted(items, key=lambda s: (s.passage.chunk.chunk_id, s.span.start)):
        chunk = item.passage.chunk
        if merged and merged[-1].passage.chunk.chunk_id == chunk.chunk_id:
            prev = merged[-1]
            gap = chunk.text[prev.span.end - chunk.start : item.span.start - chunk.start]
            if item.span.start <= prev.span.end or (not gap.strip() and "\n" not in gap):
                span = Span(start=prev.span.start, end=max(prev.span.end, item.span.end))
                text = chunk.text[span.start - chunk.start : span.end - chunk.start]
                merged[-1] = ScoredSentence(
                    item.passage,
                    span,
                    text,
                    max(prev.coverage, item.coverage),
                    max(prev.score, item.score),
                )
                continue
        merged.append(item)
    return merged
