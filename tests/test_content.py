"""decision/loader.py, decision/checks.py, decision/content.py: the shipped content loads
clean, and each broken fixture fails with exactly the problems written beside it.

Each folder in tests/fixtures/invalid/ is one failure mode: files laid over a copy of
the shipped content/ and/or small ``edits.yaml`` replacements, and ``expected.txt``
with every problem it must give, as ``path:line: where: message`` (path relative to
the content folder). A check without a fixture fails ``test_every_check_has_a_fixture``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from decision import ContentError, checks, load_content
from decision.content import DEFAULT_CONTENT_DIR, collect
from decision.yamlio import load_yaml_file

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"
MODES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def overlay(mode: str, tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    folder = FIXTURES / mode
    for path in folder.rglob("*"):
        if path.is_file() and path.name not in ("expected.txt", "edits.yaml"):
            target = root / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    edits = folder / "edits.yaml"
    if edits.exists():
        for edit in load_yaml_file(edits).data:
            target = root / edit["file"]
            text = target.read_text(encoding="utf-8")
            assert edit["replace"] in text, f"{mode}: '{edit['replace']}' is no longer in {edit['file']}"
            target.write_text(text.replace(edit["replace"], edit["with"], 1), encoding="utf-8")
    return root


def problems_of(root: Path) -> list[str]:
    content, problems = collect(root)
    assert content is None
    out = []
    for p in problems:
        path = Path(p.path)
        rel = path.resolve().relative_to(root.resolve()) if path.resolve().is_relative_to(root.resolve()) else path
        out.append(f"{rel.as_posix()}:{p.line}: {p.where}: {p.message}")
    return sorted(out)


def test_shipped_content_loads_without_problems():
    content, problems = collect(DEFAULT_CONTENT_DIR)
    assert problems == []
    assert content is not None
    assert set(content.options) == {"ims", "acupuncture", "no_needling"}
    assert content.version.startswith(content.meta.content_date.isoformat() + "+")


@pytest.mark.parametrize("mode", MODES)
def test_broken_content_gives_exactly_the_expected_problems(mode, tmp_path):
    expected = (FIXTURES / mode / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert expected, f"{mode}/expected.txt is empty"
    assert problems_of(overlay(mode, tmp_path)) == sorted(expected)


def test_every_check_has_a_fixture(tmp_path):
    """Run each fixture through one check at a time: every check must catch at least one."""
    caught: set[str] = set()
    from decision.loader import read_tree

    for mode in MODES:
        tree = read_tree(overlay(mode, tmp_path / mode))
        for check in checks.CHECKS:
            if list(check(tree)):
                caught.add(check.__name__)
    missing = {c.__name__ for c in checks.CHECKS} - caught
    assert not missing, f"checks with no broken fixture: {sorted(missing)}"


def test_every_problem_is_reported_at_once(tmp_path):
    root = overlay("rule_unknown_question", tmp_path)
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
