"""What a review is about: one humanization strategy of a job, or the job itself when it has none.

A candidate's key must survive a reordering of `results`: it is the result row's own id when the
service gives a unique one, else a digest of the strategy and the humanized sequences. Its
fingerprint is a digest of the canonical JSON it was judged on, so a decision can tell whether the
results have changed since.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

JOB_KEY = "job"  # the candidate of a job without humanization results
MAX_KEY_CHARS = 80


@dataclass(frozen=True)
class Candidate:
    job_id: str
    key: str
    strategy: str  # as the service names it ("" for the job itself)
    label: str  # what the page shows
    fingerprint: str
    position: int | None  # index in `results`; None for the job itself

    @property
    def ref(self) -> tuple[str, str]:
        return (self.job_id, self.key)


def digest(value: Any) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces), in hex."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _row_id(row: dict[str, Any]) -> str | None:
    value = row.get("id")
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    return text if 0 < len(text) <= MAX_KEY_CHARS - 2 else None


def _content_key(row: dict[str, Any]) -> str:
    parts = [row.get("strategy"), row.get("humanized_vh"), row.get("humanized_vl")]
    return "s:" + digest([p if isinstance(p, str) else None for p in parts])[:32]


def _strategy(row: dict[str, Any], position: int) -> str:
    value = row.get("strategy")
    return value.strip()[:200] if isinstance(value, str) and value.strip() else f"strategy {position + 1}"


def job_candidates(job_id: str, raw: dict[str, Any]) -> list[Candidate]:
    """The candidates of one job's raw answer, in the service's order."""
    results = raw.get("results")
    rows = [(i, r) for i, r in enumerate(results) if isinstance(r, dict)] if isinstance(results, list) else []
    if not rows:
        return [Candidate(job_id, JOB_KEY, "", "the job", digest(raw), None)]
    ids = Counter(_row_id(r) for _, r in rows)
    content_keys = Counter(_content_key(r) for _, r in rows)
    candidates = []
    for position, row in rows:
        row_id = _row_id(row)
        if row_id is not None and ids[row_id] == 1:
            key = "r:" + row_id
        elif content_keys[_content_key(row)] == 1:
            key = _content_key(row)
        else:  # two rows with the same strategy and sequences: only their position tells them apart
            key = f"{_content_key(row)}#{position}"
        strategy = _strategy(row, position)
        candidates.append(Candidate(job_id, key, strategy, strategy, digest(row), position))
    labels = Counter(c.label for c in candidates)
    seen: Counter[str] = Counter()
    named = []
    for c in candidates:
        seen[c.label] += 1
        label = c.label if labels[c.label] == 1 else f"{c.label} ({seen[c.label]})"
        named.append(Candidate(c.job_id, c.key, c.strategy, label, c.fingerprint, c.position))
    return named
