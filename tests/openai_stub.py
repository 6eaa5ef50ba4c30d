"""A scripted OpenAI-compatible chat endpoint for tests: replies are written by the test."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any


def _chunk(word: str) -> bytes:
    chunk = {
        "id": "x",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "scripted",
        "choices": [{"index": 0, "delta": {"content": word + " "}, "finish_reason": None}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


def send_reply(
    handler: BaseHTTPRequestHandler,
    body: dict[str, Any],
    text: str,
    pause_before: Callable[[int], threading.Event | None] | None = None,
) -> None:
    """Answer one chat request with ``text``: streamed word by word (server-sent events) when
    the request asks for a stream, else as one completion. ``pause_before(i)`` may return an
    event to wait for (up to 60 s) before word ``i`` is sent."""
    if body.get("stream"):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        for i, word in enumerate(text.split(" ")):
            gate = pause_before(i) if pause_before else None
            if gate is not None:
                gate.wait(60)
            handler.wfile.write(_chunk(word))
            handler.wfile.flush()
        handler.wfile.write(b"data: [DONE]\n\n")
        return
    data = json.dumps(
        {
            "id": "x",
            "object": "chat.completion",
            "created": 0,
            "model": "scripted",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": text},
                }
            ],
        }
    ).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def read_body(handler: BaseHTTPRequestHandler) -> dict[str, Any]:
    length = int(handler.headers.get("Content-Length", 0))
    return json.loads(handler.rfile.read(length) or b"{}")  # type: ignore[no-any-return]
