"""`python -m bench.load`: many browser sessions at once, against one process and against serve.sh.

Each session is a Chromium context (one browser, N contexts, Playwright's async API) that opens the
cetuximab sample job and then switches sections with think time. A switch is timed in the page
(performance.now): from the tab's click to the end of the script run it caused (the app's
data-test-script-state going from running to notRunning) with the tab selected and its panel holding
content. Sections: Overview, Humanization, Stability, Immunogenicity. The Structure tab is left out on
purpose: its WebGL viewer, software-rendered in 25 contexts, would measure the load generator.

Targets: `single` (one `streamlit run`) and `replicas` (bash scripts/serve.sh --replicas 2: nginx in
front). Each (target, session count) gets fresh processes: memory per session is the growth of the
servers' resident memory (VmRSS, /proc/<pid>/status) from after one warm-up visit to the end of the
run, over the session count. CPU: utime+stime from /proc/<pid>/stat over the measured window, for the
servers, for this process and its Chromium (the load generator), and for the whole machine
(/proc/stat), in % of one core. Loopback only; every wait is bounded; every process is stopped.

    python -m bench.load                        # 1, 5, 10, 25 sessions; both targets
    python -m bench.load --sessions 1,5 --targets replicas --switches 4

Writes bench/results/load.json and prints a Markdown table (the README's "Serving many users").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from app.sample_api import start_in_thread  # noqa: E402
from tests.processes import CHROMIUM, CHROMIUM_ARGS, DashboardProcess, ServedDashboard, descendants  # noqa: E402

JOB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"  # cetuximab full analysis
SECTIONS = ["Overview", "Humanization", "Stability", "Immunogenicity"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
SWITCH_TIMEOUT_MS = 60_000
TICKS = os.sysconf("SC_CLK_TCK")

# Counts the websocket messages the page sends (a rerun request is one), before the app's own script runs.
_COUNT_SENDS_JS = """(() => {
  const send = WebSocket.prototype.send;
  window.__abdashSent = 0;
  WebSocket.prototype.send = function (data) { window.__abdashSent += 1; return send.call(this, data); };
})();"""

# Click the tab named `label`; resolve with {ms, rerun}: the time until the tab is selected, its panel
# holds content and the script is idle, and, when the click sent a rerun request, that run has ended.
_SWITCH_JS = """async (label) => {
  const app = () => document.querySelector("[data-testid='stApp']");
  const tabOf = () => {
    const bar = document.querySelector("[data-testid='stTabs']");
    return bar && Array.from(bar.querySelectorAll("[data-testid='stTab']")).find(t => t.innerText.trim() === label);
  };
  const tab = tabOf();
  if (!tab) throw new Error("no tab " + label);
  const sent = window.__abdashSent;
  return await new Promise((resolve, reject) => {
    let ended = false, running = false, sentAt = null, unseen = false;
    const done = () => {  // elements are looked up afresh: a rerun may replace them
      const bar = document.querySelector("[data-testid='stTabs']");
      const now = tabOf();
      const panel = bar && bar.querySelector("[role='tabpanel']:not([hidden])");
      const shown = app().getAttribute('data-test-script-state') === 'notRunning'
        && now && now.getAttribute('aria-selected') === 'true'
        && panel && panel.querySelector("[data-testid='stElementContainer']");
      const rerun = window.__abdashSent > sent;
      if (rerun && sentAt === null) sentAt = performance.now();
      // A message went out but no run was seen 2 s on, the panel showing: the page needed no run
      // (seen on a second visit to Overview); counted apart, not as a 60-s timeout.
      if (shown && rerun && !running && performance.now() - sentAt > 2000) { unseen = true; return true; }
      return shown && (rerun ? ended : performance.now() - t0 > 300);
    };
    const finish = () => {
      observer.disconnect(); clearInterval(poll); clearTimeout(timer);
      resolve({ms: performance.now() - t0, rerun: window.__abdashSent > sent && !unseen});
    };
    const observer = new MutationObserver(records => {
      for (const r of records) {
        if (r.attributeName !== 'data-test-script-state') continue;
        if (r.target.getAttribute('data-test-script-state') === 'running') running = true;
        if (r.oldValue === 'running') { running = true; ended = true; }
      }
      if (done()) finish();
    });
    observer.observe(document.body, {subtree: true, attributes: true, attributeOldValue: true, childList: true});
    const poll = setInterval(() => { if (done()) finish(); }, 50);
    const timer = setTimeout(() => { observer.disconnect(); clearInterval(poll); reject(new Error("switch timed out")); }, TIMEOUT_MS);
    const t0 = performance.now();
    tab.click();
  });
}""".replace("TIMEOUT_MS", str(SWITCH_TIMEOUT_MS))


# --- /proc readings ---------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, in seconds (fields 14 and 15 of /proc/<pid>/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from the first line of /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(sum(values))


class CpuWindow:
    """CPU seconds of a changing set of processes between start() and the last sample().

    Processes that appear later (Chromium's renderers) count from zero; one that ended keeps its last value.
    """

    def __init__(self, pids: Callable[[], list[int]]) -> None:
        self._pids = pids
        self._base: dict[int, float] = {}
        self._last: dict[int, float] = {}

    def start(self) -> None:
        for pid in self._pids():
            self._base[pid] = self._last[pid] = cpu_seconds(pid)

    def sample(self) -> None:
        for pid in self._pids():
            self._last[pid] = max(self._last.get(pid, 0.0), cpu_seconds(pid))

    def seconds(self) -> float:
        return sum(value - self._base.get(pid, 0.0) for pid, value in self._last.items())


# --- one run ------------------------------------------------------------------------------------------


@dataclass
class Level:
    target: str
    sessions: int
    client: str = "browser"  # or "protocol": Streamlit's websocket messages as Chromium sends them
    switches: list[float] = field(default_factory=list)  # ms, switches whose click sent a rerun request
    no_rerun: list[float] = field(default_factory=list)  # ms, switches the page did without a script run
    failed: int = 0
    window_s: float = 0.0
    server_cpu_pct: float = 0.0
    generator_cpu_pct: float = 0.0
    machine_cpu_pct: float = 0.0  # of all cores together, as % of one core
    server_rss_mb_idle: float = 0.0
    server_rss_mb_peak: float = 0.0
    server_processes: int = 0
    cut_at_s: float | None = None  # the sessions were stopped at this bound before all their switches

    def percentile(self, q: float) -> float | None:
        if not self.switches:
            return None
        ordered = sorted(self.switches)
        return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]

    @property
    def mb_per_session(self) -> float:
        return (self.server_rss_mb_peak - self.server_rss_mb_idle) / self.sessions


async def _session(browser, url: str, switches: int, think_s: tuple[float, float], seed: int, out: Level) -> None:
    rng = random.Random(seed)
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    await context.add_init_script(_COUNT_SENDS_JS)
    try:
        page = await context.new_page()
        await asyncio.sleep(rng.uniform(0, think_s[1]))  # arrivals spread over one think time
        await page.goto(url, timeout=120_000)
        await page.wait_for_selector("[data-testid='stTab']", timeout=120_000)
        await page.wait_for_selector(IDLE, timeout=120_000)
        current = "Overview"
        for _ in range(switches):
            await asyncio.sleep(rng.uniform(*think_s))
            current = rng.choice([s for s in SECTIONS if s != current])
            try:
                result = await page.evaluate(_SWITCH_JS, current)
                (out.switches if result["rerun"] else out.no_rerun).append(float(result["ms"]))
                await page.wait_for_selector(IDLE, timeout=120_000)
            except Exception:
                out.failed += 1
                await page.wait_for_selector(IDLE, timeout=120_000)
    finally:
        await context.close()


async def _bounded(runs: list[Any], timeout_s: float, level: Level) -> None:
    """Run the sessions at once; past `timeout_s` stop them and keep what was measured (the table says so)."""
    try:
        await asyncio.wait_for(asyncio.gather(*runs), timeout=timeout_s)
    except TimeoutError:
        level.cut_at_s = timeout_s


def _server_pids(target: Any) -> list[int]:
    if isinstance(target, ServedDashboard):
        return [target.replica_pid(port) for port in target.replica_ports]
    return [target.proc.pid]


def _warm_up(browser_url: str) -> None:
    """One visit through the target (fills the job cache of whichever replica it lands on)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(browser_url, timeout=120_000)
            page.wait_for_selector("[data-testid='stTab']", timeout=120_000)
            page.wait_for_selector(IDLE, timeout=120_000)
        finally:
            browser.close()


async def _drive(url: str, sessions: int, switches: int, think_s: tuple[float, float], level: Level, pids) -> None:
    from playwright.async_api import async_playwright

    server_cpu = CpuWindow(pids)
    generator = CpuWindow(lambda: [os.getpid(), *sorted(descendants(os.getpid()))])
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            server_cpu.start()
            generator.start()
            busy0, total0 = machine_busy()
            started = time.monotonic()

            async def sample_memory() -> None:
                while True:
                    level.server_rss_mb_peak = max(level.server_rss_mb_peak, sum(rss_mb(p) for p in pids()))
                    generator.sample()
                    server_cpu.sample()
                    await asyncio.sleep(1.0)

            sampler = asyncio.create_task(sample_memory())
            runs = [
                _session(browser, url, switches, think_s, seed=1000 * sessions + i, out=level) for i in range(sessions)
            ]
            await _bounded(runs, 60 + switches * (think_s[1] + 60), level)
            sampler.cancel()
            server_cpu.sample()
            generator.sample()
            level.window_s = time.monotonic() - started
            busy1, total1 = machine_busy()
        finally:
            await browser.close()
    cores = os.cpu_count() or 1
    level.server_cpu_pct = 100 * server_cpu.seconds() / level.window_s
    level.generator_cpu_pct = 100 * generator.seconds() / level.window_s
    level.machine_cpu_pct = 100 * cores * (busy1 - busy0) / max(1.0, total1 - total0)


def run_level(
    api, target_name: str, sessions: int, switches: int, think_s: tuple[float, float], client: str = "browser"
) -> Level:
    level = Level(target_name, sessions, client=client)
    env = {"ABDASH_TIMEOUT_S": "60", "ABDASH_SAMPLE_DATA": ""}
    target: Any
    if target_name == "single":
        target = DashboardProcess(api, extra_env=env, log_path=RESULTS / f"load-{target_name}-{sessions}.log")
    else:
        target = ServedDashboard(api, replicas=2, extra_env=env)
    try:
        url = f"{target.url}/?job_id={JOB}"
        _warm_up(url)
        if target_name == "replicas":
            _warm_up(url)  # the second new browser lands on the other replica (round-robin)
        pids = _server_pids(target)
        level.server_processes = len(pids)
        level.server_rss_mb_idle = sum(rss_mb(p) for p in pids)
        level.server_rss_mb_peak = level.server_rss_mb_idle
        if client == "browser":
            asyncio.run(_drive(url, sessions, switches, think_s, level, lambda: pids))
        else:
            template = record_switch_message(url)
            asyncio.run(_drive_protocol(target.url, template, sessions, switches, think_s, level, lambda: pids))
    finally:
        target.stop()
    return level


# --- the protocol client: what the browser sends, without the browser -----------------------------


def record_switch_message(url: str) -> bytes:
    """The rerun request Chromium sends when the Stability tab is clicked (job id and section widget states)."""
    from playwright.sync_api import sync_playwright

    sent: list[bytes] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()

            def watch(socket: Any) -> None:
                socket.on("framesent", lambda data: sent.append(data if isinstance(data, bytes) else data.encode()))

            page.on("websocket", watch)
            page.goto(url, timeout=120_000)
            page.wait_for_selector("[data-testid='stTab']", timeout=120_000)
            page.wait_for_selector(IDLE, timeout=120_000)
            before = len(sent)
            page.get_by_role("tab", name="Stability").click()
            page.wait_for_timeout(500)
            page.wait_for_selector(IDLE, timeout=120_000)
        finally:
            browser.close()
    from streamlit.proto.BackMsg_pb2 import BackMsg

    for data in sent[before:]:
        message = BackMsg()
        message.ParseFromString(data)
        if message.WhichOneof("type") == "rerun_script":
            return data
    raise RuntimeError("no rerun request seen after the click")


def switch_message(template: bytes, section: str) -> bytes:
    """The recorded request with another section: the query string and the `section` widget's value."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    message.ParseFromString(template)
    rerun = message.rerun_script
    rerun.query_string = f"job_id={JOB}" + ("" if section == "Overview" else f"&section={section}")
    for widget in rerun.widget_states.widgets:
        if widget.id.endswith("-section"):
            widget.string_value = section
    return message.SerializeToString()


SECTION_MARKERS = {"Stability": b"Developability scores"}  # text only that section draws (checked once)


async def _protocol_session(
    ws_url: str, origin: str, template: bytes, switches: int, think_s: tuple[float, float], seed: int, out: Level
) -> None:
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect
    from websockets.typing import Origin, Subprotocol

    rng = random.Random(seed)

    async def run(socket, request: bytes) -> tuple[float, bytes]:
        started = time.perf_counter()
        await socket.send(request)
        received = bytearray()
        while True:
            data = await asyncio.wait_for(socket.recv(), timeout=SWITCH_TIMEOUT_MS / 1000)
            received += data
            message = ForwardMsg()
            message.ParseFromString(data)
            if message.WhichOneof("type") == "script_finished":
                return 1000 * (time.perf_counter() - started), bytes(received)

    await asyncio.sleep(rng.uniform(0, think_s[1]))
    async with connect(
        ws_url, subprotocols=[Subprotocol("streamlit")], origin=Origin(origin), max_size=None, open_timeout=60
    ) as socket:
        first = BackMsg()
        first.rerun_script.query_string = f"job_id={JOB}"
        await run(socket, first.SerializeToString())
        current = "Overview"
        for _ in range(switches):
            await asyncio.sleep(rng.uniform(*think_s))
            current = rng.choice([s for s in SECTIONS if s != current])
            try:
                ms, received = await run(socket, switch_message(template, current))
            except TimeoutError:
                out.failed += 1
                continue
            marker = SECTION_MARKERS.get(current)
            if marker is not None and marker not in received:
                raise RuntimeError(f"the {current} run did not draw {current}: the replayed request is wrong")
            out.switches.append(ms)


async def _drive_protocol(
    base_url: str, template: bytes, sessions: int, switches: int, think_s: tuple[float, float], level: Level, pids
) -> None:
    ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
    server_cpu = CpuWindow(pids)
    generator = CpuWindow(lambda: [os.getpid()])
    server_cpu.start()
    generator.start()
    busy0, total0 = machine_busy()
    started = time.monotonic()

    async def sample_memory() -> None:
        while True:
            level.server_rss_mb_peak = max(level.server_rss_mb_peak, sum(rss_mb(p) for p in pids()))
            await asyncio.sleep(1.0)

    sampler = asyncio.create_task(sample_memory())
    runs = [
        _protocol_session(ws_url, base_url, template, switches, think_s, 1000 * sessions + i, level)
        for i in range(sessions)
    ]
    await _bounded(runs, 60 + switches * (think_s[1] + 60), level)
    sampler.cancel()
    server_cpu.sample()
    generator.sample()
    level.window_s = time.monotonic() - started
    busy1, total1 = machine_busy()
    cores = os.cpu_count() or 1
    level.server_cpu_pct = 100 * server_cpu.seconds() / level.window_s
    level.generator_cpu_pct = 100 * generator.seconds() / level.window_s
    level.machine_cpu_pct = 100 * cores * (busy1 - busy0) / max(1.0, total1 - total0)


# --- report -------------------------------------------------------------------------------------------


def table(levels: list[Level]) -> str:
    rows = [
        "| client | target | sessions | switches | p50 | p95 | server CPU | server RSS (idle → peak) | per session | "
        "load generator CPU | machine CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for lv in levels:
        p50, p95 = lv.percentile(0.5), lv.percentile(0.95)
        failed = f" ({lv.failed} timed out)" if lv.failed else ""
        failed += f" (+{len(lv.no_rerun)} without a run)" if lv.no_rerun else ""
        failed += f" (stopped at {lv.cut_at_s:.0f} s)" if lv.cut_at_s else ""
        rows.append(
            f"| {lv.client} | {lv.target} | {lv.sessions} | {len(lv.switches)}{failed} | {p50 / 1000:.2f} s | {p95 / 1000:.2f} s | "
            f"{lv.server_cpu_pct:.0f} % | {lv.server_rss_mb_idle:.0f} → {lv.server_rss_mb_peak:.0f} MB | "
            f"{lv.mb_per_session:.1f} MB | {lv.generator_cpu_pct:.0f} % | {lv.machine_cpu_pct:.0f} % |"
            if p50 is not None and p95 is not None
            else f"| {lv.client} | {lv.target} | {lv.sessions} | 0{failed} | — | — | | | | | |"
        )
    return "\n".join(rows)


def verdict(levels: list[Level]) -> str:
    by = {(lv.target, lv.sessions): lv for lv in levels}
    lines = []
    for base_target in ("replicas", "single"):
        base, top = by.get((base_target, 1)), by.get(("replicas", max(n for _, n in by) if by else 0))
        if base and top and base.percentile(0.95) and top.percentile(0.95) and top.sessions > 1:
            ratio = top.percentile(0.95) / base.percentile(0.95)  # type: ignore[operator]
            ok = "met" if ratio <= 2 else "missed"
            lines.append(
                f"p95 with 2 replicas at {top.sessions} sessions / p95 of one session ({base_target}): "
                f"{ratio:.1f}× (target ≤ 2×: {ok})"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", default="1,5,10,25", help="comma-separated session counts")
    parser.add_argument("--targets", default="single,replicas", help="single, replicas or both")
    parser.add_argument("--switches", type=int, default=4, help="section switches per session (1 session: 3×)")
    parser.add_argument("--think", default="1,3", help="think time between switches, min,max seconds")
    parser.add_argument(
        "--client",
        choices=["browser", "protocol"],
        default="browser",
        help="Chromium contexts, or a websocket client replaying the browser's own rerun request (no rendering)",
    )
    parser.add_argument("--report", action="store_true", help="only print the table of bench/results/load.json")
    args = parser.parse_args(argv)
    if args.report:
        saved = json.loads((RESULTS / f"load-{args.client}.json").read_text())
        names = {f.name for f in fields(Level)}
        levels_saved = [Level(**{k: v for k, v in lv.items() if k in names}) for lv in saved["levels"]]
        print(table(levels_saved))
        print(verdict(levels_saved))
        return 0
    counts = [int(n) for n in args.sessions.split(",")]
    think = tuple(float(v) for v in args.think.split(","))
    RESULTS.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks: stop every server
    api = start_in_thread()
    levels: list[Level] = []
    try:
        for target in args.targets.split(","):
            for n in counts:
                switches = args.switches * 3 if n == 1 else args.switches
                load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
                print(
                    f"== {time.strftime('%H:%M:%S')} {target}: {n} sessions × {switches} switches (load {load})",
                    file=sys.stderr,
                    flush=True,
                )
                level = run_level(api, target, n, switches, think, args.client)  # type: ignore[arg-type]
                levels.append(level)
                print(table([level]).splitlines()[-1], file=sys.stderr, flush=True)
                _write(levels, think)
    finally:
        api.stop()
    print(table(levels))
    print(verdict(levels))
    return 0


def _write(levels: list[Level], think: tuple[float, ...]) -> None:
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "when": time.strftime("%Y-%m-%d %H:%M"),
            "load_average": Path("/proc/loadavg").read_text().split()[:3],
        },
        "think_s": think,
        "sections": SECTIONS,
        "levels": [{**asdict(lv), "p50_ms": lv.percentile(0.5), "p95_ms": lv.percentile(0.95)} for lv in levels],
    }
    (RESULTS / f"load-{levels[0].client}.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    raise SystemExit(main())
