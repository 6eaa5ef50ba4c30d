"""Running the eval suite, the retrieval mode and the file check as functions.

``assistant eval`` (assistant/evals/command.py) only reads its options and calls these; the
bench calls :func:`extractive_run` and :func:`finish` for its per-embedder quality figures.
Each ``*_command`` function returns the exit status: 0 when every threshold holds, 1 when one
fails, 2 when the input cannot be used.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from assistant.commands.base import EXIT_FAILED, EXIT_INPUT, EXIT_OK
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
from assistant.paths import eval_path
from assistant.runtime import make_assistant

API_KEY_ENV = "ASSISTANT_EVAL_API_KEY"
EXIT_THRESHOLD = EXIT_FAILED


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def default_path(relative: str) -> Path:
    """A default eval file named ``evals/...``: under the working folder's ``evals/`` when it is
    there, else the one shipped with the package."""
    return eval_path(Path(relative).relative_to("evals"))


def default_out() -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path("eval-runs") / stamp
    n = 2
    while out.exists():
        out = Path("eval-runs") / f"{stamp}-{n}"
        n += 1
    return out


def tags_of(values: Sequence[str] | None) -> frozenset[str] | None:
    tags = {t.strip() for v in values or [] for t in v.split(",") if t.strip()}
    return frozenset(tags) if tags else None


_SECRET_OPTIONS = ("--api-key", "--llm-api-key")
_URL_OPTIONS = ("--against", "--llm-base-url")


def redacted(argv: Sequence[str]) -> list[str]:
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


@dataclass(frozen=True)
class LlmOptions:
    """The generator of a side-by-side run's second run; None: the setting's own value."""

    generator: str | None = None
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float | None = None

    def given(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }


@dataclass(frozen=True)
class Output:
    """Where a run's report goes, what it is held against, and the command that made it (the
    arguments after ``assistant``, recorded with any key hidden)."""

    out: Path | None = None
    thresholds: Path | None = None
    compare: Path | None = None
    command: Sequence[str] = ()

    def thresholds_file(self) -> Path:
        return self.thresholds or default_path("evals/thresholds.yaml")

    def config(self, cases_files: Sequence[Path]) -> dict[str, Any]:
        """The report's record of how the run was made: its command line and files."""
        return {
            "command": ["assistant", *redacted(self.command)],
            "cases_files": [display_path(p) for p in cases_files],
            "thresholds_file": display_path(self.thresholds_file()),
        }

    def inputs(self) -> tuple[Any, tuple[Path, EvalReport] | None]:
        thresholds = load_thresholds(self.thresholds_file())
        old = (self.compare, load_report(self.compare)) if self.compare else None
        return thresholds, old


@contextmanager
def input_errors() -> Iterator[list[int]]:
    """Bad eval input as located messages on stderr: ``status[0]`` becomes 2."""
    status = [EXIT_OK]
    try:
        yield status
    except EvalDataError as exc:
        say(f"error: {len(exc.problems)} problem(s) in the eval files:")
        for problem in exc.problems:
            say(f"  {problem}")
        status[0] = EXIT_INPUT
    except (ReportError, AssistantError) as exc:
        say(f"error: {exc}")
        status[0] = EXIT_INPUT


def finish(report: EvalReport, out: Path, old: tuple[Path, EvalReport] | None) -> int:
    """Compare with ``old``, write the report files, print the summary; the exit status."""
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


def _sibling(assistant: Any, settings: Any) -> Any:
    """An Assistant on the same index that shares the loaded model and the vector store."""
    from assistant.service import Assistant

    return Assistant(settings, embedder=assistant.embedder, store=assistant.store)


def plan(assistant: Any, llm: LlmOptions) -> tuple[Any, Any | None, list[Any]]:
    """The extractive Assistant, the generative one (None for a single extractive run) and
    the Assistants made here (to close). Both share one embedder and one vector store."""
    update = llm.given()
    wanted = assistant.settings.model_copy(update=update) if update else assistant.settings
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


@dataclass(frozen=True)
class SuiteFiles:
    """The case and efficacy-detection files of a run (empty: the defaults)."""

    cases: Sequence[Path] = ()
    efficacy_sets: Sequence[Path] = ()
    no_efficacy_set: bool = False

    def case_files(self) -> list[Path]:
        return list(self.cases) or [default_path("evals/cases.yaml")]

    def efficacy_files(self) -> list[Path]:
        if self.no_efficacy_set:
            return []
        return list(self.efficacy_sets) or [default_path("evals/efficacy_detection.yaml")]


