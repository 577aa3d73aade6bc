"""The review for the lab notebook: Markdown and CSV of candidates, decisions, comments, who and when.

Markdown: every untrusted string (strategy names, comments, authors) is escaped, so the file shows
what was typed and never renders markup or links. CSV: cells a spreadsheet would run as a formula
are defused (app.humanization.exports.csv_text).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import pandas as pd

from app.humanization.exports import csv_text
from app.reviews.candidates import Candidate
from app.reviews.models import author_label
from app.reviews.store import Entry, ReviewHistory

_MD_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:&])")


def md_text(text: object) -> str:
    """Literal text in Markdown: specials backslash-escaped, line breaks kept as Markdown breaks."""
    lines = str(text).replace("\r\n", "\n").split("\n")
    return "  \n".join(_MD_SPECIALS.sub(r"\\\1", line) for line in lines)


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def who(entry: Entry) -> str:
    return author_label(entry.author, entry.author_kind)


def review_rows(candidates: Sequence[Candidate], history: ReviewHistory) -> pd.DataFrame:
    """One row per decision or comment, oldest first, candidates in the order given."""
    rows = []
    for candidate in candidates:
        for entry in history.of(candidate.job_id, candidate.key).entries:
            rows.append(
                {
                    "job_id": candidate.job_id,
                    "candidate": candidate.label,
                    "candidate_key": candidate.key,
                    "kind": entry.kind,
                    "decision": entry.text if entry.is_decision else "",
                    "comment": "" if entry.is_decision else entry.text,
                    "author": entry.author,
                    "author_kind": entry.author_kind,
                    "at_utc": entry.created_at.isoformat(timespec="seconds"),
                    "results_fingerprint": entry.fingerprint or "",
                    "results_changed_since": _changed(entry, candidate),
                }
            )
    columns = [
        "job_id", "candidate", "candidate_key", "kind", "decision", "comment", "author", "author_kind",
        "at_utc", "results_fingerprint", "results_changed_since",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _changed(entry: Entry, candidate: Candidate) -> str:
    if not entry.fingerprint:
        return "not recorded"
    return "yes" if entry.fingerprint != candidate.fingerprint else "no"


def review_csv(candidates: Sequence[Candidate], history: ReviewHistory) -> str:
    return csv_text(review_rows(candidates, history))


def review_markdown(candidates: Sequence[Candidate], history: ReviewHistory, *, generated: datetime) -> str:
    lines = [
        "# Design review",
        "",
        f"Exported {when(generated)} from the antibody job dashboard. Decisions and comments are "
        "append-only; each names its author (signed-in, self-declared or sample).",
        "",
    ]
    current_job = None
    for candidate in candidates:
        if candidate.job_id != current_job:
            current_job = candidate.job_id
            lines += [f"## Job {candidate.job_id}", ""]
        record = history.of(candidate.job_id, candidate.key)
        decision = record.current
        state = (
            f"**{decision.text}** by {md_text(who(decision))}, {when(decision.created_at)}"
            if decision
            else "no decision yet"
        )
        lines += [f"### {md_text(candidate.label)}", "", f"Current decision: {state}", ""]
        if decision is not None and _changed(decision, candidate) == "yes":
            lines += ["*The results have changed since this decision was made.*", ""]
        for entry in record.entries:
            head = f"- {when(entry.created_at)}, {md_text(who(entry))}: "
            if entry.is_decision:
                lines.append(head + f"decision **{entry.text}**")
            else:
                lines.append(head + "comment:  \n  " + md_text(entry.text).replace("  \n", "  \n  "))
        if record.entries:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
