"""AppTest of the Humanization section: every sample job, every contract variant (VHH without VL,
empty mutation lists, no numbering, unknown fields, shapes it does not understand), filters and picker."""

from __future__ import annotations

import copy
import json
import re
import uuid
from pathlib import Path

import pytest

from app.sample_api import DEFAULT_DATA_DIR, start_in_thread

SECTION = "Humanization"
JOBS_DIR = Path(DEFAULT_DATA_DIR) / "jobs"
TRAS_VH = "EVQLVESGGGLVQPGGSLRLSCAASGFNIKDTYIHWVRQAPGKGLEWVARIYPTNGYTRYADSVKGRFTISADTSKNTAYLQMNSLRAEDTAVYYCSRWGGDGFYAMDYWGQGTLVTVSS"
TRAS_VL = "DIQMTQSPSSLSASVGDRVTITCRASQDVNTAVAWYQQKPGKAPKLLIYSASFLYSGVPSRFSGSRSGTDFTLTISSLQPEDFATYYCQQHYTTPPTFGQGTKVEIK"
# Caplacizumab (Cablivi), humanized anti-vWF VHH.
CAPLA_VHH = "EVQLVESGGGLVQPGGSLRLSCAASGRTFSYNPMGWFRQAPGKGRELVAAISRTGGSTYYPDSVEGRFTISRDNAKRMVYLQMNSLRAEDTAVYYCAAAGVRAEDGRVRTLPSEYTFWGQGTQVTVSS"


def _sample_bodies() -> dict[str, dict]:
    bodies = {}
    for path in sorted(JOBS_DIR.glob("*.json")):
        body = json.loads(path.read_text())
        bodies[body["job"]["id"]] = body
    return bodies


SAMPLES = _sample_bodies()
WITH_RESULTS = [job_id for job_id, body in SAMPLES.items() if body.get("results")]


def _errors(at) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


def _mutation_table(at):
    return next(d.value for d in at.dataframe if {"Chain", "Position", "From", "To", "Reason"} <= set(d.value.columns))


def _job(job_id: str, results: list) -> dict:
    return {
        "job": {"id": job_id, "status": "completed", "job_type": "humanization", "created_at": "2026-11-02T09:00:00Z"},
        "results": results,
        "x_extra_top_level": {"ignored": True},
    }


def _write(folder: Path, body: dict) -> str:
    (folder / "jobs").mkdir(parents=True, exist_ok=True)
    (folder / "storage").mkdir(exist_ok=True)
    body = copy.deepcopy(body)
    body.pop("x_sample", None)  # no schedule: completed at once
    (folder / "jobs" / f"{body['job']['id']}.json").write_text(json.dumps(body))
    return body["job"]["id"]


VARIANT_IDS = {
    name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"hum-variant-{name}"))
    for name in (
        "vhh_bare",
        "lengths_differ",
        "unparsed",
        "hostile",
        "no_sequences",
        "no_parental",
        "scheduled_sample",
    )
}


@pytest.fixture(scope="module")
def variant_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hum-variants")
    build_variants(folder)
    server = start_in_thread(folder)
    yield server
    server.stop()


