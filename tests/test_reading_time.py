"""The welcome screen's times are honest: a typical patient walks the real app (AppTest)
and the words each screen renders are counted here, at 150 words a minute and 1 second
a tap, independently of ui/reading_time.py, then compared with what the welcome says.

Counted: the welcome text; on each question screen the question, its help line, its
answers, and a section's name and intro on its first screen (the "5 of 13" after it is
a glance); the safety screen (a row's Yes / No / Not sure read once); on the result
everything shown before any tap (a closed <details> shows only its summary). Not
counted: the top bar, the hidden idle warning, the language and staff buttons.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from shipped_content import CONTENT
from streamlit.testing.v1 import AppTest

from ui import reading_time

APP = str(Path(__file__).resolve().parent.parent / "app.py")
QUESTIONS = CONTENT.questions_of_kind("questions")
SAFETY = CONTENT.questions_of_kind("safety")
SURE = CONTENT.questions_of_kind("sure")
WORD = re.compile(r"\w+(?:['’-]\w+)*")
TYPICAL = reading_time.typical_answers(CONTENT)


def words(text: str) -> int:
    return len(WORD.findall(text))


def shown_html(at: AppTest) -> list[str]:
    """The HTML blocks a patient sees: no scripts, styles, or what a closed expander holds
    (about this aid, what if)."""
    folded = {id(h) for exp in at.expander for h in exp.get("html")}
    return [
        h.value
        for h in at.html
        if not h.value.lstrip().startswith(("<style", "<script", '<nav class="kiosk-topbar'))  # the top bar
        and id(h) not in folded
    ]


def screen_words(at: AppTest, *, buttons: bool = True) -> int:
    n = sum(words(t.value) for t in at.title) + sum(words(h.value) for h in (*at.header, *at.subheader))
    n += sum(words(reading_time.visible_text(h)) for h in shown_html(at))
    if buttons:
        n += sum(words(b.label) for b in at.button)
    return n


def start(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    return at


def tap(at: AppTest, key: str) -> None:
    at.button(key=key).click().run()
    assert not at.exception, at.exception


def walk(lang: str) -> tuple[float, float]:
    """(seconds to the result, seconds reading the result), counted on the screens."""
    at = start(lang)
    welcome = screen_words(at, buttons=False) + words(at.button(key="start").label)
    path, taps = welcome, 1
    tap(at, "start")
    section = None
    for q in QUESTIONS:
        this = CONTENT.section_of[q.id]
        shown = screen_words(at)
        # the progress line (drawn with the top bar, not counted): its section name when the
        # section is new, the rest a glance
        assert not any("progress-text" in h for h in shown_html(at))
        shown -= words(at.button(key="skip").label)
        if this.id != section:
            shown += words(this.title.get(lang))
            section = this.id
        path += shown
        tap(at, f"q_{q.id}__{TYPICAL[q.id]}")
        taps += 1
    # The safety screen: each row's answers once (the same three under every row).
    labels = [CONTENT.questions[q.id].answer(c).text.get(lang) for q in SAFETY for c in q.codes]
    path += screen_words(at) + sum(words(s) for s in dict.fromkeys(labels))
    for q in SAFETY:
        at.segmented_control(key=f"q_{q.id}").set_value(TYPICAL[q.id])
        taps += 1
    at.run()
    tap(at, "see_result")
    taps += 1
    path_seconds = path * 60 / reading_time.WORDS_PER_MINUTE + taps * reading_time.SECONDS_PER_TAP

    result = screen_words(at)
    sure = [CONTENT.questions[q.id].answer(c).text.get(lang) for q in SURE for c in q.codes]
    result += sum(words(s) for s in dict.fromkeys(sure))  # the SURE rows' Yes / No, read once
    result_seconds = result * 60 / reading_time.WORDS_PER_MINUTE + (len(SURE) + 3) * reading_time.SECONDS_PER_TAP
    return path_seconds, result_seconds


def welcome_minutes(lang: str) -> tuple[int, int]:
    at = start(lang)
    block = next(h.value for h in at.html if "welcome-list" in h.value)
    found = re.search(r'data-minutes="(\d+)" data-result-minutes="(\d+)"', block)
    assert found, "the welcome screen gives no time"
    minutes, reading = int(found.group(1)), int(found.group(2))
    sentence = CONTENT.t("welcome_time_split", lang).replace("{minutes}", str(minutes))
    assert sentence.replace("{reading}", str(reading)) in html.unescape(block)
    return minutes, reading


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_typical_patient_reaches_the_result_in_about_5_minutes_and_reads_it_in_about_4(lang):
    path, result = walk(lang)
    print(f"{lang}: {path / 60:.2f} min to the result, {result / 60:.2f} min reading it")
    assert 4.5 * 60 <= path <= 6 * 60, path / 60
    assert 3 * 60 <= result <= 4.75 * 60, result / 60


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_welcome_screen_says_the_times_the_screens_take(lang):
    path, result = walk(lang)
    minutes, reading = welcome_minutes(lang)
    assert abs(minutes - path / 60) <= 0.75, (minutes, path / 60)
    assert abs(reading - result / 60) <= 0.75, (reading, result / 60)
    # and the module the welcome screen asks counts what the screens render, within 5 %
    assert abs(reading_time.path_seconds(CONTENT, lang) - path) <= 0.05 * path
    assert abs(reading_time.result_seconds(CONTENT, lang) - result) <= 0.05 * result


def test_the_result_counts_only_what_shows_before_a_tap():
    folded = "<p>Three words here</p><details><summary>Open me</summary><p>hidden words are many</p></details>"
    assert reading_time.visible_text(folded).split() == ["Three", "words", "here", "Open", "me"]
    hidden = '<div aria-hidden="true"><span>IMS</span></div><p class="og-opt og-sr">IMS</p><p>Seen</p>'
    assert reading_time.visible_text(hidden).split() == ["Seen"]


def test_not_wanting_needles_reads_much_less():
    no = {**TYPICAL, "wants_needles": "no"}
    assert reading_time.result_words(CONTENT, "en", no) < 0.6 * reading_time.result_words(CONTENT, "en")
