"""The compare page's baseline: fetch the jobs named by ?jobs=<id>,<id>,… and show each with st.json.

Run by `bench.reviews` next to the dashboard's compare page, in the same way (AppTest, same server,
same jobs). It fetches on every run (no cache) through a pooled client.
"""

from __future__ import annotations

import os

import streamlit as st

from app.client import JobsClient


@st.cache_resource
def _client(url: str, token: str) -> JobsClient:
    return JobsClient(url, token)


jobs = [j for j in (st.query_params.get("jobs") or "").split(",") if j]
if not jobs:
    st.info("Pass ?jobs=…")
for job_id in jobs:
    fetched = _client(os.environ["ABDASH_API_URL"], os.environ["ABDASH_API_TOKEN"]).get_job(job_id)
    st.json(fetched.raw, expanded=1)
