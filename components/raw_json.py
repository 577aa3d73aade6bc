"""Raw-JSON fallbacks: what the dashboard does with shapes it does not understand."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import streamlit as st

from app.models import Unparsed
from components.formatting import md_escape

MAX_UNREAD_SHOWN = 5


def render_unparsed(value: Unparsed, what: str) -> None:
    """Say plainly that a field had an unexpected shape, and show it as JSON."""
    st.warning(
        f"The service sent {what} in a shape this dashboard does not understand; it is shown as raw JSON below.",
        icon="⚠️",
    )
    st.caption(f"Parser note: {md_escape(value.problem)}")
    st.json(value.raw, expanded=False)


def render_unread(items: Iterable[Unparsed], what: str) -> None:
    """The items of a list that could not be read (`unread` of a model), while their readable siblings are
    drawn: one warning, then the first few as raw JSON with their problem (text, never HTML)."""
    items = list(items)
    if not items:
        return
    st.warning(
        f"{len(items)} {what} came in a shape this dashboard does not understand: left out of what follows "
        "and shown as raw JSON below; the readable ones are drawn.",
        icon="⚠️",
    )
    for item in items[:MAX_UNREAD_SHOWN]:
        st.caption(f"Parser note: {md_escape(item.problem)}")
        st.json(item.raw, expanded=False)
    if len(items) > MAX_UNREAD_SHOWN:
        st.caption(f"… and {len(items) - MAX_UNREAD_SHOWN} more in the raw JSON at the end of this section.")


@contextmanager
def lazy_expander(label: str, key: str) -> Iterator[bool]:
    """A closed expander whose body is built only while it is open: `with lazy_expander(...) as is_open:`.
    Opening or closing it reruns the page (on_change="rerun"), so a closed one sends nothing."""
    box = st.expander(label, expanded=False, key=key, on_change="rerun")
    with box:
        yield bool(box.open)


def raw_expander(data: Any, label: str, key: str) -> None:
    """A closed expander with the raw JSON of a section (rendered as JSON, never as HTML).

    Lazy: the raw results of a large job are half a megabyte, and most page views never open them.
    """
    with lazy_expander(label, key) as is_open:
        if is_open:
            st.json(data, expanded=1)


def json_download(data: Any, file_name: str, label: str = "Download JSON", key: str | None = None) -> None:
    st.download_button(label, json.dumps(data, indent=2), file_name=file_name, mime="application/json", key=key)
