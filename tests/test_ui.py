"""ui/: the pure helpers behind the screens (language, numbers, pictures, the grid, idle rules)."""

from __future__ import annotations

import base64
import datetime as dt
import html
import re

import pytest
from shipped_content import CONTENT

from decision import score
from decision.checks import grid_words
from decision.presentation import present
from decision.wording import Wording
from ui import keys, kiosk, topbar
from ui.charts import coloured_rects, denominator, icon_array_svg, marks_coloured, seesaw_svg, svg_image
from ui.panels import cell_short, flag_panels, note_lines, option_grid, side_effects, steps_html
from ui.words import Words, date, initial_language, number

OPTIONS = tuple(CONTENT.options)
EN, FR = Words(CONTENT, "en"), Words(CONTENT, "fr")
ALL_NO = {q.id: "no" for q in CONTENT.questions_of_kind("safety")}


def unescaped(text: str) -> str:
    return html.unescape(text)


@pytest.mark.parametrize(
    ("query", "locale", "expected"),
    [
        ("fr", "en-CA", "fr"),
        ("en", "fr-CA", "en"),
        (None, "fr-CA", "fr"),
        (None, "fr_CA", "fr"),
        (None, "en-US", "en"),
        ("de", "de-DE", "en"),
        (None, None, "en"),
        ("FR", None, "fr"),
    ],
)
def test_initial_language(query, locale, expected):
    assert initial_language(query, locale) == expected


def test_numbers_and_dates_read_naturally_in_each_language():
    assert number(1000, "en") == "1,000"
    assert number(1000, "fr") == "1\u202f000"
    assert number(1.4, "en") == "1.4"
    assert number(1.4, "fr") == "1,4"
    assert number(76.0, "fr") == "76"
    assert date(dt.date(2026, 11, 24), "en") == "November 24, 2026"
    assert date(dt.date(2026, 11, 24), "fr") == "24 novembre 2026"
    assert date(dt.date(2026, 3, 1), "fr") == "1er mars 2026"


# ------------------------------------------------------------------ icon arrays


@pytest.mark.parametrize(
    ("values", "total"),
    [((30, 50), 100), ((10, 100, 990), 100), ((76, 17), 1000), ((30, 12), 1000), ((5,), 1000), ((0, 20), 1000)],
)
def test_out_of_100_only_when_every_figure_is_a_whole_number_out_of_100(values, total):
    assert denominator(values) == total


@pytest.mark.parametrize(
    ("per_1000", "total", "coloured"),
    [(0, 1000, 0), (0.2, 1000, 1), (1.4, 1000, 1), (76, 1000, 76), (76.5, 1000, 77), (1000, 1000, 1000),
     (30, 100, 3), (250, 100, 25), (1000, 100, 100)],
)  # fmt: skip
def test_icon_arrays_colour_the_affected_marks_in_counting_order(per_1000, total, coloured):
    assert marks_coloured(per_1000, total) == coloured
    pitch = 24 if total == 100 else 10
    area = sum(w * h for _, _, w, h in coloured_rects(coloured, total))
    assert area == coloured * pitch * pitch
    svg = icon_array_svg(per_1000, "#123456", total)
    blocks = 1 if total == 100 else 10
    assert svg.count('fill="url(#off)"') == blocks  # every mark drawn, in blocks of 10 x 10
    assert svg.count('fill="url(#on)"') == len(coloured_rects(coloured, total))
    assert len(svg) < 3000  # a pattern, not 1,000 shapes


def test_a_1000_array_is_large_enough_to_count():
    svg = icon_array_svg(76, "#123456")
    width = int(re.search(r'width="(\d+)"', svg).group(1))
    assert width <= 560  # 50 marks across: at 28rem (616 px) each square is about 9 px, not 5
    first_block = coloured_rects(76, 1000)
    assert first_block == [(0, 0, 100, 70), (0, 70, 60, 10)]  # 7 rows of 10, then 6


def test_pictures_are_data_images_with_alt_text():
    img = svg_image(seesaw_svg(7, 3, "#111111", "#222222"), 'IMS: 7 "points"')
    assert img.startswith('<img alt="IMS: 7 &quot;points&quot;" src="data:image/svg+xml;base64,')
    svg = base64.b64decode(img.split("base64,")[1].rstrip('">')).decode()
    assert "rotate(-8.0 300 90)" in svg  # heavier left side goes down


