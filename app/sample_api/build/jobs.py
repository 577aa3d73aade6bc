"""Assembles the sample jobs (contract: /jobs/{job_id} 200 bodies) from the computations
in `analysis` and `structure`. Everything is deterministic: fixed ids (uuid5), fixed
timestamps, fixed seeds."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import gemmi

from . import analysis as A
from . import sequences as S
from . import structure as T

NAMESPACE = uuid.UUID("6f1d3c1e-3a52-4c0e-9a57-0b2b1a5a9d01")
SUBMITTER = "sample-scientist"
BASE_TIME = datetime(2026, 11, 2, 9, 0, 0, tzinfo=UTC)
SHARED_1N8Z = Path("/work/shared/data/complex/1n8z_GearBind_Fv_HER2.pdb")
COMPLEX_FILE = "complexes/1n8z_trastuzumab_fv_her2.pdb"


def uid(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


def ts(slot: int, seconds: float) -> str:
    """Slot = the job's hour offset from BASE_TIME; ISO-8601 with timezone."""
    return (BASE_TIME + timedelta(hours=slot, seconds=seconds)).isoformat()


def job_obj(name, slot, job_type, status, run_s=None, error=None, canceled_s=None):
    j = {
        "id": uid(f"job/{name}"),
        "variant_id": uid(f"variant/{name}"),
        "submitted_by": uid(f"user/{SUBMITTER}"),
        "job_type": job_type,
        "status": status,
        "error_message": error,
        "created_at": ts(slot, 0),
        "started_at": None,
        "completed_at": None,
        "canceled_at": None,
    }
    if status in ("completed", "failed"):
        j["started_at"] = ts(slot, 12)
        j["completed_at"] = ts(slot, 12 + run_s)
    if status == "canceled":
        j["started_at"] = ts(slot, 12)
        j["canceled_at"] = ts(slot, canceled_s)
    return j


# ---------------------------------------------------------------- humanization


def strategies(vh: A.Numbered, vl: A.Numbered | None, *, vhh=False, imgt_only=False, hit_rank=0):
    """(strategy, humanized vh, humanized vl, info) for cdr_grafting, back_mutation and,
    with imgt_only, germline_framework."""
    out = []
    hits = {"vh": A.ranked_germlines(vh)[hit_rank]}
    nums = {"vh": vh}
    if vl is not None:
        hits["vl"] = A.ranked_germlines(vl)[hit_rank]
        nums["vl"] = vl
    defs = [("cdr_grafting", "kabat+imgt", False), ("back_mutation", "kabat+imgt", True)]
    if imgt_only:
        defs.append(("germline_framework", "imgt", False))
    for strategy, cdr_def, back in defs:
        seqs: dict[str, str] = {}
        info: dict[str, Any] = {"cdr_definition": cdr_def, "germlines": {}, "back_mutations": {}}
        for ch, hit in hits.items():
            num = nums[ch]
            keep: set[int] = set()
            if back:
                keep = A.vernier_indices(num)
                if vhh:
                    keep |= {i for i, p in enumerate(num.positions) if p in A.VHH_HALLMARKS_IMGT}
            g = A.graft(num, hit, cdr_def, keep)
            seqs[ch] = g.sequence
            info["germlines"][ch] = {
                "v": hit.v_name,
                "j": hit.j_name,
                "framework_identity_parental": round(hit.fr_identity, 4),
            }
            info["back_mutations"][ch] = g.back_mutations
        out.append((strategy, seqs["vh"], seqs.get("vl"), info))
    return out


