"""The Structure and Complex sections through AppTest, on the sample server and on data folders of
the test's own (missing file, ImmuneBuilder error column, empty interface, X-ray complex)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.sample_api import RunningServer, start_in_thread
from tests.helpers import job_body, write_data_dir

TRASTUZUMAB = "01bb1aae-c0db-5b16-8a44-9bf3b4338c07"


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [w.value for w in at.warning] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_structure_section_on_the_sample_job(open_page) -> None:
    at = open_page(TRASTUZUMAB, "Structure")
    assert not at.exception
    cdr = at.selectbox(key="struct-cdr")
    assert len(cdr.options) == 7  # none + six CDRs
    assert at.radio(key="struct-color").options == ["pLDDT", "Chain", "Region (CDRs)"]
    cdr.set_value("2").run()  # highlight CDR-H3
    assert not at.exception
    text = _texts(at)
    assert "FlashABB" in text and "pLDDT" in text


def test_complex_section_on_the_sample_job(open_page) -> None:
    at = open_page(TRASTUZUMAB, "Complex")
    assert not at.exception
    frames = at.dataframe
    summary = next(f.value for f in frames if "Side" in f.value.columns)
    assert dict(zip(summary["Chain"], summary["Interface residues"])) == {"H": 10, "L": 10, "A": 19}
    # Issue 13: per residue its chain type, CDR or framework and its partners with distances
    table = next(f.value for f in frames if "partners" in f.value.columns)
    assert list(table.columns) == [
        "chain", "residue", "residue_name", "chain_type", "region_imgt", "cdr_under", "n_partners",
        "closest_A", "partners",
    ]  # fmt: skip
    h55 = table[(table["chain"] == "H") & (table["residue"] == "55")].iloc[0]
    assert (h55["chain_type"], h55["region_imgt"], h55["cdr_under"]) == ("heavy", "FR-H2", "Kabat, North")
    assert h55["partners"].startswith("A:D560 2.6 Å")
    assert set(table[table["chain"] == "A"]["chain_type"]) == {"antigen"}
    assert "pLDDT" not in at.radio(key="complex-color").options  # X-ray: no pLDDT colouring
    assert "temperature factors" in _texts(at)


@pytest.fixture
def own_server(tmp_path: Path, shared_data: Path):
    servers: list[RunningServer] = []

    def start(bodies, files):
        server = start_in_thread(write_data_dir(tmp_path / f"d{len(servers)}", bodies, files))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_missing_file_shows_a_message_and_the_rest(open_page, own_server) -> None:
    body = job_body(
        structure_result={
            "pdb_storage_path": "structures/nowhere.pdb",
            "model_used": "FlashABB",
            "confidence_score": 0.91,
            "per_residue_plddt": {},
            "cdr_analysis": [
                {
                    "cdr": "H3",
                    "chain": "H",
                    "start": 105,
                    "end": 117,
                    "sequence": "ARDYW",
                    "length": 5,
                    "mean_plddt": 0.55,
                    "canonical_class": None,
                }
            ],
        }
    )
    server = own_server([body], {})
    at = open_page(body["job"]["id"], "Structure", server=server)
    assert not at.exception
    assert any("404" in e.value for e in at.error)
    assert any("CDR" in str(f.value.columns.tolist()) or "CDR" in f.value.columns for f in at.dataframe)
    assert at.metric[0].value == "0.91"


def test_immunebuilder_file_is_shown_as_error_not_plddt(open_page, own_server, shared_data: Path) -> None:
    text = (shared_data / "C143_immunebuilder.pdb").read_text()
    body = job_body(
        structure_result={"pdb_storage_path": "s/c143.pdb", "model_used": "ABodyBuilder2", "per_residue_plddt": {}}
    )
    server = own_server([body], {"s/c143.pdb": text})
    at = open_page(body["job"]["id"], "Structure", server=server)
    assert not at.exception
    assert "pLDDT" not in at.radio(key="struct-color").options
    assert any("predicted error" in w.value for w in at.warning)
    assert "derived here by IMGT numbering" in _texts(at)


def test_empty_interface_is_computed_here(open_page, own_server, shared_data: Path) -> None:
    text = (shared_data / "complex/3hfm.pdb").read_text()
    body = job_body(
        complex_result={
            "pdb_storage_path": "c/3hfm.pdb",
            "model_used": "Boltz-2",
            "iptm": 0.71,
            "confidence_score": 0.83,
            "per_chain_plddt": {"H": 0.9, "L": 88, "Y": None},
            "interface_residues": {},
        }
    )
    server = own_server([body], {"c/3hfm.pdb": text})
    at = open_page(body["job"]["id"], "Complex", server=server)
    assert not at.exception
    assert any("computed here" in i.value for i in at.info)
    summary = next(f.value for f in at.dataframe if "Side" in f.value.columns)
    assert set(summary["Chain"]) == {"H", "L", "Y"} and (summary["Interface residues"] > 0).all()
    assert "grey zone" in _texts(at)


def test_cdr_sequence_column_is_as_wide_as_the_longest_cdr():
    """Issue 13, item 11: CDR sequences were cut off at the table's default column width."""
    import pandas as pd

    from components.structure import cdr_column_config

    table = pd.DataFrame({"Sequence": ["GFNIKDTY", "SRWGGDGFYAMDYWGQGTLV"]})
    width = cdr_column_config(table)["Sequence"]["width"]
    assert width >= 9 * 20
