"""A real `streamlit run` of the dashboard on a free loopback port, and Chromium's launch options.

Shared by the browser tests (tests/conftest.py) and the benchmark (bench/browser.py).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DashboardProcess:
    """`streamlit run` on a free loopback port, pointed at a sample server; `stop()` always ends it."""

    def __init__(self, api, extra_env: dict[str, str] | None = None, log_path: Path | None = None) -> None:
        self.api = api
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if log_path is None:
            artifacts = ROOT / "artifacts"
            artifacts.mkdir(exist_ok=True)
            log_path = artifacts / f"streamlit-{self.port}.log"
        self.log_path = log_path
        env = {**os.environ, "ABDASH_API_URL": api.url, "ABDASH_API_TOKEN": api.token, **(extra_env or {})}
        self._data_dir = tempfile.TemporaryDirectory(prefix="abdash-data-")  # its review database, unless given
        env.setdefault("ABDASH_DATA_DIR", self._data_dir.name)
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - open for the life of the process, closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "streamlit_app.py"),
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._log.close()
                raise RuntimeError(f"streamlit exited early; see {self.log_path}")
            try:
                if httpx.get(self.url + "/_stcore/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("streamlit did not become healthy in 60 s")

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if not self._log.closed:
            self._log.close()
        self._data_dir.cleanup()
