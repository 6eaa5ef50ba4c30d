"""``assistant eval``: run the question sets, write a report, exit non-zero when a threshold fails.

    assistant eval [--cases FILE]... [--baselines] [--compare OLD/report.json] [--out DIR]
    assistant eval --generator openai --llm-base-url URL --llm-model NAME [--limit N]
                                                             # extractive and generative runs,
                                                             # side by side
    assistant eval --against https://host --api-key KEY      # a running deployment
    assistant eval retrieval --corpus corpus.jsonl --questions questions.jsonl [--baselines]
    assistant eval check                                     # only check the files
    assistant eval guardrails --split dev|test [--json]     # efficacy detection, caveat and
                                                             # triage on the outside sets
    assistant eval patients --split dev|test [--json] [--show-failures]
                                             # outside-written patient questions, per language

Exit status: 0 when every threshold holds, 1 when one fails (the lines above the exit say
which), 2 when the input cannot be used (a malformed case, an unreachable deployment).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.evals.compare import compare
from assistant.evals.report import summary_lines, write_report
from assistant.evals.report_model import EvalReport, IndexInfo, ReportError, load_report
from assistant.evals.runner import RunOptions, load_sets, load_thresholds, run_retrieval, run_suite
from assistant.evals.schema import (
    CorpusDoc,
    EvalDataError,
    RetrievalQuestion,
    display_path,
    load_jsonl_items,
)
from assistant.evals.targets import public_url
from assistant.runtime import make_assistant

PROJECT = Path(__file__).resolve().parent.parent.parent
API_KEY_ENV = "ASSISTANT_EVAL_API_KEY"
EXIT_OK, EXIT_THRESHOLD, EXIT_INPUT = 0, 1, 2


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _default(relative: str) -> Path:
    """A default data file: under the working folder, else in the project the code came from."""
    here = Path(relative)
    return here if here.exists() or not (PROJECT / relative).exists() else PROJECT / relative


def _default_out() -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path("eval-runs") / stamp
    n = 2
    while out.exists():
        out = Path("eval-runs") / f"{stamp}-{n}"
        n += 1
    return out


def _tags(values: Sequence[str] | None) -> frozenset[str] | None:
    tags = {t.strip() for v in values or [] for t in v.split(",") if t.strip()}
    return frozenset(tags) if tags else None


_SECRET_OPTIONS = ("--api-key", "--llm-api-key")
_URL_OPTIONS = ("--against", "--llm-base-url")


def _redacted(argv: Sequence[str]) -> list[str]:
    """The command line as the report records it: keys hidden, no password in a URL."""
    out: list[str] = []
    pending: str | None = None
    for arg in argv:
        if pending is not None:
            out.append("***" if pending in _SECRET_OPTIONS else str(public_url(arg)))
            pending = None
        elif arg in _SECRET_OPTIONS or arg in _URL_OPTIONS:
            out.append(arg)
            pending = arg
        elif arg.partition("=")[0] in _SECRET_OPTIONS:
            out.append(arg.partition("=")[0] + "=***")
        elif arg.partition("=")[0] in _URL_OPTIONS:
            name, _, url = arg.partition("=")
            out.append(f"{name}={public_url(url)}")
        else:
            out.append(arg)
    return out


def _seconds(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text}")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, help="folder for the report (default eval-runs/<time>/)")
    p.add_argument(
        "--thresholds", type=Path, help="thresholds file (default evals/thresholds.yaml)"
    )
    p.add_argument(
        "--compare",
        type=Path,
        metavar="OLD/report.json",
        help="add regressions and improvements against an earlier run",
    )
    p.add_argument(
        "--baselines",
        action="store_true",
        help="also score BM25-only, dense-only and a plain LangChain retriever",
    )
    p.add_argument(
        "--tags",
        action="append",
        metavar="TAG[,TAG]",
        help="only cases with one of these tags (repeatable)",
    )
    p.add_argument(
        "--limit",
        type=_count,
        metavar="N",
        help="only the first N cases of each set (in both runs of a side-by-side run)",
    )
    p.add_argument("--data-dir", help="folder of the index (ASSISTANT_DATA_DIR)")
    bar = p.add_mutually_exclusive_group()
    bar.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="always show the progress bar",
    )
    bar.add_argument(
        "--no-progress", dest="progress", action="store_false", help="never show the progress bar"
    )


def suite_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="assistant eval",
        description="Run the eval suite and write a report.",
        epilog="Other modes: 'assistant eval retrieval --help', 'assistant eval check --help'.",
    )
    p.add_argument(
        "--cases",
        action="append",
        type=Path,
        metavar="FILE",
        help="a case file (repeatable; default evals/cases.yaml)",
    )
    p.add_argument(
        "--efficacy-set",
        action="append",
        type=Path,
        metavar="FILE",
        help="an efficacy-detection file (repeatable; default evals/efficacy_detection.yaml)",
    )
    p.add_argument("--no-efficacy-set", action="store_true", help="skip the efficacy-detection set")
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="ask each case N times, for per-case latency percentiles",
    )
    p.add_argument("--against", metavar="URL", help="evaluate a running deployment over HTTP")
    p.add_argument("--api-key", help=f"API key for --against (or set {API_KEY_ENV})")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per HTTP request")
    p.add_argument("--knowledge-dir", help="folder of documents (ASSISTANT_KNOWLEDGE_DIR)")
    gen = p.add_argument_group(
        "generative answers",
        "With a generator other than none, the suite runs twice on the same index and cases, "
        "extractive and then generative, and the report shows both side by side; the "
        "thresholds must hold in both runs. Each option defaults to its ASSISTANT_* "
        "environment variable.",
    )
    gen.add_argument(
        "--generator",
        choices=("none", "openai", "ollama"),
        help="answer generator of the second run (ASSISTANT_GENERATOR; default none: one "
        "extractive run)",
    )
    gen.add_argument("--llm-base-url", metavar="URL", help="model server (ASSISTANT_LLM_BASE_URL)")
    gen.add_argument("--llm-model", metavar="NAME", help="model name (ASSISTANT_LLM_MODEL)")
    gen.add_argument(
        "--llm-api-key",
        metavar="KEY",
        help="key for the model server (better: ASSISTANT_LLM_API_KEY); never written to the "
        "report",
    )
    gen.add_argument(
        "--llm-timeout-s",
        type=_seconds,
        metavar="S",
        help="seconds to wait for the model before falling back (ASSISTANT_LLM_TIMEOUT_S)",
    )
    _common(p)
    return p


def retrieval_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="assistant eval retrieval",
        description="Index a JSONL corpus in its own folder and score retrieval for questions.",
    )
    p.add_argument(
        "--corpus",
        type=Path,
        required=True,
        help="JSONL, one document a line: {id, title, url, text}",
    )
    p.add_argument(
        "--questions",
        type=Path,
        required=True,
        help="JSONL, one question a line: {id, question, relevant: [doc ids]}",
    )
    _common(p)
    return p


def check_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="assistant eval check", description="Check the case files and thresholds; run nothing."
    )
    p.add_argument("--cases", action="append", type=Path, metavar="FILE")
    p.add_argument("--efficacy-set", action="append", type=Path, metavar="FILE")
    p.add_argument("--thresholds", type=Path)
    return p


def _print_problems(exc: EvalDataError) -> None:
    _say(f"error: {len(exc.problems)} problem(s) in the eval files:")
    for problem in exc.problems:
        _say(f"  {problem}")


def _finish(report: EvalReport, out: Path, old: tuple[Path, EvalReport] | None) -> int:
    if old is not None:
        report.comparison = compare(old[1], report, str(old[0]))
        if report.generative and old[1].generative:
            report.generative.comparison = compare(
                old[1].generative, report.generative, f"{old[0]} (generative run)"
            )
    paths = write_report(report, out)
    for line in summary_lines(report):
        print(line)
    comp = report.comparison
    if comp:
        print(
            f"  against {old[0] if old else ''}: {len(comp.regressions)} case(s) regressed, "
            f"{len(comp.improvements)} improved"
        )
    print(f"Report: {display_path(paths['html'])} (also report.md, report.json)")
    failed = report.summary.failed_thresholds
    if failed:
        print(f"FAILED thresholds: {', '.join(failed)}")
        return EXIT_THRESHOLD
    return EXIT_OK


def _inputs(args: argparse.Namespace) -> tuple[Any, tuple[Path, EvalReport] | None]:
    thresholds = load_thresholds(args.thresholds or _default("evals/thresholds.yaml"))
    old = (args.compare, load_report(args.compare)) if args.compare else None
    return thresholds, old


_LLM_OPTIONS = ("generator", "llm_base_url", "llm_model", "llm_api_key", "llm_timeout_s")


def _with_generator(args: argparse.Namespace, settings: Any) -> Any:
    """``settings`` with the generator options given on the command line."""
    update = {k: getattr(args, k) for k in _LLM_OPTIONS if getattr(args, k) is not None}
    return settings.model_copy(update=update) if update else settings


def _sibling(assistant: Any, settings: Any) -> Any:
    """An Assistant on the same index that shares the loaded model and the vector store."""
    from assistant.service import Assistant

    return Assistant(settings, embedder=assistant.embedder, store=assistant.store)


def _plan(assistant: Any, args: argparse.Namespace) -> tuple[Any, Any | None, list[Any]]:
    """The extractive Assistant, the generative one (None for a single extractive run) and
    the Assistants made here (to close). Both share one embedder and one vector store."""
    wanted = _with_generator(args, assistant.settings)
    made: list[Any] = []
    if assistant.settings.generator == "none":
        extractive = assistant
    else:
        plain = assistant.settings.model_copy(update={"generator": "none"})
        extractive = _sibling(assistant, plain)
        made.append(extractive)
    if wanted.generator == "none":
        return extractive, None, made
    if wanted == assistant.settings:
        return extractive, assistant, made
    generative = _sibling(assistant, wanted)
    made.append(generative)
    return extractive, generative, made


def _suite(argv: Sequence[str], assistant: Any = None, embedder: Any = None) -> int:
    args = suite_parser().parse_args(argv)
    case_files = args.cases or [_default("evals/cases.yaml")]
    efficacy_files = (
        []
        if args.no_efficacy_set
        else (args.efficacy_set or [_default("evals/efficacy_detection.yaml")])
    )
    thresholds, old = _inputs(args)
    cases, items = load_sets(case_files, efficacy_files)
    options = RunOptions(
        tags=_tags(args.tags), limit=args.limit, repeat=max(1, args.repeat), progress=args.progress
    )
    config = {
        "command": ["assistant", "eval", *_redacted(argv)],
        "cases_files": [display_path(p) for p in case_files],
        "efficacy_files": [display_path(p) for p in efficacy_files],
        "thresholds_file": display_path(args.thresholds or _default("evals/thresholds.yaml")),
    }
    if args.against:
        return _suite_http(args, cases, items, thresholds, options, config, old)
    from assistant.evals.baselines import in_process_baselines
    from assistant.evals.targets import InProcessTarget, generator_description

    owned: list[Any] = []
    try:
        if assistant is None:
            assistant = make_assistant(args.knowledge_dir, args.data_dir, embedder)
            owned.append(assistant)
        extractive, generative, made = _plan(assistant, args)
        owned += made
        if generative is not None:
            try:
                _ = generative.chat_model  # a missing model name or URL fails here, not later
            except ValueError as exc:
                _say(
                    f"error: --generator {generative.settings.generator}: {exc} (on the "
                    "command line: --llm-model NAME, --llm-base-url URL)"
                )
                return EXIT_INPUT
        baselines = in_process_baselines(extractive) if args.baselines else []
        _say(
            f"eval: {len(cases)} cases, {len(items)} efficacy-detection questions"
            + (f" (before filters: tags {sorted(options.tags)})" if options.tags else "")
            + (f", first {options.limit} of each set" if options.limit is not None else "")
        )
        if generative is not None:
            gen = generator_description(generative)
            _say(
                f"eval: run 1 of 2: extractive; run 2 of 2: {generative.settings.generator} "
                f"(model {gen['llm_model']} at {gen['llm_base_url'] or 'its default URL'}, "
                f"timeout {gen['llm_timeout_s']:g} s)"
            )
        report = run_suite(
            InProcessTarget(extractive),
            cases,
            items,
            thresholds=thresholds,
            baselines=baselines,
            options=options,
            config=config,
            say=_say,
            desc="extractive" if generative is not None else "eval",
        )
        if generative is not None:
            from assistant.evals.side_by_side import combine

            second = run_suite(
                InProcessTarget(generative),
                cases,
                items,
                thresholds=thresholds,
                options=options,
                config=config,
                say=_say,
                desc=generative.settings.generator,
            )
            report = combine(report, second)
            for warning in report.side_by_side.warnings if report.side_by_side else []:
                _say(f"warning: {warning}")
    finally:
        for made_here in reversed(owned):
            made_here.close()
    return _finish(report, args.out or _default_out(), old)


def _suite_http(
    args: argparse.Namespace,
    cases: Any,
    items: Any,
    thresholds: Any,
    options: RunOptions,
    config: dict[str, Any],
    old: tuple[Path, EvalReport] | None,
) -> int:
    from assistant.evals.targets import HttpTarget

    if args.baselines:
        _say(
            "error: --baselines needs the in-process mode (the baselines read the index "
            "directly); drop --against or --baselines"
        )
        return EXIT_INPUT
    given = [k for k in _LLM_OPTIONS if getattr(args, k) is not None]
    if given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        _say(
            f"error: {flags} need the in-process mode: a deployment answers with its own "
            "generator (each case's 'generator' in the report says which); drop --against "
            "to compare extractive and generative answers side by side"
        )
        return EXIT_INPUT
    key = args.api_key or os.environ.get(API_KEY_ENV, "")
    if not key:
        _say(f"error: --against needs --api-key KEY (or {API_KEY_ENV})")
        return EXIT_INPUT
    _say(
        f"eval: {len(cases)} cases, {len(items)} efficacy-detection questions"
        + (f" (before filters: tags {sorted(options.tags)})" if options.tags else "")
    )
    report = run_suite(
        HttpTarget(args.against, key, timeout=args.timeout),
        cases,
        items,
        thresholds=thresholds,
        options=options,
        config=config,
        say=_say,
    )
    return _finish(report, args.out or _default_out(), old)



def _retrieval(argv: Sequence[str], embedder: Any = None) -> int:
    args = retrieval_parser().parse_args(argv)
    thresholds, old = _inputs(args)
    docs = load_jsonl_items(args.corpus, CorpusDoc)
    questions = load_jsonl_items(args.questions, RetrievalQuestion)
    out = args.out or _default_out()
    work = Path(args.data_dir) if args.data_dir else out / "index"
    knowledge = work / "knowledge"
    knowledge.mkdir(parents=True, exist_ok=True)
    for stale in knowledge.iterdir():  # the folder holds this corpus and nothing else
        if stale.name != "corpus.jsonl":
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    shutil.copyfile(args.corpus, knowledge / "corpus.jsonl")

    from assistant.evals.baselines import in_process_baselines
    from assistant.evals.targets import InProcessTarget

    assistant = make_assistant(str(knowledge), str(work / "data"), embedder)
    try:
        _say(
            f"index: {len(docs)} documents from {display_path(args.corpus)} into "
            f"{display_path(work)}"
        )
        started = time.perf_counter()
        ingest = assistant.ingest(lambda msg: _say(f"index: {msg}"))
        seconds = time.perf_counter() - started
        for error in ingest.errors:
            _say(f"warning: {error}")
        index_info = IndexInfo(
            corpus=display_path(args.corpus),
            folder=display_path(work),
            documents=ingest.documents,
            chunks=assistant.catalogue.visible_count(),
            chunks_embedded=ingest.chunks_embedded,
            chunks_reused=ingest.chunks_reused,
            build_seconds=round(seconds, 2),
            errors=list(ingest.errors),
        )
        options = RunOptions(tags=_tags(args.tags), limit=args.limit, progress=args.progress)
        config = {
            "command": ["assistant", "eval", "retrieval", *argv],
            "cases_files": [display_path(args.questions)],
            "thresholds_file": display_path(args.thresholds or _default("evals/thresholds.yaml")),
        }
        report = run_retrieval(
            InProcessTarget(assistant),
            questions,
            thresholds=thresholds,
            baselines=in_process_baselines(assistant) if args.baselines else [],
            options=options,
            config=config,
            index=index_info,
        )
        report.warnings = [*report.warnings, *ingest.errors]
        return _finish(report, out, old)
    finally:
        assistant.close()


def _check(argv: Sequence[str]) -> int:
    args = check_parser().parse_args(argv)
    cases, items = load_sets(
        args.cases or [_default("evals/cases.yaml")],
        args.efficacy_set or [_default("evals/efficacy_detection.yaml")],
    )
    thresholds = load_thresholds(args.thresholds or _default("evals/thresholds.yaml"))
    print(
        f"ok: {len(cases)} cases, {len(items)} efficacy-detection questions, "
        f"{len(thresholds)} thresholds"
    )
    return EXIT_OK


def main(argv: list[str], *, assistant: Any = None, embedder: Any = None) -> int:
    """Entry point of ``assistant eval``; ``assistant``/``embedder`` let tests reuse theirs."""
    try:
        if argv and argv[0] == "retrieval":
            return _retrieval(argv[1:], embedder)
        if argv and argv[0] == "check":
            return _check(argv[1:])
        if argv and argv[0] == "guardrails":
            from assistant.evals import guardrail_sets

            return guardrail_sets.main(argv[1:], assistant=assistant, embedder=embedder)
        if argv and argv[0] == "patients":
            from assistant.evals import patient_set

            return patient_set.main(argv[1:], assistant=assistant, embedder=embedder)
        return _suite(argv, assistant, embedder)
    except EvalDataError as exc:
        _print_problems(exc)
        return EXIT_INPUT
    except (ReportError, AssistantError) as exc:
        _say(f"error: {exc}")
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