def test_side_effects_give_both_framings_one_denominator_and_a_note_on_counting():
    out = unescaped(side_effects(CONTENT, OPTIONS, EN))
    fr = unescaped(side_effects(CONTENT, OPTIONS, FR))
    row = next(r for r in CONTENT.comparison if any(c.frequencies for c in r.cells.values()))
    pictured = [(oid, f) for oid, c in row.cells.items() for f in c.frequencies]
    assert {oid for oid, _ in pictured} == {"ims", "acupuncture"}  # both needle options, one denominator
    for _, f in pictured:
        n = round(f.per_1000)
        assert f"In {n} out of 1,000 treatments, it happened." in out
        assert f"In the other {1000 - n}, it did not." in out
        assert f"C'est arrivé dans {n} traitements sur 1\u202f000." in fr
    assert EN("icons_counted_differently") in out
    assert out.count('class="icon-array icons-1000"') == len(pictured)
    assert EN("no_needles_no_needle_effects", option=EN.option("no_needling")) in out


# ------------------------------------------------------------------ flags and the two steps (HTML)

ORDER = tuple(q.id for q in CONTENT.questions_of_kind("questions"))
ALL_ROWS = tuple(r.id for r in CONTENT.comparison)


def view(answers, lang="en"):
    return present(CONTENT, score(CONTENT, answers), lang, ORDER)


def test_flags_come_as_red_and_amber_panels_and_skipped_safety_questions_as_an_amber_line():
    v = view({"unwell_today": "yes", "blood_thinners": "yes", "pregnant": "not_sure"})
    out = flag_panels(v)
    assert out.index("flag-stop") < out.index("flag-caution")
    assert "flag-info" not in out
    assert EN("stop_title_all") in unescaped(out)
    lines = note_lines(v)
    w = Wording(CONTENT, "en")
    skipped = len(CONTENT.questions_of_kind("safety")) - 3
    assert 'class="note-line note-caution"' in lines
    assert w.plural("safety_skipped", skipped) in unescaped(lines)
    notes = sum(1 for f in score(CONTENT, {"pregnant": "not_sure"}).flags if f.level == "info" and not f.skipped)
    assert w.plural("info_notes", notes) in unescaped(lines)
    assert flag_panels(view({})) == ""


def test_the_two_steps_show_the_answers_behind_them_in_words_one_tap_away():
    answers = {"wants_needles": "yes", "problem_kind": "tight_knot", "lie_still": "yes"}
    out = unescaped(steps_html(view(answers), EN))
    assert out.count('class="why-more"') == 2
    assert "Wants needles: Yes" in out
    for option in ("ims", "acupuncture"):  # named as in running text: "toward acupuncture"
        assert EN("why_toward", option=EN(f"option_in_text_{option}")) in out
    assert not re.search(r"\d+ points?", out)
    assert "seesaw" not in out
    plain = unescaped(steps_html(view(answers), EN, behind=False))
    assert "why-more" not in plain and EN("step1_title") in plain


def test_the_two_steps_are_worded_by_the_core_and_never_say_much_better():
    for answers in ({}, {"wants_needles": "no"}, {"wants_needles": "yes", "problem_kind": "tight_knot"}):
        result = score(CONTENT, answers)
        for t in (EN, FR):
            out = unescaped(steps_html(present(CONTENT, result, t.lang, ORDER), t))
            for title, sentence in Wording(CONTENT, t.lang).lean_lines(result):
                if title:
                    assert title in out and sentence in out
            assert "much better" not in out
            assert Wording(CONTENT, t.lang).t("you_decide") in out


# ------------------------------------------------------------------ the Option Grid


def test_the_option_grid_has_three_columns_and_one_row_per_question_people_ask():
    out = unescaped(option_grid(CONTENT, OPTIONS, ALL_ROWS, EN))
    assert out.count('class="og-h"') == 3
    assert out.count('class="og-row"') == len(CONTENT.comparison)
    assert out.count('class="og-cell"') == sum(len(r.cells) for r in CONTENT.comparison)
    for row in CONTENT.comparison:
        assert row.question.en in out
        for cell in row.cells.values():
            assert cell_short(cell, "en") in out
            assert f"Last checked: {date(cell.reviewed_on, 'en')}" in out
            for sid in cell.source:
                assert CONTENT.sources[sid].title in out  # source titles by id, one tap away
    # One "More" per row: it opens under the row, across the full width, one block per option.
    assert out.count("<details") == len(CONTENT.comparison)
    assert out.count('class="og-detail"') == sum(len(r.cells) for r in CONTENT.comparison)


