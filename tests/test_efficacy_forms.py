"""Efficacy rules on forms that earlier word lists missed or over-read, in seven languages: a
verdict on asking a doctor is not a verdict on the treatment, and more ways of asking whether
a treatment prevents, fixes, weakens or ends the attacks. The sentences are written for these
tests, not taken from any eval set; the rules decide alone (no classifier)."""

from __future__ import annotations

import pytest
import yaml

from assistant.guardrails import efficacy_vocab as vocab
from assistant.guardrails.efficacy import EfficacyDetector, signals
from assistant.types import Turn

RULES = EfficacyDetector(classifier=False)


def _rules(question: str) -> bool:
    return RULES.rules(question, question)


# ---- a verdict on raising a treatment with a doctor ----------------------------------------------
ASKING_A_DOCTOR = [
    "Is it worth asking my GP about nerve stimulation, or will he just laugh?",
    "would it be silly to bring up the forehead surgery with my neurologist",
    "¿Merece la pena consultar a mi neuróloga sobre el bótox o pensará que exagero?",
    "Est-ce que ça vaut le coup d'en parler à mon médecin, de cette chirurgie ?",
    "Lohnt es sich, meine Hausärztin nach der Migräne-OP zu fragen, oder hält sie mich für irre?",
    "Heeft het zin om de neuroloog over een zenuwoperatie te vragen of vindt hij dat raar?",
    "Vale a pena falar com a minha neurologista sobre a cirurgia ou ela vai rir de mim?",
    "Vale la pena chiedere al medico della stimolazione o mi prende in giro?",
]


@pytest.mark.parametrize("question", ASKING_A_DOCTOR)
def test_consult__worth_asking_a_doctor_is_no_efficacy_question(question: str) -> None:
    assert not _rules(question), question
    # Nothing else is asked, so the classifier is vetoed too.
    assert signals(question).vetoed, question


@pytest.mark.parametrize(
    "question",
    [
        "Is it worth asking my doctor about Botox, does it even help?",
        "Lohnt sich die OP, oder soll ich erst meinen Arzt fragen?",
        "¿Vale la pena la cirugía? Quiero preguntarle a mi médico.",
        "Heeft de operatie zin, of moet ik eerst mijn huisarts vragen?",
    ],
)
def test_consult__an_effect_or_verdict_on_the_treatment_beside_it_still_counts(
    question: str,
) -> None:
    assert _rules(question), question


def test_consult__german_halt_is_no_english_halt() -> None:
    # "halt" (just, simply) in German, with no effect asked.
    assert not _rules("Ich frage halt meinen Neurologen nach der OP, oder?")
    assert _rules("Can anything halt my migraines for good?")  # "for good" still counts


