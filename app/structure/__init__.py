"""Structures: parsing (gemmi), per-residue confidence, antibody/antigen sides, interfaces, CDR spans.

No Streamlit here: the sections in `components/` call these pure functions.
"""

from app.structure.cdrs import LOW_CONFIDENCE_CDR, CdrSpan, spans_from_api, spans_from_numbering
from app.structure.chains import ChainSides, split_sides
from app.structure.confidence import ConfidenceKind, ResidueConfidence, from_bfactors, residue_confidence
from app.structure.interface import (
    CUTOFF_A,
    InterfaceResidue,
    compute_interface,
    interface_by_chain,
    residues_from_labels,
)
from app.structure.model import Chain, ParsedStructure, Residue, ResidueId
from app.structure.parse import StructureParseError, parse_structure, read_gemmi, viewer_text

__all__ = [
    "CUTOFF_A",
    "LOW_CONFIDENCE_CDR",
    "CdrSpan",
    "Chain",
    "ChainSides",
    "ConfidenceKind",
    "InterfaceResidue",
    "ParsedStructure",
    "Residue",
    "ResidueConfidence",
    "ResidueId",
    "StructureParseError",
    "compute_interface",
    "from_bfactors",
    "interface_by_chain",
    "parse_structure",
    "read_gemmi",
    "residue_confidence",
    "residues_from_labels",
    "split_sides",
    "spans_from_api",
    "spans_from_numbering",
    "viewer_text",
]
