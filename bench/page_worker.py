"""One page measurement in a fresh process (so "cold" means cold): `python -m bench.page_worker ARGS`.

Prints one JSON line. Run by `bench.run`; the API server lives in the parent process (its
address and token come through ABDASH_API_URL / ABDASH_API_TOKEN, as for the real dashboard).

cold  = the first run of the page for this job and section in a process that has already run the
        page once without a job, or with another job (`--warm-job`): modules imported, this job and
        its files not cached: a user's first open.
rerun = the median of further runs of the same session without any change.
widget = the median of runs that each change one of the open section's widgets (radio or
        selectbox keyed with the section's prefix), as a user does while reading a section.
Each is timed twice: `at.run()` as a whole (AppTest's own handling of the page included) and the
time spent in Streamlit's script thread alone (`*_script_s`), which is what a real server spends,
and that thread's CPU time (`*_cpu_s`: waits for the API excluded; steadier on a busy machine).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "streamlit_app.py"
BASELINE = ROOT / "bench" / "baseline_page.py"
PREFIX = {
    "Humanization": "hum-",
    "Structure": "struct-",
    "Stability": "stab-",
    "Immunogenicity": "immuno-",
    "Complex": "complex-",
}
# Functions that compute a section's heavy views (charts, 3D, tables, parsing), by name.
HEAVY_NAMES = {
    "parse_structure",
    "read_gemmi",
    "viewer_text",
    "compute_interface",
    "split_sides",
    "residue_confidence",
    "spans_from_numbering",
    "build_viewer_html",
}
# Which section a module's heavy functions belong to (modules shared by Structure and Complex say both).
OWNERS = [
    ("components/humanization", {"Humanization"}),
    ("app/humanization/", {"Humanization"}),
    ("components/stability", {"Stability"}),
    ("app/stability/", {"Stability"}),
    ("components/immunogenicity", {"Immunogenicity"}),
    ("app/immunogenicity/", {"Immunogenicity"}),
    ("components/complex", {"Complex"}),
    ("components/structure", {"Structure", "Complex"}),
    ("components/plddt_plot", {"Structure", "Complex"}),
    ("components/viewer", {"Structure", "Complex"}),
    ("app/structure/", {"Structure", "Complex"}),
]


def _owner(filename: str) -> set[str] | None:
    rel = filename.replace(str(ROOT) + "/", "")
    for prefix, owners in OWNERS:
        if rel.startswith(prefix):
            return owners
    return None


def heavy_calls(profile: cProfile.Profile) -> list[dict]:
    """Every call of a build_* or parsing function of ours during the profiled run, with its owner."""
    stats = pstats.Stats(profile)
    out = []
    for (filename, _line, name), (_cc, ncalls, _tt, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if not filename.startswith(str(ROOT)) or "/bench/" in filename or "/.venv" in filename:
            continue
        if name.startswith("build_") or name in HEAVY_NAMES:
            owners = _owner(filename)
            out.append(
                {
                    "function": f"{filename.replace(str(ROOT) + '/', '')}:{name}",
                    "calls": ncalls,
                    "cum_s": round(cumtime, 4),
                    "owners": sorted(owners) if owners else [],
                }
            )
    return sorted(out, key=lambda r: -r["cum_s"])


def top_functions(profile: cProfile.Profile, path: Path, limit: int = 45) -> None:
    with open(path, "w") as handle:
        stats = pstats.Stats(profile, stream=handle)
        stats.sort_stats("cumulative").print_stats(limit)
        handle.write("\n\n==== by own time ====\n")
        stats.sort_stats("tottime").print_stats(30)


RUNS = {"n": 0}
PROFILE: dict[str, cProfile.Profile | None] = {"current": None}
SCRIPT_S: list[float] = []  # time spent in Streamlit's script thread, one entry per script run
SCRIPT_CPU_S: list[float] = []  # that thread's CPU time, one entry per script run


def _profile_script_thread() -> None:
    """The page runs in Streamlit's script thread, which cProfile does not follow: profile it there."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    original = ScriptRunner._run_script

    def run_script(self, rerun_data):
        profile = PROFILE["current"]
        started, cpu_started = time.perf_counter(), time.thread_time()
        if profile is not None:
            profile.enable()
        try:
            return original(self, rerun_data)
        finally:
            if profile is not None:
                profile.disable()
            SCRIPT_S.append(time.perf_counter() - started)
            SCRIPT_CPU_S.append(time.thread_time() - cpu_started)

    setattr(ScriptRunner, "_run_script", run_script)  # noqa: B010 - a method replaced, not an attribute set


