"""Handoff records: what a patient shares with their physiotherapist, found by a short code.

A record holds the answers, the language, the scored result (``Result.to_json``),
the content version and when it was made and expires. Never a name. The code is
6 characters from an alphabet without look-alikes, drawn with :mod:`secrets`, and
unique among live records (the primary key; a clash is simply drawn again).

The store is SQLAlchemy 2 over a real database: an SQLite file (WAL) by default,
created on first use, or PostgreSQL through ``DECISION_DB_URL`` / ``db_url`` in
``.streamlit/secrets.toml`` (``postgresql+psycopg://user:password@host:5432/name``;
``postgresql://`` and ``postgres://`` mean the same). Both go through the same code:
the tables are created on start (on PostgreSQL under an advisory lock, so several
instances may start at once), connections come from a pool that checks each one
before use (a restarted database is picked up again), and every write is one
transaction, so a failure leaves nothing half-written.

Every database failure becomes a :class:`StoreError` with one plain line; SQL
parameters (the answers) never appear in a message (for PostgreSQL only the error
class is named, never the server's text, which can quote values), and nothing
here logs.

The same database keeps the clinician PIN lockout (see :mod:`decision.records.pin`), so a
new browser tab or another app instance cannot reset it.

Deleted answers are gone, not just unlinked: on SQLite ``secure_delete`` overwrites
them and every deletion is followed by a WAL checkpoint that truncates the log; the
data folder is made private (0700) and the files 0600. An SQLite file that is
removed or replaced while the app runs is noticed (:class:`StoreError`) rather than
written into. :func:`purge` deletes expired records (the app calls it on a schedule,
``python -m decision purge`` from cron).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import secrets
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.sql import Select
from sqlalchemy.types import TypeDecorator

from decision.errors import DecisionError
from decision.records import consent as consent_records
from decision.records import metrics
from decision.records.saved import HandoffRecord, Origin, SavedResultError
from decision.settings import DEFAULT_DB_PATH, PROJECT_ROOT, Settings, SettingsError, load_settings
from decision.settings import read_secrets_file as settings_file

DEFAULT_TTL = timedelta(hours=12)
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 6
BUSY_TIMEOUT_MS = 30_000
MAX_CODE_TRIES = 20
LANGUAGES = ("en", "fr")
# PostgreSQL: fail fast when the server is down or slow, rather than leave a patient waiting.
PG_CONNECT_TIMEOUT_S = 5
PG_STATEMENT_TIMEOUT_MS = 15_000
PG_POOL = {"pool_size": 5, "max_overflow": 10, "pool_timeout": 10, "pool_recycle": 1800}
SCHEMA_LOCK_KEY = 0x4465_6369_6431  # pg_advisory_xact_lock key for creating the tables ("Decid1")
PIN_LOCK_KEY = 0x4465_6369_6432  # one PIN attempt at a time, across instances ("Decid2")
PURGE_LOCK_KEY = 0x4465_6369_6433  # one instance purging at a time ("Decid3")
ORIGINS: tuple[Origin, ...] = ("patient", "clinician")


def utc_now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------- errors


class StoreError(DecisionError):
    """The database cannot be used (unreachable, damaged, not writable). One plain line."""


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


# --------------------------------------------------------------------------- configuration


def _settings(secrets_map: Mapping[str, Any] | None) -> Settings:
    try:
        return load_settings(secrets_map)
    except SettingsError as exc:
        raise StoreError(str(exc)) from None


def resolve_db_url(secrets_map: Mapping[str, Any] | None = None) -> str:
    """``DECISION_DB_URL``, else ``db_url`` in the secrets, else an SQLite file.

    The file is ``DECISION_DB_PATH`` (relative paths are under the project root) or
    ``data/handoffs.sqlite3`` under the project root.
    """
    settings = _settings(secrets_map)
    if settings.db_url:
        return settings.db_url
    return URL.create("sqlite", database=str(settings.sqlite_path)).render_as_string()


def resolve_ttl(secrets_map: Mapping[str, Any] | None = None) -> timedelta:
    """``DECISION_HANDOFF_TTL_HOURS``, else ``handoff_ttl_hours`` in the secrets, else 12 hours."""
    try:
        return _settings(secrets_map).handoff_ttl
    except SettingsError as exc:
        raise StoreError(str(exc)) from None


def local_zone() -> tzinfo:
    """The server's own time zone (``TZ``, else /etc/localtime), with its daylight-saving rules."""
    name = os.environ.get("TZ", "").strip().lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        with open("/etc/localtime", "rb") as f:
            return ZoneInfo.from_file(f, key="localtime")
    except (OSError, ValueError):
        return datetime.now().astimezone().tzinfo or UTC


