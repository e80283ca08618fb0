"""Strict, frozen models for everything in ``content/``.

Unknown keys are rejected, every patient-facing string needs English and French,
and every fact carries a source and a review date. One model per YAML file kind
(``*File``); cross-references between files are checked in :mod:`decision.content`.
"""

from __future__ import annotations

import datetime as dt
import types
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, field_validator, model_validator

Id = Annotated[StrictStr, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=40)]
Text = Annotated[StrictStr, Field(min_length=1)]
Level = Literal["stop", "caution", "info"]
LEVELS: tuple[Level, ...] = ("stop", "caution", "info")
SureNeed = Literal["certainty", "information", "values", "support"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LocalizedText(Model):
    """A string shown to people, in English and Canadian French."""

    en: Text
    fr: Text

    def get(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en

    @field_validator("en", "fr")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is blank")
        return value.strip()


SourceKind = Literal["guideline", "review", "study", "position", "clinic", "regulator", "tool", "internal"]


class Source(Model):
    """One entry of ``content/sources.yaml``, the bibliography every fact cites by id.

    ``internal`` documents (the project's own notes) can be listed but are never
    evidence: the checks refuse a citation of one.
    """

    id: Id
    title: Text
    authors: Text | None = None
    year: Annotated[StrictInt, Field(ge=1900, le=2100)] | None = None
    published_in: Text | None = None  # journal, publisher or organisation
    link: StrictStr | None = None
    doi: StrictStr | None = None
    kind: SourceKind
    supports: Text | None = None  # what the aid uses it for
    # True for figures not re-checked against the paper: never shown to patients.
    unverified: StrictBool = False


class SourcesFile(Model):
    """``content/sources.yaml``."""

    sources: tuple[Source, ...] = Field(min_length=1)


def _read_only(value: dict[Any, Any]) -> Any:
    """Frozen models hold read-only mappings: shared content can't be changed by accident."""
    return types.MappingProxyType(value)


def _one_or_many(value: Any) -> Any:
    """Let authors write ``source: some_id`` for a single source."""
    return [value] if isinstance(value, str) else value


Sources = Annotated[tuple[Id, ...], Field(min_length=1)]  # ids in content/sources.yaml


class Condition(Model):
    """A tiny rule vocabulary, evaluated without eval.

    Exactly one of:
    ``{question: q, answer: a}``, ``{question: q, in: [a, b]}``,
    ``{question: q, skipped: true}`` (not answered),
    ``{all: [...]}``, ``{any: [...]}``, ``{not: {...}}``.
    """

    question: Id | None = None
    answer: Id | None = None
    skipped: Literal[True] | None = None
    in_: tuple[Id, ...] | None = Field(default=None, alias="in", min_length=1)
    all: tuple[Condition, ...] | None = Field(default=None, min_length=1)
    any: tuple[Condition, ...] | None = Field(default=None, min_length=1)
    not_: Condition | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        given = [x is not None for x in (self.answer, self.in_, self.skipped)]
        combinators = [x is not None for x in (self.all, self.any, self.not_)]
        leaf = self.question is not None or any(given)
        if (
            (leaf and (self.question is None or sum(given) != 1))
            or (leaf and any(combinators))
            or (not leaf and sum(combinators) != 1)
        ):
            raise ValueError(
                "a condition is exactly one of {question, answer}, {question, in: [...]}, "
                "{question, skipped: true}, {all: [...]}, {any: [...]} or {not: ...}"
            )
        return self

    @property
    def codes(self) -> tuple[str, ...]:
        """The answer codes a leaf matches (none for ``skipped``)."""
        return (self.answer,) if self.answer is not None else tuple(self.in_ or ())

    def leaves(self) -> list[tuple[str, tuple[str, ...]]]:
        """Every (question, answer codes) this condition looks at, in order."""
        if self.question is not None:
            return [(self.question, self.codes)]
        out: list[tuple[str, tuple[str, ...]]] = []
        for child in (*(self.all or ()), *(self.any or ()), *((self.not_,) if self.not_ else ())):
            out.extend(child.leaves())
        return out


class Rule(Model):
    """Points for scoring targets when a condition holds. The reason is the explanation.

    ``topic`` groups rules about one fact: a topic gives one target at most
    ``topic_cap`` points (index.yaml), so the same fact never counts twice.
    """

    id: Id
    topic: Id
    when: Condition
    points: dict[Id, Annotated[StrictInt, Field(ge=0, le=3)]] = Field(min_length=1)
    reason: LocalizedText
    source: Sources

    _sources = field_validator("source", mode="before")(_one_or_many)

    @field_validator("points")
    @classmethod
    def _no_zero(cls, value: dict[str, int]) -> dict[str, int]:
        zero = [k for k, v in value.items() if v == 0]
        if zero:
            raise ValueError(f"0 points for {', '.join(zero)} moves nothing: remove it")
        frozen: dict[str, int] = _read_only(value)
        return frozen


class Flag(Model):
    """A safety or information note raised by an answer. Flags never change scores."""

    id: Id
    level: Level
    when: Condition
    options: tuple[Id, ...] = Field(min_length=1)
    message: LocalizedText
    clinician: LocalizedText
    source: Sources
    reviewed_on: dt.date
    # Version 3. A stop that passes (unwell today): step 2 may be offered "for another day".
    passes: StrictBool = False
    # Flags this one says again in context: the patient reads the worry once (the
    # clinician still sees every flag). Each must be raised whenever this one is.
    replaces: tuple[Id, ...] = ()
    # Raised only when the final lean is one of these options (a note about a lean).
    lean: tuple[Id, ...] | None = Field(default=None, min_length=1)
    # An info note the patient reads in full (other info notes are only counted).
    for_patient: StrictBool = False

    _sources = field_validator("source", mode="before")(_one_or_many)


CapStrength = Literal["none", "slight"]


class ContextCap(Model):
    """One row of ``content/context_caps.yaml``: when a hazard depends on the technique,
    step 2 leans toward the options in ``at_most`` no more than the strength given
    (``none``: never toward it). ``line`` is printed right under step 2."""

    id: Id
    when: Condition
    at_most: dict[Id, CapStrength] = Field(min_length=1)
    line: LocalizedText
    source: tuple[Id, ...] = ()  # required: the check context_cap_sources refuses a row without one
    reviewed_on: dt.date

    _sources = field_validator("source", mode="before")(_one_or_many)
    _at_most = field_validator("at_most")(_read_only)


class ContextCapsFile(Model):
    """``content/context_caps.yaml``: safety in context that reaches step 2."""

    caps: tuple[ContextCap, ...] = Field(min_length=1)


class Answer(Model):
    code: Id
    text: LocalizedText


class Question(Model):
    id: Id
    label: LocalizedText  # short name for summaries and the clinician view
    text: LocalizedText  # the question as the patient reads it
    help: LocalizedText | None = None
    answers: tuple[Answer, ...] = Field(min_length=2)
    measures: SureNeed | None = None  # SURE items only: which decisional need a "no" points to

    def answer(self, code: str) -> Answer | None:
        return next((a for a in self.answers if a.code == code), None)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.answers)


class SkippedNote(Model):
    """The info flag raised for each safety item left unanswered (``<id>_unanswered``).

    ``{question}`` in the texts is replaced by the item's label.
    """

    message: LocalizedText
    clinician: LocalizedText
    source: Sources
    reviewed_on: dt.date

    _sources = field_validator("source", mode="before")(_one_or_many)


class SectionFile(Model):
    """``content/questions/<id>.yaml``: one section of the questionnaire."""

    id: Id
    order: StrictInt
    kind: Literal["questions", "safety", "sure"]
    title: LocalizedText
    intro: LocalizedText | None = None
    questions: tuple[Question, ...] = Field(min_length=1)
    skipped: SkippedNote | None = None  # safety sections: the note for an unanswered item


class Option(Model):
    id: Id
    name: LocalizedText
    summary: LocalizedText


class OptionsFile(Model):
    options: tuple[Option, ...] = Field(min_length=1)


class RulesFile(Model):
    rules: tuple[Rule, ...] = Field(min_length=1)


class FlagsFile(Model):
    flags: tuple[Flag, ...] = Field(min_length=1)


class Frequency(Model):
    """A side effect as a natural frequency: ``per_1000`` out of 1,000 ``per``."""

    id: Id
    label: LocalizedText
    per_1000: Annotated[float, Field(ge=0, le=1000, strict=False)]
    per: Literal["treatments", "patients"]


class Cell(Model):
    """One option's answer to one patient question in the side-by-side grid.

    ``short`` is the grid answer (about 25 words at most, read across the three
    options like an Option Grid); ``text`` gives the details behind it.
    """

    short: LocalizedText
    text: LocalizedText
    caveat: LocalizedText | None = None  # where the evidence is weaker or sources disagree
    frequencies: tuple[Frequency, ...] = ()
    source: Sources
    reviewed_on: dt.date

    _sources = field_validator("source", mode="before")(_one_or_many)


class Denominator(Model):
    """The one denominator of a row's numbers: "N in <of> <unit>" in every cell."""

    of: Literal[100, 1000, 10000]
    unit: Literal["treatments", "people"]


class Row(Model):
    """One patient question of the grid. ``shown: default`` rows are on screen at
    first (the questions patients ask first); ``more`` rows are one tap away."""

    id: Id
    question: LocalizedText
    shown: Literal["default", "more"]
    denominator: Denominator | None = None  # required when a cell gives "N in M" numbers
    cells: dict[Id, Cell] = Field(min_length=1)

    _cells = field_validator("cells")(_read_only)


class ComparisonFile(Model):
    rows: tuple[Row, ...] = Field(min_length=1)


class UiFile(Model):
    """``content/ui.yaml``: the app's own words (buttons, headings), in both languages.

    ``strings`` are for patients (held to the reading-level check); ``clinician``
    holds the words of the physiotherapist's view, which only staff read.
    """

    strings: dict[Id, LocalizedText] = Field(min_length=1)
    clinician: dict[Id, LocalizedText] = Field(default_factory=dict)

    _strings = field_validator("strings", "clinician")(_read_only)


class LeanThresholds(Model):
    """How the two steps lean: score differences for a slight or strong lean, the cap
    on one topic's points for one target, and the answers needed before comparing."""

    slight: StrictInt = Field(ge=1)
    strong: StrictInt = Field(ge=2)
    topic_cap: StrictInt = Field(default=3, ge=1, le=9)
    min_answered: StrictInt = Field(default=4, ge=1, le=30)

    @model_validator(mode="after")
    def _ordered(self) -> LeanThresholds:
        if self.strong <= self.slight:
            raise ValueError(f"strong ({self.strong}) must be more than slight ({self.slight})")
        return self


class IndexFile(Model):
    """``content/index.yaml``: what the aid is, its date, the lean thresholds and the topics."""

    title: LocalizedText
    decision: LocalizedText
    condition: LocalizedText  # the condition in a few plain lines, before the options
    disclaimer: LocalizedText
    about: LocalizedText
    content_date: dt.date
    review_every_months: StrictInt = Field(default=12, ge=1, le=60)
    lean: LeanThresholds
    topics: dict[Id, LocalizedText] = Field(min_length=1)  # what each topic is about, for the explanation

    _topics = field_validator("topics")(_read_only)
