"""The closed vocabulary of the scenario files (tests/scenarios/*.yaml).

Every case and its ``expect`` block is read into a strict model: an unknown key
(``scroes:``, ``leen:``), a value of the wrong kind, an id the content does not
have (a flag, rule, question, answer code or SURE need) or an ``expect`` that
expects nothing is refused with ``path:line: where: message``, the words of
``python -m decision check``, before any case runs. A misspelled expectation can
therefore never pass unseen (as OpenFisca's test runner refuses unknown keys).

A new kind of expectation is three small steps: a field of :class:`Expect` (ids it
names go through :func:`_id_problems`), its check in ``test_engine.test_scenario``,
and a line in the key list at the top of tests/scenarios/leans.yaml.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr, ValidationError, model_validator

from decision import contract
from decision.content import Content
from decision.errors import Problem
from decision.loader import did_you_mean, display, error_message
from decision.yamlio import Loc, Located, YamlError, load_yaml_file

Target = Literal["ims", "acupuncture", "no_needling", "needles"]
Strength = Literal["strong", "slight", "none"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StepWant(_Strict):
    """``lean`` / ``step1`` / ``step2``: the option (null for none) and how strongly."""

    option: Target | None
    strength: Strength


class SureWant(_Strict):
    """The SURE test; ``not_answered`` and ``incomplete`` are checked when given."""

    score: StrictInt
    unsure: StrictBool
    needs: tuple[StrictStr, ...]
    not_answered: tuple[StrictStr, ...] | None = None
    incomplete: StrictBool | None = None


class Expect(_Strict):
    """What a case expects; every key left out is not checked, but one must be given."""

    scores: dict[Target, StrictInt] | None = None
    lean: StepWant | None = None
    step1: StepWant | None = None
    step2: StepWant | None = None
    stopped: StrictBool | None = None
    enough_answers: StrictBool | None = None
    wish: StrictBool | None = None
    conditional: StrictBool | None = None
    very_anxious: StrictBool | None = None
    step2_later: StepWant | None = None  # given as null: no step 2 for another day
    step2_removed: Target | None = None
    context_caps: tuple[StrictStr, ...] | None = None
    patient_flags_exclude: tuple[StrictStr, ...] = ()
    flags: tuple[StrictStr, ...] | None = None
    flags_include: tuple[StrictStr, ...] = ()
    flags_exclude: tuple[StrictStr, ...] = ()
    capped: tuple[StrictStr, ...] | None = None
    sure: SureWant | None = None
    unanswered_includes: tuple[StrictStr, ...] = ()

    @model_validator(mode="after")
    def _expects_something(self) -> Expect:
        if not self.model_fields_set:
            raise ValueError("expect is empty: a case must expect something")
        return self


class Scenario(_Strict):
    """One case: a sentence naming what it proves, the answers tapped, what must follow."""

    name: StrictStr
    safety: Literal["all_no"] | None = None
    answers: dict[StrictStr, StrictStr | None]  # null: shown but skipped
    expect: Expect


class ScenarioError(Exception):
    """Scenario files that do not follow the vocabulary; one problem per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        n = len(problems)
        lines = [f"{n} problem{'s' if n != 1 else ''} in the scenario files:", *map(str, problems)]
        super().__init__("\n".join(lines))


def _id_problems(case: Scenario, content: Content) -> Iterator[tuple[Loc, str]]:
    """Ids the content must know: an unknown one would make a check that cannot fail."""
    flags = [f.id for f in content.flags]
    rules = [r.id for r in content.rules]
    questions = list(content.questions)
    for qid, code in case.answers.items():
        if qid not in content.questions:
            yield ("answers", qid), f"unknown question '{qid}'{did_you_mean(qid, questions)}"
        elif code is not None and code not in (codes := [a.code for a in content.questions[qid].answers]):
            yield ("answers", qid), f"'{code}' is not an answer to {qid}{did_you_mean(code, codes)}"
    e = case.expect
    named: list[tuple[str, tuple[str, ...], list[str], str]] = [
        ("flags", e.flags or (), flags, "flag"),
        ("flags_include", e.flags_include, flags, "flag"),
        ("flags_exclude", e.flags_exclude, flags, "flag"),
        ("patient_flags_exclude", e.patient_flags_exclude, flags, "flag"),
        ("context_caps", e.context_caps or (), [c.id for c in content.caps], "context cap"),
        ("capped", e.capped or (), rules, "rule"),
        ("unanswered_includes", e.unanswered_includes, questions, "question"),
    ]
    if e.sure is not None:
        needs = list(contract.SURE_NEEDS.values())
        named += [
            ("sure", e.sure.needs, needs, "SURE need"),
            ("sure", e.sure.not_answered or (), questions, "question"),
        ]
    for key, ids, known, what in named:
        for i, ident in enumerate(ids):
            if ident not in known:
                yield ("expect", key, i), f"unknown {what} '{ident}'{did_you_mean(ident, known)}"


def _problem(shown: str, located: Located, loc: Loc, message: str) -> Problem:
    where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc) or "(top)"
    return Problem(shown, located.line_of(loc), where, message)


def read_scenarios(path: Path, content: Content, problems: list[Problem]) -> list[Scenario]:
    """The cases of one file; what is wrong is added to ``problems``."""
    shown = display(path)
    try:
        located = load_yaml_file(path)
    except (YamlError, OSError) as exc:
        problems.append(Problem(shown, getattr(exc, "line", 1), "(file)", str(getattr(exc, "message", exc))))
        return []
    if not isinstance(located.data, list) or not located.data:
        problems.append(_problem(shown, located, (), "expected a list of cases (- name: ...)"))
        return []
    cases: list[Scenario] = []
    for i, item in enumerate(located.data):
        try:
            case = Scenario.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = tuple(part for part in err["loc"] if part != "[key]")
                problems.append(_problem(shown, located, (i, *loc), error_message(Scenario, err, loc)))
            continue
        found = [_problem(shown, located, (i, *loc), msg) for loc, msg in _id_problems(case, content)]
        problems.extend(found)
        if not found:
            cases.append(case)
    return cases


def load_scenarios(paths: Iterable[Path], content: Content) -> list[Scenario]:
    """Every case of every file; raises :class:`ScenarioError` listing every problem at once."""
    problems: list[Problem] = []
    cases = [case for path in paths for case in read_scenarios(path, content, problems)]
    if problems:
        raise ScenarioError(problems)
    names = [c.name for c in cases]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ScenarioError([Problem("tests/scenarios", 1, "name", f"two cases named '{n}'") for n in twice])
    return cases
