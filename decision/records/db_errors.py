"""Database failures as data: each one is a :class:`StoreError` carrying a key and its fields.

The key names the words in ``content/ui.yaml`` (the ``clinician:`` section), so the
clinician page shows them in the staff's language; ``str(exc)`` stays one English
sentence (:data:`ENGLISH`) for the log and the command line. Which key a failure gets is
looked up in tables, as httpx maps its transport's exceptions: SQLSTATE codes and their
classes for PostgreSQL (:data:`SQLSTATES`, :data:`SQLSTATE_CLASSES`), the words of
SQLite's message for SQLite (:data:`SQLITE_SAYS`), the words of libpq while connecting
(:data:`CONNECTING_SAYS`).

SQL parameters (the answers) never appear in a message: for PostgreSQL only the error
class and SQLSTATE are named, never the server's text, which can quote values.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from decision.errors import DecisionError

# The words a staff member reads when no key fits (a StoreError made from a plain sentence).
DEFAULT_KEY = "clin_db_error"

# One English sentence per key, for the log and the command line (the staff's words are in ui.yaml).
ENGLISH: Mapping[str, str] = {
    DEFAULT_KEY: "{detail}",
    "clin_db_setting": "{detail}",
    "clin_db_pool_busy": "The handoff database {where} is busy: every connection is in use. Try again in a moment.",
    "clin_db_damaged": (
        "The handoff database {where} is damaged or is not a database file ({reason}). "
        "Move the file aside and restart the app: a new one is made on first use."
    ),
    "clin_db_read_only": (
        "The handoff database {where} cannot be written ({reason}). Check that the app may write to it and its folder."
    ),
    "clin_db_cannot_open": (
        "The handoff database {where} cannot be opened ({reason}). "
        "Check that its folder exists and the app may write there."
    ),
    "clin_db_busy": "The handoff database {where} is busy ({reason}). Try again in a moment.",
    "clin_db_disk_full": "The disk holding the handoff database {where} is full.",
    "clin_db_failed": "The handoff database {where} could not {action}: {reason}",
    "clin_db_login": (
        "The handoff database {where} refused the app's login. "
        "Check the user name and password in DECISION_DB_URL or db_url."
    ),
    "clin_db_missing": "The handoff database {where} does not exist. Create it (createdb) or fix the name in the URL.",
    "clin_db_no_connections": (
        "The handoff database {where} has no free connections (too many clients). Try again in a moment."
    ),
    "clin_db_unreachable": (
        "The handoff database {where} cannot be reached ({reason}). Check that the database "
        "server is running and reachable; the app tries again on the next request."
    ),
    "clin_db_denied": (
        "The handoff database {where} cannot be written (permission denied). "
        "Grant the app's user the right to create and change its tables."
    ),
    "clin_db_out_of_resources": (
        "The handoff database server for {where} is out of resources ({reason}: disk, memory or connections)."
    ),
    "clin_db_server_failed": "The handoff database {where} could not {action} ({reason}).",
    "clin_db_not_a_url": "The handoff database setting (DECISION_DB_URL or db_url) is not a database URL.",
    "clin_db_no_driver": (
        "Cannot use the handoff database {where}: its driver is not installed "
        "({reason}; for PostgreSQL: pip install 'psycopg[binary]')."
    ),
    "clin_db_unknown_kind": (
        "Cannot use the handoff database {where}: unknown kind of database "
        "(use sqlite:///path/to/file or postgresql+psycopg://user:password@host/name)."
    ),
    "clin_db_vanished": "The handoff database {where} vanished while it was being set up.",
    "clin_db_no_folder": (
        "Cannot create the folder for the handoff database {where}: {reason}. "
        "Set DECISION_DB_PATH to a folder the app may write to."
    ),
    "clin_db_is_folder": (
        "The handoff database path {where} is a folder, not a file. Set DECISION_DB_PATH to a file path."
    ),
    "clin_db_file_closed": (
        "The handoff database {where} cannot be opened ({reason}). Check that the app may write to it and its folder."
    ),
    "clin_db_removed": (
        "The handoff database {where} was removed while the app was running. "
        "Nothing more is saved there; restart the app to start a new database."
    ),
    "clin_db_replaced": (
        "The handoff database {where} was replaced by another file while the app was running. "
        "Nothing more is saved there; restart the app to start a new database."
    ),
    "clin_db_old_table": (
        "The table {table} in the handoff database {where} was made by another version of the app "
        "(it lacks {lacking}). Point the app at a new database, or move the old table aside: "
        "handoff records only live for hours."
    ),
    "clin_db_shm_unsafe": (
        "The handoff database {where} is not used now: its shared-memory file {shm} is unsafe ({reason}). "
        "Nothing was read or saved. Check the file and its folder (owner, permissions); the app tries again "
        "on the next request."
    ),
    "clin_db_no_free_code": "Could not find a free handoff code after {tries} tries. Try again.",
    "clin_db_damaged_record": "The record for code {code} is damaged and cannot be read.",
}


class StoreError(DecisionError):
    """The database cannot be used (unreachable, damaged, not writable). One plain line.

    ``key`` names the staff's words in ``content/ui.yaml``; ``fields`` fill them. Made
    from a plain sentence (``StoreError("...")``), the key is :data:`DEFAULT_KEY`.
    """

    def __init__(self, message: str, *, key: str = DEFAULT_KEY, fields: Mapping[str, str] | None = None):
        super().__init__(message)
        self.key = key
        self.fields: dict[str, str] = dict(fields or {})


def store_error(key: str, **fields: object) -> StoreError:
    """The :class:`StoreError` for ``key``, its English sentence filled from ``fields``.

    ``where`` names the database in English words (a file path, or "name on host:port");
    ``place`` (by default ``where``) names it without words, for the staff's words.
    """
    values = {name: str(value) for name, value in fields.items()}
    if "where" in values:
        values.setdefault("place", values["where"])
    return StoreError(ENGLISH[key].format(**values), key=key, fields=values)


# --------------------------------------------------------------------------- the tables

# PostgreSQL, by SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html).
SQLSTATES: Mapping[str, str] = {
    "28P01": "clin_db_login",  # invalid_password
    "28000": "clin_db_login",  # invalid_authorization_specification
    "3D000": "clin_db_missing",  # invalid_catalog_name
    "53300": "clin_db_no_connections",  # too_many_connections
    "57P01": "clin_db_unreachable",  # admin_shutdown
    "57P02": "clin_db_unreachable",  # crash_shutdown
    "57P03": "clin_db_unreachable",  # cannot_connect_now
    "42501": "clin_db_denied",  # insufficient_privilege
    "40001": "clin_db_busy",  # serialization_failure
    "40P01": "clin_db_busy",  # deadlock_detected
    "55P03": "clin_db_busy",  # lock_not_available
    "57014": "clin_db_busy",  # query_canceled (the statement timeout)
}
# By the SQLSTATE's class (its first two characters), when the code itself is not above.
SQLSTATE_CLASSES: Mapping[str, str] = {
    "08": "clin_db_unreachable",  # connection exception
    "53": "clin_db_out_of_resources",  # insufficient resources
}
# libpq's words while connecting (no SQLSTATE yet): every word of one entry must be there.
CONNECTING_SAYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("clin_db_login", ("authentication failed",)),
    ("clin_db_login", ("role", "does not exist")),
    ("clin_db_missing", ("database", "does not exist")),
    ("clin_db_no_connections", ("too many",)),
)
# SQLite's words, in this order: every word of one entry must be in the message.
SQLITE_SAYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("clin_db_damaged", ("not a database",)),
    ("clin_db_damaged", ("malformed",)),
    ("clin_db_damaged", ("corrupt",)),
    ("clin_db_read_only", ("readonly",)),
    ("clin_db_read_only", ("read-only",)),
    ("clin_db_read_only", ("permission denied",)),
    ("clin_db_cannot_open", ("unable to open",)),
    ("clin_db_busy", ("locked",)),
    ("clin_db_busy", ("busy",)),
    ("clin_db_disk_full", ("disk", "full")),
)
# What a server's error names in its sentence (by default its SQLSTATE): never the server's text.
SERVER_REASONS: Mapping[str, str] = {"clin_db_unreachable": "{kind} {state}", "clin_db_server_failed": "{kind} {code}"}
# These keys stand even when the connection was lost or never made; any other becomes unreachable.
OUTRANK_A_LOST_CONNECTION = frozenset({"clin_db_login", "clin_db_missing", "clin_db_no_connections"})
# Errors the guard turns into a StoreError (the rest are bugs and stay as they are).
GUARDED = (SQLAlchemyError, sqlite3.Error, OSError)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__


def said(text: str, table: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    """The key of the first entry of ``table`` whose words are all in ``text`` (lower case)."""
    low = text.lower()
    return next((key for key, words in table if all(word in low for word in words)), None)


def explain(exc: BaseException, *, action: str, where: str, place: str, is_sqlite: bool) -> StoreError:
    """The :class:`StoreError` for a failure of ``action`` on the database ``where`` (``place``, in no words)."""
    if isinstance(exc, PoolTimeout):
        return store_error("clin_db_pool_busy", where=where, place=place)
    if not is_sqlite and isinstance(exc, DBAPIError):
        return explain_server(exc, action=action, where=where, place=place)
    reason = first_line(getattr(exc, "orig", None) or exc)
    key = said(reason, SQLITE_SAYS) or "clin_db_failed"
    return store_error(key, where=where, place=place, reason=reason, action=action)


def sqlstate(exc: DBAPIError) -> tuple[str, str]:
    """(SQLSTATE or "", the driver's error class) of a server's error."""
    orig: Any = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or ""
    return str(state), type(orig).__name__ if orig is not None else type(exc).__name__


def explain_server(exc: DBAPIError, *, action: str, where: str, place: str) -> StoreError:
    """A database server's error, by its SQLSTATE: the server's own text may quote values.

    Only errors raised while connecting (no SQLSTATE: libpq's words about the host,
    the port, the login) are quoted, since no statement has run yet.
    """
    state, kind = sqlstate(exc)
    connecting = not state and kind in ("OperationalError", "InterfaceError")
    words = first_line(exc.orig or exc) if connecting else ""
    key = SQLSTATES.get(state) or SQLSTATE_CLASSES.get(state[:2]) or said(words, CONNECTING_SAYS)
    if key not in OUTRANK_A_LOST_CONNECTION and (exc.connection_invalidated or connecting):
        key = "clin_db_unreachable"
    key = key or "clin_db_server_failed"
    if key == "clin_db_unreachable" and connecting:
        reason = words  # libpq's words about the host, the port: no statement has run yet
    else:
        reason = SERVER_REASONS.get(key, "{state}").format(kind=kind, state=state, code=state or "without a code")
        reason = reason.strip()
    return store_error(key, where=where, place=place, reason=reason, action=action)
