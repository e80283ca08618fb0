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
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import wraps

from decision import contract
from decision.content import Content
from decision.engine import RaisedFlag, Result
from decision.models import Cell, Row
from decision.wording import Wording
from ui.charts import OPTION_COLOURS, OPTION_TINTS, denominator, icon_array_svg, seesaw_svg, svg_image
from ui.words import Words

e = html.escape

# ------------------------------------------------------------------ cache (content and language only)

_CACHE: dict[tuple, str] = {}
_CACHE_MAX = 256
_LOCK = threading.Lock()


def per_content_and_language(fn: Callable[..., str]) -> Callable[..., str]:
    """Cache HTML built from the content alone, keyed by content version and language.

    The wrapped function's first argument is a Content or a Row, its last positional
    argument a :class:`Words`; the other arguments must be hashable content ids.
    """

    @wraps(fn)
    def cached(*args):
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


def wording(t: Words) -> Wording:
    return Wording(t.content, t.lang)


# ------------------------------------------------------------------ what moved each step


@dataclass(frozen=True)
class Push:
    """One answer that moved a step: its reason, which way, and by how much."""

    reason: str
    toward: str  # a target id
    points: int  # counted, after the topic cap
    full_points: int = 0  # what the rule gives
    question: str = ""
    answer: str = ""

    @property
    def capped(self) -> bool:
        return self.points < self.full_points


STEPS = {"step1": contract.STEP1, "step2": contract.STEP2}


def step_pushes(result: Result, step: str, lang: str, order: Sequence[str] = ()) -> list[Push]:
    """The answers behind one step, from the result's contributions.

    Per rule: the first target's points minus the second's (so a rule that gave both
    sides counts once, by its net push). A contribution the topic cap cut to nothing
    is still listed, so the patient sees that the answer was counted only once.
    """
    first, second = STEPS[step]
    net: dict[str, int] = {}
    full: dict[str, int] = {}
    seen: dict[str, tuple] = {}
    for option in result.options:
        if option.target not in (first, second):
            continue
        sign = 1 if option.target == first else -1
        for c in option.contributions:
            rid = c.rule.id
            net[rid] = net.get(rid, 0) + sign * c.points
            full[rid] = full.get(rid, 0) + sign * c.full_points
            seen.setdefault(rid, (c, option.target))
    position = {qid: i for i, qid in enumerate(order)}
    ids = sorted(seen, key=lambda rid: position.get(seen[rid][0].question, len(position)))
    pushes = []
    for rid in ids:
        c, _ = seen[rid]
        n, f = net[rid], full[rid]
        if n == 0 and f == 0:
            continue
        toward = first if (n or f) > 0 else second
        pushes.append(Push(c.rule.reason.get(lang), toward, abs(n), abs(f), c.question, c.answer))
    return pushes


# ------------------------------------------------------------------ flags and safety lines


def flag_panels(result: Result, t: Words) -> str:
    """A red panel for stop flags and an amber one for cautions. Empty when neither."""
    parts: list[str] = []
    stops = result.flags_at("stop")
    if stops:
        stopped = [o for o in contract.NEEDLE_OPTIONS if o in {x for f in stops for x in f.flag.options}]
        if result.lean.stopped or len(stopped) != 1:
            title = t("stop_title_all")
        else:
            title = t("stop_title_one", option=t.option(stopped[0]))
        parts.append(_panel("stop", title, stops, t, footer=t("stop_talk")))
    cautions = result.flags_at("caution")
    if cautions:
        parts.append(_panel("caution", t("caution_title"), cautions, t))
    return "".join(parts)


def _panel(level: str, title: str, flags: Sequence[RaisedFlag], t: Words, footer: str = "") -> str:
    items = "".join(f"<li>{e(t.of(f.flag.message))}</li>" for f in flags)
    foot = f'<p class="flag-foot">{e(footer)}</p>' if footer else ""
    return (
        f'<section class="flag flag-{level}" aria-label="{e(title)}">'
        f'<h2 class="flag-title"><span class="flag-mark" aria-hidden="true">!</span>{e(title)}</h2>'
        f'<ul class="flag-list">{items}</ul>{foot}</section>'
    )


