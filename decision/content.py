"""Load ``content/``, validate it whole, and report every problem at once.

Layout (the folder is the namespace)::

    content/index.yaml          what the aid is, its date, lean thresholds
    content/options.yaml        ims, acupuncture, no_needling
    content/questions/*.yaml    one section of the questionnaire per file
    content/rules/*.yaml        scoring rules
    content/flags/*.yaml        safety and information flags
    content/comparison.yaml     the side-by-side grid

:func:`load_content` returns a frozen :class:`Content` or raises
:class:`~decision.errors.ContentError` listing every problem as
``path:line: where: message``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from decision import contract
from decision.conditions import Matcher, compile_condition, index_by_answer
from decision.errors import ContentError, Problem
from decision.models import (
    LEVELS,
    ComparisonFile,
    Condition,
    Flag,
    FlagsFile,
    LocalizedText,
    IndexFile,
    Option,
    OptionsFile,
    Question,
    Row,
    Rule,
    RulesFile,
    SectionFile,
    UiFile,
)
from decision.yamlio import Loc, Located, YamlError, load_yaml_file

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"

SINGLE_FILES: dict[str, type[BaseModel]] = {
    "index.yaml": IndexFile,
    "options.yaml": OptionsFile,
    "comparison.yaml": ComparisonFile,
    "ui.yaml": UiFile,
}
# ui.yaml keys the engine itself needs (the lean sentence); the app's own keys
# are checked by tests/test_ui_strings.py.
REQUIRED_UI_KEYS = ("lean_strong", "lean_slight", "lean_none", "lean_no_needling")

FOLDERS: dict[str, type[BaseModel]] = {
    "questions": SectionFile,
    "rules": RulesFile,
    "flags": FlagsFile,
}


def content_dir_from_env() -> Path:
    """``DECISION_CONTENT_DIR`` if set, else the shipped ``content/``."""
    env = os.environ.get("DECISION_CONTENT_DIR")
    return Path(env) if env else DEFAULT_CONTENT_DIR


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    match: Matcher
    points: tuple[tuple[str, int], ...]
    first_question: str


@dataclass(frozen=True, slots=True)
class CompiledFlag:
    flag: Flag
    match: Matcher
    first_question: str


@dataclass(frozen=True, eq=False)
class Content:
    """Everything in ``content/``, validated and cross-checked. Immutable."""

    root: Path
    meta: IndexFile
    options: Mapping[str, Option]
    sections: tuple[SectionFile, ...]
    questions: Mapping[str, Question]
    section_of: Mapping[str, SectionFile]
    rules: tuple[Rule, ...]
    flags: tuple[Flag, ...]
    comparison: tuple[Row, ...]
    ui: Mapping[str, LocalizedText]
    version: str
    compiled_rules: tuple[CompiledRule, ...] = field(repr=False)
    compiled_flags: tuple[CompiledFlag, ...] = field(repr=False)

    @cached_property
    def rule_index(self) -> tuple[dict[tuple[str, str], tuple[int, ...]], tuple[int, ...]]:
        return index_by_answer([r.when for r in self.rules])

    @cached_property
    def flag_index(self) -> tuple[dict[tuple[str, str], tuple[int, ...]], tuple[int, ...]]:
        return index_by_answer([f.when for f in self.flags])

    @cached_property
    def scored_options(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options.values() if o.scored)

    @cached_property
    def sure_needs(self) -> tuple[tuple[str, str], ...]:
        """(SURE question id, the decisional need a "no" points to)."""
        return tuple((q.id, q.measures or q.id) for q in self.questions_of_kind("sure"))

    @cached_property
    def codes(self) -> Mapping[str, frozenset[str]]:
        """Valid answer codes per question id."""
        return types.MappingProxyType({q.id: frozenset(q.codes) for q in self.questions.values()})

    def t(self, key: str, lang: str) -> str:
        """The app's own words for ``key`` in ``lang`` (see content/ui.yaml)."""
        return self.ui[key].get(lang)

    def questions_of_kind(self, *kinds: str) -> tuple[Question, ...]:
        return tuple(q for s in self.sections if s.kind in kinds for q in s.questions)

    @cached_property
    def questionnaire_ids(self) -> tuple[str, ...]:
        """Questions asked before the result (everything but SURE)."""
        return tuple(q.id for q in self.questions_of_kind("questions", "safety"))

    @cached_property
    def safety_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions_of_kind("safety"))

    @cached_property
    def sure_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions_of_kind("sure"))


