"""The physiotherapist's view, behind a PIN.

- No PIN configured: say how to set one, show nothing else.
- Locked: a PIN form. Five wrong PINs lock it for five minutes (the count lives in
  the database, so a new tab or another app instance cannot reset it).
- Unlocked, "Open a code": the patient's shared answers by handoff code, read at a
  glance: the downloads first (chart PDF, take-home summary, FHIR, CSV), the one-line
  summary, flags, both steps, SURE before and after the talk, talk prompts that fit
  this patient; then, folded: the contraindication checklist, the consent form, the
  SURE asked again, and for audit the answers and the points with rule ids.
- Unlocked, "Assessment": fill in or change answers with the patient in the room; the
  lean, in the physiotherapist's words, stays in view (sticky) while answers change;
  saving makes a new record linked to the patient's code it started from.

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
from typing import Any

import streamlit as st

import ui
from decision import Result, score
from decision.records import consent as consent_records
from decision.records import export
from decision.records.consent import ConsentError, RecordExtras
from decision.records.fhir import fhir_consent, fhir_questionnaire, fhir_questionnaire_response
from decision.records.pin import configured_pin_hash, valid_pin_hash
from decision.records.saved import HandoffRecord
from decision.records.store import ExpiredCode, StoreError, UnknownCode, normalize_code
from decision.wording import Wording
from ui import clinician as clin
from ui import gate, keys, kiosk, metrics, panels
from ui.words import Words, other_language

log = logging.getLogger("decision_aid")
e = html.escape

# This view's session keys (ui/keys.py).
UNLOCKED, RECORD, MESSAGE, MODE, ASSESS = keys.UNLOCKED, keys.RECORD, keys.MESSAGE, keys.MODE, keys.ASSESS
CONFIRM_DELETE, DOWNLOADS, ASSESS_FROM = keys.CONFIRM_DELETE, keys.DOWNLOADS, keys.ASSESS_FROM
FORM_MESSAGE, STAFF = keys.FORM_MESSAGE, keys.STAFF

content = ui.get_content()
state = st.session_state
t = Words(content, state.get(keys.LANG, "en"))
OPTION_IDS = tuple(content.options)
st.html(clin.CSS)


ZONE = ui.clinic_zone()  # every time a person reads here (screen, PDF) is in the clinic's zone
ZONE_NAME = (
    str(getattr(ZONE, "key", None) if getattr(ZONE, "key", "localtime") != "localtime" else datetime.now(ZONE).tzname())
    or "UTC"
)


# ------------------------------------------------------------------ callbacks


def _say(kind: str, text: str) -> None:
    state[MESSAGE] = (kind, text)


def _set_language(lang: str) -> None:
    state[keys.LANG] = lang


def _lock() -> None:
    kiosk.wipe(state)


def _open_code() -> None:
    typed = str(state.get(keys.HANDOFF_CODE) or "")
    code = normalize_code(typed)
    if not code:
        _say("error", t("clin_code_empty"))
        return
    wait = ui.code_lookup_wait(state)
    if wait:  # unlocked does not mean unlimited: codes cannot be tried by the thousand
        _say("error", t("clin_code_too_fast", seconds=wait))
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
        _say("error", clin.store_words(t, exc))
        return
    state[RECORD] = record
    state[keys.HANDOFF_CODE] = ""
    state[CONFIRM_DELETE] = False
    state[MESSAGE] = None
    state[FORM_MESSAGE] = None
    if record.result.get("incomplete"):  # the patient was called in mid-way: carry on with them
        _assess_from(record.answers, record.code)  # saving keeps the link to the patient's code
        _say("info", t("clin_incomplete_opened", code=record.code, n=len(record.answers)))


def _close_record() -> None:
    state[RECORD] = None
    state[CONFIRM_DELETE] = False
    state[MESSAGE] = None


def _delete_record(code: str) -> None:
    try:
        ui.get_store().delete(code)
    except StoreError as exc:
        _say("error", clin.store_words(t, exc))
        return
    _close_record()
    _say("success", t("clin_deleted", code=code))


def _ask_delete() -> None:
    state[CONFIRM_DELETE] = True


def _clear_assessment_widgets() -> None:
    for key in [k for k in state if str(k).startswith(keys.ASSESS_PREFIX)]:
        del state[key]


def _assess_from(answers: dict[str, str], code: str | None = None) -> None:
    _clear_assessment_widgets()
    state[ASSESS] = dict(answers)
    state[ASSESS_FROM] = code
    state[MODE] = "assess"
    state[MESSAGE] = None


def _assess_set(qid: str) -> None:
    value = state.get(keys.assess_key(qid))
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
        _say("error", clin.store_words(t, exc))
        return
    source = state.get(ASSESS_FROM)
    if source:
        try:  # the new record keeps the patient's code it started from
            consent_records.save_link(ui.get_store(), record, source)
        except (StoreError, ConsentError) as exc:
            log.warning("the link to the patient's code was not kept: %s", type(exc).__name__)
            source = None
    state[RECORD] = record
    state[MODE] = "code"
    state[FORM_MESSAGE] = None
    _say(
        "success",
        t("clin_saved_linked", code=record.code, source=source) if source else t("clin_saved", code=record.code),
    )


def _form_say(kind: str, text: str) -> None:
    state[FORM_MESSAGE] = (kind, text)


def _field(record: HandoffRecord, name: str) -> str:
    """A widget key of the consent and SURE forms, one set per record (no value carries over)."""
    return keys.record_field_key(record.code, name)


def _save_consent(record: HandoffRecord) -> None:
    def get(name: str) -> Any:
        return state.get(_field(record, name))

    name, registration = str(get("name") or ""), str(get("registration") or "")
    covered = set(get("covered") or [])
    try:
        consent = consent_records.make_consent(
            options_discussed=list(get("discussed") or []),
            option_chosen=get("chosen"),
            **{f"covered_{k}": k in covered for k in consent_records.COVERED},
            questions_answered=get("questions") == "yes",
            decision=get("decision"),
            physio_name=name,
            physio_registration=registration,
            recorded_at=datetime.now(UTC),
            zone=ZONE_NAME,
        )
        consent_records.save_consent(ui.get_store(), record, consent)
    except ConsentError as exc:
        labels = {
            "options_discussed": "export_consent_discussed",
            "option_chosen": "export_consent_chosen",
            "decision": "export_consent_decision",
            "physio_name": "export_consent_physio",
            "physio_registration": "export_consent_registration",
        }
        named = [Wording(content, t.lang).t(labels[f]) for f in exc.fields if f in labels]
        _form_say("error", t("clin_consent_fix", fields=", ".join(named)) if named else str(exc))
        return
    except StoreError as exc:
        _form_say("error", clin.store_words(t, exc))
        return
    metrics.count_consent(consent.option_chosen, record.saved.lean.option, record=record.code)
    state[STAFF] = (consent.physio_name, consent.physio_registration)  # for the next record, until the view locks
    _form_say("success", t("clin_consent_saved", when=clin.when_text(consent.recorded_at, ZONE)))


def _save_sure_after(record: HandoffRecord) -> None:
    given = {q: state.get(_field(record, f"sure_{q}")) for q in content.sure_ids}
    try:
        after = consent_records.make_sure_after(content, given, datetime.now(UTC))
        consent_records.save_sure_after(ui.get_store(), record, after)
    except ConsentError as exc:
        _form_say("error", str(exc))
        return
    except StoreError as exc:
        _form_say("error", clin.store_words(t, exc))
        return
    sure = consent_records.sure_score(content, after.answers)
    metrics.count_sure_after(sure.score, sure.answered, record=record.code)
    _form_say("success", t("clin_sure_after_saved"))


def extras_of(record: HandoffRecord) -> RecordExtras:
    """The consent, SURE-after and link kept with the record (read again on each run: another
    tablet or a restart sees the same). A failure is logged by type only and shows nothing."""
    try:
        return consent_records.get_extras(ui.get_store(), record)
    except (StoreError, ConsentError) as exc:
        log.warning("the consent kept with a record could not be read: %s", type(exc).__name__)
        return RecordExtras()


# ------------------------------------------------------------------ pieces


def top_bar() -> None:
    with st.container(key=keys.CLIN_TOPBAR):
        left, middle, right = st.columns(3)
        if left.button(t("to_patient_view"), key=keys.TO_PATIENT_VIEW, icon=":material/tablet:", width="stretch"):
            kiosk.wipe(state)  # nothing of the clinician's stays for the next patient
            st.switch_page("app_pages/patient.py")
        other = other_language(t.lang)
        middle.button(
            t("lang_fr") if other == "fr" else t("lang_en"),
            key=keys.CLIN_SWITCH_LANG,
            width="stretch",
            on_click=_set_language,
            args=(other,),
        )
        if state.get(UNLOCKED):
            right.button(t("clin_lock"), key=keys.LOCK, icon=":material/lock:", width="stretch", on_click=_lock)


def message() -> None:
    said = state.get(MESSAGE)
    if not said:
        return
    kind, text = said
    {"success": st.success, "info": st.info}.get(kind, st.error)(text)


def record_view(record: HandoffRecord) -> None:
    """The record at a glance: downloads first, the summary line, flags, both steps, SURE
    before and after, talk prompts; the checklist, consent, SURE-after and audit folded below."""
    result, answers = record.saved, record.answers
    extras = extras_of(record)
    with st.container(key=keys.CLIN_RECORD_BOX):
        st.header(t("clin_record_title", code=record.code), anchor=False)
        st.html(clin.record_meta(record, content, t, ZONE))
        if ui.get_settings().timezone is None:
            st.caption(t("clin_zone_note", zone=ZONE_NAME))
        if extras.linked_code:
            st.caption(Wording(content, t.lang).t("export_linked", code=extras.linked_code))
        if record.result.get("incomplete"):
            st.warning(t("clin_incomplete"))

        download_row(record, extras)
        st.caption(t("clin_print_hint"))

        st.html(clin.glance_html(content, answers, t))
        st.subheader(t("clin_flags"), anchor=False)
        st.html(clin.flags_html(content, result, answers, t))
        st.subheader(t("clin_lean"), anchor=False)
        st.html(clin.clinician_lean_html(content, result, t))
        st.subheader(t("clin_sure"), anchor=False)
        st.html(clin.sure_compare_html(content, result, answers, extras, t))
        st.subheader(t("clin_talk"), anchor=False)
        fitting = clin.prompts_html(content, result, answers, t, generic=False)
        if fitting:
            st.html(fitting)
        with st.expander(t("clin_talk_always"), icon=":material/forum:"):
            st.html(clin.talk_prompts_html(t))

        with st.expander(clin.checklist_label(content, answers, t), icon=":material/checklist:"):
            st.html(f'<p class="help">{e(t("clin_checklist_intro"))}</p>')
            st.html(clin.checklist_html(content, answers, t))
        form_message()
        consent_label = f"{t('export_consent_title')}: {clin.consent_line(content, extras.consent, t, ZONE)}"
        with st.expander(consent_label, icon=":material/assignment_turned_in:"):
            consent_form(record, extras)
        sure_label = f"{t('clin_sure_after')}: " + (
            t("clin_sure_after_intro") if extras.sure_after is None else t("clin_sure_after_saved")
        )
        with st.expander(sure_label, icon=":material/fact_check:"):
            sure_after_form(record, extras)
        with st.expander(t("clin_audit"), icon=":material/rule:"):
            st.html(clin.lean_html(content, result, t))  # both steps as the patient read them
            st.subheader(t("clin_answers"), anchor=False)
            st.html(clin.answers_html(content, answers, t))
            st.subheader(t("clin_scores"), anchor=False)
            st.html(clin.scores_html(content, result, t))
        comparison()

    with st.container(key=keys.CLIN_ACTIONS):
        change, close, delete = st.columns(3)
        change.button(
            t("clin_change_answers"),
            key=keys.ASSESS_FROM_RECORD,
            icon=":material/edit:",
            width="stretch",
            on_click=_assess_from,
            args=(answers, record.code),
        )
        close.button(
            t("clin_close"), key=keys.CLOSE_RECORD, icon=":material/close:", width="stretch", on_click=_close_record
        )
        delete.button(
            t("clin_delete"), key=keys.DELETE_RECORD, icon=":material/delete:", width="stretch", on_click=_ask_delete
        )
        if state.get(CONFIRM_DELETE):
            st.warning(t("clin_delete_confirm", code=record.code))
            st.button(
                t("clin_delete_yes"),
                key=keys.DELETE_RECORD_YES,
                type="primary",
                on_click=_delete_record,
                args=(record.code,),
            )


def download_row(record: HandoffRecord, extras: RecordExtras) -> None:
    """The downloads, first on the record: the chart PDF, the take-home summary, FHIR, CSV, consent."""
    files = downloads(record, extras)
    with st.container(key=keys.CLIN_DOWNLOADS_BOX):
        columns = st.columns(3)
        shown_kinds = [k for k in DOWNLOAD_KINDS if k[0] != "consent" or extras.consent is not None]
        for i, (kind, label, icon, name, mime) in enumerate(shown_kinds):
            column = columns[i % 3]
            data = files.get(kind)
            if data is None:
                column.warning(t("clin_export_failed"))
                continue
            column.download_button(
                t(label),
                key=keys.download_key(kind),
                icon=icon,
                width="stretch",
                type="primary" if kind == "pdf" else "secondary",
                data=data,
                file_name=name.format(code=record.code, version=content.version.replace("+", "-")),
                mime=mime,
                on_click="ignore",
            )


def form_message() -> None:
    said = state.get(FORM_MESSAGE)
    if said:
        kind, text = said
        (st.success if kind == "success" else st.error)(text)


def consent_form(record: HandoffRecord, extras: RecordExtras) -> None:
    """Informed consent, documented: options discussed and chosen, BRAN covered, questions
    answered, given / declined / deferred, the physiotherapist's name and registration."""
    w = Wording(content, t.lang)
    name = export.consent_option_name(w)
    before = extras.consent
    staff = state.get(STAFF) or ("", "")
    st.html(f'<p class="help">{e(t("clin_consent_intro"))}</p>')
    with st.form(keys.consent_form_key(record.code), border=False):
        st.pills(
            w.t("export_consent_discussed"),
            list(consent_records.DISCUSSED_OPTIONS),
            selection_mode="multi",
            format_func=name,
            key=_field(record, "discussed"),
            default=list(before.options_discussed) if before else list(consent_records.DISCUSSED_OPTIONS),
        )
        st.segmented_control(
            w.t("export_consent_chosen"),
            list(consent_records.CHOSEN_OPTIONS),
            format_func=name,
            key=_field(record, "chosen"),
            default=before.option_chosen if before else None,
        )
        st.pills(
            w.t("export_consent_covered"),
            list(consent_records.COVERED),
            selection_mode="multi",
            format_func=lambda k: w.t(f"export_consent_covered_{k}"),
            key=_field(record, "covered"),
            default=list(before.covered) if before else [],
        )
        st.segmented_control(
            w.t("export_consent_questions"),
            ["yes", "no"],
            format_func=lambda k: w.t(f"export_consent_{k}"),
            key=_field(record, "questions"),
            default=("yes" if before.questions_answered else "no") if before else None,
        )
        st.segmented_control(
            w.t("export_consent_decision"),
            list(consent_records.DECISIONS),
            format_func=lambda d: w.t(f"export_consent_{d}"),
            key=_field(record, "decision"),
            default=before.decision if before else None,
        )
        left, right = st.columns(2)
        left.text_input(
            w.t("export_consent_physio"),
            key=_field(record, "name"),
            value=before.physio_name if before else staff[0],
            max_chars=80,
            autocomplete="off",
        )
        right.text_input(
            w.t("export_consent_registration"),
            key=_field(record, "registration"),
            value=before.physio_registration if before else staff[1],
            max_chars=40,
            autocomplete="off",
        )
        st.form_submit_button(
            t("clin_consent_save"),
            key=keys.SAVE_CONSENT,
            type="primary",
            width="stretch",
            icon=":material/assignment_turned_in:",
            on_click=_save_consent,
            args=(record,),
        )