def resolve_timezone(secrets_map: Mapping[str, Any] | None = None) -> tzinfo:
    """The clinic's time zone for every time a person reads (times are stored in UTC).

    ``DECISION_TIMEZONE``, else ``timezone`` in the secrets: an IANA name such as
    ``America/Toronto``. Without one, the server's local zone. Raises ``ValueError``
    (one plain line) for a name that is not a time zone.
    """
    raw = _settings(secrets_map).timezone
    if raw is None:
        return local_zone()
    try:
        return ZoneInfo(str(raw).strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"timezone must be an IANA time zone name such as America/Toronto, got {str(raw)[:60]!r}"
        ) from None


def read_secrets_file(path: Path | None = None) -> dict[str, Any]:
    """``.streamlit/secrets.toml`` as a dict, for commands run outside the app."""
    try:
        return settings_file(path)
    except SettingsError as exc:
        raise StoreError(str(exc)) from None


# --------------------------------------------------------------------------- schema


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA secure_delete = ON")  # deleted answers are overwritten, not left in free pages
        _retry_busy(lambda: cur.execute("PRAGMA journal_mode = WAL"))
        cur.execute("PRAGMA synchronous = FULL")  # a saved code survives a power cut too
    finally:
        cur.close()


def _is_busy(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", None) or exc).lower()
    return "locked" in text or "busy" in text


def _retry_busy(action: Callable[[], Any], timeout_s: float = BUSY_TIMEOUT_MS / 1000) -> Any:
    """Run ``action``, again while SQLite says the database is locked or busy (up to ``timeout_s``).

    Some statements (switching the journal to WAL, the first ``CREATE TABLE`` in a new
    file) can fail with "database is locked" without waiting for ``busy_timeout``.
    """
    deadline = time.monotonic() + timeout_s
    pause = 0.01
    while True:
        try:
            return action()
        except (sqlite3.OperationalError, SQLAlchemyError) as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock up front: no lock upgrade midway, so busy_timeout
    # applies and concurrent writers queue instead of failing.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("decision_write") else "BEGIN")


# --------------------------------------------------------------------------- the store


class HandoffStore:
    """Handoff records and the PIN lockout, in one database. Safe across threads and processes."""

    def __init__(self, url: str, ttl: timedelta = DEFAULT_TTL, *, clock: Callable[[], datetime] = utc_now):
        if ttl <= timedelta(0):
            raise ValueError("ttl must be positive")
        self.ttl = ttl
        self.clock = clock
        try:
            parsed = _with_default_driver(make_url(url))
        except ArgumentError:
            raise StoreError(
                "The handoff database setting (DECISION_DB_URL or db_url) is not a database URL."
            ) from None
        self.backend = parsed.get_backend_name()
        self.is_sqlite = self.backend == "sqlite"
        self.is_postgresql = self.backend == "postgresql"
        file = parsed.database if self.is_sqlite and parsed.database not in (None, "", ":memory:") else None
        self.where = file or ("(SQLite in memory)" if self.is_sqlite else _describe(parsed))
        self._file: Path | None = Path(file) if file else None
        self._identity: tuple[int, int] | None = None  # (device, inode) of the file in use
        self._shm_seen: tuple[int, int, int] | None = None  # (device, inode, size) of the -shm last seen
        if self._file is not None:
            self._prepare_folder(self._file)
        options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
        if self.is_postgresql:
            options.update(PG_POOL, connect_args=_pg_connect_args(parsed))
        try:
            self._engine: Engine = create_engine(parsed, **options)
        except ImportError as exc:
            raise StoreError(
                f"Cannot use the handoff database {self.where}: its driver is not installed "
                f"({_first_line(exc)}; for PostgreSQL: pip install 'psycopg[binary]')."
            ) from None
        except ArgumentError:
            raise StoreError(
                f"Cannot use the handoff database {self.where}: unknown kind of database "
                "(use sqlite:///path/to/file or postgresql+psycopg://user:password@host/name)."
            ) from None
        if self.is_sqlite:
            event.listen(self._engine, "connect", _sqlite_connect)
            event.listen(self._engine, "begin", _sqlite_begin)
        self._writer = self._engine.execution_options(decision_write=True)
        self._create_schema()
        if self._file is not None:
            self._identity = self._file_identity()
            if self._identity is None:
                self._engine.dispose()
                raise StoreError(f"The handoff database {self.where} vanished while it was being set up.")

    def _prepare_folder(self, path: Path) -> None:
        """The folder (0700 when the app makes it, and always for the default data/) and the file (0600)."""
        folder = path.parent
        try:
            created = not folder.exists()
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the folder for the handoff database {path}: {exc.strerror or exc}. "
                "Set DECISION_DB_PATH to a folder the app may write to."
            ) from None
        if path.is_dir():
            raise StoreError(
                f"The handoff database path {path} is a folder, not a file. Set DECISION_DB_PATH to a file path."
            )
        try:
            if created or folder.resolve() == (PROJECT_ROOT / DEFAULT_DB_PATH).parent.resolve():
                os.chmod(folder, 0o700)
            # SQLite gives its -wal and -shm files the database file's mode: make it 0600 first.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                if each.exists() and stat.S_IMODE(each.stat().st_mode) & 0o077:
                    os.chmod(each, 0o600)
        except OSError as exc:
            raise StoreError(
                f"The handoff database {path} cannot be opened ({exc.strerror or exc}). "
                "Check that the app may write to it and its folder."
            ) from None

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            st_ = os.stat(self._file)  # type: ignore[arg-type]
        except OSError:
            return None
        return st_.st_dev, st_.st_ino

    def _check_file(self) -> None:
        """Refuse to go on when the SQLite file was removed or replaced since the store opened it.

        Open connections would keep writing into the removed file (gone at the next
        restart), or into the old one beside its replacement.
        """
        if self._identity is None:
            return
        now = self._file_identity()
        if now != self._identity:
            what = "removed" if now is None else "replaced by another file"
            raise StoreError(
                f"The handoff database {self.where} was {what} while the app was running. "
                "Nothing more is saved there; restart the app to start a new database."
            )

    def _create_schema(self) -> None:
        """Create the tables if missing, in one transaction; refuse tables of another shape.

        Several instances may start at once: SQLite serializes them with BEGIN
        IMMEDIATE, PostgreSQL with a transaction-scoped advisory lock.
        """

        def create() -> None:
            with self._writer.begin() as conn:
                if self.is_postgresql:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
                metadata.create_all(conn)
                metrics.create_schema(conn)  # the dashboard's counters live in the same database
                consent_records.metadata.create_all(conn)  # consent and SURE-after, beside the records
                found = inspect(conn)
                tables = [
                    *metadata.sorted_tables,
                    *metrics.metadata.sorted_tables,
                    *consent_records.metadata.sorted_tables,
                ]
                for table in tables:
                    have = {c["name"] for c in found.get_columns(table.name)}
                    added = ADDED_COLUMNS.get(table.name, {})
                    for name in [n for n in added if n not in have]:  # a table of the previous version
                        conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {name} {added[name]}"))
                        have.add(name)
                    if table is handoffs:
                        share_key_index.create(conn, checkfirst=True)
                    lacking = [c.name for c in table.columns if c.name not in have]
                    if lacking:
                        raise StoreError(
                            f"The table {table.name} in the handoff database {self.where} was made by another "
                            f"version of the app (it lacks {', '.join(lacking)}). Point the app at a new database, "
                            "or move the old table aside: handoff records only live for hours."
                        )

        try:
            with self._guard("be set up"):
                # Instances starting together: SQLite can answer "database is locked" here
                # without waiting (a new file's first schema change), so wait and try again.
                _retry_busy(create) if self.is_sqlite else create()
        except StoreError:
            self._engine.dispose()
            raise

    def close(self) -> None:
        self._engine.dispose()

    # ------------------------------------------------------------------ errors

    def _check_shm(self) -> None:
        """Never read a shared-memory file (``-shm``) that was cut short, or one that cannot be written.

        SQLite maps the ``-shm`` file into memory; when the file is cut short under
        that map, the next read of it kills the whole process (SIGBUS: no exception,
        no log line), and so does closing the connection (its last checkpoint reads
        it). So before every use: a ``-shm`` shorter than this process has seen it is
        grown back to that size with zeros (SQLite then finds its index blank and
        rebuilds it from the ``-wal`` file, its normal recovery); when it cannot be
        grown, or cannot be opened for writing, every action is refused with a
        :class:`StoreError` (fail closed) until it can. A cut between this look and
        the read itself is not caught (microseconds; see docs/deployment.md).
        """
        if self._file is None:
            return
        shm = self._file.with_name(self._file.name + "-shm")
        try:
            info = os.stat(shm)
        except FileNotFoundError:
            self._shm_seen = None  # removed: a map of the old one stays valid
            return
        except OSError as exc:
            raise StoreError(self._shm_problem(shm, exc.strerror or str(exc))) from None
        if not stat.S_ISREG(info.st_mode):
            raise StoreError(self._shm_problem(shm, "it is not a regular file"))
        seen = self._shm_seen
        if seen is not None and seen[:2] == (info.st_dev, info.st_ino) and info.st_size < seen[2]:
            try:  # the map is still there: make every byte of it backed by the file again
                os.truncate(shm, seen[2])
            except OSError as exc:
                why = f"it was cut short while in use and cannot be restored: {exc.strerror or exc}"
                raise StoreError(self._shm_problem(shm, why)) from None
        # access(), never open(): closing any descriptor of the file would drop SQLite's locks on it.
        if not os.access(shm, os.W_OK):
            raise StoreError(self._shm_problem(shm, "it cannot be written"))

    def _shm_seen_after(self) -> None:
        """Remember the ``-shm`` file after an action (SQLite may have made or grown it)."""
        if self._file is None:
            return
        with suppress(OSError):
            info = os.stat(self._file.with_name(self._file.name + "-shm"))
            seen = self._shm_seen
            if seen is None or (info.st_dev, info.st_ino) != seen[:2]:
                self._shm_seen = (info.st_dev, info.st_ino, info.st_size)
            else:
                self._shm_seen = (info.st_dev, info.st_ino, max(info.st_size, seen[2]))

    def _shm_problem(self, shm: Path, why: str) -> str:
        return (
            f"The handoff database {self.where} is not used now: its shared-memory file {shm.name} is unsafe ({why}). "
            "Nothing was read or saved. Check the file and its folder (owner, permissions); the app tries again "
            "on the next request."
        )

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        self._check_file()
        self._check_shm()
        try:
            yield
        except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
            # `from None`: SQLAlchemy messages can carry SQL parameters (answers).
            raise StoreError(self._explain(action, exc)) from None
        finally:
            self._shm_seen_after()

    def _explain(self, action: str, exc: BaseException) -> str:
        if isinstance(exc, PoolTimeout):
            return f"The handoff database {self.where} is busy: every connection is in use. Try again in a moment."
        if not self.is_sqlite and isinstance(exc, DBAPIError):
            return self._explain_server(action, exc)
        reason = _first_line(getattr(exc, "orig", None) or exc)
        low = reason.lower()
        where = self.where
        if "not a database" in low or "malformed" in low or "corrupt" in low:
            return (
                f"The handoff database {where} is damaged or is not a database file ({reason}). "
                "Move the file aside and restart the app: a new one is made on first use."
            )
        if "readonly" in low or "read-only" in low or "permission denied" in low:
            return (
                f"The handoff database {where} cannot be written ({reason}). "
                "Check that the app may write to it and its folder."
            )
        if "unable to open" in low:
            return (
                f"The handoff database {where} cannot be opened ({reason}). "
                "Check that its folder exists and the app may write there."
            )
        if "locked" in low or "busy" in low:
            return f"The handoff database {where} is busy ({reason}). Try again in a moment."
        if "disk" in low and "full" in low:
            return f"The disk holding the handoff database {where} is full."
        return f"The handoff database {where} could not {action}: {reason}"

    def _explain_server(self, action: str, exc: DBAPIError) -> str:
        """A database server's error, by its SQLSTATE: the server's own text may quote values.

        Only errors raised while connecting (no SQLSTATE: libpq's words about the host,
        the port, the login) are quoted, since no statement has run yet.
        """
        where = self.where
        orig = exc.orig
        state = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
        kind = type(orig).__name__ if orig is not None else type(exc).__name__
        connecting = not state and kind in ("OperationalError", "InterfaceError")
        said = _first_line(orig or exc).lower() if connecting else ""
        login_refused = "authentication failed" in said or ("role" in said and "does not exist" in said)
        if state in ("28P01", "28000") or login_refused:
            return (
                f"The handoff database {where} refused the app's login. "
                "Check the user name and password in DECISION_DB_URL or db_url."
            )
        if state == "3D000" or ("database" in said and "does not exist" in said):
            return f"The handoff database {where} does not exist. Create it (createdb) or fix the name in the URL."
        if state == "53300" or "too many" in said:
            return f"The handoff database {where} has no free connections (too many clients). Try again in a moment."
        if exc.connection_invalidated or connecting or state.startswith("08") or state in ("57P01", "57P02", "57P03"):
            reason = _first_line(orig or exc) if connecting else f"{kind} {state}".strip()
            return (
                f"The handoff database {where} cannot be reached ({reason}). Check that the database "
                "server is running and reachable; the app tries again on the next request."
            )
        if state == "42501":
            return (
                f"The handoff database {where} cannot be written (permission denied). "
                "Grant the app's user the right to create and change its tables."
            )
        if state.startswith("53"):
            return (
                f"The handoff database server for {where} is out of resources ({state}: disk, memory or connections)."
            )
        if state in ("40001", "40P01", "55P03", "57014"):
            return f"The handoff database {where} is busy ({state}). Try again in a moment."
        return f"The handoff database {where} could not {action} ({kind} {state or 'without a code'})."

    def _now(self, now: datetime | None) -> datetime:
        value = now if now is not None else self.clock()
        if value.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        return value.astimezone(UTC)

    # ------------------------------------------------------------------ handoffs

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
        raise StoreError(f"Could not find a free handoff code after {MAX_CODE_TRIES} tries. Try again.")

    def _record(self, row: Any) -> HandoffRecord:
        try:
            answers, result = json.loads(row.answers), json.loads(row.result)
        except ValueError:
            raise StoreError(f"The record for code {row.code} is damaged and cannot be read.") from None
        origin: Origin = "clinician" if row.origin == "clinician" else "patient"
        try:
            return HandoffRecord(
                row.code, row.created_at, row.expires_at, row.language, answers, row.content_version, result, origin
            )
        except SavedResultError:
            raise StoreError(f"The record for code {row.code} is damaged and cannot be read.") from None

    def get(self, code: str, *, now: datetime | None = None) -> HandoffRecord:
        """The live record for ``code`` (as typed); :class:`UnknownCode` or :class:`ExpiredCode` otherwise."""
        code = normalize_code(code)
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

    def delete(self, code: str) -> bool:
        """Wipe one record now (e.g. when the physiotherapist is done). True if it existed."""
        code = normalize_code(code)
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

    @contextmanager
    def transaction(self, action: str) -> Iterator[Connection]:
        """One write transaction, for rows kept beside the records (:mod:`decision.records.consent`)."""
        with self._guard(action), self._writer.begin() as conn:
            yield conn

    @contextmanager
    def reading(self, action: str) -> Iterator[Connection]:
        with self._guard(action), self._engine.connect() as conn:
            yield conn

    def checkpoint(self) -> None:
        """SQLite: copy the write-ahead log into the database file and truncate the log to zero bytes.

        With ``secure_delete`` the deleted rows are overwritten in the database file;
        the log still holds older copies of those pages until it is truncated.
        """
        if not self.is_sqlite:
            return
        with self._guard("clear deleted answers"), self._engine.connect() as conn:
            raw: Any = conn.connection.driver_connection  # autocommit: a checkpoint cannot run inside a transaction
            for _ in range(50):
                busy = _retry_busy(lambda: raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())[0]
                if not busy:
                    return
                time.sleep(0.02)  # a reader still uses the log: wait for it

    def count(self) -> int:
        """Records stored, live or not yet purged."""
        with self._guard("count records"), self._engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(handoffs)).scalar_one()

    # ------------------------------------------------------------------ PIN lockout

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
                        update(pin_lockout)
                        .where(pin_lockout.c.key == key)
                        .values(failures=failures, locked_until=locked)
                    )
                worst = max(worst, failures)
                if locked is not None:
                    locked_until = locked
            since = now - limits.window
            conn.execute(delete(pin_failures).where(pin_failures.c.gate == gate, pin_failures.c.at <= since))
            inserted: Any = conn.execute(insert(pin_failures).values(gate=gate, at=now)).inserted_primary_key
            attempt = inserted[0]
            recent = conn.execute(
                select(func.count()).select_from(pin_failures).where(pin_failures.c.gate == gate)
            ).scalar_one()
            alert = recent >= limits.max_everyone
            if alert:  # the clinic-wide limit: lock everyone (rows of an earlier lock are reused)
                locked_until = now + limits.lock_everyone_for
                conn.execute(delete(pin_lockout).where(pin_lockout.c.key == everyone))
                conn.execute(insert(pin_lockout).values(key=everyone, failures=recent, locked_until=locked_until))
                conn.execute(delete(pin_failures).where(pin_failures.c.gate == gate))
                attempt = None
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


