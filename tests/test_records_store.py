"""decision/records/store.py: handoff records on real databases (no mocks of our code).

Every test that takes the ``store`` or ``url`` fixture runs twice: on an SQLite file
and on a real PostgreSQL server (a throw-away cluster from the Debian packages,
started by this module; see tests/servers.py). Tests about the SQLite file itself,
or about a PostgreSQL server going down, run on that backend only.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import sqlite3
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from servers import PostgresCluster, postgres_cluster
from sqlalchemy import text

from decision.records import db as db_module
from decision.records import handoffs as handoff_module
from decision.records import store as store_module
from decision.records.store import (
    CODE_ALPHABET,
    CODE_LENGTH,
    DEFAULT_TTL,
    PROJECT_ROOT,
    ExpiredCode,
    HandoffError,
    HandoffRecord,
    HandoffStore,
    PinLimits,
    StoreError,
    UnknownCode,
    normalize_code,
    resolve_db_url,
    resolve_ttl,
)

ANSWERS = {"main_area": "low_back", "needle_feelings": "bit_nervous", "sure_certain": "no"}
RESULT = {
    "content_version": "v1",
    "language": "fr",
    "lean": {"option": None, "strength": "none"},
    "flags": [{"id": "f", "level": "info", "message": "Demandez à votre physiothérapeute"}],
}
T0 = datetime(2025, 3, 1, 15, 30, tzinfo=UTC)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "handoffs.sqlite3"


@pytest.fixture(scope="module")
def pg() -> PostgresCluster:
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, db: Path) -> str:
    """A fresh, empty database: an SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        return sqlite_url(db)
    cluster: PostgresCluster = request.getfixturevalue("pg")
    return cluster.create_database()


@pytest.fixture
def store(url: str):
    s = HandoffStore(url)
    yield s
    s.close()


def assert_one_plain_line(message: str) -> None:
    assert message and "\n" not in message
    assert "Traceback" not in message and "sqlalchemy" not in message.lower() and "[SQL" not in message


# --------------------------------------------------------------------------- create / read


def test_save_then_get_returns_the_same_record(store: HandoffStore):
    saved = store.save(ANSWERS, "fr", RESULT, "2025-03-01+abcd1234", now=T0)
    assert isinstance(saved, HandoffRecord)
    assert len(saved.code) == CODE_LENGTH and set(saved.code) <= set(CODE_ALPHABET)
    assert saved.created_at == T0 and saved.expires_at == T0 + DEFAULT_TTL == T0 + timedelta(hours=12)
    got = store.get(saved.code, now=T0 + timedelta(hours=1))
    assert got == saved
    assert got.created_at.tzinfo is not None and got.created_at.utcoffset() == timedelta(0)
    assert got.answers == ANSWERS and got.result == RESULT and got.language == "fr"
    assert got.content_version == "2025-03-01+abcd1234" and got.origin == "patient"
    assert [f.id for f in got.saved.flags] == [f["id"] for f in RESULT["flags"]] and got.saved.sure is None


def test_clinician_origin_is_kept(store: HandoffStore):
    saved = store.save(ANSWERS, "en", RESULT, "v1", origin="clinician")
    assert store.get(saved.code).origin == "clinician"


def test_save_refuses_bad_language_origin_or_answers(store: HandoffStore):
    with pytest.raises(ValueError):
        store.save(ANSWERS, "de", RESULT, "v1")
    with pytest.raises(ValueError):
        store.save(ANSWERS, "en", RESULT, "v1", origin="nurse")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        store.save({"main_area": 3}, "en", RESULT, "v1")  # type: ignore[dict-item]


def test_code_alphabet_has_no_look_alikes():
    assert not set("0O1IL") & set(CODE_ALPHABET)
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET)


def test_codes_are_read_as_typed(store: HandoffStore):
    saved = store.save(ANSWERS, "en", RESULT, "v1")
    typed = f" {saved.code[:3].lower()}-{saved.code[3:].lower()} "
    assert normalize_code(typed) == saved.code
    assert store.get(typed).code == saved.code
    assert normalize_code("ab c-2 3\t4") == "ABC234"


