"""Per-residue numbering of a chain: scheme labels and FR/CDR regions, from the service or from immunum.

The alignment view, the mutation table and the liability scan all need to know, for every residue
of a chain, its label in the numbering scheme and its region. The service sends that in `numbering`
when it can; otherwise the chain is numbered here with immunum (MIT, offline), and the result says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from app.residues import (
    DEFINITION_ORDER,
    NumberedChain,
    Region,
    clean_sequence,
    number_sequence,
    region_name,
    scheme_name,
    scheme_region,
)
from app.residues import is_cdr as is_cdr

SCHEMES = ("imgt", "kabat", "chothia", "martin", "aho")
DEFAULT_SCHEME = "imgt"

SOURCE_SERVICE = "service"
SOURCE_LOCAL = "immunum"
SOURCE_NONE = "none"

__all__ = ["clean_sequence", "is_cdr"]


@dataclass(frozen=True)
class ChainNumbering:
    """Labels and regions of one chain, one entry per residue of `sequence`, and where they came from.

    `by_definition` is immunum's numbering of the same sequence in IMGT, Kabat and Chothia, so every
    residue also has its region under each CDR definition (None when immunum cannot number it)."""

    sequence: str
    scheme: str | None  # lower-case scheme name, None when unnumbered
    labels: tuple[str, ...]  # one per residue; sequential 1..n when unnumbered
    regions: tuple[str | None, ...]  # FR1..FR4 / CDR1..CDR3, or None outside the domain / unknown
    source: str  # SOURCE_SERVICE or SOURCE_LOCAL or SOURCE_NONE
    chain_type: str | None = None  # immunum's call (H, K, L) when numbered here
    note: str | None = None  # why the chain could not be numbered
    by_definition: NumberedChain | None = None

    @property
    def numbered(self) -> bool:
        return self.source != SOURCE_NONE

    def label(self, index: int) -> str:
        """Label of the residue at 1-based `index` (the index itself when out of range)."""
        return self.labels[index - 1] if 1 <= index <= len(self.labels) else str(index)

    def region(self, index: int) -> str | None:
        return self.regions[index - 1] if 1 <= index <= len(self.regions) else None

    def region_under(self, index: int | None, definition: str) -> str | None:
        """The residue's region under a CDR definition (imgt, kabat, chothia, north).

        The service's own region counts for the definition of its scheme; the others come from
        immunum's numbering of the sequence in the definition's scheme."""
        if index is None or not 1 <= index <= len(self.sequence):
            return None
        if self.source == SOURCE_SERVICE and self.scheme == definition and self.regions[index - 1]:
            return self.regions[index - 1]
        if self.by_definition is None or not self.by_definition.numbered:
            return None
        found = self.by_definition.region(index, definition)
        return found.name if found else None

    def regions_under(self, index: int | None) -> dict[str, str | None]:
        return {name: self.region_under(index, name) for name in DEFINITION_ORDER}

    def describe(self) -> str:
        scheme = (self.scheme or "").upper() if self.scheme != "chothia" else "Chothia"
        if self.source == SOURCE_SERVICE:
            return f"{scheme} numbering from the service"
        if self.source == SOURCE_LOCAL:
            return f"{scheme} numbering computed here with immunum (the service sent none for this sequence)"
        return f"not numbered ({self.note or 'no numbering available'}): positions are residue indices"


def normalise_region(region: str | None) -> str | None:
    """'cdr1', 'CDR-H1', 'FWR2', 'H3' → 'CDR1', 'CDR1', 'FR2', 'CDR3'; anything else → None (app.residues)."""
    return region_name(region)


def region_from_label(label: str, scheme: str, chain_type: str = "H") -> str | None:
    """The region of a scheme label in its own scheme (app.residues.scheme_region)."""
    found: Region | None = scheme_region(label, scheme, chain_type)
    return found.name if found else None


def unnumbered(sequence: str, note: str) -> ChainNumbering:
    n = len(sequence)
    return ChainNumbering(sequence, None, tuple(str(i) for i in range(1, n + 1)), (None,) * n, SOURCE_NONE, note=note)


@lru_cache(maxsize=512)
def number_locally(sequence: str, scheme: str = DEFAULT_SCHEME) -> ChainNumbering:
    """Number a V domain with immunum. Residues outside the numbered domain keep index labels
    (prefixed '~') and no region; a sequence immunum refuses comes back unnumbered, with the reason."""
    sequence = clean_sequence(sequence)
    scheme = scheme if scheme in SCHEMES else DEFAULT_SCHEME
    numbered = _numbered(sequence, scheme)
    if not numbered.numbered:
        return unnumbered(sequence, numbered.note or "no numbering")
    chain_type = numbered.chain_type or "H"
    labels = [f"~{i + 1}" for i in range(len(sequence))]
    regions: list[str | None] = [None] * len(sequence)
    for i, label in enumerate(numbered.labels[scheme]):
        if label is not None:
            labels[i] = str(label)
            regions[i] = region_from_label(str(label), scheme, chain_type)
    return ChainNumbering(
        sequence, scheme, tuple(labels), tuple(regions), SOURCE_LOCAL, chain_type=chain_type, by_definition=numbered
    )


def _numbered(sequence: str, scheme: str | None = None) -> NumberedChain:
    """immunum's numbering in the definitions' schemes, plus `scheme` when it is another one."""
    schemes = ("imgt", "kabat", "chothia")
    wanted = scheme_name(scheme)
    return number_sequence(sequence, schemes if wanted in schemes or wanted is None else (*schemes, wanted))


def from_service(sequence: str, scheme: str | None, entries: list, chain_type: str = "H") -> ChainNumbering | None:
    """The service's numbering for `sequence`, when its residues spell exactly that sequence.

    `entries` are `NumberedResidue`s (position, aa, region). Gap entries ('-', '.') are skipped.
    Missing regions are filled from the scheme's region table. None when it does not match.
    """
    sequence = clean_sequence(sequence)
    residues = [e for e in entries if clean_sequence(getattr(e, "aa", "")) not in ("", "-", ".")]
    if not sequence or "".join(clean_sequence(e.aa) for e in residues) != sequence:
        return None
    wanted = str(scheme or "").strip().lower() or None
    labels, regions = [], []
    for entry in residues:
        label = str(entry.position) if entry.position not in (None, "") else "?"
        region = normalise_region(entry.region)
        if region is None and wanted in SCHEMES:
            region = region_from_label(label, wanted, chain_type)
        labels.append(label)
        regions.append(region)
    return ChainNumbering(
        sequence, wanted, tuple(labels), tuple(regions), SOURCE_SERVICE, by_definition=_numbered(sequence)
    )


def number_chain(
    sequence: str, scheme: str | None = None, entries: list | None = None, chain_type: str = "H"
) -> ChainNumbering:
    """The service's numbering when it fits the sequence, else immunum's in the same scheme (IMGT if unknown)."""
    if entries:
        given = from_service(sequence, scheme, entries, chain_type)
        if given is not None:
            return given
    wanted = str(scheme or "").strip().lower()
    return number_locally(clean_sequence(sequence), wanted if wanted in SCHEMES else DEFAULT_SCHEME)


@lru_cache(maxsize=512)
def vernier_flags(sequence: str) -> tuple[bool, ...] | None:
    """Per residue: is it a Kabat Vernier position (conventions)? Numbered here in Kabat with immunum.

    None when immunum cannot number the sequence.
    """
    numbered = _numbered(clean_sequence(sequence))
    return numbered.vernier_flags() if numbered.numbered else None


@lru_cache(maxsize=512)
def imgt_labels(sequence: str) -> tuple[str, ...] | None:
    """IMGT labels per residue (for rules stated in IMGT: the canonical cysteines, VHH hallmarks)."""
    numbering = number_locally(clean_sequence(sequence), "imgt")
    return numbering.labels if numbering.numbered else None
