"""The patient UI in seven languages: every language has every label, an answer card's labels
follow its answer's language, the page's follow the browser's Accept-Language until the patient
writes and then the latest question's, and the downloads' headings the conversation's."""

from __future__ import annotations

import json
import shutil
import string
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from assistant.messages import (
    LANGUAGES,
    MESSAGES_DIR,
    MissingMessagesError,
    check_languages,
    messages,
    missing_keys,
)
from assistant.service import Assistant
from assistant.types import Answer, Citation
from assistant.ui import (
    Handlers,
    answer_view,
    browser_language,
    conversation_markdown,
    conversation_page,
    page_labels,
    render_answer,
    render_draft,
    render_sources,
)
from assistant.ui.blocks import HTML_BLOCKS
from tests.helpers import one as _one
from tests.helpers import reader_text as _text
from tests.helpers import soup as _soup
from tests.helpers import ui_turns as _turns

CAVEAT = (
    "Evidence status: how strong the evidence really is.\n"
    "- Procedure A: limited evidence.\n"
    "  References: Review of A, J Surg 2025, PMID 40367499"
)


def _ui(language: str) -> dict[str, Any]:
    """The ``ui`` group as the messages file writes it."""
    data = yaml.safe_load((MESSAGES_DIR / f"{language}.yaml").read_text(encoding="utf-8"))
    return data["ui"]  # type: ignore[no-any-return]


def _answer(language: str, **kw: Any) -> Answer:
    citation = {
        "n": 1,
        "doc_id": "doc1",
        "chunk_id": "doc1::h::00001",
        "title": "Title 1",
        "url": "https://example.org/1",
        "publisher": "Publisher 1",
        "source_kind": "clinic-marketing",
        "quote": "Quote number 1.",
        "start": 0,
        "end": 10,
        "score": 0.5,
    }
    fields: dict[str, Any] = {
        "question": "Werkt het?",
        "standalone_question": "Werkt het?",
        "status": "answered",
        "answer": "De kliniek zegt: “It works.” [1]",
        "citations": [Citation.model_validate(citation)],
        "caveat": CAVEAT,
        "language": language,
    }
    fields.update(kw)
    return Answer.model_validate(fields)


DATE_FIELDS = {"dd", "day", "month", "year", "time"}


def _fields(template: object) -> set[str]:
    if not isinstance(template, str):
        return set()
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# ---- every language has every key ------------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_messages__every_language_has_every_key_english_has(language: str) -> None:
    assert missing_keys(language) == []
    english, own = _ui("en"), _ui(language)
    for key, value in english.items():
        if key == "date":  # each language orders (and pads) the parts of a date its own way
            assert {"month", "year", "time"} <= _fields(own[key]) <= DATE_FIELDS
            continue
        assert _fields(own[key]) == _fields(value), f"{language}: ui.{key} placeholders"
    assert len(own["months"]) == 12


def test_messages__check_languages_names_what_a_language_lacks(tmp_path: Path) -> None:
    check_languages()  # the project's own files
    folder = tmp_path / "messages"
    shutil.copytree(MESSAGES_DIR, folder)
    dutch = yaml.safe_load((folder / "nl.yaml").read_text(encoding="utf-8"))
    del dutch["ui"]["copy"]
    dutch["ui"]["clear"] = ""
    (folder / "nl.yaml").write_text(yaml.safe_dump(dutch, allow_unicode=True), encoding="utf-8")
    assert missing_keys("nl", str(folder)) == ["ui.clear", "ui.copy"]
    with pytest.raises(MissingMessagesError, match=r"nl: ui\.clear, ui\.copy"):
        check_languages(folder=str(folder))
    check_languages(("en", "de"), str(folder))  # the other languages are whole


# ---- an answer card speaks its answer's language ---------------------------------------------
@pytest.mark.parametrize("language", ["nl", "de"])
def test_answer_card__labels_in_the_answers_language(language: str) -> None:
    ui, en = _ui(language), _ui("en")
    html = render_answer(_answer(language), 2, feedback="helpful", commented=True)
    card = _one(_soup(html), "div.answer.turn-2")
    assert card["lang"] == language
    button = _one(card, "button.copy-answer")
    assert _text(button) == ui["copy"] != en["copy"]
    assert _one(button, ".sr-only").get_text().strip() == ui["copy_sr"].format(turn=2)
    assert (
        _text(_one(card, ".copy-done")) == ""
        and _one(card, ".copy-done").get_text() == (ui["copied"])
    )
    title = _text(_one(card, ".answer-sources-title"))
    assert title == ui["answer_sources"].format(count=1) != en["answer_sources"].format(count=1)
    assert _text(_one(card, ".badge")) == ui["kind_clinic_marketing"]
    assert _one(card, ".badge")["title"] == ui["hint_clinic_marketing"]
    assert _text(_one(card, "details.caveat-refs > summary")).startswith(ui["references"])
    assert _text(_one(card, ".source-link")) == ui["open_original"]
    ack = _text(_one(card, ".feedback-ack"))
    assert ack == f"{ui['feedback_ack'].format(feedback=ui['helpful'])} {ui['comment_saved']}"
    cite = _one(card, "a.cite .sr-only").get_text().strip()
    assert cite == f"({ui['cite_sr'].format(n=1)})"
    for english in (en["copy"], en["references"], en["open_original"], "Thank you"):
        assert english not in _text(card)
    # Copy: the plain text's heading in the same language.
    copied = answer_view(_answer(language), 1)["copy_text"]
    assert f"\n{ui['sources_heading']}:\n[1] Title 1" in copied


