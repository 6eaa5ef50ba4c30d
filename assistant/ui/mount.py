"""Mounting the UI on the server's FastAPI app."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from importlib import resources
from typing import TypeVar

import gradio as gr
from fastapi import FastAPI

from assistant.audited import AuditedAssistant
from assistant.messages import check_languages
from assistant.ui.blocks import build_ui, theme
from assistant.ui.security import ClosedRoutesMiddleware, gradio_temp_dir, reset_temp_dir
from assistant.ui.templates import STATIC, static_text

T = TypeVar("T")


def mount_ui(app: FastAPI, get_backend: Callable[[], AuditedAssistant]) -> FastAPI:
    """Mount the UI at ``/`` of ``app``; call after the API routes, which take precedence.

    Hardened for a mounted app: Gradio checks file paths only once ``launch()`` has run, so
    ``has_launched`` is set here; the data folder is a blocked path; uploads and dev routes are
    closed; and Gradio's cache lives in ``<data_dir>/gradio-tmp``, emptied at start and stop.
    """
    check_languages()  # every language has every label and message English has
    settings = get_backend().settings
    temp_dir = gradio_temp_dir(settings.data_dir)
    reset_temp_dir(temp_dir)
    # Read by every Gradio component when it is created; one app per process.
    os.environ["GRADIO_TEMP_DIR"] = str(temp_dir)

    def mount() -> FastAPI:
        demo = build_ui(get_backend, store_questions=settings.audit_store_questions)
        with resources.as_file(STATIC.joinpath("app.css")) as css_path:
            mounted: FastAPI = gr.mount_gradio_app(
                app,
                demo,
                path="/",
                blocked_paths=[str(settings.data_dir.resolve()), "/proc", "/etc", "/root"],
                allowed_paths=[],
                max_file_size=1,
                theme=theme(),
                css_paths=[css_path],  # read at mount; Gradio scopes it to the app
                head=f"<style>{static_text('page.css')}</style>",  # the page around the app
                js=static_text("app.js"),
                footer_links=[],
                run_history=False,  # would keep patients' questions in the browser's storage
                show_error=False,
                pwa=False,
                enable_monitoring=False,
                mcp_server=False,
                ssr_mode=False,
            )
        # Gradio's path checks return early unless the app "has launched", which only
        # Blocks.launch() records; a mounted app never calls it.
        demo.has_launched = True
        return mounted

    app.add_middleware(ClosedRoutesMiddleware)
    return _in_event_loop(mount)


def _in_event_loop(fn: Callable[[], T]) -> T:
    """Run ``fn`` where an event loop is running.

    Gradio makes its queue's asyncio locks with ``utils.safe_get_lock``, which, when no loop is
    running (an app built from synchronous code, as tests and scripts do), creates a new event
    loop and never closes it. Building inside a short-lived loop avoids those leaks; the locks
    bind to the server's loop at first use. Under uvicorn a loop is already running.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:

        async def run() -> T:
            return fn()

        return asyncio.run(run())
    return fn()
