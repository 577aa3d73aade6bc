"""Every section of every sample job through shared links, in Debian's Chromium: it renders, it holds.

Expected sections are read from the sample JSON files themselves (not from the dashboard's code).
Screenshots of every view go to artifacts/screenshots/; with ABDASH_DOCS_SCREENSHOTS=1 a chosen few are
also written to docs/screenshots/ for the README.
"""

from __future__ import annotations

import json
import os
import re
import time

import httpx
import pytest

from app.sample_api import DEFAULT_DATA_DIR
from tests.browser_checks import (
    alerts,
    canvas_is_drawn,
    errors_shown,
    exception_boxes,
    injected_elements,
    molecule_canvases,
    open_view,
    screenshot,
    selected_tab,
    tab_labels,
    view_url,
)
from tests.conftest import ROOT, wait_for_app
from tests.hostile import with_new_id

pytestmark = pytest.mark.browser

SECTION_FIELDS = {  # section tab -> the field of the 200 body that makes it appear (from the contract)
    "Humanization": "results",
    "Structure": "structure_result",
    "Stability": "stability_result",
    "Immunogenicity": "immunogenicity_result",
    "Complex": "complex_result",
}
FILE_SECTIONS = {"Structure": "structure_result", "Complex": "complex_result"}
DOCS = ROOT / "docs" / "screenshots"


