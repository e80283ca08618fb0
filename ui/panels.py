"""HTML for the result screen: flag panels, the two steps, the answers behind each
step, the Option Grid and the side-effect pictures. Pure functions returning
strings; every piece of text is escaped (content is trusted, but escaping costs
nothing). Sentences come from :class:`decision.wording.Wording` and content/ui.yaml.

Pieces that depend only on the content and the language (the grid, the side
effects) are built once per content version and language; nothing a patient
answered goes into that cache.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from decision.content import Content
from decision.contract import NO_NEEDLING
from decision.models import Cell, Frequency, Row
from decision.presentation import FlagPanel, ResultView, StepView
from ui.charts import OPTION_COLOURS, OPTION_TINTS, denominator, icon_array_svg, svg_image
from ui.words import Words

e = html.escape

# ------------------------------------------------------------------ cache (content and language only)

_CACHE: dict[tuple[object, ...], str] = {}
_CACHE_MAX = 256
_LOCK = threading.Lock()


def per_content_and_language(fn: Callable[..., str]) -> Callable[..., str]:
    """Cache HTML built from the content alone, keyed by content version and language.

    The wrapped function's first argument is a Content or a Row, its last positional
    argument a :class:`Words`; the other arguments must be hashable content ids.
    """

    @wraps(fn)
    def cached(*args: Any) -> str:
        t = args[-1]
        key = (fn.__name__, t.content.version, t.lang, *(_key_part(a) for a in args[:-1]))
        hit = _CACHE.get(key)
        if hit is not None:
            return hit
        out = fn(*args)
        with _LOCK:
            if len(_CACHE) >= _CACHE_MAX:
                _CACHE.clear()
            _CACHE[key] = out
        return out

    return cached


def _key_part(value: object) -> object:
    if isinstance(value, Content):
        return "content"  # its version is in the key already
    if isinstance(value, Row):
        return ("row", value.id)
    return tuple(value) if isinstance(value, list | tuple) else value


# ------------------------------------------------------------------ flags and lines (decision.presentation)


def flag_panels(view: ResultView) -> str:
    """A red panel for stop flags and an amber one for cautions. Empty when neither."""
    return "".join(_panel(p) for p in view.panels)


def _panel(p: FlagPanel) -> str:
    items = "".join(f"<li>{e(m)}</li>" for m in p.messages)
    foot = f'<p class="flag-foot">{e(p.footer)}</p>' if p.footer else ""
    return (
        f'<section class="flag flag-{p.level}" aria-label="{e(p.title)}">'
        f'<h2 class="flag-title"><span class="flag-mark" aria-hidden="true">!</span>{e(p.title)}</h2>'
        f'<ul class="flag-list">{items}</ul>{foot}</section>'
    )


def note_lines(view: ResultView) -> str:
    """Skipped safety questions as an amber line, the rest quiet; details one tap away."""
    parts = []
    for line in view.lines:
        mark = "!" if line.level == "caution" else "i"
        cls = f"note-line note-{line.level}"
        if line.details:
            items = "".join(f"<li>{e(d)}</li>" for d in line.details)
            parts.append(
                f'<details class="{cls}"><summary><span class="note-mark" aria-hidden="true">{mark}</span>'
                f'{e(line.text)}</summary><ul class="note-list">{items}</ul></details>'
            )
        else:
            parts.append(
                f'<p class="{cls} plain"><span class="note-mark" aria-hidden="true">{mark}</span>{e(line.text)}</p>'
            )
    return f'<div class="notes">{"".join(parts)}</div>' if parts else ""


# ------------------------------------------------------------------ the two steps


def _step_colour(option: str | None) -> str:
    return OPTION_COLOURS.get(option or "", "#4a5566")


def _behind(step: StepView, t: Words) -> str:
    """The answers behind one step, in words, one tap away: one column per side, the
    same picture for both steps, each answer's reason under the columns."""
    if not step.sides:
        return f'<p class="why-empty">{e(step.empty)}</p>' if step.empty else ""
    cols = []
    for side in step.sides:
        colour = _step_colour(side.target)
        items = "".join(f'<li class="why-said">{e(r.said)}</li>' for r in side.reasons)
        cols.append(
            f'<div class="why-col" style="border-color:{colour}">'
            f'<p class="why-head" style="color:{colour}">{e(side.heading)}</p><ul class="why-list">{items}</ul></div>'
        )
    why = "".join(f"<li>{e(r.why)}</li>" for side in step.sides for r in side.reasons)
    n = sum(len(side.reasons) for side in step.sides)
    return (
        f'<details class="why-more"><summary>{e(t("why_show_answers_n", n=n))}</summary>'
        f'<div class="why-cols{" one" if len(cols) == 1 else ""}">{"".join(cols)}</div>'
        f'<p class="why-reasons-title">{e(t("why_they_count"))}</p><ul class="why-reasons">{why}</ul></details>'
    )


