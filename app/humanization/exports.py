"""Download files of the Humanization section: FASTA of every chain, CSV of tables, named after the job."""

from __future__ import annotations

import re

import pandas as pd

from app.humanization.review import StrategyReview


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


def csv_text(frame: pd.DataFrame) -> str:
    """CSV; cells that a spreadsheet would run as a formula get a leading quote (CSV injection)."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or str(safe[column].dtype).startswith("str"):
            safe[column] = safe[column].map(
                lambda v: (
                    "'" + v if isinstance(v, str) and len(v) > 1 and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
                )
            )
    return safe.to_csv(index=False)


def file_name(job_id: str, what: str, extension: str) -> str:
    return f"job-{_header_text(job_id)}-{what}.{extension}"
