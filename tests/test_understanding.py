"""Question understanding and unit tagging: lexicon and registry only, no model, no index."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.evidence import EvidenceRegistry
from assistant.ingest.chunking import chunk_document
from assistant.messages import messages
from assistant.types import DocumentInfo, Draft, SourceDoc, Turn
from assistant.understanding import GENERAL, LANGUAGES, Understander
from assistant.units import UnitTagger

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
FAT = "fat-transfer"
MIGONE = "occipital-nerve-decompression-migone"
STIM = "nerve-and-spinal-cord-stimulation"
ART = "arterial-surgery"


@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander(EvidenceRegistry.load(KNOWLEDGE / "evidence-registry.yaml"))


@pytest.mark.parametrize(
    ("question", "procedure", "facet"),
    [
        ("will I have to stay the night after the migone?", MIGONE, "hospital_stay"),
        ("do they knock you out for injecting your own fat?", FAT, "anaesthesia"),
        ("what could go wrong with the neck nerve operation?", MIGONE, "risks"),
        ("how long until I am back to work after a fat graft?", FAT, "recovery"),
        ("does it hurt afterwards when they put in the stimulator?", STIM, "pain_after"),
        ("will insurance pay for the occipital nerve stimulator?", STIM, "cost"),
        # little veins of the head burnt, in Spanish and Portuguese
        ("esa operación en la que te queman unas venitas de la cabeza, ¿sirve?", ART, "efficacy"),
        ("queimar as veias da cabeça resolve a enxaqueca?", ART, "efficacy"),
        # whom it is done for
        ("a chi la fanno la stimolazione del nervo occipitale?", STIM, "who_suits"),
        ("¿a quién se la hacen, la estimulación del nervio occipital?", STIM, "who_suits"),
        # which of two takes longer
        ("which takes longer, the fat transfer or the migone?", FAT, "duration"),
        # put to sleep, and where the fat is taken from
        ("pour le transfert de graisse, on t'endort ?", FAT, "anaesthesia"),
        ("bei der Eigenfett-Behandlung, wo nehmen die das Fett her?", FAT, "how_done"),
    ],
)
def test_understand__lay_words_give_procedure_and_facet(
    understander: Understander, question: str, procedure: str, facet: str
) -> None:
    u = understander.understand(question)
    assert u.procedures[0] == procedure
    assert facet in u.facets


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("How long does the fat transfer take?", "en"),
        ("¿Cuánto dura la operación de transferencia de grasa?", "es"),
        ("Combien de temps dure l'intervention du lipofilling ?", "fr"),
        ("Wie lange dauert die Operation mit Eigenfett?", "de"),
        ("Hoe lang duurt een vettransplantatie tegen migraine?", "nl"),
        ("Quanto tempo demora o procedimento da gordura?", "pt"),
        ("Quanto dura l'intervento di innesto di grasso?", "it"),
    ],
)
def test_understand__language_and_facet_in_seven_languages(
    understander: Understander, question: str, language: str
) -> None:
    u = understander.understand(question)
    assert u.language == language
    assert u.procedures == (FAT,)
    assert "duration" in u.facets


def test_understand__a_named_treatment_is_kept_with_its_spelling(
    understander: Understander,
) -> None:
    u = understander.understand("Does sumatriptan work for migraine?")
    assert [t.name for t in u.subject_treatments] == ["sumatriptan"]
    assert "efficacy" in u.facets


def test_understand__a_treatment_in_the_patients_past_is_not_the_subject(
    understander: Understander,
) -> None:
    u = understander.understand(
        "I have tried topiramate and amitriptyline and nothing helped. Is surgery for people "
        "like me?"
    )
    assert not u.subject_treatments
    assert u.procedures == (GENERAL,)


def test_understand__the_form_a_listed_treatment_takes_is_no_treatment_of_its_own(
    understander: Understander,
) -> None:
    u = understander.understand(
        "Mon médecin veut me faire des injections de Botox. À quoi ça sert avant une chirurgie ?"
    )
    assert [t.id for t in u.subject_treatments] == ["botox"]


def test_understand__surgery_named_only_in_a_condition_leaves_the_story_treatment_asked(
    understander: Understander,
) -> None:
    asked = understander.understand(
        "la clínica quiere que me ponga botox primero. ¿para qué sirve eso si me van a operar "
        "igual?"
    )
    assert [t.id for t in asked.subject_treatments] == ["botox"]
    told = understander.understand(
        "el topiramato ya no me hace efecto. ¿es eso motivo para operarme?"
    )
    assert not told.subject_treatments


def test_understand__the_procedure_asked_about_wins_over_the_failed_one(
    understander: Understander,
) -> None:
    u = understander.understand(
        "Ya me operaron de la migraña (descompresión de nervios) y no sirvió. ¿El injerto de "
        "grasa me puede dejar peor?"
    )
    assert u.procedures == (FAT,)
    assert "worse" in u.facets


def test_understand__a_follow_up_takes_the_procedure_of_the_conversation(
    understander: Understander,
) -> None:
    history = [
        Turn(role="user", content="Tell me about occipital nerve stimulation"),
        Turn(role="assistant", content="..."),
    ]
    u = understander.understand("and what can go wrong with it?", history)
    assert u.procedures == (STIM,)
    assert u.procedures_from == "history"
    assert "risks" in u.facets


@pytest.mark.parametrize(
    ("first", "follow_up", "procedure"),
    [
        # "the other one": the operation that turn did not put first, else the one named last
        (
            "there's one op that closes a hole in the heart and one on the arteries in the "
            "scalp, tell me about the heart one first",
            "and the other one, does it work?",
            "arterial-surgery",
        ),
        (
            "sto valutando la MIGONE oppure la chiusura del PFO",
            "e l'altra quanto funziona?",
            "pfo-closure",
        ),
        # the first or the second named
        (
            "ik twijfel tussen de MIGONE operatie en lipofilling met eigen vet",
            "en die tweede, is die onderzocht?",
            FAT,
        ),
        (
            "dudo entre la inyección de grasa y la operación MIGONE",
            "¿y la primera cuánto dura?",
            FAT,
        ),
        # the little hole told before "cuore", the arteries burnt
        (
            "mi hanno proposto di chiudere il buchino nel cuore oppure di bruciare le arterie",
            "la prima serve?",
            "pfo-closure",
        ),
    ],
)
def test_understand__the_other_one_or_the_second_picks_one_of_the_operations_named(
    understander: Understander, first: str, follow_up: str, procedure: str
) -> None:
    history = [Turn(role="user", content=first), Turn(role="assistant", content="...")]
    u = understander.understand(follow_up, history)
    assert u.procedures == (procedure,), u


@pytest.mark.parametrize(
    ("first", "follow_up"),
    [
        (
            "my neurologist says Botox could help, shots every three months",
            "will it last for good?",
        ),
        ("mi neuróloga dice que el bótox me podría ayudar", "¿y eso dura para siempre?"),
    ],
)
def test_understand__a_follow_up_takes_the_treatment_of_the_last_message(
    understander: Understander, first: str, follow_up: str
) -> None:
    history = [Turn(role="user", content=first), Turn(role="assistant", content="...")]
    u = understander.understand(follow_up, history)
    assert [t.id for t in u.treatments] == ["botox"], u


@pytest.mark.parametrize(
    "question",
    [
        "my chiropractor says he can fix my migraines in six sessions. will it really stop them?",
        "mi osteópata dice que me quita las migrañas en tres sesiones, ¿de verdad funciona?",
        # "that operation" points back at the story's treatment
        "de otorrino zegt dat een neusoperatie mijn migraine weg haalt. werkt die ingreep echt?",
        "l'otorino dice che operare il setto mi toglie l'emicrania. "
        "funziona davvero quell'intervento?",
        "el otorrino dice que operarme el tabique me quita la migraña. ¿funciona esa operación?",
    ],
)
def test_understand__an_effect_claimed_for_the_storys_treatment_makes_it_the_subject(
    understander: Understander, question: str
) -> None:
    u = understander.understand(question)
    assert u.treatments and not any(t.background for t in u.treatments), u
    assert "general" not in u.procedures, u


@pytest.mark.parametrize(
    ("first", "follow_up", "language"),
    [
        # function words shared by French and Italian; the conversation is Italian
        ("mi hanno proposto la chiusura del forame ovale", "la prima funziona almeno?", "it"),
        # a French conversation: "la" alone is read as French
        ("on m'a parlé de la fermeture du foramen ovale", "et la deuxième ?", "fr"),
    ],
)
def test_understand__a_short_follow_up_keeps_the_language_of_the_conversation(
    understander: Understander, first: str, follow_up: str, language: str
) -> None:
    history = [Turn(role="user", content=first), Turn(role="assistant", content="...")]
    assert understander.understand(follow_up, history).language == language


def test_understand__who_it_is_for_asked_beside_a_pill_taken_keeps_the_operation(
    understander: Understander,
) -> None:
    history = [
        Turn(
            role="user",
            content="um cirurgião tira um pedaço de músculo da testa e da nuca pra enxaqueca?",
        ),
        Turn(role="assistant", content="..."),
    ]
    u = understander.understand("e pra quem é indicado? eu só tomo dipirona na crise", history)
    # the forehead told beside the back of the head: trigger-site surgery, not the occipital one
    assert u.procedures == ("trigger-site-surgery",), u
    assert "who_suits" in u.facets
    assert not [t for t in u.treatments if not t.background], u.treatments


@pytest.mark.parametrize(
    "question",
    [
        "Woran merkt man, ob es eine Okzipitalneuralgie ist oder Migräne?",
        "waaraan herken je of het occipitale neuralgie is of migraine?",
    ],
)
def test_understand__how_to_tell_a_condition_apart_is_a_diagnosis_question(
    understander: Understander, question: str
) -> None:
    assert "diagnosis" in understander.understand(question).facets


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        (
            "ma fille est une ado, on peut l'opérer du nerf occipital ou faut-il être majeure ?",
            "age_limit",
        ),
        ("can they do the nerve decompression on minors?", "age_limit"),
        ("muss man sich für die Nerven-OP den Hinterkopf abrasieren lassen?", "scar"),
        ("quelqu'un connait le docteur Martin à Nantes pour le MIGONE ?", "provider"),
        ("mag zo'n operatie al op die leeftijd of moet hij 18 zijn?", "age_limit"),
        ("is dokter Jansen in Utrecht een goede chirurg voor de migraineoperatie?", "provider"),
    ],
)
def test_understand__an_age_the_hair_or_a_named_doctor_is_the_facet_asked(
    understander: Understander, question: str, facet: str
) -> None:
    assert facet in understander.understand(question).facets


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("bij de vetinjectie, wat kan er allemaal misgaan?", "risks"),
        ("pour le lipofilling, on dort pendant l'intervention ?", "anaesthesia"),
        ("wanneer gaan artsen een operatie overwegen bij migraine?", "who_suits"),
        ("em que situação os médicos indicam operar a enxaqueca?", "who_suits"),
        ("¿en qué situaciones se indica operar la migraña?", "who_suits"),
        ("dans quelle situation est-ce qu'on opère une migraine ?", "who_suits"),
        ("de neuroloog wil eerst botox. waarom moet dat eerst?", "diagnosis"),
        ("o SNS comparticipa a cirurgia da enxaqueca?", "cost"),
        (
            "I'm nursing my baby. can I have the fat grafting or should I wait until I wean him?",
            "pregnancy",
        ),
    ],
)
def test_understand__more_lay_words_for_what_is_asked(
    understander: Understander, question: str, facet: str
) -> None:
    assert facet in understander.understand(question).facets


def test_understand__health_insurance_is_no_healing(understander: Understander) -> None:
    u = understander.understand("does health insurance cover the migraine surgery?")
    assert u.facets == ("cost",), u


def test_understand__a_heart_op_for_migraine_is_the_hole_closure(
    understander: Understander,
) -> None:
    u = understander.understand("how is a heart op supposed to help migraines?")
    assert u.procedures == ("pfo-closure",), u


def test_understand__a_clinic_near_me_told_is_no_provider_question(
    understander: Understander,
) -> None:
    u = understander.understand(
        "the beauty clinic near me offers fat injections, where do they take the fat from?"
    )
    assert "provider" not in u.facets and "how_done" in u.facets, u


@pytest.mark.parametrize(
    "question",
    [
        "Where can I get fat transfer near me?",
        # a named doctor asked about, titles and all
        "kennt ihr Prof. Dr. Weber in Köln? Macht der solche OPs?",
        "il dottor Rossi di Torino fa questi interventi? è bravo?",
    ],
)
def test_understand__a_surgeon_recommendation_is_a_provider_question(
    understander: Understander, question: str
) -> None:
    assert understander.understand(question).provider


@pytest.mark.parametrize(
    ("question", "asked", "not_asked"),
    [
        ("how much does the migone cost in dollars, roughly?", "price", "cost"),
        ("cuánto cuesta la operación de la migraña en una clínica privada?", "price", "cost"),
        ("ça coûte combien, la chirurgie de la migraine ?", "price", "cost"),
        ("Was kostet eine Migräne-OP in der Schweiz in Franken?", "price", "cost"),
        ("wat kost zo'n migraineoperatie ongeveer in euro?", "price", "cost"),
        ("quanto custa em reais a cirurgia de enxaqueca?", "price", "cost"),
        ("quanto costa l'intervento per l'emicrania in una clinica privata?", "price", "cost"),
        # whether it is costly or insured stays the cost facet
        ("is migraine surgery expensive, and does insurance pay for it?", "cost", "price"),
        ("la cubre el seguro o la tengo que pagar yo?", "cost", "price"),
        ("zahlt die Krankenkasse eine Migräne-OP?", "cost", "price"),
        ("costa tanto l'intervento? lo passa la mutua?", "cost", "price"),
        # a currency's name without an amount ("every euro counts", "real figures") asks no price
        ("is die operatie een dure grap? ik ben zzp'er, elke euro telt", "cost", "price"),
        ("Quero números reais: quantas pessoas melhoram com a cirurgia?", "efficacy", "price"),
        ("Kostet die OP 4.000 Euro?", "price", "cost"),
    ],
)
def test_understand__an_amount_of_money_is_a_price_not_whether_it_is_costly(
    understander: Understander, question: str, asked: str, not_asked: str
) -> None:
    facets = understander.understand(question).facets
    assert asked in facets and not_asked not in facets


@pytest.mark.parametrize(
    "question",
    [
        "can I have the migone while I'm breastfeeding?",
        "¿me puedo operar de la migraña estando embarazada?",
        "posso fazer a cirurgia de enxaqueca grávida?",
        "kann ich die Migräne-OP in der Stillzeit machen lassen?",
    ],
)
def test_understand__surgery_in_pregnancy_or_breastfeeding_is_its_own_facet(
    understander: Understander, question: str
) -> None:
    assert "pregnancy" in understander.understand(question).facets


@pytest.mark.parametrize(
    "question",
    [
        "does vagus nerve stimulation work for migraine?",
        "Vagusnervstimulation mit dem gammaCore, wirkt das?",
        "la stimolazione magnetica transcranica serve per l'emicrania?",
    ],
)
def test_understand__a_non_invasive_stimulation_is_no_implanted_stimulator(
    understander: Understander, question: str
) -> None:
    assert STIM not in understander.understand(question).procedures
    assert STIM in understander.understand("does occipital nerve stimulation work?").procedures


def test_draft__an_answered_draft_without_text_cannot_exist() -> None:
    with pytest.raises(ValidationError, match="must have text"):
        Draft(text="  \n", status="answered")
    assert Draft(text="", status="no_evidence").status == "no_evidence"


def _units(understander: Understander, text: str, title: str = "A page") -> list:
    doc = SourceDoc(doc_id="doc", title=title, text=text, source_kind="clinic-marketing")
    info = DocumentInfo(
        doc_id="doc",
        title=title,
        url=None,
        publisher="P",
        source_kind="clinic-marketing",
        date=None,
        path="doc.md",
        content_hash="h",
    )
    tagger = UnitTagger(understander)
    return [u for chunk in chunk_document(doc, "h" * 64, 200) for u in tagger.units(chunk, info)]


def test_units__a_sentence_that_lists_procedures_says_of_each_what_its_clause_says(
    understander: Understander,
) -> None:
    text = (
        "Surgery for migraine is researched, particularly the cauterization of the arteries of "
        "the scalp, the removal of muscles at trigger sites, and the correction of a congenital "
        "heart defect.\n"
    )
    (unit,) = _units(understander, text)
    assert "how_done" in unit.facets
    assert "how_done" in unit.facets_of(frozenset({ART}))
    assert "how_done" in unit.facets_of(frozenset({"trigger-site-surgery"}))
    # it names the heart operation without saying how it is done
    assert "how_done" not in unit.facets_of(frozenset({"pfo-closure"}))
    # a procedure it does not list: the sentence as a whole
    assert unit.facets_of(frozenset({FAT})) == unit.facets


def test_units__a_sentence_that_only_says_what_causes_a_condition_is_about_no_operation(
    understander: Understander,
) -> None:
    text = (
        "The M.I.G.O.N.E. procedure frees the occipital nerve. Pain is caused by tight muscles "
        "around the occipital nerve. It takes about two hours.\n"
    )
    named, cause, after = _units(understander, text)
    assert MIGONE in named.procedures
    assert "causes" in cause.facets and not cause.procedures
    # the sentence after it still speaks of the operation named before
    assert MIGONE in after.procedures


def test_units__a_lead_in_is_one_unit_with_its_list(understander: Understander) -> None:
    text = (
        "Occipital neuralgia is common.\n\nOccipital neuralgia has several potential causes:\n\n"
        "  • Traumatic events such as a fall\n  • Gout\n  • Infection\n\nIt is diagnosed by a "
        "physician.\n"
    )
    units = _units(understander, text)
    lists = [u for u in units if u.kind == "list"]
    assert len(lists) == 1
    assert lists[0].text.startswith("Occipital neuralgia has several potential causes:")
    assert lists[0].text.endswith("Infection")
    assert "causes" in lists[0].facets
    # The lead-in is never a unit of its own, nor are the items it introduces.
    assert not [u for u in units if u.kind != "list" and u.text.endswith(":")]
    assert not [u for u in units if u.kind == "item"]


def test_units__a_sentence_is_tagged_with_its_heading_and_previous_sentence(
    understander: Understander,
) -> None:
    text = (
        "# Occipital nerve stimulation\n\nLead migration was common. It often needed revision "
        "surgery.\n\n# Fat transfer\n\nSwelling or bruising is typical.\n"
    )
    units = {u.text: u for u in _units(understander, text, title="Migraine treatments")}
    assert units["Lead migration was common."].procedures == {STIM}
    assert units["It often needed revision surgery."].procedures == {STIM}
    assert "risks" in units["It often needed revision surgery."].facets
    assert units["Swelling or bruising is typical."].procedures == {FAT}


@pytest.mark.parametrize("language", LANGUAGES)
def test_messages__every_language_has_every_fixed_text(language: str) -> None:
    english, own = messages("en"), messages(language)
    for key in (
        "no_evidence",
        "treatment_not_covered",
        "facet_not_covered",
        "provider",
        "other_body",
    ):
        assert own.data.get(key), (language, key)
    for group in ("lead_ins", "facet_what", "procedures"):
        assert set(own.data[group]) == set(english.data[group]), (language, group)
    if language != "en":
        assert own.data["quotes_in_english"] != english.data["quotes_in_english"]


# ---- wordings the lexicon's first version did not expect ---------------------------------
@pytest.mark.parametrize(
    ("question", "procedure", "facet"),
    [
        # synonyms, inflections and slang of each facet, in each language
        ("what could go badly with the stimulator implant?", STIM, "risks"),
        ("¿Qué problemas dan los estimuladores del nervio?", STIM, "risks"),
        ("Wie wird so eine Okzipitalisneuralgie festgestellt?", None, "diagnosis"),
        ("e se dopo l'intervento sto peggio?", GENERAL, "worse"),
        ("hoe lang lig je op de operatietafel bij een vettransplantatie?", FAT, "duration"),
        ("l'opération est prise en charge par la sécu ?", GENERAL, "cost"),
        ("quem é candidato pra cirurgia de enxaqueca?", GENERAL, "who_suits"),
        # a plural or a compound of "surgery" is still surgery
        ("¿Las operaciones de migraña las cubre el seguro?", GENERAL, "cost"),
        ("Is zo een migrainechirurgie wel veilig?", GENERAL, "risks"),
    ],
)
def test_understand__facet_families_in_seven_languages(
    understander: Understander, question: str, procedure: str | None, facet: str
) -> None:
    u = understander.understand(question)
    assert facet in u.facets, u.describe()
    if procedure is None:
        assert not u.procedures
    else:
        assert u.procedures[0] == procedure


def test_understand__a_function_word_of_several_languages_counts_a_share_in_each(
    understander: Understander,
) -> None:
    # "de" and "en" are Dutch as much as Spanish; "el", "una", "del" are Spanish only.
    question = "lei en el blog de una clinica que lo de la grasa funciona en mas del 80%"
    assert understander.language(question) == "es"


def test_understand__a_treatment_in_the_story_is_not_the_subject_of_the_question(
    understander: Understander,
) -> None:
    u = understander.understand(
        "Propranolol gave me nightmares for a year. When would a surgeon consider operating?"
    )
    assert not u.subject_treatments
    assert u.procedures == (GENERAL,)
    assert "who_suits" in u.facets


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Does ozone therapy help with migraines?", "ozone therapy"),
        (
            "is radiofrequency ablation any good for the back of the head?",
            "radiofrequency ablation",
        ),
        ("¿La ozonoterapia sirve para la migraña?", "ozonoterapia"),
        ("do steroid injections work for migraine", "steroid injections"),
    ],
)
def test_understand__a_treatment_named_by_its_form_is_found(
    understander: Understander, question: str, named: str
) -> None:
    u = understander.understand(question)
    assert [t.name for t in u.subject_treatments if t.unlisted] == [named]


@pytest.mark.parametrize(
    "question",
    ["is fat transfer therapy safe?", "what is the therapy like?", "are there other therapies?"],
)
def test_understand__a_procedure_or_a_bare_form_word_names_no_unlisted_treatment(
    understander: Understander, question: str
) -> None:
    assert not [t for t in understander.understand(question).treatments if t.unlisted]


def test_understand__the_surgery_of_a_follow_up_is_the_procedure_named_before(
    understander: Understander,
) -> None:
    history = [
        Turn(role="user", content="my neurologist mentioned the migone procedure"),
        Turn(role="assistant", content="..."),
        Turn(role="user", content="how long does the surgery take?"),
        Turn(role="assistant", content="..."),
    ]
    u = understander.understand("can I go home the same day?", history)
    assert u.procedures == (MIGONE,)
    assert u.procedures_from == "history"


def test_understand__migraine_surgery_named_later_is_the_general_topic(
    understander: Understander,
) -> None:
    history = [
        Turn(role="user", content="my neurologist mentioned the migone procedure"),
        Turn(role="assistant", content="..."),
        Turn(role="user", content="does insurance cover migraine surgery in general?"),
        Turn(role="assistant", content="..."),
    ]
    assert understander.understand("and what can go wrong?", history).procedures == (GENERAL,)


def test_understand__a_last_question_without_its_question_mark_still_asks(
    understander: Understander,
) -> None:
    u = understander.understand(
        "my surgeon says it is proven. which society says that and what do they recommend"
    )
    assert "professional_position" in u.facets
    # a closing remark asks nothing: "what is it" stays the question
    u = understander.understand("what is the migone?? sounds too good to be true")
    assert u.facets == ("what_it_is",)


def test_units__a_list_of_sources_is_never_quoted(understander: Understander) -> None:
    text = (
        "# Evidence\n\nThe trial was negative.\n\n## Sources of each section\n\n"
        "  - Evidence: Smith et al., 2019; Jones, 2020.\n"
    )
    units = _units(understander, text)
    quotable = [u.text for u in units if u.quotable]
    assert "The trial was negative." in quotable
    assert not [t for t in quotable if "et al." in t]


# ---- where it hurts, how long it lasts, surgeries named by their form ---------------------
@pytest.mark.parametrize(
    "question",
    [
        "can they fix the back of my head and my neck in the same operation?",
        "welche risiken hat die nacken-OP gegen migräne?",
        "devo fare più interventi dietro la testa?",
    ],
)
def test_understand__where_it_hurts_points_to_the_operation_for_that_place(
    understander: Understander, question: str
) -> None:
    assert understander.understand(question).procedures == (MIGONE,)


@pytest.mark.parametrize(
    "question",
    [
        "What else can make the nerve at the back of my head hurt?",  # no operation asked
        "what is an occipital nerve block injection?",  # a treatment given at that place
    ],
)
def test_understand__a_place_alone_names_no_procedure(
    understander: Understander, question: str
) -> None:
    assert understander.understand(question).procedures == ()


@pytest.mark.parametrize(
    "question",
    [
        "if the fat thing does work, how long does the relief last?",
        "how soon would i notice it working after fat transfer?",
        "franchement, ça tient combien de temps l'effet du lipofilling ?",
        "wie lange hält die Wirkung von Eigenfett an?",
    ],
)
def test_understand__how_long_the_effect_lasts_is_not_how_long_it_takes(
    understander: Understander, question: str
) -> None:
    u = understander.understand(question)
    assert u.procedures == (FAT,)
    assert "lasting" in u.facets


def test_understand__the_operation_itself_still_takes_its_time(understander: Understander) -> None:
    u = understander.understand("et l'intervention elle même dure combien de temps ?")
    assert "duration" in u.facets and "lasting" not in u.facets


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("would having a hysterectomy stop my migraines for good?", "hysterectomy"),
        ("will nose surgery get rid of my migraines?", "nose surgery"),
    ],
)
def test_understand__a_surgery_named_by_its_form_is_an_unlisted_treatment(
    understander: Understander, question: str, named: str
) -> None:
    u = understander.understand(question)
    assert named in [t.name for t in u.subject_treatments if t.unlisted]
    assert not u.specific_procedures


def test_units__migraine_surgery_on_a_page_about_one_procedure_is_also_that_procedure(
    understander: Understander,
) -> None:
    text = "Many patients feel worse after migraine surgery. Fat transfer is gentler.\n"
    units = {u.text: u for u in _units(understander, text, title="Fat transfer for migraine")}
    assert units["Many patients feel worse after migraine surgery."].procedures == {
        FAT,
        "trigger-site-surgery",
    }
    # a page about surgery in general keeps it general
    units = {u.text: u for u in _units(understander, text, title="Migraine surgery")}
    assert units["Many patients feel worse after migraine surgery."].procedures == {
        "trigger-site-surgery"
    }


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("zahlt die kasse sowas überhaupt?", "cost"),
        ("wordt het vergoed door de verzekering?", "cost"),
        ("do they put you to sleep for it?", "anaesthesia"),
    ],
)
def test_understand__what_only_an_operation_has_is_asked_of_migraine_surgery(
    understander: Understander, question: str, facet: str
) -> None:
    u = understander.understand(question)
    assert u.procedures == (GENERAL,)
    assert facet in u.facets


@pytest.mark.parametrize("question", ["does insurance pay for triptans?", "car insurance quotes"])
def test_understand__what_something_else_costs_is_not_asked_of_surgery(
    understander: Understander, question: str
) -> None:
    assert understander.understand(question).procedures == ()


@pytest.mark.parametrize(
    "question",
    [
        "y despues me puede doler mas la cabeza que antes?",
        "kann das hinterher mehr weh tun als vorher?",
        "could I end up with more headaches than before?",
    ],
)
def test_understand__more_than_before_is_worse(understander: Understander, question: str) -> None:
    assert "worse" in understander.understand(question).facets


# ---- surgeon requests, other people's experience, languages, conversations ----------------
@pytest.mark.parametrize(
    "question",
    [
        "could you recommend a decent migraine surgeon near Leeds?",
        "¿me recomiendas un buen cirujano para la migraña en Sevilla?",
        "vous connaissez un bon chirurgien à Bordeaux pour la migraine ?",
        "wer macht in Hamburg so eine Migräne-OP?",
        "kunt u een goede chirurg aanraden voor migraine in Utrecht?",
        "conhece algum bom cirurgião de enxaqueca em Lisboa?",
        "mi consigliate un bravo chirurgo a Torino per l'emicrania?",
        # a city and a surgeon asked for, a doctor pointed to, a named doctor's reputation
        "gibt es in Köln irgendwo einen Chirurgen, der die Nacken-OP macht?",
        "podia indicar-me uma clínica no Porto que faça isto?",
        "le Dr Lambert à Nantes, il a bonne réputation pour ça ?",
    ],
)
def test_understand__asking_for_a_surgeon_is_a_provider_request(
    understander: Understander, question: str
) -> None:
    assert understander.understand(question).provider


@pytest.mark.parametrize(
    ("question", "background"),
    [
        ("has anyone tried cefaly for migraine? any good?", False),
        ("alguien ha probado el cefaly? sirve?", False),
        ("I tried cefaly last year, would surgery help?", True),
    ],
)
def test_understand__others_trying_a_treatment_is_not_the_patients_past(
    understander: Understander, question: str, background: bool
) -> None:
    u = understander.understand(question)
    (mention,) = [t for t in u.treatments if t.id == "devices"]
    assert mention.background is background


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("la rimborsa la mutua o è tutto a carico mio? costa tanto?", "it"),
        ("me van a hacer una resonancia o con que me miren basta?", "es"),
        ("c'est très cher après l'opération ?", "fr"),
    ],
)
def test_understand__accented_letters_shared_by_languages_do_not_decide_alone(
    understander: Understander, question: str, language: str
) -> None:
    assert understander.understand(question).language == language


def test_understand__the_operation_after_saying_what_one_has_is_the_operation_for_it(
    understander: Understander,
) -> None:
    history = [
        Turn(role="user", content="I was diagnosed with occipital neuralgia last year"),
        Turn(role="assistant", content="..."),
    ]
    u = understander.understand("would the operation fix it?", history)
    assert u.procedures == (MIGONE,)
    # the registry's name for surgery in general keeps the general topic
    u = understander.understand("does migraine surgery work?", history)
    assert u.procedures == (GENERAL,)


@pytest.mark.parametrize(
    "question",
    [
        "will the migone leave a big scar?",
        "¿deja mucha cicatriz la operación de la nuca?",
        "est-ce que le lipofilling laisse une cicatrice ?",
        "bleibt nach der Nacken-OP eine Narbe?",
        "hou je een litteken over aan de migone?",
        "a cirurgia da nuca deixa cicatriz?",
        "resta una cicatrice dopo l'intervento alla nuca?",
    ],
)
def test_understand__a_scar_is_its_own_facet(understander: Understander, question: str) -> None:
    assert "scar" in understander.understand(question).facets


def test_messages__every_facet_asked_can_be_named_in_every_language() -> None:
    for language in LANGUAGES:
        words = messages(language)
        assert words.sub("facet_what", "scar"), language


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("l'emicrania è ereditaria?", "causes"),
        ("is migraine hereditary?", "causes"),
        ("ist Migräne erblich?", "causes"),
        ("who would they even offer the stimulator to?", "who_suits"),
        ("kann man mehrere Stellen auf einmal machen lassen beim Eigenfett?", "how_done"),
        ("après la migone on rentre chez soi le soir même ?", "hospital_stay"),
        ("dopo la migone servono antidolorifici?", "pain_after"),
    ],
)
def test_understand__risks_sleep_candidacy_and_a_test_first_in_lay_words(
    understander: Understander, question: str, facet: str
) -> None:
    assert facet in understander.understand(question).facets


def test_understand__sleeping_is_not_being_put_to_sleep(understander: Understander) -> None:
    u = understander.understand("después de la migone se puede dormir boca arriba?")
    assert "anaesthesia" not in u.facets
    u = understander.understand("¿me van a dormir para la migone?")
    assert "anaesthesia" in u.facets


def test_units__swelling_that_causes_pain_is_no_pain_after_surgery(
    understander: Understander,
) -> None:
    tagger = UnitTagger(understander)
    assert "pain_after" not in tagger.facets(
        "Pain is caused by the swelling or tightness of muscles around the nerve."
    )
    assert "pain_after" in tagger.facets(
        "Common side effects include temporary swelling and bruising at the injection site."
    )


@pytest.mark.parametrize(
    ("question", "treatment"),
    [
        ("o óleo de canabidiol ajuda na enxaqueca?", "cbd"),
        ("la quiropraxia sirve para la migraña?", "manual-therapy"),
        ("hilft eine Okzipitalisblockade auf Dauer?", "nerve-block"),
        ("operare il setto nasale fa passare l'emicrania?", "septoplasty"),
    ],
)
def test_understand__treatments_in_their_own_spelling(
    understander: Understander, question: str, treatment: str
) -> None:
    assert treatment in {t.id for t in understander.understand(question).treatments}


def test_understand__a_title_or_an_acronym_ends_no_sentence(understander: Understander) -> None:
    u = understander.understand("is Dr. Jansen in Utrecht a good migraine surgeon?")
    assert u.provider
    u = understander.understand(
        "what is the M.I.G.O.N.E. procedure? my friend says it hurts a lot."
    )
    assert u.facets == ("what_it_is",)


@pytest.mark.parametrize(
    "question",
    [
        "what does the name migone stand for?",
        "el migone son siglas de algo?",
        "M.I.G.O.N.E., c'est un sigle ?",
        "Wofür steht die Abkürzung MIGONE?",
        "is migone een afkorting?",
        "MIGONE é uma sigla?",
        "MIGONE è un acronimo?",
    ],
)
def test_understand__what_a_name_stands_for_is_its_own_facet(
    understander: Understander, question: str
) -> None:
    u = understander.understand(question)
    assert u.facets == ("name_meaning",)
    assert messages(u.language).sub("facet_what", "name_meaning")


@pytest.mark.parametrize(
    ("question", "english"),
    [
        ("after fat transfer could I come off my meds?", "reduce their reliance on medications"),
        ("¿de dónde sacan la grasa? soy muy delgada", "abdomen, thighs, and buttocks"),
        ("ci sono cose senza farmaci che aiutano?", "stress management"),
        ("hält die Wirkung für immer oder lässt sie nach?", "diminishing returns"),
        ("ik zie zigzaglijnen en mijn vingers tintelen", "tingling sensations"),
        ("vale a pena ou é só propaganda da clínica?", "clinics that sell the procedure"),
        ("hubo alguna operación simulada para comparar?", "sham operation"),
        ("de eerste operatie deed niks, wat nu?", "after surgery had failed"),
    ],
)
def test_understand__lay_concepts_get_the_sources_words(
    understander: Understander, question: str, english: str
) -> None:
    assert any(english in term for term in understander.understand(question).english_terms)


def test_understand__a_neurologist_totally_against_it_is_a_professional_position(
    understander: Understander,
) -> None:
    u = understander.understand("meu neuro é totalmente contra, por quê?")
    assert "professional_position" in u.facets


@pytest.mark.parametrize("question", ["mon cardio a trouvé un FOP", "me han visto un FOP"])
def test_understand__the_heart_hole_by_its_french_and_spanish_letters(
    understander: Understander, question: str
) -> None:
    assert understander.understand(question).procedures == ("pfo-closure",)


def test_units__small_incisions_say_something_about_scars(understander: Understander) -> None:
    tagger = UnitTagger(understander)
    assert "scar" in tagger.facets("In contrast, fat transfer requires only small incisions.")


# ---- more headaches, pain after, named doctors, capitals, "because of" ---------------------
@pytest.mark.parametrize(
    "question",
    [
        "kan ik na de ingreep nog meer hoofdpijn krijgen?",
        "est-ce qu'on peut avoir plus de maux de tête après l'intervention ?",
        "kriegt man danach noch mehr Kopfschmerzen?",
        "posso ficar com mais dor de cabeça depois?",
        "si può avere ancora più mal di testa dopo?",
        "¿se puede tener más dolor de cabeza después?",
    ],
)
def test_understand__more_headaches_is_worse_in_every_language(
    understander: Understander, question: str
) -> None:
    assert "worse" in understander.understand(question).facets


@pytest.mark.parametrize(
    ("question", "procedure"),
    [
        ("dopo l'intervento al nervo occipitale il dolore quanto dura?", MIGONE),
        ("después de la descompresión del nervio occipital, ¿cuánto dura el dolor?", MIGONE),
        ("after the fat transfer, how long does the pain last?", FAT),
    ],
)
def test_understand__a_name_inside_a_phrase_gap_keeps_the_phrase(
    understander: Understander, question: str, procedure: str
) -> None:
    # "after <procedure> ... pain" asks about pain afterwards, not how long the operation takes.
    u = understander.understand(question)
    assert u.procedures == (procedure,)
    assert "pain_after" in u.facets
    assert "duration" not in u.facets


@pytest.mark.parametrize(
    "question",
    [
        "Ist Dr. Weber in Köln gut für so eine Operation?",
        "il dott. Bianchi di Roma opera bene l'emicrania?",
        "a dra. Souza em Porto faz essa cirurgia bem?",
        "is prof. Jansen any good for migraine surgery?",
    ],
)
def test_understand__a_named_doctor_is_a_provider_request(
    understander: Understander, question: str
) -> None:
    assert understander.understand(question).provider


def test_understand__because_of_migraine_asks_no_cause(understander: Understander) -> None:
    u = understander.understand("precisa ficar internado por causa da cirurgia de enxaqueca?")
    assert "causes" not in u.facets
    assert "causes" in understander.understand("qual é a causa da enxaqueca?").facets


def test_understand__a_name_in_capitals_is_searched_in_every_language(
    understander: Understander,
) -> None:
    u = understander.understand("e o estudo PREMIUM, o que mostrou?")
    assert "PREMIUM" in u.english_terms
    # A question written in capitals is not a list of names.
    assert "QUE" not in understander.understand("O QUE É ISSO?").english_terms


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("Welche Arten von Operationen gegen Migräne gibt es?", "what_it_is"),
        ("quels types de chirurgie existent pour la migraine ?", "what_it_is"),
        ("who is the fat transfer meant for?", "who_suits"),
        ("kun je allergisch zijn voor vet inspuiten?", "risks"),
        ("como se distingue una neuralgia occipital de una migraña?", "difference"),
        ("combien de nuits à l'hôpital après le lipofilling ?", "hospital_stay"),
    ],
)
def test_understand__kinds_allergies_nights_and_telling_apart(
    understander: Understander, question: str, facet: str
) -> None:
    assert facet in understander.understand(question).facets


def test_units__a_sentence_that_says_it_differs_by_something_announces_the_next(
    understander: Understander,
) -> None:
    text = (
        "Cluster headache is differentiated from migraine by the pattern of its attacks. "
        "Cluster attacks come in bouts of weeks.\n"
    )
    units = _units(understander, text)
    assert units[0].announces
    assert not units[1].announces


@pytest.mark.parametrize(
    "question",
    [
        "after fat transfer, when am I back to normal life?",
        "después de la operación MIGONE, ¿cuándo vuelvo a trabajar?",
        "après le lipofilling, combien de temps avant une vie normale ?",
        "wann kann ich nach der Eigenfett-Behandlung wieder zur Arbeit?",
        "hoe snel ben ik weer aan het werk na een vettransplantatie?",
        "em quanto tempo volto pra academia depois do enxerto de gordura?",
        "quanto ci vuole per tornare al lavoro dopo il lipofilling?",
    ],
)
def test_understand__back_to_work_or_normal_life_is_recovery_not_duration(
    understander: Understander, question: str
) -> None:
    facets = understander.understand(question).facets
    assert "recovery" in facets
    assert "duration" not in facets


@pytest.mark.parametrize(
    "question",
    [
        "Le Dr Martin a publié une étude avec une fausse opération, ça a donné quoi ?",
        "Dr. Meier hat eine Studie gemacht, was kam dabei raus?",
    ],
)
def test_understand__a_doctor_named_as_a_studys_author_is_no_provider_request(
    understander: Understander, question: str
) -> None:
    assert not understander.understand(question).provider


@pytest.mark.parametrize(
    "question",
    [
        "Wie gut hilft die Dekompression vom Okzipitalnerv wirklich?",
        "Décompression du nerf d'Arnold : ça marche chez combien de personnes ?",
        "Mi hermano se operó de la nuca, ¿cuánto tarda en recuperarse?",
    ],
)
def test_understand__the_registrys_lay_descriptions_name_the_procedure(
    understander: Understander, question: str
) -> None:
    """What the caveat reads as the occipital procedure, the answer reads so too (a quote about
    nerve stimulation is then another procedure's)."""
    assert understander.understand(question).procedures == (MIGONE,)


@pytest.mark.parametrize(
    ("question", "practitioner"),
    [
        ("Wat is occipitale neuralgie? Mijn fysio zei dat ik dat misschien heb", "fysio"),
        (
            "è vero che l'emicrania viene dai nervi? me l'ha detto il fisioterapista",
            "fisioterapista",
        ),
        ("my physiotherapist thinks it is occipital neuralgia, what is that?", "physiotherapist"),
    ],
)
def test_understand__a_practitioner_who_said_something_is_not_the_subject(
    understander: Understander, question: str, practitioner: str
) -> None:
    u = understander.understand(question)
    assert practitioner not in [t.name.lower() for t in u.subject_treatments], u.treatments


def test_understand__a_practitioner_asked_about_stays_the_subject(
    understander: Understander,
) -> None:
    u = understander.understand("Does physio help with migraine?")
    assert [t.name.lower() for t in u.subject_treatments] == ["physio"]


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("¿de dónde vienen estas migrañas? ¿se heredan?", "causes"),
        ("Ist die Spritze auf Dauer eine Lösung?", "lasting"),
        ("how many weeks after it before I'm allowed back at work?", "recovery"),
        ("qu'est-ce que je peux changer au quotidien avant d'en arriver là ?", "alternatives"),
        ("e la sociedade de cirurgia plástica, o que acha?", "professional_position"),
        ("Gibt es in Graz einen Chirurgen dafür? Name und Adresse bitte", "provider"),
    ],
)
def test_understand__lay_forms_give_the_facet_asked(
    understander: Understander, question: str, facet: str
) -> None:
    assert facet in understander.understand(question).facets


