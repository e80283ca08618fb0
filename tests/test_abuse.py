"""Faults and abuse (issue 18) without a browser: the lockout's arithmetic, one record per
share key (SQLite and a real PostgreSQL server), a ``-shm`` cut short under a live map,
the untrusted-proxy warning, the code look-up limit and invalid content on the tablet
(AppTest). The browser halves are in test_abuse_browser.py."""

from __future__ import annotations

import html
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pins import quick_hash
from servers import PostgresCluster, postgres_cluster
from shipped_content import CONTENT
from streamlit.testing.v1 import AppTest

import ui
from decision import score
from decision.content import DEFAULT_CONTENT_DIR
from decision.records.pin import PinGate, client_key, hash_pin
from decision.records.store import HandoffStore, PinLimits
from ui.words import Words

ROOT = Path(__file__).resolve().parent.parent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANSWERS = {"main_area": "low_back", "lie_still": "yes"}
APP = str(Path(__file__).resolve().parent.parent / "app.py")
RESULT = score(CONTENT, ANSWERS).to_json("en")
EN = Words(CONTENT, "en")
PIN = "2468"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def pg() -> PostgresCluster:
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'handoffs.sqlite3'}"
    return request.getfixturevalue("pg").create_database()


# --------------------------------------------------------------------------- the lockout