def safety_lines(result: Result, t: Words) -> str:
    """Skipped safety questions and notes for the physiotherapist: one quiet line each,
    with the details one tap away. "No flags" only when nothing was raised."""
    w = wording(t)
    skipped = [f for f in result.flags if f.skipped]
    notes = [f for f in result.flags if f.level == "info" and not f.skipped]
    behind = {}
    if skipped:
        behind[w.plural("safety_skipped", len(skipped))] = skipped
    if notes:
        behind[w.plural("info_notes", len(notes))] = notes
    parts = []
    for line in w.safety_summary(result):
        flags = behind.get(line)
        if flags:
            items = "".join(f"<li>{e(t.of(f.flag.message))}</li>" for f in flags)
            parts.append(
                f'<details class="note-line"><summary><span class="note-mark" aria-hidden="true">i</span>'
                f'{e(line)}</summary><ul class="note-list">{items}</ul></details>'
            )
        else:
            parts.append(f'<p class="note-line plain">{e(line)}</p>')
    return f'<div class="notes">{"".join(parts)}</div>' if parts else ""


# ------------------------------------------------------------------ the two steps


def _step_colour(option: str | None) -> str:
    return OPTION_COLOURS.get(option or "", "#4a5566")


def lean_sentence(result: Result, t: Words) -> str:
    """The first thing the patient reads about the decision: step 1's sentence."""
    return wording(t).lean_lines(result)[0][1]


def steps_html(result: Result, t: Words) -> str:
    """The decision in two steps (Wording.lean_lines), each with "you decide"."""
    lean = result.lean
    options = [lean.step1.option if not lean.stopped else "no_needling", lean.step2.option]
    parts = []
    for i, (title, sentence) in enumerate(wording(t).lean_lines(result)):
        if not title:
            parts.append(f'<p class="step-note" role="note">{e(sentence)}</p>')
            continue
        colour = _step_colour(options[i] if i < len(options) else None)
        parts.append(
            f'<section class="step" style="border-color:{colour}" aria-label="{e(title)}">'
            f'<h2 class="step-title">{e(title)}</h2><p class="step-text">{e(sentence)}</p></section>'
        )
    return f'<div class="steps">{"".join(parts)}</div>'


def _push_item(p: Push, w: Wording, reason: bool) -> str:
    said = w.t("why_answer", question=w.question_label(p.question), answer=w.answer_text(p.question, p.answer))
    pts = w.contribution_points(p.points, p.full_points)
    cls = "ss-item" if reason else "s1-item"
    if not reason:
        return f'<li class="{cls}"><span class="why-said">{e(said)}</span> · <span class="why-pts">{e(pts)}</span></li>'
    return (
        f'<li><details class="{cls}"><summary><span class="why-said">{e(said)}</span> · '
        f'<span class="why-pts">{e(pts)}</span></summary><p class="why-reason">{e(p.reason)}</p></details></li>'
    )


def _columns(pushes: list[Push], sides: tuple[str, str], totals: dict[str, int], w: Wording, reason: bool) -> str:
    """One column per side with answers; a side with none gets one line instead."""
    cols, empty = [], []
    for side in sides:
        mine = [p for p in pushes if p.toward == side]
        head = f"{w.t('toward', option=w.option_name(side))} · {w.points(totals[side])}"
        if not mine:
            line = w.t("why_answer", question=head, answer=w.t("why_none"))
            empty.append(f'<p class="why-empty">{e(line)}</p>')
            continue
        items = "".join(_push_item(p, w, reason) for p in mine)
        cols.append(
            f'<div class="why-col" style="border-color:{OPTION_COLOURS[side]}">'
            f'<p class="why-head" style="color:{OPTION_COLOURS[side]}">{e(head)}</p>'
            f'<ul class="why-list">{items}</ul></div>'
        )
    grid = f'<div class="why-cols{" one" if len(cols) == 1 else ""}">{"".join(cols)}</div>' if cols else ""
    return grid + "".join(empty)


def step1_why(result: Result, t: Words, order: Sequence[str] = ()) -> str:
    """The answers behind step 1 (needles or not), with each side's points."""
    w = wording(t)
    pushes = step_pushes(result, "step1", t.lang, order)
    totals = {o.target: o.score for o in result.options}
    wish = f'<p class="help">{e(w.t("why_step1_wish"))}</p>' if result.lean.wish else ""
    answers = (
        _columns(pushes, contract.STEP1, totals, w, reason=False)
        if pushes
        else f'<p class="why-empty">{e(w.t("why_step1_none"))}</p>'
    )
    return f'<h3 class="why-title">{e(w.t("step1_title"))}</h3>{wish}{answers}'


