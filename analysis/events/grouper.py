"""Group articles into events: which articles, from which outlets, report the same news event.

Articles ingested without an event (from feeds, or a pile of URLs) are grouped automatically:

1. **Features.**  Each article becomes one sparse vector made of two blocks:

   * a *text* block: TF-IDF (sublinear tf, English stop words, unigrams + bigrams, ``max_df``,
     ``min_df``) of the title, of the lead (first paragraphs) and of the body, each L2-normalised,
     mixed with ``TITLE_WEIGHT`` / ``LEAD_WEIGHT`` / ``BODY_WEIGHT`` and normalised again.  Junk
     titles (a bare dateline such as "WASHINGTON —", a one-word shout) are dropped and their weight
     goes to the rest; a dateline is stripped from the start of the body too (the same dateline is
     shared by unrelated stories of one outlet).  The counts are computed by :class:`NewsTfidf`,
     which gives exactly what scikit-learn's ``TfidfVectorizer`` gives, faster (see there).
   * an *entity* block: TF-IDF over capitalised proper-noun phrases ("Mike Pompeo", "North Korea")
     and numbers with their unit ("4,200" -> ``4200``, "17%" -> ``17%``, "$3.5 billion").

   Each block keeps only its ``PRUNE_TERMS`` / ``PRUNE_ENTITIES`` heaviest features (renormalised):
   an article is represented by what is distinctive in it, which also keeps the similarity search
   sparse.  The similarity of two articles is the weighted mean of the blocks' cosines,
   ``(1 - ENTITY_WEIGHT) * cos_text + ENTITY_WEIGHT * cos_entities``, minus ``SAME_OUTLET_PENALTY``
   when both come from the same outlet (an outlet can publish several articles on one event, but its
   house style and recurring vocabulary make its unrelated stories look alike).

2. **Neighbour graph.**  Similarities are computed block by block (rows sorted by date, each block of
   rows compared only with the articles inside the date window, plus the undated ones) and only the
   ``N_NEIGHBORS`` most similar articles of each article (at least ``MIN_EDGE_SIM``) are kept.  No
   dense n x n matrix is ever built: memory is O(n * N_NEIGHBORS).  Pairs dated more than
   ``window_days`` apart are never compared; undated articles are not restricted.

3. **Clustering: average linkage**, cut at ``threshold``: repeatedly merge the two groups whose mean
   pairwise similarity is highest, while it is at least ``threshold``.  Average linkage guards
   against chaining: one strong link cannot glue two otherwise unrelated groups together (single
   linkage / connected components would).  A merge is refused when the merged group's dated
   articles would span more than ``max(window_days, the span of either group)``.  Two passes:

   * pass 1 on the neighbour graph, where a missing pair counts as similarity 0: a lower bound of the
     true linkage, so every merge made is one the exact linkage makes too, but a big event (more
     articles than ``N_NEIGHBORS``) can stay in several pieces;
   * pass 2 between those pieces with exact totals: the sum of all pairwise similarities of pieces A
     and B is ``S_A . S_B`` (sums of their vectors) minus the penalty times their same-outlet pairs.

   Both passes use vectorised "reciprocal nearest neighbour" rounds (average linkage is reducible,
   so merging pairs of groups that are each other's best link gives the best-first result), then a
   heap for the last merges.

User edits (``fixed_labels``), the precise contract:

* ``fixed_labels[i]`` is an existing event id for an article a user pinned (moved by hand, or in an
  event the user created, renamed or split), ``None`` for a free article.
* Every pinned article keeps its label.  All articles pinned to one label start as one group, so
  they stay together whatever their similarity.
* Two groups holding different pinned labels are never merged.
* A free article (or a group of free articles) joins a pinned group only through the same average
  linkage: its mean similarity to *all* articles of the pinned group must reach ``threshold`` (and
  be its best such link).  A pinned group may already span more than ``window_days`` (the user said
  so): it then takes only articles dated inside its span.
* Free articles that join no pinned group form new groups, labelled with new integers that collide
  with no fixed label: ``max(0, max(fixed) + 1)`` upwards, in order of each group's first article.
  Without fixed labels the new groups are labelled 0..k-1 in that order.

The default ``threshold`` and the weights were measured, not fitted to one data set: see
``analysis/bench/grouping_eval.py`` (NewsWCL50, the demo corpus, unrelated news pages as
distractors, and a synthetic corpus with thousands of events; the quality is flat over a wide range
of thresholds around the default).
"""

from __future__ import annotations

import heapq
import math
import os
import re
import threading
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize

# --------------------------------------------------------------------------------------------
# Constants (measured with analysis/bench/grouping_eval.py)
# --------------------------------------------------------------------------------------------

# Mean pairwise similarity two groups need to be merged.  Measured: ARI >= 0.83 on NewsWCL50 and on
# the mix with the demo corpus and distractors for every threshold in 0.18-0.35 (best 0.98-0.99 near
# 0.25-0.30; the reference baseline holds >= 0.83 only over 0.18-0.25); the synthetic corpus is at
# 0.99-1.00 over 0.10-0.35.  The default sits mid-plateau, not on either set's best point.
DEFAULT_THRESHOLD = 0.26
DEFAULT_WINDOW_DAYS = 3.0  # same default as Settings.event_window_days

# Mix of the three L2-normalised TF-IDF vectors of an article.  The title and lead say what the
# event is (inverted pyramid); the body adds the vocabulary that differs from outlet to outlet.
TITLE_WEIGHT = 0.25
LEAD_WEIGHT = 0.25
BODY_WEIGHT = 0.5
# Share of the similarity that comes from shared proper nouns and numbers (the rest: text cosine).
ENTITY_WEIGHT = 0.3
# Subtracted from the similarity of two articles from the same outlet: an outlet can publish several
# articles on one event, but its recurring vocabulary and house style make its unrelated stories look
# alike.  Additive (not a factor) so that group totals stay exact: sum_o n_Ao * n_Bo same-outlet pairs.
SAME_OUTLET_PENALTY = 0.05

# TF-IDF: terms in more than MAX_DF of the articles are dropped as uninformative, but never in a
# corpus so small that MAX_DF of it is fewer than MAX_DF_MIN_DOCS articles (there, two articles on
# the same story would lose the very terms they share).
MAX_DF = 0.5
MAX_DF_MIN_DOCS = 10
# Features found in a single article are dropped (min_df=2): they cannot make two articles similar,
# but they take a share of the vector's length, so an article with many unique words and bigrams
# (a long analysis piece) looked less similar to everything.  Measured: flatter, higher ARI curve.
# Not in corpora under MIN_DF_MIN_DOCS articles: there, two unrelated articles would keep only the
# few common words they share, and look alike.
MIN_DF = 2
MIN_DF_MIN_DOCS = 10
# Below this many articles, idf is computed as if the corpus held this many (see _background_idf):
# a small collection is usually one or two stories, where the corpus alone cannot tell the story's
# words from common ones.  From this size on, plain smooth idf (the corpus is its own background).
MIN_IDF_DOCS = 50
# Only the start of a long body is read: news puts the event first (inverted pyramid), and it bounds
# the cost per article.  ~500 words.  Measured: as good as 6,000 characters on NewsWCL50 (articles
# of up to 1,600 words) and the mix, slightly better at high thresholds.
MAX_BODY_CHARS = 3000
LEAD_PARAGRAPHS = 2  # the lead is the first paragraphs of the body ...
LEAD_MAX_TOKENS = 80  # ... cut to this many tokens without stop words (~700 characters): one-line texts
MIN_TITLE_WORDS = 3  # a title with fewer real words ("DESPERATION:", a dateline) is not used
ENTITY_SCAN_CHARS = 1500  # proper nouns and numbers are read from the title and this much of the body

# Each article keeps only its heaviest features: keyword vectors, and a sparse similarity search
# (the cost of the search grows with the features kept).  Measured: 100 terms as good as all of them
# on NewsWCL50 and the mix; 60 was worse.
PRUNE_TERMS = 100
PRUNE_ENTITIES = 40

# Neighbour graph (pass 1): at most this many neighbours per article.  Pass 2 repairs what the cap
# cuts from big events, so it only trades speed (measured: 15 and 50 give the same groups).
N_NEIGHBORS = 15
# Pairs (and, in pass 2, groups) less similar than this count as 0 in the average linkage: they
# would barely move a mean against the threshold, and keeping them all would fill the memory.
MIN_EDGE_SIM = 0.05
CHUNK_ROWS = 500  # rows of the similarity computed at once: memory ~ 12 bytes x rows x articles in a window
# Vectorised merge rounds go on while a round merges at least this share of the groups, then a heap.
RNN_MIN_MERGE_SHARE = 0.02

SECONDS_PER_DAY = 86400.0

# --------------------------------------------------------------------------------------------
# Text preparation
# --------------------------------------------------------------------------------------------

# A dateline at the start of a paragraph: "WASHINGTON —", "PALM BEACH, Fla. —",
# "Washington (AFP) –", "April 29 (UPI) —", "SAN DIEGO ―".  A short prefix (at most ~6 words) made of
# capitalised words, abbreviations, numbers and an agency in brackets, followed by a long dash.
_DATELINE_RE = re.compile(
    r"^\s*(?P<prefix>(?:[A-Z][\w.'’]*|\d{1,4}|\([A-Za-z .]{2,12}\))(?:[ ,]+(?:[A-Z][\w.'’]*|\d{1,4}|"
    r"\([A-Za-z .]{2,12}\))){0,5})\s*[,]?\s*(?:[—–―]|--)\s*"
)
DATELINE_PARAGRAPHS = 2  # a dateline is at the start of the text, alone on a line or opening the lead
_TITLE_PARTS_RE = re.compile(r"\s{2,}|\s[|•]\s")  # "Title  Subtitle", "Title | Site name"
_TITLE_WORD_RE = re.compile(r"[^\W\d_]{2,}")


