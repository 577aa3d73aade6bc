"""Run the sample server on a free loopback port in a background thread (embedded default, tests)."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from app.sample_api.faults import FaultPlan
from app.sample_api.server import create_app


@dataclass
class RunningServer:
    url: str
    token: str
    app: FastAPI
    _server: uvicorn.Server
    _thread: threading.Thread

    def stop(self, timeout_s: float = 5.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout_s)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def free_loopback_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def start_in_thread(
    data_dir: Path | None = None,
    *,
    token: str | None = None,
    tokens: frozenset[str] = frozenset(),
    limited_tokens: frozenset[str] = frozenset(),
    faults: FaultPlan | None = None,
) -> RunningServer:
    """Start on 127.0.0.1 with a fresh port (and a random token unless given); returns once it listens."""
    token = token or secrets.token_urlsafe(24)
    app = create_app(data_dir, token=token, tokens=tokens, limited_tokens=limited_tokens, faults=faults)
    sock = free_loopback_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="sample-api")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("sample API server did not start")
        time.sleep(0.01)
    return RunningServer(url=f"http://127.0.0.1:{port}", token=token, app=app, _server=server, _thread=thread)
