"""What the browser tests look at: alerts, exception boxes, injected elements, outside requests, 3D canvases.

Shared by the browser test modules; every helper reads the live page (all frames), never the app's code.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from tests.conftest import ARTIFACTS, wait_for_app

SCRIPT_DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about"}

# What a hostile payload would leave behind if it were rendered as HTML or Markdown instead of text:
# its marker class, an `on*` handler calling alert, a src/href/data naming the evil host or javascript:,
# an <img src=x>, a <style> or inline <script> carrying it. (The dashboard's own handlers never call alert.)
_INJECTED_JS = """() => {
  const found = [];
  for (const e of document.querySelectorAll('*')) {
    let bad = e.classList && e.classList.contains('pwn');
    for (const a of Array.from(e.attributes || [])) {
      const name = a.name.toLowerCase(), value = (a.value || '').toLowerCase();
      if (name.startsWith('on') && value.includes('alert')) bad = true;
      if (['src', 'href', 'data', 'action', 'formaction', 'xlink:href', 'srcset', 'poster'].includes(name)
          && (value.includes('evil.example') || value.trim().startsWith('javascript:'))) bad = true;
      if (name === 'src' && value === 'x' && e.tagName === 'IMG') bad = true;
    }
    if (e.tagName === 'STYLE' && e.textContent.includes('evil.example')) bad = true;
    if (e.tagName === 'SCRIPT' && !e.src && e.textContent.trim().startsWith('alert(')) bad = true;  // a script of its own
    if (bad) found.push(e.outerHTML.slice(0, 200));
  }
  return found;
}"""


def view_url(base: str, job_id: str | None = None, section: str | None = None) -> str:
    params = {k: v for k, v in (("job_id", job_id), ("section", section)) if v is not None}
    return base + "/" + (("?" + urlencode(params)) if params else "")


def open_view(page, url: str, settle_ms: int = 250) -> None:
    """Go to a shared link and wait until the script has run and every frame has loaded."""
    page.goto(url)
    wait_for_app(page)
    for frame in page.frames:
        with contextlib.suppress(Exception):
            frame.wait_for_load_state("load", timeout=15000)
    page.wait_for_timeout(settle_ms)
    page.wait_for_selector(SCRIPT_DONE, timeout=60000)


def alerts(page) -> list[tuple[str, str]]:
    """(kind, text) of every st.error/warning/info/success box: kind is Error, Warning, Info or Success."""
    found = []
    for box in page.query_selector_all("[data-testid='stAlert']"):
        content = box.query_selector("[data-testid^='stAlertContent']")
        kind = (content.get_attribute("data-testid") or "").removeprefix("stAlertContent") if content else "?"
        found.append((kind, box.inner_text().strip()))
    return found


def errors_shown(page) -> list[str]:
    return [text for kind, text in alerts(page) if kind == "Error"]


def exception_boxes(page) -> list[str]:
    return [e.inner_text()[:500] for e in page.query_selector_all("[data-testid='stException']")]


def injected_elements(page) -> list[str]:
    """Elements in any frame that only a rendered payload could have created."""
    found = []
    for frame in page.frames:
        try:
            found += [f"{frame.url[:60]}: {html}" for html in frame.evaluate(_INJECTED_JS)]
        except Exception:
            continue
    return found


def all_html(page) -> str:
    parts = []
    for frame in page.frames:
        try:
            parts.append(frame.content())
        except Exception:
            continue
    return "\n".join(parts)


def tab_labels(page) -> list[str]:
    """Labels of the page's section tabs (the first tab bar; sections may hold tab bars of their own)."""
    return page.evaluate("""() => {
      const bar = document.querySelector("[data-testid='stTabs']");
      if (!bar) return [];
      return Array.from(bar.querySelectorAll("[data-testid='stTab']"))
        .filter(t => t.closest("[data-testid='stTabs']") === bar).map(t => t.innerText.trim());
    }""")


def selected_tab(page) -> str | None:
    labels = page.evaluate("""() => {
      const bar = document.querySelector("[data-testid='stTabs']");
      if (!bar) return [];
      return Array.from(bar.querySelectorAll("[data-testid='stTab'][aria-selected='true']"))
        .filter(t => t.closest("[data-testid='stTabs']") === bar).map(t => t.innerText.trim());
    }""")
    return labels[0] if labels else None


def is_outside(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return False
    return (parts.hostname or "") not in LOOPBACK_HOSTS


@dataclass
class Watch:
    """Every request, dialog and console error of a browser context, with outside requests blocked."""

    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def attach(self, context) -> Watch:
        def route(route) -> None:
            url = route.request.url
            if is_outside(url):
                self.blocked.append(url)
                route.abort()
            else:
                route.continue_()

        context.route("**/*", route)
        context.on("request", lambda request: self.requests.append((request.url, dict(request.headers))))
        context.on("page", self._watch_page)
        for existing in context.pages:
            self._watch_page(existing)
        return self

    def _watch_page(self, page) -> None:
        def on_dialog(dialog) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)

    @property
    def outside(self) -> list[str]:
        return [url for url, _ in self.requests if is_outside(url)] + self.blocked


# --- 3D views ------------------------------------------------------------------------------------


def _colours(png: bytes) -> int:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.thumbnail((200, 200))
    return len(set(image.tobytes()[i : i + 3] for i in range(0, image.width * image.height * 3, 3)))


def molecule_canvases(page, timeout_ms: int = 20000) -> list:
    """Canvas elements inside iframes (where the 3D viewer draws; dataframes draw in the main frame).

    Waits up to `timeout_ms` for the first one: the viewer's iframe loads after the script has run.
    """
    waited = 0
    while True:
        found = []
        for frame in page.frames:
            if frame == page.main_frame:
                continue
            try:
                found += [
                    c for c in frame.query_selector_all("canvas") if (c.bounding_box() or {}).get("width", 0) > 50
                ]
            except Exception:
                continue
        if found or waited >= timeout_ms:
            return found
        page.wait_for_timeout(500)
        waited += 500


def canvas_is_drawn(canvas, page, timeout_ms: int = 20000) -> bool:
    """True once the canvas shows more than a flat background (a molecule has many shades)."""
    waited = 0
    while waited <= timeout_ms:
        try:
            canvas.scroll_into_view_if_needed(timeout=2000)
            if _colours(canvas.screenshot(timeout=5000)) > 30:
                return True
        except Exception:
            pass
        page.wait_for_timeout(500)
        waited += 500
    return False


_MAIN_HEIGHT_JS = """() => {
  const main = document.querySelector("[data-testid='stMain']");
  if (main) main.scrollTo(0, 0);
  window.scrollTo(0, 0);
  return main ? main.scrollHeight : document.body.scrollHeight;
}"""


def screenshot(page, name: str, *, max_height: int = 2400, docs_path=None):
    """The view from its top, 1280 wide and as tall as the page (capped): Streamlit scrolls inside
    its main block, so a "full page" screenshot would only hold the viewport. With `docs_path`, the
    first 900 px are also written there (the README's pictures)."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    viewport = page.viewport_size or {"width": 1280, "height": 900}
    if docs_path is not None:
        page.evaluate(_MAIN_HEIGHT_JS)
        page.wait_for_timeout(200)
        page.screenshot(path=str(docs_path))
    height = min(max(viewport["height"], int(page.evaluate(_MAIN_HEIGHT_JS)) + 20), max_height)
    try:
        page.set_viewport_size({"width": viewport["width"], "height": height})
        page.wait_for_timeout(300)
        page.evaluate(_MAIN_HEIGHT_JS)
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(viewport)
    return path
