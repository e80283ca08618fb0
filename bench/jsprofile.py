"""Where the page's own script time goes on a tap: the app against the baseline page.

    python -m bench.jsprofile [--rounds 3] [--top 25]

Not a figure against a target: a look inside the browser tap (bench.browser). The
same taps as there (each question screen, in a new browser context each round, app
and baseline alternating, servers as in bench.browser), with Chromium's sampling
profiler (DevTools protocol ``Profiler``, one sample every 100 µs) running through
the taps of each round. For the last round it prints, per tap, the profile's busy
time (everything but idle and the browser's own native work, shown apart as
"program") and the functions with the most self time, by name, file and position
(Streamlit's bundle is minified: names are short, files and positions find them).
"""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

from bench import flow
from bench.browser import CHROMIUM_ARGS, _new_page, _tap_ms, _wait, chromium
from bench.common import header
from bench.server import BASELINE_PAGE, serve

SAMPLE_US = 100


def self_times(profile: dict[str, Any]) -> Counter[tuple[str, str, int, int]]:
    """Milliseconds of self time per (function, file, line, column) in a CDP profile."""
    nodes = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    out: Counter[tuple[str, str, int, int]] = Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        frame = nodes[sample]
        where = frame["url"].rsplit("/", 1)[-1]
        out[(frame["functionName"] or "(anonymous)", where, frame["lineNumber"], frame["columnNumber"])] += delta / 1000
    return out


def _report(label: str, times: Counter[tuple[str, str, int, int]], taps: int, top: int) -> None:
    program = sum(v for k, v in times.items() if k[0] == "(program)")
    busy = sum(v for k, v in times.items() if k[0] not in ("(idle)", "(program)"))
    print(f"  {label}: script and GC {busy / taps:.1f} ms a tap; browser's own work (program) {program / taps:.1f} ms")
    shown = [(k, v) for k, v in times.most_common() if k[0] not in ("(idle)", "(program)")][:top]
    for (name, where, line, col), ms in shown:
        print(f"    {ms / taps:6.2f} ms  {name}  {where}:{line}:{col}")


def run(rounds: int = 3, top: int = 25) -> None:
    from playwright.sync_api import sync_playwright

    content = flow.content()
    words = flow._words("en")
    questions = content.questions_of_kind("questions")
    titles = [words.of(q.text) for q in questions]
    titles.append(words.of(content.section_of[content.questions_of_kind("safety")[0].id].title))
    spec = flow.screen_spec()
    last: dict[str, Counter[tuple[str, str, int, int]]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            with serve("app.py") as app, serve(BASELINE_PAGE, env=flow.baseline_env(spec)) as base:
                for _ in range(rounds):
                    for label in ("app", "baseline"):
                        context, page = _new_page(browser)
                        try:
                            cdp = context.new_cdp_session(page)
                            if label == "app":
                                page.goto(app.url)
                                _wait(page, words.of(content.meta.title), 60_000)
                                _tap_ms(page, ".st-key-start button", titles[0])
                            else:
                                page.goto(base.url)
                                _wait(page, "Screen 0", 60_000)
                                _tap_ms(page, ".st-key-b0 button", "Screen 1")
                            cdp.send("Profiler.enable")
                            cdp.send("Profiler.setSamplingInterval", {"interval": SAMPLE_US})
                            cdp.send("Profiler.start")
                            for i, q in enumerate(questions):
                                if label == "app":
                                    _tap_ms(page, f".st-key-q_{q.id}__{q.codes[0]} button", titles[i + 1])
                                else:
                                    _tap_ms(page, ".st-key-b0 button", f"Screen {i + 2}")
                            last[label] = self_times(cdp.send("Profiler.stop")["profile"])
                        finally:
                            context.close()
        finally:
            browser.close()
    header(f"script time a tap, headless Chromium 820x1180: {len(questions)} taps, the last of {rounds} rounds")
    for label in ("app", "baseline"):
        _report(label, last[label], len(questions), top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds (the last one is shown)")
    parser.add_argument("--top", type=int, default=25, help="functions shown for each page")
    a = parser.parse_args()
    run(a.rounds, a.top)


if __name__ == "__main__":
    main()