# --------------------------------------------------------------------------- helpers


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _display(path: Path) -> str:
    """Paths under the working folder print relative (content/rules/x.yaml), others as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass
class _File:
    path: Path
    shown: str
    located: Located
    model: Any = None

    def where(self, loc: Loc) -> str:
        """A readable path through the file, naming list items by their id."""
        parts: list[str] = []
        node: Any = self.located.data
        for part in loc:
            if isinstance(part, int):
                item = node[part] if isinstance(node, list) and part < len(node) else None
                ident = item.get("id", item.get("code")) if isinstance(item, dict) else None
                if isinstance(ident, str):
                    parts.append(ident)
                else:
                    parts.append(f"[{part}]")
                node = item
            else:
                parts.append(str(part))
                node = node.get(part) if isinstance(node, dict) else None
        return ".".join(parts) or "(top)"

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.shown, self.located.line_of(loc), self.where(loc), message)


def _unwrap(tp: Any) -> Any:
    """Strip Annotated / Optional / tuple / dict down to a model class if there is one."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0] if len(args) == 1 else tp
            if len(args) != 1:
                return tp
        else:
            return tp


def _model_at(cls: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    tp: Any = cls
    for part in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            fields = {f.alias or name: f for name, f in tp.model_fields.items()}
            if part not in fields:
                return None
            tp = fields[part].annotation
        elif origin is tuple:
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _allowed_keys(cls: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in cls.model_fields.items()]


def _pydantic_problems(f: _File, cls: type[BaseModel], exc: ValidationError) -> list[Problem]:
    out = []
    errors = exc.errors(include_url=False)
    for err in errors:
        loc = tuple(p for p in err["loc"] if p != "[key]")
        if err["type"] == "too_short" and err.get("input"):
            continue  # "empty after validation": the items' own errors say why
        kind = err["type"]
        leaf = loc[-1] if loc else ""
        if kind == "missing":
            if leaf == "fr":
                msg = "missing French text (fr)"
            elif leaf == "en":
                msg = "missing English text (en)"
            else:
                msg = f"missing required key '{leaf}'"
        elif kind == "extra_forbidden":
            parent = _model_at(cls, loc[:-1])
            allowed = _allowed_keys(parent) if parent else []
            msg = f"unknown key '{leaf}'{did_you_mean(str(leaf), allowed)}"
            if allowed:
                msg += f"; allowed: {', '.join(allowed)}"
        elif kind == "string_pattern_mismatch":
            msg = f"'{err['input']}' is not a valid id: use lower-case letters, digits and _ (like needle_feelings)"
        elif kind in ("int_type", "int_parsing", "int_from_float"):
            msg = f"expected a whole number, got {err['input']!r}"
        elif kind in ("string_type",):
            msg = f"expected text, got {err['input']!r}"
        elif kind in ("bool_type", "bool_parsing"):
            msg = f"expected true or false, got {err['input']!r}"
        elif kind.startswith("date"):
            msg = f"expected a date like 2026-11-24, got {err['input']!r}"
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            msg = f"expected a mapping (key: value), got {type(err['input']).__name__}"
        elif kind in ("tuple_type", "list_type"):
            msg = f"expected a list, got {type(err['input']).__name__}"
        elif kind == "too_short":
            msg = "must not be empty"
        elif kind == "literal_error":
            msg = f"{err['input']!r} is not allowed: {err['ctx']['expected']}{did_you_mean(str(err['input']), _literal_choices(err))}"
        elif kind == "value_error":
            msg = str(err["ctx"]["error"])
        else:
            msg = err["msg"]
        out.append(f.problem(loc, msg))
    return out


def _literal_choices(err: Mapping[str, Any]) -> list[str]:
    expected = str(err.get("ctx", {}).get("expected", ""))
    return [w.strip(" '") for w in expected.replace(" or ", ",").split(",") if w.strip(" '")]


def _read(path: Path, root: Path, cls: type[BaseModel], problems: list[Problem]) -> _File | None:
    shown = _display(path)
    try:
        located = load_yaml_file(path)
    except YamlError as exc:
        problems.append(Problem(shown, exc.line, "(file)", exc.message))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(shown, 1, "(file)", "not UTF-8 text"))
        return None
    except OSError as exc:
        problems.append(Problem(shown, 1, "(file)", f"cannot read: {exc.strerror or exc}"))
        return None
    f = _File(path, shown, located)
    if located.data is None:
        problems.append(f.problem((), "the file is empty"))
        return None
    if not isinstance(located.data, dict):
        problems.append(f.problem((), f"expected a mapping (key: value) at the top, got a {type(located.data).__name__}"))
        return None
    try:
        f.model = cls.model_validate(located.data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(f, cls, exc))
        return None
    return f


