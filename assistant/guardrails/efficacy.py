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
2. A small logistic-regression classifier over the question's embedding (the 384-d
   all-MiniLM-L6-v2 vector the retriever already computes) catches wordings the rules do not
   know. Its weights ship in ``data/efficacy_classifier.json`` and are trained by
   ``scripts/train_efficacy_classifier.py``. Mechanism, timing, job and definition questions
   veto it too.

Follow-ups count: "and does it work?" is caught on its own wording; a credibility question
("is that true?", "c'est crédible ?") or "would I get the same?" after an efficacy claim, and a
short "and fat transfer?" after an efficacy question, inherit the topic of the conversation.
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
    r"(migr\w*|headaches?|head ?aches?|attacks?|pain|episodes?|jaquecas?|dolor\w*|crisis|attacc\w*|"
    r"attacke\w*|"
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
    r"duele|doi|weh|throbb\w*|latej\w*|latido\w*|lancinan\w*|pochend\w*|bonzend\w*|pulsante|"
    r"temples?|sien|sienes|tempes?|schlafen?|slaap|slapen|temporas?|tempie?|nuca|nuque|nacken|nek|"
    r"collo|cuello|pescoco|neck|eyes?|ojos?|yeux|oeil|augen?|ogen|oog|olhos?|occhi?)\b"
)
# Unfavourable outcomes: "chances of an infection" asks about risk, not efficacy.
_RISK_NOUN = (
    r"(infect\w*|infekt\w*|infecc\w*|infezion\w*|infec\w*|complica\w*|komplikation\w*|"
    r"side[- ]effects?|bijwerking\w*|nebenwirkung\w*|effets? secondaires?|efectos? secundarios?|"
    r"effetti collaterali|efeitos? colaterais|bleed\w*|sangr\w*|saign\w*|blutung\w*|bloeding\w*|"
    r"sanguin\w*|scar\w*|cicatri\w*|narbe\w*|litteken\w*|rejection|rechazo|addict\w*|"
    r"dependen\w*|verslav\w*|abhangig\w*|stroke|ictus|avc|schlaganfall|beroerte|death|muerte|"
    r"deces|tod|overlijden|morte|lead (migration|movement)|move|bouger|moverse|verrutsch\w*|"
    r"inherit\w*|hered\w*|heredit\w*|genetic\w*|genetisch\w*|genetiq\w*|genetic\w*|erb(t|en|"
    r"lich\w*)|"
    r"vererb\w*|erfelijk\w*|erf(t|en)|herd(a|ar|am|e|ou)\w*|eredit\w*|ereditar\w*|transmet\w*|"
    r"passes? (it |them )?on|pass(ing)? (it |them )?on)"
)

