"""Pure scoring in two steps. ``score(content, answers)`` is deterministic and order-independent.

Step 1 sets "needles" (either kind) against "no_needling"; step 2 sets "ims"
against "acupuncture". Every rule names a topic, and one topic gives one target at
most ``topic_cap`` points, so the same fact never counts twice. The contributions
that make each target's score *are* the explanation: the app, the CLI, the PDF and
the clinician view only put them into words (:mod:`decision.wording`).

The result is the one result schema of :mod:`decision.result` (its types are
re-exported here): the same types a shared record is read back into.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import filterfalse
from operator import itemgetter
from typing import Any

from decision import contract
from decision.content import CompiledCap, Content
from decision.errors import AnswerError
from decision.loader import did_you_mean
from decision.result import (
    AppliedCap,
    Contribution,
    Lean,
    RaisedFlag,
    Result,
    Step,
    Strength,
    Sure,
    TargetScore,
    Texts,
    text_in,
)

__all__ = [
    "AnswerError",
    "AppliedCap",
    "Contribution",
    "Lean",
    "RaisedFlag",
    "Result",
    "Step",
    "Sure",
    "TargetScore",
    "Texts",
    "score",
    "text_in",
]

_position = itemgetter(0)  # sort (content position, item) pairs by position, in C


# ------------------------------------------------------------------ answers


def validate_answers(content: Content, answers: Any) -> dict[str, str]:
    """Check answers against the questionnaire; return a clean ``{id: code}`` dict.

    ``None`` values count as unanswered. Raises :class:`AnswerError` with one line
    naming the offending id and the valid choices.
    """
    if not isinstance(answers, Mapping):
        raise AnswerError(f"answers must be a mapping of question id to answer code, got {type(answers).__name__}")
    codes = content.codes
    fast: dict[str, str] = {}
    try:  # fast path: every answer valid (one pass, no generator)
        for qid, code in answers.items():
            if code is None:
                continue
            if code not in codes[qid]:
                break
            fast[qid] = code
        else:
            return fast
    except (KeyError, TypeError):
        pass
    clean: dict[str, str] = {}
    questions = content.questions
    for qid in sorted(answers, key=str):
        code = answers[qid]
        if not isinstance(qid, str) or qid not in questions:
            shown = _cut(str(qid))
            raise AnswerError(
                f"unknown question id '{shown}'{did_you_mean(shown, questions)}; valid ids: {', '.join(questions)}"
            )
        if code is None:
            continue
        q = questions[qid]
        if not isinstance(code, str):
            raise AnswerError(
                f"answer to '{qid}' must be one of the answer codes ({', '.join(q.codes)}), "
                f"got {type(code).__name__} {_cut(repr(code))}"
            )
        if q.answer(code) is None:
            shown = _cut(code)
            hint = did_you_mean(shown, q.codes)
            raise AnswerError(f"unknown answer code '{shown}' for '{qid}'{hint}; valid codes: {', '.join(q.codes)}")
        clean[qid] = code
    return clean


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------ scoring


def _strength(gap: int, content: Content) -> Strength:
    lean = content.meta.lean
    return "strong" if gap >= lean.strong else "slight" if gap >= lean.slight else "none"


def _compare(a: str, b: str, totals: Mapping[str, int], content: Content) -> Step:
    gap = totals[a] - totals[b]
    strength = _strength(abs(gap), content)
    return Step(None if strength == "none" else (a if gap > 0 else b), strength)


def _fired_rules(content: Content, answers: Mapping[str, str]) -> list[tuple[int, tuple[str, str]]]:
    """(rule position, the answer that fired it) for every rule that holds, in rule order."""
    compiled = content.compiled
    by_answer = compiled.rules_by_answer
    fired = [(i, item) for item in answers.items() for i in by_answer.get(item, ())]
    for i in compiled.other_rules:
        cr = compiled.rules[i]
        matched = cr.match(answers)
        if matched is not None:
            fired.append((i, matched[0] if matched else (cr.first_question, answers.get(cr.first_question, ""))))
    fired.sort(key=_position)
    return fired


def _targets(content: Content, answers: Mapping[str, str]) -> tuple[TargetScore, ...]:
    """Each target's score, with topic caps applied in rule order."""
    cap = content.meta.lean.topic_cap
    rules = content.compiled.rules
    used: dict[tuple[str, str], int] = {}
    totals = dict.fromkeys(contract.TARGETS, 0)
    contributions: dict[str, list[Contribution]] = {t: [] for t in contract.TARGETS}
    for i, (q, a) in _fired_rules(content, answers):
        cr = rules[i]
        rule = cr.rule
        topic = rule.topic
        for target, points in cr.points:
            key = (topic, target)
            before = used.get(key, 0)
            counted = points if before + points <= cap else max(0, cap - before)
            used[key] = before + counted
            totals[target] += counted
            contributions[target].append(Contribution(rule.id, q, a, topic, counted, points, cr.reason))
    return tuple(TargetScore(t, totals[t], tuple(contributions[t])) for t in contract.TARGETS)


