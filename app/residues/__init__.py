"""Residues, regions and CDRs of antibody V domains: the one home of labels, region names, CDR
definitions and immunum numbering (see `labels`, `regions`, `numbering`)."""

from app.residues.labels import SCHEMES, ResidueLabel, ResiduePosition, scheme_name, sort_labels
from app.residues.numbering import (
    DomainResidue,
    NumberedChain,
    annotator,
    clean_sequence,
    domain_residues,
    number_domains,
    number_sequence,
    scheme_region,
)
from app.residues.regions import (
    DEFINITION_ORDER,
    DEFINITIONS,
    REGION_NAMES,
    CdrDefinition,
    Region,
    definition,
    is_cdr,
    is_framework,
    is_vernier,
    locus_of,
    normalise_region,
    region_name,
    scheme_title,
)

__all__ = [
    "DEFINITIONS",
    "DEFINITION_ORDER",
    "REGION_NAMES",
    "SCHEMES",
    "CdrDefinition",
    "DomainResidue",
    "NumberedChain",
    "Region",
    "ResidueLabel",
    "ResiduePosition",
    "annotator",
    "clean_sequence",
    "definition",
    "domain_residues",
    "is_cdr",
    "is_framework",
    "is_vernier",
    "locus_of",
    "normalise_region",
    "number_domains",
    "number_sequence",
    "region_name",
    "scheme_name",
    "scheme_region",
    "scheme_title",
    "sort_labels",
]
