"""``assistant bench``: performance and scale benchmarks; writes ``bench/report.md``.

    assistant bench                         # ingest, latency (1k/10k/100k chunks), workers, load
    assistant bench --quick                 # the same at small sizes, in a few minutes
    assistant bench --parts latency --sizes 1000,10000
    assistant bench --million               # also 1M vectors on a Chroma server (~30 min)
    assistant bench --report-only           # re-render the report from bench/results.json

Every figure that matters is a ratio against a floor measured in the same run (raw encode
throughput for ingestion, one query embedding plus one Chroma query for answers, exact search
for recall). Results of each part are kept in ``bench/results.json`` so parts can be run
separately (the million-vector part is slow) and the report shows the latest of each.
Nothing here is timed in the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PARTS = ("ingest", "latency", "workers", "load", "scale")
DEFAULT_PARTS = ("ingest", "latency", "workers", "load")


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="assistant bench",
        description="Run the performance benchmarks and write bench/report.md.",
    )
    p.add_argument(
        "--parts",
        help=f"comma-separated parts among {', '.join(PARTS)} (default: "
        f"{','.join(DEFAULT_PARTS)}; 'scale' also with --million)",
    )
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run in minutes")
    p.add_argument("--sizes", type=_ints, help="latency index sizes in chunks (1000,10000,100000)")
    p.add_argument("--million", action="store_true", help="add the 1M-vector Chroma server part")
    p.add_argument("--scale-size", type=int, help="vectors for the scale part (1000000)")
    p.add_argument("--ingest-chunks", type=int, help="chunks for the throughput runs (1500)")
    p.add_argument("--rss-docs", type=int, help="JSONL documents for the peak-RSS run (20000)")
    p.add_argument(
        "--large-file-mb",
        type=float,
        help="size of the one large text file whose peak RSS is compared with the "
        "many-documents run, in the same run (50; 0 skips it)",
    )
    p.add_argument(
        "--embedders",
        default="minilm,minilm-int8",
        help="embedders to compare (minilm,minilm-int8)",
    )
    p.add_argument("--real-filler", type=int, help="filler chunks embedded for real (2000)")
    p.add_argument("--load-seconds", type=float, help="duration of each load run (60)")
    p.add_argument("--clients", type=int, help="concurrent load clients (32)")
    p.add_argument("--workers", type=_ints, help="API worker counts to load (1,2)")
    p.add_argument(
        "--load-stores",
        default="embedded,server",
        help="vector stores behind the load runs: embedded (every worker count) and/or server "
        "(a Chroma server, the most workers)",
    )
    p.add_argument("--no-eval", action="store_true", help="skip hit@k/MRR per embedder")
    p.add_argument(
        "--ingest-sections",
        help="ingest sections to run among throughput,quality,rss (default all); the others "
        "keep their latest results",
    )
    p.add_argument("--out", type=Path, default=None, help="report folder (default bench/)")
    p.add_argument("--work", type=Path, default=None, help="scratch folder (bench/runs/<time>)")
    p.add_argument(
        "--keep",
        action="store_true",
        help="keep the scratch folder's indexes; with --work, the scale part reuses its "
        "collection (same seed, same vectors) instead of adding the vectors again",
    )
    p.add_argument("--report-only", action="store_true", help="only re-render the report")
    p.add_argument("--note", help="a remark on the conditions of this run, shown in the report")
    return p


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def load_results(path: Path) -> dict[str, Any]:
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("parts"), dict):
            return data
    return {"parts": {}}


def save_results(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    quick = args.quick
    return {
        "quick": quick,
        "sizes": args.sizes or ([1000, 3000] if quick else [1000, 10_000, 100_000]),
        "scale_size": args.scale_size or (20_000 if quick else 1_000_000),
        "ingest_chunks": args.ingest_chunks or (120 if quick else 1500),
        "rss_docs": args.rss_docs or (1000 if quick else 20_000),
        "large_file_mb": (
            args.large_file_mb if args.large_file_mb is not None else (2.0 if quick else 50.0)
        ),
        "embedders": [e.strip() for e in args.embedders.split(",") if e.strip()],
        "real_filler": args.real_filler or (100 if quick else 2000),
        "load_seconds": args.load_seconds or (5.0 if quick else 60.0),
        "clients": args.clients or (8 if quick else 32),
        "workers": args.workers or [1, 2],
        "eval": not args.no_eval,
        "keep": args.keep,
        "load_stores": [x.strip() for x in args.load_stores.split(",") if x.strip()],
        "ingest_sections": [x.strip() for x in (args.ingest_sections or "").split(",") if x],
    }


def run_part(name: str, opts: dict[str, Any], work: Path, say: Any) -> dict[str, Any]:
    """Run one part in this process and return its result dict."""
    if name == "ingest":
        from . import ingest

        return ingest.run(opts, work / "ingest", say)
    if name == "latency":
        from . import latency

        return latency.run(opts, work / "latency", say)
    if name == "workers":
        from . import workers

        return workers.run(opts, work / "workers", say)
    if name == "load":
        from . import load

        return load.run(opts, work / "load", say)
    if name == "scale":
        from assistant.embedding import SentenceTransformerEmbedder

        from . import scale

        embedder = SentenceTransformerEmbedder()
        return scale.run(
            embedder,
            opts["scale_size"],
            work / "scale",
            say,
            real_chunks=100 if opts["quick"] else 600,
            keep=opts["keep"],
            reuse=opts["keep"],
        )
    raise ValueError(f"unknown part {name!r}")


def main(argv: Sequence[str]) -> int:
    """Entry point of ``assistant bench``."""
    from assistant.runtime import OFFLINE_ENV

    from .common import PROJECT, machine

    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    args = parser().parse_args(list(argv))
    out = args.out or (PROJECT / "bench")
    results_path = out / "results.json"
    data = load_results(results_path)
    if not args.report_only:
        parts = (
            [p.strip() for p in args.parts.split(",") if p.strip()]
            if args.parts
            else list(DEFAULT_PARTS)
        )
        if args.million and "scale" not in parts:
            parts.append("scale")
        unknown = [p for p in parts if p not in PARTS]
        if unknown:
            print(
                f"error: unknown part(s) {', '.join(unknown)}; choose among {PARTS}",
                file=sys.stderr,
            )
            return 2
        opts = _options(args)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        work = args.work or (out / "runs" / stamp)
        work.mkdir(parents=True, exist_ok=True)
        for name in parts:
            _say(f"part {name}: starting")
            started = dt.datetime.now(dt.UTC)
            result = run_part(name, opts, work, _say)
            entry = {
                "measured": started.isoformat(timespec="seconds"),
                "quick": opts["quick"],
                "machine": machine(),
                "options": {k: v for k, v in opts.items()},
                "command": ["assistant", "bench", *argv],
                "result": result,
            }
            if args.note:
                entry["note"] = args.note
            (work / f"{name}.json").write_text(json.dumps(entry, indent=1), encoding="utf-8")
            data = load_results(results_path)  # another run may have finished meanwhile
            previous = data["parts"].get(name)
            if previous and not set(previous.get("result", {})) <= set(result):
                # A partial run (e.g. --ingest-sections rss): keep the other sections.
                entry["result"] = {**previous["result"], **result}
                notes = [previous.get("note"), args.note and f"{', '.join(result)}: {args.note}"]
                entry["note"] = " ".join(n for n in notes if n) or None
                entry["sections_measured"] = {
                    **{key: previous["measured"] for key in previous["result"]},
                    **previous.get("sections_measured", {}),
                    **{key: entry["measured"] for key in result},
                }
            data["parts"][name] = entry
            save_results(results_path, data)
            _say(f"part {name}: done")
        if not args.keep:
            import shutil

            for sub in ("ingest", "latency", "workers", "load", "scale"):
                shutil.rmtree(work / sub, ignore_errors=True)
    from .report import write_report

    path = write_report(data, out)
    _say(f"report written: {path}")
    failed = [c for c in checks_of(data) if c["ok"] is False]
    for check in failed:
        _say(f"target missed: {check['what']}: {check['value']} (target {check['target']})")
    return 0


def checks_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    from .report import checks

    return checks(data)
