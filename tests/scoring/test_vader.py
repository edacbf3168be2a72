"""The fast VADER port (analysis/scoring/vader.py) gives exactly vaderSentiment's compound score.

Every check compares ``FastVader.compound(text)`` with ``polarity_scores(text)["compound"]`` for
equality of the float and of its sign (``repr``), with VADER's own lexicon and with the
news-supplemented one (``analysis.scoring.sentiment.analyzer``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import BOOSTER_DICT, SPECIAL_CASES, SentimentIntensityAnalyzer

from analysis.ingest.extract import extract_article
from analysis.scoring import vader
from analysis.scoring.sentiment import analyzer, compound, plain_analyzer, plain_compound, without_names
from analysis.scoring.text import split_sentences
from analysis.scoring.vader import FastVader

DEMO_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "demo"
MIN_DEMO_SENTENCES = 500  # the demo corpus has ~30 articles of 300-900 words


@cache
def _pairs() -> tuple[tuple[str, SentimentIntensityAnalyzer, FastVader], ...]:
    out = []
    for name, sia in (("plain", plain_analyzer()), ("news", analyzer())):
        out.append((name, sia, FastVader(sia.lexicon, sia.emojis)))
    return tuple(out)


def _mismatches(texts: list[str]) -> list[tuple[str, str, float, float]]:
    """(lexicon, text, vaderSentiment, port) for every text where the two differ."""
    bad = []
    for name, sia, fast in _pairs():
        for text in texts:
            want = sia.polarity_scores(text)["compound"]
            got = fast.compound(text)
            if not (got == want and repr(got) == repr(want)):
                bad.append((name, text, want, got))
    return bad


# --------------------------------------------------------------------------------------------
# (a) the demo corpus
# --------------------------------------------------------------------------------------------


@cache
def _demo_texts() -> list[str]:
    manifest = json.loads((DEMO_DIR / "manifest.json").read_text("utf-8"))
    texts: list[str] = []
    for event in manifest["events"]:
        for art in event["articles"]:
            article = extract_article((DEMO_DIR / art["file"]).read_text("utf-8"), art["url"])
            for start, end in split_sentences(article.text):
                sentence = article.text[start:end]
                texts.append(sentence)
                texts.append(without_names(sentence))
            texts.append(article.title)
            texts.extend(p for p in article.text.split("\n") if p.strip())  # whole paragraphs too
    return texts


def test_demo_corpus_sentences_identical() -> None:
    texts = _demo_texts()
    assert len(texts) > MIN_DEMO_SENTENCES
    assert _mismatches(texts) == []


# --------------------------------------------------------------------------------------------
# (b) each rule by hand
# --------------------------------------------------------------------------------------------

TRICKY = [
    # vaderSentiment's own examples
    "VADER is smart, handsome, and funny.",
    "VADER is smart, handsome, and funny!",
    "VADER is very smart, handsome, and funny.",
    "VADER is VERY SMART, handsome, and FUNNY.",
    "VADER is VERY SMART, handsome, and FUNNY!!!",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "VADER is not smart, handsome, nor funny.",
    "At least it isn't a horrible book.",
    "The book was only kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today SUX!",
    "Today only kinda sux! But I'll get by, lol",
    "Make sure you :) or :D today!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "Not bad at all",
    "Sentiment analysis has never been good.",
    "Sentiment analysis has never been this good!",
    "Most automated sentiment analysis tools are shit.",
    "With VADER, sentiment analysis is the shit!",
    "Other sentiment analysis tools can be quite bad.",
    "On the other hand, VADER is quite bad ass",
    "VADER is such a badass!",
    "Without a doubt, excellent idea.",
    "Without a doubt, an excellent idea.",
    "Roger Dodger is one of the most compelling variations on this theme.",
    "Roger Dodger is at least compelling as a variation on the theme.",
    "Roger Dodger is one of the least compelling variations on this theme.",
    "Not such a badass after all.",
    # negation
    "It is not good.",
    "It isn't good at all.",
    "It isnt good.",
    "It wasn't really that good.",
    "He didn't, however, seem happy.",
    "Nobody was never ever happy here.",
    "She is not the worst.",
    "not not good",
    "It is good without doubt.",
    "without any doubt good",
    "without doubt a doubt good",
    "It was never so good.",
    "It was never this bad.",
    "never so very good",
    "the film is so good",
    "this is so bad",
    "uh-uh that is great",
    "nope, great",
    "Despite the good news, they worry.",
    "It is rarely bad and seldom good.",
    # "no"
    "no good",
    "There is no love here.",
    "no no good",
    "no, great",
    "No problem at all.",
    "no wonderful or lovely thing",
    "no wonderful nor lovely thing",
    "no wonderful and lovely thing",
    "There is no",
    "no",
    # kind of / sort of / least
    "It was kind of good.",
    "It is kind of bad.",
    "It was sort of good.",
    "it is kinda good",
    "this kind of love is rare",
    "kind of",
    "kind",
    "he was just enough good to pass",
    "the least good option",
    "at least good",
    "the very least bad",
    "least good",
    "the least",
    # but
    "good but bad",
    "good bad but good",
    "good but good good",
    "great, but great great great",
    "bad, bad but bad",
    "It was good but",
    "But it was good.",
    "it was fine but... no. BUT it was great",
    "good but but bad",
    # list.index on values: 2.0 * 0.5 before "but" equals the 1.0 after it, which then halves the
    # first word again and stays unweighted itself
    "It was my fav, but abilities matter.",
    "fav but abilities",
    "It was fine, but their abilities were absolved.",
    # boosters and caps
    "It was extremely good.",
    "It was EXTREMELY good.",
    "It was EXTREMELY GOOD.",
    "EXTREMELY GOOD",
    "IT WAS EXTREMELY GOOD!",
    "It was very very very good.",
    "It was barely good and hardly bad.",
    "It was BARELY bad.",
    "The very incredibly absolutely good news.",
    "It is the most wonderful time.",
    "He was GREAT and she was BAD.",
    "GREAT",
    "great GREAT great",
    "A. B. C. good",
    # idioms
    "You cut the mustard.",
    "It is the shit.",
    "That's the bomb, friend.",
    "What a bad ass car.",
    "yeah right, great",
    "Yeah right, that was great.",
    "It was the kiss of death for the deal.",
    "The dessert was to die for.",
    "a beating heart",
    "The bus stop was terrible.",
    "they are in the red and under the weather",
    "he is the bomb",
    "bomb the",
    "really the shit man",
    "sort of the bomb",
    "not the bomb really",
    # emoticons and emoji
    ":)",
    ":-(",
    "I am happy :)",
    "I am sad :-(",
    "I am sad :( and :-) also <3",
    "😀 😡",
    "Good 😀 day 😡 night",
    "good😀day😡",
    "😀😀😀",
    "🔛 ON! arrow?",
    "Wow 💘!",
    "😀",
    " 😀 ",
    "happy 🙂\u200d",
    # punctuation emphasis
    "Good!!!!",
    "Good!!!!!!!!",
    "Bad!!!!",
    "Good???",
    "Good??",
    "Good?",
    "Bad?????",
    "Good?!?!",
    "Is it good or bad???",
    "!!!!",
    "???",
    "?",
    "!? good",
    # degenerate
    "",
    " ",
    "   \t\n ",
    "a",
    "a b c d e f",
    "I a good",
    "... --- !!! ???",
    ",,, ;;; good ...",
    "'good'",
    '"good"',
    "(good)",
    "good.",
    "..good..",
    "go.od",
    "ok",
    "OK!",
    "ok ok ok",
    "--",
    # unicode
    "Café good naïve",
    "It isn’t good.",
    "ΣΟΦΟΣ good",
    "İSTANBUL IS GREAT",
    "Straße schön gut GOOD",
    "日本語 good 日本語",
    "good\u00a0bad\u2003great",
    "ＧＯＯＤ good",
    "\u2028good\u2029",
]


def test_tricky_cases_identical() -> None:
    assert _mismatches(TRICKY) == []


def test_tricky_cases_cover_each_rule() -> None:
    """The hand list exercises what it claims to: booster bigrams, idioms, emoji, "but" reuse."""
    joined = " ".join(TRICKY).lower()
    for key in SPECIAL_CASES:
        if key not in ("bus stop", "badass"):
            assert key in joined
    assert "kind of" in joined and "sort of" in joined and "😀" in joined
    assert any(" " in k for k in BOOSTER_DICT)


def test_ascii_emoji_keys_and_later_lexicon_additions() -> None:
    """No shortcut assumes VADER's data: ASCII emoji keys and words added after construction work."""
    sia = SentimentIntensityAnalyzer()
    sia.emojis = {**sia.emojis, "x": "kiss", "!": "awful", "q": "great!!"}
    fast = FastVader(sia.lexicon, sia.emojis)
    sia.lexicon.setdefault("zorblat", -2.5)
    sia.lexicon["least"] = 0.7
    texts = ["x marks the spot", "quite good!", "a zorblat day", "the least good", "at least zorblat", "xq"]
    for text in texts + TRICKY[:40]:
        assert repr(fast.compound(text)) == repr(sia.polarity_scores(text)["compound"]), text


