"""Unit tests of app.humanization: alignment, numbering fallback, mutation bookkeeping, liability scan
and placement, peptide track, exports and the escaped HTML view. Sequences are real V regions
(trastuzumab, hu4D5-8) written in as literal facts; expectations come from those facts, not the code."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.humanization import exports, tables
from app.humanization.alignment import align
from app.humanization.humanness import peptide_track
from app.humanization.liabilities import place, scan
from app.humanization.numbering import imgt_labels, number_chain, number_locally, vernier_flags
from app.humanization.review import review_strategy
from app.humanization.vhh import hallmark_rows
from app.models import HumanizationResultRow, Liability, Peptide
from components.humanization_alignment import build_alignment_html

# Trastuzumab (Herceptin, hu4D5-8) variable regions.
TRAS_VH = "EVQLVESGGGLVQPGGSLRLSCAASGFNIKDTYIHWVRQAPGKGLEWVARIYPTNGYTRYADSVKGRFTISADTSKNTAYLQMNSLRAEDTAVYYCSRWGGDGFYAMDYWGQGTLVTVSS"
TRAS_VL = "DIQMTQSPSSLSASVGDRVTITCRASQDVNTAVAWYQQKPGKAPKLLIYSASFLYSGVPSRFSGSRSGTDFTLTISSLQPEDFATYYCQQHYTTPPTFGQGTKVEIK"
# IMGT CDRs of trastuzumab VH (IMGT/mAb-DB): CDR1 GFNIKDTY, CDR2 IYPTNGYT, CDR3 SRWGGDGFYAMDY.
TRAS_VH_CDRS = ("GFNIKDTY", "IYPTNGYT", "SRWGGDGFYAMDY")


def mutate(sequence: str, changes: dict[int, str]) -> str:
    """1-based substitutions."""
    letters = list(sequence)
    for index, aa in changes.items():
        letters[index - 1] = aa
    return "".join(letters)


def chain_review(parental: str | None, humanized: str, **extra):
    body = {"strategy": "test", "humanized_vh": humanized, **extra}
    if parental:
        body["parental_vh"] = parental
    return review_strategy(HumanizationResultRow.model_validate(body)).chain("vh")


# --- alignment -----------------------------------------------------------------------------------


def test_equal_lengths_are_compared_position_by_position():
    humanized = mutate(TRAS_VH, {5: "Q", 100: "A"})
    alignment = align(TRAS_VH, humanized)
    assert len(alignment.columns) == len(TRAS_VH)
    assert [c.humanized_index for c in alignment.columns if c.is_mutation] == [5, 100]


def test_a_deletion_is_one_gap_not_a_shifted_tail():
    # Remove the V at index 5: a position-by-position comparison would call most of the tail mutated.
    humanized = TRAS_VH[:4] + TRAS_VH[5:]
    alignment = align(TRAS_VH, humanized)
    mutated = [c for c in alignment.columns if c.is_mutation]
    assert len(mutated) == 1
    assert (
        mutated[0].kind == "deletion" and mutated[0].parental_aa in "V"
    )  # the V of 'QLVES' (either V of 'LV' is equivalent)
    assert "gemmi" in alignment.method


def test_an_insertion_in_cdr3_is_one_gap():
    cdr3_end = TRAS_VH.index("YAMDY") + 5
    humanized = TRAS_VH[:cdr3_end] + "W" + TRAS_VH[cdr3_end:]
    mutated = [c for c in align(TRAS_VH, humanized).columns if c.is_mutation]
    assert [c.kind for c in mutated] == ["insertion"]
    assert mutated[0].humanized_aa == "W"


@settings(max_examples=40, deadline=None)
@given(
    st.text(alphabet="ACDEFGHIKLMNPQRSTVWYXBZ*", min_size=1, max_size=60),
    st.text(alphabet="ACDEFGHIKLMNPQRSTVWYXBZ*", min_size=1, max_size=60),
)
def test_alignment_keeps_every_residue_in_order(parental, humanized):
    alignment = align(parental, humanized)
    assert "".join(c.parental_aa for c in alignment.columns if c.parental_index) == parental
    assert "".join(c.humanized_aa for c in alignment.columns if c.humanized_index) == humanized


# --- numbering -------------------------------------------------------------------------------------


def test_local_imgt_numbering_of_trastuzumab_vh():
    numbering = number_locally(TRAS_VH, "imgt")
    assert numbering.source == "immunum" and numbering.scheme == "imgt"
    by_label = dict(zip(numbering.labels, numbering.sequence))
    assert by_label["23"] == "C" and by_label["104"] == "C"  # the conserved cysteines
    assert by_label["118"] == "W"  # J-region Trp of 'WGQG'
    for name, cdr in zip(("CDR1", "CDR2", "CDR3"), TRAS_VH_CDRS):
        assert "".join(aa for aa, r in zip(numbering.sequence, numbering.regions) if r == name) == cdr


def test_service_numbering_is_used_only_when_it_spells_the_sequence():
    from app.models import NumberedResidue

    entries = [NumberedResidue(position=str(i + 1), aa=aa, region="FR1") for i, aa in enumerate(TRAS_VH)]
    assert number_chain(TRAS_VH, "kabat", entries).source == "service"
    other = mutate(TRAS_VH, {3: "A"})
    fallback = number_chain(other, "kabat", entries)
    assert fallback.source == "immunum" and fallback.scheme == "kabat"


def test_a_non_antibody_sequence_stays_unnumbered_without_error():
    numbering = number_locally("MKTAYIAKQRQISFVKSHFSRQ" * 3)
    assert not numbering.numbered and numbering.labels[0] == "1"
    assert "immunum" in numbering.describe() or "not numbered" in numbering.describe()


def test_vernier_flags_follow_kabat_positions():
    flags = vernier_flags(TRAS_VH)
    # No Kabat insertion before 35A, so Kabat 2 and 27-30 are indices 2 and 27-30; 5 is not Vernier.
    assert flags[1] and all(flags[26:30]) and not flags[4]


# --- mutation bookkeeping ----------------------------------------------------------------------------


def test_counts_by_region_and_framework_kept():
    cdr3_index = TRAS_VH.index("SRWGGDGFYAMDY") + 3  # 1-based index of the W in 'SRW'
    humanized = mutate(TRAS_VH, {5: "Q", 2: "I", cdr3_index: "F"})
    chain = chain_review(TRAS_VH, humanized)
    framework_length = len(TRAS_VH) - sum(len(c) for c in TRAS_VH_CDRS)
    assert chain.counts.total == 3
    assert chain.counts.framework == 2 and chain.counts.cdr == 1
    assert chain.counts.vernier == 1  # Kabat 2
    assert chain.counts.framework_kept == pytest.approx((framework_length - 2) / framework_length)


def test_service_mutations_are_completed_by_the_alignment():
    humanized = mutate(TRAS_VH, {5: "Q", 11: "V"})
    listed = {"vh": [{"position": "5", "index": 5, "from": "V", "to": "Q", "region": "FR1", "reason": "germline"}]}
    chain = chain_review(TRAS_VH, humanized, mutations=listed)
    by_index = {m.humanized_index: m for m in chain.mutations}
    assert set(by_index) == {5, 11}
    assert by_index[5].source == "service" and by_index[5].reason == "germline"
    assert by_index[11].source == "alignment" and by_index[11].from_aa == "L" and by_index[11].to_aa == "V"


def test_no_parental_means_no_derived_mutations_and_no_framework_share():
    chain = chain_review(None, TRAS_VH)
    assert chain.mutations == () and chain.counts.framework_kept is None
    assert not any(c.is_mutation for c in chain.alignment.columns)


# --- liabilities -------------------------------------------------------------------------------------


def _hits(sequence: str):
    return scan(number_locally(sequence, "imgt"), vernier_flags(sequence), imgt_labels(sequence)).hits


def test_known_trastuzumab_hot_spots_are_found_in_cdrs():
    # Harris et al. 2001 (Herceptin): deamidation at LC Asn30 and HC Asn55, isomerization at HC Asp102.
    vh = {(h.type, h.motif, h.start): h for h in _hits(TRAS_VH)}
    vl = {(h.type, h.motif, h.start): h for h in _hits(TRAS_VL)}
    n55 = TRAS_VH.index("TNGY") + 2
    d102 = TRAS_VH.index("GDGF") + 2
    n30 = TRAS_VL.index("DVNT") + 3
    assert vh[("deamidation", "NG", n55)].in_cdr and vh[("deamidation", "NG", n55)].severity == "high"
    assert vh[("isomerization", "DG", d102)].region == "CDR3"
    assert vl[("deamidation", "NT", n30)].severity == "medium" and vl[("deamidation", "NT", n30)].in_cdr


def test_cdr_only_motifs_are_not_reported_in_the_framework():
    # 'QMNSL' sits in FR3 at Kabat 82-82A, not a Vernier position: NS there is not a liability by the rule.
    ns = TRAS_VH.index("MNSL") + 2
    assert not [h for h in _hits(TRAS_VH) if h.start == ns]


def test_glycosylation_anywhere_and_unpaired_cysteine():
    humanized = mutate(TRAS_VH, {3: "N", 5: "S", 70: "C"})  # residues 3-5 become 'NLS' (N-x-S, x not P)
    hits = _hits(humanized)
    assert any(h.type == "n_glycosylation" and h.start == 3 and h.region == "FR1" for h in hits)
    cysteines = [h.start for h in hits if h.type == "free_cysteine"]
    assert cysteines == [70]  # the canonical pair (IMGT 23, 104) is not reported


def test_service_liabilities_are_placed_on_regions_even_when_out_of_range():
    numbering = number_locally(TRAS_VH, "imgt")
    n55 = TRAS_VH.index("TNGY") + 2
    given = [
        Liability(type="deamidation", motif="NG", start=n55, end=n55 + 1, severity="HIGH"),
        Liability(type="oxidation", motif="M", start=900, end=900, region=None, severity=None),
    ]
    placed = place(given, numbering)
    assert placed[0].region == "CDR2" and placed[0].in_cdr and placed[0].severity == "high"
    assert placed[1].region is None and "outside" in placed[1].position_label


def test_added_and_removed_relative_to_parental():
    n55 = TRAS_VH.index("TNGY") + 2
    humanized = mutate(TRAS_VH, {n55 + 1: "A"})  # NG (high) → NA (medium)
    chain = chain_review(TRAS_VH, humanized)
    changes = {(c.change, c.hit.motif) for c in chain.liability_changes}
    assert ("removed", "NG") in changes and ("added", "NA") in changes
    # and the comparison lines parental and humanized up through the alignment, not the raw index
    shifted = TRAS_VH[:4] + TRAS_VH[5:]
    assert not chain_review(TRAS_VH, shifted).liability_changes


def test_local_scan_is_used_and_labelled_when_the_service_sends_none():
    chain = chain_review(None, TRAS_VH, liabilities={"vh": [], "vl": []})
    assert chain.liability_source == "scanned here" and chain.liabilities


# --- humanness, overview, exports, HTML ------------------------------------------------------------


def test_peptide_track_counts_non_human_cover():
    sequence = TRAS_VH[:20]
    peptides = [
        Peptide(start=1, peptide=sequence[0:9], human=False),
        Peptide(start=5, peptide=sequence[4:13], human=True),
        Peptide(start=50, peptide="AAAAAAAAA", human=False),
    ]
    track = peptide_track(sequence, peptides)
    assert track.non_human_cover[:9] == (1,) * 9 and sum(track.non_human_cover[9:]) == 0
    assert (track.peptides_total, track.peptides_non_human, track.peptides_ignored) == (2, 1, 1)


def test_best_value_marks_follow_each_column_direction():
    frame = pd.DataFrame(
        {"Strategy": ["a", "b", "c"], "VH total": [5, 3, 3], "VH identity %": [90.0, 95.0, None]}
    ).astype({"VH total": "Float64", "VH identity %": "Float64"})
    mask = tables.best_mask(frame, {"VH total": tables.LOWER_IS_BETTER, "VH identity %": tables.HIGHER_IS_BETTER})
    assert mask["VH total"].tolist() == [False, True, True]
    assert mask["VH identity %"].tolist() == [False, True, False]


def test_fasta_and_csv_files():
    review = review_strategy(
        HumanizationResultRow.model_validate(
            {"strategy": "cdr grafting|x", "humanized_vh": mutate(TRAS_VH, {5: "Q"}), "parental_vh": TRAS_VH}
        )
    )
    text = exports.fasta([review, review], "job-1")
    headers = [line for line in text.splitlines() if line.startswith(">")]
    assert headers[0] == ">job-1|parental|VH" and len(headers) == 3  # parental once, humanized per strategy
    assert all(h.count("|") == 3 for h in headers[1:])  # the '|' inside the strategy name is replaced
    assert "".join(text.split(">job-1|parental|VH\n")[1].split(">")[0].split()) == TRAS_VH
    rows = list(csv.DictReader(io.StringIO(exports.csv_text(pd.DataFrame({"Reason": ["=HYPERLINK(1)", "-", "ok"]})))))
    assert [r["Reason"] for r in rows] == ["'=HYPERLINK(1)", "-", "ok"]
    assert exports.file_name("abc", "mutations", "csv") == "job-abc-mutations.csv"


def test_alignment_html_escapes_every_untrusted_string():
    from app.models import NumberedResidue

    hostile = "<img src=x onerror=alert(1)>"
    entries = [
        NumberedResidue(position=hostile if i == 0 else str(i + 1), aa=aa, region=None) for i, aa in enumerate(TRAS_VH)
    ]
    review = review_strategy(
        HumanizationResultRow.model_validate(
            {
                "strategy": hostile,
                "humanized_vh": mutate(TRAS_VH, {1: "<"}),
                "parental_vh": TRAS_VH,
                "numbering": {"scheme": "<b>imgt</b>", "vh": [e.model_dump() for e in entries]},
                "liabilities": {
                    "vh": [{"type": "<script>x</script>", "motif": hostile, "start": 1, "end": 2, "severity": "high"}]
                },
            }
        )
    )
    markup = build_alignment_html(review.chain("vh"))
    assert "<img" not in markup and "<script" not in markup and "<b>" not in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup  # the hostile label is shown, as text


def test_vhh_hallmarks_in_kabat_are_reported_at_imgt_positions():
    rows = hallmark_rows(
        {"37": "F", "44": "E", "45": "R", "47": "G"}, {"37": "V", "44": "G", "45": "L", "47": "W"}, "kabat"
    )
    by_imgt = {r["IMGT"]: r for r in rows}
    assert by_imgt["42"]["Parental"] == "F" and by_imgt["42"]["Parental is"] == "VHH-type"
    assert by_imgt["42"]["Humanized is"] == "human VH-type" and by_imgt["52"]["Changed"] == "yes"
    assert by_imgt["52"]["Humanized is"] == "VHH- and human-type"  # W52 is listed for both (conventions)


def test_cetuximab_germline_framework_cdr_changes_per_definition():
    """Issue 13: counted per CDR definition and 'in any'; only 'any' is ranked (green), and the CSV names each scheme."""
    import json
    from pathlib import Path

    from app.humanization.review import review_strategy
    from app.models import JobResponse
    from app.sample_api import DEFAULT_DATA_DIR

    body = json.loads((Path(DEFAULT_DATA_DIR) / "jobs" / "1d4490b7-23df-5396-9f51-ceb8d92e70f3.json").read_text())
    reviews = [review_strategy(row, i) for i, row in enumerate(JobResponse.model_validate(body).strategies)]
    frame, better = tables.overview_frame(reviews)
    germline = frame[frame["Strategy"] == "germline_framework"].index[0]
    counts = {c: frame.loc[germline, c] for c in frame.columns if c.startswith("VH CDR")}
    assert counts == {"VH CDR any": 8, "VH CDR IMGT": 0, "VH CDR Kabat": 8, "VH CDR Chothia": 0, "VH CDR North": 4}
    assert "VH CDR any" in better and "VH CDR IMGT" not in better
    assert not tables.best_mask(frame, better).loc[germline, "VH CDR any"]
    csv = tables.mutation_frame(reviews).to_csv(index=False).splitlines()[0].split(",")
    assert csv[6:11] == ["region_imgt", "region_kabat", "region_chothia", "region_north", "CDR under"]
