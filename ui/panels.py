"""HTML for the result screen: flag panels, the lean, the options, the comparison
grid and the side-effect pictures. Pure functions returning strings; every
piece of text is escaped (content is trusted, but escaping costs nothing).
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Sequence
from functools import wraps

from decision.content import Content
from decision.engine import RaisedFlag, Result
from decision.models import Row
from ui.charts import OPTION_COLOURS, icon_array_svg, seesaw_svg, svg_image
from ui.words import Words

e = html.escape

# Content is frozen and shared by every session, so HTML that depends only on the
# content and the language is built once per process, not on every rerun of the
# result screen. Keyed by the content object (kept alive in the entry, so its id
# is not reused) and the language; nothing a patient answered goes in here.
_CONTENT_HTML: dict[tuple, tuple[object, str]] = {}
_CONTENT_HTML_MAX = 512
_LOCK = threading.Lock()


def _per_content_and_language(fn: Callable[..., str]) -> Callable[..., str]:
    @wraps(fn)
    def cached(first, option_ids, t, *rest):
        content = first if isinstance(first, Content) else t.content
        key = (fn.__name__, id(content), type(t), t.lang, id(first), tuple(option_ids), rest)
        hit = _CONTENT_HTML.get(key)
        if hit is not None and hit[0] is content:
            return hit[1]
        out = fn(first, option_ids, t, *rest)
        with _LOCK:
            if len(_CONTENT_HTML) >= _CONTENT_HTML_MAX:
                _CONTENT_HTML.clear()
            _CONTENT_HTML[key] = (content, out)
        return out

    return cached


def lean_sentence(result: Result, t: Words) -> str:
    """The lean in non-directive words (ui.yaml lean_*)."""
    lean = result.lean
    if lean.option == "no_needling":
        return t("lean_no_needling")
    if lean.option is None or lean.strength == "none":
        return t("lean_none")
    name = t.option(lean.option)
    return t("lean_strong", option=name) if lean.strength == "strong" else t("lean_slight", option=name)


def flag_panels(result: Result, t: Words) -> str:
    """Stop (red) and caution (amber) panels, then info as a quiet note. Empty if no flags."""
    parts: list[str] = []
    stops = result.flags_at("stop")
    if stops:
        stopped = result.lean.stopped or tuple(o for f in stops for o in f.flag.options)
        scored = [o for o in ("ims", "acupuncture") if o in stopped]
        title = t("stop_title_all") if len(scored) >= 2 else t("stop_title_one", option=t.option(scored[0]))
        parts.append(_panel("stop", title, stops, t, footer=t("stop_talk")))
    cautions = result.flags_at("caution")
    if cautions:
        parts.append(_panel("caution", t("caution_title"), cautions, t))
    infos = result.flags_at("info")
    if infos:
        parts.append(_panel("info", t("info_title"), infos, t))
    return "".join(parts)


def _panel(level: str, title: str, flags: Sequence[RaisedFlag], t: Words, footer: str = "") -> str:
    items = "".join(f"<li>{e(t.of(f.flag.message))}</li>" for f in flags)
    foot = f'<p class="flag-foot">{e(footer)}</p>' if footer else ""
    mark = {"stop": "!", "caution": "!", "info": "i"}[level]
    return (
        f'<section class="flag flag-{level}" aria-label="{e(title)}">'
        f'<h2 class="flag-title"><span class="flag-mark" aria-hidden="true">{mark}</span>{e(title)}</h2>'
        f'<ul class="flag-list">{items}</ul>{foot}</section>'
    )


def option_card(content: Content, option_id: str, t: Words, heading: str = "") -> str:
    opt = content.options[option_id]
    colour = OPTION_COLOURS.get(option_id, "#333")
    head = f'<p class="card-kicker">{e(heading)}</p>' if heading else ""
    return (
        f'<div class="opt-card" style="border-color:{colour}">{head}'
        f'<p class="opt-name" style="color:{colour}">{e(t.of(opt.name))}</p>'
        f'<p class="opt-summary">{e(t.of(opt.summary))}</p></div>'
    )


def lean_box(result: Result, t: Words, unanswered: int = 0, notes: bool = True) -> str:
    lean = result.lean
    colour = OPTION_COLOURS.get(lean.option or "", "#3b4452")
    parts = [f'<div class="lean" style="border-color:{colour}"><p class="lean-text">{e(lean_sentence(result, t))}</p>']
    if lean.option != "no_needling":
        words = {"strong": t("strength_strong"), "slight": t("strength_slight"), "none": t("strength_none")}
        lit = {"strong": 2, "slight": 1, "none": 0}[lean.strength]
        dots = "".join(
            f'<span class="meter-dot{" on" if i < lit else ""}" style="{f"background:{colour}" if i < lit else ""}"></span>'
            for i in range(2)
        )
        parts.append(
            f'<p class="strength"><span class="strength-label">{e(t("strength_label"))}</span> '
            f'<span class="meter" aria-hidden="true">{dots}</span> '
            f"<strong>{e(words[lean.strength])}</strong></p>"
        )
    if notes and lean.option != "no_needling":
        parts.append(f'<p class="lean-note">{e(t("not_a_prescription"))}</p>')
    if unanswered:
        note = t("unanswered_note_one") if unanswered == 1 else t("unanswered_note", n=unanswered)
        parts.append(f'<p class="lean-note">{e(note)}</p>')
    parts.append("</div>")
    return "".join(parts)


def score_changes(before: Result, after: Result, t: Words) -> str:
    """ "IMS (dry needling): 12 → 10 points" for each scored option."""
    items = []
    for option in before.options:
        a, b = option.score, after.option(option.option).score
        pts = t("point_one") if b == 1 else t("points", n=b)
        colour = OPTION_COLOURS.get(option.option, "#333")
        items.append(f'<li><strong style="color:{colour}">{e(t.option(option.option))}</strong>: {a} → {e(pts)}</li>')
    return f'<ul class="changes">{"".join(items)}</ul>'


def seesaw(result: Result, t: Words) -> str:
    """The balance picture with each option's total under its end."""
    left, right = "ims", "acupuncture"
    lp, rp = result.option(left).score, result.option(right).score

    def pts(n: int) -> str:
        return t("point_one") if n == 1 else t("points", n=n)

    alt = t("seesaw_alt", left=t.option(left), left_points=pts(lp), right=t.option(right), right_points=pts(rp))
    img = svg_image(seesaw_svg(lp, rp, OPTION_COLOURS[left], OPTION_COLOURS[right]), alt, "seesaw-img")
    return (
        f'<div class="seesaw">{img}<div class="seesaw-labels" aria-hidden="true">'
        f'<span style="color:{OPTION_COLOURS[left]}"><strong>{e(t.option(left))}</strong><br>{e(pts(lp))}</span>'
        f'<span class="right" style="color:{OPTION_COLOURS[right]}"><strong>{e(t.option(right))}</strong><br>'
        f"{e(pts(rp))}</span></div></div>"
    )


