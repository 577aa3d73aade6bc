"""Download files of the Humanization section: FASTA of every chain, CSV of tables, named after the job."""

from __future__ import annotations

import re

from app.exports import csv_text, download_name
from app.humanization.review import StrategyReview
from app.models import ScfvAnalysis

__all__ = ["csv_text", "fasta", "file_name"]


def _header_text(text: str) -> str:
    """FASTA record id part: one token, no '>' or '|' or ';' inside."""
    return re.sub(r"[\s>|;=]+", "_", str(text)).strip("_") or "unnamed"


def _field(text: object) -> str:
    """A description value: one line, no '>' or ';' (the field separator)."""
    return re.sub(r"[\s>;]+", " ", str(text)).strip() or "—"


def _wrapped(sequence: str, width: int = 60) -> str:
    return "\n".join(sequence[i : i + width] for i in range(0, len(sequence), width)) or ""


def scfv_construct(vh: str | None, vl: str | None, orientation: str | None, linker: str | None) -> str | None:
    """The assembled scFv in its orientation (VH-linker-VL or VL-linker-VH); None when a part is missing."""
    order = (orientation or "").upper().replace(" ", "")
    if not vh or not vl or linker is None or order not in ("VH-VL", "VL-VH"):
        return None
    first, second = (vh, vl) if order == "VH-VL" else (vl, vh)
    return first + re.sub(r"[^A-Za-z]", "", linker).upper() + second


def fasta(reviews: list[StrategyReview], job_id: str, job_type: str | None = None, title: str | None = None) -> str:
    """Parental chains once each (by sequence), then every strategy's humanized chains and, for an scFv, its
    assembled construct. The record id names job, strategy and chain (`<job8>_<strategy>_<chain>`); the
    description holds the full job id, job type and sample title as `key=value; ` fields."""
    records: list[tuple[str, str]] = []
    short = _header_text(str(job_id)[:8])
    job_fields = f"job={_field(job_id)}"
    if job_type:
        job_fields += f"; job_type={_field(job_type)}"
    if title:
        job_fields += f"; title={_field(title)}"
    seen_parental: set[tuple[str, str]] = set()
    for review in reviews:
        for chain in review.chains:
            if chain.parental and (chain.name, chain.parental) not in seen_parental:
                seen_parental.add((chain.name, chain.parental))
                records.append((f"{short}_parental_{chain.name} parental {chain.name}; {job_fields}", chain.parental))
    for review in reviews:
        strategy = _header_text(review.name)
        about = f"strategy={_field(review.name)}; {job_fields}"
        for chain in review.chains:
            records.append((f"{short}_{strategy}_{chain.name} humanized {chain.name}; {about}", chain.humanized))
        scfv = review.row.scfv_analysis
        if isinstance(scfv, ScfvAnalysis):
            vh, vl = review.chain("vh"), review.chain("vl")
            construct = scfv_construct(
                vh.humanized if vh else None, vl.humanized if vl else None, scfv.orientation, scfv.linker
            )
            if construct:
                linker = re.sub(r"[^A-Za-z]", "", scfv.linker or "").upper()
                records.append(
                    (
                        f"{short}_{strategy}_scFv humanized scFv {_field(scfv.orientation)}; "
                        f"linker={linker} ({len(linker)} aa); {about}",
                        construct,
                    )
                )
    return "".join(f">{header}\n{_wrapped(seq)}\n" for header, seq in records)


def file_name(job_id: str, what: str, extension: str) -> str:
    return download_name(job_id, what, extension)
