"""Test kinds, and shared fixtures for browser tests: a real Streamlit server and a
tablet-sized headless Chromium page.

Every test is one of three kinds, marked here at collection so a new test needs no
marker of its own (``make test-fast`` runs ``-m unit``; ``make test`` runs all):

- ``browser``: drives headless Chromium (a browser fixture, or a file in BROWSER_FILES);
- ``system``: starts real servers, processes or databases, or waits on real time (a file
  in SYSTEM_FILES, or PostgreSQL through the ``pg`` fixture, directly or not);
- ``unit``: everything else, in-process AppTest included.

A test's own ``@pytest.mark.browser`` / ``system`` / ``unit`` wins over its file's kind.

- ``streamlit_server``: starts ``streamlit run app.py`` on a free loopback port
  and yields its base URL. Environment overrides come from the ``streamlit_env``
  fixture (override it in a module) or from indirect parametrization:
  ``@pytest.mark.parametrize("streamlit_server", [{"DECISION_IDLE_SECONDS": "8"}], indirect=True)``.
- ``browser_page``: a fresh 820x1180 touch page (locale from ``browser_locale``,
  en-CA unless overridden or parametrized).

Without Chromium or Playwright these fixtures FAIL when the environment
variable CI is set, and skip otherwise.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from broken_content import BrokenContent
from servers import free_port, missing_server

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TABLET = {"width": 820, "height": 1180}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's Chromium (``CHROMIUM`` overrides the lookup on PATH)."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def missing(what: str) -> None:
    """Fail under CI, skip elsewhere (see servers.missing_server)."""
    missing_server(what, "chromium")


@contextmanager
def run_streamlit(env: dict[str, str] | None = None, timeout: float = 60.0) -> Iterator[str]:
    """Run the real app as a subprocess; yield its base URL once /_stcore/health says ok."""
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / f"server-{port}.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
    ]  # fmt: skip
    full_env = {**os.environ, **(env or {})}
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"streamlit exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                        if r.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not become healthy in {timeout:.0f} s:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    log_path.unlink(missing_ok=True)


KINDS = ("unit", "system", "browser")
BROWSER_FILES = {"test_browser.py", "test_records_browser.py"}
BROWSER_FIXTURES = {"browser", "browser_page", "streamlit_server"}
SYSTEM_FILES = {
    "test_deploy.py",  # nginx and several app instances
    "test_load.py",  # concurrent sessions against a real server
    "test_hostile.py",  # the CLI in subprocesses with capped memory
    "test_records_store.py",  # PostgreSQL, several writer processes
    "test_records_pin.py",  # lockouts over real time, threads
    "test_abuse.py",  # hours of PIN tries through a real database, make run's supervisor, the -shm child
}
SYSTEM_FIXTURES = {"pg"}  # a throw-away PostgreSQL cluster (tests/servers.py), directly or through a fixture


def kind_of(item: pytest.Item) -> str:
    """The test's kind: its own marker, else its fixtures', else its file's, else unit."""
    own = [k for k in KINDS if item.get_closest_marker(k) is not None]
    if own:
        return own[0]
    name = item.path.name
    fixtures = set(getattr(item, "fixturenames", ()))
    if name in BROWSER_FILES or BROWSER_FIXTURES & fixtures:
        return "browser"
    return "system" if name in SYSTEM_FILES or SYSTEM_FIXTURES & fixtures else "unit"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        kind = kind_of(item)
        if item.get_closest_marker(kind) is None:
            item.add_marker(kind)


