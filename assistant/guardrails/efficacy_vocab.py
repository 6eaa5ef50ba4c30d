"""The vocabularies of the efficacy rules, compiled: the pattern groups of
``data/efficacy_patterns.yaml`` (forms of asking and their vetoes, in seven languages) and the few
structural patterns built from them (objects of an effect, who helps, why-questions)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.text import fold

PATTERNS_FILE = Path(__file__).resolve().parent / "data" / "efficacy_patterns.yaml"


def normalise(text: str) -> str:
    """Folded text with straight apostrophes and single spaces."""
    text = fold(text).replace("’", "'").replace("`", "'")
    text = text.replace("ß", "ss").replace("œ", "oe").replace("æ", "ae")
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(PATTERNS_FILE.read_text(encoding="utf-8"))
    return data


def _expand(pattern: str) -> str:
    for name, value in _vocabulary()["fragments"].items():
        pattern = pattern.replace(f"%{name}%", value)
    return pattern


def group(name: str) -> re.Pattern[str]:
    """One group of the vocabulary: the alternation of its patterns, case-insensitive."""
    parts = _vocabulary()["groups"][name]["patterns"]
    return re.compile("|".join(f"(?:{_expand(p)})" for p in parts), re.IGNORECASE)


def words(name: str) -> str:
    """One word list of the vocabulary, as the alternation of its words (ungrouped)."""
    return "|".join(_vocabulary()["words"][name])


def fragment(name: str) -> str:
    return str(_vocabulary()["fragments"][name])


# What a treatment acts on (headache words) and unfavourable outcomes (risks, heredity).
_TARGET = fragment("TARGET")
_RISK_NOUN = fragment("RISK")
TARGET_WORD = re.compile(r"\b" + _TARGET + r"\b")
# Effects with no object ("does it help?", "werkt het?"): about the treatment, never aftercare.
GENERAL_EFFECT = group("general_effect")
# A symptom described: what the symptom veto needs before "is that normal?" counts.
SYMPTOM_BODY = re.compile(r"\b(" + _TARGET[1:-1] + "|" + words("symptom_body") + r")\b")
# Strong signals, durability, comparisons and quantities (see the file for each group).
STRONG = group("strong")
DURABLE = group("durable")
COMPARE = group("compare")
QUANTITY = group("quantity")
# Unfavourable outcomes: "chances of an infection" asks about risk, not efficacy.
RISK_TEXT = re.compile(r"\b" + _RISK_NOUN)
BENEFIT = group("benefit")
AFTERCARE = group("aftercare")
WEAK = group("weak")
MECHANISM = group("mechanism")
ONSET_TIMING = group("onset_timing")
JOB = group("job")
POSTOP_PAIN = group("postop_pain")
CONSULT = group("consult")
TREATMENT_WORD = group("treatment_word")
PERSON = group("person")
HELP = (
    r"(help|helps|helped|helping|helpen|helpt|hilft|helfen|aide|aident|aider|m'aider|ayuda\w*|"
    r"ayudar\w*|ajuda\w*|ajudar\w*|aiuta\w*|aiutare)"
)
# The person is the one who helps: "kann mir mein Hausarzt bei der Überweisung helfen?"
HELPER = re.compile(
    PERSON.pattern.join(("(?:", r")[^,.;?!]{0,40}\b" + HELP + r"\b"))
    + "|"
    + (r"\b" + HELP + r"\b[^,.;?!]{0,12}").join(("", "(?:" + PERSON.pattern + ")"))
)
# Paperwork, referrals, appointments, sick notes, refunds: "can my insurance help with the cost?"
ADMIN = group("admin")
OTHER_TOPIC = group("other_topic")
BENEFIT_CORE = group("benefit_core")
LIFE_EVENT = group("life_event")
# "Why do my migraines stop at the weekend?": a cause asked, no treatment named.
WHY = re.compile(
    r"(^|[,.;:?!]\s*)(why|how come|por ?que|pourquoi|warum|wieso|weshalb|waarom|hoe komt (het|dat)|"
    r"perche|come mai|por que razao)\b"
)
# An effect on something that is no illness: "does vinegar work against limescale?"
AGAINST = re.compile(
    r"\b(work\w*|help\w*|funcion\w*|sirv\w*|serv\w*|ayud\w*|marche\w*|fonctionn\w*|aide\w*|hilft|"
    r"helfen|wirkt|wirken|werkt|werken|helpt|ajud\w*|funzion\w*|aiut\w*|result\w*|resolv\w*|"
    r"is|es|est|ist|e)\b(\s+\w+){0,2}?\s+(against|on|for|contra|contre|gegen|tegen|contro|para|pra|"
    r"pour|per|voor|zum|zur|um|om)\s+(tirar |quitar |eliminar |remover |limpar |enlever |"
    r"eliminer |togliere |eliminare |remove |get rid of |clean |zu |te )?(the |el |la |le |les |"
    r"il |lo |"
    r"die |der |den |das |de |het |o |a |os |as |du |des |del |della |dem |l'|my |mi |mon |ma |"
    r"mes |"
    r"meine |mijn |meu |minha |il mio |la mia )?(?P<noun>\w+)"
)
# A device's practical side: "does the stimulator work with an MRI?", "at the airport?"
DEVICE_LOGISTICS = group("device_logistics")
# Who or what an effect is for, not an object: "does it work for everyone?", "for long".
FOR_WHOM = re.compile("^(" + words("for_whom") + ")$")
# An object of an effect that is about health: "does it help against nausea?"
HEALTH_OBJECT = re.compile("^(" + _TARGET[1:-1] + "|" + words("health_object") + ")$")
SYMPTOM = group("symptom")
SYMPTOM_NEGATION = group("symptom_negation")
DEFINITION = group("definition")
# A short follow-up: "and fat transfer?", "what about the stimulator?"
FOLLOW_ON = re.compile(
    r"^\s*(and|what about|how about|also|y|et|und|en|e|ou|o|ma|mais|pero|aber|maar|mas)\b",
    re.IGNORECASE,
)
# "Would I get the same?", "bei mir auch?" after someone's outcome told in an earlier message.
SAME_FOR_ME = group("same_for_me")
CREDIBILITY = group("credibility")
OUTCOME_CLAIM = group("outcome_claim")
# Household objects ("does vinegar get rid of limescale?") and places named after an illness.
HOUSEHOLD = group("household")
COMPARATIVE = group("comparative")
PLACE = group("place")
