"""The viewer's HTML: the structure text cannot break out of the script, the page loads 3Dmol.js
from the configured place, and the HTML is deterministic (no reload on every rerun)."""

from __future__ import annotations

import re
from pathlib import Path

import gemmi
import pytest

from app.structure import parse_structure, viewer_text
from components import viewer
from components.structure_colors import by_chain, by_plddt
from components.viewer import ViewerSpec, build_viewer_html, threedmol_url

EVIL = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"

PDB = f"""\
REMARK 999 {EVIL}
ATOM      1  N   ALA A   1      11.104   6.134  -6.504  1.00 91.00           N
ATOM      2  CA  ALA A   1      11.639   6.071  -5.147  1.00 91.00           C
ATOM      3  C   ALA A   1      13.140   5.928  -5.204  1.00 91.00           C
ATOM      4  O   ALA A   1      13.718   5.509  -6.209  1.00 91.00           O
ATOM      5  N   GLY A   2      13.781   6.273  -4.089  1.00 45.00           N
ATOM      6  CA  GLY A   2      15.229   6.181  -3.999  1.00 45.00           C
ATOM      7  C   GLY A   2      15.737   5.100  -3.067  1.00 45.00           C
ATOM      8  O   GLY A   2      15.000   4.300  -2.500  1.00 45.00           O
END
"""


def _cif_with_evil_chain() -> str:
    """The PDB above as mmCIF (written by gemmi) with the chain renamed to markup."""
    st = gemmi.read_pdb_string(PDB)
    st[0]["A"].name = "</script><b>x</b>"
    st.setup_entities()
    return st.make_mmcif_document().as_string()


CIF_EVIL_CHAIN = _cif_with_evil_chain()


def _script_blocks(page: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", page, flags=re.S)


def _spec(text: str, fmt: str) -> ViewerSpec:
    parsed = parse_structure(text, fmt)
    vt, vf = viewer_text(text, fmt)
    colors, legend = by_chain(parsed, None, {})
    return ViewerSpec(vt + "\nREMARK " + EVIL, vf, colors, legend=legend, legend_title=EVIL)


@pytest.mark.parametrize("text, fmt", [(PDB, "pdb"), (CIF_EVIL_CHAIN, "mmcif")])
def test_file_text_cannot_break_out(text: str, fmt: str) -> None:
    page = build_viewer_html(_spec(text, fmt), "/app/static/vendor/3Dmol-min.js")
    # exactly our two script blocks (py3Dmol's and the load check), nothing from the file
    assert page.count("<script>") == 2 and page.count("</script>") == 2
    assert "alert(1)" in page  # the text is there, as data …
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>x</b>" not in page  # … never as markup
    for body in _script_blocks(page):
        assert "</" not in body and "<!--" not in body


def test_raw_pdb_remark_through_viewer_spec_is_escaped() -> None:
    """Even when the raw file text (with its REMARK) is handed to the viewer, nothing escapes."""
    parsed = parse_structure(PDB, "pdb")
    colors, legend = by_chain(parsed, None, {})
    page = build_viewer_html(ViewerSpec(PDB, "pdb", colors, legend=legend), "/x.js")
    assert page.count("</script>") == 2 and "<script>alert" not in page
    assert "\\u003c/script>\\u003cscript>alert(1)" in page


def test_our_javascript_has_no_less_than_sign() -> None:
    # The escaping of "<" in the script body is only meaning-preserving if our code has none.
    assert "<" not in viewer._VIEWER_JS


def test_html_is_deterministic_and_loads_the_given_url() -> None:
    spec = _spec(PDB, "pdb")
    first = build_viewer_html(spec, "/app/static/vendor/3Dmol-min.js")
    build_viewer_html.cache_clear()
    second = build_viewer_html(spec, "/app/static/vendor/3Dmol-min.js")
    assert first == second
    assert "loadScriptAsync('/app/static/vendor/3Dmol-min.js')" in first
    assert "cdn.jsdelivr" not in first and "https://" not in first


def test_threedmol_url_setting_local_copy_or_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert threedmol_url("https://mirror.example/3Dmol-min.js") == "https://mirror.example/3Dmol-min.js"
    fake = tmp_path / "3Dmol-min.js"
    monkeypatch.setattr(viewer, "LOCAL_3DMOL", fake)
    assert threedmol_url(None) is None
    fake.write_text("var $3Dmol = {};")
    assert threedmol_url(None) == "/app/static/vendor/3Dmol-min.js"
    assert threedmol_url(None, "/dash/") == "/dash/app/static/vendor/3Dmol-min.js"


def test_plddt_colours_follow_the_band_rule() -> None:
    parsed = parse_structure(PDB, "pdb")
    from app.structure import from_bfactors

    conf = from_bfactors(parsed, None)
    colors, legend = by_plddt(parsed, conf)
    by_label = {label: color for _, label, color, _ in colors}
    assert by_label == {"1": "#0053D6", "2": "#FF7D45"}  # 91 very high, 45 very low (conventions.md)
    assert [text for _, text in legend][0].startswith("Very high")
