"""One model of a local run, drawn with the same Structure and Complex views as a service job, plus
what only runs have: the PAE (its box selection lights the residues in 3D) and the chain-pair table.

Every widget key starts with the model's namespace (`ns`), so two runs or models can share a page.
Builders are pure (`build_*`); `render_model` lays them out.
"""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from app.conventions import IPTM_ANTIBODY_CAVEAT
from app.exports import csv_text
from app.runs.scores import PAE_CUTOFF_A, PairScore, antibody_antigen_summary, chain_pair_table
from app.structure import CdrSpan, ChainSides, ParsedStructure, parse_structure, split_sides
from app.structure.chains import chain_kinds
from app.structure.interface import chain_pair_contacts
from app.structure.model import ResidueId
from app.structure.parse import read_gemmi
from app.view import JobView, ModelView
from components import complex as complex_section
from components import pae as pae_view
from components import structure
from components import structure_colors as colors
from components.formatting import md_escape
from components.memo import view

SELECTION_COLORS = {"aligned": "#1F5FAD", "scored": "#D9480F", "both": "#7C3AED", "rest": "#E5E7EB"}
SELECTION_MODE = "PAE selection"
MAX_STICKS = 200


def build_pair_table(rows: list[PairScore]) -> pd.DataFrame:
    """The chain × chain table (and its CSV): ipTM as the tool reports it, ipSAE and interface pLDDT from here."""
    return pd.DataFrame(
        [
            {
                "chain_1": r.chain_1,
                "chain_2": r.chain_2,
                "iptm": None if r.iptm is None else round(r.iptm, 3),
                "iptm_2_1": None if r.iptm_21 is None else round(r.iptm_21, 3),
                "ipsae": None if r.ipsae is None else round(r.ipsae, 4),
                "ipsae_1_2": None if r.ipsae_12 is None else round(r.ipsae_12, 4),
                "ipsae_2_1": None if r.ipsae_21 is None else round(r.ipsae_21, 4),
                "interface_plddt": None if r.interface_plddt is None else round(r.interface_plddt, 1),
                "interface_residues": r.interface_residues,
            }
            for r in rows
        ],
        columns=[
            "chain_1",
            "chain_2",
            "iptm",
            "iptm_2_1",
            "ipsae",
            "ipsae_1_2",
            "ipsae_2_1",
            "interface_plddt",
            "interface_residues",
        ],
    )


def build_other_scores(model: ModelView) -> pd.DataFrame:
    """Numbers the tool wrote beyond pTM/ipTM/ranking (Boltz-2's affinity heads, chain pTMs…), as it names them."""
    return pd.DataFrame(
        [{"Score": name, "Value": value} for name, value in model.scores.extra], columns=["Score", "Value"]
    )


def by_selection(
    parsed: ParsedStructure, aligned: tuple[ResidueId, ...], scored: tuple[ResidueId, ...]
) -> tuple[colors.Colors, colors.Legend]:
    """The residues of a PAE box selection: aligned (rows), scored (columns), both; the rest pale."""
    rows_set, cols_set = set(aligned), set(scored)
    table = []
    for chain in parsed.chains:
        for r in chain.residues:
            if r.id in rows_set and r.id in cols_set:
                role = "both"
            elif r.id in rows_set:
                role = "aligned"
            elif r.id in cols_set:
                role = "scored"
            else:
                role = "rest"
            info = "" if role == "rest" else f"PAE selection: {role}"
            table.append((r.chain, r.label, SELECTION_COLORS[role], info))
    legend = (
        (SELECTION_COLORS["aligned"], "Aligned (rows)"),
        (SELECTION_COLORS["scored"], "Scored (columns)"),
        (SELECTION_COLORS["both"], "Both"),
    )
    return tuple(table), legend


def _parsed(model: ModelView) -> ParsedStructure:
    assert model.structure is not None
    return parse_structure(model.structure.text, model.structure.format)


