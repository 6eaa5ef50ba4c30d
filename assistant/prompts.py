"""Prompt files: Markdown with a front matter naming the prompt and its version. The defaults
are shipped with the package (``prompts/`` in the repository); another folder can be given to
:meth:`PromptSet.load`. The versions of the prompts used are recorded on every generated
Answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.paths import prompts_dir

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    text: str

    def format(self, **values: str) -> str:
        out = self.text
        for key, value in values.items():
            out = out.replace("{" + key + "}", value)
        return out


@dataclass(frozen=True)
class PromptSet:
    system: Prompt
    answer: Prompt
    rewrite: Prompt

    @property
    def version(self) -> str:
        """E.g. ``system@1+answer@1+rewrite@1``."""
        return "+".join(f"{p.name}@{p.version}" for p in (self.system, self.answer, self.rewrite))

    @classmethod
    def load(cls, folder: Path | None = None) -> PromptSet:
        """The prompts in ``folder``, by default the shipped ones."""
        base = prompts_dir() if folder is None else folder
        return cls(*(load_prompt(base / f"{name}.md") for name in ("system", "answer", "rewrite")))


def load_prompt(path: Path) -> Prompt:
    raw = path.read_text(encoding="utf-8")
    match = _FRONT.match(raw)
    if not match:
        raise ValueError(f"{path}: a prompt file starts with front matter (name, version)")
    meta = yaml.safe_load(match.group(1)) or {}
    if "version" not in meta:
        raise ValueError(f"{path}: the front matter has no version")
    return Prompt(
        str(meta.get("name", path.stem)), str(meta["version"]), raw[match.end() :].strip()
    )
