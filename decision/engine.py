"""Pure scoring. ``score(content, answers)`` is deterministic and order-independent.

The contributions that make each option's score *are* the explanation: the app,
the CLI, the PDF and the clinician view only put them into words.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from itertools import filterfalse
from operator import itemgetter
from typing import Any, Literal, NamedTuple

from decision.content import Content, did_you_mean
from decision.models import Flag, Rule

# Results are NamedTuples: immutable, and much cheaper to build than frozen dataclasses.
Strength = Literal["strong", "slight", "none"]
LEVEL_ORDER = {"stop": 0, "caution": 1, "info": 2}


_position = itemgetter(0)  # sort (content position, item) pairs by position, in C


class AnswerError(ValueError):
    """Answers that do not fit the questionnaire (unknown id or code, wrong type)."""


class Contribution(NamedTuple):
    rule: Rule
    question: str
    answer: str
    points: int
    option: str

    @property
    def rule_id(self) -> str:
        return self.rule.id


class OptionScore(NamedTuple):
    option: str
    score: int
    contributions: tuple[Contribution, ...]


class RaisedFlag(NamedTuple):
    flag: Flag
    question: str
    answer: str

    @property
    def id(self) -> str:
        return self.flag.id

    @property
    def level(self) -> str:
        return self.flag.level


class Lean(NamedTuple):
    option: str | None
    strength: Strength
    stopped: tuple[str, ...] = ()


class Sure(NamedTuple):
    score: int
    answered: int
    unsure: bool
    needs: tuple[str, ...]  # decisional needs behind each "no" (certainty, information, ...)


class Result(NamedTuple):
    content_version: str
    answers: Mapping[str, str]
    options: tuple[OptionScore, ...]
    lean: Lean
    flags: tuple[RaisedFlag, ...]
    sure: Sure | None
    unanswered: tuple[str, ...]

    def option(self, option_id: str) -> OptionScore:
        return next(o for o in self.options if o.option == option_id)

    def flags_at(self, level: str) -> tuple[RaisedFlag, ...]:
        return tuple(f for f in self.flags if f.level == level)

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """The ``score --format json`` shape from spec/interfaces.md."""
        out: dict[str, Any] = {
            "content_version": self.content_version,
            "language": lang,
            "options": [
                {
                    "id": o.option,
                    "score": o.score,
                    "contributions": [
                        {
                            "rule": c.rule.id,
                            "question": c.question,
                            "answer": c.answer,
                            "points": c.points,
                            "reason": c.rule.reason.get(lang),
                        }
                        for c in o.contributions
                    ],
                }
                for o in self.options
            ],
            "lean": {"option": self.lean.option, "strength": self.lean.strength},
            "flags": [
                {
                    "id": f.flag.id,
                    "level": f.flag.level,
                    "question": f.question,
                    "answer": f.answer,
                    "options": list(f.flag.options),
                    "message": f.flag.message.get(lang),
                }
                for f in self.flags
            ],
            "unanswered": list(self.unanswered),
        }
        if self.sure is not None:
            out["sure"] = {
                "score": self.sure.score,
                "answered": self.sure.answered,
                "unsure": self.sure.unsure,
                "needs": list(self.sure.needs),
            }
        return out


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
            raise AnswerError(
                f"unknown question id '{qid}'{did_you_mean(str(qid), questions)}; valid ids: {', '.join(questions)}"
            )
        if code is None:
            continue
        q = questions[qid]
        if not isinstance(code, str):
            raise AnswerError(
                f"answer to '{qid}' must be one of the answer codes ({', '.join(q.codes)}), got {type(code).__name__} {code!r}"
            )
        if q.answer(code) is None:
            raise AnswerError(
                f"unknown answer code '{code}' for '{qid}'{did_you_mean(code, q.codes)}; valid codes: {', '.join(q.codes)}"
            )
        clean[qid] = code
    return clean


def _strength(diff: int, content: Content) -> Strength:
    gap = abs(diff)
    if gap >= content.meta.lean.strong:
        return "strong"
    if gap >= content.meta.lean.slight:
        return "slight"
    return "none"


class _Compiled(NamedTuple):
    """Per-content lookup tables, built once: a plain answer maps straight to the
    prebuilt contributions and flags it fires (they are immutable, so shared)."""

    # (question, answer) -> (contributions it adds, flags it raises), each with its sort key:
    # a contribution's rule position; a flag's level, then position (see _flag_order)
    by_answer: dict[tuple[str, str], tuple[tuple[tuple[int, Contribution], ...], tuple[tuple[int, RaisedFlag], ...]]]
    other_rules: tuple[int, ...]
    other_flags: tuple[int, ...]


_COMPILED: weakref.WeakKeyDictionary[Content, _Compiled] = weakref.WeakKeyDictionary()


def _compiled(content: Content) -> _Compiled:
    found = _COMPILED.get(content)
    if found is None:
        rules_by_answer, other_rules = content.rule_index
        flags_by_answer, other_flags = content.flag_index
        contributions = {
            (q, a): tuple(
                (i, Contribution(content.rules[i], q, a, points, option))
                for i in positions
                for option, points in content.compiled_rules[i].points
            )
            for (q, a), positions in rules_by_answer.items()
        }
        raised = {
            (q, a): tuple((_flag_order(content, i), RaisedFlag(content.flags[i], q, a)) for i in positions)
            for (q, a), positions in flags_by_answer.items()
        }
        by_answer = {key: (contributions.get(key, ()), raised.get(key, ())) for key in {*contributions, *raised}}
        found = _Compiled(by_answer, other_rules, other_flags)
        _COMPILED[content] = found
    return found


def _flag_order(content: Content, i: int) -> int:
    """Flags are listed stop, caution, info; in content order within a level."""
    return LEVEL_ORDER[content.flags[i].level] * (len(content.flags) + 1) + i


def _first_match(matcher: Any, answers: Mapping[str, str]) -> tuple[str, str] | None:
    matched = matcher.match(answers)
    if matched is None:
        return None
    q = matcher.first_question
    return matched[0] if matched else (q, answers.get(q, ""))


def score(content: Content, answers: Mapping[str, str]) -> Result:
    """Score IMS against acupuncture. Pure: same content and answers, same result.

    Safety answers only raise flags (the loader refuses rules on them). A ``stop``
    flag takes that option out of the lean; with every needling option stopped the
    lean is ``no_needling``.
    """
    answers = validate_answers(content, answers)
    scored = content.scored_options
    contributions: dict[str, list[Contribution]] = {o: [] for o in scored}
    totals = dict.fromkeys(scored, 0)
    compiled = _compiled(content)
    fired: list[tuple[int, Contribution]] = []
    raised_at: list[tuple[int, RaisedFlag]] = []
    by_answer = compiled.by_answer
    for item in answers.items():
        hit = by_answer.get(item)
        if hit is not None:
            fired.extend(hit[0])
            raised_at.extend(hit[1])
    for i in compiled.other_rules:
        cr = content.compiled_rules[i]
        hit = _first_match(cr, answers)
        if hit is not None:
            fired.extend((i, Contribution(cr.rule, hit[0], hit[1], points, option)) for option, points in cr.points)
    fired.sort(key=_position)
    for _, c in fired:
        option = c.option
        contributions[option].append(c)
        totals[option] += c.points
    options = tuple([OptionScore(o, totals[o], tuple(contributions[o])) for o in scored])

    for i in compiled.other_flags:
        cf = content.compiled_flags[i]
        hit = _first_match(cf, answers)
        if hit is not None:
            raised_at.append((_flag_order(content, i), RaisedFlag(cf.flag, hit[0], hit[1])))
    raised_at.sort(key=_position)
    raised = tuple([f for _, f in raised_at])

    # Stop flags sort first, so the loop ends at the first flag of another level.
    stop: set[str] = set()
    for f in raised:
        if f.flag.level != "stop":
            break
        stop.update(f.flag.options)
    stopped = tuple(o for o in scored if o in stop)
    open_options = [o for o in options if o.option not in stop]
    if not open_options:
        lean = Lean("no_needling", "strong", stopped)
    elif len(open_options) == 1:
        # The other needling option is stopped: this one is the only one left. It
        # leans as strongly as its lead over the stopped one, and at least slightly.
        only = open_options[0]
        other = max(o.score for o in options if o.option != only.option)
        strength = _strength(only.score - other, content) if only.score > other else "none"
        lean = Lean(only.option, strength if strength != "none" else "slight", stopped)
    else:
        a, b = open_options
        strength = _strength(a.score - b.score, content)
        leader = None if strength == "none" else (a.option if a.score > b.score else b.option)
        lean = Lean(leader, strength, stopped)

    sure = None
    sure_given = [answers[qid] for qid in content.sure_ids if qid in answers]
    if sure_given:
        yes = sure_given.count("yes")
        needs = tuple(need for qid, need in content.sure_needs if answers.get(qid) != "yes")
        sure = Sure(yes, len(sure_given), yes <= 3, needs)

    unanswered = tuple(filterfalse(answers.__contains__, content.questionnaire_ids))
    return Result(content.version, answers, options, lean, raised, sure, unanswered)
