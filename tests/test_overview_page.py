"""The Overview: per-candidate key flags linking to Humanization, and the complex's figures (issue 13, item 13)."""

from __future__ import annotations

CETUXIMAB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"
CAPLACIZUMAB = "36435fac-4bc7-5211-9555-2ac31c0a7bed"
BLINATUMOMAB = "8b8a72f1-f2ef-5768-8359-cb2e72b30715"
OKT3 = "5470a865-0a1e-5412-a80d-c91d365700fc"
TRASTUZUMAB = "01bb1aae-c0db-5b16-8a44-9bf3b4338c07"


def _text(at) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


def test_vhh_hallmarks_and_links_per_candidate(open_page) -> None:
    at = open_page(CAPLACIZUMAB)
    assert not at.exception
    text = _text(at)
    assert "3 of 4 VHH hallmarks changed" in text
    assert "section=Humanization&hum-strategy=cdr_grafting" in text
    assert "Humanization strategies" not in [m.label for m in at.metric]  # no bare count any more


def test_scfv_fc_and_cdr_definitions_are_named(open_page) -> None:
    assert "**scFv** VL–linker–VH, linker 15 aa" in _text(open_page(BLINATUMOMAB))
    assert "**Fc** IgG1: LALA (L234A, L235A)" in _text(open_page(OKT3))
    text = _text(open_page(CETUXIMAB))
    assert "germline\\_framework" in text and "under Kabat" in text


def test_complex_iptm_and_why_no_plddt_without_fetching(open_page) -> None:
    at = open_page(TRASTUZUMAB)
    assert not at.exception
    text = _text(at)
    assert "ipTM" in [m.label for m in at.metric] and "weak signal" in text
    assert "experimental structure" in text and "temperature factors" in text
