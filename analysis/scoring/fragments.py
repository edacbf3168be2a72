"""Short quoted fragments: the speaker's words, lifted by the outlet.

A loaded word in a long quotation belongs to the speaker and counts in no outlet's rate.  In a short
fragment worked into the outlet's own sentence it is still the speaker's word, but picking just that
word is the outlet's choice: :func:`own_shares` gives each hit the share of its weight that counts in
the outlet's own loaded rate (:func:`analysis.scoring.loaded.analyze_loaded` and the Compare page's
per-sentence figures use it alike).
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.scoring.text import classify_quotes, count_words, in_regions

# A loaded word inside a short quoted fragment attributed to a speaker (one to three words, the length
# of a scare quote: he called the inquiry a "witch hunt") is the speaker's word, but lifting just that
# word into the outlet's own sentence is the outlet's choice; annotators of media bias (BASIL) mark
# such selective quotes as the outlet's wording.  It counts at this share in the outlet's rate (the
# rest in the quoted rate); it stays quoted everywhere else (highlight, sentence decision, words).
FRAGMENT_QUOTE_WORDS = 3
FRAGMENT_QUOTE_SHARE = 0.5


def fragment_quotes(text: str) -> list[tuple[int, int]]:
    """The speech quotations of ``text`` of at most FRAGMENT_QUOTE_WORDS words (sorted regions)."""
    return [
        (s, e)
        for s, e, kind in classify_quotes(text)
        if kind == "speech" and count_words(text[s:e]) <= FRAGMENT_QUOTE_WORDS
    ]


def own_shares(text: str, hits: Sequence[tuple[int, int, bool]]) -> list[float]:
    """Share of each hit's weight (hits as (start, end, quoted)) that counts in the outlet's own rate:
    1 unquoted, FRAGMENT_QUOTE_SHARE inside a short quoted fragment (FRAGMENT_QUOTE_WORDS), else 0."""
    frags = fragment_quotes(text) if any(q for _, _, q in hits) else []
    return [FRAGMENT_QUOTE_SHARE if q and in_regions(frags, s, e) else 0.0 if q else 1.0 for s, e, q in hits]