def humanization_row(job_id, created_at, strategy, vh, vl, hum_vh, hum_vl, info, **extra):
    hvh = A.number(hum_vh)
    hvl = A.number(hum_vl) if hum_vl else None
    row = {
        "id": uid(f"{job_id}/result/{strategy}"),
        "job_id": job_id,
        "created_at": created_at,
        "strategy": strategy,
        "humanized_vh": hum_vh,
        "humanized_vl": hum_vl,
        "parental_vh": vh.sequence,
        "parental_vl": vl.sequence if vl else None,
        "oasis_score": {"vh": A.humanness(hvh, vh.sequence)} | ({"vl": A.humanness(hvl, vl.sequence)} if hvl else {}),
        "mutations": {"vh": A.mutations(vh, hum_vh, None), "vl": A.mutations(vl, hum_vl, None) if vl else []},
        "liabilities": {"vh": A.liabilities(hvh), "vl": A.liabilities(hvl) if hvl else []},
        "numbering": {"scheme": "imgt", "vh": A.numbering_rows(hvh), "vl": A.numbering_rows(hvl) if hvl else []},
        "vhh_analysis": None,
        "scfv_analysis": None,
        "fc_analysis": None,
        "x_method": info,
    }
    row.update(extra)
    return row


# ---------------------------------------------------------------- structure


def structure_row(hum_vh, hum_vl, rel_path, storage: Path, result_id):
    st, per_chain = T.predict(hum_vh, hum_vl)
    T.write(st, str(storage / rel_path))
    cdrs = []
    for ch, seq in (("H", hum_vh), ("L", hum_vl)):
        if not seq:
            continue
        num = A.number(seq)
        residues = list(st[0][ch])
        for k in (1, 2, 3):
            idx = [i for i, r in enumerate(num.regions) if r == f"CDR{k}"]
            vals = [per_chain[ch][i] for i in idx]
            cdrs.append(
                {
                    "cdr": f"{ch}{k}",
                    "chain": ch,
                    "start": residues[idx[0]].seqid.num,
                    "end": residues[idx[-1]].seqid.num,
                    "sequence": "".join(seq[i] for i in idx),
                    "length": len(idx),
                    "mean_plddt": round(sum(vals) / len(vals), 2),
                    "canonical_class": None,
                }
            )
    allv = [v for vals in per_chain.values() for v in vals]
    row = {
        "pdb_storage_path": rel_path,
        "model_used": f"FlashABB (flash-abb {T.flash_abb_version()}, CPU, DLC on)",
        "confidence_score": round(sum(allv) / len(allv), 2),
        "per_residue_plddt": per_chain,
        "cdr_analysis": cdrs,
        "humanization_result_id": result_id,
    }
    return row, st


def stability_row(hum_vh, hum_vl, st, positions):
    bur = T.burial(st)
    matrix = A.ddg_proxy({"H": hum_vh, "L": hum_vl}, bur, positions)
    best = []
    for pos, row in zip(matrix["positions"], matrix["values"]):
        ch, idx = pos.split(":")
        wt = {"H": hum_vh, "L": hum_vl}[ch][int(idx) - 1]
        for aa, v in zip(matrix["amino_acids"], row):
            if v < 0 and aa != wt:
                best.append({"mutation": f"{ch}:{wt}{idx}{aa}", "ddg": v})
    best.sort(key=lambda d: (d["ddg"], d["mutation"]))
    tap = T.tap(hum_vh, hum_vl)
    fp = tap["flag_probs"]
    return {
        "ddg_matrix": matrix,
        "solubility_score": round(1 - max(fp["PPC"], fp["PNC"]), 4),
        "aggregation_score": round(fp["PSH"], 4),
        "thermostability_score": None,
        "developability_score": round(1 - tap["any_flag_prob"], 4),
        "melting_temp_predicted": None,
        "stabilizing_mutations": best[:10],
        "model_versions": {
            f"FlashTAP (flash-abb {T.flash_abb_version()})": T.flash_abb_version(),
            "rule:blosum62-kd-burial-ddg-proxy (not a physical ddG)": "1",
            "rule:tap-flags-to-scores": "1",
        },
        "x_tap": tap,
    }


