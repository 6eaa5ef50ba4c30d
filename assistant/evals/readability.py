"""Reading level of patient-facing text, per language, by each language's published formula.

English gets the Flesch-Kincaid grade, the measure the patient-material guidance quotes (aim
for grade 8 or below). The other languages have no grade formula in common use; each gets its
language's published adaptation of Flesch's reading ease (higher is easier), reported with the
band its author's table puts it in. :data:`FORMULAS` holds each formula with its source.

ASL is words per sentence, ASW syllables per word. Syllables of the six other languages come
from the hyphenation dictionaries of pyphen (the LibreOffice patterns): a word's vowel groups,
with a group counted twice where the dictionary hyphenates inside it (a hiatus such as
"ci-rur-gi-a"). Hyphenation alone undercounts (dictionaries leave out breaks next to one-letter
syllables: "opé-ra-tion"), so the vowel groups keep those syllables. English keeps the vowel
groups with a silent final "e" dropped, the count its grade thresholds were set with.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import pyphen

_VOWELS = {
    "en": "aeiouy",
    "es": "aeiouáéíóúü",
    "fr": "aeiouyàâéèêëîïôûùü",
    "de": "aeiouyäöü",
    "nl": "aeiouyëïéèöü",
    "pt": "aeiouáâãàéêíóôõú",
    "it": "aeiouàèéìíòóù",
}
_HYPHENATION = {
    "es": "es",
    "fr": "fr",
    "de": "de_DE",
    "nl": "nl_NL",
    "pt": "pt_PT",
    "it": "it_IT",
}
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?;:]+(?=\s|$)|\n\s*\n")


@dataclass(frozen=True)
class Band:
    """A row of a formula's interpretation table: scores from ``floor`` up read as ``label``."""

    floor: float
    label: str
    grades: tuple[int, ...] = ()
    """The school grades (years of schooling) the author's table gives for the band."""


# Flesch (1948), "A new readability yardstick", J Appl Psychol 32:221-233, table 5: the table
# the Dutch, French, German and Italian adaptations keep.
FLESCH_BANDS = (
    Band(90, "very easy", (5,)),
    Band(80, "easy", (6,)),
    Band(70, "fairly easy", (7,)),
    Band(60, "standard", (8, 9)),
    Band(50, "fairly difficult", (10, 11, 12)),
    Band(30, "difficult", (13, 14, 15, 16)),
    Band(-math.inf, "very difficult", ()),
)
# Fernández Huerta (1959), "Medidas sencillas de lecturabilidad", Consigna 214:29-32.
FERNANDEZ_HUERTA_BANDS = (
    Band(90, "muy fácil", (4,)),
    Band(80, "fácil", (5,)),
    Band(70, "bastante fácil", (6,)),
    Band(60, "normal", (7, 8)),
    Band(50, "bastante difícil", (9, 10, 11, 12)),
    Band(30, "difícil", (13, 14, 15, 16)),
    Band(-math.inf, "muy difícil", ()),
)
# Martins, Ghiraldelo, Nunes and Oliveira Jr (1996), "Readability formulas applied to
# textbooks in Brazilian Portuguese", Notas do ICMSC-USP 28: four bands of school years.
MARTINS_BANDS = (
    Band(75, "muito fácil", (1, 2, 3, 4)),
    Band(50, "fácil", (5, 6, 7, 8)),
    Band(25, "difícil", (9, 10, 11)),
    Band(-math.inf, "muito difícil", ()),
)


@dataclass(frozen=True)
class Formula:
    """A published reading formula of one language."""

    language: str
    name: str
    source: str
    measure: str
    """"grade" (lower is easier) or "reading ease" (higher is easier)."""
    score: Callable[[float, float], float]
    """From words per sentence and syllables per word to the formula's figure."""
    bands: tuple[Band, ...] = ()

    def band(self, value: float) -> Band | None:
        """The band of the author's table that ``value`` falls in (None for a grade)."""
        return next((b for b in self.bands if value >= b.floor), None)

    def floor_for_grade(self, grade: int) -> float:
        """The lowest score of the band the author's table gives for school grade ``grade``."""
        return next(b.floor for b in self.bands if grade in b.grades)


