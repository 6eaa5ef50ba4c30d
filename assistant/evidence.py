"""The evidence registry: each procedure's aliases, evidence tier, status and references."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from assistant.text import fold

TIERS = (
    "not-recommended-outside-trials",
    "limited-low-quality",
    "unproven",
    "negative-trials",
)


def normalise(text: str) -> str:
    """Folded text for alias matching: no accents, no dots in acronyms, hyphens as spaces."""
    text = fold(text)
    text = re.sub(r"(?<=\w)\.(?=\w)", "", text)  # m.i.g.o.n.e -> migone
    text = re.sub(r"(?<=\w)\.(?!\w)", " ", text)
    text = re.sub(r"[-_/’'`]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


class Reference(BaseModel):
    model_config = ConfigDict(frozen=True)

    citation: str
    url: str | None = None


class Procedure(BaseModel):
    """One procedure of the registry."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    short_name: str | None = None
    aliases: tuple[str, ...]
    tier: str
    summary: str
    references: tuple[str, ...]

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        alternatives = sorted({normalise(a) for a in self.aliases if normalise(a)}, key=len)
        body = "|".join(re.escape(a) for a in reversed(alternatives))
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


class GeneralStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    tier: str
    summary: str
    references: tuple[str, ...]


class EvidenceRegistry(BaseModel):
    """The registry file, validated."""

    model_config = ConfigDict(frozen=True)

    version: int
    references: dict[str, Reference]
    general: GeneralStatus
    procedures: tuple[Procedure, ...] = Field(min_length=1)

    @classmethod
    def load(cls, path: Path) -> EvidenceRegistry:
        registry = cls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        registry.check()
        return registry

    def check(self) -> None:
        """Every tier is known and every reference label is defined."""
        items: list[GeneralStatus | Procedure] = [self.general, *self.procedures]
        for item in items:
            if item.tier not in TIERS:
                raise ValueError(f"unknown evidence tier {item.tier!r}")
            missing = [r for r in item.references if r not in self.references]
            if missing:
                raise ValueError(f"undefined references {missing}")

    def find(self, text: str) -> list[Procedure]:
        """Procedures named in ``text``, in the order they first appear.

        Where names of two procedures overlap, the one that starts first (then the longer) counts:
        "occipital nerve decompression" names only the occipital procedure, not the
        "nerve decompression" inside it.
        """
        norm = normalise(text)
        spans: list[tuple[int, int, Procedure]] = []
        for procedure in self.procedures:
            spans.extend((m.start(), m.end(), procedure) for m in procedure.pattern.finditer(norm))
        kept = [
            (start, procedure)
            for start, end, procedure in spans
            if not any(
                other is not procedure
                and s < end
                and start < e
                and (s < start or (s == start and e > end))
                for s, e, other in spans
            )
        ]
        kept.sort(key=lambda item: item[0])
        seen: list[Procedure] = []
        for _, procedure in kept:
            if procedure not in seen:
                seen.append(procedure)
        return seen

    def cite(self, labels: tuple[str, ...]) -> list[str]:
        """Human-readable citations for reference labels."""
        out = []
        for label in labels:
            ref = self.references[label]
            out.append(f"{ref.citation}" + (f" {ref.url}" if ref.url else ""))
        return out
