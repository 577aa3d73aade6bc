"""The Complex section: the antibody–antigen complex, its global confidence and its interface.

ipTM and confidence with their interpretation, per-chain pLDDT, the interface residues per chain
(from the service, or computed here from the file as the contract defines them), the 3D view with
both sides coloured apart and the interface side chains as sticks, and the downloads.
"""

from __future__ import annotations

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
    from_bfactors,
    split_sides,
    viewer_text,
)
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
from components.plddt_plot import build_chain_bar_figure
from components.raw_json import raw_expander, render_unparsed
from components.viewer import STYLES, ViewerSpec, render_viewer

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
            help="The service's confidence_score (0–1). For Boltz-2: 0.8 · complex pLDDT + 0.2 · ipTM.",
        )
        band = plddt_band(None if result.confidence_score is None else result.confidence_score * 100)
        st.caption(f"pLDDT band: {band.name}" if band else "not given by the service")
    with c3:
        st.caption("Model used")
        st.markdown(f"**{md_escape(result.model_used)}**" if result.model_used else "not given")
        st.caption(md_escape(IPTM_ANTIBODY_CAVEAT))


def _per_chain(result: ComplexResultRow, sides: ChainSides | None) -> None:
    per_chain = result.per_chain_plddt
    st.subheader("Per-chain pLDDT", anchor=False)
    if isinstance(per_chain, Unparsed):
        render_unparsed(per_chain, "per_chain_plddt")
        return
    if not per_chain or all(v is None for v in per_chain.values()):
        st.caption("The service gave no per-chain pLDDT (for an experimental structure there is none).")
        return
    side_of = {c: sides.side(c) for c in per_chain} if sides else None
    st.plotly_chart(build_chain_bar_figure(per_chain, side_of), key="complex-chain-plot", config={"displaylogo": False})


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
    residues: list[InterfaceResidue],
    model_used: str | None,
) -> None:
    confidence = from_bfactors(parsed, model_used)
    view_col, side_col = st.columns([2.3, 1], gap="medium")
    with side_col:
        modes = [m for m in COLOR_MODES if m != "pLDDT" or confidence.kind is ConfidenceKind.PLDDT]
        mode = st.radio("Colour by", modes, key="complex-color")
        style = st.radio("Style", STYLES, key="complex-style", horizontal=True, format_func=str.capitalize)
        show_sticks = st.toggle("Interface side chains as sticks", value=True, key="complex-sticks")
        if confidence.kind is not ConfidenceKind.PLDDT:
            st.caption(md_escape(confidence.note))
        st.caption("Hover a residue for its chain, name, number and side; drag to rotate, scroll to zoom.")
        common.download_file(
            file, key="complex-download", label=f"Download the complex ({'mmCIF' if file.format == 'mmcif' else 'PDB'})"
        )
    interface_ids = {r.id for r in residues}
    shown_confidence = confidence if confidence.kind in (ConfidenceKind.PLDDT, ConfidenceKind.PREDICTED_ERROR) else None
    if mode == "pLDDT":
        table, legend = colors.by_plddt(parsed, confidence)
        title = "Model confidence"
    elif mode == "Chain":
        table, legend = colors.by_chain(parsed, shown_confidence)
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
    if parsed is not None and sides is not None and file is not None:
        placeholder = st.container()
        residues = _interface(result, file, parsed, sides)
        with placeholder:
            _viewer(parsed, file, sides, residues, result.model_used)
    else:
        _interface(result, None, None, None)
    _per_chain(result, sides)
    raw_expander(fetched.raw.get("complex_result"), "Raw JSON of the complex result", key="complex-raw")
