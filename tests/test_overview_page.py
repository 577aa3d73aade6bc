"""The Overview: per-candidate key flags linking to Humanization, and the complex's figures (issue 13, item 13)."""

from __future__ import annotations

CETUXIMAB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"
CAPLACIZUMAB = "36435fac-4bc7-5211-9555-2ac31c0a7bed"
BLINATUMOMAB = "8b8a72f1-f2ef-5768-8359-cb2e72b30715"
OKT3 = "5470a865-0a1e-5412-a80d-c91d365700fc"
TRASTUZUMAB = "01bb1aae-c0db-5b16-8a44-9bf3b4338c07"


def _text(at) -> str:
    return "\n".join([*(m.value for m in at.markdown), *(c.value for c in at.caption)])


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


def test_predicted_complex_opens_on_iptm_and_file_plddt_with_sources(open_page, af2_complex_server) -> None:
    server, job_id = af2_complex_server
    at = open_page(job_id, server=server)
    assert not at.exception
    assert at.session_state["section"] == "Overview"
    text = _text(at)
    assert [m.value for m in at.metric if m.label == "ipTM"] == ["0.84"]
    # per chain, from the file (the run's own scores file gives 85.41 / 96.62 / 97.01)
    assert "A (antigen) **85.4** · B (heavy) **96.6** · C (light) **97.0**" in text
    assert "Source: computed here from the file" in text  # the per-chain figures' source
    assert "**Interface pLDDT** **89.5** (confident) · antibody side 91.3 · antigen side 86.8" in text
    assert "the mean over the 49 interface residues (found here\\: a heavy atom within 4\\.5 Å" in text  # and whence
    assert "experimental structure" not in text and "pLDDT band" not in text


def test_two_candidates_share_the_width_and_each_name_is_its_link(open_page) -> None:
    at = open_page(CAPLACIZUMAB)
    cards = [c for c in at.columns if any("hum-strategy=" in m.value for m in c.markdown)]
    assert len(cards) == 2 and {round(c.weight, 3) for c in cards} == {0.5}  # not two thirds of the row
    names = [m.value for c in cards for m in c.markdown if "hum-strategy=" in m.value]
    assert names[0].startswith("[**cdr\\_grafting**](") and "open in Humanization" not in names[0]
