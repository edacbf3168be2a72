"""Present: DataFrames -> Plotly figures, highlighted text, the event report, CSV/JSON text (no streamlit).
May import compare, scoring, models and settings; never ingest, store, pipeline or the CLI.
"""
