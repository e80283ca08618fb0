"""app_pages/clinician.py and the patient's "Share" button, without a browser (AppTest).

A real SQLite file per test (``DECISION_DB_PATH``) holds the handoff records and
the PIN lockout; the PIN hash is a real scrypt hash. The words expected on screen
come from content/ and decision.records.export, not from copies.
"""

from __future__ import annotations

import html
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from shipped_content import CONTENT
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from decision import score
from decision.records import consent as consent_records
from decision.records import export
from decision.records.pin import hash_pin
from decision.records.saved import parse_saved
from decision.records.store import HandoffStore, resolve_db_url
from decision.wording import Wording
from ui.words import Words

APP = str(Path(__file__).resolve().parent.parent / "app.py")
QUESTIONS = CONTENT.questions_of_kind("questions")
EN, FR = Words(CONTENT, "en"), Words(CONTENT, "fr")
PIN = "2468"
PIN_HASH = hash_pin(PIN)

SHARED_ANSWERS = {
    "main_area": "neck_shoulders",
    "problem_kind": "tight_knot",
    "needle_feelings": "fine",
    "lie_still": "no",
}
SHARED_SAFETY = {"unwell_today": "yes", "blood_thinners": "yes", "pregnant": "not_sure"}


@pytest.fixture(autouse=True)
def own_database(tmp_path, monkeypatch):
    """Each test gets its own database file, and no PIN from the machine's environment. The
    app's store of that file goes with the test: the process's purge thread would otherwise
    go on purging it, and warn, outside any test, about a file a test removed."""
    monkeypatch.setenv("DECISION_DB_PATH", str(tmp_path / "handoffs.sqlite3"))
    monkeypatch.delenv("DECISION_DB_URL", raising=False)
    monkeypatch.delenv("CLINICIAN_PIN_HASH", raising=False)
    yield tmp_path / "handoffs.sqlite3"
    ui = sys.modules.get("ui")
    if ui is not None:
        ui._store.clear()


def store() -> HandoffStore:
    """A second connection to the same file, as another app process would have."""
    return HandoffStore(resolve_db_url())


def new_app(pin_hash: str | None = PIN_HASH, locale: str = "en-CA") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.context["locale"] = locale
    if pin_hash is not None:
        at.secrets["clinician_pin_hash"] = pin_hash
    at.run()
    assert not at.exception
    return at


def tap(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest) -> str:
    parts = [html.unescape(h.value) for h in at.html if not h.value.lstrip().startswith(("<style", "<script"))]
    parts += [
        m.value
        for m in (*at.title, *at.header, *at.subheader, *at.markdown, *at.error, *at.success, *at.info, *at.warning)
    ]
    parts += [b.label for b in at.button]
    return "\n".join(str(p) for p in parts)


def patient_shares(at: AppTest, given=SHARED_ANSWERS, safety=SHARED_SAFETY, sure="no") -> str:
    """The patient's whole path to the result, then Share; returns the code shown."""
    tap(at, "start")
    for q in QUESTIONS:
        tap(at, f"q_{q.id}__{given[q.id]}" if q.id in given else "skip")
    for qid, code in safety.items():
        at.segmented_control(key=f"q_{qid}").set_value(code).run()
    tap(at, "see_result")
    at.segmented_control(key="q_sure_certain").set_value(sure).run()
    tap(at, "share")
    found = re.search(r'class="handoff-code" data-code="([A-Z0-9]{6})"', "".join(h.value for h in at.html))
    assert found, "no handoff code on the result screen"
    return found.group(1)


def to_clinician(at: AppTest) -> AppTest:
    at.switch_page("app_pages/clinician.py").run()
    assert not at.exception
    return at


def unlock(at: AppTest, pin: str = PIN) -> AppTest:
    at.text_input(key="pin").input(pin)
    return tap(at, "unlock")


def open_code(at: AppTest, code: str) -> AppTest:
    at.text_input(key="handoff_code").input(code)
    return tap(at, "open_code")


# ------------------------------------------------------------------ sharing


def test_a_patient_shares_and_the_record_holds_answers_result_and_version_but_no_name():
    at = new_app()
    code = patient_shares(at)
    assert at.session_state["answers"]  # sharing keeps the answers on the screen
    record = store().get(code)
    assert record.answers == {**SHARED_ANSWERS, **SHARED_SAFETY, "sure_certain": "no"}
    assert record.language == "en" and record.origin == "patient"
    assert record.content_version == CONTENT.version
    assert record.result == score(CONTENT, record.answers).to_json("en")
    assert EN("share_done") in shown(at)


