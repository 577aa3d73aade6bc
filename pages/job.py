"""The job page: pick a job, follow it while it runs, and lay out its sections."""

from __future__ import annotations

import time

import streamlit as st

from app import errors, heap
from app.client import FetchedJob
from components import services
from components.formatting import md_escape
from components.header import render_header
from components.raw_json import json_download
from components.reconnect import render_reconnect_notice
from components.sections import SECTION_KEY, available_sections
from components.sidebar import remember_job, render_sidebar

JOB_ID_KEY = "job_id"  # also the query parameter of shared links
FOLLOW_EVERY_S = 2.0
HANDOVER_KEY = "_followed_job"  # the page's fetch, handed to the follower's first run

# Everything imported so far lives as long as the process: keep full garbage collections off it
# (app/heap.py: a full collection over it cost 0.14 s in the middle of opening a large job).
heap.freeze_long_lived()


def show_error(error: errors.ApiError) -> None:
    st.error(f"**{error.title}.** {md_escape(error.message)}", icon=":material/error:")


@st.fragment(run_every=FOLLOW_EVERY_S)
def follow(job_id: str) -> None:
    """While the job is pending or running: re-fetch, redraw the header, and rerun the page once it ends."""
    handed_over = st.session_state.pop(HANDOVER_KEY, None)
    if (
        handed_over is not None
        and handed_over.job_id == job_id
        and time.time() - handed_over.fetched_at < FOLLOW_EVERY_S / 2
    ):
        fetched = handed_over  # the page fetched it a moment ago: no second request
    else:
        try:
            fetched = services.load_job(job_id, fresh=True)
        except errors.ApiError as error:
            show_error(error)
            return
    job = fetched.response.job
    if not job.is_followed:
        st.rerun(scope="app")
    render_header(job)
    checked = time.strftime("%H:%M:%S", time.localtime(fetched.fetched_at))
    st.info(
        f"**{md_escape(job.status.capitalize())}.** Following this job: checking every {FOLLOW_EVERY_S:g} s "
        f"(last checked {checked}). Results appear here when it has finished.",
        icon=":material/autorenew:",
    )


def sample_note(job_id: str) -> None:
    """On sample data, say what the sample is (the real service has no such text)."""
    for sample in services.list_samples():
        if sample.get("id") == job_id and sample.get("description"):
            with st.expander(f"About this sample: {md_escape(sample.get('title', ''))}", icon=":material/science:"):
                st.markdown(md_escape(sample["description"]))


def render_job(fetched: FetchedJob) -> None:
    job = fetched.response.job
    sample_note(job.id)
    if job.is_followed:
        st.session_state[HANDOVER_KEY] = fetched
        follow(job.id)
        return
    render_header(job)
    sections = available_sections(fetched)
    tabs = st.tabs([*sections, "Raw JSON"], key=SECTION_KEY, bind="query-params")
    for tab, (_label, draw) in zip(tabs, sections.items()):
        if tab.open:
            with tab:
                draw(fetched)
    if tabs[-1].open:
        with tabs[-1]:
            st.caption("The whole answer of the service for this job, as received.")
            json_download(fetched.raw, f"job-{job.id}.json", "Download the job's JSON", key="download-job-json")
            st.json(fetched.raw, expanded=1)


def main() -> None:
    render_reconnect_notice()
    render_sidebar()
    st.text_input(
        "Job id",
        key=JOB_ID_KEY,
        bind="query-params",
        placeholder="Paste a job id (UUID), or pick one in the sidebar",
        help="The link in your address bar always shows this job: copy it to share the view.",
    )
    job_id = (st.session_state.get(JOB_ID_KEY) or "").strip()
    if not job_id:
        st.info("Enter a job id above, or open one of the jobs listed in the sidebar.", icon=":material/search:")
        return
    try:
        fetched = services.load_job(job_id)
    except errors.ApiError as error:
        show_error(error)
        return
    remember_job(fetched.response.job.id)
    render_job(fetched)


main()
