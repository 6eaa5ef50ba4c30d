"""The command line: every command through Typer's CliRunner (options, help, bad input) and as
a real subprocess against a real index (batch modes, chat, errors without a traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from assistant.cli import app
from tests.conftest import KNOWLEDGE, ROOT

slow = pytest.mark.slow

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


@slow
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


@slow
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


@slow
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


@slow
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
    assert out[3]["status"] == "declined" and out[3]["citations"] == []  # outside health


@slow
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


@slow
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


@slow
def test_cli_chat__answers_a_question_from_stdin(index: dict[str, Any]) -> None:
    result = run_cli("chat", *dirs(index), stdin=MIGONE_QUESTION + "\n\n")
    assert result.returncode == 0, result.stderr
    _no_traceback(result)
    assert "two to three hours" in result.stdout
    assert "Sources:" in result.stdout
    assert "[1]" in result.stdout


@slow
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


@slow
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


@slow
def test_cli__folders_given_before_the_command_are_used(index: dict[str, Any]) -> None:
    result = run_cli(*dirs(index), "search", "fat tranfer", "--k", "2", "--json")
    assert result.returncode == 0, result.stderr
    _no_traceback(result)
    assert "index built" not in result.stderr  # the module's index, not a new one
    passages = json.loads(result.stdout)
    assert [p["doc"]["doc_id"] for p in passages][:1] == ["fat-transfer-blog"]


# ---- every command through CliRunner: help, options, bad input ------------------------------
runner = CliRunner()


def invoke(*args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=stdin, env={"ASSISTANT_EVAL_API_KEY": ""})


def _one_error_line(result: Result) -> str:
    """The error a bad command line gets: one ``error:`` line on stderr, no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


COMMANDS = {
    "ingest": "--json",
    "ask": "--jsonl",
    "search": "--source-kind",
    "chat": "--data-dir",
    "serve": "--no-ingest",
    "hash-key": "--name",
    "eval": "--baselines",
    "eval retrieval": "--corpus",
    "eval check": "--efficacy-set",
    "eval guardrails": "--show-failures",
    "eval patients": "--rescore",
    "bench": "--report-only",
}


def test_help__lists_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("ingest", "ask", "search", "chat", "serve", "hash-key", "eval", "bench"):
        assert f" {command} " in result.stdout


@pytest.mark.parametrize(("command", "option"), COMMANDS.items(), ids=list(COMMANDS))
def test_help__each_command_shows_its_options(command: str, option: str) -> None:
    result = invoke(*command.split(), "--help")
    assert result.exit_code == 0, result.output
    assert f"Usage: assistant {command} " in result.stdout
    assert option in result.stdout


@pytest.mark.parametrize("command", list(COMMANDS))
def test_bad_input__an_unknown_option_is_one_error_line_and_exit_2(command: str) -> None:
    result = invoke(*command.split(), "--no-such-option")
    assert result.exit_code == 2
    line = _one_error_line(result)
    assert "No such option: --no-such-option" in line
    assert f"'assistant {command} --help'" in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["launch"], "No such command 'launch'", id="unknown-command"),
        pytest.param([], "Missing command", id="no-command"),
        pytest.param(["search", "fat", "--k", "three"], "'--k'", id="k-not-a-number"),
        pytest.param(["serve", "--log-level", "loud"], "'loud' is not one of", id="log-level"),
        pytest.param(["eval", "--limit", "-1"], "must be 0 or more, got -1", id="limit"),
        pytest.param(
            ["eval", "--generator", "openai", "--llm-timeout-s", "0"],
            "must be more than 0 seconds",
            id="llm-timeout",
        ),
        pytest.param(["eval", "--generator", "gpt"], "'gpt' is not one of", id="generator"),
        pytest.param(["eval", "guardrails"], "Missing option '--split'", id="guardrails-split"),
        pytest.param(["eval", "patients", "--split", "train"], "'train'", id="patients-split"),
        pytest.param(["eval", "retrieval", "--corpus", "c.jsonl"], "'--questions'", id="corpus"),
        pytest.param(["bench", "--sizes", "1k,10k"], "whole numbers, got 1k,10k", id="sizes"),
    ],
)
def test_bad_input__a_bad_value_names_the_option_and_exits_2(
    args: list[str], expected: str
) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert expected in _one_error_line(result)


def test_bad_input__ask_and_search_need_a_question_before_any_index_is_built(
    tmp_path: Path,
) -> None:
    folders = ["--knowledge-dir", str(tmp_path / "kb"), "--data-dir", str(tmp_path / "data")]
    for command, message in (("ask", "Give a question"), ("search", "Give a query")):
        result = invoke(command, *folders)
        assert result.exit_code == 2
        assert message in _one_error_line(result)
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["eval", "check", "--cases", "MISSING"], id="eval-cases"),
        pytest.param(["eval", "check", "--thresholds", "MISSING"], id="eval-thresholds"),
        pytest.param(
            ["eval", "retrieval", "--corpus", "MISSING", "--questions", "MISSING", "--out", "OUT"],
            id="eval-corpus",
        ),
        pytest.param(
            ["eval", "--compare", "MISSING", "--against", "http://127.0.0.1:9", "--out", "OUT"],
            id="eval-compare",
        ),
    ],
)
def test_bad_input__a_missing_file_is_named_with_exit_2(tmp_path: Path, args: list[str]) -> None:
    paths = {"MISSING": str(tmp_path / "does-not-exist.yaml"), "OUT": str(tmp_path / "out")}
    result = invoke(*[paths.get(a, a) for a in args])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: ")
    assert "does-not-exist.yaml" in result.stderr
    assert not (tmp_path / "out").exists()


