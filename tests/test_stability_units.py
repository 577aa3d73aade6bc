"""Unit tests of app.stability: position parsing, ddG table resolution, sorting, scores, figures."""

from __future__ import annotations

import csv
import math
import time

import numpy as np
import pytest

from app.models import DdgMatrix, Numbering, StabilityResultRow, StabilizingMutation
from app.stability import (
    JAIN_2017_FAB_TM,
    ChainResidues,
    MutationCode,
    Position,
    ResidueContext,
    ddg_table,
    score_cards,
    stabilizing_frame,
    tm_context,
)
from app.stability.figures import DESTABILIZING_COLOR, STABILIZING_COLOR, build_ddg_heatmap, build_tm_context

AAS = list("ACDEFGHIKLMNPQRSTVWY")


def matrix(positions, values, aas=AAS) -> DdgMatrix:
    return DdgMatrix.model_validate({"positions": positions, "amino_acids": aas, "values": values})


def row(**cells: float | None) -> list[float | None]:
    """A 20-value row: 0.5 everywhere except the given amino acids."""
    return [cells.get(a, 0.5) for a in AAS]


def empty_context() -> ResidueContext:
    return ResidueContext(None, None, {})


def numbered_heavy(sequence: str, labels: list[str], regions: list[str]) -> ResidueContext:
    numbering = Numbering.model_validate(
        {
            "scheme": "imgt",
            "vh": [{"position": p, "aa": a, "region": r} for p, a, r in zip(labels, sequence, regions)],
        }
    )
    return ResidueContext("s", "imgt", {"vh": ChainResidues.build("H", sequence, numbering, "vh")})


