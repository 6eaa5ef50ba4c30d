"""The patient UI: rendering of every Answer field (parsed as HTML), what the patient keeps
(copy, downloads, the conversation kept in the tab), then the real UI over HTTP with
gradio_client and in a real headless Chromium, at desktop and phone width."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from assistant.service import Assistant
from assistant.types import Answer, Citation
from assistant.ui import (
    EXAMPLES,
    KIND_LABELS,
    MAX_ALERT_STEPS,
    alert_steps,
    answer_view,
    conversation_markdown,
    conversation_page,
    footer_html,
    inert,
    render_alert,
    render_answer,
    render_caveat,
    render_conversation,
    render_draft,
    render_sources,
    restore_turns,
    safe_url,
    snapshot,
    static_text,
    theme,
)
from tests.helpers import AUTH, AppServer, serving
from tests.helpers import one as _one
from tests.helpers import reader_text as _text
from tests.helpers import soup as _soup
from tests.helpers import ui_turns as _turns
from tests.openai_stub import read_body, send_reply

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Does the M.I.G.O.N.E. procedure work?"
FOLLOW_UP = "How long does it take?"
EMERGENCY_QUESTION = (
    "I suddenly have the worst headache of my life, my face is drooping and I cannot speak"
)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / ".venv" / "axe-core" / "axe.min.js"  # fetched from npm by scripts/test
SCREENSHOTS = {"desktop": ROOT / "docs" / "ui.png", "phone": ROOT / "docs" / "ui-phone.png"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
TOUCH_TARGET_PX = 44


def _citation(n: int, kind: str = "clinic-marketing", **kw: Any) -> Citation:
    fields: dict[str, Any] = {
        "n": n,
        "doc_id": f"doc{n}",
        "chunk_id": f"doc{n}::h::0000{n}",
        "title": f"Title {n}",
        "url": f"https://example.org/{n}",
        "publisher": f"Publisher {n}",
        "source_kind": kind,
        "quote": f"Quote number {n}.",
        "start": 0,
        "end": 10,
        "score": 0.5,
    }
    fields.update(kw)
    return Citation.model_validate(fields)


CAVEAT = (
    "Evidence status: how strong the evidence really is.\n"
    "- Procedure A: limited, low-quality evidence. A 2025 review of 12 studies.\n"
    "  References: Review of A, J Surg 2025, PMID 40367499; Loder et al., Headache 2013, "
    "doi 10.1111/head.12233 https://example.org/ref?a=1&b=2\n"
    "- Sellers' claims are their own.\n"
    "- This is general information, not medical advice."
)


def _answer(**kw: Any) -> Answer:
    fields: dict[str, Any] = {
        "question": "Does it work?",
        "standalone_question": "Does it work?",
        "status": "answered",
        "answer": "The clinic states: “It works.” [1]\n\nThe summary says: “No trials.” [2]",
        "citations": [_citation(1), _citation(2, "curated-evidence", url=None)],
    }
    fields.update(kw)
    return Answer.model_validate(fields)


# ---- rendering ------------------------------------------------------------------------------
def test_render_answer__markers_open_their_source_card_under_the_answer() -> None:
    answer = _one(_soup(render_answer(_answer(), turn=3)), "div.answer.turn-3")
    links = answer.select("a.cite")
    assert [a["href"] for a in links] == ["#card-3-1", "#card-3-2"]
    assert [a.get_text() for a in links] == ["[1] (source 1)", "[2] (source 2)"]
    for n in (1, 2):
        card = _one(answer, f"details.source-card#card-3-{n}")
        assert "open" not in card.attrs
        assert _text(_one(card, "summary")).startswith(f"[{n}] Title {n}")
        assert _one(card, "blockquote.source-quote").get_text() == f"Quote number {n}."
    # The Sources panel is one tap away, and keeps its own numbered entries.
    assert _one(answer, "a.sources-link")["href"] == "#sources-for-3"
    panel = _soup(render_sources(_turns(_answer(), _answer(), _answer())))
    assert panel.select_one("#sources-for-3 #src-3-1") and panel.select_one("#src-3-2")


def test_render_answer__a_marker_without_a_citation_is_not_linked() -> None:
    html = render_answer(_answer(answer="Claim [1] and claim [7].", citations=[_citation(1)]), 1)
    text = _one(_soup(html), ".answer-text")
    assert [a["href"] for a in text.select("a")] == ["#card-1-1"]
    assert _text(text) == "Claim [1] and claim [7]."


def test_render_answer__html_and_markdown_in_the_text_show_as_written() -> None:
    hostile = 'He said <script>alert("x")</script> **bold** `code` $$x$$ <img src=x onerror=y> [1]'
    html = render_answer(_answer(answer=hostile, citations=[_citation(1)]), 1)
    soup = _soup(html)
    assert not soup.select("script, img, [onerror]")
    assert _text(_one(soup, ".answer-text")) == hostile
    # What the chatbot's Markdown renderer reads: no syntax, and one line (one HTML block).
    for syntax in ("**", "`", "$$", "<script", "\n"):
        assert syntax not in html


def test_inert__escapes_each_character_once_and_leaves_markup_alone() -> None:
    assert _soup(str(inert("it's <a> & b"))).get_text() == "it's <a> & b"
    assert str(inert("&amp;")) == "&#38;amp;"
    assert str(inert("**x** [1](y)\nz")) == "&#42;&#42;x&#42;&#42; &#91;1&#93;(y)&#10;z"
    assert str(inert(inert("<b>"))) == "&#60;b&#62;"


def test_render_answer__the_summary_leads_in_its_own_paragraph() -> None:
    soup = _soup(render_answer(_answer(summary="Limited evidence: it is unproven [2]."), 1))
    answer = _one(soup, "div.answer")
    first = answer.find(recursive=False)
    assert first is not None and first.name == "p" and "answer-summary" in first["class"]
    assert _text(first) == "Limited evidence: it is unproven [2]."
    assert _one(first, "a.cite")["href"] == "#card-1-2"
    assert first.find_next_sibling("div")["class"] == ["answer-text"]  # type: ignore[index]
    assert not _soup(render_answer(_answer(), 1)).select(".answer-summary")


def test_render_answer__caveat_box_shows_the_verdict_and_folds_the_references() -> None:
    box = _one(_soup(render_answer(_answer(caveat=CAVEAT), 1)), "div.answer .caveat-box")
    assert box["role"] == "note"
    assert _text(_one(box, ".caveat-verdict")) == CAVEAT.splitlines()[0]
    points = [_text(li) for li in box.select("ul.caveat-points > li")]
    assert points == [
        "Procedure A: limited, low-quality evidence. A 2025 review of 12 studies.",
        "Sellers' claims are their own.",
        "This is general information, not medical advice.",
    ]
    refs = _one(box, "details.caveat-refs")
    assert "open" not in refs.attrs
    assert _text(_one(refs, "summary")).startswith("References")
    assert _text(_one(refs, ".reference-for")) == "Procedure A"
    entries = [_text(li) for li in refs.select("ul.references > li")]
    assert entries == [
        "Review of A, J Surg 2025, PMID 40367499",
        "Loder et al., Headache 2013, doi 10.1111/head.12233 https://example.org/ref?a=1&b=2",
    ]
    link = _one(refs, "a")
    assert link["href"] == "https://example.org/ref?a=1&b=2"
    assert link["rel"] == ["noopener", "noreferrer"] and link["target"] == "_blank"
    assert not _soup(render_answer(_answer(caveat=None), 1)).select(".caveat-box")


def test_render_caveat__reference_lines_and_unsafe_links() -> None:
    caveat = (
        "Evidence status: weak.\n"
        "- Point one, see javascript:alert(1) or data:text/html,x\n"
        "- PMID 123456; Smith et al., Cephalalgia 2020\n"
        "- https://example.org/list"
    )
    box = _soup(render_caveat(caveat))
    assert not box.select("a[href^=javascript], a[href^=data]")
    assert [_text(li) for li in box.select(".caveat-points > li")] == [
        "Point one, see javascript:alert(1) or data:text/html,x"
    ]
    assert [_text(li) for li in box.select(".caveat-refs ul.references > li")] == [
        "PMID 123456",
        "Smith et al., Cephalalgia 2020",
        "https://example.org/list",
    ]
    assert not _soup(render_caveat("Evidence status: weak.\n- Only a point.")).select("details")


def test_render_answer__no_evidence_says_so_and_declined_refers_to_a_doctor() -> None:
    none = _soup(render_answer(_answer(status="no_evidence", answer="Not here.", citations=[]), 1))
    assert _text(_one(none, ".status-note.status-no_evidence")) == "Not found in my sources."
    declined = _soup(
        render_answer(_answer(status="declined", answer="Ask your doctor.", citations=[]), 1)
    )
    note = _one(declined, ".status-note.status-declined")
    assert (
        _text(note) == "I can't answer this question here: the reason is below."
        and "role" not in note.attrs
    )


@pytest.mark.parametrize(
    ("status", "title"), [("emergency", "Get medical help now"), ("urgent", "See a doctor today")]
)
def test_render_alert__headline_then_at_most_three_steps_and_never_quotes(
    status: str, title: str
) -> None:
    text = (
        "Call your local emergency number <now>. The symptoms you describe (such as a drooping "
        "face. Or weakness) can be signs of a stroke. Do not drive yourself. Do not wait here."
    )
    answer = _answer(status=status, answer=text, caveat=CAVEAT, summary=None)
    alert = _one(_soup(render_alert(answer)), "div.emergency-alert")
    assert alert["role"] == "alert" and ("urgent-alert" in alert["class"]) == (status == "urgent")
    assert _text(_one(alert, "strong.alert-title")) == title
    steps = [_text(li) for li in alert.select("ol.alert-steps > li")]
    assert steps == [
        "Call your local emergency number <now>.",
        "The symptoms you describe (such as a drooping face. Or weakness) can be signs of a "
        "stroke.",
        "Do not drive yourself. Do not wait here.",
    ]
    chat = _one(_soup(render_answer(answer, 1)), "div.answer")
    headline = chat.find(recursive=False)
    assert headline is not None and headline["role"] == "alert"
    assert "status-note" in headline["class"]
    assert [_text(li) for li in chat.select("ol.alert-steps > li")] == steps
    assert not chat.select("blockquote, .source-card, .caveat-box, a.cite")
    assert render_sources(_turns(answer)) == render_sources([])
    assert render_alert(_answer()) == "" and render_alert(None) == ""


def test_alert_steps__lines_or_sentences_as_given_at_most_three() -> None:
    assert alert_steps("- Call 112.\n- Do not drive.") == ["Call 112.", "Do not drive."]
    assert alert_steps("One. Two. Three. Four.") == ["One.", "Two.", "Three. Four."]
    assert alert_steps("The M.I.G.O.N.E. procedure. Call (e.g. 911. Now) today.") == [
        "The M.I.G.O.N.E. procedure.",
        "Call (e.g. 911. Now) today.",
    ]
    assert len(alert_steps("\n".join(f"Step {i}." for i in range(9)))) == MAX_ALERT_STEPS


def test_render_draft__text_so_far_without_links() -> None:
    draft = _one(_soup(render_draft("Checked [1].\n\nMore", "urgent", 2)), "div.answer-draft")
    assert "draft-2" in draft["class"]
    assert _one(draft, ".status-note.status-urgent")["role"] == "alert"
    assert [_text(p) for p in draft.select("p")][1:3] == ["Checked [1].", "More"]
    assert not draft.select("a")


def test_render_sources__quote_title_badge_and_link_per_citation() -> None:
    answer = _answer(
        citations=[
            _citation(1, "reference", title="Wiki <i>page</i>", quote="A <b>quote</b> & more"),
            _citation(2, "clinic-marketing"),
            _citation(3, "practice-blog", url="javascript:alert(1)"),
            _citation(4, "curated-evidence", url=None, publisher=None),
            _citation(5, "something-new"),
        ],
        answer="a [1] b [2] c [3] d [4] e [5]",
    )
    panel = _one(_soup(render_sources(_turns(answer))), "section.sources-panel")
    items = panel.select("li.source-item")
    assert [li["id"] for li in items] == [f"src-1-{n}" for n in range(1, 6)]
    badges = [(b["class"][1], _text(b)) for b in panel.select(".badge")]
    assert badges == [
        *[(f"badge-{kind}", label) for kind, label in KIND_LABELS.items()],
        ("badge-other", "Other source"),
    ]
    assert _text(_one(items[0], ".source-title")) == "Wiki <i>page</i>"
    assert _one(items[0], "blockquote").get_text() == "A <b>quote</b> & more"
    assert not panel.select("i, b, a[href^=javascript]")
    link = _one(items[1], "a")
    assert link["href"] == "https://example.org/2" and link["rel"] == ["noopener", "noreferrer"]
    assert [_text(li).endswith("No link to the original page.") for li in items] == [
        False,
        False,
        True,
        True,
        False,
    ]


def test_render_sources__latest_answer_open_and_earlier_ones_collapsed() -> None:
    panel = _soup(render_sources(_turns(_answer(question="First <q>?"), _answer())))
    groups = panel.select(".source-group")
    assert [(g.name, g["id"]) for g in groups] == [
        ("div", "sources-for-2"),
        ("details", "sources-for-1"),
    ]
    assert _text(_one(groups[1], "summary")) == "Answer 1: “First <q>?” (2 sources)"
    assert "appear here" in _text(_soup(render_sources([])))


def test_safe_url__only_absolute_http_links() -> None:
    assert safe_url("https://example.org/a") == "https://example.org/a"
    assert safe_url("http://example.org") == "http://example.org"
    for bad in (None, "", "javascript:alert(1)", "data:text/html,x", "/relative", "ftp://x.org/f"):
        assert safe_url(bad) is None


def test_footer__says_whether_questions_are_logged() -> None:
    assert "Not medical advice." in _text(_soup(footer_html(True)))
    assert "Questions and answers are logged" in _text(_soup(footer_html(True)))
    assert "without your questions" in _text(_soup(footer_html(False)))


def test_theme__uses_system_fonts_only() -> None:
    css = theme()._get_theme_css()
    assert "system-ui" in css
    assert "fonts.googleapis" not in css and "@font-face" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css), "no stylesheet asset from outside"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_theme__primary_button_text_has_enough_contrast() -> None:
    t = theme()
    assert t.button_primary_background_fill == "*primary_700"  # type: ignore[attr-defined]
    background = t.primary_700  # type: ignore[attr-defined]
    ratio = (1 + 0.05) / (_luminance(background) + 0.05)  # white text
    assert ratio >= 4.5, f"white on {background}: {ratio:.2f}:1"
    assert t.input_text_size == "16px"  # type: ignore[attr-defined]


# ---- what the patient keeps -----------------------------------------------------------------
def test_copy__plain_text_with_markers_and_the_sources() -> None:
    answer = _answer(summary="Unproven.", caveat=CAVEAT, answer="A **claim** <b>x</b> [1]. [2]")
    view = answer_view(answer, 1)
    text = view["copy_text"]
    assert text.startswith("Unproven.\n\nA **claim** <b>x</b> [1]. [2]\n\nEvidence status:")
    assert CAVEAT in text
    assert text.endswith(
        "Sources:\n"
        "[1] Title 1, Publisher 1 (Clinic marketing): https://example.org/1\n"
        "    “Quote number 1.”\n"
        "[2] Title 2, Publisher 2 (Curated evidence)\n"
        "    “Quote number 2.”\n"
    )
    # In the page it is hidden text of the answer, for the Copy button to write as text/plain.
    answer_html = _one(_soup(render_answer(answer, 1)), "div.answer")
    assert _one(answer_html, ".copy-text[hidden]").get_text() == text
    button = _one(answer_html, "button.copy-answer")
    assert button["type"] == "button" and _text(button) == "Copy"


def test_feedback__acknowledged_inside_the_answer_it_belongs_to() -> None:
    answer = _one(_soup(render_answer(_answer(), 2, feedback="not helpful")), "div.answer")
    ack = _one(answer, "p.feedback-ack")
    assert ack["role"] == "status"
    assert _text(ack) == "Thank you: you marked this answer not helpful."
    assert not _soup(render_answer(_answer(), 2)).select(".feedback-ack")
    with_comment = _soup(render_answer(_answer(), 2, feedback="helpful", commented=True))
    assert _text(_one(with_comment, ".feedback-ack")).endswith("Your comment was saved.")
    turns = _turns(_answer(), _answer())
    turns[0]["feedback"] = "helpful"
    shown = [_soup(m["content"]) for m in render_conversation(turns)]
    assert [bool(s.select(".feedback-ack")) for s in shown] == [False, True, False, False]


def test_downloads__markdown_and_printable_page_with_sources_and_caveats() -> None:
    turns = _turns(_answer(caveat=CAVEAT, summary="Unproven."), _answer(status="emergency"))
    turns[0]["feedback"] = "helpful"
    now = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    md = conversation_markdown(turns, now)
    assert md.startswith("# Migraine surgery information assistant: your conversation\n")
    assert "Saved 03 November 2026, 09:30 UTC." in md
    assert "## 1. Does it work?" in md and "**Unproven.**" in md
    assert "The clinic states: “It works.” [1]" in md
    assert "> Evidence status: how strong the evidence really is." in md
    assert "PMID 40367499" in md
    assert "- [1] Title 1, Publisher 1 (Clinic marketing): <https://example.org/1>" in md
    assert "*You marked this answer helpful.*" in md
    assert "**This may be an emergency: get medical help now.**" in md

    page = _soup(conversation_page(turns, now))
    assert _one(page, "title").get_text().endswith("your conversation")
    assert not page.select("script, link, img, iframe")
    first = _one(page, "article#turn-1")
    assert _text(_one(first, "h2")) == "1. Does it work?"
    assert _text(_one(first, ".answer-summary")) == "Unproven."
    assert _one(first, ".caveat-box .caveat-verdict")
    refs = [_text(li) for li in first.select(".caveat-box ul.references > li")]
    assert refs[0] == "Review of A, J Surg 2025, PMID 40367499"  # printed, not folded away
    assert [li["id"] for li in first.select("ol.sources > li")] == ["card-1-1", "card-1-2"]
    assert [a["href"] for a in first.select("a.cite")] == ["#card-1-1", "#card-1-2"]


def test_kept_conversation__comes_back_only_as_valid_text() -> None:
    turns = _turns(_answer(caveat=CAVEAT), _answer(question="Second?"))
    turns[1]["feedback"] = "not helpful"
    turns[1]["commented"] = True
    restored = restore_turns(snapshot(turns))
    assert restored == turns
    assert render_conversation(restored) == render_conversation(turns)
    kept = json.loads(snapshot(turns))
    file_object = {"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}
    for bad in (
        None,
        "",
        "not json",
        json.dumps(file_object),
        json.dumps([file_object]),
        json.dumps([{**kept[0], "answer": file_object}]),
        json.dumps([{**kept[0], "extra": 1}]),
        json.dumps([{**kept[0], "answer_id": "../../etc/passwd"}]),
        json.dumps([{**kept[0], "feedback": "<b>great</b>"}]),
        json.dumps(kept * 26),
        snapshot(turns).replace("Does it work?", "\\ud800"),
        {"kept": kept},
        kept,
    ):
        assert restore_turns(bad) == [], bad
    # What a kept conversation says is shown as text, like any answer.
    hostile = [{**kept[0], "answer": {**kept[0]["answer"], "answer": "<img src=x onerror=y>"}}]
    shown = render_conversation(restore_turns(json.dumps(hostile)))
    assert not _soup(shown[1]["content"]).select("img")


def test_static_files__css_and_js_are_package_files() -> None:
    css, js = static_text("app.css"), static_text("app.js")
    assert "#chat" in css and "focus-visible" in css
    assert "window.msaUI" in js and "sessionStorage" in js
    assert "http://" not in js and "https://" not in js  # nothing fetched from anywhere


@pytest.mark.slow
def test_app_page__references_nothing_outside_the_server(
    built_assistant: Assistant, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from assistant.server import create_app
    from assistant.settings import Settings

    settings = Settings(data_dir=tmp_path / "d", audit_db_url=f"sqlite:///{tmp_path / 'a.db'}")
    with TestClient(create_app(built_assistant, settings)) as client:
        page = client.get("/").text
        config = client.get("/config").json()
    # Scripts, styles, fonts and images: only relative or same-origin URLs.
    for tag in _soup(page).select("script[src], link[href], img[src], iframe[src]"):
        url = str(tag.get("src") or tag.get("href"))
        assert not re.match(r"(https?:)?//", url), tag
    assert "googleapis" not in page and "googletagmanager" not in page
    assert config["analytics_enabled"] is False
    assert "fonts.googleapis" not in str(config.get("theme_css", ""))
    assert config.get("footer_links") == []
    # The UI's own static files are in the page's configuration.
    assert "window.msaUI" in config["js"]
    assert "#chat" in config["css"] and "<style>" in config["head"]


# ---- the real UI over HTTP ------------------------------------------------------------------
@pytest.fixture(scope="module")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with serving(tmp_path_factory.mktemp("ui-server")) as server:
        yield server


@pytest.mark.server
@pytest.mark.slow
def test_ui__relabelling_shows_no_progress_so_the_notes_and_footer_never_fade(
    ui_server: AppServer,
) -> None:
    """The page's labels are set again after every answer; a progress display would fade the
    header, the notes and the footer to low contrast while it runs."""
    config = httpx.get(f"{ui_server.url}/config", timeout=30).json()
    labelled = {
        c["id"]
        for c in config["components"]
        if c.get("props", {}).get("elem_id") in ("footer", "about")
    }
    assert len(labelled) == 2
    relabels = [d for d in config["dependencies"] if labelled <= set(d["outputs"])]
    assert relabels
    assert {d["show_progress"] for d in relabels} == {"hidden"}


def _message_text(message: dict[str, Any]) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def _chat_messages(value: Any) -> list[dict[str, Any]]:
    """The chatbot's messages, whether the client got the value or an update carrying it."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    return list(value)


