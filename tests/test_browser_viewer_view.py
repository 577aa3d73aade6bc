"""The 3D viewer in Chromium (issue 13, items 6 and 9): the camera survives colour and style changes,
"Highlight a CDR" frames the CDR with its surroundings, disordered tails do not set the initial
zoom of the 5B8C models, and the colours on the canvas are the ones the legend promises (six CDR
colours; chain H the same blue in Structure and Complex)."""

from __future__ import annotations

import colorsys
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.sample_api import DEFAULT_DATA_DIR, start_in_thread
from components import structure_colors as colors
from components.viewer import LOCAL_3DMOL
from tests.browser_checks import screenshot
from tests.conftest import DashboardProcess, wait_for_app
from tests.helpers import job_body, write_data_dir

pytestmark = pytest.mark.browser

TRASTUZUMAB = "01bb1aae-c0db-5b16-8a44-9bf3b4338c07"
DATA = Path(__file__).parent / "data"
SIZES = ((1280, 800), (1920, 1080))


@pytest.fixture(autouse=True)
def _needs_3dmol() -> None:
    if not LOCAL_3DMOL.is_file():
        message = "static/vendor/3Dmol-min.js is missing: run `bash scripts/fetch_3dmol.sh`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def _frame(page, key: str):
    """The viewer's frame once it has drawn (a redraw replaces the iframe: call again after a change)."""
    page.frame_locator(f".st-key-{key} iframe").locator("#abdash-viewer[data-ready='1']").wait_for(timeout=150000)
    return page.locator(f".st-key-{key} iframe").element_handle().content_frame()


def _view(frame) -> list[float]:
    return frame.evaluate("() => window.abdashViewer.getView()")


def _change(page, key: str, widget: str, option: str, legend_starts: str | None = None):
    """Pick a radio option; wait until the new iframe has drawn (the old one gets a marker first)."""
    _frame(page, key).evaluate("() => { window.abdashOld = true; }")
    page.locator(f".st-key-{widget} label").filter(has_text=option).first.click()
    for _ in range(300):
        page.wait_for_timeout(200)
        try:
            frame = _frame(page, key)
            if not frame.evaluate("() => window.abdashOld === true"):
                break
        except Exception:
            continue
    wait_for_app(page, timeout_ms=120000)
    frame = _frame(page, key)
    if legend_starts:
        assert frame.locator("#abdash-legend").inner_text().startswith(legend_starts)
    return frame


def _turn(frame) -> list[float]:
    """Rotate and zoom through 3Dmol's API, as a drag and a scroll would."""
    return frame.evaluate(
        "() => { const V = window.abdashViewer; V.rotate(70, 'y'); V.rotate(25, 'x'); V.zoom(1.7); V.render();"
        " return V.getView(); }"
    )


def _open(page, url: str, key: str, size=(1280, 1400)):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(url)
    wait_for_app(page, timeout_ms=120000)
    return _frame(page, key)


