"""Red-flag triage rules: symptom concepts in lay words, and what cancels them.

Every sentence here is a new wording (none is copied from the eval sets); each group checks one
general behaviour of ``assistant/guardrails/triage.py`` and ``data/red_flags.yaml`` in several of
the seven languages, with the near miss that must stay quiet beside it.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.guardrails.triage import RedFlags, triage, triage_level
from assistant.types import Turn


def _concepts(question: str, history: tuple[Turn, ...] = ()) -> tuple[str, ...]:
    result = triage(question, history)
    return result.concepts if result else ()


# ---- the engine: cancelling rules ----------------------------------------------------------------
def _tiny(unless: list[Any]) -> RedFlags:
    return RedFlags(
        {
            "negation": r"\bno\W*$",
            "cues": {"general": [r"\bwhat are the risks\b"], "report": [r"\bnow\b"]},
            "terms": {
                "faint": [r"\bfainted\b"],
                "once": [r"\bonce\b"],
                "recent": [r"\btoday\b"],
            },
            "concepts": [
                {"id": "faint", "level": "emergency", "any_of": [["faint"]], "unless": unless}
            ],
        }
    )


def test_unless__a_rule_of_several_terms_cancels_only_when_it_holds_whole() -> None:
    flags = _tiny([["once", "!recent"]])
    assert flags.triage("I fainted once at the dentist") is None
    fired = flags.triage("I fainted once today")
    assert fired is not None and fired.level == "emergency"
    assert flags.triage("I fainted") is not None


def test_unless__a_single_name_still_cancels_alone() -> None:
    assert _tiny(["once"]).triage("I fainted once today") is None


def test_unless__unknown_terms_in_a_cancelling_rule_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown terms"):
        _tiny([["once", "!lately"]])


# ---- a past event told once, with nothing happening now ------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "I passed out once when they took blood, is the operation still possible for me?",
        "una vez me desmayé en el dentista, ¿me pueden operar igual?",
        "je me suis évanoui une fois chez le dentiste, c'est gênant pour l'anesthésie ?",
        "ich bin einmal beim Blutabnehmen umgekippt, ist die Narkose trotzdem ok?",
        "uma vez desmaiei ao tirar sangue, posso fazer a cirurgia?",
        "una volta sono svenuto dal dentista, posso fare l'anestesia?",
        "il y a des années je me suis évanouie au travail, est-ce un problème pour l'opération ?",
    ],
)
def test_triage__a_single_past_faint_is_not_an_emergency(question: str) -> None:
    assert triage(question) is None


@pytest.mark.parametrize(
    "question",
    [
        "I fainted once this morning and my head is pounding",
        "hoy me he desmayado una vez y me duele mucho la cabeza",
        "heute bin ich einmal kurz ohnmächtig geworden, mit Kopfweh",
        "mi padre se desmayó de repente y no responde",
        "auf einmal ist sie ohnmächtig geworden",
    ],
)
def test_triage__a_faint_now_is_an_emergency_even_when_told_once(question: str) -> None:
    assert "confusion_faint_seizure" in _concepts(question)


# ---- a head injury with its signs denied ---------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "I bumped my head on a cupboard two weeks ago, no headache or sickness since. Still ok?",
        "me di un golpe en la cabeza con la puerta, sin dolor ni vómitos, ¿afecta a la cirugía?",
    ],
)
def test_triage__a_head_knock_with_no_signs_is_not_an_emergency(question: str) -> None:
    assert triage(question) is None


def test_triage__a_head_knock_with_signs_is_an_emergency() -> None:
    assert triage_level("I bumped my head on a cupboard and now I keep being sick") == "emergency"


# ---- a wound whose redness grows, and the place the fat was taken --------------------------------
@pytest.mark.parametrize(
    ("question", "history"),
    [
        ("the cut behind my ear gets redder every day", ()),
        (
            "el sitio donde me aspiraron la grasa está cada vez más rojo",
            ("me hicieron lipofilling",),
        ),
        ("l'endroit où on m'a pris la graisse est de plus en plus rouge", ()),
        ("die Narbe am Bauch wird immer röter", ("Eigenfett-Behandlung vor 5 Tagen",)),
        ("de wond op mijn buik wordt steeds roder", ()),
        ("a ferida na coxa está cada vez mais vermelha", ()),
        ("la zona dove hanno aspirato il grasso è sempre più rossa", ("operata lunedì",)),
    ],
)
def test_triage__growing_redness_of_an_operation_site_is_urgent(
    question: str, history: tuple[str, ...]
) -> None:
    turns = tuple(Turn(role="user", content=h) for h in history)
    assert triage_level(question, turns) == "urgent"
    assert "postop_wound" in _concepts(question, turns)


@pytest.mark.parametrize(
    "question",
    [
        "my scar is less red every week, is that normal?",
        "la cicatriz ya no está roja",
        "how long does the redness of the scar take to fade?",
    ],
)
def test_triage__fading_or_asked_about_redness_is_not_urgent(question: str) -> None:
    assert triage(question) is None


# ---- never a headache before: sudden (emergency), or a new one after 50 (urgent) -----------------
@pytest.mark.parametrize(
    "question",
    [
        "my sister is clutching her head, the pain came on suddenly, she never gets headaches",
        "a mi hermano le vino de golpe un dolor en la cabeza, él nunca tiene jaquecas",
        "mon frère a eu mal d'un coup dans la tête, il n'a jamais de migraines",
        "meine Schwester hat plötzlich Schmerzen im Kopf, sie hatte nie Kopfweh",
        "mijn zus heeft opeens pijn in haar hoofd, ze heeft nooit hoofdpijn",
        "a minha irmã teve uma dor súbita na cabeça, ela nunca tem enxaqueca",
        "mia sorella ha avuto di colpo male alla testa, non ha mai sofferto di mal di testa",
    ],
)
def test_triage__a_sudden_first_ever_headache_is_a_thunderclap(question: str) -> None:
    assert "thunderclap" in _concepts(question)


@pytest.mark.parametrize(
    "question",
    [
        "I'm 62 and never had headaches, now I get them most evenings",
        "tengo 64 años y nunca me dolía la cabeza, desde hace poco sí",
        "mon père a 71 ans, il n'a jamais eu mal à la tête et maintenant oui",
        "mein Vater ist 66, hatte nie Kopfschmerzen und klagt jetzt jeden Tag",
        "mijn moeder is 69, ze heeft nooit hoofdpijn gehad en nu elke dag",
        "a minha mãe tem 73 anos, nunca teve dores de cabeça e agora tem",
        "mio padre ha 68 anni, non ha mai avuto mal di testa e ora sì",
    ],
)
def test_triage__a_first_headache_after_fifty_is_urgent(question: str) -> None:
    assert triage_level(question) == "urgent"
    assert "new_after_50" in _concepts(question)


@pytest.mark.parametrize(
    "question",
    [
        "I'm 61 and since the decompression I never had migraines again, can it come back?",
        "tengo 58 años y no he vuelto a tener migrañas, nunca más dolor de cabeza, ¿durará?",
        "my aunt suddenly decided she will never get migraine surgery, is it risky?",
        "I'm 60, I never had surgery before, is migraine surgery safe at my age?",
    ],
)
def test_triage__never_again_or_never_about_other_things_raises_no_alarm(question: str) -> None:
    assert triage(question) is None


def test_triage__a_sudden_start_of_daily_headaches_weeks_ago_is_not_a_thunderclap() -> None:
    question = "my dad is 57, never had migraines, and suddenly he gets headaches all the time"
    assert "thunderclap" not in _concepts(question)
    assert triage_level(question) == "urgent"


# ---- what is usual, and what only names the usual to say this is not it --------------------------
@pytest.mark.parametrize(
    "question",
    [
        "with my aura my fingers go numb for a while, it always goes away, I'm used to it",
        "con el aura se me duerme el brazo un rato, siempre se me pasa",
        "pendant l'aura ma main est engourdie, j'ai l'habitude, ça passe toujours",
        "bei der Aura wird meine Hand taub, das kenne ich schon, geht immer wieder weg",
        "tijdens de aura wordt mijn hand gevoelloos, ik ben het gewend",
        "com a aura a mão fica dormente, já estou acostumada",
        "con l'aura mi si addormenta la mano, ci sono abituata",
    ],
)
def test_triage__familiar_aura_symptoms_are_not_emergencies(question: str) -> None:
    assert triage(question) is None


@pytest.mark.parametrize(
    "question",
    [
        "my arm and leg have gone weak and my head hurts; my aura is usually just zigzags",
        "mi si è addormentato il braccio sinistro e ho mal di testa, di solito l'aura è solo luci",
        "le bras ne répond plus et j'ai mal à la tête, d'habitude mes auras c'est juste des points",
        "de repente a pior dor de cabeça de sempre",
        "de repente el peor dolor de cabeza de siempre",
    ],
)
def test_triage__the_usual_named_in_contrast_keeps_the_red_flag(question: str) -> None:
    assert triage_level(question) == "emergency"


# ---- lay words for seizure, vision loss, weak limbs, tripping words ------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "my son went stiff and then shook all over after complaining about his head",
        "mi hija se puso rígida y temblaba, antes le dolía la cabeza",
        "ma fille s'est raidie puis a tremblé de tout son corps",
        "er wurde ganz steif und zuckte dann, vorher Kopfschmerzen",
        "hij werd stijf en schokte daarna, hij had hoofdpijn",
        "ela ficou rígida e depois tremia, com dor de cabeça",
        "si è irrigidito e poi tremava, aveva mal di testa",
    ],
)
def test_triage__stiffening_and_shaking_is_a_seizure(question: str) -> None:
    assert "confusion_faint_seizure" in _concepts(question)


@pytest.mark.parametrize(
    "question",
    [
        "like a dark curtain came down over my right eye a minute ago",
        "me quedé sin ver por el ojo izquierdo hace un rato",
        "estou a ver tudo a dobrar e dói-me a cabeça",
        "ich sehe mit dem rechten Auge seit vorhin fast nichts mehr",
        "ik zie met mijn linkeroog sinds vanochtend niets meer",
        "je ne vois plus rien de l'œil droit depuis une heure",
        "con l'occhio sinistro non ci vedo più da stamattina",
    ],
)
def test_triage__lay_vision_loss_is_an_emergency(question: str) -> None:
    assert "vision_loss" in _concepts(question)


@pytest.mark.parametrize(
    "question",
    [
        "I've taken the pills for a month and I don't see anything changing",
        "prendo il farmaco da un mese e non vedo niente di diverso",
        "tomo el preventivo desde hace un mes y no veo nada de mejoría",
    ],
)
def test_triage__seeing_no_change_is_not_vision_loss(question: str) -> None:
    assert triage(question) is None


@pytest.mark.parametrize(
    "question",
    [
        "mi si è intorpidita la gamba destra all'improvviso",
        "j'ai la jambe et le bras droits qui n'obéissent plus",
        "ficou dormente o braço esquerdo de repente",
        "plötzlich ist mir der linke Arm eingeschlafen und er bleibt kraftlos",
    ],
)
def test_triage__a_weak_limb_named_verb_first_is_an_emergency(question: str) -> None:
    assert "neuro_deficit" in _concepts(question)


@pytest.mark.parametrize(
    ("question", "level"),
    [
        ("I keep stumbling over my words and I have a pounding headache", "emergency"),
        ("je bute sur les mots et j'ai très mal à la tête", "emergency"),
        ("I keep stumbling over my words when I'm nervous about the consultation", None),
        ("since topiramate I trip over words, is that a side effect?", None),
    ],
)
def test_triage__tripping_words_count_only_with_a_headache(
    question: str, level: str | None
) -> None:
    assert triage_level(question) == level


def test_triage__a_pregnancy_week_written_short_counts_as_pregnancy() -> None:
    question = "34. SSW, Kopfweh und meine Beine sind dick geschwollen"
    assert "pregnancy_headache" in _concepts(question)
    assert "pregnancy" in _concepts("34. SSW, Kopfweh und ich sehe Lichtblitze")


# ---- a headache that grows day by day, with vomiting ---------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "my headache is worse and worse and I was sick again this morning",
        "cada día me duele más la cabeza y he vomitado",
        "mon mal de tête est de plus en plus fort et je vomis",
        "die Kopfschmerzen werden von Tag zu Tag schlimmer und ich erbreche",
        "mijn hoofdpijn wordt elke dag erger en ik moet overgeven",
        "a dor de cabeça é pior de manhã e tenho vomitado",
        "il mal di testa è ogni giorno più forte e vomito",
    ],
)
def test_triage__a_headache_worse_day_by_day_with_vomiting_is_urgent(question: str) -> None:
    assert "progressive_headache" in _concepts(question)


def test_triage__a_worsening_headache_without_vomiting_raises_no_alarm() -> None:
    assert triage("my migraines get worse every winter, does surgery help?") is None


# ---- negation: "almost 39" is a fever; a negation stops at a comma -------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "ho quasi 40 di febbre e il collo rigido",
        "tengo casi 39 de fiebre y la nuca rígida",
        "ich habe fast 39 Fieber und einen steifen Nacken",
        "ik heb bijna 40 graden koorts en een stijve nek",
        "j'ai presque 39 de fièvre et la nuque raide",
        "never had anything like it, fever and a stiff neck",
    ],
)
def test_triage__almost_a_number_or_a_negation_before_a_comma_keeps_the_fever(
    question: str,
) -> None:
    assert "fever_meningism" in _concepts(question)


@pytest.mark.parametrize(
    "question",
    [
        "I almost fainted at the dentist, can I have the operation?",
        "no fever, just a stiff neck from the pillow, can that trigger migraine?",
        "sem febre, só o pescoço duro de dormir mal, isso dá enxaqueca?",
    ],
)
def test_triage__a_negation_within_its_clause_still_cancels(question: str) -> None:
    assert triage(question) is None


@pytest.mark.parametrize(
    "question",
    [
        "ela tem febre e se queixa que não consegue encostar o queixo no peito",
        "la bambina ha la febbre alta e se le tocco il collo piange, non riesce a piegarlo",
    ],
)
def test_triage__and_if_inside_a_report_is_no_what_if_question(question: str) -> None:
    assert triage_level(question) == "emergency"


@pytest.mark.parametrize(
    "question",
    [
        "e se depois da operação eu tiver febre e o pescoço duro?",
        "y si después de la operación tengo fiebre y la nuca rígida, ¿a quién llamo?",
    ],
)
def test_triage__and_if_opening_a_sentence_is_a_what_if_question(question: str) -> None:
    assert triage(question) is None


# ---- more lay words ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("meine Tochter glüht, hat Kopfweh und so lila Flecken an den Beinen", "fever_meningism"),
        ("a minha filha está a arder em febre e tem pintas roxas na barriga", "fever_meningism"),
        ("Fieber, Kopfschmerzen und ich kann kein Licht ertragen", "fever_meningism"),
        (
            "the wound has bled since last night and I've gone through three dressings",
            "postop_bleeding",
        ),
        ("la herida sangra, he cambiado el apósito cuatro veces", "postop_bleeding"),
        ("une grosseur sous la cicatrice qui gonfle de plus en plus", "postop_bleeding"),
        (
            "ma mère a 76 ans, elle a mal à la tempe et aux mâchoires quand elle mâche",
            "new_after_50",
        ),
        ("meu pai de 72 anos tem o couro cabeludo dolorido e dor de cabeça", "new_after_50"),
        ("mijn moeder van 75 heeft pijn in haar kaak als ze eet", "new_after_50"),
        (
            "mi marido está raro y parece perdido, con un dolor de cabeza tremendo",
            "confusion_faint_seizure",
        ),
        ("mein Mann weiß nicht, wo er ist", "confusion_faint_seizure"),
        (
            "mijn vader stelt steeds dezelfde vragen en heeft erge hoofdpijn",
            "confusion_faint_seizure",
        ),
        ("ik ben van mijn stokje gegaan met erge hoofdpijn", "confusion_faint_seizure"),
        ("mijn zoon kreeg een toeval en schokte met armen en benen", "confusion_faint_seizure"),
        (
            "ich bin nierentransplantiert und habe seit einer Woche Kopfweh",
            "immunocompromised_cancer",
        ),
        ("sono al settimo mese, ho mal di testa e vedo annebbiato", "pregnancy"),
        ("ich habe vor einer Woche entbunden, jetzt Kopfschmerzen und Flimmern", "pregnancy"),
        (
            "meine Mutter hält sich den Kopf: so schlimme Schmerzen hatte sie noch nie",
            "thunderclap",
        ),
        ("mia madre dice che non ha mai sentito un dolore così alla testa", "thunderclap"),
        ("vedo tutto sdoppiato da un'ora", "vision_loss"),
        ("ich bin auf dem rechten Auge plötzlich blind", "vision_loss"),
        ("le mal de tête augmente chaque jour et je vomis le matin", "progressive_headache"),
        ("die Narbe ist gerötet und es kommt gelbe Flüssigkeit raus", "postop_wound"),
    ],
)
def test_triage__lay_words_of_each_concept(question: str, concept: str) -> None:
    assert concept in _concepts(question)


@pytest.mark.parametrize(
    "question",
    [
        "Bij vettransplantatie tegen migraine, spuiten ze het vet meteen terug?",
        "il Botox ha ancora senso nel mio caso o è tempo perso?",
        "o que é neuralgia occipital, é a mesma coisa que enxaqueca?",
        "I have never had such pain relief as with the nerve block, would surgery last longer?",
        "il medico mi ha dato il propranololo ma non vedo niente di diverso",
    ],
)
def test_triage__ordinary_questions_with_the_same_words_raise_no_alarm(question: str) -> None:
    assert triage(question) is None


# ---- a question tacked on after the symptoms -----------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "er kann den rechten Arm nicht bewegen und der Mund hängt, wie lange dauert das?",
        "ze heeft koorts en een stijve nek, kan migraine dat veroorzaken?",
        "ela tem febre e o pescoço duro, a enxaqueca pode causar isso?",
        "lei ha la febbre e il collo rigido, l'emicrania può causare questo?",
        "embarazada de 34 semanas, dolor de cabeza y destellos, ¿es un riesgo?",
        "enceinte de 34 semaines, mal de tête et éclairs lumineux, c'est un risque ?",
    ],
)
def test_triage__symptoms_before_a_tacked_general_question_count(question: str) -> None:
    assert triage_level(question) == "emergency"


@pytest.mark.parametrize(
    "question",
    [
        "What are the risks, like weakness in the arm or a drooping face?",
        "Woran merke ich nach der OP, dass was nicht stimmt? Also Fieber, rote Narbe usw.",
        "fever, a red hot scar, pus etc. - which of these should make me call?",
    ],
)
def test_triage__a_general_question_or_a_list_of_symptoms_raises_no_alarm(question: str) -> None:
    assert triage(question) is None


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("me vino un dolor de cabeza fulminante, en segundos al máximo", "thunderclap"),
        ("ich hatte einen Vernichtungskopfschmerz, innerhalb von Sekunden", "thunderclap"),
        ("in palestra all'improvviso una fitta tremenda alla nuca, come un colpo", "thunderclap"),
        ("de repente no puedo usar bien la mano izquierda y me duele la cabeza", "neuro_deficit"),
        ("ineens kan ik mijn linkerhand niet meer goed gebruiken", "neuro_deficit"),
        ("sein Gesicht ist auf einer Seite schief", "neuro_deficit"),
        ("meine Mutter redet Unsinn, weiß nicht mehr, welcher Tag ist", "confusion_faint_seizure"),
        (
            "mi niño se cayó por las escaleras, tiene un chichón en la cabeza y vomita",
            "head_injury",
        ),
        ("mon petit est tombé, il a une bosse sur la tête et il vomit", "head_injury"),
        (
            "je suis séropositif et j'ai mal à la tête depuis une semaine",
            "immunocompromised_cancer",
        ),
        ("meine Mutter hat Metastasen und seit kurzem Kopfschmerzen", "immunocompromised_cancer"),
        ("mi hija tiene fiebre y pintitas rojas que no se blanquean al apretar", "fever_meningism"),
        ("sigue saliendo sangre de la herida, no se detiene", "postop_bleeding"),
        ("du sang sort encore de la plaie, ça ne s'arrête pas", "postop_bleeding"),
    ],
)
def test_triage__more_lay_words_of_each_concept(question: str, concept: str) -> None:
    assert concept in _concepts(question)


# ---- hard negatives: the same words, nothing happening now ---------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "is it normal to have weakness in the arm after the operation?",
        "ik ben de kluts kwijt met al die namen, wat is het verschil?",
        "mi madre parece perdida con tantos papeles del seguro, ¿quién cubre la operación?",
        "j'ai fait des convulsions enfant, est-ce un problème pour l'anesthésie ?",
        "tive convulsões em criança, isso importa para a anestesia?",
        "la cicatrice est bien, pas rouge, pas chaude, juste un peu sensible, normal ?",
        "I keep stumbling over my words when I talk about my migraines to doctors, any tips?",
        "I'm on chemo for breast cancer and wonder if migraine surgery is possible afterwards",
    ],
)
def test_triage__hard_negatives_of_the_new_words_raise_no_alarm(question: str) -> None:
    assert triage(question) is None


def test_triage__a_third_person_report_with_a_parenthesis_counts() -> None:
    question = "my grandad (78) says his jaw aches when he eats and his temple is tender"
    assert triage_level(question) == "urgent"


@pytest.mark.parametrize(
    "question",
    [
        "tengo fiebre alta y la nuka dura, me duele muxo la cabesa",
        "ich hab fiber und der nacken ist steif",
        "ik heb koors en een stijve nek en barstende koppijn",
        "to com febri e o pescoso duro, dor de cabessa forte",
        "de repente el peor dolor de cabesa de mi bida",
        "mein vater ist verwirt und erkennt mich nich",
        "mi hijo se golpeo la cabesa y ahora bomita",
    ],
)
def test_triage__common_misspellings_in_each_language_are_read(question: str) -> None:
    assert triage_level(question) == "emergency"


# ---- symptoms told over several messages --------------------------------------------------------
@pytest.mark.parametrize(
    ("earlier", "question", "level"),
    [
        (
            "my neck is really stiff and my head is pounding",
            "and now I have a fever of 39",
            "emergency",
        ),
        (
            "tengo la nuca rígida y me duele mucho la cabeza",
            "y ahora tengo 39 de fiebre",
            "emergency",
        ),
        ("mein Nacken ist ganz steif", "und jetzt habe ich auch noch 39 Fieber", "emergency"),
        ("I had the migone 4 days ago", "the wound is red and hot and swollen now", "urgent"),
    ],
)
def test_triage__a_symptom_in_the_question_completes_one_told_earlier(
    earlier: str, question: str, level: str
) -> None:
    assert triage_level(question, (Turn(role="user", content=earlier),)) == level


def test_triage__earlier_symptoms_alone_do_not_make_an_ordinary_question_urgent() -> None:
    history = (Turn(role="user", content="my neck is stiff and I have a fever of 39"),)
    assert triage("do I need antibiotics before the surgery?", history) is None


def test_triage__what_cancels_is_read_in_the_question_not_in_earlier_messages() -> None:
    history = (
        Turn(role="user", content="I have had migraine with aura for years, always the same"),
    )
    assert triage_level("now my arm and leg are suddenly weak and numb", history) == "emergency"


@pytest.mark.parametrize(
    "question",
    [
        "my grandad is on blood thinners and hit his head when he fell",
        "mi abuelo toma Sintrom y se ha dado un golpe en la cabeza al caerse",
        "mein Opa nimmt Blutverdünner und ist auf den Kopf gefallen",
        "mio nonno prende anticoagulanti ed è caduto battendo la testa",
    ],
)
def test_triage__a_head_knock_on_blood_thinners_is_an_emergency(question: str) -> None:
    assert "head_injury" in _concepts(question)


def test_triage__blood_thinners_alone_are_no_red_flag() -> None:
    assert triage("I take blood thinners, can I still have migraine surgery?") is None


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        (
            "mein Vater ist total neben der Spur und reagiert kaum, mit Kopfschmerzen",
            "confusion_faint_seizure",
        ),
        (
            "mijn vader is helemaal van de kaart en reageert nauwelijks, met hoofdpijn",
            "confusion_faint_seizure",
        ),
        ("hij zakte ineens in elkaar en reageerde niet meer", "confusion_faint_seizure"),
        ("ho formicolio e debolezza in tutto il lato destro da un'ora", "neuro_deficit"),
        (
            "ik heb sinds een uur tintelingen en krachtverlies in mijn hele rechterkant",
            "neuro_deficit",
        ),
        ("mein Sohn zieht plötzlich das Bein nach und hat Kopfweh", "neuro_deficit"),
        ("mon fils traîne la jambe d'un coup et a mal à la tête", "neuro_deficit"),
    ],
)
def test_triage__unresponsive_collapsed_or_weak_on_one_side(question: str, concept: str) -> None:
    assert concept in _concepts(question)


def test_triage__a_headache_that_does_not_respond_to_treatment_is_no_confusion() -> None:
    assert triage("mi migraña no responde a los triptanes, ¿la cirugía sirve?") is None


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        (
            "Plötzlich ein furchtbarer Schmerz im Nacken, wie ein Schlag mit dem Baseballschläger",
            "thunderclap",
        ),
        (
            "Ineens een vreselijke pijn in mijn nek, alsof ik met een knuppel werd geslagen",
            "thunderclap",
        ),
        ("Mein Bruder ist zitternd umgefallen mit Schaum vor dem Mund", "confusion_faint_seizure"),
        ("se cayó al suelo temblando y echando espuma por la boca", "confusion_faint_seizure"),
        (
            "Seit heute früh blutet die Wunde ohne Ende, zwei Kompressen sind schon voll",
            "postop_bleeding",
        ),
        (
            "Mijn vrouw kreeg 5 dagen geleden de stimulator. Vandaag heeft ze 38,9 en ze rilt.",
            "postop_fever",
        ),
    ],
)
def test_triage__a_blow_to_the_nape_a_fit_bleeding_and_fever_in_lay_words(
    question: str, concept: str
) -> None:
    assert concept in _concepts(question)


def test_triage__a_stiff_neck_without_a_sudden_blow_is_no_thunderclap() -> None:
    assert triage("my neck is stiff and sore from the pillow, can that trigger a migraine?") is None


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        (
            "seit der OP habe ich ein riesiges Hämatom hinter dem Ohr und es wird immer größer",
            "postop_bleeding",
        ),
        (
            "dall'intervento ho un ematoma enorme dietro l'orecchio che continua a crescere",
            "postop_bleeding",
        ),
        ("meine Tochter hat sich den Kopf am Tisch gestoßen und zweimal erbrochen", "head_injury"),
        ("mijn dochter stootte haar hoofd tegen de tafel en heeft overgegeven", "head_injury"),
    ],
)
def test_triage__a_growing_bruise_and_vomiting_after_a_knock(question: str, concept: str) -> None:
    assert concept in _concepts(question)


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        (
            "mijn hoofd barstte ineens uit elkaar van de pijn, niet mijn gewone migraine",
            "thunderclap",
        ),
        ("hij kan zijn woorden niet vinden en zijn rechterarm doet het niet meer", "neuro_deficit"),
        ("hij lag op de grond te schokken en reageerde niet", "confusion_faint_seizure"),
        ("mijn oma is gevallen en heeft een hoofdwond, ze is sufferig", "head_injury"),
        ("mijn zoon heeft koorts en een nekstijfheid", "fever_meningism"),
        ("ma fille a 40 de fièvre et un purpura sur les jambes", "fever_meningism"),
        ("mijn moeder van 72 heeft pijn bij haar slapen en pijn bij het kauwen", "new_after_50"),
        ("après l'opération j'ai un saignement qui ne s'arrête pas", "postop_bleeding"),
        (
            "je suis immunodéprimée et j'ai mal à la tête depuis plusieurs jours",
            "immunocompromised_cancer",
        ),
        ("sinds de operatie heb ik verhoging en voel me grieperig", "postop_fever"),
    ],
)
def test_triage__dutch_and_french_lay_words(question: str, concept: str) -> None:
    assert concept in _concepts(question)


@pytest.mark.parametrize(
    "question",
    [
        "fever and a stiff neck, what does that mean in general?",
        "face drooping, arm weakness, speech trouble: are those the signs of a stroke?",
        "fiebre y rigidez de nuca, ¿son síntomas de meningitis?",
        "Fieber und steifer Nacken, sind das Anzeichen einer Meningitis?",
        "koorts en een stijve nek, zijn dat tekenen van hersenvliesontsteking?",
        "febbre e collo rigido, sono sintomi di meningite?",
        "sudden worst headache of your life, is that what they call thunderclap?",
    ],
)
def test_triage__a_bare_list_of_symptoms_asked_about_in_general_raises_no_alarm(
    question: str,
) -> None:
    assert triage(question) is None


@pytest.mark.parametrize(
    "question",
    [
        "zwanger van 34 weken, hoofdpijn en lichtflitsen, is dat een risico?",
        "enceinte de 34 semaines, mal de tête et éclairs lumineux, c'est un risque ?",
    ],
)
def test_triage__a_list_that_tells_of_someone_before_a_general_question_counts(
    question: str,
) -> None:
    assert triage_level(question) == "emergency"


@pytest.mark.parametrize(
    "question",
    [
        "my grandmother is 80 and never had migraines, is it genetic?",
        "mi abuela tiene 80 años y nunca tuvo migrañas, ¿es genético?",
        "meine Oma ist 82 und hatte nie Migräne, ist das erblich?",
    ],
)
def test_triage__never_a_headache_after_fifty_with_none_now_raises_no_alarm(question: str) -> None:
    assert triage(question) is None


def test_triage__lifelong_migraines_do_not_make_a_stroke_usual() -> None:
    question = (
        "a mi padre (67) le ha dado un dolor de cabeza fuerte y ahora habla raro y se le tuerce "
        "la boca. Él tiene migrañas de siempre, ¿esperamos?"
    )
    assert triage_level(question) == "emergency"
    assert triage("tengo el dolor de cabeza de siempre, ¿me opero?") is None


# ---- a medicine's effect, a neck said not to be stiff, a deficit years ago ----------------------
@pytest.mark.parametrize(
    "question",
    [
        "these preventive pills leave me dazed all day, when do doctors consider surgery?",
        "las pastillas me dejan atontada y con dolor de cabeza, ¿me puedo operar?",
    ],
)
def test_triage__a_dazed_feeling_from_a_medicine_is_no_confusion(question: str) -> None:
    assert "confusion_faint_seizure" not in _concepts(question)


def test_triage__dazed_with_a_headache_and_no_medicine_is_still_an_emergency() -> None:
    assert "confusion_faint_seizure" in _concepts("my dad is dazed and has a terrible headache")


def test_triage__a_neck_said_not_to_be_stiff_is_no_meningism() -> None:
    assert _concepts("bit of a temperature and my usual migraine, neck isn't stiff, no rash") == ()
    assert "fever_meningism" in _concepts("high temperature, headache and my neck is so stiff")


@pytest.mark.parametrize(
    "question",
    [
        "my boy has 39.8 fever, a headache, and he screams when I move his neck",
        "mi hija tiene 39 de fiebre, le duele la cabeza y llora cuando le muevo el cuello",
        "il a 39 de fièvre, mal à la tête et veut rester dans le noir",
    ],
)
def test_triage__fever_with_a_painful_neck_or_a_wish_for_the_dark_is_meningism(
    question: str,
) -> None:
    assert "fever_meningism" in _concepts(question)


def test_triage__a_paralysis_years_ago_told_as_history_is_no_emergency() -> None:
    assert _concepts("há 3 anos tive uma paralisia na cara, recuperei. posso operar a testa?") == ()


def test_triage__a_redness_where_the_fat_was_taken_after_the_operation_is_urgent() -> None:
    question = "me hicieron lo de la grasa hace 5 días y el muslo está rojo y caliente"
    assert "postop_wound" in _concepts(question)


def test_triage__a_new_daily_headache_after_fifty_told_across_two_messages_is_urgent() -> None:
    history = (Turn(role="user", content="tengo 61 años y me duele la cabeza"),)
    assert "new_after_50" in _concepts("nunca tuve dolores así, empezó hace 3 semanas", history)


@pytest.mark.parametrize(
    "question",
    [
        "worst month ever, 14 migraine days, is there anything that stops them?",
        "peor mes de mi vida con la migraña, ¿qué me queda, la cirugía?",
        "pior ano da minha vida com essa enxaqueca, vale a pena operar?",
    ],
)
def test_triage__the_worst_month_or_year_is_no_worst_ever_headache(question: str) -> None:
    assert _concepts(question) == ()


def test_triage__an_aura_unchanged_for_years_is_no_deficit_but_a_new_one_is() -> None:
    usual = (
        "mi aura es un hormigueo en la mano, me pasa así desde hace años y la neuróloga lo conoce"
    )
    assert _concepts(usual) == ()
    assert "neuro_deficit" in _concepts(
        "my face is drooping and my arm went weak with this headache"
    )


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        (
            "he's 74, his jaw hurts when he eats and at breakfast the sight in his left eye went",
            "vision_loss",
        ),
        ("a mis 63 me empezaron dolores de cabeza, nunca tuve, ya van 3 semanas", "new_after_50"),
        ("mit 58 jeden Tag Kopfschmerzen seit drei Wochen, hatte ich früher nie", "new_after_50"),
        ("70. pijn bij het kauwen aan mijn kaak, sinds een week", "new_after_50"),
        (
            "bij het drinken liep het water uit mijn mond aan één kant, nu hoofdpijn",
            "neuro_deficit",
        ),
        (
            "plötzlich konnte ich nicht mehr richtig sprechen, alles verwaschen, dazu Kopfweh",
            "neuro_deficit",
        ),
        (
            "gisteren geopereerd, het verband is doorweekt en het blijft bloeden ondanks drukken",
            "uncontrolled_bleeding",
        ),
        (
            "in der 33. Woche schwanger, Kopfschmerzen und die Füße sind dicker als sonst",
            "pregnancy_headache",
        ),
        ("my wife is on chemo, now she has a fever and a splitting head", "immuno_fever"),
    ],
)
def test_triage__lay_words_of_round_nine_shapes(question: str, concept: str) -> None:
    assert concept in _concepts(question), _concepts(question)


@pytest.mark.parametrize(
    "question",
    [
        # a year gone by, a youth, an accident years ago: history, not what happens now
        "in 2018 I had a CT for a sudden terrible headache, all clear. can I still have the op?",
        "da giovane ho avuto una crisi epilettica, una volta sola. posso fare l'anestesia?",
        "accidente de coche hace 10 años, latigazo cervical, desde entonces dolor en la nuca",
        # the worst pain every time, the same for years; the usual migraine in pregnancy, no signs
        "every attack is the worst pain of my life but it's the same for 10 years, slow build",
        "enceinte de 4 mois, mes migraines habituelles, pas de trouble de la vue ni de gonflement",
    ],
)
def test_triage__history_and_a_usual_pattern_raise_no_alarm(question: str) -> None:
    assert _concepts(question) == ()


@pytest.mark.parametrize(
    "question",
    [
        "what does closing a PFO have to do with migraine? I'm confused",
        "Cos'è la stimolazione occipitale e a cosa serve per l'emicrania? Sono confuso",
        "I'm confused about the different migraine operations, which is which?",
        "non ho capito bene la differenza tra le operazioni per l'emicrania",
    ],
)
def test_triage__puzzled_by_the_sources_is_no_confusion(question: str) -> None:
    assert _concepts(question) == ()


@pytest.mark.parametrize(
    "question",
    [
        "I'm confused and my head is pounding, I don't know where I am",
        "sono confusa e ho un mal di testa fortissimo da stamattina",
    ],
)
def test_triage__confused_in_mind_with_a_headache_is_still_an_emergency(question: str) -> None:
    assert "confusion_faint_seizure" in _concepts(question)


@pytest.mark.parametrize(
    "question",
    [
        # a fear of the anaesthetic from last time, or someone almost not waking from one
        "hab Angst vor der Narkose, bin letztes mal kaum wach geworden. Braucht man eine?",
        "me da pánico la anestesia (mi padre casi no se despierta de una), ¿te duermen entera?",
        # living on pills is no wish to die; the illness grown worse over months is no thunderclap
        "no quiero vivir a base de pastillas, ¿qué otras opciones hay?",
        "I don't want to live on painkillers forever, what else is there?",
        "ik ben 52, in de overgang en mijn migraine is erger dan ooit. opereren of afwachten?",
    ],
)
def test_triage__fears_habits_and_a_worse_course_raise_no_alarm(question: str) -> None:
    assert _concepts(question) == ()


@pytest.mark.parametrize(
    ("question", "concept"),
    [
        ("no quiero vivir, el dolor es insoportable", "self_harm"),
        ("my headache is worse than ever, it came on suddenly an hour ago", "thunderclap"),
        ("my mum is confused and doesn't know where she is", "confusion_faint_seizure"),
    ],
)
def test_triage__the_same_words_told_now_still_raise_the_alarm(question: str, concept: str) -> None:
    assert concept in _concepts(question)
