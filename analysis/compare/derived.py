"""What is computed once per article and stored (``Store.article_derived``, ``Store.outlet_terms``)
instead of from every text at page time: the article's word-choice term counts
(:func:`analysis.compare.wordchoice.terms` of headline and body, quotations left out) and its quotes
(:func:`analysis.compare.voice_tables.quote_records`).

Both depend on the article's headline and text only, never on corrections (a dismissed flag changes
spans, not words or quotes) nor on speaker-role overrides (applied when the voices table is built), so
they stay valid until the article itself is edited, re-extracted or the rules change:
:data:`DERIVED_VERSION` names the rules; change it when ``terms`` or ``find_quotes`` change what they
return, and stored rows are recomputed on their next read.
"""

from __future__ import annotations

from typing import Any

from analysis.compare.voice_tables import quote_records
from analysis.compare.wordchoice import article_text, terms

DERIVED_VERSION = "terms-1.quotes-1"


def article_derived(title: str, text: str) -> dict[str, Any]:
    """``{"terms": {term: count}, "quotes": [quote record, ...]}`` of one article."""
    return {
        "terms": dict(terms(article_text(title, text))),
        "quotes": quote_records(text),
    }
