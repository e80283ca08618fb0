"""Beyond one process: two app instances behind the shipped nginx, sharing one PostgreSQL.

Everything is real and on loopback: a throw-away PostgreSQL cluster, the instances
started by deploy/run-instances.sh (same cookie secret, same database, same PIN
hash), and nginx started with deploy/nginx.conf and its included files (only the
loopback-specific lines replaced: see tests/servers.py). In CI (CI set) a missing
PostgreSQL, nginx or Chromium fails these tests instead of skipping them.

- HTTP only: security headers on every answer, /_stcore/metrics blocked however it
  is spelled, the route cookie pinning a browser (and its WebSocket) to one
  instance, and the TLS servers working once uncommented as the file says.
- In Chromium through the proxy: a patient shares on one instance and the
  clinician, pinned to the other, opens the code and downloads the PDF (ten times,
  every one must succeed); a handoff made before its instance is killed is read
  through the other instance, whose session stays put when the first comes back;
  with the database down, sharing fails calmly and the app keeps working.
"""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from servers import (
    DEPLOY,
    ROOT,
    Instances,
    Nginx,
    PostgresCluster,
    free_port,
    http_get,
    missing_server,
    postgres_cluster,
    run_instances,
    run_nginx,
)
from shipped_content import CONTENT

from decision.records.pin import hash_pin
from decision.records.store import HandoffStore
from decision.settings import Settings

PIN = "2468"
QUESTIONS = CONTENT.questions_of_kind("questions")
TRIES = 10
PRIVATE_WORDS = ("Traceback", "psycopg", "sqlalchemy", "StoreError", "OperationalError", "postgresql")


# --------------------------------------------------------------------------- the stack


@dataclass
class Stack:
    pg: PostgresCluster
    db_url: str
    instances: Instances
    nginx: Nginx

    @property
    def base(self) -> str:
        return self.nginx.base

    def port_of(self, route: str) -> int:
        return self.instances.ports[int(route.removeprefix("i")) - 1]

    def served_by(self, cookie: str, since: int = 0) -> set[str]:
        """The instances (last one tried) that answered requests carrying this route cookie."""
        return {r["upstream"].split(", ")[-1] for r in self.nginx.routes()[since:] if r["cookie"] == cookie}


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with postgres_cluster() as pg:
        db_url = pg.create_database("decision_aid")
        env = {
            "DECISION_DB_URL": db_url,
            "CLINICIAN_PIN_HASH": hash_pin(PIN),
            "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(48),
        }
        workdir = Path(tempfile.mkdtemp(prefix="decision-instances-"))
        try:
            with run_instances(2, env, workdir) as instances, run_nginx(instances.ports) as nginx:
                yield Stack(pg, db_url, instances, nginx)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


# --------------------------------------------------------------------------- HTTP only

SECURITY_HEADERS = {
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


def assert_security_headers(headers: dict[str, list[str]], where: str) -> None:
    csp = headers.get("content-security-policy", [])
    assert len(csp) == 1, f"{where}: one Content-Security-Policy, got {csp}"
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in csp[0].split(";")}
    assert directives["frame-ancestors"] == "frame-ancestors 'none'", where
    assert directives["object-src"] == "object-src 'none'" and directives["default-src"] == "default-src 'self'"
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == [value], f"{where}: {name} is {headers.get(name)}"
    assert "strict-transport-security" not in headers, f"{where}: HSTS over plain HTTP"
    assert headers.get("server") == ["nginx"], f"{where}: the server header shows a version"


def test_no_other_site_may_steer_the_app_from_a_frame(stack: Stack):
    """Streamlit lets its own cloud's sites send a framed app commands (stop, rerun, set the
    query); the clinic's app takes them from none (config.toml: client.allowedOrigins)."""
    import json

    status, _, body = http_get(stack.instances.base(0) + "/_stcore/host-config")
    assert status == 200 and json.loads(body)["allowedOrigins"] == []


def route_cookie(headers: dict[str, list[str]]) -> str:
    """The one st_route Set-Cookie (Streamlit sets its own XSRF cookie beside it)."""
    found = [c for c in headers.get("set-cookie", []) if c.startswith("st_route=")]
    assert len(found) == 1, headers.get("set-cookie")
    return found[0]


