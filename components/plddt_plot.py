"""Confidence charts in the AlphaFold DB manner: per-residue pLDDT with band backgrounds and CDR
spans, per-chain pLDDT bars, and (for ImmuneBuilder-style files) predicted error in Å.

Pure `build_*` functions returning plotly figures. Chain and residue names come from files and
the API, so every text that plotly renders (hover, ticks, annotations) is HTML-escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import plotly.graph_objects as go

from app.conventions import NO_SCORE_COLOR, PLDDT_BANDS, plddt_band, plddt_color
from app.residues import residue_text
from components.structure_colors import CDR_COLORS

FONT = dict(family="Source Sans Pro, sans-serif", size=13, color="#1F2937")


@dataclass(frozen=True)
class ChainTrack:
    """One chain's residues in order: labels (`52A`), names (`TYR`) and values (None = no score)."""

    chain: str
    labels: tuple[str, ...]
    names: tuple[str, ...]
    values: tuple[float | None, ...]
    imgt_labels: tuple[str | None, ...] = ()  # IMGT label of residues in an antibody V domain (numbered here)

    def shown_labels(self) -> tuple[str, ...]:
        """The label every tab shows: IMGT inside a V domain, the file's number elsewhere."""
        imgt = self.imgt_labels
        return tuple(_or(imgt[i] if i < len(imgt) else None, lab) for i, lab in enumerate(self.labels))

    def residue_texts(self) -> list[str]:
        """'52A (IMGT) · file 57' inside a V domain, 'file 57' elsewhere (for the hover)."""
        imgt = self.imgt_labels
        return [
            residue_text(None, imgt[i] if i < len(imgt) else None, "imgt", file_label=lab)
            for i, lab in enumerate(self.labels)
        ]


@dataclass(frozen=True)
class Span:
    """A shaded, labelled stretch of one chain (a CDR), by 0-based positions in the track."""

    chain: str
    name: str
    first: int
    last: int


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _ticks(labels: tuple[str, ...], every: int) -> tuple[list[int], list[str]]:
    """Ticks on round residue numbers (multiples of `every`), else every `every`-th residue."""
    idx = [i for i, lab in enumerate(labels) if lab.isdigit() and int(lab) % every == 0]
    if len(idx) < 3:
        idx = [i for i in range(len(labels)) if i % every == 0]
    return [i + 1 for i in idx], [_e(labels[i]) for i in idx]


def _band_scale() -> list[list]:
    """A stepped colour scale: band index i (0…3, 4 = no score) maps to the band's colour exactly."""
    colors = [b.color for b in PLDDT_BANDS] + [NO_SCORE_COLOR]
    n = len(colors)
    scale = []
    for i, color in enumerate(colors):
        scale += [[i / n, color], [(i + 1) / n, color]]
    return scale


# A CDR is shaded in its 3D colour (`structure_colors.CDR_COLORS`), pale enough that the pLDDT band
# behind it and the line over it stay readable, with a strip of the full colour along the top as in
# the 3D legend, and its name above the strip.
CDR_SHADE_OPACITY = 0.14
STRIP_HEIGHT = 0.035  # of the y range's top value
OTHER_SPAN_COLOR = "#7C3AED"  # a span that is not one of the six CDRs


def span_color(span: Span) -> str:
    """The 3D viewer's colour of this CDR ("H1" or "CDR-H1"), so the plot and the 3D view agree."""
    return CDR_COLORS.get(span.name.removeprefix("CDR-"), OTHER_SPAN_COLOR)


def span_label(span: Span) -> str:
    name = span.name.removeprefix("CDR-")
    return f"CDR-{name}" if name in CDR_COLORS else span.name


def _span_shapes(span: Span, xa: str, ya: str, ymax: float) -> list[dict[str, Any]]:
    """The pale column over the span and the full-colour strip above the plotted range."""
    x0, x1, color = span.first + 0.5, span.last + 1.5, span_color(span)
    common = dict(type="rect", xref=xa, yref=ya, x0=x0, x1=x1, line=dict(width=0), fillcolor=color)
    return [
        dict(common, y0=0, y1=ymax, opacity=CDR_SHADE_OPACITY, layer="below", name=f"cdr-shade {span_label(span)}"),
        dict(
            common,
            y0=ymax * 1.003,
            y1=ymax * (1 + STRIP_HEIGHT),
            opacity=1.0,
            layer="above",
            name=f"cdr-strip {span_label(span)}",
        ),
    ]