# ---- effect forms in seven languages ----------------------------------------------------------
EFFECT_FORMS = [
    "Verhindert Magnesium die Attacken?",
    "Kann eine Nervendekompression meine Kopfschmerzen beheben?",
    "Werden die Anfälle durch Akupunktur wenigstens schwächer?",
    "Wie hoch sind die Chancen bei der Dekompression?",
    "Wie lange hält so ein Stimulator vor, bevor die Migräne wiederkommt?",
    "Hält die Wirkung der Botox-Spritzen bei chronischer Migräne lange an?",
    "Serai-je enfin débarrassé de mes crises avec la stimulation ?",
    "Les ventouses, c'est sérieux comme traitement ?",
    "Is mijn hoofdpijn dan echt weg na de ingreep?",
    "Com o Botox a minha enxaqueca some de vez?",
    "Dopo un anno lo stimolatore non fa più niente?",
    "Alla lunga l'intervento regge o tornano le crisi?",
    "Could the decompression halve the number of migraine days I have?",
    "halveert botox het aantal dagen met migraine echt?",
    # coming off the medicines, in the conditional or the near future
    "Will the stimulator let me stop my triptans?",
    "¿Con la cirugía dejaría de tomar pastillas?",
    "Est-ce que je vais pouvoir arrêter mes triptans après l'opération ?",
    "If I get the PFO closed, will I still need my rizatriptan?",
    # verdicts and outcomes in other words
    "Is acupuncture a good option for chronic migraine?",
    "Does fat grafting outperform Botox?",
    "Can magnesium keep the migraines at bay?",
    "would the operation give me my life back?",
    "is the decompression just a gamble?",
    "Could a nerve block break the cycle of daily headaches?",
    "Wäre eine Operation eine Lösung für meine Kopfschmerzen?",
    "¿Podré llevar una vida normal después de la descompresión?",
    "Mi conviene fare l'intervento o continuo con le pillole?",
    "Nimmt mir die Dekompression die Kopfschmerzen weg?",
    "Zou het de moeite zijn om acupunctuur te proberen?",
    "Le stimulateur tient-il ses promesses ?",
    "Hat die Nervenblockade bei jemandem angeschlagen?",
    "Wat levert zo'n botoxbehandeling bij chronische migraine op?",
    "Vou melhorar com o bloqueio anestésico?",
    "Hält die Stirn-OP eigentlich, was sie verspricht?",
    "Bekomme ich mit dem Stimulator meine Lebensqualität zurück?",
    "Ist Akupunktur eine echte Alternative zu Triptanen?",
    "Die Spritzen wirken erst nach Wochen, ich weiß. Aber wirken sie bei den meisten?",
    "Kann eine Blockade meine Dauerkopfschmerzen durchbrechen?",
    "Knapt mijn spanningshoofdpijn op van acupunctuur?",
    "Ik slik veel triptanen, kan ik daarmee stoppen na de operatie?",
    "¿Mejoraré con el bótox?",
    # help with the illness is an effect; help with paperwork is not (below)
    "Can acupuncture help me with my migraines?",
    "Botox me ajuda?",
    "Pensi che il botox mi aiuti?",
    "Con l'agopuntura l'emicrania migliorerebbe?",
    # a symptom with a treatment asked about is no symptom report
    "My migraines won't stop, what should I do, would Botox help?",
    # the verdict far from its verb; a treatment named in one compound word; an outcome told
    # of someone else, then "can I count on that?"
    "Bringt diese Operation an den Nerven am Hinterkopf bei chronischer Migräne überhaupt was?",
    "zenuwstimulatie voor clusterhoofdpijn, helpt dat nou of niet",
    "Na de operatie had mijn buurman geen aanvallen meer. Kan ik daar ook op rekenen?",
    # "really works", a bust, losing effect, how long the effect lasts, staying away
    "estas inyecciones, ¿funcionan de verdad o no?",
    "reiki contra a enxaqueca, é furada ou não?",
    "¿el bótox pierde efecto con los años?",
    "combien de temps dure l'effet de l'opération ?",
    "ob das bei mir überhaupt etwas ändert?",
    "als ik de pil doorslik, blijven de aanvallen dan weg?",
    "meine Schwester hat es genommen, ohne Effekt. Warum sollte es bei mir anders sein?",
]


@pytest.mark.parametrize("question", EFFECT_FORMS)
def test_forms__effects_asked_in_seven_languages(question: str) -> None:
    assert _rules(question), question


