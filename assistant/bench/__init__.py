"""``assistant bench``: performance and scale benchmarks; writes ``bench/report.md``.

    assistant bench                         # ingest, latency (1k/10k/100k), units, workers, load
    assistant bench --quick                 # the same at small sizes, in a few minutes
    assistant bench --parts latency --sizes 1000,10000
    assistant bench --million               # also 1M vectors on a Chroma server (~30 min)
    assistant bench --report-only           # re-render the report from bench/results.json

Every figure that matters is a ratio against a floor measured in the same run (raw encode
throughput for ingestion, one query embedding plus one Chroma query for answers, exact search
for recall). Results of each part are kept in ``bench/results.json`` so parts can be run
separately (the million-vector part is slow) and the report shows the latest of each.
Nothing here is timed in the test suite. This module reads the options; the runs are in
:mod:`assistant.bench.run`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.bench.run import DEFAULT_PARTS, PARTS, BenchArgs, ints, load_results, options, run
from assistant.commands.base import given_arguments

__all__ = ["bench", "load_results", "main", "options", "parse_args"]


def _int_list(value: str | None) -> str | None:
    try:
        ints(value or "")
    except ValueError as exc:
        raise typer.BadParameter(f"a comma-separated list of whole numbers, got {value}") from exc
    return value


PartsOption = Annotated[
    str | None,
    typer.Option(
        help=f"comma-separated parts among {', '.join(PARTS)} (default: "
        f"{','.join(DEFAULT_PARTS)}; 'scale' also with --million)"
    ),
]
SizesOption = Annotated[
    str | None,
    typer.Option(callback=_int_list, help="latency index sizes in chunks (1000,10000,100000)"),
]
LargeFileOption = Annotated[
    float | None,
    typer.Option(
        help="size of the one large text file whose peak RSS is compared with the "
        "many-documents run, in the same run (50; 0 skips it)"
    ),
]
WorkersOption = Annotated[
    str | None, typer.Option(callback=_int_list, help="API worker counts to load (1,2)")
]
LoadStoresOption = Annotated[
    str,
    typer.Option(
        help="vector stores behind the load runs: embedded (every worker count) and/or "
        "server (a Chroma server, the most workers)"
    ),
]
IngestSectionsOption = Annotated[
    str | None,
    typer.Option(
        help="ingest sections to run among throughput,quality,rss (default all); the "
        "others keep their latest results"
    ),
]
KeepOption = Annotated[
    bool,
    typer.Option(
        "--keep",
        help="keep the scratch folder's indexes; with --work, the scale part reuses its "
        "collection (same seed, same vectors) instead of adding the vectors again",
    ),
]


def _flag(name: str, help: str) -> Any:
    """A ``--name`` switch that is off unless given."""
    return typer.Option(name, help=help)


def _knob(help: str) -> Any:
    """A size or duration of the run, None unless given: :func:`run.options` then takes the
    default (the figure in ``help``), smaller with ``--quick``."""
    return typer.Option(help=help)


def _bench_args(params: Mapping[str, Any]) -> BenchArgs:
    """The :class:`BenchArgs` of the command's parsed options (the lists given as text)."""
    values = dict(params)
    for name in ("sizes", "workers"):
        values[name] = ints(values[name]) if values[name] else None
    return BenchArgs(**values)


# Typer reads the options from this signature; the values are read back from ``ctx.params``,
# the same way as :func:`parse_args`, so the parameters are not used by name.
def bench(
    ctx: typer.Context,
    parts: PartsOption = None,
    quick: Annotated[bool, _flag("--quick", "small sizes: a smoke run")] = False,
    sizes: SizesOption = None,
    million: Annotated[bool, _flag("--million", "add the 1M-vector Chroma server part")] = False,
    scale_size: Annotated[int | None, _knob("vectors for the scale part (1000000)")] = None,
    ingest_chunks: Annotated[int | None, _knob("chunks for the throughput runs (1500)")] = None,
    rss_docs: Annotated[int | None, _knob("JSONL documents for the peak-RSS run (20000)")] = None,
    large_file_mb: LargeFileOption = None,
    embedders: Annotated[str, typer.Option(help="embedders to compare")] = "minilm,minilm-int8",
    real_filler: Annotated[int | None, _knob("filler chunks embedded for real (2000)")] = None,
    unit_questions: Annotated[
        int | None, _knob("eval questions asked twice by the units part (60)")
    ] = None,
    load_seconds: Annotated[float | None, _knob("duration of each load run (60)")] = None,
    clients: Annotated[int | None, _knob("concurrent load clients (32)")] = None,
    workers: WorkersOption = None,
    load_stores: LoadStoresOption = "embedded,server",
    no_eval: Annotated[bool, _flag("--no-eval", "skip hit@k/MRR per embedder")] = False,
    ingest_sections: IngestSectionsOption = None,
    out: Annotated[Path | None, typer.Option(help="report folder (default bench/)")] = None,
    work: Annotated[
        Path | None, typer.Option(help="scratch folder (default bench/runs/<time>)")
    ] = None,
    keep: KeepOption = False,
    report_only: Annotated[bool, _flag("--report-only", "only re-render the report")] = False,
    note: Annotated[
        str | None, typer.Option(help="a remark on the conditions of this run, for the report")
    ] = None,
) -> int:
    """Run the performance benchmarks and write bench/report.md."""
    return run(_bench_args(ctx.params), given_arguments(ctx))


bench_app = typer.Typer(name="bench", add_completion=False, pretty_exceptions_enable=False)
bench_app.command()(bench)  # the command alone, for parse_args


def parse_args(argv: Sequence[str]) -> BenchArgs:
    """The :class:`BenchArgs` of a ``assistant bench`` command line, without running it."""
    command = typer.main.get_command(bench_app)
    with command.make_context("assistant bench", list(argv)) as ctx:
        return _bench_args(ctx.params)


def main(argv: Sequence[str]) -> int:
    """``assistant bench ARGV`` in this process; returns the exit status."""
    from assistant.cli import main as cli_main

    return cli_main(["bench", *argv])
