"""Command line: ``assistant ingest | ask | search | chat | serve | eval | bench | hash-key``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from assistant.errors import AssistantError, InvalidQuestionError
from assistant.runtime import make_assistant, offline_env
from assistant.validation import fit_history


def _make_assistant(args: argparse.Namespace) -> Any:
    return make_assistant(getattr(args, "knowledge_dir", None), getattr(args, "data_dir", None))


def _ready(args: argparse.Namespace) -> Any:
    assistant = _make_assistant(args)
    report = assistant.ensure_index(lambda msg: print(msg, file=sys.stderr))
    if report is not None:
        print(f"index built: {report.summary()}", file=sys.stderr)
        for error in report.errors:
            print(f"warning: {error}", file=sys.stderr)
    return assistant


def _read_jsonl(path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        handle: TextIO = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise InvalidQuestionError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    with handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidQuestionError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise InvalidQuestionError(f"{path}:{lineno}: each line must be a JSON object")
            yield lineno, record


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


def cmd_ingest(args: argparse.Namespace) -> int:
    assistant = _make_assistant(args)
    report = assistant.ingest(lambda msg: print(msg, file=sys.stderr, flush=True))
    print(json.dumps(report.__dict__) if args.json else report.summary())
    if report.errors:
        # Repeated at the end, where an operator looks: every other file was indexed, these
        # were not (one indexed before keeps its last good version), and the exit status is 1.
        for error in report.errors:
            print(f"error: {error}", file=sys.stderr)
        print(
            f"ingest finished with {len(report.errors)} file(s) not indexed (named above); "
            "all other files are indexed",
            file=sys.stderr,
        )
    return 1 if report.errors else 0


def cmd_ask(args: argparse.Namespace) -> int:
    assistant = _ready(args)
    if args.jsonl:
        failures = 0
        for lineno, record in _read_jsonl(args.jsonl):
            try:
                answer = assistant.ask(record.get("question", ""), record.get("history") or [])
                print(answer.model_dump_json(), flush=True)
            except InvalidQuestionError as exc:
                failures += 1
                print(json.dumps({"line": lineno, "error": str(exc)}), flush=True)
        return 1 if failures else 0
    if not args.question:
        raise InvalidQuestionError("Give a question, or --jsonl FILE.")
    answer = assistant.ask(args.question, _load_history(args.history))
    print(answer.model_dump_json(indent=2) if args.json else format_answer(answer))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    assistant = _ready(args)
    kinds = args.source_kind or None
    if args.jsonl:
        for lineno, record in _read_jsonl(args.jsonl):
            query = record.get("question") or record.get("query") or ""
            try:
                passages = assistant.search(query, args.k, kinds)
                results = [
                    {
                        "doc_id": p.doc.doc_id,
                        "chunk_id": p.chunk.chunk_id,
                        "score": round(p.score, 6),
                    }
                    for p in passages
                ]
                print(json.dumps({"id": record.get("id", lineno), "results": results}), flush=True)
            except InvalidQuestionError as exc:
                print(json.dumps({"id": record.get("id", lineno), "error": str(exc)}), flush=True)
        return 0
    if not args.query:
        raise InvalidQuestionError("Give a query, or --jsonl FILE.")
    passages = assistant.search(args.query, args.k, kinds)
    if args.json:
        print(json.dumps([p.model_dump(mode="json") for p in passages], indent=2))
    else:
        for p in passages:
            head = " > ".join(p.chunk.heading_path)
            print(f"{p.rank}. {p.score:.4f} {p.doc.title} [{p.doc.source_kind}] {head}")
            print("   " + " ".join(p.chunk.text.split())[:200])
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    assistant = _ready(args)
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


def cmd_hash_key(args: argparse.Namespace) -> int:
    """Print the ASSISTANT_API_KEY_HASHES entry of a key; with no key, of a new random one."""
    from assistant.keys import NAME_RULE, hash_key, new_key, valid_key_name

    if args.key is None:
        key = new_key()
        print(f"API key: {key}")
        print(
            "Give the key to its user; it is shown only now. Only the digest goes on the server.",
            file=sys.stderr,
        )
    elif args.key == "-":
        key = sys.stdin.readline().strip()
    else:
        key = args.key.strip()
    if not key:
        print("error: the key is empty", file=sys.stderr)
        return 2
    if args.name is not None and not valid_key_name(args.name):
        print(f"error: --name must be {NAME_RULE}", file=sys.stderr)
        return 2
    digest = hash_key(key)
    entry = f"{args.name}:{digest}" if args.name else digest
    # Several keys: their entries, joined with commas, make ASSISTANT_API_KEY_HASHES.
    print(f"ASSISTANT_API_KEY_HASHES={entry}")
    return 0


def _delegate(module: str, argv: Sequence[str]) -> int:
    import importlib

    return int(importlib.import_module(module).main(list(argv)))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--knowledge-dir", help="folder of documents (ASSISTANT_KNOWLEDGE_DIR)")
        p.add_argument("--data-dir", help="folder of the index (ASSISTANT_DATA_DIR)")

    p = sub.add_parser("ingest", help="index the knowledge folder (incremental)")
    common(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer a question")
    common(p)
    p.add_argument("question", nargs="?")
    p.add_argument("--json", action="store_true", help="print the Answer as JSON")
    p.add_argument("--history", help="JSON file: list of {role, content} earlier turns")
    p.add_argument("--jsonl", help="JSONL file ('-' for stdin) of {question, history}")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("search", help="show the passages retrieved for a query")
    common(p)
    p.add_argument("query", nargs="?")
    p.add_argument("--k", type=int, default=None, help="number of passages")
    p.add_argument("--json", action="store_true")
    p.add_argument("--jsonl", help="JSONL file ('-' for stdin) of {id, question}")
    p.add_argument("--source-kind", action="append", help="only this source kind (repeatable)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("chat", help="a conversation in the terminal")
    common(p)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser(
        "hash-key",
        help="print the ASSISTANT_API_KEY_HASHES entry of an API key (or of a new one)",
        description="Prints the SHA-256 digest line of KEY to put in ASSISTANT_API_KEY_HASHES, "
        "so that the server never holds the key itself. Without KEY, a new random key is "
        "generated and printed first. KEY '-' reads the key from the first line of stdin "
        "(keeps it out of the shell history).",
    )
    p.add_argument("key", nargs="?", metavar="KEY", help="the key; omit to generate one")
    p.add_argument("--name", help="a name for the key, stored in the audit log with its use")
    p.set_defaults(func=cmd_hash_key)

    sub.add_parser("serve", help="serve the patient UI and the staff API", add_help=False)
    sub.add_parser("eval", help="run the eval suite and write a report", add_help=False)
    sub.add_parser("bench", help="run the benchmarks and write bench/report.md", add_help=False)
    return parser


_DELEGATED = {
    "serve": "assistant.server",
    "eval": "assistant.evals.command",
    "bench": "assistant.bench",
}


def main(argv: Sequence[str] | None = None) -> int:
    offline_env()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in _DELEGATED:
        return _delegate(_DELEGATED[argv[0]], argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (AssistantError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