def _ui_entries(server: AppServer) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{server.url}/api/v1/conversations", params={"limit": 500}, headers=AUTH, timeout=30
    )
    assert response.status_code == 200, response.text
    return [e for e in response.json()["items"] if e["interface"] == "ui"]


@pytest.mark.server
@pytest.mark.slow
def test_ui__gradio_client_gets_the_answer_sources_and_caveat(
    ui_server: AppServer, built_assistant: Assistant
) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    expected = built_assistant.ask(QUESTION)
    client = Client(
        f"{ui_server.url}/", verbose=False, download_files=False, analytics_enabled=False
    )
    try:
        conversation, sources, alert, question_box, kept = client.predict(QUESTION, api_name="/ask")
        # The same session asks a follow-up: the server keeps the turns, not the client.
        followup, *_ = client.predict(FOLLOW_UP, api_name="/ask")
        with pytest.raises(AppError, match="the limit is 2000"):
            client.predict("x" * 2001, api_name="/ask")
    finally:
        client.close()

    messages = _chat_messages(conversation)
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert _text(_soup(_message_text(messages[0]))) == QUESTION
    reply = _one(_soup(_message_text(messages[-1])), "div.answer.turn-1")
    assert f"answer-{expected.status}" in reply["class"]
    assert expected.answer.split("\n")[0].split("“")[0].strip() in _text(reply)
    if expected.caveat is not None:
        box = _one(reply, ".caveat-box")
        assert _text(_one(box, ".caveat-verdict")) == expected.caveat.splitlines()[0]
    else:
        assert not reply.select(".caveat-box")
    panel = _soup(sources)
    for c in expected.citations:
        assert reply.select(f"a.cite[href='#card-1-{c.n}']")
        assert _one(reply, f"details#card-1-{c.n}")
        assert _one(panel, f"#src-1-{c.n}")
    assert question_box == ""
    shown = alert.get("visible") if isinstance(alert, dict) else bool(alert)
    assert bool(shown) == (expected.status in ("emergency", "urgent"))
    assert [t["answer"]["answer"] for t in json.loads(kept)] == [expected.answer]
    logged = [e for e in _ui_entries(ui_server) if e["question"] == QUESTION]
    assert logged and logged[0]["caveat"] == expected.caveat

    assert len(_chat_messages(followup)) == 4
    history = [
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": expected.answer},
    ]
    expected_followup = built_assistant.ask(FOLLOW_UP, history)
    [entry] = [e for e in _ui_entries(ui_server) if e["question"] == FOLLOW_UP]
    assert entry["standalone_question"] == expected_followup.standalone_question
    assert entry["answer"] == expected_followup.answer


