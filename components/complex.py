"""The Complex section: the antibody–antigen complex, its global confidence and its interface.

ipTM and confidence with their interpretation, per-chain pLDDT, the interface residues per chain
(from the service, or computed here from the file as the contract defines them), the 3D view with
both sides coloured apart and the interface side chains as sticks, and the downloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial

import pandas as pd
import streamlit as st

from app.conventions import IPTM_ANTIBODY_CAVEAT, iptm_interpretation, plddt_band
from app.exports import csv_text
from app.models import Unparsed
from app.service_view import SERVICE, complex_model
from app.structure import (
    CUTOFF_A,
    ChainSides,
    ConfidenceKind,
    InterfaceResidue,
    ParsedStructure,
    ResidueConfidence,
    viewer_text,
)
from app.structure.chains import chain_kinds
from app.structure.confidence import FRAME_MIN_PLDDT, FRAME_TAIL_PLDDT, chain_means, framed_residues, mean_over
from app.structure.interface import (
    compute_interface,
    interface_summary,
    interface_table,
    residues_from_labels,
    with_partners,
)
from app.structure.parse import read_gemmi
from app.view import GlobalScores, JobView, ModelView, StructureText
from components import structure_colors as colors
from components import structure_common as common
from components.formatting import md_escape
from components.memo import view
from components.plddt_plot import build_chain_bar_figure
from components.raw_json import raw_expander, render_unparsed, render_unread
from components.viewer import STYLES, ViewerSpec, camera_key, render_viewer

COLOR_MODES = ("Interface", "Chain", "pLDDT")
INTERFACE_COLUMN_CONFIG = {  # narrow fixed columns leave the partner list the room (1280 px screens included)
    "chain": st.column_config.TextColumn("chain", width=50),
    "residue": st.column_config.TextColumn("residue", width=60, help="Number with insertion code, as in the file"),
    "residue_name": st.column_config.TextColumn("name", width=55),
    "chain_type": st.column_config.TextColumn("chain type", width=85),
    "region_imgt": st.column_config.TextColumn("region (IMGT)", width=85, help="CDR or framework, IMGT definition"),
    "cdr_under": st.column_config.TextColumn(
        "CDR under", width=105, help="The CDR definitions (IMGT, Kabat, Chothia, North) that put the residue in a CDR"
    ),
    "n_partners": st.column_config.NumberColumn("partners", width=60, help="Residues of the other side within 4.5 Å"),
    "closest_A": st.column_config.NumberColumn("closest (Å)", width=70, format="%.1f"),
    "partners": st.column_config.TextColumn(
        "partners (chain:residue distance)", width=250, help="Closest first; closest heavy-atom distance in Å"
    ),
}
INTERFACE_ROW_HEIGHT = 76  # above 4 rem Streamlit wraps text cells: three lines, long partner lists read whole
IPTM_BADGE = {"confident": "green", "grey zone": "gray", "likely wrong": "red"}


def build_interface_table(residues: list[InterfaceResidue], parsed: ParsedStructure | None) -> pd.DataFrame:
    """One row per interface residue (chain type, region, partners with distances): the table and the CSV."""
    return interface_table(residues, parsed)


@lru_cache(maxsize=16)  # by content: the same file and sides give the same residues, whoever asks
def _computed_interface(
    text: str, fmt: str, antibody: tuple[str, ...], antigen: tuple[str, ...]
) -> list[InterfaceResidue]:
    sides = ChainSides(antibody, antigen, "", "")
    return compute_interface(read_gemmi(text, fmt), sides)


@lru_cache(maxsize=16)  # by content, as _computed_interface
def _given_with_partners(
    text: str, fmt: str, antibody: tuple[str, ...], antigen: tuple[str, ...], residues: tuple[InterfaceResidue, ...]
) -> list[InterfaceResidue]:
    sides = ChainSides(antibody, antigen, "", "")
    return with_partners(list(residues), read_gemmi(text, fmt), sides)


def _scores(scores: GlobalScores, model_used: str) -> None:
    c1, c2, c3 = st.columns([1, 1, 1.6], border=True)
    with c1:
        st.metric(
            "ipTM",
            "—" if scores.iptm is None else f"{scores.iptm:.2f}",
            help="Interface predicted TM-score (AlphaFold 3 docs): > 0.8 confident, 0.6–0.8 grey zone, < 0.6 likely wrong.",
        )
        reading = iptm_interpretation(scores.iptm)
        if scores.iptm is not None:
            color = next((c for k, c in IPTM_BADGE.items() if reading.startswith(k)), "gray")
            st.markdown(f":{color}-badge[{md_escape(reading)}]")
        else:
            st.caption("not given by the service")
    with c2:
        st.metric(
            "Confidence",
            "—" if scores.ranking_score is None else f"{scores.ranking_score:.2f}",
            help="The service's confidence_score (0–1), used to rank models. For Boltz-2: 0.8 · complex pLDDT + 0.2 · ipTM.",
        )
        st.caption(
            "A ranking score of the model, not a pLDDT (pLDDT per chain and at the interface is below)."
            if scores.ranking_score is not None
            else "not given by the service"
        )
    with c3:
        st.caption("Model used")
        st.markdown(f"**{md_escape(model_used)}**" if model_used else "not given")
        st.caption(md_escape(IPTM_ANTIBODY_CAVEAT))


SOURCE_SERVICE = "service (per_chain_plddt)"
SOURCE_FILE = "computed here from the file's B-factors"
SOURCE_RUN = "computed here from the run's per-residue pLDDT"
FILE_DEFINITION = (
    "Computed here: the mean over the chain's residues of the pLDDT in the file's B-factor column "
    "(each residue's CA atom)."
)
RUN_DEFINITION = (
    "Computed here: the mean over the chain's residues of the per-residue pLDDT the tool wrote "
    "(the file named under Per-residue confidence)."
)
SERVICE_NS = "complex"  # widget keys of the job page's Complex tab (one job per page)


def computed_origin(confidence: ResidueConfidence | None) -> str:
    """Where a pLDDT computed here comes from: the structure file's B-factors, or the run's own pLDDT file."""
    if confidence is not None and confidence.source == "file" and "B-factor" not in confidence.note:
        return SOURCE_RUN
    return SOURCE_FILE


@dataclass(frozen=True)
class PlddtSummary:
    """Per-chain and interface pLDDT, each figure with where it came from; or why there is none."""

    chains: pd.DataFrame  # Chain, Kind, Mean pLDDT, Source
    interface: pd.DataFrame  # Residues (whole interface, antibody side, antigen side), Count, Mean pLDDT
    absent: str  # "" when there are figures, else the reason there is no pLDDT


def build_plddt_summary(
    given: dict[str, float | None] | None,
    parsed: ParsedStructure | None,
    confidence: ResidueConfidence | None,
    kinds: dict[str, str],
    residues: list[InterfaceResidue],
) -> PlddtSummary:
    """The service's per-chain pLDDT where it gives one; otherwise the mean of the file's pLDDT
    (B-factor column) when the file holds pLDDT; the interface pLDDT is the mean over the interface
    residues (computed here: the contract has no field for it)."""
    given = {c: v for c, v in (given or {}).items() if v is not None}
    plddt = confidence if confidence is not None and confidence.is_plddt and parsed is not None else None
    computed = chain_means(parsed, plddt) if parsed is not None and plddt is not None else {}
    names = list(dict.fromkeys([*(parsed.chain_names if parsed else []), *given]))
    rows = []
    for chain in names:
        if chain in given:
            value, source = given[chain], SOURCE_SERVICE
        elif computed.get(chain) is not None:
            value, source = computed[chain], computed_origin(plddt)
        else:
            value, source = None, "—"
        rows.append({"Chain": chain, "Kind": kinds.get(chain, ""), "Mean pLDDT": value, "Source": source})
    chains = pd.DataFrame(rows, columns=["Chain", "Kind", "Mean pLDDT", "Source"])
    interface_rows = []
    if plddt is not None and residues:
        for what, picked in (
            ("Whole interface", residues),
            ("Antibody side", [r for r in residues if r.side == "antibody"]),
            ("Antigen side", [r for r in residues if r.side == "antigen"]),
        ):
            value = mean_over(plddt, {r.id for r in picked})
            interface_rows.append({"Residues": what, "Count": len(picked), "Mean pLDDT": value})
    interface = pd.DataFrame(interface_rows, columns=["Residues", "Count", "Mean pLDDT"])
    absent = ""
    if chains["Mean pLDDT"].isna().all():
        if confidence is None:
            absent = "The service gave no per-chain pLDDT, and without the file none can be computed."
        else:
            absent = (
                f"The service gave no per-chain pLDDT, and the file holds none to compute it from. {confidence.note}"
            )
    return PlddtSummary(chains, interface, absent)


def _fmt_plddt(value: object) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.1f}"


def render_chain_plddt(
    model: ModelView,
    parsed: ParsedStructure | None,
    kinds: dict[str, str],
    residues: list[InterfaceResidue],
    ns: str,
    source: str,
) -> None:
    """Per-chain pLDDT (the source's where it gives it, else computed here) and the interface pLDDT."""
    st.subheader("pLDDT per chain and at the interface", anchor=False)
    given = model.given_chain_plddt
    confidence = model.confidence
    summary = build_plddt_summary(dict(given) if given else None, parsed, confidence, kinds, residues)
    if summary.absent:
        st.info(md_escape(summary.absent), icon=":material/info:")
        return
    origin = computed_origin(confidence)
    if not summary.interface.empty:
        whole = summary.interface.iloc[0]
        cols = st.columns(len(summary.interface), border=True)
        for col, (_, row) in zip(cols, summary.interface.iterrows()):
            with col:
                st.metric(
                    f"Interface pLDDT · {row['Residues'].lower()}",
                    _fmt_plddt(row["Mean pLDDT"]),
                    help=f"Mean pLDDT over the interface residues listed above, {origin}.",
                )
                band = plddt_band(None if pd.isna(row["Mean pLDDT"]) else row["Mean pLDDT"])
                st.caption(f"{row['Count']} residues" + (f" · {band.name.lower()}" if band else ""))
        st.caption(
            f"Interface pLDDT: {origin}, the mean over the {whole['Count']} interface residues"
            + (" (the service gives no interface pLDDT)." if source == SERVICE else ".")
        )
    plotted = {row["Chain"]: row["Mean pLDDT"] for _, row in summary.chains.iterrows()}
    st.plotly_chart(
        build_chain_bar_figure(plotted, {c: k for c, k in kinds.items() if c in plotted}),
        key=f"{ns}-chain-plot",
        config={"displaylogo": False},
    )
    st.dataframe(
        summary.chains,
        hide_index=True,
        key=f"{ns}-chain-plddt",
        column_config={
            "Mean pLDDT": st.column_config.NumberColumn(format="%.1f"),
            "Source": st.column_config.TextColumn(width="large"),
        },
    )
    if (summary.chains["Source"] == SOURCE_FILE).any():
        st.caption(FILE_DEFINITION)
    elif (summary.chains["Source"] == SOURCE_RUN).any():
        st.caption(RUN_DEFINITION)


@dataclass(frozen=True)
class FoundInterface:
    """The interface residues of a model and where they came from; `why_none` when there are none."""

    residues: list[InterfaceResidue]
    origin: str  # "given" (by the source), "computed" (here, from the file), or "" (none)
    missing: list[str]  # labels the source gave that are not in the file
    why_none: str = ""


def find_interface(model: ModelView, parsed: ParsedStructure | None, sides: ChainSides | None) -> FoundInterface:
    """The interface as the Complex view shows it: the source's residue labels (with their partners
    found here in the file), else residues with a heavy atom within 4.5 Å of the other side."""
    structure = model.structure
    labels = dict(model.given_interface or {})
    if labels and any(labels.values()):
        if parsed is None or sides is None:
            blank = ChainSides((), tuple(labels), "none", "")
            ids = residues_from_labels(ParsedStructure(()), labels, blank)[0]
            return FoundInterface([InterfaceResidue(r.id, "", "") for r in ids], "given", [])
        residues, missing = residues_from_labels(parsed, labels, sides)
        if structure is not None and sides.antibody and sides.antigen:
            residues = _given_with_partners(
                structure.text, structure.format, sides.antibody, sides.antigen, tuple(residues)
            )
        return FoundInterface(residues, "given", missing)
    if parsed is None or sides is None or structure is None:
        return FoundInterface([], "", [], "the service gave none and the file is unavailable")
    if not sides.antibody or not sides.antigen:
        return FoundInterface([], "", [], sides.detail)
    residues = _computed_interface(structure.text, structure.format, sides.antibody, sides.antigen)
    return FoundInterface(residues, "computed", [])


def render_interface(
    model: ModelView, parsed: ParsedStructure | None, sides: ChainSides | None, ns: str, source: str
) -> list[InterfaceResidue]:
    """The interface residues with their partners: as the source gives them, else computed here."""
    st.subheader("Interface", anchor=False)
    render_unread(model.unread.get("interface_residues", ()), "interface residue label(s)")
    found = view(find_interface, model, parsed, sides)
    residues = found.residues
    if found.origin == "given":
        if found.missing:
            st.caption(
                f"{len(found.missing)} residue label(s) of the service are not in the file: "
                f"{md_escape(', '.join(found.missing[:12]))}"
            )
        st.caption(
            "Interface residues as given by the service (interface_residues); their partners and distances "
            f"are found here in the file (heavy atoms within {CUTOFF_A:g} Å)."
        )
    elif found.origin == "computed":
        lead = "The service gave no interface residues: they were" if source == SERVICE else "Interface residues"
        st.info(
            f"{lead} **computed here** from the model's file — residues with a heavy atom within {CUTOFF_A:g} Å of "
            "a heavy atom of the other side; waters and ligands excluded.",
            icon=":material/calculate:",
        )
    elif parsed is not None:  # the file was read: the sides are what is missing
        st.info(f"The interface cannot be computed: {md_escape(found.why_none)}", icon=":material/info:")
        return []
    else:
        st.caption(f"No interface residues: {md_escape(found.why_none)}.")
        return []
    if sides is not None:
        st.caption(md_escape(sides.detail))
    table = build_interface_table(residues, parsed)
    st.dataframe(
        interface_summary(table, sides or ChainSides((), (), "none", "")),
        hide_index=True,
        key=f"{ns}-interface-summary",
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key=f"{ns}-interface-table",
        column_config=INTERFACE_COLUMN_CONFIG,
        row_height=INTERFACE_ROW_HEIGHT,
        height=min(40 + INTERFACE_ROW_HEIGHT * len(table), 40 + INTERFACE_ROW_HEIGHT * 8),
    )
    st.caption(
        "One row per interface residue. chain_type and region_imgt come from numbering each antibody chain here "
        "with immunum (IMGT CDR definition); cdr_under lists every definition (IMGT, Kabat, Chothia, North) that "
        "puts the residue in a CDR. partners: residues of the other side with a heavy atom within "
        f"{CUTOFF_A:g} Å (one-letter code, number as in the file), closest heavy-atom distance, closest first."
    )
    st.download_button(
        "Download interface residues (CSV)",
        partial(csv_text, table),
        file_name="interface_residues.csv",
        mime="text/csv",
        key=f"{ns}-download-csv",
        icon=":material/download:",
        on_click="ignore",
    )
    return residues


@st.fragment  # a colour or style change reruns the viewer only, not the whole section
def _viewer(
    parsed: ParsedStructure,
    structure: StructureText,
    sides: ChainSides,
    kinds: dict[str, str],
    residues: list[InterfaceResidue],
    confidence: ResidueConfidence,
    ns: str,
) -> None:
    view_col, side_col = st.columns([2.3, 1], gap="medium")
    framed = view(framed_residues, parsed, confidence)
    with side_col:
        modes = [m for m in COLOR_MODES if m != "pLDDT" or confidence.kind is ConfidenceKind.PLDDT]
        mode = st.radio("Colour by", modes, key=f"{ns}-color")
        style = st.radio("Style", STYLES, key=f"{ns}-style", horizontal=True, format_func=str.capitalize)
        show_sticks = st.toggle("Interface side chains as sticks", value=True, key=f"{ns}-sticks")
        if confidence.kind is not ConfidenceKind.PLDDT:
            st.caption(md_escape(confidence.note))
        if framed:
            st.caption(
                f"Framed on the {len(framed)} of {parsed.n_residues} residues with pLDDT ≥ {FRAME_MIN_PLDDT:g} "
                f"(without chain ends below {FRAME_TAIL_PLDDT:g}): disordered tails are drawn but do not set the zoom."
            )
        st.caption(
            "Hover a residue for its chain, name, number and side; drag to rotate, scroll to zoom. "
            "The view is kept when you change colour or style."
        )
        common.download_file(
            structure,
            key=f"{ns}-download",
            label=f"Download the complex ({'mmCIF' if structure.format == 'mmcif' else 'PDB'})",
        )
    interface_ids = {r.id for r in residues}
    shown_confidence = confidence if confidence.kind in (ConfidenceKind.PLDDT, ConfidenceKind.PREDICTED_ERROR) else None
    if mode == "pLDDT":
        table, legend = view(colors.by_plddt, parsed, confidence)
        title = "Model confidence"
    elif mode == "Chain":
        table, legend = view(colors.by_chain, parsed, shown_confidence, kinds)
        title = "Chains"
    else:
        table, legend = colors.by_interface(parsed, sides, interface_ids, shown_confidence)
        title = ""
    sticks = tuple((r.id.chain, r.id.label) for r in residues) if show_sticks else ()
    text, fmt = viewer_text(structure.text, structure.format)
    spec = ViewerSpec(
        text,
        fmt,
        common.with_imgt_labels(table, parsed),
        style=style,
        sticks=sticks,
        focus=tuple((r.chain, r.label) for r in framed),
        camera_key=camera_key(ns, text),
        legend=legend,
        legend_title=title,
        title="3D structure of the antibody–antigen complex",
    )
    with view_col:
        render_viewer(spec, key=f"{ns}-viewer")


def render_model(
    model: ModelView, parsed: ParsedStructure, sides: ChainSides, ns: str, source: str
) -> list[InterfaceResidue]:
    """The Complex view of one model, from any source: 3D by side, the interface, pLDDT per chain and at
    the interface. Returns the interface residues."""
    assert model.structure is not None and model.confidence is not None
    kinds = view(chain_kinds, parsed, sides.antibody)
    placeholder = st.container()
    residues = render_interface(model, parsed, sides, ns, source)
    with placeholder:
        _viewer(parsed, model.structure, sides, kinds, residues, model.confidence, ns)
    render_chain_plddt(model, parsed, kinds, residues, ns, source)
    return residues


def render(job: JobView) -> None:
    """The service job's Complex tab: its scores, then (once the file is fetched) the model."""
    fetched = job.answer()
    result = job.complex_result
    if isinstance(result, Unparsed):
        render_unparsed(result, "the complex result")
        return
    if result is None:
        st.info("This job has no complex result.", icon=":material/info:")
        return
    scores = GlobalScores(iptm=result.iptm, ranking_score=result.confidence_score)
    _scores(scores, result.model_used or "")  # before the file is fetched: the service's own numbers first
    file = common.fetch(result.pdb_storage_path, "complex")
    parsed = common.parse(file) if file is not None else None
    if isinstance(result.per_chain_plddt, Unparsed):
        render_unparsed(result.per_chain_plddt, "per_chain_plddt")
    model = view(complex_model, result, file, parsed)
    if parsed is not None:
        render_model(model, parsed, common.chain_sides(parsed, job), SERVICE_NS, job.source)
    else:
        render_interface(model, None, None, SERVICE_NS, job.source)
        render_chain_plddt(model, None, {}, [], SERVICE_NS, job.source)
    raw_expander(fetched.raw.get("complex_result"), "Raw JSON of the complex result", key=f"{SERVICE_NS}-raw")
