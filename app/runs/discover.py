"""Finding runs under a results folder, as each tool lays them out, and the facts the listing shows.

Layouts (from the tools' docs and writer code):
- Boltz-1/2 `boltz_results_<in>/predictions/<name>/`: `<name>_model_K.cif|pdb`, `confidence_<name>_model_K.json`,
  `plddt_<name>_model_K.npz`, `pae_<name>_model_K.npz` (K = 0 is the best); also such a folder on its own.
- AlphaFold 3 server: `fold_<job>_model_N.cif`, `fold_<job>_full_data_N.json`, `fold_<job>_summary_confidences_N.json`.
- AlphaFold 3 local: `<job>_model.cif`, `<job>_confidences.json`, `<job>_summary_confidences.json` (top-ranked),
  `ranking_scores.csv`, and `seed-S_sample-N/` holding `[<job>_seed-S_sample-N_]model.cif` and its confidences.
- ColabFold: `<job>_unrelaxed_rank_00N_<model>.pdb` (and `_relaxed_`), `<job>_scores_rank_00N_<model>.json`,
  `<job>_predicted_aligned_error_v1.json`; the same names without `rank_00N_` are AlphaFold2-style outputs.
- AlphaFold2 (DeepMind's run_alphafold.py, v2.3): `ranked_N.pdb` in the order of `ranking_debug.json`
  ("order", best first, with "iptm+ptm" for multimer or "plddts" for monomer models), `pae_<model>.json`
  (AlphaFold DB format) for pTM and multimer models. `result_<model>.pkl` (pTM, ipTM) is a pickle: never read.
- Boltz-2 with an affinity property: `affinity_<name>.json` beside the models (one per run, small molecules only).
A folder may hold several ColabFold or AlphaFold 3 server jobs: each is a run of its own, linked as
`<folder>/<job>`; a folder with one run is linked as the folder.
"""

from __future__ import annotations

import csv
import io
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cachetools import LRUCache, TTLCache

from app.runs.files import RunFileError, is_inside, read_json_object
from app.scales import to_fraction

MAX_DEPTH = 8
MAX_DIRS = 20_000
LISTING_TTL_S = 3.0  # new runs appear within this many seconds, without a restart
TAIL_BYTES = 4096

BOLTZ_MODEL = re.compile(r"^(?P<name>.+)_model_(?P<k>\d+)\.(?P<ext>cif|pdb)$")
AF3_SERVER_MODEL = re.compile(r"^fold_(?P<job>.+)_model_(?P<n>\d+)\.cif$")
AF3_LOCAL_MODEL = re.compile(r"^(?P<job>.+)_model\.cif$")
AF3_SAMPLE_DIR = re.compile(r"^seed-(?P<seed>\d+)_sample-(?P<sample>\d+)$")
COLABFOLD_MODEL = re.compile(
    r"^(?P<job>.+?)_(?P<relax>unrelaxed|relaxed)_(?P<tag>(?:rank_(?P<rank>\d+)_)?(?P<model>(?:alphafold2|model_)\S*?))\.pdb$"
)


@dataclass(frozen=True)
class ModelRef:
    """One model of a run: its label, rank order (0 = best) and files (role, path relative to the run folder)."""

    label: str
    order: int
    structure: str
    files: tuple[tuple[str, str], ...] = ()

    def file(self, role: str) -> str | None:
        return next((path for r, path in self.files if r == role), None)


@dataclass(frozen=True)
class RunRef:
    tool: str
    name: str
    rel: str  # the run's id in links: its folder relative to the results folder (or <folder>/<job>)
    folder: str  # its folder relative to the results folder ("" for the folder itself)
    models: tuple[ModelRef, ...]
    mtime: float
    ptm: float | None = None
    iptm: float | None = None
    problems: tuple[str, ...] = field(default=())


def _model_sort_key(ref: ModelRef) -> tuple[int, str]:
    return ref.order, ref.label


