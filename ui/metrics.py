"""Counting for the clinic's dashboard, called from the pages: one-line hooks that only enqueue.

Each hook adds to an in-memory queue (:class:`decision.records.metrics.Counters`,
one per process and database) that a background thread writes to the database
every few seconds; a tap never waits for it. A hook never raises: counting must
not break a patient's screen. ``DECISION_METRICS=off`` makes every hook do nothing.
What is counted, and why none of it is patient data: docs/metrics.md.

Hooks (where they go):

- :func:`screen` (``"welcome"``, each question id, ``"safety"``): first line of each screen;
- :func:`result` (the scored ``Result``): on the result screen, after scoring;
- :func:`shared`: after a share saved its record;
- :func:`called_in`: after the "I'm called in" save saved its record;
- :func:`count_sure_after` and :func:`count_consent`: when the physiotherapist
  records the SURE test after the talk, and the consent (chosen option).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any, cast

import streamlit as st

import ui
from ui import keys

if TYPE_CHECKING:
    from decision.engine import Result
    from decision.records.metrics import Counters, Tally
    from decision.settings import Settings

log = logging.getLogger("decision_aid")


def _counters(settings: Settings) -> tuple[Counters, str]:
    from decision.records.db import db_url_of

    return _counters_for(db_url_of(settings))


@functools.lru_cache(maxsize=8)
def _counters_for(url: str) -> tuple[Counters, str]:
    """One queue per process and database, flushed by its own thread, and the content
    version (loaded once per process, like the content itself)."""
    from decision.records.metrics import Counters
    from decision.records.store import HandoffStore

    counters = Counters(
        lambda: HandoffStore(url),  # opened by the flushing thread, not by a tap
        zone=ui.clinic_zone(),
        on_error=lambda msg: log.warning("counters not saved yet: %s", msg),
    )
    counters.start()
    return counters, ui.get_content().version


def counters() -> Counters | None:
    """This process's queue, or None when counting is off."""
    settings = ui.get_settings()
    return _counters(settings)[0] if settings.metrics_on else None


def _tally() -> Tally | None:
    settings = ui.get_settings()
    if not settings.metrics_on:
        return None
    from decision.records.metrics import Tally

    sink, version = _counters(settings)
    # Tally (decision/records) asks for a MutableMapping[str, Any]; st.session_state is one keyed
    # by str | int (ui.keys.SessionState says what the app needs of it).
    return Tally(sink, cast("MutableMapping[str, Any]", st.session_state), version)


def _safely(action: str, do: Any) -> None:
    try:
        tally = _tally()
        if tally is not None:
            do(tally)
    except Exception as exc:  # never a broken screen, never a value in the log
        log.warning("counting %s failed: %s", action, type(exc).__name__)


def screen(screen_id: str) -> None:
    """The patient is on ``screen_id`` ("welcome", a question id, "safety")."""
    if screen_id == "welcome" and keys.METRICS_TALLY not in st.session_state:
        return  # nobody has started: nothing to count or to time
    _safely("a screen", lambda t: t.screen(screen_id))


def result(scored: Result) -> None:
    """The result screen: the leans, flag levels and SURE total of this result."""
    lean = _lean(scored)  # (the result's JSON has the same shape; building all of it is not needed)
    sure = None if scored.sure is None else {"score": scored.sure.score, "answered": scored.sure.answered}
    _safely("the result", lambda t: t.result(lean, {f.level for f in scored.flags}, sure))


def _lean(scored: Result) -> dict[str, Any]:
    lean = scored.lean
    return {
        "option": lean.option,
        "strength": lean.strength,
        "step1": {"option": lean.step1.option, "strength": lean.step1.strength},
        "step2": {"option": lean.step2.option, "strength": lean.step2.strength},
    }


def shared() -> None:
    """The patient shared their answers (a handoff record was saved)."""
    _safely("a share", lambda t: t.event("shared"))


def called_in() -> None:
    """The patient saved their answers because they were called in."""
    _safely("a called-in save", lambda t: t.event("called_in"))


def count_sure_after(score: int, answered: int = 4, *, record: str | None = None) -> None:
    """The physiotherapist recorded the SURE test after the talk: ``score`` yes answers of ``answered``.

    ``record`` (e.g. the handoff code) only stays in this session: recording the same
    record again here replaces its count instead of adding one.
    """
    _safely("SURE after", lambda t: t.sure_after(score, answered, record))


def count_consent(chosen_option: str, final_lean_option: str | None, *, record: str | None = None) -> None:
    """The consent record: the option chosen, against the final lean (None: there was no lean)."""
    _safely("a consent", lambda t: t.consent(chosen_option, final_lean_option, record))
