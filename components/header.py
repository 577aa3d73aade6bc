"""The job header: status badge, type, people, times and durations; errors and cancellations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal
from urllib.parse import quote, urlencode

import streamlit as st

from app.client import FetchedJob
from app.humanization.review import strategy_name
from app.models import Job
from app.models.contract import StructureResultRow
from app.stability.residues import modelled_strategy
from app.variant_link import link_for, row_position
from components.formatting import fmt_duration, fmt_time, md_code, md_escape

BadgeColor = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray", "grey", "primary"]
STATUS_BADGES: dict[str, tuple[str, BadgeColor, str]] = {
    "pending": ("Pending", "gray", ":material/schedule:"),
    "running": ("Running", "blue", ":material/autorenew:"),
    "completed": ("Completed", "green", ":material/check_circle:"),
    "failed": ("Failed", "red", ":material/error:"),
    "canceled": ("Canceled", "orange", ":material/cancel:"),
}


def status_badge(status: str) -> None:
    unknown: tuple[str, BadgeColor, str] = (status, "violet", ":material/help:")
    label, color, icon = STATUS_BADGES.get(status, unknown)
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


def render_header(job: Job, *, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    with st.container(key="job-header"):
        title = (job.job_type or "job").replace("_", " ").capitalize()
        top = st.container(horizontal=True, vertical_alignment="center")
        with top:
            st.subheader(md_escape(title), anchor=False, width="content")
            status_badge(job.status)
        st.markdown(_timeline(job, now))
        st.caption(
            f"Job {md_code(job.id)} · variant {md_code(job.variant_id or '—')} · submitted by {md_code(job.submitted_by or '—')}"
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


# --- which humanization result a section's data belongs to (Structure, Stability, Immunogenicity) ---

VARIANT_WORDS = {
    "structure": ("Model of", "The structure"),
    "stability": ("Stability of", "This stability result"),
    "immunogenicity": ("Immunogenicity of", "This immunogenicity result"),
}
STRATEGY_PARAM = "hum-strategy"  # the Humanization section's strategy picker, bound to the URL


def strategy_url(job_id: str, strategy: str) -> str:
    """A link (relative: it keeps the host and base path) that opens the strategy in Humanization."""
    query = urlencode({"job_id": job_id, "section": "Humanization", STRATEGY_PARAM: strategy}, quote_via=quote)
    return f"?{query}"


def _strategy_link(fetched: FetchedJob, position: int, result_id: str | None = None) -> str:
    """`the **back_mutation** variant (humanization result `f9b2…`) · [open it in Humanization](…)`"""
    name = unique_strategy_names(fetched.response.strategies)[position]
    shown_id = result_id or fetched.response.strategies[position].id
    which = f" (humanization result {md_code(str(shown_id)[:8] + '…')})" if shown_id else ""
    return (
        f"the **{md_escape(name)}** variant{which} · "
        f"[open {md_escape(name)} in Humanization]({strategy_url(fetched.job_id, name)})"
    )


def unique_strategy_names(rows: list) -> list[str]:
    """The Humanization picker's option names: the strategy, numbered from its second occurrence."""
    seen: dict[str, int] = {}
    names = []
    for position, row in enumerate(rows):
        name = strategy_name(row, position)
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def variant_note(fetched: FetchedJob, section: str) -> str:
    """One Markdown line: which humanization result the section's data belongs to, with a link to it
    in Humanization; or, plainly, that the service does not say (and what the sequences suggest)."""
    lead, subject = VARIANT_WORDS[section]
    link = link_for(fetched.response, section, fetched.raw.get(f"{section}_result"))
    short = md_code(link.given_id[:8] + "…") if link.given_id else ""
    if link.given_id and link.position is not None:
        return f"{lead} {_strategy_link(fetched, link.position, link.given_id)}."
    if link.given_id:
        return (
            f"{subject} belongs to humanization result {short} ({link.field}), which is not among this job's "
            f"{len(fetched.response.strategies)} humanization results."
        )
    if not fetched.response.strategies:
        return f"{subject} is not linked to a humanization result (this job has none)."
    said = (
        f"{subject} does not say which humanization result it belongs to ({link.field} is empty)."
        if section == "structure"
        else f"The service does not say which humanization result {subject[0].lower() + subject[1:]} belongs to "
        "(the contract gives it no humanization_result_id)."
    )
    if not link.evidence:
        return said
    if link.inferred is not None:
        return (
            f"{said} Checked here: {link.evidence} ({link.checks} of {link.checks}) match only "
            f"{_strategy_link(fetched, link.inferred)}."
        )
    names = unique_strategy_names(fetched.response.strategies)
    if link.matches:
        which = ", ".join(md_escape(names[m.position]) for m in link.matches)
        found = f"{said} Checked here: {link.evidence} fit several strategies equally ({which}), so they cannot tell."
    else:
        found = f"{said} Checked here: {link.evidence} fit none of the strategies in full."
    return f"{found} {_reference_note(fetched)}"


def _reference_note(fetched: FetchedJob) -> str:
    """Which variant the section reads residue numbers on (`app.stability.residues.modelled_strategy`)."""
    reference = modelled_strategy(fetched.response)
    position = next((i for i, row in enumerate(fetched.response.strategies) if row is reference), None)
    if position is None:
        return ""
    structure = fetched.response.structure_result
    linked = (
        isinstance(structure, StructureResultRow)
        and row_position(fetched.response.strategies, structure.humanization_result_id) == position
    )
    why = "the variant the structure models" if linked else "the first strategy"
    return f"Residue positions here are read on {_strategy_link(fetched, position)}: {why}."


def render_variant_note(fetched: FetchedJob, section: str) -> None:
    st.markdown(f":material/link: {variant_note(fetched, section)}")
