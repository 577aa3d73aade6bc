"""The models against the contract: exact outer shape, tolerant inner shapes, scores normalised once."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from app.models import (
    ComplexResultRow,
    DdgMatrix,
    HumanizationResultRow,
    Humanness,
    ImmunogenicityResultRow,
    JobResponse,
    Liabilities,
    Mutations,
    PerChain,
    StabilityResultRow,
    StructureResultRow,
    Unparsed,
)
from tests.helpers import job_body, read


def parse(**extra) -> JobResponse:
    return JobResponse.model_validate(job_body(**extra))


def test_minimal_job_parses_with_everything_else_missing():
    response = JobResponse.model_validate({"job": {"id": "x", "status": "pending"}})
    assert response.results == [] and response.structure_result is None
    assert response.job.is_followed and not response.job.is_terminal


@pytest.mark.parametrize(
    "broken", [{}, {"job": None}, {"job": {"status": "completed"}}, {"job": {"id": "x"}}, {"job": []}]
)
def test_job_without_id_or_status_is_rejected(broken):
    with pytest.raises(ValidationError):
        JobResponse.model_validate(broken)


def test_unknown_keys_are_ignored_everywhere():
    body = job_body(extra_top=1, job={"extra": {"a": 1}})
    body["results"] = [{"strategy": "cdr_grafting", "surprise": [1, 2], "humanized_vh": "EVQ"}]
    response = JobResponse.model_validate(body)
    assert response.strategies[0].strategy == "cdr_grafting"


def test_unknown_status_is_kept_as_text():
    response = parse(job={"status": "archived"})
    assert response.job.status == "archived" and not response.job.is_followed and not response.job.is_terminal


def test_inner_object_of_unexpected_shape_is_kept_raw_and_the_rest_parses():
    row = HumanizationResultRow.model_validate(
        {
            "strategy": "sapiens",
            "oasis_score": [1, 2, 3],
            "mutations": {"vh": [{"index": 3, "from": "Q", "to": "E", "position": 3}]},
        }
    )
    assert isinstance(row.oasis_score, Unparsed) and row.oasis_score.raw == [1, 2, 3]
    assert isinstance(row.mutations, Mutations)
    assert row.mutations.vh[0].position == "3" and row.mutations.vh[0].from_aa == "Q"


def test_parental_sequences_are_found_on_the_row_or_in_mutations():
    inside = HumanizationResultRow.model_validate({"mutations": {"vh": [], "parental_vh": "QVQL"}})
    on_row = HumanizationResultRow.model_validate({"parental_vl": "DIVM", "mutations": None})
    assert inside.parental("vh") == "QVQL" and inside.parental("vl") is None
    assert on_row.parental("vl") == "DIVM"


def test_non_object_results_items_become_unparsed():
    response = JobResponse.model_validate(
        {"job": {"id": "x", "status": "completed"}, "results": [{"strategy": "a"}, "oops", 3]}
    )
    assert len(response.strategies) == 1
    assert sum(isinstance(r, Unparsed) for r in response.results) == 2


def test_results_that_are_not_a_list_become_one_unparsed():
    response = JobResponse.model_validate({"job": {"id": "x", "status": "completed"}, "results": {"a": 1}})
    assert response.strategies == [] and isinstance(response.results[0], Unparsed)


@pytest.mark.parametrize(("given", "expected"), [(0.87, 0.87), (87, 0.87), (1, 1.0), (100, 1.0), (0, 0.0)])
def test_confidence_is_normalised_to_a_fraction(given, expected):
    row = StructureResultRow.model_validate({"confidence_score": given})
    assert row.confidence_score == pytest.approx(expected)


@pytest.mark.parametrize("junk", [float("nan"), float("inf"), -3, 250, "high", True, None])
def test_impossible_scores_become_none(junk):
    assert StructureResultRow.model_validate({"confidence_score": junk}).confidence_score is None


def test_plddt_set_on_0_1_scale_is_scaled_as_a_whole():
    row = StructureResultRow.model_validate({"per_residue_plddt": {"H": [0.91, 0.5], "L": [0.7]}})
    assert read(row.per_residue_plddt, dict) == {
        "H": [pytest.approx(91.0), pytest.approx(50.0)],
        "L": [pytest.approx(70.0)],
    }


def test_plddt_set_on_0_100_scale_is_kept_even_with_values_below_1():
    row = StructureResultRow.model_validate({"per_residue_plddt": {"H": [0.5, 95.0]}})
    assert read(row.per_residue_plddt, dict)["H"] == [0.5, 95.0]


def test_plddt_with_nan_keeps_positions():
    row = StructureResultRow.model_validate({"per_residue_plddt": {"H": [90.0, float("nan"), "x", 70.0]}})
    assert read(row.per_residue_plddt, dict)["H"][:3] == [90.0, None, None]


def test_per_chain_plddt_of_complex_uses_the_set_rule():
    row = ComplexResultRow.model_validate({"per_chain_plddt": {"H": 0.9, "A": 0.8}, "iptm": 82})
    assert row.per_chain_plddt == {"H": pytest.approx(90.0), "A": pytest.approx(80.0)}
    assert row.iptm == pytest.approx(0.82)


def test_ddg_matrix_with_nulls_parses_and_wrong_shape_is_unparsed():
    good = JobResponse.model_validate(
        job_body(
            stability_result={
                "ddg_matrix": {
                    "positions": ["H:30"],
                    "amino_acids": list("ACDEFGHIKLMNPQRSTVWY"),
                    "values": [[None] * 19 + [float("nan")]],
                }
            }
        )
    )
    values = read(read(good.stability_result, StabilityResultRow).ddg_matrix, DdgMatrix).values[0]
    assert values[0] is None and values[-1] is None
    bad = JobResponse.model_validate(job_body(stability_result={"ddg_matrix": [[1, 2]]}))
    assert isinstance(read(bad.stability_result, StabilityResultRow).ddg_matrix, Unparsed)


def test_timestamps_parse_or_become_none():
    response = parse(job={"created_at": "2026-11-02T09:00:00Z", "started_at": "yesterday"})
    assert response.job.created_at is not None and response.job.created_at.year == 2026
    assert response.job.started_at is None


def test_a_whole_section_of_the_wrong_type_is_unparsed():
    response = JobResponse.model_validate(job_body(structure_result="s3://bucket/x.pdb", stability_result=[1]))
    assert isinstance(response.structure_result, Unparsed) and isinstance(response.stability_result, Unparsed)


def test_deeply_nested_garbage_does_not_raise():
    nested: list = []
    cursor = nested
    for _ in range(200):
        cursor.append([])
        cursor = cursor[0]
    response = JobResponse.model_validate(job_body(complex_result={"interface_residues": nested, "iptm": math.nan}))
    complex_ = read(response.complex_result, ComplexResultRow)
    assert complex_.interface_residues is None  # not {chain: [labels]}: kept raw in `unread`
    assert [u.raw for u in complex_.unread["interface_residues"]] == [nested]
    assert complex_.iptm is None


def test_one_unreadable_item_of_a_list_leaves_its_siblings_readable():
    good_mutation = {"position": "30", "index": 30, "from": "S", "to": "T"}
    row = {
        "strategy": "ok",
        "humanized_vh": "EVQL",
        "mutations": {"vh": [good_mutation, {**good_mutation, "index": "thirty"}], "vl": "not a list"},
        "liabilities": {"vh": [{"type": "deamidation", "start": 1, "end": 2}, {"type": {}, "start": 1, "end": 2}]},
        "oasis_score": {"vh": {"percentile": 0.8, "peptides": [{"start": 1, "peptide": "EVQLVESGG"}, 7]}},
    }
    epitope = {"chain": "H", "start": 1, "end": 9, "peptide": "EVQLVESGG", "allele": "HLA-DRB1*01:01"}
    response = JobResponse.model_validate(
        job_body(
            results=[row],
            structure_result={"cdr_analysis": [{"cdr": "H1", "mean_plddt": 0.9}, {"cdr": "H2", "start": "x"}]},
            complex_result={"interface_residues": {"H": ["52", {"label": 53}], "A": "x"}},
            stability_result={
                "ddg_matrix": {"positions": ["H:1", {}, "H:3"], "amino_acids": ["A"], "values": [[0.5], [1], "x"]},
                "stabilizing_mutations": [{"mutation": "H:S30T", "ddg": -1}, {"mutation": ["S30T"]}],
            },
            immunogenicity_result={
                "mhc2_epitopes": [epitope, {**epitope, "start": None}],
                "bcell_epitopes": [{"start": 1, "end": 5, "sequence": {}}],
                "deimmunization_suggestions": [{"position": 3, "to": "A"}, {"position": "third"}],
            },
        )
    )
    (strategy,) = response.strategies
    mutations, liabilities = read(strategy.mutations, Mutations), read(strategy.liabilities, Liabilities)
    assert [m.index for m in mutations.vh] == [30] and mutations.vl == []
    assert [u.problem.split(":")[0] for u in mutations.unread["vh"]] == ["vh[1]"]
    assert mutations.unread["vl"][0].raw == "not a list"
    assert [h.type for h in liabilities.vh] == ["deamidation"] and liabilities.unread["vh"]
    humanness = read(read(strategy.oasis_score, PerChain).vh, Humanness)
    assert humanness.percentile == 0.8 and len(humanness.peptides) == 1 and humanness.unread["peptides"][0].raw == 7
    structure = read(response.structure_result, StructureResultRow)
    cdrs = read(structure.cdr_analysis, list)
    assert [c.cdr for c in cdrs] == ["H1"] and cdrs[0].mean_plddt == 90
    assert structure.unread["cdr_analysis"][0].raw == {"cdr": "H2", "start": "x"}
    complex_ = read(response.complex_result, ComplexResultRow)
    assert complex_.interface_residues == {"H": ["52"]} and len(complex_.unread["interface_residues"]) == 2
    stability = read(response.stability_result, StabilityResultRow)
    matrix = read(stability.ddg_matrix, DdgMatrix)
    assert matrix.positions == ["H:1"] and matrix.values == [[0.5]] and len(matrix.unread["positions"]) == 2
    assert [m.mutation for m in stability.stabilizing_mutations or []] == ["H:S30T"]
    immuno = read(response.immunogenicity_result, ImmunogenicityResultRow)
    assert [e.peptide for e in immuno.mhc2_epitopes or []] == ["EVQLVESGG"] and len(immuno.unread["mhc2_epitopes"]) == 1
    assert immuno.bcell_epitopes == [] and immuno.unread["bcell_epitopes"][0].raw["sequence"] == {}
    assert [s.position for s in immuno.deimmunization_suggestions or []] == [3]


def test_a_payload_cannot_plant_its_own_unread_items():
    response = JobResponse.model_validate(
        job_body(immunogenicity_result={"mhc1_epitopes": [], "unread": {"mhc1_epitopes": [{"raw": 1, "problem": "x"}]}})
    )
    assert read(response.immunogenicity_result, ImmunogenicityResultRow).unread == {}


def test_a_result_row_with_a_mistyped_field_is_kept_raw_and_the_job_still_parses():
    body = job_body(
        results=[
            {"strategy": "ok", "humanized_vh": "EVQL"},
            {"strategy": "odd", "humanized_vl": []},
            {"parental_vl": {}},
        ]
    )
    response = JobResponse.model_validate(body)
    assert [r.strategy for r in response.strategies] == ["ok"]
    assert sum(isinstance(r, Unparsed) for r in response.results) == 2


@pytest.mark.parametrize("field", ["variant_id", "submitted_by", "job_type", "error_message"])
@pytest.mark.parametrize("junk", [[], {}, True, [1, 2]])
def test_mistyped_optional_job_fields_become_none(field, junk):
    response = parse(job={field: junk})
    assert getattr(response.job, field) is None and response.job.status == "completed"
