"""The clinic's dashboard in real Chromium against the real app: locked it shows only
the PIN; unlocked it draws the funnel and the SURE chart in English and in French, each
chart's table one tap away, and its CSV hides every count under 5. A screenshot at the
tablet's size is saved to tests/artifacts/dashboard-<lang>.png."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import TABLET, run_streamlit
from shipped_content import CONTENT
from test_browser import screenshot, tap, wait_for_app

from decision.records.metrics import Counters, Key
from decision.records.pin import hash_pin
from decision.records.store import HandoffStore, resolve_timezone
from ui.words import Words

pytestmark = pytest.mark.browser

EN, FR = Words(CONTENT, "en"), Words(CONTENT, "fr")
QUESTIONS = CONTENT.questions_of_kind("questions")
PIN = "2468"


def seed(db) -> None:
    """Three weeks of counts, the content changing in the last one; a few cells under 5."""
    store = HandoffStore(f"sqlite:///{db}")
    sink = Counters(lambda: store)
    today = datetime.now(UTC).astimezone(resolve_timezone()).date()
    for weeks_ago, version, started in (
        (2, "2026-11-01+0ld0ld00", 12),
        (1, "2026-11-01+0ld0ld00", 16),
        (0, CONTENT.version, 13),
    ):
        day = today - timedelta(weeks=weeks_ago)

        def add(metric: str, item: str, value: str = "", n: int = 1, day=day, version=version) -> None:
            sink.add(Key(day, version, metric, item, value), n)

        add("event", "started", n=started)
        for i, q in enumerate(QUESTIONS):
            add("screen", q.id, n=max(0, started - 2 * (i // 4)))
            add("time", q.id, "10_30s", started - 3)
            add("time", q.id, "1_3min", 3)
        left = started - 2 * ((len(QUESTIONS) - 1) // 4)
        add("screen", "safety", n=left)
        add("event", "result", n=left)
        add("event", "shared", n=left - 2)
        add("lean", "step1", "needles/strong", left - 3)
        add("lean", "step1", "no_needling/slight", 3)
        add("lean", "step2", "ims/slight", left - 3)
        add("lean", "final", "ims/slight", left - 3)
        add("lean", "final", "no_needling/slight", 3)
        add("sure", "before", "4", left - 6)
        add("sure", "before", "2", 6)
        add("sure", "after", "4", left - 2)
        add("sure", "after", "3", 2)
        add("chosen", "ims", "matches", left - 4)
        add("chosen", "acupuncture", "differs", 4)
        add("flag", "caution", "raised", 2)
        add("flag", "none", "raised", left - 2)
    sink.flush()
    store.close()


def test_the_dashboard_behind_the_pin_in_both_languages(browser, tmp_path):
    db = tmp_path / "data" / "handoffs.sqlite3"
    seed(db)
    env = {"DECISION_DB_PATH": str(db), "CLINICIAN_PIN_HASH": hash_pin(PIN)}
    with run_streamlit(env) as base:
        context = browser.new_context(viewport=TABLET, is_mobile=True, has_touch=True, locale="en-CA",
                                      accept_downloads=True)  # fmt: skip
        page = context.new_page()
        try:
            page.goto(f"{base}/dashboard")
            wait_for_app(page)
            # Locked: the title and the way to unlock, nothing else.
            assert page.get_by_label(EN("clin_pin_label")).is_visible()
            assert page.locator("[data-testid='stVegaLiteChart']").count() == 0
            assert EN("dash_funnel") not in page.inner_text("body")
            assert page.locator("[data-testid='stTable']").count() == 0

            page.get_by_label(EN("clin_pin_label")).fill(PIN)
            tap(page, page.locator(".st-key-unlock button"))
            for lang, t in (("en", EN), ("fr", FR)):
                page.get_by_role("heading", name=t("dash_funnel")).wait_for()
                page.get_by_role("heading", name=t("dash_sure")).wait_for()
                for part in ("funnel", "sure", "leans", "weeks"):
                    chart = page.locator(f".st-key-clin_dash_{part} [data-testid='stVegaLiteChart']")
                    chart.first.wait_for(timeout=20_000)
                    chart.first.locator("canvas, svg").first.wait_for(timeout=20_000)  # drawn by Vega
                    assert chart.first.bounding_box()["width"] > 500  # readable across the tablet
                # The funnel's table, one tap away: small cells read "fewer than 5".
                funnel = page.locator(".st-key-clin_dash_funnel")
                tap(page, funnel.get_by_role("tab", name=t("dash_tab_table")), rerun=False)
                table = funnel.locator("[data-testid='stTable']")
                assert t("dash_stage_started") in table.inner_text()
                screens = page.locator(".st-key-clin_dash_screens")
                tap(page, screens.get_by_role("tab", name=t("dash_tab_table")), rerun=False)
                assert t("dash_fewer") in screens.locator("[data-testid='stTable']").inner_text()
                tap(page, funnel.get_by_role("tab", name=t("dash_tab_chart")), rerun=False)
                tap(page, screens.get_by_role("tab", name=t("dash_tab_chart")), rerun=False)
                page.wait_for_timeout(600)  # let Vega finish drawing before the picture
                screenshot(page, f"dashboard-{lang}")

                with page.expect_download() as got:
                    page.locator(".st-key-download_dashboard_csv button").click()
                with open(got.value.path(), encoding="utf-8-sig") as f:
                    text = f.read()
                rows = list(csv.DictReader(io.StringIO(text)))
                assert rows and all(r["count"] == t("dash_fewer") or int(r["count"]) >= 5 for r in rows)
                assert any(r["count"] == t("dash_fewer") for r in rows)
                assert not re.search(r"\b[A-HJ-NP-Z2-9]{6}\b", text.replace(CONTENT.version, ""))  # no handoff code
                if lang == "en":
                    tap(page, page.locator(".st-key-clin_dash_lang button"))

            # Lock: back to the PIN, nothing of the dashboard left on screen.
            tap(page, page.locator(".st-key-lock button"))
            assert page.get_by_label(EN("clin_pin_label")).is_visible()  # the wipe forgot the language too
            assert page.locator("[data-testid='stVegaLiteChart']").count() == 0
        finally:
            context.close()
