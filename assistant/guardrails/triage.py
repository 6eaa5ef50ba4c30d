"""Safety triage: red-flag symptoms go to emergency care; personal medical decisions are
referred to a clinician. Rules over accent-folded text, English plus six European languages."""

from __future__ import annotations

import re

from assistant.text import fold


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


_HEADACHE = (
    r"(headache|head ache|head pain|migraine|dolor de cabeza|mal de tete|kopfschmerz\w*|"
    r"hoofdpijn|dor de cabeca|mal di testa|cefalea)"
)

_FEVER = r"\b(fever|feverish|high temperature|fiebre|fievre|fieber|koorts|febre|febbre)\b"
_STIFF_NECK = (
    r"(\bstiff\w*\b.{0,10}\bneck\b|\bneck\b.{0,10}\bstiff\w*|\bnuca rigida\b|"
    r"\brigidez\b.{0,20}\b(nuca|cuello|pescoco)\b|\bcuello rigido\b|\bnuque raide\b|"
    r"\braideur\b.{0,20}\bnuque\b|\bnacken\w*\b.{0,20}\bsteif\b|\bnackensteif\w*|"
    r"\bsteife[nr]? nacken\b|\bstijve nek\b|\bpescoco rigido\b|\bcollo rigido\b|"
    r"\brigidita\b.{0,20}\b(collo|nucale)\b)"
)

RED_FLAGS = _rx(
    r"\bworst (headache|head ?ache|pain|migraine)\b",
    r"\b(headache|pain)\b.{0,30}\bworst\b.{0,20}\b(life|ever)\b",
    r"\bthunderclap\b",
    r"\b(sudden|suddenly|abrupt|explosive)\b.{0,40}\b(severe|intense|excruciating|worst|"
    r"explod\w*|blinding)\b",
    r"\b(severe|intense|excruciating|blinding)\b.{0,30}"
    r"\b(sudden|suddenly|in seconds|out of nowhere)\b",
    r"\bpeaked? (with)?in (a )?(few )?(seconds|a minute|one minute)\b",
    r"\bfac(e|ial)\b.{0,25}\bdroop\w*|\bdroop\w*\b.{0,25}\bfac(e|ial)\b",
    r"\b(weak\w*|numb\w*|paraly\w*|tingl\w* and weak)\b.{0,40}\b(one|left|right) side\b",
    r"\b(one|left|right) side\b.{0,40}\b(weak\w*|numb\w*|paraly\w*)\b",
    r"\b(can ?not|can't|cant|unable to|trouble|difficulty|hard to|struggl\w* to)\b.{0,15}"
    r"\b(speak\w*|talk\w*|find (my |the )?words)\b",
    r"\bslurr\w*\b",
    r"\bspeech\b.{0,20}\b(slurred|garbled|strange)\b",
    r"\b(head (injury|trauma)|hit my head|bumped my head|banged my head|concussion|"
    r"fell and hit)\b",
    r"\b(sudden(ly)?|lost|losing|loss of)\b.{0,25}\b(vision|sight|eyesight)\b",
    r"\b(went|go|going) blind\b|\bcan'?t see\b|\bdouble vision\b",
    r"\bconfus(ed|ion)\b",
    r"\bdisorient\w*\b",
    r"\b(passed out|fainted|seizure|convulsion)\b",
    rf"{_FEVER}.{{0,80}}{_STIFF_NECK}|{_STIFF_NECK}.{{0,80}}({_FEVER}|{_HEADACHE})",
    rf"{_HEADACHE}.{{0,80}}{_STIFF_NECK}",
    r"\b(arm|leg|hand|face|brazo|pierna|bras|jambe|bein|been|braco|perna|braccio|gamba)s?\b"
    r".{0,30}\b(weak\w*|numb\w*|paraly\w*|debil\w*|entumec\w*|faible\w*|engourd\w*|"
    r"schwach\w*|taub\w*|zwak\w*|gevoelloos|dormen\w*|fraco|fraca|debole|intorpidit\w*)\b",
    # Spanish, French, German, Dutch, Portuguese, Italian
    r"\bpeor\b.{0,30}\bvida\b",
    r"\bpire\b.{0,30}\bvie\b",
    r"\bschlimmste\w*\b.{0,30}\blebens\b",
    r"\bergste\b.{0,30}\bleven\b",
    r"\bpior\b.{0,30}\bvida\b",
    r"\bpeggior\w*\b.{0,30}\bvita\b",
    r"\b(cara|visage|gesicht|gezicht|rosto|viso)\b.{0,30}\b(caid\w*|tombant\w*|affaiss\w*|"
    r"hangt|hangend|schief|caido|cadente|storto)\b",
    r"\b(no puedo|ne peux pas|kann nicht|kan niet|nao consigo|non riesco)\b.{0,10}"
    r"\b(hablar|parler|sprechen|praten|spreken|falar|parlare)\b",
    rf"\b(repentin\w*|soudain\w*|ploetzlich\w*|plotselinge?|plotseling|subit\w*|improvvis\w*)\b"
    rf".{{0,40}}{_HEADACHE}",
    rf"{_HEADACHE}.{{0,40}}\b(repentin\w*|soudain\w*|ploetzlich\w*|plotselinge?|plotseling|"
    rf"subit\w*|improvvis\w*)\b",
    rf"\bplotzlich\w*\b.{{0,40}}{_HEADACHE}|{_HEADACHE}.{{0,40}}\bplotzlich\w*\b",
)

