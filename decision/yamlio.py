"""Safe YAML loading that remembers where every value came from.

* Only plain data: mappings, lists, strings, integers, floats, ``true``/``false``
  and null. No Python objects, no custom tags.
* ``yes``, ``no``, ``on`` and ``off`` stay strings (YAML 1.1 would make them
  booleans, and ``yes`` / ``no`` are answer codes here).
* Dates stay strings (pydantic parses them where a date is expected).
* Duplicate keys are an error, not a silent overwrite.
* Every key and list item gets its 1-based line number, so validation errors can
  say ``file.yaml:12``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Loc = tuple[str | int, ...]


class YamlError(Exception):
    """The text is not YAML we accept. ``line`` is 1-based."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


# libyaml's C parser when PyYAML has it (the wheels do): parsing the content is
# then about ten times faster. Nodes, marks and errors have the same shape.
_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc,valid-type]
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


def _build(node: yaml.Node, loader: _Loader, loc: Loc, lines: dict[Loc, int]) -> Any:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int)):
                raise YamlError(key_node.start_mark.line + 1, f"a key must be a word, not {key!r}")
            if key in out:
                first = lines.get((*loc, key), "?")
                raise YamlError(key_node.start_mark.line + 1, f"duplicate key '{key}' (first given on line {first})")
            lines[(*loc, key)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, loader, (*loc, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            lines[(*loc, i)] = item.start_mark.line + 1
            items.append(_build(item, loader, (*loc, i), lines))
        return items
    return loader.construct_object(node, deep=True)


def parse_yaml(text: str) -> Located:
    """Parse one YAML document, keeping line numbers. Raises :class:`YamlError`."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Located(None, {(): 1})
        lines: dict[Loc, int] = {}
        data = _build(node, loader, (), lines)
        return Located(data, lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or exc.context or "not valid YAML"
        if "expected ',' or '}'" in problem or "mapping values are not allowed" in problem:
            problem += ' (text with : ? # or a comma needs "quotes")'
        raise YamlError(line, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlError(1, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def load_yaml_file(path: Path) -> Located:
    """Read and parse a YAML file. Raises :class:`YamlError` or ``OSError``."""
    text = path.read_text(encoding="utf-8")
    return parse_yaml(text)
