"""Readings that round 26 of the outside questions showed missing: red flags told in new words
(a knock to the head followed by being sick, an operation named without "the", the fat taken
from the thighs, a ball against the temple, an arm that will not go up, a headache there in one
second, bleeding that goes on while pressing in European Portuguese), messages that only sound
alarming (a worst run of migraines, a risk asked with "can it make you", the difference between
two headaches, a faint at the sight of needles, a cancer long cured with the usual migraine, a
clean wound), efficacy asked in new forms (for life, how long one has peace, coming up to the
pills, people who notice no difference, being healed, throwing the pills away), and what a
question asks (a named doctor, skin left numb, the kind of person who is operated on, a "scary"
that is no scar, being put to sleep, how many rounds of Botox), and what the caveat is about (what
the last reply offered, when a short follow-up points back; lay names of operations, devices and
glasses).

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evidence import EvidenceRegistry
from assistant.guardrails.caveat import asked_subjects
from assistant.guardrails.efficacy import EfficacyDetector
from assistant.guardrails.efficacy_rules import signals
from assistant.guardrails.layer import rules_out_warning_signs
from assistant.guardrails.treatments import default_catalogue
from assistant.guardrails.triage import is_personal_decision
from assistant.types import Turn
from assistant.understanding import Understander
from tests.test_red_flag_concepts import _reading, assert_flags

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
REGISTRY = EvidenceRegistry.load(KNOWLEDGE / "evidence-registry.yaml")
RULES = EfficacyDetector(classifier=False)


# ---- red flags told in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level", "concept"),
    [
        # a knock to the head, then thrown up
        (
            "got a knock to the head at training and I've thrown up twice since",
            "emergency",
            "head_injury",
        ),
        # an operation named without "the", then a fever
        (
            "she had nerve surgery at the back of her neck three days ago, now 38.7 and shivering",
            "urgent",
            "postop_fever",
        ),
        # the fat taken from the thighs, the donor site red and hot
        (
            "le hicieron lo de la grasa, se la sacaron de la barriga, y la zona está roja y "
            "caliente",
            "urgent",
            "postop_wound",
        ),
        # a ball against the temple, a headache that gets worse
        (
            "gisteren een bal tegen mijn slaap gekregen en de hoofdpijn wordt erger",
            "emergency",
            "head_injury",
        ),
        # an arm that will not go up, one side of the face numb
        (
            "sinds een uur krijg ik mijn rechterarm niet goed omhoog",
            "emergency",
            "neuro_deficit",
        ),
        ("de linkerkant van mijn gezicht voelt ineens dof", "emergency", "neuro_deficit"),
        # a headache there in one second, still there
        (
            "de hoofdpijn kwam in 1 seconde op en doet nog altijd verschrikkelijk pijn",
            "emergency",
            "thunderclap",
        ),
        # bleeding that goes on while pressing, in European Portuguese
        (
            "fui operado ontem, o penso está cheio de sangue e continua mesmo a carregar há "
            "vinte minutos",
            "emergency",
            "uncontrolled_bleeding",
        ),
    ],
)
def test_red_flags__new_words_are_read(question: str, level: str, concept: str) -> None:
    assert_flags(question, level, concept)


@pytest.mark.parametrize(
    "question",
    [
        # a worst run of attacks, the usual ones building slowly
        "la peor racha de mi vida, migrañas casi a diario, las de siempre, que suben poco a poco",
        # a risk asked with "can it make you", "can one be", "can you get"
        "est-ce que cette opération peut rendre aveugle ?",
        "kann man nach der OP dauerhaft gelähmt sein?",
        "kun je er een infectie of een nabloeding van krijgen?",
        # the difference between two headaches, the usual one building slowly
        "wat is het verschil tussen een donderslaghoofdpijn en migraine? de mijne komt altijd "
        "langzaam opzetten",
        # a faint at the sight of needles, a known reflex
        "ik val altijd flauw als ik een naald zie, kan ik die operatie wel aan?",
        # a cancer long cured, the migraine the usual one
        "ho avuto un linfoma 12 anni fa, ora sono guarito e l'emicrania è quella di sempre",
    ],
)
def test_red_flags__messages_that_only_sound_alarming_raise_nothing(question: str) -> None:
    assert _reading(question) == (None, ()), question


def test_red_flags__the_german_word_im_is_no_report_of_the_patient() -> None:
    # "im" is a German preposition here, not the English "I'm"
    assert _reading("kann man nach der op im gesicht gelähmt werden?") == (None, ())
    # the English "im" still reports
    assert _reading("im so scared, one side of my face is drooping")[0] == "emergency"


def test_red_flags__immer_noch_and_sempre_peggio_are_no_habit() -> None:
    # "still" and "worse and worse" are not "always": the alarm stays
    still = (
        "seit gestern Abend die schlimmsten Kopfschmerzen meines Lebens, und sie sind immer noch da"
    )
    assert _reading(still)[0] == "emergency"
    assert (
        _reading("sinds vannacht de ergste hoofdpijn van mijn leven, en ze is er nog altijd")[0]
        == "emergency"
    )
    assert _reading("il mal di testa è sempre peggio e vomito ogni mattina")[0] == "urgent"


def test_learned_layer__a_clean_wound_told_alone_keeps_it_out() -> None:
    assert rules_out_warning_signs("the scar itches a bit, it is clean and dry, no redness")
    # a symptom beside the clean wound, or a fever, still asks the learned layer
    assert not rules_out_warning_signs("the wound is clean but my head is pounding")
    assert not rules_out_warning_signs("the wound looks fine but I have a fever")


# ---- efficacy in new forms ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "après l'opération on est tranquille pour la vie ?",
        "wie lange hab ich nach der Blockade Ruhe?",
        "kommt Mutterkraut an die Tabletten ran?",
        "e há quem não sinta diferença nenhuma com a riboflavina?",
        "se eu fizer a cirurgia vou sarar?",
        "o aimovig é milhor que o topiramato?",
    ],
)
def test_efficacy__new_forms_are_read(question: str) -> None:
    assert RULES.detect(question, question), (question, signals(question))


def test_efficacy__pills_thrown_away_after_an_operation_is_efficacy() -> None:
    question = "se mi opero alla nuca posso buttare via le pastiglie?"
    assert signals(question).weak
    assert RULES.detect(question, question)


def test_efficacy__a_numb_scalp_that_may_come_back_is_a_side_effect() -> None:
    question = "my scalp has been numb since the nerve release, does the feeling come back?"
    assert "side_effect" in signals(question).vetoes
    assert not RULES.detect(question, question)


@pytest.mark.parametrize(
    "question",
    [
        # when to have it: before or after an event, in a season
        "is it better to have the op before or after our holiday in August?",
        "vaut-il mieux se faire opérer en hiver ?",
        "Ist es besser, die OP im Sommer zu machen?",
        # a mechanism: supposed to stop, the theory behind it, what it does at the nerve
        "how is cutting a muscle supposed to stop a migraine? what's the theory behind it?",
        "Was macht die Spritze eigentlich am Nerv?",
        # a percentage that is a refund, a public health service, an operation under local
        "is Aimovig reimbursed at 100%?",
        "can I get erenumab on the NHS?",
        "does the operation work under local anaesthetic?",
        # what a word means, another dose, a next step after a failure
        "il neurologo dice che sono refrattaria, che vuol dire?",
        "tomei dois comprimidos e não passou, posso tomar o terceiro?",
        "niks heeft geholpen, wat is de volgende stap?",
    ],
)
def test_efficacy__practical_questions_in_effect_words_are_not_efficacy(question: str) -> None:
    assert not RULES.detect(question, question), (question, signals(question))


# ---- what a question asks -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander(REGISTRY)


@pytest.mark.parametrize(
    ("question", "language", "facet"),
    [
        # a named doctor: who provides it, not how well it works
        ("hat jemand Erfahrungen mit Dr. Meierhofer? ist der seriös?", "de", "provider"),
        ("¿conocen al doctor Paredes de Sevilla? ¿es bueno?", "es", "provider"),
        # skin left numb: its own facet, in the question's words
        ("will my scalp stay numb after the nerve release?", "en", "numbness"),
        ("après l'opération on reste engourdi derrière la tête ?", "fr", "numbness"),
        ("bleibt die Kopfhaut nach der OP taub?", "de", "numbness"),
        ("blijft mijn achterhoofd gevoelloos na de operatie?", "nl", "numbness"),
        ("depois da cirurgia a nuca fica dormente?", "pt", "numbness"),
        ("dopo l'intervento la nuca resta intorpidita?", "it", "numbness"),
        ("¿después se queda dormida la parte de atrás de la cabeza?", "es", "numbness"),
        # the kind of person operated on, and too early
        ("am I the kind of person they operate on, or is it too early?", "en", "who_suits"),
        # put to sleep is the anaesthesia, not how the operation is done
        ("na cirurgia põem-nos a dormir ou é anestesia local?", "pt", "anaesthesia"),
    ],
)
def test_facets__new_words_are_read(
    understander: Understander, question: str, language: str, facet: str
) -> None:
    assert understander.facets_in(question, language) == [facet], question


def test_facets__a_numbness_asked_after_a_story_is_what_is_asked(
    understander: Understander,
) -> None:
    question = (
        "my aunt had the nerve op at the back of her head and now her scalp is numb. "
        "is that a common effect?"
    )
    assert understander.facets_in(question, "en") == ["numbness"]


def test_facets__a_numb_patch_told_beside_another_question_is_no_numbness_question(
    understander: Understander,
) -> None:
    question = "which area does the occipital nerve supply? the numb bit on my scalp is at the top"
    assert "numbness" not in understander.facets_in(question, "en")


def test_facets__scary_is_no_scar(understander: Understander) -> None:
    assert "scar" not in understander.facets_in("what do they do in it? sounds scary", "en")
    assert understander.facets_in("will it leave a scar?", "en") == ["scar"]


def test_procedures__the_arteries_on_the_scalp_name_arterial_surgery(
    understander: Understander,
) -> None:
    question = "there's an op where they do something to the arteries on your scalp, what is it?"
    assert understander.understand(question).procedures == ("arterial-surgery",)


def test_treatments__a_neck_cracked_names_chiropractic_even_after_the_chiropractor_spoke() -> None:
    question = "my chiropractor says cracking my neck every week will sort my migraines, true?"
    found = [m.treatment.id for m in default_catalogue().find(question) if m.treatment]
    assert "chiropractic" in found, found


def test_personal_decision__how_many_rounds_then_do_i_have_to_wait_is_no_dose() -> None:
    question = (
        "how many rounds of botox do I need before they can tell, and do I have to wait "
        "before the operation?"
    )
    assert not is_personal_decision(question)
    assert is_personal_decision("how many triptans can I take in a day?")


# ---- what the caveat is about -------------------------------------------------------------------
def _caveat_subjects(question: str, history: list[Turn]) -> list[str]:
    subjects = asked_subjects(REGISTRY, question, question, history, default_catalogue())
    return [s.key for s in subjects]


def test_caveat__a_short_pointing_follow_up_is_about_what_the_last_reply_offered() -> None:
    history = [
        Turn(role="user", content="my nerve decompression stopped working after a year"),
        Turn(
            role="assistant",
            content="Some surgeons then offer fat grafting around the nerves; ask a specialist.",
        ),
    ]
    assert _caveat_subjects("would that help me this time?", history) == ["fat-transfer"]
    # a question that names its own treatment keeps it
    assert _caveat_subjects("would the decompression work a second time?", history) == [
        "trigger-site-surgery"
    ]
    # a reply that names nothing new leaves the patient's treatment
    plain = [history[0], Turn(role="assistant", content="I'm sorry to hear that.")]
    assert _caveat_subjects("would that help me this time?", plain) == ["trigger-site-surgery"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("¿me opero del nervio occipital, funciona?", "occipital-nerve-decompression-migone"),
        (
            "hilft es, wenn man sich am Hinterkopfnerv operieren lässt?",
            "occipital-nerve-decompression-migone",
        ),
        ("is die migoen operatie het waard?", "occipital-nerve-decompression-migone"),
        ("vaatjes op je slaap laten dichtbranden, werkt dat?", "arterial-surgery"),
        ("helpen die stroomdraadjes in je achterhoofd echt?", "nerve-and-spinal-cord-stimulation"),
        ("will getting my deviated septum straightened help my migraines?", "nasal-surgery"),
        ("helpt een neusoperatie tegen migraine?", "nasal-surgery"),
        ("les lunettes anti lumière bleue, ça marche contre la migraine ?", "tinted-glasses"),
        ("gafas con filtro de luz azul, ¿sirven para la migraña?", "tinted-glasses"),
        ("l'acuponcture ça marche ?", "acupuncture"),
    ],
)
def test_caveat__names_the_treatment_asked_in_new_words(question: str, expected: str) -> None:
    assert _caveat_subjects(question, [])[:1] == [expected], question
