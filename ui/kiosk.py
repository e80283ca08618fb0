"""Kiosk behaviour: one shared tablet, nothing left behind for the next patient.

Everything a patient enters lives only in ``st.session_state`` (never in a
cache, a file or a log). It is wiped by Start over, and when the tablet is left
alone. Reading is activity: the browser itself listens for touches, scrolling
(also inside the scrolling main area) and opened details, runs the countdown,
shows the warning only in its last seconds and then asks the server to wipe
(:func:`page_script`). It tells the server that the patient is still reading
only now and then (at most every :func:`ping_seconds`), never on each touch.
The server keeps a longer hard limit (:func:`hard_limit`) as a backstop: on
every run (which also catches a tablet that slept), and from one watchdog thread
per server process (:class:`Backstop`) that runs again any session left longer
than that without a run, so the run wipes it even when the browser's script
does not run. Nothing of it is on a tap's path. The numbers are in docs/screens.md.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
from collections.abc import Callable, MutableMapping
from typing import Any

from decision.settings import Settings, load_settings
from ui import keys
from ui.keys import SessionState

log = logging.getLogger("decision_aid")

DEFAULT_IDLE_SECONDS = 180
# Python's cyclic garbage collector: first generation collected every 20,000 net
# allocations instead of 700, older ones every 20th time instead of 10th.
GC_THRESHOLDS = (20_000, 20, 20)


def idle_seconds(env: MutableMapping[str, str] | None = None) -> int:
    """``DECISION_IDLE_SECONDS`` (a whole number of seconds, at least 5), else 180."""
    if env is None:
        return load_settings().idle
    return Settings.model_construct(idle_seconds=env.get("DECISION_IDLE_SECONDS")).idle


def warning_seconds(idle: int) -> int:
    """How long before the wipe the calm countdown ("Are you still there?") shows."""
    return max(2, min(30, idle // 3))


def result_idle(idle: int) -> int:
    """The result screen is read for minutes without a tap: it waits twice as long."""
    return 2 * idle


def screen_idle(idle: int, on_result: bool) -> int:
    return result_idle(idle) if on_result else idle


def ping_seconds(idle: int) -> float:
    """At most this often the browser tells the server that the patient is still there."""
    return float(max(2, idle // 2))


def hard_limit(idle: int) -> int:
    """The server's backstop: longer than the longest screen's idle plus the browser's
    gap between two reports, so a reader the browser keeps is never wiped by the server."""
    return result_idle(idle) + idle


def tick_seconds(idle: int) -> float:
    """How often the server's watchdog looks (a backstop: the browser runs the countdown)."""
    return float(max(5, min(60, idle // 3)))


class Backstop:
    """The server's watchdog: one thread per process that runs again every session whose
    last run is older than the hard limit, and that run wipes it (:func:`check_idle_on_rerun`).

    Each full run notes its session's time here (:meth:`noted`): a session id and a number,
    nothing of the patient. Every ``tick`` seconds the thread asks Streamlit for the
    sessions with a browser connected and asks each one left too long for a run of the
    page it is on, as Streamlit itself does when a source file changes (no widget value
    is sent, so no button is pressed again). A session with no browser is not
    run: its next run, when the tablet wakes, wipes it. Runs are on the session's own
    thread, as a tap's are: the watchdog never touches a session's state.

    :meth:`start` says whether the sessions can be reached. Under a server whose
    Streamlit no longer offers what is used here, it logs an error (the browser's
    countdown and the check on every run still wipe), and a system test fails
    (tests/test_kiosk_server.py), so an upgrade of Streamlit cannot lose it unseen.
    """

    def __init__(self, limit: float, tick: float) -> None:
        self.limit = float(limit)
        self.tick = float(tick)
        self._last_run: dict[str, float] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.reachable: bool | None = None  # None: not started (no server, as under AppTest)

    def noted(self, session_id: str, now: float) -> None:
        """A full run of ``session_id`` at ``now`` (app.py, on every run)."""
        with self._lock:
            self._last_run[session_id] = now

    def due(self, active: set[str], known: set[str], now: float) -> list[str]:
        """The sessions to run again now: connected (``active``) and left longer than the
        limit. Each is asked once (its time moves on); sessions Streamlit no longer
        ``known`` are forgotten."""
        out = []
        with self._lock:
            for session_id in list(self._last_run):
                if session_id not in known:
                    del self._last_run[session_id]
                elif session_id in active and now - self._last_run[session_id] > self.limit:
                    self._last_run[session_id] = now
                    out.append(session_id)
        return out

    def start(self) -> bool:
        """Start the thread once (under a running server); False when its sessions cannot be reached."""
        if self.reachable is not None:
            return self.reachable
        with self._lock:
            if self.reachable is None:
                manager = _session_manager()
                if manager is None:  # no server (AppTest, bare mode): no browser to wipe
                    return True
                self.reachable = _can_rerun(manager)
                if self.reachable:
                    self._thread = threading.Thread(
                        target=self._watch, args=(manager,), name="idle-backstop", daemon=True
                    )
                    self._thread.start()
                else:
                    log.error(
                        "the idle watchdog cannot reach Streamlit's sessions: only the browser's countdown "
                        "and the check on each tap wipe a tablet left alone (not the Streamlit of requirements.txt?)"
                    )
        return bool(self.reachable)

    def _watch(self, manager: Any) -> None:
        while True:
            time.sleep(self.tick)
            try:
                self.sweep(manager, time.time())
            except Exception as exc:  # the watchdog must outlive any one bad look; never answers in the log
                log.warning("idle watchdog: %s", type(exc).__name__)

    def sweep(self, manager: Any, now: float) -> list[str]:
        """One look: run again each session due (see :meth:`due`); the ids it asked."""
        active = {info.session.id: info.session for info in manager.list_active_sessions()}
        known = {info.session.id for info in manager.list_sessions()}
        due = self.due(set(active), known | set(active), now)
        for session_id in due:
            rerun_as_the_browser_left_it(active[session_id])
        return due


_BACKSTOP = Backstop(hard_limit(DEFAULT_IDLE_SECONDS), tick_seconds(DEFAULT_IDLE_SECONDS))


def backstop(idle: int) -> Backstop:
    """The process's one watchdog, for the idle time of these settings (its limit and tick
    follow them when they change)."""
    _BACKSTOP.limit, _BACKSTOP.tick = float(hard_limit(idle)), tick_seconds(idle)
    return _BACKSTOP


def _session_manager() -> Any | None:
    """Streamlit's session manager under a running server; None without one (AppTest puts a
    stand-in in the server's place: no browser is there to wipe); False when a server has
    none where this looks (another Streamlit)."""
    from streamlit import runtime
    from streamlit.runtime import Runtime

    if not runtime.exists() or type(runtime.get_instance()) is not Runtime:
        return None
    return getattr(runtime.get_instance(), "_session_mgr", None) or False


def _can_rerun(manager: Any) -> bool:
    """Whether what the watchdog uses is there: the session lists, and on this run's own
    session the rerun request and the browser's last state."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    methods = ("list_active_sessions", "list_sessions", "get_active_session_info")
    if manager is False or not all(callable(getattr(manager, m, None)) for m in methods):
        return False
    ctx = get_script_run_ctx(suppress_warning=True)
    info = manager.get_active_session_info(ctx.session_id) if ctx is not None else None
    session = getattr(info, "session", None)
    return callable(getattr(session, "request_rerun", None)) and hasattr(session, "_client_state")


def rerun_as_the_browser_left_it(session: Any) -> None:
    """Ask ``session`` for a full run of the page it is on, its widgets as they are (no
    value is sent, so no button is pressed again): Streamlit's own rerun when a source
    file changes, asked on the session's event loop."""
    from streamlit.proto.ClientState_pb2 import ClientState

    client_state = ClientState()
    client_state.CopyFrom(session._client_state)
    client_state.fragment_id = ""  # the whole page, not the fragment that ran last
    client_state.is_auto_rerun = False
    call_soon = getattr(session, "_call_soon_on_event_loop", None)
    if callable(call_soon):
        call_soon(lambda: session.request_rerun(client_state))
    else:
        session.request_rerun(client_state)


def has_patient_data(state: SessionState) -> bool:
    """Anything a patient did that the next patient must not see."""
    return (
        bool(state.get(keys.ANSWERS))
        or bool(state.get(keys.STEP))
        or bool(state.get(keys.LANG_CHOSEN))
        or bool(state.get(keys.KEPT))
    )


def is_clinician_key(key: object) -> bool:
    return isinstance(key, str) and (key in keys.CLINICIAN_KEYS or key.startswith(keys.CLINICIAN_PREFIXES))


def has_clinician_data(state: SessionState) -> bool:
    """The unlock, an opened record, downloads, assessment answers: anything of the clinician view."""
    return any(is_clinician_key(key) for key in list(state))


def has_private_data(state: SessionState) -> bool:
    """What the idle wipe protects: the patient's data and the clinician's."""
    return has_patient_data(state) or has_clinician_data(state)


def forget_clinician(state: SessionState) -> bool:
    """Forget every clinician key (the view is locked again); True if there was any."""
    keys = [key for key in list(state) if is_clinician_key(key)]
    for key in keys:
        del state[key]
    return bool(keys)


def wipe(state: SessionState) -> None:
    """Forget everything in this session: answers, screen, language, widgets."""
    for key in list(state):
        del state[key]


def idle_for(state: SessionState, now: float | None = None) -> float:
    last = state.get(keys.LAST_ACTIVITY)
    if last is None:
        return 0.0
    return (time.time() if now is None else now) - float(last)


def check_idle_on_rerun(state: SessionState, idle: int, now: float | None = None) -> bool:
    """Call once per full run (a tap): wipe if the last tap was too long ago.

    Returns True when it wiped. Then records this run as activity.
    """
    now = time.time() if now is None else now
    wiped = False
    if idle_for(state, now) > idle:
        wipe(state)
        wiped = True
    state[keys.LAST_ACTIVITY] = now
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


def result_step(content: Any) -> int:
    """The result screen's step: after the questions and the safety check."""
    return len(content.questions_of_kind("questions")) + 2


def keep(state: SessionState, store: Callable[[], Any], content: Any, lang: str, *, incomplete: bool) -> str | None:
    """The one way answers leave the tablet: save them as a record with a code.

    Share (the result screen) and "Keep my answers" (any screen, the idle warning)
    both come here. An unfinished questionnaire is saved marked ``incomplete`` (with
    how many questions were answered), so the physiotherapist carries on with it in
    Assessment mode. Returns the code, or None when the store failed (the message
    names the database, never the answers).
    """
    from decision import score
    from decision.records.store import HandoffError, StoreError
    from ui import share_key

    answers = dict(state.get(keys.ANSWERS) or {})
    shared = state.get(keys.SHARED) or {}
    if not incomplete and shared.get("code"):
        # Shared already, then answered more (SURE, a changed answer): the same code gets
        # the new answers, so the one the patient holds stays the one to show.
        try:
            record = store().update(
                shared["code"], answers, lang, score(content, answers).to_json(lang), content.version
            )
            return str(record.code)
        except HandoffError:
            pass  # gone (deleted or expired): a new record, with a new code, below
        except StoreError as exc:
            log.warning("saving the answers failed: %s", exc)
            return None
    # One record per result: a second tap (or a tap that raced the first) returns the first code.
    key = f"{share_key(state, answers, lang)}:{'incomplete' if incomplete else 'result'}"
    result = score(content, answers)
    payload = result.to_json(lang)
    if incomplete:
        payload["incomplete"] = True
        payload["answered"] = len(answers)
    try:
        record = store().save(answers, lang, payload, content.version, share_key=key)  # opening it may fail too
    except StoreError as exc:
        log.warning("saving the answers failed: %s", exc)
        return None
    return str(record.code)


# The page's script comes in two parts. The library (the functions below, and the kiosk
# stylesheet) is sent with a session's first run only: the browser keeps it for the page
# (window.__kiosk*; a reload is a new session, which sends it again). Every run then sends
# one short call with that screen's settings, so a tap's block is small for Streamlit's
# sanitizer and the browser's script parser. A call that finds no library (a page that
# missed it) asks the server for it once through the relay (keys.SETUP), at most every 10 s.
#
# Streamlit's sanitizer (DOMPurify) drops a <script> whose text looks like markup: no "<"
# followed by a letter, "/" or "!" anywhere in these scripts (tests/test_ui.py checks).

# The browser's side of the idle timer, its settings replaced on each new screen. Touch,
# keys, wheel, scrolling anywhere (the capture phase sees scrolls inside stMain) and opened
# <details> count as activity. The warning is the browser's own bar (built with textContent,
# never HTML): no Streamlit element on any rerun, and redrawn only when its words change (a
# new language). Its "Keep my answers" presses the screen's own button. A finger put down on
# the warning keeps it until its click (or 0.8 s): hidden at the touch, the tap's click would
# land on what lies under it, an answer (a patient's "I'm still here" answered the question).
# New settings start the wait again and look at once: a warning left from the screen before
# goes at once, not at the next second's tick (nor does a bar redrawn in the other language
# show an empty count).
_IDLE_JS = (
    "function(c){var K=window.__kiosk;if(!K){K=window.__kiosk={};}K.cfg=c;K.last=Date.now();"
    "K.pinged=Date.now();K.wiping=false;var R=document.documentElement;"
    "function press(k){return window.__kioskPress(k);}"
    "function el(t,cls,txt){var e=document.createElement(t);if(cls){e.className=cls;}"
    "if(txt!==undefined){e.textContent=txt;}return e;}"
    "function bar(){var w=c.words||{};var B=document.getElementById('kiosk-warning');"
    "var same=JSON.stringify([w,!!c.keep]);if(B&&K.drawn===same){return;}K.drawn=same;"
    "if(!B){B=el('div','kiosk-warning');B.id='kiosk-warning';B.setAttribute('role','alert');"
    "document.body.appendChild(B);}B.textContent='';B.appendChild(el('p','idle-title',w.title||''));"
    "var p=el('p','idle-text',w.before||'');K.count=el('span','idle-count','');p.appendChild(K.count);"
    "p.appendChild(document.createTextNode(w.after||''));B.appendChild(p);"
    "var s=el('button','still-here',w.still||'');s.type='button';B.appendChild(s);"
    "if(c.keep&&w.keep){var k=el('button','keep-idle',w.keep);k.type='button';"
    "k.addEventListener('click',function(){press(K.cfg.keep);});B.appendChild(k);}}"
    "bar();"
    "function tick(){var c=K.cfg;if(!c||!c.armed){R.classList.remove('kiosk-warn');return;}"
    "var now=Date.now(),left=c.idle-(now-K.last)/1000;if(800>now-K.held){return;}"
    "if(left<=0){R.classList.remove('kiosk-warn');if(!K.wiping&&press('"
    + keys.IDLE_WIPE
    + "')){K.wiping=true;}return;}"
    "if(left<=c.warn){R.classList.add('kiosk-warn');if(K.count){K.count.textContent=String(Math.ceil(left));}}"
    "else{R.classList.remove('kiosk-warn');}"
    "if(K.last>K.pinged&&now-K.pinged>c.ping*1000&&press('" + keys.IDLE_PING + "')){K.pinged=now;}}"
    "K.tick=tick;K.held=0;tick();"
    "if(!K.on){K.on=true;var a=function(e){K.last=Date.now();var B=document.getElementById('kiosk-warning');"
    "if(e.type!=='click'&&B&&B.contains(e.target)){K.held=K.last;return;}K.held=0;K.tick();};"
    "['pointerdown','touchstart','keydown','wheel','scroll','toggle','click'].forEach(function(e){"
    "document.addEventListener(e,a,{capture:true,passive:true});});"
    "setInterval(function(){K.tick();},1000);}"
    "}"
)

# Pressing a button of the screen by its key: a Streamlit button (``.st-key-<k> button``),
# else the option named ``k`` of the hidden relay (ui/topbar.py). The top bar's HTML buttons
# (``data-kiosk-act``) press theirs through one listener, installed once per page.
_RELAY_BUTTONS = f".st-key-{keys.RELAY} button"
_PRESS_JS = (
    "if(!window.__kioskPress){window.__kioskPress=function(k){if(!k){return false;}"
    "var b=document.querySelector('.st-key-'+k+' button');"
    "if(!b){var o=document.querySelectorAll('" + _RELAY_BUTTONS + "');"
    "b=Array.prototype.filter.call(o,function(x){return x.textContent.trim()===k;})[0];}"
    "if(b){b.click();return true;}return false;};"
    "document.addEventListener('click',function(ev){var t=ev.target;"
    "var a=t&&t.closest?t.closest('[data-kiosk-act]'):null;"
    "if(a){ev.preventDefault();window.__kioskPress(a.getAttribute('data-kiosk-act'));}});}"
)

# A new screen starts at its top: now, and once more a moment later (Streamlit may still be
# drawing it), unless the patient has touched, scrolled or typed since: the screen never
# moves under a finger (on a busy tablet that moment comes late, when a tap may be under way).
# Only a page that was scrolled is moved: setting a scroll position makes the browser lay out
# the half-drawn screen at once (about 3 ms a tap on the tablet), so a listener installed once
# notes any scroll away from the top, and a screen never scrolled is left alone.
# (tests/test_browser.py holds the 120 ms timer back by its delay: keep that in step.)
_TO_TOP = (
    "function(){var S=window.__kioskTop;if(!S){S=window.__kioskTop={moved:true};"
    "document.addEventListener('scroll',function(e){var t=e.target;"
    "if((t===document?window.scrollY:t.scrollTop)>0){S.moved=true;}},{capture:true,passive:true});}"
    "function top(){if(!S.moved){return;}S.moved=false;"
    "var m=document.querySelector('[data-testid=\"stMain\"]');if(m){m.scrollTop=0;}window.scrollTo(0,0);}"
    "var used=false,o={capture:true,passive:true},"
    "ev=['pointerdown','touchstart','wheel','keydown'];function use(){used=true;}"
    "ev.forEach(function(e){document.addEventListener(e,use,o);});top();"
    "setTimeout(function(){ev.forEach(function(e){document.removeEventListener(e,use,o);});"
    "if(!used){top();}},120);}"
)

# The kiosk stylesheet, installed in the page (a <style> after Streamlit's root, outside
# what Streamlit redraws) and replaced only when its text changes.
_STYLE_JS = (
    "function(c){var s=document.getElementById('kiosk-style');if(!s){s=document.createElement('style');"
    "s.id='kiosk-style';document.body.appendChild(s);}if(s.textContent!==c){s.textContent=c;}}"
)

# One screen's settings: its language, its screen (a new one starts at its top; the same
# screen drawn again, as after a language switch, stays where it is; a staff page has
# none, and the patient's screen after it is new) and its idle timer.
_RUN_JS = (
    "window.__kioskRun=function(c){document.documentElement.lang=c.lang;"
    "if(c.screen!==window.__kioskScreen){window.__kioskScreen=c.screen;if(c.screen!==null){(" + _TO_TOP + ")();}}"
    "if(c.idle){(" + _IDLE_JS + ")(c.idle);}};"
)

# The call on every run; without the library, ask for it (the relay's setup option).
_CALL_JS = (
    "(function(c){if(window.__kioskRun){window.__kioskRun(c);return;}var n=Date.now();"
    "if(window.__kioskAsked>n-10000){return;}window.__kioskAsked=n;"
    "var o=document.querySelectorAll('" + _RELAY_BUTTONS + "');for(var i=0;i!==o.length;i++){"
    "if(o[i].textContent.trim()==='" + keys.SETUP + "'){o[i].click();return;}}})"
)


def library(css: str) -> str:
    """The script a page keeps: pressing buttons, the screens' settings, the idle timer and
    ``css`` (the kiosk stylesheet), installed for the page when this runs."""
    return f"{_PRESS_JS}({_STYLE_JS})({_js_data(css)});{_RUN_JS}"


def page_script(
    lang: str,
    screen: int | str | None,
    *,
    setup: str = "",
    idle: int = 0,
    ping: float = 0,
    armed: bool = False,
    words: dict[str, str] | None = None,
    keep: str = "",
    bar: str = "",
) -> str:
    """The page's one script block: ``<html lang>`` for screen readers; with a ``screen``
    (which tells screens apart), a new screen scrolled to its top; with ``idle``, the
    browser's idle timer for this screen (armed when there is something to wipe), the
    warning's ``words`` (title, before, after, still, keep) and the key of the screen's
    button that keeps the answers (``keep``, or none); ``bar``, the patient's top bar
    (ui/topbar.py), drawn above. ``setup``: the :func:`library`, on a session's first run.
    The block changes with the screen, so the browser runs it again."""
    cfg: dict[str, object] = {"lang": lang, "screen": screen, "idle": None}
    if idle:
        cfg["idle"] = {
            "idle": int(idle),
            "warn": warning_seconds(idle),
            "ping": ping or ping_seconds(idle),
            "armed": bool(armed),
            "keep": keep,
            "words": words or {},
        }
    call = f"{_CALL_JS}({_js_data(cfg)});"
    return f"{bar}<script>{setup}{call}</script>"


def _js_data(value: object) -> str:
    """``value`` as a JavaScript literal with every "<" escaped: the words and rules can neither
    end the script nor look like markup to the sanitizer (which would drop the whole script)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