def seesaw(result: Result, t: Words) -> str:
    """The balance picture for step 2 with each option's total under its end."""
    w = wording(t)
    left, right = contract.STEP2
    lp, rp = result.option(left).score, result.option(right).score
    alt = t(
        "seesaw_alt", left=t.option(left), left_points=w.points(lp), right=t.option(right), right_points=w.points(rp)
    )
    img = svg_image(seesaw_svg(lp, rp, OPTION_COLOURS[left], OPTION_COLOURS[right]), alt, "seesaw-img")
    return (
        f'<div class="seesaw">{img}<div class="seesaw-labels" aria-hidden="true">'
        f'<span style="color:{OPTION_COLOURS[left]}"><strong>{e(t.option(left))}</strong><br>{e(w.points(lp))}</span>'
        f'<span class="right" style="color:{OPTION_COLOURS[right]}"><strong>{e(t.option(right))}</strong><br>'
        f"{e(w.points(rp))}</span></div></div>"
    )


def step2_why(result: Result, t: Words, order: Sequence[str] = ()) -> str:
    """The see-saw for step 2 and the answers on each side; each reason one tap away."""
    w = wording(t)
    pushes = step_pushes(result, "step2", t.lang, order)
    totals = {o.target: o.score for o in result.options}
    answers = _columns(pushes, contract.STEP2, totals, w, reason=True)
    if pushes:  # the picture first; the answers behind it one tap away
        answers = f'<details class="why-more"><summary>{e(w.t("why_show_answers"))}</summary>{answers}</details>'
    return f'<h3 class="why-title">{e(w.t("step2_title"))}</h3>{seesaw(result, t)}{answers}'


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

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
SHORT_MAX_WORDS = 25
SHORT_MIN_WORDS = 6


def words_in(text: str) -> int:
    return len(_WORD.findall(text))


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
def option_grid(content: Content, option_ids: tuple[str, ...], t: Words) -> str:
    """Three columns (one per option), one row per question people ask, read across.

    Each cell is a short answer ending in "More": a tap anywhere on it opens the full
    text, the caveat, the sources and the review date (a <details>, no script)."""
    head = "".join(
        f'<div class="og-h" style="background:{OPTION_COLOURS[o]}">{e(t.option(o))}</div>' for o in option_ids
    )
    rows = []
    for row in content.comparison:
        cells = []
        for oid in option_ids:
            cell = row.cells.get(oid)
            if cell is None:
                cells.append('<div class="og-cell og-empty"></div>')
                continue
            short = cell_short(cell, t.lang)
            name = t.option(oid)
            cells.append(
                f'<div class="og-cell" style="border-color:{OPTION_COLOURS[oid]};background:{OPTION_TINTS[oid]}">'
                f'<p class="og-opt" style="color:{OPTION_COLOURS[oid]}">{e(name)}</p>'
                f'<details class="og-more"><summary><span class="og-short">{e(short)}</span> '
                f'<span class="og-more-label">{e(t("grid_more"))}</span></summary>'
                f"{_cell_more(content, cell, t, short)}</details></div>"
            )
        rows.append(
            f'<section class="og-row" aria-label="{e(t.of(row.question))}">'
            f'<h3 class="og-q">{e(t.of(row.question))}</h3><div class="og-cells">{"".join(cells)}</div></section>'
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


def _effect_figure(oid: str, fr, total: int, t: Words) -> str:
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


@per_content_and_language
def side_effects(content: Content, option_ids: tuple[str, ...], t: Words) -> str:
    """Icon arrays a patient can count, with both framings in words beside them.

    Out of 100 when every figure of a side effect is a whole number out of 100, else
    out of 1,000 (:func:`ui.charts.denominator`); one denominator for both needle
    options. The most common side effect is shown; the others are one tap away.
    """
    effects: list[tuple[str, str, dict[str, object]]] = []  # (frequency id, label, {option: Frequency})
    notes: list[str] = []
    for row in content.comparison:
        found: dict[str, dict[str, object]] = {}
        labels: dict[str, str] = {}
        for oid in option_ids:
            cell = row.cells.get(oid)
            for fr in cell.frequencies if cell else ():
                found.setdefault(fr.id, {})[oid] = fr
                labels.setdefault(fr.id, t.of(fr.label))
        if not found:
            continue
        effects.extend((fid, labels[fid], found[fid]) for fid in found)
        with_numbers = [row.cells[o] for o in option_ids if o in row.cells and row.cells[o].frequencies]
        if len({tuple(sorted(c.source)) for c in with_numbers}) > 1:
            notes.append(t("icons_counted_differently"))
    if not effects:
        return ""
    effects.sort(key=lambda eff: -max(fr.per_1000 for fr in eff[2].values()))
    pers = {fr.per for eff in effects for fr in eff[2].values()}

    def block(fid: str, label: str, by_option: dict[str, object]) -> str:
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
        if o == "no_needling"
    ]
    return "".join(parts)
