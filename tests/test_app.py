"""app.py and app_pages/ without a browser (Streamlit AppTest): the patient flow.

Buttons and rows are found by their keys (``q_<question>__<answer>`` for the
answer buttons, ``q_<question>`` for safety and SURE rows); the expected words
come from content/, so the tests follow the content, not a copy of it.
"""

from __future__ import annotations

import html
import re
import shutil
import time
from pathlib import Path

import pytest
from shipped_content import CONTENT
from streamlit.testing.v1 import AppTest

from decision import score
from decision.content import DEFAULT_CONTENT_DIR
from decision.wording import Wording
from ui import keys, topbar
from ui.words import Words

APP = str(Path(__file__).resolve().parent.parent / "app.py")
RULES = {r.id: r for r in CONTENT.rules}
FLAGS = {f.id: f for f in CONTENT.flags}
QUESTIONS = CONTENT.questions_of_kind("questions")
SAFETY = CONTENT.questions_of_kind("safety")
SURE = CONTENT.questions_of_kind("sure")
EN, FR = Words(CONTENT, "en"), Words(CONTENT, "fr")
WEN, WFR = Wording(CONTENT, "en"), Wording(CONTENT, "fr")

LEANS_IMS = {
    "main_area": "neck_shoulders", "problem_kind": "tight_knot", "duration": "under_6_weeks",
    "stress_sleep": "no", "wants_needles": "yes", "needle_feelings": "fine", "strong_sensation": "ok_if_helps",
    "soreness_after": "no_problem", "visit_time": "short", "lie_still": "no",
    "goal": "loosen_muscle", "past_ims": "helped", "past_acupuncture": "no",
}  # fmt: skip
LEANS_ACUPUNCTURE = {
    "main_area": "many_places", "problem_kind": "widespread_ache", "duration": "over_3_months",
    "stress_sleep": "yes", "wants_needles": "yes", "needle_feelings": "bit_nervous", "strong_sensation": "no",
    "soreness_after": "big_problem", "visit_time": "flexible", "lie_still": "yes",
    "goal": "ease_pain_relax", "past_ims": "no", "past_acupuncture": "helped",
}  # fmt: skip


# ------------------------------------------------------------------ helpers


