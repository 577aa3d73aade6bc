"""Deimmunization suggestions, each checked against the job's CDRs and its stability result.

A suggestion that removes T-cell epitopes is only useful if it keeps binding (not in a CDR) and does
not destabilise the domain: where the ddG matrix has the mutation, ddG > 0 counts as destabilizing.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from app.models import DeimmunizationSuggestion, StabilizingMutation
from app.residues import residue_text
from app.stability.ddg import DdgTable, MutationCode
from app.stability.residues import ResidueContext, chain_field, is_cdr

COLUMNS = [
    "mutation",
    "position",
    "region",
    "touches CDR",
    "epitopes removed",
    "risk after",
    "stability",
    "ddG (kcal/mol)",
    "note",
]


def stability_verdict(ddg: float | None, has_matrix: bool, listed_stabilizing: bool) -> str:
    """Plain words for what the stability result says about a mutation."""
    if ddg is not None:
        if ddg > 0:
            return f"destabilizing ({ddg:+.2f})"
        if ddg < 0:
            return f"stabilizing ({ddg:+.2f})"
        return "neutral (0)"
    if listed_stabilizing:
        return "listed as stabilizing"
    return "not in the ddG matrix" if has_matrix else "no ddG matrix"


def _listed(stabilizing: Sequence[StabilizingMutation]) -> set[tuple[str | None, str, str, str]]:
    out = set()
    for m in stabilizing:
        code = MutationCode.parse(m.mutation)
        if code:
            out.add((chain_field(code.chain), code.wt, code.label, code.mutant))
    return out


def suggestions_frame(
    suggestions: Sequence[DeimmunizationSuggestion],
    context: ResidueContext,
    table: DdgTable | None,
    stabilizing: Sequence[StabilizingMutation] = (),
) -> pd.DataFrame:
    """One row per suggestion, most epitopes removed first, with CDR and stability cross-checks."""
    listed = _listed(stabilizing)
    records = []
    for s in suggestions:
        chain = (s.chain or "?").strip() or "?"
        residues = context.for_chain(chain)
        wt = (s.from_aa or "").strip().upper() or (residues.aa_at(s.position) if residues else None) or "?"
        to = (s.to_aa or "").strip().upper() or "?"
        region = residues.region_at(s.position) if residues else None
        label = residues.label_at(s.position) if residues else None
        ddg = table.lookup(chain, s.position, to) if table is not None else None
        side = chain_field(chain)
        is_listed = any((side, wt, str(x), to) in listed for x in (label, s.position) if x is not None)
        number = label or (s.position if s.position is not None else "?")  # the scheme's label, as every tab
        records.append(
            {
                "mutation": f"{chain}:{wt}{number}{to}",
                "position": residue_text(chain, label, context.scheme if label else None, index=s.position),
                "region": region,
                "touches CDR": is_cdr(region),
                "epitopes removed": s.epitopes_removed,
                "risk after": s.predicted_risk_after,
                "ddG (kcal/mol)": ddg,
                "stability": stability_verdict(ddg, table is not None, is_listed),
                "note": s.note,
            }
        )
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    for column in ("epitopes removed", "risk after", "ddG (kcal/mol)"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame.sort_values(
        ["epitopes removed", "risk after"], ascending=[False, True], kind="stable", na_position="last"
    ).reset_index(drop=True)
