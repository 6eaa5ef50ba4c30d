"""Treatments the evidence registry does not assess (``data/treatments.yaml``), found in a
question with the patient's own wording, and a fallback that picks the treatment out of the
form of the question when the catalogue does not know it ("is zinc any good for migraines?")."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

TREATMENTS_FILE = Path(__file__).resolve().parent / "data" / "treatments.yaml"
FOUND_KEPT = 4096
"""Texts whose mentions are kept in memory by :meth:`TreatmentCatalogue.find`."""

_SEPARATORS = "-_/'’`"


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Lower-case, accent-free text with hyphens and apostrophes as spaces, and for each of its
    characters the index of the character of ``text`` it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch in _SEPARATORS:
            piece = " "
        else:
            decomposed = unicodedata.normalize("NFKD", ch.lower())
            piece = "".join(c for c in decomposed if not unicodedata.combining(c))
            piece = piece.replace("ß", "ss").replace("œ", "oe").replace("æ", "ae")
        out.append(piece)
        where.extend([i] * len(piece))
    return "".join(out), where


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", fold_with_map(text)[0]).strip()


def _inflected(word: str) -> str:
    """A name's word with its common endings: singular and plural, masculine and feminine ("huile
    essentielle" for "huiles essentielles", "triptanes" and "triptani" for "triptans")."""
    if len(word) < 5 or not word.isalpha():
        return re.escape(word)
    stem = word[:-1] if word.endswith("s") else word
    stem = stem[:-1] if stem[-1] in "aeio" else stem
    if len(stem) < 6:
        return re.escape(word)
    return re.escape(stem) + r"[aeiosnx]{0,3}"


@dataclass(frozen=True)
class Treatment:
    id: str
    name: str
    aliases: tuple[str, ...]
    patterns: tuple[str, ...] = ()

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        names = sorted({_fold(a) for a in self.aliases if _fold(a)}, key=len, reverse=True)
        parts = [r"\s+".join(_inflected(w) for w in n.split(" ")) for n in names]
        body = "|".join([*(f"(?<!\\w)(?:{p})(?!\\w)" for p in parts), *self.patterns])
        return re.compile(body)


@dataclass(frozen=True)
class Mention:
    """A treatment named in a text: where, which, and the patient's own words for it."""

    start: int
    end: int
    treatment: Treatment | None  # None: not in the catalogue, picked out of the question's form
    asked: str