@pytest.mark.parametrize(
    "question",
    [
        "J'ai tout essayé : bêtabloquants, Botox, anticorps. Je fais quoi maintenant ?",
        "Ho preso triptani e topiramato, niente ha funzionato. E adesso?",
        "já tomei de tudo, amitriptilina, propranolol, nada resolve. e agora?",
    ],
)
def test_understand__treatments_told_as_tried_are_background(
    understander: Understander, question: str
) -> None:
    assert understander.understand(question).subject_treatments == (), understander.understand(
        question
    ).treatments


def test_understand__an_operation_told_by_its_verb_is_surgery_in_general(
    understander: Understander,
) -> None:
    u = understander.understand("In media quanto migliora chi si opera per l'emicrania?")
    assert u.procedures == ("general",)


@pytest.mark.parametrize(
    ("question", "earlier", "facet"),
    [
        (
            "Wird man dafür komplett schlafen gelegt?",
            "Erklär mir die MIGONE-Operation",
            "anaesthesia",
        ),
        (
            "Et après, on a mal combien de temps ?",
            "Pouvez-vous m'expliquer la MIGONE ?",
            "pain_after",
        ),
        ("how long would i be off work then", "my neck nerve op is booked next month", "recovery"),
    ],
)
def test_understand__a_follow_up_asks_its_own_facet(
    understander: Understander, question: str, earlier: str, facet: str
) -> None:
    u = understander.understand(question, [Turn(role="user", content=earlier)])
    assert u.facets[:1] == (facet,), u.facets


