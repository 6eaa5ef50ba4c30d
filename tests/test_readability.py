"""Reading-level measures: the known formula values on texts whose counts are known."""

from __future__ import annotations

import pytest

from assistant.evals.readability import FORMULAS, Band, readability, syllables


@pytest.mark.parametrize(
    ("word", "expected"),
    [("cat", 1), ("migraine", 2), ("operation", 4), ("surgery", 3), ("table", 2), ("see", 1)],
)
def test_syllables__english_vowel_groups(word: str, expected: int) -> None:
    assert syllables(word) == expected


def test_flesch_kincaid__simple_text_scores_low_and_dense_text_high() -> None:
    plain = readability("The cat sat on the mat. It was a good cat.")
    dense = readability(
        "Peripheral nerve decompression demonstrated heterogeneous effectiveness across "
        "observational investigations with considerable methodological limitations."
    )
    assert plain is not None and dense is not None
    assert plain.is_grade and plain.value < 2
    assert dense.value > 16


def test_flesch_kincaid__matches_the_formula_on_counted_text() -> None:
    # 2 sentences, 8 words, 9 syllables
    result = readability("The dog ran far. A rabbit hid well.")
    assert result is not None
    assert result.value == pytest.approx(0.39 * 4 + 11.8 * 9 / 8 - 15.59)


def test_other_languages__reading_ease_where_higher_is_easier() -> None:
    easy = readability("El gato come. La casa es roja.", "es")
    hard = readability(
        "La descompresión quirúrgica periférica demostró efectividad heterogénea considerable.",
        "es",
    )
    assert easy is not None and hard is not None
    assert easy.measure == "reading_ease" and not easy.is_grade
    assert easy.value > hard.value
    for lang in ("fr", "de", "nl", "pt", "it"):
        r = readability("Das ist gut. Ok.", lang)
        assert r is not None and r.language == lang


def test_readability__no_words_gives_none() -> None:
    assert readability("  [1] — 42 ") is None


@pytest.mark.parametrize(
    ("word", "language", "expected"),
    [
        ("cirurgia", "pt", 4),  # ci-rur-gi-a: the dictionary splits the hiatus "ia"
        ("Operation", "de", 5),  # O-pe-ra-ti-on
        ("opération", "fr", 4),  # o-pé-ra-tion: the one-letter syllable the dictionary skips
        ("hoofdpijn", "nl", 2),
        ("operazione", "it", 5),
        ("ciudad", "es", 2),  # a diphthong stays one syllable
    ],
)
def test_syllables__other_languages_from_their_hyphenation_dictionary(
    word: str, language: str, expected: int
) -> None:
    assert syllables(word, language) == expected


# Each formula as its source publishes it, from words per sentence (asl) and syllables per
# word (asw); the text has 2 sentences, 6 words and 6 syllables in every language.
PUBLISHED = {
    "es": lambda asl, asw: 206.84 - 0.60 * 100 * asw - 1.02 * 100 / asl,
    "fr": lambda asl, asw: 207 - 1.015 * asl - 73.6 * asw,
    "de": lambda asl, asw: 180 - asl - 58.5 * asw,
    "nl": lambda asl, asw: 206.84 - 0.93 * asl - 77 * asw,
    "pt": lambda asl, asw: 248.835 - 1.015 * asl - 84.6 * asw,
    "it": lambda asl, asw: 206 - 0.65 * 100 * asw - asl,
}


@pytest.mark.parametrize("language", sorted(PUBLISHED))
def test_reading_ease__each_language_uses_its_published_formula(language: str) -> None:
    result = readability("Sol mar sol. Mar sol mar.", language)
    assert result is not None and result.language == language
    assert result.value == pytest.approx(PUBLISHED[language](3, 1))
    assert result.formula.source and result.formula.measure == "reading ease"


def test_bands__a_reading_ease_falls_in_its_author_table() -> None:
    assert FORMULAS["nl"].band(65.0) == Band(60, "standard", (8, 9))
    assert FORMULAS["de"].band(12.0) is not None
    assert FORMULAS["pt"].band(60.0) == Band(50, "fácil", (5, 6, 7, 8))
    assert FORMULAS["es"].band(65.0) == Band(60, "normal", (7, 8))
    assert FORMULAS["en"].band(6.0) is None  # a grade has no bands


def test_bands__the_floor_of_a_school_grade() -> None:
    assert FORMULAS["fr"].floor_for_grade(8) == 60
    assert FORMULAS["fr"].floor_for_grade(7) == 70
    assert FORMULAS["es"].floor_for_grade(7) == FORMULAS["es"].floor_for_grade(8) == 60
    assert FORMULAS["pt"].floor_for_grade(7) == FORMULAS["pt"].floor_for_grade(8) == 50