# ---- a real browser -------------------------------------------------------------------------
def _browser_or_skip() -> Any:
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); CI must run this")
    from playwright.sync_api import sync_playwright

    return sync_playwright


def _axe_or_fail() -> Path:
    if not AXE.exists():
        message = f"{AXE} is missing: scripts/test fetches it (npm pack axe-core@4.14.1)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def _type_question(page: Any, question: str) -> None:
    box = page.locator("#question textarea")
    box.wait_for(state="visible")
    box.focus()
    page.keyboard.type(question)
    page.keyboard.press("Enter")


def _ask_by_keyboard(page: Any, question: str, turn: int) -> Any:
    _type_question(page, question)
    answer = page.locator(f"#chat .answer.turn-{turn}")
    answer.wait_for(state="visible", timeout=60_000)
    return answer


def _wait_until_idle(page: Any) -> None:
    """Until no Gradio event is running (outputs of a running event are shown faded) and no
    transition is under way (a faded output takes a moment to come back to full contrast)."""
    page.wait_for_function(
        "!document.querySelector("
        "'.pending, .wrap.generating:not(.hide), .wrap.translucent:not(.hide)')"
        " && document.getAnimations().every(a => a.playState !== 'running'"
        " || a.effect?.getComputedTiming().iterations === Infinity)"
    )


