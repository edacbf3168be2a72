"""Quote attribution quality on the hand-labelled demo corpus (``data/eval/voices_demo_quotes.tsv``).

The demo articles (``data/demo``) are fiction written for this project, so their labels live in the
project.  Every quote of the 21 articles was labelled by hand: direct, partial and indirect, with
speaker, role and verb.  A predicted quote matches a labelled one when it contains the label's
anchor words (one-to-one); the speaker is right when the names agree (the same last word, or one
name's words inside the other's: "Ruiz" ~ "Ana Ruiz", "doctors" ~ "Local doctors").

- precision: predicted quotes with a speaker that match a labelled quote with that speaker;
- recall: labelled quotes found with the right speaker;
- role and verb accuracy: over the quotes found with the right speaker.

The attribution rules were written while reading this corpus: these figures are a development
measure, not a held-out one.  The held-out check is ``data/eval/voices_basil_quotes.tsv``: 77 quotes
of nine real articles of three events (BASIL, in ``../shared/eval/event_bias``, read in place; the file
holds only article ids, character offsets and the labels), labelled by reading the articles before
the rules were run on them, and not used to change the rules.  A predicted quote matches a held-out
label when its span covers the label's offsets.  Together: 248 + 77 = 325 labelled quotes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from analysis.compare.voices import Quote

GOLD_FILE = PROJECT_ROOT / "data" / "eval" / "voices_demo_quotes.tsv"
HELDOUT_FILE = PROJECT_ROOT / "data" / "eval" / "voices_basil_quotes.tsv"  # offsets into ../shared/eval
DEMO_DIR = PROJECT_ROOT / "data" / "demo"
_DROP = frozenset("the a an one his her its their our".split())


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.casefold().split())


def _name_words(name: str) -> list[str]:
    return [w for w in re.findall(r"[\w'-]+", _norm(name)) if w not in _DROP]


def same_speaker(pred: str, gold: str) -> bool:
    p, g = _name_words(pred), _name_words(gold)
    if not p or not g:
        return False
    return p[-1] == g[-1] or set(p) <= set(g) or set(g) <= set(p)


def load_gold(path: Path = GOLD_FILE) -> dict[str, list[dict]]:
    rows = [line for line in path.read_text("utf-8").splitlines() if line and not line.startswith("#")]
    out: dict[str, list[dict]] = defaultdict(list)
    for r in csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE):
        out[r["file"]].append(r)
    return out


class _Tally:
    """Counts of one labelled set: quotes, predictions, found, right speaker, role, verb, by kind."""

    def __init__(self) -> None:
        self.n_gold = self.n_pred = self.found = self.right = self.role_ok = self.verb_ok = 0
        self.articles = 0
        self.role_stated = self.role_stated_ok = 0  # the tool named a role (not "unknown")
        self.kinds: Counter = Counter()
        self.kinds_right: Counter = Counter()
        self.misses: list[str] = []

    def article(
        self, name: str, preds: list, labels: list[dict], hits: Callable[[dict, Quote], bool]
    ) -> None:
        """Score one article: ``hits(label, quote)`` says whether a predicted quote covers the label."""
        self.articles += 1
        self.n_pred += len(preds)
        self.n_gold += len(labels)
        used: set[int] = set()
        for g in labels:
            self.kinds[g["kind"]] += 1
            cands = [i for i, q in enumerate(preds) if i not in used and hits(g, q)]
            if not cands:
                self.misses.append(f"{name}: {g['anchor']!r} ({g['speaker']}) not found")
                continue
            self.found += 1
            good = [i for i in cands if same_speaker(preds[i].speaker, g["speaker"])]
            i = min(good or cands, key=lambda i: len(preds[i].text))
            used.add(i)
            if not good:
                self.misses.append(
                    f"{name}: {g['anchor']!r} given to {preds[i].speaker!r}, not {g['speaker']!r}"
                )
                continue
            self.right += 1
            self.kinds_right[g["kind"]] += 1
            self.role_ok += preds[i].role == g["role"]
            if preds[i].role != "unknown":
                self.role_stated += 1
                self.role_stated_ok += preds[i].role == g["role"]
            self.verb_ok += preds[i].verb == g["verb"] or (preds[i].verb == "" and g["kind"] == "direct")

    def figures(self) -> dict:
        p = self.right / self.n_pred if self.n_pred else 0.0
        r = self.right / self.n_gold if self.n_gold else 0.0
        return {
            "labelled_quotes": self.n_gold,
            "articles": self.articles,
            "predicted_with_speaker": self.n_pred,
            "speaker_precision": round(p, 3),
            "speaker_recall": round(r, 3),
            "speaker_f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "quote_found_recall": round(self.found / self.n_gold, 3) if self.n_gold else 0.0,
            "recall_by_kind": {k: round(self.kinds_right[k] / n, 3) for k, n in sorted(self.kinds.items())},
            "role_accuracy": round(self.role_ok / self.right, 3) if self.right else 0.0,
            "role_stated_share": round(self.role_stated / self.right, 3) if self.right else 0.0,
            "role_accuracy_when_stated": (
                round(self.role_stated_ok / self.role_stated, 3) if self.role_stated else 0.0
            ),
            "verb_accuracy": round(self.verb_ok / self.right, 3) if self.right else 0.0,
        }


def _demo_tally(gold_file: Path) -> _Tally:
    from analysis.compare.voices import find_quotes
    from analysis.ingest.extract import extract_article

    manifest = json.loads((DEMO_DIR / "manifest.json").read_text("utf-8"))
    urls = {a["file"]: a["url"] for ev in manifest["events"] for a in ev["articles"]}
    tally = _Tally()
    for file, labels in sorted(load_gold(gold_file).items()):
        text = extract_article((DEMO_DIR / file).read_text("utf-8"), urls[file]).text
        preds = [q for q in find_quotes(text) if q.speaker]
        tally.article(file, preds, labels, lambda g, q: _norm(g["anchor"]) in _norm(q.text))
    return tally


def _heldout_tally(eval_dir: Path, gold_file: Path) -> _Tally | None:
    """The BASIL articles of ``HELDOUT_FILE``, read in place from ``eval_dir``; None when absent."""
    from analysis.compare.voices import find_quotes

    source = eval_dir / "event_bias" / "basil_dev.jsonl"
    if not source.is_file() or not gold_file.is_file():
        return None
    texts = {}
    for line in source.read_text("utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            texts[(r["event"], r["outlet"])] = r["text"]
    rows = [line for line in gold_file.read_text("utf-8").splitlines() if line and not line.startswith("#")]
    by_article: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE):
        by_article[(r["event"], r["outlet"])].append(r)
    tally = _Tally()
    for key, labels in sorted(by_article.items()):
        text = texts.get(key)
        if text is None or hashlib.sha1(text.encode("utf-8")).hexdigest()[:10] != labels[0]["sha1"]:
            tally.misses.append(f"{key}: article missing or changed; its labels are skipped")
            continue
        for g in labels:
            g["anchor"] = text[int(g["start"]) : int(g["end"])]  # in memory only, never written
        preds = [q for q in find_quotes(text) if q.speaker]
        tally.article(
            f"{key[1]} {key[0][:8]}",
            preds,
            labels,
            lambda g, q: q.start <= int(g["start"]) and int(g["end"]) <= q.end,
        )
    return tally


def eval_voices(eval_dir: Path | None = None, gold_file: Path = GOLD_FILE) -> dict:
    dev = _demo_tally(gold_file)
    held = _heldout_tally(eval_dir, HELDOUT_FILE) if eval_dir is not None else None
    parts = [
        ("dev", dev, f"demo corpus, {dev.n_gold} hand-labelled quotes (development set: rules tuned on it)")
    ]
    if held is not None:
        data = f"BASIL, 3 events x 3 outlets, {held.n_gold} hand-labelled quotes (held out: rules not tuned)"
        parts.append(("heldout", held, data))
    rows = []
    for part, tally, data in parts:
        f = tally.figures()
        for name, key, note in (
            ("speaker precision", "speaker_precision", ""),
            ("speaker recall", "speaker_recall", "indirect quotes are found least often"),
            (
                "role accuracy",
                "role_accuracy",
                "of quotes with the right speaker ('unknown' is wrong)",
            ),
            ("role stated", "role_stated_share", "share of those given a role other than 'unknown'"),
            ("role accuracy when stated", "role_accuracy_when_stated", "of quotes given a role"),
        ):
            rows.append(
                {
                    "task": f"quotes: speaker ({part})",
                    "data": data,
                    "metric": name,
                    "value": f[key],
                    "baseline": "",
                    "note": note,
                }
            )
    out: dict = {"rows": rows, **dev.figures()}
    if held is not None:
        out["heldout"] = held.figures()
        out["labelled_quotes_total"] = dev.n_gold + held.n_gold
    out["misses_listed"] = len(dev.misses) + (len(held.misses) if held else 0)
    out["_misses"] = dev.misses + (["-- held out --", *held.misses] if held else [])
    return out


def main() -> int:
    from analysis.bench.quality import find_eval_dir

    result = eval_voices(find_eval_dir())
    misses = result.pop("_misses")
    for key, value in result.items():
        print(f"  {key:<24} {value}")
    print("\nMisses:")
    for m in misses:
        print(f"  {m}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
