"""Small dependency-free SVG charts for the benchmark report."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE = ("#4C78A8", "#F58518", "#54A24B", "#B279A2", "#E45756", "#72B7B2")


def _nice_max(value: float) -> float:
    if value <= 0 or not math.isfinite(value):
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def _fmt(value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    unit: str,
    target: float | None = None,
    target_label: str = "target",
    width: int = 640,
    height: int = 300,
) -> str:
    """Grouped vertical bars: one group per category, one bar per series; optional target line."""
    left, right, top, bottom = 60, 20, 40, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for vs in series.values() for v in vs if math.isfinite(v)]
    top_value = _nice_max(max([*values, target or 0.0, 1e-9]))
    n_series = max(1, len(series))
    group_w = plot_w / max(1, len(categories))
    bar_w = min(48.0, group_w * 0.8 / n_series)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14" '
        f'font-weight="bold">{escape(title)}</text>',
    ]
    for i in range(5):
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(value)}</text>')
    out.append(
        f'<text x="14" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2})">{escape(unit)}</text>'
    )
    for c, category in enumerate(categories):
        x0 = left + c * group_w + (group_w - bar_w * n_series) / 2
        for s, (name, vs) in enumerate(series.items()):
            value = vs[c] if c < len(vs) else float("nan")
            if not math.isfinite(value):
                continue
            h = plot_h * min(value, top_value) / top_value
            x = x0 + s * bar_w
            y = top + plot_h - h
            color = PALETTE[s % len(PALETTE)]
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                f'fill="{color}"><title>{escape(name)}: {_fmt(value)} {escape(unit)}</title></rect>'
            )
            out.append(
                f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                f'font-size="9">{_fmt(value)}</text>'
            )
        out.append(
            f'<text x="{left + c * group_w + group_w / 2:.1f}" y="{top + plot_h + 16}" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    if target is not None:
        y = top + plot_h - plot_h * min(target, top_value) / top_value
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#E45756" '
            f'stroke-dasharray="6 4" stroke-width="1.5"/>'
        )
        out.append(
            f'<text x="{left + plot_w - 4}" y="{y - 4:.1f}" text-anchor="end" fill="#E45756">'
            f"{escape(target_label)} {_fmt(target)}</text>"
        )
    lx = left
    for s, name in enumerate(series):
        color = PALETTE[s % len(PALETTE)]
        y = height - 18
        out.append(f'<rect x="{lx}" y="{y - 9}" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{lx + 14}" y="{y}">{escape(name)}</text>')
        lx += 24 + 7 * len(name)
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="#333"/>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"
