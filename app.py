"""Serve the patient UI and the staff API with default settings: ``python app.py``.

Builds the index first when there is none, then serves the UI at http://127.0.0.1:7860/ and the
API under /api/v1/ in one process. Options are those of ``assistant serve`` (``--port``,
``--workers``, ...); settings come from ASSISTANT_* environment variables (see the README).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from assistant import server

    server.offline_env()
    from assistant.errors import AssistantError
    from assistant.service import Assistant

    assistant = Assistant()
    try:
        report = assistant.ensure_index(lambda msg: print(msg, file=sys.stderr, flush=True))
        if report is not None:
            print(report.summary(), file=sys.stderr)
    except AssistantError as exc:  # serve anyway: /readyz says what is wrong
        print(f"warning: the index could not be built: {exc}", file=sys.stderr)
    finally:
        assistant.close()
    args = sys.argv[1:] if argv is None else argv
    return server.main(["--no-ingest", *args])


if __name__ == "__main__":
    sys.exit(main())
