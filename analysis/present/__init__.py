"""Present: DataFrames -> Plotly figures, highlighted text and the event report (no streamlit).
May import compare, scoring, models and settings; never ingest, store, pipeline or the CLI.
"""
