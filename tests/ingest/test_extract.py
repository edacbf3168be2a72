"""Extraction: HTML -> Article, offline.  Fixtures are hand-written pages in tests/fixtures/extract/."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

import analysis.ingest.extract as ex
from analysis.ingest import outlets
from analysis.ingest.extract import (
    article_from_text,
    choose_body,
    clean_authors,
    clean_title,
    date_from_url,
    detect_language,
    encoding_suspect,
    extract_article,
    find_published,
    looks_like_link_list,
    normalize_text,
    parse_date,
)
from analysis.scoring.text import count_words
from analysis.settings import Settings

FIXTURES = Path(__file__).parent.parent / "fixtures" / "extract"
FULL_URL = "https://www.wendbury-gazette.co.uk/news/footbridge-approved-4411?utm_source=feed"


def page(name: str) -> str:
    return (FIXTURES / f"{name}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def full():
    return extract_article(page("article_full"), FULL_URL)


# --- a realistic article page -----------------------------------------------------------------


def test_full_article_metadata(full) -> None:
    assert full.title == "Council approves new footbridge over the River Wend after decade of delays"
    # JSON-LD authors win; "By", the e-mail and the Organization (the outlet itself) are dropped
    assert full.authors == ("Priya Raman", "Tom Ellery")
    # JSON-LD datePublished (+01:00) beats the meta tag of the day before, converted to UTC
    assert full.published == datetime(2024, 5, 3, 8, 15, tzinfo=UTC)
    assert full.canonical_url == "https://www.wendbury-gazette.co.uk/news/footbridge-approved-4411"
    assert full.url == FULL_URL
    assert full.domain == "wendbury-gazette.co.uk"
    # not in the outlets table: the name the page gives itself, the domain kept beside
    assert (full.outlet, full.site_name, full.outlet_source) == (
        "Wendbury Gazette",
        "Wendbury Gazette",
        "page",
    )
    assert full.top_image == "https://cdn.wendbury-gazette.co.uk/images/footbridge.jpg"
    assert full.description == "The £4.2m crossing will link the station to the old market square."
    assert full.language == "en"
    assert (full.health, full.problems, full.reason) == ("ok", (), "")
    assert full.extractor in ("newspaper", "trafilatura")
    assert full.word_count == count_words(full.text) > 300


def test_full_article_body_keeps_paragraphs_and_drops_boilerplate(full) -> None:
    paragraphs = full.text.split("\n\n")
    assert paragraphs[0].startswith("Wendbury's long-awaited footbridge")  # headline not repeated
    assert paragraphs[-1].endswith("before the contract is signed.")
    for expected in (
        "Councillors voted by twenty-seven to nine in favour of the £4.2m scheme",
        '"Tonight we can finally tell them it is going to happen."',
        "Councillor Dennis Hart said the authority had underestimated the cost",
        "The Environment Agency has already agreed the design",
    ):
        assert expected in full.text
    for unwanted in (
        "Share on Facebook",
        "Sign up to our newsletter",
        "Related stories",
        "Historic ferry service ends",
        "never once thought we needed a bridge",  # a reader comment
        "Finally some good news for commuters",
        "Manage cookie preferences",
        "tracking script",
        "Template comment placeholder",
        "Please enable JavaScript",
        "All rights reserved",
        "What's On",
    ):
        assert unwanted not in full.text, unwanted
    assert "<" not in full.text and "  " not in full.text and "\n\n\n" not in full.text
    assert all(p and p == p.strip() for p in paragraphs)


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "url", "expected"),
    [
        (
            "date_meta_only",
            "https://www.portlow-post.test/news/harbour-dredging",
            datetime(2021, 3, 4, 14, 30),
        ),
        ("date_time_only", "https://millbrook-news.test/local/trees-railway", datetime(2019, 7, 15, 6, 0)),
        (
            "date_url_only",
            "https://www.daleside-courier.test/2016/10/11/library-hours",
            datetime(2016, 10, 11),
        ),
    ],
)
def test_date_sources(name: str, url: str, expected: datetime) -> None:
    art = extract_article(page(name), url)
    assert art.published == expected.replace(tzinfo=UTC)
    assert "no-date" not in art.problems and art.health == "ok"


def test_no_date_is_flagged() -> None:
    art = extract_article(page("no_date"), "https://hillcrest-herald.test/news/allotments")
    assert art.published is None
    assert art.problems == ("no-date",) and art.health == "no-date"
    assert "No publication date" in art.reason
    assert art.authors == ("Gareth Price",)  # from <meta name="author">


def test_meta_only_page_authors_and_title() -> None:
    art = extract_article(page("date_meta_only"), "https://www.portlow-post.test/news/harbour-dredging")
    assert (
        art.title == "Harbour dredging to resume after survey finds no rare seagrass"
    )  # " - Portlow Evening Post" gone
    assert art.authors == ("Sam Carter",)
    assert "Dredging in Portlow harbour will resume next week" in art.text
    assert "Log in" not in art.text and "Terms" not in art.text


def _doc(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def test_find_published_order_and_formats() -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    doc = _doc(
        '<html><head><meta property="article:published_time" content="2020-01-02T03:04:05Z"></head>'
        '<body><article><time datetime="2019-01-01">x</time></article></body></html>'
    )
    graph = [
        {"@type": "WebPage", "name": "x"},
        {"@type": "NewsArticle", "datePublished": "2021-06-01T12:00:00-04:00"},
    ]
    assert find_published(doc, graph, "https://x.test/2018/01/01/a", now=now) == datetime(
        2021, 6, 1, 16, tzinfo=UTC
    )
    assert find_published(doc, [], "https://x.test/2018/01/01/a", now=now) == datetime(
        2020, 1, 2, 3, 4, 5, tzinfo=UTC
    )
    plain = _doc("<html><body><p>nothing</p></body></html>")
    fallback = datetime(2017, 5, 5, 10, 0)  # naive: taken as UTC
    assert find_published(
        plain, [], "https://x.test/2018/01/01/a", fallback=fallback, now=now
    ) == fallback.replace(tzinfo=UTC)
    assert find_published(plain, [], "https://x.test/2018/01/01/a", now=now) == datetime(
        2018, 1, 1, tzinfo=UTC
    )
    assert find_published("<html><body><p>x</p></body></html>", [], "https://x.test/a", now=now) is None


def test_find_published_rejects_implausible_dates() -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    plain = _doc("<html><body><p>x</p></body></html>")
    old = [{"@type": "NewsArticle", "datePublished": "1970-01-01T00:00:00Z"}]
    future = [{"@type": "NewsArticle", "datePublished": "2025-01-10T00:00:00Z"}]
    soon = [{"@type": "NewsArticle", "datePublished": "2025-01-02T12:00:00Z"}]  # within the 2-day allowance
    assert find_published(plain, old, "https://x.test/a", now=now) is None
    assert find_published(plain, future, "https://x.test/a", now=now) is None
    assert find_published(plain, soon, "https://x.test/a", now=now) == datetime(2025, 1, 2, 12, tzinfo=UTC)
    # an implausible JSON-LD date does not hide a good meta date
    meta = _doc(
        '<html><head><meta name="parsely-pub-date" content="2024-02-02T10:00:00+02:00"></head></html>'
    )
    assert find_published(meta, old, "https://x.test/a", now=now) == datetime(2024, 2, 2, 8, tzinfo=UTC)


def test_jsonld_graph_and_lists_are_read() -> None:
    html = (
        '<html><head><script type="application/ld+json">[{"@type": "Organization", "name": "O"},'
        ' {"@graph": [{"@type": "ReportageNews", "datePublished": "2022-02-02", "headline": "H &amp; K",'
        ' "author": ["Ann Lee", {"@type": "Person", "name": "Bo Chan"}]}]}]</script></head>'
        "<body><p>Short text.</p></body></html>"
    )
    art = extract_article(html, "https://x.test/a")
    assert art.published == datetime(2022, 2, 2, tzinfo=UTC)
    assert art.title == "H & K"  # entities unescaped once
    assert art.authors == ("Ann Lee", "Bo Chan")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2016-10-11T12:00:00Z", datetime(2016, 10, 11, 12)),
        ("2016-10-11T12:00:00+0100", datetime(2016, 10, 11, 11)),
        ("2016-10-11", datetime(2016, 10, 11)),
        ("Tue, 11 Oct 2016 12:00:00 GMT", datetime(2016, 10, 11, 12)),
        ("October 11, 2016 3:00 PM EDT", datetime(2016, 10, 11, 19)),
        ("1476187200", datetime(2016, 10, 11, 12)),
    ],
)
def test_parse_date(value: str, expected: datetime) -> None:
    assert parse_date(value) == expected.replace(tzinfo=UTC)


@pytest.mark.parametrize("value", ["", "soon", "3 hours ago", "12"])
def test_parse_date_rejects_non_dates(value: str) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.test/2016/10/11/story", datetime(2016, 10, 11, tzinfo=UTC)),
        ("https://x.test/news/2016-10-11-story", datetime(2016, 10, 11, tzinfo=UTC)),
        ("https://www.theguardian.com/world/2016/oct/11/story", datetime(2016, 10, 11, tzinfo=UTC)),
        ("https://x.test/archive/20161011/story", datetime(2016, 10, 11, tzinfo=UTC)),
        ("https://x.test/2016/02/30/story", None),
        ("https://x.test/story-12345678", None),
    ],
)
def test_date_from_url(url: str, expected: datetime | None) -> None:
    assert date_from_url(url) == expected


# --- health ---------------------------------------------------------------------------------------


def test_paywall_teaser_is_short() -> None:
    art = extract_article(
        page("paywall_teaser"), "https://www.quayside-times.test/city/warehouse-bidding-war"
    )
    assert art.health == "short" and art.problems == ("short",)
    assert art.reason.startswith(f"Only {art.word_count} words: probably a paywall teaser")
    assert "nobody expected it to become the most contested building" in art.text
    assert "Subscribe" not in art.text
    assert art.authors == ("Laura Finch",)


def test_front_page_is_not_an_article() -> None:
    art = extract_article(page("front_page"), "https://www.northgate-chronicle.test/")
    assert art.text == "" and art.word_count == 0
    assert art.health == "empty" and "empty" in art.problems
    assert "list of links" in art.reason
    assert art.language is None


def test_french_page() -> None:
    art = extract_article(page("french"), "https://www.courrier-vallee.test/region/marche-couvert")
    assert art.language == "fr"
    assert art.health == "not-english" and art.problems == ("not-english",)
    assert "French" in art.reason
    assert art.title == "La mairie de Valbonne-sur-Loire rénove son marché couvert"
    assert art.published == datetime(2022, 9, 12, 5, 45, tzinfo=UTC)
    assert "marché couvert, fermé depuis près de trois ans" in art.text


def test_mojibake_page_is_encoding_suspect() -> None:
    art = extract_article(page("mojibake"), "https://seaside-news.test/pier-plan")
    assert "encoding-suspect" in art.problems and art.health == "encoding-suspect"
    assert "wrong character set" in art.reason
    assert "ownerâ€™s" in art.title  # flagged, not silently "fixed"


def test_escaped_markup_in_title_stays_literal_text() -> None:
    art = extract_article(page("xss_title"), "https://example-daily.test/news/school-website")
    assert art.title == "<script>alert(1)</script> found in school website, say parents"
    assert "the text <script>alert(1)</script> pasted into the comments section" in art.text
    assert art.authors == ("Rita <b>Bold</b> Jones",)
    assert art.health == "ok"


def test_empty_and_garbage_input_do_not_raise() -> None:
    for html in ("", "   ", "\x00\x01", "<html></html>", "<script>only()</script>"):
        art = extract_article(html, "https://x.test/a")
        assert art.health == "empty" and art.text == "" and art.problems == ("empty", "no-date")
    for html in ('<?xml version="1.0" encoding="utf-8"?><p>One line.</p>', "<<<>>> & <p>One line."):
        art = extract_article(html, "https://x.test/a")
        assert art.health == "short" and art.text.endswith("One line.")


def test_outlet_from_table_and_foreign_canonical_ignored() -> None:
    html = page("date_meta_only").replace(
        "</head>", '<link rel="canonical" href="https://elsewhere.test/copied-story"></head>'
    )
    art = extract_article(html, "https://www.bbc.co.uk/news/uk-12345678")
    assert (art.domain, art.outlet) == ("bbc.co.uk", "BBC")
    assert art.canonical_url == "https://www.bbc.co.uk/news/uk-12345678"  # other domain: not trusted


def test_huge_page_is_stripped_and_capped(monkeypatch) -> None:
    article = page("article_full")
    filler = "<script>var blob = '" + "x" * 20_000 + "';</script><style>.a{color:red}</style>"
    nav = '<div class="promo"><a href="/p">Promoted link text for the footer</a></div>'
    padded = article.replace("<body>", "<body>" + filler * 100, 1).replace(
        "</body>", nav * 30_000 + "</body>"
    )
    assert len(padded.encode()) > 3_000_000
    seen: list[int] = []
    original = ex._run_newspaper

    def spy(markup: str, url: str):
        seen.append(len(markup.encode()))
        return original(markup, url)

    monkeypatch.setattr(ex, "_run_newspaper", spy)
    settings = Settings(max_parse_bytes=300_000)
    art = extract_article(padded, FULL_URL, settings)
    assert seen and seen[0] <= settings.max_parse_bytes  # scripts gone, visible boilerplate cut
    assert "Councillors voted by twenty-seven to nine" in art.text
    assert "was cut to 300,000 bytes" in art.reason
    assert "var blob" not in art.text
    # with the default cap, a page padded only with scripts shrinks to its real content
    seen.clear()
    scripts_only = article.replace("<body>", "<body>" + filler * 150, 1)
    assert len(scripts_only.encode()) > 3_000_000
    art = extract_article(scripts_only, FULL_URL)
    assert seen[0] < 50_000 and "cut to" not in art.reason
    assert "Councillors voted by twenty-seven to nine" in art.text


# --- choose_body ------------------------------------------------------------------------------------

PROSE = [
    f"Paragraph {i} of the story explains in plain words what the council decided and why residents care "
    f"about the outcome of vote number {i}, which took place on a wet Thursday evening."
    for i in range(10)
]
STORY = "\n\n".join(PROSE)
BOILERPLATE = "\n\n".join(
    f"About the company {i}: we are a leading provider of widgets with offices in many countries {i}."
    for i in range(4)
)


def test_choose_body_empty_sides() -> None:
    assert choose_body(STORY, "") == (STORY, "newspaper")
    assert choose_body("", STORY) == (STORY, "trafilatura")
    assert choose_body("", "") == ("", "newspaper")


def test_choose_body_prefers_trafilatura_when_they_agree() -> None:
    assert choose_body(STORY, STORY) == (STORY, "trafilatura")
    unrelated = "\n\n".join(p.replace("council", "committee").replace("residents", "voters") for p in PROSE)
    assert choose_body(unrelated, STORY) == (STORY, "trafilatura")


def test_choose_body_keeps_trafilatura_even_with_extras_around_the_same_article() -> None:
    # preferring newspaper3k's tighter body did not hold up under cross-validation
    with_extras = STORY + "\n\n" + BOILERPLATE  # newspaper's text is ~75% of it, fully inside
    assert choose_body(STORY, with_extras) == (with_extras, "trafilatura")


def test_choose_body_keeps_trafilatura_when_newspaper_missed_most_of_it() -> None:
    fragment = "\n\n".join(PROSE[:3])  # inside trafilatura's text but under half of it
    assert choose_body(fragment, STORY) == (STORY, "trafilatura")


def test_choose_body_falls_back_on_newspaper_when_trafilatura_is_short() -> None:
    fragment = PROSE[4]  # trafilatura caught one paragraph of newspaper's full story
    assert choose_body(STORY, fragment) == (STORY, "newspaper")
    assert choose_body(STORY, fragment, short_words=10) == (fragment, "trafilatura")
    assert choose_body(PROSE[3], fragment) == (fragment, "trafilatura")  # newspaper's is no longer


HEADLINES = [
    "Bus routes cut as operator blames driver shortage",
    "School roof repairs to finish before term",
    "Market hall reopens after restoration",
    "New flood defences tested ahead of storms",
    "Hospital parking charges to rise",
    "Cycle lane consultation draws record response",
    "Rovers reach county cup final",
    "Marathon route changed to avoid roadworks",
    "Factory expansion to create eighty jobs",
    "Summer festival line-up announced",
]


def test_choose_body_rejects_link_lists() -> None:
    link_list = "\n\n".join(HEADLINES)
    links = {" ".join(h.lower().split()) for h in HEADLINES}
    assert choose_body("", link_list, links) == ("", "newspaper")
    assert choose_body(STORY, link_list, links) == (STORY, "newspaper")
    # the same lines are fine when they are not the page's links and do not look like a list
    assert choose_body("", STORY, links) == (STORY, "trafilatura")


def test_looks_like_link_list_by_shape_alone() -> None:
    assert looks_like_link_list("\n".join(HEADLINES))
    assert not looks_like_link_list(STORY)
    assert not looks_like_link_list("")


# --- authors, titles, text ---------------------------------------------------------------------------


def test_clean_authors() -> None:
    assert clean_authors(["By Jane Doe and John Roe"]) == ("Jane Doe", "John Roe")
    assert clean_authors(["Jane Doe, Political Correspondent", "jane doe", "JANE DOE"]) == ("Jane Doe",)
    assert clean_authors(["Written by: Ann Lee <ann@paper.test>", "https://twitter.test/annlee"]) == (
        "Ann Lee",
    )
    assert clean_authors(["Reuters Staff", "Omar Ali"], exclude=["Reuters"]) == ("Omar Ali",)
    assert clean_authors(["MEG KINNARD"]) == ("Meg Kinnard",)
    assert clean_authors(["Rachael Link, MS, RD"]) == ("Rachael Link",)
    assert clean_authors(["updated", "3 min read", ""]) == ()


def test_clean_title() -> None:
    assert clean_title("Bridge approved | Wendbury Gazette", ["Wendbury Gazette"]) == "Bridge approved"
    assert clean_title("Bridge approved - BBC News", ["bbc.co.uk", "bbc"]) == "Bridge approved"
    assert clean_title("Bridge approved | Politics | The Paper", ["The Paper"]) == "Bridge approved"
    assert (
        clean_title("The Paper :: Bridge approved by council", ["The Paper"]) == "Bridge approved by council"
    )
    # a dash inside a headline stays when what follows is not the site
    assert (
        clean_title("Mayor - once a critic - backs the plan", ["The Paper"])
        == "Mayor - once a critic - backs the plan"
    )
    assert clean_title("  Only   a headline ", []) == "Only a headline"


def test_normalize_text() -> None:
    assert normalize_text("a  b\n\n\n c\u200b d \r\n e") == "a b\n\nc d\n\ne"
    pasted = "First line\nwraps here.\n\nSecond paragraph."
    assert normalize_text(pasted, blank_line_paragraphs=True) == "First line wraps here.\n\nSecond paragraph."
    assert normalize_text("One\nTwo", blank_line_paragraphs=True) == "One\n\nTwo"


def test_detect_language() -> None:
    assert detect_language("Too short to tell.") is None
    german = (
        "Der Gemeinderat hat am Montagabend beschlossen, die alte Brücke über den Fluss bis zum nächsten "
        "Sommer vollständig zu sanieren, weil die Sicherheit der Fußgänger nicht mehr gewährleistet ist."
    )
    assert detect_language(german) == "de"
    assert detect_language(" ".join(PROSE)) == "en"


def test_encoding_suspect() -> None:
    clean = " ".join(PROSE)
    assert not encoding_suspect(clean)
    assert encoding_suspect("The councilâ€™s cafÃ© plan " + clean[:500])
    assert encoding_suspect("Caf\ufffd owner\ufffds plan " + clean[:500])
    assert not encoding_suspect("One stray â€™ in a long text. " + clean * 3)


# --- pasted text ----------------------------------------------------------------------------------------


def test_article_from_text() -> None:
    text = "\n\n".join(PROSE) + "\n"
    published = datetime(2024, 3, 1, 9, 0)
    a = article_from_text(text, " Vote  held ", "Paper X", published=published, authors=("By Ann Lee",))
    b = article_from_text(text, "Vote held", "Paper X", published=published)
    assert a.url == b.url and a.url.startswith("text:") and a.canonical_url == a.url
    assert a.extractor == "text" and a.outlet == "Paper X" and a.title == "Vote held"
    assert a.published == published.replace(tzinfo=UTC)
    assert a.authors == ("Ann Lee",)
    assert a.health == "ok" and a.problems == () and a.language == "en"
    assert a.text == STORY and a.word_count == count_words(STORY)
    other = article_from_text(text + "One more sentence.", "Vote held", "Paper X")
    assert other.url != a.url
    assert "no-date" in other.problems


def test_article_from_text_checks_language_and_length() -> None:
    german = (
        "Der Gemeinderat hat am Montagabend beschlossen, die alte Brücke über den Fluss bis zum nächsten "
        "Sommer vollständig zu sanieren, weil die Sicherheit der Fußgänger nicht mehr gewährleistet ist."
    )
    art = article_from_text(
        german, "Brücke", "Tagesblatt", url="https://www.tagesblatt.test/a", published=None
    )
    assert art.language == "de" and art.domain == "tagesblatt.test"
    assert art.problems == ("short", "not-english", "no-date") and art.health == "short"
    known = article_from_text(german, "Brücke", "Reuters")
    assert known.domain == "reuters.com"


# --- offline ----------------------------------------------------------------------------------------------


def test_extraction_makes_no_network_calls(monkeypatch) -> None:
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    outlets._extractor.cache_clear()  # a fresh tldextract instance, built under the guard
    for name in ("article_full", "date_url_only", "front_page"):
        art = extract_article(page(name), "https://www.example-news.test/2020/01/02/story")
        assert art.domain == "example-news.test"
    assert attempts == []


# --- the extraction benchmark harness (on a tiny synthetic set, not the third-party data) ---------------


def test_benchmark_metric_and_skip(tmp_path: Path) -> None:
    from analysis.bench.extraction_eval import eval_extraction, precision_recall

    assert precision_recall("", "") == (1.0, 1.0)
    assert precision_recall("", "a b c d e") == (0.0, 0.0)
    assert precision_recall("a b c d e", "a b c d x") == (0.5, 0.5)
    assert "skipped" in eval_extraction(tmp_path / "absent")


def test_benchmark_on_a_synthetic_page(tmp_path: Path) -> None:
    import gzip
    import json

    from analysis.bench.extraction_eval import eval_extraction

    folder = tmp_path / "extraction"
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "p1.html.gz").write_bytes(gzip.compress(page("date_time_only").encode()))
    body = extract_article(page("date_time_only"), "https://millbrook-news.test/local/trees-railway").text
    truth = {"p1": {"url": "https://millbrook-news.test/local/trees-railway", "articleBody": body}}
    (folder / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    result = eval_extraction(tmp_path)
    assert result["pages"] == 1
    assert result["extract_article"]["f1"] == 1.0
    assert 0.5 < result["trafilatura"]["f1"] <= 1.0
    assert set(result["chosen_by"]) <= {"newspaper", "trafilatura"}


def test_ad_labels_are_dropped_from_the_body() -> None:
    from analysis.ingest.extract import drop_boilerplate_lines

    text = "First paragraph.\n\nADVERTISEMENT\n\nStory continues below advertisement\n\nAd hoc panel met."
    assert drop_boilerplate_lines(text) == "First paragraph.\n\nAd hoc panel met."


def test_repeated_author_meta_tags_give_all_authors() -> None:
    body = "".join(
        f"<p>Paragraph {i} of the council story with enough words to count.</p>" for i in range(30)
    )
    page = (
        '<html><head><meta name="author" content="Ann Carver"><meta name="author" content="Bo Lindqvist">'
        "<title>Council story</title></head>"
        f"<body><article><h1>Council story</h1>{body}</article></body></html>"
    )
    art = extract_article(page, "https://news.example/council")
    assert art.authors == ("Ann Carver", "Bo Lindqvist")


def test_page_url_hint_reads_the_canonical_link_or_og_url() -> None:
    from analysis.ingest.extract import page_url_hint

    assert page_url_hint('<html><head><link rel="canonical" href="https://a.example/x"></head></html>') == (
        "https://a.example/x"
    )
    assert page_url_hint('<head><meta property="og:url" content=" https://b.example/y "></head>') == (
        "https://b.example/y"
    )
    assert page_url_hint('<head><link rel="canonical" href="/relative"></head><p>x</p>') is None
    assert page_url_hint('<link rel="canonical" href="javascript:alert(1)">') is None
    assert page_url_hint("") is None and page_url_hint("no markup at all") is None


def test_one_lost_character_is_encoding_suspect() -> None:
    """A replacement character means bytes were lost in decoding, however long the text."""
    text = "The council approved the plan after a long debate. " * 200
    assert encoding_suspect(text[:5000] + "caf\ufffd " + text[:5000])
