"""Red-flag triage: where a symptom word stops counting (the remote past, a negation), which
level a concept gets, and lay words of concepts, in the seven languages.

Every sentence here is a new wording (none is copied from the eval sets); each table checks one
general behaviour, with the near miss that must still raise the alarm beside it.
"""

from __future__ import annotations

import pytest

from assistant.guardrails.triage import RedFlags, triage, triage_level


def _concepts(question: str) -> tuple[str, ...]:
    result = triage(question)
    return result.concepts if result else ()


# ---- the remote past: what a clause tells of years ago is over ----------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "ten years ago I had a sudden terrible headache, the scans were clear. Can I have the op?",
        "hace 6 años tuve un dolor de cabeza brutal de repente, el TAC salió bien. ¿Me afecta?",
        "il y a dix ans j'ai eu un mal de tête soudain et atroce, le scanner était normal",
        "vor sechs Jahren hatte ich plötzlich heftige Kopfschmerzen, die Untersuchungen waren gut",
        "zes jaar geleden had ik ineens verschrikkelijke hoofdpijn, de scan was goed. Mag dat?",
        "anos atrás tive uma dor de cabeça súbita e horrível, os exames deram normais",
        "dieci anni fa ho avuto un mal di testa improvviso e atroce, la TAC era normale",
        "when my aunt was pregnant years ago she had a headache and saw flashing lights, genetic?",
    ],
)
def test_triage__a_red_flag_told_of_the_remote_past_raises_no_alarm(question: str) -> None:
    assert triage(question) is None


@pytest.mark.parametrize(
    "question",
    [
        "years ago I had the same and now again a sudden terrible headache",
        "hace 6 años me pasó algo así y ahora otra vez un dolor de cabeza brutal de repente",
        "vor Jahren war es ähnlich, aber heute plötzlich heftige Kopfschmerzen wie noch nie",
        "ik had dit jaren geleden, maar vandaag ineens de ergste hoofdpijn van mijn leven",
        "anni fa niente del genere; oggi di colpo il mal di testa peggiore della mia vita",
    ],
)
def test_triage__the_remote_past_beside_a_red_flag_now_keeps_it(question: str) -> None:
    assert triage_level(question) == "emergency"


@pytest.mark.parametrize(
    "question",
    [
        # "for twenty years" is no past event: the familiar aura still cancels
        "se me duerme la mano durante el aura, como siempre desde hace 20 años",
        # a qualifier told with a past clause still counts ("different" keeps the alarm)
        "tenho enxaqueca há anos mas isto é diferente: explodiu em segundos, a pior da minha vida",
    ],
)
def test_triage__ongoing_years_and_qualifiers_are_not_the_remote_past(question: str) -> None:
    level = triage_level(question)
    assert level == ("emergency" if "explodiu" in question else None)


def test_triage__a_cancer_told_of_last_year_still_counts() -> None:
    assert "immunocompromised_cancer" in _concepts(
        "I was treated for breast cancer last year, and I have had a headache every day since"
    )


def test_triage__the_past_scope_is_read_from_the_cues() -> None:
    data = {
        "negation": r"\bno\W*$",
        "cues": {"general": [r"(?!x)x"], "report": [r"(?!x)x"], "past": [r"\bago\b"]},
        "terms": {"faint": [r"\bfainted\b"]},
        "concepts": [{"id": "faint", "level": "emergency", "any_of": [["faint"]]}],
    }
    flags = RedFlags(data)
    assert flags.triage("years ago I fainted") is None
    assert flags.triage("years ago, nothing; I fainted") is not None
    data["cues"] = {**data["cues"], "now": [r"\bagain\b"]}
    assert RedFlags(data).triage("years ago I fainted and again I fainted") is not None


# ---- a sign denied in Dutch and German ----------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level"),
    [
        ("twee weken na de operatie jeukt het litteken, het is niet rood of warm", None),
        ("die Narbe spannt seit der OP, sie ist aber nicht rot oder heiß", None),
        ("mijn dochter heeft niet echt koorts, wel een stijve nek van het sporten", None),
        ("het litteken is sinds de operatie rood en warm en er komt pus uit", "urgent"),
        ("die Narbe ist seit der OP rot, heiß und nässt", "urgent"),
    ],
)
def test_triage__a_sign_denied_with_niet_or_nicht_does_not_count(
    question: str, level: str | None
) -> None:
    assert triage_level(question) == level
