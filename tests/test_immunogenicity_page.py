"""The Immunogenicity section through the real page (AppTest), on the sample jobs and on contract variants."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pytest

from app.sample_api import start_in_thread
from tests.helpers import job_body, write_data_dir
from tests.test_stability_page import array, plotly_specs, sample_bodies, texts


def bar_heights(y) -> np.ndarray:
    """A bar trace's y: plotly's typed-array form ({dtype, bdata}) or a plain list."""
    return array(y) if isinstance(y, dict) else np.asarray(y, dtype=float)


AAS = list("ACDEFGHIKLMNPQRSTVWY")
IMMUNO_SAMPLES = sample_bodies("immunogenicity_result")


def epitope_maps(at) -> list[dict]:
    return [s for s in plotly_specs(at) if s["layout"].get("title", {}).get("text", "").startswith("Chain ")]


@pytest.mark.parametrize("body", IMMUNO_SAMPLES, ids=[b["job"]["id"][:8] for b in IMMUNO_SAMPLES])
def test_every_sample_immunogenicity_result_renders(open_page, body):
    at = open_page(body["job"]["id"], section="Immunogenicity")
    assert not at.exception
    result = body["immunogenicity_result"]
    gauges = next(s for s in plotly_specs(at) if s["data"] and s["data"][0]["type"] == "indicator")
    assert [t.get("value") for t in gauges["data"]] == [
        result.get(k) for k in ("risk_score", "mhc1_risk", "mhc2_risk", "bcell_risk")
    ]
    chains = {e["chain"] for k in ("mhc1_epitopes", "mhc2_epitopes", "bcell_epitopes") for e in result.get(k) or []}
    assert len(epitope_maps(at)) >= len(chains)
    if result.get("deimmunization_suggestions"):
        table = next(df.value for df in at.dataframe if "touches CDR" in df.value.columns)
        assert len(table) == len(result["deimmunization_suggestions"])
        assert table["epitopes removed"].tolist() == sorted(table["epitopes removed"].tolist(), reverse=True)


def methods_text(at) -> str:
    """The "Prediction methods" list as read (Markdown escapes removed)."""
    text = next(m.value for m in at.markdown if m.value.startswith("**Prediction methods**"))
    return text.replace("\\", "")


CETUXIMAB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"  # MHC-II by a rule (no HLA model), no MHC-I


def test_sample_without_hla_model_quotes_no_netmhc_threshold(open_page):
    at = open_page(CETUXIMAB, section="Immunogenicity")
    assert not at.exception
    titles = [m["layout"]["title"]["text"] for m in epitope_maps(at)]
    assert titles and not any("NetMHC" in t for t in titles)
    assert all("MHC-II: no percentile ranks (no HLA model)" in t for t in titles)
    assert not [r for r in at.radio if r.key == "immuno-mhc2-set"]
    assert not [r for r in at.radio if r.key == "immuno-level"]
    methods = methods_text(at)
    assert "rule-based, no HLA binding model: rule:nongermline-9mer" in methods
    assert "MHC-I**: not computed (no open offline predictor)" in methods
    page_text = " ".join(c.value for c in at.caption)
    assert "NetMHCIIpan 4.x" not in page_text and "Binding bins by" not in page_text


def test_sample_mhc2_table_hides_empty_columns_and_merges_hotspots(open_page):
    at = open_page(CETUXIMAB, section="Immunogenicity")
    table = next(df.value for df in at.dataframe if "peptide" in df.value.columns)
    assert len(table) == 108
    assert "percentile rank (%)" not in table.columns and "binding" not in table.columns
    assert "core" in table.columns  # the rule gives cores: kept
    spots = next(df.value for df in at.dataframe if "core span" in df.value.columns)
    # 108 overlapping 15-mers, merged by overlapping 9-mer cores: 2 regions on H, 3 on L
    assert spots["chain"].tolist() == ["H", "H", "L", "L", "L"]
    assert spots["core span"].tolist() == ["19–86", "90–115", "23–41", "45–61", "81–104"]
    assert spots["epitopes"].sum() == 108
    assert spots["epitopes per allele"].iloc[0] == "rule:nongermline-9mer (no HLA model) ×54"
    assert "best rank (%)" not in spots.columns


def test_ranked_variant_names_its_threshold_set_on_the_chart(open_page, variants):
    server, ids = variants
    at = open_page(ids["full"], section="Immunogenicity", server=server)
    assert all("NetMHCIIpan 4.x" in m["layout"]["title"]["text"] for m in epitope_maps(at))
    at.radio(key="immuno-mhc2-set").set_value("legacy").run()
    assert not at.exception
    assert all(
        "≤ 10 %" in m["layout"]["title"]["text"] and "legacy" in m["layout"]["title"]["text"] for m in epitope_maps(at)
    )
    methods = methods_text(at)
    assert "percentile ranks from NetMHCpan 4.1" in methods


# --- contract variants on a server of our own ------------------------------------------------------

SEQ_H = "QVQLVESGGGLVQPGGSLRL"  # 20 residues


def variant_bodies() -> dict[str, dict]:
    numbering = [
        {"position": str(i), "aa": aa, "region": "CDR1" if 5 <= i <= 8 else "FR1"}
        for i, aa in enumerate(SEQ_H, start=1)
    ]
    strategy = {
        "id": "22222222-2222-2222-2222-222222222222",
        "strategy": "sapiens",
        "humanized_vh": SEQ_H,
        "numbering": {"scheme": "imgt", "vh": numbering, "vl": []},
    }
    mhc1 = [
        {"chain": "H", "start": 2, "end": 10, "peptide": "VQLVESGGG", "allele": "HLA-A*02:01", "percentile_rank": 0.3},
        {"chain": "H", "start": 4, "end": 12, "peptide": "LVESGGGLV", "allele": "HLA-B*07:02", "percentile_rank": 1.5},
        {
            "chain": "H",
            "start": 4,
            "end": 12,
            "peptide": "LVESGGGLV",
            "allele": "<img src=x onerror=alert(1)>",
            "percentile_rank": 0.1,
        },
        {"chain": "L", "start": 30, "end": 38, "peptide": "XXXXXXXXX", "allele": "HLA-A*01:01", "percentile_rank": 0.2},
    ]
    mhc2 = [
        {
            "chain": "H",
            "start": 6,
            "end": 20,
            "peptide": "ESGGGLVQPGGSLRL",
            "core": "GGGLVQPGG",
            "allele": "DRB1*01:01",
            "percentile_rank": 7.0,
        }
    ]
    stability = {
        "ddg_matrix": {
            "positions": ["H:5"],
            "amino_acids": AAS,
            "values": [[0.0 if a == "V" else (1.3 if a == "A" else 0.2) for a in AAS]],
        }
    }
    immuno = {
        "mhc1_epitopes": mhc1,
        "mhc2_epitopes": mhc2,
        "bcell_epitopes": [{"chain": "H", "start": 9, "end": 13, "sequence": "GGLVQ", "score": 55}],
        "deimmunization_suggestions": [
            {"chain": "H", "position": 5, "from": "V", "to": "A", "epitopes_removed": 2, "predicted_risk_after": 35}
        ],
        "risk_score": 62,
        "mhc1_risk": 0.5,
        "mhc2_risk": 40.0,
        "bcell_risk": 0.1,
        "model_versions": {"NetMHCpan": "4.1"},
    }
    return {
        "full": job_body(results=[strategy], stability_result=stability, immunogenicity_result=immuno),
        "empty": job_body(
            immunogenicity_result={
                "mhc1_epitopes": [],
                "mhc2_epitopes": [],
                "bcell_epitopes": [],
                "deimmunization_suggestions": [],
            }
        ),
        "unknown": job_body(
            immunogenicity_result={
                "mhc1_epitopes": "none",
                "mhc2_epitopes": [{"chain": "H"}],
                "deimmunization_suggestions": {"x": 1},
                "risk_score": "high",
            }
        ),
        "whole_unknown": job_body(immunogenicity_result=42),
    }


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> Iterator[tuple[object, dict[str, str]]]:
    bodies = variant_bodies()
    folder = write_data_dir(tmp_path_factory.mktemp("immuno-variants"), list(bodies.values()))
    server = start_in_thread(folder)
    yield server, {name: body["job"]["id"] for name, body in bodies.items()}
    server.stop()


def test_variant_0_100_risks_become_fractions_on_the_gauges(open_page, variants):
    server, ids = variants
    at = open_page(ids["full"], section="Immunogenicity", server=server)
    assert not at.exception
    gauges = next(s for s in plotly_specs(at) if s["data"][0]["type"] == "indicator")
    assert [t.get("value") for t in gauges["data"]] == [0.62, 0.5, 0.4, 0.1]


def test_variant_epitope_map_counts_alleles_and_escapes_them(open_page, variants):
    server, ids = variants
    at = open_page(ids["full"], section="Immunogenicity", server=server)
    maps = {m["layout"]["title"]["text"].split("<br>")[0]: m for m in epitope_maps(at)}
    assert set(maps) == {"Chain H", "Chain L"}
    mhc1_h = bar_heights(maps["Chain H"]["data"][0]["y"]).astype(int).tolist()
    # residue 2-3: A*02:01; 4-10: A*02:01, B*07:02 and the hostile allele; 11-12: B*07:02 and the hostile one
    assert mhc1_h == [0, 1, 1, 3, 3, 3, 3, 3, 3, 3, 2, 2] + [0] * 8
    dump = json.dumps(maps["Chain H"])
    assert "<img" not in dump and "&lt;img src=x onerror=alert(1)&gt;" in dump
    # chain L has no sequence: its track runs to the last epitope end
    assert len(bar_heights(maps["Chain L"]["data"][0]["y"])) == 38
    assert any("No sequence for chain" in c.value for c in at.caption)
    # strong only: B*07:02 (1.5 %) drops out
    at.radio(key="immuno-level").set_value("strong").run()
    maps = {m["layout"]["title"]["text"].split("<br>")[0]: m for m in epitope_maps(at)}
    assert bar_heights(maps["Chain H"]["data"][0]["y"]).astype(int).tolist()[:12] == [
        0,
        1,
        1,
        2,
        2,
        2,
        2,
        2,
        2,
        2,
        1,
        1,
    ]
    # allele filter
    at.multiselect(key="immuno-alleles").set_value(["HLA-A*02:01"]).run()
    maps = {m["layout"]["title"]["text"].split("<br>")[0]: m for m in epitope_maps(at)}
    assert bar_heights(maps["Chain H"]["data"][0]["y"]).astype(int).tolist()[:12] == [
        0,
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        0,
        0,
    ]


def test_variant_mhc2_threshold_set_changes_the_counts(open_page, variants):
    server, ids = variants
    at = open_page(ids["full"], section="Immunogenicity", server=server)
    maps = {m["layout"]["title"]["text"].split("<br>")[0]: m for m in epitope_maps(at)}
    assert int(bar_heights(maps["Chain H"]["data"][1]["y"]).sum()) == 0  # 7 % binds under neither 1 % nor 5 %
    at.radio(key="immuno-mhc2-set").set_value("legacy").run()
    maps = {m["layout"]["title"]["text"].split("<br>")[0]: m for m in epitope_maps(at)}
    assert int(bar_heights(maps["Chain H"]["data"][1]["y"]).sum()) == 15  # weak under 10 %: residues 6-20, one allele


def test_variant_tables_and_suggestion_cross_check(open_page, variants):
    server, ids = variants
    at = open_page(ids["full"], section="Immunogenicity", server=server)
    frames = [df.value for df in at.dataframe]
    mhc1 = next(f for f in frames if "allele" in f.columns and len(f) == 4)
    assert {"peptide", "start", "allele", "percentile rank (%)"} <= set(mhc1.columns)
    assert sorted(mhc1["binding"]) == ["strong", "strong", "strong", "weak"]
    suggestions = next(f for f in frames if "touches CDR" in f.columns)
    row = suggestions.iloc[0]
    assert row["mutation"] == "H:V5A" and bool(row["touches CDR"]) is True
    assert row["ddG (kcal/mol)"] == pytest.approx(1.3) and row["stability"] == "destabilizing (+1.30)"
    assert row["risk after"] == pytest.approx(0.35)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download MHC-I CSV", "Download MHC-II CSV", "Download B-cell CSV", "Download CSV"]


def test_download_names_are_file_safe():
    from components.stability import safe_file_stem

    assert safe_file_stem("0f8fad5b-d9cb-469f-a165-70867728950e") == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert safe_file_stem("../etc/pass wd") == "etc_pass_wd"


def test_variant_empty_lists_say_so(open_page, variants):
    server, ids = variants
    at = open_page(ids["empty"], section="Immunogenicity", server=server)
    assert not at.exception
    shown = texts(at)
    assert "no deimmunization suggestions" in shown
    assert "nothing to map" in shown


def test_variant_unknown_shapes_fall_back_to_raw_json(open_page, variants):
    server, ids = variants
    at = open_page(ids["unknown"], section="Immunogenicity", server=server)
    assert not at.exception
    assert sum("raw JSON" in w.value for w in at.warning) >= 3  # MHC-I, MHC-II list, suggestions
    at = open_page(ids["whole_unknown"], section="Immunogenicity", server=server)
    assert not at.exception
    assert any("raw JSON" in w.value for w in at.warning)
