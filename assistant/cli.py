"""Command line: ``assistant ingest | ask | search | chat | serve | hash-key | eval | bench``."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal, TextIO

import typer

from assistant.bench import bench
from assistant.commands.base import (
    EXIT_INPUT,
    CommandGroup,
    DataDir,
    KnowledgeDir,
    State,
    folders,
    say,
    state,
)
from assistant.errors import InvalidQuestionError
from assistant.evals.command import eval_app
from assistant.jsonl import json_lines
from assistant.runtime import make_assistant, offline_env
from assistant.validation import fit_history

app = typer.Typer(
    name="assistant",
    cls=CommandGroup,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def shared_folders(
    ctx: typer.Context, knowledge_dir: KnowledgeDir = None, data_dir: DataDir = None
) -> None:
    """Offline retrieval assistant on migraine surgery: index, ask, serve, evaluate.

    --knowledge-dir and --data-dir go before the command (any command) or after it.
    """
    shared = state(ctx)
    shared.knowledge_dir = knowledge_dir or shared.knowledge_dir
    shared.data_dir = data_dir or shared.data_dir


@contextmanager
def ready(ctx: typer.Context, knowledge_dir: str | None, data_dir: str | None) -> Iterator[Any]:
    """An Assistant whose index exists (built now when missing, with progress on stderr)."""
    assistant = make_assistant(*folders(ctx, knowledge_dir, data_dir))
    try:
        report = assistant.ensure_index(say)
        if report is not None:
            say(f"index built: {report.summary()}")
            for error in report.errors:
                say(f"warning: {error}")
        yield assistant
    finally:
        assistant.close()


def _read_jsonl(path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        handle: TextIO = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise InvalidQuestionError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    with handle:
        for lineno, record in json_lines(handle):
            if isinstance(record, json.JSONDecodeError):
                problem = f"{path}:{lineno}: not valid JSON ({record.msg})"
                raise InvalidQuestionError(problem) from record
            if not isinstance(record, dict):
                raise InvalidQuestionError(f"{path}:{lineno}: each line must be a JSON object")
            yield lineno, record


def _one_input(text: str | None, jsonl: str | None, what: str) -> None:
    """A one-off command reads its text, or the lines of --jsonl FILE: one must be given."""
    if not jsonl and not text:
        raise InvalidQuestionError(f"Give {what}, or --jsonl FILE.")


def _load_history(path: str | None) -> list[dict[str, Any]]:
    if not path:
        return []
    try:
        history = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidQuestionError(f"{path}: cannot read the history ({exc})") from exc
    if not isinstance(history, list):
        raise InvalidQuestionError(f"{path}: the history must be a JSON list of {{role, content}}")
    return history


STATUS_BANNERS = {
    "emergency": "*** EMERGENCY: get medical help now ***",
    "urgent": "*** URGENT: see a doctor today ***",
}


def format_answer(answer: Any) -> str:
    """Plain-text rendering of an Answer for the terminal; an emergency or urgent answer
    starts with its level, before anything else."""
    banner = STATUS_BANNERS.get(answer.status)
    lines = [banner] if banner else []
    if answer.summary and answer.status not in ("emergency", "urgent"):
        lines += [answer.summary, ""]  # the plain-language lead first
    lines.append(answer.answer)
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            where = f" {c.url}" if c.url else ""
            lines.append(
                f"  [{c.n}] {c.title} ({c.source_kind}, {c.publisher or 'unknown'}){where}"
            )
    if answer.caveat:
        lines.append("")
        lines.append(answer.caveat)
    return "\n".join(lines)


LogLevel = Literal["critical", "error", "warning", "info", "debug"]
JsonFlag = Annotated[bool, typer.Option("--json", help="print JSON")]
# The question or query of a one-off command (none with --jsonl).
TextArgument = Annotated[str | None, typer.Argument(show_default=False)]
JsonlFile = Annotated[
    str | None,
    typer.Option("--jsonl", metavar="FILE", help="JSONL file ('-' for stdin), one input a line"),
]
# Where ``serve`` listens; not given: the settings' (ASSISTANT_HOST, ASSISTANT_PORT).
HostOption = Annotated[
    str | None, typer.Option(help="address to listen on (ASSISTANT_HOST; default 127.0.0.1)")
]
PortOption = Annotated[
    int | None, typer.Option(help="port to listen on (ASSISTANT_PORT; default 7860)")
]


@app.command("ingest")
def ingest(
    ctx: typer.Context,
    knowledge_dir: KnowledgeDir = None,
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> int:
    """Index the knowledge folder (incremental)."""
    assistant = make_assistant(*folders(ctx, knowledge_dir, data_dir))
    try:
        report = assistant.ingest(say)
    finally:
        assistant.close()
    print(json.dumps(report.__dict__) if as_json else report.summary())
    if report.errors:
        # Repeated at the end, where an operator looks: every other file was indexed, these
        # were not (one indexed before keeps its last good version), and the exit status is 1.
        for error in report.errors:
            say(f"error: {error}")
        say(
            f"ingest finished with {len(report.errors)} file(s) not indexed (named above); "
            "all other files are indexed"
        )
    return 1 if report.errors else 0


@app.command("ask")
def ask(
    ctx: typer.Context,
    question: TextArgument = None,
    jsonl: JsonlFile = None,
    as_json: JsonFlag = False,
    history: Annotated[
        str | None,
        typer.Option(metavar="FILE", help="JSON file: list of {role, content} earlier turns"),
    ] = None,
    knowledge_dir: KnowledgeDir = None,
    data_dir: DataDir = None,
) -> int:
    """Answer a question (or each {question, history} line of --jsonl FILE)."""
    _one_input(question, jsonl, "a question")
    turns = _load_history(history) if not jsonl else []
    with ready(ctx, knowledge_dir, data_dir) as assistant:
        if not jsonl:
            answer = assistant.ask(question, turns)
            print(answer.model_dump_json(indent=2) if as_json else format_answer(answer))
            return 0
        failures = 0
        for lineno, record in _read_jsonl(jsonl):
            try:
                answer = assistant.ask(record.get("question", ""), record.get("history") or [])
                print(answer.model_dump_json(), flush=True)
            except InvalidQuestionError as exc:
                failures += 1
                print(json.dumps({"line": lineno, "error": str(exc)}), flush=True)
        return 1 if failures else 0


def _search_jsonl(assistant: Any, path: str, k: int | None, kinds: list[str] | None) -> None:
    for lineno, record in _read_jsonl(path):
        query = record.get("question") or record.get("query") or ""
        try:
            passages = assistant.search(query, k, kinds)
            results = [
                {"doc_id": p.doc.doc_id, "chunk_id": p.chunk.chunk_id, "score": round(p.score, 6)}
                for p in passages
            ]
            print(json.dumps({"id": record.get("id", lineno), "results": results}), flush=True)
        except InvalidQuestionError as exc:
            print(json.dumps({"id": record.get("id", lineno), "error": str(exc)}), flush=True)


@app.command("search")
def search(
    ctx: typer.Context,
    query: TextArgument = None,
    jsonl: JsonlFile = None,
    k: Annotated[int | None, typer.Option("--k", help="number of passages")] = None,
    source_kind: Annotated[
        list[str] | None, typer.Option(help="only this source kind (repeatable)")
    ] = None,
    as_json: JsonFlag = False,
    knowledge_dir: KnowledgeDir = None,
    data_dir: DataDir = None,
) -> int:
    """Show the passages retrieved for a query (or for each {id, question} line of --jsonl)."""
    _one_input(query, jsonl, "a query")
    kinds = list(source_kind) if source_kind else None
    with ready(ctx, knowledge_dir, data_dir) as assistant:
        if jsonl:
            _search_jsonl(assistant, jsonl, k, kinds)
            return 0
        passages = assistant.search(query, k, kinds)
    if as_json:
        print(json.dumps([p.model_dump(mode="json") for p in passages], indent=2))
    else:
        for p in passages:
            head = " > ".join(p.chunk.heading_path)
            print(f"{p.rank}. {p.score:.4f} {p.doc.title} [{p.doc.source_kind}] {head}")
            print("   " + " ".join(p.chunk.text.split())[:200])
    return 0


@app.command("chat")
def chat(ctx: typer.Context, knowledge_dir: KnowledgeDir = None, data_dir: DataDir = None) -> int:
    """A conversation in the terminal."""
    with ready(ctx, knowledge_dir, data_dir) as assistant:
        assistant.warm_up()
        history: list[dict[str, str]] = []
        print("Ask about migraine surgery. An empty line or Ctrl-D ends the chat.")
        while True:
            try:
                question = input("\nyou> ")
            except EOFError:
                break
            if not question.strip():
                break
            try:
                answer = assistant.ask(question, history)
            except InvalidQuestionError as exc:
                print(f"error: {exc}")
                continue
            print("\n" + format_answer(answer))
            history += [
                {"role": "user", "content": question},
                {"role": "assistant", "content": answer.answer},
            ]
            settings = assistant.settings
            history = fit_history(history, settings.max_history_turns, settings.max_history_chars)
    return 0


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: HostOption = None,
    port: PortOption = None,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    knowledge_dir: KnowledgeDir = None,
    data_dir: DataDir = None,
    no_ingest: Annotated[
        bool, typer.Option("--no-ingest", help="do not build a missing index first")
    ] = False,
    log_level: Annotated[LogLevel, typer.Option(help="uvicorn's log level")] = "info",
) -> int:
    """Serve the patient UI at / and the staff API at /api/ (builds a missing index first)."""
    from assistant.server import serve as run_server

    knowledge, data = folders(ctx, knowledge_dir, data_dir)
    return run_server(
        host=host,
        port=port,
        workers=workers,
        knowledge_dir=knowledge,
        data_dir=data,
        ingest=not no_ingest,
        log_level=log_level,
    )


@app.command(
    "hash-key",
    help="Print the ASSISTANT_API_KEY_HASHES entry of an API key (or of a new one).\n\n"
    "Prints the SHA-256 digest line of KEY to put in ASSISTANT_API_KEY_HASHES, so that the "
    "server never holds the key itself. Without KEY, a new random key is generated and "
    "printed first. KEY '-' reads the key from the first line of stdin (keeps it out of the "
    "shell history).",
)
def hash_key_command(
    key: Annotated[
        str | None,
        typer.Argument(metavar="[KEY]", help="the key; omit to generate one", show_default=False),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(help="a name for the key, stored in the audit log with its use"),
    ] = None,
) -> int:
    from assistant.keys import NAME_RULE, hash_key, new_key, valid_key_name

    if key is None:
        key = new_key()
        print(f"API key: {key}")
        say("Give the key to its user; it is shown only now. Only the digest goes on the server.")
    elif key == "-":
        key = sys.stdin.readline().strip()
    else:
        key = key.strip()
    if not key:
        say("error: the key is empty")
        return EXIT_INPUT
    if name is not None and not valid_key_name(name):
        say(f"error: --name must be {NAME_RULE}")
        return EXIT_INPUT
    entry = f"{name}:{hash_key(key)}" if name else hash_key(key)
    # Several keys: their entries, joined with commas, make ASSISTANT_API_KEY_HASHES.
    print(f"ASSISTANT_API_KEY_HASHES={entry}")
    return 0


app.add_typer(
    eval_app,
    name="eval",
    help="Run the eval suite and write a report; also: retrieval, check, guardrails, patients.",
)
app.command("bench", help="Run the benchmarks and write bench/report.md.")(bench)


def run(argv: Sequence[str] | None = None, shared: State | None = None) -> int:
    """``assistant ARGV`` in this process (default: this process's arguments); ``shared``
    hands an Assistant or an embedder already loaded to the command. The exit status."""
    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    code = command.main(args, "assistant", standalone_mode=False, obj=shared or State())
    return int(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``assistant``: runs the command line and returns its exit status."""
    offline_env()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
