"""The physiotherapist's view, behind a PIN.

- No PIN configured: say how to set one, show nothing else.
- Locked: a PIN form. Five wrong PINs lock it for five minutes (the count lives in
  the database, so a new tab or another app instance cannot reset it).
- Unlocked, "Open a code": the patient's shared answers by handoff code, flags
  first, the lean, SURE, answers by section, scores with rule ids and reasons,
  prompts for the talk, the comparison, and downloads (PDF, FHIR JSON, CSV).
- Unlocked, "Assessment": fill in or change answers with the patient in the room,
  see the result update, save it as a new handoff record.

State lives only in this session (``st.session_state``) and is wiped by Lock,
by leaving for the patient view (however: app.py forgets every clinician key
whenever the patient page runs), and by the idle check in app.py. Download files
are made while the view is unlocked and stop being served when it locks. Times are
shown in the clinic's time zone (``DECISION_TIMEZONE``).
"""

from __future__ import annotations

import html
import json
import logging
from datetime import UTC, datetime

import streamlit as st

import ui
from decision import score
from decision.records import export
from decision.records.fhir import fhir_questionnaire
from decision.records.pin import PinGate, configured_pin_hash, valid_pin_hash
from decision.records.saved import SavedResult, parse_saved
from decision.records.store import ExpiredCode, HandoffRecord, StoreError, UnknownCode, normalize_code
from ui import clinician as clin
from ui import kiosk, panels
from ui.words import Words, other_language

log = logging.getLogger("decision_aid")
e = html.escape

UNLOCKED = "clin_unlocked"
RECORD = "clin_record"
MESSAGE = "clin_message"
MODE = "clin_mode"
ASSESS = "assess_answers"
CONFIRM_DELETE = "clin_confirm_delete"
DOWNLOADS = "clin_downloads"

content = ui.get_content()
state = st.session_state
t = Words(content, state.get(kiosk.LANG, "en"))
OPTION_IDS = tuple(content.options)
st.html(clin.CSS)


ZONE = ui.clinic_zone()  # every time a person reads here (screen, PDF) is in the clinic's zone


# ------------------------------------------------------------------ callbacks


def _say(kind: str, text: str) -> None:
    state[MESSAGE] = (kind, text)


def _set_language(lang: str) -> None:
    state[kiosk.LANG] = lang


def _lock() -> None:
    kiosk.wipe(state)


def _try_pin(pin_hash: str) -> None:
    pin = str(state.get("pin") or "")
    state["pin"] = ""  # never kept, not even masked
    if not pin.strip():
        _say("error", t("clin_pin_empty"))
        return
    try:
        # The attempt is recorded before the PIN is checked; if it cannot be, no PIN is checked.
        attempt = PinGate(ui.get_store(), clients=ui.client_ids()).try_pin(pin, pin_hash)
    except StoreError as exc:
        log.warning("PIN not checked, the attempt could not be recorded: %s", exc)
        _say("error", t("clin_pin_unavailable"))  # nothing about the database before unlocking
        return
    if attempt.ok:
        state[UNLOCKED] = True
        state[MESSAGE] = None
    elif attempt.locked_until is not None:
        _say("error", _locked_text(attempt.locked_until))
    else:
        _say("error", t("clin_wrong_pin", n=attempt.attempts_left))


def _locked_text(until: datetime) -> str:
    minutes = max(1, round((until - datetime.now(UTC)).total_seconds() / 60))
    return t("clin_locked", time=until.astimezone(ZONE).strftime("%H:%M"), minutes=minutes)


