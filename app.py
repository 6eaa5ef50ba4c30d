"""Serve the patient UI and the staff API: ``python app.py`` is ``assistant serve``.

Builds the index first when there is none, then serves the UI at http://127.0.0.1:7860/ and the
API under /api/v1/. Options are those of ``assistant serve``; settings come from ASSISTANT_*
environment variables (see the README).
"""

import sys

from assistant.server import main

if __name__ == "__main__":
    sys.exit(main())
