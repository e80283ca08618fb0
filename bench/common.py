"""Shared helpers: machine description and min / median / max reporting."""

from __future__ import annotations

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
    return f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, Python {sys.version.split()[0]}"


def stats(values: Sequence[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


def fmt_row(name: str, values: Sequence[float], unit: str, scale: float = 1.0) -> str:
    lo, mid, hi = stats([v * scale for v in values])
    return f"  {name:<34} min {lo:10.2f} {unit}  median {mid:10.2f} {unit}  max {hi:10.2f} {unit}"


def header(title: str) -> None:
    print(f"\n== {title}")
    print(f"   machine: {machine()}")
