"""Pure scoring in two steps. ``score(content, answers)`` is deterministic and order-independent.

Step 1 sets "needles" (either kind) against "no_needling"; step 2 sets "ims"
against "acupuncture". Every rule names a topic, and one topic gives one target at
most ``topic_cap`` points, so the same fact never counts twice. The contributions
that make each target's score *are* the explanation: the app, the CLI, the PDF and
the clinician view only put them into words (:mod:`decision.wording`).
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import filterfalse
from operator import itemgetter
from typing import Any, Literal, NamedTuple

from decision import contract
from decision.content import Content
from decision.errors import AnswerError
from decision.loader import did_you_mean
from decision.models import ContextCap, Flag, Rule

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
    "score",
]

# Results are NamedTuples: immutable, and much cheaper to build than frozen dataclasses.
Strength = Literal["strong", "slight", "none"]
_position = itemgetter(0)  # sort (content position, item) pairs by position, in C


class Contribution(NamedTuple):
    rule: Rule
    question: str
    answer: str
    points: int  # what counted, after the topic cap
    target: str
    full_points: int  # what the rule gives

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def topic(self) -> str:
        return self.rule.topic

    @property
    def capped(self) -> bool:
        return self.points < self.full_points

    @property
    def written_points(self) -> int:  # the name a record's SavedContribution uses
        return self.full_points


class TargetScore(NamedTuple):
    target: str
    score: int
    contributions: tuple[Contribution, ...]

    @property
    def option(self) -> str:  # the JSON calls every target an "option"
        return self.target


class RaisedFlag(NamedTuple):
    flag: Flag
    question: str
    answer: str | None  # None when the flag is raised by a question left unanswered
    questions: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.flag.id

    @property
    def level(self) -> str:
        return self.flag.level

    @property
    def skipped(self) -> bool:
        return self.answer is None

    @property
    def options(self) -> tuple[str, ...]:
        return self.flag.options

    @property
    def for_patient(self) -> bool:
        return self.flag.for_patient


class Step(NamedTuple):
    option: str | None
    strength: Strength


class Lean(NamedTuple):
    """The one lean of a result, every cap applied (contract version 3).

    Every surface words this and only this (:mod:`decision.wording`): no surface
    compares scores or applies a cap of its own.
    """

    option: str | None
    strength: Strength
    stopped: bool
    enough_answers: bool
    step1: Step
    step2: Step  # Step(None, "none") when needling is stopped: step 2 is not shown
    stopped_options: tuple[str, ...] = ()
    wish: bool = False  # the patient said they do not want needles
    very_anxious: bool = False  # needle worry is the first thing to talk about
    # Version 3. Step 2 "for another day": set only when needling is stopped and every
    # stop passes (unwell today), never after panic or fainting.
    step2_later: Step | None = None
    # Step 1 has no lean but the final names a needle option: "If you choose needles: ..."
    conditional: bool = False
    # The option a cap took step 2's lean away from entirely (it is not "no clear difference").
    step2_removed: str | None = None


class AppliedCap(NamedTuple):
    """A row of ``content/context_caps.yaml`` whose condition holds for these answers."""

    cap: ContextCap
    cut: bool  # True when the cap weakened or removed step 2's lean

    @property
    def id(self) -> str:
        return self.cap.id


class Sure(NamedTuple):
    score: int
    answered: int
    unsure: bool
    needs: tuple[str, ...]  # decisional needs behind each "no" (never behind unanswered items)
    not_answered: tuple[str, ...]

    @property
    def incomplete(self) -> bool:
        return self.answered < len(contract.SURE_QUESTIONS)


class Result(NamedTuple):
    content_version: str
    answers: Mapping[str, str]
    options: tuple[TargetScore, ...]  # the four targets, contract order
    lean: Lean
    flags: tuple[RaisedFlag, ...]
    sure: Sure | None
    unanswered: tuple[str, ...]
    # Version 3. The context caps whose condition holds (their lines go under step 2),
    # and the flags the patient reads: every flag but those a raised flag replaces.
    context_caps: tuple[AppliedCap, ...] = ()
    patient_flags: tuple[RaisedFlag, ...] = ()

    def option(self, target: str) -> TargetScore:
        return next(o for o in self.options if o.target == target)

    def target(self, target: str) -> TargetScore | None:
        return next((o for o in self.options if o.target == target), None)

    def flags_at(self, level: str) -> tuple[RaisedFlag, ...]:
        return tuple(f for f in self.flags if f.level == level)

    def patient_flags_at(self, level: str) -> tuple[RaisedFlag, ...]:
        return tuple(f for f in self.patient_flags if f.level == level)

    @property
    def skipped_safety(self) -> tuple[str, ...]:
        return tuple(f.question for f in self.flags if f.skipped)

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """The ``score --format json`` shape of version 3 (docs/interfaces.md)."""
        out: dict[str, Any] = {
            "content_version": self.content_version,
            "language": lang,
            "options": [_target_json(o, lang) for o in self.options],
            "lean": _lean_json(self.lean),
            "flags": [_flag_json(f, lang) for f in self.flags],
            "patient_flags": [f.flag.id for f in self.patient_flags],
            "context_caps": [_cap_json(c, lang) for c in self.context_caps],
            "unanswered": list(self.unanswered),
        }
        if self.sure is not None:
            s = self.sure
            out["sure"] = {
                "score": s.score,
                "answered": s.answered,
                "unsure": s.unsure,
                "incomplete": s.incomplete,
                "needs": list(s.needs),
                "not_answered": list(s.not_answered),
            }
        return out


def _target_json(o: TargetScore, lang: str) -> dict[str, Any]:
    return {
        "id": o.target,
        "score": o.score,
        "contributions": [
            {
                "rule": c.rule.id,
                "question": c.question,
                "answer": c.answer,
                "topic": c.topic,
                "points": c.points,
                "capped": c.capped,
                "full_points": c.full_points,
                "reason": c.rule.reason.get(lang),
            }
            for c in o.contributions
        ],
    }


def _lean_json(lean: Lean) -> dict[str, Any]:
    return {
        "option": lean.option,
        "strength": lean.strength,
        "stopped": lean.stopped,
        "enough_answers": lean.enough_answers,
        "step1": _step_json(lean.step1),
        "step2": _step_json(lean.step2),
        "stopped_options": list(lean.stopped_options),
        "wish": lean.wish,
        "very_anxious": lean.very_anxious,
        "step2_later": None if lean.step2_later is None else _step_json(lean.step2_later),
        "conditional": lean.conditional,
        "step2_removed": lean.step2_removed,
    }


def _step_json(step: Step) -> dict[str, Any]:
    return {"option": step.option, "strength": step.strength}


def _cap_json(c: AppliedCap, lang: str) -> dict[str, Any]:
    return {"id": c.cap.id, "at_most": dict(c.cap.at_most), "cut": c.cut, "line": c.cap.line.get(lang)}


def _flag_json(f: RaisedFlag, lang: str) -> dict[str, Any]:
    return {
        "id": f.flag.id,
        "level": f.flag.level,
        "question": f.question,
        "questions": list(f.questions),
        "answer": f.answer,
        "options": list(f.flag.options),
        "message": f.flag.message.get(lang),
        "for_patient": f.flag.for_patient,
    }


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
        for target, points in cr.points:
            key = (rule.topic, target)
            before = used.get(key, 0)
            counted = points if before + points <= cap else max(0, cap - before)
            used[key] = before + counted
            totals[target] += counted
            contributions[target].append(Contribution(rule, q, a, counted, target, points))
    return tuple(TargetScore(t, totals[t], tuple(contributions[t])) for t in contract.TARGETS)


def _flags(content: Content, answers: Mapping[str, str]) -> tuple[RaisedFlag, ...]:
    compiled = content.compiled
    flags = compiled.flags
    by_answer = compiled.flags_by_answer
    raised: list[tuple[int, RaisedFlag]] = []
    for item in answers.items():
        for i in by_answer.get(item, ()):
            cf = flags[i]
            raised.append((cf.order, RaisedFlag(cf.flag, item[0], item[1], cf.questions)))
    for question, i in compiled.skipped_flags:
        if question not in answers:
            cf = flags[i]
            raised.append((cf.order, RaisedFlag(cf.flag, question, None, cf.questions)))
    for i in compiled.other_flags:
        cf = flags[i]
        gate = cf.gate
        if gate is not None and answers.get(gate[0]) not in gate[1]:
            continue
        matched = cf.match(answers)
        if matched is not None:
            q, a = matched[0] if matched else (cf.questions[0], None)
            raised.append((cf.order, RaisedFlag(cf.flag, q, a, cf.questions)))
    raised.sort(key=_position)
    return tuple([f for _, f in raised])


_NONE = Step(None, "none")
_RANK = {name: i for i, name in enumerate(contract.STRENGTH_ORDER)}


def _at_most(step: Step, limits: Mapping[str, str]) -> Step:
    """The step with its lean toward each named option cut to the limit given."""
    limit = limits.get(step.option or "")
    if limit is None or _RANK[step.strength] <= _RANK[limit]:
        return step
    return _NONE if limit == "none" else Step(step.option, limit)  # type: ignore[arg-type]


def _capped_step2(
    step2: Step, caps: tuple[AppliedCap, ...], anxious: bool
) -> tuple[Step, tuple[AppliedCap, ...], str | None]:
    """Step 2 with every cap applied, the caps that hold, and the option whose lean a cap
    removed entirely (None when the lean was only weakened, or not touched)."""
    raw = step2
    applied = []
    for c in caps:
        cut = _at_most(step2, c.cap.at_most)
        applied.append(AppliedCap(c.cap, cut != step2))
        step2 = cut
    if anxious:
        step2 = _at_most(step2, contract.VERY_ANXIOUS_STEP2_CAPS)
    removed = raw.option if raw.option is not None and step2.option is None else None
    return step2, tuple(applied), removed


def _lean(
    content: Content, answers: Mapping[str, str], totals: Mapping[str, int], flags: tuple[RaisedFlag, ...]
) -> tuple[Lean, tuple[AppliedCap, ...]]:
    stops = [f for f in flags if f.flag.level == "stop"]
    stop = {o for f in stops for o in f.flag.options}
    stopped_options = tuple(o for o in contract.NEEDLE_OPTIONS if o in stop)
    stopped = len(stopped_options) == len(contract.NEEDLE_OPTIONS)
    wish = answers.get(contract.NO_NEEDLES_WISH[0]) == contract.NO_NEEDLES_WISH[1]
    anxious = answers.get(contract.VERY_ANXIOUS[0]) == contract.VERY_ANXIOUS[1]
    enough = len(content.asked_ids.intersection(answers)) >= content.meta.lean.min_answered

    step1 = _compare("needles", "no_needling", totals, content)
    if not enough and step1.option != "no_needling":
        step1 = _NONE  # too few answers to compare; a lean away from needles is still said
    if anxious and step1.option != "no_needling":  # the worry outweighs a wish for needles
        step1 = Step(*contract.VERY_ANXIOUS_STEP1_FLOOR)  # type: ignore[arg-type]
    if wish:  # the patient's own wish decides step 1, whatever else was answered
        step1 = Step("no_needling", "strong")
    step2 = _compare("ims", "acupuncture", totals, content) if enough else _NONE
    if len(stopped_options) == 1:  # one needling option stopped: the other is the only one left
        (open_option,) = [o for o in contract.NEEDLE_OPTIONS if o not in stop]
        step2 = Step(open_option, step2.strength if step2.option == open_option else "slight")
    caps: tuple[AppliedCap, ...] = ()
    for c in content.compiled.caps:  # a plain loop: most answer sets pass no cap's gate
        gate = c.gate
        if (gate is None or answers.get(gate[0]) in gate[1]) and c.match(answers) is not None:
            caps += (AppliedCap(c.cap, False),)
    applied: tuple[AppliedCap, ...] = ()
    removed = None
    if caps or anxious:
        step2, applied, removed = _capped_step2(step2, caps, anxious)

    if stopped:
        later = step2 if enough and all(f.flag.passes for f in stops) else None
        step1 = Step("no_needling", "strong")
        gone = removed if later is not None else None  # said "for another day" only
        lean = Lean(
            "no_needling", "strong", True, enough, step1, _NONE, stopped_options, wish, anxious, later, False, gone
        )
        return lean, applied
    if step1.option == "no_needling":
        lean = Lean(
            "no_needling",
            step1.strength,
            False,
            enough,
            step1,
            step2,
            stopped_options,
            wish,
            anxious,
            None,
            False,
            removed,
        )
        return lean, applied
    option, strength = step2
    conditional = option is not None and step1.option is None
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
    hidden = [rs for f in flags if (rs := replaces.get(f.flag.id)) is not None]
    if not hidden:
        return flags
    gone = frozenset().union(*hidden)
    return tuple(f for f in flags if f.flag.id not in gone)


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
        if any(f.flag.id in gated for f in flags):
            flags = tuple(f for f in flags if lean.option in gated.get(f.flag.id, (lean.option,)))
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
