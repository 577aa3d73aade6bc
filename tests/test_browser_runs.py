"""The /runs page in Chromium on tests/data/runs: the listing, an opened run, and a PAE box
selection that lights up the selected residues in the 3D view (read back through 3Dmol's API)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser_checks import SCRIPT_DONE, exception_boxes, molecule_canvases, open_view, screenshot
from tests.conftest import ROOT
from tests.processes import DashboardProcess

pytestmark = pytest.mark.browser

DATA = ROOT / "tests" / "data" / "runs"
SELECTED = ("#1F5FAD", "#D9480F", "#7C3AED")  # aligned, scored, both (components/runs.py)

# Colours of every polymer atom's cartoon as 3Dmol computes them, counted per residue.
COLOURS_JS = """() => {
  const V = window.abdashViewer;
  if (!V) return null;
  const out = {};
  for (const a of V.selectedAtoms({})) {
    const c = a.style && a.style.cartoon && a.style.cartoon.colorfunc ? a.style.cartoon.colorfunc(a) : null;
    if (c) out[a.chain + ':' + a.resi] = c;
  }
  return out;
}"""


@pytest.fixture(scope="module")
def runs_dashboard(sample_server) -> Iterator[DashboardProcess]:
    process = DashboardProcess(sample_server, extra_env={"ABDASH_LOCAL_RESULTS": str(DATA)})
    yield process
    process.stop()


def _viewer_frame(page):
    for _ in range(60):
        for frame in page.frames:
            if frame != page.main_frame and frame.evaluate("() => !!window.abdashViewer"):
                return frame
        page.wait_for_timeout(500)
    raise AssertionError("no 3D viewer frame")


def test_runs_listing_and_links(runs_dashboard: DashboardProcess, page) -> None:
    # The first request of this fresh process is the shared link itself: with the pages in a folder
    # named `pages/`, Streamlit ran views/runs.py alone in its old multipage mode (its own sidebar,
    # no page config) until some session had run the entry script.
    open_view(page, runs_dashboard.url + "/runs")
    assert not exception_boxes(page)
    nav = page.inner_text("[data-testid='stSidebarNav']")
    assert "Your runs" in nav and "Set-up and help" in nav and "streamlit app" not in nav.lower(), nav
    links = [a.get_attribute("href") or "" for a in page.query_selector_all("[data-testid='stDataFrame'] a")]
    body = page.inner_text("[data-testid='stMain']")
    assert "4 run(s) under" in body
    screenshot(page, "runs-listing")
    if links:  # glide-data-grid draws cells on a canvas; links are DOM only while hovered
        assert any("runs?run=" in link for link in links)


def test_pae_box_selection_lights_up_residues_in_3d(runs_dashboard: DashboardProcess, page) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_view(page, runs_dashboard.url + "/")
    open_view(page, runs_dashboard.url + "/runs?run=af3_server_5b8c")
    assert not exception_boxes(page)
    assert molecule_canvases(page)
    frame = _viewer_frame(page)
    before = frame.evaluate(COLOURS_JS)
    assert before and not any(c in SELECTED for c in before.values())
    chart = page.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    area = chart.locator(".nsewdrag").first.bounding_box()
    assert area is not None
    # a box over the B (rows) × A (columns) block: chains run A 1–139, B 140–259, C 260–370
    x0, x1 = area["x"] + area["width"] * 0.15, area["x"] + area["width"] * 0.30
    y0, y1 = area["y"] + area["height"] * 0.45, area["y"] + area["height"] * 0.55
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    page.wait_for_selector("text=mean PAE", timeout=60000)
    page.wait_for_timeout(1500)
    text = page.inner_text("[data-testid='stMain']")
    match = re.search(
        r"Aligned on (\w):\S+ \((\d+) tokens\), scored (\w):\S+ \((\d+) tokens\): mean PAE ([\d.]+) Å", text
    )
    assert match, text[:2000]
    assert float(match.group(5)) > 0
    frame = _viewer_frame(page)
    after = frame.evaluate(COLOURS_JS)
    lit = {k for k, c in after.items() if c in SELECTED}
    assert len(lit) == pytest.approx(int(match.group(2)) + int(match.group(4)), abs=int(match.group(2)) // 10 + 2)
    assert {k.split(":")[0] for k in lit} >= {match.group(1), match.group(3)}
    screenshot(page, "runs-pae-selection", max_height=2000)


@pytest.fixture(scope="module")
def upload_dashboard(sample_server) -> Iterator[DashboardProcess]:
    """A dashboard without a results folder (an empty setting reads as unset)."""
    process = DashboardProcess(sample_server, extra_env={"ABDASH_LOCAL_RESULTS": ""})
    yield process
    process.stop()


def test_uploaded_zip_opens_in_the_session(upload_dashboard: DashboardProcess, page, tmp_path) -> None:
    import zipfile

    archive = tmp_path / "colabfold_run.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in (DATA / "colabfold_pdl1").iterdir():
            out.write(path, f"colabfold_pdl1/{path.name}")
        out.writestr("../escape.txt", "x")
    open_view(page, upload_dashboard.url + "/")
    open_view(page, upload_dashboard.url + "/runs")
    assert "No results folder is set" in page.inner_text("[data-testid='stMain']")
    page.set_input_files("[data-testid='stFileUploaderDropzoneInput']", str(archive))
    page.wait_for_selector("text=Chain-pair confidence", timeout=90000)
    body = page.inner_text("[data-testid='stMain']")
    assert "pdl1_binder · ColabFold" in body and "unsafe path" in body
    assert "kept in this session only" in body
    assert not exception_boxes(page)
    assert molecule_canvases(page)
    assert not (tmp_path / "escape.txt").exists()


@pytest.mark.browser
def test_an_upload_is_deleted_when_its_session_ends(sample_server, browser, tmp_path) -> None:
    """The unpacked upload lives in the session's temporary folder and goes as soon as the session's
    websocket closes: neither when Streamlit later drops the disconnected session (120 s by default) nor
    when a garbage collection frees its state (`runner.postScriptGC` is off). After a network blip the
    session resumes and its upload is unpacked again, into a new folder."""
    import time
    import zipfile

    def gone(path, seconds: float = 15) -> bool:
        deadline = time.monotonic() + seconds
        while path.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        return not path.exists()

    archive = tmp_path / "run.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in (DATA / "colabfold_pdl1").iterdir():
            out.write(path, f"colabfold_pdl1/{path.name}")
    temp = tmp_path / "tmp"
    temp.mkdir()
    process = DashboardProcess(sample_server, extra_env={"ABDASH_LOCAL_RESULTS": "", "TMPDIR": str(temp)})
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        links = []  # the page's websocket, relayed so that the test can cut it
        page.route_web_socket(re.compile(r".*/_stcore/stream"), lambda ws: links.append(ws.connect_to_server()))
        open_view(page, process.url + "/runs")
        page.set_input_files("[data-testid='stFileUploaderDropzoneInput']", str(archive))
        page.wait_for_selector("text=Chain-pair confidence", timeout=90000)
        (first,) = temp.glob("abdash-run-*")
        assert any(first.rglob("*_scores_rank_001_*.json")), first

        links[-1].close()  # a network blip: the server sees the websocket close, the page reconnects
        assert gone(first), "the upload outlived its session's websocket"
        deadline = time.monotonic() + 30
        while len(links) < 2 and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert len(links) == 2, "the page did not reconnect"
        deadline = time.monotonic() + 60
        while not list(temp.glob("abdash-run-*/*/*_scores_rank_001_*.json")) and time.monotonic() < deadline:
            page.keyboard.press("r")  # the next run (a rerun, as any click makes) unpacks the upload again;
            page.wait_for_timeout(2000)  # pressed again if the page was still reconnecting
        (second,) = temp.glob("abdash-run-*")
        assert second != first and any(second.rglob("*_scores_rank_001_*.json"))
        page.wait_for_selector(SCRIPT_DONE, timeout=60000)
        assert "Chain-pair confidence" in page.inner_text("[data-testid='stMain']")
        assert not exception_boxes(page)

        context.close()  # the tab closes
        assert gone(second), "the upload outlived its session"
    finally:
        process.stop()
