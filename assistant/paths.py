"""Where the assistant's reviewed data lives.

The default prompts, the knowledge folder (the corpus and its evidence registry) and the
evaluation data are shipped inside the package, under ``assistant/bundled/``, and read with
:mod:`importlib.resources`. In the repository, ``assistant/bundled/knowledge``, ``prompts`` and
``evals`` are links to the top-level ``knowledge/``, ``prompts/`` and ``evals/`` folders, which
people read and extend: a checkout, an editable install and an installed wheel read the same
files, and there is one copy of each.

What overrides them, as before: the ``knowledge_dir`` setting (its own registry file, when it
has one), a prompts folder given to :meth:`assistant.prompts.PromptSet.load`, an ``evals/``
folder in the working directory, and the file options of ``assistant eval``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

BUNDLED = "bundled"
REGISTRY_FILE = "evidence-registry.yaml"
EVALS_HERE = Path("evals")
"""The working directory's eval folder, which takes precedence over the shipped one."""


def bundled(name: str) -> Path:
    """A folder shipped inside the package: ``knowledge``, ``prompts`` or ``evals``."""
    found = resources.files("assistant").joinpath(BUNDLED, name)
    if not isinstance(found, Path) or not found.is_dir():
        # The package is installed as files (a wheel, an editable install or a checkout);
        # a zipped package would need extracting first.
        raise FileNotFoundError(f"the package data folder {BUNDLED}/{name} is missing")
    return found


def knowledge_dir() -> Path:
    """The shipped knowledge folder: the reviewed sources and the evidence registry."""
    return bundled("knowledge")


def registry_file() -> Path:
    """The shipped evidence registry, used when a knowledge folder has none of its own."""
    return knowledge_dir() / REGISTRY_FILE


def prompts_dir() -> Path:
    """The shipped default prompts (``system.md``, ``answer.md``, ``rewrite.md``)."""
    return bundled("prompts")


def eval_data_dir() -> Path:
    """The eval data folder: ``evals/`` in the working directory when there is one, else the
    shipped one (question sets, outside-written sets, thresholds)."""
    return EVALS_HERE if EVALS_HERE.is_dir() else bundled("evals")


def eval_path(relative: str | Path) -> Path:
    """One eval file or folder, e.g. ``"thresholds.yaml"`` or ``"outside"``: under the working
    directory's ``evals/`` when it is there, else the shipped one."""
    here = EVALS_HERE / relative
    return here if here.exists() else bundled("evals") / relative
