"""Every page on a phone (390 × 844) and on a laptop (1280 × 800) in a real browser (`streamlit run` +
Debian's headless Chromium): no exception, no text cut off without a way to reach it, no chart title
under Plotly's toolbar; heatmap labels that stay apart with 30 outlets; Events → Compare in the same
tab with the filters kept; the first-visit introduction.  Skipped without Playwright or Chromium.

Screenshots of every page at both widths go to ``$ANALYSIS_SHOTS`` (default out/screenshots/).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analysis.bench.browser import COMPARE_DONE_TEXT, Server, open_page, serving
from analysis.store import Store

try:  # tests/ is on sys.path while it has no __init__.py
    from dashboard_fixtures import FIXTURE_EVENT, FIXTURE_SLUG, _add, build_fixture_db
except ModuleNotFoundError:
    from tests.dashboard_fixtures import FIXTURE_EVENT, FIXTURE_SLUG, _add, build_fixture_db

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("ANALYSIS_SHOTS", ROOT / "out" / "screenshots"))
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
PAGE_TIMEOUT = 60_000  # ms
SETTLE_PROBLEMS_MS = 5_000  # for late-drawn charts to get their scroll cue before problems count
SETTLE_MS = 700  # after the page's last text: charts finish drawing, the scroll cue is set (120 ms)
# Every page of app.py's navigation: (path, text its script writes last, Plotly charts it draws)
PAGES = {
    "events": ("", "Open an event (tap its row", 2),
    "compare": (f"compare?event={FIXTURE_SLUG}", COMPARE_DONE_TEXT, 3),
    "outlets": ("outlets", "quotes from unnamed sources", 6),
    "add": ("add", "Pages are fetched by the server", 0),
    "search": ("search", "Type a word or phrase", 0),
    "data": ("data", "Loaded-language hits", 0),
    "corrections": ("corrections", "History (", 0),
    "method": ("method", "names the scorer version", 0),
    "manage-outlets": ("manage-outlets", "an empty cell changes nothing", 0),
}
MANY_OUTLETS = 30

# Problems on the screen as it is drawn, as strings (empty: none):
# * text of the main block outside the window, or clipped by a box around it, unless a box inside the
#   main block scrolls sideways to it and shows the scroll cue (data-xcue, app_pages/screen.py);
# * a box that scrolls sideways (more to its right) without the cue;
# * a chart title under Plotly's toolbar.
# Hidden elements (closed expanders, other tabs) are skipped; Streamlit's own page scrolling is not
# a way to reach text (only boxes inside the main block count).
SCREEN_PROBLEMS_JS = """() => {
  const root = document.querySelector('[data-testid="stMainBlockContainer"]');
  const vw = document.documentElement.clientWidth;
  const problems = [];
  const shown = el => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden' || e.hidden) return false;
    }
    return true;
  };
  const scrolls = el => {
    const ox = getComputedStyle(el).overflowX;
    return (ox === 'auto' || ox === 'scroll') && el.scrollWidth > el.clientWidth + 1;
  };
  const cued = el => [el, el.parentElement, el.closest('[data-testid="stDataFrame"]')]
    .some(x => x && x.hasAttribute('data-xcue'));
  const where = el => {
    const t = el.closest('[data-testid]');
    return (t ? t.getAttribute('data-testid') + ' ' : '') + el.tagName.toLowerCase();
  };
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.nodeValue.trim();
    const el = n.parentElement;
    if (!text || !el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'OPTION'].includes(el.tagName)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const rects = [...range.getClientRects()].filter(r => r.width > 0.5 && r.height > 0.5);
    if (!rects.length || !shown(el)) continue;
    const left = Math.min(...rects.map(r => r.left)), right = Math.max(...rects.map(r => r.right));
    let verdict = left < -1 || right > vw + 1 ? 'outside the window' : null;
    for (let a = el.parentElement; a && a !== root.parentElement; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox === 'visible') continue;
      if (scrolls(a)) { verdict = cued(a) ? null : 'in a sideways scroll without a cue'; break; }
      const box = a.getBoundingClientRect();
      if (right > box.right + 1 || left < box.left - 1) { verdict = 'clipped'; break; }
    }
    const span = `[${Math.round(left)}, ${Math.round(right)}]`;
    if (verdict) problems.push(`${where(el)} "${text.slice(0, 50)}" ${span} ${verdict}`);
  }
  for (const el of root.querySelectorAll('*')) {
    if (scrolls(el) && el.clientHeight > 0 && shown(el) && !cued(el))
      problems.push(`${where(el)} scrolls sideways (${el.scrollWidth} > ${el.clientWidth} px) without a cue`);
  }
  for (const plot of root.querySelectorAll('.js-plotly-plot')) {
    const bar = plot.querySelector('.modebar');
    if (!bar || !shown(plot)) continue;
    const b = bar.getBoundingClientRect();
    if (b.width < 1) continue;
    for (const t of plot.querySelectorAll('.gtitle, .g-gtitle text')) {
      const r = t.getBoundingClientRect();
      const across = r.left < b.right - 2 && b.left < r.right - 2;  // 2 px: the glyph boxes' slack
      const down = r.top < b.bottom - 2 && b.top < r.bottom - 2;
      const box = q => [q.left, q.right, q.top, q.bottom].map(Math.round).join(' ');
      if (r.width > 0 && across && down)
        problems.push(`title "${t.textContent.slice(0, 50)}" (${box(r)}) under the toolbar (${box(b)})`);
    }
  }
  return problems;
}"""

# The bounding boxes of every chart's x tick labels, per chart.
TICK_BOXES_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot =>
  [...plot.querySelectorAll('.xtick text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  }).filter(b => b.right - b.left > 0))"""


