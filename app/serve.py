"""N dashboard replicas behind nginx on one machine: the supervisor that `scripts/serve.sh` runs.

    python -m app.serve --replicas 2 --port 8500

What it starts, and stops again on SIGTERM or Ctrl-C (each child in its own process group):
- the review database: ABDASH_REVIEW_DB_URL when set, else a local PostgreSQL (app/local_postgres.py)
  whose data folder is kept across runs (`--db-dir`, default `var/serve-postgres`), or a throwaway one
  (`--ephemeral-db`). Every replica gets the same URL.
- N `streamlit run` processes on free 127.0.0.1 ports, headless, sharing one `server.cookieSecret`
  (ABDASH_COOKIE_SECRET, else a fresh random one per run; passed by environment, never printed).
- nginx on 127.0.0.1:<port>, with a config written to a temporary folder (nginx.conf, pid, logs, temp paths).

Session affinity: the first response nginx sends through a replica sets the cookie `abdash_replica=r<i>`;
requests carrying it go to replica i, whose own upstream lists every other replica as `backup`. A new
browser has no cookie and is balanced round-robin; a session whose replica died is passed to a backup,
and that response re-sets the cookie to the replica that answered, so the session stays there even
after the dead one is back. The websocket, /media and upload requests of one browser share the cookie,
so they share the replica.

Health: a replica joins nginx's config only once its /_stcore/health answers and one session has run
the app's main script (`warm_up`, which explains why); while running, a replica
whose process exited or whose health check failed three times in a row is taken out of the config
(nginx is reloaded), restarted on the same port, and admitted again when healthy. nginx's own passive
checks (max_fails/fail_timeout) cover the seconds before the supervisor notices.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app.local_postgres import LocalPostgres, free_port

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
COOKIE = "abdash_replica"
CHECK_EVERY_S = 2.0
FAILS_BEFORE_RESTART = 3
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 10.0
DEFAULT_DB_DIR = ROOT / "var" / "serve-postgres"


@dataclass
class Replica:
    """One `streamlit run` on its own port; `admitted` means nginx may send it traffic."""

    index: int
    port: int
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    admitted: bool = False
    failed_checks: int = 0
    started_at: float = 0.0
    restarts: int = 0

    @property
    def name(self) -> str:
        return f"r{self.index}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class ServeOptions:
    replicas: int
    port: int
    db_url: str | None = None  # None: start a local PostgreSQL
    db_dir: Path | None = DEFAULT_DB_DIR  # None: a throwaway cluster
    extra_env: dict[str, str] = field(default_factory=dict)
    streamlit_args: list[str] = field(default_factory=list)
    log_dir: Path | None = None  # None: a temporary folder, removed at stop


def health_ok(port: int, timeout_s: float = 2.0) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False


def warm_up(port: int, timeout_s: float = 60.0) -> bool:
    """Run the app's main script once in a session of its own, over Streamlit's websocket protocol.

    Why: a replica is admitted only once it has served a real run of the app, so the first user who
    fails over to it does not pay for its imports and caches. (It also guarded against Streamlit's
    old multipage mode, which a folder named `pages/` beside st.navigation used to trigger on a fresh
    process; the pages now live in `views/`, which Streamlit does not scan.)
    """
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect
    from websockets.typing import Origin, Subprotocol

    request = BackMsg()
    request.rerun_script.query_string = ""
    request.rerun_script.page_script_hash = ""
    deadline = time.monotonic() + timeout_s
    try:
        with connect(
            f"ws://127.0.0.1:{port}/_stcore/stream",
            subprotocols=[Subprotocol("streamlit")],
            origin=Origin(f"http://127.0.0.1:{port}"),
            open_timeout=10,
        ) as socket:
            socket.send(request.SerializeToString())
            while time.monotonic() < deadline:
                message = ForwardMsg()
                data = socket.recv(timeout=max(0.1, deadline - time.monotonic()))
                message.ParseFromString(data if isinstance(data, bytes) else data.encode())
                if message.WhichOneof("type") == "script_finished":
                    return True
    except Exception:  # any failure means: not ready yet
        return False
    return False


def nginx_config(replicas: list[Replica], port: int, workdir: Path, as_root: bool) -> str:
    """nginx.conf for these replicas; those not admitted are marked `down` (their cookie still routes)."""

    def server(replica: Replica, backup: bool = False) -> str:
        flags = " backup" if backup else ""
        if not replica.admitted:
            flags += " down"
        return f"        server {replica.address} max_fails=1 fail_timeout=5s{flags};"

    upstreams = ["    upstream balanced {", "        zone balanced 64k;"]
    upstreams += [server(r) for r in replicas] + ["    }"]
    for own in replicas:
        upstreams += [f"    upstream replica_{own.name} {{", f"        zone replica_{own.name} 64k;", server(own)]
        upstreams += [server(r, backup=True) for r in replicas if r is not own] + ["    }"]
    to_upstream = [f"        {r.name} replica_{r.name};" for r in replicas]
    # $upstream_addr lists every server tried ("a:1, b:2"): the last one answered.
    served_by = [f"        ~{r.address.replace('.', '[.]')}$ {r.name};" for r in replicas]
    cookie_attrs = "Path=/; HttpOnly; SameSite=Lax"
    set_cookie = []
    for r in replicas:
        set_cookie.append(f'        "{r.name}|{r.name}" "";')  # already stuck to the replica that answered
        set_cookie.append(f'        "~^{r.name}[|]" "{COOKIE}={r.name}; {cookie_attrs}";')
    user = "user nobody nogroup;\n" if as_root else ""
    return f"""# written by app/serve.py; regenerated when a replica joins or leaves
{user}worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format abdash '$time_iso8601 $request_method "$request_uri" $status upstream=$upstream_addr '
                      'cookie=$cookie_{COOKIE} time=$request_time';
    access_log {workdir}/access.log abdash;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    client_max_body_size 200m;  # Streamlit's server.maxUploadSize default
    server_tokens off;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" close;
    }}
    map $cookie_{COOKIE} $replica_upstream {{
        default balanced;
{chr(10).join(to_upstream)}
    }}
    map $upstream_addr $served_by {{
        default "";
{chr(10).join(served_by)}
    }}
    map "$served_by|$cookie_{COOKIE}" $replica_cookie {{
        default "";
{chr(10).join(set_cookie)}
    }}

