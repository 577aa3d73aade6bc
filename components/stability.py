"""The Stability section: score cards, Tm in context, the ddG heatmap and the stabilizing mutations."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.exports import csv_text, safe_file_stem
from app.models import DdgMatrix, StabilityResultRow, Unparsed
from app.stability import (
    JAIN_2017_FAB_TM,
    DdgTable,
    ResidueContext,
    ddg_table,
    noise,
    residue_context,
    score_cards,
    stabilizing_frame,
    tm_context,
)
from app.stability.ddg import MutationCode
from app.stability.figures import build_ddg_heatmap, build_tm_context
from app.stability.scores import SCORE_BAND_RULE
from app.view import JobView
from components.formatting import md_code, md_escape
from components.header import render_variant_note
from components.raw_json import lazy_expander, raw_expander, render_unparsed, render_unread

SORT_OPTIONS = {"sequence": "Sequence order", "best": "Best achievable ΔΔG first"}


def render(job: JobView) -> None:
    fetched = job.answer()
    result = fetched.response.stability_result
    if isinstance(result, Unparsed):
        render_unparsed(result, "the stability result")
        return
    if not isinstance(result, StabilityResultRow):
        st.info("This job has no stability result.", icon=":material/info:")
        return
    render_variant_note(fetched, "stability")
    context = residue_context(fetched.response)
    render_scores(result)
    table = render_ddg(result, context)
    render_stabilizing(result, context, table, fetched.job_id)
    render_model_versions(result.model_versions, "stab")
    raw_expander(fetched.raw.get("stability_result"), "Raw JSON of the stability result", key="stab-raw")


def render_scores(result: StabilityResultRow) -> None:
    st.subheader("Developability scores")
    cards = score_cards(result)
    columns = st.columns(len(cards))
    for column, card in zip(columns, cards):
        with column, st.container(border=True, key=f"stab-card-{card.key}"):
            value = "—" if card.value is None else f"{card.value:.2f}"
            st.metric(card.title, value, help=f"{card.meaning.capitalize()}, 0–1; {card.direction}.")
            st.markdown(f"**{card.band.capitalize()}** · {card.direction}")
    st.caption(SCORE_BAND_RULE)

    tm = result.melting_temp_predicted
    ref = JAIN_2017_FAB_TM
    left, right = st.columns([1, 3])
    with left, st.container(border=True, key="stab-card-tm"):
        st.metric("Predicted Tm", "—" if tm is None else f"{tm:.1f} °C", help="Predicted melting temperature (°C).")
        st.markdown(f"**{tm_context(tm).capitalize()}**")
    with right:
        st.plotly_chart(build_tm_context(tm), key="stab-tm-context", config={"displayModeBar": False})
        st.caption(
            f"Context: {ref.source} — median {ref.median:g} °C, middle half {ref.p25:g}–{ref.p75:g} °C (dark), "
            f"5–95 % {ref.p05:g}–{ref.p95:g} °C (light), range {ref.minimum:g}–{ref.maximum:g} °C. "
            "Measured Fab Tm, so a predicted value compares only roughly."
        )


def _matrix_table(result: StabilityResultRow, context: ResidueContext) -> DdgTable | None:
    matrix = result.ddg_matrix
    if not isinstance(matrix, DdgMatrix) or not matrix.positions:
        return None
    stabilizing = result.stabilizing_mutations or []
    return ddg_table(matrix, context, stabilizing)


def render_ddg(result: StabilityResultRow, context: ResidueContext) -> DdgTable | None:
    st.subheader("ΔΔG of every point mutation")
    if isinstance(result.ddg_matrix, Unparsed):
        render_unparsed(result.ddg_matrix, "the ddG matrix")
        return None
    if isinstance(result.ddg_matrix, DdgMatrix):
        render_unread(result.ddg_matrix.unread.get("positions", ()), "ddG position(s)")
    table = _matrix_table(result, context)
    if table is None:
        st.info("The stability result has no ddG matrix.", icon=":material/info:")
        return None

    c1, c2, c3 = st.columns([1, 1.4, 1.2])
    chains = c1.multiselect("Chain", table.chains, key="stab-chain", placeholder="All chains")
    regions = table.region_names
    chosen_regions = c2.multiselect(
        "Region",
        regions,
        key="stab-region",
        placeholder="All regions",
        disabled=not regions,
        help="From the humanization numbering of the modelled variant."
        if regions
        else "No numbering covers these positions, so regions are unknown.",
    )
    sort = c3.radio(
        "Order positions by", list(SORT_OPTIONS), format_func=SORT_OPTIONS.get, key="stab-sort", horizontal=True
    )
    rows = table.select(chains, chosen_regions, sort)
    if not rows:
        st.info("No position matches these filters.", icon=":material/filter_alt_off:")
        return table
    st.plotly_chart(build_ddg_heatmap(table, rows), key="stab-ddg-heatmap")

    notes = [
        f"{len(rows)} of {len(table.positions)} positions × {len(table.amino_acids)} amino acids. "
        "Blue = stabilizing (ΔΔG < 0), red = destabilizing (ΔΔG > 0), colour range symmetric around 0; "
        "a dot marks the wild type. "
        f"Values within ±{noise.DDG_NOISE_KCAL:g} kcal/mol are within the error of ddG predictors (sources below)."
    ]
    if table.n_missing:
        notes.append(f"{table.n_missing} value(s) not computed are left blank (grey gaps).")
    readings = dict(table.readings)
    if readings:
        words = {"label": "numbering labels", "index": "1-based sequence indices"}
        described = ", ".join(f"{md_code(chain)} as {words[how]}" for chain, how in readings.items())
        source = (
            f" (numbering: {md_escape(context.scheme or 'scheme not given')}, strategy {md_code(context.strategy or '—')})"
            if context.strategy
            else ""
        )
        notes.append(f"Positions read as: {described}{source}.")
    st.caption(" ".join(notes))
    for note in table.notes:
        st.caption(md_escape(note))
    with lazy_expander("Positions ranked by best achievable ΔΔG", key="stab-ranked") as is_open:
        if is_open:
            frame = table.rows_frame().iloc[list(table.select(chains, chosen_regions, "best"))]
            st.dataframe(
                frame,
                hide_index=True,
                key="stab-positions-table",
                column_config={"best ddG (kcal/mol)": st.column_config.NumberColumn(format="%+.2f")},
            )
    return table


def _shown_code(mutation: object) -> str:
    """The mutation as stabilizing_frame shows it (normalised code, else the text given)."""
    code = MutationCode.parse(mutation)
    return str(code) if code else (str(mutation) if mutation else "—")


def stabilizing_calls(frame: pd.DataFrame, mutations: list) -> pd.DataFrame:
    """The frame with each mutation judged against the noise level (model uncertainty, else published)."""
    uncertainty = {_shown_code(m.mutation): m.uncertainty for m in mutations}
    calls = [
        noise.call(None if pd.isna(ddg) else float(ddg), uncertainty.get(code))
        for code, ddg in zip(frame["mutation"], frame["ddG (kcal/mol)"])
    ]
    out = frame.copy()
    out.insert(2, "noise ± (kcal/mol)", [c.noise for c in calls])
    out.insert(2, "call", [c.verdict for c in calls])
    return out


def render_stabilizing(
    result: StabilityResultRow, context: ResidueContext, table: DdgTable | None, job_id: str
) -> None:
    st.subheader("Stabilizing mutations")
    mutations = result.stabilizing_mutations
    render_unread(result.unread.get("stabilizing_mutations", ()), "stabilizing mutation(s)")
    if not mutations:
        st.info("The stability result lists no stabilizing mutations.", icon=":material/info:")
        return
    frame = stabilizing_calls(stabilizing_frame(mutations, context, table), mutations)
    if frame["confidence"].isna().all():
        frame = frame.drop(columns="confidence")  # the service gave none: no empty column
    real = frame[frame["call"] == noise.STABILIZING]
    within = frame[frame["call"] != noise.STABILIZING]
    from_model = any(m.uncertainty is not None for m in mutations)
    level = ("the model's own uncertainty per mutation where given, else " if from_model else "") + (
        f"|ΔΔG| < {noise.DDG_NOISE_KCAL:g} kcal/mol"
    )
    proxies = noise.proxy_tools(result.model_versions if isinstance(result.model_versions, dict) else None)
    if proxies:
        st.warning(
            f"**These ΔΔG values are a proxy, not a prediction of physical stability**: the service names "
            f"{', '.join(md_code(p) for p in proxies)}. Treat them as a ranking at most.",
            icon=":material/warning:",
        )
    if real.empty:
        st.warning(
            f"**None of the {len(frame)} listed mutations is stabilizing beyond the noise level** ({level}): "
            f"the service calls them stabilizing, but ΔΔG ranges {frame['ddG (kcal/mol)'].min():+.2f} to "
            f"{frame['ddG (kcal/mol)'].max():+.2f} kcal/mol.",
            icon=":material/warning:",
        )
    st.caption(f"Noise level: {level}; {noise.DDG_NOISE_SOURCE}.")
    config = {
        "ddG (kcal/mol)": st.column_config.NumberColumn(format="%+.2f", help="Negative = stabilizing."),
        "noise ± (kcal/mol)": st.column_config.NumberColumn(
            format="%.2f", help="The model's uncertainty when given, else the published error of ddG predictors."
        ),
        "call": st.column_config.TextColumn(help="Stabilizing only when ΔΔG ≤ −noise; within noise otherwise."),
        "confidence": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f"),
        "in CDR": st.column_config.CheckboxColumn(help="A mutation in a CDR may change binding."),
    }
    for part, title, key in (
        (real, "Stabilizing beyond the noise level", "stab-mutations-table"),
        (within, "Within the noise level (not distinguishable from neutral)", "stab-noise-table"),
    ):
        if part.empty:
            continue
        st.markdown(f"**{title}** · {len(part)}")
        st.dataframe(part, hide_index=True, key=key, column_config=config, placeholder="—")
    flagged = int(frame["in CDR"].sum())
    summary = f"Sorted by ΔΔG, most stabilizing first. {flagged} of {len(frame)} fall in a CDR (risk to binding)."
    if flagged == 0 and frame["region"].isna().all():
        summary += " Regions are unknown here (no numbering for these positions)."
    st.caption(summary)
    st.download_button(
        "Download CSV",
        lambda: csv_text(frame),
        file_name=f"job-{safe_file_stem(job_id)}-stabilizing-mutations.csv",
        mime="text/csv",
        key="stab-download-mutations",
        on_click="ignore",
    )


def render_model_versions(versions: dict[str, str | None] | Unparsed | None, prefix: str) -> None:
    if isinstance(versions, Unparsed):
        render_unparsed(versions, "the model versions")
        return
    if not versions:
        st.caption("Model versions: not given.")
        return
    st.markdown("**Models used**")
    frame = pd.DataFrame(
        {"tool": list(versions.keys()), "version": [v if v is not None else "—" for v in versions.values()]}
    )
    st.dataframe(frame, hide_index=True, key=f"{prefix}-model-versions")