def _axe_violations(page: Any, axe: Path) -> list[dict[str, Any]]:
    _wait_until_idle(page)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe))
    return page.evaluate(  # type: ignore[no-any-return]
        """async () => {
          const result = await axe.run(document, {resultTypes: ['violations']});
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary),
          }));
        }"""
    )


def _assert_no_axe_violations(page: Any, axe: Path) -> None:
    violations = _axe_violations(page, axe)
    assert violations == [], json.dumps(violations, indent=1)


def _seen_text(locator: Any) -> str:
    """An element's text as a reader sees it, without the screen-reader-only additions."""
    text: str = locator.evaluate(
        """e => { const c = e.cloneNode(true);
                 c.querySelectorAll('.sr-only, [hidden]').forEach(x => x.remove());
                 return c.textContent; }"""
    )
    return " ".join(text.split())


def _box(locator: Any) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not displayed"
    return box  # type: ignore[no-any-return]


def _boxes(page: Any, **selectors: str) -> dict[str, dict[str, float]]:
    """The boxes of the (last) elements matching ``selectors``, measured together, in page
    coordinates, so that scrolling cannot come between them."""
    boxes: dict[str, dict[str, float]] = page.evaluate(
        """(selectors) => Object.fromEntries(Object.entries(selectors).map(([name, sel]) => {
          const all = document.querySelectorAll(sel);
          const r = all.length ? all[all.length - 1].getBoundingClientRect() : null;
          return [name, r && {x: r.x + scrollX, y: r.y + scrollY, width: r.width,
                              height: r.height}];
        }))""",
        selectors,
    )
    missing = [name for name, box in boxes.items() if not box]
    assert not missing, f"not on the page: {missing}"
    return boxes


