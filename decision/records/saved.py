"""A shared record's saved result, read back into the engine's own :class:`~decision.result.Result`.

A record keeps what the patient saw: ``Result.to_json(language)``. :func:`parse_saved`
reads it back into the same types :func:`decision.engine.score` returns (the result,
its targets and contributions, flags, context caps, lean, steps and SURE): one
definition of a result, so the wording, the exports and the views read a fresh
result and a record alike, and nothing mirrors it. The words saved with a record's
flags, contributions and caps are kept as :data:`~decision.result.Texts` in the
record's language (what the patient saw, even when the content has changed since);
:mod:`decision.result` says why the types hold ids and words, not content objects.

Records older than version 3 still parse: the fields later versions added take their
defaults here (version 1 had one step and no topics: a contribution's ``full_points``
is then its ``points``, a step is "no lean", ``patient_flags`` is every flag).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from decision.errors import DecisionError
from decision.result import Lean, RaisedFlag, Result, Step, Sure

# The fields an older record may lack, at their defaults (the fields with a default in
# the engine's type, the later version 3 ones, take that default).
_NO_STEP = {"option": None, "strength": "none"}
_LEAN = {"option": None, "strength": "none", "stopped": False, "enough_answers": True}
_SURE = {"score": 0, "answered": 0, "unsure": True, "needs": (), "not_answered": ()}
_FLAG = {"level": "info", "question": "", "questions": (), "answer": None, "options": (), "for_patient": False}
_TARGET = {"score": 0, "contributions": ()}
_CONTRIBUTION = {"question": "", "answer": "", "topic": "", "points": 0}
_CAP = {"at_most": {}, "cut": False}
NO_LEAN = Lean(None, "none", False, True, Step(None, "none"), Step(None, "none"))
_RESULT: TypeAdapter[Result] = TypeAdapter(Result)


class SavedResultError(DecisionError):
    """A saved result that is not a result (a damaged record)."""


def parse_saved(data: Any, *, answers: Mapping[str, str] | None = None) -> Result:
    """A record's saved result (``Result.to_json``) as a :class:`~decision.result.Result`
    holding ``answers`` (the record's; none when not given). Raise
    :class:`SavedResultError` naming where it is damaged, never a value."""
    try:
        result = _RESULT.validate_python(_shaped(data))
    except ValidationError as exc:
        where = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:3])
        raise SavedResultError(f"the saved result is damaged ({where})") from None
    return result if answers is None else result._replace(answers=answers)


# ------------------------------------------------------------------ the JSON, field for field
# Each function takes one part of the saved JSON and gives the fields of its engine type
# (defaults filled, words in the record's language). Anything else is passed on as it
# is, for the validation to name.


def _shaped(data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    lang = data.get("language")
    lang = lang if isinstance(lang, str) else "en"
    flags = _each(data.get("flags", ()), lambda f: _flag(f, lang))
    ids = data.get("patient_flags")  # version 3: the ids of the flags the patient read
    patient = flags
    if isinstance(ids, list | tuple) and isinstance(flags, list):
        patient = [f for f in flags if isinstance(f, dict) and f.get("id") in ids]
    elif ids is not None:
        patient = ids
    lean = data.get("lean")
    sure = data.get("sure")
    return {
        "content_version": data.get("content_version", ""),
        "answers": {},
        "options": _each(data.get("options", ()), lambda o: _target(o, lang)),
        "lean": NO_LEAN if lean is None else _lean(lean),
        "flags": flags,
        "sure": None if sure is None else _fields(sure, Sure._fields, _SURE),
        "unanswered": data.get("unanswered", ()),
        "context_caps": _each(data.get("context_caps", ()), lambda c: _cap(c, lang)),
        "patient_flags": patient,
    }


def _each(items: Any, shape: Callable[[Any], Any]) -> Any:
    return [shape(item) for item in items] if isinstance(items, list | tuple) else items


def _fields(value: Any, fields: tuple[str, ...], defaults: Mapping[str, Any]) -> Any:
    """The given fields of a saved mapping, the missing ones at their defaults."""
    if not isinstance(value, dict):
        return value
    return {**defaults, **{k: v for k, v in value.items() if k in fields}}


def _step(value: Any) -> Any:
    return _NO_STEP if value is None else _fields(value, Step._fields, _NO_STEP)


def _lean(value: Any) -> Any:
    lean = _fields(value, Lean._fields, _LEAN)
    if isinstance(lean, dict):
        lean["step1"], lean["step2"] = _step(lean.get("step1")), _step(lean.get("step2"))
        later = lean.get("step2_later")
        if later is not None:
            lean["step2_later"] = _step(later)
    return lean


def _words(value: Any, lang: str) -> Any:
    """Saved words: in the record's language, as the patient read them."""
    if value is None:
        return {}
    return {lang: value} if isinstance(value, str) else value


def _target(value: Any, lang: str) -> Any:
    target = _fields(value, ("score", "contributions"), _TARGET)
    if isinstance(target, dict):
        if "id" in value:  # the JSON calls every target an option, named by its id
            target["target"] = value["id"]
        target["contributions"] = _each(target["contributions"], lambda c: _contribution(c, lang))
    return target


def _contribution(value: Any, lang: str) -> Any:
    c = _fields(value, ("rule", "question", "answer", "topic", "points"), _CONTRIBUTION)
    if not isinstance(c, dict):
        return c
    full = value.get("full_points")
    c["full_points"] = c["points"] if full is None else full  # version 1: no topic caps
    c["reason"] = _words(value.get("reason"), lang)
    return c


def _flag(value: Any, lang: str) -> Any:
    flag = _fields(value, RaisedFlag._fields, _FLAG)
    if isinstance(flag, dict):
        flag["message"] = _words(value.get("message"), lang)
    return flag


def _cap(value: Any, lang: str) -> Any:
    cap = _fields(value, ("id", "at_most", "cut"), _CAP)
    if isinstance(cap, dict):
        cap["line"] = _words(value.get("line"), lang)
    return cap


# ------------------------------------------------------------------ the record

Origin = Literal["patient", "clinician"]


@dataclass(frozen=True, slots=True)
class HandoffRecord:
    """One shared set of answers, as the store reads it back: no name, ever.

    ``result`` is what was saved (``Result.to_json(language)``); ``saved`` is the same
    as the engine's :class:`~decision.result.Result` (with the record's answers), parsed
    once here so nothing reads the JSON by hand.
    """

    code: str
    created_at: datetime  # aware, UTC
    expires_at: datetime  # aware, UTC
    language: str
    answers: dict[str, str]
    content_version: str
    result: dict[str, Any]
    origin: Origin = "patient"
    saved: Result = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "saved", parse_saved(self.result, answers=self.answers))