NOT_EFFICACY = [
    # a symptom that does not go away is a symptom report
    "Die Migräne ist seit drei Tagen nicht weg, ist das normal?",
    "Mijn hoofdpijn gaat niet weg, moet ik naar de huisarts?",
    # serious as in worrying, about a symptom
    "Mon mal de tête dure depuis hier, c'est sérieux ?",
    # how long the scar lasts is no benefit
    "Wie lange hält die Schwellung nach der OP an?",
    "Wie lange dauert die Heilung nach der OP?",
    # "what should I do?" about a symptom, no treatment named
    "I've had a headache for three days and it won't go away, what should I do?",
    "Me duele la cabeza desde ayer y no se me quita, ¿qué hago?",
    # how long the anaesthetic works
    "Wie lange wirkt die Betäubung nach der OP noch nach?",
    "Hoe lang blijft de verdoving werken na de ingreep?",
    "How long does the anaesthetic work after the operation?",
    # help from the assistant or a person
    "Can you help me with the paperwork for the referral?",
    "¿Me ayudas a preparar preguntas para la neuróloga?",
    "Kannst du mir helfen, Fragen für den Arzt aufzuschreiben?",
    # better when, where or with whom is no comparison of effects
    "¿Es mejor operarse en invierno o en verano?",
    "Is it better to have it done in a private clinic or on the NHS?",
    "Qual hospital é melhor para essa cirurgia?",
    "Quale ospedale è migliore per questo intervento?",
    "¿Cuál clínica es mejor para operarse?",
    # a device's logistics
    "¿El estimulador funciona con el móvil o con un mando?",
    "Werkt de stimulator met mijn telefoon?",
    # "pruebas" are medical tests too
    "¿Qué pruebas me harán antes de la operación?",
    # a symptom told as a statement
    "Mein Kopfschmerz fühlt sich anders an als sonst und geht einfach nicht weg.",
    # French "attendre" and Spanish "esperar" also mean waiting
    "Combien de temps faut-il attendre avant de reprendre le sport ?",
    "¿Cuánto tiempo hay que esperar después de la cirugía para ducharme?",
    # a success that is an appointment, a teacher, a spa stay, insurance that helps pay
    "finally successfully booked my consult, what do I bring?",
    "j'ai enfin réussi à obtenir un rendez-vous, je dois apporter quoi ?",
    "je suis prof de maths, combien de jours d'arrêt après l'opération ?",
    "la cure thermale, c'est remboursé ?",
    "o plano de saúde ajuda a pagar a fisioterapia se for para enxaqueca?",
    # a usual dose, a number of injections, the options after a failure
    "whats the usual dose of amitriptyline for migraine prevention?",
    "e quante iniezioni fanno? dove?",
    "die OP hat nichts gebracht, was sind jetzt meine Optionen?",
    "il botox non mi funziona più e il neurologo parla di operare, c'è un ospedale che la fa?",
    # side effects since the last round of injections
    "botox side effects? my eyelid has drooped since the last round",
    # more chance of being sick after the anaesthetic
    "mijn vader werd ziek van de narcose, heb ik daar meer kans op?",
]


@pytest.mark.parametrize("question", NOT_EFFICACY)
def test_forms__symptoms_and_aftercare_stay_out(question: str) -> None:
    assert not _rules(question), question


def test_vocabulary__each_group_is_compiled_under_its_own_name() -> None:
    names = yaml.safe_load(vocab.PATTERNS_FILE.read_text(encoding="utf-8"))["groups"]
    for name in names:
        compiled = getattr(vocab, name.upper())
        assert compiled.pattern == vocab.group(name).pattern, name


# ---- short follow-ups after an efficacy question -----------------------------------------------
def _after(question: str, earlier: str) -> bool:
    return RULES.rules(question, question, [Turn(role="user", content=earlier)])


@pytest.mark.parametrize(
    ("question", "earlier"),
    [
        ("¿y en mi caso?", "¿La estimulación occipital funciona?"),
        ("¿Y para la cefalea en racimos?", "¿El bótox sirve para la migraña?"),
        ("and in teenagers?", "Is Botox effective for chronic migraine?"),
    ],
)
def test_follow_up__a_short_and_inherits_the_efficacy_topic(question: str, earlier: str) -> None:
    assert _after(question, earlier), question


