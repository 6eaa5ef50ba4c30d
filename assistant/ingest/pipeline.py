"""Incremental, crash-safe ingestion: knowledge folder -> chunks -> embeddings -> Chroma.

Unchanged documents cost nothing; a changed document gets new chunks under its new content hash
and its old chunks are dropped when the new version is committed; a removed document loses its
chunks. Nothing a run writes is visible to queries until the catalogue commit at its end, and a
killed run's vectors are reused by the next run instead of being embedded again.

Chunks flow through in batches of ``ingest_batch_chunks`` as they are cut, also within one
document: a large document is embedded and written while its later chunks are still being cut,
so memory is bounded by the batches in flight, not by the size of a document. Its catalogue row
(with its chunk count) is staged for the commit only once all its chunks are cut, so a run that
fails halfway through a document commits nothing of it, as before.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from assistant.embedding import Embedder, Vectors
from assistant.errors import DocumentLoadError
from assistant.index.catalogue import Catalogue
from assistant.index.vector_store import VectorStore
from assistant.ingest.chunking import document_hash, iter_chunks
from assistant.ingest.loaders import iter_knowledge_files, load_path
from assistant.sentences import index_text
from assistant.settings import Settings
from assistant.types import Chunk, DocumentInfo, SourceDoc

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
_Item = tuple[Chunk, str, str]  # chunk, text to embed, source kind
_DONE = object()


@dataclass
class IngestReport:
    """What one ingest run did."""

    documents: int = 0
    unchanged: int = 0
    added_or_changed: int = 0
    removed: int = 0
    chunks_embedded: int = 0
    chunks_reused: int = 0
    chunks_deleted: int = 0
    errors: list[str] = field(default_factory=list)
    index_version: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        text = (
            f"{self.documents} documents: {self.added_or_changed} new or changed, "
            f"{self.unchanged} unchanged, {self.removed} removed; "
            f"{self.chunks_embedded} chunks embedded, {self.chunks_reused} reused, "
            f"{self.chunks_deleted} deleted; index version {self.index_version}; "
            f"{self.seconds:.1f} s"
        )
        if self.errors:
            text += f"; {len(self.errors)} file(s) could not be read"
        return text


_KEPT_OF_SOURCE = tuple(DocumentInfo.model_fields.keys() & SourceDoc.model_fields.keys())
"""What the catalogue keeps of a loaded document as it is (its provenance)."""


@dataclass(eq=False)
class Indexer:
    """Brings the index in line with the knowledge folder."""

    settings: Settings
    embedder: Embedder
    store: VectorStore
    catalogue: Catalogue

    def run(self, progress: Progress | None = None) -> IngestReport:
        """Ingest the knowledge folder; errors in single files are reported, not raised."""
        say = progress or (lambda _msg: None)
        started = time.perf_counter()
        report = IngestReport()
        self.store.ping()
        self._collect_garbage(report)
        committed = self.catalogue.committed_hashes()
        seen: dict[str, str] = {}  # doc_id -> path
        failed_paths: set[str] = set()
        upserts: list[DocumentInfo] = []
        pending: list[_Item] = []
        root = self.settings.knowledge_dir
        # A failure while reading stops the stages too (__exit__), before it is raised.
        with _Stages(self, report, say) as stages:
            for path in iter_knowledge_files(root):
                for item in load_path(path, root, self.settings.max_file_bytes):
                    stages.raise_if_failed()
                    if isinstance(item, DocumentLoadError):
                        report.errors.append(str(item))
                        failed_paths.add(item.path)
                        log.warning("skipped %s", item)
                        say(f"error: {item}")
                        continue
                    doc = item
                    if doc.doc_id in seen:
                        msg = (
                            f"{doc.path}: duplicate document id {doc.doc_id!r} "
                            f"(also in {seen[doc.doc_id]})"
                        )
                        report.errors.append(msg)
                        say(f"error: {msg}")
                        continue
                    seen[doc.doc_id] = doc.path
                    report.documents += 1
                    digest = document_hash(doc, self.embedder.model_id)
                    if committed.get(doc.doc_id) == digest:
                        report.unchanged += 1
                        continue
                    count, pending = self._cut(doc, digest, stages, pending)
                    # Staged for the commit at the end of the run, with the count now known.
                    upserts.append(
                        DocumentInfo(
                            **doc.model_dump(include=set(_KEPT_OF_SOURCE)),
                            content_hash=digest,
                            chunk_count=count,
                        )
                    )
                    report.added_or_changed += 1
            stages.put(pending)
            stages.close()  # waits for every batch to be embedded and written

        kept_paths = failed_paths  # a file that fails to load keeps its last good version
        removals = [
            doc.doc_id
            for doc in self.catalogue.documents()
            if doc.doc_id not in seen and doc.path not in kept_paths
        ]
        report.removed = len(removals)
        if upserts or removals:
            garbage = self.catalogue.commit(upserts, removals)
            self._delete(garbage, report)
        report.index_version = self.catalogue.index_version()
        report.seconds = time.perf_counter() - started
        return report

    def _cut(
        self, doc: SourceDoc, digest: str, stages: _Stages, pending: list[_Item]
    ) -> tuple[int, list[_Item]]:
        """Cut ``doc`` into chunks after ``pending``; returns its chunk count and the chunks not
        handed on yet. Chunks go to the embedding stage in batches as they are cut, not once the
        whole document is cut: a large document never sits in memory as chunks."""
        stages.begin_document(doc.doc_id, doc.path)
        count = 0
        for chunk in iter_chunks(
            doc, digest, self.settings.chunk_max_tokens, self.embedder.count_tokens
        ):
            text = index_text(doc.title, chunk.heading_path, chunk.text)
            pending.append((chunk, text, doc.source_kind))
            count += 1
            if len(pending) >= self.settings.ingest_batch_chunks:
                stages.put(pending)
                pending = []
        stages.end_document(doc.doc_id, count)
        return count, pending

    def _embed(self, batch: list[_Item], report: IngestReport) -> tuple[list[_Item], Vectors]:
        """Vectors for the chunks not stored yet (a killed run's vectors are reused)."""
        already = self.store.existing([c.chunk_id for c, _, _ in batch])
        todo = [item for item in batch if item[0].chunk_id not in already]
        report.chunks_reused += len(batch) - len(todo)
        return todo, self.embedder.embed([text for _, text, _ in todo])

    def _write(
        self, batch: list[_Item], todo: list[_Item], vectors: Vectors, report: IngestReport
    ) -> None:
        """Write vectors, then stage the chunk rows (invisible until the commit)."""
        if todo:
            self.store.upsert(
                [c.chunk_id for c, _, _ in todo],
                vectors,
                [
                    {
                        "doc_id": c.doc_id,
                        "doc_hash": c.doc_hash,
                        "ordinal": c.ordinal,
                        "source_kind": kind,
                    }
                    for c, _, kind in todo
                ],
                [c.text for c, _, _ in todo],
            )
            report.chunks_embedded += len(todo)
        self.catalogue.stage_chunks(c for c, _, _ in batch)

    def _collect_garbage(self, report: IngestReport) -> None:
        leftover = self.catalogue.garbage()
        if leftover:
            self._delete(leftover, report)

    def _delete(self, chunk_ids: list[str], report: IngestReport) -> None:
        if chunk_ids:
            self.store.delete(chunk_ids)
            self.catalogue.forget_garbage(chunk_ids)
            report.chunks_deleted += len(chunk_ids)


@dataclass
class _DocProgress:
    path: str
    written: int = 0
    total: int | None = None  # known once all the document's chunks are cut


class _Stages:
    """Embedding and writing run in their own threads, so that reading and chunking the next
    documents, encoding this batch and writing the previous one overlap. Queues are bounded:
    memory stays flat however large the corpus (or one document). A failure in any stage stops
    all of them and is raised in the reading thread; nothing is committed then.

    Each stage blocks on its queue and ends when it takes the end marker, which the reading
    thread sends once (at the end, or when a stage has failed). A stage that has failed keeps
    taking (and dropping) what it is sent until then, so no ``put`` upstream waits forever;
    batches embedded before a failure are still written, so the next run reuses their vectors.

    Progress: after each batch is written, the chunks embedded so far; for a document larger
    than one batch, also that document's chunks written so far, and a line when it is done."""

    def __init__(self, indexer: Indexer, report: IngestReport, say: Progress) -> None:
        self.indexer = indexer
        self.report = report
        self.say = say
        self.errors: list[BaseException] = []
        self._large_after = indexer.settings.ingest_batch_chunks
        self._docs: dict[str, _DocProgress] = {}  # documents whose chunks are in flight
        self._docs_lock = threading.Lock()
        self._to_embed: queue.Queue[object] = queue.Queue(maxsize=2)
        self._to_write: queue.Queue[object] = queue.Queue(maxsize=2)
        self._ended = False
        self._threads = [
            threading.Thread(target=self._embed_loop, name="ingest-embed", daemon=True),
            threading.Thread(target=self._write_loop, name="ingest-write", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def begin_document(self, doc_id: str, path: str) -> None:
        with self._docs_lock:
            self._docs[doc_id] = _DocProgress(path)

    def end_document(self, doc_id: str, total: int) -> None:
        """All of the document's chunks are cut: ``total`` of them."""
        with self._docs_lock:
            doc = self._docs.get(doc_id)
            if doc is None:
                return
            doc.total = total
            done = self._finish_if_done(doc_id, doc)
        if done:
            self.say(done)

    def _finish_if_done(self, doc_id: str, doc: _DocProgress) -> str | None:
        """Forget a document whose chunks are all written; for a large one, say so."""
        if doc.total is None or doc.written < doc.total:
            return None
        del self._docs[doc_id]
        if doc.total <= self._large_after:
            return ""
        return f"{doc.path}: all {doc.total} chunks embedded"

    def _document_progress(self, batch: list[_Item]) -> list[str]:
        """For each document larger than a batch in ``batch``: chunks written so far."""
        notes = []
        with self._docs_lock:
            for doc_id, n in Counter(c.doc_id for c, _, _ in batch).items():
                doc = self._docs.get(doc_id)
                if doc is None:
                    continue
                doc.written += n
                done = self._finish_if_done(doc_id, doc)
                if done is not None:
                    if done:
                        notes.append(done)
                elif doc.written >= self._large_after:
                    notes.append(f"{doc.path}: {doc.written} chunks so far")
        return notes

    def put(self, batch: list[_Item]) -> None:
        if batch:
            self.raise_if_failed()
            self._to_embed.put(batch)  # a failed stage still takes it: this never hangs
        self.raise_if_failed()

    def raise_if_failed(self) -> None:
        if self.errors:
            self._end()
            raise self.errors[0]

    def close(self) -> None:
        """Wait for every batch to be embedded and written; raise a stage's failure."""
        self._end()
        self.raise_if_failed()

    def __enter__(self) -> _Stages:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:  # the reading thread failed: nothing more will come
            self._end()

    def _end(self) -> None:
        if not self._ended:
            self._ended = True
            self._to_embed.put(_DONE)
        for thread in self._threads:
            thread.join()

    def _embed_loop(self) -> None:
        while (batch := self._to_embed.get()) is not _DONE:
            if self.errors:
                continue  # a stage failed: take what comes until the end marker
            try:
                todo, vectors = self.indexer._embed(cast(list[_Item], batch), self.report)
            except BaseException as exc:
                self.errors.append(exc)
                continue
            self._to_write.put((batch, todo, vectors))
        self._to_write.put(_DONE)

    def _write_loop(self) -> None:
        failed = False
        while (item := self._to_write.get()) is not _DONE:
            if failed:
                continue
            try:
                batch, todo, vectors = cast(tuple[list[_Item], list[_Item], Vectors], item)
                self.indexer._write(batch, todo, vectors, self.report)
                notes = self._document_progress(batch)
                self.say(
                    f"embedded {self.report.chunks_embedded} chunks "
                    f"({self.report.chunks_reused} reused)" + "".join(f"; {n}" for n in notes)
                )
            except BaseException as exc:
                self.errors.append(exc)
                failed = True
