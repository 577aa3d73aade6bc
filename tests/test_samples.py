"""Consistency of the committed sample set (app/sample_api/data) with the API contract and
with itself. Runs with the runtime dependencies only (gemmi, immunum); no torch."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from pathlib import Path

import gemmi
import immunum
import pytest

DATA = Path(__file__).resolve().parent.parent / "app" / "sample_api" / "data"
JOB_FILES = sorted((DATA / "jobs").glob("*.json"))
BODY_KEYS = {"job", "results", "structure_result", "stability_result", "immunogenicity_result", "complex_result"}
AA20 = set("ACDEFGHIKLMNPQRSTVWY")
IMGT = [
    ("FR1", 1, 26),
    ("CDR1", 27, 38),
    ("FR2", 39, 55),
    ("CDR2", 56, 65),
    ("FR3", 66, 104),
    ("CDR3", 105, 117),
    ("FR4", 118, 128),
]
# conventions.md, "Sequence liabilities": (type, severity) -> regex, where
LIABILITY_SPEC = {
    ("n_glycosylation", "high"): (r"N[^P][ST]", "all"),
    ("deamidation", "high"): (r"N[GS]", "cdr+vernier"),
    ("deamidation", "medium"): (r"N[AHNT]", "cdr+vernier"),
    ("isomerization", "high"): (r"D[GSTDH]", "cdr+vernier"),
    ("fragmentation", "high"): (r"DP", "cdr"),
    ("oxidation", "medium"): (r"M", "cdr"),
    ("oxidation", "high"): (r"W", "cdr"),
    ("integrin_binding", "high"): (r"RGD|RYD|LDV|NGR|KGD", "all"),
    ("polyreactivity", "low"): (r"RR|VG|VV|WW|W.W", "cdr"),
    ("free_cysteine", "high"): (r"C", "all"),
}
VERNIER_KABAT = {
    "H": {2, 27, 28, 29, 30, 47, 48, 49, 67, 69, 71, 73, 78, 93, 94, 103},
    "L": {2, 4, 35, 36, 46, 47, 48, 49, 64, 66, 68, 69, 71, 98},
}


def load(path):
    return json.loads(path.read_text())


BODIES = {p.stem: load(p) for p in JOB_FILES}


def numbering_of(annotator: immunum.Annotator, sequence: str) -> dict[str, str]:
    """immunum's {label: residue} of a sequence it must number."""
    result = annotator.number(sequence)
    assert result.error is None and result.numbering is not None, result.error
    return result.numbering


def region_of(position: str) -> str:
    found = re.match(r"\d+", position)
    assert found is not None, position
    n = int(found.group())
    return next(name for name, lo, hi in IMGT if lo <= n <= hi)


def rows():
    for jid, body in BODIES.items():
        for row in body["results"]:
            yield jid, row


def chains_of(row):
    out = {"vh": row["humanized_vh"]}
    if row.get("humanized_vl"):
        out["vl"] = row["humanized_vl"]
    return out


def read_storage(rel):
    path = DATA / "storage" / rel
    assert path.is_file(), rel
    return gemmi.read_structure(str(path))


def time(s):
    t = datetime.fromisoformat(s)
    assert t.tzinfo is not None, s
    return t


# ------------------------------------------------------------------ set level


def test_set_covers_every_section_and_status():
    assert len(BODIES) >= 6
    statuses = {b["job"]["status"] for b in BODIES.values()}
    assert {"completed", "failed", "canceled"} <= statuses
    assert any(b["x_sample"]["schedule"] for b in BODIES.values())
    assert any(
        b["job"]["job_type"] == "full_analysis"
        and len(b["results"]) >= 2
        and b["structure_result"]
        and b["stability_result"]
        and b["immunogenicity_result"]
        for b in BODIES.values()
    )
    all_rows = [r for _, r in rows()]
    assert any(r["vhh_analysis"] and not r["humanized_vl"] for r in all_rows)
    assert any(r["scfv_analysis"] for r in all_rows)
    assert any(r["fc_analysis"] and r["fc_analysis"]["engineered_mutations"] for r in all_rows)
    assert any(b["complex_result"] for b in BODIES.values())
    paths = [b["structure_result"]["pdb_storage_path"] for b in BODIES.values() if b["structure_result"]]
    assert any(p.endswith(".cif") for p in paths) and any(p.endswith(".pdb") for p in paths)
    stab = [b["stability_result"] for b in BODIES.values() if b["stability_result"]]
    assert any(s["ddg_matrix"]["values"] for s in stab)
    imm = [b["immunogenicity_result"] for b in BODIES.values() if b["immunogenicity_result"]]
    assert any(i["mhc2_epitopes"] and i["bcell_epitopes"] and i["deimmunization_suggestions"] for i in imm)


