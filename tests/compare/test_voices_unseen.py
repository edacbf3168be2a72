"""Done-when check of issue 16: on pages of one event the rules never saw (three outlets, written for
this test and served by the local HTTP server), every quoted person is found, with the right article
and verb — direct, partial and indirect quotes, quotes introduced by a colon, "she added" carried to
the last person named, and titles kept apart from names.

The pages go through the real path: fetched over HTTP, extracted, scored, stored, then read back
by the voices table the Voices tab and ``python -m analysis voices`` show.
"""

from __future__ import annotations

import pytest

from analysis.bench.voices_eval import same_speaker
from analysis.compare.voice_tables import event_voices
from analysis.pipeline import ingest_urls
from analysis.store import Store

PAGES = ("valley-post", "morning-trumpet", "coastline-review")
# (page, words of the quote or of its sentence, speaker, verb, kind) — every quote of the three pages.
EXPECTED: tuple[tuple[str, str, str, str, str], ...] = (
    ("valley-post", "We have no choice but to act now", "Edda Vang", "said", "direct"),
    ("valley-post", "the ban would last at least six weeks", "Edda Vang", "said", "indirect"),
    ("valley-post", "Every household will have to play its part", "Edda Vang", "added", "direct"),
    ("valley-post", "ordered replacement pumps", "A spokesman for Marrowick Water", "said", "indirect"),
    ("valley-post", "The pipes under this town are older", "Piet Olander", "told", "direct"),
    ("valley-post", "steep but predictable", "Ruth Mallory", "called", "partial"),
    ("morning-trumpet", "They have known about these leaking pipes", "Bill Tannery", "fumed", "direct"),
    ("morning-trumpet", "a monument to neglect", "Karin Holt", "slammed", "partial"),
    ("morning-trumpet", "water bills could rise by a fifth", "Karin Holt", "warned", "indirect"),
    ("morning-trumpet", "Families are paying for ten years of excuses", "Karin Holt", "said", "direct"),
    ("morning-trumpet", "temporary and necessary", "Edda Vang", "insisted", "partial"),
    ("morning-trumpet", "paddling pool would have to stay empty", "Sally Ormond", "told", "indirect"),
    ("morning-trumpet", "The kids are gutted", "Sally Ormond", "said", "direct"),
    (
        "coastline-review",
        "The reservoir was designed for a town half this size",
        "Ruth Mallory",
        "said",
        "direct",
    ),
    ("coastline-review", "the fault lies with the regional grid", "Piet Olander", "argued", "indirect"),
    ("coastline-review", "cut its own maintenance budget", "critics", "said", "indirect"),
    ("coastline-review", "Repairs to the Dunlin pumping station", "Marrowick Water", "said", "direct"),
    (
        "coastline-review",
        "the repairs will cost 3.1 million crowns",
        "Tomas Greer",
        "according to",
        "indirect",
    ),
    ("coastline-review", "too slow", "Edda Vang", "acknowledged", "partial"),
    ("coastline-review", "leak-detection teams", "Edda Vang", "said", "indirect"),
)
# Speakers named with a title: the title is kept apart from the name.
TITLED = {"Edda Vang", "Piet Olander", "Karin Holt", "Tomas Greer", "Ruth Mallory"}


@pytest.fixture(scope="module")
def voices(http_server, tmp_path_factory):  # noqa: ANN001, ANN201 - pytest fixtures
    from analysis.settings import Settings

    db = f"sqlite:///{tmp_path_factory.mktemp('unseen') / 'unseen.db'}"
    store = Store(db)
    urls = [http_server.url(f"/voices_unseen/{p}.html") for p in PAGES]
    results = ingest_urls(store, urls, event="Marrowick hosepipe ban", settings=Settings(allow_private=True))
    assert all(r.article_id for r in results), [(r.source, r.health, r.reason) for r in results]
    ev = store.find_event("Marrowick hosepipe ban")
    rows = store.event_articles(ev.id)
    ids = {p: next(r["id"] for r in rows if r["url"].endswith(f"/{p}.html")) for p in PAGES}
    return event_voices(rows), ids


def _find(frame, article_id: int, words: str):  # noqa: ANN001, ANN202 - a DataFrame and its rows
    norm = words.replace("’", "'")
    mine = frame[frame["article_id"] == article_id]
    return mine[mine["text"].str.replace("’", "'").str.contains(norm, regex=False)]


@pytest.mark.parametrize(
    ("page", "words", "speaker", "verb", "kind"), EXPECTED, ids=[e[1][:30] for e in EXPECTED]
)
def test_every_quote_of_an_unseen_event(voices, page, words, speaker, verb, kind) -> None:  # noqa: ANN001
    frame, ids = voices
    hits = _find(frame, ids[page], words)
    assert len(hits), f"{words!r} not found in {page}"
    row = hits.iloc[0]
    assert same_speaker(row["speaker"], speaker), (row["speaker"], speaker)
    assert row["verb"] == verb and row["kind"] == kind, (row["verb"], row["kind"])
    if speaker in TITLED:
        assert row["speaker"] == speaker  # "Water Commissioner Edda Vang" -> Edda Vang


def test_no_quote_is_left_without_its_speaker(voices) -> None:  # noqa: ANN001
    frame, _ = voices
    assert (frame["speaker"] == "(unattributed)").sum() == 0
    people = set(frame["speaker"])
    for _, _, speaker, _, _ in EXPECTED:
        assert any(same_speaker(p, speaker) for p in people), speaker
