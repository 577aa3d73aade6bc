"""What Structure and Complex say about real prediction files (issue 13, items 3, 5 and 9).

Per-chain and interface pLDDT computed from AlphaFold 2 / AlphaFold 3 / Boltz files when the
service gives none, each figure with its source, and the right reason when a file holds no pLDDT
(experimental, or ABodyBuilder2's error in Å); which humanization result a section's data belongs
to, linked to that strategy in Humanization; one chain-colour convention; six CDR colours apart
for colour-blind readers; the initial frame without disordered tails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.client import FetchedJob
from app.models import JobResponse, StructureResultRow
from app.sample_api import DEFAULT_DATA_DIR
from app.structure import Chain, compute_interface, from_bfactors, parse_structure, read_gemmi, split_sides
from app.structure.chains import chain_kinds
from app.structure.confidence import framed_residues
from components import structure_colors as colors
from components.complex import SOURCE_FILE, SOURCE_SERVICE, build_plddt_summary
from components.header import strategy_url, variant_note
from tests.helpers import read

DATA = Path(__file__).parent / "data"
AF2 = DATA / "5b8c_af2_multimer_model_4.pdb"
AF3 = DATA / "fold_5b8c_model_0.cif"
BOLTZ = DATA / "boltz_pdl1_binder_model_0.cif"
ABB2 = DATA / "C143_immunebuilder.pdb"
SAMPLES = DEFAULT_DATA_DIR
XRAY_1N8Z = SAMPLES / "storage" / "complexes" / "1n8z_trastuzumab_fv_her2.pdb"
FLASHABB_TRASTUZUMAB = SAMPLES / "storage" / "structures" / "trastuzumab_fv_flashabb.pdb"
CETUXIMAB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"
TRASTUZUMAB = "01bb1aae-c0db-5b16-8a44-9bf3b4338c07"


def _fmt(path: Path) -> str:
    return "mmcif" if path.suffix == ".cif" else "pdb"


def _summary(path: Path, model_used: str | None, given: dict | None = None):
    text = path.read_text()
    parsed = parse_structure(text, _fmt(path))
    sides = split_sides(parsed)
    confidence = from_bfactors(parsed, model_used)
    residues = compute_interface(read_gemmi(text, _fmt(path)), sides) if sides.antibody and sides.antigen else []
    return build_plddt_summary(given, parsed, confidence, chain_kinds(parsed, sides.antibody), residues)


def _values(summary) -> dict[str, float]:
    return {row["Chain"]: round(row["Mean pLDDT"], 2) for _, row in summary.chains.iterrows()}


# --- item 5: per-chain and interface pLDDT from the file ------------------------------------------


def test_af2_per_chain_plddt_equals_the_runs_own_scores() -> None:
    summary = _summary(AF2, "AlphaFold2-multimer v3")
    assert not summary.absent
    # the same run's scores JSON, plddt[370] averaged per chain (tests/data/PROVENANCE.md)
    assert _values(summary) == {"A": 85.41, "B": 96.62, "C": 97.01}
    assert set(summary.chains["Source"]) == {SOURCE_FILE}
    assert dict(zip(summary.chains["Chain"], summary.chains["Kind"])) == {"A": "antigen", "B": "heavy", "C": "light"}
    interface = summary.interface.set_index("Residues")
    assert interface.loc["Whole interface", "Count"] == 49
    assert interface.loc["Antibody side", "Count"] + interface.loc["Antigen side", "Count"] == 49
    assert 85 < interface.loc["Whole interface", "Mean pLDDT"] < 95


def test_boltz_per_chain_plddt_equals_its_plddt_npz() -> None:
    summary = _summary(BOLTZ, "Boltz-2")
    assert _values(summary) == pytest.approx({"A": 95.51, "B": 94.97}, abs=0.01)  # npz ×100
    assert set(summary.chains["Source"]) == {SOURCE_FILE}


def test_af3_per_chain_plddt_is_read_from_ca_atoms() -> None:
    summary = _summary(AF3, "AlphaFold 3")
    assert _values(summary) == {"A": 87.03, "B": 96.47, "C": 96.12}
    assert summary.interface.iloc[0]["Count"] > 0 and not summary.absent


def test_service_figures_win_and_say_so() -> None:
    summary = _summary(AF2, "AlphaFold2-multimer v3", {"B": 91.0})
    sources = dict(zip(summary.chains["Chain"], summary.chains["Source"]))
    assert sources == {"A": SOURCE_FILE, "B": SOURCE_SERVICE, "C": SOURCE_FILE}
    assert _values(summary)["B"] == 91.0


def test_no_plddt_gives_the_right_reason() -> None:
    xray = _summary(XRAY_1N8Z, "Experimental X-ray structure PDB 1N8Z")
    assert "experimental structure" in xray.absent and xray.interface.empty
    abb2 = _summary(ABB2, "ABodyBuilder2")
    assert "predicted error in Å" in abb2.absent and "experimental" not in abb2.absent
    assert abb2.interface.empty


# --- item 9: colours and framing ----------------------------------------------------------------


def _srgb_to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


# Machado et al. 2009, severity 1.0, on linear RGB
CVD = {
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
}


def _seen(hex_color: str, matrix) -> tuple[float, float, float]:
    rgb = [_srgb_to_linear(int(hex_color[i : i + 2], 16) / 255) for i in (1, 3, 5)]
    return tuple(min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb)))) for row in matrix)


def _delta_e(a, b) -> float:
    return sum((p - q) ** 2 for p, q in zip(_lab(a), _lab(b))) ** 0.5


@pytest.mark.parametrize("vision", list(CVD))
def test_six_cdr_colours_stay_apart_for_colour_blind_readers(vision: str) -> None:
    palette = [*colors.CDR_COLORS.values(), colors.FRAMEWORK_3D, colors.OTHER_CHAIN_3D]
    assert len(set(palette)) == 8
    seen = [_seen(c, CVD[vision]) for c in palette]
    closest = min(_delta_e(a, b) for i, a in enumerate(seen) for b in seen[i + 1 :])
    assert closest > 10, f"{vision}: two of the CDR/framework/other colours are only ΔE {closest:.1f} apart"


def test_region_colours_give_each_cdr_its_own_colour_and_a_legend() -> None:
    body = json.loads((SAMPLES / "jobs" / f"{TRASTUZUMAB}.json").read_text())
    response = JobResponse.model_validate(body)
    parsed = parse_structure(FLASHABB_TRASTUZUMAB.read_text(), "pdb")
    from app.structure import residue_confidence, spans_from_api

    result = read(response.structure_result, StructureResultRow)
    confidence, _ = residue_confidence(parsed, read(result.per_residue_plddt, dict), None)
    spans = spans_from_api(read(result.cdr_analysis, list), parsed, confidence)
    table, legend = colors.by_region(parsed, confidence, spans, ("H", "L"))
    by_residue = {(c, label): color for c, label, color, _ in table}
    cdr_colors = {span.cdr: {by_residue[(r.chain, r.label)] for r in span.residues} for span in spans}
    assert all(len(v) == 1 for v in cdr_colors.values())
    assert len({next(iter(v)) for v in cdr_colors.values()}) == 6  # H1..L3: six colours, none shared
    assert [text for _, text in legend][:6] == ["CDR-H1", "CDR-H2", "CDR-H3", "CDR-L1", "CDR-L2", "CDR-L3"]


def test_chain_h_has_one_colour_in_structure_and_complex() -> None:
    structure = parse_structure(FLASHABB_TRASTUZUMAB.read_text(), "pdb")  # chains H, L
    complex_ = parse_structure(XRAY_1N8Z.read_text(), "pdb")  # chains A (HER2), H, L
    colour = {}
    for name, parsed in (("structure", structure), ("complex", complex_)):
        kinds = chain_kinds(parsed, split_sides(parsed).antibody)
        table, legend = colors.by_chain(parsed, None, kinds)
        colour[name] = {c: color for c, _, color, _ in table}
        assert ("#0072B2", "Chain H · heavy") in legend
    assert colour["structure"]["H"] == colour["complex"]["H"] == colors.CHAIN_COLORS["heavy"][0]
    assert colour["structure"]["L"] == colour["complex"]["L"] == colors.CHAIN_COLORS["light"][0]
    assert colour["complex"]["A"] == colors.CHAIN_COLORS["antigen"][0]


def test_initial_frame_leaves_out_disordered_tails() -> None:
    af2 = parse_structure(AF2.read_text(), "pdb")
    confidence = from_bfactors(af2, None)
    framed = set(framed_residues(af2, confidence))
    chain_a, chain_b = read(af2.chain("A"), Chain).residues, read(af2.chain("B"), Chain).residues
    assert chain_a[-1].id not in framed and chain_a[-7].id not in framed  # the tag at the C-terminus
    assert all((confidence.values[r] or 0) >= 50 for r in framed)
    assert {r.id for r in chain_b} <= framed  # the Fv is framed whole
    af3 = parse_structure(AF3.read_text(), "mmcif")
    framed3 = framed_residues(af3, from_bfactors(af3, None))
    assert 0 < len(framed3) < af3.n_residues - 15  # its 50–70 His-tag tail is left out too
    cetuximab = parse_structure(
        (SAMPLES / "storage/structures/cetuximab_hz_back_mutation_flashabb.pdb").read_text(), "pdb"
    )
    assert framed_residues(cetuximab, from_bfactors(cetuximab, None)) == ()  # nothing to leave out: frame all
    xray = parse_structure(XRAY_1N8Z.read_text(), "pdb")
    assert framed_residues(xray, from_bfactors(xray, "Experimental X-ray")) == ()  # not pLDDT


# --- item 3: which humanization result ----------------------------------------------------------


def _fetched(body: dict) -> FetchedJob:
    return FetchedJob(JobResponse.model_validate(body), body)


def test_variant_note_names_and_links_the_modelled_strategy() -> None:
    body = json.loads((SAMPLES / "jobs" / f"{CETUXIMAB}.json").read_text())
    headline, _ = variant_note(_fetched(body), "structure")
    assert headline.startswith("Model of the **back\\_mutation** variant (humanization result `f9b25ecf…`)")
    assert f"[open in Humanization](?job_id={CETUXIMAB}&section=Humanization&hum-strategy=back_mutation)" in headline
    headline, detail = variant_note(_fetched(body), "stability")
    assert headline.startswith("**Not linked** by the service; positions are read on the **back\\_mutation** variant")
    assert "no humanization_result_id" in detail and "fit 3 strategies equally" in detail and "cannot tell" in detail
    headline, detail = variant_note(_fetched(body), "immunogenicity")
    assert "its sequences match only the **back\\_mutation** variant" in headline
    assert "(113 of 113) match back\\_mutation and no other strategy" in detail


def test_variant_note_without_a_link_or_with_an_unknown_one() -> None:
    body = json.loads((SAMPLES / "jobs" / f"{CETUXIMAB}.json").read_text())
    body["structure_result"]["humanization_result_id"] = None
    headline, detail = variant_note(_fetched(body), "structure")
    assert headline.startswith("**Not linked:**") and "humanization_result_id is empty" in detail
    body["structure_result"]["humanization_result_id"] = "00000000-0000-0000-0000-000000000000"
    assert "not among this job's 3 results" in variant_note(_fetched(body), "structure")[0]
    body["stability_result"]["humanization_result_id"] = "0761418a-d749-5d47-b442-bfa9645a9112"  # an extra key
    assert variant_note(_fetched(body), "stability")[0].startswith("Stability of the **germline\\_framework** variant")
    body["results"] = []
    assert (
        variant_note(_fetched(body), "immunogenicity")[0] == "Not linked to a humanization result (this job has none)."
    )


def test_strategy_link_is_encoded_and_only_carries_plain_names() -> None:
    job = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"
    assert strategy_url(job, "back mutation (2)") == (
        f"?job_id={job}&section=Humanization&hum-strategy=back%20mutation%20%282%29"
    )
    for evil in ("x)](javascript:alert(1))", "a<style>body{background:url(http://evil.example/x)}</style>"):
        assert strategy_url(job, evil) == f"?job_id={job}&section=Humanization"  # the section, not the name


# --- the pages (AppTest) --------------------------------------------------------------------------


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_complex_page_computes_plddt_for_a_prediction(open_page, af2_complex_server) -> None:
    server, job_id = af2_complex_server
    at = open_page(job_id, "Complex", server=server)
    assert not at.exception
    text = _texts(at)
    assert "for an experimental structure" not in text and "pLDDT band" not in text
    assert "computed here from the file's B-factors" in text
    per_chain = next(f.value for f in at.dataframe if "Source" in f.value.columns)
    assert dict(zip(per_chain["Chain"], per_chain["Mean pLDDT"].round(1))) == {"A": 85.4, "B": 96.6, "C": 97.0}
    assert any(m.label.startswith("Interface pLDDT") for m in at.metric)
    assert "pLDDT" in at.radio(key="complex-color").options


def test_complex_page_on_the_xray_sample_says_why_there_is_no_plddt(open_page) -> None:
    at = open_page(TRASTUZUMAB, "Complex")
    text = _texts(at)
    assert "experimental structure" in text and "pLDDT band" not in text
    assert not any(m.label.startswith("Interface pLDDT") for m in at.metric)


@pytest.mark.parametrize("section", ["Structure", "Stability", "Immunogenicity"])
def test_sections_say_which_variant_their_data_belongs_to(open_page, section: str) -> None:
    at = open_page(CETUXIMAB, section)
    assert not at.exception
    first = next(m.value for m in at.markdown if ":material/link:" in m.value)
    assert "back\\_mutation" in first and "section=Humanization&hum-strategy=back_mutation" in first


def test_the_link_opens_that_strategy_in_humanization(open_page, sample_server, dashboard_env) -> None:
    from streamlit.testing.v1 import AppTest

    dashboard_env(sample_server)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "streamlit_app.py"), default_timeout=60)
    at.query_params.update({"job_id": CETUXIMAB, "section": "Humanization", "hum-strategy": "back_mutation"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="hum-strategy").value == "back_mutation"
