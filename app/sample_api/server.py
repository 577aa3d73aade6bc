"""FastAPI app implementing GET /jobs/{job_id} and GET /storage/{path} of the job API contract."""

from __future__ import annotations

import asyncio
import hmac
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from app.sample_api.faults import FaultPlan
from app.sample_api.store import SampleStore

DEFAULT_DATA_DIR = Path(__file__).parent / "data"
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class RequestRecord:
    """What a test may want to know about a request that reached the server."""

    method: str
    path: str
    authorization: str | None
    at: float


def _detail(status: int, text: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": text}, status_code=status, headers=headers)


class _DroppedResponse(Response):
    """Starts a response, sends part of it, then fails: the client sees the connection cut."""

    async def __call__(self, scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"4096")]})
        await send({"type": "http.response.body", "body": b'{"job": {', "more_body": True})
        # Returning with the body incomplete makes uvicorn close the connection mid-answer.


class _RecordRequests:
    """Pure ASGI middleware that notes every HTTP request (tests count requests and check headers)."""

    def __init__(self, app, log: list[RequestRecord]) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            auth = headers.get(b"authorization")
            self.log.append(
                RequestRecord(scope["method"], scope["path"], auth.decode("latin-1") if auth else None, time.time())
            )
        await self.app(scope, receive, send)


def create_app(
    data_dir: Path | None = None,
    *,
    token: str,
    tokens: frozenset[str] = frozenset(),
    limited_tokens: frozenset[str] = frozenset(),
    faults: FaultPlan | None = None,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    """The sample service. `token` and `tokens` see every job but those whose `x_sample.readers` leave them
    out (403); a `limited_tokens` token is valid but sees none (403)."""
    full_tokens = (token, *sorted(tokens))
    store = SampleStore(data_dir or DEFAULT_DATA_DIR, clock=clock)
    app = FastAPI(title="Antibody job API (sample)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.state.faults = faults or FaultPlan()
    app.state.requests: list[RequestRecord] = []

    def bearer(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        return value.strip() if scheme.lower() == "bearer" and value.strip() else None

    def authorise(request: Request) -> Response | str:
        """The full token given, "limited", or a 401 response."""
        given = bearer(request)
        if given is not None and any(hmac.compare_digest(given.encode(), t.encode()) for t in full_tokens):
            return given
        if given is not None and any(hmac.compare_digest(given.encode(), t.encode()) for t in limited_tokens):
            return "limited"
        return _detail(401, "Not authenticated", {"WWW-Authenticate": "Bearer"})

    async def injected(route: str) -> Response | None:
        plan: FaultPlan = app.state.faults
        if plan.latency_s:
            await asyncio.sleep(plan.latency_s)
        kind = plan.take(route)
        if kind is None:
            return None
        if kind.isdigit():
            status = int(kind)
            headers = {"Retry-After": f"{plan.retry_after_s:g}"} if status == 429 else None
            return _detail(status, f"Injected fault {status}", headers)
        if kind == "slow":
            await asyncio.sleep(plan.slow_s)
            return None
        if kind == "truncated":
            return Response(b'{"job": {"id": "', media_type="application/json")
        if kind == "not-json":
            return Response(b"upstream said: everything is fine", media_type="text/plain")
        if kind == "html":
            return Response(b"<html><body><h1>502 Bad Gateway</h1></body></html>", media_type="text/html")
        if kind == "empty":
            return Response(b"", media_type="application/json")
        if kind == "drop":
            return _DroppedResponse()
        return None

    app.add_middleware(_RecordRequests, log=app.state.requests)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/samples")
    async def samples(request: Request):
        auth = authorise(request)
        if isinstance(auth, Response):
            return auth
        return {"samples": store.listing(None if auth == "limited" else auth)}

    @app.get("/jobs/{job_id}")
    async def get_job(job_id: str, request: Request):
        auth = authorise(request)
        if isinstance(auth, Response):
            return auth
        fault = await injected("jobs")
        if fault is not None:
            return fault
        if not UUID_RE.match(job_id):
            return _detail(422, "job_id must be a UUID")
        body = store.view(job_id.lower())
        if body is None:
            return _detail(404, "Job not found")
        if auth == "limited" or not store.samples[job_id.lower()].readable_by(auth):
            return _detail(403, "Not allowed to read this job")
        return Response(json.dumps(body), media_type="application/json")

    @app.get("/storage/{file_path:path}")
    async def storage(file_path: str, request: Request):
        auth = authorise(request)
        if isinstance(auth, Response):
            return auth
        fault = await injected("storage")
        if fault is not None:
            return fault
        root = store.storage_dir.resolve()
        target = (root / file_path).resolve()
        if ".." in Path(file_path).parts or not target.is_relative_to(root) or not target.is_file():
            return _detail(404, "File not found")
        return FileResponse(target)

    return app