def _items(files: list[_File], attr: str) -> Iterator[tuple[_File, int, Any]]:
    for f in files:
        for i, item in enumerate(getattr(f.model, attr)):
            yield f, i, item


def _walk_condition(cond: Condition, loc: Loc) -> Iterator[tuple[Condition, Loc]]:
    yield cond, loc
    for key, children in (("all", cond.all), ("any", cond.any)):
        for i, child in enumerate(children or ()):
            yield from _walk_condition(child, (*loc, key, i))
    if cond.not_ is not None:
        yield from _walk_condition(cond.not_, (*loc, "not"))


def _check_condition(
    f: _File, cond: Condition, loc: Loc, questions: Mapping[str, Question], problems: list[Problem]
) -> None:
    for c, cloc in _walk_condition(cond, loc):
        if c.question is None:
            continue
        q = questions.get(c.question)
        if q is None:
            problems.append(
                f.problem((*cloc, "question"), f"unknown question '{c.question}'{did_you_mean(c.question, questions)}")
            )
            continue
        codes = [(("answer",), c.answer)] if c.answer is not None else [(("in", j), a) for j, a in enumerate(c.in_ or ())]
        for sub, code in codes:
            if q.answer(code) is None:
                problems.append(
                    f.problem(
                        (*cloc, *sub),
                        f"'{code}' is not an answer to {q.id}{did_you_mean(code, q.codes)}; choices: {', '.join(q.codes)}",
                    )
                )


def _duplicates(entries: Iterable[tuple[_File, Loc, str]], what: str, problems: list[Problem]) -> None:
    seen: dict[str, tuple[_File, Loc]] = {}
    for f, loc, ident in entries:
        if ident in seen:
            first_f, first_loc = seen[ident]
            problems.append(
                f.problem(loc, f"duplicate {what} '{ident}' (first at {first_f.shown}:{first_f.located.line_of(first_loc)})")
            )
        else:
            seen[ident] = (f, loc)


def _version(root: Path, paths: list[Path], date: dt.date) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return f"{date.isoformat()}+{h.hexdigest()[:8]}"


# --------------------------------------------------------------------------- loading


