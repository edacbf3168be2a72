"""``python -m analysis bench quality``: measure extraction and scoring on labelled data.

The labelled data is third-party and lives outside the project (``../shared/eval`` by
default, or ``ANALYSIS_EVAL_DIR``); it is read, never copied.  When it is absent the
benchmark says so and exits 0.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from analysis.settings import PROJECT_ROOT

DEFAULT_EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"


def find_eval_dir(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    env = os.environ.get("ANALYSIS_EVAL_DIR")
    return Path(env) if env else DEFAULT_EVAL_DIR


def run(eval_dir: Path) -> dict[str, dict]:
    from analysis.bench.alignment_eval import eval_alignment, eval_who_reported_what
    from analysis.bench.event_eval import eval_events
    from analysis.bench.extraction_eval import eval_extraction
    from analysis.bench.grouping_eval import eval_grouping
    from analysis.bench.labels_eval import eval_labels
    from analysis.bench.scoring_eval import eval_loaded, eval_sentiment
    from analysis.bench.target_eval import eval_target
    from analysis.bench.voices_eval import eval_voices

    results: dict[str, dict] = {}
    for name, fn in (
        ("extraction", eval_extraction),
        ("loaded_language", eval_loaded),
        ("sentiment", eval_sentiment),
        ("target_sentiment", eval_target),
        ("event_grouping", eval_grouping),
        ("event_bias", eval_events),
        ("sentence_alignment", eval_alignment),
        ("who_reported_what", eval_who_reported_what),
        ("quote_attribution", eval_voices),
        ("label_grouping", eval_labels),
    ):
        t0 = time.perf_counter()
        results[name] = fn(eval_dir)
        results[name]["seconds"] = round(time.perf_counter() - t0, 2)
    return results


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, dict):
        return ", ".join(f"{k}={_fmt(x)}" for k, x in v.items())
    return str(v)


def write_results(results: dict[str, dict], eval_dir: Path, path: Path) -> Path:
    """The results as rows of the file the "Method & limits" page reads (``data/quality.json``)."""
    from analysis.bench.quality_rows import quality_rows
    from analysis.present.quality_file import write_quality
    from analysis.scoring.scorer import SCORER_VERSION

    shown = f"{eval_dir.parent.name}/{eval_dir.name}"  # not this machine's full path
    return write_quality(quality_rows(results), path, scorer_version=SCORER_VERSION, eval_data=shown)


def main(eval_dir: Path | None = None, as_json: bool = False, results_file: Path | None = None) -> int:
    """Run the benchmark; write its figures to ``results_file`` (default ``data/quality.json``)."""
    from analysis.present.quality_file import QUALITY_FILE

    eval_dir = find_eval_dir(eval_dir)
    if not eval_dir.is_dir():
        print(f"skipped: labelled data folder {eval_dir} not found (set --eval-dir or ANALYSIS_EVAL_DIR)")
        print("(quote attribution uses the project's own labels: python -m analysis.bench.voices_eval)")
        return 0
    results = run(eval_dir)
    written = write_results(results, eval_dir, results_file or QUALITY_FILE)
    if as_json:
        print(json.dumps(results, indent=2, default=str))
        return 0
    print(f"wrote {written} (read by the dashboard's Method & limits page)")
    print(f"Quality benchmark on {eval_dir}\n")
    for section, metrics in results.items():
        print(f"== {section}")
        for key, value in metrics.items():
            if key.startswith("_"):
                continue
            print(f"  {key:<34} {_fmt(value)}")
        print()
    return 0
