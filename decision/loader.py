"""Read ``content/`` into validated file models, with the line of every value.

The loader only loads: it reads each file (:mod:`decision.yamlio`), validates it
against its pydantic model (:mod:`decision.models`) and translates pydantic's
errors into ``path:line: where: message`` problems. Checks *between* files live in
:mod:`decision.checks`; building the usable :class:`~decision.content.Content` in
:mod:`decision.content`.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from decision.errors import Problem
from decision.models import (
    ComparisonFile,
    ContextCapsFile,
    FlagsFile,
    IndexFile,
    Option,
    OptionsFile,
    Question,
    RulesFile,
    SectionFile,
    Source,
    SourcesFile,
    UiFile,
)
from decision.yamlio import Loc, Located, YamlError, load_yaml_file

SINGLE_FILES: dict[str, type[BaseModel]] = {
    "index.yaml": IndexFile,
    "options.yaml": OptionsFile,
    "comparison.yaml": ComparisonFile,
    "sources.yaml": SourcesFile,
    "ui.yaml": UiFile,
    "context_caps.yaml": ContextCapsFile,
}
FOLDERS: dict[str, type[BaseModel]] = {
    "questions": SectionFile,
    "rules": RulesFile,
    "flags": FlagsFile,
}


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def display(path: Path) -> str:
    """Paths under the working folder print relative (content/rules/x.yaml), others as given."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass
class File:
    """One content file: where it is, its parsed data with lines, and its model."""

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
                parts.append(ident if isinstance(ident, str) else f"[{part}]")
                node = item
            else:
                parts.append(str(part))
                node = node.get(part) if isinstance(node, dict) else None
        return ".".join(parts) or "(top)"

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.shown, self.located.line_of(loc), self.where(loc), message)


# ------------------------------------------------------------------ pydantic errors in words


