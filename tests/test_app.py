"""Every page of the Streamlit app, run headless with AppTest on the fixture database."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.compare import summary as compare
from analysis.compare import wordchoice
from analysis.present import charts
from analysis.store import Store, event_slug

try:  # tests/ is on sys.path while it has no __init__.py
    from dashboard_fixtures import (
        BLOCKED_URL,
        FIXTURE_EVENT,
        FIXTURE_SLUG,
        OTHER_EVENT,
        build_fixture_db,
        build_many_outlets_db,
    )
except ModuleNotFoundError:
    from tests.dashboard_fixtures import (
        BLOCKED_URL,
        FIXTURE_EVENT,
        FIXTURE_SLUG,
        OTHER_EVENT,
        build_fixture_db,
        build_many_outlets_db,
    )

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60  # seconds per script run (generous: CI machines are slow)


@pytest.fixture(scope="module")
def db_url(tmp_path_factory) -> str:
    return build_fixture_db(tmp_path_factory.mktemp("app") / "fx.db")


@pytest.fixture
def app(db_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ANALYSIS_DATABASE_URL", db_url)
    monkeypatch.delenv("ANALYSIS_ALLOW_PRIVATE", raising=False)

    def open_page(page: str | None = None, **query: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        if page:
            at.switch_page(f"app_pages/{page}.py")
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


def specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def html_text(at: AppTest) -> str:
    return "\n".join(el.proto.body for el in at.get("html"))


def test_events_page_lists_events_and_heatmaps(app) -> None:
    at = app()
    table = at.dataframe[0].value
    assert set(table["event"]) == {FIXTURE_EVENT, OTHER_EVENT}
    assert table.set_index("event").loc[FIXTURE_EVENT, "problems"] == "no-date ×1, short ×1"
    sent, loaded = specs(at)
    assert sent["data"][0]["type"] == "heatmap"
    assert sent["data"][0]["x"] == ["Coast Courier", "Daily Ledger", "Injection<br>Times", "Morning Post"]
    assert sent["data"][0]["y"] == [OTHER_EVENT, FIXTURE_EVENT]
    assert "Loaded language" in loaded["layout"]["title"]["text"]
    assert {b.proto.label for b in at.get("download_button")} == {"PNG", "SVG", "HTML"}


def test_events_loaded_heatmap_counts_corrections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Events page's loaded-language cells are counted as on the Compare page: a dismissal
    everywhere lowers them at once."""
    import base64

    import numpy as np

    url = build_fixture_db(tmp_path / "events.db")
    monkeypatch.setenv("ANALYSIS_DATABASE_URL", url)

    def loaded_cells() -> tuple[float, str]:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
        assert not at.exception, [e.value for e in at.exception]
        z = specs(at)[1]["data"][0]["z"]
        if isinstance(z, dict):  # plotly's typed array: {"dtype", "bdata" (base64), "shape"}
            shape = [int(n) for n in str(z["shape"]).split(",")]
            z = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(shape)
        z = np.array(z, dtype=float)
        return float(np.nansum(z)), " ".join(c.value for c in at.caption)

    before, caption = loaded_cells()
    assert before > 0 and "counted as on the Compare page" in caption
    store = Store(url)
    words = [
        str(sp.get("text") or "").lower()
        for r in store.event_articles(None, with_text=True)
        for sp in r.get("spans") or []
        if not sp.get("quoted")
    ]
    store.set_correction("dismiss", max(set(words), key=words.count), user="test")
    store.engine.dispose()
    after, _ = loaded_cells()
    assert after < before


def test_events_page_filters(app) -> None:
    at = app()
    at.multiselect(key="ev-outlets").set_value(["Coast Courier"]).run()
    assert list(at.dataframe[0].value["event"]) == [FIXTURE_EVENT]
    at.multiselect(key="ev-outlets").set_value([]).run()
    at.text_input(key="ev-search").input("budget").run()
    assert list(at.dataframe[0].value["event"]) == [OTHER_EVENT]
    at.text_input(key="ev-search").input("no such thing").run()
    assert any("No event matches" in i.value for i in at.info)


