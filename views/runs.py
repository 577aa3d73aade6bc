"""Your own prediction runs: every run under ABDASH_LOCAL_RESULTS, one opened by `?run=<folder>`,
or a run uploaded in the browser (kept in the session only)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.runs.files import PathRefused
from app.runs.source import LocalRuns, RunNotFound
from app.view import JobView
from components import services
from components.formatting import md_code, md_escape
from components.runs import render_model
from components.runs_list import render_listing, render_upload

RUN_PARAM = "run"
COMPACT_TOP_CSS = "<style>[data-testid='stMainBlockContainer']{padding-top:2rem}</style>"  # as the job page


def _model_picker(labels: list[str], ns: str) -> int:
    options = list(range(len(labels)))
    if len(options) == 1:
        st.caption(f"One model: {md_escape(labels[0])}.")
        return 0
    return int(
        st.selectbox(
            "Model",
            options,
            format_func=lambda i: labels[i],
            key=f"{ns}-model",
            help="Best first, as the tool ranks them.",
        )
    )


def open_run(source: LocalRuns, rel: str, *, shared: bool) -> None:
    try:
        run = source.open(rel)
    except (PathRefused, RunNotFound) as error:
        st.error(f"**Run not opened.** {md_escape(error)}", icon=":material/error:")
        st.caption(f"Asked for: {md_code(rel[:200])}")
        return
    ns = JobView("local", f"{source.root}::{run.rel}", run.name, run.tool).namespace
    st.subheader(f"{md_escape(run.name)} · {md_escape(run.tool)}", anchor=False)
    st.caption(
        f"Folder {md_code(run.rel or '.')} · {len(run.models)} model(s)"
        + (" · link: this page's address" if shared else " · uploaded: kept in this session only")
    )
    index = _model_picker([m.label for m in run.models], ns)
    job = source.job_view(run, index)
    render_model(job, job.models[0], f"{ns}-m{index}")


def main() -> None:
    st.html(COMPACT_TOP_CSS)
    st.title("Your own prediction runs", anchor=False)
    folder = services.settings().local_results_dir
    rel = st.query_params.get(RUN_PARAM)
    if folder and not Path(folder).is_dir():
        st.error(f"ABDASH_LOCAL_RESULTS names {md_code(folder)}, which is not a folder.", icon=":material/error:")
        folder = None
    if folder:
        source = LocalRuns(Path(folder))
        if rel is not None:
            if st.button("All runs", icon=":material/arrow_back:", key="runs-back", type="tertiary"):
                del st.query_params[RUN_PARAM]
                st.rerun()
            open_run(source, rel, shared=True)
            return
        runs = source.list()
        st.caption(
            f"{len(runs)} run(s) under {md_code(folder)}, newest first (new runs show within seconds). "
            "Open one with its link, or click its row."
        )
        if runs:
            picked = render_listing(runs, key="runs-list")
            if picked is not None:
                st.query_params[RUN_PARAM] = picked.rel
                st.rerun()
        else:
            st.info(
                "No Boltz, AlphaFold 3, ColabFold or AlphaFold2 run was found in that folder.", icon=":material/info:"
            )
        with st.expander("Upload a run instead (kept in this session only)"):
            _upload()
        return
    st.info(
        "No results folder is set. Start the dashboard with `ABDASH_LOCAL_RESULTS=/path/to/runs` to list your runs "
        "here, or upload one below.",
        icon=":material/folder_open:",
    )
    _upload()


def _upload() -> None:
    found = render_upload("runs-upload")
    if found is None:
        return
    space, runs = found
    if not runs:
        return
    source = LocalRuns(space.path)
    if len(runs) == 1:
        open_run(source, runs[0].rel, shared=False)
        return
    labels = {run.rel: f"{run.name} · {run.tool} · {len(run.models)} model(s)" for run in runs}
    rel = st.selectbox("Run in the upload", list(labels), format_func=lambda r: labels[r], key="runs-upload-pick")
    open_run(source, rel, shared=False)


main()
