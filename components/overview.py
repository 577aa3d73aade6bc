"""The Overview section: what a design review needs first, at a glance.

The job's key scores, then one card per humanization candidate with its format (VHH, scFv, Fc
engineering) and its trade-offs (VHH hallmarks, CDR changes under every CDR definition, Vernier
changes, liabilities), each linking to that strategy in Humanization; for a complex, ipTM with its
reading and the per-chain and interface pLDDT, each figure saying where it came from.

The complex figures reuse the Complex section's loaders and caches (the same file fetch, parse,
chain sides and interface), so opening Complex afterwards costs nothing more; the file is not
fetched at all when the model name already says its B-factors hold no pLDDT.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app import errors
from app.client import FetchedJob
from app.conventions import IPTM_ANTIBODY_CAVEAT, iptm_interpretation, plddt_band
from app.humanization import flags
from app.humanization.review import StrategyReview
from app.humanization.tables import SEVERITIES
from app.models import (
    ComplexResultRow,
    FcAnalysis,
    ImmunogenicityResultRow,
    ScfvAnalysis,
    StabilityResultRow,
    StructureResultRow,
    Unparsed,
    VhhAnalysis,
)
from app.residues import DEFINITION_ORDER, DEFINITIONS
from app.service_view import complex_model
from app.structure import (
    CUTOFF_A,
    ConfidenceKind,
    ParsedStructure,
    StructureParseError,
    parse_structure,
)
from app.structure.chains import chain_kinds
from app.structure.confidence import bfactor_kind
from app.view import JobView
from components import services
from components import structure_common as common
from components.complex import IPTM_BADGE, PlddtSummary, build_plddt_summary, find_interface
from components.formatting import fmt_fraction, md_escape
from components.header import strategy_url
from components.humanization import _unique_names, strategy_reviews
from components.memo import view

log = logging.getLogger(__name__)

CARDS_PER_ROW = 3
WARN_ICON = ":orange[:material/warning:]"
NOTE_ICON = ":gray[:material/info:]"
FACT_ICON = ":blue[:material/label:]"


# --- candidates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateCard:
    """One humanization candidate as the Overview shows it: Markdown lines, untrusted text escaped."""

    name: str  # the Humanization picker's option name
    url: str  # opens this strategy in Humanization
    facts: tuple[str, ...]  # format and counts: VHH, scFv, Fc, mutations, liabilities
    warnings: tuple[str, ...]  # may cost binding or solubility
    notes: tuple[str, ...]  # worth knowing


def _definitions_text(names: Sequence[str]) -> str:
    titles = [DEFINITIONS[n].title for n in names]
    return ", ".join(titles[:-1]) + f" or {titles[-1]}" if len(titles) > 1 else "".join(titles)


def _fc_fact(analysis: FcAnalysis) -> str:
    """`Fc IgG1: LALA (L234A, L235A); effector function reduced (silenced Fc)`"""
    by_name: dict[str, list[str]] = defaultdict(list)
    for m in analysis.engineered_mutations:
        change = f"{m.from_aa or '?'}{m.eu_position or '?'}{m.to_aa or '?'}"
        by_name[m.name or "unnamed"].append(change)
    engineered = (
        "; ".join(f"{md_escape(name)} ({md_escape(', '.join(changes))})" for name, changes in by_name.items())
        if by_name
        else "no engineered mutations reported"
    )
    text = f"**Fc** {md_escape(analysis.isotype or 'isotype not given')}: {engineered}"
    if analysis.effector_function:
        text += f"; effector function {md_escape(analysis.effector_function)}"
    if analysis.half_life_extension:
        text += "; half-life extension"
    return text


def _scfv_fact(analysis: ScfvAnalysis) -> str:
    """`scFv VL–linker–VH, linker 15 aa (G4S)3, gly_ser_only`"""
    orientation = (analysis.orientation or "").upper()
    layout = "–linker–".join(orientation.split("-")) if orientation in ("VH-VL", "VL-VH") else "orientation not given"
    linker = f"linker {analysis.linker_length} aa" if analysis.linker_length is not None else "linker length not given"
    extra = f" ({md_escape(', '.join(analysis.linker_flags))})" if analysis.linker_flags else ""
    return f"**scFv** {md_escape(layout)}, {linker}{extra}"


def _vhh_fact(review: StrategyReview, analysis: VhhAnalysis) -> str:
    text = "**VHH** (single domain)"
    if analysis.cdr3_length is not None:
        text += f", CDR3 {analysis.cdr3_length} aa"
    hallmarks = flags.hallmarks_changed(review)
    if hallmarks and not hallmarks[0]:
        text += f"; all {hallmarks[1]} hallmarks kept"
    return text


def _mutation_fact(review: StrategyReview) -> str:
    """`Mutations VH 14 · VL 9 · none in a CDR under IMGT, Kabat, Chothia or North` (per chain)."""
    parts, without_parental = [], []
    cdr_free = True
    for chain in review.chains:
        if not chain.has_parental:
            without_parental.append(chain.name)
            continue
        parts.append(f"{chain.name} {chain.counts.total}")
        cdr_free = cdr_free and not (chain.counts.cdr_any or chain.counts.cdr)
    text = "**Mutations** " + " · ".join(parts) if parts else ""
    if parts and cdr_free:
        text += f" · none in a CDR under {_definitions_text(DEFINITION_ORDER)}"
    if without_parental:
        missing = f"{' and '.join(without_parental)}: no parental sequence, mutations unknown"
        text = f"{text} · {missing}" if text else f"**Mutations** {missing}"
    return text


def _liability_fact(review: StrategyReview) -> str:
    """`Liabilities 1 high · 3 medium · 2 low (scanned here)`, in the humanized chains."""
    hits = [h for c in review.chains for h in c.liabilities]
    sources = sorted({c.liability_source for c in review.chains})
    counts = [f"{sum(h.severity == s for h in hits)} {s}" for s in SEVERITIES if any(h.severity == s for h in hits)]
    found = " · ".join(counts) if counts else "none found"
    return f"**Liabilities** {found} ({md_escape(' / '.join(sources))})" if sources else ""


def build_candidate_card(review: StrategyReview, name: str, job_id: str) -> CandidateCard:
    """The card of one candidate: its format, its counts, and `flags.candidate_flags` split by level."""
    row = review.row
    facts: list[str] = []
    if isinstance(row.vhh_analysis, VhhAnalysis) and row.vhh_analysis.is_vhh is not False:
        facts.append(_vhh_fact(review, row.vhh_analysis))
    if isinstance(row.scfv_analysis, ScfvAnalysis):
        facts.append(_scfv_fact(row.scfv_analysis))
    if isinstance(row.fc_analysis, FcAnalysis):
        facts.append(_fc_fact(row.fc_analysis))
    facts.extend(f for f in (_mutation_fact(review), _liability_fact(review)) if f)
    found = flags.candidate_flags(review)
    return CandidateCard(
        name,
        strategy_url(job_id, name),
        tuple(facts),
        tuple(md_escape(f.text) for f in found if f.level == flags.WARN),
        tuple(md_escape(f.text) for f in found if f.level == flags.NOTE),
    )


def build_candidate_cards(reviews: tuple[StrategyReview, ...], job_id: str) -> list[CandidateCard]:
    return [build_candidate_card(r, name, job_id) for r, name in zip(reviews, _unique_names(reviews))]


def _cards_of(fetched: FetchedJob) -> list[CandidateCard]:
    return build_candidate_cards(strategy_reviews(fetched), fetched.job_id)


def _render_card(card: CandidateCard) -> None:
    # the name is the link (a trailing "open in Humanization" wrapped onto two lines in a 1280 px card)
    st.markdown(f"[**{md_escape(card.name)}**]({card.url})", help="Opens this strategy in the Humanization tab.")
    lines = (
        [f"{WARN_ICON} {w}" for w in card.warnings]
        + [f"{NOTE_ICON} {n}" for n in card.notes]
        + [f"{FACT_ICON} {f}" for f in card.facts]
    )
    st.markdown("  \n".join(lines))


def _render_candidates(fetched: FetchedJob) -> None:
    reviews = strategy_reviews(fetched)
    missing = len(fetched.response.strategies) - len(reviews)
    st.markdown(f"**Humanization candidates** ({len(reviews)})")
    if missing:
        st.warning(f"{missing} strategy(ies) could not be analysed; see the Humanization tab.")
    cards = view(_cards_of, fetched)
    per_row = max(1, min(CARDS_PER_ROW, len(cards)))  # two candidates share the width, not two thirds of it
    for start in range(0, len(cards), per_row):
        row = cards[start : start + per_row]
        columns = st.columns(per_row)  # a short last row leaves its spare columns empty, not boxed
        for column, card in zip(columns, row):
            with column.container(border=True, height="stretch"):
                _render_card(card)
    st.caption(
        "CDR changes count under every CDR definition (IMGT, Kabat, Chothia, North) and name the ones that hold "
        "them; liabilities are sequence motifs in the humanized chains, added or removed against the parental "
        "(scanned here with the same rules on both). Each name opens that strategy in the Humanization tab, with "
        "its numbers, sequences and downloads."
    )


# --- complex ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplexFigures:
    """ipTM and the pLDDT figures of the complex, or why there are none."""

    iptm: float | None
    reading: str  # iptm_interpretation
    plddt: PlddtSummary | None  # None: nothing to show per chain
    interface_source: str  # where the interface residues came from ("" when there are none)
    no_file_plddt: str  # "" or why the file gives no pLDDT (so no interface pLDDT, no per-chain fallback)


def file_holds_no_plddt(model_used: str | None) -> str:
    """Why the file's B-factors cannot be pLDDT, judged from the model name alone ("" = they may be),
    by the same rules as `app.structure.confidence.bfactor_kind`: the file need not be fetched then."""
    kind, why = bfactor_kind(ParsedStructure(()), model_used)
    return "" if kind is ConfidenceKind.PLDDT else why


INTERFACE_ORIGINS = {
    "given": "given by the service (interface_residues)",
    "computed": f"found here: a heavy atom within {CUTOFF_A:g} Å of the other side",
}


def complex_figures(job: JobView, result: ComplexResultRow) -> ComplexFigures:
    """The service's ipTM and per-chain pLDDT; per-chain pLDDT it lacks and the interface pLDDT computed
    here from the file's B-factors (as the Complex section does), unless the model name rules pLDDT out."""
    given: dict[str, float | None] = result.per_chain_plddt if isinstance(result.per_chain_plddt, dict) else {}
    reading = iptm_interpretation(result.iptm)
    service_only = (
        build_plddt_summary(given, None, None, {}, []) if any(v is not None for v in given.values()) else None
    )

    def without_file(why: str) -> ComplexFigures:
        return ComplexFigures(result.iptm, reading, service_only, "", why)

    why_not = file_holds_no_plddt(result.model_used)
    if why_not:
        return without_file(f"{why_not[0].upper()}{why_not[1:]}.")
    if not result.pdb_storage_path:
        return without_file("The service gave no file for the complex.")
    try:
        file = services.load_structure(result.pdb_storage_path)
        parsed = parse_structure(file.text, file.format)
    except errors.ApiError as error:
        return without_file(f"The complex file could not be fetched ({error.title}); see the Complex tab.")
    except StructureParseError:
        return without_file("The complex file could not be read; see the Complex tab.")
    model = view(complex_model, result, file, parsed)  # the Complex tab's own view of the same file
    confidence = model.confidence
    assert confidence is not None
    sides = common.chain_sides(parsed, job)
    kinds = view(chain_kinds, parsed, sides.antibody)
    found = view(find_interface, model, parsed, sides)
    source = INTERFACE_ORIGINS.get(found.origin, "")
    summary = build_plddt_summary(given, parsed, confidence, kinds, found.residues)
    return ComplexFigures(result.iptm, reading, summary, source, "" if confidence.is_plddt else confidence.note)


