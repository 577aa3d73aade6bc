"""Design reviews: candidates, decisions and comments kept beside the job link (no Streamlit here)."""

from app.reviews.candidates import Candidate, job_candidates
from app.reviews.store import (
    MAX_COMMENT_CHARS,
    CandidateHistory,
    Entry,
    InvalidReview,
    ReviewHistory,
    ReviewStore,
    ReviewStoreError,
    sqlite_url,
)

__all__ = [
    "Candidate",
    "job_candidates",
    "MAX_COMMENT_CHARS",
    "CandidateHistory",
    "Entry",
    "InvalidReview",
    "ReviewHistory",
    "ReviewStore",
    "ReviewStoreError",
    "sqlite_url",
]