def test_one_device_typing_as_fast_as_it_may_for_two_hours_never_locks_everyone(tmp_path: Path, caplog):
    # The kiosk on the app's own computer: every reload is a new session, the device key stays.
    caplog.set_level("WARNING", logger="decision_aid")
    store = HandoffStore(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    clock = Clock()
    pin_hash = quick_hash(PIN)  # attempts are counted here, not hashed (tests/pins.py)
    checked = 0
    for reload in range(2 * 60 * 60 // 5):  # a reload and a wrong PIN every 5 seconds
        gate = PinGate(store, clock=clock, clients=[f"session-{reload}", "device-kiosk"])
        checked += gate.try_pin("1111", pin_hash).checked
        clock.now += timedelta(seconds=5)
    assert not [r for r in caplog.records if "ALERT" in r.getMessage()]
    assert checked <= 5 * (2 * 60 // 5 + 1)  # 5 per 5-minute lock, not 5 per reload
    # The staff computer (another device) opens at once, and nobody else was locked.
    assert PinGate(store, clock=clock, clients=["session-staff", "device-staff"]).try_pin(PIN, pin_hash).ok
    store.close()


def test_six_devices_together_still_reach_the_clinic_wide_lock(tmp_path: Path):
    store = HandoffStore(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    clock, pin_hash = Clock(), quick_hash(PIN)
    for device in range(6):
        for _ in range(5):
            PinGate(store, clock=clock, clients=[f"device-{device}"]).try_pin("1111", pin_hash)
    refused = PinGate(store, clock=clock, clients=["device-staff"]).try_pin(PIN, pin_hash)
    assert not refused.ok and not refused.checked and refused.locked_until is not None
    store.close()


@pytest.mark.parametrize(
    ("limits", "most"),
    [
        (PinLimits(), 15),  # the shipped limits: 15 < 30
        (PinLimits(max_failures=5, lock_for=timedelta(minutes=1), window=timedelta(minutes=15)), 75),
        (PinLimits(max_failures=3, lock_for=timedelta(minutes=10), window=timedelta(minutes=15)), 6),
    ],
)
def test_what_one_client_can_reach_within_the_window(limits: PinLimits, most: int, tmp_path: Path):
    assert limits.most_from_one_client == most
    store = HandoffStore(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    clock, pin_hash = Clock(), quick_hash(PIN)
    # Measured: one client typing a wrong PIN every second for twice the window.
    counted: list[datetime] = []
    gate = PinGate(
        store,
        max_failures=limits.max_failures,
        lock_for=limits.lock_for,
        window=limits.window,
        max_everyone=most + 1,
        clock=clock,
        clients=["device-1"],
    )
    for _ in range(int(2 * limits.window.total_seconds())):
        if gate.try_pin("1111", pin_hash).checked:
            counted.append(clock.now)
        clock.now += timedelta(seconds=1)
    busiest = max(sum(1 for t in counted if end - limits.window < t <= end) for end in counted)
    assert busiest <= most
    assert gate.status().locked_until is None or gate.status().locked_until < clock.now + limits.lock_for
    store.close()


def test_limits_where_one_device_could_lock_everyone_are_refused(tmp_path: Path):
    store = HandoffStore(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    with pytest.raises(ValueError, match="one device must not lock everyone"):
        PinGate(store, max_failures=5, lock_for=timedelta(minutes=1))  # 5 x 15 = 75 >= 30
    with pytest.raises(ValueError, match="one device must not lock everyone"):
        PinGate(store, max_everyone=15)
    PinGate(store, max_everyone=16)
    store.close()


def test_device_keys_are_hashed_and_distinct_from_sessions():
    key = client_key("device", "x" * 32)
    assert key.startswith("d:") and "x" * 8 not in key
    assert key != client_key("session", "x" * 32)


# --------------------------------------------------------------------------- one record per share


def test_a_second_save_with_the_same_share_key_returns_the_first_record(url: str):
    store = HandoffStore(url)
    first = store.save(ANSWERS, "en", RESULT, "v1", share_key="session-a:result-1", now=T0)
    again = store.save(ANSWERS, "en", RESULT, "v1", share_key="session-a:result-1", now=T0 + timedelta(seconds=1))
    assert again == first and store.count() == 1
    other = store.save(ANSWERS, "en", RESULT, "v1", share_key="session-b:result-1", now=T0)
    unkeyed = [store.save(ANSWERS, "en", RESULT, "v1", now=T0).code for _ in range(2)]
    assert len({first.code, other.code, *unkeyed}) == 4 and store.count() == 4
    # Once the first record has expired (or was deleted), the same key makes a new one.
    later = T0 + store.ttl + timedelta(seconds=1)
    renewed = store.save(ANSWERS, "en", RESULT, "v1", share_key="session-a:result-1", now=later)
    assert renewed.code != first.code and store.get(renewed.code, now=later).answers == ANSWERS
    assert store.delete(renewed.code)
    assert store.save(ANSWERS, "en", RESULT, "v1", share_key="session-a:result-1", now=later).code != renewed.code
    with pytest.raises(ValueError):
        store.save(ANSWERS, "en", RESULT, "v1", share_key="  ")
    store.close()


def test_the_share_key_itself_is_not_stored(tmp_path: Path):
    db = tmp_path / "h.sqlite3"
    store = HandoffStore(f"sqlite:///{db}")
    store.save(ANSWERS, "en", RESULT, "v1", share_key="a-session-nonce-123:abc")
    store.close()
    with sqlite3.connect(db) as raw:
        (stored,) = raw.execute("SELECT share_key FROM decision_handoffs").fetchone()
    assert len(stored) == 64 and "nonce" not in stored


def test_taps_at_once_on_two_instances_store_one_record(url: str):
    stores = [HandoffStore(url), HandoffStore(url)]
    barrier = threading.Barrier(8)
    codes: list[str] = []

    def tap(i: int) -> None:
        barrier.wait(30)
        codes.append(stores[i % 2].save(ANSWERS, "fr", RESULT, "v1", share_key="one-result").code)

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(codes) == 8 and len(set(codes)) == 1
    assert stores[0].count() == 1
    for s in stores:
        s.close()


def test_a_table_of_the_previous_version_gets_the_share_key_column(tmp_path: Path):
    db = tmp_path / "h.sqlite3"
    with sqlite3.connect(db) as raw:
        raw.execute(
            "CREATE TABLE decision_handoffs (code VARCHAR(16) PRIMARY KEY, created_at DATETIME NOT NULL, "
            "expires_at DATETIME NOT NULL, language VARCHAR(8) NOT NULL, origin VARCHAR(16) NOT NULL, "
            "content_version VARCHAR(100) NOT NULL, answers TEXT NOT NULL, result TEXT NOT NULL)"
        )
    store = HandoffStore(f"sqlite:///{db}")
    first = store.save(ANSWERS, "en", RESULT, "v1", share_key="k")
    assert store.save(ANSWERS, "en", RESULT, "v1", share_key="k") == first and store.count() == 1
    store.close()


def test_the_patient_share_key_is_one_per_result_and_session():
    state: dict = {}
    key = ui.share_key(state, ANSWERS, "en")
    assert ui.share_key(state, dict(ANSWERS), "en") == key  # a second tap
    assert ui.share_key(state, {**ANSWERS, "lie_still": "no"}, "en") != key  # changed answers
    assert ui.share_key(state, ANSWERS, "fr") != key
    assert ui.share_key({}, ANSWERS, "en") != key  # the next patient (the session was wiped)
    assert "low_back" not in key


# --------------------------------------------------------------------------- the -shm file


_CUT_SHM = """
import json, os, sys
from decision import load_content, score
from decision.records.store import HandoffStore, StoreError

db = sys.argv[1]
result = score(load_content(), {}).to_json("en")
store = HandoffStore(f"sqlite:///{db}")
code = store.save({"q": "a"}, "en", result, "v1").code
os.truncate(f"{db}-shm", 0)
got = []
for _ in range(3):
    try:
        got.append(store.get(code).code == code)
    except StoreError as exc:
        got.append(str(exc))
store.save({"q": "b"}, "en", result, "v1")
print(json.dumps([got, store.count()]))
store.close()
"""


def test_a_shm_cut_short_under_a_live_store_is_grown_back_not_a_crash(tmp_path: Path):
    # A process of its own (SIGBUS must not kill it), started plainly: multiprocessing's
    # spawn would re-run whatever script the worker last ran as __main__ (AppTest's).
    child = subprocess.run(
        [sys.executable, "-c", _CUT_SHM, str(tmp_path / "h.sqlite3")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.returncode == 0, f"the process died (exit {child.returncode}; -7 is SIGBUS): {child.stderr[-500:]}"
    got, count = json.loads(child.stdout.strip().splitlines()[-1])
    assert got == [True, True, True] and count == 2


# --------------------------------------------------------------------------- the proxy warning


def test_forwarded_headers_from_an_untrusted_peer_are_ignored_and_logged_once(monkeypatch, caplog):
    caplog.set_level("WARNING", logger="decision_aid")
    monkeypatch.delenv("DECISION_TRUSTED_PROXIES", raising=False)
    monkeypatch.setattr(ui, "_warned_proxies", set())
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9"}
    for _ in range(3):
        assert ui.client_address("10.244.1.7", headers) == "10.244.1.7"  # the peer: the header is not believed
    warnings = [r.getMessage() for r in caplog.records if "not trusted" in r.getMessage()]
    assert len(warnings) == 1 and "10.244.1.0/24" in warnings[0] and "203.0.113.9" not in warnings[0]
    assert ui.client_address("10.244.1.8", {}) == "10.244.1.8"  # no header: nothing to warn about
    assert len([r for r in caplog.records if "not trusted" in r.getMessage()]) == 1

    caplog.clear()
    monkeypatch.setenv("DECISION_TRUSTED_PROXIES", "10.244.0.0/16")
    assert ui.client_address("10.244.1.7", headers) == "203.0.113.9"
    assert not [r for r in caplog.records if "not trusted" in r.getMessage()]


# --------------------------------------------------------------------------- AppTest: look-ups, content


@pytest.fixture
def own_database(tmp_path, monkeypatch):
    monkeypatch.setenv("DECISION_DB_PATH", str(tmp_path / "handoffs.sqlite3"))
    monkeypatch.delenv("DECISION_DB_URL", raising=False)
    monkeypatch.delenv("CLINICIAN_PIN_HASH", raising=False)


def shown(at: AppTest) -> str:
    parts = [html.unescape(h.value) for h in at.html if not h.value.lstrip().startswith(("<style", "<script"))]
    parts += [m.value for m in (*at.title, *at.header, *at.markdown, *at.error, *at.success, *at.info, *at.warning)]
    return "\n".join(str(p) for p in parts)


def test_code_look_ups_once_unlocked_are_limited(own_database):
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["clinician_pin_hash"] = hash_pin(PIN)
    at.run()
    at.switch_page("app_pages/clinician.py").run()
    at.text_input(key="pin").input(PIN)
    at.button(key="unlock").click().run()
    for i in range(ui.CODE_LOOKUPS):
        at.text_input(key="handoff_code").input(f"ABC{i + 2}ZZ")
        at.button(key="open_code").click().run()
        assert EN("clin_unknown_code", code=f"ABC{i + 2}ZZ") in shown(at), i  # looked up
        assert "Too many codes" not in shown(at), i
    at.text_input(key="handoff_code").input("ABCDZZ")
    at.button(key="open_code").click().run()
    assert EN("clin_code_too_fast", seconds=60) in shown(at) or "Too many codes were tried" in shown(at)
    assert EN("clin_unknown_code", code="ABCDZZ") not in shown(at)  # not looked up
    assert not at.exception


def test_the_look_up_limit_counts_a_sliding_minute():
    state: dict = {}
    assert [ui.code_lookup_wait(state, now=float(i)) for i in range(10)] == [0] * 10
    assert ui.code_lookup_wait(state, now=10.0) == 50
    assert ui.code_lookup_wait(state, now=60.0) == 0  # the first one left the minute


def test_invalid_content_names_no_file_on_the_tablet(tmp_path, monkeypatch, own_database):
    broken = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, broken)
    (broken / "ui.yaml").write_text("strings: [\n", encoding="utf-8")
    monkeypatch.setenv("DECISION_CONTENT_DIR", str(broken))
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    text = shown(at)
    assert "This tablet is not ready" in text and "/clinician" in text
    assert str(tmp_path) not in text and "ui.yaml" not in text
    assert not at.exception


def test_a_broken_settings_file_stops_the_store_and_is_logged_once(tmp_path, monkeypatch, caplog, own_database):
    from streamlit import config

    from decision.records.store import StoreError

    caplog.set_level(logging.ERROR, logger="decision_aid")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'db_url = "sqlite:///{tmp_path / "configured.sqlite3"}"\nx = = 1\n', encoding="utf-8")
    saved = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(secrets)])
    try:
        for _ in range(3):
            problem = ui.settings_problem()
            assert problem is not None and problem.line == 2
            with pytest.raises(StoreError, match="the settings file is broken: line 2"):
                ui.get_store()
        said = [r for r in caplog.records if "the settings file is broken" in r.getMessage()]
        assert len(said) == 1
        secrets.write_text("timezone = 'UTC'\n", encoding="utf-8")
        assert ui.settings_problem() is None
    finally:
        config.set_option("secrets.files", saved)
    assert not (tmp_path / "configured.sqlite3").exists()
    assert not Path(os.environ["DECISION_DB_PATH"]).exists()


# --------------------------------------------------------------------------- make run restarts a crash


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
        return [int(p) for p in f.read().split()]


def test_make_run_starts_a_crashed_server_again_and_stops_with_ctrl_c(tmp_path: Path, own_database):
    import signal
    import subprocess
    import sys
    import time

    from servers import ROOT, free_port, http_get, wait_healthy

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run_recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "deploy/supervise.sh $(PY) -m streamlit run app.py" in run_recipe
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [str(ROOT / "deploy" / "supervise.sh"), sys.executable, "-m", "streamlit", "run", "app.py",
           "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]  # fmt: skip
    log = tmp_path / "supervise.log"
    # Ctrl-C reaches `make run` in a terminal. A test run started in the background by a
    # script (`make test &`) has SIGINT ignored, and a shell cannot trap a signal ignored when
    # it starts: the supervisor would never hear the Ctrl-C this test sends. So it starts as
    # from a terminal (SIGINT back to its default, then exec: the pid is the supervisor's).
    as_from_a_terminal = (
        "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
    )
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", as_from_a_terminal, *cmd],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "RESTART_DELAY": "0.2"},
        )
    try:
        wait_healthy(base, 60, alive=lambda: proc.poll() is None)
        (first,) = _children(proc.pid)
        os.kill(first, signal.SIGBUS)  # what an unreadable -shm map did before issue 18
        deadline = time.monotonic() + 60
        while not [c for c in _children(proc.pid) if c != first] and time.monotonic() < deadline:
            time.sleep(0.2)
        wait_healthy(base, 60, alive=lambda: proc.poll() is None)
        (second,) = _children(proc.pid)
        assert second != first and http_get(base + "/_stcore/health")[0] == 200
        assert "supervise: the app stopped (exit 135); starting it again" in log.read_text(encoding="utf-8")
        proc.send_signal(signal.SIGINT)  # Ctrl-C: the app stops, and is not started again
        assert proc.wait(30) == 0
        assert not Path(f"/proc/{second}").exists() or "zombie" in Path(f"/proc/{second}/status").read_text()
    finally:
        if proc.poll() is None:
            for child in _children(proc.pid):
                os.kill(child, signal.SIGKILL)
            proc.kill()
            proc.wait(10)
