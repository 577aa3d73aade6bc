"""The runs page's listing and upload: which runs a folder holds, and a run brought in the browser."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import pandas as pd
import streamlit as st

from app.runs.discover import RunRef, scan
from app.runs.upload import MAX_UPLOAD_BYTES, UploadSpace
from components.formatting import md_escape


def run_link(rel: str, base: str = "") -> str:
    return f"{base}runs?run={quote(rel, safe='/')}"


def build_listing(runs: list[RunRef], base: str = "") -> pd.DataFrame:
    """One row per run, newest first (the order `scan` gives)."""
    return pd.DataFrame(
        [
            {
                "Run": run_link(run.rel, base),
                "Tool": run.tool,
                "Name": run.name,
                "Models": len(run.models),
                "Date": datetime.fromtimestamp(run.mtime) if run.mtime else None,
                "pTM": run.ptm,
                "ipTM": run.iptm,
                "Folder": run.rel,
            }
            for run in runs
        ],
        columns=["Run", "Tool", "Name", "Models", "Date", "pTM", "ipTM", "Folder"],
    )


def render_listing(runs: list[RunRef], key: str, base: str = "") -> RunRef | None:
    """The table of runs, each a link; clicking a row opens it here. Returns the run picked by a row click."""
    table = build_listing(runs, base)
    event = st.dataframe(
        table,
        hide_index=True,
        key=key,
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "Run": st.column_config.LinkColumn(
                "Link", display_text="open ↗", width="small", help="A link to this run, to share on this host"
            ),
            "Tool": st.column_config.TextColumn("Tool", width=135),
            "Name": st.column_config.TextColumn("Name", width=140),
            "Models": st.column_config.NumberColumn("Models", width=70),
            "Date": st.column_config.DatetimeColumn("Date", format="YYYY-MM-DD HH:mm", width=130),
            "pTM": st.column_config.NumberColumn(
                "pTM", format="%.2f", width=60, help="best model, as the tool reports it"
            ),
            "ipTM": st.column_config.NumberColumn(
                "ipTM", format="%.2f", width=60, help="best model, as the tool reports it"
            ),
            "Folder": st.column_config.TextColumn("Folder", help="relative to the results folder"),
        },  # the scores keep their room at 1280 px; a long folder path is the column that gives way
    )
    rows = event.selection.rows if event is not None else []
    return runs[rows[0]] if rows else None


@st.cache_resource(scope="session", on_release=UploadSpace.remove, show_spinner=False)
def upload_space() -> UploadSpace:
    """This session's upload folder, removed as soon as the session's websocket disconnects.

    Streamlit clears a session-scoped resource, calling `on_release`, when the session disconnects or
    is closed (documented for `st.cache_resource(scope="session")`). Session state is not the place:
    a dropped session's state is freed only by a full garbage collection (a session is in reference
    cycles), which `runner.postScriptGC = false` no longer forces after every run. After a reconnect
    (a network blip) this makes a new, empty folder and `render_upload` unpacks the upload into it
    again: Streamlit keeps the uploaded files until the session is closed.
    """
    return UploadSpace()


def render_upload(key: str) -> tuple[UploadSpace, list[RunRef]] | None:
    """An upload (a zip of a run folder, or its files) kept in this session's temporary folder only."""
    files = st.file_uploader(
        "Upload a run: a zip of its folder, or its files",
        type=["zip", "cif", "pdb", "json", "npz", "csv"],
        accept_multiple_files=True,
        key=key,
        help=f"Kept in this browser session only (a temporary folder, removed with the session); at most {MAX_UPLOAD_BYTES // 2**20} MB unpacked. Nothing is executed.",
    )
    if not files:
        return None
    space = upload_space()
    signature = tuple((f.name, f.size, f.file_id) for f in files)
    if st.session_state.get(f"{key}-signature") != (str(space.path), signature):  # new files, or a new folder
        problems = space.fill([(f.name, f.getvalue()) for f in files])
        st.session_state[f"{key}-signature"] = (str(space.path), signature)
        st.session_state[f"{key}-problems"] = problems
    for problem in st.session_state.get(f"{key}-problems", []):
        st.warning(md_escape(problem), icon=":material/warning:")
    runs = scan(space.path)
    if not runs:
        st.warning(
            "No Boltz, AlphaFold 3, ColabFold or AlphaFold2 run was found in the upload.", icon=":material/warning:"
        )
    return space, runs
