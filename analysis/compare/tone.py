"""An article's tone with its headline and lead weighted: what a reader takes from the top of a story.

News is written as an inverted pyramid: the headline and the first sentences carry the framing, the
rest background and quotes.  :func:`article_tone` is the word-weighted mean sentence compound (the
stored article sentiment) with the lead's sentences weighing LEAD_WEIGHT times as much, plus the
headline weighing as HEADLINE_WORDS words.  It measures the tone of the wording, not the outlet's
stance toward anyone.
"""

from __future__ import annotations

from collections.abc import Mapping

from analysis.scoring.text import count_words

LEAD_SENTENCES = 3  # the first sentences of the body that form its lead
LEAD_WEIGHT = 2.0  # a lead sentence's words count this many times
HEADLINE_WORDS = 40.0  # the headline weighs as much as a sentence of this many words


def article_tone(row: Mapping) -> float:
    """Headline- and lead-weighted tone of one article row (-1..1); the stored sentiment without sentences."""
    text = str(row.get("text") or "")
    sents = sorted((s for s in row.get("sentences") or [] if len(s) >= 3), key=lambda s: s[0])
    num = den = 0.0
    for i, (start, end, score, *_rest) in enumerate(sents):
        w = float(max(1, count_words(text[int(start) : int(end)])))
        if i < LEAD_SENTENCES:
            w *= LEAD_WEIGHT
        num += w * float(score)
        den += w
    head = row.get("headline_sentiment")
    if head is not None:
        num += HEADLINE_WORDS * float(head)
        den += HEADLINE_WORDS
    if den <= 0:
        return float(row.get("sentiment") or 0.0)
    return num / den
