"""Speaker roles set by the user, and the search prefilter."""

from __future__ import annotations

import pytest

from analysis.models import Article
from analysis.store import Store, StoreError


def test_speaker_roles_set_replace_clear(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'v.db'}")
    assert store.speaker_roles() == {}
    store.set_speaker_role("Frank  Oduya", "business")
    store.set_speaker_role("frank oduya", "advocacy")  # the same speaker, ignoring case
    assert store.speaker_roles() == {"frank oduya": "advocacy"}
    store.set_speaker_role("FRANK ODUYA", None)
    assert store.speaker_roles() == {}
    with pytest.raises(StoreError):
        store.set_speaker_role("  ", "expert")


def test_search_texts_prefilters_with_like(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    event_id = store.get_or_create_event("E")
    texts = [("A", "Tax relief for 100% of savers_1."), ("B", "The tax cuts passed."), ("A", "Nothing here.")]
    for i, (outlet, text) in enumerate(texts):
        url = f"https://x.example/{i}"
        article = Article(
            url=url,
            canonical_url=url,
            title=f"t{i}",
            authors=(),
            published=None,
            text=text,
            outlet=outlet,
            domain="x.example",
            language="en",
            health="ok",
        )
        store.add_article(article, None, canonical_url=url, event_id=event_id, source="text")
    assert [a["text"] for a in store.search_texts(["tax", "relief"])] == ["Tax relief for 100% of savers_1."]
    assert len(store.search_texts(["TAX"])) == 2
    assert store.search_texts(["tax"], outlets=["B"])[0]["outlet"] == "B"
    assert store.search_texts(["100%"])[0]["outlet"] == "A"  # % is matched literally
    assert store.search_texts(["0%"]) and not store.search_texts(["s_1x"])  # _ is literal too
