"""Treatments the evidence registry does not assess (``data/treatments.yaml``), found in a
question with the patient's own wording, and a fallback that picks the treatment out of the
form of the question when the catalogue does not know it ("is zinc any good for migraines?")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

TREATMENTS_FILE = Path(__file__).resolve().parent / "data" / "treatments.yaml"

_SEPARATORS = "-_/'’`"


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Lower-case, accent-free text with hyphens and apostrophes as spaces, and for each of its
    characters the index of the character of ``text`` it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch in _SEPARATORS:
            piece = " "
        else:
            decomposed = unicodedata.normalize("NFKD", ch.lower())
            piece = "".join(c for c in decomposed if not unicodedata.combining(c))
            piece = piece.replace("ß", "ss").replace("œ", "oe").replace("æ", "ae")
        out.append(piece)
        where.extend([i] * len(piece))
    return "".join(out), where


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", fold_with_map(text)[0]).strip()


@dataclass(frozen=True)
class Treatment:
    id: str
    name: str
    aliases: tuple[str, ...]
    patterns: tuple[str, ...] = ()

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        names = sorted({_fold(a) for a in self.aliases if _fold(a)}, key=len, reverse=True)
        parts = [r"\s+".join(re.escape(w) for w in n.split(" ")) for n in names]
        body = "|".join([*(f"(?<!\\w)(?:{p})(?!\\w)" for p in parts), *self.patterns])
        return re.compile(body)


@dataclass(frozen=True)
class Mention:
    """A treatment named in a text: where, which, and the patient's own words for it."""

    start: int
    end: int
    treatment: Treatment | None  # None: not in the catalogue, picked out of the question's form
    asked: str


# "X for migraine", "X gegen Migräne": the words before the preposition name the treatment.
_FOR_MIGRAINE = re.compile(
    r"(?P<t>[a-z0-9][a-z0-9 +]{1,60}?)\s+(for|against|with|para|pra|contra|pour|contre|gegen|bei|"
    r"tegen|bij|per|contro|nelle|nella)\s+(the |my |your |la |las |los |mis |sus |les |mes |"
    r"vos |die |meine |der |de |mijn |je |a |as |minha |minhas |l |le |il |mie |mia |i )?"
    r"(migraine|migraines|migrana|migranas|jaqueca|jaquecas|cefalea|cefaleas|mal de tete|"
    r"maux de tete|migrane|migranen|kopfschmerz\w*|hoofdpijn|enxaqueca|enxaquecas|"
    r"dor de cabeca|emicrania|emicranie|mal di testa|headaches?|cluster)"
)
# "does X work", "is X worth it", "X funciona?" (English and a few common forms).
_DOES_X_WORK = re.compile(
    r"\b(does|do|did|will|would|can|could|is|are|was|were|has|have|had)\s+"
    r"(?P<t>[a-z0-9][a-z0-9 +]{1,40}?)\s+(really |actually |even |truly |still |ever )?"
    r"(work|works|worked|help|helps|helped|cure|cured|relieve|relieved|prevent|prevented|reduce|"
    r"reduced|stop|stopped|ease|eased|fix|fixed|worth|effective|any good|a scam|legit|better|"
    r"done anything|made a difference)\b"
)
_LEADING = re.compile(
    r"^((and|or|but|so|also|what about|how about|about|is|are|does|do|did|taking|take|using|"
    r"use|trying|try|getting|get|having|had|have|with|the|a|an|my|your|this|that|these|those|"
    r"some|any|el|la|los|las|un|una|le|les|des|du|de|der|die|das|den|ein|eine|het|een|o|os|"
    r"as|um|uma|il|lo|gli|i|mi|mon|ma|mein|meine|mijn|meu|minha|mio|mia|tomar|prendre|nehmen|"
    r"nemen|prendere|con|avec|mit|met|com|es|est|ist|e|y|et|und|en|ou|oder|of|hilft|helfen|"
    r"wirkt|wirken|bringt|werkt|helpt|funciona|funcionan|sirve|sirven|ayuda|marche|aide|"
    r"soulage|ajuda|resolve|aiuta|funziona|serve|est-ce|que|qui|ce|le|la|les|l|lo|el|al|"
    r"zijn|sind|son|sont|sao|sono|heeft|hat|hace|fait|faz|fa|wel|echt|really|actually)\s+)+"
)
# Effect and verdict words at the end of "is zinc any good for", "camomila funciona pra".
_TRAILING = re.compile(
    r"(\s+(any good|any use|of any use|worth it|worth|really|actually|even|truly|also|too|"
    r"work|works|working|help|helps|helping|effective|good|funciona\w*|sirve\w*|serve\w*|"
    r"ayuda\w*|aide\w*|marche|fonctionne|hilft|wirkt|helpt|werkt|ajuda\w*|aiuta\w*|"
    r"funziona\w*|vale la pena|vale a pena|mesmo|davvero|echt|vraiment|de verdad|realmente|"
    r"wirklich|ook|auch|aussi|tambien|tambem|anche|ca|cela|das|dat|het|eso|esto|isso|questo|"
    r"bien|bem|bene|goed|gut))+$"
)
# What comes before a treatment's name: "my doctor suggested X", "I started on X".
_INTRO = re.compile(
    r"^.*\b(suggested|suggests|recommended|recommends|prescribed|prescribes|offered|offers|"
    r"proposed|mentioned|started on|started|tried|trying|try|taking|take|takes|using|use|on|"
    r"about|receto|recomendo|recomienda|propuso|propone|prescrit|propose|conseille|"
    r"verschrieben|empfohlen|vorgeschlagen|voorgeschreven|aangeraden|voorgesteld|receitou|"
    r"indicou|sugeriu|prescritto|consigliato|suggerito|proposto)\s+"
)
# Words that do not name a treatment (pronouns, generic words, surgery in general).
_NOT_A_TREATMENT = re.compile(
    r"^(it|this|that|they|them|these|those|something|anything|everything|nothing|one|any|"
    r"surgery|surgeries|operation|operations|op|ops|procedure|procedures|treatment|treatments|"
    r"therapy|therapies|option|options|medication|medications|medicine|medicines|meds|drug|"
    r"drugs|pills?|help|relief|people|patients|someone|anyone|anybody|everyone|nobody|me|you|he|"
    r"she|we|cirugia|operacion|alguien|quelqu un|jemand|iemand|alguem|qualcuno|"
    r"intervencion|tratamiento|chirurgie|operation|traitement|operation|eingriff|behandlung|"
    r"operatie|ingreep|behandeling|cirurgia|operacao|tratamento|chirurgia|operazione|intervento|"
    r"trattamento|what|which|how|who|why|when|where|there|here|eso|esto|ca|cela|das|dit|dat|"
    r"isso|isto|questo|quello|attacks?|pain|headaches?|migraines?)$"
)


