"""Reading-level measures: the known formula values on texts whose counts are known."""

from __future__ import annotations

import pytest

from assistant.evals.readability import readability, syllables


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
