"""The review pages' benchmark: the Review section of a large job and the compare page of 6 large
jobs (12 strategies each), against bare pages that show the same jobs with st.json.

    python -m bench.reviews            # prints the table, writes bench/results/reviews.json

Targets (issue 15): warm ≤ 1.5× and cold ≤ 3× the bare page; one review query per rerun. Each row
runs in fresh processes (cold = the first run with the jobs after a run without them); the review
database is a SQLite file seeded with 2 decisions and 1 comment per candidate. The jobs are copies
of bench.make_jobs' derived large job with fresh job and row ids.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
JOBS = 6
KINDS = ("bare-review", "review", "bare-compare", "compare")


def make_jobs(out: Path) -> list[str]:
    from bench import make_jobs as mj

    large = mj.derive_large(out)
    body = json.loads((out / "jobs" / f"{large}.json").read_text())
    ids = []
    for n in range(JOBS):
        job = copy.deepcopy(body)
        job_id = mj.uid(f"reviews/{n}")
        job["job"]["id"] = job_id
        for i, row in enumerate(job["results"]):
            row["id"], row["job_id"] = mj.uid(f"reviews/{n}/{i}"), job_id
        (out / "jobs" / f"{job_id}.json").write_text(json.dumps(job))
        ids.append(job_id)
    (out / "jobs" / f"{large}.json").unlink()
    return ids


def seed(db_dir: Path, data: Path, ids: list[str]) -> int:
    from app.reviews.candidates import job_candidates
    from app.reviews.store import ReviewStore
    from app.settings import load_settings

    store = ReviewStore(load_settings({"ABDASH_DATA_DIR": str(db_dir)}).review_database_url())
    rows = 0
    for job_id in ids:
        raw = json.loads((data / "jobs" / f"{job_id}.json").read_text())
        for c in job_candidates(job_id, raw):
            for decision, comment in (("Hold", None), ("Advance", "bench comment")):
                store.record(
                    job_id=job_id, candidate_key=c.key, strategy=c.strategy, author="Bench",
                    author_kind="self-declared", fingerprint=c.fingerprint, decision=decision, comment=comment,
                )  # fmt: skip
                rows += 1 + (comment is not None)
    store.close()
    return rows


def worker(kind: str, ids: list[str], reruns: int) -> dict[str, Any]:
    """In a fresh process: warm-up run without jobs, the cold run, then `reruns` unchanged reruns."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from streamlit.testing.v1 import AppTest

    from bench.page_worker import _profile_script_thread, _timed_run

    _profile_script_thread()
    script = {
        "review": ROOT / "streamlit_app.py",
        "compare": ROOT / "streamlit_app.py",
        "bare-review": ROOT / "bench" / "baseline_page.py",
        "bare-compare": ROOT / "bench" / "baseline_compare.py",
    }[kind]

    def page() -> Any:
        at = AppTest.from_file(str(script), default_timeout=900)
        if kind == "compare":
            at.switch_page("views/compare.py")
        return at

    _timed_run(page())  # imports, the server connection: no job yet
    at = page()
    if kind in ("review", "bare-review"):
        at.query_params["job_id"] = ids[0]
        at.query_params["section"] = "Review"
    else:
        at.query_params["jobs"] = ",".join(ids)
    statements: list[str] = []
    event.listen(Engine, "before_cursor_execute", lambda _c, _cur, statement, *_: statements.append(statement))
    cold_script: list[float] = []
    cold = _timed_run(at, None, cold_script)
    statements.clear()
    warm_script: list[float] = []
    warm = [_timed_run(at, None, warm_script) for _ in range(reruns)]
    review_queries = sum("review_" in s for s in statements) / reruns
    return {
        "cold_s": cold, "cold_script_s": cold_script[0], "warm_s": statistics.median(warm),
        "warm_script_s": statistics.median(warm_script), "review_queries_per_rerun": review_queries,
    }  # fmt: skip


def run_worker(server: Any, kind: str, ids: list[str], db_dir: Path, reruns: int) -> dict[str, Any]:
    env = {
        **os.environ, "ABDASH_API_URL": server.url, "ABDASH_API_TOKEN": server.token, "ABDASH_TIMEOUT_S": "60",
        "ABDASH_DATA_DIR": str(db_dir),
    }  # fmt: skip
    env.pop("ABDASH_REVIEW_DB_URL", None)
    command = [
        sys.executable,
        "-m",
        "bench.reviews",
        "--worker",
        kind,
        "--jobs",
        ",".join(ids),
        "--reruns",
        str(reruns),
    ]
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1][:300]}
    return json.loads(lines[-1][len("RESULT ") :])


def report(rows: dict[str, dict[str, Any]]) -> str:
    def ratio(page: str, bare: str, what: str) -> str:
        a, b = rows[page].get(what), rows[bare].get(what)
        return f"{a / b:.2f}×" if a and b else "—"

    lines = [
        "| page (Review: 1 job; compare: 6 jobs; 12 strategies each) | cold s (script) | warm s (script) | review queries per rerun | cold / bare | warm / bare |",
        "|---|---|---|---|---|---|",
    ]
    for kind, bare in (("review", "bare-review"), ("compare", "bare-compare")):
        for name in (bare, kind):
            r = rows[name]
            if "error" in r:
                lines.append(f"| {name} | ERROR {r['error']} | | | | |")
                continue
            ratios = (
                f"{ratio(kind, bare, 'cold_script_s')} (target ≤ 3×) | {ratio(kind, bare, 'warm_script_s')} (target ≤ 1.5×)"
                if name == kind
                else "| "
            )
            lines.append(
                f"| {name} | {r['cold_s']:.2f} ({r['cold_script_s']:.2f}) | {r['warm_s']:.3f} ({r['warm_script_s']:.3f}) "
                f"| {r['review_queries_per_rerun']:g} | {ratios} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reviews")
    parser.add_argument("--worker", choices=KINDS)
    parser.add_argument("--jobs", default="")
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument("--processes", type=int, default=3, help="fresh processes per row (medians)")
    args = parser.parse_args(argv)
    if args.worker:
        print("RESULT " + json.dumps(worker(args.worker, args.jobs.split(","), args.reruns)), flush=True)
        return 0

    from app.sample_api import start_in_thread

    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="abdash-bench-reviews-") as tmp:
        data, db_dir = Path(tmp) / "data", Path(tmp) / "db"
        ids = make_jobs(data)
        seeded = seed(db_dir, data, ids)
        print(f"{len(ids)} jobs, {seeded} review rows seeded", file=sys.stderr)
        server = start_in_thread(data)
        try:
            runs: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
            for turn in range(args.processes):
                for kind in KINDS:
                    result = run_worker(server, kind, ids, db_dir, args.reruns)
                    runs[kind].append(result)
                    print(f"[{turn + 1}/{args.processes}] {kind}: {result}", file=sys.stderr)
        finally:
            server.stop()
    rows = {}
    for kind, found in runs.items():
        good = [r for r in found if "error" not in r]
        rows[kind] = {k: statistics.median(r[k] for r in good) for k in good[0]} if good else found[0]
    (RESULTS / "reviews.json").write_text(json.dumps({"rows": rows, "at": time.strftime("%Y-%m-%d %H:%M")}, indent=1))
    text = report(rows)
    (RESULTS / "reviews.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