def test_every_answer_carries_the_security_headers(stack: Stack):
    for path in ("/", "/clinician", "/_stcore/health", "/_stcore/host-config", "/static/no-such-file.js"):
        status, headers, _ = http_get(stack.base + path)
        assert status in (200, 404), path
        assert_security_headers(headers, path)
        cookie = route_cookie(headers)
        assert cookie.startswith(("st_route=i1;", "st_route=i2;")), f"{path}: {cookie}"
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    # Streamlit itself sends none of them: the proxy is what adds them.
    _, direct, _ = http_get(stack.instances.base(0) + "/")
    assert "content-security-policy" not in direct and "x-frame-options" not in direct


METRICS_SPELLINGS = (
    "/_stcore/metrics",
    "/_stcore/metrics/",
    "/_stcore/metrics?families=session_state",
    "//_stcore/metrics",
    "/_stcore//metrics",
    "/_stcore/./metrics",
    "/static/../_stcore/metrics",
    "/_stcore/%6detrics",
    "/_stcore/metrics%3Fx",
)


def test_metrics_are_blocked_however_they_are_spelled(stack: Stack):
    status, _, body = http_get(stack.instances.base(0) + "/_stcore/metrics")
    assert status == 200 and b"session" in body, "Streamlit serves metrics: the block is needed"
    for path in METRICS_SPELLINGS:
        conn = http.client.HTTPConnection("127.0.0.1", stack.nginx.port, timeout=10)
        conn.request("GET", path)  # sent as written: no client-side normalization
        response = conn.getresponse()
        body = response.read()
        headers: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            headers.setdefault(name.lower(), []).append(value)
        conn.close()
        assert response.status in (403, 404), f"{path}: {response.status}"
        assert b"session" not in body and b"# TYPE" not in body, f"{path} leaked metrics"
        assert_security_headers(headers, path)


def test_the_route_cookie_pins_a_browser_and_its_websocket_to_one_instance(stack: Stack):
    from websockets.sync.client import connect

    since = len(stack.nginx.routes())
    given = []
    for _ in range(40):  # new browsers are spread over both instances
        _, headers, _ = http_get(stack.base + "/_stcore/health")
        given.append(route_cookie(headers).split(";")[0].removeprefix("st_route="))
    assert set(given) == {"i1", "i2"}, given
    time.sleep(0.2)
    # Only this test's requests: a websocket of an earlier test is logged when it closes,
    # which on a busy machine can land in the middle of these rows.
    fresh = [r for r in stack.nginx.routes()[since:] if r["cookie"] == "-" and r["uri"] == "/_stcore/health"]
    # The cookies name the instances that answered: the same instances, as often. (Counted,
    # not paired line by line: each nginx worker logs after it answers, so on a busy machine
    # the next request, on the other worker, can be logged first.)
    served = sorted(row["upstream"] for row in fresh)
    assert served == sorted(f"127.0.0.1:{stack.port_of(route)}" for route in given)

    for route in ("i1", "i2"):
        since = len(stack.nginx.routes())
        for _ in range(15):
            status, headers, _ = http_get(stack.base + "/_stcore/health", {"Cookie": f"st_route={route}"})
            assert status == 200 and route_cookie(headers).startswith(f"st_route={route};")
        with connect(
            f"ws://127.0.0.1:{stack.nginx.port}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=f"http://127.0.0.1:{stack.nginx.port}",
            additional_headers={"Cookie": f"st_route={route}"},
            open_timeout=10,
        ) as ws:
            assert ws.response.status_code == 101 and ws.subprotocol == "streamlit"
        time.sleep(0.2)  # nginx logs the WebSocket when it closes
        rows = [r for r in stack.nginx.routes()[since:] if r["cookie"] == route]
        assert [r["method"] + " " + r["uri"] for r in rows].count("GET /_stcore/stream") == 1
        assert {r["upstream"] for r in rows} == {f"127.0.0.1:{stack.port_of(route)}"}, rows

    # A made-up cookie is replaced by a real route.
    _, headers, _ = http_get(stack.base + "/_stcore/health", {"Cookie": "st_route=../../x"})
    assert route_cookie(headers).split(";")[0] in ("st_route=i1", "st_route=i2")


