"""The PAE view in the AlphaFold convention: 0–30 Å on a green scale (dark = low error), aligned
residue down the side, scored residue along the top, chain boundaries drawn and labelled, CDRs
marked along both axes.

The matrix goes to the browser as one PNG image (made here with numpy and zlib), not as millions of
JSON cells; hover comes from a transparent grid of at most `HOVER_CELLS`² blocks (single residues
for smaller complexes) naming the residue pair and the block's mean PAE. A box selection is read
back (st.plotly_chart on_select) and mapped to the exact residues and their mean PAE from the matrix.
"""

from __future__ import annotations

import base64
import html
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go

from app.structure import CdrSpan
from app.structure.model import ResidueId
from app.view import Pae, Token
from components.structure_colors import cdr_color

PAE_MAX_A = 30.0  # the AlphaFold DB plot's range
# ColorBrewer Greens, reversed: #00441B at 0 Å to #F7FCF5 at 30 Å (AlphaFold DB / Mol*)
GREENS = ("#00441B", "#006D2C", "#238B45", "#41AB5D", "#74C476", "#A1D99B", "#C7E9C0", "#E5F5E0", "#F7FCF5")
COLORSCALE = [[i / (len(GREENS) - 1), c] for i, c in enumerate(GREENS)]
MAX_IMAGE_SIDE = 2000  # pixels; larger matrices are averaged over square blocks first
HOVER_CELLS = 100  # hover blocks per side
FONT = dict(family="Source Sans Pro, sans-serif", size=13, color="#1F2937")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _lut() -> np.ndarray:
    """256 RGB colours along the green scale (index 0 = 0 Å, 255 = 30 Å)."""
    stops = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in GREENS], dtype=float)
    at = np.linspace(0, len(GREENS) - 1, 256)
    lo = np.floor(at).astype(int)
    hi = np.minimum(lo + 1, len(GREENS) - 1)
    frac = (at - lo)[:, None]
    return np.round(stops[lo] * (1 - frac) + stops[hi] * frac).astype(np.uint8)


_LUT = _lut()


