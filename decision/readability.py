"""Reading-level and typography warnings for patient-facing text (IPDAS: grade 8 or lower).

English: Flesch-Kincaid grade and SMOG grade, both held to grade 8. French:
Kandel & Moles' adaptation of Flesch reading ease (higher is easier; 60 to 70 is
"standard", below 60 "fairly difficult", so the floor is 60). Syllables are counted offline: a vowel-group rule for
English, Pyphen's hyphenation dictionary for French. Only ".", "!", "?" and line
breaks end a sentence: a colon or a semicolon does not, so long lists joined by
them are not flattered. Short strings (button labels) are skipped: the formulas
mean little under a dozen words, and SMOG is used from 3 sentences on. Every word
counts its real syllables: "physiotherapist" is 6 in English, even though every
patient of this aid reads it (a discount for familiar words once hid 4 texts over
grade 8). Question labels are checked too: patients read them in "You did not
answer: ..." and in the answers behind each step.

French typography follows Canadian usage: a no-break space (U+00A0) before ":"
and inside « », no space before "?", "!" and ";", and a narrow no-break space
(U+202F) between thousands ("7 629"). Placeholders like ``[[CLINIC NAME]]`` are
text the clinic must still fill in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

MAX_EN_GRADE = 8.0
MIN_FR_EASE = 60.0
MIN_WORDS = 12
# SMOG counts long words per 30 sentences; on one or two sentences a single long
# word decides the grade, so it is only applied from 3 sentences on.
MIN_SMOG_SENTENCES = 3

NBSP = "\u00a0"  # no-break space: before ":" and inside « »
NNBSP = "\u202f"  # narrow no-break space: thousands separator

# Texts only staff read are not held to the patient reading level. Question
# labels are not among them: patients read them on the result screen.
STAFF_ONLY_KEYS = frozenset({"clinician"})

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…]+[»”\"')]*(?:\s|$)|\n+")
_PLACEHOLDER = re.compile(r"\[\[[^\[\]]*\]\]")


def _sentence_list(text: str) -> list[str]:
    return [p for p in _SENTENCE_END.split(text) if _WORD.search(p)]


def _sentences(text: str) -> int:
    return max(1, len(_sentence_list(text)))


def _en_syllables(word: str) -> int:
    w = word.lower().replace("’", "'")
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", w)))


@lru_cache(maxsize=1)
def _fr_dict() -> Any:  # pragma: no cover - trivial
    import pyphen

    return pyphen.Pyphen(lang="fr_FR", left=1, right=1)


def _fr_syllables(word: str) -> int:
    return max(1, len(_fr_dict().positions(word.lower())) + 1)


def english_grade(text: str) -> float:
    """Flesch-Kincaid grade level."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    syllables = sum(_en_syllables(w) for w in words)
    return 0.39 * len(words) / _sentences(text) + 11.8 * syllables / len(words) - 15.59


def smog_grade(text: str) -> float:
    """SMOG grade (McLaughlin 1969), scaled to 30 sentences as the formula allows:
    1.0430 * sqrt(words of 3 or more syllables * 30 / sentences) + 3.1291."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    polysyllables = sum(1 for w in words if _en_syllables(w) >= 3)
    return 1.0430 * math.sqrt(polysyllables * 30 / _sentences(text)) + 3.1291


def french_ease(text: str) -> float:
    words = _WORD.findall(text)
    if not words:
        return 100.0
    syllables = sum(_fr_syllables(w) for w in words)
    return 207 - 1.015 * len(words) / _sentences(text) - 73.6 * syllables / len(words)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def localized_texts(
    data: object, loc: tuple[str | int, ...] = (), staff_too: bool = False
) -> Iterator[tuple[tuple[str | int, ...], dict[str, str]]]:
    """Every ``{en, fr}`` mapping in parsed YAML, with its key path.

    Texts under staff-only keys are left out unless ``staff_too``.
    """
    if isinstance(data, dict):
        if set(data) == {"en", "fr"} and all(isinstance(v, str) for v in data.values()):
            yield loc, data
            return
        for key, value in data.items():
            if key in STAFF_ONLY_KEYS and not staff_too:
                continue
            yield from localized_texts(value, (*loc, key), staff_too)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from localized_texts(item, (*loc, i), staff_too)


def assess(en: str, fr: str) -> list[tuple[str, str]]:
    """(language, message) for each text above the target level."""
    out = []
    if word_count(en) >= MIN_WORDS:
        grade = english_grade(en)
        smog = smog_grade(en) if _sentences(en) >= MIN_SMOG_SENTENCES else None
        if grade > MAX_EN_GRADE or (smog is not None and smog > MAX_EN_GRADE):
            smog_part = f" and {smog:.1f} (SMOG)" if smog is not None else ""
            message = (
                f"English reads at grade {grade:.1f} (Flesch-Kincaid){smog_part}; "
                f"aim for {MAX_EN_GRADE:.0f} or lower: use shorter sentences and words"
            )
            out.append(("en", message))
    if word_count(fr) >= MIN_WORDS:
        ease = french_ease(fr)
        if ease < MIN_FR_EASE:
            out.append(
                (
                    "fr",
                    f"French reading ease {ease:.1f} (Kandel-Moles; aim for {MIN_FR_EASE:.0f} or more): "
                    "use shorter sentences and words",
                )
            )
    return out


# ------------------------------------------------------------------ typography

_URL = re.compile(r"\w+://\S+")
_COLON_NO_SPACE = re.compile(r"(?<=\S):(?=\s|$)")
_COLON_WRONG_SPACE = re.compile(r"[ \t\u202f]:(?=\s|$)")
_OPEN_QUOTE = re.compile(r"«(?!\u00a0)")
_CLOSE_QUOTE = re.compile(r"(?<!\u00a0)»")
_SPACE_BEFORE_MARK = re.compile(r"\s([?!;])")
_THOUSANDS_WRONG = re.compile(r"\d(?:[ ,.\u00a0])\d{3}(?!\d)")
_LONG_NUMBER = re.compile(r"(?<![\d\u202f-])\d{5,}(?![\d-])")


def french_typography(text: str) -> list[str]:
    """What breaks Canadian French typography in one French string."""
    text = _URL.sub("", text)
    out: list[str] = []
    if _COLON_WRONG_SPACE.search(text) or _COLON_NO_SPACE.search(text):
        out.append('put a no-break space (U+00A0, "\\u00a0" in YAML) before ":"')
    if _OPEN_QUOTE.search(text) or _CLOSE_QUOTE.search(text):
        out.append('put a no-break space (U+00A0) inside « » ("«\\u00a0" and "\\u00a0»")')
    marks = sorted({m.group(1) for m in _SPACE_BEFORE_MARK.finditer(text)})
    if marks:
        out.append(f"no space before {' '.join(repr(m) for m in marks)} (Canadian usage)")
    if _THOUSANDS_WRONG.search(text) or _LONG_NUMBER.search(text):
        out.append('write thousands with a narrow no-break space (U+202F, "\\u202f" in YAML): 7\u202f629')
    return out


def placeholders(text: str) -> list[str]:
    """Placeholders like ``[[CLINIC NAME]]`` still to fill in."""
    return _PLACEHOLDER.findall(text)