def _codes_expired_by(now: datetime) -> Select[Any]:
    """The codes of records expired at ``now`` (a subquery: their consent rows go with them)."""
    return select(handoffs.c.code).where(handoffs.c.expires_at <= now)


def purge(store: HandoffStore, *, now: datetime | None = None) -> int:
    """Delete every expired record now and return how many (``python -m decision purge``, the app's schedule).

    On SQLite the deleted answers are overwritten and the log truncated; on
    PostgreSQL only one instance purges at a time (the others get 0).
    """
    return store.purge_expired(now=now)


def _with_default_driver(url: URL) -> URL:
    """``postgresql://`` and ``postgres://`` use psycopg 3 (the driver this project pins)."""
    if url.drivername in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    return url


def _describe(url: URL) -> str:
    """Where a server database is, for messages: name, host and port, never the user or password."""
    host = url.host or url.query.get("host") or "the local socket"
    if isinstance(host, tuple):
        host = ",".join(host)
    port = f":{url.port}" if url.port else ""
    return f"{url.database or '(default)'} on {host}{port}"


def _pg_connect_args(url: URL) -> dict[str, Any]:
    """Timeouts for psycopg, unless the URL sets them itself."""
    args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    if "application_name" not in url.query:
        args["application_name"] = "decision-aid"
    if "options" not in url.query:
        args["options"] = f"-c statement_timeout={PG_STATEMENT_TIMEOUT_MS}"
    return args


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__


