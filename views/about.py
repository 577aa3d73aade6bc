"""Set-up and help: how the dashboard is connected, and what each setting does."""

import streamlit as st

from components import services
from components.formatting import md_code

st.title("Set-up and help")
conn = services.connection()
config = services.settings()
if conn.is_sample:
    st.info("The dashboard is showing **sample data** from its own API server on 127.0.0.1.")
else:
    st.success(f"Connected to {md_code(conn.api_url)}.")

st.markdown(
    """
| setting | what it does |
|---|---|
| `ABDASH_API_URL` | Base URL of the job service. Unset: the built-in sample server is started and used. |
| `ABDASH_API_TOKEN` | Bearer token for the service. Unset: paste one in the sidebar (kept in your browser session only). |
| `ABDASH_STORAGE_URL` | Base for relative structure paths. Default: `<API URL>/storage`. The token is sent only to the API's own origin. |
| `ABDASH_TIMEOUT_S` | Seconds to wait for the service (default 15). |
| `ABDASH_MAX_STRUCTURE_MB` | Largest structure file shown in the page (default 50). |
| `ABDASH_SAMPLE_DATA` | Without a service: a folder with `jobs/<job_id>.json` and `storage/` for the built-in server to serve (default: the bundled samples). |
| `ABDASH_3DMOL_URL` | Where the browser loads 3Dmol.js from (default: the local copy fetched at set-up). |

Each key can also be set in `.streamlit/secrets.toml`; the environment wins.
"""
)
st.caption(f"Timeout {config.timeout_s:g} s · structure size cap {config.max_structure_bytes / 2**20:.0f} MB")