def test_compare_page_answers_the_three_questions(app, db_url: str) -> None:
    at = app("compare")
    assert at.selectbox(key="event").value == FIXTURE_SLUG  # the event with most outlets
    outlets_fig, arc_fig, cats_fig = specs(at)[:3]  # the first screen; the cross-outlet tabs follow
    # the most negative outlet comes first, in its database-wide colour
    colors = Store(db_url).outlet_colors()  # stored: given once, when each outlet was first seen
    first = outlets_fig["data"][0]
    assert first["y"] == ["Daily Ledger"]
    assert first["marker"]["color"] == colors["Daily Ledger"]
    assert [t["y"][0] for t in outlets_fig["data"][::2]] == [
        "Daily Ledger",
        "Injection Times",
        "Morning Post",
        "Coast Courier",
    ]
    assert {t["name"] for t in arc_fig["data"]} >= {"Coast Courier (1)", "Coast Courier (2)"}
    assert cats_fig["layout"]["barmode"] == "stack"
    page = html_text(at)
    assert "Most negative: Daily Ledger" in page
    assert "The difference between Daily Ledger and Injection Times is within the uncertainty." in page
    assert "disastrous&nbsp;×1" in page  # top flagged words in the summary
    assert "the evidence for them is thin" in page
    labels = [b.proto.label for b in at.get("download_button")]
    # the first screen's 3 charts and the open cross-outlet tab's (word choice) chart, each downloadable
    assert labels.count("PNG") == labels.count("SVG") == labels.count("HTML") == len(specs(at)) == 4
    assert "Event report" in labels


def test_compare_page_escapes_web_text(app) -> None:
    at = app("compare")
    page = html_text(at)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Bridge &#42;&#42;shock&#42;&#42;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "&#42;&#42;markdown&#42;&#42;" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "javascript:" not in page.replace("[link](javascript:alert(3))", "").replace(
        "&#91;link&#93;(javascript:alert(3))", ""
    )


def test_compare_page_lists_failed_fetches(app) -> None:
    at = app("compare")
    (expander,) = [e for e in at.expander if "could not be fetched" in e.label]
    assert expander.label == "1 URL of this event could not be fetched"
    failed = at.dataframe[0].value
    assert list(failed["url"]) == [BLOCKED_URL] and list(failed["problem"]) == ["blocked"]


def test_compare_page_with_more_outlets_than_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYSIS_DATABASE_URL", build_many_outlets_db(tmp_path / "many.db", n=8))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/compare.py")
    at.run()
    assert not at.exception
    chooser = at.multiselect(key=f"outlets-{event_slug('Port strike')}")
    assert chooser.value == [f"Outlet {i:02d}" for i in range(6)]  # most negative first, six at most
    assert chooser.max_selections == 6
    assert len(at.columns) >= 6
    chooser.set_value(["Outlet 07", "Outlet 03"]).run()
    page = html_text(at)
    assert "Port strike, take 7" in page and "Port strike, take 3" in page and "take 5" not in page
    assert len(json.loads(at.get("plotly_chart")[0].proto.spec)["data"]) == 16  # charts keep every outlet


def test_compare_page_follows_the_url_and_picks_articles(app) -> None:
    other = event_slug(OTHER_EVENT)
    at = app("compare", event=other)
    assert at.selectbox(key="event").value == other
    assert at.query_params.get("event") == other
    at = app("compare", event=FIXTURE_EVENT)  # the name works as well as the slug
    assert at.selectbox(key="event").value == FIXTURE_SLUG
    assert at.query_params.get("event") == FIXTURE_SLUG  # the URL follows the choice
    pick = at.selectbox(key=f"pick-{FIXTURE_SLUG}-Coast Courier")
    assert pick.options == [
        "2026-03-10 · Swift rescue after harbour bridge gives way",
        "no date · Bridge repairs to start next month",
    ]
    pick.set_value(1).run()
    assert "Bridge repairs to start next month" in html_text(at)


