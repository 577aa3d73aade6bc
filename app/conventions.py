"""Field conventions of ../shared/conventions.md, in one place: bands, colours, thresholds, regions.

Every section and chart takes its colours and cut-offs from here, so the UI states one rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- pLDDT (AlphaFold notebook PLDDT_BANDS; Mol* pLDDT theme) -----------------------------------


@dataclass(frozen=True)
class Band:
    name: str
    low: float  # inclusive
    high: float  # exclusive, except the top band which includes 100
    color: str


PLDDT_BANDS: tuple[Band, ...] = (
    Band("Very low", 0.0, 50.0, "#FF7D45"),
    Band("Low", 50.0, 70.0, "#FFDB13"),
    Band("Confident", 70.0, 90.0, "#65CBF3"),
    Band("Very high", 90.0, 100.0, "#0053D6"),
)
NO_SCORE_COLOR = "#AAAAAA"
PLDDT_RULE = (
    "Half-open bands [0,50) [50,70) [70,90) [90,100]: exactly 70 is 'confident' (after AlphaFold's confidence.py)."
)


def plddt_band(value: float | None) -> Band | None:
    """The band of a 0-100 pLDDT value (half-open intervals; 100 is 'very high'); None if no score."""
    if value is None or not 0 <= value <= 100:
        return None
    for band in PLDDT_BANDS:
        if band.low <= value < band.high:
            return band
    return PLDDT_BANDS[-1]  # exactly 100


def plddt_color(value: float | None) -> str:
    band = plddt_band(value)
    return band.color if band else NO_SCORE_COLOR


# --- global confidence (AlphaFold 3 docs/output.md) -----------------------------------------------

IPTM_CONFIDENT = 0.8
IPTM_GREY_ZONE = 0.6
IPTM_ANTIBODY_CAVEAT = (
    "For antibody–antigen complexes ipTM is a weak signal (the Boltz maintainers say so): "
    "read it together with the interface pLDDT and the epitope you expect."
)


def iptm_interpretation(iptm: float | None) -> str:
    if iptm is None:
        return "not given"
    if iptm > IPTM_CONFIDENT:
        return "confident (ipTM > 0.8)"
    if iptm >= IPTM_GREY_ZONE:
        return "grey zone (0.6–0.8)"
    return "likely wrong (ipTM < 0.6)"


# --- epitope thresholds (percentile rank, lower binds stronger) ------------------------------------


@dataclass(frozen=True)
class ThresholdSet:
    name: str
    strong: float
    weak: float


MHC1_THRESHOLDS = ThresholdSet("NetMHCpan 4.x", strong=0.5, weak=2.0)
MHC2_THRESHOLDS = ThresholdSet("NetMHCIIpan 4.x", strong=1.0, weak=5.0)
MHC2_LEGACY_THRESHOLDS = ThresholdSet("legacy (older tools)", strong=2.0, weak=10.0)

# --- CDR definitions (positions in the scheme named) ------------------------------------------------

CDR_DEFINITIONS: dict[str, dict[str, tuple[str, str]]] = {
    "imgt": {
        "H1": ("27", "38"),
        "H2": ("56", "65"),
        "H3": ("105", "117"),
        "L1": ("27", "38"),
        "L2": ("56", "65"),
        "L3": ("105", "117"),
    },
    "kabat": {
        "H1": ("31", "35B"),
        "H2": ("50", "65"),
        "H3": ("95", "102"),
        "L1": ("24", "34"),
        "L2": ("50", "56"),
        "L3": ("89", "97"),
    },
    "chothia": {
        "H1": ("26", "32"),
        "H2": ("52", "56"),
        "H3": ("95", "102"),
        "L1": ("24", "34"),
        "L2": ("50", "56"),
        "L3": ("89", "97"),
    },
    "north": {
        "H1": ("23", "35"),
        "H2": ("50", "58"),
        "H3": ("93", "102"),
        "L1": ("24", "34"),
        "L2": ("49", "56"),
        "L3": ("89", "97"),
    },
}

KABAT_VERNIER = {
    "H": frozenset({2, 27, 28, 29, 30, 47, 48, 49, 67, 69, 71, 73, 78, 93, 94, 103}),
    "L": frozenset({2, 4, 35, 36, 46, 47, 48, 49, 64, 66, 68, 69, 71, 98}),
}

REGION_ORDER = ("FR1", "CDR1", "FR2", "CDR2", "FR3", "CDR3", "FR4")
REGION_COLORS = {
    "FR1": "#E8EEF4",
    "FR2": "#E8EEF4",
    "FR3": "#E8EEF4",
    "FR4": "#E8EEF4",
    "CDR1": "#F4A261",
    "CDR2": "#2A9D8F",
    "CDR3": "#E76F51",
}

# --- sequence liabilities (OPIG's list, severity after Satława et al. 2024) -------------------------
# Severities are LAP's risk classes (Satława et al. 2024, PLoS Comput Biol 20:e1011881, Table 1). The
# paper's table itself could not be read here; each class below was checked against two public
# transcriptions of it (checked 2026-12-02):
#   AntPack  = jlparkI/AntPack src/antpack/cpp_src/developability_calcs/liability_search_tool.cpp
#   Platforma = platforma-open/antibody-sequence-liabilities model/src/index.ts (riskLevel)
#   N[^P][ST] N-glycosylation  high    Platforma high; AntPack names it without a class
#   N[GS]     deamidation      high    both ("elevated risk" in AntPack)
#   N[AHNT]   deamidation      medium  Platforma medium; AntPack's regex note "moderate" (its label says "elevated")
#   D[DGHST]  isomerization    high    both
#   DP        fragmentation    high    Platforma high; AntPack classes [ND]P "pH-dependent hydrolysis (moderate risk)"
#   M, W      oxidation        medium  both ("moderate risk")
# LAP also lists NP hydrolysis (medium), TS fragmentation (medium) and [STK]N deamidation (low), which
# OPIG's list (the conventions' motif set) does not scan. LAP has no class for integrin motifs,
# polyreactivity or unpaired cysteines: those are this dashboard's (source DASHBOARD_RULE).

SATLAWA_2024 = "Satława 2024 (LAP)"
DASHBOARD_RULE = "this dashboard"
SEVERITY_MEANING = (
    "Severity is the motif's risk class, not a measured rate for this antibody: how readily that kind of motif "
    "is chemically modified (deamidated, isomerized, oxidized, glycosylated, cleaved) in antibodies. High = the "
    "fast-reacting motifs (NG/NS deamidation, DG/DS/DT/DD/DH isomerization, DP cleavage, N-glycosylation sites); "
    "medium = slower or context-dependent ones (NA/NH/NN/NT deamidation, Met and Trp oxidation); low = rarely a "
    "problem. Classes after Satława et al. 2024 (LAP, PLoS Comput Biol 20:e1011881) as AntPack and Platforma's "
    "liability block transcribe them; the two differ only on DP (high in Platforma's, moderate in AntPack's), "
    "kept high here. LAP found about 60 % of motifs benign once germline origin, presence in therapeutics and "
    "surface exposure are considered. The integrin-binding, polyreactivity and unpaired-cysteine classes are "
    "this dashboard's."
)


@dataclass(frozen=True)
class LiabilityMotif:
    type: str
    regex: str
    where: str  # "domain" (whole V domain) or "cdr" (CDRs; some also Vernier)
    severity: str
    label: str
    severity_source: str = SATLAWA_2024


LIABILITY_MOTIFS: tuple[LiabilityMotif, ...] = (
    LiabilityMotif("n_glycosylation", r"N[^P][ST]", "domain", "high", "N-glycosylation"),
    LiabilityMotif("deamidation", r"N[GS]", "cdr", "high", "Deamidation"),
    LiabilityMotif("deamidation", r"N[AHNT]", "cdr", "medium", "Deamidation"),
    LiabilityMotif("isomerization", r"D[GSTDH]", "cdr", "high", "Isomerization"),
    LiabilityMotif("fragmentation", r"DP", "cdr", "high", "Fragmentation"),
    LiabilityMotif("oxidation", r"M", "cdr", "medium", "Met oxidation"),
    LiabilityMotif("oxidation", r"W", "cdr", "medium", "Trp oxidation"),
    LiabilityMotif("integrin_binding", r"RGD|RYD|LDV|NGR|KGD", "domain", "high", "Integrin binding", DASHBOARD_RULE),
    LiabilityMotif("polyreactivity", r"RR|VG|VV|WW|W.W", "cdr", "low", "Polyreactivity", DASHBOARD_RULE),
)
UNPAIRED_CYSTEINE = LiabilityMotif("free_cysteine", r"C", "domain", "high", "Unpaired cysteine", DASHBOARD_RULE)
CANONICAL_CYSTEINES_IMGT = ("23", "104")
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def liability_rule(type_: str, motif: str) -> LiabilityMotif | None:
    """The conventions' rule for a liability of this type whose motif it matches in full, if any."""
    for rule in (*LIABILITY_MOTIFS, UNPAIRED_CYSTEINE):
        if rule.type == type_ and motif and re.fullmatch(rule.regex, motif.upper()):
            return rule
    return None


# --- VHH hallmarks ----------------------------------------------------------------------------------

VHH_HALLMARKS_IMGT = {
    "42": (
        "F/Y",
        "V",
        "Kabat 37: F/Y in camelid VHH replaces the VL-facing V; it solubilises the former VL interface.",
    ),
    "49": ("E/Q", "G", "Kabat 44: charged E/Q in VHH instead of G makes the former VL interface hydrophilic."),
    "50": ("R/C", "L", "Kabat 45: R (or C) instead of L removes a hydrophobic VL contact."),
    "52": ("F/G/L/W", "W", "Kabat 47: often F/G/L in VHH; W as in human VH."),
}
KABAT_TO_IMGT_HALLMARK = {"37": "42", "44": "49", "45": "50", "47": "52"}
