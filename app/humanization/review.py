"""Everything the Humanization section shows about one strategy, computed once from its result row.

`review_strategy(row)` numbers, aligns, reconciles mutations and scans liabilities for each chain,
and records where every piece came from (service or computed here), so the page can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.humanization import liabilities as liab
from app.humanization import mutations as mut
from app.humanization.alignment import PairAlignment, align, humanized_only
from app.humanization.numbering import ChainNumbering, clean_sequence, imgt_labels, number_chain, vernier_flags
from app.models import HumanizationResultRow, Humanness, Liabilities, Mutations, Numbering, PerChain, Unparsed

CHAINS = (("vh", "VH"), ("vl", "VL"))


@dataclass(frozen=True)
class ChainReview:
    key: str  # "vh" / "vl"
    name: str  # "VH" / "VL"
    humanized: str
    parental: str | None
    numbering: ChainNumbering
    parental_numbering: ChainNumbering | None
    alignment: PairAlignment
    labels: tuple[str, ...]  # per alignment column
    regions: tuple[str | None, ...]  # per alignment column
    mutations: tuple[mut.MutationRecord, ...]
    counts: mut.MutationCounts
    liabilities: tuple[liab.LiabilityHit, ...]
    liability_source: str
    liability_notes: tuple[str, ...]
    parental_liabilities: tuple[liab.LiabilityHit, ...]
    liability_changes: tuple[liab.LiabilityChange, ...]
    humanness: Humanness | None

    @property
    def has_parental(self) -> bool:
        return bool(self.parental)


@dataclass(frozen=True)
class StrategyReview:
    name: str
    row: HumanizationResultRow
    chains: tuple[ChainReview, ...]
    problems: tuple[tuple[str, Unparsed], ...] = field(default=())  # (what, value) of unparsed fields

    def chain(self, key: str) -> ChainReview | None:
        return next((c for c in self.chains if c.key == key), None)


def strategy_name(row: HumanizationResultRow, position: int) -> str:
    return (row.strategy or "").strip() or f"strategy {position + 1}"


def _typed(value, kind):
    return value if isinstance(value, kind) else None


def review_chain(row: HumanizationResultRow, key: str, name: str) -> ChainReview | None:
    humanized = clean_sequence(row.humanized(key))
    if not humanized:
        return None
    parental = clean_sequence(row.parental(key)) or None
    numbering_obj = _typed(row.numbering, Numbering)
    scheme = numbering_obj.scheme if numbering_obj else None
    entries = getattr(numbering_obj, key) if numbering_obj else []
    chain_type = "H" if key == "vh" else "K"
    numbering = number_chain(humanized, scheme, entries, chain_type)
    parental_numbering = number_chain(parental, numbering.scheme or scheme, entries, chain_type) if parental else None
    alignment = align(parental, humanized) if parental else humanized_only(humanized)
    labels = mut.column_labels(alignment, numbering, parental_numbering)
    regions = mut.column_regions(alignment, numbering, parental_numbering)

    mutations_obj = _typed(row.mutations, Mutations)
    service_mutations = getattr(mutations_obj, key) if mutations_obj else []
    records = mut.reconcile(
        name,
        service_mutations,
        alignment,
        numbering,
        parental_numbering,
        vernier_flags(humanized),
        vernier_flags(parental) if parental else None,
    )
    counts = mut.count(records, alignment, regions, bool(parental))

    scanned = liab.scan(numbering, vernier_flags(humanized), imgt_labels(humanized))
    liabilities_obj = _typed(row.liabilities, Liabilities)
    service_liabilities = getattr(liabilities_obj, key) if liabilities_obj else []
    notes: tuple[str, ...]
    if service_liabilities:
        hits, source, notes = liab.place(service_liabilities, numbering), liab.SOURCE_SERVICE, ()
    else:
        hits, source, notes = scanned.hits, liab.SOURCE_SCAN, scanned.notes
    parental_hits: tuple[liab.LiabilityHit, ...] = ()
    changes: tuple[liab.LiabilityChange, ...] = ()
    if parental and parental_numbering is not None:
        parental_hits = liab.scan(parental_numbering, vernier_flags(parental), imgt_labels(parental)).hits
        # Both sides scanned here with the same rules, so the comparison is like for like.
        changes = liab.compare(parental_hits, scanned.hits, alignment)

    oasis = _typed(row.oasis_score, PerChain)
    humanness = _typed(getattr(oasis, key, None), Humanness) if oasis else None
    return ChainReview(
        key,
        name,
        humanized,
        parental,
        numbering,
        parental_numbering,
        alignment,
        labels,
        regions,
        records,
        counts,
        hits,
        source,
        notes,
        parental_hits,
        changes,
        humanness,
    )


def review_strategy(row: HumanizationResultRow, position: int = 0) -> StrategyReview:
    problems = []
    for field_name, what in (
        ("oasis_score", "humanness scores (oasis_score)"),
        ("mutations", "the mutation lists"),
        ("liabilities", "the liabilities"),
        ("numbering", "the numbering"),
        ("vhh_analysis", "the VHH analysis"),
        ("scfv_analysis", "the scFv analysis"),
        ("fc_analysis", "the Fc analysis"),
    ):
        value = getattr(row, field_name)
        if isinstance(value, Unparsed):
            problems.append((what, value))
    chains = tuple(c for key, name in CHAINS if (c := review_chain(row, key, name)) is not None)
    return StrategyReview(strategy_name(row, position), row, chains, tuple(problems))
