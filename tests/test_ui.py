"""The patient UI: safe rendering of every Answer field, then the real UI over HTTP with
gradio_client and in a real headless Chromium."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.service import Assistant
from assistant.types import Answer, Citation
from assistant.ui import (
    EXAMPLES,
    KIND_LABELS,
    esc,
    footer_html,
    render_alert,
    render_answer,
    render_caveat,
    render_sources,
    safe_url,
    theme,
)
from tests.openai_stub import read_body, send_reply
from tests.test_api_server import AUTH, AppServer

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
SCREENSHOT = ROOT / "docs" / "ui.png"


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


def _turns(*answers: Answer) -> list[dict[str, Any]]:
    return [
        {
            "turn": i,
            "msg_index": 2 * i - 1,
            "answer_id": f"id{i}",
            "answer": a.model_dump(mode="json"),
        }
        for i, a in enumerate(answers, start=1)
    ]


# ---- rendering ------------------------------------------------------------------------------
def test_render_answer__markers_link_to_their_sources() -> None:
    html = render_answer(_answer(), turn=3)
    assert (
        '<a class="cite" href="#src-3-1">&#91;1&#93;<span class="sr-only"> (source 1)</span></a>'
        in html
    )
    assert 'href="#src-3-2"' in html
    panel = render_sources(_turns(_answer(), _answer(), _answer()))
    assert 'id="src-3-1"' in panel and 'id="src-3-2"' in panel


def test_render_answer__a_marker_without_a_citation_is_not_linked() -> None:
    html = render_answer(_answer(answer="Claim [1] and claim [7].", citations=[_citation(1)]), 1)
    assert 'href="#src-1-1"' in html
    assert "src-1-7" not in html
    assert "&#91;7&#93;" in html


def test_render_answer__escapes_html_and_markdown_in_the_text() -> None:
    hostile = 'He said <script>alert("x")</script> **bold** `code` $$x$$ <img src=x onerror=y> [1]'
    html = render_answer(_answer(answer=hostile, citations=[_citation(1)]), 1)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert "**" not in html and "`" not in html and "$$" not in html
    assert "&#42;&#42;bold&#42;&#42;" in html


def test_render_answer__caveat_box_only_when_the_answer_has_a_caveat() -> None:
    with_caveat = render_answer(_answer(caveat="Evidence status: weak.\n- Point <b>one</b>"), 1)
    assert 'class="caveat-box"' in with_caveat
    assert "Evidence status: weak." in with_caveat
    assert "<li>Point &lt;b&gt;one&lt;/b&gt;</li>" in with_caveat
    assert "caveat-box" not in render_answer(_answer(caveat=None), 1)


def test_render_caveat__keeps_references_with_their_item_and_links_urls_safely() -> None:
    caveat = (
        "Evidence status: how strong the evidence is.\n"
        "- Procedure A: limited evidence.\n"
        "  References: Smith 2020, https://example.org/ref?a=1&b=2; Jones 2021\n"
        "- Sellers' claims are their own."
    )
    html = render_caveat(caveat)
    assert html.count("<li>") == 2
    assert (
        '<div class="caveat-detail">References: Smith 2020, <a href="https://example.org/ref?a=1&amp;b=2"'
        in html
    )
    assert 'rel="noopener noreferrer"' in html
    assert "Sellers&#39; claims" in html
    assert "<a" not in render_caveat("See javascript:alert(1) or data:text/html,x")


def test_render_answer__no_evidence_says_so_and_declined_refers_to_a_doctor() -> None:
    none = render_answer(
        _answer(status="no_evidence", answer="I could not find this.", citations=[]), 1
    )
    assert "Not found in my sources." in none and "status-no_evidence" in none
    declined = render_answer(
        _answer(status="declined", answer="Please ask your doctor.", citations=[]), 1
    )
    assert "This is a question for your doctor." in declined and "status-declined" in declined


def test_render_alert__prominent_only_for_emergencies() -> None:
    emergency = _answer(status="emergency", answer="Call 911 <now>.", citations=[])
    alert = render_alert(emergency)
    assert 'role="alert"' in alert and "Get medical help now" in alert
    assert "Call 911 &lt;now&gt;." in alert
    assert 'role="alert"' in render_answer(emergency, 1)
    assert render_alert(_answer()) == "" and render_alert(None) == ""


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
    html = render_sources(_turns(answer))
    for kind, label in KIND_LABELS.items():
        assert f'badge badge-{kind}"' in html and f">{label}</span>" in html
    assert "badge-other" in html and ">Other source</span>" in html
    assert "Wiki &lt;i&gt;page&lt;/i&gt;" in html
    assert "A &lt;b&gt;quote&lt;/b&gt; &amp; more" in html
    assert 'href="https://example.org/1" target="_blank" rel="noopener noreferrer"' in html
    assert "javascript:" not in html
    assert html.count("No link to the original page.") == 2


def test_render_sources__latest_answer_open_and_earlier_ones_collapsed() -> None:
    first = _answer(question="First <q>?")
    second = _answer(question="Second?")
    html = render_sources(_turns(first, second))
    assert html.index("Answer 2") < html.index("Answer 1")
    assert '<div class="source-group" id="sources-for-2">' in html
    assert '<details class="source-group" id="sources-for-1">' in html
    assert "First &lt;q&gt;?" in html
    assert "appear here" in render_sources([])


def test_safe_url__only_absolute_http_links() -> None:
    assert safe_url("https://example.org/a") == "https://example.org/a"
    assert safe_url("http://example.org") == "http://example.org"
    for bad in (None, "", "javascript:alert(1)", "data:text/html,x", "/relative", "ftp://x.org/f"):
        assert safe_url(bad) is None


def test_esc__escapes_each_character_once() -> None:
    assert esc("it's <a> & b") == "it&#39;s &lt;a&gt; &amp; b"
    assert esc("&amp;") == "&amp;amp;"


def test_footer__says_whether_questions_are_logged() -> None:
    assert "Not medical advice." in footer_html(True)
    assert "Questions and answers are logged" in footer_html(True)
    assert "without your questions" in footer_html(False)


def test_theme__uses_system_fonts_only() -> None:
    css = theme()._get_theme_css()
    assert "system-ui" in css
    assert "fonts.googleapis" not in css and "@font-face" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css), "no stylesheet asset from outside"


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
    for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", page):
        for url in re.findall(r'(?:src|href)="([^"]+)"', tag):
            assert not re.match(r"(https?:)?//", url), tag
    assert "googleapis" not in page and "googletagmanager" not in page
    assert config["analytics_enabled"] is False
    assert "fonts.googleapis" not in str(config.get("theme_css", ""))
    assert config.get("footer_links") == []


# ---- the real UI over HTTP ------------------------------------------------------------------
@pytest.fixture(scope="module")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    base = tmp_path_factory.mktemp("ui-server")
    server = AppServer(base / "data", base / "server.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _message_text(message: dict[str, Any]) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


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
        conversation, sources, alert, question_box = client.predict(QUESTION, api_name="/ask")
        # The same session asks a follow-up: the server keeps the turns, not the client.
        followup, *_ = client.predict(FOLLOW_UP, api_name="/ask")
        with pytest.raises(AppError, match="the limit is 2000"):
            client.predict("x" * 2001, api_name="/ask")
    finally:
        client.close()

    assert [m["role"] for m in conversation] == ["user", "assistant"]
    reply = _message_text(conversation[-1])
    assert f'class="answer answer-{expected.status} turn-1"' in reply
    assert esc(expected.answer.split("\n")[0].split("“")[0]) in reply
    if expected.caveat is not None:
        assert 'class="caveat-box"' in reply
        assert esc(expected.caveat.splitlines()[0]) in reply
    else:
        assert "caveat-box" not in reply
    for c in expected.citations:
        assert f'href="#src-1-{c.n}"' in reply
        assert f'id="src-1-{c.n}"' in sources
    assert question_box == ""
    shown = alert.get("visible") if isinstance(alert, dict) else bool(alert)
    assert bool(shown) == (expected.status == "emergency")
    logged = [e for e in _ui_entries(ui_server) if e["question"] == QUESTION]
    assert logged and logged[0]["caveat"] == expected.caveat

    assert len(followup) == 4
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


def _type_question(page: Any, question: str) -> None:
    box = page.locator("#question textarea")
    box.wait_for(state="visible")
    box.focus()
    page.keyboard.type(question)
    page.keyboard.press("Enter")


def _ask_by_keyboard(page: Any, question: str, turn: int) -> None:
    _type_question(page, question)
    page.locator(f"#chat .answer.turn-{turn}").wait_for(state="visible", timeout=60_000)


@pytest.mark.browser
@pytest.mark.server
@pytest.mark.slow
def test_ui__in_a_browser_answer_sources_caveat_feedback_and_phone_width(
    ui_server: AppServer, built_assistant: Assistant, tmp_path: Path
) -> None:
    sync_playwright = _browser_or_skip()
    expected = built_assistant.ask(QUESTION)
    origin = ui_server.url
    requests: list[str] = []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.set_default_timeout(60_000)
            page.on("request", lambda r: requests.append(r.url))
            page.goto(f"{origin}/")
            page.locator("#question textarea").wait_for(state="visible")
            assert page.title() == "Migraine surgery information assistant"
            assert page.get_by_text("What this is not:").is_visible()
            assert page.get_by_text("Not medical advice.").is_visible()
            for text in EXAMPLES:
                assert page.get_by_role("button", name=text).is_visible()

            _ask_by_keyboard(page, QUESTION, turn=1)

            answer = page.locator("#chat .answer.turn-1")
            first_quote = expected.answer.split("“")[1].split("”")[0][:60]
            assert first_quote in answer.inner_text()
            items = page.locator("#sources-for-1 .source-item")
            assert items.count() == len(expected.citations) > 0
            for i, c in enumerate(expected.citations):
                item = items.nth(i)
                assert item.is_visible()
                assert KIND_LABELS.get(c.source_kind, "Other source") in item.inner_text()
                assert c.title in item.inner_text()
            caveat = page.locator("#chat .answer.turn-1 .caveat-box")
            if expected.caveat is not None:
                assert caveat.is_visible()
                assert expected.caveat.splitlines()[0] in caveat.inner_text()
            else:
                assert caveat.count() == 0
            assert not page.locator("#emergency-alert .emergency-alert").is_visible()

            page.screenshot(path=str(tmp_path / "ui.png"), full_page=True)
            if os.environ.get("ASSISTANT_UPDATE_SCREENSHOT") or not SCREENSHOT.exists():
                SCREENSHOT.parent.mkdir(exist_ok=True)
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=str(SCREENSHOT), full_page=True)

            # A marker is a keyboard-reachable link to its source in the panel.
            marker = page.locator("#chat .answer.turn-1 a.cite").first
            marker.focus()
            page.keyboard.press("Enter")
            page.wait_for_function("location.hash === '#src-1-1'")
            assert page.locator("#src-1-1").is_visible()

            # Feedback: thumbs down on the answer, then a reason, both stored server-side.
            page.locator('#chat button[aria-label="Dislike"]').last.click()
            page.locator("#feedback-reason textarea").wait_for(state="visible")
            page.locator("#feedback-reason textarea").fill("The answer was hard to follow")
            page.locator("#feedback-send").click()
            page.locator("#feedback-reason textarea").wait_for(state="hidden")
            deadline = time.monotonic() + 30
            feedback: list[dict[str, Any]] = []
            while time.monotonic() < deadline and not feedback:
                feedback = [f for e in _ui_entries(ui_server) for f in e["feedback"]]
                feedback = [f for f in feedback if f["reason"]]
                time.sleep(0.25)
            assert feedback and feedback[0]["helpful"] is False
            assert feedback[0]["reason"] == "The answer was hard to follow"
            assert feedback[0]["interface"] == "ui"

            # An emergency answer shows as an alert above everything, if the service says so.
            emergency = built_assistant.ask(EMERGENCY_QUESTION, [])
            _ask_by_keyboard(page, EMERGENCY_QUESTION, turn=2)
            alert = page.locator("#emergency-alert .emergency-alert")
            if emergency.status == "emergency":
                alert.wait_for(state="visible")
                box = alert.bounding_box()
                chat_box = page.locator("#chat").bounding_box()
                assert box is not None and chat_box is not None and box["y"] < chat_box["y"]
            else:
                assert not alert.is_visible()

            # Phone width: no horizontal scrolling, the answer and its sources readable.
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.set_default_timeout(60_000)
            phone.on("request", lambda r: requests.append(r.url))
            phone.goto(f"{origin}/")
            phone.get_by_role("button", name=EXAMPLES[0]).click()
            phone.locator("#chat .answer.turn-1").wait_for(state="visible")
            phone.locator("#sources-for-1 .source-item").first.wait_for(state="visible")
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 391, f"the page scrolls sideways at phone width ({width}px)"
            phone.screenshot(path=str(tmp_path / "ui-phone.png"), full_page=True)
        finally:
            browser.close()

    outside = [u for u in requests if not u.startswith((origin, "data:", "blob:"))]
    assert not outside, f"the page requested resources from outside the server: {outside}"


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
