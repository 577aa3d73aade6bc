"""The PAE view's pure parts: the PNG (decoded with Pillow), block means, the hover grid, CDR marks,
and a box selection mapped back to residues and its exact mean PAE, on the real AlphaFold 3 run."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.runs.discover import scan
from app.runs.load import load_model
from app.structure import spans_from_numbering
from app.structure.parse import parse_structure
from app.view import Pae
from components import pae as view

DATA = Path(__file__).parent / "data" / "runs"


@pytest.fixture(scope="module")
def af3():
    run = next(r for r in scan(DATA) if r.tool == "AlphaFold 3 (server)")
    return load_model(DATA, run, run.models[0])


def test_png_is_the_green_scale_pixel_for_pixel() -> None:
    matrix = np.array([[0.0, 30.0], [15.0, 45.0]], dtype=np.float32)
    png, factor = view.pae_png(matrix)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert factor == 1 and image.size == (2, 2)
    assert image.getpixel((0, 0)) == (0x00, 0x44, 0x1B)  # 0 Å: darkest green
    assert image.getpixel((1, 0)) == (0xF7, 0xFC, 0xF5)  # 30 Å: palest
    assert image.getpixel((1, 1)) == (0xF7, 0xFC, 0xF5)  # above 30 Å is clipped to the end of the scale


def test_large_matrices_are_averaged_over_blocks() -> None:
    matrix = np.arange(49, dtype=np.float32).reshape(7, 7)
    means = view.block_mean(matrix, 3)
    assert means.shape == (3, 3)
    assert means[0, 0] == pytest.approx(matrix[:3, :3].mean())
    assert means[2, 1] == pytest.approx(matrix[6:, 3:6].mean())
    big = np.zeros((view.MAX_IMAGE_SIDE + 1, view.MAX_IMAGE_SIDE + 1), dtype=np.float32)
    png, factor = view.pae_png(big)
    assert factor == 2 and Image.open(io.BytesIO(png)).size == (1001, 1001)


def test_figure_sends_an_image_not_cells_and_marks_chains_and_cdrs(af3) -> None:
    parsed = parse_structure(af3.structure.text, af3.structure.format)
    spans = spans_from_numbering(parsed, ("B", "C"), af3.confidence)
    fig = view.build_pae_figure(af3.pae, spans)
    image, hover = fig.data
    assert image.type == "image" and image.source.startswith("data:image/png;base64,")
    assert hover.type == "heatmap" and hover.z.shape == (100, 100)  # at most HOVER_CELLS² values
    texts = {a.text for a in fig.layout.annotations}
    assert {"<b>A</b>", "<b>B</b>", "<b>C</b>"} <= texts
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert {s.x0 for s in lines if s.x0 == s.x1} == {139.5, 259.5}  # A 1–139, B 140–259, C 260–370
    assert sum(1 for s in fig.layout.shapes if s.type == "rect") == 2 * len(spans) == 12
    # 370 tokens: PNG 0.13 MB + 100 × 100 hover cells; the matrix as JSON numbers would be ~0.7 MB,
    # and the figure stays bounded as runs grow (0.83 MB at 4,180 tokens, bench/runs.py)
    assert len(fig.to_json()) < 600_000


def test_box_selection_maps_to_residues_and_the_exact_mean(af3) -> None:
    pae: Pae = af3.pae
    selection = view.selection_from_box(pae, {"x": [0.6, 10.4], "y": [139.6, 150.4]})
    assert selection is not None
    assert selection.cols == tuple(range(0, 10)) and selection.rows == tuple(range(139, 150))
    assert selection.mean_pae == pytest.approx(float(pae.matrix[139:150, 0:10].mean()))
    assert {r.chain for r in selection.aligned} == {"B"} and {r.chain for r in selection.scored} == {"A"}
    assert pae.tokens is not None and "mean PAE" in view.describe_selection(selection, pae.tokens)
    assert view.selection_from_box(pae, {"x": [400, 500], "y": [1, 2]}) is None  # outside the matrix
