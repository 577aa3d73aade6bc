"""The benchmark's jobs: the large job, and copies of it scaled 1×, 4× and 16×.

Why this exists: the dashboard must stay fast as jobs grow, so the benchmark needs jobs of known,
growing size made of real outputs (no random text). Everything here is deterministic.

The large job (about the size the issue names: 12 strategies, a 250-position ddG matrix, a
~5,000-residue structure, every section present) comes from one of two places:

* the sample builder's `python -m app.sample_api.build --large DIR` output, when given with
  `--builder-dir` (or found by `bench.run`, which runs the builder when `.venv-build` exists);
* otherwise it is DERIVED from the committed cetuximab full-analysis sample
  (`app/sample_api/data`, real FlashABB outputs), with the same rule the builder uses:
  its 3 strategies repeated to 12; its FlashABB Fv model tiled 22 times by rigid 60 Å
  translations on a 5×5 grid (44 chains, ~5,000 residues, chain ids A…z0…9, pLDDT kept per copy);
  its 70 ddG positions repeated onto the first tiled copies up to 250 positions.

Either way, the sections the builder does not fill are added from committed samples: the
cetuximab immunogenicity result with its epitopes repeated for 4 real HLA-DRB1 alleles, and
the trastuzumab–HER2 complex (PDB 1N8Z) as the complex result.

Scaling a job by a factor f (`scale_job`) multiplies everything that grows with a real job:
strategies (each copied f times, fresh ids, label "… (copy k)"); structure and complex chains
(each copy of the whole model translated by 400 Å along z, chain `X` of copy k named `Xk`,
written as mmCIF since PDB allows only 62 one-character chain ids); per-residue pLDDT and
interface residues (keyed by the copies' chain names); ddG positions (repeated onto the copies'
chains); epitopes and de-immunisation suggestions (repeated for f× as many alleles). All
three scales (1×, 4×, 16×) are written the same way (mmCIF) so that they compare like for like.
"""

from __future__ import annotations

import copy
import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import gemmi

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "app" / "sample_api" / "data"
NAMESPACE = uuid.UUID("1b5d0e43-6a55-4c1d-8f0e-5bd0b6f0c8a1")
CETUXIMAB_FULL = (
    "1d4490b7-23df-5396-9f51-ceb8d92e70f3"  # full analysis: 3 strategies, structure, stability, immunogenicity
)
TRASTUZUMAB_COMPLEX = "01bb1aae-c0db-5b16-8a44-9bf3b4338c07"  # PDB 1N8Z as the complex
RITUXIMAB_SCHEDULED = "3aed10bf-7383-5388-abfa-bc39bb07498d"  # x_sample.schedule: pending → running → completed
CHAIN_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
# Common HLA-DRB1 alleles (the sample's MHC-II epitopes carry a rule name instead of an allele).
DRB1_ALLELES = [
    "HLA-DRB1*01:01",
    "HLA-DRB1*03:01",
    "HLA-DRB1*04:01",
    "HLA-DRB1*07:01",
    "HLA-DRB1*11:01",
    "HLA-DRB1*13:01",
    "HLA-DRB1*15:01",
    "HLA-DRB1*04:05",
    "HLA-DRB1*08:02",
    "HLA-DRB1*09:01",
    "HLA-DRB1*12:01",
    "HLA-DRB1*13:02",
    "HLA-DRB1*14:01",
    "HLA-DRB1*15:02",
    "HLA-DRB1*16:01",
    "HLA-DRB1*01:02",
]
LARGE_TILES = 22
LARGE_STRATEGIES = 12
LARGE_DDG_POSITIONS = 250
LARGE_ALLELES = 4
COPY_SHIFT_A = 400.0
LARGE_COMPLEX_COPIES = 6  # six 1N8Z copies: 4,848 residues


