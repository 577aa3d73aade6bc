"""scripts/serve.sh for real: two `streamlit run` replicas behind Debian's nginx, a throwaway PostgreSQL.

Checked from outside: processes and ports after SIGTERM, nginx's access log ($upstream_addr per
request, by the session's affinity cookie), the replicas' environments, and Chromium through the
balancer while one replica is killed.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.serve import COOKIE, nginx_config
from tests.browser_checks import alerts, selected_tab, tab_labels, view_url
from tests.conftest import ARTIFACTS, wait_for_app
from tests.processes import ServedDashboard, descendants

NGINX = Path("/usr/sbin/nginx")
JOB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"  # the cetuximab full analysis: five sections, downloads

pytestmark = pytest.mark.skipif(
    not NGINX.exists() or not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")),
    reason="needs Debian's nginx and postgresql (scripts/setup.sh --test installs them as root)",
)


@pytest.fixture(scope="module")
def served(sample_server) -> Iterator[ServedDashboard]:
    served = ServedDashboard(sample_server, replicas=2)
    yield served
    served.stop()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _requests(log: str) -> list[tuple[str, str, str]]:
    """(path, last upstream address, affinity cookie) of every request nginx logged."""
    found = []
    for line in log.splitlines():
        match = re.search(r'"(?P<path>[^"]*)" \d+ upstream=(?P<up>.*?) cookie=(?P<cookie>\S+) time=', line)
        if match:
            found.append((match["path"], match["up"].split(",")[-1].strip(), match["cookie"]))
    return found


def _replica_address(served: ServedDashboard, name: str) -> str:
    index = int(name.removeprefix("r"))
    return f"127.0.0.1:{served.replica_ports[index]}"


# --- the config ---------------------------------------------------------------------------------


def test_nginx_accepts_the_generated_config(tmp_path):
    """The config for 3 replicas, one of them down, passes `nginx -t` (the same binary serve.sh runs)."""
    import subprocess

    from app.serve import Replica

    replicas = [Replica(i, 40000 + i, tmp_path / f"r{i}.log", admitted=i != 1) for i in range(3)]
    config = tmp_path / "nginx.conf"
    config.write_text(nginx_config(replicas, 40100, tmp_path, as_root=os.geteuid() == 0))
    check = subprocess.run([str(NGINX), "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    text = config.read_text()
    assert "server 127.0.0.1:40001 max_fails=1 fail_timeout=5s down;" in text  # not admitted: no traffic
    assert text.count("backup") == 6  # each replica's upstream lists the two others as backups


# --- starting and stopping ------------------------------------------------------------------------


def test_serve_starts_and_stops_cleanly(sample_server):
    served = ServedDashboard(sample_server, replicas=2)
    try:
        assert httpx.get(served.url + "/_stcore/health", timeout=5).text == "ok"
        children = descendants(served.proc.pid)
        assert len(served.replica_ports) == 2 and served.db_port
        ports = [served.port, *served.replica_ports, served.db_port]
        assert all(_listening(port) for port in ports)
        assert len(children) >= 5  # supervisor, 2 replicas, nginx master and worker
    finally:
        served.stop()
    assert served.proc.returncode == 0, served.output
    assert "serve: stopped" in served.output
    left = [pid for pid in children if _alive(pid)]
    assert not left, f"processes left after SIGTERM: {left}"
    assert not [port for port in ports if _listening(port)], "a port (nginx, replica, PostgreSQL) is still open"
    assert not (served.workdir / "nginx.pid").exists()  # nginx ended itself (its pid file is removed)


def test_every_replica_gets_the_same_review_database_and_cookie_secret(served):
    environments = []
    for port in served.replica_ports:
        raw = Path(f"/proc/{served.replica_pid(port)}/environ").read_bytes().split(b"\0")
        environments.append(dict(item.decode().split("=", 1) for item in raw if b"=" in item))
    urls = {env["ABDASH_REVIEW_DB_URL"] for env in environments}
    secrets = {env["STREAMLIT_SERVER_COOKIE_SECRET"] for env in environments}
    assert len(urls) == 1 and len(secrets) == 1
    (url,) = urls
    (secret,) = secrets
    assert f"127.0.0.1:{served.db_port}/" in url
    assert len(secret) >= 32
    assert secret not in served.output and secret not in served.access_log()
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=5) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)  # the database they were given is up


# --- affinity -------------------------------------------------------------------------------------


@pytest.mark.browser
def test_one_sessions_websocket_and_media_reach_the_same_replica(served, browser):
    """Two browsers: each gets its own replica's cookie, and every request it makes goes to that replica."""
    names = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            page = context.new_page()
            page.goto(view_url(served.url, JOB, "Stability"))
            wait_for_app(page)
            page.get_by_role("tab", name="Humanization").click()
            wait_for_app(page)
            page.wait_for_timeout(1500)  # images and download files of the section
            cookie = [c["value"] for c in context.cookies() if c["name"] == COOKIE]
            assert len(cookie) == 1
            names.append(cookie[0])
        finally:
            context.close()  # closes the websocket: nginx logs it
    time.sleep(0.5)
    requests = _requests(served.access_log())
    assert sorted(names) == ["r0", "r1"], "round-robin gives the second new browser the other replica"
    for name in names:
        mine = [(path, upstream) for path, upstream, cookie in requests if cookie == name]
        streams = [up for path, up in mine if path.startswith("/_stcore/stream")]
        media = [up for path, up in mine if path.startswith("/media/")]
        assert streams and media, f"{name}: no websocket or no /media request logged"
        assert set(streams) | set(media) == {_replica_address(served, name)}
        assert {up for _, up in mine} == {_replica_address(served, name)}
    # An upload (or any other request) carrying the cookie goes the same way; the app has no uploader yet.
    answer = httpx.put(served.url + "/_stcore/upload_file/x/y", cookies={COOKIE: "r1"}, content=b"z", timeout=5)
    assert answer.status_code < 500
    time.sleep(0.3)
    last = _requests(served.access_log())[-1]
    assert last[0].startswith("/_stcore/upload_file") and last[1] == _replica_address(served, "r1")


