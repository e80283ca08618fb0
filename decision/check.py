"""``python -m decision check``: problems (content unusable) and warnings (worth fixing).

Warnings never block the app: reading level above target (patient texts),
French typography (every French text), placeholders the clinic must still fill
in (``[[CLINIC NAME]]``), and facts whose review date is older than the
content's review policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from decision import readability
from decision.content import Content, collect
from decision.errors import Problem
from decision.loader import File, display
from decision.yamlio import YamlError, load_yaml_file


@dataclass(frozen=True)
class CheckReport:
    content: Content | None
    problems: list[Problem]
    warnings: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def _walk(data: object, loc: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    if isinstance(data, dict):
        yield loc, data
        for k, v in data.items():
            yield from _walk(v, (*loc, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _walk(v, (*loc, i))


def check(root: Path | str, today: dt.date | None = None) -> CheckReport:
    content, problems = collect(root)
    warnings: list[Problem] = []
    if content is None:
        return CheckReport(None, problems, warnings)
    today = today or dt.date.today()
    months = content.meta.review_every_months
    for path in sorted(Path(content.root).rglob("*.yaml")):
        try:
            located = load_yaml_file(path)
        except (YamlError, OSError, UnicodeDecodeError):  # already reported by collect()
            continue
        f = File(path, display(path), located)
        for loc, text in readability.localized_texts(located.data):
            for lang, message in readability.assess(text["en"], text["fr"]):
                warnings.append(f.problem((*loc, lang), message))
        for loc, text in readability.localized_texts(located.data, staff_too=True):
            for message in readability.french_typography(text["fr"]):
                warnings.append(f.problem((*loc, "fr"), f"French typography: {message}"))
            for lang in ("en", "fr"):
                for mark in readability.placeholders(text[lang]):
                    warnings.append(f.problem((*loc, lang), f"placeholder {mark} still to fill in before release"))
        for loc, node in _walk(located.data):
            reviewed = node.get("reviewed_on")
            if isinstance(reviewed, str):
                try:
                    date = dt.date.fromisoformat(reviewed)
                except ValueError:
                    continue
                if _months_between(date, today) >= months:
                    warnings.append(
                        f.problem(
                            (*loc, "reviewed_on"), f"last reviewed {date}, {months} months ago or more: please review"
                        )
                    )
    return CheckReport(content, problems, warnings)
