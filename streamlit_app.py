"""Entry point: `streamlit run streamlit_app.py`. The job view is the default page."""

import streamlit as st

st.set_page_config(page_title="Antibody jobs", page_icon=":material/biotech:", layout="wide")

page = st.navigation(
    [
        st.Page("pages/job.py", title="Job", icon=":material/biotech:", default=True),
        st.Page("pages/about.py", title="Set-up and help", icon=":material/help:"),
    ]
)
page.run()
