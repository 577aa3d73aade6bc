"""The Review tab and the compare page in Debian's Chromium, two dashboard processes on one real
PostgreSQL: a decision and a comment set in one process are there after a reload and in the other."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser_checks import SCRIPT_DONE, Watch, alerts, exception_boxes, injected_elements, open_view, screenshot
from tests.conftest import wait_for_app
from tests.processes import DashboardProcess
from tests.review_fixtures import *  # noqa: F403 - the postgres fixture
from tests.review_fixtures import new_postgres_database

pytestmark = pytest.mark.browser

CETUXIMAB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"
CAPLACIZUMAB = "36435fac-4bc7-5211-9555-2ac31c0a7bed"
OKT3 = "5470a865-0a1e-5412-a80d-c91d365700fc"
COMMENT = "Advance <img src=x onerror=alert(1)> [see](javascript:alert(2)) **not bold**"


@pytest.fixture
def two_dashboards(sample_server, postgres) -> Iterator[tuple[DashboardProcess, DashboardProcess]]:
    url = new_postgres_database(postgres)
    first = DashboardProcess(sample_server, extra_env={"ABDASH_REVIEW_DB_URL": url})
    try:
        second = DashboardProcess(sample_server, extra_env={"ABDASH_REVIEW_DB_URL": url})
    except BaseException:
        first.stop()
        raise
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()


def _wait_done(page) -> None:
    page.wait_for_timeout(400)
    page.wait_for_selector(SCRIPT_DONE, timeout=60000)


def _choose(page, option: str) -> None:
    """Pick a candidate in the review form's selector (the thread beside it follows)."""
    box = page.locator(".st-key-review-candidate input")
    box.scroll_into_view_if_needed()
    box.click()
    page.keyboard.type(option)
    try:
        page.get_by_role("option").filter(has_text=option).first.click(timeout=15000)
    except Exception:
        screenshot(page, "review-choose-failed")
        raise
    _wait_done(page)


def _main_text(page) -> str:
    """The page's text (tables are drawn on a canvas, so the threads' text is what can be read)."""
    return page.locator("[data-testid='stMain']").inner_text()


def test_review_in_one_process_is_seen_after_reload_and_in_the_other(browser, two_dashboards) -> None:
    first, second = two_dashboards
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    watch = Watch().attach(context)
    page = context.new_page()
    try:
        link = f"{first.url}/?job_id={CETUXIMAB}&section=Review"
        open_view(page, link)
        assert not exception_boxes(page)
        _choose(page, "back_mutation")
        page.locator(".st-key-review-decision").get_by_text("Advance", exact=True).click()
        page.locator(".st-key-review-comment textarea").fill(COMMENT)
        page.locator(".st-key-review-name input").fill("Browser Reviewer")
        page.locator(".st-key-review-save button").click()
        _wait_done(page)
        assert ("Success", "Decision and comment saved for back_mutation.") in alerts(page)
        screenshot(page, "review-tab-1280x800")

        open_view(page, link)  # reload the shared link: a new session
        _choose(page, "back_mutation")
        assert "Advance · Browser Reviewer (self-declared)" in _main_text(page)
        assert page.get_by_text(COMMENT, exact=True).count() == 1  # shown as typed
        assert not injected_elements(page) and not watch.dialogs

        other = context.new_page()
        other.set_viewport_size({"width": 1920, "height": 1080})
        open_view(other, f"{second.url}/?job_id={CETUXIMAB}&section=Review")  # the other process
        _choose(other, "back_mutation")
        assert "Advance · Browser Reviewer (self-declared)" in _main_text(other)
        screenshot(other, "review-tab-1920x1080")

        compare = f"{second.url}/compare?jobs={CETUXIMAB},{CAPLACIZUMAB},{OKT3}"
        open_view(other, compare)
        assert not exception_boxes(other)
        _choose(other, f"{CETUXIMAB[:8]} · back_mutation")
        assert "Advance · Browser Reviewer (self-declared)" in _main_text(other)
        screenshot(other, "compare-1920x1080")
        other.set_viewport_size({"width": 1280, "height": 800})
        open_view(other, compare)
        screenshot(other, "compare-1280x800")
        assert not watch.outside and not watch.dialogs
    finally:
        context.close()


def test_compare_with_link_from_the_job_page(browser, sample_server, tmp_path) -> None:
    dashboard = DashboardProcess(sample_server, extra_env={"ABDASH_DATA_DIR": str(tmp_path)})
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        open_view(page, f"{dashboard.url}/?job_id={CETUXIMAB}&section=Review")
        page.get_by_text("Compare with other jobs").click()
        page.locator(".st-key-review-compare-with input").click()
        page.keyboard.type(CAPLACIZUMAB)  # a pasted id (only the sample server lists jobs)
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        _wait_done(page)
        page.get_by_text("Open the comparison").click()
        page.wait_for_url("**/compare?jobs=*", timeout=30000)
        wait_for_app(page)
        assert CAPLACIZUMAB in page.url and CETUXIMAB in page.url
        _choose(page, f"{CAPLACIZUMAB[:8]} · cdr_grafting")
        assert "History of cdr_grafting" in _main_text(page)
    finally:
        context.close()
        dashboard.stop()
