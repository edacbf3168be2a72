"""Realistic article pages in any number, made from the demo corpus, for the speed benchmark.

Each outlet of ``data/demo`` has its own page template (navigation, scripts, styles, ads, related
links, comments, JSON-LD, meta tags).  A generated page keeps one of that outlet's demo pages as it
is, boilerplate included, and replaces what makes it one article:

* the body: the outlet's paragraphs for the event being reported (lead first, the rest shuffled),
  padded with paragraphs the same outlet wrote about other demo events, to a length drawn around
  ``TARGET_WORDS`` (news articles run ~400-1,400 words);
* proper nouns (words the demo corpus only ever writes capitalised) are renamed consistently within
  one generated event, and numbers are scaled by an event-wide factor, so events that share a demo
  event still differ in their names and figures;
* headline, description, canonical URL and dates (meta tags and JSON-LD), so every page has its own
  URL and the events are spread over two years.

Generated events cover one demo event each, reported by that demo event's outlets (several articles
per outlet when an event has more articles than outlets).  Everything is deterministic for a seed.

Limits: the vocabulary is the demo corpus's (~2,000 distinct words), so generated text repeats
sentences far more than real news does; anything that caches per sentence looks better here than it
would on real pages (the benchmark reports how often sentences repeat).
"""

from __future__ import annotations

import html as html_lib
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html

from analysis.settings import DATA_DIR

DEMO_DIR = DATA_DIR / "demo"
TARGET_WORDS = 800  # mean body length of a generated article
WORDS_SD = 150  # spread of the body length
MIN_WORDS, MAX_WORDS = 400, 1400  # clipped to this range
ARTICLES_PER_EVENT = 20  # 10,000 articles make 500 events
FIRST_DAY = date(2025, 1, 1)  # generated events are spread evenly from this day ...
SPAN_DAYS = 730  # ... over two years
NUMBER_SCALE = (0.6, 1.6)  # each event multiplies the demo figures by a factor in this range
YEAR_RANGE = (1900, 2100)  # numbers in this range are years: kept as they are
SEED = 20260501

_MARK_TITLE, _MARK_DESC, _MARK_URL, _MARK_DATE = "@@TITLE@@", "@@DESC@@", "@@URL@@", "@@DATE@@"
_MARK_JTITLE, _MARK_JDESC = "@@JTITLE@@", "@@JDESC@@"  # the same inside JSON-LD (JSON-escaped)
_SLOT_RE = re.compile(r"<p([^>]*)>@@P(\d+)@@</p>")
_CAP_WORD_RE = re.compile(r"\b[A-Z][a-z]{3,}\b")
_NUMBER_RE = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_MID_SENTENCE_CAP_RE = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{3,}\b")
# Capitalised but not names: renaming them would make dates unreadable.
_CALENDAR_WORDS = frozenset(
    "January February March April June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Christmas Easter".split()
)
_SYLLABLES = (
    "bar dor ven kal mir tos lan rek sul vin gar hol pem ros tav lis mar den cor fel bri nor wen "
    "ash tor gil ran sev dal ost vel kar ber lud pra sim"
).split()


@dataclass(frozen=True)
class GeneratedPage:
    url: str
    html: str
    event: str  # generated event key, e.g. "e0042-brennick-budget"
    outlet: str  # demo outlet key (file name), e.g. "daily-blaze"
    words: int  # words in the generated body


@dataclass
class _Template:
    outlet: str
    host: str
    chunks: list[str]  # static HTML between slots
    slot_attrs: list[str]  # attributes of each body <p> slot
    template_date: str


@dataclass(frozen=True)
class _Source:
    outlet: str
    event: str
    title: str
    paragraphs: tuple[str, ...]


