"""Epitopes as one typed list, binned by percentile rank, and counted per residue.

Percentile rank: lower binds stronger. A peptide counts as a binder of an allele when its rank is at
or below the threshold in use (strong or weak cut-off of the set chosen). MHC epitopes without a
rank (a rule-based predictor gives none) are "unranked": counted or not as the user chooses.
B-cell epitopes have no allele: their track counts the predicted epitopes covering each residue.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.conventions import MHC1_THRESHOLDS, MHC2_LEGACY_THRESHOLDS, MHC2_THRESHOLDS, ThresholdSet
from app.models import BcellEpitope, ImmunogenicityResultRow, MhcEpitope

MHC1, MHC2, BCELL = "MHC-I", "MHC-II", "B-cell"
KINDS = (MHC1, MHC2, BCELL)
STRONG, WEAK, NON_BINDER, UNRANKED = "strong", "weak", "non-binder", "unranked"
MHC2_SETS: dict[str, ThresholdSet] = {"current": MHC2_THRESHOLDS, "legacy": MHC2_LEGACY_THRESHOLDS}


def bin_rank(rank: float | None, thresholds: ThresholdSet) -> str:
    """strong ≤ strong cut-off < weak ≤ weak cut-off < non-binder; no rank = unranked (cut-offs inclusive)."""
    if rank is None or not np.isfinite(rank):
        return UNRANKED
    if rank <= thresholds.strong:
        return STRONG
    if rank <= thresholds.weak:
        return WEAK
    return NON_BINDER


@dataclass(frozen=True)
class Epitope:
    kind: str
    chain: str
    start: int
    end: int
    peptide: str
    allele: str | None = None
    rank: float | None = None
    core: str | None = None
    score: float | None = None

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end) if self.start <= self.end else (self.end, self.start)


def _chain(text: str | None) -> str:
    return (text or "?").strip() or "?"


def epitopes_of(result: ImmunogenicityResultRow) -> list[Epitope]:
    """Every epitope of the result that parsed (lists that did not parse are skipped here)."""
    out: list[Epitope] = []
    for kind, items in ((MHC1, result.mhc1_epitopes), (MHC2, result.mhc2_epitopes)):
        for e in items if isinstance(items, list) else []:
            if isinstance(e, MhcEpitope):
                out.append(
                    Epitope(
                        kind,
                        _chain(e.chain),
                        e.start,
                        e.end,
                        e.peptide or "",
                        e.allele or "(allele not given)",
                        e.percentile_rank,
                        e.core,
                        e.score,
                    )
                )
    for b in result.bcell_epitopes if isinstance(result.bcell_epitopes, list) else []:
        if isinstance(b, BcellEpitope):
            out.append(Epitope(BCELL, _chain(b.chain), b.start, b.end, b.sequence or "", score=b.score))
    return out


@dataclass(frozen=True)
class Criteria:
    """Which epitopes count on the map: the cut-off level, threshold sets, unranked rule, alleles."""

    level: str = WEAK  # "strong" or "weak" (weak includes strong)
    mhc2_set: str = "current"
    include_unranked: bool = True
    alleles: frozenset[str] | None = None  # None = every allele
    ranked_kinds: frozenset[str] = frozenset({"MHC-I", "MHC-II"})  # kinds an HLA model ranked: thresholds apply

    def thresholds(self, kind: str) -> ThresholdSet | None:
        if kind == MHC1:
            return MHC1_THRESHOLDS
        if kind == MHC2:
            return MHC2_SETS.get(self.mhc2_set, MHC2_THRESHOLDS)
        return None

    def mhc_thresholds(self, kind: str) -> ThresholdSet:
        """The threshold set of an MHC kind (B-cell epitopes have none)."""
        thresholds = self.thresholds(kind)
        if thresholds is None:
            raise ValueError(f"{kind} epitopes have no rank thresholds")
        return thresholds

    def cutoff(self, kind: str) -> float | None:
        t = self.thresholds(kind)
        return None if t is None else (t.strong if self.level == STRONG else t.weak)

    def counts(self, e: Epitope) -> bool:
        if e.kind == BCELL:
            return True
        if self.alleles is not None and e.allele not in self.alleles:
            return False
        binned = bin_rank(e.rank, self.mhc_thresholds(e.kind))
        if binned == UNRANKED:
            return self.include_unranked
        return binned == STRONG or (binned == WEAK and self.level != STRONG)

    def describe(self, listed: frozenset[str] | None = None) -> str:
        """The rule in use, in words (shown on the chart): thresholds only for kinds a model ranked.

        `listed` = kinds that have epitopes (None = both MHC kinds); a kind with epitopes but no
        ranks is named as rule-based, never given a NetMHCpan threshold it was not judged by.
        """
        parts = []
        for kind in (MHC1, MHC2):
            if kind in self.ranked_kinds:
                t = self.mhc_thresholds(kind)
                parts.append(f"{kind} rank ≤ {self.cutoff(kind):g} % ({t.name}, {self.level})")
            elif listed is None or kind in listed:
                rule = "every listed epitope counted" if self.include_unranked else "not counted"
                parts.append(f"{kind}: no percentile ranks (no HLA model), {rule}")
        text = "; ".join(parts)
        if self.include_unranked and self.ranked_kinds:
            text += "; unranked epitopes counted"
        return text


def chain_length(chain: str, sequence: str | None, epitopes: Iterable[Epitope]) -> int:
    """The track length: the chain's sequence when known, else the furthest epitope end."""
    ends = [max(e.span) for e in epitopes if e.chain == chain]
    return max([len(sequence or "")] + ends) if (sequence or ends) else 0


