"""Pydantic models of GET /jobs/{job_id}, after ../shared/api-contract.md.

The outer shape is typed exactly; every inner object goes through `lenient`, so a shape the
dashboard does not understand is kept as raw JSON (`Unparsed`) instead of breaking the page.
Scores are normalised here, once: fractions to 0-1, pLDDT to 0-100.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import Field, PlainValidator, ValidationError, field_validator

from app.models.lenient import Fraction, Lax, Number, OptionalText, Text, Unparsed, lenient
from app.scales import plddt_values_0_100

T = TypeVar("T")

TERMINAL_STATUSES = frozenset({"completed", "failed", "canceled"})
FOLLOWED_STATUSES = frozenset({"pending", "running"})


def _datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


Timestamp = Annotated[datetime | None, PlainValidator(_datetime)]


def _list_or_empty(value: Any) -> Any:
    return [] if value is None else value


class PerChain(Lax, Generic[T]):
    """`{"vh": ..., "vl": ...}`: the contract's per-chain containers."""

    vh: T | None = None
    vl: T | None = None


# --- humanization ------------------------------------------------------------------------------


class Peptide(Lax):
    start: int
    peptide: str
    human: bool | None = None
    prevalence: Fraction = None


class Humanness(Lax):
    percentile: Fraction = None
    identity: Fraction = None
    germline_content: Fraction = None
    parental_identity: Fraction = None
    peptides: list[Peptide] = []

    _peptides = field_validator("peptides", mode="before")(_list_or_empty)


class Mutation(Lax):
    position: Text = None
    index: int
    from_aa: str = Field(alias="from")
    to_aa: str = Field(alias="to")
    region: Text = None
    reason: Text = None


class Mutations(Lax):
    vh: list[Mutation] = []
    vl: list[Mutation] = []
    parental_vh: Text = None
    parental_vl: Text = None

    _lists = field_validator("vh", "vl", mode="before")(_list_or_empty)


class Liability(Lax):
    type: str
    motif: Text = None
    start: int
    end: int
    region: Text = None
    severity: Text = None


class Liabilities(Lax):
    vh: list[Liability] = []
    vl: list[Liability] = []

    _lists = field_validator("vh", "vl", mode="before")(_list_or_empty)


class NumberedResidue(Lax):
    position: Text
    aa: str
    region: Text = None


class Numbering(Lax):
    scheme: Text = None
    vh: list[NumberedResidue] = []
    vl: list[NumberedResidue] = []

    _lists = field_validator("vh", "vl", mode="before")(_list_or_empty)


class VhhAnalysis(Lax):
    is_vhh: bool | None = None
    hallmarks: dict[str, Text] = {}
    hallmark_scheme: Text = None
    humanized_hallmarks: dict[str, Text] = {}
    cdr3_length: int | None = None
    notes: list[str] = []

    _maps = field_validator("hallmarks", "humanized_hallmarks", "notes", mode="before")(
        lambda v: {} if v is None else v
    )


class ScfvAnalysis(Lax):
    orientation: Text = None
    linker: Text = None
    linker_length: int | None = None
    linker_flags: list[str] = []
    notes: list[str] = []

    _lists = field_validator("linker_flags", "notes", mode="before")(_list_or_empty)


class EngineeredMutation(Lax):
    eu_position: Text = None
    from_aa: Text = Field(default=None, alias="from")
    to_aa: Text = Field(default=None, alias="to")
    name: Text = None
    effect: Text = None


class FcAnalysis(Lax):
    isotype: Text = None
    allotype: Text = None
    engineered_mutations: list[EngineeredMutation] = []
    effector_function: Text = None
    half_life_extension: bool | None = None
    notes: list[str] = []

    _lists = field_validator("engineered_mutations", "notes", mode="before")(_list_or_empty)


class HumanizationResultRow(Lax):
    id: Text = None
    job_id: Text = None
    created_at: Timestamp = None
    strategy: Text = None
    humanized_vh: Text = None
    humanized_vl: Text = None
    parental_vh: Text = None
    parental_vl: Text = None
    oasis_score: lenient(PerChain[Humanness]) = None
    mutations: lenient(Mutations) = None
    liabilities: lenient(Liabilities) = None
    numbering: lenient(Numbering) = None
    vhh_analysis: lenient(VhhAnalysis) = None
    scfv_analysis: lenient(ScfvAnalysis) = None
    fc_analysis: lenient(FcAnalysis) = None

    def parental(self, chain: str) -> str | None:
        """Parental sequence of `vh`/`vl`, wherever the service put it (row or mutations object)."""
        direct = getattr(self, f"parental_{chain}")
        if direct:
            return direct
        if isinstance(self.mutations, Mutations):
            return getattr(self.mutations, f"parental_{chain}")
        return None

    def humanized(self, chain: str) -> str | None:
        return getattr(self, f"humanized_{chain}") or None


# --- structure and complex ----------------------------------------------------------------------


