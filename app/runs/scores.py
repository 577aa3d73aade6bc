"""Chain-pair confidence computed here: ipSAE from the PAE (Dunbrack 2025) and interface pLDDT.

ipSAE follows DunbrackLab/IPSAE `ipsae.py` (ipSAE with d0 from the residues under the cutoff,
"ipSAE" in its output): for each token i of chain A, the tokens j of chain B with PAE(i, j) below
the cutoff count n0(i); d0(i) = 1.24·(max(n0, 27) − 15)^(1/3) − 1.8 (at least 1 Å); the token's
score is the mean of 1 / (1 + (PAE(i, j)/d0)²) over those j (0 when there are none). The
asymmetric ipSAE(A→B) is the largest token score of A, and the pair's ipSAE the larger of both
directions. Interface pLDDT is the mean pLDDT of the residues of both chains in contact (a heavy
atom within 4.5 Å of the other chain: `app.structure.interface.chain_pair_contacts`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.conventions import iptm_interpretation
from app.structure.confidence import ResidueConfidence, mean_over
from app.structure.model import ResidueId
from app.view import Pae, PairIptm

PAE_CUTOFF_A = 10.0  # ipsae.py's recommended cutoff for AlphaFold 3 and Boltz


def d0_of(n0: np.ndarray) -> np.ndarray:
    """TM-score d0 for counts of residues (ipsae.py calc_d0_array, protein pairs)."""
    length = np.maximum(27.0, n0.astype(float))
    return np.maximum(1.0, 1.24 * np.cbrt(length - 15.0) - 1.8)


def ipsae_by_token(pae: np.ndarray, rows: np.ndarray, cols: np.ndarray, cutoff: float) -> np.ndarray:
    """Per-token ipSAE of the `rows` tokens (aligned) towards the `cols` tokens (scored)."""
    block = pae[np.ix_(rows, cols)].astype(np.float64)
    valid = block < cutoff
    n0 = valid.sum(axis=1)
    d0 = d0_of(n0)[:, None]
    ptm = 1.0 / (1.0 + (block / d0) ** 2)
    total = np.where(valid, ptm, 0.0).sum(axis=1)
    return np.divide(total, n0, out=np.zeros_like(total), where=n0 > 0)


def ipsae_asym(pae: np.ndarray, chains: np.ndarray, chain_1: str, chain_2: str, cutoff: float) -> float:
    rows = np.flatnonzero(chains == chain_1)
    cols = np.flatnonzero(chains == chain_2)
    if not len(rows) or not len(cols):
        return float("nan")
    return float(ipsae_by_token(pae, rows, cols, cutoff).max())


@dataclass(frozen=True)
class PairScore:
    chain_1: str
    chain_2: str
    iptm: float | None  # as the tool reports it, chain_1 → chain_2
    iptm_21: float | None  # chain_2 → chain_1 (Boltz's pair_chains_iptm is not symmetric)
    ipsae: float | None  # max of both directions
    ipsae_12: float | None
    ipsae_21: float | None
    interface_plddt: float | None  # 0-100
    interface_residues: int


def chain_pair_table(
    chain_names: list[str],
    pae: Pae | None,
    pair_iptm: tuple[PairIptm, ...],
    contacts: dict[tuple[str, str], set[ResidueId]],
    confidence: ResidueConfidence | None,
    cutoff: float = PAE_CUTOFF_A,
) -> list[PairScore]:
    """One row per unordered pair of chains: ipTM (tool), ipSAE (here, when the PAE maps onto the
    structure), interface pLDDT (here, when pLDDT is known)."""
    iptm = {(p.chain_1, p.chain_2): p.iptm for p in pair_iptm}
    chains = np.array([t.chain for t in pae.tokens]) if pae is not None and pae.usable and pae.tokens else None
    rows: list[PairScore] = []
    for i, a in enumerate(chain_names):
        for b in chain_names[i + 1 :]:
            forward = backward = None
            if chains is not None and pae is not None:
                f = ipsae_asym(pae.matrix, chains, a, b, cutoff)
                r = ipsae_asym(pae.matrix, chains, b, a, cutoff)
                forward = None if np.isnan(f) else f
                backward = None if np.isnan(r) else r
            both = [v for v in (forward, backward) if v is not None]
            residues = contacts.get((a, b)) or contacts.get((b, a)) or set()
            plddt = mean_over(confidence, residues) if confidence is not None and confidence.is_plddt else None
            rows.append(
                PairScore(
                    a,
                    b,
                    iptm.get((a, b)),
                    iptm.get((b, a)),
                    max(both) if both else None,
                    forward,
                    backward,
                    plddt,
                    len(residues),
                )
            )
    return rows


def antibody_antigen_summary(rows: list[PairScore], antibody: tuple[str, ...], cutoff: float) -> str | None:
    """One paragraph: which chain pair is the antibody–antigen interface and how confident the model is.

    The pair with the highest ipSAE (else ipTM) among antibody × antigen pairs is named; ipTM is
    read with the AlphaFold 3 bands of `app.conventions`; ipSAE is given as a number (it has no
    agreed bands)."""
    pairs = [r for r in rows if (r.chain_1 in antibody) != (r.chain_2 in antibody)]
    if not antibody or not pairs:
        return None

    def strength(row: PairScore) -> float:
        values = [v for v in (row.ipsae, row.iptm, row.iptm_21) if v is not None]
        return max(values) if values else -1.0

    best = max(pairs, key=strength)
    ab, ag = (best.chain_1, best.chain_2) if best.chain_1 in antibody else (best.chain_2, best.chain_1)
    iptms = [v for v in (best.iptm, best.iptm_21) if v is not None]
    iptm = max(iptms) if iptms else None
    parts = [f"The antibody–antigen interface is chain {ab} (antibody) with chain {ag} (antigen)"]
    if len(pairs) > 1:
        parts[0] += f", the strongest of {len(pairs)} antibody × antigen pairs"
    parts[0] += "."
    if iptm is not None:
        parts.append(f"Its ipTM as the tool reports it is {iptm:.2f}: {iptm_interpretation(iptm)}.")
    else:
        parts.append("The tool reports no ipTM for this pair.")
    if best.ipsae is not None:
        parts.append(f"ipSAE computed here from the PAE (cutoff {cutoff:g} Å) is {best.ipsae:.2f}.")
    if best.interface_plddt is not None:
        parts.append(
            f"The {best.interface_residues} interface residues have a mean pLDDT of {best.interface_plddt:.0f}."
        )
    elif best.interface_residues == 0:
        parts.append("No residues of the two chains are in contact in this model.")
    return " ".join(parts)
