"""Quality and cost of the automatic event grouping (:mod:`analysis.events`).  A benchmark, not a test.

``eval_grouping(eval_dir)``: NewsWCL50 (``grouping/newswcl50.jsonl`` under the shared eval folder,
read in place, never copied; 50 articles, 10 events x 5 outlets).  Reports ARI and B-cubed
precision/recall/F1 for our grouping and for the reference baseline (TF-IDF cosine + average linkage
cut at similarity 0.2), and both across thresholds.  Ten events say little about a corpus with many
events, so it also reports: the same articles with the dates found in their URLs; a harder mix (the
same 50 articles, the project's demo corpus with 4 fictional events, and, when ``extraction/`` is
there, the 92 unrelated news pages of the extraction benchmark as distractors); and a synthetic
corpus with ~190 events.  Returns ``{"skipped": reason}`` when the NewsWCL50 file is absent.

``bench_grouping(n, seed, words=800)``: time and peak memory of :func:`analysis.events.grouper.group_events`
on a synthetic corpus of ``n`` articles of ``words`` words (see :func:`synthetic_corpus`), and its
ARI against the generator's events.

Run: ``python -m analysis.bench.grouping_eval [EVAL_DIR] [--words N] [--bench N ...]``.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import re
import resource
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import adjusted_rand_score

from analysis.events.grouper import DEFAULT_THRESHOLD, PARALLEL_MIN_DOCS, EventGrouper, group_events

NEWSWCL_FILE = Path("grouping") / "newswcl50.jsonl"
AEB_DIR = Path("extraction")
DEMO_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"

BASELINE_THRESHOLD = 0.2  # the reference: average linkage cut at cosine similarity 0.2
SWEEP = (0.1, 0.12, 0.15, 0.18, 0.2, 0.22, 0.25, 0.28, 0.3, 0.35, 0.4)


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def bcubed(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> dict[str, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin 1998), averaged over items.

    For item i: precision = |pred cluster of i ∩ gold class of i| / |pred cluster of i|, recall =
    the same intersection / |gold class of i|.
    """
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    if not gold:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    pair = Counter(zip(gold, pred, strict=True))
    g_size = Counter(gold)
    p_size = Counter(pred)
    precision = sum(pair[(g, p)] / p_size[p] for g, p in zip(gold, pred, strict=True)) / len(gold)
    recall = sum(pair[(g, p)] / g_size[g] for g, p in zip(gold, pred, strict=True)) / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def scores(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> dict[str, float]:
    """ARI, B-cubed P/R/F1 and the number of predicted groups."""
    b = bcubed(gold, pred)
    return {
        "ari": round(float(adjusted_rand_score(gold, pred)), 4),
        "bcubed_p": b["precision"],
        "bcubed_r": b["recall"],
        "bcubed_f1": b["f1"],
        "groups": len(set(pred)),
    }


# --------------------------------------------------------------------------------------------
# Reference baseline
# --------------------------------------------------------------------------------------------


def baseline_labels(docs: Sequence[Mapping[str, Any]], threshold: float = BASELINE_THRESHOLD) -> list[int]:
    """TF-IDF (sublinear tf, English stop words) of title + text, cosine, average linkage cut at
    similarity ``threshold``.  Dense n x n: only for small evaluation sets."""
    texts = [f"{d.get('title') or ''}\n{d.get('text') or ''}" for d in docs]
    if len(texts) < 2:
        return [0] * len(texts)
    x = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    dist = np.clip(1.0 - (x @ x.T).toarray(), 0.0, None)
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    return [int(v) for v in fcluster(tree, t=1.0 - threshold, criterion="distance")]


# --------------------------------------------------------------------------------------------
# Evaluation sets
# --------------------------------------------------------------------------------------------


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


_TITLE_TAG_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def aeb_distractors(eval_dir: Path) -> list[dict]:
    """The extraction benchmark's pages as unrelated articles: gold body, <title> of the page."""
    truth_path = Path(eval_dir) / AEB_DIR / "ground-truth.json"
    if not truth_path.is_file():
        return []
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    docs = []
    for page_id, item in sorted(truth.items()):
        title = ""
        page = Path(eval_dir) / AEB_DIR / "html" / f"{page_id}.html.gz"
        if page.is_file():
            with gzip.open(page, "rt", encoding="utf-8", errors="replace") as fh:
                m = _TITLE_TAG_RE.search(fh.read())
            title = html.unescape(m.group(1)).strip() if m else ""
        outlet = re.sub(r"^https?://(www\.)?([^/]+).*$", r"\2", item.get("url") or "")
        docs.append({"title": title, "text": item.get("articleBody") or "", "outlet": outlet})
    return docs


def demo_corpus() -> tuple[list[dict], list[str]]:
    """The project's demo corpus (4 fictional events), extracted like a fetched page."""
    manifest_path = DEMO_DIR / "manifest.json"
    if not manifest_path.is_file():
        return [], []
    from analysis.ingest.extract import extract_article  # heavy import, only when needed

    docs, gold = [], []
    for event in json.loads(manifest_path.read_text(encoding="utf-8"))["events"]:
        for item in event["articles"]:
            art = extract_article((DEMO_DIR / item["file"]).read_text(encoding="utf-8"), item["url"])
            docs.append(
                {"title": art.title, "text": art.text, "outlet": art.outlet, "published": art.published}
            )
            gold.append(f"demo:{event['slug']}")
    return docs, gold


_URL_DATE_RE = re.compile(r"/(20\d\d)/(\d\d)/(\d\d)/")


def _url_date(url: str | None) -> datetime | None:
    """The /YYYY/MM/DD/ date in an article URL (noon UTC), as an extractor would find in the page."""
    m = _URL_DATE_RE.search(url or "")
    return datetime(int(m[1]), int(m[2]), int(m[3]), 12, tzinfo=UTC) if m else None


def _labelled_scores(gold: list, pred: list, labelled: list[bool]) -> dict[str, float]:
    """Scores over the labelled articles only, plus how many unlabelled ones joined a labelled group."""
    out = scores(
        [g for g, k in zip(gold, labelled, strict=True) if k],
        [p for p, k in zip(pred, labelled, strict=True) if k],
    )
    labelled_groups = {p for p, k in zip(pred, labelled, strict=True) if k}
    out["intruders"] = sum(1 for p, k in zip(pred, labelled, strict=True) if not k and p in labelled_groups)
    return out


def _evaluate(docs: list[dict], gold: list, labelled: list[bool] | None = None) -> dict[str, Any]:
    """Ours and the baseline at their default thresholds, and the ARI of both across SWEEP."""
    labelled = labelled or [True] * len(docs)

    def score(pred: list) -> dict[str, float]:
        return _labelled_scores(gold, pred, labelled) if not all(labelled) else scores(gold, pred)

    return {
        "articles": len(docs),
        "events": len({g for g, k in zip(gold, labelled, strict=True) if k}),
        "ours": score(group_events(docs)),
        "baseline": score(baseline_labels(docs)),
        "ours_ari_by_threshold": {f"{t:.2f}": score(group_events(docs, threshold=t))["ari"] for t in SWEEP},
        "baseline_ari_by_threshold": {f"{t:.2f}": score(baseline_labels(docs, t))["ari"] for t in SWEEP},
    }


def eval_grouping(eval_dir: Path) -> dict:
    """Ours vs the reference baseline on NewsWCL50, a mix with distractors, and synthetic data.

    * ``newswcl50``: the file as given (no dates).
    * ``newswcl50_dated``: the same with the date found in 40 of the 50 URLs as publication date.
    * ``mix``: NewsWCL50 + the demo corpus + the extraction benchmark's 92 unrelated pages (some of
      which do cover one story together: they are unlabelled, so scores count the labelled articles
      only, and ``intruders`` counts unlabelled articles put in a labelled group).
    * ``synthetic``: 1,500 synthetic articles on ~190 events, dated (see :func:`synthetic_corpus`).
    """
    path = Path(eval_dir) / NEWSWCL_FILE
    if not path.is_file():
        return {"skipped": f"{path} not found"}
    rows = _read_jsonl(path)
    docs = [
        {"title": r.get("title") or "", "text": r.get("text") or "", "outlet": r.get("outlet") or ""}
        for r in rows
    ]
    gold = [f"wcl:{r['event']}" for r in rows]
    dated = [dict(d, published=_url_date(r.get("url"))) for d, r in zip(docs, rows, strict=True)]
    demo_docs, demo_gold = demo_corpus()
    distractors = aeb_distractors(Path(eval_dir))
    mix_docs = docs + demo_docs + distractors
    mix_gold = gold + demo_gold + [f"aeb:{i}" for i in range(len(distractors))]
    mix_labelled = [True] * (len(docs) + len(demo_docs)) + [False] * len(distractors)
    syn_docs, syn_gold = synthetic_corpus(1500, seed=1, words=250)
    return {
        "newswcl50": _evaluate(docs, gold),
        "newswcl50_dated": _evaluate(dated, gold),
        "mix": _evaluate(mix_docs, mix_gold, mix_labelled),
        "synthetic": _evaluate(syn_docs, syn_gold),
    }


# --------------------------------------------------------------------------------------------
# Synthetic corpus
# --------------------------------------------------------------------------------------------

_SYLLABLES = (
    "ba be bi bo bu da de di do du fa fe fi fo ga ge go ka ke ki ko ku la le li lo lu ma me mi mo mu na ne "
    "ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za ze zo an en in on "
    "ar er or ul el al ist ent ack orn ell amp ust"
).split()


def _pseudo_words(rng: np.random.Generator, count: int, min_syl: int, max_syl: int) -> list[str]:
    """``count`` distinct pronounceable made-up words."""
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        k = int(rng.integers(min_syl, max_syl + 1))
        word = "".join(_SYLLABLES[i] for i in rng.integers(0, len(_SYLLABLES), size=k))
        if word not in seen:
            seen.add(word)
            out.append(word)
    return out


def _zipf_probs(k: int, s: float = 1.05) -> np.ndarray:
    p = 1.0 / np.arange(1, k + 1) ** s
    return p / p.sum()


# Mixture of word sources in a synthetic article body (shares of tokens).  Function words ("the",
# "of", ...) make up ~40% of English news text; the rest is split by the content shares below.
SYN_STOP = 0.4
SYN_COMMON = 0.62  # general vocabulary, Zipf-distributed: what every article shares
SYN_TOPIC = 0.14  # the topic's vocabulary (politics, sport, ...): shared by the topic's events
SYN_EVENT = 0.12  # the event's own keywords
SYN_ENTITY = 0.05  # the event's people and places, capitalised
SYN_OUTLET = 0.05  # the outlet's house style
SYN_NUMBER = 0.02  # the event's figures
SYN_FOLLOW_UP = 0.1  # share of events that are a follow-up of an earlier one a month later


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def synthetic_corpus(
    n: int, seed: int = 0, *, words: int = 800, n_events: int | None = None
) -> tuple[list[dict], list[int]]:
    """``n`` templated articles on ``n_events`` events (default ``max(5, n // 8)``), and their events.

    Each event has a topic (40 topics with their own vocabularies, so events of a topic look alike),
    a date in one year, 4 people/places, 30 keywords and 3 figures; 10% are follow-ups of an earlier
    event 25-40 days later with the same names and most keywords (the date window must keep them
    apart).  Event sizes are Zipf-like (1 to ~n/50 articles).  Articles come from 60 outlets with their
    own style words and dateline, dated 0-2 days after the event, 5% undated.  Body tokens are drawn
    from function words and the word sources in the SYN_* shares, in sentences of 8-19 words, three
    sentences a paragraph.  100,000 articles of 800 words take ~25 s to generate (peak ~1.8 GB).
    """
    rng = np.random.default_rng(seed)
    n_events = n_events or max(5, n // 8)
    common = np.array(_pseudo_words(rng, 5000, 1, 3), dtype=object)
    p_common = _zipf_probs(common.size)
    stop_words = np.array(sorted(ENGLISH_STOP_WORDS), dtype=object)
    p_stop = _zipf_probs(stop_words.size)
    n_topics, topic_words = 40, 150
    topics = np.array(_pseudo_words(rng, n_topics * topic_words, 2, 4), dtype=object).reshape(
        n_topics, topic_words
    )
    rare = np.array(_pseudo_words(rng, 60000, 3, 5), dtype=object)
    n_outlets, style_words = 60, 30
    styles = np.array(_pseudo_words(rng, n_outlets * style_words, 2, 3), dtype=object).reshape(
        n_outlets, style_words
    )
    datelines = rng.choice(["WASHINGTON —", "LONDON (Wire) —", "", "", "PARIS –"], size=n_outlets)
    p_outlet = _zipf_probs(n_outlets, 0.8)
    # events
    n_kw, n_ent, n_num = 30, 4, 3
    topic_of = rng.integers(0, n_topics, size=n_events)
    day_of = rng.uniform(0, 365, size=n_events)
    keywords = rare[rng.integers(0, rare.size, size=(n_events, n_kw))]
    names = np.char.capitalize(rare[rng.integers(0, rare.size, size=(n_events, 4))].astype(str)).astype(
        object
    )
    entities = np.stack(
        [names[:, 0] + " " + names[:, 1], names[:, 1], names[:, 2], names[:, 3] + " City"], axis=1
    )
    numbers = np.stack(
        [
            np.array([f"{v:,}" for v in rng.integers(11, 9999, size=n_events)], dtype=object),
            np.array([f"{v}%" for v in rng.integers(2, 99, size=n_events)], dtype=object),
            np.full(n_events, "$1.5 billion", dtype=object),
        ],
        axis=1,
    )
    for e in range(1, n_events):
        if rng.random() < SYN_FOLLOW_UP:  # a follow-up of an earlier event, a month later
            base = int(rng.integers(0, e))
            topic_of[e], entities[e], numbers[e] = topic_of[base], entities[base], numbers[base]
            keywords[e, :20] = keywords[base, :20]
            day_of[e] = day_of[base] + rng.uniform(25, 40)
    # articles
    sizes = np.clip(rng.zipf(1.6, size=n_events), 1, max(2, n // 50)).astype(float)
    event_of = rng.choice(n_events, size=n, p=sizes / sizes.sum())
    event_of[: min(n, n_events)] = np.arange(min(n, n_events))  # every event has an article
    outlet_of = rng.choice(n_outlets, size=n, p=p_outlet)
    content = np.array([SYN_COMMON, SYN_TOPIC, SYN_EVENT, SYN_ENTITY, SYN_OUTLET, SYN_NUMBER])
    p_source = np.concatenate([(1 - SYN_STOP) * content / content.sum(), [SYN_STOP]])
    kinds = rng.choice(7, size=(n, words), p=p_source).astype(np.int8)  # int8: 8x less memory

    def doc_of(sel: np.ndarray) -> np.ndarray:
        """The article of each selected token (row-major order, as ``tokens[sel]``)."""
        return np.flatnonzero(sel) // words

    tokens = np.empty((n, words), dtype=object)
    sel: np.ndarray  # the tokens of the kind being drawn; set in the loop below, read by the draws
    draws: tuple[Callable[[int], np.ndarray], ...] = (
        lambda m: common[rng.choice(common.size, size=m, p=p_common)],
        lambda m: topics[topic_of[event_of[doc_of(sel)]], rng.integers(0, topic_words, size=m)],
        lambda m: keywords[event_of[doc_of(sel)], rng.choice(n_kw, size=m, p=_zipf_probs(n_kw, 0.8))],
        lambda m: entities[event_of[doc_of(sel)], rng.integers(0, n_ent, size=m)],
        lambda m: styles[outlet_of[doc_of(sel)], rng.integers(0, style_words, size=m)],
        lambda m: numbers[event_of[doc_of(sel)], rng.integers(0, n_num, size=m)],
        lambda m: stop_words[rng.choice(stop_words.size, size=m, p=p_stop)],
    )
    for k, draw in enumerate(draws):
        sel = kinds == k
        tokens[sel] = draw(int(sel.sum()))
    del kinds
    published_days = day_of[event_of] + rng.uniform(0, 2, size=n)
    undated = rng.random(n) < 0.05
    start = datetime(2025, 1, 1, tzinfo=UTC)
    docs, gold = [], []
    for i in range(n):
        row = tokens[i]
        ends = np.cumsum(rng.integers(8, 20, size=words // 8 + 1))
        cuts = [0, *ends[ends < words].tolist(), words]
        sentences = [_upper_first(" ".join(row[a:b])) + "." for a, b in pairwise(cuts)]
        paragraphs = [" ".join(sentences[k : k + 3]) for k in range(0, len(sentences), 3)]
        dateline = datelines[outlet_of[i]]
        if dateline:
            paragraphs[0] = f"{dateline} {paragraphs[0]}"
        ev = int(event_of[i])
        title_words = [entities[ev, 0], *keywords[ev, rng.integers(0, 10, size=3)], *topics[topic_of[ev], :2]]
        docs.append(
            {
                "title": _upper_first(" ".join(title_words[k] for k in rng.permutation(len(title_words)))),
                "text": "\n".join(paragraphs),
                "outlet": f"Outlet {outlet_of[i]}",
                "published": None if undated[i] else start + timedelta(days=float(published_days[i])),
            }
        )
        gold.append(ev)
    return docs, gold


# --------------------------------------------------------------------------------------------
# Scale benchmark
# --------------------------------------------------------------------------------------------


BENCH_WORDS = 800  # words per synthetic article in the scale benchmark: a typical news article


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _stop_workers(n_workers: int) -> None:
    """Shut down the tokenizing worker processes (loky's reusable executor) so they are reaped."""
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor(max_workers=n_workers).shutdown(wait=True)


def _rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench_grouping(n: int, seed: int = 0, *, words: int = BENCH_WORDS, trace: bool = False) -> dict:
    """Time and memory of grouping ``n`` synthetic articles; ARI/B-cubed against the true events.

    ``words`` per article: BENCH_WORDS (realistic news length) at every size by default; the text
    length drives the vectorising time.  ``peak_rss_mb`` is this process's peak (the generated corpus
    included: ``rss_before_mb`` is the peak before grouping; the tokenizing worker process has its own
    memory on top); ``trace=True`` adds tracemalloc's peak of Python/NumPy allocations during grouping
    (slower).
    """
    t0 = time.perf_counter()
    docs, gold = synthetic_corpus(n, seed, words=words)
    t_gen = time.perf_counter() - t0
    rss_before = _rss_mb()
    if trace:
        tracemalloc.start()
    grouper = EventGrouper(threshold=DEFAULT_THRESHOLD)
    cpu0 = _cpu_s()
    t1 = time.perf_counter()
    stages = grouper.fit(docs).timings_
    elapsed = time.perf_counter() - t1
    if n >= PARALLEL_MIN_DOCS and grouper._n_jobs() > 1:
        _stop_workers(grouper._n_jobs() - 1)  # reaped, the worker's CPU time counts in RUSAGE_CHILDREN
    cpu = _cpu_s() - cpu0
    traced = None
    if trace:
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    out = {
        "n": n,
        "words_per_article": words,
        "events": len(set(gold)),
        "generate_s": round(t_gen, 1),
        "group_s": round(elapsed, 2),
        "group_cpu_s": round(cpu, 2),  # this process and its worker process
        "load_average": round(os.getloadavg()[0], 1),  # other work on the machine inflates group_s
        "stages_s": {k: round(v, 2) for k, v in stages.items()},
        "rss_before_mb": round(rss_before),
        "peak_rss_mb": round(_rss_mb()),
        "graph_nnz": int(grouper.graph_.nnz),
        "pieces": int(grouper.n_pieces_),
        "piece_links": int(grouper.n_piece_links_),
        "features": int(grouper.vectors_.shape[1]),
        **scores(gold, grouper.labels_.tolist()),
    }
    if traced is not None:
        out["tracemalloc_peak_mb"] = round(traced)
    return out


def main(argv: list[str] | None = None) -> int:
    """Quality evaluation (``[EVAL_DIR]``), or the scale benchmark (``[--words N] --bench N ...``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    words = BENCH_WORDS
    if "--words" in args:
        k = args.index("--words")
        words = int(args[k + 1])
        del args[k : k + 2]
    bench_sizes: list[int] = []
    if "--bench" in args:
        k = args.index("--bench")
        bench_sizes = [int(a) for a in args[k + 1 :]]
        args = args[:k]
    eval_dir = Path(args[0]) if args else Path(__file__).resolve().parents[3] / "shared" / "eval"
    if bench_sizes:
        for n in bench_sizes:
            print(json.dumps(bench_grouping(n, words=words)), flush=True)
        return 0
    result = eval_grouping(eval_dir)
    for name, value in result.items():
        print(f"== {name}")
        if isinstance(value, dict):
            for key, item in value.items():
                print(f"  {key:<28} {item}")
        else:
            print(f"  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
