"""Running the benchmark parts and keeping their results in ``bench/results.json``.

``assistant bench`` (assistant/bench/__init__.py) reads its options into :class:`BenchArgs`
and calls :func:`run`; each part's own module measures (ingest, latency, workers, load, scale).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PARTS = ("ingest", "latency", "units", "workers", "load", "scale")
DEFAULT_PARTS = ("ingest", "latency", "units", "workers", "load")


@dataclass(frozen=True)
class BenchArgs:
    """The options of ``assistant bench`` (None: the default, which ``quick`` shrinks)."""

    # what runs
    parts: str | None = None
    quick: bool = False
    million: bool = False
    no_eval: bool = False
    ingest_sections: str | None = None
    embedders: str = "minilm,minilm-int8"
    report_only: bool = False
    # sizes
    sizes: list[int] | None = None
    scale_size: int | None = None
    ingest_chunks: int | None = None
    rss_docs: int | None = None
    large_file_mb: float | None = None
    real_filler: int | None = None
    # the load runs
    workers: list[int] | None = None
    clients: int | None = None
    load_seconds: float | None = None
    load_stores: str = "embedded,server"
    # where the results go
    out: Path | None = None
    work: Path | None = None
    keep: bool = False
    note: str | None = None
    # the units part: eval questions asked twice
    unit_questions: int | None = None


def ints(text: str) -> list[int]:
    """``1_000,5000`` as ``[1000, 5000]``."""
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def say(message: str) -> None:
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


def options(args: BenchArgs) -> dict[str, Any]:
    """The sizes and knobs of a run: the options given, else the defaults (small with quick)."""
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
        "unit_questions": args.unit_questions or (20 if quick else 60),
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
    if name == "units":
        from . import units

        return units.run(opts, work / "units", say)
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


def parts_of(args: BenchArgs) -> list[str]:
    parts = (
        [p.strip() for p in args.parts.split(",") if p.strip()]
        if args.parts
        else list(DEFAULT_PARTS)
    )
    if args.million and "scale" not in parts:
        parts.append("scale")
    return parts


def _merged(entry: dict[str, Any], previous: dict[str, Any] | None, note: str | None) -> None:
    """A partial run (e.g. --ingest-sections rss) keeps the sections it did not measure."""
    result = entry["result"]
    if not previous or set(previous.get("result", {})) <= set(result):
        return
    entry["result"] = {**previous["result"], **result}
    notes = [previous.get("note"), note and f"{', '.join(result)}: {note}"]
    entry["note"] = " ".join(n for n in notes if n) or None
    entry["sections_measured"] = {
        **{key: previous["measured"] for key in previous["result"]},
        **previous.get("sections_measured", {}),
        **{key: entry["measured"] for key in result},
    }


def _measure(args: BenchArgs, parts: list[str], out: Path, command: Sequence[str]) -> None:
    from .common import machine

    results_path = out / "results.json"
    opts = options(args)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    work = args.work or (out / "runs" / stamp)
    work.mkdir(parents=True, exist_ok=True)
    for name in parts:
        say(f"part {name}: starting")
        started = dt.datetime.now(dt.UTC)
        result = run_part(name, opts, work, say)
        entry: dict[str, Any] = {
            "measured": started.isoformat(timespec="seconds"),
            "quick": opts["quick"],
            "machine": machine(),
            "options": dict(opts),
            "command": ["assistant", "bench", *command],
            "result": result,
        }
        if args.note:
            entry["note"] = args.note
        (work / f"{name}.json").write_text(json.dumps(entry, indent=1), encoding="utf-8")
        data = load_results(results_path)  # another run may have finished meanwhile
        _merged(entry, data["parts"].get(name), args.note)
        data["parts"][name] = entry
        save_results(results_path, data)
        say(f"part {name}: done")
    if not args.keep:
        for sub in PARTS:
            shutil.rmtree(work / sub, ignore_errors=True)


def run(args: BenchArgs, command: Sequence[str] = ()) -> int:
    """``assistant bench``: measure the parts asked (unless ``report_only``), keep their
    results, write the report; the exit status (2 for an unknown part)."""
    from .common import PROJECT
    from .report import checks, write_report

    out = args.out or (PROJECT / "bench")
    if not args.report_only:
        parts = parts_of(args)
        unknown = [p for p in parts if p not in PARTS]
        if unknown:
            print(
                f"error: unknown part(s) {', '.join(unknown)}; choose among {PARTS}",
                file=sys.stderr,
            )
            return 2
        _measure(args, parts, out, command)
    data = load_results(out / "results.json")
    path = write_report(data, out)
    say(f"report written: {path}")
    for check in [c for c in checks(data) if c["ok"] is False]:
        say(f"target missed: {check['what']}: {check['value']} (target {check['target']})")
    return 0
