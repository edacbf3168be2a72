"""Reviewing flags on the Compare page (AppTest): a clicked word opens its article's panel; dismiss,
restore, add and topic words change the rates at once and write history; the Corrections page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.store import Store

try:  # tests/ is on sys.path while it has no __init__.py
    from dashboard_fixtures import FIXTURE_EVENT, FIXTURE_SLUG, build_fixture_db
except ModuleNotFoundError:
    from tests.dashboard_fixtures import FIXTURE_EVENT, FIXTURE_SLUG, build_fixture_db

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = build_fixture_db(tmp_path / "fx.db")
    monkeypatch.setenv("ANALYSIS_DATABASE_URL", url)
    monkeypatch.setenv("ANALYSIS_USER", "Ada Editor")
    return url


def _open(page: str, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page(f"app_pages/{page}.py")
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _ledger(store: Store) -> dict:
    ev = store.find_event(FIXTURE_EVENT)
    return next(r for r in store.event_articles(ev.id) if r["outlet"] == "Daily Ledger")


def _summary_loaded(at: AppTest) -> str:
    return "\n".join(el.proto.body for el in at.get("html"))


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_clicked_word_opens_its_panel_and_dismiss_changes_the_rate(db_url: str) -> None:
    store = Store(db_url)
    art = _ledger(store)
    start = next(sp["start"] for sp in art["spans"] if sp["text"] == "disastrous")
    at = _open("compare", event=FIXTURE_SLUG, flag=f"{art['id']}:{start}")
    key = f"{FIXTURE_SLUG}-{art['id']}"
    page = _summary_loaded(at)
    assert f'href="?event={FIXTURE_SLUG}&amp;flag={art["id"]}:{start}"' in page  # every word is a link
    assert "disastrous&nbsp;×1" in page
    assert at.expander(key=f"review-{key}").proto.expanded
    assert at.button_group(key=f"pick-word-{key}").value == "disastrous"
    assert "rule `lexicon`" in "".join(m.value for m in at.markdown)
    before = at.get("plotly_chart")[0].proto.spec
    at.button(key=f"dis-e-{key}").click()
    _run(at)
    page = _summary_loaded(at)
    assert "disastrous&nbsp;×1" not in page  # the summary's top words
    assert 'class="loaded dismissed"' in page  # still shown, struck through
    assert at.get("plotly_chart")[0].proto.spec != before  # the outlet's interval moved
    assert at.expander(key="event-history").label == "History of this event (1 change)"
    at.session_state["event-history"] = True
    _run(at)
    assert list(at.expander(key="event-history").dataframe[0].value["what"]) == ["flag.dismiss"]
    (row,) = store.history(event_id=store.find_event(FIXTURE_EVENT).id)
    assert (row["user"], row["action"], row["before"], row["after"]) == (
        "Ada Editor",
        "flag.dismiss",
        "none",
        "dismiss",
    )
    # restore: the rate comes back
    at.button_group(key=f"pick-word-{key}").set_value("disastrous")
    _run(at)
    at.button(key=f"restore-{key}").click()
    _run(at)
    assert "disastrous&nbsp;×1" in _summary_loaded(at)
    assert at.get("plotly_chart")[0].proto.spec == before
    assert store.corrections() == []
    assert [h["action"] for h in store.history()] == ["flag.restore", "flag.dismiss"]


def test_dismiss_in_article_and_everywhere_and_topic(db_url: str) -> None:
    store = Store(db_url)
    art = _ledger(store)
    key = f"{FIXTURE_SLUG}-{art['id']}"
    at = _open("compare", event=FIXTURE_SLUG)
    assert not at.button_group  # the panels are lazy: nothing is built while they are closed
    at.session_state[f"review-{key}"] = True  # open the panel
    _run(at)
    for button, word, scope in (
        ("dis-a", "chaos", "article"),
        ("dis-g", "reckless", "global"),
        ("topic", "shameful", "event"),
    ):
        at.button_group(key=f"pick-word-{key}").set_value(word)
        _run(at)
        at.button(key=f"{button}-{key}").click()
        _run(at)
        assert any(c["term"] == word and c["scope"] == scope for c in store.corrections())
    kinds = {c["term"]: c["kind"] for c in store.corrections()}
    assert kinds == {"chaos": "dismiss", "reckless": "dismiss", "shameful": "topic"}
    page = _summary_loaded(at)
    assert page.count('class="loaded dismissed"') >= 2  # chaos in one article, reckless everywhere
    assert 'data-category="topic"' in page  # shameful: shown as a topic word, not counted
    assert "shameful — marked as a topic word by a person" in page
    at.button_group(key=f"pick-word-{key}").set_value("shameful")
    _run(at)
    at.button(key=f"untopic-{key}").click()
    _run(at)
    assert "shameful" not in {c["term"] for c in store.corrections()}


def test_add_a_word_as_loaded(db_url: str) -> None:
    store = Store(db_url)
    ev = store.find_event(FIXTURE_EVENT)
    post = next(r for r in store.event_articles(ev.id) if r["outlet"] == "Morning Post")
    key = f"{FIXTURE_SLUG}-{post['id']}"
    word = next(w for w in post["text"].split() if len(w) > 6 and w.isalpha())
    at = _open("compare", event=FIXTURE_SLUG)
    at.session_state[f"review-{key}"] = True  # open the panel
    _run(at)
    at.text_input(key=f"add-term-{key}").input(word)
    at.selectbox(key=f"add-cat-{key}").select("framing")
    next(b for b in at.button if b.proto.label == "Add" and key in b.proto.form_id).click()
    _run(at)
    (c,) = store.corrections()
    assert (c["kind"], c["term"], c["scope"], c["category"]) == ("add", word, "event", "framing")
    assert at.button_group(key=f"pick-word-{key}").options  # the new span is listed
    assert word.lower() in [o.lower() for o in at.button_group(key=f"pick-word-{key}").options]


def test_corrections_page_lists_exports_and_history(db_url: str) -> None:
    store = Store(db_url)
    store.set_correction("dismiss", "chaos", event=FIXTURE_EVENT, user="Ada Editor")
    store.rename_event(FIXTURE_EVENT, FIXTURE_EVENT + " (reviewed)", user="Ada Editor")
    at = _open("corrections")
    table = at.dataframe[0].value
    assert list(table["word"]) == ["chaos"] and list(table["by"]) == ["Ada Editor"]
    history = at.dataframe[1].value
    assert list(history["what"]) == ["event.rename", "flag.dismiss"]
    assert "Export corrections (JSON)" in [b.proto.label for b in at.get("download_button")]


def test_outlets_and_data_pages_count_loaded_language_as_compare_does(db_url: str) -> None:
    """A dismissal and a topic word change the Outlets page's rates and flagged words and the
    Data page's table exactly as they change the Compare page's (and the exports')."""
    from analysis.compare import summary as compare
    from analysis.compare.reviewed import reviewed_rows

    store = Store(db_url)
    plain = compare.flagged_words(store.event_articles(None, with_text=True))
    before_counts = plain[plain["outlet"] == "Daily Ledger"].set_index("word")["count"]
    first = _open("outlets").dataframe[0].value.set_index("outlet")
    before, before_words = first["loaded"], first.loc["Daily Ledger", "top_words"].split(", ")
    store.set_correction("dismiss", "disastrous", user="Ada Editor")  # everywhere
    store.set_correction("topic", "pathetic", event=FIXTURE_EVENT, user="Ada Editor")
    counted = reviewed_rows(store.event_articles(None, with_text=True), store.corrections())
    want = compare.outlet_overview(compare.articles_frame(counted)).set_index("outlet")["loaded"]

    at = _open("outlets")
    table = at.dataframe[0].value.set_index("outlet")
    assert table["loaded"].to_dict() == pytest.approx(want.to_dict())
    assert table.loc["Daily Ledger", "loaded"] < before["Daily Ledger"]  # the corrections count here too
    assert "pathetic" in before_words and "disastrous" in before_words
    words = compare.flagged_words(counted)
    mine = words[words["outlet"] == "Daily Ledger"]
    assert table.loc["Daily Ledger", "top_words"] == ", ".join(mine.head(5)["word"])
    assert "disastrous" not in set(mine["word"])  # dismissed everywhere
    # "pathetic": a topic word of the bridge event (the only one the Ledger uses it in), not counted
    assert before_counts["pathetic"] == 1 and "pathetic" not in set(mine["word"])
    at.selectbox(key="words-outlet").set_value("Daily Ledger").run()
    flagged = json.loads(at.get("plotly_chart")[3].proto.spec)  # the outlet's most flagged words
    assert not {"disastrous", "pathetic"} & set(flagged["data"][0]["y"])

    data = _open("data").dataframe[0].value.set_index("id")["loaded_rate"]
    rates = {int(r["id"]): r["loaded_rate"] for r in counted}
    assert data.to_dict() == pytest.approx(rates)
