"""Say so when this page's session was lost and a new one started (a replica stopped, see app/serve.py).

The browser reconnects its websocket with the id of the session it had (the third entry of
Sec-WebSocket-Protocol, Streamlit's own reconnect protocol). The server that still holds the session
resumes it under that id; any other server starts a new session, so a remembered id that is not
ours means everything kept in the old session (typed text, an unsaved review draft) is gone. The job
and section come back from the URL by themselves.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

MOVED_KEY = "_reconnect_session_moved"  # True from the first run that saw the replacement until dismissed


def previous_session_id(subprotocol_header: str | None) -> str | None:
    """The session id the browser asked to resume, if any ("streamlit, <xsrf>, <session id>")."""
    if not subprotocol_header:
        return None
    entries = [entry.strip() for entry in subprotocol_header.split(",")]
    return entries[2] if len(entries) >= 3 and entries[2] else None


def session_was_replaced() -> bool:
    ctx = get_script_run_ctx()
    asked = previous_session_id(st.context.headers.get("Sec-Websocket-Protocol"))
    return ctx is not None and asked is not None and asked != ctx.session_id


def render_reconnect_notice() -> None:
    if MOVED_KEY not in st.session_state:
        # Decided once per session: a later reconnect that resumes this session sends its own id.
        st.session_state[MOVED_KEY] = session_was_replaced()
    if not st.session_state[MOVED_KEY]:
        return
    with st.container(key="reconnect-notice"):
        st.warning(
            "**Reconnected to another server.** The server this page was using stopped, so the page "
            "started a new session: the job and section come from the link as before, and saved reviews "
            "are kept. Anything not yet saved may not have reached this server (a click on Save made just "
            "now included): check your review draft and save it again.",
            icon=":material/sync_problem:",
        )
        if st.button("Dismiss", key="reconnect-dismiss"):
            st.session_state[MOVED_KEY] = False
            st.rerun()
