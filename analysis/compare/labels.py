"""What things are called: the labels each outlet uses for the same person, group or thing.

Within one event, mentions are grouped across outlets by

- **name**: the actor finder's canonical names (aliases, surname -> full name, linked across the
  event's outlets), with the title each outlet puts before it ("President Tomas Reyland" /
  "Reyland");
- **head of a noun phrase**: determiner phrases ("the doomed factory", "the Dunmore plant") are
  grouped by their last word, keeping heads that several outlets use with different wording.

Hook for meaning: :func:`label_table` takes ``cluster_heads``, a function from a list of head
words to one group number each.  With an embedding model (``analysis/scoring/embeddings.py``,
under way) heads such as "workers" / "militants" or "plant" / "factory" can be put in one group;
without it each head is its own group.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from analysis.compare.mentions import find_mentions, link_names

LABEL_COLUMNS: tuple[str, ...] = ("group", "basis", "outlet", "labels", "count")
MIN_OUTLETS = 2  # a head must be used by this many outlets to be shown
MIN_FORMS = 2  # ... with at least this many different phrases across outlets
MAX_HEAD_GROUPS = 25  # head groups shown, most widely used first
# A determiner, up to two modifiers and a lower-case head, ending where a phrase ends: punctuation,
# a preposition or conjunction, or an auxiliary ("the doomed factory will close").
_NP_RE = re.compile(
    r"\b(?i:the|a|an|its|their|his|her|this|these|those|our)\s+((?:[A-Za-z][\w\-’']*\s+){0,2}?[a-z][\w\-]*)"
    r"(?=\s*[,.;:!?)—]|\s+(?:of|and|or|but|in|on|at|for|with|to|from|by|is|was|has|had|have|that|which|who"
    r"|will|would|could|should|can|may|are|were|said|says)\b)"
)
# Heads too general to compare ("the first time", "a number of").
_GENERIC_HEADS = frozenset(
    """time way number year years day days week weeks month months end part lot rest kind sort
    one same first last most fact case point world country city state people thing things""".split()
)
_BAD_WORDS = frozenset(
    """of and or but to in on at for with by from is was has had be been that which the a an
    as its their his her this these those our said says will would""".split()
)

ClusterHeads = Callable[[Sequence[str]], Sequence[int]]


def _noun_phrases(text: str) -> list[tuple[str, str]]:
    """(head, phrase) of the determiner phrases of ``text``."""
    out = []
    for m in _NP_RE.finditer(text):
        words = m.group(1).split()
        if any(w.lower() in _BAD_WORDS for w in words):
            continue
        head = words[-1].lower().strip("’'")
        if (
            len(head) < 3
            or head in _GENERIC_HEADS
            or head in _BAD_WORDS
            or (len(head) > 4 and head.endswith("ed"))
        ):
            continue
        out.append((head, " ".join(words)))
    return out


def label_table(rows: Sequence[Mapping], cluster_heads: ClusterHeads | None = None) -> pd.DataFrame:
    """Each outlet's labels for the same actor or thing: one row per group and outlet.

    ``labels`` is "; "-joined surface forms, most frequent first; ``basis`` is "name" or "head".
    """
    names: dict[str, Counter] = defaultdict(Counter)
    per_article: list[tuple[str, list]] = []
    for r in rows:
        text = r.get("text") or ""
        mentions = [m for m in find_mentions(text) if m.kind != "place"]
        per_article.append((r.get("outlet") or "", mentions))
        for m in mentions:
            names[m.actor][m.kind] += 1
    canon = link_names(names)
    forms: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for outlet, mentions in per_article:
        for m in mentions:
            forms[canon.get(m.actor, m.actor)][outlet][f"{m.role} {m.text}".strip()] += 1
    records = []
    for actor, by_outlet in forms.items():
        if len(by_outlet) < MIN_OUTLETS:
            continue
        for outlet, c in sorted(by_outlet.items()):
            records.append(_record(actor, "name", outlet, c))
    records += _head_groups(rows, cluster_heads)
    frame = pd.DataFrame(records, columns=list(LABEL_COLUMNS))
    return frame


def _head_groups(rows: Sequence[Mapping], cluster_heads: ClusterHeads | None) -> list[dict]:
    phrases: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for r in rows:
        for head, phrase in _noun_phrases(r.get("text") or ""):
            phrases[head][r.get("outlet") or ""][phrase] += 1
    heads = sorted(phrases)
    groups = list(cluster_heads(heads)) if cluster_heads is not None and heads else list(range(len(heads)))
    merged: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    names: dict[int, list[str]] = defaultdict(list)
    for head, g in zip(heads, groups, strict=True):
        names[g].append(head)
        for outlet, c in phrases[head].items():
            merged[g][outlet].update(c)
    scored = []
    for g, by_outlet in merged.items():
        all_forms = {f.lower() for c in by_outlet.values() for f in c}
        if len(by_outlet) >= MIN_OUTLETS and len(all_forms) >= MIN_FORMS:
            scored.append((len(by_outlet), len(all_forms), g))
    scored.sort(reverse=True)
    out = []
    for _, _, g in scored[:MAX_HEAD_GROUPS]:
        label = " / ".join(names[g])
        for outlet, c in sorted(merged[g].items()):
            out.append(_record(label, "head", outlet, c))
    return out


def _record(group: str, basis: str, outlet: str, forms: Counter) -> dict:
    return {
        "group": group,
        "basis": basis,
        "outlet": outlet,
        "labels": "; ".join(f for f, _ in forms.most_common()),
        "count": sum(forms.values()),
    }


def labels_side_by_side(table: pd.DataFrame) -> pd.DataFrame:
    """Group × outlet, each cell the outlet's labels (empty when the outlet does not mention it)."""
    if table.empty:
        return pd.DataFrame()
    wide = table.pivot_table(index=["group", "basis"], columns="outlet", values="labels", aggfunc="first")
    return wide.fillna("").reset_index()
