"""/clinician while content/ does not load: shared records still open, in a plain form.

Behind the same PIN gate and lockout as the full view (decision.records.pin), with
the same device key and code look-up limit (ui). It needs no content: question ids
and answer codes, the flags' saved words. Its words cannot come from ui.yaml (that
may be the broken file), so they are here, in English and French.
"""

from __future__ import annotations

import html
import logging

import streamlit as st

from ui import keys

log = logging.getLogger("decision_aid")

# --------------------------------------------------------------------------- records without content
# When content/ does not load, /clinician can still open shared records: behind the same
# PIN gate, in a plain form that needs no content (question ids and answer codes, the
# flags' saved words). Its words cannot come from ui.yaml (it may be the broken file).
PLAIN = {
    "intro": "Shared records can still be opened here, in a plain form (question ids and answer codes, "
    "the flags as saved). · Les dossiers partagés peuvent encore être ouverts ici, sous une forme simple "
    "(identifiants des questions et codes des réponses, alertes telles qu'enregistrées).",
    "pin": "PIN · NIP",
    "unlock": "Unlock · Déverrouiller",
    "code": "Handoff code · Code de partage",
    "open": "Open · Ouvrir",
    "lock": "Lock · Verrouiller",
    "wrong": "Wrong PIN. · NIP erroné.",
    "locked": "Too many wrong PINs: wait a few minutes. · Trop de NIP erronés : attendez quelques minutes.",
    "unavailable": "The PIN cannot be checked just now. · Le NIP ne peut pas être vérifié pour l'instant.",
    "no_pin": "No clinician PIN is set (python -m decision set-pin). · Aucun NIP clinicien n'est défini.",
    "device": "One moment: this browser is getting its device key. · Un instant : ce navigateur reçoit sa clé.",
    "too_fast": "Too many codes in a short time: wait a minute. · Trop de codes en peu de temps : attendez une minute.",
    "not_found": "No live record has this code. · Aucun dossier actif n'a ce code.",
    "record": "Record {code} · Dossier {code}",
}
# Its session keys (ui/keys.py); PLAIN_AT: an unlocked view left alone locks itself (no idle watchdog here).
_PLAIN_RECORD, _PLAIN_MESSAGE, _UNLOCKED, _PLAIN_AT = (
    keys.PLAIN_RECORD,
    keys.PLAIN_MESSAGE,
    keys.UNLOCKED,
    keys.PLAIN_AT,
)


def _plain_try_pin(pin_hash: str) -> None:
    import ui
    from decision.records.pin import PinGate
    from decision.records.store import StoreError

    state = st.session_state
    pin = str(state.get(keys.PIN) or "")
    state[keys.PIN] = ""
    if not pin.strip() or ui.needs_device_key():
        state[_PLAIN_MESSAGE] = PLAIN["device" if pin.strip() else "wrong"]
        return
    try:
        attempt = PinGate(ui.get_store(), clients=ui.client_ids()).try_pin(pin, pin_hash)
    except StoreError as exc:
        log.warning("PIN not checked, the attempt could not be recorded: %s", exc)
        state[_PLAIN_MESSAGE] = PLAIN["unavailable"]
        return
    state[_UNLOCKED] = attempt.ok
    state[_PLAIN_MESSAGE] = None if attempt.ok else PLAIN["locked" if attempt.locked_until else "wrong"]


def _plain_open() -> None:
    import ui
    from decision.records.store import HandoffError, StoreError

    state = st.session_state
    typed = str(state.get(keys.HANDOFF_CODE) or "")
    state[keys.HANDOFF_CODE] = ""
    if ui.code_lookup_wait(state):
        state[_PLAIN_MESSAGE] = PLAIN["too_fast"]
        return
    try:
        state[_PLAIN_RECORD] = ui.get_store().get(typed)
        state[_PLAIN_MESSAGE] = None
    except HandoffError:
        state[_PLAIN_MESSAGE] = PLAIN["not_found"]
    except StoreError as exc:
        state[_PLAIN_MESSAGE] = str(exc)  # unlocked staff: the database's plain line


def _plain_lock() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


@st.fragment(run_every=15)
def _lock_when_idle(idle: int) -> None:
    import time

    state = st.session_state
    if state.get(_UNLOCKED) and time.time() - float(state.get(_PLAIN_AT, 0)) > idle:
        _plain_lock()
        st.rerun()


def records_without_content() -> None:
    """The staff part of the invalid-content screen (/clinician): open shared records without content."""
    import time

    import ui
    from decision.engine import text_in
    from decision.records.pin import configured_pin_hash, valid_pin_hash

    state = st.session_state
    idle = ui.get_settings().idle
    if state.get(_UNLOCKED) and time.time() - float(state.get(_PLAIN_AT, 0)) > idle:
        _plain_lock()
    state[_PLAIN_AT] = time.time()
    if state.get(_UNLOCKED):
        _lock_when_idle(idle)
    st.html(f'<p class="help">{html.escape(PLAIN["intro"])}</p>')
    pin_hash = configured_pin_hash(st.secrets)
    if not pin_hash or not valid_pin_hash(pin_hash):
        st.info(PLAIN["no_pin"])
        return
    said = state.get(_PLAIN_MESSAGE)
    if said:
        st.error(said)
    if not state.get(_UNLOCKED):
        waiting = ui.needs_device_key()
        if waiting:
            st.html(ui.DEVICE_SCRIPT, unsafe_allow_javascript=True)
            st.info(PLAIN["device"])
        with st.form(keys.PIN_FORM, border=False):
            st.text_input(
                PLAIN["pin"], key=keys.PIN, type="password", max_chars=32, autocomplete="off", disabled=waiting
            )
            st.form_submit_button(
                PLAIN["unlock"], key=keys.UNLOCK, type="primary", on_click=_plain_try_pin, args=(pin_hash,)
            )
        return
    st.button(PLAIN["lock"], key=keys.LOCK, on_click=_plain_lock)
    with st.form(keys.CODE_FORM, border=False):
        st.text_input(PLAIN["code"], key=keys.HANDOFF_CODE, max_chars=12, autocomplete="off")
        st.form_submit_button(PLAIN["open"], key=keys.OPEN_CODE, type="primary", on_click=_plain_open)
    record = state.get(_PLAIN_RECORD)
    if record is None:
        return
    e = html.escape
    saved = record.saved
    st.header(PLAIN["record"].format(code=record.code), anchor=False)
    meta = [
        ("created (UTC)", f"{record.created_at:%Y-%m-%d %H:%M}"),
        ("expires (UTC)", f"{record.expires_at:%Y-%m-%d %H:%M}"),
        ("language", record.language),
        ("content version", record.content_version),
        ("lean", f"{saved.lean.option or '-'} ({saved.lean.strength})"),
    ]
    flags = [(f.level, f.id, text_in(f.message, record.language)) for f in saved.flags]
    st.html(
        '<table class="plain-record">'
        + "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in meta)
        + "".join(f"<tr><th>flag: {e(level)}</th><td>{e(fid)}: {e(msg)}</td></tr>" for level, fid, msg in flags)
        + "".join(f"<tr><th>{e(q)}</th><td>{e(a)}</td></tr>" for q, a in sorted(record.answers.items()))
        + "</table>"
    )
