"""The vocabularies of the efficacy rules, compiled: the pattern groups of
``data/efficacy_patterns.yaml`` (forms of asking and their vetoes, in seven languages) and the few
structural patterns built from them (objects of an effect, who helps, why-questions)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

# ``normalise`` is the guardrails' reading of a text, the form these patterns are matched on.
from assistant.text import normalise as normalise

PATTERNS_FILE = Path(__file__).resolve().parent / "data" / "efficacy_patterns.yaml"


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


def groups(names: str) -> tuple[re.Pattern[str], ...]:
    """The groups named (separated by spaces), compiled, in order."""
    return tuple(group(name) for name in names.split())


# The groups of the file, each compiled as it is under its own name (what each is for is written
# beside it in the file): effects with no object ("does it help?"), strong signals, durability,
# comparisons, quantities, benefits, aftercare, the weak effects and their vetoes, people who
# help, paperwork, a device's logistics, "would I get the same?", household objects, places
# named after an illness, a medicine stopped before an operation, a treatment told as failing, and
# the asides of a question (an option's own effect, a failed treatment, a comparison, "before").
(
    GENERAL_EFFECT,
    STRONG,
    DURABLE,
    COMPARE,
    QUANTITY,
    BENEFIT,
    AFTERCARE,
    WEAK,
    MECHANISM,
    ONSET_TIMING,
    JOB,
    POSTOP_PAIN,
    CONSULT,
    TREATMENT_WORD,
    PERSON,
    ADMIN,
    OTHER_TOPIC,
    BENEFIT_CORE,
    LIFE_EVENT,
    DEVICE_LOGISTICS,
    SYMPTOM,
    SYMPTOM_ADVICE,
    SYMPTOM_NEGATION,
    DEFINITION,
    SAME_FOR_ME,
    CREDIBILITY,
    OUTCOME_CLAIM,
    HOUSEHOLD,
    COMPARATIVE,
    PLACE,
    PREOP,
    FAILED_EFFECT,
    NEXT_STEP,
    DOSAGE,
    DISCLAIMED,
    HEARSAY,
    CAUSE,
    DOUBT,
    SIDE_EFFECT,
    HARM_ASKED,
    OPTION_EFFECT,
    FAILED_ASIDE,
    COMPARED_ASIDE,
    BEFORE_OR_INSTEAD,
    PRACTICAL,
    DEVICE_STAYS,
    DEVICE_PART,
    OTHER_OUTCOMES,
    SAFETY_COMPARE,
    PAYMENT,
    TOLD_EFFECT_BUT,
    SAID_BY,
) = groups(
    "general_effect strong durable compare quantity benefit aftercare weak "
    "mechanism onset_timing job postop_pain consult treatment_word person admin "
    "other_topic benefit_core life_event device_logistics symptom symptom_advice "
    "symptom_negation "
    "definition same_for_me credibility outcome_claim household comparative place preop "
    "failed_effect next_step dosage disclaimed hearsay cause doubt side_effect harm_asked "
    "option_effect failed_aside compared_aside before_or_instead practical device_stays "
    "device_part other_outcomes safety_compare payment told_effect_but said_by"
)
# What a treatment acts on (headache words) and unfavourable outcomes (risks, heredity).
_TARGET = fragment("TARGET")
_RISK_NOUN = fragment("RISK")
TARGET_WORD = re.compile(r"\b" + _TARGET + r"\b")
# A symptom described: what the symptom veto needs before "is that normal?" counts.
SYMPTOM_BODY = re.compile(r"\b(" + _TARGET[1:-1] + "|" + words("symptom_body") + r")\b")
# Unfavourable outcomes: "chances of an infection" asks about risk, not efficacy.
RISK_TEXT = re.compile(r"\b" + _RISK_NOUN)
# The same, as whole words ("tod" is no risk in "toda a gente").
RISK_WORD = re.compile(r"\b" + _RISK_NOUN + r"\b")
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
# Who or what an effect is for, not an object: "does it work for everyone?", "for long".
FOR_WHOM = re.compile("^(" + words("for_whom") + ")$")
# An object of an effect that is about health: "does it help against nausea?"
HEALTH_OBJECT = re.compile("^(" + _TARGET[1:-1] + "|" + words("health_object") + ")$")
# A short follow-up: "and fat transfer?", "¿y en mi caso?", "what about the stimulator?"; not a
# new question ("and how much does it cost?") nor one about something else ("and the risks?").
_QUESTION_WORD = (
    r"how|what|who|when|where|why|which|is|are|does|do|can|will|cuanto|cuanta|cuando|donde|quien|"
    r"como|que|combien|quand|ou|qui|comment|est-ce|wie|wann|wo|wer|was|hoe|wanneer|waar|wat|"
    r"quanto|quanta|quando|onde|quem|cosa|chi|dove|come|cuantos|cuantas|quantos|quantas|quanti|"
    r"quante|hoeveel|wieviele?|wie viele?|how many|how much"
)
FOLLOW_ON = re.compile(
    r"^\W*(and|what about|how about|also|y|et|und|en|e|ou|o|ma|mais|pero|aber|maar|mas)\b"
    r"(?!\s+(" + _QUESTION_WORD + r")\b)(?!.*(" + OTHER_TOPIC.pattern + "))",
    re.IGNORECASE,
)
