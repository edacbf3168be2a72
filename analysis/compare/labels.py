"""What things are called: the labels each outlet uses for the same person, group or thing.

Within one event, mentions are grouped across outlets by

- **name**: the actor finder's canonical names (aliases, surname -> full name, linked across the
  event's outlets), with the title each outlet puts before it ("President Tomas Reyland" /
  "Reyland");
- **meaning**: determiner phrases ("the doomed factory", "the Dunmore plant") are grouped by their
  embeddings and context (:mod:`analysis.compare.label_groups`: WordLlama, offline; weights and
  threshold chosen by leave-one-event-out cross-validation on hand-made groups of the demo corpus),
  keeping groups that several outlets name with different wording.  ``by_meaning=False`` groups
  them by their last word only (the baseline of ``bench quality``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from analysis.compare.label_groups import (
    collect_phrases,
    group_by_head,
    group_phrases,
    merged_forms,
)
from analysis.compare.mentions import find_mentions, link_names

LABEL_COLUMNS: tuple[str, ...] = ("group", "basis", "outlet", "labels", "count")
MIN_OUTLETS = 2  # a group must be used by this many outlets to be shown
MIN_FORMS = 2  # ... with at least this many different phrases across outlets
MAX_HEAD_GROUPS = 25  # phrase groups shown, most widely used first
MAX_GROUP_NAME_HEADS = 3  # head words in a group's name ("plant / factory / site")
ClusterHeads = Callable[[Sequence[str]], Sequence[int]]


def label_table(
    rows: Sequence[Mapping], cluster_heads: ClusterHeads | None = None, by_meaning: bool = False
) -> pd.DataFrame:
    """Each outlet's labels for the same actor or thing: one row per group and outlet.

    ``labels`` is "; "-joined surface forms, most frequent first; ``basis`` is "name", "head" (one
    head word) or "meaning" (phrases with different heads grouped by :mod:`label_groups`).
    ``by_meaning=False`` groups noun phrases by head word only; ``cluster_heads`` (a function from
    head words to group numbers) overrides both.
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
    records += _head_groups(rows, cluster_heads, by_meaning)
    frame = pd.DataFrame(records, columns=list(LABEL_COLUMNS))
    return frame


def _head_groups(rows: Sequence[Mapping], cluster_heads: ClusterHeads | None, by_meaning: bool) -> list[dict]:
    items = collect_phrases(rows)
    if cluster_heads is not None:
        heads = sorted({p.head for p in items})
        by_head = dict(zip(heads, cluster_heads(heads), strict=True)) if heads else {}
        groups = [by_head[p.head] for p in items]
    elif by_meaning:
        groups = group_phrases(items)
    else:
        groups = group_by_head(items)
    merged = merged_forms(items, groups)
    names: dict[int, Counter] = defaultdict(Counter)
    for item, g in zip(items, groups, strict=True):
        names[g][item.head] += item.uses
    scored = []
    for g, by_outlet in merged.items():
        all_forms = {f.lower() for c in by_outlet.values() for f in c}
        if len(by_outlet) >= MIN_OUTLETS and len(all_forms) >= MIN_FORMS:
            scored.append((len(by_outlet), len(all_forms), g))
    scored.sort(reverse=True)
    out = []
    for _, _, g in scored[:MAX_HEAD_GROUPS]:
        label = " / ".join(h for h, _ in names[g].most_common(MAX_GROUP_NAME_HEADS))
        basis = "meaning" if len(names[g]) > 1 else "head"
        for outlet, c in sorted(merged[g].items()):
            out.append(_record(label, basis, outlet, Counter(c)))
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
