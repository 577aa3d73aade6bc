"""Unit tests of app.immunogenicity: threshold binning, per-residue counts, tables, cross-checks."""

from __future__ import annotations

import numpy as np
import pytest

from app.conventions import MHC1_THRESHOLDS, MHC2_LEGACY_THRESHOLDS, MHC2_THRESHOLDS
from app.immunogenicity import (
    BCELL,
    MHC1,
    MHC2,
    Criteria,
    Epitope,
    bin_rank,
    chain_length,
    csv_text,
    epitope_frame,
    epitopes_of,
    per_residue_track,
    stability_verdict,
    suggestions_frame,
)
from app.immunogenicity.epitopes import hover_texts
from app.immunogenicity.figures import build_epitope_map, build_risk_gauges
from app.models import DdgMatrix, DeimmunizationSuggestion, ImmunogenicityResultRow, Numbering, StabilizingMutation
from app.stability import ChainResidues, ResidueContext, ddg_table

AAS = list("ACDEFGHIKLMNPQRSTVWY")


# --- binning ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rank, thresholds, expected",
    [
        (0.5, MHC1_THRESHOLDS, "strong"),
        (0.51, MHC1_THRESHOLDS, "weak"),
        (2.0, MHC1_THRESHOLDS, "weak"),
        (2.01, MHC1_THRESHOLDS, "non-binder"),
        (None, MHC1_THRESHOLDS, "unranked"),
        (float("nan"), MHC1_THRESHOLDS, "unranked"),
        (1.0, MHC2_THRESHOLDS, "strong"),
        (5.0, MHC2_THRESHOLDS, "weak"),
        (7.0, MHC2_THRESHOLDS, "non-binder"),
        (2.0, MHC2_LEGACY_THRESHOLDS, "strong"),
        (7.0, MHC2_LEGACY_THRESHOLDS, "weak"),
        (10.5, MHC2_LEGACY_THRESHOLDS, "non-binder"),
    ],
)
def test_bin_rank(rank, thresholds, expected):
    assert bin_rank(rank, thresholds) == expected


def test_criteria_describe_names_the_set_in_use():
    assert "≤ 5 %" in Criteria().describe() and "≤ 2 %" in Criteria().describe()
    legacy = Criteria(level="strong", mhc2_set="legacy").describe()
    assert "≤ 2 %" in legacy and "legacy" in legacy and "≤ 0.5 %" in legacy


# --- per-residue counts ----------------------------------------------------------------------------


def mhc(start, end, allele, rank, chain="H", kind=MHC1, peptide="PEPTIDE"):
    return Epitope(kind, chain, start, end, peptide, allele, rank)


EPITOPES = [
    mhc(1, 3, "A", 0.1),
    mhc(2, 4, "B", 1.0),  # weak for MHC-I
    mhc(3, 5, "A", 0.3),  # same allele again
    mhc(4, 6, "C", 50.0),  # non-binder
    mhc(1, 6, "A", 0.1, chain="L"),  # other chain
    mhc(1, 6, "D", 0.1, kind=MHC2),  # other kind
]


def test_counts_distinct_binding_alleles_per_residue():
    track = per_residue_track(EPITOPES, MHC1, "H", 6, Criteria(level="weak"))
    assert track.counts.tolist() == [1, 2, 2, 2, 1, 0]  # {A} {A,B} {A,B} {A,B} {A} {}
    assert track.covering.tolist() == [1, 2, 3, 2, 1, 0]
    assert track.listed == 4 and track.counted == 3


def test_strong_only_drops_weak_binders():
    track = per_residue_track(EPITOPES, MHC1, "H", 6, Criteria(level="strong"))
    assert track.counts.tolist() == [1, 1, 1, 1, 1, 0]


def test_allele_filter_and_unranked_rule():
    epitopes = EPITOPES + [mhc(5, 6, "rule", None)]
    only_b = per_residue_track(epitopes, MHC1, "H", 6, Criteria(alleles=frozenset({"B"})))
    assert only_b.counts.tolist() == [0, 1, 1, 1, 0, 0]
    with_unranked = per_residue_track(epitopes, MHC1, "H", 6, Criteria(include_unranked=True))
    without = per_residue_track(epitopes, MHC1, "H", 6, Criteria(include_unranked=False))
    assert with_unranked.counts.tolist()[4:] == [2, 1]
    assert without.counts.tolist()[4:] == [1, 0]


