"""Recognising structure file formats by name and content (PDB or mmCIF)."""

from __future__ import annotations

import re

_MMCIF_START = re.compile(r"^\s*(data_|loop_|_atom_site\.|_entry\.id)", re.MULTILINE)
_PDB_RECORD = re.compile(r"^(ATOM  |HETATM|HEADER|REMARK|MODEL |CRYST1|SEQRES|TITLE )", re.MULTILINE)


def detect_format(name: str, text: str) -> str | None:
    """`"pdb"` or `"mmcif"` from the extension, else from the first records; None if neither."""
    lowered = (name or "").lower().split("?", 1)[0]
    if lowered.endswith((".cif", ".mmcif", ".cif.txt")):
        return "mmcif"
    if lowered.endswith((".pdb", ".ent")):
        return "pdb"
    head = text[:20000]
    if _MMCIF_START.search(head):
        return "mmcif"
    if _PDB_RECORD.search(head):
        return "pdb"
    return None