def test_changing_an_answer_after_sharing_offers_to_add_it_to_the_same_code():
    at = new_app()
    code = patient_shares(at)
    at.segmented_control(key="q_sure_values").set_value("yes").run()
    assert EN("share_changed", code=f"{code[:3]} {code[3:]}") in shown(at)
    assert at.button(key="share").label == EN("share_again")
    tap(at, "share")
    now = re.search(r'data-code="([A-Z0-9]{6})"', "".join(h.value for h in at.html)).group(1)
    assert now == code  # the code the patient holds stays the one to show
    assert store().get(code).answers["sure_values"] == "yes"


def test_sharing_when_the_database_cannot_be_written_says_so_calmly_and_keeps_the_answers(unusable_database):
    at = new_app()
    tap(at, "start")
    tap(at, f"q_{QUESTIONS[0].id}__{QUESTIONS[0].codes[0]}")
    at.session_state["step"] = len(QUESTIONS) + 2
    at.run()
    tap(at, "share")
    assert EN("share_failed") in shown(at)
    assert at.session_state["answers"] == {QUESTIONS[0].id: QUESTIONS[0].codes[0]}
    assert not at.exception


# ------------------------------------------------------------------ PIN


def test_without_a_pin_the_page_explains_how_to_set_one_and_shows_nothing_else():
    at = to_clinician(new_app(pin_hash=None))
    assert CONTENT.t("clin_no_pin_help", "en") in shown(at)
    assert not at.text_input
    assert "clin_mode" not in at.session_state


def test_a_pin_hash_that_is_not_ours_is_refused():
    at = to_clinician(new_app(pin_hash="plain-text-pin"))
    assert EN("clin_pin_hash_invalid") in shown(at)
    assert not at.text_input


def test_the_right_pin_unlocks_and_is_not_kept():
    at = unlock(to_clinician(new_app()))
    assert at.session_state["clin_unlocked"] is True
    assert at.session_state["pin"] == ""
    assert at.text_input(key="handoff_code")


def test_a_wrong_pin_says_how_many_tries_are_left():
    at = unlock(to_clinician(new_app()), "1357")
    assert EN("clin_wrong_pin", n=4) in shown(at)
    assert not at.session_state["clin_unlocked"] if "clin_unlocked" in at.session_state else True
    assert not [w for w in at.text_input if w.key == "handoff_code"]


def test_five_wrong_pins_lock_the_view_even_for_a_new_tab():
    at = to_clinician(new_app())
    for _ in range(5):
        unlock(at, "0000")
    assert at.text_input(key="pin").disabled
    other_tab = to_clinician(new_app())
    assert other_tab.text_input(key="pin").disabled
    assert any("(about" in e.value or "(environ" in e.value for e in other_tab.error)


def test_an_empty_pin_is_not_counted_as_a_try():
    at = unlock(to_clinician(new_app()), "")
    assert EN("clin_pin_empty") in shown(at)
    assert store().pin_state("clinician")[0] == 0


def clinician_words(flag_id: str) -> str:
    return next(f.clinician.en for f in CONTENT.flags if f.id == flag_id)


# ------------------------------------------------------------------ a shared record