def sure_after_form(record: HandoffRecord, extras: RecordExtras) -> None:
    """The four SURE items asked again by the physiotherapist, kept beside the first answers."""
    w = Wording(content, t.lang)
    before = extras.sure_after.answers if extras.sure_after else {}
    st.html(f'<p class="help">{e(t("clin_sure_after_intro"))}</p>')
    with st.form(keys.sure_after_form_key(record.code), border=False):
        for q in content.questions_of_kind("sure"):
            st.segmented_control(
                w.question_text(q.id),
                list(q.codes),
                format_func=lambda code, q=q: w.answer_text(q.id, code),
                key=_field(record, f"sure_{q.id}"),
                default=before.get(q.id),
            )
        st.form_submit_button(
            t("clin_sure_after_save"),
            key=keys.SAVE_SURE_AFTER,
            type="primary",
            width="stretch",
            icon=":material/fact_check:",
            on_click=_save_sure_after,
            args=(record,),
        )


DOWNLOAD_KINDS = (
    ("pdf", "clin_download_pdf", ":material/picture_as_pdf:", "needling-summary-{code}.pdf", "application/pdf"),
    ("takehome", "clin_download_takehome", ":material/home:", "take-home-summary-{code}.pdf", "application/pdf"),
    ("fhir", "clin_download_fhir", ":material/data_object:", "questionnaire-response-{code}.json",
     "application/fhir+json"),
    ("csv", "clin_download_csv", ":material/table:", "answers-{code}.csv", "text/csv; charset=utf-8"),
    ("questionnaire", "clin_download_questionnaire", ":material/description:", "questionnaire-{version}.json",
     "application/fhir+json"),
    ("consent", "clin_download_consent", ":material/assignment_turned_in:", "consent-{code}.json",
     "application/fhir+json"),
)  # fmt: skip


