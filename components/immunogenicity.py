"""The Immunogenicity section: risk gauges, epitope maps per chain, epitope tables, deimmunization."""

from __future__ import annotations

from functools import lru_cache, partial

import streamlit as st

from app.client import FetchedJob
from app.immunogenicity import (
    BCELL,
    KINDS,
    MHC1,
    MHC2,
    Criteria,
    Epitope,
    chain_length,
    csv_text,
    epitope_frame,
    epitopes_of,
    per_residue_track,
    suggestions_frame,
)
from app.immunogenicity.figures import RISK_STEPS, build_epitope_map, build_risk_gauges
from app.immunogenicity.hotspots import hotspot_frame, hotspots
from app.immunogenicity.methods import KindMethod, methods_of
from app.models import DdgMatrix, ImmunogenicityResultRow, StabilityResultRow, Unparsed
from app.stability import ResidueContext, ddg_table, residue_context
from app.view import JobView
from components.formatting import md_code, md_escape
from components.header import render_variant_note
from components.raw_json import raw_expander, render_unparsed, render_unread
from components.stability import render_model_versions, safe_file_stem

LEVELS = {"weak": "Strong + weak binders", "strong": "Strong binders only"}
MHC2_SET_LABELS = {
    "current": "NetMHCIIpan 4.x (strong ≤ 1 %, weak ≤ 5 %)",
    "legacy": "Legacy set of older tools (strong ≤ 2 %, weak ≤ 10 %)",
}
MEASURES = {"alleles": "Binding alleles", "epitopes": "Epitopes (peptide × allele)"}
LIST_FIELDS = {MHC1: "mhc1_epitopes", MHC2: "mhc2_epitopes", BCELL: "bcell_epitopes"}
CHAIN_ORDER = {"H": 0, "L": 1}
# The service's note early, so it is not pushed off the right edge at 1280 px.
WRAPPING_ROW_HEIGHT = 76  # above 4 rem Streamlit wraps text cells: long notes and allele lists read whole
SUGGESTION_ORDER = ("mutation", "numbering", "region", "note", "epitopes removed", "risk after", "stability")


def render(job: JobView) -> None:
    fetched = job.answer()
    result = fetched.response.immunogenicity_result
    if isinstance(result, Unparsed):
        render_unparsed(result, "the immunogenicity result")
        return
    if not isinstance(result, ImmunogenicityResultRow):
        st.info("This job has no immunogenicity result.", icon=":material/info:")
        return
    render_variant_note(fetched, "immunogenicity")
    context = residue_context(fetched.response)
    render_risks(result)
    epitopes = epitopes_of(result)
    methods = methods_of(epitopes, result.model_versions if isinstance(result.model_versions, dict) else None)
    criteria = render_controls(result, epitopes, methods)
    render_maps(result, epitopes, context, criteria, methods)
    render_tables(result, epitopes, criteria, fetched.job_id, methods, context)
    render_suggestions(result, fetched, context)
    render_model_versions(result.model_versions, "immuno")
    raw_expander(fetched.raw.get("immunogenicity_result"), "Raw JSON of the immunogenicity result", key="immuno-raw")


def render_risks(result: ImmunogenicityResultRow) -> None:
    st.subheader("Immunogenicity risk")
    risks = [
        ("Overall", result.risk_score),
        ("MHC-I (T-cell, class I)", result.mhc1_risk),
        ("MHC-II (T-cell, class II)", result.mhc2_risk),
        ("B-cell", result.bcell_risk),
    ]
    st.plotly_chart(build_risk_gauges(risks), key="immuno-gauges", config={"displayModeBar": False})
    bands = ", ".join(f"{lo:g}–{hi:g}" for lo, hi, _ in RISK_STEPS)
    st.caption(
        f"0–1, higher is riskier. Background bands ({bands}: green, amber, red) are this dashboard's reading, "
        "not a calibrated cut-off of the predictor."
    )


def render_methods(methods: dict[str, KindMethod]) -> None:
    """Which method predicted each kind, as the service reports it (model_versions, rule names)."""
    lines = [f"- **{kind}**: {md_escape(methods[kind].describe())}" for kind in KINDS]
    st.markdown("**Prediction methods** (as reported by the service)\n" + "\n".join(lines))


