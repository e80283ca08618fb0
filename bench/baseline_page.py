"""Baseline: a plain Streamlit page with the same number of widgets as the app.

``streamlit run bench/baseline_page.py`` (or AppTest). The widgets per screen
come from ``BENCH_BASELINE_SPEC`` (JSON, see ``bench.flow.screen_spec``): each
screen is a title plus that many segmented controls, pills and buttons. Any
button moves to the next screen, like an answer in the app. No stylesheet, no
navigation, no watchdog, no content: Streamlit's own floor for the same taps.
"""

import json
import os

import streamlit as st

# Without the variable (``streamlit run`` by hand): the app's screens as counted when this was
# last written (welcome, 13 questions, safety check, result). The benchmarks always count again.
DEFAULT = (
    [{"buttons": 2, "segmented": 2}]
    + [{"buttons": n, "segmented": 1} for n in (8, 6, 4, 3, 4, 5, 4, 4, 4, 4, 4, 4, 4)]
    + [{"buttons": 1, "segmented": 16}, {"buttons": 3, "segmented": 5, "pills": 1}]
)
SPEC = json.loads(os.environ.get("BENCH_BASELINE_SPEC") or "null") or DEFAULT

state = st.session_state
step = min(int(state.setdefault("step", 0)), len(SPEC) - 1)
screen = SPEC[step]


def go(to: int) -> None:
    state["step"] = to


st.title(f"Screen {step}", anchor=False)
for i in range(screen.get("segmented", 0)):
    st.segmented_control(f"Choice {i}", ["a", "b", "c"], key=f"s{i}", width="stretch")
for i in range(screen.get("pills", 0)):
    st.pills(f"Pick {i}", ["a", "b", "c"], key=f"p{i}")
for i in range(screen.get("buttons", 0)):
    st.button(f"Answer {i}", key=f"b{i}", width="stretch", on_click=go, args=(step + 1,))
