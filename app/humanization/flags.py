"""Per-candidate trade-offs, in words: what a humanized variant changed that may cost binding or
solubility. Shown next to the numbers instead of marking a "best" value per column (a most-human
variant can be the one that converted the VHH hallmarks or touched the CDRs).

CDR changes count under any of the IMGT, Kabat, Chothia and North definitions (app.residues), with
the definitions that hold them named: a Kabat-only CDR-H1 change is still a CDR change.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from app.humanization import vhh
from app.humanization.review import StrategyReview
from app.models import VhhAnalysis
from app.residues import DEFINITIONS

WARN, NOTE = "warning", "note"


@dataclass(frozen=True)
class Flag:
    level: str  # WARN (may cost binding or solubility) or NOTE (worth knowing)
    text: str


def hallmarks_changed(review: StrategyReview) -> tuple[int, int] | None:
    """(changed, compared) VHH hallmark positions; None for a paired antibody or without hallmarks."""
    analysis = review.row.vhh_analysis
    if not isinstance(analysis, VhhAnalysis) or not analysis.hallmarks:
        return None
    vh = review.chain("vh")
    humanized_imgt = vhh.imgt_residue_map(vh.humanized) if vh else None
    rows = vhh.hallmark_rows(analysis.hallmarks, analysis.humanized_hallmarks, analysis.hallmark_scheme, humanized_imgt)
    compared = [r for r in rows if r["Changed"] in ("yes", "no")]
    return sum(r["Changed"] == "yes" for r in compared), len(compared)


def candidate_flags(review: StrategyReview) -> list[Flag]:
    flags: list[Flag] = []
    hallmarks = hallmarks_changed(review)
    if hallmarks and hallmarks[0]:
        flags.append(
            Flag(WARN, f"{hallmarks[0]} of {hallmarks[1]} VHH hallmarks changed to human VH residues (solubility)")
        )
    for chain in review.chains:
        counts = chain.counts
        if counts.cdr_any or counts.cdr:
            per = [f"{DEFINITIONS[name].title} {n}" for name, n in counts.cdr_by_definition if n]
            under = ", ".join(per) if per else (chain.numbering.scheme or "scheme not given").upper()
            flags.append(
                Flag(WARN, f"{chain.name}: {max(counts.cdr_any, counts.cdr)} CDR mutation(s) (under {under}; binding)")
            )
        if counts.vernier:
            flags.append(Flag(NOTE, f"{chain.name}: {counts.vernier} Vernier-zone change(s) (CDR conformation)"))
        added = Counter(c.hit.type_label for c in chain.liability_changes if c.change == "added")
        removed = Counter(c.hit.type_label for c in chain.liability_changes if c.change == "removed")
        if added:
            listed = ", ".join(f"{n}× {t}" for t, n in sorted(added.items()))
            flags.append(Flag(WARN, f"{chain.name}: liabilities added ({listed})"))
        if removed:
            listed = ", ".join(f"{n}× {t}" for t, n in sorted(removed.items()))
            flags.append(Flag(NOTE, f"{chain.name}: liabilities removed ({listed})"))
    return flags