def _boltz(folder: str, names: set[str], dirname: str) -> list[tuple[str, str, list[ModelRef]]]:
    by_name: dict[str, list[ModelRef]] = {}
    for file in names:
        m = BOLTZ_MODEL.match(file)
        if not m or file.startswith("fold_"):
            continue
        name, k = m["name"], int(m["k"])
        confidence = f"confidence_{name}_model_{k}.json"
        if confidence not in names and name != dirname:
            continue
        files = [
            ("confidence", confidence),
            ("plddt", f"plddt_{name}_model_{k}.npz"),
            ("pae", f"pae_{name}_model_{k}.npz"),
            ("affinity", f"affinity_{name}.json"),
        ]
        by_name.setdefault(name, []).append(
            ModelRef(f"model {k}", k, file, tuple((role, f) for role, f in files if f in names))
        )
    return [("Boltz", name, sorted(models, key=_model_sort_key)) for name, models in by_name.items()]


def _af3_server(names: set[str]) -> list[tuple[str, str, list[ModelRef]]]:
    by_job: dict[str, list[ModelRef]] = {}
    for file in names:
        m = AF3_SERVER_MODEL.match(file)
        if not m:
            continue
        job, n = m["job"], int(m["n"])
        files = [
            ("full_data", f"fold_{job}_full_data_{n}.json"),
            ("summary", f"fold_{job}_summary_confidences_{n}.json"),
        ]
        by_job.setdefault(job, []).append(
            ModelRef(f"model {n}", n, file, tuple((role, f) for role, f in files if f in names))
        )
    return [("AlphaFold 3 (server)", job, sorted(models, key=_model_sort_key)) for job, models in by_job.items()]


