"""The dashboard's benchmark: `python -m bench` (or `python -m bench.run`). Prints one table.

Not part of the tests. Writes bench/results/ (git-ignored): results.json, results.md, the jobs it
made (data/), cProfile listings (profile-*.txt, with --profile) and the browser's screenshot.

What it measures, in one run against the sample API server on loopback (started here, stopped at
the end), on the large benchmark job (see bench/make_jobs.py):
  page     the job page's script run per section, cold and warm (AppTest, a fresh process per
           measurement), next to bench/baseline_page.py (fetch + st.json) measured the same way;
  growth   the same at 1×, 4× and 16× the job (residues, strategies, ddG positions, epitopes);
  requests requests that reach the API for one job over the runs of each measurement, and
           while a browser follows a running (scheduled) job;
  bytes    what one page view sends to a real browser (websocket frames + HTTP bodies) against
           the structure file + 3Dmol.js, and whether the structure travels twice;
  browser  time until the 3D view of the large structure has drawn, in headless Chromium;
  heavy    build_*/parsing functions that run on a rerun, and whose section they belong to.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
BUILD_VENV = ROOT / ".venv-build" / "bin" / "python"
SECTIONS = ["Overview", "Humanization", "Structure", "Stability", "Immunogenicity", "Complex"]
WORKER_TIMEOUT_S = 900
sys.path.insert(0, str(ROOT))


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- machine -----------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    import streamlit

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "streamlit": streamlit.__version__,
        "os": platform.platform(),
    }


# --- jobs ----------------------------------------------------------------------------------------------


def prepare_jobs(args: argparse.Namespace) -> dict[str, Any]:
    from bench import make_jobs

    data = RESULTS / "data"
    builder_dir: Path | None = args.builder_dir
    if builder_dir is None and not args.derive and BUILD_VENV.exists():
        builder_dir = RESULTS / "builder-large"
        if not (builder_dir / "jobs").is_dir():
            log(f"building the large job with the sample builder ({BUILD_VENV}) …")
            subprocess.run(
                [str(BUILD_VENV), "-m", "app.sample_api.build", "--large", str(builder_dir)], cwd=ROOT, check=True
            )
    if data.exists():
        import shutil

        shutil.rmtree(data)
    made = make_jobs.make_all(data, builder_dir, tuple(args.factors))
    made["data"] = str(data)
    made["stats"] = {"large": make_jobs.job_stats(data, made["large"])}
    made["stats"].update({f"x{f}": make_jobs.job_stats(data, j) for f, j in made["scaled"].items()})
    return made


# --- AppTest measurements (one process each) ------------------------------------------------------


def run_worker(
    server, job: str, section: str | None, *, baseline: bool = False, reruns: int = 5, profile_dir: Path | None = None
) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.page_worker", "--job", job, "--reruns", str(reruns)]
    if section and not baseline:
        cmd += ["--section", section]
    if baseline:
        cmd.append("--baseline")
    if profile_dir is not None:
        cmd += ["--profile-dir", str(profile_dir)]
    env = {**os.environ, "ABDASH_API_URL": server.url, "ABDASH_API_TOKEN": server.token, "ABDASH_TIMEOUT_S": "60"}
    env.pop("ABDASH_SAMPLE_DATA", None)
    before = len(server.app.state.requests)
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {WORKER_TIMEOUT_S} s"}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1][:300]}
    result = json.loads(lines[-1][len("RESULT ") :])
    requests = server.app.state.requests[before:]
    result["requests_job"] = sum(1 for r in requests if r.path == f"/jobs/{job}")
    result["requests_storage"] = sum(1 for r in requests if r.path.startswith("/storage/"))
    result["requests_other"] = len(requests) - result["requests_job"] - result["requests_storage"]
    result["process_s"] = round(time.perf_counter() - started, 2)
    return result


def sections_of(data: Path, job: str) -> list[str]:
    body = json.loads((data / "jobs" / f"{job}.json").read_text())
    present = {
        "Overview": True,
        "Humanization": bool(body.get("results")),
        "Structure": bool(body.get("structure_result")),
        "Stability": bool(body.get("stability_result")),
        "Immunogenicity": bool(body.get("immunogenicity_result")),
        "Complex": bool(body.get("complex_result")),
    }
    return [s for s in SECTIONS if present[s]]


TIMES = ("cold_s", "cold_script_s", "rerun_s", "rerun_script_s", "widget_s")


def _combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several fresh processes of one row: the median of each time; the rest (requests, heavy calls)
    from the first process; every process's cold time kept in `cold_each_s`."""
    good = [r for r in runs if "error" not in r]
    if not good:
        return runs[0]
    out = dict(good[0])
    for name in TIMES:
        values = [r[name] for r in good if name in r]
        if values:
            out[name] = statistics.median(values)
    out["cold_each_s"] = [round(r["cold_s"], 3) for r in good]
    out["processes"] = len(good)
    return out


