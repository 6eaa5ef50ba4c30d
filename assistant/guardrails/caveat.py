"""The evidence-status caveat: an entry for each treatment the question asks about.

A procedure of the evidence registry gets its registry entry (tier, summary, references). Any
other treatment (magnesium, triptans, Botox, acupuncture, or one nobody listed) gets the
reviewed "not assessed" entry of ``data/treatments.yaml``, naming it as the patient wrote it,
with what to ask a doctor. What was asked comes from the question, then (for a short question
that points back) a treatment the last reply offered, then the standalone question, then the
patient's earlier messages; never from the assistant's fixed messages. An answer that states
outcomes about a registry procedure the question did not name adds that procedure's entry after
the ones asked about. With nothing named anywhere, the entry is the general position on
migraine surgery.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.evidence import EvidenceRegistry, Procedure, normalise
from assistant.guardrails.efficacy_vocab import (
    BEFORE_OR_INSTEAD,
    COMPARED_ASIDE,
    FAILED_ASIDE,
    TARGET_WORD,
)
from assistant.guardrails.treatments import (
    Mention,
    TreatmentCatalogue,
    default_catalogue,
    fold_with_map,
)
from assistant.lead import plain_verdict
from assistant.lexicon import default_lexicon, fold_text, phrase_spans
from assistant.messages import messages
from assistant.text import spell_out_shorthand
from assistant.types import Citation, EvidenceStatus, Turn

TIER_LABELS = {
    "not-recommended-outside-trials": "not recommended outside clinical trials",
    "limited-low-quality": "limited, low-quality evidence",
    "unproven": "unproven",
    "negative-trials": "randomized trials were negative",
}

CAVEAT_HEADING = "Evidence status"
GENERAL_PROCEDURE = "trigger-site-surgery"  # the registry's "migraine surgery"
# Trigger sites named, in the seven languages: the general operation is meant, whatever place.
_TRIGGER_SITES = re.compile(
    r"\b(trigger\w*|gatillo|gatilho|declench\w*|auslos\w*|triggerpunt\w*|punti? trigger)\b"
)
# A name of migraine surgery in general words ("migraine surgery", "cirurgia de enxaqueca").
_MIGRAINE_WORD = re.compile(r"migr|emicran|enxaquec|jaquec")
GENERAL_NAME = "Migraine surgery in general"
MAX_ENTRIES = 4

# Surgery named in general ("the operation", "la cirugía", "die OP"): the general position.
_SURGERY_WORD = re.compile(
    r"\b(surgery|surgeries|operation|operations|operated|procedure|cirugia|cirugias|(?<=l )ope|"
    r"operacion|operaciones|operar\w*|opere\w*|opero|operase|operasse|operei|operado|operada|"
    r"intervencion|chirurgie|intervention|operiert|"
    r"operieren|eingriff|operatie|operaties|ingreep|geopereerd|opereren|cirurgia|cirurgias|"
    r"operacao|operar|intervento|interventi|interveto|intevento|operazione|operarmi|operarsi|chirurgia|decompress\w*|"
    r"descompres\w*|dekompression\w*|decompressie|descompressao|decompressione)\b"
    # "the op", "die OP", "Migräne-OP" (never Dutch "op", on), compounds ("zenuwoperatie")
    r"|\b(the|my|this|that|your|her|his|die|der|meiner|einer|eine|la|mon|ma|migraine|migrane|nerve|"
    r"nerven|stirn|nacken|neck|kopf|head) ops?\b|\b\w+(operatie|operaties|operation|operationen|"
    r"chirurgie|eingriff)\b"
)
# "OP" in capitals is the German (and French) short word for an operation, wherever it stands
# ("OP oder weiter Tabletten?"); in lower case it is Dutch "op" (on).
_CAPITAL_OP = re.compile(r"\bOPs?\b")


@dataclass(frozen=True)
class Subject:
    """One thing the caveat is about: a registry procedure, a catalogue treatment, a treatment
    picked out of the question, or migraine surgery in general."""

    position: int
    procedure: Procedure | None = None
    mention: Mention | None = None
    general: bool = False

    @property
    def key(self) -> str:
        if self.procedure is not None:
            return self.procedure.id
        if self.mention is not None:
            t = self.mention.treatment
            return t.id if t is not None else "unlisted:" + self.mention.asked.lower()
        return "general"


@dataclass(frozen=True)
class _Names:
    """The two lists a treatment is named from: the registry's procedures, the catalogue's
    treatments."""

    registry: EvidenceRegistry
    catalogue: TreatmentCatalogue

    def described(self, text: str, found: list[Subject]) -> list[Subject]:
        """ "The migraine surgery where they cut the nerves at the back of the head": migraine
        surgery named in general words, then one procedure described in lay words. The
        description says which procedure is meant; it comes first (the general name stays
        after it when the general position covers that procedure too)."""
        norm = normalise(text)
        general = [
            s
            for s in found
            if s.procedure is not None
            and s.procedure.id == GENERAL_PROCEDURE
            and any(_MIGRAINE_WORD.search(m.group(0)) for m in s.procedure.pattern.finditer(norm))
        ]
        if not general:
            return found
        named = {s.procedure.id for s in found if s.procedure is not None}
        lay = [
            p
            for p in self.registry.procedures
            if p.id not in named and p.lay_spans(norm) and p.id != GENERAL_PROCEDURE
        ]
        if len(lay) != 1:
            return found
        # Occipital decompression is trigger-site surgery at one site: the general position
        # covers it and stays, after it; another procedure (arterial surgery) replaces it.
        keep = lay[0].within_general
        out: list[Subject] = []
        for s in found:
            if s in general:
                out += (
                    [Subject(s.position, procedure=lay[0]), s]
                    if keep
                    else [Subject(s.position, procedure=lay[0])]
                )
            else:
                out.append(s)
        return out

    def placed(self, text: str, found: list[Subject]) -> list[Subject]:
        """Nerve surgery named in general words, with the place the lexicon points at one
        procedure ("die zenuwoperatie achter in mn hoofd", "la décompression des nerfs de la
        nuque"): that procedure first, the general position after it when it covers it. A
        question that names trigger sites keeps trigger-site surgery."""
        general = [
            s for s in found if s.procedure is not None and s.procedure.id == GENERAL_PROCEDURE
        ]
        if not general or _TRIGGER_SITES.search(normalise(text)):
            return found
        lexicon = default_lexicon()
        norm = fold_text(spell_out_shorthand(text.lower().replace("’", "'")))  # "m'n hoofd"
        named = {s.procedure.id for s in found if s.procedure is not None}
        places = [
            p
            for p in self.registry.procedures
            if p.id in lexicon.narrower.get(GENERAL_PROCEDURE, ())
            and p.id not in named
            and any(phrase_spans(h, norm) for h in lexicon.place_hints.get(p.id, {}).values())
        ]
        if len(places) != 1:
            return found
        out: list[Subject] = []
        for s in found:
            if s in general:
                out.append(Subject(s.position, procedure=places[0]))
                if places[0].within_general:
                    out.append(s)
            else:
                out.append(s)
        return out

    def named(self, text: str, registry_only: bool = False) -> list[Subject]:
        """Registry procedures and catalogue treatments named in ``text``, in order."""
        found = [Subject(pos, procedure=p) for pos, p in self.registry.find_spans(text)]
        found = self.placed(text, self.described(text, found))
        if not registry_only:
            procedure_text = normalise(text)
            spans = [
                (m.start(), m.end())
                for _, p in self.registry.find_spans(text)
                for m in p.pattern.finditer(procedure_text)
            ]
            for mention in self.catalogue.find(text):
                # A treatment inside a procedure's own name ("fat injection") is that procedure.
                if any(s <= mention.start < e for s, e in spans):
                    continue
                found.append(Subject(mention.start, mention=mention))
        found.sort(key=lambda s: s.position)
        return found


def _compared_unlisted(
    registry: EvidenceRegistry,
    catalogue: TreatmentCatalogue,
    question: str,
    named: list[Subject],
) -> list[Subject]:
    """The sides of "X or Y" that neither the registry nor the catalogue knows ("meglio
    l'Aulin o l'Oki?": Oki is a catalogue painkiller, Aulin is named as written)."""
    asked = [normalise(s.mention.asked) for s in named if s.mention is not None]
    out = []
    for m in catalogue.compared(question):
        side = normalise(m.asked)
        if registry.find(m.asked) or catalogue.find(m.asked) or _SURGERY_WORD.search(side):
            continue
        if any(side in a or a in side for a in asked):
            continue
        out.append(Subject(m.start, mention=m))
        asked.append(side)
    return out


def _opening_topic(
    registry: EvidenceRegistry, catalogue: TreatmentCatalogue, question: str, named: list[Subject]
) -> list[Subject]:
    """The phrase a question opens with and a pronoun takes up ("Eigenbluttherapie beim
    Heilpraktiker, hilft das?"), when nothing named covers it: the treatment asked about,
    whatever else the question names (here the practitioner)."""
    spans = [(s.mention.start, s.mention.end) for s in named if s.mention is not None]
    return [
        Subject(m.start, mention=m)
        for m in catalogue.unlisted(question, shapes=False, forms=("topic",))
        if named
        and not any(start < m.end and m.start < end for start, end in spans)
        # "L'opération de la nuque, ça marche ?": a procedure's lay name is that procedure
        and not registry.find(m.asked)
    ]


# A question whose subject points back ("and does that stop an attack like the triptans do?",
# "ist das besser als ein Triptan?", "c'est mieux que les bêtabloquants ?"): what "that" is comes
# from the conversation, before what the question itself names.
_REFERS_BACK = re.compile(
    r"^\W*((and|but|so|y|pero|et|mais|und|aber|en|maar|e|mas|ma)\s+)?(is |ist |es |e |est-ce que )?"
    r"(it|that|this|eso|esto|ese|esa|ca|c'?\s?est|cela|das|dies|dat|dit|isso|isto|esse|essa|questo|"
    r"questa|quello|quella)\b"
)


# Who offers a treatment, named where the treatment would be ("mi fisio me la quiere hacer",
# "mein Heilpraktiker bietet das an", "mon médecin du sport en fait"): in a follow-up, the
# treatment offered is the conversation's, not the practitioner's trade.
_PRACTITIONER = re.compile(
    r"^(fisio|physio|fisioterapeuta|physiotherapist|kine|kinesitherapeute|heilpraktiker\w*|"
    r"naturopath\w*|sport|sports|deporte|esporte|sportarzt|sportarts|osteopath?\w*|"
    r"dentista|dentist|tandarts|zahnarzt\w*)$"
)
# ... named as someone's ("mi fisio", "mein Heilpraktiker", "mon médecin du sport"), not as the
# treatment itself ("und Physio am Nacken, bringt das mehr?").
_SOMEONES = re.compile(
    r"\b(my|mi|mis|mein|meine|meinem|meiner|mon|ma|mes|mijn|m n|meu|minha|mio|mia|"
    r"medecin du|medico del|medico do|medico dello)\s*$"
)


def _practitioner(question: str, subject: Subject) -> bool:
    """Whether a subject is named only as the practitioner who offers a treatment."""
    mention = subject.mention
    return (
        mention is not None
        and bool(_PRACTITIONER.match(fold_text(mention.asked)))
        and bool(_SOMEONES.search(fold_text(question[: mention.start])))
    )


# A short follow-up that points back ("would that fix it this time?", "y eso me lo
# arreglaría?", "et ça, ça marcherait mieux ?"): what it points at may be what the last reply
# offered.
_POINTS_BACK = re.compile(
    r"\b(that|this|those|these|eso|esto|esa|ese|ca|cela|ceci|das|dies|dat|dit|isso|isto|essa|"
    r"esse|questo|questa|quello|quella)\b"
)
_SHORT_FOLLOW_UP = 12
"""Words at most in a follow-up that may point at what the last reply offered."""


def _offered(names: _Names, question: str, history: Sequence[Turn]) -> list[Subject]:
    """Treatments the last reply named that the patient never did, when a short question that
    names none points back ("Some surgeons offer fat grafting when decompression has not
    helped." then "would that fix it this time?"): one or two, else none (a reply that lists
    many points at none of them)."""
    if not history or history[-1].role != "assistant":
        return []
    folded = normalise(question)
    if len(folded.split()) > _SHORT_FOLLOW_UP or not _POINTS_BACK.search(folded):
        return []
    told = {s.key for t in history if t.role == "user" for s in names.named(t.content)}
    # What the reply says of its own sources ("my sources are mostly about migraine surgery")
    # offers nothing.
    reply = " ".join(
        part for part in _REPLY_SENTENCE.split(history[-1].content) if not _OWN_SOURCES.search(part)
    )
    offered = [s for s in names.named(reply) if s.key not in told]
    return offered if len(offered) <= 2 else []


_REPLY_SENTENCE = re.compile(r"(?<=[.!?;:])\s+")
_OWN_SOURCES = re.compile(
    r"\b(my sources|mis fuentes|mes sources|meine quellen|mijn bronnen|minhas fontes|as minhas "
    r"fontes|le mie fonti|my knowledge base|mi base de conocimiento|ma base de connaissances)\b",
    re.IGNORECASE,
)


def _across_turns(
    registry: EvidenceRegistry, question: str, history: Sequence[Turn]
) -> list[Subject]:
    """A procedure described across the patient's last message and the question, named in
    neither alone ("... the orthopaedist says occipital neuralgia." then "would cutting the
    muscle around the nerve help?")."""
    earlier = [t.content for t in history if t.role == "user"]
    if not earlier:
        return []
    alone = {p.id for p in registry.find(earlier[-1])} | {p.id for p in registry.find(question)}
    joined = earlier[-1] + " " + question
    return [Subject(0, procedure=p) for p in registry.find(joined) if p.id not in alone]


def _earlier_subjects(names: _Names, history: Sequence[Turn]) -> list[Subject]:
    """What the patient's latest message that names a treatment named."""
    for turn in reversed(history):
        if turn.role == "user":
            found = names.named(turn.content)
            if found:
                return found
    return []


# A treatment named as what the patient hopes to give up ("will I be able to stop my triptans?",
# "mijn triptanen laten staan", "mein Sumatriptan reduzieren"): the outcome asked about, not the
# treatment whose effect is asked. Over folded text, before and after the treatment's name.
_GIVEN_UP_BEFORE = re.compile(
    r"\b(stop|stopping|quit|quitting|come off|coming off|get off|cut down( on)?|cut back( on)?|"
    r"reduce|reducing|drop|ditch|give up|do without|dejar( de tomar| de usar)?|reducir|"
    r"abandonar|prescindir de|arreter( de prendre)?|reduire|diminuer|me passer d(e|es)?|"
    r"absetzen|reduzieren|verzichten auf|aufhoren mit|weglassen|stoppen met|minderen|afbouwen|"
    r"parar( de tomar| com)?|largar|reduzir|diminuir|deixar( de tomar)?|smettere( di prendere)?|"
    r"ridurre|sospendere|abbandonare|fare a meno d(i|ei|egli|elle))\b[^.?!]{0,30}$"
)
_GIVEN_UP_AFTER = re.compile(
    r"^[^.?!]{0,20}\b(laten staan|afbouwen|minderen|verminderen|stoppen|reduzieren|absetzen|"
    r"weglassen|loswerden|los)\b"
)


def _given_up(folded: str, mention: Mention) -> bool:
    before = folded[max(0, mention.start - 45) : mention.start]
    after = folded[mention.end : mention.end + 30]
    given_up_after = _GIVEN_UP_AFTER.search(after)
    # "een maagverkleining mijn migraine verminderen": what is reduced is the migraine.
    if given_up_after and TARGET_WORD.search(after[: given_up_after.start(1)]):
        given_up_after = None
    return bool(_GIVEN_UP_BEFORE.search(before) or given_up_after)


_SENTENCE_END = re.compile(r"[.?!]+\s*|\n+")


def _tells_of_tried(sentence: str) -> bool:
    """Whether a sentence tells of treatments already tried, in any language ("I've tried
    everything: beta blockers, topiramate...", "Betablocker, Topiramat, Aimovig, alles durch",
    "ho provato triptani... con scarsi risultati"): the lexicon's "my past" cues."""
    return bool(phrase_spans(default_lexicon().any_background, fold_text(sentence)))


def _untried(folded: str, subjects: list[Subject]) -> list[Subject]:
    """The subjects less those named only in a sentence that tells of treatments tried, when a
    sentence that asks (one with a question mark, else the last) names a treatment or surgery."""
    cuts = [0] + [m.end() for m in _SENTENCE_END.finditer(folded)] + [len(folded)]
    spans = sorted({(a, b) for a, b in itertools.pairwise(cuts) if folded[a:b].strip()})
    if len(spans) < 2:
        return subjects
    asking = [(a, b) for a, b in spans if "?" in folded[a:b]] or [spans[-1]]
    tried = [(a, b) for a, b in spans if (a, b) not in asking and _tells_of_tried(folded[a:b])]
    if not tried:
        return subjects

    def inside(s: Subject, where: list[tuple[int, int]]) -> bool:
        return any(a <= s.position < b for a, b in where)

    # What is asked about may be named in the question or in another sentence that is no
    # story of treatments tried ("a surgeon's offered me the nerve surgery. what are my
    # chances?").
    own = [(a, b) for a, b in spans if (a, b) not in tried]
    asks_own = any(inside(s, own) for s in subjects) or any(
        _SURGERY_WORD.search(folded[a:b]) or _CAPITAL_OP.search(folded[a:b]) for a, b in own
    )
    if not asks_own:
        return subjects
    return [s for s in subjects if not inside(s, tried)]


def asked_subjects(
    registry: EvidenceRegistry,
    question: str,
    standalone: str | None = None,
    history: Sequence[Turn] = (),
    catalogue: TreatmentCatalogue | None = None,
) -> list[Subject]:
    """What an efficacy question asks about, from the question and the conversation."""
    catalogue = catalogue or default_catalogue()
    names = _Names(registry, catalogue)
    subjects = names.named(question)
    folded = fold_with_map(question)[0]
    kept = [s for s in subjects if s.mention is None or not _given_up(folded, s.mention)]
    if len(kept) < len(subjects):
        # What the patient hopes to give up is the outcome; the treatment asked about is the
        # other one named, or the one of the conversation ("and can I then drop my triptans?").
        subjects = kept or _earlier_subjects(names, history) or subjects
    subjects += _compared_unlisted(registry, catalogue, question, subjects)
    subjects += _opening_topic(registry, catalogue, question, subjects)
    subjects.sort(key=lambda s: s.position)
    subjects = _untried(folded, subjects)
    if history and subjects and all(_practitioner(question, s) for s in subjects):
        # "My physio wants to do it on my neck, is it worth it?" after a turn about dry
        # needling: what the practitioner offers is the conversation's treatment.
        subjects = _earlier_subjects(names, history) or subjects
    main = default_lexicon().main_clauses(question, also=FAILED_ASIDE)
    if subjects and (
        _REFERS_BACK.match(normalise(question)) or (history and not names.named(main))
    ):
        # "Does it work better than amitriptyline?", "qual a chance de funcionar comigo? já
        # tomei flunarizina e não adiantou": what the question names only in an aside is
        # compared with, or tried before, the conversation's treatment.
        subjects = _earlier_subjects(names, history) + subjects
    if not subjects:
        subjects = _across_turns(registry, question, history)
    rest = question
    for s in subjects:
        if s.mention is not None:  # "septum surgery" is a treatment, not surgery in general
            rest = rest.replace(s.mention.asked, " ")
    # A doubled letter typed by mistake ("opperation", "operazzione") still names surgery.
    surgery = (
        _SURGERY_WORD.search(normalise(rest))
        or _SURGERY_WORD.search(re.sub(r"([a-z])\1", r"\1", normalise(rest)))
        or _CAPITAL_OP.search(rest)
    )
    # Surgery named only as what comes later or is set aside ("should I try it before even
    # thinking about surgery?", "rather than surgery, ...") leaves the conversation's treatment,
    # whatever it is, the one asked about; "if I had the surgery" still asks about surgery.
    # Compared with ("is Botox better than surgery?"), surgery is asked about too.
    surgery_asked = surgery is not None and bool(
        _SURGERY_WORD.search(BEFORE_OR_INSTEAD.sub(" ", fold_text(rest)))
        or _CAPITAL_OP.search(rest)
        or COMPARED_ASIDE.search(fold_text(rest))
    )
    if not subjects and not surgery:
        # "Eigenbluttherapie beim Heilpraktiker, hilft das?": named in the question itself.
        subjects = [
            Subject(m.start, mention=m)
            for m in catalogue.unlisted(question, shapes=False, forms=("topic",))
        ]
    if not subjects and not surgery:
        subjects = _offered(names, question, history)
    if not subjects:
        for turn in reversed(history):
            if turn.role != "user":
                continue  # the assistant's own words (and fixed messages) never set the topic
            # "Would the surgery be a permanent fix?" after a turn about Botox asks about surgery.
            subjects = names.named(turn.content, registry_only=surgery_asked)
            if not subjects and not surgery:
                found = catalogue.unlisted(turn.content, shapes=False)
                subjects = [Subject(m.start, mention=m) for m in found]
            if subjects:
                break
    if not subjects and standalone and standalone != question:
        subjects = names.named(standalone, registry_only=bool(surgery))
    if not subjects and not surgery:
        subjects = [Subject(m.start, mention=m) for m in catalogue.unlisted(question)]
    has_procedure = any(s.procedure is not None for s in subjects)
    if surgery and (surgery_asked or not subjects) and not has_procedure:
        placed = _placed_procedure(registry, question)
        if placed is not None:
            # "I have occipital neuralgia. Would the op cure me?": the operation for what the
            # patient has, or for where it hurts.
            subjects.append(Subject(surgery.start(), procedure=placed))
        else:
            subjects.append(Subject(surgery.start(), general=True))
        subjects.sort(key=lambda s: s.position)
    if not subjects:
        placed = _operated_there(registry, question)
        subjects = [Subject(0, procedure=placed) if placed else Subject(0, general=True)]
    unique: list[Subject] = []
    for s in subjects:
        if s.key not in {u.key for u in unique}:
            unique.append(s)
    if len(unique) > MAX_ENTRIES:
        # Too many to list: the procedures of the sources first, then the others in order.
        kept = [s for s in unique if s.procedure is not None][:MAX_ENTRIES]
        kept += [s for s in unique if s.procedure is None][: MAX_ENTRIES - len(kept)]
        unique = sorted(kept, key=lambda s: s.position)
    return unique[:MAX_ENTRIES]


# Devices and injections put where it hurts: not the operation for that place.
_DEVICE_OR_BLOCK = re.compile(
    r"\b(wires?|cables?|electrodes?|stimulat\w*|devices?|batter\w*|pila|pilas|draa?djes?|"
    r"draa?tjes?|stroom\w*|apparaat\w*|apparatje\w*|kabel\w*|elektrode\w*|strom\w*|gerat\w*|"
    r"fils?|fios?|fili|filo|elettrod\w*|eletrod\w*|electrod\w*|estimul\w*|stimol\w*|"
    r"blocks?|bloqueos?|blocages?|blockaden?|blokkades?|bloqueios?|blocchi|blocco|spritze\w*|"
    r"injections?|infiltra\w*|injecc\w*|injec\w*|iniezion\w*|prik\w*|punture?)\b"
)


# An operation on the nerve told in other words ("cut the occipital nerve", "den Nerv am
# Hinterkopf freilegen", "descomprimir el nervio occipital"), and the back of the head named.
_ON_THE_NERVE = re.compile(
    r"\b(cut\w*|sever\w*|snip\w*|free\w*|releas\w*|decompress\w*|cortar\w*|cortan?|"
    r"descomprim\w*|liberar\w*|liberer|couper|sectionn\w*|durchtrenn\w*|durchschneid\w*|"
    r"freileg\w*|freizuleg\w*|befrei\w*|doorknip\w*|doorsnij\w*|vrijmak\w*|vrij te maken|"
    r"vrijleg\w*|taglia\w*|liberare|decomprim\w*|sezion\w*)\b"
)
_BACK_OF_THE_HEAD = re.compile(
    r"\b(occipital\w*|okzipital\w*|arnold|hinterkopf\w*|nacken\w*|nuca|nuque|achterhoofd\w*|"
    r"back of (the|my|your|his|her) (head|neck)|nervo occipitale|nervio occipital)\b"
)


def _operated_there(registry: EvidenceRegistry, question: str) -> Procedure | None:
    """The procedure of the back of the head, for a message that names no operation but tells
    one done on the nerve there ("cutting the occipital nerve for good, will that stop the
    pain?"). A condition named alone ("my neurologist says it's occipital neuralgia") or the
    nerve cut with no place named is not enough."""
    norm = fold_text(question)
    if not (_ON_THE_NERVE.search(norm) and _BACK_OF_THE_HEAD.search(norm)):
        return None
    return _placed_procedure(registry, question)


def _placed_procedure(registry: EvidenceRegistry, question: str) -> Procedure | None:
    """The one procedure that what the question says the patient has, or where it hurts,
    points at (the lexicon's place hints, any language); none when it points at several or
    names another trigger site beside it."""
    lexicon = default_lexicon()
    norm = fold_text(question)
    if _DEVICE_OR_BLOCK.search(norm) or any(
        pattern is not None and phrase_spans(pattern, norm)
        for pattern in lexicon.other_sites.values()
    ):
        # Wires or an injection at the back of the head are a stimulator or a nerve block.
        return None
    found = set(lexicon.places_in(norm))
    if len(found) != 1:
        return None
    return next((p for p in registry.procedures if p.id in found), None)


def with_answer_procedures(
    registry: EvidenceRegistry, subjects: list[Subject], answer_text: str
) -> list[Subject]:
    """The subjects, then up to two registry procedures an answer states outcomes about."""
    out = list(subjects)
    keys = {s.key for s in out}
    added = 0
    for procedure in registry.find(answer_text):
        if procedure.id in keys or added >= 2 or len(out) >= MAX_ENTRIES:
            continue
        out.append(Subject(10**6 + added, procedure=procedure))
        keys.add(procedure.id)
        added += 1
    return out


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def evidence_for(
    registry: EvidenceRegistry,
    procedures: Sequence[Procedure | Subject],
    catalogue: TreatmentCatalogue | None = None,
) -> list[EvidenceStatus]:
    """The caveat's entries: registry entries, "not assessed" entries, or the general position."""
    catalogue = catalogue or default_catalogue()
    subjects = [p if isinstance(p, Subject) else Subject(0, procedure=p) for p in procedures]
    if not subjects:
        subjects = [Subject(0, general=True)]
    out = []
    text = catalogue.not_assessed
    for s in subjects:
        if s.procedure is not None:
            p = s.procedure
            out.append(
                EvidenceStatus(
                    procedure=p.name,
                    tier=p.tier,
                    summary=p.summary,
                    references=tuple(registry.cite(p.references)),
                )
            )
        elif s.mention is not None:
            m = s.mention
            name = m.treatment.name if m.treatment is not None else text["unnamed"]
            label = _capitalise(name)
            if m.asked and m.asked.lower() not in name.lower():
                label += " (" + text["asked_as"].format(asked=m.asked) + ")"
            subject_name = name if m.treatment is not None else f'"{m.asked}"'
            summary = " ".join(
                (
                    text["summary"].format(treatment=subject_name),
                    text["ask_doctor"].format(treatment=subject_name),
                )
            )
            out.append(EvidenceStatus(procedure=label, tier=text["tier"], summary=summary))
        else:
            general = registry.general
            out.append(
                EvidenceStatus(
                    procedure=GENERAL_NAME,
                    tier=general.tier,
                    summary=general.summary,
                    references=tuple(registry.cite(general.references)),
                )
            )
    return out


def build_caveat(
    evidence: Sequence[EvidenceStatus],
    citations: Sequence[Citation],
    catalogue: TreatmentCatalogue | None = None,
    registry: EvidenceRegistry | None = None,
    language: str = "en",
) -> str:
    """The caveat as patients read it: a heading, the plain verdict on what was asked and what
    to do (reviewed texts in the question's language), then each entry's tier, evidence
    summary and references."""
    catalogue = catalogue or default_catalogue()
    words = messages(language)
    ids = {p.name: p.id for p in registry.procedures} if registry is not None else {}
    labels = {**TIER_LABELS, catalogue.not_assessed["tier"]: catalogue.not_assessed["tier_label"]}
    lines = [str(words.sub("caveat", "heading"))]
    if evidence:
        lines.append("- " + plain_verdict(words, evidence[0], ids))
    lines.append("- " + str(words.sub("caveat", "what_to_do")))
    for item in evidence:
        tier = labels.get(item.tier, item.tier)
        lines.append(f"- {item.procedure}: {tier}. {item.summary.strip()}")
        if item.references:
            lines.append("  References: " + "; ".join(item.references))
    kinds = {c.source_kind for c in citations}
    if kinds & {"clinic-marketing", "practice-blog"}:
        lines.append("- " + str(words.sub("caveat", "sellers")))
    lines.append("- " + str(words.sub("caveat", "not_advice")))
    return "\n".join(lines)
