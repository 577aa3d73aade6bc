"""Issue 13: one residue numbering across tabs. The pLDDT plot, the ddG map, the epitope map and the
deimmunization table name a residue by its numbering-scheme label first, the file number or the
1-based index second (the alignment and the mutation table already show the scheme label)."""

from __future__ import annotations

import json
from pathlib import Path

from app.models import JobResponse
from app.residues import number_sequence, residue_text
from app.sample_api import DEFAULT_DATA_DIR
from app.stability import ddg_table, residue_context
from app.stability.figures import build_ddg_heatmap
from app.structure import from_bfactors, parse_structure
from components.plddt_plot import build_residue_figure
from components.structure_common import tracks

DATA = Path(DEFAULT_DATA_DIR)
CETUXIMAB = json.loads((DATA / "jobs" / "1d4490b7-23df-5396-9f51-ceb8d92e70f3.json").read_text())


def test_residue_text_puts_the_scheme_first():
    assert residue_text("H", "111A", "imgt", index=117) == "H:111A (IMGT) · residue 117"
    assert residue_text(None, "52A", "kabat", file_label="52") == "52A (Kabat) · file 52"
    assert residue_text("L", None, None, index=3) == "L · residue 3"


def test_plddt_plot_hover_names_the_imgt_label_and_the_file_number():
    text = (DATA / "storage" / "structures" / "trastuzumab_fv_flashabb.pdb").read_text()
    parsed = parse_structure(text, "pdb")
    chain_tracks = tracks(parsed, from_bfactors(parsed, "FlashABB"))
    heavy = next(t for t in chain_tracks if t.chain == "H")
    imgt = number_sequence(parsed.chain("H").sequence)
    # the file numbers residues 1..n; IMGT skips 10 and 31-34, so the labels part after residue 9
    assert heavy.labels[9] == "10" and heavy.imgt_labels[9] == str(imgt.label(10, "imgt")) == "11"
    figure = build_residue_figure(chain_tracks, [])
    scatter = next(t for t in figure.data if t.name == "H")
    assert scatter.customdata[9][2] == "11 (IMGT) · file 10"
    assert "IMGT number" in figure.layout[f"xaxis{len(chain_tracks)}"].title.text


def test_ddg_map_names_positions_by_the_modelled_numbering():
    response = JobResponse.model_validate(CETUXIMAB)
    context = residue_context(response)
    matrix = response.stability_result.ddg_matrix
    table = ddg_table(matrix, context, response.stability_result.stabilizing_mutations)
    figure = build_ddg_heatmap(table, tuple(range(len(table.positions))))
    heat = next(t for t in figure.data if t.name == "ΔΔG")
    # positions arrive as 1-based indices ("H:30"); the map shows the IMGT label of that residue
    i = next(k for k, p in enumerate(table.positions) if table.indices[k] is not None and table.label(k) != p.label)
    label = context.for_chain(table.positions[i].chain).label_at(table.indices[i])
    assert heat.x[list(table.select()).index(i)] == f"{table.positions[i].chain}:{label}"
    assert table.residue_text(i) == (
        f"{table.positions[i].chain}:{label} (IMGT) · residue {table.indices[i]} · given as {table.positions[i].raw}"
    )
    assert table.rows_frame()["numbering"].iloc[i] == label


def test_3d_hover_starts_with_the_imgt_label():
    from app.structure.chains import chain_kinds
    from components.structure_colors import by_chain
    from components.structure_common import with_imgt_labels

    text = (DATA / "storage" / "structures" / "trastuzumab_fv_flashabb.pdb").read_text()
    parsed = parse_structure(text, "pdb")
    kinds = chain_kinds(parsed, ("H", "L"))  # since main's sci-struct merge, by_chain takes the chain kinds
    colors, _ = by_chain(parsed, from_bfactors(parsed, "FlashABB"), kinds)
    hover = {(c, lab): info for c, lab, _, info in with_imgt_labels(colors, parsed)}
    assert hover[("H", "10")].startswith("IMGT 11 · pLDDT")  # file residue 10 is IMGT 11
    assert hover[("L", "1")].startswith("IMGT 1 · ")
