"""Colour schemes of the 3D viewer, as per-residue tables (pure: residues in, colours and legend out).

pLDDT uses the AlphaFold bands of `app.conventions`; regions use its CDR colours; chains and the
antibody/antigen sides use fixed palettes chosen to stay apart from the pLDDT colours.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from app.conventions import NO_SCORE_COLOR, PLDDT_BANDS, REGION_COLORS, plddt_band, plddt_color
from app.structure import CdrSpan, ChainSides, ParsedStructure, ResidueConfidence, ResidueId

CHAIN_PALETTE = ("#4C78A8", "#E45756", "#54A24B", "#B279A2", "#F58518", "#72B7B2", "#9D755D", "#FF9DA6")
FRAMEWORK_3D = "#B8C4D2"  # framework in 3D: REGION_COLORS' framework tint is too pale on white
OTHER_CHAIN_3D = "#D9D9D9"
SIDE_COLORS = {"antibody": "#9ECAE9", "antigen": "#FFCB8E"}  # cartoon of each side
INTERFACE_COLORS = {"antibody": "#1F5FAD", "antigen": "#D9480F"}  # its interface residues

Colors = tuple[tuple[str, str, str, str], ...]
Legend = tuple[tuple[str, str], ...]


@lru_cache(maxsize=8192)
def _plddt_color_and_text(value: float | None) -> tuple[str, str]:
    """(colour, hover text) of a pLDDT value: a few thousand distinct values in a large model."""
    if value is None:
        return NO_SCORE_COLOR, ""
    band = plddt_band(value)
    return plddt_color(value), f"pLDDT {value:.1f}" + (f" ({band.name.lower()})" if band else "")


def _value_text(confidence: ResidueConfidence | None, rid: ResidueId) -> str:
    if confidence is None:
        return ""
    value = confidence.values.get(rid)
    if value is None:
        return ""
    if confidence.is_plddt:
        return _plddt_color_and_text(value)[1]
    if confidence.kind.value == "predicted_error":
        return f"predicted error {value:.2f} Å"
    return f"B-factor {value:.1f}"


def _cdr_of(spans: list[CdrSpan]) -> dict[ResidueId, CdrSpan]:
    return {rid: span for span in spans for rid in span.residues}


def _info(rid: ResidueId, confidence: ResidueConfidence | None, cdrs: dict[ResidueId, CdrSpan], extra: str = "") -> str:
    parts = [p for p in (_value_text(confidence, rid), cdrs[rid].name if rid in cdrs else "", extra) if p]
    return " · ".join(parts)


def plddt_legend() -> Legend:
    names = {
        "Very high": "Very high (≥ 90)",
        "Confident": "Confident (70–90)",
        "Low": "Low (50–70)",
        "Very low": "Very low (< 50)",
    }
    return tuple((band.color, names.get(band.name, band.name)) for band in reversed(PLDDT_BANDS))


def by_plddt(
    parsed: ParsedStructure, confidence: ResidueConfidence, spans: Sequence[CdrSpan] = ()
) -> tuple[Colors, Legend]:
    if not confidence.is_plddt:  # other kinds have no pLDDT colours: every residue "no score"
        colors = tuple(
            (r.chain, r.label, NO_SCORE_COLOR, _info(r.id, confidence, _cdr_of(list(spans))))
            for chain in parsed.chains
            for r in chain.residues
        )
        return colors, plddt_legend() + ((NO_SCORE_COLOR, "No score"),)
    cdrs = {rid: span.name for span in spans for rid in span.residues}
    values = confidence.values
    rows = []
    for chain in parsed.chains:
        for r in chain.residues:
            color, text = _plddt_color_and_text(values.get(r.id))
            cdr = cdrs.get(r.id)
            rows.append((r.chain, r.label, color, f"{text} · {cdr}" if text and cdr else (text or cdr or "")))
    legend = plddt_legend()
    if any(values.get(r.id) is None for chain in parsed.chains for r in chain.residues):
        legend += ((NO_SCORE_COLOR, "No score"),)
    return tuple(rows), legend


def by_chain(
    parsed: ParsedStructure, confidence: ResidueConfidence | None, spans: Sequence[CdrSpan] = ()
) -> tuple[Colors, Legend]:
    cdrs = _cdr_of(list(spans))
    palette = {c.name: CHAIN_PALETTE[i % len(CHAIN_PALETTE)] for i, c in enumerate(parsed.chains)}
    colors = tuple(
        (r.chain, r.label, palette[chain.name], _info(r.id, confidence, cdrs))
        for chain in parsed.chains
        for r in chain.residues
    )
    legend = tuple((palette[c.name], f"Chain {c.name}") for c in parsed.chains)
    return colors, legend


def by_region(
    parsed: ParsedStructure,
    confidence: ResidueConfidence | None,
    spans: list[CdrSpan],
    antibody_chains: tuple[str, ...],
) -> tuple[Colors, Legend]:
    """CDR1/2/3 in the conventions' CDR colours, antibody framework in grey-blue, other chains light grey."""
    cdrs = _cdr_of(list(spans))
    rows = []
    for chain in parsed.chains:
        for r in chain.residues:
            span = cdrs.get(r.id)
            if span is not None:
                color = REGION_COLORS.get(f"CDR{span.cdr[-1:]}", NO_SCORE_COLOR)
            elif chain.name in antibody_chains or chain.name in {s.chain for s in spans}:
                color = FRAMEWORK_3D
            else:
                color = OTHER_CHAIN_3D
            rows.append((r.chain, r.label, color, _info(r.id, confidence, cdrs)))
    legend: Legend = (
        (REGION_COLORS["CDR1"], "CDR1"),
        (REGION_COLORS["CDR2"], "CDR2"),
        (REGION_COLORS["CDR3"], "CDR3"),
        (FRAMEWORK_3D, "Framework"),
    )
    if any(c.name not in antibody_chains for c in parsed.chains):
        legend += ((OTHER_CHAIN_3D, "Other chains"),)
    return tuple(rows), legend


def by_interface(
    parsed: ParsedStructure, sides: ChainSides, interface: set[ResidueId], confidence: ResidueConfidence | None
) -> tuple[Colors, Legend]:
    """Antibody and antigen chains in two pale hues, their interface residues in the strong ones."""
    rows = []
    for chain in parsed.chains:
        side = sides.side(chain.name)
        for r in chain.residues:
            at = r.id in interface
            color = INTERFACE_COLORS[side] if at else SIDE_COLORS[side]
            extra = f"{side}{' interface' if at else ''}"
            rows.append((r.chain, r.label, color, _info(r.id, confidence, {}, extra)))
    legend: Legend = (
        (SIDE_COLORS["antibody"], "Antibody"),
        (INTERFACE_COLORS["antibody"], "Antibody interface"),
        (SIDE_COLORS["antigen"], "Antigen"),
        (INTERFACE_COLORS["antigen"], "Antigen interface"),
    )
    return tuple(rows), legend
