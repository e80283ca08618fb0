"""decision/records/pin.py: PIN hashing, configuration, the secrets file and the lockout (real SQLite file)."""

from __future__ import annotations

import os
import stat
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pins import QUICK_N, quick_hash

from decision.records.pin import (
    PinAttempt,
    PinGate,
    PinNotConfigured,
    check_new_pin,
    configured_pin_hash,
    hash_pin,
    valid_pin_hash,
    verify_pin,
    write_pin_hash,
)
from decision.records.store import HandoffStore

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self, now: datetime = T0):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin("482916")


@pytest.fixture(scope="module")
def lockout_hash() -> str:
    """The same PIN at scrypt's least cost, for the tests that count many attempts (tests/pins.py)."""
    return quick_hash("482916")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'handoffs.sqlite3'}"


@pytest.fixture
def store(db_url: str):
    s = HandoffStore(db_url)
    yield s
    s.close()


# --------------------------------------------------------------------------- hashing


def test_hash_round_trip(pin_hash: str):
    assert verify_pin("482916", pin_hash)
    assert verify_pin(" 482916\n", pin_hash)  # as read from standard input
    assert not verify_pin("482917", pin_hash)
    assert not verify_pin("", pin_hash)


def test_hash_format_holds_parameters_and_a_random_salt(pin_hash: str):
    name, n, r, p, salt, digest = pin_hash.split("$")
    assert (name, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(salt) == 24 and len(digest) == 44  # base64 of 16 and 32 bytes
    assert "482916" not in pin_hash
    again = hash_pin("482916")
    assert again != pin_hash and verify_pin("482916", again)
    assert valid_pin_hash(pin_hash)


def test_the_quick_hash_of_the_lockout_tests_is_checked_like_a_real_one(lockout_hash: str):
    assert lockout_hash.split("$")[:2] == ["scrypt", str(QUICK_N)] and valid_pin_hash(lockout_hash)
    assert verify_pin("482916", lockout_hash) and not verify_pin("482917", lockout_hash)


def test_a_malformed_hash_never_verifies(pin_hash: str):
    _name, _n, _r, _p, salt, digest = pin_hash.split("$")
    bad = [
        "",
        "482916",
        "scrypt$",
        "bcrypt$16384$8$1$" + salt + "$" + digest,
        f"scrypt$16384$8$1${salt}",
        f"scrypt$16383$8$1${salt}${digest}",  # N not a power of two
        f"scrypt$x$8$1${salt}${digest}",
        f"scrypt$16384$8$1$!!!${digest}",
        f"scrypt$16384$8$1${salt}$short",
        f"scrypt${2**30}$8$1${salt}${digest}",  # would need gigabytes: refused, not computed
    ]
    for stored in bad:
        started = time.thread_time()  # CPU seconds of this thread: refused, not computed, even when busy
        assert verify_pin("482916", stored) is False, stored
        assert not valid_pin_hash(stored)
        assert time.thread_time() - started < 1.0
    assert verify_pin("482916", None) is False  # type: ignore[arg-type]


def test_new_pin_rules():
    assert check_new_pin("482916") is None
    assert check_new_pin("4829") is None
    assert check_new_pin("482916\n") is None
    assert "too short" in check_new_pin("482")
    assert "too long" in check_new_pin("4829164829164")
    assert "digits only" in check_new_pin("48a916")
    assert "digits only" in check_new_pin("48 916")
    assert "digits only" in check_new_pin("٤٨٢٩")  # Arabic-Indic digits are not 0-9
    assert "Type a PIN" in check_new_pin("")
    for weak in ("0000", "777777", "1234", "123456", "4321", "987654", "7890", "0123"):
        assert check_new_pin(weak) is not None, weak


# --------------------------------------------------------------------------- configuration


class NoSecretsFile(dict):
    def get(self, key, default=None):
        raise FileNotFoundError("no secrets.toml")


def test_no_pin_configured(monkeypatch, store: HandoffStore):
    monkeypatch.delenv("CLINICIAN_PIN_HASH", raising=False)
    assert configured_pin_hash(None) is None
    assert configured_pin_hash({}) is None
    assert configured_pin_hash({"clinician_pin_hash": "  "}) is None
    assert configured_pin_hash(NoSecretsFile()) is None
    with pytest.raises(PinNotConfigured) as caught:
        PinGate(store).try_pin("482916", configured_pin_hash({}))
    assert "python -m decision set-pin" in str(caught.value)


def test_env_overrides_secrets(monkeypatch, pin_hash: str):
    other = hash_pin("999111")
    monkeypatch.delenv("CLINICIAN_PIN_HASH", raising=False)
    assert configured_pin_hash({"clinician_pin_hash": pin_hash}) == pin_hash
    monkeypatch.setenv("CLINICIAN_PIN_HASH", other)
    assert configured_pin_hash({"clinician_pin_hash": pin_hash}) == other
    assert configured_pin_hash(None) == other
    monkeypatch.setenv("CLINICIAN_PIN_HASH", "")
    assert configured_pin_hash({"clinician_pin_hash": pin_hash}) == pin_hash


def test_write_pin_hash_creates_the_file_and_folder(tmp_path: Path, pin_hash: str):
    path = tmp_path / ".streamlit" / "secrets.toml"
    write_pin_hash(path, pin_hash)
    assert tomllib.loads(path.read_text()) == {"clinician_pin_hash": pin_hash}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secrets.toml"]  # no temporary file left


def test_write_pin_hash_replaces_the_line_and_keeps_every_other(tmp_path: Path, pin_hash: str):
    path = tmp_path / "secrets.toml"
    original = (
        "# clinic secrets\n"
        'db_url = "postgresql+psycopg://u:p@h/db"\n'
        'clinician_pin_hash = "scrypt$old"\n'
        "handoff_ttl_hours = 8\n"
        "\n"
        "[connections.other]\n"
        'clinician_pin_hash = "inside a table: not ours"\n'
        'token = "abc"\n'
    )
    path.write_text(original)
    os.chmod(path, 0o640)
    write_pin_hash(path, pin_hash)
    text = path.read_text()
    assert text == original.replace('"scrypt$old"', f'"{pin_hash}"')
    data = tomllib.loads(text)
    assert data["clinician_pin_hash"] == pin_hash and data["handoff_ttl_hours"] == 8
    assert data["connections"]["other"] == {"clinician_pin_hash": "inside a table: not ours", "token": "abc"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    newer = hash_pin("135792")
    write_pin_hash(path, newer)
    assert path.read_text() == original.replace('"scrypt$old"', f'"{newer}"')


def test_write_pin_hash_puts_a_new_key_before_the_first_table(tmp_path: Path, pin_hash: str):
    path = tmp_path / "secrets.toml"
    path.write_text('db_url = "sqlite:///x"\n[section]\nkey = 1')
    write_pin_hash(path, pin_hash)
    data = tomllib.loads(path.read_text())
    assert data == {"db_url": "sqlite:///x", "clinician_pin_hash": pin_hash, "section": {"key": 1}}
    path.write_text('db_url = "sqlite:///x"')  # no final newline
    write_pin_hash(path, pin_hash)
    assert tomllib.loads(path.read_text()) == {"db_url": "sqlite:///x", "clinician_pin_hash": pin_hash}


def test_write_pin_hash_refuses_bad_input(tmp_path: Path, pin_hash: str):
    path = tmp_path / "secrets.toml"
    with pytest.raises(ValueError):
        write_pin_hash(path, "482916")  # a PIN, not a hash
    assert not path.exists()
    path.write_text("this is = = not toml\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        write_pin_hash(path, pin_hash)
    assert path.read_text() == "this is = = not toml\n"


# --------------------------------------------------------------------------- lockout


def test_right_pin_opens(store: HandoffStore, pin_hash: str):
    assert PinGate(store).try_pin("482916", pin_hash) == PinAttempt(True, None, 5)


def test_wrong_pins_count_down_then_lock_for_five_minutes(store: HandoffStore, pin_hash: str):
    clock = Clock()
    gate = PinGate(store, clock=clock)
    for left in (4, 3, 2, 1):
        assert gate.try_pin("000000", pin_hash) == PinAttempt(False, None, left)
        clock.advance(seconds=10)
    locked = gate.try_pin("000000", pin_hash)
    assert locked == PinAttempt(False, clock.now + timedelta(minutes=5), 0)
    # While locked even the right PIN is refused, and nothing more is counted.
    clock.advance(minutes=4, seconds=59)
    assert gate.try_pin("482916", pin_hash) == locked
    assert gate.status() == locked
    # The lock runs out: the right PIN opens, and the count starts again.
    clock.advance(seconds=1)
    assert gate.status() == PinAttempt(False, None, 5)
    assert gate.try_pin("482916", pin_hash).ok


def test_after_the_lock_runs_out_wrong_pins_start_a_fresh_count(store: HandoffStore, pin_hash: str):
    clock = Clock()
    gate = PinGate(store, clock=clock)
    for _ in range(5):
        gate.try_pin("1", pin_hash)
    clock.advance(minutes=6)
    assert gate.try_pin("000000", pin_hash) == PinAttempt(False, None, 4)


def test_a_right_pin_clears_earlier_failures(store: HandoffStore, pin_hash: str):
    gate = PinGate(store, clock=Clock())
    for _ in range(4):
        gate.try_pin("000000", pin_hash)
    assert gate.try_pin("482916", pin_hash).ok
    assert gate.try_pin("000000", pin_hash) == PinAttempt(False, None, 4)


def test_the_lock_holds_across_tabs_and_restarts(db_url: str, pin_hash: str):
    clock = Clock()
    first = HandoffStore(db_url)
    for _ in range(3):
        PinGate(first, clock=clock).try_pin("000000", pin_hash)  # a new gate per try, as per page run
    first.close()
    second = HandoffStore(db_url)  # the app restarted, or another instance
    gate = PinGate(second, clock=clock)
    assert gate.status().attempts_left == 2
    gate.try_pin("000000", pin_hash)
    assert gate.try_pin("000000", pin_hash).locked_until == T0 + timedelta(minutes=5)
    second.close()


def test_gates_with_different_keys_are_independent(store: HandoffStore, pin_hash: str):
    clock = Clock()
    for _ in range(5):
        PinGate(store, clock=clock, key="clinic-a").try_pin("000000", pin_hash)
    assert PinGate(store, clock=clock, key="clinic-a").status().locked_until is not None
    assert PinGate(store, clock=clock, key="clinic-b").try_pin("482916", pin_hash).ok


def test_custom_limits(store: HandoffStore, pin_hash: str):
    clock = Clock()
    gate = PinGate(store, max_failures=2, lock_for=timedelta(seconds=30), clock=clock, max_everyone=61)
    gate.try_pin("000000", pin_hash)
    assert gate.try_pin("000000", pin_hash).locked_until == T0 + timedelta(seconds=30)
    clock.advance(seconds=30)
    assert gate.try_pin("482916", pin_hash).ok


# --------------------------------------------------------------------------- attempts recorded first, per client, for everyone


def test_parallel_wrong_pins_are_all_recorded_before_any_is_checked(store: HandoffStore, pin_hash: str):
    # 20 wrong PINs at once from one client: only five may be checked, and the right
    # PIN after them is refused (the count lives in the database, not in the page).
    clock = Clock()
    gate = PinGate(store, clock=clock, clients=["session-1"])
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: gate.try_pin("000000", pin_hash), range(20)))
    assert not any(r.ok for r in results)
    assert sum(r.checked for r in results) == 5
    assert all(r.locked_until == T0 + timedelta(minutes=5) for r in results if not r.checked)
    right = gate.try_pin("482916", pin_hash)
    assert not right.ok and not right.checked and right.locked_until is not None


def test_five_wrong_pins_lock_that_client_only(store: HandoffStore, pin_hash: str):
    clock = Clock()
    one = PinGate(store, clock=clock, clients=["session-1", "address-1"])
    for _ in range(5):
        one.try_pin("000000", pin_hash)
    assert one.try_pin("482916", pin_hash).locked_until == T0 + timedelta(minutes=5)
    # Another tab in the same browser (new session, same address) is still locked out ...
    assert PinGate(store, clock=clock, clients=["session-2", "address-1"]).status().locked_until is not None
    # ... another device is not.
    assert PinGate(store, clock=clock, clients=["session-3", "address-2"]).try_pin("482916", pin_hash).ok


def test_the_clinic_wide_limit_locks_everyone_and_logs_one_alert(store: HandoffStore, lockout_hash: str, caplog):
    clock = Clock()
    caplog.set_level("WARNING", logger="decision_aid")
    # 30 wrong PINs from 10 devices (3 each: no device reaches its own limit) within 15 minutes.
    for i in range(30):
        PinGate(store, clock=clock, clients=[f"device-{i % 10}"]).try_pin("000000", lockout_hash)
        clock.advance(seconds=20)
    fresh = PinGate(store, clock=clock, clients=["a-device-never-seen"])
    refused = fresh.try_pin("482916", lockout_hash)
    assert not refused.ok and not refused.checked and refused.locked_until is not None
    for _ in range(5):  # more attempts while locked: no more alerts
        PinGate(store, clock=clock, clients=["device-1"]).try_pin("000000", lockout_hash)
    alerts = [r for r in caplog.records if "ALERT" in r.getMessage()]
    assert len(alerts) == 1
    assert "482916" not in alerts[0].getMessage() and "000000" not in alerts[0].getMessage()
    clock.advance(minutes=16)
    assert fresh.try_pin("482916", lockout_hash).ok


def test_wrong_pins_spread_over_time_do_not_reach_the_clinic_wide_limit(store: HandoffStore, lockout_hash: str):
    clock = Clock()
    for i in range(40):  # one every minute: never 30 within 15 minutes
        PinGate(store, clock=clock, clients=[f"device-{i}"]).try_pin("000000", lockout_hash)
        clock.advance(minutes=1)
    assert PinGate(store, clock=clock, clients=["another"]).try_pin("482916", lockout_hash).ok


def test_when_the_attempt_cannot_be_recorded_no_pin_is_checked(store: HandoffStore, db_url: str, pin_hash: str):
    import sqlite3

    from decision.records.store import StoreError

    raw = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    raw.execute("CREATE TRIGGER refuse BEFORE INSERT ON decision_pin_failures "
                "BEGIN SELECT RAISE(ABORT, 'attempt log is read-only'); END")  # fmt: skip
    raw.commit()
    raw.close()
    with pytest.raises(StoreError):
        PinGate(store, clients=["session-1"]).try_pin("482916", pin_hash)  # the right PIN, not even checked
    assert store.pin_locks("clinician", ["clinician:session-1"], now=T0) == (0, None)  # nothing half-written


def test_client_keys_are_hashed():
    from decision.records.pin import client_key

    key = client_key("address", "203.0.113.7")
    assert "203.0.113.7" not in key and len(key) <= 40
    assert key == client_key("address", "203.0.113.7") != client_key("session", "203.0.113.7")
