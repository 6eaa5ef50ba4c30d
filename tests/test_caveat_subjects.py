"""What the caveat is about: the treatment the patient asked about, named in lay words, in a
compound, by its practitioner or only in an earlier message, in seven languages. The sentences
are written for these tests, not taken from any eval set."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evidence import EvidenceRegistry
from assistant.guardrails.caveat import asked_subjects, evidence_for
from assistant.guardrails.treatments import default_catalogue
from assistant.types import Turn

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = EvidenceRegistry.load(ROOT / "knowledge" / "evidence-registry.yaml")
CATALOGUE = default_catalogue()


def _keys(question: str, *earlier: str) -> list[str]:
    history = [Turn(role="user", content=t) for t in earlier]
    return [s.key for s in asked_subjects(REGISTRY, question, question, history)]


# ---- registry procedures in lay words ----------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "earlier", "procedure"),
    [
        # the hole between the upper chambers of the heart, and closing it
        (
            "Würde das Schließen meine Migräne beenden?",
            "Man hat ein Loch zwischen den Vorhöfen gefunden",
            "pfo-closure",
        ),
        (
            "Would that stop the attacks?",
            "the echo showed a small hole between the atria",
            "pfo-closure",
        ),
        (
            "E per l'emicrania serve?",
            "vogliono chiudere il forame, dicono che è semplice",
            "pfo-closure",
        ),
        # the patient's own fat, in compounds and as "the fat thing"
        ("Hilft eine Fetttransplantation nach einer gescheiterten OP?", "", "fat-transfer"),
        ("Does lipofilling work after a failed decompression?", "", "fat-transfer"),
        ("¿Y eso de la grasa funcionaría en mi caso?", "", "fat-transfer"),
        ("Et le truc avec la graisse, ça marche ?", "", "fat-transfer"),
        # implanted electrodes
        (
            "Los electrodos que implantan en la nuca, ¿funcionan?",
            "",
            "nerve-and-spinal-cord-stimulation",
        ),
        # operated on the nerves of the nape, any language's participle
        (
            "Mi hermana fue operada de los nervios de la nuca, ¿me ayudaría?",
            "",
            "occipital-nerve-decompression-migone",
        ),
        ("Die OP am Hinterhauptsnerv, lohnt die sich?", "", "occipital-nerve-decompression-migone"),
        (
            "o que resolve mais na nevralgia occipital, liberar o nervo ou cortar?",
            "",
            "occipital-nerve-decompression-migone",
        ),
        # cutting the nerve or only freeing it, and an operation on Arnold's nerve
        (
            "the surgeon says he could snip the nerve rather than release it, which helps more?",
            "",
            "occipital-nerve-decompression-migone",
        ),
        (
            "zenuw doorknippen of vrijleggen, wat werkt beter?",
            "",
            "occipital-nerve-decompression-migone",
        ),
        (
            "Se mi operano al nervo di Arnold, guarisco?",
            "",
            "occipital-nerve-decompression-migone",
        ),
        (
            "Mon voisin s'est fait opérer des nerfs derrière la tête, ça marcherait pour moi ?",
            "",
            "occipital-nerve-decompression-migone",
        ),
        # the arteries' surgery named by an adjective, or their sealing named first
        ("Und bringt das was?", "Was ist eine arterielle Migräne-OP?", "arterial-surgery"),
        ("Dichtschroeien van de bloedvaten, helpt dat?", "", "arterial-surgery"),
        (
            "Helpt het als ze de bloedvaatjes op je hoofdhuid dichtschroeien?",
            "",
            "arterial-surgery",
        ),
        (
            "en zijn mensen daarna echt van hun migraine af?",
            "ze maken iets aan je hart dicht",
            "pfo-closure",
        ),
        ("A enxertia de gordura funciona para mim?", "", "fat-transfer"),
        ("Lo stimolatore midollare funziona?", "", "nerve-and-spinal-cord-stimulation"),
        (
            "Und wenn ich die Nerven am Hinterkopf freilegen lasse?",
            "",
            "occipital-nerve-decompression-migone",
        ),
        # a piece of muscle taken out between the brows
        (
            "Would it help?",
            "the surgeon wants to remove a strip of muscle between my eyebrows",
            "trigger-site-surgery",
        ),
        (
            "Ça marche ?",
            "il veut enlever un bout de muscle entre les sourcils",
            "trigger-site-surgery",
        ),
        # the French name of the decompression, the scalp veins burnt
        ("La chirurgie de décompression, ça donne de bons résultats ?", "", "trigger-site-surgery"),
        (
            "Cauterizar as veias da testa alguma vez resolveu dores de cabeça?",
            "",
            "arterial-surgery",
        ),
    ],
)
def test_registry__lay_names_give_the_procedure(
    question: str, earlier: str, procedure: str
) -> None:
    keys = _keys(question, *([earlier] if earlier else []))
    assert keys[:1] == [procedure], keys


# ---- catalogue treatments ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "treatment"),
    [
        ("Kann eine Heilpraktikerin meine Migräne heilen?", "naturopathy"),
        ("Hilft Schröpfen gegen Migräne?", "cupping"),
        ("Does a cold cap help with migraine attacks?", "cold-therapy"),
        ("Helpt een koelmuts tegen migraine?", "cold-therapy"),
        ("As aulas de pilates ajudam na enxaqueca?", "pilates"),
        ("Helpt een koolhydraatarm dieet tegen migraine?", "ketogenic-diet"),
        ("Hilft Cannabisöl bei Migräne?", "cannabis"),
        ("Werkt biofeedbacktherapie tegen hoofdpijn?", "relaxation"),
        ("Helpt valproaat bij migraine?", "valproate"),
        ("Wenn ich jogge, habe ich dann weniger Migräne?", "exercise"),
        (
            "Ich soll mir die Nasenscheidewand korrigieren lassen, hilft das gegen Kopfschmerzen?",
            "nasal-surgery",
        ),
        ("¿Operarme del tabique me quitaría las migrañas?", "nasal-surgery"),
        ("Hilft eine Blockade des Hinterhauptnervs bei Migräne?", "nerve-block"),
        ("¿Sirven las infiltraciones en la nuca para la migraña?", "nerve-block"),
        ("Le infiltrazioni al collo servono per l'emicrania?", "nerve-block"),
        ("Helpen je amandelen laten verwijderen tegen hoofdpijn?", "tonsillectomy"),
        ("Depois da cirurgia bariátrica a enxaqueca melhora?", "bariatric-surgery"),
        ("La mesoterapia sul collo funziona per l'emicrania?", "mesotherapy"),
        ("Does ginkgo biloba prevent migraine attacks?", "ginkgo"),
        ("¿Una dieta baja en sal reduce las migrañas?", "low-salt-diet"),
        ("¿La operación de los senos paranasales me curaría las jaquecas?", "nasal-surgery"),
        ("Hilft eine Nasennebenhöhlen-OP gegen Kopfschmerzen?", "nasal-surgery"),
        ("¿Sirve la estimulación transcraneal para la migraña?", "tms"),
        ("Il Brufen funziona per l'emicrania?", "nsaids"),
        # complementary treatments named in each language's word
        ("¿La cúrcuma quita las migrañas?", "turmeric"),
        ("Helpt voetreflexologie tegen migraine?", "reflexology"),
        ("O tai chi diminui as crises?", "tai-chi"),
        ("L'olio di lavanda serve per il mal di testa?", "peppermint-oil"),
        ("Hilft Akupressur bei Migräne?", "acupressure"),
        ("Lo shiatsu serve davvero contro il mal di testa?", "shiatsu"),
        ("Helfen Schüßler-Salze gegen Kopfschmerzen?", "schuessler-salts"),
        ("As termas fazem bem à enxaqueca?", "spa-therapy"),
        ("Werkt een detoxkuur tegen migraine?", "detox"),
        ("Bringt eine histaminarme Ernährung etwas bei Migräne?", "low-histamine-diet"),
        ("Helpt oefentherapie Cesar bij spanningshoofdpijn?", "cesar-therapy"),
        ("Gelo na testa alivia a crise?", "cold-therapy"),
        # lay names and descriptions of treatments told by a relative or a healer
        ("O óleo de canábis ajuda nas crises?", "cannabis"),
        ("Werkt het ketodieet tegen migraine?", "ketogenic-diet"),
        ("Le magnétiseur peut-il m'enlever mes migraines ?", "reiki"),
        ("La magnetoterapia serve per il mal di testa?", "magnet-therapy"),
        ("Hilft es, die Amalgamfüllungen rausmachen zu lassen?", "amalgam-removal"),
        ("Gaat mijn migraine weg als mijn baarmoeder eruit gaat?", "hysterectomy"),
        ("Helpt zo'n zenuwblokkade achter in mijn hoofd?", "nerve-block"),
        ("Arrêter les laitages, ça diminue les migraines ?", "elimination-diet"),
        # a misspelt herb and reflexology, folk healers, a hormone treatment, a new prescription
        ("Moederkruit als thee, heeft dat zin bij migraine?", "feverfew"),
        ("la riflesologia ai piedi funziona per il mal di testa?", "reflexology"),
        ("Minha tia diz que a benzedeira tira a enxaqueca, adianta?", "folk-healing"),
        ("Un curandero me ofrece curarme la migraña, ¿sirve?", "folk-healing"),
        ("La terapia ormonale sostitutiva aiuta contro l'emicrania?", "hormonal"),
        ("Si je change de lunettes, mes migraines vont passer ?", "eyeglasses"),
        (
            "Zwei Wochen stationär in der Schmerzklinik, multimodal, bringt das was?",
            "multimodal-programme",
        ),
    ],
)
def test_catalogue__lay_names_and_compounds_give_the_treatment(
    question: str, treatment: str
) -> None:
    assert treatment in _keys(question), (question, _keys(question))


def test_catalogue__the_longer_name_wins() -> None:
    # cranial osteopathy is craniosacral therapy, not osteopathy in general
    assert _keys("¿La osteopatía craneal sirve para las jaquecas?") == ["craniosacral"]


def test_catalogue__the_not_assessed_entry_names_the_treatment_as_written() -> None:
    subjects = asked_subjects(REGISTRY, "Hilft Schröpfen gegen Migräne?")
    (entry,) = evidence_for(REGISTRY, subjects, CATALOGUE)
    assert entry.procedure.startswith("Cupping") and "Schröpfen" in entry.procedure


# ---- surgery in general and treatments nobody listed ---------------------------------------------
def test_general__op_in_capitals_names_surgery() -> None:
    keys = _keys("OP oder lieber Botox – was hilft auf Dauer besser?")
    assert "general" in keys and "botox" in keys
    # lower-case Dutch "op" (on) names nothing
    assert "general" not in _keys("Helpt botox op lange termijn tegen migraine?")


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Weidenrinde lindert Migräne?", "weidenrinde"),
        ("¿El kéfir reduce las migrañas?", "kéfir"),
        ("sessões de hidroterapia resolvem enxaqueca?", "sessões de hidroterapia"),
        ("my aunt swears by nettle tea, would it work for me?", "nettle tea"),
        ("mijn zus zweert bij brandnetelthee, zou dat bij mij werken?", "brandnetelthee"),
    ],
)
def test_unlisted__the_treatment_before_an_effect_on_the_illness(question: str, asked: str) -> None:
    keys = _keys(question)
    assert any(k == "unlisted:" + asked for k in keys), keys


def test_unlisted__nothing_and_the_illness_are_no_treatment() -> None:
    for question in ("nada melhora a minha enxaqueca", "niets helpt tegen mijn migraine"):
        assert not any(k.startswith("unlisted:") for k in _keys(question)), question


def test_unlisted__a_therapy_opening_the_question_beside_its_practitioner() -> None:
    keys = _keys("Bioresonanztherapie beim Heilpraktiker, hilft das gegen Migräne?")
    assert keys[0] == "unlisted:bioresonanztherapie" and "naturopathy" in keys


@pytest.mark.parametrize(
    ("question", "earlier"),
    [
        ("Would cutting the nerve help?", "My neurologist says it's occipital neuralgia."),
        (
            "Würde das Herausschneiden am Nerv helfen?",
            "Der Arzt sagt, es ist eine Okzipitalneuralgie.",
        ),
    ],
)
def test_registry__a_procedure_described_across_two_messages(question: str, earlier: str) -> None:
    assert _keys(question, earlier)[:1] == ["occipital-nerve-decompression-migone"]
    # Neither message alone names it.
    assert "occipital-nerve-decompression-migone" not in _keys(question)
    assert "occipital-nerve-decompression-migone" not in _keys(earlier)


# ---- a lay description says which procedure "migraine surgery" means -----------------------------
@pytest.mark.parametrize(
    "question",
    [
        "Does the migraine surgery where they free the nerves at the back of your head work?",
        "Werkt de migraine-operatie aan de zenuwen achter in mijn nek?",
        "A cirurgia de enxaqueca nos nervos da nuca resolve?",
        "L'intervento per l'emicrania sui nervi della nuca funziona?",
        "¿Funciona la cirugía de migraña en los nervios de la nuca?",
    ],
)
def test_registry__a_lay_description_names_the_procedure_meant(question: str) -> None:
    assert _keys(question)[:1] == ["occipital-nerve-decompression-migone"], _keys(question)


def test_registry__fat_moved_by_liposuction_is_fat_transfer() -> None:
    keys = _keys("Tirar gordura com uma lipo e botar na cabeça, isso cura enxaqueca?")
    assert "fat-transfer" in keys, keys


def test_registry__migraine_surgery_alone_stays_the_general_procedure() -> None:
    assert _keys("Does migraine surgery work?") == ["trigger-site-surgery"]
    # a procedure named beside it in its own words is a second subject, not a replacement
    keys = _keys("Is migraine surgery better than a stimulator?")
    assert keys == ["trigger-site-surgery", "nerve-and-spinal-cord-stimulation"], keys


# ---- freeing "the nerve" in general words, against another procedure ----------------------------
@pytest.mark.parametrize(
    "question",
    [
        "Is it better to free the trapped nerve or to get a stimulator?",
        "¿Qué es mejor, liberar el nervio o ponerse un estimulador?",
        "Vaut-il mieux libérer le nerf ou poser un stimulateur ?",
        "Was hilft mehr: den Nerv freilegen lassen oder einen Stimulator?",
        "Wat werkt beter, de zenuw vrijmaken of een stimulator?",
        "O que é melhor, descomprimir o nervo ou o estimulador?",
        "Meglio liberare il nervo o mettere lo stimolatore?",
    ],
)
def test_registry__freeing_the_nerve_is_nerve_decompression(question: str) -> None:
    keys = _keys(question)
    assert keys[:2] == ["trigger-site-surgery", "nerve-and-spinal-cord-stimulation"], keys


def test_registry__freeing_the_nerve_at_the_back_of_the_head_is_the_occipital_procedure() -> None:
    assert _keys("Would freeing the nerve at the back of my head help?") == [
        "occipital-nerve-decompression-migone"
    ]


def test_registry__fat_for_migraine_is_fat_transfer() -> None:
    keys = _keys("¿Es verdad?", "He leído un blog sobre la grasa para la migraña")
    assert keys == ["fat-transfer"], keys


# ---- catalogue names in other orders and brands --------------------------------------------------
@pytest.mark.parametrize(
    ("question", "treatment"),
    [
        ("Occipitalis-Blockade mit Spritzen, hilft die?", "nerve-block"),
        ("occipitalis-blokkade met een prik, werkt dat?", "nerve-block"),
        ("Does an occipital block help with cluster headache?", "nerve-block"),
        ("Si me opero de los senos paranasales, ¿se me quitará el dolor?", "nasal-surgery"),
        ("L'Almogran è meglio del Moment per l'attacco?", "nsaids"),
    ],
)
def test_catalogue__names_in_other_orders_and_brands(question: str, treatment: str) -> None:
    assert treatment in _keys(question), (question, _keys(question))


def test_catalogue__english_moment_is_no_brand() -> None:
    assert "nsaids" not in _keys("At the moment nothing helps, would Botox?")
    assert "nsaids" not in _keys("Attends un moment, le Botox marche ?")


# ---- words of the conversation are no treatment: the earlier message says what was asked ---------
@pytest.mark.parametrize(
    ("question", "earlier", "key"),
    [
        (
            "honestly, is it going to make any difference for me?",
            "I'm reading about occipital nerve decompression",
            "occipital-nerve-decompression-migone",
        ),
        ("et niveau efficacité, ça donne quoi ?", "Mon ami prend de l'Ubrelvy", "gepants"),
        # the practitioner named in the earlier message ("homeopaat")
        (
            "en denk je dat ze daar echt beter van wordt?",
            "mijn zus gaat sinds kort naar een homeopaat voor haar hoofdpijn",
            "homeopathy",
        ),
        (
            "ze heeft sindsdien nooit meer migraine gehad, gaat dat bij mij ook zo?",
            "Een collega is aan haar triggerpunten geopereerd",
            "trigger-site-surgery",
        ),
    ],
)
def test_unlisted__conversation_words_leave_the_topic_to_the_earlier_message(
    question: str, earlier: str, key: str
) -> None:
    assert _keys(question, earlier)[:1] == [key], _keys(question, earlier)


def test_general__surgery_asked_after_medicines_tried() -> None:
    keys = _keys("He probado topiramato y el bótox. ¿Qué posibilidades tengo si me opero?")
    assert "general" in keys, keys


@pytest.mark.parametrize(
    ("question", "key"),
    [
        # a procedure's lay name opening the question is that procedure, nothing unlisted beside it
        ("L'opération de la nuque, ça marche ?", "occipital-nerve-decompression-migone"),
        ("is the back of the head nerve surgery worth it?", "occipital-nerve-decompression-migone"),
        # an injection into the back of the head is a nerve block
        ("Does an occipital injection help?", "nerve-block"),
        ("Helpt een injectie in het achterhoofd?", "nerve-block"),
        ("Hilft eine Spritze in den Hinterkopf?", "nerve-block"),
        # operated on the nape or the nerves of the neck, in the verb's other forms
        ("Mi hermano se operó de la nuca, ¿le funcionará?", "occipital-nerve-decompression-migone"),
        ("Operarsi ai nervi del collo serve a qualcosa?", "occipital-nerve-decompression-migone"),
        ("Heeft een zenuwoperatie in de nek zin?", "occipital-nerve-decompression-migone"),
        (
            "Ele tem neuralgia occipital. Operar resolve a dor?",
            "occipital-nerve-decompression-migone",
        ),
    ],
)
def test_subjects__lay_names_of_the_back_of_the_head(question: str, key: str) -> None:
    assert _keys(question) == [key], _keys(question)


# ---- what the patient hopes to give up is the outcome, not the subject ---------------------------
@pytest.mark.parametrize(
    ("question", "earlier", "key"),
    [
        ("Kan ik met de anti-CGRP-prik mijn triptanen laten staan?", "", "cgrp-antibodies"),
        (
            "If I have the occipital nerve decompression, will I be able to stop my triptans?",
            "",
            "occipital-nerve-decompression-migone",
        ),
        ("und kann ich damit mein Sumatriptan reduzieren?", "Was ist Aimovig?", "cgrp-antibodies"),
        (
            "e così riuscirò a smettere di prendere l'ibuprofene?",
            "mi hanno prescritto il topiramato",
            "topiramate",
        ),
    ],
)
def test_subjects__a_medicine_to_give_up_leaves_the_treatment_asked_about(
    question: str, earlier: str, key: str
) -> None:
    keys = _keys(question, *([earlier] if earlier else []))
    assert keys == [key], keys


def test_subjects__a_medicine_named_alone_stays_the_subject() -> None:
    assert _keys("Do triptans stop a migraine attack?") == ["triptans"]
    assert _keys("will I be able to stop my triptans one day?") == ["triptans"]


def test_unlisted__an_opening_clause_is_no_treatment_and_the_conversation_says_what_was_asked() -> (
    None
):
    keys = _keys("Und ist irgendwo belegt, dass das hilft?", "Was ist arterielle Migränechirurgie?")
    assert keys == ["arterial-surgery"]


@pytest.mark.parametrize(
    ("question", "key"),
    [
        (
            "the Migraine Relief Center says their surgery cuts my migraines, is that true?",
            "occipital-nerve-decompression-migone",
        ),
        (
            "ahora el cirujano me ofrece rellenar con grasa mía, ¿tiene sentido?",
            "fat-transfer",
        ),
        ("ora il chirurgo propone il grasso, ha senso?", "fat-transfer"),
    ],
)
def test_subjects__the_selling_clinic_and_fat_offered_name_their_procedure(
    question: str, key: str
) -> None:
    assert key in _keys(question)


@pytest.mark.parametrize(
    ("question", "treatment"),
    [
        ("sacarme las muelas del juicio me quitaria las migrañas?", "wisdom-teeth"),
        ("Mijn vriend doet de Wim Hof methode, kom ik zo van mijn migraine af?", "wim-hof"),
        ("Hyperbare zuurstoftherapie tegen migraine, doet dat iets?", "oxygen"),
        ("Meine Heilpraktikerin gibt mir Globuli gegen Migräne, wirken die?", "homeopathy"),
    ],
)
def test_catalogue__more_treatments_outside_the_registry(question: str, treatment: str) -> None:
    assert treatment in _keys(question)


@pytest.mark.parametrize(
    ("question", "key"),
    [
        # treatments told as tried are history; the question asks about surgery
        (
            "I've tried everything: propranolol, topiramate, Aimovig, acupuncture. "
            "Is the migraine surgery worth it?",
            "trigger-site-surgery",
        ),
        (
            "Betablocker, Topiramat, Botox, alles durch, nichts hat geholfen. "
            "Bringt die Migräne-OP was?",
            "trigger-site-surgery",
        ),
        # "reduce my migraine" names what is reduced, not a treatment given up
        ("Zou een maagverkleining mijn migraine verminderen?", "bariatric-surgery"),
        ("Hilft es, wenn mein Sohn keine Schokolade mehr isst?", "elimination-diet"),
        ("mi abuela se ponía paños de vinagre en la frente, ¿sirve de algo?", "home-remedies"),
        ("Mijn moeder zweert bij een koud washandje. Helpt dat?", "cold-therapy"),
        ("Ma sophrologue dit que ça peut marcher, c'est vrai ?", "sophrology"),
        ("Werkt een hormoonspiraal tegen mijn migraine?", "hormonal"),
        (
            "Mijn zus is aan de zenuwen in haar nek geopereerd. Zou dat bij mij ook werken?",
            "occipital-nerve-decompression-migone",
        ),
    ],
)
def test_subjects__the_treatment_asked_not_the_ones_tried(question: str, key: str) -> None:
    keys = _keys(question)
    assert keys[:1] == [key], keys


# ---- a treatment named only in an aside leaves the conversation's treatment asked --------------
@pytest.mark.parametrize(
    ("question", "earlier", "first"),
    [
        # compared with: both, the conversation's first
        (
            "e di quanto riduce gli attacchi? vale la pena rispetto all'amitriptilina?",
            "che cos'è l'Ajovy?",
            "cgrp-antibodies",
        ),
        # tried before and failed
        (
            "qual a chance de funcionar comigo? já tomei topiramato e não adiantou",
            "o meu neurologista quer me receitar propranolol",
            "beta-blockers",
        ),
        # failing for others, in a relative clause
        (
            "hilft es wenigstens bei Leuten, bei denen Triptane nicht helfen?",
            "was ist Lasmiditan?",
            "lasmiditan",
        ),
        # surgery named only before a "before"
        (
            "ok, but does it work well enough to try before even thinking about surgery?",
            "what's the usual dose of propranolol for migraine?",
            "beta-blockers",
        ),
    ],
)
def test_aside__the_conversation_treatment_comes_first(
    question: str, earlier: str, first: str
) -> None:
    assert _keys(question, earlier)[0] == first, _keys(question, earlier)


def test_aside__surgery_only_rejected_leaves_the_treatment_alone() -> None:
    keys = _keys(
        "Rather than surgery, my neurologist suggested occipital nerve block injections. "
        "Do those actually work?"
    )
    assert keys == ["nerve-block"], keys


def test_aside__surgery_compared_with_is_asked_too() -> None:
    assert _keys("is Botox better than surgery for chronic migraine?") == ["botox", "general"]


# ---- lay names learned from patients ------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("me quieren meter grasa mía en la frente para la migraña, ¿funciona?", "fat-transfer"),
        ("eigen buikvet in je slapen laten spuiten, helpt dat tegen migraine?", "fat-transfer"),
        (
            "eso de quitar un trocito de músculo de la nuca para liberar el nervio, ¿funciona?",
            "occipital-nerve-decompression-migone",
        ),
        (
            "mio cugino si è operato al nervo occipitale, servirebbe anche a me?",
            "occipital-nerve-decompression-migone",
        ),
        ("l'osteopatia cranio sacrale serve davvero per l'emicrania?", "craniosacral"),
        ("hilft eine Migräne-App auf Rezept (DiGA) wirklich?", "migraine-apps"),
        ("Wenn ich die Nebenhöhlen operieren lasse, ist die Migräne dann weg?", "nasal-surgery"),
    ],
)
def test_lay__names_patients_use_reach_the_entry(question: str, key: str) -> None:
    assert key in _keys(question), _keys(question)


@pytest.mark.parametrize(
    "question",
    [
        # a pain word, or a conjunction with a clipped pronoun, names no treatment
        "et après on a mal ?",
        "und wenn's hilft, hält das dann auch lange an?",
    ],
)
def test_unlisted__a_pain_word_or_a_clipped_if_is_no_treatment(question: str) -> None:
    found = [m.asked for m in CATALOGUE.unlisted(question)]
    assert found == [], found


def test_registry__wires_at_the_back_of_the_head_are_the_stimulator() -> None:
    keys = _keys("those wires at the back of the head for cluster headaches, any good?")
    assert keys == ["nerve-and-spinal-cord-stimulation"], keys