def test_unknown_and_malformed_codes_say_so_plainly(store: HandoffStore):
    for typed in ("ZZZZZZ", "abc", "", "00OO11", "ABCDEFG"):
        with pytest.raises(UnknownCode) as caught:
            store.get(typed)
        assert isinstance(caught.value, HandoffError)
        assert "No shared answers have the code" in str(caught.value)
        assert_one_plain_line(str(caught.value))


def test_a_record_expires_after_its_ttl(store: HandoffStore):
    saved = store.save(ANSWERS, "en", RESULT, "v1", now=T0)
    assert store.get(saved.code, now=T0 + timedelta(hours=11, minutes=59)).code == saved.code
    with pytest.raises(ExpiredCode) as caught:
        store.get(saved.code, now=T0 + timedelta(hours=12))
    assert isinstance(caught.value, HandoffError)
    assert "has expired" in str(caught.value) and saved.code in str(caught.value)
    assert_one_plain_line(str(caught.value))


def test_ttl_and_clock_are_configurable(url: str):
    now = [T0]
    s = HandoffStore(url, ttl=timedelta(minutes=30), clock=lambda: now[0])
    saved = s.save(ANSWERS, "en", RESULT, "v1")
    assert saved.expires_at - saved.created_at == timedelta(minutes=30)
    now[0] = T0 + timedelta(minutes=29)
    assert s.get(saved.code).code == saved.code
    now[0] = T0 + timedelta(minutes=31)
    with pytest.raises(ExpiredCode):
        s.get(saved.code)
    s.close()
    with pytest.raises(ValueError):
        HandoffStore(url, ttl=timedelta(0))


def test_purge_removes_only_expired_records(store: HandoffStore):
    old = [store.save(ANSWERS, "en", RESULT, "v1", now=T0) for _ in range(3)]
    new = store.save(ANSWERS, "en", RESULT, "v1", now=T0 + timedelta(hours=6))
    assert store.purge_expired(now=T0 + timedelta(hours=13)) == 3
    assert store.purge_expired(now=T0 + timedelta(hours=13)) == 0
    assert store.count() == 1
    for record in old:
        with pytest.raises(UnknownCode):
            store.get(record.code, now=T0 + timedelta(hours=13))
    assert store.get(new.code, now=T0 + timedelta(hours=13)).code == new.code


def test_saving_purges_expired_records(store: HandoffStore):
    store.save(ANSWERS, "en", RESULT, "v1", now=T0)
    store.save(ANSWERS, "en", RESULT, "v1", now=T0 + timedelta(days=1))
    assert store.count() == 1


def test_delete_wipes_a_record(store: HandoffStore):
    saved = store.save(ANSWERS, "en", RESULT, "v1")
    assert store.delete(saved.code.lower()) is True
    assert store.delete(saved.code) is False
    with pytest.raises(UnknownCode):
        store.get(saved.code)


def test_a_live_code_is_never_reused_but_an_expired_one_may_be(store: HandoffStore, monkeypatch):
    # Drive the stdlib's random choice (not our code) to force a clash.
    drawn = iter("AAAAAA" + "AAAAAA" + "BBBBBB" + "AAAAAA")
    monkeypatch.setattr(handoff_module.secrets, "choice", lambda seq: next(drawn))
    first = store.save(ANSWERS, "en", RESULT, "v1", now=T0)
    second = store.save(ANSWERS, "en", RESULT, "v1", now=T0 + timedelta(hours=1))
    assert (first.code, second.code) == ("AAAAAA", "BBBBBB")
    # AAAAAA has expired by now: it is removed first and its code drawn again.
    third = store.save({"goal": "both"}, "en", RESULT, "v2", now=T0 + timedelta(hours=12, seconds=1))
    assert third.code == "AAAAAA"
    assert store.get("AAAAAA", now=T0 + timedelta(hours=13)).answers == {"goal": "both"}


# --------------------------------------------------------------------------- the database file


def test_file_and_folder_are_created_on_first_use_in_wal_mode(db: Path):
    assert not db.parent.exists()
    s = HandoffStore(sqlite_url(db))
    s.save(ANSWERS, "en", RESULT, "v1")
    s.close()
    assert db.is_file()
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_records_survive_a_restart(url: str):
    first = HandoffStore(url)
    saved = [first.save({**ANSWERS, "goal": "both"}, "fr", RESULT, "v1") for _ in range(5)]
    first.close()
    del first
    again = HandoffStore(url)
    for record in saved:
        assert again.get(record.code) == record
    again.close()


