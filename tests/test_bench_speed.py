"""The speed benchmark's pieces at tiny sizes: output structure only (no timing thresholds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.bench import speed, speed_page, speed_stages
from analysis.bench.generate import MAX_WORDS, CorpusGenerator, generate_pages
from analysis.ingest.extract import extract_article
from analysis.parallel import SerialEngine

VERDICTS = {"PASS", "MISS", "n/a"}


@pytest.fixture(scope="module")
def pages():
    return generate_pages(30)


def test_generator_is_deterministic_and_varied(pages):
    again = generate_pages(30)
    assert [p.html for p in again] == [p.html for p in pages]
    assert len({p.url for p in pages}) == 30
    assert len({p.event for p in pages}) == 2  # 20 articles per event
    assert generate_pages(5, seed=1)[0].html != pages[0].html
    gen = CorpusGenerator()
    assert "Brennick" in gen.names and "April" not in gen.names


def test_generated_pages_extract_like_real_ones(pages):
    titles = set()
    for page in pages[:5]:
        article = extract_article(page.html, page.url)
        titles.add(article.title)
        assert article.health == "ok", article.reason
        assert article.canonical_url == page.url
        assert article.published is not None and article.published.year == 2025
        assert abs(article.word_count - page.words) <= max(30, page.words // 10)
        assert page.words <= MAX_WORDS + 300
        assert "@@" not in page.html
    assert len(titles) == 5  # five outlets, five headlines


def test_ingest_and_event_page(tmp_path: Path, pages):
    db = tmp_path / "i.db"
    res = speed_stages.ingest(pages[:4], SerialEngine(), db)
    assert res["articles"] == 4 and res["engine"] == "serial"
    assert res["articles_per_s"] > 0 and sum(res["health"].values()) == 4
    page = speed_page.event_page(db, repeats=1)
    assert page["articles_stored"] == 4 and page["event_articles"] >= 1
    assert {"event_rows", "outlet_summary", "charts"} <= set(page["stages_s"])


def test_replicate_store(tmp_path: Path, pages):
    kept: list = []
    speed_stages.ingest(pages[:2], SerialEngine(), tmp_path / "a.db", keep=kept)
    assert speed_stages.replicate_store(kept, 7, 3, tmp_path / "r.db") == 7
    page = speed_page.event_page(tmp_path / "r.db", repeats=1)
    assert page["articles_stored"] == 7 and page["events"] == 3


def test_scoring_compares_with_plain_vader(pages):
    res = speed_stages.scoring(pages[:4])
    assert res["articles"] == 4 and res["sentences"] > 0
    assert 0 < res["comparable_sentences"] <= res["sentences"]
    assert res["identical_sentences"] == res["comparable_sentences"]
    assert res["plain_identical_sentences"] == res["sentences"]
    for key in ("extract_ms_per_article", "score_ms_per_article", "plain_vader_ms_per_article"):
        assert res[key] > 0


def test_fetching_from_a_slow_local_server(pages):
    res = speed_stages.fetching(pages[0].html, n_pages=6, latency=0.01, concurrency=3)
    assert res["ok"] == 6 and res["bound_s"] == 0.02 and res["factor"] > 0


def test_targets_and_table():
    result = {
        "ingest": [{"articles": 10, "workers": 2, "articles_per_s": 30.0}],
        "scoring": {
            "scoring_adds_to_extraction": 0.5,
            "score_vs_plain_vader": 1.0,
            "sentiment_vs_plain_vader": 2.5,
            "identical_sentences": 3,
            "comparable_sentences": 3,
        },
        "grouping": [{"n": 100_000, "skipped": "not here"}],
    }
    rows = speed.targets(result)
    assert [r["verdict"] for r in rows] == ["PASS", "MISS", "PASS", "MISS", "n/a"]
    table = speed.format_table(rows)
    assert table.splitlines()[0].split() == ["measure", "value", "target", "verdict"]


def test_quick_run_end_to_end(tmp_path: Path):
    result = speed.run(
        (6,),
        quick=True,
        group_sizes=(),
        sample=3,
        fetch_pages=4,
        one_core_max=4,
        engine=SerialEngine(),
        browser=False,  # tests/test_browser.py runs the browser measurement
        dask=False,  # test_dask_scaling below
        log=lambda *_: None,
    )
    expected = {
        "machine",
        "ingest",
        "scoring",
        "voices",
        "fetch",
        "event_page",
        "grouping",
        "targets",
        "alignment",
    }
    assert expected <= set(result)
    assert result["voices"]["outlets"] == 6 and result["voices"]["quotes"] > 0
    assert [r["articles"] for r in result["ingest"]] == [6, 4]
    assert {r["verdict"] for r in result["targets"]} <= VERDICTS


def test_dask_scaling(tmp_path: Path, pages):
    pytest.importorskip("distributed", reason="the Dask engine needs dask and distributed")
    res = speed_stages.dask_scaling(pages[:4], tmp_path)
    assert res["pages"] == 4 and set(res["runs"]) == {"1", "2"}
    assert res["speedup_analyse"] > 0 and res["speedup_ingest"] > 0
    rows = speed.targets({"dask": res})
    assert [r["verdict"] for r in rows] == ["n/a", "n/a"]


def test_ingest_streams_a_generator_in_blocks(tmp_path: Path):
    from analysis.bench.generate import CorpusGenerator

    res = speed_stages.ingest(CorpusGenerator().pages(7), SerialEngine(), tmp_path / "s.db", block=3)
    assert res["articles"] == 7 and sum(res["health"].values()) == 7 and res["db_mb"] > 0


def test_main_writes_the_json_into_a_new_folder(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setattr(
        speed,
        "run",
        lambda *a, **k: {
            "machine": {"cpus": 2, "load_average_start": 0.1, "load_average_end": 0.2},
            "targets": [],
        },
    )
    out = tmp_path / "out" / "bench.json"  # out/ does not exist in a fresh checkout
    speed.main((1,), out, quick=True)
    assert json.loads(out.read_text())["machine"]["cpus"] == 2
    assert "written" in capsys.readouterr().out


def test_page_targets_rows() -> None:
    from analysis.bench import speed_pages

    visit = {"s": 1.0, "server_cpu_s": 0.5, "load": 1.0, "errors": 0}
    result = {
        "articles_stored": 10_000,
        "server_start_s": 2.0,
        "first_page": {"page": "Events", **visit, "s": 5.0},
        "pages": {"Events": {"first_visit": visit, "warm": [visit], "warm_median_s": 1.0}},
        "tabs": {"Actors": {"first_visit": visit, "warm": [visit], "warm_median_s": 3.0}},
        "exports": [{"s": 4.0}, {"s": 0.3}],
        "export_first_s": 4.0,
        "export_next_median_s": 0.3,
        "export_next_max_s": 0.3,
    }
    rows = speed_pages.page_targets(result)
    verdicts = [ok for _name, _value, _target, ok in rows]
    assert verdicts == [False, True, False, True]  # first page 5 s > 4 s; tab 3 s > 2 s; export ok
    assert speed_pages.page_targets({"skipped": "no browser"})[0][1] == "no browser"
    assert speed_pages.page_targets({**result, "articles_stored": 1000})[1][3] is None  # no verdict below 10k