# ---- what else there is, a question about the sentence before, and lay facets ------------------
@pytest.mark.parametrize(
    ("question", "treatment"),
    [
        (
            "before I even think about surgery, what else is out there?? I'm on topiramate and "
            "it makes me forget words",
            "topiramate",
        ),
        (
            "Avant de me faire opérer, qu'est-ce qui existe d'autre ? Je prends du doliprane "
            "et ça ne fait plus grand-chose.",
            "catalogue:paracetamol",
        ),
    ],
)
def test_understand__a_treatment_told_beside_what_else_is_asked_is_background(
    understander: Understander, question: str, treatment: str
) -> None:
    u = understander.understand(question)
    assert "alternatives" in u.facets
    assert [t.background for t in u.treatments if t.id == treatment] == [True], u.treatments


def test_understand__a_treatment_asked_about_as_an_alternative_stays_the_subject(
    understander: Understander,
) -> None:
    u = understander.understand("is Botox an alternative to the surgery?")
    assert [t.background for t in u.treatments if t.id == "botox"] == [False], u.treatments


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        # "is that normal?" asks about the sentence before it, beside another question
        (
            "My sister was worse for weeks after her migraine surgery. Is that normal? Does "
            "it hurt a lot after?",
            "worse",
        ),
        (
            "Una amiga estuvo peor unas semanas después de operarse. ¿Eso es normal? ¿Duele "
            "mucho después?",
            "worse",
        ),
        # how one tells migraine from occipital neuralgia
        (
            "Como é que eu sei se é enxaqueca ou nevralgia occipital? Dói atrás da cabeça.",
            "diagnosis",
        ),
        # back at work, in the patients' own words
        ("après une injection de graisse, on reprend vite le boulot ?", "recovery"),
        ("Wie lange fällt man nach einer Fettinjektion aus?", "recovery"),
        ("Hoe snel sta je weer in de zaak na een vettransplantatie?", "recovery"),
        # pain and bruising after
        ("Depois da injeção de gordura fica tudo negro?", "pain_after"),
    ],
)
def test_understand__lay_facets(understander: Understander, question: str, facet: str) -> None:
    assert facet in understander.understand(question).facets, understander.understand(question)


