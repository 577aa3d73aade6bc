"""Reusable Streamlit building blocks. Each calls into `app/` for everything that is not drawing."""