def test_the_clinician_opens_a_shared_code_and_sees_flags_answers_scores_and_sure():
    at = new_app()
    code = patient_shares(at)
    clinic = unlock(to_clinician(new_app()))
    open_code(clinic, f" {code[:3].lower()} {code[3:]} ")  # as typed: spaces, lower case
    screen = shown(clinic)
    record = store().get(code)
    assert EN("clin_record_title", code=code) in screen

    # Flags first: stop before caution before info, each with the question behind it.
    stop_at = screen.index(clinician_words("unwell_today_yes"))
    caution_at = screen.index(clinician_words("blood_thinners_yes"))
    info_at = screen.index(clinician_words("pregnant_not_sure"))
    assert stop_at < caution_at < info_at < screen.index(EN("clin_answers"))
    assert f"{CONTENT.questions['unwell_today'].label.en}: " in screen

    # Both steps, in the chart's words (needling stopped for today).
    w = Wording(CONTENT, "en")
    for title, sentence in w.lean_lines(record.saved):
        assert f"{title} {sentence}".strip() in screen
    assert w.t("stopped_unwell") in screen
    # SURE: not yet sure, and the need behind the "no".
    needs = record.saved.sure.needs
    assert needs[0] == "certainty"
    assert w.t("export_sure_unsure", needs=", ".join(w.t(f"export_need_{n}") for n in needs)) in screen
    # Every answer in the clinician's words, and every contribution with its rule id.
    for qid, code_ in SHARED_ANSWERS.items():
        q = CONTENT.questions[qid]
        assert q.label.en in screen and q.answer(code_).text.en in screen
    for target in record.saved.options:
        for c in target.contributions:
            assert c.rule in screen and c.reason["en"] in screen
    assert EN("clin_talk_alternatives") in screen
    keys = {d.key for d in clinic.get("download_button")}
    assert keys == {"download_pdf", "download_takehome", "download_fhir", "download_csv", "download_questionnaire"}


def test_a_record_shared_in_french_reads_in_the_clinician_s_language():
    at = new_app(locale="fr-CA")
    code = patient_shares(at, given={"problem_kind": "tight_knot"}, safety={})
    assert store().get(code).language == "fr"
    clinic = unlock(to_clinician(new_app()))
    open_code(clinic, code)
    saved = store().get(code).saved
    first = next(c for t in saved.options for c in t.contributions)
    rule = next(r for r in CONTENT.rules if r.id == first.rule)
    assert rule.reason.en in shown(clinic)
    assert EN("lang_fr") in shown(clinic)
    tap(clinic, "clin_switch_lang")
    assert rule.reason.fr in shown(clinic)
    assert FR("clin_record_title", code=code) in shown(clinic)


def test_an_unknown_code_says_so():
    clinic = unlock(to_clinician(new_app()))
    open_code(clinic, "ZZZ999")
    assert EN("clin_unknown_code", code="ZZZ999") in shown(clinic)
    assert "clin_record" not in clinic.session_state or clinic.session_state["clin_record"] is None


def test_an_expired_code_says_when_it_expired():
    # Unlocking purges expired records (at most every half minute): the expired record is
    # made after it, as one that expired while the view was open, so the test does not
    # depend on when the last purge ran on this worker.
    clinic = unlock(to_clinician(new_app()))
    s = store()
    long_ago = datetime.now(UTC) - timedelta(days=2)
    old = s.save(
        {"main_area": "low_back"},
        "en",
        score(CONTENT, {"main_area": "low_back"}).to_json("en"),
        CONTENT.version,
        now=long_ago,
    )
    open_code(clinic, old.code)
    expired = [e.value for e in clinic.error]
    assert any(old.code in msg and "expired" in msg for msg in expired), expired


def test_delete_now_asks_once_then_the_code_is_gone():
    code = patient_shares(new_app())
    clinic = open_code(unlock(to_clinician(new_app())), code)
    tap(clinic, "delete_record")
    assert EN("clin_delete_confirm", code=code) in shown(clinic)
    tap(clinic, "delete_record_yes")
    assert EN("clin_deleted", code=code) in shown(clinic)
    open_code(clinic, code)
    assert EN("clin_unknown_code", code=code) in shown(clinic)


# ------------------------------------------------------------------ assessment mode


def test_assessment_mode_updates_the_result_and_saves_a_new_record():
    code = patient_shares(new_app(), safety={})
    clinic = open_code(unlock(to_clinician(new_app())), code)
    tap(clinic, "assess_from_record")
    assert clinic.session_state["clin_mode"] == "assess"
    w = Wording(CONTENT, "en")
    before = parse_saved(score(CONTENT, store().get(code).answers).to_json("en"))
    assert all(line in shown(clinic) for line in export.clinician_lean(before, w))

    clinic.pills(key="a_needle_feelings").set_value("panic_faint").run()
    assert not clinic.exception
    after = parse_saved(score(CONTENT, {**store().get(code).answers, "needle_feelings": "panic_faint"}).to_json("en"))
    assert after.lean.option == "no_needling"
    assert all(line in shown(clinic) for line in export.clinician_lean(after, w))
    assert w.t("clin_lean_stopped") in shown(clinic)

    tap(clinic, "save_assessment")
    saved = clinic.session_state["clin_record"]
    assert saved.code != code and saved.origin == "clinician"
    assert store().get(saved.code).answers["needle_feelings"] == "panic_faint"
    assert store().get(code).answers["needle_feelings"] == "fine"  # the patient's record is untouched
    assert EN("clin_saved_linked", code=saved.code, source=code) in shown(clinic)
    # The new record keeps the patient's code it started from, read back by another connection.
    assert consent_records.get_extras(store(), store().get(saved.code)).linked_code == code
    assert Wording(CONTENT, "en").t("export_linked", code=code) in [c.value for c in clinic.caption]


