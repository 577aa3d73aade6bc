"""The job header: status badge, type, people, times and durations; errors and cancellations."""

from __future__ import annotations

from datetime import datetime, timezone

import streamlit as st

from app.models import Job
from components.formatting import fmt_duration, fmt_time, md_code, md_escape

STATUS_BADGES = {
    "pending": ("Pending", "gray", ":material/schedule:"),
    "running": ("Running", "blue", ":material/autorenew:"),
    "completed": ("Completed", "green", ":material/check_circle:"),
    "failed": ("Failed", "red", ":material/error:"),
    "canceled": ("Canceled", "orange", ":material/cancel:"),
}


def status_badge(status: str) -> None:
    label, color, icon = STATUS_BADGES.get(status, (status, "violet", ":material/help:"))
    st.badge(md_escape(label), color=color, icon=icon)


def render_header(job: Job, *, now: datetime | None = None) -> None:
    now = now or datetime.now(timezone.utc)
    with st.container(key="job-header"):
        left, right = st.columns([3, 2], vertical_alignment="center")
        with left:
            st.subheader(f"Job {md_escape(job.id)}", anchor=False)
            badges = st.container(horizontal=True)
            with badges:
                status_badge(job.status)
                if job.job_type:
                    st.badge(md_escape(job.job_type.replace("_", " ")), color="gray")
        with right:
            st.caption(
                f"Variant {md_code(job.variant_id or '—')}  \nSubmitted by {md_code(job.submitted_by or '—')}"
            )
        cols = st.columns(4)
        cols[0].metric("Created", fmt_time(job.created_at))
        cols[1].metric("Started", fmt_time(job.started_at))
        end = job.completed_at or job.canceled_at
        cols[2].metric("Canceled" if job.canceled_at else "Completed", fmt_time(end))
        if job.started_at and end:
            cols[3].metric("Run time", fmt_duration(end - job.started_at))
        elif job.started_at and job.status == "running":
            cols[3].metric("Running for", fmt_duration(now - job.started_at))
        elif job.created_at and job.status == "pending":
            cols[3].metric("Waiting for", fmt_duration(now - job.created_at))
        else:
            cols[3].metric("Run time", "—")

    if job.status == "failed":
        st.error(f"**The job failed.** {md_escape(job.error_message or 'The service gave no error message.')}", icon=":material/error:")
    elif job.status == "canceled":
        when = fmt_time(job.canceled_at) if job.canceled_at else "at an unknown time"
        st.warning(f"This job was canceled ({when}). Results computed before then, if any, are shown below.", icon=":material/cancel:")
    elif job.status not in STATUS_BADGES:
        st.info(f"The service reports a status this dashboard does not know: {md_code(job.status)}.")
