"""The rule layer of efficacy detection: the signals one piece of text gives (strong, weak and
the vetoes of the weak ones), read with the vocabularies of ``efficacy_vocab``."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from assistant.guardrails.efficacy_vocab import (
    ADMIN,
    AFTERCARE,
    AGAINST,
    BENEFIT,
    BENEFIT_CORE,
    CAUSE,
    COMPARATIVE,
    COMPARE,
    CONSULT,
    CREDIBILITY,
    DEFINITION,
    DEVICE_LOGISTICS,
    DEVICE_STAYS,
    DISCLAIMED,
    DOSAGE,
    DOUBT,
    DURABLE,
    FAILED_EFFECT,
    FOR_WHOM,
    GENERAL_EFFECT,
    HARM_ASKED,
    HEALTH_OBJECT,
    HEARSAY,
    HELPER,
    HOUSEHOLD,
    JOB,
    LIFE_EVENT,
    MECHANISM,
    NEXT_STEP,
    ONSET_TIMING,
    OTHER_OUTCOMES,
    OTHER_TOPIC,
    OUTCOME_CLAIM,
    PAYMENT,
    PLACE,
    POSTOP_PAIN,
    PREOP,
    QUANTITY,
    RISK_TEXT,
    RISK_WORD,
    SAFETY_COMPARE,
    SAME_FOR_ME,
    SIDE_EFFECT,
    STRONG,
    SYMPTOM,
    SYMPTOM_ADVICE,
    SYMPTOM_BODY,
    SYMPTOM_NEGATION,
    TARGET_WORD,
    TREATMENT_WORD,
    WEAK,
    WHY,
    normalise,
)
from assistant.text import fold


def names_treatment(folded: str) -> bool:
    """A treatment named in general words or in the catalogue of treatments."""
    if TREATMENT_WORD.search(folded):
        return True
    from assistant.guardrails.treatments import default_catalogue

    return bool(default_catalogue().find(folded))


Veto = Literal[
    "mechanism",
    "timing",
    "job",
    "payment",
    "symptom",
    "definition",
    "aftercare",
    "offtopic",
    "natural",
    "consult",
    "dosage",
    "disclaimed",
    "hearsay",
    "side_effect",
    "next_step",
]
"""A reading of the text under which an effect word does not ask about efficacy: how a
treatment works, when it starts, going back to work, a symptom described, what a word means,
aftercare, another topic, a life event or paperwork, a verdict on asking a doctor, a dose,
efficacy said not to be the question ("I'm not asking whether it will work"), someone's
hedged claim told beside a question on something else ("the ENT thinks it might help; how long
is the recovery?"), a side effect felt and whether it wears off, or who to turn to after a
treatment told as failing ("the op didn't help, who do I see now?")."""


SIGNALS_KEPT = 8192
"""How many texts' signals ``signals`` keeps."""


@dataclass(frozen=True)
class Signals:
    """What the rules saw in one piece of text: a strong or a weak efficacy form, the vetoes
    that cancel a weak one (and the classifier), and a household question (never efficacy)."""

    strong: bool
    weak: bool
    vetoes: frozenset[Veto] = frozenset()
    household: bool = False
    dose_only: bool = False
    """A dose is asked and no effect is named ("it comes back after the triptan, how many can I
    take?"): never efficacy, whatever else the text says."""
    harm: bool = False
    """Whether the treatment causes a named harm is asked ("does amitriptyline make you gain
    weight?"), or only a risk with no benefit named ("qual a chance de dar alguma complicação?"):
    the classifier, which reads the treatment and the illness, is not asked."""

    @property
    def vetoed(self) -> bool:
        """The weak signals (and the classifier) do not count."""
        return bool(self.vetoes)

    @property
    def efficacy(self) -> bool:
        if "definition" in self.vetoes or self.household or self.dose_only:
            return False
        return self.strong or (self.weak and not self.vetoed)


# Misspelt effect words ("efectiba", "funsiona", "wrk", "worht", "sirbe"): tokens compared with the
# key words after a spelling fold (b/v, s/z/c, k/c/qu, j/g, h, double letters), at one edit.
_FUZZY_KEYS = tuple(
    re.findall(
        r"\S+",
        "work works worked working worth help helps helped effective effectiveness success "
        "successful results relief cure cured funciona funcionan funcionar funcione sirve "
        "sirven ayuda ayudan efectivo efectiva eficaz resultado resultados alivia cura "
        "curar marche fonctionne efficace efficacite resultats soulage guerir hilft helfen "
        "wirkt wirksam bringt lohnt erfolg heilt helpt werkt effectief resultaat geneest "
        "ajuda resolve eficaz resultado funziona funzionano aiuta serve efficace risultati "
        "guarisce allevia",
    )
)


def _spelling(word: str) -> str:
    w = word.replace("ph", "f").replace("qu", "k").replace("ck", "k").replace("ll", "y")
    w = re.sub(r"c(?=[eiy])", "s", w).replace("c", "k").replace("z", "s").replace("v", "b")
    w = w.replace("j", "g").replace("h", "").replace("w", "u")
    return re.sub(r"(.)\1+", r"\1", w)


def _one_edit(a: str, b: str) -> bool:
    """Whether two words differ by one typing slip: a letter left out or added, or two letters
    swapped (a changed letter makes another word too often: "nerve", "serve"), never the first."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1 or a[:1] != b[:1]:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and (a[diff[1]] == b[diff[0]])
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


_FUZZY_FORMS = {_spelling(k): k for k in _FUZZY_KEYS}
# Real words one slip away from a key word.
_NEAR_KEYS = frozenset(
    re.findall(
        r"\S+",
        "worst worse words world worked nerve nerves serves served resultado resulta helper helmet "
        "curve curse cured curled marcher marches sirven wordt worden bring brings bringing "
        # "marquei consulta" (I booked), "marquer", "marque": booking or marking, no effect
        "marquei marque marquer marques marquee marquez marquent marqueis",
    )
)


def _fuzzy_effect(folded: str) -> bool:
    """A misspelt effect word, for a question the patterns missed."""
    for token in re.findall(r"[a-z]{3,}", folded):
        if token in _FUZZY_KEYS or token in _NEAR_KEYS:
            continue  # spelt right: the patterns and their vetoes have read it
        form = _spelling(token)
        if len(token) >= 5 and len(_FUZZY_FORMS.get(form, "")) >= 5:
            return True
        if len(token) >= 6 and any(
            len(key) >= 5 and _one_edit(form, key_form) for key_form, key in _FUZZY_FORMS.items()
        ):
            return True
    return False


def _strip_vetoed(folded: str) -> str:
    """The text without job and helper phrases ("back to work", "can you help me"), without a
    verdict on raising a treatment with a doctor ("worth asking my neurologist about"), without
    an implant that stays in the body ("does it stay in there forever?") and without effects and
    results that are not a treatment's ("the scar heals", "the MRI results", "does the
    anaesthetic work on redheads?"), and without a payment asked ahead judged ("a deposit
    before they've seen me, is that a scam?")."""
    without_job = JOB.sub(" ", PAYMENT.sub(" ", folded))
    return OTHER_OUTCOMES.sub(" ", DEVICE_STAYS.sub(" ", CONSULT.sub(" ", without_job)))


def _offtopic(folded: str, without_job: str, treatment: bool) -> bool:
    """ "Does vinegar work against limescale?": the effect's object is no illness (none is
    named), a device's logistics, or a household object with no treatment named."""
    if any(
        not HEALTH_OBJECT.match(m.group("noun")) and not FOR_WHOM.match(m.group("noun"))
        for m in AGAINST.finditer(without_job)
    ):
        return not treatment
    return bool(DEVICE_LOGISTICS.search(folded)) or (
        not treatment and bool(HOUSEHOLD.search(folded))
    )


# A device that still runs (after a scan, at the airport): its functioning, not a benefit.
_DEVICE_RUNS = re.compile(r"(still|keeps?|stops?)\b")

# A topic in brackets at the end ("... lavarme el pelo? (migraine surgery)") names what the
# question is about, never the illness it asks about.
_TOPIC_IN_BRACKETS = re.compile(r"\s*\([^()]*\)\s*$")


def _told_outcome_for_me(folded: str, treatment: bool) -> bool:
    """Someone's outcome with a treatment, then "would the same happen to me?", in one message
    ("my sister had the MIGONE and has no migraines now, would I get the same?")."""
    return (
        treatment
        and bool(SAME_FOR_ME.search(folded))
        and bool(TARGET_WORD.search(folded) or BENEFIT_CORE.search(folded))
        and not RISK_TEXT.search(folded)
    )


def _symptom_report(folded: str, treatment: bool) -> bool:
    """ "It won't go away, is that normal?"; "... what should I do?" or a plain statement ("it is
    different from usual and won't go away.") when no treatment is named. A treatment told as
    failing ("Triptan hilft nicht, was soll ich tun?", "el paracetamol no me hace nada.") is no
    treatment asked."""
    failed = bool(FAILED_EFFECT.search(folded)) and _treatments_named(folded) <= 1
    asks = (
        bool(SYMPTOM.search(folded))
        or ((not treatment or failed) and bool(SYMPTOM_ADVICE.search(folded)))
        or ((not treatment or failed) and "?" not in folded)
    )
    return asks and bool(SYMPTOM_NEGATION.search(folded) and SYMPTOM_BODY.search(folded))


def _lasts_or_compares(folded: str, without_job: str, named_illness: bool) -> bool:
    """A duration or a comparison of a benefit. How long the anaesthetic works, or whether a
    device still works after a scan, is none."""
    logistics = (
        bool(DEVICE_LOGISTICS.search(folded))
        and not named_illness
        and all(_DEVICE_RUNS.match(m.group(0)) for m in DURABLE.finditer(without_job))
    )
    return (
        bool(DURABLE.search(without_job) or COMPARE.search(without_job))
        and not logistics
        and not POSTOP_PAIN.search(folded)
    )


def _treatments_named(folded: str) -> int:
    """How many treatments a text names: "is surgery better than Botox?" compares two."""
    from assistant.guardrails.treatments import default_catalogue

    general = {m.group(0) for m in TREATMENT_WORD.finditer(folded)}
    listed = {m.treatment.id if m.treatment else m.asked for m in default_catalogue().find(folded)}
    return len(general | listed)


@lru_cache(maxsize=SIGNALS_KEPT)
def signals(text: str) -> Signals:
    """The rule signals of one piece of text. A clause that says efficacy is not the question
    ("I'm not asking whether it'll work, ...") is taken out first. A text is read once: the
    question, its standalone form and its clauses are asked about more than once (the last
    ``SIGNALS_KEPT`` texts are kept)."""
    folded = normalise(text)
    disclaimed = bool(DISCLAIMED.search(folded))
    if disclaimed:
        folded = DISCLAIMED.sub(" ", folded)
    if HEARSAY.search(folded):
        rest = HEARSAY.sub(" ", folded)
        told = signals(rest)
        if not told.efficacy and (
            OTHER_TOPIC.search(rest) or AFTERCARE.search(rest) or JOB.search(rest)
        ):
            return replace(told, vetoes=told.vetoes | {"hearsay"})
    without_topic = _TOPIC_IN_BRACKETS.sub("", folded)
    without_job = _strip_vetoed(folded)
    weak = bool(WEAK.search(without_job)) or (
        not STRONG.search(without_job) and _fuzzy_effect(without_job)
    )
    risk_only = bool(RISK_TEXT.search(without_job)) and not BENEFIT.search(without_job)
    treatment = names_treatment(folded)
    symptom = _symptom_report(folded, treatment)
    # A quantity counts for a benefit or a treatment: "what percentage of people have migraine?"
    # and "the chances my daughter inherits it" ask neither.
    quantity = (
        bool(QUANTITY.search(without_job))
        and not risk_only
        and (treatment or bool(BENEFIT.search(without_job)))
    )
    target = bool(TARGET_WORD.search(without_topic)) or bool(GENERAL_EFFECT.search(without_job))
    # "A headache centre" names a place, not the illness asked about.
    named_illness = bool(TARGET_WORD.search(PLACE.sub(" ", without_topic)))
    offtopic = not named_illness and _offtopic(folded, without_job, treatment)
    # "Is acupuncture better than the topiramate that makes me so foggy?": two treatments
    # compared; a side effect told beside them is why the patient asks, not what is asked.
    # "Is PFO closure safer than the nerve operation?", "back on my feet sooner after the fat
    # than after the decompression?": two treatments compared on risk or recovery, not effect.
    safety_compared = bool(SAFETY_COMPARE.search(without_job)) and not BENEFIT_CORE.search(
        without_job
    )
    compared = (
        bool(COMPARATIVE.search(without_job))
        and _treatments_named(folded) >= 2
        and not safety_compared
    )
    benefit = (
        named_illness
        or bool(BENEFIT_CORE.search(without_job))
        or (compared and not AFTERCARE.search(folded))
    )
    other_topic = not benefit and bool(OTHER_TOPIC.search(without_job) or AFTERCARE.search(folded))
    # "It makes me so tired, will that wear off?": a side effect's duration, no benefit.
    side_effect = bool(SIDE_EFFECT.search(folded)) and not named_illness and not compared
    soft = (
        not other_topic
        and not side_effect
        and _lasts_or_compares(folded, without_job, named_illness)
    )
    # Help from a person ("can my GP help me with the referral?"), with no illness named.
    helper = (
        not named_illness
        and not treatment
        and bool(HELPER.search(folded))
        and not STRONG.search(without_job)
    )
    symptom_described = bool(SYMPTOM.search(folded) and SYMPTOM_BODY.search(folded))
    doubt = bool(DOUBT.search(without_job)) and not MECHANISM.search(folded) and not offtopic
    strong = (
        bool(STRONG.search(without_job))
        or doubt
        or quantity
        or soft
        or _told_outcome_for_me(folded, treatment)
    )
    seen: dict[Veto, bool] = {
        "mechanism": bool(MECHANISM.search(folded)),
        "timing": bool(ONSET_TIMING.search(folded)),
        "job": (bool(JOB.search(folded)) and not weak) or helper,
        # "They want a deposit by bizum before the first visit, is that normal or a scam?"
        "payment": bool(PAYMENT.search(folded)) and not weak,
        "symptom": symptom
        or (symptom_described and not treatment and not STRONG.search(without_job)),
        "definition": bool(DEFINITION.search(folded)),
        "aftercare": (bool(AFTERCARE.search(folded)) and not target and not compared)
        or safety_compared
        or bool(POSTOP_PAIN.search(folded))
        or bool(PREOP.search(folded)),
        "offtopic": offtopic,
        "natural": (bool(LIFE_EVENT.search(folded) or WHY.search(folded)) and not treatment)
        or (bool(ADMIN.search(folded)) and not named_illness)
        # "Why does it come back, has it to do with the coffee?": a cause asked, not a benefit.
        or (
            bool(WHY.search(folded) or CAUSE.search(folded))
            and not BENEFIT_CORE.search(without_job)
            and not STRONG.search(without_job)
        ),
        # A verdict on asking a doctor, with nothing else asked: no classifier overrides it.
        "consult": bool(CONSULT.search(folded)) and not (strong or weak),
        # "It comes back after the triptan, how many can I take?": a dose is what is asked.
        "dosage": bool(DOSAGE.search(folded)),
        "disclaimed": disclaimed,
        "side_effect": side_effect,
        # "The decompression didn't help. Who do I see now?": the failure is the story.
        "next_step": bool(FAILED_EFFECT.search(folded) and NEXT_STEP.search(folded)) and not strong,
    }
    return Signals(
        strong=strong,
        weak=weak,
        vetoes=frozenset(name for name, hit in seen.items() if hit),
        household=offtopic and bool(HOUSEHOLD.search(folded)),
        dose_only=seen["dosage"] and not BENEFIT_CORE.search(without_job),
        harm=bool(HARM_ASKED.search(folded)) or (risk_only and bool(RISK_WORD.search(without_job))),
    )


def is_efficacy_text(text: str) -> bool:
    """Whether one piece of text asks about efficacy, by the rules alone."""
    return signals(text).efficacy


def is_credibility_question(text: str) -> bool:
    """ "Is that true?", "c'est crédible ?": efficacy when it follows an efficacy claim."""
    return bool(CREDIBILITY.search(normalise(text)))


def states_outcomes(answer_text: str) -> bool:
    """Whether an answer states outcomes (rates, relief, cure, improvement)."""
    return bool(OUTCOME_CLAIM.search(fold(answer_text)))
