"""The clinician PIN on screen: one gate for every staff page (the clinician view, the dashboard).

The attempt is recorded before the PIN is checked (:class:`decision.records.pin.PinGate`);
if it cannot be recorded, no PIN is checked. A browser with no address and no device key
yet gets its key first (``ui.DEVICE_SCRIPT``), so a reload is never a new client.
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime, tzinfo

import streamlit as st

import ui
from decision.records.pin import PinGate
from decision.records.store import StoreError
from ui import keys
from ui.words import Words

log = logging.getLogger("decision_aid")

UNLOCKED, PIN = keys.UNLOCKED, keys.PIN  # one unlock for every staff page; the PIN field (never kept)


def locked_text(t: Words, until: datetime, zone: tzinfo) -> str:
    minutes = max(1, round((until - datetime.now(UTC)).total_seconds() / 60))
    return t("clin_locked", time=until.astimezone(zone).strftime("%H:%M"), minutes=minutes)


def try_pin(pin_hash: str, t: Words, zone: tzinfo, message_key: str) -> None:
    """Check a typed PIN; the outcome goes to ``state[message_key]`` as (kind, text), or None."""
    state = st.session_state

    def say(kind: str, text: str) -> None:
        state[message_key] = (kind, text)

    pin = str(state.get(PIN) or "")
    state[PIN] = ""  # never kept, not even masked
    if not pin.strip():
        say("error", t("clin_pin_empty"))
        return
    if ui.needs_device_key():  # no address and no device key yet: a reload would be a new client
        say("error", t("clin_device_wait"))
        return
    try:
        attempt = PinGate(ui.get_store(), clients=ui.client_ids()).try_pin(pin, pin_hash)
    except StoreError as exc:
        log.warning("PIN not checked, the attempt could not be recorded: %s", exc)
        say("error", t("clin_pin_unavailable"))  # nothing about the database before unlocking
        return
    if attempt.ok:
        state[UNLOCKED] = True
        state[message_key] = None
    elif attempt.locked_until is not None:
        say("error", locked_text(t, attempt.locked_until, zone))
    else:
        say("error", t("clin_wrong_pin", n=attempt.attempts_left))


def pin_screen(pin_hash: str, t: Words, zone: tzinfo, *, intro: str, message_key: str) -> None:
    """The way to unlock: an intro line, the last try's message, the lock if any, the PIN form."""
    try:
        status = PinGate(ui.get_store(), clients=ui.client_ids()).status()
    except StoreError as exc:
        log.warning("PIN screen: the lockout cannot be read: %s", exc)
        st.error(t("clin_pin_unavailable"))  # no path, no database name before unlocking
        return
    st.html(f'<p class="help">{html.escape(intro)}</p>')
    said = st.session_state.get(message_key)
    if said:
        kind, text = said
        (st.success if kind == "success" else st.error)(text)
    locked = status.locked_until is not None
    if status.locked_until is not None and not said:
        st.error(locked_text(t, status.locked_until, zone))
    if ui.needs_device_key():  # the browser gets its device key, then connects again (ui.DEVICE_SCRIPT)
        st.html(ui.DEVICE_SCRIPT, unsafe_allow_javascript=True)
        st.info(t("clin_device_wait"))
        locked = True
    with st.form(keys.PIN_FORM, border=False):
        st.text_input(t("clin_pin_label"), key=PIN, type="password", max_chars=32, autocomplete="off", disabled=locked)
        st.form_submit_button(
            t("clin_unlock"),
            key=keys.UNLOCK,
            type="primary",
            width="stretch",
            icon=":material/lock_open:",
            on_click=try_pin,
            args=(pin_hash, t, zone, message_key),
            disabled=locked,
        )
