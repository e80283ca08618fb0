"""The saved result of a shared record, typed: parsed once when a record is read.

A record keeps what the patient saw (``Result.to_json``). Version 1 records (one
step, no topics) still parse: the fields later versions added take their defaults.
The lean, its steps and SURE are the engine's own types (:class:`decision.engine.Lean`,
:class:`~decision.engine.Step`, :class:`~decision.engine.Sure`): one definition, read
back here from the JSON; flags and contributions keep the words saved with them.
The attribute names mirror :class:`decision.engine.Result`, so :mod:`decision.wording`
puts either into words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from decision.engine import Lean, Step, Sure
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


_NO_STEP = {"option": None, "strength": "none"}
_LEAN_DEFAULTS: dict[str, Any] = {
    "option": None,
    "strength": "none",
    "stopped": False,
    "enough_answers": True,
    "step1": _NO_STEP,
    "step2": _NO_STEP,
}


def _only(fields: tuple[str, ...], defaults: dict[str, Any]) -> Any:
    """A before-validator: the saved mapping with the type's own fields only, defaults filled."""

    def pick(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {**defaults, **{k: v for k, v in value.items() if k in fields}}

    return BeforeValidator(pick)


SavedStep = Annotated[Step, _only(Step._fields, _NO_STEP)]
SavedLean = Annotated[Lean, _only(Lean._fields, _LEAN_DEFAULTS)]
SavedSure = Annotated[
    Sure, _only(Sure._fields, {"score": 0, "answered": 0, "unsure": True, "needs": (), "not_answered": ()})
]
NO_LEAN = Lean(None, "none", False, True, Step(None, "none"), Step(None, "none"))


class SavedCap(_Saved):
    """A context cap that applied, with its line in the saved language."""

    id: str
    at_most: dict[str, str] = Field(default_factory=dict)
    cut: bool = False
    line: str = ""


class SavedFlag(_Saved):
    id: str
    level: Literal["stop", "caution", "info"] = "info"
    question: str = ""
    questions: tuple[str, ...] = ()
    answer: str | None = None
    options: tuple[str, ...] = ()
    message: str = ""
    for_patient: bool = False

    @property
    def skipped(self) -> bool:
        return self.id.endswith("_unanswered") and self.answer is None


class SavedResult(_Saved):
    content_version: str = ""
    language: str = "en"
    options: tuple[SavedTarget, ...] = ()
    lean: SavedLean = NO_LEAN
    flags: tuple[SavedFlag, ...] = ()
    sure: SavedSure | None = None
    unanswered: tuple[str, ...] = ()
    context_caps: tuple[SavedCap, ...] = ()
    patient_flag_ids: tuple[str, ...] | None = Field(default=None, alias="patient_flags")

    def target(self, target: str) -> SavedTarget | None:
        return next((o for o in self.options if o.target == target), None)

    def option(self, target: str) -> SavedTarget | None:
        return self.target(target)

    def flags_at(self, level: str) -> tuple[SavedFlag, ...]:
        return tuple(f for f in self.flags if f.level == level)

    @property
    def patient_flags(self) -> tuple[SavedFlag, ...]:
        """The flags the patient read (every flag, for records older than version 3)."""
        ids = self.patient_flag_ids
        return self.flags if ids is None else tuple(f for f in self.flags if f.id in ids)

    def patient_flags_at(self, level: str) -> tuple[SavedFlag, ...]:
        return tuple(f for f in self.patient_flags if f.level == level)

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
