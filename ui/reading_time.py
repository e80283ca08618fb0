"""An honest time for the welcome screen, worked out from the content.

A patient reads the questions with their help lines and answers, the safety
screen, and the result screen's visible text (the two steps, the Option Grid's
short answers, the first side-effect picture's words, SURE and sharing), at
about 200 words a minute, and taps about 2 seconds each. Pure: no Streamlit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from decision.content import Content

WORDS_PER_MINUTE = 200
SECONDS_PER_TAP = 2.0
_WORD = re.compile(r"\w+(?:['’-]\w+)*")

# The app's own words a patient reads on the result screen, beside the content's.
RESULT_KEYS = (
    "result_title",
    "step1_title",
    "step1_needles_slight",
    "you_decide",
    "step2_title",
    "lean_slight",
    "you_decide",
    "why_title",
    "comparison_title",
    "comparison_intro",
    "side_effects_title",
    "icons_intro_treatments",
    "whatif_title",
    "share_title",
    "share_intro",
    "finish_title",
    "finish_text",
)
WELCOME_KEYS = ("welcome_purpose", "welcome_time", "welcome_not_decide", "welcome_privacy")


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def _texts(content: Content, lang: str) -> Iterator[str]:
    from ui.panels import cell_short  # the grid's short answers, as shown

    def t(key):
        return content.t(key, lang)

    def sections(*kinds: str) -> Iterator[str]:
        for section in content.sections:
            if section.kind not in kinds:
                continue
            yield section.title.get(lang)
            if section.intro:
                yield section.intro.get(lang)
            for q in section.questions:
                yield q.text.get(lang)
                if q.help and section.kind != "sure":
                    yield q.help.get(lang)
                yield from (a.text.get(lang) for a in q.answers)

    yield content.meta.decision.get(lang)
    yield content.meta.condition.get(lang)
    yield from (t(k) for k in WELCOME_KEYS)
    yield from sections("questions", "safety")
    yield from (t(k) for k in RESULT_KEYS)
    yield from (content.options[o].name.get(lang) for o in content.options)
    for row in content.comparison:
        yield row.question.get(lang)
        yield from (cell_short(cell, lang) for cell in row.cells.values())
    yield from sections("sure")  # SURE comes after the result


def words_on_the_way(content: Content, lang: str) -> int:
    """Words a patient reads from the welcome screen to the end of the result."""
    return sum(count_words(text) for text in _texts(content, lang))


def taps_on_the_way(content: Content) -> int:
    """Start, one answer per question and safety item, See my result, the SURE
    answers, Share, and Start over with its confirmation."""
    asked = len(content.questions_of_kind("questions")) + len(content.questions_of_kind("safety"))
    return 1 + asked + 1 + len(content.questions_of_kind("sure")) + 1 + 2


def seconds(content: Content, lang: str) -> float:
    return words_on_the_way(content, lang) * 60 / WORDS_PER_MINUTE + taps_on_the_way(content) * SECONDS_PER_TAP


def minutes(content: Content, lang: str) -> int:
    """The time in whole minutes (rounded up: better early than late), at least 1."""
    return max(1, math.ceil(seconds(content, lang) / 60))
