"""Shared fixtures: the sample API server on loopback, AppTest pages wired to it, and a real browser.

Every process or thread a fixture starts is stopped by that fixture.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from app.sample_api import DEFAULT_DATA_DIR, RunningServer, SampleStore, start_in_thread
from tests.processes import CHROMIUM, CHROMIUM_ARGS, DashboardProcess

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = ROOT / "tests" / "data"  # real public files, copied from ../shared/data (PROVENANCE.md)
ARTIFACTS = ROOT / "artifacts"


# --- sample data and server ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def sample_store() -> SampleStore:
    return SampleStore(DEFAULT_DATA_DIR)


@pytest.fixture(scope="session")
def sample_server() -> Iterator[RunningServer]:
    """The bundled sample jobs over real HTTP, shared by the session (do not inject faults here)."""
    server = start_in_thread()
    yield server
    server.stop()


@pytest.fixture
def fresh_server() -> Iterator[RunningServer]:
    """A server of the test's own: faults and request counts may be changed freely."""
    server = start_in_thread()
    yield server
    server.stop()


@pytest.fixture
def shared_data() -> Path:
    """tests/data: the few real structure and table files the tests read (see tests/data/PROVENANCE.md)."""
    return TEST_DATA


# --- AppTest -------------------------------------------------------------------------------------


@pytest.fixture
def dashboard_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[[RunningServer], None]]:
    """Point the dashboard at a given server through the environment, as a user would."""
    monkeypatch.setenv("ABDASH_DATA_DIR", str(tmp_path / "abdash-data"))  # the review database of this test

    def point_at(server: RunningServer) -> None:
        monkeypatch.setenv("ABDASH_API_URL", server.url)
        monkeypatch.setenv("ABDASH_API_TOKEN", server.token)
        monkeypatch.setenv("ABDASH_TIMEOUT_S", "5")

    yield point_at
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def open_page(sample_server: RunningServer, dashboard_env) -> Callable[..., AppTest]:
    """`open_page(job_id=None, section=None, server=None)` runs the job page in AppTest and returns it."""
    from streamlit.testing.v1 import AppTest

    def run(job_id: str | None = None, section: str | None = None, server: RunningServer | None = None) -> AppTest:
        dashboard_env(server or sample_server)
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        if job_id is not None:
            at.query_params["job_id"] = job_id
        if section is not None:
            at.query_params["section"] = section
        at.run()
        return at

    return run


# --- real browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dashboard(sample_server: RunningServer) -> Iterator[DashboardProcess]:
    process = DashboardProcess(sample_server)
    yield process
    process.stop()


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    message = "Debian's chromium is not installed: run `apt-get install -y chromium` (scripts/setup.sh --browser does it) to enable browser tests"
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but " + message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def wait_for_app(page, timeout_ms: int = 60000) -> None:
    """Until the Streamlit script has run and nothing is pending."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)
    page.wait_for_timeout(300)


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def af2_complex_server(tmp_path: Path):
    """An AlphaFold2-multimer model of 5B8C (tests/data) served as a job's complex, with no per-chain
    pLDDT given: the pages must read it from the file. Yields (server, job id)."""
    from app.sample_api import start_in_thread
    from tests.helpers import job_body, write_data_dir

    body = job_body(
        complex_result={
            "antigen_id": None,
            "pdb_storage_path": "c/5b8c_af2.pdb",
            "model_used": "AlphaFold2-multimer v3",
            "confidence_score": 0.85,
            "iptm": 0.84,
            "per_chain_plddt": {},
            "interface_residues": {},
        }
    )
    model = (ROOT / "tests" / "data" / "5b8c_af2_multimer_model_4.pdb").read_text()
    server = start_in_thread(write_data_dir(tmp_path / "d", [body], {"c/5b8c_af2.pdb": model}))
    yield server, body["job"]["id"]
    server.stop()
