"""The comparison of candidates across jobs: one row per candidate, one column per measure.

Humanization measures belong to the candidate (its strategy's row). Stability, immunogenicity and
the complex are one row per job, and the contract does not say which strategy they describe: those
columns are marked "(job)". A structure's mean pLDDT belongs to the strategy it modelled
(`humanization_result_id`), else, with a single candidate, to that one; otherwise it is left blank.

Differences are marked per column (the leading and trailing values, when the spread is larger than
the column's threshold), never as one overall ranking: the trade-offs stay visible.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from app.client import FetchedJob
from app.humanization.exports import csv_text
from app.humanization.review import StrategyReview
from app.humanization.vhh import hallmark_rows
from app.models import VhhAnalysis
from app.residues import DEFINITION_ORDER, DEFINITIONS
from app.reviews.candidates import Candidate
from app.reviews.store import ReviewHistory

LOWER, HIGHER = "lower", "higher"


@dataclass(frozen=True)
class Measure:
    column: str
    better: str | None  # LOWER / HIGHER is better; None: not ranked
    min_difference: float  # a smaller spread is not marked


def _chain_measures(name: str) -> tuple[Measure, ...]:
    """Mutations of one chain: CDR ones under each definition (shown, not ranked: the definitions
    disagree at their edges) and under any of them (ranked), as app.humanization.tables does."""
    per_definition = tuple(Measure(f"{name} CDR mut. ({DEFINITIONS[d].title})", None, 1) for d in DEFINITION_ORDER)
    return (
        Measure(f"{name} mutations", LOWER, 1),
        Measure(f"{name} CDR mut. (any)", LOWER, 1),
        *per_definition,
        Measure(f"{name} Vernier mut.", LOWER, 1),
        Measure(f"{name} FR kept %", HIGHER, 2),
    )


MEASURES = (
    *_chain_measures("VH"),
    *_chain_measures("VL"),
    Measure("VH OASis pct", HIGHER, 5),
    Measure("VL OASis pct", HIGHER, 5),
    Measure("VH human identity %", HIGHER, 2),
    Measure("VL human identity %", HIGHER, 2),
    Measure("VH germline content %", HIGHER, 2),
    Measure("VL germline content %", HIGHER, 2),
    Measure("Liab. high", LOWER, 1),
    Measure("Liab. medium", LOWER, 1),
    Measure("Liab. low", LOWER, 1),
    Measure("VHH hallmarks kept", HIGHER, 1),
    Measure("Tm °C (job)", HIGHER, 1),
    Measure("Developability (job)", HIGHER, 0.05),
    Measure("Aggregation (job)", LOWER, 0.05),
    Measure("Immunogenicity risk (job)", LOWER, 0.05),
    Measure("MHC-II risk (job)", LOWER, 0.05),
    Measure("Mean pLDDT (modelled)", HIGHER, 2),
    Measure("ipTM (job)", HIGHER, 0.05),
)
MEASURE_BY_COLUMN = {m.column: m for m in MEASURES}


def is_count(column: str) -> bool:
    return "mut." in column or column.endswith(("mutations", "hallmarks kept")) or column.startswith("Liab.")


@dataclass(frozen=True)
class JobCandidates:
    """One job of the comparison: what was fetched, its candidates and the strategies' reviews."""

    fetched: FetchedJob
    candidates: Sequence[Candidate]
    reviews: Sequence[StrategyReview]  # in `results` order, as many as the strategy candidates (or none)