def _strip_dateline(paragraph: str) -> str:
    m = _DATELINE_RE.match(paragraph)
    if m is None:
        return paragraph
    return paragraph[m.end() :]


def _paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs (one per line), a dateline stripped from the first ones."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if len(out) < DATELINE_PARAGRAPHS:
            line = _strip_dateline(line).strip()
        if line:
            out.append(line)
    return out


def clean_title(title: str | None) -> str:
    """The usable part of a headline, or "" when it is junk.

    Drops a dateline ("WEST PALM BEACH, Fla. —" is no headline), and returns "" when fewer than
    ``MIN_TITLE_WORDS`` words are left ("DESPERATION:").  A trailing "| Site name" part is dropped.
    """
    if not title:
        return ""
    parts = [p.strip() for p in _TITLE_PARTS_RE.split(title.strip()) if p.strip()]
    if len(parts) > 1 and " | " in title and len(_TITLE_WORD_RE.findall(parts[-1])) <= 3:
        parts = parts[:-1]  # "Headline | BBC News"
    text = _strip_dateline(" ".join(parts)).strip()
    if len(_TITLE_WORD_RE.findall(text)) < MIN_TITLE_WORDS:
        return ""
    return text


def _doc_parts(doc: Mapping[str, Any]) -> tuple[str, str | None, list[str]]:
    """(title, given lead or None, body paragraphs) of one input document, cleaned and capped."""
    return _parts(doc.get("title"), doc.get("text"), doc.get("lead"))


def _raw(doc: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    """The fields the features are made of (what is sent to a worker process): title, the start of
    the text (only MAX_BODY_CHARS are read), lead."""
    text = doc.get("text")
    return doc.get("title"), text[:MAX_BODY_CHARS] if isinstance(text, str) else text, doc.get("lead")


def _parts(title: Any, text: Any, lead: Any) -> tuple[str, str | None, list[str]]:
    text = text if isinstance(text, str) else ""
    lead = " ".join(_paragraphs(lead)) if isinstance(lead, str) and lead.strip() else None
    return clean_title(title if isinstance(title, str) else None), lead, _paragraphs(text[:MAX_BODY_CHARS])


# --------------------------------------------------------------------------------------------
# Named entities and numbers
# --------------------------------------------------------------------------------------------

# A capitalised word: "Pompeo", "NATO", "C.I.A.", "McConnell", "O'Brien", "Mr.".
_CAP = (
    r"(?:(?:Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Prof)\.|[A-Z][a-z]+(?:['’][A-Za-z]+)?"
    r"|[A-Z][a-z]*[A-Z][a-z]+|[A-Z]{2,6}|(?:[A-Z]\.){2,})"
)
# A phrase of capitalised words separated by one space or a hyphen, allowing the small connectors of
# names ("Bank of England").  Written to start with a character class (then the lookbehind): the
# regex engine then skips quickly to candidate positions (2x faster than a leading lookbehind).
_ENTITY_RE = re.compile(
    r"[A-Z](?<![\w.][A-Z])(?:(?<=[MDSRGLCP])(?:r|rs|s|t|en|ep|ov|ol|gt|rof)\.|[a-z]+(?:['’][A-Za-z]+)?"
    r"|[a-z]*[A-Z][a-z]+|[A-Z]{1,5}|\.(?:[A-Z]\.)+)"
    rf"(?:(?: (?:of|de|del|da|van|von|al|bin|le|la|du|der) | |-){_CAP})*"
)
# A number, with thousands separators, decimals, currency and unit: "4,200", "17%", "$3.5 billion".
_NUMBER_RE = re.compile(
    r"(?=[$€£\d])(?<![\w.,])(?P<cur>[$€£])?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?"
    r"(?:\s?(?P<unit>%|percent\b|per cent\b|million\b|billion\b|trillion\b|bn\b|km\b|miles\b))?"
)
# The same for ASCII text, 2x faster: it starts with a character class (the regex engine then skips
# quickly to candidate positions), the first character captured apart (a currency sign, or the number's
# first digit).  \w, \d and \s of ASCII text are the classes spelt out (\s is also \x1c-\x1f).
_NUMBER_ASCII_RE = re.compile(
    r"(?P<first>[$0-9])(?<![A-Za-z0-9_.,].)"
    r"(?P<num>(?<=[$])(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)|(?<=[0-9])(?:[0-9]{0,2}(?:,[0-9]{3})+|[0-9]*))"
    r"(?P<dec>\.[0-9]+)?"
    r"(?:[\s\x1c-\x1f]?(?P<unit>%|percent\b|per cent\b|million\b|billion\b|trillion\b|bn\b|km\b|miles\b))?",
    re.ASCII,
)
# Role words: they split a phrase and are not part of a name ("CIA Director Mike Pompeo" is "CIA"
# and "Mike Pompeo"; "President Trump" and "Mr. Trump" are "Trump").
_ROLES = frozenset(
    "mr mrs ms miss dr sir dame lord lady president vice prime minister secretary senator sen rep "
    "gov governor chancellor king queen prince princess pope general gen lt col sgt prof judge justice "
    "chief mayor director chairman chairwoman ceo speaker leader spokesman spokeswoman".split()
)
# Capitalised words that name no person, place or organisation of an event.
_NOT_ENTITIES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june "
    "july august september october november december today yesterday tomorrow".split()
)
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;\"“”'‘’]\s*|\n\s*)$")
_SPLIT_RE = re.compile(r"[\s-]+")
MIN_PLAIN_NUMBER = 10  # plain integers below this ("two", "3 people") are too common to identify anything


def entity_features(text: str) -> list[str]:
    """Proper-noun phrases and numbers of ``text`` as features: ``"e:mike pompeo"``, ``"n:4200"``.

    A multi-word name also yields its last word ("e:pompeo") so that "Mike Pompeo" and "Mr. Pompeo"
    meet.  A single capitalised word at the start of a sentence is skipped (it is capitalised by
    position, not because it is a name) unless it is an acronym.  Plain years (1900-2099) and small
    plain integers are not used: every story of the period shares them.
    """
    return [feat for feat, _surface in _entity_mentions(text)]


def _entity_mentions(text: str) -> list[tuple[str, str]]:
    """(feature, surface form) of every proper noun and number in ``text``."""
    out: list[tuple[str, str]] = []
    for m in _ENTITY_RE.finditer(text):
        mentions, check_start = _entity_phrase(m.group())
        if check_start and _SENTENCE_START_RE.search(text, max(0, m.start() - 3), m.start()):
            continue  # a single word capitalised by its position, not because it is a name
        out.extend(mentions)
    for cur, num, dec, unit in _numbers(text):
        num = num.replace(",", "")
        if not unit and not cur and not dec and (int(num) < MIN_PLAIN_NUMBER or 1900 <= int(num) <= 2099):
            continue
        unit = _UNITS.get(unit.lower(), unit.lower())
        out.append((f"n:{cur}{num}{dec}{unit}", f"{cur}{num}{dec}{unit}"))
    return out


_UNITS = {"percent": "%", "per cent": "%", "bn": "billion"}


def _numbers(text: str) -> list[tuple[str, str, str, str]]:
    """(currency, digits, decimals, unit) of every number in ``text``: ``_NUMBER_RE.findall(text)``."""
    if not text.isascii():
        return _NUMBER_RE.findall(text)
    return [
        ("", first + num, dec, unit) if first != "$" else (first, num, dec, unit)
        for first, num, dec, unit in _NUMBER_ASCII_RE.findall(text)
    ]


@lru_cache(maxsize=1 << 16)
def _entity_phrase(surface: str) -> tuple[tuple[tuple[str, str], ...], bool]:
    """Features of one capitalised phrase, and whether they only count away from a sentence start.

    Role words split a phrase: "CIA Director Mike Pompeo" is "CIA" and "Mike Pompeo".
    """
    words = [w[:-2] if w.lower().endswith("'s") else w for w in _SPLIT_RE.split(surface.replace("’", "'"))]
    runs: list[list[str]] = [[]]
    for w in words:
        if w.lower().rstrip(".") in _ROLES:
            runs.append([])
        else:
            runs[-1].append(w)
    mentions: list[tuple[str, str]] = []
    check_start = False
    for k, run in enumerate(runs):
        while run and (run[0].lower() in ENGLISH_STOP_WORDS or run[0].lower() in _NOT_ENTITIES):
            run = run[1:]  # "The White House", "On Tuesday", "of State" after "Secretary"
        while run and run[-1].lower() in _NOT_ENTITIES:
            run = run[:-1]  # "Pompeo Tuesday"
        if not run or (len(run) == 1 and len(run[0]) < 2):
            continue
        if len(run) == 1:
            word = run[0]
            # a lone capitalised first word may be capitalised only because it starts a sentence
            check_start = check_start or (k == 0 and len(words) == 1 and not word.isupper())
            mentions.append(("e:" + word.lower().replace(".", ""), word))
            continue
        mentions.append(("e:" + " ".join(w.lower().replace(".", "") for w in run), " ".join(run)))
        if run[-1].istitle() and len(run[-1]) > 2:
            mentions.append(("e:" + run[-1].lower(), run[-1]))  # "Mike Pompeo" meets "Mr. Pompeo"
    return tuple(mentions), check_start


# --------------------------------------------------------------------------------------------
# Vectors
# --------------------------------------------------------------------------------------------

