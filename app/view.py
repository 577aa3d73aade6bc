"""The source-neutral job view: what the sections show, whichever source filled it.

Two sources feed it: the service (`app/service_view.py`, from `GET /jobs/{id}` and its files) and
local prediction runs (`app/runs/`, from Boltz, AlphaFold and ColabFold folders). A `JobView` says
what the job is and which sections it has; a `ModelView` is one structure with its confidence,
scores, PAE and whatever the source says about its CDRs and interface, each part optional. The
Structure and Complex sections draw a `ModelView` without knowing its source; the figures name the
source from the data (the tool, the file, "given by the service"). Frozen, so views can be cached
and compared; numpy arrays are held read-only.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from app.structure.confidence import ResidueConfidence
from app.structure.model import ResidueId

if TYPE_CHECKING:
    from app.client import FetchedJob


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
    """One model of a job or run: a structure with its confidence, each part optional.

    The `given_*` fields hold what the source itself states (today only the service does); when
    they are None the sections compute the same thing here from the structure and say so.
    """

    label: str  # "model 0", "seed 1 · sample 2", "rank 1", "structure result"
    structure: StructureText | None
    confidence: ResidueConfidence | None = None
    scores: GlobalScores = field(default_factory=GlobalScores)
    pae: Pae | None = None
    pair_iptm: tuple[PairIptm, ...] = ()
    files: tuple[str, ...] = ()  # the files read, relative to the run folder (or the service's paths)
    problems: tuple[str, ...] = ()  # one sentence each: what could not be read, and what still shows
    model_used: str = ""  # the predictor as the source names it ("Boltz-2", "ABodyBuilder2", …)
    given_cdrs: Sequence[Any] | None = None  # the source's CDR rows (contract CdrAnalysis)
    given_interface: Mapping[str, list[str]] | None = None  # {chain: residue labels}, the contract's shape
    given_chain_plddt: Mapping[str, float | None] | None = None  # 0-100, by chain
    unread: Mapping[str, Sequence[Any]] = field(default_factory=dict)  # source items that could not be read


@dataclass(frozen=True, eq=False)
class JobView:
    """What a job or run is and what its sections read. `source` names where it came from
    ("service" or "local") and `key` is a stable id within that source: cache keys and widget
    namespaces are built from both.

    `models` holds the models loaded so far: a local run's picked model; none for a service job,
    whose Structure and Complex sections fetch their file only when opened. `sequences` are the
    antibody chains the job names (to tell antibody from antigen chains in a structure). The
    humanization, stability and immunogenicity results only the service computes; `service` is
    its whole answer, for the sections that read more of it (header, raw JSON, reviews).
    """

    source: str
    key: str
    title: str
    tool: str  # "Boltz", "AlphaFold 3", "ColabFold", "AlphaFold2", or the service's job type
    models: tuple[ModelView, ...] = ()
    sequences: tuple[str, ...] = ()
    humanization: Sequence[Any] = ()  # service only: result rows (HumanizationResultRow | Unparsed)
    stability: Any | None = None  # service only: StabilityResultRow | Unparsed
    immunogenicity: Any | None = None  # service only: ImmunogenicityResultRow | Unparsed
    structure_result: Any | None = None  # service only: StructureResultRow | Unparsed (its file not yet read)
    complex_result: Any | None = None  # service only: ComplexResultRow | Unparsed
    completed: bool = True  # the job has finished (a local run always has)
    # The service's answer by weak reference: views are memoised by the answer they came from, and a
    # memo must not keep its input alive (components/memo.py); the page holds the answer while it runs.
    service: weakref.ReferenceType[FetchedJob] | None = None

    @property
    def namespace(self) -> str:
        """A widget-key prefix unique to this view, so two jobs or runs can share a page."""
        return "v" + hashlib.blake2b(f"{self.source}:{self.key}".encode(), digest_size=5).hexdigest()

    def answer(self) -> FetchedJob:
        """The service's answer, for a section only the service has; never called for a local run."""
        answer = self.service() if self.service is not None else None
        if answer is None:
            raise LookupError(f"{self.title}: a {self.source} view has no service answer")
        return answer
