"""One process serving the patient UI at ``/`` and the staff API under ``/api/``.

``assistant serve [--host H] [--port P] [--workers N]`` builds the index if there is none, then
runs uvicorn on :func:`app_factory`. Nothing heavy happens at import or in :func:`create_app`:
the model, the registry and the lexical index load in the app's lifespan.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from assistant.audit import AuditLog
from assistant.audited import AuditedAssistant
from assistant.errors import AssistantError
from assistant.runtime import offline_env
from assistant.settings import Settings

log = logging.getLogger(__name__)

DESCRIPTION = """\
Staff API of the migraine-surgery assistant. It answers only from its indexed sources, with
numbered citations, and adds an evidence-status caveat to questions about whether a procedure
works.

Every endpoint under `/api/` needs `Authorization: Bearer KEY` with a key whose SHA-256 digest
is in the server's `ASSISTANT_API_KEY_HASHES` (or a key in `ASSISTANT_API_KEYS`), and is
rate-limited per key. Errors are JSON: `{"error", "message"}`.
The patient chat UI is served at `/` and needs no key.
"""


def create_app(
    assistant: Any | None = None,
    settings: Settings | None = None,
    audit: AuditLog | None = None,
    ui: bool = True,
) -> FastAPI:
    """The FastAPI app: API, probes and (unless ``ui=False``) the Gradio UI mounted at ``/``.

    Args:
        assistant: The service to serve; by default a new ``Assistant(settings)``, closed at
            shutdown. One that is passed in is warmed up but left open.
        settings: Settings to use; default: those of ``assistant``, else read from the
            environment.
        audit: The audit log; by default opened from the settings at startup.
        ui: Mount the patient UI at ``/``.
    """
    from assistant.api import install_api

    if assistant is not None:
        settings = settings or assistant.settings
    settings = settings or Settings()
    owns_assistant = assistant is None
    if assistant is None:
        from assistant.service import Assistant

        assistant = Assistant(settings)
    owns_audit = audit is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        backend: AuditedAssistant = app.state.backend
        if not backend.has_audit:
            backend.audit = await run_in_threadpool(AuditLog.from_settings, settings)
        try:
            await run_in_threadpool(backend.assistant.warm_up)
        except AssistantError as exc:
            # Serve anyway: /readyz reports the problem and the service recovers by itself.
            log.warning("warm-up failed: %s", exc)
        try:
            yield
        finally:
            if ui:
                from assistant.ui import gradio_temp_dir, reset_temp_dir

                reset_temp_dir(gradio_temp_dir(settings.data_dir))
            if owns_audit:
                backend.audit.close()
            if owns_assistant:
                backend.assistant.close()

    docs: dict[str, Any] = {
        "title": "Migraine surgery assistant",
        "version": "1",
        "description": DESCRIPTION,
        "lifespan": lifespan,
        # Swagger UI would otherwise send the schema to an online validator.
        "swagger_ui_parameters": {"validatorUrl": None},
    }
    # The docs pages load Swagger UI and ReDoc from the installed fastapi-offline package,
    # never from a CDN.
    app = (
        FastAPIOffline(**docs)
        if settings.api_docs
        else FastAPI(**docs, docs_url=None, redoc_url=None)
    )
    app.state.settings = settings
    app.state.backend = AuditedAssistant(assistant, audit)
    install_api(app, settings.api_key_list(), settings.rate_limit_per_minute)
    if ui:
        from assistant.ui import mount_ui

        mount_ui(app, lambda: app.state.backend)
    return app


def app_factory() -> FastAPI:
    """For ``uvicorn --factory``: each worker process builds its own app from the environment."""
    return create_app()


def serve(
    *,
    host: str | None = None,
    port: int | None = None,
    workers: int = 1,
    knowledge_dir: str | None = None,
    data_dir: str | None = None,
    ingest: bool = True,
    log_level: str = "info",
) -> int:
    """``assistant serve``: build a missing index (unless ``ingest`` is false), then serve until
    interrupted. Returns the exit status."""
    offline_env()
    if workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    # Worker processes read their settings from the environment, so pass the folders there.
    if knowledge_dir:
        os.environ["ASSISTANT_KNOWLEDGE_DIR"] = str(Path(knowledge_dir).resolve())
    if data_dir:
        os.environ["ASSISTANT_DATA_DIR"] = str(Path(data_dir).resolve())
    settings = Settings()
    host = host or settings.host
    port = port if port is not None else settings.port

    from assistant.service import Assistant
    from assistant.startup import StartupError, check_startup

    assistant = Assistant(settings)
    try:
        check_startup(assistant)
        if ingest:
            report = assistant.ensure_index(lambda msg: print(msg, file=sys.stderr, flush=True))
            if report is not None:
                print(report.summary(), file=sys.stderr)
    except StartupError as exc:
        if log_level == "debug":
            traceback.print_exception(exc)
        print(f"error: cannot start: {exc}", file=sys.stderr)
        return 1
    except AssistantError as exc:
        print(f"warning: the index could not be built: {exc}", file=sys.stderr)
    finally:
        assistant.close()
    if not settings.api_key_list() and not settings.api_key_hashes.strip():
        print(
            "note: neither ASSISTANT_API_KEY_HASHES nor ASSISTANT_API_KEYS is set, so the staff "
            "API under /api/ refuses every request; the UI at / works.",
            file=sys.stderr,
        )

    import uvicorn

    print(
        f"Serving the UI at http://{host}:{port}/ and the API at http://{host}:{port}/api/v1/",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        "assistant.server:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``assistant serve`` with these arguments (the options of the command line)."""
    from assistant.cli import main as cli_main

    return cli_main(["serve", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
