"""The PIN lockout, kept in the records' database (see :mod:`decision.records.pin`).

A new browser tab, a reload or another app instance cannot reset it: every attempt is
counted in one transaction before the PIN is checked, per client key and for the whole
clinic (a sliding window of wrong PINs, no PIN and no client in it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import Column, Integer, MetaData, String, Table, delete, func, insert, select, text, update
from sqlalchemy.engine import Connection

from decision.records.db import Database, UTCDateTime

PIN_LOCK_KEY = 0x4465_6369_6432  # one PIN attempt at a time, across instances ("Decid2")

metadata = MetaData()

pin_lockout = Table(
    "decision_pin_lockout",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", UTCDateTime, nullable=True),
)

# One row per wrong PIN (no PIN, no client): the clinic-wide limit counts them in a sliding window.
pin_failures = Table(
    "decision_pin_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("gate", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False, index=True),
)


@dataclass(frozen=True, slots=True)
class PinLimits:
    """Per client: ``max_failures`` wrong PINs lock that client for ``lock_for``. For everyone:
    ``max_everyone`` wrong PINs within ``window`` lock the gate for ``lock_everyone_for``."""

    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=5)
    max_everyone: int = 30
    window: timedelta = timedelta(minutes=15)
    lock_everyone_for: timedelta = timedelta(minutes=15)

    @property
    def most_from_one_client(self) -> int:
        """The most wrong PINs one client key can count within ``window``: ``max_failures`` per lock period.

        Its count starts again only when its lock (``lock_for``) runs out, and the window
        keeps attempts newer than ``window``: at most ``ceil(window / lock_for)`` rounds.
        """
        return self.max_failures * math.ceil(self.window / self.lock_for)


@dataclass(frozen=True, slots=True)
class PinTicket:
    """What :meth:`HandoffStore.begin_pin_attempt` decided."""

    may_check: bool  # False: locked, nothing was counted, the PIN must not be checked
    locked_until: datetime | None  # set when locked (or locked by this very attempt if its PIN is wrong)
    failures: int  # the most failures among the clients, this attempt included
    attempt: int | None = None
    locked_everyone: bool = False  # this attempt reached the clinic-wide limit
    keys: tuple[str, ...] = ()
    gate: str = ""


class PinLockout(Database):
    """The PIN lockout tables in a :class:`~decision.records.db.Database`.

    What :class:`~decision.records.pin.PinGate` needs from the database.
    """

    SCHEMA: ClassVar[tuple[MetaData, ...]] = (metadata,)

    def pin_state(self, key: str) -> tuple[int, datetime | None]:
        """(failures so far, locked until) for a PIN gate."""
        with self._guard("read the PIN lockout"), self._engine.connect() as conn:
            row = conn.execute(select(pin_lockout).where(pin_lockout.c.key == key)).first()
        return (row.failures, row.locked_until) if row else (0, None)

    def begin_pin_attempt(self, gate: str, clients: Sequence[str], *, now: datetime, limits: PinLimits) -> PinTicket:
        """Count one PIN attempt BEFORE the PIN is checked, in one transaction.

        ``clients`` are the lockout keys of whoever types (browser session, address).
        While any of them, or the whole ``gate``, is locked, nothing is counted and the
        ticket says so: the PIN must not be checked. Otherwise the attempt counts as a
        wrong PIN for each client and for the clinic-wide window (where it may lock
        everyone); :meth:`pin_attempt_was_right` takes it back. Parallel attempts queue
        (SQLite's write lock, a PostgreSQL advisory lock), so every one is counted.
        Raises :class:`StoreError` when the attempt cannot be recorded: then no PIN
        may be checked.
        """
        now = self._now(now)
        everyone = f"{gate}/*"
        keys = [*dict.fromkeys(clients or [gate])]
        with self._guard("save the PIN attempt"), self._writer.begin() as conn:
            if self.is_postgresql:
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PIN_LOCK_KEY})
            rows = {r.key: r for r in conn.execute(select(pin_lockout).where(pin_lockout.c.key.in_([*keys, everyone])))}
            held = [r.locked_until for r in rows.values() if r.locked_until is not None and now < r.locked_until]
            if held:
                return PinTicket(False, max(held), max((rows[k].failures for k in keys if k in rows), default=0))
            worst, locked_until = _count_clients(conn, rows, keys, now, limits)
            attempt, everyone_until = _count_everyone(conn, gate, now, limits)
            alert = everyone_until is not None
            if alert:
                locked_until = everyone_until
        return PinTicket(True, locked_until, worst, attempt, alert, keys=tuple(keys), gate=gate)

    def pin_attempt_was_right(self, ticket: PinTicket) -> None:
        """The PIN was right: forget its clients' failures, and the attempt in the clinic-wide window."""
        with self._guard("clear the PIN lockout"), self._writer.begin() as conn:
            conn.execute(delete(pin_lockout).where(pin_lockout.c.key.in_(ticket.keys)))
            if ticket.attempt is not None:
                conn.execute(delete(pin_failures).where(pin_failures.c.id == ticket.attempt))
            if ticket.locked_everyone:
                conn.execute(delete(pin_lockout).where(pin_lockout.c.key == f"{ticket.gate}/*"))

    def pin_locks(self, gate: str, clients: Sequence[str], *, now: datetime) -> tuple[int, datetime | None]:
        """(most failures among ``clients``, locked until) for showing a gate's state; nothing is written."""
        now = self._now(now)
        keys = [*dict.fromkeys(clients or [gate])]
        with self._guard("read the PIN lockout"), self._engine.connect() as conn:
            rows = conn.execute(select(pin_lockout).where(pin_lockout.c.key.in_([*keys, f"{gate}/*"]))).all()
        held = [r.locked_until for r in rows if r.locked_until is not None and now < r.locked_until]
        failures = max((r.failures for r in rows if r.key in keys and r.locked_until is None), default=0)
        return failures, (max(held) if held else None)


def _count_clients(
    conn: Connection, rows: dict[str, Any], keys: list[str], now: datetime, limits: PinLimits
) -> tuple[int, datetime | None]:
    """One more wrong PIN for each client key; (the most failures, locked until if this locks one)."""
    worst, locked_until = 0, None
    for key in keys:
        row = rows.get(key)
        failures = row.failures if row is not None and row.locked_until is None else 0
        failures += 1
        locked = now + limits.lock_for if failures >= limits.max_failures else None
        if row is None:
            conn.execute(insert(pin_lockout).values(key=key, failures=failures, locked_until=locked))
        else:
            conn.execute(
                update(pin_lockout).where(pin_lockout.c.key == key).values(failures=failures, locked_until=locked)
            )
        worst = max(worst, failures)
        if locked is not None:
            locked_until = locked
    return worst, locked_until


def _count_everyone(
    conn: Connection, gate: str, now: datetime, limits: PinLimits
) -> tuple[int | None, datetime | None]:
    """One more wrong PIN in the clinic-wide window: (its row id, locked until if this locks everyone).

    At the clinic-wide limit everyone is locked (rows of an earlier lock are reused), the
    window starts again and no row id is kept.
    """
    since = now - limits.window
    conn.execute(delete(pin_failures).where(pin_failures.c.gate == gate, pin_failures.c.at <= since))
    inserted: Any = conn.execute(insert(pin_failures).values(gate=gate, at=now)).inserted_primary_key
    recent = conn.execute(
        select(func.count()).select_from(pin_failures).where(pin_failures.c.gate == gate)
    ).scalar_one()
    if recent < limits.max_everyone:
        return inserted[0], None
    everyone = f"{gate}/*"
    locked_until = now + limits.lock_everyone_for
    conn.execute(delete(pin_lockout).where(pin_lockout.c.key == everyone))
    conn.execute(insert(pin_lockout).values(key=everyone, failures=recent, locked_until=locked_until))
    conn.execute(delete(pin_failures).where(pin_failures.c.gate == gate))
    return None, locked_until
