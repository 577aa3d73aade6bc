"""Every fault of the service, seen in the real page: its own clear message, the rest of the job still
shown where it can be, and no request repeated that should not be (counted at the server).

One sample server on a tmp folder (one job per case, so the dashboard's caches never hide a fault)
and one dashboard process with a 2 s timeout and a 1 MB structure cap. Faults are switched on the
server per test (`server.app.state.faults`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import pytest

from app.sample_api import DEFAULT_DATA_DIR, FaultPlan, start_in_thread
from tests.browser_checks import (
    alerts,
    errors_shown,
    exception_boxes,
    open_view,
    screenshot,
    tab_labels,
    view_url,
)
from tests.conftest import DashboardProcess
from tests.helpers import write_data_dir
from tests.hostile import richest_body, with_new_id

pytestmark = pytest.mark.browser

TIMEOUT_S = 2
CAP_MB = 1
RETRIES = 3  # the client's documented retry budget for 429 / 502-504 / broken connections


@dataclass(frozen=True)
class JobFault:
    name: str
    plan: FaultPlan | None
    title: str | None  # the error box's title; None: the job must show after all
    requests: int  # GET /jobs/{id} that must reach the server (more than 1: at most this many)
    words: tuple[str, ...] = ()


JOB_FAULTS = [
    JobFault("401", FaultPlan("401"), "Not signed in", 1, ("401", "token")),
    JobFault("403", FaultPlan("403"), "No access to this job", 1, ("403",)),
    JobFault("404", FaultPlan("404"), "Job not found", 1, ("404",)),
    JobFault("422", FaultPlan("422"), "Request rejected", 1, ("422",)),
    JobFault("429-long-retry-after", FaultPlan("429", retry_after_s=120), "Service busy", 1, ("429", "120 s")),
    JobFault("429-always", FaultPlan("429", retry_after_s=0.2), "Service busy", 1 + RETRIES, ("429",)),
    JobFault("429-once", FaultPlan("429", times=1, retry_after_s=0.2), None, 2),
    JobFault("500", FaultPlan("500"), "Service error", 1, ("server error",)),
    JobFault("502", FaultPlan("502"), "Service error", 1 + RETRIES),
    JobFault("503", FaultPlan("503"), "Service error", 1 + RETRIES),
    JobFault("503-once", FaultPlan("503", times=1), None, 2),
    JobFault("504", FaultPlan("504"), "Service error", 1 + RETRIES),
    JobFault("slow", FaultPlan("slow", slow_s=TIMEOUT_S + 3), "Service too slow", 1, ("in time",)),
    JobFault("truncated", FaultPlan("truncated"), "Unreadable answer", 1, ("cut short",)),
    JobFault("not-json", FaultPlan("not-json"), "Unreadable answer", 1, ("not JSON",)),
    JobFault("html", FaultPlan("html"), "Unreadable answer", 1),
    JobFault("empty", FaultPlan("empty"), "Unreadable answer", 1),
    JobFault("drop", FaultPlan("drop"), "Service unreachable", 1 + RETRIES, ("broke",)),
]


@dataclass(frozen=True)
class FileFault:
    name: str
    path: str | None  # the job's pdb_storage_path; None: a file of its own that exists
    plan: FaultPlan | None
    title: str
    requests: int  # GET /storage/... that must reach the server
    words: tuple[str, ...] = ()


FILE_FAULTS = [
    FileFault("missing-file", "structures/absent-model.pdb", None, "Structure file unavailable", 1, ("404",)),
    FileFault("too-large", "big/too-large.pdb", None, "Structure file too large", 1, (f"{CAP_MB} MB",)),
    FileFault("storage-401", None, FaultPlan("401", routes="storage"), "Structure file unavailable", 1, ("401",)),
    FileFault("storage-500", None, FaultPlan("500", routes="storage"), "Structure file unavailable", 1, ("500",)),
    FileFault(
        "storage-503", None, FaultPlan("503", routes="storage"), "Structure file unavailable", 1 + RETRIES, ("503",)
    ),
    FileFault(
        "storage-not-a-structure",
        "faults/not-a-structure.txt",
        None,
        "Structure file unavailable",
        1,
        ("neither PDB nor mmCIF",),
    ),
    FileFault("escaping-path", "../secret.json", None, "Structure path refused", 0),
    FileFault("absolute-file-path", "/etc/passwd", None, "Structure path refused", 0),
    FileFault("file-url", "file:///etc/passwd", None, "Structure path refused", 0),
    FileFault("encoded-escape", "structures/%2e%2e/%2e%2e/secret.json", None, "Structure path refused", 0),
]

MESSAGES: dict[str, str] = {}  # fault -> the message the page showed (for the distinctness check)


@pytest.fixture(scope="module")
def faulty(browser, tmp_path_factory):  # browser first: without Chromium, skip before starting anything
    """A server with one job per fault case, and a dashboard process pointed at it."""
    root = tmp_path_factory.mktemp("faults")
    shutil.copytree(DEFAULT_DATA_DIR / "storage", root / "storage")
    base = richest_body()
    model = (root / "storage" / base["structure_result"]["pdb_storage_path"]).read_text()
    files: dict[str, str] = {"faults/not-a-structure.txt": "upstream said: everything is fine\n"}
    atoms = [line for line in model.splitlines(keepends=True) if line.startswith("ATOM")]
    big = "".join(atoms) * (CAP_MB * 2**20 // len("".join(atoms)) + 2)
    files["big/too-large.pdb"] = big
    jobs: dict[str, str] = {}
    bodies = []
    for case in [*JOB_FAULTS, *FILE_FAULTS]:
        body = with_new_id(base)
        if isinstance(case, FileFault):
            path = case.path or f"faults/{case.name}.pdb"
            if case.path is None:
                files[path] = model
            body["structure_result"]["pdb_storage_path"] = path
        jobs[case.name] = body["job"]["id"]
        bodies.append(body)
    write_data_dir(root, bodies, files)
    (root / "secret.json").write_text('{"secret": "outside storage"}')
    server = start_in_thread(root)
    dashboard = DashboardProcess(
        server, extra_env={"ABDASH_TIMEOUT_S": str(TIMEOUT_S), "ABDASH_MAX_STRUCTURE_MB": str(CAP_MB)}
    )
    try:
        yield server, dashboard, jobs, base
    finally:
        dashboard.stop()
        server.stop()


def _requests(server, prefix: str) -> list:
    return [r for r in server.app.state.requests if r.path.startswith(prefix)]


def _open_with_fault(page, server, url: str, plan: FaultPlan | None) -> None:
    server.app.state.faults = plan or FaultPlan()
    try:
        open_view(page, url)
    finally:
        server.app.state.faults = FaultPlan()


@pytest.mark.parametrize("case", JOB_FAULTS, ids=[c.name for c in JOB_FAULTS])
def test_job_fault_gives_its_own_message_and_retries_only_what_it_should(faulty, page, case):
    server, dashboard, jobs, base = faulty
    job_id = jobs[case.name]
    _open_with_fault(page, server, view_url(dashboard.url, job_id), case.plan)

    assert not exception_boxes(page)
    errors = errors_shown(page)
    hits = _requests(server, f"/jobs/{job_id}")
    screenshot(page, f"fault-{case.name}")
    if case.title is None:  # a transient fault: retried, and then the job is there
        assert not errors, errors
        assert tab_labels(page)[0] == "Overview"
    else:
        assert len(errors) == 1, errors
        assert case.title in errors[0]
        for word in case.words:
            assert word in errors[0], (word, errors[0])
        assert server.token not in errors[0]
        assert not tab_labels(page)  # no half-drawn job
        MESSAGES[case.name] = errors[0]
    if case.requests == 1:  # never retried
        assert len(hits) == 1, [h.path for h in hits]
    else:  # retried, within the budget (an attempt may die on a stale pooled connection before the server)
        assert 2 <= len(hits) <= case.requests, [h.path for h in hits]
    assert all(h.authorization == f"Bearer {server.token}" for h in hits)


@pytest.mark.parametrize("case", FILE_FAULTS, ids=[c.name for c in FILE_FAULTS])
def test_structure_file_fault_is_explained_and_the_rest_of_the_job_still_shows(faulty, page, case):
    server, dashboard, jobs, base = faulty
    job_id = jobs[case.name]
    before = len(_requests(server, "/storage/"))
    _open_with_fault(page, server, view_url(dashboard.url, job_id, "Structure"), case.plan)

    assert not exception_boxes(page)
    errors = errors_shown(page)
    screenshot(page, f"fault-{case.name}")
    assert len(errors) == 1, errors
    assert case.title in errors[0]
    for word in case.words:
        assert word in errors[0], (word, errors[0])
    assert server.token not in errors[0]
    MESSAGES[case.name] = errors[0]
    storage_hits = _requests(server, "/storage/")[before:]
    if case.requests <= 1:
        assert len(storage_hits) == case.requests, [h.path for h in storage_hits]
    else:
        assert 2 <= len(storage_hits) <= case.requests, [h.path for h in storage_hits]
    assert "outside storage" not in page.content()
    # the rest of the job: header, every section tab, and the other sections draw without errors
    assert page.locator(".st-key-job-header").count() == 1
    expected = ["Overview", "Humanization", "Structure", "Stability", "Immunogenicity", "Complex", "Review", "Raw JSON"]
    assert tab_labels(page) == expected
    if case.name == "missing-file":
        for section in ("Overview", "Stability", "Complex"):
            open_view(page, view_url(dashboard.url, job_id, section))
            assert not exception_boxes(page) and not errors_shown(page), (section, alerts(page))


def test_connection_refused_says_the_service_is_unreachable(browser, tmp_path):
    """The service's port is closed: one clear message; the client's few retries and no more."""
    server = start_in_thread(write_data_dir(tmp_path, []))
    server.stop()  # nothing listens on its port any more
    dashboard = DashboardProcess(server, extra_env={"ABDASH_TIMEOUT_S": str(TIMEOUT_S)})
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        open_view(page, view_url(dashboard.url, with_new_id(richest_body())["job"]["id"]))
        assert not exception_boxes(page)
        errors = errors_shown(page)
        assert len(errors) == 1 and "Service unreachable" in errors[0] and "Could not connect" in errors[0], errors
        assert server.token not in errors[0]
        MESSAGES["refused"] = errors[0]
        screenshot(page, "fault-connection-refused")
    finally:
        context.close()
        dashboard.stop()


def test_each_kind_of_fault_has_its_own_message():
    """Faults a user must act on differently never share a message."""
    groups = {  # one representative per thing the user should do
        "401": "fix the token",
        "403": "ask for access",
        "404": "check the id",
        "422": "check the id (malformed)",
        "429-long-retry-after": "wait",
        "500": "server failed",
        "slow": "too slow",
        "truncated": "unreadable",
        "drop": "connection broke",
        "refused": "cannot connect",
        "missing-file": "file missing",
        "too-large": "file too large",
        "escaping-path": "path refused",
        "storage-not-a-structure": "not a structure",
    }
    seen = {name: MESSAGES[name] for name in groups if name in MESSAGES}
    if len(seen) < len(groups):
        pytest.skip("runs after the fault tests of this module")
    assert len(set(seen.values())) == len(seen), seen