def block_sums(matrix: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sums over the blocks that start at `starts` on both axes (along rows first: contiguous memory)."""
    columns = np.add.reduceat(matrix, starts, axis=1)
    return np.add.reduceat(columns.astype(np.float64), starts, axis=0)


def block_mean(matrix: np.ndarray, factor: int) -> np.ndarray:
    """Mean over factor × factor blocks (the last block of each side may be smaller)."""
    if factor <= 1:
        return matrix
    n = matrix.shape[0]
    m = -(-n // factor)
    padded = np.zeros((m * factor, m * factor), dtype=np.float32)
    padded[:n, :n] = matrix
    sizes = np.minimum(factor, n - np.arange(m) * factor).astype(np.float64)
    return padded.reshape(m, factor, m, factor).sum(axis=(1, 3), dtype=np.float64) / np.outer(sizes, sizes)


def png_bytes(rgb: np.ndarray) -> bytes:
    """A truecolour PNG of an (h, w, 3) uint8 array, written with zlib: no imaging library needed."""
    h, w, _ = rgb.shape
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)], axis=1).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def pae_png(matrix: np.ndarray) -> tuple[bytes, int]:
    """(PNG, factor): the matrix in the green scale, averaged over factor × factor blocks when large."""
    factor = max(1, -(-matrix.shape[0] // MAX_IMAGE_SIDE))
    values = block_mean(matrix, factor)
    index = np.clip(np.rint(values / PAE_MAX_A * 255), 0, 255).astype(np.uint8)
    return png_bytes(_LUT[index]), factor


def token_label(token: Token) -> str:
    return f"{token.chain}:{token.residue.label} {token.name}"


def chain_blocks(tokens: tuple[Token, ...]) -> list[tuple[str, int, int]]:
    """(chain, first, last) token index ranges in order."""
    out: list[tuple[str, int, int]] = []
    for i, token in enumerate(tokens):
        if out and out[-1][0] == token.chain:
            out[-1] = (token.chain, out[-1][1], i)
        else:
            out.append((token.chain, i, i))
    return out


@dataclass(frozen=True)
class HoverGrid:
    centres: np.ndarray  # 1-based token coordinates of the block centres
    values: np.ndarray  # block means (Å)
    text: np.ndarray  # (cells, cells) "<aligned residues> / <scored residues>"
    single: bool  # True when every block is one token (the values are the PAE itself, not means)


def hover_grid(matrix: np.ndarray, tokens: tuple[Token, ...], cells: int = HOVER_CELLS) -> HoverGrid:
    n = matrix.shape[0]
    edges = np.unique(np.linspace(0, n, min(n, cells) + 1).round().astype(int))
    starts, ends = edges[:-1], edges[1:]
    sizes = (ends - starts).astype(float)
    values = block_sums(matrix, starts) / np.outer(sizes, sizes)

    def span(a: int, b: int) -> str:
        first, last = tokens[a], tokens[b - 1]
        if b - a == 1:
            return _e(f"{first.chain}:{first.residue.label}")
        if first.chain == last.chain:
            return _e(f"{first.chain}:{first.residue.label}-{last.residue.label}")
        return _e(f"{first.chain}:{first.residue.label}-{last.chain}:{last.residue.label}")

    labels = [span(a, b) for a, b in zip(starts, ends)]
    # ASCII only: the figure's JSON writes every other character as a 6-byte \u escape
    text = np.array([[f"{row} / {col}" for col in labels] for row in labels], dtype=object)
    centres = (starts + ends + 1) / 2.0
    return HoverGrid(centres, np.round(values, 2).astype(np.float32), text, bool((ends - starts).max() == 1))


def cdr_marks(tokens: tuple[Token, ...], spans: list[CdrSpan]) -> list[tuple[CdrSpan, int, int]]:
    """(CDR span, first, last) token index ranges of each CDR span."""
    index: dict[ResidueId, int] = {}
    for i, token in enumerate(tokens):
        if token.polymer:
            index.setdefault(token.residue, i)
    out = []
    for span in spans:
        positions = [index[r] for r in span.residues if r in index]
        if positions:
            out.append((span, min(positions), max(positions)))
    return out


def _tick_values(n: int) -> list[int]:
    step = next((s for s in (10, 20, 50, 100, 200, 500, 1000) if n / s <= 8), 2000)
    return [1] + list(range(step, n + 1, step))


def build_pae_figure(pae: Pae, spans: list[CdrSpan] = (), *, height: int = 580) -> go.Figure:  # type: ignore[assignment]
    """The heatmap (image + hover grid), chain lines and labels, CDR bars along both axes."""
    tokens = pae.tokens or ()
    n = pae.size
    png, factor = pae_png(pae.matrix)
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    grid = hover_grid(pae.matrix, tokens)
    data = [
        go.Image(
            source=uri, x0=0.5 + factor / 2, dx=factor, y0=0.5 + factor / 2, dy=factor, hoverinfo="skip", name="PAE"
        ),
        go.Heatmap(
            z=grid.values,
            x=grid.centres,
            y=grid.centres,
            text=grid.text,
            hovertemplate="aligned / scored: %{text}<br>"
            + ("PAE" if grid.single else "mean PAE of the block")
            + " %{z:.1f} Å<extra></extra>",
            colorscale=COLORSCALE,
            zmin=0,
            zmax=PAE_MAX_A,
            opacity=0.0,
            showscale=True,
            colorbar=dict(
                title=dict(text="Expected error (Å)", side="top"),
                orientation="h",
                thickness=10,
                len=0.6,
                y=-0.12,
                yanchor="top",
            ),
            name="hover",
        ),
    ]
    shapes: list[dict] = []
    annotations: list[dict] = []
    # Chain names and CDR bars sit in a band just outside the matrix (in data coordinates, so they
    # stay beside it whatever the figure's width): bars in [-3.5 %, -1 %] of n, names further out.
    band = max(3.0, 0.09 * n)
    bar0, bar1, name_at = -0.035 * n, -0.01 * n + 0.5, -0.065 * n
    line = dict(color="#111827", width=1.2)
    for chain, first, last in chain_blocks(tokens):
        middle = (first + last) / 2 + 1
        label = f"<b>{_e(chain)}</b>"
        annotations.append(dict(x=middle, y=name_at, xref="x", yref="y", text=label, showarrow=False))
        annotations.append(dict(x=name_at, y=middle, xref="x", yref="y", text=label, showarrow=False))
        if first > 0:
            edge = first + 0.5
            shapes.append(dict(type="line", xref="x", yref="y", x0=edge, x1=edge, y0=0.5, y1=n + 0.5, line=line))
            shapes.append(dict(type="line", xref="x", yref="y", x0=0.5, x1=n + 0.5, y0=edge, y1=edge, line=line))
    for span, first, last in cdr_marks(tokens, list(spans)):
        color = cdr_color(span)  # the 3D view's CDR colours
        lo, hi = first + 0.5, last + 1.5
        for x0, x1, y0, y1 in ((lo, hi, bar0, bar1), (bar0, bar1, lo, hi)):
            shapes.append(
                dict(type="rect", xref="x", yref="y", x0=x0, x1=x1, y0=y0, y1=y1, fillcolor=color, line=dict(width=0))
            )
    ticks = [v for v in _tick_values(n)]
    axis = dict(showgrid=False, zeroline=False, tickvals=ticks, ticks="outside")
    fig = go.Figure(
        data=data,
        layout=dict(
            height=height,
            margin=dict(l=60, r=10, t=10, b=90),
            plot_bgcolor="white",
            paper_bgcolor="white",
            font=FONT,
            dragmode="select",
            shapes=shapes,
            annotations=annotations,
            xaxis=dict(title_text="Scored residue (token)", range=[-band, n + 0.5], **axis),
            yaxis=dict(title_text="Aligned residue (token)", range=[n + 0.5, -band], scaleanchor="x", **axis),
            hoverlabel=dict(bgcolor="white"),
        ),
    )
    return fig


@lru_cache(maxsize=8)
def cached_pae_figure(pae: Pae, spans: tuple[CdrSpan, ...]) -> go.Figure:
    """One figure per PAE object (hashed by identity) and CDR spans; st.plotly_chart only reads it."""
    return build_pae_figure(pae, list(spans))


@dataclass(frozen=True)
class PaeSelection:
    rows: tuple[int, ...]  # aligned token indices (0-based)
    cols: tuple[int, ...]  # scored token indices
    mean_pae: float
    aligned: tuple[ResidueId, ...]
    scored: tuple[ResidueId, ...]


def selection_from_box(pae: Pae, box: dict) -> PaeSelection | None:
    """The tokens inside a plotly box selection ({"x": [x0, x1], "y": [y0, y1]} in token coordinates)."""
    if not pae.usable or not pae.tokens:
        return None
    try:
        xs = sorted(float(v) for v in box["x"])
        ys = sorted(float(v) for v in box["y"])
    except (KeyError, TypeError, ValueError):
        return None
    n = pae.size
    cols = tuple(i for i in range(max(0, int(np.ceil(xs[0] - 0.5)) - 1), min(n, int(np.floor(xs[1] + 0.5)))))
    rows = tuple(i for i in range(max(0, int(np.ceil(ys[0] - 0.5)) - 1), min(n, int(np.floor(ys[1] + 0.5)))))
    if not rows or not cols:
        return None
    mean = float(pae.matrix[np.ix_(rows, cols)].mean())
    aligned = tuple(dict.fromkeys(pae.tokens[i].residue for i in rows if pae.tokens[i].polymer))
    scored = tuple(dict.fromkeys(pae.tokens[i].residue for i in cols if pae.tokens[i].polymer))
    return PaeSelection(rows, cols, mean, aligned, scored)


def describe_selection(selection: PaeSelection, tokens: tuple[Token, ...]) -> str:
    def span(indices: tuple[int, ...]) -> str:
        first, last = tokens[indices[0]], tokens[indices[-1]]
        if first.chain == last.chain:
            return f"{first.chain}:{first.residue.label}–{last.residue.label}"
        return f"{first.chain}:{first.residue.label}–{last.chain}:{last.residue.label}"

    return (
        f"Aligned on {span(selection.rows)} ({len(selection.rows)} tokens), scored {span(selection.cols)} "
        f"({len(selection.cols)} tokens): mean PAE {selection.mean_pae:.1f} Å over {len(selection.rows) * len(selection.cols):,} pairs."
    )
