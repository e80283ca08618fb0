"""Concurrent sessions and memory, against a real ``streamlit run`` server.

    python -m bench.load [--sessions 100] [--passes 3] [--interval 3] [--no-ticks]

Each pass starts a fresh server for the app and then one for the baseline page
(bench/baseline_page.py, the same widgets per screen). On each server:

1. one session goes through the whole flow quickly (warm-up: lazy imports, caches);
2. one session goes through it again, tapping every 0.2 s: per-tap latency with
   the server otherwise idle;
3. RSS before; then ``--sessions`` sessions at once, each starting on the welcome
   screen and tapping every ``--interval`` seconds (welcome → Start → 14 questions
   → the safety check → the result); their starts are spread over one interval.
   Like an open browser tab, each also answers a fragment timer if the page
   sets one, unless ``--no-ticks`` (the app sets none since its idle watchdog
   became a thread of the server; run G and earlier had one, every 10 s);
4. RSS again while every session is still connected on its last screen.

A tap's latency is from sending ``rerun_script`` to receiving ``script_finished``
(the protocol client in bench/protocol.py; it runs on the same machine).
Every session checks each screen it gets (see bench/flow.py).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from dataclasses import dataclass, field

from bench import flow
from bench.common import fmt_row, header, percentile
from bench.protocol import DriveReport, drive
from bench.server import BASELINE_PAGE, serve

P95_TARGET_MS = 100.0
MB_PER_SESSION_TARGET = 0.5


@dataclass
class PassResult:
    single_ms: list[float] = field(default_factory=list)
    taps_ms: list[float] = field(default_factory=list)
    ticks_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    sessions: int = 0
    finished: int = 0
    rss_before: float | None = None
    rss_with: float | None = None
    seconds: float = 0.0
    cpu_ms_per_run: float | None = None  # server CPU (all threads) per script run, load phase

    @property
    def p50(self) -> float:
        return statistics.median(self.taps_ms) if self.taps_ms else float("nan")

    @property
    def p95(self) -> float:
        return percentile(self.taps_ms, 95) if self.taps_ms else float("nan")

    @property
    def mb_per_session(self) -> float | None:
        if self.rss_before is None or self.rss_with is None or not self.sessions:
            return None
        return (self.rss_with - self.rss_before) / self.sessions


def _run(coro):
    return asyncio.run(coro)


def one_pass(script: str, plans, env: dict[str, str] | None, interval: float, ticks: bool, warm_plans) -> PassResult:
    out = PassResult(sessions=len(plans))
    with serve(script, env=env) as server:
        warm: DriveReport = _run(drive(server.ws_url, warm_plans, interval=0.05, stagger=0))
        single: DriveReport = _run(drive(server.ws_url, warm_plans, interval=0.2, stagger=0))
        out.single_ms = single.taps_ms
        out.problems += [f"warm-up {p}" for p in warm.problems + single.problems]
        out.rss_before = server.rss_mb()
        cpu0 = server.cpu_seconds()
        limit = 60 + interval * (max(len(p.steps) for p in plans) + 3)
        report: DriveReport = _run(
            drive(
                server.ws_url,
                plans,
                interval=interval,
                ticks=ticks,
                on_all_done=lambda: (server.rss_mb(), server.cpu_seconds()),
                limit=limit,
            )
        )
        out.rss_with, cpu1 = report.at_end or (None, None)
        runs = len(report.taps_ms) + len(report.ticks_ms) + len(report.sessions)
        if cpu0 is not None and cpu1 is not None and runs:
            out.cpu_ms_per_run = (cpu1 - cpu0) * 1000 / runs
        out.taps_ms, out.ticks_ms = report.taps_ms, report.ticks_ms
        out.problems += report.problems
        out.finished = report.finished
        out.seconds = report.seconds
    return out


def _fmt(v: float | None, spec: str = ".1f") -> str:
    return "n/a" if v is None else format(v, spec)


def _describe(name: str, r: PassResult) -> str:
    return (
        f"    {name:<9} p50 {r.p50:7.1f} ms  p95 {r.p95:7.1f} ms  max {max(r.taps_ms or [0]):7.1f} ms  "
        f"taps {len(r.taps_ms)}  ticks {len(r.ticks_ms)}  reached the end {r.finished}/{r.sessions}  "
        f"problems {len(r.problems)}  RSS {_fmt(r.rss_before)} -> {_fmt(r.rss_with)} MB "
        f"({_fmt(r.mb_per_session, '.3f')} MB/session)  server CPU {_fmt(r.cpu_ms_per_run)} ms/run  "
        f"{r.seconds:.0f} s"
    )


def bench_load(
    sessions: int = 100, passes: int = 3, interval: float = 3.0, ticks: bool = True, gc_defaults: bool = False
) -> dict:
    spec = flow.screen_spec()
    app_plans = flow.app_plans(sessions)
    base_plans = [flow.baseline_plan(p, spec) for p in app_plans]
    warm_app = flow.app_plans(1, seed=1)
    warm_base = [flow.baseline_plan(p, spec) for p in warm_app]
    header(
        f"concurrent sessions: {sessions} sessions x {len(app_plans[0].steps)} taps, one tap every "
        f"{interval:g} s each, fragment timer ticks {'on' if ticks else 'off'}; {passes} passes, fresh servers"
        + ("; app with Python's default GC settings" if gc_defaults else "")
    )
    results: dict[str, list[PassResult]] = {"app": [], "baseline": []}
    for p in range(passes):
        print(f"  pass {p + 1}:")
        app_env = {"DECISION_GC_DEFAULTS": "1"} if gc_defaults else None
        results["app"].append(one_pass("app.py", app_plans, app_env, interval, ticks, warm_app))
        print(_describe("app", results["app"][-1]))
        results["baseline"].append(
            one_pass(BASELINE_PAGE, base_plans, flow.baseline_env(spec), interval, ticks, warm_base)
        )
        print(_describe("baseline", results["baseline"][-1]))
        for r in results["app"][-1:] + results["baseline"][-1:]:
            for problem in r.problems[:5]:
                print(f"      problem: {problem}")
    app, base = results["app"], results["baseline"]
    print("  over the passes (min / median / max of each pass's figure):")
    print(fmt_row("1 session, per tap: app", [t for r in app for t in r.single_ms], "ms"))
    print(fmt_row("1 session, per tap: baseline", [t for r in base for t in r.single_ms], "ms"))
    for name, rs in (("app", app), ("baseline", base)):
        print(fmt_row(f"{sessions} sessions p50: {name}", [r.p50 for r in rs], "ms"))
        print(fmt_row(f"{sessions} sessions p95: {name}", [r.p95 for r in rs], "ms"))
        print(fmt_row(f"{sessions} sessions max: {name}", [max(r.taps_ms or [0]) for r in rs], "ms"))
        if any(r.ticks_ms for r in rs):
            print(
                fmt_row(
                    f"fragment timer tick p95: {name}", [percentile(r.ticks_ms, 95) for r in rs if r.ticks_ms], "ms"
                )
            )
        cpus = [r.cpu_ms_per_run for r in rs if r.cpu_ms_per_run is not None]
        if cpus:
            print(fmt_row(f"server CPU per run: {name}", cpus, "ms"))
        mbs = [r.mb_per_session for r in rs if r.mb_per_session is not None]
        if mbs:
            print(fmt_row(f"RSS per session: {name}", mbs, "MB"))
            print(fmt_row(f"RSS before sessions: {name}", [r.rss_before for r in rs], "MB"))
    single_ratio = statistics.median([t for r in app for t in r.single_ms]) / statistics.median(
        [t for r in base for t in r.single_ms]
    )
    print(f"  ratio app/baseline, 1 session per tap (median): {single_ratio:.2f}x")
    worst_p95 = max(r.p95 for r in app)
    errors = sum(len(r.problems) for r in app)
    reached = min(r.finished for r in app)
    verdict = "met" if worst_p95 < P95_TARGET_MS and not errors and reached == sessions else "MISSED"
    print(
        f"  target: p95 < {P95_TARGET_MS:.0f} ms in every pass (worst {worst_p95:.1f} ms), no error ({errors}), "
        f"every session reaches the result (worst pass {reached}/{sessions}): {verdict}"
    )
    mbs = [r.mb_per_session for r in app if r.mb_per_session is not None]
    if mbs:
        worst = max(mbs)
        print(
            f"  target: < {MB_PER_SESSION_TARGET} MB per session (worst pass {worst:.3f} MB): "
            f"{'met' if worst < MB_PER_SESSION_TARGET else 'MISSED'}"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between one session's taps")
    parser.add_argument("--no-ticks", action="store_true", help="do not answer a fragment timer (the app has none)")
    parser.add_argument(
        "--gc-defaults",
        action="store_true",
        help="run the app with Python's default GC settings (DECISION_GC_DEFAULTS=1)",
    )
    a = parser.parse_args()
    bench_load(a.sessions, a.passes, a.interval, not a.no_ticks, a.gc_defaults)


if __name__ == "__main__":
    main()
