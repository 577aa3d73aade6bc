"""Deliberate failures of the sample server, so every error path of the dashboard can be exercised."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

FAULT_KINDS = {
    "401": "answer 401 (as for a wrong token)",
    "403": "answer 403 (token without access)",
    "404": "answer 404 (unknown job)",
    "422": "answer 422 (malformed id)",
    "429": "answer 429 with Retry-After",
    "500": "answer 500",
    "502": "answer 502",
    "503": "answer 503",
    "504": "answer 504",
    "slow": "sleep --slow-s seconds before answering (past the client's timeout)",
    "truncated": "send a 200 JSON body cut in half",
    "not-json": "send a 200 body that is plain text",
    "html": "send a 200 body that is an HTML error page",
    "empty": "send a 200 with an empty body",
    "drop": "close the connection without answering",
}


@dataclass
class FaultPlan:
    """Which fault to inject, on which routes, for how many requests (None: every request)."""

    kind: str | None = None
    times: int | None = None
    routes: str = "jobs"  # "jobs", "storage" or "all"
    retry_after_s: float = 1.0
    slow_s: float = 30.0
    latency_s: float = 0.0
    injected: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; known: {', '.join(FAULT_KINDS)}")
        if self.routes not in ("jobs", "storage", "all"):
            raise ValueError("routes must be jobs, storage or all")

    def take(self, route: str) -> str | None:
        """The fault for this request, counting it; None when the request should be served."""
        if self.kind is None or (self.routes != "all" and self.routes != route):
            return None
        with self._lock:
            if self.times is not None and self.injected >= self.times:
                return None
            self.injected += 1
            return self.kind
