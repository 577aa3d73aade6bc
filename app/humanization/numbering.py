"""Per-residue numbering of a chain: scheme labels and FR/CDR regions, from the service or from immunum.

The alignment view, the mutation table and the liability scan all need to know, for every residue
of a chain, its label in the numbering scheme and its region. The service sends that in `numbering`
when it can; otherwise the chain is numbered here with immunum (MIT, offline), and the result says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeGuard

from app.conventions import KABAT_VERNIER, REGION_ORDER

SCHEMES = ("imgt", "kabat", "chothia", "martin", "aho")
DEFAULT_SCHEME = "imgt"
_LEADING_INT = re.compile(r"\s*(-?\d+)")

SOURCE_SERVICE = "service"
SOURCE_LOCAL = "immunum"
SOURCE_NONE = "none"


@dataclass(frozen=True)
class ChainNumbering:
    """Labels and regions of one chain, one entry per residue of `sequence`, and where they came from."""

    sequence: str
    scheme: str | None  # lower-case scheme name, None when unnumbered
    labels: tuple[str, ...]  # one per residue; sequential 1..n when unnumbered
    regions: tuple[str | None, ...]  # FR1..FR4 / CDR1..CDR3, or None outside the domain / unknown
    source: str  # SOURCE_SERVICE, SOURCE_LOCAL or SOURCE_NONE
    chain_type: str | None = None  # immunum's call (H, K, L) when numbered here
    note: str | None = None  # why the chain could not be numbered

    @property
    def numbered(self) -> bool:
        return self.source != SOURCE_NONE

    def label(self, index: int) -> str:
        """Label of the residue at 1-based `index` (the index itself when out of range)."""
        return self.labels[index - 1] if 1 <= index <= len(self.labels) else str(index)

    def region(self, index: int) -> str | None:
        return self.regions[index - 1] if 1 <= index <= len(self.regions) else None

    def describe(self) -> str:
        scheme = (self.scheme or "").upper() if self.scheme != "chothia" else "Chothia"
        if self.source == SOURCE_SERVICE:
            return f"{scheme} numbering from the service"
        if self.source == SOURCE_LOCAL:
            return f"{scheme} numbering computed here with immunum (the service sent none for this sequence)"
        return f"not numbered ({self.note or 'no numbering available'}): positions are residue indices"


def clean_sequence(sequence: str | None) -> str:
    """Upper-case, whitespace removed: the form every computation here uses."""
    return "".join(str(sequence or "").split()).upper()


def leading_number(label: str | None) -> int | None:
    """52 for '52A', None for labels without a leading number."""
    match = _LEADING_INT.match(str(label or ""))
    return int(match.group(1)) if match else None


def normalise_region(region: str | None) -> str | None:
    """'cdr1', 'CDR-1', 'Fr2' → 'CDR1', 'FR2'; anything else → None."""
    if not region:
        return None
    text = re.sub(r"[\s_\-]", "", str(region)).upper()
    text = {
        "CDRH1": "CDR1",
        "CDRH2": "CDR2",
        "CDRH3": "CDR3",
        "CDRL1": "CDR1",
        "CDRL2": "CDR2",
        "CDRL3": "CDR3",
        "H1": "CDR1",
        "H2": "CDR2",
        "H3": "CDR3",
        "L1": "CDR1",
        "L2": "CDR2",
        "L3": "CDR3",
    }.get(text, text)
    return text if text in REGION_ORDER else None


def is_cdr(region: str | None) -> TypeGuard[str]:
    return region is not None and region.startswith("CDR")


def _region_table(scheme: str, chain_type: str) -> list[tuple[str, int, int]]:
    import immunum

    try:
        table = immunum.regions_for(scheme, chain_type)
    except Exception:
        return []
    return [(name.upper(), lo, hi) for name, (lo, hi) in table.items()]


def region_from_label(label: str, scheme: str, chain_type: str = "H") -> str | None:
    """The region of a scheme label by the region table immunum ships for that scheme and chain type."""
    number = leading_number(label)
    if number is None:
        return None
    for name, lo, hi in _cached_region_table(scheme, chain_type):
        if lo <= number <= hi:
            return name
    return None


@lru_cache(maxsize=64)
def _cached_region_table(scheme: str, chain_type: str) -> tuple[tuple[str, int, int], ...]:
    return tuple(_region_table(scheme, chain_type))


_ANNOTATORS: dict[str, object] = {}


def _annotator(scheme: str):
    import immunum

    if scheme not in _ANNOTATORS:
        _ANNOTATORS[scheme] = immunum.Annotator(chains=["ig"], scheme=scheme)
    return _ANNOTATORS[scheme]


def unnumbered(sequence: str, note: str) -> ChainNumbering:
    n = len(sequence)
    return ChainNumbering(sequence, None, tuple(str(i) for i in range(1, n + 1)), (None,) * n, SOURCE_NONE, note=note)


@lru_cache(maxsize=512)
def number_locally(sequence: str, scheme: str = DEFAULT_SCHEME) -> ChainNumbering:
    """Number a V domain with immunum. Residues outside the numbered domain keep index labels
    (prefixed '~') and no region; a sequence immunum refuses comes back unnumbered, with the reason."""
    sequence = clean_sequence(sequence)
    scheme = scheme if scheme in SCHEMES else DEFAULT_SCHEME
    if not sequence:
        return unnumbered(sequence, "empty sequence")
    letters_only = re.sub(r"[^A-Z]", "X", sequence)  # immunum refuses non-letters; keep the length
    try:
        result = _annotator(scheme).number(letters_only)
    except Exception as error:
        return unnumbered(sequence, f"immunum failed: {type(error).__name__}")
    if result.error or result.numbering is None or result.query_start is None or result.query_end is None:
        return unnumbered(sequence, f"immunum: {result.error or 'no numbering'}")
    items = list(result.numbering.items())
    start, end = int(result.query_start), int(result.query_end)
    if end - start + 1 != len(items):
        return unnumbered(sequence, "immunum numbering does not cover its own range")
    chain_type = result.chain or "H"
    labels = [f"~{i + 1}" for i in range(len(sequence))]
    regions: list[str | None] = [None] * len(sequence)
    for offset, (label, _aa) in enumerate(items):
        labels[start + offset] = str(label)
        regions[start + offset] = region_from_label(str(label), scheme, chain_type)
    return ChainNumbering(sequence, scheme, tuple(labels), tuple(regions), SOURCE_LOCAL, chain_type=chain_type)


def from_service(sequence: str, scheme: str | None, entries: list, chain_type: str = "H") -> ChainNumbering | None:
    """The service's numbering for `sequence`, when its residues spell exactly that sequence.

    `entries` are `NumberedResidue`s (position, aa, region). Gap entries ('-', '.') are skipped.
    Missing regions are filled from the scheme's region table. None when it does not match.
    """
    sequence = clean_sequence(sequence)
    residues = [e for e in entries if clean_sequence(getattr(e, "aa", "")) not in ("", "-", ".")]
    if not sequence or "".join(clean_sequence(e.aa) for e in residues) != sequence:
        return None
    scheme_name = str(scheme or "").strip().lower() or None
    labels, regions = [], []
    for entry in residues:
        label = str(entry.position) if entry.position not in (None, "") else "?"
        region = normalise_region(entry.region)
        if region is None and scheme_name in SCHEMES:
            region = region_from_label(label, scheme_name, chain_type)
        labels.append(label)
        regions.append(region)
    return ChainNumbering(sequence, scheme_name, tuple(labels), tuple(regions), SOURCE_SERVICE)


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
    kabat = number_locally(clean_sequence(sequence), "kabat")
    if not kabat.numbered:
        return None
    locus = "H" if kabat.chain_type == "H" else "L"
    positions = KABAT_VERNIER[locus]
    return tuple(label.isdigit() and int(label) in positions for label in kabat.labels)


@lru_cache(maxsize=512)
def imgt_labels(sequence: str) -> tuple[str, ...] | None:
    """IMGT labels per residue (for rules stated in IMGT: the canonical cysteines, VHH hallmarks)."""
    numbering = number_locally(clean_sequence(sequence), "imgt")
    return numbering.labels if numbering.numbered else None