def _plddt_by_chain(value: Any) -> dict[str, list[float | None]]:
    """`{chain: [pLDDT]}` on 0-100, the 0-1 rule applied to the whole set."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, list) for v in value.values()):
        raise ValueError("expected {chain: [numbers]}")
    chains = [str(k) for k in value]
    flat = [x for values in value.values() for x in values]
    scaled = plddt_values_0_100(flat)
    out, cursor = {}, 0
    for chain, values in zip(chains, value.values()):
        out[chain] = scaled[cursor : cursor + len(values)]
        cursor += len(values)
    return out


def _plddt_per_chain(value: Any) -> dict[str, float | None]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("expected {chain: number}")
    scaled = plddt_values_0_100(value.values())
    return {str(k): v for k, v in zip(value, scaled)}


PlddtByChain = Annotated[dict[str, list[float | None]], PlainValidator(_plddt_by_chain)]
PlddtPerChain = Annotated[dict[str, float | None], PlainValidator(_plddt_per_chain)]


class CdrAnalysis(Lax):
    cdr: Text = None
    chain: Text = None
    start: int | None = None
    end: int | None = None
    sequence: Text = None
    length: int | None = None
    mean_plddt: Number = None
    canonical_class: Text = None


def _cdr_list(value: Any) -> list[CdrAnalysis]:
    rows = [CdrAnalysis.model_validate(item) for item in _list_or_empty(value)]
    scaled = plddt_values_0_100(r.mean_plddt for r in rows)
    return [r.model_copy(update={"mean_plddt": s}) for r, s in zip(rows, scaled)]


class StructureResultRow(Lax):
    pdb_storage_path: Text = None
    model_used: Text = None
    confidence_score: Fraction = None
    per_residue_plddt: lenient(PlddtByChain) = None
    cdr_analysis: lenient(Annotated[Any, PlainValidator(_cdr_list)]) = None
    humanization_result_id: Text = None


class ComplexResultRow(Lax):
    antigen_id: Text = None
    pdb_storage_path: Text = None
    model_used: Text = None
    confidence_score: Fraction = None
    iptm: Fraction = None
    per_chain_plddt: lenient(PlddtPerChain) = None
    interface_residues: lenient(dict[str, list[Text]]) = None


# --- stability ------------------------------------------------------------------------------------


class DdgMatrix(Lax):
    positions: list[Text]
    amino_acids: list[Text]
    values: list[list[Number]]


class StabilizingMutation(Lax):
    mutation: Text = None
    ddg: Number = None
    confidence: Fraction = None
    uncertainty: Number = None  # optional: the model's own ddG uncertainty (kcal/mol, 1 SD), when it gives one


class StabilityResultRow(Lax):
    ddg_matrix: lenient(DdgMatrix) = None
    solubility_score: Fraction = None
    aggregation_score: Fraction = None
    thermostability_score: Fraction = None
    developability_score: Fraction = None
    melting_temp_predicted: Number = None
    stabilizing_mutations: lenient(list[StabilizingMutation]) = None
    model_versions: lenient(dict[str, Text]) = None


# --- immunogenicity -------------------------------------------------------------------------------


class MhcEpitope(Lax):
    chain: Text = None
    start: int
    end: int
    peptide: Text = None
    core: Text = None
    allele: Text = None
    percentile_rank: Number = None
    score: Number = None


class BcellEpitope(Lax):
    chain: Text = None
    start: int
    end: int
    sequence: Text = None
    score: Fraction = None


class DeimmunizationSuggestion(Lax):
    chain: Text = None
    position: int | None = None
    from_aa: Text = Field(default=None, alias="from")
    to_aa: Text = Field(default=None, alias="to")
    epitopes_removed: int | None = None
    predicted_risk_after: Fraction = None
    note: Text = None


class ImmunogenicityResultRow(Lax):
    mhc1_epitopes: lenient(list[MhcEpitope]) = None
    mhc2_epitopes: lenient(list[MhcEpitope]) = None
    bcell_epitopes: lenient(list[BcellEpitope]) = None
    deimmunization_suggestions: lenient(list[DeimmunizationSuggestion]) = None
    risk_score: Fraction = None
    mhc1_risk: Fraction = None
    mhc2_risk: Fraction = None
    bcell_risk: Fraction = None
    model_versions: lenient(dict[str, Text]) = None


# --- the job and the whole answer -----------------------------------------------------------------


class Job(Lax):
    id: str
    status: str
    variant_id: OptionalText = None
    submitted_by: OptionalText = None
    job_type: OptionalText = None
    error_message: OptionalText = None
    created_at: Timestamp = None
    started_at: Timestamp = None
    completed_at: Timestamp = None
    canceled_at: Timestamp = None

    @field_validator("id", "status", mode="before")
    @classmethod
    def _required_text(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return value

    @property
    def is_followed(self) -> bool:
        """Pending or running: the page keeps polling."""
        return self.status in FOLLOWED_STATUSES

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


def _rows(value: Any) -> list[HumanizationResultRow | Unparsed]:
    if value is None:
        return []
    if not isinstance(value, list):
        return [Unparsed(raw=value, problem="results: expected a list")]
    rows: list[HumanizationResultRow | Unparsed] = []
    for item in value:
        if not isinstance(item, dict):
            rows.append(Unparsed(raw=item, problem="results item: expected an object"))
            continue
        try:
            rows.append(HumanizationResultRow.model_validate(item))
        except ValidationError as error:  # one odd row must not reject the whole job
            rows.append(
                Unparsed(raw=item, problem=f"results item: {error.error_count()} field(s) of an unexpected type")
            )
    return rows


class JobResponse(Lax):
    """The 200 body of GET /jobs/{job_id}."""

    job: Job
    results: Annotated[Any, PlainValidator(_rows)] = []  # list[HumanizationResultRow | Unparsed]
    structure_result: lenient(StructureResultRow) = None
    stability_result: lenient(StabilityResultRow) = None
    immunogenicity_result: lenient(ImmunogenicityResultRow) = None
    complex_result: lenient(ComplexResultRow) = None

    @property
    def strategies(self) -> list[HumanizationResultRow]:
        return [row for row in self.results if isinstance(row, HumanizationResultRow)]