def _make(kind: str, record: HandoffRecord, extras: RecordExtras) -> bytes | None:
    if kind == "pdf":
        return export.summary_pdf(content, record, t.lang, tz=ZONE, extras=extras)
    if kind == "takehome":  # in the patient's own language
        return export.take_home_pdf(content, record, extras=extras, tz=ZONE)
    if kind == "fhir":
        response = fhir_questionnaire_response(content, record, t.lang)
        return json.dumps(response, ensure_ascii=False, indent=2).encode("utf-8")
    if kind == "questionnaire":  # what the response's answers mean, for an EMR or form tool
        questionnaire = fhir_questionnaire(content, lang=t.lang)
        return json.dumps(questionnaire, ensure_ascii=False, indent=2).encode("utf-8")
    if kind == "consent":
        if extras.consent is None:
            return None
        resource = fhir_consent(content, record, extras.consent, t.lang, zone=ZONE)
        return json.dumps(resource, ensure_ascii=False, indent=2).encode("utf-8")
    # With a byte-order mark, so that spreadsheet programs (Excel) read the French accents as UTF-8.
    return export.answers_csv(content, record, t.lang, extras=extras).encode("utf-8-sig")


def downloads(record: HandoffRecord, extras: RecordExtras) -> dict[str, bytes | None]:
    """The downloads, made while the view is unlocked and kept in this session only until it locks
    (made again when the consent or the SURE after the talk changes).

    A file that cannot be made is None (a calm note on screen); the log gets the
    error's type, never its text (which could quote answers).
    """
    made = state.get(DOWNLOADS)
    key = (record.code, record.created_at, t.lang, extras)
    if made and made[0] == key:
        return dict(made[1])
    files: dict[str, bytes | None] = {}
    for kind, *_ in DOWNLOAD_KINDS:
        if kind == "consent" and extras.consent is None:
            continue
        try:
            files[kind] = _make(kind, record, extras)
        except Exception as exc:
            log.error("the %s export failed: %s", kind, type(exc).__name__)
            files[kind] = None
    state[DOWNLOADS] = (key, files)
    return files


