"""Entry point: `streamlit run streamlit_app.py`. The job view is the default page."""

from pathlib import Path

import streamlit as st

# A local icon: a Material icon as favicon would be fetched from Google's servers.
st.set_page_config(
    page_title="Antibody jobs", page_icon=str(Path(__file__).parent / "assets" / "icon.png"), layout="wide"
)

page = st.navigation(
    [
        st.Page("views/job.py", title="Job", icon=":material/biotech:", default=True),
        st.Page("views/compare.py", title="Compare", icon=":material/compare:", url_path="compare"),
        st.Page("views/runs.py", title="Your runs", icon=":material/folder_open:", url_path="runs"),
        st.Page("views/about.py", title="Set-up and help", icon=":material/help:"),
    ]
)
page.run()
