"""The Streamlit layer names its keys and option ids; it never writes them as literals.

Every ``st.session_state`` key and widget ``key=`` of app.py, app_pages/ and ui/ is a
name in ui/keys.py, and every option id ("ims", "acupuncture", "no_needling",
"needles") comes from decision/contract.py. Read from the syntax tree, so a comment
or a docstring that mentions a key is no offence, but any of these is:

- an option id as a string: ``"no_needling"``;
- a string (or f-string) given as a widget key: ``key="share"``, ``key=f"q_{qid}"``,
  ``message_key="clin_message"``, ``st.form("pin_form")``;
- a string looked up in the session: ``state["lang"]``, ``state.get("pin")``,
  ``st.session_state.pop("x")``, ``"x" in st.session_state``, ``del state["x"]``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from decision import contract
from ui import keys

ROOT = Path(__file__).resolve().parent.parent
KEYS_MODULE = ROOT / "ui" / "keys.py"
LAYER = sorted([ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])
OPTION_IDS = frozenset(contract.TARGETS)
STATE_NAMES = frozenset({"state", "session_state"})  # how the layer holds st.session_state
LOOKUPS = frozenset({"get", "pop", "setdefault"})


def _is_text(node: ast.expr | None) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _is_state(node: ast.expr) -> bool:
    """``state``, ``st.session_state``, ``self.state``..."""
    return (isinstance(node, ast.Name) and node.id in STATE_NAMES) or (
        isinstance(node, ast.Attribute) and node.attr in STATE_NAMES
    )


def _call_offences(node: ast.Call) -> list[str]:
    found = [f"{kw.arg}= a literal" for kw in node.keywords if kw.arg and kw.arg.endswith("key") and _is_text(kw.value)]
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "form" and node.args and _is_text(node.args[0]):
        found.append("form key a literal")
    if (
        isinstance(func, ast.Attribute)
        and func.attr in LOOKUPS
        and _is_state(func.value)
        and node.args
        and _is_text(node.args[0])
    ):
        found.append(f"state.{func.attr}() with a literal key")
    return found


def offences(source: str) -> list[str]:
    """Each literal key or option id in ``source``, as "line N: what"."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value in OPTION_IDS:
            found.append((node.lineno, f"option id {node.value!r} as a literal"))
        elif isinstance(node, ast.Call):
            found += [(node.lineno, what) for what in _call_offences(node)]
        elif isinstance(node, ast.Subscript) and _is_state(node.value) and _is_text(node.slice):
            found.append((node.lineno, "state[...] with a literal key"))
        elif isinstance(node, ast.Compare) and _is_text(node.left):
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.In | ast.NotIn) and _is_state(right):
                    found.append((node.lineno, "a literal key tested with `in` on the state"))
    return [f"line {line}: {what}" for line, what in sorted(found)]


@pytest.mark.parametrize("path", [p for p in LAYER if p != KEYS_MODULE], ids=lambda p: str(p.relative_to(ROOT)))
def test_the_streamlit_layer_writes_no_key_or_option_id_as_a_literal(path):
    found = offences(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: name it in ui/keys.py or decision/contract.py: " + "; ".join(found)


def test_the_scan_finds_each_kind_of_literal():
    bad = """
import streamlit as st
state = st.session_state
st.button("Share", key="share")
st.button("Yes", key=f"yes_{where}")
gate.pin_screen(h, t, z, intro="", message_key="clin_message")
with st.form("pin_form"):
    pass
state["lang"] = "en"
lang = state.get("lang")
st.session_state.pop("whatif_a", None)
if "_metrics_tally" not in st.session_state:
    del state["pin"]
card = option_card(content, "no_needling", t)
"""
    found = offences(bad)
    assert [f.split(":")[0] for f in found] == [f"line {n}" for n in (4, 5, 6, 7, 9, 10, 11, 12, 13, 14)]
    assert "option id 'no_needling' as a literal" in found[-1]


def test_names_and_sorting_keys_are_no_offence():
    good = """
import streamlit as st
from decision.contract import NO_NEEDLING
from ui import keys
state = st.session_state
st.button("Share", key=keys.SHARE)
st.button("Yes", key=keys.yes_start_over_key(where))
state[keys.LANG] = "en"
items.sort(key=lambda x: x[0])
card = option_card(content, NO_NEEDLING, t)
words = t("needles_later")  # a ui.yaml key, not an option id
"""
    assert offences(good) == []


def test_the_metrics_key_is_the_tallys_own():
    from decision.records.metrics import Tally

    assert keys.METRICS_TALLY == Tally.STATE_KEY


def test_clinician_keys_are_forgotten_and_patient_keys_are_not():
    from ui import kiosk

    for key in (keys.PIN, keys.UNLOCKED, keys.RECORD, keys.ASSESS, keys.assess_key("goal"), keys.download_key("pdf")):
        assert kiosk.is_clinician_key(key), key
    for key in (keys.LANG, keys.STEP, keys.ANSWERS, keys.SHARED, keys.KEPT, keys.row_answer_key("goal")):
        assert not kiosk.is_clinician_key(key), key