def _timed_run(
    at, profile: cProfile.Profile | None = None, script: list[float] | None = None, cpu: list[float] | None = None
) -> float:
    """Wall time of `at.run()` (AppTest included); the script thread's own time goes to `script`, its CPU time to `cpu`."""
    RUNS["n"] += 1
    PROFILE["current"] = profile
    SCRIPT_S.clear()
    SCRIPT_CPU_S.clear()
    start = time.perf_counter()
    at.run()
    PROFILE["current"] = None
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the page raised: {[e.message for e in at.exception][:3]}")
    if script is not None:
        script.append(sum(SCRIPT_S))
    if cpu is not None:
        cpu.append(sum(SCRIPT_CPU_S))
    return elapsed


def _widget(at, section: str | None):
    """A radio or selectbox of the open section with at least two options: (widget, option values)."""
    prefix = PREFIX.get(section or "")
    if not prefix:
        return None
    for kind in (at.radio, at.selectbox):
        for w in kind:
            # only widgets without a format_func: AppTest sets values, but lists formatted labels
            if (w.key or "").startswith(prefix) and len(w.options) >= 2 and not w.disabled and w.value in w.options:
                return w
    return None


def measure(
    script: Path, job_id: str, section: str | None, reruns: int, profile_dir: Path | None, warm_job: str | None = None
) -> dict:
    from streamlit.testing.v1 import AppTest

    _profile_script_thread()
    timeout = 900
    warm_up = AppTest.from_file(str(script), default_timeout=timeout)
    if warm_job:
        warm_up.query_params["job_id"] = warm_job
    _timed_run(warm_up)  # imports, server connection, sidebar: no job yet, or another job
    at = AppTest.from_file(str(script), default_timeout=timeout)
    at.query_params["job_id"] = job_id
    if section:
        at.query_params["section"] = section
    cold_profile = cProfile.Profile() if profile_dir else None
    RUNS["n"] = 0
    cold_script: list[float] = []
    cold_cpu: list[float] = []
    cold = _timed_run(at, cold_profile, cold_script, cold_cpu)
    result: dict = {"cold_s": cold, "cold_script_s": cold_script[0], "cold_cpu_s": cold_cpu[0]}
    rerun_script: list[float] = []
    rerun_cpu: list[float] = []
    rerun_times = [_timed_run(at, None, rerun_script, rerun_cpu) for _ in range(reruns)]
    result["rerun_cpu_s"] = statistics.median(rerun_cpu)
    result["rerun_s"] = statistics.median(rerun_times)
    result["rerun_script_s"] = statistics.median(rerun_script)
    result["rerun_all_s"] = rerun_times
    widget = _widget(at, section)
    if widget is not None:
        key, options, original = widget.key, list(widget.options), widget.value
        kind = "radio" if widget in list(at.radio) else "selectbox"
        times = []
        for i in range(max(2, reruns - 1)):
            target = at.radio(key=key) if kind == "radio" else at.selectbox(key=key)
            target.set_value(options[(options.index(original) + 1) % len(options)] if i % 2 == 0 else original)
            times.append(_timed_run(at))
        result["widget"] = key
        result["widget_s"] = statistics.median(times)
        target = at.radio(key=key) if kind == "radio" else at.selectbox(key=key)
        target.set_value(original)
        _timed_run(at)
    warm_profile = cProfile.Profile()
    result["rerun_profiled_s"] = _timed_run(at, warm_profile)
    result["heavy_rerun"] = heavy_calls(warm_profile)
    if profile_dir is not None and cold_profile is not None:
        name = f"{script.stem}-{section or 'Overview'}-{job_id[:8]}"
        top_functions(cold_profile, profile_dir / f"profile-{name}-cold.txt")
        top_functions(warm_profile, profile_dir / f"profile-{name}-rerun.txt")
        result["heavy_cold"] = heavy_calls(cold_profile)
    result["runs"] = RUNS["n"]
    result["tabs"] = [t.label for t in at.tabs] if hasattr(at, "tabs") else []
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", action="store_true", help="run bench/baseline_page.py instead of the dashboard")
    parser.add_argument("--job", required=True)
    parser.add_argument("--section")
    parser.add_argument("--reruns", type=int, default=5)
    parser.add_argument("--profile-dir", type=Path)
    parser.add_argument("--warm-job", help="serve this other job (its default section) before the measured one")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    script = BASELINE if args.baseline else PAGE
    result = measure(script, args.job, args.section, args.reruns, args.profile_dir, args.warm_job)
    print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
