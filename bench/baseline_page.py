"""The benchmark's baseline page: fetch the job named by ?job_id= and show it with st.json, nothing else.

Run by `bench.run` next to the dashboard's job page, in the same way (AppTest, same server, same
job), so that the dashboard's cost can be read as a ratio to this floor. It fetches on every run
(no cache) through a pooled client, as the simplest page that shows a job would.
"""

from __future__ import annotations

import os

import streamlit as st

from app.client import JobsClient


@st.cache_resource
def _client(url: str, token: str) -> JobsClient:
    return JobsClient(url, token)


job_id = st.query_params.get("job_id")
if not job_id:
    st.info("Pass ?job_id=…")
else:
    fetched = _client(os.environ["ABDASH_API_URL"], os.environ["ABDASH_API_TOKEN"]).get_job(job_id)
    st.json(fetched.raw, expanded=1)