def test_the_grid_shows_only_the_rows_asked_for_in_content_order():
    rows = ALL_ROWS[3:5] + ALL_ROWS[:1]
    out = option_grid(CONTENT, OPTIONS, rows, EN)
    assert re.findall(r'data-row="([a-z_]+)"', out) == [ALL_ROWS[0], *ALL_ROWS[3:5]]


def test_the_grid_is_built_once_per_content_and_language():
    assert option_grid(CONTENT, OPTIONS, ALL_ROWS, EN) is option_grid(CONTENT, OPTIONS, ALL_ROWS, Words(CONTENT, "en"))
    assert option_grid(CONTENT, OPTIONS, ALL_ROWS, FR) is not option_grid(CONTENT, OPTIONS, ALL_ROWS, EN)


def test_the_grid_shows_each_cell_s_short_answer():
    for row in CONTENT.comparison:
        for cell in row.cells.values():
            for lang in ("en", "fr"):
                assert cell_short(cell, lang) == cell.short.get(lang)
                assert grid_words(cell_short(cell, lang)) <= 25  # counted as the content check counts


# ------------------------------------------------------------------ idle


def test_idle_settings():
    assert kiosk.idle_seconds({}) == 180
    assert kiosk.idle_seconds({"DECISION_IDLE_SECONDS": "60"}) == 60
    assert kiosk.idle_seconds({"DECISION_IDLE_SECONDS": "soon"}) == 180
    assert kiosk.idle_seconds({"DECISION_IDLE_SECONDS": "0"}) == 180
    assert kiosk.warning_seconds(180) == 30
    assert kiosk.warning_seconds(8) == 2


def test_idle_numbers_keep_a_reader_whom_the_browser_keeps():
    """The browser wipes after the screen's idle; it tells the server at most every ping
    seconds; the server's hard limit must outlast both, on the longest screen."""
    for idle in (10, 30, 180, 600):
        assert kiosk.screen_idle(idle, on_result=False) == idle
        assert kiosk.screen_idle(idle, on_result=True) == kiosk.result_idle(idle) == 2 * idle
        assert kiosk.hard_limit(idle) > kiosk.result_idle(idle) + kiosk.ping_seconds(idle)
        assert kiosk.warning_seconds(idle) < idle
        assert kiosk.tick_seconds(idle) <= kiosk.hard_limit(idle) - kiosk.result_idle(idle)
    assert (kiosk.result_idle(180), kiosk.ping_seconds(180), kiosk.hard_limit(180), kiosk.tick_seconds(180)) == (
        360,
        90.0,
        540,
        60.0,
    )


def test_the_watchdog_runs_again_only_connected_sessions_left_longer_than_its_limit():
    watchdog = kiosk.Backstop(limit=540, tick=60)
    watchdog.noted("left", 1000.0)
    watchdog.noted("reading", 1400.0)
    watchdog.noted("closed", 0.0)
    watchdog.noted("asleep", 0.0)
    known = {"left", "reading", "asleep"}  # "closed" is gone from the server: forgotten
    assert watchdog.due({"left", "reading"}, known, now=1541.0) == ["left"]
    assert watchdog.due({"left", "reading"}, known, now=1542.0) == []  # asked once, not on every look
    assert "closed" not in watchdog._last_run
    assert watchdog.due(set(), known, now=9999.0) == []  # no browser connected: its next run wipes it
    watchdog.noted("left", 2000.0)  # a run (the watchdog's own, or a tap) starts its time again
    assert watchdog.due({"left"}, known, now=2539.0) == [] and watchdog.due({"left"}, known, now=2541.0) == ["left"]
    assert kiosk.backstop(20) is kiosk.backstop(30) and kiosk.backstop(30).limit == kiosk.hard_limit(30)


def test_the_watchdog_needs_no_thread_without_a_server():
    """Under AppTest there is no server and no browser: nothing is started, nothing is lost."""
    watchdog = kiosk.Backstop(limit=15, tick=5)
    assert watchdog.start() is True and watchdog.reachable is None and watchdog._thread is None


def test_the_page_script_carries_the_screen_s_idle_timer():
    words = {"title": "Still there?", "before": "Wiped in ", "after": " s </script><b>", "still": "Here"}
    script = kiosk.page_script("fr", 4, idle=60, ping=15, armed=True, words=words, keep="keep_answers")
    assert '{"lang":"fr","screen":4,"idle":{"idle":60,"warn":20,"ping":15,"armed":true,"keep":"keep_answers"' in script
    assert script.count("</script>") == 1 and "\\u003c/script>\\u003cb>" in script  # the words cannot end the script
    assert "window.__kioskRun(c)" in script and "function(c){var K" not in script  # the library is not sent again
    untimed = kiosk.page_script("en", None)  # no idle timer asked for: none in the page
    assert '"idle":null' in untimed and '"screen":null' in untimed


