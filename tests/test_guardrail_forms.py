"""Guardrails that hold on wordings nobody here wrote: the forms of efficacy questions, the caveat
about the treatment actually asked, lay red flags in seven languages, and the urgent level shown
by every interface. The sentences below are written for these tests, not taken from any eval set.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from assistant import cli
from assistant.evidence import EvidenceRegistry
from assistant.guardrails.efficacy import EfficacyDetector, LinearClassifier, signals
from assistant.guardrails.layer import GuardrailLayer
from assistant.guardrails.treatments import TREATMENTS_FILE, default_catalogue
from assistant.guardrails.triage import (
    EMERGENCY_MESSAGE,
    URGENT_MESSAGE,
    red_flags,
    triage,
    triage_level,
)
from assistant.types import Answer, Turn
from assistant.ui import STATUS_NOTES, render_alert, render_answer

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = EvidenceRegistry.load(ROOT / "knowledge" / "evidence-registry.yaml")
LAYER = GuardrailLayer(REGISTRY)
RULES = EfficacyDetector(classifier=False)


def _answer(question: str, text: str = "", status: str = "answered") -> Answer:
    return Answer(question=question, standalone_question=question, status=status, answer=text)  # type: ignore[arg-type]


def _turns(*texts: str) -> list[Turn]:
    return [Turn(role="user", content=t) for t in texts]


# ---- efficacy: the form of the question, in seven languages ------------------------------------
EFFECT_FORMS = [
    # an intervention (named or not) plus an effect
    "Can fish oil treat my migraines?",
    "would acupuncture cure my headaches for good",
    "Does lavender oil relieve a migraine attack?",
    "will vitamin D prevent the attacks?",
    "is there anything that reduces how often they come?",
    "Could the forehead operation stop my migraines?",
    "will this end my migraines once and for all",
    "does yoga ease the pain?",
    "can cluster headaches be managed with oxygen?",
    "Will the surgery fix my headaches?",
    "how do I get rid of migraines with diet?",
    "Does the neck operation really work?",
    "has the stimulator helped people like me?",
    "Is the migone worth it?",
    "is massage any good for tension-type migraines",
    "Is fat transfer a waste of money?",
    "Is the trigger site surgery a scam?",
    "What is the success rate of the PFO closure?",
    "What kind of results do people get from nerve blocks?",
    "what are my chances of being headache-free after the op?",
    "How does the operation compare with Botox?",
    # Spanish, French, German, Dutch, Portuguese, Italian
    "¿El jengibre alivia las crisis?",
    "¿La operación acaba con las migrañas?",
    "¿Cuántos pacientes mejoran con el estimulador?",
    "La chirurgie de la migraine, ça donne quoi comme résultats ?",
    "Est-ce que le magnésium diminue les crises ?",
    "Vaut-il mieux faire du yoga ou prendre un traitement ?",
    "Lindert Akupunktur die Anfälle?",
    "Wird die OP meine Migräne heilen?",
    "Ist die Stimulation besser als Botox?",
    "Zorgt de operatie voor minder migrainedagen?",
    "Helpt het echt tegen de aanvallen?",
    "Is de ingreep de moeite waard?",
    "O botox tira a dor de vez?",
    "A cirurgia melhora a qualidade de vida?",
    "Vale a pena operar?",
    "L'intervento elimina il dolore?",
    "Il magnesio previene gli attacchi?",
    "La chirurgia è più efficace dei farmaci?",
]


@pytest.mark.parametrize("question", EFFECT_FORMS)
def test_efficacy__forms_of_the_question_are_recognised(question: str) -> None:
    assert RULES.detect(question, question), signals(question)


NOT_EFFICACY = [
    # mechanism and onset timing
    "How does the nerve stimulator work?",
    "how does magnesium work in the brain?",
    "¿Cómo funciona el bloqueo del nervio?",
    "Comment agit la toxine botulique ?",
    "Wie wirkt Topiramat?",
    "Hoe werkt een zenuwblokkade?",
    "Como funciona a estimulação occipital?",
    "Come funziona il lipofilling?",
    "How long does Botox take to start working?",
    "¿Cuánto tarda en hacer efecto el topiramato?",
    # work as a job, help as assistance
    "how soon can I work again after the surgery?",
    "When can I go back to work after the migone?",
    "Can you help me find a surgeon?",
    # symptoms that won't go away
    "my migraine won't go away, is that normal?",
    "Mi dolor de cabeza no se va con nada, ¿es normal?",
    "Rien ne soulage mon mal de tête, c'est normal ?",
    # logistics, risks, definitions
    "How long does the fat transfer take?",
    "What is the infection rate after the stimulator implant?",
    "what does 'sham surgery' mean?",
    "What is the difference between ONS and occipital decompression?",
]


@pytest.mark.parametrize("question", NOT_EFFICACY)
def test_efficacy__mechanism_timing_job_and_symptom_questions_are_not_flagged(
    question: str,
) -> None:
    assert not RULES.detect(question, question), signals(question)


@pytest.mark.parametrize(
    ("question", "history"),
    [
        ("and does it work?", ["What is occipital nerve stimulation?"]),
        ("y ¿funciona?", ["¿Qué es la transferencia de grasa?"]),
        ("is that true?", ["The clinic says 90% of patients are cured by the migone."]),
        ("c'est crédible ?", ["Le blog annonce 80 % de réussite pour le lipofilling."]),
        ("and fat transfer?", ["Does the migone work?"]),
        ("en die andere dan, met dat kastje?", ["helpt zenuwdecompressie?"]),
    ],
)
def test_efficacy__follow_ups_count(question: str, history: list[str]) -> None:
    assert RULES.detect(question, question, _turns(*history))


# Idioms, verdicts, durations, comparisons and misspellings in seven languages.
EFFECT_IDIOMS = [
    "is the MIGONE useless or does it actually do something?",
    "¿sirve de algo o es tirar el dinero?",
    "adianta fazer a cirurgia ou é dinheiro jogado fora?",
    "ça vaut vraiment le coup de se faire opérer ?",
    "la chirurgie, ça permet d'en finir avec les migraines ?",
    "kriegt man die Migräne mit der OP in den Griff?",
    "kom ik met de operatie van mijn migraine af?",
    "me livrar da enxaqueca com essa cirurgia, é possível?",
    "con l'intervento mi libero dell'emicrania?",
    "gibt es Evidenz für die Migräne-OP?",
    "¿la gente se arrepiente de operarse?",
    "hebben mensen spijt van de operatie?",
    "brauche ich nach der OP noch meine Triptane?",
    "avrò ancora bisogno dei triptani dopo l'intervento?",
    "does the Botox effect fade after a few months?",
    "a melhoria com o botox dura?",
    "combien de patients n'ont plus de crises après l'opération ?",
    "worden de aanvallen minder met acupunctuur?",
    "is magnesium effectief tegen migraine?",
    "¿qué tal le va a la gente con el estimulador?",
    "les gens sont-ils contents après l'intervention ?",
    "quanti pazienti non hanno più attacchi dopo l'intervento?",
    "es efectiba la cirujia?",
    "la operasion sirbe de algo?",
    "is it worht it?",
    "funsiona?",
    "bringts was?",
    "esse aparelho de braço faz alguma coisa mesmo pra crise?",
    "e dopo la chiusura, per l'emicrania cambia qualcosa?",
    "does the headband actually do anything?",
]


@pytest.mark.parametrize("question", EFFECT_IDIOMS)
def test_efficacy__idioms_and_misspellings_in_seven_languages(question: str) -> None:
    assert RULES.detect(question, question), signals(question)


# What lasts or compares is often not the benefit: risks, the scar, cost, recovery, anaesthesia;
# an effect on no illness, help from a person, the natural course, heredity, paperwork.
NOT_EFFICACY_TOPICS = [
    "what are the long-term risks of the stimulator?",
    "is the scar there forever or does it fade?",
    "how does the recovery compare with Botox injections?",
    "is general anaesthetic better than a local for the decompression?",
    "¿la cicatriz se queda para siempre?",
    "les effets secondaires à long terme de la stimulation, c'est quoi ?",
    "bleibt die Taubheit dauerhaft?",
    "wat zijn de risico's op lange termijn van de stimulator?",
    "quais os riscos a longo prazo do estimulador?",
    "la cicatrice resta per sempre?",
    "is the MIGONE more expensive than Botox?",
    "ist die OP in der Schweiz teurer als in Deutschland?",
    "does baking soda work on carpet stains?",
    "werkt azijn echt tegen kalk in de waterkoker?",
    "il bicarbonato funziona per pulire il forno?",
    "kann mir mein Hausarzt bei der Überweisung helfen?",
    "¿me puede ayudar mi médico de cabecera con el papeleo?",
    "mis migrañas mejoraron mucho en el embarazo, ¿por qué?",
    "in gravidanza l'emicrania è sparita, perché?",
    "what percentage of women get migraines?",
    "qual a probabilidade do meu filho ter enxaqueca também?",
    "wann setzt die Wirkung von Ajovy ein?",
    "will I be able to keep working as a nurse with the stimulator?",
    "does the stimulator work with an MRI scanner?",
    "kan ik weer werken na de operatie?",
    "queria tirar uma dúvida sobre a anestesia",
    # an outcome told, then only a practical thing asked
    "my brother says his op was a total success! when can he drive again?",
    "a mi madre le quitaron las migrañas con lo de la grasa, ¿cuánto duran los moratones?",
    "mijn buurvrouw is migrainevrij sinds de operatie. welke chirurg doet dat in Utrecht?",
    # a treatment told as failing, and what to ask the doctor next
    "topiramate was great for two years and now it's just stopped. what should I ask my "
    "neurologist for?",
    "el topiramato ya no me hace nada. ¿qué le pido ahora al neurólogo?",
    "Topamax hat super gewirkt, jetzt nicht mehr. Was soll ich mit meiner Neurologin besprechen?",
    # worth a second opinion, an appeal's success, an insurer that cooperates, needles
    "Lohnt es sich, vor der Operation eine Zweitmeinung einzuholen?",
    "Wie erfolgreich sind Widersprüche gegen die Krankenkasse?",
    "werkt mijn verzekeraar mee als ik het in Duitsland laat doen?",
    "werken ze bij die behandeling met naalden of met stroom?",
]


@pytest.mark.parametrize("question", NOT_EFFICACY_TOPICS)
def test_efficacy__other_topics_that_last_compare_or_help_are_not_flagged(question: str) -> None:
    assert not RULES.detect(question, question), signals(question)


@pytest.mark.parametrize(
    "question",
    [
        # a side effect felt, and whether it wears off, with no illness named
        "topiramate makes me really dizzy, will that wear off after a few weeks?",
        "el topiramato me da mucho sueño, ¿se me pasará?",
        "Amitriptylin macht mich so müde, geht das irgendwann wieder weg?",
        "ik word zo suf van de amitriptyline, gaat dat over?",
        "a flunarizina me deixa tonta, isso passa?",
    ],
)
def test_efficacy__a_side_effect_wearing_off_is_no_benefit(question: str) -> None:
    assert not RULES.detect(question, question), signals(question)


@pytest.mark.parametrize(
    "question",
    [
        # one sentence asks about timing or paperwork, another whether it works
        "How soon does candesartan kick in? If nothing changes in six weeks, does that mean it "
        "won't work for me?",
        "¿Cuándo empieza a hacer efecto el magnesio? ¿Y si no noto nada es que no funciona?",
        "Aimovig or Vyepti, which one is better? My insurance pays for both.",
    ],
)
def test_efficacy__one_sentence_that_asks_is_enough(question: str) -> None:
    assert RULES.detect(question, question), signals(question)


@pytest.mark.parametrize(
    "question",
    [
        # an outcome told, then something else asked: what now, whether it is normal, the
        # stitches, how the sites are found, what the symptom is
        "propranolol did nothing for me and made me tired. what else can I ask my GP about?",
        "the nerve op worked for a year and then the migraines came back. what do I do now?",
        "el magnesio me funciona bien pero me suelta el estómago, ¿es normal?",
        "Der Betablocker hilft mir gut, aber mein Puls ist so niedrig. Ist das gefährlich?",
        "Amitriptyline heeft bij mij niet geholpen. Wat blijft er nog over?",
        "A operação correu às mil maravilhas, disse o cirurgião. Quando tiram os pontos?",
        "Il Botox non ha funzionato su di me. Cosa mi resta?",
        "they say success depends on finding the right spots. how do they find them?",
    ],
)
def test_efficacy__an_outcome_told_then_another_thing_asked_is_not_flagged(question: str) -> None:
    assert not RULES.detect(question, question), signals(question)


@pytest.mark.parametrize(
    "question",
    [
        "what are the odds that something goes wrong during the PFO closure?",
        "qual a chance de ter uma complicação na cirurgia?",
        "does the nerve block injection hurt?",
    ],
)
def test_efficacy__a_risk_or_a_pain_asked_keeps_the_classifier_out(question: str) -> None:
    own = signals(question)
    assert own.harm and not own.efficacy, own


@pytest.mark.parametrize(
    "question",
    [
        "my insurer turned down Ajovy, how do I appeal successfully?",
        "mi seguro no me cubre el Aimovig, ¿cómo reclamo con éxito?",
    ],
)
def test_efficacy__the_success_of_an_appeal_is_no_efficacy(question: str) -> None:
    assert not RULES.detect(question, question), signals(question)


@pytest.mark.parametrize(
    "question",
    [
        # how long the benefit is kept, for how many it works, whether it does more
        "hoelang hou je profijt van die operatie aan je voorhoofd?",
        "ça dure combien de temps, l'effet de l'infiltration ?",
        "und bei wie vielen wirkt das eigentlich?",
        "A cirurgia das artérias da cabeça resulta?",
        "die stimulator, doet dat meer dan de botox?",
        # someone's outcome, then whether it would go the same way for me
        "mi vecina se hizo la migone y dice que es otra persona, ¿a mí me iría igual?",
    ],
)
def test_efficacy__more_lay_forms_of_the_question(question: str) -> None:
    assert RULES.detect(question, question), signals(question)


def test_efficacy__someone_elses_outcome_then_would_i_get_the_same() -> None:
    history = _turns("my sister had the fat injections and hasn't had a migraine since")
    assert RULES.detect("would I get the same?", "would I get the same?", history)
    assert not RULES.detect("would I get the same?", "would I get the same?")


def test_efficacy__a_follow_up_about_cost_is_not_efficacy() -> None:
    history = _turns("Does Botox work for chronic migraine?")
    assert not RULES.detect("how much does it cost?", "how much does it cost?", history)


# ---- the learned classifier backs the rules ----------------------------------------------------
def _toy_classifier(dimension: int = 8) -> LinearClassifier:
    """A classifier that flags any vector along its first axis (the shipped one is tested with
    its training script)."""
    weights = np.zeros((1, dimension), dtype=np.float32)
    weights[0, 0] = 10.0
    return LinearClassifier(
        classes=("other", "efficacy"),
        weights=weights,
        bias=np.zeros(1, dtype=np.float32),
        threshold=0.5,
        model="toy",
        meta={},
    )


def test_classifier__backs_the_rules_but_never_overrides_a_veto() -> None:
    detector = EfficacyDetector(_toy_classifier())
    towards, away = np.eye(8, dtype=np.float32)[0], -np.eye(8, dtype=np.float32)[0]
    plain = "Tell me about zinc for migraine sufferers"  # no rule fires
    assert not detector.detect(plain, plain)
    assert not detector.detect(plain, plain, vector=away)
    assert detector.detect(plain, plain, vector=towards)
    # Mechanism questions, and a verdict on asking a doctor, stay out whatever it says.
    for vetoed in (
        "How does the stimulator work?",
        "Is it worth asking my neurologist about migraine surgery?",
    ):
        assert not detector.detect(vetoed, vetoed, vector=towards)
    # Nor a question that asks only a practical thing (an age limit, a scar, the insurer).
    for practical in (
        "I'm 71, am I too old for the migraine operation?",
        "does the forehead surgery leave a scar? I work at a reception desk",
    ):
        assert not detector.detect(practical, practical, vector=towards)


# ---- the caveat is about the treatment asked ---------------------------------------------------
NOT_ASSESSED = yaml.safe_load(TREATMENTS_FILE.read_text(encoding="utf-8"))["not_assessed"]


@pytest.mark.parametrize(
    ("question", "as_written", "treatment_id"),
    [
        ("Does magnesio help with migraines?", "magnesio", "magnesium"),
        ("¿Los triptanes funcionan mejor que el ibuprofeno?", "triptanes", "triptans"),
        ("Is bótox worth it for chronic migraine?", "bótox", "botox"),
        ("Hilft Akupunktur wirklich?", "Akupunktur", "acupuncture"),
        ("Werkt Aimovig echt?", "Aimovig", "cgrp-antibodies"),
    ],
)
def test_caveat__an_unlisted_treatment_gets_the_reviewed_not_assessed_entry(
    question: str, as_written: str, treatment_id: str
) -> None:
    out = LAYER.apply(_answer(question))
    assert out.efficacy_question and out.caveat
    treatment = default_catalogue().by_id(treatment_id)
    entry = next(e for e in out.evidence if e.procedure.startswith(treatment.name[:1].upper()))
    assert entry.tier == NOT_ASSESSED["tier"]
    assert f'"{as_written}"' in entry.procedure or as_written.lower() in entry.procedure.lower()
    expected = NOT_ASSESSED["summary"].format(treatment=treatment.name).split(".")[0]
    assert " ".join(expected.split()) in " ".join(entry.summary.split())
    assert "Ask your doctor" in out.caveat
    # No registry procedure is put in its place.
    assert not any(e.procedure == p.name for e in out.evidence for p in REGISTRY.procedures)


@pytest.mark.parametrize(
    ("question", "history", "named"),
    [
        # the treatment opens the sentence and a pronoun takes it up
        ("Neuraltherapie beim Heilpraktiker, hilft das gegen Migräne?", [], "Neuraltherapie"),
        ("la cryothérapie sur la nuque, ça marche contre la migraine ?", [], "cryothérapie"),
        ("daith piercing, does it actually work?", [], "daith piercing"),
        # what the patient said they are doing or were offered, then a bare follow-up
        ("bringt das was?", ["mein Arzt hat mir Neurofeedback empfohlen"], "Neurofeedback"),
        ("¿y eso funciona de verdad?", ["mi neuróloga me propone la tecarterapia"], "tecarterapia"),
        ("helpt dat een beetje?", ["ik doe sinds 3 weken aan hypnotherapie"], "hypnotherapie"),
        ("funziona davvero?", ["il medico mi ha consigliato la mesoterapia"], "mesoterapia"),
        # both sides of a comparison, the one nobody listed as written
        ("Cefaly oder Relivion, was hilft besser?", [], "Relivion"),
        ("meglio l'Aulin o l'Optalidon?", [], "Optalidon"),
    ],
)
def test_caveat__names_the_treatment_asked_as_written(
    question: str, history: list[str], named: str
) -> None:
    out = LAYER.apply(_answer(question), _turns(*history))
    assert out.efficacy_question and out.caveat, question
    assert named.lower() in out.caveat.lower(), [e.procedure for e in out.evidence]


@pytest.mark.parametrize(
    ("text", "treatment_id"),
    [
        ("huile essentielle de menthe poivrée", "peppermint-oil"),
        ("triptanes", "triptans"),
        ("acupunctures", "acupuncture"),
        ("Ausdauersport", "exercise"),
        ("nek te kraken", "chiropractic"),
        ("Antibabypille", "hormonal"),
        ("sophrologie", "sophrology"),
    ],
)
def test_catalogue__inflections_and_compounds(text: str, treatment_id: str) -> None:
    assert [m.treatment.id for m in default_catalogue().find(text) if m.treatment] == [treatment_id]


def test_catalogue__a_plural_does_not_make_a_general_word_a_treatment() -> None:
    assert default_catalogue().find("do the pills help?") == []


def test_caveat__a_treatment_nobody_listed_is_named_as_written() -> None:
    out = LAYER.apply(_answer("Is nettle tea any good for migraines?"))
    assert out.caveat and 'you asked about "nettle tea"' in out.caveat
    assert out.evidence[0].tier == "not-assessed"


@pytest.mark.parametrize(
    ("text", "procedure_id"),
    [
        ("does the neck nerve operation work?", "occipital-nerve-decompression-migone"),
        ("is putting my own fat in worth it?", "fat-transfer"),
        ("injecting your own fat, does it help?", "fat-transfer"),
        ("the heart hole closure, does it stop the aura?", "pfo-closure"),
        ("wires in my head to zap the nerve: any good?", "nerve-and-spinal-cord-stimulation"),
        ("¿la operación de los nervios de la nuca sirve?", "occipital-nerve-decompression-migone"),
        ("ma propre graisse réinjectée, ça marche ?", "fat-transfer"),
        ("Bringt die OP am Hinterkopf etwas?", "occipital-nerve-decompression-migone"),
        ("Helpt het dichtmaken van het gaatje in mijn hart?", "pfo-closure"),
        ("A cirurgia na testa resolve?", "trigger-site-surgery"),
        ("Cauterizzare le arterie della tempia serve?", "arterial-surgery"),
        (
            "liberar o nervo ou cortar, qual resolve a neuralgia occipital?",
            "occipital-nerve-decompression-migone",
        ),
        ("ze hebben vet laten inspuiten bij mijn zus, werkt dat?", "fat-transfer"),
        ("is die operatie waarbij ze slagaders dichtbranden bewezen?", "arterial-surgery"),
        ("tengo un agujerito en el corazón, si lo cierran se van las jaquecas?", "pfo-closure"),
        ("de adertjes bij mijn slaap laten dichtbranden, helpt dat?", "arterial-surgery"),
        ("la décompresion des nerfs, c'est efficace ?", "trigger-site-surgery"),
    ],
)
def test_registry__lay_names_in_seven_languages(text: str, procedure_id: str) -> None:
    assert [p.id for p in REGISTRY.find(text)][:1] == [procedure_id]
    out = LAYER.apply(_answer(text))
    assert out.caveat and out.evidence[0].procedure == REGISTRY.find(text)[0].name


def test_caveat__the_operation_offered_is_kept_beside_the_treatments_tried() -> None:
    question = (
        "I'm 50, tried topiramate, propranolol, botox, aimovig and candesartan. A surgeon has "
        "offered me the nerve operation at the back of the head. What are my chances it helps?"
    )
    out = LAYER.apply(_answer(question))
    assert out.caveat is not None
    procedures = [e.procedure for e in out.evidence]
    occipital = next(
        p.name for p in REGISTRY.procedures if p.id == "occipital-nerve-decompression-migone"
    )
    assert occipital in procedures, procedures


def test_registry__an_external_device_is_not_an_implanted_stimulator() -> None:
    assert REGISTRY.find("does the Cefaly stimulator on the forehead work?") == []


def test_caveat__procedures_come_from_the_question_and_the_patient_not_fixed_messages() -> None:
    # The assistant's own turns (even one naming a procedure) never set the topic.
    history = [
        Turn(role="user", content="I'm thinking about magnesium."),
        Turn(role="assistant", content="Not in my sources. Fat transfer is described elsewhere."),
    ]
    out = LAYER.apply(_answer("does it help?"), history)
    assert [e.tier for e in out.evidence] == ["not-assessed"]
    assert "Magnesium" in out.evidence[0].procedure
    # A "not in my sources" answer naming a procedure adds nothing.
    out = LAYER.apply(
        _answer("Is reflexology worth it?", "Not in my sources: fat transfer 80%.", "no_evidence")
    )
    assert [e.tier for e in out.evidence] == ["not-assessed"]


def test_caveat__an_answer_stating_outcomes_of_another_procedure_adds_it_after() -> None:
    text = "“Fat grafting helped 69% of patients” [1]."
    out = LAYER.apply(_answer("Does the occipital nerve decompression work?", text))
    names = [e.procedure for e in out.evidence]
    assert names[0].startswith("Occipital nerve decompression")
    assert names[1].startswith("Fat transfer")


def test_caveat__the_conversation_gives_the_procedure_of_a_bare_follow_up() -> None:
    history = _turns("They offered me the heart hole closure.")
    out = LAYER.apply(_answer("what are the chances it works?"), history)
    assert out.evidence[0].procedure.startswith("Patent foramen ovale")


# ---- triage: symptom concepts in lay words ------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level"),
    [
        ("my head exploded with pain out of nowhere, never felt anything like it", "emergency"),
        ("high temperature and I can't touch my chin to my chest", "emergency"),
        ("fever and the light hurts my eyes so much I'm lying in the dark", "emergency"),
        ("my dad's face looks lopsided and he's slurring", "emergency"),
        ("Se me ha dormido el brazo y no puedo hablar bien", "emergency"),
        ("Je vois double depuis ce matin avec un mal de tête", "emergency"),
        ("Meine Frau ist plötzlich verwirrt und erkennt mich nicht", "emergency"),
        ("Ik ben gevallen, heb mijn hoofd gestoten en moet overgeven", "emergency"),
        ("Estou grávida de 8 meses, com dor de cabeça e vendo pontos de luz", "emergency"),
        ("la ferita dietro l'orecchio è rossa, calda e gonfia", "urgent"),
        ("three days after the op I have a temperature of 38.4 and chills", "urgent"),
        ("the dressing keeps soaking through with blood", "urgent"),
        # third persons, idioms, body-part slang and misspellings
        ("my wife suddenly can't lift her right arm and her speech is slurred", "emergency"),
        (
            "he's talking like he's had ten pints but hasn't drunk anything, and his head hurts",
            "emergency",
        ),
        ("his eyes rolled back and he was twitching all over, now he's drowsy", "emergency"),
        ("got a stif neck and a feaver of 39 with a bad headache", "emergency"),
        ("seeing dubble and my head is killing me", "emergency"),
        ("se me ha dormido media cara y me duele la cabeza", "emergency"),
        ("je sens plus mon bras droit et j'ai un mal de crâne terrible", "emergency"),
        ("ma fille a 39,8 de fièvre et hurle quand on lui penche la tête en avant", "emergency"),
        ("er ist umgekippt und war kurz weg, vorher hatte er Kopfschmerzen", "emergency"),
        ("mijn dochter heeft hoge koorts en kan haar hoofd niet naar voren buigen", "emergency"),
        ("não sinto meu braço direito e a dor de cabeça está horrível", "emergency"),
        ("mia madre ha mal di testa e non sa che giorno è", "emergency"),
        ("ça a explosé d'un coup dans ma tête, jamais eu ça, comme un coup de massue", "emergency"),
        ("Tag 3 nach der Okzipitalnerv-Dekompression, 38,9 Fieber und Schüttelfrost", "urgent"),
        ("le pusieron el estimulador el lunes y ahora tiene fiebre", "urgent"),
        ("het wondje van de operatie lekt geel vocht en is warm", "urgent"),
        ("prendo il cortisone da anni per l'artrite e ho un mal di testa nuovo", "urgent"),
        ("I'm on chemotherapy and have had a headache every day this week", "urgent"),
        ("ich bin 64 und habe seit ein paar Wochen eine neue Art von Kopfschmerzen", "urgent"),
        ("my headache gets worse every day and I keep vomiting", "urgent"),
    ],
)
def test_triage__lay_red_flags_in_several_languages(question: str, level: str) -> None:
    assert triage_level(question) == level
    out = LAYER.apply(_answer(question, "A reassuring quote [1]."))
    assert out.status == level and out.citations == []
    assert out.answer == (EMERGENCY_MESSAGE if level == "emergency" else URGENT_MESSAGE)


@pytest.mark.parametrize(
    "question",
    [
        "my usual migraine with aura is back, zigzag lines then the headache, as always",
        "I have a stiff neck from sleeping badly, no fever. Could that trigger migraines?",
        "is numbness normal after the operation?",
        "I'm pregnant: should I wait until after the birth to have the surgery?",
        "what is the worst side effect of the migone?",
        "How long does the scar stay red after the operation?",
        "Can the surgery cause a stroke?",
        "Tengo 62 años y migrañas desde joven, siempre iguales. ¿Me puedo operar?",
        "Is the study double-blind?",
        # conditions, advice, a resolved past, idioms, a patient confused about names
        "if I get a fever after the operation, who do I call?",
        "si jamais après l'opé j'ai de la fièvre, j'appelle qui ?",
        "se dopo l'intervento mi viene la febbre, chi devo chiamare?",
        "wenn ich nach der OP Fieber bekomme, wen rufe ich an?",
        "the doctor said if I ever get the worst headache of my life I should call 112",
        "I had a concussion 10 years ago, the CT was fine. Could that cause my migraines?",
        "tive uma convulsão aos 17 anos, nunca mais tive. posso operar?",
        "I almost fainted when I saw the bill",
        "j'ai failli tomber dans les pommes en voyant le prix",
        "quase desmaiei de susto com o preço",
        "there are so many names for these operations, im confused",
        "ich bin verwirrt wegen der vielen Namen",
    ],
)
def test_triage__hard_negatives_raise_no_alarm(question: str) -> None:
    assert triage(question) is None


def test_triage__context_from_earlier_messages() -> None:
    # The operation is in an earlier message; the fever is in the question.
    history = _turns("I had the nerve decompression five days ago.")
    assert triage_level("now I have a fever of 38.7", history) == "urgent"
    assert triage_level("now I have a fever of 38.7") is None


def test_triage__every_concept_has_paraphrases_in_seven_languages() -> None:
    for concept in red_flags().concepts:
        languages = {lang for lang, _ in concept.paraphrases}
        assert languages == {"en", "es", "fr", "de", "nl", "pt", "it"}, concept.id
        for _, text in concept.paraphrases:
            result = triage(text)
            assert result is not None and concept.id in result.concepts, text


# ---- the urgent level in every interface --------------------------------------------------------
# ---- round 3: forms and vetoes in more words ----------------------------------------------------
MORE_FORMS = [
    "is paracetamol enough for a bad migraine or do I need something stronger?",
    "basta o ibuprofeno para uma crise forte?",
    "heeft magnesium enig nut bij migraine?",
    "würde die Operation meine Attacken beenden?",
    "les triptans arrêtent-ils la crise plus vite que l'aspirine ?",
    "lo stimolatore è meglio dei farmaci per le crisi?",
    "il magnesio mi fa passare le crisi?",
    "keto for headaches: real thing or internet myth?",
    "wieviel bringt Akupunktur im Vergleich zu Tabletten?",
    "el aparato ese es fiable o es un sacadineros?",
    "a cirurgia é melhor que o botox ou é igual com mais risco?",
]


@pytest.mark.parametrize("question", MORE_FORMS)
def test_efficacy__more_forms_are_recognised(question: str) -> None:
    assert RULES.rules(question, question), question


MORE_NOT_EFFICACY = [
    "ab wann wirkt das neue Medikament ungefähr?",
    "hoe lang duurt het voordat topiramaat begint te werken?",
    "warum wirkt die Spritze erst nach ein paar Wochen?",
    "comment l'ibuprofène calme la douleur ?",
    "which muscle do they remove in the forehead operation?",
    "does baking soda get rid of the limescale in my kettle?",
    "helps the insurance me find a headache clinic?",
    "hilft mir die Krankenkasse bei der Suche nach einer Schmerzklinik?",
    "is it safe to work out my neck muscles after the surgery?",
    "¿cuánto cuesta más o menos la operación de migraña?",
    "nada alivia a pontada na cabeça à noite, isso é normal?",
]


@pytest.mark.parametrize("question", MORE_NOT_EFFICACY)
def test_efficacy__more_vetoes_hold(question: str) -> None:
    assert not RULES.rules(question, question), question


def test_efficacy__a_red_flag_report_is_no_efficacy_question_without_a_treatment() -> None:
    report = LAYER.apply(_answer("my headache won't go away and my face droops on one side"))
    assert report.status == "emergency" and not report.efficacy_question
    asked = LAYER.apply(_answer("my face droops on one side, did the Botox do this, does it work?"))
    assert asked.status == "emergency" and asked.efficacy_question


@pytest.mark.parametrize(
    ("question", "earlier", "first"),
    [
        ("is that better than a triptan?", "my doctor suggested Nurtec", "gepants"),
        ("c'est mieux que les bêtabloquants ?", "on me propose l'Aimovig", "cgrp-antibodies"),
    ],
)
def test_caveat__that_in_a_comparison_is_the_earlier_treatment(
    question: str, earlier: str, first: str
) -> None:
    out = LAYER.apply(_answer(question), _turns(earlier))
    assert out.efficacy_question
    label = default_catalogue().by_id(first).name
    assert out.evidence and out.evidence[0].procedure.lower().startswith(label.lower()[:12])


def test_caveat__a_doubled_letter_still_names_surgery() -> None:
    out = LAYER.apply(_answer("l'operazzione per l'emicrania è una truffa?"))
    assert out.efficacy_question
    assert [e.tier for e in out.evidence] != ["not-assessed"]


@pytest.mark.parametrize(
    ("question", "level"),
    [
        # swelling and a headache without sight changes: a doctor today (NHS: call the midwife or
        # GP now); with flashing lights or blurred sight, the emergency number
        ("I'm 33 weeks along, my face puffed up and the headache won't quit", "urgent"),
        ("33 weeks along, face puffed up, my head pounds and I see flashing lights", "emergency"),
        ("feverish and my neck will not bend forward, head is banging", "emergency"),
        ("my dad, 71, gets jaw pain when he chews and his temple is sore", "urgent"),
        ("the headache gets worse every single day and I throw up each morning", "urgent"),
        ("kopfschmerz jeden Tag schlimmer und morgens muss ich brechen", "urgent"),
        (
            "my usual aura is zigzags, but now my arm went limp all of a sudden, never like this",
            "emergency",
        ),
    ],
)
def test_triage__more_lay_words(question: str, level: str) -> None:
    assert triage_level(question) == level, question


@pytest.mark.parametrize(
    "question",
    [
        "I had one seizure at 16, nothing since, tests were fine. Can I still have the surgery?",
        "how will I know something is wrong after the op? fever, a red scar, etc.?",
        "my hand goes numb in the aura, the same as always for years, does that rule out surgery?",
        "fat injected into my head against the headaches, does that really help?",
    ],
)
def test_triage__more_hard_negatives(question: str) -> None:
    assert triage(question) is None, question


def _urgent() -> Answer:
    return LAYER.apply(_answer("my scar is red, hot and leaking pus", "Quote [1]."))


def test_ui__urgent_has_a_status_note_and_an_amber_red_alert() -> None:
    answer = _urgent()
    assert answer.status == "urgent"
    assert "urgent" in STATUS_NOTES
    alert = render_alert(answer)
    assert 'class="emergency-alert urgent-alert"' in alert and 'role="alert"' in alert
    assert "See a doctor today" in alert
    html = render_answer(answer, 1)
    assert 'class="status-note status-urgent" role="alert"' in html


def test_cli__urgent_and_emergency_answers_start_with_their_level() -> None:
    text = cli.format_answer(_urgent())
    assert text.splitlines()[0] == cli.STATUS_BANNERS["urgent"]
    assert URGENT_MESSAGE in text
    emergency = LAYER.apply(_answer("worst headache of my life, came on in seconds"))
    assert cli.format_answer(emergency).splitlines()[0] == cli.STATUS_BANNERS["emergency"]


URGENT_QUESTION = "I had the migone a week ago and the wound is red, hot and oozing pus"


class _Kept:
    """The shared built assistant, with an index already there and kept open after a command."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def ensure_index(self, *args: Any, **kwargs: Any) -> None:
        return None

    def close(self) -> None:
        return None


