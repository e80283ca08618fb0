"""Pictures as plain strings: the icon array and the see-saw.

Pure functions (no Streamlit): they return SVG or HTML text, so they are easy to
test. SVG is shown as a ``data:`` image with alt text (st.html strips inline
SVG), which needs no outside fetch.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# Colours: option colours pass 4.5:1 on white; grey marks are background only.
OPTION_COLOURS = {"ims": "#1c5a9e", "acupuncture": "#9a4a06", "no_needling": "#5f3d87"}
MARK_EMPTY = "#d3d8df"

ICON_COLUMNS = 40
ICON_ROWS = 25  # 40 x 25 = 1,000 marks
ICON_PITCH = 9
ICON_SIZE = 7


def svg_image(svg: str, alt: str, css_class: str = "") -> str:
    """An <img> holding the SVG as a data: URL, with alt text for screen readers."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    cls = f' class="{html.escape(css_class)}"' if css_class else ""
    return f'<img{cls} alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{data}">'


def marks_coloured(per_1000: float) -> int:
    """How many of the 1,000 marks to colour: rounded, and at least 1 when above 0."""
    if per_1000 <= 0:
        return 0
    return min(1000, max(1, int(per_1000 + 0.5)))


@lru_cache(maxsize=64)  # content-only inputs: safe to share between sessions
def icon_array_svg(per_1000: float, colour: str) -> str:
    """1,000 small squares in 25 rows of 40; the first ``per_1000`` (reading order) coloured."""
    n = marks_coloured(per_1000)
    on: list[str] = []
    off: list[str] = []
    for i in range(ICON_COLUMNS * ICON_ROWS):
        x, y = (i % ICON_COLUMNS) * ICON_PITCH, (i // ICON_COLUMNS) * ICON_PITCH
        (on if i < n else off).append(f"M{x} {y}h{ICON_SIZE}v{ICON_SIZE}h-{ICON_SIZE}z")
    width = ICON_COLUMNS * ICON_PITCH - (ICON_PITCH - ICON_SIZE)
    height = ICON_ROWS * ICON_PITCH - (ICON_PITCH - ICON_SIZE)
    paths = f'<path fill="{MARK_EMPTY}" d="{"".join(off)}"/>'
    if on:
        paths += f'<path fill="{colour}" d="{"".join(on)}"/>'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">{paths}</svg>'
    )


def seesaw_svg(left_points: int, right_points: int, left_colour: str, right_colour: str) -> str:
    """A beam on a pivot, tipped toward the side with more points (at most 12 degrees)."""
    angle = max(-12.0, min(12.0, (right_points - left_points) * 2.0))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 -45 600 215" width="600" height="215">'
        '<polygon points="300,96 262,160 338,160" fill="#4a5260"/>'
        '<rect x="200" y="160" width="200" height="8" rx="4" fill="#4a5260"/>'
        f'<g transform="rotate({angle:.1f} 300 90)">'
        '<rect x="40" y="82" width="520" height="14" rx="7" fill="#2b3340"/>'
        f'<rect x="40" y="22" width="90" height="60" rx="10" fill="{left_colour}"/>'
        f'<rect x="470" y="22" width="90" height="60" rx="10" fill="{right_colour}"/>'
        f'<text x="85" y="64" font-family="sans-serif" font-size="34" font-weight="700" '
        f'fill="#fff" text-anchor="middle">{left_points}</text>'
        f'<text x="515" y="64" font-family="sans-serif" font-size="34" font-weight="700" '
        f'fill="#fff" text-anchor="middle">{right_points}</text>'
        "</g></svg>"
    )


@dataclass(frozen=True)
class Push:
    """One answer that moved the scores: its reason, which way, and by how much."""

    reason: str
    toward: str  # option id
    points: int


def pushes_from(result, lang: str, order: list[str]) -> list[Push]:
    """Net push per rule (IMS points minus acupuncture points), in question order."""
    left, right = "ims", "acupuncture"
    net: dict[str, int] = {}
    rules: dict[str, object] = {}
    question_of: dict[str, str] = {}
    for option in result.options:
        sign = 1 if option.option == left else -1 if option.option == right else 0
        for c in option.contributions:
            net[c.rule.id] = net.get(c.rule.id, 0) + sign * c.points
            rules[c.rule.id] = c.rule
            question_of[c.rule.id] = c.question
    position = {qid: i for i, qid in enumerate(order)}
    ids = sorted(net, key=lambda rid: (position.get(question_of[rid], len(order)), rid))
    return [
        Push(rules[rid].reason.get(lang), left if net[rid] > 0 else right, abs(net[rid]))
        for rid in ids
        if net[rid] != 0
    ]


def pushes_html(pushes: list[Push], label: Callable[[Push], str], left: str = "ims") -> str:
    """The list under the see-saw: each reason with a bar toward its option.

    ``label(push)`` gives the visible words above the reason ("Toward IMS · 2 points").
    """
    biggest = max([3, *(p.points for p in pushes)])
    items = []
    for p in pushes:
        side = "left" if p.toward == left else "right"
        width = max(12, round(100 * p.points / biggest))
        bar = f'<span class="ss-bar" style="width:{width}%;background:{OPTION_COLOURS.get(p.toward, "#333")}"></span>'
        half_left = bar if side == "left" else ""
        half_right = bar if side == "right" else ""
        items.append(
            f'<li class="ss-item ss-{side}">'
            f'<span class="ss-tag" style="color:{OPTION_COLOURS.get(p.toward, "#333")}">'
            f"{html.escape(label(p))}</span>"
            f'<span class="ss-reason">{html.escape(p.reason)}</span>'
            f'<span class="ss-track" aria-hidden="true"><span class="ss-half ss-half-left">{half_left}</span>'
            f'<span class="ss-axis"></span><span class="ss-half ss-half-right">{half_right}</span></span>'
            "</li>"
        )
    return f'<ul class="ss-list">{"".join(items)}</ul>'
