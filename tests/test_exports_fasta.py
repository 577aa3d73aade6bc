"""FASTA downloads: headers that name job, strategy and chain; the assembled scFv (issue 13, item 14)."""

from __future__ import annotations

import json

from app.humanization import exports
from app.humanization.review import review_strategy
from app.models import HumanizationResultRow
from app.sample_api import DEFAULT_DATA_DIR

BLINATUMOMAB = "8b8a72f1-f2ef-5768-8359-cb2e72b30715"


def records(text: str) -> dict[str, str]:
    out, header = {}, None
    for line in text.splitlines():
        if line.startswith(">"):
            header = line[1:]
            out[header] = ""
        elif header is not None:
            out[header] += line.strip()
    return out


def blinatumomab_reviews():
    body = json.loads((DEFAULT_DATA_DIR / "jobs" / f"{BLINATUMOMAB}.json").read_text(encoding="utf-8"))
    return [review_strategy(HumanizationResultRow.model_validate(r)) for r in body["results"]], body


def test_headers_name_job_strategy_and_chain():
    reviews, body = blinatumomab_reviews()
    text = exports.fasta(reviews, BLINATUMOMAB, "humanization", "Blinatumomab anti-CD19 scFv; VL>VH")
    ids = [h.split()[0] for h in records(text)]
    assert "8b8a72f1_cdr_grafting_VH" in ids and "8b8a72f1_back_mutation_VL" in ids
    assert len(ids) == len(set(ids))  # every record id unique
    vh = next(h for h in records(text) if h.startswith("8b8a72f1_cdr_grafting_VH "))
    assert "humanized VH" in vh and "strategy=cdr_grafting" in vh and f"job={BLINATUMOMAB}" in vh
    assert "job_type=humanization" in vh and "title=Blinatumomab anti-CD19 scFv VL VH" in vh  # ';' '>' removed


def test_scfv_construct_in_its_orientation_with_its_linker():
    reviews, body = blinatumomab_reviews()
    text = exports.fasta(reviews, BLINATUMOMAB)
    recs = records(text)
    for row in body["results"]:
        header = next(h for h in recs if h.startswith(f"8b8a72f1_{row['strategy']}_scFv "))
        scfv = row["scfv_analysis"]
        assert "humanized scFv VL-VH" in header and "linker=GGGGSGGGGSGGGGS (15 aa)" in header
        assert recs[header] == row["humanized_vl"] + scfv["linker"] + row["humanized_vh"]
        # the service's own note spells the same construct
        assert any(recs[header] in note for note in scfv["notes"])


def test_scfv_construct_needs_both_domains_and_a_known_orientation():
    assert exports.scfv_construct("HH", "LL", "VH-VL", "G4S") == "HHGSLL"
    assert exports.scfv_construct("HH", "LL", "vl-vh", "GGS") == "LLGGSHH"
    assert exports.scfv_construct("HH", None, "VH-VL", "GGS") is None
    assert exports.scfv_construct("HH", "LL", "diabody", "GGS") is None
