"""tests/checks_doc.py: docs/checks.md lists every check with its messages and its
broken fixture, and is regenerated, not edited (``make docs``)."""

from __future__ import annotations

import tempfile

import pytest
from checks_doc import DOC, render, summary

from decision import checks


def test_docs_checks_md_is_up_to_date(broken):
    page = render(broken)
    assert DOC.read_text(encoding="utf-8") == page, "docs/checks.md is out of date: run make docs"


def test_the_page_names_every_check_and_every_fixture_line(broken):
    page = DOC.read_text(encoding="utf-8")
    for check in checks.CHECKS:
        assert f"### `{check.__name__}`" in page
    assert "rules/extra.yaml:4: rules.extra_rule.when.question: unknown question 'needle_feeling'" in page
    assert "at most 25 words" in page  # a limit named in a docstring shows its value
    assert str(DOC.parent.parent) not in page and tempfile.gettempdir() not in page  # no path of this machine


def test_a_check_without_a_docstring_cannot_be_documented():
    with pytest.raises(ValueError, match="new_check has no docstring"):
        summary(None, "new_check")


def test_the_readme_s_example_problem_is_one_the_checks_print():
    readme = (DOC.parent.parent / "README.md").read_text(encoding="utf-8")
    examples = [line for line in readme.splitlines() if line.startswith("content/") and ": " in line]
    assert examples
    page = DOC.read_text(encoding="utf-8")
    for line in examples:
        _, _, message = line.split(": ", 2)
        assert message in page, f"README example no longer matches a message: {message}"
