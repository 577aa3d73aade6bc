"""The source-neutral job view: what the sections show, whichever source filled it.

A service job and a local run both become a `JobView`: its models (structure text, per-residue
confidence, global scores, PAE, chain-pair ipTM), each part optional, plus the service-only
results (humanization, stability, immunogenicity) that a local run never has. Frozen, so views
can be cached and compared; numpy arrays are held read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.structure.confidence import ResidueConfidence
from app.structure.model import ResidueId


@dataclass(frozen=True)
class Token:
    """One row/column of a PAE matrix: its chain, and its residue (a ligand atom keeps its residue)."""

    chain: str
    residue: ResidueId
    name: str  # residue name (ALA, a ligand's CCD code, an ion's element)
    polymer: bool  # False for ligand atoms and ions (one token per heavy atom)


@dataclass(frozen=True, eq=False)
class Pae:
    """A predicted aligned error matrix in Å: `matrix[i, j]` is the error at token j when aligned on token i.

    `tokens` is None when the matrix could not be mapped onto the structure; `problem` says why.
    """

    matrix: np.ndarray  # float32 (n, n), read-only
    tokens: tuple[Token, ...] | None
    source: str  # file the matrix came from
    problem: str = ""

    @property
    def size(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def usable(self) -> bool:
        return self.tokens is not None and len(self.tokens) == self.size


@dataclass(frozen=True)
class GlobalScores:
    """Whole-model scores as the tool reports them, on 0-1 (pLDDT kept on 0-100)."""

    ptm: float | None = None
    iptm: float | None = None
    ranking_score: float | None = None  # AF3 ranking_score, Boltz confidence_score, ColabFold ranking
    ranking_name: str = ""  # what ranking_score is called by the tool
    complex_plddt: float | None = None  # 0-100
    extra: tuple[tuple[str, float], ...] = ()  # other numbers the tool wrote (name, value)


@dataclass(frozen=True)
class PairIptm:
    """ipTM of one ordered chain pair as the tool reports it (None: the tool gives none, e.g. AF3 ions)."""

    chain_1: str
    chain_2: str
    iptm: float | None


@dataclass(frozen=True)
class StructureText:
    text: str
    format: str  # "pdb" or "mmcif"
    name: str  # file name, for downloads and captions


@dataclass(frozen=True, eq=False)
class ModelView:
    """One model of a job or run: a structure with its confidence, each part optional."""

    label: str  # "model 0", "seed 1 · sample 2", "rank 1"
    structure: StructureText | None
    confidence: ResidueConfidence | None = None
    scores: GlobalScores = field(default_factory=GlobalScores)
    pae: Pae | None = None
    pair_iptm: tuple[PairIptm, ...] = ()
    files: tuple[str, ...] = ()  # the files read, relative to the run folder
    problems: tuple[str, ...] = ()  # one sentence each: what could not be read, and what still shows


@dataclass(frozen=True, eq=False)
class JobView:
    """What the sections show. `source` names where it came from ("service" or "local"), and `key`
    is a stable id within that source: cache keys and widget namespaces are built from both."""

    source: str
    key: str
    title: str
    tool: str  # "Boltz", "AlphaFold 3", "ColabFold", "AlphaFold2", or the service's model name
    models: tuple[ModelView, ...] = ()
    humanization: Any | None = None  # service only
    stability: Any | None = None  # service only
    immunogenicity: Any | None = None  # service only

    @property
    def namespace(self) -> str:
        """A widget-key prefix unique to this view, so two jobs or runs can share a page."""
        import hashlib

        return "v" + hashlib.blake2b(f"{self.source}:{self.key}".encode(), digest_size=5).hexdigest()
