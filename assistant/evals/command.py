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
This module reads the options; the runs are in :mod:`assistant.evals.suite`,
:mod:`assistant.evals.guardrail_sets` and :mod:`assistant.evals.patient_set`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from assistant.commands.base import (
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_OK,
    DataDir,
    KnowledgeDir,
    State,
    folders,
    given_arguments,
)
from assistant.commands.base import state as _state

if TYPE_CHECKING:
    from assistant.evals.runner import RunOptions

# The runs' modules (and the models and libraries they load) are imported by the command that
# needs them, so that ``assistant ask`` does not pay for the eval's imports.
EXIT_THRESHOLD = EXIT_FAILED
__all__ = ["EXIT_INPUT", "EXIT_OK", "EXIT_THRESHOLD", "eval_app", "main"]


def _positive_seconds(value: float | None) -> float | None:
    if value is not None and not value > 0:
        raise typer.BadParameter(f"must be more than 0 seconds, got {value:g}")
    return value


def _count(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise typer.BadParameter(f"must be 0 or more, got {value}")
    return value


def _models(ctx: typer.Context) -> dict[str, Any]:
    """The ``assistant`` and ``embedder`` a caller of :func:`main` lent, for a run to reuse."""
    shared = _state(ctx)
    return {"assistant": shared.assistant, "embedder": shared.embedder}


def _run_options(
    tags: list[str] | None, limit: int | None, progress: bool | None, repeat: int = 1
) -> RunOptions:
    from assistant.evals.runner import RunOptions
    from assistant.evals.suite import tags_of

    return RunOptions(tags=tags_of(tags), limit=limit, repeat=max(1, repeat), progress=progress)


Files = list[Path] | None
OutOption = Annotated[
    Path | None, typer.Option(help="folder for the report (default eval-runs/<time>/)")
]
ThresholdsOption = Annotated[
    Path | None, typer.Option(help="thresholds file (default evals/thresholds.yaml)")
]
CompareOption = Annotated[
    Path | None,
    typer.Option(
        metavar="OLD/report.json", help="add regressions and improvements against an earlier run"
    ),
]
BaselinesOption = Annotated[
    bool,
    typer.Option(
        "--baselines", help="also score BM25-only, dense-only and a plain LangChain retriever"
    ),
]
TagsOption = Annotated[
    list[str] | None,
    typer.Option(metavar="TAG[,TAG]", help="only cases with one of these tags (repeatable)"),
]
LimitOption = Annotated[
    int | None,
    typer.Option(
        metavar="N",
        callback=_count,
        help="only the first N cases of each set (in both runs of a side-by-side run)",
    ),
]
ProgressOption = Annotated[
    bool | None,
    typer.Option(
        "--progress/--no-progress",
        help="always / never show the progress bar (default: on a terminal)",
        show_default=False,
    ),
]
CasesOption = Annotated[
    Files, typer.Option(metavar="FILE", help="a case file (repeatable; default evals/cases.yaml)")
]
EfficacyOption = Annotated[
    Files,
    typer.Option(
        metavar="FILE",
        help="an efficacy-detection file (repeatable; default evals/efficacy_detection.yaml)",
    ),
]
Split = Literal["dev", "test"]
GEN = "generative answers"
GeneratorOption = Annotated[
    Literal["none", "openai", "ollama"] | None,
    typer.Option(
        rich_help_panel=GEN,
        help="answer generator of a second run, shown side by side with the extractive "
        "one; the thresholds must hold in both (ASSISTANT_GENERATOR; default none)",
    ),
]
LlmBaseUrlOption = Annotated[
    str | None,
    typer.Option(metavar="URL", rich_help_panel=GEN, help="model server (ASSISTANT_LLM_BASE_URL)"),
]
LlmModelOption = Annotated[
    str | None,
    typer.Option(metavar="NAME", rich_help_panel=GEN, help="model name (ASSISTANT_LLM_MODEL)"),
]
LlmApiKeyOption = Annotated[
    str | None,
    typer.Option(
        metavar="KEY",
        rich_help_panel=GEN,
        help="key for the model server (better: ASSISTANT_LLM_API_KEY); never written to "
        "the report",
    ),
]
LlmTimeoutOption = Annotated[
    float | None,
    typer.Option(
        metavar="S",
        callback=_positive_seconds,
        rich_help_panel=GEN,
        help="seconds to wait for the model before falling back (ASSISTANT_LLM_TIMEOUT_S)",
    ),
]
FiguresJsonOption = Annotated[bool, typer.Option("--json", help="print the figures as JSON")]

eval_app = typer.Typer(
    name="eval",
    help="Run the eval suite and write a report; exit 1 when a threshold fails.",
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    epilog="Other modes: 'assistant eval retrieval --help', 'assistant eval check --help'; "
    "guardrails and patients score the outside-written sets.",
)


@eval_app.callback()
def suite(
    ctx: typer.Context,
    cases: CasesOption = None,
    efficacy_set: EfficacyOption = None,
    no_efficacy_set: Annotated[
        bool, typer.Option("--no-efficacy-set", help="skip the efficacy-detection set")
    ] = False,
    repeat: Annotated[
        int, typer.Option(metavar="N", help="ask each case N times, for latency percentiles")
    ] = 1,
    against: Annotated[
        str | None, typer.Option(metavar="URL", help="evaluate a running deployment over HTTP")
    ] = None,
    api_key: Annotated[
        str | None, typer.Option(help="API key for --against (or set ASSISTANT_EVAL_API_KEY)")
    ] = None,
    timeout: Annotated[float, typer.Option(help="seconds per HTTP request")] = 60.0,
    knowledge_dir: KnowledgeDir = None,
    data_dir: DataDir = None,
    generator: GeneratorOption = None,
    llm_base_url: LlmBaseUrlOption = None,
    llm_model: LlmModelOption = None,
    llm_api_key: LlmApiKeyOption = None,
    llm_timeout_s: LlmTimeoutOption = None,
    out: OutOption = None,
    thresholds: ThresholdsOption = None,
    compare: CompareOption = None,
    baselines: BaselinesOption = False,
    tags: TagsOption = None,
    limit: LimitOption = None,
    progress: ProgressOption = None,
) -> None:
    """Run the eval suite and write a report (report.json, report.md, report.html)."""
    if ctx.invoked_subcommand is not None:
        return
    from assistant.evals.suite import LlmOptions, Output, Remote, SuiteFiles, suite_command

    code = suite_command(
        SuiteFiles(cases or (), efficacy_set or (), no_efficacy_set),
        Output(out, thresholds, compare, ["eval", *given_arguments(ctx)]),
        _run_options(tags, limit, progress, repeat),
        LlmOptions(generator, llm_base_url, llm_model, llm_api_key, llm_timeout_s),
        baselines=baselines,
        remote=Remote(against, api_key, timeout) if against else None,
        folders=folders(ctx, knowledge_dir, data_dir),
        **_models(ctx),
    )
    raise typer.Exit(code)


@eval_app.command("retrieval")
def retrieval(
    ctx: typer.Context,
    corpus: Annotated[
        Path, typer.Option(help="JSONL, one document a line: {id, title, url, text}")
    ],
    questions: Annotated[
        Path, typer.Option(help="JSONL, one question a line: {id, question, relevant: [doc ids]}")
    ],
    tags: TagsOption = None,
    limit: LimitOption = None,
    baselines: BaselinesOption = False,
    progress: ProgressOption = None,
    out: OutOption = None,
    data_dir: Annotated[
        str | None, typer.Option(help="folder for the corpus's index (default OUT/index)")
    ] = None,
    thresholds: ThresholdsOption = None,
    compare: CompareOption = None,
) -> int:
    """Index a JSONL corpus in its own folder and score retrieval for questions."""
    from assistant.evals.suite import Output, retrieval_command

    return retrieval_command(
        corpus,
        questions,
        Output(out, thresholds, compare, ["eval", "retrieval", *given_arguments(ctx)]),
        _run_options(tags, limit, progress),
        baselines=baselines,
        data_dir=data_dir,
        embedder=_state(ctx).embedder,
    )


@eval_app.command("check")
def check(
    cases: CasesOption = None,
    efficacy_set: EfficacyOption = None,
    thresholds: ThresholdsOption = None,
) -> int:
    """Check the case files and thresholds; run nothing."""
    from assistant.evals.suite import check_command

    return check_command(cases or (), efficacy_set or (), thresholds)


# The outside-set commands hand their options on by name, read back from ``ctx.params``: each
# parameter below is a keyword of the run's ``run_command``.
@eval_app.command("guardrails")
def guardrails(
    ctx: typer.Context,
    split: Annotated[Split, typer.Option(help="which split")],
    as_json: FiguresJsonOption = False,
    show_failures: Annotated[
        bool,
        typer.Option(help="list the ids of the items each figure counts against (dev only)"),
    ] = False,
    thresholds: ThresholdsOption = None,
    folder: Annotated[
        Path | None, typer.Option(help="folder of the sets (default evals/outside)")
    ] = None,
) -> int:
    """Efficacy detection, caveat and red-flag triage on the outside-written sets, per language."""
    from assistant.evals import guardrail_sets

    return guardrail_sets.run_command(**ctx.params, **_models(ctx))


@eval_app.command("patients")
def patients(
    ctx: typer.Context,
    split: Annotated[Split, typer.Option(help="which split")] = "dev",
    file: Annotated[
        Path | None, typer.Option(help="a question file instead of the split's")
    ] = None,
    as_json: FiguresJsonOption = False,
    show_failures: Annotated[bool, typer.Option(help="list the items that failed a check")] = False,
    save: Annotated[
        Path | None, typer.Option(help="write the raw answers to this JSON file")
    ] = None,
    rescore: Annotated[
        Path | None, typer.Option(help="score answers saved with --save instead of asking")
    ] = None,
    thresholds: ThresholdsOption = None,
    knowledge_dir: KnowledgeDir = None,
    data_dir: DataDir = None,
) -> int:
    """Ask the outside-written patient questions and report the figures per language."""
    from assistant.evals import patient_set

    options = dict(ctx.params)
    places = folders(ctx, options.pop("knowledge_dir"), options.pop("data_dir"))
    return patient_set.run_command(**options, folders=places, **_models(ctx))


def main(argv: list[str], *, assistant: Any = None, embedder: Any = None) -> int:
    """``assistant eval ARGV`` in this process; ``assistant``/``embedder`` let a caller (the
    tests) reuse theirs. Returns the exit status."""
    from assistant.cli import run

    return run(["eval", *argv], State(assistant=assistant, embedder=embedder))