def step_html(step: StepView, t: Words, *, behind: bool = True) -> str:
    notes = "".join(f'<p class="step-cap">{e(n)}</p>' for n in step.notes)
    more = _behind(step, t) if behind else ""
    return (
        f'<section class="step step-{step.key}" style="border-color:{_step_colour(step.option)}" '
        f'aria-label="{e(step.title)}"><h2 class="step-title">{e(step.title)}</h2>'
        f'<p class="step-text">{e(step.sentence)}</p>{notes}{more}</section>'
    )


def steps_html(view: ResultView, t: Words, *, behind: bool = True) -> str:
    """The decision in two steps (one after a stop), each with the answers behind it in words."""
    parts = [step_html(s, t, behind=behind) for s in view.steps]
    if view.worry:
        parts.append(f'<p class="step-note" role="note">{e(view.worry)}</p>')
    return f'<div class="steps">{"".join(parts)}</div>'


def later_html(view: ResultView, t: Words) -> str:
    """Step 2 after a stop that passes: folded, "for another day"."""
    if view.later is None:
        return ""
    return f'<details class="later"><summary>{e(view.later.title)}</summary>{step_html(view.later, t)}</details>'


def option_card(content: Content, option_id: str, t: Words, heading: str = "") -> str:
    opt = content.options[option_id]
    colour = OPTION_COLOURS.get(option_id, "#333")
    head = f'<p class="card-kicker">{e(heading)}</p>' if heading else ""
    return (
        f'<div class="opt-card" style="border-color:{colour}">{head}'
        f'<p class="opt-name" style="color:{colour}">{e(t.of(opt.name))}</p>'
        f'<p class="opt-summary">{e(t.of(opt.summary))}</p></div>'
    )


# ------------------------------------------------------------------ the Option Grid


def cell_short(cell: Cell, lang: str) -> str:
    """The cell's short answer for the grid (required by the content checks, 25 words at most)."""
    return cell.short.get(lang)


def _sources(content: Content, ids: Iterable[str]) -> list[str]:
    out = []
    for sid in ids:
        src = content.sources.get(sid)
        if src is None or src.unverified or src.kind == "internal":
            continue
        out.append(f"{src.title} ({src.year})" if src.year else src.title)
    return out


def _cell_more(content: Content, cell: Cell, t: Words, short: str) -> str:
    text = t.of(cell.text)
    body = f'<p class="og-full">{e(text)}</p>' if text.strip() != short.strip() else ""
    if cell.caveat:
        body += f'<p class="og-caveat"><strong>{e(t("caveat_label"))}</strong> {e(t.of(cell.caveat))}</p>'
    items = "".join(f"<li>{e(s)}</li>" for s in _sources(content, cell.source))
    if items:
        body += f'<p class="og-src-title">{e(t("sources"))}</p><ul class="og-src">{items}</ul>'
    body += f'<p class="og-date">{e(t("checked_on", date=t.date(cell.reviewed_on)))}</p>'
    return body


@per_content_and_language
def option_grid(content: Content, option_ids: tuple[str, ...], row_ids: tuple[str, ...], t: Words) -> str:
    """Three columns (one per option), one row per question people ask, read across.

    Each row shows the cells' short answers; its "More" opens under the row across
    the full width (a <details>, no script): each option's full text, caveat,
    sources and review date, in the cells' font size. ``row_ids`` picks the rows
    (all of them when empty), in content order.
    """
    head = "".join(
        f'<div class="og-h" style="background:{OPTION_COLOURS[o]}">{e(t.option(o))}</div>' for o in option_ids
    )
    rows = []
    for row in content.comparison:
        if row_ids and row.id not in row_ids:
            continue
        cells, more = [], []
        for oid in option_ids:
            cell = row.cells.get(oid)
            if cell is None:
                cells.append('<div class="og-cell og-empty"></div>')
                continue
            short = cell_short(cell, t.lang)
            name = t.option(oid)
            colour = OPTION_COLOURS[oid]
            cells.append(
                f'<div class="og-cell" style="border-color:{colour};background:{OPTION_TINTS[oid]}">'
                f'<p class="og-opt og-sr" style="color:{colour}">{e(name)}</p><p class="og-short">{e(short)}</p></div>'
            )
            more.append(
                f'<div class="og-detail" style="border-color:{colour}">'
                f'<p class="og-opt" style="color:{colour}">{e(name)}</p>{_cell_more(content, cell, t, short)}</div>'
            )
        question = t.of(row.question)
        rows.append(
            f'<section class="og-row" data-row="{e(row.id)}" aria-label="{e(question)}">'
            f'<h3 class="og-q">{e(question)}</h3><div class="og-cells">{"".join(cells)}</div>'
            f'<details class="og-more"><summary>{e(t("grid_more"))}</summary>'
            f'<div class="og-more-body">{"".join(more)}</div></details></section>'
        )
    return (
        f'<div class="og" data-columns="{len(option_ids)}"><div class="og-head" aria-hidden="true">{head}</div>'
        f"{''.join(rows)}</div>"
    )