def test_understand__an_occipital_nerve_block_is_no_decompression(
    understander: Understander,
) -> None:
    u = understander.understand(
        "Rather than surgery, my neurologist suggested occipital nerve block injections. "
        "Do those work?"
    )
    assert MIGONE not in u.procedures and [t.id for t in u.treatments] == ["nerve-block"]
    u = understander.understand(
        "would the occipital nerve decompression help? a nerve block worked for two weeks"
    )
    assert u.procedures == (MIGONE,)


def test_units__a_procedure_defined_by_its_lay_verb_is_what_it_is(
    understander: Understander,
) -> None:
    tagger = UnitTagger(understander)
    facets = tagger.facets(
        "Arterial surgery for migraine cauterizes the superficial blood vessels of the scalp."
    )
    assert "what_it_is" in facets


def test_understand__a_short_follow_up_counts_words_not_a_spaced_question_mark(
    understander: Understander,
) -> None:
    # French sets its question mark apart; eight words are still a short follow-up, which takes
    # the earlier message's topic
    u = understander.understand(
        "Il faut passer une IRM pour être sûr ?",
        [
            Turn(role="user", content="Mon généraliste pense que j'ai une névralgie d'Arnold."),
            Turn(role="assistant", content="..."),
        ],
    )
    assert u.follow_up and "occipital neuralgia" in u.english_terms, u


