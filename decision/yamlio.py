"""Safe YAML loading that remembers where every value came from.

* Only plain data: mappings, lists, strings, integers, floats, ``true``/``false``
  and null. No Python objects, no custom tags.
* ``yes``, ``no``, ``on`` and ``off`` stay strings (YAML 1.1 would make them
  booleans, and ``yes`` / ``no`` are answer codes here).
* Dates stay strings (pydantic parses them where a date is expected).
* Duplicate keys are an error, not a silent overwrite.
* Every key and list item gets its 1-based line number, so validation errors can
  say ``file.yaml:12``.

Hostile input is refused before it can cost much: only regular files are read
(a named pipe or a device is never opened for reading), at most
:data:`MAX_FILE_BYTES` of it, UTF-8 only; anchors and aliases (``&a`` / ``*a``,
the "billion laughs") are refused; nesting deeper than :data:`MAX_DEPTH` and more
than :data:`MAX_VALUES` values are refused. The data is built straight from the
parser's events with an explicit stack, so no input can make Python (or the C
composer) recurse.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

from decision.errors import DecisionError

Loc = tuple[str | int, ...]

MAX_FILE_BYTES = 2 * 1024 * 1024  # content files are under 50 kB, answer files under 2 kB
MAX_DEPTH = 64  # content nests 8 deep
MAX_VALUES = 100_000  # content files hold under 1,000
CLIP = 80  # longest piece of the input echoed back in a message


class YamlError(DecisionError):
    """The text is not YAML we accept. ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


class ReadError(YamlError):
    """The file cannot be read as text: not a regular file, too big, or not UTF-8."""


def clip(text: object, limit: int = CLIP) -> str:
    """``text`` on one line, cut at ``limit`` characters with "…" when longer."""
    s = str(text)
    if len(s) > limit:
        s = s[: limit - 1] + "\u2026"
    return s.replace("\r", "\\r").replace("\n", "\\n")


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} kB" if n >= 1024 else f"{n} bytes"


def _too_big(n: int | None, limit: int) -> ReadError:
    size = f" ({_size(n)})" if n is not None else ""
    return ReadError(1, f"too big{size}: the limit is {_size(limit)}")


_KINDS = (
    (stat.S_ISDIR, "it is a folder, not a file"),
    (stat.S_ISFIFO, "it is a named pipe, not a regular file"),
    (stat.S_ISCHR, "it is a device, not a regular file"),
    (stat.S_ISBLK, "it is a device, not a regular file"),
    (stat.S_ISSOCK, "it is a socket, not a regular file"),
)


def _not_regular(mode: int) -> ReadError:
    reason = next((text for test, text in _KINDS if test(mode)), "not a regular file")
    return ReadError(1, reason)


def decode_utf8(data: bytes) -> str:
    """``data`` as UTF-8 text. Raises :class:`ReadError` naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReadError(
            line, f"not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}): save it as UTF-8"
        ) from None


def _check_text(text: str, max_bytes: int) -> str:
    if len(text) > max_bytes:
        raise _too_big(None, max_bytes)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates: bytes that were not UTF-8, decoded with surrogateescape
        line = text.count("\n", 0, exc.start) + 1
        raise ReadError(line, f"not UTF-8 text (line {line}): save it as UTF-8") from None
    return text


def read_text_file(path: Path | str, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """A regular file's UTF-8 text, at most ``max_bytes`` long.

    Raises :class:`ReadError` (not a regular file, too big, not UTF-8) or ``OSError``
    (missing, permission denied). A named pipe, device or folder is refused from
    ``os.stat`` alone, without opening it for reading, so it can never block.
    """
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(st.st_mode)
    if st.st_size > max_bytes:
        raise _too_big(st.st_size, max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())  # the same file we stat'ed, not one swapped in since
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(st.st_mode)
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(None, max_bytes)
    return decode_utf8(data)


def read_text_stream(stream: IO[Any], *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """At most ``max_bytes`` of UTF-8 text from a stream (standard input). Raises :class:`ReadError`."""
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        data = buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise _too_big(None, max_bytes)
        return decode_utf8(data)
    return _check_text(stream.read(max_bytes + 1), max_bytes)


# libyaml's C parser when PyYAML has it (the wheels do): parsing the content is
# then about ten times faster. Events, marks and errors have the same shape.
_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """SafeLoader without YAML 1.1 booleans (yes/no/on/off) and timestamps."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

_T = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_T + name for name in ("str", "int", "float", "bool", "null")}
_MAP_TAG, _SEQ_TAG, _MERGE_TAG = _T + "map", _T + "seq", _T + "merge"


