"""Omissions: which statements, numbers, quotes and names each outlet carries and which it leaves out.

Every outlet's article(s) on an event are split into sentences.  Each sentence is compared with every
sentence of the other outlets by a match score:

    score = TF-IDF cosine of content-word stems (fitted on this event's sentences only)
          + NUMBER_WEIGHT * shared figures / min(figures of either)   (exact: "17%" == "17 percent")
          + NAME_WEIGHT * shared names / min(names of either)         ("Whitlow" == "Mayor Dana Whitlow")

An outlet *carries* a statement when one of its sentences (or its headline) scores at least
MATCH_THRESHOLD against it.  Body sentences are grouped into *facts*: clusters holding at most one
sentence per outlet, merged greedily from the best-scoring pair down while the mean score between the
two clusters stays at least CLUSTER_MIN_MEAN.  A fact is carried by every outlet in it and by any
outlet with a sentence (or headline) matching one of its members.  Headlines only ever *carry*: they
are framing (see ``analysis.compare.coverage``), so they start no fact and are never listed as statements.

Everything is computed once by :func:`align_event` into an :class:`Alignment`; the public functions
accept either the event's rows (dicts with ``outlet``, ``text``, ``title``, ``id``) or that alignment.
The unit is the outlet: several articles from one outlet on the event are read as one text.

Limits: this is lexical matching.  A paraphrase with no shared content word or figure ("three people
died" / "the storm killed a pensioner and a couple") is missed, and two sentences about different facts
that share figures and a name can be matched.  Read the matrix as "who used the same words and
figures", and check it against the sentences it shows.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.compare.wordchoice import STOP_WORDS
from analysis.scoring.text import WORD_RE, classify_quotes, count_words, split_sentences

# --- matching -------------------------------------------------------------------------------------
# A sentence pair scoring at least this is "the same statement".  On the demo events, pairs scoring
# 0.35-0.40 mostly restate one fact or quote one person on one point ("3,000 households waiting" /
# "thousands of tenants stuck on waiting lists"); pairs at 0.30-0.35 are half the time merely on the
# same topic ("Ministers call that prioritisation" / "Ministers were warned").
MATCH_THRESHOLD = 0.35
# Exact figures are the strongest evidence that two sentences report one fact: sharing every figure
# of the sentence with fewer figures adds this much to the cosine (sharing some adds a share of it).
NUMBER_WEIGHT = 0.3
# Shared proper names are weaker evidence (one person says many things), hence a smaller bonus.
NAME_WEIGHT = 0.15
# Two clusters merge only while the mean score over all their cross pairs stays at least this, so a
# chain A~B, B~C does not pull in a C that has little to do with A.
CLUSTER_MIN_MEAN = 0.3
MIN_SENTENCE_WORDS = 4  # shorter "sentences" (bylines, "SNUB!", datelines) are not statements
# A sentence is typed "quote" when at least this share of its characters is inside direct speech.
QUOTE_SHARE = 0.5
# "What the others carry that this outlet leaves out": facts carried by at least this many other
# outlets, and by a majority of the others when there are more than three of them.
MIN_OTHERS_FOR_OMISSION = 2
LABEL_CHARS = 110  # representative sentences are shortened to about this many characters
DEFAULT_MAX_FACTS = 30

# --- numbers --------------------------------------------------------------------------------------
# Currency words after a number ("38 million crowns", "2.80 crowns"): the figure is money.
CURRENCY_WORDS = (
    "dollars|dollar|euros|euro|pounds|pound|sterling|crowns|crown|kronor|krona|kroner|krone|yen|yuan|"
    "renminbi|rupees|rupee|francs|franc|pesos|peso|roubles|rouble|rubles|ruble|lira|rand|shekels|shekel|"
    "zloty|forints|forint|reais|ringgit|baht|dinars|dinar|dirhams|dirham|riyals|riyal|cents|cent|pence"
)
MULTIPLIERS = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
# Number words are compared like figures; "one" is left out (mostly a pronoun: "one more blow").
NUMBER_WORDS: dict[str, int] = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
    if i >= 2
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
MONTHS = frozenset(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
YEAR_RANGE = (1800, 2100)  # a bare integer in this range (no comma, no decimals) is a year
# Kinds of figure compared exactly and listed in the numbers matrix.  Years, dates and bare number
# words ("two years", "three coalition members") are too common to show that two sentences report
# one fact; they still count as words in the cosine.
KEY_KINDS = frozenset({"percent", "money", "count"})

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUMWORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_MULT_LONG = r"thousand|million|billion|trillion"
_MULT_SHORT = r"bn|mn|mln|tn|[kmb]"  # only when attached: "5m", "$2bn"
NUMBER_RE = re.compile(
    rf"""
    (?<![\w.,/:\-−])                                  # not inside a word, a number, a time or a range
    (?P<cur>(?:US|A|C|NZ|HK|S)?[$£€¥₹])?\s?           # US$ 5, £300m
    (?:(?P<num>{_NUM})|(?P<word>\b(?:{_NUMWORD})\b))
    (?:
        (?P<short>{_MULT_SHORT})(?![\w])              # 5m, 2bn
      | \s?-?\s?(?P<long>{_MULT_LONG})\b              # 38 million, two-million
    )?
    (?P<pct>\s?%|\s?(?:percent|per\s?cent)\b)?
    (?:\s(?P<curword>{CURRENCY_WORDS})\b)?
    (?![\w]|:\d)                                      # not a clock time (11:40)
    (?!\s?[ap]\.?m\b)                                  # nor 6 p.m. / 6am
    """,
    re.VERBOSE | re.IGNORECASE,
)
# "from 2.40 to 2.80 crowns", "between 2 and 3 percent": the first figure takes the second's unit.
_RANGE_GAP_RE = re.compile(r"\s*(?:to|and|or|-|–|—)\s*", re.IGNORECASE)
# "2.80 crowns, up from 2.40", "17 percent, against 12": the later bare figure takes the unit.
_COMPARE_GAP_RE = re.compile(
    r"[,;]?\s*(?:(?:up|down|rising|falling)\s+from|from|to|and|or|against|versus|vs\.?|compared\s+with)\s*",
    re.IGNORECASE,
)

# --- names ----------------------------------------------------------------------------------------
# Words capitalised as titles, not names.  They stay in a name phrase for display ("Mayor Dana
# Whitlow") but do not identify it.
TITLE_WORDS = frozenset(
    """mr mrs ms miss dr prof sir dame lord lady mayor deputy president prime minister ministers
    secretary chancellor governor senator sen rep representative councillor councilman councilwoman
    chair chairman chairwoman chief executive director spokesman spokeswoman spokesperson leader
    general gen colonel col captain capt sergeant officer judge justice king queen prince princess
    pope bishop father sister brother mother st saint mum dad""".split()
)
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())


@dataclass(frozen=True)
class Number:
    """One figure in a sentence."""

    text: str  # as written: "38 million crowns"
    key: str  # normalised for exact comparison: "money:3.8e+07", "percent:17", "count:34"
    kind: str  # "percent", "money", "count", "year", "date" or "word" (a bare number word)
    value: float


def find_numbers(sentence: str) -> list[Number]:
    """Every figure in ``sentence`` with a normalised key ("17 percent" and "17%" share one key)."""
    found: list[tuple[re.Match[str], float, str, str]] = []  # match, value, kind, multiplier
    for m in NUMBER_RE.finditer(sentence):
        if m.group("num") is not None:
            value = float(m.group("num").replace(",", ""))
        else:
            value = float(NUMBER_WORDS[m.group("word").lower()])
        mult = (m.group("short") or m.group("long") or "").lower()
        if mult:
            value *= MULTIPLIERS[mult]
        if m.group("pct"):
            kind = "percent"
        elif m.group("cur") or m.group("curword"):
            kind = "money"
        elif m.group("word") and not mult:
            kind = "word"
        elif _is_date(sentence, m.start(), m.end()):
            kind = "date"
        elif (
            m.group("num")
            and re.fullmatch(r"\d{4}", m.group("num"))
            and YEAR_RANGE[0] <= value <= YEAR_RANGE[1]
        ):
            kind = "year"
        else:
            kind = "count"
        found.append((m, value, kind, mult))
    # A bare figure in a range or comparison with a unit-bearing one takes its unit (and multiplier):
    # backwards first ("from 2.40 to 2.80 crowns"), then forwards ("2.80 crowns, up from 2.40").
    for k in range(len(found) - 2, -1, -1):
        m, value, kind, mult = found[k]
        m2, _, kind2, mult2 = found[k + 1]
        if kind in ("count", "word") and kind2 in ("money", "percent"):
            if _RANGE_GAP_RE.fullmatch(sentence[m.end() : m2.start()]):
                if mult2 and not mult:
                    value *= MULTIPLIERS[mult2]
                found[k] = (m, value, kind2, mult or mult2)
    for k in range(1, len(found)):
        m0, _, kind0, mult0 = found[k - 1]
        m, value, kind, mult = found[k]
        if kind == "count" and kind0 in ("money", "percent"):
            if _COMPARE_GAP_RE.fullmatch(sentence[m0.end() : m.start()]):
                if mult0 and not mult:
                    value *= MULTIPLIERS[mult0]
                found[k] = (m, value, kind0, mult or mult0)
    out: list[Number] = []
    for m, value, kind, _ in found:
        cmp_kind = "count" if kind == "word" else kind
        out.append(
            Number(text=" ".join(m.group().split()), key=f"{cmp_kind}:{value:.6g}", kind=kind, value=value)
        )
    return out


def _is_date(sentence: str, start: int, end: int) -> bool:
    before = WORD_RE.findall(sentence[max(0, start - 12) : start])
    after = WORD_RE.match(sentence, end + 1) if end < len(sentence) and sentence[end] == " " else None
    return (bool(before) and before[-1].lower().rstrip(".") in MONTHS) or (
        after is not None and after.group().lower() in MONTHS
    )


def _key_numbers(numbers: Iterable[Number]) -> tuple[Number, ...]:
    return tuple(n for n in numbers if n.kind in KEY_KINDS)


# --- names ----------------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def _base(word: str) -> str:
    w = word.lower().replace("’", "'")
    return w[:-2] if w.endswith("'s") else w


def _capital_runs(sentence: str) -> list[list[tuple[int, str]]]:
    """Runs of capitalised words separated by single spaces: [(start, word), ...] per run."""
    runs: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    prev_end = -1
    for m in WORD_RE.finditer(sentence):
        word = m.group()
        if word[0].isupper():
            if current and sentence[prev_end : m.start()] != " ":
                runs.append(current)
                current = []
            current.append((m.start(), word))
            prev_end = m.end()
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _name_runs(sentence: str, lower_vocab: frozenset[str]) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """(start, end, phrase, identifying tokens) of each proper-noun run that has identifying tokens."""
    first = WORD_RE.search(sentence)
    first_start = first.start() if first else -1
    out: list[tuple[int, int, str, tuple[str, ...]]] = []
    for run in _capital_runs(sentence):
        if run[0][0] == first_start and len(run) == 1:
            continue  # a lone capitalised sentence opener: "Families", "Officials"
        ident = tuple(
            dict.fromkeys(
                b
                for _, w in run
                if (b := _base(w)) not in TITLE_WORDS
                and b not in STOP_WORDS
                and b not in MONTHS
                and b not in WEEKDAYS
                and b not in lower_vocab
                and len(b) > 1
            )
        )
        if ident:
            start, end = run[0][0], run[-1][0] + len(run[-1][1])
            out.append((start, end, sentence[start:end], ident))
    return out


def find_names(sentence: str, lower_vocab: frozenset[str] = frozenset()) -> list[tuple[str, frozenset[str]]]:
    """Proper-noun phrases in ``sentence``: (phrase as written, identifying lower-case tokens).

    Identifying tokens exclude titles ("Mayor"), stop words, months and weekdays, and words found in
    lower case elsewhere in the event (``lower_vocab``: "the Union" is not a name when "union" is used
    as a word).  The sentence's first word counts only inside a longer run ("Maya Osei said").
    """
    return [(phrase, frozenset(ident)) for _, _, phrase, ident in _name_runs(sentence, lower_vocab)]


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A very light suffix stripper so "cuts"/"cut", "rises"/"rise", "repairs"/"repair" match."""
    for suffix, repl, min_len in (
        ("ies", "y", 5),
        ("ing", "", 6),
        ("ed", "", 5),
        ("es", "", 5),
        ("s", "", 4),
    ):
        if word.endswith(suffix) and len(word) >= min_len and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + repl
    return word