def page_costs(
    server, data: Path, job: str, reruns: int, profile_dir: Path | None, label: str, processes: int = 1
) -> dict[str, Any]:
    """Each row (the baseline, then every section) in `processes` fresh processes, taken in turns
    (baseline, sections, baseline, sections, …) so that a change in the machine's load touches all rows alike."""
    rows = [None, *sections_of(data, job)]
    runs: dict[str | None, list[dict[str, Any]]] = {row: [] for row in rows}
    for turn in range(processes):
        for row in rows:
            result = run_worker(
                server, job, row, baseline=row is None, reruns=reruns, profile_dir=profile_dir if turn == 0 else None
            )
            runs[row].append(result)
            log(
                f"  [{label}{f' {turn + 1}/{processes}' if processes > 1 else ''}] {row or 'baseline'}: {short(result)}"
            )
    return {(row or "baseline"): _combine(found) for row, found in runs.items()}


def short(r: dict[str, Any]) -> str:
    if "error" in r:
        return "ERROR " + r["error"]
    return f"cold {r['cold_s']:.2f} s, rerun {r['rerun_s']:.2f} s" + (
        f", widget {r['widget_s']:.2f} s" if "widget_s" in r else ""
    )


# --- browser ------------------------------------------------------------------------------------------


def browser_measurements(server, data: Path, made: dict[str, Any], skip_follow: bool) -> dict[str, Any]:
    from bench.browser import measure_in_browser

    return measure_in_browser(server, data, made, RESULTS, follow=not skip_follow)


# --- report -------------------------------------------------------------------------------------------


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0:
        return None
    return a / b


def fmt(x: float | None, unit: str = "", digits: int = 2) -> str:
    if x is None:
        return "—"
    return f"{x:.{digits}f}{unit}"


