"""Download files of the Humanization section: FASTA of every chain, CSV of tables, named after the job."""

from __future__ import annotations

import re

from app.exports import csv_text, download_name
from app.humanization.review import StrategyReview

__all__ = ["csv_text", "fasta", "file_name"]


def _header_text(text: str) -> str:
    """FASTA header field: one line, no '>' or '|' inside a field."""
    return re.sub(r"[\s>|]+", "_", str(text)).strip("_") or "unnamed"


def _wrapped(sequence: str, width: int = 60) -> str:
    return "\n".join(sequence[i : i + width] for i in range(0, len(sequence), width)) or ""


def fasta(reviews: list[StrategyReview], job_id: str) -> str:
    """Parental chains once each (by sequence), then the humanized chains of every strategy."""
    records: list[tuple[str, str]] = []
    seen_parental: set[tuple[str, str]] = set()
    job = _header_text(job_id)
    for review in reviews:
        for chain in review.chains:
            if chain.parental and (chain.name, chain.parental) not in seen_parental:
                seen_parental.add((chain.name, chain.parental))
                records.append((f"{job}|parental|{chain.name}", chain.parental))
    for review in reviews:
        for chain in review.chains:
            records.append((f"{job}|{_header_text(review.name)}|{chain.name}|humanized", chain.humanized))
    return "".join(f">{header}\n{_wrapped(seq)}\n" for header, seq in records)


def file_name(job_id: str, what: str, extension: str) -> str:
    return download_name(job_id, what, extension)
