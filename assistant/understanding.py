"""Question understanding: what a patient's question is about and what it asks, in any of
seven languages, without a generative model.

From the question (and the conversation before it) this reads:

- the language (en, es, fr, de, nl, pt, it), from its function words;
- the procedure(s) it is about: the evidence registry's aliases plus the lay names of the
  lexicon ("the neck nerve operation", "injecting your own fat"), or, for a follow-up that names
  none, those of the conversation's last turn that named one; a procedure the patient mentions
  only as their past ("my first operation did nothing") gives way to the one they ask about;
- what it asks (its facets): what it is, how it is done, duration, anaesthesia, hospital stay,
  recovery, pain afterwards, risks, making things worse, efficacy, who it suits, cost,
  alternatives, diagnosis, causes, professional position, or a surgeon/clinic recommendation;
- the named treatments it asks about (triptans, CGRP medicines, CBD, supplements ...);
- English search words for all of it (the lexicon's translations), so that an English corpus
  can be searched with a question in another language.

The vocabulary is data: ``assistant/resources/lay_lexicon.yaml``.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from assistant.evidence import EvidenceRegistry, normalise
from assistant.text import STOPWORDS
from assistant.types import Turn

RESOURCES = Path(__file__).resolve().parent / "resources"
LEXICON_FILE = RESOURCES / "lay_lexicon.yaml"
LANGUAGES = ("en", "es", "fr", "de", "nl", "pt", "it")
Language = Literal["en", "es", "fr", "de", "nl", "pt", "it"]
FACETS = (
    "what_it_is",
    "how_done",
    "duration",
    "anaesthesia",
    "hospital_stay",
    "recovery",
    "pain_after",
    "risks",
    "worse",
    "efficacy",
    "who_suits",
    "cost",
    "alternatives",
    "diagnosis",
    "causes",
    "professional_position",
    "difference",
    "mechanism",
    "provider",
)
GENERAL = "general"
_SIBLINGS_OF_WEAK = frozenset({"how_done"})
"""Facets that keep "what is it" beside them: "what is it, what do they cut" asks both."""
"""Pseudo-procedure: surgery for migraine in general (a question naming no specific one)."""

# Registry aliases that name surgery for migraine in general rather than one technique.
_SPECIFIC_WORDS = re.compile(
    r"trigger|gatillo|gachette|punkt|punt|gatilho|decompres|dekompres|decompress|deactivat|"
    r"desactiv|deaktiv|disattiv|guyuron|supraorbital|frontal|temporal|release|peripheral|"
    r"nerv|zenuw"
)


_FORM_WORD = re.compile(
    r"therap\w*|terapi\w*|ablat\w*|ablac\w*|ablaz\w*|infusions?|injections?|shots|"
    r"infiltra\w*"
)
"""Words that say what kind of treatment something is, not which."""


# ---- phrases ------------------------------------------------------------------------------
def fold_text(text: str) -> str:
    """The form every phrase is matched on: folded, dotted acronyms joined, hyphens and
    apostrophes as spaces, whitespace collapsed."""
    return normalise(text)


_READINGS_KEPT = 64
"""Understandings kept by question and conversation (see :meth:`Understander.understand`)."""
_GAP = r"\s(?:.{0,40}?\s)?"
"""What "..." in a lexicon phrase stands for: up to 40 characters between two words."""


def _phrase_regex(phrase: str) -> str:
    """A lexicon phrase as a regular expression over :func:`fold_text` output."""
    from assistant.text import fold

    text = fold(phrase).replace("’", " ").replace("'", " ").replace("-", " ")
    text = re.sub(r"\s+", " ", text.strip())
    text = text.replace(" ... ", "\x00").replace("...", "\x00")
    # "*" after a letter (or at a word start) stands for any letters.
    text = re.sub(r"(?<![\\)\]])\*", r"\\w*", text)
    text = text.replace(" ", r"\s+").replace("\x00", _GAP)
    return rf"(?<!\w)(?:{text})(?!\w)"


def compile_phrases(phrases: Iterable[str]) -> re.Pattern[str] | None:
    parts = [_phrase_regex(p) for p in phrases if p and p.strip()]
    if not parts:
        return None
    # Longer alternatives first, so the longest phrase at a position wins.
    parts.sort(key=len, reverse=True)
    return re.compile("|".join(parts))


def _spans(pattern: re.Pattern[str] | None, text: str) -> list[tuple[int, int]]:
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
        self.generic = {k: compile_phrases(v) for k, v in data["generic_surgery"].items()}
        self.referring = {k: compile_phrases(v) for k, v in data["referring"].items()}
        self.background = {k: compile_phrases(v) for k, v in data["background"].items()}
        # One pattern per phrase, so that overlapping phrases of different facets are all seen.
        self.concepts: dict[str, tuple[str, dict[str, list[re.Pattern[str]]]]] = {}
        for facet, entry in data["concepts"].items():
            langs = {
                k: [re.compile(_phrase_regex(p)) for p in v if p and p.strip()]
                for k, v in entry.items()
                if k in LANGUAGES
            }
            self.concepts[facet] = (entry.get("english") or "", langs)
        self.weak_facets = frozenset(data.get("weak_facets", ()))
        self.facet_overrides: dict[str, list[str]] = dict(data.get("facet_overrides", {}))
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
        self.treatment_forms = {
            lang: re.compile("|".join(rf"(?<!\w)(?:{p})(?!\w)" for p in patterns))
            for lang, patterns in data.get("treatment_forms", {}).items()
            if patterns
        }
        self.source_facets = {
            facet: re.compile("|".join(rf"(?<!\w)(?:{p})(?!\w)" for p in patterns))
            for facet, patterns in data["source_facets"].items()
        }

    @classmethod
    def load(cls, path: Path = LEXICON_FILE) -> Lexicon:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=4)
def default_lexicon(path: str = str(LEXICON_FILE)) -> Lexicon:
    return Lexicon.load(Path(path))


# ---- the result ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TreatmentMention:
    id: str
    name: str
    """As the patient wrote it (or the lexicon's display name)."""
    english: tuple[str, ...]
    background: bool = False
    unlisted: bool = False
    """Named by its form only ("ozone therapy", "radiofrequency ablation"), not by the
    lexicon: it only matters when the sources never mention it."""


@dataclass(frozen=True)
class Understanding:
    """What a question is about and what it asks."""

    question: str
    language: str = "en"
    procedures: tuple[str, ...] = ()
    """Registry procedure ids, most relevant first; ``general`` for surgery in general."""
    procedures_from: Literal["question", "history", "none"] = "none"
    facets: tuple[str, ...] = ()
    facets_from_history: bool = False
    treatments: tuple[TreatmentMention, ...] = ()
    english_terms: tuple[str, ...] = ()
    """Search words in the sources' language: translations, facet words, procedure names."""
    follow_up: bool = False
    background_procedures: tuple[str, ...] = ()
    understood: float = 1.0
    named_as: tuple[str, ...] = ()
    """The names the question gives its procedures (folded), as written."""
    """Share of the question's content words that the lexicon or the registry knows."""

    @property
    def provider(self) -> bool:
        return "provider" in self.facets

    @property
    def specific_procedures(self) -> tuple[str, ...]:
        return tuple(p for p in self.procedures if p != GENERAL)

    @property
    def scope(self) -> frozenset[str]:
        """The registry ids a quote may be about (general surgery counts as trigger-site
        surgery, as the registry's "migraine surgery" alias does)."""
        out = set(self.specific_procedures)
        if GENERAL in self.procedures:
            out.add("trigger-site-surgery")
        return frozenset(out)

    @property
    def subject_treatments(self) -> tuple[TreatmentMention, ...]:
        return tuple(t for t in self.treatments if not t.background)

    def describe(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "procedures": list(self.procedures),
            "procedures_from": self.procedures_from,
            "facets": list(self.facets),
            "treatments": [t.name for t in self.treatments],
            "follow_up": self.follow_up,
        }


@dataclass
class _Mentions:
    procedures: list[tuple[int, str]] = field(default_factory=list)  # (position, id)
    generic: bool = False
    background: set[str] = field(default_factory=set)
    spans: list[tuple[int, int]] = field(default_factory=list)


# ---- the reader ---------------------------------------------------------------------------
_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]*")
_RAW_SENTENCE = re.compile(r"(?:[^.!?\n]|\.(?=\w))+[.!?\n]*")


