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
measure, not a held-out one.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from analysis.settings import PROJECT_ROOT

GOLD_FILE = PROJECT_ROOT / "data" / "eval" / "voices_demo_quotes.tsv"
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


def eval_voices(_eval_dir: Path | None = None, gold_file: Path = GOLD_FILE) -> dict:
    from analysis.compare.voices import find_quotes
    from analysis.ingest.extract import extract_article

    gold = load_gold(gold_file)
    manifest = json.loads((DEMO_DIR / "manifest.json").read_text("utf-8"))
    urls = {a["file"]: a["url"] for ev in manifest["events"] for a in ev["articles"]}
    n_gold = n_pred = found = right = role_ok = verb_ok = 0
    kinds: Counter = Counter()
    kinds_right: Counter = Counter()
    misses: list[str] = []
    for file, labels in sorted(gold.items()):
        text = extract_article((DEMO_DIR / file).read_text("utf-8"), urls[file]).text
        preds = [q for q in find_quotes(text) if q.speaker]
        n_pred += len(preds)
        n_gold += len(labels)
        used: set[int] = set()
        for g in labels:
            kinds[g["kind"]] += 1
            anchor = _norm(g["anchor"])
            cands = [i for i, q in enumerate(preds) if i not in used and anchor in _norm(q.text)]
            if not cands:
                misses.append(f"{file}: {g['anchor']!r} ({g['speaker']}) not found")
                continue
            found += 1
            good = [i for i in cands if same_speaker(preds[i].speaker, g["speaker"])]
            i = min(good or cands, key=lambda i: len(preds[i].text))
            used.add(i)
            if not good:
                misses.append(f"{file}: {g['anchor']!r} given to {preds[i].speaker!r}, not {g['speaker']!r}")
                continue
            right += 1
            kinds_right[g["kind"]] += 1
            role_ok += preds[i].role == g["role"]
            verb_ok += preds[i].verb == g["verb"] or (preds[i].verb == "" and g["kind"] == "direct")
    precision = right / n_pred if n_pred else 0.0
    recall = right / n_gold if n_gold else 0.0
    return {
        "labelled_quotes": n_gold,
        "articles": len(gold),
        "predicted_with_speaker": n_pred,
        "speaker_precision": round(precision, 3),
        "speaker_recall": round(recall, 3),
        "speaker_f1": round(2 * precision * recall / (precision + recall), 3) if precision + recall else 0.0,
        "quote_found_recall": round(found / n_gold, 3) if n_gold else 0.0,
        "recall_by_kind": {k: round(kinds_right[k] / n, 3) for k, n in sorted(kinds.items())},
        "role_accuracy": round(role_ok / right, 3) if right else 0.0,
        "verb_accuracy": round(verb_ok / right, 3) if right else 0.0,
        "misses_listed": len(misses),
        "_misses": misses,
    }


def main() -> int:
    result = eval_voices()
    misses = result.pop("_misses")
    for key, value in result.items():
        print(f"  {key:<24} {value}")
    print("\nMisses:")
    for m in misses:
        print(f"  {m}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
