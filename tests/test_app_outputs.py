"""The Method & limits page, and outputs a journalist can cite: chart captions, summary downloads,
"how sure is this?" links and thin data shown honestly (AppTest on the fixture database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.present import quality_file
from analysis.present.provenance import TOOL_NAME
from analysis.present.quality_file import QUALITY_FILE, read_quality, write_quality

try:  # tests/ is on sys.path while it has no __init__.py
    from dashboard_fixtures import FIXTURE_EVENT, build_fixture_db
except ModuleNotFoundError:
    from tests.dashboard_fixtures import FIXTURE_EVENT, build_fixture_db

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60


@pytest.fixture(scope="module")
def db_url(tmp_path_factory) -> str:
    return build_fixture_db(tmp_path_factory.mktemp("outputs") / "fx.db")


@pytest.fixture
def app(db_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ANALYSIS_DATABASE_URL", db_url)

    def open_page(page: str | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        if page:
            at.switch_page(f"app_pages/{page}.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


def specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def html_text(at: AppTest) -> str:
    return "\n".join(el.proto.body for el in at.get("html"))


ROWS = [
    {"task": "loaded language: words", "data": "BABE", "metric": "word-level F1", "value": 0.405,
     "baseline": "VADER words 0.141", "note": "low recall"},
    {"task": "sentiment: sentences", "data": "NewsMTSC", "metric": "macro-F1", "value": 0.533,
     "baseline": "plain VADER 0.520", "note": ""},
    {"task": "event-level bias", "data": "BASIL", "metric": "Spearman r", "value": 0.31,
     "baseline": "", "note": "added by another benchmark"},
    {"task": "broken", "value": "not a number"},
]  # fmt: skip


def test_method_page_renders_whatever_rows_the_file_has(app, tmp_path: Path, monkeypatch) -> None:
    path = write_quality(ROWS, tmp_path / "quality.json", scorer_version="sv-test", eval_data="shared/eval")
    monkeypatch.setattr(quality_file, "QUALITY_FILE", path)
    at = app("method")
    quality, settings = [el.value for el in at.dataframe[:-1]], at.dataframe[-1].value
    # in page order: sentiment, loaded language, then "Other measures" for a row no section claims
    assert [list(df["task"]) for df in quality] == [
        ["sentiment: sentences"],
        ["loaded language: words"],
        ["event-level bias"],
    ]
    assert list(quality[1]["value"]) == [0.405] and list(quality[0]["metric"]) == ["macro-F1"]
    assert any(c.value == "Not measured in the results file." for c in at.caption)  # extraction
    anchors = {h.proto.anchor for h in at.header}
    assert {"sentiment", "loaded-language", "thin-evidence", "extraction", "event-grouping"} <= anchors
    captions = " ".join(c.value for c in at.caption)
    assert "sv-test" in captions and "bench quality" in captions
    assert "corrections applied" in set(settings["setting"])


def test_method_page_without_results_file_says_so(app, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(quality_file, "QUALITY_FILE", tmp_path / "missing.json")
    at = app("method")
    assert any("bench quality" in w.value for w in at.warning)
    assert any(h.proto.anchor == "sentiment" for h in at.header)


def test_the_committed_results_file_comes_from_the_benchmark() -> None:
    doc = read_quality(QUALITY_FILE)
    assert "error" not in doc and doc["scorer_version"] and doc["generated"]
    tasks = {r["task"].split(":")[0] for r in doc["rows"]}
    assert {"extraction", "loaded language", "sentiment", "event grouping"} <= tasks
    # F1, Rand index, correlations, shares; ratios (x times as often) are only positive
    assert all(-1 <= r["value"] <= 1 for r in doc["rows"] if "ratio" not in r["metric"])
    assert all(r["value"] > 0 for r in doc["rows"] if "ratio" in r["metric"])


def test_compare_page_captions_downloads_and_links(app) -> None:
    at = app("compare")
    for spec in specs(at):
        sub = spec["layout"]["title"]["subtitle"]["text"]
        assert FIXTURE_EVENT in sub and TOOL_NAME in sub and "scorer " in sub and "articles from" in sub
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"Summary CSV", "Summary JSON", "Summary XLSX"} <= set(labels)
    page = html_text(at)
    assert 'href="method#sentiment"' in page and 'href="method#loaded-language"' in page
    assert "how sure is this?" in page
    assert "None" not in page


def test_outlets_page_shows_no_interval_for_one_article(app) -> None:
    at = app("outlets")
    table = at.dataframe[0].value.set_index("outlet")
    for outlet, n in table["articles"].items():
        ci = table.loc[outlet, "sentiment_ci"]
        if n == 1:
            assert ci == "1 article: no interval"
        assert "0.0 to 0.0" not in ci and "0.00 to 0.00" not in ci
    for spec in specs(at):
        assert TOOL_NAME in spec["layout"]["title"]["subtitle"]["text"]


def test_events_page_heatmaps_carry_captions(app) -> None:
    at = app()
    for spec in specs(at):
        assert "articles from" in spec["layout"]["title"]["subtitle"]["text"]