def test_a_corrupted_database_file_gives_a_clear_message(tmp_path: Path):
    bad = tmp_path / "handoffs.sqlite3"
    bad.write_bytes(b"this is not a database, just garbage " * 200 + os.urandom(4096))
    with pytest.raises(StoreError) as caught:
        HandoffStore(sqlite_url(bad))
    message = str(caught.value)
    assert "damaged or is not a database file" in message and str(bad) in message
    assert_one_plain_line(message)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_database_damaged_while_open_gives_a_clear_message(db: Path):
    s = HandoffStore(sqlite_url(db))
    s.save(ANSWERS, "en", RESULT, "v1")
    s.close()
    (db.parent / (db.name + "-wal")).unlink(missing_ok=True)
    with open(db, "r+b") as f:  # overwrite the header and first pages in place
        f.write(os.urandom(8192))
    s = None
    with pytest.raises(StoreError) as caught:
        s = HandoffStore(sqlite_url(db))
        s.save(ANSWERS, "en", RESULT, "v1")
    assert_one_plain_line(str(caught.value))
    assert "damaged" in str(caught.value)


def test_an_unwritable_database_path_gives_a_clear_message(tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file")
    with pytest.raises(StoreError) as caught:
        HandoffStore(sqlite_url(blocker / "sub" / "handoffs.sqlite3"))
    assert "Cannot create the folder" in str(caught.value)
    assert_one_plain_line(str(caught.value))
    with pytest.raises(StoreError) as caught:
        HandoffStore(sqlite_url(tmp_path))  # a folder, not a file
    assert "is a folder" in str(caught.value)


def test_bad_urls_and_missing_drivers_give_a_clear_message():
    with pytest.raises(StoreError) as caught:
        HandoffStore("this is not a url")
    assert "not a database URL" in str(caught.value)
    with pytest.raises(StoreError) as caught:
        HandoffStore("nosuchdialect://user:hunter2@db.example/x")
    assert "hunter2" not in str(caught.value)
    assert_one_plain_line(str(caught.value))


# --------------------------------------------------------------------------- configuration


class NoSecretsFile(dict):
    """Like st.secrets without a secrets.toml: every read raises FileNotFoundError."""

    def get(self, key, default=None):
        raise FileNotFoundError("no secrets.toml")


def test_db_url_comes_from_env_then_secrets_then_a_file(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("DECISION_DB_URL", raising=False)
    monkeypatch.delenv("DECISION_DB_PATH", raising=False)
    default = resolve_db_url(None)
    assert default.startswith("sqlite:///") and default.endswith("data/handoffs.sqlite3")
    assert Path(default.removeprefix("sqlite:///")) == PROJECT_ROOT / "data" / "handoffs.sqlite3"
    assert resolve_db_url(NoSecretsFile()) == default
    assert resolve_db_url({"db_url": "postgresql+psycopg://u:p@h/db"}) == "postgresql+psycopg://u:p@h/db"
    monkeypatch.setenv("DECISION_DB_PATH", str(tmp_path / "x.sqlite3"))
    assert resolve_db_url({}) == f"sqlite:///{tmp_path / 'x.sqlite3'}"
    monkeypatch.setenv("DECISION_DB_PATH", "elsewhere/h.db")
    assert Path(resolve_db_url({}).removeprefix("sqlite:///")) == PROJECT_ROOT / "elsewhere" / "h.db"
    monkeypatch.setenv("DECISION_DB_URL", "postgresql+psycopg://env/db")
    assert resolve_db_url({"db_url": "postgresql+psycopg://u:p@h/db"}) == "postgresql+psycopg://env/db"


def test_ttl_comes_from_env_then_secrets(monkeypatch):
    monkeypatch.delenv("DECISION_HANDOFF_TTL_HOURS", raising=False)
    assert resolve_ttl(None) == resolve_ttl(NoSecretsFile()) == timedelta(hours=12)
    assert resolve_ttl({"handoff_ttl_hours": 2}) == timedelta(hours=2)
    monkeypatch.setenv("DECISION_HANDOFF_TTL_HOURS", "0.5")
    assert resolve_ttl({"handoff_ttl_hours": 2}) == timedelta(minutes=30)
    for bad in ("soon", "0", "-3", "1000"):
        monkeypatch.setenv("DECISION_HANDOFF_TTL_HOURS", bad)
        with pytest.raises(StoreError):
            resolve_ttl(None)


def test_threads_sharing_one_store_lose_nothing(store: HandoffStore):
    # Streamlit runs each browser session in a thread of one process, all on one store.
    def write(worker: int) -> list[str]:
        return [store.save({"worker": str(worker)}, "en", RESULT, "v1").code for _ in range(50)]

    with ThreadPoolExecutor(8) as pool:
        codes = [c for batch in pool.map(write, range(8)) for c in batch]
    assert len(set(codes)) == len(codes) == store.count() == 400


def test_a_consent_and_a_sure_after_saved_at_the_same_moment_are_both_kept(store: HandoffStore):
    """Two devices save beside one record at the same moment: the consent on one, the SURE
    after the talk on the other. Both reach the point where the row beside the record is
    written having read that there is none yet (held there until the other arrives, or 2 s):
    each save must still keep its own part and leave the other's alone."""
    from sqlalchemy import event

    from decision.records import consent as cr

    record = store.save(ANSWERS, "en", RESULT, "v1")
    consent = cr.make_consent(
        options_discussed=["ims"], option_chosen="ims", covered_benefits=True, covered_risks=True,
        covered_alternatives=True, covered_nothing=True, questions_answered=True, decision="given",
        physio_name="Dana Physio", physio_registration="PT-1", recorded_at=datetime.now(UTC),
    )  # fmt: skip
    after = cr.SureAfter(answers={"sure_certain": "yes", "sure_informed": "yes"}, recorded_at=datetime.now(UTC))
    both_read = threading.Barrier(2)

    def hold_the_first_write(conn, cursor, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO DECISION_CONSENTS"):
            with contextlib.suppress(threading.BrokenBarrierError):  # 2 s: the other waits for this one
                both_read.wait(timeout=2)

    event.listen(store._engine, "before_cursor_execute", hold_the_first_write)
    try:
        with ThreadPoolExecutor(2) as pool:
            saves = [
                pool.submit(cr.save_consent, store, record, consent),
                pool.submit(cr.save_sure_after, store, record, after),
            ]
            for save in saves:
                save.result(timeout=60)  # neither save failed
    finally:
        event.remove(store._engine, "before_cursor_execute", hold_the_first_write)
    kept = cr.get_extras(store, record)
    assert kept.consent == consent and kept.sure_after == after


# --------------------------------------------------------------------------- several processes

PROCESSES = 8
PER_PROCESS = {"sqlite": 500, "postgresql": 100}  # PostgreSQL: a network round trip per statement


def _write_many(url: str, worker: int, n: int, start, out) -> None:
    s = HandoffStore(url)
    start.wait(60)
    codes = [
        s.save({"main_area": "low_back", "worker": str(worker), "i": str(i)}, "en", {"w": worker, "i": i}, "v1").code
        for i in range(n)
    ]
    s.close()
    out.put((worker, codes))


def test_concurrent_writers_in_several_processes_lose_nothing(url: str):
    per_process = PER_PROCESS["sqlite" if url.startswith("sqlite") else "postgresql"]
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_write_many, args=(url, w, per_process, start, out)) for w in range(PROCESSES)]
    for p in procs:
        p.start()
    time.sleep(0.5)
    start.set()
    results = dict(out.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    codes = [c for w in range(PROCESSES) for c in results[w]]
    assert len(codes) == PROCESSES * per_process
    assert len(set(codes)) == len(codes), "two records share a code"
    reader = HandoffStore(url)
    assert reader.count() == PROCESSES * per_process
    for w, worker_codes in results.items():
        for i, code in enumerate(worker_codes):
            record = reader.get(code)
            assert record.answers["worker"] == str(w) and record.answers["i"] == str(i)
            assert record.result == {"w": w, "i": i}
    reader.close()


# --------------------------------------------------------------------------- schema, atomicity, lockout (both)


def test_several_instances_starting_at_once_all_get_the_schema(url: str):
    # Instances behind a proxy start together, each creating the tables on start:
    # every one must succeed (each store has its own engine and connections).
    barrier = threading.Barrier(6)

    def start_one(_: int) -> str:
        barrier.wait(30)
        try:
            HandoffStore(url).close()
            return "ok"
        except StoreError as exc:
            return str(exc)

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(start_one, range(6))) == ["ok"] * 6
    s = HandoffStore(url)
    assert s.get(s.save(ANSWERS, "en", RESULT, "v1").code).answers == ANSWERS
    s.close()


def _raw(url: str, *statements: str) -> None:
    """Run SQL on the database directly, as an administrator would (not through the store)."""
    from sqlalchemy import create_engine

    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def test_a_table_of_another_shape_is_refused_plainly(url: str):
    _raw(url, "CREATE TABLE decision_handoffs (code VARCHAR(16) PRIMARY KEY, answers TEXT)")
    with pytest.raises(StoreError) as caught:
        HandoffStore(url)
    message = str(caught.value)
    assert "made by another version" in message and "created_at" in message
    assert_one_plain_line(message)


SECRET_MARK = "low_back-SECRET-MARK"


def test_a_failed_save_leaves_nothing_half_written(url: str):
    # One save is one transaction: purge the expired records, then insert. Make the
    # insert fail in the database itself (a trigger) and check the purge was undone too.
    s = HandoffStore(url)
    expired = s.save(ANSWERS, "en", RESULT, "v1", now=T0)
    if s.is_sqlite:
        _raw(url, "CREATE TRIGGER refuse BEFORE INSERT ON decision_handoffs "
                  "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END")  # fmt: skip
    else:
        _raw(
            url,
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION 'refused %', NEW.answers USING DETAIL = '{SECRET_MARK}'; END $$",
            "CREATE TRIGGER refuse BEFORE INSERT ON decision_handoffs FOR EACH ROW EXECUTE FUNCTION refuse()",
        )
    later = T0 + timedelta(days=1)
    with pytest.raises(StoreError) as caught:
        s.save({**ANSWERS, "goal": SECRET_MARK}, "en", RESULT, "v1", now=later)
    message = str(caught.value)
    assert_one_plain_line(message)
    assert SECRET_MARK not in message and "low_back" not in message and "needle" not in message
    assert s.count() == 1, "the purge of expired records was not rolled back"
    assert s.get(expired.code, now=T0 + timedelta(hours=1)) == expired
    _raw(url, "DROP TRIGGER refuse" if s.is_sqlite else "DROP TRIGGER refuse ON decision_handoffs")
    saved = s.save(ANSWERS, "en", RESULT, "v1", now=later)
    assert s.count() == 1 and s.get(saved.code, now=later).answers == ANSWERS
    s.close()


def test_pin_attempts_from_many_threads_are_all_counted(store: HandoffStore):
    # An attempt is read-modify-write: a lock (PostgreSQL) or the write lock (SQLite)
    # must keep every one, also the first ones that create the row.
    limits = PinLimits(max_failures=1000, max_everyone=1000)

    def attempt(_: int) -> None:
        for _ in range(5):
            assert store.begin_pin_attempt("clinic", ["browser-a"], now=T0, limits=limits).may_check

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(attempt, range(8)))
    assert store.pin_state("browser-a") == (40, None)
    one = PinLimits(max_failures=1)
    assert store.begin_pin_attempt("other", ["browser-b"], now=T0, limits=one).may_check
    ticket = store.begin_pin_attempt("other", ["browser-b"], now=T0, limits=one)
    assert not ticket.may_check and ticket.locked_until == T0 + one.lock_for


