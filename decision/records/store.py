"""The handoff store, by one name: what the app, the command line and the docs import.

The work is split by concern; this module only gathers the public names:

- :mod:`decision.records.db`: the engine, the pragmas, the schema (with the consent and
  counter tables), the guard around every use (the ``-shm`` check, busy retries), and
  the store's settings (read by :mod:`decision.settings`);
- :mod:`decision.records.db_errors`: every database failure as a :class:`StoreError`
  with a key for the staff's words in ``content/ui.yaml``, looked up in tables;
- :mod:`decision.records.handoffs`: :class:`HandoffStore` (save, get, delete) and the codes;
- :mod:`decision.records.lockout`: the PIN lockout kept in the same database;
- :mod:`decision.records.purge`: :func:`purge` and :class:`PurgeSchedule`.
"""

from __future__ import annotations

from decision.records.db import (
    BUSY_TIMEOUT_MS,
    PG_CONNECT_TIMEOUT_S,
    PG_POOL,
    PG_STATEMENT_TIMEOUT_MS,
    SCHEMA_LOCK_KEY,
    Database,
    UTCDateTime,
    read_secrets_file,
    resolve_db_url,
    resolve_timezone,
    resolve_ttl,
    utc_now,
)
from decision.records.db_errors import StoreError
from decision.records.handoffs import (
    CODE_ALPHABET,
    CODE_LENGTH,
    LANGUAGES,
    MAX_CODE_TRIES,
    ORIGINS,
    PURGE_LOCK_KEY,
    ExpiredCode,
    HandoffError,
    HandoffStore,
    UnknownCode,
    handoffs,
    is_code,
    new_code,
    normalize_code,
    open_store,
)
from decision.records.lockout import PIN_LOCK_KEY, PinLimits, PinLockout, PinTicket, pin_failures, pin_lockout
from decision.records.purge import PurgeSchedule, purge
from decision.records.saved import HandoffRecord
from decision.settings import DEFAULT_TTL, PROJECT_ROOT, local_zone

__all__ = [
    "BUSY_TIMEOUT_MS",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "DEFAULT_TTL",
    "LANGUAGES",
    "MAX_CODE_TRIES",
    "ORIGINS",
    "PG_CONNECT_TIMEOUT_S",
    "PG_POOL",
    "PG_STATEMENT_TIMEOUT_MS",
    "PIN_LOCK_KEY",
    "PROJECT_ROOT",
    "PURGE_LOCK_KEY",
    "SCHEMA_LOCK_KEY",
    "Database",
    "ExpiredCode",
    "HandoffError",
    "HandoffRecord",
    "HandoffStore",
    "PinLimits",
    "PinLockout",
    "PinTicket",
    "PurgeSchedule",
    "StoreError",
    "UTCDateTime",
    "UnknownCode",
    "handoffs",
    "is_code",
    "local_zone",
    "new_code",
    "normalize_code",
    "open_store",
    "pin_failures",
    "pin_lockout",
    "purge",
    "read_secrets_file",
    "resolve_db_url",
    "resolve_timezone",
    "resolve_ttl",
    "utc_now",
]
