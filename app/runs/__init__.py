"""Local prediction runs (Boltz-1/2, AlphaFold 3 server and local, ColabFold, AlphaFold2): found
under ABDASH_LOCAL_RESULTS or in an upload, read with gemmi and numpy, scored here (ipSAE).

No Streamlit here: `components/runs*.py` and `components/pae.py` draw what these modules return.
"""
