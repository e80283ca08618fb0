"""Pure scoring. ``score(content, answers)`` is deterministic and order-independent.

The contributions that make each option's score *are* the explanation: the app,
the CLI, the PDF and the clinician view only put them into words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from decision.content import Content, did_you_mean
from decision.models import Flag, Rule

Strength = Literal["strong", "slight", "none"]
LEVEL_ORDER = {"stop": 0, "caution": 1, "info": 2}


class AnswerError(ValueError):
    """Answers that do not fit the questionnaire (unknown id or code, wrong type)."""


@dataclass(frozen=True, slots=True)
class Contribution:
    rule: Rule
    question: str
    answer: str
    points: int

    @property
    def rule_id(self) -> str:
        return self.rule.id


@dataclass(frozen=True, slots=True)
class OptionScore:
    option: str
    score: int
    contributions: tuple[Contribution, ...]


@dataclass(frozen=True, slots=True)
class RaisedFlag:
    flag: Flag
    question: str
    answer: str

    @property
    def id(self) -> str:
        return self.flag.id

    @property
    def level(self) -> str:
        return self.flag.level


@dataclass(frozen=True, slots=True)
class Lean:
    option: str | None
    strength: Strength
    stopped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sure:
    score: int
    answered: int
    unsure: bool
    needs: tuple[str, ...]  # decisional needs behind each "no" (certainty, information, ...)


@dataclass(frozen=True, slots=True)
class Result:
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


def score(content: Content, answers: Mapping[str, str]) -> Result:
    """Score IMS against acupuncture. Pure: same content and answers, same result.

    Safety answers only raise flags (the loader refuses rules on them). A ``stop``
    flag takes that option out of the lean; with every needling option stopped the
    lean is ``no_needling``.
    """
    answers = validate_answers(content, answers)
    scored = content.scored_options
    contributions: dict[str, list[Contribution]] = {o: [] for o in scored}
    for cr in content.compiled_rules:
        matched = cr.match(answers)
        if matched is None:
            continue
        question, answer = matched[0] if matched else (cr.first_question, answers.get(cr.first_question, ""))
        for option, points in cr.points:
            contributions[option].append(Contribution(cr.rule, question, answer, points))
    options = tuple(
        OptionScore(o, sum(c.points for c in contributions[o]), tuple(contributions[o])) for o in scored
    )

    raised: list[RaisedFlag] = []
    for cf in content.compiled_flags:
        matched = cf.match(answers)
        if matched is None:
            continue
        question, answer = matched[0] if matched else (cf.first_question, answers.get(cf.first_question, ""))
        raised.append(RaisedFlag(cf.flag, question, answer))
    raised.sort(key=lambda f: LEVEL_ORDER[f.flag.level])  # stable: content order within a level

    stopped = tuple(o for o in scored if any(f.flag.level == "stop" and o in f.flag.options for f in raised))
    open_options = [o for o in options if o.option not in stopped]
    if not open_options:
        lean = Lean("no_needling", "strong", stopped)
    elif len(open_options) == 1:
        # One needling option is stopped: the other is the only needling option left.
        only = open_options[0]
        other = max((o.score for o in options if o.option != only.option), default=0)
        strength = _strength(only.score - other, content) if only.score > other else "none"
        lean = Lean(only.option, strength if strength != "none" else "slight", stopped)
    else:
        a, b = open_options[0], open_options[1]
        strength = _strength(a.score - b.score, content)
        leader = None if strength == "none" else (a.option if a.score > b.score else b.option)
        lean = Lean(leader, strength, stopped)

    sure = None
    sure_ids = content.sure_ids
    given = [(qid, answers[qid]) for qid in sure_ids if qid in answers]
    if given:
        yes = sum(1 for _, a in given if a == "yes")
        needs = tuple(
            content.questions[qid].measures or qid
            for qid in sure_ids
            if answers.get(qid) != "yes"
        )
        sure = Sure(score=yes, answered=len(given), unsure=yes <= 3, needs=needs)

    unanswered = tuple(qid for qid in content.questionnaire_ids if qid not in answers)
    return Result(content.version, answers, options, lean, tuple(raised), sure, unanswered)