@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("screen")
    url = build_fixture_db(tmp / "fx.db")
    store = Store(url)  # a correction, so the Corrections page draws its tables
    store.set_correction("dismiss", "chaos", event=FIXTURE_EVENT, note="a fair word here", user="tester")
    store.set_correction("dismiss", "scandal", user="tester")
    with serving(url, tmp / "streamlit.log") as server:
        yield server


def build_many_outlets(path: Path, n: int = MANY_OUTLETS) -> str:
    """Three events each covered by ``n`` outlets with long, similar names."""
    url = f"sqlite:///{path}"
    store = Store(url)
    for e, name in enumerate(
        ("Port strike", "Harbour tunnel flooding closes the eastern line", "Budget vote")
    ):
        ev = store.get_or_create_event(name)
        for i in range(n):
            tone = round(-0.6 + 1.2 * ((i + 7 * e) % n) / max(1, n - 1), 2)
            _add(
                store,
                ev,
                n=1000 * (e + 1) + i,
                outlet=f"The Northern Evening Chronicle {i:02d}",
                title=f"{name}, take {i}",
                sentences=[(f"Sentence {j} of outlet {i} about {name}.", tone) for j in range(4)],
                words={},
                published=datetime(2026, 5, 1 + e, 8, tzinfo=UTC),
            )
    return url


