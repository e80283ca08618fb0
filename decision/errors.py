"""The project's exceptions: one root, :class:`DecisionError`.

Content problems are listed all at once (:class:`ContentError`); answers that do not
fit the questionnaire are :class:`AnswerError`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the content, pinned to a file and line."""

    path: str
    line: int
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.where}: {self.message}"


class DecisionError(Exception):
    """The root of every error this project raises on purpose."""


class AnswerError(DecisionError, ValueError):
    """Answers that do not fit the questionnaire (unknown id or code, wrong type)."""


class ContentError(DecisionError):
    """The content cannot be used. Holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line, p.where, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the content:"
        return "\n".join([head, *(str(p) for p in self.problems)])
