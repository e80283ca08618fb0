"""What the patient's result screen shows, as plain data: no Streamlit, no HTML.

``present(content, result, lang)`` turns an engine result into the pieces the
result screen lays out, top to bottom: the flag panels (one caution per concern),
the quiet and the cautious lines (questions skipped, safety questions skipped,
notes for the physiotherapist), the two steps with the answers behind each step in
words (never points: the numbers stay in the clinician view), step 2 for another
day after a stop that passes, and the Option Grid's rows in the order shown, the
default ones first. ``ui/panels.py`` only turns this into HTML, and
``ui/reading_time.py`` counts its words.

Contract version 3: the lean holds every cap; step 2 is gone after a stop
(``Lean.step2_later`` keeps it for another day after a stop that passes); the
patient reads ``Result.patient_flags`` (one caution per concern) and the
context-cap lines (``Wording.cap_lines``) right under step 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from decision import contract
from decision.content import Content
from decision.engine import Contribution, RaisedFlag, Result, text_in
from decision.wording import Wording

# The grid rows patients ask first (the clinical review, section 7), shown by default
# when the content does not mark them itself (a row's ``shown: default|more``).
DEFAULT_ROWS = ("what_it_is", "during", "after", "side_effects", "serious_harms", "helped")


@dataclass(frozen=True)
class Reason:
    """One answer behind a step, in words."""

    question: str  # question id
    said: str  # "Wants needles: Yes"
    why: str  # the rule's reason, one tap away
    toward: str  # the target it points to


@dataclass(frozen=True)
class Side:
    """The answers that point toward one side of a step."""

    target: str
    heading: str  # "Your answers that point toward IMS (dry needling)"
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class StepView:
    key: Literal["step1", "step2"]
    title: str
    sentence: str
    option: str | None  # which option the step leans to (for its colour), None for none
    sides: tuple[Side, ...]  # only the sides with answers
    empty: str = ""  # the line when no answer moved this step
    notes: tuple[str, ...] = ()  # plain lines right under the step (context caps)


@dataclass(frozen=True)
class FlagPanel:
    level: Literal["stop", "caution"]
    title: str
    messages: tuple[str, ...]
    footer: str = ""


@dataclass(frozen=True)
class NoteLine:
    """One line outside the panels; ``caution`` lines are amber, ``info`` lines quiet."""

    level: Literal["caution", "info"]
    text: str
    details: tuple[str, ...] = ()  # one tap away


@dataclass(frozen=True)
class ResultView:
    panels: tuple[FlagPanel, ...]
    lines: tuple[NoteLine, ...]
    steps: tuple[StepView, ...]  # step 2 is absent after a stop
    later: StepView | None  # step 2 "for another day" (a stop that passes), folded
    worry: str  # the very anxious line, when no panel says it already
    stopped: bool
    fold_needles: bool  # wants_needles: no, or a stop: needle detail one tap away
    grid_rows: tuple[str, ...]  # row ids shown by default, in order
    more_rows: tuple[str, ...]  # row ids behind "More questions"
    skipped_questions: int
    skipped_safety: int


# ------------------------------------------------------------------ the answers behind a step


def reasons(result: Result, step: Literal["step1", "step2"], w: Wording, order: Sequence[str] = ()) -> list[Reason]:
    """Each rule's net push between the step's two targets, in question order.

    A rule that gave both sides counts once, toward the side it gave more; a rule the
    topic cap cut to nothing still shows (the answer was heard, counted once).
    """
    first, second = contract.STEP1 if step == "step1" else contract.STEP2
    net: dict[str, int] = {}
    full: dict[str, int] = {}
    seen: dict[str, Contribution] = {}
    for option in result.options:
        if option.target not in (first, second):
            continue
        sign = 1 if option.target == first else -1
        for c in option.contributions:
            net[c.rule] = net.get(c.rule, 0) + sign * c.points
            full[c.rule] = full.get(c.rule, 0) + sign * c.full_points
            seen.setdefault(c.rule, c)
    position = {qid: i for i, qid in enumerate(order)}
    out = []
    for rid in sorted(seen, key=lambda r: position.get(seen[r].question, len(position))):
        n, f = net[rid], full[rid]
        if n == 0 and f == 0:
            continue
        c = seen[rid]
        said = w.t("why_answer", question=w.question_label(c.question), answer=w.answer_text(c.question, c.answer))
        out.append(Reason(c.question, said, text_in(c.reason, w.lang), first if (n or f) > 0 else second))
    return out


def _sides(found: list[Reason], targets: tuple[str, str], w: Wording) -> tuple[Side, ...]:
    sides = []
    for target in targets:
        mine = tuple(r for r in found if r.toward == target)
        if mine:
            sides.append(Side(target, w.t("why_toward", option=w.option_in_text(target)), mine))
    return tuple(sides)


# ------------------------------------------------------------------ flags


def _patient_flags(result: Result) -> tuple[RaisedFlag, ...]:
    """One caution per concern: the engine's list (a flag that replaces others hides them)."""
    return result.patient_flags or result.flags