_BAND_SCALE = _band_scale()
_BAND_INDEX = {band: i for i, band in enumerate(PLDDT_BANDS)}


def build_residue_figure(tracks: list[ChainTrack], spans: Sequence[Span] = (), *, kind: str = "plddt") -> go.Figure:
    """One panel per chain: x = position in the chain (ticks show the file's residue numbers).

    `kind="plddt"`: 0-100 with the four confidence bands behind the line and points in band colours.
    `kind="error"`: predicted error in Å (lower is better), no bands.

    The panels, shapes and annotations are laid out here and handed to plotly in one go: adding
    them one by one (make_subplots, add_hrect, add_shape) costs time quadratic in their number,
    minutes for a 44-chain model.
    """
    tracks = list(tracks)
    rows = max(1, len(tracks))
    spacing = min(0.12, 0.35 / rows)
    panel = (1.0 - spacing * (rows - 1)) / rows
    ymax = 100.0
    if kind == "error":
        values = [v for t in tracks for v in t.values if v is not None]
        ymax = max(values) * 1.1 if values else 1.0
    data, shapes, annotations, layout = [], [], [], {}
    for row, track in enumerate(tracks, start=1):
        xa, ya = ("x", "y") if row == 1 else (f"x{row}", f"y{row}")
        top = 1.0 - (row - 1) * (panel + spacing)
        count = len(track.values)
        colors: np.ndarray | str
        if kind == "plddt":
            found = [plddt_band(v) for v in track.values]
            colors = np.array([_BAND_INDEX[b] if b else len(PLDDT_BANDS) for b in found], dtype=np.float64)
            bands = [b.name if b else "no score" for b in found]
            hover = "Chain %{customdata[0]} · %{customdata[1]} %{customdata[2]}<br>pLDDT %{y:.1f} (%{customdata[3]})<extra></extra>"
        else:
            colors = "#6B7280"
            bands = [""] * count
            hover = "Chain %{customdata[0]} · %{customdata[1]} %{customdata[2]}<br>predicted error %{y:.2f} Å<extra></extra>"
        # numpy arrays: plotly validates a list element by element (seconds for a few thousand points)
        custom = np.array(
            [[_e(track.chain), _e(n), _e(lab), b] for n, lab, b in zip(track.names, track.residue_texts(), bands)],
            dtype=object,
        ).reshape(-1, 4)
        marker: dict[str, Any] = dict(color=colors, size=5, line=dict(width=0))
        if kind == "plddt":
            marker.update(colorscale=_BAND_SCALE, cmin=-0.5, cmax=len(PLDDT_BANDS) + 0.5, showscale=False)
        data.append(
            go.Scatter(
                x=np.arange(1, count + 1),
                y=np.array([np.nan if v is None else v for v in track.values], dtype=float),
                mode="lines+markers",
                customdata=custom,
                hovertemplate=hover,
                showlegend=False,
                line=dict(color="#374151", width=1.4),
                marker=marker,
                connectgaps=False,
                name=_e(track.chain),
                xaxis=xa,
                yaxis=ya,
            )
        )
        annotations.append(
            dict(
                text=f"Chain {_e(track.chain)}",
                x=0.5,
                y=top,
                xref="paper",
                yref="paper",
                showarrow=False,
                font=dict(size=16),
                xanchor="center",
                yanchor="bottom",
            )
        )
        if kind == "plddt":
            for band in PLDDT_BANDS:
                shapes.append(
                    dict(
                        type="rect",
                        xref=f"{xa} domain",
                        yref=ya,
                        x0=0,
                        x1=1,
                        y0=band.low,
                        y1=band.high,
                        fillcolor=band.color,
                        opacity=0.16,
                        line=dict(width=0),
                        layer="below",
                    )
                )
        for span in spans:
            if span.chain != track.chain or not (0 <= span.first <= span.last < len(track.values)):
                continue
            shapes += _span_shapes(span, xa, ya, ymax)
            annotations.append(
                dict(
                    x=(span.first + span.last) / 2 + 1,
                    y=ymax * (1 + STRIP_HEIGHT),
                    xref=xa,
                    yref=ya,
                    text=f"<b>{_e(span_label(span))}</b>",
                    showarrow=False,
                    yanchor="bottom",
                    font=dict(size=11, color=FONT["color"]),
                )
            )
        every = next((e for e in (5, 10, 20, 50, 100, 200, 500) if len(track.labels) / e <= 14), 1000)
        tickvals, ticktext = _ticks(track.shown_labels(), every)
        layout["xaxis" if row == 1 else f"xaxis{row}"] = dict(
            anchor=ya,
            domain=[0.0, 1.0],
            tickvals=tickvals,
            ticktext=ticktext,
            range=[0.5, count + 0.5],
            showgrid=False,
            title_text=(
                "Residue: IMGT number in antibody V domains (numbered here), file number elsewhere"
                if row == rows and any(any(t.imgt_labels) for t in tracks)
                else ("Residue number (file)" if row == rows else None)
            ),
        )
        layout["yaxis" if row == 1 else f"yaxis{row}"] = dict(
            anchor=xa,
            domain=[max(0.0, top - panel), top],
            range=[0, ymax * 1.12],
            gridcolor="#EEF2F7",
            tickvals=[0, 25, 50, 70, 90, 100] if kind == "plddt" else None,
            title_text="pLDDT" if kind == "plddt" else "Error (Å)",
        )
    fig = go.Figure(
        data=data,
        layout=dict(
            **layout,
            shapes=shapes,
            annotations=annotations,
            height=110 + 210 * rows,
            margin=dict(l=60, r=20, t=40, b=50),
            plot_bgcolor="white",
            paper_bgcolor="white",
            font=FONT,
            hoverlabel=dict(bgcolor="white"),
        ),
    )
    return fig


