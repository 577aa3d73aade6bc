"""Which humanization result a structure, stability or immunogenicity result belongs to.

The structure row names it (`humanization_result_id`). The contract gives stability and
immunogenicity rows no such field; a service may still add one (read from the raw row). Without a
link, the result's own sequence evidence is checked here against every strategy: the wild-type
residue of each stabilizing mutation (`H:S30T`), the peptide of each epitope at its start. That is
evidence, not the service's word, and the page says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.models.contract import (
    HumanizationResultRow,
    ImmunogenicityResultRow,
    JobResponse,
    StabilityResultRow,
)
from app.stability.residues import chain_field

MUTATION = re.compile(r"^\s*([A-Za-z]+)\s*:\s*([A-Z])(\d+)([A-Z])\s*$")

Evidence = tuple[tuple[str, int, str], ...]  # (chain field vh/vl, 1-based start, residues expected there)


@dataclass(frozen=True)
class Match:
    """How many of a result's sequence checks one strategy passes."""

    position: int  # index among the job's strategies
    hits: int
    checks: int


@dataclass(frozen=True)
class VariantLink:
    """The strategy a result belongs to: named by the service, or inferred here, or neither."""

    field: str  # the field the service would name it in, e.g. "humanization_result_id"
    given_id: str | None  # the id the service gave (None: it gave none)
    position: int | None  # the strategy that id names, among the job's strategies
    evidence: str = ""  # what was checked when no id was given ("" = nothing to check)
    matches: tuple[Match, ...] = ()  # the strategies that pass every check (when no id was given)
    checks: int = 0

    @property
    def inferred(self) -> int | None:
        """The one strategy the evidence points to, when exactly one passes every check."""
        return self.matches[0].position if len(self.matches) == 1 else None


def row_position(strategies: list[HumanizationResultRow], result_id: str | None) -> int | None:
    wanted = (result_id or "").strip().lower()
    if not wanted:
        return None
    return next((i for i, row in enumerate(strategies) if row.id and str(row.id).strip().lower() == wanted), None)


def stability_evidence(result: StabilityResultRow) -> Evidence:
    out = []
    for item in result.stabilizing_mutations if isinstance(result.stabilizing_mutations, list) else []:
        found = MUTATION.match(item.mutation or "")
        side = chain_field(found.group(1)) if found else None
        if found and side:
            out.append((side, int(found.group(3)), found.group(2)))
    return tuple(out)


def immunogenicity_evidence(result: ImmunogenicityResultRow) -> Evidence:
    out = []
    for group in (result.mhc1_epitopes, result.mhc2_epitopes, result.bcell_epitopes):
        for epitope in group if isinstance(group, list) else []:
            side = chain_field(epitope.chain)
            text = getattr(epitope, "peptide", None) or getattr(epitope, "sequence", None)
            if side and text and epitope.start >= 1:
                out.append((side, epitope.start, text.strip().upper()))
    return tuple(dict.fromkeys(out))


def passes(row: HumanizationResultRow, evidence: Evidence) -> int:
    """How many checks the strategy's humanized sequences pass."""
    hits = 0
    for side, start, expected in evidence:
        sequence = (row.humanized(side) or "").upper()
        if sequence[start - 1 : start - 1 + len(expected)] == expected:
            hits += 1
    return hits


def link_for(response: JobResponse, section: str, raw_row: object) -> VariantLink:
    """The link of the `structure`, `stability` or `immunogenicity` result to a strategy."""
    strategies = response.strategies
    given = raw_row.get("humanization_result_id") if isinstance(raw_row, dict) else None
    given = str(given).strip() if isinstance(given, (str, int)) and str(given).strip() else None
    field = "humanization_result_id"
    if given or section == "structure":
        return VariantLink(field, given, row_position(strategies, given))
    result = response.stability_result if section == "stability" else response.immunogenicity_result
    if isinstance(result, StabilityResultRow):
        evidence, what = stability_evidence(result), "the wild-type residues of its stabilizing mutations"
    elif isinstance(result, ImmunogenicityResultRow):
        evidence, what = immunogenicity_evidence(result), "its epitope sequences at their positions"
    else:
        evidence, what = (), ""
    if not evidence or not strategies:
        return VariantLink(field, None, None)
    scored = [Match(i, passes(row, evidence), len(evidence)) for i, row in enumerate(strategies)]
    full = tuple(m for m in scored if m.hits == m.checks)
    return VariantLink(field, None, None, what, full, len(evidence))
