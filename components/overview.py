"""The Overview section: what the job holds, in key figures, with links to each section."""

from __future__ import annotations

import streamlit as st

from app.client import FetchedJob
from app.models import (
    ComplexResultRow,
    HumanizationResultRow,
    ImmunogenicityResultRow,
    StabilityResultRow,
    StructureResultRow,
    Unparsed,
)
from components.formatting import fmt_fraction, md_escape


def render(fetched: FetchedJob) -> None:
    response = fetched.response
    strategies = response.strategies
    cols = st.columns(5)
    cols[0].metric("Humanization strategies", len(strategies))
    structure = response.structure_result
    cols[1].metric(
        "Structure confidence",
        fmt_fraction(structure.confidence_score) if isinstance(structure, StructureResultRow) else "—",
        help="Model confidence on 0–1 (normalised from 0–100 where the service sent that).",
    )
    stability = response.stability_result
    cols[2].metric(
        "Developability",
        fmt_fraction(stability.developability_score) if isinstance(stability, StabilityResultRow) else "—",
        help="0–1, higher is better.",
    )
    immuno = response.immunogenicity_result
    cols[3].metric(
        "Immunogenicity risk",
        fmt_fraction(immuno.risk_score) if isinstance(immuno, ImmunogenicityResultRow) else "—",
        help="0–1, higher is riskier.",
    )
    complex_ = response.complex_result
    cols[4].metric("Complex ipTM", fmt_fraction(complex_.iptm) if isinstance(complex_, ComplexResultRow) else "—")

    if strategies:
        st.markdown("**Strategies**")
        st.dataframe(
            [_strategy_summary(row) for row in strategies],
            hide_index=True,
            width="stretch",
        )
    unparsed = [name for name, value in _sections(response).items() if isinstance(value, Unparsed)]
    if unparsed:
        st.warning(
            "Some results came in a shape this dashboard does not understand and are shown as raw JSON: "
            + ", ".join(md_escape(n) for n in unparsed)
        )
    if not strategies and not any(v is not None for v in _sections(response).values()):
        job = response.job
        if job.is_followed:
            st.info("Results appear here when the job has finished; this page follows it.")
        else:
            st.info("This job has no results.")


def _sections(response) -> dict[str, object]:
    return {
        "structure": response.structure_result,
        "stability": response.stability_result,
        "immunogenicity": response.immunogenicity_result,
        "complex": response.complex_result,
    }


def _strategy_summary(row: HumanizationResultRow) -> dict[str, object]:
    vh, vl = row.humanized("vh"), row.humanized("vl")
    return {
        "strategy": row.strategy or "—",
        "VH length": len(vh) if vh else None,
        "VL length": len(vl) if vl else None,
        "format": "VHH (single domain)" if not vl else "paired VH/VL",
    }
