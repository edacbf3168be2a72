"""Streamlit pages of the dashboard (run by app.py through st.navigation)."""
