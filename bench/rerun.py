"""Per-tap rerun, server side: the app's question screen vs the baseline page.

    python -m bench.rerun [--rounds 8]

Both run in this process with Streamlit's AppTest, taps interleaved (app, then
baseline) so both see the same machine. A tap is an answer on a question screen
(it moves to the next question); on the baseline page, a button with the same
number of widgets on the screen (see bench/baseline_page.py). Two figures:

- script run: the server-side run of the page, timed inside Streamlit's script
  thread (``ScriptRunner._run_script``, from the rerun request to the end of
  the run). This is the row's figure and the ratio's.
- AppTest round trip: ``.click().run()`` as a test sees it (adds AppTest's own
  element-tree parsing and thread start, the same for both).

AppTest compiles the page again on every run, a real server compiles it once;
the benchmark shares one script cache between runs, as the server does.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import flow
from bench.common import fmt_row, header, ratio_line
from bench.server import BASELINE_PAGE, ROOT

TARGET = 2.0  # at most twice bare Streamlit's script run for the same taps


@contextmanager
def instrumented() -> Iterator[list[float]]:
    """Time each script run (ms) and share one compiled-script cache, like a server."""
    import streamlit.testing.v1.local_script_runner as local_runner
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    shared = ScriptCache()
    runs: list[float] = []
    original = script_runner.ScriptRunner._run_script

    def timed(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            runs.append((time.perf_counter() - t0) * 1000)

    saved = (app_test.ScriptCache, local_runner.ScriptCache)
    app_test.ScriptCache = local_runner.ScriptCache = lambda: shared
    script_runner.ScriptRunner._run_script = timed
    try:
        yield runs
    finally:
        script_runner.ScriptRunner._run_script = original
        app_test.ScriptCache, local_runner.ScriptCache = saved


def _tap(at, key: str, runs: list[float]) -> tuple[float, float]:
    before = len(runs)
    t0 = time.perf_counter()
    at.button(key=key).click().run()
    wall = (time.perf_counter() - t0) * 1000
    if at.exception:
        raise RuntimeError(f"the page failed: {at.exception}")
    if len(runs) != before + 1:
        raise RuntimeError("one tap should be one script run")
    return runs[-1], wall


def bench_rerun(rounds: int = 8) -> dict[str, list[float]]:
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    flow.quiet_apptest()
    content = flow.content()
    questions = content.questions_of_kind("questions")
    spec = flow.screen_spec()
    out: dict[str, list[float]] = {"app": [], "base": [], "app_wall": [], "base_wall": []}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, instrumented() as runs:
        saved_env = {k: os.environ.get(k) for k in ("DECISION_DB_PATH", flow.SPEC_ENV)}
        os.environ["DECISION_DB_PATH"] = str(Path(tmp) / "handoffs.sqlite3")
        os.environ.update(flow.baseline_env(spec))
        try:
            app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
            app.context["locale"] = "en-CA"
            base = AppTest.from_file(str(ROOT / BASELINE_PAGE), default_timeout=60)
            for at in (app, base):
                at.run()
            gc_after_run = config.get_option("runner.postScriptGC")
            for r in range(rounds + 1):  # round 0 warms up (first runs import and cache)
                app.session_state["answers"] = {}
                app.session_state["step"] = 1
                base.session_state["step"] = 1
                app.run()
                base.run()
                for q in questions:
                    a = _tap(app, f"q_{q.id}__{q.codes[r % len(q.codes)]}", runs)
                    b = _tap(base, "b0", runs)
                    if r:
                        out["app"].append(a[0])
                        out["app_wall"].append(a[1])
                        out["base"].append(b[0])
                        out["base_wall"].append(b[1])
        finally:
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    header(
        f"per-tap rerun, server side (AppTest): {len(out['app'])} taps each, {rounds} rounds x "
        f"{len(questions)} question screens, interleaved"
    )
    print(
        f"   runner.postScriptGC = {gc_after_run}; widgets on the question screens: "
        f"{', '.join(str(s['buttons']) for s in spec[1 : len(questions) + 1])} buttons (same on the baseline)"
    )
    print(fmt_row("app question screen: script run", out["app"], "ms"))
    print(fmt_row("baseline page: script run", out["base"], "ms"))
    print(fmt_row("app: AppTest round trip", out["app_wall"], "ms"))
    print(fmt_row("baseline: AppTest round trip", out["base_wall"], "ms"))
    print(ratio_line("app/baseline script run", out["app"], out["base"], TARGET))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    bench_rerun(parser.parse_args().rounds)


if __name__ == "__main__":
    main()