def test_understand__a_pointing_follow_up_keeps_the_procedure_over_a_told_treatment(
    understander: Understander,
) -> None:
    # the asking sentence points back ("fazer ela"); the pills are the patient's story
    history = [
        Turn(role="user", content="o que é o procedimento migone?"),
        Turn(role="assistant", content="..."),
    ]
    u = understander.understand(
        "e quem pode fazer ela? tomo amitriptilina há 2 anos e me dá muito sono", history
    )
    assert u.procedures == (MIGONE,)
    assert u.procedures_from == "history"
    assert all(t.background for t in u.treatments)


def test_understand__nevralgia_and_where_it_comes_from_in_european_portuguese(
    understander: Understander,
) -> None:
    u = understander.understand("O médico falou em nevralgia occipital. De onde é que vem isto?")
    assert "occipital neuralgia" in u.english_terms
    assert "causes" in u.facets


# ---- limits of age, living with a device, a condition's diagnosis ---------------------------
@pytest.mark.parametrize(
    ("question", "facet", "not_asked"),
    [
        ("is there a minimum age for the migone? my daughter is 15", "age_limit", "who_suits"),
        ("¿hay edad máxima para operarse de la migraña? tengo 70", "age_limit", "who_suits"),
        ("Gibt es für die Nerven-OP eine Altersgrenze?", "age_limit", "who_suits"),
        ("mijn zoon is 16, vanaf welke leeftijd mag die operatie?", "age_limit", "who_suits"),
        ("bisogna essere maggiorenni per il lipofilling?", "age_limit", "who_suits"),
        ("how long does the battery of the occipital stimulator last?", "device_care", "lasting"),
        ("faut-il recharger la batterie du stimulateur tous les jours ?", "device_care", "lasting"),
        ("kann ich mit dem Stimulator noch ins MRT danach?", "device_care", "diagnosis"),
        # a condition's diagnosis or how it differs is no operation's how-it-is-done
        ("how do they know it's occipital neuralgia, do I need a scan?", "diagnosis", "how_done"),
        ("wie wird eine Okzipitalneuralgie festgestellt?", "diagnosis", "how_done"),
        (
            "comment on fait la différence entre névralgie d'Arnold et migraine ?",
            "difference",
            "how_done",
        ),
        # the time before going back to heavy work is recovery, not how long the operation takes
        (
            "wie lange Pause nach der MIGONE, bevor ich wieder schwer heben darf?",
            "recovery",
            "duration",
        ),
        ("hoeveel weken na de MIGONE voordat ik weer kan werken?", "recovery", "duration"),
        # "people like me" asks who it suits
        (
            "j'ai dû arrêter le topiramate. la chirurgie, c'est pour des gens comme moi ?",
            "who_suits",
            "efficacy",
        ),
        ("ist die Migräne-OP was für Leute wie mich?", "who_suits", "efficacy"),
        ("l'intervento è adatto a persone come me?", "who_suits", "efficacy"),
    ],
)
def test_understand__limits_devices_and_diagnosis_are_their_own_facets(
    understander: Understander, question: str, facet: str, not_asked: str
) -> None:
    facets = understander.understand(question).facets
    assert facet in facets and not_asked not in facets, (question, facets)


