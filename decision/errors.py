"""One error type for content problems, listing every problem at once."""

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


class ContentError(Exception):
    """The content cannot be used. Holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line, p.where, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the content:"
        return "\n".join([head, *(str(p) for p in self.problems)])
