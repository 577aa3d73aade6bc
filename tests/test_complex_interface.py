"""Interface residues computed by app.structure (gemmi NeighborSearch) against an independent
brute-force calculation: coordinates sliced from the PDB's fixed columns, all heavy-atom pairs
between the two sides with numpy, 4.5 Å inclusive."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from app.structure import compute_interface, interface_by_chain, parse_structure, read_gemmi, split_sides

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "app" / "sample_api" / "data"


def brute_force_interface(
    text: str, antibody: set[str], antigen: set[str], cutoff: float = 4.5
) -> set[tuple[str, str]]:
    """(chain, label) of residues with a heavy atom within `cutoff` of the other side. ATOM records of
    the first model only (HETATM waters and ligands left out); hydrogens by the element column."""
    rows = []
    for line in text.splitlines():
        if line.startswith("ENDMDL"):
            break
        if not line.startswith("ATOM  "):
            continue
        element = line[76:78].strip() or line[12:16].strip()[0]
        if element.upper() in ("H", "D"):
            continue
        chain, label = line[21], line[22:27].strip()
        rows.append((chain, label, float(line[30:38]), float(line[38:46]), float(line[46:54])))
    ab = [r for r in rows if r[0] in antibody]
    ag = [r for r in rows if r[0] in antigen]
    a = np.array([r[2:] for r in ab])
    b = np.array([r[2:] for r in ag])
    d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    close = d2 <= cutoff * cutoff
    hits = {(ab[i][0], ab[i][1]) for i in np.nonzero(close.any(axis=1))[0]}
    hits |= {(ag[j][0], ag[j][1]) for j in np.nonzero(close.any(axis=0))[0]}
    return hits


@pytest.mark.parametrize(
    "name, antibody, antigen",
    [
        ("complex/1n8z_GearBind_Fv_HER2.pdb", {"H", "L"}, {"A"}),
        ("complex/3hfm.pdb", {"H", "L"}, {"Y"}),
        ("complex/nanobody_antigen_9hzj_imgt.pdb", {"A"}, {"B"}),  # IMGT insertion codes
    ],
)
def test_interface_matches_brute_force(shared_data: Path, name: str, antibody: set[str], antigen: set[str]) -> None:
    text = (shared_data / name).read_text()
    parsed = parse_structure(text, "pdb")
    sides = split_sides(parsed)  # by immunum numbering: no job sequences here
    assert set(sides.antibody) == antibody and set(sides.antigen) == antigen
    residues = compute_interface(read_gemmi(text, "pdb"), sides)
    got = {(r.id.chain, r.id.label) for r in residues}
    expected = brute_force_interface(text, antibody, antigen)
    assert got == expected
    assert len(expected) > 20  # a real interface, on both sides
    assert {c for c, _ in expected} == antibody | antigen
    assert all(r.side == ("antibody" if r.id.chain in antibody else "antigen") for r in residues)


def test_interface_keeps_insertion_codes(shared_data: Path) -> None:
    text = (shared_data / "complex/nanobody_antigen_9hzj_imgt.pdb").read_text()
    parsed = parse_structure(text, "pdb")
    residues = compute_interface(read_gemmi(text, "pdb"), split_sides(parsed))
    labels = [r.id.label for r in residues]
    assert any(not label.isdigit() for label in labels), labels  # e.g. IMGT 111A in CDR3


def test_sides_by_job_sequences_win_over_numbering(shared_data: Path) -> None:
    text = (shared_data / "complex/3hfm.pdb").read_text()
    parsed = parse_structure(text, "pdb")
    heavy = parsed.chain("H").sequence[:118]  # the VH as a job would give it
    sides = split_sides(parsed, (heavy,))
    assert sides.method == "sequence" and sides.antibody == ("H",)
    assert set(sides.antigen) == {"L", "Y"}


def test_sample_complex_interface_equals_the_services_list() -> None:
    """The sample job's interface_residues (computed by the sample builder) vs this module."""
    job = json.loads((SAMPLES / "jobs" / "01bb1aae-c0db-5b16-8a44-9bf3b4338c07.json").read_text())
    complex_result = job["complex_result"]
    text = (SAMPLES / "storage" / complex_result["pdb_storage_path"]).read_text()
    parsed = parse_structure(text, "pdb")
    got = interface_by_chain(compute_interface(read_gemmi(text, "pdb"), split_sides(parsed)))
    assert {c: sorted(v) for c, v in got.items()} == {
        c: sorted(v) for c, v in complex_result["interface_residues"].items()
    }


def test_mmcif_complex_interface_runs(shared_data: Path) -> None:
    """AlphaFold 3 mmCIF of PD-1 + pembrolizumab Fv: both Fv chains numbered, PD-1 is the antigen."""
    text = (shared_data / "alphafold/5b8c_af3/fold_5b8c_model_0.cif").read_text()
    parsed = parse_structure(text, "mmcif")
    sides = split_sides(parsed)
    assert set(sides.antibody) == {"B", "C"} and sides.antigen == ("A",)
    residues = compute_interface(read_gemmi(text, "mmcif"), sides)
    assert {r.id.chain for r in residues} == {"A", "B", "C"}


