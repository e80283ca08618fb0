"""Concurrent sessions against a real server never see each other's answers.

The protocol-level load client of the benchmarks (bench/protocol.py) drives 10
patients at once through the whole flow (welcome, 14 questions, the safety
check, the result), each with its own answers and half of them in French. Each
checks every screen it is sent: the next question in its own language, no
answer already chosen on a question it has not answered, and a result that is
exactly what its own answers give (lean, both scores in the see-saw, and the
reasons). The answer sets are chosen so that no two patients expect the same
result, so a session shown another session's answers would fail.
"""

from __future__ import annotations

import asyncio

import pytest

from bench import flow
from bench.protocol import drive

SESSIONS = 10


@pytest.fixture(scope="module")
def streamlit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # Never write into the project's data/ folder.
    return {"DECISION_DB_PATH": str(tmp_path_factory.mktemp("load") / "handoffs.sqlite3")}


def test_answer_sets_are_different_and_expect_different_results():
    sets = flow.app_answer_sets(SESSIONS)
    assert len({tuple(sorted(a.items())) for a, _ in sets}) == SESSIONS
    assert flow.unique_results(sets)
    assert {locale for _, locale in sets} == {"en-CA", "fr-CA"}


def test_concurrent_sessions_each_reach_their_own_result(streamlit_server: str):
    plans = flow.app_plans(SESSIONS)
    ws_url = streamlit_server.replace("http://", "ws://", 1) + "/_stcore/stream"
    # Every session taps every 0.3 s and all start within 0.5 s: they overlap all the way.
    report = asyncio.run(drive(ws_url, plans, interval=0.3, stagger=0.5, timeout=30, limit=90))
    assert report.problems == []
    assert report.finished == SESSIONS
    assert len(report.taps_ms) == sum(len(p.steps) for p in plans)
    # They really ran at the same time: every session was still tapping when the last one started.
    starts = sorted(s.taps_at[0] for s in report.sessions)
    ends = sorted(s.taps_at[-1] for s in report.sessions)
    assert starts[-1] < ends[0]
