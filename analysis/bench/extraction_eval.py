"""Article-body extraction quality on the Article Extraction Benchmark pages.

Reads ``<eval_dir>/extraction/`` (``html/<id>.html.gz`` and ``ground-truth.json``), which is
third-party labelled data kept outside the project (``../shared/eval``): it is read here,
never copied.  The metric is the benchmark's own: whitespace tokens, sets of 4-token
shingles, per-page precision and recall (an empty side scores 0 unless both are empty),
averaged over pages, F1 from the averages.

Run through ``python -m analysis bench quality`` or ``python -m analysis.bench.extraction_eval``.
"""

from __future__ import annotations

import functools
import gzip
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import newspaper
import trafilatura

from analysis.bench.extraction_cv import PageCase, cv_report, page_case
from analysis.ingest.extract import article_from_parts, extract_article, read_page
from analysis.settings import Settings

SHINGLE_SIZE = 4  # the benchmark's shingle length


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[tuple[str, ...]]:
    tokens = text.split()
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def precision_recall(predicted: str, truth: str) -> tuple[float, float]:
    """Shingle precision and recall of one page; (1, 1) when both sides are empty."""
    pred, gold = shingles(predicted), shingles(truth)
    if not pred and not gold:
        return 1.0, 1.0
    common = len(pred & gold)
    return (common / len(pred) if pred else 0.0), (common / len(gold) if gold else 0.0)


def _against(truth: str, predicted: str) -> tuple[float, float]:
    return precision_recall(predicted, truth)


def summarise(pairs: list[tuple[float, float]]) -> dict[str, float]:
    """Mean precision, mean recall and the F1 of those means."""
    if not pairs:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    p = sum(x for x, _ in pairs) / len(pairs)
    r = sum(y for _, y in pairs) / len(pairs)
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
    }


def _newspaper_alone(html: str, url: str) -> str:
    cfg = newspaper.Config()
    cfg.fetch_images = False
    cfg.memoize_articles = False
    article = newspaper.Article(url, config=cfg)
    article.download(input_html=html)
    article.parse()
    return article.text


def _trafilatura_alone(html: str, url: str) -> str:
    return trafilatura.extract(html, url=url, include_comments=False) or ""


def _find_extraction_dir(eval_dir: Path) -> Path:
    return eval_dir if (eval_dir / "ground-truth.json").is_file() else eval_dir / "extraction"


def eval_extraction(eval_dir: Path, limit: int | None = None) -> dict:
    """P/R/F1 of newspaper3k alone, trafilatura alone and :func:`extract_article`'s choice.

    Also :func:`extract_article` without its clutter removal, and ``body_choice_cv``: the
    cross-validated F1 of the body-choice rules (:mod:`analysis.bench.extraction_cv`) next to
    each extractor alone with the same post-processing.

    ``eval_dir`` is the labelled-data root (with ``extraction/``) or the extraction folder
    itself.  Returns ``{"skipped": reason}`` when the data is absent.
    """
    folder = _find_extraction_dir(Path(eval_dir))
    truth_file = folder / "ground-truth.json"
    if not truth_file.is_file():
        return {"skipped": f"no extraction benchmark at {folder} (third-party data, not shipped)"}
    truth: dict[str, dict] = json.loads(truth_file.read_text(encoding="utf-8"))
    settings = Settings()
    runners: dict[str, Callable[[str, str], str]] = {
        "newspaper3k": _newspaper_alone,
        "trafilatura": _trafilatura_alone,
    }
    pairs: dict[str, list[tuple[float, float]]] = {name: [] for name in [*runners, "chosen", "cluttered"]}
    cases: list[PageCase] = []
    chosen_by: dict[str, int] = {}
    elapsed = 0.0
    pages = 0
    # Warm-up (imports, the language model's one-off ~1 s load) so ms_per_page is the steady state.
    warm_up = "<html><body><p>" + "warm up text " * 20 + "</p></body></html>"
    extract_article(warm_up, "https://x.test/", settings)
    for page_id, item in sorted(truth.items())[:limit]:
        path = folder / "html" / f"{page_id}.html.gz"
        if not path.is_file():
            continue
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        gold = item.get("articleBody") or ""
        url = item.get("url") or ""
        for name, run in runners.items():
            pairs[name].append(precision_recall(run(html, url), gold))
        t0 = time.perf_counter()
        parts = read_page(html, url, settings)  # read_page + article_from_parts = extract_article
        article = article_from_parts(parts, url, settings)
        elapsed += time.perf_counter() - t0
        pairs["chosen"].append(precision_recall(article.text, gold))
        cluttered = article_from_parts(parts, url, settings, unclutter=False)
        pairs["cluttered"].append(precision_recall(cluttered.text, gold))
        cases.append(page_case(parts, url, settings, functools.partial(_against, gold), shingles))
        chosen_by[article.extractor] = chosen_by.get(article.extractor, 0) + 1
        pages += 1
    if not pages:
        return {"skipped": f"no pages found under {folder / 'html'}"}
    return {
        "pages": pages,
        "newspaper3k": summarise(pairs["newspaper3k"]),
        "trafilatura": summarise(pairs["trafilatura"]),
        "extract_article": summarise(pairs["chosen"]),
        "extract_article_without_clutter_removal": summarise(pairs["cluttered"]),
        "body_choice_cv": cv_report(cases),
        "chosen_by": dict(sorted(chosen_by.items())),
        "ms_per_page": round(1000 * elapsed / pages, 1),
        "source": f"{folder} (Article Extraction Benchmark, read only)",
    }


if __name__ == "__main__":  # pragma: no cover - manual run
    from analysis.bench.quality import find_eval_dir

    arg = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    print(json.dumps(eval_extraction(find_eval_dir(arg)), indent=2))
