"""score_text and SCORER_VERSION (analysis/scoring/scorer.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from analysis.bench.scoring_eval import eval_loaded, eval_sentiment
from analysis.scoring.scorer import SCORER_VERSION, lexicon_hash, score_text, scorer_version
from analysis.scoring.text import LEXICON_DIR


def test_score_text_with_and_without_title() -> None:
    scores = score_text("The outrageous plan failed. Officials met on Tuesday.", title="A shocking plan")
    assert scores.scorer_version == SCORER_VERSION
    assert scores.sentiment.n_sentences == 2
    assert scores.loaded.word_count == 8
    assert scores.headline_sentiment is not None and scores.headline_sentiment.n_sentences == 1
    assert scores.headline_loaded is not None and scores.headline_loaded.spans[0].text == "shocking"
    bare = score_text("Officials met on Tuesday.")
    assert bare.headline_sentiment is None and bare.headline_loaded is None


def test_version_names_its_parts() -> None:
    assert SCORER_VERSION.startswith("loaded-")
    assert "+vader-" in SCORER_VERSION and "+split-" in SCORER_VERSION
    assert SCORER_VERSION.endswith("+lex-" + lexicon_hash())


def test_version_changes_when_lexicon_content_changes(tmp_path: Path) -> None:
    copy = tmp_path / "lexicons"
    shutil.copytree(LEXICON_DIR, copy)
    before = scorer_version(copy)
    assert before == SCORER_VERSION  # same content, same version
    with (copy / "loaded_emotional.tsv").open("a", encoding="utf-8") as fh:
        fh.write("dreadfulish\temotional\t0.5\t\n")
    after = scorer_version(copy)
    assert after != before
    assert after.split("+lex-")[0] == before.split("+lex-")[0]


def test_benchmarks_skip_cleanly_without_data(tmp_path: Path) -> None:
    assert "skipped" in eval_loaded(tmp_path)
    assert "skipped" in eval_sentiment(tmp_path)


def test_benchmark_metrics_on_a_tiny_made_up_set(tmp_path: Path) -> None:
    rows = [
        {"text": "The outrageous plan failed.", "biased": True, "biased_words": ["outrageous"]},
        {"text": "Officials met on Tuesday.", "biased": False, "biased_words": []},
        {"text": "A shocking vote followed.", "biased": True, "biased_words": ["vote"]},
    ]
    (tmp_path / "loaded_language").mkdir()
    (tmp_path / "loaded_language" / "babe_dev.jsonl").write_text(
        "\n".join(json.dumps(r) for r in rows), encoding="utf-8"
    )
    result = eval_loaded(tmp_path)
    # Predicted words: outrageous (gold), shocking (not gold); gold words: outrageous, vote.
    assert result["word"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert result["sentence"]["biased_f1"] == 1.0 and result["sentence"]["macro_f1"] == 1.0
    assert result["baseline_all_biased"]["biased_f1"] == 0.8
    sentiment_rows = [
        {"text": "A wonderful, great success.", "target": {}, "gold": "positive"},
        {"text": "A horrible, tragic failure.", "target": {}, "gold": "negative"},
        {"text": "The meeting is on Tuesday.", "target": {}, "gold": "neutral"},
    ]
    (tmp_path / "sentiment").mkdir()
    (tmp_path / "sentiment" / "newsmtsc_train.jsonl").write_text(
        "\n".join(json.dumps(r) for r in sentiment_rows), encoding="utf-8"
    )
    sent = eval_sentiment(tmp_path)
    assert sent["vader_plain"] == {"accuracy": 1.0, "macro_f1": 1.0}
