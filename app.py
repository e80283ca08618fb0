"""The decision aid on the waiting-room tablet: ``streamlit run app.py``.

A thin adapter: load the content once (shared, frozen), keep the language and
the idle check in the session, and hand over to the pages in app_pages/.
Invalid content shows a staff screen instead of a half-working questionnaire.
"""

from __future__ import annotations

import functools
import logging
import time
import traceback

import streamlit as st

import ui
from decision import ContentError
from ui import keys, kiosk, plain_records, screens, style, topbar
from ui.words import Words, initial_language

log = logging.getLogger("decision_aid")


def set_page(title: str) -> None:
    """The page's title; the layout and no Streamlit menu, the same on every screen."""
    st.set_page_config(
        page_title=title,
        layout="centered",
        initial_sidebar_state="collapsed",
        menu_items={"Get help": None, "Report a bug": None, "About": None},
    )


SETTINGS = ui.get_settings()
kiosk.tune_gc(keep_defaults=SETTINGS.gc_defaults)

try:
    content = ui.get_content()
except ContentError as exc:
    set_page(screens.CONTENT_PROBLEM_TITLE)
    style.apply()
    screens.content_problems(exc.problems, staff=ui.on_staff_page())
    if ui.on_staff_page():
        style.apply_more()
        plain_records.records_without_content()  # shared codes can still be opened
    st.stop()
except OSError as exc:
    set_page(screens.CONTENT_PROBLEM_TITLE)
    style.apply()
    screens.content_problems(
        None, f"content folder missing or unreadable: {exc.filename or exc}", staff=ui.on_staff_page()
    )
    st.stop()

state = st.session_state
ui.check_proxy(state)  # the log says so (once) when an untrusted proxy forwards the requests
IDLE_SECONDS = SETTINGS.idle
# The browser runs the idle countdown (ui/kiosk.py); the server's longer hard limit is the
# backstop, checked on every run (which also catches a tablet that slept), and the watchdog
# thread runs again a session left that long (its browser's script may not run).
HARD_LIMIT = kiosk.hard_limit(IDLE_SECONDS)
wiped = kiosk.check_idle_on_rerun(state, HARD_LIMIT)
WATCHDOG = kiosk.backstop(IDLE_SECONDS)
WATCHDOG.noted(ui.session_id(), state[keys.LAST_ACTIVITY])
if keys.LANG not in state:
    state[keys.LANG] = initial_language(st.query_params.get("lang"), st.context.locale)
t = Words(content, state[keys.LANG])
set_page(t.of(content.meta.title))


def _pages() -> tuple[st.Page, st.Page, st.Page]:
    return (
        st.Page("app_pages/patient.py", title=t.of(content.meta.title), default=True),
        st.Page("app_pages/clinician.py", title=t("clin_title"), url_path="clinician"),
        st.Page("app_pages/dashboard.py", title=t("dash_title"), url_path="dashboard"),
    )


# Built once per session and language (each st.Page finds and hashes its file: a tenth of a tap's run).
patient, clinician, dashboard = ui.per_session("pages", (t.lang, content.version, __file__), _pages)
page = st.navigation([patient, clinician, dashboard], position="hidden")
broken_settings = ui.settings_problem()
if broken_settings is not None:  # never a silent fallback to another database or to "no PIN"
    staff_text = None
    if page in (clinician, dashboard):
        staff_text = t("clin_settings_broken", line=broken_settings.line, file=ui.shown_path(broken_settings.path))
    style.apply()
    screens.settings_broken(t("not_ready_title"), t("not_ready_text"), staff_text=staff_text)
    st.stop()
if page is patient:
    # However the patient page came to run (Back in the browser, its address, a wipe),
    # the clinician view is locked again: nothing of it stays in this browser. Only a
    # session that ran a staff page can hold its keys; the others skip the walk.
    if keys.STAFF_PAGE_RAN in state:
        kiosk.forget_clinician(state)
else:
    state[keys.STAFF_PAGE_RAN] = True  # a clinician key itself: forgotten with the others
# One script block a run: the page's language (for screen readers), for a patient a new
# screen starts at its top (Streamlit keeps the old scroll position), and the browser's
# idle timer for this screen. The block changes with the screen, so the browser runs it again.
# The script's library and the stylesheet go with a session's first run only: the browser
# keeps them for the page (a reload is a new session), so no later run sends them again.
styled: dict[str, bool] = ui.per_session("styled", style.STYLE, dict)
screen = int(state.get(keys.STEP, 0)) if page is patient else None
on_result = screen is not None and screen >= kiosk.result_step(content)
if page is not patient or on_result:
    style.apply_more()  # flags, steps, grid: not needed (nor sent) on the questions
before, _, after = t("idle_countdown").partition("{seconds}")
keep = ""  # the button the warning's "Keep my answers" presses: the screen's own
if screen is not None and state.get(keys.ANSWERS) and not state.get(keys.KEPT):
    keep = keys.SHARE if on_result else keys.KEEP_ANSWERS
st.html(
    style.Html(
        kiosk.page_script(
            t.lang,
            None if screen is None else f"{screen}{'k' if state.get(keys.KEPT) else ''}",
            setup="" if styled else kiosk.library(style.css_text()),
            idle=kiosk.screen_idle(IDLE_SECONDS, on_result),
            ping=kiosk.ping_seconds(IDLE_SECONDS),
            armed=kiosk.has_private_data(state),
            words={
                "title": t("idle_title"),
                "before": before,
                "after": after,
                "still": t("still_here"),
                "keep": t("share_button") if on_result else t("keep_answers"),
            },
            keep=keep,
            bar=topbar.patient_bar(t, state, on_result=on_result, progress=topbar.screen_progress(content, t, screen))
            if screen
            else "",
        )
    ),
    unsafe_allow_javascript=True,
)
styled["sent"] = True  # once the block is on its way (a run stopped before it sends it next time)


def _still_here() -> None:
    state[keys.LAST_ACTIVITY] = time.time()


# The one hidden relay (ui/topbar.py) the browser's idle timer selects ("still here": the
# server's limit moves on; "time is up": wipe, and this run starts from the welcome screen)
# and the patient's top bar too (app_pages/patient.py adds its actions in this run).
# A wipe on the clinician page leaves it there, locked (its state is gone too).
# A page that missed the library asks for it ("setup"): the next run sends it again.
topbar.relay(
    keys.RELAY,
    {keys.IDLE_PING: _still_here, keys.IDLE_WIPE: functools.partial(kiosk.wipe, state), keys.SETUP: styled.clear},
)


def _under_test() -> bool:
    """Tests set DECISION_RAISE_PAGE_ERRORS=1 (tests/conftest.py) so a page error fails them."""
    return SETTINGS.raise_page_errors


WATCHDOG.start()  # once per process, under a server
try:
    page.run()
except Exception as exc:  # never a traceback on the tablet; never answers in the log
    if _under_test():
        raise
    log.error("page failed: %s\n%s", type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
    screens.friendly_error(t("error_title"), t("error_text"))
    st.button(t("start_over"), key=keys.ERROR_START_OVER, type="primary", on_click=kiosk.wipe, args=(state,))
finally:
    if not state.get(keys.UNLOCKED):
        ui.drop_unused_downloads()  # a locked view's files stop being served when this run ends
