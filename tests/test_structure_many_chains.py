"""A model with many chains: the pLDDT plot offers a chain picker instead of drawing every panel."""

from __future__ import annotations

import gemmi

from app.sample_api import start_in_thread
from tests.conftest import ROOT
from tests.helpers import job_body, write_data_dir

SAMPLE_PDB = ROOT / "app/sample_api/data/storage/structures/cetuximab_hz_back_mutation_flashabb.pdb"


def tiled_structure(copies: int) -> str:
    """The sample's chains copied `copies` times under new chain names (a test input only)."""
    structure = gemmi.read_structure(str(SAMPLE_PDB))
    model = structure[0]
    originals = [chain.clone() for chain in model]
    names = iter("ABCDEFGIJKMNOPQRSTUVWXYZ")
    for name in [chain.name for chain in model]:
        model.remove_chain(name)
    for _ in range(copies):
        for original in originals:
            copy = original.clone()
            copy.name = next(names)
            model.add_chain(copy)
    structure.setup_entities()
    return structure.make_pdb_string()


def plot_spec(at) -> str:
    return next(p.proto.spec for p in at.get("plotly_chart") if "struct-plddt-plot" in p.proto.id)


def test_many_chains_get_a_picker_and_only_the_picked_panels(open_page, tmp_path):
    body = job_body(
        "completed",
        structure_result={"pdb_storage_path": "many.pdb", "model_used": "FlashABB", "confidence_score": 0.9},
    )
    server = start_in_thread(write_data_dir(tmp_path, [body], {"many.pdb": tiled_structure(4)}))
    try:
        at = open_page(body["job"]["id"], section="Structure", server=server)
        assert not at.exception
        picker = at.multiselect(key="struct-plot-chains")
        assert len(picker.options) == 8 and picker.value == ["A", "B", "C", "D"]
        spec = plot_spec(at)
        assert "Chain A" in spec and "Chain D" in spec and "Chain E" not in spec
        picker.set_value(["E"]).run()
        assert not at.exception
        spec = plot_spec(at)
        assert "Chain E" in spec and "Chain A" not in spec
    finally:
        server.stop()
