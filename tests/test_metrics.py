"""decision/records/metrics.py, ui/metrics.py and app_pages/dashboard.py: counters, not records.

- pure aggregation (suppression, week merging, funnel, drop-off, medians from buckets,
  version markers, the CSV) on hand-made counter rows;
- one session's tally (a screen counted once, a changed lean moved, time bucketed);
- the queue on real databases (SQLite file and a throw-away PostgreSQL cluster): exact
  UPSERTs, nothing lost when the database is away, two instances with their own engines;
- real patient sessions driven with AppTest, their counts read back from the database,
  and every counter cell checked against a closed vocabulary (no answer, no code, no id);
- the dashboard behind the PIN, with cells under 5 hidden on screen and in the CSV.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import re
import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from servers import PostgresCluster, postgres_cluster
from shipped_content import CONTENT
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from decision import score
from decision.models import LEVELS
from decision.records import metrics as m
from decision.records.metrics import CounterRow, Counters, Key, Tally
from decision.records.pin import hash_pin
from decision.records.store import HandoffStore, StoreError, purge
from ui import keys, topbar
from ui.words import Words

APP = str(Path(__file__).resolve().parent.parent / "app.py")
QUESTIONS = CONTENT.questions_of_kind("questions")
SAFETY = CONTENT.questions_of_kind("safety")
EN, FR = Words(CONTENT, "en"), Words(CONTENT, "fr")
PIN = "2468"
PIN_HASH = hash_pin(PIN)
V = CONTENT.version
D = date(2026, 3, 4)  # a Wednesday

LEANS_IMS = {
    "main_area": "neck_shoulders", "problem_kind": "tight_knot", "duration": "under_6_weeks",
    "stress_sleep": "no", "wants_needles": "yes", "needle_feelings": "fine", "strong_sensation": "ok_if_helps",
    "soreness_after": "no_problem", "visit_time": "short", "lie_still": "no",
    "goal": "loosen_muscle", "past_ims": "helped", "past_acupuncture": "no",
}  # fmt: skip
NO_NEEDLES = {"wants_needles": "no", "needle_feelings": "panic_faint"}


def row(metric: str, item: str, value: str = "", n: int = 1, day: date = D, version: str = "v1") -> CounterRow:
    return CounterRow(day, version, metric, item, value, n)


# --------------------------------------------------------------------------- pure aggregation


def test_time_on_a_screen_falls_in_five_coarse_buckets():
    assert [m.bucket(s) for s in (0, 9.9, 10, 29.9, 30, 59, 60, 179, 180, 3600)] == [
        "lt10s", "lt10s", "10_30s", "10_30s", "30_60s", "30_60s", "1_3min", "1_3min", "gt3min", "gt3min",
    ]  # fmt: skip


def test_thirteen_months_back_is_the_same_day_or_the_month_s_last():
    assert m.keep_from(date(2026, 3, 4)) == date(2025, 2, 4)
    assert m.keep_from(date(2026, 3, 31)) == date(2025, 2, 28)
    assert m.keep_from(date(2026, 1, 15)) == date(2024, 12, 15)


def test_cells_under_five_are_hidden():
    assert [m.shown(n) for n in (0, 1, 4, 5, 12)] == [None, None, None, 5, 12]


def test_a_day_with_fewer_than_five_sessions_joins_its_week():
    rows = [
        row("event", "started", n=5, day=D),  # stands alone
        row("screen", "main_area", n=5, day=D),
        row("event", "started", n=3, day=D + timedelta(days=1)),  # merged into the week of Monday D-2
        row("screen", "main_area", n=2, day=D + timedelta(days=1)),
        row("event", "started", n=1, day=D - timedelta(days=1)),
    ]
    out = {(p.kind, p.start, metric, item): n for p, _, metric, item, _, n in m.by_period(rows)}
    monday = D - timedelta(days=2)
    assert out == {
        ("day", D, "event", "started"): 5,
        ("day", D, "screen", "main_area"): 5,
        ("week", monday, "event", "started"): 4,
        ("week", monday, "screen", "main_area"): 2,
    }


def test_the_csv_hides_small_cells_and_merges_small_days():
    rows = [
        row("event", "started", n=7, day=D),
        row("event", "shared", n=2, day=D),
        row("event", "started", n=4, day=D + timedelta(days=1)),
    ]
    text = m.aggregates_csv(rows, fewer="fewer than 5")
    got = list(csv.DictReader(io.StringIO(text)))
    assert [(r["period"], r["period_start"], r["item"], r["count"]) for r in got] == [
        ("week", "2026-03-02", "started", "fewer than 5"),
        ("day", "2026-03-04", "shared", "fewer than 5"),
        ("day", "2026-03-04", "started", "7"),
    ]
    assert not re.search(r",[1-4]\r?$", text, flags=re.MULTILINE)  # no count under 5 anywhere


def test_the_funnel_runs_from_start_through_each_screen_to_the_share():
    rows = [
        row("event", "started", n=20),
        row("screen", "a", n=20),
        row("screen", "b", n=14),
        row("screen", "old_question", n=1, version="v0"),  # a screen of older content comes after
        row("screen", "safety", n=12),
        row("event", "result", n=11),
        row("event", "shared", n=6),
    ]
    stages = m.funnel(rows, ["a", "b", "safety"])
    assert stages == [
        m.Stage("started", 20), m.Stage("a", 20), m.Stage("b", 14), m.Stage("safety", 12),
        m.Stage("old_question", 1), m.Stage("result", 11), m.Stage("shared", 6),
    ]  # fmt: skip
    table = {r.id: (r.reached, r.left_here) for r in m.screens_table(rows, ["a", "b", "safety"])}
    assert table["a"] == (20, 6) and table["b"] == (14, 2) and table["result"] == (11, 0)


def test_the_median_time_comes_from_the_buckets_and_needs_five_visits():
    assert m.median_bucket({"lt10s": 1, "10_30s": 1, "30_60s": 3}) == "30_60s"
    assert m.median_bucket({"lt10s": 3, "10_30s": 1, "gt3min": 2}) == "lt10s"
    assert m.median_bucket({"lt10s": 2, "gt3min": 2}) is None  # 4 visits: not shown
    rows = [row("time", "a", "10_30s", n=4), row("time", "a", "1_3min", n=5), row("screen", "a", n=9)]
    assert m.screens_table(rows, ["a"])[0].median == "1_3min"


def test_leans_sure_chosen_and_flags_are_summed_by_kind():
    rows = [
        row("lean", "step1", "needles/strong", 6),
        row("lean", "step1", "needles/strong", 2, day=D + timedelta(days=1)),
        row("lean", "final", "none/none", 3),
        row("sure", "before", "4", 5),
        row("sure", "before", "2", 3),
        row("sure", "before", "0", 1),
        row("sure", "after", "4", 7),
        row("sure", "before", "incomplete", 2),
        row("chosen", "ims", "matches", 5),
        row("chosen", "ims", "differs", 1),
        row("flag", "stop", "raised", 2),
        row("flag", "none", "raised", 9),
    ]
    assert m.leans(rows)["step1"] == {("needles", "strong"): 8}
    assert m.leans(rows)["final"] == {("none", "none"): 3}
    assert m.sure_totals(rows) == {
        "before": {"sure": 5, "not_yet_sure": 4, "incomplete": 2},
        "after": {"sure": 7, "not_yet_sure": 0, "incomplete": 0},
    }
    assert m.chosen_vs_lean(rows) == {"ims": {"matches": 5, "differs": 1, "no_lean": 0}}
    assert m.flags(rows) == {"stop": 2, "caution": 0, "info": 0, "none": 9}


def test_weeks_mark_where_the_content_version_changed():
    rows = [
        row("event", "started", n=6, day=date(2026, 3, 2), version="v1"),
        row("event", "started", n=6, day=date(2026, 3, 9), version="v1"),
        row("event", "started", n=2, day=date(2026, 3, 12), version="v2"),
        row("event", "shared", n=5, day=date(2026, 3, 16), version="v2"),
    ]
    weeks = m.weekly(rows)
    assert [(w.start, w.started, w.shared, w.new_version) for w in weeks] == [
        (date(2026, 3, 2), 6, 0, None),
        (date(2026, 3, 9), 8, 0, "v2"),
        (date(2026, 3, 16), 0, 5, None),
    ]
    assert weeks[1].versions == ("v1", "v2")


# --------------------------------------------------------------------------- one session's tally


class Sink(Counters):
    """A real queue that is never flushed (the tally's own behaviour is under test)."""

    def __init__(self) -> None:
        super().__init__(lambda: (_ for _ in ()).throw(AssertionError("no store here")))  # type: ignore[arg-type]


def test_a_session_counts_each_screen_once_and_times_the_screens_it_leaves():
    sink, state, clock = Sink(), {}, [100.0]
    tally = lambda: Tally(sink, state, "v1", monotonic=lambda: clock[0])  # noqa: E731
    tally().screen("welcome")
    clock[0] += 500  # the welcome screen is never timed nor counted
    tally().screen("main_area")
    clock[0] += 12
    tally().screen("main_area")  # a rerun of the same screen
    tally().screen("duration")
    clock[0] += 200
    tally().screen("main_area")  # Back: timed again, not counted again
    today = sink.today()
    assert sink.pending() == {
        Key(today, "v1", "event", "started", ""): 1,
        Key(today, "v1", "screen", "main_area", ""): 1,
        Key(today, "v1", "screen", "duration", ""): 1,
        Key(today, "v1", "time", "main_area", "10_30s"): 1,
        Key(today, "v1", "time", "duration", "gt3min"): 1,
    }
    assert set(state) == {Tally.STATE_KEY}


def test_a_changed_lean_or_sure_total_moves_from_one_cell_to_the_other():
    sink, state = Sink(), {}
    for answers in (LEANS_IMS, {**LEANS_IMS, **NO_NEEDLES}):
        result = score(CONTENT, {**answers, "sure_certain": "yes"})
        lean = result.to_json()["lean"]
        Tally(sink, state, "v1").result(lean, {f.level for f in result.flags}, result.to_json().get("sure"))
    pending = {(k.metric, k.item, k.value): n for k, n in sink.pending().items()}
    assert pending[("event", "result", "")] == 1
    assert pending[("lean", "final", "no_needling/strong")] == 1
    assert ("lean", "final", "ims/strong") not in pending  # +1 then -1: nothing left
    assert pending[("sure", "before", "incomplete")] == 1
    assert sum(n for (metric, _, _), n in pending.items() if metric == "lean") == 3  # one per step


def test_sure_after_and_consent_for_the_same_record_count_once_here():
    sink, state = Sink(), {}
    Tally(sink, state, "v1").sure_after(3, 4, record="ABC234")
    Tally(sink, state, "v1").sure_after(4, 4, record="ABC234")  # corrected: moved, not added
    Tally(sink, state, "v1").consent("ims", "ims", record="ABC234")
    Tally(sink, state, "v1").consent("acupuncture", None)
    pending = {(k.metric, k.item, k.value): n for k, n in sink.pending().items()}
    assert pending == {
        ("sure", "after", "4"): 1,
        ("event", "sure_after", ""): 1,
        ("chosen", "ims", "matches"): 1,
        ("chosen", "acupuncture", "no_lean"): 1,
        ("event", "consent", ""): 2,
    }


# --------------------------------------------------------------------------- the queue on real databases


@pytest.fixture(scope="module")
def pg() -> PostgresCluster:
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.system)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'handoffs.sqlite3'}"
    return request.getfixturevalue("pg").create_database()