def _in_viewport(page: Any, locator: Any) -> bool:
    box = _box(locator)
    height = page.viewport_size["height"]
    return box["y"] >= -1 and box["y"] < height


def _small_targets(page: Any, selectors: list[str]) -> list[str]:
    small = []
    for selector in selectors:
        items = page.locator(selector)
        assert items.count() > 0, selector
        for i in range(items.count()):
            if not items.nth(i).is_visible():
                continue
            box = _box(items.nth(i))
            if box["width"] < TOUCH_TARGET_PX - 0.5 or box["height"] < TOUCH_TARGET_PX - 0.5:
                small.append(f"{selector} #{i}: {box['width']:.0f}x{box['height']:.0f}")
    return small


def _focus_not_visible(page: Any, presses: int = 120) -> list[str]:
    """Tab through the page; every element that takes the focus must show it."""
    page.locator("#question textarea").focus()
    missing, seen = [], set()
    for _ in range(presses):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
              const e = document.activeElement;
              if (!e || e === document.body) return null;
              const s = getComputedStyle(e);
              const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
              const ring = s.boxShadow && s.boxShadow !== 'none';
              const path = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                (e.className && typeof e.className === 'string' ? '.' + e.className.trim()
                  .split(/\\s+/).slice(0, 2).join('.') : '') + ' "' +
                (e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 30) + '"';
              return {path, shown: outline || ring};
            }"""
        )
        if info is None:
            continue
        if info["path"] in seen:
            continue
        seen.add(info["path"])
        if not info["shown"]:
            missing.append(info["path"])
    assert len(seen) > 10, f"the Tab key reached only {sorted(seen)}"
    return missing


def _wait_for(condition: Any, what: str, timeout_s: float = 30) -> Any:
    """Poll ``condition`` until it returns something true (waiting, never timing anything)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            assert value, f"gave up waiting for {what}"
            return value
        time.sleep(0.25)


