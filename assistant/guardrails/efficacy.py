"""Efficacy-question detection: does a question ask whether, how well, how often, for how long,
for whom or compared with what a treatment works, named or not, in any wording?

Two layers, recall first (a missed efficacy question loses its evidence caveat):

1. Rules over accent-folded text in English, Spanish, French, German, Dutch, Portuguese and
   Italian that recognise the *form* of the question rather than fixed phrases: an effect
   (treat, cure, relieve, prevent, reduce, stop, end, ease, fix, get rid of, work, help...), a
   verdict (worth it, any good, a waste of money, a scam, legit, useless, regret), an outcome
   (success, results, chances, relief, migraine-free, no more attacks), a duration (permanent,
   long-term, wears off), a comparison (better than, vs, compared with), or evidence (proof,
   studies, placebo, a sham operation). Effect verbs are "weak": they do not count in mechanism
   ("how does Botox work?"), onset-timing ("how long does it take to work?"), job ("when can I
   go back to work?"), symptom ("my headache won't go away, is that normal?"), aftercare ("will
   the numbness go away?"), help-from-a-person ("can my GP help with the referral?"),
   paperwork, natural-course ("my migraines went away in pregnancy, why?") or off-topic
   questions ("does vinegar work against limescale?"). Durations and comparisons count unless
   the question is about something else that lasts or compares (risks, side effects, the scar,
   cost, recovery, anaesthesia) with no benefit named; quantities count for a benefit or a
   treatment, not for heredity or prevalence. The other signals are "strong" and count whatever
   else the question says. Misspelt effect words ("efectiba", "funsiona", "worht") are read
   after a spelling fold (b/v, s/z/c, j/g, h, double letters) at one typing slip.
2. A logistic-regression classifier over the standalone question's multilingual embedding
   (multilingual-e5-small, ``encoder.QuestionEncoder``) catches wordings and languages the
   rules do not know. Its weights ship in ``data/efficacy_classifier.json`` and are trained by
   ``scripts/train_guardrail_classifiers.py``. Mechanism, timing, job and definition questions
   veto it too.

Follow-ups count: "and does it work?" is caught on its own wording; a credibility question
("is that true?", "c'est crédible ?") or "would I get the same?" after an efficacy claim, and a
short "and fat transfer?" after an efficacy question, inherit the topic of the conversation.

Where things live: the vocabularies (forms and vetoes, seven languages) in
``data/efficacy_patterns.yaml``, compiled by ``efficacy_vocab``; the rule signals in
``efficacy_rules``; the classifier in ``efficacy_classifier``; the detector that combines them
here. The public names stay importable from this module.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from assistant.guardrails.classifiers import EFFICACY_FILE, LinearClassifier, efficacy_classifier
from assistant.guardrails.efficacy_rules import (
    Signals,
    is_credibility_question,
    is_efficacy_text,
    signals,
    states_outcomes,
)
from assistant.guardrails.efficacy_vocab import (
    CAUSE,
    CREDIBILITY,
    DEVICE_LOGISTICS,
    DEVICE_PART,
    DOUBT,
    FAILED_EFFECT,
    FOLLOW_ON,
    HEARSAY,
    OPTION_EFFECT,
    OTHER_OUTCOMES,
    PRACTICAL,
    SAID_BY,
    SAME_FOR_ME,
    TOLD_EFFECT_BUT,
    WHY,
    normalise,
)
from assistant.question import asking
from assistant.text import fold
from assistant.types import Turn

__all__ = [
    "EFFICACY_FILE",
    "EfficacyDetector",
    "LinearClassifier",
    "Signals",
    "is_credibility_question",
    "is_efficacy_text",
    "normalise",
    "signals",
    "states_outcomes",
]

# Vetoes that read the whole message, not the sentence they are found in.
_WHOLE_MESSAGE_VETOES = frozenset(
    {
        "symptom",
        "dosage",
        "disclaimed",
        "side_effect",
        "consult",
        "definition",
        "hearsay",
        "payment",
    }
)
_SENTENCE = re.compile(r"(?<=[?.!])\s+")
# A part of a message that asks: from the end of the sentence, emoticon or opening question mark
# before it, up to its question mark.
_ASKED = re.compile(r"(?:[^.?!¿)]|(?<=\d)\.(?=\d))*\?")
# After a comma, a clause that opens with a question word asks on its own ("the surgeon was
# pleased with the result, when can I cycle again?").
_ASKING_CLAUSE = re.compile(
    r",\s+(?=(?:when|how|can|may|could|what|where|wanneer|mag|kan|hoe|wat|waar|cuando|como|"
    r"puedo|donde|quand|comment|puis|wann|darf|kann|wie|wo|quando|posso|onde|come|dove)\b)",
    re.IGNORECASE,
)
# An acknowledgement that opens a follow-up ("ok", "vale,", "d'accord", "oke maar"): the
# follow-up is what comes after it.
_ACKNOWLEDGED = re.compile(
    r"^\W*(ok(ay|e|ey)?|vale|bueno|bon|d'accord|alright|right|gut|goed|certo|beh|va bene|ah|"
    r"hm+|ja|si|sim|ya|thanks|merci|gracias|danke|bedankt|obrigad[oa]|grazie)\b[\s,.!:;-]*",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
_CLAUSE = re.compile(r"[.,;!:]\s+")
_THE_OTHER = re.compile(
    r"\b(the other( one)?|die andere|de andere|het andere|das andere|der andere|l'autre|"
    r"la otra|el otro|l'altra|l'altro|a outra|o outro|the one (where|with|that|they|you)|"
    r"la version|celle (ou|avec|qui)|celui (ou|avec|qui)|la (version|variante) (de|del)|"
    r"die (mit|wo|bei der)|der (mit|wo)|die (waar|met)|degene (waar|met)|quell[ao] (con|dove)|"
    r"aquel[ae] (com|em que|onde))\b",
    re.IGNORECASE,
)
# "What about ...?" in so many words ("en hoe zit dat bij de zenuwoperatie zelf?", "und wie ist
# das bei der Fettgeschichte?"): the same question asked of another treatment, in a longer form.
# "But in people who only have pain on one side?", "ook niet als het gaatje groot is?": the same
# question asked again for a group of patients or a case, after an efficacy question.
_SUBGROUP = re.compile(
    r"^\W*((and|but|en|maar|y|pero|et|mais|und|aber|e|mas|ma|ok|okay|oke)\s+)?("
    r"((ook|auch|also|even|aussi|tambien|tambem|anche|ni siquiera|meme|nemmeno|neanche|"
    r"nem mesmo)\s+"
    r"(niet\s+|nicht\s+|not\s+|pas\s+|no\s+|non\s+)?|(niet|not|nicht|pas|no|non|nem)\s+)"
    r"(als|wenn|if|si|se|quand|when|wanneer|cuando|quando)\b|"
    r"(bij|in|for|en|para|chez|pour|bei|em|per|nos|nas|nei|nelle|among|onder|entre|tra) "
    r"(de |la |los |las |les |die |den |os |as |i |le )?"
    r"(mensen|people|patients?|personas|pacientes|gens|"
    r"personnes|menschen|leuten|patienten|pessoas|persone|pazienti|quem|those|degenen|women|vrouwen|"
    r"mujeres|femmes|frauen|mulheres|donne|kinderen|children|ninos|enfants|kindern|criancas|bambini)\b)",
    re.IGNORECASE,
)

_WHAT_ABOUT = re.compile(
    r"^\W*((and|en|y|et|und|e|ok|okay|oke)\s+)?(hoe zit (het|dat)( dan)? (met|bij)|"
    r"wie (ist|sieht) (es|das)( denn)? (\w+ )?(mit|bei)|what about|how about|"
    r"how is (it|that) with|que tal con|como es con|qu'en est-il (de|du|des|avec)|"
    r"et pour (le|la|les|l')|e quanto (a|ao|à)|como e com|come va con|e per (il|la|lo|l'))\b",
    re.IGNORECASE,
)
# How long "that" lasts ("wie lange hält das an?", "¿cuánto me va a durar eso?").
_THAT_LASTS = re.compile(
    r"\b(how long|wie lange|cuanto( tiempo)?|combien de temps|quanto tempo|hoe lang|per quanto)\b"
    r".{0,25}\b(that|this|das|dies|eso|esto|ca|cela|isso|isto|dat|dit|quello|questo|cio)\b|"
    r"\b(that|das|eso|ca|isso|dat|quello)\b.{0,20}\b(last|lasts|dauert|halt|bleibt|dura|dure|"
    r"duurt|blijft)\b"
)
_COMPLAINT_VETOES = frozenset({"aftercare", "side_effect", "symptom"})


def _asks_how_long_the_complaint_lasts(before: Sequence[str], sentence: str) -> bool:
    """ "My stomach where they did the lipo is really bruised and sore. How long does that
    last?": how long "that" lasts is asked of the complaint told just before, not of the
    treatment's effect."""
    if not before or not _THAT_LASTS.search(normalise(sentence)):
        return False
    return bool(signals(" ".join(before)).vetoes & _COMPLAINT_VETOES)


