"""Immunogenicity results made actionable: risks, epitope maps and tables, deimmunization suggestions."""

from app.exports import csv_text  # noqa: F401
from app.immunogenicity.epitopes import (  # noqa: F401
    BCELL,
    KINDS,
    MHC1,
    MHC2,
    MHC2_SETS,
    Criteria,
    Epitope,
    Track,
    bin_rank,
    chain_length,
    epitope_frame,
    epitopes_of,
    per_residue_track,
)
from app.immunogenicity.suggestions import stability_verdict, suggestions_frame  # noqa: F401