def test_spans_are_clipped_to_the_chain_and_reversed_spans_read():
    epitopes = [mhc(-3, 2, "A", 0.1), mhc(4, 99, "B", 0.1), mhc(3, 2, "C", 0.1)]
    track = per_residue_track(epitopes, MHC1, "H", 5, Criteria())
    assert track.counts.tolist() == [1, 2, 1, 1, 1]


def test_bcell_track_counts_epitopes_without_alleles():
    epitopes = [Epitope(BCELL, "H", 2, 4, "KDE", score=0.7), Epitope(BCELL, "H", 4, 5, "EK", score=0.4)]
    track = per_residue_track(epitopes, BCELL, "H", 5, Criteria(alleles=frozenset({"X"})))
    assert track.counts.tolist() == [0, 1, 1, 2, 1]


def test_chain_length_from_sequence_or_epitope_ends():
    assert chain_length("H", "QVQLV", EPITOPES) == 6  # an epitope ends beyond the sequence
    assert chain_length("H", None, EPITOPES) == 6
    assert chain_length("H", "Q" * 110, EPITOPES) == 110
    assert chain_length("K", None, EPITOPES) == 0


def test_hover_texts_escape_alleles_and_peptides():
    epitopes = [mhc(1, 2, "<script>alert(1)</script>", 0.1, peptide="<b>X</b>")]
    texts = hover_texts(per_residue_track(epitopes, MHC1, "H", 2, Criteria()))
    assert "&lt;script&gt;" in texts[0] and "<script>" not in texts[0]
    assert "&lt;b&gt;X" in texts[0]


# --- model → epitopes, tables, CSV -----------------------------------------------------------------


def test_epitopes_of_reads_every_kind_and_skips_unparsed_lists():
    result = ImmunogenicityResultRow.model_validate(
        {
            "mhc1_epitopes": [
                {
                    "chain": "H",
                    "start": 3,
                    "end": 11,
                    "peptide": "QLVQSGAEV",
                    "allele": "HLA-A*02:01",
                    "percentile_rank": 0.4,
                }
            ],
            "mhc2_epitopes": {"not": "a list"},
            "bcell_epitopes": [{"chain": "L", "start": 5, "end": 9, "sequence": "SGSGS", "score": 80}],
        }
    )
    kinds = [e.kind for e in epitopes_of(result)]
    assert kinds == [MHC1, BCELL]
    assert epitopes_of(result)[1].score == pytest.approx(0.8)


def test_epitope_frames_have_the_columns_asked_for():
    frame = epitope_frame(EPITOPES, MHC1, Criteria())
    assert {"peptide", "start", "allele", "percentile rank (%)", "binding"} <= set(frame.columns)
    assert list(frame["binding"]) == ["strong", "weak", "strong", "non-binder", "strong"]  # last: chain L
    assert epitope_frame([], BCELL, Criteria()).empty


def test_csv_neutralises_formula_cells():
    frame = epitope_frame([mhc(1, 2, '=HYPERLINK("http://x")', 0.1, peptide="+cmd")], MHC1, Criteria())
    text = csv_text(frame)
    assert "'=HYPERLINK" in text and "'+cmd" in text
    assert "\n=" not in text and ",=" not in text


# --- deimmunization cross-checks -------------------------------------------------------------------


def context() -> ResidueContext:
    seq = "QVKEESGG"
    labels = ["1", "2", "3", "27", "28", "29", "56", "57"]
    regions = ["FR1", "FR1", "FR1", "CDR1", "CDR1", "FR2", "CDR2", "CDR2"]
    numbering = Numbering.model_validate(
        {"scheme": "imgt", "vh": [{"position": p, "aa": a, "region": r} for p, a, r in zip(labels, seq, regions)]}
    )
    return ResidueContext("s", "imgt", {"vh": ChainResidues.build("H", seq, numbering, "vh")})


def suggestion(**kw) -> DeimmunizationSuggestion:
    return DeimmunizationSuggestion.model_validate(kw)


def test_stability_verdict_words():
    assert stability_verdict(0.8, True, False) == "destabilizing (+0.80)"
    assert stability_verdict(-0.31, True, False) == "stabilizing (-0.31)"
    assert stability_verdict(0.0, True, False).startswith("neutral")
    assert stability_verdict(None, True, False) == "not in the ddG matrix"
    assert stability_verdict(None, False, True) == "listed as stabilizing"
    assert stability_verdict(None, False, False) == "no ddG matrix"


