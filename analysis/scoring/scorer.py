"""Score one text: sentence sentiment and loaded language, for the body and the headline.

``SCORER_VERSION`` names everything that changes the numbers: the loaded-language rules, the VADER
release, the sentence splitter, and a short hash of the lexicon files' content (so editing a
lexicon makes stored scores stale and ``rescore`` picks them up).
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from analysis.models import Scores
from analysis.scoring.loaded import analyze_loaded
from analysis.scoring.sentiment import sentence_sentiment
from analysis.scoring.text import LEXICON_DIR

LOADED_RULES_VERSION = "1.2"  # bump when analysis/scoring/loaded.py's matching or context rules change
SPLITTER_VERSION = "2"  # bump when analysis/scoring/text.py's sentence or quotation rules change
LEXICON_HASH_CHARS = 8
# The data files score_text reads; other files beside them (aliases.tsv for actors) do not change
# stored scores, so they are not part of the version.
SCORER_FILE_PATTERNS: tuple[str, ...] = ("loaded_*.tsv", "senses.tsv", "vader_news.tsv", "abbreviations.tsv")


def lexicon_hash(directory: Path = LEXICON_DIR) -> str:
    """Short SHA-256 of the scorer's data files in ``directory`` (names and content, sorted by name)."""
    digest = hashlib.sha256()
    files = {p for pattern in SCORER_FILE_PATTERNS for p in directory.glob(pattern) if p.is_file()}
    for path in sorted(files):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:LEXICON_HASH_CHARS]


def _vader_version() -> str:
    try:
        return metadata.version("vaderSentiment")
    except metadata.PackageNotFoundError:
        return "unknown"


def scorer_version(directory: Path = LEXICON_DIR) -> str:
    """e.g. "loaded-1.0+vader-3.3.2+split-1+lex-1a2b3c4d" for the lexicon files in ``directory``."""
    return (
        f"loaded-{LOADED_RULES_VERSION}+vader-{_vader_version()}+split-{SPLITTER_VERSION}"
        f"+lex-{lexicon_hash(directory)}"
    )


SCORER_VERSION: str = scorer_version()


def score_text(text: str, title: str | None = None) -> Scores:
    """Sentiment and loaded language of ``text`` (and of ``title`` when given)."""
    return Scores(
        sentiment=sentence_sentiment(text),
        loaded=analyze_loaded(text),
        headline_sentiment=sentence_sentiment(title) if title else None,
        headline_loaded=analyze_loaded(title) if title else None,
        scorer_version=SCORER_VERSION,
    )
