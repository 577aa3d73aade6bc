"""app.residues: labels, region spellings, the four CDR definitions and the Vernier zone, with literal cases.

Expected CDR spans are written out by hand from the definitions in conventions.md (and agree with the
published CDRs of trastuzumab, e.g. Kabat CDR-H3 WGGDGFYAMDY)."""

from __future__ import annotations

import random

import pytest

from app.humanization import numbering as hum_numbering
from app.residues import (
    DEFINITIONS,
    Region,
    ResidueLabel,
    ResiduePosition,
    is_cdr,
    normalise_region,
    number_sequence,
    region_name,
    scheme_region,
    sort_labels,
)
from app.sample_api.build.sequences import CETUXIMAB_VH, TRASTUZUMAB_VH, TRASTUZUMAB_VL
from app.stability import residues as stab_residues

# Thera-SAbDab (CC BY 4.0): dalotuzumab VH/VL (a Kabat 35A and a Chothia 31A in CDR-H1, Kabat 27A-E in
# CDR-L1) and cixutumumab VH (a 23-residue IMGT CDR3 with insertions 111A-E and 112E-A).
DALOTUZUMAB_VH = "QVQLQESGPGLVKPSETLSLTCTVSGYSITGGYLWNWIRQPPGKGLEWIGYISYDGTNNYKPSLKDRVTISRDTSKNQFSLKLSSVTAADTAVYYCARYGRVFFDYWGQGTLVTVSS"
DALOTUZUMAB_VL = (
    "DVVMTQSPLSLPVTPGEPASISCRSSQSLVHSNRNTYLHWYLQKPGQSPQLLIYKVSNRFSGVPDRFSGSGSGTDFTLKISRVEAEDVGVYYCSQNTHVPPTFGQGTKLEIK"
)
CIXUTUMUMAB_VH = "EVQLVQSGAEVKKPGSSVKVSCKASGGTFSSYAISWVRQAPGQGLEWMGGIIPIFGTANYAQKFQGRVTITADKSTSTAYMELSSLRSEDTAVYYCARAPLRFLEWSTQDHYYYYYMDVWGKGTTVTVSS"


# --- labels ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "icode"),
    [("52A", 52, "A"), (" 111B", 111, "B"), ("52a", 52, "A"), ("100", 100, ""), ("-3", -3, ""), (7, 7, "")],
)
def test_label_parses(text, number, icode):
    label = ResidueLabel.parse(text)
    assert label is not None and (label.number, label.icode) == (number, icode)


@pytest.mark.parametrize("text", ["", None, "abc", "52AB", "A52", "52 A B", "~5", "H:"])
def test_label_refuses_what_is_no_label(text):
    assert ResidueLabel.parse(text) is None


@pytest.mark.parametrize("text", ["1", "35A", "35B", "82C", "100K", "111A", "112A", "128", "-1"])
def test_label_round_trips(text):
    assert str(ResidueLabel.parse(text)) == text
    assert str(ResidueLabel.parse(f"  {text.lower()} ")) == text


@pytest.mark.parametrize(
    ("text", "chain", "label"),
    [("H:52A", "H", "52A"), ("L_30", "L", "30"), ("h : 100b", "H", "100B"), ("52A", None, "52A"), ("VH:5", "VH", "5")],
)
def test_position_parses_the_forms_services_use(text, chain, label):
    position = ResiduePosition.parse(text)
    assert position is not None and position.chain == chain and str(position.label) == label
    assert str(position) == (f"{chain}:{label}" if chain else label)


def test_labels_hash_by_number_insertion_and_scheme():
    assert ResidueLabel.parse("52A", "kabat") in {ResidueLabel(52, "A", "kabat")}
    assert ResidueLabel(52, "a", "Kabat") == ResidueLabel(52, "A", "kabat")
    assert ResidueLabel(52, "A", "kabat") != ResidueLabel(52, "A", "imgt")
    with pytest.raises(TypeError):
        _ = ResidueLabel(52, "A", "kabat") < ResidueLabel(53, "", "imgt")


def test_imgt_cdr3_insertions_run_symmetrically():
    expected = ["110", "111", "111A", "111B", "111C", "112C", "112B", "112A", "112", "113"]
    shuffled = expected[:]
    random.Random(3).shuffle(shuffled)
    assert sort_labels(shuffled, "imgt") == expected
    # plain (number, letter) sorting gets 112x wrong: the reason this module exists
    assert sorted(shuffled, key=lambda t: (int(t.rstrip("ABC")), t[-1:].isalpha(), t)) != expected


def test_imgt_cdr1_and_cdr2_insertions_too():
    assert sort_labels(["33", "32A", "33A", "32", "32B", "33B"], "imgt") == ["32", "32A", "32B", "33B", "33A", "33"]
    assert sort_labels(["61", "60A", "61A", "60"], "imgt") == ["60", "60A", "61A", "61"]