@pytest.mark.browser
@pytest.mark.server
@pytest.mark.slow
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_ui__in_a_browser_ask_cite_caveat_feedback_copy_download_keep_clear_and_axe(
    width: str, ui_server: AppServer, built_assistant: Assistant, tmp_path: Path
) -> None:
    sync_playwright = _browser_or_skip()
    axe = _axe_or_fail()
    expected = built_assistant.ask(QUESTION)
    assert expected.citations, "the walk-through needs an answer with sources"
    emergency = built_assistant.ask(EMERGENCY_QUESTION, [])
    origin = ui_server.url
    viewport = VIEWPORTS[width]
    phone = width == "phone"
    reason = f"The answer was hard to follow ({width})"
    requests: list[str] = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport=viewport, accept_downloads=True, has_touch=phone, is_mobile=phone
            )
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.on("request", lambda r: requests.append(r.url))
            page.goto(f"{origin}/")
            question_box = page.locator("#question textarea")
            question_box.wait_for(state="visible")

            # The first screen: the question box, with text large enough not to zoom.
            assert page.title() == "Migraine surgery information assistant"
            box = _box(question_box)
            assert box["y"] + box["height"] <= viewport["height"], "question box below the fold"
            assert question_box.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 16
            assert page.get_by_text("What this is not:").is_visible()
            assert page.get_by_text("Nothing is stored in your browser").is_visible()
            assert not page.locator("#keep-conversation input").is_checked()
            for text in EXAMPLES:
                assert page.get_by_role("button", name=text).is_visible()
            assert page.evaluate("sessionStorage.length") == 0

            # Ask by keyboard; the answer takes the width it has.
            answer = _ask_by_keyboard(page, QUESTION, turn=1)
            first_quote = expected.answer.split("“")[1].split("”")[0][:60]
            assert first_quote in answer.inner_text()
            if phone:
                assert _box(answer)["width"] >= 0.9 * viewport["width"]
            if expected.summary:
                lead = answer.locator(".answer-summary")
                assert _seen_text(lead) == " ".join(expected.summary.split())
                order = _boxes(page, lead="#chat .answer-summary", text="#chat .answer-text")
                assert order["lead"]["y"] < order["text"]["y"], order
            width_px = page.evaluate("document.documentElement.scrollWidth")
            assert width_px <= viewport["width"] + 1, f"the page scrolls sideways ({width_px}px)"

            # A citation opens its source card in place, under the answer (by keyboard).
            c = expected.citations[0]
            card = answer.locator(f"details#card-1-{c.n}")
            assert not card.evaluate("e => e.open")
            answer.locator(f"a.cite[href='#card-1-{c.n}']").first.focus()
            page.keyboard.press("Enter")
            page.wait_for_function(f"document.getElementById('card-1-{c.n}').open")
            assert card.locator("blockquote.source-quote").is_visible()
            assert c.title in card.inner_text()
            assert KIND_LABELS.get(c.source_kind, "Other source") in card.inner_text()
            assert _in_viewport(page, card)
            assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
            # The Sources panel is one tap away.
            answer.locator("a.sources-link").click()
            panel_group = page.locator("#sources-for-1")
            page.wait_for_function(
                "(() => { const r = document.getElementById('sources-for-1')"
                ".getBoundingClientRect(); return r.top >= -1 && r.top < innerHeight; })()"
            )
            items = panel_group.locator(".source-item")
            assert items.count() == len(expected.citations)

            # The caveat: its verdict, and the references behind a disclosure.
            caveat = answer.locator(".caveat-box")
            if expected.caveat is not None:
                assert caveat.is_visible()
                verdict = caveat.locator(".caveat-verdict").inner_text()
                assert verdict == expected.caveat.splitlines()[0]
                refs = caveat.locator("details.caveat-refs")
                if refs.count():
                    assert not refs.locator("ul.references").is_visible()
                    refs.locator("summary").click()
                    assert refs.locator("ul.references li").first.is_visible()
            else:
                assert caveat.count() == 0
            assert not page.locator("#emergency-alert .emergency-alert").is_visible()

            # Feedback: thumbs down; the thank-you shows in that answer, just above its thumbs.
            page.locator('#chat button[aria-label="Dislike"]').last.click()
            ack = answer.locator(".feedback-ack")
            ack.wait_for(state="visible")
            assert "not helpful" in ack.inner_text()
            # The answer was shown again with the thank-you: what was open stays open.
            assert card.evaluate("e => e.open")
            if expected.caveat is not None and caveat.locator("details.caveat-refs").count():
                assert caveat.locator("details.caveat-refs").evaluate("e => e.open")
            boxes = _boxes(
                page,
                ack="#chat .answer.turn-1 .feedback-ack",
                answer="#chat .answer.turn-1",
                thumbs='#chat button[aria-label="Disliked"]',
                question="#question textarea",
            )
            ack_bottom = boxes["ack"]["y"] + boxes["ack"]["height"]
            assert boxes["answer"]["y"] <= boxes["ack"]["y"]
            assert ack_bottom <= boxes["answer"]["y"] + boxes["answer"]["height"] + 1
            assert 0 <= boxes["thumbs"]["y"] - ack_bottom < 120, boxes
            assert ack_bottom < boxes["question"]["y"]
            page.locator("#feedback-reason textarea").fill(reason)
            page.locator("#feedback-send").click()
            page.locator("#feedback-reason textarea").wait_for(state="hidden")
            answer.locator(".feedback-ack").get_by_text("Your comment was saved.").wait_for()

            def reason_stored() -> list[dict[str, Any]]:
                found = [f for e in _ui_entries(ui_server) for f in e["feedback"]]
                return [f for f in found if f["reason"] == reason]

            [feedback] = _wait_for(reason_stored, "the feedback reason in the audit log")
            assert feedback["helpful"] is False and feedback["interface"] == "ui"

            # Copy: plain text with the [n] markers and the sources, not HTML.
            answer.locator("button.copy-answer").click()
            answer.locator(".copy-status").get_by_text("Copied").wait_for()
            copied = page.evaluate("navigator.clipboard.readText()")
            assert expected.answer.strip() in copied
            assert "[1]" in copied and "\nSources:\n" in copied
            for cit in expected.citations:
                assert f"[{cit.n}] {cit.title}" in copied
            assert "<" not in copied.replace(expected.answer, "") and "class=" not in copied

            # Download the conversation, as Markdown and as a printable page.
            with page.expect_download() as download:
                page.locator("#download-markdown").click()
            assert download.value.suggested_filename.endswith(".md")
            markdown = Path(download.value.path()).read_text(encoding="utf-8")
            assert f"## 1. {QUESTION}" in markdown
            assert expected.answer.strip() in markdown
            if expected.caveat is not None:
                assert f"> {expected.caveat.splitlines()[0]}" in markdown
            assert f"[{c.n}] {c.title}" in markdown
            with page.expect_download() as download:
                page.locator("#download-html").click()
            assert download.value.suggested_filename.endswith(".html")
            printable = _soup(Path(download.value.path()).read_text(encoding="utf-8"))
            assert _text(_one(printable, "article#turn-1 h2")) == f"1. {QUESTION}"
            assert first_quote in _text(_one(printable, "article#turn-1"))
            assert bool(printable.select(".caveat-box")) == (expected.caveat is not None)
            assert not printable.select("script")

            # Touch targets and visible focus.
            assert not _small_targets(
                page,
                [
                    "#ask-button",
                    "#chat button.copy-answer",
                    '#chat button[aria-label="Like"]',
                    '#chat button[aria-label="Disliked"]',
                    "#chat details.source-card > summary",
                    "#download-markdown",
                    "#download-html",
                    "#clear-conversation",
                    "#examples button",
                ],
            )
            assert not _focus_not_visible(page), "elements with no visible focus"

            # Accessibility with the answer, an open card and the references shown.
            _assert_no_axe_violations(page, axe)
            page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
            _wait_until_idle(page)
            page.screenshot(path=str(tmp_path / f"ui-{width}.png"), full_page=not phone)
            target = SCREENSHOTS[width]
            if os.environ.get("ASSISTANT_UPDATE_SCREENSHOT") or not target.exists():
                target.parent.mkdir(exist_ok=True)
                if phone:  # the screen with the question and the start of its answer
                    page.locator("#chat .question-text").first.evaluate(
                        "e => (e.closest('.message-row') || e).scrollIntoView({block: 'start'})"
                    )
                page.screenshot(path=str(target), full_page=not phone)

            # An emergency answer: an alert above everything, a headline and at most 3 steps.
            second = _ask_by_keyboard(page, EMERGENCY_QUESTION, turn=2)
            alert = page.locator("#emergency-alert .emergency-alert")
            if emergency.status in ("emergency", "urgent"):
                alert.wait_for(state="visible")
                placed = _boxes(page, alert="#emergency-alert .emergency-alert", chat="#chat")
                assert placed["alert"]["y"] < placed["chat"]["y"], placed
                assert 1 <= alert.locator("ol.alert-steps > li").count() <= 3
                assert second.locator(".status-note").get_attribute("role") == "alert"
                assert second.locator("blockquote, .source-card, .caveat-box").count() == 0
                _assert_no_axe_violations(page, axe)
            else:
                assert not alert.is_visible()

            # Kept across a reload only once the patient ticks the box; shown again from
            # text the server validates, without asking the questions again.
            logged_before = len(_ui_entries(ui_server))
            page.locator("#keep-conversation input").check()
            page.wait_for_function("sessionStorage.getItem('msa-ui-keep') === '1'")
            page.reload()
            page.locator("#chat .answer.turn-2").wait_for(state="visible")
            assert page.locator("#keep-conversation input").is_checked()
            restored = page.locator("#chat .answer.turn-1")
            assert first_quote in restored.inner_text()
            assert restored.locator(".feedback-ack").is_visible()
            assert len(_ui_entries(ui_server)) == logged_before

            # Clearing asks first.
            dialogs: list[str] = []

            def answer_dialog(accept: bool) -> Any:
                def handle(dialog: Any) -> None:
                    dialogs.append(dialog.message)
                    if accept:
                        dialog.accept()
                    else:
                        dialog.dismiss()

                return handle

            page.once("dialog", answer_dialog(False))
            page.locator("#clear-conversation").click()
            _wait_for(lambda: dialogs, "the confirmation")
            assert "Clear this conversation?" in dialogs[0]
            assert page.locator("#chat .answer").count() == 2
            page.once("dialog", answer_dialog(True))
            page.locator("#clear-conversation").click()
            page.locator("#chat .answer").first.wait_for(state="detached")
            assert page.locator("#sources-for-1").count() == 0
            assert page.evaluate("sessionStorage.getItem('msa-ui-conversation')") is None
            page.reload()
            question_box.wait_for(state="visible")
            assert page.locator("#chat .answer").count() == 0
            _assert_no_axe_violations(page, axe)
        finally:
            browser.close()

    outside = [u for u in requests if not u.startswith((origin, "data:", "blob:"))]
    assert not outside, f"the page requested resources from outside the server: {outside}"