def test_committed_set_is_small():
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert total < 5_000_000, total


def test_every_storage_file_is_referenced():
    referenced = set()
    for b in BODIES.values():
        for key in ("structure_result", "complex_result"):
            if b.get(key):
                referenced.add(b[key]["pdb_storage_path"])
    on_disk = {str(p.relative_to(DATA / "storage")) for p in (DATA / "storage").rglob("*") if p.is_file()}
    assert on_disk == referenced


def test_provenance_names_every_job():
    text = (DATA / "PROVENANCE.md").read_text()
    for jid in BODIES:
        assert jid in text, jid


# ------------------------------------------------------------------ per job


@pytest.mark.parametrize("jid", sorted(BODIES))
def test_job_envelope(jid):
    body = BODIES[jid]
    assert set(body) == BODY_KEYS | {"x_sample"}
    meta = body["x_sample"]
    assert set(meta) == {"title", "description", "schedule"} and meta["title"] and meta["description"]
    if meta["schedule"]:
        assert set(meta["schedule"]) == {"pending_s", "running_s"} and body["job"]["status"] == "completed"
    job = body["job"]
    assert job["id"] == jid
    for k in ("id", "variant_id", "submitted_by"):
        assert str(uuid.UUID(job[k])) == job[k]
    created = time(job["created_at"])
    status = job["status"]
    if job["started_at"]:
        assert created <= time(job["started_at"])
    if status in ("completed", "failed"):
        assert time(job["started_at"]) <= time(job["completed_at"]) and job["canceled_at"] is None
    if status == "failed":
        assert job["error_message"] and body["results"] == []
    else:
        assert job["error_message"] is None
    if status == "canceled":
        assert time(job["canceled_at"]) >= created and job["completed_at"] is None and body["results"] == []
    for row in body["results"]:
        assert row["job_id"] == jid
        assert time(row["created_at"]) >= created


def test_result_ids_unique():
    ids = [r["id"] for _, r in rows()]
    assert len(ids) == len(set(ids))


# ------------------------------------------------------------------ humanization rows


@pytest.mark.parametrize("jid,row", list(rows()), ids=lambda x: x if isinstance(x, str) else x["strategy"])
def test_numbering_covers_each_chain_and_matches_immunum(jid, row):
    annot = immunum.Annotator(chains=["ig"], scheme="imgt")
    assert row["numbering"]["scheme"] == "imgt"
    for ch, seq in chains_of(row).items():
        numbered = row["numbering"][ch]
        assert "".join(n["aa"] for n in numbered) == seq
        assert all(n["region"] == region_of(n["position"]) for n in numbered)
        assert [n["position"] for n in numbered] == list(numbering_of(annot, seq))
    if not row.get("humanized_vl"):
        assert row["numbering"]["vl"] == []


@pytest.mark.parametrize("jid,row", list(rows()), ids=lambda x: x if isinstance(x, str) else x["strategy"])
def test_mutations_match_sequences(jid, row):
    for ch, seq in chains_of(row).items():
        parental = row[f"parental_{ch}"]
        numbered = row["numbering"][ch]
        muts = row["mutations"][ch]
        assert len(parental) == len(seq)
        assert [m["index"] for m in muts] == [i + 1 for i, (a, b) in enumerate(zip(parental, seq)) if a != b]
        for m in muts:
            i = m["index"] - 1
            assert m["from"] == parental[i] and m["to"] == seq[i] and m["from"] != m["to"]
            assert m["position"] == numbered[i]["position"]
            assert m["region"] == numbered[i]["region"]
            assert m["region"].startswith("FR"), "grafting keeps CDRs parental"


