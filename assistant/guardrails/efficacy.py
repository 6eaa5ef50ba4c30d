"""Efficacy-question detection: does a question ask whether, how well, how often, for how long,
for whom or compared with what a treatment works, named or not, in any wording?

Two layers, recall first (a missed efficacy question loses its evidence caveat):

1. Rules over accent-folded text in English, Spanish, French, German, Dutch, Portuguese and
   Italian that recognise the *form* of the question rather than fixed phrases: an effect
   (treat, cure, relieve, prevent, reduce, stop, end, ease, fix, get rid of, work, help...), a
   verdict (worth it, any good, a waste of money, a scam, legit), an outcome (success, results,
   chances, relief, migraine-free, permanent), a comparison (better than, vs, compared with),
   or evidence (proof, studies, placebo). Effect verbs are "weak": they do not count in
   mechanism ("how does Botox work?"), onset-timing ("how long does it take to work?"), job
   ("when can I go back to work?") or symptom questions ("my headache won't go away, is that
   normal?"). The other signals are "strong" and count whatever else the question says.
2. A small logistic-regression classifier over the question's embedding (the 384-d
   all-MiniLM-L6-v2 vector the retriever already computes) catches wordings the rules do not
   know. Its weights ship in ``data/efficacy_classifier.json`` and are trained by
   ``scripts/train_efficacy_classifier.py``. Mechanism, timing, job and definition questions
   veto it too.

Follow-ups count: "and does it work?" is caught on its own wording; a credibility question
("is that true?", "c'est crédible ?") after an efficacy claim, and a short "and fat transfer?"
after an efficacy question, inherit the topic of the conversation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.text import fold
from assistant.types import Turn

DATA = Path(__file__).resolve().parent / "data"
CLASSIFIER_FILE = DATA / "efficacy_classifier.json"


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def normalise(text: str) -> str:
    """Folded text with straight apostrophes and single spaces."""
    text = fold(text).replace("’", "'").replace("`", "'")
    text = text.replace("ß", "ss").replace("œ", "oe").replace("æ", "ae")
    return re.sub(r"\s+", " ", text).strip()


# What a treatment acts on (headache words in seven languages).
_TARGET = (
    r"(migr\w*|headaches?|head ?aches?|attacks?|pain|episodes?|jaquecas?|dolor\w*|crisis|"
    r"cefalea\w*|(?:mal|maux) de tete|douleurs?|crises?|kopfschmerz\w*|kopfweh|attacken|anfall\w*|"
    r"schmerz\w*|hoofdpijn\w*|aanval\w*|pijn|enxaque\w*|dor(es)?|dor de cabeca|emicrani\w*|"
    r"mal di testa|dolori?|ataques?|sintomas?|symptoms?|nevralgi\w*|neuralgi\w*)"
)
_TARGET_WORD = re.compile(r"\b" + _TARGET + r"\b")
# Effects with no object ("does it help?", "werkt het?"): about the treatment, never aftercare.
_GENERAL_EFFECT = _rx(
    r"\b(work|works|worked|help|helps|helped|funciona\w*|sirve|marche|fonctionne|aide|hilft|"
    r"wirkt|bringt|helpt|werkt|ajuda|funziona|aiuta|serve)\b",
)
# A symptom described: what the symptom veto needs before "is that normal?" counts.
_SYMPTOM_BODY = re.compile(
    r"\b(" + _TARGET[1:-1] + r"|head|cabeza|tete|kopf|hoofd|cabeca|testa|ache\w*|hurts?|"
    r"duele|doi|weh|throbb\w*|latej\w*|lancinan\w*|pochend\w*|bonzend\w*|pulsante)\b"
)
# Unfavourable outcomes: "chances of an infection" asks about risk, not efficacy.
_RISK_NOUN = (
    r"(infect\w*|infekt\w*|infecc\w*|infezion\w*|infec\w*|complica\w*|komplikation\w*|"
    r"side[- ]effects?|bijwerking\w*|nebenwirkung\w*|effets? secondaires?|efectos? secundarios?|"
    r"effetti collaterali|efeitos? colaterais|bleed\w*|sangr\w*|saign\w*|blutung\w*|bloeding\w*|"
    r"sanguin\w*|scar\w*|cicatri\w*|narbe\w*|litteken\w*|rejection|rechazo|addict\w*|"
    r"dependen\w*|verslav\w*|abhangig\w*|stroke|ictus|avc|schlaganfall|beroerte|death|muerte|"
    r"deces|tod|overlijden|morte|lead (migration|movement)|move|bouger|moverse|verrutsch\w*)"
)

# ---- strong signals: efficacy whatever else the question says ----------------------------------
# Outcomes (success, results, chances, relief, free of migraine, lasting effect), verdicts (worth
# it, any good, scam), comparisons and evidence.
_STRONG = _rx(
    # success, efficacy, effectiveness
    r"(?<!\be )\bsuc+e?s+(o|ful\w*|es|vol\w*|rates?)?\b",
    r"\bef+[ei]c+?t[iy]v\w*",
    r"\bef+ica\w*",
    r"\befficac\w*",
    r"\bwirksam\w*",
    r"\bwirkungsvoll\w*",
    r"\bwirkung\b",
    r"\berfolg\w*",
    r"\bslag(ing|en)\w*|\bslaag\w*",
    r"\breussi\w*",
    r"\bexito\w*",
    r"\bdata on\b",
    r"\bresponse rates?\b|\bresponders?\b|\brespond(s|ed)? (to|well)\b",
    # free of migraine, lasting effect
    r"\b(migraine|pain|headache|symptom|attack)[- ]free\b",
    r"\bfree (of|from) (migr|pain|headache|attack)\w*",
    r"\b(migrane|schmerz|beschwerde|symptom|kopfschmerz|anfall)s?frei\w*",
    r"\b(migraine|pijn|klachten|hoofdpijn)vrij\w*",
    r"\b(sin|sans|senza|sem|libre de|livre de|libero da|libera da) (migran\w*|jaqueca\w*|"
    r"dolor\w*|douleurs?|migraines?|crises|emicrani\w*|dor(es)?|enxaquec\w*)\b",
    r"\bpermanent(ly)? (fix|cure|solution|relief|result|answer|end)",
    r"\b(fix|cure|solution|relief|results?|effects?|benefits?) (be |is |are )?(permanent|"
    r"lasting|for good|forever)\b",
    r"\bfor good\b",
    r"\bforever\b",
    r"\blong[- ]?(term|lasting)\b",
    r"\bin the long run\b",
    r"\bwears? off\b|\bwore off\b|\bwearing off\b",
    r"\bfad(e|es|ed|ing)\b",
    r"\bkeeps? (on )?working\b|\bstops? working\b|\bstill work\w*",
    r"\b(migr\w*|headaches?|attacks?|pain|it|they|symptoms?) (will |would |to )?(come|comes|"
    r"coming|came) back\b",
    r"\bhow long (does|do|will|would|did) (the |its |it'?s |that )?(relief|effects?|results?|"
    r"benefits?|improvement)\b",
    r"\b(relief|effects?|results?|benefits?|improvement)\b.{0,40}\b(last|lasts|lasting|hold|"
    r"holds)\b",
    r"\bpara siempre\b|\bde por vida\b|\ba la larga\b|\ba largo plazo\b|\bdefinitivamente\b",
    r"\bpour (toujours|de bon)\b|\bdefinitivement\b|\b(sur le|a) long terme\b|\btien(t|nent|dra|"
    r"nen)?\b.{0,20}\b(temps|duree)\b|\bdans la duree\b|\bdurabl\w*",
    r"\bse mantien\w*|\bse mantem\b|\bsi mantien\w*|\bnel tempo\b|\bhalt\b.{0,15}\ban\b|"
    r"\banhalt\w*|\bhoudt\b.{0,15}\b(aan|stand)\b|\bblijft\b.{0,15}\bwerken\b",
    r"\b(tienn?ent|tient) combien de temps\b",
    r"\bfur immer\b|\bauf dauer\b|\bdauerhaft\w*|\blangfristig\w*|\bnachhaltig\w*",
    r"\b(kommt|kommen|komme)\b.{0,30}\bwieder\b|\bwiederkomm\w*",
    r"\bvoorgoed\b|\bblijvend\w*|\bop (de )?lange termijn\b",
    r"\bpara sempre\b|\bde vez\b|\ba longo prazo\b",
    r"\bper sempre\b|\ba lungo termine\b|\bnel lungo periodo\b",
    r"\b(effect|efecto|effet|effetto|efeito|alivio|sollievo|soulagement|verlichting)\b.{0,30}"
    r"\b(dura|durara|dure|duurt|blijft|durera|quanto|cuanto|combien)\b",
    r"\b(quanto|cuanto|combien|hoe lang|wie lange?)\b.{0,30}\b(alivio|sollievo|soulag\w*|"
    r"verlicht\w*|alivi\w*|allevi\w*|hilft|helpt)\b",
    r"\b(alivia|soulage|allevia|verlicht|lindert)\b.{0,20}\b(por |pendant |per |voor |fur )?"
    r"(quanto|cuanto|combien|hoe lang|wie lange?)\b",
    # worth it, verdicts, scams
    r"\bworth\b",
    r"\bany good\b",
    r"\bwaste of (money|time)\b|\bwasting (my |our )?(money|time)\b",
    r"\bsave (my|the|your) money\b",
    r"\bscam\w*",
    r"\blegit\w*",
    r"\bsnake ?oil\b",
    r"\bplacebo\w*",
    r"\bsham\b",
    r"\bquack\w*",
    r"\bmoney ?grab\b|\bcash ?grab\b|\bupsell\w*",
    r"\bhype\b|\bgimmick\w*",
    r"\b(or|o|ou|oder|of) (is it |es |c'est |is het |e |ist das )?(just |only |solo |juste |"
    r"nur |vooral |apenas |pura |puro |reiner? |pure )?(un |una |de la |du |een |uma )?"
    r"(marketing|publicidad|publicite|pub|werbung|reclame|propaganda|pubblicita|moda|mode|"
    r"hype|fashion)\b",
    r"\bvale(n)? la pena\b|\bmerece(n)? la pena\b|\bvale(n)? (el|lo que)\b.{0,12}\b(precio|"
    r"dinero|cuesta)\b",
    r"\b(dinero|plata) (tirado|perdido)\b|\bperdida de (tiempo|dinero)\b|\btirar el dinero\b",
    r"\btimo\b|\bestafa\w*|\bcuento\b|\bcharlatan\w*",
    r"\bva(u|ut|lent)(-il)?\b.{0,12}\b(coup|peine)\b|\bvaut(-il)? mieux\b",
    r"\barnaque\w*|\bpipeau\b|\bfumisterie\b|\bbidon\b|\bcredible\b",
    r"\bargent (jete|perdu)\b|\bperte de (temps|argent)\b",
    r"\blohn(t|en)\b",
    r"\b(sein|ihr|das) geld wert\b|\bgeld sparen\b|\bgeldverschwendung\b|\babzocke\w*|"
    r"\bgeldmacherei\b|\bhokuspokus\b|\bscharlatan\w*|\bunserios\w*",
    r"\bmoeite waard\b|\bweggegooid(e)? geld\b|\bgeldverspilling\b|\bkwakzalver\w*|"
    r"\boplichterij\b|\bzinvol\w*|\bzin (heeft|hebben)\b|\bheeft (dat|het) zin\b|\bverspil\w*",
    r"\bvale(m)? a pena\b|\bvale(m)? o (preco|dinheiro)\b|\bgolpe\b|\benganacao\b|"
    r"\bperda de (tempo|dinheiro)\b|\bdinheiro jogado\b",
    r"\bvale(ndo)? (i soldi|il prezzo)\b|\btruffa\w*|\bbufala\b|\bspreco di (soldi|tempo)\b|"
    r"\bsoldi buttati\b|\bciarlatan\w*",
    # evidence
    r"\bproo?f\b|\bproven\b|\bunproven\b",
    r"\bevidence\b",
    r"\b(stud(y|ies)|trials?|research|reviews?|meta-?analys\w*|data)\b.{0,40}\b(show\w*|"
    r"find|found|say|says|prove\w*|report\w*|conclude\w*|suggest\w*|support\w*)\b",
    r"\b(what|wat|was|que|qu'|o que|cosa) (do|does|dicen|disent|zeggen|sagen|dizem|dicono)"
    r"\b.{0,15}\b(stud\w*|estudios|etudes|studien|onderzoek\w*|estudos|studi)\b",
    r"\b(in|en|dans|nos|negli|nei|im) (the |los |las |les |den |de |die |gli )?(stud(y|ies)|"
    r"trials?|research|estudios?|etudes?|studien|studie|onderzoek\w*|estudos?|studi|ricerche|"
    r"essais?|ensayos?)\b",
    r"\bhold(s)? up\b|\bas good as\b|\bhow good\b|\bgame[- ]?chang\w*|\blife[- ]?chang\w*|"
    r"\bregret\w*|\bsatisf\w*|\bzufrieden\w*|\btevreden\w*|\bsoddisfatt\w*|"
    r"\bscien(ce|tific)\w*|\bhappy (with|after) (the |their |my )?(result|surgery|op|"
    r"operation|procedure|outcome)\w*",
    r"\brandomi[sz]ed\b|\b(been |ever |properly |rigorously )tested\b",
    r"\bbacked by\b|\bscientific\w*",
    r"\bpruebas?\b|\bprouve\w*|\bpreuves?\b|\bbelegt?\b|\bbewiesen\b|\bnachgewiesen\b|"
    r"\bbewez\w*|\bbewijs\w*|\bcomprova\w*|\bprovad[oa]\b|\bdimostrat\w*|\bprovat[oa]\b",
    # outcomes, chances, rates, how many people
    r"\bresults?\b",
    r"\boutcomes?\b",
    r"\bresultad\w*|\bresultat\w*|\bergebnis\w*|\bresultaten\b|\brisultat\w*",
    r"\brelief\b(?! cent)",
    r"\balivio\b|\bsoulagement\b|\blinderung\b|\bverlichting\b|\bsollievo\b",
    r"\bbenefi\w*",
    r"\bhow (well|effective|much better|much relief)\b",
    r"\bhow many\b.{0,40}\b(improve\w*|better|relief|free|cured|respond\w*|success\w*|"
    r"fewer|less)\b",
    r"\b(cuant[oa]s|combien|wie ?viel\w*|hoeveel|quant[oa]s|quant[ie]|quante)\b.{0,50}"
    r"\b(menos|moins|weniger|minder|a menos|in meno|de moins|mejor\w*|mieux|besser|beter|"
    r"melhor\w*|meglio|curad\w*|gueri\w*|geheilt|genezen|guarit\w*|libres?|sans|frei|vrij|"
    r"livres?|liberi|beschwerdefrei|schmerzfrei|migranefrei)\b",
    r"\bis (that|it|this) (true|real|realistic|legit|for real)\b",
    r"\brealistic\b",
    # comparisons
    r"\bbetter (than|at)\b|\bworks? better\b|\bany better\b|\bbetter results?\b|\bhelps? more\b",
    r"\b(which|what)( one)? (is|works|helps|gives|has)\b.{0,25}\b(better|best|more|most)\b"
    r"(?! (hospital|clinic|surgeon|doctor|place|city|country|center|centre|time|age|way)s?\b)",
    r"\bmore effective\b",
    r"\bcompar\w*",
    r"\bvs\.?\b|\bversus\b",
    r"\b(makes?|made|making) (a |any |no |much |real |the )?difference\b",
    r"\b(mejor|mieux|besser|beter|melhor|meglio)\b.{0,40}\b(que|qu'|als|dan|do que|di|del|"
    r"della|che)\b",
    r"\b(mas|menos) (eficaz|efectiv\w*)\b|\bmejor(es)? (que|resultados?)\b|\bcual\b.{0,30}"
    r"\bmejor\b",
    r"\bmieux (que|qu')\b|\ble mieux\b|\bplus efficace\b",
    r"\bbesser (als|wirk\w*|hilft)\b|\bzuverlassig\w*|\b(macht|machen|gemacht)\b.{0,25}"
    r"\bunterschied\b",
    r"\bbeter (dan|werkt|helpt)\b|\b(maakt|maken|gemaakt)\b.{0,25}\bverschil\b|\bverschil\b"
    r".{0,25}\b(maakt|maken|gemaakt)\b",
    r"\bmelhor (que|do que)\b|\bmais eficaz\b|\bqual\b.{0,30}\bmelhor\b",
    r"\bmeglio (di|del|dello|della|che)\b|\bpiu efficace\b|\bqual\w*\b.{0,30}\bmeglio\b",
)

# Quantities (chances, odds, percentages, how many people): efficacy unless what is counted is a
# risk ("what percentage get an infection?") with no benefit named in the question.
_QUANTITY = _rx(
    r"\bchances?\b(?!.{0,25}\b" + _RISK_NOUN + r")",
    r"\bodds\b(?!.{0,25}\b" + _RISK_NOUN + r")",
    r"\blikel(y|ihood)\b(?!.{0,30}\b" + _RISK_NOUN + r")",
    r"\bprobabil\w*(?!.{0,25}\b" + _RISK_NOUN + r")",
    r"\bkans(en)?\b(?! op (een |de )?" + _RISK_NOUN + r")",
    r"\b(wahrscheinlich\w*|aussichten)\b(?!.{0,25}\b" + _RISK_NOUN + r")",
    r"\bpercent(age)?\b|\bporcentaje\b|\bpourcentage\b|\bprozent\w*|\bprocent\w*|"
    r"\bpercentual\w*|\bporcentagem\b|\bpor cento\b",
    r"\d+ ?%(?!.{0,25}\b" + _RISK_NOUN + r")",
    r"\bhow (many|much) (people|patients|of them|folks|fewer|less|better|of a difference)\b",
)
_RISK_TEXT = re.compile(r"\b" + _RISK_NOUN)
_BENEFIT = _rx(
    r"\b(better|improv\w*|relief|free|cured?|work\w*|help\w*|success\w*|effective\w*|"
    r"benefit\w*|fewer|less|mejor\w*|mieux|besser\w*|beter|melhor\w*|meglio|funciona\w*|"
    r"marche|wirkt|werkt|funziona\w*|sirve|ayuda|aide|hilft|helpt|ajuda|aiuta|libres?|frei|"
    r"vrij|livres?|liberi)\b",
)
# Aftercare and risks ("how can I reduce the swelling?", "can I prevent an infection?"): an effect
# on these, with no migraine, headache or attack named, is not about the treatment's efficacy.
_AFTERCARE = _rx(
    r"\b(swelling|swollen|bruis\w*|scar|scars|scarring|infect\w*|bleeding|numbness|itch\w*|"
    r"stitches|wound|incision|complications?|side effects?|hair loss|dressing)\b",
    r"\b(hinchazon|hinchad\w*|moraton\w*|hematoma\w*|cicatriz\w*|infecci\w*|sangrado|"
    r"entumecimiento|picor|herida|complicaci\w*|efectos secundarios)\b",
    r"\b(gonflement|oedeme|bleus?|ecchymose\w*|hematome\w*|cicatrice\w*|saignement\w*|"
    r"engourdissement|demangeaison\w*|plaie|effets secondaires)\b",
    r"\b(schwellung\w*|geschwollen|bluterguss\w*|hamatom\w*|narbe\w*|infektion\w*|"
    r"entzundung|blutung\w*|taubheit\w*|juckreiz|wunde|komplikation\w*|nebenwirkung\w*)\b",
    r"\b(zwelling\w*|blauwe plek\w*|hematoom|litteken\w*|infectie\w*|ontsteking|bloeding\w*|"
    r"jeuk|wond|complicatie\w*|bijwerking\w*)\b",
    r"\b(inchaco|inchad\w*|roxo|cicatriz\w*|infeccao|sangramento|dormencia|coceira|ferida|"
    r"complicac\w*|efeitos colaterais)\b",
    r"\b(gonfiore|gonfi\w*|livid\w*|ematoma\w*|cicatric\w*|infezion\w*|sanguinament\w*|"
    r"intorpidiment\w*|prurito|ferita|complicanz\w*|effetti collaterali)\b",
)

# ---- weak signals: efficacy unless the question is about mechanism, timing, a job or a symptom ---
# Effects on the illness: work, help, treat, cure, relieve, prevent, reduce, stop, end, ease, fix,
# get rid of, improve, in seven languages.
_WEAK = _rx(
    r"\bwork(s|ed|ing)?\b",
    r"\bhelp(s|ed|ing)?\b",
    r"\bdo(es|ing)?( it| that| this| they)? (anything|something|much|a thing|nothing)\b",
    r"\b(did|does|do) (nothing|little)\b",
    r"\bfix(es|ed|ing)?\b",
    r"\b(treat|treats|treated|treating)\b",
    r"\b(reliev|eas|sooth)(e|es|ed|ing)\b",
    r"\bcur(e|es|ed|ing)\b",
    r"\bheal\w* (me\b|(my |the )?(migr|headache))",
    r"\bprevent\w*",
    r"\b(stop|stops|stopped|kill|kills|abort|aborts|halt|banish|eliminat\w*|knock(s)? out|"
    r"shorten\w*|space(s)? out|beat|beats|conquer\w*|tame|tames)\b(?! (taking|using|eating|"
    r"drinking|smoking|by|at|for|in)\b)(?! (my |the |your |all )?(meds|medication\w*|medicine\w*|"
    r"pills|tablets|triptans?|drugs|aspirin|blood thinners|anticoagulants|contraceptive\w*)\b)",
    r"\b(end|ends|ended|control|controls|manage|manages|sort(s)? out|sorted)\b.{0,20}\b" + _TARGET,
    r"\b(fail|fails|failed|failing|failure|failures)\b(?<!(heart|liver) failure)",
    r"\bstill (get|have|getting|having|suffer\w*)\b.{0,20}\b" + _TARGET,
    r"\b(feel|feeling|be|get|getting) (any |much |a lot )?(better|well again)\b",
    r"\b" + _TARGET + r"\b.{0,25}\b(be |are |is |been )?(gone|over|history|a thing of the past|"
    r"disappear\w*)\b",
    r"\b(change|changes|changed) (anything|something|much|a lot|my life)\b|\bmake (a |any )?"
    r"change\b",
    r"\b(can|could|be able to|will|would)( i| we| you)? (stop|come off|get off|quit|drop|cut down"
    r"( on)?)( taking)? (my |the |all )?(pain )?(meds|medication\w*|medicine\w*|pills|painkillers|"
    r"triptans?)\b",
    r"\b(be|come|get|go|going|coming|getting) off (my |the |all )?(pain |migraine |headache )?"
    r"(meds|medications?|medicines?|pills|painkillers|triptans?)\b|\b(less|fewer) (pain )?"
    r"(meds|medications?|pills|painkillers|triptans?)\b",
    r"\b(replace|remplac\w*|sustitu\w*|reemplaz\w*|ersetz\w*|vervang\w*|substitu\w*|"
    r"sostitui\w*)\b.{0,30}\b(treatment|traitement|tratamiento|behandlung|behandeling|"
    r"tratamento|trattamento|meds|medica\w*|medikament\w*|farmac\w*|pills?|botox|triptan\w*)",
    r"\b(experience\w*|erfahrung\w*|experiencia\w*|ervaring\w*|esperienz\w*)\b.{0,12}"
    r"\b(with|mit|con|avec|met|com)\b",
    r"\bany (use|point|benefit|difference|effect)\b|\bof (any |much )?use\b|\bpoint in\b|"
    r"\b(luck|joy) with\b|\bdo what (it|they|the \w+) (claims?|says?|promises?)\b|"
    r"\blive up to\b|\bas advertised\b|\blose (its|their|the) (effect|power)\b|"
    r"\bless (often|frequent\w*|severe|intense)\b|\b(rarer|less frequent)\b",
    r"\bget rid of\b|\bbe rid of\b|\bfree me of\b|\btakes? (away|the edge off)\b",
    r"\b(be|been|being|get|got|gets|getting) (managed|controlled|treated|cured|prevented|relieved|"
    r"helped|stopped|fixed|reduced|improved|eased|resolved)\b",
    r"\bgo(es)? away\b|\bclear(s)? (up|it up)\b|\bpay off\b|\bsucceed\w*",
    r"\b(how long|hoe lang|wie lange?|cuanto tiempo|combien de temps|quanto tempo|per quanto)\b"
    r".{0,30}\b(effect\w*|efecto|effet|effetto|efeito|wirkung|relief|alivio|soulagement|"
    r"verlichting|sollievo)\b",
    r"\bimprov(e|es|ed|ing|ement|ements)\b|\bget(s|ting)? better\b",
    r"\b(reduc|decreas|lessen|lower)\w*\b(?!.{0,25}\b(risk|swelling|scar\w*|bruis\w*|infect\w*|"
    r"bleed\w*|costs?|price|dose|dosage|blood pressure)\b)",
    r"\bcut(s|ting)? (down|back)\b|\bcut\b.{0,15}\b(days?|attacks?|migr\w*|headaches?|"
    r"frequency)\b",
    r"\bfewer\b|\bless (often|frequent|severe|pain|migr\w*|headache\w*|attacks?)\b",
    r"\b(lower|shorter|milder|rarer)\b.{0,20}\b" + _TARGET,
    r"\b(days?|attacks?|migraines?|headaches?|pain) (drop|fall|go down|decline)",
    # Spanish
    r"\b(funcion|sirv|serv(ir|iria)|ayud|aliv|quit|calm|arregl|solucion|resuelv|elimin|previen|"
    r"prevenir|cur(a|an|ar|ara|aria|ado|ada)\b|mejor(a|an|e|en|ara|aria|ado|ar|ia)\b|disminu|"
    r"reduc(e|en|ir|ira|iria|iran|ido|ida)\b)\w*",
    r"\bhac(e|en|er|iendo) efecto\b|\b(sigue|siguen|seguira) (funcionando|sirviendo)\b|"
    r"\bdesaparec\w*|\bcompensa\w*|\btiene sentido\b|\bmenos (frecuentes|fuertes|intens\w*)\b|"
    r"\bda(n)? resultado\w*|\b(acab\w*|termin\w*) con\b|\bme (iria|ira|va a ir) bien\b|"
    r"\ble (suele )?(ir|va) bien\b|\bmenos (crisis|ataques|migran\w*|dolor\w*|dias|jaquecas?)\b",
    # French
    r"\b(marche|marcher|marchera|marcherait|fonctionn\w*|aide\w*|aider|soign\w*|soulag\w*|"
    r"calme\w*|supprim\w*|enlev\w*|sert|servir|"
    r"preven\w*|agit sur|efface\w*|gueri\w*|guerir|amelior\w*|diminu\w*|"
    r"redui\w*|baisser|espacer)\b",
    r"\b(va|vont|aller|irai|irais|sentir|sens|sentent) mieux\b|\bdispar(ai|ue|a)\w*|"
    r"\ba-t-il un sens\b|"
    r"\b(fait|fera|ferait|faire) (disparaitre|partir|baisser|passer|du bien|effet|quelque chose)\b|"
    r"\bmoins (de |souvent|fort|frequent)\w*",
    # German
    r"\b(hilft|helfen|hilfe bei|geholfen|wirkt|wirken|gewirkt|lindert|lindern|beugt|vorbeug\w*|"
    r"taugt|taugen|nutzt|nutzen|klappt|klappen|geklappt|anschlag\w*|"
    r"schlagt|schlagen|heilt|heilen|heilung|weg(gehen|geht|bekommen|machen|kriegen)|besser\w*|"
    r"verbesser\w*|verringer\w*|reduzier\w*|weniger|senkt|senken|beseitig\w*|los ?(zu)?werden|"
    r"verschwind\w*|verschwunden|weg (sein|ist|sind)|geht\b.{0,25}\bweg|"
    r"seltener|sinn)\b",
    r"\bbring(t|en)\b.{0,40}\b(was|etwas|nichts|viel|uberhaupt)\b|\b(was|etwas|nichts|viel)"
    r"\b.{0,15}\b(gebracht|bringt|bringen)\b",
    # Dutch
    r"\b(helpt|helpen|geholpen|werkt|werkte|werkten|werken|gewerkt|verlicht|voorkomt|voorkomen|geneest|genezen|"
    r"oplossen|aanslaat|aanslaan|baat|beter|verbeter\w*|verminder\w*|kwijt\w*|zin|verdwijn\w*|verdwenen)\b|"
    r"\bgaat\b.{0,30}\bweg\b|\b(heeft|hebben|had) (\w+ )?effect\b|\blost\b.{0,40}\bop\b|"
    r"\bslaat\b.{0,15}\baan\b|\bdoet (dat|het|die|dit)\b.{0,10}\biets\b|\bminder (aanval|"
    r"migraine|hoofdpijn|pijn|vaak|dag|erg)\w*",
    # Portuguese
    r"\b(funciona\w*|ajud\w*|resolv\w*|aliv\w*|previn\w*|prevenir|tira|tirar|cortar|corta|parar|"
    r"acabar|acaba|cura|curar|curou|melhor(a|am|ar|ou|aria)|reduz\w*|diminu\w*)\b",
    r"\bserv(e|em|iria|ir) (pra|para|pro|de algo|a alguem)\b|\b(da|de|dar|deu|dara|daria) "
    r"certo\b|\bmenos (crises|ataques|dor|dias|enxaquecas?)\b|\b(ficar|sentir|estar|fico|ficam|"
    r"fica) melhor\b|\bfa(z|zem|zer|ria) efeito\b|\bsum(ir|iu|ira|em)\b|"
    r"\btem sentido\b|\bcompensa\b",
    # Italian
    r"\b(funziona\w*|aiut\w*|allevi\w*|previen\w*|prevenir\w*|toglie\w*|togli\w*|risolv\w*|"
    r"guari\w*|cura(re|rla|rmi)?|miglior\w*|ridu(ce|rre|ca|cono|rrebbe|zione)\w*|ridott\w*|diminui\w*)\b",
    r"\bserv(e|ono|irebbe) (a|per|contro|davvero|anche|qualcosa)\b|\bserv(e|em|ono|irebbe)"
    r"( davvero| mesmo| a qualcosa| pra algo)?\s*\?",
    r"\b(stare|sentirsi|sentirmi|sto|sta|stai|starai|staro|stanno|star) meglio\b|"
    r"\bspar(ire|isce|iscono|ita)\b|"
    r"\bscompar\w*|\bha senso\b|"
    r"\bfa(nno)? effetto\b|\bfa (qualcosa|niente|bene)\b|\bin meno\b|\bmeno (crisi|attacchi|"
    r"dolore|giorni|emicrani\w*)\b",
)

# ---- vetoes of the weak signals (and of the classifier) ------------------------------------------
_MECHANISM = _rx(
    r"\bhow (does|do|did|would|will|is|are|exactly does|exactly do) (?!(i|we)\b)(?!(you|they) "
    r"(know|tell|find|decide)\b)(?!.{0,60}\b(well|much|often|long|compar\w*|likely|better|for "
    r"(me|people|someone|patients))\b)",
    r"\bwhat (does|do)\b.{0,40}\b(do|does)\b.{0,20}\b(to|in|on|with) (the |my |your )?"
    r"(body|brain|nerves?|cells?|system|muscles?)\b",
    r"\bmechanism\w*|\bhow it works\b|\bthe way it works\b|\bworks? by\b",
    r"\bcomo (?!(de bien|bien)\b).{0,30}\b(funciona\w*|actua\w*|age|agem|atua\w*|quita|alivia|"
    r"bloquea|trabaja)\b",
    r"\bcomment (?!(bien)\b).{0,30}\b(marche|fonctionne\w*|agit|agissent|soulage)\b",
    r"\bwie (?!(gut|lange?|schnell|stark|oft|viel|sehr|zuverlassig)\b).{0,20}\b(funktionier\w*|"
    r"wirkt|wirken)\b",
    r"\bwas (macht|bewirkt)\b.{0,40}\b(an|mit|in|im)\b",
    r"\bhoe (?!(goed|lang|snel|vaak|groot|veel)\b).{0,20}\b(werkt|werken|helpt)\b",
    r"\bcome (?!(bene)\b).{0,30}\b(funziona\w*|agisce|agiscono|toglie)\b",
    r"\b(cosa|che cosa) fa\b.{0,40}\b(al|sul|ai|sui|nel|nei)\b",
    r"\bque (fait|hace|faz)\b.{0,40}\b(au|al|ao|na|no|dans|en el)\b",
)
_ONSET_TIMING = _rx(
    r"\bhow (long|quickly|fast|soon)\b.{0,40}\b(take|takes|taking|until|before|till|to)\b.{0,25}"
    r"\b(work|working|kick|effect|help|start)",
    r"\b(how soon|how quickly|how fast)\b.{0,40}\b(work|working|kick in|effect|start)",
    r"\b(start|starts|begin|begins)\b.{0,10}\b(work|working|to work|helping)\b",
    r"\bkick(s)? in\b",
    r"\bcuanto (tarda|tiempo tarda|demora)\b",
    r"\b(combien de temps|au bout de combien|a quelle vitesse|rapidement)\b.{0,40}\b(effet|agir|"
    r"agit|marche|fonctionne|soulage)",
    r"\bwie (schnell|bald|rasch)\b.{0,30}\b(wirkt|wirken|hilft|helfen|wirkung)\b",
    r"\bhoe (snel|gauw|vlug)\b.{0,30}\b(werkt|werken|helpt|effect)\b",
    r"\b(que tan rapido|con que rapidez|quao rapido|em quanto tempo|quanto velocemente|"
    r"in quanto tempo|dopo quanto)\b.{0,30}\b(funciona|efecto|efeito|effetto|funziona|alivia|"
    r"allevia|ajuda|aiuta)",
    r"\btarda\w*\b.{0,25}\b(efecto|funcionar|hacer)\b",
    r"\b(combien de temps|au bout de combien)\b.{0,30}\b(pour|avant|met|mettre|faut)\b.{0,25}"
    r"\b(agir|effet|marcher|fonctionner)\b",
    r"\b(wie lange|wann)\b.{0,30}\b(dauert|bis)\b.{0,30}\b(wirkt|wirkung|hilft)\b",
    r"\bhoe (lang|snel)\b.{0,30}\b(duurt|voordat|voor)\b.{0,30}\b(werkt|effect|helpt)\b",
    r"\bquanto tempo\b.{0,30}\b(demora|leva|ci vuole|ci mette)\b.{0,30}\b(efeito|effetto|"
    r"funcionar|funzionare)\b",
    r"\b(demora|ci mette|impiega)\b.{0,20}\b(fazer efeito|fare effetto|funzionare|funcionar)\b",
)
# Phrases taken out before the weak signals are read: work as a job, help as assistance.
_JOB = _rx(
    r"\b(i|we|you|he|she|they) (work|works|worked)\b(?! (for|on) (me|my|migr\w*|headache\w*))",
    r"\b(back|go|going|get|return\w*|off|at|from|miss|missing|after|before|of|with) "
    r"(to )?work\b(?! (for|on) (me|my|migr\w*|headache\w*|people|someone))",
    r"\bwork (again|nights?|days?|shifts?|from home|schedule|full[- ]time|part[- ]time)\b",
    r"\bmy (work|job)\b|\bat my job\b",
    r"\bworks? (its|their) way\b",
    r"\b(can|could|should) (you|u|someone) help( me)?\b|\bhelp me (understand|find|with|"
    r"decide|choose|figure|out|please)\b|\b(how much|need|any|some|extra|more) help\b",
    r"\b(test|mri|scan|blood|lab|biopsy|ct|x-ray) results?\b|\b(insurance|health|plan|employee|"
    r"disability) benefits\b",
)
_SYMPTOM = _rx(
    # A symptom described, then "is that normal?" or "should I see a doctor?"
    r"\b(normal\w*|usual|common|gewohnlich|normaal|hoort dat erbij|moet ik\b.{0,20}\b(dokter|"
    r"huisarts|arts)|see a doctor|go to the (doctor|er|hospital))\b",
)
_SYMPTOM_NEGATION = _rx(
    r"\b(nothing|none|no (painkiller|pill|medic\w*|drug)|won'?t|doesn'?t|does not|will not|"
    r"isn'?t|didn'?t|did not|hasn'?t|haven'?t|has not|have not|not (going|helping|working|"
    r"stopping|helped|worked)|never)\b",
    r"\b(nada|ningun\w*|no se|no me|no (se )?(quita|pasa|va))\b",
    r"\b(rien|aucun\w*|ne (passe|part|s'en va)|pas)\b",
    r"\b(nichts|kein\w*|nicht|geht nicht weg)\b",
    r"\b(niets|geen|niet|gaat\b.{0,20}\bniet weg)\b",
    r"\b(nada|nenhum\w*|nao (passa|melhora))\b",
    r"\b(niente|nessun\w*|non (mi )?passa|non)\b",
)
_DEFINITION = _rx(
    r"\b(difference|unterschied|verschil|diferencia|diferenca|differenza)\b.{0,12}\b(between|"
    r"zwischen|tussen|entre|tra|fra)\b",
    r"\bwhat (does|do|is meant by)\b.{0,40}\b(mean|means|stand for)\b",
    r"\b(que|qu'est-ce que|o que)\b.{0,10}\b(quiere decir|significa|veut dire|signifie|quer dizer)"
    r"\b",
    r"\b(was bedeutet|was heisst|wat betekent|wat wil\b.{0,15}\bzeggen|cosa (significa|vuol dire)|"
    r"che cosa (significa|vuol dire))\b",
)
# Words that name a treatment in general: a comparison or a verdict needs no named procedure.
_FOLLOW_ON = re.compile(
    r"^\s*(and|what about|how about|also|y|et|und|en|e|ou|o|ma|mais|pero|aber|maar|mas)\b",
    re.IGNORECASE,
)
_CREDIBILITY = _rx(
    r"\b(is|was) (that|it|this|any of (that|it|this)) (true|real|right|correct|accurate|"
    r"believable|credible|serious|realistic)\b",
    r"\b(true|real|believable|credible)\?",
    r"\b(es|eso es|esto es) (verdad|cierto|real|serio|creible)\b|\bes verdad\b|\beso es cierto\b",
    r"\bc'est (vrai|credible|serieux|reel)\b|\bc'est credible\b",
    r"\b(stimmt das|ist das (wahr|serios|realistisch|glaubwurdig))\b",
    r"\b(klopt (dat|het)|is (dat|het) (waar|echt|realistisch|betrouwbaar))\b",
    r"\b(e|isso e) (verdade|real|serio|confiavel)\b|\be verdade\b",
    r"\b(e vero|e (una )?cosa seria|e credibile|e realistico)\b",
)

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


@dataclass(frozen=True)
class Signals:
    """What the rules saw in one piece of text."""

    strong: bool
    weak: bool
    mechanism: bool
    timing: bool
    job: bool
    symptom: bool
    definition: bool
    aftercare: bool = False

    @property
    def vetoed(self) -> bool:
        """The weak signals (and the classifier) do not count."""
        return (
            self.mechanism
            or self.timing
            or self.job
            or self.symptom
            or self.definition
            or self.aftercare
        )

    @property
    def efficacy(self) -> bool:
        if self.definition:
            return False
        return self.strong or (self.weak and not self.vetoed)


def _strip_vetoed(folded: str) -> str:
    """The text without job and helper phrases ("back to work", "can you help me")."""
    return _JOB.sub(" ", folded)


def signals(text: str) -> Signals:
    """The rule signals of one piece of text."""
    folded = normalise(text)
    without_job = _strip_vetoed(folded)
    weak = bool(_WEAK.search(without_job))
    symptom = bool(
        _SYMPTOM.search(folded)
        and _SYMPTOM_NEGATION.search(folded)
        and _SYMPTOM_BODY.search(folded)
    )
    risk_only = bool(_RISK_TEXT.search(without_job)) and not _BENEFIT.search(without_job)
    quantity = bool(_QUANTITY.search(without_job)) and not risk_only
    target = bool(_TARGET_WORD.search(folded)) or bool(_GENERAL_EFFECT.search(without_job))
    return Signals(
        strong=bool(_STRONG.search(without_job)) or quantity,
        weak=weak,
        mechanism=bool(_MECHANISM.search(folded)),
        timing=bool(_ONSET_TIMING.search(folded)),
        job=bool(_JOB.search(folded)) and not weak,
        symptom=symptom,
        definition=bool(_DEFINITION.search(folded)),
        aftercare=bool(_AFTERCARE.search(folded)) and not target,
    )


def is_efficacy_text(text: str) -> bool:
    """Whether one piece of text asks about efficacy, by the rules alone."""
    return signals(text).efficacy


def is_credibility_question(text: str) -> bool:
    """ "Is that true?", "c'est crédible ?": efficacy when it follows an efficacy claim."""
    return bool(_CREDIBILITY.search(normalise(text)))


def states_outcomes(answer_text: str) -> bool:
    """Whether an answer states outcomes (rates, relief, cure, improvement)."""
    return bool(_OUTCOME_CLAIM.search(fold(answer_text)))


# ---- the learned classifier ----------------------------------------------------------------------
@dataclass(frozen=True)
class EfficacyClassifier:
    """Logistic regression over a unit-length query embedding."""

    weights: np.ndarray
    bias: float
    threshold: float
    model_prefix: str
    dimension: int
    meta: dict[str, Any]

    @classmethod
    def load(cls, path: Path = CLASSIFIER_FILE) -> EfficacyClassifier | None:
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = np.asarray(data["weights"], dtype=np.float32)
        return cls(
            weights=weights,
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            model_prefix=str(data["model_prefix"]),
            dimension=int(weights.shape[0]),
            meta={k: v for k, v in data.items() if k not in ("weights", "bias")},
        )

    def accepts(self, model_id: str | None, vector: Any) -> bool:
        """Whether the vector comes from the model the classifier was trained on."""
        if vector is None:
            return False
        shape = getattr(vector, "shape", None)
        if shape is None or shape[-1] != self.dimension:
            return False
        return model_id is None or model_id.startswith(self.model_prefix)

    def probability(self, vector: Any) -> float:
        v = np.asarray(vector, dtype=np.float32).reshape(-1)
        z = float(v @ self.weights) + self.bias
        return float(1.0 / (1.0 + np.exp(-z)))


@lru_cache(maxsize=1)
def default_classifier() -> EfficacyClassifier | None:
    return EfficacyClassifier.load()


def classifier_text(standalone: str, expand: Any = None) -> str:
    """The text whose embedding the classifier reads: the retriever's dense query."""
    return expand(standalone) if expand else standalone


