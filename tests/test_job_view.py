"""The source-neutral seam (issue 14, item 1): a service job and a local run become the same views,
drawn by the same Structure and Complex code, under widget namespaces that let two share a page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import gemmi
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app.client import FetchedJob, StructureFile
from app.models import JobResponse
from app.models.contract import ComplexResultRow, StructureResultRow
from app.runs.source import LocalRuns
from app.service_view import RANKING_NAME, complex_model, job_view, structure_model
from app.structure import ConfidenceKind, parse_structure
from app.structure.interface import CUTOFF_A, chain_pair_contacts
from app.structure.model import ResidueId
from app.structure.parse import read_gemmi

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "app" / "sample_api" / "data"
RUNS = ROOT / "tests" / "data" / "runs"
TRASTUZUMAB = "01bb1aae-c0db-5b16-8a44-9bf3b4338c07"  # structure and an X-ray complex, no humanization
CETUXIMAB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"  # full analysis: humanized VH/VL


def _fetched(job_id: str) -> FetchedJob:
    raw = json.loads((SAMPLES / "jobs" / f"{job_id}.json").read_text())
    return FetchedJob(JobResponse.model_validate(raw), raw)


def _file(path: str) -> StructureFile:
    text = (SAMPLES / "storage" / path).read_text()
    return StructureFile(text, "mmcif" if path.endswith(".cif") else "pdb", Path(path).name, len(text))


def test_a_service_job_becomes_a_view_without_reading_its_files() -> None:
    fetched = _fetched(TRASTUZUMAB)
    view = job_view(fetched)
    assert (view.source, view.key) == ("service", TRASTUZUMAB)
    assert view.models == ()  # the Structure and Complex files are fetched only when their tab opens
    assert view.structure_result is fetched.response.structure_result
    assert view.complex_result is fetched.response.complex_result
    assert view.sequences == ()  # no humanization: the antibody chains are found by numbering
    assert view.answer() is fetched
    full = _fetched(CETUXIMAB)
    full_view = job_view(full)
    assert full_view.sequences and all(len(s) > 90 for s in full_view.sequences)  # its VH/VL, to find the antibody
    assert full_view.namespace != view.namespace


def test_a_view_does_not_keep_the_service_answer_alive() -> None:
    """Views are memoised by the answer they came from: holding it would keep every job alive."""
    import gc
    import weakref

    fetched = _fetched(CETUXIMAB)
    view = job_view(fetched)
    alive = weakref.ref(fetched)
    del fetched
    gc.collect()
    assert alive() is None
    with pytest.raises(LookupError):
        view.answer()


def test_the_service_structure_and_complex_become_model_views() -> None:
    fetched = _fetched(TRASTUZUMAB)
    result = fetched.response.structure_result
    assert isinstance(result, StructureResultRow) and result.pdb_storage_path
    file = _file(result.pdb_storage_path)
    model = structure_model(result, file, parse_structure(file.text, file.format))
    assert model.confidence is not None and model.confidence.source == "api"  # per_residue_plddt, not B-factors
    assert model.scores.ranking_name == RANKING_NAME and model.scores.ranking_score == result.confidence_score
    assert model.given_cdrs is not None and len(model.given_cdrs) == 6
    assert model.model_used.startswith("FlashABB") and model.pae is None
    complex_result = fetched.response.complex_result
    assert isinstance(complex_result, ComplexResultRow) and complex_result.pdb_storage_path
    complex_file = _file(complex_result.pdb_storage_path)
    complex_view = complex_model(complex_result, complex_file, parse_structure(complex_file.text, complex_file.format))
    assert complex_view.confidence is not None
    assert complex_view.confidence.kind is ConfidenceKind.TEMPERATURE_FACTOR  # 1N8Z is an X-ray structure
    assert complex_view.scores.iptm == complex_result.iptm


def test_a_local_run_opens_in_the_complex_views(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run page draws the Complex section's interface table and pLDDT per chain, and the Structure
    section's CDR table (runs had their own, thinner copies of these before)."""
    monkeypatch.setenv("ABDASH_LOCAL_RESULTS", str(RUNS))
    at = AppTest.from_file(str(ROOT / "views" / "runs.py"), default_timeout=90)
    at.query_params["run"] = "af3_server_5b8c"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    headers = [s.value for s in at.subheader]
    for header in ("Interface", "pLDDT per chain and at the interface", "Per-residue confidence", "CDR analysis"):
        assert header in headers
    summary = next(f.value for f in at.dataframe if "Side" in f.value.columns)
    assert dict(zip(summary["Chain"], summary["Side"])) == {"B": "antibody", "C": "antibody", "A": "antigen"}
    table = next(f.value for f in at.dataframe if "partners" in f.value.columns)
    assert set(table["chain"]) == {"A", "B", "C"} and (table["closest_A"] <= CUTOFF_A).all()
    chains = next(f.value for f in at.dataframe if "Source" in f.value.columns)
    assert set(chains["Source"]) == {"computed here from the run's per-residue pLDDT"}
    cdrs = next(f.value for f in at.dataframe if "CDR" in f.value.columns)
    assert list(cdrs["CDR"]) == ["CDR-H1", "CDR-H2", "CDR-H3", "CDR-L1", "CDR-L2", "CDR-L3"]


