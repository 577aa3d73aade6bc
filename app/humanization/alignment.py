"""Parental over humanized, column by column: the backbone of the alignment view and of mutation counts.

Equal lengths are compared position by position (a humanization that only substitutes); when the
lengths differ the pair is aligned globally with gemmi's aligner and BLOSUM62, so an insertion or
deletion shows as a gap instead of shifting every later residue into a false mutation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import gemmi

GAP = "-"


@dataclass(frozen=True)
class Column:
    """One alignment column; an index is 1-based in its own chain, None on the gap side."""

    parental_index: int | None
    humanized_index: int | None
    parental_aa: str
    humanized_aa: str

    @property
    def is_mutation(self) -> bool:
        """A substitution, insertion or deletion; never true without a parental (empty parental_aa)."""
        return bool(self.parental_aa) and self.parental_aa != self.humanized_aa

    @property
    def kind(self) -> str:
        if not self.parental_aa:
            return "no parental"
        if self.parental_index is None:
            return "insertion"
        if self.humanized_index is None:
            return "deletion"
        return "substitution" if self.is_mutation else "identical"


@dataclass(frozen=True)
class PairAlignment:
    columns: tuple[Column, ...]
    method: str  # "position by position" or "gemmi global alignment (BLOSUM62)"

    @property
    def identity(self) -> float | None:
        """Identical columns over parental length (the parental residues the humanized kept)."""
        parental = [c for c in self.columns if c.parental_index is not None]
        if not parental:
            return None
        return sum(c.parental_aa == c.humanized_aa for c in parental) / len(parental)

    def column_of_humanized(self, index: int) -> int | None:
        for i, column in enumerate(self.columns):
            if column.humanized_index == index:
                return i
        return None

    def column_of_parental(self, index: int) -> int | None:
        for i, column in enumerate(self.columns):
            if column.parental_index == index:
                return i
        return None


def _residue_names(sequence: str) -> list[str]:
    """gemmi's BLOSUM62 is keyed by three-letter names; unknown letters stay distinct (no free matches)."""
    names = []
    for letter in sequence:
        name = gemmi.expand_one_letter(letter, gemmi.ResidueKind.AA)
        names.append(name if name and name != "UNK" else f"?{letter}")
    return names


def _from_cigar(parental: str, humanized: str, cigar: str) -> list[Column]:
    """Walk gemmi's CIGAR: M = both, I = parental only (query), D = humanized only (target)."""
    columns: list[Column] = []
    p = h = 0
    count = ""
    for char in cigar:
        if char.isdigit():
            count += char
            continue
        for _ in range(int(count or 1)):
            if char == "M":
                columns.append(Column(p + 1, h + 1, parental[p], humanized[h]))
                p, h = p + 1, h + 1
            elif char == "I":
                columns.append(Column(p + 1, None, parental[p], GAP))
                p += 1
            elif char == "D":
                columns.append(Column(None, h + 1, GAP, humanized[h]))
                h += 1
        count = ""
    # Anything the CIGAR did not consume (should not happen) is kept as unpaired residues.
    columns.extend(Column(i + 1, None, parental[i], GAP) for i in range(p, len(parental)))
    columns.extend(Column(None, i + 1, GAP, humanized[i]) for i in range(h, len(humanized)))
    return columns


@lru_cache(maxsize=256)
def align(parental: str, humanized: str) -> PairAlignment:
    """Align parental over humanized (both cleaned upper-case one-letter strings)."""
    if len(parental) == len(humanized):
        columns = [Column(i + 1, i + 1, a, b) for i, (a, b) in enumerate(zip(parental, humanized))]
        return PairAlignment(tuple(columns), "position by position (equal lengths)")
    if not parental or not humanized:
        columns = [Column(i + 1, None, a, GAP) for i, a in enumerate(parental)]
        columns += [Column(None, i + 1, GAP, b) for i, b in enumerate(humanized)]
        return PairAlignment(tuple(columns), "one side empty")
    result = gemmi.align_string_sequences(
        _residue_names(parental), _residue_names(humanized), [], gemmi.AlignmentScoring("b")
    )
    return PairAlignment(
        tuple(_from_cigar(parental, humanized, result.cigar_str())), "gemmi global alignment (BLOSUM62)"
    )


def humanized_only(humanized: str) -> PairAlignment:
    """No parental: one column per humanized residue, nothing to compare."""
    return PairAlignment(tuple(Column(None, i + 1, "", b) for i, b in enumerate(humanized)), "no parental sequence")
