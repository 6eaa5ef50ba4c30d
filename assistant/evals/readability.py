"""Reading level of patient-facing text, per language.

English gets the Flesch-Kincaid grade (Kincaid et al., 1975: 0.39 words per sentence + 11.8
syllables per word - 15.59), the measure the patient-material guidance quotes (aim for grade
8 or below). The other languages have no grade formula in common use; each gets its language's
adaptation of Flesch's reading ease (higher is easier, 60-70 is plain language):

- es: Fernández Huerta (1959): 206.84 - 0.60 P - 1.02 F (P syllables, F sentences per 100 words)
- fr: Kandel and Moles (1958): 207 - 1.015 ASL - 73.6 ASW
- de: Amstad (1978): 180 - ASL - 58.5 ASW
- nl: Douma (1960): 206.84 - 0.93 ASL - 77 ASW
- pt: Martins et al. (1996): 248.835 - 1.015 ASL - 84.6 ASW
- it: Franchina and Vacca (1972): 206 - 0.65 S - ASL (S syllables per 100 words)

ASL is words per sentence, ASW syllables per word. Syllables are counted as groups of vowels
(with a silent final "e" dropped in English), the usual estimate when no dictionary is at hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_VOWELS = {
    "en": "aeiouy",
    "es": "aeiouáéíóúü",
    "fr": "aeiouyàâéèêëîïôûùü",
    "de": "aeiouyäöü",
    "nl": "aeiouyëïé",
    "pt": "aeiouáâãàéêíóôõú",
    "it": "aeiouàèéìíòóù",
}
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?;:]+(?=\s|$)|\n\s*\n")


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


def syllables(word: str, language: str = "en") -> int:
    """Estimated syllables of one word: its vowel groups (at least one)."""
    vowels = _VOWELS.get(language, _VOWELS["en"])
    w = word.lower()
    groups = len(re.findall(f"[{vowels}]+", w))
    if language == "en" and w.endswith("e") and not w.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    return max(1, groups)


def _counts(text: str, language: str) -> tuple[int, int, int]:
    words = _WORD.findall(text)
    sentences = max(1, len([s for s in _SENTENCE_END.split(text) if _WORD.search(s)]))
    return len(words), sentences, sum(syllables(w, language) for w in words)


def readability(text: str, language: str = "en") -> Readability | None:
    """The reading measure of ``text`` in ``language``; None for text without words."""
    n_words, n_sentences, n_syllables = _counts(text, language)
    if n_words == 0:
        return None
    asl = n_words / n_sentences
    asw = n_syllables / n_words
    if language == "es":
        value = 206.84 - 0.60 * (100 * asw) - 1.02 * (100 * n_sentences / n_words)
    elif language == "fr":
        value = 207 - 1.015 * asl - 73.6 * asw
    elif language == "de":
        value = 180 - asl - 58.5 * asw
    elif language == "nl":
        value = 206.84 - 0.93 * asl - 77 * asw
    elif language == "pt":
        value = 248.835 - 1.015 * asl - 84.6 * asw
    elif language == "it":
        value = 206 - 0.65 * (100 * asw) - asl
    else:
        return Readability("en", "flesch_kincaid_grade", 0.39 * asl + 11.8 * asw - 15.59, n_words)
    return Readability(language, "reading_ease", value, n_words)
