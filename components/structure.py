"""The Structure section: the modelled antibody in 3D, its confidence per residue, its CDRs.

Laid out like an AlphaFold DB entry: key facts, then the viewer beside its controls and legend,
then the per-residue confidence plot with the CDRs marked, then the CDR table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd
import pandas.io.formats.style
import streamlit as st

from app.conventions import IPTM_ANTIBODY_CAVEAT, PLDDT_RULE, iptm_interpretation, plddt_band, plddt_color
from app.exports import csv_text
from app.models import Unparsed
from app.models.contract import StructureResultRow
from app.service_view import SERVICE, structure_model
from app.structure import (
    LOW_CONFIDENCE_CDR,
    CdrSpan,
    ChainSides,
    ConfidenceKind,
    ParsedStructure,
    ResidueConfidence,
    spans_from_api,
    spans_from_numbering,
    viewer_text,
)
from app.structure.chains import chain_kinds
from app.structure.confidence import FRAME_MIN_PLDDT, FRAME_TAIL_PLDDT, framed_residues, mean
from app.view import JobView, ModelView, StructureText
from components import structure_colors as colors
from components import structure_common as common
from components.formatting import md_escape
from components.header import render_variant_note
from components.memo import view
from components.plddt_plot import cached_residue_figure
from components.raw_json import raw_expander, render_unparsed, render_unread
from components.viewer import STYLES, ViewerSpec, camera_key, render_viewer

COLOR_MODES = ("pLDDT", "Chain", "Region (CDRs)")
SERVICE_NS = "struct"  # widget keys of the job page's Structure tab (one job per page)
BADGE = {"Very high": "blue", "Confident": "blue", "Low": "yellow", "Very low": "orange"}


def build_cdr_table(spans: list[CdrSpan]) -> pd.DataFrame:
    """One row per CDR: the columns of the section's table (mean pLDDT on 0-100)."""
    rows = []
    for s in spans:
        band = plddt_band(s.mean_plddt)
        rows.append(
            {
                "CDR": s.name,
                "Chain": s.chain,
                "Residues": f"{s.start_label}–{s.end_label}" if s.start_label else "—",
                "Sequence": s.sequence,
                "Length": s.length,
                "Mean pLDDT": None if s.mean_plddt is None else round(s.mean_plddt, 1),
                "Confidence": (band.name + (" ⚠" if (s.mean_plddt or 0) < LOW_CONFIDENCE_CDR else "")) if band else "—",
                "Canonical class": s.canonical_class or "—",
            }
        )
    return pd.DataFrame(
        rows, columns=["CDR", "Chain", "Residues", "Sequence", "Length", "Mean pLDDT", "Confidence", "Canonical class"]
    )


def cdr_cell_styles(table: pd.DataFrame) -> pd.DataFrame:
    """The CSS of each cell: mean pLDDT in its band colour; rows below 'confident' bold on a warm tint."""

    def row_style(row: pd.Series) -> list[str]:
        value = row["Mean pLDDT"]
        low = value is not None and not pd.isna(value) and value < LOW_CONFIDENCE_CDR
        base = "background-color: #FFF4E5; font-weight: 600;" if low else ""
        out = []
        for column in row.index:
            if column == "Mean pLDDT" and value is not None and not pd.isna(value):
                text = "white" if value >= 90 else "#111827"
                out.append(f"background-color: {plddt_color(value)}; color: {text}; font-weight: 600;")
            else:
                out.append(base)
        return out

    return pd.DataFrame([row_style(row) for _, row in table.iterrows()], index=table.index, columns=table.columns)


def cdr_column_config(table: pd.DataFrame) -> dict[str, Any]:
    """The Sequence column as wide as its longest CDR (a 20-residue CDR-H3 was cut off at the default width)."""
    longest = int(table["Sequence"].astype(str).str.len().max()) if len(table) else 0
    return {
        "Sequence": st.column_config.TextColumn("Sequence", width=max(120, 9 * longest + 24)),
        "Residues": st.column_config.TextColumn(
            "Residues (file no.)", help="First and last residue of the CDR, numbered as in the structure file"
        ),
    }


