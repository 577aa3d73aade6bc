"""Non-UI core of the antibody job dashboard: settings, API client, models, analysis, sample server.

Nothing in this package imports Streamlit, so all of it can be tested and reused without a UI.
"""
