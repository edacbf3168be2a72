"""Per-outlet comparison statistics, with uncertainty, as pandas DataFrames.

Input is what ``Store.event_articles`` returns: a list of article dicts (with ``text``,
``spans`` and ``sentences`` for the sentence-level functions).  Everything here is pure:
the same rows give the same numbers (the bootstrap uses a fixed seed).

Uncertainty: for each outlet, the sentences of its articles are resampled with
replacement (N_RESAMPLES times, seed SEED) and the 2.5th and 97.5th percentiles of the
resampled statistic form a 95% percentile interval, for

* sentiment: the mean sentence compound, weighted by sentence length in words (the same
  definition as an article's own score, so with one article the estimate matches it);
* loaded language: the outlet's own (unquoted) loaded weight per 1,000 words (hits in short quoted
  fragments in part: see analysis.scoring.fragments).

These intervals describe how much the result depends on which sentences happened to be
written; with one article per outlet they say nothing about the outlet's usual coverage,
and the page says so.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.compare.intervals import (
    BOOTSTRAP_CHUNK,
    LEVEL,
    N_RESAMPLES,
    SEED,
    Interval,
    bootstrap_ratio,
    bootstrap_ratios,
    intervals_overlap,
)
from analysis.compare.overview import (
    event_coverage,
    outlet_event_matrix,
    outlet_overview,
    outlet_timeline,
    unresolved_failures,
)
from analysis.compare.rows import (
    AMBER_HEALTH,
    THIN_ARTICLES,
    WORD_RE,
    health_level,
    span_field,
    usable,
    word_count,
)
from analysis.compare.topics import TOPIC_RULE
from analysis.scoring.fragments import own_shares

PER_WORDS = 1000.0  # loaded-language rates are per 1,000 words
TOP_WORDS = 3  # flagged words shown per outlet in the summary
SNIPPET_CHARS = 160  # characters of a sentence kept for hover text
# --- bootstrap ---------------------------------------------------------------------


def articles_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """One row per article with its scores (no text), dates as UTC timestamps."""
    keep = (
        "id",
        "event",
        "outlet",
        "domain",
        "title",
        "authors",
        "published",
        "url",
        "source",
        "health",
        "problems",
        "reason",
        "words",
        "sentiment",
        "headline_sentiment",
        "positive_share",
        "negative_share",
        "n_sentences",
        "loaded_rate",
        "quoted_rate",
        "loaded_count",
        "categories",
    )
    df = pd.DataFrame([{k: r.get(k) for k in keep} for r in rows], columns=list(keep))
    df["published"] = pd.to_datetime(df["published"], utc=True, errors="coerce")
    for col in ("sentiment", "headline_sentiment", "loaded_rate", "quoted_rate", "words"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    return df


SENTENCE_COLUMNS = [
    "article_id",
    "outlet",
    "title",
    "index",
    "position",
    "compound",
    "words",
    "loaded",
    "quoted_loaded",
    "snippet",
]


def _article_sentences(r: dict) -> dict[str, object] | None:
    """The columns of :func:`sentence_frame` for one article row (None when it has none)."""
    text = r.get("text") or ""
    sents = [s for s in (r.get("sentences") or []) if len(s) >= 3 and s[1] > s[0]]
    if not text or not sents:
        return None
    # Columns straight from the stored lists (no per-sentence tuples: ~800k of them for a 5 MB text)
    starts = np.fromiter((int(s[0]) for s in sents), dtype=np.int64, count=len(sents))
    ends = np.fromiter((int(s[1]) for s in sents), dtype=np.int64, count=len(sents))
    compound = np.fromiter((float(s[2]) for s in sents), dtype=float, count=len(sents))
    if len(starts) > 1 and not (starts[1:] >= starts[:-1]).all():
        order = np.argsort(starts, kind="stable")  # in text order (stable: as sorted() did)
        starts, ends, compound = starts[order], ends[order], compound[order]
    del sents
    raw_words = np.fromiter(
        (max(1, word_count(text[a:b])) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)),
        dtype=np.int64,
        count=len(starts),
    )
    total = int(raw_words.sum())
    stored = r.get("words") or 0
    factor = stored / total if stored and total else 1.0
    # Each span goes to the last sentence starting at or before it (the first one when it starts
    # earlier): one vectorised binary search for all spans, O((sentences + spans) log sentences).
    spans = r.get("spans") or []
    span_start = np.fromiter(
        (int(span_field(sp, "start", 0)) for sp in spans), dtype=np.int64, count=len(spans)
    )
    weight = np.fromiter(
        (float(span_field(sp, "weight", 0.0) or 0.0) for sp in spans), dtype=float, count=len(spans)
    )
    quoted = np.fromiter(
        (bool(span_field(sp, "quoted", False)) for sp in spans), dtype=bool, count=len(spans)
    )
    idx = np.maximum(np.searchsorted(starts, span_start, side="right") - 1, 0)
    # The share of each hit in the outlet's own rate (quoted fragments count in part: see
    # analysis.scoring.loaded.FRAGMENT_QUOTE_SHARE), as the article's stored rate counts it.
    own = np.ones(len(spans))
    if quoted.any():
        q = np.flatnonzero(quoted)
        own[q] = own_shares(
            text, [(int(span_start[i]), int(span_field(spans[i], "end", 0)), True) for i in q]
        )
    n = max(1, len(text))
    return {
        "article_id": [r.get("id")] * len(starts),
        "outlet": [r.get("outlet")] * len(starts),
        "title": [r.get("title") or ""] * len(starts),
        "index": np.arange(len(starts), dtype=np.int64),
        "position": 100.0 * (starts + ends) / 2.0 / n,
        "compound": compound,
        "words": raw_words * factor,
        "loaded": np.bincount(idx, weights=weight * own, minlength=len(starts)),
        "quoted_loaded": np.bincount(idx, weights=weight * (1.0 - own), minlength=len(starts)),
        "snippet": [
            " ".join(text[a:b].split())[:SNIPPET_CHARS]
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        ],
    }


def sentence_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """One row per sentence of every usable article.

    Columns: article_id, outlet, title, index, position (sentence middle as % of the text),
    compound, words (scaled so an article's sentences sum to its stored word count),
    loaded (unquoted span weight in the sentence), quoted_loaded, snippet.

    Built column-wise per article: O(n log n) in the sentences and spans of an article (a 5 MB text
    of one-word sentences has ~800k sentences and ~300k spans).
    """
    parts = [cols for r in rows if usable(r) and (cols := _article_sentences(r)) is not None]
    if not parts:
        return pd.DataFrame([], columns=SENTENCE_COLUMNS)
    if len(parts) == 1:
        return pd.DataFrame(parts[0], columns=SENTENCE_COLUMNS)
    return pd.concat([pd.DataFrame(p, columns=SENTENCE_COLUMNS) for p in parts], ignore_index=True)


def flagged_words(rows: Iterable[dict], *, include_quoted: bool = False) -> pd.DataFrame:
    """Counts of flagged words per outlet: outlet, word (lower case), category, count, weight.

    Sorted by outlet, then most frequent (then heaviest) first.  Quoted hits are the
    speakers' words and are left out unless ``include_quoted``.
    """
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    weights: dict[tuple[str, str], float] = defaultdict(float)
    for r in rows:
        if not usable(r):
            continue
        for sp in r.get("spans") or []:
            if span_field(sp, "quoted", False) and not include_quoted:
                continue
            if span_field(sp, "rule") == TOPIC_RULE:
                continue  # a topic word of the event: shown, never counted
            word = " ".join(str(span_field(sp, "text", "")).lower().split())
            if not word:
                continue
            key = (r["outlet"], word)
            counts[key][str(span_field(sp, "category", "") or "loaded")] += 1
            weights[key] += float(span_field(sp, "weight", 0.0) or 0.0)
    data = [
        {
            "outlet": outlet,
            "word": word,
            "category": cats.most_common(1)[0][0],
            "count": sum(cats.values()),
            "weight": weights[(outlet, word)],
        }
        for (outlet, word), cats in counts.items()
    ]
    df = pd.DataFrame(data, columns=["outlet", "word", "category", "count", "weight"])
    return df.sort_values(
        ["outlet", "count", "weight", "word"], ascending=[True, False, False, True]
    ).reset_index(drop=True)


def category_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """Loaded weight by outlet and category per 1,000 of the outlet's words.

    Columns: outlet, category, weight, per_1000.
    """
    weight: dict[tuple[str, str], float] = defaultdict(float)
    words: dict[str, float] = defaultdict(float)
    for r in rows:
        if not usable(r):
            continue
        words[r["outlet"]] += float(r.get("words") or 0)
        for cat, w in (r.get("categories") or {}).items():
            weight[(r["outlet"], cat)] += float(w or 0.0)
    data = [
        {
            "outlet": o,
            "category": c,
            "weight": w,
            "per_1000": PER_WORDS * w / words[o] if words[o] else 0.0,
        }
        for (o, c), w in weight.items()
    ]
    df = pd.DataFrame(data, columns=["outlet", "category", "weight", "per_1000"])
    return df.sort_values(["outlet", "per_1000"], ascending=[True, False]).reset_index(drop=True)


SUMMARY_COLUMNS = [
    "outlet",
    "articles",
    "sentences",
    "words",
    "sentiment",
    "sentiment_lo",
    "sentiment_hi",
    "loaded",
    "loaded_lo",
    "loaded_hi",
    "headline_sentiment",
    "quoted_rate",
    "top_words",
    "thin",
    "problems",
]


def outlet_summary(rows: Sequence[dict], *, sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per outlet of an event, most negative first, with bootstrap intervals over sentences.

    Columns: SUMMARY_COLUMNS.  ``top_words`` is a list of (word, count) of the outlet's own
    flagged words; ``thin`` is True with fewer than THIN_ARTICLES usable articles;
    ``problems`` counts the outlet's articles whose health is not "ok".
    """
    sentences = sentence_frame(rows) if sentences is None else sentences
    words = flagged_words(rows)
    by_outlet: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_outlet[r["outlet"]].append(r)
    out = []
    for outlet, arts in by_outlet.items():
        good = [a for a in arts if usable(a)]
        sent = sentences[sentences["outlet"] == outlet]
        w = sent["words"].to_numpy(dtype=float)
        s_int, l_int = bootstrap_ratios(
            [
                (sent["compound"].to_numpy(dtype=float) * w, w),
                (PER_WORDS * sent["loaded"].to_numpy(dtype=float), w),
            ]
        )
        heads = [a["headline_sentiment"] for a in good if a.get("headline_sentiment") is not None]
        total_words = sum(float(a.get("words") or 0) for a in good)
        quoted = (
            sum(float(a.get("quoted_rate") or 0) * float(a.get("words") or 0) for a in good) / total_words
            if total_words
            else float("nan")
        )
        top = words[words["outlet"] == outlet].head(TOP_WORDS)
        out.append(
            {
                "outlet": outlet,
                "articles": len(good),
                "sentences": len(sent),
                "words": int(total_words),
                "sentiment": s_int.estimate,
                "sentiment_lo": s_int.lo,
                "sentiment_hi": s_int.hi,
                "loaded": l_int.estimate,
                "loaded_lo": l_int.lo,
                "loaded_hi": l_int.hi,
                "headline_sentiment": float(np.mean(heads)) if heads else float("nan"),
                "quoted_rate": quoted,
                "top_words": list(zip(top["word"], top["count"].astype(int), strict=True)),
                "thin": len(good) < THIN_ARTICLES,
                "problems": sum(1 for a in arts if (a.get("health") or "ok") != "ok"),
            }
        )
    df = pd.DataFrame(out, columns=SUMMARY_COLUMNS)
    return df.sort_values(["sentiment", "outlet"], na_position="last").reset_index(drop=True)


# --- plain-language findings ---------------------------------------------------------


def _fmt_interval(est: float, lo: float, hi: float, fmt: str) -> str:
    return f"{est:{fmt}} (95% interval {lo:{fmt}} to {hi:{fmt}})"


def compare_pair(summary: pd.DataFrame, metric: str, a: str, b: str) -> str:
    """One sentence comparing outlets ``a`` and ``b`` on ``metric`` ("sentiment" or "loaded")."""
    rows = summary.set_index("outlet")
    ra, rb = rows.loc[a], rows.loc[b]  # one row each: outlets are unique in a summary
    bounds = (ra[f"{metric}_lo"], ra[f"{metric}_hi"], rb[f"{metric}_lo"], rb[f"{metric}_hi"])
    if intervals_overlap(*(float(x) for x in bounds)):  # type: ignore[arg-type]  # stubs: a Series
        return f"The difference between {a} and {b} is within the uncertainty."
    if metric == "sentiment":
        more, less = (a, b) if ra["sentiment"] < rb["sentiment"] else (b, a)
        return f"{more} is more negative than {less}, beyond the uncertainty (the intervals do not overlap)."
    more, less = (a, b) if ra["loaded"] > rb["loaded"] else (b, a)
    return (
        f"{more} uses more loaded language than {less}, beyond the uncertainty "
        "(the intervals do not overlap)."
    )


def findings(summary: pd.DataFrame) -> dict[str, list[str]]:
    """Plain-language answers for the top of the compare page.

    Keys: "negative" (who was most negative, and whether that is beyond the uncertainty),
    "loaded" (the same for loaded language), "words" (each outlet's top flagged words) and
    "caveats" (thin evidence, a single outlet ...).  Outlet names are returned as given:
    escape them before rendering as HTML or markdown.
    """
    data = summary.dropna(subset=["sentiment"])
    res: dict[str, list[str]] = {"negative": [], "loaded": [], "words": [], "caveats": []}
    if data.empty:
        res["caveats"].append("No article of this event could be scored.")
        return res
    if len(data) == 1:
        only = data.iloc[0]
        res["negative"].append(
            f"Only one outlet ({only['outlet']}): sentiment "
            + _fmt_interval(only["sentiment"], only["sentiment_lo"], only["sentiment_hi"], "+.2f")
            + ". Add another outlet's article to compare."
        )
    else:
        for metric, key, fmt, most in (
            # pandas-stubs type idxmin/idxmax as Hashable, which .loc's overloads do not accept
            ("sentiment", "negative", "+.2f", data.loc[data["sentiment"].idxmin()]),  # type: ignore[call-overload]
            ("loaded", "loaded", ".1f", data.loc[data["loaded"].idxmax()]),  # type: ignore[call-overload]
        ):
            name = most["outlet"]
            lo, hi = most[f"{metric}_lo"], most[f"{metric}_hi"]
            if metric == "sentiment":
                res[key].append(f"Most negative: {name} ({most[metric]:{fmt}}).")
            else:
                res[key].append(f"Most loaded language: {name} ({most[metric]:{fmt}} per 1,000 words).")
            others = data[data["outlet"] != name]
            same = [
                o
                for o, o_lo, o_hi in zip(
                    others["outlet"], others[f"{metric}_lo"], others[f"{metric}_hi"], strict=True
                )
                if intervals_overlap(o_lo, o_hi, lo, hi)
            ]
            apart = [o for o in others["outlet"] if o not in same]
            if same:
                res[key].append(
                    f"The difference between {name} and {_join(same, 'or')} is within the uncertainty."
                )
            if apart:
                less = "less negative" if metric == "sentiment" else "less loaded"
                verb = "was" if len(apart) == 1 else "were"
                res[key].append(f"{_join(apart)} {verb} {less}, beyond the uncertainty.")
    for _, row in data.iterrows():
        if row["top_words"]:
            listed = ", ".join(f"“{w}” ×{c}" for w, c in row["top_words"])
            res["words"].append(f"{row['outlet']}: {listed}")
        else:
            res["words"].append(f"{row['outlet']}: no loaded words of its own")
    thin = list(data.loc[data["thin"], "outlet"])
    if thin and len(thin) == len(data):
        res["caveats"].append(
            "Each outlet has a single article on this event, so the evidence is thin: the intervals "
            "show how much the result depends on individual sentences of that one article, not how the "
            "outlet usually writes."
        )
    elif thin:
        res["caveats"].append(
            f"{_join(thin)} {'has' if len(thin) == 1 else 'have'} a single article here: the evidence for "
            f"{'it' if len(thin) == 1 else 'them'} is thin."
        )
    small = list(data.loc[data["sentences"] < 5, "outlet"])
    if small:
        res["caveats"].append(f"Very few sentences for {_join(small)}: treat those numbers with care.")
    return res


def _join(names: Sequence[str], conj: str = "and") -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {conj} " + names[-1]


# --- across events -----------------------------------------------------------------


__all__ = [
    "AMBER_HEALTH",
    "BOOTSTRAP_CHUNK",
    "LEVEL",
    "N_RESAMPLES",
    "PER_WORDS",
    "SEED",
    "SENTENCE_COLUMNS",
    "SNIPPET_CHARS",
    "SUMMARY_COLUMNS",
    "THIN_ARTICLES",
    "TOP_WORDS",
    "WORD_RE",
    "Interval",
    "articles_frame",
    "bootstrap_ratio",
    "bootstrap_ratios",
    "category_frame",
    "compare_pair",
    "event_coverage",
    "findings",
    "flagged_words",
    "health_level",
    "intervals_overlap",
    "outlet_event_matrix",
    "outlet_overview",
    "outlet_summary",
    "outlet_timeline",
    "sentence_frame",
    "unresolved_failures",
    "usable",
    "word_count",
]
