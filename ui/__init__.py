"""The Streamlit layer: shared helpers for app.py and app_pages/.

``decision`` does the thinking (content, scoring); this package only shows it.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import os
from collections.abc import Hashable, Mapping
from datetime import UTC, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

import streamlit as st

from decision.content import DEFAULT_CONTENT_DIR, Content, load_content
from decision.settings import ENV_NAMES, SECRET_KEYS, Settings, load_settings

if TYPE_CHECKING:  # SQLAlchemy is imported only when a result is shared or the clinician view opens
    from decision.records.store import HandoffStore, PurgeSchedule

log = logging.getLogger("decision_aid")
PURGE_EVERY_S = 60.0  # the background purge of expired records
PURGE_MIN_GAP_S = 30.0  # at most one purge this often on clinician actions


@st.cache_resource(show_spinner=False)
def _load(root: str) -> Content:
    # Content is frozen, so one copy is safely shared by every session.
    # Failures raise and are not cached: fixed content shows after a restart.
    return load_content(root)


def get_content() -> Content:
    """The validated content (``DECISION_CONTENT_DIR`` or content/), loaded once."""
    return _load(str(get_settings().content_dir or DEFAULT_CONTENT_DIR))


@functools.lru_cache(maxsize=8)
def _settings(_environment: tuple[str | None, ...], secrets: tuple[tuple[str, Any], ...]) -> Settings:
    return load_settings(dict(secrets))


def get_settings() -> Settings:
    """The settings (decision/settings.py), read once for each environment and secrets:
    a rerun only looks up the cache (tests change the environment between apps)."""
    environment = tuple(map(os.environ.get, ENV_NAMES))
    try:
        secrets = tuple(sorted((k, v) for k, v in st.secrets.items() if k in SECRET_KEYS and isinstance(v, Hashable)))
    except (FileNotFoundError, KeyError):  # no secrets file
        secrets = ()
    return _settings(environment, secrets)


@st.cache_resource(show_spinner=False)
def purge_schedule() -> PurgeSchedule:
    """One per process: a thread deletes expired records every minute from every store opened."""
    from decision.records.store import PurgeSchedule

    schedule = PurgeSchedule(PURGE_EVERY_S, PURGE_MIN_GAP_S, on_error=lambda msg: log.warning("purge failed: %s", msg))
    schedule.start()
    return schedule


@st.cache_resource(show_spinner=False)
def _store(url: str, ttl_seconds: float) -> HandoffStore:
    # One engine (connection pool) per database, shared by every session; it holds
    # no patient data itself. Failures raise and are not cached: the next tap retries.
    from decision.records.store import HandoffStore

    store = HandoffStore(url, timedelta(seconds=ttl_seconds))
    schedule = purge_schedule()
    schedule.add(store)
    schedule.soon()  # records that expired while the app was not running
    return store


def get_store() -> HandoffStore:
    """The handoff store (``DECISION_DB_URL``, ``db_url`` in secrets, or the SQLite file).

    Raises :class:`decision.records.store.StoreError` with one plain line when it cannot be used.
    """
    from decision.records.store import resolve_db_url, resolve_ttl

    return _store(resolve_db_url(st.secrets), resolve_ttl(st.secrets).total_seconds())


def purge_soon() -> None:
    """Delete expired records now, unless that was done in the last half minute (clinician actions)."""
    purge_schedule().soon()


def clinic_zone() -> tzinfo:
    """The clinic's time zone (``DECISION_TIMEZONE`` / ``timezone``), else the server's."""
    from decision.records.store import local_zone, resolve_timezone

    try:
        return resolve_timezone(st.secrets)
    except ValueError as exc:
        log.warning("%s; using the server's time zone", exc)
        return local_zone() or UTC


def _trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``DECISION_TRUSTED_PROXIES``: addresses (CIDR, comma-separated) whose forwarded headers count."""
    return list(get_settings().proxies)


def client_address(peer: str | None, headers: Mapping[str, str]) -> str | None:
    """Who is typing, as far as the network says: the browser's address.

    Behind the shipped nginx (the app sees a loopback peer, which Streamlit reports
    as None) or a proxy in ``DECISION_TRUSTED_PROXIES``, that is the address the
    proxy passes in ``X-Real-IP`` (else the last ``X-Forwarded-For`` entry, the one
    the proxy added). Any other peer talks to the app directly: its own address
    counts, and forwarded headers are ignored (anyone can send them).
    """
    if peer:
        try:
            ip = ipaddress.ip_address(peer)
        except ValueError:
            return peer[:64]
        if not ip.is_loopback and not any(ip in net for net in _trusted_proxies()):
            return peer
    forwarded = (headers.get("X-Real-IP") or "").strip()
    if not forwarded:
        forwarded = (headers.get("X-Forwarded-For") or "").split(",")[-1].strip()
    return forwarded[:64] or None


def client_ids() -> list[str]:
    """This browser's lockout keys: its Streamlit session and its address (hashed, see decision.records.pin)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from decision.records.pin import client_key

    ids = []
    ctx = get_script_run_ctx()
    if ctx is not None:
        ids.append(client_key("session", ctx.session_id))
    try:
        headers: Mapping[str, str] = st.context.headers  # case-insensitive
    except Exception:
        headers = {}
    peer = st.context.ip_address
    address = client_address(peer if isinstance(peer, str) else None, headers)  # (not a str under AppTest)
    if address:
        ids.append(client_key("address", address))
    return ids


def drop_unused_downloads() -> None:
    """Make Streamlit forget download files no session shows any more, now.

    Streamlit deletes a download file only at the second clean-up after its button
    is gone; this is the first, so a locked view's PDF stops being served when the
    run that locked it ends.
    """
    from streamlit import runtime

    if runtime.exists():
        runtime.get_instance().media_file_mgr.remove_orphaned_files()
