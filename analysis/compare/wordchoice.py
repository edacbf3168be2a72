"""Distinctive word choice: which words and phrases one outlet uses more than the others.

The statistic is the log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi & Quinn
(2008), "Fightin' Words", eq. 22, computed one group against the rest pooled:

    delta_w = log((y_wi + a_w) / (n_i + a0 - y_wi - a_w)) - log((y_wj + a_w) / (n_j + a0 - y_wj - a_w))
    var_w  ~= 1 / (y_wi + a_w) + 1 / (y_wj + a_w)                 z_w = delta_w / sqrt(var_w)

where ``y_wi`` is the count of term ``w`` in group ``i`` (one outlet), ``y_wj`` its count in all the
other groups together, ``n`` the groups' total counts, and ``a_w = a0 * p_w`` the prior: the term's
share ``p_w`` of a background corpus (by default the table's own totals) scaled to ``a0`` pseudo-counts.
Positive z: the group uses the term more than the others; |z| > 1.96 is the conventional 5 % level.

The central data structure is a term x group count table (scattertext's term-frequency table), built
once by :func:`term_counts`; :func:`distinctive_terms` works on any such table, so the same code
compares outlets within one event, one outlet's whole output against all other outlets, or events.

Terms are lower-cased unigrams without stop words and bigrams that neither start nor end with a stop
word; a bigram never spans punctuation, a removed quotation or a number.  By default direct quotations
(speech) are left out: they are the speakers' words, not the outlet's.  Scare quotes and quoted titles
stay in: putting "experts" in quotes is the outlet's own choice.

Caveat: the model treats every word as an independent draw, but one article repeating a word is not
independent evidence, so with a single article per outlet a z-score says "this article uses the word
more", not "this outlet habitually does".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.scoring.text import WORD_RE, classify_quotes

# --- defaults -----------------------------------------------------------------------------------
# Prior strength, as a share of the table's total count: alpha0 = PRIOR_STRENGTH * n when no alpha0
# is given.  The prior matters most for terms one side never uses: their variance is
# 1/(y + a_w) + 1/a_w, so a weak prior calls every one-off word insignificant and a strong one
# shrinks real differences towards zero.  A prior worth a tenth of the data keeps the ranking the
# same whatever the corpus size (one event or a whole database) and, on the demo events, ranks
# repeated choices ("said" x 8 for a wire, "hike" x 4 for a tabloid) above words used twice.
PRIOR_STRENGTH = 0.1
MIN_ALPHA0 = 1.0  # floor for the automatic alpha0 on a tiny table
# Terms used fewer times than this in total (the group and the rest together) are not reported:
# a word used once cannot show a difference in usage.  They still count in the totals.
DEFAULT_MIN_COUNT = 2
# The database-wide prior (:func:`database_prior`) is estimated from at most this many articles spread
# evenly over the database: term shares from ~400k words are stable, while counting every article
# took ~30 s for the first Compare page after new data at 10k articles.  Smaller databases use all.
PRIOR_SAMPLE_ARTICLES = 500
Z_95 = 1.96  # |z| above this: significant at the two-sided 5 % level (normal approximation)
# Gap allowed between the two words of a bigram: spaces on one line (no punctuation, no line break).
_BIGRAM_GAP_RE = re.compile(r"[^\S\n\r\u2028\u2029]+")
# Apostrophes are normalised so "Brennick’s" and "Brennick's" are one term; the possessive is dropped.
_POSSESSIVE_RE = re.compile(r"'s$")

# Function words: articles, pronouns, prepositions, conjunctions, auxiliaries and modals.  Kept
# deliberately short: attribution verbs ("said", "claimed"), intensifiers ("very", "really") and
# negations are word choice and must stay in.
STOP_WORDS: frozenset[str] = frozenset(
    """a an the this that these those there here
    i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves one's
    who whom whose which what whatever whichever whoever
    am is are was were be been being has have had having do does did doing done
    will would shall should can could may might must ought
    i'm you're he's she's it's we're they're i've you've we've they've i'd you'd he'd she'd we'd
    they'd i'll you'll he'll she'll we'll they'll that's there's here's what's who's let's
    of to in on at by for with from into onto upon about above below over under between among
    through during before after since until till within without against across along around
    behind beyond beside besides near off out up down toward towards per via than then
    and or but nor so yet if because as while whereas although though whether unless
    also too either neither both each every any some such own same other another
    just only more most much many few less least""".split()
)


def _normalise(word: str) -> str:
    w = word.lower().replace("’", "'").replace("‘", "'")
    return _POSSESSIVE_RE.sub("", w)


def _has_letter(word: str) -> bool:
    return any(c.isalpha() for c in word)


# Token as written -> (normalised term, has a letter): tokens repeat, so each is normalised once.
_TOKEN_CACHE: dict[str, tuple[str, bool]] = {}
TOKEN_CACHE_SIZE = 200_000  # distinct tokens remembered before the cache starts over


def _token_info(token: str) -> tuple[str, bool]:
    info = _TOKEN_CACHE.get(token)
    if info is None:
        if len(_TOKEN_CACHE) >= TOKEN_CACHE_SIZE:
            _TOKEN_CACHE.clear()
        norm = _normalise(token)
        info = _TOKEN_CACHE[token] = (norm, _has_letter(norm))
    return info


def _own_text(text: str, exclude_quotes: bool) -> str:
    """``text`` with direct quotations (speech) replaced by a line break, so no bigram spans them."""
    if not exclude_quotes or not text:
        return text
    parts: list[str] = []
    pos = 0
    for start, end, kind in classify_quotes(text):
        if kind != "speech":
            continue  # scare quotes and quoted titles are the outlet's own word choice
        parts.append(text[pos:start])
        parts.append("\n")
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def terms(
    text: str,
    ngram_range: tuple[int, int] = (1, 2),
    *,
    exclude_quotes: bool = True,
    keep_numbers: bool = False,
) -> Counter[str]:
    """Counts of the unigrams and bigrams of ``text`` (see the module docstring for the rules)."""
    lo, hi = ngram_range
    if not 1 <= lo <= hi <= 2:
        raise ValueError(f"ngram_range must lie within (1, 2), got {ngram_range}")
    own = _own_text(text, exclude_quotes)
    counts: Counter[str] = Counter()
    prev: str | None = None  # previous token when it can start a bigram with the next one
    prev_end = -1
    for m in WORD_RE.finditer(own):
        tok, has_letter = _token_info(m.group())
        if not tok or (not keep_numbers and not has_letter):
            prev = None  # a number breaks a bigram
            continue
        stop = tok in STOP_WORDS or len(tok) < 2
        if lo <= 1 and not stop:
            counts[tok] += 1
        if hi >= 2 and prev is not None and not stop:
            gap = own[prev_end : m.start()]
            if gap == " " or _BIGRAM_GAP_RE.fullmatch(gap):
                counts[f"{prev} {tok}"] += 1
        prev = None if stop else tok
        prev_end = m.end()
    return counts


def _group_key(row: Mapping[str, Any], by: str | Mapping[Hashable, Hashable]) -> Hashable | None:
    if isinstance(by, str):
        return row.get(by)
    return by.get(row.get("outlet"))  # a mapping outlet -> group (e.g. a user-defined leaning)


def term_counts(
    rows: Iterable[Mapping[str, Any]],
    by: str | Mapping[Hashable, Hashable] = "outlet",
    ngram_range: tuple[int, int] = (1, 2),
    *,
    exclude_quotes: bool = True,
    include_title: bool = True,
    keep_numbers: bool = False,
    min_total: int = 1,
) -> pd.DataFrame:
    """The term x group count table of ``rows`` (dicts with ``text``, ``title`` and the ``by`` key).

    ``by`` is a row key ("outlet", "event", "domain" ...) or a mapping from outlet name to group (rows
    whose outlet is not in the mapping are skipped, as are rows whose key is missing or None).
    Headlines are counted with the body when ``include_title`` (they are the outlet's words too).
    Terms with fewer than ``min_total`` occurrences over all groups are dropped (to keep a table over
    a whole database small).

    Returns a DataFrame: index ``term`` (str), one int64 column per group (sorted), no NaN.
    """
    per_group: dict[Hashable, Counter[str]] = {}
    for row in rows:
        key = _group_key(row, by)
        if key is None:
            continue
        text = article_text(row.get("title") or "", row.get("text") or "", include_title=include_title)
        c = terms(text, ngram_range, exclude_quotes=exclude_quotes, keep_numbers=keep_numbers)
        per_group.setdefault(key, Counter()).update(c)
    return count_table(per_group, min_total=min_total)


def article_text(title: str, body: str, *, include_title: bool = True) -> str:
    """The text whose terms :func:`term_counts` counts for one article: headline and body."""
    return f"{title}\n\n{body}" if include_title and title else body


def count_table(per_group: Mapping[Any, Mapping[str, int]], *, min_total: int = 1) -> pd.DataFrame:
    """The term x group table of :func:`term_counts` from each group's term counts (e.g. summed
    from counts stored per article)."""
    per_group = {g: c for g, c in per_group.items() if g is not None}
    if not per_group:
        return pd.DataFrame(index=pd.Index([], name="term", dtype=object), dtype="int64")
    groups = sorted(per_group, key=str)
    vocab = sorted(set().union(*per_group.values()))
    index = {t: i for i, t in enumerate(vocab)}
    mat = np.zeros((len(vocab), len(groups)), dtype=np.int64)
    for j, g in enumerate(groups):
        c = per_group[g]
        if c:
            mat[np.fromiter((index[t] for t in c), dtype=np.int64, count=len(c)), j] = np.fromiter(
                c.values(), dtype=np.int64, count=len(c)
            )
    table = pd.DataFrame(mat, index=pd.Index(vocab, name="term"), columns=groups)
    if min_total > 1:
        table = table[table.sum(axis=1) >= min_total]
    return table


DISTINCTIVE_COLUMNS: tuple[str, ...] = (
    "group",  # the group (outlet) compared with all other groups pooled
    "term",  # unigram or bigram
    "ngram",  # 1 or 2
    "count",  # occurrences in the group
    "other_count",  # occurrences in all other groups together
    "per_1000",  # occurrences per 1,000 counted terms of the group
    "other_per_1000",  # the same for the other groups
    "log_odds",  # delta, Monroe et al. eq. 22 (natural log)
    "z",  # delta / sqrt(variance); > 1.96: used more by the group, < -1.96: used less
)


def _prior_counts(counts: pd.DataFrame, prior: pd.Series | None) -> np.ndarray:
    """Background counts aligned to the table's terms; terms missing from it get their table counts."""
    own = counts.to_numpy(dtype=float).sum(axis=1)
    if prior is None:
        return own
    bg = np.array(pd.to_numeric(prior.reindex(counts.index), errors="coerce"), dtype=float)  # a writable copy
    missing = ~np.isfinite(bg) | (bg <= 0)
    bg[missing] = own[missing]  # every a_w must be > 0, or a zero count gives log(0)
    return bg


