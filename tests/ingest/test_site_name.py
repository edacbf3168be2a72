"""Unknown sites are named from their pages: og:site_name, JSON-LD publisher, the title's suffix."""

from __future__ import annotations

import pytest

from analysis.ingest.extract import extract_article
from analysis.ingest.metadata import title_site_suffix

BODY = "<p>" + " ".join(["The harbour council met on Tuesday to discuss the repairs."] * 12) + "</p>"


def _page(title: str, head: str = "") -> str:
    body = f"<body><article><h1>Repairs</h1>{BODY}</article></body>"
    return f"<html><head><title>{title}</title>{head}</head>{body}</html>"


@pytest.mark.parametrize(
    ("title", "domain", "expected"),
    [
        ("Council approves the bridge repairs | Harbour Wire", "", "Harbour Wire"),
        ("Council approves the bridge repairs - The Daily Klaxon", "", "The Daily Klaxon"),
        ("Council approves the bridge repairs — Journal of the Coast", "", "Journal of the Coast"),
        ("Bridge - Politics | Coast Courier", "", "Coast Courier"),  # the last separator counts
        (
            "What a Smithsonian find tells us | Smithsonian Magazine",
            "smithsonianmag.com",
            "Smithsonian Magazine",
        ),
        ("Storm hits the valley - live updates", "", ""),  # lower case: a phrase, not a name
        ("Storm hits the valley - Live Updates", "", ""),  # a section label
        ("Storm | Harbour Wire", "", ""),  # no headline before it
        ("No separator in this title at all", "", ""),
        ("Council approves repairs - Why Would Anyone Do This Again And Again?", "", ""),
    ],
)
def test_title_suffix(title: str, domain: str, expected: str) -> None:
    assert title_site_suffix(title, domain) == expected


def test_og_site_name_then_json_ld_publisher_then_title() -> None:
    og = '<meta property="og:site_name" content="Coast Courier">'
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Repairs",'
        ' "publisher": {"@type": "Organization", "name": "Courier Media"}}</script>'
    )
    url = "https://www.unknown-courier.test/news/1"
    a = extract_article(_page("Repairs approved | Title Name", og + ld), url)
    assert (a.outlet, a.site_name, a.outlet_source, a.domain) == (
        "Coast Courier",
        "Coast Courier",
        "page",
        "unknown-courier.test",
    )
    assert extract_article(_page("Repairs approved | Title Name", ld), url).outlet == "Courier Media"
    b = extract_article(_page("Repairs approved by the council | Title Name"), url)
    assert (b.outlet, b.title) == ("Title Name", "Repairs approved by the council")
    c = extract_article(_page("Repairs approved by the council"), url)
    assert (c.outlet, c.site_name, c.outlet_source) == ("unknown-courier.test", "", "domain")


def test_a_known_domain_keeps_the_table_name_and_its_groups() -> None:
    og = '<meta property="og:site_name" content="AP News">'
    a = extract_article(_page("Repairs | AP News", og), "https://apnews.com/article/x")
    assert (a.outlet, a.outlet_source, a.site_name) == ("Associated Press", "table", "AP News")
    assert dict(a.outlet_groups)["type"] == "wire agency"
