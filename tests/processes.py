"""A real `streamlit run` of the dashboard on a free loopback port, and Chromium's launch options.

Shared by the browser tests (tests/conftest.py) and the benchmark (bench/browser.py).
"""

from __future__ import annotations

import os
import signal
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


def descendants(root: int) -> set[int]:
    """Every process whose parent chain leads to `root`, read from /proc (process groups do not matter)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


class ServedDashboard:
    """`bash scripts/serve.sh` (N replicas behind nginx, a throwaway PostgreSQL) pointed at a sample server.

    Its config and logs (nginx.conf, access.log, replica logs) go to artifacts/serve-<port>/; `stop()` sends
    SIGTERM to serve.sh, as a user's Ctrl-C would, and waits for it to end.
    """

    def __init__(self, api, replicas: int = 2, extra_env: dict[str, str] | None = None) -> None:
        import re

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "ABDASH_API_URL": api.url,
            "ABDASH_API_TOKEN": api.token,
            "PYTHON": sys.executable,
            "PYTHONPATH": str(ROOT),
            **(extra_env or {}),
        }
        if "ABDASH_REVIEW_DB_URL" not in (extra_env or {}):
            env.pop("ABDASH_REVIEW_DB_URL", None)  # a throwaway local PostgreSQL, never the shell's database
        self.workdir = ROOT / "artifacts" / f"serve-{self.port}"
        command = ["bash", str(ROOT / "scripts" / "serve.sh"), "--replicas", str(replicas), "--port", str(self.port)]
        self.proc = subprocess.Popen(
            [*command, "--ephemeral-db", "--log-dir", str(self.workdir)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline() if self.proc.stdout else ""
            if not line:
                if self.proc.poll() is not None:
                    raise RuntimeError("serve.sh exited at start: " + "".join(self.lines)[-2000:])
                continue
            self.lines.append(line)
            if "serve: open http" in line:
                break
        else:
            self.stop()
            raise RuntimeError("serve.sh did not start in 180 s")
        text = "".join(self.lines)
        self.replica_ports = [
            int(p) for p in re.findall(r"127\.0\.0\.1:(\d+)", text.split("replicas:")[1].split("\n")[0])
        ]
        found_db = re.search(r"PostgreSQL on 127\.0\.0\.1:(\d+)", text)
        self.db_port = int(found_db.group(1)) if found_db else None
        import threading

        self._reader = threading.Thread(target=self._read_rest, daemon=True)
        self._reader.start()

    def _read_rest(self) -> None:
        assert self.proc.stdout is not None
        with open(self.workdir / "serve.out", "a") as copy:  # the console, kept beside the logs
            copy.writelines(self.lines)
            for line in self.proc.stdout:
                self.lines.append(line)
                copy.write(line)
                copy.flush()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def access_log(self) -> str:
        return (self.workdir / "access.log").read_text(errors="replace")

    def replica_pid(self, port: int) -> int:
        """The pid of the `streamlit run` listening on this port (its command line names the port)."""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"--server.port" in argv and argv[argv.index(b"--server.port") + 1] == str(port).encode():
                return int(entry.name)
        raise LookupError(f"no streamlit process on port {port}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