def _flags(content: Content, answers: Mapping[str, str]) -> tuple[RaisedFlag, ...]:
    """The flags the answers raise, in order: the plain ones made once with the content."""
    compiled = content.compiled
    by_answer = compiled.flags_by_answer
    raised = [placed for item in answers.items() for placed in by_answer.get(item, ())]
    raised += [placed for question, placed in compiled.skipped_flags if question not in answers]
    flags = compiled.flags
    for i in compiled.other_flags:
        cf = flags[i]
        gate = cf.gate
        if gate is not None and answers.get(gate[0]) not in gate[1]:
            continue
        matched = cf.match(answers)
        if matched is not None:
            q, a = matched[0] if matched else (cf.questions[0], None)
            raised.append((cf.order, cf.raised(q, a)))
    raised.sort(key=_position)
    return tuple([f for _, f in raised])


_NONE = Step(None, "none")
_NO_NEEDLES = Step("no_needling", "strong")  # the patient's own wish, or every needling option stopped
_ANXIOUS_FLOOR = Step(*contract.VERY_ANXIOUS_STEP1_FLOOR)  # type: ignore[arg-type]
_RANK = {name: i for i, name in enumerate(contract.STRENGTH_ORDER)}


def _stops(flags: tuple[RaisedFlag, ...]) -> tuple[list[RaisedFlag], tuple[str, ...]]:
    """The stop flags raised, and the needling options they stop (contract order)."""
    stops = [f for f in flags if f.level == "stop"]
    stopped = {o for f in stops for o in f.options}
    return stops, tuple(o for o in contract.NEEDLE_OPTIONS if o in stopped)


def _step1(totals: Mapping[str, int], content: Content, enough: bool, anxious: bool, wish: bool) -> Step:
    """Step 1, needles or not. The patient's own wish decides it, whatever else was
    answered; a lean away from needles is said as it is; otherwise a very anxious patient
    leans at least slightly away (the worry outweighs a wish for needles), and with too
    few answers there is nothing to compare."""
    if wish:
        return _NO_NEEDLES
    step1 = _compare("needles", "no_needling", totals, content)
    if step1.option == "no_needling":
        return step1
    if anxious:
        return _ANXIOUS_FLOOR
    return step1 if enough else _NONE


def _step2(totals: Mapping[str, int], content: Content, enough: bool, stopped_options: tuple[str, ...]) -> Step:
    """Step 2, which needles, before any cap: with one needling option stopped, the other
    is the only one left (at least a slight lean to it)."""
    step2 = _compare("ims", "acupuncture", totals, content) if enough else _NONE
    if len(stopped_options) != 1:
        return step2
    (open_option,) = [o for o in contract.NEEDLE_OPTIONS if o not in stopped_options]
    return Step(open_option, step2.strength if step2.option == open_option else "slight")


def _caps_that_hold(content: Content, answers: Mapping[str, str]) -> tuple[CompiledCap, ...]:
    """The context caps whose condition holds, in content order."""
    caps: tuple[CompiledCap, ...] = ()
    for c in content.compiled.caps:  # a plain loop: most answer sets pass no cap's gate
        gate = c.gate
        if (gate is None or answers.get(gate[0]) in gate[1]) and c.match(answers) is not None:
            caps += (c,)
    return caps


def _at_most(step: Step, limits: Mapping[str, str]) -> Step:
    """The step with its lean toward each named option cut to the limit given."""
    limit = limits.get(step.option or "")
    if limit is None or _RANK[step.strength] <= _RANK[limit]:
        return step
    return _NONE if limit == "none" else Step(step.option, limit)  # type: ignore[arg-type]


def _capped_step2(
    step2: Step, caps: tuple[CompiledCap, ...], anxious: bool
) -> tuple[Step, tuple[AppliedCap, ...], str | None]:
    """Step 2 with every cap applied (the context caps, then the very anxious rule), the
    caps that hold, and the option whose lean a cap removed entirely (None when the lean
    was only weakened, or not touched)."""
    raw = step2
    applied = []
    for c in caps:
        at_most = c.cap.at_most
        cut = _at_most(step2, at_most)
        applied.append(AppliedCap(c.cap.id, at_most, cut != step2, c.line))
        step2 = cut
    if anxious:
        step2 = _at_most(step2, contract.VERY_ANXIOUS_STEP2_CAPS)
    removed = raw.option if raw.option is not None and step2.option is None else None
    return step2, tuple(applied), removed


def _later(step2: Step, enough: bool, stops: list[RaisedFlag], content: Content) -> Step | None:
    """Step 2 "for another day" after a stop of every needling option: only when every
    stop passes (unwell today, never panic or fainting) and enough was answered."""
    passing = content.compiled.passing
    return step2 if enough and all(f.id in passing for f in stops) else None