# The illness an effect acts on, as patients name it (the object of "X relieves ...").
_ILLNESS = (
    r"(migraine|migraines|migrana|migranas|jaqueca|jaquecas|cefalea|cefaleas|mal de tete|"
    r"maux de tete|migrane|migranen|kopfschmerz\w*|hoofdpijn\w*|enxaqueca|enxaquecas|"
    r"dor de cabeca|emicrania|emicranie|mal di testa|headaches?|cluster|attacks?|crisis|crises|"
    r"ataques|attaques|attacken|anfall\w*|aanvallen|attacchi|crisi|migraine\w+|migrane\w+|"
    r"migrana\w+)"
)
# "ventosaterapia resolve enxaqueca?", "Reiki lindert Migräne?", "zinc helps headaches": the
# words before an effect verb whose object is the illness name the treatment.
_EFFECT_ON_ILLNESS = re.compile(
    r"(?:^|[.!?;:,¿¡]\s*)(?P<t>[a-z0-9][a-z0-9 +]{2,50}?)\s+(?:(?:really|actually|realmente|"
    r"mesmo|vraiment|echt|wirklich|davvero|de verdad|tambem|auch|ook|aussi|tambien|anche)\s+)?"
    r"(resolve|resuelve|melhora|mejora|diminui|disminuye|reduz|reduce|reduit|riduce|ajuda|ayuda|"
    r"aide|aiuta|hilft|helpt|helps|cura|cures|guerit|heilt|geneest|guarisce|alivia|soulage|"
    r"allevia|lindert|verlicht|relieves|previne|previene|previent|prevents|verhindert|voorkomt|"
    r"vermindert|verringert|treats|ameliore|migliora|verbessert|stops|tira|quita|calma|calme|"
    r"calms|elimina|elimine|eases|reduces)(?:n|m|no|en)?\s+(?:[a-z]+\s+){0,4}?" + _ILLNESS + r"\b"
)
# "X for migraine", "X gegen Migräne": the words before the preposition name the treatment.
_FOR_MIGRAINE = re.compile(
    r"(?P<t>[a-z0-9][a-z0-9 +]{1,60}?)\s+(for|against|with|para|pra|contra|pour|contre|gegen|bei|"
    r"tegen|bij|per|contro|nelle|nella|na|no|nas|nos|en|em|dans|in|nell|nel|nei|im|sur|"
    r"on)\s+(the |my |your |la |las |los |mis |sus |les |mes |"
    r"vos |die |meine |der |de |mijn |je |a |as |minha |minhas |l |le |il |mie |mia |i )?"
    r"(migraine|migraines|migrana|migranas|jaqueca|jaquecas|cefalea|cefaleas|mal de tete|"
    r"maux de tete|migrane|migranen|kopfschmerz\w*|hoofdpijn|enxaqueca|enxaquecas|"
    r"dor de cabeca|emicrania|emicranie|mal di testa|headaches?|cluster)"
)
# "does X work", "is X worth it", "X funciona?" (English and a few common forms).
_DOES_X_WORK = re.compile(
    r"\b(does|do|did|will|would|can|could|is|are|was|were|has|have|had)\s+"
    r"(?P<t>[a-z0-9][a-z0-9 +]{1,40}?)\s+(really |actually |even |truly |still |ever )?"
    r"(work|works|worked|help|helps|helped|cure|cured|relieve|relieved|prevent|prevented|reduce|"
    r"reduced|stop|stopped|ease|eased|fix|fixed|worth|effective|any good|a scam|legit|better|"
    r"done anything|made a difference)\b"
)
_LEADING = re.compile(
    r"^((and|or|but|maar|pero|mais|aber|ma|mas|so|also|what about|how about|about|is|are|does|"
    r"do|did|taking|take|using|"
    r"use|trying|try|getting|get|having|had|have|with|the|a|an|my|your|this|that|these|those|"
    r"some|any|el|la|los|las|un|una|le|les|des|du|de|der|die|das|den|ein|eine|het|een|o|os|"
    r"as|um|uma|il|lo|gli|i|mi|mon|ma|mein|meine|mijn|meu|minha|mio|mia|tomar|prendre|nehmen|"
    r"nemen|prendere|con|avec|mit|met|com|es|est|ist|e|y|et|und|en|ou|oder|of|hilft|helfen|"
    r"wirkt|wirken|bringt|werkt|helpt|funciona|funcionan|sirve|sirven|ayuda|marche|aide|"
    r"soulage|ajuda|resolve|aiuta|funziona|serve|est-ce|que|qui|ce|le|la|les|l|lo|el|al|"
    r"zijn|sind|son|sont|sao|sono|heeft|hat|hace|fait|faz|fa|wel|echt|really|actually|fazer|"
    r"hacer|faire|machen|doen|fare|doing|practicar|praticar|pratiquer|praticare|regelmassig|"
    r"regularly|regularmente|regulierement|regelmatig|regolarmente)\s+)+"
)
# Effect and verdict words at the end of "is zinc any good for", "camomila funciona pra".
_TRAILING = re.compile(
    r"(\s+(any good|any use|of any use|worth it|worth|really|actually|even|truly|also|too|"
    r"work|works|working|help|helps|helping|effective|good|funciona\w*|sirve\w*|serve\w*|"
    r"ayuda\w*|aide\w*|marche|fonctionne|hilft|wirkt|helpt|werkt|ajuda\w*|aiuta\w*|"
    r"funziona\w*|vale la pena|vale a pena|mesmo|davvero|echt|vraiment|de verdad|realmente|"
    r"wirklich|ook|auch|aussi|tambien|tambem|anche|ca|cela|das|dat|het|eso|esto|isso|questo|"
    r"bien|bem|bene|goed|gut))+$"
)
# What comes before a treatment's name: "my doctor suggested X", "I started on X".
_INTRO = re.compile(
    r"^.*\b(suggested|suggests|recommended|recommends|prescribed|prescribes|offered|offers|"
    r"proposed|mentioned|started on|started|tried|trying|try|taking|take|takes|using|use|on|"
    r"about|receto|recomendo|recomienda|propuso|propone|prescrit|propose|conseille|"
    r"verschrieben|empfohlen|vorgeschlagen|voorgeschreven|aangeraden|voorgesteld|receitou|"
    r"indicou|sugeriu|prescritto|consigliato|suggerito|proposto)\s+"
)
# Words that do not name a treatment (pronouns, generic words, surgery in general).
_NOT_A_TREATMENT = re.compile(
    r"^(it|this|that|they|them|these|those|something|anything|everything|nothing|one|any|"
    r"surgery|surgeries|operation|operations|op|ops|procedure|procedures|treatment|treatments|"
    r"therapy|therapies|option|options|medication|medications|medicine|medicines|meds|drug|"
    r"drugs|pills?|help|relief|people|patients|someone|anyone|anybody|everyone|nobody|me|you|he|"
    r"she|we|cirugia|operacion|alguien|quelqu un|jemand|iemand|alguem|qualcuno|"
    r"intervencion|tratamiento|chirurgie|operation|traitement|operation|eingriff|behandlung|"
    r"operatie|ingreep|behandeling|cirurgia|operacao|tratamento|chirurgia|operazione|intervento|"
    r"trattamento|what|which|how|who|why|when|where|there|here|eso|esto|ca|cela|das|dit|dat|"
    r"isso|isto|questo|quello|attacks?|pain|headaches?|migraines?|not|no|nicht|niet|nao|non|pas|"
    r"yes|si|oui|ja|sim|just|only|solo|juste|nur|alleen|apenas|so|also|too|more|less|better|mejor|"
    r"mieux|besser|beter|melhor|meglio|other|otra|otro|autre|andere|ander|outra|outro|altro|altra|"
    r"things?|stuff|cosa|cosas|chose|choses|ding|dinge|dingen|coisa|coisas|cose|chances?|odds|same|"
    r"thing|ones?|people|ppl|leute|gente|gens|mensen|pessoas|persone|nerves?|nervio|nervios|nerf|"
    r"nerfs|nerv|nerven|zenuw|zenuwen|nervo|nervi|nada|rien|nichts|niets|niks|niente|nulla|algo|"
    r"etwas|iets|qualcosa|quelque|chose|alguma|nothing|something|anything|everything|todo|tout|"
    r"alles|tutto|tudo|migrana|migranas|jaqueca|jaquecas|enxaqueca|enxaquecas|emicrania|migrane|"
    r"migranen|hoofdpijn|kopfschmerzen|cefalea|crisis|crises|crisi|ataques|attaques|attacken|"
    r"aanvallen|attacchi|dor|dolor|douleur|schmerz|pijn|dolore|"
    # words of the conversation, not of a treatment: "honestly, is it going to help?", "et
    # niveau efficacité, ça donne quoi ?", "ehrlich gesagt, bringt das was?"
    r"honestly|seriously|really|ok|okay|well|frankly|basically|sinceramente|honestamente|"
    r"francamente|realmente|vale|bueno|bien|pues|honnetement|serieusement|franchement|bon|"
    r"alors|niveau|cote|question|ehrlich|gesagt|ernsthaft|also|naja|eerlijk|gezegd|serieus|"
    r"nou|goed|bem|entao|serio|onestamente|seriamente|allora|beh|ecco|insomma|"
    r"eficacia|efficacite|wirksamkeit|effectiviteit|eficacia|efficacia|efficacy|effectiveness|"
    r"results?|resultados?|resultats?|ergebnisse?|resultaten|risultati|success|exito|succes|"
    r"erfolg|sucesso|successo|"
    # what is known of a treatment, not its name: "und die Studien dazu?", "and the effect, does it
    # stay?"
    r"studies|study|studien|studie|estudios|estudio|etudes|etude|onderzoek|onderzoeken|estudos|"
    r"estudo|studi|studio|evidence|evidencia|evidencias|preuves?|belege?|bewijs|evidenze|"
    r"data|daten|dados|dati|datos|donnees|gegevens|effect|effects|efecto|efectos|effet|effets|"
    r"effekt|effekte|wirkung|efeito|efeitos|effetto|effetti|benefits?|beneficios?|benefices?|"
    r"nutzen|voordeel|voordelen|benefici|dazu|davon|daruber|hierzu|ervan|erover|daarover|daarvan|"
    # what is said of a treatment, not its name: "X, utile per l'emicrania?", "ist irgendwo
    # belegt, dass das hilft?"
    r"useful|worth|effective|proven|somewhere|utile|utili|util|utiles|nuttig|zinvol|nutzlich|"
    r"sinnvoll|efficace|efficaci|eficaz|eficaces|wirksam|werkzaam|belegt|bewiesen|bewezen|"
    r"prouve|probado|provado|provato|irgendwo|ergens|quelque part|algun lado|algum lugar|"
    r"concretement|concretamente|konkret|concreet|praticamente|basicamente|d'?accord|daccord|"
    r"accord|mais|but|pero|aber|maar|mas|d|l|j|qu|"
    # a trial period or a time span told, not a name: "et si l'essai marche bien", "und wenn
    # man schon 5 Prophylaxen hatte", "still losing half of every month"
    r"essai|essais|trial|trials|ensayo|prueba|teste|test|proef|probe|prova|if|si|se|wenn|als|"
    r"quand|cuando|quando|wanneer|man|schon|half|of|every|each|month|months|mont|week|weeks|"
    r"day|days|year|years|still|lose|losing|lost|"
    # chat fillers: "ok but like... is it legit or not"
    r"like|um+|uh+|hm+|lol|yeah|yep|nah|anyway|tipo|genre|sozusagen|zeg maar|"
    # "what is there actually against migraine?": a word of the question, not a name
    r"eigentlich|uberhaupt|eigenlijk|uberhaupt|actually|even|en realidad|en fait|na verdade|"
    r"in realta|es gibt|gibt es|gibt|er|hay|il y a|tem|ce|ci sono|"
    # a pain word or a conjunction with a clipped pronoun: "et après on a mal ?", "wenn's hilft"
    r"mal|wenn|falls|if|when|quand|cuando|quando|als|s|t|m|n)$"
)