# --- parsing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, chain, label",
    [
        ("H:30", "H", "30"),
        ("L:52A", "L", "52A"),
        (" h : 7 ", "H", "7"),
        ("30", None, "30"),
        ("H_100", "H", "100"),
        ("not a position", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_position_parse(text, chain, label):
    p = Position.parse(text)
    assert (p.chain, p.label) == (chain, label)


def test_mutation_code_parse_and_print():
    code = MutationCode.parse("H:S30T")
    assert code is not None
    assert (code.chain, code.wt, code.label, code.mutant) == ("H", "S", "30", "T")
    assert str(code) == "H:S30T"
    assert str(MutationCode.parse("l:n52ag")) == "L:N52AG"
    assert MutationCode.parse("S30") is None
    assert MutationCode.parse("<b>x</b>") is None


# --- the table -------------------------------------------------------------------------------------


def test_nulls_stay_missing_and_ragged_rows_are_padded():
    values = [row(A=None, C=None), row()[:18]]
    table = ddg_table(matrix(["H:1", "H:2"], values), empty_context())
    assert table.values.shape == (2, 20)
    assert table.n_missing == 2 + 2
    assert math.isnan(table.values[0, 0]) and math.isnan(table.values[1, 19])
    assert any("did not have one value per amino acid" in n for n in table.notes)


def test_more_rows_than_positions_are_noted_not_fatal():
    table = ddg_table(matrix(["H:1"], [row(), row()]), empty_context())
    assert table.values.shape == (1, 20)
    assert table.notes


def test_sort_by_best_achievable_ddg():
    # best per position: H:1 -0.5, H:2 -1.2, H:3 nothing computed, H:4 +0.3 (all others higher)
    values = [row(D=-0.5), row(W=-1.2, A=-0.1), [None] * 20, [0.3] + [0.9] * 19]
    table = ddg_table(matrix(["H:1", "H:2", "H:3", "H:4"], values), empty_context())
    assert table.select(sort="best") == (1, 0, 3, 2)
    assert table.select(sort="sequence") == (0, 1, 2, 3)
    best, best_aa = table.best()
    assert best_aa[:2] == ["D", "W"] and best[1] == pytest.approx(-1.2)
    assert math.isnan(best[2])


def test_wild_type_cell_is_not_a_choice():
    # A single 0 marks the wild type (K); the best real mutation is +0.2 at E.
    values = [[0.0 if a == "K" else (0.2 if a == "E" else 1.0) for a in AAS]]
    table = ddg_table(matrix(["H:5"], values), empty_context())
    assert table.wild_types == ("K",)
    best, best_aa = table.best()
    assert best_aa == ["E"] and best[0] == pytest.approx(0.2)


def test_filters_by_chain_and_region():
    seq = "QVKLEESGG"
    labels = ["1", "2", "3", "27", "28", "29", "56", "57", "105"]
    regions = ["FR1", "FR1", "FR1", "CDR1", "CDR1", "FR2", "CDR2", "CDR2", "CDR3"]
    context = numbered_heavy(seq, labels, regions)
    table = ddg_table(matrix(["H:27", "H:3", "L:4", "H:105"], [row()] * 4), context)
    assert table.regions[:2] == ("CDR1", "FR1") and table.regions[3] == "CDR3"
    assert table.select(chains=["L"]) == (2,)
    assert table.select(regions=["CDR1", "CDR3"]) == (0, 3)
    assert table.select(chains=["H"], regions=["FR1"]) == (1,)


def test_positions_read_as_numbering_labels_when_wild_types_agree():
    # IMGT-like labels skip numbers, so label 27 is the 4th residue (E) while index 27 does not exist.
    seq = "QVKEESGG"
    labels = ["1", "2", "3", "27", "28", "29", "56", "57"]
    regions = ["FR1", "FR1", "FR1", "CDR1", "CDR1", "FR2", "CDR2", "CDR2"]
    context = numbered_heavy(seq, labels, regions)
    wt_e = [0.0 if a == "E" else 0.4 for a in AAS]
    table = ddg_table(matrix(["H:27"], [wt_e]), context)
    assert dict(table.readings) == {"H": "label"}
    assert table.indices == (4,) and table.regions == ("CDR1",)


def test_positions_read_as_sequence_indices_when_wild_types_say_so():
    seq = "QVKEESGG"  # index 2 = V, index 3 = K; labels 2 and 3 are the same here, so use label 27 = E vs index 7 = G
    labels = ["1", "2", "3", "27", "28", "29", "56", "57"]
    regions = ["FR1", "FR1", "FR1", "CDR1", "CDR1", "FR2", "CDR2", "CDR2"]
    context = numbered_heavy(seq, labels, regions)
    # "H:7" has wild type G: sequence index 7 is G, while no residue carries label 7.
    wt_g = [0.0 if a == "G" else 0.4 for a in AAS]
    table = ddg_table(matrix(["H:7"], [wt_g]), context)
    assert dict(table.readings) == {"H": "index"}
    assert table.indices == (7,) and table.regions == ("CDR2",)  # the 7th residue carries label 56 (CDR2)


def test_tie_means_numbering_label():
    seq = "QVKEESGG"
    labels = ["1", "2", "3", "27", "28", "29", "56", "57"]
    context = numbered_heavy(seq, labels, ["FR1"] * 3 + ["CDR1"] * 2 + ["FR2"] + ["CDR2"] * 2)
    table = ddg_table(matrix(["H:2"], [row()]), context)  # no zero cell: no evidence
    assert dict(table.readings) == {"H": "label"}


def test_lookup_by_chain_index_and_amino_acid():
    values = [row(A=-0.7, R=1.1)]
    table = ddg_table(matrix(["H:12"], values), empty_context())
    assert table.lookup("H", 12, "R") == pytest.approx(1.1)
    assert table.lookup("VH", 12, "a") == pytest.approx(-0.7)
    assert table.lookup("L", 12, "R") is None
    assert table.lookup("H", 13, "R") is None
    assert table.lookup("H", 12, "X") is None


def test_stabilizing_mutations_sorted_and_flagged_in_cdr():
    seq = "QVKEESGG"
    labels = ["1", "2", "3", "27", "28", "29", "56", "57"]
    context = numbered_heavy(seq, labels, ["FR1"] * 3 + ["CDR1"] * 2 + ["FR2"] + ["CDR2"] * 2)
    muts = [
        StabilizingMutation.model_validate(m)
        for m in (
            {"mutation": "H:K3R", "ddg": -0.2, "confidence": 0.9},
            {"mutation": "H:E27D", "ddg": -1.4, "confidence": 40},  # 0-100 confidence
            {"mutation": "garbage", "ddg": None},
            {"mutation": "H:V2I", "ddg": -0.6},
        )
    ]
    frame = stabilizing_frame(muts, context, None)
    assert list(frame["mutation"]) == ["H:E27D", "H:V2I", "H:K3R", "garbage"]
    assert list(frame["in CDR"]) == [True, False, False, False]
    assert frame["confidence"].iloc[0] == pytest.approx(0.4)


# --- scores and Tm ---------------------------------------------------------------------------------


def test_score_bands_and_direction():
    result = StabilityResultRow.model_validate(
        {
            "solubility_score": 0.8,
            "aggregation_score": 0.8,
            "thermostability_score": 70,
            "developability_score": 0.39,
        }
    )
    cards = {c.key: c for c in score_cards(result)}
    assert cards["solubility"].band == "favourable"
    assert cards["aggregation"].band == "poor" and cards["aggregation"].direction == "higher is worse"
    assert cards["thermostability"].value == pytest.approx(0.7) and cards["thermostability"].band == "favourable"
    assert cards["developability"].band == "poor"
    assert StabilityResultRow().solubility_score is None
    assert score_cards(StabilityResultRow())[0].band == "not given"


def test_tm_context_words():
    assert tm_context(71.0).startswith("typical")
    assert tm_context(50.0).startswith("below every")
    assert tm_context(95.0).startswith("above every")
    assert tm_context(None) == "not given"


def test_jain_quantiles_match_the_published_table(shared_data):
    """The constants in the code are the quantiles of the Jain 2017 table (recomputed here by hand)."""
    path = shared_data / "sequences" / "Jain137_Cleaned_Training_Data.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        tms = sorted(
            float(r["Fab Tm by DSF (°C)"])
            for r in csv.DictReader(handle)
            if (r.get("Fab Tm by DSF (°C)") or "").strip()
        )

    def quantile(q: float) -> float:  # linear interpolation, as numpy's default
        pos = q * (len(tms) - 1)
        lo = int(pos)
        return tms[lo] + (tms[min(lo + 1, len(tms) - 1)] - tms[lo]) * (pos - lo)

    ref = JAIN_2017_FAB_TM
    assert len(tms) == ref.n
    assert (tms[0], tms[-1]) == (ref.minimum, ref.maximum)
    for q, value in ((0.05, ref.p05), (0.25, ref.p25), (0.5, ref.median), (0.75, ref.p75), (0.95, ref.p95)):
        assert quantile(q) == pytest.approx(value, abs=0.05)


# --- figures ---------------------------------------------------------------------------------------


def test_heatmap_250_positions_keeps_gaps_and_centres_on_zero():
    rng = np.random.default_rng(1)
    values = rng.normal(0.3, 1.0, (250, 20)).round(2).tolist()
    values[10][3] = None
    positions = [f"H:{i}" for i in range(1, 126)] + [f"L:{i}" for i in range(1, 126)]
    table = ddg_table(matrix(positions, values), empty_context())
    started = time.perf_counter()
    fig = build_ddg_heatmap(table, table.select(sort="best"))
    print(f"ddG heatmap 250x20 built in {time.perf_counter() - started:.3f} s")
    heat = fig.data[0]
    z = np.array(heat.z, dtype=float)
    assert z.shape == (20, 250)
    assert np.isnan(z).sum() == 1
    assert heat.zmid == 0 and heat.zmin == -heat.zmax
    assert heat.colorscale[0][1] == STABILIZING_COLOR and heat.colorscale[-1][1] == DESTABILIZING_COLOR
    assert heat.hoverongaps is False


def test_heatmap_escapes_labels_and_draws_region_strip():
    seq = "QVKEESGG"
    labels = ["1", "2", "3", "27", "28", "29", "56", "57"]
    context = numbered_heavy(seq, labels, ["FR1"] * 3 + ["CDR1"] * 2 + ["FR2"] + ["CDR2"] * 2)
    table = ddg_table(matrix(["H:27", "H:28", "<img src=x>"], [row()] * 3), context)
    fig = build_ddg_heatmap(table, table.select())
    assert "&lt;img src=x&gt;" in fig.data[0].x
    assert all("<img" not in x for x in fig.data[0].x)
    strips = [t for t in fig.data if t.type == "heatmap" and t.name == "region"]
    assert len(strips) == 1
    assert "CDR1" in {a.text for a in fig.layout.annotations} or strips[0].customdata[0][0] == "CDR1"


def test_tm_ruler_marks_the_prediction():
    fig = build_tm_context(68.4)
    assert any(t.x == (68.4,) for t in fig.data)
    assert len(build_tm_context(None).data) == 1