def style_cdr_table(table: pd.DataFrame):
    """A new Styler per render (Streamlit writes into the Styler it is given; only the styles are memoised)."""
    styles = view(cdr_cell_styles, table)
    return table.style.apply(lambda _: styles, axis=None).format(
        {"Mean pLDDT": lambda v: "—" if v is None or pd.isna(v) else f"{v:.1f}"}
    )


def cdr_spans(
    model: ModelView, parsed: ParsedStructure, antibody: tuple[str, ...], source: str
) -> tuple[list[CdrSpan], str]:
    """The source's CDR rows when it gives them, else IMGT CDRs numbered here; and a sentence saying which."""
    confidence = model.confidence
    rows = model.given_cdrs
    if isinstance(rows, list) and rows:
        return spans_from_api(rows, parsed, confidence), "CDRs as given by the service (cdr_analysis)."
    derived = spans_from_numbering(parsed, antibody or tuple(parsed.chain_names), confidence)
    lead = "The service sent no CDR analysis: " if source == SERVICE else ""
    if derived:
        text = (
            "CDRs were derived here by IMGT numbering of the chains (immunum), IMGT definition; no canonical classes."
        )
        return derived, lead + (text if not lead else text[0].lower() + text[1:])
    none = "no chain could be numbered as an antibody domain, so no CDRs are marked."
    return [], lead + none if lead else none[0].upper() + none[1:]


def _confidence_fact(confidence: ResidueConfidence | None) -> None:
    if confidence is not None and confidence.kind is ConfidenceKind.PLDDT:
        average = mean(list(confidence.values.values()))
        st.metric("Mean pLDDT", "—" if average is None else f"{average:.1f}", help=md_escape(confidence.note))
        band = plddt_band(average)
        where = "from the service" if confidence.source == "api" else "read from the files"
        badge = f":{BADGE.get(band.name, 'gray')}-badge[{band.name}] " if band and average is not None else ""
        st.caption(f"{badge}{where}")
        return
    st.metric("Mean pLDDT", "—")
    if confidence is None:
        st.caption("not available")
    elif confidence.kind is ConfidenceKind.PREDICTED_ERROR:
        st.caption("the file holds a predicted error (Å), not pLDDT")
    else:
        st.caption("no pLDDT in the file")


def render_facts(model: ModelView, parsed: ParsedStructure | None, source: str) -> None:
    """Key facts of any model: the predictor, the scores its source gives, pLDDT, chains and residues."""
    s = model.scores
    scores: list[tuple[str, float | None, str, str]] = []
    if source == SERVICE:  # the contract's confidence_score: the one score a structure result has
        scores.append(
            (
                "Model confidence",
                s.ranking_score,
                "The service's confidence_score, normalised to 0–1: the model's own score, not a pLDDT.",
                "the model's own score, not a pLDDT" if s.ranking_score is not None else "not given",
            )
        )
    else:
        if s.ptm is not None:
            scores.append(("pTM", s.ptm, "As the tool reports it (0–1).", "as the tool reports it"))
        if s.iptm is not None:
            scores.append(("ipTM", s.iptm, IPTM_ANTIBODY_CAVEAT, md_escape(iptm_interpretation(s.iptm))))
        if s.ranking_score is not None:
            scores.append(
                (
                    "Ranking score",
                    s.ranking_score,
                    "The tool's own score for ordering its models (best first).",
                    (f"the tool's {md_escape(s.ranking_name)}" if s.ranking_name else "the tool's own")
                    + ("" if s.complex_plddt is None else f"; complex pLDDT {s.complex_plddt:.1f}"),
                )
            )
    st.markdown(f"Model used: **{md_escape(model.model_used)}**" if model.model_used else "Model used: not given")
    cols = st.columns(len(scores) + 2, border=True)
    for col, (name, value, help_text, caption) in zip(cols, scores):
        with col:
            st.metric(name, "—" if value is None else f"{value:.2f}", help=help_text)
            st.caption(caption)
    with cols[-2]:
        _confidence_fact(model.confidence)
    with cols[-1]:
        if parsed is not None:
            st.metric("Residues", f"{parsed.n_residues}", help="Polymer residues of the structure file, all chains.")
            chains = " · ".join(f"{md_escape(c.name)} {len(c)}" for c in parsed.chains)
            st.caption(f"{len(parsed.chains)} chain(s): {chains}"[:300])
        else:
            st.metric("Residues", "—")
            st.caption("no structure file")


