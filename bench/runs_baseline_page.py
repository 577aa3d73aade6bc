"""The floor for opening a local run: read the same files with gemmi and numpy, show them with
st.json and st.dataframe, nothing else (run by bench/runs.py next to views/runs.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import gemmi
import numpy as np
import pandas as pd
import streamlit as st

folder = Path(os.environ["ABDASH_LOCAL_RESULTS"]) / st.query_params.get("run", "")
name = folder.name
structure = gemmi.read_structure(str(folder / f"{name}_model_0.cif"))
st.json(json.loads((folder / f"confidence_{name}_model_0.json").read_text()), expanded=1)
with np.load(folder / f"plddt_{name}_model_0.npz", allow_pickle=False) as archive:
    plddt = archive["plddt"]
residues = [(ch.name, r.seqid.num, r.name) for ch in structure[0] for r in ch]
st.dataframe(pd.DataFrame(residues, columns=["chain", "number", "name"]).assign(plddt=plddt[: len(residues)]))
with np.load(folder / f"pae_{name}_model_0.npz", allow_pickle=False) as archive:
    pae = archive["pae"]
if os.environ.get("BENCH_BASELINE_PAE_TABLE") == "1":
    st.dataframe(pd.DataFrame(pae))
else:
    st.write(f"PAE {pae.shape}, mean {pae.mean():.2f} Å")