def _hue_share(png: bytes, hex_color: str, tolerance: float = 6.0) -> float:
    """Share of the canvas's saturated pixels whose hue lies within `tolerance` degrees of the colour's."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float) / 255
    flat = rgb.reshape(-1, 3)
    hsv = np.array([colorsys.rgb_to_hsv(*px) for px in flat[:: max(1, len(flat) // 60000)]])
    target = colorsys.rgb_to_hsv(*(int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)))
    saturated = hsv[(hsv[:, 1] > 0.25) & (hsv[:, 2] > 0.2)]
    if not len(saturated):
        return 0.0
    diff = np.abs(saturated[:, 0] - target[0]) * 360
    diff = np.minimum(diff, 360 - diff)
    return float((diff <= tolerance).mean())


def test_camera_is_kept_across_colour_and_style_changes(dashboard, page) -> None:
    frame = _open(page, f"{dashboard.url}/?job_id={TRASTUZUMAB}&section=Structure", "struct-viewer")
    home = _view(frame)
    turned = _turn(frame)
    assert turned != home
    frame = _change(page, "struct-viewer", "struct-color", "Chain", "Chains")
    assert _view(frame) == pytest.approx(turned, abs=1e-6)  # colour change: same rotation and zoom
    frame = _change(page, "struct-viewer", "struct-style", "Sticks", "Chains")
    assert _view(frame) == pytest.approx(turned, abs=1e-6)  # style change too
    frame = _change(page, "struct-viewer", "struct-color", "Region", "Regions")
    assert _view(frame) == pytest.approx(turned, abs=1e-6)
    frame.locator("#abdash-reset").click()
    assert _view(frame) == pytest.approx(home, abs=1e-6)  # Reset view still goes home

    frame = _open(page, f"{dashboard.url}/?job_id={TRASTUZUMAB}&section=Complex", "complex-viewer")
    turned = _turn(frame)
    frame = _change(page, "complex-viewer", "complex-color", "Chain", "Chains")
    assert _view(frame) == pytest.approx(turned, abs=1e-6)


def test_highlighted_cdr_is_framed_with_its_surroundings(dashboard, page) -> None:
    body = json.loads((DEFAULT_DATA_DIR / "jobs" / f"{TRASTUZUMAB}.json").read_text())
    h3 = next(c for c in body["structure_result"]["cdr_analysis"] if c["cdr"] == "H3")
    _open(page, f"{dashboard.url}/?job_id={TRASTUZUMAB}&section=Structure", "struct-viewer")
    page.locator(".st-key-struct-cdr").click()
    page.get_by_role("option").filter(has_text="CDR-H3").click()
    page.wait_for_timeout(1500)
    wait_for_app(page, timeout_ms=120000)
    frame = _frame(page, "struct-viewer")
    framed = _view(frame)
    alone = frame.evaluate(
        "(sel) => { const V = window.abdashViewer; const kept = V.getView(); V.zoomTo(sel);"
        " const v = V.getView(); V.setView(kept); V.render(); return v; }",
        {"chain": h3["chain"], "resi": f"{h3['start']}-{h3['end']}"},
    )
    # getView()[3] grows as the camera closes in: the CDR with its 8 Å neighbourhood sits farther out
    assert framed[3] < alone[3] - 5, (framed, alone)
    whole = frame.evaluate(
        "() => { const V = window.abdashViewer; const kept = V.getView(); V.zoomTo();"
        " const v = V.getView(); V.setView(kept); V.render(); return v; }"
    )
    assert framed[3] > whole[3]  # … and still closer than the whole molecule
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(800)
        page.locator(".st-key-struct-viewer").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir() / f"structure-cdr-h3-{width}x{height}.png"))


def screenshot_dir() -> Path:
    path = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_canvas_colours_follow_the_legend(dashboard, page) -> None:
    frame = _open(page, f"{dashboard.url}/?job_id={TRASTUZUMAB}&section=Structure", "struct-viewer")
    frame = _change(page, "struct-viewer", "struct-color", "Region", "Regions")
    png = frame.locator("canvas").first.screenshot()
    shares = {cdr: _hue_share(png, color) for cdr, color in colors.CDR_COLORS.items()}
    assert all(share > 0.01 for share in shares.values()), shares  # each of the six CDRs shows its own colour
    legend = frame.locator("#abdash-legend").inner_text()
    assert all(f"CDR-{cdr}" in legend for cdr in colors.CDR_COLORS)
    frame = _change(page, "struct-viewer", "struct-color", "Chain", "Chains")
    structure_png = frame.locator("canvas").first.screenshot()
    frame = _open(page, f"{dashboard.url}/?job_id={TRASTUZUMAB}&section=Complex", "complex-viewer")
    frame = _change(page, "complex-viewer", "complex-color", "Chain", "Chains")
    complex_png = frame.locator("canvas").first.screenshot()
    heavy, light = colors.CHAIN_COLORS["heavy"][0], colors.CHAIN_COLORS["light"][0]
    for png in (structure_png, complex_png):
        assert _hue_share(png, heavy) > 0.1 and _hue_share(png, light) > 0.1  # H blue, L orange in both
    assert _hue_share(complex_png, colors.CHAIN_COLORS["antigen"][0]) > 0.1  # HER2 in the antigen green
    assert "Chain H · heavy" in frame.locator("#abdash-legend").inner_text()


@pytest.fixture(scope="module")
def dashboard_5b8c(tmp_path_factory):
    """A job with the AlphaFold 3 model of 5B8C as its structure and the AF2-multimer model as its complex."""
    body = job_body(
        structure_result={
            "pdb_storage_path": "s/fold_5b8c_model_0.cif",
            "model_used": "AlphaFold 3",
            "confidence_score": 0.86,
            "per_residue_plddt": {},
            "humanization_result_id": None,
        },
        complex_result={
            "pdb_storage_path": "c/5b8c_af2.pdb",
            "model_used": "AlphaFold2-multimer v3",
            "confidence_score": 0.85,
            "iptm": 0.84,
            "per_chain_plddt": {},
            "interface_residues": {},
        },
    )
    files = {
        "s/fold_5b8c_model_0.cif": (DATA / "fold_5b8c_model_0.cif").read_text(),
        "c/5b8c_af2.pdb": (DATA / "5b8c_af2_multimer_model_4.pdb").read_text(),
    }
    api = start_in_thread(write_data_dir(tmp_path_factory.mktemp("d5b8c"), [body], files))
    process = DashboardProcess(api)
    yield process, body["job"]["id"]
    process.stop()
    api.stop()


@pytest.mark.parametrize("section, key", [("Complex", "complex-viewer"), ("Structure", "struct-viewer")])
def test_disordered_tails_do_not_set_the_initial_zoom(dashboard_5b8c, page, section: str, key: str) -> None:
    process, job_id = dashboard_5b8c
    frame = _open(page, f"{process.url}/?job_id={job_id}&section={section}", key)
    initial = _view(frame)
    whole = frame.evaluate(
        "() => { const V = window.abdashViewer; const kept = V.getView(); V.zoomTo();"
        " const v = V.getView(); V.setView(kept); V.render(); return v; }"
    )
    assert initial[3] > whole[3] + 3, (initial, whole)  # framed closer than "everything, tails included"
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(800)
        screenshot(page, f"5b8c-{section.lower()}-{width}x{height}", max_height=3200)
