"""The sample API server: contract status codes, storage confinement, schedules, bundled samples."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx
import pytest

from app.models import JobResponse
from app.sample_api import SampleStore, start_in_thread
from app.sample_api.runner import free_loopback_socket
from tests.conftest import ROOT
from tests.helpers import job_body, new_id, write_data_dir


@pytest.fixture
def server(tmp_path):
    scheduled = job_body("completed")
    scheduled["x_sample"] = {"title": "moves", "schedule": {"pending_s": 0.6, "running_s": 0.6}}
    data = write_data_dir(tmp_path / "data", [job_body("completed"), scheduled], {"s/x.pdb": "ATOM\n"})
    (tmp_path / "secret.txt").write_text("outside storage")
    srv = start_in_thread(data, limited_tokens=frozenset({"guest"}))
    scheduled_id = scheduled["job"]["id"]
    plain_id = next(i for i in srv.app.state.store.samples if i != scheduled_id)
    yield Served(srv.url, srv.token, plain_id, scheduled_id)
    srv.stop()


@dataclass(frozen=True)
class Served:
    """The running server's address and token, and the ids of its plain and its scheduled job."""

    url: str
    token: str
    plain_id: str
    scheduled_id: str


def get(srv, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(srv.url + path, headers=headers)


def test_status_codes_of_the_contract(server):
    assert get(server, f"/jobs/{server.plain_id}").status_code == 401
    assert get(server, f"/jobs/{server.plain_id}", "wrong").status_code == 401
    assert get(server, f"/jobs/{server.plain_id}", "guest").status_code == 403
    assert get(server, f"/jobs/{new_id()}", server.token).status_code == 404
    assert get(server, "/jobs/not-a-uuid", server.token).status_code == 422
    answer = get(server, f"/jobs/{server.plain_id}", server.token)
    assert answer.status_code == 200 and answer.json()["job"]["id"] == server.plain_id
    assert get(server, "/jobs/not-a-uuid", server.token).json()["detail"]


def test_sample_metadata_is_not_served(server):
    body = get(server, f"/jobs/{server.scheduled_id}", server.token).json()
    assert "x_sample" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/storage/../secret.txt",
        "/storage/%2e%2e/secret.txt",
        "/storage/s/../../secret.txt",
        "/storage//etc/passwd",
        "/storage/%2Fetc%2Fpasswd",
    ],
)
def test_storage_paths_cannot_escape(server, path):
    answer = get(server, path, server.token)
    assert answer.status_code in (404, 400) and "outside storage" not in answer.text


def test_storage_serves_files_to_the_token_only(server):
    assert get(server, "/storage/s/x.pdb", server.token).text == "ATOM\n"
    assert get(server, "/storage/s/x.pdb").status_code == 401


def test_scheduled_job_moves_pending_running_completed(server):
    seen = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        body = get(server, f"/jobs/{server.scheduled_id}", server.token).json()
        seen.append(body["job"]["status"])
        if seen[-1] == "completed":
            break
        assert body["results"] == [] and body["structure_result"] is None
        time.sleep(0.1)
    assert seen[0] == "pending" and "running" in seen and seen[-1] == "completed"
    assert seen.index("running") > seen.index("pending")
    final = JobResponse.model_validate(body).job
    created, started, completed = final.created_at, final.started_at, final.completed_at
    assert created is not None and started is not None and completed is not None
    assert created <= started <= completed


def test_bundled_samples_parse_and_cover_every_status():
    store = SampleStore(ROOT / "app" / "sample_api" / "data")
    if not store.samples:
        pytest.skip("no bundled samples yet")
    statuses = set()
    for sample in store.samples.values():
        response = JobResponse.model_validate(sample.body)
        statuses.add(response.job.status)
        if sample.schedule:
            statuses.update({"pending", "running"})
    assert {"pending", "running", "completed", "failed", "canceled"} <= statuses


def test_command_line_serves_a_folder(tmp_path):
    body = job_body("completed")
    data = write_data_dir(tmp_path, [body])
    sock = free_loopback_socket()
    port = sock.getsockname()[1]
    sock.close()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.sample_api",
            "--data",
            str(data),
            "--port",
            str(port),
            "--token",
            "cli-token",
            "--fault",
            "503",
            "--fault-times",
            "1",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/jobs/{body['job']['id']}"
        deadline = time.monotonic() + 20
        while True:
            try:
                first = httpx.get(url, headers={"Authorization": "Bearer cli-token"})
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "CLI server did not start"
                time.sleep(0.1)
        second = httpx.get(url, headers={"Authorization": "Bearer cli-token"})
        assert first.status_code == 503 and second.status_code == 200
        assert json.loads(second.text)["job"]["id"] == body["job"]["id"]
    finally:
        proc.terminate()
        proc.wait(10)
