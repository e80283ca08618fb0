"""tests/conftest.py: every collected test is exactly one kind (unit, system, browser),
so ``make test-fast`` (``-m unit``) never starts a server or a browser."""

from __future__ import annotations

import pytest
from conftest import BROWSER_FIXTURES, KINDS, SYSTEM_FILES, SYSTEM_FIXTURES


def kinds(item: pytest.Item) -> list[str]:
    return [k for k in KINDS if item.get_closest_marker(k) is not None]


def test_every_collected_test_has_exactly_one_kind(request: pytest.FixtureRequest):
    items = request.session.items
    assert items
    wrong = {item.nodeid: kinds(item) for item in items if len(kinds(item)) != 1}
    assert not wrong, wrong


def test_no_unit_test_starts_a_browser_or_sits_in_a_system_file(request: pytest.FixtureRequest):
    units = [item for item in request.session.items if kinds(item) == ["unit"]]
    assert units
    for item in units:
        assert not BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())), item.nodeid
        assert not SYSTEM_FIXTURES & set(getattr(item, "fixturenames", ())), item.nodeid  # no PostgreSQL
        assert item.path.name not in SYSTEM_FILES or item.get_closest_marker("unit"), item.nodeid