def test_the_page_s_library_keeps_the_idle_timer_the_buttons_and_the_stylesheet():
    library = kiosk.library(".a > b { color: red }")
    for event in ("pointerdown", "touchstart", "scroll", "toggle", "keydown"):
        assert f"'{event}'" in library
    assert "capture:true" in library  # scrolls inside stMain do not bubble; the capture phase sees them
    assert keys.IDLE_WIPE in library and keys.IDLE_PING in library
    assert "innerHTML" not in library and "textContent" in library  # the words are text, never HTML
    assert '(".a > b { color: red }")' in library and "kiosk-style" in library
    first = kiosk.page_script("en", 1, setup=library, idle=60)
    assert first.index("window.__kioskRun=function") < first.index("(function(c){if(window.__kioskRun)")
    # A page without the library asks for it through the relay, and not more than every 10 s.
    assert f"'{keys.SETUP}'" in first and "10000" in first and keys.SETUP in topbar.RELAY_OPTIONS


# Streamlit's st.html sanitizer (DOMPurify) drops a <script> whose text matches this: the
# whole idle timer and top bar would silently stop working.
LOOKS_LIKE_MARKUP = re.compile(r"<[/\w!]")


@pytest.mark.parametrize("setup", [False, True])
@pytest.mark.parametrize("keep", ["", keys.KEEP_ANSWERS, keys.SHARE])
@pytest.mark.parametrize("screen", [None, 0, "5k"])
def test_the_page_script_never_looks_like_markup_to_the_sanitizer(screen, keep, setup):
    from ui import style

    hostile = {"title": "<b>Still</b> there?", "before": "in <i>", "after": "</script>", "still": "<!--", "keep": "<a"}
    bar = topbar.bar_html(dict.fromkeys(topbar.ACTIONS, "x"), can_keep=True, label="Nav", other_lang="fr")
    library = kiosk.library(style.css_text() + " /* <b> </style> */") if setup else ""
    page = kiosk.page_script("en", screen, setup=library, idle=60, armed=True, words=hostile, keep=keep, bar=bar)
    assert page.startswith(bar)
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    assert len(scripts) == 1 and page.endswith("</script>")
    assert not LOOKS_LIKE_MARKUP.search(scripts[0]), LOOKS_LIKE_MARKUP.search(scripts[0])


def test_the_progress_line_goes_with_the_bar_on_the_questions_and_the_safety_check_only():
    questions = CONTENT.questions_of_kind("questions")
    n = len(questions)
    assert topbar.screen_progress(CONTENT, EN, 0) == "" and topbar.screen_progress(CONTENT, EN, n + 2) == ""
    fifth = topbar.screen_progress(CONTENT, FR, 5)
    section = FR.of(CONTENT.section_of[questions[4].id].title)
    assert html.escape(FR("progress", section=section, n=5, total=n)) in fifth
    assert 'aria-valuenow="5"' in fifth and f'aria-valuemax="{n + 1}"' in fifth
    last = topbar.screen_progress(CONTENT, EN, n + 1)
    safety = EN.of(CONTENT.section_of[CONTENT.questions_of_kind("safety")[0].id].title)
    assert html.escape(EN("progress_last", section=safety)) in last and f'aria-valuenow="{n + 1}"' in last
    assert "width:100%" in last
    state = {keys.ANSWERS: {questions[0].id: questions[0].codes[0]}}
    bar = topbar.patient_bar(EN, state, on_result=False, progress=fifth)
    assert bar.startswith('<nav class="kiosk-topbar with-keep"') and bar.endswith(fifth)
    assert topbar.patient_bar(EN, {**state, keys.KEPT: {"code": "X"}}, on_result=False, progress=fifth) == ""