def flag_panels(result: Result, w: Wording) -> tuple[FlagPanel, ...]:
    flags = _patient_flags(result)
    panels = []
    stops = [f for f in flags if f.level == "stop"]
    if stops:
        stopped = {o for f in stops for o in f.options}
        one = [o for o in contract.NEEDLE_OPTIONS if o in stopped]
        title = (
            w.t("stop_title_one", option=w.option_name(one[0]))
            if not result.lean.stopped and len(one) == 1
            else w.t("stop_title_all")
        )
        panels.append(FlagPanel("stop", title, _unique(w.flag_message(f) for f in stops), w.t("stop_talk")))
    cautions = [f for f in flags if f.level == "caution"]
    if cautions:
        panels.append(FlagPanel("caution", w.t("caution_title"), _unique(w.flag_message(f) for f in cautions)))
    return tuple(panels)


def _unique(texts: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(texts))


def note_lines(result: Result, content: Content, w: Wording) -> tuple[NoteLine, ...]:
    """Skipped safety questions read as a caution; skipped questions and notes are quiet lines."""
    lines = []
    skipped_safety = [f for f in result.flags if f.skipped]
    if skipped_safety:
        names = _unique(w.question_label(f.question) for f in skipped_safety)
        lines.append(NoteLine("caution", w.plural("safety_skipped", len(names)), names))
    skipped = skipped_questions(result, content)
    if skipped:
        lines.append(NoteLine("info", w.plural("questions_skipped", skipped)))
    notes = [f for f in _patient_flags(result) if f.level == "info" and not f.skipped]
    if notes:
        lines.append(NoteLine("info", w.plural("info_notes", len(notes)), _unique(w.flag_message(f) for f in notes)))
    if not result.flags and not skipped:
        lines.append(NoteLine("info", w.t("no_flags")))
    return tuple(lines)


def skipped_questions(result: Result, content: Content) -> int:
    asked = {q.id for q in content.questions_of_kind("questions")}
    return sum(1 for qid in result.unanswered if qid in asked)


# ------------------------------------------------------------------ the two steps


def steps(result: Result, w: Wording, order: Sequence[str] = ()) -> tuple[tuple[StepView, ...], StepView | None]:
    """The steps as :meth:`Wording.lean_lines` words them (one after a stop, with no
    "you decide"), the context-cap lines right under step 2, and step 2 "for another
    day" when the engine keeps it (after a stop that passes, never after panic or fainting)."""
    lean = result.lean
    lines = dict(w.lean_lines(result))
    step1_title, step2_title = w.t("step1_title"), w.t("step2_title")
    found1 = reasons(result, "step1", w, order)
    step1 = StepView(
        "step1",
        step1_title,
        lines[step1_title],
        "no_needling" if lean.stopped else lean.step1.option,
        _sides(found1, contract.STEP1, w),
        "" if found1 or lean.stopped else w.t("why_step1_none"),
    )
    found2 = reasons(result, "step2", w, order)
    sides2 = _sides(found2, contract.STEP2, w)
    if lean.stopped:
        later = None
        if lean.step2_later is not None:
            later = StepView("step2", w.t("step2_later_title"), w.step2_later(lean), lean.step2_later.option, sides2)
        return (step1,), later
    step2 = StepView(
        "step2",
        step2_title,
        lines.get(step2_title, ""),
        lean.step2.option,
        sides2,
        "" if found2 else w.t("no_reasons"),
        tuple(w.cap_lines(result)),
    )
    return (step1, step2), None


# ------------------------------------------------------------------ the grid


def grid_rows(content: Content) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(rows shown by default, rows behind "More questions"), each in content order."""
    marked = {row.id: getattr(row, "shown", None) for row in content.comparison}
    if any(v is not None for v in marked.values()):
        default = tuple(rid for rid, v in marked.items() if v != "more")
    else:
        default = tuple(rid for rid in marked if rid in DEFAULT_ROWS)
        if not default:
            default = tuple(marked)
    return default, tuple(rid for rid in marked if rid not in default)


# ------------------------------------------------------------------ all of it


def present(content: Content, result: Result, lang: str, order: Sequence[str] = ()) -> ResultView:
    w = Wording(content, lang)
    lean = result.lean
    panels = flag_panels(result, w)
    shown_steps, later = steps(result, w, order)
    worry = ""
    if lean.very_anxious:
        said = {m for p in panels for m in p.messages}
        feelings = [f for f in _patient_flags(result) if f.question == contract.VERY_ANXIOUS[0]]
        if not any(w.flag_message(f) in said for f in feelings):
            worry = w.t("very_anxious_first")
    default, more = grid_rows(content)
    return ResultView(
        panels=panels,
        lines=note_lines(result, content, w),
        steps=shown_steps,
        later=later,
        worry=worry,
        stopped=lean.stopped,
        fold_needles=lean.stopped or lean.wish,
        grid_rows=default,
        more_rows=more,
        skipped_questions=skipped_questions(result, content),
        skipped_safety=len({f.question for f in result.flags if f.skipped}),
    )
