"""Scoring: text -> scores.  Sentences and quotations, sentiment (with the VADER port), loaded
language (word lists in lexicons/), sentiment toward a target:
pure functions; imports only models and settings.
"""
