"""The /runs page in AppTest, on a copy of tests/data/runs: the listing, a run opened by its link,
refused paths, and bad files shown as messages while the rest of the run still shows."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "runs"


@pytest.fixture
def runs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    target = tmp_path / "results"
    shutil.copytree(DATA, target)
    monkeypatch.setenv("ABDASH_LOCAL_RESULTS", str(target))
    yield target
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _page(run: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "views" / "runs.py"), default_timeout=90)
    if run is not None:
        at.query_params["run"] = run
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [e.value for e in at.error] + [i.value for i in at.info]
    return re.sub(r"\\(.)", r"\1", "\n".join(str(p) for p in parts))  # Markdown escapes undone


def test_listing_shows_every_run_with_a_link(runs_dir: Path) -> None:
    at = _page()
    table = at.dataframe[0].value
    assert len(table) == 4
    assert set(table["Tool"]) == {"Boltz", "AlphaFold 3 (server)", "ColabFold", "AlphaFold2"}
    assert "runs?run=af3_server_5b8c" in set(table["Run"])
    assert "4 run(s) under" in _texts(at)


def test_new_runs_appear_without_a_restart(runs_dir: Path) -> None:
    from app.runs import discover

    at = _page()
    assert len(at.dataframe[0].value) == 4
    shutil.copytree(runs_dir / "colabfold_pdl1", runs_dir / "new_colabfold")
    discover._listing_cache.clear()  # what LISTING_TTL_S seconds do
    at.run()
    assert len(at.dataframe[0].value) == 5


def test_an_antibody_complex_opens_with_its_interface_in_words(runs_dir: Path) -> None:
    at = _page("af3_server_5b8c")
    text = _texts(at)
    assert "chain B (antibody) with chain A (antigen)" in text
    assert "grey zone" in text
    assert _antibody(at).value == ["B", "C"]
    pairs = next(df.value for df in at.dataframe if "ipsae" in df.value.columns)
    assert list(pairs.columns[:2]) == ["chain_1", "chain_2"] and {"iptm", "ipsae"} <= set(pairs.columns)


def _antibody(at: AppTest):
    return next(m for m in at.multiselect if m.label == "Antibody chains")


def test_designed_binder_chains_can_be_named_by_the_user(runs_dir: Path) -> None:
    at = _page("boltz_results_pdl1/predictions/pdl1_binder")
    assert "pick the antibody (or binder) chains" in _texts(at)
    _antibody(at).set_value(["A"]).run()
    assert "chain A (antibody) with chain B (antigen)" in _texts(at)


@pytest.mark.parametrize("rel", ["../", "/etc", "boltz_results_pdl1/../../x"])
def test_paths_outside_the_folder_are_refused_on_the_page(runs_dir: Path, rel: str) -> None:
    at = _page(rel)
    assert at.error and "refused" in at.error[0].value
    assert not at.dataframe


def test_a_link_leaving_the_folder_is_refused_on_the_page(runs_dir: Path, tmp_path: Path) -> None:
    (runs_dir / "out").symlink_to(tmp_path, target_is_directory=True)
    at = _page("out")
    assert at.error and "outside the results folder" in at.error[0].value


def test_empty_folder_says_so(runs_dir: Path) -> None:
    (runs_dir / "empty").mkdir()
    at = _page("empty")
    assert at.error and "empty" in at.error[0].value


def test_broken_files_are_messages_and_the_rest_shows(runs_dir: Path) -> None:
    import numpy as np

    folder = runs_dir / "boltz_results_pdl1/predictions/pdl1_binder"
    (folder / "confidence_pdl1_binder_model_0.json").write_text('{"ptm": 0.9, "ipt')
    np.savez(folder / "plddt_pdl1_binder_model_0", plddt=np.array([object()], dtype=object))
    np.savez(folder / "pae_pdl1_binder_model_0", pae=np.zeros((10, 10), dtype=np.float32))
    at = _page("boltz_results_pdl1/predictions/pdl1_binder")
    warnings = "\n".join(w.value for w in at.warning)
    assert "not valid JSON" in warnings
    assert "holds Python objects" in warnings
    assert "10 rows but the structure has 209 tokens" in warnings
    assert "Chain-pair confidence" in [s.value for s in at.subheader]  # the rest still shows
    assert "pLDDT read (fallback) from the file's B-factor column" in _texts(at)


def test_no_folder_offers_an_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ABDASH_LOCAL_RESULTS", raising=False)
    at = _page()
    assert "No results folder is set" in at.info[0].value


def test_model_picker_switches_models(runs_dir: Path) -> None:
    folder = runs_dir / "boltz_results_pdl1/predictions/pdl1_binder"
    for kind in ("pdl1_binder_model_{}.cif", "confidence_pdl1_binder_model_{}.json", "plddt_pdl1_binder_model_{}.npz"):
        shutil.copy(folder / kind.format(0), folder / kind.format(1))
    at = _page("boltz_results_pdl1/predictions/pdl1_binder")
    picker = next(s for s in at.selectbox if s.label == "Model")
    assert picker.options == ["model 0", "model 1"]
    picker.set_value(1).run()
    assert not at.exception
    # model 1 has no PAE file: said so, and the rest of it shows
    assert any("No PAE file" in w.value for w in at.warning)
    assert "Chain-pair confidence" in [s.value for s in at.subheader]
