"""Interface residues as the contract defines them, computed from the structure file.

A residue is at the interface when one of its heavy atoms lies within 4.5 Å of a heavy atom of a
chain on the other side (antibody vs antigen). Waters and ligands do not count; symmetry mates are
not considered (only the chains in the file); insertion codes are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import gemmi

from app.residues import ResidueLabel
from app.structure.chains import ChainSides
from app.structure.model import ParsedStructure, ResidueId

CUTOFF_A = 4.5


@dataclass(frozen=True)
class InterfaceResidue:
    id: ResidueId
    name: str
    side: str  # "antibody" or "antigen"


def heavy_polymer_structure(structure: gemmi.Structure) -> gemmi.Structure:
    """First model only, without hydrogens, waters, ligands or a crystal cell (no symmetry mates)."""
    st = structure.clone()
    while len(st) > 1:
        del st[1]
    st.remove_hydrogens()
    st.remove_ligands_and_waters()
    st.remove_empty_chains()
    st.cell = gemmi.UnitCell()
    return st


def compute_interface(
    structure: gemmi.Structure, sides: ChainSides, cutoff: float = CUTOFF_A
) -> list[InterfaceResidue]:
    """Residues of either side with a heavy atom within `cutoff` Å of the other side, in file order."""
    antibody = set(sides.antibody)
    if not antibody or not sides.antigen:
        return []
    st = heavy_polymer_structure(structure)
    model = st[0]
    search = gemmi.NeighborSearch(model, st.cell, max(cutoff, 5.0)).populate(include_h=False)
    hits: set[tuple[int, int]] = set()  # (chain index, residue index)
    for ci, chain in enumerate(model):
        if chain.name not in antibody:
            continue
        for ri, residue in enumerate(chain):
            for atom in residue:
                for mark in search.find_atoms(atom.pos, "\0", radius=cutoff + 0.01):
                    other = model[mark.chain_idx]
                    if other.name in antibody:
                        continue
                    partner = mark.to_cra(model).atom
                    if atom.pos.dist(partner.pos) <= cutoff:
                        hits.add((ci, ri))
                        hits.add((mark.chain_idx, mark.residue_idx))
    out: list[InterfaceResidue] = []
    for ci, chain in enumerate(model):
        for ri, residue in enumerate(chain):
            if (ci, ri) in hits:
                rid = ResidueId(chain.name, residue.seqid.num, residue.seqid.icode.strip())
                out.append(InterfaceResidue(rid, residue.name, sides.side(chain.name)))
    return out


def interface_by_chain(residues: list[InterfaceResidue]) -> dict[str, list[str]]:
    """`{chain: [labels]}`, the contract's shape."""
    out: dict[str, list[str]] = {}
    for r in residues:
        out.setdefault(r.id.chain, []).append(r.id.label)
    return out


def residues_from_labels(
    parsed: ParsedStructure, labels: dict[str, list[str]], sides: ChainSides
) -> tuple[list[InterfaceResidue], list[str]]:
    """The API's `{chain: [labels]}` matched to the file's residues; labels not in the file are listed."""
    out: list[InterfaceResidue] = []
    missing: list[str] = []
    for chain_name, chain_labels in labels.items():
        chain = parsed.chain(chain_name)
        by_label = {r.label: r for r in chain.residues} if chain else {}
        for label in chain_labels:
            text = str(label).strip()
            label_parsed = ResidueLabel.parse(text)
            residue = by_label.get(str(label_parsed) if label_parsed else text)
            if residue is None:
                missing.append(f"{chain_name}:{text}")
                rid = _parse_label(chain_name, text)
                if rid is not None:
                    out.append(InterfaceResidue(rid, "", sides.side(chain_name)))
                continue
            out.append(InterfaceResidue(residue.id, residue.name, sides.side(chain_name)))
    return out, missing


def _parse_label(chain: str, label: str) -> ResidueId | None:
    parsed = ResidueLabel.parse(label)
    return ResidueId(chain, parsed.number, parsed.icode) if parsed else None