def test_eval_check__accepts_the_project_files() -> None:
    result = invoke("eval", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: ") and " cases, " in result.stdout


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param(["--baselines"], "--baselines needs the in-process mode", id="baselines"),
        pytest.param(["--llm-model", "m"], "--llm-model need the in-process mode", id="llm"),
        pytest.param([], "--against needs --api-key KEY", id="no-key"),
    ],
)
def test_eval_against__options_of_the_in_process_mode_are_refused(
    tmp_path: Path, extra: list[str], expected: str
) -> None:
    out = tmp_path / "run"
    result = invoke(
        "eval", "--against", "http://127.0.0.1:9", "--limit", "1", "--out", str(out), *extra
    )
    assert result.exit_code == 2
    assert expected in result.stderr
    assert not out.exists()


def test_eval_guardrails__show_failures_is_refused_on_the_test_split() -> None:
    result = invoke("eval", "guardrails", "--split", "test", "--show-failures")
    assert result.exit_code == 2
    assert "--show-failures is for the dev split only" in _one_error_line(result)


def test_bench__an_unknown_part_exits_2_before_measuring(tmp_path: Path) -> None:
    result = invoke("bench", "--parts", "latency,nope", "--out", str(tmp_path / "b"))
    assert result.exit_code == 2
    assert "unknown part(s) nope" in _one_error_line(result)
    assert not (tmp_path / "b" / "runs").exists()


def test_serve__a_worker_count_below_one_exits_2_before_loading_anything() -> None:
    result = invoke("serve", "--workers", "0")
    assert result.exit_code == 2
    assert _one_error_line(result) == "error: --workers must be at least 1"


def test_hash_key__given_named_from_stdin_and_generated() -> None:
    given = invoke("hash-key", "--name", "desk", "k-123")
    assert given.exit_code == 0
    (line,) = given.stdout.splitlines()
    name, _, digest = line.removeprefix("ASSISTANT_API_KEY_HASHES=").partition(":")
    assert name == "desk" and len(digest) == 64
    from_stdin = invoke("hash-key", "-", stdin="k-123\n")
    assert from_stdin.stdout.strip() == f"ASSISTANT_API_KEY_HASHES={digest}"
    generated = invoke("hash-key")
    assert generated.exit_code == 0
    key_line, entry = generated.stdout.splitlines()
    assert key_line.startswith("API key: ") and entry.startswith("ASSISTANT_API_KEY_HASHES=")
    assert entry != f"ASSISTANT_API_KEY_HASHES={digest}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["  "], "error: the key is empty", id="empty"),
        pytest.param(["--name", "a b:c", "k-1"], "error: --name must be", id="name"),
    ],
)
def test_hash_key__a_bad_key_or_name_exits_2(args: list[str], message: str) -> None:
    result = invoke("hash-key", *args)
    assert result.exit_code == 2
    assert _one_error_line(result).startswith(message)


def test_ingest__folders_before_the_command_are_used(tmp_path: Path) -> None:
    knowledge, data = tmp_path / "kb", tmp_path / "data"
    knowledge.mkdir()
    (knowledge / "note.md").write_text("# Nerve decompression\n\nA short note.\n", "utf-8")
    result = invoke("--knowledge-dir", str(knowledge), "--data-dir", str(data), "ingest", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["documents"] == 1 and report["errors"] == []
    assert (data / "catalogue.sqlite3").exists()


# ---- the other ways in: python -m assistant, python app.py ----------------------------------
@pytest.mark.parametrize(
    "entry",
    [
        pytest.param([sys.executable, "-m", "assistant"], id="python-m-assistant"),
        pytest.param([sys.executable, "app.py"], id="app.py"),
    ],
)
def test_entry_points__reach_the_same_app(entry: list[str]) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*entry, *args], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120
        )

    if entry[-1] == "app.py":  # app.py is `assistant serve`
        result = run("--workers", "0")
        assert result.returncode == 2
        assert result.stderr.strip() == "error: --workers must be at least 1"
        assert run("--help").stdout.count("--no-ingest") == 1
        return
    result = run("hash-key", "--name", "desk", "k-123")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ASSISTANT_API_KEY_HASHES=desk:")
    result = run("ingest", "--no-such-option")
    assert result.returncode == 2
    assert result.stderr.startswith("error: No such option: --no-such-option")
    assert "Traceback" not in result.stderr
