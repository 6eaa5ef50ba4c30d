"""Citation checking: every marker must point at a quote that is exact in a retrieved passage."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.types import CITATION_MARKER, Citation, Draft, Passage

MARKER = re.compile(r"\s?" + CITATION_MARKER.pattern)


def quote_is_exact(citation: Citation, passages: Sequence[Passage]) -> bool:
    """True when the citation's passage was retrieved and its quote is the text at its offsets."""
    for passage in passages:
        chunk = passage.chunk
        if chunk.chunk_id != citation.chunk_id or passage.doc.doc_id != citation.doc_id:
            continue
        if not (chunk.start <= citation.start < citation.end <= chunk.end):
            return False
        return (
            chunk.text[citation.start - chunk.start : citation.end - chunk.start] == citation.quote
        )
    return False


class CitationChecker:
    """Drops invalid citations and markers, then numbers what is left 1, 2, 3 in reading order."""

    def check(self, draft: Draft, passages: Sequence[Passage]) -> Draft:
        valid = {c.n: c for c in draft.citations if quote_is_exact(c, passages)}
        order: list[int] = []

        def renumber(match: re.Match[str]) -> str:
            n = int(match.group(1))
            if n not in valid:
                return ""  # a marker that points nowhere is removed, never shown
            if n not in order:
                order.append(n)
            return f" [{order.index(n) + 1}]"

        # Quotes are the sources' own words: a "[12]" inside one is text, never a marker.
        text = draft.text
        protected: list[str] = []
        for citation in sorted(draft.citations, key=lambda c: -len(c.quote)):
            if citation.quote and citation.quote in text:
                protected.append(citation.quote)
                text = text.replace(citation.quote, f"\x00{len(protected) - 1}\x00")
        text = MARKER.sub(renumber, text)
        for i, quote in enumerate(protected):
            text = text.replace(f"\x00{i}\x00", quote)
        citations = tuple(
            valid[n].model_copy(update={"n": i}) for i, n in enumerate(order, start=1)
        )
        return draft.model_copy(update={"text": text.strip(), "citations": citations})
