"""Tap to next screen in a real browser, and cold start.

    python -m bench.browser [--rounds 5] [--cold 5]

Headless Chromium (Debian's; ``CHROMIUM`` overrides) at 820x1180 with touch, as
on the clinic's tablet. The app and the baseline page (bench/baseline_page.py,
same widgets per screen) run side by side on two servers; rounds alternate.

Tap: on each of the 14 question screens, touch an answer at its centre and wait
until the next screen's title is shown and the app is idle (connected, script
not running, no skeleton). The clock starts just before the touch (the button is
scrolled into view first) and stops when a check run on every animation frame
sees all of that. Each round is a new browser context (a new session).

The check runs once a frame, so a time is rounded up to the next frame (16.7 ms at
60 Hz). Without more, each tap would start at about the same point of a frame (the
last wait ended on one, and the steps before the touch take about as long each
time): a whole run's figures would land on the same side of a frame boundary, and a
median could move by a frame from one run to the next with no change to either
page. So each touch waits a random part of a frame first (the same seeded series
for the app and the baseline): the rounding then averages out over the taps.

Cold start: the process is started; as soon as the server answers its health
check, a client asks for the first screen and taps Start. Timed from starting the
process to the first question: served to the protocol client (no browser); shown
and idle in a browser that has Streamlit's JavaScript cached (a tablet reloading
or its open tab reconnecting after a restart); shown in a browser with an empty
cache (a new device). Same for the baseline page (its screens 0 and 1).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from bench import flow
from bench.common import fmt_row, header, ratio_line, stats
from bench.server import BASELINE_PAGE, serve

TAP_TARGET = 1.3
COLD_TARGET_S = 3.0
TABLET = {"width": 820, "height": 1180}
FRAME_S = 1 / 60
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE_JS = """(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
      || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const h = document.querySelector('h1');  // st.title's, or a question's in its block
  return !!h && h.textContent.trim() === title;
}"""


def chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise SystemExit("Chromium is needed for this benchmark (apt-get install chromium, or set CHROMIUM)")
    return path


def _new_page(browser):
    context = browser.new_context(
        viewport=TABLET, device_scale_factor=1, is_mobile=True, has_touch=True, locale="en-CA"
    )
    return context, context.new_page()


def _wait(page, title: str, timeout_ms: float = 20_000) -> None:
    page.wait_for_function(IDLE_JS, arg=title, polling="raf", timeout=timeout_ms)


def _tap_ms(page, selector: str, title: str, dither: random.Random | None = None) -> float:
    """Touch the centre of ``selector``; milliseconds until ``title``'s screen is shown and idle.
    With ``dither``, the touch first waits a random part of a frame (see the module's text)."""
    target = page.locator(selector).first
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    if box is None:
        raise RuntimeError(f"{selector} is not on the screen")
    if dither is not None:
        time.sleep(dither.uniform(0, FRAME_S))
    t0 = time.perf_counter()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    _wait(page, title)
    return (time.perf_counter() - t0) * 1000


def _app_round(browser, url: str, rnd: int) -> list[float]:
    c = flow.content()
    t = flow._words("en")
    questions = c.questions_of_kind("questions")
    titles = [t.of(q.text) for q in questions] + [t.of(c.section_of[c.questions_of_kind("safety")[0].id].title)]
    context, page = _new_page(browser)
    try:
        page.goto(url)
        _wait(page, t.of(c.meta.title), 60_000)
        _tap_ms(page, ".st-key-start button", titles[0])
        out = []
        dither = random.Random(rnd)
        for i, q in enumerate(questions):
            code = q.codes[rnd % len(q.codes)]
            out.append(_tap_ms(page, f".st-key-q_{q.id}__{code} button", titles[i + 1], dither))
        return out
    finally:
        context.close()


def _base_round(browser, url: str, screens: int, rnd: int) -> list[float]:
    context, page = _new_page(browser)
    try:
        page.goto(url)
        _wait(page, "Screen 0", 60_000)
        _tap_ms(page, ".st-key-b0 button", "Screen 1")
        dither = random.Random(rnd)
        return [_tap_ms(page, ".st-key-b0 button", f"Screen {i + 1}", dither) for i in range(1, screens + 1)]
    finally:
        context.close()


def bench_tap(browser, rounds: int = 5) -> dict[str, list[float]]:
    spec = flow.screen_spec()
    n = len(flow.content().questions_of_kind("questions"))
    out: dict[str, list[float]] = {"app": [], "base": []}
    with serve("app.py") as app, serve(BASELINE_PAGE, env=flow.baseline_env(spec)) as base:
        _app_round(browser, app.url, 0)  # warm-up: first runs import and cache
        _base_round(browser, base.url, n, 0)
        for r in range(rounds):
            out["app"] += _app_round(browser, app.url, r + 1)
            out["base"] += _base_round(browser, base.url, n, r + 1)
    header(f"tap to next screen, headless Chromium 820x1180 touch: {rounds} rounds x {n} question screens, alternating")
    print(fmt_row("app: answer -> next question", out["app"], "ms"))
    print(fmt_row("baseline: button -> next screen", out["base"], "ms"))
    print(ratio_line("app/baseline", out["app"], out["base"], TAP_TARGET))
    mean = statistics.fmean(out["app"]) / statistics.fmean(out["base"])
    print(f"  ratio app/baseline (mean, for comparison): {mean:.2f}x")
    return out


def _cold_browser(context, script: str, env, first: str, selector: str, second: str) -> tuple[float, float, float]:
    with serve(script, env=env) as server:
        health = server.healthy - server.started
        page = context.new_page()
        try:
            page.goto(server.url)
            _wait(page, first, 60_000)
            shown = time.perf_counter() - server.started
            target = page.locator(selector).first
            target.scroll_into_view_if_needed()
            target.tap()
            _wait(page, second, 60_000)
            question = time.perf_counter() - server.started
        finally:
            page.close()
    return health, shown, question


def _cold_served(script: str, env, plan) -> float:
    """Process start to the first question's script_finished, for a protocol client (no browser)."""
    import asyncio

    from bench.protocol import Session

    async def go(ws_url: str) -> None:
        session = Session(ws_url, plan.locale, timeout=60)
        await session.connect()
        try:
            await session.run()
            await session.click(plan.steps[0].key)
            problems = plan.steps[0].check(session.screen) if plan.steps[0].check else []
            if problems:
                raise RuntimeError(f"cold start: {problems}")
        finally:
            await session.close()

    with serve(script, env=env) as server:
        # Playwright's sync API owns this thread's event loop: run the client in another thread.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, go(server.ws_url)).result(timeout=120)
        return time.perf_counter() - server.started


def bench_cold(browser, repeats: int = 3) -> dict[str, dict[str, list]]:
    """Three ways, each from the process start: served to a protocol client; shown in a
    browser that has Streamlit's JavaScript cached (a tablet reloading, or its open tab
    reconnecting); shown in a browser that has nothing cached (a new device)."""
    spec = flow.screen_spec()
    c = flow.content()
    t = flow._words("en")
    q1 = t.of(c.questions_of_kind("questions")[0].text)
    app_plan = flow.app_plans(1)[0]
    base_plan = flow.baseline_plan(app_plan, spec)
    targets = {
        "app": ("app.py", None, t.of(c.meta.title), ".st-key-start button", q1, app_plan),
        "base": (BASELINE_PAGE, flow.baseline_env(spec), "Screen 0", ".st-key-b0 button", "Screen 1", base_plan),
    }
    out: dict[str, dict[str, list]] = {k: {"served": [], "cached": [], "fresh": []} for k in targets}
    cached = {}
    for name, (script, env, first, selector, second, _) in targets.items():
        cached[name], _page = _new_page(browser)
        _page.close()
        _cold_browser(cached[name], script, env, first, selector, second)  # fills the cache
    try:
        for _ in range(repeats):
            for name, (script, env, first, selector, second, plan) in targets.items():
                out[name]["served"].append(_cold_served(script, env, plan))
                out[name]["cached"].append(_cold_browser(cached[name], script, env, first, selector, second))
                fresh, page = _new_page(browser)
                page.close()
                try:
                    out[name]["fresh"].append(_cold_browser(fresh, script, env, first, selector, second))
                finally:
                    fresh.close()
    finally:
        for context in cached.values():
            context.close()
    header(f"cold start: from starting the process ({repeats} repeats, a new server each time)")
    for name, label in (("app", "app"), ("base", "baseline")):
        r = out[name]
        print(fmt_row(f"{label}: health check ok", [x[0] for x in r["cached"] + r["fresh"]], "s"))
        print(fmt_row(f"{label}: 1st question served (protocol)", r["served"], "s"))
        print(fmt_row(f"{label}: 1st screen shown, cached JS", [x[1] for x in r["cached"]], "s"))
        print(fmt_row(f"{label}: 1st question shown, cached JS", [x[2] for x in r["cached"]], "s"))
        print(fmt_row(f"{label}: 1st screen shown, empty cache", [x[1] for x in r["fresh"]], "s"))
        print(fmt_row(f"{label}: 1st question shown, empty cache", [x[2] for x in r["fresh"]], "s"))
    for what, values in (
        ("served (protocol)", out["app"]["served"]),
        ("shown, cached JS", [x[2] for x in out["app"]["cached"]]),
        ("shown, empty cache", [x[2] for x in out["app"]["fresh"]]),
    ):
        _lo, med, hi = stats(values)
        print(
            f"  target: first question {what} < {COLD_TARGET_S:.0f} s: median {med:.2f} s, worst {hi:.2f} s: "
            f"{'met' if hi < COLD_TARGET_S else 'MISSED'}"
        )
    return out


def run(rounds: int = 5, cold: int = 3) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            if rounds:
                bench_tap(browser, rounds)
            if cold:
                bench_cold(browser, cold)
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="tap rounds (14 taps each)")
    parser.add_argument("--cold", type=int, default=3, help="cold starts of each kind for each server")
    a = parser.parse_args()
    run(a.rounds, a.cold)


if __name__ == "__main__":
    main()
