"""Links into the job page: sections by name in any case, what a link cannot show, ids with spaces,
sample and local jobs as links (issue 13, items 12 and 16)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from app.sample_api import SampleStore
from tests.conftest import ROOT
from tests.helpers import job_body, write_data_dir

CETUXIMAB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"  # full analysis: no Complex section
TABS = "Overview, Humanization, Structure, Stability, Immunogenicity, Review, Raw JSON"


def popover_labels(at) -> list[str]:
    """Labels of the popovers on the page (AppTest has no accessor for them)."""
    found: list[str] = []
    stack: list[Any] = [at._tree]
    while stack:
        node = stack.pop()
        proto: Any = getattr(node, "proto", None)
        fields = type(proto).DESCRIPTOR.fields_by_name if hasattr(proto, "DESCRIPTOR") else {}
        if "popover" in fields and proto.HasField("popover"):
            found.append(proto.popover.label)
        children = getattr(node, "children", None)
        stack.extend(children.values() if isinstance(children, dict) else [])
    return found


def test_lower_case_section_opens_that_section(open_page):
    at = open_page(CETUXIMAB, section="structure")
    assert not at.exception and not at.warning
    assert at.session_state["section"] == "Structure"


def test_section_the_job_lacks_is_said(open_page):
    at = open_page(CETUXIMAB, section="complex")
    assert at.session_state["section"] == "Overview"
    assert [w.value for w in at.warning] == [
        "This job has no Complex section (the service returned no complex result): showing Overview. "
        f"This job has: {TABS}."
    ]


def test_unknown_section_is_said(open_page):
    at = open_page(CETUXIMAB, section="Foo")
    assert at.session_state["section"] == "Overview"
    assert at.warning[0].value.startswith("There is no section `Foo`: showing Overview.")


def test_typed_id_with_spaces_is_stripped_before_it_is_bound(open_page):
    at = open_page(f"  {CETUXIMAB} ")
    assert not at.error and at.session_state["job_id"] == CETUXIMAB
    at.text_input(key="job_id").set_value(f"\t{CETUXIMAB}  ").run()
    assert not at.error and at.session_state["job_id"] == CETUXIMAB
    assert at.text_input(key="job_id").value == CETUXIMAB


# --- the embedded server on a folder of one's own ---------------------------------------------------


@pytest.fixture
def own_folder(tmp_path, monkeypatch):
    import streamlit as st

    first = job_body(x_sample={"title": "My VHH run 3", "description": "Own files."})
    folder = write_data_dir(tmp_path, [first])
    monkeypatch.delenv("ABDASH_API_URL", raising=False)
    monkeypatch.delenv("ABDASH_API_TOKEN", raising=False)
    monkeypatch.setenv("ABDASH_SAMPLE_DATA", str(folder))
    st.cache_resource.clear()
    yield folder, first["job"]["id"]
    from components import services

    services.sample_server().stop()
    st.cache_resource.clear()


def test_own_folder_is_called_local_jobs_and_its_jobs_are_links(own_folder):
    folder, job_id = own_folder
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params["job_id"] = job_id
    at.run()
    assert not at.exception
    sidebar = " ".join(i.value for i in at.sidebar.info) + " ".join(m.value for m in at.sidebar.markdown)
    assert "Local jobs" in sidebar and "Sample data" not in sidebar and "Sample jobs" not in sidebar
    assert popover_labels(at) == ["About this local job"]
    links = [link.proto for link in at.sidebar.get("page_link")]
    assert [(link.label, link.query_string) for link in links][0] == ("My VHH run 3", f"job_id={job_id}")
    # the recent entry names the job by its title
    assert links[-1].label == f"My VHH run 3 · {job_id[:8]}" and links[-1].icon == ":material/check_circle:"


def test_a_job_file_added_to_the_folder_is_served_without_restart(own_folder):
    folder, job_id = own_folder
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    assert [link.proto.label for link in at.sidebar.get("page_link")] == ["My VHH run 3"]
    later = job_body(x_sample={"title": "Added later"})
    (folder / "jobs" / f"{later['job']['id']}.json").write_text(json.dumps(later), encoding="utf-8")
    time.sleep(5.2)  # the sidebar's listing is cached for 5 s
    at.query_params["job_id"] = later["job"]["id"]
    at.run()
    assert not at.error and not at.exception
    assert "Added later" in [link.proto.label for link in at.sidebar.get("page_link")]


def test_store_rereads_its_folder_and_skips_a_broken_file(tmp_path):
    first = job_body()
    folder = write_data_dir(tmp_path, [first])
    store = SampleStore(folder)
    assert set(store.samples) == {first["job"]["id"]}
    second = job_body()
    (folder / "jobs" / f"{second['job']['id']}.json").write_text(json.dumps(second), encoding="utf-8")
    (folder / "jobs" / "broken.json").write_text("{not json", encoding="utf-8")
    viewed = store.view(second["job"]["id"])
    assert viewed is not None and viewed["job"]["id"] == second["job"]["id"]
    assert set(store.samples) == {first["job"]["id"], second["job"]["id"]}
    assert store.skipped == {"broken.json": "JSONDecodeError"}
    (folder / "jobs" / f"{first['job']['id']}.json").unlink()
    assert store.view(first["job"]["id"]) is None