@pytest.mark.parametrize(
    ("question", "earlier"),
    [
        ("and how much does it cost?", "Is Botox effective for chronic migraine?"),
        ("and the risks?", "Does the stimulator work for chronic migraine?"),
        ("¿y cuánto dura la recuperación?", "¿La cirugía de migraña funciona?"),
        ("und wer macht das in Berlin?", "Hilft die Nervenstimulation bei Migräne?"),
    ],
)
def test_follow_up__a_new_question_or_another_topic_does_not(question: str, earlier: str) -> None:
    assert not _after(question, earlier), question


# ---- more ways of asking, and hard negatives around them (seven languages) ---------------------
MORE_EFFECT_FORMS = [
    # of use in an illness; making the pain stop; "does it bring anything"; "does it stop then"
    "Il blocco anestetico serve nell'emicrania con aura?",
    "La fisioterapia può far smettere il mal di testa?",
    "Can acupuncture make the headaches stop?",
    "¿El magnesio puede hacer desaparecer las crisis?",
    "Kann Yoga die Kopfschmerzen verschwinden lassen?",
    "Ingwer und Kurkuma, bringen die irgendwas?",
    "Als ik aan mijn kaak geopereerd word, houdt de hoofdpijn dan op?",
    "Il magnesio mi tolga il mal di testa?",
    # chances in every language
    "Che possibilità ho di guarire con lo stimolatore?",
    "¿Qué posibilidades hay de que el bótox me quite las crisis?",
    # how well, in so many words, even beside paperwork
    "Aimovig, ça marche bien ? La mutuelle vient de le rembourser.",
    "Ajovy, wirkt das gut? Die Kasse zahlt es jetzt.",
    # an effect for a relative is still an effect
    "¿Funciona igual de bien en hombres? Es para mi marido",
    "Werkt het net zo goed voor mijn dochter?",
    # someone's outcome and "would the same happen to me?" in one message
    "Mi cuñada se hizo la descompresión y ya no tiene jaquecas, ¿me pasará lo mismo?",
    "Meine Schwester hat den Stimulator und keine Migräne mehr, wäre das bei mir auch so?",
]


@pytest.mark.parametrize("question", MORE_EFFECT_FORMS)
def test_forms__more_effect_forms_count(question: str) -> None:
    assert _rules(question), question


MORE_NOT_EFFICACY = [
    # a device that still runs after a scan is logistics
    "Does the stimulator still work after an MRI?",
    # stopping a medicine before an operation is preparation
    "Do I need to stop my blood thinner before the closure?",
    "¿Tengo que dejar el anticoagulante antes de la cirugía?",
    "Preciso parar o AAS antes da cirurgia?",
    "Muss ich die Pille vor der Operation absetzen?",
    # how long the anaesthetic's effect lasts, whatever pain is named beside it
    "Wie lange hält die Wirkung der Betäubung an? Wann kommen die Schmerzen?",
    "How long does the effect of the anaesthetic last, when will the pain start?",
    # a symptom that will not go away, and what to take for it
    "Tengo una migraña que no se me quita desde el sábado, ¿qué puedo tomar?",
    "Mijn migraine gaat niet weg sinds zondag, wat kan ik nog nemen?",
    "Meine Migräne geht seit drei Tagen nicht weg, Triptan hilft nicht, was soll ich tun?",
    # raising a treatment with a doctor, the verb far from the verdict
    "Lohnt es sich, meinen Neurologen auf den Okzipitalnervenstimulator anzusprechen?",
    "Is het de moeite waard om de stimulator bij mijn neuroloog aan te kaarten?",
]


@pytest.mark.parametrize("question", MORE_NOT_EFFICACY)
def test_forms__logistics_preparation_and_symptoms_stay_out(question: str) -> None:
    assert not _rules(question), question


def test_forms__a_scan_does_not_veto_a_long_term_benefit() -> None:
    # the battery is named, but what is asked is the long-term benefit
    assert _rules(
        "does the stimulator do anything long term or do people end up with a dead battery?"
    )


def test_forms__a_failed_treatment_beside_another_asked_is_no_symptom_report() -> None:
    # two treatments: one told as failing, the other asked about
    assert _rules("Triptans don't help and my migraine won't go away, would Botox help?")


