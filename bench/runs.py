"""Local-runs rows of `python -m bench` (also `python -m bench.runs` alone).

Synthesised runs, from the real ones in tests/data/runs, by this rule: the Boltz pdl1_binder run
(209 tokens, chains A+B) repeated k times in one model, copy i's chains renamed to a fresh pair of
letters and shifted 80 Å along x (no contacts between copies); its PAE tiled k × k from the real
209 × 209 matrix, its pLDDT npz repeated, its confidence JSON kept (pTM, ipTM of the real run).
k = 10 gives 2,090 tokens, k = 20 gives 4,180. The 200-run folder holds the four real runs
(Boltz, AlphaFold 3, ColabFold, AlphaFold2) 50 times each, hard-linked.

Rows: listing 200 runs (cold scan, warm scan with the per-file facts cached, the page's warm
rerun in AppTest; target ≤ 1 s warm); opening the 2,090-token run cold (views/runs.py in AppTest,
a fresh process per measurement) against bench/runs_baseline_page.py on the same files (target
≤ 3×); what the PAE view of the 4,180-token run sends (the figure's JSON; target ≤ 2 MB).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "runs"
BOLTZ = DATA / "boltz_results_pdl1" / "predictions" / "pdl1_binder"
NAMES = string.ascii_uppercase + string.ascii_lowercase + string.digits


def synth_boltz(dest: Path, copies: int) -> tuple[Path, int]:
    """A Boltz run of `copies` × the real pdl1_binder complex (see the module's rule)."""
    import gemmi

    name = f"tiled_{copies}x"
    folder = dest / f"boltz_results_{name}" / "predictions" / name
    folder.mkdir(parents=True)
    source = gemmi.read_structure(str(BOLTZ / "pdl1_binder_model_0.cif"))
    source.setup_entities()
    out = gemmi.Structure()
    out.name = name
    model = gemmi.Model(1)
    for i in range(copies):
        for j, chain in enumerate(source[0]):
            copy = chain.clone()
            copy.name = NAMES[(2 * i + j) % len(NAMES)]
            for residue in copy:
                for atom in residue:
                    atom.pos = gemmi.Position(atom.pos.x + 80.0 * i, atom.pos.y, atom.pos.z)
            model.add_chain(copy)
    out.add_model(model)
    out.setup_entities()
    doc = out.make_mmcif_document()
    doc.write_file(str(folder / f"{name}_model_0.cif"))
    with np.load(BOLTZ / "pae_pdl1_binder_model_0.npz", allow_pickle=False) as archive:
        pae = np.tile(archive["pae"], (copies, copies))
    with np.load(BOLTZ / "plddt_pdl1_binder_model_0.npz", allow_pickle=False) as archive:
        plddt = np.tile(archive["plddt"], copies)
    np.savez_compressed(folder / f"pae_{name}_model_0.npz", pae=pae)
    np.savez_compressed(folder / f"plddt_{name}_model_0.npz", plddt=plddt)
    shutil.copy(BOLTZ / "confidence_pdl1_binder_model_0.json", folder / f"confidence_{name}_model_0.json")
    return folder, int(pae.shape[0])


def synth_200(dest: Path) -> Path:
    root = dest / "many"
    for i in range(50):
        for run in ("boltz_results_pdl1", "af3_server_5b8c", "colabfold_pdl1", "af2_multimer_5b8c"):
            for path in (DATA / run).rglob("*"):
                target = root / f"{i:02d}" / path.relative_to(DATA)
                if path.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.link(path, target)
    return root


def listing(root: Path) -> dict[str, Any]:
    from app.runs import discover

    t = time.perf_counter()
    runs = discover.scan(root)
    cold = time.perf_counter() - t
    warm = []
    for _ in range(5):
        t = time.perf_counter()
        discover.scan(root)
        warm.append(time.perf_counter() - t)
    return {"runs": len(runs), "cold_s": cold, "warm_scan_s": statistics.median(warm)}


def worker(page: str, folder: str, run: str | None, reruns: int) -> dict[str, Any]:
    """In a fresh process: the page once without a run (imports), then cold with it, then warm reruns."""
    from streamlit.testing.v1 import AppTest

    os.environ["ABDASH_LOCAL_RESULTS"] = folder
    path = str(ROOT / page)
    warmup = AppTest.from_file(path, default_timeout=300)
    if page.endswith("runs.py"):
        warmup.run()
    at = AppTest.from_file(path, default_timeout=300)
    if run is not None:
        at.query_params["run"] = run
    t = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    warm = []
    for _ in range(reruns):
        t = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t)
    return {"cold_s": cold, "warm_s": statistics.median(warm)}


