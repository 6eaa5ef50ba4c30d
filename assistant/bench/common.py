"""Helpers shared by the benchmark parts: timing, percentiles, child processes, Chroma server."""

from __future__ import annotations

import contextlib
import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from assistant.paths import eval_path, knowledge_dir
from assistant.runtime import OFFLINE_ENV

PROJECT = Path(".")
"""The working directory: ``assistant bench`` writes its results under ``bench/`` there."""
KNOWLEDGE = knowledge_dir()
CASES = eval_path("cases.yaml")

Say = Callable[[str], None]
T = TypeVar("T")


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99, mean and count of latencies in milliseconds."""
    if not samples_ms:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    a = np.asarray(samples_ms, dtype=np.float64)
    return {
        "n": len(a),
        "p50": round(float(np.percentile(a, 50)), 3),
        "p95": round(float(np.percentile(a, 95)), 3),
        "p99": round(float(np.percentile(a, 99)), 3),
        "mean": round(float(a.mean()), 3),
    }


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem_gb = round(kb / 1024 / 1024, 1)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(OFFLINE_ENV)
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not come up within {timeout_s:.0f} s")


def retry_while_locked(
    action: Callable[[], T], attempts: int = 6, first_pause_s: float = 0.5, say: Say | None = None
) -> T:
    """``action()``, tried again after a pause (doubled each time) while Chroma answers that its
    SQLite database is locked: a server just started may still be writing its own state."""
    pause = first_pause_s
    for _ in range(attempts - 1):
        try:
            return action()
        except Exception as error:
            if "database is locked" not in str(error):
                raise
            if say is not None:
                say(f"chroma: database locked, trying again in {pause:.1f} s")
        time.sleep(pause)
        pause *= 2
    return action()


def stop_process(proc: subprocess.Popen[Any], grace_s: float = 15.0) -> None:
    """Stop a child we started: SIGTERM, then SIGKILL after ``grace_s``."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=grace_s)


def chroma_executable() -> str:
    here = Path(sys.executable).parent / "chroma"
    return str(here) if here.exists() else "chroma"


@dataclass
class ChromaServer:
    """``chroma run`` on 127.0.0.1, started and stopped by us."""

    path: Path
    port: int
    proc: subprocess.Popen[bytes]
    log_path: Path

    @property
    def host(self) -> str:
        return "127.0.0.1"


@contextlib.contextmanager
def chroma_server(path: Path, log_path: Path | None = None) -> Iterator[ChromaServer]:
    """Run ``chroma run --path PATH`` on a free loopback port for the ``with`` block."""
    import httpx

    path.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = log_path or path.with_suffix(".log")
    with open(log_path, "wb") as log:
        command = [chroma_executable(), "run", "--path", str(path), "--host", "127.0.0.1"]
        proc = subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=child_env(),
        )
    server = ChromaServer(path=path, port=port, proc=proc, log_path=log_path)
    try:
        url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
        wait_until(lambda: httpx.get(url, timeout=2).status_code == 200, 60, "chroma run")
        yield server
    finally:
        stop_process(proc)


def rss_of_tree_kb(pid: int) -> int:
    """Resident memory of a process and its children, in KiB (from /proc)."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    for p in pids:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total