@dataclass(frozen=True)
class Track:
    """Per-residue counts for one epitope kind on one chain (index 0 = residue 1)."""

    kind: str
    counts: np.ndarray  # MHC: distinct binding alleles; B-cell: epitopes covering the residue
    covering: np.ndarray  # epitopes (peptide-allele pairs) covering the residue
    alleles: tuple[frozenset[str], ...]
    peptides: tuple[frozenset[str], ...]
    listed: int = 0  # epitopes of this kind on this chain before any filter
    counted: int = 0  # of those, the ones that pass the criteria

    def heights(self, measure: str = "alleles") -> np.ndarray:
        """Bar heights: "alleles" (distinct binding alleles; B-cell: epitopes) or "epitopes" (all covering)."""
        return self.covering if measure == "epitopes" else self.counts


def per_residue_track(epitopes: Sequence[Epitope], kind: str, chain: str, length: int, criteria: Criteria) -> Track:
    """MHC: how many distinct alleles bind a peptide covering each residue; B-cell: how many epitopes cover it.

    Spans are clipped to 1..length; residues outside the chain are ignored.
    """
    alleles: list[set[str]] = [set() for _ in range(length)]
    peptides: list[set[str]] = [set() for _ in range(length)]
    covering = np.zeros(length, dtype=int)
    listed = counted = 0
    for e in epitopes:
        if e.kind != kind or e.chain != chain:
            continue
        listed += 1
        if not criteria.counts(e):
            continue
        counted += 1
        lo, hi = e.span
        for i in range(max(lo, 1) - 1, min(hi, length)):
            covering[i] += 1
            if e.allele:
                alleles[i].add(e.allele)
            if e.peptide:
                peptides[i].add(e.peptide)
    counts = covering if kind == BCELL else np.array([len(a) for a in alleles], dtype=int)
    return Track(
        kind,
        counts,
        covering,
        tuple(frozenset(a) for a in alleles),
        tuple(frozenset(p) for p in peptides),
        listed,
        counted,
    )


def _listing(items: Iterable[str], most: int = 6) -> str:
    items = sorted(items)
    shown = ", ".join(html.escape(i) for i in items[:most])
    return shown + (f" … (+{len(items) - most})" if len(items) > most else "")


def hover_texts(track: Track) -> list[str]:
    """Per residue: the alleles and peptides behind the count, HTML-escaped for plotly hover."""
    out = []
    for alleles, peptides in zip(track.alleles, track.peptides):
        lines = []
        if track.kind != BCELL and alleles:
            lines.append(f"alleles: {_listing(alleles)}")
        if peptides:
            lines.append(f"peptides: {_listing(peptides, 4)}")
        out.append("<br>".join(lines) or "none")
    return out


def epitope_frame(epitopes: Sequence[Epitope], kind: str, criteria: Criteria) -> pd.DataFrame:
    """One kind's epitopes as a table: MHC with allele, rank and binding bin; B-cell with score."""
    rows = [e for e in epitopes if e.kind == kind]
    if kind == BCELL:
        frame = pd.DataFrame(
            {
                "chain": [e.chain for e in rows],
                "start": [e.start for e in rows],
                "end": [e.end for e in rows],
                "sequence": [e.peptide for e in rows],
                "score": [e.score for e in rows],
            },
            columns=["chain", "start", "end", "sequence", "score"],
        )
        frame["score"] = pd.to_numeric(frame["score"], errors="coerce").astype(float)
        return frame
    thresholds = criteria.mhc_thresholds(kind)
    frame = pd.DataFrame(
        {
            "chain": [e.chain for e in rows],
            "start": [e.start for e in rows],
            "end": [e.end for e in rows],
            "peptide": [e.peptide for e in rows],
            "core": [e.core for e in rows],
            "allele": [e.allele for e in rows],
            "percentile rank (%)": [e.rank for e in rows],
            "binding": [bin_rank(e.rank, thresholds) for e in rows],
        },
        columns=["chain", "start", "end", "peptide", "core", "allele", "percentile rank (%)", "binding"],
    )
    frame["percentile rank (%)"] = pd.to_numeric(frame["percentile rank (%)"], errors="coerce").astype(float)
    return without_empty_columns(frame)


def without_empty_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop what the service did not give: all-empty columns, and the binding bin when nothing has a rank."""
    if frame.empty:
        return frame
    empty = [c for c in frame.columns if frame[c].map(lambda v: v is None or v == "" or v != v).all()]
    if "percentile rank (%)" in empty and "binding" in frame.columns:
        empty.append("binding")
    return frame.drop(columns=empty)
