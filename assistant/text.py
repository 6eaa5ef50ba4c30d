"""Word-level text helpers shared by the lexical index and the answerer."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"\w+(?:[.'’]\w+)*", re.UNICODE)
_STEMMER = Stemmer.Stemmer("english")

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "tell",
        "know",
        "explain",
        "please",
        "much",
        "many",
        "also",
        "may",
        "might",
        "must",
        "shall",
        "us",
        "let",
        "lets",
        "get",
        "gets",
        "got",
        "really",
        "actually",
    ]
)


def fold(text: str) -> str:
    """Lower-case and strip accents, so 'Migräne' and 'migrane' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Chat shorthand read as the words it stands for: "nn vedo più" (non), "mn geld", "m'n hoofd"
# (mijn), "zn" (zijn), "em qto tempo" (quanto), "qdo" (quando), "jvois double" (je vois).
_SHORTHAND = {
    "nn": "non",
    "mn": "mijn",
    "m'n": "mijn",
    "zn": "zijn",
    "z'n": "zijn",
    "qto": "quanto",
    "qdo": "quando",
    "qnd": "quando",
    "jvois": "je vois",
    "jsuis": "je suis",
    "jpeux": "je peux",
    "jsais": "je sais",
}
_SHORTHAND_WORD = re.compile(r"(?<![\w'])(" + "|".join(map(re.escape, _SHORTHAND)) + r")(?![\w'])")


def normalise(text: str) -> str:
    """Folded text (no accents, lower case) with straight apostrophes, ``ß`` as ``ss``, chat
    shorthand spelled out and single spaces: how the guardrails read a message."""
    text = fold(text).replace("\u2019", "'").replace("`", "'")
    text = text.replace("ß", "ss").replace("œ", "oe").replace("æ", "ae")
    return re.sub(r"\s+", " ", spell_out_shorthand(text)).strip()


def spell_out_shorthand(folded: str) -> str:
    """``folded`` (lower case, straight apostrophes) with chat shorthand spelled out."""
    return _SHORTHAND_WORD.sub(lambda m: _SHORTHAND[m.group(1)], folded)


def words(text: str) -> list[str]:
    """Folded words; dotted acronyms such as 'M.I.G.O.N.E.' become 'migone'."""
    out = []
    for match in _WORD.finditer(fold(text)):
        token = match.group(0)
        if "." in token:
            token = token.replace(".", "")
        out.append(token.replace("’", "'"))
    return out


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def terms(text: str) -> list[str]:
    """Stemmed content words (stopwords and one-letter words dropped)."""
    return [_stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


_WORD_PIECE = re.compile(r"\S+\s*|\s+")


def text_pieces(text: str, words_per_piece: int = 4) -> list[str]:
    """Split text into pieces of a few words each; joined, they give the text back exactly."""
    tokens = _WORD_PIECE.findall(text)
    return [
        "".join(tokens[i : i + words_per_piece]) for i in range(0, len(tokens), words_per_piece)
    ]
