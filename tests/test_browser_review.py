"""Reviewing a flag in a real browser (`streamlit run` + Debian's headless Chromium): click a
highlighted word on the Compare page, dismiss it in the event, and see the outlet's loaded rate
change and the history row appear.  Skipped without Playwright or Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.bench.browser import (
    COMPARE_DONE_TEXT,
    COMPARE_FIRST_SCREEN_CHARTS,
    VIEWPORT,
    Server,
    open_page,
    serving,
)
from analysis.store import Store

try:  # tests/ is on sys.path while it has no __init__.py
    from dashboard_fixtures import FIXTURE_EVENT, FIXTURE_SLUG, build_fixture_db
except ModuleNotFoundError:
    from tests.dashboard_fixtures import FIXTURE_EVENT, FIXTURE_SLUG, build_fixture_db

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "out" / "screenshots"
PAGE_TIMEOUT = 30_000  # ms
RATE_CHANGED_JS = """(before) => [...document.querySelectorAll('tr')].some(tr =>
    tr.innerText.includes('Daily Ledger') && tr.querySelectorAll('td').length > 2
    && tr.querySelectorAll('td')[2].innerText.split('\\n')[0] !== before)"""


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[Server, str]]:
    tmp = tmp_path_factory.mktemp("review")
    url = build_fixture_db(tmp / "fx.db")
    with serving(url, tmp / "streamlit.log") as srv:
        yield srv, url


def _ledger_rate(page) -> str:
    row = page.locator("tr").filter(has_text="Daily Ledger").first
    return row.locator("td").nth(2).locator("b").inner_text()


def test_click_a_flag_dismiss_it_and_see_the_rate_and_history_change(browser, server) -> None:
    srv, db_url = server
    page = browser.new_page(viewport=VIEWPORT)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_page(
        page,
        f"{srv.url}compare?event={FIXTURE_SLUG}",
        COMPARE_DONE_TEXT,
        COMPARE_FIRST_SCREEN_CHARTS,
        timeout_ms=PAGE_TIMEOUT,
    )
    before = _ledger_rate(page)
    assert page.get_by_text("History of this event (0 changes)").is_visible()
    # the highlighted word is a link: a click (or tap) opens its article's review panel
    word = page.locator("a.flag-link", has_text="disastrous").first
    word.scroll_into_view_if_needed()
    word.click()
    page.wait_for_url("**flag=*", timeout=PAGE_TIMEOUT)
    page.get_by_text(COMPARE_DONE_TEXT).first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
    dismiss = page.locator("[class*='st-key-dis-e-'] button").first
    dismiss.wait_for(state="visible", timeout=PAGE_TIMEOUT)
    page.get_by_text("category emotional").first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
    dismiss.click()
    page.get_by_text("History of this event (1 change)").wait_for(state="visible", timeout=PAGE_TIMEOUT)
    page.wait_for_function(  # the outlet's rate in the summary table, once the rerun is drawn
        RATE_CHANGED_JS,
        arg=before,
        timeout=PAGE_TIMEOUT,
    )
    after = _ledger_rate(page)
    assert float(after) < float(before)
    page.get_by_text("History of this event (1 change)").click()
    history = page.locator(".st-key-event-history")
    history.get_by_role("grid").or_(history.locator("[data-testid='stDataFrame']")).first.wait_for(
        state="visible", timeout=PAGE_TIMEOUT
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "compare_review.png"))
    assert page.locator("mark.dismissed", has_text="disastrous").count() >= 1
    assert errors == []
    page.close()
    store = Store(db_url)
    (row,) = store.history(event_id=store.find_event(FIXTURE_EVENT).id)
    assert (row["action"], row["after"]) == ("flag.dismiss", "dismiss")