@dataclass(frozen=True)
class Remote:
    """A running deployment to evaluate over HTTP."""

    url: str
    api_key: str | None = None
    timeout: float = 60.0


def _counts(cases: Sequence[Any], items: Sequence[Any], options: RunOptions) -> str:
    return (
        f"eval: {len(cases)} cases, {len(items)} efficacy-detection questions"
        + (f" (before filters: tags {sorted(options.tags)})" if options.tags else "")
        + (f", first {options.limit} of each set" if options.limit is not None else "")
    )


def extractive_run(
    assistant: Any,
    cases: Sequence[Any],
    items: Sequence[Any],
    *,
    thresholds: Any,
    options: RunOptions,
    config: dict[str, Any],
    baselines: bool = False,
    desc: str = "eval",
) -> EvalReport:
    """One in-process run of the suite on ``assistant``: its report (nothing written)."""
    from assistant.evals.baselines import in_process_baselines
    from assistant.evals.targets import InProcessTarget

    return run_suite(
        InProcessTarget(assistant),
        cases,
        items,
        thresholds=thresholds,
        baselines=in_process_baselines(assistant) if baselines else [],
        options=options,
        config=config,
        say=say,
        desc=desc,
    )


def _in_process(
    assistant: Any, llm: LlmOptions, run: dict[str, Any], baselines: bool
) -> EvalReport | None:
    """The extractive run, and the generative one beside it when a generator is set; None
    when the generator cannot be built (the message is printed)."""
    from assistant.evals.targets import generator_description

    owned: list[Any] = []
    try:
        extractive, generative, made = plan(assistant, llm)
        owned += made
        if generative is not None:
            try:
                _ = generative.chat_model  # a missing model name or URL fails here, not later
            except ValueError as exc:
                say(
                    f"error: --generator {generative.settings.generator}: {exc} (on the "
                    "command line: --llm-model NAME, --llm-base-url URL)"
                )
                return None
        say(_counts(run["cases"], run["items"], run["options"]))
        if generative is not None:
            gen = generator_description(generative)
            say(
                f"eval: run 1 of 2: extractive; run 2 of 2: {generative.settings.generator} "
                f"(model {gen['llm_model']} at {gen['llm_base_url'] or 'its default URL'}, "
                f"timeout {gen['llm_timeout_s']:g} s)"
            )
        desc = "extractive" if generative is not None else "eval"
        report = extractive_run(extractive, baselines=baselines, desc=desc, **run)
        if generative is None:
            return report
        from assistant.evals.side_by_side import combine

        second = extractive_run(generative, desc=generative.settings.generator, **run)
        report = combine(report, second)
        for warning in report.side_by_side.warnings if report.side_by_side else []:
            say(f"warning: {warning}")
        return report
    finally:
        for made_here in reversed(owned):
            made_here.close()


def _over_http(
    remote: Remote, llm: LlmOptions, run: dict[str, Any], baselines: bool
) -> EvalReport | None:
    """The run against a deployment; None when the options need the in-process mode."""
    from assistant.evals.targets import HttpTarget

    if baselines:
        say(
            "error: --baselines needs the in-process mode (the baselines read the index "
            "directly); drop --against or --baselines"
        )
        return None
    given = llm.given()
    if given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        say(
            f"error: {flags} need the in-process mode: a deployment answers with its own "
            "generator (each case's 'generator' in the report says which); drop --against "
            "to compare extractive and generative answers side by side"
        )
        return None
    key = remote.api_key or os.environ.get(API_KEY_ENV, "")
    if not key:
        say(f"error: --against needs --api-key KEY (or {API_KEY_ENV})")
        return None
    say(_counts(run["cases"], run["items"], run["options"]))
    return run_suite(HttpTarget(remote.url, key, timeout=remote.timeout), say=say, **run)


