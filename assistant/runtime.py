"""What every entry point shares: the offline environment and how an Assistant is built.

The CLI, the server, the eval and bench commands and the tests' child processes all run with
:data:`OFFLINE_ENV` (no model hub, no telemetry) and build their ``Assistant`` with
:func:`make_assistant`, so a folder given on any command line means the same thing everywhere.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.service import Assistant

OFFLINE_ENV: Mapping[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}
"""Nothing the assistant runs may reach a model hub or an analytics service."""


def offline_env() -> None:
    """Set :data:`OFFLINE_ENV` in this process, keeping values already set."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def shell_exports() -> str:
    """:data:`OFFLINE_ENV` as shell ``export`` lines (``scripts/env.sh`` evaluates them: the
    scripts always run offline, whatever the calling shell had set)."""
    return "\n".join(f"export {key}={shlex.quote(value)}" for key, value in OFFLINE_ENV.items())


def make_assistant(
    knowledge_dir: str | Path | None = None,
    data_dir: str | Path | None = None,
    embedder: Any = None,
) -> Assistant:
    """An Assistant over the settings from the environment, with the folders given."""
    from assistant.service import Assistant
    from assistant.settings import Settings

    overrides: dict[str, Any] = {}
    if knowledge_dir:
        overrides["knowledge_dir"] = Path(knowledge_dir)
    if data_dir:
        overrides["data_dir"] = Path(data_dir)
    return Assistant(Settings(**overrides), embedder=embedder)