def _two_runs_on_one_page(same_namespace: bool) -> None:
    from pathlib import Path as P

    import streamlit as st

    from app.runs.source import LocalRuns as Runs
    from components.runs import render_model

    source = Runs(P(st.session_state["root"]))
    for rel in ("af3_server_5b8c", "colabfold_pdl1"):
        run = source.open(rel)
        job = source.job_view(run, 0)
        ns = "same" if st.session_state["same"] else job.namespace
        render_model(job, job.models[0], ns)


@pytest.mark.parametrize("same", [False, True])
def test_two_runs_share_one_page_under_their_namespaces(same: bool) -> None:
    at = AppTest.from_function(_two_runs_on_one_page, args=(same,), default_timeout=120)
    at.session_state["root"] = str(RUNS)
    at.session_state["same"] = same
    at.run()
    if same:  # the check can fail: without namespaces the second run's widgets collide with the first's
        assert at.exception  # Streamlit's duplicate-key error (its text is redacted by showErrorDetails)
        return
    assert not at.exception, [e.message for e in at.exception]
    assert [s.value for s in at.subheader].count("Chain-pair confidence") == 2
    assert len([m for m in at.multiselect if m.label == "Antibody chains"]) == 2


def test_tool_scores_such_as_boltz_affinity_are_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "results"
    shutil.copytree(RUNS, root)
    folder = root / "boltz_results_pdl1/predictions/pdl1_binder"
    (folder / "affinity_pdl1_binder.json").write_text(
        json.dumps({"affinity_pred_value": -0.72, "affinity_probability_binary": 0.81})
    )
    monkeypatch.setenv("ABDASH_LOCAL_RESULTS", str(root))
    at = AppTest.from_file(str(ROOT / "views" / "runs.py"), default_timeout=90)
    at.query_params["run"] = "boltz_results_pdl1/predictions/pdl1_binder"
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}  # Boltz calls its ranking score confidence_score too
    assert {"pTM", "ipTM", "Ranking score"} <= set(metrics) and "Model confidence" not in metrics
    assert any(e.label.startswith("Other scores the tool wrote") for e in at.expander)
    other = next(f.value for f in at.dataframe if list(f.value.columns) == ["Score", "Value"])
    values = dict(zip(other["Score"], other["Value"]))
    assert values["affinity: log10(IC50 / µM), ensemble"] == pytest.approx(-0.72)
    assert values["affinity: probability of binding, ensemble"] == pytest.approx(0.81)
    assert LocalRuns(root).model(LocalRuns(root).open("boltz_results_pdl1/predictions/pdl1_binder"), 0).files


def _brute_force_contacts(st: gemmi.Structure) -> dict[tuple[str, str], set[ResidueId]]:
    atoms = []
    for chain in st[0]:
        for residue in chain:
            if residue.is_water() or residue.entity_type != gemmi.EntityType.Polymer:
                continue
            rid = ResidueId(chain.name, residue.seqid.num or 0, residue.seqid.icode.strip())
            atoms += [(chain.name, rid, a.pos.tolist()) for a in residue if not a.is_hydrogen()]
    xyz = np.array([a[2] for a in atoms])
    out: dict[tuple[str, str], set[ResidueId]] = {}
    names = [c.name for c in st[0]]
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            ia = [k for k, atom in enumerate(atoms) if atom[0] == a]
            ib = [k for k, atom in enumerate(atoms) if atom[0] == b]
            close = np.linalg.norm(xyz[ia][:, None, :] - xyz[ib][None, :, :], axis=2) <= CUTOFF_A
            found = {atoms[ia[k]][1] for k in np.flatnonzero(close.any(axis=1))}
            found |= {atoms[ib[k]][1] for k in np.flatnonzero(close.any(axis=0))}
            if found:
                out[(a, b)] = found
    return out


def test_chain_pair_contacts_match_a_brute_force_search() -> None:
    """The one contact search (gemmi's ContactSearch) that both the interface table and the chain-pair
    table use, against every heavy-atom distance computed with numpy on the AlphaFold 3 model."""
    path = RUNS / "af3_server_5b8c" / "fold_5b8c_model_0.cif"
    st = read_gemmi(path.read_text(), "mmcif")
    found = chain_pair_contacts(st)
    assert found == _brute_force_contacts(st)
    assert {pair: len(ids) for pair, ids in found.items()} == {("A", "B"): 31, ("A", "C"): 21, ("B", "C"): 36}