# ---- strong signals: efficacy whatever else the question says ----------------------------------
# Outcomes (success, results, chances, relief, free of migraine, lasting effect), verdicts (worth
# it, any good, scam), comparisons and evidence.
_STRONG = _rx(
    # success, efficacy, effectiveness
    r"(?<!\be )\bsuc+e?s+(o|ful\w*|es|vol\w*|rates?)?\b",
    r"\bef+[ei]c+?t[iy]v\w*",
    r"\beffecti[ev]\w*|\beffektiv\w*",
    r"\b(happy|content|contente?s?|contentos?|contentas?|contenti|contente|blij|froh|gluckli\w*|"
    r"feliz\w*|felice|felici)\b.{0,12}\b(with|after|con|despues|avec|apres|de|mit|nach|met|na|com|"
    r"depois|di|dopo)\b",
    r"\bwie (gut|stark|zuverlassig) (wirkt|hilft|funktioniert|wirken|helfen)\b|\bhoe goed (werkt|"
    r"helpt)\b|"
    r"\b(que tan|cuan|quao|quanto) (bien|bem|bene) (funciona|ajuda|serve|funziona|aiuta)\w*",
    # useless, regret, evidence in every language
    r"\b(useless|pointless|no use|inutil\w*|nutzlos\w*|sinnlos\w*|nutteloos\w*|zinloos\w*|"
    r"inutile\w*)\b|\b(sert|servira|servirait) (a|a quelque chose|a rien)\b|\bno sirve (de|"
    r"para) nada\b|"
    r"\bnao serve (de|pra|para) nada\b|\bnon serve a (niente|nulla|qualcosa)\b|\bsirve de algo\b",
    r"\b(humbug|quatsch|nepp|geldschneiderei|beutelschneiderei|flauwekul|onzin|nepwetenschap|"
    r"geldklopperij|balela|papo furado|conversa fiada|picaretagem|caca niquel|fregatura|"
    r"acchiappasoldi|mangiasoldi|sacacuartos|enganabobos|chorrada|pseudo ?-?scien\w*|pseudocien\w*|"
    r"pseudowissenschaft\w*|pseudoscienz\w*|poudre de perlimpinpin|attrape-nigaud|pompe a fric|"
    r"bogus|real deal|pan out|hit (or|and) miss|success stor\w*|"
    r"testimonial\w*|miracle\w*|milagr\w*|miracol\w*|wundermittel\w*|wunderheil\w*|"
    r"wondermiddel\w*|mano de santo|any truth (in|to|behind))\b",
    r"\b(never|nunca|jamais|nie|nooit|mai)\b.{0,12}\b(again|mas|plus|wieder|meer|mais|"
    r"piu)\b.{0,30}\b"
    + _TARGET + r"|\b(say|decir|dire|sagen|zeggen|dizer) (goodbye|adios|adieu|tschuss|vaarwel|"
    r"adeus|"
    r"addio)\b.{0,20}\b" + _TARGET,
    r"\bzit (daar|er|hier) (\w+ )?(wat|iets|niks|niets|echt wat) in\b|\b(ist|sei) (da|daran|an der "
    r"sache) (\w+ )?(was|etwas|nichts) dran\b|\b(hay|tiene) algo de (verdad|cierto)\b|"
    r"\bil y a du vrai\b|"
    r"\btem (algum )?fundamento\b|\bc'e (del|qualcosa di) vero\b|\bha (qualche )?fondamento\b|"
    r"\b(tonteria|bobada|foutaise\w*|du vent|truc hors de prix|schmarrn|unsinn|bobagem|besteira|"
    r"sciocchezz\w*|stupidaggin\w*)\b",
    r"\b(arrepent\w*|arrepient\w*|arrepend\w*|regrett\w*|bereu\w*|spijt|pentit\w*|pentirsi|"
    r"pentono|pento)\b",
    r"\bevidenc\w*|\bevidenz\w*|\bevidencia\w*",
    r"\bef+ica\w*",
    r"\befficac\w*",
    r"\bwirksam\w*",
    r"\bwirkungsvoll\w*",
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
    # worth it, verdicts, scams
    r"\bworth\b",
    r"\bany good\b",
    r"\bwaste of (money|time)\b|\bwasting (my |our )?(money|time)\b",
    r"\bsave (my|the|your) money\b",
    r"\bscam\w*",
    r"\blegit\w*",
    r"\bsnake ?oil\b",
    r"\bplacebo\w*",
    r"\b(fake|sham|dummy|pretend) (op|ops|operation|surgery|procedure|treatment|injection)s?\b|"
    r"\bschein-?\s?(op|operation|eingriff|behandlung)\w*|\bscheinoperation\w*|\b(cirugia|operacion|"
    r"intervencion) (simulad|fals|fingid)\w*|\bfals[oa] (cirugia|operacion)\b|\bchirurgie (fictive|"
    r"simulee)\b|\b(nep|schijn)-?\s?(operatie|ingreep|behandeling)\w*|\bcirurgia (falsa|"
    r"simulada)\b|"
    r"\bintervento (finto|simulato)\b|\bfinta operazione\b",
    r"\bhow (did|does|do|will|would) (it|that|this|they|things|the \w+) (turn|pan|work) out\b",
    r"\bdemostrad\w*|\bdemostr(ar|o|aron)\b|\b(estudios|studies|etudes|studien|studies|estudos|"
    r"studi)\b"
    r".{0,10}\b(serios|seri|serieux|serieuses|ernsthafte?|anstandige?|goede|degelijke|bons|buoni|"
    r"solid\w*|proper|real|reliable|fiables|fiables|affidabili|confiaveis)\b",
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
    r"\bva(u|ut|lent)(-il)?\b.{0,22}\b(coup|peine)\b|\bvaut(-il)? mieux\b",
    r"\barnaque\w*|\bpipeau\b|\bfumisterie\b|\bbidon\b|\bcredible\b",
    r"\bargent (jete|perdu)\b|\bperte de (temps|argent)\b",
    r"\blohn(t|en)\b",
    r"\b(sein|ihr|das) geld wert\b|\bgeld sparen\b|\bgeldverschwendung\b|\babzocke\w*|"
    r"\bgeldmacherei\b|\bhokuspokus\b|\bscharlatan\w*|\bunserios\w*",
    r"\bmoeite waard\b|\bweggegooid(e)? geld\b|\bgeldverspilling\b|\bkwakzalver\w*|"
    r"\boplichterij\b|\bzinvol\w*|\bzin (heeft|hebben)\b|\b(heeft|hebben|"
    r"had)\b.{0,30}\bzin\b(?! in\b)|"
    r"\bverspil\w*",
    r"\bvale(m)? a pena\b|\bvale(m)? o (preco|dinheiro)\b|\b(e|eh|um|isso e|parece|puro|"
    r"mais um) golpe\b|\benganacao\b|"
    r"\bperda de (tempo|dinheiro)\b|\bdinheiro jogado\b",
    r"\b(perd\w*|pierd\w*) (el |mi |su |tu |mon |son |ton |du |de l'|o |meu |seu )?(tiempo|dinero|"
    r"plata|temps|argent|tempo|dinheiro)\b|\b(verschwend\w*) (\w+ )?(zeit|geld)\b|\b(zeit|geld) "
    r"(zu )?verschwend\w*|\bspreca\w* (\w+ )?(tempo|soldi|denaro)\b|\bbutta\w* (via )?(i )?soldi\b|"
    r"\bgeld (weg|over de balk)\w*|\b(tijd|geld) (aan het )?verspil\w*|\bjet(er|te) (mon |"
    r"l')?argent\b",
    r"\b(wird|werden) (das|es|sie|er) (noch|jemals|irgendwann|je) (was|etwas)\b",
    r"\b(qualche|alcuna|nessuna|ci sono|ha|hanno) prov[ae]\b|\bprove (scientifiche|che)\b|"
    r"\b(alguma|tem|ha|existe\w*|nenhuma) provas?\b|\bprovas (cientificas|de que)\b",
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
    r"\bresultad\w*|\bresultat\w*|\bergebnis\w*|\bresulta(at|ten)\b|\brisultat\w*",
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
)