def start_app(locale: str | None = "en-CA", lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if locale:
        at.context["locale"] = locale
    if lang:
        at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    return at


def text(at: AppTest) -> str:
    """Everything a patient can read on the screen."""
    parts = [html.unescape(h.value) for h in at.html if not h.value.lstrip().startswith(("<style", "<script"))]
    parts += [m.value for m in (*at.title, *at.header, *at.subheader, *at.markdown)]
    parts += [b.label for b in at.button]
    return "\n".join(str(p) for p in parts)


def heading(at: AppTest) -> str:
    """The screen's heading: on a question screen the <h1> of the question's block
    (app_pages/patient.py), elsewhere the st.title."""
    for block in at.html:
        found = re.search(r'<h1 class="question">(.*?)</h1>', block.value, re.S)
        if found:
            return html.unescape(found.group(1))
    return str(at.title[0].value)


def answers(at: AppTest) -> dict[str, str]:
    return dict(at.session_state["answers"]) if "answers" in at.session_state else {}


def tap(at: AppTest, key: str) -> AppTest:
    """Tap a button by its key; the top bar is HTML, whose buttons select their option of the hidden relay."""
    if key in topbar.ACTIONS:
        at.segmented_control(key=keys.RELAY).set_value(key).run()
    else:
        at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def go_through(at: AppTest, given: dict[str, str], safety: dict[str, str] | None = None) -> AppTest:
    """From the welcome screen to the result: the given answers, skipping the rest."""
    tap(at, "start")
    for q in QUESTIONS:
        tap(at, f"q_{q.id}__{given[q.id]}" if q.id in given else "skip")
    for qid, code in (safety or {}).items():
        at.segmented_control(key=f"q_{qid}").set_value(code)
    at.run()
    return tap(at, "see_result")


def all_no() -> dict[str, str]:
    return {q.id: "no" for q in SAFETY}


def shows_the_steps(shown: str, result, w: Wording) -> None:
    """Both steps, in the core's words, each with "you decide"; never "much better".
    After a stop: only the stop, no step 2 and no "you decide" (a stop is not a choice)."""
    if result.lean.stopped:
        assert w.t("step1_title") in shown and w.stopped(result.lean, result.flags) in shown
        assert w.t("step2_title") not in shown
        assert w.t("you_decide") not in shown
    else:
        for title, sentence in w.lean_lines(result):
            if title:  # the very anxious line is said once, by the panel (see below)
                assert title in shown and sentence in shown
        assert shown.count(w.t("you_decide")) >= 2
    assert "much better" not in shown and "beaucoup mieux" not in shown
    # Words, not points: no number of points anywhere on the patient's result.
    assert not re.search(r"\b\d+ points?\b", shown), re.search(r".{40}\b\d+ points?\b", shown)


def html_blocks(at: AppTest) -> list[str]:
    return [h.value for h in at.html if not h.value.lstrip().startswith(("<style", "<script"))]


# ------------------------------------------------------------------ the full path


def test_full_path_in_english():
    at = start_app("en-CA")
    assert at.title[0].value == EN.of(CONTENT.meta.title)
    for key in ("welcome_not_decide", "welcome_privacy"):
        assert EN(key) in text(at)
    assert EN.of(CONTENT.meta.decision) in text(at)

    go_through(at, LEANS_IMS, all_no())
    shown = text(at)
    expected = score(CONTENT, {**LEANS_IMS, **all_no()})
    assert expected.lean.option == "ims" and expected.lean.strength == "strong"
    assert expected.lean.step1.option == "needles"
    assert EN("result_title") in shown
    shows_the_steps(shown, expected, WEN)
    for line in WEN.safety_summary(expected):  # the chest-wall note for the physiotherapist
        assert line in shown
    assert EN("content_version", version=CONTENT.version) in shown
    for row in CONTENT.comparison:
        assert EN.of(row.question) in shown
    for c in expected.option("ims").contributions + expected.option("acupuncture").contributions:
        assert EN.of(RULES[c.rule].reason) in shown  # each reason one tap away under the see-saw
    assert "flag-stop" not in shown and "flag-caution" not in shown
    assert answers(at) == {**LEANS_IMS, **all_no()}


def test_the_result_reads_top_to_bottom_flags_steps_why_grid_side_effects():
    at = start_app("en-CA")
    go_through(at, LEANS_IMS, {**all_no(), "blood_thinners": "yes"})
    blocks = html_blocks(at)

    def first(marker: str) -> int:
        return next(i for i, b in enumerate(blocks) if marker in b)

    assert first("flag-caution") < first('class="steps"') < first("share-line") < first('class="og"')
    assert first('class="og"') <= first("icon-array")
    assert first("icon-array") == first("effects-more")  # the pictures one tap away, under the grid
    headers = [h.value for h in at.header]
    assert EN("comparison_title") in headers
    assert headers[-1] == EN("finish_title")
    assert at.expander[-1].label == EN("whatif_title")


def test_full_path_in_french_from_the_browser_locale():
    at = start_app("fr-CA")
    assert at.title[0].value == FR.of(CONTENT.meta.title)
    go_through(at, LEANS_ACUPUNCTURE, all_no())
    shown = text(at)
    expected = score(CONTENT, {**LEANS_ACUPUNCTURE, **all_no()})
    assert expected.lean.option == "acupuncture"
    assert FR("result_title") in shown
    shows_the_steps(shown, expected, WFR)
    assert FR("content_version", version=CONTENT.version) in shown
    assert EN("result_title") not in shown


def test_lang_in_the_address_wins_over_the_browser_locale():
    at = start_app("en-CA", lang="fr")
    assert at.title[0].value == FR.of(CONTENT.meta.title)
    at = start_app("fr-CA", lang="en")
    assert at.title[0].value == EN.of(CONTENT.meta.title)
    at = start_app(None)
    assert at.title[0].value == EN.of(CONTENT.meta.title)


def test_language_can_change_midway_and_answers_stay():
    at = start_app("en-CA")
    tap(at, "start")
    tap(at, f"q_{QUESTIONS[0].id}__{QUESTIONS[0].codes[0]}")
    tap(at, "switch_lang")
    assert heading(at) == FR.of(QUESTIONS[1].text)
    assert answers(at) == {QUESTIONS[0].id: QUESTIONS[0].codes[0]}


def test_progress_names_the_section_and_counts_questions():
    at = start_app("en-CA")
    tap(at, "start")
    for _ in range(4):
        tap(at, "skip")
    assert QUESTIONS[4].id == "wants_needles"  # first in "Needles and comfort"
    q = QUESTIONS[4]
    section = EN.of(CONTENT.section_of[q.id].title)
    assert EN("progress", section=section, n=5, total=len(QUESTIONS)) in text(at)
    assert heading(at) == EN.of(q.text)


# ------------------------------------------------------------------ Back, Start over, idle


def test_back_keeps_answers():
    at = start_app("en-CA")
    tap(at, "start")
    first, second = QUESTIONS[0], QUESTIONS[1]
    tap(at, f"q_{first.id}__{first.codes[2]}")
    tap(at, f"q_{second.id}__{second.codes[1]}")
    tap(at, "back")
    tap(at, "back")
    assert heading(at) == EN.of(first.text)
    assert at.button(key=f"q_{first.id}__{first.codes[2]}").proto.type == "primary"
    assert EN("your_answer", answer=EN.of(first.answers[2].text)) in text(at)
    assert answers(at) == {first.id: first.codes[2], second.id: second.codes[1]}

    # The result's Back goes to the safety check, with its answers still chosen.
    at = start_app("en-CA")
    go_through(at, LEANS_IMS, {"blood_thinners": "yes", "pregnant": "not_sure"})
    tap(at, "back")
    assert at.segmented_control(key="q_blood_thinners").value == "yes"
    assert at.segmented_control(key="q_pregnant").value == "not_sure"
    assert at.segmented_control(key="q_seizures").value is None
    shown_items = [s for s in at.segmented_control if s.key.startswith("q_") and s.key[2:] in CONTENT.safety_ids]
    assert len(shown_items) == len(CONTENT.safety_ids)
    assert answers(at)["problem_kind"] == LEANS_IMS["problem_kind"]


def test_start_over_asks_once_then_clears_everything():
    at = start_app("en-CA")
    tap(at, "start")
    tap(at, "switch_lang")  # a chosen language is cleared too
    tap(at, f"q_{QUESTIONS[0].id}__{QUESTIONS[0].codes[0]}")
    tap(at, "start_over")
    assert FR("confirm_start_over") in text(at)
    tap(at, "keep_going_top")
    assert answers(at) and at.session_state["step"] == 2

    tap(at, "start_over")
    tap(at, "yes_start_over_top")
    assert at.title[0].value == EN.of(CONTENT.meta.title)
    assert answers(at) == {}
    assert at.session_state["step"] == 0


def test_start_over_at_the_end_of_the_result():
    at = start_app("en-CA")
    go_through(at, LEANS_IMS, all_no())
    tap(at, "restart_end")
    tap(at, "yes_start_over_end")
    assert at.title[0].value == EN.of(CONTENT.meta.title)
    assert answers(at) == {}


def test_idle_wipe_clears_everything_on_the_next_tap():
    at = start_app("en-CA")
    go_through(at, LEANS_IMS, all_no())
    at.session_state["_last_activity"] = time.time() - 10_000  # the tablet slept
    at.run()
    assert at.title[0].value == EN.of(CONTENT.meta.title)
    assert answers(at) == {}
    assert at.session_state["step"] == 0


def test_a_recent_tap_keeps_the_answers():
    at = start_app("en-CA")
    tap(at, "start")
    tap(at, f"q_{QUESTIONS[0].id}__{QUESTIONS[0].codes[0]}")
    at.session_state["_last_activity"] = time.time() - 30
    at.run()
    assert answers(at) == {QUESTIONS[0].id: QUESTIONS[0].codes[0]}


def test_the_browser_s_still_here_keeps_a_reader_and_its_time_is_up_wipes(monkeypatch):
    """The browser's idle timer reports through the hidden relay: "still here"
    moves the server's backstop on; "time is up" wipes and shows the welcome screen."""
    monkeypatch.setenv("DECISION_IDLE_SECONDS", "20")
    at = start_app("en-CA")
    go_through(at, LEANS_IMS, all_no())
    at.session_state["_last_activity"] = time.time() - 50  # reading, no tap: near the 60 s backstop
    at.segmented_control(key=keys.RELAY).set_value(keys.IDLE_PING).run()
    assert time.time() - at.session_state["_last_activity"] < 5
    assert at.segmented_control(key=keys.RELAY).value is None  # cleared: it can report again
    assert at.title[0].value == EN("result_title") and answers(at)

    at.segmented_control(key=keys.RELAY).set_value(keys.IDLE_WIPE).run()
    assert at.title[0].value == EN.of(CONTENT.meta.title)
    assert answers(at) == {} and at.session_state["step"] == 0


def test_idle_time_comes_from_the_environment(monkeypatch):
    """The browser counts DECISION_IDLE_SECONDS; the server's backstop is three times that."""
    monkeypatch.setenv("DECISION_IDLE_SECONDS", "20")
    at = start_app("en-CA")
    tap(at, "start")
    tap(at, f"q_{QUESTIONS[0].id}__{QUESTIONS[0].codes[0]}")
    script = next(h.value for h in at.html if "<script>" in h.value)  # the page script, after the top bar
    assert '"idle":20,' in script and '"armed":true' in script
    at.session_state["_last_activity"] = time.time() - 45  # past the browser's idle, within the backstop
    at.run()
    assert answers(at) == {QUESTIONS[0].id: QUESTIONS[0].codes[0]}
    at.session_state["_last_activity"] = time.time() - 61
    at.run()
    assert answers(at) == {}


def test_the_result_screen_waits_longer_than_a_question(monkeypatch):
    monkeypatch.setenv("DECISION_IDLE_SECONDS", "30")
    at = start_app("en-CA")
    go_through(at, LEANS_IMS, all_no())
    script = next(h.value for h in at.html if "<script>" in h.value)  # the page script, after the top bar
    assert '"idle":60,' in script and '"ping":15' in script


# ------------------------------------------------------------------ flags and partial paths


def test_a_stop_flag_changes_the_result():
    at = start_app("en-CA")
    given = {**LEANS_IMS, "needle_feelings": "panic_faint"}
    go_through(at, given, all_no())
    shown = text(at)
    result = score(CONTENT, {**given, **all_no()})
    assert result.lean.stopped
    assert "flag-stop" in shown
    assert EN("stop_title_all") in shown
    shows_the_steps(shown, result, WEN)
    assert WEN.t("stopped_other") in shown
    assert EN.of(CONTENT.options["no_needling"].summary) in shown
    assert EN("instead_title") in shown
    assert EN("step2_later_title") not in shown  # never after panic or fainting
    assert "needles-later" in shown and EN("needles_later") in shown
    stop_message = next(f for f in CONTENT.flags if f.level == "stop" and f.when.question == "needle_feelings")
    assert EN.of(stop_message.message) in shown
    # Flags come first: the stop panel is drawn before the steps.
    blocks = html_blocks(at)
    assert next(i for i, b in enumerate(blocks) if "flag-stop" in b) < next(
        i for i, b in enumerate(blocks) if 'class="steps"' in b
    )


def test_unwell_today_stops_needling_in_french():
    at = start_app("fr-CA")
    go_through(at, LEANS_IMS, {**all_no(), "unwell_today": "yes"})
    shown = text(at)
    assert FR("stop_title_all") in shown
    assert WFR.t("stopped_unwell") in shown


def test_caution_flags_are_panels_and_info_notes_one_line():
    at = start_app("en-CA")
    go_through(at, LEANS_IMS, {**all_no(), "blood_thinners": "yes", "pregnant": "not_sure"})
    shown = text(at)
    assert "flag-caution" in shown and EN("caution_title") in shown
    assert "flag-info" not in shown
    result = score(CONTENT, answers(at))
    for f in result.flags_at("caution"):
        assert EN.of(FLAGS[f.id].message) in shown
    notes = [f for f in result.flags if f.level == "info"]
    assert len(notes) >= 2
    assert WEN.plural("info_notes", len(notes)) in shown
    assert shown.count(WEN.plural("info_notes", len(notes))) == 1
    assert WEN.t("no_flags") not in shown


def test_skipped_safety_questions_are_counted_in_one_line():
    at = start_app("en-CA")
    go_through(at, LEANS_IMS, {"blood_thinners": "no", "pregnant": "no"})
    shown = text(at)
    assert WEN.plural("safety_skipped", len(SAFETY) - 2) in shown
    assert WEN.t("no_flags") not in shown


def test_a_partial_path_says_not_enough_answers():
    at = start_app("en-CA")
    given = {"problem_kind": "tight_knot", "goal": "loosen_muscle"}
    go_through(at, given)
    shown = text(at)
    result = score(CONTENT, given)
    assert not result.lean.enough_answers
    assert WEN.t("lean_not_enough") in shown
    shows_the_steps(shown, result, WEN)
    assert answers(at) == given


def test_nothing_answered_is_not_enough_and_never_no_flags():
    at = start_app("en-CA")
    go_through(at, {})
    shown = text(at)
    assert WEN.t("lean_not_enough") in shown
    assert WEN.t("no_flags") not in shown
    assert WEN.plural("safety_skipped", len(SAFETY)) in shown
    assert EN("why_none") in shown


def test_not_wanting_needles_leans_step_1_to_no_needles_and_offers_step_2_if_needles():
    at = start_app("en-CA")
    given = {**LEANS_IMS, "wants_needles": "no"}
    go_through(at, given, all_no())
    shown = text(at)
    result = score(CONTENT, {**given, **all_no()})
    assert result.lean.wish and result.lean.option == "no_needling"
    shows_the_steps(shown, result, WEN)
    assert WEN.t("step1_wish") in shown
    assert WEN.t("step2_if_needles") in shown
    assert "flag-stop" not in shown  # a wish, not a safety stop
    assert shown.index(WEN.t("step1_title")) < shown.index(WEN.t("step2_if_needles"))


def test_a_very_anxious_patient_reads_that_the_worry_comes_first():
    at = start_app("fr-CA")
    given = {**LEANS_IMS, "needle_feelings": "very_anxious"}
    go_through(at, given, all_no())
    shown = text(at)
    result = score(CONTENT, {**given, **all_no()})
    assert result.lean.very_anxious and result.lean.strength != "strong"
    worry = next(f for f in result.flags if f.question == "needle_feelings")
    assert FR.of(FLAGS[worry.id].message) in shown  # said once, in the amber panel
    assert WFR.t("very_anxious_first") not in shown
    shows_the_steps(shown, result, WFR)


# ------------------------------------------------------------------ what if, SURE


def test_what_if_shows_another_lean_and_saves_nothing():
    at = start_app("en-CA")
    go_through(at, LEANS_IMS, all_no())
    before = answers(at)
    at.pills(key="whatif_q").set_value("needle_feelings").run()
    assert EN("whatif_you_said", answer=EN.of(CONTENT.questions["needle_feelings"].answer("fine").text)) in text(at)
    at.pills(key="whatif_a").set_value("panic_faint").run()
    shown = text(at)
    assert EN("whatif_then") in shown
    assert WEN.t("stopped_other") in shown
    assert EN("whatif_changed") in shown
    assert answers(at) == before
    # Another question clears the old alternative answer.
    at.pills(key="whatif_q").set_value("goal").run()
    assert not at.exception
    assert at.pills(key="whatif_a").value is None


def test_sure_answers_are_kept_and_acknowledged():
    at = start_app("en-CA")
    go_through(at, LEANS_IMS, all_no())
    for q in SURE:
        at.segmented_control(key=f"q_{q.id}").set_value("yes")
    at.run()
    assert EN("sure_all_yes") in text(at)
    at.segmented_control(key=f"q_{SURE[0].id}").set_value("no").run()
    assert EN("sure_some_no") in text(at)
    assert answers(at)[SURE[0].id] == "no"


# ------------------------------------------------------------------ errors and content problems


def test_invalid_content_shows_a_staff_screen_not_a_questionnaire(tmp_path, monkeypatch):
    broken = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, broken)
    (broken / "options.yaml").write_text("options:\n  - id: ims\n", encoding="utf-8")
    monkeypatch.setenv("DECISION_CONTENT_DIR", str(broken))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    shown = text(at)
    assert "Content needs fixing" in shown
    assert "options.yaml" not in shown and str(tmp_path) not in shown  # the files are for /clinician only (issue 18)
    assert not at.button  # nothing to tap: no half-working questionnaire