_INTERROGATIVE = re.compile(
    r"^\W*(?:(?:and|but|so|ok|also|y|pero|et|mais|und|aber|en|maar|e|mas|ma)\s+)?"
    r"(?:what|whats|which|how|why|when|where|who|whose|is|are|was|were|do|does|did|can|could|"
    r"will|would|should|has|have|any|que|cual|como|cuando|donde|quien|cuanto|cuanta|hay|"
    r"quel|quelle|quels|quelles|comment|pourquoi|quand|ou|qui|combien|est ce|"
    r"was|welche|welcher|welches|wie|warum|wieso|wann|wo|wer|ist|sind|gibt|kann|muss|"
    r"wat|welk|welke|hoe|waarom|wanneer|waar|wie|kan|moet|heeft|"
    r"o que|qual|quais|por que|onde|quem|quanto|pode|posso|"
    r"che|cosa|quale|quali|perche|dove|chi|quanto|si puo)\b"
)


def _asking(sentences: Sequence[str]) -> list[bool]:
    """Which sentences ask: those that end with a question mark, and a last sentence that
    opens with a question word (patients often leave the question mark off their last
    question; a closing remark, "sounds too good to be true", asks nothing)."""
    last = len(sentences) - 1
    return [
        s.rstrip().endswith("?")
        or (n == last and not s.rstrip().endswith(".") and bool(_INTERROGATIVE.match(fold_text(s))))
        for n, s in enumerate(sentences)
    ]