def _antibody_sides(parsed: ParsedStructure, ns: str) -> ChainSides:
    """The antibody chains: found by numbering, or as the user names them (designed binders)."""
    found = view(split_sides, parsed)
    names = parsed.chain_names
    default = [c for c in found.antibody if c in names]
    picked = tuple(
        st.multiselect(
            "Antibody chains",
            names,
            default=default,
            key=f"{ns}-antibody",
            help="Found by IMGT numbering (immunum). Set them yourself for designed binders or when numbering finds none.",
        )
    )
    if found.method == "numbering":
        found = ChainSides(
            found.antibody,
            found.antigen,
            found.method,
            f"Antibody chains {', '.join(found.antibody)}: they number as antibody variable domains (immunum).",
        )
        st.caption(md_escape(found.detail) + " CDRs: IMGT definition, numbered here.")
    else:
        st.caption(
            "No chain numbers as an antibody variable domain: pick the antibody (or binder) chains to name the interface."
        )
    antigen = tuple(n for n in names if n not in picked)
    if list(picked) == default:
        return ChainSides(picked, antigen, found.method, found.detail)
    detail = f"Antibody chains {', '.join(picked)}, as picked on this page." if picked else "No antibody chain picked."
    return ChainSides(picked, antigen, "user", detail)


def _span_cache(model: ModelView, parsed: ParsedStructure) -> dict[tuple[str, ...], tuple[list[CdrSpan], str]]:
    return {}


def _cdr_spans(model: ModelView, parsed: ParsedStructure, antibody: tuple[str, ...]) -> tuple[list[CdrSpan], str]:
    """IMGT CDRs of the antibody chains, numbered once per (model, chain choice)."""
    cache = view(_span_cache, model, parsed)
    if antibody not in cache:
        if antibody:
            cache[antibody] = structure.cdr_spans(model, parsed, antibody, "local")
        else:
            cache[antibody] = ([], "No antibody chain is named, so no CDRs are marked.")
    return cache[antibody]


def _contacts(model: ModelView) -> dict[tuple[str, str], set[ResidueId]]:
    assert model.structure is not None
    return chain_pair_contacts(read_gemmi(model.structure.text, model.structure.format))


def _render_pairs(model: ModelView, parsed: ParsedStructure, antibody: tuple[str, ...], ns: str) -> None:
    st.subheader("Chain-pair confidence", anchor=False)
    cutoff = st.number_input(
        "ipSAE PAE cutoff (Å)",
        min_value=1.0,
        max_value=30.0,
        value=PAE_CUTOFF_A,
        step=1.0,
        key=f"{ns}-cutoff",
        help="Dunbrack 2025 recommends 10 Å for AlphaFold 3 and Boltz; its AlphaFold2 example uses 15 Å.",
        width=220,
    )
    rows = chain_pair_table(
        parsed.chain_names, model.pae, model.pair_iptm, view(_contacts, model), model.confidence, float(cutoff)
    )
    if not rows:
        st.info("The model has a single chain: no chain pairs.", icon=":material/info:")
        return
    summary = antibody_antigen_summary(rows, antibody, float(cutoff))
    if summary:
        st.markdown(md_escape(summary))
        st.caption(md_escape(IPTM_ANTIBODY_CAVEAT))
    table = build_pair_table(rows)
    st.dataframe(
        table,
        hide_index=True,
        key=f"{ns}-pairs",
        column_config={
            "iptm": st.column_config.NumberColumn(
                "ipTM (tool)", format="%.2f", help="chain_1 → chain_2 as the tool reports it"
            ),
            "iptm_2_1": st.column_config.NumberColumn(
                "ipTM 2→1", format="%.2f", help="Boltz's pair ipTM is not symmetric"
            ),
            "ipsae": st.column_config.NumberColumn("ipSAE (here)", format="%.3f", help="max of both directions"),
            "ipsae_1_2": st.column_config.NumberColumn("ipSAE 1→2", format="%.3f"),
            "ipsae_2_1": st.column_config.NumberColumn("ipSAE 2→1", format="%.3f"),
            "interface_plddt": st.column_config.NumberColumn("Interface pLDDT", format="%.1f"),
            "interface_residues": st.column_config.NumberColumn("Interface residues"),
        },
    )
    source = f"PAE from {model.pae.source}" if model.pae and model.pae.usable else "no usable PAE: no ipSAE"
    st.caption(
        f"ipTM: as written by the tool. ipSAE: computed here (DunbrackLab/IPSAE definition, d0 from the residues under "
        f"the cutoff, {cutoff:g} Å), {md_escape(source)}. Interface: residues with a heavy atom within 4.5 Å of the other chain."
    )
    st.download_button(
        "Download chain pairs (CSV)",
        partial(csv_text, table),
        file_name="chain_pairs.csv",
        mime="text/csv",
        key=f"{ns}-pairs-csv",
        icon=":material/download:",
        on_click="ignore",
    )


