"""An honest time for the welcome screen, worked out from what the screens show.

Two numbers: the way to the result (the welcome screen, one question a screen with
its section, help line and answers, the safety screen) and the result screen's text
shown by default (what is folded behind a tap is not counted), both at 150 words a
minute and 1 second a tap, for a typical patient: every question answered (its
first answer), every safety question "No". The result is the HTML the screen builds
(:mod:`ui.panels` from :func:`decision.presentation.present`) with its headings. No
Streamlit here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

from decision import score
from decision.content import Content
from decision.contract import NO_NEEDLING
from decision.presentation import present

WORDS_PER_MINUTE = 150
SECONDS_PER_TAP = 1.0
_WORD = re.compile(r"\w+(?:['’-]\w+)*")

WELCOME_KEYS = ("welcome_purpose", "welcome_time_split", "welcome_not_decide", "welcome_privacy", "start")
# The result screen's own headings and lines around the panels, in the order shown.
RESULT_KEYS = (
    "result_title",
    "share_nothing_unless",
    "share_button",
    "comparison_title",
    "comparison_intro",
    "whatif_title",
    "finish_title",
    "finish_text",
    "start_over",
)


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


class _Visible(HTMLParser):
    """Text a patient sees without a tap: inside a closed <details> only its <summary>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.details = 0
        self.summary = 0
        self.hidden = 0  # aria-hidden parts (the grid's colour header repeats the names)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "details":
            self.details += 1
        elif tag == "summary":
            self.summary += 1
        if self.hidden or ("aria-hidden", "true") in attrs or "og-sr" in (dict(attrs).get("class") or ""):
            self.hidden += 1 if tag not in _VOID else 0

    def handle_endtag(self, tag: str) -> None:
        if self.hidden:
            self.hidden -= 1
        if tag == "details":
            self.details -= 1
        elif tag == "summary":
            self.summary -= 1

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.details == 0 or self.summary > 0:
            self.parts.append(data)


_VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "source", "wbr"})


def visible_text(html: str) -> str:
    """The words of an HTML block as shown before any tap (closed details: summary only)."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return " ".join(parser.parts)


def typical_answers(content: Content) -> dict[str, str]:
    """Every question's first answer, every safety question "No" (the review's walk (a))."""
    answers = {q.id: q.answers[0].code for q in content.questions_of_kind("questions")}
    for q in content.questions_of_kind("safety"):
        answers[q.id] = "no" if "no" in q.codes else q.codes[0]
    return answers


# ------------------------------------------------------------------ to the result


def _path_texts(content: Content, lang: str) -> Iterator[str]:
    def t(key: str) -> str:
        return content.t(key, lang)

    yield content.meta.title.get(lang)
    yield t("tap_to_answer")  # under the first question
    yield content.meta.decision.get(lang)
    yield content.meta.condition.get(lang)
    yield from (t(k) for k in WELCOME_KEYS)
    questions = content.questions_of_kind("questions")
    for n, q in enumerate(questions, start=1):  # one question a screen
        section = content.section_of[q.id]
        if n == 1 or content.section_of[questions[n - 2].id].id != section.id:
            # A new section: its name in the progress line and its intro are read; on the
            # next screens the progress line is a glance ("5 of 13"), not reading.
            yield section.title.get(lang)
            if section.intro:
                yield section.intro.get(lang)
        yield q.text.get(lang)
        if q.help:
            yield q.help.get(lang)
        yield from (a.text.get(lang) for a in q.answers)
    for section in content.sections:  # the safety check: one screen
        if section.kind != "safety":
            continue
        yield t("progress_last").replace("{section}", section.title.get(lang))
        yield section.title.get(lang)
        if section.intro:
            yield section.intro.get(lang)
        read: set[str] = set()
        for q in section.questions:
            yield q.text.get(lang)
            if q.help:
                yield q.help.get(lang)
            for a in q.answers:  # a row repeats its neighbour's answers: read once
                if a.text.get(lang) not in read:
                    read.add(a.text.get(lang))
                    yield a.text.get(lang)
    yield t("see_result")


def path_words(content: Content, lang: str) -> int:
    return sum(count_words(text) for text in _path_texts(content, lang))


def path_taps(content: Content) -> int:
    """Start, one answer per question and safety item, See my result."""
    return 1 + len(content.questions_of_kind("questions")) + len(content.questions_of_kind("safety")) + 1


def path_seconds(content: Content, lang: str) -> float:
    return path_words(content, lang) * 60 / WORDS_PER_MINUTE + path_taps(content) * SECONDS_PER_TAP


# ------------------------------------------------------------------ the result


def result_html(content: Content, lang: str, answers: dict[str, str] | None = None) -> str:
    """The result screen's HTML blocks for these answers (typical ones by default), as the screen builds them."""
    from ui import panels
    from ui.words import Words

    answers = typical_answers(content) if answers is None else answers
    t = Words(content, lang)
    order = tuple(q.id for q in content.questions_of_kind("questions"))
    view = present(content, score(content, answers), lang, order)
    options = tuple(content.options)
    parts = [panels.flag_panels(view), panels.note_lines(view), panels.steps_html(view, t)]
    if view.stopped or view.fold_needles:
        parts.append(panels.option_card(content, NO_NEEDLING, t))
        parts.append(f"<details><summary>{t('needles_later')}</summary></details>")
    else:
        parts.append(panels.option_grid(content, options, view.grid_rows, t))
        if view.more_rows:
            parts.append(f"<details><summary>{t('grid_more_rows')}</summary></details>")
        parts.append(f"<details><summary>{t('icons_show')}</summary></details>")
    return "".join(parts)


