"""The patient's top bar (Back, the other language, Keep my answers, Start over) drawn as
plain HTML, and the one hidden widget its taps are relayed through.

Four Streamlit buttons in a keyed container and four columns were ten elements on every
question screen, and each element costs Streamlit's server and the browser work on every
tap (docs/performance.md). Here the bar is HTML inside the page's one script block
(app.py), so it adds no element; a tap on it selects the matching option of
:func:`relay`, one hidden segmented control, whose callback does what the button says and
clears it again. The idle script (ui/kiosk.py) presses the same relay for the warning's
"Keep my answers", and the watchdog's "still here" and "time is up" go through a second
relay inside the watchdog fragment (so they rerun the fragment only).

The bar's buttons are real ``<button>`` elements (keyboard, screen readers, 44 px
targets); the relay is ``display: none`` and out of the accessibility tree.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import streamlit as st

from ui import keys
from ui.keys import SessionState
from ui.words import Words, other_language

e = html.escape

# The bar's actions, in the order shown: each is also the relay option it selects.
ACTIONS = (keys.BACK, keys.SWITCH_LANG, keys.KEEP_ANSWERS, keys.START_OVER)

# Material Symbols names: the font Streamlit itself loads for its icons (an inline SVG
# would be removed by st.html's sanitizer).
_ICONS = {keys.BACK: "arrow_back", keys.KEEP_ANSWERS: "save", keys.START_OVER: "restart_alt"}


def _button(action: str, label: str, lang: str = "") -> str:
    name = _ICONS.get(action)
    icon = f'<span class="kb-icon" aria-hidden="true">{name}</span>' if name else ""
    attr = f' lang="{e(lang)}"' if lang else ""
    return (
        f'<button type="button" class="kb kb-{e(action)}" data-kiosk-act="{e(action)}">'
        f"{icon}<span{attr}>{e(label)}</span></button>"
    )


def bar_html(labels: dict[str, str], *, can_keep: bool, label: str, other_lang: str) -> str:
    """The bar: ``labels`` maps each action to its words; Keep my answers only when there
    is something to keep. ``label`` names the bar for screen readers; the language button
    is marked as ``other_lang`` (its words are in that language)."""
    shown = [a for a in ACTIONS if can_keep or a != keys.KEEP_ANSWERS]
    cls = "kiosk-topbar with-keep" if can_keep else "kiosk-topbar"
    buttons = "".join(_button(a, labels[a], other_lang if a == keys.SWITCH_LANG else "") for a in shown)
    return f'<nav class="{cls}" aria-label="{e(label)}">{buttons}</nav>'


def _relayed(key: str, handlers: dict[str, Callable[[], None]]) -> Callable[[], None]:
    def on_change() -> None:
        state: SessionState = st.session_state
        action = state.get(key)
        state[key] = None  # cleared at once, so the same button can be tapped again
        handler = handlers.get(action) if isinstance(action, str) else None
        if handler is not None:
            handler()

    return on_change


def relay(key: str, handlers: dict[str, Callable[[], None]]) -> None:
    """One hidden segmented control whose options are the ``handlers``' actions: the
    browser selects one, its handler runs (as a button's ``on_click`` would), and the
    value is cleared. Draw it on every screen whose bar or script may press it."""
    st.segmented_control(
        key,
        list(handlers),
        key=key,
        label_visibility="collapsed",
        on_change=_relayed(key, handlers),
    )


def patient_bar(t: Words, state: SessionState, *, on_result: bool) -> str:
    """The bar of a patient screen after the welcome (none on the kept-code screen):
    Keep my answers once something is answered, and not on the result (Share is there)."""
    if state.get(keys.KEPT):
        return ""
    other = other_language(t.lang)
    labels = {
        keys.BACK: t("back"),
        keys.SWITCH_LANG: t("lang_fr") if other == "fr" else t("lang_en"),
        keys.KEEP_ANSWERS: t("keep_answers"),
        keys.START_OVER: t("start_over"),
    }
    can_keep = not on_result and bool(state.get(keys.ANSWERS))
    return bar_html(labels, can_keep=can_keep, label=t("topbar_label"), other_lang=other)