# --------------------------------------------------------------------------- PostgreSQL server


def test_postgresql_urls_use_psycopg_and_never_show_the_password(pg: PostgresCluster):
    url = pg.create_database()
    assert url.startswith("postgresql+psycopg://")
    for form in (url, url.replace("postgresql+psycopg://", "postgresql://"),
                 url.replace("postgresql+psycopg://", "postgres://")):  # fmt: skip
        s = HandoffStore(form)
        assert s.is_postgresql and s._engine.dialect.driver == "psycopg"
        assert pg.app_password not in s.where and s.where == f"{url.rsplit('/', 1)[1]} on 127.0.0.1:{pg.port}"
        assert s.get(s.save(ANSWERS, "fr", RESULT, "v1").code).language == "fr"
        s.close()


def test_postgresql_login_and_name_problems_say_what_to_fix(pg: PostgresCluster):
    url = pg.create_database()
    wrong = url.replace(pg.app_password, "not-the-password")
    with pytest.raises(StoreError) as caught:
        HandoffStore(wrong)
    assert "refused the app's login" in str(caught.value) and "not-the-password" not in str(caught.value)
    assert_one_plain_line(str(caught.value))
    with pytest.raises(StoreError) as caught:
        HandoffStore(url.rsplit("/", 1)[0] + "/no_such_database")
    assert "does not exist" in str(caught.value) and pg.app_password not in str(caught.value)
    assert_one_plain_line(str(caught.value))


