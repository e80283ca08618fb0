"""Language: which language a new session starts in, and the app's own words.

Every word the app shows comes from content/ (ui.yaml for the app's own words,
the other files for questions, options and facts). ``Words`` binds the content
and the patient's language so pages can write ``t("start")``.
"""

from __future__ import annotations

import datetime as dt

from decision.content import Content
from decision.models import LocalizedText

LANGS = ("en", "fr")
DEFAULT_LANG = "en"

_MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def initial_language(query_lang: str | None, locale: str | None) -> str:
    """``?lang=fr`` wins, then the browser's locale (fr-CA → fr), then English."""
    for candidate in (query_lang, locale):
        if candidate:
            code = str(candidate).strip().lower().replace("_", "-").split("-")[0]
            if code in LANGS:
                return code
    return DEFAULT_LANG


def other_language(lang: str) -> str:
    return "fr" if lang == "en" else "en"


def number(value: float, lang: str) -> str:
    """1234.5 → '1,234.5' (en) or '1 234,5' (fr, with a no-break space)."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def date(value: dt.date, lang: str) -> str:
    """A date people read: 'November 24, 2026' / '24 novembre 2026'."""
    if lang == "fr":
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {_MONTHS_FR[value.month - 1]} {value.year}"
    return f"{value:%B} {value.day}, {value.year}"


class Words:
    """``t("points", n=3)``: the ui.yaml text for a key, in the session's language."""

    def __init__(self, content: Content, lang: str):
        self.content = content
        self.lang = lang if lang in LANGS else DEFAULT_LANG

    def __call__(self, key: str, /, **values: object) -> str:
        text = self.content.t(key, self.lang)
        return text.format(**values) if values else text

    def of(self, text: LocalizedText) -> str:
        """Content text (a question, an option name, a fact) in this language."""
        return text.get(self.lang)

    def option(self, option_id: str) -> str:
        return self.content.options[option_id].name.get(self.lang)

    def number(self, value: float) -> str:
        return number(value, self.lang)

    def date(self, value: dt.date) -> str:
        return date(value, self.lang)
