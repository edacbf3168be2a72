"""Coverage comparisons: headline versus body, blindspots of outlet groups, coverage over time.

Pure functions over the store's row dicts (``Store.event_articles``): no database, no charts.

- :func:`headline_vs_body`: per article, the headline's sentiment and loaded language against the
  body's, from the stored scores (recomputed from ``title``/``text`` when a row lacks them);
  :func:`headline_body_summary` averages it per outlet.
- :func:`blindspots`: with outlet groups of one dimension (the store's ``outlet_groups(dimension)``:
  user-defined or shipped plain facts), which events each group did not cover although others did.
- :func:`coverage_over_time`: article counts per period per outlet or group.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.ingest.outlets import Outlet, load_outlets
from analysis.scoring.loaded import analyze_loaded
from analysis.scoring.sentiment import sentence_sentiment
from analysis.scoring.text import count_words

# A headline is "more negative" (or positive) than its body when the VADER compounds differ by more
# than this: twice VADER's own neutral band (+/-0.05), so rounding noise on short texts is ignored.
HEADLINE_GAP = 0.1
UNGROUPED = "(no group)"  # label for outlets the user has not put in any group

# --------------------------------------------------------------------------------------------------
# Headline versus body
# --------------------------------------------------------------------------------------------------

HEADLINE_COLUMNS: tuple[str, ...] = (
    "id",
    "event",
    "outlet",
    "title",
    "headline_sentiment",  # VADER compound of the headline, -1..1 (NaN without a headline)
    "body_sentiment",  # the article's compound (length-weighted mean over sentences), -1..1
    "sentiment_gap",  # headline_sentiment - body_sentiment: < 0 the headline is darker than the story
    "headline_words",
    "headline_loaded_hits",  # the outlet's own (unquoted) loaded-language hits in the headline
    "headline_loaded_per_1000",  # their summed weight per 1,000 headline words (same unit as loaded_rate)
    "body_loaded_rate",  # the body's own weighted hits per 1,000 words (the stored loaded_rate)
    "loaded_gap",  # headline_loaded_per_1000 - body_loaded_rate
    "headline_loaded_terms",  # tuple of the headline's unquoted loaded words, as written
    "recomputed",  # True when a headline or body score was missing and computed here
)


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _span_fields(span: Any) -> tuple[str, float, bool]:
    """(text, weight, quoted) of a stored span dict or a models.Span."""
    if isinstance(span, Mapping):
        return str(span.get("text", "")), float(span.get("weight", 0.0)), bool(span.get("quoted", False))
    return span.text, span.weight, span.quoted


def _headline_row(row: Mapping[str, Any]) -> dict[str, Any]:
    title = " ".join((row.get("title") or "").split())
    text = row.get("text") or ""
    recomputed = False

    head_sent = _num(row.get("headline_sentiment"))
    if head_sent is None and title:
        head_sent = sentence_sentiment(title).compound
        recomputed = True

    spans = row.get("headline_spans")
    if spans is None and title:
        spans = analyze_loaded(title).spans
        recomputed = True
    own = [(t, w) for t, w, quoted in map(_span_fields, spans or ()) if not quoted]
    words = count_words(title)

    body_sent = _num(row.get("sentiment"))
    body_rate = _num(row.get("loaded_rate"))
    if body_sent is None and text:
        body_sent = sentence_sentiment(text).compound
        recomputed = True
    if body_rate is None and text:
        body_rate = analyze_loaded(text).rate_per_1000
        recomputed = True

    nan = float("nan")
    head_rate = sum(w for _, w in own) * 1000.0 / words if words else nan
    head_sent_f = head_sent if head_sent is not None and title else nan
    body_sent_f = body_sent if body_sent is not None else nan
    body_rate_f = body_rate if body_rate is not None else nan
    return {
        "id": row.get("id"),
        "event": row.get("event"),
        "outlet": row.get("outlet"),
        "title": title,
        "headline_sentiment": head_sent_f,
        "body_sentiment": body_sent_f,
        "sentiment_gap": head_sent_f - body_sent_f,
        "headline_words": words,
        "headline_loaded_hits": len(own),
        "headline_loaded_per_1000": head_rate,
        "body_loaded_rate": body_rate_f,
        "loaded_gap": head_rate - body_rate_f,
        "headline_loaded_terms": tuple(t for t, _ in own),
        "recomputed": recomputed,
    }


def headline_vs_body(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per article with :data:`HEADLINE_COLUMNS`.

    Uses the stored ``headline_sentiment``, ``headline_spans``, ``sentiment`` and ``loaded_rate``; a
    value that is missing (a row loaded without text, an unscored article) is computed from ``title``
    or ``text`` with the project's scorers.  An article without a headline has NaN headline values.
    """
    return pd.DataFrame([_headline_row(r) for r in rows], columns=list(HEADLINE_COLUMNS))


