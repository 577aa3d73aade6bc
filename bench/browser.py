"""The benchmark's browser part: a real `streamlit run` and headless Chromium (Playwright).

Bytes: every websocket frame the page receives and every HTTP response body, for one page view.
Draw time: from navigation until the 3D viewer's canvas (inside its iframe) has non-white pixels.
Follow: requests that reach the API while the page follows a scheduled (running) job.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from tests.processes import CHROMIUM, CHROMIUM_ARGS, DashboardProcess

ROOT = Path(__file__).resolve().parents[1]
THREEDMOL = ROOT / "static" / "vendor" / "3Dmol-min.js"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


class Dashboard(DashboardProcess):
    """The dashboard for the benchmark: a long timeout, and never the sample-data folder of the shell."""

    def __init__(self, server, log_path: Path) -> None:
        super().__init__(server, extra_env={"ABDASH_TIMEOUT_S": "60", "ABDASH_SAMPLE_DATA": ""}, log_path=log_path)


class Traffic:
    """Bytes received by one page: websocket frames (payload) and HTTP response bodies."""

    def __init__(self, page) -> None:
        self.frames: list[bytes] = []
        self.http: list[tuple[str, int]] = []
        page.on("websocket", self._socket)
        page.on("requestfinished", self._finished)

    def _socket(self, ws) -> None:
        ws.on(
            "framereceived",
            lambda payload: self.frames.append(payload if isinstance(payload, bytes) else payload.encode()),
        )

    def _finished(self, request) -> None:
        try:
            sizes = request.sizes()
            self.http.append((request.url, int(sizes.get("responseBodySize") or 0)))
        except Exception:
            self.http.append((request.url, 0))

    def mark(self) -> tuple[int, int]:
        return len(self.frames), len(self.http)

    def since(self, mark: tuple[int, int]) -> dict[str, Any]:
        frames, http = self.frames[mark[0] :], self.http[mark[1] :]
        return {
            "ws_bytes": sum(len(f) for f in frames),
            "ws_frames": len(frames),
            "http_bytes": sum(s for _, s in http),
            "http_count": len(http),
            "threedmol_bytes": sum(s for u, s in http if "3Dmol" in u),
            "frontend_bytes": sum(s for u, s in http if "/static/" in u and "3Dmol" not in u),
            "media_urls": [
                (u.split("?")[0].rsplit("/", 1)[-1], s) for u, s in http if "/media/" in u and "/static/" not in u
            ],
            "media_bytes": sum(s for u, s in http if "/media/" in u and "/static/" not in u),
            "frames": frames,
        }


def _drawn_at(page, key: str, timeout_s: float = 180) -> float | None:
    """perf_counter time when the viewer in `.st-key-<key>` has rendered and its canvas shows a molecule.

    The viewer's script sets data-ready='1' right after 3Dmol's first render(); the canvas is then
    checked for many non-white pixels (an element screenshot: WebGL buffers are not always readable).
    """
    frame = page.frame_locator(f".st-key-{key} iframe")
    try:
        frame.locator("#abdash-viewer[data-ready='1']").wait_for(timeout=timeout_s * 1000)
    except Exception:
        return None
    ready = time.perf_counter()
    canvas = frame.locator("#abdash-viewer canvas").first
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if _coloured_pixels(canvas.screenshot(timeout=5000)) > 500:
                return ready
        except Exception:
            pass
        time.sleep(0.1)
    return None


def _coloured_pixels(png: bytes) -> int:
    import io

    import numpy as np
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").resize((200, 150))
    return int((np.asarray(image).min(axis=2) < 225).sum())


def _structure_marker(data: Path, rel: str) -> bytes:
    """A line from the middle of the structure's atom records as the viewer sends it (gemmi's rewrite)."""
    from app.structure import viewer_text

    path = data / "storage" / rel
    text = path.read_text()
    fmt = "mmcif" if path.suffix == ".cif" else "pdb"
    shown, _ = viewer_text(text, fmt)
    lines = [line for line in shown.splitlines() if line.startswith(("ATOM", "HETATM"))]
    return lines[len(lines) // 2].rstrip().encode()


def view_page(
    browser, dash: Dashboard, data: Path, job: str, section: str, rel: str | None, shots: Path
) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    traffic = Traffic(page)
    mark = traffic.mark()
    start = time.perf_counter()
    page.goto(f"{dash.url}/?job_id={job}&section={section}", wait_until="commit")
    out: dict[str, Any] = {"section": section}
    if rel:
        drawn = _drawn_at(page, "struct-viewer" if section == "Structure" else "complex-viewer")
        out["draw_s"] = None if drawn is None else drawn - start
    page.wait_for_selector(IDLE, timeout=300_000)
    page.wait_for_timeout(1500)
    got = traffic.since(mark)
    out["page_idle_s"] = time.perf_counter() - start
    page.screenshot(path=str(shots / f"browser-{section}.png"), full_page=False)
    out["structure_bytes"] = (data / "storage" / rel).stat().st_size if rel else 0
    out["threedmol_file_bytes"] = THREEDMOL.stat().st_size if THREEDMOL.exists() else 0
    out["floor_bytes"] = out["structure_bytes"] + out["threedmol_file_bytes"]
    out["total_bytes"] = got["ws_bytes"] + got["http_bytes"]
    if rel:
        marker = _structure_marker(data, rel)
        out["structure_copies"] = sum(f.count(marker) for f in got["frames"])
    else:
        out["structure_copies"] = 0
    out.update({k: v for k, v in got.items() if k != "frames"})
    if section == "Structure":
        mark = traffic.mark()
        radio = page.locator(".st-key-struct-style label").filter(has_text="Sticks")
        if radio.count():
            radio.first.click()
            page.wait_for_timeout(300)
            page.wait_for_selector(IDLE, timeout=300_000)
            page.wait_for_timeout(1000)
            out["rerun_ws_bytes"] = traffic.since(mark)["ws_bytes"]
    context.close()
    return out


def follow_job(browser, dash: Dashboard, server, job: str, data: Path) -> dict[str, Any]:
    body = json.loads((data / "jobs" / f"{job}.json").read_text())
    schedule = body.get("x_sample", {}).get("schedule") or {}
    pending, running = float(schedule.get("pending_s", 5)), float(schedule.get("running_s", 10))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    before = server.app.state.requests.total
    start = time.time()
    page.goto(f"{dash.url}/?job_id={job}", wait_until="commit")
    done_at = None
    deadline = time.monotonic() + pending + running + 60
    while time.monotonic() < deadline:
        if page.locator("[data-testid='stTab']").count() > 0:  # tabs appear once the job has finished
            done_at = time.time()
            break
        page.wait_for_timeout(200)
    after_s = 8.0
    page.wait_for_timeout(after_s * 1000)
    context.close()
    requests = [r for r in server.app.state.requests.since(before) if r.path == f"/jobs/{job}"]
    first = requests[0].at if requests else start
    completed_at = first + pending + running  # the schedule starts at the first request
    until = [r for r in requests if r.at <= (done_at or time.time())]
    after = [r for r in requests if done_at and r.at > done_at]
    found = re.search(r"^FOLLOW_EVERY_S\s*=\s*([0-9.]+)", (ROOT / "views" / "job.py").read_text(), re.MULTILINE)
    poll_s = float(found.group(1)) if found else 2.0  # the page's polling interval (views/job.py runs on import)
    span = (until[-1].at - first) if len(until) > 1 else 0.0
    expected_polls = span / poll_s + 1 if span else 1
    return {
        "job": job,
        "pending_s": pending,
        "running_s": running,
        "poll_s": poll_s,
        "requests_until_done": len(until),
        "until_done_s": (done_at or time.time()) - start,
        "completed_at_server_s": completed_at - first,
        "requests_per_poll": len(until) / expected_polls,
        "requests_after_done": len(after),
        "after_s": after_s,
        "request_times_s": [round(r.at - first, 2) for r in requests],
    }


def measure_in_browser(server, data: Path, made: dict[str, Any], results: Path, follow: bool = True) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        return {"error": "no /usr/bin/chromium"}
    body = json.loads((data / "jobs" / f"{made['large']}.json").read_text())
    rel = body["structure_result"]["pdb_storage_path"]
    crel = (body.get("complex_result") or {}).get("pdb_storage_path")
    dash = Dashboard(server, results / "streamlit-bench.log")
    out: dict[str, Any] = {"views": []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                # A first view warms the server process (imports), as an already running dashboard would be.
                warm_job = next(iter(made["scaled"].values()), made["large"])
                view_page(browser, dash, data, warm_job, "Overview", None, results)
                for section, path in (("Structure", rel), ("Complex", crel), ("Overview", None)):
                    if section != "Overview" and not path:
                        continue
                    out["views"].append(view_page(browser, dash, data, made["large"], section, path, results))
                if follow:
                    out["follow"] = follow_job(browser, dash, server, made["scheduled"], data)
            finally:
                browser.close()
    finally:
        dash.stop()
    return out