@pytest.mark.parametrize(
    "question",
    [
        "I'm the one driving him there and back. How long is he in surgery for?",
        "how long will she be in theatre for the migone?",
    ],
)
def test_understand__driving_someone_there_is_no_recovery(
    understander: Understander, question: str
) -> None:
    facets = understander.understand(question).facets
    assert "duration" in facets and "recovery" not in facets, facets


@pytest.mark.parametrize(
    ("question", "treatment"),
    [
        # advised by a practitioner, then asked about with "it"
        ("my osteo advised me to try acupuncture. does it really work?", "acupuncture"),
        ("mon ostéo m'a conseillé d'essayer l'acupuncture, ça marche vraiment ?", "acupuncture"),
        # "like all the other treatments" compares; it asks for no alternative
        (
            "mon neuro veut me mettre sous Aimovig. ça va être comme tous les autres traitements ?",
            "cgrp",
        ),
        # a nose operation, named by its lay words
        ("bringt so eine Nasen-OP was gegen Migräne?", "septoplasty"),
    ],
)
def test_understand__an_advised_or_compared_treatment_is_the_subject(
    understander: Understander, question: str, treatment: str
) -> None:
    u = understander.understand(question)
    assert treatment in [t.id for t in u.subject_treatments], u.describe()
    assert "alternatives" not in u.facets


