"""The bundled demo corpus in data/demo/: manifest, pages, and the tone contrast it exists to show.

These checks read the HTML with lxml and score with vaderSentiment directly, so they hold the
corpus to its promises independently of the product's own extractor and scorers (the end-to-end
test through ``analysis.pipeline`` lives elsewhere).
"""

from __future__ import annotations

import csv
import json
import re
from functools import cache
from pathlib import Path
from statistics import mean
from urllib.parse import urlsplit

import lxml.html
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis.ingest.outlets import registered_domain
from analysis.scoring.text import count_words

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"

MIN_BODY_WORDS = 300  # every demo article is a full story, never a teaser
MAX_BODY_WORDS = 900
MIN_PARAGRAPHS = 6
MAX_PARAGRAPHS = 15
MIN_OUTLETS_PER_EVENT = 4  # fewer and the comparison view has nothing to compare
MIN_EVENTS = 4
MIN_COMMENTS, MAX_COMMENTS = 3, 6  # reader comments that must stay out of the body
REFERENCE_GROUP = "wire"  # the neutral baseline of every event
LOADED_GROUPS = ("tabloid", "right-leaning", "left-leaning")
# The loaded outlets must read more negative than the wire in at least this many events.
MIN_EVENTS_WITH_CONTRAST = 3
# The tabloid is the loudest voice: its mean compound sits at least this far below the wire's.
TABLOID_MARGIN = 0.1

# Paragraphs under these are page furniture, not the story (WordPress puts the standfirst in
# the article <header>, the broadsheet puts a newsletter <aside> between body paragraphs).
BOILERPLATE_ANCESTORS = ("aside", "nav", "header", "footer", "form", "figure")
# A sentence ends at . ! or ?, optionally followed by a closing quote, then whitespace.
SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"”’])\s+")
DATE_IN_PATH_RE = re.compile(r"/(19|20)\d{2}/\d{1,2}/")


def _manifest() -> dict:
    return json.loads((DEMO_DIR / "manifest.json").read_text("utf-8"))


def _articles() -> list[dict]:
    return [art for ev in _manifest()["events"] for art in ev["articles"]]


_ARTICLES = _articles()


@cache
def _outlets() -> dict[str, dict[str, str]]:
    with (DEMO_DIR / "outlets.csv").open(newline="", encoding="utf-8") as fh:
        return {row["domain"]: row for row in csv.DictReader(fh)}