def build_variants(folder: Path) -> None:
    """Write the variant jobs into `folder` (jobs/*.json), as the sample server reads them."""
    ids = VARIANT_IDS
    # VHH: no VL, empty mutation lists, no numbering, no liabilities, unknown extra fields everywhere.
    vhh_parental = CAPLA_VHH.replace("WFRQAPGKGRELVA", "WFRQAPGKEREFVA")
    _write(
        folder,
        _job(
            ids["vhh_bare"],
            [
                {
                    "strategy": "sapiens",
                    "humanized_vh": CAPLA_VHH,
                    "humanized_vl": None,
                    "parental_vh": vhh_parental,
                    "mutations": {"vh": [], "vl": [], "x_note": "extra"},
                    "numbering": None,
                    "liabilities": None,
                    "oasis_score": {"vh": {"percentile": 81, "identity": 0.9, "germline_content": 0.7, "x_more": 1}},
                    "vhh_analysis": {
                        "is_vhh": True,
                        "hallmarks": {"42": "F", "49": "E", "50": "R", "52": "F"},
                        "hallmark_scheme": "imgt",
                        "cdr3_length": 21,
                        "notes": ["camelid hallmarks kept"],
                    },
                    "x_future_field": {"a": [1, 2, 3]},
                }
            ],
        ),
    )
    # Parental one residue longer than the humanized: must be aligned, not compared by position.
    _write(
        folder,
        _job(
            ids["lengths_differ"],
            [
                {
                    "strategy": "cdr_grafting",
                    "humanized_vh": TRAS_VH,
                    "humanized_vl": TRAS_VL,
                    "mutations": {
                        "vh": [],
                        "vl": [],
                        "parental_vh": TRAS_VH[:60] + "S" + TRAS_VH[60:],
                        "parental_vl": TRAS_VL,
                    },
                }
            ],
        ),
    )
    # Shapes the dashboard does not understand.
    _write(
        folder,
        _job(
            ids["unparsed"],
            [
                "not an object",
                {
                    "strategy": "germline",
                    "humanized_vh": TRAS_VH,
                    "mutations": "weird",
                    "numbering": [1, 2, 3],
                    "liabilities": {"vh": "nope"},
                    "oasis_score": 42,
                    "fc_analysis": ["IgG1"],
                },
            ],
        ),
    )
    # Hostile and odd strings.
    hostile = "<img src=x onerror=alert(1)>"
    _write(
        folder,
        _job(
            ids["hostile"],
            [
                {
                    "strategy": hostile,
                    "humanized_vh": TRAS_VH[:20] + "X*" + TRAS_VH[22:],
                    "parental_vh": TRAS_VH,
                    "mutations": {
                        "vh": [
                            {
                                "position": hostile,
                                "index": 5000,
                                "from": "<",
                                "to": ">",
                                "region": hostile,
                                "reason": hostile,
                            }
                        ]
                    },
                    "liabilities": {
                        "vh": [
                            {
                                "type": hostile,
                                "motif": hostile,
                                "start": -3,
                                "end": 2,
                                "severity": hostile,
                                "region": hostile,
                            }
                        ]
                    },
                    "numbering": {"scheme": hostile, "vh": [{"position": hostile, "aa": "E", "region": "CDR9"}]},
                    "scfv_analysis": {
                        "orientation": hostile,
                        "linker": hostile,
                        "linker_length": -1,
                        "linker_flags": [hostile],
                        "notes": [hostile],
                    },
                    "fc_analysis": {
                        "isotype": hostile,
                        "engineered_mutations": [{"eu_position": hostile, "name": hostile, "effect": hostile}],
                        "notes": [hostile],
                    },
                    "vhh_analysis": {"is_vhh": False, "hallmarks": {hostile: hostile}, "hallmark_scheme": hostile},
                },
                {"strategy": hostile, "humanized_vh": TRAS_VH},
            ],
        ),
    )
    _write(folder, _job(ids["no_sequences"], [{"strategy": "empty", "humanized_vh": "", "humanized_vl": None}]))
    _write(
        folder, _job(ids["no_parental"], [{"strategy": "as sent", "humanized_vh": TRAS_VH, "humanized_vl": TRAS_VL}])
    )
    # The scheduled rituximab sample, completed at once (its schedule removed).
    scheduled = next(
        (b for b in SAMPLES.values() if b.get("results") and (b.get("x_sample") or {}).get("schedule")), None
    )
    if scheduled is not None:
        body = copy.deepcopy(scheduled)
        body["job"]["id"] = ids["scheduled_sample"]
        _write(folder, body)