@dataclass
class Located:
    """Parsed data plus the line of every key path in it."""

    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int:
        """Line of ``loc``, or of its nearest parent that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


class _Frame:
    __slots__ = ("key", "loc", "value")

    def __init__(self, value: dict[Any, Any] | list[Any], loc: Loc):
        self.value = value
        self.loc = loc
        self.key: Any = _NO_KEY


_NO_KEY = object()
_ALIAS = "anchors and aliases (&name, *name) are not allowed: write the value out in full"


def _scalar(loader: _Loader, event: yaml.ScalarEvent, line: int) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _MERGE_TAG:
        raise YamlError(line, "merge keys (<<) are not allowed: write the keys out in full")
    if tag not in _SCALAR_TAGS:
        raise YamlError(
            line, f"the tag '{clip(event.tag or tag)}' is not allowed: plain text, numbers and true/false only"
        )
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        return loader.yaml_constructors[tag](loader, node)
    except (ValueError, TypeError, yaml.YAMLError):  # e.g. an integer of more than 4,300 digits
        raise YamlError(line, f"cannot read the value '{clip(event.value)}'") from None


def _take_key(loader: _Loader, event: Any, line: int, top: _Frame, lines: dict[Loc, int]) -> None:
    """The event is the next key of the mapping on top of the stack."""
    if type(event) is not yaml.ScalarEvent:
        what = "a mapping" if type(event) is yaml.MappingStartEvent else "a list"
        raise YamlError(line, f"a key must be a word, not {what}")
    key = _scalar(loader, event, line)
    if not isinstance(key, (str, int)):
        raise YamlError(line, f"a key must be a word, not {clip(repr(key))}")
    if key in top.value:
        first = lines.get((*top.loc, key), "?")
        raise YamlError(line, f"duplicate key '{clip(key)}' (first given on line {first})")
    lines[(*top.loc, key)] = line
    top.key = key


def _new_value(loader: _Loader, event: Any, line: int, depth: int, max_depth: int) -> Any:
    """A scalar's value, or an empty mapping or list for a collection that starts here."""
    if type(event) is yaml.ScalarEvent:
        return _scalar(loader, event, line)
    expected = _MAP_TAG if type(event) is yaml.MappingStartEvent else _SEQ_TAG
    if event.tag is not None and event.tag not in ("!", expected):
        raise YamlError(line, f"the tag '{clip(event.tag)}' is not allowed: plain mappings and lists only")
    if depth >= max_depth:
        raise YamlError(line, f"nested more than {max_depth} levels deep")
    return {} if type(event) is yaml.MappingStartEvent else []


def _place(top: _Frame | None, lines: dict[Loc, int], line: int) -> Loc:
    """Where the next value goes, recording its line."""
    if top is None:
        loc: Loc = ()
    elif isinstance(top.value, dict):
        loc = (*top.loc, top.key)
    else:
        loc = (*top.loc, len(top.value))
        lines[loc] = line
    lines.setdefault(loc, line)
    return loc


def _check_value(event: Any, line: int, n: int, max_values: int) -> None:
    """Refuse an anchor or alias, and the value past ``max_values`` (this event starts the ``n``-th)."""
    if type(event) is yaml.AliasEvent or getattr(event, "anchor", None) is not None:
        raise YamlError(line, _ALIAS)
    if n > max_values:
        raise YamlError(line, f"too many values: the limit is {max_values:,}")


def _put(top: _Frame, value: Any) -> None:
    """Put ``value`` into the mapping or list on top of the stack (a mapping's under its key)."""
    if isinstance(top.value, dict):
        top.value[top.key] = value
        top.key = _NO_KEY
    else:
        top.value.append(value)


def _events_to_data(loader: _Loader, lines: dict[Loc, int], max_depth: int, max_values: int) -> Any:
    """The document's data from its events, with an explicit stack (no recursion)."""
    stack: list[_Frame] = []
    values = 0
    while True:
        event = loader.get_event()
        kind = type(event)
        line = event.start_mark.line + 1
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            done = stack.pop()
            if not stack:
                return done.value
            continue
        values += 1
        _check_value(event, line, values, max_values)
        top = stack[-1] if stack else None
        if top is not None and top.key is _NO_KEY and isinstance(top.value, dict):
            _take_key(loader, event, line, top, lines)
            continue
        loc = _place(top, lines, line)
        value = _new_value(loader, event, line, len(stack), max_depth)
        if top is not None:
            _put(top, value)
        elif kind is yaml.ScalarEvent:
            return value  # the whole document is one plain value
        if kind is not yaml.ScalarEvent:
            stack.append(_Frame(value, loc))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def parse_yaml(
    text: str, *, max_chars: int = MAX_FILE_BYTES, max_depth: int = MAX_DEPTH, max_values: int = MAX_VALUES
) -> Located:
    """Parse one YAML document, keeping line numbers. Raises :class:`YamlError`."""
    _check_text(text, max_chars)
    loader = _Loader(text)
    try:
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return Located(None, {(): 1})
        loader.get_event()  # document start
        lines: dict[Loc, int] = {}
        data = _events_to_data(loader, lines, max_depth, max_values)
        loader.get_event()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            line = loader.peek_event().start_mark.line + 1
            raise YamlError(line, "not valid YAML: expected a single document, but found another one")
        return Located(data, lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = _one_line(exc.problem or exc.context or "not valid YAML")
        if "expected ',' or '}'" in problem or "mapping values are not allowed" in problem:
            problem += ' (text with : ? # or a comma needs "quotes")'
        raise YamlError(line, f"not valid YAML: {clip(problem, 200)}") from None
    except yaml.reader.ReaderError as exc:
        position = exc.position if isinstance(exc.position, int) else 0
        line = text.count("\n", 0, position) + 1
        character = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        raise YamlError(line, f"not valid YAML: the character #x{character:04x} is not allowed") from None
    except yaml.YAMLError as exc:
        raise YamlError(1, f"not valid YAML: {clip(_one_line(str(exc)), 200)}") from None
    finally:
        loader.dispose()


def load_yaml_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Located:
    """Read and parse a YAML file. Raises :class:`YamlError` (:class:`ReadError` included) or ``OSError``."""
    return parse_yaml(read_text_file(path, max_bytes=max_bytes), max_chars=max_bytes)