def open_store(
    secrets_map: Mapping[str, Any] | None = None, *, clock: Callable[[], datetime] = utc_now
) -> HandoffStore:
    """The store the app uses: URL and time-to-live from the environment or the secrets."""
    return HandoffStore(resolve_db_url(secrets_map), resolve_ttl(secrets_map), clock=clock)


class PurgeSchedule:
    """Deletes expired records on time, without waiting for the next share.

    A daemon thread purges every store added with :meth:`add` every ``every``
    seconds; :meth:`soon` purges at once unless the last purge was less than
    ``min_gap`` seconds ago (the app calls it on each clinician action). Failures
    go to ``on_error`` (one plain line, no answers) and are tried again next time.
    Stores are held weakly: a closed, forgotten store is not kept alive.
    """

    def __init__(
        self,
        every: float = 60.0,
        min_gap: float = 30.0,
        *,
        on_error: Callable[[str], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        import threading
        import weakref

        self.every = every
        self.min_gap = min_gap
        self.on_error = on_error
        self.monotonic = monotonic
        self._stores: weakref.WeakSet[HandoffStore] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._last: float | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def add(self, store: HandoffStore) -> None:
        with self._lock:
            self._stores.add(store)

    def tick(self) -> int:
        """Purge every store now; return how many records were removed."""
        with self._lock:
            stores = list(self._stores)
            self._last = self.monotonic()
        removed = 0
        for store in stores:
            try:
                removed += purge(store)
            except StoreError as exc:
                if self.on_error is not None:
                    self.on_error(str(exc))
        return removed

    def soon(self) -> int:
        """Purge now unless a purge ran less than ``min_gap`` seconds ago."""
        with self._lock:
            due = self._last is None or self.monotonic() - self._last >= self.min_gap
        return self.tick() if due else 0

    def start(self) -> None:
        """Start the thread (once)."""
        import threading

        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="decision-purge", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.tick()