# "Eigenbluttherapie beim Heilpraktiker, hilft das?", "l'huile essentielle sur les tempes, ça
# calme ?", "yoga, helpt dat?": the treatment opens the sentence and a pronoun takes it up.
_TOPIC_THEN_PRONOUN = re.compile(
    r"(?:^|[.!?]\s+)(?P<t>[a-z0-9][a-z0-9 +]{1,80}?)(?:\s*,\s*[^,?!.]{0,25}){0,2}\s*(?:,|–|—|:|"
    r"\.\.\.)"
    r"\s*(?:[a-z]+\s){0,2}(das|dat|het|ca|cela|eso|esto|esa|isso|isto|questo|cio|it|that|this)\s"
)
# Words of a clause, not of a treatment's name: the topic is a noun phrase.
_CLAUSE_WORD = re.compile(
    r"^(who|which|that|que|qui|wer|welche|wie|die|quem|chi|che|i|you|we|he|she|they|ich|du|wir|je|"
    r"tu|"
    r"nous|ik|jij|wij|yo|eu|io|noi|had|have|has|done|got|is|are|was|were|sind|bin|ben|ist|es|est|"
    r"sont|son|sao|sono|e|ppl|people|leute|gente|gens|mensen|pessoas|persone|does|do|did|can|could|"
    r"would|will|should|my|mi|mon|ma|mein|meine|mijn|meu|minha|mio|mia|swears|zweert|schwort|"
    r"jura|jure|giura|ze|zij|hij|sie|er|elle|elles|ils|ella|ellos|ellas|ele|ela|eles|elas|lei|lui|"
    r"loro|heeft|hebben|hatte|haben|ont|tiene|tienen|tem|tenho|hanno|ho|avait|avais|tenia|doet|"
    r"doen|macht|machen|hace|hacen|fait|font|faz|fazem|fa|fanno|pode|podem|puede|pueden|peut|"
    r"peuvent|kann|konnen|kan|kunnen|puo|possono|may|might|disse|dijo|said|says|dit|sagt|sagte|"
    r"zei|zegt|detto|dice|"
    # a verb's reflexive or subject pronoun: "und lohnt sich das überhaupt, das Zeug zu nehmen?"
    r"sich|zich|das|dat)$"
)
# An opening phrase that starts with a verb ("und ist irgendwo belegt, dass das hilft?") is a
# clause, not a treatment's name.
_OPENS_CLAUSE = re.compile(
    r"^((and|but|so|y|pero|et|mais|und|aber|en|maar|ma|mas)\s+)?(is|are|was|were|ist|sind|war|"
    r"est|sont|etait|zijn|son|era|sono|sao)\b"
)
# Where the opening phrase stops naming the treatment: "X beim Heilpraktiker", "X sur les tempes".
_PHRASE_END = re.compile(
    r"\s(on|in|at|for|from|instead|with|without|by|beim|bei|auf|am|im|statt|anstatt|gegen|fur|mit|"
    r"vom|von|sur|sous|pour|contre|avec|chez|dans|au|aux|sobre|en|para|contra|con|sin|desde|op|bij|"
    r"voor|tegen|met|van|aan|na|no|nos|nas|pra|com|sem|sul|sulla|sulle|sui|alla|alle|al|nel|nella|"
    r"per|contro|con|senza|dal|dalla|via|da|\d+)\s.*$"
)
# "X or Y, which is better?", "meglio l'Aulin o l'Oki?": both sides of a comparison.
_COMPARED = re.compile(
    r"(?P<a>[a-z0-9][a-z0-9+]*(?: [a-z0-9+]+){0,2})\s+(or|o|ou|oder|of|vs|versus|contra|tegen|"
    r"gegen)\s+(?:the |el |la |le |l |lo |il |o |a |die |der |de |het )?"
    r"(?P<b>[a-z0-9][a-z0-9+]*(?: [a-z0-9+]+){0,2}?)(?=\s*(?:[,?!.;]|$|\s(which|what|cual|quel|"
    r"quelle|"
    r"welche?|welk|qual|quale|wat|was|que|che|for|para|pour|fur|voor|per|pra|na|nel|in|bei|bij|"
    r"against|contra|contre|gegen|tegen|contro)\b))"
)
_COMPARATIVE = re.compile(
    r"\b(better|best|more|compar\w*|vs|versus|mejor|mas|mieux|plus|besser|mehr|beter|meer|melhor|"
    r"mais|meglio|piu|which|cual|quel|quelle|welche?|welk|qual|quale|zuverlassiger|eher|lieber|"
    r"prefer\w*|plutot|liever|piuttosto|rather)\b"
)
# What comes before a treatment in a statement: "I've been doing neurofeedback for 2 months",
# "mache seit 2 Monaten Neurofeedback", "ik volg nu 8 weken een mindfulness training".
_STATEMENT = re.compile(
    r"\b(suggested|recommended|prescribed|offered|proposed|propone|propuso|recomienda|recomendo|"
    r"receto|prescrit|propose|conseille|verschrieben|empfohlen|vorgeschlagen|voorgeschreven|"
    r"aangeraden|voorgesteld|receitou|indicou|sugeriu|prescritto|consigliato|suggerito|proposto|"
    r"doing|taking|trying|using|started|starting|on|had|got|mache|mach|nehme|probiere|mache gerade|"
    r"swears by|swear by|sworn by|zweert bij|zweren bij|schwort auf|schwort|schworen auf|jura por|"
    r"juran por|jure par|ne jure que par|giura su|giura per|giurano su|"
    r"hago|estoy haciendo|estoy tomando|tomo|empece|empezado|fais|prends|je fais|j'ai commence|"
    r"commence|doe|neem|volg|gebruik|begonnen met|faco|estou fazendo|estou tomando|comecei|faccio|"
    r"prendo|sto facendo|sto prendendo|seguo|ho iniziato|iniziato)\s+"
    r"(?:(?:seit|since|for|desde hace|desde|hace|depuis|sinds|nu|al|da|ha|faz|already|ya|deja|"
    r"schon|"
    r"al|ja|gia|now|ahora|maintenant|jetzt|agora|ora)\s+(?:\w+\s+){0,2}?(?:weeks?|months?|days?|"
    r"years?|"
    r"wochen|monaten|tagen|jahren|weken|maanden|dagen|jaar|semanas|meses|dias|anos|semaines|mois|"
    r"jours|ans|settimane|mesi|giorni|anni)\s+)?(?P<t>[a-z0-9][a-z0-9 +]{2,60})"
)
# The same with the verb at the end: "hat mir Neuraltherapie empfohlen", "doe aan neurofeedback".
_STATEMENT_FINAL = re.compile(
    r"\b(hat|haben|hatte|heeft|hebben|had)\s+(?:(?:mir|uns|me|mij|ons|jetzt|nun|nu|gestern|"
    r"gisteren)\s+)*"
    r"(?P<t>[a-z0-9][a-z0-9 +]{2,50}?)\s+(empfohlen|verschrieben|vorgeschlagen|verordnet|gegeben|"
    r"angeboten|aangeraden|voorgeschreven|voorgesteld|gegeven|aangeboden)\b"
    r"|\b(doe|doen|mache|machen)\s+(?:\w+\s+){0,4}?(aan|mit)\s+(?P<t2>[a-z0-9][a-z0-9 +]{2,40})"
)
# Brand and drug names in the patient's own spelling: "Aulin", "Ascotop", "Nurtec".
_DRUG_SUFFIX = re.compile(
    r"(mab|gepant|triptan|profen|olol|sartan|pril|azepam|prazole|xetine|triptyline|amine|azole|"
    r"mycin|cillin|terapi\w*|therap\w*|punctur\w*|puntur\w*|pathy|pathie|patia|patie|feedback|"
    r"massage|masaje|massagem|massaggio)$"
)
_DETERMINER_BEFORE = re.compile(
    r"(\b(the|el|la|le|les|il|lo|der|die|das|de|het|o|a|os|as|un|una|une|ein|eine|een|um|uma|with|"
    r"con|"
    r"avec|mit|met|com|take|taking|nehme|tomo|prendo|prends|neem|tomar|prendre|nehmen|nemen|"
    r"prendere|or|o|ou|oder|of|and|y|et|und|en|e)\s|\bl |\bl')$"
)
_DRUG_SHAPE = re.compile(
    r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]{2,}[a-z0-9]*|[A-Z]{2,}[a-z]*\d*)\b|\b[a-z]+(mab|gepant|"
    r"triptan|profen|olol|sartan|pril|azepam|prazole|xetine|triptyline|amine|azole|mycin|cillin)\b"
)


