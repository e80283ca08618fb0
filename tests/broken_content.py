"""The broken-content fixtures of tests/fixtures/invalid/, each laid over the shipped content.

Each folder is one failure mode: files laid over a copy of ``content/`` and/or small
``edits.yaml`` replacements, and ``expected.txt`` with every problem it must give, as
``path:line: where: message`` (path relative to the content folder).

:class:`BrokenContent` copies the shipped content once, then builds each fixture from
that copy with hard links (a file the fixture replaces is unlinked first, so the
copy is never written through) and reads each fixture's tree once: the tests of
test_content.py and the generator of docs/checks.md share them.

A fixture's tree is read by the loader itself (:func:`decision.loader.read_tree`: every
file opened, checked, parsed and validated). Most of its files are the shipped ones, so
while the fixtures are read a YAML text parsed before is not parsed again: the loader
gets a fresh copy of that text's earlier parse (:func:`decision.yamlio.parse_yaml`
depends on the text alone and is tested in test_yamlio.py). This makes reading all the
fixtures take about a third of the time.
"""

from __future__ import annotations

import functools
import os
import pickle
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from decision import yamlio
from decision.checks import CHECKS, Check, run_checks
from decision.content import DEFAULT_CONTENT_DIR
from decision.errors import Problem
from decision.loader import Tree, read_tree
from decision.yamlio import load_yaml_file

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"
MODES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
NOT_LAID = ("expected.txt", "edits.yaml")


def expected(mode: str) -> list[str]:
    return (FIXTURES / mode / "expected.txt").read_text(encoding="utf-8").splitlines()


def _replace(target: Path, text: str | None = None, source: Path | None = None) -> None:
    """Write ``target`` as a file of its own (never through a hard link)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    if source is not None:
        shutil.copyfile(source, target)
    else:
        target.write_text(text or "", encoding="utf-8")


def overlay(mode: str, root: Path, base: Path = DEFAULT_CONTENT_DIR) -> Path:
    """``base`` (hard-linked when it is a private copy) with the fixture ``mode`` laid over it, at ``root``."""
    copy = os.link if base != DEFAULT_CONTENT_DIR else shutil.copy2
    shutil.copytree(base, root, copy_function=copy)
    folder = FIXTURES / mode
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name not in NOT_LAID:
            _replace(root / path.relative_to(folder), source=path)
    edits = folder / "edits.yaml"
    if edits.exists():
        for edit in load_yaml_file(edits).data:
            target = root / edit["file"]
            text = target.read_text(encoding="utf-8")
            if edit["replace"] not in text:
                raise ValueError(f"{mode}: '{edit['replace']}' is no longer in {edit['file']}")
            _replace(target, text.replace(edit["replace"], edit["with"], 1))
    return root


def relative(problem: Problem, root: Path) -> str:
    """A problem as expected.txt writes it: its path relative to the content folder."""
    path = Path(problem.path).resolve()
    rel = path.relative_to(root.resolve()) if path.is_relative_to(root.resolve()) else Path(problem.path)
    return f"{rel.as_posix()}:{problem.line}: {problem.where}: {problem.message}"


@contextmanager
def each_text_parsed_once(parsed: dict[tuple[str, Any], bytes]) -> Iterator[None]:
    """Within the block, :func:`decision.yamlio.parse_yaml` parses a text (with the same
    limits) only the first time and gives a fresh copy of that parse after (a text that
    does not parse is parsed, and refused, each time)."""
    parse = yamlio.parse_yaml

    def parse_once(text: str, **limits: Any) -> yamlio.Located:
        key = (text, tuple(sorted(limits.items())))
        if key not in parsed:
            parsed[key] = pickle.dumps(parse(text, **limits))
        return pickle.loads(parsed[key])

    yamlio.parse_yaml = parse_once
    try:
        yield
    finally:
        yamlio.parse_yaml = parse


class BrokenContent:
    """Every fixture built once under ``workdir`` from one copy of the shipped content."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.shipped = workdir / "shipped"
        shutil.copytree(DEFAULT_CONTENT_DIR, self.shipped)
        self._parsed: dict[tuple[str, Any], bytes] = {}

    @functools.cache  # noqa: B019 (one instance per test session)
    def root(self, mode: str) -> Path:
        return overlay(mode, self.workdir / mode, base=self.shipped)

    @functools.cache  # noqa: B019
    def tree(self, mode: str) -> Tree:
        root = self.root(mode)
        with each_text_parsed_once(self._parsed):
            return read_tree(root)

    def problem_lines(self, mode: str) -> list[str]:
        """Every problem of the fixture, as :func:`decision.content.collect` finds them:
        the loader's, then those of every check of the registry."""
        return sorted(self.loader_lines(mode) + [line for c in CHECKS for line in self.check_lines(mode, c)])

    def loader_lines(self, mode: str) -> list[str]:
        """The problems found while reading the files, before any check runs."""
        return sorted(relative(p, self.root(mode)) for p in self.tree(mode).problems)

    @functools.cache  # noqa: B019
    def check_lines(self, mode: str, check: Check) -> list[str]:
        """The problems one check finds in the fixture (each check run once per fixture)."""
        return sorted(relative(p, self.root(mode)) for p in run_checks(self.tree(mode), (check,)))