def test_nginx_pins_the_websocket_origin_to_its_own_host(stack: Stack):
    # Streamlit alone accepts a page on any http://localhost:<port> (and the machine's own
    # addresses); behind the shipped nginx only a page of this very server may connect.
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    own = f"http://127.0.0.1:{stack.nginx.port}"
    stream = f"ws://127.0.0.1:{stack.nginx.port}/_stcore/stream"
    direct = f"ws://127.0.0.1:{stack.instances.ports[0]}/_stcore/stream"
    with connect(direct, subprotocols=["streamlit"], origin="http://localhost:9", open_timeout=10) as ws:
        assert ws.response.status_code == 101  # Streamlit's own rule: any localhost page
    for origin in ("http://localhost:9", "http://evil.example", f"https://127.0.0.1:{stack.nginx.port}", "null"):
        with pytest.raises(InvalidStatus) as refused:
            connect(stream, subprotocols=["streamlit"], origin=origin, open_timeout=10).close()
        assert refused.value.response.status_code == 403, origin
    with connect(stream, subprotocols=["streamlit"], origin=own, open_timeout=10) as ws:
        assert ws.response.status_code == 101
    status, _, _ = http_get(stack.base + "/_stcore/health")  # no Origin (not a browser page): served
    assert status == 200
    status, headers, _ = http_get(stack.base + "/", {"Origin": "http://localhost:9"})
    assert status == 403
    assert_security_headers(headers, "a foreign origin")


def test_unknown_nested_paths_lead_back_to_the_app(stack: Stack):
    for path in ("/x/y/z", "/clinician/x", "/a/b", "/x/y/z/"):
        status, headers, _ = http_get(stack.base + path)
        assert status == 302 and headers["location"][0].endswith("/"), path
        assert_security_headers(headers, path)
    # Streamlit's own paths are left alone, also below a page (the page probes them for its base path).
    for path in ("/", "/clinician", "/_stcore/health", "/static/does-not-exist.js", "/clinician/_stcore/health"):
        status, _, _ = http_get(stack.base + path)
        assert status in (200, 404), path  # served by Streamlit, not sent home


def _openssl() -> str:
    path = shutil.which("openssl")
    if not path:
        missing_server("openssl", "openssl")
    return path


def test_the_commented_tls_servers_work_once_uncommented(stack: Stack, tmp_path: Path):
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        [_openssl(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=decision-aid.example.org",
         "-addext", "subjectAltName=DNS:decision-aid.example.org,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    tls = {"cert": cert, "key": key, "https_port": free_port(), "http_port": free_port()}
    with run_nginx(stack.instances.ports, tls=tls) as nginx:
        context = ssl.create_default_context(cafile=str(cert))
        conn = http.client.HTTPSConnection("127.0.0.1", tls["https_port"], context=context, timeout=10)
        conn.request("GET", "/_stcore/health", headers={"Host": "decision-aid.example.org"})
        response = conn.getresponse()
        assert response.status == 200 and response.read() == b"ok"
        assert response.getheader("Strict-Transport-Security") == "max-age=31536000"
        cookie = route_cookie({"set-cookie": [v for k, v in response.getheaders() if k.lower() == "set-cookie"]})
        assert "; Secure" in cookie and "HttpOnly" in cookie
        assert "frame-ancestors 'none'" in response.getheader("Content-Security-Policy")
        assert conn.sock.version() in ("TLSv1.2", "TLSv1.3")
        conn.close()
        # Plain HTTP on the public port only redirects.
        status, headers, _ = http_get(f"http://127.0.0.1:{tls['http_port']}/clinician?x=1",
                                      {"Host": "decision-aid.example.org"})  # fmt: skip
        assert status == 301 and headers["location"] == ["https://decision-aid.example.org/clinician?x=1"]
        assert nginx.proc.poll() is None


def test_run_instances_refuses_a_missing_secret_or_shared_database(tmp_path: Path):
    script = str(DEPLOY / "run-instances.sh")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMLIT_", "DECISION_DB"))}
    cases = [
        ({}, ["2"], "STREAMLIT_SERVER_COOKIE_SECRET"),
        ({"STREAMLIT_SERVER_COOKIE_SECRET": "short"}, ["2"], "too short"),
        ({"STREAMLIT_SERVER_COOKIE_SECRET": "x" * 40}, ["2"], "DECISION_DB_URL is not set"),
        ({"STREAMLIT_SERVER_COOKIE_SECRET": "x" * 40}, ["two"], "usage"),
    ]
    for extra, args, said in cases:
        done = subprocess.run(["bash", script, *args], env={**env, **extra}, cwd=ROOT, capture_output=True,
                              text=True, timeout=30)  # fmt: skip
        assert done.returncode != 0 and said in done.stderr, (extra, args, done.stderr)


# --------------------------------------------------------------------------- in Chromium, through the proxy


def settled(page, selector: str, timeout: float = 20_000) -> None:
    """``selector`` is on screen and Streamlit has finished the run that drew it."""
    page.locator(selector).first.wait_for(timeout=timeout)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED'][data-test-script-state='notRunning']",
        timeout=timeout,
    )


def new_page(browser, stack: Stack, route: str | None = None):
    """A new browser (no cookies but the route, if given) and its first tab."""
    context = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True, locale="en-CA",
                                  accept_downloads=True)  # fmt: skip
    if route:
        context.add_cookies([{"name": "st_route", "value": route, "url": stack.base}])
    return context, new_tab(context)


