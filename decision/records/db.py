"""The database under the clinic's records: engine, pragmas, schema, guard.

SQLAlchemy 2 over a real database: an SQLite file (WAL) by default, created on first
use, or PostgreSQL through ``DECISION_DB_URL`` / ``db_url`` in
``.streamlit/secrets.toml`` (``postgresql+psycopg://user:password@host:5432/name``;
``postgresql://`` and ``postgres://`` mean the same). Both go through the same code:
the tables (the handoffs, the PIN lockout, the consent kept beside a record, the
dashboard's counters) are created on start (on PostgreSQL under an advisory lock, so
several instances may start at once), connections come from a pool that checks each
one before use (a restarted database is picked up again), and every write is one
transaction, so a failure leaves nothing half-written.

Every database failure becomes a :class:`~decision.records.db_errors.StoreError` with
one plain line and a key for the staff's words (:mod:`decision.records.db_errors`);
nothing here logs.

On SQLite ``secure_delete`` overwrites deleted rows and :meth:`Database.checkpoint`
truncates the log; the data folder is made private (0700) and the files 0600. An
SQLite file that is removed or replaced while the app runs is noticed rather than
written into, and a shared-memory file (``-shm``) cut short is never read
(:meth:`Database._check_shm`).

The settings (URL, time-to-live, time zone) are read by :mod:`decision.settings`; the
``resolve_*`` functions here only turn its errors into a :class:`StoreError`.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import DateTime, MetaData, Table, create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.types import TypeDecorator

from decision.records import consent as consent_records
from decision.records import metrics
from decision.records.db_errors import GUARDED, StoreError, explain, first_line, store_error
from decision.settings import DEFAULT_DB_PATH, PROJECT_ROOT, Settings, SettingsError, load_settings
from decision.settings import read_secrets_file as settings_file

BUSY_TIMEOUT_MS = 30_000
# PostgreSQL: fail fast when the server is down or slow, rather than leave a patient waiting.
PG_CONNECT_TIMEOUT_S = 5
PG_STATEMENT_TIMEOUT_MS = 15_000
PG_POOL = {"pool_size": 5, "max_overflow": 10, "pool_timeout": 10, "pool_recycle": 1800}
SCHEMA_LOCK_KEY = 0x4465_6369_6431  # pg_advisory_xact_lock key for creating the tables ("Decid1")


def utc_now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------- settings


def _settings(secrets_map: Mapping[str, Any] | None) -> Settings:
    try:
        return load_settings(secrets_map)
    except SettingsError as exc:
        raise store_error("clin_db_setting", detail=exc) from None


def resolve_db_url(secrets_map: Mapping[str, Any] | None = None) -> str:
    """``DECISION_DB_URL``, else ``db_url`` in the secrets, else an SQLite file.

    The file is ``DECISION_DB_PATH`` (relative paths are under the project root) or
    ``data/handoffs.sqlite3`` under the project root.
    """
    return db_url_of(_settings(secrets_map))


def db_url_of(settings: Settings) -> str:
    """The database of these settings (the app reads its settings once, then asks this)."""
    if settings.db_url:
        return settings.db_url
    return URL.create("sqlite", database=str(settings.sqlite_path)).render_as_string()


def resolve_ttl(secrets_map: Mapping[str, Any] | None = None) -> timedelta:
    """``DECISION_HANDOFF_TTL_HOURS``, else ``handoff_ttl_hours`` in the secrets, else 12 hours."""
    return ttl_of(_settings(secrets_map))


def ttl_of(settings: Settings) -> timedelta:
    try:
        return settings.handoff_ttl
    except SettingsError as exc:
        raise store_error("clin_db_setting", detail=exc) from None


def resolve_timezone(secrets_map: Mapping[str, Any] | None = None) -> tzinfo:
    """The clinic's time zone (:attr:`decision.settings.Settings.zone`).

    Raises ``ValueError`` (one plain line) for a name that is not a time zone.
    """
    settings = _settings(secrets_map)
    try:
        return settings.zone
    except SettingsError as exc:
        raise ValueError(str(exc)) from None


def read_secrets_file(path: Path | None = None) -> dict[str, Any]:
    """``.streamlit/secrets.toml`` as a dict, for commands run outside the app."""
    try:
        return settings_file(path)
    except SettingsError as exc:
        raise store_error("clin_db_setting", detail=exc) from None


# --------------------------------------------------------------------------- schema and pragmas


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


# --------------------------------------------------------------------------- the database


class Database:
    """One database (SQLite file or PostgreSQL) and its tables. Safe across threads and processes.

    Subclasses name their tables (:attr:`SCHEMA`, and :attr:`ADDED_COLUMNS` for columns
    that tables of an older version lack); the consent and counter tables always go
    with them. Every use goes through :meth:`_guard`, which turns a database failure
    into a :class:`StoreError`.
    """

    SCHEMA: ClassVar[tuple[MetaData, ...]] = ()
    ADDED_COLUMNS: ClassVar[Mapping[str, Mapping[str, str]]] = {}

    def __init__(self, url: str, *, clock: Callable[[], datetime] = utc_now):
        self.clock = clock
        try:
            parsed = _with_default_driver(make_url(url))
        except ArgumentError:
            raise store_error("clin_db_not_a_url") from None
        self.backend = parsed.get_backend_name()
        self.is_sqlite = self.backend == "sqlite"
        self.is_postgresql = self.backend == "postgresql"
        file = parsed.database if self.is_sqlite and parsed.database not in (None, "", ":memory:") else None
        self.where = file or ("(SQLite in memory)" if self.is_sqlite else _describe(parsed))
        # The same place without English words, for the staff's words in their language.
        self.place = file or (":memory:" if self.is_sqlite else _describe(parsed, "{database} ({host}{port})"))
        self._file: Path | None = Path(file) if file else None
        self._identity: tuple[int, int] | None = None  # (device, inode) of the file in use
        self._shm_seen: tuple[int, int, int] | None = None  # (device, inode, size) of the -shm last seen
        if self._file is not None:
            self._prepare_folder(self._file)
        self._engine: Engine = self._new_engine(parsed)
        if self.is_sqlite:
            event.listen(self._engine, "connect", _sqlite_connect)
            event.listen(self._engine, "begin", _sqlite_begin)
        self._writer = self._engine.execution_options(decision_write=True)
        self._create_schema()
        if self._file is not None:
            self._identity = self._file_identity()
            if self._identity is None:
                self._engine.dispose()
                raise store_error("clin_db_vanished", where=self.where, place=self.place)

    def _new_engine(self, parsed: URL) -> Engine:
        options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
        if self.is_postgresql:
            options.update(PG_POOL, connect_args=_pg_connect_args(parsed))
        try:
            return create_engine(parsed, **options)
        except ImportError as exc:
            raise store_error("clin_db_no_driver", where=self.where, place=self.place, reason=first_line(exc)) from None
        except ArgumentError:
            raise store_error("clin_db_unknown_kind", where=self.where, place=self.place) from None

    def _prepare_folder(self, path: Path) -> None:
        """The folder (0700 when the app makes it, and always for the default data/) and the file (0600)."""
        folder = path.parent
        try:
            created = not folder.exists()
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise store_error("clin_db_no_folder", where=path, reason=exc.strerror or exc) from None
        if path.is_dir():
            raise store_error("clin_db_is_folder", where=path)
        try:
            if created or folder.resolve() == (PROJECT_ROOT / DEFAULT_DB_PATH).parent.resolve():
                os.chmod(folder, 0o700)
            # SQLite gives its -wal and -shm files the database file's mode: make it 0600 first.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                if each.exists() and stat.S_IMODE(each.stat().st_mode) & 0o077:
                    os.chmod(each, 0o600)
        except OSError as exc:
            raise store_error("clin_db_file_closed", where=path, reason=exc.strerror or exc) from None

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
            raise store_error(
                "clin_db_removed" if now is None else "clin_db_replaced", where=self.where, place=self.place
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
                for schema in self.SCHEMA:
                    schema.create_all(conn)
                metrics.create_schema(conn)  # the dashboard's counters live in the same database
                consent_records.metadata.create_all(conn)  # consent and SURE-after, beside the records
                tables = [
                    *(table for schema in self.SCHEMA for table in schema.sorted_tables),
                    *metrics.metadata.sorted_tables,
                    *consent_records.metadata.sorted_tables,
                ]
                found = inspect(conn)
                for table in tables:
                    self._bring_up_to_date(conn, table, {c["name"] for c in found.get_columns(table.name)})

        try:
            with self._guard("be set up"):
                # Instances starting together: SQLite can answer "database is locked" here
                # without waiting (a new file's first schema change), so wait and try again.
                _retry_busy(create) if self.is_sqlite else create()
        except StoreError:
            self._engine.dispose()
            raise

    def _bring_up_to_date(self, conn: Connection, table: Table, have: set[str]) -> None:
        """Add the columns a table of the previous version lacks (and their indexes); refuse any other shape."""
        added = self.ADDED_COLUMNS.get(table.name, {})
        for name in [n for n in added if n not in have]:
            conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {name} {added[name]}"))
            have.add(name)
        for index in [i for i in table.indexes if any(c.name in added for c in i.columns)]:
            index.create(conn, checkfirst=True)  # an index on an added column (made above or before)
        lacking = [c.name for c in table.columns if c.name not in have]
        if lacking:
            raise store_error(
                "clin_db_old_table", table=table.name, where=self.where, place=self.place, lacking=", ".join(lacking)
            )

    def close(self) -> None:
        self._engine.dispose()

    # ------------------------------------------------------------------ the guard

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
            raise self._shm_problem(shm, exc.strerror or str(exc)) from None
        if not stat.S_ISREG(info.st_mode):
            raise self._shm_problem(shm, "it is not a regular file")
        seen = self._shm_seen
        if seen is not None and seen[:2] == (info.st_dev, info.st_ino) and info.st_size < seen[2]:
            try:  # the map is still there: make every byte of it backed by the file again
                os.truncate(shm, seen[2])
            except OSError as exc:
                why = f"it was cut short while in use and cannot be restored: {exc.strerror or exc}"
                raise self._shm_problem(shm, why) from None
        # access(), never open(): closing any descriptor of the file would drop SQLite's locks on it.
        if not os.access(shm, os.W_OK):
            raise self._shm_problem(shm, "it cannot be written")

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

    def _shm_problem(self, shm: Path, why: str) -> StoreError:
        return store_error("clin_db_shm_unsafe", where=self.where, place=self.place, shm=shm.name, reason=why)

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        self._check_file()
        self._check_shm()
        try:
            yield
        except GUARDED as exc:
            # `from None`: SQLAlchemy messages can carry SQL parameters (answers).
            raise explain(exc, action=action, where=self.where, place=self.place, is_sqlite=self.is_sqlite) from None
        finally:
            self._shm_seen_after()

    def _now(self, now: datetime | None) -> datetime:
        value = now if now is not None else self.clock()
        if value.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        return value.astimezone(UTC)

    # ------------------------------------------------------------------ for the tables kept here

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


def _with_default_driver(url: URL) -> URL:
    """``postgresql://`` and ``postgres://`` use psycopg 3 (the driver this project pins)."""
    if url.drivername in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    return url


def _describe(url: URL, form: str = "{database} on {host}{port}") -> str:
    """Where a server database is, for messages: name, host and port, never the user or password."""
    host = url.host or url.query.get("host") or "the local socket"
    if isinstance(host, tuple):
        host = ",".join(host)
    port = f":{url.port}" if url.port else ""
    return form.format(database=url.database or "(default)", host=host, port=port)


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
