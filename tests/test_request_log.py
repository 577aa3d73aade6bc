"""The sample server's record of requests: bounded, and without the credential (app/sample_api/server.py)."""

from __future__ import annotations

import httpx

from app.job_cache import token_fingerprint
from app.sample_api import start_in_thread
from app.sample_api.server import RequestLog, RequestRecord


def test_the_record_keeps_the_last_requests_and_counts_all() -> None:
    log = RequestLog(keep=3)
    for i in range(5):
        log.append(RequestRecord("GET", f"/jobs/{i}", None, float(i)))
    assert len(log) == 3 and log.total == 5
    assert [r.path for r in log] == ["/jobs/2", "/jobs/3", "/jobs/4"]
    assert [r.path for r in log.since(3)] == ["/jobs/3", "/jobs/4"]
    assert [r.path for r in log.since(0)] == ["/jobs/2", "/jobs/3", "/jobs/4"]  # as many as are kept
    assert log.since(5) == [] and log[-1].path == "/jobs/4"


def test_the_server_records_a_fingerprint_never_the_token() -> None:
    server = start_in_thread()
    try:
        with httpx.Client() as http:
            http.get(server.url + "/healthz", headers={"Authorization": f"Bearer {server.token}"})
            http.get(server.url + "/healthz")
        with_token, without = list(server.app.state.requests)[-2:]
        assert with_token.credential == token_fingerprint(server.token) and without.credential is None
        assert not any(server.token in repr(r) for r in server.app.state.requests)
    finally:
        server.stop()
