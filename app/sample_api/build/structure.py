"""Structure prediction with FlashABB (flash-abb, BSD-3) and files written with gemmi.

pLDDT comes from FlashABB's pLDDT head: `output["plddt"]` holds per-residue logits over
50 lDDT bins, turned into 0-100 with OpenFold's `compute_plddt` (shipped in flash-abb).
The model's own PDB writer leaves the B-factor column at 0, so the builder reads that
file with gemmi, puts each residue's pLDDT (rounded to 2 decimals) in every atom's
B-factor, and writes PDB or mmCIF with gemmi.
"""

from __future__ import annotations

import os
import tempfile
from functools import cache

import gemmi


@cache
def _model():
    import torch
    from flash_abb import pretrained

    torch.manual_seed(0)
    torch.set_num_threads(2)
    return pretrained(device="cpu")


@cache
def _tap():
    from flash_abb import pretrained_tap

    return pretrained_tap(device="cpu")


def flash_abb_version() -> str:
    from importlib.metadata import version

    return version("flash-abb")


def predict(vh: str, vl: str | None) -> tuple[gemmi.Structure, dict[str, list[float]]]:
    """Predict an Fv (or a single VHH when vl is None). Returns the gemmi structure, with
    B-factors = pLDDT, and per-chain pLDDT lists (chain H, then L)."""
    import torch
    from flash_abb.model.openfold.utils.loss import compute_plddt

    model = _model()
    seq = f"{vh}|{vl or ''}"
    with torch.no_grad():
        res = model([seq])
    plddt = compute_plddt(res.output["plddt"])[0].tolist()
    with tempfile.TemporaryDirectory() as tmp:
        res.to_pdbs(["model"], pdb_dir=tmp)
        st = gemmi.read_structure(os.path.join(tmp, "model.pdb"))
    st.setup_entities()
    per_chain: dict[str, list[float]] = {}
    k = 0
    for chain in st[0]:
        vals = []
        for residue in chain:
            v = round(float(plddt[k]), 2)
            k += 1
            vals.append(v)
            for atom in residue:
                atom.b_iso = v
        per_chain[chain.name] = vals
    if k != len(plddt):
        raise RuntimeError("residue count differs from pLDDT length")
    expected = {"H": vh} | ({"L": vl} if vl else {})
    for name, s in expected.items():
        got = gemmi.one_letter_code([r.name for r in st[0][name]])
        if got != s:
            raise RuntimeError(f"chain {name}: modelled sequence differs")
    st.name = "flash_abb_model"
    return st, per_chain


def write(st: gemmi.Structure, path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if path.endswith(".cif"):
        doc = st.make_mmcif_document()
        doc.write_file(path)
    else:
        st.write_pdb(path, gemmi.PdbWriteOptions(minimal=True))


def burial(st: gemmi.Structure, radius: float = 10.0) -> dict[str, list[float]]:
    """Per-residue burial in [0, 1]: number of CA atoms within `radius` Å of the residue's CA
    (gemmi NeighborSearch), min-max scaled over the model."""
    model = st[0]
    ns = gemmi.NeighborSearch(model, st.cell, radius + 1).populate()
    counts: dict[str, list[int]] = {}
    for chain in model:
        row = []
        for res in chain:
            ca = res.find_atom("CA", "*")
            n = 0
            for mark in ns.find_atoms(ca.pos, "\0", radius=radius):
                cra = mark.to_cra(model)
                if cra.atom.name == "CA" and not (cra.chain.name == chain.name and cra.residue.seqid == res.seqid):
                    n += 1
            row.append(n)
        counts[chain.name] = row
    allv = [v for r in counts.values() for v in r]
    lo, hi = min(allv), max(allv)
    return {c: [round((v - lo) / (hi - lo), 4) for v in r] for c, r in counts.items()}


def tap(vh: str, vl: str) -> dict:
    """FlashTAP (flash-abb): the four TAP metrics and calibrated flag probabilities."""
    import torch

    with torch.no_grad():
        res = _tap()([f"{vh}|{vl}"])
    return {
        "scores": {k: round(v, 4) for k, v in res.scores[0].items()},
        "flag_probs": {k: round(v, 4) for k, v in res.flag_probs[0].items()},
        "any_flag_prob": round(res.any_flag_prob[0], 4),
    }


def interface_residues(path: str, antibody: set[str], cutoff: float = 4.5) -> dict[str, list[str]]:
    """The contract's `{chain: [labels]}` of every chain (empty lists kept), by the dashboard's own
    interface computation (app.structure.interface): heavy atoms within `cutoff` Å of the other side."""
    from app.structure.chains import ChainSides
    from app.structure.interface import compute_interface, interface_by_chain
    from app.structure.parse import read_gemmi

    with open(path, encoding="utf-8") as handle:
        st = read_gemmi(handle.read(), "mmcif" if path.endswith(".cif") else "pdb")
    names = [chain.name for chain in st[0]]
    sides = ChainSides(
        tuple(n for n in names if n in antibody), tuple(n for n in names if n not in antibody), "sequence", ""
    )
    found = interface_by_chain(compute_interface(st, sides, cutoff))
    return {name: found.get(name, []) for name in names}
