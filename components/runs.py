"""One model of a local run, drawn with the dashboard's own pieces: the 3D viewer, the pLDDT
charts, the CDR table, plus the PAE view and the chain-pair table of runs.

Every widget key starts with the model's namespace (`ns`), so two runs or models can share a page.
Builders are pure (`build_*`); `render_model` lays them out.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.conventions import IPTM_ANTIBODY_CAVEAT, PLDDT_RULE, iptm_interpretation
from app.runs.scores import PAE_CUTOFF_A, PairScore, antibody_antigen_summary, chain_pair_table, pair_contacts
from app.structure import (
    CdrSpan,
    ParsedStructure,
    ResidueConfidence,
    parse_structure,
    spans_from_numbering,
    split_sides,
)
from app.structure.chains import chain_kinds
from app.structure.confidence import chain_means, framed_residues
from app.structure.model import ResidueId
from app.structure.parse import read_gemmi, viewer_text
from app.view import ModelView
from components import pae as pae_view
from components import structure_colors as colors
from components import structure_common as common
from components.formatting import md_escape
from components.memo import view
from components.plddt_plot import build_chain_bar_figure, cached_residue_figure
from components.structure import build_cdr_table, style_cdr_table
from components.viewer import STYLES, ViewerSpec, camera_key, render_viewer

COLOR_MODES = ("pLDDT", "Chain", "Region (CDRs)", "PAE selection")
SELECTION_COLORS = {"aligned": "#1F5FAD", "scored": "#D9480F", "both": "#7C3AED", "rest": "#E5E7EB"}
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


def _facts(model: ModelView, parsed: ParsedStructure, tool: str) -> None:
    s = model.scores
    c1, c2, c3, c4 = st.columns(4, border=True)
    with c1:
        st.metric("pTM", "—" if s.ptm is None else f"{s.ptm:.2f}", help="As the tool reports it (0–1).")
    with c2:
        st.metric("ipTM", "—" if s.iptm is None else f"{s.iptm:.2f}", help=IPTM_ANTIBODY_CAVEAT)
        if s.iptm is not None:
            st.caption(md_escape(iptm_interpretation(s.iptm)))
    with c3:
        if s.ranking_score is not None:
            st.metric(md_escape(s.ranking_name or "ranking score"), f"{s.ranking_score:.2f}")
        elif s.complex_plddt is not None:
            st.metric("Complex pLDDT", f"{s.complex_plddt:.1f}")
        else:
            st.metric("Ranking score", "—")
        if s.complex_plddt is not None and s.ranking_score is not None:
            st.caption(f"complex pLDDT {s.complex_plddt:.1f}")
    with c4:
        st.metric("Chains · residues", f"{len(parsed.chains)} · {parsed.n_residues}")
        st.caption(" · ".join(f"{md_escape(c.name)}: {len(c)}" for c in parsed.chains)[:300])


def _antibody_chains(parsed: ParsedStructure, ns: str) -> tuple[str, ...]:
    sides = view(split_sides, parsed)
    names = parsed.chain_names
    picked = st.multiselect(
        "Antibody chains",
        names,
        default=[c for c in sides.antibody if c in names],
        key=f"{ns}-antibody",
        help="Found by IMGT numbering (immunum). Set them yourself for designed binders or when numbering finds none.",
    )
    if sides.method == "numbering":
        st.caption(md_escape(sides.detail) + " CDRs: IMGT definition, numbered here.")
    else:
        st.caption(
            "No chain numbers as an antibody variable domain: pick the antibody (or binder) chains to name the interface."
        )
    return tuple(picked)


def _span_cache(parsed: ParsedStructure, confidence: ResidueConfidence) -> dict[tuple[str, ...], list[CdrSpan]]:
    return {}


def _cdr_spans(parsed: ParsedStructure, confidence: ResidueConfidence, antibody: tuple[str, ...]) -> list[CdrSpan]:
    """IMGT CDRs of the antibody chains, numbered once per (model, chain choice)."""
    cache = view(_span_cache, parsed, confidence)
    if antibody not in cache:
        cache[antibody] = spans_from_numbering(parsed, antibody, confidence) if antibody else []
    return cache[antibody]


def _pair_rows(model: ModelView, cutoff: float) -> list[PairScore]:
    assert model.structure is not None
    st_ = read_gemmi(model.structure.text, model.structure.format)
    contacts = view(pair_contacts, st_)
    return chain_pair_table(
        [c.name for c in _parsed(model).chains], model.pae, model.pair_iptm, contacts, model.confidence, cutoff
    )


def _render_pairs(model: ModelView, antibody: tuple[str, ...], ns: str) -> None:
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
    rows = _pair_rows(model, float(cutoff))
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
    source = "; ".join(
        filter(None, [f"PAE from {model.pae.source}" if model.pae and model.pae.usable else "no usable PAE: no ipSAE"])
    )
    st.caption(
        f"ipTM: as written by the tool. ipSAE: computed here (DunbrackLab/IPSAE definition, d0 from the residues under "
        f"the cutoff, {cutoff:g} Å), {md_escape(source)}. Interface: residues with a heavy atom within 4.5 Å of the other chain."
    )
    st.download_button(
        "Download chain pairs (CSV)",
        lambda: table.to_csv(index=False),
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


def _render_viewer(
    model: ModelView,
    parsed: ParsedStructure,
    spans: list[CdrSpan],
    antibody: tuple[str, ...],
    selection: pae_view.PaeSelection | None,
    ns: str,
) -> None:
    assert model.structure is not None and model.confidence is not None
    confidence = model.confidence
    modes = [m for m in COLOR_MODES if (m != "pLDDT" or confidence.is_plddt) and (m != "PAE selection" or selection)]
    mode_key = f"{ns}-color"
    marker = f"{ns}-selection-seen"
    signature = (
        None if selection is None else (selection.rows[0], selection.rows[-1], selection.cols[0], selection.cols[-1])
    )
    if signature != st.session_state.get(marker):  # a new box: show it in 3D
        st.session_state[marker] = signature
        if selection is not None:
            st.session_state[mode_key] = "PAE selection"
    if st.session_state.get(mode_key) not in modes:
        st.session_state[mode_key] = modes[0]
    c1, c2 = st.columns([1.4, 1])
    with c1:
        mode = st.radio("Colour by", modes, key=mode_key, horizontal=True)
    with c2:
        style = st.radio("Style", STYLES, key=f"{ns}-style", horizontal=True, format_func=str.capitalize)
    sticks: tuple[tuple[str, str], ...] = ()
    framed = view(framed_residues, parsed, confidence)
    focus = tuple((r.chain, r.label) for r in framed)
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
        assert selection is not None
        table, legend = by_selection(parsed, selection.aligned, selection.scored)
        title = "PAE selection"
        picked = list(dict.fromkeys(selection.aligned + selection.scored))
        sticks = tuple((r.chain, r.label) for r in picked[:MAX_STICKS])
        focus = sticks
    text, fmt = viewer_text(model.structure.text, model.structure.format)
    spec = ViewerSpec(
        text,
        fmt,
        table,
        style=style,
        sticks=sticks,
        focus=focus,
        camera_key=camera_key(ns, text),
        legend=legend,
        legend_title=title,
        height=560,
        title="3D structure of the predicted model",
    )
    render_viewer(spec, key=f"{ns}-viewer")


def _render_plddt(
    parsed: ParsedStructure, confidence: ResidueConfidence, spans: list[CdrSpan], sides: dict[str, str], ns: str
) -> None:
    st.subheader("Per-residue confidence", anchor=False)
    if not confidence.is_plddt:
        st.info(md_escape(confidence.note), icon=":material/info:")
        return
    st.caption(f"{md_escape(confidence.note)} Shaded columns: CDRs. Background: {md_escape(PLDDT_RULE)}")
    tracks = common.tracks(parsed, confidence)
    chains = [t.chain for t in tracks]
    if len(tracks) > 6:
        picked = st.multiselect("Chains to plot", chains, default=chains[:4], key=f"{ns}-plot-chains")
        tracks = [t for t in tracks if t.chain in set(picked)]
    shown = {t.chain for t in tracks}
    plot_spans = tuple(s for s in common.plot_spans(parsed, spans) if s.chain in shown)
    c1, c2 = st.columns([2.2, 1])
    with c1:
        st.plotly_chart(
            cached_residue_figure(tuple(tracks), plot_spans, "plddt"), key=f"{ns}-plddt", config={"displaylogo": False}
        )
    with c2:
        st.plotly_chart(
            build_chain_bar_figure(view(chain_means, parsed, confidence), sides),
            key=f"{ns}-chain-plddt",
            config={"displaylogo": False},
        )


def render_model(model: ModelView, tool: str, ns: str) -> None:
    """Everything one model shows; problems first, each in a sentence, then what could be read."""
    for problem in model.problems:
        st.warning(md_escape(problem), icon=":material/warning:")
    if model.structure is None or model.confidence is None:
        st.error("The model's structure could not be read, so nothing else of it is shown.", icon=":material/error:")
        return
    parsed = _parsed(model)
    _facts(model, parsed, tool)
    antibody = _antibody_chains(parsed, ns)
    spans = _cdr_spans(parsed, model.confidence, antibody)
    left, right = st.columns([1.05, 1], gap="medium")
    with right:
        selection = _render_pae(model, spans, ns)
    with left:
        st.subheader("3D structure", anchor=False)
        _render_viewer(model, parsed, spans, antibody, selection, ns)
    _render_pairs(model, antibody, ns)
    sides = {c: ("antibody" if c in antibody else "") for c in parsed.chain_names}
    _render_plddt(parsed, model.confidence, spans, sides, ns)
    if spans:
        st.subheader("CDRs (IMGT, numbered here)", anchor=False)
        table = view(build_cdr_table, spans)
        st.dataframe(style_cdr_table(table), hide_index=True, key=f"{ns}-cdrs")
    st.caption("Files read: " + md_escape(", ".join(model.files)))