@lru_cache(maxsize=8)
def cached_residue_figure(tracks: tuple[ChainTrack, ...], spans: tuple[Span, ...], kind: str = "plddt") -> go.Figure:
    """`build_residue_figure`, built once per content (tracks and spans are hashable): reruns reuse it.

    st.plotly_chart only reads the figure, so sharing one object between reruns and users is safe.
    """
    return build_residue_figure(list(tracks), list(spans), kind=kind)


def _band_name(value: float | None) -> str:
    band = plddt_band(value)
    return band.name if band else "no score"


def build_chain_bar_figure(per_chain: dict[str, float | None], sides: dict[str, str] | None = None) -> go.Figure:
    """Per-chain pLDDT as horizontal bars in band colours, over the band backgrounds."""
    chains = list(per_chain)
    values = [per_chain[c] for c in chains]
    labels = [f"{_e(c)} ({sides.get(c, '')})" if sides and sides.get(c) else _e(c) for c in chains]
    fig = go.Figure()
    for band in PLDDT_BANDS:
        fig.add_vrect(x0=band.low, x1=band.high, fillcolor=band.color, opacity=0.13, line_width=0, layer="below")
    fig.add_trace(
        go.Bar(
            y=labels,
            x=[v if v is not None else 0 for v in values],
            orientation="h",
            marker=dict(color=[plddt_color(v) if v is not None else NO_SCORE_COLOR for v in values]),
            text=[f"{v:.1f}" if v is not None else "no score" for v in values],
            textposition="outside",
            customdata=[[_band_name(v)] for v in values],
            hovertemplate="Chain %{y}<br>pLDDT %{x:.1f} (%{customdata[0]})<extra></extra>",
        )
    )
    fig.update_layout(
        height=90 + 44 * max(1, len(chains)),
        margin=dict(l=10, r=30, t=20, b=40),
        plot_bgcolor="white",
        font=FONT,
        xaxis=dict(range=[0, 105], title="Mean pLDDT of the chain", gridcolor="#EEF2F7"),
        yaxis=dict(autorange="reversed"),
        showlegend=False,
    )
    return fig


def _or(label: str | None, fallback: str) -> str:
    return label if label else fallback