def _unwrap(tp: Any) -> Any:
    """Strip Annotated / Optional down to the type inside."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
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


def _literal_choices(err: Mapping[str, Any]) -> list[str]:
    expected = str(err.get("ctx", {}).get("expected", ""))
    return [w.strip(" '") for w in expected.replace(" or ", ",").split(",") if w.strip(" '")]


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _missing(leaf: Any) -> str:
    if leaf == "fr":
        return "missing French text (fr)"
    if leaf == "en":
        return "missing English text (en)"
    return f"missing required key '{leaf}'"


def _unknown_key(cls: type[BaseModel], loc: Loc) -> str:
    leaf = loc[-1] if loc else ""
    parent = _model_at(cls, loc[:-1])
    allowed = [f.alias or name for name, f in parent.model_fields.items()] if parent else []
    msg = f"unknown key '{leaf}'{did_you_mean(str(leaf), allowed)}"
    return msg + (f"; allowed: {', '.join(allowed)}" if allowed else "")


_SIMPLE: dict[str, str] = {
    "int_type": "expected a whole number, got {input}",
    "int_parsing": "expected a whole number, got {input}",
    "int_from_float": "expected a whole number, got {input}",
    "string_type": "expected text, got {input}",
    "bool_type": "expected true or false, got {input}",
    "bool_parsing": "expected true or false, got {input}",
    "too_short": "must not be empty",
    "greater_than_equal": "must be at least {ge}, got {input}",
    "less_than_equal": "must be at most {le}, got {input}",
}


def error_message(cls: type[BaseModel], err: Mapping[str, Any], loc: Loc) -> str:
    """One pydantic error in the words of someone editing the YAML."""
    kind = err["type"]
    if kind == "missing":
        return _missing(loc[-1] if loc else "")
    if kind == "extra_forbidden":
        return _unknown_key(cls, loc)
    if kind == "string_pattern_mismatch":
        return f"{_short(err['input'])} is not a valid id: use lower-case letters, digits and _ (like needle_feelings)"
    if kind.startswith("date"):
        return f"expected a date like 2026-11-24, got {_short(err['input'])}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping (key: value), got {type(err['input']).__name__}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list, got {type(err['input']).__name__}"
    if kind == "literal_error":
        choices = _literal_choices(err)
        return (
            f"{_short(err['input'])} is not allowed: {err['ctx']['expected']}{did_you_mean(str(err['input']), choices)}"
        )
    if kind == "value_error":
        return str(err["ctx"]["error"])
    if kind in _SIMPLE:
        return _SIMPLE[kind].format(input=_short(err.get("input")), **err.get("ctx", {}))
    return str(err["msg"])


def pydantic_problems(f: File, cls: type[BaseModel], exc: ValidationError) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        if err["type"] == "too_short" and err.get("input"):
            continue  # "empty after validation": the items' own errors say why
        loc = tuple(p for p in err["loc"] if p != "[key]")
        out.append(f.problem(loc, error_message(cls, err, loc)))
    return out


# ------------------------------------------------------------------ reading files


def read_file(path: Path, cls: type[BaseModel], problems: list[Problem]) -> File | None:
    """Parse and validate one file; on failure add its problems and return None."""
    shown = display(path)
    try:
        located = load_yaml_file(path)
    except YamlError as exc:
        problems.append(Problem(shown, exc.line, "(file)", exc.message))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(shown, 1, "(file)", "not UTF-8 text"))
        return None
    except RecursionError:
        problems.append(Problem(shown, 1, "(file)", "nested too deeply"))
        return None
    except OSError as exc:
        problems.append(Problem(shown, 1, "(file)", f"cannot read: {exc.strerror or exc}"))
        return None
    f = File(path, shown, located)
    if located.data is None:
        problems.append(f.problem((), "the file is empty"))
        return None
    if not isinstance(located.data, dict):
        problems.append(
            f.problem((), f"expected a mapping (key: value) at the top, got a {type(located.data).__name__}")
        )
        return None
    try:
        f.model = cls.model_validate(located.data)
    except ValidationError as exc:
        problems.extend(pydantic_problems(f, cls, exc))
        return None
    return f


@dataclass
class Tree:
    """Every content file that could be read, plus the problems of those that could not.

    ``complete[folder]`` is False when a file of that folder failed: checks across
    files then skip what would only repeat an earlier problem.
    """

    root: Path
    singles: dict[str, File | None]
    folders: dict[str, list[File]]
    complete: dict[str, bool]
    paths: list[Path]
    problems: list[Problem] = field(default_factory=list)

    def single(self, name: str) -> File | None:
        return self.singles.get(name)

    def items(self, folder: str, attr: str) -> Iterator[tuple[File, int, Any]]:
        for f in self.folders.get(folder, ()):
            for i, item in enumerate(getattr(f.model, attr)):
                yield f, i, item

    @cached_property
    def options(self) -> dict[str, Option]:
        f = self.single("options.yaml")
        return {o.id: o for o in (f.model.options if f else ())}

    @cached_property
    def sources(self) -> dict[str, Source]:
        f = self.single("sources.yaml")
        return {s.id: s for s in (f.model.sources if f else ())}

    @cached_property
    def questions(self) -> dict[str, Question]:
        out: dict[str, Question] = {}
        for _, _, q in self.items("questions", "questions"):
            out.setdefault(q.id, q)
        return out

    @cached_property
    def question_where(self) -> dict[str, tuple[File, Loc]]:
        out: dict[str, tuple[File, Loc]] = {}
        for f, i, q in self.items("questions", "questions"):
            out.setdefault(q.id, (f, ("questions", i)))
        return out

    @cached_property
    def section_of(self) -> dict[str, SectionFile]:
        return {qid: f.model for qid, (f, _) in self.question_where.items()}


def _stray_files(root: Path) -> Iterator[Problem]:
    known = set(SINGLE_FILES) | set(FOLDERS)
    stems = {Path(k).stem: k for k in known}
    for extra in sorted(root.iterdir()):
        if extra.name.startswith(".") or extra.name in known or extra.name.lower() == "readme.md":
            continue
        close = difflib.get_close_matches(extra.stem, list(stems), n=1, cutoff=0.6)
        hint = f" (did you mean '{stems[close[0]]}'?)" if close else ""
        yield Problem(display(extra), 1, "(file)", f"not a content file{hint}; expected: {', '.join(sorted(known))}")
    for name in FOLDERS:
        folder = root / name
        if folder.is_dir():
            for extra in sorted(folder.iterdir()):
                if extra.suffix != ".yaml" and not extra.name.startswith("."):
                    yield Problem(display(extra), 1, "(file)", "content files end in .yaml")


def read_tree(root: Path) -> Tree:
    """Read every content file under ``root`` (which must be a folder)."""
    problems: list[Problem] = []
    paths: list[Path] = []
    singles: dict[str, File | None] = {}
    for name, cls in SINGLE_FILES.items():
        path = root / name
        if not path.is_file():
            problems.append(Problem(display(path), 1, "(file)", f"missing file {name}"))
            singles[name] = None
            continue
        paths.append(path)
        singles[name] = read_file(path, cls, problems)
    folders: dict[str, list[File]] = {}
    complete: dict[str, bool] = {}
    for name, cls in FOLDERS.items():
        folder = root / name
        files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        if not files:
            problems.append(
                Problem(display(folder), 1, "(folder)", f"missing folder {name}/ with at least one .yaml file")
            )
        paths.extend(files)
        folders[name] = [f for f in (read_file(p, cls, problems) for p in files) if f is not None]
        complete[name] = bool(files) and len(folders[name]) == len(files)
    problems.extend(_stray_files(root))
    return Tree(root, singles, folders, complete, paths, problems)
