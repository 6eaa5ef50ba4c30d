"""The lay-vocabulary lexicon (``assistant/resources/lay_lexicon.yaml``), compiled: language
markers, lay names of procedures, facet phrases, translations, treatments and the facet patterns
of source sentences, as regular expressions over :func:`fold_text` output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from assistant.evidence import normalise

RESOURCES = Path(__file__).resolve().parent / "resources"
LEXICON_FILE = RESOURCES / "lay_lexicon.yaml"
LANGUAGES = ("en", "es", "fr", "de", "nl", "pt", "it")
Language = Literal["en", "es", "fr", "de", "nl", "pt", "it"]


# ---- phrases ------------------------------------------------------------------------------
def fold_text(text: str) -> str:
    """The form every phrase is matched on: folded, dotted acronyms joined, hyphens and
    apostrophes as spaces, whitespace collapsed."""
    return normalise(text)


GAP = r"\s(?:.{0,40}?\s)?"
"""What "..." in a lexicon phrase stands for: up to 40 characters between two words."""


def phrase_regex(phrase: str) -> str:
    """A lexicon phrase as a regular expression over :func:`fold_text` output."""
    from assistant.text import fold

    text = fold(phrase).replace("’", " ").replace("'", " ").replace("-", " ")
    text = re.sub(r"\s+", " ", text.strip())
    text = text.replace(" ... ", "\x00").replace("...", "\x00")
    # "*" after a letter (or at a word start) stands for any letters.
    text = re.sub(r"(?<![\\)\]])\*", r"\\w*", text)
    text = text.replace(" ", r"\s+").replace("\x00", GAP)
    return rf"(?<!\w)(?:{text})(?!\w)"


def compile_phrases(phrases: Iterable[str]) -> re.Pattern[str] | None:
    parts = [phrase_regex(p) for p in phrases if p and p.strip()]
    if not parts:
        return None
    # Longer alternatives first, so the longest phrase at a position wins.
    parts.sort(key=len, reverse=True)
    return re.compile("|".join(parts))


def phrase_spans(pattern: re.Pattern[str] | None, text: str) -> list[tuple[int, int]]:
    if pattern is None:
        return []
    return [m.span() for m in pattern.finditer(text)]


@dataclass(frozen=True)
class Treatment:
    id: str
    display: str | None
    english: tuple[str, ...]
    pattern: re.Pattern[str]


class Lexicon:
    """The lay-vocabulary lexicon, compiled."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.markers = {
            lang: frozenset(fold_text(w) for w in words)
            for lang, words in data["languages"].items()
        }
        self.procedures: dict[str, dict[str, re.Pattern[str] | None]] = {
            pid: {lang: compile_phrases(phrases) for lang, phrases in by_lang.items()}
            for pid, by_lang in data["procedures"].items()
        }
        self.hints: dict[str, dict[str, re.Pattern[str] | None]] = {
            pid: {lang: compile_phrases(phrases) for lang, phrases in by_lang.items()}
            for pid, by_lang in data.get("procedure_hints", {}).items()
        }
        self.place_hints: dict[str, dict[str, re.Pattern[str] | None]] = {
            pid: {lang: compile_phrases(phrases) for lang, phrases in by_lang.items()}
            for pid, by_lang in data.get("place_hints", {}).items()
        }
        self.other_sites = {k: compile_phrases(v) for k, v in data.get("other_sites", {}).items()}
        self.generic = {k: compile_phrases(v) for k, v in data["generic_surgery"].items()}
        self.referring = {k: compile_phrases(v) for k, v in data["referring"].items()}
        self.asides = {k: compile_phrases(v) for k, v in data["asides"].items()}
        self.background = {k: compile_phrases(v) for k, v in data["background"].items()}
        # Any language's "my past" cue: a sentence that tells of treatments tried.
        self.any_background = compile_phrases(
            phrase for phrases in data["background"].values() for phrase in phrases
        )
        self.others = {k: compile_phrases(v) for k, v in data.get("others", {}).items()}
        # Words beside a procedure's name that make it another treatment ("vagus nerve
        # stimulation" is no implanted occipital stimulator): any language.
        self.not_procedure: dict[str, re.Pattern[str]] = {
            pid: re.compile("|".join(f"(?:{p})" for p in patterns))
            for pid, patterns in data.get("not_procedure", {}).items()
        }
        # One pattern per phrase, so that overlapping phrases of different facets are all seen.
        self.concepts: dict[str, tuple[str, dict[str, list[re.Pattern[str]]]]] = {}
        for facet, entry in data["concepts"].items():
            langs = {
                k: [re.compile(phrase_regex(p)) for p in v if p and p.strip()]
                for k, v in entry.items()
                if k in LANGUAGES
            }
            self.concepts[facet] = (entry.get("english") or "", langs)
        self.weak_facets = frozenset(data.get("weak_facets", ()))
        self.facet_overrides: dict[str, list[str]] = dict(data.get("facet_overrides", {}))
        self.narrower: dict[str, list[str]] = dict(data.get("narrower", {}))
        self.translations = [
            (entry["english"], {k: compile_phrases(v) for k, v in entry.items() if k in LANGUAGES})
            for entry in data["translations"]
        ]
        self.treatments = [
            Treatment(
                id=t["id"],
                display=t.get("display"),
                english=tuple(t["english"]),
                pattern=compile_phrases(t["names"]),  # type: ignore[arg-type]
            )
            for t in data["treatments"]
        ]
        self.domain = compile_phrases(data.get("domain", ())) or re.compile(r"(?!)")
        self.elsewhere = {k: compile_phrases(v) for k, v in data.get("elsewhere", {}).items()}
        self.head_and_neck = {
            k: compile_phrases(v) for k, v in data.get("head_and_neck", {}).items()
        }
        self.treatment_forms = {
            lang: re.compile("|".join(rf"(?<!\w)(?:{p})(?!\w)" for p in patterns))
            for lang, patterns in data.get("treatment_forms", {}).items()
            if patterns
        }
        self.source_facets = {
            facet: re.compile("|".join(rf"(?<!\w)(?:{p})(?!\w)" for p in patterns))
            for facet, patterns in data["source_facets"].items()
        }

    def places_in(self, norm: str, languages: Iterable[str] | None = None) -> list[str]:
        """Procedures that where the patient hurts, or what they have, points at in ``norm``
        (folded text), in order of appearance; ``languages`` None reads every language."""
        found: list[tuple[int, str]] = []
        for pid, by_lang in self.place_hints.items():
            for lang, pattern in by_lang.items():
                if languages is None or lang in languages:
                    found += [(s, pid) for s, _ in phrase_spans(pattern, norm)]
        return list(dict.fromkeys(pid for _, pid in sorted(found)))

    def main_clauses(
        self,
        text: str,
        languages: Iterable[str] = LANGUAGES,
        also: re.Pattern[str] | None = None,
    ) -> str:
        """The folded text without its asides: the "if", "before" and "better than" clauses
        of the given languages (each up to the next punctuation mark), and whatever ``also``
        matches on the folded text."""
        norm = fold_text(text)
        cuts = [m.span() for m in also.finditer(norm)] if also is not None else []
        for lang in languages:
            for start, _ in phrase_spans(self.asides.get(lang), norm):
                stop = re.search(r"[,?!.;]|$", norm[start:])
                cuts.append((start, start + (stop.start() if stop else len(norm) - start)))
        for start, end in sorted(cuts, reverse=True):
            norm = norm[:start] + " " + norm[end:]
        return norm

    @classmethod
    def load(cls, path: Path = LEXICON_FILE) -> Lexicon:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=4)
def default_lexicon(path: str = str(LEXICON_FILE)) -> Lexicon:
    return Lexicon.load(Path(path))
