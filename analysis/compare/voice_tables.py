"""Voices per event and per outlet: tables built from :func:`analysis.compare.voices.find_quotes`.

- :func:`event_voices` — one row per quote (outlet, article, speaker, role, verb, kind, text);
- :func:`voice_share` — per outlet and speaker: quotes, quoted words, share of the outlet's
  quoted words, and whether only this outlet quotes the speaker;
- :func:`verb_table` — attribution verbs per outlet;
- :func:`outlet_voice_mix` — per outlet (across events): share of quotes per role and the rate of
  unnamed sources.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import pandas as pd

from analysis.compare.mentions import link_names
from analysis.compare.roles import ROLES, apply_overrides
from analysis.compare.voices import find_quotes
from analysis.scoring.text import count_words

VOICE_COLUMNS: tuple[str, ...] = (
    "outlet",
    "article_id",
    "title",
    "speaker",  # canonical name, linked across the event's outlets; "(unattributed)" when none
    "named",  # a named person or organisation (False: "officials", "a spokesperson")
    "role",  # analysis.compare.roles.ROLES
    "verb",  # "said", "warned", "according to"; "" for a colon or a continued quotation
    "kind",  # direct / partial / indirect
    "words",  # words of the quote
    "text",
    "event",
    "start",  # character offsets in the article text
    "end",
)
UNATTRIBUTED = "(unattributed)"


def quote_records(text: str) -> list[dict]:
    """The quotes of one article text as plain dicts (what :func:`event_voices` reads of each): stored
    per article by ``analysis.compare.derived`` so pages need not find them again."""
    return [
        {
            "speaker": q.speaker or UNATTRIBUTED,
            "named": q.named,
            "role": q.role,
            "verb": q.verb,
            "kind": q.kind,
            "words": count_words(q.text),
            "text": q.text,
            "start": q.start,
            "end": q.end,
        }
        for q in find_quotes(text)
    ]


def event_voices(
    rows: Sequence[Mapping],
    overrides: Mapping[str, str] | None = None,
    quotes: Mapping[int, Sequence[Mapping]] | None = None,
) -> pd.DataFrame:
    """One row per quote in the articles ``rows`` (dicts with id, outlet, title, text, event).

    ``quotes``: article id -> :func:`quote_records` of its text, computed before (rows without an
    entry, or without an id, are read from their text; then ``text`` may be left out of rows that
    have one)."""
    records: list[dict] = []
    for r in rows:
        found = quotes.get(r["id"]) if quotes is not None and r.get("id") is not None else None
        for q in quote_records(r.get("text") or "") if found is None else found:
            records.append(
                {
                    "outlet": r.get("outlet") or "",
                    "article_id": r.get("id"),
                    "title": r.get("title") or "",
                    **{k: q[k] for k in ("speaker", "named", "role", "verb", "kind", "words", "text")},
                    "event": r.get("event") or "",
                    "start": q["start"],
                    "end": q["end"],
                }
            )
    frame = pd.DataFrame(records, columns=list(VOICE_COLUMNS))
    if len(frame):
        named = frame[frame["named"]]
        canon = link_names({n: Counter({"person": 1}) for n in named["speaker"].unique()})
        frame.loc[frame["named"], "speaker"] = named["speaker"].map(lambda n: canon.get(n, n))
        # One role per speaker across the event: the most specific role seen for them.
        best = (
            frame[frame["role"] != "unknown"]
            .groupby("speaker")["role"]
            .agg(lambda s: min(s, key=lambda r: ROLES.index(r) if r in ROLES else len(ROLES)))
        )
        frame["role"] = [
            apply_overrides(best.get(s, r) if n else r, s, overrides)
            for s, r, n in zip(frame["speaker"], frame["role"], frame["named"], strict=True)
        ]
    return frame


def voice_share(voices: pd.DataFrame) -> pd.DataFrame:
    """Per outlet and speaker: quotes, words, share of the outlet's quoted words, only_outlet."""
    cols = ["outlet", "speaker", "role", "named", "quotes", "words", "share", "only_outlet", "verbs"]
    if voices.empty:
        return pd.DataFrame(columns=cols)
    g = voices.groupby(["outlet", "speaker"], sort=True)
    out = g.agg(
        role=("role", "first"),
        named=("named", "first"),
        quotes=("text", "size"),
        words=("words", "sum"),
        verbs=("verb", lambda v: ", ".join(f"{k} ×{n}" for k, n in Counter(x for x in v if x).most_common())),
    ).reset_index()
    totals = out.groupby("outlet")["words"].transform("sum")
    out["share"] = (out["words"] / totals.where(totals > 0)).fillna(0.0).round(3)
    n_outlets = out.groupby("speaker")["outlet"].transform("nunique")
    out["only_outlet"] = (n_outlets == 1) & (out["outlet"].nunique() > 1) & (out["speaker"] != UNATTRIBUTED)
    return out[cols].sort_values(["outlet", "share"], ascending=[True, False]).reset_index(drop=True)


def verb_table(voices: pd.DataFrame) -> pd.DataFrame:
    """Outlet × attribution verb: number of quotes ("(colon/continued)" for quotes with no verb)."""
    if voices.empty:
        return pd.DataFrame()
    verbs = voices["verb"].replace("", "(colon/continued)")
    return pd.crosstab(verbs, voices["outlet"]).rename_axis(index="verb", columns=None)


def outlet_voice_mix(voices: pd.DataFrame) -> pd.DataFrame:
    """Per outlet: quotes, events, share of quotes per role, and the share of unnamed sources."""
    roles = [r for r in ROLES if r != "unknown"] + ["unknown"]
    cols = ["outlet", "quotes", "events", "unnamed_share", *roles]
    if voices.empty:
        return pd.DataFrame(columns=cols)
    attributed = voices[voices["speaker"] != UNATTRIBUTED]
    rows = []
    for outlet, part in voices.groupby("outlet", sort=True):
        att = attributed[attributed["outlet"] == outlet]
        counts = Counter(att["role"])
        n = max(len(att), 1)
        rows.append(
            {
                "outlet": outlet,
                "quotes": len(part),
                "events": part["event"].nunique(),
                "unnamed_share": round(float((~att["named"]).sum()) / n, 3),
                **{r: round(counts.get(r, 0) / n, 3) for r in roles},
            }
        )
    return pd.DataFrame(rows, columns=cols)