def _open_code() -> None:
    typed = str(state.get("handoff_code") or "")
    code = normalize_code(typed)
    if not code:
        _say("error", t("clin_code_empty"))
        return
    try:
        record = ui.get_store().get(code)
    except UnknownCode:
        _say("error", t("clin_unknown_code", code=clin.md_escape(code)))  # typed text: never Markdown
        return
    except ExpiredCode as exc:
        when = exc.expired_at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M %Z").strip()
        _say("error", t("clin_expired_code", code=clin.md_escape(code), when=when))
        return
    except StoreError as exc:
        _say("error", t("clin_store_error", detail=str(exc)))
        return
    state[RECORD] = record
    state["handoff_code"] = ""
    state[CONFIRM_DELETE] = False
    state[MESSAGE] = None
    if record.result.get("incomplete"):  # the patient was called in mid-way: carry on with them
        _assess_from(record.answers)
        _say("info", t("clin_incomplete_opened", code=record.code, n=len(record.answers)))


def _close_record() -> None:
    state[RECORD] = None
    state[CONFIRM_DELETE] = False
    state[MESSAGE] = None


def _delete_record(code: str) -> None:
    try:
        ui.get_store().delete(code)
    except StoreError as exc:
        _say("error", t("clin_store_error", detail=str(exc)))
        return
    _close_record()
    _say("success", t("clin_deleted", code=code))


def _ask_delete() -> None:
    state[CONFIRM_DELETE] = True


def _clear_assessment_widgets() -> None:
    for key in [k for k in state if str(k).startswith("a_")]:
        del state[key]


def _assess_from(answers: dict[str, str]) -> None:
    _clear_assessment_widgets()
    state[ASSESS] = dict(answers)
    state[MODE] = "assess"
    state[MESSAGE] = None


def _assess_set(qid: str) -> None:
    value = state.get(f"a_{qid}")
    if value is None:
        state[ASSESS].pop(qid, None)
    else:
        state[ASSESS][qid] = value


def _save_assessment() -> None:
    answers = dict(state.get(ASSESS) or {})
    if not answers:
        _say("error", t("clin_nothing_to_save"))
        return
    result = score(content, answers)
    try:
        record = ui.get_store().save(answers, t.lang, result.to_json(t.lang), content.version, origin="clinician")
    except StoreError as exc:
        _say("error", t("clin_store_error", detail=str(exc)))
        return
    state[RECORD] = record
    state[MODE] = "code"
    _say("success", t("clin_saved", code=record.code))


# ------------------------------------------------------------------ pieces


def top_bar() -> None:
    with st.container(key="clin_topbar"):
        left, middle, right = st.columns(3)
        if left.button(t("to_patient_view"), key="to_patient_view", icon=":material/tablet:", width="stretch"):
            kiosk.wipe(state)  # nothing of the clinician's stays for the next patient
            st.switch_page("app_pages/patient.py")
        other = other_language(t.lang)
        middle.button(
            t("lang_fr") if other == "fr" else t("lang_en"),
            key="clin_switch_lang",
            width="stretch",
            on_click=_set_language,
            args=(other,),
        )
        if state.get(UNLOCKED):
            right.button(t("clin_lock"), key="lock", icon=":material/lock:", width="stretch", on_click=_lock)


def message() -> None:
    said = state.get(MESSAGE)
    if not said:
        return
    kind, text = said
    {"success": st.success, "info": st.info}.get(kind, st.error)(text)


def pin_screen(pin_hash: str) -> None:
    try:
        status = PinGate(ui.get_store(), clients=ui.client_ids()).status()
    except StoreError as exc:
        log.warning("PIN screen: the lockout cannot be read: %s", exc)
        st.error(t("clin_pin_unavailable"))  # no path, no database name before unlocking
        return
    st.html(f'<p class="help">{e(t("clin_pin_intro"))}</p>')
    message()
    locked = status.locked_until is not None
    if locked and not state.get(MESSAGE):
        st.error(_locked_text(status.locked_until))
    with st.form("pin_form", border=False):
        st.text_input(
            t("clin_pin_label"), key="pin", type="password", max_chars=32, autocomplete="off", disabled=locked
        )
        st.form_submit_button(
            t("clin_unlock"),
            key="unlock",
            type="primary",
            width="stretch",
            icon=":material/lock_open:",
            on_click=_try_pin,
            args=(pin_hash,),
            disabled=locked,
        )


