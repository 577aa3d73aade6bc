"""app.structure on real files: chains and residues of PDB and mmCIF, pLDDT from B-factors in both
scales, refusal of predicted-error and temperature-factor columns, CDR spans.

Expected values are literal facts about the files (../shared/data/PROVENANCE.md) or read by another
route (gemmi's mmCIF table reader, fixed-column PDB slicing)."""

from __future__ import annotations

import json
from pathlib import Path

import gemmi
import pytest

from app.structure import (
    ConfidenceKind,
    from_bfactors,
    parse_structure,
    residue_confidence,
    spans_from_api,
    spans_from_numbering,
)
from app.structure.parse import StructureParseError, viewer_text
from tests.helpers import read

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "app" / "sample_api" / "data"


def _text(path: Path) -> str:
    return path.read_text()


def _ca_bfactors_pdb(text: str) -> dict[tuple[str, str], float]:
    """(chain, number+icode) -> CA B-factor, by PDB's fixed columns (not gemmi)."""
    out = {}
    for line in text.splitlines():
        if line.startswith("ATOM  ") and line[12:16].strip() == "CA":
            out[(line[21], line[22:27].strip())] = float(line[60:66])
    return out


def test_mmcif_boltz_chains_and_plddt_0_100(shared_data: Path) -> None:
    text = _text(shared_data / "boltz_pdl1_binder_model_0.cif")
    parsed = parse_structure(text, "mmcif")
    assert {c.name: len(c) for c in parsed.chains} == {"A": 94, "B": 115}  # PROVENANCE.md
    conf = from_bfactors(parsed, "Boltz-2")
    assert conf.kind is ConfidenceKind.PLDDT and "0–100" in conf.note
    # independent: the _atom_site table through gemmi's CIF reader, CA rows only
    table = (
        gemmi.cif.read_string(text)
        .sole_block()
        .find("_atom_site.", ["auth_asym_id", "auth_seq_id", "label_atom_id", "B_iso_or_equiv"])
    )
    expected = {(r[0], r[1]): float(r[3]) for r in table if r[2] == "CA"}
    got = {(rid.chain, rid.label): v for rid, v in conf.values.items() if v is not None}
    assert got.keys() == expected.keys() and len(got) == len(conf.values)
    assert all(abs(got[k] - expected[k]) < 0.01 for k in expected)
    assert 55 < min(got.values()) < 56 and 98 < max(got.values()) < 99  # PROVENANCE: B 55.7/…/98.5


def test_plddt_0_1_scale_is_detected(shared_data: Path, tmp_path: Path) -> None:
    st = gemmi.read_structure(str(shared_data / "boltz_pdl1_binder_model_0.cif"))
    for residue in st[0].all():
        residue.atom.b_iso = residue.atom.b_iso / 100.0
    out = tmp_path / "scaled.pdb"
    st.write_pdb(str(out))
    text = out.read_text()
    conf = from_bfactors(parse_structure(text, "pdb"), None)
    assert conf.kind is ConfidenceKind.PLDDT and "0–1" in conf.note
    raw = _ca_bfactors_pdb(text)
    for rid, value in conf.values.items():
        assert value is not None
        assert value == pytest.approx(raw[(rid.chain, rid.label)] * 100, abs=0.01)
        assert 50 <= value <= 100


def test_immunebuilder_error_column_is_never_plddt(shared_data: Path) -> None:
    text = _text(shared_data / "C143_immunebuilder.pdb")
    parsed = parse_structure(text, "pdb")
    assert {c.name: len(c) for c in parsed.chains} == {"H": 129, "L": 110}
    by_header = from_bfactors(parsed, "FlashABB")  # the file's REMARK says ABODYBUILDER2
    assert by_header.kind is ConfidenceKind.PREDICTED_ERROR and not by_header.is_plddt
    assert "predicted error" in by_header.note
    no_header = "\n".join(line for line in text.splitlines() if not line.startswith("REMARK"))
    stripped = parse_structure(no_header, "pdb")
    assert from_bfactors(stripped, "ABodyBuilder2").kind is ConfidenceKind.PREDICTED_ERROR
    # nothing names the tool: 0.07-4.32 is neither 0-1 nor plausible 0-100 pLDDT
    assert from_bfactors(stripped, None).kind is ConfidenceKind.UNKNOWN
    # even per_residue_plddt absent: the section's reading falls back to the refusing one
    conf, _ = residue_confidence(parsed, {}, "ImmuneBuilder")
    assert conf.kind is ConfidenceKind.PREDICTED_ERROR


def test_experimental_bfactors_are_not_plddt(shared_data: Path) -> None:
    parsed = parse_structure(_text(shared_data / "complex/3hfm.pdb"), "pdb")
    assert parsed.experimental_method == "X-RAY DIFFRACTION"
    assert from_bfactors(parsed, None).kind is ConfidenceKind.TEMPERATURE_FACTOR
    gear = parse_structure(_text(SAMPLES / "storage/complexes/1n8z_trastuzumab_fv_her2.pdb"), "pdb")
    assert {c.name: len(c) for c in gear.chains} == {"A": 581, "H": 120, "L": 107}  # waters/NAG not counted
    assert set(gear.ligands) == {"NAG"}
    assert from_bfactors(gear, "Experimental X-ray structure PDB 1N8Z").kind is ConfidenceKind.TEMPERATURE_FACTOR


