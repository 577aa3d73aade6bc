"""The sidebar: which service is in use, the token field, sample (or local) jobs and recently opened jobs.

Every job is a link (`?job_id=…`), so it opens in a new tab and its address can be copied.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.sample_api import DEFAULT_DATA_DIR
from components import services
from components.formatting import md_code, md_escape

RECENT_KEY = "recent_jobs"
JOB_ID_KEY = "job_id"
JOB_PAGE = "views/job.py"
RECENT_MAX = 8


def serves_bundled_samples() -> bool:
    """The embedded server shows the bundled samples (not an analyst's own ABDASH_SAMPLE_DATA folder)."""
    folder = services.settings().sample_data_dir
    if not folder:
        return True
    try:
        return Path(folder).expanduser().resolve() == DEFAULT_DATA_DIR.resolve()
    except OSError:
        return False


def jobs_word() -> str:
    """What the embedded server's jobs are called: "sample" for the bundled ones, "local" for a folder's."""
    return "sample" if serves_bundled_samples() else "local"


def sample_title(job_id: str) -> str | None:
    """The sample's title when the job is one of the served sample (or local) jobs; None otherwise."""
    for sample in services.list_samples():
        if sample.get("id") == job_id and sample.get("title") and sample.get("title") != job_id:
            return str(sample["title"])
    return None


def remember_job(job_id: str, job_type: str | None = None, status: str | None = None) -> None:
    """Most recent first, at most RECENT_MAX, each with what is known of it (type, status, title)."""
    recent: list[dict[str, str | None]] = st.session_state.setdefault(RECENT_KEY, [])
    recent[:] = [r for r in recent if isinstance(r, dict) and r.get("id") != job_id]
    recent.insert(0, {"id": job_id, "job_type": job_type, "status": status, "title": sample_title(job_id)})
    del recent[RECENT_MAX:]


STATUS_ICONS = {
    "completed": ":material/check_circle:",
    "failed": ":material/error:",
    "running": ":material/autorenew:",
    "pending": ":material/schedule:",
    "canceled": ":material/cancel:",
}


def recent_label(entry: dict[str, str | None]) -> str:
    """`Cetuximab … · 1d4490b7` or `Full analysis · 1d4490b7` (Markdown-escaped); the status is the icon."""
    job_id = str(entry.get("id") or "")
    what = entry.get("title") or (entry.get("job_type") or "job").replace("_", " ").capitalize()
    return md_escape(f"{what} · {job_id[:8]}")


def _job_link(job_id: str, label: str, icon: str, key_help: str) -> None:
    st.page_link(JOB_PAGE, label=label, icon=icon, query_params={JOB_ID_KEY: job_id}, help=key_help, width="stretch")


def render_sidebar() -> None:
    conn = services.connection()
    with st.sidebar:
        word = jobs_word()
        if conn.is_sample and word == "sample":
            st.info(
                "**Sample data.** No service is configured (ABDASH_API_URL), so the dashboard is talking to its "
                "own sample API server on this machine.",
                icon=":material/science:",
            )
        elif conn.is_sample:
            folder = services.settings().sample_data_dir or ""
            st.info(
                f"**Local jobs** from {md_code(folder)} (ABDASH_SAMPLE_DATA), served by the dashboard's own API "
                "server: no service is configured. A job file added there is listed within seconds.",
                icon=":material/folder_open:",
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
            st.markdown(f"**{word.capitalize()} jobs**")
            for sample in samples:
                title = sample.get("title") or sample["id"]
                status = sample.get("status")
                _job_link(
                    sample["id"],
                    md_escape(title),
                    ":material/article:",
                    md_escape(f"{sample['id']} · {status}" if status else sample["id"]),
                )
        recent = [r for r in st.session_state.get(RECENT_KEY, []) if isinstance(r, dict) and r.get("id")]
        if recent:
            st.markdown("**Recently opened**")
            for entry in recent:
                status = str(entry.get("status") or "")
                _job_link(
                    str(entry["id"]),
                    recent_label(entry),
                    STATUS_ICONS.get(status, ":material/history:"),
                    md_escape(f"{entry['id']} · {status}" if status else str(entry["id"])),
                )
