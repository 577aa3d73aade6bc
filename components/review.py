"""The Review section (job page) and the review block of the compare page: decisions and comments.

Everything about storage, candidates and access lives in app.reviews; this module lays it out. A
review is read or written only when the session's token can read the job from the service now
(app.reviews.access); otherwise nothing of it is shown, not even a count. Comments are shown with
st.text (never Markdown or HTML); untrusted names go through md_escape.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from app import errors
from app.client import FetchedJob
from app.reviews import exports
from app.reviews.access import ACCESS_TTL_S, ReadAccess
from app.reviews.candidates import Candidate, job_candidates
from app.reviews.models import (
    AUTHOR_KIND_WORDS,
    AUTHOR_SAMPLE,
    AUTHOR_SELF_DECLARED,
    AUTHOR_SIGNED_IN,
    DECISIONS,
    author_label,
)
from app.reviews.sample import seed_sample_reviews
from app.reviews.store import MAX_COMMENT_CHARS, Entry, InvalidReview, ReviewHistory, ReviewStore, ReviewStoreError
from app.sample_api import DEFAULT_DATA_DIR as BUNDLED_SAMPLES
from app.view import JobView
from components import services
from components.formatting import md_escape
from components.memo import view

log = logging.getLogger(__name__)

CANDIDATE_KEY = "review-candidate"
DECISION_KEY = "review-decision"
COMMENT_KEY = "review-comment"
SAVE_KEY = "review-save"
NAME_KEY = "review-name"
REVIEWER_KEY = "_review_reviewer"  # the self-declared name, fixed once given
OUTCOME_KEY = "_review_outcome"  # (kind, message) of the last save, shown once
COMPARE_KEY = "review-compare-with"
KEEP_DRAFT = "Your draft is still in the form."


# --- process-wide resources ------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _store(url: str, sample_dir: str | None) -> ReviewStore:
    """One store per database URL (its pool is shared by every session of this process)."""
    store = ReviewStore(url)
    if sample_dir is not None:
        try:
            seed_sample_reviews(store, Path(sample_dir))
        except (ReviewStoreError, InvalidReview, OSError, ValueError, KeyError) as error:
            log.warning("reviews: sample reviews not added (%s)", type(error).__name__)
    return store


def review_store() -> ReviewStore:
    """The store (migrated on first use); raises ReviewStoreError when the database is not usable."""
    config = services.settings()
    sample_dir = None
    if config.uses_sample_server:
        sample_dir = config.sample_data_dir or str(BUNDLED_SAMPLES)
    return _store(config.review_database_url(), sample_dir)


@st.cache_resource(show_spinner=False)
def _access() -> ReadAccess:
    return ReadAccess()


def readable(job_id: str, fetched: FetchedJob | None = None) -> bool | None:
    """Can this session's token read the job now? None when the service could not be asked.

    A fetch of the job with this token less than ACCESS_TTL_S ago is itself the service's answer."""
    conn = services.connection()
    who = (conn.api_url, conn.fingerprint)
    if fetched is not None and time.time() - fetched.fetched_at < ACCESS_TTL_S and _access().known(who, job_id) is None:
        _access().note(who, job_id, True)
    try:
        return _access().allowed(who, job_id, services.client(conn).get_job)
    except errors.ApiError as error:
        log.info("reviews: access check failed (%s)", type(error).__name__)
        return None


# --- who -------------------------------------------------------------------------------------------


def signed_in_user() -> str | None:
    """The signed-in user's e-mail or name, when Streamlit's authentication is configured and used."""
    try:
        user = st.user
        if not user.is_logged_in:
            return None
        name = user.get("email") or user.get("name") or user.get("sub")
    except Exception:  # authentication not configured
        return None
    return str(name) if name else None


def reviewer() -> tuple[str | None, str]:
    """(name, kind): the signed-in user, else the name this session declared (None until given)."""
    user = signed_in_user()
    if user:
        return user, AUTHOR_SIGNED_IN
    return st.session_state.get(REVIEWER_KEY), AUTHOR_SELF_DECLARED