def test_insertion_codes_kept(shared_data: Path) -> None:
    text = _text(shared_data / "complex/nanobody_antigen_9hzj_imgt.pdb")
    parsed = parse_structure(text, "pdb")
    expected = {(c, lab) for (c, lab) in _ca_bfactors_pdb(text)}
    got = {(r.chain, r.label) for ch in parsed.chains for r in ch.residues}
    assert got == expected
    assert any(not lab.isdigit() for _, lab in got)  # IMGT insertions such as 111A


def test_api_plddt_mapped_and_mismatch_reported(shared_data: Path) -> None:
    parsed = parse_structure(_text(shared_data / "boltz_pdl1_binder_model_0.cif"), "mmcif")
    conf, problems = residue_confidence(parsed, {"A": [80.0] * 94, "Z": [50.0]}, "Boltz-2")
    assert conf.source == "api" and len(conf.values) == 94
    assert any("Z" in p for p in problems)


def test_unreadable_file_raises_a_showable_error() -> None:
    with pytest.raises(StructureParseError):
        parse_structure("data_x\n_cell.length_a 1\n", "mmcif")
    with pytest.raises(StructureParseError):
        parse_structure("HELLO\n", "pdb")


def test_viewer_text_keeps_chain_ids_and_numbering(shared_data: Path) -> None:
    text = _text(shared_data / "boltz_pdl1_binder_model_0.cif")
    out, fmt = viewer_text(text, "mmcif")
    assert fmt == "pdb"
    got = {(c, lab) for (c, lab) in _ca_bfactors_pdb(out)}
    parsed = parse_structure(text, "mmcif")
    assert got == {(r.chain, r.label) for ch in parsed.chains for r in ch.residues}
    # hydrogens are dropped for the viewer (ImmuneBuilder writes them)
    h_text, _ = viewer_text(_text(shared_data / "C143_immunebuilder.pdb"), "pdb")
    assert not any(line[76:78].strip() == "H" for line in h_text.splitlines() if line.startswith("ATOM"))


def _pdb_files(shared_data: Path) -> list[Path]:
    return sorted(shared_data.rglob("*.pdb")) + sorted((SAMPLES / "storage").rglob("*.pdb"))


def _gemmi_ca_residues(text: str) -> set[tuple[str, str]]:
    """(chain, number+icode) of the ATOM residues with a CA, as gemmi reads the first model."""
    model = gemmi.read_pdb_string(text)[0]
    return {
        (ch.name, f"{r.seqid.num}{r.seqid.icode.strip()}")
        for ch in model
        for r in ch
        if r.het_flag == "A" and r.find_atom("CA", "*") is not None
    }


def test_viewer_text_sends_a_clean_pdb_as_it_is_and_rewrites_the_rest(shared_data: Path) -> None:
    """Either way 3Dmol, reading PDB's fixed columns, finds the residues gemmi found (and the tables use)."""
    viewer_text.cache_clear()  # "as it is" is checked by identity, which a cached earlier call would hide
    as_is = rewritten = 0
    for path in _pdb_files(shared_data):
        text = _text(path)
        out, fmt = viewer_text(text, "pdb")
        assert fmt == "pdb", path.name
        assert set(_ca_bfactors_pdb(out)) == _gemmi_ca_residues(text), path.name
        records = [line for line in out.splitlines() if line.startswith(("ATOM", "HETATM", "MODEL"))]
        assert sum(line.startswith("MODEL") for line in records) <= 1, path.name  # the first model only
        assert not any(line[17:20] == "HOH" or line[76:78].strip() == "H" for line in records), path.name
        if out is text:
            as_is += 1
        else:
            rewritten += 1
    assert as_is >= 5 and rewritten >= 3  # FlashABB/AlphaFold models go as they are; X-ray files with waters do not


def test_viewer_text_keeps_the_first_of_two_models(shared_data: Path) -> None:
    viewer_text.cache_clear()
    text = _text(shared_data / "fv/hu-4D5-8_Fv.pdb")
    assert viewer_text(text, "pdb")[0] is text  # clean: as it is
    atoms = [line for line in text.splitlines() if line.startswith(("ATOM", "HETATM"))]
    two_models = "\n".join(["MODEL        1", *atoms, "ENDMDL", "MODEL        2", *atoms, "ENDMDL", "END"]) + "\n"
    out, _ = viewer_text(two_models, "pdb")
    assert out is not two_models and len(_ca_bfactors_pdb(out)) == len(_gemmi_ca_residues(text))
    assert sum(line.startswith("ATOM") for line in out.splitlines()) == sum(line.startswith("ATOM") for line in atoms)


def test_cdrs_by_numbering_match_the_services_cdr_analysis() -> None:
    """The sample job's cdr_analysis (written by the sample builder) vs IMGT numbering done here."""
    from app.models import JobResponse, StructureResultRow

    job = json.loads((SAMPLES / "jobs" / "01bb1aae-c0db-5b16-8a44-9bf3b4338c07.json").read_text())
    result = read(JobResponse.model_validate(job).structure_result, StructureResultRow)
    text = (SAMPLES / "storage" / read(result.pdb_storage_path, str)).read_text()
    parsed = parse_structure(text, "pdb")
    conf, _ = residue_confidence(parsed, read(result.per_residue_plddt, dict), result.model_used)
    derived = {(s.cdr, s.sequence) for s in spans_from_numbering(parsed, ("H", "L"), conf)}
    rows = read(result.cdr_analysis, list)
    given = {(r.cdr, r.sequence) for r in rows}
    assert derived == given
    api_spans = spans_from_api(rows, parsed, conf)
    for span, row in zip(api_spans, rows):
        assert span.sequence == row.sequence and len(span.residues) == row.length
