"""decision/loader.py, decision/checks.py, decision/content.py: the shipped content loads
clean, and each broken fixture fails with exactly the problems written beside it.

The fixtures (tests/fixtures/invalid/, see tests/broken_content.py) are built once per
session from one copy of the shipped content. A check without a fixture fails
``test_every_check_has_a_fixture``.
"""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path

import pytest
from broken_content import FIXTURES, MODES, expected, overlay, relative
from pydantic import ValidationError

from decision import ContentError, checks, load_content
from decision.content import DEFAULT_CONTENT_DIR, collect


def problems_of(root: Path) -> list[str]:
    content, problems = collect(root)
    assert content is None
    return sorted(relative(p, root) for p in problems)


def test_shipped_content_loads_without_problems():
    content, problems = collect(DEFAULT_CONTENT_DIR)
    assert problems == []
    assert content is not None
    assert set(content.options) == {"ims", "acupuncture", "no_needling"}
    assert content.version.startswith(content.meta.content_date.isoformat() + "+")


@pytest.mark.parametrize("mode", MODES)
def test_broken_content_gives_exactly_the_expected_problems(mode, broken):
    want = expected(mode)
    assert want, f"{mode}/expected.txt is empty"
    assert broken.problem_lines(mode) == sorted(want)


def test_broken_content_is_refused_as_a_whole(tmp_path):
    """collect() itself: no content, and the problems of the fixture (the cases above read
    each fixture's tree once and run the same registry of checks)."""
    root = overlay("rule_unknown_target", tmp_path / "content")
    assert problems_of(root) == expected("rule_unknown_target")


def test_every_check_has_a_fixture(broken):
    """Run each fixture through one check at a time: every check must catch at least one."""
    caught = {check.__name__ for mode in MODES for check in checks.CHECKS if broken.check_lines(mode, check)}
    missing = {c.__name__ for c in checks.CHECKS} - caught
    assert not missing, f"checks with no broken fixture: {sorted(missing)}"


def test_every_check_function_is_in_the_registry_once():
    """A public function of checks.py that takes the tree is a check: it runs only from CHECKS."""
    functions = [
        f
        for name, f in inspect.getmembers(checks, inspect.isfunction)
        if f.__module__ == checks.__name__ and not name.startswith("_")
    ]
    takes_tree = {f.__name__ for f in functions if next(iter(inspect.signature(f).parameters), "") == "tree"}
    registered = [c.__name__ for c in checks.CHECKS]
    assert len(registered) == len(set(registered))
    assert takes_tree - {"run_checks"} == set(registered)


def test_every_problem_is_reported_at_once(tmp_path):
    root = overlay("rule_unknown_question", tmp_path / "content")
    for mode in ("flag_unknown_option", "section_id_not_file_name"):
        shutil.copytree(FIXTURES / mode, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.txt"))
    with pytest.raises(ContentError) as info:
        load_content(root)
    text = str(info.value)
    assert "unknown question 'needle_feeling'" in text
    assert "a flag applies to a needling option" in text
    assert "should match its file name" in text
    assert text.splitlines()[0] == f"{len(info.value.problems)} problems in the content:"


def test_missing_content_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="content folder not found"):
        load_content(tmp_path / "nowhere")


def test_content_version_changes_when_any_file_changes(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    before = load_content(root).version
    ui = root / "ui.yaml"
    ui.write_text(ui.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after = load_content(root).version
    assert before != after
    assert before.split("+")[0] == after.split("+")[0]


def test_skipped_safety_items_become_info_flags_named_after_the_item():
    content = load_content()
    skipped = {f.id: f for f in content.flags if f.id.endswith("_unanswered")}
    assert set(skipped) == {f"{q}_unanswered" for q in content.safety_ids}
    label = content.questions["lymph"].label
    assert label.en in skipped["lymph_unanswered"].message.en
    assert label.fr in skipped["lymph_unanswered"].message.fr
    assert all(f.level == "info" for f in skipped.values())


def test_content_is_immutable():
    content = load_content()
    rule = content.rules[0]
    with pytest.raises(TypeError):
        rule.points["ims"] = 99  # type: ignore[index]
    with pytest.raises(ValidationError):
        rule.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        content.questions["x"] = None  # type: ignore[index]
    with pytest.raises(TypeError):
        content.comparison[0].cells["ims"] = None  # type: ignore[index]


def test_the_grid_shows_by_default_the_rows_patients_ask_first():
    """Issue 16: what it is, how it feels, after, side effects, serious harms and how
    many are helped are on screen; the rest is behind "More questions"."""
    rows = load_content().comparison
    default = [r.id for r in rows if r.shown == "default"]
    assert default == ["what_it_is", "during", "after", "helped", "side_effects", "serious_harms"]
    assert {r.shown for r in rows} == {"default", "more"}


def test_benefits_are_given_in_like_terms_with_one_certainty_statement_per_option():
    """IPDAS C1/C5: one row answers "how many are helped" for all three options, each
    with a number or "no comparable number found", and one certainty statement each."""
    [helped] = [r for r in load_content().comparison if r.id == "helped"]
    assert set(helped.cells) == {"ims", "acupuncture", "no_needling"}
    for oid, cell in helped.cells.items():
        short = cell.short.en
        assert "No comparable number found" in short or any(ch.isdigit() for ch in short.split(".")[0]), oid
        assert short.count("How sure:") == 1, oid
        assert cell.short.fr.count("Certitude") == 1, oid
    assert "very low to moderate" in helped.cells["ims"].short.en
    texts = [c.text.en + c.short.en for r in load_content().comparison for c in r.cells.values()]
    assert not any("fair in quality" in t or "very low to fair" in t for t in texts)
