"""Mutation bookkeeping: which residues humanization changed, where they sit, and the counts a
scientist compares strategies by (total, framework, CDR, Vernier zone, share of parental framework kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.humanization.alignment import PairAlignment
from app.humanization.numbering import ChainNumbering, is_cdr, normalise_region
from app.residues import DEFINITION_ORDER, DEFINITIONS

SOURCE_SERVICE = "service"
SOURCE_ALIGNMENT = "alignment"


@dataclass(frozen=True)
class MutationRecord:
    """One change from parental to humanized on one chain."""

    chain: str  # "VH" or "VL"
    label: str  # position label in the numbering scheme
    humanized_index: int | None  # 1-based in the humanized chain; None for a deletion
    parental_index: int | None
    from_aa: str
    to_aa: str
    region: str | None
    vernier: bool
    reason: str
    source: str  # SOURCE_SERVICE or SOURCE_ALIGNMENT
    # (definition, region) for IMGT, Kabat, Chothia and North: a framework residue under one
    # definition can be a CDR residue under another (Kabat CDR-H2 runs into IMGT FR3)
    by_definition: tuple[tuple[str, str | None], ...] = field(default=())

    @property
    def in_cdr(self) -> bool:
        """In a CDR by the numbering's own regions (the scheme's definition)."""
        return is_cdr(self.region)

    def region_under(self, definition: str) -> str | None:
        return dict(self.by_definition).get(definition)

    @property
    def cdr_definitions(self) -> tuple[str, ...]:
        """The definitions under which the residue is in a CDR (e.g. ('kabat', 'north'))."""
        return tuple(name for name, region in self.by_definition if is_cdr(region))

    @property
    def in_any_cdr(self) -> bool:
        return self.in_cdr or bool(self.cdr_definitions)

    @property
    def in_framework(self) -> bool:
        return bool(self.region) and self.region.startswith("FR")

    @property
    def code(self) -> str:
        """e.g. 'S30T' (scheme label between the residues)."""
        return f"{self.from_aa}{self.label}{self.to_aa}"


@dataclass(frozen=True)
class MutationCounts:
    total: int
    framework: int
    cdr: int  # by the numbering's own regions
    vernier: int
    framework_kept: float | None  # share of parental framework residues kept, 0-1; None without parental
    cdr_by_definition: tuple[tuple[str, int], ...] = ()  # (definition, CDR mutations) per CDR definition
    cdr_any: int = 0  # in a CDR under at least one definition

    def cdr_under(self, definition: str) -> int | None:
        return dict(self.cdr_by_definition).get(definition)


def definition_title(definition: str) -> str:
    return DEFINITIONS[definition].title


def _flag(flags: tuple[bool, ...] | None, index: int | None) -> bool:
    return bool(flags) and index is not None and 1 <= index <= len(flags) and flags[index - 1]


def _by_definition(
    humanized: ChainNumbering, parental: ChainNumbering | None, humanized_index: int | None, parental_index: int | None
) -> tuple[tuple[str, str | None], ...]:
    """Regions under every CDR definition: of the humanized residue, or the parental one for a deletion."""
    if humanized_index is not None and 1 <= humanized_index <= len(humanized.sequence):
        return tuple(humanized.regions_under(humanized_index).items())
    if parental is not None and parental_index is not None:
        return tuple(parental.regions_under(parental_index).items())
    return tuple((name, None) for name in DEFINITION_ORDER)


def column_regions(
    alignment: PairAlignment, humanized: ChainNumbering, parental: ChainNumbering | None
) -> tuple[str | None, ...]:
    """Region of every column: the humanized residue's, or the parental's on a humanized gap."""
    out = []
    for column in alignment.columns:
        if column.humanized_index is not None:
            out.append(humanized.region(column.humanized_index))
        elif parental is not None and column.parental_index is not None:
            out.append(parental.region(column.parental_index))
        else:
            out.append(None)
    return tuple(out)


def column_labels(
    alignment: PairAlignment, humanized: ChainNumbering, parental: ChainNumbering | None
) -> tuple[str, ...]:
    out = []
    for column in alignment.columns:
        if column.humanized_index is not None:
            out.append(humanized.label(column.humanized_index))
        elif parental is not None and column.parental_index is not None:
            out.append(parental.label(column.parental_index))
        else:
            out.append("")
    return tuple(out)


def reconcile(
    chain: str,
    service: list,
    alignment: PairAlignment,
    humanized: ChainNumbering,
    parental: ChainNumbering | None,
    humanized_vernier: tuple[bool, ...] | None,
    parental_vernier: tuple[bool, ...] | None,
) -> tuple[MutationRecord, ...]:
    """The service's mutations, completed by any difference the alignment shows that the service did
    not list (or all of them when the service listed none). Regions fall back to the numbering;
    the Vernier flag comes from the Kabat numbering done here (or a 'vernier' reason)."""
    records: list[MutationRecord] = []
    listed: set[int] = set()
    for item in service:
        index = int(item.index) if item.index is not None else None
        inside = index is not None and 1 <= index <= len(humanized.sequence)
        label = str(item.position) if item.position not in (None, "") else (humanized.label(index) if inside else "?")
        region = normalise_region(item.region) or (humanized.region(index) if inside else None)
        reason = str(item.reason or "")
        vernier = _flag(humanized_vernier, index if inside else None) or "vernier" in reason.lower()
        column = alignment.column_of_humanized(index) if inside else None
        parental_index = alignment.columns[column].parental_index if column is not None else None
        records.append(
            MutationRecord(
                chain,
                label,
                index,
                parental_index,
                str(item.from_aa),
                str(item.to_aa),
                region,
                vernier,
                reason or "—",
                SOURCE_SERVICE,
                _by_definition(humanized, parental, index if inside else None, parental_index),
            )
        )
        if inside:
            listed.add(index)
    note = "—" if not service else "not listed by the service"
    for column in alignment.columns:
        if not column.is_mutation:
            continue
        if column.humanized_index is not None:
            if column.humanized_index in listed:
                continue
            label = humanized.label(column.humanized_index)
            region = humanized.region(column.humanized_index)
            vernier = _flag(humanized_vernier, column.humanized_index)
        else:
            label = parental.label(column.parental_index) if parental is not None else str(column.parental_index)
            region = parental.region(column.parental_index) if parental is not None else None
            vernier = _flag(parental_vernier, column.parental_index)
        records.append(
            MutationRecord(
                chain,
                label,
                column.humanized_index,
                column.parental_index,
                column.parental_aa,
                column.humanized_aa,
                region,
                vernier,
                note,
                SOURCE_ALIGNMENT,
                _by_definition(humanized, parental, column.humanized_index, column.parental_index),
            )
        )
    records.sort(key=lambda r: r.humanized_index if r.humanized_index is not None else (r.parental_index or 0) - 0.5)
    return tuple(records)


def count(
    records: tuple[MutationRecord, ...], alignment: PairAlignment, regions: tuple[str | None, ...], has_parental: bool
) -> MutationCounts:
    """Counts of `records`; framework kept = parental framework residues still identical in the humanized."""
    kept = None
    if has_parental:
        framework = [
            c for c, r in zip(alignment.columns, regions) if c.parental_index is not None and r and r.startswith("FR")
        ]
        if framework:
            kept = sum(c.parental_aa == c.humanized_aa for c in framework) / len(framework)
    return MutationCounts(
        total=len(records),
        framework=sum(r.in_framework for r in records),
        cdr=sum(r.in_cdr for r in records),
        vernier=sum(r.vernier for r in records),
        framework_kept=kept,
        cdr_by_definition=tuple(
            (name, sum(is_cdr(r.region_under(name)) for r in records)) for name in DEFINITION_ORDER
        ),
        cdr_any=sum(r.in_any_cdr for r in records),
    )
