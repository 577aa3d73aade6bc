"""Plotly figures of the immunogenicity result: risk gauges and per-chain epitope maps."""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.conventions import REGION_COLORS
from app.immunogenicity.epitopes import BCELL, KINDS, MHC1, MHC2, Track, hover_texts

# Our reading of a 0-1 risk (stated in the UI), not a tool's calibrated cut-off.
RISK_STEPS = ((0.0, 0.33, "#DCEFD9"), (0.33, 0.66, "#FCE8B2"), (0.66, 1.0, "#F6C6C0"))
RISK_BAR = "#37474F"
KIND_COLORS = {MHC1: "#7B3294", MHC2: "#C2185B", BCELL: "#1B7837"}


def build_risk_gauges(risks: Sequence[tuple[str, float | None]]) -> go.Figure:
    """One 0-1 gauge per risk (higher is riskier); a risk not given shows an empty gauge saying so."""
    fig = go.Figure()
    n = max(len(risks), 1)
    for k, (title, value) in enumerate(risks):
        shown = "" if value is not None else "<br><span style='font-size:11px'>not given</span>"
        fig.add_trace(go.Indicator(
            mode="gauge+number", value=value,
            number={"valueformat": ".2f", "font": {"size": 26}},
            title={"text": html.escape(title) + shown, "font": {"size": 14}},
            domain={"x": [k / n + 0.02, (k + 1) / n - 0.02], "y": [0, 1]},
            gauge={
                "axis": {"range": [0, 1], "tickvals": [0, 0.33, 0.66, 1]},
                "bar": {"color": RISK_BAR, "thickness": 0.3},
                "steps": [{"range": [lo, hi], "color": c} for lo, hi, c in RISK_STEPS],
            },
        ))
    fig.update_layout(height=210, margin={"l": 25, "r": 25, "t": 40, "b": 10})
    return fig


def build_epitope_map(
    chain: str,
    sequence: str,
    tracks: Sequence[Track],
    cdr_spans: Sequence[tuple[str, int, int]],
    threshold_text: str,
    measure: str = "alleles",
) -> go.Figure:
    """One row per epitope kind along a chain: bars = binding alleles (or epitopes) per residue.

    CDRs are shaded across all rows and named on top; the threshold set in use is in the title; a row
    with nothing to show says whether nothing was predicted or nothing passed the threshold.
    """
    length = max((len(t.counts) for t in tracks), default=0)
    x = list(range(1, length + 1))
    letters = [html.escape(sequence[i]) if i < len(sequence) else "?" for i in range(length)]
    fig = make_subplots(rows=len(tracks), cols=1, shared_xaxes=True, vertical_spacing=0.05)
    for row, track in enumerate(tracks, start=1):
        texts = hover_texts(track)
        heights = track.heights(measure)
        custom = [[letters[i], texts[i], int(track.covering[i])] for i in range(length)]
        unit = "epitopes" if track.kind == BCELL or measure == "epitopes" else "alleles"
        fig.add_trace(go.Bar(
            x=x, y=heights.tolist(), customdata=custom, marker_color=KIND_COLORS.get(track.kind, "#555555"),
            name=track.kind, showlegend=False,
            hovertemplate=(f"{html.escape(chain)} %{{x}} %{{customdata[0]}} · {track.kind}: %{{y}} {unit}"
                           "<br>%{customdata[1]}<extra></extra>"),
        ), row=row, col=1)
        top = int(heights.max()) if heights.size else 0
        fig.update_yaxes(title_text=f"{track.kind}<br>{unit}", rangemode="tozero", row=row, col=1,
                         title_font={"size": 11}, tick0=0, dtick=max(1, -(-top // 4)))
        if not heights.any():
            why = f"no {track.kind} epitopes predicted on this chain" if track.listed == 0 else \
                f"none of {track.listed} {track.kind} epitopes pass the threshold / allele filter"
            fig.add_annotation(x=(length + 1) / 2, y=0.5, text=why, showarrow=False, font={"size": 11, "color": "#777777"},
                               row=row, col=1)
            fig.update_yaxes(range=[0, 1], row=row, col=1)
    for region, start, end in cdr_spans:
        colour = REGION_COLORS.get(region, "#F4A261")
        fig.add_vrect(x0=start - 0.5, x1=end + 0.5, fillcolor=colour, opacity=0.18, line_width=0, layer="below")
        fig.add_annotation(x=(start + end) / 2, y=1.0, yref="paper", yanchor="bottom", text=html.escape(region),
                           showarrow=False, font={"size": 11, "color": colour})
    tick_every = 10 if length > 40 else 5
    fig.update_xaxes(tickmode="array", tickvals=[i for i in x if i % tick_every == 0 or i == 1], range=[0.5, length + 0.5])
    fig.update_xaxes(title_text=f"residue of chain {html.escape(chain)} (1-based)", row=len(tracks), col=1)
    fig.update_layout(
        title={"text": f"Chain {html.escape(chain)}<br><span style='font-size:11px;font-weight:normal'>"
                       f"{html.escape(threshold_text)}</span>", "font": {"size": 15}, "y": 0.97},
        height=130 + 110 * len(tracks), margin={"l": 60, "r": 10, "t": 85, "b": 40}, bargap=0.1, hovermode="closest",
    )
    return fig


__all__ = ["build_epitope_map", "build_risk_gauges", "KINDS"]
