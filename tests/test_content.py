"""decision/content.py: the real content loads clean; each broken fixture fails as it should.

Each folder in tests/fixtures/invalid/ holds one failure mode: files laid over a
copy of the shipped content/ (a new file, or a small replacement of one file).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from decision import ContentError, load_content
from decision.content import DEFAULT_CONTENT_DIR, collect

FIXTURES = Path(__file__).parent / "fixtures" / "invalid"

# (failure mode, file, line, fragments of the message that must all appear)
CASES = [
    ("malformed_yaml", "rules/extra.yaml", 4, ["(file)", "not valid YAML"]),
    ("duplicate_key", "rules/extra.yaml", 5, ["duplicate key 'points'", "first given on line 4"]),
    ("unknown_key", "rules/extra.yaml", 4, ["rules.extra_rule.point", "unknown key 'point'", "did you mean 'points'?"]),
    ("missing_french", "questions/extra.yaml", 8, ["questions.extra_question.text", "missing French text"]),
    ("missing_english", "flags/extra.yaml", 6, ["flags.extra_flag.message", "missing English text"]),
    ("rule_unknown_question", "rules/extra.yaml", 3,
     ["rules.extra_rule.when.question", "unknown question 'needle_feeling'", "did you mean 'needle_feelings'?"]),
    ("rule_unknown_answer", "rules/extra.yaml", 3,
     ["rules.extra_rule.when.answer", "'panic' is not an answer to needle_feelings", "did you mean 'panic_faint'?"]),
    ("rule_unknown_option", "rules/extra.yaml", 4,
     ["rules.extra_rule.points.acupunture", "unknown option 'acupunture'", "did you mean 'acupuncture'?"]),
    ("rule_on_safety_question", "rules/extra.yaml", 3, ["blood_thinners is a safety question", "never change scores"]),
    ("rule_against_spec_direction", "rules/extra.yaml", 4, ["problem_kind=tight_knot favours ims", "the other option"]),
    ("rule_points_not_a_number", "rules/extra.yaml", 4, ["rules.extra_rule.points.ims", "expected a whole number, got 'two'"]),
    ("rule_bad_condition_shape", "rules/extra.yaml", 5, ["rules.extra_rule.when.all.[0]", "a condition is exactly one of"]),
    ("duplicate_rule_id", "rules/extra.yaml", 7, ["duplicate rule 'extra_rule'", "rules/extra.yaml:2"]),
    ("rule_id_not_snake_case", "rules/extra.yaml", 2, ["'Extra-Rule' is not a valid id"]),
    ("flag_unknown_option", "flags/extra.yaml", 5, ["flags.extra_flag.options", "unknown option 'acupunture'", "did you mean 'acupuncture'?"]),
    ("flag_unknown_level", "flags/extra.yaml", 3, ["flags.extra_flag.level", "'warning' is not allowed"]),
    ("flag_bad_date", "flags/extra.yaml", 9, ["flags.extra_flag.reviewed_on", "expected a date like 2026-11-24"]),
    ("empty_file", "rules/extra.yaml", 1, ["the file is empty"]),
    ("top_level_list", "rules/extra.yaml", 1, ["expected a mapping (key: value) at the top, got a list"]),
    ("unknown_content_file", "rulez.yaml", 1, ["not a content file", "did you mean 'rules'?"]),
    ("comparison_cell_without_source", "comparison.yaml", 9, ["rows.what_it_is.cells.acupuncture", "missing required key 'source'"]),
    ("comparison_missing_column", "comparison.yaml", 4, ["rows.what_it_is.cells", "no cell for option 'no_needling'"]),
    ("comparison_mixed_denominators", "comparison.yaml", 2, ["rows.side_effects", "one denominator per row"]),
    ("lean_thresholds_reversed", "index.yaml", 6, ["lean", "strong (3) must be more than slight (4)"]),
    ("option_missing", "options.yaml", 1, ["option 'no_needling' is missing"]),
]


def overlay(mode: str, tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    shutil.copytree(FIXTURES / mode, root, dirs_exist_ok=True)
    return root


def test_shipped_content_loads_without_problems():
    content, problems = collect(DEFAULT_CONTENT_DIR)
    assert problems == []
    assert content is not None
    assert set(content.options) == {"ims", "acupuncture", "no_needling"}
    assert content.version.startswith(content.meta.content_date.isoformat() + "+")


def test_every_fixture_folder_has_a_case():
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == sorted(c[0] for c in CASES)


@pytest.mark.parametrize(("mode", "file", "line", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_broken_content_is_reported_with_file_line_and_message(mode, file, line, fragments, tmp_path):
    root = overlay(mode, tmp_path)
    with pytest.raises(ContentError) as info:
        load_content(root)
    problems = info.value.problems
    expected_path = str((root / file).relative_to(Path.cwd())) if (root / file).is_relative_to(Path.cwd()) else None
    matching = [p for p in problems if p.path.endswith(file) and p.line == line and all(f in str(p) for f in fragments)]
    assert matching, "\n".join(str(p) for p in problems)
    # The broken file is the only one blamed: no noise from the rest of the content.
    assert all(p.path.endswith(file) for p in problems), "\n".join(str(p) for p in problems)
    if expected_path:
        assert matching[0].path == expected_path
    # The printed form is path:line: where: message.
    assert str(matching[0]).startswith(f"{matching[0].path}:{line}: ")


def test_every_problem_is_reported_at_once(tmp_path):
    root = overlay("rule_unknown_question", tmp_path)
    shutil.copytree(FIXTURES / "flag_unknown_option", root, dirs_exist_ok=True)
    shutil.copytree(FIXTURES / "comparison_missing_column", root, dirs_exist_ok=True)
    with pytest.raises(ContentError) as info:
        load_content(root)
    text = str(info.value)
    assert "unknown question 'needle_feeling'" in text
    assert "unknown option 'acupunture'" in text
    assert "no cell for option 'no_needling'" in text
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
