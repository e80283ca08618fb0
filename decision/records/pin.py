"""The clinician PIN: a salted scrypt hash, never the PIN itself, and a lockout.

``python -m decision set-pin`` reads a PIN on standard input, checks it with
:func:`check_new_pin`, and writes :func:`hash_pin`'s output as ``clinician_pin_hash``
into ``.streamlit/secrets.toml`` (:func:`write_pin_hash`). ``CLINICIAN_PIN_HASH`` in
the environment overrides the file (:func:`configured_pin_hash`).

:class:`PinGate` records every attempt in the database before it checks the PIN
(see :mod:`decision.records.store`), so parallel attempts, a new browser tab or another app
instance cannot get more tries: five wrong PINs lock that client for five minutes,
and 30 wrong PINs within 15 minutes lock everyone for 15 minutes.

A client is each of its keys (:func:`client_key`): the browser session, the network
address when there is one, and the device key a browser keeps (``ui.device_id``), so a
reload, a new tab or a kiosk on the app's own computer (no address) keeps its count.
One client alone cannot reach the clinic-wide limit: within 15 minutes its own lock
lets at most 3 x 5 = 15 wrong PINs through (:attr:`PinLimits.most_from_one_client`),
and :class:`PinGate` refuses limits where it could.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import itertools
import logging
import os
import re
import secrets
import stat
import tempfile
import tomllib
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from decision.errors import DecisionError
from decision.settings import SettingsError, load_settings

SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_DKLEN = 2**14, 8, 1, 32
SALT_BYTES = 16
MIN_DIGITS, MAX_DIGITS = 4, 12
SECRETS_KEY = "clinician_pin_hash"
ENV_KEY = "CLINICIAN_PIN_HASH"
_MAX_SCRYPT_MEMORY = 256 * 1024 * 1024  # refuse hashes that would need more (a crafted hash must not stall the app)


log = logging.getLogger("decision_aid")


class PinNotConfigured(DecisionError):
    """No PIN hash is configured: the clinician view stays closed and says how to set one."""

    def __init__(self) -> None:
        super().__init__("no clinician PIN is set: run 'python -m decision set-pin' (see the README)")


# --------------------------------------------------------------------------- hashing


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, *, n: int = SCRYPT_N) -> str:
    """``scrypt$N$r$p$<salt b64>$<hash b64>`` with a fresh random 16-byte salt. ``n`` is
    scrypt's cost; the hash carries it, so :func:`verify_pin` checks any cost it was made with."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.scrypt(pin.strip().encode("utf-8"), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=SCRYPT_DKLEN)
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _parse(stored_hash: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored_hash.strip().split("$") if isinstance(stored_hash, str) else []
    if len(parts) != 6 or parts[0] != "scrypt" or not all(p.isdigit() for p in parts[1:4]):
        return None
    n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
    if n < 2 or n & (n - 1) or not 1 <= r <= 64 or not 1 <= p <= 64 or 128 * n * r * p > _MAX_SCRYPT_MEMORY:
        return None
    try:
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(salt) < 8 or not 16 <= len(digest) <= 64:
        return None
    return n, r, p, salt, digest


def valid_pin_hash(stored_hash: str) -> bool:
    """True if ``stored_hash`` looks like :func:`hash_pin` output (so a typo in the secrets can be reported)."""
    return _parse(stored_hash) is not None


def verify_pin(pin: str, stored_hash: str) -> bool:
    """Constant-time check of ``pin`` against a :func:`hash_pin` string; False on a malformed hash."""
    parsed = _parse(stored_hash)
    if parsed is None or not isinstance(pin, str):
        return False
    n, r, p, salt, expected = parsed
    try:
        got = hashlib.scrypt(
            pin.strip().encode("utf-8"),
            salt=salt,
            n=n,
            r=r,
            p=p,
            dklen=len(expected),
            maxmem=2 * 128 * n * r * p + 1024 * 1024,
        )
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got, expected)