# Durability ("for good", "long-term", "does it wear off") and comparisons ("better than", "vs"):
# efficacy unless the question is about something else that lasts or compares (risks, side
# effects, the scar, cost, recovery, anaesthesia) with no benefit or illness named.
_DURABLE = _rx(
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
    r"\b(effect|efecto|effet|effetto|efeito|alivio|sollievo|soulagement|verlichting|mejoria|"
    r"mejora|melhoria|melhora|amelioration|besserung|verbesserung|verbetering|miglioramento|"
    r"improvement|wirkung|werking)\b.{0,30}"
    r"\b(dura|durara|dure|duurt|blijft|durera|quanto|cuanto|combien)\b",
    r"\b(quanto|cuanto|combien|hoe lang|wie lange?)\b.{0,30}\b(alivio|sollievo|soulag\w*|"
    r"verlicht\w*|alivi\w*|allevi\w*|hilft|helpt)\b",
    r"\b(alivia|soulage|allevia|verlicht|lindert)\b.{0,20}\b(por |pendant |per |voor |fur )?"
    r"(quanto|cuanto|combien|hoe lang|wie lange?)\b",
)
_COMPARE = _rx(
    r"\b(meglio|mejor|mieux|besser|beter|melhor|better)\b.{0,30}\b(o|or|ou|oder|of)\b",
    r"\b(expect|esperar|attendre|erwarten|verwachten|aspettar\w*)\b.{0,25}\b(from|de|von|van|da|"
    r"dal|"
    r"della|do|da)\b",
    r"\b(statistic\w*|stats|estadistic\w*|statistique\w*|statistik\w*|statistiek\w*|"
    r"estatistic\w*|statistich\w*|numbers|figures|cifras|chiffres|zahlen|cijfers|numeros|numeri)\b",
    r"\b(does|will|would|did) (it|that|this|the (effect|relief|result|improvement|benefit)s?) "
    r"(last|hold)\b",
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
    r"\b(stitches|staples|sutures?|drains?|puntos|grapas|fils|agrafes|faden|klammern|hechtingen|"
    r"nietjes|pontos|grampos|punti|graffette|drenaggi\w*|drenaje\w*)\b",
    r"\b(recover\w*|recuperacion|recuperation|rekonvaleszenz|herstel\w*|recuperacao|recupero|"
    r"convalescen\w*|wound healing|cicatrizacion|cicatrisation|wundheilung|wondgenezing|"
    r"cicatrizacao|cicatrizzazione|healing)\b",
    r"\b(numb\w*|tingl\w*|pins and needles|acorcha\w*|hormigueo|insensib\w*|gevoelloos\w*|"
    r"tintel\w*|kribbel\w*|dormente|dormencia|formigamento|formicol\w*|taub\w*|gefuhllos\w*|"
    r"engourdi\w*|fourmill\w*|intorpid\w*|entumec\w*)\b",
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
    r"preven\w*|agit sur|efface\w*|gueri\w*|guerir|amelior\w*|diminu\w*|regler|reglera|"
    r"reglerait|"
    r"redui\w*|baisser|espacer)\b",
    r"\b(va|vont|aller|irai|irais|sentir|sens|sentent) mieux\b|\bdispar(ai|ue|a)\w*|"
    r"\ba-t-il un sens\b|"
    r"\b(fait|fera|ferait|faire) (disparaitre|partir|baisser|passer|du bien|effet|quelque chose)\b|"
    r"\bmoins (de |souvent|fort|frequent)\w*",
    # German
    r"\b(hilft|helfen|hilfe bei|geholfen|wirkt|wirken|gewirkt|lindert|lindern|beugt|vorbeug\w*|"
    r"taugt|taugen|klappt|klappen|geklappt|anschlag\w*|"
    r"schlagt|schlagen|heilt|heilen|heilung|weg(gehen|geht|bekommen|machen|kriegen)|besser\w*|"
    r"verbesser\w*|verringer\w*|reduzier\w*|weniger|senkt|senken|beseitig\w*|los ?(zu)?werden|"
    r"verschwind\w*|verschwunden|weg (sein|ist|sind)|geht\b.{0,25}\bweg|"
    r"seltener|sinn)\b",
    r"\bnutzt (das |es |dir |mir |euch |uns )?(\w+ )?(was|etwas|nichts|viel|uberhaupt)\b|"
    r"\b(was|etwas|nichts) nutzt\b|\bbring(t|en)\b.{0,40}\b(was|etwas|nichts|viel|uberhaupt)\b|"
    r"\b(was|etwas|nichts|viel)"
    r"\b.{0,15}\b(gebracht|bringt|bringen)\b",
    # Dutch
    r"\b(helpt|helpen|geholpen|werkt|werkte|werkten|werken|gewerkt|verlicht|voorkomt|voorkomen|"
    r"geneest|genezen|"
    r"oplossen|aanslaat|aanslaan|baat|beter|verbeter\w*|verminder\w*|verdwijn\w*|verdwenen)\b|"
    r"\bkwijt\w*\b.{0,20}\b" + _TARGET + r"|\b" + _TARGET + r"\b.{0,20}\bkwijt\w*|"
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
    r"guari\w*|cura(re|rla|rmi)?|miglior\w*|ridu(ce|rre|ca|cono|rrebbe|zione)\w*|ridott\w*|"
    r"diminui\w*)\b",
    r"\bserv(e|ono|irebbe) (a|per|contro|davvero|anche|qualcosa)\b|\bserv(e|em|ono|irebbe)"
    r"( davvero| mesmo| a qualcosa| pra algo)?\s*\?",
    r"\b(stare|sentirsi|sentirmi|sto|sta|stai|starai|staro|stanno|star) meglio\b|"
    r"\bspar(ire|isce|iscono|ita)\b|"
    r"\bscompar\w*|\bha senso\b|"
    r"\bfa(nno)? effetto\b|\bfa (qualcosa|niente|bene)\b|\bin meno\b|\bmeno (crisi|attacchi|"
    r"dolore|giorni|emicrani\w*)\b",
    r"\bfunzion\w*|\bverhelp\w*|\bremedi(ar|a|e|er|era|eria|are|ano)\b",
    # All languages: the illness made to go away, kept away or brought back, an effect noticed, and
    # whether to keep on or stop, each with the illness named close by.
    r"\b(fa|fanno|fara|farebbe|faz|fazem|faria|hace|hacen|hara|haria|fait|font|fera|ferait|laat|"
    r"macht)\b (\w+ )?(passare|passar|pasar|passer|sparire|desaparecer|disparaitre|andare via|"
    r"ir embora|partir|verdwijnen|weggaan|verschwinden|weggehen)\b",
    r"\bse (me |le |te |nos |les )?(va|van|ira|iran|iria|irian|fue|fueron|quita\w*|pasa\w*)\b"
    r"(?! a\b).{0,30}\b" + _TARGET + r"|\b" + _TARGET + r"\b.{0,20}\bse (me |le |te )?(va|van|"
    r"ira|iran|iria|irian|quita\w*)\b(?! a\b)",
    r"\b(vuelv\w*|volver\w*|revien\w*|revenir|reviendr\w*|retour\w*|terug\w*|volta\w*|voltar\w*|"
    r"torn(a|ano|era|eranno|erebbe|ino)|ritorn\w*|wiederkomm\w*|zuruck\w*)\b.{0,30}\b" + _TARGET,
    r"\b" + _TARGET + r"\b.{0,30}\b(vuelv\w*|volver\w*|revien\w*|revenir|reviendr\w*|terug\w*|"
    r"volta\w*|voltar\w*|torn(a|ano|era|eranno|erebbe|ino)|ritorn\w*|wiederkomm\w*|zuruck\w*)\b",
    r"\bkom(t|en)\b.{0,40}\bterug\b",
    r"\b(avoid\w*|evit\w*|eviter|evite\w*|vermeid\w*|vermied\w*|vermijd\w*|voorkom\w*)\b.{0,30}\b"
    + _TARGET,
    r"\b(notarse|se nota\w*|spurbar\w*|merkbaar|si nota|se note)\b.{0,30}\b" + _TARGET,
    r"\b(notic\w*|notar\w*|se nota\w*|remarqu\w*|merk\w*|spurbar\w*|spur(t|en)|percept\w*|"
    r"perceb\w*|si nota|notare)\b.{0,30}\b(difference|diferencia|"
    r"difference|unterschied|verschil|diferenca|differenza|effect\w*|efecto|effet|wirkung|efeito|"
    r"effetto|improvement|mejor\w*|amelioration|verbesserung|verbetering|melhora|miglioramento)\b",
    r"\b(" + _TARGET[1:-1] + r")\b.{0,30}\b(notic\w*|notar\w*|se nota\w*|remarqu\w*|merk\w*|"
    r"spurbar\w*|si nota)\b",
    r"\b(iets|wat|niks|niets|veel) uit(halen|haalt|gehaald)\b|\buithalen\b|\boplever\w*|"
    r"\bopgeleverd\b",
    r"\bkann ich mir (das|es|den|die) (\w+ )?sparen\b|\bnet zo goed (stoppen|ophouden|stop)\b|"
    r"\b(should|do|can) i (just )?(give up|quit|stop) (on )?(it|this|trying)\b|\bo lo dejo\b|"
    r"\bou (j'arrete|je laisse tomber|j'abandonne)\b|\boder (hore ich|"
    r"soll ich) (\w+ )?auf(horen)?\b|"
    r"\bou (paro|desisto|largo)\b|\bo (smetto|lascio perdere|mollo)\b",
    r"\bwirkung\b|\badiant(a|am|ar|ou|aria|ara)\b",
    r"\b(hilft|bringt|wirkt|klappt|taugt|nutzt|lohnt|lohnt sich)s\b|\bvale (la |a )?pen[ae]\b|"
    r"\bvale apena\b|\bvaut le cou\b|\bvo le coup\b",
    r"\b(done|did|do|does|doing|made|make|makes) (anything|something|much|a thing|nothing|"
    r"any good)\b",
    r"\b(acab\w*|termin\w*)\b.{0,20}\b" + _TARGET,
    # the illness, then its end: "minhas crises acabam?", "bin ich die Migräne los?"
    r"\b" + _TARGET + r"\b.{0,25}\blos\s*(\?|$|sein|werden|bin|ist|sind|wird)|\b" + _TARGET
    + r"\b.{0,25}\b(stop|stops|acaban|acabam|terminan|terminam|cessent|"
    r"s'arretent|horen auf|hort auf|verschwinden|verschwindet|stoppen|stopt|ophouden|houdt op|"
    r"verdwijnen|verdwijnt|param|somem|desaparecem|desaparecen|passano|finiscono|spariscono|"
    r"smettono|disparaissent|disparaitront)\b",
    # no more attacks: "dejan de tener migrañas", "n'ont plus de crises", "keine Attacken mehr"
    r"\b(dej\w* de (tener|sufrir)|par(ar|ou|aram|am|a|an|aron) de (ter|tener|sofrer|sufrir)|"
    r"no vuelv\w* a tener|ne plus avoir|n'(ont|a|ai|avez) plus (de |d')|"
    r"plus jamais|keine\b.{0,25}\bmehr|nie mehr|geen\b.{0,25}\bmeer|nooit meer|deix\w* de (ter|"
    r"sofrer)|"
    r"nao (tem|tenho|teve|tiveram|tive) mais|nunca mais|non (ha|hanno|ho|abbia|abbiano) piu|"
    r"mai piu|"
    r"no longer (have|get|suffer)|stop(s|ped)? (having|getting|suffering)|(hasn't|hasnt|haven't|"
    r"has not|have not|hadn't) (had|got|gotten)|no ha (vuelto a )?tener|nao teve mais)\b"
    r".{0,30}\b" + _TARGET,
    r"\b" + _TARGET + r"\b.{0,20}\b(less|fewer|menos|moins|weniger|minder|meno|rarer|seltener|"
    r"zeldzamer|mais raras|piu rari)\b",
    # how people fare with it: "¿qué tal le va a la gente con el estimulador?"
    r"\b(how|que tal|comment|wie|hoe|como|come)\b.{0,15}\b(fare|fared|faring|did it go|does it go|"
    r"le va|les va|les fue|le fue|ca se passe|ca s'est passe|ging es|geht es|ging het|gaat het|foi|"
    r"correu|e andata|e andato)\b.{0,30}\b(with|con|avec|mit|met|com|after|despues|apres|nach|na|"
    r"depois|dopo)\b",
    r"\b(pour|por|para|fur|voor|per) (rien|nada|nichts|niets|niks|niente|nulla)\b|\bfor nothing\b",
    r"\b(a du sens|ca a un sens|faz sentido|macht (das|es) sinn|waard|empfehlenswert|aan te raden|"
    r"aanrader|recomendavel|consigliabile|recommandable|recommendable|would you recommend|"
    r"recomendari\w*|recomendaria\w*|consiglieresti)\b",
    r"\b(heb|heeft|hebben) (je|jij|u|ik|men|mensen|ze) (daar|er|hier)? ?(\w+ )?(wat|iets|veel|niks|"
    r"niets) aan\b|\b(get|got|gets) (anything|something|much) out of\b",
    r"\b(mejoria|mejoras|melhoria|melhoras|miglioramento|verbesserung|besserung|verbetering|"
    r"amelioration|profitier\w*|profiteren|profiteert|profite\w*|baat bij|beneficia\w*)\b",
    r"\b(yugul\w*|kupier\w*|coupier\w*|stronca\w*|couper|coupe|espaciar|espacia|espacian|espacer|"
    r"espace|espacent|espacar|espaca|espacam|spaziare|diradare|dirad[ai]\w*|baj(a|an|ar|aria)|"
    r"baix(a|am|ar|aria)|abbass\w*|verlag\w*|halve|halves|halving|halbier\w*|halveer\w*)\b.{0,25}\b"
    + _TARGET,
    r"\b(less|menos|moins|weniger|minder|meno) (intens\w*|fuert\w*|fort\w*|stark\w*|heftig\w*|erg|"
    r"forte\w*|severe|strong|frequent\w*|frecuent\w*|haufig\w*|vaak|spesso|frequenti)\b",
    # rid of it, under control, free from it: "kriegt man die Migräne in den Griff?"
    r"\b(en finir avec|venir a bout|se debarrass\w*|me debarrass\w*|in den griff|unter kontrolle|"
    r"onder controle|sob controle|bajo control|sous controle|sotto controllo|under control|"
    r"a handle on|"
    r"on top of|los ?kriegen|kwijtraken|sbarazz\w*|deshacer\w* de)\b",
    r"\b(libr\w*|liber[aeo]\w*|livr\w*|befrei\w*|bevrijd\w*|afkom\w*|af (te )?komen)\b.{0,25}\b"
    + _TARGET,
    r"\b" + _TARGET + r"\b.{0,15}\baf\b(?! en toe)",
    # still needing the medicines afterwards
    r"\b(still|todavia|aun|encore|noch|nog|ainda|ancora)\b.{0,20}\b(need|necesit\w*|besoin|"
    r"brauch\w*|nodig|precis\w*|bisogno)\b.{0,30}\b(meds|medication\w*|pills|tablets|triptan\w*|"
    r"painkillers|medic\w*|tabletten|pillen|remedios|farmaci|pastiglie|schmerzmittel|"
    r"pijnstillers|analgesi\w*)\b|\b(brauch\w*|need|nodig)\b.{0,25}\b(noch|nog|still)\b.{0,25}"
    r"\b(triptan\w*|tabletten|medikament\w*|pillen|medicijnen|meds|pills)\b|\bnog\b.{0,10}"
    r"\b(mijn |de )?(triptan\w*|pillen|medicijnen)\b.{0,10}\bnodig\b",
    # Fewer medicines in the other languages: "will I be able to stop the triptans?"
    r"\b(podr(e|ia|a|emos)|pourr(ai|ais|a|ons)|(kann|konnte|werde) ich|(kan|kun|zal) ik|vou poder|"
    r"poderei|poderia|potr(o|ei|emmo))\b.{0,25}\b(dejar|abandonar|quitar\w*|reducir|arreter|"
    r"diminuer|reduire|me passer|absetzen|weglassen|reduzieren|verzichten|stoppen|minderen|"
    r"afbouwen|zonder|parar|largar|deixar|reduzir|ficar sem|smettere|lasciare|ridurre|fare a meno|"
    r"sospendere)\b.{0,30}\b(triptan\w*|pastillas|medicament\w*|medicacion|calmantes|"
    r"analgesiques|cachets|tabletten|medikament\w*|schmerzmittel|pillen|medicijnen|pijnstillers|"
    r"remedios|comprimidos|analgesicos|farmaci|pastiglie|antidolorifici|medicine|pills|meds)\b",
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
    r"\b(wann|ab wann|nach wie vielen?)\b.{0,40}\b(setzt|tritt|einsetzen|eintreten)\b|"
    r"\bwirkung (setzt|tritt)"
    r"\b.{0,20}\bein\b|\bna hoeveel (tijd|weken|dagen|maanden)\b|\bal cabo de cuanto\b|"
    r"\bem quanto tempo\b|\bdopo quanto\b|\bau bout de combien\b|\bhow (long|many (weeks|days|"
    r"months)) (until|before|till)\b",
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
    # work as a job: "keep working as a welder", "fit to work"
    r"\b(keep|keeps|kept|continue|still) (on )?working (as|at|in|with|full|part|night|from)\b|"
    r"\bwork\w* as (a|an)\b|\b(able|fit|allowed) to work\b",
    # help given by a person: "does the GP help you with a referral?", "hilft die Krankenkasse"
    r"\b(doctor|gp|huisarts|arts|hausarzt|arzt|arztin|medecin|generaliste|medico|medica|"
    r"neurolog\w*|"
    r"surgeon|chirurg\w*|cirujan\w*|insurance|verzekering|verzekeraar|krankenkasse|kasse|mutuelle|"
    r"seguro|assicurazione|nurse|pharmacist|apotheker|farmaceutic\w*|secretar\w*|receptionist|"
    r"clinic|kliniek|klinik|clinica|clinique|staff|someone|anyone|iemand|jemand|alguien|"
    r"quelqu'un|alguem|qualcuno)\b.{0,12}\b(help|helps|helped|helpen|helpt|hilft|helfen|aide|"
    r"aident|"
    r"ayuda|ayudan|ajuda|ajudam|aiuta|aiutano)\b",
    r"\b(helpt|hilft|aide|ayuda|ajuda|aiuta|helps|help)\b (de |der |die |le |la |el |o |a |il |"
    r"your |"
    r"my |the |mijn |meine? |mon |mi |meu |il mio )?(huisarts|arts|hausarzt|arzt|medecin|medico|"
    r"doctor|"
    r"gp|neurolog\w*|verzekering|krankenkasse|mutuelle|seguro|assicurazione|insurance)\b",
    # help given to a person: "how can I help my son during an attack?"
    r"\bhelp\w* (my|our|his|her|a|your) (child|son|daughter|kid|husband|wife|partner|mother|mum|"
    r"mom|"
    r"father|dad|friend|colleague)\b|\b(ayudar|aider|helfen|helpen|ajudar|aiutare)\b (a )?(mi|mon|"
    r"ma|"
    r"meinem|meiner|mijn|meu|minha|mio|mia) (hij[oa]|marido|mujer|madre|padre|fils|fille|mari|"
    r"femme|"
    r"mere|pere|kind|sohn|tochter|mann|frau|zoon|dochter|man|vrouw|filh[oa]|esposa|mae|pai|"
    r"figli[oa]|"
    r"marito|moglie|madre|padre)\b|\b(meinem|meiner|mijn) (kind|sohn|tochter|mann|frau|zoon|"
    r"dochter|"
    r"man|vrouw)\b.{0,20}\b(helfen|helpen)\b",
    # "tirar uma dúvida" (ask something), "take a photo"
    r"\btirar (uma |umas |algumas |a |as |minha |minhas )?(duvida|duvidas|foto\w*)\b|\bquitar(me)? "
    r"(una |la )?duda\b",
    # Dutch "werken" as a job: "kan ik weer werken na de operatie?"
    r"\b(weer|opnieuw|terug|gaan|blijven|kan ik|mag ik|kunnen|fulltime|parttime|thuis)\b.{0,15}"
    r"\bwerken\b|\baan het werk\b|\bnaar (mijn |het )?werk\b|\bwerk(en)? als\b",
    # someone else's cure told as past news: "a colleague was cured by the operation, how did..."
    r"\b(was|got|a ete|fue|wurde|werd|foi|e stat[oa])\b (\w+ )?(cured|healed|gueri\w*|curad\w*|"
    r"geheilt|genezen|guarit\w*)\b",
)
# Pain after the operation, the wound's own pain: aftercare, even though pain is named.
_POSTOP_PAIN = _rx(
    r"\b(post-?op(erative)?|wound|incision|scar) (pain|ache|soreness)\b|\b(pain|ache|soreness|"
    r"sore)\b"
    r".{0,10}\b(after|since|from|following) (the |my )?(surgery|op|operation|procedure|injection|"
    r"incision)\b",
    r"\b(dolor\w*|douleur\w*|schmerz\w*|pijn|dor|dores|dolor\w*)\b.{0,15}\b(de la herida|de la "
    r"cicatriz|de la cicatrice|de la plaie|an der narbe|an der wunde|in de wond|van de wond|"
    r"na ferida|"
    r"da ferida|della ferita|postoperatori\w*|post-?op\w*|despues de la (operacion|cirugia)|"
    r"tras la "
    r"(operacion|cirugia)|apres l'(operation|intervention)|nach der (op|operation)|na de (operatie|"
    r"ingreep)|depois da (cirurgia|operacao)|dopo l'(intervento|operazione))\b",
)
# Words that name a treatment in general, for quantities ("what are the chances with the op?")
# and for the symptom veto ("my migraines almost went away with the menopause, is that normal?").
_TREATMENT_WORD = _rx(
    r"\b(surgery|surgeries|op|operation|procedure|treatment|therapy|injection\w*|implant\w*|"
    r"stimulat\w*|decompress\w*|closure|graft\w*|transfer|block|blocks|pills?|tablets?|drugs?|"
    r"medication\w*|meds|medicine\w*|botox|migone|pfo|cirug\w*|operacion\w*|operar\w*|"
    r"intervenc\w*|tratamiento\w*|terapia\w*|inyecc\w*|chirurgi\w*|opere\w*|intervention\w*|"
    r"traitement\w*|therapie\w*|piqure\w*|\w*operation\w*|operiert|eingriff\w*|behandlung\w*|"
    r"spritze\w*|\w*operatie\w*|geopereerd|ingreep|behandeling\w*|prik\w*|cirurgi\w*|operacao|"
    r"tratamento\w*|injec\w*|intervent\w*|operazion\w*|trattament\w*|iniezion\w*|farmac\w*|"
    r"medicament\w*|medikament\w*|medicijn\w*|remedio\w*|pastigli\w*|tabletten|pillen|pille|"
    r"pildora|pil|pilula|pillola|pilule|contracept\w*|anticoncep\w*|diet\w*|dieta|regime|diat|"
    r"dieet|supplement\w*|vitamin\w*|therap\w*|terap\w*)\b",
)


