"""Real servers for the multi-process tests, started and torn down by the tests.

- :class:`PostgresCluster`: a throw-away PostgreSQL cluster from the Debian
  packages (``initdb`` into a temporary folder, loopback TCP on a free port plus a
  Unix socket in that folder). PostgreSQL refuses to run as root, so under root
  it runs as the ``postgres`` OS user that the package creates.
- :func:`nginx_config` / :class:`Nginx`: nginx started with ``-p <dir> -c <conf>``
  where the configuration is the shipped ``deploy/nginx.conf`` with only the
  loopback-specific lines replaced (see :func:`nginx_config`), and the included
  files copied verbatim.
- :class:`Instances`: the app's instances, started by the shipped
  ``deploy/run-instances.sh``.

Without the PostgreSQL or nginx binaries these helpers FAIL when the environment
variable CI is set (``.ci/run`` installs them), and skip otherwise.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX_INCLUDES = ("decision-aid-locations.conf", "decision-aid-headers.conf")


def missing_server(what: str, package: str) -> None:
    """Fail under CI (the server must be installed there), skip elsewhere."""
    message = f"{what} is not available, so the tests that need it cannot run"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set: install it, e.g. apt-get install -y {package})", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_run(n: int) -> int:
    """The first of ``n`` consecutive free loopback ports (run-instances.sh counts up from one)."""
    for _ in range(50):
        base = free_port()
        if base + n < 65535 and all(_port_is_free(base + i) for i in range(n)):
            return base
    raise RuntimeError(f"no {n} consecutive free ports on 127.0.0.1")


def http_get(
    url: str, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, dict[str, list[str]], bytes]:
    """(status, headers as lower-case name -> every value, body); HTTP errors are answers too."""
    request = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as r:
            status, raw, body = r.status, r.headers, r.read()
    except urllib.error.HTTPError as err:
        status, raw, body = err.code, err.headers, err.read()
    seen: dict[str, list[str]] = {}
    for name, value in raw.items():
        seen.setdefault(name.lower(), []).append(value)
    return status, seen, body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer to check, not to follow
        return None


def wait_healthy(base: str, timeout: float, alive=lambda: True, what: str = "the app") -> None:
    deadline = time.monotonic() + timeout
    while True:
        if not alive():
            raise RuntimeError(f"{what} stopped before it became healthy")
        try:
            status, _, body = http_get(f"{base}/_stcore/health", timeout=2)
            if status == 200 and body.strip() == b"ok":
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} at {base} did not become healthy in {timeout:.0f} s")
        time.sleep(0.2)


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


# --------------------------------------------------------------------------- PostgreSQL


def postgres_bindir() -> Path | None:
    """``PG_BINDIR``, else the newest /usr/lib/postgresql/<version>/bin (Debian), else PATH."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class PostgresCluster:
    """One throw-away cluster. ``url(name)`` is what the app gets in DECISION_DB_URL."""

    bindir: Path
    root: Path
    port: int = field(default_factory=free_port)
    superuser_password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    app_user: str = "decision"
    app_password: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    proc: subprocess.Popen | None = None
    _databases: int = 0

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def _as_owner(self) -> dict:
        """Run as the postgres OS user when we are root (postgres refuses root)."""
        if os.geteuid() != 0:
            return {}
        user = pwd.getpwnam("postgres")
        return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}

    def init(self) -> None:
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.superuser_password + "\n")
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            for path in (self.root, pwfile):
                os.chown(path, user.pw_uid, user.pw_gid)
        subprocess.run(
            [
                str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--pwfile", str(pwfile),
                "--auth-local", "trust", "--auth-host", "scram-sha-256", "--encoding", "UTF8",
                "--locale", "C", "--no-sync", "--no-instructions",
            ],
            check=True, capture_output=True, timeout=120, **self._as_owner(),
        )  # fmt: skip
        pwfile.unlink()

    def start(self, timeout: float = 30) -> None:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        cmd = [
            str(self.bindir / "postgres"), "-D", str(self.data),
            "-c", "listen_addresses=127.0.0.1", "-c", f"port={self.port}",
            "-c", f"unix_socket_directories={self.root}",
            # A throw-away cluster: no durability needed, so no fsync cost.
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=200", "-c", "logging_collector=off",
        ]  # fmt: skip
        log = open(self.log, "ab")  # noqa: SIM115 - kept open by the child
        try:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, **self._as_owner())
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.admin("SELECT 1")
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"postgres did not accept connections in {timeout:.0f} s:\n{self.log_tail()}"
                    ) from None
                time.sleep(0.1)

    def stop(self) -> None:
        """Fast shutdown: open connections are cut, as when the server goes down."""
        if self.proc is not None:
            _stop(self.proc, signal.SIGINT, timeout=30)

    def log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def admin(self, sql: str, dbname: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", password=self.superuser_password,
            dbname=dbname, autocommit=True, connect_timeout=3,
        ) as conn:  # fmt: skip
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []

    def create_database(self, name: str | None = None) -> str:
        """A fresh database owned by the app's ordinary (not super) user; returns its URL."""
        if self._databases == 0:
            self.admin(f"CREATE ROLE {self.app_user} LOGIN PASSWORD '{self.app_password}'")
        self._databases += 1
        name = name or f"handoffs_{self._databases}"
        self.admin(f'CREATE DATABASE "{name}" OWNER {self.app_user}')
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://{self.app_user}:{self.app_password}@127.0.0.1:{self.port}/{name}"


@contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    bindir = postgres_bindir()
    if bindir is None or not (bindir / "postgres").exists():
        missing_server("PostgreSQL", "postgresql")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing_server("psycopg (pip install -r requirements.txt)", "postgresql")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            missing_server("the postgres OS user (PostgreSQL refuses to run as root)", "postgresql")
    root = Path(tempfile.mkdtemp(prefix="decision-pg-"))
    cluster = PostgresCluster(bindir, root)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


# --------------------------------------------------------------------------- nginx


def nginx_binary() -> str | None:
    """``NGINX``, else nginx on PATH, else Debian's /usr/sbin/nginx (not on a user's PATH)."""
    if os.environ.get("NGINX"):
        return os.environ["NGINX"] if os.access(os.environ["NGINX"], os.X_OK) else None
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)


def _sub_once(pattern: str, replacement: str, text: str, what: str) -> str:
    new, n = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    if n != 1:
        raise AssertionError(f"deploy/nginx.conf no longer has {what}: the test must follow the shipped file")
    return new


def nginx_config(
    workdir: Path, listen_port: int, instance_ports: list[int], tls: dict[str, object] | None = None
) -> Path:
    """The shipped nginx.conf for loopback, written into ``workdir`` with its includes.

    Only these lines change, and each must be found: the ``pid`` path; the
    ``listen 127.0.0.1:8080`` port; every instance address ``127.0.0.1:860N``
    (plain or regex-escaped) becomes the test's port for instance N; ``access_log
    off`` becomes a log of which instance served each request (so the tests can see
    the affinity; it records no query strings or bodies); and temporary file paths
    inside ``workdir`` (the packaged ones are under /var/lib/nginx).

    With ``tls`` ({"cert", "key", "https_port", "http_port"}) the commented TLS
    servers are uncommented as the file tells an administrator to, with the
    certificate paths and ports replaced.
    """
    conf = (DEPLOY / "nginx.conf").read_text()
    conf = _sub_once(r"^pid [^;]+;", f"pid {workdir}/nginx.pid;", conf, "a pid line")
    conf = _sub_once(
        r"^(\s*)listen 127\.0\.0\.1:8080;", rf"\g<1>listen 127.0.0.1:{listen_port};", conf, "'listen 127.0.0.1:8080;'"
    )
    address = re.compile(r"(127\\?\.0\\?\.0\\?\.1:)(86\d\d)\b")
    active = "\n".join(line.split("#", 1)[0] for line in conf.splitlines())  # not the comments
    shipped = sorted({int(m.group(2)) for m in address.finditer(active)})
    if shipped != [8601 + i for i in range(len(instance_ports))]:
        raise AssertionError(f"deploy/nginx.conf names instances {shipped}, the test runs {len(instance_ports)}")
    ports = {8601 + i: port for i, port in enumerate(instance_ports)}
    conf = address.sub(lambda m: f"{m.group(1)}{ports.get(int(m.group(2)), m.group(2))}", conf)
    conf = _sub_once(
        r"^(\s*)access_log off;.*$",
        rf"\g<1>log_format route '$msec\t$status\t$upstream_addr\t$cookie_st_route\t$request_method\t$uri';"
        rf"\n\g<1>access_log {workdir}/access.log route;",
        conf,
        "'access_log off;'",
    )
    temp = "".join(
        f"\n    {name}_temp_path {workdir}/tmp-{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = _sub_once(r"^http \{", "http {" + temp, conf, "an 'http {' block")
    if tls:
        section = re.search(r"^\s*# --- TLS.*?^\s*# --- end of TLS", conf, flags=re.MULTILINE | re.DOTALL)
        if not section:
            raise AssertionError("deploy/nginx.conf no longer has the commented '# --- TLS ... # --- end of TLS' part")
        block = re.sub(r"^(\s*)# (server \{|    .*|\})$", r"\1\2", section.group(0), flags=re.MULTILINE)
        block = _sub_once(
            r"^(\s*)listen 443 ssl", rf"\g<1>listen 127.0.0.1:{tls['https_port']} ssl", block, "'listen 443 ssl'"
        )
        block = _sub_once(r"^(\s*)listen 80;", rf"\g<1>listen 127.0.0.1:{tls['http_port']};", block, "'listen 80;'")
        block = _sub_once(
            r"^(\s*)ssl_certificate\s+\S+;", rf"\g<1>ssl_certificate {tls['cert']};", block, "ssl_certificate"
        )
        block = _sub_once(
            r"^(\s*)ssl_certificate_key\s+\S+;",
            rf"\g<1>ssl_certificate_key {tls['key']};",
            block,
            "ssl_certificate_key",
        )
        conf = conf[: section.start()] + block + conf[section.end() :]
    for include in NGINX_INCLUDES:
        shutil.copyfile(DEPLOY / include, workdir / include)
    path = workdir / "nginx.conf"
    path.write_text(conf)
    return path


@dataclass
class Nginx:
    workdir: Path
    port: int
    proc: subprocess.Popen

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def routes(self) -> list[dict[str, str]]:
        """Every request so far: status, upstream (the instances tried), route cookie sent, method, path."""
        path = self.workdir / "access.log"
        rows = []
        if path.exists():
            for line in path.read_text().splitlines():
                parts = line.split("\t")
                if len(parts) == 6:
                    fields = ("msec", "status", "upstream", "cookie", "method", "uri")
                    rows.append(dict(zip(fields, parts, strict=True)))
        return rows


@contextmanager
def run_nginx(instance_ports: list[int], tls: dict[str, object] | None = None, timeout: float = 15) -> Iterator[Nginx]:
    binary = nginx_binary()
    if binary is None:
        missing_server("nginx", "nginx")
    workdir = Path(tempfile.mkdtemp(prefix="decision-nginx-"))
    workdir.chmod(0o755)  # worker processes (another user under root) read the temp folders
    port = free_port()
    conf = nginx_config(workdir, port, instance_ports, tls)
    args = [binary, "-e", "stderr", "-p", str(workdir), "-c", str(conf)]
    check = subprocess.run([*args, "-t", "-q"], capture_output=True, text=True, timeout=30)
    if check.returncode != 0:
        shutil.rmtree(workdir, ignore_errors=True)
        raise AssertionError(f"nginx -t refused the shipped configuration:\n{check.stderr}")
    log = open(workdir / "error.log", "ab")  # noqa: SIM115 - kept open by the child
    proc = subprocess.Popen([*args, "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT)
    log.close()
    server = Nginx(workdir, port, proc)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                said = (workdir / "error.log").read_text()[-3000:]
                raise RuntimeError(f"nginx exited with {proc.returncode}:\n{said}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("nginx did not listen in time") from None
                time.sleep(0.05)
        yield server
    finally:
        _stop(proc, signal.SIGQUIT)  # graceful: finish requests, then stop
        shutil.rmtree(workdir, ignore_errors=True)


# --------------------------------------------------------------------------- app instances


@dataclass
class Instances:
    """``deploy/run-instances.sh N``: N instances on consecutive loopback ports."""

    proc: subprocess.Popen
    ports: list[int]
    log: Path

    def base(self, i: int) -> str:
        return f"http://127.0.0.1:{self.ports[i]}"

    def pids(self, i: int) -> list[int]:
        """Every pid the script has reported for instance ``i`` (a restart adds one)."""
        pattern = re.compile(rf"127\.0\.0\.1:{self.ports[i]} started \(pid (\d+)\)")
        return [int(m.group(1)) for m in pattern.finditer(self.log.read_text(errors="replace"))]

    def wait_started(self, i: int, count: int, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while len(self.pids(i)) < count:
            if self.proc.poll() is not None:
                raise RuntimeError(f"run-instances.sh exited with {self.proc.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"instance {i} was not (re)started in {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.1)
        pid = self.pids(i)[-1]
        wait_healthy(self.base(i), timeout, alive=lambda: self.proc.poll() is None, what=f"instance {i}")
        return pid

    def kill(self, i: int) -> int:
        """SIGKILL the running instance ``i`` (as a crash would); returns its pid."""
        pid = self.pids(i)[-1]
        os.kill(pid, signal.SIGKILL)
        return pid

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@contextmanager
def run_instances(n: int, env: dict[str, str], workdir: Path, timeout: float = 90) -> Iterator[Instances]:
    """Start the shipped run-instances.sh with ``n`` instances and wait until all are healthy."""
    base_port = free_port_run(n)
    log_path = workdir / "instances.log"
    full_env = {
        **os.environ,
        "PYTHON": sys.executable,
        "BASE_PORT": str(base_port),
        "RESTART_DELAY": "1",
        **env,
    }
    full_env.pop("DECISION_DB_PATH", None)  # the instances share DECISION_DB_URL
    log = open(log_path, "wb")  # noqa: SIM115 - kept open by the child
    proc = subprocess.Popen(
        ["bash", str(DEPLOY / "run-instances.sh"), str(n)],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    log.close()
    group = Instances(proc, [base_port + i for i in range(n)], log_path)
    try:
        for i in range(n):
            group.wait_started(i, 1, timeout)
        yield group
    finally:
        _stop(proc, signal.SIGTERM, timeout=20)
        with contextlib.suppress(ProcessLookupError, PermissionError):  # anything left in the script's group
            os.killpg(proc.pid, signal.SIGKILL)
