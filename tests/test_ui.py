"""ui/: the pure helpers behind the screens (language, numbers, pictures, idle rules)."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest

from decision import load_content, score
from ui import kiosk
from ui.charts import icon_array_svg, marks_coloured, pushes_from, seesaw_svg, svg_image
from ui.panels import flag_panels, lean_sentence, side_effects
from ui.words import Words, date, initial_language, number

CONTENT = load_content()


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


@pytest.mark.parametrize(("per_1000", "coloured"), [(0, 0), (0.2, 1), (1.4, 1), (76, 76), (76.5, 77), (1000, 1000)])
def test_icon_array_has_1000_marks_with_the_affected_ones_coloured(per_1000, coloured):
    assert marks_coloured(per_1000) == coloured
    svg = icon_array_svg(per_1000, "#123456")
    assert svg.count("h7v7h-7z") == 1000
    if coloured:
        on = re.search(r'fill="#123456" d="([^"]*)"', svg).group(1)
        assert on.count("z") == coloured
    else:
        assert "#123456" not in svg


def test_pictures_are_data_images_with_alt_text():
    img = svg_image(seesaw_svg(7, 3, "#111111", "#222222"), 'IMS: 7 "points"')
    assert img.startswith('<img alt="IMS: 7 &quot;points&quot;" src="data:image/svg+xml;base64,')
    svg = base64.b64decode(img.split("base64,")[1].rstrip('">')).decode()
    assert "rotate(-8.0 300 90)" in svg  # heavier left side goes down


def test_the_see_saw_lists_each_answer_that_moved_the_scores_in_question_order():
    answers = {"lie_still": "no", "problem_kind": "tight_knot", "strong_sensation": "no", "main_area": "low_back"}
    result = score(CONTENT, answers)
    pushes = pushes_from(result, "en", list(CONTENT.questions))
    assert [p.toward for p in pushes] == ["ims", "acupuncture", "ims"]
    assert all(p.points > 0 for p in pushes)
    reasons = {c.rule.reason.en for o in result.options for c in o.contributions}
    assert {p.reason for p in pushes} == reasons


def test_flags_come_as_red_amber_and_quiet_panels():
    t = Words(CONTENT, "en")
    result = score(CONTENT, {"unwell_today": "yes", "blood_thinners": "yes", "pregnant": "not_sure"})
    out = flag_panels(result, t)
    assert out.index("flag-stop") < out.index("flag-caution") < out.index("flag-info")
    assert t("stop_title_all") in out
    assert flag_panels(score(CONTENT, {}), t) == ""
    assert lean_sentence(result, t) == t("lean_no_needling")


def test_side_effects_use_one_denominator_and_every_option_with_numbers():
    t = Words(CONTENT, "fr")
    out = side_effects(CONTENT, tuple(CONTENT.options), t)
    frequencies = [f for row in CONTENT.comparison for c in row.cells.values() for f in c.frequencies]
    if not frequencies:
        assert out == ""
        return
    assert out.count('class="icon-array"') == len(frequencies)
    assert "sur 1\u202f000" in out


def test_idle_settings():
    assert kiosk.idle_seconds({}) == 180
    assert kiosk.idle_seconds({"DECISION_IDLE_SECONDS": "60"}) == 60
    assert kiosk.idle_seconds({"DECISION_IDLE_SECONDS": "soon"}) == 180
    assert kiosk.idle_seconds({"DECISION_IDLE_SECONDS": "0"}) == 180
    assert kiosk.warning_seconds(180) == 30
    assert kiosk.tick_seconds(180) == 10
    assert kiosk.warning_seconds(8) == 2 and kiosk.tick_seconds(8) == 1


def test_the_idle_check_wipes_after_the_limit_and_records_activity():
    state = {"answers": {"goal": "both"}, "step": 3, "_last_activity": 1000.0}
    assert not kiosk.check_idle_on_rerun(state, 180, now=1100.0)
    assert state["answers"] and state["_last_activity"] == 1100.0
    assert kiosk.check_idle_on_rerun(state, 180, now=1300.0)
    assert state == {"_last_activity": 1300.0}
    assert not kiosk.has_patient_data(state)
