"""The quality benchmark's results as rows of ``data/quality.json`` ({task, data, metric, value,
baseline, note}), for the "Method & limits" page.

Each ROW_SPECS entry picks one figure out of ``quality.run``'s nested results by its key path, with
the baseline it is read against (also picked from the results, never typed in).  A benchmark
section may instead (or as well) return ``{"rows": [...]}`` with ready rows: they are added as they
are, so new measures join without touching this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class RowSpec:
    task: str
    data: str
    metric: str
    path: tuple[str, ...]  # keys into the results, e.g. ("loaded_language", "word", "f1")
    baseline_label: str = ""
    baseline_path: tuple[str, ...] = ()
    note: str = ""


ROW_SPECS: tuple[RowSpec, ...] = (
    RowSpec(
        "extraction: article body",
        "Article Extraction Benchmark",
        "4-gram F1",
        ("extraction", "extract_article", "f1"),
        "trafilatura alone",
        ("extraction", "trafilatura", "f1"),
        "newspaper3k and trafilatura, the better body chosen per page",
    ),
    RowSpec(
        "loaded language: words",
        "BABE (expert-labelled sentences)",
        "word-level F1",
        ("loaded_language", "word", "f1"),
        "strongly-valenced VADER words",
        ("loaded_language", "baseline_vader_strong_word", "f1"),
        "recall is low: many words experts mark as biased depend on the topic, which a lexicon cannot know",
    ),
    RowSpec(
        "loaded language: words",
        "BABE (expert-labelled sentences)",
        "word-level precision",
        ("loaded_language", "word", "precision"),
        "strongly-valenced VADER words",
        ("loaded_language", "baseline_vader_strong_word", "precision"),
        "share of flagged words the experts also marked",
    ),
    RowSpec(
        "loaded language: words",
        "BABE (expert-labelled sentences)",
        "word-level recall",
        ("loaded_language", "word", "recall"),
        "strongly-valenced VADER words",
        ("loaded_language", "baseline_vader_strong_word", "recall"),
        "share of the experts' words we flag",
    ),
    RowSpec(
        "loaded language: sentences",
        "BABE (expert-labelled sentences)",
        "macro-F1, biased or not",
        ("loaded_language", "sentence", "macro_f1"),
        "strongly-valenced VADER words",
        ("loaded_language", "baseline_vader_strong_sentence", "macro_f1"),
        "a sentence counts as loaded above a fixed weight of flagged words",
    ),
    RowSpec(
        "loaded language: sentences",
        "BABE, the other half of its topics",
        "macro-F1 (held-out half B)",
        ("loaded_language", "half_b_topics_sentence", "macro_f1"),
        "half A of the topics",
        ("loaded_language", "half_a_topics_sentence", "macro_f1"),
        "the two halves share no topic: a gap between them shows topic dependence",
    ),
    RowSpec(
        "sentiment: sentences",
        "NewsMTSC (news sentences with a target)",
        "macro-F1, 3 classes",
        ("sentiment", "vader_news_adapted", "macro_f1"),
        "plain VADER",
        ("sentiment", "vader_plain", "macro_f1"),
        "measures the tone of the wording; the data's labels are the tone toward a person",
    ),
    RowSpec(
        "sentiment: toward a target",
        "NewsMTSC (news sentences with a target)",
        "macro-F1, 3 classes",
        ("target_sentiment", "ours", "macro_f1"),
        "sentence VADER (news-adapted)",
        ("target_sentiment", "baseline_vader_sentence_news", "macro_f1"),
        "used for the tone toward actors",
    ),
    RowSpec(
        "loaded language: events",
        "BASIL (expert-marked bias spans, 3 outlets per event)",
        "Spearman r, article rate vs expert span density",
        ("event_bias", "loaded.page_spearman"),
        "without topic-word exclusion",
        ("event_bias", "loaded.no_topic_exclusion_spearman"),
        "the rates the Compare page shows (the event's topic words not counted)",
    ),
    RowSpec(
        "loaded language: events",
        "BASIL (expert-marked bias spans, 3 outlets per event)",
        "most-loaded outlet is the experts' densest (share of events)",
        ("event_bias", "loaded.page_most_loaded_agreement"),
        "chance",
        ("event_bias", "loaded.most_loaded_chance"),
        "ties share credit",
    ),
    RowSpec(
        "sentiment: article tone",
        "BASIL (experts' reading of the author's feeling toward the event)",
        "macro-F1, 3 classes",
        ("event_bias", "tone.article_neutral_band", "macro_f1"),
        "majority class",
        ("event_bias", "tone.majority_class", "macro_f1"),
        "tone of the wording against the experts' reading of the author's stance: they differ by design",
    ),
    RowSpec(
        "event grouping",
        "NewsWCL50",
        "adjusted Rand index",
        ("event_grouping", "newswcl50", "ours", "ari"),
        "TF-IDF + average linkage",
        ("event_grouping", "newswcl50", "baseline", "ari"),
        "",
    ),
    RowSpec(
        "event grouping",
        "NewsWCL50",
        "B-cubed F1",
        ("event_grouping", "newswcl50", "ours", "bcubed_f1"),
        "TF-IDF + average linkage",
        ("event_grouping", "newswcl50", "baseline", "bcubed_f1"),
        "",
    ),
    RowSpec(
        "event grouping",
        "NewsWCL50 + demo corpus + 92 unrelated pages as distractors",
        "adjusted Rand index",
        ("event_grouping", "mix", "ours", "ari"),
        "TF-IDF + average linkage",
        ("event_grouping", "mix", "baseline", "ari"),
        "",
    ),
)


def _pick(results: Mapping[str, object], path: tuple[str, ...]) -> object:
    cur: object = results
    for key in path:
        if not isinstance(cur, Mapping) or key not in cur:
            return None
        cur = cur[key]
    return cur


def _size(results: Mapping[str, object], section: str) -> str:
    part = results.get(section)
    if not isinstance(part, Mapping):
        return ""
    units = (
        ("pages", "pages"),
        ("targets", "targets"),
        ("sentences", "sentences"),
        ("loaded.events", "events"),
    )
    for key, unit in units:
        if isinstance(part.get(key), int):
            return f"{part[key]:,} {unit}"
    return ""


def quality_rows(results: Mapping[str, object]) -> list[dict]:
    """Rows for ``data/quality.json`` from ``quality.run``'s results (missing figures are skipped)."""
    rows: list[dict] = []
    for spec in ROW_SPECS:
        value = _pick(results, spec.path)
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        base = _pick(results, spec.baseline_path) if spec.baseline_path else None
        baseline = (
            f"{spec.baseline_label} {base:.3f}" if isinstance(base, int | float) else spec.baseline_label
        )
        size = _size(results, spec.path[0])
        rows.append(
            {
                "task": spec.task,
                "data": f"{spec.data}, {size}" if size else spec.data,
                "metric": spec.metric,
                "value": round(float(value), 4),
                "baseline": baseline,
                "note": spec.note,
            }
        )
    for section in results.values():
        extra = section.get("rows") if isinstance(section, Mapping) else None
        if isinstance(extra, list):
            rows.extend(dict(r) for r in extra if isinstance(r, Mapping))
    return rows
