"""The Immunogenicity section (first version: key figures and raw JSON; a later issue fills it)."""

from __future__ import annotations

import streamlit as st

from app.client import FetchedJob
from components.raw_json import raw_expander


def render(fetched: FetchedJob) -> None:
    key = "results" if "immunogenicity" == "humanization" else "immunogenicity_result"
    st.caption("This section shows the raw result until its full view lands.")
    raw_expander(fetched.raw.get(key), "Raw JSON of this section")
