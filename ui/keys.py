"""Every ``st.session_state`` key and widget ``key=`` of the Streamlit layer, in one place.

app.py, app_pages/ and ui/ name their keys from here, never as string literals
(tests/test_app_literals.py holds them to it). The values are what the tests and the
browser see (AppTest ``at.button(key=...)``, the ``st-key-...`` CSS classes, the idle
script's button): change a value only together with them. Widgets keyed by a question
id, an answer code or a record are built by the small functions at the end.

Everything here is wiped by Start over and the idle check (``ui.kiosk.wipe``); the
clinician's keys (:data:`CLINICIAN_KEYS`, :data:`CLINICIAN_PREFIXES`) are also forgotten
whenever the patient page runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, overload


class SessionState(Protocol):
    """What the helpers need of ``st.session_state``; a plain ``dict[str, Any]`` has it too.

    (``st.session_state`` is a ``MutableMapping[str | int, Any]``, so it is not a
    ``MutableMapping[str, Any]``: the helpers take this instead.)
    """

    def __contains__(self, key: object, /) -> bool: ...
    def __getitem__(self, key: str, /) -> Any: ...
    def __setitem__(self, key: str, value: Any, /) -> None: ...
    def __delitem__(self, key: str, /) -> None: ...
    def __iter__(self) -> Iterator[str]: ...
    @overload
    def get(self, key: str, /) -> Any: ...
    @overload
    def get(self, key: str, default: Any, /) -> Any: ...


# ---------------------------------------------------------------- the patient's session (ui/kiosk.py)
LANG = "lang"  # "en" or "fr": the screen's language (kept across a wipe only by "Keep my answers")
LANG_CHOSEN = "lang_chosen"  # the patient picked a language: counts as something to wipe
STEP = "step"  # 0 welcome, 1..N questions, N+1 safety check, N+2 result
ANSWERS = "answers"  # {question id: answer code}: the only input to decision.score
LAST_ACTIVITY = "_last_activity"  # time.time() of the last run or "still here" ping (the idle backstop)
CONFIRM_START_OVER = "confirm_start_over"  # where Start over was tapped ("top", "end"): its dialog is open
SHARED = "shared"  # {"code": ..., "answers": {...}} once the patient shared, or {"failed": True}
KEPT = "kept"  # {"code": ...} after "Keep my answers": the answers are gone, the code stays on screen
KEEP_FAILED = "keep_failed"  # "Keep my answers" could not save: said once on the next run
SHARE_NONCE = "share_nonce"  # this session's secret in the share key (ui.share_key): one record per share
PROXY_CHECKED = "proxy_checked"  # the forwarding proxy was looked at (ui.check_proxy, once a session)
METRICS_TALLY = "_metrics_tally"  # this session's counting (decision.records.metrics.Tally.STATE_KEY)

# ---------------------------------------------------------------- patient widgets (app_pages/patient.py)
# The top bar is HTML (ui/topbar.py); each of its buttons selects its option of the hidden
# relay (app.py: RELAY), whose callback does the work. The option names are these keys.
BACK = "back"  # top bar: the previous screen
SWITCH_LANG = "switch_lang"  # top bar: the other language
KEEP_ANSWERS = "keep_answers"  # top bar: "Keep my answers" (also pressed by the idle warning's button)
START_OVER = "start_over"  # top bar: Start over (asks first)
LANG_PICKER = "lang_picker"  # welcome: the language choice
START = "start"  # welcome: Start
TO_CLINICIAN = "to_clinician"  # welcome: the discreet way in for staff
SKIP = "skip"  # a question screen: skip it
SEE_RESULT = "see_result"  # safety check: to the result
RESTART_END = "restart_end"  # result: Start over at the end
KEPT_DONE = "kept_done"  # the kept-code screen: done
WHATIF_QUESTION = "whatif_q"  # what if: the question to change
WHATIF_ANSWER = "whatif_a"  # what if: its other answer (forgotten when the question changes)
SHARE_BOX = "share_box"  # result: the container of the share line and button
SHARE = "share"  # result: Share (also pressed by the idle warning's button)
SHARE_BOX_END = "share_box_end"  # result, after SURE: the same share line and button again
SHARE_END = "share_end"  # result, after SURE: Share, or add the new answers to the code

# ---------------------------------------------------------------- app.py
RELAY = "kiosk_relay"  # hidden: the one segmented control the browser selects (idle timer, top bar)
IDLE_PING = "idle_ping"  # its option the browser selects while the patient is still reading
IDLE_WIPE = "idle_wipe"  # its option the browser selects when the idle countdown ends
SETUP = "kiosk_setup"  # its option a page without the kiosk's script library selects (ui/kiosk.py)
ERROR_START_OVER = "error_start_over"  # the friendly error screen's Start over

# ---------------------------------------------------------------- the PIN gate (ui/gate.py, ui/plain_records.py)
UNLOCKED = "clin_unlocked"  # True once the PIN was right: one unlock for every staff page
STAFF_PAGE_RAN = "clin_staff_page_ran"  # app.py: a staff page ran in this session (its keys may be there)
PIN = "pin"  # the PIN field: emptied on every try, never kept
UNLOCK = "unlock"  # the PIN form's Unlock
PIN_FORM = "pin_form"  # the PIN form
LOCK = "lock"  # Lock: wipes the session (clinician view, dashboard, plain records)
CODE_LOOKUP_TIMES = "clin_code_lookups"  # the times of this session's recent code look-ups (ui.code_lookup_wait)

# ---------------------------------------------------------------- the clinician view (app_pages/clinician.py)
RECORD = "clin_record"  # the opened HandoffRecord, or None
MESSAGE = "clin_message"  # (kind, text) said under the code field or the PIN form
MODE = "clin_mode"  # "code" or "assess": the mode switch (a widget and its value)
ASSESS = "assess_answers"  # the Assessment mode's answers {question id: answer code}
CONFIRM_DELETE = "clin_confirm_delete"  # Delete was tapped once: ask again
DOWNLOADS = "clin_downloads"  # (what they were made from, {kind: bytes or None}) until the view locks
ASSESS_FROM = "clin_assess_from"  # the patient's code an assessment started from
FORM_MESSAGE = "clin_form_message"  # said beside the consent and SURE forms
STAFF = "clin_staff"  # the physiotherapist's name and registration, until the view locks
CLIN_TOPBAR = "clin_topbar"  # the container of the top bar
TO_PATIENT_VIEW = "to_patient_view"  # top bar: back to the tablet's patient view (wipes)
CLIN_SWITCH_LANG = "clin_switch_lang"  # top bar: the other language
CODE_FORM = "code_form"  # the handoff code form
HANDOFF_CODE = "handoff_code"  # the typed handoff code (emptied once a record opens)
OPEN_CODE = "open_code"  # the code form's Open
CLIN_RECORD_BOX = "clin_record_box"  # the container of an opened record
CLIN_ACTIONS = "clin_actions"  # the container of Change answers, Close, Delete
ASSESS_FROM_RECORD = "assess_from_record"  # Change answers: the record into Assessment mode
CLOSE_RECORD = "close_record"  # Close the record
DELETE_RECORD = "delete_record"  # Delete (asks first)
DELETE_RECORD_YES = "delete_record_yes"  # Delete, confirmed
CLIN_DOWNLOADS_BOX = "clin_downloads_box"  # the container of the downloads
SAVE_CONSENT = "save_consent"  # the consent form's Save
SAVE_SURE_AFTER = "save_sure_after"  # the SURE-after form's Save
CLIN_ASSESS_START = "clin_assess_start"  # the container of "start empty" and "load the record"
ASSESS_EMPTY = "assess_empty"  # Assessment: start with no answers
ASSESS_LOAD = "assess_load"  # Assessment: start from the opened record's answers
CLIN_LIVE_LEAN = "clin_live_lean"  # the sticky container of the live lean
SAVE_ASSESSMENT = "save_assessment"  # Assessment: save as a record
CLIN_MODE_BOX = "clin_mode_box"  # the container of the mode switch
CLIN_OPEN_DASHBOARD = "clin_open_dashboard"  # the code screen's way to the dashboard

# ---------------------------------------------------------------- the dashboard (app_pages/dashboard.py)
DASH_MESSAGE = "clin_dash_message"  # (kind, text) said under the dashboard's PIN form
DASH_PERIOD = "clin_dash_period"  # "4w", "13w" or "all": the period shown
DASH_TOPBAR = "clin_dash_topbar"  # the container of the top bar
DASH_TO_CLINICIAN = "clin_dash_to_clinician"  # top bar: back to the clinician view
DASH_LANG = "clin_dash_lang"  # top bar: the other language
DASH_PERIOD_BOX = "clin_dash_period_box"  # the container of the period choice
DASH_CSV = "download_dashboard_csv"  # the aggregates as CSV

# ---------------------------------------------------------------- records without content (ui/plain_records.py)
PLAIN_RECORD = "clin_plain_record"  # the opened record, in the plain form
PLAIN_MESSAGE = "clin_plain_message"  # the last message (a plain string)
PLAIN_AT = "clin_plain_at"  # the last action: an unlocked view left alone locks itself

# ---------------------------------------------------------------- keyed widgets
ASSESS_PREFIX = "a_"  # Assessment mode's answer widgets (cleared when an assessment starts)


def answer_button_key(qid: str, code: str) -> str:
    """A question screen's answer button."""
    return f"q_{qid}__{code}"