def _match_tokens(sentence: str, runs: Sequence[tuple[int, int, str, tuple[str, ...]]] = ()) -> list[str]:
    """Content-word stems for the TF-IDF match.  A name (one of ``_name_runs``) counts once, by its
    last identifying word ("Mayor Dana Whitlow" -> "whitlow"), so a shared three-word name does not
    outweigh the rest of the sentence; the name bonus adds its own, smaller weight."""
    toks: list[str] = []
    r = 0
    for m in WORD_RE.finditer(sentence):
        start = m.start()
        while r < len(runs) and runs[r][1] <= start:
            r += 1
        if r < len(runs) and runs[r][0] <= start:
            if m.end() == runs[r][1]:
                toks.append(runs[r][3][-1])
            continue
        t = _stem(_base(m.group()))
        if len(t) > 1 and t not in STOP_WORDS:
            toks.append(t)
    return toks


# --------------------------------------------------------------------------------------------------
# Alignment
# --------------------------------------------------------------------------------------------------

SENTENCE_COLUMNS: tuple[str, ...] = (
    "sid",  # sentence number within the event (= row position in Alignment.sentences)
    "outlet",
    "article_id",
    "headline",  # True for an article's title (it carries facts but is not a statement)
    "position",  # sentence index within its article body (-1 for the headline)
    "rel_position",  # position / (number of body sentences - 1), 0..1; 0 for the headline
    "start",  # character offsets in the article text (-1 for the headline)
    "end",
    "sentence",
    "numbers",  # tuple of Number (all figures, years and dates included)
    "names",  # tuple of (phrase, frozenset of identifying tokens)
    "new_names",  # tuple of the phrases whose tokens no other outlet uses in a name
    "quote_share",  # share of the sentence's characters inside direct speech, 0..1
    "kind",  # "quote", "number", "name" or "statement" (see sentence_kind)
    "best_other",  # best match score in any other outlet (NaN with a single outlet)
    "carried_by",  # number of other outlets carrying it
    "fact",  # id of the fact (cluster) the sentence belongs to; -1 for headlines
)