def test_assessment_from_nothing_cannot_save_an_empty_record():
    clinic = unlock(to_clinician(new_app()))
    clinic.segmented_control(key="clin_mode").set_value("assess").run()
    tap(clinic, "save_assessment")
    assert EN("clin_nothing_to_save") in shown(clinic)
    assert store().count() == 0


# ------------------------------------------------------------------ leaving


def test_lock_forgets_everything():
    code = patient_shares(new_app())
    clinic = open_code(unlock(to_clinician(new_app())), code)
    tap(clinic, "lock")
    assert "clin_unlocked" not in clinic.session_state and "clin_record" not in clinic.session_state
    assert clinic.text_input(key="pin")


def test_idle_on_the_clinician_page_locks_it_and_forgets_the_record():
    code = patient_shares(new_app())
    clinic = open_code(unlock(to_clinician(new_app())), code)
    clinic.session_state["_last_activity"] = time.time() - 10_000
    clinic.run()
    assert not clinic.exception
    assert "clin_record" not in clinic.session_state
    assert clinic.text_input(key="pin")  # still the clinician page, locked again
    assert code not in shown(clinic)


def test_going_to_the_patient_screen_locks_the_clinician_view():
    clinic = unlock(to_clinician(new_app()))
    tap(clinic, "to_patient_view")
    assert "clin_unlocked" not in clinic.session_state
    assert clinic.title[0].value == EN.of(CONTENT.meta.title)


def test_the_welcome_screen_has_a_discreet_way_to_the_clinician_view():
    at = new_app()
    tap(at, "to_clinician")
    assert at.title[0].value == EN("clin_title")


# ------------------------------------------------------------------ the PIN as a real gate


def test_running_the_patient_page_locks_the_view_and_forgets_every_clinician_key():
    code = patient_shares(new_app())
    clinic = new_app()
    before = set(clinic.session_state.keys())
    open_code(unlock(to_clinician(clinic)), code)
    assert clinic.get("download_button")  # the files were made
    tap(clinic, "assess_from_record")  # assessment answers too
    assert clinic.session_state["assess_answers"]
    # The browser's Back button (or the address) runs the patient page: no Lock, no "Patient screen".
    clinic.switch_page("app_pages/patient.py").run()
    assert not clinic.exception
    leftover = set(clinic.session_state.keys()) - before - {"step", "answers", "lang_picker", "to_clinician", "start"}
    assert not leftover, leftover
    tap(clinic, "to_clinician")  # "Staff"
    assert clinic.text_input(key="pin") and not [w for w in clinic.text_input if w.key == "handoff_code"]
    assert code not in shown(clinic)
    assert not clinic.get("download_button")


def test_the_idle_wipe_counts_the_clinician_s_state_as_data():
    from ui import kiosk

    assert not kiosk.has_private_data({"lang": "en", "_last_activity": 1.0})
    for key in ("clin_unlocked", "clin_record", "clin_downloads", "assess_answers", "a_goal", "handoff_code", "pin"):
        assert kiosk.has_private_data({key: "x"}), key
    state = {"clin_unlocked": True, "clin_record": object(), "a_goal": "both", "lang": "fr", "answers": {}}
    assert kiosk.forget_clinician(state) and state == {"lang": "fr", "answers": {}}


def test_when_the_attempt_cannot_be_recorded_the_right_pin_does_not_unlock(own_database):
    import sqlite3

    at = to_clinician(new_app())  # the page opened the database and made its tables
    raw = sqlite3.connect(own_database)
    raw.execute("CREATE TRIGGER refuse BEFORE INSERT ON decision_pin_failures "
                "BEGIN SELECT RAISE(ABORT, 'read-only'); END")  # fmt: skip
    raw.commit()
    raw.close()
    unlock(at, PIN)
    assert "clin_unlocked" not in at.session_state or not at.session_state["clin_unlocked"]
    screen = shown(at)
    assert CONTENT.t("clin_pin_unavailable", "en") in screen
    assert str(own_database.parent) not in screen and "read-only" not in screen