def _ranking_scores(path: Path) -> dict[tuple[int, int], float]:
    """ranking_scores.csv (seed,sample,ranking_score) of an AlphaFold 3 local run."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")[:1_000_000]
    except OSError:
        return {}
    out: dict[tuple[int, int], float] = {}
    for row in csv.DictReader(io.StringIO(text)):
        try:
            out[(int(row["seed"]), int(row["sample"]))] = float(row["ranking_score"])
        except (KeyError, TypeError, ValueError):
            continue
    return out


def _af3_local(root: Path, folder: str, names: set[str], subdirs: set[str]) -> list[tuple[str, str, list[ModelRef]]]:
    out = []
    for file in names:
        m = AF3_LOCAL_MODEL.match(file)
        if not m or file.startswith("fold_") or BOLTZ_MODEL.match(file):
            continue
        job = m["job"]
        if f"{job}_summary_confidences.json" not in names and "ranking_scores.csv" not in names:
            continue
        top = ModelRef(
            "top-ranked",
            -1,
            file,
            tuple(
                (role, f)
                for role, f in (
                    ("confidences", f"{job}_confidences.json"),
                    ("summary", f"{job}_summary_confidences.json"),
                )
                if f in names
            ),
        )
        ranking = _ranking_scores(root / folder / "ranking_scores.csv") if "ranking_scores.csv" in names else {}
        samples: list[tuple[float, ModelRef]] = []
        for sub in subdirs:
            s = AF3_SAMPLE_DIR.match(sub)
            if not s or not is_inside(root, root / folder / sub):
                continue
            try:
                inner = {e.name for e in os.scandir(root / folder / sub) if e.is_file()}
            except OSError:
                continue
            model = next((f for f in sorted(inner) if f.endswith("model.cif")), None)
            if model is None:
                continue
            prefix = model[: -len("model.cif")]
            files = (
                ("confidences", f"{sub}/{prefix}confidences.json"),
                ("summary", f"{sub}/{prefix}summary_confidences.json"),
            )
            seed, sample = int(s["seed"]), int(s["sample"])
            score = ranking.get((seed, sample), float("-inf"))
            ref = ModelRef(
                f"seed {seed} · sample {sample}",
                0,
                f"{sub}/{model}",
                tuple((role, f) for role, f in files if f.split("/", 1)[1] in inner),
            )
            samples.append((score, ref))
        samples.sort(key=lambda item: (-item[0], item[1].label))
        models = [top] + [
            ModelRef(
                ref.label + (f" (ranking {score:.2f})" if score > float("-inf") else ""), i, ref.structure, ref.files
            )
            for i, (score, ref) in enumerate(samples)
        ]
        out.append(("AlphaFold 3", job, models))
    return out


def _colabfold(names: set[str]) -> list[tuple[str, str, list[ModelRef]]]:
    by_job: dict[tuple[str, bool], list[ModelRef]] = {}
    for file in names:
        m = COLABFOLD_MODEL.match(file)
        if not m:
            continue
        job, tag, rank = m["job"], m["tag"], m["rank"]
        relaxed = m["relax"] == "relaxed"
        files = [("scores", f"{job}_scores_{tag}.json")]
        if rank is not None and int(rank) == 1:
            files.append(("pae_v1", f"{job}_predicted_aligned_error_v1.json"))
        order = int(rank) - 1 if rank is not None else 0
        label = (f"rank {int(rank)}" if rank is not None else m["model"]) + (" (relaxed)" if relaxed else "")
        by_job.setdefault((job, rank is not None), []).append(
            ModelRef(label, order * 2 + relaxed, file, tuple((role, f) for role, f in files if f in names))
        )
    return [
        ("ColabFold" if ranked else "AlphaFold2", job, sorted(models, key=_model_sort_key))
        for (job, ranked), models in by_job.items()
    ]


AF2_RANKED = re.compile(r"^ranked_(?P<i>\d+)\.pdb$")
AF2_RANKING = "ranking_debug.json"


def _af2_deepmind(root: Path, folder: str, names: set[str]) -> list[tuple[str, str, list[ModelRef]]]:
    """DeepMind AlphaFold2: ranked_N.pdb is the N-th of ranking_debug.json's "order"; its PAE is pae_<model>.json."""
    ranked = {int(m["i"]): file for file in names if (m := AF2_RANKED.match(file))}
    if not ranked or AF2_RANKING not in names:
        return []
    order: list[str] = []
    try:
        data = read_json_object(root / folder / AF2_RANKING, AF2_RANKING, cap=2**20)
        order = [str(name) for name in data.get("order", []) if isinstance(name, str)]
    except RunFileError:
        pass  # the models still open, by file name; the loader reports the broken file
    models = []
    for i, file in sorted(ranked.items()):
        model = order[i] if i < len(order) else ""
        files = [("ranking", AF2_RANKING)] + ([("pae_v1", f"pae_{model}.json")] if model else [])
        label = f"ranked {i}" + (f" · {model}" if model else "")
        models.append(ModelRef(label, i, file, tuple((role, f) for role, f in files if f in names)))
    return [("AlphaFold2 (DeepMind)", Path(folder).name or "run", models)]


def runs_in_folder(
    root: Path, folder: str, names: set[str], subdirs: set[str]
) -> list[tuple[str, str, list[ModelRef]]]:
    """(tool, name, models) of every run whose files are in this folder."""
    dirname = Path(folder).name
    return (
        _af3_server(names)
        + _af3_local(root, folder, names, subdirs)
        + _boltz(folder, names, dirname)
        + _colabfold(names)
        + _af2_deepmind(root, folder, names)
    )


# --- the listing's facts (pTM, ipTM of the best model), cached per file version ------------------

_summary_cache: LRUCache = LRUCache(maxsize=4096)
_summary_lock = threading.Lock()


