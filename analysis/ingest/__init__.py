"""Ingest: URL -> Page -> Article.  Safe fetching (the only network code), robots.txt, the page
cache, feed discovery, extraction from stored HTML and outlet names.
Imports models, settings and the text helpers of scoring.
"""
