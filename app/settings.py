"""Dashboard settings from the environment and from Streamlit secrets (the environment wins).

The secrets mapping is passed in by the UI layer, so this module never imports Streamlit.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_TIMEOUT_S = 15.0
DEFAULT_MAX_STRUCTURE_BYTES = 50 * 1024 * 1024
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / ".data"  # git-ignored; holds reviews.sqlite

KEYS = (
    "ABDASH_API_URL",
    "ABDASH_API_TOKEN",
    "ABDASH_STORAGE_URL",
    "ABDASH_TIMEOUT_S",
    "ABDASH_MAX_STRUCTURE_MB",
    "ABDASH_3DMOL_URL",
    "ABDASH_SAMPLE_DATA",
    "ABDASH_DATA_DIR",
    "ABDASH_REVIEW_DB_URL",
    "ABDASH_LOCAL_RESULTS",
)


@dataclass(frozen=True)
class Settings:
    """Where the service is and how to talk to it. `api_url is None` means: use the sample server."""

    api_url: str | None
    api_token: str | None = None
    storage_url: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_structure_bytes: int = DEFAULT_MAX_STRUCTURE_BYTES
    threedmol_url: str | None = None
    sample_data_dir: str | None = None  # the embedded server's folder (jobs/ and storage/); default: bundled
    data_dir: str | None = None  # the dashboard's own files (the review database); default: DEFAULT_DATA_DIR
    review_db_url: str | None = None  # e.g. postgresql+psycopg://…; default: SQLite in data_dir
    local_results_dir: str | None = None  # a folder of the analyst's own prediction runs (the /runs page)

    @property
    def uses_sample_server(self) -> bool:
        return not self.api_url

    def storage_base(self) -> str | None:
        """The base for relative structure paths; defaults to `<API URL>/storage`."""
        if self.storage_url:
            return self.storage_url.rstrip("/")
        if self.api_url:
            return self.api_url.rstrip("/") + "/storage"
        return None

    def review_database_url(self) -> str:
        """Where reviews are kept: ABDASH_REVIEW_DB_URL, else `<data dir>/reviews.sqlite`."""
        if self.review_db_url:
            return self.review_db_url
        folder = Path(self.data_dir).expanduser() if self.data_dir else DEFAULT_DATA_DIR
        return f"sqlite:///{folder / 'reviews.sqlite'}"

    def __repr__(self) -> str:  # never print the token
        token = "set" if self.api_token else "unset"
        return f"Settings(api_url={self.api_url!r}, token={token}, storage_url={self.storage_url!r})"


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _positive_float(value: str | None, default: float) -> float:
    try:
        number = float(value) if value is not None else default
    except ValueError:
        return default
    return number if number > 0 else default


def load_settings(environ: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None) -> Settings:
    """Read every ABDASH_* key from the environment, falling back to the secrets mapping."""
    environ = os.environ if environ is None else environ
    secrets = secrets or {}

    def get(key: str) -> str | None:
        return _clean(environ.get(key)) or _clean(secrets.get(key))

    max_mb = _positive_float(get("ABDASH_MAX_STRUCTURE_MB"), DEFAULT_MAX_STRUCTURE_BYTES / 2**20)
    return Settings(
        api_url=(get("ABDASH_API_URL") or "").rstrip("/") or None,
        api_token=get("ABDASH_API_TOKEN"),
        storage_url=get("ABDASH_STORAGE_URL"),
        timeout_s=_positive_float(get("ABDASH_TIMEOUT_S"), DEFAULT_TIMEOUT_S),
        max_structure_bytes=int(max_mb * 2**20),
        threedmol_url=get("ABDASH_3DMOL_URL"),
        sample_data_dir=get("ABDASH_SAMPLE_DATA"),
        data_dir=get("ABDASH_DATA_DIR"),
        review_db_url=get("ABDASH_REVIEW_DB_URL"),
        local_results_dir=get("ABDASH_LOCAL_RESULTS"),
    )