def test_forms__a_topic_in_brackets_names_no_illness() -> None:
    # the rewriter's topic in brackets does not turn aftercare into a question about migraine
    assert not _rules("¿Cuándo me quitan los puntos? (migraine surgery)")


def test_forms__booking_is_no_misspelt_effect() -> None:
    # "marquei" (I booked) is one slip from "marche"; a booking asks nothing
    assert not signals("Marquei consulta pra avaliar o procedimento").weak


def test_forms__someone_elses_risk_then_the_same_for_me_is_no_efficacy() -> None:
    assert not _rules(
        "My sister had the stimulator and got an infection, will the same happen to me?"
    )


@pytest.mark.parametrize(
    "question",
    ["Is acupunctuur wat?", "Is botox wat voor mij?", "Ist Akupunktur was für mich?"],
)
def test_forms__any_good_in_dutch_and_german(question: str) -> None:
    assert _rules(question), question


@pytest.mark.parametrize(
    "question",
    [
        # "wat" as what, "was" as what
        "Is dat wat je bedoelt?",
        "Wat is het verschil?",
        # remote work is a job; when a medicine starts is timing; "what now?" after a symptom
        "Quando posso tornare in smart working dopo l'intervento?",
        "When can I go back to remote work after the op?",
        "Wanneer gaat Aimovig werken?",
        "¿Cuándo va a empezar a funcionar el Aimovig?",
        "My migraine won't go away since yesterday, what now?",
    ],
)
def test_forms__what_job_timing_and_what_now_stay_out(question: str) -> None:
    assert not _rules(question), question


@pytest.mark.parametrize(
    "question",
    [
        # what it is worth, in each language's idiom
        "L'opération des nerfs de la nuque, ça vaut quoi ?",
        "A operação dos nervos do pescoço presta?",
        "L'operazione ai nervi del collo vale qualcosa?",
        "Is zo'n stimulator wat voor chronische migraine?",
        # stopping the attacks, Italian and Spanish verbs
        "Mettere uno stimolatore fermerebbe gli attacchi?",
        "¿El estimulador detendría las crisis?",
        # worrying about a treatment that does not help is still about its effect
        "Should I worry that Botox does not help?",
    ],
)
def test_forms__worth_and_stopping_in_each_language(question: str) -> None:
    assert _rules(question), question


@pytest.mark.parametrize(
    "question",
    [
        "My headache has not gone away for four days, should I worry?",
        "Mein Kopfweh geht nicht weg, soll ich zum Arzt?",
        "Mijn hoofdpijn gaat al vier dagen niet over, moet ik me zorgen maken?",
        "Mi dolor de cabeza no se va desde hace tres días, ¿me preocupo?",
        "Mon mal de tête ne part pas depuis trois jours, je dois m'inquiéter ?",
        "Heeft het zin om de stimulator bij de huisarts ter sprake te brengen?",
    ],
)
def test_forms__worrying_about_a_symptom_and_raising_a_treatment_stay_out(question: str) -> None:
    assert not _rules(question), question


@pytest.mark.parametrize(
    "question",
    [
        # good for the illness, seven languages
        "Is Botox good for migraines?",
        "¿Es bueno el bótox para la migraña?",
        "Le Botox, c'est bien contre la migraine ?",
        "Ist Botox gut gegen Migräne?",
        "Is botox goed tegen migraine?",
        "O botox é bom para enxaqueca?",
        "Il botox è valido per l'emicrania?",
        # the trick, cutting it, taking the pain away
        "Does magnesium do the trick?",
        "Do triptans cut it for cluster headaches?",
        "Will a nerve block take the pain away?",
        "Nimmt Akupunktur die Schmerzen?",
    ],
)
def test_forms__good_for_the_illness_and_taking_the_pain_away(question: str) -> None:
    assert _rules(question), question