def _names_treatment(folded: str) -> bool:
    """A treatment named in general words or in the catalogue of treatments."""
    if _TREATMENT_WORD.search(folded):
        return True
    from assistant.guardrails.treatments import default_catalogue

    return bool(default_catalogue().find(folded))
_PERSON = _rx(
    r"\b(doctor|gp|huisarts|arts|hausarzt\w*|arzt|arztin|medecin\w*|generaliste|medico\w*|medica|"
    r"neurolog\w*|surgeon|chirurg\w*|cirujan\w*|insurance|verzekering|verzekeraar|krankenkasse|"
    r"mutuelle|seguro|assicurazione|nurse|enfermer\w*|infirmi\w*|pfleger\w*|verpleeg\w*|"
    r"infermier\w*|pharmacist|farmaceutic\w*|pharmacien|apotheker|secretar\w*|receptionist|"
    r"assistente social|social worker|cabecera|traitant|de familia|de famille|di base|"
    r"de familia)\b",
)
_HELP = (
    r"(help|helps|helped|helping|helpen|helpt|hilft|helfen|aide|aident|aider|m'aider|ayuda\w*|"
    r"ayudar\w*|ajuda\w*|ajudar\w*|aiuta\w*|aiutare)"
)
# The person is the one who helps: "kann mir mein Hausarzt bei der Überweisung helfen?"
_HELPER = re.compile(
    _PERSON.pattern.join(("(?:", r")[^,.;?!]{0,40}\b" + _HELP + r"\b"))
    + "|"
    + (r"\b" + _HELP + r"\b[^,.;?!]{0,12}").join(("", "(?:" + _PERSON.pattern + ")"))
)
# Paperwork, referrals, appointments, sick notes, refunds: "can my insurance help with the cost?"
_ADMIN = _rx(
    r"\b(paperwork|papeleo|papeles|dossier|paperasse|papierkram|unterlagen|formul\w*|papelada|"
    r"documenti|impegnativa|referral|verwijzing|uberweisung|derivacion|volante|encaminhamento|"
    r"appointment|cita|rendez-vous|rdv|termin|afspraak|appuntamento|sick (leave|note)|arret de "
    r"travail|krankschreibung|ziekmelding|atestado|certificado|refund|reimburs\w*|reembols\w*|"
    r"rembours\w*|erstatt\w*|vergoed\w*|rimbors\w*|insurance|mutuelle|krankenkasse|verzekering|"
    r"verzekeraar|assicurazione|mutua|convenio|plano de saude|secu|pay|paying|pagar|payer|zahlen|"
    r"betalen|pagare)\b",
)
# What else a question can be about that lasts or compares: risks, side effects, aftercare, cost,
# recovery, anaesthesia, the stay. With none of these benefits named, "long-term", "for good",
# "better than" and "compared with" are about that, not about how well a treatment works.
_OTHER_TOPIC = _rx(
    r"\b" + _RISK_NOUN,
    r"\b(risk\w*|riesgo\w*|risque\w*|risiko\w*|risiken|risico\w*|risco\w*|rischi\w*|danger\w*|"
    r"gefahr\w*|gevaar\w*|perigo\w*|pericol\w*|safe\w*|segur\w*|sicher\w*|veilig\w*|sicur\w*|"
    r"langzeitrisik\w*)\b",
    r"\b(cost\w*|price\w*|expensive|cheap\w*|afford\w*|precio\w*|caro|cara|barat[oa]|cuesta|"
    r"prix|cher|chere|couteu\w*|kost\w*|teuer\w*|billig\w*|preis\w*|duur|goedkop\w*|prijs\w*|"
    r"preco\w*|custa|costo\w*|prezzo\w*|costa|economic\w*|insurance|seguro|mutuelle|versicherung|"
    r"krankenkasse|verzekering|assicurazion\w*|convenio)\b",
    r"\b(recover\w*|recuperac\w*|recuperation|recupero|erholung|genesung|herstel\w*|downtime|"
    r"time off|baja|arret de travail|krankschreibung|ziekteverlof|atestado|malattia|"
    r"hospital stay|overnight|anaesthe\w*|anesthe\w*|anestesi\w*|narkose|narcose|sedation|"
    r"sedacion|sedation|sedierung|sedatie|sedacao|sedazione|awake|despierto|reveille|wach|wakker|"
    r"acordado|sveglio|waiting (list|time)|lista de espera|wartezeit|wachtlijst|attesa)\b",
)
# Outcomes of a treatment (no comparatives: "better than local anaesthetic" names none).
_BENEFIT_CORE = _rx(
    r"\b(improv\w*|relief|free|cured?|work\w*|help\w*|success\w*|effective\w*|effect|effects|"
    r"benefit\w*|fewer|less (pain|often|frequent|severe)|results?|outcomes?|funciona\w*|marche|"
    r"wirkt|wirkung|werkt|werking|funziona\w*|sirve|ayuda|aide|hilft|helpt|ajuda|aiuta|alivi\w*|"
    r"soulag\w*|linder\w*|verlicht\w*|sollievo|allevi\w*|efecto|effet|efeito|effetto|"
    r"resultad\w*|resultat\w*|ergebnis\w*|resultaat|resultaten|risultat\w*|mejoria|melhora\w*|"
    r"miglioramento|amelioration|besserung|verbetering)\b",
)
# The natural course of migraine: "since the menopause my attacks are gone, why?" asks about no
# treatment.
_LIFE_EVENT = _rx(
    r"\b(since|during|after|in|with the|desde|durante|despues de|tras|en|con la|con el|pendant|"
    r"apres|"
    r"depuis|avec la|avec l'|seit|wahrend|nach|in|im|mit der|mit dem|sinds|tijdens|na|in|met de|"
    r"depois d[aoe]|apos|na|no|com a|dopo|in|da quando|con l'|con la)\s+(the |my |la |el |mi |le |"
    r"ma |"
    r"l'|der |die |den |dem |meiner |meinen |de |het |mijn |a |o |minha |il |lo |mia |mio )?"
    r"(pregnan\w*|embaraz\w*|grossesse|enceinte|schwanger\w*|zwanger\w*|gravid\w*|gestac\w*|"
    r"incinta|menopaus\w*|wechseljahre\w*|overgang\w*|climater\w*|parto|birth|childbirth|"
    r"accouchement|geburt|bevalling|puberty|pubert\w*|pubertad|puberdade|periods?|menstrua\w*|"
    r"regla|regles|periode|ciclo|getting older|with age|con la edad|avec l'age|im alter|met de "
    r"jaren|com a idade|con l'eta|summer|verano|ete|sommer|zomer|verao|estate)\b",
)
# "Why do my migraines stop at the weekend?": a cause asked, no treatment named.
_WHY = re.compile(
    r"(^|[,.;:?!]\s*)(why|how come|por ?que|pourquoi|warum|wieso|weshalb|waarom|hoe komt (het|dat)|"
    r"perche|come mai|por que razao)\b"
)
# An effect on something that is no illness: "does vinegar work against limescale?"
_AGAINST = re.compile(
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
_DEVICE_LOGISTICS = _rx(
    r"\b(mri|irm|rmn|mrt|resonancia|resonance|risonanza|ressonancia|kernspin\w*|scanner|airport|"
    r"aeropuerto|aeroport|flughafen|vliegveld|schiphol|aeroporto|metal detector|detector|portique|"
    r"poortjes|bluetooth|charger|cargador|chargeur|ladegerat|oplader|carregador|caricatore|"
    r"batter\w*|"
    r"bateria|pacemaker|marcapasos|herzschrittmacher|magnet\w*|iman\w*|aimant\w*)\b",
)
# Who or what an effect is for, not an object: "does it work for everyone?", "for long".
_FOR_WHOM = re.compile(
    r"^(me|you|him|her|us|them|people|patients|everyone|everybody|someone|anyone|all|most|many|"
    r"some|"
    r"women|men|kids|children|long|years?|months?|weeks?|days?|good|ever|life|real|sure|sale|"
    r"migraineurs|chronic|episodic|mi|ti|si|moi|toi|lui|nous|vous|eux|tous|tout|toutes|mich|dich|"
    r"sich|uns|alle|jeden|jeder|iedereen|mij|jou|ons|hen|iedereen|mim|ti|voce|todos|todas|"
    r"cualquiera|alguien|nadie|tutti|tutte|chiunque|ognuno|algo|quelque|etwas|iets|algo|qualcosa|"
    r"nada|rien|nichts|niets|niente|nulla|siempre|toujours|immer|altijd|sempre|que|quoi|was|wat|"
    r"what|which|it|this|that|eso|esto|ca|cela|das|dat|isso|isto|questo|nothing|something|anything|"
    r"cronic\w*|chroni\w*|episodi\w*|adult\w*|erwachsen\w*|volwassen\w*|adult\w*|adulti|"
    r"hombres|mujeres|femmes|hommes|frauen|manner|vrouwen|mannen|mulheres|homens|donne|uomini|"
    r"ninos|enfants|kinder|kinderen|criancas|bambini|nothing|anyone|who|whom|quien|quienes|qui|"
    r"wer|wen|wie|quem|chi|those|aquellos|ceux|diejenigen|degenen|aqueles|quelli|mir|mij|mim)$"
)
_HEALTH_OBJECT = re.compile(
    r"^(" + _TARGET[1:-1] + r"|it|that|this|them|those|eso|esto|ella|ellas|ca|cela|elle|elles|"
    r"das|die|es|sie|dat|het|die|isso|isto|ela|elas|questo|quello|essa|esse|lei|nausea\w*|"
    r"naus\w*|ubelkeit|misselijk\w*|aura\w*|sleep\w*|insomn\w*|stress\w*|anxiety|angst\w*|"
    r"ansiedad|anxiete|ansia|ansiedade|depress\w*|vertig\w*|dizz\w*|schwindel\w*|duizel\w*|"
    r"mareo\w*|tontura\w*|cluster\w*|tension\w*|spann\w*|tensao|tensione|spanning\w*|"
    r"inflam\w*|entzund\w*|ontsteking\w*|\w*schmerz\w*|\w*pijn\w*|\w*ache\w*|nerv\w*|nerf\w*|"
    r"zenuw\w*|head|heads|neck|nape|temples?|forehead|brain|eyes?|muscles?|cabeza|cuello|nuca|"
    r"sien\w*|"
    r"frente|cerebro|ojos?|musculos?|tete|cou|nuque|tempes?|front|cerveau|yeux|muscles?|kopf|"
    r"nacken|"
    r"schlafe\w*|stirn|gehirn|augen?|muskel\w*|hoofd|nek|slapen|voorhoofd|hersenen|ogen|oog|"
    r"spier\w*|"
    r"cabeca|pescoco|temporas?|testa|collo|tempie?|fronte|occhi?|muscol\w*|symptom\w*|sintom\w*|"
    r"symptome?|klachten|crises?|attac\w*|aanval\w*|occipital\w*|trigem\w*)$"
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
# "Would I get the same?", "bei mir auch?" after someone's outcome told in an earlier message.
_SAME_FOR_ME = _rx(
    r"\b(i|ich|je|j'|ik|yo|eu|io)\b.{0,20}\b(the same|lo mismo|pareil|la meme chose|dasselbe|"
    r"genauso|"
    r"hetzelfde|o mesmo|lo stesso)\b",
    r"\b(the same|lo mismo|pareil|la meme chose|dasselbe|genauso|hetzelfde|ook zo|o mesmo|"
    r"lo stesso|"
    r"uguale|as well|too|also|tambien|aussi|auch|ook|tambem|anche)\b.{0,30}\b(me|mi|moi|mir|mij|"
    r"mim|"
    r"comigo|conmigo|myself)\b",
    r"\b(me|mi|moi|mir|mij|mim|comigo|conmigo|for me|bei mir|bij mij|chez moi|per me|a mi|pour moi|"
    r"para mim|in my case|en mi caso|dans mon cas|in meinem fall|in mijn geval|no meu caso|nel mio "
    r"caso)\b.{0,30}\b(the same|lo mismo|pareil|la meme chose|dasselbe|genauso|hetzelfde|ook|"
    r"o mesmo|"
    r"lo stesso|uguale|too|also|tambien|aussi|auch|tambem|anche)\b",
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
    offtopic: bool = False
    natural: bool = False

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
            or self.offtopic
            or self.natural
        )

    @property
    def efficacy(self) -> bool:
        if self.definition:
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
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and (
            a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


_FUZZY_FORMS = {_spelling(k): k for k in _FUZZY_KEYS}
# Real words one slip away from a key word.
_NEAR_KEYS = frozenset(
    re.findall(
        r"\S+",
        "worst worse words world worked nerve nerves serves served resultado resulta helper helmet "
        "curve curse cured curled marcher marches sirven wordt worden bring brings bringing",
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
    """The text without job and helper phrases ("back to work", "can you help me")."""
    return _JOB.sub(" ", folded)


def signals(text: str) -> Signals:
    """The rule signals of one piece of text."""
    folded = normalise(text)
    without_job = _strip_vetoed(folded)
    weak = bool(_WEAK.search(without_job)) or (
        not _STRONG.search(without_job) and _fuzzy_effect(without_job)
    )
    symptom = bool(
        _SYMPTOM.search(folded)
        and _SYMPTOM_NEGATION.search(folded)
        and _SYMPTOM_BODY.search(folded)
    )
    risk_only = bool(_RISK_TEXT.search(without_job)) and not _BENEFIT.search(without_job)
    treatment = _names_treatment(folded)
    # A quantity counts for a benefit or a treatment: "what percentage of people have migraine?"
    # and "the chances my daughter inherits it" ask neither.
    quantity = (
        bool(_QUANTITY.search(without_job))
        and not risk_only
        and (treatment or bool(_BENEFIT.search(without_job)))
    )
    target = bool(_TARGET_WORD.search(folded)) or bool(_GENERAL_EFFECT.search(without_job))
    named_illness = bool(_TARGET_WORD.search(folded))
    # "Does vinegar work against limescale?": the effect's object is no illness, none is named.
    offtopic = not named_illness and (
        any(
            not _HEALTH_OBJECT.match(m.group("noun")) and not _FOR_WHOM.match(m.group("noun"))
            for m in _AGAINST.finditer(without_job)
        )
        or bool(_DEVICE_LOGISTICS.search(folded))
    )
    benefit = named_illness or bool(_BENEFIT_CORE.search(without_job))
    other_topic = not benefit and bool(
        _OTHER_TOPIC.search(without_job) or _AFTERCARE.search(folded)
    )
    soft = bool(_DURABLE.search(without_job) or _COMPARE.search(without_job)) and not other_topic
    # Help from a person ("can my GP help me with the referral?"), with no illness named.
    helper = (
        not named_illness
        and not treatment
        and bool(_HELPER.search(folded))
        and not _STRONG.search(without_job)
    )
    symptom_described = bool(_SYMPTOM.search(folded) and _SYMPTOM_BODY.search(folded))
    return Signals(
        strong=bool(_STRONG.search(without_job)) or quantity or soft,
        weak=weak,
        mechanism=bool(_MECHANISM.search(folded)),
        timing=bool(_ONSET_TIMING.search(folded)),
        job=(bool(_JOB.search(folded)) and not weak) or helper,
        symptom=symptom
        or (symptom_described and not treatment and not _STRONG.search(without_job)),
        definition=bool(_DEFINITION.search(folded)),
        aftercare=(bool(_AFTERCARE.search(folded)) and not target)
        or bool(_POSTOP_PAIN.search(folded)),
        offtopic=offtopic,
        natural=(bool(_LIFE_EVENT.search(folded) or _WHY.search(folded)) and not treatment)
        or (bool(_ADMIN.search(folded)) and not named_illness),
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
        # "Is that true?" / "c'est crédible ?" after a claim about results; "would I get the same?"
        # after someone's outcome.
        if (is_credibility_question(question) or _SAME_FOR_ME.search(normalise(question))) and (
            before.strong or before.weak
        ):
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