def test_compare_page_remembers_the_event_across_pages(app) -> None:
    at = app("compare")
    at.selectbox(key="event").set_value(event_slug(OTHER_EVENT)).run()
    at.switch_page("app_pages/events.py").run()
    at.query_params.clear()
    at.switch_page("app_pages/compare.py").run()
    assert at.selectbox(key="event").value == event_slug(OTHER_EVENT)


def test_outlets_page(app, db_url: str) -> None:
    at = app("outlets")
    table = at.dataframe[0].value
    assert list(table["outlet"]) == ["Coast Courier", "Daily Ledger", "Injection Times", "Morning Post"]
    scatter, timeline, distinctive, _words, cover, voices = specs(at)
    assert voices["layout"]["title"]["text"].startswith("Whose words each outlet carries")
    assert {t["name"] for t in scatter["data"]} == set(table["outlet"])
    assert timeline["layout"]["title"]["text"] == "Sentiment over time"
    assert distinctive["layout"]["title"]["text"].startswith("Words Coast Courier uses more and less")
    assert cover["layout"]["title"]["text"] == "Articles per period, by outlet"
    assert {t["name"] for t in cover["data"]} == set(table["outlet"])
    at.segmented_control(key="tl-metric").set_value("loaded_rate").run()
    assert specs(at)[1]["layout"]["title"]["text"].startswith("Loaded language over time")
    at.selectbox(key="words-outlet").set_value("Daily Ledger").run()
    assert "disastrous" in specs(at)[3]["data"][0]["y"]
    ledger = next(t for t in specs(at)[2]["data"] if t["type"] == "bar" and t["name"] == "Daily Ledger")
    assert ledger["marker"]["color"] == Store(db_url).outlet_colors()["Daily Ledger"]
    # the fixture outlets are in no group: the page says how to add groups
    assert any("No outlet groups" in i.value for i in at.info)


def open_tab(at: AppTest, label: str) -> list[dict]:
    """Open one of the compare page's lazy cross-outlet tabs; the charts it drew (after the first three)."""
    at.session_state["cross-tabs"] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return specs(at)[3:]


def test_compare_page_cross_outlet_tabs(app, db_url: str) -> None:
    at = app("compare")
    assert [t.label for t in at.tabs] == [
        "Word choice",
        "Who reported what",
        "Headline vs body",
        "Actors",
        "Voices",
    ]
    (words,) = specs(at)[3:]  # lazy tabs: only the open one (the first) is drawn
    # word choice: one panel per outlet; each outlet's top bar is its highest z-score, in its colour
    store = Store(db_url)
    rows = [r for r in store.event_articles(store.find_event(FIXTURE_EVENT).id) if compare.usable(r)]
    prior = wordchoice.background_prior(wordchoice.term_counts(store.event_articles(None), by="event"))
    expected = wordchoice.event_word_choice(rows, prior=prior)
    colors = store.outlet_colors()
    titles = [a["text"] for a in words["layout"]["annotations"]]
    assert len(titles) == len({r["outlet"] for r in rows}) and "Daily Ledger" in titles[1]
    ledger = next(t for t in words["data"] if t["type"] == "bar" and t["name"] == "Daily Ledger")
    mine = expected[(expected["group"] == "Daily Ledger") & (expected["z"] > 0)]
    assert ledger["y"][0] == mine.sort_values(["z", "term"], ascending=[False, True])["term"].iloc[0]
    assert ledger["marker"]["color"] == colors["Daily Ledger"]
    assert "log-odds ratio with an informative Dirichlet prior" in " ".join(c.value for c in at.caption)

    # who reported what: facts x outlets (sorted), key figures, one expander per outlet, escaped text
    facts, figures = open_tab(at, "Who reported what")
    assert facts["data"][0]["type"] == "heatmap"
    assert facts["data"][0]["x"] == ["Coast Courier", "Daily Ledger", "Injection<br>Times", "Morning Post"]
    assert figures["layout"]["title"]["text"].startswith("Key figures")
    assert len([e for e in at.expander if "statements only it carries" in e.label]) == 4
    page = html_text(at)
    assert "Only this outlet" in page and "Left out: carried by most others" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page and "<img" not in page
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("PNG") == labels.count("HTML") == 5

    # headline vs body: a dumbbell per outlet and the loaded-headline share in a table
    (headline,) = open_tab(at, "Headline vs body")
    assert {t["name"] for t in headline["data"] if t.get("showlegend")} == {"headline", "body"}
    table = next(d.value for d in at.dataframe if "loaded_headline_share" in d.value.columns)
    assert set(table["outlet"]) == {r["outlet"] for r in rows}

    (actors,) = open_tab(at, "Actors")
    assert actors["layout"]["title"]["text"].startswith("Actors")

    (voices,) = open_tab(at, "Voices")
    assert voices["layout"]["title"]["text"].startswith("Who gets room")
    share = next(d.value for d in at.dataframe if "only_outlet" in d.value.columns)
    assert set(share["outlet"]) <= {r["outlet"] for r in rows} and len(share)
    assert [b.proto.label for b in at.get("download_button")].count("CSV") >= 3  # share, verbs, quotes
    # labels grouped by head word by default; by meaning (embeddings) with the toggle on
    assert at.toggle(key="voices-labels-meaning").value is False
    labels = [d.value for d in at.dataframe if "basis" in d.value.columns]
    assert labels and all("meaning" not in set(t["basis"]) for t in labels)
    at.toggle(key="voices-labels-meaning").set_value(True).run()
    assert not at.exception


