"""Plotly figures of the immunogenicity result: risk gauges and per-chain epitope maps."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from app.conventions import REGION_COLORS
from app.immunogenicity.epitopes import BCELL, KINDS, MHC1, MHC2, Track, hover_texts
from app.residues import residue_text, scheme_title

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
        fig.add_trace(
            go.Indicator(
                mode="gauge+number",
                value=value,
                number={"valueformat": ".2f", "font": {"size": 26}},
                title={"text": html.escape(title) + shown, "font": {"size": 14}},
                domain={"x": [k / n + 0.02, (k + 1) / n - 0.02], "y": [0, 1]},
                gauge={
                    "axis": {"range": [0, 1], "tickvals": [0, 0.33, 0.66, 1]},
                    "bar": {"color": RISK_BAR, "thickness": 0.3},
                    "steps": [{"range": [lo, hi], "color": c} for lo, hi, c in RISK_STEPS],
                },
            )
        )
    fig.update_layout(height=210, margin={"l": 25, "r": 25, "t": 40, "b": 10})
    return fig


def build_epitope_map(
    chain: str,
    sequence: str,
    tracks: Sequence[Track],
    cdr_spans: Sequence[tuple[str, int, int]],
    threshold_text: str,
    measure: str = "alleles",
    labels: Sequence[str | None] = (),
    scheme: str | None = None,
) -> go.Figure:
    """One row per epitope kind along a chain: bars = binding alleles (or epitopes) per residue.

    Residues are named by the numbering scheme's `labels` (one per 1-based index), the index second,
    as every tab names them; without labels, by index.

    CDRs are shaded across all rows and named on top; the threshold set in use is in the title; a row
    with nothing to show says whether nothing was predicted or nothing passed the threshold.

    Rows, shapes and annotations are laid out here and handed to plotly in one go, with numpy arrays
    for the per-residue data: make_subplots, add_vrect and add_annotation re-validate the whole
    layout on every call, and plotly checks a list element by element (0.1 s a chain, before).
    """
    rows = max(1, len(tracks))
    length = max((len(t.counts) for t in tracks), default=0)
    x = np.arange(1, length + 1)
    letters = [html.escape(sequence[i]) if i < len(sequence) else "?" for i in range(length)]
    label_at = [labels[i] if i < len(labels) else None for i in range(length)]
    where = [html.escape(residue_text(chain, label_at[i], scheme, index=i + 1)) for i in range(length)]
    spacing = 0.05
    panel = (1.0 - spacing * (rows - 1)) / rows
    bottom_x = "x" if rows == 1 else f"x{rows}"
    tick_every = 10 if length > 40 else 5
    tickvals = [i for i in range(1, length + 1) if i % tick_every == 0 or i == 1]
    data, shapes, annotations, layout = [], [], [], {}
    for row, track in enumerate(tracks, start=1):
        xa, ya = ("x", "y") if row == 1 else (f"x{row}", f"y{row}")
        top = 1.0 - (row - 1) * (panel + spacing)
        texts = hover_texts(track)
        heights = np.asarray(track.heights(measure))
        custom = np.empty((length, 4), dtype=object)
        custom[:, 0] = letters
        custom[:, 1] = texts[:length]
        custom[:, 2] = np.asarray(track.covering[:length], dtype=int)
        custom[:, 3] = where
        unit = "epitopes" if track.kind == BCELL or measure == "epitopes" else "alleles"
        data.append(
            go.Bar(
                x=x,
                y=heights,
                customdata=custom,
                marker_color=KIND_COLORS.get(track.kind, "#555555"),
                name=track.kind,
                showlegend=False,
                xaxis=xa,
                yaxis=ya,
                hovertemplate=(
                    f"%{{customdata[3]}} %{{customdata[0]}} · {track.kind}: %{{y}} {unit}"
                    "<br>%{customdata[1]}<extra></extra>"
                ),
            )
        )
        highest = int(heights.max()) if heights.size else 0
        yaxis = dict(
            anchor=xa,
            domain=[max(0.0, top - panel), top],
            title_text=f"{track.kind}<br>{unit}",
            rangemode="tozero",
            title_font={"size": 11},
            tick0=0,
            dtick=max(1, -(-highest // 4)),
        )
        if not heights.any():
            why = (
                f"no {track.kind} epitopes predicted on this chain"
                if track.listed == 0
                else f"none of {track.listed} {track.kind} epitopes pass the threshold / allele filter"
            )
            annotations.append(
                dict(
                    x=(length + 1) / 2,
                    y=0.5,
                    xref=xa,
                    yref=ya,
                    text=why,
                    showarrow=False,
                    font={"size": 11, "color": "#777777"},
                )
            )
            yaxis["range"] = [0, 1]
        layout["yaxis" if row == 1 else f"yaxis{row}"] = yaxis
        xaxis = dict(
            anchor=ya,
            domain=[0.0, 1.0],
            tickmode="array",
            tickvals=tickvals,
            ticktext=[html.escape(label_at[v - 1] or str(v)) for v in tickvals],
            range=[0.5, length + 0.5],
        )
        if xa != bottom_x:  # rows share the bottom row's x axis, which alone shows tick labels and a title
            xaxis.update(matches=bottom_x, showticklabels=False)
        else:
            xaxis["title_text"] = (
                f"residue of chain {html.escape(chain)} ({html.escape(scheme_title(scheme))} numbering)"
                if any(label_at) and scheme
                else f"residue of chain {html.escape(chain)} (1-based)"
            )
        layout["xaxis" if row == 1 else f"xaxis{row}"] = xaxis
        for region, start, end in cdr_spans:
            shapes.append(
                dict(
                    type="rect",
                    xref=xa,
                    yref=f"{ya} domain",
                    x0=start - 0.5,
                    x1=end + 0.5,
                    y0=0,
                    y1=1,
                    fillcolor=REGION_COLORS.get(region, "#F4A261"),
                    opacity=0.18,
                    line={"width": 0},
                    layer="below",
                )
            )
    for region, start, end in cdr_spans:
        annotations.append(
            dict(
                x=(start + end) / 2,
                y=1.0,
                xref="x",
                yref="paper",
                yanchor="bottom",
                text=html.escape(region),
                showarrow=False,
                font={"size": 11, "color": REGION_COLORS.get(region, "#F4A261")},
            )
        )
    return go.Figure(
        data=data,
        layout=dict(
            **layout,
            shapes=shapes,
            annotations=annotations,
            title={
                "text": f"Chain {html.escape(chain)}<br><span style='font-size:11px;font-weight:normal'>"
                f"{html.escape(threshold_text)}</span>",
                "font": {"size": 15},
                "y": 0.97,
            },
            height=130 + 110 * len(tracks),
            margin={"l": 60, "r": 10, "t": 85, "b": 40},
            bargap=0.1,
            hovermode="closest",
        ),
    )


__all__ = ["build_epitope_map", "build_risk_gauges", "KINDS"]