def test_before_unlocking_nothing_about_the_database_is_shown(unusable_database, tmp_path):
    at = to_clinician(new_app())
    screen = shown(at)
    assert CONTENT.t("clin_pin_unavailable", "en") in screen
    assert str(tmp_path) not in screen and "folder" not in screen and "database" not in screen.lower()


def test_wrong_pins_from_this_browser_lock_this_browser_not_the_clinic(own_database):
    import sqlite3

    at = to_clinician(new_app())
    for _ in range(5):
        unlock(at, "0000")
    with sqlite3.connect(own_database) as raw:
        rows = raw.execute("SELECT key, failures, locked_until FROM decision_pin_lockout").fetchall()
    # One row: this browser's session (hashed), locked after five; no clinic-wide lock.
    assert [(key.split(":")[1], failures, locked is not None) for key, failures, locked in rows] == [("s", 5, True)]
    assert store().pin_locks("clinician", ["clinician:another-browser"], now=datetime.now(UTC)) == (0, None)


# ------------------------------------------------------------------ codes, exports, times


def test_a_typed_code_is_never_rendered_as_markdown():
    clinic = unlock(to_clinician(new_app()))
    open_code(clinic, "![](//A.B/C)")
    messages = [e.value for e in clinic.error]
    assert messages and "![" not in messages[0] and "](" not in messages[0]
    assert r"\!\[\]\(//A\.B/C\)" in messages[0]


def test_a_failing_export_shows_a_calm_note_and_logs_no_answer(caplog):
    caplog.set_level("ERROR", logger="decision_aid")
    answers = {"main_area": " ZQ-SECRET-ANSWER"}  # a code FHIR refuses (leading space); the PDF and CSV cope
    record = store().save(answers, "en", score(CONTENT, {}).to_json("en"), CONTENT.version)
    clinic = open_code(unlock(to_clinician(new_app())), record.code)
    assert CONTENT.t("clin_export_failed", "en") in [w.value for w in clinic.warning]
    assert {d.key for d in clinic.get("download_button")} == {
        "download_pdf",
        "download_takehome",
        "download_csv",
        "download_questionnaire",
    }
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "the fhir export failed: ValidationError" in logged
    assert "ZQ-SECRET" not in logged and "Traceback" not in shown(clinic)


def test_times_are_shown_in_the_clinic_s_time_zone(monkeypatch):
    monkeypatch.setenv("DECISION_TIMEZONE", "America/Toronto")
    made = datetime(2025, 7, 1, 16, 5, tzinfo=UTC)  # 12:05 in Toronto (EDT)
    s = HandoffStore(resolve_db_url(), timedelta(days=3650))
    record = s.save({"goal": "both"}, "en", score(CONTENT, {"goal": "both"}).to_json("en"), CONTENT.version, now=made)
    clinic = open_code(unlock(to_clinician(new_app())), record.code)
    meta = next(h.value for h in clinic.html if "clin-meta" in h.value)
    assert "2025-07-01 12:05 EDT" in meta and "16:05" not in meta
    assert store().get(record.code).created_at == made  # stored in UTC


def test_a_bad_time_zone_name_falls_back_to_the_server_s_zone(monkeypatch, caplog):
    monkeypatch.setenv("DECISION_TIMEZONE", "Mars/Olympus_Mons")
    caplog.set_level("WARNING", logger="decision_aid")
    clinic = unlock(to_clinician(new_app()))
    assert not clinic.exception
    assert any("IANA time zone" in r.getMessage() for r in caplog.records)


# ------------------------------------------------------------------ a database that disappears


def test_share_fails_calmly_when_the_data_folder_was_deleted(own_database):
    import shutil

    at = new_app()
    patient_shares(at)  # the store is open and has saved once
    shutil.rmtree(own_database.parent)
    at.segmented_control(key="q_sure_values").set_value("yes").run()  # changed answers: share again
    tap(at, "share")
    assert EN("share_failed") in shown(at)
    assert 'data-code="' not in "".join(h.value for h in at.html if "handoff-code" in h.value)
    assert not own_database.parent.exists()