def suite_command(
    files: SuiteFiles,
    output: Output,
    options: RunOptions,
    llm: LlmOptions,
    *,
    remote: Remote | None = None,
    folders: tuple[str | None, str | None] = (None, None),
    assistant: Any = None,
    embedder: Any = None,
    baselines: bool = False,
) -> int:
    """``assistant eval``: the suite in process (on ``assistant`` when given, else on one built
    from ``folders``) or against ``remote``; writes the report, returns the exit status."""
    with input_errors() as status:
        thresholds, old = output.inputs()
        cases, items = load_sets(files.case_files(), files.efficacy_files())
        config = output.config(files.case_files())
        config["efficacy_files"] = [display_path(p) for p in files.efficacy_files()]
        run = {"cases": cases, "items": items, "thresholds": thresholds}
        run |= {"options": options, "config": config}
        if remote is not None:
            report = _over_http(remote, llm, run, baselines)
        else:
            owned = assistant is None
            if owned:
                assistant = make_assistant(*folders, embedder)
            try:
                report = _in_process(assistant, llm, run, baselines)
            finally:
                if owned:
                    assistant.close()
        if report is None:
            return EXIT_INPUT
        return finish(report, output.out or default_out(), old)
    return status[0]


def _corpus_folder(corpus: Path, work: Path) -> Path:
    """``work/knowledge`` holding a copy of ``corpus`` and nothing else."""
    knowledge = work / "knowledge"
    knowledge.mkdir(parents=True, exist_ok=True)
    for stale in knowledge.iterdir():
        if stale.name != "corpus.jsonl":
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    shutil.copyfile(corpus, knowledge / "corpus.jsonl")
    return knowledge


def _index_corpus(assistant: Any, corpus: Path, work: Path, documents: int) -> IndexInfo:
    say(f"index: {documents} documents from {display_path(corpus)} into {display_path(work)}")
    started = time.perf_counter()
    ingest = assistant.ingest(lambda msg: say(f"index: {msg}"))
    seconds = time.perf_counter() - started
    for error in ingest.errors:
        say(f"warning: {error}")
    return IndexInfo(
        corpus=display_path(corpus),
        folder=display_path(work),
        documents=ingest.documents,
        chunks=assistant.catalogue.visible_count(),
        chunks_embedded=ingest.chunks_embedded,
        chunks_reused=ingest.chunks_reused,
        build_seconds=round(seconds, 2),
        errors=list(ingest.errors),
    )


def retrieval_command(
    corpus: Path,
    questions: Path,
    output: Output,
    options: RunOptions,
    *,
    baselines: bool = False,
    data_dir: str | None = None,
    embedder: Any = None,
) -> int:
    """``assistant eval retrieval``: index ``corpus`` in its own folder (``data_dir``, else
    under the report's folder), score retrieval for ``questions``; the exit status."""
    from assistant.evals.baselines import in_process_baselines
    from assistant.evals.targets import InProcessTarget

    with input_errors() as status:
        thresholds, old = output.inputs()
        docs = load_jsonl_items(corpus, CorpusDoc)
        asked = load_jsonl_items(questions, RetrievalQuestion)
        out = output.out or default_out()
        work = Path(data_dir) if data_dir else out / "index"
        knowledge = _corpus_folder(corpus, work)
        assistant = make_assistant(str(knowledge), str(work / "data"), embedder)
        try:
            index = _index_corpus(assistant, corpus, work, len(docs))
            report = run_retrieval(
                InProcessTarget(assistant),
                asked,
                thresholds=thresholds,
                baselines=in_process_baselines(assistant) if baselines else [],
                options=options,
                config=output.config([questions]),
                index=index,
            )
            report.warnings = [*report.warnings, *index.errors]
            return finish(report, out, old)
        finally:
            assistant.close()
    return status[0]


def check_command(
    cases: Sequence[Path] = (), efficacy_sets: Sequence[Path] = (), thresholds: Path | None = None
) -> int:
    """``assistant eval check``: load the case files and thresholds, run nothing."""
    with input_errors() as status:
        files = SuiteFiles(cases, efficacy_sets)
        loaded, items = load_sets(files.case_files(), files.efficacy_files())
        limits = load_thresholds(thresholds or default_path("evals/thresholds.yaml"))
        print(
            f"ok: {len(loaded)} cases, {len(items)} efficacy-detection questions, "
            f"{len(limits)} thresholds"
        )
        return EXIT_OK
    return status[0]