# The clinician view shows one comparison row at a time, with its sources.


@per_content_and_language
def comparison_row(row: Row, option_ids: tuple[str, ...], t: Words) -> str:
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


@per_content_and_language
def comparison_sources(row: Row, option_ids: tuple[str, ...], t: Words) -> str:
    """Each option's sources and review date, as plain text (no links away from the kiosk)."""
    blocks = []
    for oid in option_ids:
        cell = row.cells.get(oid)
        if cell is None:
            continue
        items = "".join(f"<li>{e(s)}</li>" for s in _sources(t.content, cell.source))
        blocks.append(
            f'<p class="src-opt">{e(t.option(oid))}</p><ul class="src-list">{items}</ul>'
            f'<p class="src-date">{e(t("checked_on", date=t.date(cell.reviewed_on)))}</p>'
        )
    return f'<div class="sources">{"".join(blocks)}</div>'


# ------------------------------------------------------------------ side effects


def _effect_figure(oid: str, fr: Frequency, total: int, t: Words) -> str:
    colour = OPTION_COLOURS.get(oid, "#333")
    n = fr.per_1000 * total / 1000
    kind = "patients" if fr.per == "patients" else "treatments"
    had = t(f"icons_had_{kind}", n=t.number(n), total=t.number(total))
    did_not = t(f"icons_not_{kind}", rest=t.number(total - n))
    alt = f"{t.option(oid)}: {t.of(fr.label)}. {had} {did_not}"
    return (
        f'<figure class="icons-fig"><figcaption><span class="icons-opt" style="color:{colour}">'
        f'{e(t.option(oid))}</span><span class="icons-had">{e(had)}</span>'
        f'<span class="icons-not">{e(did_not)}</span></figcaption>'
        f"{svg_image(icon_array_svg(fr.per_1000, colour, total), alt, f'icon-array icons-{total}')}</figure>"
    )


Effect = tuple[str, str, dict[str, Frequency]]  # (frequency id, label, {option: Frequency})


def _frequencies(content: Content, option_ids: tuple[str, ...], t: Words) -> tuple[list[Effect], list[str]]:
    """Every side effect with numbers in the grid, by option, and a note for each row whose
    options' numbers come from different studies."""
    effects: list[Effect] = []
    notes: list[str] = []
    for row in content.comparison:
        found: dict[str, dict[str, Frequency]] = {}
        labels: dict[str, str] = {}
        for oid in option_ids:
            cell = row.cells.get(oid)
            for fr in cell.frequencies if cell else ():
                found.setdefault(fr.id, {})[oid] = fr
                labels.setdefault(fr.id, t.of(fr.label))
        effects.extend((fid, labels[fid], found[fid]) for fid in found)
        with_numbers = [row.cells[o] for o in option_ids if o in row.cells and row.cells[o].frequencies]
        if len({tuple(sorted(c.source)) for c in with_numbers}) > 1:
            notes.append(t("icons_counted_differently"))
    return effects, notes


@per_content_and_language
def side_effects(content: Content, option_ids: tuple[str, ...], t: Words) -> str:
    """Icon arrays a patient can count, with both framings in words beside them.

    Out of 100 when every figure of a side effect is a whole number out of 100, else
    out of 1,000 (:func:`ui.charts.denominator`); one denominator for both needle
    options. The most common side effect is shown; the others are one tap away.
    """
    effects, notes = _frequencies(content, option_ids, t)
    if not effects:
        return ""
    effects.sort(key=lambda eff: -max(fr.per_1000 for fr in eff[2].values()))
    pers = {fr.per for eff in effects for fr in eff[2].values()}

    def block(fid: str, label: str, by_option: dict[str, Frequency]) -> str:
        total = denominator(fr.per_1000 for fr in by_option.values())
        figs = "".join(_effect_figure(oid, fr, total, t) for oid, fr in by_option.items())
        return f'<h3 class="icons-label">{e(label)}</h3><div class="icons-grid">{figs}</div>'

    first, rest = effects[0], effects[1:]
    intro_key = "icons_intro_patients" if pers == {"patients"} else "icons_intro_treatments"
    parts = [f'<p class="icons-intro">{e(t(intro_key))}</p>', block(*first)]
    parts += [f'<p class="icons-note">{e(n)}</p>' for n in dict.fromkeys(notes)]
    if rest:
        names = ", ".join(label for _, label, _ in rest)
        parts.append(
            f'<details class="icons-more"><summary>{e(t("icons_more", effects=names))}</summary>'
            f"{''.join(block(*eff) for eff in rest)}</details>"
        )
    without = [o for o in option_ids if not any(o in eff[2] for eff in effects)]
    parts += [
        f'<p class="icons-none">{e(t("no_needles_no_needle_effects", option=t.option(o)))}</p>'
        for o in without
        if o == NO_NEEDLING
    ]
    return "".join(parts)