def who(entry: Entry) -> str:
    words = AUTHOR_KIND_WORDS.get(entry.author_kind, entry.author_kind)
    return f"{md_escape(entry.author)} ({md_escape(words)})"


def when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# --- pure builders ---------------------------------------------------------------------------------


def job_candidate_list(fetched: FetchedJob) -> list[Candidate]:
    """The job's candidates, once per fetched object (digests of the results are not redone on a rerun)."""
    return view(_candidates_of, fetched)


def _candidates_of(fetched: FetchedJob) -> list[Candidate]:
    return job_candidates(fetched.job_id, fetched.raw)


def results_state(entry: Entry | None, candidate: Candidate) -> str:
    if entry is None:
        return ""
    if not entry.fingerprint:
        return "not recorded"
    return "unchanged" if entry.fingerprint == candidate.fingerprint else "changed since"


def build_summary_frame(candidates: Sequence[Candidate], history: ReviewHistory, *, with_job: bool) -> pd.DataFrame:
    rows = []
    for candidate in candidates:
        record = history.of(candidate.job_id, candidate.key)
        current = record.current
        comments = record.comments
        row = {
            "Job": candidate.job_id[:8],
            "Candidate": candidate.label,
            "Decision": current.text if current else "none yet",
            "By": author_label(current.author, current.author_kind) if current else "",
            "When": when(current.created_at) if current else "",
            "Results": results_state(current, candidate),
            "Decisions": len(record.decisions),
            "Comments": len(comments),
            "Last comment": comments[-1].text[:120] if comments else "",
        }
        if not with_job:
            del row["Job"]
        rows.append(row)
    return pd.DataFrame(rows)


# --- drawing ---------------------------------------------------------------------------------------


def load_history(job_ids: Sequence[str]) -> ReviewHistory | str:
    """Everything about these jobs (one query), or the message saying why it cannot be read."""
    try:
        return review_store().history(job_ids)
    except ReviewStoreError as error:
        return str(error)


def render_thread(candidate: Candidate, history: ReviewHistory) -> None:
    record = history.of(candidate.job_id, candidate.key)
    current = record.current
    state = results_state(current, candidate)
    if state == "changed since" and current is not None:
        st.warning(
            "**The results have changed since this decision.** The candidate's result row is not the one "
            f"the decision of {when(current.created_at)} was made on: look again before relying on it.",
            icon=":material/update:",
        )
    elif state == "not recorded":
        st.caption("This decision predates result fingerprints: whether the results changed since is not known.")
    if not record.entries:
        st.caption("No decision or comment yet.")
        return
    for entry in record.entries:
        with st.container(border=True):
            if entry.is_decision:
                st.markdown(f"**{entry.text}** · {who(entry)} · {when(entry.created_at)}")
            else:
                st.caption(f"Comment · {who(entry)} · {when(entry.created_at)}")
                st.text(entry.text)


def _save(candidates: dict[str, Candidate]) -> None:
    """The Save button's callback: runs before the rerun, so it may clear the form on success."""
    ref = st.session_state.get(CANDIDATE_KEY)
    candidate = candidates.get(ref or "")
    decision = st.session_state.get(DECISION_KEY)
    comment = st.session_state.get(COMMENT_KEY) or ""
    name, kind = reviewer()
    if kind == AUTHOR_SELF_DECLARED and not name:
        name = (st.session_state.get(NAME_KEY) or "").strip()
    if candidate is None:
        st.session_state[OUTCOME_KEY] = ("error", "Choose the candidate this review is about.")
        return
    if readable(candidate.job_id) is not True:
        st.session_state[OUTCOME_KEY] = (
            "error",
            "This token cannot read the job now, so its review cannot be written.",
        )
        return
    try:
        review_store().record(
            job_id=candidate.job_id,
            candidate_key=candidate.key,
            strategy=candidate.strategy,
            author=name or "",
            author_kind=kind,
            fingerprint=candidate.fingerprint,
            decision=decision,
            comment=comment,
        )
    except (InvalidReview, ReviewStoreError) as error:
        message = str(error)
        st.session_state[OUTCOME_KEY] = ("error", message if KEEP_DRAFT in message else f"{message} {KEEP_DRAFT}")
        return
    if kind == AUTHOR_SELF_DECLARED:
        st.session_state[REVIEWER_KEY] = " ".join((name or "").split())
    st.session_state[COMMENT_KEY] = ""
    st.session_state[DECISION_KEY] = None
    saved = (
        "Decision and comment saved"
        if decision and comment.strip()
        else ("Decision saved" if decision else "Comment saved")
    )
    st.session_state[OUTCOME_KEY] = ("success", f"{saved} for {md_escape(candidate.label)}.")