def test_a_database_failure_after_unlocking_is_told_in_the_staff_s_language(own_database):
    from ui.clinician import md_escape

    clinic = unlock(to_clinician(new_app(locale="fr-CA")))
    assert clinic.text_input(key="handoff_code").label == FR("clin_code_label")  # the view is in French
    own_database.unlink()  # removed under the running app: nothing more may be saved or read there
    open_code(clinic, "ABC234")
    screen = shown(clinic)
    assert FR("clin_db_removed", place=md_escape(own_database)) in screen
    assert "while the app was running" not in screen and "handoff database" not in screen


# ------------------------------------------------------------------ deletion on time


def test_a_clinician_action_purges_expired_records():
    s = store()
    s.save({"goal": "both"}, "en", score(CONTENT, {}).to_json("en"), CONTENT.version,
           now=datetime.now(UTC) - timedelta(days=1))  # fmt: skip
    assert s.count() == 1
    import ui

    ui.purge_schedule()._last = None  # another test's clinician may have purged in the last half minute
    unlock(to_clinician(new_app()))
    assert s.count() == 0


def test_the_client_address_comes_from_nginx_only_behind_a_local_proxy():
    from ui import client_address

    assert client_address(None, {"X-Real-IP": "203.0.113.7"}) == "203.0.113.7"  # loopback peer (nginx)
    assert client_address("127.0.0.1", {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}) == "203.0.113.7"
    assert client_address("::1", {}) is None
    # A tablet talking to the app directly: its own address; headers it sends are ignored.
    assert client_address("192.168.1.20", {"X-Real-IP": "10.9.9.9"}) == "192.168.1.20"
    assert client_address("10.1.2.3", {"X-Real-IP": "203.0.113.9"}) == "10.1.2.3"


def test_a_trusted_proxy_s_forwarded_address_counts(monkeypatch):
    from ui import client_address

    monkeypatch.setenv("DECISION_TRUSTED_PROXIES", "10.0.0.0/8, fd00::/8")
    assert client_address("10.1.2.3", {"X-Real-IP": "203.0.113.9"}) == "203.0.113.9"
    assert client_address("192.168.1.20", {"X-Real-IP": "203.0.113.9"}) == "192.168.1.20"


# ------------------------------------------------------------------ issue 17: the three minutes


LUNG_PATIENT = {**SHARED_ANSWERS, "duration": "under_6_weeks"}
LUNG_SAFETY = {"unwell_today": "no", "blood_thinners": "yes", "lung_disease": "yes"}


def fill_consent(clinic: AppTest, code: str, **given: object) -> AppTest:
    values = {
        "discussed": ["ims", "acupuncture", "no_needling"],
        "chosen": "acupuncture",
        "covered": ["benefits", "risks", "alternatives", "nothing"],
        "questions": "yes",
        "decision": "given",
        "name": "Dana Lévesque",
        "registration": "PT-4821",
    }
    values.update(given)
    for name, value in values.items():
        key = f"cf_{name}_{code}"
        if name in ("discussed", "covered"):
            clinic.pills(key=key).set_value(value)
        elif name in ("chosen", "decision", "questions"):
            clinic.segmented_control(key=key).set_value(value)
        else:
            clinic.text_input(key=key).input(value)
    return tap(clinic, "save_consent")


def test_the_record_reads_summary_then_flags_then_steps_then_sure_with_the_pdf_first():
    code = patient_shares(new_app(), given=LUNG_PATIENT, safety=LUNG_SAFETY)
    clinic = open_code(unlock(to_clinician(new_app())), code)
    screen = shown(clinic)
    record = store().get(code)
    w = Wording(CONTENT, "en")
    glance = screen.index(w.answer_text("main_area", "neck_shoulders"))
    flags = screen.index(clinician_words("lung_chest_area"))
    steps = screen.index(w.t("clin_lean_step1"))
    sure = screen.index(EN("clin_sure_before"))
    assert glance < flags < steps < sure
    # The downloads come before the record's content, the chart PDF first.
    keys = [d.key for d in clinic.get("download_button")]
    assert keys[0] == "download_pdf" and "download_takehome" in keys
    # The clinician's words for the lean: no "you decide".
    live = next(h.value for h in clinic.html if "clin-live" in h.value)
    assert EN("you_decide") not in html.unescape(live)
    assert all(line in html.unescape(live) for line in export.clinician_lean(record.saved, w))