def test_an_unexpected_error_shows_a_friendly_message_and_start_over(monkeypatch, caplog):
    monkeypatch.delenv("DECISION_RAISE_PAGE_ERRORS", raising=False)  # as in production
    caplog.set_level("ERROR", logger="decision_aid")
    at = start_app("en-CA")
    at.session_state["answers"] = {"main_area": "not_an_answer"}
    at.session_state["step"] = len(QUESTIONS) + 2
    at.run()
    assert not at.exception
    shown = text(at)
    assert EN("error_title") in shown
    assert "Traceback" not in shown and "not_an_answer" not in shown
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "page failed: AnswerError" in logged and "not_an_answer" not in logged
    tap(at, "error_start_over")
    assert at.title[0].value == EN.of(CONTENT.meta.title)


def test_under_test_a_page_error_fails_the_test():
    # tests/conftest.py sets DECISION_RAISE_PAGE_ERRORS: the same error reaches AppTest,
    # so `assert not at.exception` in every other test means something.
    at = start_app("en-CA")
    at.session_state["answers"] = {"main_area": "not_an_answer"}
    at.session_state["step"] = len(QUESTIONS) + 2
    at.run()
    assert at.exception  # (its text is redacted: client.showErrorDetails = "none")
    assert EN("error_title") not in text(at)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_answer_button_shows_content_words(lang):
    t = Words(CONTENT, lang)
    at = start_app(None, lang=lang)
    tap(at, "start")
    for q in QUESTIONS:
        labels = {b.key: b.label for b in at.button if b.key and b.key.startswith(f"q_{q.id}__")}
        assert labels == {f"q_{q.id}__{a.code}": t.of(a.text) for a in q.answers}
        tap(at, "skip")