def check_new_pin(pin: str) -> str | None:
    """Why ``pin`` is not a good PIN, in one sentence; None when it is fine."""
    pin = pin.strip()
    if not pin:
        return f"Type a PIN of {MIN_DIGITS} to {MAX_DIGITS} digits."
    if not (pin.isascii() and pin.isdigit()):
        return "A PIN has digits only (0-9): no letters, spaces or other signs."
    if len(pin) < MIN_DIGITS:
        return f"That PIN is too short: use at least {MIN_DIGITS} digits (6 or more is safer)."
    if len(pin) > MAX_DIGITS:
        return f"That PIN is too long: use at most {MAX_DIGITS} digits."
    if len(set(pin)) == 1:
        return "That PIN is one digit repeated, which is easy to guess: choose another."
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({1}, {9}):
        return "That PIN is a simple sequence (like 1234 or 9876), which is easy to guess: choose another."
    return None


# --------------------------------------------------------------------------- configuration


def configured_pin_hash(secrets_map: Mapping[str, Any] | None = None) -> str | None:
    """``CLINICIAN_PIN_HASH`` from the environment, else ``clinician_pin_hash`` from the secrets, else None."""
    try:
        value = load_settings(secrets_map).clinician_pin_hash
    except SettingsError:  # a secrets value of the wrong kind: no usable PIN
        return None
    return value if isinstance(value, str) and value else None


_KEY_LINE = re.compile(rf"""^\s*(?:{SECRETS_KEY}|"{SECRETS_KEY}"|'{SECRETS_KEY}')\s*=""")


def write_pin_hash(secrets_path: Path, pin_hash: str) -> None:
    """Set ``clinician_pin_hash`` in a TOML secrets file, keeping every other line.

    Creates the file and its folder if missing (file mode 600), replaces an existing
    top-level ``clinician_pin_hash`` line, and writes atomically (temporary file, then
    rename), so a crash never leaves half a file.
    """
    if not valid_pin_hash(pin_hash):
        raise ValueError("not a PIN hash made by hash_pin()")
    path = Path(os.path.realpath(secrets_path))
    old = path.read_bytes().decode("utf-8") if path.exists() else ""
    text = _with_pin_hash(old, pin_hash)
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{secrets_path} is not valid TOML ({exc}); fix it, then set the PIN again") from None
    if parsed.get(SECRETS_KEY) != pin_hash:
        raise ValueError(
            f"could not set {SECRETS_KEY} in {secrets_path}: it is defined in an unusual way; edit it by hand"
        )
    _write_atomically(path, text)


def _with_pin_hash(old: str, pin_hash: str) -> str:
    """The secrets file's text with its top-level ``clinician_pin_hash`` line set (in place, or added)."""
    newline = "\r\n" if "\r\n" in old else "\n"
    entry = f'{SECRETS_KEY} = "{pin_hash}"{newline}'
    lines = old.splitlines(keepends=True)
    first_table = next((i for i, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines))
    top = [line for line in lines[:first_table] if not _KEY_LINE.match(line)]
    replaced_at = next((i for i, line in enumerate(lines[:first_table]) if _KEY_LINE.match(line)), None)
    if replaced_at is not None:  # same place as before
        top.insert(replaced_at, entry)
    else:  # top-level keys must come before the first [table]
        if top and not top[-1].endswith(("\n", "\r")):
            top[-1] += newline
        top.append(entry)
    return "".join(top + lines[first_table:])


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename, keeping the file's mode (600 if new)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o600
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------- lockout


class LockoutStore(Protocol):
    """What :class:`PinGate` needs from the database (``decision.records.store.HandoffStore`` has it)."""

    def begin_pin_attempt(self, gate: str, clients: Sequence[str], *, now: datetime, limits: Any) -> Any: ...

    def pin_attempt_was_right(self, ticket: Any) -> None: ...

    def pin_locks(self, gate: str, clients: Sequence[str], *, now: datetime) -> tuple[int, datetime | None]: ...