def new_tab(context):
    """A new tab: a new Streamlit session. Records Content-Security-Policy refusals."""
    page = context.new_page()
    page.csp_violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_violations.append(m.text))
    return page


def route_of(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "st_route")


def to_result(page, stack: Stack) -> None:
    """A new patient on a new tab: Start, skip every question, see the result."""
    page.goto(stack.base + "/")
    answer_all(page)


def answer_all(page) -> None:
    """From the welcome screen: Start, skip every question, see the result."""
    settled(page, ".st-key-start button")
    page.locator(".st-key-start button").click()
    for n in range(1, len(QUESTIONS) + 1):
        settled(page, f"[role=progressbar][aria-valuenow='{n}']")
        page.locator(".st-key-skip button").click()
    settled(page, f"[role=progressbar][aria-valuenow='{len(QUESTIONS) + 1}']")
    page.locator(".st-key-see_result button").click()
    settled(page, ".st-key-share button")


def next_patient(page) -> None:
    """Start over (and confirm), as a patient hands the tablet back: the welcome screen again."""
    page.locator('[data-kiosk-act="start_over"]').click()
    settled(page, ".st-key-yes_start_over_top button")
    page.locator(".st-key-yes_start_over_top button").click()
    settled(page, ".st-key-start button")
    assert page.locator(".handoff-code").count() == 0


def share(page) -> str:
    page.locator(".st-key-share button").click()
    settled(page, ".handoff-code")
    code = page.locator(".handoff-code").first.get_attribute("data-code")
    assert code and len(code) == 6
    return code


def unlock(page, stack: Stack) -> None:
    page.goto(stack.base + "/clinician")
    settled(page, ".st-key-pin input")
    page.locator(".st-key-pin input").fill(PIN)
    page.locator(".st-key-unlock button").click()
    settled(page, ".st-key-handoff_code input")


def open_and_download(page, code: str) -> bytes:
    from pypdf import PdfReader

    page.locator(".st-key-handoff_code input").fill(code)
    page.locator(".st-key-open_code button").click()
    # The heading of this code first, then the end of the run that drew it: until then
    # the previous record's download button may still be on the page.
    page.get_by_role("heading", name=code).first.wait_for(timeout=20_000)
    settled(page, ".st-key-download_pdf button")
    with page.expect_download(timeout=20_000) as download:
        page.locator(".st-key-download_pdf button").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    import io

    text = " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert code in text
    return data


