"""Kiosk behaviour: one shared tablet, nothing left behind for the next patient.

Everything a patient enters lives only in ``st.session_state`` (never in a
cache, a file or a log). It is wiped by Start over, and by the idle check: on
every rerun (which also catches a tablet that slept) and from a watchdog
fragment that ticks while the page is open.
"""

from __future__ import annotations

import gc
import time
from collections.abc import MutableMapping
from typing import Any

from decision.settings import Settings, load_settings

DEFAULT_IDLE_SECONDS = 180
# Python's cyclic garbage collector: first generation collected every 20,000 net
# allocations instead of 700, older ones every 20th time instead of 10th.
GC_THRESHOLDS = (20_000, 20, 20)

# Session keys the app owns (widget keys are wiped with everything else).
LANG = "lang"
LANG_CHOSEN = "lang_chosen"
STEP = "step"
ANSWERS = "answers"
LAST_ACTIVITY = "_last_activity"
CONFIRM_START_OVER = "confirm_start_over"


def idle_seconds(env: MutableMapping[str, str] | None = None) -> int:
    """``DECISION_IDLE_SECONDS`` (a whole number of seconds, at least 5), else 180."""
    if env is None:
        return load_settings().idle
    return Settings.model_construct(idle_seconds=env.get("DECISION_IDLE_SECONDS")).idle


def warning_seconds(idle: int) -> int:
    """How long before the wipe the "Are you still there?" warning shows."""
    return max(2, min(30, idle // 3))


def tick_seconds(idle: int) -> float:
    """How often the watchdog looks: often enough to show the warning in time."""
    return float(max(1, min(10, warning_seconds(idle) // 3)))


# The physiotherapist's view: its own keys and its widgets' keys (app_pages/clinician.py).
CLINICIAN_KEYS = frozenset({
    "pin", "unlock", "handoff_code", "open_code", "lock", "to_patient_view", "clin_switch_lang",
    "close_record", "delete_record", "delete_record_yes", "save_assessment",
})  # fmt: skip
CLINICIAN_PREFIXES = ("clin_", "assess_", "a_", "download_")


def has_patient_data(state: MutableMapping[str, Any]) -> bool:
    """Anything a patient did that the next patient must not see."""
    return bool(state.get(ANSWERS)) or bool(state.get(STEP)) or bool(state.get(LANG_CHOSEN))


def is_clinician_key(key: object) -> bool:
    return isinstance(key, str) and (key in CLINICIAN_KEYS or key.startswith(CLINICIAN_PREFIXES))


def has_clinician_data(state: MutableMapping[str, Any]) -> bool:
    """The unlock, an opened record, downloads, assessment answers: anything of the clinician view."""
    return any(is_clinician_key(key) for key in list(state.keys()))


def has_private_data(state: MutableMapping[str, Any]) -> bool:
    """What the idle wipe protects: the patient's data and the clinician's."""
    return has_patient_data(state) or has_clinician_data(state)


def forget_clinician(state: MutableMapping[str, Any]) -> bool:
    """Forget every clinician key (the view is locked again); True if there was any."""
    keys = [key for key in list(state.keys()) if is_clinician_key(key)]
    for key in keys:
        del state[key]
    return bool(keys)


def wipe(state: MutableMapping[str, Any]) -> None:
    """Forget everything in this session: answers, screen, language, widgets."""
    for key in list(state.keys()):
        del state[key]


def idle_for(state: MutableMapping[str, Any], now: float | None = None) -> float:
    last = state.get(LAST_ACTIVITY)
    if last is None:
        return 0.0
    return (time.time() if now is None else now) - float(last)


def check_idle_on_rerun(state: MutableMapping[str, Any], idle: int, now: float | None = None) -> bool:
    """Call once per full run (a tap): wipe if the last tap was too long ago.

    Returns True when it wiped. Then records this run as activity.
    """
    now = time.time() if now is None else now
    wiped = False
    if idle_for(state, now) > idle:
        wipe(state)
        wiped = True
    state[LAST_ACTIVITY] = now
    return wiped


def tune_gc(*, keep_defaults: bool = False) -> None:
    """Make Python's garbage collection cheap for a server with many sessions.

    Called by app.py on every run; acts once per process: everything loaded so far
    (Streamlit, pydantic, SQLAlchemy, this app's modules) is moved out of the
    collector's reach with ``gc.freeze()``, and collections run less often. With
    the defaults, full collections walked about 200,000 objects and paused the
    whole server for up to 300 ms of CPU under 100 sessions (docs/performance.md).
    Garbage is still collected; ``runner.postScriptGC`` stays off in config.toml.
    Set ``DECISION_GC_DEFAULTS=1`` to keep Python's defaults.
    """
    if keep_defaults:
        return
    if gc.get_threshold() != GC_THRESHOLDS:
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)


_TO_TOP = (
    "(function(){function top(){var m=document.querySelector('[data-testid=\"stMain\"]');"
    "if(m){m.scrollTop=0;}window.scrollTo(0,0);}top();setTimeout(top,120);})();"
)


def page_script(lang: str, screen: int | None) -> str:
    """``<html lang>`` for screen readers; with a screen number, also scroll to the top."""
    js = f'document.documentElement.lang="{lang}";'
    if screen is not None:
        js += f"/* screen {int(screen)} */{_TO_TOP}"
    return f"<script>{js}</script>"
