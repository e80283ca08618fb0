"""The Streamlit layer: shared helpers for app.py and app_pages/.

``decision`` does the thinking (content, scoring); this package only shows it.
"""

from __future__ import annotations

import streamlit as st

from decision.content import Content, content_dir_from_env, load_content


@st.cache_resource(show_spinner=False)
def _load(root: str) -> Content:
    # Content is frozen, so one copy is safely shared by every session.
    # Failures raise and are not cached: fixed content shows after a restart.
    return load_content(root)


def get_content() -> Content:
    """The validated content (``DECISION_CONTENT_DIR`` or content/), loaded once."""
    return _load(str(content_dir_from_env()))