@pytest.fixture(autouse=True)
def _unit_tests_start_no_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test marked ``unit`` that started PostgreSQL after all (a fixture asked for it by
    name at run time, which the markers above cannot see) fails, naming itself: it
    belongs to ``system`` (make test-fast stays fast and needs no database server)."""
    yield
    started = SYSTEM_FIXTURES & set(request.fixturenames)
    if started and request.node.get_closest_marker("unit") is not None:
        pytest.fail(f"{request.node.nodeid} is a unit test but used {sorted(started)}: mark it system", pytrace=False)


@pytest.fixture(autouse=True)
def _main_module_kept() -> Iterator[None]:
    """Streamlit runs a page as ``__main__`` and AppTest leaves that module in
    ``sys.modules``; a process started later with multiprocessing's spawn would re-run
    that page script (a failure that depends on which test ran before on the worker).
    Each test gets the worker's own ``__main__`` back."""
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture(scope="session", autouse=True)
def handoff_db_outside_the_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never write handoffs into the project's data/ folder: every app and
    server started by a test uses a throw-away SQLite file unless told otherwise."""
    if os.environ.get("DECISION_DB_PATH") or os.environ.get("DECISION_DB_URL"):
        yield
        return
    os.environ["DECISION_DB_PATH"] = str(tmp_path_factory.mktemp("handoffs") / "handoffs.sqlite3")
    try:
        yield
    finally:
        os.environ.pop("DECISION_DB_PATH", None)


@pytest.fixture(scope="session", autouse=True)
def streamlit_components_scanned_once() -> Iterator[None]:
    """AppTest scans every installed package for Streamlit components each time a new
    app runs (about 0.2 s, some 70 times a run). The installed packages do not change
    during a run, so the scan is done once and its (same) answer given each time."""
    if "streamlit.testing.v1" not in sys.modules:  # no test of this run uses AppTest
        yield
        return
    from streamlit.components.v2 import manifest_scanner

    scan = functools.cache(manifest_scanner.scan_component_manifests)
    patch = pytest.MonkeyPatch()
    patch.setattr(manifest_scanner, "scan_component_manifests", lambda max_workers=None: list(scan(max_workers)))
    try:
        yield
    finally:
        patch.undo()


@pytest.fixture(scope="session", autouse=True)
def streamlit_scripts_compiled_once() -> Iterator[None]:
    """AppTest gives every run a new, empty script cache, so app.py and the page it shows
    are compiled again on each rerun (about a fifth of a rerun's time). A served app keeps
    one cache for its life; here the compiled code is kept per script path and source
    text, so a script written during the run (``AppTest.from_function``) or changed on
    disk is compiled anew, and an unchanged one is compiled once."""
    if "streamlit.testing.v1" not in sys.modules:  # no test of this run uses AppTest
        yield
        return
    from streamlit import config
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    compile_script = ScriptCache.get_bytecode
    compiled: dict[tuple[str, bytes, bool], object] = {}

    def get_bytecode(cache: ScriptCache, script_path: str) -> object:
        path = os.path.abspath(script_path)
        key = (path, Path(path).read_bytes(), bool(config.get_option("runner.magicEnabled")))
        if key not in compiled:
            compiled[key] = compile_script(cache, path)
        return compiled[key]

    patch = pytest.MonkeyPatch()
    patch.setattr(ScriptCache, "get_bytecode", get_bytecode)
    try:
        yield
    finally:
        patch.undo()


@pytest.fixture
def unusable_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """DECISION_DB_PATH names a folder, not a file: the store refuses it, as a broken disk or
    a wrong setting would. The counting queues the test started on it stop with the test:
    their thread would warn about that folder again after it, and at exit, outside any test."""
    import atexit

    from decision.records import metrics

    folder = tmp_path / "a-folder"
    folder.mkdir()
    monkeypatch.setenv("DECISION_DB_PATH", str(folder))
    before = set(metrics._LIVE)
    yield folder
    for queue in set(metrics._LIVE) - before:
        atexit.unregister(queue.close)
        queue._stop.set()
        with queue._lock:
            queue._pending.clear()
    ui_metrics = sys.modules.get("ui.metrics")
    if ui_metrics is not None:
        ui_metrics._counters_for.cache_clear()  # the next test on this path starts its own queue


@pytest.fixture(scope="session")
def broken(tmp_path_factory: pytest.TempPathFactory) -> BrokenContent:
    """The broken-content fixtures, each built and read once per session (tests/broken_content.py)."""
    return BrokenContent(tmp_path_factory.mktemp("broken"))


@pytest.fixture(scope="module")
def streamlit_env() -> dict[str, str]:
    """Environment overrides for ``streamlit_server`` (override in a test module)."""
    return {}


@pytest.fixture(scope="module")
def streamlit_server(request: pytest.FixtureRequest, streamlit_env: dict[str, str]) -> Iterator[str]:
    overrides = {**streamlit_env, **getattr(request, "param", {})}
    with run_streamlit(overrides) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    """One Chromium per module, not per test worker: while Playwright's synchronous API is
    started, its event loop counts as running, and the tests that drive Streamlit's protocol
    with ``asyncio.run`` (tests/test_kiosk_server.py, tests/test_load.py) could not run in that
    worker (tried: both failed). Each test opens its own context."""
    path = chromium_path()
    if not path:
        missing("Chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def browser_locale(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "en-CA")


@pytest.fixture
def browser_page(browser, browser_locale: str):
    context = browser.new_context(
        viewport=TABLET, device_scale_factor=1, is_mobile=True, has_touch=True, locale=browser_locale
    )
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


# A page error under test must fail the test: app.py shows patients a calm error
# screen in production, but re-raises when this is set (AppTest reports it in
# ``at.exception``; servers started by tests inherit it too).
os.environ.setdefault("DECISION_RAISE_PAGE_ERRORS", "1")
