"""Stabilizing mutations judged against the noise of ddG prediction (issue 13, item 8)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.sample_api import start_in_thread
from app.stability import noise
from tests.helpers import job_body, write_data_dir
from tests.test_stability_page import texts

CETUXIMAB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"  # eight "stabilizing" mutations, ddG −0.01 … −0.09


def test_call_uses_the_published_level_unless_the_model_gives_its_own():
    assert noise.call(-0.09).verdict == noise.WITHIN_NOISE
    assert noise.call(-1.0).verdict == noise.STABILIZING  # the boundary counts
    assert noise.call(1.2).verdict == noise.DESTABILIZING
    assert noise.call(None).verdict == noise.UNKNOWN
    own = noise.call(-0.09, uncertainty=0.03)
    assert own.verdict == noise.STABILIZING and own.from_model and own.noise == 0.03
    assert noise.call(-0.5, uncertainty=float("nan")).noise == noise.DDG_NOISE_KCAL


def test_proxy_tools_found_by_name():
    versions = {"FlashTAP": "0.0.5", "rule:blosum62-kd-burial-ddg-proxy (not a physical ddG)": "1"}
    assert noise.proxy_tools(versions) == ["rule:blosum62-kd-burial-ddg-proxy (not a physical ddG)"]
    assert noise.proxy_tools({"FoldX": "5"}) == []


def test_sample_mutations_within_noise_are_not_called_stabilizing(open_page):
    at = open_page(CETUXIMAB, section="Stability")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "None of the 8 listed mutations is stabilizing beyond the noise level" in warnings
    assert "proxy, not a prediction of physical stability" in warnings
    table = next(df.value for df in at.dataframe if "call" in df.value.columns)
    assert len(table) == 8 and set(table["call"]) == {noise.WITHIN_NOISE}
    assert "Within the noise level" in " ".join(m.value for m in at.markdown)
    assert "Capriotti" in texts(at) and "1 kcal/mol" in texts(at)


@pytest.fixture(scope="module")
def noisy_server(tmp_path_factory) -> Iterator[tuple[object, str]]:
    body = job_body(
        stability_result={
            "stabilizing_mutations": [
                {"mutation": "H:S30T", "ddg": -1.6},
                {"mutation": "H:A40V", "ddg": -0.2},
                {"mutation": "L:Q90V", "ddg": -0.2, "uncertainty": 0.05},
            ],
            "model_versions": {"FoldX": "5.0"},
        }
    )
    server = start_in_thread(write_data_dir(tmp_path_factory.mktemp("noise"), [body]))
    yield server, body["job"]["id"]
    server.stop()


def test_stabilizing_and_within_noise_in_separate_tables(open_page, noisy_server):
    server, job_id = noisy_server
    at = open_page(job_id, section="Stability", server=server)
    assert not at.exception
    tables = [df.value for df in at.dataframe if "call" in df.value.columns]
    assert [t["mutation"].tolist() for t in tables] == [["H:S30T", "L:Q90V"], ["H:A40V"]]
    assert tables[0]["noise ± (kcal/mol)"].tolist() == [1.0, 0.05]
    assert not [w for w in at.warning if "None of the" in w.value or "proxy" in w.value]