@pytest.mark.parametrize(
    "question",
    [
        "Is it good for migraine sufferers to travel by plane?",
        "Wie viel Magnesium nimmt man bei Migräne am Tag?",
    ],
)
def test_forms__good_to_do_something_else_and_taking_a_dose_stay_out(question: str) -> None:
    assert not _rules(question), question


# ---- a dose asked, testimony and a price's worth (seven languages) -----------------------------
DOSES = [
    "The migraine comes back every evening after my triptan, how many can I take in a week?",
    "el dolor vuelve al día siguiente con el rizatriptán, ¿puedo tomar otro el mismo día?",
    "la crise revient le soir après l'almotriptan, combien je peux en prendre par semaine ?",
    "wie viele Triptane darf ich im Monat nehmen, wenn die Migräne wiederkommt?",
    "mijn hoofdpijn komt terug na de sumatriptan, hoeveel mag ik er per week nemen?",
    "a crise volta depois do triptano, quantos posso tomar por semana?",
    "il dolore torna dopo il triptano, quante compresse posso prendere in una settimana?",
]


@pytest.mark.parametrize("question", DOSES)
def test_forms__a_dose_asked_after_a_returning_attack_is_no_efficacy_question(
    question: str,
) -> None:
    assert not _rules(question)


WORTH_AND_TESTIMONY = [
    "my sister swears by feverfew for her migraines",
    "acupuncture for migraine - anything behind it?",
    "the CGRP injections, are they worth the money?",
    "Ajovy, ça vaut vraiment le prix ?",
    "Die Kopfschmerzbrille, ist die ihren Preis wert?",
    "la tisana allo zenzero blocca davvero l'attacco?",
]


@pytest.mark.parametrize("question", WORTH_AND_TESTIMONY)
def test_forms__testimony_and_a_price_worth_paying_ask_about_efficacy(question: str) -> None:
    assert _rules(question)


def test_forms__a_battery_that_lasts_and_a_withdrawal_headache_are_no_efficacy_question() -> None:
    assert not _rules("how long does the battery of the stimulator last before it is changed?")
    assert not _rules("since I stopped coffee my headache won't go away, is that withdrawal?")


@pytest.mark.parametrize(
    "question",
    [
        "after the stimulator, will I finally be able to stop my triptans?",
        "wenn ich den Stimulator bekomme, kann ich dann die Triptane endlich absetzen?",
        "Kan ik met de anti-CGRP-prik mijn triptanen laten staan?",
        "O procedimento vale o que custa? O plano não cobre",
    ],
)
def test_forms__giving_up_pills_thanks_to_a_treatment_or_its_worth_is_efficacy(
    question: str,
) -> None:
    assert _rules(question)


def test_forms__stopping_pills_before_an_operation_is_preparation() -> None:
    assert not _rules("kann ich die Triptane vor der OP absetzen?")
    assert not _rules("will I be able to stop my triptans before the surgery?")


@pytest.mark.parametrize(
    "question",
    [
        # efficacy said not to be the question
        "I'm not asking whether it works, we've been through that. How long off work after it?",
        "no te pregunto si funciona, eso ya lo sé. ¿Cuánto cuesta la operación de los nervios?",
        "non vi chiedo se funziona, mi interessa sapere quanti giorni di ricovero ci vogliono",
        # someone's hedged hope beside a question on something else
        "How long is the recovery after sinus surgery? My ENT thinks it might help my migraines",
        "¿cuántos días de reposo tras operarme del tabique? el otorrino dice que igual me mejora",
        # a cause asked, a treatment named as a possible cause
        "mis migrañas vuelven cada domingo, ¿por qué? ¿tiene que ver con el café?",
        "Minha enxaqueca volta toda vez que paro a pílula. Por que isso acontece?",
        # keeping on with a medicine, how a treatment works
        "Ich habe unter der Pille Migräne mit Aura. Darf ich die weiter nehmen?",
        "how does the stimulator actually work, is it electric?",
        # the chances that an insurer pays, or whether a referral is worth asking for
        "what are the odds my insurance approves the stimulator if I appeal?",
        "Hoe groot is de kans dat mijn zorgverzekeraar de ingreep vergoedt?",
        "Quali probabilità ci sono che la mutua mi rimborsi l'intervento ai nervi?",
        "vale a pena pedir encaminhamento para o neurologista do hospital ou demora muito?",
        # a treatment told as failing, then who to turn to
        "the fat injections did nothing for me. who should I go to now?",
        "Die Stimulation hat bei mir nichts gebracht. An wen wende ich mich jetzt?",
        "El bótox no me funcionó. ¿A quién acudo ahora?",
    ],
)
def test_forms__disclaimed_hearsay_causes_and_use_are_no_efficacy_question(question: str) -> None:
    assert not _rules(question)