def default_alpha0(counts: pd.DataFrame) -> float:
    """The prior size used when none is given: PRIOR_STRENGTH times the table's total count."""
    return max(MIN_ALPHA0, PRIOR_STRENGTH * float(counts.to_numpy().sum()))


def log_odds_table(
    counts: pd.DataFrame, prior: pd.Series | None = None, alpha0: float | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(log_odds, z): two term x group frames, each group against the sum of all the others.

    ``prior`` is a Series of background counts (or shares) indexed by term; it is scaled to ``alpha0``
    pseudo-counts (default :func:`default_alpha0` of the table).
    """
    y = counts.to_numpy(dtype=float)
    if y.size == 0 or y.shape[1] < 2:
        empty = pd.DataFrame(index=counts.index, columns=counts.columns, dtype=float)
        return empty, empty.copy()
    if alpha0 is None:
        alpha0 = default_alpha0(counts)
    if alpha0 <= 0:
        raise ValueError("alpha0 must be positive")
    bg = _prior_counts(counts, prior)
    total_bg = bg.sum()
    a = (alpha0 * bg / total_bg)[:, None] if total_bg > 0 else np.full((len(bg), 1), alpha0 / len(bg))
    n_i = y.sum(axis=0)[None, :]  # group totals
    y_j = y.sum(axis=1, keepdims=True) - y  # counts in the other groups, pooled
    n_j = y.sum() - n_i
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((y + a) / (n_i + alpha0 - y - a)) - np.log((y_j + a) / (n_j + alpha0 - y_j - a))
        z = delta / np.sqrt(1.0 / (y + a) + 1.0 / (y_j + a))
    return (
        pd.DataFrame(delta, index=counts.index, columns=counts.columns),
        pd.DataFrame(z, index=counts.index, columns=counts.columns),
    )


def distinctive_terms(
    counts: pd.DataFrame,
    prior: pd.Series | None = None,
    alpha0: float | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    top: int | None = None,
) -> pd.DataFrame:
    """Each group's terms with their log-odds ratio and z-score against the other groups pooled.

    ``counts`` is a :func:`term_counts` table (terms x groups).  ``prior``: background counts by term
    (e.g. :func:`background_prior` of a table over every event in the database); default: the table's
    own totals.  ``alpha0``: the prior's size in pseudo-counts; default :func:`default_alpha0`
    (PRIOR_STRENGTH x the table's total).  Terms with fewer than ``min_count`` uses in the whole table
    are left out.  ``top``: keep only the
    ``top`` highest and ``top`` lowest z of each group (for a diverging bar chart); default all.

    Returns one row per (group, term) with :data:`DISTINCTIVE_COLUMNS`, sorted by group (table order)
    then z descending.  Empty (same columns) with fewer than two groups.
    """
    if counts.shape[1] < 2 or counts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DISTINCTIVE_COLUMNS})
    delta, z = log_odds_table(counts, prior, alpha0)
    y = counts.to_numpy(dtype=np.int64)
    total = y.sum(axis=1)
    keep = total >= min_count
    y_keep = y[keep]
    terms_keep = counts.index[keep]
    ngram = np.fromiter((t.count(" ") + 1 for t in terms_keep), dtype=np.int64, count=len(terms_keep))
    n_all = y.sum()
    frames = []
    for j, group in enumerate(counts.columns):
        yi = y_keep[:, j]
        yj = total[keep] - yi
        n_i = y[:, j].sum()
        n_j = n_all - n_i
        part = pd.DataFrame(
            {
                "group": group,
                "term": terms_keep,
                "ngram": ngram,
                "count": yi,
                "other_count": yj,
                "per_1000": yi * (1000.0 / n_i) if n_i else 0.0,
                "other_per_1000": yj * (1000.0 / n_j) if n_j else 0.0,
                "log_odds": delta.to_numpy()[keep, j],
                "z": z.to_numpy()[keep, j],
            }
        )
        part = part.sort_values(["z", "term"], ascending=[False, True], kind="mergesort")
        if top is not None and len(part) > 2 * top:
            part = pd.concat([part.head(top), part.tail(top)])
        frames.append(part)
    return pd.concat(frames, ignore_index=True)[list(DISTINCTIVE_COLUMNS)]


def event_word_choice(
    rows: Sequence[Mapping[str, Any]],
    prior: pd.Series | None = None,
    *,
    alpha0: float | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    top: int | None = None,
    exclude_quotes: bool = True,
) -> pd.DataFrame:
    """:func:`distinctive_terms` of the outlets of one event's ``rows`` (convenience wrapper)."""
    counts = term_counts(rows, by="outlet", exclude_quotes=exclude_quotes)
    return distinctive_terms(counts, prior, alpha0=alpha0, min_count=min_count, top=top)


def background_prior(counts: pd.DataFrame) -> pd.Series:
    """A prior Series (term -> total count) from any term table, e.g. one over the whole database."""
    return counts.sum(axis=1).rename("prior")


def prior_from_terms(article_terms: Iterable[Mapping[str, int]]) -> pd.Series:
    """:func:`database_prior` from the sample's term counts stored per article (those with an event,
    as ``term_counts(rows, by="event")`` counts them)."""
    total: Counter[str] = Counter()
    for t in article_terms:
        total.update(t)
    return background_prior(count_table({"all": total}))


def database_prior(sample_rows: Iterable[Mapping[str, Any]]) -> pd.Series:
    """The background prior of the word-choice charts: term totals over ``sample_rows``, which should
    be ``Store.text_sample(PRIOR_SAMPLE_ARTICLES)`` so the page, the report and the CLI agree."""
    return background_prior(term_counts(sample_rows, by="event"))
