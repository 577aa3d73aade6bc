"""The ddG matrix as a typed table: positions resolved to chain, index, label and region.

Positions arrive as "H:30". Whether "30" is a numbering label or a 1-based sequence index is not
fixed by the contract, so each chain is read the way its wild types agree with best (a wild type is
known where exactly one cell of a row is 0, the identity mutation, or from "H:S30T" codes); a tie
means numbering label, as the dashboard's rule. Negative ddG = stabilizing (kcal/mol).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.models import DdgMatrix, StabilizingMutation
from app.residues import ResidueLabel, ResiduePosition, residue_text
from app.stability.residues import ChainResidues, ResidueContext, chain_field, is_cdr

_MUTATION_RE = re.compile(r"^\s*(?:([A-Za-z0-9]{1,8})\s*[:_]\s*)?([A-Za-z])(-?\d+[A-Za-z]?)([A-Za-z])\s*$")
ZERO = 1e-9


@dataclass(frozen=True)
class Position:
    """A position label such as "H:30" or "L:52A": chain and label (None when it did not parse)."""

    raw: str
    chain: str | None
    label: str | None

    @classmethod
    def parse(cls, text: object) -> Position:
        raw = "" if text is None else str(text)
        parsed = ResiduePosition.parse(raw)
        if parsed is None:
            return cls(raw, None, None)
        return cls(raw, parsed.chain, str(parsed.label))

    @property
    def number(self) -> int | None:
        """The label as an integer when it is one (no insertion code)."""
        parsed = ResidueLabel.parse(self.label)
        return parsed.number if parsed is not None and not parsed.icode else None


@dataclass(frozen=True)
class MutationCode:
    """A point mutation such as "H:S30T": chain, wild type, position label, mutant."""

    raw: str
    chain: str | None
    wt: str
    label: str
    mutant: str

    @classmethod
    def parse(cls, text: object) -> MutationCode | None:
        raw = "" if text is None else str(text)
        match = _MUTATION_RE.match(raw)
        if not match:
            return None
        chain, wt, label, mutant = match.groups()
        return cls(raw, chain.upper() if chain else None, wt.upper(), str(ResidueLabel.parse(label)), mutant.upper())

    @property
    def position(self) -> Position:
        return Position(self.raw, self.chain, self.label)

    def __str__(self) -> str:
        prefix = f"{self.chain}:" if self.chain else ""
        return f"{prefix}{self.wt}{self.label}{self.mutant}"


def _matrix_values(matrix: DdgMatrix, n_aa: int) -> tuple[np.ndarray, list[str]]:
    """Rows × amino acids as floats (NaN = not computed); ragged rows padded or cut, with notes."""
    notes: list[str] = []
    n_pos = len(matrix.positions)
    rows = list(matrix.values)
    if len(rows) != n_pos:
        notes.append(f"The matrix has {len(rows)} rows for {n_pos} positions: extra rows ignored, missing rows blank.")
    out = np.full((n_pos, n_aa), np.nan)
    ragged = 0
    for i, row in enumerate(rows[:n_pos]):
        row = list(row or [])
        if len(row) != n_aa:
            ragged += 1
        for j, value in enumerate(row[:n_aa]):
            if value is not None:
                out[i, j] = float(value)
    if ragged:
        notes.append(f"{ragged} row(s) did not have one value per amino acid: padded with blanks or cut.")
    return out, notes


def _wild_type_from_row(row: np.ndarray, amino_acids: Sequence[str]) -> str | None:
    zeros = np.flatnonzero(np.abs(np.nan_to_num(row, nan=np.inf)) < ZERO)
    return amino_acids[zeros[0]] if len(zeros) == 1 else None


def choose_reading(evidence: Iterable[tuple[Position, str]], residues: ChainResidues | None) -> str:
    """ "label" or "index": how one chain's position labels map onto its sequence.

    `evidence` pairs a position with its known wild type. The reading with more agreements wins;
    without evidence (or on a tie) numbering labels are assumed when the chain is numbered, and
    sequence indices when it is not (nothing else to go by).
    """
    if residues is None or not residues.has_numbering:
        return "index"
    by_label = by_index = 0
    for position, wt in evidence:
        if residues.aa_of_label(position.label) == wt:
            by_label += 1
        if residues.aa_at(position.number) == wt:
            by_index += 1
    if by_index > by_label or (not residues.has_numbering and by_index == by_label):
        return "index"
    return "label"


@dataclass(frozen=True, eq=False)
class DdgTable:
    """The resolved matrix. Hashable by content (for caching figures built from it)."""

    positions: tuple[Position, ...]
    amino_acids: tuple[str, ...]
    values: np.ndarray  # positions × amino acids, NaN = not computed
    indices: tuple[int | None, ...]  # 1-based sequence index, when resolved
    regions: tuple[str | None, ...]
    wild_types: tuple[str | None, ...]
    readings: tuple[tuple[str, str], ...]  # (chain, "label" | "index")
    notes: tuple[str, ...]
    digest: str
    labels: tuple[str | None, ...] = ()  # the numbering scheme's label of each position, when resolved
    scheme: str | None = None

    def label(self, i: int) -> str | None:
        return self.labels[i] if 0 <= i < len(self.labels) else None

    def short_name(self, i: int) -> str:
        """'H:52A' by the numbering scheme when known, else the position as given."""
        p, label = self.positions[i], self.label(i)
        return f"{p.chain}:{label}" if label and p.chain else p.raw

    def residue_text(self, i: int) -> str:
        """'H:52A (IMGT) · residue 57 · given as H:57': the scheme label first, the index second."""
        p, label = self.positions[i], self.label(i)
        text = residue_text(p.chain, label, self.scheme if label else None, index=self.indices[i])
        return text if p.raw == self.short_name(i) else f"{text} · given as {p.raw}"

    def __hash__(self) -> int:
        return hash(self.digest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DdgTable) and other.digest == self.digest

    @property
    def n_missing(self) -> int:
        return int(np.isnan(self.values).sum())

    @property
    def chains(self) -> list[str]:
        return sorted({p.chain for p in self.positions if p.chain})

    @property
    def region_names(self) -> list[str]:
        return sorted({r for r in self.regions if r})

    def mutant_values(self) -> np.ndarray:
        """The values with each row's wild-type cell blanked (the identity 'mutation' is not a choice)."""
        values = self.values.copy()
        for i, wt in enumerate(self.wild_types):
            if wt in self.amino_acids:
                values[i, self.amino_acids.index(wt)] = np.nan
        return values

    def best(self) -> tuple[np.ndarray, list[str | None]]:
        """Per position: the lowest ddG among mutations (NaN when none computed) and its amino acid."""
        values = self.mutant_values()
        best = np.full(len(self.positions), np.nan)
        best_aa: list[str | None] = [None] * len(self.positions)
        for i, row in enumerate(values):
            if np.isfinite(row).any():
                j = int(np.nanargmin(row))
                best[i], best_aa[i] = row[j], self.amino_acids[j]
        return best, best_aa

    def select(
        self, chains: Sequence[str] = (), regions: Sequence[str] = (), sort: str = "sequence"
    ) -> tuple[int, ...]:
        """Row numbers kept by the chain and region filters (empty filter = all), in the order asked:
        "sequence" (as given) or "best" (lowest achievable ddG first; positions without values last)."""
        keep = [
            i
            for i, (p, r) in enumerate(zip(self.positions, self.regions))
            if (not chains or p.chain in chains) and (not regions or r in regions)
        ]
        if sort == "best":
            best, _ = self.best()
            keep.sort(key=lambda i: (np.isnan(best[i]), best[i] if np.isfinite(best[i]) else 0.0, i))
        return tuple(keep)

    def lookup(self, chain: str | None, index: int | None, aa: str | None) -> float | None:
        """ddG of `aa` at a 1-based sequence index of a chain; None when the matrix does not say."""
        side = chain_field(chain)
        if index is None or aa is None or aa.upper() not in self.amino_acids:
            return None
        j = self.amino_acids.index(aa.upper())
        for i, (p, idx) in enumerate(zip(self.positions, self.indices)):
            if idx == index and (p.chain == (chain or "").upper() or (side and chain_field(p.chain) == side)):
                value = self.values[i, j]
                return None if np.isnan(value) else float(value)
        return None

    def rows_frame(self) -> pd.DataFrame:
        best, best_aa = self.best()
        return pd.DataFrame(
            {
                "position": [p.raw for p in self.positions],
                "chain": [p.chain for p in self.positions],
                "numbering": [self.label(i) for i in range(len(self.positions))],
                "index": pd.array(self.indices, dtype="Int64"),
                "region": list(self.regions),
                "wild type": list(self.wild_types),
                "best mutation": best_aa,
                "best ddG (kcal/mol)": best,
            }
        )


