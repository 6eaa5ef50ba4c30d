"""The evidence-status caveat, built from the evidence registry."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.evidence import EvidenceRegistry, Procedure
from assistant.types import Citation, EvidenceStatus

TIER_LABELS = {
    "not-recommended-outside-trials": "not recommended outside clinical trials",
    "limited-low-quality": "limited, low-quality evidence",
    "unproven": "unproven",
    "negative-trials": "randomized trials were negative",
}

CAVEAT_HEADING = "Evidence status"


def evidence_for(
    registry: EvidenceRegistry, procedures: Sequence[Procedure]
) -> list[EvidenceStatus]:
    """Registry entries for the procedures, or the general position when none is named."""
    if not procedures:
        general = registry.general
        return [
            EvidenceStatus(
                procedure="Migraine surgery in general",
                tier=general.tier,
                summary=general.summary,
                references=tuple(registry.cite(general.references)),
            )
        ]
    return [
        EvidenceStatus(
            procedure=p.name,
            tier=p.tier,
            summary=p.summary,
            references=tuple(registry.cite(p.references)),
        )
        for p in procedures
    ]


def build_caveat(evidence: Sequence[EvidenceStatus], citations: Sequence[Citation]) -> str:
    """Plain-language caveat: each procedure's evidence tier, status and references."""
    lines = [f"{CAVEAT_HEADING}: how strong the evidence really is."]
    for item in evidence:
        tier = TIER_LABELS.get(item.tier, item.tier)
        lines.append(f"- {item.procedure}: {tier}. {item.summary.strip()}")
        if item.references:
            lines.append("  References: " + "; ".join(item.references))
    kinds = {c.source_kind for c in citations}
    if kinds & {"clinic-marketing", "practice-blog"}:
        lines.append(
            "- Success figures on clinic and practice pages are the sellers' own claims; "
            "those pages name no studies behind them."
        )
    lines.append(
        "- This is general information, not medical advice: discuss any operation with a "
        "headache specialist."
    )
    return "\n".join(lines)