FACT_COLUMNS: tuple[str, ...] = (
    "fact",  # id (0..n-1, ordered by n_outlets desc, then by where it appears in the articles)
    "label",  # the representative sentence, shortened
    "representative",  # the representative sentence in full (the member most similar to the others)
    "n_outlets",  # outlets carrying it
    "outlets",  # tuple of outlet names carrying it, in Alignment.outlets order
    "kind",  # kind of the representative sentence
    "numbers",  # tuple of the key figures (as written) in its sentences
    "rel_position",  # mean relative position of its sentences in their articles (0 = lead)
    "members",  # tuple of the sids in the cluster (one per outlet at most)
)


@dataclass(frozen=True)
class Alignment:
    """Everything computed once for an event; see :func:`align_event`."""

    outlets: tuple[str, ...]  # in order of first appearance in the rows
    sentences: pd.DataFrame  # SENTENCE_COLUMNS, one row per sentence (headlines included)
    scores: np.ndarray  # sid x sid match score; -inf within an outlet
    best: np.ndarray  # sid x outlet: best score of the sentence in that outlet (NaN for its own)
    best_sid: np.ndarray  # sid x outlet: sid of that best match (-1 for its own outlet)
    facts: pd.DataFrame  # FACT_COLUMNS, one row per fact


def _outlet_texts(rows: Iterable[Mapping[str, Any]]) -> list[tuple[str, Any, str, str]]:
    out = []
    for row in rows:
        text = row.get("text") or ""
        outlet = row.get("outlet") or row.get("domain") or ""
        if text.strip() and outlet:
            out.append((str(outlet), row.get("id"), " ".join((row.get("title") or "").split()), text))
    return out


