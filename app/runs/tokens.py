"""PAE tokens of a structure, as each tool defines them, and per-residue pLDDT reduced from tokens or atoms.

Boltz and AlphaFold 3 give one token per standard residue (amino acid or nucleotide) and one token
per heavy atom of everything else (ligands, ions, modified residues); AlphaFold2 and ColabFold one
per residue. AlphaFold 3 also writes `token_chain_ids`/`token_res_ids`, which are used as given.
"""

from __future__ import annotations

from collections.abc import Sequence

import gemmi

from app.scales import finite
from app.structure.model import ResidueId
from app.view import Token


def _is_standard(residue: gemmi.Residue) -> bool:
    info = gemmi.find_tabulated_residue(residue.name)
    return bool(info is not None and info.is_standard() and (info.is_amino_acid() or info.is_nucleic_acid()))


def _heavy_atoms(residue: gemmi.Residue) -> list[gemmi.Atom]:
    return [atom for atom in residue if not atom.is_hydrogen()]


def residue_id(chain: gemmi.Chain, residue: gemmi.Residue) -> ResidueId:
    return ResidueId(chain.name, int(residue.seqid.num or 0), residue.seqid.icode.strip())


def structure_tokens(st: gemmi.Structure) -> tuple[Token, ...]:
    """Boltz's tokens of the first model in file order (waters are never tokens)."""
    polymer = gemmi.EntityType.Polymer
    out: list[Token] = []
    for chain in st[0]:
        for residue in chain:
            if residue.is_water():
                continue
            rid = residue_id(chain, residue)
            is_polymer = residue.entity_type == polymer
            if is_polymer and _is_standard(residue):
                out.append(Token(chain.name, rid, residue.name, True))
            else:
                out.extend(Token(chain.name, rid, residue.name, is_polymer) for _ in _heavy_atoms(residue))
    return tuple(out)


def polymer_tokens(st: gemmi.Structure) -> tuple[Token, ...]:
    """One token per polymer residue (AlphaFold2, ColabFold)."""
    polymer = gemmi.EntityType.Polymer
    return tuple(
        Token(chain.name, residue_id(chain, residue), residue.name, True)
        for chain in st[0]
        for residue in chain
        if residue.entity_type == polymer
    )


def af3_tokens(
    st: gemmi.Structure, chain_ids: Sequence[object], res_ids: Sequence[object]
) -> tuple[tuple[Token, ...] | None, str]:
    """AlphaFold 3's own token → (chain, residue number) map, checked against the structure."""
    if len(chain_ids) != len(res_ids):
        return None, f"token_chain_ids has {len(chain_ids)} entries but token_res_ids {len(res_ids)}"
    residues: dict[tuple[str, int], tuple[gemmi.Chain, gemmi.Residue]] = {}
    polymer = gemmi.EntityType.Polymer
    for chain in st[0]:
        for residue in chain:
            # label_seq_id is what AF3 numbers tokens by; for ligands (no label_seq) the auth number (1, 2, …)
            number = residue.label_seq if residue.label_seq is not None else int(residue.seqid.num or 0)
            residues.setdefault((chain.name, int(number)), (chain, residue))
    out: list[Token] = []
    for chain_id, res_id in zip(chain_ids, res_ids):
        try:
            key = (str(chain_id), int(res_id))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return None, f"token ({chain_id!s:.10}, {res_id!s:.10}) is not a chain and a residue number"
        found = residues.get(key)
        if found is None:
            return None, f"token {key[0]}:{key[1]} of the confidences file is not a residue of the structure"
        chain, residue = found
        out.append(Token(chain.name, residue_id(chain, residue), residue.name, residue.entity_type == polymer))
    return tuple(out), ""


def _representative_index(residue: gemmi.Residue) -> int:
    """Index of the atom AlphaFold uses as a residue's centre: CA (amino acids), C1' (nucleotides), else the first."""
    names = [atom.name for atom in residue]
    for name in ("CA", "C1'"):
        if name in names:
            return names.index(name)
    return 0


def residue_plddt_from_atoms(
    st: gemmi.Structure, atom_plddts: Sequence[object]
) -> dict[ResidueId, float | None] | None:
    """AF3's per-atom pLDDT (mmCIF atom order) reduced to polymer residues by each residue's
    representative atom; None when the atom count does not match the structure."""
    if sum(len(residue) for chain in st[0] for residue in chain) != len(atom_plddts):
        return None
    values: dict[ResidueId, float | None] = {}
    polymer = gemmi.EntityType.Polymer
    start = 0
    for chain in st[0]:
        for residue in chain:
            if residue.entity_type == polymer and len(residue):
                values[residue_id(chain, residue)] = finite(atom_plddts[start + _representative_index(residue)])
            start += len(residue)
    return values