def test_token_cache_starting_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vader, "TOKEN_CACHE_SIZE", 3)
    sia = plain_analyzer()
    fast = FastVader(sia.lexicon, sia.emojis)
    for text in TRICKY:
        assert repr(fast.compound(text)) == repr(sia.polarity_scores(text)["compound"]), text
    assert len(fast._words) <= 3


def test_sentiment_module_uses_identical_scores() -> None:
    for text in TRICKY + _demo_texts()[:200]:
        assert plain_compound(text) == plain_analyzer().polarity_scores(text)["compound"]
        assert compound(text) == analyzer().polarity_scores(without_names(text))["compound"]


# --------------------------------------------------------------------------------------------
# (c) generated sentences
# --------------------------------------------------------------------------------------------

VOCABULARY = [
    # lexicon words (some also in idioms or special roles)
    "good", "bad", "great", "horrible", "love", "hate", "happy", "sad", "no", "kind", "shit", "bomb",
    "ass", "death", "right", "heart", "die", "like", "best", "worst", "fine", "ok", "lol", "sux",
    "slammed", "denounced", "victory", "justice", "yes", "doubt", "problem", "hope", "killed",
    "abilities", "absolved", "fav",  # valences 1.0, 1.5, 2.0: the "but" re-weighting bug
    # boosters and dampeners
    "very", "extremely", "really", "so", "most", "kinda", "barely", "hardly", "just", "enough", "sort",
    "of", "more", "less", "little", "uber", "friggin", "totally",
    # negations
    "not", "never", "without", "isn't", "don't", "dont", "nor", "or", "nothing", "cannot", "can't",
    "won’t", "uh-uh", "despite", "least", "at", "this", "but",
    # idiom words
    "the", "cut", "mustard", "bus", "stop", "yeah", "kiss", "to", "for", "beating", "bad", "in", "red",
    # neutral, short, odd
    "a", "I", "it", "was", "he", "she", "is", "x", "café", "İ", "ΣΟΦΟΣ", "2016",
    # emoticons, emoji, punctuation
    ":)", ":-(", ":D", "<3", "😀", "😡", "💘", "🔛", "!", "!!", "!!!!", "?", "??", "???", "...", ",", "-",
]  # fmt: skip
AFFIXES = ["", "", "", "", ",", ".", "!", "?", '"', "'", "(", ")", "...", "😀", "!!!"]
SEPARATORS = [" ", " ", " ", " ", "  ", "\t", "\n", "", "\u00a0"]


@st.composite
def _sentences(draw: st.DrawFn) -> str:
    n = draw(st.integers(min_value=0, max_value=14))
    parts: list[str] = []
    for _ in range(n):
        word = draw(st.sampled_from(VOCABULARY))
        case = draw(st.sampled_from(["keep", "keep", "keep", "upper", "title"]))
        if case == "upper":
            word = word.upper()
        elif case == "title":
            word = word.title()
        word = draw(st.sampled_from(AFFIXES)) + word + draw(st.sampled_from(AFFIXES))
        parts.append(word + draw(st.sampled_from(SEPARATORS)))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(_sentences())
def test_generated_sentences_identical(text: str) -> None:
    assert _mismatches([text]) == []


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_identical(text: str) -> None:
    assert _mismatches([text]) == []
