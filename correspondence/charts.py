"""Server-rendered SVG charts for the dashboard: no JavaScript library, no CDN.

Pure functions from series to an SVG string. Every label is escaped here, so the result is
marked safe for templates. Colours are SVG presentation attributes (allowed by the CSP,
unlike ``style="..."``); the chart carries a ``<title>`` and an ``aria-label`` for screen
readers, and each bar its own ``<title>`` tooltip with the exact figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#006a4e", "#c99700", "#b0102b", "#1a5fb4")
INK = "#1d2327"
MUTED = "#55606a"
GRID = "#d5dbe0"
FONT = "DejaVu Sans, system-ui, sans-serif"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]
    colour: str = ""


def nice_ceiling(value: float) -> int:
    """The smallest 1, 2, 5 × 10ⁿ at or above ``value`` (at least 1): a readable axis top."""
    if value <= 1:
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        top = step * 10**exponent
        if top >= value:
            return int(top)
    return int(10 ** (exponent + 1))  # pragma: no cover - the loop always returns


def _ticks(top: int) -> list[int]:
    """Four or five evenly spaced integer ticks from 0 to ``top``."""
    for parts in (5, 4, 2, 1):
        if top % parts == 0:
            step = top // parts
            return list(range(0, top + 1, step))
    return [0, top]  # pragma: no cover - parts=1 always divides


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    parts = []
    for i, s in enumerate(series):
        colour = s.colour or PALETTE[i % len(PALETTE)]
        lx = x + i * 110
        parts.append(f'<rect x="{_fmt(lx)}" y="{_fmt(y - 9)}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{_fmt(lx + 15)}" y="{_fmt(y)}" font-size="13" fill="{INK}">{escape(s.label)}</text>')
    return parts


def grouped_bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    width: int = 480,
    height: int = 240,
) -> SafeString:
    """Vertical bars, one group per category (e.g. a week), one bar per series (e.g. in/out)."""
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"La série « {s.label} » n'a pas autant de valeurs que de catégories.")
    peak = max((v for s in series for v in s.values), default=0)
    axis_top = nice_ceiling(peak)
    # Room for the widest tick label (12 px digits are about 7 px wide): "1600" was cut to
    # "600" at a million letters with a fixed 30 px.
    left, right, top, bottom = max(30, 14 + 7 * len(str(axis_top))), 6, 28, 30
    plot_w = width - left - right
    plot_h = height - top - bottom
    n = max(len(categories), 1)
    group_w = plot_w / n
    bar_w = group_w * 0.8 / max(len(series), 1)

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * value / axis_top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in _ticks(axis_top):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{_fmt(y)}" x2="{width - right}" y2="{_fmt(y)}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{_fmt(y + 4)}" font-size="12" text-anchor="end" fill="{MUTED}">{tick}</text>'
        )
    for c, category in enumerate(categories):
        gx = left + c * group_w + group_w * 0.1
        for i, s in enumerate(series):
            value = s.values[c]
            colour = s.colour or PALETTE[i % len(PALETTE)]
            y = y_of(value)
            parts.append(
                f'<rect class="bar" x="{_fmt(gx + i * bar_w)}" y="{_fmt(y)}" width="{_fmt(bar_w - 1)}" '
                f'height="{_fmt(top + plot_h - y)}" fill="{colour}" data-value="{value}">'
                f"<title>{escape(category)} — {escape(s.label)} : {value}</title></rect>"
            )
        parts.append(
            f'<text x="{_fmt(left + c * group_w + group_w / 2)}" y="{height - bottom + 15}" font-size="10.5" '
            f'text-anchor="middle" fill="{MUTED}">{escape(category)}</text>'
        )
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{INK}"/>')
    parts.extend(_legend(series, left, 14))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label is escaped above


def horizontal_bar_chart(
    items: Sequence[tuple[str, int]],
    *,
    title: str,
    width: int = 480,
    colour: str = PALETTE[2],
    empty_label: str = "",
) -> SafeString:
    """One horizontal bar per item (e.g. late imputations per assignee), largest value first
    as given. With no item, a short chart that says ``empty_label``."""
    label_w, right, top, row_h = 170, 34, 8, 28
    height = top * 2 + max(len(items), 1) * row_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
    ]
    if not items:
        parts.append(
            f'<text x="{width / 2}" y="{top + row_h / 2 + 4}" font-size="13" text-anchor="middle" '
            f'fill="{MUTED}">{escape(empty_label)}</text>'
        )
    peak = nice_ceiling(max((v for _label, v in items), default=0))
    plot_w = width - label_w - right
    for r, (label, value) in enumerate(items):
        y = top + r * row_h
        bar = plot_w * value / peak
        shown = label if len(label) <= 24 else label[:23] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{_fmt(y + row_h / 2 + 4)}" font-size="13" text-anchor="end" '
            f'fill="{INK}">{escape(shown)}</text>'
        )
        parts.append(
            f'<rect class="bar" x="{label_w}" y="{_fmt(y + 4)}" width="{_fmt(bar)}" height="{row_h - 8}" '
            f'fill="{colour}" data-value="{value}"><title>{escape(label)} : {value}</title></rect>'
        )
        parts.append(
            f'<text x="{_fmt(label_w + bar + 6)}" y="{_fmt(y + row_h / 2 + 4)}" font-size="12" '
            f'fill="{INK}">{value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated label is escaped above
