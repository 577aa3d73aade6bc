"""Plotly figures of the stability result, built from data only (cached by content)."""

from __future__ import annotations

import html
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app.conventions import REGION_COLORS
from app.stability.ddg import DdgTable
from app.stability.scores import JAIN_2017_FAB_TM, TmReference

STABILIZING_COLOR = "#2166AC"  # negative ddG
DESTABILIZING_COLOR = "#B2182B"  # positive ddG
MISSING_BACKGROUND = "#D9D9D9"  # gaps (not computed) show the plot background
DDG_COLORSCALE = [[0.0, STABILIZING_COLOR], [0.5, "#F7F7F7"], [1.0, DESTABILIZING_COLOR]]
OTHER_REGION_COLOR = "#CCCCCC"


def colour_limit(values: np.ndarray) -> float:
    """Symmetric colour range: the 98th percentile of |ddG| (so one outlier does not wash out the map)."""
    finite = np.abs(values[np.isfinite(values)])
    if finite.size == 0:
        return 1.0
    limit = float(np.percentile(finite, 98))
    return limit if limit > 0 else max(float(finite.max()), 1.0)


def _region_runs(regions: list[str | None]) -> list[tuple[str | None, int, int]]:
    runs: list[tuple[str | None, int, int]] = []
    for i, region in enumerate(regions):
        if runs and runs[-1][0] == region:
            runs[-1] = (region, runs[-1][1], i)
        else:
            runs.append((region, i, i))
    return runs


