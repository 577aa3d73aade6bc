"""Command line of the sample server: `python -m app.sample_api --data DIR --port N --token T`."""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

import uvicorn

from app.sample_api.faults import FAULT_KINDS, FaultPlan
from app.sample_api.server import create_app


def main(argv: list[str] | None = None) -> int:
    faults_help = "; ".join(f"{k}: {v}" for k, v in FAULT_KINDS.items())
    parser = argparse.ArgumentParser(
        prog="python -m app.sample_api", description="Serve sample antibody jobs over HTTP on 127.0.0.1."
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder with jobs/<job_id>.json and storage/ (default: the bundled samples)",
    )
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument(
        "--token",
        action="append",
        default=[],
        help="a bearer token that sees every job its x_sample.readers allows; repeat for more (default: one random, printed)",
    )
    parser.add_argument(
        "--limited-token", action="append", default=[], help="a valid token that has access to no job (403)"
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every job and storage request")
    parser.add_argument("--fault", choices=sorted(FAULT_KINDS), default=None, help=f"inject a fault: {faults_help}")
    parser.add_argument(
        "--fault-times", type=int, default=None, help="inject the fault this many times, then serve normally"
    )
    parser.add_argument("--fault-routes", choices=["jobs", "storage", "all"], default="jobs")
    parser.add_argument("--retry-after", type=float, default=1.0, help="Retry-After seconds sent with 429")
    parser.add_argument("--slow-s", type=float, default=30.0, help="delay of the 'slow' fault")
    args = parser.parse_args(argv)

    token, *more_tokens = args.token or [secrets.token_urlsafe(24)]
    faults = FaultPlan(
        kind=args.fault,
        times=args.fault_times,
        routes=args.fault_routes,
        retry_after_s=args.retry_after,
        slow_s=args.slow_s,
        latency_s=args.latency,
    )
    app = create_app(
        args.data,
        token=token,
        tokens=frozenset(more_tokens),
        limited_tokens=frozenset(args.limited_token),
        faults=faults,
    )
    if not args.token:
        print(f"token: {token}", file=sys.stderr)  # the operator's own random token, printed once to start
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
