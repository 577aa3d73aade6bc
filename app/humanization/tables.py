"""DataFrames of the Humanization section: one builder per table, each from the reviews alone."""

from __future__ import annotations

import math

import pandas as pd

from app.conventions import REGION_ORDER
from app.humanization.review import ChainReview, StrategyReview
from app.residues import DEFINITION_ORDER, DEFINITIONS

SEVERITIES = ("high", "medium", "low")
# Which way is better, per overview column kind (stated in the UI next to the table).
LOWER_IS_BETTER = "lower"
HIGHER_IS_BETTER = "higher"


def _pct(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(value * 100, 1)


def overview_frame(reviews: list[StrategyReview]) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per strategy, and for each numeric column which direction is better."""
    rows, better = [], {}
    for review in reviews:
        row: dict[str, object] = {"Strategy": review.name}
        for key, name in (("vh", "VH"), ("vl", "VL")):
            chain = review.chain(key)
            counts = chain.counts if chain else None
            human = chain.humanness if chain else None
            for column, value, direction in (
                (f"{name} total", counts.total if counts else None, LOWER_IS_BETTER),
                (f"{name} FR", counts.framework if counts else None, LOWER_IS_BETTER),
                (f"{name} CDR any", counts.cdr_any if counts else None, LOWER_IS_BETTER),
                *(
                    (f"{name} CDR {DEFINITIONS[d].title}", counts.cdr_under(d) if counts else None, None)
                    for d in DEFINITION_ORDER
                ),
                (f"{name} Vernier", counts.vernier if counts else None, LOWER_IS_BETTER),
                (f"{name} FR kept %", _pct(counts.framework_kept) if counts else None, HIGHER_IS_BETTER),
                (f"{name} OASis pct", _pct(human.percentile) if human else None, HIGHER_IS_BETTER),
                (f"{name} identity %", _pct(human.identity) if human else None, HIGHER_IS_BETTER),
                (f"{name} germline %", _pct(human.germline_content) if human else None, HIGHER_IS_BETTER),
            ):
                row[column] = value
                if direction is not None:  # per-definition CDR counts are read, not ranked: "any" is
                    better[column] = direction
        for severity in SEVERITIES:
            column = f"Liab. {severity}"
            row[column] = sum(h.severity == severity for c in review.chains for h in c.liabilities)
            better[column] = LOWER_IS_BETTER
        rows.append(row)
    frame = pd.DataFrame(rows)
    # Drop columns with no value at all (e.g. VL of a VHH, OASis when never sent).
    empty = [c for c in frame.columns if c != "Strategy" and frame[c].isna().all()]
    frame = frame.drop(columns=empty)
    for column in frame.columns:
        if column != "Strategy":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Float64")
    return frame, {c: d for c, d in better.items() if c in frame.columns}


MUTATION_COLUMN_SUFFIXES = (
    " total",
    " FR",
    " CDR any",
    *(f" CDR {DEFINITIONS[d].title}" for d in DEFINITION_ORDER),
    " Vernier",
    " FR kept %",
)
REGION_COLUMNS = tuple(f"region_{d}" for d in DEFINITION_ORDER)  # one per CDR definition, named by it


def split_overview(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(mutation counts, humanness and liabilities), each keeping the Strategy column."""
    mutation_columns = [c for c in frame.columns if c.endswith(MUTATION_COLUMN_SUFFIXES)]
    other = [c for c in frame.columns if c != "Strategy" and c not in mutation_columns]
    return frame[["Strategy", *mutation_columns]], frame[["Strategy", *other]]


def per_chain_rows(mutations: pd.DataFrame) -> pd.DataFrame:
    """The mutation counts one row per (strategy, chain): "VH total", "VL CDR any"… become a Chain
    column and "total", "CDR any"…, so a two-chain overview is 10 columns wide, not 17."""
    rows: list[dict[str, object]] = []
    for _, row in mutations.iterrows():
        by_chain: dict[str, dict[str, object]] = {}
        for column in mutations.columns:
            if column == "Strategy":
                continue
            chain, _, measure = column.partition(" ")
            by_chain.setdefault(chain, {"Strategy": row["Strategy"], "Chain": chain})[measure] = row[column]
        rows.extend(by_chain.values())
    return pd.DataFrame(rows)


def best_mask(frame: pd.DataFrame, better: dict[str, str]) -> pd.DataFrame:
    """True where a cell holds its column's best value (ties all marked; nothing marked if one row)."""
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    if len(frame) < 2:
        return mask
    for column, direction in better.items():
        if column not in frame.columns:
            continue
        values = frame[column].astype("float64")
        if values.isna().all() or values.nunique(dropna=True) < 2:
            continue
        target = values.min() if direction == LOWER_IS_BETTER else values.max()
        mask[column] = values == target
    return mask


def cdr_under_text(definitions: tuple[str, ...]) -> str:
    """'Kabat, North' for a residue in a CDR under those definitions; '—' when in none."""
    return ", ".join(DEFINITIONS[d].title for d in definitions) or "—"


def mutation_frame(reviews: list[StrategyReview]) -> pd.DataFrame:
    """One row per mutation with its region under each CDR definition (`region_imgt` … `region_north`)."""
    rows = []
    for review in reviews:
        for chain in review.chains:
            for m in chain.mutations:
                rows.append(
                    {
                        "Strategy": review.name,
                        "Chain": chain.name,
                        "Position": m.label,
                        "Index": m.humanized_index,
                        "From": m.from_aa,
                        "To": m.to_aa,
                        **{f"region_{d}": m.region_under(d) or "—" for d in DEFINITION_ORDER},
                        "CDR under": cdr_under_text(m.cdr_definitions),
                        "Vernier": m.vernier,
                        "Reason": m.reason,
                        "Source": "service" if m.source == "service" else "found here (alignment)",
                    }
                )
    columns = [
        "Strategy",
        "Chain",
        "Position",
        "Index",
        "From",
        "To",
        *REGION_COLUMNS,
        "CDR under",
        "Vernier",
        "Reason",
        "Source",
    ]
    return pd.DataFrame(rows, columns=columns).astype({"Index": "Int64"})


def region_counts_frame(chains: list[ChainReview]) -> pd.DataFrame:
    """Mutations per region (rows) and chain (columns)."""
    data = {}
    for chain in chains:
        counts = {region: 0 for region in REGION_ORDER}
        for m in chain.mutations:
            counts[m.region or "—"] = counts.get(m.region or "—", 0) + 1
        data[chain.name] = counts
    frame = pd.DataFrame(data).fillna(0).astype(int)
    frame.index.name = "Region"
    return frame


def liability_frame(reviews: list[StrategyReview]) -> pd.DataFrame:
    rows = []
    for review in reviews:
        for chain in review.chains:
            for h in chain.liabilities:
                rows.append(
                    {
                        "Strategy": review.name,
                        "Chain": chain.name,
                        "Type": h.type_label,
                        "Motif": h.motif,
                        "Severity": h.severity,
                        "Position": h.position_label,
                        "Start": h.start,
                        "End": h.end,
                        "Region": h.region or "—",
                        "In CDR": h.in_cdr,
                        "Source": h.source,
                        "Severity after": h.severity_source or "the service",
                        "Service said": h.service_severity or "",
                    }
                )
    columns = [
        "Strategy",
        "Chain",
        "Type",
        "Motif",
        "Severity",
        "Position",
        "Start",
        "End",
        "Region",
        "In CDR",
        "Source",
        "Severity after",
        "Service said",
    ]
    return pd.DataFrame(rows, columns=columns)


def liability_summary_frame(chains: list[ChainReview]) -> pd.DataFrame:
    """Count per type × severity, and how many of them sit in CDRs."""
    rows: dict[tuple[str, str], dict[str, int]] = {}
    for chain in chains:
        for h in chain.liabilities:
            entry = rows.setdefault((h.type_label, h.severity), {"Count": 0, "In CDRs": 0})
            entry["Count"] += 1
            entry["In CDRs"] += int(h.in_cdr)
    frame = pd.DataFrame(
        [{"Type": t, "Severity": s, **v} for (t, s), v in rows.items()],
        columns=["Type", "Severity", "Count", "In CDRs"],
    )
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return frame.sort_values(
        by=["Severity", "Type"], key=lambda col: col.map(order) if col.name == "Severity" else col
    ).reset_index(drop=True)


def liability_changes_frame(chains: list[ChainReview]) -> pd.DataFrame:
    rows = []
    for chain in chains:
        for change in chain.liability_changes:
            h = change.hit
            rows.append(
                {
                    "Change": change.change,
                    "Chain": chain.name,
                    "Type": h.type_label,
                    "Motif": h.motif,
                    "Severity": h.severity,
                    "Position": h.position_label,
                    "Region": h.region or "—",
                    "In CDR": h.in_cdr,
                }
            )
    return pd.DataFrame(rows, columns=["Change", "Chain", "Type", "Motif", "Severity", "Position", "Region", "In CDR"])


def numbering_frame(chain: ChainReview) -> pd.DataFrame:
    n = chain.numbering
    return pd.DataFrame(
        {
            "Index": range(1, len(n.sequence) + 1),
            "Position": list(n.labels),
            "Residue": list(n.sequence),
            "Region": [r or "—" for r in n.regions],
        }
    )