def ddg_table(matrix: DdgMatrix, context: ResidueContext, stabilizing: Sequence[StabilizingMutation] = ()) -> DdgTable:
    amino_acids = tuple(str(a).strip().upper() if a is not None else "?" for a in matrix.amino_acids)
    values, notes = _matrix_values(matrix, len(amino_acids))
    positions = tuple(Position.parse(p) for p in matrix.positions)
    unparsed = sum(1 for p in positions if p.label is None)
    if unparsed:
        notes.append(f"{unparsed} position label(s) could not be read as chain:number; shown as given, without region.")

    known_wt: dict[tuple[str | None, str | None], str] = {}
    for code in (MutationCode.parse(m.mutation) for m in stabilizing):
        if code is not None:
            known_wt[(code.chain, code.label)] = code.wt
    wild_types = []
    for i, p in enumerate(positions):
        wild_types.append(_wild_type_from_row(values[i], amino_acids) or known_wt.get((p.chain, p.label)))

    readings: dict[str, str] = {}
    for chain in sorted({p.chain for p in positions if p.chain}):
        evidence = [(p, wt) for p, wt in zip(positions, wild_types) if p.chain == chain and wt and p.label]
        readings[chain] = choose_reading(evidence, context.for_chain(chain))

    indices, regions, final_wt, labels = [], [], [], []
    for p, wt in zip(positions, wild_types):
        residues = context.for_chain(p.chain)
        reading = readings.get(p.chain or "", "index")
        if residues is None or p.label is None:
            index, region = (p.number if reading == "index" else None), None
        elif reading == "index":
            index, region = p.number, residues.region_at(p.number)
        else:
            index, region = residues.index_of_label(p.label), residues.region_of_label(p.label)
        indices.append(index)
        regions.append(region)
        final_wt.append(wt or (residues.aa_at(index) if residues else None))
        labels.append(residues.label_at(index) if residues is not None else None)

    digest = hashlib.sha256()
    digest.update(repr((tuple(p.raw for p in positions), amino_acids, indices, regions, final_wt, labels)).encode())
    digest.update(values.tobytes())
    return DdgTable(
        positions,
        amino_acids,
        values,
        tuple(indices),
        tuple(regions),
        tuple(final_wt),
        tuple(sorted(readings.items())),
        tuple(notes),
        digest.hexdigest(),
        tuple(labels),
        context.scheme,
    )


