"""Informed consent for needling and the SURE test asked again after the talk, kept with a record.

The physiotherapist documents, in the clinician view, what was discussed and decided
(:class:`ConsentRecord`), and may ask the four SURE items again after the talk
(:class:`SureAfter`). Both are kept in the handoff database, in their own table keyed
by the handoff code (:data:`consents`), under the record's deletion rules: they are
deleted with the record (:meth:`~decision.records.store.HandoffStore.delete`), by the
purge of expired records, and when an expired record's code is reused. A row also
holds the record's creation time, so it can never be read beside another record
that happens to get the same code later.

Nothing here is free text from the patient: the only typed text is the
physiotherapist's own name and registration number (staff data, not patient data).

Functions: :func:`save_consent`, :func:`save_sure_after`, :func:`save_link` (a
record saved in Assessment mode: the patient's code it started from),
:func:`get_extras` (all three, as :class:`RecordExtras`), :func:`delete_extras`; the store calls
:func:`forget` inside its own delete and purge transactions.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import Column, MetaData, String, Table, Text, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

from decision.errors import DecisionError

if TYPE_CHECKING:
    from decision.content import Content
    from decision.records.handoffs import HandoffStore
    from decision.records.saved import HandoffRecord

# The options a physiotherapist can discuss, and what can be chosen (decide_later: not yet).
DISCUSSED_OPTIONS = ("ims", "acupuncture", "no_needling")
CHOSEN_OPTIONS = ("ims", "acupuncture", "no_needling", "decide_later")
DECISIONS = ("given", "declined", "deferred")
COVERED = ("benefits", "risks", "alternatives", "nothing")  # BRAN

Discussed = Literal["ims", "acupuncture", "no_needling"]
Chosen = Literal["ims", "acupuncture", "no_needling", "decide_later"]
Decision = Literal["given", "declined", "deferred"]
StaffText = Annotated[str, Field(min_length=1, max_length=80)]

metadata = MetaData()

consents = Table(
    "decision_consents",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("record_created_at", String(40), nullable=False),  # ISO, UTC: the record this row belongs to
    Column("consent", Text, nullable=True),  # JSON of a ConsentRecord
    Column("sure_after", Text, nullable=True),  # JSON of a SureAfter
    Column("linked_code", String(16), nullable=True),  # an assessment: the patient's code it started from
)


class ConsentError(DecisionError, ValueError):
    """A consent or SURE entry that cannot be kept (one plain line, no values but the staff's own).

    ``fields`` names the fields at fault (``option_chosen``, ``physio_name``...), so a form
    can name them in its own words."""

    def __init__(self, message: str, fields: tuple[str, ...] = ()):
        super().__init__(message)
        self.fields = fields


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _staff_text(value: str) -> str:
    text = " ".join(str(value).split())
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise ValueError("must be plain text")
    if not text:
        raise ValueError("must not be empty")
    return text


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must be an aware datetime")
    return value.astimezone(UTC)


class ConsentRecord(_Entry):
    """What the physiotherapist documents after the talk.

    ``options_discussed``: the options talked about (ims, acupuncture, no_needling);
    ``option_chosen``: ims, acupuncture, no_needling or decide_later; ``covered_*``:
    benefits, risks, alternatives and doing nothing were covered (BRAN);
    ``questions_answered``: the patient's questions were answered; ``decision``:
    consent given, declined or deferred; ``physio_name`` and ``physio_registration``:
    staff-entered; ``recorded_at`` (UTC) and ``zone``: when, and the clinic's zone it
    is shown in.
    """

    options_discussed: tuple[Discussed, ...] = Field(min_length=1)
    option_chosen: Chosen
    covered_benefits: bool
    covered_risks: bool
    covered_alternatives: bool
    covered_nothing: bool
    questions_answered: bool
    decision: Decision
    physio_name: StaffText
    physio_registration: Annotated[str, Field(min_length=1, max_length=40)]
    recorded_at: datetime
    zone: Annotated[str, Field(max_length=64)] = "UTC"

    _names = field_validator("physio_name", "physio_registration")(_staff_text)
    _when = field_validator("recorded_at")(_aware_utc)

    @field_validator("options_discussed")
    @classmethod
    def _once_each(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(o for o in DISCUSSED_OPTIONS if o in value)

    @model_validator(mode="after")
    def _consistent(self) -> ConsentRecord:
        if self.decision == "given" and self.option_chosen == "decide_later":
            raise ValueError("consent given needs the option chosen (not 'decide later')")
        return self

    @property
    def covered(self) -> tuple[str, ...]:
        """The BRAN items covered, in order: benefits, risks, alternatives, nothing."""
        return tuple(k for k in COVERED if getattr(self, f"covered_{k}"))


class SureAfter(_Entry):
    """The four SURE items asked again after the talk: ``answers`` {SURE question id: yes | no}."""

    answers: dict[Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}$")], Literal["yes", "no"]] = Field(min_length=1)
    recorded_at: datetime

    _when = field_validator("recorded_at")(_aware_utc)


@dataclass(frozen=True, slots=True)
class RecordExtras:
    """What is kept beside one record: the consent and the SURE after the talk (None when not yet)."""

    consent: ConsentRecord | None = None
    sure_after: SureAfter | None = None
    linked_code: str | None = None  # a record saved in Assessment mode: the patient's code it started from


@dataclass(frozen=True, slots=True)
class SureScore:
    score: int
    answered: int
    needs: tuple[str, ...]  # the decisional needs behind each "no"
    not_answered: tuple[str, ...]

    @property
    def unsure(self) -> bool:
        return self.score < 4


def _plain_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False)[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "entry"
        msg = str(err["ctx"]["error"]) if err["type"] == "value_error" else err["msg"]
        parts.append(f"{where}: {msg}")
    return "; ".join(parts)


def make_consent(**fields: Any) -> ConsentRecord:
    """A :class:`ConsentRecord` from form values; :class:`ConsentError` (plain words) if it does not fit."""
    try:
        return ConsentRecord.model_validate(fields)
    except ValidationError as exc:
        # An error of the whole entry is the option chosen against the decision ("given" to "decide later").
        wrong = tuple(dict.fromkeys(str(e["loc"][0]) if e["loc"] else "option_chosen" for e in exc.errors()))
        raise ConsentError(f"The consent cannot be recorded: {_plain_message(exc)}.", wrong) from None


def make_sure_after(content: Content, answers: Mapping[str, str | None], when: datetime) -> SureAfter:
    """The SURE items answered again (unanswered ones left out); only the content's SURE ids, yes or no."""
    given = {q: a for q, a in answers.items() if a is not None}
    unknown = [q for q in given if q not in content.sure_ids]
    if unknown:
        raise ConsentError(f"Not SURE items: {', '.join(sorted(unknown))[:120]}.")
    if not given:
        raise ConsentError("Answer at least one SURE item before saving.")
    try:
        return SureAfter.model_validate({"answers": given, "recorded_at": when})
    except ValidationError as exc:
        raise ConsentError(f"The SURE answers cannot be recorded: {_plain_message(exc)}.") from None


def sure_score(content: Content, answers: Mapping[str, str]) -> SureScore:
    """The SURE score of ``answers`` (yes = 1), as the engine counts it: 3 or less is not yet sure."""
    ids = content.sure_ids
    answered = [q for q in ids if q in answers]
    needs = tuple(need for q, need in content.sure_needs if answers.get(q) == "no")
    return SureScore(
        sum(1 for q in ids if answers.get(q) == "yes"), len(answered), needs, tuple(q for q in ids if q not in answers)
    )


# --------------------------------------------------------------------------- the table


def _stamp(record: HandoffRecord) -> str:
    return record.created_at.astimezone(UTC).isoformat()


def forget(conn: Connection, codes: Sequence[str] | Select[Any]) -> None:
    """Delete the rows of ``codes`` (a list, or a SELECT of codes) inside the caller's transaction."""
    if isinstance(codes, Sequence) and not codes:
        return
    conn.execute(delete(consents).where(consents.c.code.in_(codes)))


def _upsert(store: HandoffStore, record: HandoffRecord, column: str, value: str) -> None:
    from decision.records.handoffs import handoffs

    with store.transaction("save the consent") as conn:
        # The record's row is locked (FOR UPDATE, PostgreSQL), so two saves beside one record
        # (the consent on one device, the SURE after the talk on another) run one after the
        # other: the second finds the first one's row and updates only its own column,
        # instead of inserting a second row and failing. SQLite needs no lock here: its
        # write transactions (BEGIN IMMEDIATE) already run one at a time.
        live = conn.execute(
            select(handoffs.c.created_at, handoffs.c.expires_at).where(handoffs.c.code == record.code).with_for_update()
        ).first()
        if live is None or live.created_at != record.created_at or live.expires_at <= store.clock():
            raise ConsentError(f"The record {record.code} is gone (deleted or expired): nothing was saved beside it.")
        row = conn.execute(select(consents.c.record_created_at).where(consents.c.code == record.code)).first()
        if row is not None and row.record_created_at != _stamp(record):
            conn.execute(delete(consents).where(consents.c.code == record.code))  # a stale row of an old code
            row = None
        if row is None:
            conn.execute(insert(consents).values(code=record.code, record_created_at=_stamp(record), **{column: value}))
        else:
            conn.execute(update(consents).where(consents.c.code == record.code).values(**{column: value}))


def save_consent(store: HandoffStore, record: HandoffRecord, consent: ConsentRecord) -> None:
    """Keep ``consent`` beside ``record`` (replacing an earlier one). :class:`ConsentError` if the record is gone."""
    _upsert(store, record, "consent", consent.model_dump_json())


def save_sure_after(store: HandoffStore, record: HandoffRecord, sure_after: SureAfter) -> None:
    """Keep the SURE answers after the talk beside ``record`` (replacing earlier ones)."""
    _upsert(store, record, "sure_after", sure_after.model_dump_json())


def save_link(store: HandoffStore, record: HandoffRecord, patient_code: str) -> None:
    """Keep, beside a record saved in Assessment mode, the patient's code it started from."""
    _upsert(store, record, "linked_code", patient_code)


def get_extras(store: HandoffStore, record: HandoffRecord) -> RecordExtras:
    """The consent and SURE-after kept with ``record`` (empty when none, or when a row belongs to an older record)."""
    with store.reading("read the consent") as conn:
        row = conn.execute(select(consents).where(consents.c.code == record.code)).first()
    if row is None or row.record_created_at != _stamp(record):
        return RecordExtras()
    try:
        consent = ConsentRecord.model_validate(json.loads(row.consent)) if row.consent else None
        sure_after = SureAfter.model_validate(json.loads(row.sure_after)) if row.sure_after else None
    except (ValueError, ValidationError):
        raise ConsentError(f"The consent kept with code {record.code} is damaged and cannot be read.") from None
    return RecordExtras(consent, sure_after, row.linked_code)


def delete_extras(store: HandoffStore, code: str) -> None:
    """Delete what is kept beside ``code`` (the store's delete already does this with the record)."""
    with store.transaction("delete the consent") as conn:
        forget(conn, [code])
    store.checkpoint()  # SQLite: the deleted row leaves the write-ahead log too