SAMPLE_1N8Z = SAMPLES / "storage" / "complexes" / "1n8z_trastuzumab_fv_her2.pdb"


def brute_force_contacts(text: str, antibody: set[str], cutoff: float = 4.5) -> dict[tuple[str, str], dict[str, float]]:
    """(chain, label) → {"chain:label" of each partner on the other side: closest heavy-atom distance}."""
    rows = []
    for line in text.splitlines():
        if line.startswith("ENDMDL"):
            break
        element = line[76:78].strip() if line.startswith("ATOM  ") else "H"
        if element.upper() in ("H", "D"):
            continue
        rows.append((line[21], line[22:27].strip(), float(line[30:38]), float(line[38:46]), float(line[46:54])))
    xyz = np.array([r[2:] for r in rows])
    side = np.array([r[0] in antibody for r in rows])
    d = np.sqrt(((xyz[side][:, None, :] - xyz[~side][None, :, :]) ** 2).sum(axis=2))
    ab = [r for r, s in zip(rows, side) if s]
    ag = [r for r, s in zip(rows, side) if not s]
    out: dict[tuple[str, str], dict[str, float]] = {}
    for i, j in zip(*np.nonzero(d <= cutoff)):
        for me, other in (
            ((ab[i][0], ab[i][1]), f"{ag[j][0]}:{ag[j][1]}"),
            ((ag[j][0], ag[j][1]), f"{ab[i][0]}:{ab[i][1]}"),
        ):
            best = out.setdefault(me, {})
            best[other] = min(best.get(other, np.inf), float(d[i, j]))
    return out


def test_interface_table_partners_match_brute_force() -> None:
    """Issue 13: per residue its chain type, CDR or framework, and partners with distances (page and CSV)."""
    from app.structure.interface import INTERFACE_COLUMNS, interface_table

    text = SAMPLE_1N8Z.read_text()
    parsed = parse_structure(text, "pdb")
    sides = split_sides(parsed)
    table = interface_table(compute_interface(read_gemmi(text, "pdb"), sides), parsed)
    assert tuple(table.columns) == INTERFACE_COLUMNS
    expected = brute_force_contacts(text, set(sides.antibody))
    assert {(c, r) for c, r in zip(table["chain"], table["residue"])} == set(expected)
    for row in table.itertuples():
        items = [re.fullmatch(r"(\w+):([A-Z])(-?\d+[A-Z]?) (\d+\.\d) Å", item) for item in row.partners.split("; ")]
        assert all(items), row.partners
        want = expected[(row.chain, row.residue)]
        assert {f"{m.group(1)}:{m.group(3)}" for m in items} == set(want)
        distances = [float(m.group(4)) for m in items]
        assert distances == sorted(distances)
        assert row.n_partners == len(want)
        assert abs(row.closest_A - min(want.values())) < 0.006
    by = {(c, r): i for i, (c, r) in enumerate(zip(table["chain"], table["residue"]))}
    arg = table.iloc[by[("H", "55")]]  # trastuzumab's Kabat R50, IMGT 55: FR2 under IMGT, CDR-H2 under Kabat and North
    assert (arg.residue_name, arg.chain_type, arg.region_imgt, arg.cdr_under) == (
        "ARG",
        "heavy",
        "FR-H2",
        "Kabat, North",
    )
    assert arg.partners.startswith("A:D560 2.6 Å; A:E558 3.1 Å")
    light = table.iloc[by[("L", "37")]]
    assert (light.chain_type, light.region_imgt) == ("light (κ)", "CDR-L1")
    antigen = table.iloc[by[("A", "560")]]
    assert (antigen.chain_type, antigen.region_imgt, antigen.n_partners) == ("antigen", "—", 3)


def test_service_interface_gets_its_partners_from_the_file() -> None:
    from app.structure.interface import residues_from_labels, with_partners

    text = SAMPLE_1N8Z.read_text()
    parsed = parse_structure(text, "pdb")
    sides = split_sides(parsed)
    given, missing = residues_from_labels(parsed, {"H": ["55", "999"], "A": ["560"]}, sides)
    assert missing == ["H:999"]
    found = with_partners(given, read_gemmi(text, "pdb"), sides)
    assert [str(r.id) for r in found] == ["H:55", "H:999", "A:560"]
    assert [c.distance for c in found[0].partners] == sorted(c.distance for c in found[0].partners)
    assert str(found[0].partners[0].id) == "A:560" and found[1].partners == ()
    assert {str(c.id) for c in found[2].partners} == {"H:55", "H:66", "L:114"}