class TreatmentCatalogue:
    """The catalogue of ``data/treatments.yaml`` and the reviewed "not assessed" text."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.not_assessed: dict[str, str] = dict(data["not_assessed"])
        self.treatments = tuple(
            Treatment(
                id=t["id"],
                name=t["name"],
                aliases=tuple(str(a) for a in t.get("aliases", ())),
                patterns=tuple(t.get("patterns", ())),
            )
            for t in data["treatments"]
        )
        ids = [t.id for t in self.treatments]
        if len(ids) != len(set(ids)):
            raise ValueError("treatment ids must be unique")
        for t in self.treatments:
            _ = t.pattern  # compile now: a bad pattern fails at load, not on a patient's question

    @classmethod
    def load(cls, path: Path = TREATMENTS_FILE) -> TreatmentCatalogue:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def by_id(self, treatment_id: str) -> Treatment:
        return next(t for t in self.treatments if t.id == treatment_id)

    def find(self, text: str) -> list[Mention]:
        """Catalogue treatments named in ``text``, in order, each once (its first mention)."""
        folded, where = fold_with_map(text)
        spans: list[tuple[int, int, Treatment]] = []
        for t in self.treatments:
            spans.extend((m.start(), m.end(), t) for m in t.pattern.finditer(folded))
        # Longer mentions win over those inside them ("occipital nerve block" over "block").
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        kept: list[tuple[int, int, Treatment]] = []
        for start, end, t in spans:
            if any(s < end and start < e for s, e, _ in kept):
                continue
            kept.append((start, end, t))
        out: list[Mention] = []
        seen: set[str] = set()
        for start, end, t in sorted(kept, key=lambda s: s[0]):
            if t.id in seen or start >= len(where):
                continue
            seen.add(t.id)
            asked = text[where[start] : where[end - 1] + 1].strip(" -_/'’`")
            out.append(Mention(start, end, t, asked))
        return out

    @staticmethod
    def unlisted(text: str) -> list[Mention]:
        """A treatment the catalogue does not know, picked out of the form of the question."""
        folded, where = fold_with_map(text)
        for pattern in (_FOR_MIGRAINE, _DOES_X_WORK):
            for m in pattern.finditer(folded):
                phrase = m.group("t")
                trimmed = _TRAILING.sub("", " " + phrase.strip()).strip()
                trimmed = _INTRO.sub("", trimmed)
                words = trimmed.split()[-4:]
                candidate = _LEADING.sub("", " ".join(words)).strip()
                if not candidate or len(candidate) < 3:
                    continue
                if all(_NOT_A_TREATMENT.match(w) for w in candidate.split()):
                    continue
                offset = phrase.rfind(candidate)
                start = m.start("t") + max(offset, 0)
                end = min(start + len(candidate), len(where))
                asked = text[where[start] : where[end - 1] + 1].strip()
                return [Mention(start, end, None, asked)]
        return []


@lru_cache(maxsize=1)
def default_catalogue() -> TreatmentCatalogue:
    return TreatmentCatalogue.load()
