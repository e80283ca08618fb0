"""The condition vocabulary as one operator table, compiled to plain closures.

A compiled condition takes the answers (``{question_id: answer_code}``) and returns
the ``(question, answer)`` pairs that made it true, or ``None`` when it is false.
``not`` contributes no pairs of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from decision.models import Condition

Match = tuple[tuple[str, str], ...]
Matcher = Callable[[Mapping[str, str]], Match | None]


def _is(question: str, codes: frozenset[str]) -> Matcher:
    def match(answers: Mapping[str, str]) -> Match | None:
        given = answers.get(question)
        return ((question, given),) if given in codes else None

    return match


def _skipped(question: str) -> Matcher:
    def match(answers: Mapping[str, str]) -> Match | None:
        return None if question in answers else ()

    return match


def _all(children: list[Matcher]) -> Matcher:
    def match(answers: Mapping[str, str]) -> Match | None:
        out: Match = ()
        for child in children:
            got = child(answers)
            if got is None:
                return None
            out += got
        return out

    return match


def _any(children: list[Matcher]) -> Matcher:
    def match(answers: Mapping[str, str]) -> Match | None:
        out: Match = ()
        hit = False
        for child in children:
            got = child(answers)
            if got is not None:
                hit = True
                out += got
        return out if hit else None

    return match


def _not(child: Matcher) -> Matcher:
    def match(answers: Mapping[str, str]) -> Match | None:
        return () if child(answers) is None else None

    return match


def compile_condition(cond: Condition) -> Matcher:
    """Turn a validated :class:`Condition` into a fast matcher."""
    if cond.question is not None:
        if cond.skipped:
            return _skipped(cond.question)
        return _is(cond.question, frozenset(cond.codes))
    if cond.all is not None:
        return _all([compile_condition(c) for c in cond.all])
    if cond.any is not None:
        return _any([compile_condition(c) for c in cond.any])
    if cond.not_ is None:  # Condition's own validator makes this unreachable
        raise ValueError("empty condition")
    return _not(compile_condition(cond.not_))


def index_by_answer(conditions: list[Condition]) -> tuple[dict[tuple[str, str], tuple[int, ...]], tuple[int, ...]]:
    """Index plain ``{question, answer | in}`` conditions by the answer that fires them.

    Returns ``({(question, code): positions}, positions of all other conditions)`` so
    scoring looks only at conditions an answer can fire, instead of all of them.
    """
    by_answer: dict[tuple[str, str], list[int]] = {}
    others: list[int] = []
    for i, cond in enumerate(conditions):
        if cond.question is None or cond.skipped:
            others.append(i)
            continue
        for code in cond.codes:
            by_answer.setdefault((cond.question, code), []).append(i)
    return {k: tuple(v) for k, v in by_answer.items()}, tuple(others)
