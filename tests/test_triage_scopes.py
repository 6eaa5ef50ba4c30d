"""Red-flag triage: where a symptom word stops counting (the remote past, a negation), which
level a concept gets, and lay words of concepts, in the seven languages.

Every sentence here is a new wording (none is copied from the eval sets); each table checks one
general behaviour, with the near miss that must still raise the alarm beside it.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from assistant.guardrails.triage import RedFlags, triage, triage_level
from assistant.types import Turn


def _concepts(question: str) -> tuple[str, ...]:
    result = triage(question)
    return result.concepts if result else ()


# ---- the remote past: what a clause tells of years ago is over -----------------------------------
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
        "two years ago I had the implant put in and the wound is still red, hot and oozing",
        "hace 6 años me pasó algo así y ahora otra vez un dolor de cabeza brutal de repente",
        "vor Jahren war es ähnlich, aber heute plötzlich heftige Kopfschmerzen wie noch nie",
        "ik had dit jaren geleden, maar vandaag ineens de ergste hoofdpijn van mijn leven",
        "anni fa niente del genere; oggi di colpo il mal di testa peggiore della mia vita",
    ],
)
def test_triage__the_remote_past_beside_a_red_flag_now_keeps_it(question: str) -> None:
    assert triage(question) is not None


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
    cues: dict[str, list[str]] = {
        "general": [r"(?!x)x"],
        "report": [r"(?!x)x"],
        "past": [r"\bago\b"],
    }
    data: dict[str, Any] = {
        "negation": r"\bno\W*$",
        "cues": cues,
        "terms": {"faint": [r"\bfainted\b"]},
        "concepts": [{"id": "faint", "level": "emergency", "any_of": [["faint"]]}],
    }
    flags = RedFlags(data)
    assert flags.triage("years ago I fainted") is None
    assert flags.triage("years ago, nothing; I fainted") is not None
    data["cues"] = {**cues, "now": [r"\bagain\b"]}
    assert RedFlags(data).triage("years ago I fainted and again I fainted") is not None


def test_triage__a_year_before_this_one_is_the_remote_past_and_this_year_is_not() -> None:
    this_year = datetime.date.today().year
    told = "in {year} I had a sudden terrible headache and the scan was clear. Can I have the op?"
    assert triage(told.format(year=this_year - 1)) is None
    assert triage(told.format(year=this_year - 30)) is None
    assert triage(told.format(year=this_year)) is not None


# ---- a sign denied in Dutch and German -----------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "level"),
    [
        ("twee weken na de operatie jeukt het litteken, het is niet rood of warm", None),
        ("die Narbe spannt seit der OP, sie ist aber nicht rot oder heiß", None),
        ("die Narbe juckt seit der OP, ist aber weder rot noch warm", None),
        ("mijn dochter heeft niet echt koorts, wel een stijve nek van het sporten", None),
        ("het litteken is sinds de operatie rood en warm en er komt pus uit", "urgent"),
        ("die Narbe ist seit der OP rot, heiß und nässt", "urgent"),
    ],
)
def test_triage__a_sign_denied_with_niet_or_nicht_does_not_count(
    question: str, level: str | None
) -> None:
    assert triage_level(question) == level


# ---- levels: bleeding that pressure does not stop is an emergency --------------------------------
@pytest.mark.parametrize(
    ("question", "level"),
    [
        ("since the op the scalp wound bleeds through every pad, I've pressed for 25 minutes", "e"),
        ("la cicatriz sangra sin parar y me cae por el cuello aunque presiono", "e"),
        ("ça saigne toujours, le pansement est trempé malgré la compression", "e"),
        ("die Naht blutet stark durch den Verband, trotz Druck hört es nicht auf", "e"),
        ("het verband is doorweekt van het bloed en het druipt van mijn oor", "e"),
        ("o penso está cheio de sangue e continua a sangrar apesar de apertar", "e"),
        ("la garza è piena di sangue e continua a sanguinare anche se premo forte", "e"),
        # heavy bleeding alone stays urgent; a spot of blood raises nothing
        ("the wound keeps bleeding since this morning, I've changed the dressing twice", "u"),
        ("la herida no para de sangrar desde anoche", "u"),
        ("a little blood on the dressing this morning, now it is dry", None),
    ],
)
def test_triage__bleeding_that_pressure_does_not_stop_is_an_emergency(
    question: str, level: str | None
) -> None:
    expected = {"e": "emergency", "u": "urgent", None: None}[level]
    assert triage_level(question) == expected


# ---- a blow to the head in other words, and a headache that only gets worse ----------------------
@pytest.mark.parametrize(
    "question",
    [
        "a branch fell on my head in the garden, now I'm vomiting and really drowsy",
        "se le cayó una maceta en la cabeza y ahora vomita y está adormilado",
        "j'ai pris une étagère sur la tête, depuis je vomis et je suis somnolente",
        "mir ist ein Ast auf den Kopf gefallen, jetzt muss ich mich übergeben",
        "ik kreeg een tak op mijn hoofd en nu ben ik misselijk en slaperig",
        "caiu uma telha na cabeça do meu filho e agora está vomitando",
        "mi è caduto un vaso in testa e ora ho vomitato due volte",
        "I walked into a scaffolding pole, now my head aches and I've been sick",
        "me di con el marco de la ventana en la cabeza y ahora estoy mareada y vomito",
        "dei com a testa na prateleira e agora estou vomitando",
    ],
)
def test_triage__something_falling_on_the_head_with_signs_is_a_head_injury(question: str) -> None:
    assert "head_injury" in _concepts(question)
    assert triage_level(question) == "emergency"


@pytest.mark.parametrize(
    "question",
    [
        "my son's headaches just keep getting stronger for weeks and he vomits before school",
        "a mi hija le duele la cabeza cada vez más fuerte desde hace semanas y vomita al despertar",
        "son mal de tête ne fait qu'empirer depuis trois semaines et il vomit le matin",
        "seine Kopfschmerzen werden seit Wochen immer stärker und er erbricht morgens",
        "haar hoofdpijn wordt al weken alleen maar erger en ze moet 's ochtends overgeven",
        "a dor de cabeça do meu filho só piora há semanas e ele vomita de manhã",
        "mia figlia ha mal di testa sempre più forti da settimane e vomita la mattina",
        "her headaches have got worse and worse for a month and she throws up on waking",
        "ses maux de tête s'aggravent depuis un mois et il vomit au lever",
        "sein Kopfweh wird seit Wochen immer schlimmer und er spuckt morgens",
        "zijn hoofdpijn wordt steeds erger en hij spuugt elke ochtend",
    ],
)
def test_triage__a_headache_that_only_gets_worse_with_vomiting_is_urgent(question: str) -> None:
    assert "progressive_headache" in _concepts(question)
    assert triage_level(question) == "urgent"


def test_triage__a_headache_that_only_gets_worse_without_vomiting_raises_no_alarm() -> None:
    assert triage("mi dolor de cabeza va empeorando con el estrés, ¿la cirugía ayuda?") is None


# ---- a cancer had or treated, and a headache told as happening -----------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "my bowel cancer was operated last spring and for ten days I've had a headache every day",
        "me trataron un cáncer de pulmón y desde hace una semana me duele la cabeza a diario",
        "j'ai eu un cancer du rein, et depuis quelques jours un mal de tête que je ne connais pas",
        "ich hatte Darmkrebs und habe seit einer Woche jeden Tag Kopfschmerzen",
        "na bestraling voor borstkanker heb ik sinds vorige week elke dag hoofdpijn",
        "tive cancro do pulmão e há uma semana tenho dor de cabeça todos os dias",
        "ho avuto un tumore al polmone e da qualche giorno ho mal di testa ogni giorno",
    ],
)
def test_triage__a_cancer_had_or_treated_with_a_headache_now_is_urgent(question: str) -> None:
    assert "immunocompromised_cancer" in _concepts(question)
    assert triage_level(question) == "urgent"


@pytest.mark.parametrize(
    "question",
    [
        "my aunt had breast cancer, does migraine run in families?",
        "tuve cáncer de mama hace años, ¿puedo operarme de la migraña?",
        "ich hatte Hautkrebs, darf ich trotzdem die Migräne-OP machen?",
        "ho avuto un tumore al seno, posso fare l'intervento per l'emicrania?",
        "j'ai eu un cancer du sein, la chirurgie de la migraine est-elle possible ?",
    ],
)
def test_triage__a_cancer_named_beside_a_question_about_migraine_raises_no_alarm(
    question: str,
) -> None:
    assert triage(question) is None


# ---- "not like my usual" far from its verb keeps the alarm ---------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "since noon my right eye sees nothing, all black, not at all like my usual aura",
        "je ne vois plus rien de l'oeil droit depuis midi, pas du tout comme mes auras habituelles",
        "não enxergo nada do olho direito desde o almoço, não é aquela aura de sempre",
    ],
)
def test_triage__a_usual_aura_denied_does_not_cancel_vision_loss(question: str) -> None:
    assert "vision_loss" in _concepts(question)


def test_triage__a_usual_aura_still_cancels_when_it_is_the_usual() -> None:
    assert triage("my vision goes blurry before the headache, my usual aura") is None


# ---- more lay words: week by week, lights off, a fit, the face and hand --------------------------
@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("the headache is worse every week, and I throw up most mornings", "progressive_headache"),
        ("de hoofdpijn wordt week na week erger en ik moet overgeven", "progressive_headache"),
        ("fever of 39 and he begs us to switch the lights off, his head hurts", "fever_meningism"),
        ("febre alta e ela não deixa ninguém mexer no pescoço", "fever_meningism"),
        ("o meu pai ficou se tremendo todo no chão, babando", "confusion_faint_seizure"),
        ("mein Kollege sagt, ich rede komisch, und ich finde die Worte nicht", "neuro_deficit"),
        ("mijn linkerhand is ineens gevoelloos en ik heb hoofdpijn", "neuro_deficit"),
        ("vor 2 Tagen Migräne-OP gehabt, jetzt 39 Fieber", "postop_fever"),
        (
            "I'm 27 weeks pregnant with a headache since yesterday and the midwife found my blood "
            "pressure high",
            "pregnancy_headache",
        ),
        (
            "Ich bin in der 30. SSW, Kopfweh seit heute früh, und der Blutdruck war erhöht",
            "pregnancy_headache",
        ),
        ("no tengo fuerza en la mano izquierda desde hace media hora", "neuro_deficit"),
        ("since this morning I can't hold my cup with my right hand", "neuro_deficit"),
        ("mi mujer ve menos por el ojo operado y se le está hinchando muchísimo", "vision_loss"),
        (
            "ich (74) habe seit Wochen Schmerzen an beiden Schläfen und beim Brotkauen tut der "
            "Kiefer weh",
            "new_after_50",
        ),
    ],
)
def test_triage__more_lay_words_of_each_concept(question: str, concept: str) -> None:
    assert concept in _concepts(question)


# ---- negations that close a clause or sit right before a sign ------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        # a "no" after the sign, a "ni"/"sem" right before it, a verb-final "never had"
        "operada del cuello hace dos semanas, la zona sigue dormida. fiebre no, la herida bien",
        "nada nuevo: no tengo fiebre, ni vómitos, ni manchas; solo migrañas cada vez más seguidas",
        "sem febre, sem vómitos, só a enxaqueca de sempre que vem cada vez mais vezes",
        "Mijn hoofdpijn begint nooit plotseling en dubbelzien heb ik nooit gehad. Kan de ingreep?",
        "não tenho febre e não tenho a nuca rígida, só enxaqueca há anos. a cirurgia ajuda?",
    ],
)
def test_triage__signs_denied_by_a_closing_or_adjacent_negation_raise_no_alarm(
    question: str,
) -> None:
    assert triage(question) is None, _concepts(question)


@pytest.mark.parametrize(
    "question",
    [
        # the same signs, not denied
        "operada del cuello hace dos semanas y tengo fiebre, la herida roja y caliente",
        "no puedo parar de vomitar desde esta mañana y el dolor de cabeza va a peor",
        "de repente vejo tudo duplicado, não sei o que se passa",
        "non vedo più niente dall'occhio destro da un'ora",
    ],
)
def test_triage__the_same_signs_not_denied_still_count(question: str) -> None:
    assert triage(question) is not None


def test_triage__a_cancer_in_remission_with_no_headache_now_is_no_alarm() -> None:
    assert (
        triage("Had bowel cancer six years ago, in remission since. Is surgery possible?") is None
    )
    assert "immunocompromised_cancer" in _concepts(
        "Had bowel cancer, in remission, but this new headache gets worse every day"
    )


def test_triage__a_past_confusion_that_lasted_a_few_days_is_over() -> None:
    told = "Mi madre estuvo unos días confundida después de la anestesia. ¿Me puede pasar a mí?"
    assert triage(told) is None
    assert triage("Mi madre está confundida y no me reconoce desde esta mañana") is not None


def test_triage__asking_whether_a_sign_can_follow_surgery_is_no_report() -> None:
    assert triage("¿Se te puede quedar la boca torcida después de la operación?") is None
    assert triage("Se me ha quedado la boca torcida después de la operación") is not None


def test_triage__the_usual_aura_told_as_always_so_is_no_deficit() -> None:
    assert triage("a mão fica dormente durante a aura, sempre foi assim, e passa") is None


@pytest.mark.parametrize(
    "question",
    [
        "temp is 40 and my neck is so stiff I can't look down",
        "fell off my bike, head against the kerb, now the headache is building and I threw up",
        "sono alla 34esima settimana, da pranzo mal di testa, lucine e la faccia gonfia",
        "had the occipital op this morning and blood is soaking right through the dressing",
        "mio padre ha fatto il lipofilling una settimana fa, la ferita è rossa, calda e gonfia",
    ],
)
def test_triage__red_flags_in_new_words_are_raised(question: str) -> None:
    assert triage(question) is not None


def test_triage__had_it_days_ago_after_talk_of_surgery_is_a_recent_operation() -> None:
    history = [Turn(role="user", content="How long is the hospital stay for the temple surgery?")]
    result = triage("I had it done four days ago and now I have a fever of 38.6", history)
    assert result is not None and "postop_fever" in result.concepts


# ---- the patient's own guess that it is "the usual" does not cancel what they report -------------
@pytest.mark.parametrize(
    ("question", "concept"),
    [
        (
            "twenty minutes ago a headache went zero to ten while I was lifting, still pounding. "
            "probably just my usual migraine right",
            "thunderclap",
        ),
        (
            "de repente un dolor de cabeza explosivo, de cero a diez, y sigue. Supongo que será la "
            "migraña de siempre",
            "thunderclap",
        ),
        (
            "mon père a eu d'un coup le pire mal de tête de sa vie ce matin, il dit que c'est sa "
            "migraine habituelle",
            "thunderclap",
        ),
        (
            "ineens de ergste hoofdpijn van mijn leven, het zal wel mijn gewone migraine zijn",
            "thunderclap",
        ),
        (
            "hoje de repente uma dor de cabeça fortíssima, tipo um trovão, deve ser a enxaqueca de "
            "sempre",
            "thunderclap",
        ),
        (
            "sinds een uur een doof gevoel in mijn hele rechterkant, waarschijnlijk mijn gewone "
            "migraine",
            "neuro_deficit",
        ),
    ],
)
def test_triage__a_guess_that_it_is_the_usual_does_not_cancel_the_red_flag(
    question: str, concept: str
) -> None:
    assert concept in _concepts(question)


def test_triage__the_usual_told_as_a_fact_still_cancels() -> None:
    assert triage("a sudden severe headache this morning, but it is my usual migraine") is None


@pytest.mark.parametrize(
    "question",
    [
        "purely hypothetical question: if someone with migraine got the worst headache of their "
        "life all of a sudden, how would they tell? I'm fine, just curious",
        "Pregunta teórica: si a alguien le da de golpe el peor dolor de cabeza de su vida, ¿cómo "
        "lo distingue? Estoy bien, solo por saber.",
        "Rein theoretisch: woran erkennt man den schlimmsten Kopfschmerz des Lebens? Mir geht es "
        "gut, ich frage nur.",
    ],
)
def test_triage__a_message_that_asks_in_theory_raises_no_alarm(question: str) -> None:
    assert triage(question) is None


@pytest.mark.parametrize(
    "question",
    [
        "my hand went numb overnight from sleeping on it, it's back to normal now. how long is "
        "the recovery after the op?",
        "se me durmió el brazo por dormir encima, ya se me pasó. ¿Cuánto dura la baja?",
    ],
)
def test_triage__a_limb_numb_from_lying_on_it_and_gone_is_no_deficit(question: str) -> None:
    assert triage(question) is None


def test_triage__a_limb_numb_that_has_not_passed_is_still_a_deficit() -> None:
    assert "neuro_deficit" in _concepts(
        "acordei com o braço esquerdo dormente e fraco, já passou mais de uma hora e continua"
    )


def test_triage__a_faint_checked_at_hospital_and_found_harmless_raises_no_alarm() -> None:
    assert (
        triage(
            "la semana pasada me desmayé en una crisis, en urgencias me hicieron pruebas y todo "
            "bien, me dijeron que nada grave. ¿La cirugía reduce las crisis?"
        )
        is None
    )


@pytest.mark.parametrize(
    "question",
    [
        "I have high blood pressure and I'm pregnant, can I have the op after the birth?",
        "ich schiele leicht und sehe bei Müdigkeit manchmal doppelt, mein Augenarzt kennt das",
    ],
)
def test_triage__a_known_condition_told_without_a_sign_now_raises_no_alarm(question: str) -> None:
    assert triage(question) is None
