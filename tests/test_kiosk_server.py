"""The server's idle watchdog against a real server, with no browser script at all.

A protocol-level client (bench/protocol.py) is a tab whose page script never runs: no
countdown, no "still here", no "time is up". It answers two questions and then only
listens. The server's watchdog thread (ui/kiosk.Backstop) must run the session again
once it has been left longer than the hard limit (3 x the idle time), and that run
shows the empty welcome screen. A session that keeps tapping is never run by it.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from shipped_content import CONTENT

from bench.protocol import ProtocolError, Session
from decision.settings import Settings
from ui import kiosk
from ui.words import Words

pytestmark = pytest.mark.system

IDLE = 5  # the shortest idle time the settings accept
LIMIT = kiosk.hard_limit(IDLE)  # 15 s
TICK = kiosk.tick_seconds(IDLE)  # 5 s
QUESTIONS = CONTENT.questions_of_kind("questions")
EN = Words(CONTENT, "en")


@pytest.fixture(scope="module")
def streamlit_env() -> dict[str, str]:
    assert Settings.model_construct(idle_seconds=str(IDLE)).idle == IDLE
    return {"DECISION_IDLE_SECONDS": str(IDLE)}


async def _answer_two(session: Session) -> None:
    await session.connect()
    await session.run()
    await session.click("start")
    for q in QUESTIONS[:2]:
        await session.click(f"q_{q.id}__{q.codes[0]}")
    assert session.screen.title == EN.of(QUESTIONS[2].text)


async def _keep_tapping(session: Session, until: asyncio.Event) -> int:
    """Answer the next question every 4 s (from the first) until ``until`` is set and one
    tick more has passed; fails if the server runs this session by itself. Returns the taps."""
    step, taps, done_at = 0, 0, None
    while done_at is None or time.perf_counter() < done_at:
        try:
            await session.listen(timeout=4)
        except ProtocolError:  # nothing came in 4 s: as it should be
            pass
        else:
            pytest.fail("the watchdog ran a session that was being used")
        assert step < len(QUESTIONS), "the test ran out of questions to tap"
        q = QUESTIONS[step]
        await session.click(f"q_{q.id}__{q.codes[0]}")
        step, taps = step + 1, taps + 1
        if until.is_set() and done_at is None:
            done_at = time.perf_counter() + TICK + 1
    return taps


def test_a_tab_whose_script_never_runs_is_wiped_after_the_hard_limit_and_a_busy_one_never(streamlit_server: str):
    """Two tabs at once, neither with a browser script: one answers two questions and is
    left; the other keeps tapping. The server runs the first by itself, not before the
    hard limit and within a tick or so after it, onto the empty welcome screen; it never
    runs the second, which stays on its questions."""
    ws_url = streamlit_server.replace("http://", "ws://", 1) + "/_stcore/stream"

    async def scenario() -> tuple[float, Session, Session, int]:
        left, busy = Session(ws_url, timeout=30), Session(ws_url, timeout=30)
        wiped = asyncio.Event()
        try:
            await _answer_two(left)
            await busy.connect()
            await busy.run()
            await busy.click("start")
            left_at = time.perf_counter()
            tapping = asyncio.create_task(_keep_tapping(busy, wiped))
            await left.listen(timeout=LIMIT + 2 * TICK + 20)  # the server's own run
            waited = time.perf_counter() - left_at
            wiped.set()
            return waited, left, busy, await tapping
        finally:
            await left.close()
            await busy.close()

    waited, left, busy, taps = asyncio.run(scenario())
    assert left.screen.title == EN.of(CONTENT.meta.title)  # the welcome screen
    assert left.screen.widget("start") is not None
    assert not any(left.screen.widget(f"q_{q.id}__{c}") for q in QUESTIONS for c in q.codes)
    assert LIMIT - 1 <= waited <= LIMIT + TICK + 10, waited  # not before the limit, within a tick or so after
    assert busy.screen.title in {EN.of(q.text) for q in QUESTIONS} and taps >= (LIMIT + TICK) // 4
