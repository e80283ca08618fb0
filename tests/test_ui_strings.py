"""Every ui key the app uses exists in content/ui.yaml, in both languages.

Scans app.py, app_pages/ and ui/ for ``t("key")`` (and ``words("key")``,
``content.t("key", ...)``) and checks content/ui.yaml. Also keeps the kiosk
rules that are easy to break by accident: no hover-only help, no free text.
"""

from __future__ import annotations

import functools
import re
import string
from pathlib import Path

import pytest

from decision.yamlio import load_yaml_file

ROOT = Path(__file__).resolve().parent.parent
UI_YAML = ROOT / "content" / "ui.yaml"
SOURCES = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
STAFF_TYPED = {"app_pages/clinician.py", "ui/gate.py", "ui/plain_records.py"}
KEY_CALL = re.compile(r"""(?:\bt|\bwords|\.t)\(\s*["']([A-Za-z0-9_]+)["']""")


@functools.cache
def used_keys() -> dict[str, list[str]]:
    """Scanned once per session: every test of a key reads the same scan."""
    found: dict[str, list[str]] = {}
    for path in SOURCES:
        for key in KEY_CALL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(key, []).append(path.relative_to(ROOT).as_posix())
    return found


@functools.cache
def strings() -> dict[str, dict[str, str]]:
    """Patient words and the clinician view's words (one name space), parsed once per
    session with the product's own reader (libyaml's C parser; yes/no stay text)."""
    data = load_yaml_file(UI_YAML).data
    return {**data.get("clinician", {}), **data["strings"]}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_scan_finds_the_app_s_words():
    keys = used_keys()
    assert len(keys) > 40
    assert {"start", "back", "start_over", "result_title", "idle_title"} <= set(keys)


@pytest.mark.parametrize("key", sorted(used_keys()))
def test_every_used_key_is_in_ui_yaml_in_both_languages(key):
    texts = strings()
    assert key in texts, f"'{key}' (used in {', '.join(used_keys()[key])}) is missing from content/ui.yaml"
    for lang in ("en", "fr"):
        assert str(texts[key].get(lang, "")).strip(), f"'{key}' has no {lang} text in content/ui.yaml"


@pytest.mark.parametrize("key", sorted(strings()))
def test_both_languages_use_the_same_placeholders(key):
    text = strings()[key]
    assert placeholders(str(text["en"])) == placeholders(str(text["fr"])), key


def test_no_hover_only_help_and_no_free_text():
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT).as_posix()
        assert not re.search(r"\bhelp\s*=", source), f"{name}: help= tooltips do not show on touch screens"
        for widget in ("text_input", "text_area", "chat_input", "number_input", "file_uploader"):
            if widget == "text_input" and name in STAFF_TYPED:
                continue  # the PIN and the handoff code, typed by staff; never free text from patients
            assert f"st.{widget}" not in source, f"{name}: no free-text or upload inputs on the kiosk"
        assert "st.sidebar" not in source, f"{name}: no sidebar on the kiosk"
