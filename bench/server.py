"""A real ``streamlit run`` server for the benchmarks, on a free loopback port.

The handoff database is a file in a temporary folder (``DECISION_DB_PATH``), so a
benchmark never writes into the project's data/ folder. The server log goes to a
temporary file and is shown only when the server fails to start.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE_PAGE = "bench/baseline_page.py"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float | None:
    """Resident set size of a process in MB (Linux /proc), or None elsewhere."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used (Linux /proc), or None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    started: float  # time.perf_counter() just before the process was started
    healthy: float  # time.perf_counter() when /_stcore/health first said ok

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1) + "/_stcore/stream"

    def rss_mb(self) -> float | None:
        return rss_mb(self.proc.pid)

    def cpu_seconds(self) -> float | None:
        return cpu_seconds(self.proc.pid)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.read().strip() == b"ok"
    except OSError:
        return False


@contextmanager
def serve(
    script: str = "app.py", env: dict[str, str] | None = None, timeout: float = 60.0, args: tuple[str, ...] = ()
) -> Iterator[Server]:
    """Start ``streamlit run <script>`` from the project root; stop it on exit."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
        *args,
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        full_env = {**os.environ, "DECISION_DB_PATH": str(Path(tmp) / "handoffs.sqlite3"), **(env or {})}
        log_path = Path(tmp) / "server.log"
        with open(log_path, "w", encoding="utf-8") as log:
            started = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
            url = f"http://127.0.0.1:{port}"
            try:
                deadline = started + timeout
                while not _healthy(url):
                    if proc.poll() is not None or time.perf_counter() > deadline:
                        raise RuntimeError(f"{script} did not start:\n{log_path.read_text()[-3000:]}")
                    time.sleep(0.02)
                yield Server(url, proc, started, time.perf_counter())
            finally:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