@pytest.mark.parametrize("jid,row", list(rows()), ids=lambda x: x if isinstance(x, str) else x["strategy"])
def test_liabilities_sit_on_their_motifs(jid, row):
    kabat = immunum.Annotator(chains=["ig"], scheme="kabat")
    for ch, seq in chains_of(row).items():
        numbered = row["numbering"][ch]
        klabels = list(numbering_of(kabat, seq))
        locus = "H" if ch == "vh" else "L"
        vern = {i for i, lab in enumerate(klabels) if lab.isdigit() and int(lab) in VERNIER_KABAT[locus]}
        for liab in row["liabilities"][ch]:
            rx, where = LIABILITY_SPEC[(liab["type"], liab["severity"])]
            s = liab["start"] - 1
            assert liab["motif"] == seq[s : liab["end"]]
            assert re.fullmatch(rx, liab["motif"])
            assert liab["region"] == numbered[s]["region"]
            if where == "cdr":
                assert liab["region"].startswith("CDR")
            if where == "cdr+vernier":
                assert liab["region"].startswith("CDR") or s in vern
            if liab["type"] == "free_cysteine":
                assert numbered[s]["position"] not in ("23", "104")
        # and nothing is missed: every high-severity N-glycosylation site is listed
        sites = {m.start() + 1 for m in re.finditer(r"(?=N[^P][ST])", seq)}
        listed = {lia["start"] for lia in row["liabilities"][ch] if lia["type"] == "n_glycosylation"}
        assert sites == listed


@pytest.mark.parametrize("jid,row", list(rows()), ids=lambda x: x if isinstance(x, str) else x["strategy"])
def test_humanness_proxy_is_consistent(jid, row):
    for ch, seq in chains_of(row).items():
        h = row["oasis_score"][ch]
        assert h["percentile"] is None, "no OASis database: percentile must stay null"
        assert 0 <= h["identity"] <= 1
        peps = h["peptides"]
        assert [p["start"] for p in peps] == list(range(1, len(seq) - 7))
        assert all(p["peptide"] == seq[p["start"] - 1 : p["start"] + 8] for p in peps)
        assert all((p["prevalence"] > 0) == p["human"] for p in peps)
        assert h["germline_content"] == pytest.approx(sum(p["human"] for p in peps) / len(peps), abs=1e-4)
        parental = row[f"parental_{ch}"]
        assert h["parental_identity"] == pytest.approx(sum(a == b for a, b in zip(seq, parental)) / len(seq), abs=1e-4)


def test_vhh_hallmarks_match_sequences():
    seen = 0
    annot = immunum.Annotator(chains=["ig"], scheme="imgt")
    for _, row in rows():
        v = row["vhh_analysis"]
        if not v:
            continue
        seen += 1
        assert not row["humanized_vl"] and v["hallmark_scheme"] == "imgt"
        for key, seq in (("hallmarks", row["parental_vh"]), ("humanized_hallmarks", row["humanized_vh"])):
            num = numbering_of(annot, seq)
            assert v[key] == {p: num[p] for p in ("42", "49", "50", "52")}
        assert v["cdr3_length"] == sum(1 for p in numbering_of(annot, row["parental_vh"]) if region_of(p) == "CDR3")
    assert seen


def test_scfv_analysis_matches_domain_numbering():
    seen = 0
    annot = immunum.Annotator(chains=["ig"], scheme="imgt")
    for _, row in rows():
        a = row["scfv_analysis"]
        if not a:
            continue
        seen += 1
        assert a["linker_length"] == len(a["linker"])
        first, second = a["orientation"].split("-")
        seqs = {"VH": row["humanized_vh"], "VL": row["humanized_vl"]}
        scfv = seqs[first] + a["linker"] + seqs[second]
        doms = annot.number_domains(scfv)
        assert ["VH" if d.chain == "H" else "VL" for d in doms] == [first, second]
        end, start = doms[0].query_end, doms[1].query_start
        assert end is not None and scfv[end + 1 : start] == a["linker"]
    assert seen


