"""A throwaway PostgreSQL cluster on a free 127.0.0.1 port, for the tests and scripts/serve.sh.

Debian's `postgresql` package puts initdb and pg_ctl in /usr/lib/postgresql/<version>/bin. The
cluster lives in a temporary folder, runs as the `postgres` user when we are root (initdb refuses
root), trusts connections from 127.0.0.1 only, and is stopped (and its folder removed) by `stop()`.

    with LocalPostgres() as pg:
        pg.url  # postgresql+psycopg://postgres@127.0.0.1:<port>/abdash

`python -m app.local_postgres` starts one, prints its URL and stops it on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

DATABASE = "abdash"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server programs are not installed here."""


def server_bin_dir() -> Path:
    """The folder holding initdb, pg_ctl and postgres: Debian's newest version, else the PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise PostgresUnavailable("PostgreSQL is not installed (Debian: apt-get install -y postgresql)")


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalPostgres:
    """One cluster: `start()` runs initdb and pg_ctl start; `stop()` always ends it and cleans up."""

    def __init__(self, port: int | None = None, keep_dir: Path | None = None) -> None:
        self.port = port or free_port()
        self.bin_dir = server_bin_dir()
        self._own_dir = keep_dir is None
        self.base_dir = keep_dir or Path(tempfile.mkdtemp(prefix="abdash-pg-"))
        self.data_dir = self.base_dir / "data"
        self.log_path = self.base_dir / "server.log"
        self._as_postgres = os.geteuid() == 0
        self.started = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def start(self) -> LocalPostgres:
        if self._as_postgres:
            shutil.chown(self.base_dir, "postgres", "postgres")
        os.chmod(self.base_dir, 0o700)
        if not (self.data_dir / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.base_dir} "
            "-c fsync=off -c max_connections=200"
        )
        self._run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_path), "-o", options, "-w", "-t", "60", "start"
        )
        self.started = True
        self._create_database()
        return self

    def _create_database(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            done = self._run(
                "psql" if (self.bin_dir / "psql").exists() else "postgres",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-tAc",
                f"CREATE DATABASE {DATABASE}",
                check=False,
            )
            if done.returncode == 0 or "already exists" in done.stderr:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"could not create the database: {done.stderr.strip()[:300]}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.started:
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60", "stop", check=False)
            self.started = False
        if self._own_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def main() -> None:
    """Start a cluster, print its URL on one line, and stop it on SIGTERM, SIGINT or end of input."""
    port = int(sys.argv[1]) if len(sys.argv) > 1 else None
    pg = LocalPostgres(port=port).start()

    def _stop(*_: object) -> None:
        pg.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(pg.url, flush=True)
    try:
        while True:
            signal.pause()
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