@dataclass(frozen=True)
class ExtraColouring:
    """A colouring the caller adds to the viewer's modes (the runs page's PAE selection).

    `signature` changes when the caller has something new to show: the viewer then switches to it.
    """

    name: str
    table: colors.Colors
    legend: colors.Legend
    sticks: tuple[tuple[str, str], ...]
    signature: object


CDR_NEIGHBOURHOOD_A = 10.0  # "Highlight a CDR" frames the CDR and everything within this distance


@st.fragment  # a colour or style change reruns the viewer only, not the whole section
def render_viewer_panel(
    parsed: ParsedStructure,
    structure: StructureText,
    confidence: ResidueConfidence,
    spans: list[CdrSpan],
    antibody: tuple[str, ...],
    ns: str,
    *,
    extra: ExtraColouring | None = None,
    compact: bool = False,
) -> None:
    """The 3D view with its controls: beside it (the Structure tab), or above it when `compact`
    (the runs page, where the PAE takes the other half of the width)."""
    framed = view(framed_residues, parsed, confidence)
    modes = [m for m in COLOR_MODES if m != "pLDDT" or confidence.is_plddt]
    if extra is not None:
        modes.append(extra.name)
    mode_key = f"{ns}-color"
    seen_key = f"{ns}-extra-seen"
    signature = None if extra is None else extra.signature
    if signature != st.session_state.get(seen_key):  # something new to show (a new PAE box): show it
        st.session_state[seen_key] = signature
        if extra is not None:
            st.session_state[mode_key] = extra.name
    if st.session_state.get(mode_key) not in modes:
        st.session_state[mode_key] = modes[0]
    if compact:
        view_col = st.container()
        mode_col, style_col, side_col = view_col.columns([1.5, 1, 1])
    else:
        view_col, side_col = st.columns([2.3, 1], gap="medium")
        mode_col = style_col = side_col
    with mode_col:
        mode = st.radio("Colour by", modes, key=mode_key, horizontal=compact)
    with style_col:
        style = st.radio("Style", STYLES, key=f"{ns}-style", horizontal=True, format_func=str.capitalize)
    with side_col:
        options = ["none"] + [str(i) for i in range(len(spans))]
        chosen = st.selectbox(
            "Highlight a CDR",
            options,
            key=f"{ns}-cdr",
            format_func=lambda o: (
                "None"
                if o == "none"
                else f"{spans[int(o)].name} · chain {spans[int(o)].chain} ({spans[int(o)].start_label}–{spans[int(o)].end_label})"
            ),
            help=f"Shows the CDR's side chains as sticks and frames it with its surroundings (within "
            f"{CDR_NEIGHBOURHOOD_A:g} Å). Reset view returns to that frame.",
            disabled=not spans,
        )
        if not compact:
            if mode == "pLDDT":
                st.caption(f"AlphaFold confidence bands. {PLDDT_RULE}")
            elif mode == "Region (CDRs)":
                st.caption("Six CDRs in six colours (colour-blind safe) over a grey framework; other chains in sand.")
            if framed and chosen in (None, "none"):
                st.caption(
                    f"Framed on the {len(framed)} of {parsed.n_residues} residues with pLDDT ≥ {FRAME_MIN_PLDDT:g} "
                    f"(without chain ends below {FRAME_TAIL_PLDDT:g}): disordered tails are drawn but do not set the zoom."
                )
            st.caption(
                "Hover a residue for its chain, name, number and value; drag to rotate, scroll to zoom. "
                "The view is kept when you change colour or style."
            )
    highlight: tuple[tuple[str, str], ...] = ()
    if chosen not in (None, "none") and chosen.isdigit() and int(chosen) < len(spans):
        highlight = tuple((r.chain, r.label) for r in spans[int(chosen)].residues)
    focus = highlight or tuple((r.chain, r.label) for r in framed)
    radius = CDR_NEIGHBOURHOOD_A if highlight else 0.0
    if mode == "pLDDT":
        table, legend = view(colors.by_plddt, parsed, confidence, spans)
        title = "Model confidence"
    elif mode == "Chain":
        table, legend = view(colors.by_chain, parsed, confidence, view(chain_kinds, parsed, antibody), spans)
        title = "Chains"
    elif mode == "Region (CDRs)":
        table, legend = view(colors.by_region, parsed, confidence, spans, antibody)
        title = "Regions"
    else:
        assert extra is not None
        table, legend, title = extra.table, extra.legend, extra.name
        if not highlight:
            highlight, focus, radius = extra.sticks, extra.sticks, 0.0
    text, fmt = viewer_text(structure.text, structure.format)
    spec = ViewerSpec(
        text,
        fmt,
        common.with_imgt_labels(table, parsed),
        style=style,
        sticks=highlight,
        focus=focus,
        focus_radius=radius,
        camera_key=camera_key(ns, text),
        legend=legend,
        legend_title=title,
        height=560 if compact else 480,
        title="3D structure of the model",
    )
    with view_col:
        render_viewer(spec, key=f"{ns}-viewer")


