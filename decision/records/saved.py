"""The saved result of a shared record, typed: parsed once when a record is read.

A record keeps what the patient saw (``Result.to_json``). Version 1 records (one
step, no topics) still parse: the fields version 2 added take their defaults. The
attribute names mirror :class:`decision.engine.Result`, so :mod:`decision.wording`
puts either into words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from decision.errors import DecisionError

Strength = Literal["strong", "slight", "none"]


class _Saved(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SavedContribution(_Saved):
    rule: str
    question: str = ""
    answer: str = ""
    topic: str = ""
    points: int = 0
    capped: bool = False
    full_points: int | None = None
    reason: str = ""

    @property
    def rule_id(self) -> str:
        return self.rule

    @property
    def written_points(self) -> int:
        return self.points if self.full_points is None else self.full_points


class SavedTarget(_Saved):
    target: str = Field(alias="id")
    score: int = 0
    contributions: tuple[SavedContribution, ...] = ()


class SavedStep(_Saved):
    option: str | None = None
    strength: Strength = "none"


class SavedLean(_Saved):
    option: str | None = None
    strength: Strength = "none"
    stopped: bool = False
    enough_answers: bool = True
    step1: SavedStep = SavedStep()
    step2: SavedStep = SavedStep()
    stopped_options: tuple[str, ...] = ()
    wish: bool = False
    very_anxious: bool = False


class SavedFlag(_Saved):
    id: str
    level: Literal["stop", "caution", "info"] = "info"
    question: str = ""
    questions: tuple[str, ...] = ()
    answer: str | None = None
    options: tuple[str, ...] = ()
    message: str = ""

    @property
    def skipped(self) -> bool:
        return self.id.endswith("_unanswered") and self.answer is None


class SavedSure(_Saved):
    score: int = 0
    answered: int = 0
    unsure: bool = True
    needs: tuple[str, ...] = ()
    not_answered: tuple[str, ...] = ()

    @property
    def incomplete(self) -> bool:
        return self.answered < 4


class SavedResult(_Saved):
    content_version: str = ""
    language: str = "en"
    options: tuple[SavedTarget, ...] = ()
    lean: SavedLean = SavedLean()
    flags: tuple[SavedFlag, ...] = ()
    sure: SavedSure | None = None
    unanswered: tuple[str, ...] = ()

    def target(self, target: str) -> SavedTarget | None:
        return next((o for o in self.options if o.target == target), None)

    def flags_at(self, level: str) -> tuple[SavedFlag, ...]:
        return tuple(f for f in self.flags if f.level == level)

    @property
    def skipped_safety(self) -> tuple[str, ...]:
        return tuple(f.question for f in self.flags if f.skipped)


class SavedResultError(DecisionError):
    """A saved result that is not a result (a damaged record)."""


def parse_saved(data: Any) -> SavedResult:
    """Parse a record's saved result; raise :class:`SavedResultError` naming no value."""
    try:
        return SavedResult.model_validate(data)
    except ValidationError as exc:
        where = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:3])
        raise SavedResultError(f"the saved result is damaged ({where})") from None


Origin = Literal["patient", "clinician"]


@dataclass(frozen=True, slots=True)
class HandoffRecord:
    """One shared set of answers, as the store reads it back: no name, ever.

    ``result`` is what was saved (``Result.to_json(language)``); ``saved`` is the same,
    typed, parsed once here so nothing reads the JSON by hand.
    """

    code: str
    created_at: datetime  # aware, UTC
    expires_at: datetime  # aware, UTC
    language: str
    answers: dict[str, str]
    content_version: str
    result: dict[str, Any]
    origin: Origin = "patient"
    saved: SavedResult = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "saved", parse_saved(self.result))
