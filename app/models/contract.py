"""Pydantic models of GET /jobs/{job_id}, after ../shared/api-contract.md.

The outer shape is typed exactly; every inner object is `Lenient`, so a shape the
dashboard does not understand is kept as raw JSON (`Unparsed`) instead of breaking the page.
Scores are normalised here, once: fractions to 0-1, pLDDT to 0-100.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import Field, PlainValidator, ValidationError, field_validator, model_validator

from app.models.lenient import (
    Fraction,
    Lax,
    Lenient,
    Number,
    OptionalText,
    PerKey,
    Text,
    Unparsed,
    Unread,
    read_each,
)
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
    unread: Unread = {}

    _items = read_each(peptides=Peptide)
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
    unread: Unread = {}

    _items = read_each(vh=Mutation, vl=Mutation)
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
    unread: Unread = {}

    _items = read_each(vh=Liability, vl=Liability)
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
    unread: Unread = {}

    _items = read_each(engineered_mutations=EngineeredMutation)
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
    oasis_score: Lenient[PerChain[Humanness]] = None
    mutations: Lenient[Mutations] = None
    liabilities: Lenient[Liabilities] = None
    numbering: Lenient[Numbering] = None
    vhh_analysis: Lenient[VhhAnalysis] = None
    scfv_analysis: Lenient[ScfvAnalysis] = None
    fc_analysis: Lenient[FcAnalysis] = None

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


class StructureResultRow(Lax):
    pdb_storage_path: Text = None
    model_used: Text = None
    confidence_score: Fraction = None
    per_residue_plddt: Lenient[PlddtByChain] = None
    cdr_analysis: list[CdrAnalysis] | None = None
    humanization_result_id: Text = None
    unread: Unread = {}

    _items = read_each(cdr_analysis=CdrAnalysis, per_residue_plddt=PerKey(Any))

    @field_validator("cdr_analysis")
    @classmethod
    def _cdr_plddt_0_100(cls, rows: list[CdrAnalysis] | None) -> list[CdrAnalysis] | None:
        """Mean pLDDT on 0-100, the 0-1 rule applied to the whole set of readable rows."""
        if rows is None:
            return None
        scaled = plddt_values_0_100(r.mean_plddt for r in rows)
        return [r.model_copy(update={"mean_plddt": s}) for r, s in zip(rows, scaled)]


class ComplexResultRow(Lax):
    antigen_id: Text = None
    pdb_storage_path: Text = None
    model_used: Text = None
    confidence_score: Fraction = None
    iptm: Fraction = None
    per_chain_plddt: Lenient[PlddtPerChain] = None
    interface_residues: dict[str, list[Text]] | None = None
    unread: Unread = {}

    _items = read_each(interface_residues=PerKey(Text))


# --- stability ------------------------------------------------------------------------------------


class DdgMatrix(Lax):
    positions: list[Text]
    amino_acids: list[Text]
    values: list[list[Number]]
    unread: Unread = {}

    @model_validator(mode="before")
    @classmethod
    def _read_each_position(cls, data: Any) -> Any:
        """A position whose label is not text or whose row of values is not a list goes to `unread`
        (as {position, values}); the other positions stay, so one broken row never hides the matrix."""
        if not isinstance(data, dict):
            return data
        positions, values = data.get("positions"), data.get("values")
        data = {**data, "unread": {}}
        if not isinstance(positions, list) or not isinstance(values, list):
            return data
        kept_positions, kept_values, bad = [], [], []
        for i, (position, row) in enumerate(zip(positions, values)):
            readable_label = position is None or (
                isinstance(position, (str, int, float)) and not isinstance(position, bool)
            )
            if readable_label and isinstance(row, list):
                kept_positions.append(position)
                kept_values.append(row)
            else:
                problem = "values: expected a list" if readable_label else "position: expected text"
                bad.append(Unparsed(raw={"position": position, "values": row}, problem=f"positions[{i}]: {problem}"))
        paired = min(len(positions), len(values))  # unpaired tails are kept as they came
        data["positions"] = kept_positions + positions[paired:]
        data["values"] = kept_values + values[paired:]
        if bad:
            data["unread"] = {"positions": tuple(bad)}
        return data


class StabilizingMutation(Lax):
    mutation: Text = None
    ddg: Number = None
    confidence: Fraction = None
    uncertainty: Number = None  # optional: the model's own ddG uncertainty (kcal/mol, 1 SD), when it gives one


class StabilityResultRow(Lax):
    ddg_matrix: Lenient[DdgMatrix] = None
    solubility_score: Fraction = None
    aggregation_score: Fraction = None
    thermostability_score: Fraction = None
    developability_score: Fraction = None
    melting_temp_predicted: Number = None
    stabilizing_mutations: list[StabilizingMutation] | None = None
    model_versions: Lenient[dict[str, Text]] = None
    unread: Unread = {}

    _items = read_each(stabilizing_mutations=StabilizingMutation)


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
    mhc1_epitopes: list[MhcEpitope] | None = None
    mhc2_epitopes: list[MhcEpitope] | None = None
    bcell_epitopes: list[BcellEpitope] | None = None
    deimmunization_suggestions: list[DeimmunizationSuggestion] | None = None
    risk_score: Fraction = None
    mhc1_risk: Fraction = None
    mhc2_risk: Fraction = None
    bcell_risk: Fraction = None
    model_versions: Lenient[dict[str, Text]] = None
    unread: Unread = {}

    _items = read_each(
        mhc1_epitopes=MhcEpitope,
        mhc2_epitopes=MhcEpitope,
        bcell_epitopes=BcellEpitope,
        deimmunization_suggestions=DeimmunizationSuggestion,
    )


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


def read_results(value: Any) -> list[HumanizationResultRow | Unparsed]:
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
    results: Annotated[Any, PlainValidator(read_results)] = []  # list[HumanizationResultRow | Unparsed]
    structure_result: Lenient[StructureResultRow] = None
    stability_result: Lenient[StabilityResultRow] = None
    immunogenicity_result: Lenient[ImmunogenicityResultRow] = None
    complex_result: Lenient[ComplexResultRow] = None

    @property
    def strategies(self) -> list[HumanizationResultRow]:
        return [row for row in self.results if isinstance(row, HumanizationResultRow)]
