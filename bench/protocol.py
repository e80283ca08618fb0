"""A protocol-level Streamlit client: what a browser tab sends, without the browser.

One :class:`Session` is one websocket to ``/_stcore/stream``. It sends
``BackMsg.rerun_script`` with the widget states (a tapped button is a trigger, a
chosen segmented-control option is a string array), and reads ``ForwardMsg``s
until ``script_finished``. The deltas of a full run are kept as the current
screen, so a caller can find widgets by their key and read the headings and
``st.html`` bodies it was sent. Like the browser it keeps large ("cacheable")
messages and declares their hashes, answers a fragment timer's ``auto_rerun``
with fragment reruns (optional), and forgets widget values that left the screen.

:func:`drive` runs many sessions at once through a :class:`Plan` each, tapping
on a fixed schedule, and returns every timing and every problem it saw. It never
records what a session answered, only step numbers and timings.

Every wait has a timeout; nothing here runs forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED_OK = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
FINISHED_COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_WITH_COMPILE_ERROR")
FINISHED_EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
FINISHED_FRAGMENT = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
WIDGET_TYPES = ("button", "button_group")
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.S)


class ProtocolError(Exception):
    """The server answered something a browser would not accept, or not in time."""


@dataclass
class Screen:
    """What one full script run sent: elements by delta path."""

    elements: dict[tuple[int, ...], object] = field(default_factory=dict)  # path -> Element proto
    exceptions: int = 0

    def add(self, path: tuple[int, ...], element) -> None:
        self.elements[path] = element
        if element.WhichOneof("type") == "exception":
            self.exceptions += 1

    def _ordered(self, kind: str) -> list:
        return [el for _, el in sorted(self.elements.items()) if el.WhichOneof("type") == kind]

    @property
    def headings(self) -> list[str]:
        """The screen's headings in order: st.title's and the like, and an <h1> drawn in an
        HTML block (a question screen's question, app_pages/patient.py)."""
        out = []
        for _, el in sorted(self.elements.items()):
            kind = el.WhichOneof("type")
            if kind == "heading":
                out.append(el.heading.body)
            elif kind == "html":
                out += [html.unescape(h) for h in _H1.findall(el.html.body)]
        return out

    @property
    def title(self) -> str | None:
        heads = self.headings
        return heads[0] if heads else None

    @property
    def html(self) -> list[str]:
        return [h.html.body for h in self._ordered("html")]

    def widget(self, key: str):
        """The button or button group whose user key is ``key`` (ids end in ``-<key>``)."""
        for el in self.elements.values():
            kind = el.WhichOneof("type")
            if kind in WIDGET_TYPES:
                proto = getattr(el, kind)
                if proto.id.endswith(f"-{key}"):
                    return proto
        return None

    def widget_ids(self) -> set[str]:
        return {
            getattr(el, el.WhichOneof("type")).id
            for el in self.elements.values()
            if el.WhichOneof("type") in WIDGET_TYPES
        }

    def buttons(self, key_prefix: str = "") -> list:
        return [
            el.button
            for _, el in sorted(self.elements.items())
            if el.WhichOneof("type") == "button" and el.button.id.split("-", 2)[-1].startswith(key_prefix)
        ]


class Session:
    """One browser tab's websocket session (no browser)."""

    def __init__(self, ws_url: str, locale: str = "en-CA", timeout: float = 30.0):
        self.ws_url = ws_url
        self.locale = locale
        self.timeout = timeout
        self.ws = None
        self.screen = Screen()
        self.page_script_hash = ""
        self.values: dict[str, WidgetState] = {}  # widget id -> last value (not triggers)
        self.cache: dict[str, ForwardMsg] = {}  # hash -> cacheable message, like the browser's cache
        self.auto_rerun: tuple[float, str] | None = None  # (interval s, fragment id) of a fragment timer
        self.events: list[str] = []  # session events the server sent (e.g. an exception)

    async def connect(self) -> None:
        self.ws = await asyncio.wait_for(
            websockets.connect(
                self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout, ping_interval=None
            ),
            self.timeout,
        )

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(TimeoutError, OSError, websockets.WebSocketException):
                await asyncio.wait_for(self.ws.close(), 5)
            self.ws = None

    # ---------------------------------------------------------------- runs

    def _back_msg(self, extra: Sequence[WidgetState] = (), fragment_id: str = "") -> bytes:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = ""
        rs.page_script_hash = self.page_script_hash
        rs.context_info.locale = self.locale
        rs.context_info.timezone = "America/Toronto"
        rs.cached_message_hashes.extend(self.cache)
        if fragment_id:
            rs.fragment_id = fragment_id
            rs.is_auto_rerun = True
        extra_ids = {w.id for w in extra}
        for wid, state in self.values.items():
            if wid not in extra_ids:
                rs.widget_states.widgets.add().CopyFrom(state)
        for w in extra:
            rs.widget_states.widgets.add().CopyFrom(w)
        return msg.SerializeToString()

    async def run(self, extra: Sequence[WidgetState] = (), fragment_id: str = "") -> float:
        """Send one rerun_script; wait for its script_finished. Returns milliseconds."""
        if self.ws is None:
            raise ProtocolError("not connected")
        t0 = time.perf_counter()
        await self.ws.send(self._back_msg(extra, fragment_id))
        return await self._receive(t0, full=not fragment_id, timeout=self.timeout)

    async def listen(self, timeout: float) -> float:
        """Wait for a run the server starts by itself (no message sent); the seconds waited."""
        if self.ws is None:
            raise ProtocolError("not connected")
        t0 = time.perf_counter()
        await self._receive(t0, full=True, timeout=timeout)
        return time.perf_counter() - t0

    async def _receive(self, t0: float, *, full: bool, timeout: float) -> float:
        """Read until a run's script_finished; a full run's elements become the screen. Milliseconds."""
        screen = Screen() if full else None
        deadline = t0 + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise ProtocolError(f"no script_finished within {timeout:.0f} s")
            try:
                data = await asyncio.wait_for(self.ws.recv(), left)
            except TimeoutError:
                raise ProtocolError(f"no script_finished within {timeout:.0f} s") from None
            except websockets.ConnectionClosed as exc:
                raise ProtocolError(f"connection closed: {exc.code}") from None
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":
                cached = self.cache.get(msg.ref_hash)
                if cached is None:
                    raise ProtocolError("server referred to a message this client never had")
                cached = ForwardMsg.FromString(cached.SerializeToString())
                cached.metadata.CopyFrom(msg.metadata)
                msg, kind = cached, cached.WhichOneof("type")
            elif msg.metadata.cacheable and msg.hash:
                self.cache[msg.hash] = msg
            if kind == "new_session":
                self.page_script_hash = msg.new_session.page_script_hash or self.page_script_hash
                if screen is not None:
                    screen = Screen()  # a rerun (st.rerun) starts the screen again
            elif kind == "delta":
                if msg.delta.WhichOneof("type") == "new_element" and screen is not None:
                    screen.add(tuple(msg.metadata.delta_path), msg.delta.new_element)
            elif kind == "auto_rerun":
                self.auto_rerun = (msg.auto_rerun.interval, msg.auto_rerun.fragment_id)
            elif kind == "stop_auto_rerun":
                self.auto_rerun = None
            elif kind == "session_event":
                self.events.append(msg.session_event.WhichOneof("type") or "event")
            elif kind == "script_finished":
                status = msg.script_finished
                if status == FINISHED_EARLY:
                    continue  # st.rerun(): the next run follows
                elapsed = (time.perf_counter() - t0) * 1000
                if status == FINISHED_COMPILE_ERROR:
                    raise ProtocolError("script compile error")
                if screen is not None:
                    self.screen = screen
                    alive = screen.widget_ids()
                    self.values = {k: v for k, v in self.values.items() if k in alive}
                return elapsed

    async def click(self, key: str) -> float:
        button = self.screen.widget(key)
        if button is None:
            raise ProtocolError(f"no widget '{key}' on this screen")
        return await self.run([WidgetState(id=button.id, trigger_value=True)])

    async def choose(self, key: str, index: int) -> float:
        group = self.screen.widget(key)
        if group is None or not hasattr(group, "options"):
            raise ProtocolError(f"no choice '{key}' on this screen")
        if not 0 <= index < len(group.options):
            raise ProtocolError(f"choice '{key}' has no option {index}")
        state = WidgetState(id=group.id)
        state.string_array_value.data.append(group.options[index].content)
        self.values[group.id] = state
        return await self.run()

    async def tick(self) -> float | None:
        """One fragment timer tick, as the browser's timer sends it; None if there is no timer."""
        if not self.auto_rerun:
            return None
        return await self.run(fragment_id=self.auto_rerun[1])


# -------------------------------------------------------------------- plans


Check = Callable[[Screen], list[str]]


@dataclass
class Step:
    """One tap: click a button, or choose option ``index`` of a segmented control."""

    key: str
    index: int | None = None  # None: a button click
    check: Check | None = None  # problems with the screen this tap led to


@dataclass
class Plan:
    locale: str
    steps: list[Step]
    first: Check | None = None  # problems with the first screen
    last: Check | None = None  # problems with the final screen (e.g. "not the result")


@dataclass
class SessionReport:
    index: int
    connect_ms: float = 0.0
    first_ms: float = 0.0
    taps_ms: list[float] = field(default_factory=list)
    taps_at: list[float] = field(default_factory=list)  # time.perf_counter() when each tap was sent
    ticks_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # step numbers and what went wrong, never answers
    finished: bool = False  # every step done and the last screen checked without a problem


@dataclass
class DriveReport:
    sessions: list[SessionReport]
    at_end: object = None  # what on_all_done returned (e.g. the server's RSS)
    seconds: float = 0.0

    @property
    def taps_ms(self) -> list[float]:
        return [t for s in self.sessions for t in s.taps_ms]

    @property
    def ticks_ms(self) -> list[float]:
        return [t for s in self.sessions for t in s.ticks_ms]

    @property
    def problems(self) -> list[str]:
        return [f"session {s.index}: {p}" for s in self.sessions for p in s.problems]

    @property
    def finished(self) -> int:
        return sum(s.finished for s in self.sessions)


async def _one(
    i: int,
    ws_url: str,
    plan: Plan,
    start_at: float,
    interval: float,
    ticks: bool,
    timeout: float,
    report: SessionReport,
    done: asyncio.Event,
    all_done: asyncio.Event,
) -> None:
    session = Session(ws_url, plan.locale, timeout=timeout)
    try:
        await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
        t0 = time.perf_counter()
        await session.connect()
        report.connect_ms = (time.perf_counter() - t0) * 1000
        report.first_ms = await session.run()
        if plan.first:
            report.problems += [f"first screen: {p}" for p in plan.first(session.screen)]
        if session.screen.exceptions:
            report.problems.append("first screen: exception shown")
        next_tap = time.perf_counter() + interval
        next_tick = time.perf_counter() + (session.auto_rerun[0] if session.auto_rerun else 0)
        for n, step in enumerate(plan.steps, 1):
            # Watchdog ticks fall between taps, as in a browser tab that stays open.
            while ticks and session.auto_rerun and next_tick <= next_tap:
                await asyncio.sleep(max(0.0, next_tick - time.perf_counter()))
                ms = await session.tick()
                if ms is not None:
                    report.ticks_ms.append(ms)
                next_tick += session.auto_rerun[0] if session.auto_rerun else interval
            await asyncio.sleep(max(0.0, next_tap - time.perf_counter()))
            next_tap += interval
            report.taps_at.append(time.perf_counter())
            if step.index is None:
                ms = await session.click(step.key)
            else:
                ms = await session.choose(step.key, step.index)
            report.taps_ms.append(ms)
            if session.screen.exceptions:
                report.problems.append(f"step {n}: exception shown")
            if step.check:
                report.problems += [f"step {n}: {p}" for p in step.check(session.screen)]
        if plan.last:
            last = plan.last(session.screen)
            report.problems += [f"last screen: {p}" for p in last]
            report.finished = not last
        else:
            report.finished = True
        if session.events:
            report.problems.append(f"session events: {sorted(set(session.events))}")
    except (TimeoutError, ProtocolError, OSError, websockets.WebSocketException) as exc:
        report.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        done.set()
        with contextlib.suppress(TimeoutError):  # stay connected until every session is done
            await asyncio.wait_for(all_done.wait(), timeout)
        await session.close()


async def drive(
    ws_url: str,
    plans: Sequence[Plan],
    interval: float = 3.0,
    stagger: float | None = None,
    ticks: bool = False,
    timeout: float = 30.0,
    limit: float = 600.0,
    on_all_done: Callable[[], object] | Callable[[], Awaitable[object]] | None = None,
) -> DriveReport:
    """Run every plan in its own session at once; each taps every ``interval`` seconds.

    Session starts are spread evenly over ``stagger`` seconds (default: one interval),
    so the taps of many sessions spread over time like real patients' taps. When every
    session is done (or failed), ``on_all_done()`` is called while they are all still
    connected, and its result is kept in ``at_end``. ``limit`` bounds the whole drive.
    """
    stagger = interval if stagger is None else stagger
    reports = [SessionReport(i) for i in range(len(plans))]
    dones = [asyncio.Event() for _ in plans]
    all_done = asyncio.Event()
    t0 = time.perf_counter()
    start = t0 + 0.05
    tasks = [
        asyncio.create_task(
            _one(
                i,
                ws_url,
                plan,
                start + stagger * i / max(1, len(plans)),
                interval,
                ticks,
                timeout,
                reports[i],
                dones[i],
                all_done,
            )
        )
        for i, plan in enumerate(plans)
    ]
    at_end = None
    try:
        await asyncio.wait_for(asyncio.gather(*(d.wait() for d in dones)), limit)
        if on_all_done is not None:
            at_end = on_all_done()
            if asyncio.iscoroutine(at_end):
                at_end = await at_end
    except TimeoutError:
        for r, d in zip(reports, dones, strict=False):
            if not d.is_set():
                r.problems.append(f"not done within the {limit:.0f} s limit")
    finally:
        all_done.set()
        _, pending = await asyncio.wait(tasks, timeout=30)
        for task in pending:
            task.cancel()
    return DriveReport(reports, at_end, time.perf_counter() - t0)
