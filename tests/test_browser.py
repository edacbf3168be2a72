"""The real app in a real browser: `streamlit run` + headless Chromium (Playwright, Debian's binary).

Checks that the compare page renders its charts, that the PNG/SVG/HTML download buttons
give valid files, that hostile markup in an article shows as literal text (no alert
fires), and saves a screenshot of every page to out/screenshots/ (git-ignored).  It also
measures the time from `streamlit run` to the compare page being interactive on the demo
data (first run: the demo corpus is loaded then) and prints it; no threshold.

Skipped when Playwright or a Chromium binary is missing (``playwright install`` is not
needed: Debian's ``chromium`` package is used).
"""

from __future__ import annotations

import time
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

try:  # tests/ is on sys.path while it has no __init__.py
    from dashboard_fixtures import (
        FIXTURE_EVENT,
        FIXTURE_SLUG,
        INJECTION_TEXT_MARKUP,
        INJECTION_TEXT_MD,
        build_fixture_db,
    )
except ModuleNotFoundError:
    from tests.dashboard_fixtures import (
        FIXTURE_EVENT,
        FIXTURE_SLUG,
        INJECTION_TEXT_MARKUP,
        INJECTION_TEXT_MD,
        build_fixture_db,
    )

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "out" / "screenshots"
PAGE_TIMEOUT = 30_000  # ms for a page to finish rendering
# Plotly charts per page (compare: the first screen's 3 and the open cross-outlet tab's 1)
CHARTS = {
    "events": 2,
    "compare": 4,
    "outlets": 6,
    "add": 0,
    "data": 0,
    "method": 0,
    "search": 0,
    "manage-outlets": 0,
}
CROSS_TABS = ("Word choice", "Who reported what", "Headline vs body", "Actors", "Voices")
PAGES = {
    "events": "",
    "compare": f"compare?event={FIXTURE_SLUG}",
    "outlets": "outlets",
    "add": "add",
    "data": "data",
    "method": "method",
    "search": "search",
    "manage-outlets": "manage-outlets",
}
DONE_TEXT = {  # text the page script writes last: once visible, the run has finished
    "events": "Open an event (tap its row",
    "compare": COMPARE_DONE_TEXT,
    "outlets": "quotes from unnamed sources",
    "add": "Pages are fetched by the server",
    "data": "Loaded-language hits",
    "method": "names the scorer version",
    "search": "Type a word or phrase",
    "manage-outlets": "Export outlets (CSV)",
}


@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("browser")
    with serving(build_fixture_db(tmp / "fx.db"), tmp / "streamlit.log") as server:
        yield server


def _open(page, url: str, done_text: str, charts: int = 0) -> None:
    """Load ``url`` and wait until the script has finished and ``charts`` Plotly charts are drawn."""
    open_page(page, url, done_text, charts, timeout_ms=PAGE_TIMEOUT)
    page.wait_for_timeout(300)


def _screenshot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    # The app scrolls inside its own container: grow the window to the content to capture it all.
    _grow_viewport(page)
    page.screenshot(path=str(SHOTS / f"{name}_full.png"))
    page.set_viewport_size(VIEWPORT)


def _grow_viewport(page) -> None:
    """Make the window as tall as the page's content, so nothing scrolls and nothing sits under the header."""
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight + 80"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height), 8000)})
    page.wait_for_timeout(400)


def _tab_shots(page, prefix: str) -> None:
    """Click through the compare page's cross-outlet tabs and screenshot each one (the tab bar included).

    The tabs are lazy: a click reruns the page, which then draws the open tab's charts.
    """
    tabs = page.locator(".st-key-cross-tabs")
    for name in CROSS_TABS:
        page.get_by_role("tab", name=name).click()
        panel = tabs.get_by_role("tabpanel").filter(visible=True)  # only the open tab is visible
        panel.locator(".js-plotly-plot .main-svg").first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
        page.get_by_text(DONE_TEXT["compare"]).first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
        _grow_viewport(page)
        tabs.screenshot(path=str(SHOTS / f"{prefix}_{name.lower().replace(' ', '-')}.png"))
    page.set_viewport_size(VIEWPORT)


