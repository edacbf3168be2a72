"""Quality of the scorers on third-party labelled data (read from the eval folder, never copied).

``eval_loaded``: BABE sentences with expert labels (``loaded_language/babe_dev.jsonl``).
``eval_sentiment``: NewsMTSC sentences with target sentiment (``sentiment/newsmtsc_train.jsonl``).
Both return ``{"skipped": reason}`` when their file is absent.  Run alone with
``python -m analysis.bench.scoring_eval [EVAL_DIR]``.

Word-level metric (as the eval README defines it): every case-insensitive whole-word occurrence of
each expert-marked word is a gold span; a prediction is each word covered by one of our spans
(a phrase span counts as its words, a scare-quote span as the words inside the marks).  A
hyphenated word ("far-right") is one prediction; when only its parts are gold, the gold parts count
as hits.  The headline figure counts our word spans quoted ones too, because the annotators marked
words in the whole sentence, speech included; ``word_unquoted`` is the outlet-only variant.  The
words inside scare quotes are not predictions (the span flags the quoting device; the words are
someone else's): ``word_with_scare_quote_words`` counts them too.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from analysis.models import Span
from analysis.scoring.loaded import SENTENCE_THRESHOLD, loaded_spans, sentence_score
from analysis.scoring.sentiment import compound, label, plain_analyzer, plain_compound
from analysis.scoring.text import WORD_RE

BABE_FILE = Path("loaded_language") / "babe_dev.jsonl"
NEWSMTSC_FILE = Path("sentiment") / "newsmtsc_train.jsonl"

# Baseline "strongly valenced VADER words": |mean valence| of at least this much on VADER's -4..4 scale.
VADER_STRONG_VALENCE = 2.0
SWEEP_THRESHOLDS = (0.25, 0.5, 0.6, 0.8, 1.0, 1.5)


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}


def _binary(gold: list[bool], pred: list[bool]) -> dict[str, float]:
    """F1 of the positive ("biased") class, macro-F1 of both classes, accuracy."""
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    tn = len(gold) - tp - fp - fn
    f_pos = _prf(tp, fp, fn)["f1"]
    f_neg = _prf(tn, fn, fp)["f1"]
    return {
        "biased_f1": f_pos,
        "macro_f1": round((f_pos + f_neg) / 2, 3),
        "accuracy": round((tp + tn) / len(gold), 3) if gold else 0.0,
    }


def _multiclass(gold: list[str], pred: list[str]) -> dict[str, float]:
    classes = sorted(set(gold))
    f1s = []
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        f1s.append(_prf(tp, fp, fn)["f1"])
    accuracy = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold) if gold else 0.0
    return {"accuracy": round(accuracy, 3), "macro_f1": round(sum(f1s) / len(f1s), 3) if f1s else 0.0}


# --------------------------------------------------------------------------------------------
# Loaded language (BABE)
# --------------------------------------------------------------------------------------------


def gold_word_spans(text: str, biased_words: Iterable[str]) -> set[tuple[int, int]]:
    """Every case-insensitive whole-word occurrence of each biased word."""
    spans: set[tuple[int, int]] = set()
    for word in biased_words:
        word = word.strip()
        if word:
            pattern = r"(?<!\w)" + re.escape(word) + r"(?!\w)"
            spans.update(m.span() for m in re.finditer(pattern, text, re.IGNORECASE))
    return spans


def predicted_words(text: str, spans: Iterable[Span]) -> list[tuple[int, int]]:
    """The words (WORD_RE tokens) covered by ``spans``."""
    out: list[tuple[int, int]] = []
    for sp in spans:
        for m in WORD_RE.finditer(text, sp.start, sp.end):
            out.append(m.span())
    return out


def _match_words(pred: list[tuple[int, int]], gold: set[tuple[int, int]], text: str) -> tuple[int, int]:
    """(true positives, false positives) of predicted words against gold spans."""
    tp = fp = 0
    for start, end in set(pred):
        if (start, end) in gold:
            tp += 1
            continue
        parts = [(start + m.start(), start + m.end()) for m in re.finditer(r"[^\W_]+", text[start:end])]
        part_hits = sum(p in gold for p in parts) if len(parts) > 1 else 0
        if part_hits:
            tp += part_hits
        else:
            fp += 1
    return tp, fp


def _vader_strong_spans(text: str) -> list[Span]:
    lexicon = plain_analyzer().lexicon
    out = []
    for m in WORD_RE.finditer(text):
        valence = lexicon.get(m.group().lower())
        if valence is not None and abs(valence) >= VADER_STRONG_VALENCE:
            out.append(Span(m.start(), m.end(), m.group(), "vader", abs(valence) / 4))
    return out


def _word_level(sp: Span) -> bool:
    """Spans that name loaded words.  A scare-quote span marks the quoting, not the words inside:
    those are someone else's words held at a distance, so they are not predicted loaded words."""
    return sp.rule != "scare-quote"


