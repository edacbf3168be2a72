"""Omissions: which statements, numbers, quotes and names each outlet carries and which it leaves out.

Built on the sentence alignment of :mod:`analysis.compare.alignment` (how sentences are matched
across outlets and grouped into facts, and the limits of that matching): every public function
here accepts either the event's rows (dicts with ``outlet``, ``text``, ``title``, ``id``) or an
:class:`~analysis.compare.alignment.Alignment`.  The unit is the outlet.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.compare.alignment import Alignment, align_event, shorten
from analysis.compare.sentence_features import _key_numbers

__all__ = [
    "DEFAULT_MAX_FACTS",
    "MIN_OTHERS_FOR_OMISSION",
    "MISSING_COLUMNS",
    "NUMBER_META_COLUMNS",
    "OMISSION_SUMMARY_COLUMNS",
    "UNIQUE_COLUMNS",
    # re-exported from analysis.compare.alignment: analysis.cli.main imports align_event from here
    "Alignment",
    # defined here
    "CoverageMatrix",
    "OutletOmissions",
    "align_event",
    "coverage_matrix",
    "numbers_matrix",
    "omissions",
    "omissions_summary",
    "required_others",
]

# "What the others carry that this outlet leaves out": facts carried by at least this many other
# outlets, and by a majority of the others when there are more than three of them.
MIN_OTHERS_FOR_OMISSION = 2
DEFAULT_MAX_FACTS = 30


# --------------------------------------------------------------------------------------------------
# Public views
# --------------------------------------------------------------------------------------------------

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
    skipped: int = 0  # statements of long articles left out of the alignment (MAX_ALIGN_STATEMENTS)

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
        skipped=al.skipped,
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
    (percent, money, count), then value.  ``attrs["skipped"]``: the statements of long articles left
    out of the alignment (see :data:`MAX_ALIGN_STATEMENTS`).
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
        empty = pd.DataFrame({c: pd.Series(dtype=bool if c in al.outlets else object) for c in cols})
        empty.attrs["skipped"] = al.skipped
        return empty
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
    df = df.drop(columns="_k").reset_index(drop=True)
    df.attrs["skipped"] = al.skipped  # statements left out of the alignment (MAX_ALIGN_STATEMENTS)
    return df