@_per_content_and_language
def comparison_row(row: Row, option_ids: Sequence[str], t: Words) -> str:
    cells = []
    for oid in option_ids:
        cell = row.cells.get(oid)
        if cell is None:
            continue
        colour = OPTION_COLOURS.get(oid, "#333")
        caveat = (
            f'<p class="cmp-caveat"><strong>{e(t("caveat_label"))}</strong> {e(t.of(cell.caveat))}</p>'
            if cell.caveat
            else ""
        )
        cells.append(
            f'<div class="cmp-cell" style="border-color:{colour}">'
            f'<p class="cmp-opt" style="color:{colour}">{e(t.option(oid))}</p>'
            f'<p class="cmp-text">{e(t.of(cell.text))}</p>{caveat}</div>'
        )
    return f'<h3 class="cmp-q">{e(t.of(row.question))}</h3><div class="cmp-cells">{"".join(cells)}</div>'


@_per_content_and_language
def comparison_sources(row: Row, option_ids: Sequence[str], t: Words) -> str:
    """Each option's sources and review date, as plain text (no links away from the kiosk)."""
    blocks = []
    for oid in option_ids:
        cell = row.cells.get(oid)
        if cell is None:
            continue
        items = "".join(
            f"<li>{e(s.title)}{' ' + e(t('not_rechecked')) if s.unverified else ''}</li>" for s in cell.source
        )
        blocks.append(
            f'<p class="src-opt">{e(t.option(oid))}</p><ul class="src-list">{items}</ul>'
            f'<p class="src-date">{e(t("checked_on", date=t.date(cell.reviewed_on)))}</p>'
        )
    return f'<div class="sources">{"".join(blocks)}</div>'


@_per_content_and_language
def side_effects(content: Content, option_ids: Sequence[str], t: Words) -> str:
    """One block per side effect: an icon array per option, all out of 1,000."""
    blocks: list[str] = []
    for row in content.comparison:
        found: dict[str, dict[str, object]] = {}
        order: list[str] = []
        per = None
        for oid in option_ids:
            cell = row.cells.get(oid)
            for fr in cell.frequencies if cell else ():
                if fr.id not in found:
                    found[fr.id] = {}
                    order.append(fr.id)
                found[fr.id][oid] = fr
                per = fr.per
        if not order:
            continue
        intro = t("icons_intro_patients") if per == "patients" else t("icons_intro_treatments")
        blocks.append(f'<p class="icons-intro">{e(intro)}</p>')
        for fid in order:
            figures = []
            label = ""
            for oid, fr in found[fid].items():
                label = t.of(fr.label)
                n = t.number(fr.per_1000)
                count = t("freq_patients", n=n) if fr.per == "patients" else t("freq_treatments", n=n)
                colour = OPTION_COLOURS.get(oid, "#333")
                alt = f"{t.option(oid)}: {label}, {count}"
                figures.append(
                    f'<figure class="icons-fig"><figcaption><span class="icons-opt" style="color:{colour}">'
                    f"{e(t.option(oid))}</span><br><strong>{e(count)}</strong></figcaption>"
                    f"{svg_image(icon_array_svg(fr.per_1000, colour), alt, 'icon-array')}</figure>"
                )
            blocks.append(f'<h3 class="icons-label">{e(label)}</h3><div class="icons-grid">{"".join(figures)}</div>')
        without = [oid for oid in option_ids if oid not in {o for f in found.values() for o in f}]
        for oid in without:
            if oid == "no_needling":
                blocks.append(f'<p class="icons-none">{e(t("no_needles_no_needle_effects", option=t.option(oid)))}</p>')
    return "".join(blocks)
