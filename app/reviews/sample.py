"""The sample reviews of the demo: `<sample data>/reviews.json`, added once to an empty review database.

They are stored with author kind "sample", so every page shows them as sample reviews.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

from app.reviews.candidates import job_candidates
from app.reviews.models import AUTHOR_SAMPLE
from app.reviews.store import ReviewStore

log = logging.getLogger(__name__)
SEED_FILE = "reviews.json"
SEED_NAME = "sample-reviews"  # its claim in review_seeds


def seed_sample_reviews(store: ReviewStore, sample_dir: Path) -> int:
    """Add the sample reviews once, to a store that holds no review; returns how many were added."""
    seed_path = sample_dir / SEED_FILE
    if not seed_path.is_file():
        return 0
    entries = []
    for item in json.loads(seed_path.read_text(encoding="utf-8")).get("reviews", []):
        job_path = sample_dir / "jobs" / f"{item['job_id']}.json"
        if not job_path.is_file():
            continue
        raw = json.loads(job_path.read_text(encoding="utf-8"))
        match = [c for c in job_candidates(item["job_id"], raw) if c.strategy == item.get("strategy", "")]
        if not match:
            log.warning("sample reviews: no candidate %r in job %s", item.get("strategy"), item["job_id"])
            continue
        candidate = match[0]
        entries.append(
            dict(
                job_id=candidate.job_id,
                candidate_key=candidate.key,
                strategy=candidate.strategy,
                author=item["author"],
                author_kind=AUTHOR_SAMPLE,
                fingerprint=candidate.fingerprint,
                decision=item.get("decision"),
                comment=item.get("comment"),
                at=datetime.fromisoformat(item["at"]),
            )
        )
    return store.seed_once(SEED_NAME, entries)