# ------------------------------------------------------------------ issue 16: an aid that fits the wait


def stored(code: str):
    import os

    from decision.records.store import HandoffStore

    return HandoffStore(f"sqlite:///{os.environ['DECISION_DB_PATH']}").get(code)


def top_bar(at: AppTest) -> str:
    """The top bar's HTML (in the page's script block), or "" when the screen has none."""
    return next((h.value for h in at.html if 'class="kiosk-topbar' in h.value), "")


def ui_store_count() -> int:
    import os

    from decision.records.store import HandoffStore

    return HandoffStore(f"sqlite:///{os.environ['DECISION_DB_PATH']}").count()


def test_called_in_at_question_5_keeps_the_answers_as_an_incomplete_record():
    at = start_app("en-CA")
    tap(at, "start")
    assert top_bar(at) and 'data-kiosk-act="keep_answers"' not in top_bar(at)  # nothing answered: nothing to keep
    given = {q.id: q.codes[0] for q in QUESTIONS[:4]}
    for q in QUESTIONS[:4]:
        tap(at, f"q_{q.id}__{given[q.id]}")
    assert heading(at) == EN.of(QUESTIONS[4].text)  # question 5
    assert 'data-kiosk-act="keep_answers"' in top_bar(at)
    tap(at, "keep_answers")
    code = at.session_state["kept"]["code"]
    assert EN("kept_title") in text(at) and f"{code[:3]} {code[3:]}" in text(at)
    assert answers(at) == {}  # the wipe follows: only the code is left on the tablet
    record = stored(code)
    assert record.answers == given
    assert record.result["incomplete"] is True and record.result["answered"] == 4
    tap(at, "kept_done")
    assert at.title[0].value == EN.of(CONTENT.meta.title)
    assert "kept" not in at.session_state