@pytest.mark.browser
def test_share_on_one_instance_open_and_download_on_the_other_every_time(stack: Stack, browser):
    contexts = []
    try:
        # New tablets, with no cookie, until nginx has put one on each instance.
        tablets = {}
        for _ in range(20):
            context, page = new_page(browser, stack)
            contexts.append(context)
            page.goto(stack.base + "/")
            settled(page, ".st-key-start button")
            tablets.setdefault(route_of(page), page)
            if len(tablets) == 2:
                break
        assert set(tablets) == {"i1", "i2"}, "nginx put every new browser on one instance"
        start = len(stack.nginx.routes())
        clinicians = {}
        for route in ("i1", "i2"):  # one physiotherapist's browser pinned to each instance
            context, page = new_page(browser, stack, route)
            contexts.append(context)
            unlock(page, stack)
            clinicians[route] = page

        codes = set()
        for n in range(TRIES):
            route = ("i1", "i2")[n % 2]
            other = "i2" if route == "i1" else "i1"
            since = len(stack.nginx.routes())
            tablet = tablets[route]
            if n >= 2:
                next_patient(tablet)  # the previous patient handed the tablet back
            answer_all(tablet)
            code = share(tablet)
            codes.add(code)

            clinician = clinicians[other]  # the physiotherapist on the other instance
            open_and_download(clinician, code)
            assert tablet.csp_violations == [] and clinician.csp_violations == []
            time.sleep(0.1)
            downloads = [
                r for r in stack.nginx.routes()[since:] if r["cookie"] == other and r["uri"].startswith("/media/")
            ]
            assert downloads and all(r["status"] == "200" for r in downloads), downloads
        assert len(codes) == TRIES
        # Each browser stayed on its own instance all along; the codes crossed over through PostgreSQL.
        for route in ("i1", "i2"):
            assert stack.served_by(route, start) == {f"127.0.0.1:{stack.port_of(route)}"}
    finally:
        for context in contexts:
            context.close()


@pytest.mark.browser
def test_a_handoff_outlives_its_instance_and_the_moved_session_stays_put(stack: Stack, browser):
    context, patient = new_page(browser, stack, "i1")
    to_result(patient, stack)
    code = share(patient)
    context.close()

    starts = len(stack.instances.pids(0))
    stack.instances.kill(0)  # instance 1 crashes
    since = len(stack.nginx.routes())
    context, clinician = new_page(browser, stack, "i1")  # a browser that was on instance 1
    try:
        unlock(clinician, stack)
        assert route_of(clinician) == "i2", "the cookie must follow the instance that answered"
        open_and_download(clinician, code)

        stack.instances.wait_started(0, starts + 1)  # run-instances.sh started it again
        status, _, _ = http_get(stack.instances.base(0) + "/_stcore/health")
        assert status == 200
        open_and_download(clinician, code)  # the session lives on instance 2: it must stay there
        time.sleep(0.1)
        served = [r for r in stack.nginx.routes()[since:] if r["cookie"] == "i2"]
        assert served and {r["upstream"] for r in served} == {f"127.0.0.1:{stack.port_of('i2')}"}
    finally:
        context.close()


@pytest.mark.browser
def test_database_down_sharing_fails_calmly_and_the_app_keeps_working(stack: Stack, browser):
    context, patient = new_page(browser, stack, "i1")
    try:
        to_result(patient, stack)
        stack.pg.stop()
        try:
            patient.locator(".st-key-share button").click()
            settled(patient, ".share-failed")
            text = patient.inner_text("body")
            for word in (*PRIVATE_WORDS, str(stack.pg.port)):
                assert word not in text, f"the patient sees {word!r}"
            assert patient.locator("[data-testid='stException']").count() == 0
            assert patient.locator(".handoff-code").count() == 0

            # The next patient, on the other instance, still gets through the questions.
            other_context, other = new_page(browser, stack, "i2")
            to_result(other, stack)
            other.locator(".st-key-share button").click()
            settled(other, ".share-failed")
            other_context.close()
        finally:
            stack.pg.start()
        # The database is back: the same screen shares without a reload or an app restart.
        code = share(patient)
    finally:
        context.close()
    store = HandoffStore(stack.db_url)
    assert store.get(code).code == code
    store.close()
    log = stack.instances.log.read_text(errors="replace")
    assert "Traceback" not in log


# --------------------------------------------------------------------------- files not run here (static checks)


def _csp_of_nginx() -> dict[str, str]:
    text = (DEPLOY / "decision-aid-headers.conf").read_text()
    value = text.split('add_header Content-Security-Policy "', 1)[1].split('"', 1)[0]
    return {d.strip().split(" ", 1)[0]: d.strip() for d in value.split(";")}


