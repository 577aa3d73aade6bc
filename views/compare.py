"""The compare page (/compare?jobs=<id>,<id>[,…]): every candidate of 2 to 6 jobs side by side.

Each job is fetched with the session's token like on the job page; a job that cannot be opened is
named by its id only, and its review (decisions, comments, counts) is never shown. The review block
below the table is the job page's, so a decision can be set here too.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from app import errors
from app.client import FetchedJob, normalise_job_id
from app.reviews import compare
from app.reviews.store import ReviewHistory
from components import review, services
from components.formatting import md_escape
from components.humanization import strategy_reviews
from components.memo import view
from components.sidebar import render_sidebar

JOBS_KEY = "jobs"  # also the query parameter
MIN_JOBS, MAX_JOBS = 2, 6
LEAD_STYLE = "background-color: #DCE9F7"  # best of its column (blue)
TRAIL_STYLE = "background-color: #F6E7C8"  # worst of its column (sand); neither colour means "best overall"


def parse_jobs(text: str) -> tuple[list[str], list[str]]:
    """(valid distinct job ids in order, the pieces that are not job ids)."""
    ids, bad = [], []
    for piece in (text or "").replace(" ", ",").split(","):
        if not piece.strip():
            continue
        try:
            job_id = normalise_job_id(piece)
        except errors.InvalidJobId:
            bad.append(piece.strip()[:40])
            continue
        if job_id not in ids:
            ids.append(job_id)
    return ids, bad


def _job_candidates(fetched: FetchedJob) -> compare.JobCandidates:
    candidates = review.job_candidate_list(fetched)
    try:
        reviews = strategy_reviews(fetched) if fetched.response.strategies else ()
    except Exception:  # one odd job must not take the comparison down: its measures stay blank
        reviews = ()
    return compare.JobCandidates(fetched, candidates, reviews)


def _styled(frame: pd.DataFrame, cell_marks: pd.DataFrame) -> Styler:
    """Lead/trail colours per cell; counts without decimals, the rest with one; blanks as a dash."""
    styles = cell_marks.map(lambda m: LEAD_STYLE if m == "lead" else (TRAIL_STYLE if m == "trail" else ""))
    numeric = [c for c in frame.columns if c in compare.MEASURE_BY_COLUMN]
    plain = frame.astype({c: "float64" for c in numeric})  # NaN, not pd.NA, so na_rep applies
    formats = {
        c: "{:.0f}" if compare.is_count(c) else ("{:.2f}" if "(job)" in c and "Tm" not in c else "{:.1f}")
        for c in numeric
    }
    return plain.style.apply(lambda _: styles.values, axis=None).format(formats, na_rep="—")


def render_table(jobs: list[FetchedJob], history: ReviewHistory | None, readable: set[str]) -> None:
    items = [view(_job_candidates, f) for f in jobs]
    frame = compare.comparison_frame(items, history, readable)
    cell_marks = compare.marks(frame)
    frame.insert(4, "Trade-offs", compare.trade_offs(frame, cell_marks))
    cell_marks.insert(4, "Trade-offs", "")
    shown = frame.drop(columns=["_job_id", "_key"])
    st.dataframe(
        _styled(shown, cell_marks.drop(columns=["_job_id", "_key"])),
        hide_index=True,
        width="stretch",
        column_config={
            "Open": st.column_config.LinkColumn("Open", display_text="job page", help="The job's Review section"),
            "Trade-offs": st.column_config.TextColumn(width="large"),
        },
    )
    st.caption(
        "Blue: the best value of its column; sand: the worst — marked only where the spread matters "
        "(≥ 1 mutation or liability, ≥ 2 points of framework kept or pLDDT, ≥ 5 OASis percentile points, ≥ 1 °C, "
        "≥ 0.05 on 0–1 scores). There is no overall ranking. Mutations and liabilities: per strategy, counted "
        "here from the service's numbering (scheme in *Numbering*); CDR mutations under IMGT, Kabat, Chothia and "
        "North CDR definitions (app.residues), ranked only as *any* (in a CDR under at least one). Columns marked "
        "(job) come from one result row per job, which the service does not tie to a strategy. Mean pLDDT: "
        "only for the strategy the job's structure models (its humanization_result_id)."
    )
    st.download_button(
        "Comparison (CSV)",
        compare.comparison_csv(frame),
        "comparison-" + "-".join(f.job_id[:8] for f in jobs) + ".csv",
        "text/csv",
        key="compare-download-csv",
        on_click="ignore",
    )


def main() -> None:
    render_sidebar()
    st.title("Compare candidates")
    st.text_input(
        "Jobs to compare",
        key=JOBS_KEY,
        bind="query-params",
        placeholder="2 to 6 job ids, separated by commas",
        help="The link in the address bar holds these jobs: edit it or this box to add or remove one.",
    )
    ids, bad = parse_jobs(st.session_state.get(JOBS_KEY) or "")
    if bad:
        st.warning("Not job ids (ignored): " + ", ".join(md_escape(b) for b in bad), icon=":material/warning:")
    if len(ids) < MIN_JOBS:
        st.info(
            f"Give {MIN_JOBS} to {MAX_JOBS} job ids, or open a job and use **Compare with…** in its Review section.",
            icon=":material/compare:",
        )
        return
    if len(ids) > MAX_JOBS:
        st.warning(f"At most {MAX_JOBS} jobs are compared: the first {MAX_JOBS} are shown.", icon=":material/warning:")
        ids = ids[:MAX_JOBS]
    jobs: list[FetchedJob] = []
    for job_id in ids:
        try:
            fetched = services.load_job(job_id)
        except errors.ApiError as error:
            st.error(f"Job {md_escape(job_id)}: **{error.title}.** {md_escape(error.message)}", icon=":material/error:")
            continue
        if not fetched.response.job.is_terminal:
            st.info(
                f"Job {md_escape(job_id[:8])} is {md_escape(fetched.response.job.status)}: compare it once it ends."
            )
            continue
        jobs.append(fetched)
    if not jobs:
        return
    readable = {f.job_id for f in jobs if review.readable(f.job_id, f) is True}
    history = review.load_history(sorted(readable)) if readable else None
    st.subheader("Side by side")
    render_table(jobs, history if not isinstance(history, str) else None, readable)
    st.subheader("Review")
    review.render_block(jobs, with_job=True, history=history)


main()
