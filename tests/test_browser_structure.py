"""The 3D viewer in Chromium: it draws the molecule (the WebGL canvas is not blank) for a structure
and for a complex, 3Dmol.js is served locally as JavaScript, and a file with `</script>` and HTML
in a REMARK and a chain id neither runs script nor injects elements."""

from __future__ import annotations

import io
import os
from pathlib import Path

import gemmi
import numpy as np
import pytest
from PIL import Image

from app.sample_api import start_in_thread
from components.viewer import LOCAL_3DMOL
from tests.conftest import DashboardProcess, save_screenshot, wait_for_app
from tests.helpers import job_body, write_data_dir

pytestmark = pytest.mark.browser

TRASTUZUMAB = "01bb1aae-c0db-5b16-8a44-9bf3b4338c07"


@pytest.fixture(autouse=True)
def _needs_3dmol() -> None:
    if not LOCAL_3DMOL.is_file():
        message = "static/vendor/3Dmol-min.js is missing: run `bash scripts/fetch_3dmol.sh`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def _drawn_fraction(png: bytes) -> float:
    """Share of the canvas's pixels that are not (near-)white background."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    return float((rgb.min(axis=2) < 235).mean())


def _viewer_canvas(page, key: str):
    frame = page.frame_locator(f".st-key-{key} iframe")
    try:
        frame.locator("#abdash-viewer[data-ready='1']").wait_for(timeout=150000)  # swiftshader on 2 shared cores
    except Exception:
        save_screenshot(page, f"browser-failed-{key}")
        raise
    page.wait_for_timeout(800)
    return frame


def test_static_3dmol_is_served_as_javascript(dashboard, page) -> None:
    response = page.request.get(dashboard.url + "/app/static/vendor/3Dmol-min.js")
    assert response.status == 200
    assert "javascript" in response.headers["content-type"]
    assert response.headers.get("x-content-type-options") == "nosniff"  # so the type must be right


def test_structure_viewer_draws_the_molecule(dashboard, page) -> None:
    page.set_viewport_size({"width": 1280, "height": 2400})
    page.goto(f"{dashboard.url}/?job_id={TRASTUZUMAB}&section=Structure")
    wait_for_app(page, timeout_ms=120000)
    frame = _viewer_canvas(page, "struct-viewer")
    canvas = frame.locator("canvas").first
    assert _drawn_fraction(canvas.screenshot()) > 0.03
    assert frame.locator("#abdash-legend").inner_text().startswith("Model confidence")
    frame.locator("#abdash-reset").click()
    save_screenshot(page, "browser-structure")


def test_complex_viewer_draws_the_molecule(dashboard, page) -> None:
    page.set_viewport_size({"width": 1280, "height": 2000})
    page.goto(f"{dashboard.url}/?job_id={TRASTUZUMAB}&section=Complex")
    wait_for_app(page, timeout_ms=120000)
    frame = _viewer_canvas(page, "complex-viewer")
    png = frame.locator("canvas").first.screenshot()
    assert _drawn_fraction(png) > 0.03
    # both sides are drawn in their colours: some orange-ish antigen and blue-ish antibody pixels
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    assert ((r > g) & (g > b + 40)).any() and (b > r + 40).any()
    save_screenshot(page, "browser-complex")


EVIL = "</script><script>alert(1)</script><img id=injected src=x onerror=alert(2)>"


@pytest.fixture
def evil_dashboard(tmp_path: Path, shared_data: Path):
    st = gemmi.read_structure(str(shared_data / "boltz_pdl1_binder_model_0.cif"))
    st[0]["A"].name = "</script><b id=inj>x</b>"
    st.setup_entities()
    cif = f"# {EVIL}\n" + st.make_mmcif_document().as_string()
    pdb_text = f"REMARK 999 {EVIL}\n" + (shared_data / "complex/3hfm.pdb").read_text()
    body = job_body(
        structure_result={
            "pdb_storage_path": "s/evil.cif",
            "model_used": f"Boltz-2 {EVIL}",
            "confidence_score": 0.9,
            "per_residue_plddt": {},
        },
        complex_result={"pdb_storage_path": "c/evil.pdb", "model_used": EVIL, "iptm": 0.5, "interface_residues": {}},
    )
    api = start_in_thread(write_data_dir(tmp_path / "data", [body], {"s/evil.cif": cif, "c/evil.pdb": pdb_text}))
    process = DashboardProcess(api)
    yield process, body["job"]["id"]
    process.stop()
    api.stop()


def test_script_in_file_does_not_break_out(evil_dashboard, page) -> None:
    process, job_id = evil_dashboard
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    for section, key in (("Structure", "struct-viewer"), ("Complex", "complex-viewer")):
        page.set_viewport_size({"width": 1280, "height": 1800})
        page.goto(f"{process.url}/?job_id={job_id}&section={section}")
        wait_for_app(page, timeout_ms=120000)
        frame = _viewer_canvas(page, key)
        assert _drawn_fraction(frame.locator("canvas").first.screenshot()) > 0.02
        assert frame.locator("#injected, #inj, img").count() == 0
        assert page.locator("#injected, #inj").count() == 0
        save_screenshot(page, f"browser-evil-{section.lower()}")
    page.wait_for_timeout(500)
    assert dialogs == []
