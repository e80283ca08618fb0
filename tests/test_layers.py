"""The three floors and the two houses inside decision/, read from the imports.

- decision/ never imports streamlit (the core runs from the CLI and tests alone);
- the decision itself (content, models, engine, checks, wording, ...) never imports
  the clinic's records (decision/records/); records may import the decision;
- nothing in decision/ imports the app (ui, app_pages).
The command line (decision/cli.py) is the door to both houses and may import either.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = sorted((ROOT / "decision").rglob("*.py"))


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    found |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    for node in ast.walk(tree):  # "from decision import records" / "from decision.records import store"
        if isinstance(node, ast.ImportFrom) and node.module in ("decision", "decision.records"):
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_never_imports_streamlit_or_the_app(path):
    top = {m.split(".")[0] for m in imports_of(path)}
    assert not top & {"streamlit", "ui", "app_pages", "app"}


@pytest.mark.parametrize(
    "path",
    [p for p in CORE if "records" not in p.parts and p.name not in ("cli.py", "__main__.py")],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_decision_never_imports_the_records(path):
    assert not {m for m in imports_of(path) if m.startswith("decision.records")}


def test_every_error_the_project_raises_on_purpose_shares_one_root():
    import importlib
    import inspect

    from decision.errors import DecisionError

    names = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in CORE if p.name != "__main__.py"]
    found = []
    for name in names:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and issubclass(cls, BaseException):
                found.append(cls)
                assert issubclass(cls, DecisionError), f"{name}.{cls.__name__} is not a DecisionError"
    assert len(found) >= 8