def test_suggestions_cross_checked_with_the_ddg_matrix_and_cdrs():
    ctx = context()
    # Matrix rows by sequence index: H:3 (wild type K) and H:4 (wild type E, in CDR1 by numbering).
    rows = [
        [0.0 if a == "K" else (0.8 if a == "A" else 0.1) for a in AAS],
        [0.0 if a == "E" else (-0.4 if a == "D" else 0.2) for a in AAS],
    ]
    # Positions given as labels "3" and "27": wild types K and E agree with the labels.
    table = ddg_table(DdgMatrix.model_validate({"positions": ["H:3", "H:27"], "amino_acids": AAS, "values": rows}), ctx)
    suggestions = [
        suggestion(chain="H", position=3, **{"from": "K", "to": "A"}, epitopes_removed=2, predicted_risk_after=30),
        suggestion(chain="H", position=4, **{"from": "E", "to": "D"}, epitopes_removed=5, predicted_risk_after=0.1),
        suggestion(chain="H", position=6, **{"from": "S", "to": "T"}, epitopes_removed=1),
    ]
    frame = suggestions_frame(suggestions, ctx, table)
    # most epitopes removed first; named by the scheme label, the index second (issue 13: one numbering)
    assert list(frame["mutation"]) == ["H:E27D", "H:K3A", "H:S29T"]
    assert list(frame["touches CDR"]) == [True, False, False]
    assert list(frame["position"]) == ["H:27 (IMGT) · residue 4", "H:3 (IMGT) · residue 3", "H:29 (IMGT) · residue 6"]
    assert frame["ddG (kcal/mol)"].iloc[1] == pytest.approx(0.8)
    assert frame["stability"].tolist() == ["stabilizing (-0.40)", "destabilizing (+0.80)", "not in the ddG matrix"]
    assert frame["risk after"].iloc[1] == pytest.approx(0.3)


def test_suggestions_without_stability_or_numbering():
    frame = suggestions_frame(
        [suggestion(chain="A", position=None, epitopes_removed=None)],
        ResidueContext(None, None, {}),
        None,
        [StabilizingMutation.model_validate({"mutation": "H:S30T", "ddg": -1})],
    )
    assert frame["mutation"].iloc[0] == "A:?" + "?" + "?"
    assert frame["stability"].iloc[0] == "no ddG matrix"
    assert not frame["touches CDR"].iloc[0]


# --- figures ---------------------------------------------------------------------------------------


def test_risk_gauges_are_0_to_1_indicators():
    fig = build_risk_gauges([("Overall", 0.4), ("MHC-I", None), ("MHC-II", 0.9), ("B-cell", 0.1)])
    assert [t.type for t in fig.data] == ["indicator"] * 4
    assert [t.value for t in fig.data] == [0.4, None, 0.9, 0.1]
    assert all(tuple(t.gauge.axis.range) == (0, 1) for t in fig.data)


def test_epitope_map_has_one_row_per_kind_and_names_the_threshold():
    ctx = context()
    residues = ctx.chains["vh"]
    tracks = [
        per_residue_track(EPITOPES, kind, "H", residues.length, Criteria(mhc2_set="legacy"))
        for kind in (MHC1, MHC2, BCELL)
    ]
    fig = build_epitope_map(
        "H", residues.sequence, tracks, residues.cdr_spans(), Criteria(mhc2_set="legacy").describe()
    )
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 3
    assert list(bars[0].y[:6]) == [1, 2, 2, 2, 1, 0]
    assert "legacy" in fig.layout.title.text
    assert residues.cdr_spans() == [("CDR1", 4, 5), ("CDR2", 7, 8)]
    assert {a.text for a in fig.layout.annotations} >= {"CDR1", "CDR2", "no B-cell epitopes predicted on this chain"}
    assert np.array(bars[1].y).sum() > 0


def test_epitope_map_names_residues_by_the_numbering_scheme():
    """Issue 13: the map names each residue by the scheme label, the 1-based index second (ticks and hover)."""
    ctx = context()
    residues = ctx.chains["vh"]
    tracks = [per_residue_track(EPITOPES, kind, "H", residues.length, Criteria()) for kind in (MHC1, MHC2, BCELL)]
    labels = tuple(residues.label_at(i) for i in range(1, residues.length + 1))
    fig = build_epitope_map("H", residues.sequence, tracks, residues.cdr_spans(), "t", "alleles", labels, "imgt")
    bar = next(t for t in fig.data if t.type == "bar")
    where = [row[3] for row in bar.customdata]
    assert where[3] == "H:27 (IMGT) · residue 4" and where[7] == "H:57 (IMGT) · residue 8"
    assert "%{customdata[3]}" in bar.hovertemplate
    bottom = fig.layout.xaxis3
    assert list(bottom.ticktext) == [labels[v - 1] for v in bottom.tickvals]
    assert "IMGT numbering" in bottom.title.text