def comparison() -> None:
    with st.expander(t("comparison_title")):
        for row in content.comparison:
            st.html(panels.comparison_row(row, OPTION_IDS, t) + panels.comparison_sources(row, OPTION_IDS, t))
        effects = panels.side_effects(content, OPTION_IDS, t)
        if effects:
            st.html(effects)


def result_sections(result: Result, answers: dict[str, str]) -> None:
    """The live result of an assessment: flags, SURE, prompts (both steps are in the sticky box
    above, in the physiotherapist's words); what the patient would read and the points folded."""
    st.html(clin.glance_html(content, answers, t))
    st.subheader(t("clin_flags"), anchor=False)
    st.html(clin.flags_html(content, result, answers, t))
    st.subheader(t("clin_sure"), anchor=False)
    st.html(clin.sure_html(content, result, answers, t))
    st.subheader(t("clin_talk"), anchor=False)
    st.html(clin.prompts_html(content, result, answers, t))
    with st.expander(clin.checklist_label(content, answers, t), icon=":material/checklist:"):
        st.html(clin.checklist_html(content, answers, t))
    with st.expander(t("clin_scores"), icon=":material/rule:"):
        st.html(clin.lean_html(content, result, t))  # both steps as the patient would read them
        st.html(clin.scores_html(content, result, t))
    comparison()