def _fmt_plddt(value: object) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.1f}"


def _chain_line(chains: pd.DataFrame) -> str:
    """`H (heavy) **96.6** · L (light) **97.0** · A (antigen) **85.4**`"""
    parts = []
    for _, row in chains.iterrows():
        kind = f" ({md_escape(row['Kind'])})" if row["Kind"] else ""
        parts.append(f"{md_escape(row['Chain'])}{kind} **{_fmt_plddt(row['Mean pLDDT'])}**")
    return " · ".join(parts)


def _render_complex(job: JobView, result: ComplexResultRow) -> None:
    figures = complex_figures(job, result)
    st.markdown("**Antibody–antigen complex**")
    c1, c2 = st.columns([1, 2.4], border=True)
    with c1:
        st.metric(
            "ipTM", fmt_fraction(figures.iptm), help="Interface predicted TM-score, as the service gives it (iptm)."
        )
        if figures.iptm is None:
            st.caption("not given by the service")
        else:
            color = next((c for k, c in IPTM_BADGE.items() if figures.reading.startswith(k)), "gray")
            st.markdown(f":{color}-badge[{md_escape(figures.reading)}]")
        st.caption(md_escape(IPTM_ANTIBODY_CAVEAT))
    with c2:
        summary = figures.plddt
        chains = summary.chains if summary is not None else pd.DataFrame(columns=["Mean pLDDT"])
        if chains["Mean pLDDT"].notna().any():
            sources = sorted(set(chains["Source"]) - {"—"})
            st.markdown(f"**pLDDT per chain** {_chain_line(chains)}")
            st.caption(f"Source: {md_escape('; '.join(sources))}. Each value is the mean over the chain's residues.")
        else:
            st.markdown("**pLDDT per chain** not available")
        if summary is not None and not summary.interface.empty:
            whole = summary.interface.iloc[0]
            band = plddt_band(None if pd.isna(whole["Mean pLDDT"]) else whole["Mean pLDDT"])
            sides = " · ".join(
                f"{row['Residues'].lower()} {_fmt_plddt(row['Mean pLDDT'])}"
                for _, row in summary.interface.iloc[1:].iterrows()
            )
            st.markdown(
                f"**Interface pLDDT** **{_fmt_plddt(whole['Mean pLDDT'])}**"
                + (f" ({band.name.lower()})" if band else "")
                + f" · {sides}"
            )
            st.caption(
                f"Computed here from the file's B-factors: the mean over the {whole['Count']} interface residues "
                f"({md_escape(figures.interface_source)}). The service gives no interface pLDDT."
            )
        else:
            st.markdown("**Interface pLDDT** not available")
        if figures.no_file_plddt:
            st.caption(f"No pLDDT in the file: {md_escape(figures.no_file_plddt)}")
        st.caption("The Complex tab has the 3D view, the interface residues with their partners, and the file.")


