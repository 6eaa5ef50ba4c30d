"""Efficacy-question detection: does a question ask whether, how well, how often, for how long
or for whom a treatment works? Rules over accent-folded text, in English, Spanish, French,
German, Dutch, Portuguese and Italian, with exclusions for mechanism ("how does Botox work?")
and timing ("how long do nerve blocks take to work?") questions.

Rules rather than a model: the detector must reach 100% recall on the labelled set in
``evals/efficacy_detection.yaml``, be explainable to clinical reviewers, and run offline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text import fold
from assistant.types import Turn


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


# Signals that on their own make a question about efficacy.
_STRONG = _rx(
    # English
    r"\bsuc+es+\w*",
    r"\bef+[ei]c+?t[iy]v\w*",
    r"\befficacy\b",
    r"\bcur(e|es|ed|ing)\b",
    r"\bworth\b",
    r"\bproo?f\b",
    r"\bproven\b",
    r"\bevidence\w*",
    r"\bstud(y|ies)\b",
    r"\btrials? (show|found|prove|say)",
    r"\b(trial|study|studies|review|meta-?analys\w*|research)\b.{0,50}\b(find|found|show\w*|"
    r"report\w*|conclude\w*|highlight\w*)\b",
    r"\brandomi[sz]ed\b",
    r"\bscientific\w*",
    r"\blegit\w*",
    r"\bscam\b",
    r"\bplacebo\b",
    r"\bdata on\b",
    r"\bbacked by\b",
    r"\btested\b",
    r"\bpercent(age)?\b",
    r"\d+\s?%",
    r"\bodds\b",
    r"\bchances?\b",
    r"\blikely\b",
    r"\bresults?\b",
    r"\boutcomes?\b",
    r"\brelief\b(?! cent)",
    r"\bbenefit\w*",
    r"\bimprove\w*",
    r"\bget(s|ting)? better\b",
    r"\bbetter than\b",
    r"\bworks? better\b",
    r"\bmore effective\b",
    r"\bcompared? (to|with)\b",
    r"\bagainst sham\b",
    r"\bvs\.?\b|\bversus\b",
    r"\b(makes?|made|making) (a |any |no |much |real )?difference\b",
    r"\breduc\w*",
    r"\bdecreas\w*",
    r"\blower\b",
    r"\bfewer\b",
    r"\bcut(s|ting)? down\b",
    r"\b(days?|attacks?|migraines?|headaches?|pain) (drop|fall|go down)",
    r"\bget rid of\b",
    r"\bgo away\b",
    r"\bmigraine[- ]free\b",
    r"\bcome back\b",
    r"\bwear off\b",
    r"\bstop (my |the |your |his |her |their )?(migraines?|headaches?|attacks?|pain)\b",
    r"\bfix\w*\b",
    r"\brespond\w*\b",
    r"\bdo (anything|something) for\b",
    r"\bmake a difference\b",
    r"\bhow well\b",
    r"\bis (that|it|this) (true|real|realistic)\b",
    r"\brealistic\b",
    # Spanish
    r"\bporcentaje\b",
    r"\bmejor(a|an|ar|ia)?\b",
    r"\bcura(n|r)?\b",
    r"\bvale la pena\b",
    r"\bpruebas?\b",
    r"\balivio\b",
    r"\bsirve\b",
    r"\breduce\b",
    r"\befectiv\w*",
    r"\bexito\b",
    # French
    r"\breussite\b",
    r"\bguerir\b",
    r"\bdiminue\w*",
    r"\bpreuves?\b",
    r"\befficace\w*",
    r"\bvaut\b.{0,12}\b(coup|peine)\b",
    r"\bresultats?\b",
    r"\bsoulag\w*",
    r"\baide\w* vraiment\b",
    # German
    r"\bhilft\b",
    r"\berfolg\w*",
    r"\bheil(en|t)\b",
    r"\blohnt\b",
    r"\bbelege?\b",
    r"\bbeweis\w*",
    r"\bbesser als\b",
    r"\bbesserung\b",
    r"\breduziert\b",
    r"\bbringt\b.{0,40}\bwas\b",
    r"\bwirksam\w*",
    # Dutch
    r"\bprocent\b",
    r"\bbaat\b",
    r"\bgenez\w*",
    r"\bmoeite waard\b",
    r"\bbewijs\w*",
    r"\bhelpt\b",
    r"\bbeter dan\b",
    r"\beffect van\b",
    r"\bvermindert\b",
    r"\beffectief\b",
    # Portuguese
    r"\btaxa de sucesso\b",
    r"\bcurar\b",
    r"\bprova\b",
    r"\bvale a pena\b",
    r"\bmelhor do que\b",
    r"\breduz\b",
    r"\bresultado\b",
    r"\beficaz\w*",
    r"\beficacia\b",
    r"\bda resultado\b",
    # Italian
    r"\bsuccesso\b",
    r"\bguari\w*",
    r"\bprove\b",
    r"\bmeglio\b",
    r"\bbeneficio\b",
    r"\briduce\b",
    r"\bserve a qualcosa\b",
    r"\befficacia\b",
)

# "Works"/"helps" ask about efficacy unless the question is about mechanism or timing.
_WORKS = _rx(
    r"\bwork(s|ed|ing)?\b",
    r"\bhelp(s|ed)?\b",
    r"\bfunciona(n)?\b",
    r"\bmarche\b",
    r"\bfonctionne\b",
    r"\bwirkt\b",
    r"\bwerkt\b",
    r"\bfunziona\b",
    r"\bayuda\b",
    r"\bajuda\b",
    r"\baiuta\b",
)
_MECHANISM_OR_TIMING = _rx(
    r"\bhow (does|do|did|is|are|would|will)\b(?!.*\bwell\b)",
    r"\b(take|takes|taking|long|quickly|quick|soon|fast|start|starts|kick)\b.{0,25}"
    r"\b(work|working|effect)",
    r"\b(back to|off|at|from|to) work\b",
    r"\b(como|comment|wie|hoe|come)\b.{0,25}\b(funciona|marche|fonctionne|agit|wirkt|"
    r"funktioniert|werkt|funziona|agisce)\b",
    r"\b(wie|hoe) (schnell|snel|lange|lang|bald)\b",
    r"\bnothing( else)? (has |have )?(helped|worked)\b",
    r"\bcan you help\b",
    r"\bhelp me (understand|find|with)\b",
)
_FOLLOW_ON = re.compile(r"^\s*(and|what about|how about|y|et|und|en|e|ou|o)\b", re.IGNORECASE)

# Outcome claims in an answer: figures or words about how well a treatment works.
_OUTCOME_CLAIM = _rx(
    r"\d+(\.\d+)?\s?%",
    r"\bpercent\b",
    r"\bsuccess\w*",
    r"\beffective\w*",
    r"\befficacy\b",
    r"\bcur(e|es|ed)\b",
    r"\brelief\b(?! cent)",
    r"\bresolution\b",
    r"\bimprov\w*",
    r"\beliminat\w*",
    r"\breduc\w* (in |the )?(frequency|intensity|severity|migraine|headache|pain)",
    r"\bfewer (migraine|headache|pain|attack)",
)


def is_efficacy_text(text: str) -> bool:
    """Whether one piece of text asks about efficacy."""
    folded = fold(text)
    if _STRONG.search(folded):
        return True
    return bool(_WORKS.search(folded)) and not _MECHANISM_OR_TIMING.search(folded)


def states_outcomes(answer_text: str) -> bool:
    """Whether an answer states outcomes (rates, relief, cure, improvement)."""
    return bool(_OUTCOME_CLAIM.search(fold(answer_text)))


class EfficacyDetector:
    """Flags efficacy questions, including follow-ups that inherit the topic of the last turn."""

    def detect(self, question: str, standalone: str, history: Sequence[Turn] = ()) -> bool:
        if is_efficacy_text(question) or is_efficacy_text(standalone):
            return True
        # "And fat transfer?" after "Does the M.I.G.O.N.E. procedure work?" asks the same thing.
        last_user = next((t.content for t in reversed(history) if t.role == "user"), None)
        short = len(question.split()) <= 6
        return bool(
            last_user
            and short
            and _FOLLOW_ON.search(fold(question))
            and is_efficacy_text(last_user)
        )
