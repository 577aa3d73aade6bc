"""Which chains of a structure are the antibody: by the job's VH/VL sequences, else by numbering.

The contract's antibody side is "the chains that carry the job's VH/VL (or that a numbering tool
recognises as antibody domains)". Sequence matching uses gemmi's global alignment; the fallback
numbers each chain with immunum (IG heavy, kappa, lambda).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import gemmi

from app.residues import number_domains
from app.structure.model import ParsedStructure

MATCH_IDENTITY = 0.8  # share of a job sequence's residues matched by the chain
MIN_DOMAIN_LENGTH = 70
IG_CHAINS = ("H", "K", "L")


@dataclass(frozen=True)
class ChainSides:
    antibody: tuple[str, ...]
    antigen: tuple[str, ...]
    method: str  # "sequence" (the job's VH/VL), "numbering" (immunum), or "none"
    detail: str  # one sentence for the page

    def side(self, chain: str) -> str:
        return "antibody" if chain in self.antibody else "antigen"


def _clean(sequence: str) -> str:
    return "".join(ch for ch in sequence.upper() if ch.isalpha())


@lru_cache(maxsize=512)
def identity_to(candidate: str, chain_sequence: str) -> float:
    """Share (0-1) of `candidate`'s residues aligned to identical residues of the chain."""
    a, b = _clean(candidate), _clean(chain_sequence)
    if not a or not b:
        return 0.0
    result = gemmi.align_string_sequences(list(a), list(b), [])
    return result.match_count / len(a)


@lru_cache(maxsize=512)
def is_antibody_domain(sequence: str) -> bool:
    """True when immunum numbers at least one IG variable domain in the sequence."""
    seq = _clean(sequence)
    if len(seq) < MIN_DOMAIN_LENGTH:
        return False
    try:
        results = number_domains(seq)
    except Exception:
        return False
    return any(r.error is None and r.chain in IG_CHAINS for r in results)


def split_sides(parsed: ParsedStructure, job_sequences: tuple[str, ...] = ()) -> ChainSides:
    """Antibody chains (by the job's sequences, else by numbering) and antigen chains (the rest)."""
    names = [c.name for c in parsed.chains if len(c)]
    candidates = tuple(s for s in {_clean(s) for s in job_sequences if s} if len(s) >= 20)
    if candidates:
        matched = tuple(
            c.name for c in parsed.chains if any(identity_to(seq, c.sequence) >= MATCH_IDENTITY for seq in candidates)
        )
        if matched:
            rest = tuple(n for n in names if n not in matched)
            return ChainSides(
                matched,
                rest,
                "sequence",
                f"Antibody chains {', '.join(matched)} carry the job's VH/VL sequences (≥ {MATCH_IDENTITY:.0%} identity).",
            )
    numbered = tuple(c.name for c in parsed.chains if is_antibody_domain(c.sequence))
    if numbered:
        rest = tuple(n for n in names if n not in numbered)
        return ChainSides(
            numbered,
            rest,
            "numbering",
            f"Antibody chains {', '.join(numbered)} were recognised as antibody variable domains by immunum"
            + (" (no chain carries the job's VH/VL)." if candidates else " (the job gives no VH/VL to match)."),
        )
    return ChainSides((), tuple(names), "none", "No chain carries the job's VH/VL or numbers as an antibody domain.")


CHAIN_KINDS = ("heavy", "light", "antibody", "antigen")  # "antibody": a chain with both or neither type


def chain_kinds(parsed: ParsedStructure, antibody: tuple[str, ...]) -> dict[str, str]:
    """Each chain's kind: heavy or light (by immunum's chain type of its V domains), antibody (both, as
    in an scFv, or not typed), or antigen (not on the antibody side). One home for the chain colours."""
    out: dict[str, str] = {}
    for chain in parsed.chains:
        if chain.name not in antibody:
            out[chain.name] = "antigen"
            continue
        types: set[str] = set()
        if len(chain) >= MIN_DOMAIN_LENGTH:
            try:
                types = {r.chain for r in number_domains(_clean(chain.sequence)) if r.error is None}
            except Exception:
                types = set()
        heavy, light = "H" in types, bool(types & {"K", "L"})
        out[chain.name] = "heavy" if heavy and not light else "light" if light and not heavy else "antibody"
    return out
