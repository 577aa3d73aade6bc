"""Value objects of a parsed structure: residues (with insertion codes), chains, the whole model.

Pages and charts never touch gemmi objects: they get these small immutable records, which know
their label (`52A`), their one-letter code and their B-factor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True, order=True)
class ResidueId:
    """Chain, residue number and insertion code: prints as `H:52A`, labels as `52A`."""

    chain: str
    number: int
    icode: str = ""

    @property
    def label(self) -> str:
        return f"{self.number}{self.icode}"

    def __str__(self) -> str:
        return f"{self.chain}:{self.label}"


@dataclass(frozen=True)
class Residue:
    id: ResidueId
    name: str  # three-letter code as in the file
    one_letter: str  # "X" when unknown
    bfactor: float | None  # CA atom's B-factor, else the mean over the residue's atoms
    polymer: bool  # False for waters and ligands

    @property
    def chain(self) -> str:
        return self.id.chain

    @property
    def label(self) -> str:
        return self.id.label


@dataclass(frozen=True)
class Chain:
    name: str
    residues: tuple[Residue, ...]  # polymer residues only, in file order

    @cached_property  # asked once per job sequence when recognising the antibody's chains
    def sequence(self) -> str:
        return "".join(r.one_letter for r in self.residues)

    def __len__(self) -> int:
        return len(self.residues)


@dataclass(frozen=True)
class ParsedStructure:
    """First model of a structure file: polymer chains, header facts, and what the viewer shows."""

    chains: tuple[Chain, ...]
    header: tuple[str, ...] = ()  # REMARK/EXPDTA/TITLE lines, or mmCIF method/software values
    experimental_method: str | None = None  # e.g. "X-RAY DIFFRACTION"
    resolution: float | None = None
    n_atoms: int = 0
    ligands: tuple[str, ...] = field(default=())  # residue names of non-polymer, non-water groups

    @property
    def chain_names(self) -> list[str]:
        return [c.name for c in self.chains]

    @property
    def n_residues(self) -> int:
        return sum(len(c) for c in self.chains)

    def chain(self, name: str) -> Chain | None:
        return next((c for c in self.chains if c.name == name), None)