def test_kabat_and_chothia_insertions_ascend():
    kabat = ["35", "35A", "35B", "36", "52", "52A", "53", "82", "82A", "82B", "82C", "83", "100", "100A", "100B", "101"]
    assert sort_labels(list(reversed(kabat)), "kabat") == kabat
    assert sort_labels(["112A", "112", "112B"], "kabat") == ["112", "112A", "112B"]
    assert sort_labels(["31B", "31", "31A", "32"], "chothia") == ["31", "31A", "31B", "32"]


def test_immunum_order_is_the_label_order():
    """Round trip on a real long CDR3: immunum lists positions in sequence order; sorting gives it back."""
    numbered = number_sequence(CIXUTUMUMAB_VH)
    for scheme in ("imgt", "kabat", "chothia"):
        labels = [label for label in numbered.labels[scheme] if label is not None]
        assert sorted(labels) == labels
    imgt = [str(numbered.label(i, "imgt")) for i in range(100, 115)]
    assert imgt == [
        "108",
        "109",
        "110",
        "111",
        "111A",
        "111B",
        "111C",
        "111D",
        "111E",
        "112E",
        "112D",
        "112C",
        "112B",
        "112A",
        "112",
    ]


# --- region spellings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "chain"),
    [
        ("FR1", "FR1", None),
        ("FWR1", "FR1", None),
        ("FW1", "FR1", None),
        ("fr-h1", "FR1", "H"),
        ("HFR1", "FR1", "H"),
        ("FWR2", "FR2", None),
        ("FR_L3", "FR3", "L"),
        ("Framework 3", "FR3", None),
        ("fr4", "FR4", None),
        ("CDR1", "CDR1", None),
        ("cdr 2", "CDR2", None),
        ("CDR-H1", "CDR1", "H"),
        ("CDRH1", "CDR1", "H"),
        ("H1", "CDR1", "H"),
        ("H3", "CDR3", "H"),
        ("L1", "CDR1", "L"),
        ("CDR-L3", "CDR3", "L"),
        ("CDR-K2", "CDR2", "L"),
        ("HCDR3", "CDR3", "H"),
        ("LCDR1", "CDR1", "L"),
    ],
)
def test_every_spelling_services_use(text, name, chain):
    region = normalise_region(text)
    assert region is not None and region.name == name and region.chain == chain
    assert region_name(text) == name
    assert is_cdr(text) == name.startswith("CDR")


@pytest.mark.parametrize("text", ["", None, "CDR4", "FR5", "FR0", "H4", "hinge", "constant", "CDRX", "framework"])
def test_unknown_spellings_are_no_region(text):
    assert normalise_region(text) is None and not is_cdr(text)


def test_region_prints_short_and_full_names():
    assert (str(Region("CDR", 1, "H")), Region("CDR", 1, "H").full_name, Region("FR", 2).full_name) == (
        "CDR1",
        "CDR-H1",
        "FR2",
    )


def test_both_former_normalisers_now_agree():
    """Issue 12: numbering.py mapped 'FWR2' to nothing, stability/residues.py left 'H3' outside every CDR."""
    assert hum_numbering.normalise_region("FWR2") == "FR2"
    assert stab_residues.normalise_region("H3") == "CDR3" and stab_residues.is_cdr(stab_residues.normalise_region("H3"))
    for text in ("FWR2", "H3", "CDR-L1", "fr4", "hinge"):
        assert hum_numbering.normalise_region(text) == stab_residues.normalise_region(text)


# --- CDR definitions on real chains -----------------------------------------------------------------


def cdrs(sequence: str, definition: str) -> dict[str, str]:
    numbered = number_sequence(sequence)
    spans: dict[str, list[int]] = {}
    for index, region in enumerate(numbered.regions(definition), start=1):
        if region is not None and region.is_cdr:
            spans.setdefault(region.name, []).append(index)
    assert all(v == list(range(v[0], v[-1] + 1)) for v in spans.values()), "a CDR is one contiguous span"
    return {name: sequence[v[0] - 1 : v[-1]] for name, v in spans.items()}


TRASTUZUMAB_CDRS = {
    # IMGT 27-38 / 56-65 / 105-117 (IMGT numbering)
    ("H", "imgt"): {"CDR1": "GFNIKDTY", "CDR2": "IYPTNGYT", "CDR3": "SRWGGDGFYAMDY"},
    # Kabat 31-35B / 50-65 (52A inside) / 95-102 (100A-C inside)
    ("H", "kabat"): {"CDR1": "DTYIH", "CDR2": "RIYPTNGYTRYADSVKG", "CDR3": "WGGDGFYAMDY"},
    # Chothia 26-32 / 52-56 (52A inside) / 95-102 (Chothia numbering)
    ("H", "chothia"): {"CDR1": "GFNIKDT", "CDR2": "YPTNGY", "CDR3": "WGGDGFYAMDY"},
    # North 23-35 / 50-58 / 93-102 (Chothia numbering)
    ("H", "north"): {"CDR1": "AASGFNIKDTYIH", "CDR2": "RIYPTNGYTR", "CDR3": "SRWGGDGFYAMDY"},
    ("L", "imgt"): {"CDR1": "QDVNTA", "CDR2": "SAS", "CDR3": "QQHYTTPPT"},
    ("L", "kabat"): {"CDR1": "RASQDVNTAVA", "CDR2": "SASFLYS", "CDR3": "QQHYTTPPT"},
    ("L", "chothia"): {"CDR1": "RASQDVNTAVA", "CDR2": "SASFLYS", "CDR3": "QQHYTTPPT"},
    ("L", "north"): {"CDR1": "RASQDVNTAVA", "CDR2": "YSASFLYS", "CDR3": "QQHYTTPPT"},
}


