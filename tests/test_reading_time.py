"""The welcome screen's "about N minutes" is honest: worked out here, independently,
from the content a patient reads on the way (questions, answers, the safety screen,
the result screen's visible text) at about 200 words a minute plus about 2 seconds a
tap, and compared with the number the welcome screen shows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from decision import load_content
from ui import reading_time

APP = str(Path(__file__).resolve().parent.parent / "app.py")
CONTENT = load_content()
WORD = re.compile(r"\w+(?:['’-]\w+)*")
# The result screen's own headings and notes a patient reads besides the content
# (titles, the two step sentences with "you decide", sharing, finishing): about this many words.
RESULT_SCREEN_WORDS = {"en": 150, "fr": 175}


def words(text: str) -> int:
    return len(WORD.findall(text))


def expected_seconds(lang: str) -> float:
    # the decision, the condition in a few lines, then the welcome list
    n = words(CONTENT.meta.decision.get(lang)) + words(CONTENT.meta.condition.get(lang)) + 60
    taps = 1  # Start
    for section in CONTENT.sections:
        n += words(section.title.get(lang)) + (words(section.intro.get(lang)) if section.intro else 0)
        for q in section.questions:
            n += words(q.text.get(lang)) + sum(words(a.text.get(lang)) for a in q.answers)
            if q.help and section.kind != "sure":
                n += words(q.help.get(lang))
            taps += 1
    for row in CONTENT.comparison:
        n += words(row.question.get(lang))
        n += sum(words(c.short.get(lang)) for c in row.cells.values())  # the grid shows the short answers
    n += RESULT_SCREEN_WORDS[lang]
    taps += 4  # See my result, Share, Start over and its confirmation
    return n / 200 * 60 + taps * 2


def shown_minutes(lang: str) -> int:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    welcome = next(h.value for h in at.html if "welcome-list" in h.value)
    found = re.search(r'data-minutes="(\d+)"', welcome)
    assert found, "the welcome screen gives no time"
    minutes = int(found.group(1))
    template = CONTENT.t("welcome_time", lang)
    assert "{minutes}" in template
    assert template.replace("{minutes}", str(minutes)) in welcome.replace("&#x27;", "'")
    return minutes


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_welcome_screen_time_is_within_a_minute_of_the_reading_time(lang):
    expected = expected_seconds(lang) / 60
    shown = shown_minutes(lang)
    assert abs(shown - expected) <= 1, (
        f"{lang}: the welcome screen says {shown} minutes, the content takes {expected:.1f}"
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_time_comes_from_the_content_not_a_fixed_number(lang):
    assert shown_minutes(lang) == reading_time.minutes(CONTENT, lang)
    words_read = reading_time.words_on_the_way(CONTENT, lang)
    assert 1000 < words_read < 4000
    assert reading_time.taps_on_the_way(CONTENT) >= len(CONTENT.questionnaire_ids)