def _download(page, key: str, dest: Path) -> bytes:
    button = page.locator(f".st-key-{key} button").first
    with page.expect_download(timeout=PAGE_TIMEOUT) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.startswith(f"{FIXTURE_SLUG}_outlets.")
    target = dest / download.suggested_filename
    download.save_as(str(target))
    return target.read_bytes()


def test_compare_page_charts_downloads_and_escaping(browser, fixture_server: Server, tmp_path: Path) -> None:
    page = browser.new_page(viewport=VIEWPORT, accept_downloads=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _open(
        page, fixture_server.url + PAGES["compare"], DONE_TEXT["compare"], charts=COMPARE_FIRST_SCREEN_CHARTS
    )
    assert page.locator(".js-plotly-plot").count() == CHARTS["compare"]
    assert page.get_by_text("is within the uncertainty").first.is_visible()

    # hostile markup from the web is shown as text, never run or rendered
    assert page.get_by_text("<script>alert(1)</script> Bridge **shock**").first.is_visible()
    article = page.locator(".article-text").filter(has_text=INJECTION_TEXT_MARKUP)
    assert article.count() == 1
    assert INJECTION_TEXT_MARKUP in article.inner_text() and INJECTION_TEXT_MD in article.inner_text()
    assert page.locator(".article-text b, .article-text img, .article-text script").count() == 0
    assert dialogs == []
    _screenshot(page, "compare")

    # hostile text in the cross-outlet omission lists stays text (the tabs are screenshot on the demo)
    page.get_by_role("tab", name="Who reported what").click()
    expander = page.locator("[data-testid='stExpander']").filter(has_text="Injection Times:")
    expander.locator("summary").click()
    listing = expander.get_by_text(INJECTION_TEXT_MARKUP).first
    listing.wait_for(state="visible", timeout=PAGE_TIMEOUT)
    assert expander.locator("b, img, script").filter(has_text="bold").count() == 0
    assert dialogs == []

    png = _download(page, "dl-outlets-png", tmp_path)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
    svg = _download(page, "dl-outlets-svg", tmp_path)
    assert svg.lstrip().startswith(b"<svg") and b"</svg>" in svg and b"Daily Ledger" in svg
    html = _download(page, "dl-outlets-html", tmp_path).decode("utf-8")
    assert "<html>" in html.lower() or "<!doctype html>" in html.lower()
    assert "plotly" in html.lower() and "Daily Ledger" in html
    # every file carries its caption: the event, the counts and the tool
    assert b"made with media-bias-dashboard" in svg and FIXTURE_EVENT.encode() in svg
    assert "made with media-bias-dashboard" in html and "articles from" in html
    assert dialogs == []
    page.close()


def test_screenshots_of_every_page(browser, fixture_server: Server) -> None:
    page = browser.new_page(viewport=VIEWPORT)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for name, path in PAGES.items():
        if name == "compare":
            continue  # taken by the test above, after its checks
        _open(page, fixture_server.url + path, DONE_TEXT[name], charts=CHARTS[name])
        assert page.locator("[data-testid='stException']").count() == 0, name
        if name == "events":  # the editing controls, opened
            page.locator("[data-testid='stExpander'] summary").filter(has_text="Edit events").click()
            page.get_by_label("New name").wait_for(state="visible", timeout=PAGE_TIMEOUT)
            page.wait_for_timeout(300)  # the expander's opening animation
        _screenshot(page, name)
    assert errors == []
    assert all((SHOTS / f"{name}.png").stat().st_size > 10_000 for name in PAGES if name != "compare")
    page.close()


def test_time_to_interactive_on_the_demo(browser, tmp_path: Path) -> None:
    if not (ROOT / "data" / "demo" / "manifest.json").exists():
        pytest.skip("no demo corpus in data/demo")
    # an empty database: the first run loads the demo corpus
    with serving(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path / "streamlit.log") as server:
        healthy = time.monotonic() - server.started
        page = browser.new_page(viewport=VIEWPORT)
        _open(page, server.url + "compare", DONE_TEXT["compare"], charts=COMPARE_FIRST_SCREEN_CHARTS)
        first = time.monotonic() - server.started
        assert page.locator(".js-plotly-plot").count() == CHARTS["compare"]
        _screenshot(page, "compare_demo")
        t = time.monotonic()
        _open(page, server.url + "compare", DONE_TEXT["compare"], charts=COMPARE_FIRST_SCREEN_CHARTS)
        again = time.monotonic() - t
        print(
            f"\nstreamlit run -> healthy {healthy:.1f} s; -> compare page interactive on the demo "
            f"(first run, demo corpus loaded) {first:.1f} s; reload of the page {again:.1f} s"
        )
        _tab_shots(page, "compare_demo")  # realistic text: the cross-outlet tabs
        # the demo outlets have groups (data/demo/outlets.csv): blindspots are drawn
        _open(page, server.url + "outlets", DONE_TEXT["outlets"], charts=CHARTS["outlets"] + 1)
        assert page.get_by_text("Blindspots: share of events").first.is_visible()
        assert page.get_by_text("Whose words each outlet carries").first.is_visible()
        _screenshot(page, "outlets_demo")
        # who gets to speak: the Voices tab of the busiest event (the factory closure, six outlets)
        _open(page, server.url + "compare", DONE_TEXT["compare"], charts=COMPARE_FIRST_SCREEN_CHARTS)
        page.get_by_role("tab", name="Voices").click()
        page.get_by_text("Who gets room: quoted words by speaker role").first.wait_for(
            state="visible", timeout=PAGE_TIMEOUT
        )
        page.get_by_text("Attribution verbs per outlet").first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
        share_buttons = page.locator(".st-key-tdl-voices-share button")
        share_buttons.first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
        assert share_buttons.count() == 2  # CSV and JSON
        # drawn after the share buttons: wait for it rather than look at once (a race otherwise)
        page.get_by_text("Group labels by meaning").first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
        # search across all articles, each hit in its sentence
        _open(page, server.url + "search", DONE_TEXT["search"])
        page.get_by_label("Words or a phrase").fill("pay freeze")
        page.keyboard.press("Enter")
        page.get_by_text("hits in").first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
        hit_buttons = page.locator(".st-key-tdl-search-hits button")
        hit_buttons.first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
        assert hit_buttons.count() == 2
        _screenshot(page, "search_demo")
        page.close()


def test_speed_benchmark_times_the_compare_page_in_the_browser(browser, tmp_path: Path) -> None:
    from analysis.bench import speed_page, speed_stages
    from analysis.bench.generate import generate_pages
    from analysis.parallel import SerialEngine

    db = tmp_path / "bench.db"
    speed_stages.ingest(generate_pages(25), SerialEngine(), db)  # two events (20 articles each at most)
    res = speed_page.event_page_browser(db, n_events=2, browser=browser)
    assert "skipped" not in res, res
    assert res["articles_stored"] == 25 and res["events"] == 2 and res["page_errors"] == 0
    assert res["first_visit_s"] > 0 and res["reload_s"] > 0 and len(res["next_events_s"]) == 1


def test_speed_benchmark_times_every_page_and_export(browser, tmp_path: Path) -> None:
    from analysis.bench import speed_pages, speed_stages
    from analysis.bench.generate import generate_pages
    from analysis.parallel import SerialEngine

    db = tmp_path / "pages.db"
    speed_stages.ingest(generate_pages(25), SerialEngine(), db)
    res = speed_pages.pages_browser(db, repeats=1, browser=browser)
    assert "skipped" not in res, res
    assert set(res["pages"]) == {name for name, _path in speed_pages.PAGES}
    assert all(row["first_visit"]["s"] and not row["first_visit"]["errors"] for row in res["pages"].values())
    assert len(res["tabs"]) >= 4
    assert res["exports"] and all(e.get("valid") for e in res["exports"] if "skipped" not in e)
