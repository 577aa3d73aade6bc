"""Sequence-level computations of the sample builder: numbering (immunum), germline
choice and CDR grafting (ANARCI's human germline set), liabilities, humanness proxy,
VHH/scFv/Fc analyses and the rule-based immunogenicity and ddG proxies.

Every rule here is described, with its name, in `app/sample_api/data/PROVENANCE.md`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import immunum

from app.residues import annotator

IMGT_REGIONS = [  # (region, first, last) in IMGT positions
    ("FR1", 1, 26),
    ("CDR1", 27, 38),
    ("FR2", 39, 55),
    ("CDR2", 56, 65),
    ("FR3", 66, 104),
    ("CDR3", 105, 117),
    ("FR4", 118, 128),
]
# Kabat Vernier positions (conventions.md)
VERNIER_KABAT = {
    "H": {2, 27, 28, 29, 30, 47, 48, 49, 67, 69, 71, 73, 78, 93, 94, 103},
    "L": {2, 4, 35, 36, 46, 47, 48, 49, 64, 66, 68, 69, 71, 98},
}
VHH_HALLMARKS_IMGT = ["42", "49", "50", "52"]
VHH_TYPE = {"42": "FY", "49": "EQ", "50": "RC", "52": "FGLW"}
HUMAN_VH_TYPE = {"42": "V", "49": "G", "50": "L", "52": "W"}

AMINO_ACIDS = "ACDEFGHIKLMNPQRSTVWY"
# Kyte & Doolittle (1982) hydropathy index
KYTE_DOOLITTLE = {
    "A": 1.8,
    "R": -4.5,
    "N": -3.5,
    "D": -3.5,
    "C": 2.5,
    "Q": -3.5,
    "E": -3.5,
    "G": -0.4,
    "H": -3.2,
    "I": 4.5,
    "L": 3.8,
    "K": -3.9,
    "M": 1.9,
    "F": 2.8,
    "P": -1.6,
    "S": -0.8,
    "T": -0.7,
    "W": -0.9,
    "Y": -1.3,
    "V": 4.2,
}


def imgt_region(position: str) -> str:
    num = int(re.match(r"\d+", position).group())
    for name, lo, hi in IMGT_REGIONS:
        if lo <= num <= hi:
            return name
    raise ValueError(position)


def _annotator(scheme: str) -> immunum.Annotator:
    return annotator(scheme)  # the dashboard's one Annotator cache (app.residues)


@dataclass
class Numbered:
    sequence: str
    chain_type: str  # H, K or L (immunum's call)
    positions: list[str]  # IMGT labels, one per residue
    kabat: list[str]  # Kabat labels, one per residue

    @property
    def regions(self) -> list[str]:
        return [imgt_region(p) for p in self.positions]

    @property
    def locus(self) -> str:
        return "H" if self.chain_type == "H" else "L"


def number(sequence: str) -> Numbered:
    """IMGT and Kabat numbering of a whole V domain with immunum; every residue must be numbered."""
    out = {}
    for scheme in ("imgt", "kabat"):
        res = _annotator(scheme).number(sequence)
        if res.error:
            raise ValueError(f"immunum ({scheme}): {res.error}")
        if res.query_start != 0 or res.query_end != len(sequence) - 1:
            raise ValueError(f"immunum ({scheme}) numbered only {res.query_start}..{res.query_end}")
        out[scheme] = (res.chain, list(res.numbering.keys()))
    return Numbered(sequence, out["imgt"][0], out["imgt"][1], out["kabat"][1])


def number_scfv(sequence: str):
    return _annotator("imgt").number_domains(sequence)


# ---------------------------------------------------------------- germlines (ANARCI)


def _germline_sets(chain_type: str):
    from anarci.germlines import all_germlines  # BSD-3, ANARCI

    v = all_germlines["V"][chain_type]["human"]
    j = all_germlines["J"][chain_type]["human"]
    return v, j


def human_germline_peptides(locus: str, k: int = 9) -> dict[str, int]:
    """k-mer -> number of human germline V and J genes (ANARCI set) holding it, for a locus
    (H: IGHV/IGHJ; L: IGKV/IGKJ + IGLV/IGLJ)."""
    return _germline_kmers(locus, k)


@cache
def _germline_kmers(locus: str, k: int) -> dict[str, int]:
    types = ["H"] if locus == "H" else ["K", "L"]
    counts: dict[str, int] = {}
    for t in types:
        v, j = _germline_sets(t)
        for genes in (v, j):
            for seq in genes.values():
                s = seq.replace("-", "")
                for kmer in {s[i : i + k] for i in range(len(s) - k + 1)}:
                    counts[kmer] = counts.get(kmer, 0) + 1
    return counts


@cache
def germline_gene_count(locus: str) -> int:
    types = ["H"] if locus == "H" else ["K", "L"]
    return sum(len(_germline_sets(t)[0]) for t in types)


@dataclass
class GermlineHit:
    v_name: str
    j_name: str
    v_identity: float  # over FR1-FR3 positions
    j_identity: float  # over FR4
    fr_identity: float  # over FR1-FR4
    v_by_pos: dict[int, str]
    j_by_pos: dict[int, str]


def ranked_germlines(num: Numbered) -> list[GermlineHit]:
    """Human germlines (V with the best J) ranked by framework identity to `num`.

    Only germlines whose framework occupies exactly the IMGT positions the query occupies
    are considered, so that grafting is substitution-only. Ties break by gene name.
    """
    v_genes, j_genes = _germline_sets(num.chain_type)
    fr_v = {}  # imgt int pos -> aa for FR1-3 positions without insertion
    fr_j = {}
    for pos, aa in zip(num.positions, num.sequence):
        if not pos.isdigit():
            continue
        p = int(pos)
        reg = imgt_region(pos)
        if reg in ("FR1", "FR2", "FR3"):
            fr_v[p] = aa
        elif reg == "FR4":
            fr_j[p] = aa

    def by_pos(seq, lo, hi):
        return {i + 1: a for i, a in enumerate(seq) if lo <= i + 1 <= hi and a != "-"}

    best_j = None
    for name in sorted(j_genes):
        g = by_pos(j_genes[name], 118, 128)
        if set(g) != set(fr_j):
            continue
        ident = sum(g[p] == fr_j[p] for p in fr_j) / len(fr_j)
        if best_j is None or ident > best_j[1]:
            best_j = (name, ident, g)
    if best_j is None:
        raise ValueError("no compatible human J gene")
    hits = []
    for name in sorted(v_genes):
        g = {p: a for p, a in by_pos(v_genes[name], 1, 104).items() if imgt_region(str(p)).startswith("FR")}
        if set(g) != set(fr_v):
            continue
        if "X" in g.values() or "*" in g.values():
            continue
        matches = sum(g[p] == fr_v[p] for p in fr_v)
        jm = best_j[1] * len(fr_j)
        hits.append(
            GermlineHit(
                v_name=name,
                j_name=best_j[0],
                v_identity=matches / len(fr_v),
                j_identity=best_j[1],
                fr_identity=(matches + jm) / (len(fr_v) + len(fr_j)),
                v_by_pos=g,
                j_by_pos=best_j[2],
            )
        )
    hits.sort(key=lambda h: (-h.v_identity, h.v_name))
    return hits


def kabat_cdr_indices(num: Numbered) -> set[int]:
    regions = immunum.regions_for("kabat", num.chain_type)
    out = set()
    for i, lab in enumerate(num.kabat):
        n = int(re.match(r"\d+", lab).group())
        for r in ("cdr1", "cdr2", "cdr3"):
            lo, hi = regions[r]
            if lo <= n <= hi:
                out.add(i)
    return out


def imgt_cdr_indices(num: Numbered) -> set[int]:
    return {i for i, r in enumerate(num.regions) if r.startswith("CDR")}


def vernier_indices(num: Numbered) -> set[int]:
    vset = VERNIER_KABAT[num.locus]
    return {i for i, lab in enumerate(num.kabat) if lab.isdigit() and int(lab) in vset}


@dataclass
class Graft:
    sequence: str
    germline: GermlineHit
    cdr_definition: str
    kept_parental: set[int]  # indices kept parental (CDRs)
    back_mutations: list[dict] = field(default_factory=list)


def graft(num: Numbered, hit: GermlineHit, cdr_definition: str, extra_keep: set[int] = frozenset()) -> Graft:
    """CDR grafting: CDR residues (per `cdr_definition`) stay parental; numbered framework
    positions take the germline V (FR1-3) or J (FR4) residue; `extra_keep` indices (e.g.
    Vernier back-mutations) stay parental too."""
    if cdr_definition == "imgt":
        keep = imgt_cdr_indices(num)
    elif cdr_definition == "kabat+imgt":
        keep = imgt_cdr_indices(num) | kabat_cdr_indices(num)
    else:
        raise ValueError(cdr_definition)
    out = list(num.sequence)
    back = []
    for i, pos in enumerate(num.positions):
        if i in keep or not pos.isdigit():
            continue
        p = int(pos)
        germ = hit.v_by_pos.get(p) or hit.j_by_pos.get(p)
        if germ is None:
            continue
        if i in extra_keep and germ != num.sequence[i]:
            back.append(
                {"index": i + 1, "position": pos, "kabat": num.kabat[i], "parental": num.sequence[i], "germline": germ}
            )
            continue
        out[i] = germ
    return Graft("".join(out), hit, cdr_definition, keep | set(extra_keep), back)


# ---------------------------------------------------------------- row pieces


def mutations(parental: Numbered, humanized: str, hit: GermlineHit | None) -> list[dict]:
    assert len(parental.sequence) == len(humanized)
    vern = vernier_indices(parental)
    out = []
    for i, (a, b) in enumerate(zip(parental.sequence, humanized)):
        if a == b:
            continue
        m = {
            "position": parental.positions[i],
            "index": i + 1,
            "from": a,
            "to": b,
            "region": parental.regions[i],
            "reason": "germline",
        }
        if i in vern:
            m["vernier"] = True
        out.append(m)
    return out


LIABILITY_RULES = [  # (type, regex, where, severity) from conventions.md
    ("n_glycosylation", r"N[^P][ST]", "all", "high"),
    ("deamidation", r"N[GS]", "cdr+vernier", "high"),
    ("deamidation", r"N[AHNT]", "cdr+vernier", "medium"),
    ("isomerization", r"D[GSTDH]", "cdr+vernier", "high"),
    ("fragmentation", r"DP", "cdr", "high"),
    ("oxidation", r"M", "cdr", "medium"),
    ("oxidation", r"W", "cdr", "high"),
    ("integrin_binding", r"RGD|RYD|LDV|NGR|KGD", "all", "high"),
    ("polyreactivity", r"RR|VG|VV|WW|W.W", "cdr", "low"),
]


def liabilities(num: Numbered) -> list[dict]:
    """Motif scan: overlapping regex matches; a motif counts for a CDR-only rule when its
    first residue is in an IMGT CDR (or a Kabat Vernier position for '+vernier' rules)."""
    seq = num.sequence
    regions = num.regions
    vern = vernier_indices(num)
    out = []
    for typ, rx, where, sev in LIABILITY_RULES:
        for m in re.finditer(f"(?=({rx}))", seq):
            s = m.start()
            motif = m.group(1)
            if where != "all":
                ok = regions[s].startswith("CDR") or (where == "cdr+vernier" and s in vern)
                if not ok:
                    continue
            out.append(
                {
                    "type": typ,
                    "motif": motif,
                    "start": s + 1,
                    "end": s + len(motif),
                    "region": regions[s],
                    "severity": sev,
                }
            )
    for i, (aa, pos) in enumerate(zip(seq, num.positions)):
        if aa == "C" and pos not in ("23", "104"):
            out.append(
                {
                    "type": "free_cysteine",
                    "motif": "C",
                    "start": i + 1,
                    "end": i + 1,
                    "region": regions[i],
                    "severity": "high",
                }
            )
    out.sort(key=lambda d: (d["start"], d["type"], d["end"]))
    return out


def numbering_rows(num: Numbered) -> list[dict]:
    return [{"position": p, "aa": a, "region": r} for p, a, r in zip(num.positions, num.sequence, num.regions)]


def humanness(num: Numbered, parental: str | None) -> dict:
    """Humanness proxy (NOT OASis): identity = FR1-4 identity to the closest compatible
    human germline V+J; germline_content = fraction of the chain's 9-mers found in the
    human germline V/J set of its locus; prevalence = fraction of that locus's germline V
    genes (+J) holding the 9-mer; percentile null (no OASis database)."""
    hits = ranked_germlines(num)
    kmers = _germline_kmers(num.locus, 9)
    n_genes = germline_gene_count(num.locus)
    seq = num.sequence
    peps = []
    for i in range(len(seq) - 8):
        p = seq[i : i + 9]
        c = kmers.get(p, 0)
        peps.append({"start": i + 1, "peptide": p, "human": c > 0, "prevalence": round(min(1.0, c / n_genes), 4)})
    out = {
        "percentile": None,
        "identity": round(hits[0].fr_identity, 4),
        "germline_content": round(sum(p["human"] for p in peps) / len(peps), 4),
        "closest_germline": f"{hits[0].v_name}/{hits[0].j_name}",
        "peptides": peps,
    }
    if parental is not None:
        out["parental_identity"] = round(sum(a == b for a, b in zip(seq, parental)) / len(seq), 4)
    return out


def vhh_analysis(parental: Numbered, humanized: Numbered) -> dict:
    def hallmarks(num):
        return {p: a for p, a in zip(num.positions, num.sequence) if p in VHH_HALLMARKS_IMGT}

    par = hallmarks(parental)
    hum = hallmarks(humanized)
    vhh_like = sum(par.get(p, "") in VHH_TYPE[p] for p in VHH_HALLMARKS_IMGT)
    cdr3 = sum(r == "CDR3" for r in parental.regions)
    notes = [
        f"{vhh_like} of 4 hallmark positions (IMGT 42, 49, 50, 52 = Kabat 37, 44, 45, 47) carry "
        "VHH-type residues in the input (rule: is_vhh when at least 2 do).",
    ]
    changed = [p for p in VHH_HALLMARKS_IMGT if par.get(p) != hum.get(p)]
    if changed:
        notes.append(
            "Hallmarks changed to the human VH residue at IMGT "
            + ", ".join(changed)
            + ": the former VL interface becomes VH-like; expect lower solubility without a VL."
        )
    else:
        notes.append("All hallmarks kept as in the input.")
    return {
        "is_vhh": vhh_like >= 2,
        "hallmarks": par,
        "hallmark_scheme": "imgt",
        "humanized_hallmarks": hum,
        "cdr3_length": cdr3,
        "notes": notes,
    }


def scfv_analysis(scfv: str) -> dict:
    doms = number_scfv(scfv)
    if len(doms) != 2 or any(d.error for d in doms):
        raise ValueError("scFv: expected two numbered domains")
    a, b = doms
    order = ["VH" if d.chain == "H" else "VL" for d in doms]
    linker = scfv[a.query_end + 1 : b.query_start]
    flags = []
    if set(linker) <= set("GS"):
        flags.append("gly_ser_only")
    m = re.fullmatch(r"(GGGGS)+", linker)
    if m:
        flags.append(f"(G4S){len(linker) // 5}")
    if len(linker) < 12:
        flags.append("short_linker_lt_12: favours diabody/multimer formation")
    notes = [
        f"Domains found by immunum number_domains: {order[0]} residues 1-{a.query_end + 1}, "
        f"{order[1]} residues {b.query_start + 1}-{b.query_end + 1}; linker = residues between them.",
    ]
    return {
        "orientation": "-".join(order),
        "linker": linker,
        "linker_length": len(linker),
        "linker_flags": flags,
        "notes": notes,
    }


FC_KNOWN = {  # name -> (set of (eu, from, to)), effect; literature facts
    "LALA": (
        {(234, "L", "A"), (235, "L", "A")},
        "L234A/L235A: strongly reduced binding to FcγRs and C1q, so little ADCC/ADCP/CDC (silenced Fc)",
    ),
    "YTE": (
        {(252, "M", "Y"), (254, "S", "T"), (256, "T", "E")},
        "M252Y/S254T/T256E: higher FcRn affinity at pH 6.0, about 3-4x longer serum half-life",
    ),
    "LS": ({(428, "M", "L"), (434, "N", "S")}, "M428L/N434S: higher FcRn affinity at pH 6.0, longer serum half-life"),
    "N297A": ({(297, "N", "A")}, "N297A: removes the Fc N-glycan; effector functions largely lost"),
    "P329G": ({(329, "P", "G")}, "P329G: abolishes FcγR and C1q binding (with LALA: 'LALA-PG')"),
}


def fc_analysis(constant: str, reference: str, eu_start: int, isotype: str) -> dict:
    """Compare a given IgG1 constant region with the IGHG1 reference residue by residue in
    EU numbering (same length, substitutions only) and name known engineered sets."""
    if len(constant) != len(reference):
        raise ValueError("constant region must align ungapped with the reference")
    diffs = {(eu_start + i, r, c) for i, (r, c) in enumerate(zip(reference, constant)) if r != c}
    muts = []
    named = set()
    for name, (subs, effect) in FC_KNOWN.items():
        if subs <= diffs:
            named |= subs
            for eu, f, t in sorted(subs):
                muts.append({"eu_position": str(eu), "from": f, "to": t, "name": name, "effect": effect})
    for eu, f, t in sorted(diffs - named):
        muts.append(
            {
                "eu_position": str(eu),
                "from": f,
                "to": t,
                "name": f"{f}{eu}{t}",
                "effect": "not in the builder's table of known Fc engineering",
            }
        )
    names = {m["name"] for m in muts}
    silenced = bool(names & {"LALA", "N297A", "P329G"})
    hle = bool(names & {"YTE", "LS"})
    return {
        "isotype": isotype,
        "allotype": None,
        "engineered_mutations": muts,
        "effector_function": "reduced (silenced Fc)" if silenced else "wild-type IgG1 (ADCC/CDC competent)",
        "half_life_extension": hle,
        "notes": [
            "Mutations found by comparing the given constant region with human IGHG1 (UniProt P01857) "
            "in EU numbering; names and effects from the builder's table of known Fc engineering.",
            "Allotype not called: the constant region given is the P01857 reference plus the INN's "
            "substitutions, not a sequenced drug product.",
        ],
    }


# ---------------------------------------------------------------- rule-based immunogenicity


def nongermline_9mers(seq: str, locus: str) -> list[int]:
    kmers = _germline_kmers(locus, 9)
    return [i for i in range(len(seq) - 8) if seq[i : i + 9] not in kmers]


def immunogenicity(chains: dict[str, Numbered], max_suggestions: int = 8) -> dict:
    """rule:nongermline-9mer — every 9-mer absent from the human germline V/J set of its
    locus is listed as a potential MHC-II core (peptide = the 15-mer around it); no HLA
    allele model is run, so allele is a label and percentile_rank is null.
    rule:kd-hydrophilic-window — B-cell linear-epitope proxy: 7-residue windows whose
    mean Kyte-Doolittle hydropathy is <= -2.0, merged into segments.
    Deimmunization: framework single substitutions (no C, no CDR) that remove the most
    non-germline 9-mers, counted by re-scanning."""
    mhc2, bcell, sugg = [], [], []
    total9 = bad9 = 0
    cov = tot = 0
    for ch, num in chains.items():
        seq = num.sequence
        bad = nongermline_9mers(seq, num.locus)
        total9 += len(seq) - 8
        bad9 += len(bad)
        for i in bad:
            lo, hi = max(0, i - 3), min(len(seq), i + 12)
            mhc2.append(
                {
                    "chain": ch,
                    "start": lo + 1,
                    "end": hi,
                    "peptide": seq[lo:hi],
                    "core": seq[i : i + 9],
                    "allele": "rule:nongermline-9mer (no HLA model)",
                    "percentile_rank": None,
                }
            )
        # B-cell proxy
        w = 7
        hits = [i for i in range(len(seq) - w + 1) if sum(KYTE_DOOLITTLE[a] for a in seq[i : i + w]) / w <= -2.0]
        segs = []
        for i in hits:
            if segs and i <= segs[-1][1]:
                segs[-1][1] = i + w
            else:
                segs.append([i, i + w])
        covered = set()
        for s, e in segs:
            mean = sum(KYTE_DOOLITTLE[a] for a in seq[s:e]) / (e - s)
            bcell.append(
                {"chain": ch, "start": s + 1, "end": e, "sequence": seq[s:e], "score": round(min(1.0, -mean / 4.5), 3)}
            )
            covered |= set(range(s, e))
        cov += len(covered)
        tot += len(seq)
        # deimmunization
        regions = num.regions
        cands = []
        base = len(bad)
        covered9 = {j for i in bad for j in range(i, i + 9)}
        for j in sorted(covered9):
            if regions[j].startswith("CDR"):
                continue
            for aa in AMINO_ACIDS:
                if aa in ("C", seq[j]):
                    continue
                mut = seq[:j] + aa + seq[j + 1 :]
                removed = base - len(nongermline_9mers(mut, num.locus))
                if removed > 0:
                    cands.append((removed, ch, j, aa))
        cands.sort(key=lambda c: (-c[0], c[1], c[2], c[3]))
        seen = set()
        for removed, ch_, j, aa in cands:
            if (ch_, j) in seen:
                continue
            seen.add((ch_, j))
            sugg.append(
                {
                    "chain": ch_,
                    "position": j + 1,
                    "from": seq[j],
                    "to": aa,
                    "epitopes_removed": removed,
                    "note": f"{regions[j]} (IMGT {num.positions[j]}); rule:nongermline-9mer re-scan",
                }
            )
            if len([s for s in sugg if s["chain"] == ch_]) >= max_suggestions // len(chains):
                break
    mhc2_risk = bad9 / total9
    for s in sugg:
        s["predicted_risk_after"] = round((bad9 - s["epitopes_removed"]) / total9, 4)
    bcell_risk = cov / tot
    return {
        "mhc1_epitopes": [],
        "mhc2_epitopes": mhc2,
        "bcell_epitopes": bcell,
        "deimmunization_suggestions": sugg,
        "risk_score": round((mhc2_risk + bcell_risk) / 2, 4),
        "mhc1_risk": None,
        "mhc2_risk": round(mhc2_risk, 4),
        "bcell_risk": round(bcell_risk, 4),
        "model_versions": {
            "rule:nongermline-9mer (human germline V/J 9-mers, ANARCI germlines)": "1",
            "rule:kd-hydrophilic-window (Kyte-Doolittle, w=7, mean<=-2.0)": "1",
            "MHC-I": "not computed (no open offline predictor)",
        },
    }


# ---------------------------------------------------------------- ddG proxy


def ddg_proxy(chains: dict[str, str], burial: dict[str, list[float]], positions: list[tuple[str, int]]):
    """rule:blosum62-kd-burial-proxy (NOT a physical ddG):
    ddG = 0.1 * (B62[wt][wt] - B62[wt][mut]) - 1.0 * burial * (KD[mut] - KD[wt]) / 9,
    kcal/mol-like units; burial in [0, 1] from CA neighbour counts in the predicted model."""
    from Bio.Align import substitution_matrices

    b62 = substitution_matrices.load("BLOSUM62")
    values = []
    for ch, idx in positions:
        wt = chains[ch][idx - 1]
        bur = burial[ch][idx - 1]
        row = []
        for aa in AMINO_ACIDS:
            v = 0.1 * (b62[wt][wt] - b62[wt][aa]) - 1.0 * bur * (KYTE_DOOLITTLE[aa] - KYTE_DOOLITTLE[wt]) / 9
            row.append(round(v, 3) + 0.0)
        values.append(row)
    return {"positions": [f"{c}:{i}" for c, i in positions], "amino_acids": list(AMINO_ACIDS), "values": values}