def test_search_page(app) -> None:
    at = app("search")
    at.text_input(key="search-query").set_value("the").run()
    assert not at.exception
    hits = at.dataframe[0].value
    assert len(hits) and set(hits["match"].str.lower()) == {"the"}
    assert [b.proto.label for b in at.get("download_button")] == ["CSV", "JSON"]


def test_search_page_shows_display_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = build_fixture_db(tmp_path / "search.db")
    store = Store(url)
    outlet = store.outlet_names()[0]
    store.edit_outlet(outlet, display_name="Renamed Outlet X")
    store.engine.dispose()
    monkeypatch.setenv("ANALYSIS_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/search.py")
    at.run()
    at.text_input(key="search-query").set_value("the").run()
    assert not at.exception
    hits = at.dataframe[0].value
    assert "Renamed Outlet X" in set(hits["outlet"]) and outlet not in set(hits["outlet"])
    picker = at.multiselect(key="search-outlets")
    assert "Renamed Outlet X" in picker.format_func(outlet)
    picker.set_value([outlet]).run()
    assert set(at.dataframe[0].value["outlet"]) == {"Renamed Outlet X"}


def test_outlets_page_blindspots_from_outlet_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = build_fixture_db(tmp_path / "groups.db")
    store = Store(url)
    for name, kind in [
        ("Daily Ledger", "tabloid"),
        ("Morning Post", "broadsheet"),
        ("Coast Courier", "local"),
    ]:
        store.edit_outlet(name, groups={"type": kind, "country": "XX"})
    monkeypatch.setenv("ANALYSIS_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/outlets.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="group-dimension").options == ["country", "type"]
    at.selectbox(key="group-dimension").set_value("type").run()
    blind = next(s for s in specs(at) if s["layout"]["title"]["text"].startswith("Blindspots"))
    bars = blind["data"][0]
    assert bars["y"][0] == "local" and bars["text"][0] == "1 of 2"  # the Courier missed the budget vote
    assert bars["marker"]["color"][0] == charts.group_colors(["local", "tabloid", "broadsheet"])["local"]
    table = next(d.value for d in at.dataframe if "missing_list" in d.value.columns)
    assert list(table["event"]) == [OTHER_EVENT] and list(table["missing_list"]) == ["local"]
    at.segmented_control(key="cov-by").set_value("group").run()
    cover = next(s for s in specs(at) if s["layout"]["title"]["text"].startswith("Articles per period"))
    assert {"broadsheet", "local", "tabloid"} <= {t["name"] for t in cover["data"]}


def _edit_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, Store]:
    url = build_fixture_db(tmp_path / "edit.db")
    store = Store(url)
    store.get_or_create_event("Unreviewed story", auto=True)
    monkeypatch.setenv("ANALYSIS_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    return at, store


def test_events_page_edits_events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at, store = _edit_app(tmp_path, monkeypatch)
    made = at.dataframe[0].value.set_index("event")["made"]
    assert made["Unreviewed story"] == "auto" and made[FIXTURE_EVENT] == ""
    ids = {e["name"]: e["id"] for e in store.list_events()}
    # rename: the new name is listed at once
    at.selectbox(key="ed-rename-event").set_value(ids[OTHER_EVENT])
    at.text_input(key="ed-rename-name").input("Council budget vote")
    at.button(key="ed-rename").click().run()
    assert not at.exception
    assert any("Renamed" in s.value for s in at.success)
    listed = set(at.dataframe[0].value["event"])
    assert "Council budget vote" in listed and OTHER_EVENT not in listed
    # a clash is an error message (never a traceback), and what was typed stays
    at.selectbox(key="ed-rename-event").set_value(ids[OTHER_EVENT])
    at.text_input(key="ed-rename-name").input(FIXTURE_EVENT)
    at.button(key="ed-rename").click().run()
    assert not at.exception
    assert any("already exists" in e.value for e in at.error)
    assert at.text_input(key="ed-rename-name").value == FIXTURE_EVENT
    # move an article into the automatic event: it becomes the user's (no auto badge)
    ledger = next(
        r["id"]
        for r in store.event_articles(ids[FIXTURE_EVENT], with_text=False)
        if r["outlet"] == "Daily Ledger"
    )
    at.multiselect(key="ed-move-articles").set_value([ledger])
    at.selectbox(key="ed-move-target").set_value(ids["Unreviewed story"]).run()
    at.button(key="ed-move").click().run()
    assert not at.exception
    assert store.event_name_of_article(ledger) == "Unreviewed story"
    assert at.dataframe[0].value.set_index("event")["made"]["Unreviewed story"] == ""
    # merge it back
    at.multiselect(key="ed-merge-sources").set_value([ids["Unreviewed story"]])
    at.selectbox(key="ed-merge-target").set_value(ids[FIXTURE_EVENT]).run()
    at.button(key="ed-merge").click().run()
    assert not at.exception
    assert "Unreviewed story" not in set(at.dataframe[0].value["event"])
    assert store.event_name_of_article(ledger) == FIXTURE_EVENT


def plain(markdown: str) -> str:
    """A message as shown (common.md_escape puts a backslash before Markdown characters)."""
    return markdown.replace("\\", "")


def _add_article(store: Store, event: str, n: int) -> None:
    """An article put into ``event`` from elsewhere (the command line) while the page is open."""
    try:
        from store.test_store import make_article
    except ModuleNotFoundError:
        from tests.store.test_store import make_article
    url = f"https://elsewhere.example/{n}"
    eid = store.find_event(event).id
    store.add_article(make_article(url), None, canonical_url=url, event_id=eid, source="text")


def _choose_as_a_browser(monkeypatch: pytest.MonkeyPatch, at: AppTest, key: str, option: int) -> None:
    """Choose ``option`` in selectbox ``key`` and, from then on, send what a browser sends: the
    label shown when the person chose, even after the server has drawn the option with another
    label (AppTest would send the current label)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState
    from streamlit.testing.v1.element_tree import Selectbox

    at.selectbox(key=key).set_value(option).run()
    box = at.selectbox(key=key)
    widget_id, label = box.id, box.options[box.index]
    real = Selectbox._widget_state

    def sent(self: Selectbox) -> WidgetState:
        if self.id != widget_id:
            return real.fget(self)
        return WidgetState(id=widget_id, string_value=label)

    monkeypatch.setattr(Selectbox, "_widget_state", property(sent))


def test_events_page_edits_the_event_that_was_chosen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 2 of issue 12: pickers were labelled "name (count)"; when the label changed between
    choosing and clicking (an article added, the event merged away), Streamlit fell back to the
    first event and the edit hit it, with a success message that did not say which event."""
    at, store = _edit_app(tmp_path, monkeypatch)
    assert store.list_events()[0]["name"] == OTHER_EVENT  # the event a fallback to the first option hits
    ids = {e["name"]: e["id"] for e in store.list_events()}

    # the chosen event gains an article meanwhile: the edit still goes to it, and says so
    with monkeypatch.context() as m:
        _choose_as_a_browser(m, at, "ed-rename-event", ids[FIXTURE_EVENT])
        _add_article(store, FIXTURE_EVENT, 1)
        at.text_input(key="ed-rename-name").input("Harbour bridge falls").run()  # any rerun in between
        at.button(key="ed-rename").click().run()
    assert not at.exception
    assert [plain(s.value) for s in at.success] == [
        "Renamed “Harbour bridge collapse” to “Harbour bridge falls”."
    ]
    assert {e["name"] for e in store.list_events()} == {
        "Harbour bridge falls",
        OTHER_EVENT,
        "Unreviewed story",
    }

    # the chosen event is merged away from the command line: refused, nothing renamed
    with monkeypatch.context() as m:
        _choose_as_a_browser(m, at, "ed-rename-event", ids[OTHER_EVENT])
        store.merge_events([OTHER_EVENT], "Harbour bridge falls")
        at.text_input(key="ed-rename-name").input("Budget row").run()
        at.button(key="ed-rename").click().run()
    assert not at.exception and not at.success
    assert any("“City budget vote” changed" in e.value and "nothing was done" in e.value for e in at.error)
    assert {e["name"] for e in store.list_events()} == {"Harbour bridge falls", "Unreviewed story"}
    assert at.selectbox(key="ed-rename-event").value is None  # choose again
    assert at.text_input(key="ed-rename-name").value == "Budget row"  # what was typed is kept

    # renamed elsewhere, clicked at once: the store refuses (the name shown is not the name now)
    at.selectbox(key="ed-rename-event").set_value(ids["Unreviewed story"]).run()
    store.rename_event("Unreviewed story", "Reviewed elsewhere")
    at.text_input(key="ed-rename-name").input("Mine now")
    at.button(key="ed-rename").click().run()
    assert not at.exception and not at.success
    assert any("“Unreviewed story” was renamed to “Reviewed elsewhere”" in e.value for e in at.error)
    assert {e["name"] for e in store.list_events()} == {"Harbour bridge falls", "Reviewed elsewhere"}

    # a merge source that changed is reported, not silently left out of the merge
    at.multiselect(key="ed-merge-sources").set_value([ids["Unreviewed story"]])
    at.selectbox(key="ed-merge-target").set_value(ids[FIXTURE_EVENT]).run()
    store.rename_event("Reviewed elsewhere", "Renamed again")
    at.button(key="ed-merge").click().run()
    assert not at.exception and not at.success
    assert any("“Reviewed elsewhere” was renamed to “Renamed again”" in e.value for e in at.error)
    at.multiselect(key="ed-merge-sources").set_value([ids["Unreviewed story"]])
    at.selectbox(key="ed-merge-target").set_value(ids[FIXTURE_EVENT]).run()
    _add_article(store, "Renamed again", 2)
    at.button(key="ed-merge").click().run()
    assert [plain(s.value) for s in at.success] == [
        "Merged “Renamed again” into “Harbour bridge falls”: 1 article(s) moved."
    ]
    assert {e["name"] for e in store.list_events()} == {"Harbour bridge falls"}


def test_events_page_regroup_is_guarded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        import analysis.events.grouper as real  # another part of the project; the page must cope without it
    except ImportError:
        real = None
    at, _store = _edit_app(tmp_path, monkeypatch)
    monkeypatch.setitem(
        sys.modules, "analysis.events.grouper", None
    )  # as if the grouping module were missing
    at.button(key="ed-regroup").click().run()
    assert not at.exception
    assert any("not available" in e.value for e in at.error)
    if real is None:
        pytest.skip("analysis.events.grouper does not import here")
    monkeypatch.setitem(sys.modules, "analysis.events.grouper", real)
    at.button(key="ed-regroup").click().run()
    assert not at.exception and not at.error
    assert any("Grouped 0 article" in s.value for s in at.success)  # every fixture article was placed by hand


def test_add_page_has_no_private_address_switch(app) -> None:
    at = app("add")
    assert not at.checkbox and not at.toggle
    assert "private" not in " ".join(w.label.lower() for w in [*at.text_input, *at.text_area])
    assert [t.label for t in at.tabs] == ["URLs", "Feeds & front pages", "Saved HTML files", "Pasted text"]
    assert at.get("file_uploader")


def test_add_page_reports_failures_next_to_their_url(app) -> None:
    at = app("add")
    at.text_input(key="url-event").input("Local test event")
    at.text_area(key="url-list").input("http://127.0.0.1:9/private.html\nnot a url\n")
    next(b for b in at.button if b.label == "Fetch and analyse").click().run()
    assert not at.exception
    status = html_text(at)
    assert "http://127.0.0.1:9/private.html" in status and "not a url" in status
    assert status.count(">failed</span>") == 2
    assert "refused" in status
    assert any("0 stored" in w.value and "2 failed" in w.value for w in at.warning)


def test_add_page_feed_sources_report_their_problems(app) -> None:
    at = app("add")
    at.text_area(key="feed-list").input("http://127.0.0.1:9/feed.xml\nftp://example.com/feed")
    next(b for b in at.button if b.label == "Discover and analyse").click().run()
    assert not at.exception
    status = html_text(at)
    assert (
        "http://127.0.0.1:9/feed.xml" in status and "refused" in status
    )  # private address, default settings
    assert "invalid-url" in status


def test_add_page_stores_pasted_text(app, db_url: str) -> None:
    at = app("add")
    at.text_input(key="text-event").input(OTHER_EVENT)
    at.text_input(key="text-outlet").input("Evening Star")
    at.text_input(key="text-title").input("Budget passes <b>after</b> long night")
    body = " ".join(["The council passed the budget after a long and bitter debate."] * 30)
    at.text_area(key="text-body").input(body)
    next(b for b in at.button if b.label == "Analyse text").click().run()
    assert not at.exception
    assert any("1 stored" in s.value for s in at.success)
    assert "&lt;b&gt;after&lt;/b&gt;" in html_text(at)
    store = Store(db_url)
    stored = [
        r for r in store.event_articles(store.find_event(OTHER_EVENT).id) if r["outlet"] == "Evening Star"
    ]
    assert len(stored) == 1 and stored[0]["sentiment"] is not None


def test_add_page_validates_the_form(app) -> None:
    at = app("add")
    next(b for b in at.button if b.label == "Analyse text").click().run()
    errors = [e.value for e in at.error]
    assert not any("Event name" in e for e in errors)  # the event is optional: grouped automatically
    assert "The headline is empty." in errors and "The text is empty." in errors


def _paste(at, title: str, body: str) -> None:
    at.text_input(key="text-outlet").input("Evening Star")
    at.text_input(key="text-title").input(title)
    at.text_area(key="text-body").input(body)


def test_add_page_groups_pasted_text_without_event_and_takes_old_dates(app, db_url: str) -> None:
    at = app("add")
    date_input = at.date_input(key="text-date")
    assert date_input.proto.min[:4] <= "1900"  # no ten-year limit on a pasted article's date
    date_input.set_value(date(2016, 3, 12))
    body = " ".join(["The harbour ferry strike entered its third day as unions rejected the offer."] * 30)
    _paste(at, "Ferry strike enters third day", body)
    next(b for b in at.button if b.label == "Analyse text").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("1 stored" in s.value for s in at.success)
    assert any("Grouped automatically" in i.value for i in at.info)
    title = "Ferry strike enters third day"
    row = next(r for r in Store(db_url).event_articles(None, with_text=False) if r["title"] == title)
    assert row["event"]  # grouped into an event
    assert str(row["published"]).startswith("2016-03-12")


def test_add_page_previews_the_cleaned_text_before_saving(app, db_url: str) -> None:
    at = app("add")
    at.text_input(key="text-event").input(OTHER_EVENT)
    lines = ["Share on Facebook", "By Jane Roe", ""]
    lines += ["The tram line reopened on Monday after <b>repairs</b> to the bridge took six weeks."] * 25
    _paste(at, "Tram line reopens", "\n".join(lines))
    next(b for b in at.button if b.label == "Preview").click().run()
    assert not at.exception
    preview = [t.value for t in at.text]
    assert "Headline: Tram line reopens" in preview
    assert "Authors: Jane Roe (found in the text)" in preview, preview  # the byline went to the authors
    cleaned = at.text_area[-1].value
    assert "Share on Facebook" not in cleaned and "<b>repairs</b>" in cleaned  # text, not HTML
    assert not any("stored" in s.value for s in at.success)  # nothing saved yet
    at.button(key="text-save").click().run()
    assert not at.exception
    assert any("1 stored" in s.value for s in at.success)
    store = Store(db_url)
    titles = [r["title"] for r in store.event_articles(store.find_event(OTHER_EVENT).id, with_text=False)]
    assert "Tram line reopens" in titles


def test_data_page_tables_and_downloads(app) -> None:
    at = app("data")
    assert len(at.dataframe[0].value) >= 7
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [
        "Scores CSV",
        "Scores JSON",
        "Articles with text and spans CSV",
        "Articles with text and spans JSON",
    ]
    event_id = next(o for o in at.selectbox(key="data-event").options if o == FIXTURE_EVENT)
    at.selectbox(key="data-event").select(event_id).run()
    assert len(at.dataframe[0].value) == 5
    hits = at.dataframe[1].value
    assert {"word", "category", "quoted"} <= set(hits.columns)


def test_empty_database_without_demo_explains_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analysis import pipeline

    monkeypatch.setenv("ANALYSIS_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setattr(pipeline, "DEMO_DIR", tmp_path / "no-demo")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("no demo corpus" in w.value for w in at.warning)
    assert any("No events yet" in i.value for i in at.info)


def test_first_run_loads_the_demo_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis import pipeline

    if not (pipeline.DEMO_DIR / "manifest.json").exists():
        pytest.skip("no demo corpus in data/demo")
    url = f"sqlite:///{tmp_path / 'first.db'}"
    monkeypatch.setenv("ANALYSIS_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("app_pages/compare.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    events = Store(url).list_events()
    assert len(events) >= 3
    assert len(specs(at)) == 4
    assert not at.error


def test_demo_is_not_loaded_into_a_database_with_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 6 of issue 12: the dashboard loaded the fictional demo into a real database that had
    articles but no events yet."""
    try:
        from test_pipeline import TOPICS, _free_articles
    except ModuleNotFoundError:
        from tests.test_pipeline import TOPICS, _free_articles
    url = f"sqlite:///{tmp_path / 'real.db'}"
    _free_articles(Store(url), TOPICS[:2])
    monkeypatch.setenv("ANALYSIS_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert Store(url).counts()["events"] == 0 and Store(url).article_sources() == {"url": 8}
    assert any("8 articles stored, none in an event yet" in i.value for i in at.info)
    pytest.importorskip("analysis.events.grouper")  # grouping, another part of the project
    at.button(key="ed-regroup").click().run()
    assert not at.exception and any("Grouped 8 article" in s.value for s in at.success)
    assert Store(url).counts()["events"] >= 1