@cache
def _page(file: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((DEMO_DIR / file).read_bytes())


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def _body_container(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element holding the story: itemprop=articleBody, else the <article> with the headline."""
    marked = doc.xpath('//*[@itemprop="articleBody"]')
    if marked:
        return marked[0]
    with_headline = doc.xpath("//article[.//h1]")
    assert with_headline, "no itemprop=articleBody and no <article> containing the <h1>"
    return with_headline[0]


def _body_paragraphs(doc: lxml.html.HtmlElement) -> list[str]:
    container = _body_container(doc)
    out = []
    for p in container.iter("p"):
        if any(a.tag in BOILERPLATE_ANCESTORS for a in p.iterancestors()):
            continue
        text = " ".join(p.text_content().split())
        if text:
            out.append(text)
    return out


def _sentences(paragraphs: list[str]) -> list[str]:
    return [s for p in paragraphs for s in SENTENCE_END_RE.split(p) if s.strip()]


def _mean_compound(file: str) -> float:
    analyzer = _analyzer()
    return mean(analyzer.polarity_scores(s)["compound"] for s in _sentences(_body_paragraphs(_page(file))))


def _group(url: str) -> str:
    return _outlets()[registered_domain(url)]["group"]


def _tone_by_group(event: dict) -> dict[str, float]:
    return {_group(art["url"]): _mean_compound(art["file"]) for art in event["articles"]}


# --------------------------------------------------------------------------- manifest
def test_manifest_lists_existing_files_with_unique_absolute_urls() -> None:
    events = _manifest()["events"]
    assert len(events) >= MIN_EVENTS
    assert len({ev["slug"] for ev in events}) == len(events)
    urls = []
    for ev in events:
        assert ev["name"].strip() and ev["description"].strip()
        for art in ev["articles"]:
            assert (DEMO_DIR / art["file"]).is_file(), art["file"]
            assert art["file"].startswith(ev["slug"] + "/")
            parts = urlsplit(art["url"])
            assert parts.scheme == "https" and parts.netloc.endswith(".example"), art["url"]
            urls.append(art["url"])
    assert len(urls) == len(set(urls))


def test_every_event_has_enough_distinct_outlets_all_listed() -> None:
    for ev in _manifest()["events"]:
        domains = [registered_domain(art["url"]) for art in ev["articles"]]
        assert len(set(domains)) == len(domains), f"{ev['slug']}: one outlet twice"
        assert len(domains) >= MIN_OUTLETS_PER_EVENT, ev["slug"]
        missing = [d for d in domains if d not in _outlets()]
        assert not missing, f"{ev['slug']}: not in outlets.csv: {missing}"
        groups = {_group(art["url"]) for art in ev["articles"]}
        assert REFERENCE_GROUP in groups and set(LOADED_GROUPS) <= groups, ev["slug"]


def test_outlets_csv_has_the_expected_columns() -> None:
    with (DEMO_DIR / "outlets.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["domain", "name", "group"]
        rows = list(reader)
    assert all(r["domain"] == registered_domain(r["domain"]) and r["name"] and r["group"] for r in rows)


# --------------------------------------------------------------------------- pages
@pytest.mark.parametrize("art", _ARTICLES, ids=[a["file"] for a in _ARTICLES])
def test_page_is_a_complete_article(art: dict) -> None:
    doc = _page(art["file"])
    outlet = _outlets()[registered_domain(art["url"])]

    assert doc.xpath("//meta[@charset]"), "no <meta charset>"
    title = doc.findtext(".//title") or ""
    assert title.endswith(" | " + outlet["name"]), title
    assert doc.xpath('//link[@rel="canonical"]/@href') == [art["url"]]
    assert doc.xpath("//h1"), "no headline"

    paragraphs = _body_paragraphs(doc)
    words = count_words("\n".join(paragraphs))
    assert MIN_BODY_WORDS <= words <= MAX_BODY_WORDS, words
    assert MIN_PARAGRAPHS <= len(paragraphs) <= MAX_PARAGRAPHS, len(paragraphs)
    assert re.search(r"[\"“][^\"”]{10,}[\"”]", " ".join(paragraphs)), "no direct quotation"


@pytest.mark.parametrize("art", _ARTICLES, ids=[a["file"] for a in _ARTICLES])
def test_reader_comments_stay_outside_the_body(art: dict) -> None:
    doc = _page(art["file"])
    sections = doc.xpath('//*[@id="comments"]')
    assert len(sections) == 1
    body = _body_container(doc)
    assert body not in sections[0].iterancestors() and sections[0] not in body.iterdescendants()
    comments = [
        " ".join(p.text_content().split())
        for p in sections[0].xpath(".//p[not(ancestor::form)]")
        if len(p.text_content().split()) >= 3
    ]
    # Policy notes ("Comments are moderated ...") are counted too, hence the +1.
    assert MIN_COMMENTS <= len(comments) <= MAX_COMMENTS + 1, len(comments)
    body_text = " ".join(_body_paragraphs(doc))
    leaked = [c for c in comments if c in body_text]
    assert not leaked


def test_date_metadata_varies_like_real_sites() -> None:
    """Most pages date themselves in JSON-LD; one only in <time>; one nowhere (the "no-date" badge)."""
    with_jsonld = only_time = undated = 0
    for art in _ARTICLES:
        doc = _page(art["file"])
        jsonld = " ".join(doc.xpath('//script[@type="application/ld+json"]/text()'))
        meta = doc.xpath('//meta[@property="article:published_time"]')
        times = doc.xpath("//time[@datetime]")
        in_url = bool(DATE_IN_PATH_RE.search(urlsplit(art["url"]).path))
        with_jsonld += "datePublished" in jsonld
        only_time += bool(times) and not meta and "datePublished" not in jsonld and not in_url
        if not (meta or times or in_url or "datePublished" in jsonld):
            undated += 1
            assert not re.search(r"\b(19|20)\d{2}\b", lxml.html.tostring(doc, encoding="unicode"))
    assert with_jsonld > len(_ARTICLES) // 2
    assert only_time >= 1 and undated >= 1


# --------------------------------------------------------------------------- tone
def test_loaded_outlets_read_more_negative_than_the_wire() -> None:
    contrasted = []
    for ev in _manifest()["events"]:
        by_group = _tone_by_group(ev)
        wire = by_group[REFERENCE_GROUP]
        if all(by_group[g] < wire for g in LOADED_GROUPS):
            contrasted.append(ev["slug"])
    assert len(contrasted) >= MIN_EVENTS_WITH_CONTRAST, contrasted


def test_tabloid_is_clearly_more_negative_than_the_wire_in_every_event() -> None:
    for ev in _manifest()["events"]:
        by_group = _tone_by_group(ev)
        assert by_group["tabloid"] < by_group[REFERENCE_GROUP] - TABLOID_MARGIN, (ev["slug"], by_group)
