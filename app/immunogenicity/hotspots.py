"""Overlapping epitopes merged into hotspots: a few regions instead of a hundred sliding windows.

Two epitopes of one kind on one chain join the same hotspot when their binding cores overlap by
at least one residue. The core is the MHC-II binding register when the service gives one and it
lies in the peptide, else the whole peptide (MHC-I 9-mers, B-cell epitopes). Cores rather than
15-mers: sliding 15-mers overlap all along a chain and would merge into one region.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from app.immunogenicity.epitopes import BCELL, Criteria, Epitope

CHAIN_ORDER = {"H": 0, "L": 1}


def core_span(e: Epitope) -> tuple[int, int]:
    """The binding core's residues (1-based, inclusive): the core's place in the peptide, else the peptide."""
    lo, hi = e.span
    if e.core and e.peptide:
        at = e.peptide.find(e.core)
        if at >= 0 and e.start <= e.end:
            return e.start + at, e.start + at + len(e.core) - 1
    return lo, hi


@dataclass(frozen=True)
class Hotspot:
    kind: str
    chain: str
    start: int  # merged cores
    end: int
    peptide_start: int  # merged peptides (wider)
    peptide_end: int
    epitopes: tuple[Epitope, ...]

    @property
    def per_allele(self) -> Counter[str]:
        return Counter(e.allele or "(allele not given)" for e in self.epitopes)

    @property
    def best_rank(self) -> float | None:
        ranks = [e.rank for e in self.epitopes if e.rank is not None]
        return min(ranks) if ranks else None


def hotspots(epitopes: Sequence[Epitope], kind: str, criteria: Criteria) -> list[Hotspot]:
    """The epitopes of one kind that pass the criteria, merged per chain by overlapping cores."""
    by_chain: dict[str, list[Epitope]] = {}
    for e in epitopes:
        if e.kind == kind and criteria.counts(e):
            by_chain.setdefault(e.chain, []).append(e)
    out: list[Hotspot] = []
    for chain in sorted(by_chain, key=lambda c: (CHAIN_ORDER.get(c, 2), c)):
        group: list[Epitope] = []
        lo = hi = 0
        for e in sorted(by_chain[chain], key=lambda e: (core_span(e), e.span)):
            c_lo, c_hi = core_span(e)
            if group and c_lo <= hi:
                hi = max(hi, c_hi)
                group.append(e)
                continue
            if group:
                out.append(_hotspot(kind, chain, lo, hi, group))
            group, lo, hi = [e], c_lo, c_hi
        if group:
            out.append(_hotspot(kind, chain, lo, hi, group))
    return out


def _hotspot(kind: str, chain: str, lo: int, hi: int, group: list[Epitope]) -> Hotspot:
    return Hotspot(kind, chain, lo, hi, min(e.span[0] for e in group), max(e.span[1] for e in group), tuple(group))


def _allele_counts(spot: Hotspot, most: int = 6) -> str:
    counted = spot.per_allele.most_common()
    shown = ", ".join(f"{allele} ×{n}" for allele, n in counted[:most])
    return shown + (f", … (+{len(counted) - most} alleles)" if len(counted) > most else "")


def hotspot_frame(spots: Sequence[Hotspot], cdr_spans: dict[str, list[tuple[str, int, int]]]) -> pd.DataFrame:
    """One row per hotspot: chain, core span, peptide span, counts, per-allele counts, CDRs it touches."""
    rows = []
    for spot in spots:
        cdrs = [name for name, s, e in cdr_spans.get(spot.chain, []) if s <= spot.end and e >= spot.start]
        row = {
            "chain": spot.chain,
            "core span": f"{spot.start}–{spot.end}",
            "CDRs touched": ", ".join(cdrs) if cdr_spans.get(spot.chain) else "CDRs unknown",
            "peptides span": f"{spot.peptide_start}–{spot.peptide_end}",
            "residues": spot.end - spot.start + 1,
            "epitopes": len(spot.epitopes),
            "distinct peptides": len({e.peptide for e in spot.epitopes}),
        }
        if spot.kind != BCELL:
            row["alleles"] = len(spot.per_allele)
            row["epitopes per allele"] = _allele_counts(spot)
            row["best rank (%)"] = spot.best_rank
        rows.append(row)
    frame = pd.DataFrame.from_records(rows)
    if "best rank (%)" in frame and frame["best rank (%)"].isna().all():
        frame = frame.drop(columns="best rank (%)")
    return frame
