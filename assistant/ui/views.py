"""What the templates are given: an Answer's fields cut into text, ``[n]`` markers and links,
the caveat's verdict, points and references, and the labels of the answer's language."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from assistant.types import Answer, Citation
from assistant.ui.labels import KIND_LABELS, KINDS, Labels, labels
from assistant.ui.templates import render_text

ALERT_STATUSES = ("emergency", "urgent")
"""Statuses shown before anything else: the alert above the page and a status note with
role="alert", then at most :data:`MAX_ALERT_STEPS` steps and never any quotes."""

MAX_ALERT_STEPS = 3


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) link, else None (never a javascript: link)."""
    if not url:
        return None
    parsed = urlparse(url.strip())
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return url.strip()
    return None


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, "Other source")


_SEGMENT = re.compile(r"\[(?P<n>\d{1,3})\]|(?P<url>https?://[^\s<>\"']+[^\s<>\"'.,;:)])")


def segments(text: str, known: set[int] | frozenset[int] = frozenset()) -> list[dict[str, Any]]:
    """``text`` cut into plain text, ``[n]`` markers of known citations and http(s) links."""
    out: list[dict[str, Any]] = []

    def plain(s: str) -> None:
        if not s:
            return
        if out and out[-1]["kind"] == "text":
            out[-1]["text"] += s
        else:
            out.append({"kind": "text", "text": s})

    pos = 0
    for m in _SEGMENT.finditer(text):
        plain(text[pos : m.start()])
        if m.group("n") is not None and int(m.group("n")) in known:
            out.append({"kind": "cite", "n": int(m.group("n"))})
        elif m.group("url") is not None and safe_url(m.group("url")):
            out.append({"kind": "url", "url": m.group("url")})
        else:
            plain(m.group(0))
        pos = m.end()
    plain(text[pos:])
    return out