def render_controls(
    result: ImmunogenicityResultRow, epitopes: list[Epitope], methods: dict[str, KindMethod]
) -> Criteria:
    st.subheader("Epitope map")
    render_methods(methods)
    ranked = frozenset(kind for kind in (MHC1, MHC2) if methods[kind].has_ranks)
    c1, c2, c3 = st.columns([1, 1.6, 1.4])
    level = "weak"
    if ranked:
        level = c1.radio("Count", list(LEVELS), format_func=LEVELS.get, key="immuno-level")
    c1.radio(
        "Bar height per residue",
        list(MEASURES),
        format_func=MEASURES.get,
        key="immuno-measure",
        help="Distinct alleles that bind a peptide covering the residue, or every peptide–allele pair covering it.",
    )
    mhc2_set = "current"
    if MHC2 in ranked:
        mhc2_set = c2.radio(
            "MHC-II threshold set",
            list(MHC2_SET_LABELS),
            format_func=MHC2_SET_LABELS.get,
            key="immuno-mhc2-set",
            help="MHC-I ranks, when given, use NetMHCpan 4.x: strong ≤ 0.5 %, weak ≤ 2 %.",
        )
    elif not ranked:
        c2.caption(
            "No epitope has a percentile rank (no HLA binding model ran), so no NetMHCpan/NetMHCIIpan threshold "
            "applies: the map counts every epitope the method listed."
        )
    unranked = [e for e in epitopes if e.kind != BCELL and e.rank is None]
    include_unranked = c3.checkbox(
        "Count unranked epitopes",
        value=True,
        key="immuno-unranked",
        disabled=not unranked,
        help="Some predictors (rule-based ones) list MHC epitopes without a percentile rank, so no threshold "
        "can judge them: count them as binders, or leave them out.",
    )
    alleles = sorted({e.allele for e in epitopes if e.kind != BCELL and e.allele})
    chosen = c3.multiselect("Alleles", alleles, key="immuno-alleles", placeholder="All alleles", disabled=not alleles)
    return Criteria(
        level=level or "weak",
        mhc2_set=mhc2_set or "current",
        include_unranked=bool(include_unranked and unranked),
        alleles=frozenset(chosen) if chosen else None,
        ranked_kinds=ranked,
    )


def _chains(epitopes: list[Epitope], context: ResidueContext) -> list[str]:
    names = {e.chain for e in epitopes}
    names |= {residues.chain for residues in context.chains.values()}
    return sorted(names, key=lambda c: (CHAIN_ORDER.get(c, 2), c))


class _ByContent:
    """Tracks hold numpy arrays (unhashable): this wrapper compares and hashes them by content."""

    def __init__(self, tracks: list) -> None:
        self.tracks = tracks
        self.key = tuple(
            (t.kind, t.counts.tobytes(), t.covering.tobytes(), t.alleles, t.peptides, t.listed, t.counted)
            for t in tracks
        )

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByContent) and self.key == other.key


@lru_cache(maxsize=32)
def _cached_map(
    chain: str,
    sequence: str,
    tracks: _ByContent,
    spans: tuple,
    threshold_text: str,
    measure: str,
    labels: tuple = (),
    scheme: str | None = None,
):
    return build_epitope_map(chain, sequence, tracks.tracks, list(spans), threshold_text, measure, labels, scheme)


def _epitope_map(
    chain: str,
    sequence: str,
    tracks: list,
    spans: list,
    threshold_text: str,
    measure: str,
    labels: tuple = (),
    scheme: str | None = None,
):
    """The epitope map, built once per content: a rerun with the same filters reuses the figure."""
    return _cached_map(chain, sequence, _ByContent(tracks), tuple(spans), threshold_text, measure, labels, scheme)