@pytest.mark.parametrize(("chain", "definition"), list(TRASTUZUMAB_CDRS))
def test_trastuzumab_cdrs_under_each_definition(chain, definition):
    sequence = TRASTUZUMAB_VH if chain == "H" else TRASTUZUMAB_VL
    assert cdrs(sequence, definition) == TRASTUZUMAB_CDRS[(chain, definition)]


def test_insertions_inside_loops_count_under_their_definition():
    # Kabat CDR-H1 31-35B holds 35A; Chothia CDR-H1 26-32 holds 31A; Kabat CDR-L1 24-34 holds 27A-E.
    assert cdrs(DALOTUZUMAB_VH, "kabat")["CDR1"] == "GGYLWN"
    assert cdrs(DALOTUZUMAB_VH, "chothia")["CDR1"] == "GYSITGGY"
    assert cdrs(DALOTUZUMAB_VL, "kabat")["CDR1"] == "RSSQSLVHSNRNTYLH"
    assert cdrs(CIXUTUMUMAB_VH, "imgt")["CDR3"] == "ARAPLRFLEWSTQDHYYYYYMDV"
    assert cdrs(CIXUTUMUMAB_VH, "kabat")["CDR3"] == "APLRFLEWSTQDHYYYYYMDV"


def test_definition_bounds_with_and_without_insertion_codes():
    kabat = DEFINITIONS["kabat"]
    region = lambda text: kabat.region(ResidueLabel.parse(text, "kabat"), "H")  # noqa: E731
    assert [str(region(t)) for t in ("30", "31", "35", "35A", "35B", "35C", "36")] == [
        "FR1",
        "CDR1",
        "CDR1",
        "CDR1",
        "CDR1",
        "FR2",  # past the 35B bound
        "FR2",
    ]
    assert [str(region(t)) for t in ("94", "95", "100K", "102", "103")] == ["FR3", "CDR3", "CDR3", "CDR3", "FR4"]
    imgt = DEFINITIONS["imgt"]
    assert str(imgt.region(ResidueLabel.parse("112A", "imgt"), "L")) == "CDR3"
    assert imgt.region(None, "H") is None and imgt.region(ResidueLabel(30), None) is None


def test_cetuximab_kabat_cdrs_reach_imgt_framework():
    """IMGT 39-40 (Kabat 34-35) and 66-74 are framework under IMGT but CDR-H1/H2 under Kabat (issue 13)."""
    numbered = number_sequence(CETUXIMAB_VH)
    by_imgt = {str(numbered.label(i, "imgt")): i for i in range(1, len(CETUXIMAB_VH) + 1)}
    for imgt in ("39", "40", "66", "67", "68", "69", "70", "71", "72", "74"):
        index = by_imgt[imgt]
        assert str(numbered.region(index, "imgt")).startswith("FR")
        assert str(numbered.region(index, "kabat")).startswith("CDR")
        assert numbered.in_any_cdr(index)
    assert cdrs(CETUXIMAB_VH, "kabat")["CDR1"] == "NYGVH"


def test_scheme_regions_for_martin_and_aho_come_from_immunum():
    assert str(scheme_region("35", "martin", "H")) == "CDR1"
    assert str(scheme_region("26", "martin", "H")) == "CDR1"
    assert str(scheme_region("20", "aho", "K")) == "FR1"
    assert scheme_region("x", "kabat") is None and scheme_region("30", "nonsense") is None


# --- Vernier zone -----------------------------------------------------------------------------------


def test_trastuzumab_vernier_residues():
    numbered = number_sequence(TRASTUZUMAB_VH)
    found = {
        str(numbered.label(i, "kabat")): TRASTUZUMAB_VH[i - 1] for i, f in enumerate(numbered.vernier_flags(), 1) if f
    }
    assert found == {
        "2": "V", "27": "F", "28": "N", "29": "I", "30": "K", "47": "W", "48": "V", "49": "A",
        "67": "F", "69": "I", "71": "A", "73": "T", "78": "A", "93": "S", "94": "R", "103": "W",
    }  # fmt: skip
    light = number_sequence(TRASTUZUMAB_VL)
    labels = {str(light.label(i, "kabat")) for i, f in enumerate(light.vernier_flags(), 1) if f}
    assert labels == {"2", "4", "35", "36", "46", "47", "48", "49", "64", "66", "68", "69", "71", "98"}


def test_unnumberable_sequence_says_why():
    numbered = number_sequence("GGGGSGGGGS")
    assert not numbered.numbered and numbered.note and numbered.region(1, "kabat") is None
    assert not numbered.is_vernier(1)