DUTCH_QUESTION = "Hoe lang duurt de M.I.G.O.N.E.-methode?"


def _ui_labels(language: str) -> dict[str, Any]:
    path = ROOT / "assistant" / "resources" / "messages" / f"{language}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["ui"]  # type: ignore[no-any-return]


@pytest.mark.browser
@pytest.mark.server
@pytest.mark.slow
def test_ui__in_a_browser_a_dutch_question_at_phone_width_gets_dutch_labels_and_axe(
    ui_server: AppServer, built_assistant: Assistant
) -> None:
    """A German browser sees the page in German; once the patient asks in Dutch, the answer
    card and then the page speak Dutch."""
    sync_playwright = _browser_or_skip()
    axe = _axe_or_fail()
    expected = built_assistant.ask(DUTCH_QUESTION)
    assert expected.language == "nl"
    de, nl, en = _ui_labels("de"), _ui_labels("nl"), _ui_labels("en")
    viewport = VIEWPORTS["phone"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport=viewport, has_touch=True, is_mobile=True, locale="de-DE"
            )
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=ui_server.url)
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{ui_server.url}/")
            # Before the patient writes: the browser's language (Accept-Language: de-DE).
            page.wait_for_function("document.documentElement.lang === 'de'")
            page.wait_for_function("t => document.title === t", arg=de["title"])
            assert _seen_text(page.locator("#ask-button")) == de["ask"]
            assert _seen_text(page.locator("#about h1")) == de["title"]
            assert page.get_by_role("button", name=de["example_1"]).is_visible()
            assert (
                page.locator("#question textarea").get_attribute("placeholder")
                == (de["question_placeholder"])
            )
            _assert_no_axe_violations(page, axe)

            answer = _ask_by_keyboard(page, DUTCH_QUESTION, turn=1)
            assert answer.get_attribute("lang") == "nl"
            assert _seen_text(answer.locator("button.copy-answer")) == nl["copy"]
            if expected.citations:
                title = nl["answer_sources"].format(count=len(expected.citations))
                assert _seen_text(answer.locator(".answer-sources-title")) == title
                badge = answer.locator(".source-card .badge").first
                assert _seen_text(badge) in {nl[k] for k in nl if k.startswith("kind_")}, (
                    _seen_text(badge)
                )
            if expected.caveat is not None and answer.locator("details.caveat-refs").count():
                summary = answer.locator("details.caveat-refs > summary")
                assert _seen_text(summary).startswith(nl["references"])
            # Then the page follows the question's language.
            page.wait_for_function("document.documentElement.lang === 'nl'")
            _wait_until_idle(page)
            page.wait_for_function("t => document.title === t", arg=nl["title"])
            assert _seen_text(page.locator("#ask-button")) == nl["ask"]
            assert _seen_text(page.locator("#clear-conversation")) == nl["clear"]
            assert _seen_text(page.locator("#sources-heading")) == nl["sources_title"]
            assert page.get_by_text(nl["storage_note"].format(keep=nl["keep"])).is_visible()
            assert _box(answer)["width"] >= 0.9 * viewport["width"]
            width_px = page.evaluate("document.documentElement.scrollWidth")
            assert width_px <= viewport["width"] + 1, f"the page scrolls sideways ({width_px}px)"
            # Copy says so in Dutch.
            answer.locator("button.copy-answer").click()
            answer.locator(".copy-status").get_by_text(nl["copied"]).wait_for()
            for english in (en["copy"], en["ask"], en["clear"]):
                assert english not in _seen_text(page.locator("#chat-column"))
            _assert_no_axe_violations(page, axe)
        finally:
            browser.close()


