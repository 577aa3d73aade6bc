"""Links in a real browser: job links with real hrefs, sections by name in any case, ids with spaces
(issue 13, item 12). Screenshots at 1280×800 and 1920×1080 go to artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser_checks import open_view, screenshot, view_url
from tests.conftest import wait_for_app
from tests.processes import DashboardProcess

pytestmark = pytest.mark.browser

CETUXIMAB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"


@pytest.fixture(scope="module")
def embedded(sample_server) -> Iterator[DashboardProcess]:
    """The dashboard on its own sample server (no service configured), as `scripts/run.sh` starts it."""
    process = DashboardProcess(sample_server, extra_env={"ABDASH_API_URL": "", "ABDASH_API_TOKEN": ""})
    yield process
    process.stop()


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query, keep_blank_values=True)


def settle(page, ms: int = 1500) -> None:
    page.wait_for_timeout(ms)
    wait_for_app(page)


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)], ids=["1280", "1920"])
def test_sidebar_jobs_are_links_and_sections_resolve(browser, embedded, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        open_view(page, view_url(embedded.url, CETUXIMAB, "structure"))
        settle(page)
        assert query(page).get("section") == ["Structure"], page.url  # the link's section kept, in its own case
        selected = page.locator("[data-testid='stTab'][aria-selected='true']").inner_text()
        assert selected.strip() == "Structure"
        links = page.locator("[data-testid='stSidebar'] a[data-testid='stPageLink-NavLink']")
        hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
        assert sum("job_id=" in h for h in hrefs) >= 8, hrefs  # 8 samples (+ the recent one), each a real link
        assert any(h.endswith(f"job_id={CETUXIMAB}") for h in hrefs)
        tabs_top = page.locator("[data-testid='stTab']").first.bounding_box()["y"]
        assert tabs_top < 260, tabs_top  # compact header: the tabs within the first 260 px
        screenshot(page, f"nav-structure-lowercase-{size[0]}")

        open_view(page, view_url(embedded.url, CETUXIMAB, "Complex"))
        settle(page)
        warning = page.locator("[data-testid='stAlertContentWarning']").first.inner_text()
        assert "This job has no Complex section" in warning
        assert "section" not in query(page)  # Overview, the default, shown: no stale section in the link
        screenshot(page, f"nav-section-missing-{size[0]}")

        open_view(page, view_url(embedded.url, f"  {CETUXIMAB} "))  # a link that came with spaces: still opens
        settle(page)
        assert (
            page.locator("[data-testid='stTab']").count()
            and not page.locator("[data-testid='stAlertContentError']").count()
        )
        assert query(page)["job_id"] == [CETUXIMAB] and "+" not in page.url and "%20" not in page.url, page.url
        assert page.locator("[data-testid='stTextInput'] input").first.input_value() == CETUXIMAB
        box = page.locator("[data-testid='stTextInput'] input").first
        box.fill(f"   {CETUXIMAB}  ")
        box.press("Enter")
        settle(page, 2500)
        assert query(page)["job_id"] == [CETUXIMAB] and "+" not in page.url and "%20" not in page.url, page.url
    finally:
        context.close()
