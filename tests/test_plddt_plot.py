"""The per-residue pLDDT plot shades each CDR in its 3D colour, labelled (issue 13, item 9 follow-up)."""

from __future__ import annotations

from app.conventions import PLDDT_BANDS
from components.plddt_plot import CDR_SHADE_OPACITY, ChainTrack, Span, build_residue_figure
from components.structure_colors import CDR_COLORS


def _track(chain: str, n: int = 120) -> ChainTrack:
    return ChainTrack(chain, tuple(str(i) for i in range(1, n + 1)), ("GLY",) * n, tuple(80.0 for _ in range(n)))


SPANS = [
    Span("H", "H1", 25, 32),
    Span("H", "H2", 50, 57),
    Span("H", "H3", 95, 108),
    Span("L", "L1", 26, 31),
    Span("L", "L2", 49, 51),
    Span("L", "L3", 88, 96),
]


def _shapes_over(figure, span: Span, axis: str) -> list:
    x0, x1 = span.first + 0.5, span.last + 1.5
    return [s for s in figure.layout.shapes if s.xref == axis and s.x0 == x0 and s.x1 == x1]


def test_each_cdr_is_shaded_in_its_3d_colour_and_labelled() -> None:
    figure = build_residue_figure([_track("H"), _track("L")], SPANS)
    labels = {a.text for a in figure.layout.annotations}
    for span in SPANS:
        axis = "x" if span.chain == "H" else "x2"
        shapes = _shapes_over(figure, span, axis)
        assert {s.fillcolor for s in shapes} == {CDR_COLORS[span.name]}, span
        column = next(s for s in shapes if s.y0 == 0)
        strip = next(s for s in shapes if s.y0 > 0)
        assert column.layer == "below" and column.y1 == 100.0  # behind the line, over the whole pLDDT range
        assert strip.layer == "above" and strip.y0 >= 100.0 and strip.opacity == 1.0  # full colour, above the data
        assert f"<b>CDR-{span.name}</b>" in labels
    # six different colours: H and L CDRs are told apart as in the 3D view
    assert len({s.fillcolor for s in figure.layout.shapes if s.layer == "above"}) == 6


def test_the_shading_is_pale_enough_to_read_the_bands_and_the_line() -> None:
    figure = build_residue_figure([_track("H")], SPANS[:3])
    band_opacity = {s.opacity for s in figure.layout.shapes if s.fillcolor in {b.color for b in PLDDT_BANDS}}
    columns = [s for s in figure.layout.shapes if s.fillcolor in CDR_COLORS.values() and s.layer == "below"]
    assert len(columns) == 3 and all(s.opacity == CDR_SHADE_OPACITY <= 0.2 for s in columns)
    assert band_opacity == {0.16}
    line = figure.data[0]
    assert line.mode == "lines+markers" and line.line.color == "#374151"  # drawn over the shapes


def test_a_span_that_is_not_a_cdr_keeps_a_neutral_colour_and_its_name_escaped() -> None:
    figure = build_residue_figure([_track("A")], [Span("A", "<b>loop</b>", 3, 9)])
    assert "<b>&lt;b&gt;loop&lt;/b&gt;</b>" in {a.text for a in figure.layout.annotations}
    assert not {s.fillcolor for s in figure.layout.shapes} & set(CDR_COLORS.values())