# The options of an alternative question ("does it start working later, or will it never work
# for me?"): each is read as a sentence of its own.
_ALTERNATIVE = re.compile(
    # a bare "o" only before a clause: in Portuguese it is an article ("parar o AAS")
    r",?\s+\b(?:or|ou|oder|oppure|o(?=\s+(?:ya|no|non|es|sera|va|se|me|mi|e|sara|devo|debo|tengo|"
    r"sigue|continua)\b))\s+(?=\w)",
    re.IGNORECASE,
)


def _asked_parts(question: str) -> list[str]:
    """The parts of a message that ask: each up to its question mark, from the end of the
    sentence before it, or from a comma that opens a clause with a question word."""
    parts = []
    for part in _ASKED.findall(question):
        if not part.strip(" ?"):
            continue
        clauses = _ASKING_CLAUSE.split(part)
        parts.append(clauses[-1])
    return parts


def _outside(text: str, parts: Sequence[str]) -> str:
    """What ``text`` says outside the ``parts`` that ask (the story a question is told in)."""
    for part in parts:
        text = text.replace(part, " ")
    return text


class EfficacyDetector:
    """Flags efficacy questions, including follow-ups that inherit the topic of the conversation.

    ``vector`` is the guardrails' encoding of the standalone question
    (``encoder.QuestionEncoder``). Without a vector the rules decide alone.
    """

    def __init__(self, classifier: LinearClassifier | bool | None = True) -> None:
        if classifier is True:
            self.classifier: LinearClassifier | None = efficacy_classifier()
        elif classifier is False:
            self.classifier = None
        else:
            self.classifier = classifier

    def rules(self, question: str, standalone: str, history: Sequence[Turn] = ()) -> bool:
        """The decision of the rules alone."""
        own = signals(question)
        # The standalone question carries the conversation's topic; a question read under a
        # veto of its own ("how does it work exactly?") keeps that reading.
        if own.efficacy or (
            standalone != question and not own.vetoed and signals(standalone).efficacy
        ):
            return True
        if "definition" in own.vetoes:
            return False
        if self._one_sentence_asks(question, own):
            return True
        users = [t.content for t in reversed(history) if t.role == "user"]
        last_user = users[0] if users else None
        if not last_user:
            return False
        before = signals(last_user)
        # "Is that true?" / "c'est crédible ?" after a claim about results; "would I get the same?"
        # after someone's outcome.
        if (is_credibility_question(question) or SAME_FOR_ME.search(normalise(question))) and (
            before.strong or before.weak
        ):
            return True
        # "And fat transfer?" after "Does the M.I.G.O.N.E. procedure work?" asks the same thing,
        # after an acknowledgement too ("ok what about the heart hole one"). A longer one counts
        # when it turns to "the other one" or "the one where" ("en die andere dan, met het
        # kastje?", "and the one where they put your own fat in?", "et la version derrière la
        # tête, le migone ?") or says "what about" in so many words ("en hoe zit dat bij de
        # zenuwoperatie zelf?").
        follow_on = _ACKNOWLEDGED.sub("", fold(question))
        words = len(_WORD.findall(follow_on))
        short = (
            words <= 7
            or (words <= 11 and bool(_THE_OTHER.search(follow_on) or _WHAT_ABOUT.search(follow_on)))
            or (words <= 15 and bool(_SUBGROUP.search(follow_on)))
        )
        return bool(
            short
            and not own.vetoed
            # "And the operation takes how long?" asks the operation's length, not the same.
            and not OTHER_OUTCOMES.search(normalise(follow_on))
            # "ok, but can I take it together with the triptan?": a practical thing asked.
            and not self.asks_only_practical(question)
            and (
                FOLLOW_ON.search(follow_on)
                or _WHAT_ABOUT.search(follow_on)
                or _SUBGROUP.search(follow_on)
            )
            and before.efficacy
        )

    @staticmethod
    def _one_sentence_asks(question: str, own: Signals) -> bool:
        """A message of several sentences, one of which asks about efficacy on its own, with no
        veto of its own ("How long until amitriptyline kicks in? If I feel nothing after a month,
        does that mean it won't work?"), or one option of an alternative question that does: a
        veto read in another sentence is about that one. A veto that reads the whole message (a
        symptom, a dose, a side effect) still holds."""
        if own.vetoes & _WHOLE_MESSAGE_VETOES:
            return False
        folded = normalise(question)
        if "offtopic" in own.vetoes and any(
            not DEVICE_PART.fullmatch(m.group(0)) for m in DEVICE_LOGISTICS.finditer(folded)
        ):
            # "With the stimulator, can I go through the metal detector? Will it still work
            # after?": the device's own running, in whichever sentence it is asked.
            return False
        if "natural" in own.vetoes and (WHY.search(folded) or CAUSE.search(folded)):
            # "They come back every Sunday, why? Is it the coffee?": a cause is what is asked.
            return False
        sentences = [s for s in _SENTENCE.split(question.strip()) if s.strip()]
        if "next_step" in own.vetoes:
            # "The op didn't help. Who do I see now?": the failure told is no question of its
            # own; another sentence that asks ("would surgery help me?") still counts.
            sentences = [
                s for s in sentences if "?" in s and not FAILED_EFFECT.search(normalise(s))
            ]
        asks = asking(sentences)
        for n, sentence in enumerate(sentences):
            options = [p for p in _ALTERNATIVE.split(sentence) if p.strip()]
            if len(sentences) < 2 and len(options) < 2:
                return False
            alone = signals(sentence)
            if (
                alone.efficacy
                and not alone.vetoed
                and len(sentences) > 1
                # A sentence that only tells ("my cousin had it with the lipofilling for her
                # migraine.") asks nothing when another one asks.
                and (asks[n] or not any(asks))
                and not _asks_how_long_the_complaint_lasts(sentences[:n], sentence)
            ):
                return True
            for option in options if len(options) > 1 else []:
                # An option counts when it asks whether the treatment works or helps ("... or
                # will it never work for me?"), not for another effect ("... or does the scar
                # fade?").
                read = signals(option)
                if OPTION_EFFECT.search(normalise(option)) and read.efficacy and not read.vetoed:
                    return True
        return False

    @staticmethod
    def asks_only_practical(question: str) -> bool:
        """Whether every part of the message that asks (up to a question mark) asks a practical
        thing (aftercare, driving, work, paperwork, a surgeon, an age limit) and none asks about
        efficacy ("j'ai 68 ans, est-ce qu'on est trop vieux pour la chirurgie ?"; "the surgeon
        says the op was a complete success :) when can I wash my hair?")."""
        asked = _asked_parts(question)
        if not asked and "?" not in question:
            # No question mark: the last clause asks ("the op was a success, when can I wash
            # my hair").
            asked = [c for c in _CLAUSE.split(question.strip())[-1:] if len(_WORD.findall(c)) > 2]
        if not asked:
            return False
        for part in asked:
            folded = normalise(part)
            read = signals(part)
            # How it is done ("how do they close it, through the leg?") is what having it is
            # like; "... she's cured. how often does that happen?" asks the outcome's chance.
            practical = PRACTICAL.search(folded) or "mechanism" in read.vetoes
            if read.efficacy or not practical or SAME_FOR_ME.search(folded):
                return False
        return True

    @staticmethod
    def tells_outcome(question: str) -> bool:
        """Whether what the message says outside its questions reads as efficacy: an outcome
        told ("a mi cuñada le curaron las migrañas con lo de la grasa, ¿...?")."""
        told = _outside(question, _asked_parts(question))
        return bool(told.strip()) and signals(told).efficacy

    @staticmethod
    def asks_past_told_effect(question: str) -> bool:
        """Whether the message tells that a treatment works, then turns ("but") to something
        else, and only that something else is asked ("topiramate is working great but my hair
        is coming out in clumps, is that the tablets?"; "Botox wirkt gut, aber seit der letzten
        Sitzung hängt mein Augenlid. Wie lange bleibt das so?"). Not when a question comes
        before the effect told, when the effect is someone else's claim ("they say it works but
        is that true?"), or when what follows asks about efficacy itself ("... but would it
        work for me?") or tells the effect fading ("... mas agora perdeu o efeito")."""
        folded = normalise(question)
        told = TOLD_EFFECT_BUT.search(folded)
        if told is None or "?" in folded[: told.start()]:
            return False
        if HEARSAY.search(folded[: told.end()]) or SAID_BY.search(folded[: told.end()]):
            return False
        rest = folded[told.end() :]
        if any(rx.search(rest) for rx in (CREDIBILITY, SAME_FOR_ME, DOUBT, FAILED_EFFECT)):
            return False
        asked = _asked_parts(rest)
        if not asked and "?" not in rest:
            asked = [c for c in _CLAUSE.split(rest.strip())[-1:] if len(_WORD.findall(c)) > 2]
        said = _outside(rest, asked)
        complaint = len(_WORD.findall(said)) >= 2
        # "..., aber ich habe Verstopfung. Wie lange hält das an?": how long "that" lasts is
        # asked of the complaint told after the "but".
        return (
            bool(asked)
            and not signals(said).efficacy
            and not any(
                signals(part).efficacy and not (complaint and _THAT_LASTS.search(part))
                for part in asked
            )
        )

    @staticmethod
    def tells_failure(question: str) -> bool:
        """Whether what the message says outside its questions tells a treatment that did not
        work ("fiz a cirurgia ano passado e não adiantou nada, continuo igual. consigo pedir
        reembolso?")."""
        told = _outside(question, _asked_parts(question))
        return bool(told.strip()) and bool(FAILED_EFFECT.search(normalise(told)))

    def detect(
        self,
        question: str,
        standalone: str,
        history: Sequence[Turn] = (),
        vector: Any = None,
    ) -> bool:
        """The rules' reading, else the classifier's on ``vector`` (the standalone question's
        encoding, when given): the two steps ``GuardrailLayer.read`` takes in turn, encoding
        the question only when the rules leave it undecided."""
        decided = self.decided_by_rules(question, standalone, history)
        if decided is not None:
            return decided
        return vector is not None and self.classifier_flags(question, standalone, vector)

    def decided_by_rules(
        self, question: str, standalone: str, history: Sequence[Turn] = ()
    ) -> bool | None:
        """Whether the rules alone tell an efficacy question; None when they find none and the
        classifier is to be asked (it is not, about a question asking only practical things)."""
        if self.asks_past_told_effect(question):
            return False
        practical = self.asks_only_practical(question)
        if practical and (self.tells_outcome(question) or self.tells_failure(question)):
            # An outcome told (a success, or a treatment that did nothing), then only practical
            # things asked: the outcome is the story.
            return False
        if self.rules(question, standalone, history):
            return True
        return False if practical or self.classifier is None else None

    def classifier_flags(self, question: str, standalone: str, vector: Any) -> bool:
        """The classifier's reading of the standalone question's ``vector``, unless the
        question's words veto an efficacy reading or ask about harm."""
        if self.classifier is None or not self.classifier.flags(vector):
            return False
        own = signals(question)
        return not (own.vetoed or own.harm or signals(standalone).vetoed)
