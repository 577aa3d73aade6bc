"""FastAPI app implementing GET /jobs/{job_id} and GET /storage/{path} of the job API contract."""

from __future__ import annotations

import asyncio
import hmac
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from app.job_cache import token_fingerprint
from app.sample_api.faults import FaultPlan
from app.sample_api.store import SampleStore

DEFAULT_DATA_DIR = Path(__file__).parent / "data"
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class RequestRecord:
    """What a test may want to know about a request that reached the server. Never the credential
    itself: `credential` is the process-keyed fingerprint of the bearer token sent (None: no header)."""

    method: str
    path: str
    credential: str | None
    at: float


class RequestLog:
    """The last `keep` requests (a bounded record: the server may run for weeks inside the dashboard),
    and how many arrived in all, so that `since(total)` finds the requests after a point."""

    def __init__(self, keep: int = 2000) -> None:
        self._recent: deque[RequestRecord] = deque(maxlen=keep)
        self._lock = threading.Lock()
        self.total = 0

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._recent.append(record)
            self.total += 1

    def since(self, total: int) -> list[RequestRecord]:
        """The requests that arrived after the first `total` (those still kept)."""
        with self._lock:
            return list(self._recent)[max(0, len(self._recent) - (self.total - total)) :]

    def __iter__(self) -> Iterator[RequestRecord]:
        with self._lock:
            return iter(list(self._recent))

    def __len__(self) -> int:
        return len(self._recent)

    def __getitem__(self, index: int) -> RequestRecord:
        with self._lock:
            return self._recent[index]


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

    def __init__(self, app, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            auth = headers.get(b"authorization")
            credential = None
            if auth is not None:
                scheme, _, value = auth.decode("latin-1").partition(" ")
                credential = token_fingerprint(value.strip() if scheme.lower() == "bearer" else scheme + value)
            self.log.append(RequestRecord(scope["method"], scope["path"], credential, time.time()))
        await self.app(scope, receive, send)


def create_app(
    data_dir: Path | None = None,
    *,
    token: str,
    limited_tokens: frozenset[str] = frozenset(),
    faults: FaultPlan | None = None,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    """The sample service. `token` sees every job; a `limited_tokens` token is valid but sees none (403)."""
    store = SampleStore(data_dir or DEFAULT_DATA_DIR, clock=clock)
    app = FastAPI(title="Antibody job API (sample)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.state.faults = faults or FaultPlan()
    app.state.requests = RequestLog()

    def bearer(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        return value.strip() if scheme.lower() == "bearer" and value.strip() else None

    def authorise(request: Request) -> Response | str:
        given = bearer(request)
        if given is not None and hmac.compare_digest(given.encode(), token.encode()):
            return "full"
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
        return {"samples": store.listing()}

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
        if auth == "limited":
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
