"""Safe HTML for web text (present.highlight) and the self-contained event report (present.report)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plotly.offline import get_plotlyjs

from analysis.cli.report import write_event_report
from analysis.present import charts
from analysis.present.highlight import (
    article_header_html,
    escape_text,
    health_badge_html,
    highlight_html,
    safe_link_html,
    summary_table_html,
)
from analysis.present.report import build_event_report
from analysis.store import Store, StoreError, event_slug

try:  # tests/ is on sys.path while it has no __init__.py
    from dashboard_fixtures import FIXTURE_EVENT, INJECTION_TITLE, build_fixture_db
except ModuleNotFoundError:
    from tests.dashboard_fixtures import FIXTURE_EVENT, INJECTION_TITLE, build_fixture_db

TAG_RE = re.compile(r"<[^>]+>")


def visible_text(markup: str) -> str:
    """What a browser shows: tags removed, entities decoded."""
    return html.unescape(TAG_RE.sub("", markup))


def span(
    start: int, end: int, text: str, category: str = "emotional", weight: float = 0.5, quoted: bool = False
):
    return {
        "start": start,
        "end": end,
        "text": text[start:end],
        "category": category,
        "weight": weight,
        "quoted": quoted,
        "rule": "lexicon",
    }


# --- escaping --------------------------------------------------------------------


def test_script_tags_and_markdown_show_as_plain_text() -> None:
    text = "Hi <script>alert(1)</script> <b>bold</b> **markdown** [link](javascript:x) `code` $x$ & it's"
    out = highlight_html(text)
    assert "<script" not in out and "<b>" not in out
    assert "**" not in out and "[link]" not in out and "`" not in out and "$" not in out
    assert visible_text(out) == text
    assert escape_text("\"quoted\" 'single'") == "&quot;quoted&quot; &#x27;single&#x27;"
    assert escape_text("it's") == "it&#x27;s"  # one pass: no "&amp;#x27;"


def test_headline_authors_and_links_are_escaped() -> None:
    row = {
        "title": INJECTION_TITLE,
        "outlet": "<i>Out</i>",
        "authors": ["**Eve**"],
        "published": None,
        "url": "javascript:alert(1)",
        "health": "short",
        "reason": '"><script>x</script>',
        "words": 10,
        "sentiment": 0.1,
        "headline_sentiment": None,
        "loaded_rate": 2.0,
        "quoted_rate": 0.0,
    }
    out = article_header_html(row, {})
    assert "<script" not in out and "<i>" not in out and "**" not in out
    assert "javascript:" not in out  # no link for a non-http URL
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "no date" in out
    link = safe_link_html("https://x.example/a?b=1&c=2", "original")
    assert link.startswith('<a href="https://x.example/a?b=1&amp;c=2" target="_blank" rel="noopener')
    assert safe_link_html("data:text/html,hi", "original") == "original"


def test_health_badge_colours() -> None:
    assert "#1a7f37" in health_badge_html("ok")  # green
    assert "#9a6700" in health_badge_html("short") and "#9a6700" in health_badge_html("no-date")  # amber
    assert "#cf222e" in health_badge_html("blocked")  # red
    assert 'title="&lt;b&gt;"' in health_badge_html("blocked", "<b>")


# --- offsets and overlaps --------------------------------------------------------


def test_marks_wrap_exactly_the_span_text_with_category_and_weight() -> None:
    text = "The reckless plan was a disaster."
    out = highlight_html(text, [span(4, 12, text, "labelling", 0.8), span(24, 32, text)])
    marks = re.findall(r"<mark[^>]*>(.*?)</mark>", out)
    assert marks == ["reckless", "disaster"]
    assert 'title="labelling (weight 0.80)"' in out
    assert 'data-category="labelling"' in out
    assert visible_text(out) == text


def test_quoted_hits_are_styled_differently() -> None:
    text = 'He said "a total disaster" today.'
    out = highlight_html(text, [span(17, 25, text, quoted=True)])
    assert 'class="loaded quoted"' in out
    assert "dashed" in out
    assert "quoted: attributed to the speaker" in out


def test_overlapping_spans_keep_the_heaviest_and_never_nest() -> None:
    text = "an utterly shameful failure"
    spans = [
        span(3, 19, text, "intensifier", 0.4),
        span(11, 19, text, "emotional", 0.9),
        span(11, 27, text, "x", 0.2),
    ]
    out = highlight_html(text, spans)
    assert re.findall(r"<mark[^>]*>(.*?)</mark>", out) == ["shameful"]
    assert "<mark" not in re.sub(r"<mark[^>]*>[^<]*</mark>", "", out)
    assert visible_text(out) == text


def test_sentences_are_shaded_by_sign_and_split_marks_at_boundaries() -> None:
    text = "Awful news. Great relief."
    sentences = [[0, 11, -0.6], [12, 25, 0.7]]
    crossing = {"start": 6, "end": 17, "text": text[6:17], "category": "emotional", "weight": 0.5}
    out = highlight_html(text, [crossing], sentences)
    assert "rgba(214,96,77" in out and "rgba(67,147,195" in out  # red negative, blue positive
    pieces = re.findall(r"<mark[^>]*>(.*?)</mark>", out)
    assert pieces == ["news.", " ", "Great"]  # one piece per sentence (and the gap between them)
    assert 'title="sentence sentiment -0.60"' in out
    assert visible_text(out) == text
    neutral = highlight_html("Plain.", [], [[0, 6, 0.01]])
    assert "background-color" not in neutral


def test_bad_offsets_are_skipped_not_raised() -> None:
    text = "short text"
    bad = [
        {"start": 50, "end": 60, "text": "x", "category": "c", "weight": 1},
        {"start": 0, "end": 5, "text": "other", "category": "c", "weight": 1},  # text does not match
        {"start": 6, "end": 2, "category": "c", "weight": 1},
        {"start": "a", "end": None},
    ]
    out = highlight_html(text, bad, [[3, 1, 0.5], ["x"], [0, 100, -0.5]])
    assert "<mark" not in out
    assert visible_text(out) == text


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("ab <>&\"'*_`#\n.é")), max_size=60),
    cuts=st.lists(st.tuples(st.integers(0, 70), st.integers(0, 70), st.floats(0, 1)), max_size=6),
    sents=st.lists(st.tuples(st.integers(0, 70), st.integers(0, 70), st.floats(-1, 1)), max_size=4),
)
def test_any_text_round_trips_and_has_only_our_tags(text: str, cuts: list, sents: list) -> None:
    spans = [
        {"start": a, "end": b, "category": "emotional", "weight": w, "quoted": w > 0.5} for a, b, w in cuts
    ]
    out = highlight_html(text, spans, [list(s) for s in sents])
    assert visible_text(out) == text
    assert set(re.findall(r"</?([a-z]+)", out)) <= {"mark", "span"}


# --- the report ------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store(build_fixture_db(tmp_path_factory.mktemp("report") / "fx.db"))


def test_report_is_self_contained_and_escaped(store: Store, tmp_path: Path) -> None:
    path = write_event_report(store, FIXTURE_EVENT, tmp_path / "report.html")
    page = path.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count(get_plotlyjs()[:200]) == 1  # plotly.js embedded exactly once
    assert not re.search(r"<script[^>]*\bsrc=", page)  # nothing loaded from elsewhere
    assert not re.search(r"<link[^>]*\bhref=", page)
    assert page.count('class="plotly-graph-div"') == 5  # the first screen's 3, word choice, who said what
    assert "Distinctive word choice" in page and "Who reported what" in page
    for chart in ("word-choice", "who-reported-what"):
        assert f"{event_slug(FIXTURE_EVENT)}_{chart}" in page
    for outlet in ("Daily Ledger", "Morning Post", "Coast Courier", "Injection Times"):
        assert outlet in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "&#42;&#42;markdown&#42;&#42;" in page
    assert "is within the uncertainty" in page
    assert f"{event_slug(FIXTURE_EVENT)}_outlets" in page  # modebar download name


def test_report_uses_the_database_wide_outlet_colours(store: Store) -> None:
    rows = store.event_articles(store.find_event(FIXTURE_EVENT).id)
    colors = charts.outlet_colors(["Aardvark News", *(r["outlet"] for r in rows)])
    page = build_event_report(FIXTURE_EVENT, rows, colors=colors, slug="x")
    assert colors["Daily Ledger"] in page
    assert summary_table_html.__name__  # the same summary fragment as the compare page


def test_unknown_event_is_a_store_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no event named"):
        write_event_report(store, "Nope", tmp_path / "x.html")
    with pytest.raises(StoreError, match="cannot write"):
        write_event_report(store, FIXTURE_EVENT, tmp_path / "missing-dir" / "x.html")


def test_report_word_choice_uses_the_prior_it_is_given(store: Store) -> None:
    from analysis.compare import summary as compare
    from analysis.compare import wordchoice
    from analysis.present.report import event_figures

    rows = store.event_articles(store.find_event(FIXTURE_EVENT).id)
    prior = wordchoice.background_prior(wordchoice.term_counts(store.event_articles(None), by="event"))
    own = event_figures(rows)["word-choice"]
    shared = event_figures(rows, prior=prior)["word-choice"]
    assert own.layout.title.text.startswith("Distinctive word choice")
    bars = [t for t in shared.data if t.type == "bar" and t.name == "Daily Ledger"]
    expected = wordchoice.event_word_choice([r for r in rows if compare.usable(r)], prior=prior)
    top = expected[(expected["group"] == "Daily Ledger") & (expected["z"] > 0)]
    assert bars and bars[0].y[0] == top.sort_values(["z", "term"], ascending=[False, True])["term"].iloc[0]
    facts = event_figures(rows)["who-reported-what"].data[0]
    assert list(facts.x) == ["Coast Courier", "Daily Ledger", "Injection<br>Times", "Morning Post"]