def test_the_counter_table_is_created_with_the_store_and_upserts_add_up(url: str):
    store = HandoffStore(url)
    sink = Counters(lambda: store)
    key = Key(D, "v1", "screen", "main_area", "")
    for _ in range(3):
        sink.add(key)
    assert sink.flush() == 1
    sink.add(key, 2)
    sink.add(Key(D, "v1", "event", "started", ""))
    assert sink.flush() == 2 and sink.flush() == 0
    assert {(r.item, r.n) for r in m.read_counts(store)} == {("main_area", 5), ("started", 1)}
    store.close()


def test_counts_wait_in_memory_while_the_database_cannot_be_written(tmp_path: Path):
    db = tmp_path / "data" / "handoffs.sqlite3"
    store = HandoffStore(f"sqlite:///{db}")
    sink = Counters(lambda: store)
    sink.add(Key(D, "v1", "event", "started", ""), 4)
    (tmp_path / "data").rename(tmp_path / "gone")  # the file vanished: the store refuses to write
    with pytest.raises(StoreError):
        sink.flush()
    assert sink.pending() == {Key(D, "v1", "event", "started", ""): 4}
    (tmp_path / "gone").rename(tmp_path / "data")
    sink.add(Key(D, "v1", "event", "started", ""))
    assert sink.flush() == 1
    assert [r.n for r in m.read_counts(store)] == [5]
    store.close()