@pytest.mark.parametrize(
    "question",
    [
        "bij een echo van mijn hart zagen ze een gaatje; helpt dichtmaken tegen migraine?",
        "my heart scan showed a small hole, would closing it help my migraines?",
        "no ecocardiograma do coração viram um buraquinho. fechar ajuda a enxaqueca?",
    ],
)
def test_understand__a_hole_told_after_the_heart_is_the_pfo(
    understander: Understander, question: str
) -> None:
    assert "pfo-closure" in understander.understand(question).procedures


def test_understand__freeing_the_nerve_where_the_patient_has_occipital_neuralgia_is_that_operation(
    understander: Understander,
) -> None:
    history = [
        Turn(role="user", content="el neurocirujano me confirmó neuralgia occipital"),
        Turn(role="assistant", content="..."),
        Turn(role="user", content="dice que se puede operar liberando el nervio o cortándolo"),
        Turn(role="assistant", content="..."),
    ]
    u = understander.understand("¿y cuál de las dos funciona mejor?", history)
    assert u.procedures == (MIGONE,), u.describe()
    # without such a place the general words stay trigger-site surgery
    u = understander.understand("does nerve decompression surgery help migraines?")
    assert u.procedures == ("trigger-site-surgery",), u.describe()


def test_understand__a_heart_pacemaker_is_no_stimulator(understander: Understander) -> None:
    u = understander.understand("I have a pacemaker since 2019, can I use a Cefaly headband?")
    assert STIM not in u.procedures, u.describe()
    assert STIM in understander.understand("does the pacemaker for the head work?").procedures


