"""API under load: ``assistant serve`` on loopback, N concurrent asyncio clients for T seconds.

Bounded in time and in count: every client stops at the deadline, each request has a timeout,
and the whole run stops after ``max_requests``. The server is started and stopped by us, on a
free 127.0.0.1 port, with a rate limit high enough not to interfere.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .common import (
    KNOWLEDGE,
    Say,
    child_env,
    free_port,
    percentiles,
    rss_of_tree_kb,
    stop_process,
    wait_until,
)
from .corpus import questions

API_KEY = "bench-load-key"
MAX_REQUESTS = 200_000
REQUEST_TIMEOUT_S = 60.0


async def load(
    base_url: str, qs: list[str], clients: int, seconds: float, max_requests: int = MAX_REQUESTS
) -> dict[str, Any]:
    """``clients`` concurrent loops of POST /api/v1/ask until ``seconds`` have passed."""
    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    examples: dict[str, list[str]] = {}
    versions: set[str] = set()
    sent = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=REQUEST_TIMEOUT_S
    ) as http:
        started = time.perf_counter()
        deadline = started + seconds

        async def client(n: int) -> None:
            nonlocal sent
            rng = random.Random(n)
            while time.perf_counter() < deadline and sent < max_requests:
                sent += 1
                q = rng.choice(qs)
                t0 = time.perf_counter()
                try:
                    response = await http.post("/api/v1/ask", json={"question": q})
                    ms = (time.perf_counter() - t0) * 1000
                    if response.status_code == 200:
                        latencies.append(ms)
                        versions.add(str(response.json().get("index_version")))
                    else:
                        key = f"HTTP {response.status_code}"
                        errors[key] = errors.get(key, 0) + 1
                        if len(examples.setdefault(key, [])) < 3:
                            examples[key].append(response.text[:300])
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                    errors[key] = errors.get(key, 0) + 1

        await asyncio.gather(*(client(n) for n in range(clients)))
        elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies) + sum(errors.values()),
        "ok": len(latencies),
        "errors": errors,
        "error_examples": examples,
        "error_count": sum(errors.values()),
        "throughput_rps": round(len(latencies) / elapsed, 2),
        "latency_ms": percentiles(latencies),
        "index_versions": sorted(versions),
    }


def serve(data: Path, workers: int, port: int, log: Path, **env: str) -> subprocess.Popen[bytes]:
    """Start ``assistant serve`` on 127.0.0.1:``port`` (the index must exist)."""
    command = [sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--no-ingest"]
    command += ["--knowledge-dir", str(KNOWLEDGE), "--data-dir", str(data)]
    command += ["--log-level", "warning"]
    environment = child_env(
        ASSISTANT_API_KEYS=API_KEY,
        ASSISTANT_RATE_LIMIT_PER_MINUTE="100000000",
        **env,
    )
    with open(log, "ab") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=environment)


def one_run(
    data: Path, workers: int, clients: int, seconds: float, work: Path, say: Say, **env: str
) -> dict[str, Any]:
    import httpx

    port = free_port()
    log = work / f"serve-{workers}w.log"
    t0 = time.perf_counter()
    proc = serve(data, workers, port, log, **env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: httpx.get(f"{base}/readyz", timeout=5).status_code == 200, 300, "the server"
        )
        ready_s = time.perf_counter() - t0
        qs = questions()
        # Warm every worker: requests land on workers at random, so send a few per worker.
        asyncio.run(load(base, qs, clients=min(clients, 4 * workers), seconds=3.0))
        say(f"load: {workers} worker(s), {clients} clients, {seconds:.0f} s")
        result = asyncio.run(load(base, qs, clients, seconds))
        result["rss_mb"] = round(rss_of_tree_kb(proc.pid) / 1024, 1)
    finally:
        stop_process(proc, grace_s=30)
    result.update({"workers": workers, "ready_s": round(ready_s, 1), "env": env})
    say(
        f"load: {workers} worker(s): {result['throughput_rps']} answers/s, p50 "
        f"{result['latency_ms']['p50']} ms, p95 {result['latency_ms']['p95']} ms, "
        f"errors {result['error_count']}"
    )
    return result


def _index(data: Path, **settings: Any) -> int:
    from assistant.service import Assistant
    from assistant.settings import Settings

    assistant = Assistant(Settings(knowledge_dir=KNOWLEDGE, data_dir=data, **settings))
    try:
        assistant.ensure_index()
        return assistant.catalogue.visible_count()
    finally:
        assistant.close()


def run(opts: dict[str, Any], work: Path, say: Say) -> dict[str, Any]:
    from .common import chroma_server

    work.mkdir(parents=True, exist_ok=True)
    stores = opts.get("load_stores") or ["embedded"]
    most = max(opts["workers"])
    # On few cores, N workers each running torch on every core oversubscribe the CPU.
    share = {"OMP_NUM_THREADS": str(max(1, (os.cpu_count() or 1) // most))}
    clients, seconds = opts["clients"], opts["load_seconds"]
    result: dict[str, Any] = {}
    if "embedded" in stores:
        data = work / "index"
        result["chunks"] = _index(data)
        say(f"load: embedded index of the knowledge base ready ({result['chunks']} chunks)")
        runs = [one_run(data, n, clients, seconds, work, say) for n in opts["workers"]]
        if most > 1 and not opts["quick"] and (os.cpu_count() or 1) <= 4:
            runs.append(one_run(data, most, clients, seconds, work, say, **share))
        result["runs"] = runs
    if "server" in stores:
        with chroma_server(work / "chroma", work / "chroma.log") as server:
            data = work / "index-server"
            result["chunks"] = _index(data, chroma_host=server.host, chroma_port=server.port)
            say(f"load: index on a Chroma server ready ({result['chunks']} chunks)")
            env = {"CHROMA_HOST": server.host, "CHROMA_PORT": str(server.port)}
            if most > 1 and (os.cpu_count() or 1) <= 4:
                env.update(share)
            result["server_runs"] = [one_run(data, most, clients, seconds, work, say, **env)]
    return result