def _word_metrics(
    rows: list[dict], spans_of: Callable[[str], list[Span]], keep: Callable[[Span], bool]
) -> dict[str, float]:
    tp = fp = n_gold = 0
    for row in rows:
        gold = gold_word_spans(row["text"], row.get("biased_words") or [])
        pred = predicted_words(row["text"], [sp for sp in spans_of(row["text"]) if keep(sp)])
        t, f = _match_words(pred, gold, row["text"])
        tp, fp, n_gold = tp + t, fp + f, n_gold + len(gold)
    return _prf(tp, fp, max(0, n_gold - tp))


def _sentence_metrics(
    rows: list[dict], score_of: Callable[[str], float], threshold: float
) -> dict[str, float]:
    gold = [bool(r["biased"]) for r in rows]
    return _binary(gold, [score_of(r["text"]) >= threshold for r in rows])


def _topic_halves(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """Two halves with disjoint topics (alternating over topics sorted by size)."""
    sizes = Counter(r.get("topic", "") for r in rows)
    ordered = [t for t, _ in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))]
    first = set(ordered[0::2])
    half_a = [r for r in rows if r.get("topic", "") in first]
    half_b = [r for r in rows if r.get("topic", "") not in first]
    return half_a, half_b


def eval_loaded(eval_dir: Path) -> dict:
    """Word- and sentence-level quality of the loaded-language scorer on BABE, with baselines."""
    path = Path(eval_dir) / BABE_FILE
    if not path.is_file():
        return {"skipped": f"{path} not found"}
    rows = _read_jsonl(path)
    cache: dict[str, list[Span]] = {}

    def spans_of(text: str) -> list[Span]:
        if text not in cache:
            cache[text] = loaded_spans(text)
        return cache[text]

    score_cache: dict[str, float] = {}

    def production_score(text: str) -> float:  # what sentence_is_loaded() thresholds
        if text not in score_cache:
            score_cache[text] = sentence_score(text)
        return score_cache[text]

    def words_only_score(text: str) -> float:  # unquoted hits, no stance cue
        return sum(sp.weight for sp in spans_of(text) if not sp.quoted)

    def with_quoted_score(text: str) -> float:  # quoted hits count as the outlet's too
        return production_score(text) + sum(sp.weight for sp in spans_of(text) if sp.quoted)

    def any_hit_score(text: str) -> float:
        return float(len(spans_of(text)))

    def vader_score(text: str) -> float:
        return float(len(_vader_strong_spans(text)))

    every = _word_metrics(rows, spans_of, _word_level)
    unquoted = _word_metrics(rows, spans_of, lambda sp: _word_level(sp) and not sp.quoted)
    with_scare = _word_metrics(rows, spans_of, lambda sp: True)
    production = _sentence_metrics(rows, production_score, SENTENCE_THRESHOLD)
    half_a, half_b = _topic_halves(rows)
    # Precision of each category at word level: which parts of the lexicon agree with the experts.
    cat_tp: dict[str, int] = defaultdict(int)
    cat_n: dict[str, int] = defaultdict(int)
    for row in rows:
        gold = gold_word_spans(row["text"], row.get("biased_words") or [])
        for sp in spans_of(row["text"]):
            key = sp.category if sp.rule in {"lexicon", "phrase"} else sp.rule
            t, f = _match_words(predicted_words(row["text"], [sp]), gold, row["text"])
            cat_tp[key] += t
            cat_n[key] += t + f
    result: dict = {
        "sentences": len(rows),
        "biased_share": round(sum(bool(r["biased"]) for r in rows) / len(rows), 3) if rows else 0.0,
        "word": every,
        "word_unquoted": unquoted,
        "word_with_scare_quote_words": with_scare,
        "sentence": production,
        "sentence_threshold": SENTENCE_THRESHOLD,
        "sentence_with_quoted": _sentence_metrics(rows, with_quoted_score, SENTENCE_THRESHOLD),
        "sentence_words_only": _sentence_metrics(rows, words_only_score, SENTENCE_THRESHOLD),
        "sentence_any_hit": _sentence_metrics(rows, any_hit_score, 1.0),
        "sentence_sweep_macro_f1": {
            str(t): _sentence_metrics(rows, production_score, t)["macro_f1"] for t in SWEEP_THRESHOLDS
        },
        "category_precision": {
            k: f"{cat_tp[k] / cat_n[k]:.2f} of {cat_n[k]}"
            for k in sorted(cat_n, key=lambda k: -cat_n[k])
            if cat_n[k]
        },
        "half_a_topics_word_f1": _word_metrics(half_a, spans_of, _word_level)["f1"],
        "half_b_topics_word_f1": _word_metrics(half_b, spans_of, _word_level)["f1"],
        "half_a_topics_sentence": _sentence_metrics(half_a, production_score, SENTENCE_THRESHOLD),
        "half_b_topics_sentence": _sentence_metrics(half_b, production_score, SENTENCE_THRESHOLD),
        "baseline_all_biased": _binary([bool(r["biased"]) for r in rows], [True] * len(rows)),
        "baseline_vader_strong_word": _word_metrics(rows, _vader_strong_spans, lambda sp: True),
        "baseline_vader_strong_sentence": _sentence_metrics(rows, vader_score, 1.0),
    }
    return result