def _tail_scores(path: Path) -> tuple[float | None, float | None]:
    """pTM and ipTM from the end of a ColabFold scores JSON (it writes them after the large PAE)."""
    with path.open("rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - TAIL_BYTES))
        tail = handle.read().decode("utf-8", "replace")
    found = dict(re.findall(r'"(ptm|iptm)"\s*:\s*(-?[0-9.eE+-]+)', tail))

    def number(key: str) -> float | None:
        try:
            return to_fraction(float(found[key])) if key in found else None
        except ValueError:
            return None

    return number("ptm"), number("iptm")


def _summary(tool: str, root: Path, folder: Path, best: ModelRef) -> tuple[float | None, float | None, str]:
    role = {"Boltz": "confidence", "ColabFold": "scores", "AlphaFold2": "scores"}.get(tool, "summary")
    rel = best.file(role)
    if rel is None:
        return None, None, ""
    path = folder / rel
    if not is_inside(root, path):
        return None, None, f"{rel} is a link that leads outside the results folder, so it was not read."
    try:
        stat = path.stat()
    except OSError:
        return None, None, ""
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _summary_lock:
        if key in _summary_cache:
            return _summary_cache[key]
    try:
        if role == "scores":
            ptm, iptm = _tail_scores(path)
        else:
            data = read_json_object(path, rel, cap=16 * 2**20)
            ptm, iptm = to_fraction(data.get("ptm")), to_fraction(data.get("iptm"))
        result = (ptm, iptm, "")
    except (RunFileError, OSError) as error:
        result = (None, None, str(error))
    with _summary_lock:
        _summary_cache[key] = result
    return result


def _mtime(folder: Path, models: list[ModelRef]) -> float:
    times = []
    for ref in models:
        try:
            times.append((folder / ref.structure).stat().st_mtime)
        except OSError:
            continue
    return max(times) if times else 0.0


def scan(root: Path) -> list[RunRef]:
    """Every run under `root`, newest first. Links to folders are not followed; seed/sample folders
    belong to their AlphaFold 3 run."""
    root = root.resolve()
    found: list[RunRef] = []
    stack: list[tuple[str, int]] = [("", 0)]
    seen = 0
    while stack and seen < MAX_DIRS:
        folder, depth = stack.pop()
        seen += 1
        names: set[str] = set()
        subdirs: set[str] = set()
        try:
            with os.scandir(root / folder) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        subdirs.add(entry.name)
                    elif entry.is_file():
                        names.add(entry.name)
        except OSError:
            continue
        runs = runs_in_folder(root, folder, names, subdirs) if names else []
        for tool, name, models in runs:
            rel = folder if len(runs) == 1 else (f"{folder}/{name}" if folder else name)
            ptm, iptm, problem = _summary(tool, root, root / folder, models[0])
            found.append(
                RunRef(
                    tool,
                    name,
                    rel,
                    folder,
                    tuple(models),
                    _mtime(root / folder, models),
                    ptm,
                    iptm,
                    (problem,) if problem else (),
                )
            )
        if depth < MAX_DEPTH:
            af3 = any(tool == "AlphaFold 3" for tool, _, _ in runs)
            for sub in sorted(subdirs, reverse=True):
                if af3 and AF3_SAMPLE_DIR.match(sub):
                    continue
                stack.append((f"{folder}/{sub}" if folder else sub, depth + 1))
    found.sort(key=lambda run: (-run.mtime, run.rel))
    return found


_listing_cache: TTLCache = TTLCache(maxsize=16, ttl=LISTING_TTL_S)
_listing_lock = threading.Lock()


def list_runs(root: Path) -> list[RunRef]:
    """`scan`, reused for a few seconds (warm reruns cost nothing; new runs show within LISTING_TTL_S)."""
    key = str(root.resolve())
    with _listing_lock:
        cached = _listing_cache.get(key)
    if cached is not None:
        return cached
    runs = scan(root)
    with _listing_lock:
        _listing_cache[key] = runs
    return runs


def find_run(root: Path, rel: str) -> RunRef | None:
    """The run a link names (the caller has checked that `rel` stays inside `root`)."""
    wanted = rel.strip().strip("/")
    return next((run for run in list_runs(root) if run.rel == wanted), None)
