"""The clinician's gate in real Chromium against the real app: per-browser lockout,
the browser's Back button, and download files that stop being served after Lock."""

from __future__ import annotations

import pytest
from conftest import TABLET, run_streamlit
from shipped_content import CONTENT
from test_browser import tap, wait_for_app

from decision import score
from decision.records.pin import hash_pin
from decision.records.store import HandoffStore
from ui.words import Words

pytestmark = pytest.mark.browser

T = Words(CONTENT, "en")
PIN = "2468"


def test_lockout_per_browser_back_button_and_downloads_after_lock(browser, tmp_path):
    db = tmp_path / "data" / "handoffs.sqlite3"
    answers = {"main_area": "low_back", "goal": "both"}
    store = HandoffStore(f"sqlite:///{db}")
    code = store.save(answers, "fr", score(CONTENT, answers).to_json("fr"), CONTENT.version).code
    store.close()
    env = {"DECISION_DB_PATH": str(db), "CLINICIAN_PIN_HASH": hash_pin(PIN)}

    def new_page():
        context = browser.new_context(viewport=TABLET, is_mobile=True, has_touch=True, locale="en-CA",
                                      accept_downloads=True)  # fmt: skip
        return context, context.new_page()

    def try_pin(page, pin: str) -> None:
        page.get_by_label(T("clin_pin_label")).fill(pin)
        tap(page, page.locator(".st-key-unlock button"))

    with run_streamlit(env) as base:
        # One browser types five wrong PINs: that browser is locked ...
        guesser_ctx, guesser = new_page()
        guesser.goto(f"{base}/clinician")
        wait_for_app(guesser)
        for _ in range(5):
            try_pin(guesser, "1111")
        assert guesser.get_by_label(T("clin_pin_label")).is_disabled()

        # ... another browser (another session) still unlocks, from the welcome screen's "Staff".
        clinic_ctx, clinic = new_page()
        clinic.goto(base)
        wait_for_app(clinic)
        tap(clinic, clinic.locator(".st-key-to_clinician button"))
        try_pin(clinic, PIN)
        clinic.get_by_label(T("clin_code_label")).fill(code)
        tap(clinic, clinic.locator(".st-key-open_code button"))
        clinic.get_by_role("heading", name=T("clin_record_title", code=code)).wait_for()

        # The browser's Back button goes to the patient screen: "Staff" then shows the PIN, no record.
        clinic.go_back()
        wait_for_app(clinic)
        tap(clinic, clinic.locator(".st-key-to_clinician button"))
        assert clinic.get_by_label(T("clin_pin_label")).is_visible()
        assert clinic.locator(".st-key-handoff_code").count() == 0 and code not in clinic.inner_text("body")

        try_pin(clinic, PIN)
        clinic.get_by_label(T("clin_code_label")).fill(code)
        tap(clinic, clinic.locator(".st-key-open_code button"))
        with clinic.expect_download() as pdf:
            clinic.locator(".st-key-download_pdf button").click()
        with clinic.expect_download() as csv:
            clinic.locator(".st-key-download_csv button").click()
        pdf_url = pdf.value.url
        assert "/media/" in pdf_url
        assert clinic_ctx.request.get(pdf_url).status == 200
        with open(csv.value.path(), "rb") as f:
            assert f.read(3) == b"\xef\xbb\xbf"  # UTF-8 with a BOM: Excel shows the French accents

        tap(clinic, clinic.locator(".st-key-lock button"))
        assert clinic.get_by_label(T("clin_pin_label")).is_visible()
        assert clinic_ctx.request.get(pdf_url).status == 404
        guesser_ctx.close()
        clinic_ctx.close()