# --------------------------------------------------------------------------------------------
# Sentiment (NewsMTSC)
# --------------------------------------------------------------------------------------------


def eval_sentiment(eval_dir: Path) -> dict:
    """Sentence-level VADER (+/-0.05) against NewsMTSC's target sentiment labels.

    ``vader_plain`` is VADER as shipped; ``vader_news_adapted`` is what :mod:`analysis.scoring.sentiment`
    uses (names left out, news supplement).  Both score the whole sentence, ignoring the target.
    """
    path = Path(eval_dir) / NEWSMTSC_FILE
    if not path.is_file():
        return {"skipped": f"{path} not found"}
    rows = _read_jsonl(path)
    texts = {row["text"] for row in rows}
    plain = {t: plain_compound(t) for t in texts}
    adapted = {t: compound(t) for t in texts}
    gold = [row["gold"] for row in rows]
    majority = Counter(gold).most_common(1)[0][0]
    return {
        "targets": len(rows),
        "sentences": len(texts),
        "gold_distribution": dict(Counter(gold)),
        "vader_plain": _multiclass(gold, [label(plain[row["text"]]) for row in rows]),
        "vader_news_adapted": _multiclass(gold, [label(adapted[row["text"]]) for row in rows]),
        "baseline_majority": _multiclass(gold, [majority] * len(gold)),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    eval_dir = Path(args[0]) if args else Path(__file__).resolve().parents[3] / "shared" / "eval"
    for name, fn in (("loaded_language", eval_loaded), ("sentiment", eval_sentiment)):
        print(f"== {name}")
        for key, value in fn(eval_dir).items():
            print(f"  {key:<32} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