def render_confidence_plot(
    parsed: ParsedStructure, confidence: ResidueConfidence, spans: list[CdrSpan], ns: str, notes: Sequence[str] = ()
) -> None:
    st.subheader("Per-residue confidence", anchor=False)
    note = md_escape(confidence.note)
    if confidence.kind in (ConfidenceKind.TEMPERATURE_FACTOR, ConfidenceKind.UNKNOWN, ConfidenceKind.NONE):
        st.info(note, icon=":material/info:")
        return
    tracks = common.tracks(parsed, confidence)
    if not tracks:
        st.info("No per-residue values to plot.", icon=":material/info:")
        return
    if confidence.kind is ConfidenceKind.PREDICTED_ERROR:
        st.warning(note, icon=":material/warning:")
        kind = "error"
    else:
        st.caption(f"{note} Shaded columns: CDRs. Background: {md_escape(PLDDT_RULE)}")
        kind = "plddt"
    for problem in notes:
        st.caption(f"Note: {md_escape(problem)}.")
    tracks = _chosen_tracks(tracks, ns)
    shown = {track.chain for track in tracks}
    plot_spans = tuple(span for span in common.plot_spans(parsed, spans) if span.chain in shown)
    fig = cached_residue_figure(tuple(tracks), plot_spans, kind)
    st.plotly_chart(fig, key=f"{ns}-plddt-plot", config={"displaylogo": False})


MAX_PLOTTED_CHAINS = 6


def _chosen_tracks(tracks: list, ns: str) -> list:
    """All chains when there are a few; a picker (first chains preselected) when there are many,
    so a 40-chain model does not draw 40 panels nobody asked for."""
    if len(tracks) <= MAX_PLOTTED_CHAINS:
        return tracks
    names = [track.chain for track in tracks]
    picked = st.multiselect(
        f"Chains to plot ({len(names)} in the model)",
        names,
        default=names[:4],
        key=f"{ns}-plot-chains",
    )
    return [track for track in tracks if track.chain in set(picked)]


