"""Sentence-level sentiment with VADER, aggregated over a text.

Each sentence from :func:`analysis.scoring.text.split_sentences` is scored with VADER's compound score
(vaderSentiment's ``SentimentIntensityAnalyzer``; its lexicon ships in the wheel: no download).
Scoring sentence by sentence is both what VADER is designed for and ~20x faster than one long
string.  The score is computed by :class:`analysis.scoring.vader.FastVader`, a port of
``polarity_scores(...)["compound"]`` that gives identical values several times faster, from the
analyzer's own lexicon and emoji table.

Two general adaptations to news prose (``NEWS_ADAPTED``; the benchmark reports plain VADER too):
- proper names are left out before scoring: capitalised words inside a sentence ("the Justice
  Department", "Liberty University", "Best Buy") are names, not opinions, yet VADER's lexicon
  scores "justice", "liberty", "best";
- ``lexicons/vader_news.tsv`` adds news words VADER lacks (slammed, denounced, indicted, lauded,
  victory ...).  It only adds: VADER's own valences are never changed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis.models import SentenceSentiment, Sentiment
from analysis.scoring.text import LEXICON_DIR, count_words, split_sentences
from analysis.scoring.vader import FastVader

# VADER's own convention (vaderSentiment README): compound >= 0.05 positive, <= -0.05 negative.
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05

NEWS_ADAPTED = True
NEWS_LEXICON_FILE = LEXICON_DIR / "vader_news.tsv"
# A capitalised word (and the capitalised words joined to it, "Department of Justice") right after a
# lower-case letter or , ; : and a space: a name in the middle of a sentence.  Sentence-initial
# words, quotations and ALL-CAPS emphasis are kept.
_NAME_RE = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+(?:(?: of| of the| and)? [A-Z][a-z]+)*")


def _news_supplement() -> dict[str, float]:
    words: dict[str, float] = {}
    for n, line in enumerate(NEWS_LEXICON_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        try:
            words[parts[0].strip().lower()] = float(parts[1])
        except (IndexError, ValueError):
            msg = f"{NEWS_LEXICON_FILE.name}:{n}: expected word<TAB>valence, got {line!r}"
            raise ValueError(msg) from None
    return words


@lru_cache(maxsize=1)
def analyzer() -> SentimentIntensityAnalyzer:
    """The shared analyzer, created on first use (loading its lexicon takes ~50 ms).

    With NEWS_ADAPTED, the news supplement is added to its lexicon (never overriding VADER).
    """
    sia = SentimentIntensityAnalyzer()
    if NEWS_ADAPTED:
        for word, valence in _news_supplement().items():
            sia.lexicon.setdefault(word, valence)
    return sia


@lru_cache(maxsize=1)
def plain_analyzer() -> SentimentIntensityAnalyzer:
    """An unmodified VADER analyzer, for comparison in the benchmark."""
    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _fast() -> FastVader:
    """The fast compound scorer over :func:`analyzer`'s lexicon (news supplement included)."""
    sia = analyzer()
    return FastVader(sia.lexicon, sia.emojis)


@lru_cache(maxsize=1)
def _plain_fast() -> FastVader:
    """The fast compound scorer over :func:`plain_analyzer`'s lexicon."""
    sia = plain_analyzer()
    return FastVader(sia.lexicon, sia.emojis)


def without_names(sentence: str) -> str:
    """``sentence`` with mid-sentence capitalised names removed (what NEWS_ADAPTED scoring sees)."""
    return _NAME_RE.sub("", sentence)


def compound(sentence: str) -> float:
    """Compound score of one sentence, -1..1 (news-adapted VADER unless NEWS_ADAPTED is off).

    Equal to ``analyzer().polarity_scores(...)["compound"]`` of the sentence (without its names).
    """
    if NEWS_ADAPTED:
        sentence = without_names(sentence)
    return _fast().compound(sentence)


def plain_compound(sentence: str) -> float:
    """Plain VADER compound of one sentence, -1..1 (equal to ``polarity_scores(sentence)["compound"]``)."""
    return _plain_fast().compound(sentence)


def label(score: float) -> str:
    """The label of a compound score: positive, negative or neutral by VADER's +/-0.05 convention."""
    if score >= POSITIVE_THRESHOLD:
        return "positive"
    if score <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def sentence_sentiment(text: str) -> Sentiment:
    """Per-sentence VADER sentiment of ``text`` and its aggregate.

    ``compound`` is the mean of the sentence compounds weighted by each sentence's word count, so a
    one-word fragment does not weigh as much as a long sentence.  Sentences without any word (a lone
    "..." or dash) are skipped.  Shares are over the scored sentences.  Empty text gives compound 0
    and no sentences.
    """
    scored: list[SentenceSentiment] = []
    weighted = 0.0
    total_words = 0
    for start, end in split_sentences(text):
        sentence = text[start:end]
        n_words = count_words(sentence)
        if n_words == 0:
            continue
        score = compound(sentence)
        scored.append(SentenceSentiment(start=start, end=end, compound=score, label=label(score)))
        weighted += score * n_words
        total_words += n_words
    if not scored:
        return Sentiment(compound=0.0, positive_share=0.0, negative_share=0.0, n_sentences=0)
    n = len(scored)
    return Sentiment(
        compound=weighted / total_words,
        positive_share=sum(s.label == "positive" for s in scored) / n,
        negative_share=sum(s.label == "negative" for s in scored) / n,
        n_sentences=n,
        sentences=tuple(scored),
    )