@pytest.mark.parametrize(
    "question",
    [
        "does ajovy actually work? the insurance finally approved it",
        "Funziona davvero il magnesio per l'emicrania?",
        "Werkt een hormoonspiraal tegen menstruatiemigraine?",
        "kann ich nach der nerven-op endlich meine tabletten absetzen?",
        "El neurólogo dice que a lo mejor me ayuda la cirugía, ¿usted qué opina, funciona?",
        # being cured or rid of it, asked about oneself
        "j'en peux plus de ces crises. si je me fais opérer, je serai guérie pour de bon ?",
        "wenn ich die Nerven-OP mache, bin ich die Migräne dann los?",
        "en na die operatie, ben ik er dan vanaf?",
        # which gives more, results of others, how many had nothing at all afterwards
        "vet inspuiten of de stimulator, waar heb je op den duur meer aan?",
        "et chez les gens qui l'ont fait, ça donne quoi ?",
        "und wie viele hatten nach der OP gar nichts mehr?",
        # the chances it works, beside whether the insurer pays
        "what are the chances the surgery works and that insurance covers it?",
        # a failure told, then another treatment's effect asked
        "topiramate did not help. who should I see now? would the surgery help me?",
    ],
)
def test_forms__doubt_compounds_and_pills_given_up_are_efficacy_questions(question: str) -> None:
    assert _rules(question)


# ---- a treatment told as failing now, with what to do asked: a symptom report --------------------
FAILING_NOW = [
    "three days of headache now, the rizatriptan isn't even touching it and I keep being sick. "
    "what should I do?",
    "tomé ibuprofeno pero el dolor de cabeza no se me quita, llevo dos días vomitando. ¿Tengo "
    "que ir a urgencias?",
    "ik heb naproxen genomen maar de hoofdpijn gaat niet weg en ik kan niks binnenhouden. moet "
    "ik naar de huisartsenpost?",
    "Kopfweh seit zwei Tagen, die Ibuprofen hilft nicht, mir ist dauernd übel.",
]


@pytest.mark.parametrize("question", FAILING_NOW)
def test_failing_now__a_treatment_that_does_not_relieve_today_is_no_efficacy_question(
    question: str,
) -> None:
    assert not _rules(question)


def test_failing_now__whether_the_treatment_works_at_all_still_counts() -> None:
    assert _rules("the rizatriptan isn't touching my migraines any more, does it work at all?")


# ---- a harm asked, an option of an alternative, and readings that are no efficacy question ------
HARM_ASKED = [
    "does topiramate make you put on weight? my neurologist wants me on it for the migraines",
    "¿el topiramato engorda? ya he cogido tres kilos",
    "Est-ce que le propranolol fait grossir ?",
    "Macht Amitriptylin dick? Ich nehme es gegen die Migräne",
    "Is een keto dieet slecht voor je nieren?",
    "A flunarizina dá depressão? Li a bula e fiquei com medo",
    "il topiramato può dare depressione? lo prendo per l'emicrania",
    "le propranolol, ça donne des vertiges ?",
    "kan dat kwaad, zulke diepe naalden in mijn nek?",
    "la flunarizina mi dà sonnolenza, è normale?",
    "doet zo'n prik in je achterhoofd pijn?",
    "le propranolol, ça donne des maux d'estomac ?",
]