def code_screen() -> None:
    with st.form(keys.CODE_FORM, border=False):
        typed, go = st.columns([2, 1], vertical_alignment="bottom")  # one row: the record starts higher
        typed.text_input(
            t("clin_code_label"), key=keys.HANDOFF_CODE, max_chars=12, placeholder="ABC234", autocomplete="off"
        )
        go.form_submit_button(
            t("clin_open"),
            key=keys.OPEN_CODE,
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
    with st.container(key=keys.CLIN_ASSESS_START):
        cols = st.columns(2)
        cols[0].button(
            t("clin_assess_empty"), key=keys.ASSESS_EMPTY, width="stretch", on_click=_assess_from, args=({},)
        )
        if record is not None:
            cols[1].button(
                t("clin_assess_load", code=record.code),
                key=keys.ASSESS_LOAD,
                width="stretch",
                on_click=_assess_from,
                args=(record.answers, record.code),
            )
    source = state.get(ASSESS_FROM)
    if source:
        st.caption(t("clin_assess_from", code=source))
    result = score(content, answers)
    with st.container(key=keys.CLIN_LIVE_LEAN):  # sticky: stays in view while the answers below change
        st.html(clin.clinician_lean_html(content, result, t, live=True))
    for section in content.sections:
        st.subheader(t.of(section.title), anchor=False)
        for q in section.questions:
            st.pills(
                t.of(q.label),
                list(q.codes),
                format_func=lambda code, q=q: t.of(q.answer(code).text),
                key=keys.assess_key(q.id),
                default=answers.get(q.id),
                on_change=_assess_set,
                args=(q.id,),
            )
    st.header(t("clin_live_result"), anchor=False)
    result_sections(result, answers)
    st.button(
        t("clin_save_assessment"),
        key=keys.SAVE_ASSESSMENT,
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
    gate.pin_screen(PIN_HASH, t, ZONE, intro=t("clin_pin_intro"), message_key=MESSAGE)
else:
    ui.purge_soon()  # a clinician action: expired records go now (at most every half minute)
    state.setdefault(MODE, "code")
    with st.container(key=keys.CLIN_MODE_BOX):
        mode = st.segmented_control(
            t("clin_mode"),
            ["code", "assess"],
            key=MODE,
            required=True,
            label_visibility="collapsed",  # the two choices say it; screen readers still read the label
            width="stretch",
            format_func=lambda m: t("clin_mode_code") if m == "code" else t("clin_mode_assess"),
        )
    if mode == "assess":
        assessment_screen()
    else:
        code_screen()
    if mode != "assess" and state.get(RECORD) is None:  # on the code screen, not under a record
        st.divider()
        if st.button(t("dash_open"), key=keys.CLIN_OPEN_DASHBOARD, icon=":material/insights:", width="stretch"):
            st.switch_page("app_pages/dashboard.py")  # behind the same unlock: the clinic's counts, no patient