def test_answer_card__status_notes_and_drafts_in_their_language() -> None:
    ui = _ui("nl")
    html = render_answer(_answer("nl", status="no_evidence", citations=[], caveat=None), 1)
    assert _text(_one(_soup(html), ".status-note")) == ui["status_no_evidence"]
    draft = _one(_soup(render_draft("Zin [1].", "urgent", 3, "nl")), "div.answer-draft")
    assert _text(_one(draft, ".status-note")) == ui["status_urgent"]
    assert _text(_one(draft, ".drafting")) == ui["drafting"]


def test_answer_card__an_english_answer_keeps_english_labels_in_any_conversation() -> None:
    card = _one(_soup(render_answer(_answer("en"), 1)), "div.answer")
    assert card["lang"] == "en" and _text(_one(card, "button.copy-answer")) == _ui("en")["copy"]


# ---- the page speaks the browser's language, then the latest question's ----------------------
@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7", "nl"),
        ("zh-CN, fr;q=0.5, de;q=0.8", "de"),
        ("pt-BR", "pt"),
        ("en-GB,nl;q=0.9", "en"),
        ("es;q=0, it;q=0.2", "it"),
        ("ja, *;q=0.1", "en"),
        ("", "en"),
        (None, "en"),
        ("nl;q=x, de", "de"),
    ],
)
def test_browser_language__the_first_supported_by_weight(header: str | None, language: str) -> None:
    assert browser_language(header) == language