def stabilizing_frame(
    mutations: Sequence[StabilizingMutation], context: ResidueContext, table: DdgTable | None
) -> pd.DataFrame:
    """The listed stabilizing mutations, most stabilizing first, with their region and a CDR flag."""
    readings = dict(table.readings) if table else {}
    records = []
    for m in mutations:
        code = MutationCode.parse(m.mutation)
        region = index = None
        if code is not None:
            residues = context.for_chain(code.chain)
            if residues is not None:
                if readings.get(code.chain or "", "label" if residues.has_numbering else "index") == "index":
                    index = code.position.number
                    region = residues.region_at(index)
                else:
                    index = residues.index_of_label(code.label)
                    region = residues.region_of_label(code.label)
        records.append(
            {
                "mutation": str(code) if code else (m.mutation or "—"),
                "ddG (kcal/mol)": m.ddg,
                "confidence": m.confidence,
                "region": region,
                "in CDR": is_cdr(region),
                "risk": "in a CDR: may change binding" if is_cdr(region) else "",
            }
        )
    frame = pd.DataFrame.from_records(
        records, columns=["mutation", "ddG (kcal/mol)", "confidence", "region", "in CDR", "risk"]
    )
    frame["ddG (kcal/mol)"] = pd.to_numeric(frame["ddG (kcal/mol)"], errors="coerce").astype(float)
    frame["confidence"] = pd.to_numeric(frame["confidence"], errors="coerce").astype(float)
    return frame.sort_values("ddG (kcal/mol)", kind="stable", na_position="last").reset_index(drop=True)