def test_fc_analysis_is_coherent():
    seen = 0
    for _, row in rows():
        fc = row["fc_analysis"]
        if not fc:
            continue
        seen += 1
        names = {m["name"] for m in fc["engineered_mutations"]}
        assert fc["half_life_extension"] == bool(names & {"YTE", "LS"})
        for m in fc["engineered_mutations"]:
            assert m["from"] != m["to"] and m["from"] in AA20 and m["to"] in AA20
            assert 118 <= int(m["eu_position"]) <= 447 and m["effect"]
        if "LALA" in names:
            assert {
                (m["eu_position"], m["from"], m["to"]) for m in fc["engineered_mutations"] if m["name"] == "LALA"
            } == {("234", "L", "A"), ("235", "L", "A")}
    assert seen


# ------------------------------------------------------------------ structures

STRUCT_JOBS = sorted(j for j, b in BODIES.items() if b["structure_result"])


@pytest.mark.parametrize("jid", STRUCT_JOBS)
def test_structure_file_matches_json(jid):
    body = BODIES[jid]
    s = body["structure_result"]
    st = read_storage(s["pdb_storage_path"])
    plddt = s["per_residue_plddt"]
    model = st[0]
    assert sorted(c.name for c in model) == sorted(plddt)
    allv = []
    for chain in model:
        residues = list(chain)
        assert len(residues) == len(plddt[chain.name])
        for res, v in zip(residues, plddt[chain.name]):
            assert 0 <= v <= 100
            for atom in res:
                assert atom.b_iso == pytest.approx(v, abs=0.006)
        allv += plddt[chain.name]
    assert s["confidence_score"] == pytest.approx(sum(allv) / len(allv), abs=0.01)
    # the modelled sequences are the referenced humanized variant (or the job's antibody)
    seqs = {c.name: gemmi.one_letter_code([r.name for r in c]) for c in model}
    if s["humanization_result_id"]:
        row = next(r for r in body["results"] if r["id"] == s["humanization_result_id"])
        assert seqs["H"] == row["humanized_vh"]
        assert seqs.get("L") == (row["humanized_vl"] or None)
    # CDR spans: residue numbers as in the file
    annot = immunum.Annotator(chains=["ig"], scheme="imgt")
    for ch, seq in seqs.items():
        num = numbering_of(annot, seq)
        for k in (1, 2, 3):
            cdr = next(c for c in s["cdr_analysis"] if c["cdr"] == f"{ch}{k}")
            want = "".join(aa for p, aa in num.items() if region_of(p) == f"CDR{k}")
            chain = model[ch]
            span = [(i, r) for i, r in enumerate(chain) if cdr["start"] <= r.seqid.num <= cdr["end"]]
            assert gemmi.one_letter_code([r.name for _, r in span]) == cdr["sequence"] == want
            assert cdr["length"] == len(want) and cdr["chain"] == ch
            vals = [plddt[ch][i] for i, _ in span]
            assert cdr["mean_plddt"] == pytest.approx(sum(vals) / len(vals), abs=0.01)


def test_one_structure_is_mmcif_by_content():
    cifs = [
        b["structure_result"]["pdb_storage_path"]
        for b in BODIES.values()
        if b["structure_result"] and b["structure_result"]["pdb_storage_path"].endswith(".cif")
    ]
    assert cifs
    for rel in cifs:
        doc = gemmi.cif.read(str(DATA / "storage" / rel))
        assert doc.sole_block().find_loop("_atom_site.B_iso_or_equiv")


# ------------------------------------------------------------------ stability / immunogenicity


def sequences_of(body):
    s = body["structure_result"]
    st = read_storage(s["pdb_storage_path"])
    return {c.name: gemmi.one_letter_code([r.name for r in c]) for c in st[0]}