def test_postgresql_down_fails_plainly_then_recovers_without_a_restart(pg: PostgresCluster):
    url = pg.create_database()
    s = HandoffStore(url)
    before = s.save(ANSWERS, "en", RESULT, "v1")
    pg.stop()
    try:
        for action in (lambda: s.save(ANSWERS, "en", RESULT, "v1"), lambda: s.get(before.code), s.count):
            started = time.monotonic()
            with pytest.raises(StoreError) as caught:
                action()
            assert time.monotonic() - started < store_module.PG_CONNECT_TIMEOUT_S + 5
            message = str(caught.value)
            assert "cannot be reached" in message and f"127.0.0.1:{pg.port}" in message
            assert pg.app_password not in message and "low_back" not in message
            assert_one_plain_line(message)
            assert caught.value.__cause__ is None and caught.value.__suppress_context__
        with pytest.raises(StoreError) as caught:  # an instance starting while the database is down
            HandoffStore(url)
        assert "cannot be reached" in str(caught.value)
    finally:
        pg.start()
    # The pool drops its dead connections (pre-ping) and carries on: no app restart.
    assert s.get(before.code) == before
    after = s.save(ANSWERS, "en", RESULT, "v1")
    assert s.count() == 2 and s.get(after.code).answers == ANSWERS
    s.close()


