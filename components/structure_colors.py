"""Colour schemes of the 3D viewer, as per-residue tables (pure: residues in, colours and legend out).

The one home of the structure colours, used by Structure and Complex alike. pLDDT uses the
AlphaFold bands of `app.conventions`. Chains are coloured by kind (heavy blue, light orange,
antigens green/purple/…: Okabe–Ito, colour-blind safe), so chain H is the same blue in every view.
The six CDRs have six colours (Paul Tol's "bright" set, colour-blind safe: heavy CDRs cool, light
CDRs warm) over a mid-grey framework; chains outside the antibody are a pale sand, not another grey.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from app.conventions import NO_SCORE_COLOR, PLDDT_BANDS, plddt_band, plddt_color
from app.structure import CdrSpan, ChainSides, ParsedStructure, ResidueConfidence, ResidueId

# Chain colours by kind (Okabe & Ito 2008 palette); a second heavy or light chain takes the paler one.
CHAIN_COLORS = {
    "heavy": ("#0072B2", "#56B4E9"),
    "light": ("#E69F00", "#F0E442"),
    "antibody": ("#6A51A3", "#9E9AC8"),  # an scFv (both domains) or an untyped antibody chain
    "antigen": ("#009E73", "#CC79A7", "#D55E00", "#999999", "#000000"),
}
KIND_NAMES = {"heavy": "heavy", "light": "light", "antibody": "antibody", "antigen": "antigen"}
# The six CDRs (Tol 2021, "bright"): heavy blue/cyan/green, light yellow/red/purple.
CDR_COLORS = {
    "H1": "#4477AA",
    "H2": "#66CCEE",
    "H3": "#228833",
    "L1": "#CCBB44",
    "L2": "#EE6677",
    "L3": "#AA3377",
}
FRAMEWORK_3D = "#A0A0A0"  # antibody framework: a mid grey the CDR colours stand out from
OTHER_CHAIN_3D = "#E8D9B5"  # chains outside the antibody (antigen, others): pale sand, not a second grey
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


def chain_colors(kinds: dict[str, str]) -> dict[str, str]:
    """Each chain's colour by its kind (`app.structure.chains.chain_kinds`), in the order given."""
    seen: dict[str, int] = {}
    out = {}
    for chain, kind in kinds.items():
        palette = CHAIN_COLORS.get(kind, CHAIN_COLORS["antigen"])
        out[chain] = palette[seen.get(kind, 0) % len(palette)]
        seen[kind] = seen.get(kind, 0) + 1
    return out


def by_chain(
    parsed: ParsedStructure,
    confidence: ResidueConfidence | None,
    kinds: dict[str, str],
    spans: Sequence[CdrSpan] = (),
) -> tuple[Colors, Legend]:
    """Every chain in the colour of its kind; the legend names chain and kind ("Chain H · heavy")."""
    cdrs = _cdr_of(list(spans))
    kinds = {c.name: kinds.get(c.name, "antigen") for c in parsed.chains}
    palette = chain_colors(kinds)
    colors = tuple(
        (r.chain, r.label, palette[chain.name], _info(r.id, confidence, cdrs, kinds[chain.name]))
        for chain in parsed.chains
        for r in chain.residues
    )
    legend = tuple((palette[c.name], f"Chain {c.name} · {KIND_NAMES[kinds[c.name]]}") for c in parsed.chains)
    return colors, legend


def cdr_color(span: CdrSpan) -> str:
    return CDR_COLORS.get(span.cdr, NO_SCORE_COLOR)


def by_region(
    parsed: ParsedStructure,
    confidence: ResidueConfidence | None,
    spans: list[CdrSpan],
    antibody_chains: tuple[str, ...],
) -> tuple[Colors, Legend]:
    """The six CDRs in six colours, antibody framework mid grey, other chains pale sand."""
    cdrs = _cdr_of(list(spans))
    antibody = set(antibody_chains) | {s.chain for s in spans}
    rows = []
    for chain in parsed.chains:
        for r in chain.residues:
            span = cdrs.get(r.id)
            if span is not None:
                color = cdr_color(span)
            elif chain.name in antibody:
                color = FRAMEWORK_3D
            else:
                color = OTHER_CHAIN_3D
            rows.append((r.chain, r.label, color, _info(r.id, confidence, cdrs)))
    present = {s.cdr for s in spans}
    legend: Legend = tuple((color, f"CDR-{cdr}") for cdr, color in CDR_COLORS.items() if cdr in present)
    legend += ((FRAMEWORK_3D, "Framework"),)
    if any(c.name not in antibody for c in parsed.chains):
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
