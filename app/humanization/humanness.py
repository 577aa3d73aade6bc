"""Per-peptide humanness along a chain: which 9-mers the service found not human, residue by residue."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PeptideTrack:
    """For each residue (1-based index i → element i-1): how many non-human peptides cover it."""

    non_human_cover: tuple[int, ...]
    peptides_total: int
    peptides_non_human: int
    peptides_ignored: int  # outside the chain or with no human/non-human call

    @property
    def non_human_share(self) -> float | None:
        return self.peptides_non_human / self.peptides_total if self.peptides_total else None


def peptide_track(sequence: str, peptides: list) -> PeptideTrack:
    """Coverage of `sequence` by the peptides marked `human: false` (start is 1-based)."""
    n = len(sequence)
    cover = [0] * n
    total = non_human = ignored = 0
    for peptide in peptides:
        start = peptide.start
        length = len(peptide.peptide or "") or 9
        if peptide.human is None or start is None or start < 1 or start > n:
            ignored += 1
            continue
        total += 1
        if peptide.human:
            continue
        non_human += 1
        for i in range(start - 1, min(n, start - 1 + length)):
            cover[i] += 1
    return PeptideTrack(tuple(cover), total, non_human, ignored)