def paragraphs(text: str, known: set[int]) -> list[list[list[dict[str, Any]]]]:
    """Paragraphs (split at blank lines) of lines of segments."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return [[segments(line, known) for line in p.split("\n")] for p in paras]


_BULLET = re.compile(r"^\s*(?:[-•*]|\d{1,2}[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"'(])")


def _sentences(text: str) -> list[str]:
    """Sentences of ``text``, never split inside parentheses."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start : m.start()]
        if before.count("(") > before.count(")"):
            continue
        out.append(before.strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def alert_steps(text: str, limit: int = MAX_ALERT_STEPS) -> list[str]:
    """An emergency or urgent message as at most ``limit`` steps, its words as given: its
    lines when it has several, else its sentences; what is beyond the limit joins the last."""
    lines = [_BULLET.sub("", line).strip() for line in text.splitlines() if line.strip()]
    pieces = lines if len(lines) > 1 else _sentences(" ".join(lines))
    if len(pieces) > limit:
        pieces = [*pieces[: limit - 1], " ".join(pieces[limit - 1 :])]
    return pieces


# A caveat line that is (part of) a reference list: "References: …", or a line that starts
# like a citation (a PMID, a DOI, a link, "Smith et al."), or an indented line under an item
# that names a PMID, a DOI or a link.
_REFERENCE_HEAD = re.compile(r"^(?:-\s+)?references?\s*:\s*", re.IGNORECASE)
_CITATION_START = re.compile(
    r"^(?:-\s+)?(?:PMID\b|doi\b|10\.\d{4,9}/|https?://|[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)? et al\.)",
    re.IGNORECASE,
)
_CITATION_ANYWHERE = re.compile(r"\bPMID\b|\bdoi\b|\b10\.\d{4,9}/|https?://|\bet al\.", re.I)


def _is_reference(line: str) -> bool:
    stripped = line.strip()
    if _REFERENCE_HEAD.match(stripped) or _CITATION_START.match(stripped):
        return True
    return line[:1] in (" ", "\t") and bool(_CITATION_ANYWHERE.search(stripped))


def caveat_view(caveat: str) -> dict[str, Any]:
    """The caveat for its box: the first line as the verdict, the points, and the reference
    lines (grouped under the point they belong to) for the "References" disclosure."""
    lines = [line for line in caveat.splitlines() if line.strip()]
    verdict = lines[0].strip() if lines else ""
    blocks: list[dict[str, Any]] = []
    references: list[dict[str, Any]] = []
    label: str | None = None
    for line in lines[1:]:
        stripped = line.strip()
        indented = line[:1] in (" ", "\t")
        if _is_reference(line):
            body = _REFERENCE_HEAD.sub("", stripped)
            body = re.sub(r"^-\s+", "", body)
            entries = [e.strip() for e in body.split("; ") if e.strip()]
            group_label = label if indented else None
            if references and references[-1]["label"] == group_label:
                references[-1]["entries"] += [segments(e) for e in entries]
            else:
                references.append({"label": group_label, "entries": [segments(e) for e in entries]})
            continue
        if stripped.startswith("- ") and not indented:
            item = stripped[2:]
            head = item.split(":", 1)[0] if ":" in item[:160] else None
            label = head.strip() if head else None
            if not blocks or blocks[-1]["kind"] != "list":
                blocks.append({"kind": "list", "items": []})
            blocks[-1]["items"].append(segments(item))
        elif indented and blocks and blocks[-1]["kind"] == "list":
            blocks[-1]["items"][-1] += [{"kind": "text", "text": " "}, *segments(stripped)]
        else:
            label = None
            blocks.append({"kind": "text", "text": segments(stripped)})
    return {
        "verdict": segments(verdict),
        "blocks": blocks,
        "references": references,
        "reference_count": sum(len(g["entries"]) for g in references),
    }


def citation_view(c: Citation | dict[str, Any], t: Labels | None = None) -> dict[str, Any]:
    """A source card's fields; who wrote it in the language of ``t`` (English by default)."""
    t = t or labels("en")
    data = c.model_dump() if isinstance(c, Citation) else c
    kind = data["source_kind"]
    return {
        "n": int(data["n"]),
        "title": data["title"],
        "publisher": data.get("publisher") or None,
        "quote": data["quote"],
        "url": safe_url(data.get("url")),
        "kind_class": kind if kind in KINDS else "other",
        "kind_label": t.kind(kind),
        "kind_hint": t.kind_hint(kind),
    }


_LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def answer_view(
    answer: Answer, turn: int, feedback: str | None = None, commented: bool = False
) -> dict[str, Any]:
    """Everything the answer templates show, from the Answer's fields only; ``t`` is the
    labels of the answer's language."""
    t = labels(answer.language)
    known = {c.n for c in answer.citations}
    alert = answer.status in ALERT_STATUSES
    note = t(f"status_{answer.status}") if answer.status in STATUSES_WITH_NOTE else None
    summary = (answer.summary or "").strip() or None
    steps = alert_steps(answer.answer) if alert else []
    view: dict[str, Any] = {
        "t": t,
        "turn": turn,
        "question": answer.question,
        "status": answer.status,
        "alert": alert,
        "note": note,
        "headline": (summary or note or "") if alert else None,
        "steps": [segments(s) for s in steps],
        "step_texts": steps,
        "summary": segments(summary, known) if summary and not alert else None,
        "summary_text": summary if not alert else None,
        "paragraphs": paragraphs(answer.answer, known),
        "text": answer.answer.strip(),
        "lang": answer.language if _LANG.match(answer.language or "") else None,
        "ui_lang": t.language,
        "caveat": caveat_view(answer.caveat) if answer.caveat and not alert else None,
        "caveat_text": answer.caveat.strip() if answer.caveat and not alert else None,
        "citations": [] if alert else [citation_view(c, t) for c in answer.citations],
        "feedback": feedback,
        "feedback_text": t.feedback(feedback),
        "commented": bool(feedback and commented),
    }
    view["copy_text"] = render_text("copy.txt.j2", a=view, t=t)
    return view


STATUSES_WITH_NOTE = ("no_evidence", "declined", "emergency", "urgent")
