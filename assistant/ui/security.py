"""What a mounted Gradio app needs closed or contained: its upload and dev routes, and its
cache folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

# Gradio routes the UI never uses: file uploads (no component takes files) and the dev-mode
# reload stream. Refused before Gradio sees the request.
CLOSED_GRADIO_ROUTES = ("/gradio_api/upload", "/gradio_api/dev/", "/gradio_api/upload_progress")


class ClosedRoutesMiddleware:
    """404 for :data:`CLOSED_GRADIO_ROUTES`, whatever the method."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CLOSED_GRADIO_ROUTES):
            response = JSONResponse(
                {"error": "not_found", "message": f"Nothing is served at {scope['path']}."},
                status_code=404,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def gradio_temp_dir(data_dir: Path) -> Path:
    """Gradio's cache folder for this app: under the data folder, never the system temp."""
    return data_dir.resolve() / "gradio-tmp"


def reset_temp_dir(path: Path) -> None:
    """Empty Gradio's cache folder (at start and at shutdown): nothing in it outlives a run."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
