"""The Streamlit layer: shared helpers for app.py and app_pages/.

``decision`` does the thinking (content, scoring); this package only shows it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import streamlit as st

from decision.content import Content, content_dir_from_env, load_content

if TYPE_CHECKING:  # SQLAlchemy is imported only when a result is shared or the clinician view opens
    from decision.store import HandoffStore


@st.cache_resource(show_spinner=False)
def _load(root: str) -> Content:
    # Content is frozen, so one copy is safely shared by every session.
    # Failures raise and are not cached: fixed content shows after a restart.
    return load_content(root)


def get_content() -> Content:
    """The validated content (``DECISION_CONTENT_DIR`` or content/), loaded once."""
    return _load(str(content_dir_from_env()))


@st.cache_resource(show_spinner=False)
def _store(url: str, ttl_seconds: float) -> HandoffStore:
    # One engine (connection pool) per database, shared by every session; it holds
    # no patient data itself. Failures raise and are not cached: the next tap retries.
    from decision.store import HandoffStore

    return HandoffStore(url, timedelta(seconds=ttl_seconds))


def get_store() -> HandoffStore:
    """The handoff store (``DECISION_DB_URL``, ``db_url`` in secrets, or the SQLite file).

    Raises :class:`decision.store.StoreError` with one plain line when it cannot be used.
    """
    from decision.store import resolve_db_url, resolve_ttl

    return _store(resolve_db_url(st.secrets), resolve_ttl(st.secrets).total_seconds())