FORMULAS: dict[str, Formula] = {
    f.language: f
    for f in (
        Formula(
            "en",
            "Flesch-Kincaid grade",
            "Kincaid, Fishburne, Rogers and Chissom (1975), Naval Technical Training Command "
            "Research Branch Report 8-75",
            "grade",
            lambda asl, asw: 0.39 * asl + 11.8 * asw - 15.59,
        ),
        Formula(
            "es",
            "Fernández Huerta",
            "Fernández Huerta (1959), Consigna 214:29-32",
            "reading ease",
            # 206.84 - 0.60 P - 1.02 F, P syllables and F sentences per 100 words.
            lambda asl, asw: 206.84 - 0.60 * (100 * asw) - 1.02 * (100 / asl),
            FERNANDEZ_HUERTA_BANDS,
        ),
        Formula(
            "fr",
            "Kandel & Moles",
            "Kandel and Moles (1958), Cahiers d'études de radio-télévision 19:253-274",
            "reading ease",
            lambda asl, asw: 207 - 1.015 * asl - 73.6 * asw,
            FLESCH_BANDS,
        ),
        Formula(
            "de",
            "Amstad",
            "Amstad (1978), Wie verständlich sind unsere Zeitungen? (dissertation, Zürich)",
            "reading ease",
            lambda asl, asw: 180 - asl - 58.5 * asw,
            FLESCH_BANDS,
        ),
        Formula(
            "nl",
            "Flesch-Douma",
            "Douma (1960), De leesbaarheid van landbouwbladen, Afdeling Sociologie en "
            "Sociografie van de Landbouwhogeschool Wageningen, Bulletin 17",
            "reading ease",
            lambda asl, asw: 206.84 - 0.93 * asl - 77 * asw,
            FLESCH_BANDS,
        ),
        Formula(
            "pt",
            "Flesch (Martins et al.)",
            "Martins, Ghiraldelo, Nunes and Oliveira Jr (1996), Notas do ICMSC-USP 28",
            "reading ease",
            lambda asl, asw: 248.835 - 1.015 * asl - 84.6 * asw,
            MARTINS_BANDS,
        ),
        Formula(
            "it",
            "Flesch-Vacca",
            "Franchina and Vacca (1986), Linguaggi 3:47-49 (after Vacca, 1972)",
            "reading ease",
            # 206 - 0.65 S - ASL, S syllables per 100 words.
            lambda asl, asw: 206 - 0.65 * (100 * asw) - asl,
            FLESCH_BANDS,
        ),
    )
}
LANGUAGES: tuple[str, ...] = tuple(FORMULAS)


@dataclass(frozen=True)
class Readability:
    """The reading measure of one text: a grade (English) or a reading ease (other languages)."""

    language: str
    measure: str
    value: float
    words: int

    @property
    def is_grade(self) -> bool:
        return self.measure == "flesch_kincaid_grade"

    @property
    def formula(self) -> Formula:
        return FORMULAS[self.language]

    @property
    def band(self) -> Band | None:
        """Where the value falls in the formula author's table (None for a grade)."""
        return self.formula.band(self.value)


@functools.cache
def _dictionary(language: str) -> pyphen.Pyphen | None:
    code = _HYPHENATION.get(language)
    return pyphen.Pyphen(lang=code, left=1, right=1) if code in pyphen.LANGUAGES else None


def syllables(word: str, language: str = "en") -> int:
    """Syllables of one word: vowel groups, split again where the dictionary hyphenates them."""
    vowels = _VOWELS.get(language, _VOWELS["en"])
    w = word.lower()
    dictionary = _dictionary(language)
    pieces = dictionary.inserted(w, hyphen="\0").split("\0") if dictionary else [w]
    groups = sum(len(re.findall(f"[{vowels}]+", piece)) for piece in pieces)
    if language == "en" and w.endswith("e") and not w.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    return max(1, groups)


def _counts(text: str, language: str) -> tuple[int, int, int]:
    words = _WORD.findall(text)
    sentences = max(1, len([s for s in _SENTENCE_END.split(text) if _WORD.search(s)]))
    return len(words), sentences, sum(syllables(w, language) for w in words)


def readability(text: str, language: str = "en") -> Readability | None:
    """The reading measure of ``text`` in ``language``; None for text without words.

    A language without a formula of its own is measured as English.
    """
    formula = FORMULAS.get(language, FORMULAS["en"])
    n_words, n_sentences, n_syllables = _counts(text, formula.language)
    if n_words == 0:
        return None
    value = formula.score(n_words / n_sentences, n_syllables / n_words)
    measure = "flesch_kincaid_grade" if formula.measure == "grade" else "reading_ease"
    return Readability(formula.language, measure, value, n_words)
