"""Numbering a chain with immunum (MIT, offline): one Annotator per scheme, one numbering per sequence.

`number_sequence(sequence)` numbers a V-domain sequence in each scheme the CDR definitions need
(IMGT, Kabat, Chothia; immunum derives them all from one IMGT alignment) and places every scheme
on the sequence by index. For each residue (1-based index) it answers: its label in a scheme, its
region under a CDR definition, whether it is in a CDR under any definition, and whether it is a
Kabat Vernier position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from app.residues.labels import SCHEMES, ResidueLabel, scheme_name
from app.residues.regions import (
    DEFINITION_ORDER,
    DEFINITIONS,
    SCHEMES_NEEDED,
    Region,
    definition_for_scheme,
    is_vernier,
    locus_of,
)

IG_CHAINS = ("ig",)  # immunum's group of IGH, IGK and IGL


@lru_cache(maxsize=len(SCHEMES))
def annotator(scheme: str = "imgt") -> Any:
    """immunum's Annotator for antibody chains in `scheme`, built once per process (thread-safe to read)."""
    import immunum

    return immunum.Annotator(chains=list(IG_CHAINS), scheme=scheme)


@lru_cache(maxsize=512)
def number_domains(sequence: str) -> tuple[Any, ...]:
    """immunum's IMGT domains of a chain (an scFv has two), once per distinct sequence."""
    return tuple(annotator("imgt").number_domains(sequence))


@lru_cache(maxsize=2048)
def _number(sequence: str, scheme: str) -> Any:
    return annotator(scheme).number(sequence)


def clean_sequence(sequence: object) -> str:
    """Upper-case, whitespace removed: the form every computation here uses."""
    return "".join(str(sequence or "").split()).upper()


@dataclass(frozen=True, eq=False)
class NumberedChain:
    """One chain sequence numbered in several schemes, each placed on the sequence by index."""

    sequence: str
    chain_type: str | None  # immunum's call: H, K or L; None when not numbered
    labels: dict[str, tuple[ResidueLabel | None, ...]] = field(default_factory=dict)  # scheme → per residue
    note: str | None = None  # why the chain could not be numbered

    @property
    def numbered(self) -> bool:
        return bool(self.labels)

    @property
    def locus(self) -> str | None:
        return locus_of(self.chain_type)

    def label(self, index: int | None, scheme: str = "imgt") -> ResidueLabel | None:
        """The label of the residue at 1-based `index` in `scheme` (None outside the numbered domain)."""
        labels = self.labels.get(scheme, ())
        return labels[index - 1] if index is not None and 1 <= index <= len(labels) else None

    def region(self, index: int | None, definition: str = "imgt") -> Region | None:
        """The region of the residue at 1-based `index` under a CDR definition (imgt, kabat, chothia, north)."""
        cdrs = DEFINITIONS[definition]
        return cdrs.region(self.label(index, cdrs.scheme), self.locus)

    def regions(self, definition: str = "imgt") -> tuple[Region | None, ...]:
        return tuple(self.region(i, definition) for i in range(1, len(self.sequence) + 1))

    def regions_by_definition(self, index: int | None) -> dict[str, Region | None]:
        return {name: self.region(index, name) for name in DEFINITION_ORDER}

    def in_any_cdr(self, index: int | None) -> bool:
        return any(r is not None and r.is_cdr for r in self.regions_by_definition(index).values())

    def is_vernier(self, index: int | None) -> bool:
        return is_vernier(self.label(index, "kabat"), self.locus)

    def vernier_flags(self) -> tuple[bool, ...]:
        return tuple(self.is_vernier(i) for i in range(1, len(self.sequence) + 1))


def _place(sequence: str, scheme: str) -> tuple[str | None, tuple[ResidueLabel | None, ...] | None, str | None]:
    """(chain type, labels per residue, problem) of one scheme's numbering."""
    letters_only = re.sub(r"[^A-Z]", "X", sequence)  # immunum refuses non-letters; keep the length
    try:
        result = _number(letters_only, scheme)
    except Exception as error:
        return None, None, f"immunum failed: {type(error).__name__}"
    if result.error or result.numbering is None or result.query_start is None or result.query_end is None:
        return None, None, f"immunum: {result.error or 'no numbering'}"
    items = list(result.numbering)
    start, end = int(result.query_start), int(result.query_end)
    if end - start + 1 != len(items):
        return None, None, "immunum numbering does not cover its own range"
    labels: list[ResidueLabel | None] = [None] * len(sequence)
    for offset, text in enumerate(items):
        labels[start + offset] = ResidueLabel.parse(text, scheme)
    return result.chain, tuple(labels), None