# --- sample jobs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("job_id", [j for j in WITH_RESULTS if not (SAMPLES[j].get("x_sample") or {}).get("schedule")])
def test_every_sample_job_renders(open_page, job_id):
    at = open_page(job_id, section=SECTION)
    assert not _errors(at)
    subheaders = [s.value for s in at.subheader]
    assert {"Strategies side by side", "Sequences", "Mutations", "Liabilities", "Downloads"} <= set(subheaders)
    first = SAMPLES[job_id]["results"][0]
    chains = [k for k in ("humanized_vh", "humanized_vl") if first.get(k)]
    assert len(at.main.get("html")) == len(chains)  # one aligned view per chain
    # Every mutation the service listed for the first strategy is in the table.
    listed = sum(len((first.get("mutations") or {}).get(c) or []) for c in ("vh", "vl"))
    table = _mutation_table(at)
    assert (table["Source"] == "service").sum() == listed
    for flag, title in (
        ("vhh_analysis", "VHH analysis"),
        ("scfv_analysis", "scFv analysis"),
        ("fc_analysis", "Fc analysis"),
    ):
        assert (title in subheaders) == bool(first.get(flag))


def test_filters_and_strategy_picker(open_page):
    job_id = next(
        j
        for j in WITH_RESULTS
        if len(SAMPLES[j]["results"]) > 1
        and SAMPLES[j]["results"][0].get("humanized_vl")
        and not (SAMPLES[j].get("x_sample") or {}).get("schedule")
    )
    at = open_page(job_id, section=SECTION)
    at.multiselect(key="hum-chain-filter").set_value(["VH"]).run()
    assert set(_mutation_table(at)["Chain"]) == {"VH"}
    at.multiselect(key="hum-region-filter").set_value(["FR1"]).run()
    assert set(_mutation_table(at)["region_imgt"]) <= {"FR1"}
    second = SAMPLES[job_id]["results"][1]
    at.selectbox(key="hum-strategy").set_value(second["strategy"]).run()
    assert not _errors(at)
    listed = sum(len((second.get("mutations") or {}).get(c) or []) for c in ("vh", "vl"))
    at.multiselect(key="hum-chain-filter").set_value(["VH", "VL"]).run()
    regions = at.multiselect(key="hum-region-filter").options
    at.multiselect(key="hum-region-filter").set_value(regions).run()
    assert (_mutation_table(at)["Source"] == "service").sum() == listed


# --- contract variants ------------------------------------------------------------------------------


def test_vhh_without_vl_numbering_or_liabilities(open_page, variant_server):
    at = open_page(VARIANT_IDS["vhh_bare"], section=SECTION, server=variant_server)
    assert not _errors(at)
    assert len(at.main.get("html")) == 1  # VH only
    text = " ".join(m.value for m in at.markdown)
    assert "computed here with immunum" in text
    assert any("scanned here" in i.value for i in at.info)
    assert "VHH analysis" in [s.value for s in at.subheader]
    # a static table, so "What it means" wraps instead of being cut off in a cell
    hallmarks = next(t.value for t in at.table if "What it means" in t.value.columns)
    assert hallmarks.set_index("IMGT").loc["42", "Parental"] == "F"
    # The service listed no mutation; the framework changes are found in the alignment (G49E… reversed here).
    table = _mutation_table(at)
    assert len(table) == sum(a != b for a, b in zip(CAPLA_VHH.replace("WFRQAPGKGRELVA", "WFRQAPGKEREFVA"), CAPLA_VHH))
    assert set(table["Source"]) == {"found here (alignment)"}


def test_lengths_differ_are_aligned(open_page, variant_server):
    at = open_page(VARIANT_IDS["lengths_differ"], section=SECTION, server=variant_server)
    assert not _errors(at)
    assert "gemmi global alignment" in " ".join(m.value for m in at.markdown)
    table = _mutation_table(at)
    assert len(table) == 1 and table.iloc[0]["From"] == "S" and table.iloc[0]["To"] == "-"


