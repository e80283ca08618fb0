"""Kiosk behaviour: one shared tablet, nothing left behind for the next patient.

Everything a patient enters lives only in ``st.session_state`` (never in a
cache, a file or a log). It is wiped by Start over, and when the tablet is left
alone. Reading is activity: the browser itself listens for touches, scrolling
(also inside the scrolling main area) and opened details, runs the countdown,
shows the warning only in its last seconds and then asks the server to wipe
(:func:`page_script`). It tells the server that the patient is still reading
only now and then (at most every :func:`ping_seconds`), never on each touch.
The server keeps a longer hard limit (:func:`hard_limit`) as a backstop: on
every rerun (which also catches a tablet that slept) and from a slow watchdog
fragment. The numbers are in docs/screens.md.
"""

from __future__ import annotations

import gc
import json
import logging
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


# The browser's side of the idle timer: installed once per page (window.__kiosk), its
# settings replaced on each new screen. Touch, keys, wheel, scrolling anywhere (the
# capture phase sees scrolls inside stMain) and opened <details> count as activity.
# The warning is the browser's own bar (built with textContent, never HTML): no
# Streamlit element on any rerun, and redrawn only when its words change (a new language).
# Its "Keep my answers" presses the screen's own button.
_IDLE_JS = (
    "(function(c){var K=window.__kiosk;if(!K){K=window.__kiosk={};}K.cfg=c;K.last=Date.now();"
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
    "var now=Date.now(),left=c.idle-(now-K.last)/1000;"
    "if(left<=0){R.classList.remove('kiosk-warn');if(!K.wiping&&press('idle_wipe')){K.wiping=true;}return;}"
    "if(left<=c.warn){R.classList.add('kiosk-warn');if(K.count){K.count.textContent=String(Math.ceil(left));}}"
    "else{R.classList.remove('kiosk-warn');}"
    "if(K.last>K.pinged&&now-K.pinged>c.ping*1000&&press('idle_ping')){K.pinged=now;}}"
    "K.tick=tick;"
    "if(!K.on){K.on=true;var a=function(){K.last=Date.now();K.tick();};"
    "['pointerdown','touchstart','keydown','wheel','scroll','toggle'].forEach(function(e){"
    "document.addEventListener(e,a,{capture:true,passive:true});});"
    "setInterval(function(){K.tick();},1000);}"
    "})"
)

# Streamlit's sanitizer (DOMPurify) drops a <script> whose text looks like markup: no "<"
# followed by a letter, "/" or "!" anywhere in these scripts (tests/test_ui.py checks).
# Pressing a button of the screen by its key: a Streamlit button (``.st-key-<k> button``),
# else the option named ``k`` of a hidden relay (ui/topbar.py). The top bar's HTML buttons
# (``data-kiosk-act``) press theirs through one listener, installed once per page.
_RELAYS = ", ".join(f".st-key-{k} button" for k in (keys.TOPBAR_RELAY, keys.IDLE_RELAY))
_PRESS_JS = (
    "if(!window.__kioskPress){window.__kioskPress=function(k){if(!k){return false;}"
    "var b=document.querySelector('.st-key-'+k+' button');"
    "if(!b){var o=document.querySelectorAll('" + _RELAYS + "');"
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
_TO_TOP = (
    "(function(){var S=window.__kioskTop;if(!S){S=window.__kioskTop={moved:true};"
    "document.addEventListener('scroll',function(e){var t=e.target;"
    "if((t===document?window.scrollY:t.scrollTop)>0){S.moved=true;}},{capture:true,passive:true});}"
    "function top(){if(!S.moved){return;}S.moved=false;"
    "var m=document.querySelector('[data-testid=\"stMain\"]');if(m){m.scrollTop=0;}window.scrollTo(0,0);}"
    "var used=false,o={capture:true,passive:true},"
    "ev=['pointerdown','touchstart','wheel','keydown'];function use(){used=true;}"
    "ev.forEach(function(e){document.addEventListener(e,use,o);});top();"
    "setTimeout(function(){ev.forEach(function(e){document.removeEventListener(e,use,o);});"
    "if(!used){top();}},120);})();"
)


def page_script(
    lang: str,
    screen: int | None,
    *,
    idle: int = 0,
    ping: float = 0,
    armed: bool = False,
    words: dict[str, str] | None = None,
    keep: str = "",
    bar: str = "",
) -> str:
    """``<html lang>`` for screen readers; with a screen number, also scroll to the top;
    with ``idle``, the browser's idle timer for this screen (armed when there is
    something to wipe), the warning's ``words`` (title, before, after, still, keep) and
    the key of the screen's button that keeps the answers (``keep``, or none); ``bar``, the
    patient's top bar (ui/topbar.py), drawn above. The block changes with the screen, so
    the browser runs it again."""
    js = f'document.documentElement.lang="{lang}";{_PRESS_JS}'
    if screen is not None:
        js += f"/* screen {int(screen)} */{_TO_TOP}"
    if idle:
        cfg = {
            "idle": int(idle),
            "warn": warning_seconds(idle),
            "ping": ping or ping_seconds(idle),
            "armed": bool(armed),
            "keep": keep,
            "words": words or {},
        }
        # Every "<" escaped: the words can neither end the script nor look like markup to
        # the sanitizer (which would drop the whole script).
        data = json.dumps(cfg, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
        js += f"{_IDLE_JS}({data});"
    return f"{bar}<script>{js}</script>"