def row_answer_key(qid: str) -> str:
    """A safety or SURE row's answer choice (copied into :data:`ANSWERS` on change)."""
    return f"q_{qid}"


def row_box_key(qid: str) -> str:
    """The bordered container of a safety or SURE row."""
    return f"row_{qid}"


def yes_start_over_key(where: str) -> str:
    """The Start over dialog's Yes ("top" or "end": the button that opened it)."""
    return f"yes_start_over_{where}"


def keep_going_key(where: str) -> str:
    """The Start over dialog's No."""
    return f"keep_going_{where}"


def assess_key(qid: str) -> str:
    """An Assessment mode answer widget."""
    return f"{ASSESS_PREFIX}{qid}"


def download_key(kind: str) -> str:
    """A record's download button ("pdf", "takehome", "fhir", "csv", "questionnaire", "consent")."""
    return f"download_{kind}"


def record_field_key(code: str, name: str) -> str:
    """A widget of the consent and SURE-after forms, one set per record (no value carries over)."""
    return f"cf_{name}_{code}"


def consent_form_key(code: str) -> str:
    """The consent form of one record."""
    return f"consent_form_{code}"


def sure_after_form_key(code: str) -> str:
    """The SURE-after form of one record."""
    return f"sure_after_form_{code}"


def dash_section_key(name: str) -> str:
    """The container of one dashboard section ("funnel", "screens", "leans", ...)."""
    return f"clin_dash_{name}"


# The physiotherapist's view: its own keys and its widgets' keys, forgotten whenever the
# patient page runs (ui.kiosk.forget_clinician); every key starting with a prefix counts too.
CLINICIAN_KEYS = frozenset({
    PIN, UNLOCK, HANDOFF_CODE, OPEN_CODE, LOCK, TO_PATIENT_VIEW, CLIN_SWITCH_LANG,
    CLOSE_RECORD, DELETE_RECORD, DELETE_RECORD_YES, SAVE_ASSESSMENT,
})  # fmt: skip
CLINICIAN_PREFIXES = ("clin_", "assess_", ASSESS_PREFIX, "download_")
