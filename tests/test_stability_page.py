"""The Stability section through the real page (AppTest), on the sample jobs and on contract variants."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import numpy as np
import pytest

from app.sample_api import DEFAULT_DATA_DIR, start_in_thread
from tests.helpers import job_body, write_data_dir

AAS = list("ACDEFGHIKLMNPQRSTVWY")


def sample_bodies(field: str) -> list[dict]:
    bodies = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((DEFAULT_DATA_DIR / "jobs").glob("*.json"))]
    return [b for b in bodies if b.get(field)]


def plotly_specs(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def array(value) -> np.ndarray:
    """A plotly JSON array: a plain list, or the typed-array form {dtype, bdata, shape} plotly 6+ writes."""
    if isinstance(value, dict) and "bdata" in value:
        shape = [int(n) for n in str(value.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).reshape(shape)
    return np.array([[np.nan if v is None else v for v in r] for r in value], dtype=float)


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


STABILITY_SAMPLES = sample_bodies("stability_result")


@pytest.mark.parametrize("body", STABILITY_SAMPLES, ids=[b["job"]["id"][:8] for b in STABILITY_SAMPLES])
def test_every_sample_stability_result_renders(open_page, body):
    at = open_page(body["job"]["id"], section="Stability")
    assert not at.exception
    result = body["stability_result"]
    labels = [m.label for m in at.metric]
    assert {"Solubility", "Aggregation", "Thermostability", "Developability", "Predicted Tm"} <= set(labels)
    specs = plotly_specs(at)
    matrix = result.get("ddg_matrix") or {}
    if matrix.get("positions"):
        heat = next(s for s in specs if any(t.get("name") == "ΔΔG" for t in s["data"]))
        trace = next(t for t in heat["data"] if t.get("name") == "ΔΔG")
        assert len(trace["x"]) == len(matrix["positions"])
        assert trace["zmid"] == 0
    if result.get("stabilizing_mutations"):
        table = next(df.value for df in at.dataframe if "mutation" in df.value.columns and "in CDR" in df.value.columns)
        ddgs = [m["ddg"] for m in result["stabilizing_mutations"]]
        assert table["ddG (kcal/mol)"].tolist() == sorted(ddgs)


def test_sample_chain_filter_and_sort(open_page):
    body = next(b for b in STABILITY_SAMPLES if (b["stability_result"].get("ddg_matrix") or {}).get("positions"))
    at = open_page(body["job"]["id"], section="Stability")
    positions = body["stability_result"]["ddg_matrix"]["positions"]
    light = [p for p in positions if p.startswith("L:")]
    # The sample's positions are 1-based indices; the map names them by the modelled strategy's numbering
    # (issue 13: one residue numbering across tabs), the index second in the hover.
    wanted = body["structure_result"]["humanization_result_id"]
    strategy = next(r for r in body["results"] if r["id"] == wanted)
    vl_labels = [e["position"] for e in strategy["numbering"]["vl"]]
    shown = {p: f"L:{vl_labels[int(p[2:]) - 1]}" for p in light}
    assert any(shown[p] != p for p in light)  # IMGT labels differ from indices past the first gap
    at.multiselect(key="stab-chain").set_value(["L"]).run()
    assert not at.exception
    trace = next(t for s in plotly_specs(at) for t in s["data"] if t.get("name") == "ΔΔG")
    assert trace["x"] == [shown[p] for p in light]
    hover = {c[2] for c in trace["customdata"][0]}
    assert f"{shown[light[5]]} (IMGT) · residue {light[5][2:]} · given as {light[5]}" in hover
    at.radio(key="stab-sort").set_value("best").run()
    trace = next(t for s in plotly_specs(at) for t in s["data"] if t.get("name") == "ΔΔG")
    assert sorted(trace["x"]) == sorted(shown.values())
    # best achievable first: the first column holds the lowest non-wild-type value of the light chain
    values = dict(zip(positions, body["stability_result"]["ddg_matrix"]["values"]))
    bests = {shown[p]: min(v for v in values[p] if v is not None and v != 0) for p in light}
    assert bests[trace["x"][0]] == min(bests.values())


# --- contract variants on a server of our own ------------------------------------------------------


def numbered(seq: str) -> list[dict]:
    """IMGT-like numbering with CDR1 at residues 5-7 (labels 27-29) of a short toy chain."""
    out = []
    for i, aa in enumerate(seq, start=1):
        label = str(i) if i < 5 else str(i + 22)
        region = "CDR1" if 5 <= i <= 7 else ("FR1" if i < 5 else "FR2")
        out.append({"position": label, "aa": aa, "region": region})
    return out


def variant_bodies() -> dict[str, dict]:
    seq = "QVQLVESGGG"
    strategy = {
        "id": "11111111-1111-1111-1111-111111111111",
        "strategy": "cdr_grafting",
        "humanized_vh": seq,
        "humanized_vl": None,
        "numbering": {"scheme": "imgt", "vh": numbered(seq), "vl": []},
    }
    full = {
        "ddg_matrix": {
            "positions": ["H:1", "H:27", "H:28", "<b>H:9</b>"],
            "amino_acids": AAS,
            "values": [[0.5] * 20, [None] * 10 + [-0.8] * 10, [1.2] * 20, [0.1] * 20],
        },
        "solubility_score": 82,
        "aggregation_score": 71.0,
        "thermostability_score": 40,
        "developability_score": 0.55,
        "melting_temp_predicted": 66.2,
        "stabilizing_mutations": [
            {"mutation": "H:E27W", "ddg": -0.8, "confidence": 65},
            {"mutation": "H:Q1E", "ddg": -0.2},
        ],
        "model_versions": {"<script>x</script>": "1.0"},
    }
    return {
        "full": job_body(results=[strategy], stability_result=full),
        "empty": job_body(stability_result={"ddg_matrix": None, "stabilizing_mutations": [], "model_versions": {}}),
        "bare": job_body(stability_result={}),
        "unknown": job_body(
            stability_result={
                "ddg_matrix": "see attachment",
                "stabilizing_mutations": {"a": 1},
                "model_versions": ["x"],
                "solubility_score": "high",
            }
        ),
        "whole_unknown": job_body(stability_result=["not", "an", "object"]),
    }


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> Iterator[tuple[object, dict[str, str]]]:
    bodies = variant_bodies()
    folder = write_data_dir(tmp_path_factory.mktemp("stab-variants"), list(bodies.values()))
    server = start_in_thread(folder)
    yield server, {name: body["job"]["id"] for name, body in bodies.items()}
    server.stop()


def test_variant_scores_given_as_0_100_are_shown_as_fractions(open_page, variants):
    server, ids = variants
    at = open_page(ids["full"], section="Stability", server=server)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Solubility"] == "0.82" and metrics["Aggregation"] == "0.71" and metrics["Thermostability"] == "0.40"
    assert metrics["Predicted Tm"] == "66.2 °C"
    shown = texts(at)
    assert "Poor" in shown  # aggregation 0.71 is high, so poor
    assert "Jain et al. 2017" in shown


def test_variant_heatmap_has_gaps_regions_and_escaped_labels(open_page, variants):
    server, ids = variants
    at = open_page(ids["full"], section="Stability", server=server)
    spec = next(s for s in plotly_specs(at) if any(t.get("name") == "ΔΔG" for t in s["data"]))
    trace = next(t for t in spec["data"] if t.get("name") == "ΔΔG")
    assert "&lt;b&gt;H:9&lt;/b&gt;" in trace["x"]
    assert not any("<b>" in x for x in trace["x"])
    assert int(np.isnan(array(trace["z"])).sum()) == 10
    assert "10 value(s) not computed" in texts(at)
    assert any(t.get("name") == "region" for t in spec["data"])
    table = next(df.value for df in at.dataframe if "in CDR" in df.value.columns)
    assert table["mutation"].tolist() == ["H:E27W", "H:Q1E"]
    assert table["in CDR"].tolist() == [True, False]
    at.multiselect(key="stab-region").set_value(["CDR1"]).run()
    trace = next(t for s in plotly_specs(at) for t in s["data"] if t.get("name") == "ΔΔG")
    assert trace["x"] == ["H:27", "H:28"]


@pytest.mark.parametrize("name", ["empty", "bare"])
def test_variant_empty_results_say_so(open_page, variants, name):
    server, ids = variants
    at = open_page(ids[name], section="Stability", server=server)
    assert not at.exception
    shown = texts(at)
    assert "no ddG matrix" in shown and "no stabilizing mutations" in shown
    assert [m.value for m in at.metric if m.label == "Solubility"] == ["—"]


def test_variant_unknown_shapes_fall_back_to_raw_json(open_page, variants):
    server, ids = variants
    at = open_page(ids["unknown"], section="Stability", server=server)
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert sum("raw JSON" in w for w in warnings) >= 3  # matrix, mutations, model versions
    assert any("see attachment" in str(j.value) for j in at.json)
    at = open_page(ids["whole_unknown"], section="Stability", server=server)
    assert not at.exception
    assert any("raw JSON" in w.value for w in at.warning)
