"""``python app.py [OPTIONS]`` is ``assistant serve [OPTIONS]``: builds a missing index, then serves
the UI at http://127.0.0.1:7860/ and the API under /api/v1/ (settings: ASSISTANT_* variables)."""

import sys

from assistant.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
