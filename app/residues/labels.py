"""Residue labels: a scheme number with its insertion code ("52A"), optionally on a chain ("H:52A").

In the spirit of AbNumber's `Position`: a label parses, prints, hashes and orders itself by the rules
of its numbering scheme. IMGT numbers CDR insertions symmetrically around the loop tip, so at IMGT
33, 61 and 112 the letters run backwards (CDR3: 111, 111A, 111B, …, 112B, 112A, 112); Kabat, Chothia
and the other schemes append them in ascending order (35, 35A, 35B; 100, 100A, …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

SCHEMES = ("imgt", "kabat", "chothia", "martin", "aho")
IMGT_REVERSED_INSERTIONS = frozenset({33, 61, 112})  # AbNumber's Position._sort_key, IMGT's numbering rules

_LABEL = r"(-?\d+)([A-Za-z]?)"
_LABEL_RE = re.compile(rf"^\s*{_LABEL}\s*$")
_POSITION_RE = re.compile(rf"^\s*(?:([A-Za-z0-9]{{1,8}})\s*[:_]\s*)?{_LABEL}\s*$")


SCHEME_TITLES = {"imgt": "IMGT", "kabat": "Kabat", "chothia": "Chothia", "martin": "Martin", "aho": "AHo"}


def scheme_title(scheme: str | None) -> str:
    return SCHEME_TITLES.get(str(scheme or "").strip().lower(), str(scheme or "no"))


def residue_text(
    chain: str | None,
    label: object,
    scheme: str | None,
    *,
    index: int | None = None,
    file_label: str | None = None,
) -> str:
    """How every tab names a residue: the scheme label first, the file number or index second.

    'H:52A (IMGT) · residue 57', 'H:52A (IMGT) · file 57', or 'H · residue 57' when not numbered."""
    prefix = f"{chain}:" if chain else ""
    secondary = f"file {file_label}" if file_label else (f"residue {index}" if index is not None else "")
    if label is None or str(label).strip() == "":
        head = f"{chain} · " if chain else ""
        return f"{head}{secondary}".strip(" ·") or "?"
    main = f"{prefix}{label} ({scheme_title(scheme)})" if scheme else f"{prefix}{label}"
    return f"{main} · {secondary}" if secondary else main


def scheme_name(scheme: object) -> str | None:
    """'IMGT', ' Kabat ' → 'imgt', 'kabat'; None for anything that is not a scheme immunum numbers in."""
    text = str(scheme or "").strip().lower()
    return text if text in SCHEMES else None


@total_ordering
@dataclass(frozen=True)
class ResidueLabel:
    """A position in a numbering scheme: number, insertion code ("" when none) and the scheme it orders by.

    Two labels are equal when number, insertion and scheme agree; ordering labels of different schemes
    is refused (a Kabat 52A and an IMGT 52A are different residues)."""

    number: int
    icode: str = ""
    scheme: str | None = None  # None: insertions order ascending, as in every scheme but IMGT

    def __post_init__(self) -> None:
        object.__setattr__(self, "icode", str(self.icode or "").strip().upper())
        object.__setattr__(self, "scheme", scheme_name(self.scheme))

    @classmethod
    def parse(cls, text: object, scheme: str | None = None) -> ResidueLabel | None:
        """'52A', ' 111B', '-3' → a label; None for text that is not a number with at most one letter."""
        if isinstance(text, ResidueLabel):
            return text
        if isinstance(text, int) and not isinstance(text, bool):
            return cls(text, "", scheme)
        match = _LABEL_RE.match(str(text if text is not None else ""))
        return cls(int(match.group(1)), match.group(2), scheme) if match else None

    def __str__(self) -> str:
        return f"{self.number}{self.icode}"

    @property
    def sort_key(self) -> tuple[int, int]:
        letter = ord(self.icode) - ord("A") + 1 if self.icode else 0
        if self.scheme == "imgt" and self.number in IMGT_REVERSED_INSERTIONS:
            letter = -letter
        return self.number, letter

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, ResidueLabel):
            return NotImplemented
        if self.scheme != other.scheme:
            raise TypeError(f"cannot order a {self.scheme} label against a {other.scheme} label")
        return self.sort_key < other.sort_key

    def in_scheme(self, scheme: str | None) -> ResidueLabel:
        return ResidueLabel(self.number, self.icode, scheme)


def sort_labels(labels: list[str], scheme: str | None) -> list[str]:
    """Label strings in the scheme's order (unparsable ones last, as given)."""
    parsed = [(ResidueLabel.parse(text, scheme), text) for text in labels]
    good = sorted((p for p in parsed if p[0] is not None), key=lambda p: p[0].sort_key)  # type: ignore[union-attr]
    return [text for _, text in good] + [text for label, text in parsed if label is None]


@dataclass(frozen=True)
class ResiduePosition:
    """A label on a chain, as services write it: "H:52A", "L_30", or a bare "52A" (chain None)."""

    chain: str | None
    label: ResidueLabel

    @classmethod
    def parse(cls, text: object, scheme: str | None = None) -> ResiduePosition | None:
        match = _POSITION_RE.match(str(text if text is not None else ""))
        if not match:
            return None
        chain, number, icode = match.groups()
        return cls(chain.upper() if chain else None, ResidueLabel(int(number), icode, scheme))

    def __str__(self) -> str:
        return f"{self.chain}:{self.label}" if self.chain else str(self.label)