def _update_values(updates: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [dict(u) if isinstance(u, dict) else {"value": u} for u in updates]


def _start(header: str, kept: str = "") -> tuple[Any, ...]:
    request: Any = SimpleNamespace(headers={"accept-language": header})
    no_backend: Any = lambda: pytest.fail("no backend at page load")  # noqa: E731
    return Handlers(no_backend).on_start(kept, [], request)


def test_page__accept_language_picks_the_page_labels() -> None:
    *_, lang = _start("de-DE,de;q=0.9,en;q=0.5")
    assert lang == "de"
    ui = _ui("de")
    updates = _update_values(page_labels(lang, store_questions=True))
    html = {name: _soup(updates[i]["value"]) for i, name in enumerate(HTML_BLOCKS)}
    assert _text(_one(html["about"], "h1")) == ui["title"]
    assert _one(html["about"], "header")["lang"] == "de"
    assert _text(_one(html["storage_note"], "p")) == ui["storage_note"].format(keep=ui["keep"])
    assert _text(_one(html["footer"], "footer")).startswith(ui["not_advice"])
    rest = updates[len(HTML_BLOCKS) :]
    chat, reason, send_reason, question, ask, *buttons = rest
    assert chat["placeholder"] == ui["chat_placeholder"]
    assert reason["label"] == ui["reason_label"] and send_reason["value"] == ui["send_comment"]
    assert question["label"] == ui["question_label"] and ask["value"] == ui["ask"]
    assert [b["value"] for b in buttons[4:8]] == [ui[f"example_{i}"] for i in range(1, 5)]
    assert json.loads(buttons[-1]["value"]) == {
        "lang": "de",
        "title": ui["title"],
        "clear_confirm": ui["clear_confirm"],
    }
    panel = _soup(render_sources([], lang))
    assert _text(_one(panel, "h2")) == ui["sources_title"]
    # A browser that asks for no supported language gets English.
    assert _start("ja-JP")[-1] == "en"


def test_page__a_kept_conversation_brings_back_its_own_language() -> None:
    from assistant.ui import snapshot

    *_, lang = _start("de-DE", kept=snapshot(_turns(_answer("en"), _answer("nl"))))
    assert lang == "nl"


class _Backend:
    """Answers any question in ``language``, as the service's stream ends."""

    settings = SimpleNamespace(max_history_turns=6, max_history_chars=8000)

    def __init__(self, language: str) -> None:
        self.language = language

    def ask_stream(self, question: str, history: Any, interface: str) -> Iterator[Any]:
        yield "Zin [1]."
        yield _answer(self.language, question=question), "a" * 32


def test_page__follows_the_language_of_the_latest_question() -> None:
    handlers = Handlers(lambda: _Backend("nl"))  # type: ignore[arg-type, return-value]
    steps = list(handlers.ask("Werkt de M.I.G.O.N.E.-methode?", [], "de"))
    draft_html = steps[1][0].value[-1]["content"][0]["text"]  # while writing: the page's
    assert _text(_one(_soup(draft_html), ".drafting")) == _ui("de")["drafting"]
    _chat, turns, sources, _alert, _question, _snapshot, lang = steps[-1]
    assert lang == "nl"
    assert _text(_one(_soup(sources), "h2")) == _ui("nl")["sources_title"]
    handlers = Handlers(lambda: _Backend("it"))  # type: ignore[arg-type, return-value]
    *_, lang = list(handlers.ask("Funziona?", turns, lang))[-1]
    assert lang == "it"


# ---- downloads in the conversation's language ------------------------------------------------
def test_downloads__headings_in_the_conversations_language() -> None:
    ui, nl = _ui("en"), _ui("nl")
    turns = _turns(_answer("en"), _answer("nl"))
    turns[1]["feedback"] = "not helpful"
    now = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    md = conversation_markdown(turns, now)
    assert md.startswith(f"# {nl['conversation_title'].format(title=nl['title'])}\n")
    assert f"{nl['months'][10]} 2026, 09:30 UTC" in md
    assert f"**{nl['not_advice']}**" in md and f"\n{nl['sources_heading']}:\n" in md
    assert f"*{nl['you_marked'].format(feedback=nl['not_helpful'])}*" in md
    assert ui["title"] not in md

    page = _soup(conversation_page(turns, now))
    assert _one(page, "html")["lang"] == "nl"
    assert _text(_one(page, "h1")) == nl["conversation_title"].format(title=nl["title"])
    # Each answer keeps its own language inside.
    assert [_text(h) for h in page.select("article h3")] == [
        ui["sources_heading"],
        nl["sources_heading"],
    ]
    answers = page.select("article .answer")
    assert [a["lang"] for a in answers] == ["en", "nl"]
    assert _text(_one(answers[1], ".caveat-refs-title")) == nl["references"]
    assert _text(_one(answers[0], ".caveat-refs-title")) == ui["references"]


# ---- a real question in Dutch, through the assistant -----------------------------------------
@pytest.mark.slow
def test_a_dutch_question__its_answer_card_is_labelled_in_dutch(built_assistant: Assistant) -> None:
    answer = built_assistant.ask("Hoe lang duurt de M.I.G.O.N.E.-methode?")
    assert answer.language == "nl"
    ui = _ui("nl")
    card = _one(_soup(render_answer(answer, 1)), "div.answer.turn-1")
    assert card["lang"] == "nl"
    assert _text(_one(card, "button.copy-answer")) == ui["copy"]
    if answer.citations:
        title = ui["answer_sources"].format(count=len(answer.citations))
        assert _text(_one(card, ".answer-sources-title")) == title


# ---- names put after a preposition ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "loose", "joined"),
    [
        ("fr", "de le transfert de graisse", "du transfert de graisse"),
        ("es", "de el procedimiento M.I.G.O.N.E.", "del procedimiento M.I.G.O.N.E."),
        ("pt", "de a transferência de gordura", "da transferência de gordura"),
        ("it", "di il trasferimento di grasso", "del trasferimento di grasso"),
        ("it", "Su la chirurgia dell'emicrania", "Sulla chirurgia dell'emicrania"),
    ],
)
def test_messages__a_preposition_joins_the_article_of_the_name_after_it(
    language: str, loose: str, joined: str
) -> None:
    assert messages(language).contract(loose) == joined


def test_messages__every_fixed_text_with_a_procedure_reads_as_written_in_the_language() -> None:
    for language in ("fr", "es", "pt", "it"):
        words = messages(language)
        for pid in ("fat-transfer", "occipital-nerve-decompression-migone", "general"):
            name = words.procedure(pid)
            for facet in ("risks", "lasting", "alternatives", "recovery"):
                template = words.sub("facet_what", facet) or ""
                text = words.contract(template.format(procedure=name))
                for loose in ("de le ", "à le ", "de el ", "de o ", "de a ", "di il ", "di la "):
                    assert loose not in text, (language, text)
    german = messages("de")
    for facet in ("anaesthesia", "hospital_stay", "recovery", "alternatives"):
        text = (german.sub("facet_what", facet) or "").format(procedure="der PFO-Verschluss")
        assert "bei der PFO" not in text and "nach der PFO" not in text and "zu der" not in text
