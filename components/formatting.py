"""Small text helpers shared by the sections: plain-text rendering of untrusted values."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pandas as pd

_MARKDOWN_SPECIALS = "\\`*_{}[]()<>#+-.!|~$:"


def md_escape(text: object) -> str:
    """Escape Markdown (and with it HTML) so an untrusted string is shown literally in st.markdown."""
    out = []
    for ch in str(text):
        out.append("\\" + ch if ch in _MARKDOWN_SPECIALS else ch)
    # Escapes do not stop GFM autolinks (http://, www., e-mail): a word joiner (U+2060) breaks them.
    text = re.sub(r"(?i)(?<=www)(?=\\\.)", "\u2060", re.sub(r"(?<=:)//", "\u2060//", "".join(out)))
    return text.replace("@", "\u2060@").replace("\n", " ")


def md_code(text: object) -> str:
    """Inline code for st.markdown: Markdown is not rendered inside it, so only backticks need care."""
    body = str(text).replace("`", "'").replace("\n", " ")
    return f"`{body}`"


def fmt_time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z").strip() if moment else "—"


def fmt_duration(delta: timedelta | None) -> str:
    if delta is None:
        return "—"
    seconds = int(delta.total_seconds())
    if seconds < 0:
        return "—"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def fmt_fraction(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def fmt_percent(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f} %"


def text_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame for st.table, every text cell escaped: st.table renders its cells as Markdown, so a
    service string such as a URL would otherwise become a link (or markup)."""
    return frame.map(lambda cell: md_escape(cell) if isinstance(cell, str) else cell)