def _in_process(
    page: str, folder: Path, run: str | None, env: dict[str, str] | None = None, reruns: int = 3
) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.runs", "--worker", page, "--dir", str(folder), "--reruns", str(reruns)]
    if run is not None:
        cmd += ["--run", run]
    out = subprocess.run(
        cmd,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def pae_bytes(folder: Path, run_rel: str) -> dict[str, Any]:
    from app.runs.source import LocalRuns
    from components.pae import build_pae_figure, pae_png

    source = LocalRuns(folder)
    run = source.open(run_rel)
    model = source.model(run, 0)
    assert model.pae is not None and model.pae.usable
    t = time.perf_counter()
    fig = build_pae_figure(model.pae)
    built = time.perf_counter() - t
    png, factor = pae_png(model.pae.matrix)
    return {
        "tokens": model.pae.size,
        "figure_json_bytes": len(fig.to_json().encode()),
        "png_bytes": len(png),
        "factor": factor,
        "build_s": built,
        "dense_json_bytes_estimate": model.pae.size**2 * 6,
    }


def measure(processes: int = 3) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-runs-") as tmp:
        base = Path(tmp)
        many = synth_200(base)
        res: dict[str, Any] = {"listing": listing(many)}
        res["listing"]["page"] = [_in_process("views/runs.py", many, None) for _ in range(processes)]
        big = base / "big"
        folder2k, n2k = synth_boltz(big, 10)
        folder4k, n4k = synth_boltz(big, 20)
        rel2k = str(folder2k.relative_to(big))
        res["open"] = {"tokens": n2k, "page": [], "baseline": [], "baseline_pae_table": []}
        for _ in range(processes):  # taken in turns, so a busy moment hits all three alike
            res["open"]["page"].append(_in_process("views/runs.py", big, rel2k))
            res["open"]["baseline"].append(_in_process("bench/runs_baseline_page.py", big, rel2k))
            res["open"]["baseline_pae_table"].append(
                _in_process("bench/runs_baseline_page.py", big, rel2k, {"BENCH_BASELINE_PAE_TABLE": "1"}, reruns=1)
            )
        res["pae"] = pae_bytes(big, str(folder4k.relative_to(big)))
        res["pae"]["tokens_4k"] = n4k
    return res


def table(res: dict[str, Any]) -> list[str]:
    lst, opn, pae = res["listing"], res["open"], res["pae"]
    page_warm = _median(lst["page"], "warm_s")
    cold, base, base_table = (
        _median(opn["page"], "cold_s"),
        _median(opn["baseline"], "cold_s"),
        _median(opn["baseline_pae_table"], "cold_s"),
    )
    return [
        "### Local runs (synthesised from tests/data/runs; rule in bench/runs.py)",
        "",
        "| what | measured | target |",
        "|---|---|---|",
        f"| list {lst['runs']} runs: scan cold / warm (facts cached per file version) | {lst['cold_s']:.2f} s / {lst['warm_scan_s']:.2f} s | — |",
        f"| list {lst['runs']} runs: /runs page, warm rerun (AppTest, median of {len(lst['page'])} processes) | {page_warm:.2f} s | ≤ 1 s |",
        f"| open a {opn['tokens']:,}-token run cold (AppTest) | {cold:.2f} s | — |",
        f"| the same files read with gemmi/numpy, shown with st.json + st.dataframe (pLDDT table; PAE as its shape) | {base:.2f} s → ratio {cold / base:.1f}× | ≤ 3× |",
        f"| the same, the PAE matrix also as an st.dataframe | {base_table:.2f} s → ratio {cold / base_table:.1f}× | ≤ 3× |",
        f"| PAE view of a {pae['tokens']:,}-token run: figure JSON sent | {pae['figure_json_bytes'] / 1e6:.2f} MB (PNG {pae['png_bytes'] / 1e6:.2f} MB, {pae['factor']}×{pae['factor']} blocks; built in {pae['build_s']:.2f} s; the matrix as JSON numbers ≈ {pae['dense_json_bytes_estimate'] / 1e6:.0f} MB) | ≤ 2 MB |",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.runs")
    parser.add_argument("--worker")
    parser.add_argument("--dir")
    parser.add_argument("--run")
    parser.add_argument("--reruns", type=int, default=3)
    parser.add_argument("--processes", type=int, default=3)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.worker:
        print(json.dumps(worker(args.worker, args.dir, args.run, args.reruns)))
        return 0
    res = measure(args.processes)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "runs.json").write_text(json.dumps(res, indent=2))
    print("\n".join(table(res)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
