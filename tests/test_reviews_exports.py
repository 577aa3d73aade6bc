"""The lab-notebook exports and the comparison marks, from hand-made histories (no server needed)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pandas as pd

from app.reviews import compare, exports
from app.reviews.candidates import Candidate
from app.reviews.store import CandidateHistory, Entry, ReviewHistory

JOB = "1d4490b7-23df-5396-9f51-ceb8d92e70f3"
AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _entry(kind: str, text: str, author: str = "Ann", fingerprint: str | None = "f1") -> Entry:
    return Entry(kind, 1, JOB, "r:a", "cdr_grafting", text, author, "self-declared", fingerprint, AT)


def _history(*entries: Entry) -> ReviewHistory:
    return ReviewHistory({(JOB, "r:a"): CandidateHistory(entries)})


CANDIDATE = Candidate(JOB, "r:a", "cdr_grafting", "cdr_grafting", "f2", 0)


def test_markdown_shows_hostile_text_literally_and_says_results_changed() -> None:
    hostile = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) **b**\n# heading"
    text = exports.review_markdown(
        [CANDIDATE], _history(_entry("decision", "Hold"), _entry("comment", hostile, author="<b>Eve</b>")), generated=AT
    )
    assert (
        not re.search(r"(?<!\\)<img", text)
        and "](javascript:" not in text
        and "**b**" not in text
        and "<b>" not in text
    )
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in text
    assert "\n# heading" not in text  # a comment cannot start a heading of the notebook file
    assert "Current decision: **Hold** by Ann \\(self\\-declared\\), 2026-12-01 09:30 UTC" in text
    assert "results have changed since this decision" in text


def test_csv_defuses_formulas_and_lists_every_entry() -> None:
    csv = exports.review_csv(
        [CANDIDATE], _history(_entry("decision", "Advance"), _entry("comment", '=HYPERLINK("http://x")'))
    )
    frame = pd.read_csv(io.StringIO(csv))
    assert list(frame["kind"]) == ["decision", "comment"]
    assert frame.loc[1, "comment"].startswith("'=")
    assert list(frame["results_changed_since"]) == ["yes", "yes"]


def test_marks_show_trade_offs_not_one_winner() -> None:
    frame = pd.DataFrame(
        {"VH mutations": [10.0, 20.0, 15.0], "Liab. high": [3.0, 0.0, 1.0], "VH FR kept %": [90.0, 90.5, 89.0]}
    )
    marks = compare.marks(frame)
    assert list(marks["VH mutations"]) == ["lead", "trail", ""]
    assert list(marks["Liab. high"]) == ["trail", "lead", ""]
    assert list(marks["VH FR kept %"]) == ["", "", ""]  # a 1.5-point spread is below the 2-point threshold
    offs = compare.trade_offs(frame, marks)
    assert offs[0] == "leads: VH mutations; trails: Liab. high" and offs[1] == "leads: Liab. high; trails: VH mutations"