def test_talk_prompts_fit_the_patient_from_content_and_the_generic_ones_stay():
    code = patient_shares(new_app(), given=LUNG_PATIENT, safety=LUNG_SAFETY)
    clinic = open_code(unlock(to_clinician(new_app())), code)
    screen = shown(clinic)
    record = store().get(code)
    fits = {p.id for p in export.talk_prompts(CONTENT, record.answers, [f.id for f in record.saved.flags])}
    assert {"pneumothorax_symptoms", "last_inr", "natural_history", "sure_certainty"} <= fits
    for prompt in CONTENT.prompts:
        assert (prompt.clinician.en in screen) == (prompt.id in fits), prompt.id
    for key in ("clin_talk_benefits", "clin_talk_risks", "clin_talk_alternatives", "clin_talk_nothing"):
        assert EN(key) in screen
    # Another patient: none of these.
    calm = patient_shares(new_app(), given={"problem_kind": "tight_knot"}, safety={"unwell_today": "no"}, sure="yes")
    other = shown(open_code(unlock(to_clinician(new_app())), calm))
    assert next(p.clinician.en for p in CONTENT.prompts if p.id == "last_inr") not in other


def test_the_checklist_lists_every_safety_item_with_its_answer_and_the_items_not_screened():
    code = patient_shares(new_app(), given=LUNG_PATIENT, safety=LUNG_SAFETY)
    clinic = open_code(unlock(to_clinician(new_app())), code)
    box = html.unescape(next(h.value for h in clinic.html if "clin-check" in h.value))
    w = Wording(CONTENT, "en")
    for q in CONTENT.questions_of_kind("safety"):
        said = w.t("export_check_" + LUNG_SAFETY.get(q.id, "skipped"))
        assert f"{q.label.en}" in box and said in box
    absolute = [i.question for i in export.checklist(CONTENT, {}) if i.absolute]
    assert absolute == ["unwell_today"]  # its yes flag stops needling
    assert box.count(w.t("export_check_absolute")) == len(absolute)
    for extra in CONTENT.unscreened:
        assert extra.label.en in box and extra.clinician.en in box
    label = next(x.label for x in clinic.expander if x.label.startswith(EN("export_checklist")))
    assert f"2 {w.t('export_check_yes')}" in label


def chosen_counts() -> dict[tuple[str, str], int]:
    """The dashboard's counters of the option chosen in consent records, by (option, against the lean)."""
    from decision.records import metrics as m

    m.flush_all()
    return {(r.item, str(r.value)): r.n for r in m.read_counts(store()) if r.metric == "chosen"}


def test_consent_recorded_in_the_view_is_kept_and_read_back_after_a_restart():
    code = patient_shares(new_app(), given=LUNG_PATIENT, safety=LUNG_SAFETY)
    clinic = open_code(unlock(to_clinician(new_app())), code)
    before = chosen_counts()
    fill_consent(clinic, code)
    assert not clinic.exception
    lean = store().get(code).saved.lean.option
    match = "no_lean" if lean is None else ("matches" if lean == "acupuncture" else "differs")
    after = chosen_counts()  # the dashboard counts the choice against the lean, never the record
    assert after.get(("acupuncture", match), 0) == before.get(("acupuncture", match), 0) + 1
    assert any(EN("clin_consent_saved", when="").split("(")[0].strip() in s.value for s in clinic.success)
    kept = consent_records.get_extras(store(), store().get(code)).consent
    assert kept is not None and kept.option_chosen == "acupuncture" and kept.decision == "given"
    assert kept.covered == ("benefits", "risks", "alternatives", "nothing") and kept.questions_answered
    assert (kept.physio_name, kept.physio_registration) == ("Dana Lévesque", "PT-4821")
    assert "download_consent" in {d.key for d in clinic.get("download_button")}

    again = open_code(unlock(to_clinician(new_app())), code)  # a new session, as after a restart
    label = next(x.label for x in again.expander if x.label.startswith(EN("export_consent_title")))
    assert "Dana Lévesque" in label and "PT-4821" in label
    assert again.segmented_control(key=f"cf_chosen_{code}").value == "acupuncture"


