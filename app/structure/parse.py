"""Reading PDB and mmCIF text with gemmi (wrapped `_atom_site` rows included), cached by content.

`read_gemmi` gives the gemmi structure (for distances); `parse_structure` gives the value
objects of `model.py`; `viewer_text` gives the text the 3D viewer loads (first model, no
hydrogens or waters, written by gemmi so that chain ids and numbering match the tables).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import gemmi

from app.structure.model import Chain, ParsedStructure, Residue, ResidueId

HEADER_PREFIXES = ("REMARK", "EXPDTA", "TITLE", "HEADER", "AUTHOR", "KEYWDS")
_MMCIF_HEADER_TAGS = ("_exptl.method", "_software.name", "_struct.title", "_ma_model_list.model_name", "_ma_software_group.software_id")


class StructureParseError(ValueError):
    """The file could not be read as PDB or mmCIF. The message is safe to show."""


def content_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _read(text: str, fmt: str) -> gemmi.Structure:
    try:
        if fmt == "mmcif":
            doc = gemmi.cif.read_string(text)
            if len(doc) == 0:
                raise StructureParseError("The mmCIF file has no data block.")
            st = gemmi.make_structure_from_block(doc[0])
        else:
            st = gemmi.read_pdb_string(text)
    except StructureParseError:
        raise
    except (RuntimeError, ValueError, IndexError) as error:
        raise StructureParseError(f"The file could not be read as {fmt.upper()}: {str(error)[:200]}") from None
    if len(st) == 0 or not any(len(ch) for ch in st[0]):
        raise StructureParseError("The file holds no atoms.")
    st.setup_entities()
    return st


@lru_cache(maxsize=16)
def read_gemmi(text: str, fmt: str) -> gemmi.Structure:
    """The gemmi structure of a file (cached; treat as read-only, clone before changing it)."""
    return _read(text, fmt)


def _header_lines(text: str, fmt: str) -> tuple[str, ...]:
    if fmt == "mmcif":
        lines = []
        try:
            block = gemmi.cif.read_string(text)[0]
        except (RuntimeError, ValueError, IndexError):
            return ()
        for tag in _MMCIF_HEADER_TAGS:
            for value in block.find_values(tag):
                lines.append(f"{tag} {gemmi.cif.as_string(value)}")
        return tuple(lines[:200])
    out = []
    for line in text[:200_000].splitlines():
        if line.startswith(("ATOM  ", "HETATM")):
            break
        if line.startswith(HEADER_PREFIXES):
            out.append(line.rstrip())
    return tuple(out[:500])


def _residue_bfactor(residue: gemmi.Residue) -> float | None:
    ca = residue.find_atom("CA", "*")
    if ca is not None and residue.entity_type == gemmi.EntityType.Polymer:
        return round(float(ca.b_iso), 3)
    values = [float(a.b_iso) for a in residue]
    return round(sum(values) / len(values), 3) if values else None


def _one_letter(name: str) -> str:
    info = gemmi.find_tabulated_residue(name)
    if info is None or not info.is_amino_acid() and not info.is_nucleic_acid():
        return "X"
    code = info.one_letter_code.upper()
    return code if code.isalpha() and code != " " else "X"


@lru_cache(maxsize=16)
def parse_structure(text: str, fmt: str) -> ParsedStructure:
    """Chains of polymer residues (first model), header facts and ligand names."""
    st = read_gemmi(text, fmt)
    model = st[0]
    chains: list[Chain] = []
    ligands: set[str] = set()
    n_atoms = 0
    for chain in model:
        residues = []
        for residue in chain:
            n_atoms += len(residue)
            if residue.entity_type != gemmi.EntityType.Polymer:
                if not residue.is_water():
                    ligands.add(residue.name)
                continue
            rid = ResidueId(chain.name, residue.seqid.num, residue.seqid.icode.strip())
            residues.append(Residue(rid, residue.name, _one_letter(residue.name), _residue_bfactor(residue), True))
        if residues:
            chains.append(Chain(chain.name, tuple(residues)))
    method = ", ".join(e.method for e in st.meta.experiments if e.method) or None
    resolution = float(st.resolution) if st.resolution and st.resolution > 0 else None
    return ParsedStructure(
        chains=tuple(chains),
        header=_header_lines(text, fmt),
        experimental_method=method,
        resolution=resolution,
        n_atoms=n_atoms,
        ligands=tuple(sorted(ligands)),
    )


@lru_cache(maxsize=16)
def viewer_text(text: str, fmt: str) -> tuple[str, str]:
    """(text, format) for the 3D viewer: first model, no hydrogens, no waters, written by gemmi.

    PDB when every chain id fits PDB's one column (3Dmol's PDB reader keeps insertion codes),
    else mmCIF (one `_atom_site` row per line, which 3Dmol's mmCIF reader needs).
    """
    st = read_gemmi(text, fmt).clone()
    while len(st) > 1:
        del st[1]
    st.remove_hydrogens()
    st.remove_waters()
    st.remove_empty_chains()
    if all(len(ch.name) == 1 for ch in st[0]):
        options = gemmi.PdbWriteOptions(minimal=True)
        options.ter_records = True
        return st.make_pdb_string(options), "pdb"
    return st.make_mmcif_document().as_string(), "cif"