def _body_container(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The element holding most of the page's <p> children: the article body."""
    counts: dict[lxml.html.HtmlElement, int] = defaultdict(int)
    for p in doc.iter("p"):
        counts[p.getparent()] += 1
    return max(counts, key=lambda el: counts[el])


def _meta(doc: lxml.html.HtmlElement, key: str) -> str:
    for m in doc.iter("meta"):
        if key in (m.get("property"), m.get("name")):
            return m.get("content") or ""
    return ""


def _replace_json(obj: object, repl: dict[str, str]) -> object:
    if isinstance(obj, dict):
        out = {k: _replace_json(v, repl) for k, v in obj.items()}
        if "headline" in out:
            out["headline"] = _MARK_JTITLE
        if "description" in out and out.get("@type") in ("NewsArticle", "Article", "ReportageNewsArticle"):
            out["description"] = _MARK_JDESC
        return out
    if isinstance(obj, list):
        return [_replace_json(v, repl) for v in obj]
    if isinstance(obj, str):
        for old, new in repl.items():
            if old:
                obj = obj.replace(old, new)
        return obj
    return obj


def _make_template(outlet: str, page_html: str, url: str) -> _Template:
    doc = lxml.html.document_fromstring(page_html)
    canonical = next((el.get("href") for el in doc.iter("link") if el.get("rel") == "canonical"), url)
    title = _meta(doc, "og:title") or (doc.findtext(".//title") or "").strip()
    desc = _meta(doc, "og:description") or _meta(doc, "description")
    published = _meta(doc, "article:published_time")[:10]
    repl = {canonical: _MARK_URL, url: _MARK_URL, title: _MARK_TITLE, desc: _MARK_DESC}
    if published:
        repl[published] = _MARK_DATE
    body = _body_container(doc)
    slot = 0
    for el in doc.iter():
        if el.tag == "script" and (el.get("type") or "").endswith("ld+json") and el.text:
            try:
                data = json.loads(el.text)
            except ValueError:
                continue
            el.text = json.dumps(_replace_json(data, repl), ensure_ascii=False, indent=1)
            continue
        if el.tag == "p" and el.getparent() is body:
            for child in list(el):
                el.remove(child)
            el.text = f"@@P{slot}@@"
            slot += 1
            continue
        for attr in ("text", "tail"):
            value = getattr(el, attr)
            if isinstance(value, str) and value.strip():
                for old, new in repl.items():
                    if old:
                        value = value.replace(old, new)
                setattr(el, attr, value)
        for key, value in el.attrib.items():
            for old, new in repl.items():
                if old and old in value:
                    value = value.replace(old, new)
            el.set(key, value)
    markup = "<!DOCTYPE html>\n" + lxml.html.tostring(doc, encoding="unicode")
    chunks, attrs, pos = [], [], 0
    for m in _SLOT_RE.finditer(markup):
        chunks.append(markup[pos : m.start()])
        attrs.append(m.group(1))
        pos = m.end()
    chunks.append(markup[pos:])
    return _Template(outlet, urlsplit(canonical).netloc, chunks, attrs, published)


def _proper_nouns(texts: list[str]) -> list[str]:
    """Words the corpus writes only capitalised and at least once mid-sentence: names, places."""
    joined = "\n".join(texts)
    lower = {w.lower() for w in re.findall(r"\b[a-z][a-z]{3,}\b", joined)}
    mid = set(_MID_SENTENCE_CAP_RE.findall(joined))
    return sorted(w for w in mid if w.lower() not in lower and w not in _CALENDAR_WORDS)


class CorpusGenerator:
    """Deterministic generator of article pages from the demo corpus's outlet templates."""

    def __init__(self, demo_dir: Path = DEMO_DIR, seed: int = SEED) -> None:
        self.seed = seed
        manifest = json.loads((demo_dir / "manifest.json").read_text("utf-8"))
        self.templates: dict[str, _Template] = {}
        self.sources: dict[tuple[str, str], _Source] = {}
        self.by_outlet: dict[str, list[_Source]] = defaultdict(list)
        self.events: dict[str, list[str]] = {}
        for ev in manifest["events"]:
            slug = ev.get("slug") or ev["name"]
            self.events[slug] = []
            for art in ev["articles"]:
                path = demo_dir / art["file"]
                outlet = path.stem
                page_html = path.read_text("utf-8")
                doc = lxml.html.document_fromstring(page_html)
                paras = tuple(
                    " ".join(p.text_content().split())
                    for p in _body_container(doc).findall("p")
                    if p.text_content().strip()
                )
                title = _meta(doc, "og:title") or " ".join((doc.findtext(".//title") or "").split())
                src = _Source(outlet, slug, title, paras)
                self.sources[(outlet, slug)] = src
                self.by_outlet[outlet].append(src)
                self.events[slug].append(outlet)
                if outlet not in self.templates:
                    self.templates[outlet] = _make_template(outlet, page_html, art["url"])
        texts = [p for s in self.sources.values() for p in (s.title, *s.paragraphs)]
        self.names = _proper_nouns(texts)
        self._name_re = re.compile(r"\b(?:" + "|".join(map(re.escape, self.names)) + r")\b")

    # -- variation --------------------------------------------------------------------------

    def _name_map(self, rng: random.Random) -> dict[str, str]:
        out = {}
        for name in self.names:
            n_syl = 2 if len(name) < 7 else 3
            out[name] = "".join(rng.choice(_SYLLABLES) for _ in range(n_syl)).capitalize()
        return out

    def _vary(self, text: str, names: dict[str, str], scale: float) -> str:
        text = self._name_re.sub(lambda m: names[m.group()], text)

        def number(m: re.Match[str]) -> str:
            raw = m.group()
            value = float(raw.replace(",", ""))
            if "." not in raw and YEAR_RANGE[0] <= value <= YEAR_RANGE[1]:
                return raw
            if "." in raw:
                decimals = len(raw.split(".")[1])
                return f"{value * scale:,.{decimals}f}" if "," in raw else f"{value * scale:.{decimals}f}"
            scaled = max(1, round(value * scale))
            return f"{scaled:,}" if "," in raw else str(scaled)

        return _NUMBER_RE.sub(number, text)

    # -- pages ------------------------------------------------------------------------------

    def _body(self, rng: random.Random, src: _Source) -> list[str]:
        target = int(min(MAX_WORDS, max(MIN_WORDS, rng.gauss(TARGET_WORDS, WORDS_SD))))
        lead, rest = list(src.paragraphs[:1]), list(src.paragraphs[1:])
        rng.shuffle(rest)
        paras = lead + rest
        words = sum(len(p.split()) for p in paras)
        others = [p for s in self.by_outlet[src.outlet] if s is not src for p in s.paragraphs]
        others = others or list(src.paragraphs)
        while words < target:
            extra = rng.choice(others)
            paras.insert(rng.randint(1, len(paras)), extra)
            words += len(extra.split())
        return paras

    def _render(self, tpl: _Template, title: str, desc: str, url: str, day: str, paras: list[str]) -> str:
        n_slots = len(tpl.slot_attrs)
        parts = [tpl.chunks[0]]
        for i, attrs in enumerate(tpl.slot_attrs):
            chunk = paras[i * len(paras) // n_slots : (i + 1) * len(paras) // n_slots]
            parts.append("\n".join(f"<p{attrs}>{html_lib.escape(p, quote=False)}</p>" for p in chunk))
            parts.append(tpl.chunks[i + 1])
        markup = "".join(parts)
        jtitle, jdesc = (
            json.dumps(title, ensure_ascii=False)[1:-1],
            json.dumps(desc, ensure_ascii=False)[1:-1],
        )
        for mark, value in (
            (_MARK_JTITLE, jtitle),
            (_MARK_JDESC, jdesc),
            (_MARK_TITLE, html_lib.escape(title)),
            (_MARK_DESC, html_lib.escape(desc)),
            (_MARK_URL, url),
            (_MARK_DATE, day),
        ):
            markup = markup.replace(mark, value)
        return markup

    def pages(self, n: int, per_event: int = ARTICLES_PER_EVENT) -> Iterator[GeneratedPage]:
        """``n`` pages in events of ``per_event`` articles, in a fixed order for the seed."""
        rng = random.Random(self.seed)
        slugs = sorted(self.events)
        n_events = max(1, -(-n // per_event))
        made = 0
        for k in range(n_events):
            base = rng.choice(slugs)
            names = self._name_map(rng)
            scale = rng.uniform(*NUMBER_SCALE)
            day0 = FIRST_DAY + timedelta(days=k * SPAN_DAYS / n_events)
            outlets = self.events[base]
            for j in range(min(per_event, n - made)):
                outlet = outlets[j % len(outlets)]
                src = self.sources[(outlet, base)]
                paras = [self._vary(p, names, scale) for p in self._body(rng, src)]
                title = self._vary(src.title, names, scale)
                if j >= len(outlets):  # a follow-up by the same outlet: another headline
                    title = f"{title}: {paras[rng.randint(1, len(paras) - 1)].split('.')[0][:60]}"
                day = (day0 + timedelta(days=rng.random() * 1.5)).isoformat()
                key = f"e{k:05d}-{base}"
                url = f"https://{self.templates[outlet].host}/bench/{key}/{j:03d}-{outlet}"
                desc = paras[0].split(". ")[0][:200]
                page = self._render(self.templates[outlet], title, desc, url, day, paras)
                yield GeneratedPage(url, page, key, outlet, sum(len(p.split()) for p in paras))
                made += 1


def generate_pages(n: int, seed: int = SEED, per_event: int = ARTICLES_PER_EVENT) -> list[GeneratedPage]:
    """``n`` generated pages (see the module docstring)."""
    return list(CorpusGenerator(seed=seed).pages(n, per_event))