# ---- a generated answer, streamed into the browser ------------------------------------------
MIGONE_Q = "How long does the M.I.G.O.N.E. procedure take?"


class _GatedLLM(BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that streams its reply word by word and stops after the
    first sentence (and the next word: a sentence is complete once the next begins) until the
    test opens the gate."""

    reply = ""
    gate = threading.Event()

    def do_POST(self) -> None:
        words = self.reply.split(" ")
        cut = next(i for i, w in enumerate(words) if w.endswith("].")) + 2
        send_reply(self, read_body(self), self.reply, lambda i: self.gate if i == cut else None)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.browser
@pytest.mark.server
@pytest.mark.slow
def test_ui__a_generated_answer_streams_only_verified_sentences(
    ui_server: AppServer, built_assistant: Assistant, tmp_path: Path
) -> None:
    sync_playwright = _browser_or_skip()
    n = next(
        i
        for i, p in enumerate(built_assistant.search(MIGONE_Q), start=1)
        if "two to three hours" in p.chunk.text
    )
    _GatedLLM.reply = (
        f"The M.I.G.O.N.E. procedure takes approximately two to three hours [{n}]. "
        f"It cures 95% of patients [{n}]. "
        f"It is generally performed as an outpatient procedure [{n}]."
    )
    _GatedLLM.gate = threading.Event()
    llm = ThreadingHTTPServer(("127.0.0.1", 0), _GatedLLM)
    threading.Thread(target=llm.serve_forever, daemon=True).start()
    # A second app process on the same (already built) index, answering through the model.
    server = AppServer(
        Path(ui_server.env["ASSISTANT_DATA_DIR"]),
        tmp_path / "server.log",
        ASSISTANT_GENERATOR="openai",
        ASSISTANT_LLM_BASE_URL=f"http://127.0.0.1:{llm.server_address[1]}/v1",
        ASSISTANT_LLM_MODEL="scripted",
        ASSISTANT_LLM_TIMEOUT_S="90",
    )
    try:
        server.start()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.set_default_timeout(90_000)
                page.goto(f"{server.url}/")
                _type_question(page, MIGONE_Q)
                draft = page.locator("#chat .answer-draft.draft-1")
                draft.get_by_text("two to three hours", exact=False).wait_for(state="visible")
                # The model is still held at its second sentence: this was streamed.
                assert not _GatedLLM.gate.is_set()
                assert "outpatient" not in draft.inner_text()
                assert page.locator("#chat .answer.turn-1").count() == 0
                _GatedLLM.gate.set()
                final = page.locator("#chat .answer.turn-1")
                final.wait_for(state="visible")
                text = final.inner_text()
                assert "two to three hours" in text and "outpatient" in text
                assert "95%" not in page.locator("#chat").inner_text()
                assert page.locator("#chat .answer-draft").count() == 0
                page.locator("#sources-for-1 .source-item").first.wait_for(state="visible")
            finally:
                browser.close()
        entries = httpx.get(f"{server.url}/api/v1/conversations", headers=AUTH, timeout=30).json()[
            "items"
        ]
        assert [e["generator"] for e in entries if e["question"] == MIGONE_Q] == ["openai"]
    finally:
        _GatedLLM.gate.set()
        server.stop()
        llm.shutdown()
        llm.server_close()
