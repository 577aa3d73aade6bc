"""The API client against the real sample server over loopback HTTP: every status and fault."""

from __future__ import annotations

import logging
import socket

import pytest

from app import errors
from app.client import JobsClient, normalise_job_id, resolve_storage_url
from app.job_cache import token_fingerprint
from app.sample_api import FaultPlan, start_in_thread
from tests.helpers import job_body, new_id, write_data_dir

PDB_LINE = "ATOM      1  CA  ALA H   1      11.104   6.134  -6.504  1.00 91.00           C\n"


@pytest.fixture
def served(tmp_path):
    """A server on a tmp folder with one completed job and one structure file; its own faults."""
    body = job_body("completed")
    data = write_data_dir(tmp_path, [body], {"structures/model.pdb": PDB_LINE * 3, "big/huge.pdb": PDB_LINE * 20000})
    server = start_in_thread(data, limited_tokens=frozenset({"limited-token"}))
    client = JobsClient(server.url, server.token, backoff_s=0.01, timeout_s=2, max_structure_bytes=100_000)
    yield server, client, body["job"]["id"]
    client.close()
    server.stop()


def job_requests(server) -> int:
    return sum(1 for r in server.app.state.requests if r.path.startswith("/jobs/"))


def test_completed_job_is_parsed(served):
    server, client, job_id = served
    fetched = client.get_job(job_id)
    assert fetched.response.job.id == job_id
    assert fetched.response.job.status == "completed"
    assert fetched.raw["job"]["id"] == job_id
    assert server.app.state.requests[-1].credential == token_fingerprint(server.token)


@pytest.mark.parametrize(
    "bad",
    ["", "abc", "123", "../etc/passwd", "{" + "0" * 32 + "}", "urn:uuid:" + "1" * 8 + "-1111-4111-8111-" + "1" * 12],
)
def test_invalid_id_is_refused_before_any_request(served, bad):
    server, client, _ = served
    before = len(server.app.state.requests)
    with pytest.raises(errors.InvalidJobId):
        client.get_job(bad)
    assert len(server.app.state.requests) == before


def test_uppercase_uuid_is_accepted_and_normalised():
    text = "3F2B6C1E-8D4A-4B7E-9A51-0C2D7E9F1A23"
    assert normalise_job_id(text) == text.lower()


def test_wrong_token_is_401(served):
    server, _, job_id = served
    with JobsClient(server.url, "not-the-token", backoff_s=0.01) as other, pytest.raises(errors.Unauthorized) as caught:
        other.get_job(job_id)
    assert "not-the-token" not in str(caught.value)


def test_token_without_access_is_403(served):
    server, _, job_id = served
    with JobsClient(server.url, "limited-token", backoff_s=0.01) as other, pytest.raises(errors.Forbidden):
        other.get_job(job_id)


def test_unknown_job_is_404_and_not_retried(served):
    server, client, _ = served
    before = job_requests(server)
    with pytest.raises(errors.JobNotFound):
        client.get_job(new_id())
    assert job_requests(server) - before == 1


@pytest.mark.parametrize(
    ("kind", "error", "attempts"),
    [
        ("401", errors.Unauthorized, 1),
        ("403", errors.Forbidden, 1),
        ("404", errors.JobNotFound, 1),
        ("422", errors.Rejected, 1),
        ("500", errors.ServerError, 1),
        ("502", errors.ServerError, 4),
        ("503", errors.ServerError, 4),
        ("504", errors.ServerError, 4),
        ("429", errors.RateLimited, 4),
        ("truncated", errors.UnreadablePayload, 1),
        ("not-json", errors.UnreadablePayload, 1),
        ("html", errors.UnreadablePayload, 1),
        ("empty", errors.UnreadablePayload, 1),
        ("drop", errors.Unreachable, 4),
    ],
)
def test_each_fault_gives_its_error_and_retries_only_what_should_be(served, kind, error, attempts):
    server, client, job_id = served
    server.app.state.faults = FaultPlan(kind=kind, retry_after_s=0.01)
    before = job_requests(server)
    with pytest.raises(error) as caught:
        client.get_job(job_id)
    assert job_requests(server) - before == attempts
    assert server.token not in str(caught.value) and server.token not in caught.value.message


