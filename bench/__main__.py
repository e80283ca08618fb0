"""Every benchmark, one after the other: ``python -m bench`` (``make bench``).

    python -m bench            all of them (about 12 minutes on 2 cores)
    python -m bench --quick    fewer repeats and 1 load pass (a few minutes)

Each one can also run alone: ``python -m bench.core``, ``bench.rerun``,
``bench.browser``, ``bench.load`` (see their ``--help``).
"""

from __future__ import annotations

import argparse
import time

from bench import browser, core, load, rerun
from bench.common import machine


def main() -> None:
    parser = argparse.ArgumentParser(description="Run every benchmark.")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, one load pass")
    parser.add_argument("--sessions", type=int, default=100, help="concurrent sessions in the load benchmark")
    a = parser.parse_args()
    t0 = time.perf_counter()
    print(f"machine: {machine()}")
    core.main_with(repeats=3 if a.quick else 7)
    rerun.bench_rerun(rounds=3 if a.quick else 8)
    browser.run(rounds=2 if a.quick else 5, cold=1 if a.quick else 3)
    load.bench_load(sessions=a.sessions, passes=1 if a.quick else 3)
    print(f"\nall benchmarks: {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