# Tokens: scikit-learn's default token pattern r"(?u)\b\w\w+\b" finds the runs of at least two word
# characters (\w: letters, digits, "_").  The runs are found without a regex, 3x faster: every
# non-word character becomes a space (ASCII ones with one byte table on the UTF-8 text, the few
# others by str.replace) and the text is split on spaces.  Words are mapped to integer ids as bytes,
# stop words and one-letter words included; those are dropped later in NumPy, by id.
_ASCII_NON_WORD = bytes(c for c in range(128) if not (chr(c).isalnum() or chr(c) == "_"))
_TO_SPACE = bytes.maketrans(_ASCII_NON_WORD, b" " * len(_ASCII_NON_WORD))
_NON_ASCII_NON_WORD_RE = re.compile(r"[^\x00-\x7f\w]")
MAX_REPLACED_CHARS = 8  # more distinct non-word characters than this: one regex substitution instead
PARALLEL_MIN_DOCS = 5_000  # below this, one process (starting the workers costs ~1 s)
# Articles per unit of work of the tokenizing processes: this process takes units from the end of the
# queue while the workers take them from the start, so all finish together whatever each one's speed.
ANALYZE_CHUNK_MIN_DOCS = 500
ANALYZE_CHUNK_MAX_DOCS = 2_500
ANALYZE_CHUNKS_PER_JOB = 8
WORKER_QUEUED_CHUNKS = 3  # slices queued for each worker: it never waits while this process works on one


def _words(text: str) -> list[bytes]:
    """The runs of word characters (regex ``\\w+``) of the lower-cased ``text``, UTF-8 encoded, in order.

    Stop words and one-character words included: :func:`_tokens` drops them.
    """
    low = text.lower()
    if not low.isascii():  # non-word characters beyond ASCII (’ “ — …) become spaces too
        others = set(_NON_ASCII_NON_WORD_RE.findall(low))
        if len(others) > MAX_REPLACED_CHARS:
            low = _NON_ASCII_NON_WORD_RE.sub(" ", low)
        else:
            for ch in others:
                low = low.replace(ch, " ")
    return low.encode().translate(_TO_SPACE).split()


def _is_token(word: str) -> bool:
    """Whether a word counts as a token: two characters or more, not an English stop word."""
    return len(word) > 1 and word not in ENGLISH_STOP_WORDS


def _tokens(text: str) -> list[str]:
    """Lower-cased tokens without English stop words, as TfidfVectorizer(stop_words="english")."""
    return [w for w in map(bytes.decode, _words(text)) if _is_token(w)]


def _analyze_chunk(raw_docs: Sequence[tuple[Any, Any, Any]]) -> dict[str, Any]:
    """Tokens (as ids into a chunk vocabulary) and entity features of (title, text, lead) triples.

    Runs in a worker process for big corpora.  ``vocab``: the tokens by id, in order of first
    appearance; ``tokens``: the ids of the tokens of the title, the lead paragraphs (the first
    LEAD_PARAGRAPHS) and the rest of the body of each article, one after the other; ``lengths``: the
    number of tokens in each of those three parts, per article; ``given``: the ids of the tokens of
    the given leads, and ``given_lengths`` their number per article (-1: no lead given).

    Every word is mapped to an id as it comes (in C, ``map``), stop words too; those are dropped
    afterwards by id, with NumPy.
    """
    vocab: defaultdict[bytes, int] = defaultdict()
    vocab.default_factory = vocab.__len__  # a new word gets the next id
    get = vocab.__getitem__
    ids = array("i")
    given_ids = array("i")
    sizes = array("i")
    given_sizes = array("i")
    has_lead = array("b")
    ents = []
    for raw in raw_docs:
        title, given_lead, paragraphs = _parts(*raw)
        title_words = _words(title)
        lead_words = _words("\n".join(paragraphs[:LEAD_PARAGRAPHS]))
        rest_words = _words("\n".join(paragraphs[LEAD_PARAGRAPHS:]))
        ids.extend(map(get, title_words))
        ids.extend(map(get, lead_words))
        ids.extend(map(get, rest_words))
        sizes.extend((len(title_words), len(lead_words), len(rest_words)))
        has_lead.append(given_lead is not None)
        if given_lead is None:
            given_sizes.append(0)
        else:
            given_words = _words(given_lead)
            given_ids.extend(map(get, given_words))
            given_sizes.append(len(given_words))
        body_start = "\n".join(paragraphs)[:ENTITY_SCAN_CHARS]
        ents.append(entity_features(f"{title}\n{body_start}"))
    words = [w.decode() for w in vocab]
    is_token = np.fromiter(map(_is_token, words), dtype=bool, count=len(words))
    token_id = np.where(is_token, np.cumsum(is_token) - 1, -1).astype(np.int32)
    # stop words dropped, by id: token_id is -1 for them
    lengths, tokens = _drop_negative(
        np.frombuffer(sizes, dtype=np.int32), token_id[np.frombuffer(ids, dtype=np.int32)]
    )
    given_lengths, given = _drop_negative(
        np.frombuffer(given_sizes, dtype=np.int32), token_id[np.frombuffer(given_ids, dtype=np.int32)]
    )
    return {
        "vocab": [w for w, keep in zip(words, is_token.tolist(), strict=True) if keep],
        "tokens": tokens,
        "lengths": lengths.reshape(-1, 3),
        "given": given,
        "given_lengths": np.where(np.frombuffer(has_lead, dtype=np.int8) > 0, given_lengths, -1),
        "ents": ents,
    }


def _analyze_chunks(docs: Sequence[Mapping[str, Any]], n_jobs: int) -> list[dict[str, Any]]:
    """:func:`_analyze_chunk` of consecutive slices of ``docs``, in ``n_jobs`` processes.

    n_jobs - 1 worker processes take slices from the start, and this process takes slices from the
    end, until they meet: an even split whatever the speed of each process (the old split in halves
    left one process idle for seconds).  A worker has a few slices queued at a time (topped up
    between two slices of this process), so that only those are copied for it.  The workers are
    loky's (installed with scikit-learn, reused between calls): safe from a threaded caller (no plain
    fork) and they do not re-import ``__main__``.
    """
    n = len(docs)
    size = math.ceil(n / (n_jobs * ANALYZE_CHUNKS_PER_JOB))
    size = min(ANALYZE_CHUNK_MAX_DOCS, max(ANALYZE_CHUNK_MIN_DOCS, size))
    starts = range(0, n, size)

    def piece(k: int) -> list[tuple[Any, Any, Any]]:
        return [_raw(d) for d in docs[starts[k] : starts[k] + size]]

    if n_jobs <= 1 or len(starts) < 2:
        return [_analyze_chunk(piece(k)) for k in range(len(starts))]
    from joblib.externals.loky import get_reusable_executor

    executor = get_reusable_executor(max_workers=n_jobs - 1)
    futures: dict[int, Any] = {}
    results: dict[int, dict[str, Any]] = {}
    first, last = 0, len(starts)  # the slices not taken yet: first .. last - 1
    while first < last:
        # the workers take slices from the start, WORKER_QUEUED_CHUNKS queued each ...
        running = sum(not future.done() for future in futures.values())
        while running < WORKER_QUEUED_CHUNKS * (n_jobs - 1) and first < last:
            futures[first] = executor.submit(_analyze_chunk, piece(first))
            first, running = first + 1, running + 1
        # ... and this process from the end
        if first < last:
            last -= 1
            results[last] = _analyze_chunk(piece(last))
    results.update((k, future.result()) for k, future in futures.items())
    return [results[k] for k in range(len(starts))]


def _analyze(docs: Sequence[Mapping[str, Any]], n_jobs: int) -> tuple[list[str], dict[str, Any]]:
    """Tokenize all articles (in ``n_jobs`` processes), as ids into one vocabulary of tokens.

    The vocabulary is the tokens (no stop words) in order of first appearance.  Returns it and a dict:
    ``ents``, each article's entity features; ``full``, (token ids of the title then the body of
    every article, the number of tokens per article); ``title_len``, how many of an article's tokens
    are the title's; ``lead_len``, how many body tokens make the lead (the first LEAD_PARAGRAPHS
    paragraphs, at most LEAD_MAX_TOKENS tokens; 0 when a lead was given); ``given_lead``: (ids, tokens
    per article) of the given leads.
    """
    chunks = _analyze_chunks(docs, n_jobs)
    vocab: dict[str, int] = {}
    tokens, lengths, given, given_lengths = [], [], [], []
    ents: list[list[str]] = []
    for chunk in chunks:
        local_to_global = np.fromiter(
            (vocab.setdefault(w, len(vocab)) for w in chunk["vocab"]),
            dtype=np.int32,
            count=len(chunk["vocab"]),
        )
        tokens.append(local_to_global[chunk["tokens"]])
        given.append(local_to_global[chunk["given"]])
        lengths.append(chunk["lengths"])
        given_lengths.append(chunk["given_lengths"])
        ents.extend(chunk["ents"])
    del chunks
    parts = np.concatenate(lengths).astype(np.int64)
    has_given = np.concatenate(given_lengths) >= 0
    merged: dict[str, Any] = {
        "ents": ents,
        "full": (np.concatenate(tokens), parts.sum(axis=1)),
        "title_len": parts[:, 0],
        "lead_len": np.where(has_given, 0, np.minimum(parts[:, 1], LEAD_MAX_TOKENS)),
        "given_lead": (np.concatenate(given), np.maximum(np.concatenate(given_lengths), 0).astype(np.int64)),
    }
    return list(vocab), merged


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(start, start + length)`` for each pair."""
    lengths = np.maximum(lengths, 0)
    ends = np.cumsum(lengths)
    return np.arange(int(ends[-1]) if ends.size else 0) - np.repeat(ends - lengths - starts, lengths)


def _bigram_codes(ids: np.ndarray, lens: np.ndarray, n_vocab: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the bigrams of each article and the number per article.

    A bigram of tokens (a, b) is ``n_vocab + a * n_vocab + b`` (a unigram's code is its token id).
    Bigrams are made of consecutive tokens after stop-word removal, as scikit-learn does, never across
    two articles.
    """
    if ids.size < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(lens.size, dtype=np.int64)
    ends = np.cumsum(lens)
    inside = np.ones(ids.size - 1, dtype=bool)  # pair (k, k+1) lies inside one article
    last = ends[(lens > 0) & (ends < ids.size)] - 1
    inside[last] = False
    codes = n_vocab + ids[:-1][inside].astype(np.int64) * n_vocab + ids[1:][inside]
    return codes, np.maximum(lens - 1, 0)


