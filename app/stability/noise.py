"""How far a predicted ddG must be from zero before it means anything, and where that level comes from.

A predicted ΔΔG of −0.05 kcal/mol is not a stabilizing mutation: published predictors err by about
1 kcal/mol. The noise level is the model's own uncertainty for a mutation when the service reports
one (kcal/mol, one standard deviation), else DDG_NOISE_KCAL with the sources in DDG_NOISE_SOURCE.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

DDG_NOISE_KCAL = 1.0
DDG_NOISE_SOURCE = (
    "published ΔΔG predictors err by about 1 kcal/mol: I-Mutant2.0 has a standard error of 1.30 kcal/mol "
    "against experiment (Capriotti, Fariselli & Casadio 2005, Nucleic Acids Res 33:W306); FoldX- and "
    "Rosetta-type predictions move by 0.6–0.8 kcal/mol with the input structure alone (Caldararu, Blundell & "
    "Kepp 2021, BMC Bioinformatics 22:88); six methods on 2,156 mutations correlate only 0.26–0.59 with "
    "experiment (Potapov, Cohen & Schreiber 2009, PEDS 22:553)"
)
STABILIZING, WITHIN_NOISE, DESTABILIZING, UNKNOWN = "stabilizing", "within noise", "destabilizing", "ddG not given"
PROXY_WORDS = ("proxy", "not a physical", "heuristic")


@dataclass(frozen=True)
class Call:
    verdict: str
    noise: float  # kcal/mol used for this mutation
    from_model: bool  # the model's own uncertainty (else the published level)


def call(ddg: float | None, uncertainty: float | None = None, level: float = DDG_NOISE_KCAL) -> Call:
    """stabilizing when ΔΔG ≤ −noise, destabilizing when ≥ +noise, else within noise (boundaries count)."""
    from_model = uncertainty is not None and math.isfinite(uncertainty) and uncertainty > 0
    noise = float(uncertainty) if from_model and uncertainty is not None else level
    if ddg is None or not math.isfinite(ddg):
        return Call(UNKNOWN, noise, from_model)
    if ddg <= -noise:
        return Call(STABILIZING, noise, from_model)
    if ddg >= noise:
        return Call(DESTABILIZING, noise, from_model)
    return Call(WITHIN_NOISE, noise, from_model)


def proxy_tools(versions: Mapping[str, object] | None) -> list[str]:
    """model_versions keys that say their ddG is a proxy (e.g. `rule:…-ddg-proxy (not a physical ddG)`)."""
    if not isinstance(versions, Mapping):
        return []
    return [str(k) for k in versions if "ddg" in str(k).lower() and any(w in str(k).lower() for w in PROXY_WORDS)]