def test_a_consent_that_does_not_fit_is_refused_in_plain_words_and_nothing_is_kept():
    code = patient_shares(new_app())
    clinic = open_code(unlock(to_clinician(new_app())), code)
    w = Wording(CONTENT, "en")
    fill_consent(clinic, code, name="")
    said = " ".join(e.value for e in clinic.error)
    assert EN("clin_consent_fix", fields=w.t("export_consent_physio")) in said, said
    assert "Traceback" not in said and "physio_name" not in said
    fill_consent(clinic, code, decision="given", chosen="decide_later")
    said = " ".join(e.value for e in clinic.error)
    assert EN("clin_consent_fix", fields=w.t("export_consent_chosen")) in said, said
    assert consent_records.get_extras(store(), store().get(code)).consent is None


def test_sure_after_the_talk_is_kept_beside_the_first_answers_and_both_show():
    code = patient_shares(new_app(), sure="no")
    clinic = open_code(unlock(to_clinician(new_app())), code)
    for q in CONTENT.sure_ids:
        clinic.segmented_control(key=f"cf_sure_{q}_{code}").set_value("yes")
    tap(clinic, "save_sure_after")
    assert EN("clin_sure_after_saved") in [s.value for s in clinic.success]
    after = consent_records.get_extras(store(), store().get(code)).sure_after
    assert after is not None and after.answers == dict.fromkeys(CONTENT.sure_ids, "yes")
    assert store().get(code).answers["sure_certain"] == "no"  # the first answers are untouched
    screen = shown(open_code(unlock(to_clinician(new_app())), code))
    w = Wording(CONTENT, "en")
    assert w.t("export_sure_score", score=0, answered=1) in screen
    assert w.t("export_sure_score", score=4, answered=4) in screen
    assert EN("clin_sure_before") in screen and EN("clin_sure_after") in screen


def test_deleting_the_record_deletes_its_consent():
    code = patient_shares(new_app())
    clinic = open_code(unlock(to_clinician(new_app())), code)
    fill_consent(clinic, code)
    tap(clinic, "delete_record")
    tap(clinic, "delete_record_yes")
    s = store()
    with s.reading("count") as conn:
        left = conn.execute(select(func.count()).select_from(consent_records.consents)).scalar_one()
    assert left == 0


def test_without_a_clinic_time_zone_the_view_names_the_zone_it_uses(monkeypatch):
    monkeypatch.delenv("DECISION_TIMEZONE", raising=False)
    code = patient_shares(new_app())
    clinic = open_code(unlock(to_clinician(new_app())), code)
    notes = [c.value for c in clinic.caption]
    assert any("DECISION_TIMEZONE" in n for n in notes), notes
    monkeypatch.setenv("DECISION_TIMEZONE", "America/Toronto")
    clinic = open_code(unlock(to_clinician(new_app())), code)
    assert not any("DECISION_TIMEZONE" in c.value for c in clinic.caption)


def test_an_incomplete_record_opens_in_assessment_mode_with_its_answers_and_its_code_kept():
    answers = {"main_area": "low_back", "wants_needles": "yes"}
    result = {**score(CONTENT, answers).to_json("en"), "incomplete": True, "answered": 2}
    record = store().save(answers, "en", result, CONTENT.version)
    clinic = open_code(unlock(to_clinician(new_app())), record.code)
    assert clinic.session_state["clin_mode"] == "assess"
    assert clinic.session_state["assess_answers"] == answers
    assert clinic.session_state["clin_assess_from"] == record.code  # saving keeps the link to this code
    assert EN("clin_incomplete_opened", code=record.code, n=2) in [i.value for i in clinic.info]


def test_assessment_mode_keeps_the_clinician_s_lean_in_a_sticky_box_that_follows_the_answers():
    clinic = unlock(to_clinician(new_app()))
    clinic.segmented_control(key="clin_mode").set_value("assess").run()
    w = Wording(CONTENT, "en")

    def live() -> str:
        return html.unescape(next(h.value for h in clinic.html if "clin-live" in h.value))

    clinic.pills(key="a_wants_needles").set_value("no").run()
    assert w.t("clin_lean_wish") in live() and EN("you_decide") not in live()
    clinic.pills(key="a_wants_needles").set_value("yes").run()
    assert w.t("clin_lean_wish") not in live()
    assert "position: sticky" in "".join(h.value for h in clinic.html if "clin_live_lean" in h.value)