def render_block(
    fetcheds: Sequence[FetchedJob], *, with_job: bool, history: ReviewHistory | str | None = None
) -> list[Candidate]:
    """Summary, thread of the chosen candidate, the form and downloads for the readable jobs among
    `fetcheds`. Returns the candidates shown (those of jobs this token may read now). `history`: the
    review of those jobs when the caller has read it already (one query per rerun)."""
    allowed: list[FetchedJob] = []
    for fetched in fetcheds:
        answer = readable(fetched.job_id, fetched)
        if answer is True:
            allowed.append(fetched)
        elif answer is False:
            st.info(
                f"Job {md_escape(fetched.job_id[:8])}: reviews are shown only to those who can open the job, and "
                "the service does not let this token read it now.",
                icon=":material/lock:",
            )
        else:
            st.warning(
                f"Job {md_escape(fetched.job_id[:8])}: whether this token may read the job could not be checked "
                "with the service now, so its review is not shown. Try again in a moment.",
                icon=":material/cloud_off:",
            )
    if not allowed:
        return []
    candidates = [c for fetched in allowed for c in job_candidate_list(fetched)]
    if history is None:
        history = load_history([f.job_id for f in allowed])
    if isinstance(history, str):
        st.error(history, icon=":material/database:")
        shown = ReviewHistory()
    else:
        shown = history
        st.dataframe(
            build_summary_frame(candidates, shown, with_job=with_job),
            hide_index=True,
            width="stretch",
            column_config={
                "Results": st.column_config.TextColumn(
                    help="Whether the candidate's results are the ones the current decision was made on"
                ),
                "By": st.column_config.TextColumn(width="medium"),
                "When": st.column_config.TextColumn(width="medium"),
                "Decisions": st.column_config.NumberColumn(width="small"),
                "Comments": st.column_config.NumberColumn(width="small"),
                "Last comment": st.column_config.TextColumn(width="large"),
            },
        )
    if any(e.author_kind == AUTHOR_SAMPLE for h in shown.by_candidate.values() for e in h.entries):
        st.caption(
            "Entries by *sample* reviewers come with the sample data, to show the feature: they are not a real "
            "assessment of these designs."
        )
    outcome = st.session_state.pop(OUTCOME_KEY, None)
    by_ref = {f"{c.job_id}|{c.key}": c for c in candidates}
    if st.session_state.get(CANDIDATE_KEY) not in by_ref:
        st.session_state[CANDIDATE_KEY] = next(iter(by_ref))
    left, right = st.columns([3, 2], gap="large")
    with right:
        st.markdown("**Review a candidate**")
        st.selectbox(
            "Candidate",
            list(by_ref),
            format_func=lambda ref: (
                f"{by_ref[ref].job_id[:8]} · {by_ref[ref].label}" if with_job else by_ref[ref].label
            ),
            key=CANDIDATE_KEY,
        )
        _form(by_ref)
        if outcome is not None:
            kind, message = outcome
            (st.success if kind == "success" else st.error)(message)  # our own text; names escaped in _save
    with left:
        chosen = by_ref[st.session_state[CANDIDATE_KEY]]
        st.markdown(f"**History of {md_escape(chosen.label)}** (append-only: earlier decisions stay)")
        render_thread(chosen, shown)
    if not isinstance(history, str):
        render_downloads(candidates, shown, allowed)
    return candidates


