"""What every download shares: CSV that a spreadsheet cannot run, and file names that are safe.

Cells come from the service (peptides, strategy names, reasons) and end up in Excel or LibreOffice.
The guard is OWASP's rule for CSV injection: a text cell that starts with `=`, `+`, `-`, `@`, a tab
or a carriage return gets a leading apostrophe, so the spreadsheet shows it as text instead of
evaluating it. Numbers stay numbers: numeric columns are left alone, and so is a text cell that
reads as a plain number ("-1.30"), which a spreadsheet takes as that number, not as a formula.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def guard_cell(value: object) -> object:
    """The value, with a leading apostrophe when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """The table as CSV (no index, RFC 4180's CRLF line ends, so that a cell holding a lone CR is
    quoted too), text cells guarded against formula injection."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(guard_cell)
    return safe.to_csv(index=False, lineterminator="\r\n")


def safe_file_name(name: object, fallback: str, max_chars: int = 120) -> str:
    """Letters, digits, `.`, `_` and `-` only (each run of anything else becomes one `_`), no leading
    or trailing dot or underscore, at most `max_chars`: no path, no hidden file, no shell surprises."""
    cleaned = _UNSAFE_IN_NAME.sub("_", str(name or "")).strip("._")
    return cleaned[:max_chars] or fallback


def safe_file_stem(job_id: object) -> str:
    """A job id (it comes from the service) made safe to put in a file name."""
    return safe_file_name(job_id, "job", max_chars=64)


def download_name(job_id: object, what: str, extension: str) -> str:
    """`job-<id>-<what>.<extension>`, the name of every per-job download."""
    return f"job-{safe_file_stem(job_id)}-{what}.{extension}"