@pytest.mark.parametrize("jid", sorted(j for j, b in BODIES.items() if b["stability_result"]))
def test_ddg_matrix_shape_and_mutations(jid):
    body = BODIES[jid]
    seqs = sequences_of(body)
    m = body["stability_result"]["ddg_matrix"]
    assert len(m["amino_acids"]) == 20 and set(m["amino_acids"]) == AA20
    assert len(m["values"]) == len(m["positions"]) > 0
    table = {}
    for pos, row in zip(m["positions"], m["values"]):
        assert len(row) == 20
        ch, idx = pos.split(":")
        wt = seqs[ch][int(idx) - 1]
        assert row[m["amino_acids"].index(wt)] == 0
        table[pos] = dict(zip(m["amino_acids"], row))
    for sm in body["stability_result"]["stabilizing_mutations"]:
        ch, rest = sm["mutation"].split(":")
        wt, idx, mut = rest[0], rest[1:-1], rest[-1]
        assert seqs[ch][int(idx) - 1] == wt
        assert table[f"{ch}:{idx}"][mut] == sm["ddg"] < 0
    for k in ("solubility_score", "aggregation_score", "developability_score"):
        v = body["stability_result"][k]
        assert v is None or 0 <= v <= 1
    assert body["stability_result"]["model_versions"]


@pytest.mark.parametrize("jid", sorted(j for j, b in BODIES.items() if b["immunogenicity_result"]))
def test_epitopes_sit_on_sequences(jid):
    body = BODIES[jid]
    seqs = sequences_of(body)
    imm = body["immunogenicity_result"]
    for e in imm["mhc1_epitopes"] + imm["mhc2_epitopes"]:
        assert seqs[e["chain"]][e["start"] - 1 : e["end"]] == e["peptide"]
        if e.get("core"):
            assert e["core"] in e["peptide"]
    for e in imm["bcell_epitopes"]:
        assert seqs[e["chain"]][e["start"] - 1 : e["end"]] == e["sequence"] and 0 <= e["score"] <= 1
    for d in imm["deimmunization_suggestions"]:
        assert seqs[d["chain"]][d["position"] - 1] == d["from"] != d["to"] and d["epitopes_removed"] > 0
        cores_hit = [
            e for e in imm["mhc2_epitopes"] if e["chain"] == d["chain"] and e["start"] <= d["position"] <= e["end"]
        ]
        assert cores_hit, "a suggestion must touch a listed epitope"
    for k in ("risk_score", "mhc2_risk", "bcell_risk"):
        assert 0 <= imm[k] <= 1
    assert imm["model_versions"]


# ------------------------------------------------------------------ complex


@pytest.mark.parametrize("jid", sorted(j for j, b in BODIES.items() if b["complex_result"]))
def test_complex_interface_matches_file(jid):
    c = BODIES[jid]["complex_result"]
    st = read_storage(c["pdb_storage_path"])
    st.remove_hydrogens()
    model = st[0]
    ab = {"H", "L"}
    ns = gemmi.NeighborSearch(model, st.cell, 5).populate()
    want = {}
    for chain in model:
        labels = []
        for res in chain:
            info = gemmi.find_tabulated_residue(res.name)
            if res.het_flag == "H" or not (info and info.is_amino_acid()):
                continue
            near = False
            for atom in res:
                for mark in ns.find_atoms(atom.pos, "\0", radius=4.5):
                    cra = mark.to_cra(model)
                    other = gemmi.find_tabulated_residue(cra.residue.name)
                    if (
                        (cra.chain.name in ab) != (chain.name in ab)
                        and cra.residue.het_flag != "H"
                        and other
                        and other.is_amino_acid()
                        and cra.atom.pos.dist(atom.pos) <= 4.5
                    ):
                        near = True
                        break
                if near:
                    break
            if near:
                labels.append(f"{res.seqid.num}{res.seqid.icode.strip()}")
        want[chain.name] = labels
    assert c["interface_residues"] == want
    assert all(want[k] for k in ("A", "H", "L"))
    assert c["iptm"] is None and c["per_chain_plddt"] == {}


# ------------------------------------------------------------------ large job (needs the build extra)


def test_large_job_is_built_on_demand(tmp_path):
    pytest.importorskip("flash_abb")
    from app.sample_api.build import jobs

    body = jobs.build_large(tmp_path)
    assert len(body["results"]) == 12
    m = body["stability_result"]["ddg_matrix"]
    assert len(m["positions"]) == 250 and all(len(r) == 20 for r in m["values"])
    st = gemmi.read_structure(str(tmp_path / "storage" / body["structure_result"]["pdb_storage_path"]))
    n = sum(len(c) for c in st[0])
    assert 4500 <= n <= 5500
    assert n == sum(len(v) for v in body["structure_result"]["per_residue_plddt"].values())