@pytest.mark.parametrize("question", HARM_ASKED)
def test_harm__a_harm_asked_is_read_as_such(question: str) -> None:
    assert signals(question).harm, question


def test_harm__the_classifier_is_not_asked_about_a_harm() -> None:
    class Always:
        def flags(self, vector: object) -> bool:
            return True

    detector = EfficacyDetector(classifier=Always())  # type: ignore[arg-type]
    question = "does amitriptyline make you gain weight? dr wants me on it for the headaches"
    assert not detector.detect(question, question, (), vector=[0.0])
    # the same classifier still decides a question with no harm named
    plain = "what about amitriptyline for the headaches then"
    assert detector.detect(plain, plain, (), vector=[0.0])


@pytest.mark.parametrize(
    "question",
    [
        "Aimovig da tre mesi e niente. A qualcuno inizia a funzionare più tardi o non mi "
        "servirà mai?",
        "llevo dos meses con el Aimovig y nada. ¿a algunos les empieza a funcionar más tarde "
        "o ya no me va a servir?",
    ],
)
def test_alternative__one_option_that_asks_about_efficacy_counts(question: str) -> None:
    assert _rules(question), question


@pytest.mark.parametrize(
    "question",
    [
        # how it is supposed to work, and where they cut
        "wie soll das Eigenfett eigentlich wirken, was passiert da mit dem Nerv?",
        "Como é feita a descompressão? Corta onde?",
        "how is the fat supposed to work against migraine, what does it do to the nerve?",
        # back to work overhead
        "Hoeveel weken na de operatie voordat ik weer boven mijn hoofd kan werken?",
        # something needed, not something that helps
        "per la dieta chetogenica serve per forza un nutrizionista?",
        # a symptom report with a treatment that failed, no question asked
        "cuatro días con un dolor de cabeza que no se me quita con nada, ni con el nolotil",
    ],
)
def test_forms__mechanism_job_need_and_symptom_readings_stay_out(question: str) -> None:
    assert not _rules(question), question


@pytest.mark.parametrize(
    "question",
    [
        # a fee called a scam: the money is asked about, not the treatment's effect
        "they want a 300 euro deposit before I even meet the surgeon, normal or a rip-off?",
        "la clinica vuole 400 euro di caparra per la prima visita, è una truffa?",
        # a treatment that stopped working, then who or what next
        "the nerve stimulator doesn't seem to help any more. who can help me now?",
        "mis crisis han vuelto todas tras la operación, ¿qué otras opciones tengo?",
        "de hoofdpijn is niet minder geworden na de ingreep, bij wie moet ik nu zijn?",
        # how it is done, in the words of how it works
        "la descompresión funciona con agujas o con cortes en la nuca?",
        "O estimulador occipital funciona como? Fica ligado o tempo todo?",
    ],
)
def test_forms__fees_next_steps_sessions_and_who_operates_stay_out(question: str) -> None:
    assert not _rules(question), question


def test_forms__a_scam_said_of_the_treatment_still_asks_about_its_effect() -> None:
    assert _rules("is the fat transfer for migraine a scam or does it really work?")


@pytest.mark.parametrize(
    "question",
    [
        # an outcome told of someone else, then only sessions, frequency, cost or who operates
        "Acupuncture cured my neighbour. How many sessions does it take and how much does it cost?",
        "Die Akupunktur hat meiner Schwester super geholfen. Wie oft muss man hin und was kostet "
        "das?",
        "The surgeon says his results are great. Will he do the op himself or a junior doctor?",
    ],
)
def test_detect__an_outcome_told_then_only_practical_things_asked_is_no_efficacy_question(
    question: str,
) -> None:
    assert not RULES.detect(question, question), question
