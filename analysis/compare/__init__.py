"""Compare: one event's articles -> per-outlet summaries with intervals, word choice, who reported
what, actors and coverage.  May import scoring, events, models and settings; never present or store.
"""
