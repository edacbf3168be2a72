"""A small hand-made database for the dashboard tests (no fetching, no scorers).

Two events.  In "Harbour bridge collapse" the Daily Ledger is clearly the most negative
and the most loaded, the Coast Courier (two articles) the most positive, the Morning
Post in between, and "Injection Times" carries hostile markup in its title and text.
Scores are set by hand so the expected order of outlets is known exactly.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from analysis.models import Article, FetchAttempt, Loaded, Scores, SentenceSentiment, Sentiment, Span
from analysis.store import Store, event_slug

FIXTURE_EVENT = "Harbour bridge collapse"
FIXTURE_SLUG = event_slug(FIXTURE_EVENT)  # "harbour-bridge-collapse-" + a hash of the name
OTHER_EVENT = "City budget vote"
MANY_EVENT = "Port strike"
BLOCKED_URL = "https://blocked.example/story"
INJECTION_TITLE = "<script>alert(1)</script> Bridge **shock**"
INJECTION_TEXT_MARKUP = "<b>bold</b>"
INJECTION_TEXT_MD = "**markdown**"

LEDGER = [
    ("The disastrous collapse of the harbour bridge left the city in chaos.", -0.8),
    ("Furious residents blamed a reckless council for years of shameful neglect.", -0.7),
    ("Engineers had warned of cracks, yet nothing was done.", -0.5),
    ('One survivor said "it was a nightmare, an absolute catastrophe" as rescuers searched the water.', -0.9),
    ("The failure is a scandal that exposes a broken system.", -0.6),
    ("Traffic ground to a halt across the eastern districts.", -0.3),
    ("Shops near the river stayed shut for the day.", -0.2),
    ("Critics say the mayor's response was pathetic and slow.", -0.6),
    ("Insurance costs are expected to soar after the disaster.", -0.5),
    ("Few believe the promised inquiry will change anything.", -0.4),
]
LEDGER_WORDS = {
    "disastrous": ("emotional", 0.9),
    "chaos": ("emotional", 0.8),
    "furious": ("emotional", 0.7),
    "reckless": ("labelling", 0.8),
    "shameful": ("emotional", 0.8),
    "catastrophe": ("emotional", 0.9),
    "nightmare": ("emotional", 0.7),
    "scandal": ("labelling", 0.8),
    "pathetic": ("labelling", 0.9),
    "soar": ("intensifier", 0.4),
    "disaster": ("emotional", 0.8),
}

POST = [
    ("Part of the harbour bridge collapsed on Tuesday morning.", -0.3),
    ("Emergency services reached the site within minutes.", 0.0),
    ("Three people were taken to hospital with injuries.", -0.3),
    ("The council said an inspection had been scheduled for next month.", 0.0),
    ("Engineers will examine the remaining spans this week.", 0.0),
    ("Ferries are running extra services while the bridge is closed.", 0.2),
    ("Residents described a loud crack before the fall.", -0.2),
    ("The mayor promised a full and independent inquiry.", 0.3),
    ("Traffic was diverted through the northern tunnel.", 0.0),
    ("Officials expect the closure to last several weeks.", -0.1),
]
POST_WORDS = {"crack": ("emotional", 0.3)}

COURIER_1 = [
    ("Rescue crews acted swiftly after a section of the harbour bridge gave way.", 0.4),
    ("All three injured people are expected to recover fully.", 0.6),
    ("Volunteers brought food and blankets to stranded commuters.", 0.5),
    ("The ferry company added free crossings for the week.", 0.4),
    ("Engineers praised the quick closure of the remaining lanes.", 0.5),
    ("The city has already secured funds for the repair.", 0.3),
]
COURIER_2 = [
    ("Repairs to the harbour bridge will begin next month, the council confirmed.", 0.2),
    ("The inquiry panel includes two independent engineers.", 0.1),
    ("Local businesses reported a strong weekend despite the closure.", 0.5),
    ("Commuters have adapted to the ferry timetable.", 0.2),
    ("Officials said the new design will be much safer.", 0.4),
    ("The community fund has raised a remarkable sum.", 0.6),
]
COURIER_WORDS = {"remarkable": ("intensifier", 0.4), "much": ("intensifier", 0.2)}

INJECTION = [
    (f"This article contains {INJECTION_TEXT_MARKUP} and {INJECTION_TEXT_MD} in its text.", 0.0),
    ("A second sentence mentions <img src=x onerror=alert(2)> as plain words.", 0.0),
    ("The bridge closure was a shocking failure, the author wrote.", -0.5),
]
INJECTION_WORDS = {"shocking": ("emotional", 0.7)}

BUDGET_LEDGER = [
    ("The council rammed through a bloated budget on Thursday night.", -0.5),
    ("Taxpayers face yet another outrageous rise in fees.", -0.6),
    ("Opposition members called the vote a disgrace.", -0.6),
    ("The budget passed by twelve votes to nine.", 0.0),
]
BUDGET_POST = [
    ("The council approved the annual budget on Thursday.", 0.2),
    ("Spending on schools rises by four percent.", 0.3),
    ("Fees for parking will increase slightly.", -0.1),
    ("The budget passed by twelve votes to nine.", 0.0),
]
BUDGET_WORDS = {
    "rammed": ("labelling", 0.7),
    "bloated": ("labelling", 0.8),
    "outrageous": ("emotional", 0.9),
    "disgrace": ("emotional", 0.9),
}


def _compose(sentences: list[tuple[str, float]]) -> tuple[str, list[SentenceSentiment]]:
    parts: list[str] = []
    sents: list[SentenceSentiment] = []
    pos = 0
    for i, (s, c) in enumerate(sentences):
        sep = "" if i == 0 else ("\n\n" if i % 3 == 0 else " ")
        pos += len(sep)
        parts.append(sep + s)
        label = "negative" if c <= -0.05 else "positive" if c >= 0.05 else "neutral"
        sents.append(SentenceSentiment(pos, pos + len(s), c, label))
        pos += len(s)
    return "".join(parts), sents


def _in_quote(text: str, pos: int) -> bool:
    return text[:pos].count('"') % 2 == 1


def _scores(
    text: str, sents: list[SentenceSentiment], words: dict[str, tuple[str, float]], n_words: int
) -> Scores:
    spans = []
    for w, (cat, weight) in words.items():
        for m in re.finditer(rf"\b{re.escape(w)}\b", text, flags=re.IGNORECASE):
            spans.append(Span(m.start(), m.end(), m.group(0), cat, weight, quoted=_in_quote(text, m.start())))
    spans.sort(key=lambda s: s.start)
    own = [s for s in spans if not s.quoted]
    quoted = [s for s in spans if s.quoted]
    cats: dict[str, float] = {}
    for s in own:
        cats[s.category] = cats.get(s.category, 0.0) + s.weight
    lengths = [max(1, len(text[s.start : s.end].split())) for s in sents]
    compound = sum(s.compound * n for s, n in zip(sents, lengths, strict=True)) / sum(lengths)
    n = len(sents)
    return Scores(
        sentiment=Sentiment(
            compound=compound,
            positive_share=sum(s.label == "positive" for s in sents) / n,
            negative_share=sum(s.label == "negative" for s in sents) / n,
            n_sentences=n,
            sentences=tuple(sents),
        ),
        loaded=Loaded(
            spans=tuple(spans),
            word_count=n_words,
            rate_per_1000=1000 * sum(s.weight for s in own) / n_words,
            quoted_rate_per_1000=1000 * sum(s.weight for s in quoted) / n_words,
            categories=tuple(sorted(cats.items(), key=lambda kv: -kv[1])),
            loaded_sentences=len({i for s in own for i, x in enumerate(sents) if x.start <= s.start < x.end}),
        ),
        headline_sentiment=Sentiment(
            compound=compound / 2, positive_share=0, negative_share=0, n_sentences=1
        ),
        scorer_version="fixture-1",
    )


def _add(
    store: Store,
    event_id: int,
    *,
    n: int,
    outlet: str,
    title: str,
    sentences: list[tuple[str, float]],
    words: dict[str, tuple[str, float]],
    published: datetime | None,
    health: str = "ok",
    authors: tuple[str, ...] = ("Sam Reporter",),
) -> int:
    text, sents = _compose(sentences)
    n_words = len(text.split())
    domain = outlet.lower().replace(" ", "") + ".example"
    url = f"https://{domain}/story-{n}"
    problems = () if health == "ok" else (health,)
    article = Article(
        url=url,
        canonical_url=url,
        title=title,
        authors=authors,
        published=published,
        text=text,
        outlet=outlet,
        domain=domain,
        language="en",
        health=health,
        problems=problems,
        reason="" if health == "ok" else f"fixture: {health}",
        extractor="text",
        word_count=n_words,
    )
    aid, _ = store.add_article(
        article, _scores(text, sents, words, n_words), canonical_url=url, event_id=event_id, source="text"
    )
    return aid


def build_fixture_db(path: Path) -> str:
    """Create the fixture database at ``path`` (a .db file) and return its SQLAlchemy URL."""
    url = f"sqlite:///{path}"
    store = Store(url)
    bridge = store.get_or_create_event(FIXTURE_EVENT, "A section of the harbour bridge fell into the water.")
    budget = store.get_or_create_event(OTHER_EVENT)
    d = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    _add(
        store,
        bridge,
        n=1,
        outlet="Daily Ledger",
        title="Bridge of shame: city in chaos",
        sentences=LEDGER,
        words=LEDGER_WORDS,
        published=d,
        authors=("Pat Hack", "Lou Quill"),
    )
    _add(
        store,
        bridge,
        n=2,
        outlet="Morning Post",
        title="Harbour bridge section collapses; three hurt",
        sentences=POST,
        words=POST_WORDS,
        published=d.replace(hour=10),
    )
    _add(
        store,
        bridge,
        n=3,
        outlet="Coast Courier",
        title="Swift rescue after harbour bridge gives way",
        sentences=COURIER_1,
        words=COURIER_WORDS,
        published=d.replace(hour=11),
    )
    _add(
        store,
        bridge,
        n=4,
        outlet="Coast Courier",
        title="Bridge repairs to start next month",
        sentences=COURIER_2,
        words=COURIER_WORDS,
        published=None,
        health="no-date",
    )
    _add(
        store,
        bridge,
        n=5,
        outlet="Injection Times",
        title=INJECTION_TITLE,
        sentences=INJECTION,
        words=INJECTION_WORDS,
        published=d.replace(day=11),
        health="short",
        authors=("<i>Eve</i> [link](javascript:alert(3))",),
    )
    _add(
        store,
        budget,
        n=6,
        outlet="Daily Ledger",
        title="Council rams through bloated budget",
        sentences=BUDGET_LEDGER,
        words=BUDGET_WORDS,
        published=datetime(2026, 2, 5, 9, tzinfo=UTC),
    )
    _add(
        store,
        budget,
        n=7,
        outlet="Morning Post",
        title="Council approves annual budget",
        sentences=BUDGET_POST,
        words=BUDGET_WORDS,
        published=datetime(2026, 2, 5, 12, tzinfo=UTC),
    )
    store.record_attempt(
        FetchAttempt(BLOCKED_URL, 403, "blocked", "HTTP 403 Forbidden: the site refused the request", 0.2),
        canonical_url=BLOCKED_URL,
        event_id=bridge,
    )
    return url


def build_many_outlets_db(path: Path, n: int = 8) -> str:
    """A database with one event covered by ``n`` outlets (more than fit side by side)."""
    url = f"sqlite:///{path}"
    store = Store(url)
    ev = store.get_or_create_event(MANY_EVENT)
    for i in range(n):
        tone = -0.6 + 1.2 * i / max(1, n - 1)  # outlet 0 most negative, outlet n-1 most positive
        sentences = [(f"Sentence {j} of outlet {i} about the port strike.", round(tone, 2)) for j in range(6)]
        _add(
            store,
            ev,
            n=100 + i,
            outlet=f"Outlet {i:02d}",
            title=f"Port strike, take {i}",
            sentences=sentences,
            words={},
            published=datetime(2026, 5, 1, 8 + i, tzinfo=UTC),
        )
    return url