def cdr_vernier_positions(seqs: dict[str, str]) -> list[tuple[str, int]]:
    out = []
    for ch, seq in seqs.items():
        num = A.number(seq)
        keep = A.imgt_cdr_indices(num) | A.vernier_indices(num)
        out += [(ch, i + 1) for i in sorted(keep)]
    return out


# ---------------------------------------------------------------- jobs


def write_job(jobs_dir: Path, body: dict) -> str:
    import json

    jobs_dir.mkdir(parents=True, exist_ok=True)
    path = jobs_dir / f"{body['job']['id']}.json"
    path.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n")
    return path.name


def empty_body(job, title, description, schedule=None):
    return {
        "job": job,
        "results": [],
        "structure_result": None,
        "stability_result": None,
        "immunogenicity_result": None,
        "complex_result": None,
        "x_sample": {"title": title, "description": description, "schedule": schedule},
    }


def build_all(data_dir: Path) -> list[dict]:
    storage = data_dir / "storage"
    jobs_dir = data_dir / "jobs"
    for d in (storage, jobs_dir):
        if d.exists():
            shutil.rmtree(d)
    written = []

    # 1. full analysis: cetuximab murine C225 V regions humanized
    name, slot = "cetuximab-full-analysis", 0
    job = job_obj(name, slot, "full_analysis", "completed", run_s=1260)
    vh, vl = A.number(S.CETUXIMAB_VH), A.number(S.CETUXIMAB_VL)
    body = empty_body(
        job,
        "Cetuximab (murine C225 V regions): full analysis",
        "Full analysis of a humanization of the murine V regions of cetuximab (chimeric anti-EGFR "
        "IgG1, parental antibody C225): CDR grafting onto the closest human IGHV/IGKV germline by "
        "framework identity, the same with Vernier back-mutations, and an IMGT-CDR-only graft; a "
        "FlashABB model of the back-mutated variant with pLDDT; FlashTAP developability with a "
        "rule-based ddG proxy; rule-based (germline 9-mer) immunogenicity. No complex: no open "
        "offline predictor, and no EGFR complex is shipped.",
    )
    created = job["completed_at"]
    for strategy, hvh, hvl, info in strategies(vh, vl, imgt_only=True):
        body["results"].append(humanization_row(job["id"], created, strategy, vh, vl, hvh, hvl, info))
    bm = body["results"][1]
    srow, st = structure_row(
        bm["humanized_vh"], bm["humanized_vl"], "structures/cetuximab_hz_back_mutation_flashabb.pdb", storage, bm["id"]
    )
    body["structure_result"] = srow
    seqs = {"H": bm["humanized_vh"], "L": bm["humanized_vl"]}
    body["stability_result"] = stability_row(bm["humanized_vh"], bm["humanized_vl"], st, cdr_vernier_positions(seqs))
    body["immunogenicity_result"] = A.immunogenicity({"H": A.number(seqs["H"]), "L": A.number(seqs["L"])})
    written.append(body)

    # 2. VHH: caplacizumab
    name, slot = "caplacizumab-vhh", 1
    job = job_obj(name, slot, "humanization", "completed", run_s=95)
    vhh = A.number(S.CAPLACIZUMAB_VHH)
    body = empty_body(
        job,
        "Caplacizumab VHH: humanization, hallmarks kept or not",
        "Caplacizumab (anti-vWF nanobody, already humanized) as a single-domain input: CDR grafting "
        "onto the closest human IGHV germline changes its VHH hallmarks (IMGT 42, 49, 50, 52) to "
        "human VH residues; the back-mutation strategy keeps the hallmarks and Vernier residues. "
        "No VL (humanized_vl null). FlashABB model of the back-mutated VHH.",
    )
    for strategy, hvh, _, info in strategies(vhh, None, vhh=True):
        row = humanization_row(job["id"], job["completed_at"], strategy, vhh, None, hvh, None, info)
        row["vhh_analysis"] = A.vhh_analysis(vhh, A.number(hvh))
        body["results"].append(row)
    bm = body["results"][1]
    srow, _ = structure_row(
        bm["humanized_vh"], None, "structures/caplacizumab_vhh_back_mutation_flashabb.pdb", storage, bm["id"]
    )
    body["structure_result"] = srow
    written.append(body)

    # 3. scFv: blinatumomab anti-CD19 arm
    name, slot = "blinatumomab-cd19-scfv", 2
    job = job_obj(name, slot, "humanization", "completed", run_s=140)
    vh, vl = A.number(S.BLINATUMOMAB_CD19_VH), A.number(S.BLINATUMOMAB_CD19_VL)
    body = empty_body(
        job,
        "Blinatumomab anti-CD19 scFv (VL-(G4S)3-VH): humanization",
        "The murine (HD37) anti-CD19 scFv arm of blinatumomab, VL-(G4S)3-VH as in its INN sequence, "
        "humanized domain by domain (CDR grafting, and with Vernier back-mutations). The scFv "
        "analysis (orientation, linker) is read off immunum's domain numbering of the scFv. The "
        "FlashABB model is of the VH/VL pair only (the linker is not modelled), written as mmCIF.",
    )
    scfv = A.scfv_analysis(S.BLINATUMOMAB_CD19_SCFV)
    for strategy, hvh, hvl, info in strategies(vh, vl):
        a = dict(scfv)
        a["notes"] = scfv["notes"] + [f"Humanized scFv ({scfv['orientation']}): {hvl}{scfv['linker']}{hvh}"]
        row = humanization_row(job["id"], job["completed_at"], strategy, vh, vl, hvh, hvl, info, scfv_analysis=a)
        body["results"].append(row)
    bm = body["results"][1]
    srow, _ = structure_row(
        bm["humanized_vh"], bm["humanized_vl"], "structures/blinatumomab_cd19_scfv_hz_flashabb.cif", storage, bm["id"]
    )
    body["structure_result"] = srow
    written.append(body)

    # 4. IgG1 with engineered Fc: muromonab (OKT3) -> humanized on IgG1 LALA, like teplizumab
    name, slot = "okt3-igg1-lala", 3
    job = job_obj(name, slot, "humanization", "completed", run_s=110)
    vh, vl = A.number(S.MUROMONAB_VH), A.number(S.MUROMONAB_VL)
    constant = list(S.IGHG1_CONSTANT)
    for eu, f, t in ((234, "L", "A"), (235, "L", "A")):
        assert constant[eu - S.IGHG1_EU_START] == f
        constant[eu - S.IGHG1_EU_START] = t
    fc = A.fc_analysis("".join(constant), S.IGHG1_CONSTANT, S.IGHG1_EU_START, "IgG1")
    body = empty_body(
        job,
        "OKT3 (muromonab-CD3) humanized on IgG1 LALA",
        "The murine V regions of muromonab-CD3 (OKT3) humanized by CDR grafting (and with Vernier "
        "back-mutations) onto a human IgG1 constant region carrying L234A/L235A (LALA), the Fc of "
        "teplizumab (hOKT3gamma1(Ala-Ala)). The Fc analysis compares the given constant region with "
        "human IGHG1 in EU numbering. Each result notes its identity to teplizumab's real V regions.",
    )
    for strategy, hvh, hvl, info in strategies(vh, vl):
        ident = {
            k: round(sum(a == b for a, b in zip(s, ref)) / len(ref), 4)
            for k, s, ref in (("vh", hvh, S.TEPLIZUMAB_VH), ("vl", hvl, S.TEPLIZUMAB_VL))
            if len(s) == len(ref)
        }
        info = dict(info, identity_to_teplizumab=ident)
        body["results"].append(
            humanization_row(job["id"], job["completed_at"], strategy, vh, vl, hvh, hvl, info, fc_analysis=fc)
        )
    bm = body["results"][1]
    srow, _ = structure_row(
        bm["humanized_vh"], bm["humanized_vl"], "structures/okt3_hz_back_mutation_flashabb.pdb", storage, bm["id"]
    )
    body["structure_result"] = srow
    written.append(body)

    # 5. complex: trastuzumab Fv + HER2, experimental 1N8Z standing in for a prediction
    name, slot = "trastuzumab-her2-complex", 4
    job = job_obj(name, slot, "complex", "completed", run_s=300)
    body = empty_body(
        job,
        "Trastuzumab Fv + HER2 (experimental PDB 1N8Z as the complex)",
        "Trastuzumab (humanized anti-HER2 IgG1): a FlashABB model of its Fv, and as the complex the "
        "experimental X-ray structure PDB 1N8Z (trastuzumab Fv + HER2 extracellular domain) standing in "
        "for a Boltz-2 prediction, which cannot run offline here. Interface residues are computed from "
        "that file (heavy atoms within 4.5 Å); ipTM, confidence and per-chain pLDDT are not available "
        "for an X-ray structure and are null/empty.",
    )
    srow, _ = structure_row(S.TRASTUZUMAB_VH, S.TRASTUZUMAB_VL, "structures/trastuzumab_fv_flashabb.pdb", storage, None)
    body["structure_result"] = srow
    dest = storage / COMPLEX_FILE
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SHARED_1N8Z, dest)
    body["complex_result"] = {
        "antigen_id": uid("antigen/HER2-ECD"),
        "pdb_storage_path": COMPLEX_FILE,
        "model_used": "Experimental X-ray structure PDB 1N8Z (trastuzumab Fv + HER2 ECD; GearBind's re-chained "
        "copy: A = HER2, H = VH, L = VL), standing in for a Boltz-2 prediction; not a model output",
        "confidence_score": None,
        "iptm": None,
        "per_chain_plddt": {},
        "interface_residues": T.interface_residues(str(dest), {"H", "L"}),
    }
    written.append(body)

    # 6. failed: a FASTA header pasted into the VL field
    name, slot = "infliximab-failed", 5
    bad_vl = ">infliximab_VL " + S.INFLIXIMAB_VL
    res = A._annotator("imgt").number(bad_vl)
    import immunum

    err = (
        f"Input validation failed for VL: numbering with immunum {immunum.__version__} (IMGT) returned "
        f"{res.error_kind}: {res.error}. Paste the bare amino-acid sequence without a FASTA header."
    )
    job = job_obj(name, slot, "humanization", "failed", run_s=2, error=err)
    written.append(
        empty_body(
            job,
            "Infliximab humanization that failed on its input",
            "A humanization of infliximab's murine V regions (chimeric anti-TNF IgG1) submitted "
            "with a FASTA header pasted into the VL field; the error text is what immunum returns "
            "for that input. No results.",
        )
    )

    # 7. scheduled: rituximab murine 2B8 humanization, pending -> running -> completed
    name, slot = "rituximab-scheduled", 6
    job = job_obj(name, slot, "humanization", "completed", run_s=8)
    vh, vl = A.number(S.RITUXIMAB_VH), A.number(S.RITUXIMAB_VL)
    body = empty_body(
        job,
        "Rituximab (murine 2B8 V regions): humanization in progress",
        "Humanization of the murine V regions of rituximab (chimeric anti-CD20 IgG1, parental 2B8) "
        "by CDR grafting and with Vernier back-mutations. The sample server shows it pending, then "
        "running, then completed, following its schedule.",
        schedule={"pending_s": 4, "running_s": 8},
    )
    for strategy, hvh, hvl, info in strategies(vh, vl):
        body["results"].append(humanization_row(job["id"], job["completed_at"], strategy, vh, vl, hvh, hvl, info))
    written.append(body)

    # 8. canceled: infliximab structure prediction
    name, slot = "infliximab-canceled", 7
    job = job_obj(name, slot, "structure", "canceled", canceled_s=45)
    written.append(
        empty_body(
            job,
            "Infliximab structure prediction, canceled",
            "A structure prediction of infliximab's chimeric Fv (murine V regions of the anti-TNF "
            "antibody A2) canceled by its submitter 45 s after creation. No results.",
        )
    )

    for body in written:
        write_job(jobs_dir, body)
    return written