def test_the_background_thread_writes_without_being_asked_and_at_close(tmp_path: Path):
    store = HandoffStore(f"sqlite:///{tmp_path / 'h.sqlite3'}")
    sink = Counters(lambda: store, every=0.2)
    sink.start()
    sink.add(Key(D, "v1", "event", "started", ""))
    deadline = time.monotonic() + 10
    while not m.read_counts(store) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r.n for r in m.read_counts(store)] == [1]
    sink.add(Key(D, "v1", "event", "started", ""), 2)
    sink.close()
    assert [r.n for r in m.read_counts(store)] == [3]
    store.close()


def test_the_purge_deletes_counters_older_than_thirteen_months(url: str):
    store = HandoffStore(url)
    sink = Counters(lambda: store)
    now = datetime(2026, 3, 4, 12, tzinfo=UTC)
    for day in (date(2025, 2, 3), date(2025, 2, 4), date(2026, 3, 4)):
        sink.add(Key(day, "v1", "event", "started", ""), 5)
    sink.flush()
    purge(store, now=now)
    assert [r.day for r in m.read_counts(store)] == [date(2025, 2, 4), date(2026, 3, 4)]
    store.close()


INSTANCES, ROUNDS, SESSIONS = 2, 30, 7


def _instance(url: str, start, out) -> None:
    """One app instance: its own engine, its own queue, flushing every few increments."""
    store = HandoffStore(url)
    sink = Counters(lambda: store)
    start.wait(60)
    for i in range(ROUNDS):
        for _ in range(SESSIONS):
            sink.add(Key(D, "v1", "event", "started", ""))
            sink.add(Key(D, "v1", "screen", f"s{i % 3}", ""))
        sink.add(Key(D, "v1", "lean", "final", "ims/strong"), -1)
        sink.flush()
    store.close()
    out.put("done")