def uid(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


def _load_sample(job_id: str) -> dict[str, Any]:
    return json.loads((SAMPLES / "jobs" / f"{job_id}.json").read_text())


def _write_job(out: Path, body: dict[str, Any]) -> str:
    (out / "jobs").mkdir(parents=True, exist_ok=True)
    path = out / "jobs" / f"{body['job']['id']}.json"
    path.write_text(json.dumps(body))
    return body["job"]["id"]


def _read_structure(path: Path) -> gemmi.Structure:
    st = gemmi.read_structure(str(path))
    st.setup_entities()
    return st


def _write_structure(st: gemmi.Structure, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".cif":
        st.setup_entities()
        st.make_mmcif_document().write_file(str(path))
    else:
        st.write_pdb(str(path), gemmi.PdbWriteOptions(minimal=True))


def _copy_rows(rows: list[dict[str, Any]], times: int, job_id: str, tag: str) -> list[dict[str, Any]]:
    """`rows` repeated `times` times; copies get fresh ids and a "(copy k)" label."""
    out = []
    for k in range(times):
        for i, row in enumerate(rows):
            new = copy.deepcopy(row)
            new["id"] = uid(f"{tag}/strategy/{k}/{i}/{row.get('id')}")
            new["job_id"] = job_id
            if k:
                new["strategy"] = f"{row.get('strategy')} (copy {k + 1})"
            out.append(new)
    return out


def _repeat_epitopes(immuno: dict[str, Any], alleles: list[str]) -> dict[str, Any]:
    """The immunogenicity result with its epitope lists repeated once per allele."""
    out = copy.deepcopy(immuno)
    for key in ("mhc1_epitopes", "mhc2_epitopes"):
        base = immuno.get(key) or []
        out[key] = [{**e, "allele": allele} for allele in alleles for e in base]
    for key in ("bcell_epitopes", "deimmunization_suggestions"):
        out[key] = [copy.deepcopy(e) for _ in alleles for e in (immuno.get(key) or [])]
    return out


# --- the large job ---------------------------------------------------------------------------------


def _tile_grid(src: gemmi.Structure, tiles: int) -> tuple[gemmi.Structure, dict[str, str]]:
    """`tiles` copies of a two-chain model on the builder's 60 Å grid; returns (structure, new chain → old chain)."""
    big = gemmi.Structure()
    big.name = "tiled_flashabb"
    model = gemmi.Model(1)
    origin: dict[str, str] = {}
    k = 0
    for t in range(tiles):
        shift = gemmi.Position(60.0 * (t % 5), 60.0 * ((t // 5) % 5), 60.0 * (t // 25))
        for chain in src[0]:
            new = chain.clone()
            new.name = CHAIN_IDS[k]
            k += 1
            for res in new:
                for atom in res:
                    atom.pos = atom.pos + shift
            model.add_chain(new)
            origin[new.name] = chain.name
    big.add_model(model)
    big.setup_entities()
    return big, origin


def derive_large(out: Path) -> str:
    """The large job from committed samples only (no flash-abb needed). Returns its job id."""
    base = _load_sample(CETUXIMAB_FULL)
    base.pop("x_sample", None)
    job_id = uid("large/derived")
    job = {**base["job"], "id": job_id, "variant_id": uid("large/derived/variant"), "job_type": "full_analysis"}
    body: dict[str, Any] = {"job": job}
    rows = base["results"]
    body["results"] = _copy_rows(rows, -(-LARGE_STRATEGIES // len(rows)), job_id, "large")[:LARGE_STRATEGIES]
    src_result = base["structure_result"]
    src = _read_structure(SAMPLES / "storage" / src_result["pdb_storage_path"])
    big, origin = _tile_grid(src, LARGE_TILES)
    rel = "structures/large_derived_tiled_flashabb.pdb"
    _write_structure(big, out / "storage" / rel)
    plddt = src_result.get("per_residue_plddt") or {}
    first = {old: new for new, old in reversed(list(origin.items()))}  # copy 0's name of each source chain
    body["structure_result"] = {
        **src_result,
        "pdb_storage_path": rel,
        "model_used": f"{src_result.get('model_used')} x{LARGE_TILES}, tiled by rigid translation",
        "per_residue_plddt": {new: plddt.get(old, []) for new, old in origin.items()},
        "cdr_analysis": [
            {**c, "chain": first.get(c.get("chain"), c.get("chain"))} for c in src_result.get("cdr_analysis") or []
        ],
        "humanization_result_id": None,
    }
    stab = copy.deepcopy(base["stability_result"])
    matrix = stab["ddg_matrix"]
    positions, values = [], []
    names = list(origin)
    for tile in range(LARGE_TILES):
        for pos, row in zip(matrix["positions"], matrix["values"]):
            chain, _, number = pos.partition(":")
            pair = names[2 * tile : 2 * tile + 2]
            new_chain = pair[0] if chain == "H" else pair[-1]
            positions.append(f"{new_chain}:{number}")
            values.append(row)
            if len(positions) == LARGE_DDG_POSITIONS:
                break
        if len(positions) == LARGE_DDG_POSITIONS:
            break
    matrix["positions"], matrix["values"] = positions, values
    body["stability_result"] = stab
    body["immunogenicity_result"] = base["immunogenicity_result"]
    _add_missing_sections(body, out)
    return _write_job(out, body)


def _add_missing_sections(body: dict[str, Any], out: Path) -> None:
    """Immunogenicity (epitopes for 4 alleles) and the 1N8Z complex, from the committed samples."""
    immuno = body.get("immunogenicity_result") or _load_sample(CETUXIMAB_FULL)["immunogenicity_result"]
    body["immunogenicity_result"] = _repeat_epitopes(immuno, DRB1_ALLELES[:LARGE_ALLELES])
    if not body.get("complex_result"):
        cplx = copy.deepcopy(_load_sample(TRASTUZUMAB_COMPLEX)["complex_result"])
        target = out / "storage" / cplx["pdb_storage_path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLES / "storage" / cplx["pdb_storage_path"], target)
        body["complex_result"] = cplx


def from_builder(builder_dir: Path, out: Path) -> str:
    """The builder's large job, completed with immunogenicity and complex results. Returns its job id."""
    [path] = sorted((builder_dir / "jobs").glob("*.json"))
    body = json.loads(path.read_text())
    body.pop("x_sample", None)
    rel = body["structure_result"]["pdb_storage_path"]
    target = out / "storage" / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(builder_dir / "storage" / rel, target)
    _add_missing_sections(body, out)
    return _write_job(out, body)


# --- scaling -------------------------------------------------------------------------------------


def _tile_copies(src: gemmi.Structure, factor: int, shift_a: float = COPY_SHIFT_A) -> gemmi.Structure:
    """`factor` copies of the first model, copy k translated by k·shift along z, chain X named Xk (k ≥ 1)."""
    out = gemmi.Structure()
    out.name = src.name or "scaled"
    out.cell = src.cell
    model = gemmi.Model(1)
    for k in range(factor):
        for chain in src[0]:
            new = chain.clone()
            new.name = chain.name if k == 0 else f"{chain.name}{k}"
            if k:
                shift = gemmi.Position(0.0, 0.0, shift_a * k)
                for res in new:
                    for atom in res:
                        atom.pos = atom.pos + shift
            model.add_chain(new)
    out.add_model(model)
    out.setup_entities()
    return out


def _copy_name(chain: str, k: int) -> str:
    return chain if k == 0 else f"{chain}{k}"


def _scale_file(src_dir: Path, rel: str, out: Path, factor: int, tag: str) -> str:
    st = _read_structure(src_dir / "storage" / rel)
    new_rel = str(Path(rel).with_suffix("")) + f"_x{factor}_{tag}.cif"
    _write_structure(_tile_copies(st, factor), out / "storage" / new_rel)
    return new_rel


def _shifted_allele(allele: str | None, k: int) -> str | None:
    if k == 0 or allele not in DRB1_ALLELES:
        return allele
    return DRB1_ALLELES[(DRB1_ALLELES.index(allele) + LARGE_ALLELES * k) % len(DRB1_ALLELES)]


def _scale_epitopes(immuno: dict[str, Any], factor: int) -> dict[str, Any]:
    """Every epitope list repeated `factor` times; copy k moves each allele 4k places along DRB1_ALLELES."""
    out = copy.deepcopy(immuno)
    for key in ("mhc1_epitopes", "mhc2_epitopes"):
        out[key] = [
            {**e, "allele": _shifted_allele(e.get("allele"), k)} for k in range(factor) for e in immuno.get(key) or []
        ]
    for key in ("bcell_epitopes", "deimmunization_suggestions"):
        out[key] = [copy.deepcopy(e) for _ in range(factor) for e in immuno.get(key) or []]
    return out


def scale_job(src_dir: Path, job_id: str, factor: int, out: Path) -> str:
    """A copy of job `job_id` (in `src_dir`) with everything multiplied by `factor`, written to `out`."""
    body = json.loads((src_dir / "jobs" / f"{job_id}.json").read_text())
    body.pop("x_sample", None)
    new_id = uid(f"scaled/{job_id}/{factor}")
    body["job"] = {**body["job"], "id": new_id}
    body["results"] = _copy_rows(body.get("results") or [], factor, new_id, f"scaled/{factor}")
    result = body.get("structure_result")
    if result:
        result["pdb_storage_path"] = _scale_file(src_dir, result["pdb_storage_path"], out, factor, "structure")
        plddt = result.get("per_residue_plddt") or {}
        result["per_residue_plddt"] = {_copy_name(c, k): v for k in range(factor) for c, v in plddt.items()}
        result["cdr_analysis"] = [
            {**c, "chain": _copy_name(c.get("chain"), k)}
            for k in range(factor)
            for c in result.get("cdr_analysis") or []
        ]
    stab = body.get("stability_result")
    if stab and isinstance(stab.get("ddg_matrix"), dict):
        matrix = stab["ddg_matrix"]
        positions, values = [], []
        for k in range(factor):
            for pos, row in zip(matrix.get("positions") or [], matrix.get("values") or []):
                chain, _, number = pos.partition(":")
                positions.append(f"{_copy_name(chain, k)}:{number}")
                values.append(row)
        matrix["positions"], matrix["values"] = positions, values
    immuno = body.get("immunogenicity_result")
    if immuno:
        body["immunogenicity_result"] = _scale_epitopes(immuno, factor)
    cplx = body.get("complex_result")
    if cplx:
        cplx["pdb_storage_path"] = _scale_file(src_dir, cplx["pdb_storage_path"], out, factor, "complex")
        for key in ("per_chain_plddt", "interface_residues"):
            value = cplx.get(key)
            if isinstance(value, dict):
                cplx[key] = {_copy_name(c, k): v for k in range(factor) for c, v in value.items()}
    return _write_job(out, body)


def large_complex(out: Path, large_id: str, copies: int = LARGE_COMPLEX_COPIES) -> str:
    """The large job (new id) whose complex is `copies` translated copies of the committed 1N8Z complex
    (808 residues each, 4,848 in all, mmCIF), without the service's interface residues, so that the
    page computes the interface itself."""
    body = json.loads((out / "jobs" / f"{large_id}.json").read_text())
    job_id = uid(f"large-complex/{copies}")
    body["job"] = {**body["job"], "id": job_id}
    cplx = copy.deepcopy(_load_sample(TRASTUZUMAB_COMPLEX)["complex_result"])
    cplx["pdb_storage_path"] = _scale_file(SAMPLES, cplx["pdb_storage_path"], out, copies, "complex")
    cplx["interface_residues"] = None
    plddt = cplx.get("per_chain_plddt")
    if isinstance(plddt, dict):
        cplx["per_chain_plddt"] = {_copy_name(c, k): v for k in range(copies) for c, v in plddt.items()}
    body["complex_result"] = cplx
    return _write_job(out, body)


def add_scheduled(out: Path) -> str:
    """The committed scheduled sample (pending → running → completed), for the follow measurement."""
    (out / "jobs").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLES / "jobs" / f"{RITUXIMAB_SCHEDULED}.json", out / "jobs" / f"{RITUXIMAB_SCHEDULED}.json")
    return RITUXIMAB_SCHEDULED


def job_stats(data_dir: Path, job_id: str) -> dict[str, Any]:
    """What the job holds: strategies, residues, ddG positions, epitopes, file sizes."""
    body = json.loads((data_dir / "jobs" / f"{job_id}.json").read_text())
    s = body.get("structure_result") or {}
    c = body.get("complex_result") or {}
    i = body.get("immunogenicity_result") or {}
    d = (body.get("stability_result") or {}).get("ddg_matrix") or {}
    return {
        "strategies": len(body.get("results") or []),
        "residues": sum(len(v) for v in (s.get("per_residue_plddt") or {}).values()),
        "chains": len(s.get("per_residue_plddt") or {}),
        "ddg_positions": len(d.get("positions") or []),
        "epitopes": len(i.get("mhc1_epitopes") or [])
        + len(i.get("mhc2_epitopes") or [])
        + len(i.get("bcell_epitopes") or []),
        "job_json_bytes": (data_dir / "jobs" / f"{job_id}.json").stat().st_size,
        "structure_bytes": (data_dir / "storage" / s["pdb_storage_path"]).stat().st_size
        if s.get("pdb_storage_path")
        else 0,
        "complex_bytes": (data_dir / "storage" / c["pdb_storage_path"]).stat().st_size
        if c.get("pdb_storage_path")
        else 0,
    }


def make_all(out: Path, builder_dir: Path | None, factors: tuple[int, ...] = (1, 4, 16)) -> dict[str, Any]:
    """Write every benchmark job into `out`; returns {"large": id, "source": …, "scaled": {f: id},
    "large_complex": id, "scheduled": id}."""
    out.mkdir(parents=True, exist_ok=True)
    if builder_dir is not None and (builder_dir / "jobs").is_dir():
        large, source = from_builder(builder_dir, out), f"sample builder --large ({builder_dir})"
    else:
        large, source = derive_large(out), "derived from the committed cetuximab sample (bench/make_jobs.py)"
    scaled = {f: scale_job(out, large, f, out) for f in factors}
    return {
        "large": large,
        "source": source,
        "scaled": scaled,
        "large_complex": large_complex(out, large),
        "scheduled": add_scheduled(out),
    }


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write jobs/ and storage/ into")
    parser.add_argument("--builder-dir", type=Path, help="output of `python -m app.sample_api.build --large DIR`")
    parser.add_argument("--factors", default="1,4,16")
    args = parser.parse_args()
    made = make_all(args.out, args.builder_dir, tuple(int(f) for f in args.factors.split(",")))
    print(json.dumps(made, indent=2))
    for f, job in made["scaled"].items():
        print(f, job_stats(args.out, job))
