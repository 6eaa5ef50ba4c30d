"""The learned layers of the guardrails: the multilingual question encoder, the shipped
efficacy and red-flag classifiers, and how the layer combines them with the rules (read once,
before anything is composed). The sentences are written for these tests, not taken from any
eval set."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.evidence import EvidenceRegistry
from assistant.guardrails.classifiers import (
    EFFICACY_FILE,
    RED_FLAG_FILE,
    LinearClassifier,
    efficacy_classifier,
    red_flag_classifier,
    triage_text,
)
from assistant.guardrails.encoder import MODEL_ID, default_encoder
from assistant.guardrails.layer import LEARNED, GuardrailLayer
from assistant.types import Answer, Turn

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = EvidenceRegistry.load(ROOT / "knowledge" / "evidence-registry.yaml")


def _cosine(a: str, b: str) -> float:
    va, vb = default_encoder().encode([a, b])
    return float(va @ vb)


def test_encoder__reads_the_same_question_alike_across_languages() -> None:
    english = "My wife suddenly cannot move her arm and her speech is slurred"
    for translation in (
        "Mijn vrouw kan ineens haar arm niet bewegen en ze praat onduidelijk",
        "Mi mujer de repente no puede mover el brazo y habla arrastrando las palabras",
        "Meine Frau kann plötzlich den Arm nicht bewegen und spricht verwaschen",
    ):
        unrelated = "How much does the operation cost without insurance?"
        assert _cosine(english, translation) > _cosine(translation, unrelated) + 0.05


def test_encoder__gives_unit_rows_for_every_text_even_empty() -> None:
    rows = default_encoder().encode(["a question", "", "   "])
    assert rows.shape == (3, 384)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-3)


def test_encoder__a_text_given_twice_gets_the_row_it_gets_alone() -> None:
    encoder = default_encoder()
    first, other = "does the nerve operation work?", "hilft die Operation?"
    rows = encoder.encode([first, other, first])
    assert rows.shape == (3, 384)
    assert np.allclose(rows[0], rows[2])
    assert np.allclose(rows[0], encoder.encode([first])[0], atol=1e-5)
    assert np.allclose(rows[1], encoder.encode([other])[0], atol=1e-5)
    assert not np.allclose(rows[0], rows[1])


@pytest.mark.parametrize("path", [EFFICACY_FILE, RED_FLAG_FILE])
def test_shipped_classifiers__name_the_encoder_and_carry_their_round_out_figures(
    path: Path,
) -> None:
    classifier = LinearClassifier.load(path)
    assert classifier.model == MODEL_ID and classifier.dimension == 384
    assert 0.5 <= classifier.threshold < 1.0
    combined = classifier.meta["cross_validated"]["all"]["rules_and_classifier"]
    assert combined["recall"] >= 0.95 and combined["false_positive_rate"] <= 0.05


def test_a_classifier_trained_on_another_model_is_refused(tmp_path: Path) -> None:
    data = json.loads(RED_FLAG_FILE.read_text(encoding="utf-8"))
    data["model"] = "all-MiniLM-L6-v2"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="trained on all-MiniLM-L6-v2"):
        LinearClassifier.load(other)


@pytest.mark.parametrize(
    "message",
    [
        "my husband collapsed and now he is shaking all over and won't answer me",
        "mi hijo se dio un golpe fuerte en la cabeza, vomita y está muy dormido",
        "ma fille a 40 de fièvre, la nuque raide et des petites taches violettes",
        "ich sehe seit einer Stunde auf einem Auge gar nichts mehr",
        "na de operatie loopt er pus uit de wond en ik heb koorts",
        "estou grávida de 36 semanas, vejo luzes a piscar e tenho os pés muito inchados",
        "all'improvviso il peggior mal di testa della mia vita, come una bomba",
    ],
)
def test_shipped_red_flag_classifier__reads_plain_descriptions_in_seven_languages(
    message: str,
) -> None:
    """The classifier alone ranks each as a red flag (its threshold is set higher, to keep false
    alarms down, where it backs the rules)."""
    probabilities = red_flag_classifier().probabilities(default_encoder().encode([message])[0])
    assert probabilities["none"] < 0.5
    assert GuardrailLayer(REGISTRY).read(message, message).triage is not None


@pytest.mark.parametrize(
    "message",
    [
        "how long is the hospital stay after nerve decompression?",
        "wat kost een operatie voor migraine?",
        "¿quién inventó la cirugía de migraña?",
    ],
)
def test_shipped_red_flag_classifier__leaves_ordinary_questions(message: str) -> None:
    probabilities = red_flag_classifier().probabilities(default_encoder().encode([message])[0])
    assert probabilities["none"] > 0.5


def test_layer__a_usual_aura_is_not_a_red_flag() -> None:
    message = "my usual aura came and went like always, then the normal migraine"
    assert GuardrailLayer(REGISTRY).read(message, message).triage is None


def test_shipped_efficacy_classifier__reads_efficacy_in_other_languages() -> None:
    encoder, classifier = default_encoder(), efficacy_classifier()
    asks = encoder.encode(
        ["vale mesmo a pena operar os nervos da nuca?", "bringt die Nacken-OP wirklich was?"]
    )
    facts = encoder.encode(["quanto tempo dura a operação?", "wie lange dauert die Narkose?"])
    assert all(classifier.flags(v) for v in asks)
    assert not any(classifier.flags(v) for v in facts)


def _pointing(at: str, away_from: str, level: int) -> LinearClassifier:
    """A red-flag classifier that flags texts like ``at`` (at ``level``: 1 urgent, 2
    emergency) and not texts like ``away_from``."""
    a, b = default_encoder().encode([at, away_from])
    weights = np.zeros((3, 384), dtype=np.float32)
    weights[level] = 60.0 * (a - b)
    return LinearClassifier(
        classes=("none", "urgent", "emergency"),
        weights=weights,
        bias=np.zeros(3, dtype=np.float32),
        threshold=0.9,
        model=MODEL_ID,
        meta={},
    )


def _answer(question: str) -> Answer:
    return Answer(
        question=question,
        standalone_question=question,
        status="answered",
        answer="Surgery helps 80% of patients [1].",
    )


def test_layer__a_learned_red_flag_is_shown_first_with_no_quotes() -> None:
    message = "the thing in my head feels odd today, I can't quite say how"  # no rule fires
    ordinary = "what is the recovery time after fat transfer?"
    layer = GuardrailLayer(REGISTRY, red_flags=_pointing(message, ordinary, level=1))
    reading = layer.read(message, message)
    assert reading.triage is not None and reading.triage.concepts == (LEARNED,)
    assert reading.fixed_status == "urgent"
    out = layer.apply(_answer(message), reading=reading)
    assert out.status == "urgent" and out.citations == [] and "80%" not in out.answer
    assert layer.read(ordinary, ordinary).triage is None
    # Without the learned layers the rules decide alone.
    assert GuardrailLayer(REGISTRY, learned=False).read(message, message).triage is None


def test_layer__the_encoder_reads_only_what_a_classifier_or_the_answer_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    encoder = default_encoder()
    read: list[str] = []
    encode = encoder.encode

    def spy(texts: list[str]) -> np.ndarray:
        read.extend(texts)
        return encode(texts)

    monkeypatch.setattr(encoder, "encode", spy)
    layer = GuardrailLayer(REGISTRY, encoder=encoder)
    # A red flag told in so many words: no classifier is asked and nothing is encoded.
    alarm = "the worst headache of my life came on suddenly a minute ago"
    assert layer.read(alarm, alarm).triage is not None and read == []
    # An efficacy question the rules read, naming no symptom: encoded only for the answer.
    asked = "does occipital nerve decompression work?"
    reading = layer.read(asked, asked, keep_vector=False)
    assert reading.efficacy and reading.vector is None and read == []
    reading = layer.read(asked, asked)
    assert reading.efficacy and reading.vector is not None and read == [asked]
    # A first message naming a symptom is both texts the layers read: it is encoded once.
    read.clear()
    told = "I get a dull headache most evenings, is that common?"
    reading = layer.read(told, told)
    assert reading.triage is None and reading.vector is not None and read == [told]


def test_layer__the_classifier_never_flags_a_message_that_names_no_symptom() -> None:
    nonsense = "a" * 300 + "?"
    layer = GuardrailLayer(REGISTRY, red_flags=_pointing(nonsense, "hello there", level=2))
    assert layer.red_flags is not None
    assert layer.red_flags.flags(default_encoder().encode([nonsense])[0])
    assert layer.read(nonsense, nonsense).triage is None


def test_layer__the_classifier_is_not_asked_when_the_message_rules_out_the_warning_signs() -> None:
    calm = "day 4 after the op, forehead a bit puffy and sore at the cut, no fever, wound is clean"
    worried = "day 4 after the op, forehead a bit puffy and sore at the cut, is that normal?"
    layer = GuardrailLayer(REGISTRY, red_flags=_pointing(calm, "hello there", level=1))
    assert layer.red_flags is not None
    assert layer.red_flags.flags(default_encoder().encode([calm])[0])
    assert layer.read(calm, calm).triage is None
    # Without both signs ruled out the classifier is asked as before.
    layer = GuardrailLayer(REGISTRY, red_flags=_pointing(worried, "hello there", level=1))
    reading = layer.read(worried, worried)
    assert reading.triage is not None and reading.triage.concepts == (LEARNED,)


def test_layer__the_learned_level_is_the_likelier_of_emergency_and_urgent() -> None:
    message = "something is really wrong with my head right now"
    layer = GuardrailLayer(REGISTRY, red_flags=_pointing(message, "hello there", level=2))
    reading = layer.read(message, message)
    assert reading.triage is not None and reading.triage.level == "emergency"


def test_triage_text__reads_the_message_with_the_patients_previous_one() -> None:
    history = [
        Turn(role="user", content="I had the nerve surgery a week ago"),
        Turn(role="assistant", content="..."),
    ]
    assert triage_text("now the cut is hot and leaking", history) == (
        "I had the nerve surgery a week ago now the cut is hot and leaking"
    )
    assert triage_text("hello") == "hello"
