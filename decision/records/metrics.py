"""Counters for the clinic's dashboard: how far patients get, not who they are.

The app counts, per clinic day (in the clinic's time zone) and content version:
sessions started, each screen reached, the result reached, shares, called-in saves,
time on each screen in five coarse buckets, each step's lean and strength, the flag
levels raised, SURE totals before the talk (and after it, when the physiotherapist
records it), and the option chosen against the lean. Each counter is one row
``(day, content_version, metric, item, value) -> count`` in the store's database
(:data:`counters`, created with the store's tables). Nothing else is kept: no answer,
no handoff code, no session id, no time finer than the day (docs/metrics.md).

Counting never waits for the database: :class:`Counters` adds to a small dictionary
in memory, and a background thread writes it every few seconds (and at shutdown) as
``count = count + n`` UPSERTs, so several instances on one database stay exact.

:class:`Tally` is one session's view: it keeps in that session's own state what it
has counted, so that a screen is counted once per session, and a lean or a SURE total
that changes (the patient went back) moves from the old cell to the new one (-1, +1).

The rest are pure functions for the dashboard: small-number suppression (a cell under
:data:`MIN_CELL` is hidden; a day with fewer than :data:`MIN_CELL` sessions merges into
its week), the funnel, drop-off, medians from buckets, weekly totals, the CSV export.
"""

from __future__ import annotations

import atexit
import csv
import io
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import BigInteger, Column, Date, MetaData, String, Table, delete, select
from sqlalchemy.engine import Connection

from decision.models import LEVELS

if TYPE_CHECKING:
    from decision.records.handoffs import HandoffStore

MIN_CELL = 5  # any count under this is shown as "fewer than 5"; a day with fewer sessions joins its week
KEEP_MONTHS = 13
FLUSH_EVERY_S = 5.0

# Time on a screen: (bucket id, upper bound in seconds; None = open).
BUCKETS: tuple[tuple[str, float | None], ...] = (
    ("lt10s", 10.0),
    ("10_30s", 30.0),
    ("30_60s", 60.0),
    ("1_3min", 180.0),
    ("gt3min", None),
)
BUCKET_IDS = tuple(b for b, _ in BUCKETS)
EVENTS = ("started", "result", "shared", "called_in", "sure_after", "consent")
STEPS = ("step1", "step2", "final")
SURE_KEYS = ("4", "3", "2", "1", "0", "incomplete")
RESULT_SCREEN = "result"
NOT_A_SCREEN = "welcome"  # the welcome screen is shown to nobody in particular: never counted

metadata = MetaData()

counters = Table(
    "decision_metrics",
    metadata,
    Column("day", Date, primary_key=True),  # the clinic's day: nothing finer is kept
    Column("content_version", String(100), primary_key=True),
    Column("metric", String(32), primary_key=True),
    Column("item", String(64), primary_key=True),
    Column("value", String(64), primary_key=True),
    Column("count", BigInteger, nullable=False),
)
KEY_COLUMNS = ("day", "content_version", "metric", "item", "value")


class Key(NamedTuple):
    day: date
    content_version: str
    metric: str
    item: str
    value: str


class CounterRow(NamedTuple):
    day: date
    content_version: str
    metric: str
    item: str
    value: str
    n: int


def bucket(seconds: float) -> str:
    """The coarse bucket for a time on a screen."""
    for name, upper in BUCKETS:
        if upper is None or seconds < upper:
            return name
    return BUCKETS[-1][0]  # pragma: no cover - the last bucket is open


