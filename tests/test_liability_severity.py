"""Liability severities follow the source the conventions cite, Satława et al. 2024 (issue 13, item 15)."""

from __future__ import annotations

from app.conventions import DASHBOARD_RULE, SATLAWA_2024, SEVERITY_MEANING, liability_rule
from app.humanization.liabilities import place, scan
from app.humanization.numbering import imgt_labels, number_locally, vernier_flags
from app.models import Liability
from tests.test_humanization_units import TRAS_VH

BLINATUMOMAB = "8b8a72f1-f2ef-5768-8359-cb2e72b30715"  # the service calls every CDR Trp "high"


def test_cdr_trp_found_by_the_scan_is_a_moderate_risk_after_satlawa():
    hits = scan(number_locally(TRAS_VH, "imgt"), vernier_flags(TRAS_VH), imgt_labels(TRAS_VH)).hits
    trp = [h for h in hits if h.type == "oxidation" and h.motif == "W"]
    assert trp and {h.severity for h in trp} == {"medium"}
    assert {h.severity_source for h in trp} == {SATLAWA_2024}


def test_service_severity_is_regraded_and_kept_beside_the_class():
    numbering = number_locally(TRAS_VH, "imgt")
    w = TRAS_VH.index("SRWGG") + 3
    given = [
        Liability(type="oxidation", motif="W", start=w, end=w, severity="high"),
        Liability(type="deamidation", motif="NG", start=1, end=2, severity="high"),
        Liability(type="glycation", motif="K", start=3, end=3, severity="low"),  # no rule: the service's word stays
    ]
    placed = {h.motif: h for h in place(given, numbering)}
    trp, ng, other = placed["W"], placed["NG"], placed["K"]
    assert (trp.severity, trp.service_severity, trp.severity_source) == ("medium", "high", SATLAWA_2024)
    assert (ng.severity, ng.service_severity) == ("high", None)
    assert (other.severity, other.service_severity, other.severity_source) == ("low", None, None)


def test_rules_outside_lap_are_labelled_as_the_dashboards():
    integrin, trp = liability_rule("integrin_binding", "RGD"), liability_rule("oxidation", "w")
    assert integrin is not None and integrin.severity_source == DASHBOARD_RULE
    assert trp is not None and trp.severity == "medium"
    assert liability_rule("oxidation", "WW") is None


def test_page_shows_the_class_the_service_word_and_what_a_severity_means(open_page):
    at = open_page(BLINATUMOMAB, section="Humanization")
    assert not at.exception
    table = next(df.value for df in at.dataframe if "Service said" in df.value.columns)
    trp = table[table["Motif"] == "W"]
    assert len(trp) and set(trp["Severity"]) == {"medium"} and set(trp["Service said"]) == {"high"}
    captions = " ".join(c.value for c in at.caption)
    assert "risk class, not a measured rate" in captions and "Satława et al. 2024" in captions


def test_every_lap_class_matches_the_transcriptions_and_dp_is_lap_high():
    """The classes checked against AntPack's and Platforma's transcriptions of LAP's Table 1 (conventions.py)."""
    expected = {
        ("n_glycosylation", "NAS"): "high",
        ("deamidation", "NG"): "high",
        ("deamidation", "NS"): "high",
        ("deamidation", "NT"): "medium",
        ("deamidation", "NA"): "medium",
        ("isomerization", "DG"): "high",
        ("isomerization", "DH"): "high",
        ("fragmentation", "DP"): "high",
        ("oxidation", "M"): "medium",
        ("oxidation", "W"): "medium",
    }
    for (type_, motif), severity in expected.items():
        rule = liability_rule(type_, motif)
        assert rule is not None and (rule.severity, rule.severity_source) == (severity, SATLAWA_2024), motif
    assert SEVERITY_MEANING.count("DP") == 2 and "moderate in AntPack's" in SEVERITY_MEANING
