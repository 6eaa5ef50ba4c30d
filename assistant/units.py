"""Quotable units that know what they are about.

A unit is what an extractive answer may quote: a sentence, a list item, or a list's lead-in
sentence together with its list ("Occipital neuralgia has several potential causes:" is never
quoted without the causes). Each unit is tagged with

- ``procedures``: the registry procedures it is about: those it names (registry aliases and the
  lexicon's names), else those of the sentence before it in its paragraph, of the question it
  answers (a FAQ's answer paragraph), or of its section heading;
- ``subject``: the document's own subject (from its title), a weaker tag for sentences that
  name no procedure and sit under no procedure's heading;
- ``facets``: what it says something about (duration, risks, cost ...), from the lexicon's
  ``source_facets`` patterns over the sentence (and, weaker, its heading);
- ``treatments``: named treatments it mentions (Botox ...);

and has a sentence embedding. Tags come from the text alone (regular expressions, cheap) and are
computed when a chunk's units are first needed; embeddings are stored in a small SQLite file
beside the index (``units.sqlite3``), keyed by model and text, so each unit is embedded once:
when the service warms up, for every visible chunk of an index of up to
``service.UNITS_SYNC_MAX_CHUNKS`` chunks (``Assistant.warm_up`` calls :meth:`sync`), and in a
larger index the first time a chunk is retrieved (one batched model call for all of that
question's new units). Answering a question in a warmed-up knowledge base of that size needs no
model call beyond the query's own embedding.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.embedding import Embedder
from assistant.index.catalogue import Catalogue
from assistant.types import Chunk, DocumentInfo, Passage
from assistant.understanding import Understander, fold_text
from assistant.wal import use_wal

UNITS_VERSION = "1"
GENERIC_ID = "trigger-site-surgery"
"""The registry procedure that generic names ("migraine surgery") stand for."""

_BULLET_LINE = re.compile(r"^\s*(?:[-*+•●▪◦–]|\d{1,3}[.)])\s+")
_BOILERPLATE = re.compile(
    r"https?://|^\s*(from|permanent link|last update)\b|^\W*$|shutterstock", re.IGNORECASE
)
_REFERENCE_HEADING = re.compile(
    r"^\W*(sources?|references?|bibliography|further reading|citations?|literature)\b",
    re.IGNORECASE,
)
"""A section that lists the works behind a text: its lines are references, not statements."""
_ANNOUNCES = re.compile(
    r"\b(several|many|various|a few|multiple|a number of|different)\b.{0,60}"
    r"\b(exist|include|includes|are available|options|ways|types|kinds|factors|causes)\b"
    # "X is differentiated from Y by the symptoms it causes." (the next sentence says how)
    r"|\b(differentiated|distinguished|differs|told apart)\b.{0,40}\bby\b",
    re.IGNORECASE,
)
_CONTINUES = re.compile(
    r"^(it|it[’']s|its|this|that|these|those|they|their|them|however|but|such|the same|"
    r"in the same|in that|in this|both)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r",\s+|;\s+|\s+and\s+(?=those\b|the\b)")
"""Where the clauses of a list sentence part."""
_A_LIST = 3
"""A sentence naming this many procedures in separate clauses lists them."""
_CAUSE = frozenset({"causes"})
"""The facet of a sentence that only says what causes a condition."""


def _masked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    for s, e in spans:
        text = text[:s] + " " * (e - s) + text[e:]
    return text


@dataclass(frozen=True)
class Unit:
    """One quotable piece of a chunk, with its tags. ``start``/``end`` are document offsets."""

    chunk_id: str
    doc_id: str
    index: int
    start: int
    end: int
    text: str
    kind: str  # "sentence" | "item" | "list"
    paragraph: int
    procedures: frozenset[str]
    subject: frozenset[str]
    facets: frozenset[str]
    heading_facets: frozenset[str]
    treatments: frozenset[str]
    quotable: bool
    continues: bool
    """Starts with a word that leans on the sentence before it ("It", "However", "This")."""
    question: bool
    announces: bool = False
    """Announces what follows ("Several treatment options exist ..."), so is quoted with it."""
    listed: tuple[tuple[str, frozenset[str]], ...] = ()
    """A sentence that lists procedures ("... the cauterization of the scalp's vessels, the
    removal of muscles at trigger sites, and the correction of a heart defect"): each listed
    procedure with the facets of its own clause. Empty for any other sentence."""

    def facets_of(self, procedures: frozenset[str]) -> frozenset[str]:
        """The facets the unit has for these procedures: those of their own clauses when the
        unit lists them, otherwise all of its facets."""
        own = [facets for pid, facets in self.listed if pid in procedures]
        if not own:
            return self.facets
        return frozenset(f for facets in own for f in facets)


class PassageEncoder(Protocol):
    """A multilingual encoder: sentences of the sources in the space of its questions."""

    model_id: str

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _matrix(vectors: dict[str, np.ndarray], units: Sequence[Unit]) -> np.ndarray:
    if not units:
        dim = next(iter(vectors.values())).shape[0] if vectors else 0
        return np.zeros((0, dim), dtype=np.float32)
    return np.vstack([vectors[u.text] for u in units])


@dataclass
class ChunkUnits:
    chunk: Chunk
    doc: DocumentInfo
    units: list[Unit]
    vectors: np.ndarray  # one row per unit, normalised
    multilingual: np.ndarray | None = None
    """One row per unit in the multilingual encoder's space (``UnitIndex.multilingual``), or
    None when the index has no such encoder."""


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    item: int | None  # the line start of its list item, or None
    paragraph: int


class UnitTagger:
    """Cuts chunks into units and tags them (no model involved)."""

    def __init__(self, understander: Understander) -> None:
        self.understander = understander
        self.lexicon = understander.lexicon
        self.registry = understander.registry

    # -- tags
    def named(self, text: str) -> set[str]:
        """Procedures a source text names: registry aliases and the lexicon's names."""
        ids = {p.id for p in self.registry.find(text)}
        ids.update(pid for _, _, pid in self._explicit(text))
        return ids

    def _explicit(self, text: str) -> list[tuple[int, int, str]]:
        norm = fold_text(text)
        out = []
        for pid, by_lang in self.lexicon.procedures.items():
            pattern = by_lang.get("en")
            if pattern is not None:
                out += [(m.start(), m.end(), pid) for m in pattern.finditer(norm)]
        return out

    def hinted(self, text: str) -> set[str]:
        norm = fold_text(text)
        out = set()
        for pid, by_lang in self.lexicon.hints.items():
            pattern = by_lang.get("en")
            if pattern is not None and pattern.search(norm):
                out.add(pid)
        return out

    def facets(self, text: str) -> set[str]:
        """What a source text says something about. Words inside a procedure's name do not
        count ("trigger" in "trigger-site surgery" is not about migraine triggers)."""
        norm = _masked(
            fold_text(text),
            [(s, e) for s, e, _ in self.understander._raw_mentions(fold_text(text), "en")],
        )
        found = {f for f, pattern in self.lexicon.source_facets.items() if pattern.search(norm)}
        if "causes" in found:
            # Words that only hint at a procedure ("trigger sites") are no cause either; they
            # still say what else a sentence is about ("the removal of muscles" is how it is
            # done).
            hints = []
            for by_lang in self.lexicon.hints.values():
                pattern = by_lang.get("en")
                if pattern is not None:
                    hints += [m.span() for m in pattern.finditer(norm)]
            if not self.lexicon.source_facets["causes"].search(_masked(norm, hints)):
                found.discard("causes")
        return found

    def treatments(self, text: str) -> set[str]:
        norm = fold_text(text)
        return {t.id for t in self.lexicon.treatments if t.pattern.search(norm)}

    def subject(self, doc: DocumentInfo) -> frozenset[str]:
        return frozenset(self.named(doc.title))

    # -- cutting
    def pieces(self, chunk: Chunk) -> list[_Piece]:
        text, base = chunk.text, chunk.start
        out: list[_Piece] = []
        paragraph = 0
        prev_end: int | None = None
        for span in chunk.sentences:
            s, e = span.start - base, span.end - base
            if not (0 <= s < e <= len(text)):
                continue
            if prev_end is not None and "\n" in text[prev_end:s]:
                paragraph += 1
            line_start = text.rfind("\n", 0, s) + 1
            item = line_start if _BULLET_LINE.match(text[line_start : s + 1]) else None
            out.append(_Piece(s + base, e + base, item, paragraph))
            prev_end = e
        return out

    def _spans(self, chunk: Chunk) -> list[tuple[int, int, str, int]]:
        """(start, end, kind, paragraph) of each unit: a sentence, a list item, or a lead-in
        sentence ending in ":" with the list that follows it."""
        pieces = self.pieces(chunk)
        text, base = chunk.text, chunk.start
        raw: list[tuple[int, int, str, int]] = []  # (start, end, kind, paragraph)
        i = 0
        while i < len(pieces):
            piece = pieces[i]
            sentence = text[piece.start - base : piece.end - base]
            if piece.item is None and sentence.rstrip().endswith(":"):
                j = i + 1
                while j < len(pieces) and pieces[j].item is not None:
                    j += 1
                if j > i + 1:  # a lead-in and its list, quoted together
                    raw.append((piece.start, pieces[j - 1].end, "list", piece.paragraph))
                    i = j
                    continue
            if piece.item is not None:
                j = i + 1
                while j < len(pieces) and pieces[j].item == piece.item:
                    j += 1
                raw.append((piece.start, pieces[j - 1].end, "item", piece.paragraph))
                i = j
                continue
            raw.append((piece.start, piece.end, "sentence", piece.paragraph))
            i += 1
        return raw

    def _listed(self, body: str) -> tuple[tuple[str, frozenset[str]], ...]:
        """Each procedure of a sentence that lists several, with its own clause's facets."""
        if len(self.named(body) | self.hinted(body)) < _A_LIST:
            return ()  # most sentences: no list to part
        clauses = [c for c in _CLAUSE.split(body) if c.strip()]
        by_clause = [(self.named(c) | self.hinted(c), c) for c in clauses]
        if len({pid for pids, _ in by_clause for pid in pids}) < _A_LIST:
            return ()
        out: dict[str, set[str]] = {}
        for pids, clause in by_clause:
            # The clause's own words, its procedure's name included ("the removal of muscles
            # at trigger sites" is how that operation is done).
            norm = fold_text(clause)
            facets = {f for f, p in self.lexicon.source_facets.items() if p.search(norm)}
            for pid in pids:
                out.setdefault(pid, set()).update(facets)
        return tuple((pid, frozenset(facets)) for pid, facets in sorted(out.items()))

    def _own_named(self, body: str, own: frozenset[str]) -> set[str]:
        """Procedures a unit names. "Migraine surgery" in a page about one procedure (its
        section's or its document's) may be that procedure as well as surgery in general."""
        named = self.named(body)
        if GENERIC_ID not in named or not own or GENERIC_ID in own:
            return named
        specific = self.understander._raw_mentions(fold_text(body), "en")
        if any(pid == GENERIC_ID for _, _, pid in specific):
            return named
        return named | set(own)

    def units(self, chunk: Chunk, doc: DocumentInfo) -> list[Unit]:
        text, base = chunk.text, chunk.start
        heading_tags: set[str] = set()
        heading_facets: set[str] = set()
        for heading in reversed(chunk.heading_path):
            if heading == doc.title:
                continue
            if not heading_tags:
                heading_tags = self.named(heading)
            heading_facets |= self.facets(heading)
        subject = self.subject(doc)
        references = any(_REFERENCE_HEADING.search(h) for h in chunk.heading_path if h != doc.title)
        own = frozenset(heading_tags) or subject
        units: list[Unit] = []
        previous: Unit | None = None
        carried: Unit | None = None  # the unit whose procedures the next one may take
        # whether the previous unit's procedures rest on a name (its own, an earlier sentence's
        # or its heading's) rather than on a hint alone ("foods can act as migraine trigger
        # sites" hints at trigger-site surgery, but the sentences after it are about triggers)
        previous_named = False
        for n, (start, end, kind, paragraph) in enumerate(self._spans(chunk)):
            body = text[start - base : end - base]
            named = self._own_named(body, own)
            same_paragraph = previous is not None and previous.paragraph == paragraph
            facets = frozenset(self.facets(body))
            cause_only = not named and facets == _CAUSE
            if named:
                procedures = named | self.hinted(body)
                previous_named = True
            elif cause_only:
                # What causes a condition, with no procedure named ("Pain is caused by tight
                # muscles around the occipital nerve"): about the condition, not the operation
                # its page sells. The sentences after it still take the procedure before it.
                procedures = set()
            elif carried is not None and carried.procedures and previous_named:
                # The sentence before it (in its paragraph, or the paragraph before it under
                # the same heading, such as a FAQ's question) says what it is about.
                procedures = set(carried.procedures)
            elif heading_tags:
                procedures = set(heading_tags)
                previous_named = True
            else:
                procedures = self.hinted(body)
                previous_named = False
            treatments = self.treatments(body)
            if not treatments and not named and same_paragraph and previous is not None:
                treatments = set(previous.treatments)
            words = len(body.split())
            question = body.rstrip().endswith("?")
            quotable = (
                words >= 3
                and not references
                and not _BOILERPLATE.search(body)
                and (kind == "item" or not question)
            )
            unit = Unit(
                chunk_id=chunk.chunk_id,
                doc_id=chunk.doc_id,
                index=n,
                start=start,
                end=end,
                text=body,
                kind=kind,
                paragraph=paragraph,
                procedures=frozenset(procedures),
                subject=subject,
                facets=facets,
                heading_facets=frozenset(heading_facets),
                treatments=frozenset(treatments),
                quotable=quotable,
                continues=bool(_CONTINUES.match(body)),
                question=question,
                announces=bool(_ANNOUNCES.search(body)) and words <= 14,
                listed=self._listed(body),
            )
            units.append(unit)
            previous = unit
            if not cause_only:
                carried = unit
        return units


class VectorCache:
    """Unit embeddings by (model, text), in one SQLite file shared by processes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            use_wal(self._conn)
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, v BLOB NOT NULL)"
            )
            self._conn.commit()

    @staticmethod
    def key(model_id: str, text: str) -> str:
        return hashlib.sha1(f"{UNITS_VERSION}\n{model_id}\n{text}".encode()).hexdigest()

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                part = list(keys[i : i + 500])
                rows = self._conn.execute(
                    f"SELECT key, v FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                    part,
                ).fetchall()
                for key, blob in rows:
                    out[str(key)] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items]
        if not rows:
            return
        with self._lock:
            self._conn.executemany("INSERT OR IGNORE INTO vectors (key, v) VALUES (?, ?)", rows)
            self._conn.commit()

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class UnitIndex:
    """The units of retrieved chunks, tagged and embedded, cached in memory and on disk."""

    def __init__(
        self,
        path: Path,
        embedder: Embedder,
        tagger: UnitTagger,
        catalogue: Catalogue | None = None,
        memory_chunks: int = 20_000,
        multilingual: PassageEncoder | None = None,
    ) -> None:
        self.path = path
        self.embedder = embedder
        self.multilingual = multilingual
        self.tagger = tagger
        self.catalogue = catalogue
        self.memory_chunks = memory_chunks
        self._memo: OrderedDict[str, ChunkUnits] = OrderedDict()
        self._lock = threading.Lock()
        self._cache: VectorCache | None = None

    @property
    def cache(self) -> VectorCache:
        if self._cache is None:
            self._cache = VectorCache(self.path)
        return self._cache

    def _model_id(self) -> str:
        return str(getattr(self.embedder, "model_id", type(self.embedder).__name__))

    def for_chunks(self, pairs: Sequence[tuple[Chunk, DocumentInfo]]) -> list[ChunkUnits]:
        """The units of each chunk (in order), embedding in one batch those not cached."""
        out: dict[str, ChunkUnits] = {}
        missing: list[tuple[Chunk, DocumentInfo, list[Unit]]] = []
        with self._lock:
            for chunk, _ in pairs:
                got = self._memo.get(chunk.chunk_id)
                if got is not None:
                    self._memo.move_to_end(chunk.chunk_id)
                    out[chunk.chunk_id] = got
        for chunk, doc in pairs:
            if chunk.chunk_id not in out and all(m[0].chunk_id != chunk.chunk_id for m in missing):
                missing.append((chunk, doc, self.tagger.units(chunk, doc)))
        if missing:
            texts = {u.text for _, _, us in missing for u in us}
            embedded = self._vectors(self._model_id(), texts, self.embedder.embed)
            multi = self.multilingual
            translated = (
                self._vectors(multi.model_id + "/passage", texts, multi.passages)
                if multi is not None
                else None
            )
            for chunk, doc, units in missing:
                out[chunk.chunk_id] = ChunkUnits(
                    chunk,
                    doc,
                    units,
                    _matrix(embedded, units),
                    None if translated is None else _matrix(translated, units),
                )
            with self._lock:
                for chunk, _, _ in missing:
                    self._memo[chunk.chunk_id] = out[chunk.chunk_id]
                while len(self._memo) > self.memory_chunks:
                    self._memo.popitem(last=False)
        return [out[chunk.chunk_id] for chunk, _ in pairs if chunk.chunk_id in out]

    def _vectors(
        self, model: str, texts: set[str], embed: Callable[[list[str]], object]
    ) -> dict[str, np.ndarray]:
        """Each text's vector under ``model``: from the store, the others embedded in one
        batch and stored."""
        keys = {t: VectorCache.key(model, t) for t in texts}
        stored = self.cache.get(list(set(keys.values())))
        todo = sorted(t for t, k in keys.items() if k not in stored)
        if todo:
            vectors = np.asarray(embed(todo), dtype=np.float32)
            fresh = {keys[t]: v for t, v in zip(todo, vectors, strict=True)}
            self.cache.put(fresh.items())
            stored.update(fresh)
        return {t: stored[k] for t, k in keys.items()}

    def for_passages(self, passages: Sequence[Passage]) -> list[ChunkUnits]:
        seen: dict[str, tuple[Chunk, DocumentInfo]] = {}
        for p in passages:
            seen.setdefault(p.chunk.chunk_id, (p.chunk, p.doc))
        return self.for_chunks(list(seen.values()))

    def sync(self, batch: int = 256) -> int:
        """Embed the units of every visible chunk not embedded yet; returns how many chunks."""
        if self.catalogue is None:
            return 0
        ids = [chunk_id for chunk_id, _, _ in self.catalogue.iter_visible_chunks()]
        done = 0
        for i in range(0, len(ids), batch):
            found = self.catalogue.visible(ids[i : i + batch])
            pairs = [found[c] for c in ids[i : i + batch] if c in found]
            self.for_chunks(pairs)
            done += len(pairs)
        return done

    def topics_of_span(self, chunk_id: str, start: int, end: int) -> frozenset[str]:
        """The procedures of the units overlapping a quoted span (for evaluations)."""
        if self.catalogue is None:
            return frozenset()
        found = self.catalogue.visible([chunk_id])
        if chunk_id not in found:
            return frozenset()
        (chunk_units,) = self.for_chunks([found[chunk_id]])
        out: set[str] = set()
        for unit in chunk_units.units:
            if unit.start < end and start < unit.end:
                out |= unit.procedures
        return frozenset(out)

    def iter_units(self, chunk_units: Sequence[ChunkUnits]) -> Iterator[tuple[Unit, np.ndarray]]:
        for cu in chunk_units:
            yield from zip(cu.units, cu.vectors, strict=False)

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None
