"""The sidebar: which service is in use, the token field, sample jobs and recently opened jobs."""

from __future__ import annotations

import streamlit as st

from components import services
from components.formatting import md_code, md_escape

RECENT_KEY = "recent_jobs"
JOB_ID_KEY = "job_id"


def remember_job(job_id: str) -> None:
    recent: list[str] = st.session_state.setdefault(RECENT_KEY, [])
    if job_id in recent:
        recent.remove(job_id)
    recent.insert(0, job_id)
    del recent[8:]


def sample_title(job_id: str) -> str | None:
    """The sample's title when the job is one of the served sample (or local) jobs; None otherwise."""
    for sample in services.list_samples():
        if sample.get("id") == job_id and sample.get("title") and sample.get("title") != job_id:
            return str(sample["title"])
    return None


def _open(job_id: str) -> None:
    st.session_state[JOB_ID_KEY] = job_id


def render_sidebar() -> None:
    conn = services.connection()
    with st.sidebar:
        if conn.is_sample:
            st.info(
                "**Sample data.** No service is configured (ABDASH_API_URL), so the dashboard is talking to its "
                "own sample API server on this machine.",
                icon=":material/science:",
            )
        else:
            st.caption(f"Service: {md_code(conn.api_url)}")
            if not services.settings().api_token:
                st.text_input(
                    "API token",
                    type="password",
                    key=services.PASTED_TOKEN_KEY,
                    help="Kept in this browser session only; never put in the link.",
                )
        samples = services.list_samples()
        if samples:
            st.markdown("**Sample jobs**")
            for sample in samples:
                st.button(
                    md_escape(sample.get("title") or sample["id"]),
                    key=f"sample-{sample['id']}",
                    on_click=_open,
                    args=(sample["id"],),
                    type="tertiary",
                    icon=":material/article:",
                )
        recent = st.session_state.get(RECENT_KEY, [])
        if recent:
            st.markdown("**Recently opened**")
            for job_id in recent:
                st.button(job_id, key=f"recent-{job_id}", on_click=_open, args=(job_id,), type="tertiary")