def test_the_container_files_match_the_tested_setup(monkeypatch):
    """Docker and Kubernetes are not run here (no engine, no cluster): their files
    must at least say what the tested nginx setup does."""
    import yaml

    manifest = (DEPLOY / "kubernetes" / "decision-aid.yaml").read_text()
    docs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(manifest)}
    deployment = docs[("Deployment", "decision-aid")]
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/_stcore/health"
    assert deployment["spec"]["replicas"] >= 2
    assert container["envFrom"] == [{"secretRef": {"name": "decision-aid"}}]
    assert pod["securityContext"]["runAsNonRoot"] is True
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert f"USER {pod['securityContext']['runAsUser']}\n" in dockerfile  # numeric, so runAsNonRoot can check it
    assert "/_stcore/health" in dockerfile.split("HEALTHCHECK", 1)[1]
    assert "sessionAffinity" not in docs[("Service", "decision-aid")]["spec"]

    annotations = docs[("Ingress", "decision-aid")]["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert annotations[prefix + "affinity"] == "cookie" and annotations[prefix + "session-cookie-name"] == "st_route"
    assert annotations[prefix + "session-cookie-change-on-failure"] == "true"
    assert annotations[prefix + "session-cookie-samesite"] == "Strict"
    assert not any("snippet" in key for key in annotations), "snippet annotations are off by default in ingress-nginx"
    metrics = docs[("Ingress", "decision-aid-metrics-blocked")]
    assert metrics["spec"]["rules"][0]["http"]["paths"][0]["path"] == "/_stcore/metrics"

    # Behind the ingress the peer is an ingress pod: its forwarded address must be believed.
    env = {e["name"]: e.get("value") for e in container["env"]}
    trusted = Settings(trusted_proxies=env["DECISION_TRUSTED_PROXIES"]).proxies
    assert trusted and all(net.is_private for net in trusted), env["DECISION_TRUSTED_PROXIES"]
    ingress_pod = str(next(trusted[0].hosts()))
    monkeypatch.setenv("DECISION_TRUSTED_PROXIES", env["DECISION_TRUSTED_PROXIES"])
    import ui

    assert ui.client_address(ingress_pod, {"X-Real-IP": "203.0.113.9"}) == "203.0.113.9"
    assert ui.client_address("192.0.2.1", {"X-Real-IP": "203.0.113.9"}) == "192.0.2.1"

    headers = docs[("ConfigMap", "decision-aid-headers")]["data"]
    csp = {d.strip().split(" ", 1)[0]: d.strip() for d in headers["Content-Security-Policy"].split(";")}
    tested = _csp_of_nginx()
    assert set(csp) == set(tested)
    for directive, value in tested.items():  # connect-src names the host there, $http_host in nginx
        assert directive == "connect-src" or csp[directive] == value, directive
    for name, value in SECURITY_HEADERS.items():
        assert {k.lower(): v for k, v in headers.items()}[name] == value


def test_the_systemd_unit_passes_systemd_analyze_verify(tmp_path: Path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed (the unit's syntax cannot be checked)")
    unit = (DEPLOY / "systemd" / "decision-aid@.service").read_text()
    assert "--server.address 127.0.0.1 --server.port %i" in unit and "EnvironmentFile=/etc/decision-aid/env" in unit
    # Only the interpreter path changes: /opt/decision-aid does not exist on this machine.
    copy = tmp_path / "decision-aid@8601.service"
    copy.write_text(unit.replace("/opt/decision-aid/.venv/bin/python", shutil.which("python3") or "/usr/bin/python3"))
    done = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_ships_only_what_runs():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    copied = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY ")]
    assert "requirements.txt" in copied and "requirements-dev.txt" not in copied
    assert not any(path.startswith(("tests", "bench", ".")) and path != ".streamlit/config.toml" for path in copied)
    assert "COPY . ." not in dockerfile
    ignored = set((DEPLOY.parent / ".dockerignore").read_text().split())
    assert {"tests", "bench", "requirements-dev.txt", ".streamlit/secrets.toml", "__pycache__"} <= ignored
    # The Python code copied in is compiled in the image (the app cannot write there).
    compiled = next(line.split()[5:] for line in dockerfile.splitlines() if "compileall -q" in line)
    python_copied = {path.rstrip("/") for path in copied if path.endswith((".py", "/")) and path != "content/"}
    assert python_copied == set(compiled), (python_copied, compiled)
