"""Handoff records: what a patient shares with their physiotherapist, found by a short code.

A record holds the answers, the language, the scored result (``Result.to_json``),
the content version and when it was made and expires. Never a name. The code is
6 characters from an alphabet without look-alikes, drawn with :mod:`secrets`, and
unique among live records (the primary key; a clash is simply drawn again).

:class:`HandoffStore` keeps them in a :class:`~decision.records.db.Database`, beside
the PIN lockout (:mod:`decision.records.lockout`). Deleted answers are gone, not just
unlinked: every deletion is followed by a checkpoint that truncates SQLite's log.
:func:`decision.records.purge.purge` deletes expired records (the app calls it on a
schedule, ``python -m decision purge`` from cron).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Index, MetaData, String, Table, Text, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from decision.errors import DecisionError
from decision.records import consent as consent_records
from decision.records import metrics
from decision.records.db import UTCDateTime, resolve_db_url, resolve_ttl, utc_now
from decision.records.db_errors import StoreError, store_error
from decision.records.lockout import PinLockout
from decision.records.saved import HandoffRecord, Origin, SavedResultError
from decision.settings import DEFAULT_TTL

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 6
MAX_CODE_TRIES = 20
LANGUAGES = ("en", "fr")
PURGE_LOCK_KEY = 0x4465_6369_6433  # one instance purging at a time ("Decid3")
ORIGINS: tuple[Origin, ...] = ("patient", "clinician")


class HandoffError(DecisionError, LookupError):
    """A code that does not lead to a record. The message is for the person who typed it."""


class UnknownCode(HandoffError):
    def __init__(self, code: str):
        self.code = code
        shown = code or "(empty)"
        super().__init__(
            f"No shared answers have the code {shown}. Check the code with the patient: "
            f"it has {CODE_LENGTH} letters and digits, and codes only last a few hours."
        )


class ExpiredCode(HandoffError):
    def __init__(self, code: str, expired_at: datetime):
        self.code = code
        self.expired_at = expired_at
        super().__init__(
            f"The code {code} has expired (at {expired_at:%Y-%m-%d %H:%M} UTC): its answers are no longer available. "
            "Ask the patient to share their answers again, or go through the questions together."
        )


# --------------------------------------------------------------------------- records and codes


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What the person typed, as a code: upper case, without spaces and dashes."""
    return "".join(ch for ch in str(text).upper() if not ch.isspace() and ch not in "-‐‑–—_")


def is_code(text: str) -> bool:
    return len(text) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in text)


# --------------------------------------------------------------------------- the table

metadata = MetaData()

handoffs = Table(
    "decision_handoffs",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
    Column("language", String(8), nullable=False),
    Column("origin", String(16), nullable=False),
    Column("content_version", String(100), nullable=False),
    Column("answers", Text, nullable=False),  # JSON
    Column("result", Text, nullable=False),  # JSON
    # One record per share: a second tap on Share (same key) returns the first record's code.
    Column("share_key", String(64), nullable=True),
)
share_key_index = Index("ux_decision_handoffs_share_key", handoffs.c.share_key, unique=True)
ADDED_COLUMNS = {"decision_handoffs": {"share_key": "VARCHAR(64)"}}  # added to tables of an older version


