"""decision/yamlio.py: safe YAML with line numbers."""

import pytest

from decision.yamlio import YamlError, parse_yaml


def test_yes_no_on_off_and_dates_stay_text():
    data = parse_yaml("a: yes\nb: no\nc: on\nd: 2026-11-24\ne: true\nf: 3\n").data
    assert data == {"a": "yes", "b": "no", "c": "on", "d": "2026-11-24", "e": True, "f": 3}


def test_every_key_and_item_has_its_line():
    located = parse_yaml("rules:\n  - id: a\n    points:\n      ims: 2\n  - id: b\n")
    assert located.lines[("rules", 0, "points", "ims")] == 4
    assert located.lines[("rules", 1)] == 5
    assert located.line_of(("rules", 1, "missing_key")) == 5


def test_duplicate_keys_are_refused_with_both_lines():
    with pytest.raises(YamlError) as info:
        parse_yaml("a:\n  b: 1\n  b: 2\n")
    assert info.value.line == 3
    assert "duplicate key 'b' (first given on line 2)" in info.value.message


@pytest.mark.parametrize("text", ["a: !!python/object:os.system x\n", "a: !custom 1\n"])
def test_no_python_objects_or_custom_tags(text):
    with pytest.raises(YamlError):
        parse_yaml(text)


def test_syntax_errors_give_a_line():
    with pytest.raises(YamlError) as info:
        parse_yaml("a: 1\nb: [1, 2\nc: 3\n")
    assert info.value.line >= 2
    assert "not valid YAML" in info.value.message


def test_empty_text_is_none():
    assert parse_yaml("# only a comment\n").data is None