@pytest.mark.slow
def test_cli__ask_shows_the_urgent_level(
    built_assistant: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "make_assistant", lambda *args, **kwargs: _Kept(built_assistant))
    assert cli.main(["ask", URGENT_QUESTION]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == cli.STATUS_BANNERS["urgent"]
    assert cli.main(["ask", URGENT_QUESTION, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["status"] == "urgent" and answer["answer"] == URGENT_MESSAGE
    assert answer["citations"] == []


@pytest.fixture
def api_client(built_assistant: Any, tmp_path: Path) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from assistant.server import create_app
    from assistant.settings import Settings

    settings = Settings(
        knowledge_dir=ROOT / "knowledge",
        data_dir=tmp_path / "serve",
        api_keys="urgent-test-key-0123",
        audit_db_url=f"sqlite:///{tmp_path / 'audit.sqlite3'}",
    )
    client = TestClient(create_app(assistant=built_assistant, settings=settings, ui=False))
    client.__enter__()
    yield client
    client.__exit__(None, None, None)


@pytest.mark.slow
def test_api__urgent_in_the_json_and_first_in_the_stream(api_client: Any) -> None:
    auth = {"Authorization": "Bearer urgent-test-key-0123"}
    body = api_client.post("/api/v1/ask", json={"question": URGENT_QUESTION}, headers=auth).json()
    assert body["status"] == "urgent" and body["answer"] == URGENT_MESSAGE
    assert body["citations"] == []
    with api_client.stream(
        "POST", "/api/v1/ask/stream", json={"question": URGENT_QUESTION}, headers=auth
    ) as response:
        text = "".join(response.iter_text())
    first = text.split("\n\n")[0]
    assert first.startswith("event: status") and '"status": "urgent"' in first