# --- failover ---------------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_killed_replicas_sessions_come_back_with_the_same_job_and_section(served, browser):
    """Kill the replica a page is on: the page reconnects by itself to the other one, keeps its job and
    section, its next click works there with the app's own navigation, and it says the session was new."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.goto(view_url(served.url, JOB, "Immunogenicity"))
        wait_for_app(page)
        page.get_by_role("tab", name="Stability").click()
        wait_for_app(page)
        assert not [text for _, text in alerts(page) if "Reconnected" in text]  # not on a normal load
        before = next(c["value"] for c in context.cookies() if c["name"] == COOKIE)
        url_before = page.url
        assert f"job_id={JOB}" in url_before and "section=Stability" in url_before
        pid = served.replica_pid(served.replica_ports[int(before[1:])])
        os.kill(pid, signal.SIGKILL)

        deadline = time.monotonic() + 20
        while len(sockets) < 2 and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert len(sockets) >= 2, "the page did not open a new websocket after its replica died"
        page.wait_for_timeout(1000)
        after = next(c["value"] for c in context.cookies() if c["name"] == COOKIE)
        assert after != before, "the cookie still names the dead replica"
        assert page.url == url_before and selected_tab(page) == "Stability"

        page.get_by_role("tab", name="Overview").click()  # runs on the new replica's new session
        wait_for_app(page)
        assert selected_tab(page) == "Overview" and f"job_id={JOB}" in page.url
        assert "Stability" in tab_labels(page)
        assert page.get_by_text("Humanization candidates").first.is_visible()
        notice = [text for _, text in alerts(page) if "Reconnected to another server" in text]
        assert notice and "not yet saved" in notice[0] and "save it again" in notice[0]
        nav = page.evaluate(
            "() => Array.from(document.querySelectorAll('[data-testid=stSidebarNav] a')).map(a => a.innerText)"
        )
        labels = [label.split("\n")[-1].strip() for label in nav]
        assert {"Job", "Set-up and help"} <= set(labels) and "streamlit app" not in labels, nav  # the app's own
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "serve-failover-1280.png"))
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.screenshot(path=str(ARTIFACTS / "serve-failover-1920.png"))

        page.reload()  # a fresh session on the surviving replica reads the job and section from the URL
        wait_for_app(page)
        assert selected_tab(page) == "Overview" and not [t for _, t in alerts(page) if "Reconnected" in t]
    finally:
        context.close()
    deadline = time.monotonic() + 60
    while "healthy: admitted" not in served.output and time.monotonic() < deadline:
        time.sleep(0.5)
    assert f"replica {before} " in served.output and "healthy: admitted" in served.output, served.output


# --- shared reviews ---------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_review_saved_through_one_replica_is_read_through_the_other(served, browser):
    """Save a comment with the browser pinned to r0 (its cookie), read it with a browser pinned to r1."""
    comment = f"Cross-replica check {time.time_ns()}: send design 2 to the bench."
    seen_on = {}
    for name in ("r0", "r1"):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.add_cookies([{"name": COOKIE, "value": name, "url": served.url}])
        try:
            page = context.new_page()
            page.goto(view_url(served.url, JOB, "Review"))
            wait_for_app(page)
            assert selected_tab(page) == "Review"
            if name == "r0":
                page.get_by_role("textbox", name="Comment").fill(comment)
                page.get_by_role("textbox", name="Your name").fill("Replica tester")
                page.get_by_role("button", name="Save").click()
                wait_for_app(page)
            page.get_by_text(comment).first.wait_for(state="attached", timeout=30000)  # a table cell or the thread
            seen_on[name] = [c["value"] for c in context.cookies() if c["name"] == COOKIE]
        finally:
            context.close()
    assert seen_on == {"r0": ["r0"], "r1": ["r1"]}  # each browser stayed on the replica it was pinned to
    time.sleep(0.5)
    streams = {up for path, up, cookie in _requests(served.access_log()) if path.startswith("/_stcore/stream")}
    assert {_replica_address(served, "r0"), _replica_address(served, "r1")} <= streams
