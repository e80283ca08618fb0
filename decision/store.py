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

The same database keeps the clinician PIN lockout (see :mod:`decision.pin`), so a
new browser tab or another app instance cannot reset it.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    Column,
    DateTime,
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
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.types import TypeDecorator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = Path("data") / "handoffs.sqlite3"  # under the project root
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
Origin = Literal["patient", "clinician"]
ORIGINS: tuple[Origin, ...] = ("patient", "clinician")


def utc_now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------- errors


class StoreError(Exception):
    """The database cannot be used (unreachable, damaged, not writable). One plain line."""


class HandoffError(LookupError):
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


@dataclass(frozen=True, slots=True)
class HandoffRecord:
    code: str
    created_at: datetime  # aware, UTC
    expires_at: datetime  # aware, UTC
    language: str
    answers: dict[str, str]
    content_version: str
    result: dict[str, Any]  # Result.to_json(language)
    origin: Origin = "patient"

    @property
    def flags(self) -> list[dict[str, Any]]:
        return list(self.result.get("flags", []))

    @property
    def sure(self) -> dict[str, Any] | None:
        return self.result.get("sure")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What the person typed, as a code: upper case, without spaces and dashes."""
    return "".join(ch for ch in str(text).upper() if not ch.isspace() and ch not in "-‐‑–—_")


def is_code(text: str) -> bool:
    return len(text) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in text)


# --------------------------------------------------------------------------- configuration


def _secret(secrets_map: Mapping[str, Any] | None, key: str) -> Any:
    """A value from st.secrets or a plain dict; a missing secrets file counts as no value."""
    if secrets_map is None:
        return None
    try:
        return secrets_map.get(key)
    except (KeyError, FileNotFoundError):  # Streamlit raises these when there is no secrets.toml
        return None


def resolve_db_url(secrets_map: Mapping[str, Any] | None = None) -> str:
    """``DECISION_DB_URL``, else ``db_url`` in the secrets, else an SQLite file.

    The file is ``DECISION_DB_PATH`` (relative paths are under the project root) or
    ``data/handoffs.sqlite3`` under the project root.
    """
    url = os.environ.get("DECISION_DB_URL", "").strip()
    if url:
        return url
    value = _secret(secrets_map, "db_url")
    if isinstance(value, str) and value.strip():
        return value.strip()
    path = Path(os.environ.get("DECISION_DB_PATH", "").strip() or DEFAULT_DB_PATH).expanduser()
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    return URL.create("sqlite", database=str(path)).render_as_string()


def resolve_ttl(secrets_map: Mapping[str, Any] | None = None) -> timedelta:
    """``DECISION_HANDOFF_TTL_HOURS``, else ``handoff_ttl_hours`` in the secrets, else 12 hours."""
    raw = os.environ.get("DECISION_HANDOFF_TTL_HOURS", "").strip() or _secret(secrets_map, "handoff_ttl_hours")
    if raw in (None, ""):
        return DEFAULT_TTL
    try:
        hours = float(raw)
    except (TypeError, ValueError):
        raise StoreError(f"handoff_ttl_hours must be a number of hours, got {raw!r}") from None
    if not 0 < hours <= 24 * 7:
        raise StoreError(f"handoff_ttl_hours must be more than 0 and at most 168 (one week), got {raw!r}")
    return timedelta(hours=hours)


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
)

pin_lockout = Table(
    "decision_pin_lockout",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", UTCDateTime, nullable=True),
)


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")  # a saved code survives a power cut too
    finally:
        cur.close()


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
        if file:
            self._prepare_folder(Path(file))
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

    def _prepare_folder(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the folder for the handoff database {path}: {exc.strerror or exc}. "
                "Set DECISION_DB_PATH to a folder the app may write to."
            ) from None
        if path.is_dir():
            raise StoreError(
                f"The handoff database path {path} is a folder, not a file. Set DECISION_DB_PATH to a file path."
            )

    def _create_schema(self) -> None:
        """Create the tables if missing, in one transaction; refuse tables of another shape.

        Several instances may start at once: SQLite serializes them with BEGIN
        IMMEDIATE, PostgreSQL with a transaction-scoped advisory lock.
        """
        try:
            with self._guard("be set up"), self._writer.begin() as conn:
                if self.is_postgresql:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
                metadata.create_all(conn)
                found = inspect(conn)
                for table in metadata.sorted_tables:
                    have = {c["name"] for c in found.get_columns(table.name)}
                    lacking = [c.name for c in table.columns if c.name not in have]
                    if lacking:
                        raise StoreError(
                            f"The table {table.name} in the handoff database {self.where} was made by another "
                            f"version of the app (it lacks {', '.join(lacking)}). Point the app at a new database, "
                            "or move the old table aside: handoff records only live for hours."
                        )
        except StoreError:
            self._engine.dispose()
            raise

    def close(self) -> None:
        self._engine.dispose()

    # ------------------------------------------------------------------ errors

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        try:
            yield
        except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
            # `from None`: SQLAlchemy messages can carry SQL parameters (answers).
            raise StoreError(self._explain(action, exc)) from None

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
        said = _first_line(orig).lower() if connecting else ""
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
            reason = _first_line(orig) if connecting else f"{kind} {state}".strip()
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
    ) -> HandoffRecord:
        """Store a record under a fresh code; expired records (and their codes) are purged first."""
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
        if origin not in ORIGINS:
            raise ValueError(f"origin must be one of {', '.join(ORIGINS)}, got {origin!r}")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in answers.items()):
            raise TypeError("answers must map question ids (str) to answer codes (str)")
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
        }
        with self._guard("save the answers"):
            for _ in range(MAX_CODE_TRIES):
                code = new_code()
                try:
                    with self._writer.begin() as conn:
                        conn.execute(delete(handoffs).where(handoffs.c.expires_at <= created))
                        conn.execute(insert(handoffs).values(code=code, **values))
                except IntegrityError:
                    continue  # that code is live: draw another
                return HandoffRecord(code, created, expires, language, answers, str(content_version), result, origin)
        raise StoreError(f"Could not find a free handoff code after {MAX_CODE_TRIES} tries. Try again.")

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
            raise ExpiredCode(code, row.expires_at)
        try:
            answers, result = json.loads(row.answers), json.loads(row.result)
        except ValueError:
            raise StoreError(f"The record for code {code} is damaged and cannot be read.") from None
        origin: Origin = "clinician" if row.origin == "clinician" else "patient"
        return HandoffRecord(
            row.code, row.created_at, row.expires_at, row.language, answers, row.content_version, result, origin
        )

    def delete(self, code: str) -> bool:
        """Wipe one record now (e.g. when the physiotherapist is done). True if it existed."""
        code = normalize_code(code)
        with self._guard("delete the answers"), self._writer.begin() as conn:
            return conn.execute(delete(handoffs).where(handoffs.c.code == code)).rowcount > 0

    def purge_expired(self, *, now: datetime | None = None) -> int:
        """Delete every expired record; return how many."""
        with self._guard("purge expired answers"), self._writer.begin() as conn:
            return conn.execute(delete(handoffs).where(handoffs.c.expires_at <= self._now(now))).rowcount

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

    def record_pin_failure(
        self, key: str, *, now: datetime, max_failures: int, lock_for: timedelta
    ) -> tuple[int, datetime | None]:
        """Count one wrong PIN atomically; lock when ``max_failures`` is reached.

        A lock that has run out starts a fresh count; a wrong PIN while locked is not counted.
        """
        now = self._now(now)
        with self._guard("save the PIN lockout"):
            for _ in range(3):
                try:
                    with self._writer.begin() as conn:
                        row = conn.execute(
                            select(pin_lockout).where(pin_lockout.c.key == key).with_for_update()
                        ).first()
                        failures, locked = (row.failures, row.locked_until) if row else (0, None)
                        if locked is not None and now < locked:
                            return failures, locked
                        if locked is not None:
                            failures, locked = 0, None
                        failures += 1
                        if failures >= max_failures:
                            locked = now + lock_for
                        if row is None:
                            conn.execute(insert(pin_lockout).values(key=key, failures=failures, locked_until=locked))
                        else:
                            conn.execute(
                                update(pin_lockout)
                                .where(pin_lockout.c.key == key)
                                .values(failures=failures, locked_until=locked)
                            )
                        return failures, locked
                except IntegrityError:
                    continue  # another process created the row first: count again on it
        raise StoreError("Could not save the PIN lockout. Try again.")

    def clear_pin_failures(self, key: str) -> None:
        with self._guard("clear the PIN lockout"), self._writer.begin() as conn:
            conn.execute(delete(pin_lockout).where(pin_lockout.c.key == key))


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