PERSONAL_DECISION = _rx(
    r"\bshould (i|we|my \w+)\b.{0,40}\b(have|get|do|undergo|try|take|stop|go for|choose|book|"
    r"cancel|skip|pick|start)\b",
    r"\b(is|would|are)\b.{0,50}\b(right|a good idea|a good choice|suitable|safe) for me\b",
    r"\b(am i|would i be) (a )?(good |suitable |the right )?candidate\b",
    r"\bdiagnose (me|my|what)\b",
    r"\b(is it|would it be) (ok|okay|safe|fine|alright)\b.{0,20}\b(to|if i)\b.{0,30}"
    r"\b(double|increase|take|stop|skip|combine|mix)\b",
    r"\bhow (much|many)\b.{0,60}\bi should take\b",
    r"\b(offered|recommended|suggested)\b.{0,60}\bshould i\b",
    r"\b(quant\w*|cuant\w*|combien|wie ?viel\w*|hoeveel)\b.{0,40}\b(devo|debo|dois|soll|moet)\b"
    r".{0,20}\b(prendere|tomar|prendre|nehmen|nemen)\b",
    r"\bwhat (do|might|could) i have\b",
    r"\bdo i have (occipital neuralgia|migraines?|a tumou?r|an aneurysm|a pfo|a hole|it)\b",
    r"\bhow (much|many)\b.{0,40}\b(should|can|do) i take\b",
    r"\b(what|which) (dose|dosage)\b",
    r"\bdos(e|age|ing)\b.{0,30}\b(for me|should i|can i)\b",
    r"\b(mg|milligrams?|pills?|tablets?)\b.{0,30}\b(should|can) i\b",
    r"\bcan i (stop|double|increase|combine|mix)\b.{0,30}\b(medication|medicine|pills?|dose|"
    r"triptan|sumatriptan|topiramate|botox)\b",
    r"\bdeberia (operarme|hacerme|tomar)\b",
    r"\bdois-je\b.{0,30}\b(opere|faire|prendre)\b",
    r"\bsoll(te)? ich\b.{0,40}\b(operieren|machen|nehmen)\b",
    r"\bmoet ik\b.{0,40}\b(laten|nemen)\b",
    r"\bdevo (fazer|operar|tomar)\b",
    r"\bdovrei\b.{0,30}\b(operar\w*|fare|prendere)\b",
)


# A question about risks or side effects in general is not a symptom report, unless the person
# says they have the symptom now.
_GENERAL_QUESTION = _rx(
    r"\bside effects?\b", r"\brisks?\b", r"\bcomplications?\b", r"\bsigns? of\b",
    r"\bsymptoms? of\b", r"\bcan (it|surgery|the \w+) cause\b", r"\bwill i (have|get)\b",
    r"\bis it (normal|common)\b", r"\bwhat (is|are|does)\b",
)
_HAPPENING_NOW = _rx(
    r"\bi (have|am|feel|suddenly|just|can'?t|cannot|got|woke)\b", r"\bi'?m\b", r"\bi'?ve\b",
    r"\bmy \w+( \w+)? (is|are|feels?|went|has|have|started)\b", r"\b(right )?now\b",
    r"\b(tengo|j'ai|ich habe|ik heb|tenho|ho)\b",
)


def is_red_flag(text: str) -> bool:
    """Symptoms that need emergency care now."""
    folded = fold(text)
    if not RED_FLAGS.search(folded):
        return False
    return not (_GENERAL_QUESTION.search(folded) and not _HAPPENING_NOW.search(folded))


def is_personal_decision(text: str) -> bool:
    """A request for a personal medical decision: whether to have surgery, dosages, diagnosis."""
    return bool(PERSONAL_DECISION.search(fold(text)))


EMERGENCY_MESSAGE = (
    "Seek emergency care now: call your local emergency number (911 in the US and Canada, "
    "112 in the EU, 999 in the UK) or go to the nearest emergency department. The symptoms you "
    "describe (such as a sudden or 'worst ever' headache, a drooping face, weakness or numbness "
    "on one side, trouble speaking, fever with a stiff neck, a headache after a head injury, "
    "sudden loss of vision or confusion) can be signs of a stroke, bleeding in the brain or "
    "meningitis, which need treatment within minutes to hours. Do not wait for a reply here "
    "and do not drive yourself."
)

DECLINED_MESSAGE = (
    "I can't make personal medical decisions: I can't tell you whether to have surgery, which "
    "dose to take, or what you have. Please talk this through with your doctor or a headache "
    "specialist, who knows your history."
)