class HandoffStore(PinLockout):
    """Handoff records and the PIN lockout, in one database. Safe across threads and processes."""

    SCHEMA = (metadata, *PinLockout.SCHEMA)
    ADDED_COLUMNS = ADDED_COLUMNS

    def __init__(self, url: str, ttl: timedelta = DEFAULT_TTL, *, clock: Callable[[], datetime] = utc_now):
        if ttl <= timedelta(0):
            raise ValueError("ttl must be positive")
        self.ttl = ttl
        super().__init__(url, clock=clock)

    def save(
        self,
        answers: Mapping[str, str],
        language: str,
        result_json: Mapping[str, Any],
        content_version: str,
        origin: Origin = "patient",
        *,
        now: datetime | None = None,
        share_key: str | None = None,
    ) -> HandoffRecord:
        """Store a record under a fresh code; expired records (and their codes) are purged first.

        ``share_key`` makes the save idempotent: while a record saved with the same key
        lives, saving again stores nothing and returns that record (its code), so a
        double tap on Share keeps one copy of the answers. Only a hash of the key is
        stored. Concurrent saves with one key (two instances) also end with one record.
        """
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
        if origin not in ORIGINS:
            raise ValueError(f"origin must be one of {', '.join(ORIGINS)}, got {origin!r}")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in answers.items()):
            raise TypeError("answers must map question ids (str) to answer codes (str)")
        if share_key is not None and (not isinstance(share_key, str) or not share_key.strip()):
            raise ValueError("share_key must be a non-empty string (or None)")
        key = hashlib.sha256(share_key.encode("utf-8")).hexdigest() if share_key is not None else None
        created = self._now(now)
        expires = created + self.ttl
        answers = dict(answers)
        result = json.loads(json.dumps(result_json))  # a plain, JSON-safe copy
        values = {
            "created_at": created,
            "expires_at": expires,
            "language": language,
            "origin": origin,
            "content_version": str(content_version),
            "answers": json.dumps(answers, ensure_ascii=False, sort_keys=True),
            "result": json.dumps(result, ensure_ascii=False),
            "share_key": key,
        }
        with self._guard("save the answers"):
            for _ in range(MAX_CODE_TRIES):
                code = new_code()
                try:
                    with self._writer.begin() as conn:
                        consent_records.forget(conn, _codes_expired_by(created))
                        conn.execute(delete(handoffs).where(handoffs.c.expires_at <= created))
                        if key is not None:
                            row = conn.execute(select(handoffs).where(handoffs.c.share_key == key)).first()
                            if row is not None:  # a second tap: the first record stands
                                return self._record(row)
                        conn.execute(insert(handoffs).values(code=code, **values))
                except IntegrityError:
                    continue  # that code is live, or another instance saved this share key: look again
                self._check_file()  # the file was swapped under us: the record is not where codes are read
                return HandoffRecord(code, created, expires, language, answers, str(content_version), result, origin)
        raise store_error("clin_db_no_free_code", tries=MAX_CODE_TRIES)

    def _record(self, row: Any) -> HandoffRecord:
        try:
            answers, result = json.loads(row.answers), json.loads(row.result)
        except ValueError:
            raise store_error("clin_db_damaged_record", code=row.code) from None
        origin: Origin = "clinician" if row.origin == "clinician" else "patient"
        try:
            return HandoffRecord(
                row.code, row.created_at, row.expires_at, row.language, answers, row.content_version, result, origin
            )
        except SavedResultError:
            raise store_error("clin_db_damaged_record", code=row.code) from None

    def get(self, code: str, *, now: datetime | None = None) -> HandoffRecord:
        """The live record for ``code`` (as typed); :class:`UnknownCode` or :class:`ExpiredCode` otherwise.

        A code already in its normal form (the clinician page normalizes what was typed
        to show it) is used as it is: one walk, one normalization.
        """
        code = code if is_code(code) else normalize_code(code)
        if not is_code(code):
            raise UnknownCode(code)
        with self._guard("read the answers"), self._engine.connect() as conn:
            row = conn.execute(select(handoffs).where(handoffs.c.code == code)).first()
        if row is None:
            raise UnknownCode(code)
        if row.expires_at <= self._now(now):
            # Expired answers go now, not at the next scheduled purge (best effort: that purge retries).
            with suppress(StoreError):
                self.purge_expired(now=now)
            raise ExpiredCode(code, row.expires_at)
        return self._record(row)

    def update(
        self,
        code: str,
        answers: Mapping[str, str],
        language: str,
        result_json: Mapping[str, Any],
        content_version: str,
        *,
        now: datetime | None = None,
    ) -> HandoffRecord:
        """Replace the answers and result of a live record, keeping its code and its expiry.

        For the patient who shared and then answered more (the SURE questions at the end
        of the result, or a changed answer): the code they already have stays the one
        to show. :class:`UnknownCode` or :class:`ExpiredCode` when the record is gone.
        """
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in answers.items()):
            raise TypeError("answers must map question ids (str) to answer codes (str)")
        code = code if is_code(code) else normalize_code(code)
        current = self.get(code, now=now)  # gone or expired: said as for a look-up
        values = {
            "language": language,
            "content_version": str(content_version),
            "answers": json.dumps(dict(answers), ensure_ascii=False, sort_keys=True),
            "result": json.dumps(json.loads(json.dumps(result_json)), ensure_ascii=False),
        }
        with self._guard("save the answers"), self._writer.begin() as conn:
            changed = conn.execute(
                update(handoffs).where(handoffs.c.code == code, handoffs.c.expires_at > self._now(now)).values(**values)
            ).rowcount
        if not changed:  # it expired or was deleted between the two statements
            raise ExpiredCode(code, current.expires_at)
        self._check_file()
        return self.get(code, now=now)

    def delete(self, code: str) -> bool:
        """Wipe one record now (e.g. when the physiotherapist is done). True if it existed."""
        code = code if is_code(code) else normalize_code(code)
        with self._guard("delete the answers"), self._writer.begin() as conn:
            consent_records.forget(conn, [code])  # the consent and SURE-after go with it
            found = conn.execute(delete(handoffs).where(handoffs.c.code == code)).rowcount > 0
        if found:
            self.checkpoint()
        return found

    def purge_expired(self, *, now: datetime | None = None) -> int:
        """Delete every expired record; return how many (see also :func:`purge`)."""
        with self._guard("purge expired answers"), self._writer.begin() as conn:
            if self.is_postgresql:  # one instance at a time; the others have nothing left to do
                got = conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": PURGE_LOCK_KEY})
                if not got.scalar_one():
                    return 0
            consent_records.forget(conn, _codes_expired_by(self._now(now)))
            removed = conn.execute(delete(handoffs).where(handoffs.c.expires_at <= self._now(now))).rowcount
            metrics.purge_old(conn, self._now(now))  # counters older than 13 months
        if removed:
            self.checkpoint()
        return removed

    def count(self) -> int:
        """Records stored, live or not yet purged."""
        with self._guard("count records"), self._engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(handoffs)).scalar_one()


def _codes_expired_by(now: datetime) -> Select[Any]:
    """The codes of records expired at ``now`` (a subquery: their consent rows go with them)."""
    return select(handoffs.c.code).where(handoffs.c.expires_at <= now)


def open_store(
    secrets_map: Mapping[str, Any] | None = None, *, clock: Callable[[], datetime] = utc_now
) -> HandoffStore:
    """The store the app uses: URL and time-to-live from the environment or the secrets."""
    return HandoffStore(resolve_db_url(secrets_map), resolve_ttl(secrets_map), clock=clock)
