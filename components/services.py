"""Wiring between Streamlit and the core: settings, the connection in use, clients and caches.

The embedded sample server and one HTTP connection pool are made once per process (the only
st.cache_resource here, with the per-user caches themselves); a JobsClient is made per call with the
session's token, so no token lives in a cache key or outlives its session. Finished jobs and
structure files are cached per (service, token fingerprint, what). See docs/architecture.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import streamlit as st

from app import errors
from app.client import FetchedJob, JobsClient, StructureFile, connection_pool, normalise_job_id
from app.job_cache import TtlCache, token_fingerprint
from app.sample_api import RunningServer, start_in_thread
from app.settings import Settings, load_settings

PASTED_TOKEN_KEY = "pasted_api_token"


@dataclass(frozen=True)
class Connection:
    """The service this session talks to. `token` stays server-side; only its fingerprint is a key."""

    api_url: str
    token: str | None
    storage_url: str | None
    is_sample: bool

    @property
    def fingerprint(self) -> str:
        return token_fingerprint(self.token)

    def __repr__(self) -> str:
        return f"Connection({self.api_url!r}, sample={self.is_sample})"


def _secrets() -> dict:
    try:
        return {k: st.secrets[k] for k in st.secrets}  # raises if no secrets.toml exists
    except Exception:
        return {}


def sign_in_configured() -> bool:
    """Whether Streamlit's authentication (an [auth] table in secrets.toml) is set up for st.login."""
    return isinstance(_secrets().get("auth"), Mapping)


def settings() -> Settings:
    """Read on every run (cheap), so a changed environment or secrets file takes effect."""
    return load_settings(os.environ, _secrets())


@st.cache_resource(show_spinner="Starting the sample API server…")
def sample_server() -> RunningServer:
    """The embedded sample service, on a free 127.0.0.1 port with a random token, once per process."""
    data_dir = settings().sample_data_dir
    return start_in_thread(Path(data_dir) if data_dir else None)


def connection() -> Connection:
    config = settings()
    if config.uses_sample_server or not config.api_url:  # the same test, spelled out for the type checker
        server = sample_server()
        return Connection(server.url, server.token, server.url + "/storage", is_sample=True)
    token = config.api_token or st.session_state.get(PASTED_TOKEN_KEY) or None
    return Connection(config.api_url or "", token, config.storage_base(), is_sample=False)


@st.cache_resource(show_spinner=False)
def http_pool() -> httpx.Client:
    """The process's one connection pool, shared by every session (it holds no token)."""
    return connection_pool()


def client(conn: Connection | None = None) -> JobsClient:
    """A client for this session's service and token, over the shared pool (cheap: make one per call)."""
    conn = conn or connection()
    config = settings()
    return JobsClient(
        conn.api_url,
        conn.token,
        storage_url=conn.storage_url,
        timeout_s=config.timeout_s,
        max_structure_bytes=config.max_structure_bytes,
        pool=http_pool(),
    )


@st.cache_resource(show_spinner=False)
def job_cache() -> TtlCache:
    return TtlCache(ttl_s=600, max_entries=128)


@st.cache_resource(show_spinner=False)
def file_cache() -> TtlCache:
    return TtlCache(ttl_s=1800, max_entries=16)


def load_job(job_id: str, *, fresh: bool = False) -> FetchedJob:
    """The job, from the per-user cache when it is finished; unfinished jobs are always fetched."""
    conn = connection()
    job_id = normalise_job_id(job_id)
    key = (conn.api_url, conn.fingerprint, job_id)
    if not fresh:
        cached = job_cache().get(key)
        if cached is not None:
            return cached
    fetched = client(conn).get_job(job_id)
    if fetched.response.job.is_terminal:
        job_cache().put(key, fetched)
    return fetched


def load_structure(path: str) -> StructureFile:
    """A structure file by its storage path, fetched once per (service, token) and cached."""
    conn = connection()
    key = (conn.api_url, conn.fingerprint, path)
    cached = file_cache().get(key)
    if cached is not None:
        return cached
    structure = client(conn).fetch_structure(path)
    file_cache().put(key, structure)
    return structure


def list_samples() -> list[dict[str, str]]:
    """Titles of the sample jobs (only the embedded sample server has this listing)."""
    conn = connection()
    if not conn.is_sample:
        return []
    key = (conn.api_url, conn.fingerprint, "/samples")
    cached = sample_list_cache().get(key)
    if cached is None:
        try:
            cached = client(conn).list_samples()
        except errors.ApiError:
            return []
        sample_list_cache().put(key, cached)
    return cached


@st.cache_resource(show_spinner=False)
def sample_list_cache() -> TtlCache:
    """Short-lived: a job file added to a local folder appears in the sidebar within seconds."""
    return TtlCache(ttl_s=5, max_entries=4)


__all__ = ["Connection", "connection", "client", "load_job", "load_structure", "list_samples", "settings", "errors"]