class TreatmentCatalogue:
    """The catalogue of ``data/treatments.yaml`` and the reviewed "not assessed" text."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.not_assessed: dict[str, str] = dict(data["not_assessed"])
        self.treatments = tuple(
            Treatment(
                id=t["id"],
                name=t["name"],
                aliases=tuple(str(a) for a in t.get("aliases", ())),
                patterns=tuple(t.get("patterns", ())),
            )
            for t in data["treatments"]
        )
        ids = [t.id for t in self.treatments]
        if len(ids) != len(set(ids)):
            raise ValueError("treatment ids must be unique")
        self._found: dict[str, tuple[Mention, ...]] = {}
        self._found_lock = threading.Lock()
        for t in self.treatments:
            _ = t.pattern  # compile now: a bad pattern fails at load, not on a patient's question

    @classmethod
    def load(cls, path: Path = TREATMENTS_FILE) -> TreatmentCatalogue:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def by_id(self, treatment_id: str) -> Treatment:
        return next(t for t in self.treatments if t.id == treatment_id)

    def find(self, text: str) -> list[Mention]:
        """Catalogue treatments named in ``text``, in order, each once (its first mention).
        A text read before is answered from memory (the last ``FOUND_KEPT`` texts): a question,
        its standalone form and the sentences of the sources are read many times over."""
        found = self._found.get(text)
        if found is None:
            found = tuple(self._scan(text))
            with self._found_lock:
                self._found[text] = found
                while len(self._found) > FOUND_KEPT:
                    del self._found[next(iter(self._found))]
        return list(found)

    def _scan(self, text: str) -> list[Mention]:
        folded, where = fold_with_map(text)
        spans: list[tuple[int, int, Treatment]] = []
        for t in self.treatments:
            spans.extend((m.start(), m.end(), t) for m in t.pattern.finditer(folded))
        # Longer mentions win over those inside them ("occipital nerve block" over "block").
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        kept: list[tuple[int, int, Treatment]] = []
        for start, end, t in spans:
            if any(s < end and start < e for s, e, _ in kept):
                continue
            kept.append((start, end, t))
        out: list[Mention] = []
        seen: set[str] = set()
        for start, end, t in sorted(kept, key=lambda s: s[0]):
            if t.id in seen or start >= len(where):
                continue
            seen.add(t.id)
            asked = text[where[start] : where[end - 1] + 1].strip(" -_/'’`")
            out.append(Mention(start, end, t, asked))
        return out

    @staticmethod
    def unlisted(
        text: str,
        shapes: bool = True,
        forms: tuple[str, ...] = ("for", "does", "effect", "topic", "statement", "final"),
    ) -> list[Mention]:
        """A treatment the catalogue does not know, picked out of the form of the question: the
        words before "for migraine", between "does" and "work", a phrase the sentence opens with
        and a pronoun takes up ("X, hilft das?"), what a statement says the patient is doing ("I
        have been doing X"), then a drug-shaped name ("Aulin")."""
        folded, where = fold_with_map(text)

        def mention(start: int, candidate: str) -> Mention:
            end = min(start + len(candidate), len(where))
            return Mention(start, end, None, text[where[start] : where[end - 1] + 1].strip())

        patterns = {
            "for": (_FOR_MIGRAINE, "last"),
            "effect": (_EFFECT_ON_ILLNESS, "last"),
            "does": (_DOES_X_WORK, "last"),
            "topic": (_TOPIC_THEN_PRONOUN, "first"),
            "statement": (_STATEMENT, "first"),
            "final": (_STATEMENT_FINAL, "first"),
        }
        for pattern, keep in (patterns[f] for f in forms):
            for m in pattern.finditer(folded):
                group = "t" if m.group("t") is not None else "t2"
                phrase = m.group(group)
                if keep == "first":
                    phrase = _PHRASE_END.sub("", " " + phrase + " ").strip()
                trimmed = _TRAILING.sub("", " " + phrase.strip()).strip()
                trimmed = _INTRO.sub("", trimmed)
                words = trimmed.split()
                if keep == "last":
                    # "ele disse que pode ajudar na enxaqueca": the name follows the last word
                    # that opens or carries a clause (a pronoun, "says", "can").
                    clause = [i for i, w in enumerate(words) if _CLAUSE_WORD.match(w)]
                    words = words[clause[-1] + 1 :] if clause else words
                words = words[-4:] if keep == "last" else words[:6]
                found = _candidate(_LEADING.sub("", " ".join(words) + " ").strip())
                if found is None:
                    continue
                candidate = found
                if keep == "first" and (
                    any(_CLAUSE_WORD.match(w) for w in candidate.split())
                    or _OPENS_CLAUSE.match(phrase.strip())
                ):
                    continue
                offset = m.group(group).find(candidate)
                return [mention(m.start(group) + max(offset, 0), candidate)]
        for m in _DRUG_SHAPE.finditer(text if shapes else ""):
            word = fold_with_map(m.group(0))[0]
            if _candidate(word) is None or _NOT_A_DRUG.match(word):
                continue
            before = fold_with_map(text[max(0, m.start() - 12) : m.start()])[0]
            if not (_DRUG_SUFFIX.search(word) or _DETERMINER_BEFORE.search(before)):
                continue
            start = folded.find(word)
            if start >= 0:
                return [mention(start, word)]
        return []

    @staticmethod
    def compared(text: str) -> list[Mention]:
        """Both sides of a comparison ("Maxalt oder Ascotop, was hilft besser?") that look like a
        treatment's name: capitalised as a brand, or shaped like a drug or a therapy."""
        folded, where = fold_with_map(text)
        if not _COMPARATIVE.search(folded):
            return []
        out: list[Mention] = []
        for m in _COMPARED.finditer(folded):
            for group in ("a", "b"):
                phrase = m.group(group)
                words = phrase.split()
                words = words[-2:] if group == "a" else words[:2]
                candidate = _candidate(_LEADING.sub("", " ".join(words) + " ").strip())
                if candidate is None:
                    continue
                start = m.start(group) + phrase.rfind(candidate)
                last = where[min(start + len(candidate), len(where)) - 1]
                original = text[where[start] : last + 1]
                if not (original[:1].isupper() or _DRUG_SUFFIX.search(candidate)):
                    continue
                end = min(start + len(candidate), len(where))
                asked = text[where[start] : where[end - 1] + 1].strip()
                out.append(Mention(start, end, None, asked))
        return out


_NOT_A_DRUG = re.compile(
    r"^(i|im|ive|id|ill|my|the|a|dr|doctor|mr|mrs|ms|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|english|spanish|french|german|dutch|italian|portuguese|europe|america|"
    r"usa|us|uk|eu|nhs|sus|ssn|aok|tk|ct|mri|irm|mrt|rm|ok|okay|hi|hello|hola|bonjour|hallo|ola|"
    r"ciao|instagram|facebook|tiktok|youtube|google|reddit|whatsapp|migone|pfo|ons|scs|cbd|"
    r"neurolog\w*|\w+ologist|\w+ologe|\w+oloog|\w+ologo|\w+ologue|\w+ologa|\w*schmerz\w*|"
    r"\w*migr\w*|\w*kopf\w*|\w*hoofd\w*)$"
)


def _candidate(candidate: str) -> str | None:
    """The candidate name, or None when it names no treatment (pronouns, general words)."""
    candidate = candidate.strip()
    if not candidate or len(candidate) < 3:
        return None
    if all(_NOT_A_TREATMENT.match(w) for w in candidate.split()):
        return None
    return candidate


@lru_cache(maxsize=1)
def default_catalogue() -> TreatmentCatalogue:
    return TreatmentCatalogue.load()