def collect(root: Path | str | None = None) -> tuple[Content | None, list[Problem]]:
    """Load and validate; return the content (or None) and every problem found."""
    root = Path(root) if root is not None else content_dir_from_env()
    problems: list[Problem] = []
    if not root.is_dir():
        raise FileNotFoundError(f"content folder not found: {root}")

    paths: list[Path] = []
    singles: dict[str, _File | None] = {}
    for name, cls in SINGLE_FILES.items():
        path = root / name
        if not path.is_file():
            problems.append(Problem(_display(path), 1, "(file)", f"missing file {name}"))
            singles[name] = None
            continue
        paths.append(path)
        singles[name] = _read(path, root, cls, problems)
    folders: dict[str, list[_File]] = {}
    # Cross-file checks that would only repeat an earlier problem are skipped
    # while a file they depend on could not be read.
    complete: dict[str, bool] = {}
    for name, cls in FOLDERS.items():
        folder = root / name
        files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        if not files:
            problems.append(Problem(_display(folder), 1, "(folder)", f"missing folder {name}/ with at least one .yaml file"))
        paths.extend(files)
        folders[name] = [f for f in (_read(p, root, cls, problems) for p in files) if f is not None]
        complete[name] = bool(files) and len(folders[name]) == len(files)
    known = set(SINGLE_FILES) | set(FOLDERS)
    for extra in sorted(root.iterdir()):
        if extra.name.startswith(".") or extra.name in known or extra.name.lower() in ("readme.md",):
            continue
        stems = {Path(k).stem: k for k in known}
        close = difflib.get_close_matches(extra.stem, list(stems), n=1, cutoff=0.6)
        hint = f" (did you mean '{stems[close[0]]}'?)" if close else ""
        problems.append(
            Problem(_display(extra), 1, "(file)", f"not a content file{hint}; expected: {', '.join(sorted(known))}")
        )
    for name, files in folders.items():
        folder = root / name
        if folder.is_dir():
            for extra in sorted(folder.iterdir()):
                if extra.suffix != ".yaml" and not extra.name.startswith("."):
                    problems.append(Problem(_display(extra), 1, "(file)", "content files end in .yaml"))

    index, options_f, comparison_f = singles["index.yaml"], singles["options.yaml"], singles["comparison.yaml"]
    ui_f = singles["ui.yaml"]
    sections, rule_files, flag_files = folders["questions"], folders["rules"], folders["flags"]

    if ui_f:
        for key in REQUIRED_UI_KEYS:
            if key not in ui_f.model.strings:
                problems.append(ui_f.problem(("strings",), f"missing text '{key}' (the lean sentence){did_you_mean(key, ui_f.model.strings)}"))
        for key, text in ui_f.model.strings.items():
            if key.startswith("lean_") and key != "lean_none" and key != "lean_no_needling" and any("{option}" not in t for t in (text.en, text.fr)):
                problems.append(ui_f.problem(("strings", key), "must contain {option} in both languages"))
        for key in ui_f.model.clinician:
            if key in ui_f.model.strings:
                problems.append(ui_f.problem(("clinician", key), f"'{key}' is also in strings: use one name for one text"))

    # ids unique
    _duplicates(((f, ("options", i), o.id) for f, i, o in _items([options_f] if options_f else [], "options")), "option", problems)
    _duplicates(((f, ("id",), f.model.id) for f in sections), "section", problems)
    _duplicates(((f, ("questions", i), q.id) for f, i, q in _items(sections, "questions")), "question", problems)
    for f, i, q in _items(sections, "questions"):
        _duplicates(((f, ("questions", i, "answers", j), a.code) for j, a in enumerate(q.answers)), "answer code", problems)
    _duplicates(((f, ("rules", i), r.id) for f, i, r in _items(rule_files, "rules")), "rule", problems)
    _duplicates(((f, ("flags", i), fl.id) for f, i, fl in _items(flag_files, "flags")), "flag", problems)
    if comparison_f:
        _duplicates(((comparison_f, ("rows", i), r.id) for i, r in enumerate(comparison_f.model.rows)), "row", problems)
    for f in sections:
        if f.path.stem != f.model.id:
            problems.append(f.problem(("id",), f"section id '{f.model.id}' should match its file name '{f.path.stem}'"))

    options: dict[str, Option] = {o.id: o for o in (options_f.model.options if options_f else ())}
    questions: dict[str, Question] = {}
    section_of: dict[str, SectionFile] = {}
    q_where: dict[str, tuple[_File, Loc]] = {}
    for f, i, q in _items(sections, "questions"):
        questions.setdefault(q.id, q)
        section_of.setdefault(q.id, f.model)
        q_where.setdefault(q.id, (f, ("questions", i)))

    # options: the contract's three, two of them scored
    if options_f:
        for oid in contract.OPTIONS:
            if oid not in options:
                problems.append(options_f.problem(("options",), f"option '{oid}' is missing (the aid always compares {', '.join(contract.OPTIONS)})"))
        for i, o in enumerate(options_f.model.options):
            if o.id not in contract.OPTIONS:
                problems.append(options_f.problem(("options", i, "id"), f"unknown option '{o.id}'{did_you_mean(o.id, contract.OPTIONS)}; options are {', '.join(contract.OPTIONS)}"))
            elif o.scored != (o.id in contract.SCORED_OPTIONS):
                problems.append(options_f.problem(("options", i, "scored"), f"'{o.id}' must have scored: {str(o.id in contract.SCORED_OPTIONS).lower()}"))
    scored = [o for o in contract.SCORED_OPTIONS if o in options]

    # questions: the contract's ids, answer codes and section kinds
    kinds = {"safety": set(contract.SAFETY_QUESTIONS), "sure": set(contract.SURE_QUESTIONS)}
    for qid, codes in contract.QUESTIONS.items():
        if qid not in questions:
            if complete["questions"]:
                msg = f"question '{qid}' from the questionnaire contract is missing"
                problems.append(sections[0].problem(("questions",), msg))
            continue
        f, loc = q_where[qid]
        q = questions[qid]
        missing = [c for c in codes if c not in q.codes]
        extra = [c for c in q.codes if c not in codes]
        if missing:
            problems.append(f.problem((*loc, "answers"), f"answer codes missing for {qid}: {', '.join(missing)} (the contract needs {', '.join(codes)})"))
        for j, a in enumerate(q.answers):
            if a.code in extra:
                problems.append(f.problem((*loc, "answers", j, "code"), f"'{a.code}' is not an answer code of {qid} in the contract{did_you_mean(a.code, codes)}; choices: {', '.join(codes)}"))
        kind = section_of[qid].kind
        want = "safety" if qid in kinds["safety"] else "sure" if qid in kinds["sure"] else "questions"
        if kind != want:
            problems.append(f.problem(loc, f"{qid} belongs in a section of kind '{want}', not '{kind}'"))
        if want == "sure" and q.measures != contract.SURE_NEEDS[qid]:
            problems.append(f.problem(loc, f"{qid} must have measures: {contract.SURE_NEEDS[qid]}"))

    # rules: known questions and codes, scored options, no safety answers, spec direction
    non_scoring = {qid for qid, s in section_of.items() if s.kind != "questions"}
    for f, i, r in _items(rule_files, "rules"):
        loc: Loc = ("rules", i)
        if complete["questions"]:
            _check_condition(f, r.when, (*loc, "when"), questions, problems)
        for c, cloc in _walk_condition(r.when, (*loc, "when")):
            if c.question in non_scoring:
                problems.append(f.problem((*cloc, "question"), f"{c.question} is a {section_of[c.question].kind} question: its answers never change scores (use a flag)"))
        for oid in r.points:
            if not options_f:
                continue
            if oid not in options:
                problems.append(f.problem((*loc, "points", oid), f"unknown option '{oid}'{did_you_mean(oid, options)}; scored options: {', '.join(scored)}"))
            elif oid not in scored:
                problems.append(f.problem((*loc, "points", oid), f"'{oid}' is not scored; only {', '.join(scored)} get points"))
        leaves = r.when.leaves()
        if len(leaves) == 1 and r.when.question is not None:
            qid, codes = leaves[0]
            net = r.points.get("ims", 0) - r.points.get("acupuncture", 0)
            for code in codes:
                direction = contract.DIRECTIONS.get((qid, code))
                if qid not in contract.QUESTIONS or qid in non_scoring:
                    continue
                if direction is None and net != 0:
                    problems.append(f.problem((*loc, "points"), f"{qid}={code} is neutral in the questionnaire: it must not move the scores"))
                elif direction is not None and net != 0 and (net > 0) != (direction[0] == "ims"):
                    problems.append(f.problem((*loc, "points"), f"{qid}={code} favours {direction[0]} in the questionnaire, but this rule favours the other option"))
    covered = {(q, c) for r in (r for _, _, r in _items(rule_files, "rules")) for q, codes in r.when.leaves() for c in codes}
    if complete["rules"]:
        for (qid, code), (towards, _) in contract.DIRECTIONS.items():
            if qid in questions and (qid, code) not in covered:
                problems.append(rule_files[0].problem(("rules",), f"no rule scores {qid}={code}, which favours {towards} in the questionnaire"))

    # flags: known questions, codes and options; every required flag present
    raised: dict[tuple[str, str], set[str]] = {}
    for f, i, fl in _items(flag_files, "flags"):
        loc = ("flags", i)
        if complete["questions"]:
            _check_condition(f, fl.when, (*loc, "when"), questions, problems)
        for j, oid in enumerate(fl.options):
            if options_f and oid not in options:
                problems.append(f.problem((*loc, "options", j), f"unknown option '{oid}'{did_you_mean(oid, options)}; options: {', '.join(options)}"))
        if fl.when.question is not None:
            for code in fl.when.leaves()[0][1]:
                raised.setdefault((fl.when.question, code), set()).add(fl.level)
    if complete["flags"]:
        for (qid, code), level in contract.REQUIRED_FLAGS.items():
            if qid not in questions:
                continue
            if not raised.get((qid, code), set()) & set(LEVELS[: LEVELS.index(level) + 1]):
                problems.append(flag_files[0].problem(("flags",), f"{qid}={code} must raise a flag of level {level} or higher"))

    # comparison: one cell per option, same denominator for side effects
    today = dt.date.today()
    if comparison_f:
        for i, row in enumerate(comparison_f.model.rows):
            loc = ("rows", i)
            for oid in options:  # empty when options.yaml could not be read
                if oid not in row.cells:
                    problems.append(comparison_f.problem((*loc, "cells"), f"no cell for option '{oid}': every row needs {', '.join(options)}"))
            for oid, cell in row.cells.items():
                cloc = (*loc, "cells", oid)
                if options_f and oid not in options and oid not in contract.OPTIONS:
                    problems.append(comparison_f.problem(cloc, f"unknown option '{oid}'{did_you_mean(oid, options)}; options: {', '.join(options)}"))
                if cell.reviewed_on > today:
                    problems.append(comparison_f.problem((*cloc, "reviewed_on"), f"reviewed_on {cell.reviewed_on} is in the future"))
            pers = {fr.per for c in row.cells.values() for fr in c.frequencies}
            if len(pers) > 1:
                problems.append(comparison_f.problem(loc, f"side effects must use one denominator per row, got {' and '.join(sorted(pers))}"))
    for f, i, fl in _items(flag_files, "flags"):
        if fl.reviewed_on > today:
            problems.append(f.problem(("flags", i, "reviewed_on"), f"reviewed_on {fl.reviewed_on} is in the future"))

    if problems or index is None or options_f is None or comparison_f is None or ui_f is None:
        return None, problems

    ordered = sorted(sections, key=lambda f: (f.model.order, f.model.id))
    rules = tuple(r for _, _, r in _items(rule_files, "rules"))
    flags = tuple(fl for _, _, fl in _items(flag_files, "flags"))
    content = Content(
        root=root,
        meta=index.model,
        options=types.MappingProxyType({oid: options[oid] for oid in contract.OPTIONS}),
        sections=tuple(f.model for f in ordered),
        questions=types.MappingProxyType({q.id: q for f in ordered for q in f.model.questions}),
        section_of=types.MappingProxyType(section_of),
        rules=rules,
        flags=flags,
        comparison=comparison_f.model.rows,
        ui=types.MappingProxyType({**ui_f.model.clinician, **ui_f.model.strings}),
        version=_version(root, paths, index.model.content_date),
        compiled_rules=tuple(
            CompiledRule(r, compile_condition(r.when), tuple(r.points.items()), r.when.leaves()[0][0]) for r in rules
        ),
        compiled_flags=tuple(CompiledFlag(fl, compile_condition(fl.when), fl.when.leaves()[0][0]) for fl in flags),
    )
    return content, []


def load_content(root: Path | str | None = None) -> Content:
    """Load ``content/`` (or ``root``); raise :class:`ContentError` listing every problem."""
    content, problems = collect(root)
    if content is None:
        raise ContentError(problems)
    return content
