"""Readings of patients' words that a fresh set of outside questions showed missing: red flags
told in new words, messages that only sound alarming, efficacy follow-ups and the things that
only sound like efficacy, the treatment a caveat names, doses, and what a question asks.

Every sentence here is written for the test, in the patterns' own shapes, not copied from an
evaluation set."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evidence import EvidenceRegistry
from assistant.guardrails.caveat import asked_subjects
from assistant.guardrails.efficacy import EfficacyDetector
from assistant.guardrails.efficacy_rules import signals
from assistant.guardrails.treatments import default_catalogue
from assistant.guardrails.triage import asks_a_dose, is_personal_decision
from assistant.types import Turn
from tests.test_red_flag_concepts import _reading

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = EvidenceRegistry.load(ROOT / "knowledge" / "evidence-registry.yaml")

RULES = EfficacyDetector(classifier=False)


# ---- red flags told in new words ----------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        # the person's own attacks called the worst pain, told as a habit
        "my migraines are the worst pain I know, each time two days of throwing up, does the "
        "surgery work?",
        # a worst headache years ago, checked and clear
        "In 2018 hatte ich die schlimmsten Kopfschmerzen meines Lebens, CT und alles war "
        "unauffällig. Seitdem nur meine normale Migräne.",
        # fainting at the sight of needles since childhood
        "je tombe dans les pommes dès que je vois une aiguille, depuis toute petite, on m'endort "
        "pour l'opération ?",
        # foggy after every attack
        "después de cada migraña me quedo espesa y lenta un día entero, ¿la operación ayuda?",
        # a risk asked, not had
        "¿Me puedo quedar con la cara paralizada después de la operación?",
        "Kann das Gesicht danach gelähmt bleiben?",
        # a pain in the nape, not in the chest
        "mon voisin s'est fait opérer et n'a plus de crises, j'ai une douleur dans la nuque "
        "depuis des années, ça marcherait pour moi ?",
    ],
)
def test_red_flags__messages_that_only_sound_alarming_raise_nothing(question: str) -> None:
    assert _reading(question) == (None, ()), question


def test_red_flags__pregnancy_swelling_is_urgent_and_with_sight_an_emergency() -> None:
    assert _reading("36 weeks pregnant, swollen ankles and a headache since this morning")[0] == (
        "urgent"
    )
    assert _reading("36 weeks pregnant, swollen ankles, a headache and I'm seeing spots")[0] == (
        "emergency"
    )


# ---- efficacy -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "earlier"),
    [
        ("ok what about the stimulator one", "does the decompression surgery actually work?"),
        ("vale, ¿y lo de la grasa?", "¿la operación de los nervios funciona?"),
        ("d'accord, et au bout de cinq ans ?", "la chirurgie de la migraine, ça marche ?"),
        ("ok und das mit dem Stimulator?", "Funktioniert die Migräne-OP wirklich?"),
    ],
)
def test_efficacy__a_follow_up_after_an_acknowledgement_inherits_the_topic(
    question: str, earlier: str
) -> None:
    assert RULES.rules(question, question, [Turn(role="user", content=earlier)]), question


@pytest.mark.parametrize(
    ("question", "earlier"),
    [
        ("ok und tut das danach weh?", "Funktioniert die Migräne-OP?"),
        ("vale, ¿y cuántos días de ingreso?", "¿la operación funciona?"),
        ("ok, et je serais arrêtée combien de temps ?", "la chirurgie ça marche ?"),
    ],
)
def test_efficacy__a_follow_up_about_something_else_does_not(question: str, earlier: str) -> None:
    assert not RULES.rules(question, question, [Turn(role="user", content=earlier)]), question


@pytest.mark.parametrize(
    "question",
    [
        "Funktioniert die Nervenstimulation bei Migräne?",
        "the cefaly costs a fortune, does it do anything or is it a gadget?",
        "Franchement, on en tire quoi, de cette stimulation ?",
        "de blokkade hield een maand, houden de volgende langer?",
        "doet dat ook echt wat, die pillen?",
        # a price named in the verdict
        "is the decompression worth 12k out of pocket?",
        "vale os 3 mil euros, essa cirurgia?",
        "Vale la pena pagar 500 euros por el dispositivo si la seguridad social no lo cubre?",
        # still noticing a difference, the effect stopping
        "¿y a los cinco años se sigue notando la operación?",
        "après trois ans, on sent encore une différence avec la stimulation ?",
        "il botox dopo quanto smette di fare effetto?",
        # what to expect for the migraines
        "et pour mes migraines, on peut en attendre quoi de cette opération ?",
        # the Dutch idiom for getting something out of it
        "heb ik op mijn leeftijd nog wat aan een zenuwoperatie?",
        # the Portuguese verb for working
        "em pessoas com enxaqueca crónica costuma resultar?",
        # success still read where it is the treatment's
        "qual é a taxa de sucesso da cirurgia de enxaqueca?",
        "heeft de migone-operatie veel succes bij chronische migraine?",
        # two treatments compared, with a side effect told as the reason
        "is botox any better than the amitriptyline? it makes me so drowsy",
        # an outcome told, then luck or the rule
        "a colleague had the nerve op and hasn't had a migraine since, was she just lucky?",
        "mi vecina se operó y dice que nada de migrañas desde entonces, ¿tuvo suerte?",
        # how often it succeeds, how long it holds, whether it all comes back
        "en bij iemand met dagelijkse pijn zoals ik, hoe vaak lukt het dan?",
        "a estimulação segura por quanto tempo? depois volta tudo?",
        "do the injections last longer if you have them regularly?",
        # verdicts of failure or of no effect
        "trois mois de Topamax et toujours autant de crises, c'est foutu ?",
        "questi integratori sono acqua fresca o servono?",
    ],
)
def test_efficacy__new_forms_of_asking_are_read(question: str) -> None:
    assert RULES.detect(question, question), question


@pytest.mark.parametrize(
    "question",
    [
        # the implant stays in the body
        "How does the heart plug actually work? Does it stay in there forever?",
        "Wie funktioniert der Stimulator? Bleibt der für immer drin?",
        # insurance and referral verdicts
        "Has anyone managed to get their insurer to cover the migraine operation? What forms?",
        "Ça vaut le coup de passer par mon médecin traitant ou j'appelle la clinique directement ?",
        # a dose and when to take it
        "Wie viel Magnesium nimmt man am Tag, morgens oder abends?",
        # washing the hair after an operation told as a success
        "el cirujano dice que salió todo perfecto, ¿cuándo puedo lavarme el pelo y quitarme el "
        "apósito?",
        # a failure told, then who to see next
        "fiz a cirurgia e não adiantou nada, volto no neurologista ou procuro outro cirurgião?",
        # a medicine that works, then a dose or a taper asked
        "the naproxen works if I take it early, how many am I allowed to take in a day?",
        "l'Epitomax ne m'aide plus, il faut le diminuer petit à petit ou arrêter d'un coup ?",
        # a medicine that works, then a side effect asked
        "de propranolol helpt goed maar ik krijg er diarree van, is er een andere vorm?",
        "il topiramato funziona ma mi vengono le dita che formicolano, passa col tempo?",
        # a verdict on insurance, a private route or travel, not on the treatment
        "Lohnt sich eine Zusatzversicherung vor der Operation am Nacken?",
        "loont het om voor de ingreep naar het buitenland te gaan, de wachtlijst is lang?",
        "vale a pena ir pelo seguro ou esperar pelo SNS para a cirurgia?",
        # what happens if an implant fails
        "and if the stimulator fails, do they take the wires out, is it another operation?",
        "y si no me sirve, ¿me lo quitan? ¿es otra operación?",
        # a device that still runs after a scan, at the airport or near a phone
        "posso fare la risonanza con lo stimolatore? dopo funziona ancora?",
        "mag ik met de stimulator door het poortje op het vliegveld? werkt hij daarna nog?",
        # a scar that heals, a scan's results, a paper that serves, the anaesthetic working
        "la cicatrice dans la nuque met combien de temps à guérir ?",
        "quand j'aurai les résultats de l'IRM, je les envoie à qui ?",
        "¿me sirve el informe de mi médico de cabecera para pedir la operación?",
        "will the local anaesthetic even work on me? dentists always struggle",
        # where to inject, and now or better after the birth
        "el Ajovy, ¿mejor en la barriga o en el muslo?",
        "estoy embarazada, ¿me opero ahora o mejor después del parto?",
        # an outcome told, then only practical things asked
        "the surgeon said it went perfectly, when am I allowed to drive again",
        "de chirurg was tevreden met het resultaat, wanneer mag ik weer fietsen?",
        "la liposuzione è riuscita bene, quando posso togliere la guaina?",
        # a treatment told as failing, then the next steps
        "botox hielp bij mij helemaal niet, wat zijn nu de volgende stappen?",
        "propranolol did nothing and amitriptyline neither, what are the other options now?",
        "la amitriptilina no me sirvió, ¿y ahora qué hago, a qué médico voy?",
        "o topiramato parou de fazer efeito, que especialista devo procurar agora?",
        "il triptano non mi fa più niente, a chi mi devo rivolgere?",
        # a device that does not switch on: a fault, not a lost benefit
        "mijn stimulator gaat niet meer aan, bel ik het ziekenhuis of de fabrikant?",
        # a medicine paused before a visit, what a medicine is for, where to have the operation
        "do I have to stop my propranolol before I see the surgeon next week?",
        "¿para qué sirve el topiramato? ¿no era para la epilepsia?",
        "ist es besser, den Eingriff ambulant oder stationär zu machen?",
        # "work out" as in figure out
        "I'm trying to work out if I need the whole week off, how long is the op itself?",
        # numbness that may stay, a lead that may move: a side effect and a risk
        "¿la parte de atrás de la cabeza se queda dormida para siempre?",
        "¿qué probabilidad hay de que se muevan los electrodos?",
        # a wish of good luck, an operation that went well
        "'veel succes morgen' zei de verpleegkundige, wat moet ik meenemen?",
        "a operação correu com sucesso, mas quando posso lavar o cabelo?",
        # a trial that went well, then how the next operation goes
        "the stimulator trial went well so they're fitting the permanent one, will I be asleep?",
        # a verdict on bringing papers to an appointment
        "is it worth taking my headache diary to the surgeon's appointment?",
        "Lohnt es sich, meine alten Befunde zum Termin beim Chirurgen mitzubringen?",
        # an anaesthetic that did not work last time
        "bei der letzten OP hat die Betäubung kaum gewirkt, geht die Migräne-OP in Vollnarkose?",
        # a treatment that stopped working, then what to try next
        "my sumatriptan stopped working last year, what could I try next?",
        "i triptani non mi fanno più niente ormai, adesso cosa faccio?",
        "mijn operatie is vorig jaar mislukt en de pijn is terug, wat nu?",
        # a medicine kept while waiting, or stopped on one's own
        "can I keep getting botox while I'm waiting for the nerve surgery, or stop it first?",
        "o topiramato me dá formigamento, posso parar por conta própria?",
        # stitches taken out, a numb scalp that may stay, a device always on
        "i punti dell'intervento, quando li tolgo?",
        "l'intervento è riuscito, ma i punti quando li tolgono? e posso lavarmi i capelli?",
        "dopo la neurectomia la nuca resta addormentata per sempre?",
        "lo stimolatore funziona sempre o lo accendo io quando serve?",
        # a contraceptive pill that may work less, "quite" as in rather
        "Stimmt es, dass die Pille mit Topiramat nicht mehr richtig wirkt?",
        "I'd quite like the fat taken from my thighs, where do they usually take it from?",
        # a side effect's cause asked after the medicine is told as working
        "propranolol works fine for my migraines but my hands are always cold. Is that from "
        "the propranolol?",
        "El topiramato me funciona, pero tengo hormigueo en los pies. ¿Puede ser por el "
        "topiramato?",
        # a medicine that stopped working, and what to ask the doctor
        "candesartan stopped working after two years, what should I ask at my next appointment?",
        "Propranolol wirkt seit dem Winter nicht mehr. Was sollte ich den Arzt fragen?",
        # an insurance or a referral that "works", the odds an insurer approves
        "¿me funciona la mutua para pagar la cirugía de migraña?",
        "klappt das mit der Krankenkasse bei einer Migräne-OP im Ausland?",
        "what are the chances my insurance approves the migraine surgery the second time?",
        # the results of a scan, how long an anaesthetic lingers
        "o resultado do exame veio normal, posso marcar a cirurgia?",
        "wie lange wirkt die Narkose nach der Migräne-OP noch nach?",
        # no promise asked for: the question is another one
        "I know nobody can guarantee it will work, I only want to know where the scar goes",
        # "trigger point in" names the place of the operation
        "who does the trigger point surgery in Rome, a plastic surgeon?",
    ],
)
def test_efficacy__questions_that_only_sound_like_efficacy_are_not(question: str) -> None:
    assert not RULES.detect(question, question), question


@pytest.mark.parametrize(
    "question",
    [
        "is the recovery quicker after the fat injections than after the nerve decompression?",
        "Ist der PFO-Verschluss sicherer als die Nerven-OP bei Migräne?",
        "La stimulation occipitale, c'est plus risqué que la décompression ?",
        "¿Es más seguro el cierre del foramen oval que la cirugía de los nervios?",
        "is de vetinjectie veiliger dan de zenuwoperatie?",
    ],
)
def test_efficacy__two_treatments_compared_on_risk_or_recovery_veto_the_classifier(
    question: str,
) -> None:
    read = signals(question)
    assert not read.efficacy and read.vetoed, (question, read)


def test_efficacy__a_risk_comparison_that_also_asks_the_effect_is_read() -> None:
    question = "is PFO closure safer than the nerve operation, and does it work better?"
    assert RULES.detect(question, question)


@pytest.mark.parametrize(
    "question",
    [
        # who operates, how the operation is reached, a dose in drops
        "La greffe de graisse, c'est fait par un dermatologue ou par un chirurgien ?",
        "who performs the occipital nerve release, a neurosurgeon?",
        "maken ze voor het dichtmaken van het gaatje een snee, of gaat het via de lies?",
        "quante gocce di amitriptilina si prendono la sera?",
    ],
)
def test_efficacy__who_operates_and_how_it_is_reached_are_practical(question: str) -> None:
    assert EfficacyDetector.asks_only_practical(question), question


# ---- the treatment a caveat names ---------------------------------------------------------------
def _subjects(question: str, history: list[str] | None = None) -> list[str]:
    turns = [Turn(role="user", content=t) for t in history or []]
    subjects = asked_subjects(REGISTRY, question, question, turns, default_catalogue())
    return [
        s.procedure.id
        if s.procedure is not None
        else (s.mention.treatment.id if s.mention and s.mention.treatment else "other")
        for s in subjects
    ]


@pytest.mark.parametrize(
    ("question", "history", "expected"),
    [
        ("si me quitan el útero, ¿se me quitan las migrañas?", None, "hysterectomy"),
        ("Wenn man mir die Gebärmutter rausnimmt, ist die Migräne dann weg?", None, "hysterectomy"),
        ("Hilft eine OP an der Nasenscheidewand gegen Migräne?", None, "nasal-surgery"),
        (
            "the blocks at the back of my head help for months, will the decompression last?",
            None,
            "occipital-nerve-decompression-migone",
        ),
        (
            "lipofilling ou chirurgie de libération des nerfs, lequel marche le mieux ?",
            None,
            "trigger-site-surgery",
        ),
        (
            "de cada diez, ¿a cuántos les va bien?",
            ["¿cuánto cuesta que te pongan grasa en la cabeza?"],
            "fat-transfer",
        ),
        (
            "vale a pena?",
            [
                "tenho PFO e o cardiologista falou em fechar",
                "ele disse que pode ajudar na enxaqueca",
            ],
            "pfo-closure",
        ),
    ],
)
def test_caveat__names_the_treatment_asked_in_lay_words(
    question: str, history: list[str] | None, expected: str
) -> None:
    assert expected in _subjects(question, history), _subjects(question, history)


def test_caveat__a_description_inside_a_longer_one_is_that_procedure() -> None:
    assert _subjects("is the back of the head nerve surgery worth it?") == [
        "occipital-nerve-decompression-migone"
    ]


# ---- doses --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "topiramate 25mg does nothing, how much should I go up to?",
        "je peux monter à combien de comprimés par jour ?",
        "Qual é a dose máxima de sumatriptano por dia?",
        "Posso tomar dois ou três seguidos?",
    ],
)
def test_dose__raising_a_dose_or_its_highest_is_a_personal_decision(question: str) -> None:
    assert is_personal_decision(question) and asks_a_dose(question), question


@pytest.mark.parametrize(
    "question",
    ["how far can I walk after the operation?", "how high can I go hiking after the op?"],
)
def test_dose__distances_are_no_dose(question: str) -> None:
    assert not is_personal_decision(question), question
