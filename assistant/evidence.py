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
    text = fold(text).replace("ß", "ss").replace("œ", "oe").replace("æ", "ae")
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
    lay_patterns: tuple[str, ...] = ()
    """Lay descriptions as regular expressions over normalised text ("the neck nerve op",
    "my own fat put in", "wires in my head"), in seven languages."""
    lay_exclude: tuple[str, ...] = ()
    """Where one of these matches, the lay patterns do not count (an external device is not an
    implanted stimulator)."""
    tier: str
    summary: str
    references: tuple[str, ...]
    within_general: bool = False
    """A form of trigger-site surgery at one site: the general position on migraine surgery
    covers it too, and its caveat keeps the general entry after its own."""

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        alternatives = sorted({normalise(a) for a in self.aliases if normalise(a)}, key=len)
        body = "|".join(re.escape(a) for a in reversed(alternatives))
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)")

    @cached_property
    def lay_pattern(self) -> re.Pattern[str] | None:
        if not self.lay_patterns:
            return None
        return re.compile("|".join(f"(?:{p})" for p in self.lay_patterns))

    @cached_property
    def lay_exclude_pattern(self) -> re.Pattern[str] | None:
        if not self.lay_exclude:
            return None
        return re.compile("|".join(f"(?:{p})" for p in self.lay_exclude))

    def lay_spans(self, norm: str) -> list[tuple[int, int]]:
        """Where ``norm`` (normalised text) describes this procedure in lay words."""
        if self.lay_pattern is None:
            return []
        if self.lay_exclude_pattern is not None and self.lay_exclude_pattern.search(norm):
            return []
        return [(m.start(), m.end()) for m in self.lay_pattern.finditer(norm)]


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
        """Every tier is known, every reference label is defined, every lay pattern compiles."""
        items: list[GeneralStatus | Procedure] = [self.general, *self.procedures]
        for procedure in self.procedures:
            for pattern in (*procedure.lay_patterns, *procedure.lay_exclude):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"{procedure.id}: bad lay pattern {pattern!r}: {exc}") from exc
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
        "nerve decompression" inside it. A lay description ("the neck nerve op") counts for a
        procedure that no alias names, where it does not overlap another procedure's alias.
        """
        return [p for _, p in self.find_spans(text)]

    def find_spans(self, text: str) -> list[tuple[int, Procedure]]:
        """Like :meth:`find`, with the position (in the normalised text) of each first mention."""
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
        named = {procedure for _, procedure in kept}
        lay = [
            (start, end, procedure)
            for procedure in self.procedures
            if procedure not in named
            for start, end in procedure.lay_spans(norm)
            if not any(s < end and start < e for s, e, _ in spans)
        ]
        for procedure in self.procedures:
            # A description inside a longer one of another procedure is part of that one ("the
            # nerve surgery" inside "the back of the head nerve surgery").
            first = next(
                (
                    start
                    for start, end, p in lay
                    if p is procedure
                    and not any(
                        o is not procedure and s <= start and end <= e and (e - s) > (end - start)
                        for s, e, o in lay
                    )
                ),
                None,
            )
            if first is not None:
                kept.append((first, procedure))
        kept.sort(key=lambda item: item[0])
        seen: list[Procedure] = []
        out: list[tuple[int, Procedure]] = []
        for start, procedure in kept:
            if procedure not in seen:
                seen.append(procedure)
                out.append((start, procedure))
        return out

    def cite(self, labels: tuple[str, ...]) -> list[str]:
        """Human-readable citations for reference labels."""
        out = []
        for label in labels:
            ref = self.references[label]
            out.append(f"{ref.citation}" + (f" {ref.url}" if ref.url else ""))
        return out