def _sure_texts(content: Content, lang: str) -> Iterator[str]:
    for section in content.sections:
        if section.kind != "sure":
            continue
        yield section.title.get(lang)
        if section.intro:
            yield section.intro.get(lang)
        read: set[str] = set()
        for q in section.questions:
            yield q.text.get(lang)
            for a in q.answers:  # Yes / No under every question: read once
                if a.text.get(lang) not in read:
                    read.add(a.text.get(lang))
                    yield a.text.get(lang)


def result_words(content: Content, lang: str, answers: dict[str, str] | None = None) -> int:
    words = count_words(visible_text(result_html(content, lang, answers)))
    words += sum(count_words(content.t(k, lang)) for k in RESULT_KEYS)
    return words + sum(count_words(text) for text in _sure_texts(content, lang))


def result_taps(content: Content) -> int:
    """The SURE answers, Share, Start over and its confirmation."""
    return len(content.questions_of_kind("sure")) + 3


def result_seconds(content: Content, lang: str, answers: dict[str, str] | None = None) -> float:
    return result_words(content, lang, answers) * 60 / WORDS_PER_MINUTE + result_taps(content) * SECONDS_PER_TAP


# ------------------------------------------------------------------ what the welcome screen says


def _whole(seconds: float) -> int:
    return max(1, round(seconds / 60))


def path_minutes(content: Content, lang: str) -> int:
    """To the result, in whole minutes (at least 1)."""
    return _whole(path_seconds(content, lang))


def result_minutes(content: Content, lang: str) -> int:
    """Reading the result as shown, in whole minutes (at least 1)."""
    return _whole(result_seconds(content, lang))


def minutes(content: Content, lang: str) -> int:
    """The whole visit: to the result and reading it."""
    return _whole(path_seconds(content, lang) + result_seconds(content, lang))


_WELCOME: dict[tuple[str, str], tuple[int, int]] = {}


def welcome_minutes(content: Content, lang: str) -> tuple[int, int]:
    """The welcome screen's two times (to the result, then reading it), worked out once per
    content version and language in this process (the same for every patient)."""
    key = (content.version, lang)
    if key not in _WELCOME:
        _WELCOME[key] = (path_minutes(content, lang), result_minutes(content, lang))
    return _WELCOME[key]
