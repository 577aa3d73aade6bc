"""Where a residue sits: chain, sequence index, numbering label and region.

Stability positions ("H:30"), epitopes (chain + 1-based start/end) and deimmunization suggestions
(chain + 1-based index) all need the same answer: is this residue in a CDR? The answer comes from the
humanization result's numbering of the variant the structure modelled (or the first strategy).
Shared by `app.stability` and `app.immunogenicity`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.models import HumanizationResultRow, JobResponse, Numbering, StructureResultRow
from app.residues import ResidueLabel, is_cdr
from app.residues import region_name as normalise_region

HEAVY_NAMES = frozenset({"H", "VH", "HEAVY"})
LIGHT_NAMES = frozenset({"L", "VL", "LIGHT", "K"})

__all__ = ["ChainResidues", "ResidueContext", "chain_field", "is_cdr", "normalise_region", "residue_context"]


def label_key(label: object) -> str:
    """One spelling per label ('52a', ' 52A' → '52A'), so lookups by label agree with the numbering."""
    parsed = ResidueLabel.parse(label)
    return str(parsed) if parsed else str(label if label is not None else "").strip()


def chain_field(chain: str | None) -> str | None:
    """`vh` / `vl` for the contract's chain names (H, L, VH, heavy…), None for anything else."""
    name = (chain or "").strip().upper()
    if name in HEAVY_NAMES:
        return "vh"
    if name in LIGHT_NAMES:
        return "vl"
    return None


@dataclass(frozen=True)
class ChainResidues:
    """One chain's residues: the sequence and, when numbered, each residue's label and region.

    `labels`/`regions` follow the numbering list; `offset` is where that list starts in `sequence`
    (None when the numbering could not be placed on the sequence, so index lookups give no region).
    """

    chain: str
    sequence: str = ""
    labels: tuple[str, ...] = ()
    regions: tuple[str | None, ...] = ()
    numbered_aas: str = ""
    offset: int | None = None
    scheme: str | None = None
    _by_label: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, chain: str, sequence: str | None, numbering: Numbering | None, side: str | None) -> ChainResidues:
        seq = "".join(ch for ch in (sequence or "").upper() if not ch.isspace())
        numbered = list(getattr(numbering, side, None) or []) if side and isinstance(numbering, Numbering) else []
        labels = tuple(str(r.position).strip() for r in numbered if r.position is not None)
        numbered = [r for r in numbered if r.position is not None]
        regions = tuple(normalise_region(r.region) for r in numbered)
        aas = "".join((r.aa or "-")[:1].upper() for r in numbered)
        offset: int | None = None
        if numbered:
            if not seq:
                seq, offset = aas, 0
            else:
                found = seq.find(aas)
                offset = found if found >= 0 else None
        by_label = {label_key(label): i for i, label in enumerate(labels)}
        scheme = numbering.scheme if isinstance(numbering, Numbering) else None
        return cls(chain, seq, labels, regions, aas, offset, scheme, by_label)

    @property
    def length(self) -> int:
        return len(self.sequence)

    @property
    def has_numbering(self) -> bool:
        return bool(self.labels)

    def aa_at(self, index: int | None) -> str | None:
        """The residue at a 1-based index, or None outside the sequence."""
        if index is None or not 1 <= index <= len(self.sequence):
            return None
        return self.sequence[index - 1]

    def _numbered_at(self, index: int | None) -> int | None:
        if index is None or self.offset is None:
            return None
        i = index - 1 - self.offset
        return i if 0 <= i < len(self.labels) else None

    def region_at(self, index: int | None) -> str | None:
        i = self._numbered_at(index)
        return None if i is None else self.regions[i]

    def label_at(self, index: int | None) -> str | None:
        i = self._numbered_at(index)
        return None if i is None else self.labels[i]

    def index_of_label(self, label: str | None) -> int | None:
        """The 1-based sequence index of a numbering label (None when unknown or not placed)."""
        i = self._by_label.get(label_key(label)) if label is not None else None
        if i is None or self.offset is None:
            return None
        return i + 1 + self.offset

    def region_of_label(self, label: str | None) -> str | None:
        i = self._by_label.get(label_key(label)) if label is not None else None
        return None if i is None else self.regions[i]

    def aa_of_label(self, label: str | None) -> str | None:
        i = self._by_label.get(label_key(label)) if label is not None else None
        return None if i is None else self.numbered_aas[i]

    def cdr_spans(self) -> list[tuple[str, int, int]]:
        """(region, first index, last index), 1-based, for each run of a CDR along the sequence."""
        spans: list[tuple[str, int, int]] = []
        if self.offset is None:
            return spans
        for i, region in enumerate(self.regions):
            index = i + 1 + self.offset
            if region is None or not is_cdr(region):
                continue
            if spans and spans[-1][0] == region and spans[-1][2] == index - 1:
                spans[-1] = (region, spans[-1][1], index)
            else:
                spans.append((region, index, index))
        return spans


def modelled_strategy(response: JobResponse) -> HumanizationResultRow | None:
    """The humanized variant the structure modelled, else the first strategy, else None."""
    strategies = response.strategies
    if not strategies:
        return None
    structure = response.structure_result
    wanted = structure.humanization_result_id if isinstance(structure, StructureResultRow) else None
    if wanted:
        for row in strategies:
            if row.id and str(row.id).strip().lower() == str(wanted).strip().lower():
                return row
    return strategies[0]


@dataclass(frozen=True)
class ResidueContext:
    """Per-chain residues of the job's reference variant, looked up by the chain names results use."""

    strategy: str | None
    scheme: str | None
    chains: dict[str, ChainResidues]

    def for_chain(self, chain: str | None) -> ChainResidues | None:
        side = chain_field(chain)
        return self.chains.get(side) if side else None


def residue_context(response: JobResponse) -> ResidueContext:
    row = modelled_strategy(response)
    if row is None:
        return ResidueContext(None, None, {})
    numbering = row.numbering if isinstance(row.numbering, Numbering) else None
    chains = {}
    for side, name in (("vh", "H"), ("vl", "L")):
        residues = ChainResidues.build(name, row.humanized(side), numbering, side)
        if residues.length or residues.has_numbering:
            chains[side] = residues
    return ResidueContext(row.strategy, numbering.scheme if numbering else None, chains)