def _pct(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(value * 100, 1)


def _mean_plddt(fetched: FetchedJob) -> float | None:
    structure = fetched.response.structure_result
    values = getattr(structure, "per_residue_plddt", None)
    if isinstance(values, dict):
        flat = [v for chain in values.values() for v in chain if v is not None]
        if flat:
            return round(sum(flat) / len(flat), 1)
    return None


def _modelled_key(fetched: FetchedJob, candidates: Sequence[Candidate]) -> str | None:
    """Which candidate the structure is of: by humanization_result_id, else the only candidate."""
    structure = fetched.response.structure_result
    target = getattr(structure, "humanization_result_id", None)
    if target:
        return next((c.key for c in candidates if c.key == f"r:{target}"), None)
    return candidates[0].key if len(candidates) == 1 else None


def _hallmarks_kept(review: StrategyReview) -> float | None:
    vhh = review.row.vhh_analysis
    if not isinstance(vhh, VhhAnalysis) or not vhh.is_vhh or not vhh.hallmarks:
        return None
    rows = hallmark_rows(vhh.hallmarks, vhh.humanized_hallmarks or {}, vhh.hallmark_scheme)
    kept = [r for r in rows if r["Changed"] == "no"]
    known = [r for r in rows if r["Changed"] in ("yes", "no")]
    return float(len(kept)) if known else None


def _strategy_measures(review: StrategyReview) -> dict[str, object]:
    row: dict[str, object] = {}
    schemes = []
    for key, name in (("vh", "VH"), ("vl", "VL")):
        chain = review.chain(key)
        if chain is None:
            continue
        counts, human = chain.counts, chain.humanness
        row[f"{name} mutations"] = counts.total
        row[f"{name} CDR mut. (any)"] = counts.cdr_any
        for definition in DEFINITION_ORDER:
            row[f"{name} CDR mut. ({DEFINITIONS[definition].title})"] = counts.cdr_under(definition)
        row[f"{name} Vernier mut."] = counts.vernier
        row[f"{name} FR kept %"] = _pct(counts.framework_kept)
        row[f"{name} OASis pct"] = _pct(human.percentile) if human else None
        row[f"{name} human identity %"] = _pct(human.identity) if human else None
        row[f"{name} germline content %"] = _pct(human.germline_content) if human else None
        if chain.numbering.scheme:
            schemes.append(f"{name} {chain.numbering.scheme.upper()}")
    for severity in ("high", "medium", "low"):
        row[f"Liab. {severity}"] = sum(h.severity == severity for c in review.chains for h in c.liabilities)
    row["VHH hallmarks kept"] = _hallmarks_kept(review)
    row["Numbering"] = ", ".join(schemes) or None
    return row


def _job_measures(fetched: FetchedJob) -> dict[str, object]:
    response = fetched.response
    stability, immuno, complex_ = response.stability_result, response.immunogenicity_result, response.complex_result
    return {
        "Tm °C (job)": getattr(stability, "melting_temp_predicted", None),
        "Developability (job)": getattr(stability, "developability_score", None),
        "Aggregation (job)": getattr(stability, "aggregation_score", None),
        "Immunogenicity risk (job)": getattr(immuno, "risk_score", None),
        "MHC-II risk (job)": getattr(immuno, "mhc2_risk", None),
        "ipTM (job)": getattr(complex_, "iptm", None),
    }


def comparison_frame(jobs: Sequence[JobCandidates], history: ReviewHistory | None, readable: set[str]) -> pd.DataFrame:
    """One row per candidate of every job; identity columns first, then the measures that have a value.
    The decision is shown only for `readable` jobs (else "not shown"), and only when `history` was read."""
    rows = []
    for item in jobs:
        fetched = item.fetched
        job_id = fetched.job_id
        job_values = _job_measures(fetched)
        modelled = _modelled_key(fetched, item.candidates)
        plddt = _mean_plddt(fetched)
        strategies = [c for c in item.candidates if c.position is not None]
        reviews = dict(zip((c.key for c in strategies), item.reviews)) if len(item.reviews) == len(strategies) else {}
        for candidate in item.candidates:
            visible = history is not None and job_id in readable
            current = history.of(job_id, candidate.key).current if visible else None  # type: ignore[union-attr]
            row: dict[str, object] = {
                "Job": job_id[:8],
                "Job type": fetched.response.job.job_type or "",
                "Candidate": candidate.label,
                "Decision": current.text if current else ("none yet" if visible else "not shown"),
                "Open": f"./?job_id={job_id}&section=Review",
            }
            review = reviews.get(candidate.key)
            if review is not None:
                row.update(_strategy_measures(review))
            row.update(job_values)
            row["Mean pLDDT (modelled)"] = plddt if candidate.key == modelled else None
            row["_job_id"] = job_id
            row["_key"] = candidate.key
            rows.append(row)
    frame = pd.DataFrame(rows)
    present = [m.column for m in MEASURES if m.column in frame.columns and frame[m.column].notna().any()]
    for column in present:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Float64")
    identity = ["Job", "Candidate", "Open", "Decision", "Job type"]
    extra = ["Numbering"] if "Numbering" in frame.columns else []
    return frame[[*identity, *extra, *present, "_job_id", "_key"]] if rows else frame


def marks(frame: pd.DataFrame) -> pd.DataFrame:
    """Per cell: "lead", "trail" or "" — the best and worst of a column whose spread matters."""
    out = pd.DataFrame("", index=frame.index, columns=frame.columns)
    if len(frame) < 2:
        return out
    for column in frame.columns:
        measure = MEASURE_BY_COLUMN.get(column)
        if measure is None or measure.better is None:
            continue
        values = frame[column].astype("float64")
        if values.notna().sum() < 2 or (values.max() - values.min()) < measure.min_difference:
            continue
        best, worst = (values.min(), values.max()) if measure.better == LOWER else (values.max(), values.min())
        out.loc[values == best, column] = "lead"
        out.loc[values == worst, column] = "trail"
    return out


def trade_offs(frame: pd.DataFrame, cell_marks: pd.DataFrame) -> pd.Series:
    """Per candidate, in words: where it leads and where it trails."""

    def describe(index: object) -> str:
        leads = [c for c in cell_marks.columns if cell_marks.at[index, c] == "lead"]
        trails = [c for c in cell_marks.columns if cell_marks.at[index, c] == "trail"]
        parts = []
        if leads:
            parts.append("leads: " + ", ".join(leads))
        if trails:
            parts.append("trails: " + ", ".join(trails))
        return "; ".join(parts)

    return pd.Series([describe(i) for i in frame.index], index=frame.index, dtype="object")


def comparison_csv(frame: pd.DataFrame) -> str:
    public = frame.drop(columns=[c for c in frame.columns if c.startswith("_") or c == "Open"])
    return csv_text(public)
