"""Several processes serving from one index while another process ingests.

The rule these tests pin down (see README "Deploying at scale"):

- The SQLite catalogue decides what is visible, and every query reads its index version, so
  each reader process answers from the new version on its first question after an ingest
  commits, with the BM25 index of that version; removed documents vanish at once.
- With a Chroma **server**, every process sees the same vectors: any number of API workers
  (and nodes) can serve while a separate process ingests.
- With **embedded** Chroma, each process keeps its own in-memory HNSW index, loaded when it
  opens the collection: a reader process does not see vectors that another process added later
  (measured with chromadb 1.5.9). Its answers still come from the new catalogue version, but
  dense retrieval misses the new chunks until the process restarts. So embedded Chroma is for
  one serving process per data folder; restart it after an ingest run elsewhere.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.embedding import SentenceTransformerEmbedder
from assistant.service import Assistant
from assistant.settings import Settings
from tests.helpers import ChromaServer, child_env

pytestmark = pytest.mark.slow

NEW_DOC_ID = "zephyr-nerve-release"
NEW_DOC = """---
id: zephyr-nerve-release
title: "The Zephyr nerve release"
publisher: "Test clinic"
source_kind: clinic-marketing
---
The Zephyr nerve release is an outpatient procedure that frees the lesser occipital nerve
through a two-centimetre incision behind the ear.

The Zephyr nerve release takes about forty minutes under local anaesthesia.
"""
NEW_QUESTION = "How long does the Zephyr nerve release take?"
DENSE_QUERY = "Zephyr nerve release: outpatient procedure freeing the lesser occipital nerve"
OTHER_QUESTION = "How long does the M.I.G.O.N.E. procedure take?"
START_TIMEOUT_S = 180.0
ANSWER_TIMEOUT_S = 120.0

READER = r"""
import json, sys, traceback
from assistant.service import Assistant

assistant = Assistant()
assistant.warm_up()
print(json.dumps({"ready": True, "index_version": assistant.index_version()}), flush=True)
for line in sys.stdin:
    cmd = json.loads(line)
    try:
        if cmd["op"] == "ask":
            answer = assistant.ask(cmd["q"])
            out = {
                "index_version": answer.index_version,
                "status": answer.status,
                "docs": [c.doc_id for c in answer.citations],
            }
        else:
            passages = assistant.search(cmd["q"], 5, mode=cmd["mode"])
            out = {"docs": [p.doc.doc_id for p in passages]}
    except Exception as exc:
        out = {"error": repr(exc), "trace": traceback.format_exc()}
    print(json.dumps(out), flush=True)
"""


class Reader:
    """A worker-like process holding one Assistant, driven line by line over its pipes."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self._log = open(log, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-c", READER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
        )
        self.log = log
        self.ready = self._read(START_TIMEOUT_S)

    def _read(self, timeout_s: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout_s)
        if not ready:
            log = self.log.read_text()[-2000:]
            raise TimeoutError(f"no reply within {timeout_s} s; log: {log}")
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"reader exited; log: {self.log.read_text()[-3000:]}")
        return json.loads(line)

    def send(self, **cmd: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(cmd) + "\n").encode())
        self.proc.stdin.flush()
        reply = self._read(ANSWER_TIMEOUT_S)
        assert "error" not in reply, reply.get("trace")
        return reply

    def ask(self, question: str) -> dict[str, Any]:
        return self.send(op="ask", q=question)

    def dense(self, query: str) -> list[str]:
        return list(self.send(op="search", q=query, mode="dense")["docs"])

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._log.close()


@pytest.fixture
def readers() -> Iterator[list[Reader]]:
    started: list[Reader] = []
    yield started
    for reader in started:
        reader.close()


def _ingest_while_reading(env: dict[str, str], readers: list[Reader], log: Path) -> set[str]:
    """Run ``assistant ingest`` in its own process while the readers keep answering.

    Returns the index versions the readers reported meanwhile. Bounded: at most 300 questions
    and ANSWER_TIMEOUT_S after the ingest process ends.
    """
    seen: set[str] = set()
    with open(log, "wb") as out:
        ingest = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "ingest"], stdout=out, stderr=out, env=env
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        asked = 0
        while ingest.poll() is None and asked < 300 and time.monotonic() < deadline:
            reply = readers[asked % len(readers)].ask(OTHER_QUESTION)
            assert reply["status"] == "answered"
            seen.add(reply["index_version"])
            asked += 1
        assert ingest.wait(timeout=START_TIMEOUT_S) == 0, log.read_text()[-3000:]
    return seen