def record_view(record: HandoffRecord) -> None:
    result, answers = record.saved, record.answers
    st.header(t("clin_record_title", code=record.code), anchor=False)
    st.html(clin.record_meta(record, content, t, ZONE))
    result_sections(result, answers, record.language, with_answers=True)

    st.subheader(t("clin_downloads"), anchor=False)
    files = downloads(record)
    for column, (kind, label, icon, name, mime) in zip(st.columns(2) * 2, DOWNLOAD_KINDS, strict=True):
        data = files.get(kind)
        if data is None:
            column.warning(t("clin_export_failed"))
            continue
        column.download_button(
            t(label),
            key=f"download_{kind}",
            icon=icon,
            width="stretch",
            data=data,
            file_name=name.format(code=record.code, version=content.version.replace("+", "-")),
            mime=mime,
            on_click="ignore",
        )
    st.html(f'<p class="help">{e(t("clin_print_hint"))}</p>')

    with st.container(key="clin_actions"):
        change, close, delete = st.columns(3)
        change.button(
            t("clin_change_answers"),
            key="assess_from_record",
            icon=":material/edit:",
            width="stretch",
            on_click=_assess_from,
            args=(answers,),
        )
        close.button(
            t("clin_close"), key="close_record", icon=":material/close:", width="stretch", on_click=_close_record
        )
        delete.button(
            t("clin_delete"), key="delete_record", icon=":material/delete:", width="stretch", on_click=_ask_delete
        )
        if state.get(CONFIRM_DELETE):
            st.warning(t("clin_delete_confirm", code=record.code))
            st.button(
                t("clin_delete_yes"),
                key="delete_record_yes",
                type="primary",
                on_click=_delete_record,
                args=(record.code,),
            )


DOWNLOAD_KINDS = (
    ("pdf", "clin_download_pdf", ":material/picture_as_pdf:", "needling-summary-{code}.pdf", "application/pdf"),
    ("fhir", "clin_download_fhir", ":material/data_object:", "questionnaire-response-{code}.json",
     "application/fhir+json"),
    ("csv", "clin_download_csv", ":material/table:", "answers-{code}.csv", "text/csv; charset=utf-8"),
    ("questionnaire", "clin_download_questionnaire", ":material/description:", "questionnaire-{version}.json",
     "application/fhir+json"),
)  # fmt: skip


def _make(kind: str, record: HandoffRecord) -> bytes:
    if kind == "pdf":
        return export.summary_pdf(content, record, t.lang, tz=ZONE)
    if kind == "fhir":
        response = export.fhir_questionnaire_response(content, record, t.lang)
        return json.dumps(response, ensure_ascii=False, indent=2).encode("utf-8")
    if kind == "questionnaire":  # what the response's answers mean, for an EMR or form tool
        questionnaire = fhir_questionnaire(content, lang=t.lang)
        return json.dumps(questionnaire, ensure_ascii=False, indent=2).encode("utf-8")
    # With a byte-order mark, so that spreadsheet programs (Excel) read the French accents as UTF-8.
    return export.answers_csv(content, record, t.lang).encode("utf-8-sig")


def downloads(record: HandoffRecord) -> dict[str, bytes | None]:
    """The downloads, made while the view is unlocked and kept in this session only until it locks.

    A file that cannot be made is None (a calm note on screen); the log gets the
    error's type, never its text (which could quote answers).
    """
    made = state.get(DOWNLOADS)
    if made and made[0] == (record.code, record.created_at, t.lang):
        return made[1]
    files: dict[str, bytes | None] = {}
    for kind, *_ in DOWNLOAD_KINDS:
        try:
            files[kind] = _make(kind, record)
        except Exception as exc:
            log.error("the %s export failed: %s", kind, type(exc).__name__)
            files[kind] = None
    state[DOWNLOADS] = ((record.code, record.created_at, t.lang), files)
    return files


