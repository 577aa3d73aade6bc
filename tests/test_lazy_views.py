"""Closed expanders build nothing: raw JSON, numbering tables and the ranked ddG positions are sent
only once the reader opens them (issue 8: nothing heavy rendered that the user is not looking at).

AppTest opens an expander the way the browser does: by setting its keyed state, then rerunning.
"""

from __future__ import annotations

import json

import pytest

from app.sample_api import DEFAULT_DATA_DIR

FULL = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"  # cetuximab full analysis: every section but Complex
COMPLEX = "01bb1aae-c0db-5b16-8a44-9bf3b4338c07"  # trastuzumab with HER2


def _expander(at, key: str):
    return next(e for e in at.expander if e.key == key)


def _raw(job_id: str, field: str):
    return json.loads((DEFAULT_DATA_DIR / "jobs" / f"{job_id}.json").read_text(encoding="utf-8"))[field]


@pytest.mark.parametrize(
    ("job_id", "section", "key", "field"),
    [
        (FULL, "Humanization", "hum-raw", "results"),
        (FULL, "Structure", "struct-raw", "structure_result"),
        (FULL, "Stability", "stab-raw", "stability_result"),
        (FULL, "Immunogenicity", "immuno-raw", "immunogenicity_result"),
        (COMPLEX, "Complex", "complex-raw", "complex_result"),
    ],
)
def test_raw_json_is_sent_only_when_its_expander_is_open(open_page, job_id, section, key, field):
    at = open_page(job_id, section=section)
    assert not at.exception
    assert _expander(at, key).label.startswith("Raw JSON")
    assert len(_expander(at, key).json) == 0
    assert all(json.loads(j.value) != _raw(job_id, field) for j in at.json)  # closed: nowhere on the page
    at.session_state[key] = True
    at.run()
    assert not at.exception
    assert [json.loads(j.value) for j in _expander(at, key).json] == [_raw(job_id, field)]


def test_numbering_table_is_built_only_when_open(open_page):
    at = open_page(FULL, section="Humanization")
    keys = [e.key for e in at.expander if e.label.endswith("numbering table")]
    assert len(keys) == 2  # VH and VL
    assert all(len(_expander(at, key).dataframe) == 0 for key in keys)
    at.session_state[keys[0]] = True
    at.run()
    assert not at.exception
    opened = _expander(at, keys[0]).dataframe
    assert len(opened) == 1 and len(_expander(at, keys[1]).dataframe) == 0
    assert list(opened[0].value.columns) == ["Index", "Position", "Residue", "Region"]
    assert len(opened[0].value) > 100  # one row per residue of the chain


def test_ranked_ddg_positions_are_built_only_when_open(open_page):
    at = open_page(FULL, section="Stability")
    assert len(_expander(at, "stab-ranked").dataframe) == 0
    at.session_state["stab-ranked"] = True
    at.run()
    assert not at.exception
    ranked = _expander(at, "stab-ranked").dataframe
    assert len(ranked) == 1 and "best ddG (kcal/mol)" in ranked[0].value.columns and len(ranked[0].value) > 0