@dataclass(frozen=True, slots=True)
class PinAttempt:
    ok: bool
    locked_until: datetime | None  # set while locked: no PIN is checked until then
    attempts_left: int
    checked: bool = field(default=True, compare=False)  # False: refused while locked, the PIN was not looked at


def _utc_now() -> datetime:
    return datetime.now(UTC)


def client_key(kind: str, value: str) -> str:
    """A lockout key for one client (``kind`` "session", "address" or "device"): hashed, so no address is stored."""
    digest = hashlib.sha256(f"{kind}\0{value}".encode()).hexdigest()[:32]
    return f"{kind[:1]}:{digest}"


class PinGate:
    """Checks PINs. Every attempt is recorded in the database before its PIN is checked.

    Per client (the keys in ``clients``: the browser session and its address),
    ``max_failures`` wrong PINs lock that client for ``lock_for``; other clients can
    still unlock. For everyone, ``max_everyone`` wrong PINs within ``window`` lock the
    gate for ``lock_everyone_for`` and log one alert line (no PIN, no code in it).
    Without clients the gate's own ``key`` is the one client (every browser shares it).
    If an attempt cannot be recorded, :class:`decision.records.store.StoreError` is raised and
    no PIN is checked.
    """

    def __init__(
        self,
        store: LockoutStore,
        max_failures: int = 5,
        lock_for: timedelta = timedelta(minutes=5),
        clock: Callable[[], datetime] = _utc_now,
        key: str = "clinician",
        clients: Sequence[str] = (),
        max_everyone: int = 30,
        window: timedelta = timedelta(minutes=15),
        lock_everyone_for: timedelta = timedelta(minutes=15),
    ):
        if max_failures < 1 or max_everyone < 1:
            raise ValueError("max_failures and max_everyone must be at least 1")
        from decision.records.lockout import PinLimits

        limits = PinLimits(max_failures, lock_for, max_everyone, window, lock_everyone_for)
        if max_everyone <= limits.most_from_one_client:
            raise ValueError(
                f"max_everyone ({max_everyone}) must be more than one client can reach within its own limits "
                f"({limits.most_from_one_client} wrong PINs within the window): one device must not lock everyone"
            )
        self.store = store
        self.max_failures = max_failures
        self.lock_for = lock_for
        self.clock = clock
        self.key = key
        self.clients = tuple(f"{key}:{c}" for c in clients)
        self.limits = limits

    def status(self) -> PinAttempt:
        """Where the gate stands now for these clients, without trying a PIN (``ok`` is always False)."""
        failures, locked = self.store.pin_locks(self.key, self.clients, now=self.clock())
        if locked is not None:
            return PinAttempt(False, locked, 0, checked=False)
        return PinAttempt(False, None, max(self.max_failures - failures, 0), checked=False)

    def try_pin(self, pin: str, stored_hash: str | None) -> PinAttempt:
        """Check one PIN. While locked, nothing is checked. Raises :class:`PinNotConfigured` without a hash."""
        if not stored_hash:
            raise PinNotConfigured()
        ticket = self.store.begin_pin_attempt(self.key, self.clients, now=self.clock(), limits=self.limits)
        if not ticket.may_check:
            return PinAttempt(False, ticket.locked_until, 0, checked=False)
        if verify_pin(pin, stored_hash):
            self.store.pin_attempt_was_right(ticket)
            return PinAttempt(True, None, self.max_failures)
        if ticket.locked_everyone:
            log.warning(
                "ALERT: %d wrong clinician PINs within %d minutes from all devices together: "
                "the clinician view is locked for everyone until %s UTC.",
                self.limits.max_everyone, self.limits.window.total_seconds() // 60,
                f"{ticket.locked_until:%Y-%m-%d %H:%M}",
            )  # fmt: skip
        if ticket.locked_until is not None:
            return PinAttempt(False, ticket.locked_until, 0)
        return PinAttempt(False, None, max(self.max_failures - ticket.failures, 0))