def _samples() -> list[dict]:
    out = []
    for path in sorted((DEFAULT_DATA_DIR / "jobs").glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        meta = body.get("x_sample") or {}
        out.append(
            {
                "id": body["job"]["id"],
                "title": meta.get("title") or body["job"]["id"],
                "scheduled": bool(meta.get("schedule")),
                "status": body["job"]["status"],
                "body": body,
            }
        )
    return out


SAMPLES = _samples()


def expected_sections(body: dict) -> list[str]:
    sections = ["Overview"] + [name for name, key in SECTION_FIELDS.items() if body.get(key)]
    review = ["Review"] if body["job"]["status"] == "completed" else []
    return sections + review + ["Raw JSON"]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


VIEWS = [(s["id"], section) for s in SAMPLES for section in expected_sections(s["body"])]
_BY_ID = {s["id"]: s for s in SAMPLES}
# The views the README shows (first sample that has the section; the cetuximab full analysis if it has it).
DOCS_VIEWS: dict[str, tuple[str, str]] = {}
for _s in sorted(SAMPLES, key=lambda s: -len(expected_sections(s["body"]))):
    for _section in expected_sections(_s["body"]):
        if _section != "Raw JSON":
            DOCS_VIEWS.setdefault(_section.lower(), (_s["id"], _section))


@pytest.fixture(scope="module")
def clocks_started(sample_server):
    """Start the clock of scheduled samples now, so they have completed when their sections are visited."""
    for sample in SAMPLES:
        if sample["scheduled"]:
            httpx.get(
                f"{sample_server.url}/jobs/{sample['id']}", headers={"Authorization": f"Bearer {sample_server.token}"}
            )


def _wait_until_completed(server, job_id: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = httpx.get(f"{server.url}/jobs/{job_id}", headers={"Authorization": f"Bearer {server.token}"})
        if answer.json()["job"]["status"] not in ("pending", "running"):
            return
        time.sleep(0.5)
    raise AssertionError(f"scheduled sample {job_id} did not complete in {timeout_s} s")


def test_views_cover_every_section_of_every_sample():
    assert len(SAMPLES) >= 8
    covered = {section for _, section in VIEWS}
    assert covered >= {"Overview", "Humanization", "Structure", "Stability", "Immunogenicity", "Complex", "Raw JSON"}


def test_a_running_job_updates_itself_to_completed(dashboard, sample_server, page):
    """A fresh copy of the scheduled sample (its own clock): pending/running first, then completed by itself."""
    scheduled = next(s for s in SAMPLES if s["scheduled"])
    store = sample_server.app.state.store
    original = store.samples[scheduled["id"]]
    copy_body = with_new_id(original.body)
    copy_id = copy_body["job"]["id"]
    store.samples[copy_id] = type(original)(copy_id, copy_body, original.title, original.description, original.schedule)
    try:
        page.goto(view_url(dashboard.url, copy_id))
        wait_for_app(page)
        page.wait_for_selector("text=Following this job", timeout=30000)
        first_badge = page.inner_text(".st-key-job-header")
        assert re.search(r"Pending|Running", first_badge), first_badge
        assert not tab_labels(page)  # no sections while it runs
        total = float(original.schedule.get("pending_s", 5)) + float(original.schedule.get("running_s", 10))
        # No reload and no click from here on: the page must get there by itself.
        page.wait_for_selector("[data-testid='stTab']", timeout=int((total + 30) * 1000))
        wait_for_app(page)
        assert "Completed" in page.inner_text(".st-key-job-header")
        assert page.locator("text=Following this job").count() == 0
        assert tab_labels(page) == expected_sections(original.body)
        assert not exception_boxes(page) and not errors_shown(page)
        screenshot(page, "running-job-completed")
        statuses = [r for r in sample_server.app.state.requests if r.path == f"/jobs/{copy_id}"]
        assert len(statuses) >= 2  # it was fetched again while it ran (the page followed it)
    finally:
        store.samples.pop(copy_id, None)


@pytest.mark.parametrize(("job_id", "section"), VIEWS, ids=[f"{slug(_BY_ID[j]['title'])[:24]}-{s}" for j, s in VIEWS])
def test_every_section_of_every_sample_renders_from_a_shared_link(
    dashboard, sample_server, clocks_started, page, job_id, section
):
    sample = _BY_ID[job_id]
    if sample["scheduled"]:
        _wait_until_completed(sample_server, job_id)
    url = view_url(dashboard.url, job_id, None if section == "Overview" else section)
    open_view(page, url)

    assert not exception_boxes(page), exception_boxes(page)
    errors = errors_shown(page)
    if sample["status"] == "failed":  # the job's own failure is the one error box it must show
        assert len(errors) == 1 and "failed" in errors[0].lower(), errors
    else:
        assert not errors, errors
    assert not injected_elements(page)
    assert tab_labels(page) == expected_sections(sample["body"])
    assert selected_tab(page) == section
    assert f"job_id={job_id}" in page.url  # the address bar still holds the shared view
    if section != "Overview":
        assert (
            "section=" + section.replace(" ", "+") in page.url or "section=" + section.replace(" ", "%20") in page.url
        )
    # the section drew something of its own below the tab bar
    panel = page.query_selector(
        "[data-testid='stTabs'] [role='tabpanel']:not([hidden])"
    )  # the first is the open section
    assert panel is not None and (panel.inner_text().strip() or panel.query_selector("canvas, svg, iframe"))

    if section in FILE_SECTIONS:
        canvases = molecule_canvases(page)
        assert canvases, f"no 3D view in {section}"
        assert canvas_is_drawn(canvases[0], page), f"the 3D view of {section} stayed blank"

    docs_key = next((k for k, v in DOCS_VIEWS.items() if v == (job_id, section)), None)
    docs_path = None
    if docs_key and os.environ.get("ABDASH_DOCS_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        docs_path = DOCS / f"{docs_key}.png"
    screenshot(page, f"{slug(sample['title'])}--{slug(section)}", docs_path=docs_path)


def test_info_boxes_only_say_what_they_should(dashboard, page):
    """Canceled and failed samples say so in words; nothing else raises an alarm on the overview."""
    for sample in SAMPLES:
        if sample["status"] not in ("canceled", "failed"):
            continue
        open_view(page, view_url(dashboard.url, sample["id"]))
        texts = " ".join(text for _, text in alerts(page)).lower()
        assert sample["status"] in texts or ("cancel" in texts if sample["status"] == "canceled" else False)