def test_the_idle_wipe_also_clears_a_kept_code():
    at = start_app("en-CA")
    tap(at, "start")
    tap(at, f"q_{QUESTIONS[0].id}__{QUESTIONS[0].codes[0]}")
    tap(at, "keep_answers")
    at.session_state["_last_activity"] = time.time() - 10_000
    at.run()
    assert "kept" not in at.session_state and at.title[0].value == EN.of(CONTENT.meta.title)


def test_share_sits_under_the_steps_and_the_code_stays_until_start_over_is_confirmed():
    at = start_app("en-CA")
    go_through(at, LEANS_IMS, all_no())
    blocks = html_blocks(at)
    first = next(i for i, b in enumerate(blocks) if "share-line" in b)
    assert 'class="steps"' in blocks[first - 1]
    assert EN("share_nothing_unless") in text(at)
    tap(at, "share")
    code = at.session_state["shared"]["code"]
    assert stored(code).result.get("incomplete") is None  # a finished questionnaire
    # Changing a SURE answer keeps the code on screen and offers to share again.
    at.segmented_control(key="q_sure_certain").set_value("no").run()
    shown = text(at)
    assert f"{code[:3]} {code[3:]}" in shown and EN("share_again") in shown
    # Start over asks whether the code was noted, and shows it once more.
    tap(at, "restart_end")
    assert EN("confirm_code_noted") in text(at)
    tap(at, "keep_going_end")
    assert at.session_state["shared"]["code"] == code
    tap(at, "restart_end")
    tap(at, "yes_start_over_end")
    assert "shared" not in at.session_state