def result_sections(result: SavedResult, answers: dict[str, str], saved_lang: str, *, with_answers: bool) -> None:
    """Flags first, the lean, SURE, (answers,) scores, talk prompts, comparison."""
    st.subheader(t("clin_flags"), anchor=False)
    st.html(clin.flags_html(content, result, answers, t))
    st.subheader(t("clin_lean"), anchor=False)
    st.html(clin.lean_html(content, result, t))
    st.subheader(t("clin_sure"), anchor=False)
    st.html(clin.sure_html(content, result, answers, t))
    if with_answers:
        st.subheader(t("clin_answers"), anchor=False)
        st.html(clin.answers_html(content, answers, t))
    st.subheader(t("clin_scores"), anchor=False)
    st.html(clin.scores_html(content, result, saved_lang, t))
    st.subheader(t("clin_talk"), anchor=False)
    st.html(clin.talk_prompts_html(t))
    with st.expander(t("comparison_title")):
        for row in content.comparison:
            st.html(panels.comparison_row(row, OPTION_IDS, t) + panels.comparison_sources(row, OPTION_IDS, t))
        effects = panels.side_effects(content, OPTION_IDS, t)
        if effects:
            st.html(effects)


def code_screen() -> None:
    with st.form("code_form", border=False):
        st.text_input(t("clin_code_label"), key="handoff_code", max_chars=12, placeholder="ABC234", autocomplete="off")
        st.form_submit_button(
            t("clin_open"),
            key="open_code",
            type="primary",
            width="stretch",
            icon=":material/search:",
            on_click=_open_code,
        )
    message()
    record = state.get(RECORD)
    if record is not None:
        record_view(record)


def assessment_screen() -> None:
    answers: dict[str, str] = state.setdefault(ASSESS, {})
    st.html(f'<p class="help">{e(t("clin_assess_intro"))}</p>')
    message()
    record = state.get(RECORD)
    with st.container(key="clin_assess_start"):
        cols = st.columns(2)
        cols[0].button(t("clin_assess_empty"), key="assess_empty", width="stretch", on_click=_assess_from, args=({},))
        if record is not None:
            cols[1].button(
                t("clin_assess_load", code=record.code),
                key="assess_load",
                width="stretch",
                on_click=_assess_from,
                args=(record.answers,),
            )
    result = parse_saved(score(content, answers).to_json(t.lang))
    st.html(clin.lean_html(content, result, t))  # the lean moves as answers change
    for section in content.sections:
        st.subheader(t.of(section.title), anchor=False)
        for q in section.questions:
            st.pills(
                t.of(q.label),
                list(q.codes),
                format_func=lambda code, q=q: t.of(q.answer(code).text),
                key=f"a_{q.id}",
                default=answers.get(q.id),
                on_change=_assess_set,
                args=(q.id,),
            )
    st.header(t("clin_live_result"), anchor=False)
    result_sections(result, answers, t.lang, with_answers=False)
    st.button(
        t("clin_save_assessment"),
        key="save_assessment",
        type="primary",
        width="stretch",
        icon=":material/save:",
        on_click=_save_assessment,
    )


# ------------------------------------------------------------------ main

top_bar()
st.title(t("clin_title"), anchor=False)
PIN_HASH = configured_pin_hash(st.secrets)
if not PIN_HASH:
    st.info(t("clin_no_pin_help"))
elif not valid_pin_hash(PIN_HASH):
    st.error(t("clin_pin_hash_invalid"))
    st.info(t("clin_no_pin_help"))
elif not state.get(UNLOCKED):
    pin_screen(PIN_HASH)
else:
    ui.purge_soon()  # a clinician action: expired records go now (at most every half minute)
    state.setdefault(MODE, "code")
    with st.container(key="clin_mode_box"):
        mode = st.segmented_control(
            t("clin_mode"),
            ["code", "assess"],
            key=MODE,
            required=True,
            width="stretch",
            format_func=lambda m: t("clin_mode_code") if m == "code" else t("clin_mode_assess"),
        )
    if mode == "assess":
        assessment_screen()
    else:
        code_screen()