def render_maps(
    result: ImmunogenicityResultRow,
    epitopes: list[Epitope],
    context: ResidueContext,
    criteria: Criteria,
    methods: dict[str, KindMethod],
) -> None:
    for kind in KINDS:
        render_unread(result.unread.get(LIST_FIELDS[kind], ()), f"{kind} epitope(s)")
    chains = _chains(epitopes, context)
    if not chains:
        st.info("No epitopes and no chain sequences: nothing to map.", icon=":material/info:")
        return
    threshold_text = criteria.describe(frozenset(k for k in (MHC1, MHC2) if methods[k].listed))
    for k, chain in enumerate(chains):
        residues = context.for_chain(chain)
        sequence = residues.sequence if residues else ""
        length = chain_length(chain, sequence, epitopes)
        if length == 0:
            continue
        tracks = [per_residue_track(epitopes, kind, chain, length, criteria) for kind in KINDS]
        spans = residues.cdr_spans() if residues else []
        labels = tuple(residues.label_at(i) for i in range(1, length + 1)) if residues else ()
        fig = _epitope_map(
            chain,
            sequence,
            tracks,
            spans,
            threshold_text,
            st.session_state.get("immuno-measure", "alleles"),
            labels,
            context.scheme if any(labels) else None,
        )
        st.plotly_chart(fig, key=f"immuno-map-{k}")
        notes = []
        if not sequence:
            notes.append(
                f"No sequence for chain {md_code(chain)}: the track spans residues 1–{length}, up to the last epitope end."
            )
        if not spans:
            notes.append("CDRs unknown (no numbering for this chain).")
        if notes:
            st.caption(" ".join(notes))
    source = (
        f"humanized sequences and numbering of strategy {md_code(context.strategy)}"
        if context.strategy
        else "epitope positions"
    )
    st.caption(
        f"Bars count, per residue, the binding alleles (or peptide–allele pairs) of the MHC epitopes covering it, "
        "and the predicted B-cell epitopes covering it. "
        f"Tracks built from the {source}; shaded bands are CDRs."
    )


def render_tables(
    result: ImmunogenicityResultRow,
    epitopes: list[Epitope],
    criteria: Criteria,
    job_id: str,
    methods: dict[str, KindMethod],
    context: ResidueContext,
) -> None:
    st.subheader("Epitopes")
    counts = {kind: sum(1 for e in epitopes if e.kind == kind) for kind in KINDS}
    labels = [f"{kind} ({counts[kind]})" for kind in KINDS]
    first = next((label for label, kind in zip(labels, KINDS) if counts[kind]), labels[0])
    tabs = st.tabs(labels, default=first)  # open on a kind that has epitopes
    stem = safe_file_stem(job_id)
    cdr_spans = {}
    for residues in context.chains.values():
        cdr_spans[residues.chain] = residues.cdr_spans()
    for tab, kind in zip(tabs, KINDS):
        with tab:
            if result.unread.get(LIST_FIELDS[kind]):
                st.caption("Some items of this list came in an unexpected shape: see the note above the map.")
            if not counts[kind]:
                st.caption(f"No {kind} epitopes in the result. Method: {md_escape(methods[kind].describe())}.")
                continue
            slug = {MHC1: "mhc1", MHC2: "mhc2", BCELL: "bcell"}[kind]
            spots = hotspots(epitopes, kind, criteria)
            if spots:
                st.markdown(
                    f"**Hotspots**: {len(spots)} region(s) from {sum(len(s.epitopes) for s in spots)} counted epitopes"
                )
                st.dataframe(
                    hotspot_frame(spots, cdr_spans),
                    hide_index=True,
                    key=f"immuno-hotspots-{slug}",
                    row_height=WRAPPING_ROW_HEIGHT,
                    height=min(WRAPPING_ROW_HEIGHT * len(spots) + 40, 600),  # a few regions: all rows in view
                    column_config={  # narrow numbers leave the allele list the room; its text wraps
                        "chain": st.column_config.TextColumn(width=48),
                        "core span": st.column_config.TextColumn(width=75),
                        "CDRs touched": st.column_config.TextColumn(width=95),
                        "peptides span": st.column_config.TextColumn(width=95),
                        "residues": st.column_config.NumberColumn(width=62),
                        "epitopes": st.column_config.NumberColumn(width=62),
                        "distinct peptides": st.column_config.NumberColumn("distinct", width=62),
                        "alleles": st.column_config.NumberColumn(width=55),
                        "epitopes per allele": st.column_config.TextColumn(width="large"),
                        "best rank (%)": st.column_config.NumberColumn(format="%.2f", width=75),
                    },
                )
                core_rule = "binding cores" if kind == MHC2 else "peptides"
                st.caption(
                    f"Epitopes whose {core_rule} overlap by at least one residue are merged into one hotspot "
                    "(residue indices 1-based in the chain; the peptides span is wider than the cores). "
                    "Counted with the map's filters."
                )
            frame = epitope_frame(epitopes, kind, criteria)
            st.markdown(f"**All {len(frame)} {kind} epitopes**")
            st.dataframe(
                frame,
                hide_index=True,
                key=f"immuno-table-{slug}",
                column_config={
                    "percentile rank (%)": st.column_config.NumberColumn(format="%.2f"),
                    "score": st.column_config.NumberColumn(format="%.3f"),
                },
            )
            if kind in criteria.ranked_kinds and (t := criteria.thresholds(kind)) is not None:
                st.caption(
                    f"Binding bins by {md_escape(t.name)}: strong ≤ {t.strong:g} %, weak ≤ {t.weak:g} %; "
                    "'unranked' = no percentile rank given. Click a column header to sort."
                )
            elif kind != BCELL:
                st.caption(
                    f"Method: {md_escape(methods[kind].describe())}. These epitopes carry no percentile rank, "
                    "so they have no binding strength and no NetMHCpan/NetMHCIIpan threshold applies to them."
                )
            st.download_button(
                f"Download {kind} CSV",
                partial(csv_text, frame),  # bound now: the loop moves on before a click
                file_name=f"job-{stem}-{slug}-epitopes.csv",
                mime="text/csv",
                key=f"immuno-download-{slug}",
                on_click="ignore",
            )


