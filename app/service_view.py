"""The service source: `GET /jobs/{id}` (a `FetchedJob`) and its structure files as the source-neutral views.

`job_view` is cheap (no file is read): it runs on every rerun of the job page. The Structure and
Complex sections call `structure_model` / `complex_model` once they are opened and the file has
been fetched, and hand the `ModelView` to the same drawing code a local run uses.
"""

from __future__ import annotations

import weakref

from app.client import FetchedJob, StructureFile
from app.models import Unparsed
from app.models.contract import ComplexResultRow, JobResponse, StructureResultRow
from app.structure.confidence import from_bfactors, residue_confidence
from app.structure.model import ParsedStructure
from app.view import GlobalScores, JobView, ModelView, StructureText

SERVICE = "service"  # the source name in views and cache keys
RANKING_NAME = "confidence_score"  # the contract's name for the model's own ranking score


def job_sequences(response: JobResponse) -> tuple[str, ...]:
    """Every VH/VL the job names (humanized and parental), to recognise the antibody's chains."""
    out: list[str] = []
    for row in response.strategies:
        for chain in ("vh", "vl"):
            for seq in (row.humanized(chain), row.parental(chain)):
                if seq:
                    out.append(seq)
    return tuple(dict.fromkeys(out))


def job_view(fetched: FetchedJob) -> JobView:
    """The job as the sections read it; the structure files are not fetched here."""
    response = fetched.response
    job = response.job
    return JobView(
        source=SERVICE,
        key=job.id,
        title=(job.job_type or "job").replace("_", " ").capitalize(),
        tool=job.job_type or "",
        sequences=job_sequences(response),
        humanization=tuple(response.results or ()),
        stability=response.stability_result,
        immunogenicity=response.immunogenicity_result,
        structure_result=response.structure_result,
        complex_result=response.complex_result,
        completed=job.status == "completed",
        service=weakref.ref(fetched),
    )


def _text(file: StructureFile | None) -> StructureText | None:
    return None if file is None else StructureText(file.text, file.format, file.name)


def structure_model(
    result: StructureResultRow, file: StructureFile | None, parsed: ParsedStructure | None
) -> ModelView:
    """The structure result with its file: pLDDT from the service (per_residue_plddt) where it gives
    it, else from the file's B-factors; the service's CDR rows; its confidence_score as a ranking score.
    Without a readable file (`parsed` None) the view holds what the service said, and no structure."""
    per_residue = result.per_residue_plddt
    confidence, problems = (
        residue_confidence(parsed, None if isinstance(per_residue, Unparsed) else per_residue, result.model_used)
        if parsed is not None
        else (None, [])
    )
    return ModelView(
        label="structure result",
        structure=_text(file) if parsed is not None else None,
        confidence=confidence,
        scores=GlobalScores(ranking_score=result.confidence_score, ranking_name=RANKING_NAME),
        files=(file.name,) if file is not None else (),
        problems=tuple(problems),
        model_used=result.model_used or "",
        given_cdrs=result.cdr_analysis if result.cdr_analysis else None,
        unread=dict(result.unread),
    )


def _interface_labels(given: dict[str, list[str | None]] | None) -> dict[str, list[str]] | None:
    """The service's interface labels without its empty entries; None when it gives none."""
    if not given:
        return None
    return {chain: [str(x) for x in values if x is not None] for chain, values in given.items()}


def complex_model(result: ComplexResultRow, file: StructureFile | None, parsed: ParsedStructure | None) -> ModelView:
    """The complex result with its file: pLDDT from the file's B-factors (when the model writes it
    there), ipTM and confidence_score as the service gives them, its interface and per-chain pLDDT.
    Without a readable file (`parsed` None) the view holds what the service said, and no structure."""
    per_chain = result.per_chain_plddt
    return ModelView(
        label="complex result",
        structure=_text(file) if parsed is not None else None,
        confidence=from_bfactors(parsed, result.model_used) if parsed is not None else None,
        scores=GlobalScores(iptm=result.iptm, ranking_score=result.confidence_score, ranking_name=RANKING_NAME),
        files=(file.name,) if file is not None else (),
        model_used=result.model_used or "",
        given_interface=_interface_labels(result.interface_residues),
        given_chain_plddt=None if isinstance(per_chain, Unparsed) else per_chain,
        unread=dict(result.unread),
    )