def test_postgresql_pool_exhaustion_is_reported_as_busy(pg: PostgresCluster, monkeypatch):
    monkeypatch.setattr(db_module, "PG_POOL", {"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.5})
    s = HandoffStore(pg.create_database())
    with s._engine.connect():  # the only connection, held
        with pytest.raises(StoreError) as caught:
            s.count()
    assert "busy" in str(caught.value)
    assert_one_plain_line(str(caught.value))
    assert s.count() == 0
    s.close()


# --------------------------------------------------------------------------- backups, as docs/deployment.md says


def test_the_documented_backups_restore_the_records(url: str, tmp_path: Path, request: pytest.FixtureRequest):
    import subprocess
    import sys

    s = HandoffStore(url)
    saved = [s.save({**ANSWERS, "i": str(i)}, "fr", RESULT, "v1") for i in range(3)]
    if s.is_sqlite:
        # Online, while the app runs (WAL): VACUUM INTO writes a consistent copy.
        copy = tmp_path / "backup.sqlite3"
        source = url.removeprefix("sqlite:///")
        subprocess.run(
            [sys.executable, "-c",
             "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('VACUUM INTO ?', (sys.argv[2],))",
             source, str(copy)],
            check=True, timeout=60,
        )  # fmt: skip
        restored_url = sqlite_url(copy)
    else:
        cluster: PostgresCluster = request.getfixturevalue("pg")
        dump = tmp_path / "decision_aid.dump"
        name = url.rsplit("/", 1)[1]
        env = {**os.environ, "PGPASSWORD": cluster.app_password}
        common = ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", cluster.app_user]
        subprocess.run([str(cluster.bindir / "pg_dump"), *common, "-Fc", "-f", str(dump), name],
                       check=True, env=env, timeout=60)  # fmt: skip
        restored_url = cluster.create_database()
        subprocess.run([str(cluster.bindir / "pg_restore"), *common, "--no-owner", "-d", restored_url.rsplit("/", 1)[1],
                        str(dump)], check=True, env=env, timeout=60)  # fmt: skip
    s.close()
    restored = HandoffStore(restored_url)
    for record in saved:
        assert restored.get(record.code) == record
    restored.close()


# --------------------------------------------------------------------------- answers gone when deleted (SQLite files)

ANSWER_MARK = "needle_feelings-ZQXJ-7731"


def file_bytes(db: Path) -> bytes:
    """Every byte of the database and its -wal and -shm files, as `strings` would read them."""
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists())


def test_a_deleted_record_leaves_no_answer_in_the_database_files(db: Path):
    s = HandoffStore(sqlite_url(db))
    kept = s.save({"goal": "kept-answer-4242"}, "en", RESULT, "v1")
    gone = s.save({**ANSWERS, "free": ANSWER_MARK}, "en", {**RESULT, "mark": ANSWER_MARK}, "v1")
    assert ANSWER_MARK.encode() in file_bytes(db)  # the test can see answers when they are there
    s.checkpoint()
    assert ANSWER_MARK.encode() in db.read_bytes()  # and in the database file itself, not only the log
    assert s.delete(gone.code)
    assert ANSWER_MARK.encode() not in file_bytes(db)
    assert b"kept-answer-4242" in file_bytes(db) and s.get(kept.code).answers == {"goal": "kept-answer-4242"}
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0  # truncated
    s.close()


def test_purged_records_leave_no_answer_in_the_database_files(db: Path):
    s = HandoffStore(sqlite_url(db))
    for _ in range(3):
        s.save({**ANSWERS, "free": ANSWER_MARK}, "en", RESULT, "v1", now=T0)
    reader = HandoffStore(sqlite_url(db))  # another connection with the file open, as another process
    assert reader.count() == 3
    assert store_module.purge(s, now=T0 + timedelta(hours=13)) == 3
    assert ANSWER_MARK.encode() not in file_bytes(db)
    reader.close()
    s.close()


def test_folder_and_files_are_private(db: Path, tmp_path: Path):
    s = HandoffStore(sqlite_url(db))
    s.save(ANSWERS, "en", RESULT, "v1")
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600, path
    s.close()
    # A file made elsewhere with wider modes is narrowed when the app opens it; a folder
    # the app did not make (here: tmp_path) is left as it is.
    loose = tmp_path / "loose.sqlite3"
    sqlite3.connect(loose).close()
    os.chmod(loose, 0o644)
    folder_mode = stat.S_IMODE(tmp_path.stat().st_mode)
    HandoffStore(sqlite_url(loose)).close()
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) == folder_mode


