"""Hostile strings everywhere the service or a file can put them, opened in the real browser.

Every string field of the contract (and the keys of its maps) is filled with HTML, script, `javascript:`
links and Markdown links/images (tests/hostile.py), as are structure files (HEADER/TITLE/REMARK lines,
mmCIF chain names, the file name), sample titles and job ids in the URL. In every section: no dialog
opens, no injected element appears in any frame, nothing is fetched from outside loopback. The token
is never in a URL, the HTML of any frame, the dashboard's log, a message or a download, and never
goes to another host. Escaping structure paths are refused by the sample server too.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
from pathlib import Path

import pytest

from app.sample_api import DEFAULT_DATA_DIR, start_in_thread
from tests.browser_checks import (
    Watch,
    all_html,
    errors_shown,
    exception_boxes,
    injected_elements,
    open_view,
    screenshot,
    tab_labels,
    view_url,
)
from tests.conftest import ARTIFACTS, DashboardProcess, wait_for_app
from tests.helpers import write_data_dir
from tests.hostile import (
    EVIL_HOST,
    HOSTILE_STRINGS,
    Cycle,
    hostile_body,
    hostile_mmcif,
    hostile_pdb,
    richest_body,
    sample_bodies,
    with_new_id,
)

HOSTILE_FILE_NAME = "x<img src=x onerror=alert(1)>.pdb"
HOSTILE_IDS = [
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "[x](http://evil.example/) ![x](http://evil.example/x.png)",
    "1d4490b7-23df-5396-9f51-ceb8d92e70f3<img src=x onerror=alert(1)>",
]
COUNTS = {"strings_filled": 0, "jobs": 0, "pages": 0, "downloads": 0, "url_ids": 0}


def _record_counts() -> None:
    folder = ARTIFACTS / "counts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hostile.json").write_text(json.dumps({**COUNTS, "distinct_payloads": len(HOSTILE_STRINGS)}, indent=2))


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):  # browser first: without Chromium, skip before starting anything
    """A data folder of hostile jobs and files, its server, a second host, and a dashboard."""
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(DEFAULT_DATA_DIR / "storage", root / "storage")
    cycle = Cycle()
    base = richest_body()
    storage = root / "storage"
    files: dict[str, str] = {
        f"hostile/{HOSTILE_FILE_NAME}": hostile_pdb(
            (storage / base["structure_result"]["pdb_storage_path"]).read_text(), cycle
        ),
        "hostile/complex.pdb": hostile_pdb((storage / base["complex_result"]["pdb_storage_path"]).read_text(), cycle),
    }
    cif = next(p for p in (storage / "structures").glob("*.cif"))
    files["hostile/chains.cif"] = hostile_mmcif(cif.read_text(), cycle)
    jobs: dict[str, dict] = {}

    everything = hostile_body(with_new_id(base), "replace", cycle)
    everything["structure_result"]["pdb_storage_path"] = "hostile/chains.cif"
    everything["complex_result"]["pdb_storage_path"] = "hostile/complex.pdb"
    jobs["every-string"] = everything

    labels = hostile_body(with_new_id(base), "labels", cycle)
    labels["structure_result"]["pdb_storage_path"] = f"hostile/{HOSTILE_FILE_NAME}"
    labels["complex_result"]["pdb_storage_path"] = "hostile/complex.pdb"
    jobs["every-label"] = labels

    for body in sample_bodies().values():  # VHH, scFv and Fc analyses only some samples carry
        row = (body.get("results") or [{}])[0]
        if any(row.get(k) for k in ("vhh_analysis", "scfv_analysis", "fc_analysis")):
            jobs[f"labels-{body['job']['id'][:8]}"] = hostile_body(with_new_id(body), "labels", cycle)

    failed = hostile_body(with_new_id(base), "labels", cycle)
    failed["job"].update(status="failed", error_message=cycle.next() + " " + cycle.next())
    jobs["failed"] = failed
    odd_status = with_new_id(base)
    odd_status["job"]["status"] = cycle.next()
    jobs["odd-status"] = odd_status

    for name, body in jobs.items():  # sidebar buttons render Markdown labels (links, images) and help
        body["x_sample"] = {
            "title": f"{name} ![x](http://{EVIL_HOST}/x.png) [x](http://{EVIL_HOST}/) {cycle.next()}",
            "description": f"<img src=x onerror=alert(1)> ![x](http://{EVIL_HOST}/d.png) {cycle.next()}",
        }
    COUNTS["strings_filled"] = cycle.filled
    COUNTS["jobs"] = len(jobs)

    token = secrets.token_urlsafe(24)
    other = start_in_thread(root, token=token)  # another host, that would accept the token if it got it
    elsewhere = with_new_id(base)
    elsewhere["structure_result"]["pdb_storage_path"] = (
        f"{other.url}/storage/{base['structure_result']['pdb_storage_path']}"
    )
    elsewhere["complex_result"]["pdb_storage_path"] = (
        f"{other.url}/storage/{base['complex_result']['pdb_storage_path']}"
    )
    jobs["elsewhere"] = elsewhere
    write_data_dir(root, list(jobs.values()), files)
    server = start_in_thread(root, token=token)
    dashboard = DashboardProcess(server)
    try:
        yield {"root": root, "server": server, "other": other, "dashboard": dashboard, "jobs": jobs}
    finally:
        dashboard.stop()
        other.stop()
        server.stop()
        _record_counts()


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    watch = Watch().attach(context)
    page = context.new_page()
    yield page, watch
    context.close()


def _check_page(page, watch: Watch, token: str) -> None:
    assert not watch.dialogs, watch.dialogs
    assert not injected_elements(page), injected_elements(page)
    assert not watch.outside, watch.outside
    assert not exception_boxes(page), exception_boxes(page)
    assert token not in page.url
    assert token not in all_html(page)
    for url, headers in watch.requests:
        assert token not in url and token not in json.dumps(headers)
    COUNTS["pages"] += 1


def _downloads(page, token: str) -> int:
    """Click every visible download button of the view and read each file: the token is in none of them."""
    buttons = page.locator("[data-testid='stDownloadButton'] button")
    clicked = 0
    for i in range(buttons.count()):
        button = buttons.nth(i)
        if not button.is_visible():  # inside a closed expander or popover
            continue
        with page.expect_download(timeout=30000) as info:
            button.click()
        content = Path(info.value.path()).read_bytes()
        assert content, info.value.suggested_filename
        assert token.encode() not in content
        assert "<" not in info.value.suggested_filename and "/" not in info.value.suggested_filename
        clicked += 1
    if clicked:
        wait_for_app(page)  # a download click reruns the script
    COUNTS["downloads"] += clicked
    return clicked


# Which sections each hostile job is opened in (the failed / odd-status jobs differ from "every-label"
# only in the job header, which every section shows).
SECTIONS_OF = {"failed": ("Overview",), "odd-status": ("Overview",), "labels-": ("Overview", "Humanization")}


@pytest.mark.browser
@pytest.mark.parametrize("name", ["every-string", "every-label", "failed", "odd-status", "labels-vhh-scfv-fc"])
def test_hostile_job_is_only_ever_text_in_every_section(site, watched, name):
    page, watch = watched
    server, dashboard = site["server"], site["dashboard"]
    names = [n for n in site["jobs"] if n.startswith("labels-")] if name == "labels-vhh-scfv-fc" else [name]
    assert names
    for job_name in names:
        job_id = site["jobs"][job_name]["job"]["id"]
        open_view(page, view_url(dashboard.url, job_id))
        sections = tab_labels(page)
        assert sections and sections[0] == "Overview" and sections[-1] == "Raw JSON", sections
        only = next((v for k, v in SECTIONS_OF.items() if job_name.startswith(k)), None)
        if only:
            sections = [s for s in sections if s in only]
        for section in sections:
            if section != "Overview":
                open_view(page, view_url(dashboard.url, job_id, section))
            _check_page(page, watch, server.token)
            if job_name in ("every-string", "every-label") and _downloads(page, server.token):
                _check_page(page, watch, server.token)
            if job_name in ("every-string", "every-label"):
                screenshot(page, f"hostile-{job_name}-{section.lower().replace(' ', '-')}")
        if job_name == "failed":
            errors = errors_shown(page)
            assert errors and "alert(1)" in " ".join(errors)  # the message is shown, as text
    assert server.token not in site["dashboard"].log_text()


@pytest.mark.browser
def test_hostile_job_ids_and_sections_in_the_url(site, watched):
    page, watch = watched
    server, dashboard = site["server"], site["dashboard"]
    before = len(server.app.state.requests)
    for bad in HOSTILE_IDS:
        open_view(page, view_url(dashboard.url, bad))
        _check_page(page, watch, server.token)
        errors = errors_shown(page)
        assert len(errors) == 1 and "Not a job id" in errors[0], errors
        COUNTS["url_ids"] += 1
    assert len(server.app.state.requests) == before  # refused before any request
    job_id = site["jobs"]["every-label"]["job"]["id"]
    for section in (HOSTILE_STRINGS[0], HOSTILE_STRINGS[5]):
        open_view(page, view_url(dashboard.url, job_id, section))
        _check_page(page, watch, server.token)
        assert tab_labels(page)[0] == "Overview" and not errors_shown(page)
        COUNTS["url_ids"] += 1


@pytest.mark.browser
def test_the_token_never_goes_to_another_host(site, watched):
    """Structure paths that are absolute URLs to another host: fetched there without the token."""
    page, watch = watched
    server, other, dashboard = site["server"], site["other"], site["dashboard"]
    job_id = site["jobs"]["elsewhere"]["job"]["id"]
    for section in ("Structure", "Complex"):
        open_view(page, view_url(dashboard.url, job_id, section))
        _check_page(page, watch, server.token)
        errors = errors_shown(page)
        assert len(errors) == 1 and "401" in errors[0], errors  # the other host wants a token it never got
    seen = [r for r in other.app.state.requests if r.path.startswith("/storage/")]
    assert len(seen) == 2, seen
    assert all(r.credential is None for r in seen)
    assert server.token not in dashboard.log_text()


@pytest.mark.browser
def test_sample_titles_and_descriptions_are_text(site, browser, watched):
    """On its own sample data (no service configured), the sidebar lists titles from the folder."""
    page, watch = watched
    embedded = DashboardProcess(
        site["server"], extra_env={"ABDASH_API_URL": "", "ABDASH_SAMPLE_DATA": str(site["root"])}
    )
    try:
        job_id = site["jobs"]["every-label"]["job"]["id"]
        open_view(page, view_url(embedded.url, job_id))
        assert (
            page.locator("[data-testid='stSidebar'] a[data-testid='stPageLink-NavLink']").count()
            >= len(site["jobs"]) - 1
        )
        assert not watch.dialogs and not injected_elements(page), injected_elements(page)
        page.locator("[data-testid='stPopover'] button").first.click()  # the sample's description
        page.wait_for_timeout(500)
        page.locator("[data-testid='stSidebar'] a[data-testid='stPageLink-NavLink']").first.hover()  # its tooltip
        page.wait_for_timeout(800)
        assert not watch.dialogs and not injected_elements(page), injected_elements(page)
        assert not watch.outside, watch.outside
        assert not exception_boxes(page)
        screenshot(page, "hostile-sample-titles")
        COUNTS["pages"] += 1
    finally:
        embedded.stop()


def _raw_get(url: str, raw_path: str, token: str) -> tuple[int, bytes]:
    """A GET whose path is sent byte for byte (HTTP clients would normalise `..` away)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            f"GET {raw_path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


@pytest.mark.parametrize(
    "raw_path",
    [
        "/storage/../secret.json",
        "/storage/hostile/../../secret.json",
        "/storage/%2e%2e/secret.json",
        "/storage/..%2fsecret.json",
        "/storage/%2Fetc%2Fpasswd",
        "/storage//etc/passwd",
        "/storage/file:///etc/passwd",
        "/storage/..\\secret.json",
        "/storage/%2e%2e%5csecret.json",
    ],
)
def test_sample_server_refuses_escaping_paths(tmp_path, raw_path):
    data = write_data_dir(tmp_path / "data", [], {"ok.pdb": "ATOM\n"})
    (data / "secret.json").write_text("outside storage")
    server = start_in_thread(data)
    try:
        assert _raw_get(server.url, "/storage/ok.pdb", server.token)[0] == 200  # the request form works
        status, answer = _raw_get(server.url, raw_path, server.token)
        assert status in (400, 404) and b"outside storage" not in answer and b"root:" not in answer
    finally:
        server.stop()
