"""The command line in batch modes, run as a real subprocess against a real index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import KNOWLEDGE, ROOT

pytestmark = pytest.mark.slow

MIGONE_QUESTION = "How long does the M.I.G.O.N.E. procedure take?"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        GRADIO_ANALYTICS_ENABLED="False",
        ANONYMIZED_TELEMETRY="False",
        TOKENIZERS_PARALLELISM="false",
    )
    for key in ("CHROMA_HOST", "CHROMA_PORT", "ASSISTANT_API_KEYS"):
        env.pop(key, None)
    return env


def run_cli(
    *args: str, stdin: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        cwd=ROOT,
        env=_env(),
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One index built by `assistant ingest` for the whole module; used read-only after."""
    data = tmp_path_factory.mktemp("cli-index")
    result = run_cli("ingest", "--knowledge-dir", str(KNOWLEDGE), "--data-dir", str(data), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return {"data": data, "report": report}


def dirs(index: dict[str, Any]) -> list[str]:
    return ["--knowledge-dir", str(KNOWLEDGE), "--data-dir", str(index["data"])]


def test_cli_ingest__second_run_reports_nothing_embedded(index: dict[str, Any]) -> None:
    first = index["report"]
    assert first["errors"] == []
    assert first["documents"] == 4 and first["chunks_embedded"] > 0

    again = run_cli("ingest", *dirs(index))
    assert again.returncode == 0, again.stderr
    _no_traceback(again)
    assert "0 chunks embedded" in again.stdout
    assert "4 unchanged" in again.stdout
    assert f"index version {first['index_version']};" in again.stdout


def test_cli_ask__json_prints_the_answer_json(index: dict[str, Any]) -> None:
    result = run_cli("ask", MIGONE_QUESTION, "--json", *dirs(index))
    assert result.returncode == 0, result.stderr
    _no_traceback(result)
    answer = json.loads(result.stdout)
    for key in (
        "question",
        "standalone_question",
        "status",
        "answer",
        "citations",
        "efficacy_question",
        "caveat",
        "timings_ms",
    ):
        assert key in answer
    assert answer["question"] == MIGONE_QUESTION
    assert answer["status"] == "answered"
    cited = [c for c in answer["citations"] if "two to three hours" in c["quote"]]
    assert cited and cited[0]["doc_id"] == "migone-procedure-clinic"
    assert f"[{cited[0]['n']}]" in answer["answer"]


def test_cli_ask__history_file_supplies_the_topic(index: dict[str, Any], tmp_path: Path) -> None:
    history = tmp_path / "history.json"
    history.write_text(
        json.dumps(
            [
                {"role": "user", "content": "What is the M.I.G.O.N.E. procedure?"},
                {"role": "assistant", "content": "It is an occipital nerve decompression."},
            ]
        ),
        encoding="utf-8",
    )
    result = run_cli(
        "ask", "How long does it take?", "--history", str(history), "--json", *dirs(index)
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["question"] == "How long does it take?"
    assert "M.I.G.O.N.E." in answer["standalone_question"]
    assert any("two to three hours" in c["quote"] for c in answer["citations"])


def test_cli_ask__jsonl_answers_every_line_and_reports_bad_ones(
    index: dict[str, Any], tmp_path: Path
) -> None:
    questions = tmp_path / "questions.jsonl"
    lines = [
        {"question": MIGONE_QUESTION},
        {"question": ""},
        {
            "question": "How long does it take?",
            "history": [{"role": "user", "content": "Tell me about fat transfer"}],
        },
        {"question": "What is a good banana bread recipe?"},
    ]
    questions.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    result = run_cli("ask", "--jsonl", str(questions), *dirs(index))
    _no_traceback(result)
    assert result.returncode in (0, 1), result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(out) == 4
    assert out[0]["status"] == "answered" and out[0]["question"] == MIGONE_QUESTION
    assert set(out[1]) == {"line", "error"} and out[1]["line"] == 2
    assert "empty" in out[1]["error"]
    assert "fat transfer" in out[2]["standalone_question"]
    assert any("one to two hours" in c["quote"] for c in out[2]["citations"])
    assert out[3]["status"] == "no_evidence" and out[3]["citations"] == []


def test_cli_search__json_prints_k_passages(index: dict[str, Any]) -> None:
    result = run_cli("search", "fat tranfer", "--k", "3", "--json", *dirs(index))
    assert result.returncode == 0, result.stderr
    passages = json.loads(result.stdout)
    assert len(passages) == 3
    assert [p["rank"] for p in passages] == [1, 2, 3]
    assert passages[0]["doc"]["doc_id"] == "fat-transfer-blog"
    for passage in passages:
        assert passage["chunk"]["text"]
        assert isinstance(passage["score"], float)


def test_cli_search__jsonl_prints_ids_and_ranked_results(
    index: dict[str, Any], tmp_path: Path
) -> None:
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "\n".join(
            json.dumps(x)
            for x in [
                {"id": "q-migone", "question": MIGONE_QUESTION},
                {"id": "q-fat", "query": "fat tranfer"},
                {"id": "q-empty", "question": ""},
                {"id": "q-ahs", "question": "Should trigger point surgery be done outside trials?"},
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = run_cli("search", "--jsonl", str(queries), "--k", "5", *dirs(index))
    assert result.returncode == 0, result.stderr
    _no_traceback(result)
    out = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [o["id"] for o in out] == ["q-migone", "q-fat", "q-empty", "q-ahs"]
    assert "error" in out[2] and "results" not in out[2]
    expected = {
        "q-migone": "migone-procedure-clinic",
        "q-fat": "fat-transfer-blog",
        "q-ahs": "migraine-surgery-wiki",
    }
    for line in (out[0], out[1], out[3]):
        results = line["results"]
        assert len(results) == 5
        for item in results:
            assert isinstance(item["doc_id"], str) and isinstance(item["score"], float)
        scores = [r["score"] for r in results]
        assert scores == sorted(scores, reverse=True)
        assert expected[line["id"]] in [r["doc_id"] for r in results]


def test_cli_chat__answers_a_question_from_stdin(index: dict[str, Any]) -> None:
    result = run_cli("chat", *dirs(index), stdin=MIGONE_QUESTION + "\n\n")
    assert result.returncode == 0, result.stderr
    _no_traceback(result)
    assert "two to three hours" in result.stdout
    assert "Sources:" in result.stdout
    assert "[1]" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        pytest.param([], id="no-command"),
        pytest.param(["ask", "--history"], id="history-without-file"),
        pytest.param(["search", "--k"], id="k-without-number"),
        pytest.param(["search", "fat", "--k", "three"], id="k-not-a-number"),
        pytest.param(["ask", "--jsonl"], id="jsonl-without-file"),
        pytest.param(["ask", "DIRS"], id="ask-without-question"),
        pytest.param(["search", "DIRS"], id="search-without-query"),
    ],
)
def test_cli__missing_argument_exits_2_with_an_error_message(
    index: dict[str, Any], args: list[str]
) -> None:
    argv = [a for arg in args for a in (dirs(index) if arg == "DIRS" else [arg])]
    result = run_cli(*argv, timeout=120)
    assert result.returncode == 2
    assert "error:" in result.stderr
    _no_traceback(result)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["ask", "How long?", "--history", "MISSING"], id="ask-history"),
        pytest.param(
            ["ask", "--jsonl", "MISSING"],
            id="ask-jsonl",
        ),
        pytest.param(
            ["search", "--jsonl", "MISSING"],
            id="search-jsonl",
        ),
    ],
)
def test_cli__missing_input_file_is_an_error_message_not_a_traceback(
    index: dict[str, Any], tmp_path: Path, args: list[str]
) -> None:
    missing = str(tmp_path / "does-not-exist.json")
    result = run_cli(*[missing if a == "MISSING" else a for a in args], *dirs(index), timeout=120)
    _no_traceback(result)
    assert result.returncode == 2
    assert "error:" in result.stderr
    assert "does-not-exist.json" in result.stderr
