"""Where a question names procedures and treatments: registry aliases and the lexicon's lay
names, generic words for migraine surgery, a procedure the patient mentions only as their past,
treatments named by the lexicon or only by their form ("ozone therapy"). The base of
:class:`assistant.understanding.Understander`.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from assistant.evidence import EvidenceRegistry, normalise
from assistant.guardrails.treatments import default_catalogue
from assistant.lexicon import (
    LANGUAGES,
    Lexicon,
    Treatment,
    default_lexicon,
    fold_text,
    phrase_spans,
)
from assistant.question import TreatmentMention, Understanding, asking, sentences_of
from assistant.text import STOPWORDS

# Registry aliases that name surgery for migraine in general rather than one technique.
_SPECIFIC_WORDS = re.compile(
    r"trigger|gatillo|gachette|punkt|punt|gatilho|decompres|dekompres|decompress|deactivat|"
    r"desactiv|deaktiv|disattiv|guyuron|supraorbital|frontal|temporal|release|peripheral|"
    r"nerv|zenuw"
)


_LETTERS = (
    ("ñ¿¡", ("es",)),
    ("ãõ", ("pt",)),
    ("ßäöü", ("de",)),
    ("ùœ", ("fr",)),
    ("è", ("fr", "it")),  # "très" and "è": French and Italian alike
)
"""Letters typical of languages (a letter of several counts a share in each)."""
_OTHERS_BEFORE = 24
"""How far before a "my past" cue a word for other people ("has anyone tried") may stand."""

_FORM_WORD = re.compile(
    r"therap\w*|terapi\w*|ablat\w*|ablac\w*|ablaz\w*|infusions?|injections?|shots|"
    r"infiltra\w*"
)
"""Words that say what kind of treatment something is, not which."""


@dataclass
class _Mentions:
    procedures: list[tuple[int, str]] = field(default_factory=list)  # (position, id)
    generic: bool = False
    background: set[str] = field(default_factory=set)
    spans: list[tuple[int, int]] = field(default_factory=list)


class MentionReader:
    """Reads language, procedures and treatments with the evidence registry and the lexicon."""

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
    def language(self, text: str, context: Sequence[str] = ()) -> str:
        """The language of ``text``; when its own words leave two languages close ("la prima
        funziona almeno?" is as French as Italian by its function words), the patient's
        earlier messages (``context``) tip the balance."""
        scores = self._language_scores(text)
        top, second = sorted(scores.values(), reverse=True)[:2]
        if context and top - second < 1.0:
            for earlier in context:
                for lang, score in self._language_scores(earlier).items():
                    scores[lang] += 0.5 * score
        best = max(LANGUAGES, key=lambda lang: (scores[lang], lang == "en"))
        return best if scores[best] > 0 else "en"

    def _language_scores(self, text: str) -> dict[str, float]:
        tokens = fold_text(text).replace("?", " ").split()
        scores = {lang: 0.0 for lang in LANGUAGES}
        for token in tokens:
            token = token.strip('.,;:!?()"“”«»¿¡')
            # A function word of several languages ("de", "en", "la") counts a share in each.
            owners = [lang for lang, words in self.lexicon.markers.items() if token in words]
            for lang in owners:
                scores[lang] += 1.0 / len(owners)
        raw = text.lower()
        for chars, langs in _LETTERS:
            if any(c in raw for c in chars):
                for lang in langs:
                    scores[lang] += 1.5 / len(langs)
        return scores

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

    def _raw_mentions(
        self, norm: str, language: str, places: bool = True
    ) -> list[tuple[int, int, str]]:
        return self._scan(norm, language, places)[0]

    def _scan(
        self, norm: str, language: str, places: bool = True
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
                for s, e in phrase_spans(by_lang.get(lang), norm):
                    found.append((s, e, pid))
        generic_spans: list[tuple[int, int]] = phrase_spans(self._generic_aliases, norm)
        for lang in langs:
            if lang == "en" and language != "en":
                continue  # short English words ("op") are ordinary words elsewhere
            generic_spans += phrase_spans(self.lexicon.generic.get(lang), norm)
        if not found:
            # A procedure described in the registry's lay words ("Dekompression vom
            # Okzipitalnerv", "operarsi ai nervi della nuca"), as the caveat reads it.
            # Migraine surgery named in general words stays general ("las operaciones de
            # migraña"), though the caveat gives it trigger-site surgery's entry.
            for procedure in self.registry.procedures:
                found += [
                    (s, e, procedure.id)
                    for s, e in procedure.lay_spans(norm)
                    if not (
                        procedure.id == "trigger-site-surgery"
                        and any(s < ge and gs < e for gs, ge in generic_spans)
                        and not _SPECIFIC_WORDS.search(norm[s:e])
                    )
                ]
        if not found:
            # Words that suggest a procedure count only when nothing names one; where it
            # hurts ("the back of my head") only when the patient speaks of an operation.
            hints = list(self.lexicon.hints.items())
            if places and generic_spans:
                hints += self.lexicon.place_hints.items()
            for pid, by_lang in hints:
                for lang in langs:
                    for s, e in phrase_spans(by_lang.get(lang), norm):
                        found.append((s, e, pid))
        # A generic alias ("migraine surgery") is not a mention of trigger-site surgery.
        found = [
            (s, e, pid)
            for s, e, pid in found
            if not (
                pid == "trigger-site-surgery"
                and any(gs <= s and e <= ge for gs, ge in generic_spans)
            )
        ]
        # A name beside words that make it another treatment ("vagus nerve stimulation").
        found = [
            (s, e, pid)
            for s, e, pid in found
            if not (
                pid in self.lexicon.not_procedure
                and self.lexicon.not_procedure[pid].search(norm[max(0, s - 30) : e + 30])
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
        for sentence in sentences_of(text):
            norm = fold_text(sentence)
            cues = self._past_cues(norm, language)
            if language != "en":
                cues += self._past_cues(norm, "en")
            if not cues:
                continue
            inside = self._raw_mentions(norm, language)
            if not inside:
                continue
            for cs, ce in cues:
                nearest = min(inside, key=lambda m: min(abs(m[0] - ce), abs(cs - m[1])))
                out.add(nearest[2])
        return out

    def _past_cues(self, norm: str, language: str) -> list[tuple[int, int]]:
        """Spans of "my past" cues ("tried", "ho provato"), except those about other people
        ("has anyone tried", "alguien ha probado"): asking about others' experience of a
        treatment asks about the treatment."""
        others = self.lexicon.others.get(language)
        return [
            (s, e)
            for s, e in phrase_spans(self.lexicon.background.get(language), norm)
            if not phrase_spans(others, norm[max(0, s - _OTHERS_BEFORE) : s])
        ]

    def placed(self, text: str, language: str) -> list[str]:
        """Procedures that where the patient hurts, or what they have, points at ("my occipital
        neuralgia" is occipital nerve decompression), whether or not the text names an
        operation."""
        return self.lexicon.places_in(fold_text(text), {language, "en"})

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

    # -- treatments
    def treatments_in(self, text: str, language: str) -> list[TreatmentMention]:
        out: list[TreatmentMention] = []
        for sentence in sentences_of(text):
            norm = fold_text(sentence)
            cues = self._past_cues(norm, language)
            found: list[tuple[int, int, Treatment]] = []
            for t in self.lexicon.treatments:
                found += [(s, e, t) for s, e in phrase_spans(t.pattern, norm)]
            found.sort(key=lambda f: f[0])
            for s, e, t in found:
                background = _speaker(norm, s, e) or any(
                    abs(cs - e) < 60 or abs(s - ce) < 60 for cs, ce in cues
                )
                if any(m.id == t.id for m in out):
                    # Told in the story and named again where nothing marks it as the past
                    # ("I've had 3 rounds of Botox ... what is Botox before an operation
                    # for?"): that mention is not background.
                    if not background:
                        out = [replace(m, background=False) if m.id == t.id else m for m in out]
                    continue
                out.append(
                    TreatmentMention(
                        id=t.id,
                        # The display name is English; another language keeps the
                        # patient's own words for it.
                        name=(t.display if language == "en" else None)
                        or _surface(sentence, norm[s:e]),
                        english=t.english,
                        background=background,
                    )
                )
            taken = [(s, e) for s, e, _ in found]
            taken += [(s, e) for s, e, _ in self._raw_mentions(norm, language, places=False)]
            forms = self._treatment_forms(norm, language)
            out += self._catalogued(sentence, norm, cues, taken, out, forms)
            for s, e in forms:
                if any(s < te and ts < e for ts, te in taken):
                    continue  # a listed treatment or a procedure ("fat transfer therapy")
                if any(_OF.fullmatch(norm[e:ts]) for ts, _ in taken):
                    continue  # the form of a listed one ("des injections de Botox")
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

    @staticmethod
    def _catalogued(
        sentence: str,
        norm: str,
        cues: list[tuple[int, int]],
        taken: list[tuple[int, int]],
        out: list[TreatmentMention],
        forms: list[tuple[int, int]],
    ) -> list[TreatmentMention]:
        """Treatments of the guardrails' catalogue (``guardrails/data/treatments.yaml``: drugs,
        supplements, devices, therapies the evidence registry does not assess) that the lexicon
        does not list: "helpt gember?" names ginger. The same vocabulary decides the caveat, so
        an answer and its caveat agree on what was asked. Each is ``unlisted``: it matters only
        where the sources never mention it. A form that names it more fully ("steroid
        injections") is kept instead. Appends the spans it takes to ``taken``."""
        found: list[TreatmentMention] = []
        for m in default_catalogue().find(sentence):
            if m.treatment is None or any(t.id == f"catalogue:{m.treatment.id}" for t in out):
                continue
            start = norm.find(fold_text(m.asked))
            end = start + len(fold_text(m.asked))
            if start < 0 or any(start < te and ts < end for ts, te in taken):
                continue  # a listed treatment or a procedure names it already
            if any(fs <= start and end <= fe and fe - fs > end - start for fs, fe in forms):
                continue  # named more fully by its form ("steroid injections")
            taken.append((start, end))
            background = _speaker(norm, start, end) or any(
                abs(cs - end) < 60 or abs(start - ce) < 60 for cs, ce in cues
            )
            english = m.treatment.aliases[0] if m.treatment.aliases else m.treatment.name
            found.append(
                TreatmentMention(
                    id=f"catalogue:{m.treatment.id}",
                    name=m.asked,
                    english=(english,),
                    background=background,
                    unlisted=True,
                )
            )
        return found

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

    @staticmethod
    def _asking_part(question: str) -> str | None:
        """The asking sentences of a question that also has sentences that only tell (None
        when every sentence asks, or none does)."""
        sentences = sentences_of(question)
        asked = [s for s, a in zip(sentences, asking(sentences), strict=True) if a]
        if not asked or len(asked) == len(sentences):
            return None
        return " ".join(asked)

    def _told_only(
        self, treatments: list[TreatmentMention], asked_text: str, language: str
    ) -> list[TreatmentMention]:
        """The treatments, those not named in the asking sentences marked as background."""
        in_asked = {t.id for t in self.treatments_in(asked_text, language)}
        return [
            t if t.id in in_asked or t.background else replace(t, background=True)
            for t in treatments
        ]

    def _context_treatments(
        self, question: str, language: str, treatments: list[TreatmentMention]
    ) -> list[TreatmentMention]:
        """A treatment named only in the patient's story ("triptans don't agree with me.")
        while the question sentence asks about surgery is context, not the subject."""
        asked_text = self._asking_part(question) if treatments else None
        if asked_text is None:
            return treatments
        mentions = self._mentions(asked_text, language)
        if not (mentions.procedures or mentions.generic):
            return treatments
        main = self._mentions(self.lexicon.main_clauses(asked_text, (language,)), language)
        if not (main.procedures or main.generic):
            # Surgery named only in an aside is not what is asked ("what is Botox for, if I am
            # to be operated anyway?", "does it work well? better than surgery?"): the story's
            # treatment is.
            return treatments
        return self._told_only(treatments, asked_text, language)

    def _alternatives_to(
        self, question: str, language: str, treatments: list[TreatmentMention]
    ) -> list[TreatmentMention]:
        """A question that asks what else there is: a treatment named only outside the asking
        sentences ("what else is out there?? I'm on topiramate and it turns my brain to mush")
        is what the patient wants an alternative to, not the subject."""
        asked_text = self._asking_part(question)
        if asked_text is None:
            return treatments
        return self._told_only(treatments, asked_text, language)


# What joins a form to the treatment it is made of ("injections of Botox", "injecties met").
_OF = re.compile(r"\s+(of|de|d|du|des|di|del|della|dei|von|van|met|mit|com|con|da|do)\s+")


_PERSON = re.compile(
    r"(ist|ista|istas|iste|isten|eut|eute|euta|eutes|euten|eutin|path|pathe|physio|fysio|fisio|"
    r"kine|osteo|praktiker\w*|practor|practeur)$"
)
"""A practitioner's word ("physio", "fisioterapista", "Heilpraktikerin"), not a treatment's."""
_SAYS_AFTER = re.compile(
    r"^\W*(\w+\W+){0,3}?(said|says|told|thinks|reckons|suggested|zei|zegt|denkt|vindt|sagt|"
    r"sagte|meint|meinte|dit|pense|dice|dijo|cree|ha detto|pensa|disse|diz|acha|falou|"
    r"advised|recommended|suggests|conseill\w*|recommand\w*|aconsej\w*|recomend\w*|empf(ie|o)hl\w*|"
    r"raadt|aangeraden|aconselh\w*|consigli\w*|suggeri\w*|parle|parlait|mentioned|mentions|"
    r"talked|talks|mentionn\w*|erwahnt\w*|spricht|sprach|noemde|noemt|menciono|menciona|"
    r"mencionou|habla|hablo|fala|parla|parlato|ha menzionato|heeft het over|had het over)\b"
)
_SAYS_BEFORE = re.compile(
    r"\b(said|told|detto|dicho|dit|gesagt|gezegd|disse|zei|sagte|according to|laut|selon|segun|"
    r"volgens|secondo|segundo)\W+(\w+\W+){0,2}$"
)


def _speaker(norm: str, start: int, end: int) -> bool:
    """Whether the practitioner named at ``norm[start:end]`` is who said something ("mijn fysio
    zei ...", "me l'ha detto il fisioterapista"): the source of what the patient heard, not the
    treatment asked about."""
    if not _PERSON.search(norm[start:end]):
        return False
    return bool(
        _SAYS_AFTER.match(norm[end : end + 40])
        or _SAYS_BEFORE.search(norm[max(0, start - 40) : start])
    )


def _surface(original: str, folded_match: str) -> str:
    """The patient's own spelling of a folded match, when it can be found."""
    pattern = re.compile(r"\s+".join(re.escape(w) for w in folded_match.split()), re.IGNORECASE)
    from assistant.text import fold

    folded_original = fold(original).replace("-", " ").replace("'", " ").replace("’", " ")
    m = pattern.search(folded_original)
    if m and len(folded_original) == len(original):
        return original[m.start() : m.end()]
    return folded_match
