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
_MMCIF_HEADER_TAGS = (
    "_exptl.method",
    "_software.name",
    "_struct.title",
    "_ma_model_list.model_name",
    "_ma_software_group.software_id",
)


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


def _polymer_bfactor(residue: gemmi.Residue) -> float | None:
    """A polymer residue's B-factor: its CA atom's, else the mean over its atoms."""
    ca = residue.find_atom("CA", "*")
    if ca is not None:
        return round(float(ca.b_iso), 3)
    values = [float(a.b_iso) for a in residue]
    return round(sum(values) / len(values), 3) if values else None


@lru_cache(maxsize=1024)
def _one_letter(name: str) -> str:
    info = gemmi.find_tabulated_residue(name)
    if info is None or not info.is_amino_acid() and not info.is_nucleic_acid():
        return "X"
    code = info.one_letter_code.upper()
    return code if code.isalpha() and code != " " else "X"


one_letter = _one_letter  # the one-letter code of a residue name, for other modules


@lru_cache(maxsize=16)
def parse_structure(text: str, fmt: str) -> ParsedStructure:
    """Chains of polymer residues (first model), header facts and ligand names."""
    st = read_gemmi(text, fmt)
    model = st[0]
    chains: list[Chain] = []
    ligands: set[str] = set()
    n_atoms = 0
    polymer = gemmi.EntityType.Polymer
    for chain in model:
        chain_name = chain.name
        residues = []
        for residue in chain:
            n_atoms += len(residue)
            name = residue.name
            if residue.entity_type != polymer:
                if not residue.is_water():
                    ligands.add(name)
                continue
            seqid = residue.seqid
            rid = ResidueId(chain_name, seqid.num, seqid.icode.strip())
            residues.append(Residue(rid, name, _one_letter(name), _polymer_bfactor(residue), True))
        if residues:
            chains.append(Chain(chain_name, tuple(residues)))
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


PDB_MAX_SERIAL = 99_999  # beyond PDB's columns, writers switch to hybrid-36, which 3Dmol does not read
PDB_NUMBER_RANGE = range(-999, 10_000)


def _viewer_ready_pdb(st: gemmi.Structure) -> bool:
    """True when a PDB file is already what the viewer needs: one model, no hydrogens or waters,
    one-letter chain ids, atom serials and residue numbers within PDB's columns.
    3Dmol then reads the same chains and residue labels as gemmi did, so the file can go as it is
    (re-writing 3 MB costs 0.04 s on the first open)."""
    if len(st) != 1 or st[0].has_hydrogen() or st[0].count_atom_sites() > PDB_MAX_SERIAL:
        return False
    for chain in st[0]:
        if len(chain.name) != 1:
            return False
        for residue in chain:
            if residue.is_water() or residue.seqid.num not in PDB_NUMBER_RANGE:
                return False
    return True


@lru_cache(maxsize=16)
def viewer_text(text: str, fmt: str) -> tuple[str, str]:
    """(text, format) for the 3D viewer: first model, no hydrogens, no waters.

    A PDB file that already is that goes as it is; anything else is written by gemmi: PDB when
    every chain id fits PDB's one column (3Dmol's PDB reader keeps insertion codes), else mmCIF
    (one `_atom_site` row per line, which 3Dmol's mmCIF reader needs).
    """
    source = read_gemmi(text, fmt)
    if fmt == "pdb" and _viewer_ready_pdb(source):
        return text, "pdb"
    st = source.clone()
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