def _build(settings: Settings, embedder: SentenceTransformerEmbedder) -> int:
    assistant = Assistant(settings, embedder=embedder)
    try:
        report = assistant.ingest()
        assert not report.errors
        return report.index_version
    finally:
        assistant.close()


@pytest.mark.server
def test_workers__server_store__readers_answer_from_the_new_version_after_an_ingest(
    embedder: SentenceTransformerEmbedder,
    knowledge_copy: Path,
    tmp_path: Path,
    readers: list[Reader],
) -> None:
    server = ChromaServer(tmp_path / "chroma", tmp_path / "chroma.log").start()
    try:
        settings = Settings(
            knowledge_dir=knowledge_copy,
            data_dir=tmp_path / "data",
            chroma_host="127.0.0.1",
            chroma_port=server.port,
        )
        v1 = _build(settings, embedder)
        env = child_env(
            ASSISTANT_KNOWLEDGE_DIR=str(knowledge_copy),
            ASSISTANT_DATA_DIR=str(tmp_path / "data"),
            CHROMA_HOST="127.0.0.1",
            CHROMA_PORT=str(server.port),
        )
        for n in range(2):
            readers.append(Reader(env, tmp_path / f"reader{n}.log"))
        for reader in readers:
            assert reader.ready["index_version"] == v1
            before = reader.ask(NEW_QUESTION)
            assert before["index_version"] == str(v1)
            assert NEW_DOC_ID not in before["docs"]

        (knowledge_copy / "zephyr.md").write_text(NEW_DOC, encoding="utf-8")
        seen = _ingest_while_reading(env, readers, tmp_path / "ingest.log")
        v2 = v1 + 1
        assert seen <= {str(v1), str(v2)}
        for reader in readers:  # the next answer of every reader comes from the new version
            after = reader.ask(NEW_QUESTION)
            assert after["index_version"] == str(v2)
            assert NEW_DOC_ID in after["docs"]
            assert NEW_DOC_ID in reader.dense(DENSE_QUERY)  # the new vectors, not only BM25

        (knowledge_copy / "zephyr.md").unlink()
        seen = _ingest_while_reading(env, readers, tmp_path / "ingest2.log")
        assert seen <= {str(v2), str(v2 + 1)}
        for reader in readers:  # a removed document is gone from every reader at once
            gone = reader.ask(NEW_QUESTION)
            assert gone["index_version"] == str(v2 + 1)
            assert NEW_DOC_ID not in gone["docs"]
            assert NEW_DOC_ID not in reader.dense(DENSE_QUERY)
    finally:
        for reader in readers:
            reader.close()
        readers.clear()
        server.stop()


def test_workers__embedded_store__open_reader_misses_new_vectors_until_restarted(
    embedder: SentenceTransformerEmbedder,
    knowledge_copy: Path,
    tmp_path: Path,
    readers: list[Reader],
) -> None:
    settings = Settings(knowledge_dir=knowledge_copy, data_dir=tmp_path / "data")
    v1 = _build(settings, embedder)
    env = child_env(
        ASSISTANT_KNOWLEDGE_DIR=str(knowledge_copy), ASSISTANT_DATA_DIR=str(tmp_path / "data")
    )
    readers.append(Reader(env, tmp_path / "reader.log"))
    (knowledge_copy / "zephyr.md").write_text(NEW_DOC, encoding="utf-8")
    seen = _ingest_while_reading(env, readers, tmp_path / "ingest.log")
    assert seen <= {str(v1), str(v1 + 1)}

    stale = readers[0]
    after = stale.ask(NEW_QUESTION)
    # The catalogue and BM25 are per query, so the version and the lexical side are new ...
    assert after["index_version"] == str(v1 + 1)
    assert NEW_DOC_ID in after["docs"]
    # ... but this process's HNSW index predates the ingest: the rule is one process per
    # embedded data folder, restarted after an ingest made elsewhere.
    assert NEW_DOC_ID not in stale.dense(DENSE_QUERY)

    fresh = Reader(env, tmp_path / "fresh.log")
    readers.append(fresh)
    assert NEW_DOC_ID in fresh.dense(DENSE_QUERY)
