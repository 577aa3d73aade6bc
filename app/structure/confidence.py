"""What a structure's per-residue confidence is, and where it came from.

pLDDT comes from the API's `per_residue_plddt` when given, else from the file's B-factors. A
B-factor column is only read as pLDDT when nothing says otherwise: ABodyBuilder2/ImmuneBuilder
write a predicted error in Å there (low is good), experimental files hold temperature factors,
and a set that is neither 0-1 nor a plausible 0-100 pLDDT is not shown as pLDDT either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from app.scales import plddt_values_0_100
from app.structure.model import ParsedStructure, ResidueId

# Tools that write a predicted error (Å) in the B-factor column (ImmuneBuilder's family).
ERROR_IN_BFACTOR_TOOLS = re.compile(r"abodybuilder|immunebuilder|nanobodybuilder|tcrbuilder", re.IGNORECASE)
EXPERIMENTAL_WORDS = re.compile(
    r"x-?ray|crystal|diffraction|\bnmr\b|cryo-?em|electron microscopy|experimental", re.IGNORECASE
)
IMPLAUSIBLE_PLDDT_MAX = 30.0  # a 0-100 pLDDT set whose best residue is below this is not pLDDT


class ConfidenceKind(str, Enum):
    PLDDT = "plddt"  # 0-100, higher is better
    PREDICTED_ERROR = "predicted_error"  # Å, lower is better
    TEMPERATURE_FACTOR = "temperature_factor"  # experimental B-factors (Å²)
    UNKNOWN = "unknown"  # B-factors that fit no known reading
    NONE = "none"


@dataclass(frozen=True)
class ResidueConfidence:
    """Per-residue values of one kind, keyed by residue, with where they came from."""

    kind: ConfidenceKind
    values: dict[ResidueId, float | None]
    source: str  # "api", "file" or ""
    note: str  # one sentence for the page: where the values come from and on what scale

    @property
    def is_plddt(self) -> bool:
        return self.kind is ConfidenceKind.PLDDT

    def by_chain(self) -> dict[str, list[tuple[ResidueId, float | None]]]:
        out: dict[str, list[tuple[ResidueId, float | None]]] = {}
        for rid, value in self.values.items():
            out.setdefault(rid.chain, []).append((rid, value))
        return out


def _mentions(pattern: re.Pattern[str], *texts: str | None) -> bool:
    return any(t and pattern.search(t) for t in texts)


def bfactor_kind(parsed: ParsedStructure, model_used: str | None) -> tuple[ConfidenceKind, str]:
    """How to read this file's B-factor column, and why (the API's model name, then the file)."""
    header = " ".join(parsed.header)
    if _mentions(ERROR_IN_BFACTOR_TOOLS, model_used):
        return (
            ConfidenceKind.PREDICTED_ERROR,
            "the service names an ImmuneBuilder-family model, which writes a predicted error in Å in the B-factor column",
        )
    if _mentions(ERROR_IN_BFACTOR_TOOLS, header):
        return (
            ConfidenceKind.PREDICTED_ERROR,
            "the file's header names ABodyBuilder2/ImmuneBuilder, which write a predicted error in Å in the B-factor column",
        )
    if parsed.experimental_method or parsed.resolution:
        return (
            ConfidenceKind.TEMPERATURE_FACTOR,
            f"the file is an experimental structure ({parsed.experimental_method or 'with a resolution'}): its B-factors are temperature factors",
        )
    if _mentions(EXPERIMENTAL_WORDS, model_used):
        return (
            ConfidenceKind.TEMPERATURE_FACTOR,
            "the service describes this as an experimental structure: its B-factors are temperature factors",
        )
    return ConfidenceKind.PLDDT, ""


def from_bfactors(parsed: ParsedStructure, model_used: str | None) -> ResidueConfidence:
    """Per-residue confidence read from the B-factor column, on the right scale, or refused."""
    residues = [r for c in parsed.chains for r in c.residues]
    raw = [r.bfactor for r in residues]
    if not residues:
        return ResidueConfidence(ConfidenceKind.NONE, {}, "", "The file has no polymer residues.")
    kind, why = bfactor_kind(parsed, model_used)
    present = [v for v in raw if v is not None]
    if kind is ConfidenceKind.PLDDT:
        if present and max(present) <= 1.0:
            values = plddt_values_0_100(raw)
            note = "pLDDT read from the file's B-factor column (0–1 scale, shown ×100)."
        elif present and max(present) < IMPLAUSIBLE_PLDDT_MAX:
            lo, hi = min(present), max(present)
            return ResidueConfidence(
                ConfidenceKind.UNKNOWN,
                {r.id: v for r, v in zip(residues, raw)},
                "file",
                f"The file's B-factors range {lo:.2f}–{hi:.2f}: neither a 0–1 nor a plausible 0–100 pLDDT "
                "(perhaps a predicted error in Å), so they are not shown as pLDDT.",
            )
        elif present and max(present) <= 100.0:
            values = plddt_values_0_100(raw)
            note = "pLDDT read from the file's B-factor column (0–100 scale)."
        else:
            return ResidueConfidence(
                ConfidenceKind.UNKNOWN,
                {r.id: v for r, v in zip(residues, raw)},
                "file",
                "The file's B-factors exceed 100, so they are not pLDDT and are not shown as pLDDT.",
            )
        return ResidueConfidence(ConfidenceKind.PLDDT, {r.id: v for r, v in zip(residues, values)}, "file", note)
    values_map = {r.id: v for r, v in zip(residues, raw)}
    if kind is ConfidenceKind.PREDICTED_ERROR:
        return ResidueConfidence(
            kind, values_map, "file", f"Not pLDDT: {why}. It is shown as predicted error (Å; lower is better)."
        )
    return ResidueConfidence(kind, values_map, "file", f"No pLDDT: {why}.")


def from_api(
    parsed: ParsedStructure, per_residue: dict[str, list[float | None]]
) -> tuple[ResidueConfidence, list[str]]:
    """The API's per-residue pLDDT (already 0-100) mapped onto the file's residues, chain by chain.

    Returns the confidence and problems found (a chain missing in the file, a length mismatch).
    """
    values: dict[ResidueId, float | None] = {}
    problems: list[str] = []
    for chain_name, plddts in per_residue.items():
        chain = parsed.chain(chain_name)
        if chain is None:
            problems.append(f"chain {chain_name} of per_residue_plddt is not in the file")
            continue
        if len(plddts) != len(chain):
            problems.append(f"chain {chain_name}: {len(plddts)} pLDDT values for {len(chain)} residues in the file")
        for residue, value in zip(chain.residues, plddts):
            values[residue.id] = value
    note = "pLDDT as given by the service (per_residue_plddt)."
    return ResidueConfidence(ConfidenceKind.PLDDT, values, "api", note), problems


def residue_confidence(
    parsed: ParsedStructure, per_residue: dict[str, list[float | None]] | None, model_used: str | None
) -> tuple[ResidueConfidence, list[str]]:
    """The API's pLDDT when it has any value, else the file's B-factors read as `from_bfactors` says."""
    if per_residue and any(v is not None for vs in per_residue.values() for v in vs):
        confidence, problems = from_api(parsed, per_residue)
        if confidence.values:
            return confidence, problems
        fallback = from_bfactors(parsed, model_used)
        return fallback, problems
    return from_bfactors(parsed, model_used), []


def mean(values: list[float | None]) -> float | None:
    numbers = [v for v in values if v is not None]
    return sum(numbers) / len(numbers) if numbers else None


FRAME_MIN_PLDDT = 50.0  # below: "very low", mostly disordered, should not set the initial zoom
FRAME_TAIL_PLDDT = 70.0  # chain termini below "confident" (tags, linkers) are left out of the frame too
FRAME_MIN_LEFT_OUT = 5  # a residue or two at a chain end does not move the zoom: frame everything then


def framed_residues(parsed: ParsedStructure, confidence: ResidueConfidence | None) -> tuple[ResidueId, ...]:
    """The residues the initial 3D view frames, so that disordered tails do not set the zoom: every
    residue with pLDDT ≥ 50, except the runs at either end of a chain below 70 (an AF3 model's
    His-tag at 50–70 is a tail as much as an AF2 model's at < 50). () (frame everything) when fewer
    than 5 residues would be left out, when nothing would be left, or when the values are not pLDDT."""
    if confidence is None or not confidence.is_plddt:
        return ()
    kept: list[ResidueId] = []
    total = 0
    for chain in parsed.chains:
        values = [confidence.values.get(r.id) for r in chain.residues]
        total += len(values)
        solid = [i for i, v in enumerate(values) if v is not None and v >= FRAME_TAIL_PLDDT]
        if not solid:
            continue
        for residue, value in zip(chain.residues[solid[0] : solid[-1] + 1], values[solid[0] : solid[-1] + 1]):
            if value is None or value >= FRAME_MIN_PLDDT:
                kept.append(residue.id)
    return tuple(kept) if kept and total - len(kept) >= FRAME_MIN_LEFT_OUT else ()


def chain_means(parsed: ParsedStructure, confidence: ResidueConfidence) -> dict[str, float | None]:
    """Mean per-residue value of each chain (pLDDT: the per-chain pLDDT), in file order."""
    return {c.name: mean([confidence.values.get(r.id) for r in c.residues]) for c in parsed.chains}


def mean_over(confidence: ResidueConfidence, residues: list[ResidueId] | set[ResidueId]) -> float | None:
    """Mean over the given residues (e.g. the interface pLDDT over the interface residues)."""
    return mean([confidence.values.get(rid) for rid in residues])
