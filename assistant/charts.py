"""Small dependency-free SVG charts, shared by the eval report and the benchmark report.

The eval report inlines its charts in report.html (``standalone=False``: inline SVG needs no
namespace attribute, so the page names no URL at all); the benchmark writes ``.svg`` files,
which need the namespace. Every piece of text is escaped here; the result is safe to insert
into HTML as it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import NamedTuple

PALETTE = ("#1f5fa8", "#d9822b", "#3b8f5a", "#8e5ba8", "#b8454a", "#5c6b73")
PASS, FAIL, TRACK = "#2e7d4f", "#b3261e", "#eef1f4"


def _n(value: float) -> str:
    """A coordinate: at most one decimal, none when whole."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


class Svg:
    """An SVG drawing assembled element by element."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = []

    def rect(
        self, x: float, y: float, w: float, h: float, fill: str, tip: str | None = None
    ) -> None:
        shape = f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill}"'
        self.parts.append(f"{shape}><title>{escape(tip)}</title></rect>" if tip else shape + "/>")

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: int = 12,
        anchor: str | None = None,
        fill: str | None = None,
        extra: str = "",
    ) -> None:
        attrs = f' text-anchor="{anchor}"' if anchor else ""
        attrs += f' fill="{fill}"' if fill else ""
        self.parts.append(
            f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}"{attrs}{extra}>{escape(text)}</text>'
        )

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        stroke: str = "#333",
        width: float | None = None,
        dash: str | None = None,
        tip: str | None = None,
    ) -> None:
        attrs = f' stroke-width="{width}"' if width else ""
        attrs += f' stroke-dasharray="{dash}"' if dash else ""
        shape = (
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f'stroke="{stroke}"{attrs}'
        )
        self.parts.append(f"{shape}><title>{escape(tip)}</title></line>" if tip else shape + "/>")

    def render(self, title: str, standalone: bool = False) -> str:
        w, h = _n(self.width), _n(self.height)
        ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
        return (
            f'<svg{ns} role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            f'font-family="sans-serif" aria-label="{escape(title)}">'
            f"<title>{escape(title)}</title>{''.join(self.parts)}</svg>"
        )


def _share(value: float) -> float:
    return max(0.0, min(1.0, value))


# ---- horizontal bars of shares (the eval report) ------------------------------------------
class Bar(NamedTuple):
    """One bar of :func:`share_bars`: a 0-1 value, an optional threshold tick and verdict."""

    label: str
    value: float | None
    threshold: float | None = None
    status: str | None = None
    """"pass" or "fail" colours the bar green or red; None: the first palette colour."""
    text: str = ""


def share_bars(rows: Sequence[Bar], title: str) -> str:
    """Horizontal bars of values from 0 to 1, each with its text and threshold tick."""
    left, width, bar_h, gap = 230, 360, 18, 8
    svg = Svg(left + width + 60, len(rows) * (bar_h + gap) + 30)
    for i, row in enumerate(rows):
        y = 10 + i * (bar_h + gap)
        color = PASS if row.status == "pass" else FAIL if row.status == "fail" else PALETTE[0]
        svg.text(left - 8, y + 13, row.label, anchor="end")
        svg.rect(left, y, width, bar_h, TRACK)
        if row.value is not None:
            svg.rect(left, y, _share(row.value) * width, bar_h, color)
        svg.text(left + width + 6, y + 13, row.text)
        if row.threshold is not None:
            x = left + _share(row.threshold) * width
            svg.line(x, y - 3, x, y + bar_h + 3, stroke="#111", width=2, tip="threshold")
    if any(row.threshold is not None for row in rows):
        svg.text(left, svg.height - 6, "black tick: threshold", size=11, fill="#555")
    return svg.render(title)


def grouped_share_bars(
    groups: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], title: str
) -> str:
    """Horizontal grouped bars: one group per metric, one bar per series (0-1 values)."""
    left, width, bar_h = 110, 380, 12
    group_h = len(series) * (bar_h + 2) + 12
    legend_h = 18 * len(series) + 6
    svg = Svg(left + width + 60, len(groups) * group_h + legend_h + 10)
    for gi, group in enumerate(groups):
        y0 = 6 + gi * group_h
        svg.text(left - 8, y0 + round(group_h / 2), group, anchor="end")
        for si, (_, values) in enumerate(series):
            value = values[gi]
            y = y0 + si * (bar_h + 2)
            w = 0.0 if value is None else _share(value) * width
            svg.rect(left, y, w, bar_h, PALETTE[si % len(PALETTE)])
            svg.text(left + w + 4, y + 10, "n/a" if value is None else f"{value:.3f}", size=10)
    y = len(groups) * group_h + 10
    for si, (name, _) in enumerate(series):
        svg.rect(left, y + si * 18, 12, 12, PALETTE[si % len(PALETTE)])
        svg.text(left + 18, y + si * 18 + 10, name)
    return svg.render(title)


def histogram(values: Sequence[float], title: str, unit: str = "ms", bins: int = 20) -> str:
    """Vertical histogram of values."""
    width, height, left, bottom, top = 640, 220, 40, 40, 10
    if not values:
        empty = Svg(width, 40)
        empty.text(10, 25, "no samples")
        return empty.render(title)
    lo, hi = min(values), max(values)
    step = (hi - lo) / bins if hi > lo else 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / step)) if hi > lo else 0] += 1
    peak = max(counts)
    plot_w, plot_h = width - left - 10, height - bottom - top
    bw = plot_w / bins
    svg = Svg(width, height)
    for i, count in enumerate(counts):
        h = plot_h * count / peak if peak else 0
        tip = f"{lo + i * step:.1f}–{lo + (i + 1) * step:.1f} {unit}: {count}"
        svg.rect(left + i * bw + 1, top + plot_h - h, bw - 2, h, PALETTE[0], tip=tip)
    base = top + plot_h
    svg.line(left, base, width - 10, base)
    for i in range(0, bins + 1, max(1, bins // 5)):
        svg.text(left + i * bw, base + 15, f"{lo + i * step:.0f}", size=11, anchor="middle")
    caption = f"{unit} per question (n={len(values)})"
    svg.text(left + plot_w / 2, height - 5, caption, size=11, anchor="middle")
    svg.text(left - 6, top + 10, str(peak), size=11, anchor="end")
    return svg.render(title)


# ---- vertical grouped bars with an axis (the benchmark report) ----------------------------
def _nice_max(value: float) -> float:
    if value <= 0 or not math.isfinite(value):
        return 1.0
    exp = 10.0 ** math.floor(math.log10(value))
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
    """Grouped vertical bars: one group per category, one bar per series; optional target line.

    A standalone SVG document (for a ``.svg`` file); a NaN value draws no bar.
    """
    left, right, top, bottom = 60, 20, 40, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for vs in series.values() for v in vs if math.isfinite(v)]
    top_value = _nice_max(max([*values, target or 0.0, 1e-9]))
    n_series = max(1, len(series))
    group_w = plot_w / max(1, len(categories))
    bar_w = min(48.0, group_w * 0.8 / n_series)
    svg = Svg(width, height)
    svg.rect(0, 0, width, height, "white")
    svg.text(width / 2, 20, title, size=14, anchor="middle", extra=' font-weight="bold"')
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        svg.line(left, y, left + plot_w, y, stroke="#ddd")
        svg.text(left - 6, y + 4, _fmt(top_value * i / 4), size=11, anchor="end")
    mid = top + plot_h / 2
    svg.text(
        14, mid, unit, size=11, anchor="middle", extra=f' transform="rotate(-90 14 {_n(mid)})"'
    )
    for c, category in enumerate(categories):
        x0 = left + c * group_w + (group_w - bar_w * n_series) / 2
        for s, (name, vs) in enumerate(series.items()):
            value = vs[c] if c < len(vs) else float("nan")
            if not math.isfinite(value):
                continue
            h = plot_h * min(value, top_value) / top_value
            x, y = x0 + s * bar_w, top + plot_h - h
            tip = f"{name}: {_fmt(value)} {unit}"
            svg.rect(x, y, bar_w - 2, h, PALETTE[s % len(PALETTE)], tip=tip)
            svg.text(x + (bar_w - 2) / 2, y - 3, _fmt(value), size=9, anchor="middle")
        svg.text(left + c * group_w + group_w / 2, top + plot_h + 16, category, 11, "middle")
    if target is not None:
        y = top + plot_h - plot_h * min(target, top_value) / top_value
        svg.line(left, y, left + plot_w, y, stroke=FAIL, width=1.5, dash="6 4")
        label = f"{target_label} {_fmt(target)}"
        svg.text(left + plot_w - 4, y - 4, label, size=11, anchor="end", fill=FAIL)
    lx = left
    for s, name in enumerate(series):
        svg.rect(lx, height - 27, 10, 10, PALETTE[s % len(PALETTE)])
        svg.text(lx + 14, height - 18, name, size=11)
        lx += 24 + 7 * len(name)
    svg.line(left, top + plot_h, left + plot_w, top + plot_h)
    return svg.render(title, standalone=True) + "\n"
