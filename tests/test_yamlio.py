"""decision/yamlio.py: safe YAML with line numbers."""

import io
import os

import pytest

from decision.yamlio import (
    CLIP,
    MAX_DEPTH,
    ReadError,
    YamlError,
    clip,
    load_yaml_file,
    parse_yaml,
    read_text_file,
    read_text_stream,
)


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


# --------------------------------------------------------------------------- hostile input


def test_anchors_and_aliases_are_refused():
    bomb = 'a: &a ["lol", "lol"]\nb: &b [*a, *a]\nc: [*b, *b]\n'
    for text in (bomb, "a: &x 1\n", "- *x\n"):
        with pytest.raises(YamlError) as info:
            parse_yaml(text)
        assert "anchors and aliases" in info.value.message


@pytest.mark.parametrize(
    "text",
    [
        "[" * 50_000 + "]" * 50_000,
        "{a: " * 50_000 + "}" * 50_000,
        "".join(" " * i + "-\n" for i in range(1_000)),
        "".join(" " * i + f"k{i}:\n" for i in range(1_000)),
    ],
    ids=["flow-list", "flow-map", "block-list", "block-map"],
)
def test_deep_nesting_is_refused_without_recursing(text):
    with pytest.raises(YamlError) as info:
        parse_yaml(text)
    assert f"nested more than {MAX_DEPTH} levels deep" in info.value.message


def test_nesting_up_to_the_limit_is_fine():
    data = parse_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH).data
    for _ in range(MAX_DEPTH - 1):
        (data,) = data
    assert data == []
    with pytest.raises(YamlError):
        parse_yaml("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("<<: {a: 1}\n", "merge keys"),
        ("a: !!binary aGVsbG8=\n", "is not allowed"),
        ("a: !!timestamp 2020-01-01\n", "is not allowed"),
        ("a: !!set {x}\n", "is not allowed"),
        ("a: 1\n---\nb: 2\n", "a single document"),
        ("? [a]\n: 1\n", "a key must be a word, not a list"),
        ("a: " + "9" * 5000 + "\n", "cannot read the value"),
        ("a: b\x00\n", "not allowed"),
        ("a: b\udcff\n", "not UTF-8"),
    ],
)
def test_other_unwanted_yaml_is_refused_with_a_message(text, fragment):
    with pytest.raises(YamlError) as info:
        parse_yaml(text)
    assert fragment in info.value.message
    assert "\n" not in info.value.message
    assert len(info.value.message) < 300


def test_size_and_value_count_are_capped():
    with pytest.raises(ReadError) as info:
        parse_yaml("a: " + "x" * 100, max_chars=50)
    assert "too big" in info.value.message
    with pytest.raises(YamlError) as info:
        parse_yaml("[" + "1, " * 200 + "]", max_values=100)
    assert "too many values" in info.value.message


def test_a_huge_duplicate_key_is_not_echoed_whole():
    key = "k" * 1000
    with pytest.raises(YamlError) as info:
        parse_yaml(f'"{key}": 1\n"{key}": 2\n')
    assert "duplicate key" in info.value.message
    assert len(info.value.message) < 200 and "\u2026" in info.value.message


def test_clip_cuts_long_text_to_one_line():
    assert clip("short") == "short"
    assert clip("x" * 200) == "x" * (CLIP - 1) + "\u2026"
    assert clip("a\nb") == "a\\nb"


def test_read_text_file_refuses_non_utf8_with_the_line(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("a: 1\nb: é\n".encode("latin-1"))
    with pytest.raises(ReadError) as info:
        load_yaml_file(path)
    assert info.value.line == 2
    assert "not UTF-8" in info.value.message


def test_read_text_file_refuses_a_big_file_before_reading(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 5000, encoding="utf-8")
    with pytest.raises(ReadError) as info:
        read_text_file(path, max_bytes=1000)
    assert "too big" in info.value.message and "limit" in info.value.message


def test_read_text_file_refuses_folders_and_devices(tmp_path):
    with pytest.raises(ReadError) as info:
        load_yaml_file(tmp_path)
    assert "folder" in info.value.message
    if os.path.exists("/dev/zero"):
        with pytest.raises(ReadError) as info:
            read_text_file("/dev/zero")
        assert "device" in info.value.message
    with pytest.raises(FileNotFoundError):
        read_text_file(tmp_path / "missing.yaml")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_read_text_file_refuses_a_named_pipe_without_blocking(tmp_path):
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ReadError) as info:
        read_text_file(fifo)  # opening a FIFO with no writer for reading would block forever
    assert "named pipe" in info.value.message


def test_read_text_stream_caps_and_checks_text():
    assert read_text_stream(io.StringIO("a: 1\n")) == "a: 1\n"
    assert read_text_stream(io.TextIOWrapper(io.BytesIO(b"a: 1\n"))) == "a: 1\n"
    with pytest.raises(ReadError, match="not UTF-8"):
        read_text_stream(io.TextIOWrapper(io.BytesIO(b"a: \xe9\n")))
    with pytest.raises(ReadError, match="not UTF-8"):
        read_text_stream(io.StringIO("a: \udce9\n"))  # what surrogateescape makes of a bad byte
    with pytest.raises(ReadError, match="too big"):
        read_text_stream(io.TextIOWrapper(io.BytesIO(b"x" * 200)), max_bytes=100)
    with pytest.raises(ReadError, match="too big"):
        read_text_stream(io.StringIO("x" * 200), max_bytes=100)