def _stability_table(fetched: FetchedJob, context: ResidueContext):
    stability = fetched.response.stability_result
    if not isinstance(stability, StabilityResultRow):
        return None, []
    stabilizing = stability.stabilizing_mutations or []
    matrix = stability.ddg_matrix
    if not isinstance(matrix, DdgMatrix) or not matrix.positions:
        return None, stabilizing
    return ddg_table(matrix, context, stabilizing), stabilizing


def render_suggestions(result: ImmunogenicityResultRow, fetched: FetchedJob, context: ResidueContext) -> None:
    st.subheader("Deimmunization suggestions")
    suggestions = result.deimmunization_suggestions
    render_unread(result.unread.get("deimmunization_suggestions", ()), "deimmunization suggestion(s)")
    if not suggestions:
        st.info("The result has no deimmunization suggestions.", icon=":material/info:")
        return
    table, stabilizing = _stability_table(fetched, context)
    frame = suggestions_frame(suggestions, context, table, stabilizing)
    st.dataframe(
        frame,
        hide_index=True,
        key="immuno-suggestions-table",
        row_height=WRAPPING_ROW_HEIGHT,
        placeholder="—",
        column_order=[c for c in SUGGESTION_ORDER if c in frame.columns]
        + [c for c in frame.columns if c not in SUGGESTION_ORDER],
        column_config={
            "note": st.column_config.TextColumn(width="large", help="The service's note on this suggestion."),
            "numbering": st.column_config.TextColumn(width=75),
            "region": st.column_config.TextColumn(width=60),
            "touches CDR": st.column_config.CheckboxColumn(
                width="small", help="The mutated residue is in a CDR: binding may change."
            ),
            "risk after": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f"),
            "ddG (kcal/mol)": st.column_config.NumberColumn(
                format="%+.2f", help="From the stability ddG matrix; > 0 destabilizing."
            ),
            "stability": st.column_config.TextColumn(
                help="What the stability result's ddG matrix says about this exact mutation."
            ),
            "mutation": st.column_config.TextColumn(
                help="chain:from·position·to, position = the label in the modelled variant's numbering scheme "
                "(the 1-based index when the chain is not numbered)."
            ),
            "epitopes removed": st.column_config.NumberColumn("epitopes removed", format="%d", width=80),
        },
    )
    destabilizing = int((frame["ddG (kcal/mol)"] > 0).sum())
    in_cdr = int(frame["touches CDR"].sum())
    cross = (
        "checked against the ddG matrix of the stability result"
        if table is not None
        else "no ddG matrix to check stability against"
    )
    st.caption(
        f"Most epitopes removed first; {in_cdr} touch a CDR, {destabilizing} destabilizing (ΔΔG > 0); {cross}. "
        "Positions are named by the modelled variant's numbering scheme, the 1-based residue index second."
    )
    st.download_button(
        "Download CSV",
        lambda: csv_text(frame),
        file_name=f"job-{safe_file_stem(fetched.job_id)}-deimmunization.csv",
        mime="text/csv",
        key="immuno-download-suggestions",
        on_click="ignore",
    )