HEADLINE_SUMMARY_COLUMNS: tuple[str, ...] = (
    "outlet",
    "articles",
    "headline_sentiment",  # mean over the outlet's articles
    "body_sentiment",  # mean
    "sentiment_gap",  # mean of the per-article gaps
    "darker_headline_share",  # share of articles whose headline is more negative by > HEADLINE_GAP
    "brighter_headline_share",  # share whose headline is more positive by > HEADLINE_GAP
    "headline_loaded_per_1000",  # mean
    "body_loaded_rate",  # mean
    "loaded_headline_share",  # share of headlines with at least one unquoted loaded-language hit
)


def headline_body_summary(data: pd.DataFrame | Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Per outlet (:data:`HEADLINE_SUMMARY_COLUMNS`), from :func:`headline_vs_body`'s frame or from rows.

    Articles without a headline are left out.  Sorted by mean sentiment gap, darkest headlines first.
    """
    df = data if isinstance(data, pd.DataFrame) else headline_vs_body(data)
    df = df[df["headline_words"] > 0]
    if df.empty:
        return pd.DataFrame(columns=list(HEADLINE_SUMMARY_COLUMNS))
    g = df.assign(
        darker=df["sentiment_gap"] < -HEADLINE_GAP,
        brighter=df["sentiment_gap"] > HEADLINE_GAP,
        loaded=df["headline_loaded_hits"] > 0,
    ).groupby("outlet", sort=True)
    out = pd.DataFrame(
        {
            "articles": g.size(),
            "headline_sentiment": g["headline_sentiment"].mean(),
            "body_sentiment": g["body_sentiment"].mean(),
            "sentiment_gap": g["sentiment_gap"].mean(),
            "darker_headline_share": g["darker"].mean(),
            "brighter_headline_share": g["brighter"].mean(),
            "headline_loaded_per_1000": g["headline_loaded_per_1000"].mean(),
            "body_loaded_rate": g["body_loaded_rate"].mean(),
            "loaded_headline_share": g["loaded"].mean(),
        }
    ).reset_index()
    return out.sort_values(["sentiment_gap", "outlet"], kind="mergesort").reset_index(drop=True)[
        list(HEADLINE_SUMMARY_COLUMNS)
    ]


# --------------------------------------------------------------------------------------------------
# Outlet groups and blindspots
# --------------------------------------------------------------------------------------------------


def outlet_groups(outlets: Mapping[str, Outlet] | None = None) -> dict[str, str]:
    """Outlet name -> the older single ``group`` column of an outlets table (``load_outlets()`` by
    default); ungrouped outlets are left out.  The pages and the CLI use the stored groups instead."""
    table = load_outlets() if outlets is None else outlets
    return {o.name: o.group for o in table.values() if o.group}


def _group_of(outlet: Any, groups: Mapping[str, str]) -> str:
    g = groups.get(outlet) if outlet is not None else None
    return g if g else UNGROUPED


BLINDSPOT_COLUMNS: tuple[str, ...] = (
    "event",
    "articles",
    "outlets",  # distinct outlets that covered it
    "first_published",  # earliest publication date (NaT when none is known)
    "last_published",
    "covered_groups",  # tuple of the groups with at least one article
    "missing_groups",  # tuple of the groups with none: the event is a blindspot of each of them
    "n_missing",
    "is_blindspot",  # some group is missing while at least min_covering_groups others covered it
    "dominant_group",  # the group with most of the (grouped) articles (NA when none)
    "dominant_share",  # its share of the grouped articles, 0..1
    UNGROUPED,  # articles from outlets in no group
)


def blindspots(
    rows: Iterable[Mapping[str, Any]],
    outlet_groups: Mapping[str, str],
    *,
    min_covering_groups: int = 1,
) -> pd.DataFrame:
    """Events with their article count per outlet group and the groups that did not cover them.

    ``outlet_groups`` maps outlet name -> group (see :func:`outlet_groups`); outlets missing from it
    are counted under UNGROUPED and never make a blindspot.  Every group in the mapping is listed,
    including groups with no article at all.  An event missing group G while at least
    ``min_covering_groups`` other groups covered it is a blindspot of G.  Rows without an event are
    skipped.

    Columns: :data:`BLINDSPOT_COLUMNS`, then one int column per group (sorted by name).  Sorted with
    blindspots first, then by the number of missing groups and by articles.
    """
    groups = sorted({g for g in outlet_groups.values() if g})
    clash = set(groups) & set(BLINDSPOT_COLUMNS)
    if clash:
        raise ValueError(f"outlet group name(s) {sorted(clash)} clash with column names; rename the group")
    cols = list(BLINDSPOT_COLUMNS) + groups
    recs = [
        {
            "event": r.get("event"),
            "outlet": r.get("outlet"),
            "group": _group_of(r.get("outlet"), outlet_groups),
            "published": r.get("published"),
        }
        for r in rows
        if r.get("event") is not None
    ]
    if not recs:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df = pd.DataFrame(recs)
    df["published"] = _to_utc_naive(df["published"])
    counts = df.pivot_table(index="event", columns="group", values="outlet", aggfunc="size", fill_value=0)
    counts = counts.reindex(columns=[*groups, UNGROUPED], fill_value=0).astype("int64")
    by_event = df.groupby("event", sort=True)
    out = pd.DataFrame(
        {
            "articles": by_event.size(),
            "outlets": by_event["outlet"].nunique(),
            "first_published": by_event["published"].min(),
            "last_published": by_event["published"].max(),
        }
    )
    out = out.join(counts)
    grouped = out[groups].to_numpy() if groups else None
    covered: list[tuple[str, ...]] = []
    missing: list[tuple[str, ...]] = []
    dominant: list[str | None] = []
    share: list[float] = []
    flag: list[bool] = []
    for i in range(len(out)):
        row = grouped[i] if grouped is not None else []
        cov = tuple(g for g, n in zip(groups, row, strict=True) if n > 0)
        miss = tuple(g for g, n in zip(groups, row, strict=True) if n == 0)
        total = int(sum(row))
        covered.append(cov)
        missing.append(miss)
        flag.append(bool(miss) and len(cov) >= min_covering_groups)
        if total:
            k = list(row).index(max(row))  # the largest count; on a tie, the first group
            dominant.append(groups[k])
            share.append(row[k] / total)
        else:
            dominant.append(None)
            share.append(float("nan"))
    out["covered_groups"] = covered
    out["missing_groups"] = missing
    out["n_missing"] = [len(m) for m in missing]
    out["is_blindspot"] = flag
    out["dominant_group"] = dominant
    out["dominant_share"] = share
    out = out.reset_index()
    out = out.sort_values(
        ["is_blindspot", "n_missing", "articles", "event"],
        ascending=[False, False, False, True],
        kind="mergesort",
    )
    return out[cols].reset_index(drop=True)


BLINDSPOT_SUMMARY_COLUMNS: tuple[str, ...] = (
    "group",
    "events",  # events considered (all events in the frame)
    "covered",  # events with at least one article from the group
    "blindspots",  # events the group missed while others covered them
    "blindspot_share",  # blindspots / events
    "articles",  # the group's articles over all events
)


def blindspot_summary(blindspot_frame: pd.DataFrame, groups: Sequence[str] | None = None) -> pd.DataFrame:
    """Per group (:data:`BLINDSPOT_SUMMARY_COLUMNS`) from a :func:`blindspots` frame, for a bar chart.

    ``groups``: default every group column of the frame.
    """
    if groups is None:
        groups = [c for c in blindspot_frame.columns[len(BLINDSPOT_COLUMNS) :]]
    n = len(blindspot_frame)
    recs = []
    for g in groups:
        col = (
            blindspot_frame[g] if g in blindspot_frame.columns else pd.Series(0, index=blindspot_frame.index)
        )
        missed = blindspot_frame["is_blindspot"].astype(bool) & blindspot_frame["missing_groups"].map(
            lambda m, g=g: g in m
        )
        recs.append(
            {
                "group": g,
                "events": n,
                "covered": int((col > 0).sum()),
                "blindspots": int(missed.sum()) if n else 0,
                "blindspot_share": float(missed.sum()) / n if n else 0.0,
                "articles": int(col.sum()),
            }
        )
    return pd.DataFrame(recs, columns=list(BLINDSPOT_SUMMARY_COLUMNS))


# --------------------------------------------------------------------------------------------------
# Coverage over time
# --------------------------------------------------------------------------------------------------


def _to_utc_naive(values: pd.Series | Sequence[Any]) -> pd.Series:
    """Datetimes (aware, naive, ISO strings, None) as naive UTC timestamps; unparseable -> NaT."""
    s = pd.Series(values, dtype=object)
    parsed = pd.to_datetime(s, utc=True, errors="coerce", format="mixed")
    return parsed.dt.tz_convert(None)


def coverage_over_time(
    rows: Iterable[Mapping[str, Any]],
    freq: str = "D",
    by: str = "outlet",
    outlet_groups: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Article counts per period (rows) and outlet or group (columns).

    ``freq`` is a pandas period alias ("D", "W", "M" ...); the index (``period``) holds each period's
    start, every period between the first and the last article included (zero-filled).  ``by`` is
    "outlet" or "group" (then ``outlet_groups`` maps outlet name -> group; outlets in no group count
    under UNGROUPED).  Articles without a publication date are left out; their number is in
    ``df.attrs["undated"]``.  Columns are sorted; values are int64.
    """
    if by not in ("outlet", "group"):
        raise ValueError(f"by must be 'outlet' or 'group', got {by!r}")
    if by == "group" and outlet_groups is None:
        raise ValueError("by='group' needs outlet_groups (outlet name -> group)")
    recs = [(r.get("outlet"), r.get("published")) for r in rows]
    keys = [
        _group_of(o, outlet_groups or {}) if by == "group" else (o if o is not None else UNGROUPED)
        for o, _ in recs
    ]
    when = _to_utc_naive([p for _, p in recs]) if recs else pd.Series([], dtype="datetime64[ns]")
    df = pd.DataFrame({"key": keys, "published": when.to_numpy()})
    undated = int(df["published"].isna().sum())
    df = df.dropna(subset=["published"])
    if df.empty:
        out = pd.DataFrame(index=pd.DatetimeIndex([], name="period"), dtype="int64")
        out.attrs["undated"] = undated
        return out
    periods = df["published"].dt.to_period(freq)
    counts = df.groupby([periods.rename("period"), "key"]).size().unstack("key", fill_value=0)
    full = pd.period_range(periods.min(), periods.max(), freq=periods.dt.freq)
    counts = counts.reindex(full, fill_value=0)
    counts.index = full.start_time.rename("period")
    counts = counts.reindex(columns=sorted(counts.columns, key=str)).astype("int64")
    counts.columns.name = None
    counts.attrs["undated"] = undated
    return counts
