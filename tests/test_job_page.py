"""The job page in AppTest, against a sample server on loopback: statuses, errors, links, following."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from app.sample_api import FaultPlan, start_in_thread
from tests.conftest import ROOT
from tests.helpers import job_body, new_id, write_data_dir


@pytest.fixture
def jobs(tmp_path):
    """One job per status, plus a scheduled one, served from a tmp folder."""
    bodies = {status: job_body(status) for status in ("completed", "failed", "canceled", "pending", "running")}
    bodies["completed"]["results"] = [
        {"strategy": "cdr_grafting", "humanized_vh": "EVQLVESGGGLVQPGGSLRLSCAAS", "humanized_vl": None}
    ]
    bodies["completed"]["structure_result"] = {
        "model_used": "FlashABB",
        "confidence_score": 91.0,
        "pdb_storage_path": "x.pdb",
    }
    scheduled = job_body("completed")
    scheduled["x_sample"] = {"schedule": {"pending_s": 0.5, "running_s": 0.5}}
    bodies["scheduled"] = scheduled
    server = start_in_thread(write_data_dir(tmp_path, list(bodies.values())), limited_tokens=frozenset({"guest"}))
    yield server, {k: v["job"]["id"] for k, v in bodies.items()}, bodies
    server.stop()


def texts(at: AppTest) -> str:
    parts = [
        e.value for kind in ("markdown", "caption", "error", "warning", "info", "success") for e in getattr(at, kind)
    ]
    parts += [m.label + " " + str(m.value) for m in at.metric]
    return "\n".join(str(p) for p in parts)


def test_no_job_id_invites_to_pick_one(open_page, jobs):
    server, _, _ = jobs
    at = open_page(server=server)
    assert not at.exception
    assert "Enter a job id" in texts(at)


def test_completed_job_from_a_link_shows_header_and_sections(open_page, jobs):
    server, ids, _ = jobs
    at = open_page(ids["completed"], server=server)
    assert not at.exception and not at.error
    assert at.text_input(key="job_id").value == ids["completed"]
    assert [t.label for t in at.tabs] == ["Overview", "Humanization", "Structure", "Review", "Raw JSON"]
    assert "ran **11 min 30 s**" in texts(at)
    assert "Structure confidence 0.91" in texts(at)


def test_section_from_the_link_opens_that_tab_only(open_page, jobs):
    server, ids, _ = jobs
    at = open_page(ids["completed"], section="Raw JSON", server=server)
    assert not at.exception
    assert any(b.label == "Download the job's JSON" for b in at.get("download_button"))
    assert "Structure confidence" not in texts(at)  # the Overview tab did not run


def test_failed_job_shows_its_error_message(open_page, jobs):
    server, ids, bodies = jobs
    at = open_page(ids["failed"], server=server)
    assert not at.exception
    assert any("The job failed" in e.value and "CUDA out of memory" in e.value for e in at.error)


def test_canceled_job_says_so(open_page, jobs):
    server, ids, _ = jobs
    at = open_page(ids["canceled"], server=server)
    assert not at.exception
    assert any("canceled" in w.value for w in at.warning)


@pytest.mark.parametrize("status", ["pending", "running"])
def test_unfinished_job_is_followed(open_page, jobs, status):
    server, ids, _ = jobs
    at = open_page(ids[status], server=server)
    assert not at.exception
    assert "Following this job" in texts(at)
    assert not at.tabs  # no sections until it ends


def test_followed_job_turns_completed_with_its_sections(open_page, jobs):
    server, ids, _ = jobs
    at = open_page(ids["scheduled"], server=server)
    assert "Following this job" in texts(at)
    time.sleep(1.2)
    at.run()
    assert not at.exception
    assert "Following this job" not in texts(at)
    assert [t.label for t in at.tabs][0] == "Overview"


def test_finished_job_is_fetched_once_across_reruns(open_page, jobs):
    server, ids, _ = jobs
    at = open_page(ids["completed"], server=server)
    for _ in range(5):
        at.run()
    hits = [r for r in server.app.state.requests if r.path == f"/jobs/{ids['completed']}"]
    assert len(hits) == 1


@pytest.mark.parametrize(
    ("fault", "title"),
    [
        ("401", "Not signed in"),
        ("404", "Job not found"),
        ("422", "Request rejected"),
        ("429", "Service busy"),
        ("500", "Service error"),
        ("503", "Service error"),
        ("not-json", "Unreadable answer"),
        ("truncated", "Unreadable answer"),
    ],
)
def test_each_error_is_a_clear_message(open_page, jobs, fault, title):
    server, ids, _ = jobs
    server.app.state.faults = FaultPlan(kind=fault, retry_after_s=60)
    at = open_page(ids["completed"], server=server)
    assert not at.exception
    assert len(at.error) == 1 and title in at.error[0].value
    assert server.token not in at.error[0].value


def test_forbidden_and_unknown_and_invalid_ids(open_page, jobs, monkeypatch):
    server, ids, _ = jobs
    at = open_page(new_id(), server=server)
    assert "Job not found" in at.error[0].value
    at = open_page("not-a-uuid", server=server)
    assert "Not a job id" in at.error[0].value
    monkeypatch.setenv("ABDASH_API_TOKEN", "guest")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params["job_id"] = ids["completed"]
    at.run()
    assert "No access to this job" in at.error[0].value


def test_unreachable_service(open_page, jobs, monkeypatch):
    server, ids, _ = jobs
    open_page(server=server)
    monkeypatch.setenv("ABDASH_API_URL", "http://127.0.0.1:9")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params["job_id"] = ids["completed"]
    at.run()
    assert "Service unreachable" in at.error[0].value


def test_recent_jobs_are_one_click_away(open_page, jobs):
    server, ids, _ = jobs
    at = open_page(ids["completed"], server=server)
    at.text_input(key="job_id").set_value(ids["failed"]).run()
    assert any("The job failed" in e.value for e in at.error)
    at.button(key=f"recent-{ids['completed']}").click().run()
    assert at.text_input(key="job_id").value == ids["completed"]
    assert at.query_params["job_id"] == [ids["completed"]] or at.query_params["job_id"] == ids["completed"]
    assert not at.error


def test_token_is_nowhere_in_the_page(open_page, jobs):
    server, ids, _ = jobs
    for job_id in ids.values():
        at = open_page(job_id, section="Raw JSON", server=server)
        assert server.token not in str(at._tree)
        assert server.token not in str(dict(at.query_params))


def test_without_a_service_the_embedded_sample_server_is_used(monkeypatch):
    import streamlit as st

    from components import services

    monkeypatch.delenv("ABDASH_API_URL", raising=False)
    monkeypatch.delenv("ABDASH_API_TOKEN", raising=False)
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    try:
        assert not at.exception
        assert any("Sample data" in i.value for i in at.sidebar.info)
    finally:
        services.sample_server().stop()
        st.cache_resource.clear()


def test_cached_job_is_never_served_to_another_token(open_page, jobs, monkeypatch):
    server, ids, _ = jobs
    first = open_page(ids["completed"], server=server)
    assert not first.error  # fetched with the full token, now cached
    monkeypatch.setenv("ABDASH_API_TOKEN", "guest")
    other = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    other.query_params["job_id"] = ids["completed"]
    other.run()
    assert "No access to this job" in other.error[0].value
    assert not other.tabs


def test_token_pasted_in_the_sidebar_is_used_and_not_put_in_the_url(open_page, jobs, monkeypatch):
    server, ids, _ = jobs
    open_page(server=server)
    monkeypatch.delenv("ABDASH_API_TOKEN")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params["job_id"] = ids["completed"]
    at.run()
    assert "Not signed in" in at.error[0].value
    at.sidebar.text_input(key="pasted_api_token").input(server.token).run()
    assert not at.error and at.tabs
    assert server.token not in str(dict(at.query_params))