# --------------------------------------------------------------------------- a file removed or replaced while open


def test_a_removed_data_folder_is_noticed_and_nothing_is_saved(db: Path):
    s = HandoffStore(sqlite_url(db))
    before = s.save(ANSWERS, "en", RESULT, "v1")
    shutil.rmtree(db.parent)
    for action in (lambda: s.save(ANSWERS, "en", RESULT, "v1"), lambda: s.get(before.code), s.count):
        with pytest.raises(StoreError) as caught:
            action()
        assert "was removed while the app was running" in str(caught.value)
        assert_one_plain_line(str(caught.value))
    assert not db.parent.exists()  # no ghost folder or file made
    s.close()


def test_a_replaced_database_file_is_noticed(db: Path, tmp_path: Path):
    s = HandoffStore(sqlite_url(db))
    s.save(ANSWERS, "en", RESULT, "v1")
    other = tmp_path / "other.sqlite3"
    HandoffStore(sqlite_url(other)).close()
    os.replace(other, db)
    with pytest.raises(StoreError) as caught:
        s.save(ANSWERS, "en", RESULT, "v1")
    assert "replaced by another file" in str(caught.value)
    s.close()


# --------------------------------------------------------------------------- deletion on time, without a share


def test_reading_an_expired_code_deletes_it(store: HandoffStore):
    saved = store.save(ANSWERS, "en", RESULT, "v1", now=T0)
    with pytest.raises(ExpiredCode):
        store.get(saved.code, now=T0 + timedelta(hours=12, minutes=1))
    assert store.count() == 0


def test_purge_returns_how_many_it_removed(store: HandoffStore):
    now = [T0]
    store.clock = lambda: now[0]
    store.save(ANSWERS, "en", RESULT, "v1")
    store.save(ANSWERS, "en", RESULT, "v1", now=T0 + timedelta(hours=6))
    assert store_module.purge(store) == 0
    now[0] = T0 + timedelta(hours=12, seconds=1)
    assert store_module.purge(store) == 1 and store.count() == 1


