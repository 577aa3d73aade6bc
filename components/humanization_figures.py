"""Plotly figures of the Humanization section (pure builders; every untrusted label is HTML-escaped)."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from app.humanization.humanness import PeptideTrack, peptide_track
from app.humanization.review import ChainReview, StrategyReview

METRICS = (
    ("percentile", "OASis percentile"),
    ("identity", "Germline identity"),
    ("germline_content", "Germline content"),
)
CHAIN_COLORS = {"VH": "#1f77b4", "VL": "#ff7f0e"}


def peptide_track_for(chain: ChainReview) -> PeptideTrack | None:
    """The non-human 9-mer track of a chain, when the service sent per-peptide humanness."""
    if chain.humanness is None or not chain.humanness.peptides:
        return None
    track = peptide_track(chain.humanized, chain.humanness.peptides)
    return track if track.peptides_total else None


def humanness_comparison(reviews: list[StrategyReview]) -> go.Figure | None:
    """Grouped bars: each humanness metric per strategy and chain (0–100 %)."""
    figure = go.Figure()
    names = [html.escape(r.name) for r in reviews]
    any_value = False
    for metric, title in METRICS:
        for chain_name in ("VH", "VL"):
            values = []
            for review in reviews:
                chain = review.chain(chain_name.lower())
                value = getattr(chain.humanness, metric) if chain and chain.humanness else None
                values.append(None if value is None else round(value * 100, 1))
            if all(v is None for v in values):
                continue
            any_value = True
            figure.add_bar(
                x=names,
                y=values,
                name=f"{chain_name} {title}",
                legendgroup=chain_name,
                marker_color=CHAIN_COLORS[chain_name],
                opacity={"percentile": 1.0, "identity": 0.7, "germline_content": 0.45}[metric],
                hovertemplate="%{x}<br>" + f"{chain_name} {title}" + ": %{y:.1f} %<extra></extra>",
            )
    if not any_value:
        return None
    figure.update_layout(
        barmode="group",
        height=240,
        margin=dict(l=10, r=10, t=30, b=10),
        yaxis=dict(title="%", range=[0, 100]),
        title=dict(text="Humanness by strategy", font=dict(size=14)),
        legend=dict(orientation="v", x=1.01, y=1),
    )
    return figure


def peptide_track_figure(chain: ChainReview, track: PeptideTrack) -> go.Figure:
    """Bars along the chain: how many non-human 9-mers cover each residue (0 = only human 9-mers)."""
    labels = [html.escape(chain.numbering.label(i)) for i in range(1, len(chain.humanized) + 1)]
    residues = [html.escape(aa) for aa in chain.humanized]
    regions = [html.escape(chain.numbering.region(i) or "—") for i in range(1, len(chain.humanized) + 1)]
    x = list(range(1, len(chain.humanized) + 1))
    figure = go.Figure(
        go.Bar(
            x=x,
            y=list(track.non_human_cover),
            marker_color="rgb(106, 27, 154)",
            customdata=list(zip(labels, residues, regions)),
            hovertemplate="%{customdata[1]} %{customdata[0]} (%{customdata[2]})<br>in %{y} non-human 9-mer(s)<extra></extra>",
        )
    )
    step = max(1, len(x) // 20)
    figure.update_layout(
        height=180,
        margin=dict(l=10, r=10, t=10, b=10),
        bargap=0.05,
        xaxis=dict(
            title=None, tickmode="array", tickvals=x[::step], ticktext=[labels[i] for i in range(0, len(x), step)]
        ),
        yaxis=dict(title="non-human 9-mers", rangemode="tozero"),
    )
    return figure