def build_large(out_dir: Path, n_copies: int = 22) -> dict:
    """Benchmark job: 12 strategies (CDR grafting and back-mutation onto the 6 best human
    germline pairs for cetuximab), a 250-position ddG-proxy matrix and a ~5,000-residue
    structure file made of `n_copies` FlashABB Fv models tiled by rigid translation."""
    storage, jobs_dir = out_dir / "storage", out_dir / "jobs"
    name, slot = "large-benchmark", 8
    job = job_obj(name, slot, "full_analysis", "completed", run_s=3600)
    vh, vl = A.number(S.CETUXIMAB_VH), A.number(S.CETUXIMAB_VL)
    body = empty_body(
        job,
        "Large benchmark job (cetuximab, 12 strategies, ~5,000 residues)",
        "Generated on demand for benchmarks: 12 humanization strategies of cetuximab's murine V "
        "regions (grafting onto each of the 6 best human germline pairs, with and without Vernier "
        "back-mutations), a 250-position ddG-proxy matrix, and a structure file of tiled copies of "
        "FlashABB Fv models (rigid translations, documented in PROVENANCE.md).",
    )
    for rank in range(6):
        for strategy, hvh, hvl, info in strategies(vh, vl, hit_rank=rank):
            g = info["germlines"]
            label = f"{strategy}:{g['vh']['v']}/{g['vl']['v']}"
            body["results"].append(humanization_row(job["id"], job["completed_at"], label, vh, vl, hvh, hvl, info))
    rows = body["results"]
    big = gemmi.Structure()
    big.name = "tiled_flashabb"
    model = gemmi.Model(1)
    chain_ids = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"]
    per_chain, seqs = {}, {}
    k = 0
    for copy in range(n_copies):
        r = rows[copy % len(rows)]
        st, pl = T.predict(r["humanized_vh"], r["humanized_vl"])
        shift = gemmi.Position(60.0 * (copy % 5), 60.0 * ((copy // 5) % 5), 60.0 * (copy // 25))
        for src in ("H", "L"):
            ch = st[0][src].clone()
            ch.name = chain_ids[k]
            k += 1
            for res in ch:
                for atom in res:
                    atom.pos = atom.pos + shift
            model.add_chain(ch)
            per_chain[ch.name] = pl[src]
            seqs[ch.name] = r["humanized_vh"] if src == "H" else r["humanized_vl"]
    big.add_model(model)
    big.setup_entities()
    rel = "structures/large_benchmark_tiled_flashabb.pdb"
    T.write(big, str(storage / rel))
    allv = [v for vals in per_chain.values() for v in vals]
    body["structure_result"] = {
        "pdb_storage_path": rel,
        "model_used": f"FlashABB (flash-abb {T.flash_abb_version()}) x{n_copies}, tiled by rigid translation",
        "confidence_score": round(sum(allv) / len(allv), 2),
        "per_residue_plddt": per_chain,
        "cdr_analysis": [],
        "humanization_result_id": None,
    }
    positions = [(c, i + 1) for c in per_chain for i in range(len(seqs[c]))][:250]
    bur = T.burial(big)
    matrix = A.ddg_proxy(seqs, bur, positions)
    body["stability_result"] = {
        "ddg_matrix": matrix,
        "solubility_score": None,
        "aggregation_score": None,
        "thermostability_score": None,
        "developability_score": None,
        "melting_temp_predicted": None,
        "stabilizing_mutations": [],
        "model_versions": {"rule:blosum62-kd-burial-ddg-proxy (not a physical ddG)": "1"},
    }
    write_job(jobs_dir, body)
    return body
