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


def test_a_tab_whose_script_never_runs_is_wiped_by_the_server_after_the_hard_limit(streamlit_server: str):
    ws_url = streamlit_server.replace("http://", "ws://", 1) + "/_stcore/stream"

    async def scenario() -> tuple[float, Session]:
        session = Session(ws_url, timeout=30)
        try:
            await _answer_two(session)
            left_at = time.perf_counter()
            await session.listen(timeout=LIMIT + 2 * TICK + 20)  # the server's own run
            return time.perf_counter() - left_at, session
        finally:
            await session.close()

    waited, session = asyncio.run(scenario())
    assert session.screen.title == EN.of(CONTENT.meta.title)  # the welcome screen
    assert session.screen.widget("start") is not None
    assert not any(session.screen.widget(f"q_{q.id}__{c}") for q in QUESTIONS for c in q.codes)
    assert LIMIT - 1 <= waited <= LIMIT + TICK + 10, waited  # not before the limit, within a tick or so after


def test_a_tab_that_keeps_tapping_is_never_run_by_the_watchdog(streamlit_server: str):
    ws_url = streamlit_server.replace("http://", "ws://", 1) + "/_stcore/stream"

    async def scenario() -> Session:
        session = Session(ws_url, timeout=30)
        try:
            await _answer_two(session)
            # Back and forth between two questions every 4 s, for longer than the limit and two ticks.
            deadline = time.perf_counter() + LIMIT + 2 * TICK
            step = 2
            while time.perf_counter() < deadline:
                try:
                    await session.listen(timeout=4)
                except ProtocolError:  # nothing came in 4 s: as it should be
                    pass
                else:
                    pytest.fail("the watchdog ran a session that was being used")
                q = QUESTIONS[step]
                await session.click(f"q_{q.id}__{q.codes[0]}")
                step += 1
            return session
        finally:
            await session.close()

    session = asyncio.run(scenario())
    assert session.screen.title != EN.of(CONTENT.meta.title)