def render_cdr_table(
    spans: list[CdrSpan],
    where: str,
    confidence: ResidueConfidence | None,
    ns: str,
    unread: Sequence[Unparsed] = (),
) -> None:
    st.subheader("CDR analysis", anchor=False)
    render_unread(unread, "CDR analysis row(s)")
    st.caption(md_escape(where))
    if not spans:
        return
    table = view(build_cdr_table, spans)
    if confidence is not None and not confidence.is_plddt and table["Mean pLDDT"].isna().all():
        table = table.drop(columns=["Mean pLDDT", "Confidence"])
        st.dataframe(table, hide_index=True, key=f"{ns}-cdr-table", column_config=cdr_column_config(table))
    else:
        low = [s.name for s in spans if s.mean_plddt is not None and s.mean_plddt < LOW_CONFIDENCE_CDR]
        if low:
            st.warning(
                f"Low confidence (mean pLDDT < {LOW_CONFIDENCE_CDR:g}): {md_escape(', '.join(low))}. "
                "Treat their modelled conformation with care.",
                icon=":material/warning:",
            )
        st.dataframe(
            style_cdr_table(table), hide_index=True, key=f"{ns}-cdr-table", column_config=cdr_column_config(table)
        )
    st.download_button(
        "Download CDR table (CSV)",
        partial(csv_text, table),
        file_name="cdr_analysis.csv",
        mime="text/csv",
        key=f"{ns}-download-cdrs",
        icon=":material/download:",
        on_click="ignore",
    )


def render_model(model: ModelView, parsed: ParsedStructure, sides: ChainSides, ns: str, source: str) -> None:
    """The Structure view of one model, from any source: facts, 3D, per-residue confidence, CDRs."""
    assert model.structure is not None and model.confidence is not None
    confidence = model.confidence
    render_facts(model, parsed, source)
    spans, where = view(cdr_spans, model, parsed, sides.antibody, source)
    render_viewer_panel(parsed, model.structure, confidence, spans, sides.antibody, ns)
    d1, _ = st.columns(2)
    with d1:
        common.download_file(
            model.structure,
            key=f"{ns}-download",
            label=f"Download the structure ({'mmCIF' if model.structure.format == 'mmcif' else 'PDB'})",
        )
    render_confidence_plot(parsed, confidence, spans, ns, model.problems)
    render_cdr_table(spans, where, confidence, ns, model.unread.get("cdr_analysis", ()))


def render(job: JobView) -> None:
    """The service job's Structure tab: fetch its file (only now), then draw the model."""
    fetched = job.answer()
    result = job.structure_result
    if isinstance(result, Unparsed):
        render_unparsed(result, "the structure result")
        return
    if result is None:
        st.info("This job has no structure result.", icon=":material/info:")
        return
    render_variant_note(fetched, "structure")
    file = common.fetch(result.pdb_storage_path, "structure")
    parsed = common.parse(file) if file is not None else None
    if isinstance(result.per_residue_plddt, Unparsed):
        render_unparsed(result.per_residue_plddt, "per_residue_plddt")
    render_unread(result.unread.get("per_residue_plddt", ()), "chain(s) of per_residue_plddt")
    model = view(structure_model, result, file, parsed)
    if parsed is not None:
        render_model(model, parsed, common.chain_sides(parsed, job), SERVICE_NS, job.source)
    else:
        render_facts(model, None, job.source)
        if isinstance(result.cdr_analysis, list) and result.cdr_analysis:
            render_cdr_table(
                spans_from_api_without_file(result),
                "CDRs as given by the service (the file is unavailable).",
                None,
                SERVICE_NS,
                result.unread.get("cdr_analysis", ()),
            )
        else:
            render_unread(result.unread.get("cdr_analysis", ()), "CDR analysis row(s)")
    raw_expander(fetched.raw.get("structure_result"), "Raw JSON of the structure result", key=f"{SERVICE_NS}-raw")


def spans_from_api_without_file(result: StructureResultRow) -> list[CdrSpan]:
    """The service's CDR rows when the file could not be read (no residues to map them onto)."""
    return [
        CdrSpan(
            cdr=r.cdr or "?",
            chain=r.chain or "?",
            residues=(),
            sequence=r.sequence or "",
            canonical_class=r.canonical_class,
            mean_plddt=r.mean_plddt,
            start_label="" if r.start is None else str(r.start),
            end_label="" if r.end is None else str(r.end),
        )
        for r in result.cdr_analysis or []
    ]
