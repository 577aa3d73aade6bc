"""Sample jobs on disk, and the pending → running → completed view of a scheduled job."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SAMPLE_META_KEY = "x_sample"


@dataclass(frozen=True)
class Sample:
    job_id: str
    body: dict[str, Any]  # the completed 200 body, without x_sample
    title: str
    description: str
    schedule: dict[str, float] | None
    readers: frozenset[str] | None = None  # x_sample.readers: the only tokens that may read it (None: all)

    def readable_by(self, token: str) -> bool:
        return self.readers is None or token in self.readers


def _load(path: Path) -> Sample:
    body = json.loads(path.read_text(encoding="utf-8"))
    meta = body.pop(SAMPLE_META_KEY, None) or {}
    job_id = str((body.get("job") or {}).get("id") or path.stem)
    schedule = meta.get("schedule")
    readers = meta.get("readers")
    return Sample(
        job_id=job_id,
        body=body,
        title=str(meta.get("title") or job_id),
        description=str(meta.get("description") or ""),
        schedule=schedule if isinstance(schedule, dict) else None,
        readers=frozenset(str(r) for r in readers) if isinstance(readers, list) else None,
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class SampleStore:
    """Jobs from `<data>/jobs/*.json`; a scheduled job's clock starts at its first request."""

    def __init__(self, data_dir: Path, clock: Callable[[], float] = time.time) -> None:
        self.data_dir = Path(data_dir)
        self.storage_dir = self.data_dir / "storage"
        self._clock = clock
        self._first_seen: dict[str, float] = {}
        self.samples: dict[str, Sample] = {}
        for path in sorted((self.data_dir / "jobs").glob("*.json")):
            sample = _load(path)
            self.samples[sample.job_id] = sample

    def listing(self, token: str | None = None) -> list[dict[str, str]]:
        """The samples `token` may read (all when None)."""
        return [
            {
                "id": s.job_id,
                "title": s.title,
                "description": s.description,
                "status": str(self.view(s.job_id, peek=True)["job"].get("status")),
            }
            for s in self.samples.values()
            if token is None or s.readable_by(token)
        ]

    def view(self, job_id: str, *, peek: bool = False) -> dict[str, Any] | None:
        """The job as the service would answer now; None if unknown."""
        sample = self.samples.get(job_id)
        if sample is None:
            return None
        if not sample.schedule:
            return sample.body
        now = self._clock()
        first = self._first_seen.get(job_id)
        if first is None:
            if peek:
                first = now
            else:
                first = self._first_seen.setdefault(job_id, now)
        return self._scheduled(sample, now - first, first)

    def _scheduled(self, sample: Sample, elapsed: float, first: float) -> dict[str, Any]:
        pending_s = float(sample.schedule.get("pending_s", 5))
        running_s = float(sample.schedule.get("running_s", 10))
        created = datetime.fromtimestamp(first, tz=UTC)
        started = created + timedelta(seconds=pending_s)
        completed = started + timedelta(seconds=running_s)
        body = copy.deepcopy(sample.body)
        job = body.setdefault("job", {})
        job["created_at"] = _iso(created)
        if elapsed >= pending_s + running_s:
            job.update(status="completed", started_at=_iso(started), completed_at=_iso(completed))
            return body
        job.update(completed_at=None, canceled_at=None, error_message=None)
        job["status"] = "running" if elapsed >= pending_s else "pending"
        job["started_at"] = _iso(started) if elapsed >= pending_s else None
        body["results"] = []
        for key in ("structure_result", "stability_result", "immunogenicity_result", "complex_result"):
            body[key] = None
        return body