def _speech_share(speech: Sequence[tuple[int, int]], s: int, e: int) -> float:
    """Share of the characters [s, e) inside the ``speech`` regions."""
    inside = sum(max(0, min(e, qe) - max(s, qs)) for qs, qe in speech)
    return inside / max(1, e - s)


def sentence_kind(quote_share: float, numbers: Sequence[Number], new_names: bool) -> str:
    """How a statement is typed: "quote" (mostly direct speech), then "number" (a key figure: a
    percentage, money or a count), then "name" (a proper name no other outlet mentions), else
    "statement"."""
    if quote_share >= QUOTE_SHARE:
        return "quote"
    if _key_numbers(numbers):
        return "number"
    if new_names:
        return "name"
    return "statement"


def _collect(items: list[tuple[str, Any, str, str]], include_titles: bool) -> list[dict[str, Any]]:
    # Words used in lower case anywhere in the event: capitalised, they are not names.
    lower_vocab = frozenset(_base(w) for *_, text in items for w in WORD_RE.findall(text) if w[0].islower())
    recs: list[dict[str, Any]] = []
    for outlet, article_id, title, text in items:
        if include_titles and title:
            # Headline capitals are style, not names: no names are read from it, its words are plain words.
            speech = [(s, e) for s, e, k in classify_quotes(title) if k == "speech"]
            recs.append(
                {
                    "outlet": outlet,
                    "article_id": article_id,
                    "headline": True,
                    "position": -1,
                    "rel_position": 0.0,
                    "start": -1,
                    "end": -1,
                    "sentence": title,
                    "numbers": tuple(find_numbers(title)),
                    "names": (),
                    "tokens": _match_tokens(title),
                    "quote_share": _speech_share(speech, 0, len(title)),
                }
            )
        spans = [(s, e) for s, e in split_sentences(text) if count_words(text[s:e]) >= MIN_SENTENCE_WORDS]
        speech = [(s, e) for s, e, k in classify_quotes(text) if k == "speech"]
        last = max(1, len(spans) - 1)
        for pos, (s, e) in enumerate(spans):
            sent = text[s:e]
            runs = _name_runs(sent, lower_vocab)
            recs.append(
                {
                    "outlet": outlet,
                    "article_id": article_id,
                    "headline": False,
                    "position": pos,
                    "rel_position": pos / last,
                    "start": s,
                    "end": e,
                    "sentence": sent,
                    "numbers": tuple(find_numbers(sent)),
                    "names": tuple((phrase, frozenset(ident)) for _, _, phrase, ident in runs),
                    "tokens": _match_tokens(sent, runs),
                    "quote_share": _speech_share(speech, s, e),
                }
            )
    return recs


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _overlap(sets: Sequence[frozenset[str]]) -> np.ndarray:
    """|A ∩ B| / min(|A|, |B|) for every pair (0 when either is empty), via a sparse incidence matrix."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, s in enumerate(sets):
        for k in s:
            rows.append(i)
            cols.append(vocab.setdefault(k, len(vocab)))
    n = len(sets)
    if not vocab:
        return np.zeros((n, n))
    inc = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(vocab)))
    shared = (inc @ inc.T).toarray()
    sizes = np.asarray(inc.sum(axis=1)).ravel()
    denom = np.minimum.outer(sizes, sizes)
    return np.divide(shared, denom, out=np.zeros_like(shared), where=denom > 0)


def _scores(recs: list[dict[str, Any]], codes: np.ndarray) -> np.ndarray:
    n = len(recs)
    try:
        x = TfidfVectorizer(analyzer=_identity, sublinear_tf=True).fit_transform([r["tokens"] for r in recs])
        cos = (x @ x.T).toarray()
    except ValueError:  # no usable token in any sentence
        cos = np.zeros((n, n))
    num_sets = [frozenset(nb.key for nb in _key_numbers(r["numbers"])) for r in recs]
    name_sets = [frozenset().union(*(ident for _, ident in r["names"])) for r in recs]
    score = cos + NUMBER_WEIGHT * _overlap(num_sets) + NAME_WEIGHT * _overlap(name_sets)
    score[codes[:, None] == codes[None, :]] = -np.inf  # never match within an outlet
    return score


def _best_per_outlet(scores: np.ndarray, codes: np.ndarray, n_outlets: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(codes)
    best = np.full((n, n_outlets), np.nan)
    best_sid = np.full((n, n_outlets), -1, dtype=np.int64)
    for k in range(n_outlets):
        cols = np.flatnonzero(codes == k)
        if not len(cols) or not n:
            continue
        sub = scores[:, cols]
        arg = sub.argmax(axis=1)
        own = codes == k
        best[:, k] = np.where(own, np.nan, sub[np.arange(n), arg])
        best_sid[:, k] = np.where(own, -1, cols[arg])
    return best, best_sid


def _cluster(scores: np.ndarray, codes: np.ndarray, headline: np.ndarray) -> list[list[int]]:
    """Greedy outlet-exclusive clusters of body sentences (singletons included), see the docstring."""
    n = len(codes)
    parent = np.arange(n)
    members: dict[int, list[int]] = {i: [i] for i in range(n) if not headline[i]}
    covered: dict[int, set[int]] = {i: {int(codes[i])} for i in members}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    ok = scores >= MATCH_THRESHOLD
    ok[headline, :] = False
    ok[:, headline] = False
    ii, jj = np.nonzero(np.triu(ok, k=1))
    for o in np.argsort(-scores[ii, jj], kind="stable"):
        ri, rj = find(int(ii[o])), find(int(jj[o]))
        if ri == rj or covered[ri] & covered[rj]:
            continue  # at most one sentence per outlet in a fact
        if scores[np.ix_(members[ri], members[rj])].mean() < CLUSTER_MIN_MEAN:
            continue
        parent[rj] = ri
        members[ri] += members.pop(rj)
        covered[ri] |= covered.pop(rj)
    return [sorted(m) for m in members.values()]


def align_event(rows: Iterable[Mapping[str, Any]] | Alignment, include_titles: bool = True) -> Alignment:
    """Split, score and cluster the sentences of one event's articles (see the module docstring).

    Rows are dicts with ``outlet`` (or ``domain``), ``text``, and optionally ``title`` and ``id``; rows
    without text are skipped.  An :class:`Alignment` passed in is returned as is.  Headlines take part
    (they can carry a fact) unless ``include_titles`` is False.
    """
    if isinstance(rows, Alignment):
        return rows
    items = _outlet_texts(rows)
    outlets = tuple(dict.fromkeys(item[0] for item in items))
    recs = _collect(items, include_titles)
    n, n_out = len(recs), len(outlets)
    code_of = {o: k for k, o in enumerate(outlets)}
    codes = np.fromiter((code_of[r["outlet"]] for r in recs), dtype=np.int64, count=n)
    headline = np.fromiter((r["headline"] for r in recs), dtype=bool, count=n)
    scores = _scores(recs, codes) if n else np.zeros((0, 0))
    best, best_sid = _best_per_outlet(scores, codes, n_out)
    carried = best >= MATCH_THRESHOLD  # NaN compares False
    with np.errstate(invalid="ignore"):
        best_other = np.nanmax(best, axis=1) if n_out > 1 else np.full(n, np.nan)

    # Names no other outlet uses: identifying tokens absent from every other outlet's names.
    name_tokens: list[set[str]] = [set() for _ in outlets]
    for r, c in zip(recs, codes, strict=True):
        for _, ident in r["names"]:
            name_tokens[c] |= ident
    others_names = [set().union(*(name_tokens[k] for k in range(n_out) if k != c)) for c in range(n_out)]
    for r, c in zip(recs, codes, strict=True):
        r["new_names"] = tuple(p for p, ident in r["names"] if not (ident & others_names[c]))
        r["kind"] = sentence_kind(r["quote_share"], r["numbers"], bool(r["new_names"]))

    clusters = _cluster(scores, codes, headline)
    facts = _facts(recs, clusters, scores, carried, outlets)
    fact_of = np.full(n, -1, dtype=np.int64)
    for f, mem in zip(facts["fact"], facts["members"], strict=True):
        fact_of[list(mem)] = f
    sents = pd.DataFrame(
        recs, columns=[c for c in SENTENCE_COLUMNS if c not in ("sid", "best_other", "carried_by", "fact")]
    )
    sents.insert(0, "sid", np.arange(n, dtype=np.int64))
    sents["best_other"] = best_other
    sents["carried_by"] = carried.sum(axis=1)
    sents["fact"] = fact_of
    return Alignment(
        outlets=outlets, sentences=sents, scores=scores, best=best, best_sid=best_sid, facts=facts
    )


def _facts(
    recs: list[dict[str, Any]],
    clusters: list[list[int]],
    scores: np.ndarray,
    carried: np.ndarray,
    outlets: tuple[str, ...],
) -> pd.DataFrame:
    code_of = {o: k for k, o in enumerate(outlets)}
    # Outlets carrying each cluster: its members' outlets, plus any outlet with a sentence matching
    # one of its members.
    hits = carried.astype(np.int64)
    for i, r in enumerate(recs):
        hits[i, code_of[r["outlet"]]] = 1
    cluster_of = np.empty(sum(len(m) for m in clusters), dtype=np.int64)
    member_ids = np.fromiter((m for mem in clusters for m in mem), dtype=np.int64, count=len(cluster_of))
    cluster_of[:] = np.repeat(np.arange(len(clusters)), [len(m) for m in clusters])
    carried_by = np.zeros((len(clusters), len(outlets)), dtype=np.int64)
    np.add.at(carried_by, cluster_of, hits[member_ids])
    out = []
    for mem, by in zip(clusters, carried_by > 0, strict=True):
        if len(mem) > 1:
            sub = scores[np.ix_(mem, mem)]
            rep = mem[int(np.where(np.isfinite(sub), sub, 0.0).sum(axis=1).argmax())]
        else:
            rep = mem[0]
        figures = dict.fromkeys(nb.text for m in mem for nb in _key_numbers(recs[m]["numbers"]))
        out.append(
            {
                "label": shorten(recs[rep]["sentence"]),
                "representative": recs[rep]["sentence"],
                "n_outlets": int(by.sum()),
                "outlets": tuple(o for o, b in zip(outlets, by, strict=True) if b),
                "kind": recs[rep]["kind"],
                "numbers": tuple(figures),
                "rel_position": sum(recs[m]["rel_position"] for m in mem) / len(mem),
                "members": tuple(mem),
            }
        )
    facts = pd.DataFrame(out, columns=list(FACT_COLUMNS[1:]))
    if len(facts):
        facts = facts.sort_values(
            ["n_outlets", "rel_position", "members"], ascending=[False, True, True], kind="mergesort"
        ).reset_index(drop=True)
    facts.insert(0, "fact", np.arange(len(facts), dtype=np.int64))
    return facts


def shorten(sentence: str, limit: int = LABEL_CHARS) -> str:
    """``sentence`` cut at a word boundary to about ``limit`` characters, with an ellipsis."""
    s = " ".join(sentence.split())
    if len(s) <= limit:
        return s
    cut = s.rfind(" ", 0, limit)
    return s[: cut if cut > limit // 2 else limit].rstrip(" ,;:–—-") + "…"


# --------------------------------------------------------------------------------------------------
# Public views
# --------------------------------------------------------------------------------------------------

ALIGN_COLUMNS: tuple[str, ...] = (
    "sid",
    "outlet",
    "article_id",
    "headline",
    "position",
    "sentence",
    "kind",
    "other_outlet",
    "match_sid",  # the best-matching sentence of other_outlet
    "match_sentence",
    "score",  # match score (cosine + figure and name bonuses)
    "carried",  # score >= MATCH_THRESHOLD
    "shared_numbers",  # tuple of the key figures (as written in this sentence) both contain
)


def align_sentences(rows: Iterable[Mapping[str, Any]] | Alignment) -> pd.DataFrame:
    """Each sentence's best match in each other outlet: one row per (sentence, other outlet).

    Columns :data:`ALIGN_COLUMNS`.
    """
    al = align_event(rows)
    s = al.sentences
    sent = s["sentence"].tolist()
    nums = [{nb.key: nb.text for nb in _key_numbers(x)} for x in s["numbers"]]
    recs = []
    for i, (outlet, aid, head, pos, text, kind) in enumerate(
        zip(s["outlet"], s["article_id"], s["headline"], s["position"], sent, s["kind"], strict=True)
    ):
        for k, o in enumerate(al.outlets):
            m = int(al.best_sid[i, k])
            if o == outlet or m < 0:
                continue
            score = float(al.best[i, k])
            recs.append(
                {
                    "sid": i,
                    "outlet": outlet,
                    "article_id": aid,
                    "headline": head,
                    "position": pos,
                    "sentence": text,
                    "kind": kind,
                    "other_outlet": o,
                    "match_sid": m,
                    "match_sentence": sent[m],
                    "score": score,
                    "carried": score >= MATCH_THRESHOLD,
                    "shared_numbers": tuple(t for key, t in nums[i].items() if key in nums[m]),
                }
            )
    return pd.DataFrame(recs, columns=list(ALIGN_COLUMNS))


UNIQUE_COLUMNS: tuple[str, ...] = (
    "sid",
    "article_id",
    "position",
    "sentence",
    "kind",  # "quote", "number", "name" or "statement"
    "numbers",  # tuple of the key figures as written
    "new_names",  # tuple of the name phrases no other outlet mentions
    "best_score",  # best match score in any other outlet (below MATCH_THRESHOLD)
)
MISSING_COLUMNS: tuple[str, ...] = (
    "fact",
    "label",
    "representative",
    "kind",
    "n_outlets",  # outlets carrying it (all others)
    "outlets",  # which
    "numbers",  # key figures in it, as written
)


@dataclass(frozen=True)
class OutletOmissions:
    outlet: str
    n_sentences: int  # statements (body sentences of MIN_SENTENCE_WORDS+ words)
    n_unique: int  # statements no other outlet carries
    unique: pd.DataFrame  # UNIQUE_COLUMNS: its statements nobody else carries, in article order
    missing: pd.DataFrame  # MISSING_COLUMNS: facts others carry (2+, or a majority) that it leaves out
    missing_numbers: tuple[str, ...]  # key figures reported by as many other outlets, not by it


def required_others(n_others: int) -> int:
    """Other outlets that must carry a fact for its absence to count: 2, or a majority of the others
    when there are more than three."""
    if n_others > 3:
        return max(MIN_OTHERS_FOR_OMISSION, math.floor(n_others / 2) + 1)
    return MIN_OTHERS_FOR_OMISSION


def omissions(rows: Iterable[Mapping[str, Any]] | Alignment) -> dict[str, OutletOmissions]:
    """Per outlet: what only it reports (``unique``) and what the others report that it leaves out.

    "Leaves out" needs a fact (or a key figure) carried by :func:`required_others` other outlets.
    With a single outlet every statement is unique and nothing is missing.
    """
    al = align_event(rows)
    s = al.sentences
    body = s[~s["headline"].astype(bool)]
    nm = numbers_matrix(al)
    f = al.facts
    out: dict[str, OutletOmissions] = {}
    for o in al.outlets:
        mine = body[body["outlet"] == o]
        uniq = mine[mine["carried_by"] == 0]
        unique = pd.DataFrame(
            {
                "sid": uniq["sid"].to_numpy(),
                "article_id": uniq["article_id"].to_numpy(),
                "position": uniq["position"].to_numpy(),
                "sentence": uniq["sentence"].to_numpy(),
                "kind": uniq["kind"].to_numpy(),
                "numbers": [tuple(nb.text for nb in _key_numbers(x)) for x in uniq["numbers"]],
                "new_names": uniq["new_names"].to_numpy(),
                "best_score": uniq["best_other"].to_numpy(),
            },
            columns=list(UNIQUE_COLUMNS),
        )
        need = required_others(len(al.outlets) - 1)
        mask = np.array([o not in t for t in f["outlets"]], dtype=bool) & (f["n_outlets"].to_numpy() >= need)
        missing = f.loc[mask, list(MISSING_COLUMNS)].reset_index(drop=True)
        missing_numbers: tuple[str, ...] = ()
        if len(nm) and o in nm.columns:
            others = [x for x in al.outlets if x != o]
            sel = (~nm[o].astype(bool)) & (nm[others].sum(axis=1) >= need) if others else nm[o] & False
            missing_numbers = tuple(nm.loc[sel, "number"])
        out[o] = OutletOmissions(
            outlet=o,
            n_sentences=len(mine),
            n_unique=len(uniq),
            unique=unique,
            missing=missing,
            missing_numbers=missing_numbers,
        )
    return out


OMISSION_SUMMARY_COLUMNS: tuple[str, ...] = (
    "outlet",
    "n_sentences",
    "n_unique",
    "unique_share",  # n_unique / n_sentences
    "unique_quote",  # unique statements by kind
    "unique_number",
    "unique_name",
    "unique_statement",
    "n_missing",  # facts carried by 2+ (or most) others, left out
    "n_missing_numbers",  # key figures reported by 2+ (or most) others, left out
)


def omissions_summary(rows: Iterable[Mapping[str, Any]] | Alignment) -> pd.DataFrame:
    """One row per outlet with :data:`OMISSION_SUMMARY_COLUMNS` (for a bar chart)."""
    recs = []
    for o, om in omissions(rows).items():
        kinds = Counter(om.unique["kind"])
        recs.append(
            {
                "outlet": o,
                "n_sentences": om.n_sentences,
                "n_unique": om.n_unique,
                "unique_share": om.n_unique / om.n_sentences if om.n_sentences else 0.0,
                "unique_quote": kinds.get("quote", 0),
                "unique_number": kinds.get("number", 0),
                "unique_name": kinds.get("name", 0),
                "unique_statement": kinds.get("statement", 0),
                "n_missing": len(om.missing),
                "n_missing_numbers": len(om.missing_numbers),
            }
        )
    return pd.DataFrame(recs, columns=list(OMISSION_SUMMARY_COLUMNS))


@dataclass(frozen=True)
class CoverageMatrix:
    """Who reported what: three frames sharing the index (fact id); outlets are the columns."""

    facts: pd.DataFrame  # FACT_COLUMNS, index fact
    carried: pd.DataFrame  # bool: the outlet carries the fact
    sentences: pd.DataFrame  # str: the outlet's sentence for the fact ("" when it does not carry it)

    def to_frame(self) -> pd.DataFrame:
        """One wide frame: label, n_outlets, kind, then one bool column per outlet."""
        return pd.concat([self.facts[["label", "n_outlets", "kind"]], self.carried], axis=1)


def coverage_matrix(
    rows: Iterable[Mapping[str, Any]] | Alignment,
    max_facts: int | None = DEFAULT_MAX_FACTS,
    min_outlets: int = 1,
) -> CoverageMatrix:
    """The "who reported what" matrix: facts (rows) x outlets (columns).

    Facts are ordered by how many outlets carry them, then by where they appear in the articles (lead
    facts first); ``max_facts`` keeps the first ones.  ``min_outlets=2`` hides statements only one
    outlet makes.  A cell's sentence is the outlet's member of the fact or, failing that, its sentence
    (possibly its headline) that best matches one of the fact's members.
    """
    al = align_event(rows)
    f = al.facts[al.facts["n_outlets"] >= min_outlets]
    if max_facts is not None:
        f = f.head(max_facts)
    f = f.set_index("fact", drop=False)
    sent = al.sentences["sentence"].tolist()
    outlet_of = al.sentences["outlet"].tolist()
    code_of = {o: k for k, o in enumerate(al.outlets)}
    carried = np.zeros((len(f), len(al.outlets)), dtype=bool)
    texts = np.full((len(f), len(al.outlets)), "", dtype=object)
    for r, (mem, outs) in enumerate(zip(f["members"], f["outlets"], strict=True)):
        own = {outlet_of[m]: sent[m] for m in mem}
        mem_arr = np.asarray(mem)
        for o in outs:
            k = code_of[o]
            carried[r, k] = True
            if o in own:
                texts[r, k] = own[o]
            else:
                best_member = mem_arr[int(np.nanargmax(al.best[mem_arr, k]))]
                texts[r, k] = sent[int(al.best_sid[best_member, k])]
    cols = list(al.outlets)
    return CoverageMatrix(
        facts=f,
        carried=pd.DataFrame(carried, index=f.index, columns=cols),
        sentences=pd.DataFrame(texts, index=f.index, columns=cols),
    )


NUMBER_META_COLUMNS: tuple[str, ...] = (
    "number",  # the figure as most often written: "17 percent", "38 million crowns"
    "kind",  # "percent", "money" or "count"
    "value",  # numeric value (38000000.0)
    "n_outlets",
    "context",  # the first sentence it appears in, shortened
)


def numbers_matrix(
    rows: Iterable[Mapping[str, Any]] | Alignment, include_counts: bool = True
) -> pd.DataFrame:
    """Key figures x outlets: each percentage, money amount (and plain count) and who reports it.

    Columns: :data:`NUMBER_META_COLUMNS`, then one bool column per outlet (headlines count).  Years,
    dates and bare number words ("three") are left out.  Sorted by n_outlets descending, then kind
    (percent, money, count), then value.
    """
    al = align_event(rows)
    s = al.sentences
    kinds = {"percent", "money", "count"} if include_counts else {"percent", "money"}
    seen: dict[str, dict[str, Any]] = {}
    for outlet, sent, nums in zip(s["outlet"], s["sentence"], s["numbers"], strict=True):
        for nb in nums:
            if nb.kind not in kinds:
                continue
            rec = seen.setdefault(
                nb.key,
                {"kind": nb.kind, "value": nb.value, "forms": Counter(), "outlets": set(), "context": sent},
            )
            rec["forms"][nb.text] += 1
            rec["outlets"].add(outlet)
    cols = list(NUMBER_META_COLUMNS) + list(al.outlets)
    if not seen:
        return pd.DataFrame({c: pd.Series(dtype=bool if c in al.outlets else object) for c in cols})
    kind_order = {"percent": 0, "money": 1, "count": 2}
    recs = []
    for rec in seen.values():
        row = {
            "number": rec["forms"].most_common(1)[0][0],
            "kind": rec["kind"],
            "value": rec["value"],
            "n_outlets": len(rec["outlets"]),
            "context": shorten(rec["context"]),
        }
        row |= {o: o in rec["outlets"] for o in al.outlets}
        recs.append(row)
    df = pd.DataFrame(recs, columns=cols)
    order = df["kind"].map(kind_order)
    df = df.assign(_k=order).sort_values(
        ["n_outlets", "_k", "value"], ascending=[False, True, True], kind="mergesort"
    )
    return df.drop(columns="_k").reset_index(drop=True)
