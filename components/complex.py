"""The Complex section: the antibody–antigen complex, its global confidence and its interface.

ipTM and confidence with their interpretation, per-chain pLDDT, the interface residues per chain
(from the service, or computed here from the file as the contract defines them), the 3D view with
both sides coloured apart and the interface side chains as sticks, and the downloads.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app.client import FetchedJob, StructureFile
from app.conventions import IPTM_ANTIBODY_CAVEAT, iptm_interpretation, plddt_band
from app.models import Unparsed
from app.models.contract import ComplexResultRow
from app.structure import (
    CUTOFF_A,
    ChainSides,
    ConfidenceKind,
    InterfaceResidue,
    ParsedStructure,
    ResidueConfidence,
    from_bfactors,
    split_sides,
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
from components import structure_colors as colors
from components import structure_common as common
from components.formatting import md_escape
from components.memo import view
from components.plddt_plot import build_chain_bar_figure
from components.raw_json import raw_expander, render_unparsed
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


@st.cache_data(show_spinner="Computing the interface…", max_entries=16)
def _computed_interface(
    text: str, fmt: str, antibody: tuple[str, ...], antigen: tuple[str, ...]
) -> list[InterfaceResidue]:
    sides = ChainSides(antibody, antigen, "", "")
    return compute_interface(read_gemmi(text, fmt), sides)


@st.cache_data(show_spinner="Finding the partners of the interface residues…", max_entries=16)
def _given_with_partners(
    text: str, fmt: str, antibody: tuple[str, ...], antigen: tuple[str, ...], residues: list[InterfaceResidue]
) -> list[InterfaceResidue]:
    sides = ChainSides(antibody, antigen, "", "")
    return with_partners(residues, read_gemmi(text, fmt), sides)


def _scores(result: ComplexResultRow) -> None:
    c1, c2, c3 = st.columns([1, 1, 1.6], border=True)
    with c1:
        st.metric(
            "ipTM",
            "—" if result.iptm is None else f"{result.iptm:.2f}",
            help="Interface predicted TM-score (AlphaFold 3 docs): > 0.8 confident, 0.6–0.8 grey zone, < 0.6 likely wrong.",
        )
        reading = iptm_interpretation(result.iptm)
        if result.iptm is not None:
            color = next((c for k, c in IPTM_BADGE.items() if reading.startswith(k)), "gray")
            st.markdown(f":{color}-badge[{md_escape(reading)}]")
        else:
            st.caption("not given by the service")
    with c2:
        st.metric(
            "Confidence",
            "—" if result.confidence_score is None else f"{result.confidence_score:.2f}",
            help="The service's confidence_score (0–1), used to rank models. For Boltz-2: 0.8 · complex pLDDT + 0.2 · ipTM.",
        )
        st.caption(
            "A ranking score of the model, not a pLDDT (pLDDT per chain and at the interface is below)."
            if result.confidence_score is not None
            else "not given by the service"
        )
    with c3:
        st.caption("Model used")
        st.markdown(f"**{md_escape(result.model_used)}**" if result.model_used else "not given")
        st.caption(md_escape(IPTM_ANTIBODY_CAVEAT))


SOURCE_SERVICE = "service (per_chain_plddt)"
SOURCE_FILE = "computed here from the file's B-factors"
FILE_DEFINITION = (
    "Computed here: the mean over the chain's residues of the pLDDT in the file's B-factor column "
    "(each residue's CA atom)."
)


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
            value, source = computed[chain], SOURCE_FILE
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


def _per_chain(
    result: ComplexResultRow,
    parsed: ParsedStructure | None,
    confidence: ResidueConfidence | None,
    kinds: dict[str, str],
    residues: list[InterfaceResidue],
) -> None:
    st.subheader("pLDDT per chain and at the interface", anchor=False)
    given = result.per_chain_plddt
    if isinstance(given, Unparsed):
        render_unparsed(given, "per_chain_plddt")
        given = None
    summary = build_plddt_summary(given, parsed, confidence, kinds, residues)
    if summary.absent:
        st.info(md_escape(summary.absent), icon=":material/info:")
        return
    if not summary.interface.empty:
        whole = summary.interface.iloc[0]
        cols = st.columns(len(summary.interface), border=True)
        for col, (_, row) in zip(cols, summary.interface.iterrows()):
            with col:
                st.metric(
                    f"Interface pLDDT · {row['Residues'].lower()}",
                    _fmt_plddt(row["Mean pLDDT"]),
                    help="Mean pLDDT over the interface residues listed above, from the file's B-factor column.",
                )
                band = plddt_band(None if pd.isna(row["Mean pLDDT"]) else row["Mean pLDDT"])
                st.caption(f"{row['Count']} residues" + (f" · {band.name.lower()}" if band else ""))
        st.caption(
            f"Interface pLDDT: computed here from the file's B-factors, the mean over the "
            f"{whole['Count']} interface residues (the service gives no interface pLDDT)."
        )
    plotted = {row["Chain"]: row["Mean pLDDT"] for _, row in summary.chains.iterrows()}
    st.plotly_chart(
        build_chain_bar_figure(plotted, {c: k for c, k in kinds.items() if c in plotted}),
        key="complex-chain-plot",
        config={"displaylogo": False},
    )
    st.dataframe(
        summary.chains,
        hide_index=True,
        key="complex-chain-plddt",
        column_config={
            "Mean pLDDT": st.column_config.NumberColumn(format="%.1f"),
            "Source": st.column_config.TextColumn(width="large"),
        },
    )
    if (summary.chains["Source"] == SOURCE_FILE).any():
        st.caption(FILE_DEFINITION)


def _interface(
    result: ComplexResultRow, file: StructureFile | None, parsed: ParsedStructure | None, sides: ChainSides | None
) -> list[InterfaceResidue]:
    st.subheader("Interface", anchor=False)
    given = result.interface_residues
    if isinstance(given, Unparsed):
        render_unparsed(given, "interface_residues")
        given = None
    residues: list[InterfaceResidue] = []
    if given and any(given.values()):
        labels = {chain: [str(x) for x in values if x is not None] for chain, values in given.items()}
        if parsed is not None and sides is not None:
            residues, missing = residues_from_labels(parsed, labels, sides)
            if file is not None and sides.antibody and sides.antigen:
                residues = _given_with_partners(file.text, file.format, sides.antibody, sides.antigen, residues)
            if missing:
                st.caption(
                    f"{len(missing)} residue label(s) of the service are not in the file: {md_escape(', '.join(missing[:12]))}"
                )
        else:
            blank = ChainSides((), tuple(labels), "none", "")
            residues = [
                InterfaceResidue(r.id, "", "") for r in residues_from_labels(ParsedStructure(()), labels, blank)[0]
            ]
        st.caption(
            "Interface residues as given by the service (interface_residues); their partners and distances "
            f"are found here in the file (heavy atoms within {CUTOFF_A:g} Å)."
        )
    elif parsed is not None and sides is not None and file is not None:
        if not sides.antibody or not sides.antigen:
            st.info(f"The interface cannot be computed: {md_escape(sides.detail)}", icon=":material/info:")
            return []
        residues = _computed_interface(file.text, file.format, sides.antibody, sides.antigen)
        st.info(
            f"The service gave no interface residues: they were **computed here** from the file — residues with a heavy "
            f"atom within {CUTOFF_A:g} Å of a heavy atom of the other side; waters and ligands excluded.",
            icon=":material/calculate:",
        )
    else:
        st.caption("No interface residues: the service gave none and the file is unavailable.")
        return []
    if sides is not None:
        st.caption(md_escape(sides.detail))
    table = build_interface_table(residues, parsed)
    st.dataframe(
        interface_summary(table, sides or ChainSides((), (), "none", "")),
        hide_index=True,
        key="complex-interface-summary",
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        key="complex-interface-table",
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
        table.to_csv(index=False),
        file_name="interface_residues.csv",
        mime="text/csv",
        key="complex-download-csv",
        icon=":material/download:",
    )
    return residues


@st.fragment  # a colour or style change reruns the viewer only, not the whole section
def _viewer(
    parsed: ParsedStructure,
    file: StructureFile,
    sides: ChainSides,
    kinds: dict[str, str],
    residues: list[InterfaceResidue],
    confidence: ResidueConfidence,
) -> None:
    view_col, side_col = st.columns([2.3, 1], gap="medium")
    framed = view(framed_residues, parsed, confidence)
    with side_col:
        modes = [m for m in COLOR_MODES if m != "pLDDT" or confidence.kind is ConfidenceKind.PLDDT]
        mode = st.radio("Colour by", modes, key="complex-color")
        style = st.radio("Style", STYLES, key="complex-style", horizontal=True, format_func=str.capitalize)
        show_sticks = st.toggle("Interface side chains as sticks", value=True, key="complex-sticks")
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
            file, key="complex-download", label=f"Download the complex ({'mmCIF' if file.format == 'mmcif' else 'PDB'})"
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
    text, fmt = viewer_text(file.text, file.format)
    spec = ViewerSpec(
        text,
        fmt,
        common.with_imgt_labels(table, parsed),
        style=style,
        sticks=sticks,
        focus=tuple((r.chain, r.label) for r in framed),
        camera_key=camera_key("complex", text),
        legend=legend,
        legend_title=title,
        title="3D structure of the antibody–antigen complex",
    )
    with view_col:
        render_viewer(spec, key="complex-viewer")


def render(fetched: FetchedJob) -> None:
    result = fetched.response.complex_result
    if isinstance(result, Unparsed):
        render_unparsed(result, "the complex result")
        return
    if result is None:
        st.info("This job has no complex result.", icon=":material/info:")
        return
    _scores(result)
    file = common.fetch(result.pdb_storage_path, "complex")
    parsed = common.parse(file) if file is not None else None
    sides = split_sides(parsed, common.job_sequences(fetched)) if parsed is not None else None
    confidence = view(from_bfactors, parsed, result.model_used) if parsed is not None else None
    kinds = view(chain_kinds, parsed, sides.antibody) if parsed is not None and sides is not None else {}
    residues: list[InterfaceResidue] = []
    if parsed is not None and sides is not None and file is not None and confidence is not None:
        placeholder = st.container()
        residues = _interface(result, file, parsed, sides)
        with placeholder:
            _viewer(parsed, file, sides, kinds, residues, confidence)
    else:
        _interface(result, None, None, None)
    _per_chain(result, parsed, confidence, kinds, residues)
    raw_expander(fetched.raw.get("complex_result"), "Raw JSON of the complex result", key="complex-raw")