def _sentences(text: str) -> list[str]:
    """Sentences of the original text (a dot inside a word, as in M.I.G.O.N.E, does not end
    one)."""
    return [m.group() for m in _RAW_SENTENCE.finditer(text) if m.group().strip()]


class Understander:
    """Reads questions with the evidence registry and the lexicon."""

    def __init__(self, registry: EvidenceRegistry, lexicon: Lexicon | None = None) -> None:
        self.registry = registry
        self.lexicon = lexicon or default_lexicon()
        self._read: OrderedDict[tuple[str, tuple[str, ...]], Understanding] = OrderedDict()
        self._lock = threading.Lock()

    @cached_property
    def _generic_aliases(self) -> re.Pattern[str] | None:
        names = []
        for procedure in self.registry.procedures:
            for alias in procedure.aliases:
                norm = normalise(alias)
                if procedure.id == "trigger-site-surgery" and not _SPECIFIC_WORDS.search(norm):
                    names.append(norm)
        if not names:
            return None
        names.sort(key=len, reverse=True)
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")

    @cached_property
    def _registry_ids(self) -> frozenset[str]:
        return frozenset(p.id for p in self.registry.procedures)

    # -- language
    def language(self, text: str) -> str:
        tokens = fold_text(text).replace("?", " ").split()
        scores = {lang: 0.0 for lang in LANGUAGES}
        for token in tokens:
            token = token.strip('.,;:!?()"“”«»¿¡')
            # A function word of several languages ("de", "en", "la") counts a share in each.
            owners = [lang for lang, words in self.lexicon.markers.items() if token in words]
            for lang in owners:
                scores[lang] += 1.0 / len(owners)
        raw = text.lower()
        for chars, lang in (("ñ¿¡", "es"), ("ãõ", "pt"), ("ßäöü", "de"), ("èùœ", "fr")):
            if any(c in raw for c in chars):
                scores[lang] += 1.5
        best = max(LANGUAGES, key=lambda lang: (scores[lang], lang == "en"))
        return best if scores[best] > 0 else "en"

    # -- procedures
    def _mentions(self, text: str, language: str) -> _Mentions:
        kept, generic_spans = self._scan(fold_text(text), language)
        out = _Mentions()
        out.procedures = [(s, pid) for s, _, pid in kept]
        out.spans = [(s, e) for s, e, _ in kept]
        out.generic = bool(generic_spans) and not kept
        if len({pid for _, _, pid in kept}) > 1:
            out.background = self._background(text, language)
        return out

    def _raw_mentions(self, norm: str, language: str) -> list[tuple[int, int, str]]:
        return self._scan(norm, language)[0]

    def _scan(
        self, norm: str, language: str
    ) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]]]:
        """(start, end, procedure id) of each mention, and the spans of generic surgery words."""
        found: list[tuple[int, int, str]] = []
        for procedure in self.registry.procedures:
            for m in procedure.pattern.finditer(norm):
                found.append((m.start(), m.end(), procedure.id))
        langs = {language, "en"}
        for pid, by_lang in self.lexicon.procedures.items():
            if pid not in self._registry_ids:
                continue
            for lang in langs:
                for s, e in _spans(by_lang.get(lang), norm):
                    found.append((s, e, pid))
        if not found:
            # Words that suggest a procedure count only when nothing names one.
            for pid, by_lang in self.lexicon.hints.items():
                for lang in langs:
                    for s, e in _spans(by_lang.get(lang), norm):
                        found.append((s, e, pid))
        generic_spans: list[tuple[int, int]] = _spans(self._generic_aliases, norm)
        for lang in langs:
            if lang == "en" and language != "en":
                continue  # short English words ("op") are ordinary words elsewhere
            generic_spans += _spans(self.lexicon.generic.get(lang), norm)
        # A generic alias ("migraine surgery") is not a mention of trigger-site surgery.
        found = [
            (s, e, pid)
            for s, e, pid in found
            if not (
                pid == "trigger-site-surgery"
                and any(gs <= s and e <= ge for gs, ge in generic_spans)
            )
        ]
        # Overlapping names: the longer one counts ("occipital nerve stimulation" is not
        # "occipital nerve" decompression).
        kept: list[tuple[int, int, str]] = []
        for s, e, pid in sorted(found, key=lambda f: (-(f[1] - f[0]), f[0])):
            if not any(s < ke and ks < e for ks, ke, _ in kept):
                kept.append((s, e, pid))
        kept.sort()
        return kept, generic_spans

    def _background(self, text: str, language: str) -> set[str]:
        """Procedures nearest to a "my past" cue in their sentence."""
        out: set[str] = set()
        for sentence in _sentences(text):
            norm = fold_text(sentence)
            cues = _spans(self.lexicon.background.get(language), norm)
            if language != "en":
                cues += _spans(self.lexicon.background.get("en"), norm)
            if not cues:
                continue
            inside = self._raw_mentions(norm, language)
            if not inside:
                continue
            for cs, ce in cues:
                nearest = min(inside, key=lambda m: min(abs(m[0] - ce), abs(cs - m[1])))
                out.add(nearest[2])
        return out

    def procedures_in(self, text: str, language: str = "en") -> list[str]:
        """Registry ids named in ``text`` (lay names included), in order of appearance."""
        mentions = self._mentions(text, language)
        seen: list[str] = []
        for _, pid in sorted(mentions.procedures):
            if pid not in seen:
                seen.append(pid)
        return seen

    def _subject(self, mentions: _Mentions) -> tuple[list[str], list[str]]:
        ordered: list[str] = []
        for _, pid in sorted(mentions.procedures):
            if pid not in ordered:
                ordered.append(pid)
        foreground = [p for p in ordered if p not in mentions.background]
        background = [p for p in ordered if p in mentions.background]
        if foreground:
            return foreground, background
        return ordered, []

    # -- facets
    def facets_in(self, text: str, language: str) -> list[str]:
        """What ``text`` asks, most specific first. Words inside a procedure's name ("trigger"
        in "trigger-site surgery") do not count; when the text has sentences that ask (a
        question mark, or a last sentence that opens with a question word) and ask something,
        only those count (the rest is context)."""
        hits: list[tuple[int, int, str, bool]] = []
        sentences = [
            (fold_text(sentence), self._mentions(sentence, language).spans)
            for sentence in _sentences(text)
        ]
        for n, (norm, spans) in enumerate(sentences):
            found = self._facet_hits(norm, [language], spans)
            # Positions are made unique per sentence (sentence number * 10^6 + offset).
            hits += [(n * 10**6 + s, n * 10**6 + e, f, g) for s, e, f, g in found]
        if not hits and language != "en":
            # Nothing in the question's own language: a word of a neighbouring one may say it
            # (a mixed or misread question); never when its own language already said it.
            others = [lang for lang in LANGUAGES if lang not in ("en", language)]
            for n, (norm, spans) in enumerate(sentences):
                found = self._facet_hits(norm, others, spans)
                hits += [(n * 10**6 + s, n * 10**6 + e, f, g) for s, e, f, g in found]
        asked = _asking(_sentences(text))
        # A facet matched only inside another facet's longer phrase does not count
        # ("back to work" is recovery, not efficacy's "work"). A phrase with a gap ("tell ...
        # apart") neither hides the words in its gap ("which society ... do they") nor is hidden.
        kept = [
            (s, e, f)
            for s, e, f, gapped in hits
            if gapped
            or not any(
                f2 != f and not g2 and s2 <= s and e <= e2 and (e2 - s2) > (e - s)
                for s2, e2, f2, g2 in hits
            )
        ]
        in_questions = [h for h in kept if asked[h[0] // 10**6]]
        if in_questions:
            kept = in_questions
        kept.sort()
        facets: list[str] = []
        for _, _, facet in kept:
            if facet not in facets:
                facets.append(facet)
        weak = self.lexicon.weak_facets
        if any(f not in weak and f not in _SIBLINGS_OF_WEAK for f in facets):
            facets = [f for f in facets if f not in weak]
        overridden = {o for f in facets for o in self.lexicon.facet_overrides.get(f, ())}
        return [f for f in facets if f not in overridden]

    def _facet_hits(
        self, norm: str, langs: Sequence[str], exclude: Sequence[tuple[int, int]]
    ) -> list[tuple[int, int, str, bool]]:
        """(start, end, facet, whether the phrase has a gap) of each facet phrase found."""
        hits = []
        for facet, (_, by_lang) in self.lexicon.concepts.items():
            for lang in langs:
                for pattern in by_lang.get(lang, ()):
                    gapped = _GAP in pattern.pattern
                    for m in pattern.finditer(norm):
                        s, e = m.span()
                        if any(s < xe and xs < e for xs, xe in exclude):
                            continue
                        hits.append((s, e, facet, gapped))
        return hits

    # -- treatments
    def treatments_in(self, text: str, language: str) -> list[TreatmentMention]:
        out: list[TreatmentMention] = []
        for sentence in _sentences(text):
            norm = fold_text(sentence)
            cues = _spans(self.lexicon.background.get(language), norm)
            found: list[tuple[int, int, Treatment]] = []
            for t in self.lexicon.treatments:
                found += [(s, e, t) for s, e in _spans(t.pattern, norm)]
            found.sort(key=lambda f: f[0])
            for s, e, t in found:
                if any(m.id == t.id for m in out):
                    continue
                background = any(abs(cs - e) < 60 or abs(s - ce) < 60 for cs, ce in cues)
                out.append(
                    TreatmentMention(
                        id=t.id,
                        name=t.display or _surface(sentence, norm[s:e]),
                        english=t.english,
                        background=background,
                    )
                )
            taken = [(s, e) for s, e, _ in found]
            taken += [(s, e) for s, e, _ in self._raw_mentions(norm, language)]
            for s, e in self._treatment_forms(norm, language):
                if any(s < te and ts < e for ts, te in taken):
                    continue  # a listed treatment or a procedure ("fat transfer therapy")
                name = norm[s:e]
                taken.append((s, e))
                if any(m.id == f"unlisted:{name}" for m in out):
                    continue
                background = any(abs(cs - e) < 60 or abs(s - ce) < 60 for cs, ce in cues)
                out.append(
                    TreatmentMention(
                        id=f"unlisted:{name}",
                        name=_surface(sentence, name),
                        english=(name,),
                        background=background,
                        unlisted=True,
                    )
                )
        return out

    def _treatment_forms(self, norm: str, language: str) -> list[tuple[int, int]]:
        """Spans that name a treatment by its form ("ozone therapy", "ozonioterapia",
        "radiofrequency ablation"), leading function words dropped."""
        out = []
        # Every language's forms: a short question's language may be misread, and the forms
        # ("-terapia", "-therapie") are the same words in a patient's mixed wording.
        for lang in dict.fromkeys([language, *LANGUAGES]):
            pattern = self.lexicon.treatment_forms.get(lang)
            if pattern is None:
                continue
            for m in pattern.finditer(norm):
                s, e = m.span()
                words = norm[s:e].split()
                while words and words[0] in STOPWORDS:
                    s += len(words.pop(0)) + 1
                # A form word alone ("the therapy", "other therapies") names nothing.
                if len(words) >= 2 or (words and not _FORM_WORD.fullmatch(words[0])):
                    out.append((s, e))
        return out

    def _context_treatments(
        self, question: str, language: str, treatments: list[TreatmentMention]
    ) -> list[TreatmentMention]:
        """A treatment named only in the patient's story ("triptans don't agree with me.")
        while the question sentence asks about surgery is context, not the subject."""
        if not treatments:
            return treatments
        sentences = _sentences(question)
        asked = [s for s, a in zip(sentences, _asking(sentences), strict=True) if a]
        if not asked or len(asked) == len(sentences):
            return treatments
        asked_text = " ".join(asked)
        mentions = self._mentions(asked_text, language)
        if not (mentions.procedures or mentions.generic):
            return treatments
        in_asked = {t.id for t in self.treatments_in(asked_text, language)}
        return [
            t if t.id in in_asked or t.background else replace(t, background=True)
            for t in treatments
        ]

    # -- translations
    def english_terms(self, text: str, language: str, facets: Sequence[str]) -> list[str]:
        norm = fold_text(text)
        terms: list[str] = []
        langs = [language] if language == "en" else [language, "en"]
        for english, by_lang in self.lexicon.translations:
            if any(_spans(by_lang.get(lang), norm) for lang in langs):
                terms.append(english)
        for facet in facets:
            english = self.lexicon.concepts.get(facet, ("", {}))[0]
            if english:
                terms.append(english)
        return terms

    def understood(self, text: str, language: str) -> float:
        """Share of the content words of ``text`` inside a known name or phrase."""
        norm = fold_text(text)
        markers = self.lexicon.markers.get(language, frozenset())
        words = [m.span() for m in re.finditer(r"\w+", norm) if len(m.group()) >= 4]
        words = [w for w in words if norm[w[0] : w[1]] not in markers]
        if not words:
            return 1.0
        spans: list[tuple[int, int]] = []
        langs = {language, "en"}
        spans += [(s, e) for s, e, _ in self._scan(norm, language)[0]] + self._scan(norm, language)[
            1
        ]
        for _, by_lang in self.lexicon.concepts.values():
            for pattern in by_lang.get(language, ()):
                spans += [m.span() for m in pattern.finditer(norm)]
        for _, translated in self.lexicon.translations:
            for lang in langs:
                spans += _spans(translated.get(lang), norm)
        for t in self.lexicon.treatments:
            spans += _spans(t.pattern, norm)
        spans += _spans(self.lexicon.background.get(language), norm)
        spans += _spans(self.lexicon.referring.get(language), norm)
        known = sum(1 for a, b in words if any(s <= a and b <= e for s, e in spans))
        return known / len(words)

    def _refers_back(self, text: str, language: str) -> bool:
        norm = fold_text(text)
        return bool(_spans(self.lexicon.referring.get(language), norm))

    # -- all together
    def understand(self, question: str, history: Sequence[Turn] = ()) -> Understanding:
        """What ``question`` (after ``history``) is about and asks. One answer reads the same
        question several times (rewriting, both searches, composing): the last few readings
        are kept."""
        key = (question.strip(), tuple(t.content for t in history if t.role == "user"))
        with self._lock:
            found = self._read.get(key)
        if found is None:
            found = self._understand(question, history)
            with self._lock:
                self._read[key] = found
                while len(self._read) > _READINGS_KEPT:
                    self._read.popitem(last=False)
        return found

    def _understand(self, question: str, history: Sequence[Turn]) -> Understanding:
        question = question.strip()
        users = [t.content for t in history if t.role == "user"]
        language = self.language(question)
        if language == "en" and users and not _has_markers(self, question):
            language = self.language(users[-1])
        mentions = self._mentions(question, language)
        procedures, background = self._subject(mentions)
        facets = self.facets_in(question, language)
        treatments = self.treatments_in(question, language)
        source: Literal["question", "history", "none"] = "question" if procedures else "none"
        follow_up = False
        facets_from_history = False
        treatments = self._context_treatments(question, language, treatments)
        if not procedures and users and not [t for t in treatments if not t.background]:
            generic_turn = False
            for earlier in reversed(users):
                lang = self.language(earlier)
                earlier_mentions = self._mentions(earlier, lang)
                got, _ = self._subject(earlier_mentions)
                if got:
                    procedures, source, follow_up = got, "history", True
                    break
                if earlier_mentions.generic and not generic_turn:
                    generic_turn = True
                    # "migraine surgery" names the general topic; "the surgery" or "the op"
                    # leans on a procedure named before it, if any.
                    if _spans(self._generic_aliases, fold_text(earlier)):
                        break
            if not procedures and generic_turn:
                procedures, source, follow_up = [GENERAL], "history", True
        if not procedures and mentions.generic:
            procedures, source = [GENERAL], "question"
        if users and not facets and len(question.split()) <= 8:
            earlier_facets = self.facets_in(users[-1], self.language(users[-1]))
            if earlier_facets:
                facets, facets_from_history = earlier_facets, True
        if users and source == "question" and not follow_up:
            follow_up = not facets and len(question.split()) <= 8
        english = self.english_terms(question, language, facets)
        if source == "history":
            # The topic words of the turn that named it ("occipital neuralgia") come along.
            english += self.english_terms(users[-1], self.language(users[-1]), [])
        elif (
            not procedures
            and users
            and (self._refers_back(question, language) or len(question.split()) <= 8)
        ):
            english += self.english_terms(users[-1], self.language(users[-1]), [])
            follow_up = True
        for t in treatments:
            english.append(" ".join(t.english[:1]))
        # Numbers are the same in every language ("80 prozent" and "over 80%").
        english += re.findall(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w.])", question)
        return Understanding(
            question=question,
            language=language,
            procedures=tuple(procedures),
            procedures_from=source,
            facets=tuple(facets),
            facets_from_history=facets_from_history,
            treatments=tuple(treatments),
            english_terms=tuple(dict.fromkeys(english)),
            follow_up=follow_up,
            background_procedures=tuple(background),
            understood=self.understood(question, language),
            named_as=tuple(
                fold_text(question)[s:e]
                for s, e in mentions.spans
                if " " in fold_text(question)[s:e]
            ),
        )

    def display_names(self, ids: Iterable[str]) -> list[str]:
        names = {p.id: p.display_name for p in self.registry.procedures}
        return [names.get(i, "migraine surgery") for i in ids]

    def search_text(self, understanding: Understanding, text: str | None = None) -> str:
        """``text`` (the question) with English search words for what it is about and asks."""
        base = text if text is not None else understanding.question
        names = self.display_names(understanding.procedures)
        if understanding.language != "en":
            # An English corpus is searched in English: the question's words in the sources'
            # language, from the lexicon (its own words would only add noise).
            english = [*names, *understanding.english_terms]
            return "; ".join(english) if english else base
        folded = base.lower()
        # "surgery" alone is already in the question's words: only specific names are added.
        specific = self.display_names(understanding.specific_procedures)
        extra = [name for name in specific if name.lower() not in folded]
        # An English question keeps its own words for what it asks (the facets' keyword
        # searches bring those passages); lay words get their clinical translation.
        facet_words = {self.lexicon.concepts.get(f, ("", {}))[0] for f in understanding.facets}
        extra += [t for t in understanding.english_terms if t not in facet_words]
        return f"{base} ({'; '.join(extra)})" if extra else base

    def expand(self, query: str) -> str:
        """The search text for a standalone query (the retriever's dense query)."""
        return self.search_text(self.understand(query))

    def expand_lexical(self, query: str) -> str:
        """The BM25 query: an English question as it is, another language's in English."""
        u = self.understand(query)
        return query if u.language == "en" else self.search_text(u)

    def facet_search_texts(self, u: Understanding) -> list[str]:
        """One English keyword query per facet asked, with the procedures' names: a BM25
        search for each brings the passages that say it (no model call)."""
        names = " ".join(self.display_names(u.procedures)) if u.procedures else ""
        treatments = " ".join(t.english[0] for t in u.subject_treatments if t.english)
        out = []
        for facet in u.facets:
            english = self.lexicon.concepts.get(facet, ("", {}))[0]
            if english:
                out.append(f"{names} {treatments} {english}".strip())
        facet_words = {self.lexicon.concepts.get(f, ("", {}))[0] for f in u.facets}
        translated = [t for t in u.english_terms if t not in facet_words]
        if translated:
            # The patient's own words, in the sources' words ("keeping track" -> "diary").
            out.append(f"{names} {treatments} {' '.join(translated)}".strip())
        return out


def _has_markers(understander: Understander, text: str) -> bool:
    tokens = set(fold_text(text).replace("?", " ").split())
    return any(tokens & words for words in understander.lexicon.markers.values())


def _surface(original: str, folded_match: str) -> str:
    """The patient's own spelling of a folded match, when it can be found."""
    pattern = re.compile(r"\s+".join(re.escape(w) for w in folded_match.split()), re.IGNORECASE)
    from assistant.text import fold

    folded_original = fold(original).replace("-", " ").replace("'", " ").replace("’", " ")
    m = pattern.search(folded_original)
    if m and len(folded_original) == len(original):
        return original[m.start() : m.end()]
    return folded_match


def procedure_ids_in(registry: EvidenceRegistry, text: str) -> list[str]:
    """Registry ids named in ``text`` (registry aliases and the lexicon's English lay names)."""
    return Understander(registry).procedures_in(text)