def test_sure_answered_after_sharing_goes_to_the_same_code_from_the_end_of_the_result():
    at = start_app("en-CA")
    go_through(at, LEANS_IMS, all_no())
    assert EN("share_nothing_unless") in text(at)  # said under the steps and again after SURE
    assert [b.key for b in at.button if b.key in ("share", "share_end")] == ["share", "share_end"]
    tap(at, "share")
    code = at.session_state["shared"]["code"]
    records = ui_store_count()
    for qid in ("sure_certain", "sure_informed", "sure_values", "sure_support"):
        at.segmented_control(key=f"q_{qid}").set_value("yes").run()
    assert EN("share_changed", code=f"{code[:3]} {code[3:]}") in text(at)
    tap(at, "share_end")  # where the patient is when they finish
    assert at.session_state["shared"]["code"] == code  # the code they hold stays the one to show
    record = stored(code)
    assert record.answers["sure_certain"] == "yes" and record.result["sure"]["score"] == 4
    assert ui_store_count() == records  # no second record: the new answers replaced the old ones
    assert EN("share_changed", code=f"{code[:3]} {code[3:]}") not in text(at)


@pytest.mark.parametrize(("locale", "w"), [("en-CA", WEN), ("fr-CA", WFR)])
def test_a_stopped_result_shows_no_step_2(locale, w):
    at = start_app(locale)
    given = {**LEANS_IMS, "needle_feelings": "panic_faint"}
    go_through(at, given, all_no())
    shown = text(at)
    assert w.t("step1_title") in shown
    assert w.t("step2_title") not in shown and "seesaw" not in shown
    assert w.t("you_decide") not in shown


