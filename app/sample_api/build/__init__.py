"""Builder of the sample job set served by the sample API.

`python -m app.sample_api.build` regenerates every committed sample under
`app/sample_api/data/`; `python -m app.sample_api.build --large OUT_DIR` writes the
large benchmark job. The heavy dependencies (flash-abb, torch, anarci, scikit-learn)
are in the optional extra `build`; nothing here is imported by the dashboard or the
sample server at run time. See `app/sample_api/data/PROVENANCE.md`.
"""