def keep_from(today: date, months: int = KEEP_MONTHS) -> date:
    """The first day still kept: the same day of the month ``months`` months ago (clamped)."""
    month = today.month - months
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in range(today.day, 0, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError("no such day")  # pragma: no cover


# --------------------------------------------------------------------------- schema and purge (used by the store)


def create_schema(conn: Connection) -> None:
    """Create the counter table in the store's schema transaction."""
    metadata.create_all(conn)


def purge_old(conn: Connection, now: datetime) -> int:
    """Delete counters older than :data:`KEEP_MONTHS` months (in the store's purge transaction)."""
    first = keep_from(now.astimezone(UTC).date())
    return int(conn.execute(delete(counters).where(counters.c.day < first)).rowcount or 0)


def _upsert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(counters)
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(counters)
    else:  # pragma: no cover - the store only opens these two
        raise ValueError(f"counters need SQLite or PostgreSQL, not {conn.dialect.name}")
    stmt = stmt.on_conflict_do_update(
        index_elements=[counters.c[name] for name in KEY_COLUMNS],
        set_={"count": counters.c["count"] + stmt.excluded["count"]},
    )
    conn.execute(stmt, rows)


def read_counts(store: HandoffStore, since: date | None = None) -> list[CounterRow]:
    """Every counter (from ``since`` on), zero rows left out."""
    query = select(counters).where(counters.c["count"] != 0)
    if since is not None:
        query = query.where(counters.c.day >= since)
    with store._guard("read the counters"), store._engine.connect() as conn:
        rows = conn.execute(query.order_by(*[counters.c[c] for c in KEY_COLUMNS])).all()
    return [CounterRow(r.day, r.content_version, r.metric, r.item, r.value, int(r._mapping["count"])) for r in rows]


# --------------------------------------------------------------------------- the queue


_LIVE: weakref.WeakSet[Counters] = weakref.WeakSet()


def flush_all() -> int:
    """Write every live queue in this process now (tests; the threads do it every few seconds).
    A queue whose database cannot be written keeps its counts and reports it, as its thread
    would: one broken database never stops the others."""
    return sum(c._flush_quietly() for c in list(_LIVE))


class Counters:
    """Counts in memory, written to the database off the caller's thread.

    :meth:`add` only updates a dictionary under a lock (microseconds). :meth:`flush`
    writes everything pending in one transaction of ``count = count + n`` UPSERTs
    (sorted, so instances never deadlock on PostgreSQL); when the database cannot be
    written the counts stay pending and the next flush tries again. :meth:`start`
    runs a daemon thread flushing every ``every`` seconds and registers a flush at
    interpreter exit. The store is opened lazily, by the flushing thread, with
    ``open_store`` (so the first tap does not wait for a database connection).
    """

    def __init__(
        self,
        open_store: Callable[[], HandoffStore],
        *,
        zone: tzinfo = UTC,
        every: float = FLUSH_EVERY_S,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_error: Callable[[str], None] | None = None,
    ):
        self._open_store = open_store
        self._store: HandoffStore | None = None
        self.zone = zone
        self.every = every
        self.clock = clock
        self.on_error = on_error
        self._pending: dict[Key, int] = defaultdict(int)
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        _LIVE.add(self)

    def today(self) -> date:
        return self.clock().astimezone(self.zone).date()

    def add(self, key: Key, n: int = 1) -> None:
        with self._lock:
            self._pending[key] += n

    def pending(self) -> dict[Key, int]:
        with self._lock:
            return {k: v for k, v in self._pending.items() if v}

    def flush(self) -> int:
        """Write what is pending; return how many counters changed. Raises ``StoreError``."""
        with self._flushing:
            with self._lock:
                batch = {k: v for k, v in self._pending.items() if v}
                self._pending = defaultdict(int)
            if not batch:
                return 0
            try:
                store = self._store or self._open_store()
                self._store = store
                rows = [{**k._asdict(), "count": n} for k, n in sorted(batch.items())]
                with store._guard("save the counters"), store._writer.begin() as conn:
                    _upsert(conn, rows)
            except BaseException:
                with self._lock:  # keep them for the next try
                    for k, n in batch.items():
                        self._pending[k] += n
                raise
            return len(batch)

    def _flush_quietly(self) -> int:
        try:
            return self.flush()
        except Exception as exc:  # the message names the database, never a value
            if self.on_error is not None:
                self.on_error(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return 0

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="decision-metrics", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._flush_quietly()

    def close(self) -> None:
        """Stop the thread and write what is left."""
        self._stop.set()
        self._flush_quietly()


# --------------------------------------------------------------------------- one session's counting


class Tally:
    """One session's counting. ``state`` is that session's own mapping (``st.session_state``).

    Under :data:`STATE_KEY` it keeps the screens already counted, the screen on show
    and since when (a monotonic clock reading, never written anywhere), and the cells
    its lean, flags and SURE total were counted in. It goes with the session (a wipe,
    Start over, the idle check).
    """

    STATE_KEY = "_metrics_tally"

    def __init__(
        self,
        sink: Counters,
        state: MutableMapping[str, Any],
        version: str,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.sink = sink
        self.version = version
        self.monotonic = monotonic
        mine = state.get(self.STATE_KEY)
        if not isinstance(mine, dict):
            mine = {"seen": set(), "events": set(), "on": None, "slots": {}}
            state[self.STATE_KEY] = mine
        self._mine: dict[str, Any] = mine

    def _key(self, metric: str, item: str, value: str = "") -> Key:
        return Key(self.sink.today(), self.version, metric, item[:64], value[:64])

    def event(self, name: str) -> None:
        """Count an event once per session."""
        if name in self._mine["events"]:
            return
        self._mine["events"].add(name)
        self.sink.add(self._key("event", name))

    def screen(self, screen_id: str) -> None:
        """The session is on ``screen_id``: count it the first time, and time the screen it left."""
        on = self._mine["on"]
        if on is not None and on[0] == screen_id:
            return  # a rerun of the same screen
        now = self.monotonic()
        if on is not None and on[0] != NOT_A_SCREEN:
            self.sink.add(self._key("time", on[0], bucket(max(0.0, now - on[1]))))
        self._mine["on"] = (screen_id, now)
        if screen_id == NOT_A_SCREEN:
            return
        self.event("started")
        if screen_id not in self._mine["seen"]:
            self._mine["seen"].add(screen_id)
            self.sink.add(self._key("screen", screen_id))

    def set(self, slot: str, metric: str, item: str, value: str | None) -> None:
        """This session's one cell for ``slot`` is now (metric, item, value); None: no cell.

        A change moves the count: -1 from the old cell, +1 to the new one.
        """
        slots: dict[str, Key] = self._mine["slots"]
        old = slots.get(slot)
        new = None if value is None else self._key(metric, item, value)
        if old == new:
            return
        if old is not None:
            self.sink.add(old, -1)
            del slots[slot]
        if new is not None:
            self.sink.add(new)
            slots[slot] = new

    def result(self, lean: Mapping[str, Any], flag_levels: Iterable[str], sure: Mapping[str, Any] | None) -> None:
        """The result screen: the lean of each step, the flag levels raised, the SURE total so far.

        ``lean`` is the result JSON's ``lean`` (``Result.to_json()["lean"]``): its
        ``step1``, ``step2`` and the final ``option``/``strength``.
        """
        self.screen(RESULT_SCREEN)
        self.event("result")
        for step in STEPS:
            part = lean if step == "final" else lean.get(step) or {}
            self.set(f"lean_{step}", "lean", step, f"{part.get('option') or 'none'}/{part.get('strength') or 'none'}")
        raised = set(flag_levels)
        for level in LEVELS:
            self.set(f"flag_{level}", "flag", level, "raised" if level in raised else None)
        self.set("flag_none", "flag", "none", "raised" if not raised & set(LEVELS) else None)
        self.set("sure_before", "sure", "before", sure_key(sure))

    def sure_after(self, score: int, answered: int, record: str | None = None) -> None:
        """The SURE total after the talk (the physiotherapist recorded it).

        With ``record`` (any token for the record, e.g. its handoff code: it stays in
        this session, never in a counter), recording it again here moves the count.
        """
        value = sure_key({"score": score, "answered": answered})
        self._once(record, "sure_after", ("sure", "after", value), ("event", "sure_after", ""))

    def consent(self, chosen: str, lean: str | None, record: str | None = None) -> None:
        """The option chosen in the consent record, against the final lean (see :meth:`sure_after`)."""
        match = "no_lean" if not lean else ("matches" if chosen == lean else "differs")
        self._once(record, "consent", ("chosen", chosen, match), ("event", "consent", ""))

    def _once(self, record: str | None, kind: str, *cells: tuple[str, str, str | None]) -> None:
        if record is None:
            for metric, item, value in cells:
                if value is not None:
                    self.sink.add(self._key(metric, item, value))
            return
        for i, (metric, item, value) in enumerate(cells):
            self.set(f"{kind}:{i}:{record}", metric, item, value)


def sure_key(sure: Mapping[str, Any] | None) -> str | None:
    """ "4".."0" for a complete SURE test (yes answers), "incomplete", or None when none was answered."""
    if not sure or not sure.get("answered"):
        return None
    if int(sure["answered"]) < 4:
        return "incomplete"
    return str(max(0, min(4, int(sure["score"]))))


# --------------------------------------------------------------------------- aggregation (pure)


def hidden(n: int) -> bool:
    """A cell under :data:`MIN_CELL` is never shown."""
    return n < MIN_CELL


def shown(n: int) -> int | None:
    """The count, or None where it must be hidden."""
    return None if hidden(n) else n


def week_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


class Period(NamedTuple):
    kind: str  # "day" or "week"
    start: date

    @property
    def label(self) -> str:
        return self.start.isoformat() if self.kind == "day" else f"week of {self.start.isoformat()}"


def sessions_by_day(rows: Iterable[CounterRow]) -> dict[date, int]:
    out: dict[date, int] = defaultdict(int)
    for r in rows:
        if r.metric == "event" and r.item == "started":
            out[r.day] += r.n
    return dict(out)


def by_period(rows: Sequence[CounterRow]) -> list[tuple[Period, str, str, str, str, int]]:
    """Counts per period: a day with at least :data:`MIN_CELL` sessions stands alone, others join their week.

    Rows: (period, content_version, metric, item, value, count), sorted.
    """
    sessions = sessions_by_day(rows)
    merged: dict[tuple[Period, str, str, str, str], int] = defaultdict(int)
    for r in rows:
        period = Period("day", r.day) if sessions.get(r.day, 0) >= MIN_CELL else Period("week", week_of(r.day))
        merged[(period, r.content_version, r.metric, r.item, r.value)] += r.n
    return [(*k, n) for k, n in sorted(merged.items(), key=lambda kv: (kv[0][0].start, kv[0][0].kind, kv[0][1:]))]


def total(rows: Iterable[CounterRow], metric: str, item: str | None = None, value: str | None = None) -> int:
    return sum(
        r.n
        for r in rows
        if r.metric == metric and (item is None or r.item == item) and (value is None or r.value == value)
    )


class Stage(NamedTuple):
    id: str  # "started", a screen id, "result", "shared"
    n: int


def funnel(rows: Sequence[CounterRow], screens: Sequence[str]) -> list[Stage]:
    """Started, each screen in order (then screens of older content), the result, shared."""
    seen = {r.item for r in rows if r.metric == "screen"} - {RESULT_SCREEN}
    order = [s for s in screens if s != RESULT_SCREEN] + sorted(seen - set(screens))
    stages = [Stage("started", total(rows, "event", "started"))]
    stages += [Stage(s, total(rows, "screen", s)) for s in order]
    stages += [Stage("result", total(rows, "event", "result")), Stage("shared", total(rows, "event", "shared"))]
    return stages


def median_bucket(counts: Mapping[str, int]) -> str | None:
    """The bucket holding the median time (from bucket counts alone); None with fewer than MIN_CELL visits."""
    n = sum(counts.get(b, 0) for b in BUCKET_IDS)
    if hidden(n):
        return None
    half, running = n / 2, 0
    for b in BUCKET_IDS:
        running += counts.get(b, 0)
        if running >= half:
            return b
    return BUCKET_IDS[-1]  # pragma: no cover


class ScreenRow(NamedTuple):
    id: str
    reached: int
    left_here: int  # reached this screen, never the next one
    median: str | None  # a bucket id


def screens_table(rows: Sequence[CounterRow], screens: Sequence[str]) -> list[ScreenRow]:
    """Per screen: how many reached it, how many stopped there, the median time's bucket."""
    stages = [s for s in funnel(rows, screens) if s.id not in ("started", "shared")]
    times: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        if r.metric == "time":
            times[r.item][r.value] += r.n
    out = []
    for i, stage in enumerate(stages):
        after = stages[i + 1].n if i + 1 < len(stages) else stage.n
        out.append(ScreenRow(stage.id, stage.n, max(0, stage.n - after), median_bucket(times[stage.id])))
    return out


def leans(rows: Sequence[CounterRow]) -> dict[str, dict[tuple[str, str], int]]:
    """{step: {(option, strength): sessions}} for step1, step2, final."""
    out: dict[str, dict[tuple[str, str], int]] = {s: defaultdict(int) for s in STEPS}
    for r in rows:
        if r.metric == "lean" and r.item in out:
            option, _, strength = r.value.partition("/")
            out[r.item][(option, strength)] += r.n
    return {s: dict(v) for s, v in out.items()}


def sure_totals(rows: Sequence[CounterRow]) -> dict[str, dict[str, int]]:
    """{"before"/"after": {"sure": n, "not_yet_sure": n, "incomplete": n}}: SURE 4/4 is sure, 0-3 not yet."""
    out = {w: {"sure": 0, "not_yet_sure": 0, "incomplete": 0} for w in ("before", "after")}
    for r in rows:
        if r.metric == "sure" and r.item in out:
            kind = "incomplete" if r.value == "incomplete" else ("sure" if r.value == "4" else "not_yet_sure")
            out[r.item][kind] += r.n
    return out


def chosen_vs_lean(rows: Sequence[CounterRow]) -> dict[str, dict[str, int]]:
    """{chosen option: {"matches"/"differs"/"no_lean": n}}."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"matches": 0, "differs": 0, "no_lean": 0})
    for r in rows:
        if r.metric == "chosen":
            out[r.item][r.value] = out[r.item].get(r.value, 0) + r.n
    return dict(out)


def flags(rows: Sequence[CounterRow]) -> dict[str, int]:
    """{level: sessions with at least one flag of that level} (and "none")."""
    out = dict.fromkeys((*LEVELS, "none"), 0)
    for r in rows:
        if r.metric == "flag" and r.item in out:
            out[r.item] += r.n
    return out


class Week(NamedTuple):
    start: date
    started: int
    result: int
    shared: int
    versions: tuple[str, ...]
    new_version: str | None  # the content changed this week (a version not seen in any earlier week)


def weekly(rows: Sequence[CounterRow]) -> list[Week]:
    """Sessions started, results reached and shares per week, with where the content version changed."""
    weeks: dict[date, dict[str, int]] = defaultdict(lambda: {"started": 0, "result": 0, "shared": 0})
    versions: dict[date, set[str]] = defaultdict(set)
    first_seen: dict[str, date] = {}
    for r in rows:
        w = week_of(r.day)
        versions[w].add(r.content_version)
        first_seen[r.content_version] = min(first_seen.get(r.content_version, w), w)
        if r.metric == "event" and r.item in ("started", "result", "shared"):
            weeks[w][r.item] += r.n
    out = []
    first_week = min(versions) if versions else None
    for w in sorted(versions):
        fresh = sorted(v for v, seen in first_seen.items() if seen == w)
        new = fresh[-1] if fresh and w != first_week else None
        out.append(
            Week(w, weeks[w]["started"], weeks[w]["result"], weeks[w]["shared"], tuple(sorted(versions[w])), new)
        )
    return out


CSV_COLUMNS = ("period", "period_start", "content_version", "metric", "item", "value", "count")


def aggregates_csv(rows: Sequence[CounterRow], fewer: str = "fewer than 5") -> str:
    """Every counter by period (small days merged into their week), cells under MIN_CELL as ``fewer``."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(CSV_COLUMNS)
    for period, version, metric, item, value, n in by_period(rows):
        if n == 0:
            continue
        out.writerow((period.kind, period.start.isoformat(), version, metric, item, value, fewer if hidden(n) else n))
    return buf.getvalue()