def test_only_one_instance_purges_at_a_time_on_postgresql(pg: PostgresCluster):
    from sqlalchemy import create_engine

    url = pg.create_database()
    s = HandoffStore(url)
    s.save(ANSWERS, "en", RESULT, "v1", now=T0)
    other = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with other.begin() as conn:  # another instance is purging right now
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": store_module.PURGE_LOCK_KEY})
        assert store_module.purge(s, now=T0 + timedelta(days=1)) == 0
    other.dispose()
    assert store_module.purge(s, now=T0 + timedelta(days=1)) == 1
    s.close()


def test_the_purge_command_deletes_expired_records_for_cron(db: Path):
    import subprocess
    import sys

    s = HandoffStore(sqlite_url(db))
    live = s.save(ANSWERS, "en", RESULT, "v1")
    s.save(ANSWERS, "en", RESULT, "v1", now=T0)  # long expired (a save only purges what expired before it)
    s.save(ANSWERS, "en", RESULT, "v1", now=T0)
    env = {**os.environ, "DECISION_DB_PATH": str(db)}
    env.pop("DECISION_DB_URL", None)
    done = subprocess.run([sys.executable, "-m", "decision", "purge"], check=False, cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2 expired handoff records deleted"
    assert s.count() == 1 and s.get(live.code) == live
    s.close()
    env["DECISION_DB_PATH"] = str(db.parent)  # a folder: the command fails with one plain line
    done = subprocess.run([sys.executable, "-m", "decision", "purge"], check=False, cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode != 0 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_the_schedule_deletes_a_record_after_its_ttl_without_a_share(db: Path):
    # A controllable clock for the records, a real thread on a short period.
    now = [T0]
    s = HandoffStore(sqlite_url(db), ttl=timedelta(hours=1), clock=lambda: now[0])
    saved = s.save({**ANSWERS, "free": ANSWER_MARK}, "en", RESULT, "v1")
    schedule = store_module.PurgeSchedule(every=0.05, min_gap=30)
    schedule.add(s)
    schedule.start()
    try:
        time.sleep(0.3)
        assert s.count() == 1  # still live: nothing purged early
        now[0] = T0 + timedelta(hours=1, seconds=1)  # no share, no read in between
        deadline = time.monotonic() + 10
        while s.count() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        schedule.stop()
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT count(*) FROM decision_handoffs WHERE code = ?", (saved.code,)).fetchone() == (0,)
    assert ANSWER_MARK.encode() not in file_bytes(db)
    s.close()


def test_soon_purges_at_most_once_per_gap(db: Path):
    ticks = [0.0]
    s = HandoffStore(sqlite_url(db))
    schedule = store_module.PurgeSchedule(every=3600, min_gap=30, monotonic=lambda: ticks[0])
    schedule.add(s)
    s.save(ANSWERS, "en", RESULT, "v1", now=T0)
    assert schedule.soon() == 1
    s.save(ANSWERS, "en", RESULT, "v1", now=T0)
    ticks[0] = 29
    assert schedule.soon() == 0 and s.count() == 1
    ticks[0] = 30
    assert schedule.soon() == 1 and s.count() == 0
    s.close()


def test_update_gives_a_live_record_new_answers_under_the_same_code_and_expiry(tmp_path):
    store = HandoffStore(f"sqlite:///{tmp_path / 'h.sqlite3'}", clock=lambda: T0)
    first = store.save({"main_area": "low_back"}, "en", {"content_version": "v"}, "v")
    later = T0 + timedelta(hours=1)
    updated = store.update(
        first.code, {"main_area": "low_back", "sure_certain": "yes"}, "fr", {"x": 1}, "v2", now=later
    )
    again = store.get(first.code, now=later)
    assert (updated.code, again.answers, again.language, again.result) == (
        first.code,
        {"main_area": "low_back", "sure_certain": "yes"},
        "fr",
        {"x": 1},
    )
    assert (again.created_at, again.expires_at) == (first.created_at, first.expires_at)  # the clock is not reset
    assert store.count() == 1
    with pytest.raises(ExpiredCode):
        store.update(first.code, {}, "en", {}, "v", now=first.expires_at + timedelta(seconds=1))
    with pytest.raises(UnknownCode):
        store.update("ZZZ999", {}, "en", {}, "v", now=later)