@lru_cache(maxsize=512)
def number_sequence(sequence: str, schemes: tuple[str, ...] = SCHEMES_NEEDED) -> NumberedChain:
    """`sequence` numbered by immunum in each of `schemes` (default: those the CDR definitions need).

    A sequence immunum refuses comes back unnumbered, with the reason in `note`."""
    sequence = clean_sequence(sequence)
    if not sequence:
        return NumberedChain(sequence, None, {}, "empty sequence")
    labels: dict[str, tuple[ResidueLabel | None, ...]] = {}
    chain_type = None
    for scheme in dict.fromkeys(s for s in (scheme_name(x) for x in schemes) if s):
        found_type, placed, problem = _place(sequence, scheme)
        if placed is None:
            return NumberedChain(sequence, None, {}, problem)
        labels[scheme] = placed
        chain_type = chain_type or found_type
    return NumberedChain(sequence, chain_type, labels)


@lru_cache(maxsize=64)
def _immunum_regions(scheme: str, chain_type: str) -> tuple[tuple[str, int, int], ...]:
    import immunum

    try:
        table = immunum.regions_for(scheme, chain_type)
    except Exception:
        return ()
    return tuple((name.upper(), lo, hi) for name, (lo, hi) in table.items())


def scheme_region(label: ResidueLabel | str | None, scheme: str | None, chain_type: str | None = "H") -> Region | None:
    """The region a label has in its own scheme: the namesake CDR definition for IMGT, Kabat and Chothia,
    immunum's region table for Martin and AHo."""
    scheme = scheme_name(scheme)
    parsed = ResidueLabel.parse(label, scheme)
    locus = locus_of(chain_type) or "H"
    if parsed is None or scheme is None:
        return None
    cdrs = definition_for_scheme(scheme)
    if cdrs is not None:
        return cdrs.region(parsed, locus)
    for name, lo, hi in _immunum_regions(scheme, "H" if locus == "H" else "K"):
        if lo <= parsed.number <= hi:
            kind = "CDR" if name.startswith("CDR") else "FR"
            return Region(kind, int(name[-1]), locus)
    return None


@dataclass(frozen=True)
class DomainResidue:
    """A residue of a chain that holds one or more V domains (an IgG chain, an scFv): its domain and place."""

    domain: NumberedChain  # the domain's residues, numbered in the definitions' schemes
    index: int  # 1-based within the domain

    @property
    def chain_type(self) -> str | None:
        return self.domain.chain_type

    def label(self, scheme: str = "imgt") -> ResidueLabel | None:
        return self.domain.label(self.index, scheme)

    def region(self, definition: str = "imgt") -> Region | None:
        return self.domain.region(self.index, definition)

    def cdr_definitions(self) -> tuple[str, ...]:
        """The CDR definitions under which this residue is in a CDR."""
        found = self.domain.regions_by_definition(self.index)
        return tuple(name for name, region in found.items() if region is not None and region.is_cdr)


@lru_cache(maxsize=256)
def domain_residues(sequence: str) -> tuple[DomainResidue | None, ...]:
    """Per residue of a chain (0-based like the sequence): its V domain and place, None outside every domain.

    The domains are immunum's (IMGT); each is numbered again on its own in every scheme the CDR
    definitions need, so a residue of the second domain of an scFv gets its Kabat region too."""
    sequence = clean_sequence(sequence)
    out: list[DomainResidue | None] = [None] * len(sequence)
    try:
        domains = number_domains(re.sub(r"[^A-Z]", "X", sequence))
    except Exception:
        return tuple(out)
    for domain in domains:
        if domain.error is not None or domain.query_start is None or domain.query_end is None:
            continue
        start, end = int(domain.query_start), int(domain.query_end)
        numbered = number_sequence(sequence[start : end + 1])
        if not numbered.numbered:
            continue
        for i in range(start, min(end, len(sequence) - 1) + 1):
            out[i] = DomainResidue(numbered, i - start + 1)
    return tuple(out)
