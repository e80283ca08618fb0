"""The patient's top bar (Back, the other language, Keep my answers, Start over) drawn as
plain HTML, and the one hidden widget its taps are relayed through.

Four Streamlit buttons in a keyed container and four columns were ten elements on every
question screen, and each element costs Streamlit's server and the browser work on every
tap (docs/performance.md). Here the bar is HTML inside the page's one script block
(app.py), so it adds no element; a tap on it selects the matching option of
:func:`relay`, one hidden segmented control, whose callback does what the button says and
clears it again. The idle script (ui/kiosk.py) presses the same relay for the warning's
"Keep my answers", "still here" and "time is up": one relay on every page (app.py draws
it; the patient page adds the bar's actions in the same run, :func:`add_actions`).

The bar's buttons are real ``<button>`` elements (keyboard, screen readers, 44 px
targets); the relay is ``display: none`` and out of the accessibility tree.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

import streamlit as st

import ui
from ui import keys
from ui.keys import SessionState
from ui.words import Words, other_language

if TYPE_CHECKING:
    from decision.content import Content

e = html.escape

# The bar's actions, in the order shown: each is also the relay option it selects.
ACTIONS = (keys.BACK, keys.SWITCH_LANG, keys.KEEP_ANSWERS, keys.START_OVER)
# Every option of the relay: the browser's idle timer, the script library, then the bar (the same on every page).
RELAY_OPTIONS = (keys.IDLE_PING, keys.IDLE_WIPE, keys.SETUP, *ACTIONS)

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
    """One hidden segmented control with every relay option: the browser selects one, its
    handler runs (as a button's ``on_click`` would) and the value is cleared. Draw it once
    a run; :func:`add_actions` adds handlers in the same run, before or after (a tap's
    callback is the one of the run that drew the screen)."""
    actions = _actions()
    actions.update(handlers)
    st.segmented_control(
        key,
        RELAY_OPTIONS,
        key=key,
        label_visibility="collapsed",
        on_change=_relayed(key, actions),
    )


def add_actions(handlers: dict[str, Callable[[], None]]) -> None:
    """What this screen's bar buttons do (the relay's other options do nothing here)."""
    _actions().update(handlers)


def _actions() -> dict[str, Callable[[], None]]:
    """This run's relay handlers: one dictionary, whoever asks first."""
    return ui.per_run("relay_actions", dict)


def progress_html(text: str, done: int, total: int) -> str:
    """Where the patient is: "Needles and comfort · 5 of 14" and a bar."""
    width = round(100 * min(1.0, max(0.0, done / total)))
    return (
        f'<p class="progress-text">{e(text)}</p><div class="progress-bar" role="progressbar" '
        f'aria-label="{e(text)}" aria-valuemin="0" aria-valuemax="{total}" aria-valuenow="{done}">'
        f'<span style="width:{width}%"></span></div>'
    )


def screen_progress(content: Content, t: Words, step: int) -> str:
    """The progress line under the bar on a question screen and the safety check; none elsewhere."""
    questions = content.questions_of_kind("questions")
    n = len(questions)
    if 1 <= step <= n:
        section = content.section_of[questions[step - 1].id]
        return progress_html(t("progress", section=t.of(section.title), n=step, total=n), step, n + 1)
    if step == n + 1:
        section = content.section_of[content.questions_of_kind("safety")[0].id]
        return progress_html(t("progress_last", section=t.of(section.title)), n + 1, n + 1)
    return ""


def patient_bar(t: Words, state: SessionState, *, on_result: bool, progress: str = "") -> str:
    """The bar of a patient screen after the welcome (none on the kept-code screen):
    Keep my answers once something is answered, and not on the result (Share is there);
    then the screen's ``progress`` line. One block with the page's script (app.py): the
    progress line is no element of its own."""
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
    return bar_html(labels, can_keep=can_keep, label=t("topbar_label"), other_lang=other) + progress
