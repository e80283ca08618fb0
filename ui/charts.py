"""Pictures as plain strings: icon arrays and the see-saw.

Pure drawing (no Streamlit, no scoring): each function takes numbers and colours
and returns SVG or HTML text, so it is easy to test. SVG is shown as a ``data:``
image with alt text (st.html strips inline SVG), which needs no outside fetch.
What the numbers mean (which answers moved which step) is worked out from the
result's contributions in :mod:`ui.panels`.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from functools import lru_cache

from decision.contract import ACUPUNCTURE, IMS, NEEDLES, NO_NEEDLING

# Colours: option colours pass 4.5:1 on white and on their tint; grey marks are background only.
OPTION_COLOURS = {IMS: "#1c5a9e", ACUPUNCTURE: "#9a4a06", NO_NEEDLING: "#5f3d87", NEEDLES: "#2b5f4a"}
OPTION_TINTS = {IMS: "#eaf1f9", ACUPUNCTURE: "#fbf0e6", NO_NEEDLING: "#f2eef8", NEEDLES: "#e8f3ee"}
MARK_EMPTY = "#c9d0d9"

# Icon arrays: 100 marks in one 10 x 10 block, or 1,000 marks in ten 10 x 10 blocks
# (5 across, 2 down), so a patient can count by rows of 10 and blocks of 100. The
# marks are drawn with an SVG pattern (a few hundred bytes, not 1,000 shapes).
BLOCK = 10
PITCH_100, SIZE_100 = 24, 20
PITCH_1000, SIZE_1000, BLOCK_GAP = 10, 8, 10  # a block is 110 wide: a whole number of pitches


def svg_image(svg: str, alt: str, css_class: str = "") -> str:
    """An <img> holding the SVG as a data: URL, with alt text for screen readers."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    cls = f' class="{html.escape(css_class)}"' if css_class else ""
    return f'<img{cls} alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{data}">'


def denominator(per_1000_values: Iterable[float]) -> int:
    """100 when every figure is a whole number out of 100 (per_1000 a multiple of 10,
    at least 10), so every mark is a whole person or treatment; else 1,000.

    Both needle options of one side effect are drawn with the same denominator.
    """
    values = list(per_1000_values)
    if values and all(v >= 10 and abs(v / 10 - round(v / 10)) < 1e-9 for v in values):
        return 100
    return 1000


def marks_coloured(per_1000: float, total: int = 1000) -> int:
    """How many of ``total`` marks to colour: rounded, and at least 1 when above 0."""
    if per_1000 <= 0:
        return 0
    value = per_1000 * total / 1000
    return min(total, max(1, int(value + 0.5)))


def _blocks(total: int) -> tuple[int, list[tuple[int, int]]]:
    """The pitch and the top-left corner of each 10 x 10 block, in counting order."""
    if total == 100:
        return PITCH_100, [(0, 0)]
    step = BLOCK * PITCH_1000 + BLOCK_GAP
    return PITCH_1000, [((b % 5) * step, (b // 5) * step) for b in range(10)]


def coloured_rects(n: int, total: int) -> list[tuple[int, int, int, int]]:
    """(x, y, width, height) areas holding the first ``n`` marks: whole blocks, then
    whole rows of 10, then the rest of the last row (the order a patient counts in)."""
    pitch, blocks = _blocks(total)
    side = BLOCK * pitch
    rects = []
    for b, (bx, by) in enumerate(blocks):
        left = n - b * 100
        if left <= 0:
            break
        if left >= 100:
            rects.append((bx, by, side, side))
            continue
        rows, rest = divmod(left, BLOCK)
        if rows:
            rects.append((bx, by, side, rows * pitch))
        if rest:
            rects.append((bx, by + rows * pitch, rest * pitch, pitch))
    return rects


@lru_cache(maxsize=64)  # content-only inputs: safe to share between sessions
def icon_array_svg(per_1000: float, colour: str, total: int = 1000) -> str:
    """``total`` squares (100 or 1,000) in blocks of 10 x 10; the first ones coloured."""
    n = marks_coloured(per_1000, total)
    pitch, blocks = _blocks(total)
    size = SIZE_100 if total == 100 else SIZE_1000
    side = BLOCK * pitch
    width = max(x for x, _ in blocks) + side - (pitch - size)
    height = max(y for _, y in blocks) + side - (pitch - size)

    def pattern(pid: str, fill: str) -> str:
        return (
            f'<pattern id="{pid}" width="{pitch}" height="{pitch}" patternUnits="userSpaceOnUse">'
            f'<rect width="{size}" height="{size}" fill="{fill}"/></pattern>'
        )

    off = "".join(f'<rect x="{x}" y="{y}" width="{side}" height="{side}" fill="url(#off)"/>' for x, y in blocks)
    on = "".join(
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="url(#on)"/>' for x, y, w, h in coloured_rects(n, total)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f"<defs>{pattern('off', MARK_EMPTY)}{pattern('on', colour)}</defs>{off}{on}</svg>"
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
