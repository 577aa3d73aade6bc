"""The Overview section: the job's key figures and its strategies at a glance, for a design review."""

from __future__ import annotations

import logging

import streamlit as st

from app.client import FetchedJob
from app.conventions import iptm_interpretation, plddt_band
from app.humanization.tables import overview_frame
from app.models import (
    ComplexResultRow,
    ImmunogenicityResultRow,
    StabilityResultRow,
    StructureResultRow,
    Unparsed,
)
from components.formatting import fmt_fraction, md_escape
from components.humanization import strategy_reviews

log = logging.getLogger(__name__)

SUMMARY_COLUMNS = (
    "Strategy",
    "VH total",
    "VL total",
    "VH FR kept %",
    "VL FR kept %",
    "VH identity %",
    "VL identity %",
    "Liab. high",
    "Liab. medium",
)


def render(fetched: FetchedJob) -> None:
    response = fetched.response
    figures = _key_figures(response)
    if figures:
        for column, (label, value, note) in zip(st.columns(len(figures)), figures):
            column.metric(label, value, help=note)
    if response.strategies:
        st.markdown("**Humanization strategies at a glance**")
        try:
            frame, _ = overview_frame(list(strategy_reviews(fetched)))
            st.dataframe(frame[[c for c in SUMMARY_COLUMNS if c in frame.columns]], hide_index=True, width="stretch")
            st.caption(
                "Total = mutations from the parental; FR kept % = parental framework residues left unchanged; "
                "identity % = humanness identity; liabilities are sequence motifs in both chains. "
                "The Humanization tab has the full comparison, sequences and downloads."
            )
        except Exception:
            log.exception("overview: strategy summary failed")
            st.caption("The strategy summary could not be computed; see the Humanization tab.")
    unparsed = [name for name, value in _results(response).items() if isinstance(value, Unparsed)]
    unread_rows = sum(isinstance(row, Unparsed) for row in response.results)
    if unread_rows:
        unparsed.insert(0, f"{unread_rows} humanization result row(s)")
    if unparsed:
        st.warning(
            "Some results came in a shape this dashboard does not understand and are shown as raw JSON in their tabs: "
            + ", ".join(md_escape(n) for n in unparsed)
        )
    if not response.strategies and all(v is None for v in _results(response).values()):
        job = response.job
        st.info("Results appear here when the job has finished." if job.is_followed else "This job has no results.")


def _results(response) -> dict[str, object]:
    return {
        "structure": response.structure_result,
        "stability": response.stability_result,
        "immunogenicity": response.immunogenicity_result,
        "complex": response.complex_result,
    }


def _key_figures(response) -> list[tuple[str, str, str]]:
    """(label, value, help) for each section that is present: only what this job has."""
    figures: list[tuple[str, str, str]] = []
    if response.strategies:
        figures.append(
            (
                "Humanization strategies",
                str(len(response.strategies)),
                "Variants proposed by the service, one per strategy.",
            )
        )
    structure = response.structure_result
    if isinstance(structure, StructureResultRow):
        value = structure.confidence_score
        band = plddt_band(value * 100) if value is not None else None
        figures.append(
            (
                "Structure confidence",
                fmt_fraction(value),
                f"Model confidence on 0–1{f' ({band.name.lower()})' if band else ''}.",
            )
        )
    stability = response.stability_result
    if isinstance(stability, StabilityResultRow):
        figures.append(("Developability", fmt_fraction(stability.developability_score), "0–1, higher is better."))
    immuno = response.immunogenicity_result
    if isinstance(immuno, ImmunogenicityResultRow):
        figures.append(("Immunogenicity risk", fmt_fraction(immuno.risk_score), "0–1, higher is riskier."))
    complex_ = response.complex_result
    if isinstance(complex_, ComplexResultRow):
        figures.append(
            (
                "Complex ipTM",
                fmt_fraction(complex_.iptm),
                f"Interface confidence: {iptm_interpretation(complex_.iptm)}.",
            )
        )
    return figures
