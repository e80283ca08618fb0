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
from decision.models import Flag, Rule

__all__ = ["AnswerError", "Contribution", "Lean", "RaisedFlag", "Result", "Step", "Sure", "TargetScore", "score"]

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


class Step(NamedTuple):
    option: str | None
    strength: Strength


class Lean(NamedTuple):
    option: str | None
    strength: Strength
    stopped: bool
    enough_answers: bool
    step1: Step
    step2: Step
    stopped_options: tuple[str, ...] = ()
    wish: bool = False  # the patient said they do not want needles
    very_anxious: bool = False  # needle worry is the first thing to talk about


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

    def option(self, target: str) -> TargetScore:
        return next(o for o in self.options if o.target == target)

    def flags_at(self, level: str) -> tuple[RaisedFlag, ...]:
        return tuple(f for f in self.flags if f.level == level)

    @property
    def skipped_safety(self) -> tuple[str, ...]:
        return tuple(f.question for f in self.flags if f.skipped)

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """The ``score --format json`` shape of version 2 (docs/interfaces.md)."""
        out: dict[str, Any] = {
            "content_version": self.content_version,
            "language": lang,
            "options": [_target_json(o, lang) for o in self.options],
            "lean": _lean_json(self.lean),
            "flags": [_flag_json(f, lang) for f in self.flags],
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
        "step1": {"option": lean.step1.option, "strength": lean.step1.strength},
        "step2": {"option": lean.step2.option, "strength": lean.step2.strength},
        "stopped_options": list(lean.stopped_options),
        "wish": lean.wish,
        "very_anxious": lean.very_anxious,
    }


def _flag_json(f: RaisedFlag, lang: str) -> dict[str, Any]:
    return {
        "id": f.flag.id,
        "level": f.flag.level,
        "question": f.question,
        "questions": list(f.questions),
        "answer": f.answer,
        "options": list(f.flag.options),
        "message": f.flag.message.get(lang),
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
        matched = cf.match(answers)
        if matched is not None:
            q, a = matched[0] if matched else (cf.questions[0], None)
            raised.append((cf.order, RaisedFlag(cf.flag, q, a, cf.questions)))
    raised.sort(key=_position)
    return tuple([f for _, f in raised])


def _lean(
    content: Content, answers: Mapping[str, str], totals: Mapping[str, int], flags: tuple[RaisedFlag, ...]
) -> Lean:
    stop = {o for f in flags if f.level == "stop" for o in f.flag.options}
    stopped_options = tuple(o for o in contract.NEEDLE_OPTIONS if o in stop)
    stopped = len(stopped_options) == len(contract.NEEDLE_OPTIONS)
    wish = answers.get(contract.NO_NEEDLES_WISH[0]) == contract.NO_NEEDLES_WISH[1]
    anxious = answers.get(contract.VERY_ANXIOUS[0]) == contract.VERY_ANXIOUS[1]
    enough = sum(1 for q in answers if q in content.asked_ids) >= content.meta.lean.min_answered
    none = Step(None, "none")

    step1 = _compare("needles", "no_needling", totals, content)
    if not enough and step1.option != "no_needling":
        step1 = none  # too few answers to compare; a lean away from needles is still said
    if wish:  # the patient's own wish decides step 1, whatever else was answered
        step1 = Step("no_needling", "strong")
    step2 = _compare("ims", "acupuncture", totals, content) if enough else none
    if len(stopped_options) == 1:  # one needling option stopped: the other is the only one left
        (open_option,) = [o for o in contract.NEEDLE_OPTIONS if o not in stop]
        step2 = Step(open_option, step2.strength if step2.option == open_option else "slight")

    if stopped:
        return Lean(
            "no_needling", "strong", True, enough, Step("no_needling", "strong"), step2, stopped_options, wish, anxious
        )
    if step1.option == "no_needling":
        return Lean("no_needling", step1.strength, False, enough, step1, step2, stopped_options, wish, anxious)
    option, strength = step2
    if anxious and strength == "strong":
        strength = "slight"
    return Lean(option, strength, False, enough, step1, step2, stopped_options, wish, anxious)


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
    lean is ``no_needling``.
    """
    answers = validate_answers(content, answers)
    options = _targets(content, answers)
    totals = {o.target: o.score for o in options}
    flags = _flags(content, answers)
    lean = _lean(content, answers, totals, flags)
    unanswered = tuple(filterfalse(answers.__contains__, content.questionnaire_ids))
    return Result(content.version, answers, options, lean, flags, _sure(content, answers), unanswered)
