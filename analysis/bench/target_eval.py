"""Quality of target-dependent sentiment (:mod:`analysis.scoring.target`) on NewsMTSC.

Reads ``sentiment/newsmtsc_train.jsonl`` from the shared eval folder (third-party data: read in
place, never copied): one news sentence per line with a target (``mention``, ``from``, ``to``) and
the gold sentiment toward it.  Returns ``{"skipped": reason}`` when the file is absent.

Reported: accuracy and macro-F1 (with per-class F1) for our scorer; the same for two halves of
the data split by a hash of the sentence (a check that rules tuned on the whole do not fit one
half only; all targets of one sentence fall in the same half); baselines: sentence-level VADER
compound with VADER's +/-0.05 convention (plain and news-adapted, :mod:`analysis.scoring.sentiment`) and
the majority class; an ablation without the role weights (every role counts 1).

Run alone with ``python -m analysis.bench.target_eval [EVAL_DIR]``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from analysis.scoring import target
from analysis.scoring.sentiment import compound, label, plain_compound

NEWSMTSC_FILE = Path("sentiment") / "newsmtsc_train.jsonl"
CLASSES: tuple[str, ...] = ("negative", "neutral", "positive")


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def metrics(gold: list[str], pred: list[str]) -> dict:
    """Accuracy, macro-F1 over CLASSES and per-class F1."""
    f1s: dict[str, float] = {}
    for c in CLASSES:
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s[c] = round(2 * prec * rec / (prec + rec), 3) if prec + rec else 0.0
    accuracy = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold) if gold else 0.0
    return {
        "accuracy": round(accuracy, 3),
        "macro_f1": round(sum(f1s.values()) / len(CLASSES), 3),
        "f1": f1s,
    }


def half_of(sentence: str) -> int:
    """0 or 1, from a hash of the sentence (stable across runs and machines)."""
    return hashlib.sha1(sentence.encode("utf-8")).digest()[0] % 2


def _predict(rows: list[dict], fn: Callable[[str, int, int], str]) -> list[str]:
    return [fn(r["text"], int(r["target"]["from"]), int(r["target"]["to"])) for r in rows]


def eval_target(eval_dir: Path) -> dict:
    """Our target sentiment against NewsMTSC gold labels, with halves, baselines and an ablation."""
    path = Path(eval_dir) / NEWSMTSC_FILE
    if not path.is_file():
        return {"skipped": f"{path} not found"}
    rows = _read_jsonl(path)
    gold = [r["gold"] for r in rows]
    ours = _predict(rows, target.target_sentiment)
    halves = [half_of(r["text"]) for r in rows]

    def on_half(pred: list[str], h: int) -> dict:
        idx = [i for i, x in enumerate(halves) if x == h]
        return metrics([gold[i] for i in idx], [pred[i] for i in idx])

    texts = {r["text"] for r in rows}
    plain = {t: label(plain_compound(t)) for t in texts}
    adapted = {t: label(compound(t)) for t in texts}
    majority = Counter(gold).most_common(1)[0][0]
    with mock.patch.dict(target.ROLE_WEIGHTS, dict.fromkeys(target.ROLE_WEIGHTS, 1.0)):
        flat = _predict(rows, target.target_sentiment)
    confusion = Counter(zip(gold, ours, strict=True))
    return {
        "targets": len(rows),
        "gold_distribution": dict(Counter(gold)),
        "ours": metrics(gold, ours),
        "ours_half_a": on_half(ours, 0),
        "ours_half_b": on_half(ours, 1),
        "half_sizes": [halves.count(0), halves.count(1)],
        "confusion_gold_x_pred": {g: [confusion[(g, p)] for p in CLASSES] for g in CLASSES},
        "ablation_equal_role_weights": metrics(gold, flat),
        "baseline_vader_sentence_plain": metrics(gold, [plain[r["text"]] for r in rows]),
        "baseline_vader_sentence_news": metrics(gold, [adapted[r["text"]] for r in rows]),
        "baseline_vader_half_a": on_half([plain[r["text"]] for r in rows], 0),
        "baseline_vader_half_b": on_half([plain[r["text"]] for r in rows], 1),
        "baseline_majority": metrics(gold, [majority] * len(gold)),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    eval_dir = Path(args[0]) if args else Path(__file__).resolve().parents[3] / "shared" / "eval"
    for key, value in eval_target(eval_dir).items():
        print(f"  {key:<32} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
