"""Event-level validity: does the Compare page's verdict match experts?  A benchmark, not a test.

Data: BASIL (``event_bias/basil_dev.jsonl`` under the shared eval folder, read in place, never
copied): real events, three outlets each, with the experts' lexical-bias spans and their reading of
the author's feeling toward the main event.  Every article goes through the real path (pasted text:
:func:`analysis.pipeline.ingest_text` into a temporary SQLite store, one event per BASIL event), then
each measure computes per event what the Compare page computes, from the store's rows.

Measures are functions ``(events) -> dict`` listed in :data:`MEASURES`; adding one is adding a
function.  Each returns its figure beside its baseline:

- ``loaded``: Spearman of the article loaded rate (as the page shows it: topic words excluded) vs
  expert lexical spans per 1,000 words; share of events where the page's most-loaded outlet is the
  experts' densest (ties share credit: chance is 1/3); the same without topic exclusion (baseline).
- ``tone``: agreement of the article's sentence sentiment (label by VADER's +/-0.05 convention) with
  the experts' author_feeling toward the main event, plain and with headline/lead weighting; the
  majority class and chance (~1/3) beside it; an article is neutral inside ARTICLE_NEUTRAL_BAND.
  This is tone of wording, not stance.

Run alone: ``python -m analysis.bench.event_eval [EVAL_DIR]``.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

BASIL_FILE = Path("event_bias") / "basil_dev.jsonl"
PER_WORDS = 1000.0
# The figures before event-aware scoring (eval/README.md, the same 28 events): printed beside ours.
BEFORE_SPEARMAN = 0.41
BEFORE_MOST_LOADED = 0.536
FEELINGS = (-1, 0, 1)
# Most news articles read as neutral to annotators; VADER's +/-0.05 sentence convention calls almost
# every article positive or negative.  A whole article is labelled neutral inside this band.
ARTICLE_NEUTRAL_BAND = 0.15


@dataclass
class EventData:
    """One BASIL event: the gold articles (BASIL fields) and the rows the store gives for it."""

    event: str
    gold: list[dict]  # BASIL objects, one per outlet
    rows: list[dict] = field(default_factory=list)  # Store.event_articles rows (with text and spans)


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_events(path: Path) -> list[EventData]:
    """The BASIL events of ``path``, ingested as pasted text into a temporary SQLite store."""
    from analysis.pipeline import ingest_text
    from analysis.store import Store

    by_event: dict[str, list[dict]] = defaultdict(list)
    for obj in _read_jsonl(path):
        by_event[obj["event"]].append(obj)
    events = [EventData(name, gold) for name, gold in by_event.items()]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'basil.db'}")
        try:
            for ev in events:
                for obj in ev.gold:
                    ingest_text(store, obj["text"], title=obj["title"], outlet=obj["outlet"], event=ev.event)
                event_id = store.get_or_create_event(ev.event)
                ev.rows = store.event_articles(event_id)
        finally:
            store.engine.dispose()
    return events


def expert_density(obj: dict) -> float:
    """Expert lexical-bias spans per 1,000 words of one BASIL article."""
    from analysis.scoring.text import count_words

    words = count_words(obj["text"])
    return PER_WORDS * len(obj.get("lexical_spans") or []) / words if words else 0.0


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman rank correlation (average ranks for ties); NaN when either side is constant."""
    from scipy.stats import spearmanr

    if len(a) < 3 or len(set(a)) < 2 or len(set(b)) < 2:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def top_agreement(pred: dict[str, float], gold: dict[str, float]) -> float:
    """Credit for naming the densest outlet: |P ∩ G| / (|P| |G|) over the tied top sets.

    A uniformly random single pick earns 1/n in expectation whatever the ties, so chance is 1/3 for
    three outlets."""
    if not pred or not gold:
        return 0.0
    p_max, g_max = max(pred.values()), max(gold.values())
    p_top = {o for o, v in pred.items() if np.isclose(v, p_max)}
    g_top = {o for o, v in gold.items() if np.isclose(v, g_max)}
    return len(p_top & g_top) / (len(p_top) * len(g_top))


# --------------------------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------------------------


def _page_rates(rows: list[dict], *, topics: bool) -> tuple[dict[int, float], dict[str, float]]:
    """Article loaded rate (id -> per 1,000 words) and each outlet's page estimate, as Compare shows."""
    from analysis.compare import summary as compare
    from analysis.compare.topics import event_topic_words, without_topic_words

    exclude = frozenset(event_topic_words(rows)) if topics else frozenset()
    shown = without_topic_words(rows, exclude)
    summary = compare.outlet_summary(shown)
    outlets = {o: float(v) for o, v in zip(summary["outlet"], summary["loaded"], strict=True) if v == v}
    articles = {int(r["id"]): float(r.get("loaded_rate") or 0.0) for r in shown if compare.usable(r)}
    return articles, outlets


def event_half(event: str) -> int:
    """0 or 1: a fixed split of events in two halves (a hash of the event id), to check that a figure
    holds on events it was not looked at on."""
    return int(hashlib.md5(event.encode("utf-8")).hexdigest(), 16) % 2


