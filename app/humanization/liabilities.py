"""Sequence liabilities: a local motif scan, placement of any liability on its region, and the
liabilities that humanization added or removed relative to the parental.

Rules come from app.conventions (OPIG's list, severities after Satława et al. 2024). A CDR-only motif
counts when its first (liable) residue lies in a CDR; deamidation and isomerization also count at
Kabat Vernier positions, as ../shared/conventions.md says ("CDRs (+ Vernier)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.conventions import (
    CANONICAL_CYSTEINES_IMGT,
    LIABILITY_MOTIFS,
    SEVERITY_ORDER,
    UNPAIRED_CYSTEINE,
    liability_rule,
)
from app.humanization.alignment import PairAlignment
from app.humanization.numbering import ChainNumbering, is_cdr, normalise_region

VERNIER_TOO_TYPES = frozenset({"deamidation", "isomerization"})
TYPE_LABELS = {m.type: m.label for m in LIABILITY_MOTIFS} | {
    "oxidation": "Oxidation (Met/Trp)",
    UNPAIRED_CYSTEINE.type: UNPAIRED_CYSTEINE.label,
}
SOURCE_SERVICE = "service"
SOURCE_SCAN = "scanned here"


@dataclass(frozen=True)
class LiabilityHit:
    """One liability on one chain; start/end are 1-based inclusive residue indices."""

    type: str
    motif: str
    start: int
    end: int
    severity: str
    region: str | None
    position_label: str
    in_cdr: bool
    source: str
    service_severity: str | None = None  # what the service said, when it differs from the conventions' class
    severity_source: str | None = None  # whose class `severity` is (None = the service's own, no rule known)

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)

    @property
    def severity_rank(self) -> int:
        return SEVERITY_ORDER.get(self.severity, len(SEVERITY_ORDER))


@dataclass(frozen=True)
class ScanResult:
    hits: tuple[LiabilityHit, ...]
    notes: tuple[str, ...]


def _in_domain(numbering: ChainNumbering, index0: int) -> bool:
    """Within the numbered V domain (or anywhere when the chain could not be numbered)."""
    return not numbering.numbered or numbering.regions[index0] is not None


def _cdr_anywhere(numbering: ChainNumbering, start: int, end: int) -> bool:
    return any(is_cdr(numbering.region(i)) for i in range(start, end + 1))


def scan(
    numbering: ChainNumbering,
    vernier: tuple[bool, ...] | None,
    imgt: tuple[str, ...] | None,
) -> ScanResult:
    """Scan `numbering.sequence` with the conventions' motif list (overlapping matches)."""
    sequence = numbering.sequence
    hits: list[LiabilityHit] = []
    notes: list[str] = []
    if not numbering.numbered:
        notes.append("Regions unknown (chain not numbered): CDR-only motifs were not scanned.")
    for motif in LIABILITY_MOTIFS:
        if motif.where != "domain" and not numbering.numbered:
            continue
        for match in re.finditer(f"(?=({motif.regex}))", sequence):
            s = match.start()
            text = match.group(1)
            if not _in_domain(numbering, s):
                continue
            if motif.where != "domain":
                at_vernier = motif.type in VERNIER_TOO_TYPES and vernier is not None and s < len(vernier) and vernier[s]
                if not (is_cdr(numbering.regions[s]) or at_vernier):
                    continue
            start, end = s + 1, s + len(text)
            hits.append(
                LiabilityHit(
                    motif.type,
                    text,
                    start,
                    end,
                    motif.severity,
                    numbering.regions[s],
                    numbering.label(start),
                    _cdr_anywhere(numbering, start, end),
                    SOURCE_SCAN,
                    severity_source=motif.severity_source,
                )
            )
    if imgt is None or len(imgt) != len(sequence):
        if "C" in sequence:
            notes.append("Unpaired-cysteine rule skipped: the chain could not be numbered in IMGT.")
    else:
        for i, (aa, label) in enumerate(zip(sequence, imgt)):
            if aa == "C" and label not in CANONICAL_CYSTEINES_IMGT and not label.startswith("~"):
                hits.append(
                    LiabilityHit(
                        UNPAIRED_CYSTEINE.type,
                        "C",
                        i + 1,
                        i + 1,
                        UNPAIRED_CYSTEINE.severity,
                        numbering.regions[i],
                        numbering.label(i + 1),
                        is_cdr(numbering.regions[i]),
                        SOURCE_SCAN,
                        severity_source=UNPAIRED_CYSTEINE.severity_source,
                    )
                )
    hits.sort(key=lambda h: (h.start, h.severity_rank, h.type, h.end))
    return ScanResult(tuple(hits), tuple(notes))


def place(liabilities: list, numbering: ChainNumbering) -> tuple[LiabilityHit, ...]:
    """The service's liabilities, each placed on its region (the given one, else from the numbering)."""
    placed = []
    n = len(numbering.sequence)
    for item in liabilities:
        start, end = int(item.start), int(item.end)
        if end < start:
            start, end = end, start
        inside = 1 <= start <= n
        region = normalise_region(item.region) or (numbering.region(start) if inside else None)
        in_cdr = is_cdr(region) or (inside and _cdr_anywhere(numbering, start, min(end, n)))
        said = str(item.severity or "").strip().lower() or "unknown"
        motif = item.motif if item.motif else (numbering.sequence[start - 1 : end] if inside else "")
        label = numbering.label(start) if inside else f"{start} (outside the chain)"
        # The conventions' class for this motif, when one applies; the service's word is kept beside it.
        rule = liability_rule(str(item.type), str(motif))
        severity = rule.severity if rule else said
        placed.append(
            LiabilityHit(
                str(item.type),
                str(motif),
                start,
                end,
                severity,
                region,
                label,
                in_cdr,
                SOURCE_SERVICE,
                service_severity=said if rule and said != rule.severity else None,
                severity_source=rule.severity_source if rule else None,
            )
        )
    placed.sort(key=lambda h: (h.start, h.severity_rank, h.type))
    return tuple(placed)


@dataclass(frozen=True)
class LiabilityChange:
    change: str  # "added" or "removed"
    hit: LiabilityHit


def compare(
    parental: tuple[LiabilityHit, ...], humanized: tuple[LiabilityHit, ...], alignment: PairAlignment
) -> tuple[LiabilityChange, ...]:
    """Liabilities present in one chain and not at the same aligned place (same type and motif) in the other."""

    def key_parental(hit: LiabilityHit):
        return hit.type, hit.motif, alignment.column_of_parental(hit.start)

    def key_humanized(hit: LiabilityHit):
        return hit.type, hit.motif, alignment.column_of_humanized(hit.start)

    parental_keys = {key_parental(h) for h in parental}
    humanized_keys = {key_humanized(h) for h in humanized}
    changes = [LiabilityChange("added", h) for h in humanized if key_humanized(h) not in parental_keys]
    changes += [LiabilityChange("removed", h) for h in parental if key_parental(h) not in humanized_keys]
    return tuple(changes)