def _render_pae(model: ModelView, spans: list[CdrSpan], ns: str) -> pae_view.PaeSelection | None:
    st.subheader("Predicted aligned error", anchor=False)
    pae = model.pae
    if pae is None:
        st.info("This model has no PAE file.", icon=":material/info:")
        return None
    if not pae.usable:
        st.warning(md_escape(pae.problem), icon=":material/warning:")
        return None
    fig = pae_view.cached_pae_figure(pae, tuple(spans))
    event = st.plotly_chart(
        fig,
        key=f"{ns}-pae",
        on_select="rerun",
        selection_mode="box",
        config={"displaylogo": False},
    )
    try:
        boxes = list(event["selection"]["box"]) if event is not None else []
    except (KeyError, TypeError):
        boxes = []
    selection = pae_view.selection_from_box(pae, boxes[-1]) if boxes else None
    factor = -(-pae.size // pae_view.MAX_IMAGE_SIDE)
    note = f" The image averages {factor}×{factor} blocks." if factor > 1 else ""
    st.caption(
        f"From {md_escape(pae.source)}: {pae.size} tokens (one per residue, one per ligand/ion heavy atom), 0–30 Å, "
        f"green = low error. Lines: chain boundaries; coloured bars: CDRs (IMGT, the 3D view's CDR colours).{note} Drag a box to select residue pairs."
    )
    if selection is not None and pae.tokens:
        st.markdown("**Selection.** " + md_escape(pae_view.describe_selection(selection, pae.tokens)))
    return selection


def _selection_colouring(
    parsed: ParsedStructure, selection: pae_view.PaeSelection | None
) -> structure.ExtraColouring | None:
    if selection is None:
        return None
    table, legend = by_selection(parsed, selection.aligned, selection.scored)
    picked = list(dict.fromkeys(selection.aligned + selection.scored))
    sticks = tuple((r.chain, r.label) for r in picked[:MAX_STICKS])
    signature = (selection.rows[0], selection.rows[-1], selection.cols[0], selection.cols[-1])
    return structure.ExtraColouring(SELECTION_MODE, table, legend, sticks, signature)


def _render_other_scores(model: ModelView) -> None:
    if not model.scores.extra:
        return
    with st.expander(f"Other scores the tool wrote ({len(model.scores.extra)})"):
        st.dataframe(
            build_other_scores(model),
            hide_index=True,
            column_config={"Value": st.column_config.NumberColumn(format="%.3f")},
        )
        st.caption(
            "As the tool names them, unchanged. Boltz-2's affinity: log10(IC50) in µM (lower binds tighter) and the "
            "probability that the ligand binds; only for a small-molecule ligand, never an antibody–protein affinity."
        )


def render_model(job: JobView, model: ModelView, ns: str) -> None:
    """Everything one model shows; problems first, each in a sentence, then what could be read."""
    for problem in model.problems:
        st.warning(md_escape(problem), icon=":material/warning:")
    if model.structure is None or model.confidence is None:
        st.error("The model's structure could not be read, so nothing else of it is shown.", icon=":material/error:")
        return
    confidence = model.confidence
    parsed = _parsed(model)
    structure.render_facts(model, parsed, job.source)
    _render_other_scores(model)
    sides = _antibody_sides(parsed, ns)
    spans, where = _cdr_spans(model, parsed, sides.antibody)
    left, right = st.columns([1.05, 1], gap="medium")
    with right:
        selection = _render_pae(model, spans, ns)
    with left:
        st.subheader("3D structure", anchor=False)
        structure.render_viewer_panel(
            parsed,
            model.structure,
            confidence,
            spans,
            sides.antibody,
            ns,
            extra=_selection_colouring(parsed, selection),
            compact=True,
        )
    _render_pairs(model, parsed, sides.antibody, ns)
    if sides.antibody and sides.antigen:
        residues = complex_section.render_interface(model, parsed, sides, ns, job.source)
        kinds = view(chain_kinds, parsed, sides.antibody)
        complex_section.render_chain_plddt(model, parsed, kinds, residues, ns, job.source)
    structure.render_confidence_plot(parsed, confidence, spans, ns)
    structure.render_cdr_table(spans, where, confidence, ns)
    st.caption("Files read: " + md_escape(", ".join(model.files)))