{chr(10).join(upstreams)}

    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Host $http_host;  # Streamlit checks the websocket's Origin against it
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_connect_timeout 3s;
        add_header Set-Cookie $replica_cookie always;  # empty value: no header

        location /_stcore/stream {{
            proxy_pass http://$replica_upstream;
            proxy_buffering off;
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
        }}
        location / {{
            proxy_pass http://$replica_upstream;
            proxy_request_buffering off;  # uploads stream through to the replica
        }}
    }}
}}
"""


class Supervisor:
    """Starts the database, the replicas and nginx; keeps the replicas healthy; stops it all."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self._own_workdir = options.log_dir is None
        self.workdir = options.log_dir or Path(tempfile.mkdtemp(prefix="abdash-serve-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.workdir, 0o755)  # nginx's workers (nobody) create their temp folders in it
        self.replicas = [Replica(i, free_port(), self.workdir / f"replica-r{i}.log") for i in range(options.replicas)]
        self.nginx: subprocess.Popen[bytes] | None = None
        self.postgres: LocalPostgres | None = None
        self.db_url = options.db_url
        self.cookie_secret = os.environ.get("ABDASH_COOKIE_SECRET") or secrets.token_urlsafe(32)
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.options.port}"

    @property
    def config_path(self) -> Path:
        return self.workdir / "nginx.conf"

    @property
    def access_log(self) -> Path:
        return self.workdir / "access.log"

    # --- start ---------------------------------------------------------------------------------

    def start(self) -> None:
        try:
            self._start_database()
            for replica in self.replicas:
                self._start_replica(replica)
            deadline = time.monotonic() + START_TIMEOUT_S
            while not all(r.admitted for r in self.replicas) and time.monotonic() < deadline:
                for replica in self.replicas:
                    if not replica.alive():
                        raise RuntimeError(f"replica {replica.name} exited at start; see {replica.log_path}")
                    replica.admitted = replica.admitted or (health_ok(replica.port, 1.0) and warm_up(replica.port))
                time.sleep(0.3)
            if not any(r.admitted for r in self.replicas):
                raise RuntimeError(f"no replica became healthy in {START_TIMEOUT_S:.0f} s; see {self.workdir}")
            self._start_nginx()
        except BaseException:
            self.stop()
            raise

    def _start_database(self) -> None:
        if self.db_url:
            return
        self.postgres = LocalPostgres(keep_dir=self.options.db_dir)
        if self.options.db_dir is not None:
            self.options.db_dir.mkdir(parents=True, exist_ok=True)
        self.postgres.start()
        self.db_url = self.postgres.url

    def replica_env(self, replica: Replica) -> dict[str, str]:
        assert self.db_url is not None
        return {
            **os.environ,
            **self.options.extra_env,
            "ABDASH_REVIEW_DB_URL": self.db_url,
            "ABDASH_REPLICA": replica.name,  # names the replica in its own log lines
            "STREAMLIT_SERVER_COOKIE_SECRET": self.cookie_secret,
        }

    def _start_replica(self, replica: Replica) -> None:
        command = [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
            "--server.port", str(replica.port),
            "--server.address", "127.0.0.1",
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            *self.options.streamlit_args,
        ]  # fmt: skip
        with open(replica.log_path, "ab") as log:
            replica.proc = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.replica_env(replica),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: Ctrl-C reaches the supervisor only
            )
        replica.started_at = time.monotonic()
        replica.failed_checks = 0

    def _start_nginx(self) -> None:
        self.config_path.write_text(nginx_config(self.replicas, self.options.port, self.workdir, os.geteuid() == 0))
        check = subprocess.run(
            [NGINX, "-t", "-p", str(self.workdir), "-c", str(self.config_path)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx rejected its config: {check.stderr.strip()}")
        with open(self.workdir / "nginx.out", "ab") as out:
            self.nginx = subprocess.Popen(
                [NGINX, "-p", str(self.workdir), "-c", str(self.config_path), "-g", "daemon off;"],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.nginx.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.workdir / 'error.log').read_text(errors='replace')[-500:]}")
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(self.url + "/_stcore/health", timeout=1.0)
                return
            time.sleep(0.2)
        raise RuntimeError("nginx did not answer in 30 s")

    def _reload_nginx(self) -> None:
        self.config_path.write_text(nginx_config(self.replicas, self.options.port, self.workdir, os.geteuid() == 0))
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGHUP)

    # --- while running -------------------------------------------------------------------------

    def check_once(self) -> list[str]:
        """One round of active health checks; returns what changed, as lines for the console."""
        events: list[str] = []
        changed = False
        for replica in self.replicas:
            if not replica.alive():
                if replica.admitted:
                    replica.admitted, changed = False, True
                code = replica.proc.returncode if replica.proc else None
                events.append(f"replica {replica.name} ({replica.address}) exited (code {code}): restarting")
                self._kill_group(replica.proc)
                replica.restarts += 1
                self._start_replica(replica)
                continue
            healthy = health_ok(replica.port)
            if healthy:
                replica.failed_checks = 0
                if not replica.admitted and warm_up(replica.port):
                    replica.admitted, changed = True, True
                    events.append(f"replica {replica.name} ({replica.address}) healthy: admitted")
                continue
            replica.failed_checks += 1
            starting = time.monotonic() - replica.started_at < START_TIMEOUT_S and not replica.admitted
            if replica.admitted and replica.failed_checks >= FAILS_BEFORE_RESTART:
                replica.admitted, changed = False, True
                events.append(f"replica {replica.name} failed {replica.failed_checks} health checks: restarting")
                self._kill_group(replica.proc)
                replica.restarts += 1
                self._start_replica(replica)
            elif not replica.admitted and not starting:
                events.append(f"replica {replica.name} not healthy {START_TIMEOUT_S:.0f} s after start: restarting")
                self._kill_group(replica.proc)
                replica.restarts += 1
                self._start_replica(replica)
        if changed:
            self._reload_nginx()
        if self.nginx is not None and self.nginx.poll() is not None and not self.stopping.is_set():
            events.append("nginx exited: starting it again")
            self._start_nginx()
        return events

    def watch(self) -> None:
        while not self.stopping.wait(CHECK_EVERY_S):
            try:
                events = self.check_once()
            except Exception as error:  # a failed round must not take the replicas down with it
                events = [f"health round failed ({type(error).__name__}: {error}); trying again"]
            for line in events:
                print(f"serve: {line}", flush=True)

    # --- stop ----------------------------------------------------------------------------------

    @staticmethod
    def _kill_group(proc: subprocess.Popen[bytes] | None) -> None:
        """SIGTERM to the process group, SIGKILL after STOP_TIMEOUT_S; then reap."""
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(STOP_TIMEOUT_S)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group (nginx workers, children)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)

    def stop(self) -> None:
        self.stopping.set()
        self._kill_group(self.nginx)
        for replica in self.replicas:
            self._kill_group(replica.proc)
        if self.postgres is not None:
            self.postgres.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _parse(argv: list[str] | None) -> ServeOptions:
    parser = argparse.ArgumentParser(prog="scripts/serve.sh", description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2, help="dashboard processes (default 2)")
    parser.add_argument("--port", type=int, default=8500, help="nginx's port on 127.0.0.1 (default 8500)")
    parser.add_argument(
        "--db-dir",
        type=Path,
        default=DEFAULT_DB_DIR,
        help="data folder of the local PostgreSQL when ABDASH_REVIEW_DB_URL is unset (kept across runs)",
    )
    parser.add_argument("--ephemeral-db", action="store_true", help="a throwaway local PostgreSQL (tests, trials)")
    parser.add_argument(
        "--warm-up",
        type=int,
        metavar="PORT",
        help="only run warm_up() against a replica on 127.0.0.1:PORT; exit 0 when it worked (a startup probe)",
    )
    parser.add_argument(
        "--log-dir", type=Path, help="write nginx's config and all logs here and keep them (default: a temp folder)"
    )
    args = parser.parse_args(argv)
    if args.warm_up:
        raise SystemExit(0 if warm_up(args.warm_up) else 1)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    db_url = os.environ.get("ABDASH_REVIEW_DB_URL") or None
    options = ServeOptions(
        replicas=args.replicas,
        port=args.port,
        db_url=db_url,
        db_dir=None if args.ephemeral_db else args.db_dir.resolve(),
        log_dir=args.log_dir.resolve() if args.log_dir else None,
    )
    return options


def main(argv: list[str] | None = None) -> int:
    options = _parse(argv)
    supervisor = Supervisor(options)

    def _stop(signum: int, _frame: object) -> None:
        supervisor.stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        supervisor.start()
    except RuntimeError as error:
        print(f"serve: {error}", file=sys.stderr, flush=True)
        return 1
    if options.db_url:
        database = "ABDASH_REVIEW_DB_URL (from the environment)"
    elif options.db_dir is None:
        database = (
            f"a throwaway local PostgreSQL on 127.0.0.1:{supervisor.postgres.port if supervisor.postgres else '?'}"
        )
    else:
        database = f"local PostgreSQL on 127.0.0.1:{supervisor.postgres.port if supervisor.postgres else '?'}, data in {options.db_dir}"
    print(f"serve: {len(supervisor.replicas)} replicas: {', '.join(r.address for r in supervisor.replicas)}")
    print(f"serve: reviews in {database}")
    print(f"serve: nginx config and logs in {supervisor.workdir}")
    print(f"serve: open {supervisor.url}", flush=True)
    try:
        supervisor.watch()
    finally:
        supervisor.stop()
        print("serve: stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
