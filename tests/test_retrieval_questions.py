"""Retrieval over the knowledge folder: questions, paraphrases, misspellings and follow-ups.

Each question names the source document that answers it; that document must be among the top 5
passages of ``Assistant.search``.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.service import Assistant

WIKI = "migraine-surgery-wiki"
MIGONE = "migone-procedure-clinic"
BLOG = "fat-transfer-blog"
CURATED = "curated-evidence-summary"

QUESTIONS = [
    # M.I.G.O.N.E. clinic page
    ("migone-duration", "How long does the M.I.G.O.N.E. procedure take?", MIGONE),
    ("migone-outpatient", "Is the MIGONE surgery done as an outpatient?", MIGONE),
    ("migone-tissue", "What tissue does the surgeon remove in the M.I.G.O.N.E. operation?", MIGONE),
    ("migone-lowercase-dots", "does the m.i.g.o.n.e procedure remove muscle", MIGONE),
    ("on-causes", "What causes occipital neuralgia?", MIGONE),
    ("on-whiplash", "Can whiplash cause occipital neuralgia?", MIGONE),
    ("on-muscle", "Which muscle traps the occipital nerve at the back of the neck?", MIGONE),
    ("on-diagnosis", "How is occipital neuralgia diagnosed?", MIGONE),
    ("on-vs-migraine", "how is occipital neuralgia different from a migraine", MIGONE),
    ("surgery-when", "When is surgery considered instead of medication?", MIGONE),
    ("several-sites", "can several trigger points be treated in one operation", MIGONE),
    ("on-typo", "occipital neuralgia symtoms", MIGONE),
    ("migonne-typo", "migonne procedure recovery", MIGONE),
    # Neurosurgery wiki
    (
        "ahs-position",
        "Should trigger point deactivation surgery be done outside clinical trials?",
        WIKI,
    ),
    ("ahs-paraphrase", "What does the American Headache Society say about migraine surgery?", WIKI),
    ("ahs-typos", "is migraine surgery recomended by the american headache society", WIKI),
    ("scs", "Are spinal cord stimulators used for severe migraine?", WIKI),
    ("scs-typo", "spinal cord stimulaton for migraine", WIKI),
    ("long-term-harms", "What are the long-term side effects of migraine surgery?", WIKI),
    ("definition-typo", "migrane surgery definition", WIKI),
    ("surgeons-us", "How many surgeons perform muscle removal operations in the US?", WIKI),
    ("arterial", "cauterization of scalp blood vessels for migraine", WIKI),
    # Fat-transfer blog
    ("fat-typo", "fat tranfer", BLOG),
    ("fat-expect", "What should I expect during a fat transfer procedure?", BLOG),
    ("fat-harvest", "Where is the fat harvested from for fat grafting?", BLOG),
    ("fat-claims", "What success rate does the fat transfer blog claim?", BLOG),
    ("fat-anaesthesia", "Is fat transfer done under local anesthesia?", BLOG),
    ("fat-cushion", "Does injected fat cushion compressed nerves?", BLOG),
    ("fat-side-effects", "side effects of fat injections swelling bruising", BLOG),
    ("triggers-food", "what are common migraine triggers like cheese and chocolate", BLOG),
    ("lipo-typo", "liposucton fat injection migraine", BLOG),
    ("grafting-typo", "fat grafting for migrains", BLOG),
    # Curated evidence summary
    (
        "sham-trial",
        "How many patients were in the sham-controlled trial of trigger site surgery?",
        CURATED,
    ),
    ("mist", "What did the MIST trial of PFO closure find?", CURATED),
    ("ons-nice", "occipital nerve stimulation evidence NICE", CURATED),
]

MISSPELT_OR_ALIAS_QUESTIONS = [
    pytest.param(
        "migone procedur how long",
        MIGONE,
        id="migone-misspelt-duration",
    ),
    pytest.param(
        "how long does migone take",
        MIGONE,
        id="migone-bare-alias-duration",
    ),
    pytest.param(
        "Is Botox a permanent solution for migraines?",
        MIGONE,
        id="botox-permanent",
        marks=pytest.mark.xfail(
            strict=True,
            reason="known limit: BM25 ranks the clinic chunk 'BOTOX is effective but is not a "
            "permanent solution' first, dense ranks it 26th, and the fusion weighs BM25 at 0.3 "
            "(chosen on evals/cases.yaml), so the chunk stays below the top 5",
        ),
    ),
]


def _top_docs(assistant: Assistant, query: str, k: int = 5) -> list[str]:
    return [p.doc.doc_id for p in assistant.search(query, k=k)]


def test_questions__cover_every_source_document_and_are_enough() -> None:
    assert len(QUESTIONS) >= 25
    assert {doc for _, _, doc in QUESTIONS} == {WIKI, MIGONE, BLOG, CURATED}
    assert len({q for _, q, _ in QUESTIONS}) == len(QUESTIONS)


@pytest.mark.parametrize(
    ("question", "doc_id"), [pytest.param(q, d, id=i) for i, q, d in QUESTIONS]
)
def test_search__question_finds_its_source_in_top_5(
    built_assistant: Assistant, question: str, doc_id: str
) -> None:
    top = _top_docs(built_assistant, question)
    assert len(top) == 5
    assert doc_id in top, top


@pytest.mark.parametrize(("question", "doc_id"), MISSPELT_OR_ALIAS_QUESTIONS)
def test_search__misspelt_or_alias_question_finds_its_source_in_top_5(
    built_assistant: Assistant, question: str, doc_id: str
) -> None:
    assert doc_id in _top_docs(built_assistant, question)


# ---- follow-ups ----------------------------------------------------------------------------


def _conversation(assistant: Assistant, user_turns: list[str]) -> list[dict[str, Any]]:
    history: list[dict[str, Any]] = []
    for turn in user_turns:
        answer = assistant.ask(turn, history)
        history += [
            {"role": "user", "content": turn},
            {"role": "assistant", "content": answer.answer},
        ]
    return history


FOLLOW_UPS = [
    ("migone-how-long", ["What is the M.I.G.O.N.E. procedure?"], "How long does it take?", MIGONE),
    ("fat-how-long", ["Tell me about fat transfer"], "How long does it take?", BLOG),
    ("fat-safe", ["Tell me about fat transfer"], "Is it safe?", BLOG),
    ("on-causes", ["What is occipital neuralgia?"], "What causes it?", MIGONE),
    (
        "migone-outpatient",
        ["What is the M.I.G.O.N.E. procedure?"],
        "Is it done as an outpatient procedure?",
        MIGONE,
    ),
    (
        "scs-who",
        ["Tell me about spinal cord stimulation for migraine"],
        "Who is it used for?",
        WIKI,
    ),
    (
        "topic-switch",
        ["What is the M.I.G.O.N.E. procedure?", "Tell me about fat transfer"],
        "How long does it take?",
        BLOG,
    ),
]


@pytest.mark.parametrize(
    ("turns", "question", "doc_id"), [pytest.param(t, q, d, id=i) for i, t, q, d in FOLLOW_UPS]
)
def test_follow_up__standalone_question_finds_the_topic_source(
    built_assistant: Assistant, turns: list[str], question: str, doc_id: str
) -> None:
    history = _conversation(built_assistant, turns)
    answer = built_assistant.ask(question, history)
    assert answer.standalone_question != question  # the topic was brought in from the history
    assert doc_id in _top_docs(built_assistant, answer.standalone_question)
    alone = built_assistant.ask(question)
    assert alone.standalone_question == question  # without history nothing is added


def test_follow_up__migone_duration_passage_is_found(built_assistant: Assistant) -> None:
    history = _conversation(built_assistant, ["What is the M.I.G.O.N.E. procedure?"])
    answer = built_assistant.ask("How long does it take?", history)
    retrieved = built_assistant.search(answer.standalone_question, k=built_assistant.settings.top_k)
    cited = [c for c in answer.citations if "two to three hours" in c.quote]
    found = [p for p in retrieved if "two to three hours" in p.chunk.text]
    assert cited or found
    assert {c.doc_id for c in cited} | {p.doc.doc_id for p in found} == {MIGONE}
    assert answer.status == "answered"


def test_follow_up__fat_transfer_duration_is_cited_from_the_blog(
    built_assistant: Assistant,
) -> None:
    history = _conversation(built_assistant, ["Tell me about fat transfer"])
    answer = built_assistant.ask("How long does it take?", history)
    cited = [c for c in answer.citations if "one to two hours" in c.quote]
    assert cited, answer.answer
    assert {c.doc_id for c in cited} == {BLOG}
    assert not [c for c in answer.citations if "two to three hours" in c.quote]


# ---- source-kind filter --------------------------------------------------------------------


@pytest.mark.parametrize(
    "kinds",
    [
        pytest.param(["clinic-marketing"], id="clinic-marketing"),
        pytest.param(["practice-blog"], id="practice-blog"),
        pytest.param(["reference"], id="reference"),
        pytest.param(["curated-evidence"], id="curated-evidence"),
        pytest.param(["reference", "clinic-marketing"], id="reference+clinic"),
    ],
)
@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_search__source_kind_filter_returns_only_those_kinds(
    built_assistant: Assistant, kinds: list[str], mode: str
) -> None:
    passages = built_assistant.search(
        "How long does the procedure take and does migraine surgery work?",
        k=20,
        source_kinds=kinds,
        mode=mode,
    )
    assert passages
    assert {p.doc.source_kind for p in passages} <= set(kinds)


def test_search__clinic_marketing_filter_keeps_the_clinic_answer(
    built_assistant: Assistant,
) -> None:
    passages = built_assistant.search(
        "How long does the M.I.G.O.N.E. procedure take?", source_kinds=["clinic-marketing"]
    )
    assert {p.doc.doc_id for p in passages} == {MIGONE}
    assert any("two to three hours" in p.chunk.text for p in passages)
    unfiltered = built_assistant.search("fat transfer", k=5)
    assert BLOG in {p.doc.doc_id for p in unfiltered}
    filtered = built_assistant.search("fat transfer", k=5, source_kinds=["clinic-marketing"])
    assert BLOG not in {p.doc.doc_id for p in filtered}


def test_search__passages_are_ranked_best_first(built_assistant: Assistant) -> None:
    passages = built_assistant.search("occipital nerve decompression outcomes", k=8)
    assert [p.rank for p in passages] == list(range(1, 9))
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)


def test_an_efficacy_question_embeds_its_query_once(built_assistant: Assistant) -> None:
    """It searches twice (all sources, then the published evidence) with one query vector."""
    retriever = built_assistant.retriever
    calls: list[list[str]] = []
    embed = retriever.embedder.embed

    def counting(texts: list[str]) -> Any:
        calls.append(list(texts))
        return embed(texts)

    retriever.embedder = type("Counting", (), {"embed": staticmethod(counting)})()  # type: ignore[assignment]
    try:
        answer = built_assistant.ask("Does occipital nerve decompression really work?")
    finally:
        retriever.embedder = built_assistant.embedder
    assert answer.efficacy_question and answer.caveat
    assert any(c.source_kind == "curated-evidence" for c in answer.citations)
    assert len(calls) == 1, calls
