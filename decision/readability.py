"""Reading-level warnings for patient-facing text (IPDAS: grade 8 or lower).

English: Flesch-Kincaid grade. French: Kandel & Moles' adaptation of Flesch
reading ease (higher is easier; below 50 is "fairly difficult"). Syllables are
counted offline: a vowel-group rule for English, Pyphen's hyphenation
dictionary for French. Short strings (button labels) are skipped: the formulas
mean little under a dozen words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

MAX_EN_GRADE = 8.0
MIN_FR_EASE = 50.0
MIN_WORDS = 12

# Texts only staff read are not held to the patient reading level.
STAFF_ONLY_KEYS = frozenset({"clinician", "label", "about"})

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?;:]+(?:\s|$)|\n+")


def _sentences(text: str) -> int:
    parts = [p for p in _SENTENCE_END.split(text) if _WORD.search(p)]
    return max(1, len(parts))


def _en_syllables(word: str) -> int:
    w = word.lower().replace("’", "'")
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", w)))


@lru_cache(maxsize=1)
def _fr_dict():  # pragma: no cover - trivial
    import pyphen

    return pyphen.Pyphen(lang="fr_FR", left=1, right=1)


def _fr_syllables(word: str) -> int:
    return max(1, len(_fr_dict().positions(word.lower())) + 1)


def english_grade(text: str) -> float:
    words = _WORD.findall(text)
    if not words:
        return 0.0
    syllables = sum(_en_syllables(w) for w in words)
    return 0.39 * len(words) / _sentences(text) + 11.8 * syllables / len(words) - 15.59


def french_ease(text: str) -> float:
    words = _WORD.findall(text)
    if not words:
        return 100.0
    syllables = sum(_fr_syllables(w) for w in words)
    return 207 - 1.015 * len(words) / _sentences(text) - 73.6 * syllables / len(words)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def localized_texts(data: object, loc: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    """Every ``{en, fr}`` mapping in parsed YAML, with its key path."""
    if isinstance(data, dict):
        if set(data) == {"en", "fr"} and all(isinstance(v, str) for v in data.values()):
            yield loc, data
            return
        for key, value in data.items():
            if key in STAFF_ONLY_KEYS:
                continue
            yield from localized_texts(value, (*loc, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from localized_texts(item, (*loc, i))


def assess(en: str, fr: str) -> list[tuple[str, str]]:
    """(language, message) for each text above the target level."""
    out = []
    if word_count(en) >= MIN_WORDS:
        grade = english_grade(en)
        if grade > MAX_EN_GRADE:
            out.append(
                (
                    "en",
                    f"English reads at grade {grade:.1f} (aim for {MAX_EN_GRADE:.0f} or lower): use shorter sentences and words",
                )
            )
    if word_count(fr) >= MIN_WORDS:
        ease = french_ease(fr)
        if ease < MIN_FR_EASE:
            out.append(
                (
                    "fr",
                    f"French reading ease {ease:.0f} (aim for {MIN_FR_EASE:.0f} or more): use shorter sentences and words",
                )
            )
    return out
