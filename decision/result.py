"""The one result schema: what :func:`decision.engine.score` returns, what a shared
record saves (:meth:`Result.to_json`, the CLI's ``score --format json`` too,
docs/interfaces.md) and what :func:`decision.records.saved.parse_saved` reads back.

Frozen and typed (NamedTuples: immutable, and much cheaper to build than frozen
dataclasses). A fresh result and a record read back are the very same types, so the
wording (:mod:`decision.wording`), the exports and the views read either; nothing
mirrors them.

The parts hold what the JSON holds, field for field: content ids (a contribution's
``rule``, a flag's ``id``, a cap's ``id``), never the content objects, because a
record read back may come from an older content that no longer has them. The words
a person reads (a contribution's ``reason``, a flag's ``message``, a cap's ``line``)
are :data:`Texts`, words by language: a fresh result carries the content's own in
every language (built once with the content and shared by every result); a record
carries the words it was saved with, in its language only, so it still says what
the patient saw. Content facts the JSON does not hold (a flag's ``clinician`` words,
``replaces``, ``passes``) are looked up in the content by id where they are needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from decision import contract
from decision.models import Level

__all__ = [
    "AppliedCap",
    "Contribution",
    "Lean",
    "RaisedFlag",
    "Result",
    "Step",
    "Strength",
    "Sure",
    "TargetScore",
    "Texts",
    "text_in",
]

Strength = Literal["strong", "slight", "none"]
Texts = Mapping[str, str]
"""Words a person reads, by language ("en", "fr"): every language for a fresh result,
the language it was saved in for a record read back."""


def text_in(texts: Texts, lang: str) -> str:
    """``texts`` in ``lang``; else in the language it has (a record has only the one it
    was saved in: the words the patient saw); "" when it has none."""
    found = texts.get(lang)
    return found if found is not None else next(iter(texts.values()), "")


class Contribution(NamedTuple):
    """One rule's points toward one target (``options[].contributions[]``)."""

    rule: str  # the rule id in content/rules/
    question: str
    answer: str
    topic: str
    points: int  # what counted, after the topic cap
    full_points: int  # what the rule gives
    reason: Texts  # the rule's reason

    @property
    def capped(self) -> bool:
        return self.points < self.full_points


class TargetScore(NamedTuple):
    """One target's score (``options[]``; the JSON names it by ``id``)."""

    target: str
    score: int
    contributions: tuple[Contribution, ...]


class RaisedFlag(NamedTuple):
    """A flag raised by the answers (``flags[]``)."""

    id: str
    level: Level
    question: str  # the first (or only) question of the flag's condition
    questions: tuple[str, ...]  # every question of the condition
    answer: str | None  # None when the flag is raised by a question left unanswered
    options: tuple[str, ...]  # the needling options it applies to
    message: Texts  # what the patient reads
    for_patient: bool  # an info note the patient reads in full

    @property
    def skipped(self) -> bool:
        """Raised because a safety question was left unanswered (``<question>_unanswered``,
        see :func:`decision.content.skipped_flags`); a record's flag saved without an answer
        is not one unless it is named so."""
        return self.answer is None and self.id.endswith("_unanswered")


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
    """A row of ``content/context_caps.yaml`` whose condition holds for these answers (``context_caps[]``)."""

    id: str
    at_most: Mapping[str, str]  # step-2 option -> the strongest lean allowed toward it
    cut: bool  # True when the cap weakened or removed step 2's lean
    line: Texts  # the plain line right under step 2


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
    """What :func:`decision.engine.score` returns, and what a record is read back into
    (its ``answers`` are then the record's)."""

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
            "patient_flags": [f.id for f in self.patient_flags],
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
                "rule": c.rule,
                "question": c.question,
                "answer": c.answer,
                "topic": c.topic,
                "points": c.points,
                "capped": c.capped,
                "full_points": c.full_points,
                "reason": text_in(c.reason, lang),
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
    return {"id": c.id, "at_most": dict(c.at_most), "cut": c.cut, "line": text_in(c.line, lang)}


def _flag_json(f: RaisedFlag, lang: str) -> dict[str, Any]:
    return {
        "id": f.id,
        "level": f.level,
        "question": f.question,
        "questions": list(f.questions),
        "answer": f.answer,
        "options": list(f.options),
        "message": text_in(f.message, lang),
        "for_patient": f.for_patient,
    }
