"""Stability results made actionable: score cards, Tm in context, the ddG matrix, stabilizing mutations."""

from app.stability.ddg import DdgTable, MutationCode, Position, ddg_table, stabilizing_frame  # noqa: F401
from app.stability.residues import ChainResidues, ResidueContext, residue_context  # noqa: F401
from app.stability.scores import JAIN_2017_FAB_TM, ScoreCard, score_cards, tm_context  # noqa: F401