def test_the_top_bar_is_four_real_buttons_that_press_their_relay_option():
    labels = {
        keys.BACK: "Back",
        keys.SWITCH_LANG: "Français",
        keys.KEEP_ANSWERS: "Keep <mine>",
        keys.START_OVER: "Again",
    }
    bar = topbar.bar_html(labels, can_keep=True, label="Navigation", other_lang="fr")
    acts = re.findall(r'<button type="button" class="kb kb-\w+" data-kiosk-act="(\w+)">', bar)
    assert acts == [keys.BACK, keys.SWITCH_LANG, keys.KEEP_ANSWERS, keys.START_OVER]
    assert bar.startswith('<nav class="kiosk-topbar with-keep" aria-label="Navigation">')
    assert '<span lang="fr">Français</span>' in bar  # read out in French by a screen reader
    assert "Keep &lt;mine&gt;" in bar and "<mine>" not in bar
    assert bar.count('aria-hidden="true"') == 3  # the icons are not read out
    without = topbar.bar_html(labels, can_keep=False, label="Navigation", other_lang="fr")
    assert keys.KEEP_ANSWERS not in without and 'class="kiosk-topbar"' in without
    # The page script presses a relay option by its name: the option names are the actions.
    script = kiosk.library("")
    assert f".st-key-{keys.RELAY} button" in script and "data-kiosk-act" in script


def test_the_settings_file_is_read_again_only_when_it_changed(tmp_path, monkeypatch):
    from streamlit import config

    import ui

    reads: list[str] = []
    real_read = ui.read_secrets_file
    monkeypatch.setattr(ui, "read_secrets_file", lambda path: reads.append(str(path)) or real_read(path))
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("x = = 1\n", encoding="utf-8")
    saved = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(secrets), str(tmp_path / "absent.toml")])
    try:
        for _ in range(3):  # every run asks; the unchanged file is read once
            problem = ui.settings_problem()
            assert problem is not None and problem.line == 1
        assert reads == [str(secrets)]
        secrets.write_text("timezone = 'UTC'\n", encoding="utf-8")  # fixed: read again, at once
        assert ui.settings_problem() is None
        assert ui.settings_problem() is None
        assert reads == [str(secrets)] * 2
        secrets.unlink()  # gone: nothing to read, nothing broken
        assert ui.settings_problem() is None and len(reads) == 2
    finally:
        config.set_option("secrets.files", saved)


def _per_session_page() -> None:
    import streamlit as st

    import ui

    made = st.session_state.setdefault("made", [])
    value = ui.per_session(
        st.session_state["name"], st.session_state.get("key", "a"), lambda: made.append(1) or object()
    )
    st.session_state["ids"] = [*st.session_state.get("ids", []), id(value)]


def test_per_session_values_are_made_once_per_session_and_key():
    import uuid

    from streamlit.testing.v1 import AppTest

    one = AppTest.from_function(_per_session_page)
    one.session_state["name"] = f"thing-{uuid.uuid4().hex}"  # a name no other test (or run) kept
    for _ in range(3):
        one.run()
    assert len(one.session_state["made"]) == 1 and len(set(one.session_state["ids"])) == 1
    one.session_state["key"] = "b"  # a new key (another language): made again, then kept
    one.run()
    one.run()
    assert len(one.session_state["made"]) == 2 and len(set(one.session_state["ids"])) == 2
    assert len(__import__("ui").per_session("x", 1, list)) == 0  # outside a run: made each time


def test_per_session_values_are_never_shared_between_sessions_and_the_oldest_go(monkeypatch):
    from types import SimpleNamespace

    import streamlit.runtime.scriptrunner as runner

    import ui

    session = SimpleNamespace(session_id="s1")
    monkeypatch.setattr(runner, "get_script_run_ctx", lambda suppress_warning=False: session)
    monkeypatch.setattr(ui, "PER_SESSION_KEPT", 3)
    first = ui.per_session("pages", "en", object)
    assert ui.per_session("pages", "en", object) is first
    session.session_id = "s2"  # AppTest gives every session the same id; a server never does
    assert ui.per_session("pages", "en", object) is not first
    for other in ("s3", "s4", "s5"):
        session.session_id = other
        ui.per_session("pages", "en", object)
    session.session_id = "s1"  # pushed out by three newer sessions: made again
    assert ui.per_session("pages", "en", object) is not first


def _two_asking_for_the_result_styles() -> None:
    from ui import style

    style.apply_more()  # the page
    style.apply_more()  # and its error screen


def test_the_result_styles_are_sent_once_a_run_however_many_ask():
    from streamlit.testing.v1 import AppTest

    from ui.style import STYLE_MORE

    at = AppTest.from_function(_two_asking_for_the_result_styles)
    for _ in range(2):  # and again on the next run
        at.run()
        assert [h.proto.body for h in at.get("html")].count(str(STYLE_MORE)) == 1