class EfficacyDetector:
    """Flags efficacy questions, including follow-ups that inherit the topic of the conversation.

    ``vector`` is the embedding of the retriever's query (the standalone question, expanded);
    ``model_id`` names the model that made it. Without a vector the rules decide alone.
    """

    def __init__(self, classifier: EfficacyClassifier | bool | None = True) -> None:
        if classifier is True:
            self.classifier: EfficacyClassifier | None = default_classifier()
        elif classifier is False:
            self.classifier = None
        else:
            self.classifier = classifier  # type: ignore[assignment]

    def rules(self, question: str, standalone: str, history: Sequence[Turn] = ()) -> bool:
        """The decision of the rules alone."""
        own = signals(question)
        if own.efficacy or (standalone != question and signals(standalone).efficacy):
            return True
        if own.definition:
            return False
        users = [t.content for t in reversed(history) if t.role == "user"]
        last_user = users[0] if users else None
        if not last_user:
            return False
        before = signals(last_user)
        # "Is that true?" / "c'est crédible ?" after a claim about results.
        if is_credibility_question(question) and (before.strong or before.weak):
            return True
        # "And fat transfer?" after "Does the M.I.G.O.N.E. procedure work?" asks the same thing.
        short = len(question.split()) <= 6
        return bool(short and _FOLLOW_ON.search(fold(question)) and before.efficacy)

    def score(self, vector: Any, model_id: str | None = None) -> float | None:
        """The classifier's probability, or None when it cannot read this vector."""
        if self.classifier is None or not self.classifier.accepts(model_id, vector):
            return None
        return self.classifier.probability(vector)

    def detect(
        self,
        question: str,
        standalone: str,
        history: Sequence[Turn] = (),
        vector: Any = None,
        model_id: str | None = None,
    ) -> bool:
        if self.rules(question, standalone, history):
            return True
        probability = self.score(vector, model_id)
        if probability is None or probability < self.classifier.threshold:  # type: ignore[union-attr]
            return False
        own = signals(question)
        return not (own.vetoed or signals(standalone).vetoed)
