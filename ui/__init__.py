"""The Streamlit layer: shared helpers for app.py and app_pages/.

``decision`` does the thinking (content, scoring); this package only shows it.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from datetime import UTC, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import streamlit as st

from decision.content import DEFAULT_CONTENT_DIR, Content, load_content
from decision.settings import (
    ENV_NAMES,
    SECRET_KEYS,
    Settings,
    SettingsError,
    SettingsFileBroken,
    load_settings,
    read_secrets_file,
)
from ui import keys
from ui.keys import SessionState

if TYPE_CHECKING:  # SQLAlchemy is imported only when a result is shared or the clinician view opens
    from decision.records.store import HandoffStore, PurgeSchedule

log = logging.getLogger("decision_aid")
_T = TypeVar("_T")
PURGE_EVERY_S = 60.0  # the background purge of expired records
PURGE_MIN_GAP_S = 30.0  # at most one purge this often on clinician actions


@functools.lru_cache(maxsize=8)
def _load(root: str) -> Content:
    """The content of ``root``, loaded once per process (a dictionary look-up on each run,
    cheaper than Streamlit's resource cache, which hashes its arguments on every call).
    Content is frozen, so one copy is safely shared by every session. Failures raise and
    are not kept: fixed content shows after a restart."""
    return load_content(root)


_this_thread = threading.local()


def per_run(name: str, make: Callable[[], _T]) -> _T:
    """``make()`` once per script run, then the same value for the rest of the run.

    A run is told apart by its context's cursors, which Streamlit replaces when a run
    (or a fragment's run) starts; outside a run nothing is kept. Several parts of a run
    ask for the settings and the content: each asking walked ``st.secrets`` and the
    cache again (about 0.3 ms each without a secrets file, where Streamlit looks for
    one on every access).
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return make()
    memo: tuple[object, dict[str, Any]] | None = getattr(_this_thread, "memo", None)
    if memo is None or memo[0] is not ctx.cursors:
        memo = (ctx.cursors, {})
        _this_thread.memo = memo
    values = memo[1]
    if name not in values:
        values[name] = make()  # an exception is not kept: the next asking tries again
    return cast("_T", values[name])


def session_id() -> str:
    """This browser session's id ("" outside a run): never reused, never shown."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return "" if ctx is None else str(ctx.session_id)


_per_session: OrderedDict[tuple[str, str], tuple[Hashable, Any]] = OrderedDict()
_per_session_lock = threading.Lock()
PER_SESSION_KEPT = 512  # sessions whose values are kept (the oldest go first; a value is small)


def per_session(name: str, key: Hashable, make: Callable[[], _T]) -> _T:
    """``make()`` once per browser session and ``key``, then the same value on every run of
    that session until ``key`` changes; outside a run, ``make()`` each time.

    For objects that cost something to build on every run, hold nothing of the patient
    and must not be shared between sessions (the pages: Streamlit marks the one it is
    about to run on the object itself). Kept beside the sessions, by their ids (never
    reused), not in their state: a wipe has nothing more to forget.
    """
    sid = session_id()
    if not sid:
        return make()
    slot = (sid, name)
    with _per_session_lock:
        found = _per_session.get(slot)
        if found is not None and found[0] == key:
            _per_session.move_to_end(slot)
            return cast("_T", found[1])
    value = make()
    with _per_session_lock:
        _per_session[slot] = (key, value)
        _per_session.move_to_end(slot)
        while len(_per_session) > PER_SESSION_KEPT:
            _per_session.popitem(last=False)
    return value


def get_content() -> Content:
    """The validated content (``DECISION_CONTENT_DIR`` or content/), loaded once."""
    return per_run("content", lambda: _load(str(get_settings().content_dir or DEFAULT_CONTENT_DIR)))


@functools.lru_cache(maxsize=8)
def _settings(_environment: tuple[str | None, ...], secrets: tuple[tuple[str, Any], ...]) -> Settings:
    return load_settings(dict(secrets))


def get_settings() -> Settings:
    """The settings (decision/settings.py), read once for each environment and secrets:
    a rerun only looks up the cache (tests change the environment between apps), once."""
    return per_run("settings", _read_settings)


def _read_settings() -> Settings:
    environment = tuple(map(os.environ.get, ENV_NAMES))
    # Without a settings file Streamlit looks for one on every access and raises: skip
    # that when none exists and none was handed in (tests hand secrets in directly).
    if getattr(st.secrets, "_secrets", None) is None and not any(s[1] for s in settings_files_stamp()):
        return _settings(environment, ())
    try:
        secrets = tuple(sorted((k, v) for k, v in st.secrets.items() if k in SECRET_KEYS and isinstance(v, Hashable)))
    except (FileNotFoundError, KeyError):  # no secrets file
        secrets = ()
    return _settings(environment, secrets)


Stamp = tuple[tuple[str, tuple[int, int, int] | None], ...]


def settings_files_stamp() -> Stamp:
    """The settings files as they are now, once per run (see :func:`_settings_files_stamp`)."""
    return per_run("settings_files", _settings_files_stamp)


def _settings_files_stamp() -> Stamp:
    """Each settings file Streamlit reads (``secrets.files``) with its modification and
    change times and its size (None when it does not exist): one ``stat`` a file, so a
    run need not read them (a ``chmod`` moves the change time)."""
    from streamlit import config

    try:
        paths = config.get_option("secrets.files") or []
    except Exception:
        paths = []
    stamp: list[tuple[str, tuple[int, int, int] | None]] = []
    for raw in paths:
        try:
            info = os.stat(raw)
        except OSError:
            stamp.append((str(raw), None))
        else:
            stamp.append((str(raw), (info.st_mtime_ns, info.st_ctime_ns, info.st_size)))
    return tuple(stamp)


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


_settings_logged: set[tuple[str, int, str]] = set()
_settings_lock = threading.Lock()


def settings_problem() -> SettingsFileBroken | None:
    """A settings file Streamlit reads (``secrets.files``: .streamlit/secrets.toml) that does not parse.

    Streamlit then drops the whole file without a word, so ``db_url`` and the PIN hash
    would silently fall back to their defaults. The app checks this on every run
    (a file is read again only when its change time or size moved) and serves no record
    while it holds; the log says it once.
    """
    return _settings_problem_in(settings_files_stamp())


@functools.lru_cache(maxsize=1)  # the files as they are now
def _settings_problem_in(stamp: Stamp) -> SettingsFileBroken | None:
    for raw, seen_on_disk in stamp:
        if not raw.endswith(".toml") or seen_on_disk is None:
            continue
        try:
            read_secrets_file(Path(raw))
        except SettingsFileBroken as exc:
            seen = (str(exc.path), exc.line, exc.reason)
            with _settings_lock:
                first = seen not in _settings_logged
                _settings_logged.add(seen)
            if first:
                log.error("%s. No record is shown or saved until it is fixed and the app restarted.", exc)
            return exc
        except SettingsError:  # unreadable (permissions): Streamlit cannot read it either, and says so
            continue
    return None


def on_staff_page() -> bool:
    """The browser is at the staff address (/clinician), as it says with each run (False when unknown)."""
    from urllib.parse import urlparse

    try:
        url = st.context.url
    except Exception:
        return False
    path = urlparse(url).path if isinstance(url, str) else ""
    return path.rstrip("/").rsplit("/", 1)[-1] == "clinician"


def shown_path(path: Path) -> str:
    """A settings file's path for staff: relative to the app's folder or the home folder when it can be."""
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            return prefix + str(path.resolve().relative_to(base.resolve()))
        except (ValueError, OSError):
            continue
    return path.name


def get_store() -> HandoffStore:
    """The handoff store (``DECISION_DB_URL``, ``db_url`` in secrets, or the SQLite file).

    Raises :class:`decision.records.store.StoreError` with one plain line when it cannot be
    used, and always while the settings file is broken (never another database instead).
    """
    from decision.records.db import db_url_of, ttl_of
    from decision.records.db_errors import store_error
    from decision.records.store import StoreError
    from decision.settings import SettingsError

    broken = settings_problem()
    if broken is not None:
        raise StoreError(str(broken))
    try:
        settings = get_settings()  # read once per environment and secrets, not on every call
    except SettingsError as exc:
        raise store_error("clin_db_setting", detail=exc) from None
    return _store(db_url_of(settings), ttl_of(settings).total_seconds())


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


_warned_proxies: set[str] = set()
_warned_lock = threading.Lock()


def _warn_untrusted_proxy(peer: str) -> None:
    """One log line per peer: forwarded headers from a peer not in DECISION_TRUSTED_PROXIES."""
    with _warned_lock:
        if peer in _warned_proxies or len(_warned_proxies) > 100:
            return
        _warned_proxies.add(peer)
    log.warning(
        "requests arrive through a proxy that is not trusted (a peer in %s sent X-Forwarded-For): every "
        "browser behind it counts as one client for the PIN lockout. Set DECISION_TRUSTED_PROXIES to its "
        "network (see docs/deployment.md).",
        _network_of(peer),
    )


def _network_of(peer: str) -> str:
    """The peer's /24 (IPv4) or /64 (IPv6), for the log: enough to set DECISION_TRUSTED_PROXIES."""
    try:
        ip = ipaddress.ip_address(peer)
    except ValueError:
        return "an unreadable address"
    return str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 64}", strict=False))


def client_address(peer: str | None, headers: Mapping[str, str]) -> str | None:
    """Who is typing, as far as the network says: the browser's address.

    Behind the shipped nginx (the app sees a loopback peer, which Streamlit reports
    as None) or a proxy in ``DECISION_TRUSTED_PROXIES``, that is the address the
    proxy passes in ``X-Real-IP`` (else the last ``X-Forwarded-For`` entry, the one
    the proxy added). Any other peer talks to the app directly: its own address
    counts, and forwarded headers are ignored (anyone can send them); when such a
    peer sends ``X-Forwarded-For`` it is an untrusted proxy, and the log says so once.
    """
    if peer:
        try:
            ip = ipaddress.ip_address(peer)
        except ValueError:
            return peer[:64]
        if not ip.is_loopback and not any(ip in net for net in _trusted_proxies()):
            if headers.get("X-Forwarded-For") or headers.get("X-Real-IP"):
                _warn_untrusted_proxy(peer)
            return peer
    forwarded = (headers.get("X-Real-IP") or "").strip()
    if not forwarded:
        forwarded = (headers.get("X-Forwarded-For") or "").split(",")[-1].strip()
    return forwarded[:64] or None


# The device key: a random value the browser keeps (localStorage, and a cookie that brings it
# to the server, which Streamlit cannot set itself). See docs/deployment.md, "Who counts as one client".
DEVICE_COOKIE = "decision_device"
_DEVICE_VALUE = re.compile(r"[A-Za-z0-9_-]{22,64}")
DEVICE_SCRIPT = """<script>
(function () {
  var name = "decision_device", key = null;
  try { key = window.localStorage.getItem(name); } catch (e) {}
  if (!key || !/^[A-Za-z0-9_-]{22,64}$/.test(key)) {
    var bytes = new Uint8Array(24); window.crypto.getRandomValues(bytes);
    key = btoa(String.fromCharCode.apply(null, bytes)).replace(/[+]/g, "-").replace(/[/]/g, "_").replace(/=+$/, "");
    try { window.localStorage.setItem(name, key); } catch (e) {}
  }
  var secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = name + "=" + key + "; Path=/; Max-Age=34560000; SameSite=Strict" + secure;
  // The server reads cookies when the page connects: connect again, once, to bring the key.
  var again = "decision_device_reloaded";
  if (document.cookie.indexOf(name + "=" + key) >= 0 && !window.sessionStorage.getItem(again)) {
    window.sessionStorage.setItem(again, "1");
    window.location.reload();
  }
})();
</script>"""


def device_id() -> str | None:
    """This browser's device key (the ``decision_device`` cookie), or None when it sent none."""
    try:
        value = st.context.cookies.get(DEVICE_COOKIE)
    except Exception:
        return None
    return value if isinstance(value, str) and _DEVICE_VALUE.fullmatch(value) else None


def _headers() -> Mapping[str, str]:
    try:
        return st.context.headers  # case-insensitive
    except Exception:
        return {}


def _address() -> str | None:
    peer = st.context.ip_address
    return client_address(peer if isinstance(peer, str) else None, _headers())  # (not a str under AppTest)


def check_proxy(state: SessionState) -> None:
    """Once per session, look at who forwards this browser's requests (logs an untrusted proxy once)."""
    if state.get(keys.PROXY_CHECKED):
        return
    state[keys.PROXY_CHECKED] = True
    _address()


def needs_device_key() -> bool:
    """A browser without an address (the app's own computer, a proxy that says nothing) and no device key yet.

    Its PIN form waits until :data:`DEVICE_SCRIPT` has set the key and the page has
    connected again; otherwise each reload would be a new client. Only a browser
    (one that sends a User-Agent) is asked: the test harness sends no headers.
    """
    return device_id() is None and _address() is None and bool(_headers().get("User-Agent"))


def client_ids() -> list[str]:
    """This browser's lockout keys: its Streamlit session, its address and its device key
    (hashed, see decision.records.pin). Any one of them reaching its limit locks the browser."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from decision.records.pin import client_key

    ids = []
    ctx = get_script_run_ctx()
    if ctx is not None:
        ids.append(client_key("session", ctx.session_id))
    address = _address()
    if address:
        ids.append(client_key("address", address))
    device = device_id()
    if device:
        ids.append(client_key("device", device))
    return ids


def share_key(state: SessionState, answers: Mapping[str, str], lang: str) -> str:
    """The share key of this result in this session (see HandoffStore.save): the same answers in the
    same language give the same key until the session is wiped (Start over, idle), so a double tap
    on Share stores one record; another patient, or changed answers, give another key."""
    import hashlib
    import json
    import secrets

    nonce = state.get(keys.SHARE_NONCE)
    if not isinstance(nonce, str):
        nonce = state[keys.SHARE_NONCE] = secrets.token_hex(16)
    shared = json.dumps({"answers": dict(answers), "lang": lang}, sort_keys=True)
    return f"{nonce}:{hashlib.sha256(shared.encode()).hexdigest()}"


CODE_LOOKUPS = 10  # code look-ups allowed per session ...
CODE_LOOKUP_WINDOW_S = 60.0  # ... within this many seconds (a physiotherapist opens a few codes an hour)


def code_lookup_wait(state: SessionState, *, now: float | None = None) -> int:
    """Count one code look-up; 0 if it may go ahead, else the seconds to wait.

    Kept in the session: a reload ends the session and locks the view, and unlocking
    again goes through the PIN gate (which counts in the database). With 31 symbols in
    6 places (887 million codes) and 50 live codes, 10 a minute take years to hit one.
    """
    import time

    moment = time.monotonic() if now is None else now
    recent = [t for t in state.get(keys.CODE_LOOKUP_TIMES, []) if moment - t < CODE_LOOKUP_WINDOW_S]
    if len(recent) >= CODE_LOOKUPS:
        state[keys.CODE_LOOKUP_TIMES] = recent
        return max(1, int(CODE_LOOKUP_WINDOW_S - (moment - recent[0]) + 0.999))
    state[keys.CODE_LOOKUP_TIMES] = [*recent, moment]
    return 0


def drop_unused_downloads() -> None:
    """Make Streamlit forget download files no session shows any more, now.

    Streamlit deletes a download file only at the second clean-up after its button
    is gone; this is the first, so a locked view's PDF stops being served when the
    run that locked it ends.
    """
    from streamlit import runtime

    if runtime.exists():
        runtime.get_instance().media_file_mgr.remove_orphaned_files()
