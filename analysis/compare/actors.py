"""Actors: the people, organisations and places articles mention, who gets quoted, and how each
article treats them.

Offline and rule-based (no statistical NER model is installable here):

- candidates are runs of capitalised words ("Mirek Sadovar", "United Nations Security Council"),
  allowing lower-case name particles inside ("Bank of England", "Charles de Gaulle") and
  "al-"/"el-" prefixes; a leading "The" and sentence-initial common words ("However", "Critics")
  are dropped, as are days, months and pronouns;
- titles and honorifics are stripped and kept as the mention's ``role`` ("President", "Mr",
  "Foreign Minister"); a bare title ("the President") is not an actor;
- ``lexicons/aliases.tsv`` maps aliases to one canonical name and gives known kinds ("U.S.",
  "America" -> United States; "UN" -> United Nations); demonyms ("French", and "Ostranan" when
  "Ostrana" is mentioned) count as the place only before an institution word ("French officials");
- a surname or first name alone is linked to the one full name in the same text that ends (or
  starts) with it ("Sadovar" -> "Mirek Sadovar"); across the articles of an event the same rule
  merges each outlet's variants (:func:`actor_table`);
- the kind (person / organisation / place / unknown) is a vote over cues: the alias table, a
  title, organisation words (Ministry, Council, Party, Bank ...), place words (City, River ...),
  locative prepositions ("in Castelmar"), speech verbs ("Sadovar said"), full-name shape.

:func:`~analysis.compare.speakers.quote_speakers` attributes direct quotations to speakers
('"...," said X', 'X said: "..."', 'according to X', "he said" resolved to the last person named);
:func:`actor_table` counts, per outlet and actor, mentions, quotations and the sentiment toward the
actor at each mention (:func:`analysis.scoring.target.target_sentiment`).

Modules: :mod:`~analysis.compare.actor_lexicon` (word lists, alias table),
:mod:`~analysis.compare.candidates` (candidate names and kind cues), :mod:`~analysis.compare.mentions`
(linking, kinds, :func:`~analysis.compare.mentions.find_mentions`), :mod:`~analysis.compare.speakers`
(quotation speakers) and this one (the per-event table).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from analysis.compare.actor_lexicon import _TOKEN_RE, INSTITUTION_WORDS
from analysis.compare.mentions import Mention, _demonym_target, _vote_kind, find_mentions, link_names
from analysis.compare.speakers import quote_speakers
from analysis.scoring.target import target_sentiment
from analysis.scoring.text import split_sentences

ACTOR_COLUMNS: tuple[str, ...] = (
    "outlet",  # outlet name as given in the rows
    "actor",  # canonical name, merged across the event's outlets
    "kind",  # person / organisation / place / unknown
    "articles",  # articles of this outlet that mention the actor
    "mentions",  # mentions in bodies and headlines
    "title_mentions",  # of which in headlines
    "quoted",  # direct quotations attributed to the actor
    "positive",  # mentions where the sentence is positive toward the actor
    "neutral",
    "negative",
    "sentiment",  # (positive - negative) / mentions: the mean of +1/0/-1 over mentions, -1..1
    "roles",  # titles seen with the name ("President; Mr"), "; "-joined
    "variants",  # surface forms seen ("Sadovar; Mirek Sadovar"), "; "-joined
)


# --------------------------------------------------------------------------------------------
# Per-event table
# --------------------------------------------------------------------------------------------


# Characters of a sentence on each side of a mention that target_sentiment reads (about 50 words:
# a word that far away weighs little there anyway).  A news sentence is rarely longer than a few
# hundred characters and is read whole; a much longer one (a text without full stops, a run-on
# list) is cut to this window around each mention, at spaces.  Reading the whole sentence for every
# mention in it was quadratic: hours for a hostile page that is one 800 KB sentence.
TARGET_CONTEXT_CHARS = 300


def _mention_context(text: str, s: int, e: int, m: Mention) -> tuple[int, int]:
    """The part of the sentence text[s:e] that is read for the mention ``m`` (see TARGET_CONTEXT_CHARS)."""
    if e - s <= 2 * TARGET_CONTEXT_CHARS + (m.end - m.start):
        return s, e
    lo, hi = max(s, m.start - TARGET_CONTEXT_CHARS), min(e, m.end + TARGET_CONTEXT_CHARS)
    if lo > s:
        space = text.find(" ", lo, m.start)
        lo = space + 1 if space >= 0 else lo
    if hi < e:
        space = text.rfind(" ", m.end, hi)
        hi = space if space >= 0 else hi
    return lo, hi


def _mention_labels(text: str, mentions: Sequence[Mention]) -> list[str]:
    """target_sentiment of each mention within its sentence (or its part, see TARGET_CONTEXT_CHARS)."""
    sentences = split_sentences(text)
    starts = [s for s, _ in sentences]
    labels: list[str] = []
    for m in mentions:
        i = bisect.bisect_right(starts, m.start) - 1
        s, e = sentences[i] if i >= 0 else (0, len(text))
        if not (s <= m.start and m.end <= e):
            s, e = 0, len(text)
        s, e = _mention_context(text, s, e, m)
        labels.append(target_sentiment(text[s:e], m.start - s, m.end - s))
    return labels


def _event_demonyms(text: str, mentions: list[Mention], singles: set[str]) -> list[Mention]:
    """Mentions with event-level demonyms resolved: the place before an institution word
    ("Valdorian officials" -> Valdoria), dropped otherwise ("Valdorian homes")."""
    out: list[Mention] = []
    for m in mentions:
        place = _demonym_target(m.actor, singles) if " " not in m.actor and not m.role else None
        if place is None or place == m.actor:
            out.append(m)
            continue
        nxt = _TOKEN_RE.match(text, m.end + 1) if text[m.end : m.end + 1] == " " else None
        if nxt is not None and nxt.group().lower() in INSTITUTION_WORDS:
            out.append(Mention(m.start, m.end, m.text, place, "place"))
    return out


def actor_table(rows: Iterable[Mapping]) -> pd.DataFrame:
    """Per outlet x actor: mentions, quotations and sentiment toward the actor, for one event.

    ``rows`` are the event's articles: mappings with ``outlet``, ``text``, ``title`` (optional
    ``id``).  Names are linked within each article, then across the whole event, so one outlet's
    "Sadovar" and another's "President Mirek Sadovar" are one actor.  Headline mentions count only
    for actors found in some article body.  Columns: ACTOR_COLUMNS; sorted by outlet, then most
    mentioned.
    """
    articles: list[tuple[str, str, str, list[Mention]]] = []
    for row in rows:
        text = str(row.get("text") or "")
        articles.append(
            (str(row.get("outlet") or ""), text, str(row.get("title") or ""), find_mentions(text))
        )
    # Demonyms whose place another outlet names ("Valdorian" here, "Valdoria" there).
    singles = {m.actor for *_, ms in articles for m in ms if " " not in m.actor}
    articles = [
        (outlet, text, title, _event_demonyms(text, mentions, singles))
        for outlet, text, title, mentions in articles
    ]
    # Link every article's canonical names across the event.
    votes: dict[str, Counter] = defaultdict(Counter)
    for _, _, _, mentions in articles:
        for m in mentions:
            if m.kind != "unknown":
                votes[m.actor][m.kind] += 1
            else:
                votes[m.actor].update()  # known name, no kind
    canon = link_names(votes)
    known = set(canon.values()) | set(canon)
    stats: dict[tuple[str, str], dict] = {}
    kind_of: dict[str, Counter] = defaultdict(Counter)

    def entry(outlet: str, actor: str) -> dict:
        key = (outlet, actor)
        if key not in stats:
            stats[key] = {
                "articles": set(),
                "mentions": 0,
                "title_mentions": 0,
                "quoted": 0,
                "positive": 0,
                "neutral": 0,
                "negative": 0,
                "roles": Counter(),
                "variants": Counter(),
            }
        return stats[key]

    for n, (outlet, text, title, mentions) in enumerate(articles):
        title_mentions = find_mentions(title, known=known) if title else []
        for source, ms, is_title in ((text, mentions, False), (title, title_mentions, True)):
            for m, label in zip(ms, _mention_labels(source, ms), strict=True):
                actor = canon.get(m.actor, m.actor)
                st = entry(outlet, actor)
                st["articles"].add(n)
                st["mentions"] += 1
                st["title_mentions"] += int(is_title)
                st[label] += 1
                if m.role:
                    st["roles"][m.role] += 1
                st["variants"][m.text] += 1
                if m.kind != "unknown":
                    kind_of[actor][m.kind] += 1
        for q in quote_speakers(text, mentions):
            if q.speaker is not None:
                entry(outlet, canon.get(q.speaker, q.speaker))["quoted"] += 1
    records = []
    for (outlet, actor), st in stats.items():
        n_m = st["mentions"]
        kind = _vote_kind(kind_of[actor], actor)
        if " " in actor and _demonym_target(actor.split()[0], singles) is not None:
            kind = "organisation"  # "Valdorian Renewal" when another outlet names Valdoria
        records.append(
            {
                "outlet": outlet,
                "actor": actor,
                "kind": kind,
                "articles": len(st["articles"]),
                "mentions": n_m,
                "title_mentions": st["title_mentions"],
                "quoted": st["quoted"],
                "positive": st["positive"],
                "neutral": st["neutral"],
                "negative": st["negative"],
                "sentiment": (st["positive"] - st["negative"]) / n_m if n_m else 0.0,
                "roles": "; ".join(r for r, _ in st["roles"].most_common()),
                "variants": "; ".join(v for v, _ in st["variants"].most_common()),
            }
        )
    df = pd.DataFrame.from_records(records, columns=list(ACTOR_COLUMNS))
    if df.empty:
        return df
    return df.sort_values(["outlet", "mentions", "actor"], ascending=[True, False, True], ignore_index=True)
