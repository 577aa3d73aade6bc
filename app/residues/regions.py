"""Regions (FR1…FR4, CDR1…CDR3) and the CDR definitions IMGT, Kabat, Chothia and North.

One normaliser reads the spellings services use ("FWR2", "CDR-H1", "HCDR3", "H3", "fr4"…) and
returns a `Region` or None: an unknown spelling is never silently dropped or mapped elsewhere.
A CDR definition is written in its own numbering scheme (conventions.md): North in Chothia
numbering, the others in their namesake schemes. A bound without an insertion code covers that
number's insertions (Kabat CDR-H3 95–102 holds 100A…100K); a bound with one stops there (Kabat
CDR-H1 ends at 35B).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from app.conventions import CDR_DEFINITIONS, KABAT_VERNIER
from app.residues.labels import ResidueLabel, scheme_name, scheme_title

REGION_NAMES = ("FR1", "CDR1", "FR2", "CDR2", "FR3", "CDR3", "FR4")
HEAVY_CHAIN_TYPES = frozenset({"H"})
LIGHT_CHAIN_TYPES = frozenset({"K", "L"})


def locus_of(chain_type: str | None) -> str | None:
    """'H' for a heavy chain, 'L' for kappa or lambda, None when unknown."""
    text = str(chain_type or "").strip().upper()
    if text in HEAVY_CHAIN_TYPES or text in ("VH", "HEAVY", "IGH"):
        return "H"
    if text in LIGHT_CHAIN_TYPES or text in ("VL", "LIGHT", "KAPPA", "LAMBDA", "IGK", "IGL"):
        return "L"
    return None


@dataclass(frozen=True)
class Region:
    """A framework or CDR of a V domain; `chain` is 'H' or 'L' when the spelling or numbering said so."""

    kind: str  # "FR" or "CDR"
    number: int  # 1-4 for FR, 1-3 for CDR
    chain: str | None = None

    @property
    def name(self) -> str:
        """'CDR1', 'FR2': the form every table and colour map keys on."""
        return f"{self.kind}{self.number}"

    @property
    def full_name(self) -> str:
        """'CDR-H1', 'FR-L2' when the chain is known, else the short name."""
        return f"{self.kind}-{self.chain}{self.number}" if self.chain else self.name

    @property
    def is_cdr(self) -> bool:
        return self.kind == "CDR"

    @property
    def order(self) -> int:
        return REGION_NAMES.index(self.name)

    def __str__(self) -> str:
        return self.name


_KIND = r"(CDR|FRAMEWORK|FWR|FR|FW)"
_SPELLINGS = (
    re.compile(rf"^{_KIND}([HLK])?([1-4])$"),  # FR1, FWR2, CDR-H1, CDRL3, FR-H1, FRAMEWORK 3
    re.compile(rf"^([HLK]){_KIND}([1-4])$"),  # HFR1, HCDR3, LCDR1
    re.compile(r"^([HLK])([1-3])$"),  # H1, L3: the loops' short names are CDRs
)


def normalise_region(text: object) -> Region | None:
    """The region a spelling names, or None when it names none (an unknown text, CDR4, FR5, "")."""
    if text is None or isinstance(text, Region):
        return text
    return _region_of_text(str(text))


@lru_cache(maxsize=256)
def _region_of_text(text: str) -> Region | None:
    compact = re.sub(r"[\s_\-.]", "", text).upper()
    for i, pattern in enumerate(_SPELLINGS):
        match = pattern.match(compact)
        if not match:
            continue
        if i == 0:
            kind, chain, number = match.groups()
        elif i == 1:
            chain, kind, number = match.groups()
        else:
            (chain, number), kind = match.groups(), "CDR"
        kind = "CDR" if kind == "CDR" else "FR"
        if kind == "CDR" and number == "4":
            return None
        return Region(kind, int(number), locus_of(chain) if chain else None)
    return None


def region_name(text: object) -> str | None:
    """'FWR2' → 'FR2', 'CDR-H1' → 'CDR1'; None when the text names no region."""
    region = normalise_region(text)
    return region.name if region else None


def is_cdr(region: object) -> bool:
    """True for a CDR, however it is spelled ('CDR1', 'CDR-H3', 'H3' or a Region)."""
    found = normalise_region(region)
    return bool(found and found.is_cdr)


def is_framework(region: object) -> bool:
    found = normalise_region(region)
    return bool(found and not found.is_cdr)


@dataclass(frozen=True)
class CdrDefinition:
    """A CDR definition: for each loop (H1…L3) its first and last position in `scheme`."""

    name: str  # "imgt", "kabat", "chothia", "north"
    title: str  # "IMGT", "Kabat", …
    scheme: str  # the numbering scheme the positions are written in
    loops: tuple[tuple[str, ResidueLabel, ResidueLabel], ...]  # ("H1", first, last)

    def bounds(self, locus: str, cdr: int) -> tuple[ResidueLabel, ResidueLabel]:
        key = f"{locus}{cdr}"
        return next((lo, hi) for name, lo, hi in self.loops if name == key)

    def region(self, label: ResidueLabel | None, locus: str | None) -> Region | None:
        """The region of a label (numbered in `self.scheme`) on a heavy ('H') or light ('L') chain."""
        if label is None or locus not in ("H", "L"):
            return None
        label = label.in_scheme(self.scheme)
        for cdr in (1, 2, 3):
            lo, hi = self.bounds(locus, cdr)
            if _before(label, lo):
                return Region("FR", cdr, locus)
            if not _after(label, hi):
                return Region("CDR", cdr, locus)
        return Region("FR", 4, locus)

    def describe(self) -> str:
        return f"{self.title} CDRs ({scheme_title(self.scheme)} numbering)"


def _before(label: ResidueLabel, lo: ResidueLabel) -> bool:
    return label.number < lo.number or (bool(lo.icode) and label.number == lo.number and label < lo)


def _after(label: ResidueLabel, hi: ResidueLabel) -> bool:
    return label.number > hi.number or (bool(hi.icode) and label.number == hi.number and label > hi)


DEFINITION_SCHEMES = {"imgt": "imgt", "kabat": "kabat", "chothia": "chothia", "north": "chothia"}
DEFINITION_TITLES = {"imgt": "IMGT", "kabat": "Kabat", "chothia": "Chothia", "north": "North"}


def _definition(name: str) -> CdrDefinition:
    scheme = DEFINITION_SCHEMES[name]
    loops = []
    for loop, (lo, hi) in CDR_DEFINITIONS[name].items():
        first, last = ResidueLabel.parse(lo, scheme), ResidueLabel.parse(hi, scheme)
        assert first is not None and last is not None, (name, loop)
        loops.append((loop, first, last))
    return CdrDefinition(name, DEFINITION_TITLES[name], scheme, tuple(loops))


DEFINITIONS: dict[str, CdrDefinition] = {name: _definition(name) for name in DEFINITION_SCHEMES}
DEFINITION_ORDER = ("imgt", "kabat", "chothia", "north")
SCHEMES_NEEDED = tuple(dict.fromkeys(DEFINITION_SCHEMES[d] for d in DEFINITION_ORDER))  # imgt, kabat, chothia


def definition(name: object) -> CdrDefinition | None:
    return DEFINITIONS.get(str(name or "").strip().lower())


def definition_for_scheme(scheme: str | None) -> CdrDefinition | None:
    """The definition a scheme's own regions follow: IMGT, Kabat, Chothia; None for Martin and AHo."""
    return DEFINITIONS.get(scheme_name(scheme) or "")


def is_vernier(kabat_label: ResidueLabel | None, locus: str | None) -> bool:
    """Kabat Vernier zone (conventions.md): the position's Kabat number, insertions excluded."""
    if kabat_label is None or locus not in KABAT_VERNIER or kabat_label.icode:
        return False
    return kabat_label.number in KABAT_VERNIER[locus]