# --- the section -----------------------------------------------------------------------------------


def render(job: JobView) -> None:
    fetched = job.answer()
    response = fetched.response
    figures = _key_figures(response)
    if figures:
        for column, (label, value, note) in zip(st.columns(len(figures)), figures):
            column.metric(label, value, help=note)
    if response.strategies:
        try:
            _render_candidates(fetched)
        except Exception:
            log.exception("overview: candidate cards failed")
            st.caption("The candidate summary could not be computed; see the Humanization tab.")
    if isinstance(response.complex_result, ComplexResultRow):
        try:
            _render_complex(job, response.complex_result)
        except Exception:
            log.exception("overview: complex figures failed")
            st.caption("The complex figures could not be computed; see the Complex tab.")
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
        followed = response.job.is_followed
        st.info("Results appear here when the job has finished." if followed else "This job has no results.")


def _results(response) -> dict[str, object]:
    return {
        "structure": response.structure_result,
        "stability": response.stability_result,
        "immunogenicity": response.immunogenicity_result,
        "complex": response.complex_result,
    }


def _key_figures(response) -> list[tuple[str, str, str]]:
    """(label, value, help) for the structure, stability and immunogenicity results this job has."""
    figures: list[tuple[str, str, str]] = []
    structure = response.structure_result
    if isinstance(structure, StructureResultRow):
        value = structure.confidence_score
        figures.append(
            (
                "Structure confidence",
                fmt_fraction(value),
                "The service's confidence_score of the model, normalised to 0–1: the model's own score, not a pLDDT.",
            )
        )
    stability = response.stability_result
    if isinstance(stability, StabilityResultRow):
        figures.append(("Developability", fmt_fraction(stability.developability_score), "0–1, higher is better."))
    immuno = response.immunogenicity_result
    if isinstance(immuno, ImmunogenicityResultRow):
        figures.append(("Immunogenicity risk", fmt_fraction(immuno.risk_score), "0–1, higher is riskier."))
    return figures
