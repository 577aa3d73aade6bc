"""The job page: pick a job, follow it while it runs, and lay out its sections."""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st
from streamlit.errors import StreamlitAPIException

from app import errors, heap, service_view
from app.client import FetchedJob
from components import services
from components.formatting import md_code, md_escape
from components.header import render_header
from components.memo import view
from components.raw_json import json_download
from components.reconnect import render_reconnect_notice
from components.sections import SECTION_KEY, available_sections
from components.sidebar import jobs_word, remember_job, render_sidebar

JOB_ID_KEY = "job_id"  # also the query parameter of shared links
FOLLOW_EVERY_S = 2.0
HANDOVER_KEY = "_followed_job"  # the page's fetch, handed to the follower's first run
# Streamlit's main block starts 6rem down; 2rem leaves the tabs within the first ~250 px at 1280×800.
# Sidebar job links wrap long titles instead of cutting them.
COMPACT_TOP_CSS = (
    "<style>[data-testid='stMainBlockContainer']{padding-top:2rem}"
    "[data-testid='stSidebar'] [data-testid='stPageLink'] *{white-space:normal;text-overflow:clip}</style>"
)

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


def sample_note(job_id: str) -> Callable[[], None] | None:
    """On sample (or local) data, what the job is (the real service has no such text): a popover in the header."""
    sample = next((s for s in services.list_samples() if s.get("id") == job_id and s.get("description")), None)
    if sample is None:
        return None
    what = "this sample" if jobs_word() == "sample" else "this local job"

    def draw() -> None:
        with st.popover(f"About {what}", icon=":material/science:"):
            st.markdown(f"**{md_escape(sample.get('title', ''))}**")
            st.markdown(md_escape(sample["description"]))

    return draw


def rewrite_link_param(key: str, value: str) -> bool:
    """Put the corrected `value` of a link's query parameter in the URL before its bound widget reads it.

    A bound widget seeds itself from the URL on its first run: a value it does not accept is dropped from
    the address bar, and a value set in session state on that run does not reach it. `st.query_params` may
    still be written while nothing is bound to the key; the rerun that follows seeds the widget from the
    corrected URL. Returns False when the key is already bound in this session (nothing written).
    """
    try:
        if value:
            st.query_params[key] = value
        else:
            del st.query_params[key]
    except StreamlitAPIException:  # bound to its widget already: Streamlit refuses direct writes
        return False
    return True


SECTION_NOTE_KEY = "_section_note"  # (job id, text) of a section link that could not be followed


def resolve_section(job_id: str, labels: list[str]) -> None:
    """Follow `?section=` case-insensitively; a section the job lacks (or no such section) is said, not hidden.

    A link's `section=structure` is rewritten to `Structure` in the URL and the page rerun, before the bound
    tabs first read it (`rewrite_link_param`), so the address bar keeps the section. If the tabs are already
    bound in this session, the fix goes through session state instead (Streamlit syncs the URL then).
    """
    asked = st.query_params.get(SECTION_KEY)
    if asked is None or asked in labels:
        return
    match = next((label for label in labels if label.lower() == asked.strip().lower()), None)
    if match is not None:
        if rewrite_link_param(SECTION_KEY, match):
            st.rerun()
        st.session_state[SECTION_KEY] = match
        return
    known = ("Overview", "Humanization", "Structure", "Stability", "Immunogenicity", "Complex", "Raw JSON")
    lacks = next((k for k in known if k.lower() == asked.strip().lower()), None)
    if lacks:
        text = f"This job has no {lacks} section (the service returned no {lacks.lower()} result)"
    else:
        text = f"There is no section {md_code(asked[:80])}"
    st.session_state[SECTION_KEY] = labels[0]
    st.session_state[SECTION_NOTE_KEY] = (job_id, f"{text}: showing {labels[0]}. This job has: {', '.join(labels)}.")


def section_note(job_id: str) -> None:
    note = st.session_state.get(SECTION_NOTE_KEY)
    if note and note[0] == job_id and st.session_state.get(SECTION_KEY) in (None, "Overview"):
        st.warning(note[1], icon=":material/link_off:")
    elif note:
        del st.session_state[SECTION_NOTE_KEY]


def render_job(fetched: FetchedJob) -> None:
    job = fetched.response.job
    about = sample_note(job.id)
    if job.is_followed:
        st.session_state[HANDOVER_KEY] = fetched
        follow(job.id)
        return
    render_header(job, aside=about)
    view_of_job = view(service_view.job_view, fetched)  # one per fetched answer, so memos keyed on it hold
    sections = available_sections(view_of_job)
    labels = [*sections, "Raw JSON"]
    resolve_section(job.id, labels)
    section_note(job.id)
    tabs = st.tabs(labels, key=SECTION_KEY, bind="query-params")
    for tab, (_label, draw) in zip(tabs, sections.items()):
        if tab.open:
            with tab:
                draw(view_of_job)
    if tabs[-1].open:
        with tabs[-1]:
            st.caption("The whole answer of the service for this job, as received.")
            json_download(fetched.raw, f"job-{job.id}.json", "Download the job's JSON", key="download-job-json")
            st.json(fetched.raw, expanded=1)


STRIPPED_KEY = "_stripped_job_id"  # an id that came with spaces, set on the next run (before its widget)


def strip_job_id() -> None:
    """Spaces around a pasted id never reach the URL (they would show as `++…++`): the widget's own
    on_change strips it. A link's id with spaces is rewritten in the URL before the widget exists
    (`rewrite_link_param`); only when the widget is already bound does it go through a rerun (STRIPPED_KEY)."""
    value = st.session_state.get(JOB_ID_KEY)
    if isinstance(value, str) and value != value.strip():
        st.session_state[JOB_ID_KEY] = value.strip()


def main() -> None:
    render_reconnect_notice()
    try:
        job_view()
    finally:
        render_sidebar()  # after the job, so "Recently opened" already holds the job just opened


def job_view() -> None:
    if STRIPPED_KEY in st.session_state:
        st.session_state[JOB_ID_KEY] = st.session_state.pop(STRIPPED_KEY)
    linked = st.query_params.get(JOB_ID_KEY)
    if linked is not None and linked != linked.strip() and rewrite_link_param(JOB_ID_KEY, linked.strip()):
        st.rerun()  # a link that came with spaces: the address bar shows the bare id, never `++…++`
    st.html(COMPACT_TOP_CSS)
    st.text_input(
        "Job id",
        key=JOB_ID_KEY,
        bind="query-params",
        on_change=strip_job_id,
        label_visibility="collapsed",
        placeholder="Paste a job id (UUID), or pick one in the sidebar",
        help="The link in your address bar always shows this job: copy it to share the view.",
    )
    typed = st.session_state.get(JOB_ID_KEY) or ""
    if typed != typed.strip():
        st.session_state[STRIPPED_KEY] = typed.strip()
        st.rerun()
    job_id = typed.strip()
    if not job_id:
        st.info("Enter a job id above, or open one of the jobs listed in the sidebar.", icon=":material/search:")
        return
    try:
        fetched = services.load_job(job_id)
    except errors.ApiError as error:
        show_error(error)
        return
    job = fetched.response.job
    remember_job(job.id, job.job_type, job.status)
    render_job(fetched)


main()