@pytest.mark.parametrize(
    "question",
    [
        "che differenza c'è tra la MIGONE e le iniezioni col grasso?",
        "what is the difference between the migone and fat transfer?",
    ],
)
def test_understand__the_difference_between_two_operations_asks_what_each_is(
    understander: Understander, question: str
) -> None:
    u = understander.understand(question)
    assert {FAT, MIGONE} <= set(u.procedures), u.describe()
    assert "difference" not in u.facets and "what_it_is" in u.facets, u.describe()


@pytest.mark.parametrize(
    "question",
    [
        "wat doen ze precies bij die operatie aan de slagadertjes op je hoofdhuid?",
        "como é aquela cirurgia que queima os vasinhos do couro cabeludo?",
    ],
)
def test_understand__the_scalp_arteries_in_lay_words_name_arterial_surgery(
    understander: Understander, question: str
) -> None:
    assert understander.understand(question).procedures == ("arterial-surgery",)


@pytest.mark.parametrize(
    "question",
    [
        "I've had three rounds of Botox and it helped for a while. What is Botox before an "
        "operation supposed to do?",
        "ya me pusieron bótox dos veces. ¿para qué sirve el bótox antes de operarse?",
    ],
)
def test_understand__a_treatment_told_in_the_story_and_named_again_in_the_question_is_asked(
    understander: Understander, question: str
) -> None:
    u = understander.understand(question)
    assert [t.id for t in u.treatments if not t.background] == ["botox"], u
