"""Readings that round 25 of the outside questions showed missing: red flags told in new words
(a sight half gone, "is sick when she gets up", rings that no longer come off in pregnancy, a
tumour under treatment), messages that only sound alarming (a droop the doctor put down to
Botox, a risk asked in the third person, a hangover's worst headache that came on slowly months
ago), efficacy asked in new forms (a follow-up that names the other treatment, "money well
spent", "if it works at all", how it went for the people of a study), failures told before a
practical question, and what a question asks (a gap phrase that starts with a treatment's name,
a cut that the scar is about, driving home).

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evidence import EvidenceRegistry
from assistant.guardrails.efficacy import EfficacyDetector
from assistant.guardrails.efficacy_rules import signals
from assistant.text import normalise
from assistant.types import Turn
from assistant.understanding import Understander
from tests.test_red_flag_concepts import _reading, assert_flags
from tests.test_round_twenty_readings import _subjects

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
REGISTRY = EvidenceRegistry.load(KNOWLEDGE / "evidence-registry.yaml")
RULES = EfficacyDetector(classifier=False)


# ---- chat shorthand ----------------------------------------------------------------------------
def test_normalise__chat_shorthand_is_read_as_its_words() -> None:
    assert normalise("Nn vedo più niente") == "non vedo piu niente"
    assert normalise("zonde van m’n geld") == "zonde van mijn geld"
    assert normalise("em qto tempo") == "em quanto tempo"
    # inside a word, the letters stay
    assert normalise("Jonny mnemonic") == "jonny mnemonic"


# ---- red flags told in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level", "concept"),
    [
        # half of what one sees gone, in both eyes
        (
            "sinds vanochtend mis ik de rechterhelft van alles wat ik zie",
            "emergency",
            "vision_loss",
        ),
        (
            "I keep missing the left half of everything I see since lunch",
            "emergency",
            "vision_loss",
        ),
        ("da un'ora nn vedo più la parte sinistra delle cose", "emergency", "vision_loss"),
        # one eye nearly blind
        ("acordei sem dor mas não enxergo quase nada do olho esquerdo", "emergency", "vision_loss"),
        (
            "two days after the eyelid surgery I can barely see out of my right eye",
            "emergency",
            "vision_loss",
        ),
        # a child sick on waking, with headaches that get worse
        (
            "my son wakes with a headache and is sick most mornings, and it seems to be getting "
            "worse",
            "urgent",
            "progressive_headache",
        ),
        # pregnancy: rings that no longer come off, a headache, sight normal
        (
            "32. Woche schwanger, die Ringe gehen nicht mehr ab und ich habe Kopfschmerzen",
            "urgent",
            "pregnancy_headache",
        ),
        # a tumour under treatment and a new headache
        (
            "sono in cura per un tumore al polmone e da una settimana ho mal di testa ogni giorno",
            "urgent",
            "immunocompromised_cancer",
        ),
        # cancer treated last year, and have since had a headache, worse every day
        (
            "I was treated for breast cancer last year and have since had a headache that is "
            "worse every day",
            "urgent",
            "immunocompromised_cancer",
        ),
    ],
)
def test_red_flags__new_words_are_read(question: str, level: str, concept: str) -> None:
    assert_flags(question, level, concept)


def test_red_flags__waiting_as_usual_is_what_to_do_not_a_usual_headache() -> None:
    question = (
        "Kopfschmerz in einer Sekunde voll da, wie ein Schlag, und der Nacken ist steif. "
        "Einfach abwarten wie sonst?"
    )
    assert _reading(question)[0] == "emergency"
    # the headache itself as usual still reads as usual
    assert _reading("Kopfschmerzen wie sonst auch, einfach abwarten?")[0] is None


@pytest.mark.parametrize(
    "question",
    [
        # a droop the neurologist put down to the injections, already better
        "my eyelid drooped a little after the botox, the neurologist said it's from the botox "
        "and it is improving. could the operation do that too?",
        # a risk asked about the operation, in the third person
        "¿puede la cirugía de la migraña dejarte la cara dormida para siempre?",
        "pode a cirurgia deixar a cara paralisada?",
        # the worst headache of a hangover, which came on slowly months ago and never again
        "ano passado tive a pior dor de cabeça da minha vida de ressaca, foi vindo aos poucos e "
        "nunca mais",
        # whiplash years ago, a pain in the nape since, a cause asked
        "faz uns 3 anos dei uma chicotada no pescoço e desde então dói a nuca, o que causa isso?",
    ],
)
def test_red_flags__messages_that_only_sound_alarming_raise_nothing(question: str) -> None:
    assert _reading(question) == (None, ()), question


# ---- efficacy in new forms ----------------------------------------------------------------------
def _turns(*texts: str) -> list[Turn]:
    return [Turn(role="user", content=t) for t in texts]


@pytest.mark.parametrize(
    ("question", "history"),
    [
        # a follow-up that names the other treatment, longer than a bare "and X?"
        ("and the one where they inject your own fat?", ["does the migone work?"]),
        ("et la version pour la nuque, la stimulation occipitale ?", ["la chirurgie marche ?"]),
        # how it went for the people of a study, how long it lasted for them
        ("¿y en esos 75 qué tal?", ["¿funciona la cirugía de los nervios?"]),
        ("y cuánto les duró?", ["¿la operación de los nervios funciona?"]),
        ("und bei wie vielen ist danach Ruhe?", ["was macht man bei der MIGONE-OP?"]),
    ],
)
def test_efficacy__follow_ups_in_new_forms_are_read(question: str, history: list[str]) -> None:
    assert RULES.rules(question, question, _turns(*history)), question


@pytest.mark.parametrize(
    "question",
    [
        "is the fat transfer money well spent?",
        "acham que a acupuntura é dinheiro bem gasto?",
        "zonde van mn geld, die acupunctuur?",
        "llevo un mes con propranolol y nada, ¿cuánto tarda o es que a mí no me va?",
        "a neuro passou topiramato, em qto tempo começa a agir? se é que funciona",
        "con la stimolazione il dolore cala tanto o poco?",
        "il lipofiling quanto dura come efetto?",
        "se lo chiudono, l'emicrania se ne va?",
        "mein Kollege hat sich am Hinterkopf operieren lassen und ist seitdem anfallsfrei. "
        "Kann ich mit dem gleichen rechnen?",
        "propranololo o topiramato, quale fa calare di più i giorni di emicrania?",
    ],
)
def test_efficacy__new_forms_are_read(question: str) -> None:
    assert RULES.detect(question, question), question


@pytest.mark.parametrize(
    "question",
    [
        # a failure told, then who to see or what happens at a first visit
        "Die Dekompression hat bei mir gar nichts gebracht. An wen wende ich mich jetzt?",
        "I've tried three preventives and none of them worked. What happens at a first "
        "appointment with a surgeon?",
        "la décompression n'a rien donné chez moi. je vais voir qui maintenant ?",
        "ho fatto la stimolazione e non è servita a niente, cosa mi rimane da provare?",
        # a dose in milligrams and a choice of form
        "quantos mg de magnésio por dia, e qual é melhor, o citrato ou o óxido?",
        # a pull on the wire, and whom to call
        "mi tira dove c'è il filo dello stimolatore, devo chiamare qualcuno?",
    ],
)
def test_efficacy__failures_told_and_practical_asks_are_not_efficacy(question: str) -> None:
    assert not RULES.detect(question, question), (question, signals(question))


def test_efficacy__a_success_told_then_a_bandage_asked_is_practical() -> None:
    question = "de chirurg zei dat het helemaal geslaagd was, hoe lang moet het drukverband nog om?"
    assert EfficacyDetector.asks_only_practical(question)
    assert not RULES.detect(question, question)


# ---- what a question asks -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander(REGISTRY)


def test_facets__a_phrase_that_starts_with_a_treatment_hides_its_own_last_words(
    understander: Understander,
) -> None:
    # "botox ... first before" is why Botox comes first, not who the operation suits
    question = "they want botox injections first before they will discuss the operation, why?"
    assert understander.understand(question).facets == ("diagnosis",)


@pytest.mark.parametrize(
    ("question", "language", "facet"),
    [
        ("hoe groot wordt de snee, blijft er een litteken?", "nl", "scar"),
        ("o corte fica onde? vai ficar cicatriz?", "pt", "scar"),
        ("mag ik na de ingreep zelf naar huis rijden?", "nl", "recovery"),
        ("darf ich nach der OP selber heimfahren?", "de", "recovery"),
        ("después de la operación, ¿cuánto tiempo sin hacer esfuerzos?", "es", "recovery"),
        ("dopo le iniezioni di grasso quanto dolore c'è?", "it", "pain_after"),
    ],
)
def test_facets__the_cut_driving_home_and_effort_are_read(
    understander: Understander, question: str, language: str, facet: str
) -> None:
    assert understander.facets_in(question, language) == [facet], question


def test_procedures__lay_names_of_fat_and_of_the_temple_arteries(
    understander: Understander,
) -> None:
    assert understander.understand("me ofrecen meterme grasa en la cabeza").procedures == (
        "fat-transfer",
    )
    arteries = "a surgeon offered to close off the arteries on my temples, does it work?"
    assert understander.understand(arteries).procedures == ("arterial-surgery",)
    assert [p.id for p in REGISTRY.find(arteries)] == ["arterial-surgery"]


def test_follow_up__the_first_one_told_as_failed_is_not_the_one_picked(
    understander: Understander,
) -> None:
    history = [
        Turn(
            role="user",
            content="me operaron de los nervios y sigo igual, ahora me ofrecen meterme grasa",
        ),
        Turn(role="assistant", content="..."),
    ]
    question = "¿hay estudios en gente a la que no le funcionó la primera?"
    assert understander.understand(question, history).procedures == ("fat-transfer",)


# ---- the treatment a caveat names ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # nerve surgery in general words, at the back of the head: the occipital decompression
        (
            "als ik die zenuwoperatie achter in m'n hoofd laat doen, ben ik er dan vanaf?",
            "occipital-nerve-decompression-migone",
        ),
        # trigger sites named: the general operation, whatever place
        ("does trigger site surgery at the back of the head work?", "trigger-site-surgery"),
        # misspelt and brand names of medicines
        ("a mí me funcionaría la flunaricina?", "flunarizine"),
        ("et l'avlocardyl, ça marche ?", "beta-blockers"),
        ("werkt amitryptiline tegen migraine?", "amitriptyline"),
        ("uma goteira do dentista resolve a enxaqueca?", "dental-splint"),
        # one l in lipofilling
        ("blijft het effect van lipofiling tegen migraine?", "fat-transfer"),
    ],
)
def test_caveat__names_the_treatment_asked_in_new_words(question: str, expected: str) -> None:
    assert _subjects(question)[:1] == [expected], question


def test_caveat__chat_fillers_are_no_treatment_name() -> None:
    from assistant.guardrails.caveat import asked_subjects
    from assistant.guardrails.treatments import default_catalogue

    history = [Turn(role="user", content="thinking of trying CBD oil for my migraines")]
    question = "ok but like... is it legit or not"
    subjects = asked_subjects(REGISTRY, question, question, history, default_catalogue())
    assert [s.key for s in subjects] == ["cannabis"], subjects


def test_treatments__a_practitioner_who_spoke_of_it_is_no_treatment(
    understander: Understander,
) -> None:
    history = [
        Turn(role="user", content="c'est quoi la névralgie d'Arnold ? mon kiné m'en a parlé"),
        Turn(role="assistant", content="..."),
    ]
    got = understander.understand("et on la différencie comment d'une migraine ?", history)
    assert not [t for t in got.treatments if not t.background], got.treatments
