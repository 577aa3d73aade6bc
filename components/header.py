"""The job header: status badge, type, people, times and durations; errors and cancellations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

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


def _timeline(job: Job, now: datetime) -> str:
    """One line: created, started, ended, and how long it ran or has been waiting."""
    parts = [f"Created **{fmt_time(job.created_at)}**"]
    if job.started_at:
        parts.append(f"started **{fmt_time(job.started_at)}**")
    end = job.completed_at or job.canceled_at
    if end:
        parts.append(f"{'canceled' if job.canceled_at else 'completed'} **{fmt_time(end)}**")
    if job.started_at and end:
        parts.append(f"ran **{fmt_duration(end - job.started_at)}**")
    elif job.started_at and job.status == "running":
        parts.append(f"running for **{fmt_duration(now - job.started_at)}**")
    elif job.created_at and job.status == "pending":
        parts.append(f"waiting for **{fmt_duration(now - job.created_at)}**")
    return " · ".join(parts)


def _short(value: str | None) -> str:
    return md_code(f"{value[:8]}…") if value and len(value) > 12 else md_code(value or "—")


def render_header(job: Job, *, now: datetime | None = None, aside: Callable[[], None] | None = None) -> None:
    """Compact: title, status and `aside` (e.g. a sample's description) on one row, then one line of times
    and one of ids (shortened; the full ids in its tooltip and the Raw JSON tab)."""
    now = now or datetime.now(UTC)
    with st.container(key="job-header", gap="small"):
        title = (job.job_type or "job").replace("_", " ").capitalize()
        top = st.container(horizontal=True, vertical_alignment="center")
        with top:
            st.subheader(md_escape(title), anchor=False, width="content")
            status_badge(job.status)
            if aside is not None:
                aside()
        ids = f"job {job.id} · variant {job.variant_id or '—'} · submitted by {job.submitted_by or '—'}"
        st.caption(
            f"{_timeline(job, now)}  \nJob {_short(job.id)} · variant {_short(job.variant_id)} · "
            f"submitted by {_short(job.submitted_by)}",
            help=md_escape(ids),
        )

    if job.status == "failed":
        st.error(
            f"**The job failed.** {md_escape(job.error_message or 'The service gave no error message.')}",
            icon=":material/error:",
        )
    elif job.status == "canceled":
        when = fmt_time(job.canceled_at) if job.canceled_at else "at an unknown time"
        st.warning(
            f"This job was canceled ({when}). Results computed before then, if any, are shown below.",
            icon=":material/cancel:",
        )
    elif job.status not in STATUS_BADGES:
        st.info(f"The service reports a status this dashboard does not know: {md_code(job.status)}.")
