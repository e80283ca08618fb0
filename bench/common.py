"""Shared helpers: machine description and min / median / max reporting."""

from __future__ import annotations

import math
import os
import platform
import statistics
import sys
from collections.abc import Sequence


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        mem = f", {pages * size / 2**30:.0f} GiB RAM"
    except (ValueError, OSError, AttributeError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, "
        f"Python {sys.version.split()[0]}, Streamlit {streamlit_version()}"
    )


def streamlit_version() -> str:
    try:
        from importlib.metadata import version

        return version("streamlit")
    except Exception:
        return "?"


def stats(values: Sequence[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def fmt_row(name: str, values: Sequence[float], unit: str, scale: float = 1.0) -> str:
    lo, mid, hi = stats([v * scale for v in values])
    return f"  {name:<34} min {lo:10.2f} {unit}  median {mid:10.2f} {unit}  max {hi:10.2f} {unit}"


def ratio_line(what: str, ours: Sequence[float], theirs: Sequence[float], target: float) -> str:
    """'ratio app/baseline (median): 1.23x; target <= 1.5: met'."""
    r = stats(ours)[1] / stats(theirs)[1]
    verdict = "met" if r <= target else f"MISSED by {(r / target - 1) * 100:.0f} %"
    return f"  ratio {what} (median): {r:.2f}x; target <= {target}: {verdict}"


def load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
    except (OSError, AttributeError):
        return "n/a"
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def header(title: str) -> None:
    print(f"\n== {title}")
    print(f"   machine: {machine()}")
    print(f"   load average when it ended: {load_average()} (other work on the machine skews every figure)")