def test_shapes_it_does_not_understand_become_raw_json(open_page, variant_server):
    at = open_page(VARIANT_IDS["unparsed"], section=SECTION, server=variant_server)
    assert not _errors(at)
    warnings = " ".join(w.value for w in at.warning)
    # "liabilities": {"vh": "nope"}: the VH list is unreadable, the object itself is not
    for what in (
        "a humanization result",
        "the mutation lists",
        "the numbering",
        "VH liability(ies)",
        "the Fc analysis",
    ):
        assert what in warnings
    assert len(at.json) >= 5
    assert len(at.main.get("html")) == 1  # the sequence view still renders


def test_hostile_strings_render_as_text(open_page, variant_server):
    at = open_page(VARIANT_IDS["hostile"], section=SECTION, server=variant_server)
    assert not _errors(at)
    for element in at.main.get("html"):
        assert "<img" not in element.proto.body
    for element in [*at.markdown, *at.caption, *at.warning, *at.info]:
        outside_code = re.sub(r"`[^`]*`", "", element.value)  # inline code shows its text literally
        assert not re.search(r"(?<!\\)<img", outside_code)  # '\<' is md_escape's literal '<'
    # two strategies with the same hostile name stay distinguishable in the picker
    assert len(set(at.selectbox(key="hum-strategy").options)) == 2


def test_strategy_without_sequences_and_without_parental(open_page, variant_server):
    at = open_page(VARIANT_IDS["no_sequences"], section=SECTION, server=variant_server)
    assert not _errors(at)
    assert any("no humanized sequence" in w.value for w in at.warning)
    at = open_page(VARIANT_IDS["no_parental"], section=SECTION, server=variant_server)
    assert not _errors(at)
    assert len(at.main.get("html")) == 2
    assert "Parental" not in at.main.get("html")[0].proto.body
    assert any("no parental sequence" in m.value for m in at.markdown)


def test_scheduled_sample_once_completed(open_page, variant_server):
    if not any(b.get("results") and (b.get("x_sample") or {}).get("schedule") for b in SAMPLES.values()):
        pytest.skip("no scheduled sample with results")
    at = open_page(VARIANT_IDS["scheduled_sample"], section=SECTION, server=variant_server)
    assert not _errors(at)
    assert "Sequences" in [s.value for s in at.subheader]


CETUXIMAB_JOB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"


def test_cdr_changes_under_any_definition_are_shown(open_page):
    """Issue 13: cetuximab's germline_framework mutates Kabat CDR-H1/H2 residues (IMGT 39-40, 66-74), which
    the page called 'VH CDR 0' and marked green. Now each mutation has its region under every definition."""
    at = open_page(CETUXIMAB_JOB, section=SECTION)
    assert not _errors(at)
    overview = next(d.value for d in at.dataframe if "CDR any" in d.value.columns).set_index(["Strategy", "Chain"])
    row = overview.loc[("germline_framework", "VH")]
    assert row["CDR any"] == 8 and row["CDR Kabat"] == 8 and row["CDR IMGT"] == 0
    assert row["CDR North"] == 4 and overview.loc[("germline_framework", "VL"), "CDR any"] == 2
    at.selectbox(key="hum-strategy").set_value("germline_framework").run()
    table = _mutation_table(at)
    assert {"region_imgt", "region_kabat", "region_chothia", "region_north", "CDR under"} <= set(table.columns)
    at39 = table[(table["Chain"] == "VH") & (table["Position"] == "39")].iloc[0]
    assert (at39["region_imgt"], at39["region_kabat"], at39["region_north"]) == ("FR2", "CDR1", "CDR1")
    assert at39["CDR under"] == "Kabat, North"
    kabat_h2 = table[(table["Chain"] == "VH") & table["Position"].isin(["66", "69", "70", "71", "72"])]
    assert set(kabat_h2["region_kabat"]) == {"CDR2"} and set(kabat_h2["region_imgt"]) == {"FR3"}
    captions = " ".join(c.value for c in at.caption)
    assert "8 CDR under any definition (IMGT 0 · Kabat 8 · Chothia 0 · North 4)" in captions
