"""CDR spans on a structure's residues: from the service's `cdr_analysis`, or derived by numbering.

The service gives start/end as residue numbers in the file; every residue of the chain whose
number falls in [start, end] belongs to the CDR (insertion codes included). Without
`cdr_analysis`, the chains are numbered with immunum (IMGT) and the IMGT CDR definition of
`app.residues` is applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.residues import DEFINITIONS, ResidueLabel, locus_of, number_domains
from app.structure.confidence import ResidueConfidence, mean
from app.structure.model import ParsedStructure, ResidueId

LOW_CONFIDENCE_CDR = 70.0  # mean pLDDT below "confident" stands out


@dataclass(frozen=True)
class CdrSpan:
    cdr: str  # "H1".."L3"
    chain: str
    residues: tuple[ResidueId, ...]
    sequence: str
    canonical_class: str | None = None
    mean_plddt: float | None = None  # 0-100, as the service gave it (or computed here)
    start_label: str = ""
    end_label: str = ""

    @property
    def length(self) -> int:
        return len(self.sequence)

    @property
    def name(self) -> str:
        return f"CDR-{self.cdr}"

    @property
    def span(self) -> str:
        return f"{self.chain}:{self.start_label}–{self.end_label}" if self.start_label else self.chain


def _mean_over(residues: tuple[ResidueId, ...], confidence: ResidueConfidence | None) -> float | None:
    if confidence is None or not confidence.is_plddt:
        return None
    return mean([confidence.values.get(r) for r in residues])


def spans_from_api(rows: list, parsed: ParsedStructure, confidence: ResidueConfidence | None) -> list[CdrSpan]:
    """`CdrAnalysis` rows as spans on the file's residues (rows whose chain is absent keep no residues)."""
    spans = []
    for row in rows:
        chain = parsed.chain(row.chain) if row.chain else None
        residues: tuple[ResidueId, ...] = ()
        sequence = row.sequence or ""
        if chain is not None and row.start is not None and row.end is not None:
            picked = [r for r in chain.residues if row.start <= r.id.number <= row.end]
            residues = tuple(r.id for r in picked)
            if not sequence:
                sequence = "".join(r.one_letter for r in picked)
        mean_plddt = row.mean_plddt if row.mean_plddt is not None else _mean_over(residues, confidence)
        spans.append(
            CdrSpan(
                cdr=row.cdr or "?",
                chain=row.chain or "?",
                residues=residues,
                sequence=sequence,
                canonical_class=row.canonical_class,
                mean_plddt=mean_plddt,
                start_label=residues[0].label if residues else ("" if row.start is None else str(row.start)),
                end_label=residues[-1].label if residues else ("" if row.end is None else str(row.end)),
            )
        )
    return spans


def spans_from_numbering(
    parsed: ParsedStructure, chains: tuple[str, ...], confidence: ResidueConfidence | None
) -> list[CdrSpan]:
    """IMGT CDRs of the given chains, numbered here with immunum (one span per domain and loop)."""
    cdrs = DEFINITIONS["imgt"]
    spans: list[CdrSpan] = []
    for name in chains:
        chain = parsed.chain(name)
        if chain is None:
            continue
        try:
            domains = number_domains(chain.sequence)
        except Exception:
            continue
        for domain in domains:
            if domain.error is not None or not domain.numbering or domain.query_start is None:
                continue
            locus = locus_of(domain.chain) or "L"
            by_loop: dict[int, list[int]] = {}
            for offset, position in enumerate(domain.numbering):  # once per position, not per CDR
                region = cdrs.region(ResidueLabel.parse(position, "imgt"), locus)
                index = domain.query_start + offset
                if region is not None and region.is_cdr and index < len(chain.residues):
                    by_loop.setdefault(region.number, []).append(index)
            for k, indices in sorted(by_loop.items()):
                picked = [chain.residues[i] for i in indices]
                residues = tuple(r.id for r in picked)
                spans.append(
                    CdrSpan(
                        cdr=f"{locus}{k}",
                        chain=name,
                        residues=residues,
                        sequence="".join(r.one_letter for r in picked),
                        mean_plddt=_mean_over(residues, confidence),
                        start_label=residues[0].label,
                        end_label=residues[-1].label,
                    )
                )
    return spans