PACK_BLOCK = 1 << 22  # elements packed at a time (bounds the temporary arrays)


def _unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` for non-negative integers, 5x faster: one plain sort
    of the values packed with their positions (in one int64), instead of a stable argsort.  The
    inverse is int32 when it fits."""
    n = values.size
    bits = max(int(n - 1).bit_length(), 1)
    if n == 0 or int(values.max()).bit_length() + bits > 63:
        unique, inverse = np.unique(values, return_inverse=True)
        return unique, inverse.ravel()
    key = np.left_shift(values, bits, dtype=np.int64)
    for at in range(0, n, PACK_BLOCK):
        key[at : at + PACK_BLOCK] += np.arange(at, min(n, at + PACK_BLOCK), dtype=np.int64)
    key.sort()
    small = np.int32 if n < 2**31 else np.int64
    position = np.empty(n, dtype=small)
    np.bitwise_and(key, (1 << bits) - 1, out=position, casting="unsafe")
    key >>= bits
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    unique = key[first]
    del key
    rank = np.cumsum(first, dtype=small)
    rank -= 1
    inverse = np.empty(n, dtype=small)
    inverse[position] = rank
    return unique, inverse


def _count_matrix(
    parts: Sequence[tuple[np.ndarray, np.ndarray, int]], shape: tuple[int, int]
) -> sp.csr_matrix:
    """CSR matrix (float32) counting (row, column) pairs, indices sorted, no duplicates.

    ``parts``: (entries per row, their columns row by row, a column offset).  One sort of the pairs
    packed in one int64 each (when they fit): faster than SciPy's sort of each row.
    """
    n_rows, n_cols = shape
    bits = max(int(n_cols - 1).bit_length(), 1)
    total = sum(cols.size for _, cols, _ in parts)
    row_ids = np.arange(n_rows, dtype=np.int64)
    if total == 0 or int(n_rows - 1).bit_length() + bits > 63:
        rows = np.concatenate([np.repeat(row_ids, lengths) for lengths, _, _ in parts])
        cols = np.concatenate([cols.astype(np.int64) + offset for _, cols, offset in parts])
        x = sp.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=shape)
        x.sum_duplicates()
        return x
    key = np.empty(total, dtype=np.int64)
    at = 0
    for lengths, cols, offset in parts:
        np.add(np.repeat((row_ids << bits) + offset, lengths), cols, out=key[at : at + cols.size])
        at += cols.size
    key.sort()
    first = np.empty(total, dtype=bool)
    first[0] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    pairs = key[first]
    del key
    starts = np.flatnonzero(first)
    del first
    counts = np.empty(starts.size, dtype=np.float32)
    np.subtract(starts[1:], starts[:-1], out=counts[:-1], casting="unsafe")
    counts[-1] = total - starts[-1]
    del starts
    indptr = np.searchsorted(pairs, np.arange(n_rows + 1, dtype=np.int64) << bits)
    indices = np.empty(pairs.size, dtype=np.int32 if n_cols < 2**31 else np.int64)
    np.bitwise_and(pairs, (1 << bits) - 1, out=indices, casting="unsafe")
    return sp.csr_matrix((counts, indices, indptr), shape=shape)


def _drop_negative(lengths: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The non-negative ``values`` (listed ``lengths`` per row) and how many are left per row."""
    kept = values >= 0
    before = np.zeros(kept.size + 1, dtype=np.int64)  # values kept before each one
    np.cumsum(kept, out=before[1:])
    bounds = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    return np.diff(before[bounds]), values[kept]


def _map_columns(x: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """The columns of ``x`` where ``keep`` is true, renumbered 0..; cheaper than fancy column indexing."""
    col_map = np.cumsum(keep, dtype=np.int32 if keep.size < 2**31 else np.int64)
    col_map -= 1
    kept = np.flatnonzero(keep[x.indices])  # a bool per column: small, its look-ups hit the CPU cache
    indptr = np.searchsorted(kept, x.indptr)  # entries kept before each row's start
    return sp.csr_matrix(
        (x.data[kept], col_map[x.indices[kept]], indptr), shape=(x.shape[0], int(col_map[-1]) + 1)
    )


def _span_counts(
    data: Mapping[str, Any],
    bigram_index: np.ndarray,
    bigram_lens: np.ndarray,
    bigram_columns: np.ndarray,
    n_vocab: int,
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Count matrices of the titles and of the leads, in the columns of :class:`NewsTfidf` before
    max_df / min_df: every token id, then the distinct bigram codes ``bigram_columns``.

    The title and lead are spans of each article's tokens (and bigrams) in the full text (``data``
    of :func:`_analyze`; ``bigram_index``: the column of each bigram of the full text, minus
    n_vocab); a lead given with an article was tokenized on its own.
    """
    ids, lens = data["full"]
    n = lens.size
    shape = (n, n_vocab + bigram_columns.size)
    token_start = np.cumsum(lens) - lens
    bigram_start = np.cumsum(bigram_lens) - bigram_lens
    title_len, lead_len = data["title_len"], data["lead_len"]
    out = []
    for offset, length in ((np.zeros(n, dtype=np.int64), title_len), (title_len, lead_len)):
        n_bigrams = np.maximum(length - 1, 0)
        parts = [
            (length, ids[_ranges(token_start + offset, length)], 0),
            (n_bigrams, bigram_index[_ranges(bigram_start + offset, n_bigrams)], n_vocab),
        ]
        out.append(parts)
    g_ids, g_lens = data["given_lead"]
    g_bigrams, g_bigram_lens = _bigram_codes(g_ids, g_lens, n_vocab)
    at = np.minimum(np.searchsorted(bigram_columns, g_bigrams), max(bigram_columns.size - 1, 0))
    if bigram_columns.size:
        known = bigram_columns[at] == g_bigrams  # a bigram only in given leads is no feature
    else:
        known = np.zeros(g_bigrams.size, dtype=bool)
    g_bigram_lens, at = _drop_negative(g_bigram_lens, np.where(known, at, -1))
    out[1] += [(g_lens, g_ids, 0), (g_bigram_lens, at, n_vocab)]
    return _count_matrix(out[0], shape), _count_matrix(out[1], shape)


class NewsTfidf:
    """TF-IDF of (title, lead, body) exactly as ``TfidfVectorizer(sublinear_tf=True, stop_words="english",
    ngram_range=(1, 2), max_df=..., min_df=...)`` computes it on title + body, with a faster counter.

    Why not TfidfVectorizer itself: it builds a Python dict of every distinct n-gram string (several
    million at 100k articles) and sorts it, single-threaded.  Here tokens become integer ids (in
    worker processes for big corpora) and bigrams integer codes, counted with NumPy; the weighting is
    scikit-learn's own ``TfidfTransformer``.  ``tests/test_events.py`` checks the output equals
    TfidfVectorizer's.  Columns are ordered by feature code, not alphabetically.
    """

    def __init__(
        self, max_df: float | int = MAX_DF, min_df: int = 1, n_jobs: int = 1, min_idf_docs: int = 0
    ) -> None:
        self.max_df = max_df
        self.min_df = min_df
        self.n_jobs = n_jobs
        self.min_idf_docs = min_idf_docs  # > 0: idf of a smaller corpus as in _background_idf

    def fit_transform(
        self, docs: Sequence[Mapping[str, Any]]
    ) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix, list[list[str]]]:
        """(full, title, lead) TF-IDF matrices (rows L2-normalised) and each article's entity features.

        ``docs``: mappings with ``title``, ``text`` and optional ``lead``.  Raises ValueError when no
        article has a usable word (``entities_`` is set all the same).
        """
        from sklearn.feature_extraction.text import TfidfTransformer

        n = len(docs)
        vocab, data = _analyze(docs, self.n_jobs)
        self.entities_ = data["ents"]
        n_vocab = max(len(vocab), 1)
        ids, lens = data["full"]
        bigrams, bigram_lens = _bigram_codes(ids, lens, n_vocab)
        bigram_columns, bigram_index = _unique_inverse(bigrams)
        del bigrams
        n_cols = n_vocab + bigram_columns.size
        # columns: every token id, then the distinct bigram codes in increasing order (= sorted codes)
        full = _count_matrix([(lens, ids, 0), (bigram_lens, bigram_index, n_vocab)], (n, n_cols))
        df = np.bincount(full.indices, minlength=n_cols)
        max_count = self.max_df if isinstance(self.max_df, int) else self.max_df * n
        keep = (df <= max_count) & (df >= max(self.min_df, 1))
        if not keep.any():
            raise ValueError("empty vocabulary: no article has a usable word")
        self.codes_ = np.concatenate([np.arange(n_vocab, dtype=np.int64), bigram_columns])[keep]
        self.vocab_ = vocab
        self.n_vocab_ = n_vocab
        full = _map_columns(full, keep)
        self.transformer_ = TfidfTransformer(sublinear_tf=True).fit(full)
        if n < self.min_idf_docs:
            self.transformer_.idf_ = _background_idf(df[keep], n, self.min_idf_docs)
        out = [self.transformer_.transform(full, copy=False)]
        del full
        spans = _span_counts(data, bigram_index, bigram_lens, bigram_columns, n_vocab)
        # features dropped by max_df / min_df do not count
        out += [self.transformer_.transform(_map_columns(x, keep), copy=False) for x in spans]
        full_x, title_x, lead_x = (m.astype(np.float32, copy=False) for m in out)
        return full_x, title_x, lead_x, data["ents"]

    def get_feature_names_out(self) -> np.ndarray:
        """Feature names by column: "word" or "word word"."""
        names = []
        for code in self.codes_.tolist():
            if code < self.n_vocab_:
                names.append(self.vocab_[code])
            else:
                a, b = divmod(code - self.n_vocab_, self.n_vocab_)
                names.append(f"{self.vocab_[a]} {self.vocab_[b]}")
        return np.asarray(names, dtype=object)


def _background_idf(df: np.ndarray, n_docs: int, min_docs: int = MIN_IDF_DOCS) -> np.ndarray:
    """Smooth idf as scikit-learn computes it, ``ln((1 + N) / (1 + df)) + 1``, but with N at least
    ``min_docs`` (MIN_IDF_DOCS for grouping): the corpus is taken to hold that many articles, the
    extra ones containing none of its terms.  In a handful of articles that all report one story,
    the story's own words ("Storm Oriel", "flood") are in every article, so the corpus idf gives
    them the lowest weight and each outlet's own wording decides: five reports of one storm came
    out as five events.  Against a notional background they count as in a real news stream."""
    n_eff = max(n_docs, min_docs)
    return (np.log((1.0 + n_eff) / (1.0 + df.astype(np.float64))) + 1.0).astype(np.float64)


def _identity(features: list[str]) -> list[str]:
    return features


def _min_df(n_docs: int) -> int:
    """MIN_DF, except in corpora smaller than MIN_DF_MIN_DOCS (there every word counts)."""
    return MIN_DF if n_docs >= MIN_DF_MIN_DOCS else 1


def _max_df(n_docs: int) -> float | int:
    """MAX_DF as a share, unless that share is fewer than MAX_DF_MIN_DOCS articles (then a count)."""
    if MAX_DF * n_docs < MAX_DF_MIN_DOCS:
        return 1.0
    return MAX_DF


def _prune_rows(x: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """Keep the ``keep`` largest entries of each row, then L2-normalise the rows again.

    The entries kept are listed heaviest first (ties: in stored order).
    """
    x = x.tocsr()
    if x.shape[0] == 0 or x.shape[1] == 0:
        return x
    lengths = np.diff(x.indptr)
    if lengths.max(initial=0) <= keep:
        return normalize(x, copy=False)
    x = normalize(x, copy=False)  # entries in (0, 1]
    kept = _heaviest_first(x, keep)
    if kept is None:
        row_ids = np.repeat(np.arange(x.shape[0], dtype=np.float64), lengths)
        # one sort by row, heaviest first: rows are 2 apart, entries shift a row's key by less than 1
        order = np.argsort(2.0 * row_ids - x.data, kind="stable")
        rank = np.arange(x.nnz) - x.indptr[row_ids[order].astype(np.int64)]
        kept = order[rank < keep]  # still grouped by row
    indptr = np.concatenate([[0], np.cumsum(np.minimum(lengths, keep))])
    out = sp.csr_matrix((x.data[kept], x.indices[kept], indptr), shape=x.shape)
    return normalize(out, copy=False)


def _heaviest_first(x: sp.csr_matrix, keep: int) -> np.ndarray | None:
    """Indices of the ``keep`` heaviest entries of each row of ``x``, row by row, heaviest first.

    The order is that of a stable sort on the float key ``2 * row - weight``, the reference: weights
    that key cannot tell apart (its rounding) tie and keep their stored order.  Done as one plain sort
    of (row, float32 bits of the weight, position) packed in an int64, 3x faster; None (use the
    reference) when they do not fit, or when the key's rounding does tie two different weights.
    Built and read PACK_BLOCK entries at a time, to bound the temporary arrays.
    """
    n_rows, indptr = x.shape[0], x.indptr.astype(np.int64)
    lengths = np.diff(indptr)
    row_bits = max(int(n_rows - 1).bit_length(), 1)
    pos_bits = max(int(lengths.max() - 1).bit_length(), 1)
    if x.dtype != np.float32 or row_bits + 31 + pos_bits > 63 or not (x.data > 0).all():
        return None
    shift, pos_mask = 31 + pos_bits, (1 << pos_bits) - 1
    key = np.empty(x.nnz, dtype=np.int64)
    rows_per_block = max(1, int(PACK_BLOCK // max(1.0, float(lengths.mean()))))
    for r0 in range(0, n_rows, rows_per_block):
        r1 = min(n_rows, r0 + rows_per_block)
        a, b = indptr[r0], indptr[r1]
        part = key[a:b]
        part[:] = np.repeat((np.arange(r0, r1, dtype=np.int64) << shift) - indptr[r0:r1], lengths[r0:r1])
        part += np.arange(a, b, dtype=np.int64)  # + position in the row
        # heaviest first: a positive float's bits grow with it
        part += (2**31 - 1 - x.data[a:b].view(np.int32).astype(np.int64)) << pos_bits
    key.sort()
    kept = []
    for a in range(0, x.nnz, PACK_BLOCK):
        b = min(x.nnz, a + PACK_BLOCK)
        lo = max(a - 1, 0)  # with the last entry before: ties across the block boundary
        row = key[lo:b] >> shift
        order = indptr[row] + (key[lo:b] & pos_mask)
        weight = x.data[order].astype(np.float64)
        ref_key = 2.0 * row - weight
        if np.any((row[1:] == row[:-1]) & (weight[1:] != weight[:-1]) & (ref_key[1:] == ref_key[:-1])):
            return None
        rank = np.arange(a, b) - indptr[row[a - lo :]]
        kept.append(order[a - lo :][rank < keep])
    return np.concatenate(kept)


def _days(value: Any) -> float:
    """Publication date as days since the epoch (NaN when unknown).  Naive datetimes count as UTC."""
    if value is None or value == "":
        return math.nan
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return math.nan
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp() / SECONDS_PER_DAY
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp() / SECONDS_PER_DAY
    return math.nan


# --------------------------------------------------------------------------------------------
# Sparse similarity search
# --------------------------------------------------------------------------------------------


def _date_blocked_products(
    x: sp.csr_matrix, key_days: np.ndarray, reach_days: float, min_dot: float, n_threads: int = 1
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(row, column, dot product) of the products ``x[i] . x[j] >= min_dot`` with |day_i - day_j| <= reach.

    Rows are sorted by ``key_days`` (NaN = undated, last) and processed CHUNK_ROWS at a time; a chunk
    is multiplied only with the rows whose day is within ``reach_days`` of one of its rows, plus the
    undated ones (an undated row is compared with everything).  Never an n x n matrix: the work and
    memory are bounded by a chunk times the articles of a date window, and the many tiny products
    (two articles sharing a common word) are dropped at once.  Both (i, j) and (j, i) are produced,
    and (i, i); the caller filters.  ``n_threads`` chunks are multiplied at once (SciPy's
    sparse product releases the GIL); results come in chunk order.

    The product of a chunk with the rows of a date window needs those rows transposed (one row per
    column); transposing costs time in proportion to the number of columns (millions of n-grams), so
    the window's rows are first cut to the columns the chunk uses (a few ten thousand).  The undated
    rows, compared with every chunk, are transposed once.  A dot product is summed in the order of
    the chunk row's entries either way: the same floats.
    """
    n, n_cols = x.shape
    dated = ~np.isnan(key_days)
    order = np.argsort(np.where(dated, key_days, np.inf), kind="stable")
    n_dated = int(dated.sum())
    sorted_days = key_days[order][:n_dated]
    xs = x[order].tocsr()
    undated_t = xs[n_dated:].T.tocsr() if n_dated < n else None
    local = threading.local()  # per thread: which columns the chunk uses, and their index among them

    def cut_transposed(lo: int, hi: int, columns: np.ndarray) -> sp.csr_matrix:
        """Rows lo..hi of xs on ``columns`` only (renumbered 0..), transposed, as CSR."""
        if not hasattr(local, "used"):
            local.used = np.zeros(n_cols, dtype=bool)  # small enough to stay in the CPU cache
            local.slot = np.zeros(n_cols, dtype=np.int32)
        used, slot = local.used, local.slot
        used[columns] = True
        slot[columns] = np.arange(columns.size, dtype=np.int32)
        first, last = xs.indptr[lo], xs.indptr[hi]
        cols = xs.indices[first:last]
        inside = np.flatnonzero(used[cols])
        used[columns] = False
        indptr = np.searchsorted(inside, xs.indptr[lo : hi + 1] - first)
        block = sp.csr_matrix(
            (xs.data[first:last][inside], slot[cols[inside]], indptr), shape=(hi - lo, columns.size)
        )
        return block.T.tocsr()

    def chunk(start: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        stop = min(n, start + CHUNK_ROWS)
        if stop <= n_dated:  # the articles dated near these rows, then the undated ones
            lo = int(np.searchsorted(sorted_days, sorted_days[start] - reach_days, side="left"))
            hi = int(np.searchsorted(sorted_days, sorted_days[stop - 1] + reach_days, side="right"))
            ranges = [(lo, hi), (n_dated, n)]
        else:  # undated rows: everything
            ranges = [(0, n)]
        left = xs[start:stop]
        columns, left_cols = np.unique(left.indices, return_inverse=True)
        left_cut = sp.csr_matrix(
            (left.data, left_cols.ravel(), left.indptr), shape=(left.shape[0], columns.size)
        )
        rows, cols, dots = [], [], []
        for lo, hi in ranges:
            if hi > lo:
                if lo == n_dated and hi == n and undated_t is not None:
                    block = (left @ undated_t).tocsr()
                else:
                    block = (left_cut @ cut_transposed(lo, hi, columns)).tocsr()
                big = np.flatnonzero(block.data >= min_dot)
                row_of = np.repeat(np.arange(block.shape[0], dtype=np.int64), np.diff(block.indptr))
                rows.append(row_of[big] + start)
                cols.append(block.indices[big].astype(np.int64) + lo)
                dots.append(block.data[big])
                del block, row_of
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        return order[np.concatenate(rows)], order[np.concatenate(cols)], np.concatenate(dots)

    starts = range(0, n, CHUNK_ROWS)
    if n_threads <= 1 or len(starts) < 2:
        yield from map(chunk, starts)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        yield from pool.map(chunk, starts)


def _run_starts(groups: np.ndarray) -> np.ndarray:
    """Start of each run of equal consecutive values of ``groups``."""
    return np.flatnonzero(np.concatenate([[True], groups[1:] != groups[:-1]]))


def _top_per_row(r: np.ndarray, c: np.ndarray, s: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest ``s`` of each row ``r`` (ties: lower ``c``), ordered by row, then
    largest first: ``np.lexsort((c, -s, r))`` cut to k per row, without sorting every element on
    three keys (5x faster).

    One float sort on ``r * scale - s`` (rows far enough apart not to mix) finds each row's k-th
    largest value up to the rounding of that key; the elements at least that value (minus twice the
    rounding) include the k largest, and only they are sorted exactly.
    """
    if r.size == 0:
        return np.zeros(0, dtype=np.int64)
    scale = 2.0 * (float(np.abs(s).max()) + 1.0)
    margin = 4.0 * float(np.spacing(scale * (float(np.abs(r).max()) + 1.0)))
    rough = np.argsort(r * scale - s)
    starts = _run_starts(r[rough])
    lengths = np.diff(np.append(starts, r.size))
    floor = np.full(starts.size, -np.inf)
    full = lengths >= k
    floor[full] = s[rough[starts[full] + k - 1]] - margin
    candidates = rough[s[rough] >= np.repeat(floor, lengths)]
    exact = candidates[np.lexsort((c[candidates], -s[candidates], r[candidates]))]
    r_exact = r[exact]
    starts = _run_starts(r_exact)
    rank = np.arange(exact.size) - np.repeat(starts, np.diff(np.append(starts, exact.size)))
    return exact[rank < k]


def _neighbour_graph(
    x: sp.csr_matrix,
    days: np.ndarray,
    outlets: np.ndarray,
    window_days: float,
    n_neighbors: int,
    min_sim: float,
    same_outlet_penalty: float,
    n_threads: int = 1,
) -> sp.csr_matrix:
    """Each article's ``n_neighbors`` most similar articles (at least ``min_sim``), upper triangle CSR.

    Similarity: the dot product of the article vectors, minus ``same_outlet_penalty`` for two
    articles of one outlet; pairs dated more than ``window_days`` apart are left out.
    """
    n = x.shape[0]
    rows_out: list[np.ndarray] = []
    cols_out: list[np.ndarray] = []
    sims_out: list[np.ndarray] = []
    for r, c, s in _date_blocked_products(x, days, window_days, min_sim, n_threads):
        keep = r != c
        keep &= ~(np.abs(days[r] - days[c]) > window_days)  # a NaN gap (undated side) is not restricted
        s = s - same_outlet_penalty * ((outlets[r] == outlets[c]) & (outlets[r] >= 0))
        keep &= s >= min_sim
        r, c, s = r[keep], c[keep], s[keep]
        if s.size == 0:
            continue
        sel = _top_per_row(r, c, s, n_neighbors)
        rows_out.append(r[sel])
        cols_out.append(c[sel])
        sims_out.append(s[sel])
    if not rows_out:
        return sp.csr_matrix((n, n), dtype=np.float64)
    r = np.concatenate(rows_out)
    c = np.concatenate(cols_out)
    s = np.concatenate(sims_out)
    lo, hi = np.minimum(r, c), np.maximum(r, c)
    # a pair found from both ends is there twice with the same similarity: keep one
    key, first = np.unique(lo * n + hi, return_index=True)
    return sp.csr_matrix((s[first], (lo[first], hi[first])), shape=(n, n))


# --------------------------------------------------------------------------------------------
# Average linkage on a sparse graph, with cannot-link and date-span constraints
# --------------------------------------------------------------------------------------------


def _average_linkage_heap(
    n_nodes: int,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    size: np.ndarray,
    dmin: np.ndarray,
    dmax: np.ndarray,
    pins: list[int | None],
    window_days: float,
    threshold: float,
) -> np.ndarray:
    """Root node of every node after average-linkage merging (best first, while linkage >= threshold).

    Nodes are groups of articles: ``size`` articles, dated ``dmin``..``dmax`` (inf/-inf: none dated),
    pinned to ``pins[k]`` or free.  ``edges`` (a, b, total): the sum of the pairwise similarities
    between the articles of nodes a and b (pairs not listed sum to 0).  Linkage = total / (|A| |B|);
    totals add up when nodes merge (Lance-Williams for average linkage).  Refused merges: two
    different pins; a dated span wider than max(window_days, either node's own span).  A heap holds
    upper bounds of the current linkages, refreshed lazily (a merged node gets a new version and its
    stale entries are recomputed when popped); the smaller adjacency is merged into the larger.
    """
    size = size.astype(np.float64).copy()
    dmin = dmin.astype(np.float64).copy()
    dmax = dmax.astype(np.float64).copy()
    pin = list(pins)
    adj: list[dict[int, float] | None] = [{} for _ in range(n_nodes)]
    for a, b, total in zip(*(e.tolist() for e in edges), strict=True):
        if a == b:
            continue
        adj_a, adj_b = adj[a], adj[b]
        assert adj_a is not None and adj_b is not None
        adj_a[b] = adj_a.get(b, 0.0) + total
        adj_b[a] = adj_b.get(a, 0.0) + total
    version = [0] * n_nodes
    parent = np.arange(n_nodes)
    heap: list[tuple[float, int, int, int, int]] = []
    for a, adj_a in enumerate(adj):
        assert adj_a is not None
        for b, total in adj_a.items():
            if a < b and total / (size[a] * size[b]) >= threshold:
                heap.append((-total / (size[a] * size[b]), a, b, 0, 0))
    heapq.heapify(heap)

    def span_ok(a: int, b: int) -> bool:
        lo, hi = min(dmin[a], dmin[b]), max(dmax[a], dmax[b])
        if not hi > lo:  # fewer than two dated articles, or all at one instant
            return True
        return hi - lo <= max(window_days, dmax[a] - dmin[a], dmax[b] - dmin[b]) + 1e-9

    while heap:
        _, a, b, va, vb = heapq.heappop(heap)
        adj_a, adj_b = adj[a], adj[b]
        if adj_a is None or adj_b is None:
            continue  # merged away; its links were re-pushed under the surviving node
        if version[a] != va or version[b] != vb:
            total = adj_a.get(b)
            if total is not None and total / (size[a] * size[b]) >= threshold:
                heapq.heappush(heap, (-total / (size[a] * size[b]), a, b, version[a], version[b]))
            continue
        if pin[a] is not None and pin[b] is not None and pin[a] != pin[b]:
            continue  # two different user events never merge
        if not span_ok(a, b):
            continue
        big, small = (a, b) if len(adj_a) >= len(adj_b) else (b, a)
        adj_big, adj_small = adj[big], adj[small]
        assert adj_big is not None and adj_small is not None
        adj_big.pop(small, None)
        size[big] += size[small]
        dmin[big] = min(dmin[big], dmin[small])
        dmax[big] = max(dmax[big], dmax[small])
        pin[big] = pin[big] if pin[big] is not None else pin[small]
        version[big] += 1
        parent[small] = big
        adj[small] = None
        for c, total_small in adj_small.items():
            if c == big:
                continue
            adj_c = adj[c]
            assert adj_c is not None
            del adj_c[small]
            total = adj_big.get(c, 0.0) + total_small
            adj_big[c] = adj_c[big] = total
            if total / (size[big] * size[c]) >= threshold:
                lo_, hi_ = (big, c) if big < c else (c, big)
                heapq.heappush(heap, (-total / (size[big] * size[c]), lo_, hi_, version[lo_], version[hi_]))
    while True:  # path compression: every node to its root
        nxt = parent[parent]
        if np.array_equal(nxt, parent):
            return parent
        parent = nxt


def _average_linkage(
    n_nodes: int,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    size: np.ndarray,
    dmin: np.ndarray,
    dmax: np.ndarray,
    pins: list[int | None],
    window_days: float,
    threshold: float,
) -> np.ndarray:
    """Root node of every node after average-linkage merging: see :func:`_average_linkage_heap`.

    Same result, faster on big graphs: first rounds of vectorised "reciprocal nearest neighbour"
    merges (every two nodes that are each other's best allowed link, at least ``threshold``, merge;
    average linkage is reducible, so these are merges the best-first order would also make), then,
    once a round merges fewer than RNN_MIN_MERGE_SHARE of the nodes, the heap on the smaller graph.
    """
    a, b, total = edges
    keep = a != b
    a, b, total = a[keep], b[keep], total[keep]
    totals = sp.coo_matrix(
        (np.concatenate([total, total]), (np.concatenate([a, b]), np.concatenate([b, a]))),
        shape=(n_nodes, n_nodes),
    ).tocsr()  # symmetric, duplicates summed
    pin_codes: dict[int, int] = {}
    pin = np.array(
        [-1 if p is None else pin_codes.setdefault(p, len(pin_codes)) for p in pins], dtype=np.int64
    )
    code_pin = {code: p for p, code in pin_codes.items()}
    size = size.astype(np.float64)
    dmin = dmin.astype(np.float64)
    dmax = dmax.astype(np.float64)
    label = np.arange(n_nodes)  # node -> current cluster
    while True:
        k = size.size
        coo = totals.tocoo()
        r, c, v = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
        link = v / (size[r] * size[c])
        ok = link >= threshold
        ok &= ~((pin[r] >= 0) & (pin[c] >= 0) & (pin[r] != pin[c]))
        lo, hi = np.minimum(dmin[r], dmin[c]), np.maximum(dmax[r], dmax[c])
        allowed = np.maximum(window_days, np.maximum(dmax[r] - dmin[r], dmax[c] - dmin[c]))
        with np.errstate(invalid="ignore"):  # inf - inf for undated clusters
            ok &= ~(hi - lo > allowed + 1e-9)
        r, c, link = r[ok], c[ok], link[ok]
        if r.size == 0:
            return label
        # each row's best link (ties: lower id); rows come in order (CSR), so per-run reductions
        starts = _run_starts(r)
        top = np.maximum.reduceat(link, starts)
        is_top = link == np.repeat(top, np.diff(np.append(starts, r.size)))
        best = np.full(k, -1)
        best[r[starts]] = np.minimum.reduceat(np.where(is_top, c, k), starts)
        has = best >= 0
        mutual = has & (best[np.where(has, best, 0)] == np.arange(k)) & (np.arange(k) < best)
        n_merge = int(mutual.sum())
        if n_merge < RNN_MIN_MERGE_SHARE * k:
            break
        target = np.arange(k)
        target[best[mutual]] = np.flatnonzero(mutual)  # b joins a
        kept, new_id = np.unique(target, return_inverse=True)
        new_id = new_id.ravel()
        merge = sp.csr_matrix((np.ones(k), (new_id, np.arange(k))), shape=(kept.size, k))
        totals = (merge @ totals @ merge.T).tocsr()
        totals.setdiag(0)
        totals.eliminate_zeros()
        size = np.bincount(new_id, weights=size, minlength=kept.size)
        new_dmin = np.full(kept.size, np.inf)
        new_dmax = np.full(kept.size, -np.inf)
        np.minimum.at(new_dmin, new_id, dmin)
        np.maximum.at(new_dmax, new_id, dmax)
        dmin, dmax = new_dmin, new_dmax
        new_pin = np.full(kept.size, -1)
        np.maximum.at(new_pin, new_id, pin)
        pin = new_pin
        label = new_id[label]
    upper = sp.triu(totals, k=1).tocoo()
    root = _average_linkage_heap(
        size.size,
        (upper.row.astype(np.int64), upper.col.astype(np.int64), upper.data),
        size,
        dmin,
        dmax,
        [None if p < 0 else code_pin[int(p)] for p in pin],
        window_days,
        threshold,
    )
    return root[label]


def _group_similarity_totals(
    x: sp.csr_matrix,
    group: np.ndarray,
    n_groups: int,
    outlets: np.ndarray,
    first_day: np.ndarray,
    reach_days: float,
    size: np.ndarray,
    same_outlet_penalty: float,
    min_link: float,
    n_threads: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact totals of pairwise similarity between groups of articles, for the pairs that may merge.

    With S_A the sum of group A's article vectors, the total over all article pairs of A and B is
    ``S_A . S_B``, minus the outlet penalty times the number of same-outlet pairs,
    ``sum_o n_Ao * n_Bo``: no pair is missing, unlike in the neighbour graph.  Groups whose first
    dates are more than ``reach_days`` apart cannot merge and are not compared.  Pairs whose linkage
    (total / |A||B|) is below ``min_link`` are dropped: they count as 0.
    """
    n = x.shape[0]
    member = sp.csr_matrix((np.ones(n), (group, np.arange(n))), shape=(n_groups, n))
    sums = (member @ x).tocsr()
    has_outlet = outlets >= 0
    counts = sp.csr_matrix(
        (np.ones(int(has_outlet.sum())), (group[has_outlet], outlets[has_outlet])),
        shape=(n_groups, int(outlets.max(initial=0)) + 1),
    )
    a_out: list[np.ndarray] = []
    b_out: list[np.ndarray] = []
    t_out: list[np.ndarray] = []
    for a, b, total in _date_blocked_products(sums, first_day, reach_days, min_link, n_threads):
        keep = a < b
        keep &= total >= min_link * size[a] * size[b]  # the penalty only lowers it: filter early
        a, b, total = a[keep], b[keep], total[keep]
        if a.size and same_outlet_penalty:
            same = np.asarray(counts[a].multiply(counts[b]).sum(axis=1)).ravel()
            total = total - same_outlet_penalty * same
            keep = total >= min_link * size[a] * size[b]
            a, b, total = a[keep], b[keep], total[keep]
        a_out.append(a)
        b_out.append(b)
        t_out.append(total)
    if not a_out:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(a_out), np.concatenate(b_out), np.concatenate(t_out)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


class EventGrouper:
    """Group articles into events (scikit-learn style: ``fit``, ``labels_``, ``fit_predict``).

    Parameters are the module constants by default; see the module docstring for the method and
    for the contract of ``fixed_labels``.

    Attributes after ``fit``: ``labels_`` (one int per article), ``n_groups_`` (distinct labels),
    ``graph_`` (the sparse neighbour-similarity graph, upper triangle, scipy CSR), ``vectors_`` (the
    pruned article vectors, CSR; columns as ``get_feature_names_out()``).
    """

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        window_days: float = DEFAULT_WINDOW_DAYS,
        *,
        title_weight: float = TITLE_WEIGHT,
        lead_weight: float = LEAD_WEIGHT,
        body_weight: float = BODY_WEIGHT,
        entity_weight: float = ENTITY_WEIGHT,
        same_outlet_penalty: float = SAME_OUTLET_PENALTY,
        n_neighbors: int = N_NEIGHBORS,
        min_edge_sim: float = MIN_EDGE_SIM,
        prune_terms: int = PRUNE_TERMS,
        prune_entities: int = PRUNE_ENTITIES,
        n_jobs: int | None = None,
    ) -> None:
        self.threshold = threshold
        self.window_days = window_days
        self.title_weight = title_weight
        self.lead_weight = lead_weight
        self.body_weight = body_weight
        self.entity_weight = entity_weight
        self.same_outlet_penalty = same_outlet_penalty
        self.n_neighbors = n_neighbors
        self.min_edge_sim = min_edge_sim
        self.prune_terms = prune_terms
        self.prune_entities = prune_entities
        # None: 2 (or the CPU count if smaller).  Worker processes tokenize from PARALLEL_MIN_DOCS articles
        # on; threads compute the similarity blocks.
        self.n_jobs = n_jobs

    # -- features ---------------------------------------------------------------------------

    def _vectorize(self, docs: Sequence[Mapping[str, Any]]) -> sp.csr_matrix:
        n = len(docs)
        n_jobs = self._n_jobs() if n >= PARALLEL_MIN_DOCS else 1
        self.vectorizer_ = NewsTfidf(
            max_df=_max_df(n), min_df=_min_df(n), n_jobs=n_jobs, min_idf_docs=MIN_IDF_DOCS
        )
        try:
            full_x, title_x, lead_x, ents = self.vectorizer_.fit_transform(docs)
            # title_weight * title_x + lead_weight * lead_x + body_weight * full_x, in place (memory)
            title_x.data *= self.title_weight
            lead_x.data *= self.lead_weight
            full_x.data *= self.body_weight
            text_x = title_x + lead_x
            del title_x, lead_x
            text_x = normalize(text_x + full_x, copy=False)
            del full_x
            self._word_names: np.ndarray | None = None
        except ValueError:  # empty vocabulary: no article has a usable word
            text_x = sp.csr_matrix((n, 0), dtype=np.float32)
            ents = self.vectorizer_.entities_
            self._word_names = np.asarray([], dtype=object)
        self.entity_vectorizer_ = TfidfVectorizer(
            analyzer=_identity, sublinear_tf=True, max_df=_max_df(n), min_df=_min_df(n), dtype=np.float32
        )
        try:
            ent_x = self.entity_vectorizer_.fit_transform(ents)
            if n < MIN_IDF_DOCS:  # recompute with the small-corpus idf (see _background_idf)
                ent_df = np.bincount(ent_x.indices, minlength=ent_x.shape[1])
                self.entity_vectorizer_.idf_ = _background_idf(ent_df, n, MIN_IDF_DOCS)
                ent_x = self.entity_vectorizer_.transform(ents)
            self._entity_names = self.entity_vectorizer_.get_feature_names_out()
        except ValueError:  # no article has a proper noun or a number
            ent_x = sp.csr_matrix((n, 0), dtype=np.float32)
            self._entity_names = np.asarray([], dtype=object)
        text_x = _prune_rows(text_x, self.prune_terms)
        ent_x = _prune_rows(ent_x, self.prune_entities)
        w = self.entity_weight
        return sp.hstack([math.sqrt(1.0 - w) * text_x, math.sqrt(w) * ent_x], format="csr", dtype=np.float32)

    def _n_jobs(self) -> int:
        return self.n_jobs if self.n_jobs is not None else min(2, os.cpu_count() or 1)

    def get_feature_names_out(self) -> np.ndarray:
        """Names of the vector columns: word n-grams, then entities ("e:...") and numbers ("n:...")."""
        if not hasattr(self, "_entity_names"):
            raise AttributeError("EventGrouper is not fitted yet: call fit() first")
        if self._word_names is None:
            self._word_names = self.vectorizer_.get_feature_names_out()
        return np.concatenate([self._word_names, self._entity_names]).astype(object)

    # -- clustering -------------------------------------------------------------------------

    def fit(
        self,
        docs: Sequence[Mapping[str, Any]],
        y: None = None,
        *,
        fixed_labels: Sequence[int | None] | None = None,
    ) -> EventGrouper:
        """Group ``docs`` (dicts with title, text, outlet, optional published and lead)."""
        n = len(docs)
        if fixed_labels is not None and len(fixed_labels) != n:
            raise ValueError(f"fixed_labels has {len(fixed_labels)} entries for {n} documents")
        fixed = list(fixed_labels) if fixed_labels is not None else [None] * n
        # initial clusters: one per pinned label, one per free article
        init = np.empty(n, dtype=np.int64)
        pins: list[int | None] = []
        pin_cluster: dict[int, int] = {}
        for i, lab in enumerate(fixed):
            if lab is None:
                init[i] = len(pins)
                pins.append(None)
            else:
                lab = int(lab)
                if lab not in pin_cluster:
                    pin_cluster[lab] = len(pins)
                    pins.append(lab)
                init[i] = pin_cluster[lab]
        t0 = time.perf_counter()
        self.vectors_ = self._vectorize(docs) if n else sp.csr_matrix((0, 0), dtype=np.float32)
        self.timings_ = {"vectorize": time.perf_counter() - t0}
        if n == 0:
            self.labels_ = np.zeros(0, dtype=np.int64)
            self.graph_ = sp.csr_matrix((0, 0), dtype=np.float32)
            self.n_groups_ = 0
            return self
        days = np.array([_days(d.get("published")) for d in docs], dtype=np.float64)
        outlet_codes: dict[str, int] = {}
        outlets = np.array(
            [
                outlet_codes.setdefault(o, len(outlet_codes))
                if (o := str(d.get("outlet") or "").strip())
                else -1
                for d in docs
            ],
            dtype=np.int64,
        )
        n_init = len(pins)
        size = np.bincount(init, minlength=n_init).astype(np.float64)
        dated = ~np.isnan(days)
        dmin = np.full(n_init, np.inf)
        dmax = np.full(n_init, -np.inf)
        np.minimum.at(dmin, init[dated], days[dated])
        np.maximum.at(dmax, init[dated], days[dated])
        # pass 1: average linkage on the neighbour graph (fast; a pair missing from the graph counts as 0,
        # so a large event can stay in a few pieces, but no merge is made that the exact linkage refuses)
        self.graph_ = _neighbour_graph(
            self.vectors_,
            days,
            outlets,
            self.window_days,
            self.n_neighbors,
            self.min_edge_sim,
            self.same_outlet_penalty,
            self._n_jobs(),
        )
        coo = self.graph_.tocoo()
        t1 = time.perf_counter()
        self.timings_["graph"] = t1 - t0 - self.timings_["vectorize"]
        root1 = _average_linkage(
            n_init,
            (init[coo.row], init[coo.col], coo.data),
            size,
            dmin,
            dmax,
            pins,
            self.window_days,
            self.threshold,
        )
        t2 = time.perf_counter()
        self.timings_["pass1"] = t2 - t1
        # pass 2: the same linkage between the pieces, with exact totals over all their article pairs
        piece_of_node = np.unique(root1, return_inverse=True)[1].ravel()
        n_pieces = int(piece_of_node.max()) + 1
        piece = piece_of_node[init]
        p_size = np.bincount(piece, minlength=n_pieces).astype(np.float64)
        p_dmin = np.full(n_pieces, np.inf)
        p_dmax = np.full(n_pieces, -np.inf)
        np.minimum.at(p_dmin, piece[dated], days[dated])
        np.maximum.at(p_dmax, piece[dated], days[dated])
        p_pins: list[int | None] = [None] * n_pieces
        for node, lab in enumerate(pins):
            if lab is not None:
                p_pins[piece_of_node[node]] = lab
        pinned_span = max(
            (
                p_dmax[k] - p_dmin[k]
                for k in range(n_pieces)
                if p_pins[k] is not None and p_dmax[k] > p_dmin[k]
            ),
            default=0.0,
        )
        edges2 = _group_similarity_totals(
            self.vectors_,
            piece,
            n_pieces,
            outlets,
            np.where(np.isinf(p_dmin), np.nan, p_dmin),
            max(self.window_days, pinned_span),
            p_size,
            self.same_outlet_penalty,
            self.min_edge_sim,
            self._n_jobs(),
        )
        self.n_pieces_ = n_pieces
        self.n_piece_links_ = int(edges2[0].size)
        t3 = time.perf_counter()
        self.timings_["piece_links"] = t3 - t2
        root2 = _average_linkage(
            n_pieces, edges2, p_size, p_dmin, p_dmax, p_pins, self.window_days, self.threshold
        )
        root = root2[piece_of_node]  # node -> final group (a piece id)
        self.timings_["pass2"] = time.perf_counter() - t3
        final_pin = {int(root[node]): lab for node, lab in enumerate(pins) if lab is not None}
        next_label = max(0, max(pin_cluster) + 1) if pin_cluster else 0
        labels = np.empty(n, dtype=np.int64)
        new_label: dict[int, int] = {}
        for i in range(n):
            r = int(root[init[i]])
            if r in final_pin:
                labels[i] = final_pin[r]
            else:
                if r not in new_label:
                    new_label[r] = next_label
                    next_label += 1
                labels[i] = new_label[r]
        self.labels_ = labels
        self.n_groups_ = len(set(labels.tolist()))
        return self

    def fit_predict(
        self,
        docs: Sequence[Mapping[str, Any]],
        y: None = None,
        *,
        fixed_labels: Sequence[int | None] | None = None,
    ) -> np.ndarray:
        """``fit(docs, fixed_labels=...)`` and return ``labels_``."""
        return self.fit(docs, fixed_labels=fixed_labels).labels_


def group_events(
    docs: Sequence[Mapping[str, Any]],
    *,
    fixed_labels: Sequence[int | None] | None = None,
    window_days: float = DEFAULT_WINDOW_DAYS,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[int]:
    """One event label per document (see the module docstring for the method and ``fixed_labels``).

    ``docs``: mappings with ``title``, ``text``, ``outlet`` and optional ``published`` (datetime,
    date, ISO string or None) and ``lead``.  New groups get labels 0..k-1 in order of first
    appearance, or, with ``fixed_labels``, integers above the largest fixed label.
    """
    grouper = EventGrouper(threshold=threshold, window_days=window_days)
    return [int(x) for x in grouper.fit_predict(docs, fixed_labels=fixed_labels)]


# --------------------------------------------------------------------------------------------
# Naming a new event
# --------------------------------------------------------------------------------------------

MAX_EVENT_TITLE_CHARS = 90  # a name fits a dashboard select box
EVENT_NAME_ENTITIES = 3  # entities in a name made from proper nouns when no headline is usable
EVENT_NAME_TERMS = 3  # terms in a name made from the top terms when there are no proper nouns either
UNTITLED_EVENT = "Untitled event"


def event_title(docs_in_group: Sequence[Mapping[str, Any]]) -> str:
    """A short readable name for a group of articles (used when an event is created automatically).

    The most central usable headline: the headline (its first part, before a subtitle or a
    "| Site" suffix) whose words are most similar to the whole group's text; ties go to the shorter.
    Junk headlines (a bare dateline, one shouted word) are skipped.  When no article has a usable
    headline: the proper nouns most articles share ("Mike Pompeo / Kim Jong Un / North Korea"), else
    the group's top terms, else "Untitled event".  At most MAX_EVENT_TITLE_CHARS characters.
    """
    if not docs_in_group:
        return UNTITLED_EVENT
    parts = [_doc_parts(d) for d in docs_in_group]
    headlines = [_headline(d.get("title")) for d in docs_in_group]
    texts = [f"{title}\n{lead or ''}\n" + "\n".join(paragraphs) for title, lead, paragraphs in parts]
    candidates = [i for i, h in enumerate(headlines) if h]
    vec = TfidfVectorizer(sublinear_tf=True, stop_words="english")
    try:
        x = vec.fit_transform(texts)
    except ValueError:  # no words at all
        x = None
    if candidates and x is not None:
        centroid = np.asarray(x.mean(axis=0)).ravel()
        similarity = vec.transform([headlines[i] for i in candidates]) @ centroid
        best = max(
            range(len(candidates)),
            key=lambda k: (round(float(similarity[k]), 9), -len(headlines[candidates[k]])),
        )
        return _shorten(headlines[candidates[best]])
    # no usable headline: the proper nouns shared by most articles
    counts: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = {}
    for text in texts:
        mentions = [(f, s) for f, s in _entity_mentions(text[:ENTITY_SCAN_CHARS]) if f[0] == "e"]
        counts.update({f for f, _ in mentions})
        for f, s in mentions:
            surfaces.setdefault(f, Counter())[s] += 1
    if counts:
        names: list[str] = []
        for key, _ in sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0])):
            if any(key[2:] in other[2:] for other in names):
                continue  # "pompeo" after "mike pompeo"
            names.append(key)
            if len(names) == EVENT_NAME_ENTITIES:
                break
        return _shorten(" / ".join(surfaces[k].most_common(1)[0][0] for k in names))
    if x is not None:
        weights = np.asarray(x.sum(axis=0)).ravel()
        terms = vec.get_feature_names_out()[np.argsort(-weights, kind="stable")[:EVENT_NAME_TERMS]]
        return _shorten(" ".join(terms))
    return UNTITLED_EVENT


def _headline(title: str | None) -> str:
    """The headline part of a title: the first usable part before a subtitle or site name."""
    for part in _TITLE_PARTS_RE.split((title or "").strip()):
        cleaned = clean_title(part)
        if cleaned:
            return cleaned.rstrip(" .")
    return ""


def _shorten(title: str) -> str:
    title = " ".join(title.split())
    if len(title) <= MAX_EVENT_TITLE_CHARS:
        return title
    cut = title.rfind(" ", 0, MAX_EVENT_TITLE_CHARS - 1)
    return title[: cut if cut > 0 else MAX_EVENT_TITLE_CHARS - 1].rstrip(" ,;:-") + "…"
