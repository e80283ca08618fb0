"""The decision aid on the waiting-room tablet: ``streamlit run app.py``.

A thin adapter: load the content once (shared, frozen), keep the language and
the idle check in the session, and hand over to the pages in app_pages/.
Invalid content shows a staff screen instead of a half-working questionnaire.
"""

from __future__ import annotations

import html
import logging
import time
import traceback

import streamlit as st

import ui
from decision import ContentError
from ui import kiosk, screens, style
from ui.words import Words, initial_language

log = logging.getLogger("decision_aid")

PAGE = {
    "layout": "centered",
    "initial_sidebar_state": "collapsed",
    "menu_items": {"Get help": None, "Report a bug": None, "About": None},
}
SETTINGS = ui.get_settings()
kiosk.tune_gc(keep_defaults=SETTINGS.gc_defaults)
style.apply()

try:
    content = ui.get_content()
except ContentError as exc:
    st.set_page_config(page_title=screens.CONTENT_PROBLEM_TITLE, **PAGE)
    screens.content_problems(exc.problems)
    st.stop()
except OSError as exc:
    st.set_page_config(page_title=screens.CONTENT_PROBLEM_TITLE, **PAGE)
    screens.content_problems(None, f"content folder missing or unreadable: {exc.filename or exc}")
    st.stop()

state = st.session_state
IDLE_SECONDS = SETTINGS.idle
# The browser runs the idle countdown (ui/kiosk.py); the server's longer hard limit is the
# backstop, checked on every run (which also catches a tablet that slept).
HARD_LIMIT = kiosk.hard_limit(IDLE_SECONDS)
wiped = kiosk.check_idle_on_rerun(state, HARD_LIMIT)
if kiosk.LANG not in state:
    state[kiosk.LANG] = initial_language(st.query_params.get("lang"), st.context.locale)
t = Words(content, state[kiosk.LANG])
st.set_page_config(page_title=t.of(content.meta.title), **PAGE)

patient = st.Page("app_pages/patient.py", title=t.of(content.meta.title), default=True)
clinician = st.Page("app_pages/clinician.py", title=t("clin_title"), url_path="clinician")
page = st.navigation([patient, clinician], position="hidden")
if page is patient:
    # However the patient page came to run (Back in the browser, its address, a wipe),
    # the clinician view is locked again: nothing of it stays in this browser.
    kiosk.forget_clinician(state)
# One script block a run: the page's language (for screen readers), for a patient a new
# screen starts at its top (Streamlit keeps the old scroll position), and the browser's
# idle timer for this screen. The block changes with the screen, so the browser runs it again.
screen = int(state.get(kiosk.STEP, 0)) if page is patient else None
on_result = screen is not None and screen >= kiosk.result_step(content)
st.html(
    kiosk.page_script(
        t.lang,
        screen,
        idle=kiosk.screen_idle(IDLE_SECONDS, on_result),
        ping=kiosk.ping_seconds(IDLE_SECONDS),
        armed=kiosk.has_private_data(state),
    ),
    unsafe_allow_javascript=True,
)
# A wipe on the clinician page leaves it there, locked (its state is gone too).


def _still_here() -> None:
    state[kiosk.LAST_ACTIVITY] = time.time()


def _keep_from_warning() -> None:
    code = kiosk.keep(state, ui.get_store(), content, state.get(kiosk.LANG, t.lang), incomplete=not on_result)
    lang = state.get(kiosk.LANG, t.lang)
    kiosk.wipe(state)
    state[kiosk.LANG] = lang
    state[kiosk.KEPT] = {"code": code} if code else {"failed": True}
    state[kiosk.LAST_ACTIVITY] = time.time()


@st.fragment(run_every=kiosk.tick_seconds(IDLE_SECONDS))
def idle_watchdog() -> None:
    """The server's side of the idle timer: the warning the browser shows in its last
    seconds, the browser's two hidden buttons (still reading; time is up), and the
    hard limit, a backstop for a browser whose script does not run."""
    if not kiosk.has_private_data(state):
        return
    if kiosk.idle_for(state) > HARD_LIMIT:
        kiosk.wipe(state)
        st.rerun()
    st.button("ping", key="idle_ping", on_click=_still_here)
    if st.button("wipe", key="idle_wipe"):
        kiosk.wipe(state)
        st.rerun()
    words = Words(content, state.get(kiosk.LANG, t.lang))
    warn = kiosk.warning_seconds(IDLE_SECONDS)
    before, _, after = words("idle_countdown").partition("{seconds}")
    with st.container(key="idle_warning"):
        st.html(
            f'<div role="alert"><p class="idle-title">{html.escape(words("idle_title"))}</p>'
            f'<p class="idle-text">{html.escape(before)}<span class="idle-count">{warn}</span>'
            f"{html.escape(after)}</p>"
            # Any touch resets the browser's countdown, so this button needs no trip to the server.
            f'<button type="button" class="still-here">{html.escape(words("still_here"))}</button></div>'
        )
        keep = bool(state.get(kiosk.ANSWERS)) and page is patient
        if keep and st.button(words("keep_answers"), key="keep_answers_idle", icon=":material/save:", width="stretch"):
            _keep_from_warning()
            st.rerun()


def _under_test() -> bool:
    """Tests set DECISION_RAISE_PAGE_ERRORS=1 (tests/conftest.py) so a page error fails them."""
    return SETTINGS.raise_page_errors


idle_watchdog()
try:
    page.run()
except Exception as exc:  # never a traceback on the tablet; never answers in the log
    if _under_test():
        raise
    log.error("page failed: %s\n%s", type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
    screens.friendly_error(t("error_title"), t("error_text"))
    st.button(t("start_over"), key="error_start_over", type="primary", on_click=kiosk.wipe, args=(state,))
finally:
    if not state.get("clin_unlocked"):
        ui.drop_unused_downloads()  # a locked view's files stop being served when this run ends
