"""Local runs on the real files in tests/data/runs: discovery, readers, tokens, ipSAE against the
published DunbrackLab/IPSAE example outputs, the chain-pair table, and every bad input of issue 14."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from app.runs import upload
from app.runs.discover import scan
from app.runs.files import PathRefused, RunFileError, read_json_object, read_npz_array, resolve_inside
from app.runs.load import load_model
from app.runs.scores import antibody_antigen_summary, chain_pair_table
from app.runs.source import LocalRuns, RunNotFound
from app.runs.tokens import structure_tokens
from app.runs.upload import UploadSpace, unpack
from app.structure.interface import chain_pair_contacts
from app.structure.parse import read_gemmi

DATA = Path(__file__).parent / "data" / "runs"


@pytest.fixture
def runs_dir(tmp_path: Path) -> Path:
    """A writable copy of tests/data/runs (tests below break files on purpose)."""
    target = tmp_path / "results"
    shutil.copytree(DATA, target)
    return target


def _run(root: Path, tool: str):
    return next(r for r in scan(root) if r.tool == tool)


def _pairs(root: Path, tool: str, cutoff: float):
    run = _run(root, tool)
    model = load_model(root, run, run.models[0])
    assert model.structure is not None
    st = read_gemmi(model.structure.text, model.structure.format)
    rows = chain_pair_table(
        [c.name for c in st[0]], model.pae, model.pair_iptm, chain_pair_contacts(st), model.confidence, cutoff
    )
    return model, {(r.chain_1, r.chain_2): r for r in rows}


def test_discovery_finds_each_tool_with_its_scores() -> None:
    runs = {r.tool: r for r in scan(DATA)}
    assert set(runs) == {"Boltz", "AlphaFold 3 (server)", "ColabFold", "AlphaFold2"}
    assert runs["Boltz"].rel == "boltz_results_pdl1/predictions/pdl1_binder"
    assert runs["Boltz"].ptm == pytest.approx(0.9542756676673889) and runs["Boltz"].iptm == pytest.approx(
        0.9425914883613586
    )
    assert runs["AlphaFold 3 (server)"].rel == "af3_server_5b8c"
    assert (runs["AlphaFold 3 (server)"].ptm, runs["AlphaFold 3 (server)"].iptm) == (0.87, 0.82)
    # ColabFold's pTM/ipTM are read from the end of its scores JSON, after the PAE
    assert (runs["ColabFold"].ptm, runs["ColabFold"].iptm) == (0.94, 0.92)
    assert (runs["AlphaFold2"].ptm, runs["AlphaFold2"].iptm) == (0.88, 0.84)
    assert [m.label for m in runs["ColabFold"].models] == ["rank 1"]


def test_newest_run_is_listed_first(runs_dir: Path) -> None:
    af2 = runs_dir / "af2_multimer_5b8c" / "5b8c_unrelaxed_alphafold2_multimer_v3_model_4_seed_000.pdb"
    os.utime(af2, (2_000_000_000, 2_000_000_000))
    assert scan(runs_dir)[0].tool == "AlphaFold2"


def test_af3_ipsae_matches_dunbracklab_example_at_10_angstrom() -> None:
    """Example/fold_5b8c_model_0_10_10.txt of DunbrackLab/IPSAE (commit 38d3ac40), 'asym' rows."""
    _, rows = _pairs(DATA, "AlphaFold 3 (server)", 10.0)
    published = {("A", "B"): (0.607303, 0.649895), ("A", "C"): (0.562999, 0.625338), ("B", "C"): (0.818084, 0.835189)}
    for pair, (forward, backward) in published.items():
        assert rows[pair].ipsae_12 == pytest.approx(forward, abs=5e-7)
        assert rows[pair].ipsae_21 == pytest.approx(backward, abs=5e-7)
        assert rows[pair].ipsae == pytest.approx(max(forward, backward), abs=5e-7)


def test_af2_ipsae_matches_dunbracklab_example_at_15_angstrom() -> None:
    """Example/5b8c_unrelaxed_alphafold2_multimer_v3_model_4_seed_000_15_15.txt."""
    _, rows = _pairs(DATA, "AlphaFold2", 15.0)
    published = {("A", "B"): (0.581843, 0.656789), ("A", "C"): (0.502334, 0.631856), ("B", "C"): (0.853265, 0.863113)}
    for pair, (forward, backward) in published.items():
        assert rows[pair].ipsae_12 == pytest.approx(forward, abs=5e-7)
        assert rows[pair].ipsae_21 == pytest.approx(backward, abs=5e-7)


def test_af3_reader_reduces_atoms_and_keeps_the_tools_pair_iptm() -> None:
    model, rows = _pairs(DATA, "AlphaFold 3 (server)", 10.0)
    assert model.problems == ()
    assert model.pae is not None and model.pae.usable and model.pae.size == 370
    assert len(model.confidence.values) == 370  # 2,888 atom pLDDTs reduced to 370 residues
    values = [v for v in model.confidence.values.values() if v is not None]
    assert min(values) >= 50 and max(values) <= 100
    assert rows[("B", "C")].iptm == 0.9 and rows[("A", "B")].iptm == 0.79
    assert model.scores.ranking_score == 0.86


def test_boltz_reader_keys_pair_iptm_by_chain_index_and_scales_plddt() -> None:
    model, rows = _pairs(DATA, "Boltz", 10.0)
    assert model.problems == ()
    assert rows[("A", "B")].iptm == pytest.approx(0.9425914883613586)  # "0" → "1"
    assert rows[("A", "B")].iptm_21 == pytest.approx(0.9321963787078857)  # "1" → "0"
    values = [v for v in model.confidence.values.values() if v is not None]
    assert min(values) == pytest.approx(55.7, abs=0.1) and max(values) == pytest.approx(98.5, abs=0.1)  # npz 0–1 ×100
    assert model.scores.complex_plddt == pytest.approx(95.21, abs=0.01)
    assert model.pae.size == 209 and model.pae.usable


def test_colabfold_reader() -> None:
    model, rows = _pairs(DATA, "ColabFold", 10.0)
    assert model.problems == ()
    assert model.pae.size == 209 and model.pae.usable
    assert rows[("A", "B")].iptm == 0.92  # pairwise_iptm {"A-B": 0.92}
    assert model.scores.ptm == 0.94


def test_af3_local_layout_with_seeds_and_samples(tmp_path: Path) -> None:
    """The local AlphaFold 3 layout (docs/output.md), laid out here from the server files."""
    job = tmp_path / "af3" / "my_job"
    sample = job / "seed-7_sample-0"
    sample.mkdir(parents=True)
    src = DATA / "af3_server_5b8c"
    for folder, prefix in ((job, "my_job_"), (sample, "my_job_seed-7_sample-0_")):
        shutil.copy(src / "fold_5b8c_model_0.cif", folder / f"{prefix}model.cif")
        shutil.copy(src / "fold_5b8c_full_data_0.json", folder / f"{prefix}confidences.json")
        shutil.copy(src / "fold_5b8c_summary_confidences_0.json", folder / f"{prefix}summary_confidences.json")
    (job / "ranking_scores.csv").write_text("seed,sample,ranking_score\n7,0,0.86\n")
    (run,) = scan(tmp_path)
    assert run.tool == "AlphaFold 3" and run.rel == "af3/my_job" and run.iptm == 0.82
    assert [m.label for m in run.models] == ["top-ranked", "seed 7 · sample 0 (ranking 0.86)"]
    model = load_model(tmp_path, run, run.models[1])
    assert model.problems == () and model.pae is not None and model.pae.usable


def test_ligand_and_ion_atoms_are_tokens_of_their_own() -> None:
    text = (DATA / "boltz_results_pdl1/predictions/pdl1_binder/pdl1_binder_model_0.cif").read_text()
    st = read_gemmi(text, "mmcif")
    assert len(structure_tokens(st)) == 209
    pdb = (
        "ATOM      1  N   GLY A   1       0.000   0.000   0.000  1.00 90.00           N\n"
        "ATOM      2  CA  GLY A   1       1.450   0.000   0.000  1.00 90.00           C\n"
        "HETATM    3  C1  LIG B   1       5.000   0.000   0.000  1.00 80.00           C\n"
        "HETATM    4  O1  LIG B   1       6.000   0.000   0.000  1.00 80.00           O\n"
        "HETATM    5  H1  LIG B   1       6.500   0.000   0.000  1.00 80.00           H\n"
        "HETATM    6 ZN    ZN C   1       9.000   0.000   0.000  1.00 70.00          ZN\n"
        "END\n"
    )
    tokens = structure_tokens(read_gemmi(pdb, "pdb"))
    assert [(t.chain, t.polymer) for t in tokens] == [("A", True), ("B", False), ("B", False), ("C", False)]


def test_antibody_antigen_summary_names_the_pair_and_its_band() -> None:
    _, rows = _pairs(DATA, "AlphaFold 3 (server)", 10.0)
    text = antibody_antigen_summary(list(rows.values()), ("B", "C"), 10.0)
    assert text is not None
    assert "chain B (antibody) with chain A (antigen)" in text
    assert "0.79: grey zone (0.6–0.8)" in text and "0.65" in text


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("rel", ["../etc", "/etc", "a/../../b", "C:\\Windows", "x\x00y"])
def test_paths_outside_the_folder_are_refused(rel: str) -> None:
    with pytest.raises(PathRefused):
        resolve_inside(DATA, rel)


def test_a_link_leaving_the_folder_is_refused(runs_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    shutil.copytree(DATA / "colabfold_pdl1", outside)
    (runs_dir / "sneaky").symlink_to(outside, target_is_directory=True)
    with pytest.raises(PathRefused):
        resolve_inside(runs_dir, "sneaky")
    assert all(not r.rel.startswith("sneaky") for r in scan(runs_dir))  # links to folders are not followed


def test_a_file_link_leaving_the_folder_is_not_read(runs_dir: Path, tmp_path: Path) -> None:
    folder = runs_dir / "boltz_results_pdl1/predictions/pdl1_binder"
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"ptm": 0.1}))
    (folder / "confidence_pdl1_binder_model_0.json").unlink()
    (folder / "confidence_pdl1_binder_model_0.json").symlink_to(secret)
    run = _run(runs_dir, "Boltz")
    assert run.ptm is None and "leads outside" in run.problems[0]  # not read for the listing either
    model = load_model(runs_dir, run, run.models[0])
    assert model.scores.ptm is None
    assert any("leads outside the results folder" in p for p in model.problems)


def test_truncated_confidence_json_is_reported_and_the_rest_shows(runs_dir: Path) -> None:
    path = runs_dir / "af3_server_5b8c/fold_5b8c_summary_confidences_0.json"
    path.write_text(path.read_text()[:120])
    run = _run(runs_dir, "AlphaFold 3 (server)")
    model = load_model(runs_dir, run, run.models[0])
    assert any("is not valid JSON" in p and "cut short" in p for p in model.problems)
    assert model.structure is not None and model.pae is not None and model.pae.usable and model.scores.iptm is None


def test_non_json_scores_file(runs_dir: Path) -> None:
    path = runs_dir / "colabfold_pdl1/pdl1_binder_scores_rank_001_alphafold2_multimer_v3_model_1_seed_000.json"
    path.write_text("<html>not json</html>")
    run = _run(runs_dir, "ColabFold")
    model = load_model(runs_dir, run, run.models[0])
    assert any("is not valid JSON" in p for p in model.problems)
    assert model.confidence is not None and model.confidence.is_plddt  # from the B-factors
    assert model.pae is not None and model.pae.usable  # from predicted_aligned_error_v1.json


def test_npz_holding_objects_is_refused(runs_dir: Path) -> None:
    path = runs_dir / "boltz_results_pdl1/predictions/pdl1_binder/pae_pdl1_binder_model_0.npz"
    np.savez(path.with_suffix(""), pae=np.array([{"a": 1}], dtype=object))
    with pytest.raises(RunFileError, match="holds Python objects"):
        read_npz_array(path, "pae", path.name)
    run = _run(runs_dir, "Boltz")
    model = load_model(runs_dir, run, run.models[0])
    assert model.pae is None and any("never loaded" in p for p in model.problems)
    assert model.scores.iptm is not None


def test_pae_of_the_wrong_size_is_reported_not_drawn(runs_dir: Path) -> None:
    path = runs_dir / "boltz_results_pdl1/predictions/pdl1_binder/pae_pdl1_binder_model_0.npz"
    np.savez(path.with_suffix(""), pae=np.zeros((200, 200), dtype=np.float32))
    run = _run(runs_dir, "Boltz")
    model = load_model(runs_dir, run, run.models[0])
    assert model.pae is not None and not model.pae.usable
    assert "200 rows but the structure has 209 tokens" in model.pae.problem
    _, rows = _pairs(runs_dir, "Boltz", 10.0)
    assert rows[("A", "B")].ipsae is None and rows[("A", "B")].iptm is not None


def test_empty_folder_is_not_a_run(runs_dir: Path) -> None:
    (runs_dir / "empty").mkdir()
    with pytest.raises(RunNotFound, match="empty"):
        LocalRuns(runs_dir).open("empty")


def test_a_2_gb_file_is_not_read(runs_dir: Path) -> None:
    path = runs_dir / "af3_server_5b8c/fold_5b8c_full_data_0.json"
    with path.open("r+b") as handle:
        handle.truncate(2 * 2**30)  # sparse: no disk used
    with pytest.raises(RunFileError, match="2.0 GB, above the 512.0 MB limit"):
        read_json_object(path, path.name)
    run = _run(runs_dir, "AlphaFold 3 (server)")
    model = load_model(runs_dir, run, run.models[0])
    assert any("2.0 GB" in p for p in model.problems)
    assert model.structure is not None and model.scores.iptm == 0.82


def _zip(entries: dict[str, bytes], *, link: str | None = None) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = 0o120777 << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def test_upload_unpacks_a_run_and_refuses_escapes(tmp_path: Path) -> None:
    folder = DATA / "colabfold_pdl1"
    entries = {f"run/{p.name}": p.read_bytes() for p in folder.iterdir()}
    entries["../evil.txt"] = b"x"
    entries["/abs.txt"] = b"x"
    data = _zip(entries, link="run/link")
    dest = tmp_path / "space"
    dest.mkdir()
    problems = unpack([("run.zip", data)], dest)
    assert any("unsafe path" in p for p in problems) and any("is a link" in p for p in problems)
    assert not (tmp_path / "evil.txt").exists() and not (dest / "run" / "link").exists()
    (run,) = scan(dest)
    assert run.tool == "ColabFold"


def test_upload_zip_bomb_stops_at_the_cap(tmp_path: Path) -> None:
    data = _zip({"big.json": b"0" * (50 * 2**20)})
    dest = tmp_path / "space"
    dest.mkdir()
    problems = unpack([("bomb.zip", data)], dest, cap=10 * 2**20)
    assert problems and ("zip bomb" in problems[0] or "limit" in problems[0])
    assert sum(f.stat().st_size for f in dest.rglob("*") if f.is_file()) <= 10 * 2**20


def test_upload_space_is_removed_without_the_garbage_collector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    space = UploadSpace()  # still referenced here: only `remove()` can take the folder
    assert space.fill([("run.zip", _zip({"run/a.json": b"{}"}))]) == []
    assert (space.path / "run" / "a.json").is_file() and not space.removed
    space.remove()
    space.remove()  # once is enough; a second call does nothing
    assert space.removed and not space.path.exists()


def test_upload_removed_while_unpacking_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The session ends (its websocket closes) while its upload is still being unpacked."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    space = UploadSpace()
    real_unpack = upload.unpack

    def unpack_after_removal(files: list[tuple[str, bytes]], dest: Path) -> list[str]:
        space.remove()
        return real_unpack(files, dest)  # writing a zip's members makes their folders again

    monkeypatch.setattr(upload, "unpack", unpack_after_removal)
    space.fill([("run.zip", _zip({"run/a.json": b"{}"}))])
    assert not space.path.exists()
    space.fill([("a.json", b"{}")])  # removed before it starts: the folder is not made again
    assert not space.path.exists() and not list(tmp_path.iterdir())


def _deepmind_af2_folder(root: Path) -> Path:
    """The real 5B8C AlphaFold2-multimer model laid out as DeepMind's run_alphafold.py (v2.3) writes it:
    ranked_0.pdb, ranking_debug.json ("iptm+ptm", "order"), pae_<model>.json in AlphaFold DB format, and a
    pickle that must never be opened. Numbers are the run's own (its ColabFold-style scores file)."""
    source = DATA / "af2_multimer_5b8c"
    scores = json.loads((source / "5b8c_scores_alphafold2_multimer_v3_model_4_seed_000.json").read_text())
    folder = root / "af2_deepmind" / "5b8c"
    folder.mkdir(parents=True)
    best, other = "model_4_multimer_v3_pred_0", "model_1_multimer_v3_pred_0"
    shutil.copy(source / "5b8c_unrelaxed_alphafold2_multimer_v3_model_4_seed_000.pdb", folder / "ranked_0.pdb")
    shutil.copy(folder / "ranked_0.pdb", folder / f"unrelaxed_{best}.pdb")
    ranking = {"iptm+ptm": {best: 0.8 * scores["iptm"] + 0.2 * scores["ptm"], other: 0.5}, "order": [best, other]}
    (folder / "ranking_debug.json").write_text(json.dumps(ranking))
    pae = [{"predicted_aligned_error": scores["pae"], "max_predicted_aligned_error": scores["max_pae"]}]
    (folder / f"pae_{best}.json").write_text(json.dumps(pae))
    (folder / f"result_{best}.pkl").write_bytes(b"\x80\x04cos\nsystem\n(S'echo never'\ntR.")  # never unpickled
    return folder