def page_table(costs: dict[str, Any]) -> list[str]:
    """Times as `at.run()` wall time, then the script thread's alone ("script"), each with its ratio to
    the baseline's same figure; the targets (cold ≤ 3×, warm ≤ 1.5×) are checked on both."""
    base = costs["baseline"]
    lines = [
        "| section | cold (s) | cold / baseline | cold, script (s) | / baseline | warm rerun (s) | rerun / baseline | "
        "rerun, script (s) | / baseline | widget change (s) | widget / baseline rerun | API requests (job, files) over the runs of one process |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    flag = lambda x, t: "" if x is None else (" ✅" if x <= t else " ❌")  # noqa: E731
    processes = base.get("processes", 1)
    lines.append(
        f"| baseline (fetch + st.json) | {fmt(base.get('cold_s'))} | 1.00 | {fmt(base.get('cold_script_s'))} | 1.00 | "
        f"{fmt(base.get('rerun_s'))} | 1.00 | {fmt(base.get('rerun_script_s'))} | 1.00 | — | — | "
        f"{base.get('requests_job', '—')}, {base.get('requests_storage', '—')} over {base.get('runs', '—')} runs |"
    )
    for section in SECTIONS:
        r = costs.get(section)
        if r is None:
            continue
        if "error" in r:
            lines.append(f"| {section} | {r['error']} |" + " |" * 11)
            continue
        cells = []
        for name, target in (("cold_s", 3), ("cold_script_s", 3), ("rerun_s", 1.5), ("rerun_script_s", 1.5)):
            x = ratio(r.get(name), base.get(name))
            cells += [fmt(r.get(name)), f"{fmt(x)}×{flag(x, target)}"]
        widget_ratio = ratio(r.get("widget_s"), base.get("rerun_s"))
        cells += [
            fmt(r.get("widget_s")) + (f" ({r['widget']})" if r.get("widget") else ""),
            f"{fmt(widget_ratio)}{'×' if widget_ratio else ''}",
        ]
        cells.append(f"{r['requests_job']}, {r['requests_storage']} over {r['runs']} runs")
        lines.append(f"| {section} | " + " | ".join(cells) + " |")
    if processes > 1:
        lines.append("")
        lines.append(
            f"Each row: the median of {processes} fresh processes, run in turns. Cold times of each process: "
            + "; ".join(
                f"{name} {', '.join(f'{t:.2f}' for t in r.get('cold_each_s', []))}"
                for name, r in costs.items()
                if isinstance(r, dict) and r.get("cold_each_s")
            )
            + " s."
        )
    return lines


def growth_table(growth: dict[str, Any], factors: list[int]) -> list[str]:
    head = (
        "| section | "
        + " | ".join(f"{f}× cold / rerun (s)" for f in factors)
        + " | cold growth 1→"
        + str(factors[-1])
        + "× (size ×"
        + str(factors[-1])
        + ") | rerun growth | exponent (cold, rerun) |"
    )
    lines = [head, "|" + "---|" * (len(factors) + 4)]
    for section in ["baseline", *SECTIONS]:
        cells, colds, reruns = [], [], []
        for f in factors:
            r = growth.get(f"x{f}", {}).get(section)
            if r is None:
                cells.append("—")
                colds.append(None)
                reruns.append(None)
                continue
            if "error" in r:
                cells.append(r["error"])
                colds.append(None)
                reruns.append(None)
                continue
            cells.append(f"{r['cold_s']:.2f} / {r['rerun_s']:.2f}")
            colds.append(r["cold_s"])
            reruns.append(r["rerun_s"])
        if all(c is None for c in colds):
            continue
        gc, gr = ratio(colds[-1], colds[0]), ratio(reruns[-1], reruns[0])
        span = factors[-1] / factors[0]
        exp = lambda g, span=span: None if g is None or g <= 0 else math.log(g) / math.log(span)  # noqa: E731
        ok = lambda g, span=span: "" if g is None else (" ✅" if g <= span * 1.1 else " ❌")  # noqa: E731
        lines.append(
            f"| {section} | "
            + " | ".join(cells)
            + f" | {fmt(gc)}×{ok(gc)} | {fmt(gr)}×{ok(gr)} | {fmt(exp(gc))}, {fmt(exp(gr))} |"
        )
    return lines


def heavy_table(costs: dict[str, Any]) -> list[str]:
    lines = [
        "| open section | heavy functions run on a warm rerun | of which belong to another section |",
        "|---|---|---|",
    ]
    for section in SECTIONS:
        r = costs.get(section)
        if not r or "heavy_rerun" not in r:
            continue
        calls = r["heavy_rerun"]
        foreign = [c for c in calls if c["owners"] and section not in c["owners"]]
        names = ", ".join(f"{c['function'].split(':')[-1]}×{c['calls']}" for c in calls) or "none"
        lines.append(f"| {section} | {names} | {', '.join(c['function'] for c in foreign) or 'none'} |")
    return lines


def render_report(res: dict[str, Any]) -> str:
    m = res["machine"]
    made = res["jobs"]
    st = made["stats"]
    out = [
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM; Python {m['python']}, Streamlit {m['streamlit']}.",
        f"Large job: {made['source']}: " + ", ".join(f"{k} {v}" for k, v in st["large"].items()) + ".",
        "",
    ]
    out += [
        "### Page cost on the large job (AppTest; fresh processes per row; 'script' = time in the script thread alone)",
        "",
        *page_table(res["page"]),
        "",
    ]
    if res.get("growth"):
        sizes = "; ".join(
            f"{k}: {v['strategies']} strategies, {v['residues']} residues, {v['ddg_positions']} ddG positions, {v['epitopes']} epitopes, structure {v['structure_bytes'] / 1e6:.1f} MB"
            for k, v in st.items()
            if k.startswith("x")
        )
        out += [
            "### Growth (same measurement on the scaled jobs)",
            "",
            sizes,
            "",
            *growth_table(res["growth"], res["factors"]),
            "",
        ]
    out += ["### Heavy views on a warm rerun", "", *heavy_table(res["page"]), ""]
    b = res.get("browser")
    if b:
        out += ["### Browser (headless Chromium, real `streamlit run`)", ""]
        for view in b.get("views", []):
            other = view["http_bytes"] - view.get("frontend_bytes", 0) - view["threedmol_bytes"] - view["media_bytes"]
            out.append(
                f"- {view['section']} view of the large job: websocket {view['ws_bytes'] / 1e6:.2f} MB; HTTP {view['http_bytes'] / 1e6:.2f} MB "
                f"in {view['http_count']} responses = Streamlit's own frontend {view.get('frontend_bytes', 0) / 1e6:.2f} MB (first visit, then browser-cached) "
                f"+ 3Dmol.js {view['threedmol_bytes'] / 1e6:.2f} MB (gzip) + /media {view['media_bytes'] / 1e3:.1f} kB "
                f"({', '.join(n.rsplit('.', 1)[-1] for n, _ in view.get('media_urls', [])) or 'none'}) + other {other / 1e3:.1f} kB. "
                f"Without the frontend: {(view['total_bytes'] - view.get('frontend_bytes', 0)) / 1e6:.2f} MB against structure file "
                f"{view['structure_bytes'] / 1e6:.2f} MB + 3Dmol.js {view['threedmol_file_bytes'] / 1e6:.2f} MB = {view['floor_bytes'] / 1e6:.2f} MB "
                f"(ratio {(view['total_bytes'] - view.get('frontend_bytes', 0)) / view['floor_bytes']:.2f}). "
                f"The structure's text travels {view['structure_copies']}× over the websocket"
                + (
                    " and not over /media"
                    if not any(n.endswith((".pdb", ".cif")) for n, _ in view.get("media_urls", []))
                    else " AND AGAIN over /media"
                )
                + (
                    f"; 3D view drawn {view['draw_s']:.1f} s after navigation (page idle at {view['page_idle_s']:.1f} s)"
                    if view.get("draw_s") is not None
                    else ("; 3D view NOT detected as drawn" if view["structure_bytes"] else "")
                )
                + (
                    f"; a colour/style change then sends {view['rerun_ws_bytes'] / 1e6:.2f} MB (the viewer page again, new colours)"
                    if view.get("rerun_ws_bytes") is not None
                    else ""
                )
                + "."
            )
        f = b.get("follow")
        if f:
            out.append(
                f"- Following a running job ({f['job']}, scheduled pending {f['pending_s']:g} s → running {f['running_s']:g} s → completed): "
                f"{f['requests_until_done']} job requests in {f['until_done_s']:.1f} s while it ran "
                f"(polling every {f['poll_s']:g} s: {f['requests_per_poll']:.2f} requests per poll), "
                f"then {f['requests_after_done']} more in the {f['after_s']:g} s after it completed."
            )
        out.append("")
    if res.get("runs"):
        from bench import runs as runs_bench

        out += runs_bench.table(res["runs"])
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="The dashboard's benchmark (prints a table).")
    parser.add_argument(
        "--builder-dir", type=Path, help="use this `python -m app.sample_api.build --large DIR` output as the large job"
    )
    parser.add_argument(
        "--derive",
        action="store_true",
        help="derive the large job from the committed samples even if .venv-build exists",
    )
    parser.add_argument("--factors", default="1,4,16", help="growth factors (default 1,4,16)")
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument(
        "--processes",
        type=int,
        default=3,
        help="fresh processes per row of the page table (medians; default 3; growth uses 1)",
    )
    parser.add_argument("--skip-growth", action="store_true")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-follow", action="store_true")
    parser.add_argument("--skip-reviews", action="store_true", help="skip bench.reviews (Review tab, compare page)")
    parser.add_argument("--skip-runs", action="store_true", help="skip the local-runs rows (bench/runs.py)")
    parser.add_argument("--only-runs", action="store_true", help="only the local-runs rows (bench/runs.py)")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile the cold runs (slower) into bench/results/profile-*.txt"
    )
    parser.add_argument("--sections", help="comma-separated subset of sections for the page table")
    parser.add_argument(
        "--report-only", action="store_true", help="print the table of the last run (bench/results/results.json)"
    )
    args = parser.parse_args(argv)
    args.factors = [int(f) for f in args.factors.split(",")]
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.report_only:
        report = render_report(json.loads((RESULTS / "results.json").read_text()))
        (RESULTS / "results.md").write_text(report)
        print(report)
        return 0

    if args.only_runs:
        from bench import runs as runs_bench

        return runs_bench.main(["--processes", str(args.processes)])

    from app.sample_api import start_in_thread

    res: dict[str, Any] = {"machine": machine(), "factors": args.factors, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    log("preparing jobs …")
    made = prepare_jobs(args)
    res["jobs"] = made
    data = Path(made["data"])
    server = start_in_thread(data)
    try:
        log("page cost on the large job …")
        global SECTIONS
        if args.sections:
            SECTIONS = [s for s in SECTIONS if s in args.sections.split(",")]
        res["page"] = page_costs(server, data, made["large"], args.reruns, None, "large", processes=args.processes)
        if args.profile:  # a separate pass: the profiler slows the runs it watches
            log("profiling the large job (times not used) …")
            res["profiled"] = page_costs(server, data, made["large"], 1, RESULTS, "profile")
        if not args.skip_growth:
            res["growth"] = {}
            for f, job in made["scaled"].items():
                log(f"growth {f}× …")
                res["growth"][f"x{f}"] = page_costs(server, data, job, max(3, args.reruns - 2), None, f"{f}×")
        if not args.skip_browser:
            log("browser …")
            res["browser"] = browser_measurements(server, data, made, args.skip_follow)
    finally:
        server.stop()
    if not args.skip_runs:
        from bench import runs as runs_bench

        log("local runs …")
        res["runs"] = runs_bench.measure(args.processes)
    (RESULTS / "results.json").write_text(json.dumps(res, indent=2, default=str))
    report = render_report(res)
    (RESULTS / "results.md").write_text(report)
    print(report)
    if not args.skip_reviews:  # its own jobs, server and table (bench/results/reviews.md)
        from bench import reviews

        reviews.main(["--processes", str(args.processes), "--reruns", str(args.reruns)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
