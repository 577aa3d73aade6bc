"""The job header: status badge, type, people, times and durations; errors and cancellations."""

from __future__ import annotations

import re
from collections.abc import Callable
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


# --- which humanization result a section's data belongs to (Structure, Stability, Immunogenicity) ---

VARIANT_LEADS = {"structure": "Model of", "stability": "Stability of", "immunogenicity": "Immunogenicity of"}
STRATEGY_PARAM = "hum-strategy"  # the Humanization section's strategy picker, bound to the URL


PLAIN_NAME = re.compile(r"[A-Za-z0-9_.+ ()-]{1,64}")  # names that go into a link (the service's own are like this)


def strategy_url(job_id: str, strategy: str) -> str:
    """A link (relative: it keeps the host and base path) that opens the strategy in Humanization.
    A name that is not plain text (markup, a URL) opens the section without choosing it."""
    params = {"job_id": job_id, "section": "Humanization"}
    if PLAIN_NAME.fullmatch(strategy):
        params[STRATEGY_PARAM] = strategy
    return f"?{urlencode(params, quote_via=quote)}"


def _strategy_link(fetched: FetchedJob, position: int, result_id: str | None = None, after: str = "") -> str:
    """`the **back_mutation** variant (humanization result `f9b2…`) · [open in Humanization](…)`"""
    name = unique_strategy_names(fetched.response.strategies)[position]
    shown_id = result_id or fetched.response.strategies[position].id
    which = f" (humanization result {md_code(str(shown_id)[:8] + '…')})" if shown_id else ""
    return f"the **{md_escape(name)}** variant{which}{after} · [open in Humanization]({strategy_url(fetched.job_id, name)})"


def unique_strategy_names(rows: list) -> list[str]:
    """The Humanization picker's option names: the strategy, numbered from its second occurrence."""
    seen: dict[str, int] = {}
    names = []
    for position, row in enumerate(rows):
        name = strategy_name(row, position)
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def variant_note(fetched: FetchedJob, section: str) -> tuple[str, str]:
    """(headline, detail) in Markdown: which humanization result the section's data belongs to, with
    a link that opens it in Humanization; or, plainly, that the service does not say, and what a
    check of the sequences against every strategy found."""
    link = link_for(fetched.response, section, fetched.raw.get(f"{section}_result"))
    strategies = fetched.response.strategies
    if link.given_id and link.position is not None:
        return f"{VARIANT_LEADS[section]} {_strategy_link(fetched, link.position, link.given_id)}", ""
    if link.given_id:
        short = md_code(link.given_id[:8] + "…")
        return (
            f"Linked to humanization result {short}, which is not among this job's {len(strategies)} results.",
            "",
        )
    if not strategies:
        return "Not linked to a humanization result (this job has none).", ""
    if section == "structure":
        return "**Not linked:** the service does not say which humanization result was modelled.", (
            f"{link.field} is empty."
        )
    unlinked = f"The contract gives {section} results no {link.field}."
    if link.inferred is not None:
        match = strategies[link.inferred]
        name = md_escape(unique_strategy_names(strategies)[link.inferred])
        return (
            f"**Not linked** by the service; its sequences match only {_strategy_link(fetched, link.inferred, match.id)}",
            f"{unlinked} Checked here: {link.evidence} ({link.checks} of {link.checks}) match {name} and no other "
            "strategy in full.",
        )
    if not link.evidence:
        detail = f"{unlinked} There is nothing in it to check against the strategies' sequences."
    elif link.matches:
        which = ", ".join(md_escape(unique_strategy_names(strategies)[m.position]) for m in link.matches)
        detail = f"{unlinked} Checked here: {link.evidence} fit {len(link.matches)} strategies equally ({which}), so they cannot tell."
    else:
        detail = f"{unlinked} Checked here: {link.evidence} fit none of the strategies in full."
    return f"**Not linked** by the service; {_reference_note(fetched)}", detail


def _reference_note(fetched: FetchedJob) -> str:
    """Which variant the section reads residue positions on (`app.stability.residues.modelled_strategy`)."""
    reference = modelled_strategy(fetched.response)
    position = next((i for i, row in enumerate(fetched.response.strategies) if row is reference), None)
    if position is None:
        return "residue positions are read on no strategy."
    structure = fetched.response.structure_result
    linked = (
        isinstance(structure, StructureResultRow)
        and row_position(fetched.response.strategies, structure.humanization_result_id) == position
    )
    why = ", the one the structure models" if linked else ", the first strategy"
    return f"positions are read on {_strategy_link(fetched, position, after=why)}"


def render_variant_note(fetched: FetchedJob, section: str) -> None:
    headline, detail = variant_note(fetched, section)
    st.markdown(f":material/link: {headline}")
    if detail:
        st.caption(detail)