def _final(step1: Step, step2: Step) -> tuple[str | None, Strength, bool]:
    """The final lean and whether it is said "If you choose needles": a step 1 lean away
    from needles is the final; otherwise step 2 is, conditional when step 1 has no lean."""
    if step1.option == "no_needling":
        return "no_needling", step1.strength, False
    return step2.option, step2.strength, step2.option is not None and step1.option is None


def _lean(
    content: Content, answers: Mapping[str, str], totals: Mapping[str, int], flags: tuple[RaisedFlag, ...]
) -> tuple[Lean, tuple[AppliedCap, ...]]:
    """The one lean, every cap applied, and the context caps that hold."""
    stops, stopped_options = _stops(flags)
    wish = answers.get(contract.NO_NEEDLES_WISH[0]) == contract.NO_NEEDLES_WISH[1]
    anxious = answers.get(contract.VERY_ANXIOUS[0]) == contract.VERY_ANXIOUS[1]
    enough = len(content.asked_ids.intersection(answers)) >= content.meta.lean.min_answered
    step2 = _step2(totals, content, enough, stopped_options)
    caps = _caps_that_hold(content, answers)
    applied: tuple[AppliedCap, ...] = ()
    removed = None
    if caps or anxious:
        step2, applied, removed = _capped_step2(step2, caps, anxious)
    if len(stopped_options) == len(contract.NEEDLE_OPTIONS):  # needling stopped: step 2 is not shown
        later = _later(step2, enough, stops, content)
        gone = removed if later is not None else None  # said "for another day" only
        lean = Lean(
            "no_needling", "strong", True, enough, _NO_NEEDLES, _NONE, stopped_options, wish, anxious,
            step2_later=later, step2_removed=gone,
        )  # fmt: skip
        return lean, applied
    step1 = _step1(totals, content, enough, anxious, wish)
    option, strength, conditional = _final(step1, step2)
    lean = Lean(
        option, strength, False, enough, step1, step2, stopped_options, wish, anxious, None, conditional, removed
    )
    return lean, applied


def _could_raise(gates: tuple[tuple[str, frozenset[str]], ...] | None, answers: Mapping[str, str]) -> bool:
    """False when no answer passes any of the gates (None: no gate, so maybe)."""
    if gates is None:
        return True
    for question, codes in gates:  # noqa: SIM110 (a plain loop: cheaper than any() over a generator here)
        if answers.get(question) in codes:
            return True
    return False


def _patient_flags(
    content: Content, answers: Mapping[str, str], flags: tuple[RaisedFlag, ...]
) -> tuple[RaisedFlag, ...]:
    """Every flag but those a raised flag replaces: the patient reads each worry once."""
    if not _could_raise(content.compiled.replaces_gates, answers):
        return flags
    replaces = content.compiled.replaces
    hidden = [rs for f in flags if (rs := replaces.get(f.id)) is not None]
    if not hidden:
        return flags
    gone = frozenset().union(*hidden)
    return tuple(f for f in flags if f.id not in gone)


def _sure(content: Content, answers: Mapping[str, str]) -> Sure | None:
    given = [qid for qid in content.sure_ids if qid in answers]
    if not given:
        return None
    yes = sum(1 for qid in given if answers[qid] == "yes")
    needs = tuple(need for qid, need in content.sure_needs if answers.get(qid) == "no")
    not_answered = tuple(qid for qid in content.sure_ids if qid not in answers)
    return Sure(yes, len(given), yes <= 3, needs, not_answered)


def score(content: Content, answers: Mapping[str, str]) -> Result:
    """Score both steps. Pure: same content and answers, same result.

    Safety answers only raise flags (the checks refuse rules on them). A ``stop``
    flag takes that option out of the lean; with every needling option stopped the
    lean is ``no_needling`` and step 2 is hidden. Safety in context (the content's
    context caps) and a very anxious answer cap step 2 here, once, for every surface.
    """
    answers = validate_answers(content, answers)
    options = _targets(content, answers)
    totals = {o.target: o.score for o in options}
    flags = _flags(content, answers)
    lean, caps = _lean(content, answers, totals, flags)
    if _could_raise(content.compiled.lean_gates, answers):  # a note about a lean: kept with a final lean it names
        gated = content.compiled.lean_gated
        if any(f.id in gated for f in flags):
            flags = tuple(f for f in flags if lean.option in gated.get(f.id, (lean.option,)))
    unanswered = tuple(filterfalse(answers.__contains__, content.questionnaire_ids))
    return Result(
        content.version,
        answers,
        options,
        lean,
        flags,
        _sure(content, answers),
        unanswered,
        caps,
        _patient_flags(content, answers, flags),
    )