def _sign_in(kind: str) -> None:
    """With authentication set up, reviewers sign in (their account becomes the author) or out."""
    if not services.sign_in_configured():
        return
    if kind == AUTHOR_SIGNED_IN:
        st.button("Sign out", key="review-sign-out", on_click=st.logout, type="tertiary", icon=":material/logout:")
    else:
        st.button(
            "Sign in to review under your account",
            key="review-sign-in",
            on_click=st.login,
            icon=":material/login:",
            help="Decisions and comments then carry your signed-in identity instead of a self-declared name.",
        )


def _form(by_ref: dict[str, Candidate]) -> None:
    name, kind = reviewer()
    _sign_in(kind)
    with st.form("review-form", clear_on_submit=False, border=True):
        st.radio(
            "Decision", DECISIONS, index=None, horizontal=True, key=DECISION_KEY, help="Leave empty to only comment"
        )
        st.text_area(
            "Comment",
            key=COMMENT_KEY,
            placeholder="Plain text; shown exactly as typed (no formatting, no links)",
            help=f"Plain text, at most {MAX_COMMENT_CHARS:,} characters.",
        )
        if kind == AUTHOR_SIGNED_IN:
            st.caption(f"Signed in as {md_escape(name)}.")
        elif name:
            st.caption(f"Reviewing as {md_escape(name)} (self-declared, for this browser session).")
        else:
            st.text_input(
                "Your name",
                key=NAME_KEY,
                max_chars=80,
                help="Shown with your decisions and comments as self-declared: nobody has checked it. "
                "Given once per browser session.",
            )
        st.form_submit_button("Save", key=SAVE_KEY, type="primary", on_click=_save, args=(by_ref,))


def render_downloads(candidates: Sequence[Candidate], history: ReviewHistory, jobs: Sequence[FetchedJob]) -> None:
    name = "review-" + "-".join(f.job_id[:8] for f in jobs)
    markdown = exports.review_markdown(candidates, history, generated=datetime.now(UTC))
    row = st.container(horizontal=True)
    row.download_button(
        "Review (Markdown)", markdown, f"{name}.md", "text/markdown", key="review-download-md", on_click="ignore"
    )
    row.download_button(
        "Review (CSV)",
        exports.review_csv(candidates, history),
        f"{name}.csv",
        "text/csv",
        key="review-download-csv",
        on_click="ignore",
    )


def render_compare_with(fetched: FetchedJob) -> None:
    """ "Compare with…": other jobs (recent ones, the samples, or a pasted id) and a link to /compare."""
    from components.sidebar import RECENT_KEY

    titles = {s["id"]: s.get("title", "") for s in services.list_samples() if s.get("id")}
    recent = [r.get("id") if isinstance(r, dict) else r for r in st.session_state.get(RECENT_KEY, [])]
    others = [j for j in [*recent, *titles] if isinstance(j, str) and j and j != fetched.job_id]
    options = list(dict.fromkeys(others))
    chosen = st.multiselect(
        "Compare with…",
        options,
        key=COMPARE_KEY,
        format_func=lambda j: f"{j[:8]} · {titles[j]}" if j in titles else j,
        max_selections=5,
        accept_new_options=True,
        placeholder="Pick jobs or paste job ids",
        help="Up to 5 other jobs; the comparison link holds them all, so it can be shared.",
    )
    ids = [fetched.job_id, *[c.strip().lower() for c in chosen if c.strip()]]
    if len(ids) >= 2:
        st.page_link(
            "views/compare.py",
            label="Open the comparison",
            icon=":material/compare:",
            query_params={"jobs": ",".join(ids)},
        )


def render(job: JobView) -> None:
    """The Review tab of the job page."""
    fetched = job.answer()
    st.caption(
        "A candidate is one humanization strategy of this job (or the job itself when it has none). Decisions "
        "and comments are kept on this dashboard's review database, beside the job link; nothing is sent to "
        "the service."
    )
    render_block([fetched], with_job=False)
    with st.expander("Compare with other jobs", icon=":material/compare:"):
        render_compare_with(fetched)