def test_two_instances_on_postgresql_count_exactly(pg: PostgresCluster):
    url = pg.create_database()
    HandoffStore(url).close()  # the schema, once
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_instance, args=(url, start, out)) for _ in range(INSTANCES)]
    for p in procs:
        p.start()
    time.sleep(0.5)
    start.set()
    assert [out.get(timeout=300) for _ in procs] == ["done"] * INSTANCES
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    reader = HandoffStore(url)
    got = {(r.metric, r.item, r.value): r.n for r in m.read_counts(reader)}
    reader.close()
    assert got[("event", "started", "")] == INSTANCES * ROUNDS * SESSIONS
    assert got[("screen", "s0", "")] == INSTANCES * 10 * SESSIONS
    assert got[("lean", "final", "ims/strong")] == -INSTANCES * ROUNDS


def test_two_engines_in_threads_on_postgresql_count_exactly(pg: PostgresCluster):
    import threading

    url = pg.create_database()
    stores = [HandoffStore(url) for _ in range(2)]
    sinks = [Counters(lambda s=s: s) for s in stores]

    def work(sink: Counters) -> None:
        for _ in range(200):
            sink.add(Key(D, "v1", "event", "shared", ""))
            if _ % 10 == 0:
                sink.flush()
        sink.flush()

    threads = [threading.Thread(target=work, args=(s,)) for s in sinks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [r.n for r in m.read_counts(stores[0])] == [400]
    for s in stores:
        s.close()


# --------------------------------------------------------------------------- real sessions (AppTest)


def use_database(env: pytest.MonkeyPatch, db: Path) -> Path:
    """The app's database is the SQLite file ``db``, metrics on, no PIN hash from the environment."""
    env.setenv("DECISION_DB_PATH", str(db))
    env.delenv("DECISION_DB_URL", raising=False)
    env.delenv("CLINICIAN_PIN_HASH", raising=False)
    env.delenv("DECISION_METRICS", raising=False)
    return db


@pytest.fixture
def own_database(tmp_path, monkeypatch):
    return use_database(monkeypatch, tmp_path / "handoffs.sqlite3")


def new_app(locale: str = "en-CA") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.context["locale"] = locale
    at.secrets["clinician_pin_hash"] = PIN_HASH
    at.run()
    assert not at.exception
    return at


def tap(at: AppTest, key: str) -> AppTest:
    """Tap a button by its key; the top bar is HTML, whose buttons select their option of the hidden relay."""
    if key in topbar.ACTIONS:
        at.segmented_control(key=keys.RELAY).set_value(key).run()
    else:
        at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def patient(at: AppTest, given: dict[str, str], *, stop_after: int | None = None, share: bool = True) -> str | None:
    """One patient: Start, the questions (given or skipped), the safety check, the result, SURE, Share."""
    tap(at, "start")
    for i, q in enumerate(QUESTIONS):
        if stop_after is not None and i == stop_after:
            return None  # walked away on this screen
        tap(at, f"q_{q.id}__{given[q.id]}" if q.id in given else "skip")
    for q in SAFETY:
        at.segmented_control(key=f"q_{q.id}").set_value("no").run()
    tap(at, "see_result")
    for qid in ("sure_certain", "sure_informed", "sure_values", "sure_support"):
        at.segmented_control(key=f"q_{qid}").set_value("no" if qid == "sure_certain" else "yes").run()
    if not share:
        return None
    tap(at, "share")
    return at.session_state["shared"]["code"]


def counts(db: Path) -> dict[tuple[str, str, str], int]:
    m.flush_all()
    store = HandoffStore(f"sqlite:///{db}")
    try:
        return {(r.metric, r.item, r.value): r.n for r in m.read_counts(store) if r.content_version == V}
    finally:
        store.close()


def snapshot(db: Path, to: Path) -> Path:
    """A consistent copy of the SQLite database at ``db``, every queued count written first."""
    m.flush_all()
    with closing(sqlite3.connect(db)) as source, closing(sqlite3.connect(to)) as copy:
        source.backup(copy)
    return to


@dataclass(frozen=True)
class Walked:
    """What :func:`walked` leaves: the database as it was after four and after five
    patients, the counts after all seven, and the session that walked them."""

    after_four: Path
    after_five: Path
    counts: dict[tuple[str, str, str], int]
    db: Path
    app: AppTest


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> Walked:
    """Seven patients walked once for the tests below, in one AppTest session (the
    slowest part of this file): six give the same answers (LEANS_IMS), finish, share and
    start over; a seventh stops on the fourth question. The database is copied after
    the fourth and after the fifth patient: the dashboard tests read what four and five
    such sessions counted (the same walks each of them used to repeat for itself), each
    on a copy of its own, in a session of its own that unlocks the dashboard."""
    folder = tmp_path_factory.mktemp("walked")
    db = folder / "handoffs.sqlite3"
    with pytest.MonkeyPatch.context() as env:
        use_database(env, db)
        at = new_app()
        copies = {}
        for n in range(1, 7):
            patient(at, LEANS_IMS)
            tap(at, "restart_end")
            tap(at, "yes_start_over_end")
            if n in (4, 5):
                copies[n] = snapshot(db, folder / f"after-{n}-patients.sqlite3")
        patient(at, LEANS_IMS, stop_after=3)  # a seventh stops on the fourth question
        got = counts(db)
    return Walked(copies[4], copies[5], got, db, at)


@pytest.fixture
def database_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``database_copy(snapshot)``: the app's database is a copy of ``snapshot``, this test's own."""

    def copy_of(source: Path) -> Path:
        return use_database(monkeypatch, Path(shutil.copyfile(source, tmp_path / "handoffs.sqlite3")))

    return copy_of


def test_real_sessions_are_counted_screen_by_screen(walked: Walked):
    got = walked.counts
    assert got[("event", "started", "")] == 7
    assert got[("screen", QUESTIONS[0].id, "")] == 7
    assert got[("screen", QUESTIONS[3].id, "")] == 7
    assert got[("screen", QUESTIONS[4].id, "")] == 6
    assert got[("screen", "safety", "")] == got[("event", "result", "")] == got[("event", "shared", "")] == 6
    expected = score(CONTENT, {**LEANS_IMS, **{q.id: "no" for q in SAFETY}})
    final = f"{expected.lean.option}/{expected.lean.strength}"
    assert got[("lean", "final", final)] == 6
    assert got[("lean", "step1", f"{expected.lean.step1.option}/{expected.lean.step1.strength}")] == 6
    assert got[("sure", "before", "3")] == 6  # three yes of four: not yet sure
    levels = {f.level for f in expected.flags}
    for level in LEVELS:
        assert got.get(("flag", level, "raised"), 0) == (6 if level in levels else 0)
    assert got.get(("flag", "none", "raised"), 0) == (0 if levels else 6)
    timed = sum(n for (metric, item, _), n in got.items() if metric == "time" and item == QUESTIONS[0].id)
    assert timed == 7  # every patient left the first question
    assert all(v in m.BUCKET_IDS for (metric, _, v) in got if metric == "time")


def test_going_back_and_changing_answers_moves_the_lean_instead_of_adding_one(own_database):
    at = new_app()
    patient(at, LEANS_IMS, share=False)
    tap(at, "back")  # to the safety check, then back through the questions
    for _ in range(len(QUESTIONS) - 4):
        tap(at, "back")
    q = QUESTIONS[4]
    assert q.id == "wants_needles"
    tap(at, f"q_{q.id}__no")
    for _ in range(len(QUESTIONS) - 5):
        tap(at, "skip")
    tap(at, "see_result")
    got = counts(own_database)
    assert got[("event", "started", "")] == 1 and got[("screen", q.id, "")] == 1
    assert got[("event", "result", "")] == 1
    assert sum(n for (metric, item, _), n in got.items() if metric == "lean" and item == "final") == 1
    assert got[("lean", "final", "no_needling/strong")] == 1


NOT_AN_ANSWER = re.compile(r"^[a-z0-9_]+(/[a-z]+)?$")


def test_the_counter_table_holds_no_answer_code_no_handoff_code_and_no_session_id(own_database):
    at = new_app()
    codes = [patient(at, LEANS_IMS)]
    tap(at, "restart_end")
    tap(at, "yes_start_over_end")
    codes.append(patient(at, {**LEANS_IMS, **NO_NEEDLES}))
    m.flush_all()
    store = HandoffStore(f"sqlite:///{own_database}")
    with store._engine.connect() as conn:
        cells = [tuple(r) for r in conn.execute(select(m.counters))]
    store.close()
    assert cells
    # Every cell comes from a closed vocabulary: days, the content version, our words, screen ids.
    screen_ids = {q.id for q in QUESTIONS} | {"safety", "result"}
    items = screen_ids | set(m.EVENTS) | set(m.STEPS) | set(LEVELS) | {"none", "before", "after"}
    values = {"", "raised", *m.BUCKET_IDS, *m.SURE_KEYS}
    leans = {f"{o}/{s}" for o in (*CONTENT.options, "needles", "none") for s in ("strong", "slight", "none")}
    for day, version, metric, item, value, n in cells:
        assert isinstance(day, date) and version == V and isinstance(n, int)
        assert metric in {"event", "screen", "time", "lean", "flag", "sure"}
        assert item in items, item
        assert value in values | leans, value
    # And a plain search of every cell for what a session had: its answers, its code, its id.
    text = "\n".join("|".join(str(c) for c in cell) for cell in cells)
    for code in codes:
        assert code and code not in text
    for qid, answer in {**LEANS_IMS, **NO_NEEDLES}.items():
        assert f"{qid}|{answer}" not in text and f"|{answer}|" not in text
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}", text)  # Streamlit session ids are UUIDs


def test_with_metrics_off_nothing_is_counted(own_database, monkeypatch):
    monkeypatch.setenv("DECISION_METRICS", "off")
    at = new_app()
    patient(at, LEANS_IMS)
    assert counts(own_database) == {}


def unlock_dashboard(at: AppTest) -> AppTest:
    at.switch_page("app_pages/dashboard.py").run()
    assert not at.exception, at.exception
    at.text_input(key="pin").input(PIN)
    return tap(at, "unlock")


def spec(chart) -> str:
    """A chart's Vega-Lite spec and data as text (non-ASCII as itself)."""
    data = [str(d) for d in getattr(chart.proto, "datasets", [])]
    return json.dumps(json.loads(chart.proto.spec), ensure_ascii=False) + "".join(data)


def tables(at: AppTest) -> str:
    return "\n".join(t.value.to_csv() for t in at.table)


def test_the_dashboard_without_the_pin_shows_only_the_way_to_unlock(walked: Walked, monkeypatch):
    """The session that walked the seven patients, its counts in the database, opens the dashboard."""
    use_database(monkeypatch, walked.db)
    at = walked.app  # no other test uses this session
    at.switch_page("app_pages/dashboard.py").run()
    assert not at.exception
    assert at.title[0].value == EN("dash_title")
    assert at.text_input(key="pin").label == EN("clin_pin_label")
    assert not at.subheader and not at.table and not at.get("vega_lite_chart") and not at.get("download_button")


def test_the_dashboard_hides_cells_under_five_on_screen_and_in_the_csv(walked: Walked, database_copy):
    own_database = database_copy(walked.after_four)  # what four patients counted
    at = unlock_dashboard(new_app())
    shown = tables(at)
    assert [s.value for s in at.subheader][:2] == [EN("dash_funnel"), EN("dash_screens")]
    assert EN("dash_fewer") in shown
    assert not re.search(r",[1-4]\n", shown)  # no count of 1 to 4 in any table
    assert [d.key for d in at.get("download_button")] == ["download_dashboard_csv"]  # its file: the browser test
    data = m.aggregates_csv(m.read_counts(HandoffStore(f"sqlite:///{own_database}")), fewer=EN("dash_fewer"))
    assert "fewer than 5" in data and not re.search(r",[1-4]\r?$", data, flags=re.MULTILINE)
    assert at.get("vega_lite_chart") == [] or all(
        '"n": 4' not in spec(e) for e in at.get("vega_lite_chart")
    )  # a hidden cell is never drawn


def test_the_dashboard_shows_the_funnel_and_sure_in_both_languages(walked: Walked, database_copy):
    database_copy(walked.after_five)  # what five patients counted
    at = unlock_dashboard(new_app())
    subheaders = [s.value for s in at.subheader]
    for key in ("dash_funnel", "dash_screens", "dash_leans", "dash_sure", "dash_chosen", "dash_flags", "dash_weeks"):
        assert EN(key) in subheaders
    funnel = at.table[0].value
    assert funnel.iloc[0, 1] == "5" and list(funnel.iloc[:, 0])[-1] == EN("dash_stage_shared")
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 3 and any(EN("dash_sure_not_yet_sure") in spec(c) for c in charts)
    tap(at, "clin_dash_lang")
    subheaders = [s.value for s in at.subheader]
    assert FR("dash_funnel") in subheaders and FR("dash_sure") in subheaders
    assert any(FR("dash_sure_not_yet_sure") in spec(c) for c in at.get("vega_lite_chart"))
    assert FR("dash_stage_started") in tables(at)


def test_no_chart_ever_draws_a_cell_under_five():
    from ui import dashboard as dash

    rows = [
        row("event", "started", n=9, version=V),
        row("screen", QUESTIONS[0].id, n=9, version=V),
        row("screen", QUESTIONS[1].id, n=6, version=V),
        row("event", "result", n=3, version=V),
        row("lean", "final", "ims/strong", 4, version=V),
        row("lean", "final", "acupuncture/slight", 5, version=V),
        row("sure", "before", "2", 1, version=V),
        row("sure", "before", "4", 8, version=V),
        row("chosen", "ims", "matches", 2, version=V),
        row("flag", "stop", "raised", 3, version=V),
        row("flag", "none", "raised", 6, version=V),
    ]
    lab = dash.Labels(CONTENT, EN)
    frames = [
        dash.funnel_frames(rows, CONTENT, lab)[0],
        dash.screen_frames(rows, CONTENT, lab)[0],
        dash.lean_frames(rows, lab)[0],
        dash.sure_frames(rows, lab)[0],
        dash.chosen_frames(rows, CONTENT, lab)[0],
        dash.flag_frames(rows, lab)[0],
        dash.week_frames(rows, lab)[0],
    ]
    for frame in frames:
        assert all(n >= 5 for n in frame["n"]), frame
    assert sorted(frames[2]["n"]) == [5] and sorted(frames[3]["n"]) == [8] and list(frames[5]["n"]) == [6]
    assert len(frames[4]) == 0
    funnel_table = dash.funnel_frames(rows, CONTENT, lab)[1]
    assert EN("dash_fewer") in set(funnel_table.iloc[:, 1])


def _clinician_hooks() -> None:
    """What the clinician side (and the "I'm called in" button) will call."""
    from ui import metrics as hooks

    hooks.count_sure_after(2, 4, record="ABC234")
    hooks.count_sure_after(4, 4, record="ABC234")  # corrected in the same session
    hooks.count_consent("ims", "ims", record="ABC234")
    hooks.count_consent("acupuncture", "ims")
    hooks.called_in()
    hooks.called_in()  # once per session


def test_the_hooks_for_sure_after_consent_and_called_in_reach_the_database(own_database):
    at = AppTest.from_function(_clinician_hooks, default_timeout=30)
    at.run()
    assert not at.exception
    got = counts(own_database)
    assert got == {
        ("sure", "after", "4"): 1,
        ("event", "sure_after", ""): 1,
        ("chosen", "ims", "matches"): 1,
        ("chosen", "acupuncture", "differs"): 1,
        ("event", "consent", ""): 2,
        ("event", "called_in", ""): 1,
    }