def measure_loaded(events: list[EventData]) -> dict[str, object]:
    """Spearman (article rate vs expert density) and most-loaded agreement, with and without topics;
    the page's figures on each half of the events (:func:`event_half`) too."""
    out: dict[str, object] = {}
    for half in (0, 1):
        part = [ev for ev in events if event_half(ev.event) == half]
        fig = _loaded_figures(part, topics=True)
        out[f"half_{'ab'[half]}"] = f"{len(part)} events: Spearman {fig[0]:.3f}, most-loaded {fig[1]:.3f}"
    for label, topics in (("page", True), ("no_topic_exclusion", False)):
        sp, agree = _loaded_figures(events, topics=topics)
        out[f"{label}_spearman"] = round(sp, 3)
        out[f"{label}_most_loaded_agreement"] = round(agree, 3)
    out.update(_clean_articles(events))
    out["before_spearman"] = BEFORE_SPEARMAN
    out["before_most_loaded_agreement"] = BEFORE_MOST_LOADED
    out["most_loaded_chance"] = round(1 / 3, 3)
    out["events"] = len(events)
    return out


def _clean_articles(events: list[EventData]) -> dict[str, object]:
    """The issue's "neutral, factual reports score near 0 loaded per 1,000 words", on real articles:
    the page's rate of the articles in which the experts marked no lexical bias, beside the others'."""
    clean: list[float] = []
    marked: list[float] = []
    for ev in events:
        articles, _ = _page_rates(ev.rows, topics=True)
        spans = {g["outlet"]: len(g.get("lexical_spans") or []) for g in ev.gold}
        for r in ev.rows:
            if int(r["id"]) in articles:
                (marked if spans.get(r["outlet"]) else clean).append(articles[int(r["id"])])
    if not clean:
        return {"no_expert_spans": "no article without expert lexical-bias spans"}
    return {
        "no_expert_spans": (
            f"{len(clean)} articles: median {float(np.median(clean)):.2f}, mean {float(np.mean(clean)):.2f} "
            f"per 1,000 words; with expert spans ({len(marked)}): median "
            f"{float(np.median(marked)) if marked else float('nan'):.2f}"
        )
    }


def _loaded_figures(events: list[EventData], *, topics: bool) -> tuple[float, float]:
    """(Spearman, most-loaded agreement) over ``events``."""
    ours: list[float] = []
    gold: list[float] = []
    credit: list[float] = []
    for ev in events:
        articles, outlets = _page_rates(ev.rows, topics=topics)
        by_outlet = {g["outlet"]: expert_density(g) for g in ev.gold}
        for r in ev.rows:
            if int(r["id"]) in articles:
                ours.append(articles[int(r["id"])])
                gold.append(by_outlet[r["outlet"]])
        credit.append(top_agreement(outlets, by_outlet))
    return spearman(ours, gold), float(np.mean(credit)) if credit else float("nan")


def _feeling_label(score: float, band: float | None = None) -> int:
    from analysis.scoring.sentiment import POSITIVE_THRESHOLD

    band = POSITIVE_THRESHOLD if band is None else band
    return 1 if score >= band else -1 if score <= -band else 0


def _agreement(gold: list[int], pred: list[int]) -> dict[str, float]:
    acc = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold) if gold else 0.0
    f1s = []
    for c in FEELINGS:
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return {"accuracy": round(acc, 3), "macro_f1": round(float(np.mean(f1s)), 3)}


def measure_tone(events: list[EventData]) -> dict[str, object]:
    """Sentence sentiment vs the experts' author_feeling toward the main event (tone, not stance)."""
    from analysis.compare.tone import article_tone

    gold: list[int] = []
    plain: list[int] = []
    banded: list[int] = []
    weighted: list[int] = []
    for ev in events:
        feelings = {g["outlet"]: g.get("author_feeling") for g in ev.gold}
        for r in ev.rows:
            feeling = feelings.get(r["outlet"])
            if feeling is None or r.get("sentiment") is None:
                continue
            gold.append(int(feeling))
            plain.append(_feeling_label(float(r["sentiment"])))
            banded.append(_feeling_label(float(r["sentiment"]), ARTICLE_NEUTRAL_BAND))
            weighted.append(_feeling_label(article_tone(r), ARTICLE_NEUTRAL_BAND))
    majority = max(FEELINGS, key=gold.count) if gold else 0
    return {
        "articles": len(gold),
        "plain_sentiment": _agreement(gold, plain),
        "article_neutral_band": _agreement(gold, banded),
        "headline_lead_weighted_band": _agreement(gold, weighted),
        "majority_class": _agreement(gold, [majority] * len(gold)),
        "chance_accuracy": round(1 / 3, 3),
    }


Measure = Callable[[list[EventData]], dict[str, object]]
MEASURES: dict[str, Measure] = {"loaded": measure_loaded, "tone": measure_tone}


def eval_events(eval_dir: Path) -> dict[str, object]:
    """Every measure of :data:`MEASURES` on BASIL's dev events; ``{"skipped": reason}`` without the file."""
    path = eval_dir / BASIL_FILE
    if not path.is_file():
        return {"skipped": f"{path} not found"}
    events = load_events(path)
    out: dict[str, object] = {}
    for name, fn in MEASURES.items():
        for key, value in fn(events).items():
            out[f"{name}.{key}"] = value
    return out


if __name__ == "__main__":  # pragma: no cover
    from analysis.bench.quality import find_eval_dir

    folder = find_eval_dir(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(json.dumps(eval_events(folder), indent=2, default=str))