@lru_cache(maxsize=16)
def build_ddg_heatmap(table: DdgTable, rows: tuple[int, ...]) -> go.Figure:
    """Positions (x) × amino acids (y); blue stabilizing, red destabilizing, grey gaps = not computed.

    A strip above the map colours each position by its region when the numbering gave one. Wild-type
    cells carry a small dot. All text in hover and labels is HTML-escaped (it comes from the service).
    """
    rows = tuple(i for i in rows if 0 <= i < len(table.positions))
    x = [html.escape(table.short_name(i)) for i in rows]  # the numbering scheme's label, as every tab shows it
    # Category labels must be unique for plotly; duplicates get a suffix.
    seen: dict[str, int] = {}
    for k, label in enumerate(x):
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            x[k] = f"{label} ({seen[label]})"
    y = [html.escape(a) for a in table.amino_acids]
    z = table.values[list(rows), :].T if rows else np.empty((len(y), 0))
    regions = [table.regions[i] for i in rows]
    wts = [table.wild_types[i] for i in rows]
    limit = colour_limit(table.values)
    has_regions = any(regions)

    region_text = np.array([html.escape(r or "region unknown") for r in regions], dtype=object)
    wt_text = np.array([html.escape(w or "?") for w in wts], dtype=object)
    where_text = np.array([html.escape(table.residue_text(i)) for i in rows], dtype=object)
    custom = np.empty((len(y), len(rows), 3), dtype=object)
    custom[:, :, 0] = region_text[None, :] if rows else region_text
    custom[:, :, 1] = wt_text[None, :] if rows else wt_text
    custom[:, :, 2] = where_text[None, :] if rows else where_text

    fig = (
        make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.05, 0.95], vertical_spacing=0.01)
        if has_regions
        else go.Figure()
    )
    heat_row = {"row": 2, "col": 1} if has_regions else {}
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            customdata=custom,
            zmid=0,
            zmin=-limit,
            zmax=limit,
            colorscale=DDG_COLORSCALE,
            hoverongaps=False,
            xgap=0.5,
            ygap=0.5,
            colorbar={
                "title": {"text": "ΔΔG (kcal/mol)<br>− stabilizing<br>+ destabilizing", "side": "right"},
                "len": 0.85,
                "y": 0.45,
            },
            hovertemplate=(
                "%{customdata[2]} · %{customdata[0]}<br>%{customdata[1]} → %{y}<br>ΔΔG %{z:+.2f} kcal/mol<extra></extra>"
            ),
            name="ΔΔG",
        ),
        **heat_row,
    )
    wt_x = [x[k] for k, w in enumerate(wts) if w in table.amino_acids]
    wt_y = [html.escape(w) for w in wts if w in table.amino_acids]
    if wt_x:
        fig.add_trace(
            go.Scatter(
                x=wt_x,
                y=wt_y,
                mode="markers",
                marker={"size": 4, "color": "#222222", "symbol": "circle"},
                name="wild type",
                hoverinfo="skip",
                showlegend=False,
            ),
            **heat_row,
        )
    if has_regions:
        names = sorted({r for r in regions if r})
        codes = {name: k for k, name in enumerate(names)}
        colours = [REGION_COLORS.get(name, OTHER_REGION_COLOR) for name in names] or [OTHER_REGION_COLOR]
        n = max(len(colours), 1)
        scale = []
        for k, colour in enumerate(colours):
            scale += [[k / n, colour], [(k + 1) / n, colour]]
        strip = [[codes[r] if r else np.nan for r in regions]]
        fig.add_trace(
            go.Heatmap(
                z=strip,
                x=x,
                y=["region"],
                customdata=[list(region_text)],
                colorscale=scale,
                zmin=-0.5,
                zmax=n - 0.5,
                showscale=False,
                hoverongaps=False,
                xgap=0,
                hovertemplate="%{x}: %{customdata}<extra></extra>",
                name="region",
            ),
            row=1,
            col=1,
        )
        for region, start, end in _region_runs(regions):
            if region and end - start >= 2:
                fig.add_annotation(
                    x=x[(start + end) // 2],
                    y="region",
                    text=html.escape(region),
                    showarrow=False,
                    font={"size": 10, "color": "#111111"},
                    row=1,
                    col=1,
                )
        fig.update_yaxes(showticklabels=False, row=1, col=1)
    fig.update_layout(
        height=560,
        margin={"l": 40, "r": 10, "t": 30, "b": 60},
        plot_bgcolor=MISSING_BACKGROUND,
        paper_bgcolor="white",
        xaxis={"type": "category"},
        hovermode="closest",
    )
    heat_axis = "yaxis2" if has_regions else "yaxis"
    fig.update_layout({heat_axis: {"title": "mutant amino acid", "range": [len(y) - 0.5, -0.5], "type": "category"}})
    fig.update_xaxes(type="category", range=[-0.5, len(rows) - 0.5])
    fig.update_xaxes(
        tickangle=-60,
        tickfont={"size": 9},
        nticks=min(60, max(len(rows), 1)),
        title_text="position",
        row=2 if has_regions else None,
        col=1 if has_regions else None,
    )
    return fig


def build_tm_context(tm: float | None, ref: TmReference = JAIN_2017_FAB_TM) -> go.Figure:
    """A slim ruler: the reference Tm range (5–95 % light, middle half dark, median line) and the prediction."""
    fig = go.Figure()
    fig.add_shape(type="rect", x0=ref.minimum, x1=ref.maximum, y0=0.42, y1=0.58, fillcolor="#EEEEEE", line_width=0)
    fig.add_shape(type="rect", x0=ref.p05, x1=ref.p95, y0=0.35, y1=0.65, fillcolor="#C9D7E8", line_width=0)
    fig.add_shape(type="rect", x0=ref.p25, x1=ref.p75, y0=0.28, y1=0.72, fillcolor="#7C9CC4", line_width=0)
    fig.add_shape(type="line", x0=ref.median, x1=ref.median, y0=0.22, y1=0.78, line={"color": "#1F3B63", "width": 2})
    fig.add_trace(
        go.Scatter(
            x=[ref.minimum, ref.p05, ref.p25, ref.median, ref.p75, ref.p95, ref.maximum],
            y=[0.5] * 7,
            mode="markers",
            marker={"size": 1, "color": "rgba(0,0,0,0)"},
            showlegend=False,
            text=["min", "5th pct", "25th pct", "median", "75th pct", "95th pct", "max"],
            hovertemplate="clinical Fabs, %{text}: %{x:.1f} °C<extra></extra>",
        )
    )
    fig.add_annotation(
        x=ref.maximum,
        xanchor="right",
        y=0.95,
        text="clinical Fabs, Jain 2017",
        showarrow=False,
        font={"size": 10, "color": "#1F3B63"},
    )
    low, high = ref.minimum - 3, ref.maximum + 3
    if tm is not None:
        low, high = min(low, tm - 3), max(high, tm + 3)
        fig.add_trace(
            go.Scatter(
                x=[tm],
                y=[0.5],
                mode="markers+text",
                text=[f"{tm:.1f} °C"],
                textposition="top center",
                marker={"symbol": "diamond", "size": 14, "color": "#D62728", "line": {"color": "white", "width": 1}},
                showlegend=False,
                hovertemplate="predicted Tm %{x:.1f} °C<extra></extra>",
            )
        )
    fig.update_layout(
        height=110,
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        plot_bgcolor="white",
        xaxis={"range": [low, high], "ticksuffix": " °C", "showgrid": False},
        yaxis={"visible": False, "range": [0, 1.15]},
    )
    return fig
