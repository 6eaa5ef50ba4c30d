"""Safety triage: red-flag symptoms are sent to emergency care (``emergency``) or to a doctor
today (``urgent``); personal medical decisions are referred to a clinician.

Red flags are recognised by symptom *concepts*, not fixed phrases: the concepts, their levels, the
vocabulary of each symptom in seven languages (en, es, fr, de, nl, pt, it) and lay paraphrases live
in ``data/red_flags.yaml``. A concept fires when all the terms of one of its rules are present in
the question (for instance *fever* and *stiff neck*, or *a wound* with *pus*); context terms
(pregnancy, a recent operation, age 50 or over, cancer or a weak immune system, blood thinners) may
also come from the patient's earlier messages, and so may the other symptoms of a rule of which the
question reports one. A concept's ``unless`` rules cancel it (a "usual" aura; a single past faint
with nothing today). A term does not count where it is negated within its clause ("no fever", "I
almost fainted"; "almost 39" is a fever) or by a "never" right after it ("pero fiebre nunca"),
where it only appears in a general question about symptoms ("what are the risks, like weakness in
the arm?", "fever and a stiff neck, what does that mean?", "how long does the scar stay red?"; in
"she has a fever and a stiff neck, can migraine cause that?" the symptoms come first and count), in
advice reported from someone else ("my neurologist said that with the worst headache of my
life...") or in a clause that opens with a condition ("if after the op I get a fever, who do I
call?", "si jamais...", "se dopo l'intervento...") with nothing that reports it happening now, or
in a clause that tells of the remote past with nothing of now in it ("years ago I had a sudden
terrible headache, the scans were normal"; terms marked ``lasting``, such as age, a cancer and the
qualifiers, still count).
Weaker signs (a lay idiom for confusion, muddled words, not standing up) count with a headache
named; a single blow or explosion as the simile of a sudden headache counts as thunderclap.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from assistant.messages import messages
from assistant.text import fold, normalise
from assistant.types import Turn

RED_FLAGS_FILE = Path(__file__).resolve().parent / "data" / "red_flags.yaml"
Level = Literal["emergency", "urgent"]
LEVELS: tuple[Level, ...] = ("emergency", "urgent")  # most serious first


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


_CONDITIONAL = re.compile(
    r"\b(if|when|once|in case|si|cuando|quand|wenn|falls|als|zodra|se|quando|caso)\W+$"
)

# A sentence that only lists (up to five short items, "fever, bleeding?", "bij koorts, bij een
# bloeding?"), asked: after a general question, it names what that question asks about.
_LIST_ONLY = re.compile(r"\s*(?:\w+(?: \w+){0,3}\s*,\s*){0,4}\w+(?: \w+){0,3}\s*\?+\s*")

# A clause: up to a punctuation mark or a bracket, a 'but' or an 'and (have) since' ("3 years
# ago (done with treatment) and since a month...", "treated last year and have had since...": what
# follows is now), in the seven languages.
_CLAUSE = re.compile(
    r"(?:[^.,;:!?()]+?)(?=[.,;:!?()]|\b(?:but|pero|mais|aber|maar|however)\b"
    r"|\b(?:and|en|y|et|und|e) (?:\w+ )?(?:since|sinds|desde|depuis|seit|da quando|da)\b"
    r"|$)[.,;:!?()]*"
)


@dataclass(frozen=True)
class Term:
    """A named vocabulary: its patterns, whether a negation before a match cancels it
    (``negatable``; ``adjacent``: only a negation right before it, "ni vómitos", "nooit
    plotseling", for terms whose own words often follow a loose "not"), whether the patient's
    earlier messages may give it (``context``), and whether it still holds when told of the
    remote past (``lasting``: age, a cancer)."""

    name: str
    pattern: re.Pattern[str]
    negatable: bool = False
    adjacent: bool = False
    context: bool = False
    lasting: bool = False


@dataclass(frozen=True)
class Concept:
    """A symptom concept: its level, the rules that make it (``any_of``) and those that cancel it
    (``unless``), and its lay paraphrases by language."""

    id: str
    level: Level
    label: str
    any_of: tuple[tuple[str, ...], ...]
    unless: tuple[tuple[str, ...], ...] = ()
    paraphrases: tuple[tuple[str, str], ...] = ()  # (language, text)


@dataclass(frozen=True)
class TriageResult:
    """The most serious level found and every concept that fired."""

    level: Level
    concepts: tuple[str, ...]


_FRONTED_WORDS = 4
"""At most this many words make a time told alone before a comma ("da piccolo, ...")."""
PRESENT_KEPT = 4096
"""How many texts' terms ``RedFlags.present`` keeps."""


class RedFlags:
    """The concepts of ``red_flags.yaml``, compiled."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.negation = re.compile(data["negation"], re.IGNORECASE)
        self.negation_after = re.compile(data.get("negation_after", "(?!x)x"), re.IGNORECASE)
        self.negation_adjacent = re.compile(data.get("negation_adjacent", "(?!x)x"), re.IGNORECASE)
        cues = data["cues"]
        self.general = _rx(*cues["general"])
        self.report = _rx(*cues["report"])
        self.hypothetical = _rx(*cues.get("hypothetical", ["(?!x)x"]))
        self.listing = _rx(*cues.get("listing", ["(?!x)x"]))
        self.fear = _rx(*cues.get("fear", ["(?!x)x"]))
        self.theoretical = _rx(*cues.get("theoretical", ["(?!x)x"]))
        self.subject = _rx(*cues.get("subject", ["(?!x)x"]))
        self.not_reported = _rx(*cues.get("not_reported", ["(?!x)x"]))
        self.past = _rx(*cues.get("past", ["(?!x)x"]))
        self.now = _rx(*cues.get("now", ["(?!x)x"]))
        self.past_year = _rx(*cues.get("past_year", ["(?!x)x"]))
        self.terms: dict[str, Term] = {}
        for name, spec in data["terms"].items():
            spec = {"patterns": spec} if isinstance(spec, list) else spec
            self.terms[name] = Term(
                name,
                _rx(*spec["patterns"]),
                spec.get("negatable") is True,
                spec.get("negatable") == "adjacent",
                bool(spec.get("context")),
                bool(spec.get("lasting")),
            )
        self._kept = lru_cache(maxsize=PRESENT_KEPT)(self._present)
        self.concepts: list[Concept] = []
        for c in data["concepts"]:
            if c["level"] not in LEVELS:
                raise ValueError(f"unknown level {c['level']!r} in concept {c['id']!r}")
            rules = tuple(tuple(rule) for rule in c["any_of"])
            unless = tuple(_rule(rule) for rule in c.get("unless", ()))
            missing = {t.lstrip("!") for rule in rules + unless for t in rule} - set(self.terms)
            if missing:
                raise ValueError(f"concept {c['id']!r} names unknown terms {sorted(missing)}")
            self.concepts.append(
                Concept(
                    id=c["id"],
                    level=c["level"],
                    label=c.get("label", c["id"]),
                    any_of=rules,
                    unless=unless,
                    paraphrases=tuple(
                        (lang, text)
                        for lang, texts in (c.get("paraphrases") or {}).items()
                        for text in texts
                    ),
                )
            )

    @cached_property
    def symptom_terms(self) -> frozenset[str]:
        """The terms that tell of a symptom: all but the context terms and the terms that only
        cancel a concept (named in its ``unless`` rules and in no rule that fires one)."""
        # A "!term" in a rule is a condition that the term is absent: it neither fires nor
        # cancels.
        fires = {t for c in self.concepts for rule in c.any_of for t in rule if t[0] != "!"}
        cancels = {t for c in self.concepts for rule in c.unless for t in rule if t[0] != "!"}
        cancels -= fires
        return frozenset(n for n, t in self.terms.items() if not t.context and n not in cancels)

    @classmethod
    def load(cls, path: Path = RED_FLAGS_FILE) -> RedFlags:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def _general_spans(self, text: str) -> list[tuple[int, int]]:
        """Sentences that ask about symptoms in general and report nothing happening now (from
        the clause that asks on when a clause before it tells of someone: in "she has a fever
        and a stiff neck, can migraine cause that?" the symptoms count; in "fever and a stiff
        neck, what does that mean?" they do not), and clauses that open a sentence with a
        condition ("if after the op I get a fever, who do I call?", "si jamais...", "se dopo
        l'intervento..."): nothing in them happens now; so with a clause that tells a fear that
        something may happen ("me da miedo que se infecte la herida"), up to its next comma. A
        sentence that tells what others went through or asks which signs to watch for
        (`not_reported`) asks in general as a `general` one does. A sentence that lists
        symptoms ("fever, a red scar etc.") is general whole, and so is a message that says it
        asks in theory ("domanda teorica ... io sto bene")."""
        if self.theoretical.search(text):
            return [(0, len(text))]
        spans = []
        asked_before = False
        for m in re.finditer(r"[^.?!;]+[.?!;]*", text):
            sentence = m.group(0)
            if asked_before and _LIST_ONLY.fullmatch(sentence) and not self._reports(sentence):
                # "Which signs should I watch for? Fever, bleeding?": the list that follows a
                # general question is part of it.
                spans.append((m.start(), m.end()))
                continue
            asked_before = False
            clause = self._hypothetical_clause(sentence)
            if clause is not None:
                spans.append((m.start() + clause[0], m.start() + clause[1]))
            for fear in self.fear.finditer(sentence):
                comma = sentence.find(",", fear.end())
                spans.append(
                    (m.start() + fear.start(), m.start() + (comma if comma > 0 else len(sentence)))
                )
            cue = self.general.search(sentence) or self.not_reported.search(sentence)
            if self.listing.search(sentence) and not self._reports(sentence):
                spans.append((m.start(), m.end()))
            elif cue and not self._reports(sentence):
                asking = sentence.rfind(",", 0, cue.start()) + 1
                told = asking > 0 and self.subject.search(sentence[:asking]) is not None
                spans.append((m.start() + (asking if told else 0), m.end()))
                asked_before = sentence.rstrip().endswith("?")
        return spans

    def _past_spans(self, text: str, year: int) -> list[tuple[int, int]]:
        """Clauses that tell of the remote past with nothing of now in them ("years ago I had a
        sudden terrible headache, the scans were normal"; "when she was pregnant years ago"):
        what they name is over. A clause ends at a punctuation mark or a 'but'. A time told
        alone before a comma ("as a child, I had fits with a fever") covers the clause after it,
        unless that one tells of now."""
        spans: list[tuple[int, int]] = []
        carried = False
        for m in _CLAUSE.finditer(text):
            clause = m.group(0)
            past = (carried or self._tells_of_past(clause, year)) and not self.now.search(clause)
            if past:
                spans.append((m.start(), m.end()))
            carried = (
                past
                and len(re.findall(r"\w+", clause)) <= _FRONTED_WORDS
                and clause.rstrip().endswith(",")
            )
        return spans

    def _tells_of_past(self, clause: str, year: int) -> bool:
        """Whether a clause tells of the remote past: a past cue, or a year before ``year``."""
        if self.past.search(clause):
            return True
        return any(int(m.group("year")) < year for m in self.past_year.finditer(clause))

    def _hypothetical_clause(self, sentence: str) -> tuple[int, int] | None:
        """Where a sentence opens with a condition: up to its last comma when the sentence is a
        question ("if I get a fever, redness or pus, who do I call?"), else up to its first comma
        (the main clause follows), or the whole sentence when it has none."""
        opening = self.hypothetical.match(sentence)
        if opening is None:
            return None
        if sentence.rstrip().endswith("?"):
            comma = sentence.rfind(",")
        else:
            comma = sentence.find(",", opening.end())
        return (opening.start(), comma if comma > opening.end() else len(sentence))

    def _reports(self, sentence: str) -> bool:
        """Whether a sentence reports symptoms now; "if my wound is red" is no report, nor is a
        verb inside a `not_reported` cue: what was read or heard of others ("ho letto di
        gente..."), the signs one asks to watch for ("which symptoms should I keep an eye on")."""
        clause = self._hypothetical_clause(sentence)
        not_told = [h.span() for h in self.not_reported.finditer(sentence)]
        return any(
            not _CONDITIONAL.search(sentence[max(0, m.start() - 12) : m.start()])
            and not (clause and clause[0] <= m.start() < clause[1])
            and not any(s <= m.start() < e for s, e in not_told)
            for m in self.report.finditer(sentence)
        )

    def present(self, text: str, context_only: bool = False) -> set[str]:
        """Names of the terms present in ``text`` (only context terms when ``context_only``).
        A message is read once for the triage, the learned layer's symptom check and the
        wound check: the answer is kept for the last ``PRESENT_KEPT`` texts (with the year,
        which tells what is past)."""
        return set(self._kept(text, context_only, datetime.date.today().year))

    def _present(self, text: str, context_only: bool, year: int) -> frozenset[str]:
        general = self._general_spans(text)
        past = self._past_spans(text, year)
        found = set()
        for term in self.terms.values():
            if context_only and not term.context:
                continue
            for m in term.pattern.finditer(text):
                before = text[max(0, m.start() - 40) : m.start()]
                if term.negatable and (
                    self.negation.search(before) or self.negation_after.match(text, m.end())
                ):
                    continue
                if term.adjacent and (
                    self.negation_adjacent.search(before)
                    or self.negation_after.match(text, m.end())
                ):
                    continue
                if not term.context and any(s <= m.start() < e for s, e in general):
                    continue
                if not term.lasting and any(s <= m.start() < e for s, e in past):
                    continue
                found.add(term.name)
                break
        return frozenset(found)

    def triage(self, question: str, history: Sequence[Turn] = ()) -> TriageResult | None:
        """The concepts the question reports. Context terms (pregnancy, an operation, age,
        cancer) may come from the patient's earlier messages; so may the other terms of a rule
        of which the question itself reports a symptom ("my neck is stiff", then "and now a
        fever of 39"). What cancels a concept is read in the question and that context only."""
        terms = self.present(normalise(question))
        earlier: set[str] = set()
        for turn in history:
            if turn.role == "user":
                earlier |= self.present(normalise(turn.content))
        context = terms | {t for t in earlier if self.terms[t].context}
        # "Not like my usual ones" outweighs "my usual aura": a contrast named keeps the concept.
        cancelling = context - {"usual"} if "contrast" in context else context
        fired = [
            c
            for c in self.concepts
            if any(
                _holds(rule, context) or self._holds_across(rule, terms, earlier)
                for rule in c.any_of
            )
            and not any(_holds(rule, cancelling) for rule in c.unless)
        ]
        if not fired:
            return None
        level = next(lv for lv in LEVELS if any(c.level == lv for c in fired))
        return TriageResult(level=level, concepts=tuple(c.id for c in fired))

    def _holds_across(self, rule: tuple[str, ...], now: set[str], earlier: set[str]) -> bool:
        """The rule holds over the question and the earlier messages together, and the question
        reports one of its symptoms (not only a context term)."""
        return _holds(rule, now | earlier) and any(
            t in now and not self.terms[t].context for t in rule if not t.startswith("!")
        )


def _rule(spec: str | Sequence[str]) -> tuple[str, ...]:
    """A rule of ``unless``: one term's name, or a list of terms as in ``any_of``."""
    return (spec,) if isinstance(spec, str) else tuple(spec)


def _holds(rule: tuple[str, ...], terms: set[str]) -> bool:
    """Every term of the rule is present, and every '!term' absent."""
    return all((t[1:] not in terms) if t.startswith("!") else (t in terms) for t in rule)


@lru_cache(maxsize=1)
def red_flags() -> RedFlags:
    return RedFlags.load()


def triage(question: str, history: Sequence[Turn] = ()) -> TriageResult | None:
    """The red-flag level of a question (``emergency`` or ``urgent``), or None."""
    return red_flags().triage(question, history)


def is_red_flag(text: str, history: Sequence[Turn] = ()) -> bool:
    """Symptoms that need emergency care now or a doctor today."""
    return triage(text, history) is not None


def triage_level(text: str, history: Sequence[Turn] = ()) -> Level | None:
    result = triage(text, history)
    return result.level if result else None


# A quantity of days, weeks or time is leave or recovery, not a dose.
_NOT_TIME = (
    r"(?!.{0,20}\b(days?|weeks?|months?|hours?|time|dias|semanas|meses|horas|jours|semaines|"
    r"mois|heures|tage\w*|wochen|monate\w*|stunden|dagen|weken|maanden|uren|giorni|settimane|"
    r"mesi|ore)\b)"
)

PERSONAL_DECISION = _rx(
    r"\bshould (i|we|my \w+)\b[^.?!]{0,40}?\b(have|get|do|undergo|try|take|stop|go for|choose|book|"
    r"cancel|skip|pick|start)\b",
    r"\b(is|would|are)\b.{0,50}\b(right|a good idea|a good choice|suitable|safe) for me\b",
    r"\b(am i|would i be) (a )?(good |suitable |the right )?candidate\b",
    r"\bdiagnose (me|my|what)\b",
    r"\b(is it|would it be) (ok|okay|safe|fine|alright)\b.{0,20}\b(to|if i)\b.{0,30}"
    r"\b(double|increase|take|stop|skip|combine|mix)\b",
    r"\bhow (much|many)\b" + _NOT_TIME + r".{0,60}\bi should take\b",
    r"\b(offered|recommended|suggested)\b.{0,60}\bshould i\b",
    r"\b(quant\w*|cuant\w*|combien|wie ?viel\w*|hoeveel)\b"
    + _NOT_TIME
    + r".{0,40}\b(devo|debo|dois|soll|moet)\b"
    r".{0,20}\b(prendere|tomar|prendre|nehmen|nemen)\b",
    r"\bwhat (do|might|could) i have\b",
    r"\bdo i have (occipital neuralgia|migraines?|a tumou?r|an aneurysm|a pfo|a hole|it)\b",
    r"\bhow (much|many)\b" + _NOT_TIME + r".{0,40}\b(should|can|do) i take\b",
    r"\b(what|which) (dose|dosage)\b",
    # another dose, the most a day, raising a dose oneself
    r"\bcan i (take|have) (another|a second|one more|an extra)( \d+\w*| (dose|pill|tablet|shot|"
    r"triptan|sumatriptan|ibuprofen|paracetamol)s?)\b|\b(the )?(most|max\w*) (\w+ ){0,2}?(i|you) "
    r"can take\b|\bmax\w* (dose|a day|per day)\b",
    r"\bcuant[oa]s? (miligramos|mg|pastillas|comprimidos)\b.{0,40}\b(me subo|subo|subirme|tomo|"
    r"puedo tomar|tomar)\b|\bquant[oa]s? (miligramas|mg|comprimidos)\b.{0,70}\b(posso tomar|"
    r"tomo|subo|aumento)\b|\bquant[ie] (milligrammi|mg|compresse|pastiglie)\b.{0,40}\b(posso "
    r"prendere|prendo|aumento)\b|\bcombien de (mg|milligrammes|comprimes|cachets)\b"
    r".{0,40}\b(je peux prendre|prendre)\b|"
    r"\bwie viele? (mg|milligramm|tabletten)\b.{0,40}\b(darf|kann) ich\b|"
    r"\bhoeveel (mg|milligram|pillen|tabletten)\b.{0,40}\b(mag|kan) ik\b",
    r"\bdos(e|age|ing)\b.{0,30}\b(for me|should i|can i)\b",
    # more at once, a number a day, a dose told ("can i take 2 more at once?", "me tomo dos de
    # golpe?", "kann ich selber auf 50mg hochgehen?")
    r"\bcan i take (\d+|two|three|another|a couple) (more )?(at once|together|in one go)\b|"
    r"\bhow many (is|are) (ok|okay|safe|fine) (for me )?(in|per|a) (a )?day\b|"
    r"\bme tomo (dos|tres|\d+) (de golpe|juntos|juntas|a la vez|seguidos|seguidas)\b|"
    r"\bcuant[oa]s? \w+ me tomo\b|"
    r"\b(can i|could i|may i|should i|posso|puedo|kann ich|darf ich|soll ich|mag ik|kan ik|"
    r"moet ik|je peux|puis-je|dois-je)\b.{0,30}\b((subir|aumentar|passar|monter|hochgehen|"
    r"erhohen|steigern|verhogen|ophogen|salire|aumentare|go up|up|raise|increase)\w* (\w+ ){0,2}"
    r"(a|para|pra|auf|naar|to|fino a|hasta|jusqu'a) \d+ ?mg\b|auf \d+ ?mg\b.{0,15}\b(hoch\w*|"
    r"erhoh\w*|steiger\w*|gehen))\b",
    # what the assistant would do in one's place
    r"\bse fosse (consigo|contigo|voce|vc|a senhora|o senhor|tu)\b|\bsi (fuera|fueras|fuese) "
    r"(usted|tu|vos)\b|\b(feriez|ferais)[- ](vous|tu) a ma place\b|\ban (ihrer|deiner) stelle\b|"
    r"\bals (u|jij|je) (mij|ik) (was|waren|bent)\b|\bal (mio|tuo|suo) posto\b|\bif you were "
    r"(me|in my (shoes|place|position))\b",
    r"\b(mg|milligrams?|pills?|tablets?)\b.{0,30}\b(should|can) i\b",
    r"\bcan i (stop|double|increase|combine|mix)\b.{0,30}\b(medication|medicine|pills?|dose|"
    r"triptan|sumatriptan|topiramate|botox)\b",
    r"\bdeberia (operarme|hacerme|tomar)\b",
    r"\bdois-je\b.{0,30}\b(opere|faire|prendre)\b",
    r"\bsoll(te)? ich\b.{0,40}\b(operieren|machen|nehmen)\b",
    # a medical choice, not a day off ("moet ik er een dag vrij voor nemen?")
    r"\bmoet ik\b(?!.{0,40}\bvrij\b).{0,40}\b(laten|nemen)\b",
    r"\bdevo (fazer|operar|tomar)\b",
    r"\bdovrei\b.{0,30}\b(operar\w*|fare|prendere)\b",
    # letting someone have it, going ahead or waiting, what the assistant would do in one's place
    r"\b(should|do|can) (i|we) let (him|her|them|my \w+)\b",
    r"\b(je dois|dois-je|faut-il) (le|la|les) laisser\b|\bje (fonce|me lance|le fais|la fais)\b"
    r".{0,10}\b(ou pas|ou non)\b",
    r"\b(faccio|fare) (l\W?intervento|l\W?operazione|la chirurgia)\b.{0,15}\bo (aspetto|no)\b|"
    r"\bglielo faccio fare\b|\b(mi opero|lo faccio|la faccio) o (no|aspetto)\b",
    r"\b(me opero|lo hago|la hago) o (no|espero)\b|\b(le|la|lo) dejo (operarse|hacerlo)\b",
    r"\b(mach|mache|lass) ich (die op|das|es)\b.{0,20}\boder (nicht|warte)\b",
    r"\b(me opero|faco a cirurgia|faco|opero) ou (nao|espero)\b|\bdeixo (ele|ela) (operar|fazer)\b",
    r"\b(laat ik|moet ik) (hem|haar) (het )?(doen|laten opereren)\b"
    r"|\bzou (jij|je|u) (\w+ ){0,3}(laten doen|doen|laten uitvoeren|nemen)\b",
    # raising a dose oneself, and the highest dose ("how much should I go up to?", "je peux
    # monter à combien de comprimés ?", "qual é a dose máxima?")
    r"\bhow (much|high) (should|can|could|may) i (go up|increase it|raise it|up it|up the dose|"
    r"increase the dose)\b|"
    r"\bcan i (just )?(double|triple|raise|increase|up) (it|the dose|my dose|the pills?)\b",
    r"\b(je peux|puis-je|peut-on|on peut) monter (jusqu'?)?a combien\b|"
    r"\bmonter a combien de (comprimes|mg|cachets|gelules)\b",
    r"\b(dose|dosis|dosi|dosering|dosierung|dosagem|dosaggio) (max\w*|massima|maxima|maximale|"
    r"maximum)\b|\b(maximale|massima|maxima|maximum) (dose|dosis|dosi|dosering|dosierung)\b|"
    r"\b(posso|puedo|kann ich|mag ik|puis-je|can i) (tomar|prendere|nehmen|nemen|prendre|take) "
    r"(dois|duas|tres|dos|due|tre|zwei|drei|twee|drie|deux|trois|two|three|2|3) (ou|o|oder|of|"
    r"or) (tres|quatro|tre|drei|drie|trois|three|3|4)\b",
    # a dose: "how many can I safely take a day?", in the seven languages
    r"\bhow (much|many)\b"
    + _NOT_TIME
    + r"(?:(?!,? and\b)[^.;?!]){0,60}\b(should|can|may|could|do) i( \w+)? (take|have|swallow)\b"
    r"(?! to\b)",
    r"\bcuant[oa]s?\b" + _NOT_TIME + r".{0,40}\b(me )?(puedo|debo|podria) (tomar|tomarme)\b",
    r"\b(je peux|puis-je|peut-on|on peut) (re)?prendre combien\b|"
    r"\bcombien\b" + _NOT_TIME + r".{0,40}\b(je peux|puis-je|peut-on|on peut) (en )?prendre\b",
    r"\bwie ?viel\w*\b"
    + _NOT_TIME
    + r".{0,40}\b(darf|kann|soll) ich\b.{0,30}\b(nehmen|einnehmen)\b",
    r"\bhoeveel\b" + _NOT_TIME + r".{0,40}\b(mag|kan|moet) ik\b.{0,40}\b(nemen|innemen|slikken)\b",
    r"\bquant[oa]s?\b" + _NOT_TIME + r".{0,40}\b(eu )?(posso|devo|consigo) (tomar|usar)\b",
    r"\bquant[oaei]\b" + _NOT_TIME + r".{0,40}\b(posso|devo) (prendere|prenderne|assumere)\b",
    # going ahead or not, what one would do, letting it be put in
    r"\bshould i (go ahead|proceed|go through|risk it|bother|do it|get it done)\b",
    r"\b(tu|usted|vos) que haria(s)?\b|\bme opero\s*\?",
    r"\bsoll(te)? ich\b.{0,40}\b(einsetzen|implantieren|wagen|riskieren)\b.{0,10}\blassen\b",
    r"\bwhat would you do\b(?!\s+(after|before|for|to|about|with|when|during)\b)|"
    r"\bvous feriez quoi\b|\bque haria(s)? (tu|usted)\b|"
    r"\bwas wurden sie (tun|machen)\b|\bwat zou (jij|u) doen\b|\bo que (voce|voces) faria\b|"
    r"\bcosa (farebbe|faresti|fareste)\b|\bwould you (do it|have it|get it)\b",
    # having it done ("soll ich mein PFO verschließen lassen?"), going ahead now or waiting
    r"\bsoll(te)? ich\b.{0,40}\b(verschlie(ss|ß)en|schlie(ss|ß)en|entfernen|spritzen|durchfuhren|"
    r"einsetzen|implantieren|operieren|machen) lassen\b",
    r"\b(faco|fazer|faço) a (cirurgia|operacao)( agora| ja| este ano)? ou (nao|espero|aguardo)\b",
    # what the assistant would do in one's place, or whether to do it "in your view"
    r"\bo que (vc|voce|voces|tu) (faria|farias)\b|\b(in my (shoes|place)|en mi lugar|a ma place|"
    r"an meiner stelle|in mijn (plaats|schoenen)|no meu lugar|al mio posto|al posto mio|"
    r"if you were me|si fueras yo|si tu etais moi|wenn du ich wa?e?rst|"
    r"als (jij|je|u) mij (was|bent|zou zijn)|"
    r"se (voce|vc|tu) fosse eu|se fossi (in )?me|tu (lo|la) faresti)\b",
    r"\b(secondo te|secondo lei|tu che dici)\b.{0,30}\b(devo|dovrei|faccio|mi conviene|"
    r"lo faccio|la faccio)\b",
    # the choice handed over ("decide for me", "scegli tu per me", "se fosse vc, fazia?")
    r"\b(decide|choose) for me\b|\b(decide|elige|escoge) (tu |usted )?por mi\b|"
    r"\b(decidez|decide|choisis|choisissez) (pour moi|a ma place)\b|"
    r"\b(entscheide|entscheiden sie|entscheid) (du )?(fur|für) mich\b|"
    r"\b(beslis|kies) (jij|u)? ?(maar )?voor mij\b|"
    r"\b(decida|decide|escolha|escolhe) (voce |vc |tu )?por mim\b|"
    r"\b(scegli|decidi|scelga|decida) (tu |lei )?(per me|al posto mio)\b|"
    r"\bdimmi tu\b.{0,40}\bo no\b|"
    r"\bse fosse (vc|voce|tu)\b|\b(fazia|faria) ou nao (fazia|faria)\b",
    r"\bmi faccio (operare|fare|l\W?(intervento|operazione|iniezione|impianto))\b.{0,40}\bo no\b",
    # a maximum dose, or two medicines taken together
    r"\b(how many|how much|cuant[oa]s?|combien|wie ?viele?|hoeveel|quant[oa]s?|quant[ei])\b"
    r".{0,50}\b(max|maximum|maximo|massimo|maximaal|hochstens|maximal|au maximum|como maximo|"
    r"no maximo|al massimo)\b",
    r"\b(je peux|puis-je|peut-on|on peut) en (re)?prendre combien\b",
    r"\b(puedo|se pueden|can i|puis-je|je peux|darf ich|kann ich|mag ik|kan ik|posso|se podem)\b"
    r" (tomar(me)?|take|prendre|nehmen|nemen|innemen|prendere|prenderne)\b.{0,40}"
    r"\b(juntos|juntas|together|"
    r"ensemble|zusammen|tegelijk|samen|insieme)\b",
)
# "Why should I have surgery then?" argues, it does not ask for a decision.
_WHY_BEFORE = re.compile(
    r"\b(why|por que|porque|pourquoi|warum|wieso|waarom|perche|per quale motivo)\W+(\w+\W+){0,2}$"
)


# What a "should I take ..." asks when it is about arrangements, not a medical choice: time off,
# a lift home, fasting, care to take afterwards.
ARRANGEMENTS = _rx(
    r"\b(off work|time off|(days?|weeks?|time) off|(days?|weeks?) of leave|sick leave|holidays?|"
    r"vacation|taxi|a lift|a ride|drive me|someone with me|fast(ing)?|stop eating|eat(ing)? "
    r"(before|after)|frei (nehmen|machen)|urlaub|krankschreib\w*|vrij (nemen|vragen)|verlof|"
    r"dias libres|de baja|vacaciones|conges?|arret de travail|jours de repos|ferie|giorni liberi|"
    r"folga|ferias|atestado|cuidados?|precau\w*|vorsicht\w*|voorzorg\w*|attenzion\w*)\b|"
    r"\b(have|take|get) (\w+ )?off\b|\b(dagen|weken|tijd) vrij\b|"
    # how many operations several painful places take ("2 o 3 operazioni diverse?")
    r"\b(\d|one|two|three|un[oa]?|dos|due|deux|tres|tre|trois|zwei|drei|een|twee|drie|dois|"
    r"duas|um|uma) (or|o|ou|oder|of) (\d|two|three|dos|tres|due|tre|deux|trois|zwei|drei|twee|"
    r"drie|dois|duas|tres) (\w+ )?(operations?|surgeries|ops|operaciones|cirugias|"
    r"intervenciones|operazioni|interventi|interventions|operationen|eingriffe|operaties|ingrepen|"
    r"cirurgias|operacoes)\b"
)


# A dose asked: how much of a medicine to take ("can I take another 100?", "cuantos miligramos").
# The sources give no doses, so nothing from them is added to the declining message.
_DOSE = re.compile(
    r"\b(\d+ ?mg|mg|milligram\w*|miligram\w*|milligramm\w*|milligramme\w*|milligrammi|dose\w*|"
    r"dosage|dosis|dosi|doses?|dosering|posolog\w*|pills?|tablets?|tabletten|pillen|pastillas|"
    r"comprimidos?|comprimes|cachets|compresse|pastiglie)\b|"
    r"\b(how (much|many)|cuant\w*|quant\w*|combien|wie ?viel\w*|hoeveel)\b.{0,40}\b(take|have|"
    r"tomar|prendre|nehmen|nemen|innemen|prendere)\b|\b(most|max\w*) (i|you) can take\b|"
    # a number of pills at once ("posso tomar dois ou três seguidos?")
    r"\b(take|tomar|prendre|nehmen|nemen|prendere) (two|three|dois|duas|tres|dos|deux|trois|"
    r"zwei|drei|twee|drie|due|tre|2|3)\b|\btake (\d+|two|three) more\b|\bme tomo (dos|tres|\d+)\b|"
    r"\b(auf|to|a|para|naar) \d+ ?mg\b"
)


def asks_a_dose(text: str) -> bool:
    """Whether a message already read as a personal decision asks for a dose."""
    return bool(_DOSE.search(fold(text)))


def is_personal_decision(text: str) -> bool:
    """A request for a personal medical decision: whether to have surgery, dosages, diagnosis.
    "Should I take a week off?" or "how many days off should I take?" asks about arrangements,
    not a medical choice."""
    folded = fold(text)
    return any(
        not ARRANGEMENTS.search(folded[max(0, m.start() - 25) : m.end() + 25])
        and not _WHY_BEFORE.search(folded[max(0, m.start() - 30) : m.start()])
        for m in PERSONAL_DECISION.finditer(folded)
    )


def triage_message(key: str, language: str = "en") -> str:
    """The reviewed message for ``key`` (emergency, urgent, declined, declined_general,
    out_of_scope, writing_request) in ``language``, from
    ``assistant/resources/messages/<language>.yaml``."""
    return str(messages(language).sub("triage", key)).strip()


EMERGENCY_MESSAGE = triage_message("emergency")
URGENT_MESSAGE = triage_message("urgent")
DECLINED_MESSAGE = triage_message("declined")