def test_not_wanting_needles_folds_the_needle_detail_and_says_the_worry_once():
    at = start_app("en-CA")
    given = {**LEANS_IMS, "wants_needles": "no", "needle_feelings": "very_anxious"}
    go_through(at, given, all_no())
    blocks = html_blocks(at)
    grid = next(b for b in blocks if 'class="og"' in b)
    assert grid.index('class="needles-later"') < grid.index('class="og"')  # the grid is inside the fold
    assert EN("comparison_title") not in [h.value for h in at.header]
    from ui.reading_time import visible_text

    shown = " ".join(visible_text(b) for b in html_blocks(at))  # what shows before any tap
    assert shown.count("very anxious") == 1, shown


def test_the_skipper_reads_how_many_questions_were_skipped_and_safety_skips_are_a_caution():
    at = start_app("en-CA")
    given = {"problem_kind": "tight_knot", "wants_needles": "yes"}
    go_through(at, given, {"blood_thinners": "no"})
    shown = text(at)
    assert WEN.plural("questions_skipped", len(QUESTIONS) - 2) in shown
    caution = next(b for b in html_blocks(at) if "note-caution" in b)
    assert html.escape(WEN.plural("safety_skipped", len(SAFETY) - 1)) in caution


def test_the_answers_behind_each_step_are_words_with_the_reasons_one_tap_away():
    at = start_app("en-CA")
    go_through(at, LEANS_IMS, all_no())
    steps = next(b for b in html_blocks(at) if 'class="steps"' in b)
    assert steps.count('class="why-more"') == 2  # the same picture for both steps
    assert html.escape(WEN.t("why_toward", option=WEN.option_name("ims"))) in steps
    assert "seesaw" not in steps


def test_unwell_today_keeps_step_2_folded_for_another_day():
    at = start_app("en-CA")
    go_through(at, LEANS_IMS, {**all_no(), "unwell_today": "yes"})
    result = score(CONTENT, {**LEANS_IMS, **all_no(), "unwell_today": "yes"})
    assert result.lean.stopped and result.lean.step2_later is not None
    blocks = html_blocks(at)
    later = next(b for b in blocks if 'class="later"' in b)
    assert html.escape(EN("step2_later_title")) in later
    assert later.index("<details") < later.index(html.escape(WEN.step2_later(result.lean)))  # folded
    steps = next(b for b in blocks if 'class="steps"' in b)
    assert html.escape(WEN.t("step2_title")) not in steps


def test_keep_my_answers_when_the_store_fails_keeps_them_on_the_tablet(unusable_database):
    at = start_app("en-CA")
    tap(at, "start")
    tap(at, f"q_{QUESTIONS[0].id}__{QUESTIONS[0].codes[0]}")
    tap(at, "keep_answers")
    assert EN("kept_failed") in html.unescape(text(at))
    assert answers(at) == {QUESTIONS[0].id: QUESTIONS[0].codes[0]} and "kept" not in at.session_state