@pytest.fixture(scope="module")
def many_server(tmp_path_factory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("screen-many")
    with serving(build_many_outlets(tmp / "many.db"), tmp / "streamlit.log") as server:
        yield server


def _open(page, url: str, done: str, charts: int) -> None:
    open_page(page, url, done, charts, timeout_ms=PAGE_TIMEOUT)
    page.wait_for_timeout(SETTLE_MS)


def _shot(page, name: str) -> None:
    """The whole main block: the window is made as tall as the content (the app scrolls inside itself)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight + 80"
    )
    page.set_viewport_size({"width": size["width"], "height": min(int(height), 9000)})
    page.wait_for_timeout(400)
    page.screenshot(path=str(SHOTS / f"screen_{name}_{size['width']}.png"))
    page.set_viewport_size(size)


def test_every_navigation_page_is_covered() -> None:
    app = (ROOT / "app.py").read_text("utf-8")
    assert len(re.findall(r"\bst\.Page\(", app)) == len(PAGES), "a page was added: add it to PAGES"


def _screen_problems(page) -> list[str]:
    """SCREEN_PROBLEMS_JS once the screen has settled: a chart drawn late gets its scroll cue from the
    page's debounced script (150 ms after the last change), so wait up to SETTLE_PROBLEMS_MS for none."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):  # still there: reported below, as they are
        page.wait_for_function(f"() => ({SCREEN_PROBLEMS_JS})().length === 0", timeout=SETTLE_PROBLEMS_MS)
    return page.evaluate(SCREEN_PROBLEMS_JS)


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_every_page_fits_the_screen(browser, fixture_server: Server, viewport: dict) -> None:
    page = browser.new_page(viewport=viewport)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    found = {}
    for name, (path, done, charts) in PAGES.items():
        _open(page, fixture_server.url + path, done, charts)
        assert page.locator("[data-testid='stException']").count() == 0, name
        problems = _screen_problems(page)
        if problems:
            found[name] = problems
        _shot(page, name)
    page.close()
    assert not found, "\n".join(f"{name}: {p}" for name, ps in found.items() for p in ps)
    assert errors == []


def test_heatmap_labels_stay_apart_with_30_outlets(browser, many_server: Server) -> None:
    page = browser.new_page(viewport=LAPTOP)
    _open(page, many_server.url, PAGES["events"][1], 2)
    charts = page.evaluate(TICK_BOXES_JS)
    assert len(charts) == 2
    for boxes in charts:
        assert len(boxes) == MANY_OUTLETS
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart = a["right"] <= b["left"] or b["right"] <= a["left"]
                apart = apart or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
                assert apart, (a, b)
    assert page.evaluate(SCREEN_PROBLEMS_JS) == []
    _shot(page, "events-30-outlets")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(SETTLE_MS)
    assert page.evaluate(SCREEN_PROBLEMS_JS) == []  # at 390 px the heatmaps scroll, with the cue
    _shot(page, "events-30-outlets")
    page.close()


def test_events_to_compare_in_the_same_tab_keeps_the_filters(browser, fixture_server: Server) -> None:
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    _open(page, fixture_server.url, PAGES["events"][1], 2)
    page.get_by_label("Search events").fill("harbour")
    page.keyboard.press("Enter")
    page.locator(".st-key-ev-outlets").click()
    page.get_by_role("option", name="Daily Ledger").click()
    page.keyboard.press("Escape")
    page.get_by_text("Events shown in the table").first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
    page.wait_for_timeout(SETTLE_MS)
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)  # the first row's selection box
    page.wait_for_url(re.compile(r"/compare\?event="), timeout=PAGE_TIMEOUT)
    page.get_by_text(COMPARE_DONE_TEXT).first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
    assert len(context.pages) == 1  # the same tab
    assert FIXTURE_SLUG in page.url
    heading = page.get_by_text(FIXTURE_EVENT, exact=True).filter(visible=True).first
    heading.wait_for(state="visible", timeout=PAGE_TIMEOUT)
    page.get_by_role("link", name="Events").first.click()
    page.get_by_text(PAGES["events"][1]).first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
    assert page.get_by_label("Search events").input_value() == "harbour"
    assert "Daily Ledger" in page.locator(".st-key-ev-outlets").inner_text()
    context.close()


def test_the_introduction_shows_once_per_browser_session(browser, fixture_server: Server) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    _open(page, fixture_server.url, PAGES["events"][1], 2)
    intro = page.locator("#intro")
    assert intro.is_visible() and "Compare how outlets cover the same event" in intro.inner_text()
    page.get_by_role("button", name="Dismiss the introduction").click()
    assert not intro.is_visible()
    _open(page, fixture_server.url + "data", PAGES["data"][1], 0)  # a reload, another page
    assert not page.locator("#intro").is_visible()
    context.close()