def test_deepmind_alphafold2_layout_reads_ranked_models_ranking_and_pae(tmp_path: Path) -> None:
    folder = _deepmind_af2_folder(tmp_path)
    runs = scan(tmp_path)
    assert [(r.tool, r.rel, len(r.models)) for r in runs] == [("AlphaFold2 (DeepMind)", "af2_deepmind/5b8c", 1)]
    run = runs[0]
    assert run.models[0].label == "ranked 0 · model_4_multimer_v3_pred_0"
    model = load_model(tmp_path, run, run.models[0])
    assert model.structure is not None and model.confidence is not None and model.confidence.is_plddt
    assert model.scores.ranking_score == pytest.approx(0.8 * 0.84 + 0.2 * 0.88)
    assert "0.8·ipTM + 0.2·pTM" in model.scores.ranking_name
    assert model.scores.ptm is None and model.scores.iptm is None  # only in the pickle
    assert any("pickle" in p for p in model.problems)
    assert model.pae is not None and model.pae.usable and model.pae.size == 370
    assert model.pae.source == "pae_model_4_multimer_v3_pred_0.json"
    assert set(model.files) == {"ranked_0.pdb", "ranking_debug.json", "pae_model_4_multimer_v3_pred_0.json"}
    # the same ipSAE as the ColabFold-style copy of this run (DunbrackLab's AF2 example, 15 Å)
    st = read_gemmi(model.structure.text, model.structure.format)
    rows = chain_pair_table([c.name for c in st[0]], model.pae, (), chain_pair_contacts(st), model.confidence, 15.0)
    _, reference = _pairs(DATA, "AlphaFold2", 15.0)
    for row in rows:
        assert row.ipsae == pytest.approx(reference[(row.chain_1, row.chain_2)].ipsae, abs=1e-9)
    assert (folder / "result_model_4_multimer_v3_pred_0.pkl").read_bytes().startswith(b"\x80")


def test_boltz_affinity_file_is_read_into_the_scores(runs_dir: Path) -> None:
    folder = runs_dir / "boltz_results_pdl1" / "predictions" / "pdl1_binder"
    values = {"affinity_pred_value": -0.72, "affinity_probability_binary": 0.81, "affinity_pred_value1": -0.6}
    (folder / "affinity_pdl1_binder.json").write_text(json.dumps(values))
    run = _run(runs_dir, "Boltz")
    model = load_model(runs_dir, run, run.models[0])
    extra = dict(model.scores.extra)
    assert extra["affinity: log10(IC50 / µM), ensemble"] == -0.72
    assert extra["affinity: probability of binding, ensemble"] == 0.81
    assert extra["affinity: log10(IC50 / µM), model 1"] == -0.6
    assert "affinity_pdl1_binder.json" in model.files
    (folder / "affinity_pdl1_binder.json").write_text("{not json")
    model = load_model(runs_dir, run, run.models[0])
    assert any("affinity_pdl1_binder.json" in p for p in model.problems) and model.structure is not None