def test_retry_after_is_honoured_then_the_job_arrives(served):
    server, _, job_id = served
    waits: list[float] = []
    server.app.state.faults = FaultPlan(kind="429", times=2, retry_after_s=0.25)
    with JobsClient(server.url, server.token, sleep=waits.append) as client:
        assert client.get_job(job_id).response.job.status == "completed"
    assert waits == [0.25, 0.25]


def test_long_retry_after_is_not_waited_for(served):
    server, client, job_id = served
    server.app.state.faults = FaultPlan(kind="429", retry_after_s=120)
    with pytest.raises(errors.RateLimited) as caught:
        client.get_job(job_id)
    assert caught.value.retry_after == pytest.approx(120)
    assert "120" in caught.value.message


def test_transient_503_is_retried_with_backoff(served):
    server, _, job_id = served
    waits: list[float] = []
    server.app.state.faults = FaultPlan(kind="503", times=2)
    with JobsClient(server.url, server.token, backoff_s=0.1, sleep=waits.append) as client:
        assert client.get_job(job_id).response.job.id == job_id
    assert waits == [0.1, 0.2]


def test_slow_answer_times_out(served):
    server, _, job_id = served
    server.app.state.faults = FaultPlan(kind="slow", slow_s=3)
    with JobsClient(server.url, server.token, timeout_s=0.5) as client, pytest.raises(errors.Timeout):
        client.get_job(job_id)


def test_connection_refused_is_unreachable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with JobsClient(f"http://127.0.0.1:{port}", "t", backoff_s=0.01) as client, pytest.raises(errors.Unreachable):
        client.get_job(new_id())


def test_token_never_logged(served, caplog):
    server, client, job_id = served
    caplog.set_level(logging.DEBUG)
    client.get_job(job_id)
    server.app.state.faults = FaultPlan(kind="503")
    with pytest.raises(errors.ServerError):
        client.get_job(job_id)
    assert server.token not in caplog.text
    assert server.token not in repr(client)


# --- structure files ---------------------------------------------------------------------------


def test_structure_file_is_fetched_and_recognised(served):
    _, client, _ = served
    structure = client.fetch_structure("structures/model.pdb")
    assert structure.format == "pdb"
    assert structure.text == PDB_LINE * 3


def test_structure_over_the_cap_is_refused_with_a_message(served):
    _, client, _ = served
    with pytest.raises(errors.StructureTooLarge) as caught:
        client.fetch_structure("big/huge.pdb")
    assert "MB" in caught.value.message


def test_missing_structure_file_is_a_clear_message(served):
    _, client, _ = served
    with pytest.raises(errors.StructureUnavailable) as caught:
        client.fetch_structure("structures/absent.pdb")
    assert "404" in caught.value.message


@pytest.mark.parametrize(
    "path",
    [
        "../jobs/x.json",
        "/etc/passwd",
        "file:///etc/passwd",
        "structures/../../x",
        "a/%2e%2e/b",
        "javascript:alert(1)",
        "C:\\x.pdb",
        "",
    ],
)
def test_escaping_paths_are_refused_without_a_request(served, path):
    server, client, _ = served
    before = len(server.app.state.requests)
    with pytest.raises(errors.UnsafeStoragePath):
        client.fetch_structure(path)
    assert len(server.app.state.requests) == before


def test_token_goes_only_to_the_api_origin(served, tmp_path):
    server, client, _ = served
    other_data = write_data_dir(tmp_path / "other", [], {"x.pdb": PDB_LINE})
    other = start_in_thread(other_data, token="other-hosts-token")
    try:
        with pytest.raises(errors.StructureUnavailable):  # the other host wants its own token: 401
            client.fetch_structure(other.url + "/storage/x.pdb")
        seen = [r for r in other.app.state.requests if r.path == "/storage/x.pdb"]
        assert seen and all(r.credential is None for r in seen)
    finally:
        other.stop()


def test_relative_paths_join_the_storage_base():
    assert resolve_storage_url("a/b c.pdb", "http://h:1/storage/") == "http://h:1/storage/a/b%20c.pdb"
